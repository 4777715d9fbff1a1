/*
 * SSE client decisions: request bytes (GET/POST, Last-Event-ID present or
 * absent after the spec's reconnect cases 15, 17, 18, 37, 38), response
 * validation table, backoff arithmetic.
 */
#include "harness.h"
#include "wsx_sse.h"
#include "wsx_http.h"

static uint8_t scratch[4096];

/* Builds the reconnect request after conn1 and returns it (NUL-terminated). */
static const char *reconnect_request(const char *conn1, size_t n)
{
    static char out[1024];
    wsx_sse_parser p;
    wsx_sse_request req;
    size_t off = 0, used, id_len;
    wsx_sse_event ev;
    size_t w = 0;
    int r;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL), 0);
    while ((r = wsx_sse_parse(&p, conn1 + off, n - off, &used, &ev)) > 0)
        off += used;
    CHECK_EQ(r, 0);
    wsx_sse_end(&p);
    wsx_sse_reset(&p);
    memset(&req, 0, sizeof req);
    req.target = "/events";
    req.host = "example.com";
    req.last_id = wsx_sse_last_event_id(&p, &id_len);
    req.last_id_len = id_len;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out - 1, &w), WSX_OK);
    out[w] = 0;
    return out;
}

#define NO_ID                                                                    \
    "GET /events HTTP/1.1\r\nHost: example.com\r\nAccept: text/event-stream\r\n" \
    "Cache-Control: no-cache\r\n\r\n"
#define WITH_ID(id)                                                              \
    "GET /events HTTP/1.1\r\nHost: example.com\r\nAccept: text/event-stream\r\n" \
    "Cache-Control: no-cache\r\nLast-Event-ID: " id "\r\n\r\n"

static void test_reconnect_cases(void)
{
    static const char c15[] = "retry:1000\ndata:test1\n\nid:test\ndata:test2\n";
    static const char c17[] = "id: \xE2\x80\xA6\nretry: 200\ndata: hello\n\n";
    static const char c37[] = "id: abc\ndata: first\n\nid: \ndata: second\n\n";
    static const char c38[] = "id: abc\ndata: Hello\n\nid: def\ndata: Goodbye";
    static const char *c18[] = {"id:\0\0\ndata:x\n\n", "id:x\0\ndata:x\n\n", "id:\0x\ndata:x\n\n",
                                "id:x\0x\ndata:x\n\n", "id: \0\ndata:x\n\n"};
    static const size_t c18_len[] = {14, 14, 14, 15, 14};
    size_t i;
    CHECK(strcmp(reconnect_request(c15, sizeof c15 - 1), NO_ID) == 0);
    /* the id is sent as its UTF-8 bytes, as they came */
    CHECK(strcmp(reconnect_request(c17, sizeof c17 - 1), WITH_ID("\xE2\x80\xA6")) == 0);
    CHECK(strcmp(reconnect_request(c37, sizeof c37 - 1), NO_ID) == 0);
    CHECK(strcmp(reconnect_request(c38, sizeof c38 - 1), WITH_ID("abc")) == 0);
    for (i = 0; i < 5; i++)
        CHECK(strcmp(reconnect_request(c18[i], c18_len[i]), NO_ID) == 0);
    /* an id-only block still sets what the reconnect sends */
    CHECK(strcmp(reconnect_request("id: 42\n\n", 8), WITH_ID("42")) == 0);
}

