/*
 * libFuzzer target: HTTP request head parser + server handshake.
 *
 * Input: byte 0 options (bit 0 WSX_HTTP_STRICT_CRLF; bit 1 small limits:
 * line 200, target 100, head 1000; bits 2-3 header array of 0, 2, 8 or 64;
 * bits 4-5 chunking mode, see fz_next), byte 1 chunking parameter, the rest
 * the bytes received.
 *
 * Oracle: the head parsed whole and fed as growing prefixes (each in its own
 * exactly-sized heap block) gives the same result and the same fields; the
 * head length is within the input; every slice lies inside the head; the
 * server's answer fits its buffer and parses back as a response whose
 * status is 101 on success or wsx_err_http_status() of the refusal.
 */
#include "fuzz_http_common.h"

static void describe(fz_log *l, int r, const char *buf, const void *msg)
{
    const wsx_http_request *q = (const wsx_http_request *)msg;
    size_t i;
    fz_addf(l, "r=%lld", r);
    if (r <= 0)
        return;
    REQUIRE(q->method >= buf && q->method + q->method_len <= buf + r);
    REQUIRE(q->target >= buf && q->target + q->target_len <= buf + r);
    fz_addf(l, "|m=%lld", q->method - buf);
    fz_addf(l, ",%lld", (long long)q->method_len);
    fz_addf(l, "|t=%lld", q->target - buf);
    fz_addf(l, ",%lld", (long long)q->target_len);
    fz_addf(l, "|v=%lld", q->minor_version);
    for (i = 0; i < q->num_headers; i++)
        REQUIRE(q->headers[i].name_len > 0);
    fz_describe_headers(l, r, buf, q->headers, q->num_headers);
}

static void check_answer(const char *out, size_t out_len, int r)
{
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_response s;
    int n;
    REQUIRE(out_len > 0);
    wsx_http_parser_init(&p, NULL);
    n = wsx_http_parse_response(&p, out, out_len, h, 16, &s);
    REQUIRE(n > 0);
    if (r == WSX_OK) {
        REQUIRE((size_t)n == out_len);
        REQUIRE(s.status == 101);
        REQUIRE(wsx_http_header_count(h, s.num_headers, "Sec-WebSocket-Accept") == 1);
    } else {
        REQUIRE(s.status == wsx_err_http_status(r));
    }
}

static void handshake(const char *buf, const wsx_http_request *q)
{
    static const char *const protos[] = {"chat", "superchat", "json"};
    static const char *const origins[] = {"https://a.example"};
    wsx_hs_server_config cfg;
    wsx_hs_request info;
    char out[600];
    size_t out_len = 12345, need = 12345;
    int r, verdict;
    memset(&cfg, 0, sizeof cfg);
    cfg.subprotocols = protos;
    cfg.num_subprotocols = 3;
    cfg.origins = origins;
    cfg.num_origins = 1;
    /* the size query gives the verdict and the size of its response */
    verdict = wsx_hs_server_answer_request(&cfg, q, NULL, NULL, 0, &need);
    REQUIRE(verdict <= 0 && verdict != WSX_E_BUFFER && need > 0);
    r = wsx_hs_server_answer_request(&cfg, q, &info, out, sizeof out, &out_len);
    REQUIRE(out_len == need);
    if (r == WSX_E_BUFFER) {
        /* too long for out: a buffer of the size asked for holds it */
        char *big = (char *)malloc(need);
        REQUIRE(need > sizeof out && big != NULL);
        REQUIRE(wsx_hs_server_answer_request(&cfg, q, &info, big, need, &out_len) == verdict);
        REQUIRE(out_len == need);
        check_answer(big, out_len, verdict);
        free(big);
        return;
    }
    REQUIRE(r == verdict && out_len <= sizeof out);
    check_answer(out, out_len, r);
    if (r == WSX_OK) {
        REQUIRE(info.key != NULL);
        REQUIRE(info.subprotocol_index >= -1 && info.subprotocol_index < 3);
        if (info.origin)
            REQUIRE(info.origin >= buf);
    }
    /* the refusal writer for every error this target can meet */
    r = wsx_hs_server_refusal(r == WSX_OK ? WSX_E_HTTP_SYNTAX : r, out, sizeof out, &out_len);
    REQUIRE(r == WSX_OK);
}

static int parse(wsx_http_parser *p, const char *buf, size_t len, wsx_header *hdrs, size_t maxh,
                 void *msg)
{
    return wsx_http_parse_request(p, buf, len, hdrs, maxh, (wsx_http_request *)msg);
}

static void check_whole(const char *buf, int r, size_t maxh, const void *msg)
{
    const wsx_http_request *q = (const wsx_http_request *)msg;
    REQUIRE(r <= 0 || q->num_headers <= maxh);
    if (r > 0)
        handshake(buf, q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fz_http_target target = {parse, describe, check_whole};
    wsx_http_config cfg;
    wsx_http_request q;
    if (size < 2)
        return 0;
    fz_http_config(&cfg, data[0]);
    if (data[0] & 2)
        cfg.max_target = 100;
    fz_http_oracle(&target, &cfg, data, size, &q);
    return 0;
}
