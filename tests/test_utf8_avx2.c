/*
 * The AVX2 UTF-8 validator (src/utf8_avx2.c) against the word/SSE2 code of
 * src/utf8.c (tests/test_utf8.c checks that one against a reference
 * decoder): every 1-, 2- and 3-byte sequence and 4-byte sequences over
 * every byte class, each at every position of a 64-byte block (ASCII
 * around it, and multi-byte text around it), at the end of the input, and
 * fed in two calls cut at every byte of the sequence and at the block
 * edges.  The answer (offset of the bad byte, completeness) must be the
 * same.  On a CPU without AVX2, or a build without it, the suite says so
 * and checks that the library does not claim it.
 * -DWSX_TEST_QUICK trims the exhaustive loops to byte classes.
 */
#include <stdlib.h>

#include "harness.h"
#include "cpu_flags.h"
#include "wsx_util.h"
#include "wsx_internal.h"

#ifndef WSX_SMALL

#define TEXT 208
static int failures;

/* WSX_TEST_QUICK (valgrind, qemu): every STEP-th case of the big loops. */
#ifdef WSX_TEST_QUICK
#define STEP 17
#else
#define STEP 1
#endif

/* Feeds text[0..n) in two calls cut at `cut` (n: one call) with the
 * variant; the offset of the bad byte or n, and completeness. */
static size_t feed(int variant, const uint8_t *text, size_t n, size_t cut, int *complete)
{
    wsx_utf8 u;
    size_t got;
    wsx__utf8_use(variant);
    wsx_utf8_init(&u);
    got = wsx_utf8_feed(&u, text, cut);
    if (got == cut && cut < n)
        got = cut + wsx_utf8_feed(&u, text + cut, n - cut);
    *complete = wsx_utf8_complete(&u);
    return got;
}

static int same(const uint8_t *text, size_t n, size_t cut)
{
    int c1, c2;
    size_t a = feed(WSX__HW, text, n, cut, &c1), b = feed(WSX__PORTABLE, text, n, cut, &c2);
    if (a == b && c1 == c2)
        return 1;
    if (failures++ < 10) {
        size_t i;
        fprintf(stderr, "  AVX2 %zu/%d, scalar %zu/%d, cut %zu:", a, c1, b, c2, cut);
        for (i = 0; i < n; i++)
            fprintf(stderr, " %02x", text[i]);
        fprintf(stderr, "\n");
    }
    return 0;
}

/* Valid multi-byte text of exactly n bytes ("é€😀a" repeated, ASCII at
 * the end where a character does not fit). */
static void fill_text(uint8_t *p, size_t n)
{
    static const uint8_t unit[] = {0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 'a'};
    static const uint8_t lens[] = {2, 0, 3, 0, 0, 4, 0, 0, 0, 1};
    size_t at = 0, k = 0;
    while (at < n) {
        if (lens[k] && at + lens[k] <= n) {
            memcpy(p + at, unit + k, lens[k]);
            at += lens[k];
        } else if (lens[k]) {
            p[at++] = 'a';
        }
        k = (k + 1) % sizeof unit;
    }
}

/* seq at pos in ASCII and in multi-byte text, whole and cut; the cuts are
 * inside seq and at the 32- and 64-byte edges. */
static int check_at(const uint8_t *seq, size_t n, size_t pos, int cuts)
{
    uint8_t text[TEXT];
    int ok = 1, bg;
    for (bg = 0; bg < 2; bg++) {
        size_t k;
        if (bg)
            fill_text(text, TEXT);
        else
            memset(text, 'a', TEXT);
        if (bg) { /* keep the text before pos whole: ASCII up to it */
            size_t b = pos >= 3 ? pos - 3 : 0;
            memset(text + b, 'a', pos - b);
            fill_text(text + pos + n, TEXT - pos - n);
        }
        memcpy(text + pos, seq, n);
        ok &= same(text, TEXT, TEXT);
        ok &= same(text, pos + n, pos + n); /* at the very end */
        if (!cuts)
            continue;
        for (k = 1; k < n; k++)
            ok &= same(text, TEXT, pos + k);
        ok &= same(text, TEXT, 32) & same(text, TEXT, 64) & same(text, TEXT, 65);
    }
    return ok;
}

