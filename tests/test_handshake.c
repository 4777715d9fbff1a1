/* WebSocket opening handshake: server validation and responses (101 and every
 * refusal), client request bytes and 101 validation, the RFC 6455 sample,
 * leftover bytes after the head. */
#include <stdlib.h>

#include "harness.h"
#include "wsx_handshake.h"
#include "wsx_util.h"

#define RFC_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char *const no_list[] = {NULL};

/* The nonce of the RFC 6455 sample ("the sample nonce"). */
static const uint8_t nonce16[16] = {0x74, 0x68, 0x65, 0x20, 0x73, 0x61, 0x6d, 0x70,
                                    0x6c, 0x65, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65};

static wsx_hs_server_config plain_cfg(void)
{
    wsx_hs_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    return cfg;
}

/* Parses a raw request and answers it; returns the answer's wsx_err and
 * leaves the response in out (NUL-terminated). */
static int answer_raw(const wsx_hs_server_config *cfg, const char *raw, wsx_hs_request *info,
                      char *out, size_t cap)
{
    wsx_http_parser p;
    wsx_header h[32];
    wsx_http_request q;
    size_t out_len = 0;
    size_t n = strlen(raw);
    unsigned char *g;
    int r;
    /* info's slices point into the request: keep it until the next call */
    static unsigned char *last;
    static size_t last_n;
    if (last)
        guarded_free(last, last_n);
    g = last = guarded_copy(raw, n);
    last_n = n;
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_request(&p, (const char *)g, n, h, 32, &q);
    if (r > 0)
        r = wsx_hs_server_answer_request(cfg, &q, info, out, cap - 1, &out_len);
    else if (r < 0)
        CHECK_EQ(wsx_hs_server_refusal(r, out, cap - 1, &out_len), WSX_OK);
    else
        r = -9999; /* incomplete test input */
    out[out_len] = '\0';
    return r;
}

/* h becomes name: value (lengths by strlen). */
static void set_header(wsx_header *h, const char *name, const char *value)
{
    h->name = name;
    h->name_len = strlen(name);
    h->value = value;
    h->value_len = strlen(value);
}

/* The five headers of an upgrade request for Host h with the 24-byte key
 * (taken as 24 bytes, NULs included), the version last. */
static void upgrade_headers(wsx_header h[5], const char *key)
{
    set_header(&h[0], "Host", "h");
    set_header(&h[1], "Upgrade", "websocket");
    set_header(&h[2], "Connection", "Upgrade");
    set_header(&h[3], "Sec-WebSocket-Key", "");
    h[3].value = key;
    h[3].value_len = 24;
    set_header(&h[4], "Sec-WebSocket-Version", "13");
}

#define REQ_HEAD "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
#define UPGRADE "Upgrade: websocket\r\nConnection: Upgrade\r\n"
#define KEYV "Sec-WebSocket-Key: " RFC_KEY "\r\nSec-WebSocket-Version: 13\r\n"
#define GOOD REQ_HEAD UPGRADE KEYV

static void test_rfc_sample(void)
{
    static const char raw[] = "GET /chat HTTP/1.1\r\n"
                              "Host: server.example.com\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Origin: http://example.com\r\n"
                              "Sec-WebSocket-Protocol: chat, superchat\r\n"
                              "Sec-WebSocket-Version: 13\r\n"
                              "\r\n";
    static const char *const protos[] = {"chat"};
    wsx_hs_server_config cfg = plain_cfg();
    wsx_hs_request info;
    char out[1024];
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 1;
    CHECK_EQ(answer_raw(&cfg, raw, &info, out, sizeof out), WSX_OK);
    CHECK(strcmp(out, "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                      "Sec-WebSocket-Protocol: chat\r\n"
                      "\r\n") == 0);
    CHECK_EQ(info.subprotocol_index, 0);
    CHECK_EQ(info.origin_len, 18);
    CHECK_MEM(info.origin, "http://example.com", 18);
    CHECK_EQ(info.host_len, 18);
    CHECK_EQ(info.extensions_offered, 0);
}

/* The status line and whether a header line is present in a response. */
static int status_of(const char *resp) { return atoi(resp + 9); }
static int has_line(const char *resp, const char *line)
{
    const char *end = strstr(resp, "\r\n\r\n");
    const char *at = strstr(resp, line);
    return at && end && at < end && at[-1] == '\n';
}

/* Content-Length matches the body. */
static int body_ok(const char *resp)
{
    const char *cl = strstr(resp, "Content-Length: ");
    const char *body = strstr(resp, "\r\n\r\n");
    return cl && body && (size_t)atoi(cl + 16) == strlen(body + 4) &&
           body[strlen(body) - 1] == '\n';
}

static void expect_refusal(const wsx_hs_server_config *cfg, const char *raw, int err, int status)
{
    char out[1024];
    wsx_hs_request info;
    int r = answer_raw(cfg, raw, &info, out, sizeof out);
    CHECK_EQ(r, err);
    CHECK_EQ(status_of(out), status);
    CHECK(has_line(out, "Connection: close\r\n") ||
          has_line(out, "Connection: Upgrade, close\r\n"));
    CHECK(body_ok(out));
    {
        char want_body[128];
        snprintf(want_body, sizeof want_body, "%s\n", wsx_strerror(err));
        CHECK(strstr(out, "\r\n\r\n") && strcmp(strstr(out, "\r\n\r\n") + 4, want_body) == 0);
    }
    if (r != err || status_of(out) != status)
        fprintf(stderr, "  request:\n%s  answer:\n%s\n", raw, out);
}

