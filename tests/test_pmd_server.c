/* permessage-deflate negotiation (RFC 7692 section 7.1), the server side,
 * table-driven and byte for byte: request headers + policy -> the exact
 * Sec-WebSocket-Extensions line of the 101 (or none) and the terms, each
 * request parsed whole, in two pieces at every split and byte by byte;
 * header pairs from the caller's own HTTP server; bad policies and terms;
 * the offers browsers and libraries send. */
#include "pmd_table.h"

/* One row: the Sec-WebSocket-Extensions fields of the request (whole header
 * lines, or ""), the policy, the exact value of the answer's field (NULL:
 * no field) and the terms: server and client window, server and client
 * no_context_takeover. */
typedef struct server_row {
    const char *fields;
    int pol;
    const char *answer;
    int s, c, snct, cnct;
} server_row;

static const server_row server_rows[] = {
    /* nothing offered, or compression declined by policy */
    {"", P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits"), P_OFF, NULL, 15, 15, 0, 0},
    /* the plain offers */
    {F(PMD), P_ON, PMD, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits"), P_ON, PMD, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=10"), P_ON, PMD "; client_max_window_bits=10", 15, 10, 0, 0},
    {F(PMD "; client_max_window_bits=15"), P_ON, PMD, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=10"), P_ON, PMD "; server_max_window_bits=10", 10, 15, 0, 0},
    {F(PMD "; server_max_window_bits=15"), P_ON, PMD "; server_max_window_bits=15", 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=8"), P_ON, PMD "; server_max_window_bits=8", 8, 15, 0, 0},
    {F(PMD "; server_no_context_takeover"), P_ON, PMD "; server_no_context_takeover", 15, 15, 1, 0},
    {F(PMD "; client_no_context_takeover"), P_ON, PMD "; client_no_context_takeover", 15, 15, 0, 1},
    {F(PMD "; client_no_context_takeover; server_no_context_takeover; "
           "client_max_window_bits=9; server_max_window_bits=11"),
     P_ON,
     PMD "; server_no_context_takeover; client_no_context_takeover; "
         "server_max_window_bits=11; client_max_window_bits=9",
     11, 9, 1, 1},
    /* quoted values (RFC 7692 section 5.2), quoted-pairs inside */
    {F(PMD "; client_max_window_bits=\"10\""), P_ON, PMD "; client_max_window_bits=10", 15, 10, 0,
     0},
    {F(PMD "; server_max_window_bits=\"1\\2\""), P_ON, PMD "; server_max_window_bits=12", 12, 15, 0,
     0},
    {F(PMD "; server_max_window_bits=\"\""), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=\" 12\""), P_ON, NULL, 15, 15, 0, 0},
    /* values outside 8..15, leading zeros, not digits, missing: declined */
    {F(PMD "; server_max_window_bits=7"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=16"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=7"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=16"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=0"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=010"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=09"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=\"09\""), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=100"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=1a"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=+9"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits"), P_ON, NULL, 15, 15, 0, 0},
    /* a parameter twice, an unknown one, a value where none is allowed */
    {F(PMD "; server_no_context_takeover; server_no_context_takeover"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits; client_max_window_bits=10"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=10; Server_Max_Window_Bits=10"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; foo"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; x=1; client_max_window_bits"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; server_no_context_takeover=1"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_no_context_takeover=\"\""), P_ON, NULL, 15, 15, 0, 0},
    /* the first acceptable offer wins */
    {F(PMD "; server_max_window_bits=16, " PMD "; client_max_window_bits"), P_ON, PMD, 15, 15, 0,
     0},
    {F(PMD "; foo, " PMD "; server_max_window_bits=10, " PMD), P_ON,
     PMD "; server_max_window_bits=10", 10, 15, 0, 0},
    {F(PMD "; server_max_window_bits=9, " PMD "; server_max_window_bits=11"), P_ON,
     PMD "; server_max_window_bits=9", 9, 15, 0, 0},
    {F("x-webkit-deflate-frame, " PMD), P_ON, PMD, 15, 15, 0, 0},
    /* names compare case-insensitively */
    {F("PerMessage-Deflate; Client_Max_Window_Bits=9"), P_ON, PMD "; client_max_window_bits=9", 15,
     9, 0, 0},
    {F("PERMESSAGE-DEFLATE; SERVER_NO_CONTEXT_TAKEOVER"), P_ON, PMD "; server_no_context_takeover",
     15, 15, 1, 0},
    {F("permessage_deflate"), P_ON, NULL, 15, 15, 0, 0},
    /* whitespace around ';' and '=', empty list elements */
    {F(PMD " ;client_max_window_bits = 10"), P_ON, PMD "; client_max_window_bits=10", 15, 10, 0, 0},
    {F(PMD "\t;\tserver_max_window_bits\t=\t\"9\"\t;\tclient_max_window_bits"), P_ON,
     PMD "; server_max_window_bits=9", 9, 15, 0, 0},
    {F(", ," PMD ",,"), P_ON, PMD, 15, 15, 0, 0},
    /* several fields: one list */
    {F("x-foo") F(PMD "; server_max_window_bits=11"), P_ON, PMD "; server_max_window_bits=11", 11,
     15, 0, 0},
    {F(PMD "; server_max_window_bits=5") F(PMD "; client_max_window_bits=12"), P_ON,
     PMD "; client_max_window_bits=12", 15, 12, 0, 0},
    {F(PMD "; client_max_window_bits=12") "X-Other: 1\r\n" F(PMD), P_ON,
     PMD "; client_max_window_bits=12", 15, 12, 0, 0},
    /* a list that breaks the grammar anywhere: no offer taken */
    {F(PMD "; client_max_window_bits, x-foo; =1"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD) F("x-foo;"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD ";"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; ; client_max_window_bits"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD " client_max_window_bits"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits="), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; client_max_window_bits=10 11"), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; a=\"unterminated, " PMD), P_ON, NULL, 15, 15, 0, 0},
    {F(PMD "; a=\"x\"y"), P_ON, NULL, 15, 15, 0, 0},
    {F("; " PMD), P_ON, NULL, 15, 15, 0, 0},
    /* a comma inside a quoted string does not split the list */
    {F("x-foo; a=\"1, " PMD "\""), P_ON, NULL, 15, 15, 0, 0},
    {F("x-foo; a=\"1, \\\"" PMD "\", " PMD), P_ON, PMD, 15, 15, 0, 0},
    /* a server with smaller windows: it asks for client_max_window_bits
     * only when the offer has it */
    {F(PMD), P_SMALL, PMD "; server_max_window_bits=12", 12, 15, 0, 0},
    {F(PMD "; client_max_window_bits"), P_SMALL,
     PMD "; server_max_window_bits=12; client_max_window_bits=10", 12, 10, 0, 0},
    {F(PMD "; client_max_window_bits=9"), P_SMALL,
     PMD "; server_max_window_bits=12; client_max_window_bits=9", 12, 9, 0, 0},
    {F(PMD "; client_max_window_bits=14"), P_SMALL,
     PMD "; server_max_window_bits=12; client_max_window_bits=10", 12, 10, 0, 0},
    {F(PMD "; server_max_window_bits=14"), P_SMALL, PMD "; server_max_window_bits=12", 12, 15, 0,
     0},
    {F(PMD "; server_max_window_bits=9"), P_SMALL, PMD "; server_max_window_bits=9", 9, 15, 0, 0},
    /* ... and declines a client it cannot bound when told to */
    {F(PMD), P_REQ, NULL, 15, 15, 0, 0},
    {F(PMD ", " PMD "; client_max_window_bits"), P_REQ, PMD "; client_max_window_bits=10", 15, 10,
     0, 0},
    {F(PMD "; client_max_window_bits=8"), P_REQ, PMD "; client_max_window_bits=8", 15, 8, 0, 0},
    /* a server that refuses windows below 10 */
    {F(PMD "; server_max_window_bits=9"), P_MIN, NULL, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=9, " PMD), P_MIN, PMD, 15, 15, 0, 0},
    {F(PMD "; server_max_window_bits=10"), P_MIN, PMD "; server_max_window_bits=10", 10, 15, 0, 0},
    /* a server that keeps no context either way */
    {F(PMD "; client_max_window_bits"), P_NCT,
     PMD "; server_no_context_takeover; client_no_context_takeover", 15, 15, 1, 1},
    /* what peers send (see also test_peer_vectors) */
    {F(PMD "; client_max_window_bits"), P_SMALL,
     PMD "; server_max_window_bits=12; client_max_window_bits=10", 12, 10, 0, 0},
    {F(PMD "; server_max_window_bits=12; client_max_window_bits=12"), P_ON,
     PMD "; server_max_window_bits=12; client_max_window_bits=12", 12, 12, 0, 0},
};

