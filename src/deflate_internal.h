/*
 * What the compressor's files share (deflate.c: the window, matching and
 * the API; deflate_block.c: choosing each block's coding and writing it).
 */
#ifndef WSX_DEFLATE_INTERNAL_H
#define WSX_DEFLATE_INTERNAL_H

#include "wsx_deflate.h"
#include "wsx_internal.h"

#define MIN_MATCH 3

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

/* ---- symbol indexes ----------------------------------------------------- */

static inline unsigned msb(unsigned x) /* x > 0 */
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
static inline unsigned len_index(unsigned v, unsigned *extra)
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
static inline unsigned dist_index(unsigned v, unsigned *extra)
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

/* Chooses the coding of the current block with the fewest bits: 0 stored,
 * 1 fixed, 2 dynamic (deflate_block.c). */
unsigned wsx__deflate_choose(wsx_deflater *d);
/* Ends the current block: chooses its coding and starts writing it. */
void wsx__deflate_plan(wsx_deflater *d, int final);
/* Writes the planned block and what follows it up to PH_NONE or
 * PH_FLUSHED; 1 when there, 0 when out is full. */
int wsx__deflate_emit(wsx_deflater *d, out_buf *o);

#endif
