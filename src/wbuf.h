/* Private: the bounded output cursor every wsx writer uses (handshakes, SSE
 * heads, events, requests).  Not installed. */
#ifndef WSX_WBUF_H
#define WSX_WBUF_H

#include <stddef.h>
#include <stdint.h>

/* Bytes go to out[0..cap); n counts every byte put, written or not, so a
 * writer runs once and then learns whether it fitted.  With out == NULL it
 * only counts (a size query). */
typedef struct wsx__wbuf {
    uint8_t *out;
    size_t cap, n;
    int overflow; /* n itself overflowed */
} wsx__wbuf;

/* A string literal and its length, for the calls below. */
#define WSX__LIT(s) s, (sizeof s - 1)

void wsx__wbuf_init(wsx__wbuf *w, void *out, size_t cap);
void wsx__wbuf_put(wsx__wbuf *w, const void *p, size_t k);
void wsx__wbuf_str(wsx__wbuf *w, const char *s);
/* decimal digits of v */
void wsx__wbuf_u64(wsx__wbuf *w, uint64_t v);
/* "name: value\r\n" */
void wsx__wbuf_field(wsx__wbuf *w, const char *name, size_t name_len, const void *value,
                     size_t value_len);
/* bytes written (or needed when out is NULL), WSX_E_BUFFER when they did
 * not fit, WSX_E_LIMIT when the count itself overflowed */
ptrdiff_t wsx__wbuf_result(const wsx__wbuf *w);

#endif
