/*
 * libFuzzer target: HTTP request head parser + server handshake.
 *
 * Input: byte 0 options (bit 0 WSX_HTTP_STRICT_CRLF; bit 1 small limits:
 * line 200, target 100, head 1000; bits 2-3 header array of 0, 2, 8 or 64;
 * bits 4-5 chunking mode, see fz_next; bit 6 permessage-deflate accepted
 * with server windows 9..12 and a client window of 10, bit 7 with that
 * client window required), byte 1 chunking parameter, the rest the bytes
 * received.
 *
 * Oracle: the head parsed whole and fed as growing prefixes (each in its own
 * exactly-sized heap block) gives the same result and the same fields; the
 * head length is within the input; every slice lies inside the head; the
 * server's answer fits its buffer and parses back as a response whose
 * status is 101 on success or wsx_err_http_status() of the refusal; agreed
 * deflate terms lie within the policy and the 101 carries them as
 * wsx_hs_deflate_answer writes them, and only then; the CORS preflight
 * answer (bit 2: "*" allowed too, bit 3: credentials) is a 204 or a 403
 * whose size query agrees, and no CORS line says "*" with credentials.
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

/* The 101's Sec-WebSocket-Extensions is the one wsx_hs_deflate_answer
 * writes for info's terms, present only when they were agreed. */
static void check_deflate(const wsx_header *h, size_t n, const wsx_hs_request *info)
{
    const wsx_header *ext = wsx_http_header_next(h, n, "Sec-WebSocket-Extensions", NULL);
    const wsx_ws_deflate_params *t = &info->deflate;
    char want[200];
    size_t want_len;
    if (!info->permessage_deflate) {
        REQUIRE(ext == NULL);
        REQUIRE(t->server_max_window_bits == 15 && t->client_max_window_bits == 15);
        return;
    }
    REQUIRE(t->server_max_window_bits >= 9 && t->server_max_window_bits <= 12);
    /* a client that cannot be asked for less keeps 15 */
    if (info->deflate_offer & WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS)
        REQUIRE(t->client_max_window_bits >= 8 && t->client_max_window_bits <= 10);
    else
        REQUIRE(t->client_max_window_bits == 15);
    REQUIRE(wsx_hs_deflate_answer(info, want, sizeof want, &want_len) == WSX_OK);
    REQUIRE(ext && wsx_http_header_count(h, n, "Sec-WebSocket-Extensions") == 1);
    REQUIRE(ext->value_len == want_len && memcmp(ext->value, want, want_len) == 0);
}

static void check_answer(const char *out, size_t out_len, int r, const wsx_hs_request *info)
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
        check_deflate(h, s.num_headers, info);
    } else {
        REQUIRE(s.status == wsx_err_http_status(r));
    }
}

static void handshake(const char *buf, const wsx_http_request *q, unsigned options)
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
    cfg.deflate.enable = options & 64 ? &wsx_hs_pmd_server : NULL;
    cfg.deflate.server_max_window_bits = 12;
    cfg.deflate.server_min_window_bits = 9;
    cfg.deflate.client_max_window_bits = 10;
    cfg.deflate.client_window_required = (options & 128) != 0;
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
        check_answer(big, out_len, verdict, &info);
        free(big);
        return;
    }
    REQUIRE(r == verdict && out_len <= sizeof out);
    check_answer(out, out_len, r, &info);
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

/* CORS on the request: a preflight answer of the documented shape whose
 * size query agrees, and never "*" together with credentials. */
static void cors(const wsx_http_request *q, unsigned options)
{
    static const char *const origins[] = {"https://a.example", "*"};
    char out[1024];
    size_t len = 0, need = 0, i, n = 0;
    wsx_header lines[WSX_CORS_MAX_HEADERS];
    wsx_cors_config cfg;
    int r;
    memset(&cfg, 0, sizeof cfg);
    cfg.origins = origins;
    cfg.num_origins = (options & 4) ? 2 : 1;
    cfg.allow_credentials = (options & 8) != 0;
    cfg.allow_headers = "Content-Type, Authorization";
    r = wsx_cors_preflight(&cfg, q->headers, q->num_headers, out, sizeof out, &len);
    REQUIRE(r == WSX_OK || r == WSX_E_SSE_CORS_ORIGIN || r == WSX_E_SSE_CORS_METHOD ||
            r == WSX_E_SSE_CORS_HEADERS);
    REQUIRE(wsx_cors_preflight(&cfg, q->headers, q->num_headers, NULL, 0, &need) == WSX_OK);
    REQUIRE(need == len && len >= 26 && len <= sizeof out);
    REQUIRE(memcmp(out, r == WSX_OK ? "HTTP/1.1 204 " : "HTTP/1.1 403 ", 13) == 0);
    r = wsx_cors_check(&cfg, q->headers, q->num_headers, lines, &n);
    REQUIRE((r == WSX_OK || r == WSX_E_SSE_CORS_ORIGIN) && n <= WSX_CORS_MAX_HEADERS);
    for (i = 0; i < n; i++)
        REQUIRE(!(cfg.allow_credentials && lines[i].value_len == 1 && lines[i].value[0] == '*'));
}

static int parse(wsx_http_parser *p, const char *buf, size_t len, wsx_header *hdrs, size_t maxh,
                 void *msg)
{
    return wsx_http_parse_request(p, buf, len, hdrs, maxh, (wsx_http_request *)msg);
}

/* byte 0 of the input being run */
static unsigned fz_options;

static void check_whole(const char *buf, int r, size_t maxh, const void *msg)
{
    const wsx_http_request *q = (const wsx_http_request *)msg;
    REQUIRE(r <= 0 || q->num_headers <= maxh);
    if (r > 0) {
        handshake(buf, q, fz_options);
        cors(q, fz_options);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fz_http_target target = {parse, describe, check_whole};
    wsx_http_config cfg;
    wsx_http_request q;
    if (size < 2)
        return 0;
    fz_options = data[0];
    fz_http_config(&cfg, data[0]);
    if (data[0] & 2)
        cfg.max_target = 100;
    fz_http_oracle(&target, &cfg, data, size, &q);
    return 0;
}
