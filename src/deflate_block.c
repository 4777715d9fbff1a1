/*
 * DEFLATE compressor (RFC 1951), block writing: the coding of a block
 * (stored, fixed or dynamic Huffman codes, whichever takes fewer bits),
 * its codes, and the bit output that writes it phase by phase, stopping
 * whenever out is full.
 */
#include <string.h>

#include "deflate_internal.h"
/* ---- Huffman codes ------------------------------------------------------ */

/*
 * Code lengths of at most max_bits for freq[0..n) into lens[0..n) (0 for
 * unused symbols): a minimum-redundancy code (Moffat and Katajainen's
 * in-place method over the symbols sorted by frequency), then lengths over
 * max_bits cut and the Kraft sum repaired by moving leaves down.  At least
 * two symbols get a code, so every code is complete.  Returns the bits the
 * symbols take; sets bit L of *lengths_used for each length L given.
 */
static uint32_t build_lengths(wsx_deflater *d, const uint16_t *freq, unsigned n, unsigned max_bits,
                              uint8_t *lens, unsigned *lengths_used)
{
    uint16_t *a = d->_work, *order = d->_work + 288;
    unsigned used = 0, i, j, count[16], kraft = 0;
    uint32_t bits = 0;
    int root, next, leaf, avail, depth, inner;
    for (i = 0; i < n; i++) {
        lens[i] = 0;
        if (!freq[i])
            continue;
        for (j = used; j > 0 && freq[order[j - 1]] > freq[i]; j--)
            order[j] = order[j - 1];
        order[j] = (uint16_t)i;
        used++;
    }
    /* Unused symbols 0 or 1 fill up to two (first: frequency 0). */
    for (; used < 2; used++) {
        order[1] = order[0];
        order[0] = (uint16_t)(used && order[1] == 0);
    }
    for (i = 0; i < used; i++)
        a[i] = freq[order[i]];
    /* Each internal node takes the two smallest of the unused leaves
     * (from leaf on) and the unused internal nodes (from root on). */
    for (next = 0, leaf = 0, root = 0; next < (int)used - 1; next++) {
        for (j = 0; j < 2; j++) {
            unsigned v;
            if (leaf >= (int)used || (root < next && a[root] < a[leaf])) {
                v = a[root];
                a[root++] = (uint16_t)next;
            } else {
                v = a[leaf++];
            }
            a[next] = (uint16_t)(j ? a[next] + v : v);
        }
    }
    /* Depths of the internal nodes, then of the leaves. */
    a[used - 2] = 0;
    for (next = (int)used - 3; next >= 0; next--)
        a[next] = (uint16_t)(a[a[next]] + 1);
    avail = 1;
    depth = 0;
    root = (int)used - 2;
    next = (int)used - 1;
    while (avail > 0) {
        for (inner = 0; root >= 0 && a[root] == depth; root--)
            inner++;
        for (; avail > inner; avail--)
            a[next--] = (uint16_t)depth;
        avail = 2 * inner;
        depth++;
    }
    memset(count, 0, sizeof count);
    for (i = 0; i < used; i++) {
        unsigned len = a[i] < max_bits ? a[i] : max_bits;
        count[len]++;
        kraft += 1u << (max_bits - len);
    }
    while (kraft > 1u << max_bits) {
        count[max_bits]--;
        for (i = max_bits - 1; count[i] == 0; i--)
            ;
        count[i]--;
        count[i + 1] += 2;
        kraft--;
    }
    /* The least frequent symbols (first in order) get the longest codes. */
    for (j = 0, i = max_bits; i > 0; i--) {
        if (count[i])
            *lengths_used |= 1u << i;
        for (; count[i] > 0; count[i]--) {
            bits += (uint32_t)freq[order[j]] * i;
            lens[order[j++]] = (uint8_t)i;
        }
    }
    return bits;
}

/* Canonical codes (section 3.2.2) for lens[0..n), bit-reversed for
 * LSB-first output: codes[i] = length << 16 | code. */