static void test_request(void)
{
    static const char want_post[] =
        "POST /v1/chat?stream=1 HTTP/1.1\r\nHost: api.example:8443\r\nAccept: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nLast-Event-ID: 17\r\nAuthorization: Bearer t0k\r\n"
        "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"q\":\"hello\"}";
    wsx_header hs[2] = {{"Authorization", 13, "Bearer t0k", 10},
                        {"Content-Type", 12, "application/json", 16}};
    wsx_sse_request req;
    uint8_t out[512];
    size_t n = 99;
    memset(&req, 0, sizeof req);
    req.target = "/v1/chat?stream=1";
    req.host = "api.example:8443";
    req.last_id = "17";
    req.last_id_len = 2;
    req.headers = hs;
    req.num_headers = 2;
    req.body = "{\"q\":\"hello\"}";
    req.body_len = 13;
    CHECK_EQ(wsx_sse_request_write(&req, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, sizeof want_post - 1);
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof want_post - 1);
    CHECK_MEM(out, want_post, sizeof want_post - 1);
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof want_post - 2, &n), WSX_E_BUFFER);
    CHECK_EQ(n, sizeof want_post - 1);
    req.method = "PUT";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof want_post - 2);
    CHECK_MEM(out, "PUT /v1", 7);
    req.method = "G T";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    req.method = NULL;
    req.target = "/a b";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_ARG);
    req.target = "/";
    req.host = NULL;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_ARG);
    req.host = "h";
    /* API rule 8: the Last-Event-ID value is an RFC 9110 field value */
    req.last_id = "a\rb";
    req.last_id_len = 3;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    req.last_id = "a\x01"
                  "b";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    req.last_id = "ab ";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    req.last_id = "a b";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    req.last_id_len = 0;
    hs[0].value = "x\r\nInjected: 1";
    hs[0].value_len = 14;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    hs[0].value = "x\x01";
    hs[0].value_len = 2;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    hs[0].value_len = 1;
    hs[1].name = "Content Type";
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_HTTP_HEADER_NAME);
    /* empty POST body still gets Content-Length: 0 */
    req.num_headers = 0;
    req.body = "";
    req.body_len = 0;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_OK);
    CHECK(n > 0 && memcmp(out, "POST / HTTP/1.1\r\n", 17) == 0);
    /* API rules 2 and 5 */
    CHECK_EQ(wsx_sse_request_write(NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_request_write(&req, NULL, 8, &n), WSX_E_ARG);
    req.body_len = 3;
    req.body = NULL;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_ARG);
    req.body_len = 0;
    req.last_id_len = 2;
    req.last_id = NULL;
    CHECK_EQ(wsx_sse_request_write(&req, out, sizeof out, &n), WSX_E_ARG);
}

typedef struct {
    int status;
    const char *content_type; /* NULL: no header */
    const char *location;     /* NULL: no header */
    int want;
} resp_case;

static void test_responses(void)
{
    static const resp_case cases[] = {
        {200, "text/event-stream", NULL, WSX_OK},
        {200, "text/event-stream; charset=utf-8", NULL, WSX_OK},
        {200, "TEXT/EVENT-STREAM", NULL, WSX_OK},
        {200, "Text/Event-Stream ;charset=UTF-8", NULL, WSX_OK},
        {200, " text/event-stream ", NULL, WSX_OK},
        {200, "text/plain", NULL, WSX_E_SSE_CONTENT_TYPE},
        {200, "text/event-streamx", NULL, WSX_E_SSE_CONTENT_TYPE},
        {200, "text/event-stream x", NULL, WSX_E_SSE_CONTENT_TYPE},
        {200, "text/event", NULL, WSX_E_SSE_CONTENT_TYPE},
        {200, "", NULL, WSX_E_SSE_CONTENT_TYPE},
        {200, NULL, NULL, WSX_E_SSE_CONTENT_TYPE},
        {204, "text/event-stream", NULL, WSX_E_SSE_NO_CONTENT},
        {205, "text/event-stream", NULL, WSX_E_SSE_STATUS},
        {210, "text/event-stream", NULL, WSX_E_SSE_STATUS},
        {299, "text/event-stream", NULL, WSX_E_SSE_STATUS},
        {301, NULL, "/new", WSX_E_SSE_REDIRECT},
        {302, NULL, "https://b.example/s", WSX_E_SSE_REDIRECT},
        {303, NULL, "/get-instead", WSX_E_SSE_REDIRECT},
        {307, NULL, "/same-method", WSX_E_SSE_REDIRECT},
        {308, NULL, "/perm", WSX_E_SSE_REDIRECT},
        {302, NULL, NULL, WSX_E_SSE_STATUS},
        {304, NULL, "/x", WSX_E_SSE_STATUS},
        {404, "text/event-stream", NULL, WSX_E_SSE_STATUS},
        {410, NULL, NULL, WSX_E_SSE_STATUS},
        {500, NULL, NULL, WSX_E_SSE_STATUS},
        {503, "text/event-stream", NULL, WSX_E_SSE_STATUS},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const resp_case *c = &cases[i];
        wsx_header hs[3];
        size_t n = 0;
        const char *loc = NULL;
        size_t loc_len = 0;
        int got;
        hs[n].name = "X-Other";
        hs[n].name_len = 7;
        hs[n].value = "1";
        hs[n++].value_len = 1;
        if (c->content_type) {
            hs[n].name = "content-TYPE";
            hs[n].name_len = 12;
            hs[n].value = c->content_type;
            hs[n++].value_len = strlen(c->content_type);
        }
        if (c->location) {
            hs[n].name = "Location";
            hs[n].name_len = 8;
            hs[n].value = c->location;
            hs[n++].value_len = strlen(c->location);
        }
        got = wsx_sse_check_response(c->status, hs, n, &loc, &loc_len);
        if (got != c->want)
            fprintf(stderr, "  status %d ct %s: got %s\n", c->status,
                    c->content_type ? c->content_type : "(none)", wsx_errname(got));
        CHECK_EQ(got, c->want);
        if (got == WSX_E_SSE_REDIRECT)
            CHECK(loc == c->location && loc_len == strlen(c->location));
    }
}

