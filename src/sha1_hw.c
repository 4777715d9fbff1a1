/*
 * SHA-1 compression (FIPS 180-4 section 6.1.2) with the CPU's SHA-1
 * instructions: SHA-NI on x86, the ARMv8 Cryptographic Extension on
 * aarch64.  Each function is built for its instructions with a target
 * attribute, so the rest of the library stays baseline code; sha1.c calls
 * it only when wsx__cpu_features() found the instructions.
 */
#include "wsx_internal.h"

#ifdef WSX__SHA1_HW

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define SHA1_TARGET __attribute__((target("sha,sse4.1")))

/* Rounds 4j..4j+3 and the schedule ahead of them.  The state vector holds
 * A in its top lane, down to D; E rides in the top lane of the message
 * vector: sha1nexte adds ROTL30 of the A of four rounds earlier (which is
 * what E has become by then) to the next four schedule words.  W_j, the
 * words of rounds 4j..4j+3, is w[j % 4]; for j >= 4
 *   W_j = sha1msg2(sha1msg1(W_{j-4}, W_{j-3}) ^ W_{j-2}, W_{j-1}).
 * f: the round function and constant, 0..3 for rounds 0-19 .. 60-79. */
#define QUAD(j, f)                                                                        \
    do {                                                                                  \
        prev = abcd;                                                                      \
        abcd = _mm_sha1rnds4_epu32(abcd, e, f);                                           \
        if ((j) + 1 < 20) {                                                               \
            if ((j) + 1 >= 4)                                                             \
                w[((j) + 1) % 4] = _mm_sha1msg2_epu32(                                    \
                    _mm_xor_si128(_mm_sha1msg1_epu32(w[((j) + 1) % 4], w[((j) + 2) % 4]), \
                                  w[((j) + 3) % 4]),                                      \
                    w[(j) % 4]);                                                          \
            e = _mm_sha1nexte_epu32(prev, w[((j) + 1) % 4]);                              \
        }                                                                                 \
    } while (0)

SHA1_TARGET void wsx__sha1_blocks_hw(uint32_t h[5], const uint8_t *p, size_t blocks)
{
    /* byte k of the result is byte 15 - k: big-endian words, W0 on top */
    const __m128i reverse = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1B);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
    for (; blocks; blocks--, p += 64) {
        __m128i abcd_before = abcd, e, prev, w[4];
        unsigned k;
        for (k = 0; k < 4; k++)
            w[k] = _mm_shuffle_epi8(
                _mm_loadu_si128((const __m128i *)(const void *)(p + (size_t)16 * k)), reverse);
        e = _mm_add_epi32(e0, w[0]);
        QUAD(0, 0);
        QUAD(1, 0);
        QUAD(2, 0);
        QUAD(3, 0);
        QUAD(4, 0);
        QUAD(5, 1);
        QUAD(6, 1);
        QUAD(7, 1);
        QUAD(8, 1);
        QUAD(9, 1);
        QUAD(10, 2);
        QUAD(11, 2);
        QUAD(12, 2);
        QUAD(13, 2);
        QUAD(14, 2);
        QUAD(15, 3);
        QUAD(16, 3);
        QUAD(17, 3);
        QUAD(18, 3);
        QUAD(19, 3);
        /* E after round 79 is ROTL30 of the A before round 76 */
        e0 = _mm_sha1nexte_epu32(prev, e0);
        abcd = _mm_add_epi32(abcd, abcd_before);
    }
    _mm_storeu_si128((__m128i *)(void *)h, _mm_shuffle_epi32(abcd, 0x1B));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#elif defined(__aarch64__)
#include <arm_neon.h>

#ifdef __clang__
#define SHA1_TARGET __attribute__((target("sha2")))
#else
#define SHA1_TARGET __attribute__((target("+crypto")))
#endif

/* Rounds 4j..4j+3: vsha1{c,p,m}q take the state (A in lane 0), E and the
 * four schedule words plus the round constant; E of the next four rounds
 * is ROTL30 of this A (vsha1h).  W_j is w[j % 4]; for j >= 4
 *   W_j = vsha1su1q(vsha1su0q(W_{j-4}, W_{j-3}, W_{j-2}), W_{j-1}). */
#define QUAD(j, op, k)                                                                            \
    do {                                                                                          \
        uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0));                                    \
        abcd = op(abcd, e, vaddq_u32(w[(j) % 4], vdupq_n_u32(k)));                                \
        e = e_next;                                                                               \
        if ((j) + 4 < 20)                                                                         \
            w[(j) % 4] = vsha1su1q_u32(                                                           \
                vsha1su0q_u32(w[(j) % 4], w[((j) + 1) % 4], w[((j) + 2) % 4]), w[((j) + 3) % 4]); \
    } while (0)

SHA1_TARGET void wsx__sha1_blocks_hw(uint32_t h[5], const uint8_t *p, size_t blocks)
{
    uint32x4_t abcd = vld1q_u32(h);
    uint32_t e0 = h[4];
    for (; blocks; blocks--, p += 64) {
        uint32x4_t abcd_before = abcd, w[4];
        uint32_t e = e0;
        unsigned k;
        for (k = 0; k < 4; k++)
            w[k] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * k)));
        QUAD(0, vsha1cq_u32, 0x5A827999u);
        QUAD(1, vsha1cq_u32, 0x5A827999u);
        QUAD(2, vsha1cq_u32, 0x5A827999u);
        QUAD(3, vsha1cq_u32, 0x5A827999u);
        QUAD(4, vsha1cq_u32, 0x5A827999u);
        QUAD(5, vsha1pq_u32, 0x6ED9EBA1u);
        QUAD(6, vsha1pq_u32, 0x6ED9EBA1u);
        QUAD(7, vsha1pq_u32, 0x6ED9EBA1u);
        QUAD(8, vsha1pq_u32, 0x6ED9EBA1u);
        QUAD(9, vsha1pq_u32, 0x6ED9EBA1u);
        QUAD(10, vsha1mq_u32, 0x8F1BBCDCu);
        QUAD(11, vsha1mq_u32, 0x8F1BBCDCu);
        QUAD(12, vsha1mq_u32, 0x8F1BBCDCu);
        QUAD(13, vsha1mq_u32, 0x8F1BBCDCu);
        QUAD(14, vsha1mq_u32, 0x8F1BBCDCu);
        QUAD(15, vsha1pq_u32, 0xCA62C1D6u);
        QUAD(16, vsha1pq_u32, 0xCA62C1D6u);
        QUAD(17, vsha1pq_u32, 0xCA62C1D6u);
        QUAD(18, vsha1pq_u32, 0xCA62C1D6u);
        QUAD(19, vsha1pq_u32, 0xCA62C1D6u);
        abcd = vaddq_u32(abcd, abcd_before);
        e0 += e;
    }
    vst1q_u32(h, abcd);
    h[4] = e0;
}
#endif

#endif /* WSX__SHA1_HW */
