/*
 * WebSocket encoder side: Sec-WebSocket-Accept, close-code validity, and
 * the frame encoder (header writer, one-call encoder, close payloads,
 * fragmentation helpers) against the RFC 6455 section 5.7 vectors.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* ---- Sec-WebSocket-Accept ------------------------------------------- */

static void test_accept_vectors(void)
{
    char out[WSX_WS_ACCEPT_LEN + 1];
    out[WSX_WS_ACCEPT_LEN] = '#';
    /* RFC 6455 section 1.3 */
    CHECK_EQ(wsx_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, out), WSX_OK);
    CHECK_MEM(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WSX_WS_ACCEPT_LEN);
    CHECK(out[WSX_WS_ACCEPT_LEN] == '#');
    /* the example exchange of Wikipedia's "WebSocket" article (checked
     * with Python hashlib + base64) */
    CHECK_EQ(wsx_ws_accept("x3JJHMbDL1EzLkh9GBhXDw==", 24, out), WSX_OK);
    CHECK_MEM(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=", WSX_WS_ACCEPT_LEN);
}

static void test_accept_args(void)
{
    char key[65], out[WSX_WS_ACCEPT_LEN];
    memset(key, 'A', sizeof key);
    CHECK_EQ(wsx_ws_accept(key, 64, out), WSX_OK);
    CHECK_EQ(wsx_ws_accept(key, 65, out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_accept(NULL, 24, out), WSX_E_ARG);
    CHECK_EQ(wsx_ws_accept(key, 24, NULL), WSX_E_ARG);
}

/* ---- close codes ---------------------------------------------------- */

static void test_close_code_valid(void)
{
    unsigned c;
    for (c = 0; c < 70000; c++) {
        int want = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
        CHECK_EQ(wsx_ws_close_code_valid(c), want);
    }
    CHECK(!wsx_ws_close_code_valid(1004));
    CHECK(!wsx_ws_close_code_valid(1005));
    CHECK(!wsx_ws_close_code_valid(1006));
    CHECK(!wsx_ws_close_code_valid(1015));
    CHECK(wsx_ws_close_code_valid(1012)); /* IANA: service restart */
    CHECK(wsx_ws_close_code_valid(1014)); /* IANA: bad gateway */
    CHECK(!wsx_ws_close_code_valid(2999));
    CHECK(wsx_ws_close_code_valid(3000));
    CHECK(wsx_ws_close_code_valid(4999));
    CHECK(!wsx_ws_close_code_valid(5000));
    CHECK(!wsx_ws_close_code_valid(65535));
    CHECK(!wsx_ws_close_code_valid(0x10000 + 1000)); /* no truncation to 16 bits */
}

/* ---- frame encoder -------------------------------------------------- */

static const uint8_t rfc_key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* A plain reading of a header (section 5.2), to check what was written. */
typedef struct parsed {
    unsigned b0, opcode, masked;
    uint64_t len;
    uint8_t key[4];
    size_t hlen;
} parsed;

static parsed parse_header(const uint8_t *h)
{
    parsed p;
    unsigned n7 = h[1] & 0x7F, i;
    memset(&p, 0, sizeof p);
    p.b0 = h[0];
    p.opcode = h[0] & 0x0F;
    p.masked = h[1] >> 7;
    p.hlen = 2;
    if (n7 < 126) {
        p.len = n7;
    } else if (n7 == 126) {
        p.len = (uint64_t)h[2] << 8 | h[3];
        p.hlen = 4;
    } else {
        for (i = 0; i < 8; i++)
            p.len = p.len << 8 | h[2 + i];
        p.hlen = 10;
    }
    if (p.masked) {
        memcpy(p.key, h + p.hlen, 4);
        p.hlen += 4;
    }
    return p;
}

static void test_rfc_vectors(void)
{
    static const uint8_t unmasked[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                     0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const uint8_t pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                   0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t hel[] = {0x01, 0x03, 0x48, 0x65, 0x6c};
    static const uint8_t lo[] = {0x80, 0x02, 0x6c, 0x6f};
    const char *hello = "Hello";
    uint8_t out[64];
    size_t n = 0;

    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, hello, 5, NULL, out, sizeof out, &n),
             WSX_OK);
    CHECK_EQ(n, sizeof unmasked);
    CHECK_MEM(out, unmasked, sizeof unmasked);
    CHECK_EQ(
        wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, hello, 5, rfc_key, out, sizeof out, &n),
        WSX_OK);
    CHECK_EQ(n, sizeof masked);
    CHECK_MEM(out, masked, sizeof masked);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_PING, WSX_WS_FIN, hello, 5, NULL, out, sizeof out, &n),
             WSX_OK);
    CHECK_EQ(n, sizeof ping);
    CHECK_MEM(out, ping, sizeof ping);
    CHECK_EQ(
        wsx_ws_encode_frame(WSX_WS_OP_PONG, WSX_WS_FIN, hello, 5, rfc_key, out, sizeof out, &n),
        WSX_OK);
    CHECK_EQ(n, sizeof pong);
    CHECK_MEM(out, pong, sizeof pong);
    /* fragmented "Hel" + "lo" */
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, 0, hello, 3, NULL, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, sizeof hel);
    CHECK_MEM(out, hel, sizeof hel);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CONTINUATION, WSX_WS_FIN, hello + 3, 2, NULL, out,
                                 sizeof out, &n),
             WSX_OK);
    CHECK_EQ(n, sizeof lo);
    CHECK_MEM(out, lo, sizeof lo);
}

