/* permessage-deflate negotiation (RFC 7692 section 7.1), the client side,
 * table-driven and byte for byte: offer -> the exact request line; response
 * headers -> the terms or the named error; wsx against wsx for every offer
 * and policy (both ends hold the same terms); the answers of node ws and
 * Python websockets servers. */
#include "pmd_table.h"

/* The exact request line of each offer. */
static const char *const offer_lines[O_COUNT] = {
    NULL,
    PMD "; client_max_window_bits",
    PMD "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; "
        "client_max_window_bits=10",
    PMD "; server_max_window_bits=9; client_max_window_bits",
    PMD "; client_max_window_bits=11",
};

/* One row: the offer, the Sec-WebSocket-Extensions fields of the 101, the
 * result and, on WSX_OK, the terms (pmd 0: none agreed). */
typedef struct client_row {
    int offer;
    const char *fields;
    int result, pmd, s, c, snct, cnct;
} client_row;

#define ERR(e) e, 0, 15, 15, 0, 0

static const client_row client_rows[] = {
    /* declined, accepted plainly */
    {O_DEF, "", WSX_OK, 0, 15, 15, 0, 0},
    {O_DEF, F(""), WSX_OK, 0, 15, 15, 0, 0},
    {O_DEF, F(PMD), WSX_OK, 1, 15, 15, 0, 0},
    {O_DEF, F(" " PMD " "), WSX_OK, 1, 15, 15, 0, 0},
    /* what the server may add unasked */
    {O_DEF, F(PMD "; server_max_window_bits=10"), WSX_OK, 1, 10, 15, 0, 0},
    {O_DEF, F(PMD "; client_max_window_bits=9"), WSX_OK, 1, 15, 9, 0, 0},
    {O_DEF, F(PMD "; server_no_context_takeover; client_no_context_takeover"), WSX_OK, 1, 15, 15, 1,
     1},
    {O_DEF, F(PMD "; client_max_window_bits=\"11\""), WSX_OK, 1, 15, 11, 0, 0},
    {O_DEF, F("PERMESSAGE-DEFLATE ; SERVER_MAX_WINDOW_BITS = 8"), WSX_OK, 1, 8, 15, 0, 0},
    /* malformed answers */
    {O_DEF, F(PMD "; client_max_window_bits"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; server_max_window_bits"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; server_max_window_bits=7"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; server_max_window_bits=16"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; client_max_window_bits=010"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; client_max_window_bits=\"\""), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; foo"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; server_no_context_takeover=1"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; client_no_context_takeover; client_no_context_takeover"),
     ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; server_max_window_bits=9; server_max_window_bits=9"),
     ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD ";"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; a=\"x"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD "; x y"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD " x"), ERR(WSX_E_HS_EXTENSION)}, /* the name is "permessage-deflate x" */
    /* accepted twice, in one field or two */
    {O_DEF, F(PMD ", " PMD), ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_DEF, F(PMD) F(PMD "; server_max_window_bits=9"), ERR(WSX_E_HS_DEFLATE_PARAM)},
    /* not offered */
    {O_OFF, F(PMD), ERR(WSX_E_HS_EXTENSION)},
    {O_DEF, F("x-bar"), ERR(WSX_E_HS_EXTENSION)},
    {O_DEF, F("x-foo, " PMD), WSX_OK, 1, 15, 15, 0, 0}, /* x-foo: offered in the extra headers */
    {O_DEF, F(PMD ", x-webkit-deflate-frame"), ERR(WSX_E_HS_EXTENSION)},
    {O_DEF, F("permessage-deflat"), ERR(WSX_E_HS_EXTENSION)},
    /* everything offered: what was asked of the server must come back */
    {O_ALL, F(PMD "; server_no_context_takeover; server_max_window_bits=12"), WSX_OK, 1, 12, 10, 1,
     1},
    {O_ALL,
     F(PMD "; server_max_window_bits=8; server_no_context_takeover; client_max_window_bits=12"),
     WSX_OK, 1, 8, 10, 1, 1},
    {O_ALL,
     F(PMD "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; "
           "client_max_window_bits=9"),
     WSX_OK, 1, 11, 9, 1, 1},
    {O_ALL, F(PMD "; server_max_window_bits=12"), ERR(WSX_E_HS_DEFLATE_TERMS)},
    {O_ALL, F(PMD "; server_no_context_takeover"), ERR(WSX_E_HS_DEFLATE_TERMS)},
    {O_ALL, F(PMD "; server_no_context_takeover; server_max_window_bits=13"),
     ERR(WSX_E_HS_DEFLATE_TERMS)},
    {O_ALL, F(PMD "; server_no_context_takeover; server_max_window_bits=12; foo"),
     ERR(WSX_E_HS_DEFLATE_PARAM)},
    {O_SERVER_BITS, F(PMD "; server_max_window_bits=9"), WSX_OK, 1, 9, 15, 0, 0},
    {O_SERVER_BITS, F(PMD "; server_max_window_bits=8"), WSX_OK, 1, 8, 15, 0, 0},
    {O_SERVER_BITS, F(PMD "; server_max_window_bits=10"), ERR(WSX_E_HS_DEFLATE_TERMS)},
    {O_SERVER_BITS, F(PMD), ERR(WSX_E_HS_DEFLATE_TERMS)},
    /* the client's own window is a promise: a larger answer changes nothing */
    {O_CLIENT_BITS, F(PMD), WSX_OK, 1, 15, 11, 0, 0},
    {O_CLIENT_BITS, F(PMD "; client_max_window_bits=15"), WSX_OK, 1, 15, 11, 0, 0},
    {O_CLIENT_BITS, F(PMD "; client_max_window_bits=10"), WSX_OK, 1, 15, 10, 0, 0},
};

