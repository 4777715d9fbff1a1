/* HTTP/1.1 head parser: requests and responses fed whole, byte by byte and
 * split at every offset (each call sees a guarded copy that ends exactly at
 * the bytes given so far), every limit and refusal, the helpers. */
#include <stdlib.h>

#include "harness.h"
#include "wsx_http.h"
#include "http_chars.h"

#define MAXH 64

/* Serialises a parse outcome so different chunkings can be compared. */
static void describe_request(int r, const wsx_http_request *q, char *out, size_t cap)
{
    size_t i, o;
    if (r <= 0) {
        snprintf(out, cap, "r=%d", r);
        return;
    }
    o = (size_t)snprintf(out, cap, "r=%d|%.*s|%.*s|1.%d", r, (int)q->method_len, q->method,
                         (int)q->target_len, q->target, q->minor_version);
    for (i = 0; i < q->num_headers && o < cap; i++)
        o +=
            (size_t)snprintf(out + o, cap - o, "|%.*s=[%.*s]", (int)q->headers[i].name_len,
                             q->headers[i].name, (int)q->headers[i].value_len, q->headers[i].value);
}

static void describe_response(int r, const wsx_http_response *s, char *out, size_t cap)
{
    size_t i, o;
    if (r <= 0) {
        snprintf(out, cap, "r=%d", r);
        return;
    }
    o = (size_t)snprintf(out, cap, "r=%d|1.%d|%d|%.*s", r, s->minor_version, s->status,
                         (int)s->reason_len, s->reason);
    for (i = 0; i < s->num_headers && o < cap; i++)
        o +=
            (size_t)snprintf(out + o, cap - o, "|%.*s=[%.*s]", (int)s->headers[i].name_len,
                             s->headers[i].name, (int)s->headers[i].value_len, s->headers[i].value);
}

/* Feeds in[0..n) as the growing prefixes cuts[0] < cuts[1] < ... = n, each
 * in a fresh guarded buffer; stops at the first non-zero result. */
static void feed(int response, const char *in, size_t n, const size_t *cuts, size_t ncuts,
                 const wsx_http_config *cfg, size_t maxh, char *out, size_t cap)
{
    wsx_http_parser p;
    wsx_header hdrs[MAXH];
    wsx_http_request q;
    wsx_http_response s;
    size_t k;
    int r = 0;
    wsx_http_parser_init(&p, cfg);
    snprintf(out, cap, "r=0");
    for (k = 0; k < ncuts; k++) {
        unsigned char *g = guarded_copy(in, cuts[k]);
        r = response ? wsx_http_parse_response(&p, g, cuts[k], hdrs, maxh, &s)
                     : wsx_http_parse_request(&p, g, cuts[k], hdrs, maxh, &q);
        if (response)
            describe_response(r, &s, out, cap);
        else
            describe_request(r, &q, out, cap);
        guarded_free(g, cuts[k]);
        if (r != 0)
            break;
    }
    (void)n;
}

/* Checks that whole, byte-by-byte and every two-way split give `want`. */
static int all_chunkings(int response, const char *in, const wsx_http_config *cfg, size_t maxh,
                         const char *want)
{
    size_t n = strlen(in), i, *cuts = (size_t *)malloc((n + 1) * sizeof *cuts);
    char got[4096];
    int ok = 1;
    for (i = 0; i < n; i++)
        cuts[i] = i + 1;
    feed(response, in, n, &n, 1, cfg, maxh, got, sizeof got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  whole: got  %s\n         want %s\n", got, want);
        ok = 0;
    }
    feed(response, in, n, cuts, n, cfg, maxh, got, sizeof got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  bytewise: got  %s\n            want %s\n", got, want);
        ok = 0;
    }
    for (i = 1; i < n && ok; i++) {
        size_t two[2];
        two[0] = i;
        two[1] = n;
        feed(response, in, n, two, 2, cfg, maxh, got, sizeof got);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "  split %zu: got  %s\n           want %s\n", i, got, want);
            ok = 0;
        }
    }
    free(cuts);
    return ok;
}

