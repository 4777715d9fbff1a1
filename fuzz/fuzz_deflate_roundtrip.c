/*
 * libFuzzer target: the DEFLATE compressor round trip.
 *
 * Input: 3 setup bytes (window bits 8..15, level 1..9, memory: the least,
 * the default or in between), then operations, each [op][n][data]:
 *   op & 3       flush: none, sync, message (RFC 7692), finish
 *   op & 4       reset after the flush (no context takeover / new stream)
 *   op & 8       the data are a copy from the plain text so far: the next 2
 *                bytes give the distance, n * 64 the length (long matches,
 *                window slides); else n data bytes follow
 *   op >> 4 & 7  output room per call: 1, 2, 3, 7, 64, 4096 or all
 * After every flush the compressed bytes since the previous one must
 * decode to exactly the plain bytes, within wsx_deflate_bound, by three
 * decoders: zlib's inflate, wsx's own (wsx_inflate, with the exact window:
 * 8 bits included) and the reference decoder of inflate_ref.h, which checks
 * that no distance goes beyond the window or back before the last reset.
 * TEST_LIBS: -lz
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inflate_ref.h"
#include "wsx_deflate.h"

#include "fuzz_require.h"

enum { MAX_PLAIN = 1 << 18, MAX_COMP = MAX_PLAIN + MAX_PLAIN / 4 + 4096 };

static uint8_t plain[MAX_PLAIN], comp[MAX_COMP], back[MAX_PLAIN];
static uint8_t mem[WSX_DEFLATE_MEM_SIZE(15) + 4096], inflate_mem[WSX_INFLATE_MEM_SIZE(15)];

typedef struct run {
    wsx_deflater d;
    wsx_inflater inf;
    z_stream z;
    int wb;
    size_t plain_len;  /* bytes given to the compressor */
    size_t seg_start;  /* plain offset of the current flush segment */
    size_t hist_start; /* plain offset since which history is shared */
    size_t comp_len;   /* compressed bytes of the current segment */
} run;

/* wsx_inflate decodes the segment (on the window of the stream so far) in
 * pieces of 1..8 bytes into room of 1..8 bytes. */
static void verify_wsx(run *r, int flush, size_t seg)
{
    size_t at = 0, got = 0, step = 0;
    int res;
    do {
        size_t used, n, in_n = r->comp_len - at, room = seg - got;
        step++;
        if (in_n > 1 + step % 8)
            in_n = 1 + step % 8;
        if (room > 1 + step * 3 % 8)
            room = 1 + step * 3 % 8;
        res = wsx_inflate(&r->inf, comp + at, in_n, &used, back + got, room, &n);
        REQUIRE(res >= 0);
        at += used;
        got += n;
        REQUIRE(got <= seg);
    } while (at < r->comp_len || res == WSX_INFLATE_OUTPUT_FULL);
    REQUIRE(res == (flush == WSX_DEFLATE_FINISH ? WSX_INFLATE_END : WSX_INFLATE_NEED_INPUT));
    REQUIRE(got == seg && memcmp(back, plain + r->seg_start, seg) == 0);
    if (flush != WSX_DEFLATE_FINISH)
        REQUIRE(wsx_inflater_between_blocks(&r->inf));
}

/* Decodes the segment just flushed and compares. */
static void verify(run *r, int flush)
{
    size_t seg = r->plain_len - r->seg_start, hist = r->seg_start - r->hist_start;
    ref_inflate ref;
    int zr;
    REQUIRE(r->comp_len <= wsx_deflate_bound(&r->d, seg));
    if (flush == WSX_DEFLATE_MESSAGE) { /* the receiver puts the tail back */
        memcpy(comp + r->comp_len, "\0\0\xff\xff", 4);
        r->comp_len += 4;
    } else if (flush == WSX_DEFLATE_SYNC) {
        REQUIRE(r->comp_len >= 5 && memcmp(comp + r->comp_len - 4, "\0\0\xff\xff", 4) == 0);
    }
    verify_wsx(r, flush, seg);
    r->z.next_in = comp;
    r->z.avail_in = (uInt)r->comp_len;
    r->z.next_out = back;
    r->z.avail_out = MAX_PLAIN;
    zr = inflate(&r->z, Z_SYNC_FLUSH);
    REQUIRE(zr == (flush == WSX_DEFLATE_FINISH ? Z_STREAM_END : Z_OK) ||
            (zr == Z_BUF_ERROR && r->comp_len == 0));
    REQUIRE(r->z.avail_in == 0);
    REQUIRE((size_t)(r->z.next_out - back) == seg);
    REQUIRE(memcmp(back, plain + r->seg_start, seg) == 0);
    /* The reference decoder, with the shared history in front. */
    memcpy(back, plain + r->hist_start, hist);
    REQUIRE(ref_inflate_run(&ref, comp, r->comp_len, back, MAX_PLAIN, hist, (size_t)1 << r->wb) ==
            0);
    REQUIRE(ref.out_len == hist + seg);
    REQUIRE(memcmp(back + hist, plain + r->seg_start, seg) == 0);
    REQUIRE(ref.final_seen == (flush == WSX_DEFLATE_FINISH));
    r->seg_start = r->plain_len;
    r->comp_len = 0;
}

