/*
 * libFuzzer target for the DEFLATE decompressor and the gzip reader, with
 * zlib as the oracle (linked into this target and its corpus replays by the
 * Makefile's per-target libraries; the library never links it).
 * TEST_LIBS: -lz
 *
 * Input: byte 0 = options, byte 1 = parameter, the rest = payload.
 *   options bits 0-2  window bits - 8 of a second, smaller-window run
 *           bits 3-4  input pieces: 0 whole, 1 (param % 64) + 1 bytes,
 *                     2 random 1..64 seeded by param, 3 byte by byte
 *           bits 5-6  0: the payload is raw DEFLATE; 1: the payload's
 *                     first two bytes pick a zlib level, strategy, window
 *                     and flush interval, zlib compresses the rest, and
 *                     when param is odd one bit of the result is flipped;
 *                     2, 3: the payload is a gzip stream
 *           bit 7     output pieces of 1..16 bytes instead of 1..4096
 *
 * Oracle (aborts on failure).  Raw DEFLATE: wsx with a 15-bit window and
 * zlib (raw, 15 bits) agree: both end a stream at the same byte with the
 * same output, or both fail, or both need more input with the same output
 * so far (wsx may fail at once on an all-zero code length code, which zlib
 * reads on).  After a stream ends, the bytes after it are decoded as the
 * next stream on the same window by both (zlib gets the history through
 * inflateSetDictionary), up to 4 streams.  The run with the smaller window
 * gives the same result, or WSX_E_INFLATE_DIST_TOO_FAR with a prefix of
 * the output (after an error, output is compared as far as both runs
 * delivered it: a failing call delivers none).  gzip: the first member,
 * against zlib's gzip decoding.
 * Every input piece is an exactly-sized heap block and so is every output
 * piece (ASan catches a read or write past them); the call contract is
 * checked at every call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "wsx_deflate.h"

#include "fuzz_require.h"

#define OUT_CAP (1u << 20)
#define MAX_STREAMS 4

/* What a decoder made of the input. */
typedef struct verdict {
    int state;                  /* 1 every stream ended, 0 needs more, -1 failed */
    int err;                    /* wsx: the error */
    size_t out_len;             /* output in all */
    size_t ends;                /* streams ended */
    size_t end_at[MAX_STREAMS]; /* input offset after each */
    int full;                   /* the output passed OUT_CAP: no verdict */
} verdict;

static uint32_t next_rng(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static size_t piece(unsigned mode, unsigned param, uint32_t *rng, size_t left)
{
    size_t n = mode == 0   ? left
               : mode == 1 ? (param % 64) + 1
               : mode == 2 ? 1 + next_rng(rng) % 64
                           : 1;
    return n < left ? n : left;
}

/* wsx over in[0..n): streams on one window until MAX_STREAMS, an error,
 * the end of the input, or OUT_CAP bytes of output. */
static verdict run_wsx(const uint8_t *in, size_t n, unsigned bits, unsigned opts, unsigned param,
                       uint8_t *out, int gzip)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
    wsx_inflater z;
    wsx_gzip_reader g;
    verdict v;
    uint32_t rng = param * 2654435761u + 1;
    size_t used = 0;
    memset(&v, 0, sizeof v);
    if (gzip)
        REQUIRE(wsx_gzip_reader_init(&g, bits, mem, sizeof mem) == WSX_OK);
    else
        REQUIRE(wsx_inflater_init(&z, bits, mem, sizeof mem) == WSX_OK);
    for (;;) {
        size_t il = piece((opts >> 3) & 3, param, &rng, n - used);
        size_t ol = 1 + next_rng(&rng) % ((opts & 0x80) ? 16 : 4096), iu = 99, ou = 99;
        uint8_t *ib = (uint8_t *)malloc(il ? il : 1), *ob;
        int r;
        if (ol > OUT_CAP - v.out_len)
            ol = OUT_CAP - v.out_len;
        ob = (uint8_t *)malloc(ol ? ol : 1);
        memcpy(ib, in + used, il);
        r = gzip ? wsx_gzip_read(&g, il ? ib : NULL, il, &iu, ol ? ob : NULL, ol, &ou)
                 : wsx_inflate(&z, il ? ib : NULL, il, &iu, ol ? ob : NULL, ol, &ou);
        REQUIRE(iu <= il && ou <= ol);
        REQUIRE(r >= 0 || (iu == 0 && ou == 0));
        REQUIRE(r <= WSX_INFLATE_END);
        REQUIRE(r != WSX_INFLATE_NEED_INPUT || iu == il);
        REQUIRE(r != WSX_INFLATE_OUTPUT_FULL || ou == ol);
        memcpy(out + v.out_len, ob, ou);
        free(ib);
        free(ob);
        used += iu;
        v.out_len += ou;
        if (r < 0) {
            v.state = -1;
            v.err = r;
            if (!gzip) { /* sticky */
                REQUIRE(wsx_inflate(&z, in, n, &iu, out, 1, &ou) == r);
                REQUIRE(!wsx_inflater_between_blocks(&z));
            }
            return v;
        }
        if (r == WSX_INFLATE_END) {
            v.end_at[v.ends++] = used;
            if (!gzip)
                REQUIRE(wsx_inflater_between_blocks(&z));
            if (v.ends == MAX_STREAMS || gzip || used == n) {
                v.state = 1;
                return v;
            }
        } else if (r == WSX_INFLATE_NEED_INPUT && used == n) {
            v.state = 0;
            return v;
        } else if (v.out_len == OUT_CAP) {
            v.full = 1;
            return v;
        }
    }
}

