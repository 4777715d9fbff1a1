/*
 * wsx_utf8_*: every 1-, 2- and 3-byte sequence, and 4-byte sequences over
 * every byte class, against a reference decoder written from the definition
 * of UTF-8 (code point ranges, not byte tables).  Each sample is also fed
 * split at every offset, byte by byte, from guarded memory, and embedded in
 * ASCII so the word-at-a-time fast path sees it.
 * -DWSX_TEST_QUICK (used under qemu) trims the exhaustive loops to the
 * byte classes and their edges.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_util.h"
#include "wsx_internal.h"

enum { REF_VALID, REF_INVALID, REF_TRUNCATED };

/* 1 if some code point in [lo, hi] is a Unicode scalar value >= min. */
static int range_has_scalar(uint32_t lo, uint32_t hi, uint32_t min)
{
    if (lo < min)
        lo = min;
    if (hi > 0x10FFFF)
        hi = 0x10FFFF;
    if (lo > hi)
        return 0;
    return !(lo >= 0xD800 && hi <= 0xDFFF);
}

/* Reference: decodes s[0..n) one code point at a time; a byte is bad as
 * soon as no continuation of the bytes so far can give a scalar value in
 * the range its length allows.  *bad gets the offset of the bad byte. */
static int ref_utf8(const uint8_t *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        uint32_t cp, min;
        unsigned need, j;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC0 && b < 0xE0) {
            need = 1, min = 0x80, cp = b & 0x1F;
        } else if (b >= 0xE0 && b < 0xF0) {
            need = 2, min = 0x800, cp = b & 0x0F;
        } else if (b >= 0xF0 && b < 0xF8) {
            need = 3, min = 0x10000, cp = b & 0x07;
        } else {
            *bad = i; /* stray continuation byte, or F8..FF */
            return REF_INVALID;
        }
        for (j = 0;; j++) {
            unsigned left = need - j;
            uint32_t lo = cp << (6 * left), hi = lo | ((1u << (6 * left)) - 1);
            if (!range_has_scalar(lo, hi, min)) {
                *bad = i + j;
                return REF_INVALID;
            }
            if (j == need)
                break;
            if (i + j + 1 >= n)
                return REF_TRUNCATED;
            if ((s[i + j + 1] & 0xC0) != 0x80) {
                *bad = i + j + 1;
                return REF_INVALID;
            }
            cp = cp << 6 | (s[i + j + 1] & 0x3F);
        }
        i += need + 1;
    }
    return REF_VALID;
}

/* Feeds s in pieces of `step` bytes (0: whole); returns the failure offset
 * relative to s, or n when nothing failed; *complete gets the end state. */
static size_t feed_steps(const uint8_t *s, size_t n, size_t step, int *complete)
{
    wsx_utf8 u;
    size_t at = 0;
    wsx_utf8_init(&u);
    if (step == 0)
        step = n ? n : 1;
    while (at < n) {
        size_t piece = n - at < step ? n - at : step;
        size_t r = wsx_utf8_feed(&u, s + at, piece);
        if (r != piece) {
            *complete = wsx_utf8_complete(&u);
            /* sticky: a later call reports 0 */
            if (wsx_utf8_feed(&u, "a", 1) != 0)
                return (size_t)-2;
            return at + r;
        }
        at += piece;
    }
    *complete = wsx_utf8_complete(&u);
    return n;
}

static size_t feed_split(const uint8_t *s, size_t n, size_t k, int *complete)
{
    wsx_utf8 u;
    size_t r;
    wsx_utf8_init(&u);
    r = wsx_utf8_feed(&u, s, k);
    if (r != k) {
        *complete = wsx_utf8_complete(&u);
        return r;
    }
    r = wsx_utf8_feed(&u, s + k, n - k);
    *complete = wsx_utf8_complete(&u);
    return k + r;
}

static int sample_failures;

/* One guarded area for all samples: a copy of s[0..n) ending right before
 * a PROT_NONE page (one mmap, instead of one per sample). */
