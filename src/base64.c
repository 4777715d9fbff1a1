/*
 * base64 (RFC 4648 section 4), standard alphabet, with padding.
 * The decoder is strict (section 3.5 "canonical encoding"): it accepts
 * exactly the strings the encoder produces.
 * Both directions move bits through one accumulator: 8 in per byte and 6
 * out per character, or the reverse.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t wsx_base64_encode(const void *bytes, size_t len, void *text)
{
    const uint8_t *in = (const uint8_t *)bytes;
    char *out = (char *)text;
    uint32_t acc = 0;
    unsigned bits = 0; /* bits in acc not written yet */
    size_t i, o = 0;
    if (!out || (!in && len))
        return 0;
    for (i = 0; i < len; i++) {
        acc = acc << 8 | in[i];
        for (bits += 8; bits >= 6; bits -= 6)
            out[o++] = b64_alphabet[(acc >> (bits - 6)) & 63];
    }
    /* a short last group: zero bits in, '=' out (section 4) */
    if (bits)
        out[o++] = b64_alphabet[(acc << (6 - bits)) & 63];
    while (o % 4)
        out[o++] = '=';
    return o;
}

/* Value of an alphabet character, or -1 (this includes '=' and NUL: the
 * alphabet array has no terminator). */
static int b64_value(char c)
{
    const char *p = (const char *)memchr(b64_alphabet, c, sizeof b64_alphabet);
    return p ? (int)(p - b64_alphabet) : -1;
}

int wsx_base64_decode(const void *text, size_t len, void *bytes, size_t cap, size_t *out_len)
{
    const char *in = (const char *)text;
    uint8_t *out = (uint8_t *)bytes;
    size_t pad = 0, data_len, i, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if ((!in && len) || (!out && cap))
        return WSX_E_ARG;
    if (len % 4 != 0)
        return WSX_E_BASE64;
    if (len && in[len - 1] == '=')
        pad = in[len - 2] == '=' ? 2 : 1; /* len >= 4 here */
    data_len = len - pad;
    /* One pass, writing what fits and counting the rest. */
    for (i = 0; i < data_len; i++) {
        int d = b64_value(in[i]);
        if (d < 0)
            return WSX_E_BASE64; /* bad character, or '=' not at the end */
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < cap)
                out[o] = (uint8_t)(acc >> bits);
            o++;
        }
    }
    /* the 2 or 4 bits left before the padding must be 0 */
    if (acc & ((1u << bits) - 1))
        return WSX_E_BASE64;
    *out_len = o;
    return o > cap && out ? WSX_E_BUFFER : WSX_OK;
}
