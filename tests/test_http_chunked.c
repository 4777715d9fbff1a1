/* Chunked transfer coding: decoder fed whole, byte by byte and split at every
 * offset (guarded buffers), extensions, trailers, bad hex, overflow, limits;
 * encoder round trip. */
#include <stdlib.h>

#include "harness.h"
#include "wsx_http.h"

/* Outcome: "<data>|end@<offset>" or "<data>|err=<code>" or "<data>|more". */
static void run_pieces(const char *in, size_t n, const size_t *cuts, size_t ncuts,
                       const wsx_chunked_config *cfg, char *out, size_t cap)
{
    wsx_chunked c;
    size_t k, prev = 0, o = 0, base = 0;
    int r = 0;
    wsx_chunked_init(&c, cfg);
    for (k = 0; k < ncuts; k++) {
        size_t len = cuts[k] - prev;
        unsigned char *g = guarded_copy(in + prev, len);
        const uint8_t *p = g;
        size_t left = len;
        for (;;) {
            const uint8_t *d = NULL;
            size_t dl = 0, used = 99999;
            r = wsx_chunked_decode(&c, p, left, &used, &d, &dl);
            if (r < 0 || used > left)
                break;
            if (r == WSX_CHUNKED_EV_DATA) {
                if (d < p || d + dl > p + used || o + dl >= cap) {
                    r = -9999;
                    break;
                }
                memcpy(out + o, d, dl);
                o += dl;
            }
            p += used;
            left -= used;
            if (r == WSX_CHUNKED_EV_END || (r == WSX_CHUNKED_NEED_MORE && left == 0))
                break;
            if (r == WSX_CHUNKED_NEED_MORE) { /* must have used everything */
                r = -9998;
                break;
            }
        }
        guarded_free(g, len);
        if (r < 0 || r == WSX_CHUNKED_EV_END) {
            if (r == WSX_CHUNKED_EV_END)
                base = prev + (len - left);
            break;
        }
        prev = cuts[k];
    }
    if (r < 0)
        snprintf(out + o, cap - o, "|err=%d", r);
    else if (r == WSX_CHUNKED_EV_END)
        snprintf(out + o, cap - o, "|end@%zu", base);
    else
        snprintf(out + o, cap - o, "|more");
    (void)n;
}

static int all_splits(const char *in, size_t n, const wsx_chunked_config *cfg, const char *want)
{
    char got[8192];
    size_t i, *cuts = (size_t *)malloc((n + 1) * sizeof *cuts);
    int ok = 1;
    for (i = 0; i < n; i++)
        cuts[i] = i + 1;
    run_pieces(in, n, &n, 1, cfg, got, sizeof got);
    if (strcmp(got, want)) {
        fprintf(stderr, "  whole: got [%s] want [%s]\n", got, want);
        ok = 0;
    }
    run_pieces(in, n, cuts, n, cfg, got, sizeof got);
    if (strcmp(got, want)) {
        fprintf(stderr, "  bytewise: got [%s] want [%s]\n", got, want);
        ok = 0;
    }
    for (i = 1; i < n && ok; i++) {
        size_t two[2];
        two[0] = i;
        two[1] = n;
        run_pieces(in, n, two, 2, cfg, got, sizeof got);
        if (strcmp(got, want)) {
            fprintf(stderr, "  split %zu: got [%s] want [%s]\n", i, got, want);
            ok = 0;
        }
    }
    free(cuts);
    return ok;
}

#define DEC(s, want) CHECK(all_splits(s, sizeof(s) - 1, NULL, want))

static char wbuf[64];
static const char *errs(int e)
{
    snprintf(wbuf, sizeof wbuf, "|err=%d", e);
    return wbuf;
}

static void test_valid(void)
{
    DEC("5\r\nHello\r\n0\r\n\r\n", "Hello|end@15");
    DEC("5\r\nHello\r\n6\r\n world\r\n0\r\n\r\nGET", "Hello world|end@26");
    DEC("a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij|end@35");
    DEC("0\r\n\r\n", "|end@5");
    DEC("000\r\n\r\n", "|end@7");
    DEC("0005\r\nHello\r\n0\r\n\r\n", "Hello|end@18");
    /* extensions, with BWS before ';' */
    DEC("5;name=value\r\nHello\r\n0;last\r\n\r\n", "Hello|end@31");
    DEC("5 ; a=\"q;\\\"x\" ;b\r\nHello\r\n0\r\n\r\n", "Hello|end@30");
    DEC("5\t;x\r\nHello\r\n0\r\n\r\n", "Hello|end@18");
    /* trailers skipped */
    DEC("5\r\nHello\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\nrest", "Hello|end@41");
    /* binary data including CR, LF and controls */
    DEC("4\r\n\r\n\x01\n\r\n0\r\n\r\n", "\r\n\x01\n|end@14");
    /* incomplete */
    DEC("5\r\nHel", "Hel|more");
    DEC("5\r\nHello\r\n0\r\n", "Hello|more");
}