#define GUARD_SIZE 512
static uint8_t *guard_area;
static uint8_t *guarded_tail(const uint8_t *s, size_t n)
{
    uint8_t *g;
    if (!guard_area)
        guard_area = (uint8_t *)guarded_alloc(GUARD_SIZE);
    g = guard_area + GUARD_SIZE - n;
    if (n)
        memcpy(g, s, n);
    return g;
}

/* Expected: offset of the bad byte or n, and completeness. */
static void expect(const uint8_t *s, size_t n, size_t *want_off, int *want_complete)
{
    size_t bad = 0;
    int v = ref_utf8(s, n, &bad);
    *want_off = v == REF_INVALID ? bad : n;
    *want_complete = v == REF_VALID;
}

/* Whole feed only: the cheap check for the exhaustive loops. */
static int check_whole(const uint8_t *s, size_t n)
{
    size_t want_off, got;
    int want_complete, complete;
    expect(s, n, &want_off, &want_complete);
    got = feed_steps(s, n, 0, &complete);
    if (got != want_off || complete != want_complete || wsx_utf8_valid(s, n) != want_complete) {
        if (sample_failures++ < 10) {
            size_t i;
            fprintf(stderr, "  mismatch on");
            for (i = 0; i < n; i++)
                fprintf(stderr, " %02x", s[i]);
            fprintf(stderr, ": offset %zu want %zu, complete %d want %d\n", got, want_off, complete,
                    want_complete);
        }
        return 0;
    }
    return 1;
}

/* Every way of feeding s gives the reference verdict and offset. */
static int check_all_ways(const uint8_t *s, size_t n)
{
    size_t want_off, k;
    int want_complete, complete, ok = 1;
    uint8_t *g = guarded_tail(s, n);
    uint8_t padded[64 + 16 + 80];

    expect(s, n, &want_off, &want_complete);
    ok &= feed_steps(g, n, 0, &complete) == want_off && complete == want_complete;
    ok &= feed_steps(g, n, 1, &complete) == want_off && complete == want_complete;
    for (k = 0; k <= n; k++)
        ok &= feed_split(g, n, k, &complete) == want_off && complete == want_complete;

    /* Inside ASCII: 67 bytes before (the 64-byte block loop, then the
     * word loop, then bytes), 77 after; a valid sample is complete then. */
    if (n <= 16) {
        size_t total = 67 + n + 77, off;
        memset(padded, 'a', sizeof padded);
        memcpy(padded + 67, s, n);
        off = feed_steps(padded, total, 0, &complete);
        if (want_off < n)
            ok &= off == 67 + want_off && !complete;
        else if (want_complete)
            ok &= off == total && complete;
        /* a truncated sample is followed by 'a': invalid at that byte */
        else
            ok &= off == 67 + n && !complete;
    }
    if (!ok && sample_failures++ < 10) {
        fprintf(stderr, "  split/padded mismatch on");
        for (k = 0; k < n; k++)
            fprintf(stderr, " %02x", s[k]);
        fprintf(stderr, "\n");
    }
    return ok;
}

