/*
 * DEFLATE decoding, small profile (WSX_SMALL; the rules and the API:
 * inflate.c).
 *
 * Codes are decoded a bit at a time from their canonical form (RFC 1951
 * 3.2.2): per code, how many codes each length has and the symbols in code
 * order -- 1 KB of tables instead of 7, and little code.  Input bytes are
 * taken only when a step needs them; each step (a symbol with its extra
 * bits, a distance code, its extra bits) is taken whole or not at all, so
 * a call can stop anywhere and the next one goes on.
 */
#include <string.h>

#include "inflate_internal.h"

#ifdef WSX_SMALL

/* The tables: literal/length count[16] and symbols[288], distance
 * count[16] and symbols[32] (the code length code's in their place while
 * a header is read), then the code lengths. */
#define LCOUNT(z) ((uint16_t *)(z)->_tables)
#define LSYMS(z) (LCOUNT(z) + 16)
#define DCOUNT(z) (LSYMS(z) + 288)
#define DSYMS(z) (DCOUNT(z) + 16)
#define LENS(z) ((uint8_t *)(DSYMS(z) + 32))

typedef char wsx__inflate_small_layout_
    [(16 + 288 + 16 + 32) * 2 + WSX__MAX_LENS == WSX__INFLATE_TABLES ? 1 : -1];

#define NEED_BITS (-1) /* decode: not enough bits yet */
#define BAD_CODE (-2)  /* decode: an unused code of an incomplete code */

/* Input and bits of one call. */
typedef struct bits {
    const uint8_t *in, *end;
    uint32_t hold; /* first bit lowest */
    unsigned n;    /* bits in hold */
} bits;

/* 1 when b holds n <= 25 bits (taking bytes as needed), 0 when the input
 * ran out first. */
static int need(bits *b, unsigned n)
{
    while (b->n < n) {
        if (b->in == b->end)
            return 0;
        b->hold |= (uint32_t)*b->in++ << b->n;
        b->n += 8;
    }
    return 1;
}

static void drop(bits *b, unsigned n)
{
    b->hold = n < 32 ? b->hold >> n : 0;
    b->n -= n;
}

/* Orders the symbols of lens[0..n) by code (count: wsx__inflate_count). */
static void build(const uint16_t *count, uint16_t *syms, const uint8_t *lens, unsigned n)
{
    uint16_t offs[16];
    unsigned i;
    offs[1] = 0;
    for (i = 1; i < 15; i++)
        offs[i + 1] = (uint16_t)(offs[i] + count[i]);
    for (i = 0; i < n; i++)
        if (lens[i])
            syms[offs[lens[i]]++] = (uint16_t)i;
}

/* The next symbol (its code length in *used, nothing taken), NEED_BITS
 * when the input ran out first, or BAD_CODE. */
static int decode(bits *b, const uint16_t *count, const uint16_t *syms, unsigned *used)
{
    int code = 0, first = 0, index = 0, rest = count[0];
    unsigned len;
    for (len = 1; len < 16; len++) {
        int c = count[len];
        if (!need(b, len))
            return NEED_BITS;
        code |= (int)(b->hold >> (len - 1)) & 1; /* codes start with their top bit */
        if (code - first < c) {
            *used = len;
            return syms[index + code - first];
        }
        rest -= c;
        if (rest == 0)
            break; /* no longer code: the bits so far are no code's */
        index += c;
        first = (first + c) << 1;
        code <<= 1;
    }
    return BAD_CODE;
}