/* Feeds in[0..n) with the given flush and room per call. */
static void feed(run *r, const uint8_t *in, size_t n, int flush, size_t room)
{
    int res;
    do {
        size_t used, got, cap = MAX_COMP - r->comp_len;
        if (cap > room)
            cap = room;
        res = wsx_deflate(&r->d, in, n, &used, flush, comp + r->comp_len, cap, &got);
        REQUIRE(res == WSX_OK || res == WSX_DEFLATE_OUTPUT_FULL);
        REQUIRE(used <= n && got <= cap);
        REQUIRE(res == WSX_OK ? used == n : got == cap);
        if (used) /* in may be NULL (n 0) */
            in += used;
        n -= used;
        r->comp_len += got;
    } while (res == WSX_DEFLATE_OUTPUT_FULL);
}

static void reset(run *r)
{
    REQUIRE(wsx_deflater_reset(&r->d) == WSX_OK);
    REQUIRE(wsx_inflater_reset(&r->inf, 0) == WSX_OK);
    inflateReset(&r->z);
    r->hist_start = r->plain_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t rooms[8] = {1, 2, 3, 7, 64, 4096, MAX_COMP, MAX_COMP};
    static run r;
    wsx_deflater_config cfg;
    size_t i = 3, mem_size;
    if (size < 3)
        return 0;
    memset(&r, 0, sizeof r);
    r.wb = 8 + data[0] % 8;
    cfg.window_bits = r.wb;
    cfg.level = 1 + data[1] % 9;
    mem_size = data[2] % 3 == 0   ? WSX_DEFLATE_MEM_MIN(r.wb)
               : data[2] % 3 == 1 ? WSX_DEFLATE_MEM_SIZE(r.wb)
                                  : WSX_DEFLATE_MEM_MIN(r.wb) + 4u * data[2];
    REQUIRE(wsx_deflater_init(&r.d, &cfg, mem, mem_size) == WSX_OK);
    REQUIRE(wsx_inflater_init(&r.inf, (unsigned)r.wb, inflate_mem, sizeof inflate_mem) == WSX_OK);
    REQUIRE(inflateInit2(&r.z, -(r.wb < 9 ? 9 : r.wb)) == Z_OK);
    while (i + 2 <= size) {
        unsigned op = data[i], n = data[i + 1];
        int flush = (int)(op & 3);
        const uint8_t *piece;
        size_t len;
        i += 2;
        if (op & 8) { /* a copy from the plain text so far */
            size_t dist, k;
            if (i + 2 > size || r.plain_len == 0)
                break;
            dist = 1 + ((size_t)data[i] | (size_t)data[i + 1] << 8) % r.plain_len;
            i += 2;
            len = (size_t)n * 64;
            if (len > MAX_PLAIN - r.plain_len)
                break;
            for (k = 0; k < len; k++)
                plain[r.plain_len + k] = plain[r.plain_len + k - dist];
        } else {
            len = n < size - i ? n : size - i;
            if (len > MAX_PLAIN - r.plain_len)
                break;
            memcpy(plain + r.plain_len, data + i, len);
            i += len;
        }
        piece = plain + r.plain_len;
        r.plain_len += len;
        feed(&r, piece, len, flush, rooms[op >> 4 & 7]);
        if (flush != WSX_DEFLATE_NO_FLUSH)
            verify(&r, flush);
        if ((op & 4) || flush == WSX_DEFLATE_FINISH) {
            if (flush == WSX_DEFLATE_NO_FLUSH) { /* a reset drops what was pending */
                r.seg_start = r.plain_len;
                r.comp_len = 0;
            }
            reset(&r);
        }
    }
    feed(&r, NULL, 0, WSX_DEFLATE_FINISH, MAX_COMP);
    verify(&r, WSX_DEFLATE_FINISH);
    inflateEnd(&r.z);
    return 0;
}