static void make_codes(const uint8_t *lens, unsigned n, uint32_t *codes)
{
    unsigned count[16], next[16], i, code = 0;
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++)
        count[lens[i]]++;
    count[0] = 0;
    for (i = 1; i < 16; i++) {
        code = (code + count[i - 1]) << 1;
        next[i] = code;
    }
    for (i = 0; i < n; i++) {
        unsigned len = lens[i], c = len ? next[len]++ : 0, r = 0, k;
        for (k = 0; k < len; k++, c >>= 1)
            r = r << 1 | (c & 1);
        codes[i] = (uint32_t)len << 16 | r;
    }
}

static uint8_t *lens_of(const wsx_deflater *d) { return (uint8_t *)(d->_work + 576); }

WSX__SMALL_NOINLINE static void fixed_lengths(uint8_t *lens)
{
    unsigned i;
    for (i = 0; i < 288; i++)
        lens[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    for (; i < 288 + 32; i++)
        lens[i] = 5;
}

/* Extra bits of code-length symbol s (16: 2, 17: 3, 18: 7). */
static unsigned clen_extra(unsigned s) { return s < 16 ? 0 : s == 18 ? 7 : s - 14; }

/* Run-length codes (section 3.2.7) of lens[0..n) into _rle, counted in
 * _freq[CLEN..].  Returns how many. */
WSX__SMALL_NOINLINE static unsigned rle_lengths(wsx_deflater *d, const uint8_t *lens, unsigned n)
{
    uint16_t *f = d->_freq + CLEN;
    unsigned i = 0, k = 0;
    memset(f, 0, 19 * sizeof *f);
    while (i < n) {
        unsigned v = lens[i], run = 1, s = v, take = 1, extra = 0;
        while (i + run < n && lens[i + run] == v)
            run++;
        if (run >= 3 && v == 0) { /* 17: 3..10 zeros, 18: 11..138 */
            take = run < 138 ? run : 138;
            s = take >= 11 ? 18 : 17;
            extra = take - (take >= 11 ? 11 : 3);
        } else if (run >= 3 && i > 0 && lens[i - 1] == v) { /* 16: 3..6 more */
            take = run < 6 ? run : 6;
            s = 16;
            extra = take - 3;
        }
        d->_rle[k++] = (uint16_t)(s | extra << 5);
        f[s]++;
        i += take;
    }
    return k;
}

static const uint8_t clen_order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                       11, 4,  12, 3, 13, 2, 14, 1, 15};

/* Bits of the dynamic block header after BFINAL/BTYPE, with the code
 * lengths in lens (literal/length then distance, contiguous). */
WSX__SMALL_NOINLINE static uint32_t dynamic_header(wsx_deflater *d, uint8_t *lens)
{
    uint8_t *cl = lens + CLEN;
    uint32_t bits;
    unsigned s, unused = 0;
    d->_nrle = rle_lengths(d, lens, (unsigned)d->_hlit + d->_hdist);
    build_lengths(d, d->_freq + CLEN, 19, 7, cl, &unused);
    d->_hclen = 19;
    while (d->_hclen > 4 && cl[clen_order[d->_hclen - 1]] == 0)
        d->_hclen--;
    bits = 14 + 3u * d->_hclen;
    for (s = 0; s < 19; s++)
        bits += (uint32_t)d->_freq[CLEN + s] * (cl[s] + clen_extra(s));
    return bits;
}

#ifndef WSX_SMALL
/* The fewest bits a dynamic header can take when the code lengths in
 * lengths_used (bit L for length L) are given: 14 bits of counts and 3 for
 * every code length code up to the last one used in clen_order. */
static uint32_t least_header(unsigned lengths_used)
{
    unsigned len, rank, hclen = 4;
    for (len = 1; len < 16; len++) {
        rank = len >= 8 ? 2 * (len - 8) + 4 : 2 * (8 - len) + 3;
        if (lengths_used >> len & 1 && rank >= hclen)
            hclen = rank + 1;
    }
    return 14 + 3 * hclen;
}
#endif