static void check_server_row(const server_row *row, size_t split)
{
    char raw[1024], out[1024];
    wsx_hs_deflate_policy pol = policy(row->pol);
    wsx_hs_request info;
    const char *got;
    snprintf(raw, sizeof raw, "%s%s\r\n", REQ, row->fields);
    CHECK_EQ(answer(&pol, raw, split, &info, out, sizeof out), WSX_OK);
    got = answer_line(out);
    if (row->answer ? !got || strcmp(got, row->answer) != 0 : got != NULL)
        fprintf(stderr, "  row %s (policy %d, split %zu): answer %s, want %s\n", row->fields,
                row->pol, split, got ? got : "(none)", row->answer ? row->answer : "(none)");
    CHECK(row->answer ? got && strcmp(got, row->answer) == 0 : got == NULL);
    CHECK_EQ(info.permessage_deflate, row->answer != NULL);
    CHECK(terms_are(&info.deflate, row->s, row->c, row->snct, row->cnct));
    CHECK(strncmp(out, "HTTP/1.1 101 Switching Protocols\r\n", 34) == 0);
}

static void test_server_table(void)
{
    size_t i, split, n;
    for (i = 0; i < sizeof server_rows / sizeof server_rows[0]; i++) {
        const server_row *row = &server_rows[i];
        check_server_row(row, 0);
        check_server_row(row, (size_t)-1);
        n = strlen(REQ) + strlen(row->fields) + 2;
        for (split = 1; split < n; split++)
            check_server_row(row, split);
    }
}

