/* Header lookup and list helpers (RFC 9110 sections 5.3, 5.6.1) and the
 * response body framing decision (RFC 9112 section 6.3). */
#include <string.h>

#include "wsx_http.h"
#include "http_chars.h"

int wsx__http_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;
    if (alen != blen)
        return 0;
    for (i = 0; i < alen; i++)
        if (wsx_http_lower(a[i]) != wsx_http_lower(b[i]))
            return 0;
    return 1;
}

int wsx_http_name_eq(const char *name, size_t len, const char *want)
{
    if (!name || !want)
        return 0;
    return wsx__http_eq_nocase(name, len, want, strlen(want));
}

const wsx_http_header *wsx_http_header_next(const wsx_http_header *headers, size_t n,
                                            const char *name,
                                            const wsx_http_header *after)
{
    size_t i = after ? (size_t)(after - headers) + 1 : 0;
    size_t want;
    if (!headers || !name)
        return NULL;
    want = strlen(name);
    for (; i < n; i++)
        if (wsx__http_eq_nocase(headers[i].name, headers[i].name_len, name, want))
            return &headers[i];
    return NULL;
}

size_t wsx_http_header_count(const wsx_http_header *headers, size_t n, const char *name)
{
    const wsx_http_header *h = NULL;
    size_t count = 0;
    while ((h = wsx_http_header_next(headers, n, name, h)) != NULL)
        count++;
    return count;
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* End of the element starting at p: the first ',' outside a quoted-string
 * (RFC 9110 section 5.6.4, with quoted-pair escapes), or end. */
static const char *element_end(const char *p, const char *end)
{
    int quoted = 0;
    for (; p < end; p++) {
        if (quoted) {
            if (*p == '\\' && p + 1 < end)
                p++;
            else if (*p == '"')
                quoted = 0;
        } else if (*p == '"') {
            quoted = 1;
        } else if (*p == ',') {
            break;
        }
    }
    return p;
}

int wsx_http_list_next(const char **pos, const char *end, const char **item,
                       size_t *item_len)
{
    const char *p, *e;
    if (!pos || !*pos || !end)
        return 0;
    p = *pos;
    for (;;) {
        while (p < end && (is_ows(*p) || *p == ','))
            p++;
        if (p >= end) {
            *pos = end;
            return 0;
        }
        e = element_end(p, end);
        *pos = e;
        while (e > p && is_ows(e[-1]))
            e--;
        if (e > p)
            break;
        p = *pos;
    }
    *item = p;
    *item_len = (size_t)(e - p);
    return 1;
}

int wsx_http_list_has(const char *value, size_t len, const char *token)
{
    const char *pos = value, *item;
    size_t item_len, want;
    if (!value || !token)
        return 0;
    want = strlen(token);
    while (wsx_http_list_next(&pos, value + len, &item, &item_len))
        if (wsx__http_eq_nocase(item, item_len, token, want))
            return 1;
    return 0;
}

int wsx_http_headers_have_token(const wsx_http_header *headers, size_t n,
                                const char *name, const char *token)
{
    const wsx_http_header *h = NULL;
    while ((h = wsx_http_header_next(headers, n, name, h)) != NULL)
        if (wsx_http_list_has(h->value, h->value_len, token))
            return 1;
    return 0;
}

/* Content-Length = 1*DIGIT; a list of equal values is tolerated (RFC 9112
 * section 6.3 item 5).  Returns WSX_OK with *length, or WSX_E_HTTP_SYNTAX. */
static int content_length(const wsx_http_header *headers, size_t n, uint64_t *length)
{
    const wsx_http_header *h = NULL;
    int seen = 0;
    while ((h = wsx_http_header_next(headers, n, "Content-Length", h)) != NULL) {
        const char *pos = h->value, *item;
        size_t item_len, i;
        int any = 0;
        while (wsx_http_list_next(&pos, h->value + h->value_len, &item, &item_len)) {
            uint64_t v = 0;
            for (i = 0; i < item_len; i++) {
                if (!wsx_http_is_digit(item[i]) || v > (UINT64_MAX - 9) / 10)
                    return WSX_E_HTTP_SYNTAX;
                v = v * 10 + (uint64_t)(item[i] - '0');
            }
            if (seen && v != *length)
                return WSX_E_HTTP_SYNTAX;
            *length = v;
            seen = any = 1;
        }
        if (!any)
            return WSX_E_HTTP_SYNTAX;
    }
    return seen ? WSX_OK : 1;
}

/* 1 if the last coding over all Transfer-Encoding lines is chunked. */
static int last_coding_chunked(const wsx_http_header *headers, size_t n)
{
    const wsx_http_header *h = NULL;
    const char *last = NULL;
    size_t last_len = 0;
    while ((h = wsx_http_header_next(headers, n, "Transfer-Encoding", h)) != NULL) {
        const char *pos = h->value, *item;
        size_t item_len;
        while (wsx_http_list_next(&pos, h->value + h->value_len, &item, &item_len)) {
            last = item;
            last_len = item_len;
        }
    }
    return last && wsx__http_eq_nocase(last, last_len, "chunked", 7);
}

int wsx_http_response_body(const wsx_http_response *res, int request_was_head,
                           uint64_t *length)
{
    int has_te, r;
    uint64_t len = 0;
    if (!res || !length)
        return WSX_E_ARG;
    if (request_was_head || res->status < 200 || res->status == 204 ||
        res->status == 304)
        return WSX_HTTP_BODY_NONE;
    has_te = wsx_http_header_next(res->headers, res->num_headers,
                                  "Transfer-Encoding", NULL) != NULL;
    r = content_length(res->headers, res->num_headers, &len);
    if (r < 0 || (has_te && r == WSX_OK))
        return WSX_E_HTTP_SYNTAX;
    if (has_te)
        return last_coding_chunked(res->headers, res->num_headers)
                   ? WSX_HTTP_BODY_CHUNKED : WSX_HTTP_BODY_CLOSE;
    if (r == WSX_OK) {
        *length = len;
        return WSX_HTTP_BODY_LENGTH;
    }
    return WSX_HTTP_BODY_CLOSE;
}
