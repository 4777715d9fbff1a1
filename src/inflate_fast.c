/*
 * DEFLATE decoding, fast profile (the rules and the API: inflate.c).
 *
 * Codes are decoded with lookup tables: a root table indexed by the next
 * few input bits (as many as the longest code has, at most LBITS / DBITS:
 * the fixed code's table is 2 KB, small blocks' tables are quick to fill)
 * gives the symbol, its code length and, for
 * lengths and distances, the base value and extra bit count, so one
 * lookup and one shift decode a symbol with its extra bits; codes longer
 * than the root bits go through a subtable.  Input bits sit in a 64-bit
 * buffer refilled a word at a time.
 *
 * Two loops over compressed data: the fast loop runs while at least
 * FAST_IN input bytes and FAST_OUT bytes of room are left, so it checks
 * neither per symbol (it decodes up to three literals per refill and
 * copies matches 8 or 16 bytes at a time, past their end into the room);
 * the careful step decodes one symbol at a time near the ends of the
 * buffers.  Every step is all or nothing: a symbol (with a length, its
 * distance) is taken only when all its bits are in, so a call can stop
 * anywhere and the next one goes on.
 *
 * Bytes are read ahead into the bit buffer; when a call returns for room or
 * at a stream's end, whole bytes it read ahead go back to the caller (see
 * unread), so *in_used stops exactly after a stream's last byte.
 */
#include <string.h>
#include "inflate_fast.h"

#ifndef WSX_SMALL

/* The fast loop's margins: two refills of up to 8 bytes; two literals, a
 * 258-byte match and a 16-byte copy's overrun. */
#define FAST_IN 16
#define FAST_OUT 276

/* The entry for the code at the start of b. */
WSX__HOT uint32_t lookup(const uint32_t *t, unsigned root, uint64_t b)
{
    uint32_t e = t[(uint32_t)b & ((1u << root) - 1)];
    if (e & E_SUB)
        e = t[(e >> 16) + ((uint32_t)(b >> root) & ((1u << ((e >> 8) & 15u)) - 1))];
    return e;
}

WSX__HOT uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
#endif
}

WSX__HOT uint32_t load_le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* 1..7 bytes at p, the first lowest: two loads that may overlap, no
 * branch on k but one (a jump table here is a misprediction a message). */
WSX__HOT uint64_t load_le_short(const uint8_t *p, size_t k)
{
    if (k >= 4)
        return load_le32(p) | (uint64_t)load_le32(p + k - 4) << (8 * (k - 4));
    return (uint64_t)p[0] | (uint64_t)p[k >> 1] << (8 * (k >> 1)) |
           (uint64_t)p[k - 1] << (8 * (k - 1));
}

/* A match's len (>= 3) bytes from src to out when no byte of src within 8
 * of out is one this copy writes (src is 8 or more bytes back, or in the
 * window): whole words, the last one ending at the match's end, so that
 * nothing is written past it. */
WSX__HOT void copy_near(uint8_t *out, const uint8_t *src, uint32_t len)
{
    if (len >= 8) {
        uint32_t i;
        for (i = 0; len - i > 8; i += 8)
            memcpy(out + i, src + i, 8);
        memcpy(out + len - 8, src + len - 8, 8);
    } else if (len >= 4) {
        memcpy(out, src, 4);
        memcpy(out + len - 4, src + len - 4, 4);
    } else {
        out[0] = src[0];
        out[1] = src[1];
        out[2] = src[2];
    }
}

/* The bit buffer: bb holds bc bits (bits above bc are 0 or the next input
 * bits, never anything else). */
#define DROP(n) (bb >>= (n), bc -= (n))
/* At least 56 bits in, reading 8 bytes: in_end - in >= 8. */
#define REFILL_WORD() (bb |= load_le64(in) << bc, in += (63u - bc) >> 3, bc |= 56u)
/* As many bits as fit (>= 56) or as there are. */
#define REFILL()                         \
    do {                                 \
        if (in_end - in >= 8)            \
            REFILL_WORD();               \
        else if (in < in_end && bc < 56) \
            REFILL_TAIL();               \
    } while (0)