#define REQ(in, want) CHECK(all_chunkings(0, in, NULL, MAXH, want))
#define RES(in, want) CHECK(all_chunkings(1, in, NULL, MAXH, want))

static char expect_err[64];
static const char *err(int e)
{
    snprintf(expect_err, sizeof expect_err, "r=%d", e);
    return expect_err;
}

static void test_request_basic(void)
{
    REQ("GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\n",
        "r=61|GET|/chat|1.1|Host=[example.com]|Upgrade=[websocket]");
    REQ("GET / HTTP/1.0\r\n\r\n", "r=18|GET|/|1.0");
    REQ("POST /x?a=b HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        "r=43|POST|/x?a=b|1.1|Content-Length=[0]");
    /* OWS trimmed, empty value, obs-text kept, inner spaces kept */
    REQ("GET / HTTP/1.1\r\nA:  x y \t\r\nB:\r\nC: \xc3\xa9\r\n\r\n",
        "r=40|GET|/|1.1|A=[x y]|B=[]|C=[\xc3\xa9]");
    /* leading empty lines before the request line are skipped */
    REQ("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", "r=31|GET|/|1.1|Host=[h]");
    /* bare LF tolerated by default */
    REQ("GET / HTTP/1.1\nHost: h\n\n", "r=24|GET|/|1.1|Host=[h]");
    REQ("GET / HTTP/1.1\r\nHost: h\n\r\n", "r=26|GET|/|1.1|Host=[h]");
    /* HTTP/1.x minor > 1 reported as such */
    REQ("GET / HTTP/1.2\r\n\r\n", "r=18|GET|/|1.2");
    /* repeated headers all kept, in order */
    REQ("GET / HTTP/1.1\r\nX: 1\r\nx: 2\r\n\r\n", "r=30|GET|/|1.1|X=[1]|x=[2]");
}

static void test_request_errors(void)
{
    REQ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", err(WSX_E_HTTP_OBS_FOLD));
    REQ("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", err(WSX_E_HTTP_OBS_FOLD));
    REQ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    REQ("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    REQ("GET / HTTP/1.1\r\n: h\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    REQ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    REQ("GET / HTTP/1.1\r\nBad(name): h\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    REQ("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", err(WSX_E_HTTP_HEADER_VALUE));
    REQ("GET / HTTP/1.1\r\nA: b\x01"
        "c\r\n\r\n",
        err(WSX_E_HTTP_HEADER_VALUE));
    REQ("GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", err(WSX_E_HTTP_HEADER_VALUE));
    /* a bad byte at each place of the first eight of a longer value (the
     * word-at-a-time check) and after them */
    {
        char req[64];
        int at;
        for (at = 0; at < 10; at++) {
            snprintf(req, sizeof req, "GET / HTTP/1.1\r\nA: 0123456789ab\r\n\r\n");
            req[19 + at] = at % 2 ? '\x01' : '\x7f';
            REQ(req, err(WSX_E_HTTP_HEADER_VALUE));
        }
    }
    REQ("GET / HTTP/2.0\r\n\r\n", err(WSX_E_HTTP_VERSION));
    REQ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", err(WSX_E_HTTP_VERSION));
    REQ("GET / HTTP/0.9\r\n\r\n", err(WSX_E_HTTP_VERSION));
    REQ("GET / http/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET / HTTP/1.10\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET / HTTP/1.1 \r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET  / HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET /a b HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET /\x01 HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("G(T / HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET /\rx HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    REQ("GET / HTTP/1.1\r\r\n\r\n", err(WSX_E_HTTP_SYNTAX));
    /* strictness flag */
    {
        wsx_http_config cfg;
        wsx_http_config_default(&cfg);
        cfg.flags = WSX_HTTP_STRICT_CRLF;
        CHECK(all_chunkings(0, "GET / HTTP/1.1\nHost: h\n\n", &cfg, MAXH, err(WSX_E_HTTP_SYNTAX)));
        CHECK(all_chunkings(0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", &cfg, MAXH,
                            "r=27|GET|/|1.1|Host=[h]"));
        /* a too-long line is too long before it is a bare-LF line: the
         * answer must not depend on whether the LF came in the same read */
        cfg.max_line = 10;
        CHECK(all_chunkings(0, "GET / HTTP/1.1\r\nX: 123456789\n\n", &cfg, MAXH,
                            err(WSX_E_HTTP_LINE_TOO_LONG)));
        CHECK(all_chunkings(1, "HTTP/1.1 200 OK\n\n", &cfg, MAXH, err(WSX_E_HTTP_LINE_TOO_LONG)));
    }
}

/* A request with a header line of exactly `vlen` value bytes. */
static char *long_header_request(size_t vlen)
{
    char *s = (char *)malloc(vlen + 64);
    size_t o = (size_t)sprintf(s, "GET / HTTP/1.1\r\nX: ");
    memset(s + o, 'a', vlen);
    strcpy(s + o + vlen, "\r\n\r\n");
    return s;
}

static void test_limits(void)
{
    wsx_http_config cfg;
    char want[128], *s;
    wsx_http_config_default(&cfg);
    cfg.max_line = 40;
    cfg.max_target = 20;
    cfg.max_head = 120;
    /* header line of exactly max_line (3 + 37) passes, one more fails */
    s = long_header_request(37);
    snprintf(want, sizeof want, "r=%d|GET|/|1.1|X=[%.37s]", (int)strlen(s), s + 19);
    CHECK(all_chunkings(0, s, &cfg, MAXH, want));
    free(s);
    s = long_header_request(38);
    CHECK(all_chunkings(0, s, &cfg, MAXH, err(WSX_E_HTTP_LINE_TOO_LONG)));
    free(s);
    /* the same with a bare LF: 40 bytes pass, 41 (one byte longer than
     * max_line, no CR to take off) fail */
    CHECK(all_chunkings(0, "GET / HTTP/1.1\nX: 0123456789012345678901234567890123456\n\n", &cfg,
                        MAXH, "r=57|GET|/|1.1|X=[0123456789012345678901234567890123456]"));
    CHECK(all_chunkings(0, "GET / HTTP/1.1\nX: 01234567890123456789012345678901234567\n\n", &cfg,
                        MAXH, err(WSX_E_HTTP_LINE_TOO_LONG)));
    /* with the defaults: 8192 ok, 8193 refused */
    s = long_header_request(8192 - 3);
    {
        wsx_http_parser p;
        wsx_header h[4];
        wsx_http_request q;
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, s, strlen(s), h, 4, &q), (int)strlen(s));
        free(s);
        s = long_header_request(8192);
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, s, strlen(s), h, 4, &q), WSX_E_HTTP_LINE_TOO_LONG);
        /* detected before the line ends */
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, s, 16 + 8194, h, 4, &q), WSX_E_HTTP_LINE_TOO_LONG);
        free(s);
    }
    /* target: 20 ok, 21 -> 414, also while still incomplete */
    CHECK(all_chunkings(0, "GET /2345678901234567890 HTTP/1.1\r\n\r\n", &cfg, MAXH,
                        "r=37|GET|/2345678901234567890|1.1"));
    CHECK(all_chunkings(0, "GET /23456789012345678901 HTTP/1.1\r\n\r\n", &cfg, MAXH,
                        err(WSX_E_HTTP_URI_TOO_LONG)));
    CHECK(all_chunkings(0, "GET /23456789012345678901234567890123456789012345 HTTP/1.1\r\n", &cfg,
                        MAXH, err(WSX_E_HTTP_URI_TOO_LONG)));
    /* a target longer than the line limit itself: 414 too, at any split */
    {
        wsx_http_config same = cfg;
        same.max_target = same.max_line;
        CHECK(all_chunkings(
            0, "GET /234567890123456789012345678901234567890123456789 HTTP/1.1\r\n\r\n", &same,
            MAXH, err(WSX_E_HTTP_URI_TOO_LONG)));
    }
    /* a long method is not the target's fault */
    CHECK(all_chunkings(0, "GETGETGETGETGETGETGETGETGETGETGETGETGETGET / HTTP/1.1\r\n", &cfg, MAXH,
                        err(WSX_E_HTTP_LINE_TOO_LONG)));
    /* head: 120 bytes ok, 121 refused (and refused before the blank line) */
    {
        char h[256];
        size_t o = (size_t)sprintf(h, "GET / HTTP/1.1\r\n"); /* 16 */
        int i;
        for (i = 0; i < 4; i++)
            o += (size_t)sprintf(h + o, "X%d: %020d\r\n", i, i); /* 4 * 26 */
        /* 16 + 104 = 120: no room left for the blank line */
        strcpy(h + o, "\r\n");
        CHECK(all_chunkings(0, h, &cfg, MAXH, err(WSX_E_HTTP_HEAD_TOO_LARGE)));
        o = (size_t)sprintf(h, "GET / HTTP/1.1\r\n");
        for (i = 0; i < 4; i++)
            o += (size_t)sprintf(h + o, "X%d: %019d\r\n", i, i); /* 4 * 25 */
        strcpy(h + o, "Y:\r\n\r\n");                             /* 16 + 100 + 4 + 2 = 122 */
        CHECK(all_chunkings(0, h, &cfg, MAXH, err(WSX_E_HTTP_HEAD_TOO_LARGE)));
        strcpy(h + o, "\r\n"); /* 118 */
        snprintf(want, sizeof want, "r=118|GET|/|1.1|X0=[%019d]|X1=[%019d]|X2=[%019d]|X3=[%019d]",
                 0, 1, 2, 3);
        CHECK(all_chunkings(0, h, &cfg, MAXH, want));
    }
    /* header count: the array size */
    CHECK(all_chunkings(0, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", NULL, 2,
                        "r=30|GET|/|1.1|A=[1]|B=[2]"));
    CHECK(all_chunkings(0, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", NULL, 2,
                        err(WSX_E_HTTP_TOO_MANY_HEADERS)));
    CHECK(all_chunkings(0, "GET / HTTP/1.1\r\n\r\n", NULL, 0, "r=18|GET|/|1.1"));
    /* statuses */
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_LINE_TOO_LONG), 431);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_URI_TOO_LONG), 414);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_TOO_MANY_HEADERS), 431);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_HEAD_TOO_LARGE), 431);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_VERSION), 505);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_OBS_FOLD), 400);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_HEADER_NAME), 400);
}