static void test_redirect_method(void)
{
    CHECK(strcmp(wsx_sse_redirect_method(303, "POST"), "GET") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(303, "PUT"), "GET") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(303, "HEAD"), "HEAD") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(301, "POST"), "GET") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(302, "POST"), "GET") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(302, "PUT"), "PUT") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(307, "POST"), "POST") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(308, "POST"), "POST") == 0);
    CHECK(strcmp(wsx_sse_redirect_method(307, NULL), "GET") == 0);
}

static void test_http_response_convenience(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
    static const char redir[] = "HTTP/1.1 307 Temporary Redirect\r\nLocation: /b\r\n\r\n";
    wsx_header hs[8];
    wsx_http_response res;
    wsx_http_parser hp;
    size_t loc_len = 0;
    const char *loc = NULL;
    wsx_http_parser_init(&hp, NULL);
    CHECK(wsx_http_parse_response(&hp, head, sizeof head - 1, hs, 8, &res) > 0);
    CHECK_EQ(wsx_sse_check_http_response(&res, NULL, NULL), WSX_OK);
    wsx_http_parser_init(&hp, NULL);
    CHECK(wsx_http_parse_response(&hp, redir, sizeof redir - 1, hs, 8, &res) > 0);
    CHECK_EQ(wsx_sse_check_http_response(&res, &loc, &loc_len), WSX_E_SSE_REDIRECT);
    CHECK(loc_len == 2 && memcmp(loc, "/b", 2) == 0);
}

/* wsx_sse_check_http_response shares the header scan of
 * wsx_sse_check_response: the same table through wsx_header records. */
