/*
 * A DEFLATE writer for the tests (RFC 1951), independent of the library:
 * a bit writer, canonical codes from code lengths, stored / fixed /
 * dynamic block headers (the dynamic header's code lengths run-length
 * coded as the caller asks, so headers with odd repeats can be built),
 * symbols, a length-limited Huffman code builder and a greedy LZ77
 * compressor.  Enough to build any stream by hand, valid or not, and big
 * streams that reach every decoder path, with no zlib (the big-endian and
 * 32-bit runs have none).
 */
#ifndef WSX_TEST_DEFLATE_WRITER_H
#define WSX_TEST_DEFLATE_WRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct dw {
    uint8_t *buf;
    size_t cap, len; /* bytes written; writes past cap are dropped */
    uint32_t acc;    /* pending bits, first bit lowest */
    unsigned n;      /* how many */
} dw;

/* A code: the length and the canonical code of each symbol. */
typedef struct dw_code {
    uint8_t len[288];
    uint16_t code[288];
    unsigned n;
} dw_code;

static inline void dw_init(dw *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->acc = 0;
    w->n = 0;
}

static inline void dw_byte(dw *w, unsigned b)
{
    if (w->len < w->cap)
        w->buf[w->len] = (uint8_t)b;
    w->len++;
}

/* n <= 24 bits of v, lowest first. */
static inline void dw_bits(dw *w, uint32_t v, unsigned n)
{
    w->acc |= (v & ((1u << n) - 1u)) << w->n;
    w->n += n;
    while (w->n >= 8) {
        dw_byte(w, w->acc & 0xff);
        w->acc >>= 8;
        w->n -= 8;
    }
}

/* Pads with zero bits to a byte boundary. */
static inline void dw_align(dw *w)
{
    if (w->n)
        dw_bits(w, 0, 8 - w->n);
}

/* A Huffman code: its top bit first. */
static inline void dw_huff(dw *w, unsigned code, unsigned len)
{
    while (len--)
        dw_bits(w, (code >> len) & 1u, 1);
}

