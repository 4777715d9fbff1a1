/*
 * DEFLATE decompressor (RFC 1951): the API of wsx_deflate.h and the rules
 * both profiles share.  The decoding itself is in inflate_fast.c (lookup
 * tables, a 64-bit bit buffer, whole-word copies) or inflate_small.c
 * (WSX_SMALL: canonical decoding bit by bit); both follow the rules here,
 * check the same things at the same moment, and return the same events.
 *
 * History: each call decodes straight into the caller's out; a match
 * reaches back into out as far as this call wrote, and before that into
 * the window, a circular copy of the last 2^bits bytes of earlier calls.
 * When the call returns, its output is added to the window
 * (wsx__inflate_keep).  wsx_inflate itself is in each profile's file.
 */
#include <string.h>

#include "inflate_internal.h"

/* The public sizes hold this profile's tables and up to 3 bytes of
 * alignment. */
#ifdef WSX_SMALL
#define PUBLIC_TABLES_ WSX_INFLATE_TABLES_SMALL
#else
#define PUBLIC_TABLES_ WSX_INFLATE_TABLES_SIZE
#endif
typedef char wsx__inflate_tables_fit_[WSX__INFLATE_TABLES + 4 <= PUBLIC_TABLES_ &&
                                              PUBLIC_TABLES_ <= WSX_INFLATE_TABLES_SIZE
                                          ? 1
                                          : -1];

const uint8_t wsx__inflate_clen_order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                             11, 4,  12, 3, 13, 2, 14, 1, 15};

int wsx_inflater_init(wsx_inflater *z, unsigned window_bits, void *mem, size_t mem_size)
{
    size_t pad;
    if (!z)
        return WSX_E_ARG;
    memset(z, 0, sizeof *z);
    if (!mem || window_bits < WSX_DEFLATE_MIN_WINDOW_BITS ||
        window_bits > WSX_DEFLATE_MAX_WINDOW_BITS)
        return WSX_E_ARG;
    pad = (size_t)(0u - (uintptr_t)mem) & 3u; /* the tables hold 32-bit words */
    if (mem_size < pad + WSX__INFLATE_TABLES + ((size_t)1 << window_bits))
        return WSX_E_BUFFER;
    z->_tables = (uint8_t *)mem + pad;
    z->_window = (uint8_t *)z->_tables + WSX__INFLATE_TABLES;
    z->_wbits = (uint8_t)window_bits;
    return WSX_OK;
}

int wsx_inflater_reset(wsx_inflater *z, int keep_window)
{
    if (!z)
        return WSX_E_ARG;
    if (!z->_wbits)
        return WSX_E_STATE;
    z->_state = WSX__IST_HEADER;
    z->_flags &= WSX__IF_FIXED; /* the fixed tables stay valid */
    z->_error = 0;
    z->_bitbuf = 0;
    z->_bitcount = 0;
    z->_len = 0;
    if (!keep_window)
        z->_whave = z->_wnext = 0;
    return WSX_OK;
}

int wsx_inflater_between_blocks(const wsx_inflater *z)
{
    return z && z->_wbits && !z->_error && z->_state == WSX__IST_HEADER;
}

void wsx__inflate_keep_wrap(wsx_inflater *z, const uint8_t *out, size_t n)
{
    uint32_t size = (uint32_t)1 << z->_wbits, first;
    if (n >= size) {
        memcpy(z->_window, out + n - size, size);
        z->_wnext = 0;
        z->_whave = size;
        return;
    }
    first = size - z->_wnext;
    memcpy(z->_window + z->_wnext, out, first);
    memcpy(z->_window, out + first, n - first);
    z->_wnext = (uint32_t)((z->_wnext + n) & (size - 1));
    z->_whave = z->_whave + n >= size ? size : z->_whave + (uint32_t)n;
}

/* ---- rules both profiles share ------------------------------------------ */

int wsx__inflate_count(const uint8_t *lens, unsigned n, uint16_t count[16])
{
    int left = 1; /* codes still free at the current length */
    unsigned i;
    memset(count, 0, 16 * sizeof count[0]);
    for (i = 0; i < n; i++)
        count[lens[i]]++;
    count[0] = (uint16_t)(n - count[0]);
    for (i = 1; i < 16; i++) {
        left = 2 * left - count[i];
        if (left < 0)
            return -1; /* over-subscribed */
    }
    if (left == 0)
        return 0;
    return count[0] <= 1 && count[1] == count[0] ? 1 : -1;
}

void wsx__inflate_fixed_lens(uint8_t *lens)
{
    memset(lens, 8, 144);
    memset(lens + 144, 9, 112);
    memset(lens + 256, 7, 24);
    memset(lens + 280, 8, 8);
    memset(lens + 288, 5, 32);
}

int wsx__inflate_put_lens(wsx_inflater *z, uint8_t *lens, unsigned sym, unsigned x)
{
    unsigned have = z->_have, total = (unsigned)z->_nlen + z->_ndist, value = sym, repeat = 1;
    if (sym == 16) {
        if (have == 0)
            return WSX_E_INFLATE_REPEAT_FIRST;
        value = lens[have - 1];
        repeat = 3 + x;
    } else if (sym > 16) {
        value = 0;
        repeat = (sym == 17 ? 3 : 11) + x;
    }
    /* The lengths are one sequence: a repeat may run from the
     * literal/length codes into the distance codes, not past them. */
    if (repeat > total - have)
        return WSX_E_INFLATE_REPEAT_OVERRUN;
    memset(lens + have, (int)value, repeat);
    z->_have = (uint16_t)(have + repeat);
    return WSX_OK;
}

int wsx__inflate_check_lens(const wsx_inflater *z, const uint8_t *lens, uint16_t lcount[16],
                            uint16_t dcount[16])
{
    if (lens[256] == 0)
        return WSX_E_INFLATE_NO_END_CODE;
    if (wsx__inflate_count(lens, z->_nlen, lcount) < 0)
        return WSX_E_INFLATE_LITLEN_CODE;
    if (wsx__inflate_count(lens + z->_nlen, z->_ndist, dcount) < 0)
        return WSX_E_INFLATE_DIST_CODE;
    return WSX_OK;
}

uint8_t *wsx__inflate_copy(wsx_inflater *z, const uint8_t *out_start, uint8_t *out,
                           const uint8_t *out_end)
{
    uint32_t size = (uint32_t)1 << z->_wbits, dist = z->_dist;
    while (z->_len && out < out_end) {
        size_t made = (size_t)(out - out_start), room = (size_t)(out_end - out);
        size_t n = z->_len < room ? z->_len : room;
        if (dist > made) { /* from the window: stop at its end and at out_start */
            uint32_t back = (uint32_t)(dist - made), at = (z->_wnext - back) & (size - 1);
            if (n > back)
                n = back;
            if (n > size - at)
                n = size - at;
            memcpy(out, z->_window + at, n);
        } else if (dist >= n) {
            memcpy(out, out - dist, n);
        } else { /* overlapping: each byte may be one this loop wrote */
            const uint8_t *src = out - dist;
            size_t i;
            for (i = 0; i < n; i++)
                out[i] = src[i];
        }
        out += n;
        z->_len -= (uint32_t)n;
    }
    return out;
}
