/*
 * wsx_mask against a byte-wise reference: every key offset 0..3, every
 * buffer alignment 0..15, lengths 0..300 and a few big ones, chained calls,
 * and no byte touched outside [buf, buf + len) (guarded memory).  From 256
 * bytes on, wsx_mask first walks to a 64-byte boundary (bytes, a 4-byte
 * word, 8-byte words): those lengths go through every alignment 0..63.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_util.h"

static const uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};

static void ref_mask(uint8_t *buf, size_t len, const uint8_t k[4], size_t off)
{
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)(buf[i] ^ k[(off + i) % 4]);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131u + seed * 7u + (i >> 8));
}

static void test_rfc_hello(void)
{
    uint8_t hello[5] = {'H', 'e', 'l', 'l', 'o'};
    static const uint8_t masked[5] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
    CHECK_EQ(wsx_mask(hello, 5, key, 0), 1);
    CHECK_MEM(hello, masked, 5);
    CHECK_EQ(wsx_mask(hello, 5, key, 0), 1);
    CHECK_MEM(hello, "Hello", 5);
}

/* Buffers placed at alignments 0..15 inside a larger array, with canaries
 * on both sides. */
static void test_offsets_alignments_lengths(void)
{
    enum { MAXLEN = 300, PAD = 32 };
    static uint8_t area[PAD + 16 + MAXLEN + PAD], want[MAXLEN];
    size_t off, align, len;
    int ok = 1;
    for (off = 0; off < 4; off++)
        for (align = 0; align < 16; align++)
            for (len = 0; len <= MAXLEN; len++) {
                uint8_t *buf;
                size_t i;
                memset(area, 0xA5, sizeof area);
                /* align relative to a 16-byte boundary of the real address */
                buf = area + PAD + ((16 + align - ((uintptr_t)(area + PAD) & 15)) & 15);
                fill(buf, len, (unsigned)(off + align));
                memcpy(want, buf, len);
                ref_mask(want, len, key, off);
                ok &= wsx_mask(buf, len, key, off) == (off + len) % 4;
                ok &= memcmp(buf, want, len) == 0;
                for (i = 0; area + i < buf; i++)
                    ok &= area[i] == 0xA5;
                for (i = (size_t)(buf - area) + len; i < sizeof area; i++)
                    ok &= area[i] == 0xA5;
            }
    CHECK(ok);
}

static void test_big_buffers_guarded(void)
{
    static const size_t lens[] = {4096, 65536 + 3, 1000003};
    size_t t, off;
    for (t = 0; t < sizeof lens / sizeof lens[0]; t++)
        for (off = 0; off < 4; off++) {
            size_t len = lens[t];
            uint8_t *buf = (uint8_t *)guarded_alloc(len);
            uint8_t *want = (uint8_t *)malloc(len);
            fill(buf, len, (unsigned)t);
            memcpy(want, buf, len);
            ref_mask(want, len, key, off);
            CHECK_EQ(wsx_mask(buf, len, key, off), (off + len) % 4);
            CHECK_MEM(buf, want, len);
            free(want);
            guarded_free(buf, len);
        }
}

/* A frame masked in chunks of every size gives the one-call result. */
static void test_chained_calls(void)
{
    enum { LEN = 1000 };
    static uint8_t whole[LEN], chunked[LEN];
    size_t step, start;
    for (start = 0; start < 4; start++)
        for (step = 1; step <= 70; step++) {
            size_t at = 0, phase = start;
            fill(whole, LEN, 9);
            memcpy(chunked, whole, LEN);
            wsx_mask(whole, LEN, key, start);
            while (at < LEN) {
                size_t piece = LEN - at < step ? LEN - at : step;
                phase = wsx_mask(chunked + at, piece, key, phase);
                at += piece;
            }
            CHECK_EQ(phase, (start + LEN) % 4);
            CHECK_MEM(whole, chunked, LEN);
        }
}

/* The head that reaches a 64-byte boundary, at every alignment: lengths
 * around the threshold (256) and past it, every key offset, canaries. */
