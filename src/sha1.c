/*
 * SHA-1 (FIPS 180-4 section 6.1), used only for Sec-WebSocket-Accept, where
 * its collision weakness does not matter (RFC 6455 section 10.8 uses it as
 * a fingerprint, not for security).  With WSX_USE_OPENSSL (make OPENSSL=1)
 * libcrypto's SHA1() is called instead.
 *
 * The small profile's code is written for size: the message goes in a byte
 * at a time, so the padding needs no second buffer and the words are
 * big-endian on every host.  The fast profile compresses whole blocks
 * straight from the message, and the padded tail from a 128-byte buffer,
 * with the CPU's SHA-1 instructions where it has them (sha1_hw.c, chosen at
 * run time) or else with 80 unrolled rounds.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"

#ifdef WSX_USE_OPENSSL
#include <openssl/sha.h>

/* libcrypto chooses its own code: no variants here (wsx_internal.h). */
int wsx__sha1_use(int variant) { return variant == WSX__AUTO; }

int wsx__sha1_variant(void) { return WSX__AUTO; }

void wsx__sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    static const unsigned char empty = 0;
    SHA1(len ? (const unsigned char *)data : &empty, len, out);
}

#elif defined(WSX_SMALL)

static uint32_t rol32(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

/* One 64-byte block, as 16 big-endian words in w, into h[5] (section
 * 6.1.2).  w is a sliding window over the message schedule: w[0] is W(t),
 * and each step appends W(t+16) = ROTL1(W(t+13) ^ W(t+8) ^ W(t+2) ^ W(t)).
 * w is used up. */
static void sha1_block(uint32_t h[5], uint32_t w[16])
{
    static const uint32_t k[4] = {0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6};
    uint32_t v[5], f, next; /* v: a, b, c, d, e of the standard */
    unsigned t, i;

    memcpy(v, h, sizeof v);
    for (t = 0; t < 80; t++) {
        unsigned round = t / 20;
        if (round == 0)
            f = (v[1] & v[2]) | (~v[1] & v[3]); /* Ch */
        else if (round == 2)
            f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]); /* Maj */
        else
            f = v[1] ^ v[2] ^ v[3]; /* Parity */
        f += rol32(v[0], 5) + v[4] + k[round] + w[0];
        memmove(v + 1, v, 4 * sizeof *v);
        v[0] = f;
        v[2] = rol32(v[2], 30);
        next = rol32(w[13] ^ w[8] ^ w[2] ^ w[0], 1);
        memmove(w, w + 1, 15 * sizeof *w);
        w[15] = next;
    }
    for (i = 0; i < 5; i++)
        h[i] += v[i];
}

