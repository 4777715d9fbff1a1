/* The handshake text tables, whole: every refusal status line and its
 * extra fields byte for byte, every field name each side refuses in extra
 * headers (and the near misses it must not refuse), extension names
 * matched case-insensitively, and the order of base64 decode errors. */
#include <stdlib.h>

#include "harness.h"
#include "wsx_handshake.h"
#include "wsx_util.h"

/* The refusal for err, NUL-terminated in out. */
static void refusal(int err, char *out, size_t cap)
{
    size_t out_len = 0;
    CHECK_EQ(wsx_hs_server_refusal(err, out, cap - 1, &out_len), WSX_OK);
    out[out_len] = '\0';
}

static void expect_head(int err, const char *head)
{
    char out[512], want[640];
    const char *reason = wsx_strerror(err);
    refusal(err, out, sizeof out);
    snprintf(want, sizeof want,
             "%sContent-Type: text/plain; charset=utf-8\r\nContent-Length: %u\r\n\r\n%s\n", head,
             (unsigned)strlen(reason) + 1, reason);
    CHECK(strcmp(out, want) == 0);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "  got:\n%s\n  want:\n%s\n", out, want);
}

static void test_every_refusal_status(void)
{
    expect_head(WSX_E_HS_KEY, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n");
    expect_head(WSX_E_HS_ORIGIN, "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n");
    expect_head(WSX_E_HS_METHOD,
                "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nConnection: close\r\n");
    expect_head(WSX_E_HTTP_CHUNK_TOO_BIG,
                "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\n");
    expect_head(WSX_E_HTTP_URI_TOO_LONG, "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n");
    expect_head(WSX_E_HS_WS_VERSION,
                "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade, close\r\n");
    expect_head(WSX_E_HTTP_HEAD_TOO_LARGE,
                "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n");
    expect_head(WSX_E_HTTP_VERSION,
                "HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\n");
    /* not the client's fault, or not an error at all: 500 */
    expect_head(WSX_E_HS_ACCEPT, "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n");
    expect_head(WSX_OK, "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n");
    expect_head(-9999, "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n");
}

/* Every error with an HTTP status gets exactly that status and a reason. */
static void test_status_matches_table(void)
{
    int err;
    for (err = -600; err <= 0; err++) {
        char out[512];
        int status = wsx_err_http_status(err);
        refusal(err, out, sizeof out);
        CHECK_EQ(atoi(out + 9), status < 400 ? 500 : status);
        CHECK(out[12] == ' ' && out[13] >= 'A' && out[13] <= 'Z');
    }
}

static int server_takes(const char *name)
{
    wsx_header extra;
    wsx_hs_server_config cfg;
    wsx_hs_request info;
    char out[512];
    size_t out_len;
    memset(&cfg, 0, sizeof cfg);
    memset(&info, 0, sizeof info);
    info.key = "dGhlIHNhbXBsZSBub25jZQ==";
    extra.name = name;
    extra.name_len = strlen(name);
    extra.value = "1";
    extra.value_len = 1;
    cfg.extra_headers = &extra;
    cfg.num_extra_headers = 1;
    return wsx_hs_server_accept(&cfg, &info, out, sizeof out, &out_len) == WSX_OK;
}

static int client_takes(const char *name)
{
    static const uint8_t nonce[16] = {1, 2, 3};
    wsx_header extra;
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    char out[512];
    size_t out_len;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h";
    extra.name = name;
    extra.name_len = strlen(name);
    extra.value = "1";
    extra.value_len = 1;
    cfg.extra_headers = &extra;
    cfg.num_extra_headers = 1;
    return wsx_hs_client_request(&hs, &cfg, nonce, out, sizeof out, &out_len) == WSX_OK;
}

static void test_refused_extra_names(void)
{
    static const char *const both[] = {"Upgrade",
                                       "connection",
                                       "SEC-WEBSOCKET-ACCEPT",
                                       "Sec-WebSocket-Protocol",
                                       "sec-websocket-version",
                                       "Content-Length",
                                       "Transfer-Encoding"};
    static const char *const near[] = {
        "Upgrad",         "Upgrades",           "Connection2", "Sec-WebSocket",
        "Sec-WebSocket-", "Content-Lengt",      "X-Host",      "Hosts",
        "Origins",        "Sec-WebSocket-Keys", "Extensions"};
    size_t i;
    for (i = 0; i < sizeof both / sizeof both[0]; i++) {
        CHECK(!server_takes(both[i]));
        CHECK(!client_takes(both[i]));
    }
    /* the server writes extensions itself (permessage-deflate when its
     * policy accepts it); the client takes offers of other extensions in
     * its extra headers */
    CHECK(!server_takes("Sec-WebSocket-Extensions"));
    CHECK(client_takes("Sec-WebSocket-Extensions"));
    /* the client writes these; a server may send them */
    CHECK(!client_takes("Host"));
    CHECK(!client_takes("origin"));
    CHECK(!client_takes("Sec-WebSocket-Key"));
    CHECK(server_takes("Host"));
    CHECK(server_takes("Origin"));
    CHECK(server_takes("Sec-WebSocket-Key"));
    for (i = 0; i < sizeof near / sizeof near[0]; i++) {
        CHECK(server_takes(near[i]));
        CHECK(client_takes(near[i]));
    }
}

static int client_accepts(const char *offer, const char *accepted)
{
    static const uint8_t nonce[16] = {0x74, 0x68, 0x65, 0x20, 0x73, 0x61, 0x6d, 0x70,
                                      0x6c, 0x65, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65};
    wsx_header extra, h[4];
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    char out[512];
    size_t out_len;
    int r;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h";
    extra.name = "Sec-WebSocket-Extensions";
    extra.name_len = 24;
    extra.value = offer;
    extra.value_len = strlen(offer);
    cfg.extra_headers = &extra;
    cfg.num_extra_headers = 1;
    r = wsx_hs_client_request(&hs, &cfg, nonce, out, sizeof out, &out_len);
    if (r < 0)
        return r;
    h[0].name = "Upgrade";
    h[0].name_len = 7;
    h[0].value = "websocket";
    h[0].value_len = 9;
    h[1].name = "Connection";
    h[1].name_len = 10;
    h[1].value = "Upgrade";
    h[1].value_len = 7;
    h[2].name = "Sec-WebSocket-Accept";
    h[2].name_len = 20;
    h[2].value = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    h[2].value_len = 28;
    h[3].name = "sec-websocket-extensions";
    h[3].name_len = 24;
    h[3].value = accepted;
    h[3].value_len = strlen(accepted);
    return wsx_hs_client_check(&hs, 101, h, 4, NULL);
}

static void test_extension_names(void)
{
    CHECK_EQ(
        client_accepts("x-webkit-deflate-frame", "X-WebKit-Deflate-Frame ; no_context_takeover"),
        WSX_OK);
    CHECK_EQ(client_accepts("x-a; p=1, x-deflate\t;q", "x-deflate, X-A"), WSX_OK);
    CHECK_EQ(client_accepts("x-deflate", "x-deflat"), WSX_E_HS_EXTENSION);
    CHECK_EQ(client_accepts("x-deflate", "x-deflate, x"), WSX_E_HS_EXTENSION);
    /* permessage-deflate is offered with cfg.deflate, never here */
    CHECK_EQ(client_accepts("x-a, Permessage-Deflate; client_max_window_bits", "x-a"), WSX_E_ARG);
    /* an empty name is never offered, even against an empty offer */
    CHECK_EQ(client_accepts(";y", ";x"), WSX_E_HS_EXTENSION);
    CHECK_EQ(client_accepts("a", ""), WSX_OK);
}

static void test_base64_error_order(void)
{
    uint8_t out[8];
    size_t n = 5;
    /* a bad character wins over a small buffer */
    CHECK_EQ(wsx_base64_decode("Zm9!", 4, out, 0, &n), WSX_E_BASE64);
    CHECK_EQ(n, 0);
    /* so do nonzero bits under the padding: a WSX_E_BUFFER promises that a
     * buffer of *out_len bytes works */
    CHECK_EQ(wsx_base64_decode("Zh==", 4, out, 0, &n), WSX_E_BASE64);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_base64_decode("Zh==", 4, out, 1, &n), WSX_E_BASE64);
    CHECK_EQ(wsx_base64_decode("Zg==", 4, out, 0, &n), WSX_E_BUFFER);
    CHECK_EQ(n, 1);
    CHECK_EQ(wsx_base64_decode("Zg==", 4, out, 1, &n), WSX_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0], 'f');
    /* decoding into NULL with no room: a size query, the input checked */
    n = 0;
    CHECK_EQ(wsx_base64_decode("Zg==", 4, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(wsx_base64_decode("Zh==", 4, NULL, 0, &n), WSX_E_BASE64);
    CHECK_EQ(wsx_base64_decode("Zg==", 4, NULL, 1, &n), WSX_E_ARG);
}

int main(void)
{
    RUN(test_every_refusal_status);
    RUN(test_status_matches_table);
    RUN(test_refused_extra_names);
    RUN(test_extension_names);
    RUN(test_base64_error_order);
    return harness_done();
}
