/*
 * Shared by the HTTP fuzz targets: REQUIRE, exact-size heap copies (so ASan
 * catches any read past the bytes given), a pseudo-random chunking plan and
 * a growable text log used to compare outcomes across chunkings.
 */
#ifndef FUZZ_HTTP_COMMON_H
#define FUZZ_HTTP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                      \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                       \
        }                                                                  \
    } while (0)

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
    case 0: n = pl->param % 32 + 1; break;
    case 1:
        pl->rng = pl->rng * 1103515245u + 12345u;
        n = (pl->rng >> 16) % 64 + 1;
        break;
    case 2: n = 1; break;
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

#endif