/* The whole 101 for a browser's offer, byte for byte. */
static void test_server_whole_answer(void)
{
    wsx_hs_deflate_policy pol = policy(P_SMALL);
    wsx_hs_request info;
    char out[1024], value[128];
    size_t len = 99;
    CHECK_EQ(answer(&pol, REQ F(PMD "; client_max_window_bits") "\r\n", 0, &info, out, sizeof out),
             WSX_OK);
    CHECK(strcmp(out, "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; "
                      "client_max_window_bits=10\r\n"
                      "\r\n") == 0);
    CHECK_EQ(info.deflate_offer, WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS);
    CHECK_EQ(info.extensions_offered, WSX_HS_EXT_PERMESSAGE_DEFLATE);
    /* the answer's value alone, with a size query first */
    CHECK_EQ(wsx_hs_deflate_answer(&info, NULL, 0, &len), WSX_OK);
    CHECK_EQ(len, 72);
    CHECK_EQ(wsx_hs_deflate_answer(&info, value, 71, &len), WSX_E_BUFFER);
    CHECK_EQ(len, 72);
    CHECK_EQ(wsx_hs_deflate_answer(&info, value, sizeof value, &len), WSX_OK);
    CHECK(len == 72 &&
          memcmp(value, PMD "; server_max_window_bits=12; client_max_window_bits=10", 72) == 0);
}

/* Header pairs from the caller's own HTTP server may hold bytes wsx's parser
 * refuses: a control character inside a quoted value breaks the list, and
 * a NUL ends nothing. */