static void test_leftover_and_contract(void)
{
    static const char in[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n\x81\x85\x37\xfa\x21\x3d\x7f";
    size_t n = sizeof in - 1;
    wsx_http_parser p;
    wsx_header h[4];
    wsx_http_request q;
    unsigned char *g = guarded_copy(in, n);
    size_t i;
    int r;
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_request(&p, g, n, h, 4, &q);
    CHECK_EQ(r, 27);
    CHECK_MEM(g + r, "\x81\x85\x37\xfa\x21\x3d\x7f", 7);
    /* called again: same answer; with fewer bytes than the head: ARG */
    CHECK_EQ(wsx_http_parse_request(&p, g, n, h, 4, &q), 27);
    CHECK_EQ(wsx_http_parse_request(&p, g, 10, h, 4, &q), WSX_E_ARG);
    /* ... or with an array smaller than the head's one header: ARG, nothing
     * written past it */
    CHECK_EQ(wsx_http_parse_request(&p, g, n, NULL, 0, &q), WSX_E_ARG);
    h[0].name = NULL;
    CHECK_EQ(wsx_http_parse_request(&p, g, n, h, 0, &q), WSX_E_ARG);
    CHECK(h[0].name == NULL);
    CHECK_EQ(wsx_http_parse_request(&p, g, n, h, 1, &q), 27);
    guarded_free(g, n);
    /* byte by byte: the head ends exactly at 27 whatever follows */
    wsx_http_parser_init(&p, NULL);
    for (i = 1, r = 0; i <= n && r == 0; i++)
        r = wsx_http_parse_request(&p, in, i, h, 4, &q);
    CHECK_EQ(r, 27);
    CHECK_EQ(i - 1, 27);
    /* errors are sticky */
    wsx_http_parser_init(&p, NULL);
    CHECK_EQ(wsx_http_parse_request(&p, "GET / HTTP/3.0\r\n", 16, h, 4, &q), WSX_E_HTTP_VERSION);
    CHECK_EQ(wsx_http_parse_request(&p, "GET / HTTP/1.1\r\n\r\n", 18, h, 4, &q),
             WSX_E_HTTP_VERSION);
    /* request vs response on one parser */
    {
        wsx_http_response s;
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, "GET", 3, h, 4, &q), 0);
        CHECK_EQ(wsx_http_parse_response(&p, "GET", 3, h, 4, &s), WSX_E_STATE);
    }
    CHECK_EQ(wsx_http_parse_request(NULL, "x", 1, h, 4, &q), WSX_E_ARG);
    /* need more: nothing written */
    wsx_http_parser_init(&p, NULL);
    q.method = NULL;
    CHECK_EQ(wsx_http_parse_request(&p, "GET / HTTP/1.1\r\nA: b\r\n", 22, h, 4, &q), 0);
    CHECK(q.method == NULL);
    CHECK_EQ(wsx_http_parse_request(&p, "", 0, h, 4, &q), WSX_E_ARG); /* lost bytes */
}

