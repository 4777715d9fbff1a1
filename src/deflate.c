/*
 * DEFLATE compressor (RFC 1951).
 *
 * Input is copied to the window, _win[0.._end); _pos is the next byte to
 * code.  Positions below _hashed are in the hash chains (_head by a hash of
 * their 4 bytes, _prev by position & (W - 1)) or were skipped on purpose;
 * chains hold positions only, 0 meaning "none".  The window slides by
 * W = 2^window_bits once _pos passes _win_size - LOOKAHEAD, keeping at least
 * _max_dist bytes of history, so no distance is ever longer (W for window
 * bits 8..14: RFC 7692 section 8.1 wants exactly that; 32,506 for 15).
 * Symbols of the current block go to _syms and are counted in _freq; the
 * block covers _win[_block_start .. + _block_len).  A block ends when _syms
 * is full, at a slide that would drop its first bytes if it is best
 * stored, or at a flush; then plan() picks its coding and emit() writes it
 * through the bit buffer (_bits, _nbits), phase by phase, stopping whenever
 * out is full.
 */
#include <string.h>

#include "wsx_deflate.h"
#include "wsx_internal.h"

#define MIN_MATCH 3
#define MAX_MATCH 258
/* After this many literals in a row only every 4th position is searched
 * (and put in the chains): incompressible data goes several times faster,
 * and the first match ends the run. */
#define SKIP 64
/* Bytes after _pos a full search may look at (a 258-byte match and the
 * next hash); the window has room for them past 2W. */
#define LOOKAHEAD 262u
/* A reset after more input than this clears the hash heads (the cost of a
 * memset of 2^hash_bits entries, paid only after that much input). */
#define STALE_CLEAR 4096u

/* _codes / _freq layout: literal/length symbols, distance symbols, code
 * length symbols. */
#define LIT 0
#define DIST 288
#define CLEN 320
#define NSYM 340

enum {
    PH_NONE,
    PH_HEADER,
    PH_CLEN,
    PH_SYMS,
    PH_EOB,
    PH_STORED,
    PH_BLOCK_DONE,
    PH_MARKER,
    PH_DRAIN,
    PH_FLUSHED
};

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && !defined(WSX_SMALL)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(WSX__GNUC)
#define FAST_LE 1
#endif
#endif

typedef struct out_buf {
    uint8_t *p;
    size_t cap, n;
} out_buf;

/* Levels 1..9: hash chain length (a power of two), "nice" length (stop
 * searching), lazy (a match this long is taken without looking one byte
 * further; 3: greedy), good (a pending match this long shortens the next
 * search to a quarter), insert (matches up to this long put all their
 * positions in the chains; longer ones skip them).  Lengths are kept minus
 * 3, so that 258 fits a byte. */
enum { P_CHAIN, P_NICE, P_LAZY, P_GOOD, P_INSERT };
#define LEVEL(chain_log2, nice, lazy, good, insert)          \
    {                                                        \
        chain_log2, (nice)-3, (lazy)-3, (good)-3, (insert)-3 \
    }
static const uint8_t levels[9][5] = {
    LEVEL(2, 8, 3, 258, 4),    LEVEL(3, 16, 3, 258, 5),      LEVEL(4, 32, 3, 258, 6),
    LEVEL(4, 16, 4, 4, 258),   LEVEL(5, 32, 8, 4, 258),      LEVEL(7, 32, 8, 4, 258),
    LEVEL(7, 128, 16, 8, 258), LEVEL(10, 258, 128, 32, 258), LEVEL(12, 258, 258, 32, 258),
};

/* ---- small helpers ------------------------------------------------------ */

static unsigned msb(unsigned x) /* x > 0 */
{
#ifdef WSX__GNUC
    return 31u - (unsigned)__builtin_clz(x);
#else
    unsigned n = 0;
    while (x >>= 1)
        n++;
    return n;
#endif
}

/* Length symbol index (0..28, symbol 257 + index) and extra-bit count of a
 * match length, given as v = length - 3 (section 3.2.5). */
