/*
 * SSE client, sans-I/O: the request, what a response means (WHATWG HTML
 * "Server-sent events", processing model: "fail the connection" vs
 * "reestablish the connection"), and when to try again.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"
#include "wsx_http.h"

#include <stddef.h>
#include <string.h>

#include "sse_internal.h"
#include "http_chars.h"

/* ---- request -------------------------------------------------------- */

/* Non-empty, visible ASCII or UTF-8 bytes, no space or control. */
static int is_visible(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7F)
            return 0;
    }
    return 1;
}

int wsx_sse_request_write(const wsx_sse_request *req, void *out, size_t cap, size_t *out_len)
{
    wsx__wbuf w;
    const char *method;
    int r;
    if (wsx__wbuf_start(&w, out, cap, out_len) || !req || !is_visible(req->target) ||
        !is_visible(req->host))
        return WSX_E_ARG;
    method = req->method ? req->method : (req->body ? "POST" : "GET");
    if (!wsx__http_is_token(method, strlen(method)) || (req->num_headers && !req->headers) ||
        (req->body_len && !req->body) || (req->last_id_len && !req->last_id))
        return WSX_E_ARG;
    /* API rule 8: an id from the parser may hold control characters (not
     * CR, LF, NUL) or end in a space; those cannot be sent as they are. */
    if (!wsx__http_is_field_value(req->last_id, req->last_id_len))
        return WSX_E_HTTP_HEADER_VALUE;
    wsx__wbuf_str(&w, method);
    wsx__wbuf_put(&w, " ", 1);
    wsx__wbuf_str(&w, req->target);
    wsx__wbuf_str(&w, " HTTP/1.1\r\nHost: ");
    wsx__wbuf_str(&w, req->host);
    wsx__wbuf_str(&w, "\r\nAccept: ");
    wsx__wbuf_str(&w, wsx__sse_type_no_cache);
    /* Sent as the UTF-8 bytes it arrived as (the spec encodes the last
     * event ID string as UTF-8; non-ASCII never stops a reconnect). */
    if (req->last_id_len)
        wsx__wbuf_field(&w, "Last-Event-ID", 13, req->last_id, req->last_id_len);
    if (req->accept_gzip)
        wsx__wbuf_str(&w, "Accept-Encoding: gzip\r\n");
    r = wsx__wbuf_headers(&w, req->headers, req->num_headers);
    if (r)
        return r;
    if (req->body) {
        wsx__wbuf_str(&w, "Content-Length: ");
        wsx__wbuf_u64(&w, (uint64_t)req->body_len);
        wsx__wbuf_put(&w, "\r\n", 2);
    }
    wsx__wbuf_put(&w, "\r\n", 2);
    if (req->body)
        wsx__wbuf_put(&w, req->body, req->body_len);
    return wsx__wbuf_done(&w, out_len);
}

/* ---- response ------------------------------------------------------- */

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* The media type of a Content-Type value is text/event-stream (RFC 9110
 * 8.3.1: type and subtype are case-insensitive; parameters may follow). */
static int is_event_stream(const char *v, size_t n)
{
    const char *end = v + n;
    while (v < end && is_ows(*v))
        v++;
    if ((size_t)(end - v) < WSX__SSE_TYPE_LEN ||
        !wsx__http_eq_nocase(v, WSX__SSE_TYPE_LEN, wsx__sse_type_no_cache, WSX__SSE_TYPE_LEN))
        return 0;
    for (v += WSX__SSE_TYPE_LEN; v < end && is_ows(*v); v++)
        ;
    return v == end || *v == ';';
}

/* The content codings so far (0 none, 1 one gzip, -1 refused) after one
 * more Content-Encoding value v[0..n): identity is no coding; gzip (or
 * x-gzip) once is the one coding wsx reads; anything else, or gzip twice,
 * is refused. */
static int add_codings(const char *v, size_t n, int gzip)
{
    const char *pos = v, *item;
    size_t len;
    while (v && wsx_http_list_next(&pos, v + n, &item, &len)) {
        if (wsx__http_eq_nocase(item, len, "identity", 8))
            continue;
        if (gzip || !(wsx__http_eq_nocase(item, len, "gzip", 4) ||
                      wsx__http_eq_nocase(item, len, "x-gzip", 6)))
            return -1;
        gzip = 1;
    }
    return gzip;
}

static const char content_encoding[] = "content-encoding";

int wsx_sse_response_gzip(const wsx_header *headers, size_t n)
{
    int gzip = 0;
    for (; headers && n; n--, headers++)
        if (wsx_http_name_eq(headers->name, headers->name_len, content_encoding))
            gzip = add_codings(headers->value, headers->value_len, gzip);
    return gzip == 1;
}