static void test_rfc_big_binary_headers(void)
{
    static const uint8_t h256[] = {0x82, 0x7E, 0x01, 0x00};
    static const uint8_t h64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    uint8_t *payload = (uint8_t *)malloc(65536), *out = (uint8_t *)malloc(65536 + 14);
    uint8_t hdr[WSX_WS_MAX_HEADER];
    size_t n = 0, i;
    for (i = 0; i < 65536; i++)
        payload[i] = (uint8_t)i;
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, 256, NULL, hdr, sizeof hdr, &n),
             WSX_OK);
    CHECK_EQ(n, 4);
    CHECK_MEM(hdr, h256, 4);
    CHECK_EQ(
        wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, payload, 256, NULL, out, 65536 + 14, &n),
        WSX_OK);
    CHECK_EQ(n, 260);
    CHECK_MEM(out, h256, 4);
    CHECK_MEM(out + 4, payload, 256);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, payload, 65536, NULL, out,
                                 65536 + 14, &n),
             WSX_OK);
    CHECK_EQ(n, 65546);
    CHECK_MEM(out, h64k, 10);
    CHECK_MEM(out + 10, payload, 65536);
    /* masked: same header with the MASK bit and key, payload XORed */
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, payload, 65536, rfc_key, out,
                                 65536 + 14, &n),
             WSX_OK);
    CHECK_EQ(n, 65550);
    CHECK_EQ(out[1], 0xFF);
    CHECK_MEM(out + 10, rfc_key, 4);
    for (i = 0; i < 65536; i++)
        if (out[14 + i] != (uint8_t)(payload[i] ^ rfc_key[i % 4]))
            break;
    CHECK_EQ(i, 65536);
    free(payload);
    free(out);
}

static void test_length_classes(void)
{
    static const struct {
        uint64_t len;
        size_t hlen;
        uint8_t bytes[10];
    } cases[] = {
        {0, 2, {0x82, 0}},
        {1, 2, {0x82, 1}},
        {125, 2, {0x82, 125}},
        {126, 4, {0x82, 126, 0, 126}},
        {127, 4, {0x82, 126, 0, 127}},
        {65535, 4, {0x82, 126, 0xFF, 0xFF}},
        {65536, 10, {0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
        {((uint64_t)1 << 32) + 1, 10, {0x82, 127, 0, 0, 0, 1, 0, 0, 0, 1}},
        {((uint64_t)1 << 63) - 1, 10, {0x82, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t h[WSX_WS_MAX_HEADER + 2];
        size_t n = 0;
        parsed p;
        memset(h, 0xEE, sizeof h);
        CHECK_EQ(wsx_ws_header_size(cases[i].len, 0), cases[i].hlen);
        CHECK_EQ(wsx_ws_header_size(cases[i].len, 1), cases[i].hlen + 4);
        CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, cases[i].len, NULL, h,
                                     cases[i].hlen, &n),
                 WSX_OK);
        CHECK_EQ(n, cases[i].hlen);
        CHECK_MEM(h, cases[i].bytes, n);
        CHECK_EQ(h[n], 0xEE);
        /* masked: MASK bit, same length bytes, then the key */
        CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, cases[i].len, rfc_key, h,
                                     sizeof h, &n),
                 WSX_OK);
        CHECK_EQ(n, cases[i].hlen + 4);
        p = parse_header(h);
        CHECK_EQ(p.masked, 1);
        CHECK_EQ(p.len == cases[i].len, 1);
        CHECK_EQ(p.hlen, n);
        CHECK_MEM(p.key, rfc_key, 4);
        /* one byte short: WSX_E_BUFFER, nothing written */
        memset(h, 0xEE, sizeof h);
        CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, cases[i].len, NULL, h,
                                     cases[i].hlen - 1, &n),
                 WSX_E_BUFFER);
        CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, cases[i].len, rfc_key, h,
                                     cases[i].hlen + 3, &n),
                 WSX_E_BUFFER);
        CHECK_EQ(h[0], 0xEE);
    }
}

