/*
 * A small reference DEFLATE decoder (RFC 1951), bit by bit, for tests and
 * fuzzers: it decodes a whole raw stream held in memory and reports what
 * the compressor did, above all the largest distance it used, so a test
 * can prove that no distance goes beyond the window (zlib cannot inflate
 * raw 8-bit windows).
 *
 *   ref_inflate r;
 *   int err = ref_inflate_run(&r, in, in_len, out, out_cap, history, window);
 *
 * history: bytes already in out[] before this stream (context takeover);
 * window: the largest distance allowed (2^window_bits).  Decodes until
 * BFINAL or the end of input, which must fall between blocks (sync-flushed
 * data: give permessage-deflate messages their 00 00 ff ff back first).
 * Returns 0 or a negative REF_E_* code.
 */
#ifndef WSX_FUZZ_INFLATE_REF_H
#define WSX_FUZZ_INFLATE_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum {
    REF_E_TRUNCATED = -1, /* input ended inside a block */
    REF_E_BTYPE = -2,     /* block type 3 */
    REF_E_STORED = -3,    /* NLEN is not ~LEN */
    REF_E_CODE = -4,      /* a bad Huffman code or symbol */
    REF_E_FAR = -5,       /* distance beyond the window or the history */
    REF_E_OUT = -6        /* output buffer too small */
};

typedef struct ref_inflate {
    const uint8_t *in;
    size_t in_len, bitpos;
    uint8_t *out;
    size_t out_len, out_cap;
    size_t history; /* bytes before this stream that may be referred to */
    size_t window;
    size_t max_dist;     /* largest distance seen */
    size_t blocks[3];    /* blocks of each type: stored, fixed, dynamic */
    size_t empty_stored; /* stored blocks of length 0 (sync markers) */
    int final_seen;
} ref_inflate;

typedef struct ref_huff {
    uint16_t count[16];
    uint16_t symbol[320];
} ref_huff;

static int ref_bits(ref_inflate *r, unsigned n, unsigned *v)
{
    unsigned i;
    *v = 0;
    for (i = 0; i < n; i++, r->bitpos++) {
        if (r->bitpos >= 8 * r->in_len)
            return REF_E_TRUNCATED;
        *v |= (unsigned)((r->in[r->bitpos >> 3] >> (r->bitpos & 7)) & 1) << i;
    }
    return 0;
}

/* Canonical code from lengths; 0, or REF_E_CODE when over-subscribed. */
static int ref_build(ref_huff *h, const uint8_t *lens, unsigned n)
{
    uint16_t offs[16];
    unsigned i;
    int left = 1;
    memset(h->count, 0, sizeof h->count);
    for (i = 0; i < n; i++)
        h->count[lens[i]]++;
    for (i = 1; i < 16; i++) {
        left = left * 2 - h->count[i];
        if (left < 0)
            return REF_E_CODE;
    }
    offs[1] = 0;
    for (i = 1; i < 15; i++)
        offs[i + 1] = (uint16_t)(offs[i] + h->count[i]);
    for (i = 0; i < n; i++)
        if (lens[i])
            h->symbol[offs[lens[i]]++] = (uint16_t)i;
    return 0;
}

