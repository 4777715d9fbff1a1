/*
 * Accept-Encoding (RFC 9110 section 12.5.3): may a response be gzip'd?
 */
#include "wsx_internal.h"
#include "wsx_http.h"

#include "http_chars.h"

#define WEIGHT_BAD (-1)      /* a malformed element: ignored */
#define WEIGHT_UNLISTED (-2) /* no element for the coding */

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static const char *skip_ows(const char *p, const char *end)
{
    while (p < end && is_ows(*p))
        p++;
    return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110
 * section 12.4.2), in thousandths; WEIGHT_BAD otherwise. */
static int qvalue(const char *v, size_t n)
{
    static const int scale[3] = {100, 10, 1};
    int q;
    size_t i;
    if (n == 0 || n > 5 || (v[0] != '0' && v[0] != '1') || (n > 1 && v[1] != '.'))
        return WEIGHT_BAD;
    q = (v[0] - '0') * 1000;
    for (i = 2; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)v[i] - '0';
        if (d > 9 || (q == 1000 && d != 0))
            return WEIGHT_BAD;
        q += (int)d * scale[i - 2];
    }
    return q;
}

/* One element of the list, item[0..n): "coding *( OWS ; OWS name = value )".
 * Its coding's length goes to *coding_len; returns its weight (1000 when
 * it has no q parameter; the name q is case-insensitive, other parameters
 * are skipped) or WEIGHT_BAD. */
static int element_weight(const char *item, size_t n, size_t *coding_len)
{
    const char *p = item, *end = item + n;
    int q = 1000;
    while (p < end && wsx__http_is_tchar(*p))
        p++;
    *coding_len = (size_t)(p - item);
    if (*coding_len == 0)
        return WEIGHT_BAD;
    for (;;) {
        const char *name, *value;
        size_t name_len;
        p = skip_ows(p, end);
        if (p == end)
            return q;
        if (*p != ';')
            return WEIGHT_BAD;
        name = p = skip_ows(p + 1, end);
        while (p < end && wsx__http_is_tchar(*p))
            p++;
        name_len = (size_t)(p - name);
        p = skip_ows(p, end);
        if (name_len == 0 || p == end || *p != '=')
            return WEIGHT_BAD;
        value = p = skip_ows(p + 1, end);
        while (p < end && !is_ows(*p) && *p != ';')
            p++;
        if (p == value)
            return WEIGHT_BAD;
        if (name_len == 1 && wsx__http_lower(name[0]) == 'q' &&
            (q = qvalue(value, (size_t)(p - value))) == WEIGHT_BAD)
            return WEIGHT_BAD;
    }
}

/* The weights of gzip (or its alias x-gzip, RFC 9110 section 8.4.1.3),
 * identity and "*" over every Accept-Encoding field line (section 5.3: one
 * list), each from its first well-formed element; WEIGHT_UNLISTED for
 * those with none.  Returns 0 when there is no Accept-Encoding at all. */
static int weights(const wsx_header *headers, size_t n, int *gzip, int *identity, int *star)
{
    const wsx_header *h = NULL;
    int seen = 0;
    *gzip = *identity = *star = WEIGHT_UNLISTED;
    while ((h = wsx_http_header_next(headers, n, "Accept-Encoding", h)) != NULL) {
        const char *pos = h->value, *item;
        size_t item_len, len;
        seen = 1;
        while (h->value && wsx_http_list_next(&pos, h->value + h->value_len, &item, &item_len)) {
            int q = element_weight(item, item_len, &len), *slot = NULL;
            if (q == WEIGHT_BAD)
                continue;
            if (wsx__http_eq_nocase(item, len, "gzip", 4) ||
                wsx__http_eq_nocase(item, len, "x-gzip", 6))
                slot = gzip;
            else if (wsx__http_eq_nocase(item, len, "identity", 8))
                slot = identity;
            else if (len == 1 && item[0] == '*')
                slot = star;
            if (slot && *slot == WEIGHT_UNLISTED)
                *slot = q;
        }
    }
    return seen;
}

int wsx_http_accepts_gzip(const wsx_header *headers, size_t n)
{
    int gzip, identity, star;
    if (!headers || !weights(headers, n, &gzip, &identity, &star))
        return 0; /* no Accept-Encoding: see wsx_http.h */
    if (gzip == WEIGHT_UNLISTED)
        gzip = star; /* "*" covers the codings not listed */
    if (identity == WEIGHT_UNLISTED)
        identity = star;
    /* q = 0: "not acceptable"; identity preferred outright: not gzip */
    return gzip > 0 && gzip >= identity;
}
