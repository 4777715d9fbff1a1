/*
 * Incremental, fail-fast UTF-8 validation (RFC 3629 section 4; Unicode
 * Table 3-7 "Well-Formed UTF-8 Byte Sequences").
 *
 * One automaton does all the work, a "shift DFA": each state is a bit
 * offset (a multiple of 6) and the table row of a byte holds, at each
 * state's offset, the offset of the next state, so one step is a table
 * load that does not depend on the state, and a shift that does.  The
 * bulk of a buffer goes 64 bytes at a time:
 *   - on a code point boundary, a block of pure ASCII is skipped with one
 *     test of its bytes OR-ed together (eight words, or four SSE2 vectors);
 *   - in any other block, the DFA runs from the first 8-byte word holding
 *     a non-ASCII byte to the last one (from word 0 when a sequence from
 *     the block before runs on), with no test per byte or word (the error
 *     state is sticky); the ASCII words around them are skipped.  So mostly
 *     ASCII text (chat, JSON) costs a word or two of DFA per non-ASCII code
 *     point, and other text about one DFA step per byte, with no branch
 *     that depends on how the scripts mix.
 * The whole words after the last block go the same way, and only the last
 * 0..7 bytes, or the block or words where the error state was reached, go
 * byte by byte (then the offset of the bad byte is exact).  On x86 the
 * block tests and the first/last non-ASCII word come from SSE2 byte masks
 * (fewer instructions: ~1.3x on ASCII-heavy text); everywhere else, and
 * with -DWSX_UTF8_PORTABLE, from word arithmetic.  The DFA is the same.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"

/* SSE2 is part of every x86-64 CPU.  -DWSX_UTF8_PORTABLE builds the
 * portable code on x86 too: tests/test_utf8_portable.c does, so both paths
 * are tested on every x86 build (and the portable one on big-endian). */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(WSX_UTF8_PORTABLE) && !defined(WSX_SMALL)
#define UTF8_SSE2 1
#include <emmintrin.h>
#else
#define UTF8_SSE2 0
#endif

/* States, as bit offsets into a table row. */
enum {
    S_ACCEPT = 0, /* on a code point boundary */
    S_ERROR = 6,  /* sticky */
    S_TAIL1 = 12, /* one more 80..BF */
    S_TAIL2 = 18, /* two more 80..BF */
    S_TAIL3 = 24, /* three more 80..BF */
    S_E0 = 30,    /* after E0: A0..BF then one more (no overlongs) */
    S_ED = 36,    /* after ED: 80..9F then one more (no surrogates) */
    S_F0 = 42,    /* after F0: 90..BF then two more (no overlongs) */
    S_F4 = 48     /* after F4: 80..8F then two more (<= U+10FFFF) */
};

#ifdef WSX_SMALL
/* The small profile (wsx.h): the same automaton, one byte at a time, from
 * two small tables instead of the 2 KB shift-DFA and the word loops. */

#define R2(x) x, x
#define R4(x) R2(x), R2(x)
#define R8(x) R4(x), R4(x)
/* The state after a lead byte E0..F4 on a code point boundary (C2..DF go
 * to S_TAIL1); any other byte but ASCII fails there: continuation bytes,
 * C0 and C1 (overlong), F5..FF (above U+10FFFF). */
static const uint8_t lead_state[0xF5 - 0xE0] = {
    S_E0, R8(S_TAIL2), R4(S_TAIL2), S_ED, R2(S_TAIL2), /* E0..EF */
    S_F0, R2(S_TAIL3), S_TAIL3,     S_F4               /* F0..F4 */
};

/* Inside a sequence, for S_TAIL1..S_F4 (row state / 6 - 2): the range
 * the next byte must be in (Unicode Table 3-7) and the state after it. */
