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

/* 1 if s[0..n) has no CR, LF or NUL (s may be NULL when n is 0) */
int wsx__sse_field_ok(const char *s, size_t n);
/* the event, unchecked */
void wsx__sse_write_msg(wsx__wbuf *w, const wsx_sse_msg *m);
/* "text/event-stream\r\nCache-Control: no-cache\r\n": the media type (its
 * first WSX__SSE_TYPE_LEN bytes) and the no-cache line, which the response
 * head, the request and the Content-Type check share (sse_server.c). */
extern const char wsx__sse_type_no_cache[];
#define WSX__SSE_TYPE_LEN 17
/* "Content-Type: text/plain; charset=utf-8", Content-Length, the empty
 * line and a body of text and LF: the end of a refusal (sse_refusal.c). */
void wsx__sse_put_text_body(wsx__wbuf *w, const char *text);

#endif