static unsigned len_index(unsigned v, unsigned *extra)
{
    unsigned eb;
    if (v < 8 || v == 255) {
        *extra = 0;
        return v < 8 ? v : 28;
    }
    eb = msb(v) - 2;
    *extra = eb;
    return 4 * eb + (v >> eb);
}

/* Distance symbol and extra-bit count of a distance, given as v = dist - 1. */
static unsigned dist_index(unsigned v, unsigned *extra)
{
    unsigned eb;
    if (v < 4) {
        *extra = 0;
        return v;
    }
    eb = msb(v) - 1;
    *extra = eb;
    return 2 * eb + (v >> eb);
}

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The 4 bytes at p as a little-endian number (the same hash on every
 * host). */
static uint32_t load32le(const uint8_t *p)
{
#ifdef FAST_LE
    return load32(p);
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* Chains link positions whose first 4 bytes hash alike: 3-byte matches
 * rarely pay, and 4-byte chains hold fewer useless candidates. */
static unsigned hash4(const wsx_deflater *d, const uint8_t *p)
{
    return (unsigned)((load32le(p) * 0x9E3779B1u) >> (32 - d->_hbits));
}

/* Puts position p into the chains; returns the previous newest position
 * with its hash (0: none). */
WSX__HOT unsigned insert(wsx_deflater *d, unsigned p)
{
    unsigned h = hash4(d, d->_win + p), old = d->_head[h];
    d->_head[h] = (uint16_t)p;
    d->_prev[p & ((1u << d->_wbits) - 1)] = (uint16_t)old;
    return old;
}

/* Inserts the positions before end whose 4 bytes are in the window. */
static void insert_to(wsx_deflater *d, unsigned end)
{
    unsigned p = d->_hashed, last = d->_end - 3; /* _end >= 4 here */
    if (end > last)
        end = last;
#ifdef WSX_SMALL
    for (; p < end; p++)
        insert(d, p);
#else
    { /* insert() with the tables in locals: its stores cannot touch them */
        const uint8_t *win = d->_win;
        uint16_t *head = d->_head, *prev = d->_prev;
        unsigned shift = 32u - d->_hbits, wmask = (1u << d->_wbits) - 1;
        for (; p < end; p++) {
            uint16_t *slot = head + ((load32le(win + p) * 0x9E3779B1u) >> shift);
            prev[p & wmask] = *slot;
            *slot = (uint16_t)p;
        }
    }
#endif
    if (p > d->_hashed)
        d->_hashed = p;
}

/* ---- matching ----------------------------------------------------------- */

WSX__HOT unsigned match_len(const uint8_t *a, const uint8_t *b, unsigned max)
{
    unsigned n = 0;
#ifdef FAST_LE
    for (;;) {
        uint64_t x, y;
        memcpy(&x, a + n, 8);
        memcpy(&y, b + n, 8);
        x ^= y;
        if (x) {
            n += (unsigned)__builtin_ctzll(x) >> 3;
            break;
        }
        n += 8;
        if (n >= max)
            break;
    }
    return n < max ? n : max;
#else
    while (n < max && a[n] == b[n])
        n++;
    return n;
#endif
}

/* The longest match at _pos longer than the pending one (and than 3),
 * starting from chain position cand.  Returns its length and sets *dist,
 * or returns 0. */
static unsigned longest(const wsx_deflater *d, unsigned cand, unsigned *dist)
{
    const uint8_t *win = d->_win, *scan = win + d->_pos;
    const uint16_t *prev = d->_prev;
    uint32_t first_word = load32(scan), end_word;
    unsigned span;
    unsigned pos = d->_pos, avail = d->_end - pos;
    unsigned max = avail < MAX_MATCH ? avail : MAX_MATCH;
    unsigned best = d->_pend_len > 3 ? d->_pend_len : 3, found = 0;
    unsigned nice = d->_param[P_NICE] + 3u < max ? d->_param[P_NICE] + 3u : max;
    unsigned chain = 1u << d->_param[P_CHAIN], wmask = (1u << d->_wbits) - 1;
    unsigned lo = pos > d->_max_dist ? pos - d->_max_dist : 1;
    if (best >= max || pos <= lo)
        return 0; /* no room for a longer match, or no history */
    if (d->_pend_len >= d->_param[P_GOOD] + 3u)
        chain = (chain >> 2) + 1;
    /* Candidates are in [lo, pos): lo >= 1 keeps out "none" (0).  One
     * is worth comparing only if the 4 bytes that would end a longer
     * match and the first 4 agree. */
    span = pos - lo;
    end_word = load32(scan + best - 3);
    while (cand - lo < span) {
        if (load32(win + cand + best - 3) == end_word && load32(win + cand) == first_word) {
            unsigned len = match_len(scan, win + cand, max);
            if (len > best) {
                best = len;
                found = pos - cand;
                if (len >= nice)
                    break;
                end_word = load32(scan + best - 3);
            }
        }
        if (--chain == 0)
            break;
        cand = prev[cand & wmask];
    }
    *dist = found;
    return found ? best : 0;
}

/* ---- block symbols ------------------------------------------------------ */

WSX__HOT void put_literal(wsx_deflater *d, unsigned c)
{
    d->_syms[d->_nsyms++] = c;
    d->_freq[LIT + c]++;
    d->_block_len++;
}

static void put_match(wsx_deflater *d, unsigned len, unsigned dist)
{
    unsigned eb;
    d->_syms[d->_nsyms++] = (uint32_t)dist << 8 | (len - MIN_MATCH);
    d->_freq[LIT + 257 + len_index(len - MIN_MATCH, &eb)]++;
    d->_freq[DIST + dist_index(dist - 1, &eb)]++;
    d->_block_len += len;
}

/* Codes a match of len at p and moves _pos past it. */
static void take_match(wsx_deflater *d, unsigned p, unsigned len, unsigned dist)
{
    put_match(d, len, dist);
    d->_pos = p + len;
    if (len <= d->_param[P_INSERT] + 3u)
        insert_to(d, d->_pos);
    else if (d->_hashed < d->_pos)
        d->_hashed = d->_pos;
}

/*
 * LZ77 over the window: codes symbols while at least LOOKAHEAD bytes are
 * ahead (all of them when flushing).  Returns 1 when the block's symbol
 * buffer is full, 0 when it needs input or has coded everything.
 */
WSX__SMALL_NOINLINE static int compress(wsx_deflater *d, int flushing)
{
    unsigned need = flushing ? 1 : LOOKAHEAD;
    while (d->_end - d->_pos >= need) {
        unsigned pos = d->_pos, len = 0, dist = 0;
        if (d->_nsyms + 2 > d->_sym_cap)
            return 1;
        if (d->_lit_run >= SKIP && (d->_lit_run & 3) && !d->_pend_len) {
            d->_hashed = pos + 1; /* not searched, not in the chains */
        } else if (pos + 4 <= d->_end) {
            unsigned cand;
            if (d->_hashed < pos)
                insert_to(d, pos);
            cand = insert(d, pos);
            d->_hashed = pos + 1;
            if (cand)
                len = longest(d, cand, &dist);
        }
        if (d->_pend_len) {
            unsigned pend = d->_pend_len;
            d->_pend_len = 0;
            if (!len) { /* nothing longer here: the pending match at pos - 1 goes */
                take_match(d, pos - 1, pend, d->_pend_dist);
                continue;
            }
            put_literal(d, d->_win[pos - 1]);
        }
        if (!len) {
            put_literal(d, d->_win[pos]);
            d->_lit_run++;
            d->_pos = pos + 1;
            continue;
        }
        d->_lit_run = 0;
        if (len >= d->_param[P_LAZY] + 3u) {
            take_match(d, pos, len, dist);
        } else {
            d->_pend_len = len;
            d->_pend_dist = dist;
            d->_pos = pos + 1;
        }
    }
    return 0;
}

/* ---- the window --------------------------------------------------------- */

/* t[i] -= w for n entries (a multiple of 64), 0 for those below w.  In
 * chunks of 64 so that compilers vectorize it at -O2. */
static void rebase(uint16_t *t, unsigned n, uint16_t w)
{
    unsigned i, j;
    for (i = 0; i < n; i += 64) {
        uint16_t *chunk = t + i;
        for (j = 0; j < 64; j++)
            chunk[j] = (uint16_t)(chunk[j] >= w ? chunk[j] - w : 0);
    }
}

/* Drops the oldest W bytes (_pos >= W + _max_dist, _block_start >= W). */
static void slide(wsx_deflater *d)
{
    unsigned w = 1u << d->_wbits;
    memmove(d->_win, d->_win + w, d->_end - w);
    rebase(d->_head, 1u << d->_hbits, (uint16_t)w);
    rebase(d->_prev, w, (uint16_t)w);
    d->_pos -= w;
    d->_end -= w;
    d->_hashed -= w;
    d->_block_start -= w;
}

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
static unsigned choose(wsx_deflater *d)
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

/* Ends the current block: chooses its coding and starts writing it. */
static void plan(wsx_deflater *d, int final)
{
    uint8_t *lens = lens_of(d);
    d->_btype = (uint8_t)choose(d);
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
    memcpy(o->p + o->n, d->_win + d->_block_start + d->_block_len - d->_left, n);
    o->n += n;
    d->_left -= (unsigned)n;
    d->_chunk -= (unsigned)n;
    return d->_chunk == 0;
}

/* Writes the planned block and what follows it up to PH_NONE or
 * PH_FLUSHED; 1 when there, 0 when out is full. */
static int emit(wsx_deflater *d, out_buf *o)
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

/* ---- public API --------------------------------------------------------- */

void wsx_deflater_config_default(wsx_deflater_config *cfg)
{
    if (!cfg)
        return;
    cfg->window_bits = WSX_DEFLATE_MAX_WINDOW_BITS;
    cfg->level = WSX_DEFLATE_LEVEL_DEFAULT;
}

int wsx_deflater_reset(wsx_deflater *d)
{
    if (!d)
        return WSX_E_ARG;
    d->_bits = 0;
    d->_nbits = 0;
    /* The window starts over at 0.  Chain entries of the old stream then
     * either lie beyond the position (a walk ends there) or point into
     * the new stream's bytes (a candidate like any other, checked byte by
     * byte).  After a long stream they would cost searches: clear them. */
    if (d->_end > STALE_CLEAR)
        memset(d->_head, 0, (sizeof *d->_head) << d->_hbits);
    d->_pos = 0;
    d->_end = 0;
    d->_hashed = 0;
    d->_block_start = 0;
    d->_block_len = 0;
    d->_nsyms = 0;
    d->_pend_len = 0;
    d->_lit_run = 0;
    d->_phase = PH_NONE;
    d->_flush = 0;
    d->_done = 0;
    memset(d->_freq, 0, CLEN * sizeof *d->_freq);
    return WSX_OK;
}

int wsx_deflater_init(wsx_deflater *d, const wsx_deflater_config *cfg, void *mem, size_t mem_size)
{
    unsigned wb = cfg && cfg->window_bits ? (unsigned)cfg->window_bits : 15;
    int level = cfg && cfg->level ? cfg->level : WSX_DEFLATE_LEVEL_DEFAULT;
    uint8_t *m = (uint8_t *)mem;
    size_t fixed;
    if (!d || !mem || wb < 8 || wb > 15 || level < 1 || level > 9)
        return WSX_E_ARG;
    fixed = WSX__DEFLATE_FIXED(wb);
    if (mem_size < fixed + 4 * WSX__DEFLATE_MIN_SYMBOLS)
        return WSX_E_BUFFER;
    memset(d, 0, sizeof *d);
    m += (0u - (unsigned)(uintptr_t)m) & 7u;
    d->_wbits = (uint8_t)wb;
    d->_hbits = (uint8_t)WSX__DEFLATE_HASH_BITS(wb);
    d->_win_size = WSX__DEFLATE_WINDOW(wb);
    d->_max_dist = d->_win_size - LOOKAHEAD - (1u << wb);
    d->_codes = (uint32_t *)(void *)m;
    d->_freq = (uint16_t *)(void *)(d->_codes + NSYM);
    d->_work = d->_freq + NSYM;
    d->_rle = d->_work + 576 + NSYM / 2;
    d->_head = d->_rle + 320;
    d->_prev = d->_head + (1u << d->_hbits);
    d->_win = (uint8_t *)(d->_prev + (1u << wb));
    /* The symbol buffer takes the rest (4-byte aligned): the longer the
     * blocks, the better the codes fit. */
    d->_syms = (uint32_t *)(void *)(d->_win + ((d->_win_size + 8 + 3) & ~3u));
    d->_sym_cap = (unsigned)((mem_size - fixed) / 4);
    if (d->_sym_cap > WSX__DEFLATE_MAX_SYMBOLS)
        d->_sym_cap = WSX__DEFLATE_MAX_SYMBOLS;
    memcpy(d->_param, levels[level - 1], sizeof d->_param);
    memset(d->_head, 0, (sizeof *d->_head) << d->_hbits);
    memset(d->_win + d->_win_size, 0, 8);
    return wsx_deflater_reset(d);
}

size_t wsx_deflate_bound(const wsx_deflater *d, size_t in_len)
{
    if (!d)
        return 0;
    /* A block costs at most its fixed-Huffman form, 9 bits a byte (a
     * literal takes 8 or 9, a match of 4 bytes or more at most 31 bits) and
     * 10 bits, or its stored form, 5 bytes and a few bits per 65,535
     * bytes.  A block ends at a full symbol buffer (256 symbols or more, of
     * a byte or more each), at a slide (after 256 bytes or more), or at the
     * flush, whose marker takes 5 bytes more: 6 bytes per 254 bytes or
     * less, and 6 twice for the last two blocks. */
    return in_len + in_len / 8 + in_len / 32 + 32;
}

/* Copies input into the window, sliding it first when full; 0 when the
 * block must end before the slide (it is best stored and would lose its
 * first bytes). */
static int take_input(wsx_deflater *d, const uint8_t *in, size_t len, size_t *used)
{
    size_t n;
    if (d->_end == d->_win_size) {
        if (d->_block_start < (1u << d->_wbits) && choose(d) == 0)
            return 0;
        slide(d);
    }
    n = d->_win_size - d->_end;
    if (n > len)
        n = len;
    memcpy(d->_win + d->_end, in, n);
    d->_end += (unsigned)n;
    *used += n;
    return 1;
}

int wsx_deflate(wsx_deflater *d, const void *in, size_t in_len, size_t *in_used, int flush,
                void *out, size_t out_cap, size_t *out_len)
{
    const uint8_t *src = (const uint8_t *)in;
    size_t used = 0;
    out_buf o;
    if (in_used)
        *in_used = 0;
    if (out_len)
        *out_len = 0;
    if (!d || !in_used || !out_len || (!in && in_len) || (!out && out_cap) ||
        flush < WSX_DEFLATE_NO_FLUSH || flush > WSX_DEFLATE_FINISH)
        return WSX_E_ARG;
    if (d->_done)
        return WSX_E_STATE;
    o.p = (uint8_t *)out;
    o.cap = out_cap;
    o.n = 0;
    for (;;) {
        if (d->_phase != PH_NONE) {
            if (!emit(d, &o))
                break;
            if (d->_phase == PH_FLUSHED) {
                /* A flush is complete; input given with the call that
                 * resumes it starts the next stretch. */
                d->_phase = PH_NONE;
                d->_done = d->_flush == WSX_DEFLATE_FINISH;
                d->_flush = 0;
                if (d->_done || used == in_len)
                    break;
            }
        } else if (compress(d, used == in_len && flush)) {
            plan(d, 0);
        } else if (used < in_len) {
            if (!take_input(d, src + used, in_len - used, &used))
                plan(d, 0);
        } else if (!flush) {
            break;
        } else {
            d->_flush = (uint8_t)flush;
            if (d->_nsyms || flush == WSX_DEFLATE_FINISH)
                plan(d, flush == WSX_DEFLATE_FINISH);
            else
                d->_phase = PH_MARKER;
        }
    }
    *in_used = used;
    *out_len = o.n;
    if (d->_phase != PH_NONE)
        return WSX_DEFLATE_OUTPUT_FULL;
    return used == in_len ? WSX_OK : WSX_E_STATE;
}
