/*
 * Shared by the SSE parser fuzz targets: the chunking plan, chosen by the
 * input's option byte (bits 6-7) and parameter byte.
 */
#ifndef FUZZ_SSE_COMMON_H
#define FUZZ_SSE_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned mode, param;
    uint32_t rng;
} fz_sse_chunks;

static inline void fz_sse_chunks_init(fz_sse_chunks *c, uint8_t opts, uint8_t param)
{
    c->mode = opts >> 6;
    c->param = param;
    c->rng = param * 2654435761u + 1;
}

/* The size of the next chunk of in[off..n): mode 0 fixed chunks of
 * (param % 32) + 1 bytes, 1 pseudo-random sizes 1..64 seeded by param, 2
 * byte by byte, 3 two chunks split at param * n / 256 (fuzz_sse_parse) or
 * sizes read from the stream itself (split_at_param 0: its byte at each
 * chunk start, % 64 + 1). */
static inline size_t fz_sse_next_chunk(fz_sse_chunks *c, const uint8_t *in, size_t off, size_t n,
                                       int split_at_param)
{
    size_t k;
    switch (c->mode) {
    case 0:
        k = c->param % 32 + 1;
        break;
    case 1:
        c->rng = c->rng * 1103515245u + 12345u;
        k = (c->rng >> 16) % 64 + 1;
        break;
    case 2:
        k = 1;
        break;
    default:
        if (split_at_param) {
            size_t cut = c->param * n / 256;
            k = off < cut ? cut - off : n - off;
        } else {
            k = in[off] % 64 + 1;
        }
    }
    return k > n - off ? n - off : k;
}

#endif