static void test_response(void)
{
    RES("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "r=77|1.1|101|Switching Protocols|Upgrade=[websocket]|Connection=[Upgrade]");
    RES("HTTP/1.0 200 OK\r\n\r\n", "r=19|1.0|200|OK");
    RES("HTTP/1.1 204 \r\n\r\n", "r=17|1.1|204|");
    RES("HTTP/1.1 204\r\n\r\n", "r=16|1.1|204|");
    RES("HTTP/1.1 404 Not \xc3\xa9 Found\r\nA: b\r\n\r\n", "r=35|1.1|404|Not \xc3\xa9 Found|A=[b]");
    RES("HTTP/1.1 099 Low\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 600 High\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 20 OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 2000 OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 200 O\x01K\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1  200 OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/2.0 200 OK\r\n\r\n", err(WSX_E_HTTP_VERSION));
    RES("HTTP/2 200 OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/2.0\r\n\r\n", err(WSX_E_HTTP_VERSION)); /* a well-formed 2.0, even alone */
    RES("HTTP/3.0 2\r\n\r\n", err(WSX_E_HTTP_VERSION));
    RES("HTTP/1.1 20x OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 200OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 599 X \t\r\nA:\t b \t\r\nB:\r\n\r\n", "r=33|1.1|599|X \t|A=[b]|B=[]");
    RES("\r\nHTTP/1.1 200 OK\r\n\r\n", err(WSX_E_HTTP_STATUS));
    RES("HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n", err(WSX_E_HTTP_OBS_FOLD));
    RES("HTTP/1.1 200 OK\r\nA b: x\r\n\r\n", err(WSX_E_HTTP_HEADER_NAME));
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_STATUS), 500); /* not a refusal */
}

