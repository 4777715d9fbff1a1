/*
 * Shared by the HTTP fuzz targets: REQUIRE, exact-size heap copies (so ASan
 * catches any read past the bytes given), a pseudo-random chunking plan, a
 * growable text log used to compare outcomes across chunkings, and the
 * chunking oracle that drives a head parser (fz_http_oracle).
 */
#ifndef FUZZ_HTTP_COMMON_H
#define FUZZ_HTTP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"
#include "wsx_internal.h" /* the HTTP line scan's variants */

#include "fuzz_require.h"

static inline char *fz_copy(const uint8_t *p, size_t n)
{
    char *c = (char *)malloc(n ? n : 1);
    REQUIRE(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

/* Next chunk size for mode/param: 0 fixed (param % 32) + 1, 1 pseudo-random
 * 1..64, 2 byte by byte, 3 two pieces split at param * len / 256. */
typedef struct fz_plan {
    unsigned mode, param, rng;
    size_t len, first;
} fz_plan;

static inline void fz_plan_init(fz_plan *pl, uint8_t opt_bits, uint8_t param, size_t len)
{
    pl->mode = opt_bits & 3;
    pl->param = param;
    pl->rng = param * 2654435761u + 1;
    pl->len = len;
    pl->first = 1;
}

static inline size_t fz_next(fz_plan *pl)
{
    size_t n;
    switch (pl->mode) {
    case 0:
        n = pl->param % 32 + 1;
        break;
    case 1:
        pl->rng = pl->rng * 1103515245u + 12345u;
        n = (pl->rng >> 16) % 64 + 1;
        break;
    case 2:
        n = 1;
        break;
    default:
        n = pl->first ? pl->param * pl->len / 256 : pl->len;
        if (n == 0)
            n = 1;
        break;
    }
    pl->first = 0;
    return n;
}

typedef struct fz_log {
    char *p;
    size_t n, cap;
} fz_log;

static inline void fz_add(fz_log *l, const void *s, size_t n)
{
    if (l->n + n + 1 > l->cap) {
        l->cap = (l->n + n + 1) * 2;
        l->p = (char *)realloc(l->p, l->cap);
        REQUIRE(l->p != NULL);
    }
    memcpy(l->p + l->n, s, n);
    l->n += n;
}

static inline void fz_addf(fz_log *l, const char *fmt, long long a)
{
    char tmp[64];
    int k = snprintf(tmp, sizeof tmp, fmt, a);
    fz_add(l, tmp, (size_t)k);
}

static inline int fz_same(const fz_log *a, const fz_log *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* Logs the header slices (offsets into buf) after checking each lies in the
 * head of r bytes. */
static inline void fz_describe_headers(fz_log *l, int r, const char *buf, const wsx_header *hdrs,
                                       size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const wsx_header *h = &hdrs[i];
        REQUIRE(h->name >= buf && h->name + h->name_len <= buf + r);
        REQUIRE(h->value >= buf && h->value + h->value_len <= buf + r);
        fz_addf(l, "|%lld", h->name - buf);
        fz_addf(l, ",%lld", (long long)h->name_len);
        fz_addf(l, ",%lld", h->value - buf);
        fz_addf(l, ",%lld", (long long)h->value_len);
    }
}

/* Byte 0 of the input: bit 0 WSX_HTTP_STRICT_CRLF; bit 1 small limits (line
 * 200, head 1000; a target may shrink more); bits 2-3 a header array of 0,
 * 2, 8 or 64; bits 4-5 the chunking mode (fz_next). */
static inline void fz_http_config(wsx_http_config *cfg, uint8_t opt)
{
    wsx_http_config_default(cfg);
    if (opt & 1)
        cfg->flags = WSX_HTTP_STRICT_CRLF;
    if (opt & 2) {
        cfg->max_line = 200;
        cfg->max_head = 1000;
    }
}

/* One head parser under test: parse into msg (a wsx_http_request or
 * wsx_http_response), log what it found, and check the whole-input outcome
 * further (r is the whole parse's result, maxh the header array's size). */
typedef struct fz_http_target {
    int (*parse)(wsx_http_parser *p, const char *buf, size_t len, wsx_header *hdrs, size_t maxh,
                 void *msg);
    void (*describe)(fz_log *l, int r, const char *buf, const void *msg);
    void (*check_whole)(const char *buf, int r, size_t maxh, const void *msg);
} fz_http_target;

#ifndef WSX_SMALL
static const int fz_scan_variants[3] = {WSX__PORTABLE, WSX__BASE, WSX__HW};

/* The head parsed whole with each variant of the line scan this build and
 * CPU have gives the description `want` (the one of the default variant). */
static inline void fz_http_variants(const fz_http_target *t, const wsx_http_config *cfg,
                                    const uint8_t *data, size_t len, wsx_header *hdrs, size_t maxh,
                                    void *msg, const fz_log *want)
{
    size_t v;
    for (v = 0; v < 3; v++) {
        fz_log other = {0, 0, 0};
        wsx_http_parser p;
        char *buf;
        if (!wsx__http_scan_use(fz_scan_variants[v]))
            continue;
        buf = fz_copy(data, len);
        wsx_http_parser_init(&p, cfg);
        t->describe(&other, t->parse(&p, buf, len, hdrs, maxh, msg), buf, msg);
        REQUIRE(fz_same(want, &other));
        free(other.p);
        free(buf);
    }
    wsx__http_scan_use(WSX__AUTO);
}
#endif

/* The oracle: the head parsed whole, and fed as growing prefixes (each in its
 * own exactly-sized heap block) along the plan of data[0..1], gives the same
 * result and the same description; the result is within the input.  In the
 * fast profile every variant of the line scan gives that description for
 * the whole head, and the prefixes are fed with the variant data[1] picks. */
static inline void fz_http_oracle(const fz_http_target *t, const wsx_http_config *cfg,
                                  const uint8_t *data, size_t size, void *msg)
{
    static const size_t header_caps[4] = {0, 2, 8, 64};
    wsx_http_parser p;
    wsx_header *hdrs;
    fz_log whole = {0, 0, 0}, chunked = {0, 0, 0};
    fz_plan plan;
    size_t maxh, len, have;
    char *buf;
    int r, r2 = 0;
    maxh = header_caps[(data[0] >> 2) & 3];
    hdrs = (wsx_header *)malloc((maxh ? maxh : 1) * sizeof *hdrs);
    len = size - 2;

    buf = fz_copy(data + 2, len);
    wsx_http_parser_init(&p, cfg);
    r = t->parse(&p, buf, len, hdrs, maxh, msg);
    REQUIRE(r <= (int)len);
    t->check_whole(buf, r, maxh, msg);
    t->describe(&whole, r, buf, msg);
    free(buf);
#ifndef WSX_SMALL
    fz_http_variants(t, cfg, data + 2, len, hdrs, maxh, msg, &whole);
    wsx__http_scan_use(fz_scan_variants[data[1] % 3]); /* (0 where it is missing) */
#endif

    fz_plan_init(&plan, (uint8_t)(data[0] >> 4), data[1], len);
    wsx_http_parser_init(&p, cfg);
    for (have = 0; have < len;) {
        size_t step = fz_next(&plan);
        have = step > len - have ? len : have + step;
        buf = fz_copy(data + 2, have);
        r2 = t->parse(&p, buf, have, hdrs, maxh, msg);
        if (r2 != 0) {
            t->describe(&chunked, r2, buf, msg);
            free(buf);
            break;
        }
        free(buf);
    }
    if (r2 == 0)
        t->describe(&chunked, 0, NULL, msg);
#ifndef WSX_SMALL
    wsx__http_scan_use(WSX__AUTO);
#endif
    REQUIRE(fz_same(&whole, &chunked));
    free(whole.p);
    free(chunked.p);
    free(hdrs);
}

#endif