static const uint8_t cont[7][3] = {
    /* lo   hi    next */
    {0x80, 0xBF, S_ACCEPT}, /* S_TAIL1 */
    {0x80, 0xBF, S_TAIL1},  /* S_TAIL2 */
    {0x80, 0xBF, S_TAIL2},  /* S_TAIL3 */
    {0xA0, 0xBF, S_TAIL1},  /* S_E0 */
    {0x80, 0x9F, S_TAIL1},  /* S_ED */
    {0x90, 0xBF, S_TAIL2},  /* S_F0 */
    {0x80, 0x8F, S_TAIL2}   /* S_F4 */
};

size_t wsx_utf8_feed(wsx_utf8 *u, const void *bytes, size_t len)
{
    const uint8_t *buf = (const uint8_t *)bytes;
    unsigned state, c, k;
    size_t i;
    if (!u || (!buf && len) || u->_state == S_ERROR)
        return 0;
    state = u->_state;
    for (i = 0; i < len; i++) {
        c = buf[i];
        if (state == S_ACCEPT) {
            state = c < 0x80                       ? S_ACCEPT
                    : c < 0xC2                     ? S_ERROR
                    : c < 0xE0                     ? S_TAIL1
                    : c - 0xE0 < sizeof lead_state ? lead_state[c - 0xE0]
                                                   : S_ERROR;
        } else {
            k = state / 6 - 2;
            state = c >= cont[k][0] && c <= cont[k][1] ? cont[k][2] : S_ERROR;
        }
        if (state == S_ERROR)
            break; /* i is the offset of the bad byte */
    }
    u->_state = state;
    return i;
}

#else /* the fast profile */

/* T(from, to): the bits of a row that send state `from` to state `to`.
 * A row is the sum of its T()s; every state not named goes to S_ERROR. */
#define T(from, to) ((uint64_t)(to) << (from))
#define ERR_ALL                                                                               \
    (T(S_ACCEPT, S_ERROR) | T(S_ERROR, S_ERROR) | T(S_TAIL1, S_ERROR) | T(S_TAIL2, S_ERROR) | \
     T(S_TAIL3, S_ERROR) | T(S_E0, S_ERROR) | T(S_ED, S_ERROR) | T(S_F0, S_ERROR) |           \
     T(S_F4, S_ERROR))
/* Replace the S_ERROR target of `from` with `to`. */
#define GO(from, to) (T(from, S_ERROR ^ (to)))

#define R_ASCII (ERR_ALL ^ GO(S_ACCEPT, S_ACCEPT))
#define R_CONT_COMMON (GO(S_TAIL1, S_ACCEPT) ^ GO(S_TAIL2, S_TAIL1) ^ GO(S_TAIL3, S_TAIL2))
#define R_80_8F (ERR_ALL ^ R_CONT_COMMON ^ GO(S_ED, S_TAIL1) ^ GO(S_F4, S_TAIL2))
#define R_90_9F (ERR_ALL ^ R_CONT_COMMON ^ GO(S_ED, S_TAIL1) ^ GO(S_F0, S_TAIL2))
#define R_A0_BF (ERR_ALL ^ R_CONT_COMMON ^ GO(S_E0, S_TAIL1) ^ GO(S_F0, S_TAIL2))
#define R_BAD ERR_ALL /* C0, C1 (overlong), F5..FF (> U+10FFFF) */
#define R_C2_DF (ERR_ALL ^ GO(S_ACCEPT, S_TAIL1))
#define R_E0 (ERR_ALL ^ GO(S_ACCEPT, S_E0))
#define R_E1_EF (ERR_ALL ^ GO(S_ACCEPT, S_TAIL2))
#define R_ED (ERR_ALL ^ GO(S_ACCEPT, S_ED))
#define R_F0 (ERR_ALL ^ GO(S_ACCEPT, S_F0))
#define R_F1_F3 (ERR_ALL ^ GO(S_ACCEPT, S_TAIL3))
#define R_F4 (ERR_ALL ^ GO(S_ACCEPT, S_F4))

#define X2(r) r, r
#define X4(r) X2(r), X2(r)
#define X8(r) X4(r), X4(r)
#define X16(r) X8(r), X8(r)
#define X32(r) X16(r), X16(r)
#define X64(r) X32(r), X32(r)