static void test_header_errors(void)
{
    uint8_t h[WSX_WS_MAX_HEADER];
    size_t n = 0;
    unsigned op;
    for (op = 0; op < 40; op++) {
        int r = wsx_ws_write_header(op, WSX_WS_FIN, 0, NULL, h, sizeof h, &n);
        int known = op <= 2 || (op >= 8 && op <= 10);
        CHECK_EQ(r, known ? WSX_OK : WSX_E_WS_OPCODE);
    }
    for (op = 8; op <= 10; op++) {
        CHECK_EQ(wsx_ws_write_header(op, WSX_WS_FIN, 125, NULL, h, sizeof h, &n), WSX_OK);
        CHECK_EQ(wsx_ws_write_header(op, WSX_WS_FIN, 126, NULL, h, sizeof h, &n),
                 WSX_E_WS_CONTROL_TOO_LONG);
        CHECK_EQ(wsx_ws_write_header(op, WSX_WS_FIN, 65536, NULL, h, sizeof h, &n),
                 WSX_E_WS_CONTROL_TOO_LONG);
        CHECK_EQ(wsx_ws_write_header(op, 0, 5, NULL, h, sizeof h, &n), WSX_E_WS_CONTROL_FRAGMENTED);
        CHECK_EQ(wsx_ws_write_header(op, WSX_WS_RSV1, 5, NULL, h, sizeof h, &n),
                 WSX_E_WS_CONTROL_FRAGMENTED);
    }
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_CLOSE, WSX_WS_FIN, 1, NULL, h, sizeof h, &n),
             WSX_E_WS_CLOSE_LENGTH);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_CLOSE, WSX_WS_FIN, 0, NULL, h, sizeof h, &n), WSX_OK);
    CHECK_EQ(
        wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, (uint64_t)1 << 63, NULL, h, sizeof h, &n),
        WSX_E_WS_LENGTH_MSB);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, UINT64_MAX, NULL, h, sizeof h, &n),
             WSX_E_WS_LENGTH_MSB);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, 0x08, 0, NULL, h, sizeof h, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, 0x100, 0, NULL, h, sizeof h, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, 0, NULL, NULL, 14, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, 0, NULL, h, sizeof h, NULL),
             WSX_E_ARG);
    /* RSV bits, for a negotiated extension, land in byte 0 */
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_TEXT, WSX_WS_FIN | WSX_WS_RSV1 | WSX_WS_RSV3, 3, NULL, h,
                                 sizeof h, &n),
             WSX_OK);
    CHECK_EQ(h[0], 0xD1);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_CONTINUATION, WSX_WS_RSV2, 3, NULL, h, sizeof h, &n),
             WSX_OK);
    CHECK_EQ(h[0], 0x20);
}