static void test_http_response_table(void)
{
    static const struct {
        int status;
        const char *name, *value;
        int want;
    } cases[] = {
        {200, "CONTENT-TYPE", "text/event-stream;charset=utf-8", WSX_OK},
        {200, "Content-Type", "text/html", WSX_E_SSE_CONTENT_TYPE},
        {200, "X-Other", "text/event-stream", WSX_E_SSE_CONTENT_TYPE},
        {204, "Content-Type", "text/event-stream", WSX_E_SSE_NO_CONTENT},
        {308, "LOCATION", "/moved", WSX_E_SSE_REDIRECT},
        {301, "Location", "", WSX_E_SSE_STATUS},
        {305, "Location", "/proxy", WSX_E_SSE_STATUS},
        {500, "Content-Type", "text/event-stream", WSX_E_SSE_STATUS},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wsx_header hs[2];
        wsx_http_response res;
        const char *loc = NULL;
        size_t loc_len = 0;
        hs[0].name = "X-First";
        hs[0].name_len = 7;
        hs[0].value = "1";
        hs[0].value_len = 1;
        hs[1].name = cases[i].name;
        hs[1].name_len = strlen(cases[i].name);
        hs[1].value = cases[i].value;
        hs[1].value_len = strlen(cases[i].value);
        memset(&res, 0, sizeof res);
        res.status = cases[i].status;
        res.headers = hs;
        res.num_headers = 2;
        CHECK_EQ(wsx_sse_check_http_response(&res, &loc, &loc_len), cases[i].want);
        if (cases[i].want == WSX_E_SSE_REDIRECT)
            CHECK(loc == cases[i].value && loc_len == strlen(cases[i].value));
        else
            CHECK(loc == NULL && loc_len == 0); /* untouched */
    }
    CHECK_EQ(wsx_sse_check_http_response(NULL, NULL, NULL), WSX_E_ARG);
    {
        wsx_http_response res;
        memset(&res, 0, sizeof res);
        res.status = 200;
        res.num_headers = 1; /* headers NULL */
        CHECK_EQ(wsx_sse_check_http_response(&res, NULL, NULL), WSX_E_ARG);
        CHECK_EQ(wsx_sse_check_response(200, NULL, 1, NULL, NULL), WSX_E_ARG);
        CHECK_EQ(wsx_sse_check_response(204, NULL, 0, NULL, NULL), WSX_E_SSE_NO_CONTENT);
    }
}

static void test_backoff(void)
{
    wsx_sse_backoff b;
    wsx_sse_backoff_init(&b);
    CHECK_EQ(b.retry_ms, 3000);
    CHECK_EQ(b.max_ms, 30000);
    /* first attempt after a good stream: the retry value, jitter 0..50% */
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0), 3000);
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0xFFFFFFFFu), 3000 + 1499);
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0x80000000u), 3750);
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0), 4000);
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0), 7000);  /* 6000 */
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0), 13000); /* 12000 */
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0), 25000); /* 24000 */
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0), 31000); /* capped 30000 */
    CHECK_EQ(wsx_sse_backoff_next(&b, 1000, 0xFFFFFFFFu), 1000 + 30000 + 14999);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 30000);
    wsx_sse_backoff_opened(&b);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 3000);
    /* the server's retry */
    wsx_sse_backoff_opened(&b);
    wsx_sse_backoff_set_retry(&b, 200);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 200);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 2000); /* failures double from >= 1 s */
    wsx_sse_backoff_opened(&b);
    wsx_sse_backoff_set_retry(&b, 0);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0xFFFFFFFFu), 0);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 2000);
    /* a retry above the cap is honoured */
    wsx_sse_backoff_opened(&b);
    wsx_sse_backoff_set_retry(&b, 60000);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 60000);
    CHECK_EQ(wsx_sse_backoff_next(&b, 0, 0), 60000);
    wsx_sse_backoff_set_retry(&b, 0xFFFFFFFFu);
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0xFFFFFFFFu), 0xFFFFFFFFu);
    CHECK_EQ(wsx_sse_backoff_next(&b, UINT64_MAX - 5, 0), UINT64_MAX);
    /* API rule 5: NULL does nothing, or gives 0 */
    wsx_sse_backoff_init(NULL);
    wsx_sse_backoff_set_retry(NULL, 5);
    wsx_sse_backoff_opened(NULL);
    CHECK_EQ(wsx_sse_backoff_next(NULL, 5, 0), 0);
    CHECK_EQ(wsx_sse_backoff_delay(NULL, 0), 0);
}

int main(void)
{
    RUN(test_reconnect_cases);
    RUN(test_request);
    RUN(test_responses);
    RUN(test_redirect_method);
    RUN(test_http_response_convenience);
    RUN(test_http_response_table);
    RUN(test_backoff);
    return harness_done();
}
