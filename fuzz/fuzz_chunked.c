/*
 * libFuzzer target: chunked transfer decoder, with a chunking oracle.
 *
 * Input: byte 0 options (bit 0 small limits: chunk 300, line 16, trailer
 * 64; bits 4-5 chunking mode, see fz_next), byte 1 chunking parameter, the
 * rest the body bytes.
 *
 * Oracle: decoded whole and in pieces (each in its own exactly-sized heap
 * block), the data delivered, the final result and where the body ended
 * are identical; DATA lies inside the bytes consumed by its call;
 * NEED_MORE consumes everything; errors are sticky and consume nothing.
 * The encoder is also run: every DATA slice re-encoded with
 * wsx_chunked_wrap and decoded again must give the same data.
 */
#include "wsx.h"
#include "fuzz_http_common.h"

typedef struct outcome {
    fz_log data;
    int result;    /* last non-DATA result: NEED_MORE, END, or error */
    size_t end_at; /* input offset where END was returned */
} outcome;

/* Feeds buf[0..n) (the piece at input offset base); returns 1 when done. */
static int feed(wsx_chunked *c, const void *piece, size_t n, size_t base, outcome *o)
{
    const uint8_t *buf = (const uint8_t *)piece;
    size_t off = 0;
    for (;;) {
        const uint8_t *d = NULL;
        size_t dl = 0, used = 0;
        int r = wsx_chunked_decode(c, buf + off, n - off, &used, &d, &dl);
        REQUIRE(used <= n - off);
        if (r == WSX_CHUNKED_EV_DATA) {
            REQUIRE(dl > 0 && d >= buf + off && d + dl <= buf + off + used);
            fz_add(&o->data, d, dl);
            off += used;
            continue;
        }
        o->result = r;
        if (r == WSX_CHUNKED_NEED_MORE) {
            REQUIRE(used == n - off);
            return 0;
        }
        if (r == WSX_CHUNKED_EV_END) {
            o->end_at = base + off + used;
            return 1;
        }
        REQUIRE(r < 0 && used == 0);
        REQUIRE(wsx_chunked_decode(c, buf, n, &used, &d, &dl) == r && used == 0);
        return 1;
    }
}

/* Re-encodes data as chunks of varying sizes, decodes it, compares. */
static void round_trip(const fz_log *data)
{
    size_t total = 0, off = 0, k = 1, cap = data->n * 3 + 64, start, len;
    char *enc = (char *)malloc(cap), *tmp = (char *)malloc(data->n + 64);
    wsx_chunked c;
    outcome o;
    while (off < data->n) {
        size_t n = data->n - off < k ? data->n - off : k;
        memcpy(tmp + WSX_CHUNKED_HEADER_MAX, data->p + off, n);
        REQUIRE(wsx_chunked_wrap(tmp, WSX_CHUNKED_HEADER_MAX + n + 2, WSX_CHUNKED_HEADER_MAX, n,
                                 &start, &len) == WSX_OK);
        REQUIRE(total + len <= cap);
        memcpy(enc + total, tmp + start, len);
        total += len;
        off += n;
        k = k * 3 + 1;
    }
    memcpy(enc + total, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN);
    total += WSX_CHUNKED_LAST_LEN;
    memset(&o, 0, sizeof o);
    wsx_chunked_init(&c, NULL);
    REQUIRE(feed(&c, enc, total, 0, &o) == 1);
    REQUIRE(o.result == WSX_CHUNKED_EV_END && o.end_at == total);
    REQUIRE(fz_same(&o.data, data));
    free(o.data.p);
    free(enc);
    free(tmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsx_chunked_config cfg;
    wsx_chunked c;
    outcome whole, pieces;
    fz_plan plan;
    size_t len, off;
    char *buf;
    if (size < 2)
        return 0;
    memset(&cfg, 0, sizeof cfg);
    if (data[0] & 1) {
        cfg.max_chunk = 300;
        cfg.max_line = 16;
        cfg.max_trailer = 64;
    }
    len = size - 2;
    memset(&whole, 0, sizeof whole);
    memset(&pieces, 0, sizeof pieces);

    buf = fz_copy(data + 2, len);
    wsx_chunked_init(&c, &cfg);
    feed(&c, buf, len, 0, &whole);
    free(buf);

    fz_plan_init(&plan, (uint8_t)(data[0] >> 4), data[1], len);
    wsx_chunked_init(&c, &cfg);
    pieces.result = WSX_CHUNKED_NEED_MORE;
    for (off = 0; off < len;) {
        size_t step = fz_next(&plan), n = step > len - off ? len - off : step;
        int done;
        buf = fz_copy(data + 2 + off, n);
        done = feed(&c, buf, n, off, &pieces);
        free(buf);
        off += n;
        if (done)
            break;
    }
    REQUIRE(whole.result == pieces.result);
    REQUIRE(whole.result != WSX_CHUNKED_EV_END || whole.end_at == pieces.end_at);
    REQUIRE(fz_same(&whole.data, &pieces.data));
    round_trip(&whole.data);
    free(whole.data.p);
    free(pieces.data.p);
    return 0;
}
