/*
 * gzip writer (RFC 1952): a 10-byte header, the DEFLATE stream of
 * deflate.c, and a trailer with the CRC-32 and the length of the input.
 */
#include <string.h>

#include "wsx_deflate.h"
#include "wsx_internal.h"

enum { GZ_NEW, GZ_BODY, GZ_TRAILER, GZ_DONE };

int wsx_gzip_writer_init(wsx_gzip_writer *g, const wsx_deflater_config *cfg, void *mem,
                         size_t mem_size)
{
    int r;
    if (!g)
        return WSX_E_ARG;
    r = wsx_deflater_init(&g->_d, cfg, mem, mem_size);
    g->_crc = 0;
    g->_size = 0;
    g->_state = GZ_NEW;
    g->_trailer_pos = 0;
    return r;
}

int wsx_gzip_header(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len)
{
    /* ID1 ID2, CM 8 (deflate), FLG 0, MTIME 0 (none), XFL 0, OS 255. */
    static const uint8_t header[WSX_GZIP_HEADER_LEN] = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255};
    if (out_len)
        *out_len = 0;
    if (!g || !out_len || (!out && cap))
        return WSX_E_ARG;
    if (g->_state != GZ_NEW)
        return WSX_E_STATE;
    *out_len = WSX_GZIP_HEADER_LEN;
    if (!out)
        return WSX_OK;
    if (cap < WSX_GZIP_HEADER_LEN)
        return WSX_E_BUFFER;
    memcpy(out, header, WSX_GZIP_HEADER_LEN);
    g->_state = GZ_BODY;
    return WSX_OK;
}

int wsx_gzip_write(wsx_gzip_writer *g, const void *in, size_t in_len, size_t *in_used, int flush,
                   void *out, size_t out_cap, size_t *out_len)
{
    int r;
    if (in_used)
        *in_used = 0;
    if (out_len)
        *out_len = 0;
    if (!g || !in_used || !out_len || (!in && in_len) || (!out && out_cap) ||
        (flush != WSX_DEFLATE_NO_FLUSH && flush != WSX_DEFLATE_SYNC))
        return WSX_E_ARG;
    if (g->_state != GZ_BODY)
        return WSX_E_STATE;
    r = wsx_deflate(&g->_d, in, in_len, in_used, flush, out, out_cap, out_len);
    g->_crc = wsx_crc32(g->_crc, in, *in_used);
    g->_size += (uint32_t)*in_used;
    return r;
}

int wsx_gzip_finish(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len)
{
    uint8_t *o = (uint8_t *)out;
    size_t used, n = 0;
    if (out_len)
        *out_len = 0;
    if (!g || !out_len || (!out && cap))
        return WSX_E_ARG;
    if (g->_state == GZ_BODY) {
        int r = wsx_deflate(&g->_d, NULL, 0, &used, WSX_DEFLATE_FINISH, out, cap, &n);
        if (r != WSX_OK) {
            *out_len = n;
            return r;
        }
        g->_state = GZ_TRAILER;
    }
    if (g->_state != GZ_TRAILER)
        return WSX_E_STATE;
    /* CRC-32 and ISIZE (input length mod 2^32), little-endian. */
    while (g->_trailer_pos < WSX_GZIP_TRAILER_LEN && n < cap) {
        unsigned i = g->_trailer_pos++;
        uint32_t v = i < 4 ? g->_crc : g->_size;
        o[n++] = (uint8_t)(v >> (8 * (i & 3)));
    }
    *out_len = n;
    if (g->_trailer_pos < WSX_GZIP_TRAILER_LEN)
        return WSX_DEFLATE_OUTPUT_FULL;
    g->_state = GZ_DONE;
    return WSX_OK;
}
