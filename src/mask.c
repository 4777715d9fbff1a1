/*
 * WebSocket masking (RFC 6455 section 5.3): buf[i] ^= key[(off + i) % 4].
 *
 * Everything from 4 bytes up goes a word at a time: the key, rotated to
 * the phase of the first whole word, is one uint32_t whose bytes lie in
 * memory order, doubled into a uint64_t; 8 bytes are a multiple of the
 * key's 4, so every word starts at the same phase, and only the last 0..3
 * bytes go one at a time (a 20-byte frame: two 8-byte words and a 4-byte
 * one).  Loads and stores go through memcpy: no alignment or
 * strict-aliasing assumptions, and gcc/clang turn the word loop into SIMD
 * at -O2/-O3.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"

#ifdef WSX_SMALL /* the small profile (wsx.h): byte by byte */

size_t wsx_mask(void *bytes, size_t len, const uint8_t key[4], size_t key_offset)
{
    uint8_t *buf = (uint8_t *)bytes;
    size_t i;
    if (!key || (!buf && len))
        return 0;
    for (i = 0; i < len; i++)
        buf[i] ^= key[(key_offset + i) & 3];
    return (key_offset + len) & 3;
}

#else

/* From this many bytes, the word loop starts at a 64-byte boundary (the
 * head is done with up to 3 bytes, one 4-byte word and seven 8-byte ones)
 * so that wide stores do not straddle cache lines: ~1.4x on big buffers,
 * and no loss from about here up. */
#define ALIGN_FROM 256

static int little_endian(void)
{
    const uint32_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1); /* a constant once compiled */
    return first == 1;
}

/* The key as a uint32_t whose bytes in memory are key[phase],
 * key[phase + 1], ... (indices mod 4), without storing bytes and loading
 * them back as a word (a store-forwarding stall on most CPUs). */
static uint32_t key_at_phase(const uint8_t key[4], size_t phase)
{
    uint32_t k;
    unsigned bits = (unsigned)(8 * (phase & 3));
    memcpy(&k, key, 4);
    /* memory order is value order from the low end on little-endian, from
     * the high end on big-endian; `& 31` keeps a rotation by 0 defined */
    if (little_endian())
        return (k >> bits) | (k << ((32 - bits) & 31));
    return (k << bits) | (k >> ((32 - bits) & 31));
}

static void xor4(uint8_t *p, uint32_t k)
{
    uint32_t w;
    memcpy(&w, p, 4);
    w ^= k;
    memcpy(p, &w, 4);
}

static void xor8(uint8_t *p, uint64_t k)
{
    uint64_t w;
    memcpy(&w, p, 8);
    w ^= k;
    memcpy(p, &w, 8);
}

size_t wsx__mask(void *bytes, size_t len, const uint8_t key[4], size_t key_offset)
{
    uint8_t *buf = (uint8_t *)bytes;
    size_t phase = key_offset & 3;
    size_t i = 0;

    if (len >= 4) {
        uint32_t key32;
        uint64_t key64;
        if (len >= ALIGN_FROM)
            for (; (uintptr_t)(buf + i) & 3; i++)
                buf[i] ^= key[(phase + i) & 3];
        key32 = key_at_phase(key, phase + i);
        key64 = (uint64_t)key32 << 32 | key32; /* same bytes on any order */
        if (len >= ALIGN_FROM) {
            if ((uintptr_t)(buf + i) & 4) {
                xor4(buf + i, key32);
                i += 4;
            }
            for (; (uintptr_t)(buf + i) & 63; i += 8)
                xor8(buf + i, key64);
        }
        for (; len - i >= 8; i += 8)
            xor8(buf + i, key64);
        if (len - i >= 4) {
            xor4(buf + i, key32);
            i += 4;
        }
    }
    for (; i < len; i++) /* at most 3 */
        buf[i] ^= key[(phase + i) & 3];
    return (phase + len) & 3;
}

size_t wsx_mask(void *bytes, size_t len, const uint8_t key[4], size_t key_offset)
{
    if (!key || (!bytes && len))
        return 0;
    return wsx__mask(bytes, len, key, key_offset);
}

#endif /* WSX_SMALL */
