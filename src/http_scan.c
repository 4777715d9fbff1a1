/*
 * The end of an HTTP head line, found in the same pass that checks its
 * bytes (fast profile; see http_chars.h): the first byte that is a control
 * byte other than HTAB, or DEL.  On a clean line that byte is the CR or LF
 * ending it; anywhere else it makes the line invalid (RFC 9110 section 5.5:
 * a field value is field-vchar, SP and HTAB; a start line holds no control
 * byte either).
 *
 * Variants: 32 bytes at a time with AVX2 (chosen at run time), 16 at a time
 * with SSE2 (every x86-64 CPU), 8 at a time in a 64-bit word elsewhere; the
 * last bytes of a buffer one at a time.  All give the offset the byte loop
 * gives.
 */
#include <string.h>

#include "wsx_internal.h"
#include "http_chars.h"

#ifndef WSX_SMALL

/* 1 if c stops the scan */
#define IS_STOP(c) (((unsigned char)(c) < 0x20 && (c) != '\t') || (unsigned char)(c) == 0x7F)

static size_t stop_bytes(const char *s, size_t i, size_t n)
{
    while (i < n && !IS_STOP(s[i]))
        i++;
    return i;
}

/* Portable: a word with no byte below 0x20 and none equal to 0x7F is passed
 * whole; a word with one is looked at byte by byte (it may be an HTAB). */
static size_t stop_words(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w, del;
        size_t k;
        memcpy(&w, s + i, 8);
        del = w ^ (0x7F * ones);
        if (!((((w - 0x20 * ones) & ~w) | ((del - ones) & ~del)) & highs))
            continue;
        k = stop_bytes(s, i, i + 8);
        if (k < i + 8)
            return k;
    }
    return stop_bytes(s, i, n);
}

#if defined(__SSE2__) && defined(WSX__GNUC)
#include <emmintrin.h>
#define WSX__HTTP_SSE2 1

/* Bit j set: byte j of the 16 at p stops the scan. */
WSX__HOT unsigned stops16(const char *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x); /* x <= 0x1F */
    const __m128i tab = _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'));
    const __m128i del = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab, low), del));
}

static size_t stop_sse2(const char *s, size_t n)
{
    size_t i = 0;
    for (; n - i >= 16; i += 16) {
        unsigned m = stops16(s + i);
        if (m)
            return i + (unsigned)__builtin_ctz(m);
    }
    return stop_bytes(s, i, n);
}
#endif

#ifdef WSX__HTTP_AVX2
#include <immintrin.h>

__attribute__((target("avx2"))) static size_t stop_avx2(const char *s, size_t n)
{
    const __m256i c1f = _mm256_set1_epi8(0x1F), tab = _mm256_set1_epi8('\t');
    const __m256i del = _mm256_set1_epi8(0x7F);
    size_t i = 0;
    for (; n - i >= 32; i += 32) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        const __m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(x, c1f), x);
        const __m256i bad = _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi8(x, tab), low),
                                            _mm256_cmpeq_epi8(x, del));
        unsigned m = (unsigned)_mm256_movemask_epi8(bad);
        if (m)
            return i + (unsigned)__builtin_ctz(m);
    }
    return i + stop_words(s + i, n - i);
}
#endif

#ifdef WSX__HTTP_SSE2
/* Bit j set: byte j of the 16 at p is a letter, a digit or '-' (what
 * header names are made of, nearly always). */
WSX__HOT unsigned alnum_dash16(const char *p)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* letters to 0x80..0x99 and digits to 0x80..0x89: below them as signed bytes */
    const __m128i letter = _mm_cmplt_epi8(
        _mm_add_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x80 - 'a')),
        _mm_set1_epi8((char)(0x80 + 26)));
    const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))),
                                         _mm_set1_epi8((char)(0x80 + 10)));
    const __m128i dash = _mm_cmpeq_epi8(x, _mm_set1_epi8('-'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), dash));
}

/* 16 bytes at a time over letters, digits and '-', then byte by byte. */
static size_t token_sse2(const char *s, size_t n)
{
    size_t i = 0;
    for (; n - i >= 16; i += 16) {
        unsigned m = alnum_dash16(s + i) ^ 0xFFFFu;
        if (m) {
            i += (unsigned)__builtin_ctz(m);
            break;
        }
    }
    while (i < n && wsx__http_is_tchar(s[i]))
        i++;
    return i;
}
#endif

/* The variant in use: WSX__AUTO until first asked. */
static int scan_variant;

static int variant_found(int variant)
{
    if (variant == WSX__PORTABLE)
        return 1;
#ifdef WSX__HTTP_AVX2
    if (variant == WSX__HW)
        return (wsx__cpu_features() & WSX__CPU_AVX2) != 0;
#endif
#ifdef WSX__HTTP_SSE2
    if (variant == WSX__BASE)
        return 1;
#endif
    return 0;
}

int wsx__http_scan_use(int variant)
{
    if (variant == WSX__AUTO)
        variant = variant_found(WSX__HW)     ? WSX__HW
                  : variant_found(WSX__BASE) ? WSX__BASE
                                             : WSX__PORTABLE;
    else if (!variant_found(variant))
        return 0;
#ifdef WSX__GNUC
    __atomic_store_n(&scan_variant, variant, __ATOMIC_RELAXED);
#else
    scan_variant = variant;
#endif
    return 1;
}

int wsx__http_scan_variant(void)
{
    int v;
#ifdef WSX__GNUC
    v = __atomic_load_n(&scan_variant, __ATOMIC_RELAXED);
#else
    v = scan_variant;
#endif
    if (WSX__UNLIKELY(v == WSX__AUTO)) {
        wsx__http_scan_use(WSX__AUTO);
        return wsx__http_scan_variant();
    }
    return v;
}

size_t wsx__http_stop(const char *s, size_t n)
{
    int v = wsx__http_scan_variant();
#ifdef WSX__HTTP_AVX2
    if (v == WSX__HW)
        return stop_avx2(s, n);
#endif
#ifdef WSX__HTTP_SSE2
    if (v == WSX__BASE)
        return stop_sse2(s, n);
#endif
    (void)v;
    return stop_words(s, n);
}

size_t wsx__http_token_span(const char *s, size_t n)
{
    size_t i = 0;
#ifdef WSX__HTTP_SSE2
    if (wsx__http_scan_variant() != WSX__PORTABLE)
        return token_sse2(s, n);
#endif
    while (i < n && wsx__http_is_tchar(s[i]))
        i++;
    return i;
}
#endif /* WSX_SMALL */
