/*
 * SHA-1 (FIPS 180-4 section 6.1), used only for Sec-WebSocket-Accept, where
 * its collision weakness does not matter (RFC 6455 section 10.8 uses it as
 * a fingerprint, not for security).  With WSX_USE_OPENSSL (make OPENSSL=1)
 * libcrypto's SHA1() is called instead.
 */
#include "wsx_util.h"

#ifdef WSX_USE_OPENSSL
#include <openssl/sha.h>

void wsx_sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    static const unsigned char empty = 0;
    SHA1(len ? (const unsigned char *)data : &empty, len, out);
}

#else
#include <string.h>

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One 64-byte block into h[5] (section 6.1.2). */
static void sha1_block(uint32_t h[5], const uint8_t block[64])
{
    uint32_t w[80];
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    unsigned t;

    for (t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (t = 16; t < 80; t++)
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    for (t = 0; t < 80; t++) {
        uint32_t f, k, tmp;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        tmp = rol32(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void wsx_sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const uint8_t *p = (const uint8_t *)data;
    uint8_t tail[128];
    size_t rest = len, tail_len, i;
    uint64_t bits = (uint64_t)len * 8;

    for (; rest >= 64; rest -= 64, p += 64)
        sha1_block(h, p);
    /* Section 5.1.1 padding: 0x80, zeros, then the bit length (64-bit BE),
     * in one block or two. */
    if (rest)
        memcpy(tail, p, rest);
    tail[rest] = 0x80;
    tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    memset(tail + rest + 1, 0, tail_len - rest - 1);
    for (i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, tail);
    if (tail_len == 128)
        sha1_block(h, tail + 64);
    for (i = 0; i < 5; i++)
        store_be32(out + 4 * i, h[i]);
}
#endif
