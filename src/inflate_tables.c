/*
 * DEFLATE decoding, fast profile: building the lookup tables (their
 * layout: inflate_fast.h; the decoder: inflate_fast.c).
 */
#include "inflate_fast.h"

#ifndef WSX_SMALL

static uint32_t make_entry(unsigned kind, unsigned sym, unsigned len)
{
    uint32_t head = (uint32_t)len << 8 | len;
    if (kind == K_LITLEN) {
        if (sym < 256)
            return E_LIT | (uint32_t)sym << 16 | head;
        if (sym == 256)
            return E_EXC | E_EOB | head;
        if (sym > 285)
            return E_EXC | head;
        return (uint32_t)WSX__LEN_BASE(sym) << 16 | (head + WSX__LEN_EXTRA(sym));
    }
    if (kind == K_DIST)
        return sym < 30 ? (uint32_t)WSX__DIST_BASE(sym) << 16 | (head + WSX__DIST_EXTRA(sym))
                        : E_EXC | head;
    return (uint32_t)sym << 16 | head;
}

static unsigned reverse_bits(unsigned code, unsigned len)
{
    unsigned r = 0;
    while (len--) {
        r = r << 1 | (code & 1u);
        code >>= 1;
    }
    return r;
}

/* Index bits of the subtable that starts with a code of len bits: deep
 * enough for every code of the same root prefix (they come next in
 * canonical order, so left[] -- codes not placed yet per length -- says
 * how many there are: the subtree fills up exactly at that depth). */
static unsigned subtable_bits(const uint16_t *left, unsigned len, unsigned root)
{
    unsigned bits = len - root;
    int room = 1 << bits;
    for (;;) {
        room -= left[root + bits];
        if (room <= 0 || root + bits == 15)
            return bits;
        bits++;
        room <<= 1;
    }
}

/* wsx__inflate_build for one kind: inlined into each case of it, so that
 * make_entry's choice of kind is made at compile time. */
WSX__HOT unsigned build(uint32_t *t, unsigned max_root, const uint8_t *lens, unsigned n,
                        const uint16_t count[16], unsigned kind)
{
    uint16_t sorted[288], offs[16], left[16];
    unsigned i, len = 1, code = 0, prefix = ~0u, sub = 0, sub_bits = 0, root = 15, next;
    while (root > 1 && !count[root])
        root--;
    if (root > max_root)
        root = max_root;
    next = 1u << root;
    offs[1] = 0;
    for (i = 1; i < 15; i++)
        offs[i + 1] = (uint16_t)(offs[i] + count[i]);
    for (i = 0; i < n; i++)
        if (lens[i])
            sorted[offs[lens[i]]++] = (uint16_t)i;
    memcpy(left, count, sizeof left);
    if (count[0] < 2) /* incomplete: what no code fills is an error */
        for (i = 0; i < 1u << root; i++)
            t[i] = E_BAD;
    for (i = 0; i < count[0]; i++) {
        /* count[0] is the number of codes, all of them put in sorted above */
        /* cppcheck-suppress uninitvar */
        unsigned sym = sorted[i], rev, j;
        uint32_t e;
        while (lens[sym] > len) { /* canonical codes (RFC 1951 3.2.2) */
            code <<= 1;
            len++;
        }
        rev = reverse_bits(code, len); /* codes are sent first bit first */
        e = make_entry(kind, sym, len);
        if (len <= root) {
            for (j = rev; j < 1u << root; j += 1u << len)
                t[j] = e;
        } else {
            if ((rev & ((1u << root) - 1)) != prefix) {
                prefix = rev & ((1u << root) - 1);
                sub_bits = subtable_bits(left, len, root);
                sub = next;
                next += 1u << sub_bits;
                t[prefix] = E_EXC | E_SUB | (uint32_t)sub << 16 | sub_bits << 8 | root;
            }
            for (j = rev >> root; j < 1u << sub_bits; j += 1u << (len - root))
                t[sub + j] = e;
        }
        left[len]--;
        code++;
    }
    return root;
}

unsigned wsx__inflate_build(uint32_t *t, unsigned max_root, const uint8_t *lens, unsigned n,
                            const uint16_t count[16], unsigned kind)
{
    if (kind == K_LITLEN)
        return build(t, max_root, lens, n, count, K_LITLEN);
    if (kind == K_DIST)
        return build(t, max_root, lens, n, count, K_DIST);
    return build(t, max_root, lens, n, count, K_CLEN);
}

void wsx__inflate_load_fixed(wsx_inflater *z, uint32_t *lt, uint32_t *dt, uint8_t *lens)
{
    uint16_t count[16];
    wsx__inflate_fixed_lens(lens);
    wsx__inflate_count(lens, 288, count);
    z->_lbits = (uint8_t)wsx__inflate_build(lt, LBITS, lens, 288, count, K_LITLEN);
    wsx__inflate_count(lens + 288, 32, count);
    z->_dbits = (uint8_t)wsx__inflate_build(dt, DBITS, lens + 288, 32, count, K_DIST);
    z->_flags |= WSX__IF_FIXED;
}

#else
typedef int wsx__inflate_tables_unused_; /* WSX_SMALL: see inflate_small.c */
#endif /* !WSX_SMALL */
