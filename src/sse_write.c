/*
 * text/event-stream writer: one event as bytes the parser (any WHATWG
 * parser) reads back as the same event.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

#include <string.h>

#include "sse_internal.h"

int wsx__sse_field_ok(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return 0;
    return 1;
}

/* prefix + line + LF for each line of bytes, lines ending at CR, LF or
 * CRLF (the three line ends a client accepts); at least one line. */
static void put_lines(wsx__wbuf *w, const char *prefix, size_t plen, const uint8_t *s, size_t n)
{
    const uint8_t *end = s + n;
    for (;;) {
        const uint8_t *e = s;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        wsx__wbuf_put(w, prefix, plen);
        wsx__wbuf_put(w, s, (size_t)(e - s));
        wsx__wbuf_put(w, "\n", 1);
        if (e == end)
            return;
        s = e + 1;
        if (*e == '\r' && s < end && *s == '\n')
            s++;
    }
}

void wsx_sse_msg_init(wsx_sse_msg *m)
{
    if (!m)
        return;
    memset(m, 0, sizeof *m);
    m->retry_ms = -1;
}

void wsx__sse_write_msg(wsx__wbuf *w, const wsx_sse_msg *m)
{
    if (m->comment)
        put_lines(w, WSX__LIT(": "), (const uint8_t *)m->comment, m->comment_len);
    /* type and id hold no line break (checked): one line each */
    if (m->type && m->type_len)
        put_lines(w, WSX__LIT("event: "), (const uint8_t *)m->type, m->type_len);
    if (m->id)
        put_lines(w, WSX__LIT("id: "), (const uint8_t *)m->id, m->id_len);
    if (m->retry_ms >= 0) {
        wsx__wbuf_put(w, "retry: ", 7);
        wsx__wbuf_u64(w, (uint64_t)m->retry_ms);
        wsx__wbuf_put(w, "\n", 1);
    }
    if (m->data)
        put_lines(w, WSX__LIT("data: "), (const uint8_t *)m->data, m->data_len);
    wsx__wbuf_put(w, "\n", 1);
}

/* The checks of wsx_sse_write: WSX_OK or the error. */
static int msg_check(const wsx_sse_msg *m)
{
    if (!m || (m->type_len && !m->type) || (m->id_len && !m->id) || (m->data_len && !m->data) ||
        (m->comment_len && !m->comment))
        return WSX_E_ARG;
    /* An id or type with a line break would end the line early; NUL in an
     * id makes clients ignore it (spec: "If the field value does not
     * contain U+0000 NULL"). */
    if ((m->type && !wsx__sse_field_ok(m->type, m->type_len)) ||
        (m->id && !wsx__sse_field_ok(m->id, m->id_len)))
        return WSX_E_SSE_FIELD;
    return WSX_OK;
}

/* The start of every writer here: WSX_OK to go on, or the error (out_len
 * NULL, or err: its argument checks) with *out_len 0. */
static int begin(int err, wsx__wbuf *w, void *out, size_t cap, size_t *out_len)
{
    return wsx__wbuf_start(w, out, cap, out_len) ? WSX_E_ARG : err;
}

int wsx_sse_write(const wsx_sse_msg *m, void *out, size_t cap, size_t *out_len)
{
    wsx__wbuf w;
    int r = begin(msg_check(m), &w, out, cap, out_len);
    if (r)
        return r;
    wsx__sse_write_msg(&w, m);
    return wsx__wbuf_done(&w, out_len);
}

/* One HTTP/1.1 chunk (RFC 9112 section 7.1), once err (the argument
 * checks) is 0: "<hex len>\r\n", the payload, "\r\n"; len 0 gives the last
 * chunk "0\r\n\r\n".  The payload is m as wsx_sse_write gives it (len
 * bytes), or bytes when m is NULL. */
static int put_chunk(int err, const wsx_sse_msg *m, const void *bytes, size_t len, void *out,
                     size_t cap, size_t *out_len)
{
    wsx__wbuf w;
    int r = begin(err, &w, out, cap, out_len);
    if (r)
        return r;
    wsx__wbuf_hex(&w, (uint64_t)len);
    wsx__wbuf_put(&w, "\r\n", 2);
    if (m)
        wsx__sse_write_msg(&w, m);
    else
        wsx__wbuf_put(&w, bytes, len);
    wsx__wbuf_put(&w, "\r\n", 2);
    return wsx__wbuf_done(&w, out_len);
}

/* An event made of one comment (data NULL) or of one data value. */
WSX__NOINLINE static int write_one(const void *comment, const void *data, size_t len, void *out,
                                   size_t cap, size_t *out_len)
{
    wsx_sse_msg m;
    wsx_sse_msg_init(&m);
    m.comment = comment;
    m.data = data;
    if (comment)
        m.comment_len = len;
    else
        m.data_len = len;
    return wsx_sse_write(&m, out, cap, out_len);
}

/* An event that is always the same bytes, s[0..n). */
WSX__NOINLINE static int write_fixed(const char *s, size_t n, void *out, size_t cap,
                                     size_t *out_len)
{
    wsx__wbuf w;
    if (wsx__wbuf_start(&w, out, cap, out_len))
        return WSX_E_ARG;
    wsx__wbuf_put(&w, s, n);
    return wsx__wbuf_done(&w, out_len);
}

int wsx_sse_write_done(void *out, size_t cap, size_t *out_len)
{
    return write_fixed(WSX__LIT(WSX_SSE_DONE), out, cap, out_len);
}

int wsx_sse_write_keepalive(void *out, size_t cap, size_t *out_len)
{
    return write_fixed(WSX__LIT(WSX_SSE_KEEPALIVE), out, cap, out_len);
}

int wsx_sse_write_comment(const void *text, size_t len, void *out, size_t cap, size_t *out_len)
{
    if (!text && !len)
        text = ""; /* ": \n\n", an empty comment */
    /* text NULL with len > 0 is data NULL with data_len > 0: WSX_E_ARG */
    return write_one(text, NULL, len, out, cap, out_len);
}

int wsx_sse_write_chunk(const void *bytes, size_t len, void *out, size_t cap, size_t *out_len)
{
    return put_chunk(len && !bytes ? WSX_E_ARG : WSX_OK, NULL, bytes, len, out, cap, out_len);
}

int wsx_sse_write_chunked(const wsx_sse_msg *m, void *out, size_t cap, size_t *out_len)
{
    size_t n;
    int r = wsx_sse_write(m, NULL, 0, &n);
    return put_chunk(r, m, NULL, n, out, cap, out_len);
}