static void test_server_header_pairs(void)
{
    static const struct {
        const char *value;
        size_t len;
        int agreed;
    } v[] = {
#define V(s, agreed) {s, sizeof s - 1, agreed}
        V(PMD "; a=\"\x7f\"", 0),
        V(PMD "; a=\"\x01\"", 0),
        V(PMD "; a=\"\\\x01\"", 0),
        V(PMD "\0", 0),
        V("x-foo; a=\"\x80\xff\", " PMD, 1),
        V(PMD "; client_max_window_bits=\"1\\", 0),
        V(PMD "; client_max_window_bits=\"1\\\"", 0),
#undef V
    };
    wsx_header h[5] = {{"Host", 4, "h", 1},
                       {"Upgrade", 7, "websocket", 9},
                       {"Connection", 10, "Upgrade", 7},
                       {"Sec-WebSocket-Key", 17, "dGhlIHNhbXBsZSBub25jZQ==", 24},
                       {"Sec-WebSocket-Extensions", 24, NULL, 0}};
    wsx_hs_server_config cfg;
    wsx_hs_request info;
    size_t i;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = policy(P_ON);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        wsx_header all[6];
        memcpy(all, h, sizeof h);
        all[4].value = v[i].value;
        all[4].value_len = v[i].len;
        all[5].name = "Sec-WebSocket-Version";
        all[5].name_len = 21;
        all[5].value = "13";
        all[5].value_len = 2;
        CHECK_EQ(wsx_hs_server_check(&cfg, "GET", 3, 1, 1, all, 6, &info), WSX_OK);
        CHECK_EQ(info.permessage_deflate, v[i].agreed);
    }
}

/* Terms that may not be answered, and policies that are not valid. */
static void test_server_arguments(void)
{
    static const uint8_t bad_bits[] = {1, 7, 16, 255};
    wsx_hs_deflate_policy pol;
    wsx_hs_request info;
    char out[1024];
    size_t len = 5, i;
    for (i = 0; i < sizeof bad_bits; i++) {
        pol = policy(P_ON);
        pol.server_max_window_bits = bad_bits[i];
        CHECK_EQ(answer(&pol, REQ "\r\n", 0, &info, out, sizeof out), WSX_E_ARG);
        pol = policy(P_ON);
        pol.server_min_window_bits = bad_bits[i];
        CHECK_EQ(answer(&pol, REQ "\r\n", 0, &info, out, sizeof out), WSX_E_ARG);
        pol = policy(P_ON);
        pol.client_max_window_bits = bad_bits[i];
        CHECK_EQ(answer(&pol, REQ "\r\n", 0, &info, out, sizeof out), WSX_E_ARG);
    }
    pol = policy(P_ON);
    pol.server_max_window_bits = 10;
    pol.server_min_window_bits = 11;
    CHECK_EQ(answer(&pol, REQ "\r\n", 0, &info, out, sizeof out), WSX_E_ARG);
    pol.server_min_window_bits = 10;
    CHECK_EQ(answer(&pol, REQ "\r\n", 0, &info, out, sizeof out), WSX_OK);
    /* disabled, the rest of the policy is not looked at */
    pol.enable = NULL;
    pol.server_min_window_bits = 99;
    CHECK_EQ(answer(&pol, REQ F(PMD) "\r\n", 0, &info, out, sizeof out), WSX_OK);
    CHECK_EQ(info.permessage_deflate, 0);

    /* hand-made terms */
    pol = policy(P_ON);
    CHECK_EQ(answer(&pol, REQ F(PMD "; client_max_window_bits") "\r\n", 0, &info, out, sizeof out),
             WSX_OK);
    info.key = "dGhlIHNhbXBsZSBub25jZQ=="; /* (the request buffer is gone) */
    CHECK_EQ(wsx_hs_deflate_answer(NULL, out, sizeof out, &len), WSX_E_ARG);
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, NULL), WSX_E_ARG);
    info.deflate.client_max_window_bits = 9; /* offered: may be asked for */
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_OK);
    /* the 101 needs the server's deflate code: cfg->deflate.enable */
    CHECK_EQ(wsx_hs_server_accept(NULL, &info, out, sizeof out, &len), WSX_E_ARG);
    {
        wsx_hs_server_config cfg;
        memset(&cfg, 0, sizeof cfg);
        CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &len), WSX_E_ARG);
        cfg.deflate.enable = &wsx_hs_pmd_server;
        CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out - 1, &len), WSX_OK);
        out[len] = '\0';
        CHECK(strcmp(answer_line(out), PMD "; client_max_window_bits=9") == 0);
        info.deflate_offer = 0; /* client_max_window_bits not offered: may not be asked for */
        CHECK_EQ(wsx_hs_server_accept(&cfg, &info, out, sizeof out, &len), WSX_E_ARG);
        info.deflate_offer = WSX_HS_PMD_CLIENT_MAX_WINDOW_BITS;
    }
    info.deflate_offer = 0; /* not offered: may not */
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_E_ARG);
    CHECK_EQ(len, 0);
    CHECK_EQ(wsx_hs_server_accept(NULL, &info, out, sizeof out, &len), WSX_E_ARG);
    info.deflate.client_max_window_bits = 16;
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_E_ARG);
    info.deflate.client_max_window_bits = 15;
    info.deflate.server_max_window_bits = 7;
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_E_ARG);
    info.deflate.server_max_window_bits = 15;
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_OK);
    info.permessage_deflate = 0;
    CHECK_EQ(wsx_hs_deflate_answer(&info, out, sizeof out, &len), WSX_E_ARG);
    /* not agreed: the 101 has no field, whatever deflate holds */
    info.deflate.server_max_window_bits = 3;
    CHECK_EQ(wsx_hs_server_accept(NULL, &info, out, sizeof out, &len), WSX_OK);
    out[len] = '\0';
    CHECK(answer_line(out) == NULL);
}

