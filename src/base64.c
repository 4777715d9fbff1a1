/*
 * base64 (RFC 4648 section 4), standard alphabet, with padding.
 * The decoder is strict (section 3.5 "canonical encoding"): it accepts
 * exactly the strings the encoder produces.
 */
#include "wsx_util.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t wsx_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t i = 0, o = 0;
    for (; len - i >= 3; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    return o;
}

/* Value of an alphabet character, or -1 (this includes '='). */
static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int wsx_base64_decode(const char *in, size_t len, uint8_t *out,
                      size_t outcap, size_t *outlen)
{
    size_t pad = 0, need, i, o = 0;

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
        /* '=' counts as 0 here; the pad bits are checked below. */
        uint32_t v = 0;
        size_t k;
        for (k = 0; k < 4; k++) {
            int d = b64_value(in[i + k]);
            v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
        }
        if (i + 4 < len || pad == 0) {
            out[o++] = (uint8_t)(v >> 16);
            out[o++] = (uint8_t)(v >> 8);
            out[o++] = (uint8_t)v;
        } else if (pad == 1) {
            if (v & 0xFF)
                return WSX_E_BASE64; /* non-zero bits under the '=' */
            out[o++] = (uint8_t)(v >> 16);
            out[o++] = (uint8_t)(v >> 8);
        } else {
            if (v & 0xFFFF)
                return WSX_E_BASE64;
            out[o++] = (uint8_t)(v >> 16);
        }
    }
    *outlen = o;
    return WSX_OK;
}