static void test_refusals(void)
{
    wsx_hs_server_config cfg = plain_cfg();
    char out[1024];
    /* method */
    expect_refusal(&cfg, "POST /chat HTTP/1.1\r\nHost: h\r\n" UPGRADE KEYV "\r\n", WSX_E_HS_METHOD,
                   405);
    answer_raw(&cfg, "get /chat HTTP/1.1\r\nHost: h\r\n" UPGRADE KEYV "\r\n", NULL, out,
               sizeof out);
    CHECK(has_line(out, "Allow: GET\r\n"));
    /* version */
    expect_refusal(&cfg, "GET /chat HTTP/1.0\r\nHost: h\r\n" UPGRADE KEYV "\r\n",
                   WSX_E_HS_HTTP_VERSION, 400);
    /* Host */
    expect_refusal(&cfg, "GET /chat HTTP/1.1\r\n" UPGRADE KEYV "\r\n", WSX_E_HS_HOST, 400);
    expect_refusal(&cfg, GOOD "Host: other\r\n\r\n", WSX_E_HS_HOST, 400);
    expect_refusal(&cfg, "GET / HTTP/1.1\r\nHost:\r\n" UPGRADE KEYV "\r\n", WSX_E_HS_HOST, 400);
    /* Upgrade / Connection */
    expect_refusal(&cfg, REQ_HEAD "Connection: Upgrade\r\n" KEYV "\r\n", WSX_E_HS_NOT_UPGRADE, 400);
    expect_refusal(&cfg, REQ_HEAD "Upgrade: h2c\r\nConnection: Upgrade\r\n" KEYV "\r\n",
                   WSX_E_HS_UPGRADE, 400);
    expect_refusal(&cfg, REQ_HEAD "Upgrade: websockets\r\nConnection: Upgrade\r\n" KEYV "\r\n",
                   WSX_E_HS_UPGRADE, 400);
    expect_refusal(&cfg, REQ_HEAD "Upgrade: websocket\r\n" KEYV "\r\n", WSX_E_HS_CONNECTION, 400);
    expect_refusal(&cfg, REQ_HEAD "Upgrade: websocket\r\nConnection: keep-alive\r\n" KEYV "\r\n",
                   WSX_E_HS_CONNECTION, 400);
    expect_refusal(&cfg, REQ_HEAD "Upgrade: websocket\r\nConnection: upgraded\r\n" KEYV "\r\n",
                   WSX_E_HS_CONNECTION, 400);
    /* version 8 / missing / repeated -> 426 with the header */
    expect_refusal(
        &cfg, REQ_HEAD UPGRADE "Sec-WebSocket-Key: " RFC_KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n",
        WSX_E_HS_WS_VERSION, 426);
    answer_raw(
        &cfg, REQ_HEAD UPGRADE "Sec-WebSocket-Key: " RFC_KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n",
        NULL, out, sizeof out);
    CHECK(has_line(out, "Sec-WebSocket-Version: 13\r\n"));
    CHECK(has_line(out, "Upgrade: websocket\r\n"));
    expect_refusal(&cfg, REQ_HEAD UPGRADE "Sec-WebSocket-Key: " RFC_KEY "\r\n\r\n",
                   WSX_E_HS_WS_VERSION, 426);
    expect_refusal(&cfg, GOOD "Sec-WebSocket-Version: 13\r\n\r\n", WSX_E_HS_WS_VERSION, 426);
    expect_refusal(&cfg,
                   REQ_HEAD UPGRADE "Sec-WebSocket-Key: " RFC_KEY
                                    "\r\nSec-WebSocket-Version: 13, 8\r\n\r\n",
                   WSX_E_HS_WS_VERSION, 426);
    /* keys */
    expect_refusal(&cfg, GOOD "Sec-WebSocket-Key: " RFC_KEY "\r\n\r\n", WSX_E_HS_KEY, 400);
    expect_refusal(&cfg, REQ_HEAD UPGRADE "Sec-WebSocket-Version: 13\r\n\r\n", WSX_E_HS_KEY, 400);
    {
        static const char *const bad_keys[] = {
            "",                          /* empty */
            "dGhlIHNhbXBsZSBub25jZQ=",   /* wrong length */
            "dGhlIHNhbXBsZSBub25jZQ===", /* wrong length */
            "dGhlIHNhbXBsZSBub25jZ!==",  /* not base64 */
            "dGhlIHNhbXBsZSBub25jZR==",  /* non-zero padding bits */
            "AAAAAAAAAAAAAAAAAAAA",      /* 15 bytes */
            "AAAAAAAAAAAAAAAAAAAAAAA=",  /* 17 bytes */
            "AAAAAAAAAAAAAAAAAAAAAAAA",  /* 18 bytes */
            "dGhlIHNhbXBs ZSBub25jZQ==", /* inner space */
        };
        size_t i;
        for (i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
            char raw[512];
            snprintf(raw, sizeof raw,
                     REQ_HEAD UPGRADE "Sec-WebSocket-Key: %s\r\n"
                                      "Sec-WebSocket-Version: 13\r\n\r\n",
                     bad_keys[i]);
            expect_refusal(&cfg, raw, WSX_E_HS_KEY, 400);
        }
    }
    /* head errors answered by the same refusal writer */
    expect_refusal(&cfg, "GET / HTTP/1.1\r\nHost : h\r\n\r\n", WSX_E_HTTP_HEADER_NAME, 400);
    expect_refusal(&cfg, "GET / HTTP/2.0\r\n\r\n", WSX_E_HTTP_VERSION, 505);
    expect_refusal(&cfg, "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", WSX_E_HTTP_OBS_FOLD, 400);
    {
        wsx_http_parser p;
        wsx_header h[2];
        wsx_http_request q;
        size_t out_len;
        static const char raw[] = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, raw, sizeof raw - 1, h, 2, &q),
                 WSX_E_HTTP_TOO_MANY_HEADERS);
        CHECK_EQ(wsx_hs_server_refusal(WSX_E_HTTP_TOO_MANY_HEADERS, out, sizeof out - 1, &out_len),
                 WSX_OK);
        out[out_len] = 0;
        CHECK(strncmp(out, "HTTP/1.1 431 Request Header Fields Too Large\r\n", 46) == 0);
        CHECK(body_ok(out));
    }
}

