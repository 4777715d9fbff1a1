/*
 * The DEFLATE compressor without zlib, so that it runs on every host the
 * suites run on (big-endian s390x and i386 included): the same input gives
 * the same compressed bytes everywhere and in both profiles (checksums
 * recorded on x86-64), the reference decoder of fuzz/inflate_ref.h gives
 * the input back with no distance beyond the window, output into 1-byte
 * buffers is the same, and the bytes the RFCs fix are exact.
 */
#include <stdlib.h>

#include "../fuzz/inflate_ref.h"
#include "harness.h"
#include "wsx_deflate.h"

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Text-like, repetitive and random stretches. */
static void make_data(uint8_t *p, size_t n, uint32_t seed)
{
    static const char *words[] = {"the ",  "quick ", "brown ",       "fox ", "jumps ", "over ",
                                  "lazy ", "dog ",   "{\"text\":\"", "\"}",  "\n"};
    size_t i = 0;
    rng_state = seed;
    while (i < n) {
        uint32_t r = rnd(), k = r % 16;
        if (k < 10) { /* a word */
            const char *w = words[(r >> 4) % 11];
            while (*w && i < n)
                p[i++] = (uint8_t)*w++;
        } else if (k < 12 && i > 1000) { /* a copy from far back */
            size_t back = 1 + (r >> 4) % 1000, len = 4 + (r >> 14) % 300;
            for (; len > 0 && i < n; len--, i++)
                p[i] = p[i - back];
        } else if (k < 14) { /* random bytes */
            for (k = (r >> 4) % 40; k > 0 && i < n; k--)
                p[i++] = (uint8_t)rnd();
        } else { /* a run */
            for (k = 1 + (r >> 4) % 300; k > 0 && i < n; k--)
                p[i++] = (uint8_t)r;
        }
    }
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

static uint8_t mem[WSX_DEFLATE_MEM_SIZE(15)], inflate_mem[WSX_INFLATE_MEM_SIZE(15)];

/* Compresses with one flush, out_step bytes of room per call (0: all). */
static size_t compress(wsx_deflater *d, const uint8_t *in, size_t n, int flush, uint8_t *out,
                       size_t cap, size_t out_step)
{
    size_t at = 0, produced = 0;
    int r;
    do {
        size_t used, got, room = cap - produced;
        if (out_step && room > out_step)
            room = out_step;
        r = wsx_deflate(d, in + at, n - at, &used, flush, out + produced, room, &got);
        CHECK(r == WSX_OK || r == WSX_DEFLATE_OUTPUT_FULL);
        if (r < 0)
            break;
        at += used;
        produced += got;
    } while (r == WSX_DEFLATE_OUTPUT_FULL && produced < cap);
    CHECK_EQ(at, n);
    return produced;
}

/* The same bytes on every host and in both profiles. */
static void test_same_output_everywhere(void)
{
    static const struct {
        int wb, level;
        size_t out_len;
        uint32_t hash;
    } want[] = {
        {15, 1, 16986, 0xA57C5F04u}, {15, 6, 15408, 0x00F0DB38u}, {15, 9, 14414, 0x471A478Bu},
        {12, 4, 15782, 0x4B855492u}, {9, 6, 21346, 0xEF61EA9Du},  {8, 1, 26594, 0xD655A83Cu},
        {8, 6, 25763, 0xDCD312B1u},  {8, 9, 25457, 0x83F472F1u},
    };
    enum { N = 150000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(N + N / 4);
    size_t i;
    make_data(in, N, 2024);
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        wsx_deflater d;
        wsx_deflater_config cfg;
        size_t n;
        cfg.window_bits = want[i].wb;
        cfg.level = want[i].level;
        CHECK_EQ(wsx_deflater_init(&d, &cfg, mem, WSX_DEFLATE_MEM_SIZE(want[i].wb)), WSX_OK);
        n = compress(&d, in, N, WSX_DEFLATE_FINISH, out, N + N / 4, 0);
        if (n != want[i].out_len || fnv1a(out, n) != want[i].hash)
            printf("window %d level %d: %lu bytes, FNV-1a 0x%08lX\n", want[i].wb, want[i].level,
                   (unsigned long)n, (unsigned long)fnv1a(out, n));
        CHECK_EQ(n, want[i].out_len);
        CHECK_EQ(fnv1a(out, n), want[i].hash);
    }
    free(in);
    free(out);
}

/* Round trips through the reference decoder, whole and into 1-byte
 * buffers (the same bytes), every window size. */
static void test_round_trips(void)
{
#ifdef WSX_TEST_QUICK
    enum { N = 20000 };
#else
    enum { N = 90000 };
#endif
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(N + N / 4),
            *out1 = (uint8_t *)malloc(N + N / 4), *back = (uint8_t *)malloc(N);
    int wb;
    make_data(in, N, 7);
    for (wb = 8; wb <= 15; wb++) {
        int level = 1 + (wb * 5) % 9;
        wsx_deflater d;
        wsx_deflater_config cfg;
        ref_inflate r;
        size_t n, n1;
        cfg.window_bits = wb;
        cfg.level = level;
        CHECK_EQ(wsx_deflater_init(&d, &cfg, mem, WSX_DEFLATE_MEM_SIZE(wb)), WSX_OK);
        n = compress(&d, in, N, WSX_DEFLATE_SYNC, out, N + N / 4, 0);
        CHECK_EQ(wsx_deflater_init(&d, &cfg, mem, WSX_DEFLATE_MEM_SIZE(wb)), WSX_OK);
        n1 = compress(&d, in, N, WSX_DEFLATE_SYNC, out1, N + N / 4, 1);
        CHECK_EQ(n1, n);
        CHECK(memcmp(out, out1, n) == 0);
        CHECK(n >= 4 && memcmp(out + n - 4, "\0\0\xff\xff", 4) == 0);
        CHECK_EQ(ref_inflate_run(&r, out, n, back, N, 0, (size_t)1 << wb), 0);
        CHECK_EQ(r.out_len, N);
        CHECK(memcmp(back, in, N) == 0);
        CHECK(r.max_dist <= (size_t)1 << wb);
        CHECK(n < N / 2);
        { /* wsx's inflater, on exactly the window */
            wsx_inflater z;
            size_t used, got;
            memset(back, 0, N);
            CHECK_EQ(wsx_inflater_init(&z, (unsigned)wb, inflate_mem, sizeof inflate_mem), WSX_OK);
            CHECK_EQ(wsx_inflate(&z, out, n, &used, back, N, &got), WSX_INFLATE_NEED_INPUT);
            CHECK_EQ(used, n);
            CHECK_EQ(got, N);
            CHECK(memcmp(back, in, N) == 0);
            CHECK(wsx_inflater_between_blocks(&z));
        }
    }
    free(in);
    free(out);
    free(out1);
    free(back);
}

static void test_exact_bytes(void)
{
    wsx_deflater d;
    uint8_t out[64];
    size_t used, n;
    CHECK_EQ(wsx_deflater_init(&d, NULL, mem, sizeof mem), WSX_OK);
    /* RFC 7692 section 7.2.3.6: an empty message is 00 */
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0], 0);
    /* a sync flush: an empty stored block on a byte boundary */
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_SYNC, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "\0\0\0\xff\xff", 5);
    /* the end: an empty final fixed block */
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_FINISH, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_MEM(out, "\x03\x00", 2);
    /* "Hello" three times in a message: literals and one match back 5 */
    CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
    CHECK_EQ(
        wsx_deflate(&d, "HelloHelloHello", 15, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n),
        WSX_OK);
    {
        ref_inflate r;
        uint8_t tail[64], back[32];
        memcpy(tail, out, n);
        memcpy(tail + n, "\0\0\xff\xff", 4);
        CHECK_EQ(ref_inflate_run(&r, tail, n + 4, back, sizeof back, 0, 32768), 0);
        CHECK_EQ(r.out_len, 15);
        CHECK_MEM(back, "HelloHelloHello", 15);
        CHECK_EQ(r.max_dist, 5);
        CHECK_EQ(r.blocks[1], 1); /* fixed codes */
    }
}

int main(void)
{
    RUN(test_exact_bytes);
    RUN(test_round_trips);
    RUN(test_same_output_everywhere);
    return harness_done();
}