/* zlib over the same input, the same way. */
static verdict run_zlib(const uint8_t *in, size_t n, uint8_t *out, int gzip)
{
    verdict v;
    size_t used = 0;
    memset(&v, 0, sizeof v);
    for (;;) {
        z_stream s;
        int r;
        memset(&s, 0, sizeof s);
        REQUIRE(inflateInit2(&s, gzip ? 31 : -15) == Z_OK);
        if (v.out_len && !gzip) {
            size_t h = v.out_len < 32768 ? v.out_len : 32768;
            REQUIRE(inflateSetDictionary(&s, out + v.out_len - h, (uInt)h) == Z_OK);
        }
        s.next_in = (Bytef *)(uintptr_t)(in + used);
        s.avail_in = (uInt)(n - used);
        s.next_out = out + v.out_len;
        s.avail_out = (uInt)(OUT_CAP - v.out_len);
        r = inflate(&s, Z_FINISH);
        used = n - s.avail_in;
        v.out_len = OUT_CAP - s.avail_out;
        inflateEnd(&s);
        if (r == Z_STREAM_END) {
            v.end_at[v.ends++] = used;
            if (v.ends == MAX_STREAMS || gzip || used == n) {
                v.state = 1;
                return v;
            }
        } else if (r == Z_DATA_ERROR) {
            v.state = -1;
            return v;
        } else {
            v.full = v.out_len == OUT_CAP;
            v.state = 0;
            return v;
        }
    }
}

static void compare(const verdict *w, const uint8_t *wo, const verdict *z, const uint8_t *zo)
{
    size_t i;
    if (w->full || z->full)
        return;
    if (z->state == 1) {
        REQUIRE(w->state == 1 && w->ends == z->ends);
        for (i = 0; i < z->ends; i++)
            REQUIRE(w->end_at[i] == z->end_at[i]);
        REQUIRE(w->out_len == z->out_len && memcmp(wo, zo, z->out_len) == 0);
    } else if (z->state == -1) {
        REQUIRE(w->state == -1);
        REQUIRE(w->ends == z->ends);
    } else {
        REQUIRE(w->ends == z->ends);
        if (w->state == -1) {
            REQUIRE(w->err == WSX_E_INFLATE_CODELEN_CODE);
        } else {
            REQUIRE(w->state == 0);
            REQUIRE(w->out_len == z->out_len && memcmp(wo, zo, z->out_len) == 0);
        }
    }
}

/* zlib compresses data per the first two payload bytes. */
static size_t make_stream(const uint8_t *p, size_t n, unsigned param, uint8_t *out, size_t cap)
{
    static const int flushes[4] = {Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_BLOCK};
    z_stream s;
    int level, strategy, wbits, flush;
    size_t every, off = 0, zn;
    if (n < 2)
        return 0;
    level = p[0] % 10;
    strategy = (p[0] / 10) % 5;
    wbits = 9 + p[1] % 7;
    flush = flushes[(p[1] >> 3) & 3];
    every = 1 + ((size_t)(p[1] >> 5) * 37);
    p += 2;
    n -= 2;
    memset(&s, 0, sizeof s);
    REQUIRE(deflateInit2(&s, level, Z_DEFLATED, -wbits, 8, strategy) == Z_OK);
    s.next_out = out;
    s.avail_out = (uInt)cap;
    do {
        size_t k = flush == Z_NO_FLUSH ? n - off : (every < n - off ? every : n - off);
        s.next_in = (Bytef *)(uintptr_t)(p + off);
        s.avail_in = (uInt)k;
        off += k;
        deflate(&s, off == n ? Z_FINISH : flush);
    } while (off < n);
    zn = cap - s.avail_out;
    deflateEnd(&s);
    if ((param & 1) && zn)
        out[(param * 7u) % zn] ^= (uint8_t)(1u << ((param >> 1) & 7));
    return zn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t wo[OUT_CAP], zo[OUT_CAP], so[OUT_CAP], made[1 << 18];
    unsigned opts, param, what, bits;
    const uint8_t *in;
    size_t n;
    verdict w, z, s;
    if (size < 2)
        return 0;
    opts = data[0];
    param = data[1];
    what = (opts >> 5) & 3;
    bits = 8 + (opts & 7);
    in = data + 2;
    n = size - 2;
    if (what == 1) {
        if (n > (1 << 18) / 2)
            return 0;
        n = make_stream(in, n, param, made, sizeof made);
        in = made;
    }
    w = run_wsx(in, n, 15, opts, param, wo, what >= 2);
    z = run_zlib(in, n, zo, what >= 2);
    compare(&w, wo, &z, zo);
    if (what < 2 && bits < 15 && !w.full) {
        /* A failing call delivers no output (its bytes are lost), so after
         * an error only the output both runs delivered is compared. */
        size_t common;
        s = run_wsx(in, n, bits, opts ^ 0x18, param + 1, so, 0);
        common = s.out_len < w.out_len ? s.out_len : w.out_len;
        if (s.state == -1 && s.err == WSX_E_INFLATE_DIST_TOO_FAR) {
            REQUIRE(w.state == -1 || s.out_len <= w.out_len);
            REQUIRE(memcmp(so, wo, common) == 0);
        } else if (!s.full) {
            REQUIRE(s.state == w.state && s.err == w.err && s.ends == w.ends);
            REQUIRE(s.state == -1 || s.out_len == w.out_len);
            REQUIRE(memcmp(so, wo, common) == 0);
        }
    }
    return 0;
}
