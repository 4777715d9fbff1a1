/*
 * WebSocket masking (RFC 6455 section 5.3): buf[i] ^= key[(off + i) % 4].
 *
 * The bulk runs 8 bytes at a time: the key, rotated to the phase of the
 * first whole word, is laid out in memory order in an 8-byte array and
 * loaded as one uint64_t, so the XOR is the same on little- and big-endian
 * machines with no byte swapping (a word is 8 bytes, a multiple of the
 * key's 4, so every word starts at the same key phase).  Loads and stores
 * go through memcpy: no alignment or strict-aliasing assumptions, and
 * gcc/clang turn the loop into SIMD at -O2/-O3.
 */
#include <string.h>

#include "wsx_util.h"

size_t wsx_mask(uint8_t *buf, size_t len, const uint8_t key[4],
                size_t key_offset)
{
    size_t phase = key_offset & 3;
    size_t i = 0;

    if (len >= 32) {
        uint8_t rotated[8];
        uint64_t key_word;
        size_t j;
        /* Byte-wise up to an 8-byte boundary: not needed for correctness,
         * only so the word loop's stores do not straddle cache lines. */
        size_t head = (size_t)(-(uintptr_t)buf & 7);
        for (; i < head; i++)
            buf[i] ^= key[(phase + i) & 3];
        for (j = 0; j < 8; j++)
            rotated[j] = key[(phase + head + j) & 3];
        memcpy(&key_word, rotated, 8);
        for (; len - i >= 8; i += 8) {
            uint64_t w;
            memcpy(&w, buf + i, 8);
            w ^= key_word;
            memcpy(buf + i, &w, 8);
        }
    }
    for (; i < len; i++)
        buf[i] ^= key[(phase + i) & 3];
    return (phase + len) & 3;
}
