/*
 * The SSE parser's scanning primitives in the default profile: the line
 * end search (SSE2, or a word at a time), the NUL test and short copies.
 * Included by sse_parse_fast.c only (inside its profile).
 */
#ifndef WSX_SSE_SCAN_H
#define WSX_SSE_SCAN_H

#include <string.h>

#include "wsx_internal.h"

/* The vector scan: SSE2 with a compiler that has __builtin_ctz. */
#if defined(__SSE2__) && defined(WSX__GNUC)
#define WSX__SSE_VECTOR 1
#include <emmintrin.h>
#endif

/* ---- scanning ------------------------------------------------------- */

/* First CR or LF in [s, end), or end.  Never reads outside [s, end). */
WSX__HOT const uint8_t *find_eol(const uint8_t *s, const uint8_t *end)
{
#if defined(WSX__SSE_VECTOR)
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
        if (m)
            return s + __builtin_ctz(m);
        s += 16;
    }
#else
    /* Word at a time: a byte of x is zero iff (x - 0x01..) & ~x & 0x80..
     * flags it (the lowest flagged byte is exact; we re-scan that word). */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - s >= 8) {
        uint64_t w, a, b;
        memcpy(&w, s, 8);
        a = w ^ (ones * '\n');
        b = w ^ (ones * '\r');
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
            break;
        s += 8;
    }
#endif
    while (s < end && *s != '\n' && *s != '\r')
        s++;
    return s;
}

WSX__HOT int has_nul(const uint8_t *v, size_t n)
{
    if (n >= 16)
        return memchr(v, 0, n) != NULL;
    while (n--)
        if (*v++ == 0)
            return 1;
    return 0;
}

/* memcpy, without a library call for the few bytes of an id or a byte. */
WSX__HOT void copy_bytes(uint8_t *d, const uint8_t *v, size_t n)
{
    if (n > 16) {
        memcpy(d, v, n);
        return;
    }
    while (n--)
        *d++ = *v++;
}

#endif
