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

/* Nonzero when a byte of x is zero (the borrow of x - 0x01.. reaches the
 * top bit of a zero byte only; ~x drops bytes that were >= 0x80). */
static inline uint32_t zero_byte32(uint32_t x) { return (x - 0x01010101u) & ~x & 0x80808080u; }
static inline uint64_t zero_byte64(uint64_t x)
{
    return (x - 0x0101010101010101u) & ~x & 0x8080808080808080u;
}

/* 1 if v[0..n) holds a NUL: a short id in two overlapping words (or, up to
 * 3 bytes, its first, middle and last byte, which are all of it). */
WSX__HOT int has_nul(const uint8_t *v, size_t n)
{
    if (n < 4)
        return n && (!v[0] | !v[n / 2] | !v[n - 1]);
    if (n <= 8) {
        uint32_t a, b;
        memcpy(&a, v, 4);
        memcpy(&b, v + n - 4, 4);
        return (zero_byte32(a) | zero_byte32(b)) != 0;
    }
    if (n <= 16) {
        uint64_t a, b;
        memcpy(&a, v, 8);
        memcpy(&b, v + n - 8, 8);
        return (zero_byte64(a) | zero_byte64(b)) != 0;
    }
    return memchr(v, 0, n) != NULL;
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
