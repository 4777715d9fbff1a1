/* Private: the bounded output cursor every wsx writer uses (handshakes, SSE
 * heads, events, requests, chunk headers).  Not installed. */
#ifndef WSX_WBUF_H
#define WSX_WBUF_H

#include <stddef.h>
#include <stdint.h>

#include "wsx_base.h"

/* Bytes go to out[0..cap); n counts every byte put, written or not, so a
 * writer runs once and then learns whether it fitted.  With out == NULL it
 * only counts (a size query).  A count that would pass SIZE_MAX stops
 * there: the writer fails with WSX_E_LIMIT. */
typedef struct wsx__wbuf {
    uint8_t *out;
    size_t cap, n;
    /* When set (after wsx__wbuf_start), every byte goes to sink instead of
     * out, as it is put: a writer's bytes streamed somewhere else (an SSE
     * event into a compressor, sse_gzip.c) without a copy of them all. */
    void (*sink)(struct wsx__wbuf *w, const void *p, size_t k);
    void *sink_ctx;
} wsx__wbuf;

/* A string literal and its length, for the calls below. */
#define WSX__LIT(s) (s), (sizeof(s) - 1)

/* The start of a writer of API rule 2 (wsx_base.h): w set to put bytes
 * into out[0..cap) (none put yet); WSX_E_ARG if out_len is NULL, else
 * *out_len = 0 and WSX_OK. */
int wsx__wbuf_start(wsx__wbuf *w, void *out, size_t cap, size_t *out_len);
void wsx__wbuf_put(wsx__wbuf *w, const void *p, size_t k);
void wsx__wbuf_str(wsx__wbuf *w, const char *s);
/* decimal digits of v */
void wsx__wbuf_u64(wsx__wbuf *w, uint64_t v);
/* lower-case hex digits of v, no leading zeros ("0" for 0) */
void wsx__wbuf_hex(wsx__wbuf *w, uint64_t v);
/* "name: value\r\n" */
void wsx__wbuf_field(wsx__wbuf *w, const char *name, size_t name_len, const void *value,
                     size_t value_len);
/* "name: value\r\n" for each of h[0..n), checked first (rule 8 of
 * wsx_base.h): WSX_OK, WSX_E_HTTP_HEADER_NAME for a name that is not a
 * token, WSX_E_HTTP_HEADER_VALUE for a value that is not a field value,
 * WSX_E_ARG for h NULL with n > 0.  The fields before a bad one are put. */
int wsx__wbuf_headers(wsx__wbuf *w, const wsx_header *h, size_t n);
/* The end of a writer of API rule 2 (wsx_base.h), whose out and cap went to
 * wsx__wbuf_start and whose out_len is not NULL:
 *   WSX_OK        the bytes are in out, *out_len = n; also for a size
 *                 query (out NULL, cap 0): nothing written, *out_len = n;
 *   WSX_E_BUFFER  n > cap: *out_len = n, the size needed;
 *   WSX_E_ARG     out NULL with cap > 0 (*out_len 0);
 *   WSX_E_LIMIT   the count reached SIZE_MAX (*out_len 0). */
int wsx__wbuf_done(const wsx__wbuf *w, size_t *out_len);

#endif
