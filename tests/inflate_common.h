/*
 * What the decompressor's test files share (test_inflate.c,
 * test_inflate_zlib.c, test_inflate_fixed.c): the stream driver and a check
 * over it, the quick-run switch and the pseudo-random numbers their
 * generated data comes from.
 */
#ifndef WSX_TEST_INFLATE_COMMON_H
#define WSX_TEST_INFLATE_COMMON_H

#include <stdlib.h>

#include "harness.h"
#include "inflate_driver.h"
#include "wsx_deflate.h"

#ifdef WSX_TEST_QUICK
#define QUICK 1
#else
#define QUICK 0
#endif

static unsigned rnd_state = 1;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Inflates stream[0..n) with a 2^bits window in the given pieces and checks
 * that it gives want[0..want_len) and ends right after its last byte. */
static int check_stream(const uint8_t *stream, size_t n, unsigned bits, const uint8_t *want,
                        size_t want_len, size_t ichunk, size_t ochunk, unsigned seed)
{
    wsx_inflater z;
    uint8_t *out = (uint8_t *)malloc(want_len + 1);
    drive_result d;
    int ok;
    if (!drive_new(&z, bits))
        return 0;
    d = drive(&z, stream, n, ichunk, ochunk, seed, out, want_len + 1);
    ok = !d.broken && d.r == WSX_INFLATE_END && d.in_used == n && d.out_len == want_len &&
         memcmp(out, want, want_len) == 0;
    if (!ok)
        fprintf(stderr,
                "  stream %zu bytes, bits %u, chunks %zu/%zu seed %u: r=%d (%s) in %zu out %zu\n",
                n, bits, ichunk, ochunk, seed, d.r, wsx_errname(d.r), d.in_used, d.out_len);
    free(out);
    return ok;
}

#endif