/* One byte of each class a position can see, with the class edges. */
static const uint8_t reps[] = {0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                               0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                               0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
#define NREPS (sizeof reps)

static void test_known_cases(void)
{
    static const struct {
        const char *s;
        size_t n;
        size_t off; /* n = no error */
        int complete;
    } cases[] = {
        {"", 0, 0, 1},
        {"hello", 5, 5, 1},
        {"\xC3\xA9", 2, 2, 1},         /* é */
        {"\xE2\x82\xAC", 3, 3, 1},     /* € */
        {"\xF0\x9F\x98\x80", 4, 4, 1}, /* U+1F600 */
        {"\xF4\x8F\xBF\xBF", 4, 4, 1}, /* U+10FFFF */
        {"\xEF\xBF\xBF", 3, 3, 1},     /* U+FFFF */
        {"\xED\x9F\xBF", 3, 3, 1},     /* U+D7FF */
        {"\xEE\x80\x80", 3, 3, 1},     /* U+E000 */
        {"\xC0\x80", 2, 0, 0},         /* overlong NUL */
        {"\xC1\xBF", 2, 0, 0},
        {"\xE0\x80\x80", 3, 1, 0}, /* overlong */
        {"\xE0\x9F\xBF", 3, 1, 0},
        {"\xF0\x80\x80\x80", 4, 1, 0},
        {"\xF0\x8F\xBF\xBF", 4, 1, 0},
        {"\xED\xA0\x80", 3, 1, 0},     /* U+D800 */
        {"\xED\xBF\xBF", 3, 1, 0},     /* U+DFFF */
        {"\xF4\x90\x80\x80", 4, 1, 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0, 0},
        {"\xFF", 1, 0, 0},
        {"\x80", 1, 0, 0}, /* stray continuation */
        {"ab\xBF", 3, 2, 0},
        {"\xC3", 1, 1, 0}, /* truncated: no bad byte */
        {"\xE2\x82", 2, 2, 0},
        {"\xF0\x9F\x98", 3, 3, 0},
        {"\xC3\x41", 2, 1, 0}, /* missing continuation */
        {"\xE2\x82\x41", 3, 2, 0},
        {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 11, 11, 1}, /* κόσμε */
        {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80"
         "edited",
         20, 12, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *s = (const uint8_t *)cases[i].s;
        int complete;
        CHECK_EQ(feed_steps(s, cases[i].n, 0, &complete), cases[i].off);
        CHECK_EQ(complete, cases[i].complete);
        CHECK_EQ(wsx_utf8_valid(s, cases[i].n), cases[i].complete);
        CHECK(check_all_ways(s, cases[i].n));
    }
}

static void test_reference_agrees_with_known_cases(void)
{
    size_t bad = 99;
    CHECK_EQ(ref_utf8((const uint8_t *)"\xE0\xA0\x80", 3, &bad), REF_VALID);
    CHECK_EQ(ref_utf8((const uint8_t *)"\xE0\x9F\x80", 3, &bad), REF_INVALID);
    CHECK_EQ(bad, 1);
    CHECK_EQ(ref_utf8((const uint8_t *)"\xF4\x8F", 2, &bad), REF_TRUNCATED);
    CHECK_EQ(ref_utf8((const uint8_t *)"\xED\xA0", 2, &bad), REF_INVALID);
    CHECK_EQ(bad, 1);
}

static void test_all_one_and_two_byte(void)
{
    uint8_t s[2];
    unsigned a, b;
    int ok = 1;
    for (a = 0; a < 256; a++) {
        s[0] = (uint8_t)a;
        ok &= check_all_ways(s, 1);
        for (b = 0; b < 256; b++) {
            s[1] = (uint8_t)b;
            ok &= check_all_ways(s, 2);
        }
    }
    CHECK(ok);
}

static void test_all_three_byte(void)
{
    uint8_t s[3];
    unsigned a, b, c;
    int ok = 1;
    for (a = 0; a < 256; a++) {
        s[0] = (uint8_t)a;
        for (b = 0; b < 256; b++) {
            s[1] = (uint8_t)b;
#ifndef WSX_TEST_QUICK
            for (c = 0; c < 256; c++) {
                s[2] = (uint8_t)c;
                ok &= check_whole(s, 3);
            }
#endif
            for (c = 0; c < NREPS; c++) {
                s[2] = reps[c];
                ok &= check_all_ways(s, 3);
            }
        }
    }
    CHECK(ok);
}

static void test_four_byte(void)
{
    uint8_t s[4];
    unsigned a, b, c, d;
    int ok = 1;
    /* every lead and second byte, the third and fourth over every class
     * (under emulation, tests/interop/test_bigendian.sh: leads over every
     * class too) */
    for (a = 0; a < 256; a++)
        for (b = 0; b < 256; b++)
            for (c = 0; c < NREPS; c++)
                for (d = 0; d < NREPS; d++) {
#ifdef WSX_TEST_QUICK
                    if (!memchr(reps, (int)a, NREPS))
                        break;
#endif
                    s[0] = (uint8_t)a, s[1] = (uint8_t)b, s[2] = reps[c], s[3] = reps[d];
                    ok &= (a >= 0xF0 && a <= 0xF4 && d % 4 == 0) || (c % 8 == 0 && d % 8 == 0)
                              ? check_all_ways(s, 4)
                              : check_whole(s, 4);
                }
    /* 4-byte leads with every third and fourth byte */
    for (a = 0xF0; a <= 0xF4; a++)
        for (c = 0; c < 256; c++)
            for (d = 0; d < 256; d++) {
                s[0] = (uint8_t)a, s[1] = 0x90, s[2] = (uint8_t)c, s[3] = (uint8_t)d;
                ok &= check_whole(s, 4);
                s[1] = 0x8F;
                ok &= check_whole(s, 4);
            }
    CHECK(ok);
}

/* xorshift: a fixed, portable stream of pseudo-random numbers. */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Appends one code point (mostly valid, sometimes a bad byte). */
static size_t put_random_char(uint8_t *p)
{
    uint32_t r = rng() % 100, cp;
    if (r < 50) {
        p[0] = (uint8_t)('a' + rng() % 26);
        return 1;
    }
    if (r < 97) {
        static const uint32_t los[] = {0x80, 0x800, 0xE000, 0x10000};
        static const uint32_t his[] = {0x7FF, 0xD7FF, 0xFFFF, 0x10FFFF};
        unsigned k = rng() % 4;
        cp = los[k] + rng() % (his[k] - los[k] + 1);
        if (cp < 0x800) {
            p[0] = (uint8_t)(0xC0 | cp >> 6), p[1] = (uint8_t)(0x80 | (cp & 63));
            return 2;
        }
        if (cp < 0x10000) {
            p[0] = (uint8_t)(0xE0 | cp >> 12), p[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
            p[2] = (uint8_t)(0x80 | (cp & 63));
            return 3;
        }
        p[0] = (uint8_t)(0xF0 | cp >> 18), p[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
        p[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)), p[3] = (uint8_t)(0x80 | (cp & 63));
        return 4;
    }
    p[0] = (uint8_t)rng();
    return 1;
}

static void test_random_texts(void)
{
    uint8_t buf[400];
    int iter, ok = 1;
    for (iter = 0; iter < 3000; iter++) {
        size_t n = 0, target = rng() % 300;
        /* some long ASCII runs so whole words and blocks are skipped */
        while (n < target) {
            if (rng() % 8 == 0) {
                size_t run = rng() % 90;
                memset(buf + n, 'x', run);
                n += run;
            } else {
                n += put_random_char(buf + n);
            }
        }
        if (iter % 3 == 0 && n) /* truncate mid-sequence sometimes */
            n -= rng() % (n < 3 ? n : 3);
        ok &= check_all_ways(buf, n);
    }
    CHECK(ok);
}

static void test_chunk_sizes_on_long_text(void)
{
    /* 1000 times "aé€😀" then an overlong: fails at the right offset
     * whatever the piece size. */
    static const uint8_t unit[] = {'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80};
    size_t n = 0, step;
    int complete;
    uint8_t *text = (uint8_t *)malloc(10 * 1000 + 2);
    while (n < 10 * 1000) {
        memcpy(text + n, unit, sizeof unit);
        n += sizeof unit;
    }
    for (step = 0; step <= 17; step++) {
        CHECK_EQ(feed_steps(text, n, step, &complete), n);
        CHECK(complete);
    }
    text[n] = 0xE0, text[n + 1] = 0x80;
    for (step = 0; step <= 17; step++) {
        CHECK_EQ(feed_steps(text, n + 2, step, &complete), n + 1);
        CHECK(!complete);
    }
    free(text);
}

/* Every position of a sequence relative to the 64-byte blocks of the bulk
 * loop (straddling a block edge, ending a block, starting one), inside
 * ASCII, whole and split at the block edge. */
static void test_positions_around_blocks(void)
{
    static const struct {
        const char *seq;
        size_t n;
    } seqs[] = {
        {"\xC3\xA9", 2},         {"\xE2\x82\xAC", 3}, {"\xF0\x9F\x98\x80", 4},
        {"\xE2\x82", 2},         {"\xF0\x9F\x98", 3}, {"\xC3", 1},
        {"\xED\xA0\x80", 3},     {"\xC0\x80", 2},     {"\x80", 1},
        {"\xF4\x90\x80\x80", 4}, {"\xFF", 1},
    };
    uint8_t text[200];
    size_t t, pos, total = sizeof text;
    int ok = 1;
    for (t = 0; t < sizeof seqs / sizeof seqs[0]; t++)
        for (pos = 0; pos + seqs[t].n <= total; pos++) {
            size_t want_off, got, k;
            int want_complete, complete;
            memset(text, 'a', total);
            memcpy(text + pos, seqs[t].seq, seqs[t].n);
            expect(text, total, &want_off, &want_complete);
            got = feed_steps(text, total, 0, &complete);
            ok &= got == want_off && complete == want_complete;
            for (k = 60; k <= 68; k += 4) {
                got = feed_split(text, total, k, &complete);
                ok &= got == want_off && complete == want_complete;
            }
            /* the same at the very end of the input */
            memset(text, 'a', total);
            memcpy(text + total - seqs[t].n, seqs[t].seq, seqs[t].n);
            expect(text, total, &want_off, &want_complete);
            got = feed_steps(text, total, 0, &complete);
            ok &= got == want_off && complete == want_complete;
        }
    CHECK(ok);
}

/* The bulk loop works on 64-byte blocks and, inside a block that is not
 * all ASCII, on the 8-byte words from the first non-ASCII one to the last.
 * Two samples in an ASCII text of 2 blocks + 2 words + 6 bytes: the first
 * at every position (so against every word and block edge, in the whole
 * words after the last block and in the last bytes), the second at every
 * distance up to 24 bytes after it and at a few far places (another word
 * of the same block, the next block, the tail).  A sample cut short by
 * ASCII (E2 82, then 'a') must fail at that 'a' even when a later word of
 * the same block also holds non-ASCII bytes.  Fed whole from guarded
 * memory, and split at the samples and at every word edge near them, so
 * the state carried between calls lands everywhere in a word or block. */
static size_t feed_split2(const uint8_t *s, size_t n, size_t k1, size_t k2, int *complete)
{
    wsx_utf8 u;
    size_t r, at = 0, cuts[3];
    int c;
    cuts[0] = k1 < k2 ? k1 : k2;
    cuts[1] = k1 < k2 ? k2 : k1;
    cuts[2] = n;
    wsx_utf8_init(&u);
    for (c = 0; c < 3; c++) {
        r = wsx_utf8_feed(&u, s + at, cuts[c] - at);
        if (r != cuts[c] - at) {
            *complete = wsx_utf8_complete(&u);
            return at + r;
        }
        at = cuts[c];
    }
    *complete = wsx_utf8_complete(&u);
    return n;
}

static void test_pairs_at_every_word_position(void)
{
    static const struct {
        const char *seq;
        size_t n;
    } firsts[] =
        {
            {"\xC3\xA9", 2},         {"\xE2\x82\xAC", 3},
            {"\xF0\x9F\x98\x80", 4}, {"\xE2\x82", 2}, /* cut short */
            {"\xF0\x9F\x98", 3},     {"\xED\xA0\x80", 3},
            {"\xC0\x80", 2},         {"\x80", 1},
        },
      seconds[] = {
          {"\xC3\xA9", 2},
          {"\xE2\x82\xAC", 3},
          {"\xFF", 1},
          {"\xBF", 1},
      };
    enum { TOTAL = 2 * 64 + 2 * 8 + 6 };
    static const size_t far[] = {1, 40, 63, 64, 65, 100, 128, 139, 143};
    uint8_t text[TOTAL];
    uint8_t *g = (uint8_t *)guarded_alloc(TOTAL);
    size_t a, b, pos, d;
    int ok = 1;
    for (a = 0; a < sizeof firsts / sizeof firsts[0]; a++)
        for (b = 0; b < sizeof seconds / sizeof seconds[0]; b++)
            for (pos = 0; pos + firsts[a].n <= TOTAL; pos++)
                for (d = 0; d < 24 + sizeof far / sizeof far[0]; d++) {
                    size_t at2 = d < 24 ? pos + firsts[a].n + d : far[d - 24];
                    size_t want_off, got, word;
                    int want_complete, complete;
                    if (at2 < pos + firsts[a].n || at2 + seconds[b].n > TOTAL)
                        continue;
#ifdef WSX_TEST_QUICK
                    if (d % 5 != 0 && d < 24)
                        continue;
#endif
                    memset(text, 'a', TOTAL);
                    memcpy(text + pos, firsts[a].seq, firsts[a].n);
                    memcpy(text + at2, seconds[b].seq, seconds[b].n);
                    expect(text, TOTAL, &want_off, &want_complete);
                    memcpy(g, text, TOTAL);
                    got = feed_steps(g, TOTAL, 0, &complete);
                    ok &= got == want_off && complete == want_complete;
                    got = feed_split2(g, TOTAL, pos + 1, at2, &complete);
                    ok &= got == want_off && complete == want_complete;
                    /* cuts at the word edges around the first sample */
                    for (word = pos & ~(size_t)7; word <= pos + 8 && word <= TOTAL; word += 8) {
                        got = feed_split2(g, TOTAL, word, word + 64 <= TOTAL ? word + 64 : TOTAL,
                                          &complete);
                        ok &= got == want_off && complete == want_complete;
                    }
                    if (!ok && sample_failures++ < 10)
                        fprintf(stderr, "  pair mismatch: first %zu at %zu, second %zu at %zu\n", a,
                                pos, b, at2);
                }
    guarded_free(g, TOTAL);
    CHECK(ok);
}

/* Mid-sequence at the end of a call, and the next call long enough for
 * the block loop: the state carried in must make word 0 go through the
 * DFA (continuation bytes there), or fail there (ASCII there). */
static void test_state_carried_into_blocks(void)
{
    static const char *const leads[] = {"\xC3", "\xE2",     "\xE2\x82",
                                        "\xF0", "\xF0\x9F", "\xF0\x9F\x98"};
    uint8_t text[300];
    size_t l, lead_len, cont, n, i;
    for (l = 0; l < sizeof leads / sizeof leads[0]; l++) {
        lead_len = strlen(leads[l]);
        cont = (leads[l][0] == '\xC3' ? 2 : leads[l][0] == '\xE2' ? 3 : 4) - lead_len;
        for (n = 64; n <= 64 + 8 * 2 + 3; n++) {
            wsx_utf8 u;
            memset(text, 'a', sizeof text);
            for (i = 0; i < cont; i++)
                text[i] = 0x9F; /* valid after C3, E2, F0 and F0 9F */
            wsx_utf8_init(&u);
            CHECK_EQ(wsx_utf8_feed(&u, (const uint8_t *)leads[l], lead_len), lead_len);
            CHECK_EQ(wsx_utf8_feed(&u, text, n), n);
            CHECK(wsx_utf8_complete(&u));
            /* one continuation byte missing: fails at the first 'a' */
            wsx_utf8_init(&u);
            CHECK_EQ(wsx_utf8_feed(&u, (const uint8_t *)leads[l], lead_len), lead_len);
            CHECK_EQ(wsx_utf8_feed(&u, text + 1, n), cont - 1);
            CHECK(!wsx_utf8_complete(&u));
        }
    }
}

/* Dense text (every word non-ASCII) with one bad byte at every position:
 * the DFA runs over whole blocks, and the offset is still exact. */
static void test_dense_text_error_at_every_position(void)
{
    uint8_t text[3 * 64 + 13];
    size_t n = sizeof text, i, bad;
    int ok = 1, complete;
    for (i = 0; i + 3 <= n; i += 3)
        memcpy(text + i, "\xE2\x82\xAC", 3);
    while (i < n)
        text[i++] = 'z';
    ok &= feed_steps(text, n, 0, &complete) == n && complete;
    for (bad = 0; bad < n; bad++) {
        uint8_t keep = text[bad];
        size_t want_off;
        int want_complete;
        text[bad] = keep == 'z' ? 0xFF : keep == 0xE2 ? 0x82 : 'q';
        expect(text, n, &want_off, &want_complete);
        ok &= want_off < n;
        ok &= feed_steps(text, n, 0, &complete) == want_off && !complete;
        ok &= feed_split(text, n, bad & ~(size_t)63, &complete) == want_off;
        text[bad] = keep;
    }
    CHECK(ok);
}

static void test_sticky_and_empty(void)
{
    wsx_utf8 u;
    wsx_utf8_init(&u);
    CHECK_EQ(wsx_utf8_feed(&u, NULL, 0), 0);
    CHECK(wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, "\xE2", 1), 1);
    CHECK(!wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, NULL, 0), 0);
    CHECK(!wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, "\x82\xAC", 2), 2);
    CHECK(wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, "ok\xFFok", 5), 2);
    CHECK(!wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, "fine", 4), 0);
    CHECK(!wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_init(&u), WSX_OK);
    CHECK_EQ(wsx_utf8_feed(&u, "fine", 4), 4);
    CHECK(wsx_utf8_valid(NULL, 0));
}