int wsx_inflate(wsx_inflater *z, const void *in_buf, size_t in_len, size_t *in_used, void *out_buf,
                size_t out_cap, size_t *out_len)
{
    int r = wsx__inflate_begin(z, in_buf, in_len, in_used, out_buf, out_cap, out_len);
    const uint8_t *in_start;
    uint8_t *out_start, *out_end, *out, *lens;
    bits b;
    unsigned used = 0, x; /* decode sets it with every symbol it returns */
    int sym;

    if (r != WSX_OK)
        return r;
    in_start = in_buf ? (const uint8_t *)in_buf : z->_window;
    out = out_start = out_buf ? (uint8_t *)out_buf : z->_window;
    out_end = out_start + out_cap;
    lens = LENS(z);
    b.in = in_start;
    b.end = in_start + in_len;
    b.hold = (uint32_t)z->_bitbuf;
    b.n = z->_bitcount;
    for (;;) {
        switch (z->_state) {
        case WSX__IST_HEADER:
            if (!need(&b, 3))
                goto need_input;
            z->_flags = (uint8_t)((z->_flags & ~WSX__IF_FINAL) | (b.hold & WSX__IF_FINAL));
            x = (b.hold >> 1) & 3;
            drop(&b, 3);
            if (x == 0) {
                z->_state = WSX__IST_STORED_LEN;
            } else if (x == 1) {
                if (!(z->_flags & WSX__IF_FIXED)) {
                    wsx__inflate_fixed_lens(lens);
                    wsx__inflate_count(lens, 288, LCOUNT(z));
                    build(LCOUNT(z), LSYMS(z), lens, 288);
                    wsx__inflate_count(lens + 288, 32, DCOUNT(z));
                    build(DCOUNT(z), DSYMS(z), lens + 288, 32);
                    z->_flags |= WSX__IF_FIXED;
                }
                z->_state = WSX__IST_CODES;
            } else if (x == 2) {
                z->_state = WSX__IST_DYN_COUNTS;
            } else {
                r = WSX_E_INFLATE_BLOCK_TYPE;
                goto fail;
            }
            break;

        case WSX__IST_STORED_LEN:
            drop(&b, b.n & 7); /* to a byte boundary: then b.n is 0..24 */
            if (b.n < 32) {    /* need() takes up to 25 bits: the 4th byte by hand */
                if (!need(&b, 24) || b.in == b.end)
                    goto need_input;
                b.hold |= (uint32_t)*b.in++ << 24;
                b.n = 32;
            }
            if ((b.hold >> 16) != (~b.hold & 0xffff)) {
                r = WSX_E_INFLATE_STORED_LENGTH;
                goto fail;
            }
            z->_len = b.hold & 0xffff;
            drop(&b, 32);
            z->_state = WSX__IST_STORED;
            break;

        case WSX__IST_STORED:
            while (z->_len && out < out_end && b.in < b.end) {
                *out++ = *b.in++;
                z->_len--;
            }
            if (z->_len) {
                if (out == out_end)
                    goto output_full;
                goto need_input;
            }
            goto block_end;

        case WSX__IST_DYN_COUNTS:
            if (!need(&b, 14))
                goto need_input;
            r = wsx__inflate_dyn_counts(z, b.hold);
            if (r)
                goto fail;
            drop(&b, 14);
            break;

        case WSX__IST_DYN_CLENS:
            while (z->_have < z->_nclen) {
                if (!need(&b, 3))
                    goto need_input;
                lens[wsx__inflate_clen_order[z->_have++]] = (uint8_t)(b.hold & 7);
                drop(&b, 3);
            }
            r = wsx__inflate_clens_end(z, lens, DCOUNT(z));
            if (r)
                goto fail;
            build(DCOUNT(z), DSYMS(z), lens, 19);
            z->_flags &= (uint8_t)~WSX__IF_FIXED;
            z->_have = 0;
            z->_state = WSX__IST_DYN_LENS;
            break;

        case WSX__IST_DYN_LENS:
            while (z->_have < (unsigned)z->_nlen + z->_ndist) {
                sym = decode(&b, DCOUNT(z), DSYMS(z), &used);
                if (sym == NEED_BITS)
                    goto need_input;
                x = WSX__CLEN_EXTRA((unsigned)sym);
                if (!need(&b, used + x))
                    goto need_input;
                r = wsx__inflate_put_lens(z, lens, (unsigned)sym,
                                          (b.hold >> used) & ((1u << x) - 1));
                if (r)
                    goto fail;
                drop(&b, used + x);
            }
            r = wsx__inflate_check_lens(z, lens, LCOUNT(z), DCOUNT(z));
            if (r)
                goto fail;
            build(LCOUNT(z), LSYMS(z), lens, z->_nlen);
            build(DCOUNT(z), DSYMS(z), lens + z->_nlen, z->_ndist);
            z->_state = WSX__IST_CODES;
            break;

        case WSX__IST_CODES:
            sym = decode(&b, LCOUNT(z), LSYMS(z), &used);
            if (sym == NEED_BITS)
                goto need_input;
            if (sym < 256 && sym >= 0) {
                if (out == out_end)
                    goto output_full;
                *out++ = (uint8_t)sym;
                drop(&b, used);
                break;
            }
            if (sym == 256) {
                drop(&b, used);
                goto block_end;
            }
            if (sym < 0 || sym > 285) {
                r = WSX_E_INFLATE_LITLEN_SYMBOL;
                goto fail;
            }
            x = WSX__LEN_EXTRA((unsigned)sym);
            if (!need(&b, used + x))
                goto need_input;
            z->_len = WSX__LEN_BASE((unsigned)sym) + ((b.hold >> used) & ((1u << x) - 1));
            drop(&b, used + x);
            z->_state = WSX__IST_DIST;
            break;

        case WSX__IST_DIST:
            sym = decode(&b, DCOUNT(z), DSYMS(z), &used);
            if (sym == NEED_BITS)
                goto need_input;
            if (sym < 0 || sym >= 30) {
                r = WSX_E_INFLATE_DIST_SYMBOL;
                goto fail;
            }
            drop(&b, used);
            z->_dist = WSX__DIST_BASE((unsigned)sym);
            z->_extra = (uint8_t)WSX__DIST_EXTRA((unsigned)sym);
            z->_state = WSX__IST_DIST_EXTRA;
            break;

        case WSX__IST_DIST_EXTRA:
            if (!need(&b, z->_extra))
                goto need_input;
            z->_dist += b.hold & ((1u << z->_extra) - 1);
            drop(&b, z->_extra);
            if (z->_dist > (uint32_t)1 << z->_wbits ||
                z->_dist > z->_whave + (size_t)(out - out_start)) {
                r = WSX_E_INFLATE_DIST_TOO_FAR;
                goto fail;
            }
            z->_state = WSX__IST_COPY;
            break;

        default: /* WSX__IST_COPY */
            out = wsx__inflate_copy(z, out_start, out, out_end);
            if (z->_len)
                goto output_full;
            z->_state = WSX__IST_CODES;
            break;
        }
        continue;

    block_end:
        z->_state = WSX__IST_HEADER;
        if (z->_flags & WSX__IF_FINAL) {
            drop(&b, b.n & 7); /* a stream ends at a byte boundary */
            r = WSX_INFLATE_END;
            goto done;
        }
    }

need_input:
    r = WSX_INFLATE_NEED_INPUT;
    goto done;
output_full:
    r = WSX_INFLATE_OUTPUT_FULL;
    /* Whole bytes a peeked symbol took go back, as in the fast profile. */
    while (b.n >= 8 && b.in > in_start) {
        b.in--;
        b.n -= 8;
    }
    b.hold &= b.n < 32 ? (1u << b.n) - 1 : ~0u;
done:
    z->_bitbuf = b.hold;
    z->_bitcount = (uint8_t)b.n;
    wsx__inflate_keep(z, out_start, (size_t)(out - out_start));
    *in_used = (size_t)(b.in - in_start);
    *out_len = (size_t)(out - out_start);
    return r;
fail:
    z->_error = r;
    return r;
}

#else
typedef int wsx__inflate_small_unused_; /* the fast profile: see inflate_fast.c */
#endif /* WSX_SMALL */
