/*
 * Chunked transfer coding (RFC 9112 section 7.1): a byte-wise state machine
 * for the framing, data handed out in place.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_http.h"
#include "http_chars.h"
#include "wbuf.h"

/* The states in the order of the grammar.  Those from S_SIZE to S_EXT count
 * against max_line, those from S_TRAILER_START on against max_trailer. */
enum {
    S_SIZE,      /* first hex digit required */
    S_SIZE_MORE, /* more hex digits, BWS, ';' or CR */
    S_SIZE_BWS,  /* after SP/HTAB: more of it or ';' */
    S_EXT,       /* extension bytes, ignored, until CR (then S_SIZE_LF) */
    S_SIZE_LF,
    S_DATA,
    S_DATA_CR,
    S_DATA_LF,
    S_TRAILER_START, /* start of a trailer line, or the final CRLF */
    S_TRAILER,       /* trailer bytes until CR (then S_TRAILER_LF) */
    S_TRAILER_LF,
    S_FINAL_LF,
    S_END
};

void wsx_chunked_config_default(wsx_chunked_config *cfg)
{
    if (!cfg)
        return;
    cfg->max_chunk = WSX_CHUNKED_DEFAULT_MAX_CHUNK;
    cfg->max_line = WSX_CHUNKED_DEFAULT_MAX_LINE;
    cfg->max_trailer = WSX_CHUNKED_DEFAULT_MAX_TRAILER;
}

int wsx_chunked_init(wsx_chunked *c, const wsx_chunked_config *cfg)
{
    if (!c)
        return WSX_E_ARG;
    memset(c, 0, sizeof *c); /* S_SIZE */
    c->_max_chunk = cfg && cfg->max_chunk ? cfg->max_chunk : WSX_CHUNKED_DEFAULT_MAX_CHUNK;
    c->_max_line = cfg && cfg->max_line ? cfg->max_line : WSX_CHUNKED_DEFAULT_MAX_LINE;
    c->_max_trailer = cfg && cfg->max_trailer ? cfg->max_trailer : WSX_CHUNKED_DEFAULT_MAX_TRAILER;
    return WSX_OK;
}

/* Appends the hex digit ch to the chunk size; returns S_SIZE_MORE or
 * WSX_E_HTTP_CHUNK_TOO_BIG.  Checked before it is stored: a size of 2^60 or
 * more would overflow, and is over any max_chunk once shifted; below that,
 * size * 16 + digit is exact.  So no overflow whatever the digit count. */
static int size_digit(wsx_chunked *c, char ch)
{
    unsigned digit = (unsigned)(ch & 15) + (ch > '9' ? 9u : 0u); /* 'a' & 15 = 1 */
    uint64_t size = c->_remaining << 4 | digit;
    if ((c->_remaining >> 60) != 0 || size > c->_max_chunk)
        return WSX_E_HTTP_CHUNK_TOO_BIG;
    c->_remaining = size;
    return S_SIZE_MORE;
}

/* The state after one framing byte (any state but S_DATA and S_END), or a
 * wsx_err. */
WSX__SMALL_NOINLINE static int next_state(wsx_chunked *c, int s, char ch)
{
    switch (s) {
    case S_SIZE:
    case S_SIZE_MORE:
    case S_SIZE_BWS:
        if (s != S_SIZE_BWS && wsx__http_is_hex(ch))
            return size_digit(c, ch);
        if (s == S_SIZE)
            return WSX_E_HTTP_CHUNK;
        if (s == S_SIZE_MORE && ch == '\r')
            return S_SIZE_LF;
        /* BWS or ';' after the digits */
        if (ch == ';')
            return S_EXT;
        return ch == ' ' || ch == '\t' ? S_SIZE_BWS : WSX_E_HTTP_CHUNK;
    case S_EXT:
    case S_TRAILER:
        /* Any field-value byte (extensions are ignored, trailer fields
         * skipped); CR ends the line. */
        if (ch == '\r')
            return s + 1;
        return wsx__http_is_value_char(ch) ? s : WSX_E_HTTP_CHUNK;
    case S_TRAILER_START:
        if (ch == '\r')
            return S_FINAL_LF;
        /* A field name; SP/HTAB here would be obs-fold. */
        return wsx__http_is_tchar(ch) ? S_TRAILER : WSX_E_HTTP_CHUNK;
    default: /* one fixed byte: the CR or LF of a CRLF */
        if (ch != (s == S_DATA_CR ? '\r' : '\n'))
            return WSX_E_HTTP_CHUNK;
        if (s == S_SIZE_LF || s == S_DATA_LF)
            c->_count = 0; /* the next size line or the trailers start */
        if (s == S_SIZE_LF)
            return c->_remaining ? S_DATA : S_TRAILER_START;
        if (s == S_DATA_LF)
            return S_SIZE;
        return s == S_TRAILER_LF ? S_TRAILER_START : s + 1;
    }
}

