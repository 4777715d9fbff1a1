/*
 * What the decompressor's files share (inflate.c: the API and the rules
 * both profiles follow; inflate_fast.c with inflate_tables.c, and
 * inflate_small.c: decoding).
 */
#ifndef WSX_INFLATE_INTERNAL_H
#define WSX_INFLATE_INTERNAL_H

#include <string.h>

#include "wsx_internal.h"
#include "wsx_deflate.h"

/* Decoder states (wsx_inflate._state).  ST_HEADER is the state between
 * blocks and between streams. */
enum {
    WSX__IST_HEADER = 0, /* next: a block header (3 bits) */
    WSX__IST_STORED_LEN, /* stored block: LEN and NLEN */
    WSX__IST_STORED,     /* stored block: _len bytes to copy */
    WSX__IST_DYN_COUNTS, /* dynamic block: HLIT, HDIST, HCLEN */
    WSX__IST_DYN_CLENS,  /* the code length code's lengths */
    WSX__IST_DYN_LENS,   /* literal/length and distance code lengths */
    WSX__IST_CODES,      /* compressed data */
    WSX__IST_COPY,       /* a match: _len bytes at distance _dist */
    WSX__IST_DIST,       /* small profile: a match's distance code */
    WSX__IST_DIST_EXTRA  /* small profile: its _extra extra bits */
};

/* wsx_inflate._flags */
#define WSX__IF_FINAL 1u /* the current block is the stream's last */
#define WSX__IF_FIXED 2u /* the tables hold the fixed codes (RFC 1951 3.2.6) */

/* Bytes of the caller's block the tables take in this profile (the public
 * sizes add 4 for alignment). */
#ifdef WSX_SMALL
#define WSX__INFLATE_TABLES 1024u
#else
#define WSX__INFLATE_TABLES 7248u
#endif

/* Code lengths a dynamic header may declare: 286 + 30 (the fixed codes,
 * 288 + 32, use the same room). */
#define WSX__MAX_LENS 320u

/* The checks every wsx_inflate call starts with (rule 5, sticky errors):
 * WSX_OK to go on, or what to return.  Sets *in_used and *out_len to 0. */
static inline int wsx__inflate_begin(const wsx_inflater *z, const void *in, size_t in_len,
                                     size_t *in_used, const void *out, size_t out_cap,
                                     size_t *out_len)
{
    if (!z || !in_used || !out_len || (!in && in_len) || (!out && out_cap))
        return WSX_E_ARG;
    *in_used = 0;
    *out_len = 0;
    if (!z->_wbits)
        return WSX_E_STATE;
    return z->_error;
}

/* Adds a call's output out[0..n) to the window: wsx__inflate_keep_wrap
 * when it wraps around the window's end. */
void wsx__inflate_keep_wrap(wsx_inflater *z, const uint8_t *out, size_t n);
static inline void wsx__inflate_keep(wsx_inflater *z, const uint8_t *out, size_t n)
{
    uint32_t size = (uint32_t)1 << z->_wbits;
    if (n == 0)
        return;
    if (n > size - z->_wnext) {
        wsx__inflate_keep_wrap(z, out, n);
        return;
    }
    memcpy(z->_window + z->_wnext, out, n);
    z->_wnext = (z->_wnext + (uint32_t)n) & (size - 1);
    z->_whave = size - z->_whave <= n ? size : z->_whave + (uint32_t)n;
}

/* Counts the code lengths lens[0..n) into count[1..15] (count[0] = how
 * many symbols have a code) and checks them against Kraft's inequality:
 * 0 for a complete code, 1 for no code at all or a single code of one bit
 * (the only incomplete codes RFC 1951 3.2.7 allows, for distances: zlib
 * allows them for literal/length codes too), -1 otherwise. */
int wsx__inflate_count(const uint8_t *lens, unsigned n, uint16_t count[16]);

/* The lengths of the fixed codes: 288 literal/length, then 32 distance. */
void wsx__inflate_fixed_lens(uint8_t *lens);

/* The order of the code length code's lengths (RFC 1951 3.2.7). */
extern const uint8_t wsx__inflate_clen_order[19];

/* A dynamic block's counts HLIT, HDIST, HCLEN from the 14 bits v; on
 * WSX_OK the code length code's lengths come next. */
static inline int wsx__inflate_dyn_counts(wsx_inflater *z, unsigned v)
{
    z->_nlen = (uint16_t)(257 + (v & 31));
    z->_ndist = (uint16_t)(1 + ((v >> 5) & 31));
    z->_nclen = (uint8_t)(4 + ((v >> 10) & 15));
    if (z->_nlen > 286 || z->_ndist > 30) /* as zlib: 286..287, 30..31 never occur */
        return WSX_E_INFLATE_CODE_COUNT;
    z->_have = 0;
    z->_state = WSX__IST_DYN_CLENS;
    return WSX_OK;
}

/* After the _have code length code lengths read: the rest are 0; counts
 * them into count and checks the code (complete, RFC 1951 3.2.7).  The
 * caller builds its table and goes on to WSX__IST_DYN_LENS. */
static inline int wsx__inflate_clens_end(wsx_inflater *z, uint8_t *lens, uint16_t count[16])
{
    while (z->_have < 19)
        lens[wsx__inflate_clen_order[z->_have++]] = 0;
    if (wsx__inflate_count(lens, 19, count) != 0)
        return WSX_E_INFLATE_CODELEN_CODE;
    return WSX_OK;
}

/* Puts code length symbol sym (0..18) with extra bits value x into
 * lens[_have..]; WSX_OK or WSX_E_INFLATE_REPEAT_FIRST / _REPEAT_OVERRUN. */
int wsx__inflate_put_lens(wsx_inflater *z, uint8_t *lens, unsigned sym, unsigned x);

/* After the code lengths of a dynamic block: counts both codes into
 * lcount and dcount and checks them (end-of-block code present, codes
 * complete or allowed incomplete). */
int wsx__inflate_check_lens(const wsx_inflater *z, const uint8_t *lens, uint16_t lcount[16],
                            uint16_t dcount[16]);

/* Copies as much of the match (_len bytes at _dist) as there is room for
 * before out_end, from the window and from this call's output (which
 * starts at out_start). */
uint8_t *wsx__inflate_copy(wsx_inflater *z, const uint8_t *out_start, uint8_t *out,
                           const uint8_t *out_end);

/* Extra bits of code length symbol 16, 17, 18; 0 for 0..15. */
#define WSX__CLEN_EXTRA(sym) ((sym) < 16 ? 0u : (sym) == 16 ? 2u : (sym) == 17 ? 3u : 7u)

/* Length symbols 257..285 (RFC 1951 3.2.5): extra bits and base length. */
#define WSX__LEN_EXTRA(sym) ((sym) < 265 || (sym) == 285 ? 0u : ((sym)-261u) >> 2)
#define WSX__LEN_BASE(sym)       \
    ((sym) < 265    ? (sym)-254u \
     : (sym) == 285 ? 258u       \
                    : ((4u + (((sym)-265u) & 3u)) << WSX__LEN_EXTRA(sym)) + 3u)
/* Distance symbols 0..29: extra bits and base distance. */
#define WSX__DIST_EXTRA(sym) ((sym) < 4 ? 0u : ((sym) >> 1) - 1u)
#define WSX__DIST_BASE(sym) \
    ((sym) < 4 ? (sym) + 1u : ((2u | ((sym)&1u)) << WSX__DIST_EXTRA(sym)) + 1u)

#endif /* WSX_INFLATE_INTERNAL_H */