static void test_encode_frame_errors_and_overlap(void)
{
    uint8_t out[300], buf[300];
    uint8_t big[200];
    size_t n = 0, i;
    memset(big, 'x', sizeof big);
    memset(out, 0xEE, sizeof out);
    /* does not fit: 2 + 5 needed */
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "Hello", 5, NULL, out, 6, &n),
             WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "Hello", 5, rfc_key, out, 10, &n),
             WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, 0, NULL, out, 1, &n),
             WSX_E_BUFFER);
    CHECK_EQ(out[0], 0xEE);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "Hello", 5, NULL, out, 7, &n), WSX_OK);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, 0, NULL, out, 2, &n), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_PING, WSX_WS_FIN, big, 126, NULL, out, sizeof out, &n),
             WSX_E_WS_CONTROL_TOO_LONG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_PONG, 0, big, 3, NULL, out, sizeof out, &n),
             WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(wsx_ws_encode_frame(0x3, WSX_WS_FIN, big, 3, NULL, out, sizeof out, &n),
             WSX_E_WS_OPCODE);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, 3, NULL, out, sizeof out, &n),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, big, 3, NULL, out, sizeof out, NULL),
             WSX_E_ARG);
    /* close payload checked: code, reason UTF-8, length 1 */
    CHECK_EQ(
        wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, "\x03\xed", 2, NULL, out, sizeof out, &n),
        WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, "\x03\xe8\xff", 3, NULL, out,
                                 sizeof out, &n),
             WSX_E_WS_CLOSE_REASON_UTF8);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, "\x03", 1, NULL, out, sizeof out, &n),
             WSX_E_WS_CLOSE_LENGTH);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, "\x03\xe8ok", 4, NULL, out,
                                 sizeof out, &n),
             WSX_OK);
    CHECK_MEM(out, "\x88\x04\x03\xe8ok", 6);

    /* payload already inside out (overlapping): moved, not corrupted */
    for (i = 0; i < 200; i++)
        buf[i] = (uint8_t)i;
    CHECK_EQ(
        wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, buf, 200, rfc_key, buf, sizeof buf, &n),
        WSX_OK);
    CHECK_EQ(n, 208);
    for (i = 0; i < 200; i++)
        if (buf[8 + i] != (uint8_t)(i ^ rfc_key[i % 4]))
            break;
    CHECK_EQ(i, 200);
}

/* An unmasked frame whose payload lies anywhere near out (before, inside
 * the header's room, inside the payload's room, after, apart), every
 * length around the short-copy limit and the 16-bit length: the frame is
 * as if the payload had been copied first, and nothing outside it moves. */
static void test_encode_plain_overlap(void)
{
    enum { ROOM = 400, AT = 100 };
    static uint8_t area[ROOM + 2 * AT], want[ROOM];
    static const size_t lens[] = {0,  1,  2,  3,  4,  5,  7,   8,   9,  15,
                                  16, 17, 31, 32, 33, 64, 125, 126, 200};
    size_t t;
    int ok = 1;
    for (t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        size_t len = lens[t], hlen = len <= 125 ? 2 : 4, i;
        long shift;
        for (shift = -40; shift <= 40; shift++) {
            uint8_t *out = area + AT, *payload = area + AT + shift;
            size_t n = 0;
            for (i = 0; i < sizeof area; i++)
                area[i] = (uint8_t)(i * 7 + 1);
            want[0] = 0x82;
            want[1] = (uint8_t)(hlen == 2 ? len : 126);
            want[2] = 0;
            want[3] = (uint8_t)len;
            memcpy(want + hlen, payload, len);
            ok &= wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, payload, len, NULL, out, ROOM,
                                      &n) == WSX_OK;
            ok &= n == hlen + len && memcmp(out, want, n) == 0;
            for (i = 0; i < AT; i++)
                ok &= area[i] == (uint8_t)(i * 7 + 1);
            for (i = AT + n; i < sizeof area; i++)
                ok &= area[i] == (uint8_t)(i * 7 + 1);
        }
    }
    CHECK(ok);
}

static void test_frame_in_place(void)
{
    uint8_t buf[WSX_WS_MAX_HEADER + 300], want[320];
    size_t off = 99, n = 0, len;
    const uint8_t *keys[2] = {NULL, rfc_key};
    int k;
    for (k = 0; k < 2; k++)
        for (len = 0; len <= 300; len += 25) {
            size_t i;
            for (i = 0; i < len; i++)
                buf[WSX_WS_MAX_HEADER + i] = (uint8_t)(i * 3);
            CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, buf + WSX_WS_MAX_HEADER, len,
                                         keys[k], want, sizeof want, &n),
                     WSX_OK);
            CHECK_EQ(wsx_ws_frame_in_place(buf, WSX_WS_MAX_HEADER, len, WSX_WS_OP_BINARY,
                                           WSX_WS_FIN, keys[k], &off),
                     WSX_OK);
            CHECK_EQ(WSX_WS_MAX_HEADER + len - off, n);
            CHECK_MEM(buf + off, want, n);
        }
    /* too little headroom */
    CHECK_EQ(wsx_ws_frame_in_place(buf, 3, 126, WSX_WS_OP_BINARY, WSX_WS_FIN, NULL, &off),
             WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_frame_in_place(buf, 4, 126, WSX_WS_OP_BINARY, WSX_WS_FIN, NULL, &off), WSX_OK);
    CHECK_EQ(off, 0);
    CHECK_EQ(wsx_ws_frame_in_place(buf, 5, 5, WSX_WS_OP_BINARY, WSX_WS_FIN, rfc_key, &off),
             WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_frame_in_place(buf, 14, 5, WSX_WS_OP_PING, 0, NULL, &off),
             WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(wsx_ws_frame_in_place(NULL, 14, 5, WSX_WS_OP_PING, WSX_WS_FIN, NULL, &off), WSX_E_ARG);
}

