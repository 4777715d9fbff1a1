/*
 * gzip reader (RFC 1952): member header, DEFLATE data through wsx_inflate,
 * trailer; see wsx_deflate.h.  Header fields are parsed as they arrive
 * (any chunking) and skipped; a sticky error lives in the inflater's.
 */
#include <string.h>

#include "inflate_internal.h"

/* Member parts, in order (RFC 1952 section 2.3). */
enum {
    G_HEADER = 0, /* ID1 ID2 CM FLG MTIME(4) XFL OS: 10 bytes */
    G_XLEN,       /* FEXTRA: its length, 2 bytes */
    G_EXTRA,      /* FEXTRA: _skip bytes */
    G_NAME,       /* FNAME: zero-terminated */
    G_COMMENT,    /* FCOMMENT: zero-terminated */
    G_HCRC,       /* FHCRC: 2 bytes */
    G_DATA,       /* DEFLATE data */
    G_TRAILER     /* CRC32 ISIZE: 8 bytes */
};

#define FHCRC 0x02u
#define FEXTRA 0x04u
#define FNAME 0x08u
#define FCOMMENT 0x10u
#define FRESERVED 0xE0u

/* The FLG bit that makes each part before G_DATA present. */
static const uint8_t part_flag[G_DATA] = {0, FEXTRA, FEXTRA, FNAME, FCOMMENT, FHCRC};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void new_member(wsx_gzip_reader *g)
{
    wsx_inflater_reset(&g->_z, 0);
    g->_crc = g->_size = g->_hcrc = 0;
    g->_skip = 0;
    g->_state = G_HEADER;
    g->_flags = 0;
    g->_n = 0;
}

int wsx_gzip_reader_init(wsx_gzip_reader *g, unsigned window_bits, void *mem, size_t mem_size)
{
    int r;
    if (!g)
        return WSX_E_ARG;
    r = wsx_inflater_init(&g->_z, window_bits, mem, mem_size);
    if (r == WSX_OK)
        new_member(g);
    return r;
}

/* To the next part the member's FLG has. */
static void next_part(wsx_gzip_reader *g)
{
    do
        g->_state++;
    while (g->_state < G_DATA && !(g->_flags & part_flag[g->_state]));
}

/* Gathers bytes from *p into _buf until it holds want; 1 when it does. */
static int gather(wsx_gzip_reader *g, const uint8_t **p, const uint8_t *end, unsigned want)
{
    size_t k = want - g->_n;
    if (k > (size_t)(end - *p))
        k = (size_t)(end - *p);
    memcpy(g->_buf + g->_n, *p, k);
    *p += k;
    g->_n = (uint8_t)(g->_n + k);
    return g->_n == want;
}

/* The fixed header, each field checked as soon as it is in (as zlib
 * does: ID1 ID2, then CM and FLG together); 1 when all 10 bytes are. */
static int fixed_header(wsx_gzip_reader *g, const uint8_t **p, const uint8_t *end, int *err)
{
    if (g->_n < 2) {
        if (!gather(g, p, end, 2))
            return 0;
        if (g->_buf[0] != 0x1f || g->_buf[1] != 0x8b)
            *err = WSX_E_GZIP_MAGIC;
    }
    if (!*err && g->_n < 4) {
        if (!gather(g, p, end, 4))
            return 0;
        if (g->_buf[2] != 8)
            *err = WSX_E_GZIP_METHOD;
        else if (g->_buf[3] & FRESERVED)
            *err = WSX_E_GZIP_FLAGS;
        g->_flags = g->_buf[3];
    }
    return !*err && gather(g, p, end, 10);
}

/* Reads header bytes from *p (up to the part's end); WSX_OK when the part
 * is complete, 1 when the input ran out, or an error. */
