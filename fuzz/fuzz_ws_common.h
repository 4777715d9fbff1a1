/*
 * Shared by the WebSocket decoder fuzz targets (fuzz_ws_decode.c,
 * fuzz_ws_profiles.c): REQUIRE, a growable byte log the event sequences are
 * written to and compared in, and the chunking modes of their common input
 * format (byte 0 options, bits 6-7 the mode; byte 1 the parameter).
 */
#ifndef FUZZ_WS_COMMON_H
#define FUZZ_WS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"

#include "fuzz_require.h"

typedef struct fz_bytes {
    uint8_t *p;
    size_t n, cap;
} fz_bytes;

static inline void fz_bytes_put(fz_bytes *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = (uint8_t *)realloc(b->p, b->cap);
        REQUIRE(b->p != NULL);
    }
    if (n)
        memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void fz_bytes_u64(fz_bytes *b, uint64_t v) { fz_bytes_put(b, &v, sizeof v); }

static inline int fz_bytes_equal(const fz_bytes *a, const fz_bytes *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* An event other than DATA: its kind and every field, with a control
 * frame's or a MESSAGE's payload. */
static inline void fz_ws_log_event(fz_bytes *log, int r, const wsx_ws_event *ev)
{
    fz_bytes_u64(log, (uint64_t)(int64_t)r);
    fz_bytes_u64(log, ev->opcode);
    fz_bytes_u64(log, ev->rsv);
    fz_bytes_u64(log, ev->close_code);
    fz_bytes_u64(log, ev->frame_length);
    fz_bytes_u64(log, ev->size);
    if (r == WSX_WS_EV_PING || r == WSX_WS_EV_PONG || r == WSX_WS_EV_CLOSE ||
        r == WSX_WS_EV_MESSAGE)
        fz_bytes_put(log, ev->data, ev->size);
}

/* The size of the chunk at pos of a len-byte stream: mode 0 fixed
 * (param % 32) + 1, 1 pseudo-random 1..64 (*rng seeded by the caller), 2
 * byte by byte, 3 two pieces split at param * len / 256. */
static inline size_t fz_ws_next_chunk(unsigned mode, unsigned param, uint32_t *rng, size_t pos,
                                      size_t len)
{
    size_t left = len - pos, n;
    switch (mode) {
    case 0:
        n = param % 32 + 1;
        break;
    case 1:
        *rng ^= *rng << 13;
        *rng ^= *rng >> 17;
        *rng ^= *rng << 5;
        n = *rng % 64 + 1;
        break;
    case 2:
        n = 1;
        break;
    default: {
        size_t split = (size_t)param * len / 256;
        n = pos < split ? split - pos : left;
        break;
    }
    }
    return n < left ? n : left;
}

#endif
