/*
 * Chunked transfer coding (RFC 9112 section 7.1): a byte-wise state machine
 * for the framing, data handed out in place.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 */
#include <string.h>

#include "wsx_http.h"
#include "http_chars.h"

enum {
    S_SIZE,          /* first hex digit required */
    S_SIZE_MORE,     /* more hex digits, BWS, ';' or CR */
    S_SIZE_BWS,      /* after SP/HTAB: more of it or ';' */
    S_EXT,           /* extension bytes, ignored, until CR */
    S_SIZE_LF,
    S_DATA,
    S_DATA_CR,
    S_DATA_LF,
    S_TRAILER_START, /* start of a trailer line, or the final CRLF */
    S_TRAILER,
    S_TRAILER_LF,
    S_FINAL_LF,
    S_END
};

void wsx_chunked_init(wsx_chunked *c, const wsx_chunked_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->_max_chunk = cfg && cfg->max_chunk ? cfg->max_chunk : WSX_CHUNKED_DEFAULT_MAX_CHUNK;
    c->_max_line = cfg && cfg->max_line ? cfg->max_line : WSX_CHUNKED_DEFAULT_MAX_LINE;
    c->_max_trailer = cfg && cfg->max_trailer ? cfg->max_trailer
                                              : WSX_CHUNKED_DEFAULT_MAX_TRAILER;
    c->_state = S_SIZE;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    return wsx_http_lower(ch) - 'a' + 10;
}

/* One framing byte of the size line.  Returns WSX_OK or a wsx_err. */
static int size_line_byte(wsx_chunked *c, char ch)
{
    if (++c->_count > c->_max_line && ch != '\r')
        return WSX_E_HTTP_CHUNK_LINE_TOO_LONG;
    switch (c->_state) {
    case S_SIZE:
    case S_SIZE_MORE:
        if (wsx_http_is_hex(ch)) {
            unsigned d = (unsigned)hex_value(ch);
            /* Checked before multiplying: no overflow for any digit count
             * (remaining * 16 <= max_chunk is a multiple of 16, so + d fits). */
            if (c->_remaining > c->_max_chunk / 16 ||
                c->_remaining * 16 + d > c->_max_chunk)
                return WSX_E_HTTP_CHUNK_TOO_BIG;
            c->_remaining = c->_remaining * 16 + d;
            c->_state = S_SIZE_MORE;
            return WSX_OK;
        }
        if (c->_state == S_SIZE)
            return WSX_E_HTTP_CHUNK;
        if (ch == ' ' || ch == '\t')
            c->_state = S_SIZE_BWS;
        else if (ch == ';')
            c->_state = S_EXT;
        else if (ch == '\r')
            c->_state = S_SIZE_LF;
        else
            return WSX_E_HTTP_CHUNK;
        return WSX_OK;
    case S_SIZE_BWS:
        if (ch == ';')
            c->_state = S_EXT;
        else if (ch != ' ' && ch != '\t')
            return WSX_E_HTTP_CHUNK;
        return WSX_OK;
    default: /* S_EXT: any field-value byte; CR ends it */
        if (ch == '\r')
            c->_state = S_SIZE_LF;
        else if (!wsx_http_is_value_char(ch))
            return WSX_E_HTTP_CHUNK;
        return WSX_OK;
    }
}

/* One byte of the trailer section (after the last chunk's CRLF). */
static int trailer_byte(wsx_chunked *c, char ch)
{
    if (++c->_count > c->_max_trailer)
        return WSX_E_HTTP_TRAILER_TOO_LARGE;
    switch (c->_state) {
    case S_TRAILER_START:
        if (ch == '\r')
            c->_state = S_FINAL_LF;
        else if (wsx_http_is_tchar(ch))
            c->_state = S_TRAILER; /* SP/HTAB here would be obs-fold */
        else
            return WSX_E_HTTP_CHUNK;
        return WSX_OK;
    case S_TRAILER:
        if (ch == '\r')
            c->_state = S_TRAILER_LF;
        else if (!wsx_http_is_value_char(ch) && ch != ':')
            return WSX_E_HTTP_CHUNK;
        return WSX_OK;
    case S_TRAILER_LF:
        if (ch != '\n')
            return WSX_E_HTTP_CHUNK;
        c->_state = S_TRAILER_START;
        return WSX_OK;
    default: /* S_FINAL_LF */
        if (ch != '\n')
            return WSX_E_HTTP_CHUNK;
        c->_state = S_END;
        return WSX_OK;
    }
}

/* One framing byte in any state but S_DATA and S_END. */
static int framing_byte(wsx_chunked *c, char ch)
{
    switch (c->_state) {
    case S_SIZE_LF:
        if (ch != '\n')
            return WSX_E_HTTP_CHUNK;
        c->_count = 0;
        c->_state = c->_remaining ? S_DATA : S_TRAILER_START;
        return WSX_OK;
    case S_DATA_CR:
        if (ch != '\r')
            return WSX_E_HTTP_CHUNK;
        c->_state = S_DATA_LF;
        return WSX_OK;
    case S_DATA_LF:
        if (ch != '\n')
            return WSX_E_HTTP_CHUNK;
        c->_state = S_SIZE;
        c->_count = 0;
        return WSX_OK;
    case S_TRAILER_START:
    case S_TRAILER:
    case S_TRAILER_LF:
    case S_FINAL_LF:
        return trailer_byte(c, ch);
    default:
        return size_line_byte(c, ch);
    }
}

int wsx_chunked_decode(wsx_chunked *c, const char *buf, size_t len, size_t *consumed,
                       const char **data, size_t *data_len)
{
    size_t i = 0;
    if (consumed)
        *consumed = 0;
    if (!c || !consumed || !data || !data_len || (!buf && len))
        return WSX_E_ARG;
    if (c->_err)
        return c->_err;
    while (i < len && c->_state != S_END) {
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
            return WSX_CHUNKED_DATA;
        }
        {
            int r = framing_byte(c, buf[i]);
            if (r < 0)
                return c->_err = r;
        }
        i++;
    }
    *consumed = i;
    return c->_state == S_END ? WSX_CHUNKED_END : WSX_CHUNKED_NEED_MORE;
}

size_t wsx_chunked_header(uint64_t size, char out[WSX_CHUNKED_HEADER_MAX])
{
    static const char hex[] = "0123456789abcdef";
    int shift = 60;
    size_t n = 0;
    if (size == 0 || !out)
        return 0;
    while ((size >> shift) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        out[n++] = hex[(size >> shift) & 15];
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
}

int wsx_chunked_wrap(char *buf, size_t cap, size_t headroom, size_t payload_len,
                     size_t *start, size_t *total)
{
    char hdr[WSX_CHUNKED_HEADER_MAX];
    size_t hlen;
    if (!buf || !start || !total || payload_len == 0)
        return WSX_E_ARG;
    hlen = wsx_chunked_header((uint64_t)payload_len, hdr);
    if (headroom < hlen || headroom > cap || cap - headroom < payload_len ||
        cap - headroom - payload_len < 2)
        return WSX_E_BUFFER;
    memcpy(buf + headroom - hlen, hdr, hlen);
    buf[headroom + payload_len] = '\r';
    buf[headroom + payload_len + 1] = '\n';
    *start = headroom - hlen;
    *total = hlen + payload_len + 2;
    return WSX_OK;
}
