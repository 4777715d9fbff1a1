/*
 * Refusals of a stream request with the status and the header HTTP asks
 * for (RFC 9110 section 15): 401 + WWW-Authenticate, 403, 405 + Allow,
 * 429 and 503 + Retry-After.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

#include <string.h>

#include "sse_internal.h"
#include "http_chars.h"

/* "status reason" of each refusal, NUL-separated, then an empty one. */
static const char status_lines[] = "401 Unauthorized\0"
                                   "403 Forbidden\0"
                                   "405 Method Not Allowed\0"
                                   "429 Too Many Requests\0"
                                   "503 Service Unavailable\0";

void wsx__sse_put_text_body(wsx__wbuf *w, const char *text)
{
    size_t len = strlen(text);
    wsx__wbuf_str(w, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    wsx__wbuf_u64(w, (uint64_t)len + 1);
    wsx__wbuf_put(w, "\r\n\r\n", 4);
    wsx__wbuf_put(w, text, len);
    wsx__wbuf_put(w, "\n", 1);
}

/* The status line's "status reason" for status, or NULL. */
static const char *find_status(int status)
{
    const char *s;
    for (s = status_lines; *s; s += strlen(s) + 1)
        if ((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0') == status)
            return s;
    return NULL;
}

/* The field its status asks for, or 0 for none; WSX_E_ARG when a required
 * one is missing. */
static int put_status_field(wsx__wbuf *w, const wsx_sse_refusal_config *cfg)
{
    const char *name = NULL, *value = NULL;
    if (cfg->status == 401) {
        name = "WWW-Authenticate"; /* RFC 9110 section 11.6.1: MUST */
        value = cfg->challenge;
    } else if (cfg->status == 405) {
        name = "Allow"; /* section 15.5.6: MUST */
        value = cfg->allow;
    } else if (cfg->status != 403 && cfg->retry_after_s) {
        wsx__wbuf_str(w, "Retry-After: ");
        wsx__wbuf_u64(w, cfg->retry_after_s);
        wsx__wbuf_put(w, "\r\n", 2);
        return 0;
    } else {
        return 0;
    }
    if (!value || !*value)
        return WSX_E_ARG;
    if (!wsx__http_is_field_value(value, strlen(value)))
        return WSX_E_HTTP_HEADER_VALUE;
    wsx__wbuf_field(w, name, strlen(name), value, strlen(value));
    return 0;
}

int wsx_sse_refusal(const wsx_sse_refusal_config *cfg, void *out, size_t cap, size_t *out_len)
{
    const char *line;
    wsx__wbuf w;
    int r;
    if (wsx__wbuf_start(&w, out, cap, out_len) || !cfg)
        return WSX_E_ARG;
    line = find_status(cfg->status);
    if (!line)
        return WSX_E_ARG;
    wsx__wbuf_str(&w, "HTTP/1.1 ");
    wsx__wbuf_str(&w, line);
    wsx__wbuf_put(&w, "\r\n", 2);
    r = put_status_field(&w, cfg);
    if (!r)
        r = wsx__wbuf_headers(&w, cfg->headers, cfg->num_headers);
    if (r)
        return r;
    if (cfg->connection_close)
        wsx__wbuf_str(&w, "Connection: close\r\n");
    wsx__sse_put_text_body(&w, line + 4);
    return wsx__wbuf_done(&w, out_len);
}