static void test_client_table(void)
{
    size_t i;
    int o;
    wsx_hs_client hs;
    wsx_hs_response got;
    for (o = 0; o < O_COUNT; o++) {
        const char *line = client_for(&hs, o);
        CHECK(offer_lines[o] ? line && strcmp(line, offer_lines[o]) == 0 : line == NULL);
    }
    for (i = 0; i < sizeof client_rows / sizeof client_rows[0]; i++) {
        const client_row *row = &client_rows[i];
        int r;
        client_for(&hs, row->offer);
        memset(&got, 0x5a, sizeof got);
        r = check_response(&hs, row->fields, &got);
        if (r != row->result)
            fprintf(stderr, "  row %s (offer %d): %d, want %d\n", row->fields, row->offer, r,
                    row->result);
        CHECK_EQ(r, row->result);
        CHECK_EQ(got.permessage_deflate, row->pmd);
        if (r == WSX_OK)
            CHECK(terms_are(&got.deflate, row->s, row->c, row->snct, row->cnct));
        else
            CHECK(terms_are(&got.deflate, 15, 15, 0, 0) && got.subprotocol == NULL);
    }
}

static void test_client_arguments(void)
{
    static const uint8_t bad_bits[] = {1, 7, 16, 255};
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    wsx_header ext = {"Sec-WebSocket-Extensions", 24, "x-a, PerMessage-Deflate ;x", 26};
    char out[512];
    size_t len, i;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h";
    cfg.deflate.enable = &wsx_hs_pmd_client;
    for (i = 0; i < sizeof bad_bits; i++) {
        cfg.deflate.client_max_window_bits = bad_bits[i];
        CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, out, sizeof out, &len), WSX_E_ARG);
        cfg.deflate.client_max_window_bits = 0;
        cfg.deflate.server_max_window_bits = bad_bits[i];
        CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, out, sizeof out, &len), WSX_E_ARG);
        cfg.deflate.server_max_window_bits = 0;
    }
    /* permessage-deflate in the extra headers: refused, with or without
     * cfg.deflate */
    cfg.extra_headers = &ext;
    cfg.num_extra_headers = 1;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, out, sizeof out, &len), WSX_E_ARG);
    cfg.deflate.enable = NULL;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, out, sizeof out, &len), WSX_E_ARG);
    ext.value_len = 3;
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, out, sizeof out, &len), WSX_OK);
    /* the offer counts in the size query */
    cfg.deflate = offer(O_ALL);
    CHECK_EQ(wsx_hs_client_request(&hs, &cfg, pmd_nonce16, NULL, 0, &len), WSX_OK);
    CHECK_EQ(len, strlen("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n" EXT "\r\n" EXT "x-a\r\n\r\n") +
                      strlen(offer_lines[O_ALL]));
}

/* ---- wsx against wsx ----------------------------------------------------------- */

/* Every offer against every policy: the server's 101 passes the client's
 * check and both hold the same terms. */