/* Rule 5: the initialiser answers WSX_E_ARG for NULL; the queries answer 0
 * and change nothing. */
static void test_null_arguments(void)
{
    wsx_utf8 u;
    CHECK_EQ(wsx_utf8_init(NULL), WSX_E_ARG);
    CHECK_EQ(wsx_utf8_feed(NULL, "abc", 3), 0);
    CHECK(!wsx_utf8_complete(NULL));
    CHECK(!wsx_utf8_valid(NULL, 1));
    CHECK_EQ(wsx_utf8_init(&u), WSX_OK);
    CHECK_EQ(wsx_utf8_feed(&u, "\xE2", 1), 1);
    CHECK_EQ(wsx_utf8_feed(&u, NULL, 2), 0); /* nothing fed: still inside the code point */
    CHECK(!wsx_utf8_complete(&u));
    CHECK_EQ(wsx_utf8_feed(&u, "\x82\xAC", 2), 2);
    CHECK(wsx_utf8_complete(&u));
}

static void run_suite(void)
{
    RUN(test_reference_agrees_with_known_cases);
    RUN(test_known_cases);
    RUN(test_sticky_and_empty);
    RUN(test_null_arguments);
    RUN(test_all_one_and_two_byte);
    RUN(test_all_three_byte);
    RUN(test_four_byte);
    RUN(test_random_texts);
    RUN(test_chunk_sizes_on_long_text);
    RUN(test_positions_around_blocks);
    RUN(test_pairs_at_every_word_position);
    RUN(test_state_carried_into_blocks);
    RUN(test_dense_text_error_at_every_position);
}

int main(void)
{
#ifndef WSX_SMALL
    /* each variant the build and CPU have (wsx_internal.h), then the one
     * the library chooses by itself */
    static const int variants[] = {WSX__PORTABLE, WSX__HW};
    static const char *const names[] = {"word/SSE2 loops", "AVX2"};
    unsigned v;
    for (v = 0; v < 2; v++) {
        if (!wsx__utf8_use(variants[v])) {
            printf("UTF-8 %s: not in this build or CPU\n", names[v]);
            continue;
        }
        printf("UTF-8 %s:\n", names[v]);
        run_suite();
    }
    CHECK(wsx__utf8_use(WSX__AUTO));
#else
    run_suite();
#endif
    return harness_done();
}