static void test_case_and_lists(void)
{
    wsx_hs_server_config cfg = plain_cfg();
    char out[1024];
    wsx_hs_request info;
    CHECK_EQ(answer_raw(&cfg,
                        "GET / HTTP/1.1\r\nhost: h\r\nupgrade: WebSocket\r\n"
                        "CONNECTION: keep-alive, Upgrade\r\n"
                        "sec-websocket-key: " RFC_KEY "\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n",
                        &info, out, sizeof out),
             WSX_OK);
    CHECK(strstr(out, RFC_ACCEPT) != NULL);
    /* tokens spread over repeated fields, with OWS and empty elements */
    CHECK_EQ(answer_raw(&cfg,
                        REQ_HEAD "Upgrade: foo/1 ,\r\nUpgrade: , websocket\r\n"
                                 "Connection: keep-alive\r\nConnection:\tupgrade \r\n" KEYV "\r\n",
                        &info, out, sizeof out),
             WSX_OK);
    /* HTTP/1.2 counts as "1.1 or later" */
    CHECK_EQ(answer_raw(&cfg, "GET / HTTP/1.2\r\nHost: h\r\n" UPGRADE KEYV "\r\n", &info, out,
                        sizeof out),
             WSX_OK);
    /* the direct entry point takes HTTP/2-era versions too */
    {
        wsx_header h[5];
        size_t out_len;
        upgrade_headers(h, RFC_KEY);
        CHECK_EQ(wsx_hs_server_answer(&cfg, "GET", 3, 1, 1, h, 5, &info, out, sizeof out, &out_len),
                 WSX_OK);
        CHECK(out_len > 0 && memcmp(out, "HTTP/1.1 101 ", 13) == 0);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 2, 0, h, 5, &info), WSX_OK);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 0, h, 5, &info), WSX_E_HS_HTTP_VERSION);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 0, 9, h, 5, &info), WSX_E_HS_HTTP_VERSION);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 1, h, 4, &info), WSX_E_HS_WS_VERSION);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GE", 2, 1, 1, h, 5, &info), WSX_E_HS_METHOD);
        /* a NULL config is the default policy (rule 4) */
        CHECK_EQ(wsx_hs_server_check(NULL, "GET", 3, 1, 1, h, 5, &info), WSX_OK);
        CHECK_EQ(wsx_hs_server_answer(NULL, "GET", 3, 1, 1, h, 5, &info, out, sizeof out, &out_len),
                 WSX_OK);
        CHECK(out_len > 0 && memcmp(out, "HTTP/1.1 101 ", 13) == 0);
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 1, NULL, 5, &info), WSX_E_ARG);
    }
}

static int allow_dot_test(void *user, const char *origin, size_t len)
{
    (void)user;
    return len > 5 && memcmp(origin + len - 5, ".test", 5) == 0;
}

