/*
 * SHA-1 (FIPS 180-4 section 6.1), used only for Sec-WebSocket-Accept, where
 * its collision weakness does not matter (RFC 6455 section 10.8 uses it as
 * a fingerprint, not for security).  With WSX_USE_OPENSSL (make OPENSSL=1)
 * libcrypto's SHA1() is called instead.
 *
 * Written for size, not speed (one hash per handshake): the message goes in
 * a byte at a time, so the padding needs no second buffer and the words are
 * big-endian on every host.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"

#ifdef WSX_USE_OPENSSL
#include <openssl/sha.h>

void wsx__sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    static const unsigned char empty = 0;
    SHA1(len ? (const unsigned char *)data : &empty, len, out);
}

#else

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
#endif

void wsx_sha1(const void *data, size_t len, uint8_t out[WSX_SHA1_LEN])
{
    if (out && (data || !len))
        wsx__sha1(data, len, out);
}