static int read_header_part(wsx_gzip_reader *g, const uint8_t **p, const uint8_t *end)
{
    const uint8_t *from = *p;
    int done = 0, r = WSX_OK;
    switch (g->_state) {
    case G_HEADER:
        done = fixed_header(g, p, end, &r);
        break;
    case G_XLEN:
        done = gather(g, p, end, 2);
        g->_skip = (uint16_t)(g->_buf[0] | g->_buf[1] << 8);
        break;
    case G_EXTRA: {
        size_t k = (size_t)(end - *p) < g->_skip ? (size_t)(end - *p) : g->_skip;
        *p += k;
        g->_skip = (uint16_t)(g->_skip - k);
        done = g->_skip == 0;
        break;
    }
    case G_NAME:
    case G_COMMENT: {
        const uint8_t *zero = (const uint8_t *)memchr(*p, 0, (size_t)(end - *p));
        *p = zero ? zero + 1 : end;
        done = zero != NULL;
        break;
    }
    default: /* G_HCRC: the low 16 bits of the CRC-32 of the bytes before it */
        if (!gather(g, p, end, 2))
            return 1;
        if ((uint32_t)(g->_buf[0] | g->_buf[1] << 8) != (g->_hcrc & 0xffff))
            return WSX_E_GZIP_HEADER_CRC;
        g->_n = 0;
        next_part(g);
        return WSX_OK;
    }
    g->_hcrc = wsx_crc32(g->_hcrc, from, (size_t)(*p - from));
    if (r != WSX_OK)
        return r;
    if (!done)
        return 1;
    g->_n = 0;
    next_part(g);
    return WSX_OK;
}

/* The trailer: CRC32 checked once its 4 bytes are in, then ISIZE; 1 when
 * all 8 bytes are in and match. */
static int trailer(wsx_gzip_reader *g, const uint8_t **p, const uint8_t *end, int *err)
{
    if (g->_n < 4) {
        if (!gather(g, p, end, 4))
            return 0;
        if (le32(g->_buf) != g->_crc) {
            *err = WSX_E_GZIP_CRC;
            return 0;
        }
    }
    if (!gather(g, p, end, 8))
        return 0;
    if (le32(g->_buf + 4) != g->_size)
        *err = WSX_E_GZIP_SIZE;
    return !*err;
}

static int fail(wsx_gzip_reader *g, int err)
{
    g->_z._error = err;
    return err;
}

int wsx_gzip_read(wsx_gzip_reader *g, const void *in, size_t in_len, size_t *in_used, void *out,
                  size_t out_cap, size_t *out_len)
{
    static const uint8_t nothing[1] = {0};
    uint8_t none[1];
    const uint8_t *const start = in ? (const uint8_t *)in : nothing, *p = start;
    const uint8_t *const end = start + in_len;
    uint8_t *const o_start = out ? (uint8_t *)out : none, *o = o_start;
    size_t used, made;
    int r = WSX_INFLATE_NEED_INPUT;
    if (!g || !in_used || !out_len || (!in && in_len) || (!out && out_cap))
        return WSX_E_ARG;
    *in_used = 0;
    *out_len = 0;
    if (!g->_z._wbits)
        return WSX_E_STATE;
    if (g->_z._error)
        return g->_z._error;
    for (;;) {
        if (g->_state < G_DATA) {
            r = read_header_part(g, &p, end);
            if (r < 0)
                return fail(g, r);
            if (r > 0) {
                r = WSX_INFLATE_NEED_INPUT;
                break;
            }
        } else if (g->_state == G_DATA) {
            r = wsx_inflate(&g->_z, p, (size_t)(end - p), &used, o, out_cap - (size_t)(o - o_start),
                            &made);
            if (r < 0)
                return r;
            g->_crc = wsx_crc32(g->_crc, o, made);
            g->_size += (uint32_t)made;
            p += used;
            o += made;
            if (r != WSX_INFLATE_END)
                break;
            g->_state = G_TRAILER;
        } else {
            int err = WSX_OK;
            if (!trailer(g, &p, end, &err)) {
                if (err)
                    return fail(g, err);
                r = WSX_INFLATE_NEED_INPUT;
                break;
            }
            new_member(g);
            r = WSX_INFLATE_END;
            break;
        }
    }
    *in_used = (size_t)(p - start);
    *out_len = (size_t)(o - o_start);
    return r;
}