static void test_origin(void)
{
    static const char *const origins[] = {"https://example.com", "http://localhost:8080"};
    wsx_hs_server_config cfg = plain_cfg();
    char out[1024];
    wsx_hs_request info;
    cfg.origins = origins;
    cfg.num_origins = 2;
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: https://example.com\r\n\r\n", &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: HTTPS://Example.COM\r\n\r\n", &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: http://localhost:8080\r\n\r\n", &info, out, sizeof out),
             WSX_OK);
    expect_refusal(&cfg, GOOD "Origin: https://evil.example\r\n\r\n", WSX_E_HS_ORIGIN, 403);
    expect_refusal(&cfg, GOOD "Origin: https://example.com.evil\r\n\r\n", WSX_E_HS_ORIGIN, 403);
    expect_refusal(&cfg, GOOD "Origin: https://example.com\r\nOrigin: https://example.com\r\n\r\n",
                   WSX_E_HS_ORIGIN, 403);
    /* no Origin: allowed (non-browser), unless required */
    CHECK_EQ(answer_raw(&cfg, GOOD "\r\n", &info, out, sizeof out), WSX_OK);
    CHECK(info.origin == NULL);
    cfg.origin_required = 1;
    expect_refusal(&cfg, GOOD "\r\n", WSX_E_HS_ORIGIN, 403);
    /* callback after the list */
    cfg.origin_required = 0;
    cfg.origin_check = allow_dot_test;
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: http://a.test\r\n\r\n", &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: https://example.com\r\n\r\n", &info, out, sizeof out),
             WSX_OK);
    expect_refusal(&cfg, GOOD "Origin: http://a.tes\r\n\r\n", WSX_E_HS_ORIGIN, 403);
    /* no policy: anything */
    cfg = plain_cfg();
    CHECK_EQ(answer_raw(&cfg, GOOD "Origin: null\r\n\r\n", &info, out, sizeof out), WSX_OK);
}

static void test_subprotocols_and_extensions(void)
{
    static const char *const prefs[] = {"chat.v2", "chat", "", "json"};
    wsx_hs_server_config cfg = plain_cfg();
    char out[1024];
    wsx_hs_request info;
    cfg.subprotocols = prefs;
    cfg.num_subprotocols = 4;
    /* server preference wins over the client's order */
    CHECK_EQ(answer_raw(&cfg, GOOD "Sec-WebSocket-Protocol: chat, chat.v2\r\n\r\n", &info, out,
                        sizeof out),
             WSX_OK);
    CHECK_EQ(info.subprotocol_index, 0);
    CHECK(has_line(out, "Sec-WebSocket-Protocol: chat.v2\r\n"));
    /* offers over two fields */
    CHECK_EQ(answer_raw(&cfg,
                        GOOD "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Protocol: json\r\n\r\n",
                        &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(info.subprotocol_index, 3);
    CHECK(has_line(out, "Sec-WebSocket-Protocol: json\r\n"));
    /* case-sensitive, no overlap: 101 without the header */
    CHECK_EQ(
        answer_raw(&cfg, GOOD "Sec-WebSocket-Protocol: Chat, mqtt\r\n\r\n", &info, out, sizeof out),
        WSX_OK);
    CHECK_EQ(info.subprotocol_index, -1);
    CHECK(info.subprotocol == NULL);
    CHECK(strstr(out, "Sec-WebSocket-Protocol") == NULL);
    /* nothing offered */
    CHECK_EQ(answer_raw(&cfg, GOOD "\r\n", &info, out, sizeof out), WSX_OK);
    CHECK(strstr(out, "Sec-WebSocket-Protocol") == NULL);
    /* extension offers noted and declined */
    CHECK_EQ(answer_raw(&cfg,
                        GOOD "Sec-WebSocket-Extensions: permessage-deflate; "
                             "client_max_window_bits, x-webkit-deflate-frame\r\n\r\n",
                        &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(info.extensions_offered, WSX_HS_EXT_PERMESSAGE_DEFLATE | WSX_HS_EXT_OTHER);
    CHECK(strstr(out, "Sec-WebSocket-Extensions") == NULL);
    CHECK_EQ(answer_raw(&cfg, GOOD "Sec-WebSocket-Extensions: Permessage-Deflate\r\n\r\n", &info,
                        out, sizeof out),
             WSX_OK);
    CHECK_EQ(info.extensions_offered, WSX_HS_EXT_PERMESSAGE_DEFLATE);
    CHECK_EQ(answer_raw(&cfg,
                        GOOD "Sec-WebSocket-Extensions: foo; a=\"x,permessage-deflate\"\r\n\r\n",
                        &info, out, sizeof out),
             WSX_OK);
    CHECK_EQ(info.extensions_offered, WSX_HS_EXT_OTHER);
}

static void test_accept_output(void)
{
    wsx_header extra[2];
    wsx_hs_server_config cfg = plain_cfg();
    wsx_hs_request info;
    char out[1024];
    size_t out_len, full, cap;
    static const char want[] = "HTTP/1.1 101 Switching Protocols\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
                               "Set-Cookie: a=b\r\n"
                               "X-Empty: \r\n"
                               "\r\n";
    set_header(&extra[0], "Set-Cookie", "a=b");
    set_header(&extra[1], "X-Empty", "");
    cfg.extra_headers = extra;
    cfg.num_extra_headers = 2;
    memset(&info, 0, sizeof info);
    info.key = RFC_KEY;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_OK);
    CHECK_EQ(out_len, sizeof want - 1);
    CHECK_MEM(out, want, sizeof want - 1);
    /* every smaller buffer: BUFFER with the size needed, nothing past the
     * buffer written (guarded) */
    full = out_len;
    for (cap = 0; cap < full; cap++) {
        char *g = (char *)guarded_alloc(cap ? cap : 1);
        out_len = 7;
        CHECK_EQ(wsx_hs_server_accept(&cfg, &info, g, cap, &out_len), WSX_E_BUFFER);
        CHECK_EQ(out_len, full);
        guarded_free(g, cap ? cap : 1);
    }
    /* size query: out NULL, cap 0 */
    out_len = 0;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, NULL, 0, &out_len), WSX_OK);
    CHECK_EQ(out_len, full);
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, NULL, 10, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    CHECK_EQ(wsx_hs_server_refusal(WSX_E_HS_KEY, NULL, 0, &out_len), WSX_OK);
    full = out_len;
    CHECK(full > 60 && full <= WSX_HS_RESPONSE_SIZE);
    for (cap = 0; cap < full; cap++) {
        char *g = (char *)guarded_alloc(cap ? cap : 1);
        CHECK_EQ(wsx_hs_server_refusal(WSX_E_HS_KEY, g, cap, &out_len), WSX_E_BUFFER);
        CHECK_EQ(out_len, full);
        guarded_free(g, cap ? cap : 1);
    }
    CHECK_EQ(wsx_hs_server_refusal(WSX_E_HS_KEY, out, full, &out_len), WSX_OK);
    CHECK_EQ(out_len, full);
    /* refused extras: names wsx writes itself, then rule 8 (token names,
     * field values), each with *out_len 0 */
    extra[0].name = "Sec-WebSocket-Protocol";
    extra[0].name_len = 22;
    out_len = 7;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    extra[0].name = "Bad Name";
    extra[0].name_len = 8;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_HTTP_HEADER_NAME);
    extra[0].name = "X";
    extra[0].name_len = 1;
    extra[0].value = "a\r\nInjected: 1";
    extra[0].value_len = 15;
    out_len = 7;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_HTTP_HEADER_VALUE);
    CHECK_EQ(out_len, 0);
    extra[0].value = "a\x01";
    extra[0].value_len = 2;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_HTTP_HEADER_VALUE);
    extra[0].value = " a";
    extra[0].value_len = 2;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_HTTP_HEADER_VALUE);
    extra[0].value = "a\tb \x80";
    extra[0].value_len = 5;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_OK);
    (void)no_list;
}