/* 1..7 bytes left: as many as fit; when the call's input has 8 bytes, one
 * load that ends at in_end (bytes past the ones taken are the next input
 * bits, which bits above bc may be). */
#define REFILL_TAIL()                                                        \
    do {                                                                     \
        size_t left_ = (size_t)(in_end - in), k_ = (63u - bc) >> 3;          \
        if (k_ > left_)                                                      \
            k_ = left_;                                                      \
        if (in_end - in_start >= 8)                                          \
            bb |= load_le64(in_end - 8) >> (64 - 8 * (unsigned)left_) << bc; \
        else                                                                 \
            bb |= load_le_short(in, k_) << bc;                               \
        in += k_;                                                            \
        bc += 8 * (unsigned)k_;                                              \
    } while (0)

/* Literals of a fixed-code block (RFC 1951 3.2.6: 8 or 9 bits, no
 * subtables) from *bb while two codes' bits are in and out has room for
 * two, two or three a step.  The table load is what each symbol waits for,
 * so the second's entry is loaded at both places it can start (8 or 9 bits
 * on) and the third's at all three, before the first is known; then the
 * right ones are picked.  e is the entry at the start of *bb, a literal.
 * Returns where out got to. */
WSX__HOT uint8_t *fixed_literals(const uint32_t *lt, uint64_t *bbp, unsigned *bcp, uint32_t e,
                                 uint8_t *out, const uint8_t *out_end)
{
    uint64_t bb = *bbp;
    unsigned bc = *bcp, two;
    do {
        uint32_t e8 = lt[(uint32_t)(bb >> 8) & 511], e9 = lt[(uint32_t)(bb >> 9) & 511];
        uint32_t d = e & 1 ? e9 : e8;
        out[0] = (uint8_t)(e >> 16);
        if (!(d & E_LIT)) {
            out++;
            DROP(e & 63);
            break;
        }
        out[1] = (uint8_t)(d >> 16);
        two = (e + d) & 63; /* bits 5-7 of an entry are 0 */
        if (bc >= 27 && out_end - out >= 3) {
            uint32_t e16 = lt[(uint32_t)(bb >> 16) & 511], e17 = lt[(uint32_t)(bb >> 17) & 511];
            uint32_t e18 = lt[(uint32_t)(bb >> 18) & 511];
            uint32_t t = two == 16 ? e16 : two == 17 ? e17 : e18;
            if (t & E_LIT) {
                out[2] = (uint8_t)(t >> 16);
                out += 3;
                DROP((two + t) & 63);
                e = lt[(uint32_t)bb & 511];
                continue;
            }
        }
        out += 2;
        DROP(two);
        e = lt[(uint32_t)bb & 511];
    } while ((e & E_LIT) && bc >= 18 && out_end - out >= 2);
    *bbp = bb;
    *bcp = bc;
    return out;
}