/* What a response means (see wsx_sse_check_response) from its status and
 * the first Content-Type and Location among its n headers. */
static int check(int status, const wsx_header *headers, size_t n, const char **location,
                 size_t *location_len)
{
    const char *ct = NULL, *loc = NULL;
    size_t ct_len = 0, loc_len = 0;
    int coding = 0, retry_after = 0;
    if (n && !headers)
        return WSX_E_ARG;
    for (; n; n--, headers++) {
        wsx_header h = *headers;
        if (!h.value)
            h.value = "";
        if (!ct && wsx_http_name_eq(h.name, h.name_len, "content-type")) {
            ct = h.value;
            ct_len = h.value_len;
        } else if (!loc && wsx_http_name_eq(h.name, h.name_len, "location")) {
            loc = h.value;
            loc_len = h.value_len;
        } else if (wsx_http_name_eq(h.name, h.name_len, content_encoding)) {
            coding = add_codings(h.value, h.value_len, coding);
        } else if (wsx_http_name_eq(h.name, h.name_len, "retry-after")) {
            retry_after = 1;
        }
    }
    if (status == 200 && !(ct && is_event_stream(ct, ct_len)))
        return WSX_E_SSE_CONTENT_TYPE;
    if (status == 200)
        return coding < 0 ? WSX_E_SSE_CONTENT_ENCODING : WSX_OK;
    if (status == 204) /* "HTTP 204 No Content ... prevent the user agent from reconnecting" */
        return WSX_E_SSE_NO_CONTENT;
    if (status == 401 || status == 403)
        return status == 401 ? WSX_E_SSE_UNAUTHORIZED : WSX_E_SSE_FORBIDDEN;
    /* RFC 9110 section 10.2.3: with 429 or 503, how long to wait */
    if ((status == 429 || status == 503) && retry_after)
        return WSX_E_SSE_RETRY_LATER;
    /* 301, 302, 303, 307, 308 with a non-empty Location (loc_len is only
     * non-zero when one was found) */
    if (((unsigned)(status - 301) <= 2 || (unsigned)(status - 307) <= 1) && loc_len) {
        if (location)
            *location = loc;
        if (location_len)
            *location_len = loc_len;
        return WSX_E_SSE_REDIRECT;
    }
    return WSX_E_SSE_STATUS;
}

int wsx_sse_check_response(int status, const wsx_header *headers, size_t n, const char **location,
                           size_t *location_len)
{
    return check(status, headers, n, location, location_len);
}

int wsx_sse_check_http_response(const struct wsx_http_response *res, const char **location,
                                size_t *location_len)
{
    if (!res)
        return WSX_E_ARG;
    return check(res->status, res->headers, res->num_headers, location, location_len);
}

const char *wsx_sse_redirect_method(int status, const char *method)
{
    if (!method || (status == 303 && strcmp(method, "HEAD") != 0) ||
        ((status == 301 || status == 302) && strcmp(method, "POST") == 0))
        return "GET";
    return method;
}

/* ---- reconnection timing -------------------------------------------- */

void wsx_sse_backoff_init(wsx_sse_backoff *b)
{
    if (!b)
        return;
    b->retry_ms = WSX_SSE_RETRY_DEFAULT_MS;
    b->max_ms = WSX_SSE_BACKOFF_MAX_MS;
    b->_failures = 0;
}

void wsx_sse_backoff_set_retry(wsx_sse_backoff *b, uint32_t retry_ms)
{
    if (b)
        b->retry_ms = retry_ms;
}

void wsx_sse_backoff_opened(wsx_sse_backoff *b)
{
    if (b)
        b->_failures = 0;
}

uint32_t wsx_sse_backoff_delay(const wsx_sse_backoff *b, uint32_t random32)
{
    uint32_t d, cap, f, jitter;
    if (!b)
        return 0;
    d = b->retry_ms;
    cap = b->max_ms > d ? b->max_ms : d;
    if (b->_failures && d < 1000)
        d = 1000;
    for (f = 0; f < b->_failures && d < cap; f++)
        d = d > cap / 2 ? cap : d * 2;
    if (d > cap)
        d = cap;
    /* jitter: + d * random / 2^33, i.e. 0 to just under 50% */
    jitter = (uint32_t)(((uint64_t)d * random32) >> 33);
    return d > 0xFFFFFFFFu - jitter ? 0xFFFFFFFFu : d + jitter;
}

uint64_t wsx_sse_backoff_next(wsx_sse_backoff *b, uint64_t now_ms, uint32_t random32)
{
    uint64_t at;
    if (!b)
        return 0;
    at = now_ms + wsx_sse_backoff_delay(b, random32);
    if (b->_failures < 0xFFFFFFFFu)
        b->_failures++;
    return at < now_ms ? UINT64_MAX : at; /* saturate */
}