/* A Sec-WebSocket-Key is accepted exactly when it is the base64 of 16 bytes:
 * the check's verdict against wsx_base64_decode's, for every byte value at
 * every position of a valid key, and for keys with any last data
 * character. */
static int key_accepted(const char *key)
{
    wsx_header h[5];
    wsx_hs_request info;
    upgrade_headers(h, key);
    return wsx_hs_server_check(NULL, "GET", 3, 1, 1, h, 5, &info) == WSX_OK;
}

static int key_decodes(const char *key)
{
    uint8_t raw[24];
    size_t n = 0;
    return wsx_base64_decode(key, 24, raw, sizeof raw, &n) == WSX_OK && n == 16;
}

static void test_key_shapes(void)
{
    char key[25];
    size_t pos;
    int c, bad = 0;
    for (pos = 0; pos < 24; pos++)
        for (c = 0; c < 256; c++) {
            memcpy(key, RFC_KEY, 25);
            key[pos] = (char)c;
            if (key_accepted(key) != key_decodes(key)) {
                fprintf(stderr, "  key with 0x%02x at %zu\n", c, pos);
                bad++;
            }
        }
    CHECK_EQ(bad, 0);
    CHECK(key_accepted(RFC_KEY));
    CHECK(key_accepted("AAAAAAAAAAAAAAAAAAAAAA=="));
    CHECK(key_accepted("+/+/+/+/+/+/+/+/+/+/+w=="));
    CHECK(!key_accepted("AAAAAAAAAAAAAAAAAAAAAB=="));
}

/* wsx_hs_server_answer: the verdict and its response; a size query gives
 * both, and WSX_E_BUFFER the size a second call needs. */
static void test_answer_sizes(void)
{
    static const char good[] = GOOD "\r\n";
    static const char bad_key[] = REQ_HEAD UPGRADE "Sec-WebSocket-Key: x\r\n"
                                                   "Sec-WebSocket-Version: 13\r\n\r\n";
    const char *raws[2];
    int verdicts[2];
    size_t k;
    raws[0] = good;
    verdicts[0] = WSX_OK;
    raws[1] = bad_key;
    verdicts[1] = WSX_E_HS_KEY;
    for (k = 0; k < 2; k++) {
        wsx_http_parser p;
        wsx_header h[16];
        wsx_http_request q;
        wsx_hs_request info;
        char out[1024];
        size_t need = 0, out_len, cap;
        wsx_http_parser_init(&p, NULL);
        CHECK(wsx_http_parse_request(&p, raws[k], strlen(raws[k]), h, 16, &q) > 0);
        CHECK_EQ(wsx_hs_server_answer_request(NULL, &q, &info, NULL, 0, &need), verdicts[k]);
        CHECK(need > 50);
        for (cap = 0; cap < need; cap += 13) {
            char *g = (char *)guarded_alloc(cap ? cap : 1);
            out_len = 0;
            CHECK_EQ(wsx_hs_server_answer_request(NULL, &q, NULL, g, cap, &out_len), WSX_E_BUFFER);
            CHECK_EQ(out_len, need);
            guarded_free(g, cap ? cap : 1);
        }
        CHECK_EQ(wsx_hs_server_answer_request(NULL, &q, NULL, out, need, &out_len), verdicts[k]);
        CHECK_EQ(out_len, need);
        CHECK(memcmp(out, k ? "HTTP/1.1 400 " : "HTTP/1.1 101 ", 13) == 0);
    }
}