/* The coding of the current block with the fewest bits: 0 stored (only
 * while its bytes are still in the window), 1 fixed, 2 dynamic (then the
 * code lengths are in lens_of(d), _hlit, _hdist, and the header's codes in
 * _rle, _nrle, _hclen). */
unsigned wsx__deflate_choose(wsx_deflater *d)
{
    const uint16_t *f = d->_freq;
    uint8_t *lens = lens_of(d);
    uint32_t extra = 0, cost[3], matches = 0;
    unsigned s, best, lengths_used = 0;
    d->_freq[256] = 1; /* end of block */
    /* Extra bits (the same in both Huffman codings): length symbols
     * 265..284 (index 8..27) carry (index - 4) / 4, distance symbols
     * 4..29 s / 2 - 1. */
    for (s = 0; s < 30; s++) {
        matches += f[DIST + s];
        extra += (uint32_t)f[DIST + s] * (s < 4 ? 0 : s / 2 - 1);
        if (s >= 8 && s < 28)
            extra += (uint32_t)f[LIT + 257 + s] * ((s - 4) / 4);
    }
    /* A block that outlived a slide has lost its first bytes: _block_start
     * went "below 0" (it wraps; adding _block_len brings it back). */
    cost[0] = d->_block_start < d->_win_size
                  ? 8u * d->_block_len + 42u * (d->_block_len / 65535 + 1)
                  : 0xFFFFFFFFu;
    /* Fixed codes (section 3.2.6): 8 bits, but 9 for 144..255 and 7 for
     * 256..279; distances 5. */
    cost[1] = 3 + 8u * (d->_nsyms + 1) + 5 * matches + extra;
    for (s = 144; s < 280; s++)
        cost[1] += s < 256 ? f[LIT + s] : 0u - f[LIT + s];
    best = cost[0] < cost[1] ? 0 : 1;
#ifndef WSX_SMALL
    /* Fewer than 16 symbols use at most 16 codes, one of them at most 4
     * bits long (3 with fewer than 8): the header then sends at least 12
     * (14) code length codes of 3 bits, 17 bits of counts, 14 bits for the
     * 240-odd unused lengths, and each symbol takes a bit. */
    if (d->_nsyms < 16 && cost[best] <= extra + d->_nsyms + (d->_nsyms < 8 ? 74 : 68))
        return best;
#endif
    cost[2] = 3 + extra + build_lengths(d, f + LIT, 286, 15, lens, &lengths_used) +
              build_lengths(d, f + DIST, 30, 15, lens + DIST, &lengths_used);
#ifndef WSX_SMALL
    if (cost[2] + least_header(lengths_used) >= cost[best])
        return best;
#endif
    for (d->_hlit = 286; lens[d->_hlit - 1] == 0; d->_hlit--)
        ;
    for (d->_hdist = 30; lens[DIST + d->_hdist - 1] == 0; d->_hdist--)
        ;
    /* The header's run-length codes see one sequence of lengths. */
    memmove(lens + d->_hlit, lens + DIST, d->_hdist);
    cost[2] += dynamic_header(d, lens);
    return cost[2] < cost[best] ? 2 : best;
}

void wsx__deflate_plan(wsx_deflater *d, int final)
{
    uint8_t *lens = lens_of(d);
    d->_btype = (uint8_t)wsx__deflate_choose(d);
    d->_final = (uint8_t) final;
    d->_idx = 0;
    if (d->_btype == 0) {
        d->_left = d->_block_len;
        d->_chunk = 0;
        d->_phase = PH_STORED;
        return;
    }
    if (d->_btype == 2) {
        make_codes(lens, d->_hlit, d->_codes + LIT);
        make_codes(lens + d->_hlit, d->_hdist, d->_codes + DIST);
        make_codes(lens + CLEN, 19, d->_codes + CLEN);
        d->_fixed_codes = 0;
    } else if (!d->_fixed_codes) {
        fixed_lengths(lens);
        make_codes(lens, 288 + 32, d->_codes);
        d->_fixed_codes = 1;
    }
    d->_phase = PH_HEADER;
}

