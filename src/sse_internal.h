/* Private helpers shared by the SSE sources (not installed). */
#ifndef WSX_SSE_INTERNAL_H
#define WSX_SSE_INTERNAL_H

#include "wsx_sse.h"

/* 1 if n does not fit in 32 bits (never true where size_t is 32-bit; the
 * #if keeps -Wtype-limits quiet there). */
static inline int wsx__sse_over_u32(size_t n)
{
#if SIZE_MAX > 0xFFFFFFFFu
    return n > 0xFFFFFFFFu;
#else
    (void)n;
    return 0;
#endif
}

/* An output cursor: with out == NULL it only counts (size query). */
typedef struct sse_wbuf {
    uint8_t *out;
    size_t cap, n;
    int overflow;
} sse_wbuf;

void wsx__sse_wbuf_put(sse_wbuf *w, const void *p, size_t k);
void wsx__sse_wbuf_str(sse_wbuf *w, const char *s);
void wsx__sse_wbuf_u64(sse_wbuf *w, uint64_t v);
/* bytes written/needed, WSX_E_BUFFER or WSX_E_LIMIT */
ptrdiff_t wsx__sse_wbuf_result(const sse_wbuf *w);
/* 1 if s[0..n) has no CR, LF or NUL */
int wsx__sse_field_ok(const char *s, size_t n);
/* the event, unchecked */
void wsx__sse_write_msg(sse_wbuf *w, const wsx_sse_msg *m);
/* "name: value\r\n" after checking both (WSX_E_HTTP_HEADER_NAME/_VALUE) */
int wsx__sse_put_header(sse_wbuf *w, const wsx_sse_header *h);
/* ASCII case-insensitive equality of a[0..n) and the NUL-terminated b */
int wsx__sse_ieq(const char *a, size_t n, const char *b);

#endif
