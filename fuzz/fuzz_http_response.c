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
 * offering chat/superchat and permessage-deflate) answers WSX_OK only with
 * a 101 and a subprotocol that was offered; the body-framing helper gives
 * one of its documented answers.
 */
#include "wsx.h"
#include "fuzz_http_common.h"

static const size_t header_caps[4] = {0, 2, 8, 64};

static void describe(fz_log *l, int r, const char *buf, const wsx_http_response *s)
{
    size_t i;
    fz_addf(l, "r=%lld", r);
    if (r <= 0)
        return;
    REQUIRE(s->status >= 100 && s->status <= 599);
    REQUIRE(s->reason >= buf && s->reason + s->reason_len <= buf + r);
    fz_addf(l, "|s=%lld", s->status);
    fz_addf(l, "|v=%lld", s->minor_version);
    fz_addf(l, "|r=%lld", s->reason - buf);
    fz_addf(l, ",%lld", (long long)s->reason_len);
    for (i = 0; i < s->num_headers; i++) {
        const wsx_http_header *h = &s->headers[i];
        REQUIRE(h->name >= buf && h->name + h->name_len <= buf + r);
        REQUIRE(h->value >= buf && h->value + h->value_len <= buf + r);
        fz_addf(l, "|%lld", h->name - buf);
        fz_addf(l, ",%lld", (long long)h->name_len);
        fz_addf(l, ",%lld", h->value - buf);
        fz_addf(l, ",%lld", (long long)h->value_len);
    }
}

static void client_check(const char *buf, int head, const wsx_http_response *s)
{
    static const uint8_t nonce[16] = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p',
                                      'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};
    static const char *const protos[] = {"chat", "superchat"};
    wsx_http_header ext;
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    char req[512];
    size_t req_len, proto_len = 7;
    const char *proto = buf;
    uint64_t body_len = 0;
    int r;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "server.example.com";
    cfg.path = "/chat";
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 2;
    ext.name = "Sec-WebSocket-Extensions";
    ext.name_len = 24;
    ext.value = "permessage-deflate";
    ext.value_len = 18;
    cfg.extra_headers = &ext;
    cfg.num_extra_headers = 1;
    REQUIRE(wsx_hs_client_request(&hs, &cfg, nonce, req, sizeof req, &req_len) == WSX_OK);
    r = wsx_hs_client_check_response(&hs, s, &proto, &proto_len);
    REQUIRE(r <= 0);
    if (r == WSX_OK) {
        REQUIRE(s->status == 101);
        if (proto) {
            REQUIRE(proto >= buf && proto + proto_len <= buf + head);
            REQUIRE((proto_len == 4 && memcmp(proto, "chat", 4) == 0) ||
                    (proto_len == 9 && memcmp(proto, "superchat", 9) == 0));
        } else {
            REQUIRE(proto_len == 0);
        }
    } else {
        REQUIRE(proto == NULL && proto_len == 0);
    }
    r = wsx_http_response_body(s, 0, &body_len);
    REQUIRE(r == WSX_E_HTTP_SYNTAX || (r >= WSX_HTTP_BODY_NONE && r <= WSX_HTTP_BODY_CLOSE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wsx_http_config cfg;
    wsx_http_parser p;
    wsx_http_header *hdrs;
    wsx_http_response s;
    fz_log whole = {0, 0, 0}, chunked = {0, 0, 0};
    fz_plan plan;
    size_t maxh, len, have;
    char *buf;
    int r, r2 = 0;
    if (size < 2)
        return 0;
    wsx_http_config_default(&cfg);
    if (data[0] & 1)
        cfg.flags = WSX_HTTP_STRICT_CRLF;
    if (data[0] & 2) {
        cfg.max_line = 200;
        cfg.max_head = 1000;
    }
    maxh = header_caps[(data[0] >> 2) & 3];
    hdrs = (wsx_http_header *)malloc((maxh ? maxh : 1) * sizeof *hdrs);
    len = size - 2;

    buf = fz_copy(data + 2, len);
    wsx_http_parser_init(&p, &cfg);
    r = wsx_http_parse_response(&p, buf, len, hdrs, maxh, &s);
    REQUIRE(r <= (int)len);
    describe(&whole, r, buf, &s);
    if (r > 0)
        client_check(buf, r, &s);
    free(buf);

    fz_plan_init(&plan, (uint8_t)(data[0] >> 4), data[1], len);
    wsx_http_parser_init(&p, &cfg);
    for (have = 0; have < len;) {
        size_t step = fz_next(&plan);
        have = step > len - have ? len : have + step;
        buf = fz_copy(data + 2, have);
        r2 = wsx_http_parse_response(&p, buf, have, hdrs, maxh, &s);
        if (r2 != 0) {
            describe(&chunked, r2, buf, &s);
            free(buf);
            break;
        }
        free(buf);
    }
    if (r2 == 0)
        describe(&chunked, 0, NULL, &s);
    REQUIRE(fz_same(&whole, &chunked));
    free(whole.p);
    free(chunked.p);
    free(hdrs);
    return 0;
}