/* ---- bit output --------------------------------------------------------- */

/* Adds n bits (the caller keeps _nbits + n <= 64). */
WSX__HOT WSX__SMALL_NOINLINE void put_bits(wsx_deflater *d, uint64_t v, unsigned n)
{
    d->_bits |= v << d->_nbits;
    d->_nbits += n;
}

/* Adds a code (length << 16 | bits) and extra bits after it. */
WSX__SMALL_NOINLINE static void put_code(wsx_deflater *d, uint32_t code, unsigned extra,
                                         unsigned extra_bits)
{
    put_bits(d, (code & 0xFFFF) | (uint32_t)extra << (code >> 16), (code >> 16) + extra_bits);
}

/* Writes the whole bytes of the bit buffer; 1 when fewer than 8 bits are
 * left, 0 when out filled first. */
WSX__SMALL_NOINLINE static int drain(wsx_deflater *d, out_buf *o)
{
#ifdef FAST_LE
    if (o->cap - o->n >= 8) {
        memcpy(o->p + o->n, &d->_bits, 8);
        o->n += d->_nbits >> 3;
        d->_bits >>= d->_nbits & ~7u;
        d->_nbits &= 7;
        return 1;
    }
#endif
    while (d->_nbits >= 8) {
        if (o->n == o->cap)
            return 0;
        o->p[o->n++] = (uint8_t)d->_bits;
        d->_bits >>= 8;
        d->_nbits -= 8;
    }
    return 1;
}

/* Adds the codes of symbol record r (at most 48 bits). */
static void put_symbol(wsx_deflater *d, uint32_t r)
{
    unsigned eb, v = r & 255, i;
    if (r < 256) {
        put_code(d, d->_codes[LIT + r], 0, 0);
        return;
    }
    i = len_index(v, &eb);
    put_code(d, d->_codes[LIT + 257 + i], v & ((1u << eb) - 1), eb);
    v = (r >> 8) - 1;
    i = dist_index(v, &eb);
    put_code(d, d->_codes[DIST + i], v & ((1u << eb) - 1), eb);
}

#ifdef FAST_LE
/* put_symbol into a local bit buffer: the bits of r and their count. */
WSX__HOT unsigned sym_bits(const uint32_t *codes, uint32_t r, uint64_t *bits)
{
    uint32_t c;
    unsigned n, eb, v, i;
    if (r < 256) {
        c = codes[LIT + r];
        *bits = c & 0xFFFF;
        return c >> 16;
    }
    v = r & 255;
    i = len_index(v, &eb);
    c = codes[LIT + 257 + i];
    n = c >> 16;
    *bits = (c & 0xFFFF) | (uint64_t)(v & ((1u << eb) - 1)) << n;
    n += eb;
    v = (r >> 8) - 1;
    i = dist_index(v, &eb);
    c = codes[DIST + i];
    *bits |= (uint64_t)((c & 0xFFFF) | (v & ((1u << eb) - 1)) << (c >> 16)) << n;
    return n + (c >> 16) + eb;
}
#endif

/* Writes symbols _idx.._nsyms; 1 when done, 0 when out is full. */
static int emit_syms(wsx_deflater *d, out_buf *o)
{
    const uint32_t *syms = d->_syms;
    unsigned i = d->_idx, n = d->_nsyms;
#ifdef FAST_LE
    {
        uint64_t bits = d->_bits;
        unsigned nbits = d->_nbits;
        uint8_t *p = o->p + o->n;
        size_t room = o->cap - o->n;
        while (i < n && room >= 8) {
            uint64_t b;
            unsigned k = sym_bits(d->_codes, syms[i++], &b);
            bits |= b << nbits;
            nbits += k;
            memcpy(p, &bits, 8);
            p += nbits >> 3;
            room -= nbits >> 3;
            bits >>= nbits & ~7u;
            nbits &= 7;
        }
        d->_bits = bits;
        d->_nbits = nbits;
        o->n = o->cap - room;
    }
#endif
    for (; i < n; i++) {
        if (!drain(d, o)) {
            d->_idx = i;
            return 0;
        }
        put_symbol(d, syms[i]);
    }
    d->_idx = i;
    return 1;
}