/* wsx_inflate after its argument checks (in_start, out_start non-NULL). */
static int decode(wsx_inflater *z, const uint8_t *const in_start, const uint8_t *const in_end,
                  uint8_t *const out_start, uint8_t *const out_end, size_t *in_used,
                  size_t *out_len)
{
    const uint8_t *in = in_start;
    uint8_t *out = out_start;
    uint32_t *const lt = (uint32_t *)z->_tables, *const dt = lt + LSIZE;
    uint8_t *const lens = (uint8_t *)(dt + DSIZE);
    const uint8_t *const window = z->_window;
    const uint32_t wsize = (uint32_t)1 << z->_wbits, whave = z->_whave;
    uint64_t bb = z->_bitbuf;
    unsigned bc = z->_bitcount, lbits = z->_lbits, dbits = z->_dbits;
    uint32_t e, d, len, dist;
    unsigned n;
    int r;

    for (;;) {
        switch (z->_state) {
        case WSX__IST_HEADER:
            if (bc < 3)
                REFILL();
            if (bc < 3)
                goto need_input;
            z->_flags = (uint8_t)((z->_flags & ~WSX__IF_FINAL) | ((unsigned)bb & WSX__IF_FINAL));
            n = (unsigned)(bb >> 1) & 3;
            DROP(3);
            if (n == 0) {
                z->_state = WSX__IST_STORED_LEN;
            } else if (n == 1) {
                if (!(z->_flags & WSX__IF_FIXED))
                    wsx__inflate_load_fixed(z, lt, dt, lens);
                lbits = z->_lbits;
                dbits = z->_dbits;
                z->_state = WSX__IST_CODES;
            } else if (n == 2) {
                z->_state = WSX__IST_DYN_COUNTS;
            } else {
                r = WSX_E_INFLATE_BLOCK_TYPE;
                goto fail;
            }
            continue;

        case WSX__IST_STORED_LEN:
            DROP(bc & 7); /* to a byte boundary */
            if (bc < 32)
                REFILL();
            if (bc < 32)
                goto need_input;
            len = (uint32_t)bb & 0xffff;
            if (((uint32_t)(bb >> 16) & 0xffff) != (len ^ 0xffff)) {
                r = WSX_E_INFLATE_STORED_LENGTH;
                goto fail;
            }
            DROP(32);
            z->_len = len;
            z->_state = WSX__IST_STORED;
            continue;

        case WSX__IST_STORED: {
            size_t k;
            while (z->_len && bc >= 8 && out < out_end) { /* bytes read ahead */
                *out++ = (uint8_t)bb;
                DROP(8);
                z->_len--;
            }
            bb &= ((uint64_t)1 << bc) - 1; /* bc is 0 here unless the block is done */
            k = z->_len;
            if (k > (size_t)(in_end - in))
                k = (size_t)(in_end - in);
            if (k > (size_t)(out_end - out))
                k = (size_t)(out_end - out);
            if (k)
                memcpy(out, in, k);
            in += k;
            out += k;
            z->_len -= (uint32_t)k;
            if (z->_len) {
                if (out == out_end)
                    goto output_full;
                goto need_input;
            }
            goto block_end;
        }

        case WSX__IST_DYN_COUNTS:
            if (bc < 14)
                REFILL();
            if (bc < 14)
                goto need_input;
            r = wsx__inflate_dyn_counts(z, (unsigned)bb);
            if (r)
                goto fail;
            DROP(14);
            continue;

        case WSX__IST_DYN_CLENS: {
            uint16_t count[16];
            while (z->_have < z->_nclen) {
                if (bc < 3)
                    REFILL();
                if (bc < 3)
                    goto need_input;
                lens[wsx__inflate_clen_order[z->_have++]] = (uint8_t)(bb & 7);
                DROP(3);
            }
            r = wsx__inflate_clens_end(z, lens, count);
            if (r)
                goto fail;
            z->_dbits = (uint8_t)wsx__inflate_build(dt, CBITS, lens, 19, count,
                                                    K_CLEN); /* over the distances' */
            z->_flags &= (uint8_t)~WSX__IF_FIXED;
            z->_have = 0;
            z->_state = WSX__IST_DYN_LENS;
            continue;
        }

        case WSX__IST_DYN_LENS: {
            uint16_t lcount[16], dcount[16];
            unsigned total = (unsigned)z->_nlen + z->_ndist;
            while (z->_have < total) {
                unsigned sym, xb;
                if (bc < 14)
                    REFILL();
                e = dt[(uint32_t)bb & ((1u << z->_dbits) - 1)];
                n = e & 31;
                if (n > bc)
                    goto need_input;
                sym = e >> 16;
                if (sym < 16) {
                    lens[z->_have++] = (uint8_t)sym;
                    DROP(n);
                    continue;
                }
                xb = WSX__CLEN_EXTRA(sym);
                if (n + xb > bc)
                    goto need_input;
                r = wsx__inflate_put_lens(z, lens, sym, (unsigned)(bb >> n) & ((1u << xb) - 1));
                if (r)
                    goto fail;
                DROP(n + xb);
            }
            r = wsx__inflate_check_lens(z, lens, lcount, dcount);
            if (r)
                goto fail;
            lbits = z->_lbits =
                (uint8_t)wsx__inflate_build(lt, LBITS, lens, z->_nlen, lcount, K_LITLEN);
            dbits = z->_dbits =
                (uint8_t)wsx__inflate_build(dt, DBITS, lens + z->_nlen, z->_ndist, dcount, K_DIST);
            z->_state = WSX__IST_CODES;
            continue;
        }

        case WSX__IST_COPY:
            goto copy;

        default: /* WSX__IST_CODES */
            break;
        }

        /* Compressed data: the fast loop, then (its margins only shrink)
         * the careful one. */
        while (in_end - in >= FAST_IN && out_end - out >= FAST_OUT) {
            size_t made;
            REFILL_WORD();
            e = lookup(lt, lbits, bb);
            if (e & E_LIT) { /* up to three literals: 45 of the >= 56 bits */
                DROP(e & 63);
                *out++ = (uint8_t)(e >> 16);
                e = lookup(lt, lbits, bb);
                if (e & E_LIT) {
                    DROP(e & 63);
                    *out++ = (uint8_t)(e >> 16);
                    e = lookup(lt, lbits, bb);
                    if (e & E_LIT) {
                        DROP(e & 63);
                        *out++ = (uint8_t)(e >> 16);
                        continue;
                    }
                }
            }
            if (e & E_EXC) {
                if (e & E_EOB) {
                    DROP(e & 63);
                    goto block_end;
                }
                r = WSX_E_INFLATE_LITLEN_SYMBOL;
                goto fail;
            }
            len = (e >> 16) + EXTRA(bb, e);
            DROP(e & 63);
            if (bc < 28)
                REFILL_WORD();
            d = lookup(dt, dbits, bb);
            if (d & E_EXC) {
                r = WSX_E_INFLATE_DIST_SYMBOL;
                goto fail;
            }
            dist = (d >> 16) + EXTRA(bb, d);
            DROP(d & 31);
            made = (size_t)(out - out_start);
            if (dist > wsize || dist > whave + made) {
                r = WSX_E_INFLATE_DIST_TOO_FAR;
                goto fail;
            }
            if (dist > made) { /* the part before this call's output */
                uint32_t back = dist - (uint32_t)made, at = (z->_wnext - back) & (wsize - 1);
                uint32_t k = len < back ? len : back;
                if (k > wsize - at) {
                    memcpy(out, window + at, wsize - at);
                    memcpy(out + (wsize - at), window, k - (wsize - at));
                } else {
                    memcpy(out, window + at, k);
                }
                out += k;
                len -= k;
                if (!len)
                    continue;
            }
            {
                uint8_t *end = out + len;
                const uint8_t *src = out - dist;
                if (dist >= 16) {
                    do {
                        memcpy(out, src, 16);
                        out += 16;
                        src += 16;
                    } while (out < end);
                } else if (dist >= 8) {
                    do {
                        memcpy(out, src, 8);
                        out += 8;
                        src += 8;
                    } while (out < end);
                } else if (dist == 1) {
                    memset(out, *src, len);
                } else {
                    do
                        *out++ = *src++;
                    while (out < end);
                }
                out = end;
            }
        }

        for (;;) {
            /* One symbol, with every check; literals of a fixed-code
             * block in runs (fixed_literals), of a dynamic one up to three
             * at a time while 8 input bytes are left (three codes' bits
             * are in) and out has room for them. */
            if (z->_flags & WSX__IF_FIXED) {
                /* No subtables, and the bits of a match (31) are in after
                 * this refill. */
                if (in_end - in >= 8)
                    REFILL_WORD();
                else if (in < in_end && bc < 56)
                    REFILL_TAIL();
                e = lt[(uint32_t)bb & 511];
                if ((e & E_LIT) && bc >= 18 && out_end - out >= 2) {
                    out = fixed_literals(lt, &bb, &bc, e, out, out_end);
                    continue;
                }
            } else if (in_end - in >= 8) {
                if (bc < 45)
                    REFILL_WORD();
                e = lookup(lt, lbits, bb);
                if ((e & E_LIT) && out_end - out >= 3) {
                    DROP(e & 63);
                    *out++ = (uint8_t)(e >> 16);
                    e = lookup(lt, lbits, bb);
                    if (e & E_LIT) {
                        DROP(e & 63);
                        *out++ = (uint8_t)(e >> 16);
                        e = lookup(lt, lbits, bb);
                        if (e & E_LIT) {
                            DROP(e & 63);
                            *out++ = (uint8_t)(e >> 16);
                            continue;
                        }
                    }
                }
            } else {
                if (bc < 20) /* a length code and its extra bits */
                    REFILL();
                e = lookup(lt, lbits, bb);
            }
            n = e & 31;
            if (n > bc)
                goto need_input;
            if (e & E_LIT) {
                if (out == out_end)
                    goto output_full;
                *out++ = (uint8_t)(e >> 16);
                DROP(n);
                continue;
            }
            if (e & E_EXC) {
                if (e & E_EOB) {
                    DROP(n);
                    goto block_end;
                }
                r = WSX_E_INFLATE_LITLEN_SYMBOL;
                goto fail;
            }
            len = (e >> 16) + EXTRA(bb, e);
            if (bc < 48)
                REFILL();
            d = lookup(dt, dbits, bb >> n);
            if (n + (d & 31) > bc)
                goto need_input;
            if (d & E_EXC) {
                r = WSX_E_INFLATE_DIST_SYMBOL;
                goto fail;
            }
            dist = (d >> 16) + EXTRA(bb >> n, d);
            if (dist > wsize || dist > whave + (size_t)(out - out_start)) {
                r = WSX_E_INFLATE_DIST_TOO_FAR;
                goto fail;
            }
            DROP(n + (d & 31));
            if (len <= (size_t)(out_end - out)) { /* short matches of small messages */
                size_t made = (size_t)(out - out_start);
                const uint8_t *src = out - dist;
                if (dist > made) { /* in the window, if it does not wrap there */
                    uint32_t back = dist - (uint32_t)made, at = (z->_wnext - back) & (wsize - 1);
                    src = len <= back && len <= wsize - at ? window + at : NULL;
                }
                if (src) {
                    if (dist >= 8 || dist > made) { /* no overlap within 8 bytes */
                        copy_near(out, src, len);
                        out += len;
                    } else {
                        uint8_t *end = out + len;
                        while (out < end)
                            *out++ = *src++;
                    }
                    continue;
                }
            }
            z->_len = len;
            z->_dist = dist;
            z->_state = WSX__IST_COPY;
            break;
        }

    copy:
        out = wsx__inflate_copy(z, out_start, out, out_end);
        if (z->_len)
            goto output_full;
        z->_state = WSX__IST_CODES;
        continue;

    block_end:
        z->_state = WSX__IST_HEADER;
        if (z->_flags & WSX__IF_FINAL) {
            DROP(bc & 7); /* a stream ends at a byte boundary */
            r = WSX_INFLATE_END;
            goto unread;
        }
    }

need_input:
    r = WSX_INFLATE_NEED_INPUT;
    goto done;
output_full:
    r = WSX_INFLATE_OUTPUT_FULL;
unread : {
    /* Whole bytes read ahead in this call go back to the caller.  (Bits
     * kept from an earlier call all belong to the symbol that call could
     * not finish, which this call took first.) */
    size_t k = bc >> 3;
    if (k > (size_t)(in - in_start))
        k = (size_t)(in - in_start);
    in -= k;
    bc -= 8 * (unsigned)k;
}
done:
    z->_bitbuf = bb & (((uint64_t)1 << bc) - 1);
    z->_bitcount = (uint8_t)bc;
    wsx__inflate_keep(z, out_start, (size_t)(out - out_start));
    *in_used = (size_t)(in - in_start);
    *out_len = (size_t)(out - out_start);
    return r;
fail:
    z->_error = r;
    return r;
}

int wsx_inflate(wsx_inflater *z, const void *in, size_t in_len, size_t *in_used, void *out,
                size_t out_cap, size_t *out_len)
{
    int r = wsx__inflate_begin(z, in, in_len, in_used, out, out_cap, out_len);
    const uint8_t *i;
    uint8_t *o;
    if (r != WSX_OK)
        return r;
    i = in ? (const uint8_t *)in : z->_window;
    o = out ? (uint8_t *)out : z->_window;
    return decode(z, i, i + in_len, o, o + out_cap, in_used, out_len);
}

#else
typedef int wsx__inflate_fast_unused_; /* WSX_SMALL: see inflate_small.c */
#endif /* !WSX_SMALL */