void wsx__sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    uint32_t w[16] = {0};
    /* Section 5.1.1 padding: the data, 0x80, zeros, the length in bits
     * (64-bit big-endian) in the last two words of the last block. */
    size_t total = (len + 8) / 64 * 64 + 64, i;

    for (i = 0; i < total; i++) {
        uint32_t byte = i < len ? ((const uint8_t *)data)[i] : i == len ? 0x80 : 0;
        w[i / 4 % 16] = w[i / 4 % 16] << 8 | byte;
        if (i % 64 == 63) {
            if (i == total - 1) {
                w[14] = (uint32_t)(len >> 29);
                w[15] = (uint32_t)len << 3;
            }
            sha1_block(h, w);
        }
    }
    for (i = 0; i < WSX_SHA1_LEN; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

#else /* the fast profile */

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#define ROL(x, n) ((x) << (n) | (x) >> (32 - (n)))
#define F_CH(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F_PARITY(b, c, d) ((b) ^ (c) ^ (d))
#define F_MAJ(b, c, d) (((b) & (c)) | (((b) | (c)) & (d)))
/* The schedule as a ring of 16 words (section 6.1.2 step 1):
 * W(t) = ROTL1(W(t-3) ^ W(t-8) ^ W(t-14) ^ W(t-16)) for t >= 16. */
#define W(t) w[(t)&15]
#define W_AT(t) ((t) < 16 ? W(t) : (W(t) = ROL(W((t)-3) ^ W((t)-8) ^ W((t)-14) ^ W((t)-16), 1)))
/* One round with the five variables named in their roles at round t;
 * the caller rotates the names instead of the values. */
#define ROUND(a, b, c, d, e, f, k, t)                \
    do {                                             \
        e += ROL(a, 5) + f(b, c, d) + (k) + W_AT(t); \
        b = ROL(b, 30);                              \
    } while (0)
/* Five rounds: afterwards each name holds its own role again. */
#define ROUND5(f, k, t)                      \
    do {                                     \
        ROUND(a, b, c, d, e, f, k, t);       \
        ROUND(e, a, b, c, d, f, k, (t) + 1); \
        ROUND(d, e, a, b, c, f, k, (t) + 2); \
        ROUND(c, d, e, a, b, f, k, (t) + 3); \
        ROUND(b, c, d, e, a, f, k, (t) + 4); \
    } while (0)
#define K0 0x5A827999u
#define K1 0x6ED9EBA1u
#define K2 0x8F1BBCDCu
#define K3 0xCA62C1D6u

/* The same compression as the small profile's, every round written out
 * (section 6.1.2): for CPUs without SHA-1 instructions. */
static void sha1_blocks_portable(uint32_t h[5], const uint8_t *p, size_t blocks)
{
    uint32_t w[16];
    for (; blocks; blocks--, p += 64) {
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        unsigned i;
        for (i = 0; i < 16; i++)
            w[i] = load_be32(p + (size_t)4 * i);
        ROUND5(F_CH, K0, 0);
        ROUND5(F_CH, K0, 5);
        ROUND5(F_CH, K0, 10);
        ROUND5(F_CH, K0, 15);
        ROUND5(F_PARITY, K1, 20);
        ROUND5(F_PARITY, K1, 25);
        ROUND5(F_PARITY, K1, 30);
        ROUND5(F_PARITY, K1, 35);
        ROUND5(F_MAJ, K2, 40);
        ROUND5(F_MAJ, K2, 45);
        ROUND5(F_MAJ, K2, 50);
        ROUND5(F_MAJ, K2, 55);
        ROUND5(F_PARITY, K3, 60);
        ROUND5(F_PARITY, K3, 65);
        ROUND5(F_PARITY, K3, 70);
        ROUND5(F_PARITY, K3, 75);
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
}

typedef void sha1_blocks_fn(uint32_t h[5], const uint8_t *p, size_t blocks);

/* The variant in use; NULL until the first hash (or wsx__sha1_use). */
static sha1_blocks_fn *sha1_blocks;

static sha1_blocks_fn *hw_blocks(void)
{
#ifdef WSX__SHA1_HW
    if (wsx__cpu_features() & WSX__CPU_SHA1)
        return wsx__sha1_blocks_hw;
#endif
    return NULL;
}

int wsx__sha1_use(int variant)
{
    sha1_blocks_fn *fn = variant == WSX__PORTABLE ? sha1_blocks_portable
                         : variant == WSX__HW     ? hw_blocks()
                         : variant == WSX__AUTO   ? hw_blocks()
                                                  : NULL;
    if (!fn && variant == WSX__AUTO)
        fn = sha1_blocks_portable;
    if (!fn)
        return 0;
#ifdef WSX__GNUC
    __atomic_store_n(&sha1_blocks, fn, __ATOMIC_RELAXED);
#else
    sha1_blocks = fn;
#endif
    return 1;
}

static sha1_blocks_fn *blocks_in_use(void)
{
    sha1_blocks_fn *fn;
#ifdef WSX__GNUC
    fn = __atomic_load_n(&sha1_blocks, __ATOMIC_RELAXED);
#else
    fn = sha1_blocks;
#endif
    if (WSX__UNLIKELY(!fn)) {
        wsx__sha1_use(WSX__AUTO);
        return blocks_in_use();
    }
    return fn;
}

int wsx__sha1_variant(void)
{
    return blocks_in_use() == sha1_blocks_portable ? WSX__PORTABLE : WSX__HW;
}

void wsx__sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    sha1_blocks_fn *blocks = blocks_in_use();
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    uint8_t tail[128]; /* the last partial block and the padding (section 5.1.1) */
    size_t whole = len / 64, rest = len % 64, tail_len = rest < 56 ? 64 : 128, i;
    uint64_t bits = (uint64_t)len << 3;

    if (whole)
        blocks(h, (const uint8_t *)data, whole);
    if (rest)
        memcpy(tail, (const uint8_t *)data + 64 * whole, rest);
    tail[rest] = 0x80;
    memset(tail + rest + 1, 0, tail_len - 8 - rest - 1);
    for (i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    blocks(h, tail, tail_len / 64);
    for (i = 0; i < WSX_SHA1_LEN; i++)
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}
#endif

void wsx_sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    if (out && (data || !len))
        wsx__sha1(data, len, out);
}