/* Rule 5: NULL where a pointer is required: WSX_E_ARG, *out_len 0. */
static void test_null_arguments(void)
{
    static const char raw[] = GOOD "\r\n";
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_request q;
    wsx_hs_request info;
    wsx_hs_server_config cfg = plain_cfg();
    wsx_hs_client_config ccfg;
    wsx_hs_client hs;
    char out[1024];
    size_t out_len;
    wsx_http_parser_init(&p, NULL);
    CHECK(wsx_http_parse_request(&p, raw, sizeof raw - 1, h, 16, &q) > 0);
    CHECK_EQ(wsx_hs_server_check(&cfg, NULL, 3, 1, 1, h, q.num_headers, &info), WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 1, h, q.num_headers, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 1, h, q.num_headers, &info), WSX_OK);
    out_len = 7;
    CHECK_EQ(wsx_hs_server_accept(&cfg, NULL, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_accept(NULL, &info, out, sizeof out, &out_len), WSX_OK);
    info.key = NULL;
    CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_refusal(WSX_E_HS_KEY, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_refusal(WSX_E_HS_KEY, NULL, 5, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    out_len = 7;
    CHECK_EQ(wsx_hs_server_answer(&cfg, NULL, 3, 1, 1, h, q.num_headers, NULL, out, sizeof out,
                                  &out_len),
             WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    CHECK_EQ(
        wsx_hs_server_answer(&cfg, "GET", 3, 1, 1, h, q.num_headers, NULL, out, sizeof out, NULL),
        WSX_E_ARG);
    CHECK_EQ(wsx_hs_server_answer(&cfg, "GET", 3, 1, 1, h, q.num_headers, NULL, NULL, 9, &out_len),
             WSX_E_ARG);
    out_len = 7;
    CHECK_EQ(wsx_hs_server_answer_request(&cfg, NULL, NULL, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    CHECK_EQ(wsx_hs_server_answer_request(&cfg, &q, NULL, out, sizeof out, NULL), WSX_E_ARG);
    /* client */
    memset(&ccfg, 0, sizeof ccfg);
    ccfg.host = "h";
    out_len = 7;
    CHECK_EQ(wsx_hs_client_request(NULL, &ccfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    CHECK_EQ(wsx_hs_client_request(&hs, NULL, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_request(&hs, &ccfg, NULL, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_request(&hs, &ccfg, nonce16, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_request(&hs, &ccfg, nonce16, NULL, 3, &out_len), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_request(&hs, &ccfg, nonce16, out, sizeof out, &out_len), WSX_OK);
    CHECK_EQ(wsx_hs_client_check(NULL, 101, h, 1, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_check(&hs, 101, NULL, 1, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_check_response(NULL, NULL, NULL), WSX_E_ARG);
}

/* Leftover bytes after the head: the first frames, untouched. */
static void test_leftover(void)
{
    static const char raw[] = GOOD "\r\n"
                                   "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    size_t n = sizeof raw - 1, i;
    wsx_hs_server_config cfg = plain_cfg();
    for (i = 1; i <= n; i++) {
        wsx_http_parser p;
        wsx_header h[16];
        wsx_http_request q;
        size_t len, out_len;
        char out[512];
        int head = 0;
        /* bytes arrive i at a time into one buffer */
        wsx_http_parser_init(&p, NULL);
        for (len = 0; len < n && head == 0;) {
            unsigned char *g;
            len = len + i > n ? n : len + i;
            g = guarded_copy(raw, len);
            head = wsx_http_parse_request(&p, (const char *)g, len, h, 16, &q);
            if (head > 0) {
                CHECK_EQ(wsx_hs_server_answer_request(&cfg, &q, NULL, out, sizeof out, &out_len),
                         WSX_OK);
                CHECK_EQ((size_t)head, n - 11);
                CHECK_MEM(g + head, raw + n - 11, len - (size_t)head);
            }
            guarded_free(g, len);
        }
        CHECK((size_t)head == n - 11);
    }
}

static void test_client_request(void)
{
    static const char *const protos[] = {"chat", "superchat"};
    wsx_header extra[1];
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    char out[1024];
    size_t out_len, cap;
    static const char want[] = "GET /chat HTTP/1.1\r\n"
                               "Host: server.example.com\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "Origin: http://example.com\r\n"
                               "Sec-WebSocket-Protocol: chat, superchat\r\n"
                               "Authorization: Bearer x\r\n"
                               "\r\n";
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "server.example.com";
    cfg.path = "/chat";
    cfg.origin = "http://example.com";
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 2;
    set_header(&extra[0], "Authorization", "Bearer x");
    cfg.extra_headers = extra;
    cfg.num_extra_headers = 1;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_OK);
    CHECK_EQ(out_len, sizeof want - 1);
    CHECK_MEM(out, want, sizeof want - 1);
    for (cap = 0; cap < sizeof want - 1; cap += 7) {
        char *g = (char *)guarded_alloc(cap ? cap : 1);
        CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, g, cap, &out_len), WSX_E_BUFFER);
        CHECK_EQ(out_len, sizeof want - 1);
        guarded_free(g, cap ? cap : 1);
    }
    out_len = 0;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, NULL, 0, &out_len), WSX_OK);
    CHECK_EQ(out_len, sizeof want - 1);
    /* minimal: path defaults to "/" */
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h:81";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_OK);
    CHECK(out_len == strlen("GET / HTTP/1.1\r\nHost: h:81\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: " RFC_KEY "\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n"));
    CHECK(memcmp(out, "GET / HTTP/1.1\r\nHost: h:81\r\n", 28) == 0);
    /* the server accepts what the client builds */
    {
        wsx_http_parser p;
        wsx_header h[16];
        wsx_http_request q;
        wsx_hs_server_config scfg = plain_cfg();
        char resp[512];
        size_t resp_len;
        wsx_http_parser_init(&p, NULL);
        CHECK_EQ(wsx_http_parse_request(&p, out, out_len, h, 16, &q), (int)out_len);
        CHECK_EQ(wsx_hs_server_answer_request(&scfg, &q, NULL, resp, sizeof resp, &resp_len),
                 WSX_OK);
    }
    /* bad configurations */
    cfg.host = NULL;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    cfg.host = "a\r\nX: y";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    cfg.host = "a b";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    cfg.host = "";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    cfg.host = "h";
    cfg.path = "chat";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    cfg.path = "/a b";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    cfg.path = "/";
    cfg.origin = "http://x\n";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    cfg.origin = "";
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    cfg.origin = NULL;
    {
        static const char *const bad[] = {"a b"};
        cfg.subprotocols = bad;
        cfg.num_subprotocols = 1;
        CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
        cfg.num_subprotocols = 0;
    }
    extra[0].name = "Sec-WebSocket-Key";
    extra[0].name_len = 17;
    cfg.extra_headers = extra;
    cfg.num_extra_headers = 1;
    out_len = 7;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
    CHECK_EQ(out_len, 0);
    /* rule 8 on the extra headers: token names, field values */
    set_header(&extra[0], "X-A", "v\x01");
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    CHECK_EQ(out_len, 0);
    extra[0].value = "v\r\nInjected: 1";
    extra[0].value_len = 15;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    extra[0].value = "v ";
    extra[0].value_len = 2;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_VALUE);
    extra[0].name = "X:A";
    extra[0].value = "v";
    extra[0].value_len = 1;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_NAME);
    extra[0].name_len = 0;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len),
             WSX_E_HTTP_HEADER_NAME);
    extra[0].name = "X-A";
    extra[0].name_len = 3;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_OK);
    cfg.extra_headers = NULL;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_E_ARG);
}

/* Builds the client state for the RFC nonce, offering chat/superchat and,
 * when ext is non-NULL, that Sec-WebSocket-Extensions offer. */
static void client_for(wsx_hs_client *hs, wsx_header *extra, const char *ext)
{
    static const char *const protos[] = {"chat", "superchat"};
    wsx_hs_client_config cfg;
    char out[1024];
    size_t out_len;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h";
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 2;
    if (ext) {
        extra->name = "Sec-WebSocket-Extensions";
        extra->name_len = 24;
        extra->value = ext;
        extra->value_len = strlen(ext);
        cfg.extra_headers = extra;
        cfg.num_extra_headers = 1;
    }
    CHECK_EQ(wsx_hs_client_request(hs, &cfg, nonce16, out, sizeof out, &out_len), WSX_OK);
}

static int check_raw_response(const wsx_hs_client *hs, const char *raw, const char **proto,
                              size_t *proto_len)
{
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_response s;
    size_t n = strlen(raw);
    unsigned char *g = guarded_copy(raw, n);
    wsx_hs_response got;
    int r;
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_response(&p, (const char *)g, n, h, 16, &s);
    if (r > 0)
        r = wsx_hs_client_check_response(hs, &s, &got);
    else
        r = -9999;
    if (r > -9999 && proto)
        *proto = got.subprotocol;
    if (r > -9999 && proto_len)
        *proto_len = got.subprotocol_len;
    if (r == WSX_OK && proto && *proto) {
        static char copy[64];
        memcpy(copy, *proto, *proto_len < 63 ? *proto_len : 63);
        copy[*proto_len < 63 ? *proto_len : 63] = 0;
        *proto = copy; /* g is about to go */
    }
    guarded_free(g, n);
    return r;
}

#define R101 "HTTP/1.1 101 Switching Protocols\r\n"
#define RUPG "Upgrade: websocket\r\nConnection: Upgrade\r\n"
#define RACC "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"

static void test_client_check(void)
{
    wsx_hs_client hs;
    wsx_header extra;
    const char *proto = (const char *)1;
    size_t proto_len = 99;
    client_for(&hs, &extra, NULL);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC "\r\n", &proto, &proto_len), WSX_OK);
    CHECK(proto == NULL);
    CHECK_EQ(proto_len, 0);
    CHECK_EQ(check_raw_response(
                 &hs, R101 "upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n" RACC "\r\n",
                 NULL, NULL),
             WSX_OK);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Protocol: superchat\r\n\r\n",
                                &proto, &proto_len),
             WSX_OK);
    CHECK_EQ(proto_len, 9);
    CHECK(proto && strcmp(proto, "superchat") == 0);
    /* refusals */
    CHECK_EQ(check_raw_response(&hs, "HTTP/1.1 200 OK\r\n" RUPG RACC "\r\n", NULL, NULL),
             WSX_E_HS_STATUS);
    CHECK_EQ(check_raw_response(&hs, "HTTP/1.1 403 Forbidden\r\n\r\n", NULL, NULL),
             WSX_E_HS_STATUS);
    CHECK_EQ(check_raw_response(&hs, R101 "Connection: Upgrade\r\n" RACC "\r\n", NULL, NULL),
             WSX_E_HS_UPGRADE);
    CHECK_EQ(check_raw_response(&hs, R101 "Upgrade: h2c\r\nConnection: Upgrade\r\n" RACC "\r\n",
                                NULL, NULL),
             WSX_E_HS_UPGRADE);
    CHECK_EQ(check_raw_response(&hs, R101 "Upgrade: websocket\r\n" RACC "\r\n", NULL, NULL),
             WSX_E_HS_CONNECTION);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG "\r\n", NULL, NULL), WSX_E_HS_ACCEPT);
    CHECK_EQ(
        check_raw_response(
            &hs, R101 RUPG "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n", NULL, NULL),
        WSX_E_HS_ACCEPT);
    CHECK_EQ(check_raw_response(
                 &hs, R101 RUPG "Sec-WebSocket-Accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", NULL,
                 NULL),
             WSX_E_HS_ACCEPT);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC RACC "\r\n", NULL, NULL), WSX_E_HS_ACCEPT);
    CHECK_EQ(
        check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Protocol: mqtt\r\n\r\n", NULL, NULL),
        WSX_E_HS_SUBPROTOCOL);
    CHECK_EQ(
        check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Protocol: Chat\r\n\r\n", NULL, NULL),
        WSX_E_HS_SUBPROTOCOL);
    CHECK_EQ(check_raw_response(
                 &hs, R101 RUPG RACC "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n", NULL, NULL),
             WSX_E_HS_SUBPROTOCOL);
    CHECK_EQ(check_raw_response(&hs,
                                R101 RUPG RACC "Sec-WebSocket-Protocol: chat\r\n"
                                               "Sec-WebSocket-Protocol: chat\r\n\r\n",
                                NULL, NULL),
             WSX_E_HS_SUBPROTOCOL);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Protocol:\r\n\r\n", NULL, NULL),
             WSX_E_HS_SUBPROTOCOL);
    CHECK_EQ(
        check_raw_response(
            &hs, R101 RUPG RACC "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", NULL, NULL),
        WSX_E_HS_EXTENSION);
    /* an empty extensions field accepts nothing: fine */
    CHECK_EQ(
        check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Extensions:\r\n\r\n", NULL, NULL),
        WSX_OK);
    /* offered through extra headers: accepted; others still refused, and
     * permessage-deflate too (it is offered through cfg.deflate) */
    client_for(&hs, &extra, "x-foo; client_max_window_bits");
    CHECK_EQ(check_raw_response(&hs,
                                R101 RUPG RACC "Sec-WebSocket-Extensions: x-foo; a=\"b\"\r\n\r\n",
                                NULL, NULL),
             WSX_OK);
    CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC "Sec-WebSocket-Extensions: x-bar\r\n\r\n", NULL,
                                NULL),
             WSX_E_HS_EXTENSION);
    CHECK_EQ(
        check_raw_response(
            &hs, R101 RUPG RACC "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", NULL, NULL),
        WSX_E_HS_EXTENSION);
    /* a different nonce gives a different accept */
    {
        wsx_hs_client_config cfg;
        uint8_t other[16];
        char out[512];
        size_t out_len;
        memset(&cfg, 0, sizeof cfg);
        memset(other, 7, sizeof other);
        cfg.host = "h";
        CHECK_EQ(wsx_hs_client_request(&hs, &cfg, other, out, sizeof out, &out_len), WSX_OK);
        CHECK_EQ(check_raw_response(&hs, R101 RUPG RACC "\r\n", NULL, NULL), WSX_E_HS_ACCEPT);
    }
    CHECK_EQ(wsx_hs_client_check(NULL, 101, NULL, 0, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_hs_client_check_response(&hs, NULL, NULL), WSX_E_ARG);
}

int main(void)
{
    RUN(test_rfc_sample);
    RUN(test_refusals);
    RUN(test_case_and_lists);
    RUN(test_origin);
    RUN(test_subprotocols_and_extensions);
    RUN(test_accept_output);
    RUN(test_answer_sizes);
    RUN(test_key_shapes);
    RUN(test_null_arguments);
    RUN(test_leftover);
    RUN(test_client_request);
    RUN(test_client_check);
    return harness_done();
}
