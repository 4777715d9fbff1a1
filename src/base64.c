/*
 * base64 (RFC 4648 section 4), standard alphabet, with padding.
 * The decoder is strict (section 3.5 "canonical encoding"): it accepts
 * exactly the strings the encoder produces.
 */
#include <string.h>

#include "wsx_util.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t wsx_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < len; i += 3) {
        /* a short last group: zero bits in, '=' out (section 4) */
        size_t left = len - i;
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)(left > 1 ? in[i + 1] : 0) << 8 |
                     (left > 2 ? in[i + 2] : 0);
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = left > 2 ? b64_alphabet[v & 63] : '=';
    }
    return o;
}

/* Value of an alphabet character, or -1 (this includes '='). */
static int b64_value(char c)
{
    const char *p = c ? (const char *)memchr(b64_alphabet, c, sizeof b64_alphabet) : NULL;
    return p ? (int)(p - b64_alphabet) : -1;
}

int wsx_base64_decode(const char *in, size_t len, uint8_t *out,
                      size_t outcap, size_t *outlen)
{
    size_t pad = 0, need, i, k, o = 0;

    if ((in == NULL && len != 0) || outlen == NULL || (out == NULL && outcap != 0))
        return WSX_E_ARG;
    *outlen = 0;
    if (len % 4 != 0)
        return WSX_E_BASE64;
    if (len >= 1 && in[len - 1] == '=')
        pad = (len >= 2 && in[len - 2] == '=') ? 2 : 1;
    for (i = 0; i < len - pad; i++)
        if (b64_value(in[i]) < 0)
            return WSX_E_BASE64; /* bad character, or '=' not at the end */
    need = len / 4 * 3 - pad;
    if (need > outcap)
        return WSX_E_BUFFER;
    for (i = 0; i < len; i += 4) {
        /* '=' counts as 0 here; the bits under it must be 0 too */
        uint32_t v = 0;
        size_t last = i + 4 == len, n = last ? 3 - pad : 3;
        for (k = 0; k < 4; k++) {
            int d = b64_value(in[i + k]);
            v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
        }
        if (last && (v & ((UINT32_C(1) << (8 * pad)) - 1)))
            return WSX_E_BASE64;
        for (k = 0; k < n; k++)
            out[o++] = (uint8_t)(v >> (16 - 8 * k));
    }
    *outlen = o;
    return WSX_OK;
}
