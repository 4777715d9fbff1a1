/*
 * gzip'd event streams (Content-Encoding: gzip): each event compressed
 * and sync-flushed through a wsx_gzip_writer on the server side; a gzip
 * reader in front of the parser on the client side.  See wsx_sse.h.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

#include "sse_internal.h"

/* ---- server: writing --------------------------------------------------- */

/* Where the event's bytes go while wsx__sse_write_msg produces them. */
typedef struct gz_sink {
    wsx_gzip_writer *g;
    uint8_t *out;
    size_t cap, len;
    int err;
} gz_sink;

static void sink_put(gz_sink *s, const void *p, size_t k)
{
    size_t used = 0, made = 0;
    int r;
    if (s->err || k == 0)
        return;
    r = wsx_gzip_write(s->g, p, k, &used, WSX_DEFLATE_NO_FLUSH, s->out + s->len, s->cap - s->len,
                       &made);
    s->len += made;
    if (r != WSX_OK) /* cannot happen: out holds the bound */
        s->err = r < 0 ? r : WSX_E_BUFFER;
}

static void to_compressor(wsx__wbuf *w, const void *p, size_t k)
{
    sink_put((gz_sink *)w->sink_ctx, p, k);
}

/* The room a piece of len plain bytes needs (the gzip header first when
 * g has not written it, extra bytes after it), in *need; WSX_OK or
 * WSX_E_STATE (finished). */
static int room_for(wsx_gzip_writer *g, size_t len, size_t extra, size_t *need, size_t *head)
{
    size_t used, made;
    *need = *head = 0;
    if (wsx_gzip_header(g, NULL, 0, head) != WSX_OK) {
        *head = 0; /* written already: is the stream still open? */
        if (wsx_gzip_write(g, NULL, 0, &used, WSX_DEFLATE_NO_FLUSH, NULL, 0, &made) != WSX_OK)
            return WSX_E_STATE;
    }
    *need = *head + wsx_deflate_bound(&g->_d, len) + extra;
    return WSX_OK;
}

/* Checks out against the bound; WSX_OK to go on (the header written, *at
 * bytes of out used), 1 for a size query (answered), or the error
 * (WSX_E_BUFFER with the size needed). */
static int begin(wsx_gzip_writer *g, size_t len, size_t extra, void *out, size_t cap,
                 size_t *out_len, size_t *at)
{
    size_t need, head;
    int r;
    if (len > ((size_t)-1) / 4)
        return WSX_E_LIMIT; /* the bound would overflow */
    r = room_for(g, len, extra, &need, &head);
    if (r != WSX_OK)
        return r;
    *out_len = need;
    if (!out)
        return 1; /* a size query: WSX_OK below */
    if (cap < need)
        return WSX_E_BUFFER;
    *out_len = 0;
    *at = 0;
    if (head)
        wsx_gzip_header(g, out, cap, at);
    return WSX_OK;
}

/* The common part of the two event writers: m (serialized as it streams
 * into the compressor) or bytes[0..len), then the sync flush. */
static int gzip_piece(wsx_gzip_writer *g, const wsx_sse_msg *m, const void *bytes, size_t len,
                      void *out, size_t cap, size_t *out_len)
{
    gz_sink s;
    size_t used, made;
    int r = begin(g, len, 0, out, cap, out_len, &s.len);
    if (r != WSX_OK)
        return r == 1 ? WSX_OK : r;
    s.g = g;
    s.out = (uint8_t *)out;
    s.cap = cap;
    s.err = 0;
    if (m) {
        wsx__wbuf w;
        wsx__wbuf_start(&w, NULL, 0, &made);
        w.sink = to_compressor;
        w.sink_ctx = &s;
        wsx__sse_write_msg(&w, m);
    } else {
        sink_put(&s, bytes, len);
    }
    if (!s.err) {
        r = wsx_gzip_write(g, NULL, 0, &used, WSX_DEFLATE_SYNC, s.out + s.len, cap - s.len, &made);
        s.len += made;
        s.err = r == WSX_OK ? 0 : r < 0 ? r : WSX_E_BUFFER;
    }
    *out_len = s.err ? 0 : s.len;
    return s.err;
}

int wsx_sse_gzip_event(wsx_gzip_writer *g, const wsx_sse_msg *m, void *out, size_t cap,
                       size_t *out_len)
{
    size_t n;
    int r;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (!g || (!out && cap))
        return WSX_E_ARG;
    r = wsx_sse_write(m, NULL, 0, &n); /* m's checks, and its length */
    return r ? r : gzip_piece(g, m, NULL, n, out, cap, out_len);
}