static int ref_decode(ref_inflate *r, const ref_huff *h, unsigned *sym)
{
    int code = 0, first = 0, index = 0;
    unsigned len, bit;
    for (len = 1; len < 16; len++) {
        int err = ref_bits(r, 1, &bit), count = h->count[len];
        if (err)
            return err;
        code |= (int)bit;
        if (code - count < first) {
            *sym = h->symbol[index + (code - first)];
            return 0;
        }
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return REF_E_CODE;
}

static int ref_codes(ref_inflate *r, const ref_huff *lit, const ref_huff *dist)
{
    static const uint16_t lbase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                       15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t lextra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const uint16_t dbase[30] = {
        1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
        193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static const uint8_t dextra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    for (;;) {
        unsigned sym, v, len, d;
        int err = ref_decode(r, lit, &sym);
        if (err)
            return err;
        if (sym < 256) {
            if (r->out_len >= r->out_cap)
                return REF_E_OUT;
            r->out[r->out_len++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29)
            return REF_E_CODE;
        if ((err = ref_bits(r, lextra[sym], &v)) != 0)
            return err;
        len = lbase[sym] + v;
        if ((err = ref_decode(r, dist, &sym)) != 0)
            return err;
        if (sym >= 30)
            return REF_E_CODE;
        if ((err = ref_bits(r, dextra[sym], &v)) != 0)
            return err;
        d = dbase[sym] + v;
        if (d > r->window || d > r->out_len)
            return REF_E_FAR;
        if (d > r->max_dist)
            r->max_dist = d;
        if (r->out_len + len > r->out_cap)
            return REF_E_OUT;
        for (; len > 0; len--, r->out_len++)
            r->out[r->out_len] = r->out[r->out_len - d];
    }
}

static int ref_stored(ref_inflate *r)
{
    size_t at, n;
    r->bitpos = (r->bitpos + 7) & ~(size_t)7;
    at = r->bitpos >> 3;
    if (at + 4 > r->in_len)
        return REF_E_TRUNCATED;
    n = (size_t)r->in[at] | (size_t)r->in[at + 1] << 8;
    if (((size_t)r->in[at + 2] | (size_t)r->in[at + 3] << 8) != (~n & 0xFFFF))
        return REF_E_STORED;
    if (at + 4 + n > r->in_len)
        return REF_E_TRUNCATED;
    if (r->out_len + n > r->out_cap)
        return REF_E_OUT;
    memcpy(r->out + r->out_len, r->in + at + 4, n);
    r->out_len += n;
    r->bitpos = 8 * (at + 4 + n);
    if (n == 0)
        r->empty_stored++;
    return 0;
}

static int ref_fixed(ref_inflate *r)
{
    static ref_huff lit, dist;
    uint8_t lens[320];
    unsigned i;
    for (i = 0; i < 288; i++)
        lens[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    ref_build(&lit, lens, 288);
    for (i = 0; i < 30; i++)
        lens[i] = 5;
    ref_build(&dist, lens, 30);
    return ref_codes(r, &lit, &dist);
}

static int ref_dynamic(ref_inflate *r)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    static ref_huff lit, dist, cl;
    uint8_t lens[320];
    unsigned nlen, ndist, ncode, i, v;
    int err;
    if ((err = ref_bits(r, 5, &nlen)) || (err = ref_bits(r, 5, &ndist)) ||
        (err = ref_bits(r, 4, &ncode)))
        return err;
    nlen += 257;
    ndist += 1;
    ncode += 4;
    if (nlen > 286 || ndist > 30)
        return REF_E_CODE;
    memset(lens, 0, sizeof lens);
    for (i = 0; i < ncode; i++) {
        if ((err = ref_bits(r, 3, &v)) != 0)
            return err;
        lens[order[i]] = (uint8_t)v;
    }
    if (ref_build(&cl, lens, 19))
        return REF_E_CODE;
    for (i = 0; i < nlen + ndist;) {
        unsigned sym, rep, val = 0;
        if ((err = ref_decode(r, &cl, &sym)) != 0)
            return err;
        if (sym < 16) {
            lens[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return REF_E_CODE;
            val = lens[i - 1];
            err = ref_bits(r, 2, &rep);
            rep += 3;
        } else if (sym == 17) {
            err = ref_bits(r, 3, &rep);
            rep += 3;
        } else {
            err = ref_bits(r, 7, &rep);
            rep += 11;
        }
        if (err)
            return err;
        if (i + rep > nlen + ndist)
            return REF_E_CODE;
        while (rep--)
            lens[i++] = (uint8_t)val;
    }
    if (lens[256] == 0 || ref_build(&lit, lens, nlen) || ref_build(&dist, lens + nlen, ndist))
        return REF_E_CODE;
    return ref_codes(r, &lit, &dist);
}

/* Decodes in[0..in_len) after `history` bytes already in out (which they
 * may refer to); r->out_len ends as history + the bytes decoded. */
static int ref_inflate_run(ref_inflate *r, const uint8_t *in, size_t in_len, uint8_t *out,
                           size_t out_cap, size_t history, size_t window)
{
    memset(r, 0, sizeof *r);
    r->in = in;
    r->in_len = in_len;
    r->out = out;
    r->out_cap = out_cap;
    r->out_len = history;
    r->history = history;
    r->window = window;
    while (!r->final_seen && r->bitpos < 8 * in_len) {
        unsigned final, type;
        int err;
        if ((err = ref_bits(r, 1, &final)) || (err = ref_bits(r, 2, &type)))
            return err;
        r->final_seen = (int) final;
        if (type == 3)
            return REF_E_BTYPE;
        r->blocks[type]++;
        err = type == 0 ? ref_stored(r) : type == 1 ? ref_fixed(r) : ref_dynamic(r);
        if (err)
            return err;
    }
    return 0;
}

#endif