static const uint64_t utf8_dfa[256] = {
    X64(R_ASCII), X64(R_ASCII),                                         /* 00..7F */
    X16(R_80_8F), X16(R_90_9F), X32(R_A0_BF),                           /* 80..BF */
    X2(R_BAD),    X16(R_C2_DF), X8(R_C2_DF),  X4(R_C2_DF), X2(R_C2_DF), /* C0..DF */
    R_E0,         X8(R_E1_EF),  X4(R_E1_EF),  R_ED,        X2(R_E1_EF), /* E0..EF */
    R_F0,         X2(R_F1_F3),  R_F1_F3,      R_F4,                     /* F0..F4 */
    X8(R_BAD),    X2(R_BAD),    R_BAD                                   /* F5..FF */
};

/* The DFA steps are a few instructions each: gcc does not always inline
 * them into the loops, and a call per word costs as much as the word. */

#define HIGH_BITS UINT64_C(0x8080808080808080)
/* Bytes per step of the bulk loop: eight words. */
#define BLOCK 64

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8); /* alignment- and aliasing-safe; one mov in practice */
    return w;
}

#if UTF8_SSE2
static __m128i load128(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* 1 if the BLOCK bytes at p are all ASCII: four vectors OR-ed, one test. */
static int block_is_ascii(const uint8_t *p)
{
    __m128i any = _mm_or_si128(_mm_or_si128(load128(p), load128(p + 16)),
                               _mm_or_si128(load128(p + 32), load128(p + 48)));
    return _mm_movemask_epi8(any) == 0;
}
#else
/* 1 if the BLOCK bytes at p are all ASCII: eight words OR-ed, one test. */
static int block_is_ascii(const uint8_t *p)
{
    uint64_t any = load64(p) | load64(p + 8) | load64(p + 16) | load64(p + 24) | load64(p + 32) |
                   load64(p + 40) | load64(p + 48) | load64(p + 56);
    return !(any & HIGH_BITS);
}
#endif

/* Bit k set when word k of the `words` (1..8) words at p holds a
 * non-ASCII byte.  Word k's high bits are moved to bit 7 - k of their
 * bytes and the bytes OR-ed together: fewer operations than a compare per
 * word, and the same on any byte order. */
static unsigned non_ascii_words(const uint8_t *p, unsigned words)
{
    uint64_t t = 0;
    unsigned k;
    for (k = 0; k < words; k++)
        t |= (load64(p + 8 * (size_t)k) & HIGH_BITS) >> (7 - k);
    t |= t >> 32;
    t |= t >> 16;
    t |= t >> 8;
    return (unsigned)(t & 0xFF);
}

/* For a nonzero byte x: the index of its highest set bit << 4 | the index
 * of its lowest (a table, not compiler builtins: the same code anywhere).
 * Built from halves: in a run of 2m entries starting at a multiple of 2m,
 * the second half repeats the first except at its first entry, whose
 * lowest set bit is m's. */
#define B1(lo, hi) ((hi) << 4 | (lo))
#define B2(lo, hi) B1(lo, hi), B1(0, hi)
#define B4(lo, hi) B2(lo, hi), B2(1, hi)
#define B8(lo, hi) B4(lo, hi), B4(2, hi)
#define B16(lo, hi) B8(lo, hi), B8(3, hi)
#define B32(lo, hi) B16(lo, hi), B16(4, hi)
#define B64(lo, hi) B32(lo, hi), B32(5, hi)
#define B128(lo, hi) B64(lo, hi), B64(6, hi)
static const uint8_t bit_span[256] = {0,         B1(0, 0),  B2(1, 1),  B4(2, 2),  B8(3, 3),
                                      B16(4, 4), B32(5, 5), B64(6, 6), B128(7, 7)};

/* One DFA step per byte with no test: the only dependency between steps is
 * one shift.  Only the low 6 bits of state are the state (the rest is
 * whatever the row held above it); masking the shift count instead of the
 * state lets x86 (shrx) and ARM (lsr) do a step in one instruction, since
 * they mask the count themselves. */
#define STEP(state, byte) ((state) = utf8_dfa[byte] >> ((state)&63))

/* The DFA over the 8 bytes at p; S_ERROR is sticky, so the state at the end
 * says whether any of them failed. */
WSX__HOT uint64_t dfa_word(uint64_t state, const uint8_t *p)
{
    STEP(state, p[0]);
    STEP(state, p[1]);
    STEP(state, p[2]);
    STEP(state, p[3]);
    STEP(state, p[4]);
    STEP(state, p[5]);
    STEP(state, p[6]);
    STEP(state, p[7]);
    return state & 63;
}

/* The DFA over all BLOCK bytes at p (text that is mostly not ASCII):
 * straight-line code, no loop to predict. */
WSX__HOT uint64_t dfa_block(uint64_t state, const uint8_t *p)
{
    state = dfa_word(state, p);
    state = dfa_word(state, p + 8);
    state = dfa_word(state, p + 16);
    state = dfa_word(state, p + 24);
    state = dfa_word(state, p + 32);
    state = dfa_word(state, p + 40);
    state = dfa_word(state, p + 48);
    return dfa_word(state, p + 56);
}

/* The DFA over words first..last of the `words` (1..8) words at p: the
 * words outside are ASCII on a code point boundary, nothing to check.  No
 * test per byte or word inside (S_ERROR is sticky).  Returns the state
 * after the last word, S_ERROR if any byte failed (the caller finds
 * which). */
WSX__HOT uint64_t dfa_range(uint64_t state, const uint8_t *p, unsigned first, unsigned last,
                            unsigned words)
{
    unsigned k;
    for (k = first; k <= last; k++)
        state = dfa_word(state, p + 8 * (size_t)k);
    /* a sequence cut by an ASCII word fails at its first byte */
    if (state != S_ACCEPT && last + 1 < words)
        return S_ERROR;
    return state;
}

/* The DFA over the `words` words at p, from the first that holds a
 * non-ASCII byte to the last (bit k of `todo`: word k), or from word 0 when
 * a sequence from before runs into it. */
WSX__HOT uint64_t dfa_words(uint64_t state, const uint8_t *p, unsigned todo, unsigned words)
{
    todo |= state != S_ACCEPT;
    if (!todo)
        return state;
    if (todo == 0xFF) /* ~1.3x on CJK */
        return dfa_block(state, p);
    return dfa_range(state, p, bit_span[todo] & 15, bit_span[todo] >> 4, words);
}

/* dfa_words over a whole block at p. */
#if UTF8_SSE2
WSX__HOT uint64_t dfa_span(uint64_t state, const uint8_t *p)
{
    /* bit j: byte j is not ASCII (bit 0 also when a sequence runs in) */
    uint64_t high = (uint64_t)(unsigned)_mm_movemask_epi8(load128(p)) |
                    (uint64_t)(unsigned)_mm_movemask_epi8(load128(p + 16)) << 16 |
                    (uint64_t)(unsigned)_mm_movemask_epi8(load128(p + 32)) << 32 |
                    (uint64_t)(unsigned)_mm_movemask_epi8(load128(p + 48)) << 48;
    unsigned first, last;
    high |= state != S_ACCEPT;
    if (!high)
        return state;
    first = (unsigned)__builtin_ctzll(high) >> 3;
    last = (unsigned)(63 - __builtin_clzll(high)) >> 3;
    if (first == 0 && last == 7)
        return dfa_block(state, p);
    return dfa_range(state, p, first, last, 8);
}
#else
WSX__HOT uint64_t dfa_span(uint64_t state, const uint8_t *p)
{
    return dfa_words(state, p, non_ascii_words(p, 8), 8);
}
#endif

/* AVX2: 0 not yet asked, 1 not used, 2 used (wsx__utf8_use). */
static int utf8_avx2;

static int avx2_found(void)
{
#ifdef WSX__UTF8_AVX2
    return (wsx__cpu_features() & WSX__CPU_AVX2) != 0;
#else
    return 0;
#endif
}

int wsx__utf8_use(int variant)
{
    int on;
    if (variant == WSX__AUTO)
        on = avx2_found();
    else if (variant == WSX__PORTABLE)
        on = 0;
    else if (variant == WSX__HW && avx2_found())
        on = 1;
    else
        return 0;
#ifdef WSX__GNUC
    __atomic_store_n(&utf8_avx2, 1 + on, __ATOMIC_RELAXED);
#else
    utf8_avx2 = 1 + on;
#endif
    return 1;
}

static int avx2_in_use(void)
{
    int use;
#ifdef WSX__GNUC
    use = __atomic_load_n(&utf8_avx2, __ATOMIC_RELAXED);
#else
    use = utf8_avx2;
#endif
    if (WSX__UNLIKELY(!use)) {
        wsx__utf8_use(WSX__AUTO);
        return avx2_in_use();
    }
    return use == 2;
}

int wsx__utf8_variant(void) { return avx2_in_use() ? WSX__HW : WSX__PORTABLE; }

/* Bytes from which the AVX2 code is worth its setup. */
#define AVX2_MIN 128

#endif /* WSX_SMALL */

int wsx_utf8_init(wsx_utf8 *u)
{
    if (!u)
        return WSX_E_ARG;
    u->_state = S_ACCEPT;
    return WSX_OK;
}

#ifndef WSX_SMALL
size_t wsx_utf8_feed(wsx_utf8 *u, const void *bytes, size_t len)
{
    const uint8_t *buf = (const uint8_t *)bytes;
    uint64_t state, next;
    size_t i = 0, words;

    if (!u || (!buf && len) || u->_state == S_ERROR)
        return 0;
    state = u->_state;
#ifdef WSX__UTF8_AVX2
    if (len >= AVX2_MIN && avx2_in_use()) {
        /* to the end of a sequence the last call left open (3 bytes at
         * most), then 64-byte blocks as far as they are valid */
        for (; state != S_ACCEPT; i++) {
            state = (utf8_dfa[buf[i]] >> state) & 63;
            if (state == S_ERROR) {
                u->_state = S_ERROR;
                return i;
            }
        }
        i += wsx__utf8_avx2_prefix(buf + i, len - i);
    }
#endif
    /* Blocks: all-ASCII ones skipped whole, the others from their first
     * to their last non-ASCII word. */
    for (;;) {
        if (state == S_ACCEPT) {
            while (len - i >= BLOCK && block_is_ascii(buf + i))
                i += BLOCK;
            if (len - i < BLOCK)
                break;
            /* From the constant, not the variable: then this block's DFA
             * need not wait for the last one's (the branch above is
             * predicted, the value is not). */
            next = dfa_span(S_ACCEPT, buf + i);
        } else {
            if (len - i < BLOCK)
                break;
            next = dfa_span(state, buf + i);
        }
        if (next == S_ERROR)
            goto bytes; /* the byte loop finds the bad byte, from state */
        state = next;
        i += BLOCK;
    }
    /* Whole words left (short messages are nothing else). */
    words = (len - i) / 8;
    if (words) {
        next =
            dfa_words(state, buf + i, non_ascii_words(buf + i, (unsigned)words), (unsigned)words);
        if (next == S_ERROR)
            goto bytes;
        state = next;
        i += 8 * words;
    }
bytes:
    /* The last < 8 bytes, and the block or words with a bad byte: byte by
     * byte, so the offset is exact. */
    for (; i < len; i++) {
        state = (utf8_dfa[buf[i]] >> state) & 63;
        if (state == S_ERROR) {
            u->_state = S_ERROR;
            return i;
        }
    }
    u->_state = (uint32_t)state;
    return len;
}

#endif

int wsx_utf8_complete(const wsx_utf8 *u) { return u && u->_state == S_ACCEPT; }

int wsx_utf8_valid(const void *buf, size_t len)
{
    wsx_utf8 u;
    u._state = S_ACCEPT;
    /* (a NULL buf with len > 0: the feed answers 0, not len) */
    return wsx_utf8_feed(&u, buf, len) == len && u._state == S_ACCEPT;
}
