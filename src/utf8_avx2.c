/*
 * UTF-8 validation 64 bytes at a time with AVX2, for the bulk of a buffer
 * (utf8.c calls it when wsx__cpu_features() found AVX2; the function is
 * built for AVX2 with a target attribute, the rest of the library stays
 * baseline code).
 *
 * The method is the one Keiser and Lemire published ("Validating UTF-8 In
 * Less Than One Instruction Per Byte", 2021): every rule of Unicode Table
 * 3-7 that two adjacent bytes can break is a bit; three 16-entry tables,
 * looked up by the high and low nibble of the first byte and the high
 * nibble of the second, give the bits each nibble allows to be broken, and
 * a pair breaks a rule when all three agree.  The third and fourth bytes
 * of a sequence are checked apart: a continuation byte after a
 * continuation byte is right exactly where a lead byte two or three bytes
 * back asks for it.
 */
#include "wsx_internal.h"

#ifdef WSX__UTF8_AVX2
#include <immintrin.h>

#define AVX2_TARGET __attribute__((target("avx2")))

/* The rules, one bit each (first byte, then second byte of the pair). */
#define TOO_SHORT 0x01  /* a lead byte, then no continuation byte */
#define TOO_LONG 0x02   /* ASCII, then a continuation byte */
#define OVERLONG_2 0x04 /* C0 or C1, then anything */
#define OVERLONG_3 0x08 /* E0, then 80..9F */
#define SURROGATE 0x10  /* ED, then A0..BF (U+D800..DFFF) */
#define LARGE_9AB 0x20  /* F4..FF, then 90..BF (above U+10FFFF) */
#define F_BAD_8 0x40    /* F0 (overlong) or F5..FF, then 80..8F */
#define TWO_CONTS 0x80  /* a continuation byte, then one more */
/* the bits that do not depend on the first byte's low nibble */
#define ANY_LOW (TOO_SHORT | TOO_LONG | TWO_CONTS)

/* A 16-entry table in both 128-bit lanes (vpshufb looks up per lane). */
#define R16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)                                       \
    _mm256_setr_epi8((char)(a), (char)(b), (char)(c), (char)(d), (char)(e), (char)(f), (char)(g), \
                     (char)(h), (char)(i), (char)(j), (char)(k), (char)(l), (char)(m), (char)(n), \
                     (char)(o), (char)(p), (char)(a), (char)(b), (char)(c), (char)(d), (char)(e), \
                     (char)(f), (char)(g), (char)(h), (char)(i), (char)(j), (char)(k), (char)(l), \
                     (char)(m), (char)(n), (char)(o), (char)(p))

struct tables {
    __m256i first_high, first_low, second_high;
};

AVX2_TARGET static struct tables make_tables(void)
{
    struct tables t;
    const int cont2 = TOO_LONG | TWO_CONTS | OVERLONG_2, other2 = TOO_SHORT | OVERLONG_2;
    t.first_high =
        R16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
            TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
            TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | LARGE_9AB | F_BAD_8);
    t.first_low = R16(ANY_LOW | OVERLONG_2 | OVERLONG_3 | F_BAD_8, ANY_LOW | OVERLONG_2, ANY_LOW,
                      ANY_LOW, ANY_LOW | LARGE_9AB, ANY_LOW | LARGE_9AB | F_BAD_8,
                      ANY_LOW | LARGE_9AB | F_BAD_8, ANY_LOW | LARGE_9AB | F_BAD_8,
                      ANY_LOW | LARGE_9AB | F_BAD_8, ANY_LOW | LARGE_9AB | F_BAD_8,
                      ANY_LOW | LARGE_9AB | F_BAD_8, ANY_LOW | LARGE_9AB | F_BAD_8,
                      ANY_LOW | LARGE_9AB | F_BAD_8, ANY_LOW | LARGE_9AB | F_BAD_8 | SURROGATE,
                      ANY_LOW | LARGE_9AB | F_BAD_8, ANY_LOW | LARGE_9AB | F_BAD_8);
    t.second_high = R16(other2, other2, other2, other2, other2, other2, other2, other2,
                        cont2 | OVERLONG_3 | F_BAD_8, cont2 | OVERLONG_3 | LARGE_9AB,
                        cont2 | SURROGATE | LARGE_9AB, cont2 | SURROGATE | LARGE_9AB, other2,
                        other2, other2, other2);
    return t;
}

AVX2_TARGET static __m256i high_nibbles(__m256i v)
{
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

/* Nonzero bytes where the 32 bytes `in`, after the 32 bytes `before`,
 * break a rule of Table 3-7 (sequences still open at the end of `in` are
 * not counted: the next block, or the caller, sees them). */
AVX2_TARGET static __m256i errors(const struct tables *t, __m256i in, __m256i before)
{
    /* [before's upper half, in's lower half]: the source of the bytes
     * that came 1, 2, 3 positions earlier */
    __m256i joined = _mm256_permute2x128_si256(before, in, 0x21);
    __m256i prev1 = _mm256_alignr_epi8(in, joined, 15);
    __m256i prev2 = _mm256_alignr_epi8(in, joined, 14);
    __m256i prev3 = _mm256_alignr_epi8(in, joined, 13);
    __m256i low = _mm256_set1_epi8(0x0F);
    __m256i pair = _mm256_and_si256(
        _mm256_and_si256(_mm256_shuffle_epi8(t->first_high, high_nibbles(prev1)),
                         _mm256_shuffle_epi8(t->first_low, _mm256_and_si256(prev1, low))),
        _mm256_shuffle_epi8(t->second_high, high_nibbles(in)));
    /* 0x80 where a lead byte 2 back (E0..FF) or 3 back (F0..FF) asks for
     * a continuation byte here: saturating subtraction leaves >= 0x80
     * exactly then */
    __m256i wanted =
        _mm256_and_si256(_mm256_or_si256(_mm256_subs_epu8(prev2, _mm256_set1_epi8(0xE0 - 0x80)),
                                         _mm256_subs_epu8(prev3, _mm256_set1_epi8(0xF0 - 0x80))),
                         _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(pair, wanted);
}

/* Nonzero when the last bytes of v open a sequence: F0.. in the last three,
 * E0.. in the last two, C0.. in the last one. */
AVX2_TARGET static __m256i still_open(__m256i v)
{
    const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         (char)0xEF, (char)0xDF, (char)0xBF);
    return _mm256_subs_epu8(v, max);
}

/* The start of the sequence that p[0..at) leaves open, or at: p[0..at)
 * is valid but for that last sequence. */
static size_t boundary_before(const uint8_t *p, size_t at)
{
    if (at >= 1 && p[at - 1] >= 0xC0)
        return at - 1;
    if (at >= 2 && p[at - 2] >= 0xE0)
        return at - 2;
    if (at >= 3 && p[at - 3] >= 0xF0)
        return at - 3;
    return at;
}

AVX2_TARGET size_t wsx__utf8_avx2_prefix(const uint8_t *p, size_t len)
{
    struct tables t = make_tables();
    __m256i before = _mm256_setzero_si256(), bad;
    size_t i;
    for (i = 0; len - i >= 64; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) == 0) /* ASCII */
            bad = still_open(before);
        else
            bad = _mm256_or_si256(errors(&t, a, before), errors(&t, b, a));
        if (!_mm256_testz_si256(bad, bad))
            break;
        before = b;
    }
    return boundary_before(p, i);
}

#endif /* WSX__UTF8_AVX2 */
