/*
 * libFuzzer target: HTTP response head parser + client handshake check.
 *
 * Input: byte 0 options (bit 0 WSX_HTTP_STRICT_CRLF; bit 1 small limits:
 * line 200, head 1000; bits 2-3 header array of 0, 2, 8 or 64; bits 4-5
 * chunking mode, see fz_next), byte 1 chunking parameter, the rest the
 * bytes received.
 *
 * Oracle: the head parsed whole and fed as growing prefixes (each in its own
 * exactly-sized heap block) gives the same result and fields; slices lie in
 * the head; the client check (state from the RFC 6455 sample nonce,
 * offering chat/superchat, x-foo and permessage-deflate with windows of 14
 * for the server and 12 for the client) answers WSX_OK only with a 101, a
 * subprotocol that was offered and deflate terms within the offer; the
 * body-framing helper gives one of its documented answers; the SSE
 * client's verdict and Retry-After (wsx_sse_retry_after) give theirs.
 */
#include "fuzz_http_common.h"

static void describe(fz_log *l, int r, const char *buf, const void *msg)
{
    const wsx_http_response *s = (const wsx_http_response *)msg;
    fz_addf(l, "r=%lld", r);
    if (r <= 0)
        return;
    REQUIRE(s->status >= 100 && s->status <= 599);
    REQUIRE(s->reason >= buf && s->reason + s->reason_len <= buf + r);
    fz_addf(l, "|s=%lld", s->status);
    fz_addf(l, "|v=%lld", s->minor_version);
    fz_addf(l, "|r=%lld", s->reason - buf);
    fz_addf(l, ",%lld", (long long)s->reason_len);
    fz_describe_headers(l, r, buf, s->headers, s->num_headers);
}

static void client_check(const char *buf, int head, const wsx_http_response *s)
{
    static const uint8_t nonce[16] = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p',
                                      'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};
    static const char *const protos[] = {"chat", "superchat"};
    wsx_header ext;
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    wsx_hs_response got;
    char req[512];
    size_t req_len;
    uint64_t body_len = 0;
    int r;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "server.example.com";
    cfg.path = "/chat";
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 2;
    ext.name = "Sec-WebSocket-Extensions";
    ext.name_len = 24;
    ext.value = "x-foo";
    ext.value_len = 5;
    cfg.extra_headers = &ext;
    cfg.num_extra_headers = 1;
    cfg.deflate.enable = &wsx_hs_pmd_client;
    cfg.deflate.client_max_window_bits = 12;
    cfg.deflate.server_max_window_bits = 14;
    REQUIRE(wsx_hs_client_request(&hs, &cfg, nonce, req, sizeof req, &req_len) == WSX_OK);
    memset(&got, 0x55, sizeof got);
    r = wsx_hs_client_check_response(&hs, s, &got);
    REQUIRE(r <= 0);
    if (r == WSX_OK) {
        REQUIRE(s->status == 101);
        if (got.subprotocol) {
            const char *proto = got.subprotocol;
            size_t proto_len = got.subprotocol_len;
            REQUIRE(proto >= buf && proto + proto_len <= buf + head);
            REQUIRE((proto_len == 4 && memcmp(proto, "chat", 4) == 0) ||
                    (proto_len == 9 && memcmp(proto, "superchat", 9) == 0));
        } else {
            REQUIRE(got.subprotocol_len == 0);
        }
        /* the terms fit the offer: server window at most 14, client at most 12 */
        REQUIRE(got.permessage_deflate == 0 || got.permessage_deflate == 1);
        REQUIRE(got.deflate.server_max_window_bits >= 8);
        REQUIRE(got.deflate.server_max_window_bits <= (got.permessage_deflate ? 14 : 15));
        REQUIRE(got.deflate.client_max_window_bits >= 8);
        REQUIRE(got.deflate.client_max_window_bits <= (got.permessage_deflate ? 12 : 15));
        REQUIRE(got.deflate.server_no_context_takeover <= got.permessage_deflate);
        REQUIRE(got.deflate.client_no_context_takeover <= got.permessage_deflate);
    } else {
        REQUIRE(got.subprotocol == NULL && got.subprotocol_len == 0 && got.permessage_deflate == 0);
    }
    r = wsx_http_response_body(s, 0, &body_len);
    REQUIRE(r == WSX_E_HTTP_SYNTAX || (r >= WSX_HTTP_BODY_NONE && r <= WSX_HTTP_BODY_CLOSE));
}

/* The SSE client's verdict and Retry-After: documented answers only; a
 * wait never over a day; Retry-After read only where the verdict says. */
static void sse_check(const wsx_http_response *s)
{
    uint32_t ms = 12345;
    int v = wsx_sse_check_http_response(s, NULL, NULL);
    int r = wsx_sse_retry_after(s->headers, s->num_headers, 1796691600u, &ms);
    REQUIRE(r == WSX_OK || r == WSX_E_SSE_RETRY_AFTER);
    REQUIRE(r == WSX_OK ? ms <= WSX_SSE_RETRY_AFTER_MAX_S * 1000u : ms == 12345);
    REQUIRE(v != WSX_E_SSE_RETRY_LATER || s->status == 429 || s->status == 503);
    REQUIRE((v == WSX_E_SSE_UNAUTHORIZED) == (s->status == 401));
    REQUIRE((v == WSX_E_SSE_FORBIDDEN) == (s->status == 403));
}

static int parse(wsx_http_parser *p, const char *buf, size_t len, wsx_header *hdrs, size_t maxh,
                 void *msg)
{
    return wsx_http_parse_response(p, buf, len, hdrs, maxh, (wsx_http_response *)msg);
}

static void check_whole(const char *buf, int r, size_t maxh, const void *msg)
{
    (void)maxh;
    if (r > 0) {
        client_check(buf, r, (const wsx_http_response *)msg);
        sse_check((const wsx_http_response *)msg);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fz_http_target target = {parse, describe, check_whole};
    wsx_http_config cfg;
    wsx_http_response s;
    if (size < 2)
        return 0;
    fz_http_config(&cfg, data[0]);
    fz_http_oracle(&target, &cfg, data, size, &s);
    return 0;
}