static void test_helpers(void)
{
    static const char v1[] = "keep-alive, Upgrade";
    const char *pos, *item;
    size_t item_len;
    wsx_header hs[4];
    CHECK(wsx_http_list_has(v1, strlen(v1), "upgrade"));
    CHECK(wsx_http_list_has(v1, strlen(v1), "KEEP-ALIVE"));
    CHECK(!wsx_http_list_has(v1, strlen(v1), "keep"));
    CHECK(!wsx_http_list_has(v1, strlen(v1), "alive, Upgrade"));
    CHECK(wsx_http_list_has("WebSocket", 9, "websocket"));
    CHECK(!wsx_http_list_has("websocket2", 10, "websocket"));
    CHECK(!wsx_http_list_has("", 0, "websocket"));
    CHECK(wsx_http_list_has(" ,\t, websocket ,,", 17, "websocket"));
    /* elements, quoted commas, empty elements */
    {
        static const char v[] = " a ,, b;q=\"x, y\" ,\tc\t,";
        const char *want[] = {"a", "b;q=\"x, y\"", "c"};
        int k = 0;
        pos = v;
        while (wsx_http_list_next(&pos, v + strlen(v), &item, &item_len)) {
            CHECK(k < 3);
            if (k < 3) {
                CHECK_EQ(item_len, strlen(want[k]));
                CHECK_MEM(item, want[k], item_len);
            }
            k++;
        }
        CHECK_EQ(k, 3);
        pos = v;
        CHECK(!wsx_http_list_next(&pos, v, &item, &item_len));
    }
    /* a quoted-pair: an escaped quote does not end the quoted-string, so
     * the comma after it is inside; an unterminated one runs to the end */
    {
        static const char v[] = "a;p=\"x\\\", y\", b;p=\"z\\\"";
        const char *want[] = {"a;p=\"x\\\", y\"", "b;p=\"z\\\""};
        int k = 0;
        pos = v;
        while (wsx_http_list_next(&pos, v + strlen(v), &item, &item_len)) {
            CHECK(k < 2);
            if (k < 2) {
                CHECK_EQ(item_len, strlen(want[k]));
                CHECK_MEM(item, want[k], item_len);
            }
            k++;
        }
        CHECK_EQ(k, 2);
    }
    hs[0].name = "Connection";
    hs[0].name_len = 10;
    hs[0].value = "keep-alive";
    hs[0].value_len = 10;
    hs[1].name = "HOST";
    hs[1].name_len = 4;
    hs[1].value = "a";
    hs[1].value_len = 1;
    hs[2].name = "connection";
    hs[2].name_len = 10;
    hs[2].value = "Upgrade";
    hs[2].value_len = 7;
    hs[3].name = "Hos";
    hs[3].name_len = 3;
    hs[3].value = "b";
    hs[3].value_len = 1;
    CHECK(wsx_http_header_next(hs, 4, "host", NULL) == &hs[1]);
    CHECK(wsx_http_header_next(hs, 4, "host", &hs[1]) == NULL);
    CHECK(wsx_http_header_next(hs, 4, "CONNECTION", &hs[0]) == &hs[2]);
    CHECK_EQ(wsx_http_header_count(hs, 4, "connection"), 2);
    CHECK_EQ(wsx_http_header_count(hs, 4, "x"), 0);
    CHECK(wsx_http_headers_have_token(hs, 4, "Connection", "upgrade"));
    CHECK(!wsx_http_headers_have_token(hs, 4, "Host", "upgrade"));
    CHECK(wsx_http_name_eq("Sec-WebSocket-Key", 17, "sec-websocket-key"));
    CHECK(!wsx_http_name_eq("Sec-WebSocket-Ke", 16, "sec-websocket-key"));
}