int wsx_sse_gzip_bytes(wsx_gzip_writer *g, const void *bytes, size_t len, void *out, size_t cap,
                       size_t *out_len)
{
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (!g || (!out && cap) || (!bytes && len))
        return WSX_E_ARG;
    return gzip_piece(g, NULL, bytes, len, out, cap, out_len);
}

int wsx_sse_gzip_finish(wsx_gzip_writer *g, void *out, size_t cap, size_t *out_len)
{
    size_t at = 0, n;
    int r;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (!g || (!out && cap))
        return WSX_E_ARG;
    r = begin(g, 0, WSX_GZIP_TRAILER_LEN, out, cap, out_len, &at);
    if (r != WSX_OK)
        return r == 1 ? WSX_OK : r;
    r = wsx_gzip_finish(g, (uint8_t *)out + at, cap - at, &n);
    if (r != WSX_OK)
        return r < 0 ? r : WSX_E_BUFFER; /* cannot happen: out holds the bound */
    *out_len = at + n;
    return WSX_OK;
}

/* ---- client: reading --------------------------------------------------- */

int wsx_sse_gunzip_init(wsx_sse_gunzip *z, unsigned window_bits, void *mem, size_t mem_size,
                        void *plain, size_t plain_cap)
{
    int r;
    if (!z || !mem || !plain || plain_cap == 0)
        return WSX_E_ARG;
    if (window_bits == 0)
        window_bits = WSX_DEFLATE_MAX_WINDOW_BITS;
    z->_plain = NULL;
    r = wsx_gzip_reader_init(&z->_gz, window_bits, mem, mem_size);
    if (r != WSX_OK)
        return r;
    z->_mem = mem;
    z->_mem_size = mem_size;
    z->_wbits = (uint8_t)window_bits;
    z->_plain = (uint8_t *)plain;
    z->_cap = plain_cap;
    z->_off = z->_len = 0;
    z->_complete = z->_failed = 0;
    return WSX_OK;
}

int wsx_sse_gunzip_reset(wsx_sse_gunzip *z)
{
    if (!z)
        return WSX_E_ARG;
    if (!z->_plain)
        return WSX_E_STATE;
    /* the same arguments that succeeded at init */
    wsx_gzip_reader_init(&z->_gz, z->_wbits, z->_mem, z->_mem_size);
    z->_off = z->_len = 0;
    z->_complete = z->_failed = 0;
    return WSX_OK;
}

/* The reader failed with err: on_error once (rule 7), then err. */
static int gunzip_failed(wsx_sse_gunzip *z, const wsx_sse_callbacks *cb, void *user, int err)
{
    if (!z->_failed && cb->on_error)
        cb->on_error(user, err);
    z->_failed = 1;
    return err;
}

int wsx_sse_gunzip_feed(wsx_sse_gunzip *z, wsx_sse_parser *p, const void *buf, size_t len,
                        const wsx_sse_callbacks *cb, void *user, size_t *consumed)
{
    const uint8_t *in = (const uint8_t *)buf;
    size_t pos = 0, used, made;
    int r = WSX_OK;
    if (consumed)
        *consumed = 0;
    if (!z || !p || !cb || (!buf && len))
        return WSX_E_ARG;
    if (!z->_plain)
        return WSX_E_STATE;
    for (;;) {
        if (z->_off < z->_len) {
            r = wsx_sse_feed(p, z->_plain + z->_off, z->_len - z->_off, cb, user, &used);
            z->_off += used;
            if (r != WSX_OK)
                break; /* paused, or the parser's error */
        }
        r = wsx_gzip_read(&z->_gz, in ? in + pos : NULL, len - pos, &used, z->_plain, z->_cap,
                          &made);
        if (r < 0) {
            r = gunzip_failed(z, cb, user, r);
            break;
        }
        pos += used;
        z->_off = 0;
        z->_len = made;
        if (r == WSX_INFLATE_END)
            z->_complete = 1;
        else if (used)
            z->_complete = 0;
        if (r == WSX_INFLATE_NEED_INPUT && made == 0) {
            r = WSX_OK; /* all of buf in, all of it parsed */
            break;
        }
    }
    if (consumed)
        *consumed = pos;
    return r;
}

int wsx_sse_gunzip_end(wsx_sse_gunzip *z, wsx_sse_parser *p)
{
    if (!z || !p)
        return WSX_E_ARG;
    /* (wsx_sse_end fails only for a NULL p) */
    return (wsx_sse_end(p) == 1) | !z->_complete | (z->_off < z->_len);
}
