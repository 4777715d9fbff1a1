/*
 * Incremental, fail-fast UTF-8 validation (RFC 3629 section 4; Unicode
 * Table 3-7 "Well-Formed UTF-8 Byte Sequences").
 *
 * Two engines share the work:
 *   - a byte-at-a-time DFA, used for code points split across calls, for
 *     the last few bytes of a buffer and to pin down the exact offset of a
 *     bad byte;
 *   - a fast scanner over the bulk of the buffer that only ever stops at a
 *     code point boundary: ASCII a 64-bit word (and a block of 8 words) at a
 *     time, multi-byte sequences checked whole.  Whenever it meets anything
 *     it does not accept (an error, or a sequence cut by the end of the
 *     buffer) it hands over to the DFA at that boundary, so the DFA alone
 *     decides what is an error and where.
 *
 * The DFA is a "shift DFA": each state is a bit offset (a multiple of 6)
 * and the table row of a byte holds, at each state's offset, the offset of
 * the next state.  One step is a load and a shift.
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

/* For the fast scanner: the allowed range of the byte after a 3- or 4-byte
 * lead, indexed by the lead's low nibble (Unicode Table 3-7). */
static const uint8_t second_lo3[16] = {
    0xA0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
static const uint8_t second_hi3[16] = {
    0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF,
    0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0x9F, 0xBF, 0xBF};
static const uint8_t second_lo4[8] = {0x90, 0x80, 0x80, 0x80, 0x80, 0, 0, 0};
static const uint8_t second_hi4[8] = {0xBF, 0xBF, 0xBF, 0xBF, 0x8F, 0, 0, 0};

#define HIGH_BITS UINT64_C(0x8080808080808080)

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8); /* alignment- and aliasing-safe; one mov in practice */
    return w;
}

static int is_cont(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

/* Skips ASCII from s[i]; returns the index of the first non-ASCII byte or n. */
static size_t skip_ascii(const uint8_t *s, size_t i, size_t n)
{
    while (n - i >= 64) {
        const uint8_t *p = s + i;
        uint64_t any = load64(p) | load64(p + 8) | load64(p + 16) |
                       load64(p + 24) | load64(p + 32) | load64(p + 40) |
                       load64(p + 48) | load64(p + 56);
        if (any & HIGH_BITS)
            break;
        i += 64;
    }
    while (n - i >= 8 && !(load64(s + i) & HIGH_BITS))
        i += 8;
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/* From a code point boundary at s[i], skips complete valid code points.
 * Returns the boundary where it stopped: n, or the start of a sequence that
 * is invalid or cut off by n (the DFA takes it from there). */
static size_t scan_fast(const uint8_t *s, size_t i, size_t n)
{
    while (i < n) {
        uint8_t lead = s[i];
        if (lead < 0x80) {
            i = skip_ascii(s, i, n);
        } else if (lead < 0xE0) {
            if (lead < 0xC2 || n - i < 2 || !is_cont(s[i + 1]))
                return i;
            i += 2;
        } else if (lead < 0xF0) {
            uint8_t b1;
            if (n - i < 3)
                return i;
            b1 = s[i + 1];
            if (b1 < second_lo3[lead & 15] || b1 > second_hi3[lead & 15] ||
                !is_cont(s[i + 2]))
                return i;
            i += 3;
        } else {
            uint8_t b1;
            if (lead > 0xF4 || n - i < 4)
                return i;
            b1 = s[i + 1];
            if (b1 < second_lo4[lead & 7] || b1 > second_hi4[lead & 7] ||
                !is_cont(s[i + 2]) || !is_cont(s[i + 3]))
                return i;
            i += 4;
        }
    }
    return i;
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
    while (i < len) {
        if (state == S_ACCEPT) {
            i = scan_fast(buf, i, len);
            if (i == len)
                break;
        }
        state = (utf8_dfa[buf[i]] >> state) & 63;
        if (state == S_ERROR) {
            u->_state = S_ERROR;
            return i;
        }
        i++;
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