static void test_alignment_head(void)
{
    enum { PAD = 16, MAXLEN = 800 };
    static const size_t lens[] = {248, 252, 253, 254, 255, 256, 257, 258, 259, 260, 263,
                                  264, 300, 319, 320, 321, 511, 512, 513, 777, 800};
    static uint8_t area[PAD + 64 + MAXLEN + PAD], want[MAXLEN];
    size_t off, align, t;
    int ok = 1;
    for (off = 0; off < 4; off++)
        for (align = 0; align < 64; align++)
            for (t = 0; t < sizeof lens / sizeof lens[0]; t++) {
                size_t len = lens[t], i;
                uint8_t *buf;
                memset(area, 0xA5, sizeof area);
                buf = area + PAD + ((64 + align - ((uintptr_t)(area + PAD) & 63)) & 63);
                fill(buf, len, (unsigned)(off * 64 + align));
                memcpy(want, buf, len);
                ref_mask(want, len, key, off);
                ok &= wsx_mask(buf, len, key, off) == (off + len) % 4;
                ok &= memcmp(buf, want, len) == 0;
                for (i = 0; area + i < buf; i++)
                    ok &= area[i] == 0xA5;
                for (i = (size_t)(buf - area) + len; i < sizeof area; i++)
                    ok &= area[i] == 0xA5;
            }
    CHECK(ok);
}

/* Chunks big enough for the aligned path, starting at odd addresses and
 * key phases, give the one-call result. */
static void test_chained_big_chunks(void)
{
    enum { LEN = 3000 };
    static uint8_t whole[LEN + 8], chunked[LEN + 8];
    static const size_t steps[] = {255, 256, 257, 261, 300, 777, 1001};
    size_t s, start, skew;
    for (skew = 0; skew < 8; skew++)
        for (start = 0; start < 4; start++)
            for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
                size_t at = 0, phase = start;
                fill(whole + skew, LEN, 5);
                memcpy(chunked + skew, whole + skew, LEN);
                wsx_mask(whole + skew, LEN, key, start);
                while (at < LEN) {
                    size_t piece = LEN - at < steps[s] ? LEN - at : steps[s];
                    phase = wsx_mask(chunked + skew + at, piece, key, phase);
                    at += piece;
                }
                CHECK_EQ(phase, (start + LEN) % 4);
                CHECK_MEM(whole + skew, chunked + skew, LEN);
            }
}

static void test_large_key_offset_and_empty(void)
{
    uint8_t b[40], want[40];
    fill(b, 40, 3);
    memcpy(want, b, 40);
    ref_mask(want, 40, key, 2);
    /* only key_offset % 4 matters */
    CHECK_EQ(wsx_mask(b, 40, key, (size_t)-2), 2);
    CHECK_MEM(b, want, 40);
    CHECK_EQ(wsx_mask(NULL, 0, key, 3), 3);
    CHECK_EQ(wsx_mask(b, 0, key, 7), 3);
}

/* Rule 5: a NULL key, or a NULL buffer with bytes to mask: nothing masked,
 * 0 returned.  Rule 3: any byte type, no cast. */
static void test_null_arguments_and_char_buffers(void)
{
    uint8_t b[4] = {1, 2, 3, 4};
    char text[5] = {'H', 'e', 'l', 'l', 'o'};
    CHECK_EQ(wsx_mask(NULL, 4, key, 1), 0);
    CHECK_EQ(wsx_mask(b, 4, NULL, 1), 0);
    CHECK_MEM(b, "\x01\x02\x03\x04", 4);
    CHECK_EQ(wsx_mask(text, 5, key, 0), 1);
    CHECK(memcmp(text, "Hello", 5) != 0);
    CHECK_EQ(wsx_mask(text, 5, key, 0), 1);
    CHECK_MEM(text, "Hello", 5);
}

int main(void)
{
    RUN(test_rfc_hello);
    RUN(test_offsets_alignments_lengths);
    RUN(test_big_buffers_guarded);
    RUN(test_chained_calls);
    RUN(test_alignment_head);
    RUN(test_chained_big_chunks);
    RUN(test_large_key_offset_and_empty);
    RUN(test_null_arguments_and_char_buffers);
    return harness_done();
}