/* ---- what peers send --------------------------------------------------------- */

/* Offers browsers and libraries send (node ws 8.23 and Python websockets
 * 10.4 captured live by tests/interop/test_pmd_peers.py), and the server's
 * answer under the default policy (P_ON) and a small one (P_SMALL). */
static void test_peer_vectors(void)
{
    static const struct {
        const char *who, *offer, *on, *small;
    } v[] = {
        {"Chromium", PMD "; client_max_window_bits", PMD,
         PMD "; server_max_window_bits=12; client_max_window_bits=10"},
        {"Firefox", PMD, PMD, PMD "; server_max_window_bits=12"},
        {"node ws, default", PMD "; client_max_window_bits", PMD,
         PMD "; server_max_window_bits=12; client_max_window_bits=10"},
        {"node ws, every option",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=11",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=11",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=10"},
        {"node ws, client window 9", PMD "; client_max_window_bits=9",
         PMD "; client_max_window_bits=9",
         PMD "; server_max_window_bits=12; client_max_window_bits=9"},
        {"websockets, default", PMD "; client_max_window_bits", PMD,
         PMD "; server_max_window_bits=12; client_max_window_bits=10"},
        {"websockets, every option",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=12",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=12",
         PMD "; server_no_context_takeover; client_no_context_takeover; "
             "server_max_window_bits=10; client_max_window_bits=10"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        char raw[512], out[1024];
        wsx_hs_deflate_policy on = policy(P_ON), small = policy(P_SMALL);
        wsx_hs_request info;
        const char *got;
        snprintf(raw, sizeof raw, "%s" EXT "%s\r\n\r\n", REQ, v[i].offer);
        CHECK_EQ(answer(&on, raw, 0, &info, out, sizeof out), WSX_OK);
        got = answer_line(out);
        CHECK(got && strcmp(got, v[i].on) == 0);
        CHECK_EQ(answer(&small, raw, 0, &info, out, sizeof out), WSX_OK);
        got = answer_line(out);
        CHECK(got && strcmp(got, v[i].small) == 0);
        if (!got || strcmp(got, v[i].small) != 0)
            fprintf(stderr, "  %s: %s\n", v[i].who, got ? got : "(none)");
    }
}

int main(void)
{
    RUN(test_server_table);
    RUN(test_server_whole_answer);
    RUN(test_server_header_pairs);
    RUN(test_server_arguments);
    RUN(test_peer_vectors);
    return harness_done();
}
