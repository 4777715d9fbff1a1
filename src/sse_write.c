/*
 * text/event-stream writer: one event as bytes the parser (any WHATWG
 * parser) reads back as the same event.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"
#include "wsx_http.h"

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

ptrdiff_t wsx_sse_write(const wsx_sse_msg *m, uint8_t *out, size_t cap)
{
    wsx__wbuf w;
    if (!m || (m->type_len && !m->type) || (m->id_len && !m->id) ||
        (m->data_len && !m->data) || (m->comment_len && !m->comment))
        return WSX_E_ARG;
    /* An id or type with a line break would end the line early; NUL in an
     * id makes clients ignore it (spec: "If the field value does not
     * contain U+0000 NULL"). */
    if ((m->type && !wsx__sse_field_ok(m->type, m->type_len)) ||
        (m->id && !wsx__sse_field_ok(m->id, m->id_len)))
        return WSX_E_SSE_FIELD;
    wsx__wbuf_init(&w, out, cap);
    wsx__sse_write_msg(&w, m);
    return wsx__wbuf_result(&w);
}

/* An event made of one comment (data NULL) or of one data value. */
WSX__NOINLINE static ptrdiff_t write_one(const char *comment, const char *data, size_t len,
                                             uint8_t *out, size_t cap)
{
    wsx_sse_msg m;
    wsx_sse_msg_init(&m);
    m.comment = comment;
    m.data = data;
    if (comment)
        m.comment_len = len;
    else
        m.data_len = len;
    return wsx_sse_write(&m, out, cap);
}

ptrdiff_t wsx_sse_write_done(uint8_t *out, size_t cap)
{
    return write_one(NULL, "[DONE]", 6, out, cap); /* WSX_SSE_DONE */
}

ptrdiff_t wsx_sse_write_keepalive(uint8_t *out, size_t cap)
{
    return wsx_sse_write_comment("keep-alive", 10, out, cap); /* WSX_SSE_KEEPALIVE */
}

ptrdiff_t wsx_sse_write_comment(const char *text, size_t len, uint8_t *out, size_t cap)
{
    if (!text) {
        if (len)
            return WSX_E_ARG;
        text = ""; /* ": \n\n", an empty comment */
    }
    return write_one(text, NULL, len, out, cap);
}

/* One HTTP/1.1 chunk (RFC 9112 section 7.1): "<hex len>\r\n", the
 * payload, "\r\n"; len 0 gives the last chunk "0\r\n\r\n".  The payload
 * is m as wsx_sse_write gives it (len bytes), or bytes when m is NULL. */
static ptrdiff_t put_chunk(const wsx_sse_msg *m, const void *bytes, size_t len, uint8_t *out,
                           size_t cap)
{
    wsx__wbuf w;
    wsx__wbuf_init(&w, out, cap);
    wsx__wbuf_hex(&w, (uint64_t)len);
    wsx__wbuf_put(&w, "\r\n", 2);
    if (m)
        wsx__sse_write_msg(&w, m);
    else
        wsx__wbuf_put(&w, bytes, len);
    wsx__wbuf_put(&w, "\r\n", 2);
    return wsx__wbuf_result(&w);
}

ptrdiff_t wsx_sse_write_chunk(const void *bytes, size_t len, uint8_t *out, size_t cap)
{
    if (len && !bytes)
        return WSX_E_ARG;
    return put_chunk(NULL, bytes, len, out, cap);
}

ptrdiff_t wsx_sse_write_chunked(const wsx_sse_msg *m, uint8_t *out, size_t cap)
{
    ptrdiff_t n = wsx_sse_write(m, NULL, 0);
    if (n < 0)
        return n;
    return put_chunk(m, NULL, (size_t)n, out, cap);
}