static void test_invalid(void)
{
    DEC("\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("g\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("0x5\r\nHello\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("-5\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC(" 5\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("+5\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("5 \r\nHello\r\n", errs(WSX_E_HTTP_CHUNK));  /* BWS must lead to ';' */
    DEC("5 5\r\nHello\r\n", errs(WSX_E_HTTP_CHUNK)); /* no digits after BWS */
    DEC("5 \t;x\r\nHello\r\n0\r\n\r\n", "Hello|end@19");
    DEC("5\nHello\r\n", errs(WSX_E_HTTP_CHUNK)); /* bare LF */
    DEC("5\rHello\r\n", errs(WSX_E_HTTP_CHUNK)); /* bare CR */
    DEC("5\r\nHelloX\r\n", "Hello"
                           "|err=-210"); /* data longer than size */
    DEC("5\r\nHello\n0\r\n\r\n", "Hello|err=-210");
    DEC("5\r\nHello\r\n0\r\n\r\r", "Hello|err=-210");
    DEC("5;a\x01\r\n", errs(WSX_E_HTTP_CHUNK)); /* control char in ext */
    DEC("5;a\nb\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("0\r\n Folded: x\r\n\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("0\r\nX: a\x01\r\n\r\n", errs(WSX_E_HTTP_CHUNK));
    DEC("0\r\nX: a\nb\r\n\r\n", errs(WSX_E_HTTP_CHUNK));
    /* overflow: huge sizes stop at once, whatever the digit count */
    DEC("ffffffffffffffffffffffff\r\n", errs(WSX_E_HTTP_CHUNK_TOO_BIG));
    DEC("10000000000000000\r\n", errs(WSX_E_HTTP_CHUNK_TOO_BIG));
    DEC("40000001\r\n", errs(WSX_E_HTTP_CHUNK_TOO_BIG)); /* 1 GiB + 1 */
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_CHUNK), 400);
}

static void test_limits(void)
{
    wsx_chunked_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_chunk = 5;
    CHECK(all_splits("5\r\nHello\r\n0\r\n\r\n", 15, &cfg, "Hello|end@15"));
    CHECK(all_splits("6\r\nHello!\r\n", 11, &cfg, errs(WSX_E_HTTP_CHUNK_TOO_BIG)));
    CHECK(all_splits("00000000000000000000000000000000005\r\nHello\r\n", 44, &cfg, "Hello|more"));
    cfg.max_chunk = UINT64_MAX;
    CHECK(all_splits("ffffffffffffffff\r\nab", 20, &cfg, "ab|more"));
    CHECK(all_splits("10000000000000000\r\n", 19, &cfg, errs(WSX_E_HTTP_CHUNK_TOO_BIG)));
    /* 2^60 is the first size whose next digit would overflow */
    CHECK(all_splits("fffffffffffffff0\r\nab", 20, &cfg, "ab|more"));
    CHECK(all_splits("1000000000000000\r\nab", 20, &cfg, "ab|more"));
    CHECK(all_splits("10000000000000000\r\n", 19, &cfg, errs(WSX_E_HTTP_CHUNK_TOO_BIG)));
    cfg.max_chunk = UINT64_C(0xFFFFFFFFFFFFFFF0);
    CHECK(all_splits("fffffffffffffff0\r\nab", 20, &cfg, "ab|more"));
    CHECK(all_splits("fffffffffffffff1\r\n", 18, &cfg, errs(WSX_E_HTTP_CHUNK_TOO_BIG)));
    /* size line limit: 8 bytes ok, 9 not */
    memset(&cfg, 0, sizeof cfg);
    cfg.max_line = 8;
    CHECK(all_splits("5;abcdef\r\nHello\r\n0\r\n\r\n", 22, &cfg, "Hello|end@22"));
    CHECK(all_splits("5;abcdefg\r\nHello\r\n", 18, &cfg, errs(WSX_E_HTTP_CHUNK_LINE_TOO_LONG)));
    CHECK(all_splits("000000005\r\n", 11, &cfg, errs(WSX_E_HTTP_CHUNK_LINE_TOO_LONG)));
    /* trailer limit: counts trailer bytes and the final CRLF */
    memset(&cfg, 0, sizeof cfg);
    cfg.max_trailer = 8;
    CHECK(all_splits("0\r\nA: b\r\n\r\n", 11, &cfg, "|end@11"));
    CHECK(all_splits("0\r\nA: bc\r\n\r\n", 12, &cfg, errs(WSX_E_HTTP_TRAILER_TOO_LARGE)));
    CHECK(
        all_splits("0\r\nA: 1\r\nA: 2\r\nA: 3\r\n", 21, &cfg, errs(WSX_E_HTTP_TRAILER_TOO_LARGE)));
}

static void test_contract(void)
{
    wsx_chunked c;
    const uint8_t *d;
    size_t dl, used;
    CHECK_EQ(wsx_chunked_init(&c, NULL), WSX_OK);
    CHECK_EQ(wsx_chunked_decode(&c, "5\r\nHe", 5, &used, &d, &dl), WSX_CHUNKED_EV_DATA);
    CHECK_EQ(used, 5);
    CHECK_EQ(dl, 2);
    CHECK_EQ(wsx_chunked_decode(&c, "", 0, &used, &d, &dl), WSX_CHUNKED_NEED_MORE);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_chunked_decode(&c, "llo\r\n0\r\n\r\nX", 11, &used, &d, &dl), WSX_CHUNKED_EV_DATA);
    CHECK_EQ(used, 3);
    CHECK_EQ(wsx_chunked_decode(&c, "\r\n0\r\n\r\nX", 8, &used, &d, &dl), WSX_CHUNKED_EV_END);
    CHECK_EQ(used, 7);
    CHECK_EQ(wsx_chunked_decode(&c, "X", 1, &used, &d, &dl), WSX_CHUNKED_EV_END);
    CHECK_EQ(used, 0);
    /* sticky error */
    wsx_chunked_init(&c, NULL);
    CHECK_EQ(wsx_chunked_decode(&c, "z", 1, &used, &d, &dl), WSX_E_HTTP_CHUNK);
    CHECK_EQ(wsx_chunked_decode(&c, "0\r\n\r\n", 5, &used, &d, &dl), WSX_E_HTTP_CHUNK);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_chunked_decode(NULL, "0", 1, &used, &d, &dl), WSX_E_ARG);
}