static void test_close_payload(void)
{
    uint8_t out[130];
    char reason[130];
    size_t n = 99;
    memset(reason, 'r', sizeof reason);
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 5);
    CHECK_MEM(out,
              "\x03\xe8"
              "bye",
              5);
    CHECK_EQ(wsx_ws_close_payload(4999, NULL, 0, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_MEM(out, "\x13\x87", 2);
    CHECK_EQ(wsx_ws_close_payload(0, NULL, 0, NULL, 0, &n), WSX_OK); /* no code */
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_ws_close_payload(0, "x", 1, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_close_payload(1005, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(1006, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(1015, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(999, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(5000, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(1000 + 65536, NULL, 0, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(wsx_ws_close_payload(1000, reason, 123, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 125);
    CHECK_EQ(wsx_ws_close_payload(1000, reason, 124, out, sizeof out, &n),
             WSX_E_WS_REASON_TOO_LONG);
    CHECK_EQ(wsx_ws_close_payload(1001, "\xc3\xa9t\xc3\xa9", 5, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(wsx_ws_close_payload(1001, "\xc3", 1, out, sizeof out, &n),
             WSX_E_WS_CLOSE_REASON_UTF8);
    CHECK_EQ(wsx_ws_close_payload(1001, "a\xed\xa0\x80", 4, out, sizeof out, &n),
             WSX_E_WS_CLOSE_REASON_UTF8);
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, out, 4, &n), WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, out, 5, &n), WSX_OK);
    CHECK_EQ(wsx_ws_close_payload(1000, NULL, 3, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, out, sizeof out, NULL), WSX_E_ARG);
}

static void test_encode_close(void)
{
    uint8_t out[WSX_WS_MAX_HEADER + WSX_WS_MAX_CONTROL];
    char reason[123];
    size_t n = 0;
    parsed p;
    CHECK_EQ(wsx_ws_encode_close(1000, NULL, 0, NULL, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 4);
    CHECK_MEM(out, "\x88\x02\x03\xe8", 4);
    CHECK_EQ(wsx_ws_encode_close(0, NULL, 0, NULL, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_MEM(out, "\x88\x00", 2);
    CHECK_EQ(wsx_ws_encode_close(1001, "bye", 3, rfc_key, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 11);
    p = parse_header(out);
    CHECK_EQ(p.b0, 0x88);
    CHECK_EQ(p.len, 5);
    CHECK_EQ(p.masked, 1);
    wsx_mask(out + 6, 5, rfc_key, 0);
    CHECK_MEM(out + 6,
              "\x03\xe9"
              "bye",
              5);
    memset(reason, 'z', sizeof reason);
    CHECK_EQ(wsx_ws_encode_close(3000, reason, 123, rfc_key, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 2 + 4 + 125);
    CHECK_EQ(wsx_ws_encode_close(3000, reason, 123, rfc_key, out, 2 + 4 + 124, &n), WSX_E_BUFFER);
    CHECK_EQ(wsx_ws_encode_close(1016, NULL, 0, NULL, out, sizeof out, &n), WSX_E_WS_CLOSE_CODE);
}

/* Runs a fragmenter to the end; checks every frame's shape and returns the
 * number of frames (or -1). */
static int run_fragmenter(unsigned opcode, uint64_t total, uint64_t maxf, const uint8_t *key)
{
    wsx_ws_fragmenter f;
    uint8_t h[WSX_WS_MAX_HEADER];
    size_t hlen = 0;
    uint64_t n = 0, sum = 0;
    int frames = 0;
    if (wsx_ws_fragmenter_init(&f, opcode, total, maxf) != WSX_OK)
        return -1;
    for (;;) {
        parsed p;
        int last;
        if (wsx_ws_fragmenter_next(&f, key, &n, h, sizeof h, &hlen) != WSX_OK)
            return -1;
        if (hlen == 0)
            break;
        p = parse_header(h);
        last = sum + n == total;
        if (p.hlen != hlen || p.len != n || n > maxf || p.masked != (key != NULL) ||
            p.opcode != (frames == 0 ? opcode : WSX_WS_OP_CONTINUATION) ||
            (p.b0 & 0x80) != (last ? 0x80u : 0u) || (p.b0 & 0x70) != 0)
            return -1;
        if (n == 0 && total != 0)
            return -1; /* no empty trailing frame when total divides evenly */
        sum += n;
        frames++;
        if (frames > 100000)
            return -1;
    }
    if (n != 0 || sum != total)
        return -1;
    /* finished: keeps answering WSX_OK with nothing to write */
    n = 7;
    hlen = 7;
    if (wsx_ws_fragmenter_next(&f, key, &n, h, sizeof h, &hlen) != WSX_OK || hlen != 0 || n != 0)
        return -1;
    return frames;
}

static void test_fragmenter(void)
{
    wsx_ws_fragmenter f;
    uint8_t h[WSX_WS_MAX_HEADER];
    size_t hlen = 0;
    uint64_t n = 0;
    CHECK_EQ(run_fragmenter(WSX_WS_OP_TEXT, 0, 10, NULL), 1);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_TEXT, 5, 3, NULL), 2);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 10, 3, rfc_key), 4);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 9, 3, NULL), 3);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 9, 9, NULL), 1);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 9, 1000, NULL), 1);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 70000, 1, NULL), 70000);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, (uint64_t)5 << 32, (uint64_t)1 << 32, rfc_key), 5);
    CHECK_EQ(run_fragmenter(WSX_WS_OP_BINARY, 1000000, 65536, NULL), 16);

    /* the RFC's "Hel" + "lo" */
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_TEXT, 5, 3), WSX_OK);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 2);
    CHECK_EQ(n, 3);
    CHECK_MEM(h, "\x01\x03", 2);
    /* too small a buffer: the size needed, state unchanged, the call can be
     * repeated */
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, 1, &hlen), WSX_E_BUFFER);
    CHECK_EQ(hlen, 2);
    CHECK_EQ(n, 0);
    /* a size query does not move on either */
    CHECK_EQ(wsx_ws_fragmenter_next(&f, rfc_key, &n, NULL, 0, &hlen), WSX_OK);
    CHECK_EQ(hlen, 6);
    CHECK_EQ(n, 2);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_MEM(h, "\x80\x02", 2);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, NULL, 0, &hlen), WSX_OK);
    CHECK_EQ(hlen, 0);

    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_PING, 5, 3), WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 0);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_CLOSE, 5, 3), WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_CONTINUATION, 5, 3), WSX_E_WS_OPCODE);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, 0x3, 5, 3), WSX_E_WS_OPCODE);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, 0xB, 5, 3), WSX_E_WS_OPCODE);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_TEXT, 5, 0), WSX_E_ARG);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_TEXT, (uint64_t)1 << 63, 3), WSX_E_WS_LENGTH_MSB);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &n, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 0);
    CHECK_EQ(n, 0);
}