static void test_both_ends(void)
{
    int o, pol_index;
    for (o = 0; o < O_COUNT; o++)
        for (pol_index = 0; pol_index < P_COUNT; pol_index++) {
            wsx_hs_deflate_policy pol = policy(pol_index);
            wsx_hs_client hs;
            wsx_hs_client_config ccfg;
            wsx_hs_server_config scfg;
            wsx_hs_request info;
            wsx_hs_response got;
            wsx_http_parser p;
            wsx_header h[16];
            wsx_http_request q;
            wsx_http_response s;
            char req[1024], resp[1024];
            size_t req_len, resp_len;
            int head;
            memset(&ccfg, 0, sizeof ccfg);
            memset(&scfg, 0, sizeof scfg);
            ccfg.host = "h";
            ccfg.deflate = offer(o);
            scfg.deflate = pol;
            CHECK_EQ(wsx_hs_client_request(&hs, &ccfg, pmd_nonce16, req, sizeof req, &req_len),
                     WSX_OK);
            wsx_http_parser_init(&p, NULL);
            CHECK_EQ(wsx_http_parse_request(&p, req, req_len, h, 16, &q), (int)req_len);
            CHECK_EQ(wsx_hs_server_answer_request(&scfg, &q, &info, resp, sizeof resp, &resp_len),
                     WSX_OK);
            wsx_http_parser_init(&p, NULL);
            head = wsx_http_parse_response(&p, resp, resp_len, h, 16, &s);
            CHECK_EQ(head, (int)resp_len);
            CHECK_EQ(wsx_hs_client_check_response(&hs, &s, &got), WSX_OK);
            CHECK_EQ(got.permessage_deflate, info.permessage_deflate);
            /* all agree but a server that refuses the offer's small window */
            CHECK_EQ(got.permessage_deflate, o != O_OFF && pol_index != P_OFF &&
                                                 !(o == O_SERVER_BITS && pol_index == P_MIN));
            CHECK(memcmp(&got.deflate, &info.deflate, sizeof got.deflate) == 0);
            if (memcmp(&got.deflate, &info.deflate, sizeof got.deflate) != 0)
                fprintf(stderr, "  offer %d policy %d\n", o, pol_index);
        }
}

/* ---- what peers answer --------------------------------------------------------- */

/* Answers of node ws 8.23 and Python websockets 10.4 servers to wsx's
 * offers (captured live by tests/interop/test_pmd_peers.py). */
static void test_peer_answers(void)
{
    static const struct {
        const char *who;
        int offer;
        const char *answer;
        int s, c, snct, cnct;
    } v[] = {
        /* node ws, perMessageDeflate: true */
        {"node ws", O_DEF, PMD, 15, 15, 0, 0},
        {"node ws", O_CLIENT_BITS, PMD "; client_max_window_bits=11", 15, 11, 0, 0},
        {"node ws", O_ALL,
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=12; client_max_window_bits=10",
         12, 10, 1, 1},
        {"node ws", O_SERVER_BITS, PMD "; server_max_window_bits=9", 9, 15, 0, 0},
        /* node ws, serverMaxWindowBits 10, clientMaxWindowBits 9 */
        {"node ws", O_DEF, PMD "; client_max_window_bits=9; server_max_window_bits=10", 10, 9, 0,
         0},
        {"node ws", O_CLIENT_BITS, PMD "; client_max_window_bits=9; server_max_window_bits=10", 10,
         9, 0, 0},
        /* Python websockets, compression="deflate" */
        {"websockets", O_DEF, PMD "; server_max_window_bits=12; client_max_window_bits=12", 12, 12,
         0, 0},
        {"websockets", O_CLIENT_BITS, PMD "; server_max_window_bits=12; client_max_window_bits=11",
         12, 11, 0, 0},
        {"websockets", O_SERVER_BITS, PMD "; server_max_window_bits=9; client_max_window_bits=12",
         9, 12, 0, 0},
        {"websockets", O_ALL,
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=12; client_max_window_bits=10",
         12, 10, 1, 1},
        /* Python websockets, both no_context_takeover and a server window of 11 */
        {"websockets", O_DEF,
         PMD "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11",
         11, 15, 1, 1},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        char fields[256];
        wsx_hs_client hs;
        wsx_hs_response got;
        client_for(&hs, v[i].offer);
        snprintf(fields, sizeof fields, EXT "%s\r\n", v[i].answer);
        CHECK_EQ(check_response(&hs, fields, &got), WSX_OK);
        CHECK_EQ(got.permessage_deflate, 1);
        CHECK(terms_are(&got.deflate, v[i].s, v[i].c, v[i].snct, v[i].cnct));
    }
}

int main(void)
{
    RUN(test_client_table);
    RUN(test_client_arguments);
    RUN(test_both_ends);
    RUN(test_peer_answers);
    return harness_done();
}