/* Rule 5: NULL required pointers give WSX_E_ARG and change nothing; rule 4:
 * a zeroed config, a NULL one and wsx_chunked_config_default's agree. */
static void test_null_and_defaults(void)
{
    wsx_chunked c, zeroed, defaults;
    wsx_chunked_config cfg;
    const uint8_t *d = NULL;
    size_t dl = 7, used = 7, n = 7;
    uint8_t buf[WSX_CHUNKED_HEADER_MAX];
    CHECK_EQ(wsx_chunked_init(NULL, NULL), WSX_E_ARG);
    wsx_chunked_config_default(NULL); /* nothing to do, no crash */
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ(wsx_chunked_init(&zeroed, &cfg), WSX_OK);
    wsx_chunked_config_default(&cfg);
    CHECK(cfg.max_chunk == WSX_CHUNKED_DEFAULT_MAX_CHUNK);
    CHECK_EQ(cfg.max_line, WSX_CHUNKED_DEFAULT_MAX_LINE);
    CHECK_EQ(cfg.max_trailer, WSX_CHUNKED_DEFAULT_MAX_TRAILER);
    CHECK_EQ(wsx_chunked_init(&defaults, &cfg), WSX_OK);
    CHECK_EQ(wsx_chunked_init(&c, NULL), WSX_OK);
    CHECK_MEM(&c, &zeroed, sizeof c);
    CHECK_MEM(&c, &defaults, sizeof c);
    CHECK_EQ(wsx_chunked_decode(&c, NULL, 1, &used, &d, &dl), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_decode(&c, "5\r\n", 3, NULL, &d, &dl), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_decode(&c, "5\r\n", 3, &used, NULL, &dl), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_decode(&c, "5\r\n", 3, &used, &d, NULL), WSX_E_ARG);
    CHECK(d == NULL && dl == 7);
    /* the argument errors were not sticky and consumed nothing */
    CHECK_MEM(&c, &zeroed, sizeof c);
    CHECK_EQ(wsx_chunked_decode(&c, NULL, 0, &used, &d, &dl), WSX_CHUNKED_NEED_MORE);
    CHECK_EQ(wsx_chunked_decode(&c, "1\r\nx", 4, &used, &d, &dl), WSX_CHUNKED_EV_DATA);
    CHECK(d != NULL && dl == 1 && *d == 'x');
    /* writers */
    CHECK_EQ(wsx_chunked_write_header(5, buf, sizeof buf, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_write_header(5, NULL, 4, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_chunked_wrap(NULL, 32, 20, 10, &used, &dl), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_wrap(buf, 32, 20, 10, NULL, &dl), WSX_E_ARG);
    CHECK_EQ(wsx_chunked_wrap(buf, 32, 20, 10, &used, NULL), WSX_E_ARG);
}

/* wsx_chunked_write_header is a rule-2 writer: bytes, size query, BUFFER
 * with the size needed; size 0 (the last chunk) is refused. */
static size_t header_len(uint64_t size)
{
    size_t n = 0;
    CHECK_EQ(wsx_chunked_write_header(size, NULL, 0, &n), WSX_OK);
    return n;
}

static int header_is(uint64_t size, const char *want)
{
    uint8_t hdr[WSX_CHUNKED_HEADER_MAX];
    size_t n = 0, cap, w = strlen(want);
    int ok = wsx_chunked_write_header(size, hdr, sizeof hdr, &n) == WSX_OK && n == w &&
             memcmp(hdr, want, w) == 0 && header_len(size) == w;
    for (cap = 0; cap < w; cap++) {
        uint8_t *g = (uint8_t *)guarded_alloc(cap ? cap : 1);
        n = 0;
        ok &= wsx_chunked_write_header(size, g, cap, &n) == WSX_E_BUFFER && n == w;
        guarded_free(g, cap ? cap : 1);
    }
    return ok;
}

static void test_encoder(void)
{
    uint8_t hdr[WSX_CHUNKED_HEADER_MAX];
    char buf[256], stream[1024];
    size_t start, total, o = 0, i, n = 7;
    CHECK_EQ(wsx_chunked_write_header(0, hdr, sizeof hdr, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    CHECK(header_is(1, "1\r\n"));
    CHECK(header_is(0x1a2b, "1a2b\r\n"));
    CHECK(header_is(0x10, "10\r\n"));
    CHECK(header_is(UINT64_C(0xF00000000000000A), "f00000000000000a\r\n"));
    CHECK(header_is(UINT64_MAX, "ffffffffffffffff\r\n"));
    /* wrap in place, then decode everything back */
    for (i = 1; i <= 40; i += 13) {
        memset(buf, 'A' + (int)i, sizeof buf);
        CHECK_EQ(wsx_chunked_wrap(buf, 20 + i + 2, 20, i, &start, &total), WSX_OK);
        CHECK_EQ(total, header_len(i) + i + 2);
        CHECK_MEM(buf + start + total - 2, "\r\n", 2);
        memcpy(stream + o, buf + start, total);
        o += total;
    }
    memcpy(stream + o, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN);
    o += WSX_CHUNKED_LAST_LEN;
    {
        char want[256];
        size_t w = 0;
        for (i = 1; i <= 40; i += 13) {
            memset(want + w, 'A' + (int)i, i);
            w += i;
        }
        snprintf(want + w, sizeof want - w, "|end@%zu", o);
        CHECK(all_splits(stream, o, NULL, want));
    }
    CHECK_EQ(wsx_chunked_wrap(buf, 100, 2, 10, &start, &total), WSX_E_BUFFER); /* headroom */
    CHECK_EQ(wsx_chunked_wrap(buf, 31, 20, 10, &start, &total), WSX_E_BUFFER); /* tail */
    CHECK_EQ(wsx_chunked_wrap(buf, 32, 20, 10, &start, &total), WSX_OK);
    CHECK_EQ(wsx_chunked_wrap(buf, 32, 40, 10, &start, &total), WSX_E_BUFFER);
    CHECK_EQ(wsx_chunked_wrap(buf, 32, 20, 0, &start, &total), WSX_E_ARG);
}

int main(void)
{
    RUN(test_valid);
    RUN(test_invalid);
    RUN(test_limits);
    RUN(test_contract);
    RUN(test_null_and_defaults);
    RUN(test_encoder);
    return harness_done();
}