static void test_stream(void)
{
    wsx_ws_stream s;
    uint8_t h[WSX_WS_MAX_HEADER];
    size_t hlen = 0;
    parsed p;

    /* "Hel" + "lo" + an empty final frame */
    CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_stream_next(&s, 3, NULL, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 2);
    CHECK_MEM(h, "\x01\x03", 2);
    CHECK_EQ(wsx_ws_stream_next(&s, 2, NULL, h, 1, &hlen), WSX_E_BUFFER);
    CHECK_EQ(hlen, 2);
    CHECK_EQ(wsx_ws_stream_next(&s, 2, NULL, h, sizeof h, &hlen), WSX_OK);
    CHECK_MEM(h, "\x00\x02", 2);
    /* size queries: the answer, nothing written, the stream not moved on */
    memset(h, 0xEE, sizeof h);
    CHECK_EQ(wsx_ws_stream_finish(&s, 300, rfc_key, NULL, 0, &hlen), WSX_OK);
    CHECK_EQ(hlen, 8);
    CHECK_EQ(wsx_ws_stream_next(&s, 0, NULL, NULL, 0, &hlen), WSX_OK);
    CHECK_EQ(hlen, 2);
    CHECK_EQ(h[0], 0xEE);
    CHECK_EQ(wsx_ws_stream_finish(&s, 0, rfc_key, h, 5, &hlen), WSX_E_BUFFER);
    CHECK_EQ(hlen, 6);
    CHECK_EQ(wsx_ws_stream_finish(&s, 0, rfc_key, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(hlen, 6);
    CHECK_MEM(h, "\x80\x80\x37\xfa\x21\x3d", 6);
    CHECK_EQ(wsx_ws_stream_next(&s, 2, NULL, h, sizeof h, &hlen), WSX_E_STATE);
    CHECK_EQ(hlen, 0);
    CHECK_EQ(wsx_ws_stream_finish(&s, 2, NULL, h, sizeof h, &hlen), WSX_E_STATE);

    /* finish right after begin: one unfragmented frame */
    CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_stream_finish(&s, 70000, NULL, h, sizeof h, &hlen), WSX_OK);
    p = parse_header(h);
    CHECK_EQ(p.b0, 0x82);
    CHECK_EQ(p.len, 70000);
    CHECK_EQ(hlen, 10);

    /* header errors leave the stream as it was */
    CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_BINARY), WSX_OK);
    CHECK_EQ(wsx_ws_stream_next(&s, (uint64_t)1 << 63, NULL, h, sizeof h, &hlen),
             WSX_E_WS_LENGTH_MSB);
    CHECK_EQ(wsx_ws_stream_next(&s, 1, NULL, h, sizeof h, &hlen), WSX_OK);
    CHECK_EQ(h[0], 0x02);

    CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_PONG), WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(wsx_ws_stream_next(&s, 1, NULL, h, sizeof h, &hlen), WSX_E_STATE);
    CHECK_EQ(wsx_ws_stream_begin(&s, 0x7), WSX_E_WS_OPCODE);
    memset(&s, 0, sizeof s); /* never begun */
    CHECK_EQ(wsx_ws_stream_finish(&s, 1, NULL, h, sizeof h, &hlen), WSX_E_STATE);
}

