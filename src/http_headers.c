/* Header lookup and list helpers (RFC 9110 sections 5.3, 5.6.1) and the
 * response body framing decision (RFC 9112 section 6.3). */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_http.h"
#include "http_chars.h"

#ifndef WSX_SMALL
/* w with the bytes 'A'..'Z' in lower case: a byte's bit 7 after adding
 * says whether its low 7 bits reach 'A' (and pass 'Z'); bytes >= 0x80 stay. */
static uint64_t lower8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t low7 = w & ~highs;
    uint64_t upper = (low7 + (0x80 - 'A') * ones) & ~(low7 + (0x7F - 'Z') * ones) & ~w & highs;
    return w | upper >> 2; /* 0x80 >> 2 is the case bit */
}

static uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}
#endif

int wsx__http_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;
    if (alen != blen)
        return 0;
#ifndef WSX_SMALL
    if (alen >= 8) { /* eight bytes at a time, the last eight overlapping */
        for (; alen - i > 8; i += 8) {
            uint64_t x = load8(a + i), y = load8(b + i);
            if (x != y && lower8(x) != lower8(y))
                return 0;
        }
        a += alen - 8;
        b += alen - 8;
        return load8(a) == load8(b) || lower8(load8(a)) == lower8(load8(b));
    }
#endif
    for (; i < alen; i++) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        /* Equal, or the same letter in the other case ('a' ^ 'A' == 0x20). */
        if (x != y && ((x ^ y) != 0x20 || (x | 0x20) - 'a' > 'z' - 'a'))
            return 0;
    }
    return 1;
}

int wsx_http_name_eq(const char *name, size_t len, const char *want)
{
    if (!name || !want)
        return 0;
    return wsx__http_eq_nocase(name, len, want, strlen(want));
}

const wsx_header *wsx_http_header_next(const wsx_header *headers, size_t n, const char *name,
                                       const wsx_header *after)
{
    const wsx_header *h = after ? after + 1 : headers;
    size_t name_len;
    if (!headers || !name)
        return NULL;
    /* the name's length once, and compared first: most names differ in it */
    name_len = strlen(name);
    for (; h < headers + n; h++)
        if (h->name_len == name_len && h->name &&
            wsx__http_eq_nocase(h->name, name_len, name, name_len))
            return h;
    return NULL;
}

size_t wsx_http_header_count(const wsx_header *headers, size_t n, const char *name)
{
    const wsx_header *h = NULL;
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
        if (*p == '"')
            quoted = !quoted;
        else if (quoted && *p == '\\' && p + 1 < end)
            p++;
        else if (!quoted && *p == ',')
            break;
    }
    return p;
}

int wsx_http_list_next(const char **pos, const char *end, const char **item, size_t *item_len)
{
    const char *p, *e;
    if (!pos || !*pos || !item || !item_len)
        return 0; /* (a NULL end is before any *pos: no element) */
    p = *pos;
    while (p < end && (is_ows(*p) || *p == ','))
        p++;
    if (p >= end) {
        *pos = end;
        return 0;
    }
    /* *p is neither OWS nor ',': the element is not empty, and trimming
     * its trailing OWS stops at p + 1 at the latest. */
    e = element_end(p, end);
    *pos = e;
    while (is_ows(e[-1]))
        e--;
    *item = p;
    *item_len = (size_t)(e - p);
    return 1;
}

int wsx_http_list_has(const char *value, size_t len, const char *token)
{
    const char *pos = value, *item;
    size_t item_len;
    if (!value)
        return 0;
    while (wsx_http_list_next(&pos, value + len, &item, &item_len))
        if (wsx_http_name_eq(item, item_len, token)) /* (NULL token: 0) */
            return 1;
    return 0;
}

int wsx_http_headers_have_token(const wsx_header *headers, size_t n, const char *name,
                                const char *token)
{
    const wsx_header *h = NULL;
    while ((h = wsx_http_header_next(headers, n, name, h)) != NULL)
        if (wsx_http_list_has(h->value, h->value_len, token))
            return 1;
    return 0;
}

/* Content-Length = 1*DIGIT (RFC 9112 section 6.3 item 5): the value of
 * item[0..n) in *v, or WSX_E_HTTP_SYNTAX (not digits, or over
 * UINT64_MAX - 6: the last step may add 9). */
static int parse_length(const char *item, size_t n, uint64_t *v)
{
    size_t i;
    *v = 0;
    for (i = 0; i < n; i++) {
        unsigned digit = (unsigned)(unsigned char)item[i] - '0';
        if (digit > 9 || *v > (UINT64_MAX - 9) / 10)
            return WSX_E_HTTP_SYNTAX;
        *v = *v * 10 + digit;
    }
    return WSX_OK;
}

/* One pass over the headers (RFC 9112 section 6.3): every Content-Length
 * element must be valid and all of them equal (a list of equal values is
 * tolerated, item 5); with Transfer-Encoding, the last coding over all its
 * lines decides. */
int wsx_http_response_body(const wsx_http_response *res, int request_was_head, uint64_t *length)
{
    const wsx_header *h, *end;
    const char *last = NULL; /* last Transfer-Encoding coding */
    size_t last_len = 0;
    int has_te = 0, has_length = 0;
    uint64_t len = 0;
    if (!res || !length)
        return WSX_E_ARG;
    if (request_was_head || res->status < 200 || res->status == 204 || res->status == 304)
        return WSX_HTTP_BODY_NONE;
    h = res->headers;
    end = h ? h + res->num_headers : h;
    for (; h < end; h++) {
        const char *pos = h->value, *item;
        size_t item_len;
        int te = wsx_http_name_eq(h->name, h->name_len, "Transfer-Encoding"), any = 0;
        if (!te && !wsx_http_name_eq(h->name, h->name_len, "Content-Length"))
            continue;
        has_te |= te;
        while (wsx_http_list_next(&pos, h->value + h->value_len, &item, &item_len)) {
            uint64_t v;
            any = 1;
            if (te) {
                last = item;
                last_len = item_len;
            } else if (parse_length(item, item_len, &v) < 0 || (has_length && v != len)) {
                return WSX_E_HTTP_SYNTAX;
            } else {
                len = v;
                has_length = 1;
            }
        }
        if (!te && !any)
            return WSX_E_HTTP_SYNTAX; /* an empty Content-Length */
    }
    /* Both: a likely smuggling attempt, an error (section 6.3 item 3). */
    if (has_te)
        return has_length                                                  ? WSX_E_HTTP_SYNTAX
               : last && wsx__http_eq_nocase(last, last_len, "chunked", 7) ? WSX_HTTP_BODY_CHUNKED
                                                                           : WSX_HTTP_BODY_CLOSE;
    if (!has_length)
        return WSX_HTTP_BODY_CLOSE;
    *length = len;
    return WSX_HTTP_BODY_LENGTH;
}
