/*
 * gzip'd event streams: the Accept-Encoding rule (wsx_http_accepts_gzip),
 * the response head's Content-Encoding and Vary, the event writer (each
 * event decodes with zlib right after its sync flush; the whole stream
 * with zlib and with wsx_sse_gunzip, cut anywhere), and the client side
 * (Content-Encoding checks, the request's Accept-Encoding, the end of a
 * cut stream, corrupt data, pauses).
 * TEST_LIBS: -lz
 */
#include "harness.h"
#include "wsx_http.h"
#include "wsx_sse.h"

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

/* ---- Accept-Encoding ----------------------------------------------------- */

typedef struct ae_case {
    const char *v1, *v2; /* field values; NULL: fewer lines */
    int want;
} ae_case;

static int accepts(const char *v1, const char *v2)
{
    wsx_header h[3];
    size_t n = 0;
    h[n].name = "Host";
    h[n].name_len = 4;
    h[n].value = "x";
    h[n++].value_len = 1;
    if (v1) {
        h[n].name = "accept-ENCODING";
        h[n].name_len = 15;
        h[n].value = v1;
        h[n++].value_len = strlen(v1);
    }
    if (v2) {
        h[n].name = "Accept-Encoding";
        h[n].name_len = 15;
        h[n].value = v2;
        h[n++].value_len = strlen(v2);
    }
    return wsx_http_accepts_gzip(h, n);
}

