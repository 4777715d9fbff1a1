/* Private helpers shared by the SSE sources (not installed). */
#ifndef WSX_SSE_INTERNAL_H
#define WSX_SSE_INTERNAL_H

#include "wsx_sse.h"
#include "wbuf.h"

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

/* 1 if s[0..n) has no CR, LF or NUL */
int wsx__sse_field_ok(const char *s, size_t n);
/* the event, unchecked */
void wsx__sse_write_msg(wsx__wbuf *w, const wsx_sse_msg *m);
/* "name: value\r\n" after checking both (WSX_E_HTTP_HEADER_NAME/_VALUE) */
int wsx__sse_put_header(wsx__wbuf *w, const wsx_sse_header *h);

#endif