static int body_of(const char *head, uint64_t *len)
{
    wsx_http_parser p;
    wsx_header h[8];
    wsx_http_response s;
    int r;
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_response(&p, head, strlen(head), h, 8, &s);
    if (r <= 0)
        return -9999;
    return wsx_http_response_body(&s, 0, len);
}

static void test_body_framing(void)
{
    uint64_t n = 0;
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", &n), WSX_HTTP_BODY_LENGTH);
    CHECK_EQ(n, 42);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n", &n),
             WSX_HTTP_BODY_LENGTH);
    CHECK_EQ(n, 7);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 7, 8\r\n\r\n", &n), WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &n), WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &n), WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", &n),
             WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &n),
             WSX_HTTP_BODY_CHUNKED);
    CHECK_EQ(
        body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n",
                &n),
        WSX_HTTP_BODY_CHUNKED);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", &n),
             WSX_HTTP_BODY_CLOSE);
    CHECK_EQ(
        body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", &n),
        WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\n\r\n", &n), WSX_HTTP_BODY_CLOSE);
    CHECK_EQ(body_of("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", &n),
             WSX_HTTP_BODY_NONE);
    CHECK_EQ(body_of("HTTP/1.1 304 Not Modified\r\n\r\n", &n), WSX_HTTP_BODY_NONE);
    CHECK_EQ(body_of("HTTP/1.1 101 Switching Protocols\r\n\r\n", &n), WSX_HTTP_BODY_NONE);
    /* either order of Content-Length and Transfer-Encoding is refused */
    CHECK_EQ(
        body_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", &n),
        WSX_E_HTTP_SYNTAX);
    /* an empty Transfer-Encoding line keeps the last coding of the earlier ones */
    CHECK_EQ(
        body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding:\r\n\r\n", &n),
        WSX_HTTP_BODY_CHUNKED);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n", &n), WSX_HTTP_BODY_CLOSE);
    /* an empty Content-Length is refused even next to a valid one */
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: ,\r\n\r\n", &n),
             WSX_E_HTTP_SYNTAX);
    /* 64-bit lengths; *length is written only for BODY_LENGTH */
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551609\r\n\r\n", &n),
             WSX_HTTP_BODY_LENGTH);
    CHECK(n == UINT64_C(18446744073709551609));
    n = 5;
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", &n),
             WSX_E_HTTP_SYNTAX);
    CHECK_EQ(body_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &n),
             WSX_HTTP_BODY_CHUNKED);
    CHECK_EQ(n, 5);
    {
        wsx_http_response none;
        memset(&none, 0, sizeof none);
        none.status = 200;
        CHECK_EQ(wsx_http_response_body(&none, 0, &n), WSX_HTTP_BODY_CLOSE);
        CHECK_EQ(wsx_http_response_body(&none, 1, &n), WSX_HTTP_BODY_NONE);
        CHECK_EQ(wsx_http_response_body(NULL, 0, &n), WSX_E_ARG);
    }
}