static void test_accept_encoding(void)
{
    static const ae_case cases[] = {
        {NULL, NULL, 0}, /* no field: no compression (see wsx_http.h) */
        {"", NULL, 0},   /* empty: no coding wanted */
        {"gzip", NULL, 1},
        {"GZIP", NULL, 1},
        {"x-gzip", NULL, 1},
        {"X-Gzip;q=0.5", NULL, 1},
        {"gzip, deflate, br, zstd", NULL, 1}, /* Chromium's */
        {"deflate, br", NULL, 0},
        {"identity", NULL, 0},
        {"gzip;q=0", NULL, 0},
        {"gzip;q=0.0", NULL, 0},
        {"gzip;q=0.000", NULL, 0},
        {"gzip;q=0.001", NULL, 1},
        {"gzip;Q=0", NULL, 0},
        {"gzip ; q=0", NULL, 0},
        {"gzip;\tq = 0", NULL, 0},
        {"gzip;q=1", NULL, 1},
        {"gzip;q=1.", NULL, 1},
        {"gzip;q=1.000", NULL, 1},
        {"gzip;q=1.001", NULL, 0}, /* malformed: ignored, so unlisted */
        {"gzip;q=2", NULL, 0},
        {"gzip;q=0.5555", NULL, 0},
        {"gzip;q=abc", NULL, 0},
        {"gzip;q=", NULL, 0},
        {"gzip;q", NULL, 0},
        {"gzip;", NULL, 0},
        {"gzip;q=-1", NULL, 0},
        {"gzip;q=0.5;level=9", NULL, 1}, /* another parameter: skipped */
        {"*", NULL, 1},
        {"*;q=0", NULL, 0},
        {"*;q=0.3", NULL, 1},
        {"*, gzip;q=0", NULL, 0}, /* gzip listed: "*" does not cover it */
        {"gzip;q=0, *", NULL, 0},
        {"*;q=0, gzip", NULL, 1},
        {"identity, *;q=0", NULL, 0},
        {"br, *;q=0.1", NULL, 1},
        {"gzip;q=0.5, identity", NULL, 0}, /* identity preferred outright */
        {"gzip;q=0.5, identity;q=0.5", NULL, 1},
        {"gzip;q=0.5, identity;q=0.4", NULL, 1},
        {"gzip, identity;q=0", NULL, 1},
        {"gzip;q=0.5, *;q=1", NULL, 0}, /* "*" stands for identity too */
        {"gzip;q=0.8, *;q=0.2", NULL, 1},
        {"gzip, gzip;q=0", NULL, 1}, /* the first element counts */
        {"gzip;q=0, gzip", NULL, 0},
        {"gzip;q=bad, gzip;q=0.2", NULL, 1}, /* the first well-formed one */
        {" , ,gzip , ", NULL, 1},
        {"gzip2, gzipx", NULL, 0},
        {"\"gzip\"", NULL, 0},
        {"br", "gzip", 1}, /* two field lines: one list */
        {"gzip;q=0", "gzip", 0},
        {"identity", "", 0},
        {"", "x-gzip", 1},
        {"*;q=0", "gzip;q=0.1", 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = accepts(cases[i].v1, cases[i].v2);
        if (got != cases[i].want)
            fprintf(stderr, "  case %zu: [%s] [%s] -> %d\n", i, cases[i].v1 ? cases[i].v1 : "-",
                    cases[i].v2 ? cases[i].v2 : "-", got);
        CHECK_EQ(got, cases[i].want);
    }
    CHECK_EQ(wsx_http_accepts_gzip(NULL, 3), 0);
    CHECK_EQ(wsx_http_accepts_gzip(NULL, 0), 0);
}

/* ---- response heads ------------------------------------------------------ */

static void test_heads(void)
{
    static const char base[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
                               "Connection: keep-alive\r\n";
    char out[512];
    wsx_sse_head_config cfg;
    size_t n;
    memset(&cfg, 0, sizeof cfg);
    cfg.gzip = 1;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof base - 1 + 49);
    CHECK_MEM(out, base, sizeof base - 1);
    CHECK_MEM(out + sizeof base - 1, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n\r\n", 49);
    /* identity from a server that compresses for others: Vary only */
    cfg.gzip = 0;
    cfg.vary_accept_encoding = 1;
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof base - 1 + 25);
    CHECK_MEM(out + sizeof base - 1, "Vary: Accept-Encoding\r\n\r\n", 25);
    /* with chunked and an exact origin: a Vary line for each */
    cfg.gzip = 1;
    cfg.chunked = 1;
    cfg.allow_origin = "https://a.example";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    {
        static const char tail[] = "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
                                   "Vary: Accept-Encoding\r\n"
                                   "Access-Control-Allow-Origin: https://a.example\r\n"
                                   "Vary: Origin\r\n\r\n";
        CHECK_EQ(n, sizeof base - 1 + sizeof tail - 1);
        CHECK_MEM(out + sizeof base - 1, tail, sizeof tail - 1);
    }
    /* "*": no Vary: Origin */
    cfg.allow_origin = "*";
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    {
        static const char tail[] =
            "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
            "Vary: Accept-Encoding\r\nAccess-Control-Allow-Origin: *\r\n\r\n";
        CHECK_EQ(n, sizeof base - 1 + sizeof tail - 1);
        CHECK_MEM(out + sizeof base - 1, tail, sizeof tail - 1);
    }
    /* without the new fields: unchanged (no Content-Encoding, no Vary) */
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ(wsx_sse_response_head(&cfg, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof base - 1 + 2);
}

/* ---- zlib as the reader ------------------------------------------------- */

typedef struct zreader {
    z_stream s;
    uint8_t out[1 << 16];
    size_t len;
    int ended;
} zreader;

static void zr_init(zreader *z)
{
    memset(z, 0, sizeof *z);
    CHECK_EQ(inflateInit2(&z->s, 16 + 15), Z_OK); /* gzip only */
}

/* Feeds in[0..n) to zlib; returns inflate's last result. */
static int zr_feed(zreader *z, const uint8_t *in, size_t n)
{
    int r;
    z->s.next_in = (Bytef *)(uintptr_t)in;
    z->s.avail_in = (uInt)n;
    do {
        z->s.next_out = z->out + z->len;
        z->s.avail_out = (uInt)(sizeof z->out - z->len);
        r = inflate(&z->s, Z_SYNC_FLUSH);
        z->len = sizeof z->out - z->s.avail_out;
        if (r == Z_STREAM_END)
            z->ended = 1;
    } while (r == Z_OK && z->s.avail_in > 0);
    return r;
}

/* ---- the event writer ---------------------------------------------------- */

/* The events of a stream: some messages and some ready bytes. */
#define NPIECES 7
static const char *const piece_bytes[NPIECES] = {
    "retry: 1000\n\n", NULL, WSX_SSE_KEEPALIVE, NULL, NULL, WSX_SSE_DONE, ""};

static void piece_msg(int i, wsx_sse_msg *m, char *big, size_t big_len)
{
    wsx_sse_msg_init(m);
    m->id = i == 1 ? "1" : "2";
    m->id_len = 1;
    if (i == 1) {
        m->data = "{\"text\":\" Hello\"}";
        m->data_len = 17;
    } else if (i == 3) {
        m->type = "meta";
        m->type_len = 4;
        m->data = "line one\r\nline two\rthree\nfour";
        m->data_len = 29;
        m->comment = "c";
        m->comment_len = 1;
        m->retry_ms = 250;
    } else {
        m->data = big; /* larger than a block and than a small window */
        m->data_len = big_len;
    }
}

/* Writes the stream of pieces through g into stream[0..*n), checking after
 * every piece that zlib decodes everything so far (the plain bytes in
 * plain[0..*plain_len)). */
static void write_stream(wsx_gzip_writer *g, uint8_t *stream, size_t cap, size_t *n, uint8_t *plain,
                         size_t *plain_len, int finish)
{
    static char big[5000];
    zreader *z = (zreader *)malloc(sizeof *z);
    size_t i, k, need;
    for (i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + (i * 7 + i / 13) % 26);
    zr_init(z);
    *n = *plain_len = 0;
    for (i = 0; i < NPIECES; i++) {
        wsx_sse_msg m;
        int r;
        if (piece_bytes[i]) {
            size_t len = strlen(piece_bytes[i]);
            CHECK_EQ(wsx_sse_gzip_bytes(g, piece_bytes[i], len, NULL, 0, &need), WSX_OK);
            /* one byte short of the bound: nothing written, nothing taken */
            CHECK_EQ(wsx_sse_gzip_bytes(g, piece_bytes[i], len, stream + *n, need - 1, &k),
                     WSX_E_BUFFER);
            CHECK_EQ(k, need);
            r = wsx_sse_gzip_bytes(g, piece_bytes[i], len, stream + *n, cap - *n, &k);
            memcpy(plain + *plain_len, piece_bytes[i], len);
            *plain_len += len;
        } else {
            size_t pl;
            piece_msg((int)i, &m, big, sizeof big);
            CHECK_EQ(wsx_sse_gzip_event(g, &m, NULL, 0, &need), WSX_OK);
            CHECK_EQ(wsx_sse_gzip_event(g, &m, stream + *n, need - 1, &k), WSX_E_BUFFER);
            CHECK_EQ(k, need);
            r = wsx_sse_gzip_event(g, &m, stream + *n, cap - *n, &k);
            CHECK_EQ(wsx_sse_write(&m, plain + *plain_len, 1 << 16, &pl), WSX_OK);
            *plain_len += pl;
        }
        CHECK_EQ(r, WSX_OK);
        CHECK(k <= need);
        CHECK(k > 4 && memcmp(stream + *n + k - 4, "\x00\x00\xff\xff", 4) == 0); /* sync flush */
        /* decodable at once: zlib gives every plain byte so far */
        CHECK_EQ(zr_feed(z, stream + *n, k), Z_OK);
        *n += k;
        CHECK_EQ(z->len, *plain_len);
        CHECK(z->len == *plain_len && memcmp(z->out, plain, *plain_len) == 0);
    }
    if (finish) {
        CHECK_EQ(wsx_sse_gzip_finish(g, NULL, 0, &need), WSX_OK);
        CHECK_EQ(need, 40);
        CHECK_EQ(wsx_sse_gzip_finish(g, stream + *n, 39, &k), WSX_E_BUFFER);
        CHECK_EQ(k, 40);
        CHECK_EQ(wsx_sse_gzip_finish(g, stream + *n, cap - *n, &k), WSX_OK);
        CHECK_EQ(zr_feed(z, stream + *n, k), Z_STREAM_END); /* CRC-32 and ISIZE good */
        *n += k;
        CHECK(z->ended);
        CHECK_EQ(z->len, *plain_len);
        /* finished: nothing more */
        CHECK_EQ(wsx_sse_gzip_bytes(g, "x", 1, stream + *n, cap - *n, &k), WSX_E_STATE);
        CHECK_EQ(k, 0);
        CHECK_EQ(wsx_sse_gzip_finish(g, stream + *n, cap - *n, &k), WSX_E_STATE);
        CHECK_EQ(wsx_sse_gzip_event(g, NULL, stream, cap, &k), WSX_E_ARG);
    }
    inflateEnd(&z->s);
    free(z);
}

static size_t mem_for(int bits) { return WSX_DEFLATE_MEM_MIN(bits) + 3 * 1024; }

static void test_event_writer(void)
{
    static const int bits[] = {8, 10, 12, 15}, levels[] = {1, 6, 9};
    size_t cap = 1 << 16, n, pn, bi, li;
    uint8_t *stream = (uint8_t *)malloc(cap), *plain = (uint8_t *)malloc(cap);
    for (bi = 0; bi < 4; bi++)
        for (li = 0; li < 3; li++) {
            wsx_deflater_config dc;
            void *mem = malloc(mem_for(bits[bi]));
            wsx_gzip_writer g;
            dc.window_bits = bits[bi];
            dc.level = levels[li];
            CHECK_EQ(wsx_gzip_writer_init(&g, &dc, mem, mem_for(bits[bi])), WSX_OK);
            write_stream(&g, stream, cap, &n, plain, &pn, 1);
            CHECK_MEM(stream, "\x1f\x8b\x08", 3);
            CHECK(n < pn); /* it compresses */
            free(mem);
        }
    free(stream);
    free(plain);
}

static void test_writer_edges(void)
{
    static uint8_t mem[WSX_DEFLATE_MEM_MIN(10) + 3 * 1024];
    wsx_deflater_config dc = {10, 0};
    wsx_gzip_writer g;
    wsx_sse_msg m;
    uint8_t out[256];
    size_t n;
    zreader *z = (zreader *)malloc(sizeof *z);
    CHECK_EQ(wsx_gzip_writer_init(&g, &dc, mem, sizeof mem), WSX_OK);
    wsx_sse_msg_init(&m);
    m.id = "a\nb";
    m.id_len = 3;
    m.data = "x";
    m.data_len = 1;
    CHECK_EQ(wsx_sse_gzip_event(&g, &m, out, sizeof out, &n), WSX_E_SSE_FIELD);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_sse_gzip_event(&g, &m, NULL, 5, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_event(NULL, &m, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_event(&g, &m, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_bytes(&g, NULL, 3, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_bytes(NULL, "x", 1, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_bytes(&g, "x", 1, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_bytes(&g, "x", (size_t)-1, out, sizeof out, &n), WSX_E_LIMIT);
    CHECK_EQ(wsx_sse_gzip_finish(NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_finish(&g, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gzip_finish(&g, NULL, 1, &n), WSX_E_ARG);
    /* nothing was taken by the failed calls: the header is still due,
     * and a stream with no event is header, final block, trailer */
    CHECK_EQ(wsx_sse_gzip_finish(&g, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 50);
    CHECK_EQ(wsx_sse_gzip_finish(&g, out, 49, &n), WSX_E_BUFFER);
    CHECK_EQ(n, 50);
    CHECK_EQ(wsx_sse_gzip_finish(&g, out, sizeof out, &n), WSX_OK);
    zr_init(z);
    CHECK_EQ(zr_feed(z, out, n), Z_STREAM_END);
    CHECK_EQ(z->len, 0);
    inflateEnd(&z->s);
    /* an empty bare flush: a valid piece too */
    CHECK_EQ(wsx_gzip_writer_init(&g, &dc, mem, sizeof mem), WSX_OK);
    CHECK_EQ(wsx_sse_gzip_bytes(&g, NULL, 0, out, sizeof out, &n), WSX_OK);
    CHECK(n >= 10 + 4);
    zr_init(z);
    CHECK_EQ(zr_feed(z, out, n), Z_OK);
    inflateEnd(&z->s);
    free(z);
}

/* ---- the client side ------------------------------------------------------ */

typedef struct got {
    char text[1 << 15];
    size_t len;
    int events, errors, last_error, pause_every;
} got;

static int on_event(void *user, const wsx_sse_event *ev)
{
    got *g = (got *)user;
    size_t k = ev->data_len < 64 ? ev->data_len : 64;
    g->len += (size_t)snprintf(g->text + g->len, sizeof g->text - g->len, "[%.*s|%.*s|%.*s]",
                               (int)ev->type_len, ev->type, (int)ev->id_len, ev->id, (int)k,
                               (const char *)ev->data);
    g->events++;
    return g->pause_every && g->events % g->pause_every == 0;
}

static int on_error(void *user, int err)
{
    got *g = (got *)user;
    g->errors++;
    g->last_error = err;
    return 0;
}

static const wsx_sse_callbacks callbacks = {on_event, NULL, NULL, on_error};

/* The events of plain[0..n) through a plain parser. */
static void parse_plain(const uint8_t *plain, size_t n, got *out)
{
    static uint8_t scratch[1 << 14];
    wsx_sse_parser p;
    memset(out, 0, sizeof *out);
    wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL);
    CHECK_EQ(wsx_sse_feed(&p, plain, n, &callbacks, out, NULL), WSX_OK);
    CHECK_EQ(wsx_sse_end(&p), 0);
}

/* The events of stream[0..n) through wsx_sse_gunzip, cut at `cut` and in
 * pieces of `step` after it; returns wsx_sse_gunzip_end's verdict. */
static int parse_gzip(const uint8_t *stream, size_t n, size_t cut, size_t step, size_t plain_cap,
                      got *out)
{
    static uint8_t scratch[1 << 14], mem[WSX_INFLATE_MEM_SIZE(15)], plain[4096];
    wsx_sse_parser p;
    wsx_sse_gunzip z;
    size_t pos = 0, used;
    int r = WSX_OK;
    wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 15, mem, sizeof mem, plain, plain_cap), WSX_OK);
    while (pos < n) {
        size_t k = pos == 0 && cut ? cut : step;
        if (k > n - pos)
            k = n - pos;
        r = wsx_sse_gunzip_feed(&z, &p, stream + pos, k, &callbacks, out, &used);
        pos += used;
        while (r == WSX_PAUSED && used == 0 && pos == n) /* decoded bytes wait inside */
            r = wsx_sse_gunzip_feed(&z, &p, NULL, 0, &callbacks, out, &used);
        if (r < 0)
            return r;
        CHECK(r == WSX_OK || r == WSX_PAUSED);
    }
    while (r == WSX_PAUSED)
        r = wsx_sse_gunzip_feed(&z, &p, NULL, 0, &callbacks, out, &used);
    return wsx_sse_gunzip_end(&z, &p);
}

static void test_gunzip(void)
{
    static uint8_t mem[WSX_DEFLATE_MEM_MIN(10) + 3 * 1024];
    size_t cap = 1 << 16, n, pn, cut;
    uint8_t *stream = (uint8_t *)malloc(cap), *plain = (uint8_t *)malloc(cap);
    wsx_deflater_config dc = {10, 6};
    wsx_gzip_writer g;
    got *want = (got *)malloc(sizeof *want), *have = (got *)malloc(sizeof *have);
    CHECK_EQ(wsx_gzip_writer_init(&g, &dc, mem, sizeof mem), WSX_OK);
    write_stream(&g, stream, cap, &n, plain, &pn, 1);
    parse_plain(plain, pn, want);
    CHECK_EQ(want->events, 4);
    /* every cut into two pieces, with a small and a tiny plain buffer */
    for (cut = 0; cut <= n; cut++) {
        memset(have, 0, sizeof *have);
        CHECK_EQ(parse_gzip(stream, n, cut, n, cut % 2 ? 7 : 4096, have), 0);
        CHECK(have->len == want->len && memcmp(have->text, want->text, want->len) == 0);
    }
    /* byte by byte, a 1-byte plain buffer, a pause after every event */
    memset(have, 0, sizeof *have);
    have->pause_every = 1;
    CHECK_EQ(parse_gzip(stream, n, 1, 1, 1, have), 0);
    CHECK(have->len == want->len && memcmp(have->text, want->text, want->len) == 0);
    memset(have, 0, sizeof *have);
    have->pause_every = 1;
    CHECK_EQ(parse_gzip(stream, n, n, n, 4096, have), 0);
    CHECK_EQ(have->events, 4);
    /* two members one after the other (a server that finished and began
     * again): both decoded, the end is clean */
    memcpy(stream + n, stream, n);
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(stream, 2 * n, n - 3, 5, 4096, have), 0);
    CHECK_EQ(have->events, 8);
    /* cut before the trailer: every event delivered, the end says "cut" */
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(stream, n - 8, n, n, 4096, have), 1);
    CHECK(have->len == want->len && memcmp(have->text, want->text, want->len) == 0);
    /* cut in the middle of the big event: the events before it */
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(stream, n / 2, 3, 3, 4096, have), 1);
    CHECK(have->events < 4 && memcmp(have->text, want->text, have->len) == 0);
    /* an empty body: cut */
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(stream, 0, 0, 0, 4096, have), 1);
    /* a wrong CRC-32: WSX_E_GZIP_CRC, on_error once (the bytes decoded by
     * the call that met the trailer are dropped with it) */
    stream[n - 8] ^= 1;
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(stream, n, n, n, 4096, have), WSX_E_GZIP_CRC);
    CHECK(have->events <= 4 && memcmp(have->text, want->text, have->len) == 0);
    CHECK_EQ(have->errors, 1);
    CHECK_EQ(have->last_error, WSX_E_GZIP_CRC);
    stream[n - 8] ^= 1;
    /* not gzip at all (a plain stream sent with the wrong header) */
    memset(have, 0, sizeof *have);
    CHECK_EQ(parse_gzip(plain, pn, pn, pn, 4096, have), WSX_E_GZIP_MAGIC);
    CHECK_EQ(have->events, 0);
    free(stream);
    free(plain);
    free(want);
    free(have);
}

static void test_gunzip_api(void)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)], scratch[256], plain[16];
    static const uint8_t bad[] = {0x1f, 0x8c};
    wsx_sse_gunzip z;
    wsx_sse_parser p;
    got *g = (got *)calloc(1, sizeof *g);
    size_t used = 7;
    memset(&z, 0, sizeof z);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, NULL, 0, &callbacks, g, &used), WSX_E_STATE);
    CHECK_EQ(wsx_sse_gunzip_reset(&z), WSX_E_STATE);
    CHECK_EQ(wsx_sse_gunzip_reset(NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(NULL, 15, mem, sizeof mem, plain, 16), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 15, NULL, sizeof mem, plain, 16), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 15, mem, sizeof mem, NULL, 16), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 15, mem, sizeof mem, plain, 0), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 16, mem, sizeof mem, plain, 16), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 15, mem, 100, plain, 16), WSX_E_BUFFER);
    CHECK_EQ(wsx_sse_gunzip_init(&z, 0, mem, sizeof mem, plain, 16), WSX_OK); /* 0: 15 */
    wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL);
    CHECK_EQ(wsx_sse_gunzip_feed(NULL, &p, bad, 2, &callbacks, g, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, NULL, bad, 2, &callbacks, g, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, bad, 2, NULL, g, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, NULL, 2, &callbacks, g, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, bad, 2, &callbacks, g, NULL), WSX_E_GZIP_MAGIC);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, bad, 2, &callbacks, g, &used), WSX_E_GZIP_MAGIC);
    CHECK_EQ(g->errors, 1); /* sticky, reported once */
    CHECK_EQ(wsx_sse_gunzip_reset(&z), WSX_OK);
    CHECK_EQ(wsx_sse_gunzip_feed(&z, &p, bad, 1, &callbacks, g, &used), WSX_OK);
    CHECK_EQ(used, 1);
    CHECK_EQ(wsx_sse_gunzip_end(NULL, &p), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_end(&z, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_gunzip_end(&z, &p), 1);
    free(g);
}