/* The current block is written: the next one starts after it. */
static void end_block(wsx_deflater *d)
{
    d->_block_start += d->_block_len;
    d->_block_len = 0;
    d->_nsyms = 0;
    memset(d->_freq, 0, CLEN * sizeof *d->_freq);
}

/* One step of a stored block: a sub-block header, or raw bytes. */
static int emit_stored(wsx_deflater *d, out_buf *o)
{
    size_t n;
    if (d->_chunk == 0) {
        unsigned k = d->_left < 65535 ? d->_left : 65535;
        if (d->_left == 0) {
            d->_phase = PH_BLOCK_DONE;
            return 1;
        }
        put_bits(d, d->_final && k == d->_left, 3);
        d->_nbits = (d->_nbits + 7) & ~7u; /* section 3.2.4: to a byte boundary */
        put_bits(d, k | (uint32_t)(k ^ 0xFFFF) << 16, 32);
        d->_chunk = k;
        return 1;
    }
    n = o->cap - o->n < d->_chunk ? o->cap - o->n : d->_chunk;
    if (n == 0)
        return 0; /* no room: memcpy must not see a NULL o->p (size query) */
    memcpy(o->p + o->n, d->_win + d->_block_start + d->_block_len - d->_left, n);
    o->n += n;
    d->_left -= (unsigned)n;
    d->_chunk -= (unsigned)n;
    return d->_chunk == 0;
}

int wsx__deflate_emit(wsx_deflater *d, out_buf *o)
{
    for (;;) {
        uint32_t c;
        if (!drain(d, o))
            return 0;
        switch (d->_phase) {
        case PH_HEADER:
            put_bits(d, d->_final | (unsigned)d->_btype << 1, 3);
            if (d->_btype == 2) {
                put_bits(d, (d->_hlit - 257u) | (d->_hdist - 1u) << 5 | (d->_hclen - 4u) << 10, 14);
                d->_phase = PH_CLEN;
            } else {
                d->_phase = PH_SYMS;
            }
            break;
        case PH_CLEN:
            /* The code length code's lengths, then the run-length codes of
             * the literal/length and distance code lengths. */
            if (d->_idx < d->_hclen) {
                put_bits(d, d->_codes[CLEN + clen_order[d->_idx]] >> 16, 3);
            } else if (d->_idx < d->_hclen + d->_nrle) {
                c = d->_rle[d->_idx - d->_hclen];
                put_code(d, d->_codes[CLEN + (c & 31)], c >> 5, clen_extra(c & 31));
            } else {
                d->_idx = 0;
                d->_phase = PH_SYMS;
                break;
            }
            d->_idx++;
            break;
        case PH_SYMS:
            if (!emit_syms(d, o))
                return 0;
            d->_phase = PH_EOB;
            break;
        case PH_EOB:
            put_code(d, d->_codes[LIT + 256], 0, 0);
            d->_phase = PH_BLOCK_DONE;
            break;
        case PH_STORED:
            if (!emit_stored(d, o))
                return 0;
            break;
        case PH_BLOCK_DONE:
            end_block(d);
            if (!d->_flush) {
                d->_phase = PH_NONE;
                return 1;
            }
            d->_phase = PH_MARKER;
            break;
        case PH_MARKER:
            /* Sync flush: an empty stored block (RFC 1951 3.2.4); after
             * the final block only the padding. */
            if (d->_flush != WSX_DEFLATE_FINISH)
                put_bits(d, 0, 3);
            d->_nbits = (d->_nbits + 7) & ~7u;
            if (d->_flush == WSX_DEFLATE_SYNC)
                put_bits(d, 0xFFFF0000u, 32);
            d->_phase = PH_DRAIN;
            break;
        default: /* PH_DRAIN: the loop's drain wrote the last byte */
            d->_phase = PH_FLUSHED;
            return 1;
        }
    }
}