/* Canonical codes (RFC 1951 3.2.2) for c->len[0..n). */
static inline void dw_make_code(dw_code *c, unsigned n)
{
    unsigned count[16] = {0}, next[16], code = 0, i, l;
    c->n = n;
    for (i = 0; i < n; i++)
        count[c->len[i]]++;
    count[0] = 0;
    for (l = 1; l < 16; l++) {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    for (i = 0; i < n; i++)
        c->code[i] = c->len[i] ? (uint16_t)next[c->len[i]]++ : 0;
}

static inline void dw_sym(dw *w, const dw_code *c, unsigned sym)
{
    dw_huff(w, c->code[sym], c->len[sym]);
}

/* The fixed codes (RFC 1951 3.2.6). */
static inline void dw_fixed_codes(dw_code *lit, dw_code *dist)
{
    unsigned i;
    for (i = 0; i < 288; i++)
        lit->len[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    dw_make_code(lit, 288);
    for (i = 0; i < 32; i++)
        dist->len[i] = 5;
    dw_make_code(dist, 32);
}

/* Length symbol and extra bits for a match length 3..258. */
static inline unsigned dw_len_sym(unsigned len, unsigned *extra, unsigned *xbits)
{
    static const uint16_t base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t bits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                     2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    unsigned s = 28;
    while (base[s] > len)
        s--;
    *extra = len - base[s];
    *xbits = bits[s];
    return 257 + s;
}

/* Distance symbol and extra bits for a distance 1..32768. */
static inline unsigned dw_dist_sym(unsigned d, unsigned *extra, unsigned *xbits)
{
    static const uint16_t base[30] = {
        1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
        193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    unsigned s = 29;
    while (base[s] > d)
        s--;
    *extra = d - base[s];
    *xbits = s < 4 ? 0 : (s >> 1) - 1;
    return s;
}

static inline void dw_match(dw *w, const dw_code *lit, const dw_code *dist, unsigned len,
                            unsigned d)
{
    unsigned x, xb, s = dw_len_sym(len, &x, &xb);
    dw_sym(w, lit, s);
    dw_bits(w, x, xb);
    s = dw_dist_sym(d, &x, &xb);
    dw_sym(w, dist, s);
    dw_bits(w, x, xb);
}

/* A whole stored block. */
static inline void dw_stored(dw *w, int final, const uint8_t *p, size_t n)
{
    size_t i;
    dw_bits(w, final ? 1 : 0, 1);
    dw_bits(w, 0, 2);
    dw_align(w);
    dw_bits(w, (uint32_t)n & 0xffff, 16);
    dw_bits(w, ~(uint32_t)n & 0xffff, 16);
    for (i = 0; i < n; i++)
        dw_byte(w, p[i]);
}

/* Huffman code lengths of at most maxlen bits for freq[0..n) (0: no
 * code); a lone used symbol gets 1 bit.  Frequencies are halved until the
 * longest code fits. */
static inline void dw_huffman_lengths(const uint32_t *freq_in, unsigned n, unsigned maxlen,
                                      uint8_t *lens)
{
    uint32_t freq[288], w[2 * 288];
    int parent[2 * 288], alive[2 * 288];
    unsigned i, used = 0;
    memcpy(freq, freq_in, n * sizeof freq[0]);
    for (;;) {
        unsigned nodes = n, max = 0;
        used = 0;
        for (i = 0; i < n; i++) {
            w[i] = freq[i];
            alive[i] = freq[i] != 0;
            parent[i] = -1;
            used += alive[i];
            lens[i] = 0;
        }
        if (used <= 1) {
            for (i = 0; i < n; i++)
                lens[i] = (uint8_t)(freq[i] ? 1 : 0);
            return;
        }
        for (;;) {
            int a = -1, b = -1;
            for (i = 0; i < nodes; i++) {
                if (!alive[i])
                    continue;
                if (a < 0 || w[i] < w[a]) {
                    b = a;
                    a = (int)i;
                } else if (b < 0 || w[i] < w[b]) {
                    b = (int)i;
                }
            }
            if (b < 0)
                break;
            w[nodes] = w[a] + w[b];
            alive[nodes] = 1;
            parent[nodes] = -1;
            alive[a] = alive[b] = 0;
            parent[a] = parent[b] = (int)nodes;
            nodes++;
        }
        for (i = 0; i < n; i++) {
            unsigned d = 0;
            int p = (int)i;
            if (!freq[i])
                continue;
            while (parent[p] >= 0) {
                p = parent[p];
                d++;
            }
            lens[i] = (uint8_t)d;
            if (d > max)
                max = d;
        }
        if (max <= maxlen)
            return;
        for (i = 0; i < n; i++)
            if (freq[i])
                freq[i] = (freq[i] + 1) / 2;
    }
}

/* A dynamic block header for lit->len[0..nlen), dist->len[0..ndist),
 * their lengths run-length coded with symbols 16-18 where they pay. */
static inline void dw_dynamic_header(dw *w, int final, const dw_code *lit, unsigned nlen,
                                     const dw_code *dist, unsigned ndist)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t all[320], rle_sym[320], rle_x[320];
    uint32_t freq[19] = {0};
    dw_code pre;
    unsigned n = nlen + ndist, i = 0, k = 0, nclen = 19;
    memcpy(all, lit->len, nlen);
    memcpy(all + nlen, dist->len, ndist);
    while (i < n) {
        unsigned run = 1;
        while (i + run < n && all[i + run] == all[i])
            run++;
        if (all[i] == 0 && run >= 3) {
            unsigned r = run > 138 ? 138 : run;
            rle_sym[k] = (uint8_t)(r >= 11 ? 18 : 17);
            rle_x[k++] = (uint8_t)(r >= 11 ? r - 11 : r - 3);
            i += r;
        } else if (i > 0 && all[i] == all[i - 1] && run >= 3) {
            unsigned r = run > 6 ? 6 : run;
            rle_sym[k] = 16;
            rle_x[k++] = (uint8_t)(r - 3);
            i += r;
        } else {
            rle_sym[k] = all[i];
            rle_x[k++] = 0;
            i++;
        }
    }
    for (i = 0; i < k; i++)
        freq[rle_sym[i]]++;
    memset(&pre, 0, sizeof pre);
    dw_huffman_lengths(freq, 19, 7, pre.len);
    /* A lone precode symbol gets a 1-bit code: the code must be complete,
     * so give a second symbol the other bit. */
    {
        unsigned used = 0, other = 0;
        for (i = 0; i < 19; i++)
            used += pre.len[i] != 0;
        if (used == 1) {
            while (pre.len[other])
                other++;
            pre.len[other] = 1;
        }
    }
    dw_make_code(&pre, 19);
    while (nclen > 4 && pre.len[order[nclen - 1]] == 0)
        nclen--;
    dw_bits(w, final ? 1 : 0, 1);
    dw_bits(w, 2, 2);
    dw_bits(w, nlen - 257, 5);
    dw_bits(w, ndist - 1, 5);
    dw_bits(w, nclen - 4, 4);
    for (i = 0; i < nclen; i++)
        dw_bits(w, pre.len[order[i]], 3);
    for (i = 0; i < k; i++) {
        dw_sym(w, &pre, rle_sym[i]);
        if (rle_sym[i] >= 16)
            dw_bits(w, rle_x[i], rle_sym[i] == 16 ? 2 : rle_sym[i] == 17 ? 3 : 7);
    }
}

/* ---- greedy LZ77 --------------------------------------------------------- */

/* A token: a literal (dist 0xffff) or a match. */
typedef struct dw_token {
    uint16_t len_or_lit;
    uint16_t dist;
} dw_token;

/* Tokens for src[0..n) with distances <= 2^window_bits (at most max_chain
 * candidates per position).  Returns the token count (tokens has n slots). */
static inline size_t dw_lz77(const uint8_t *src, size_t n, unsigned window_bits, unsigned max_chain,
                             dw_token *tokens)
{
    enum { HBITS = 15 };
    size_t wsize = (size_t)1 << window_bits, i = 0, k = 0;
    int32_t *head = (int32_t *)malloc(sizeof(int32_t) << HBITS);
    int32_t *prev = (int32_t *)malloc(sizeof(int32_t) * (n ? n : 1));
    for (i = 0; i < (1u << HBITS); i++)
        head[i] = -1;
    i = 0;
    while (i < n) {
        size_t best = 0, best_d = 0;
        if (i + 3 <= n) {
            unsigned h = ((unsigned)src[i] << 10 ^ (unsigned)src[i + 1] << 5 ^ src[i + 2]) &
                         ((1u << HBITS) - 1);
            int32_t c = head[h];
            unsigned chain = max_chain;
            while (c >= 0 && chain-- && i - (size_t)c <= wsize) {
                size_t l = 0;
                while (l < 258 && i + l < n && src[c + l] == src[i + l])
                    l++;
                if (l > best) {
                    best = l;
                    best_d = i - (size_t)c;
                }
                c = prev[c];
            }
            prev[i] = head[h];
            head[h] = (int32_t)i;
        }
        if (best >= 3) {
            size_t j;
            tokens[k].len_or_lit = (uint16_t)best;
            tokens[k++].dist = (uint16_t)best_d;
            for (j = 1; j < best; j++) {
                size_t p = i + j;
                if (p + 3 <= n) {
                    unsigned h = ((unsigned)src[p] << 10 ^ (unsigned)src[p + 1] << 5 ^ src[p + 2]) &
                                 ((1u << HBITS) - 1);
                    prev[p] = head[h];
                    head[h] = (int32_t)p;
                }
            }
            i += best;
        } else {
            tokens[k].len_or_lit = src[i++];
            tokens[k++].dist = 0xffff; /* literal */
        }
    }
    free(head);
    free(prev);
    return k;
}

/* Writes tokens as one block: mode 1 fixed codes, 2 dynamic codes. */
static inline void dw_block(dw *w, int final, int mode, const dw_token *t, size_t k)
{
    dw_code lit, dist;
    size_t i;
    if (mode == 1) {
        dw_fixed_codes(&lit, &dist);
        dw_bits(w, final ? 1 : 0, 1);
        dw_bits(w, 1, 2);
    } else {
        uint32_t lf[286] = {0}, df[30] = {0};
        unsigned nlen = 286, ndist = 30, x, xb;
        memset(&lit, 0, sizeof lit);
        memset(&dist, 0, sizeof dist);
        for (i = 0; i < k; i++) {
            if (t[i].dist == 0xffff) {
                lf[t[i].len_or_lit]++;
            } else {
                lf[dw_len_sym(t[i].len_or_lit, &x, &xb)]++;
                df[dw_dist_sym(t[i].dist, &x, &xb)]++;
            }
        }
        lf[256] = 1;
        dw_huffman_lengths(lf, 286, 15, lit.len);
        dw_huffman_lengths(df, 30, 15, dist.len);
        while (nlen > 257 && !lit.len[nlen - 1])
            nlen--;
        while (ndist > 1 && !dist.len[ndist - 1])
            ndist--;
        dw_make_code(&lit, 286);
        dw_make_code(&dist, 30);
        dw_dynamic_header(w, final, &lit, nlen, &dist, ndist);
    }
    for (i = 0; i < k; i++) {
        if (t[i].dist == 0xffff)
            dw_sym(w, &lit, t[i].len_or_lit);
        else
            dw_match(w, &lit, &dist, t[i].len_or_lit, t[i].dist);
    }
    dw_sym(w, &lit, 256);
}

/* A whole stream for src[0..n): blocks of up to block tokens, each mode
 * 0 stored (block bytes), 1 fixed, 2 dynamic, 3 alternating; the last
 * block final.  Returns the stream length (out must hold it: n + n / 8 +
 * 1024 is enough). */
static inline size_t dw_compress(const uint8_t *src, size_t n, unsigned window_bits, int mode,
                                 size_t block, uint8_t *out, size_t cap)
{
    dw w;
    dw_init(&w, out, cap);
    if (mode == 0) {
        size_t off = 0;
        do {
            size_t len = n - off < block ? n - off : block;
            if (len > 65535)
                len = 65535;
            dw_stored(&w, off + len == n, src + off, len);
            off += len;
        } while (off < n);
    } else {
        dw_token *t = (dw_token *)malloc(sizeof(dw_token) * (n ? n : 1));
        size_t k = dw_lz77(src, n, window_bits, 32, t), i = 0, b = 0;
        do {
            size_t len = k - i < block ? k - i : block;
            dw_block(&w, i + len == k, mode == 3 ? 1 + (int)(b & 1) : mode, t + i, len);
            i += len;
            b++;
        } while (i < k);
        free(t);
    }
    dw_align(&w);
    return w.len;
}

#endif /* WSX_TEST_DEFLATE_WRITER_H */