/* One framing byte: the line limits, then the state machine. */
static int framing_byte(wsx_chunked *c, char ch)
{
    int s = c->_state, next;
    if (s <= S_EXT && ++c->_count > c->_max_line && ch != '\r')
        return WSX_E_HTTP_CHUNK_LINE_TOO_LONG;
    if (s >= S_TRAILER_START && ++c->_count > c->_max_trailer)
        return WSX_E_HTTP_TRAILER_TOO_LARGE;
    next = next_state(c, s, ch);
    if (next >= 0)
        c->_state = next;
    return next;
}

int wsx_chunked_decode(wsx_chunked *c, const void *bytes, size_t len, size_t *consumed,
                       const uint8_t **data, size_t *data_len)
{
    const uint8_t *buf = (const uint8_t *)bytes;
    size_t i;
    if (consumed)
        *consumed = 0;
    if (!c || !consumed || !data || !data_len || (!buf && len))
        return WSX_E_ARG;
    if (c->_err)
        return c->_err;
    for (i = 0; i < len && c->_state != S_END; i++) {
        int r;
        if (c->_state == S_DATA) {
            size_t n = len - i;
            if ((uint64_t)n > c->_remaining)
                n = (size_t)c->_remaining;
            c->_remaining -= n;
            if (c->_remaining == 0)
                c->_state = S_DATA_CR;
            *data = buf + i;
            *data_len = n;
            *consumed = i + n;
            return WSX_CHUNKED_EV_DATA;
        }
        r = framing_byte(c, (char)buf[i]);
        if (r < 0) /* (r >= 0: the new state) */
            return c->_err = r;
    }
    *consumed = i;
    return c->_state == S_END ? WSX_CHUNKED_EV_END : WSX_CHUNKED_NEED_MORE;
}

int wsx_chunked_write_header(uint64_t size, void *out, size_t cap, size_t *out_len)
{
    wsx__wbuf w;
    if (wsx__wbuf_start(&w, out, cap, out_len) || size == 0)
        return WSX_E_ARG;
    wsx__wbuf_hex(&w, size);
    wsx__wbuf_put(&w, "\r\n", 2);
    return wsx__wbuf_done(&w, out_len);
}

int wsx_chunked_wrap(void *buf, size_t cap, size_t headroom, size_t payload_len, size_t *start,
                     size_t *total)
{
    uint8_t *p = (uint8_t *)buf, hdr[WSX_CHUNKED_HEADER_MAX];
    size_t hlen;
    if (!buf || !start || !total ||
        wsx_chunked_write_header((uint64_t)payload_len, hdr, sizeof hdr, &hlen) < 0)
        return WSX_E_ARG; /* (the header always fits: payload_len was 0) */
    if (headroom < hlen || headroom > cap || cap - headroom < payload_len ||
        cap - headroom - payload_len < 2)
        return WSX_E_BUFFER;
    *start = headroom - hlen;
    *total = hlen + payload_len + 2;
    memcpy(p + *start, hdr, hlen);
    memcpy(p + headroom + payload_len, "\r\n", 2);
    return WSX_OK;
}
