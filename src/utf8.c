/*
 * Incremental, fail-fast UTF-8 validation (RFC 3629 section 4; Unicode
 * Table 3-7 "Well-Formed UTF-8 Byte Sequences").
 *
 * One automaton does all the work, a "shift DFA": each state is a bit
 * offset (a multiple of 6) and the table row of a byte holds, at each
 * state's offset, the offset of the next state, so one step is a table
 * load that does not depend on the state, and a shift that does.  The
 * bulk of a buffer goes 64 bytes at a time:
 *   - on a code point boundary, a block of pure ASCII is skipped with eight
 *     word loads and one test;
 *   - any other block runs through the DFA with no test per byte (the
 *     error state is sticky), so there is no branch to mispredict however
 *     the scripts mix;
 * and only the tail, or the block where the error state was reached, goes
 * byte by byte to report the exact offset of the bad byte.
 */
#include <string.h>

#include "wsx_util.h"

/* States, as bit offsets into a table row. */
enum {
    S_ACCEPT = 0,  /* on a code point boundary */
    S_ERROR = 6,   /* sticky */
    S_TAIL1 = 12,  /* one more 80..BF */
    S_TAIL2 = 18,  /* two more 80..BF */
    S_TAIL3 = 24,  /* three more 80..BF */
    S_E0 = 30,     /* after E0: A0..BF then one more (no overlongs) */
    S_ED = 36,     /* after ED: 80..9F then one more (no surrogates) */
    S_F0 = 42,     /* after F0: 90..BF then two more (no overlongs) */
    S_F4 = 48      /* after F4: 80..8F then two more (<= U+10FFFF) */
};

/* T(from, to): the bits of a row that send state `from` to state `to`.
 * A row is the sum of its T()s; every state not named goes to S_ERROR. */
#define T(from, to) ((uint64_t)(to) << (from))
#define ERR_ALL                                                             \
    (T(S_ACCEPT, S_ERROR) | T(S_ERROR, S_ERROR) | T(S_TAIL1, S_ERROR) |     \
     T(S_TAIL2, S_ERROR) | T(S_TAIL3, S_ERROR) | T(S_E0, S_ERROR) |         \
     T(S_ED, S_ERROR) | T(S_F0, S_ERROR) | T(S_F4, S_ERROR))
/* Replace the S_ERROR target of `from` with `to`. */
#define GO(from, to) (T(from, S_ERROR ^ (to)))

#define R_ASCII (ERR_ALL ^ GO(S_ACCEPT, S_ACCEPT))
#define R_CONT_COMMON                                                       \
    (GO(S_TAIL1, S_ACCEPT) ^ GO(S_TAIL2, S_TAIL1) ^ GO(S_TAIL3, S_TAIL2))
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
    X64(R_ASCII), X64(R_ASCII),                  /* 00..7F */
    X16(R_80_8F), X16(R_90_9F), X32(R_A0_BF),    /* 80..BF */
    X2(R_BAD), X16(R_C2_DF), X8(R_C2_DF), X4(R_C2_DF), X2(R_C2_DF), /* C0..DF */
    R_E0, X8(R_E1_EF), X4(R_E1_EF), R_ED, X2(R_E1_EF), /* E0..EF */
    R_F0, X2(R_F1_F3), R_F1_F3, R_F4,            /* F0..F4 */
    X8(R_BAD), X2(R_BAD), R_BAD                  /* F5..FF */
};

#define HIGH_BITS UINT64_C(0x8080808080808080)
/* Bytes per step of the bulk loop. */
#define BLOCK 64

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8); /* alignment- and aliasing-safe; one mov in practice */
    return w;
}

/* 1 if the BLOCK bytes at p are all ASCII: eight words OR-ed, one test. */
static int block_is_ascii(const uint8_t *p)
{
    uint64_t any = load64(p) | load64(p + 8) | load64(p + 16) |
                   load64(p + 24) | load64(p + 32) | load64(p + 40) |
                   load64(p + 48) | load64(p + 56);
    return !(any & HIGH_BITS);
}

/* The DFA over BLOCK bytes without a test per byte: S_ERROR is sticky, so
 * the state at the end says whether any byte failed.  The only dependency
 * between steps is one shift. */
static uint64_t dfa_block(uint64_t state, const uint8_t *p)
{
    size_t k;
    /* Only the low 6 bits of state are the state: the rest is whatever the
     * row held above it.  Masking the shift count instead of the state lets
     * x86 (shrx) and ARM (lsr) do the step in one instruction, since they
     * mask the count themselves. */
    for (k = 0; k < BLOCK; k += 8) { /* unrolled: gcc does not on its own */
        state = utf8_dfa[p[k]] >> (state & 63);
        state = utf8_dfa[p[k + 1]] >> (state & 63);
        state = utf8_dfa[p[k + 2]] >> (state & 63);
        state = utf8_dfa[p[k + 3]] >> (state & 63);
        state = utf8_dfa[p[k + 4]] >> (state & 63);
        state = utf8_dfa[p[k + 5]] >> (state & 63);
        state = utf8_dfa[p[k + 6]] >> (state & 63);
        state = utf8_dfa[p[k + 7]] >> (state & 63);
    }
    return state & 63;
}

void wsx_utf8_init(wsx_utf8 *u)
{
    u->_state = S_ACCEPT;
}

size_t wsx_utf8_feed(wsx_utf8 *u, const uint8_t *buf, size_t len)
{
    uint64_t state = u->_state;
    size_t i = 0;

    if (state == S_ERROR)
        return 0;
    while (len - i >= BLOCK) {
        uint64_t next;
        if (state == S_ACCEPT && block_is_ascii(buf + i)) {
            i += BLOCK;
            continue;
        }
        next = dfa_block(state, buf + i);
        if (next == S_ERROR)
            break; /* the byte loop below finds which byte, from state */
        state = next;
        i += BLOCK;
    }
    /* The tail (short messages are nothing else), and the block with the
     * bad byte: ASCII words skipped, the rest one byte at a time. */
    for (; i < len; i++) {
        while (state == S_ACCEPT && len - i >= 8 && !(load64(buf + i) & HIGH_BITS))
            i += 8;
        if (i == len)
            break;
        state = (utf8_dfa[buf[i]] >> state) & 63;
        if (state == S_ERROR) {
            u->_state = S_ERROR;
            return i;
        }
    }
    u->_state = (uint32_t)state;
    return len;
}

int wsx_utf8_complete(const wsx_utf8 *u)
{
    return u->_state == S_ACCEPT;
}

int wsx_utf8_valid(const uint8_t *buf, size_t len)
{
    wsx_utf8 u;
    wsx_utf8_init(&u);
    return wsx_utf8_feed(&u, buf, len) == len && wsx_utf8_complete(&u);
}
