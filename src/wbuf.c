/* The bounded output cursor shared by every writer: see wbuf.h. */
#include <string.h>

#include "wsx_internal.h"
#include "wbuf.h"
#include "http_chars.h"

int wsx__wbuf_start(wsx__wbuf *w, void *out, size_t cap, size_t *out_len)
{
    w->out = (uint8_t *)out;
    w->cap = cap;
    w->n = 0;
    w->sink = NULL;
    w->sink_ctx = NULL;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    return WSX_OK;
}

void wsx__wbuf_put(wsx__wbuf *w, const void *p, size_t k)
{
    size_t n = w->n;
    if (k > (size_t)-1 - n) {
        w->n = (size_t)-1; /* the count stops at SIZE_MAX: WSX_E_LIMIT */
        return;
    }
    if (w->sink)
        w->sink(w, p, k);
    else if (w->out && n + k <= w->cap && k)
        memcpy(w->out + n, p, k);
    w->n = n + k;
}

void wsx__wbuf_str(wsx__wbuf *w, const char *s) { wsx__wbuf_put(w, s, strlen(s)); }

#ifdef WSX_SMALL
/* *v / 10 into *v, the remainder returned: long division one bit at a
 * time (the dividend's bits leave at the top as the quotient's come in at
 * the bottom), so a 32-bit target links no 64-bit division helper. */
static unsigned div10(uint64_t *v)
{
    uint64_t x = *v;
    unsigned r = 0, i;
    for (i = 0; i < 64; i++) {
        r = r << 1 | (unsigned)(x >> 63);
        x <<= 1;
        if (r >= 10) {
            r -= 10;
            x |= 1;
        }
    }
    *v = x;
    return r;
}
#endif

void wsx__wbuf_u64(wsx__wbuf *w, uint64_t v)
{
    char d[20];
    size_t i = sizeof d;
    do {
#ifdef WSX_SMALL
        d[--i] = (char)('0' + div10(&v));
#else
        d[--i] = (char)('0' + v % 10);
        v /= 10;
#endif
    } while (v);
    wsx__wbuf_put(w, d + i, sizeof d - i);
}

void wsx__wbuf_hex(wsx__wbuf *w, uint64_t v)
{
    char d[16];
    size_t i = sizeof d;
    do {
        unsigned digit = (unsigned)(v & 15);
        d[--i] = (char)(digit + (digit < 10 ? '0' : 'a' - 10));
        v >>= 4;
    } while (v);
    wsx__wbuf_put(w, d + i, sizeof d - i);
}

void wsx__wbuf_field(wsx__wbuf *w, const char *name, size_t name_len, const void *value,
                     size_t value_len)
{
    wsx__wbuf_put(w, name, name_len);
    wsx__wbuf_put(w, ": ", 2);
    wsx__wbuf_put(w, value, value_len);
    wsx__wbuf_put(w, "\r\n", 2);
}

int wsx__wbuf_headers(wsx__wbuf *w, const wsx_header *h, size_t n)
{
    if (n && !h)
        return WSX_E_ARG;
    for (; n; n--, h++) {
        if (!wsx__http_is_token(h->name, h->name_len))
            return WSX_E_HTTP_HEADER_NAME;
        if (!wsx__http_is_field_value(h->value, h->value_len))
            return WSX_E_HTTP_HEADER_VALUE;
        wsx__wbuf_field(w, h->name, h->name_len, h->value, h->value_len);
    }
    return WSX_OK;
}

int wsx__wbuf_done(const wsx__wbuf *w, size_t *out_len)
{
    size_t n = w->n;
    int r = WSX_OK;
    if (n == (size_t)-1)
        r = WSX_E_LIMIT;
    else if (!w->out)
        r = w->cap ? WSX_E_ARG : WSX_OK; /* cap 0: a size query */
    else if (n > w->cap)
        r = WSX_E_BUFFER;
    *out_len = r == WSX_OK || r == WSX_E_BUFFER ? n : 0;
    return r;
}
