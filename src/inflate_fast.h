/*
 * The fast profile's decoding tables: their layout, shared by the table
 * builder (inflate_tables.c) and the decoder (inflate_fast.c).
 */
#ifndef WSX_INFLATE_FAST_H
#define WSX_INFLATE_FAST_H

#include "inflate_internal.h"

#ifndef WSX_SMALL

#define LBITS 10u /* most root bits of the literal/length table */
#define DBITS 8u  /* of the distance table */
#define CBITS 7u  /* of the code length code's (its codes have <= 7 bits) */
/* Entries a table can need at most with those roots: 286 codes of <= 15
 * bits, 30 codes of <= 15 bits (computed with zlib's examples/enough.c;
 * the fixed codes need 1024 and 256). */
#define LSIZE 1332u
#define DSIZE 400u

typedef char
    wsx__inflate_fast_layout_[(LSIZE + DSIZE) * 4 + WSX__MAX_LENS == WSX__INFLATE_TABLES ? 1 : -1];

/* A table entry (32 bits):
 *   bits 0-4   bits to take for this symbol: its code and extra bits
 *              (a subtable pointer: the root bits); bits 5-7 are 0, so
 *              e & 63 is the count too (what a 64-bit shift masks with)
 *   bits 8-11  code length: where the extra bits start (a subtable
 *              pointer: the subtable's index bits)
 *   bits 12-15 E_EXC with E_SUB / E_EOB, or E_EXC alone for a symbol that
 *              must not occur; 0 for a length, a distance or a code length
 *              symbol
 *   bits 16-31 base length or distance, code length symbol, or subtable
 *              offset; a literal has its byte in bits 16-23 and bit 31 set.
 * Subtable entries count their bits from the start of the code too. */
#define E_LIT 0x80000000u
#define E_EXC 0x8000u
#define E_SUB 0x4000u
#define E_EOB 0x2000u
#define E_BAD (E_EXC | 1u << 8 | 1u) /* an unused code of an incomplete code */

enum { K_LITLEN, K_DIST, K_CLEN };

/* The value of entry e's extra bits in b. */
#define EXTRA(b, e) (((uint32_t)(b) & ((1u << ((e)&31u)) - 1u)) >> (((e) >> 8) & 15u))

/* Fills table t for the code whose lengths are lens[0..n), counted and
 * checked in count (wsx__inflate_count), with as many root bits as its
 * longest code has, at most max_root; returns the root bits.  kind is a
 * K_ value. */
unsigned wsx__inflate_build(uint32_t *t, unsigned max_root, const uint8_t *lens, unsigned n,
                            const uint16_t count[16], unsigned kind);

/* Fills the tables lt and dt with the fixed codes (RFC 1951 3.2.6), lens
 * as scratch. */
void wsx__inflate_load_fixed(wsx_inflater *z, uint32_t *lt, uint32_t *dt, uint8_t *lens);

#endif /* !WSX_SMALL */
#endif
