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
 * stored, or at a flush; then deflate_block.c picks its coding and writes it
 * through the bit buffer (_bits, _nbits), phase by phase, stopping whenever
 * out is full.
 */
#include <string.h>

#include "deflate_internal.h"

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
    if (mem_size < fixed + 4 * (size_t)WSX__DEFLATE_MIN_SYMBOLS)
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
    /* Match search reads whole words, up to 7 bytes past the data it
     * compares (the result is clamped to it): zeroed, those bytes keep the
     * search a function of the input alone, and memory checkers quiet. */
    memset(d->_win, 0, d->_win_size + 8);
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
        if (d->_block_start < (1u << d->_wbits) && wsx__deflate_choose(d) == 0)
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
            if (!wsx__deflate_emit(d, &o))
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
            wsx__deflate_plan(d, 0);
        } else if (used < in_len) {
            if (!take_input(d, src + used, in_len - used, &used))
                wsx__deflate_plan(d, 0);
        } else if (!flush) {
            break;
        } else {
            d->_flush = (uint8_t)flush;
            if (d->_nsyms || flush == WSX_DEFLATE_FINISH)
                wsx__deflate_plan(d, flush == WSX_DEFLATE_FINISH);
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