static void test_client_checks(void)
{
    wsx_header h[3] = {{"Content-Type", 12, "text/event-stream", 17},
                       {"Content-Encoding", 16, "gzip", 4},
                       {"content-encoding", 16, "identity", 8}};
    static const struct {
        const char *enc;
        int check, gzip;
    } cases[] = {
        {"gzip", WSX_OK, 1},
        {"GZIP", WSX_OK, 1},
        {"x-gzip", WSX_OK, 1},
        {"identity", WSX_OK, 0},
        {"", WSX_OK, 0},
        {"identity, gzip", WSX_OK, 1},
        {"br", WSX_E_SSE_CONTENT_ENCODING, 0},
        {"deflate", WSX_E_SSE_CONTENT_ENCODING, 0},
        {"gzip, gzip", WSX_E_SSE_CONTENT_ENCODING, 0},
        {"gzip, br", WSX_E_SSE_CONTENT_ENCODING, 0},
        {"gzip;q=1", WSX_E_SSE_CONTENT_ENCODING, 0},
    };
    char out[512];
    wsx_sse_request req;
    size_t i, n;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h[1].value = cases[i].enc;
        h[1].value_len = strlen(cases[i].enc);
        CHECK_EQ(wsx_sse_check_response(200, h, 2, NULL, NULL), cases[i].check);
        CHECK_EQ(wsx_sse_response_gzip(h, 2), cases[i].gzip);
    }
    /* several field lines: one list */
    h[1].value = "gzip";
    h[1].value_len = 4;
    CHECK_EQ(wsx_sse_check_response(200, h, 3, NULL, NULL), WSX_OK);
    CHECK_EQ(wsx_sse_response_gzip(h, 3), 1);
    h[2].value = "gzip";
    h[2].value_len = 4;
    CHECK_EQ(wsx_sse_check_response(200, h, 3, NULL, NULL), WSX_E_SSE_CONTENT_ENCODING);
    h[2].value = "br";
    h[2].value_len = 2;
    CHECK_EQ(wsx_sse_check_response(200, h, 3, NULL, NULL), WSX_E_SSE_CONTENT_ENCODING);
    /* the content type is judged first; other statuses ignore the coding */
    h[0].value = "text/plain";
    h[0].value_len = 10;
    CHECK_EQ(wsx_sse_check_response(200, h, 3, NULL, NULL), WSX_E_SSE_CONTENT_TYPE);
    CHECK_EQ(wsx_sse_check_response(204, h, 3, NULL, NULL), WSX_E_SSE_NO_CONTENT);
    CHECK_EQ(wsx_sse_response_gzip(NULL, 3), 0);
    CHECK(strcmp(wsx_errname(WSX_E_SSE_CONTENT_ENCODING), "WSX_E_SSE_CONTENT_ENCODING") == 0 ||
          strcmp(wsx_errname(WSX_E_SSE_CONTENT_ENCODING), "WSX_E_?") == 0);
    /* the request offers gzip when asked */
    memset(&req, 0, sizeof req);
    req.target = "/events";
    req.host = "h";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    out[n] = 0;
    CHECK(strstr(out, "Accept-Encoding") == NULL);
    req.accept_gzip = 1;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    out[n] = 0;
    CHECK(strstr(out, "\r\nAccept-Encoding: gzip\r\n") != NULL);
}

int main(void)
{
    RUN(test_accept_encoding);
    RUN(test_heads);
    RUN(test_event_writer);
    RUN(test_writer_edges);
    RUN(test_gunzip);
    RUN(test_gunzip_api);
    RUN(test_client_checks);
    return harness_done();
}
