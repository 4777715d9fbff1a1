/* Shared by test_pmd_server.c and test_pmd_client.c: the permessage-deflate
 * policies and offers of their tables, and the handshake helpers that run
 * them. */
#ifndef WSX_TEST_PMD_TABLE_H
#define WSX_TEST_PMD_TABLE_H

#include <stdlib.h>

#include "harness.h"
#include "wsx_handshake.h"

#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define REQ                                                                          \
    "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
#define EXT "Sec-WebSocket-Extensions: "
#define PMD "permessage-deflate"

static const uint8_t pmd_nonce16[16] = {0x74, 0x68, 0x65, 0x20, 0x73, 0x61, 0x6d, 0x70,
                                        0x6c, 0x65, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65};

/* ---- server policies ------------------------------------------------------------ */

enum { P_OFF, P_ON, P_SMALL, P_REQ, P_MIN, P_NCT, P_COUNT };

static inline wsx_hs_deflate_policy policy(int which)
{
    wsx_hs_deflate_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.enable = which != P_OFF ? &wsx_hs_pmd_server : NULL;
    if (which == P_SMALL) {
        pol.server_max_window_bits = 12;
        pol.client_max_window_bits = 10;
    } else if (which == P_REQ) {
        pol.client_max_window_bits = 10;
        pol.client_window_required = 1;
    } else if (which == P_MIN) {
        pol.server_min_window_bits = 10;
    } else if (which == P_NCT) {
        pol.server_no_context_takeover = 1;
        pol.client_no_context_takeover = 1;
    }
    return pol;
}

/* One header line of Sec-WebSocket-Extensions */
#define F(v) EXT v "\r\n"

/* ---- helpers ---------------------------------------------------------------- */

/* The value of the first Sec-WebSocket-Extensions line of a head
 * (NUL-terminated copy), or NULL; "TWICE" when there are more and only one
 * is allowed. */
static inline const char *ext_line(const char *head, int only)
{
    static char value[256];
    const char *at = strstr(head, "\r\n" EXT), *end;
    size_t n;
    if (!at)
        return NULL;
    if (only && strstr(at + 2, "\r\n" EXT))
        return "TWICE";
    at += 2 + strlen(EXT);
    end = strstr(at, "\r\n");
    n = (size_t)(end - at) < sizeof value - 1 ? (size_t)(end - at) : sizeof value - 1;
    memcpy(value, at, n);
    value[n] = '\0';
    return value;
}

static inline const char *answer_line(const char *resp) { return ext_line(resp, 1); }

/* Parses raw (whole when split is 0, else raw[0..split) first then all of
 * it; split SIZE_MAX: byte by byte) and answers it under pol. */
static inline int answer(const wsx_hs_deflate_policy *pol, const char *raw, size_t split,
                         wsx_hs_request *info, char *out, size_t cap)
{
    wsx_hs_server_config cfg;
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_request q;
    size_t n = strlen(raw), have = split == 0 ? n : split == (size_t)-1 ? 1 : split, len = 0;
    int r;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate = *pol;
    wsx_http_parser_init(&p, NULL);
    for (;;) {
        unsigned char *g = guarded_copy(raw, have);
        r = wsx_http_parse_request(&p, (const char *)g, have, h, 16, &q);
        if (r > 0)
            r = wsx_hs_server_answer_request(&cfg, &q, info, out, cap - 1, &len);
        guarded_free(g, have);
        if (r != 0 || have == n)
            break;
        CHECK(have < n);
        have = split == (size_t)-1 ? have + 1 : n;
    }
    out[len] = '\0';
    return r;
}

static inline int terms_are(const wsx_ws_deflate_params *t, int s, int c, int snct, int cnct)
{
    return t->server_max_window_bits == s && t->client_max_window_bits == c &&
           t->server_no_context_takeover == snct && t->client_no_context_takeover == cnct;
}

/* ---- client ----------------------------------------------------------------- */

enum { O_OFF, O_DEF, O_ALL, O_SERVER_BITS, O_CLIENT_BITS, O_COUNT };

static inline wsx_hs_deflate_offer offer(int which)
{
    wsx_hs_deflate_offer o;
    memset(&o, 0, sizeof o);
    o.enable = which != O_OFF ? &wsx_hs_pmd_client : NULL;
    if (which == O_ALL) {
        o.client_max_window_bits = 10;
        o.server_max_window_bits = 12;
        o.server_no_context_takeover = 1;
        o.client_no_context_takeover = 1;
    } else if (which == O_SERVER_BITS) {
        o.server_max_window_bits = 9;
    } else if (which == O_CLIENT_BITS) {
        o.client_max_window_bits = 11;
    }
    return o;
}
/* Builds the client state for offer o (with an x-foo offer in the extra
 * headers too) and returns the request's Sec-WebSocket-Extensions value
 * for o (the first field), or NULL. */
static inline const char *client_for(wsx_hs_client *hs, int o)
{
    static char req[1024];
    static const wsx_header xfoo = {"Sec-WebSocket-Extensions", 24, "x-foo", 5};
    wsx_hs_client_config cfg;
    size_t len;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "h";
    cfg.deflate = offer(o);
    cfg.extra_headers = &xfoo;
    cfg.num_extra_headers = 1;
    CHECK_EQ(wsx_hs_client_request(hs, &cfg, pmd_nonce16, req, sizeof req - 1, &len), WSX_OK);
    req[len] = '\0';
    /* the library's field comes before the extra header */
    return o == O_OFF ? (strstr(req, EXT "x-foo\r\n\r\n") ? NULL : "?") : ext_line(req, 0);
}

static inline int check_response(const wsx_hs_client *hs, const char *fields, wsx_hs_response *got)
{
    char raw[1024];
    wsx_http_parser p;
    wsx_header h[16];
    wsx_http_response s;
    int r;
    snprintf(raw, sizeof raw,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n%s\r\n",
             fields);
    wsx_http_parser_init(&p, NULL);
    r = wsx_http_parse_response(&p, raw, strlen(raw), h, 16, &s);
    CHECK(r > 0);
    return r > 0 ? wsx_hs_client_check_response(hs, &s, got) : r;
}

#endif
