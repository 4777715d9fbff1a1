/*
 * Drives a whole stream through wsx_inflate in pieces, checking the call
 * contract at every call: each input piece is copied to the end of a
 * guarded buffer (a read past in_len crashes) and each output piece lies
 * at the end of one (a write past out_cap crashes).
 */
#ifndef WSX_TEST_INFLATE_DRIVER_H
#define WSX_TEST_INFLATE_DRIVER_H

#include "harness.h"
#include "wsx_deflate.h"

typedef struct drive_result {
    int r;          /* the last result: END, NEED_INPUT (input all used), or an error */
    size_t in_used; /* input bytes used in all */
    size_t out_len; /* output bytes in all */
    int broken;     /* a call broke the contract (reason printed) */
} drive_result;

static unsigned drive_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* Feeds in[0..n) in pieces of ichunk bytes (random sizes 1..ichunk when
 * seed != 0) into out (cap bytes) through pieces of ochunk bytes (random
 * 0..ochunk with a seed), until the stream ends, fails, or the input is
 * used up.  0 for a chunk means all. */
static drive_result drive(wsx_inflater *z, const uint8_t *in, size_t n, size_t ichunk,
                          size_t ochunk, unsigned seed, uint8_t *out, size_t cap)
{
    drive_result d = {0, 0, 0, 0};
    size_t imax = ichunk ? ichunk : n, omax = ochunk ? ochunk : cap, calls = 0;
    uint8_t *ig = (uint8_t *)guarded_alloc(imax ? imax : 1);
    uint8_t *og = (uint8_t *)guarded_alloc(omax ? omax : 1);
    for (;;) {
        size_t il = n - d.in_used, ol = cap - d.out_len, iu = 99, ou = 99;
        uint8_t *ip, *op;
        if (il > imax)
            il = imax;
        if (ol > omax)
            ol = omax;
        if (seed) {
            if (il)
                il = 1 + drive_rand(&seed) % il;
            ol = drive_rand(&seed) % (ol + 1);
        }
        ip = ig + (imax ? imax : 1) - il;
        op = og + (omax ? omax : 1) - ol;
        memcpy(ip, in + d.in_used, il);
        d.r = wsx_inflate(z, ip, il, &iu, op, ol, &ou);
        if (iu > il || ou > ol || (d.r == WSX_INFLATE_NEED_INPUT && iu != il) ||
            (d.r == WSX_INFLATE_OUTPUT_FULL && ou != ol) || (d.r < 0 && (iu || ou)) ||
            d.r > WSX_INFLATE_END) {
            fprintf(stderr, "  contract: r=%d il=%zu iu=%zu ol=%zu ou=%zu\n", d.r, il, iu, ol, ou);
            d.broken = 1;
            break;
        }
        memcpy(out + d.out_len, op, ou);
        d.in_used += iu;
        d.out_len += ou;
        if (d.r < 0 || d.r == WSX_INFLATE_END)
            break;
        if (d.r == WSX_INFLATE_NEED_INPUT && d.in_used == n)
            break;
        if (d.r == WSX_INFLATE_OUTPUT_FULL && d.out_len == cap)
            break;
        if (++calls > 8 * (n + cap) + 1000) {
            fprintf(stderr, "  no progress after %zu calls\n", calls);
            d.broken = 1;
            break;
        }
    }
    guarded_free(ig, imax ? imax : 1);
    guarded_free(og, omax ? omax : 1);
    return d;
}

/* A fresh inflater with a 2^bits window over memory of its own. */
static uint8_t *drive_mem;
static wsx_inflater *drive_new(wsx_inflater *z, unsigned bits)
{
    static size_t have;
    size_t need = WSX_INFLATE_MEM_SIZE(bits);
    if (have < need) {
        free(drive_mem);
        drive_mem = (uint8_t *)malloc(need);
        have = need;
    }
    if (wsx_inflater_init(z, bits, drive_mem, need) != WSX_OK)
        return NULL;
    return z;
}

#endif /* WSX_TEST_INFLATE_DRIVER_H */