/* The character classes (http_chars.h: a table, or a function in the small
 * profile; both builds run this) against the RFC 9110 grammar. */
static void test_char_classes(void)
{
    static const char tchar_punct[] = "!#$%&'*+-.^_`|~";
    int c, bad = 0;
    for (c = 0; c < 256; c++) {
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        int digit = c >= '0' && c <= '9';
        int vchar = c >= 0x21 && c <= 0x7E;
        int tchar = alpha || digit || (c && strchr(tchar_punct, c) != NULL);
        int value = vchar || c == ' ' || c == '\t' || c >= 0x80;
        int hex = digit || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
        if (!wsx__http_is_tchar(c) != !tchar || !wsx__http_is_value_char(c) != !value ||
            !wsx__http_is_target_char(c) != !vchar || !wsx__http_is_digit(c) != !digit ||
            !wsx__http_is_hex(c) != !hex) {
            fprintf(stderr, "  class of 0x%02x\n", c);
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
    /* field values as the writers check them (rule 8) */
    CHECK(wsx__http_is_field_value("", 0));
    CHECK(wsx__http_is_field_value(NULL, 0));
    CHECK(wsx__http_is_field_value("a \tb\x80\xFF", 6));
    CHECK(!wsx__http_is_field_value(" a", 2));
    CHECK(!wsx__http_is_field_value("a\t", 2));
    CHECK(!wsx__http_is_field_value("a\x01", 2));
    CHECK(!wsx__http_is_field_value("a\x7F", 2));
    CHECK(!wsx__http_is_field_value("a\r\nb", 4));
    CHECK(!wsx__http_is_field_value(NULL, 1));
}

/* Rule 5: NULL required pointers give WSX_E_ARG (parser and body framing)
 * or 0 / NULL (queries), and change nothing.  Rule 3: a uint8_t buffer
 * parses without a cast, and slices come back as text. */
static void test_null_arguments(void)
{
    static const uint8_t raw[] = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    wsx_http_parser p, fresh;
    wsx_header h[4];
    wsx_http_request q;
    wsx_http_response s;
    const char *pos = "a", *item = NULL;
    size_t item_len = 0;
    uint64_t n = 0;
    CHECK_EQ(wsx_http_parser_init(NULL, NULL), WSX_E_ARG);
    wsx_http_config_default(NULL); /* nothing to do, no crash */
    CHECK_EQ(wsx_http_parser_init(&p, NULL), WSX_OK);
    fresh = p;
    CHECK_EQ(wsx_http_parse_request(&p, raw, sizeof raw - 1, h, 4, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_http_parse_request(&p, NULL, 5, h, 4, &q), WSX_E_ARG);
    CHECK_EQ(wsx_http_parse_request(&p, raw, sizeof raw - 1, NULL, 4, &q), WSX_E_ARG);
    CHECK_EQ(wsx_http_parse_response(&p, raw, sizeof raw - 1, h, 4, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_http_parse_response(NULL, raw, sizeof raw - 1, h, 4, &s), WSX_E_ARG);
    CHECK_MEM(&p, &fresh, sizeof p); /* nothing scanned, nothing sticky */
    CHECK_EQ(wsx_http_parse_request(&p, raw, sizeof raw - 1, h, 4, &q), (int)sizeof raw - 1);
    CHECK_EQ(q.target_len, 2);
    CHECK_MEM(q.target, "/x", 2);
    CHECK_EQ(wsx_http_response_body(&s, 0, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_http_response_body(NULL, 0, &n), WSX_E_ARG);
    /* queries */
    CHECK(!wsx_http_name_eq(NULL, 1, "a"));
    CHECK(!wsx_http_name_eq("a", 1, NULL));
    CHECK(wsx_http_header_next(NULL, 4, "Host", NULL) == NULL);
    CHECK(wsx_http_header_next(h, 1, NULL, NULL) == NULL);
    { /* a pair with a NULL name of the length asked for is not a match */
        wsx_header holes[2] = {{NULL, 4, "x", 1}, {"Host", 4, "y", 1}};
        CHECK(wsx_http_header_next(holes, 2, "Host", NULL) == &holes[1]);
    }
    CHECK_EQ(wsx_http_header_count(NULL, 4, "Host"), 0);
    CHECK_EQ(wsx_http_header_count(h, 1, NULL), 0);
    CHECK(!wsx_http_list_has(NULL, 3, "a"));
    CHECK(!wsx_http_list_has("a", 1, NULL));
    CHECK(!wsx_http_headers_have_token(NULL, 2, "Host", "h"));
    CHECK(!wsx_http_headers_have_token(h, 1, NULL, "h"));
    CHECK(!wsx_http_headers_have_token(h, 1, "Host", NULL));
    CHECK(!wsx_http_list_next(NULL, pos + 1, &item, &item_len));
    CHECK(!wsx_http_list_next(&pos, pos + 1, NULL, &item_len));
    CHECK(!wsx_http_list_next(&pos, pos + 1, &item, NULL));
    CHECK(!wsx_http_list_next(&pos, NULL, &item, &item_len));
    CHECK(item == NULL && item_len == 0);
    pos = NULL;
    CHECK(!wsx_http_list_next(&pos, "a", &item, &item_len));
}

/* Rule 4: a zeroed config, a NULL one and wsx_http_config_default's are the
 * same parser. */
static void test_config_defaults(void)
{
    wsx_http_config cfg;
    wsx_http_parser a, b, c;
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ(wsx_http_parser_init(&a, &cfg), WSX_OK);
    wsx_http_config_default(&cfg);
    CHECK_EQ(cfg.max_line, WSX_HTTP_DEFAULT_MAX_LINE);
    CHECK_EQ(cfg.max_target, WSX_HTTP_DEFAULT_MAX_TARGET);
    CHECK_EQ(cfg.max_head, WSX_HTTP_DEFAULT_MAX_HEAD);
    CHECK_EQ(cfg.flags, 0);
    CHECK_EQ(wsx_http_parser_init(&b, &cfg), WSX_OK);
    CHECK_EQ(wsx_http_parser_init(&c, NULL), WSX_OK);
    CHECK_MEM(&a, &b, sizeof a);
    CHECK_MEM(&a, &c, sizeof a);
}

int main(void)
{
    RUN(test_request_basic);
    RUN(test_request_errors);
    RUN(test_limits);
    RUN(test_leftover_and_contract);
    RUN(test_response);
    RUN(test_helpers);
    RUN(test_body_framing);
    RUN(test_null_arguments);
    RUN(test_config_defaults);
    RUN(test_char_classes);
    return harness_done();
}