/* Rule 2 of wsx_base.h for every writer: a size query (out NULL, cap 0)
 * answers the size and writes nothing; WSX_E_BUFFER gives the size needed;
 * other errors leave *out_len 0. */
static void test_writers_size_query(void)
{
    uint8_t out[WSX_WS_MAX_HEADER + WSX_WS_MAX_CONTROL];
    size_t n, want;
    memset(out, 0xEE, sizeof out);

    n = 99;
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, 70000, rfc_key, NULL, 0, &n),
             WSX_OK);
    CHECK_EQ(n, 14);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, 70000, rfc_key, out, 13, &n),
             WSX_E_BUFFER);
    CHECK_EQ(n, 14);
    CHECK_EQ(wsx_ws_write_header(0x3, WSX_WS_FIN, 1, NULL, NULL, 0, &n), WSX_E_WS_OPCODE);
    CHECK_EQ(n, 0);

    n = 99;
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "Hello", 5, rfc_key, NULL, 0, &n),
             WSX_OK);
    CHECK_EQ(n, 11);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "Hello", 5, rfc_key, out, 10, &n),
             WSX_E_BUFFER);
    CHECK_EQ(n, 11);
    /* the checks are made by a size query too */
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, "\x03\xed", 2, NULL, NULL, 0, &n),
             WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_PING, 0, "x", 1, NULL, out, sizeof out, &n),
             WSX_E_WS_CONTROL_FRAGMENTED);
    CHECK_EQ(n, 0);

    n = 99;
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 5);
    CHECK_EQ(wsx_ws_close_payload(1000, "bye", 3, out, 4, &n), WSX_E_BUFFER);
    CHECK_EQ(n, 5);
    CHECK_EQ(wsx_ws_close_payload(0, NULL, 0, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 0);
    n = 99;
    CHECK_EQ(wsx_ws_close_payload(1005, NULL, 0, NULL, 0, &n), WSX_E_WS_CLOSE_CODE);
    CHECK_EQ(n, 0);

    want = 2 + 4 + 2 + 3;
    n = 99;
    CHECK_EQ(wsx_ws_encode_close(1000, "bye", 3, rfc_key, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, want);
    CHECK_EQ(wsx_ws_encode_close(1000, "bye", 3, rfc_key, out, want - 1, &n), WSX_E_BUFFER);
    CHECK_EQ(n, want);
    CHECK_EQ(wsx_ws_encode_close(1000, "\xff", 1, rfc_key, NULL, 0, &n),
             WSX_E_WS_CLOSE_REASON_UTF8);
    CHECK_EQ(n, 0);

    /* nothing was written by any of them */
    for (n = 0; n < sizeof out; n++)
        if (out[n] != 0xEE)
            break;
    CHECK_EQ(n, sizeof out);
}

/* The close reason may sit anywhere in out, even at its start. */
static void test_close_payload_overlap(void)
{
    uint8_t buf[16];
    size_t n = 0;
    memcpy(buf, "bye", 3);
    CHECK_EQ(wsx_ws_close_payload(1000, buf, 3, buf, sizeof buf, &n), WSX_OK);
    CHECK_EQ(n, 5);
    CHECK_MEM(buf,
              "\x03\xe8"
              "bye",
              5);
    memcpy(buf + 1, "bye", 3);
    CHECK_EQ(wsx_ws_close_payload(1001, buf + 1, 3, buf, sizeof buf, &n), WSX_OK);
    CHECK_MEM(buf,
              "\x03\xe9"
              "bye",
              5);
}

/* Rule 5 of wsx_base.h: NULL where a pointer is required is WSX_E_ARG
 * (nothing written), from every int-returning function of wsx_ws.h. */
static void test_null_args(void)
{
    uint8_t out[64];
    char accept[WSX_WS_ACCEPT_LEN];
    size_t n = 0;
    uint64_t frag = 0;
    wsx_ws_fragmenter f;
    wsx_ws_stream s;

    CHECK_EQ(wsx_ws_accept(NULL, 24, accept), WSX_E_ARG);
    CHECK_EQ(wsx_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_TEXT, WSX_WS_FIN, 1, NULL, out, sizeof out, NULL),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_TEXT, WSX_WS_FIN, 1, NULL, NULL, sizeof out, &n),
             WSX_E_ARG);
    /* WSX_E_ARG before the other checks */
    CHECK_EQ(wsx_ws_write_header(0x3, WSX_WS_FIN, 1, NULL, out, sizeof out, NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "a", 1, NULL, out, sizeof out, NULL),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, "a", 1, NULL, NULL, sizeof out, &n),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, 1, NULL, out, sizeof out, &n),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_CLOSE, WSX_WS_FIN, NULL, 2, NULL, out, sizeof out, &n),
             WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_frame(WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, 0, NULL, out, sizeof out, &n),
             WSX_OK);

    CHECK_EQ(wsx_ws_frame_in_place(NULL, 14, 0, WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_frame_in_place(out, 14, 0, WSX_WS_OP_TEXT, WSX_WS_FIN, NULL, NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_close_payload(1000, NULL, 1, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_close_payload(1000, "a", 1, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_close_payload(1000, "a", 1, NULL, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_close_payload(1005, "a", 1, out, sizeof out, NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_encode_close(1000, NULL, 1, NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_close(1000, "a", 1, NULL, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_close(1000, "a", 1, NULL, NULL, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_encode_close(1005, "a", 1, NULL, out, sizeof out, NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_fragmenter_init(NULL, WSX_WS_OP_TEXT, 5, 3), WSX_E_ARG);
    CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_TEXT, 5, 3), WSX_OK);
    CHECK_EQ(wsx_ws_fragmenter_next(NULL, NULL, &frag, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &frag, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &frag, NULL, sizeof out, &n), WSX_E_ARG);
    /* none of that moved f on */
    CHECK_EQ(wsx_ws_fragmenter_next(&f, NULL, &frag, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(frag, 3);
    CHECK_EQ(out[0], WSX_WS_OP_TEXT);

    CHECK_EQ(wsx_ws_stream_begin(NULL, WSX_WS_OP_TEXT), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_TEXT), WSX_OK);
    CHECK_EQ(wsx_ws_stream_next(NULL, 1, NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_next(&s, 1, NULL, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_next(&s, 1, NULL, NULL, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_finish(NULL, 1, NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_finish(&s, 1, NULL, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_stream_finish(&s, 1, NULL, NULL, sizeof out, &n), WSX_E_ARG);
    /* none of that moved s on: this is still the first frame */
    CHECK_EQ(wsx_ws_stream_finish(&s, 1, NULL, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(out[0], WSX_WS_FIN | WSX_WS_OP_TEXT);
}

int main(void)
{
    RUN(test_accept_vectors);
    RUN(test_accept_args);
    RUN(test_close_code_valid);
    RUN(test_rfc_vectors);
    RUN(test_rfc_big_binary_headers);
    RUN(test_length_classes);
    RUN(test_header_errors);
    RUN(test_encode_frame_errors_and_overlap);
    RUN(test_encode_plain_overlap);
    RUN(test_frame_in_place);
    RUN(test_close_payload);
    RUN(test_encode_close);
    RUN(test_fragmenter);
    RUN(test_stream);
    RUN(test_writers_size_query);
    RUN(test_close_payload_overlap);
    RUN(test_null_args);
    return harness_done();
}