static const uint8_t reps[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                               0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                               0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
#define NREPS (sizeof reps)

/* Every byte-class sequence of 1..3 bytes at every position 0..140 (every
 * place in a 64-byte block, the blocks' edges, and the tail the scalar
 * code takes), cut everywhere. */
static void test_classes_every_position(void)
{
    size_t len, idx, count, pos;
    int ok = 1;
    for (len = 1, count = NREPS; len <= 3; len++, count *= NREPS)
        for (idx = 0; idx < count; idx++) {
            uint8_t seq[4];
            size_t k, r = idx;
            for (k = 0; k < len; k++, r /= NREPS)
                seq[k] = reps[r % NREPS];
            if (len == 3 && idx % STEP)
                continue;
            for (pos = 0; pos <= 140; pos += len == 3 ? 3 * STEP : 1)
                ok &= check_at(seq, len, pos, len < 3 || pos % 9 == 0);
        }
    CHECK(ok);
}

/* Every 4-byte byte-class sequence, at positions that turn with it. */
static void test_four_byte_classes(void)
{
    size_t idx, count = NREPS * NREPS * NREPS * NREPS;
    int ok = 1;
    for (idx = 0; idx < count; idx += STEP) {
        uint8_t seq[4];
        size_t k, r = idx;
        for (k = 0; k < 4; k++, r /= NREPS)
            seq[k] = reps[r % NREPS];
        ok &= check_at(seq, 4, idx % 137, idx % 5 == 0);
    }
    CHECK(ok);
}

/* Every 1-, 2- and 3-byte sequence of any bytes, at positions that turn. */
static void test_every_short_sequence(void)
{
    uint32_t v, end;
    int ok = 1;
    uint8_t seq[3], text[TEXT];
    memset(text, 'a', TEXT);
    for (v = 0; v < 256; v++) {
        seq[0] = (uint8_t)v;
        ok &= check_at(seq, 1, v % 131, 1);
    }
    for (v = 0; v < 65536; v += STEP == 1 ? 1 : 5) {
        seq[0] = (uint8_t)(v >> 8), seq[1] = (uint8_t)v;
        ok &= check_at(seq, 2, v % 131, v % 3 == 0);
    }
#ifdef WSX_TEST_QUICK
    end = 1u << 14;
#else
    end = 1u << 24;
#endif
    for (v = 0; v < end; v++) {
#ifdef WSX_TEST_QUICK
        uint32_t x = v * 1024u + (v >> 4); /* a spread of the space */
#else
        uint32_t x = v;
#endif
        size_t pos = x % 139;
        if (!(x & 0x808080))
            continue; /* all ASCII: nothing new */
        /* in ASCII, whole: 16M cases, the cheapest check */
        text[pos] = (uint8_t)(x >> 16), text[pos + 1] = (uint8_t)(x >> 8),
        text[pos + 2] = (uint8_t)x;
        ok &= same(text, TEXT, TEXT);
        memset(text + pos, 'a', 3);
    }
    CHECK(ok);
}

static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Long texts with a few broken bytes, fed in random pieces. */
static void test_random_texts_in_pieces(void)
{
    static uint8_t text[4096];
    int iter, ok = 1;
    for (iter = 0; iter < 4000 / STEP; iter++) {
        size_t n = 64 + rng() % (sizeof text - 64), k, cut = rng() % (n + 1);
        fill_text(text, n);
        for (k = rng() % 3; k > 0; k--)
            text[rng() % n] = (uint8_t)rng();
        ok &= same(text, n, cut);
    }
    CHECK(ok);
}

static void test_choice(void)
{
    int avx2 = wsx__utf8_use(WSX__HW);
    if (cpu_flag_listed(CPU_FLAG_AVX2)) {
#ifdef WSX__UTF8_AVX2
        CHECK(avx2);
#endif
    }
    CHECK(wsx__utf8_use(WSX__AUTO));
    CHECK_EQ(wsx__utf8_variant(), avx2 ? WSX__HW : WSX__PORTABLE);
    CHECK(!(wsx_build_flags() & WSX_BUILD_UTF8_AVX2) == !avx2);
    CHECK(!strstr(wsx_build_string(), " utf8-avx2") == !avx2);
    CHECK(wsx__utf8_use(WSX__PORTABLE));
    CHECK(!(wsx_build_flags() & WSX_BUILD_UTF8_AVX2));
    CHECK(!wsx__utf8_use(7));
    CHECK(wsx__utf8_use(WSX__AUTO));
}

int main(void)
{
    RUN(test_choice);
    if (!wsx__utf8_use(WSX__HW)) {
        printf("AVX2 UTF-8: not in this build or CPU; only the choice was checked\n");
        return harness_done();
    }
    RUN(test_classes_every_position);
    RUN(test_four_byte_classes);
    RUN(test_every_short_sequence);
    RUN(test_random_texts_in_pieces);
    wsx__utf8_use(WSX__AUTO);
    return harness_done();
}

#else
int main(void)
{
    printf("AVX2 UTF-8: the small profile has one validator (tests/test_utf8.c)\n");
    return harness_done();
}
#endif
