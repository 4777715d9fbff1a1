/*
 * WebSocket frame decoder (wsx_ws_decode): RFC 6455 section 5 vectors, every
 * protocol error with its close code, fragmentation, close frames, limits.
 *
 * Every stream goes through run_stream() (tests/ws_decode_driver.h), which
 * decodes it three ways (whole, byte by byte, split in two at every
 * offset), each chunk copied into guarded memory (the byte after it is a
 * PROT_NONE page), and compares the normalized event sequence of each with
 * the expected one.
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx.h"
#include "ws_decode_driver.h"

/* ---- RFC 6455 section 5.7 vectors --------------------------------------- */

static void test_rfc_unmasked_hello(void)
{
    RUN_BYTES(WSX_WS_CLIENT, "start:text:5|data:Hello|end:text|need", 0x81, 0x05, 0x48, 0x65, 0x6c,
              0x6c, 0x6f);
}

static void test_rfc_masked_hello(void)
{
    RUN_BYTES(WSX_WS_SERVER, "start:text:5|data:Hello|end:text|need", 0x81, 0x85, 0x37, 0xfa, 0x21,
              0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
}

static void test_rfc_fragmented(void)
{
    RUN_BYTES(WSX_WS_CLIENT, "start:text:3|data:Hello|end:text|need", 0x01, 0x03, 0x48, 0x65, 0x6c,
              0x80, 0x02, 0x6c, 0x6f);
}

static void test_rfc_ping_pong(void)
{
    RUN_BYTES(WSX_WS_CLIENT, "ping:Hello|need", 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
    RUN_BYTES(WSX_WS_SERVER, "pong:Hello|need", 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f,
              0x4d, 0x51, 0x58);
}

/* Expected log of one binary message with payload p[0..n). */
static char *expect_binary(const uint8_t *p, size_t n)
{
    log_t l;
    char tmp[64];
    memset(&l, 0, sizeof l);
    snprintf(tmp, sizeof tmp, "start:bin:%zu", n);
    log_str(&l, tmp);
    if (n) {
        log_str(&l, "|data:");
        log_escaped(&l, p, n);
    }
    log_str(&l, "|end:bin|need");
    return l.s;
}

static void check_binary(size_t n, const uint8_t *header, size_t hlen)
{
    bytes b = {0, 0, 0};
    uint8_t *payload = (uint8_t *)calloc(n + 1, 1);
    char *expected;
    size_t i;
    for (i = 0; i < n; i++)
        payload[i] = (uint8_t)(i * 7 + (i >> 8));
    expected = expect_binary(payload, n);
    put(&b, header, hlen);
    put(&b, payload, n);
    run_stream(WSX_WS_CLIENT, b.p, b.n, expected);
    free(b.p);
    b.p = NULL;
    b.n = b.cap = 0;
    /* The same through put_frame, masked, to a server. */
    put_frame(&b, 1, 0x82, payload, n);
    run_stream(WSX_WS_SERVER, b.p, b.n, expected);
    free(b.p);
    free(expected);
    free(payload);
}

static void test_rfc_256_and_64k_binary(void)
{
    static const uint8_t h256[] = {0x82, 0x7E, 0x01, 0x00};
    static const uint8_t h64k[] = {0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0};
    check_binary(256, h256, sizeof h256);
    check_binary(65536, h64k, sizeof h64k);
}

/* Length classes at the encoding boundaries. */
static void test_length_classes(void)
{
    static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70001};
    size_t i;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bytes b = {0, 0, 0};
        uint8_t *payload = (uint8_t *)calloc(sizes[i] + 1, 1);
        char *expected;
        memset(payload, 'a' + (int)i, sizes[i]);
        expected = expect_binary(payload, sizes[i]);
        put_frame(&b, 1, 0x82, payload, sizes[i]);
        run_stream(WSX_WS_SERVER, b.p, b.n, expected);
        free(b.p);
        free(expected);
        free(payload);
    }
}

/* ---- errors ---------------------------------------------------------------- */

static void test_error_close_codes(void)
{
    static const struct {
        int err, code;
    } table[] = {
        {WSX_E_WS_RSV, 1002},
        {WSX_E_WS_OPCODE, 1002},
        {WSX_E_WS_MASK_REQUIRED, 1002},
        {WSX_E_WS_MASK_FORBIDDEN, 1002},
        {WSX_E_WS_CONTROL_TOO_LONG, 1002},
        {WSX_E_WS_CONTROL_FRAGMENTED, 1002},
        {WSX_E_WS_NO_MESSAGE, 1002},
        {WSX_E_WS_MESSAGE_OPEN, 1002},
        {WSX_E_WS_LENGTH_NOT_MINIMAL, 1002},
        {WSX_E_WS_LENGTH_MSB, 1002},
        {WSX_E_WS_CLOSE_LENGTH, 1002},
        {WSX_E_WS_CLOSE_CODE, 1002},
        {WSX_E_WS_CLOSE_REASON_UTF8, 1007},
        {WSX_E_WS_UTF8, 1007},
        {WSX_E_WS_FRAME_TOO_BIG, 1009},
        {WSX_E_WS_MESSAGE_TOO_BIG, 1009},
        {WSX_E_WS_AFTER_CLOSE, 1002},
    };
    size_t i;
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        CHECK_EQ(wsx_err_close_code(table[i].err), table[i].code);
}

static void test_rsv(void)
{
    unsigned bit;
    for (bit = 0x10; bit <= 0x40; bit <<= 1) {
        bytes b = {0, 0, 0};
        put_text(&b, 0, 0x81 | bit, "x");
        run_bytes(WSX_WS_CLIENT, &b, "error:WSX_E_WS_RSV");
        put_text(&b, 0, 0x89 | bit, "x");
        run_bytes(WSX_WS_CLIENT, &b, "error:WSX_E_WS_RSV");
    }
}

static void test_rsv_allowed(void)
{
    wsx_ws_decoder_config cfg;
    bytes b = {0, 0, 0};
    wsx_ws_decoder_config_default(&cfg);
    cfg.rsv_allowed = 0x40;
    put_text(&b, 1, 0x41, "ab");
    put_text(&b, 1, 0x80, "c");
    put_text(&b, 1, 0x89, "p");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "start:text:2+r40|data:abc|end:text|ping:p|need");
    put_text(&b, 1, 0xA1, "ab"); /* RSV2 still refused */
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "error:WSX_E_WS_RSV");
}

static void test_reserved_opcodes(void)
{
    unsigned op;
    for (op = 0; op < 16; op++) {
        bytes b = {0, 0, 0};
        if (op <= 2 || (op >= 8 && op <= 10))
            continue;
        put_text(&b, 1, 0x80 | op, "x");
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_OPCODE");
        put_text(&b, 1, op, "x"); /* without FIN too */
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_OPCODE");
    }
}

static void test_masking_by_role(void)
{
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_MASK_REQUIRED", 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c,
              0x6f);
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_MASK_FORBIDDEN", 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
              0x7f, 0x9f, 0x4d, 0x51, 0x58);
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_MASK_REQUIRED", 0x89, 0x00);
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_MASK_FORBIDDEN", 0x8a, 0x80, 1, 2, 3, 4);
    /* After a good frame. */
    RUN_BYTES(WSX_WS_CLIENT, "ping:|error:WSX_E_WS_MASK_FORBIDDEN", 0x89, 0x00, 0x82, 0x80);
}

static void test_control_rules(void)
{
    unsigned op;
    for (op = 8; op <= 10; op++) {
        bytes b = {0, 0, 0};
        uint8_t big[126];
        memset(big, 'z', sizeof big);
        /* FIN is required on every control opcode. */
        put_frame(&b, 1, op, "ab", 2);
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CONTROL_FRAGMENTED");
        /* 126 bytes (16-bit length) and 64-bit length forms. */
        put_frame(&b, 1, 0x80 | op, big, 126);
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CONTROL_TOO_LONG");
        put_byte(&b, 0x80 | op);
        put_byte(&b, 0xFF);
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CONTROL_TOO_LONG");
        /* 125 is fine. */
        put_frame(&b, 1, 0x80 | op, big, 125);
        if (op == 8) {
            /* "zz" = 31354 is no close code */
            run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CLOSE_CODE");
        } else {
            char expected[160];
            strcpy(expected, op == 9 ? "ping:" : "pong:");
            memset(expected + 5, 'z', 125);
            strcpy(expected + 130, "|need");
            run_bytes(WSX_WS_SERVER, &b, expected);
        }
    }
}

static void test_fragmentation_order(void)
{
    /* Continuation with no message open: at the start, after a message. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_NO_MESSAGE", 0x80, 0x01, 'a');
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_NO_MESSAGE", 0x00, 0x00);
    RUN_BYTES(WSX_WS_CLIENT, "start:text:1|data:a|end:text|error:WSX_E_WS_NO_MESSAGE", 0x81, 0x01,
              'a', 0x00, 0x01, 'b');
    /* New text/binary frame inside a fragmented message. */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:1|data:a|error:WSX_E_WS_MESSAGE_OPEN", 0x01, 0x01, 'a',
              0x81, 0x01, 'b');
    RUN_BYTES(WSX_WS_CLIENT, "start:bin:1|data:a|error:WSX_E_WS_MESSAGE_OPEN", 0x02, 0x01, 'a',
              0x00, 0x00, 0x02, 0x00);
}

static void test_length_encoding(void)
{
    /* 16-bit length below 126. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x82, 0x7E, 0x00, 0x7D);
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x82, 0x7E, 0x00, 0x00);
    /* 64-bit length at or below 65535. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x82, 0x7F, 0, 0, 0, 0, 0, 0,
              0xFF, 0xFF);
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0,
              0x05);
    /* Masked, in a continuation. */
    RUN_BYTES(WSX_WS_SERVER, "start:bin:0|error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x02, 0x80, 1, 2, 3,
              4, 0x80, 0xFE, 0x00, 0x10);
    /* Most significant bit of the 64-bit length. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_MSB", 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0);
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_MSB", 0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
              0xFF, 0xFF, 0xFF);
}

/* Several violations in one header: the documented order decides. */
static void test_error_order(void)
{
    /* RSV before opcode before mask. */
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_RSV", 0xF3, 0x00);
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_OPCODE", 0x83, 0x00);
    /* Control FIN before mask and length. */
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_CONTROL_FRAGMENTED", 0x09, 0x7F);
    /* Mask before control length. */
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_MASK_REQUIRED", 0x89, 0x7E);
    /* Minimal encoding before the frame limit. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_LENGTH_NOT_MINIMAL", 0x82, 0x7E, 0x00, 0x10);
}

/* ---- UTF-8 ----------------------------------------------------------------- */

static void test_utf8_across_fragments(void)
{
    /* U+20AC split over three fragments, then U+1F600 split 1+3. */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:1|data:\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80|end:text|need",
              0x01, 0x01, 0xE2, 0x00, 0x01, 0x82, 0x00, 0x01, 0xAC, 0x00, 0x01, 0xF0, 0x80, 0x03,
              0x9F, 0x98, 0x80);
    /* Binary is not checked. */
    RUN_BYTES(WSX_WS_CLIENT, "start:bin:2|data:\\xff\\xfe|end:bin|need", 0x82, 0x02, 0xFF, 0xFE);
}

static void test_utf8_fail_fast(void)
{
    bytes b = {0, 0, 0};
    /* Bad byte inside a non-final fragment: fails before the message ends,
     * after delivering the valid prefix. */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:3|data:a|error:WSX_E_WS_UTF8", 0x01, 0x03, 'a', 0xFF, 'b',
              0x80, 0x01, 'c');
    /* Bad byte first in a continuation. */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:1|data:a|error:WSX_E_WS_UTF8", 0x01, 0x01, 'a', 0x00, 0x02,
              0x80, 'b');
    /* Overlong, surrogate, above U+10FFFF, missing continuation. */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:3|data:x|error:WSX_E_WS_UTF8", 0x01, 0x03, 'x', 0xC0,
              0x80);
    RUN_BYTES(WSX_WS_CLIENT, "start:text:4|data:x\\xed|error:WSX_E_WS_UTF8", 0x01, 0x04, 'x', 0xED,
              0xA0, 0x80);
    RUN_BYTES(WSX_WS_CLIENT, "start:text:4|data:\\xf4|error:WSX_E_WS_UTF8", 0x01, 0x04, 0xF4, 0x90,
              0x80, 0x80);
    RUN_BYTES(WSX_WS_CLIENT, "start:text:3|data:\\xe2\\x82|error:WSX_E_WS_UTF8", 0x81, 0x03, 0xE2,
              0x82, 'A');
    /* Truncated code point at message end (single frame and fragments). */
    RUN_BYTES(WSX_WS_CLIENT, "start:text:2|data:a\\xe2|error:WSX_E_WS_UTF8", 0x81, 0x02, 'a', 0xE2);
    RUN_BYTES(WSX_WS_CLIENT, "start:text:1|data:\\xe2|error:WSX_E_WS_UTF8", 0x01, 0x01, 0xE2, 0x80,
              0x00);
    /* Masked: the bytes after the bad one stay as received. */
    put_text(&b, 1, 0x81, "hello\xff world");
    run_bytes(WSX_WS_SERVER, &b, "start:text:12|data:hello|error:WSX_E_WS_UTF8");
    /* A long ASCII run, then a bad byte deep inside (block boundaries). */
    {
        size_t n = 20000, bad;
        for (bad = 8190; bad < 8196; bad += 5) {
            char *s = (char *)malloc(n + 1), *expected = (char *)malloc(n + 100);
            memset(s, 'q', n);
            s[n] = 0;
            s[bad] = (char)0xC1;
            put_frame(&b, 1, 0x81, s, n);
            sprintf(expected, "start:text:%zu|data:", n);
            memset(expected + strlen(expected), 'q', bad);
            sprintf(expected + strlen("start:text:20000|data:") + bad, "|error:WSX_E_WS_UTF8");
            run_bytes(WSX_WS_SERVER, &b, expected);
            free(s);
            free(expected);
        }
    }
}

/* ---- fragments and control frames ------------------------------------------ */

static void test_control_between_fragments(void)
{
    bytes b = {0, 0, 0};
    put_text(&b, 1, 0x01, "Hel");
    put_text(&b, 1, 0x89, "p1");
    put_text(&b, 1, 0x00, "l");
    put_text(&b, 1, 0x8A, "");
    put_text(&b, 1, 0x89, "p2");
    put_text(&b, 1, 0x80, "o");
    put_text(&b, 1, 0x82, "bin");
    run_bytes(WSX_WS_SERVER, &b,
              "start:text:3|data:Hel|ping:p1|data:l|pong:|ping:p2|data:o|"
              "end:text|start:bin:3|data:bin|end:bin|need");
    /* A close between fragments ends the stream. */
    put_text(&b, 0, 0x02, "ab");
    put_frame(&b, 0, 0x88, "\x03\xe8", 2);
    put_text(&b, 0, 0x80, "cd");
    run_bytes(WSX_WS_CLIENT, &b, "start:bin:2|data:ab|close:1000:|error:WSX_E_WS_AFTER_CLOSE");
}

static void test_zero_length(void)
{
    bytes b = {0, 0, 0};
    /* Zero-length messages. */
    put_text(&b, 1, 0x81, "");
    put_text(&b, 1, 0x82, "");
    run_bytes(WSX_WS_SERVER, &b, "start:text:0|end:text|start:bin:0|end:bin|need");
    /* Zero-length fragments anywhere. */
    put_text(&b, 1, 0x01, "");
    put_text(&b, 1, 0x00, "");
    put_text(&b, 1, 0x00, "ab");
    put_text(&b, 1, 0x00, "");
    put_text(&b, 1, 0x80, "");
    put_text(&b, 1, 0x02, "");
    put_text(&b, 1, 0x80, "");
    run_bytes(WSX_WS_SERVER, &b, "start:text:0|data:ab|end:text|start:bin:0|end:bin|need");
    /* Empty control frames. */
    put_text(&b, 1, 0x89, "");
    put_text(&b, 1, 0x8A, "");
    put_text(&b, 1, 0x88, "");
    run_bytes(WSX_WS_SERVER, &b, "ping:|pong:|close:1005:|need");
}

static void test_incomplete_stream(void)
{
    /* A stream that stops inside a header, payload or control frame just
     * needs more. */
    RUN_BYTES(WSX_WS_CLIENT, "need", 0x82);
    RUN_BYTES(WSX_WS_CLIENT, "need", 0x82, 0x7F, 0, 0, 0, 0, 0, 1);
    RUN_BYTES(WSX_WS_CLIENT, "start:bin:5|data:ab|need", 0x82, 0x05, 'a', 'b');
    RUN_BYTES(WSX_WS_CLIENT, "need", 0x89, 0x05, 'a', 'b');
    run_stream(WSX_WS_CLIENT, NULL, 0, "need");
}

/* ---- close frames ----------------------------------------------------------- */

static void test_close_frames(void)
{
    bytes b = {0, 0, 0};
    char reason[125];
    char expected[200];
    /* Without code, with code, with reason (UTF-8), longest reason. */
    put_text(&b, 1, 0x88, "");
    run_bytes(WSX_WS_SERVER, &b, "close:1005:|need");
    put_frame(&b, 1, 0x88, "\x03\xe8", 2);
    run_bytes(WSX_WS_SERVER, &b, "close:1000:|need");
    put_frame(&b, 1, 0x88, "\x03\xe9going \xe2\x82\xac", 11);
    run_bytes(WSX_WS_SERVER, &b, "close:1001:going \\xe2\\x82\\xac|need");
    memset(reason, 'r', 125);
    reason[0] = 0x0F;
    reason[1] = (char)0xA0; /* 4000 */
    put_frame(&b, 1, 0x88, reason, 125);
    strcpy(expected, "close:4000:");
    memset(expected + strlen(expected), 'r', 123);
    strcpy(expected + strlen("close:4000:") + 123, "|need");
    run_bytes(WSX_WS_SERVER, &b, expected);
    /* 1-byte payload. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_CLOSE_LENGTH", 0x88, 0x01, 0x03);
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_CLOSE_LENGTH", 0x88, 0x81);
    /* Bad reason. */
    put_frame(&b, 1, 0x88,
              "\x03\xe8"
              "ab\xc0\xaf",
              6);
    run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CLOSE_REASON_UTF8");
    put_frame(&b, 0, 0x88,
              "\x03\xe8"
              "ab\xe2\x82",
              6); /* truncated */
    run_bytes(WSX_WS_CLIENT, &b, "error:WSX_E_WS_CLOSE_REASON_UTF8");
    /* Invalid code beats bad reason. */
    put_frame(&b, 0, 0x88, "\x03\xed\xff", 3);
    run_bytes(WSX_WS_CLIENT, &b, "error:WSX_E_WS_CLOSE_CODE");
}

static void test_close_codes(void)
{
    static const unsigned good[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010,
                                    1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    static const unsigned bad[] = {0,    1,    999,  1004, 1005, 1006,
                                   1015, 1016, 2000, 2999, 5000, 65535};
    unsigned code;
    size_t i;
    char expected[64];
    /* Every valid code, without the split runs (fast), then a sample of
     * them and every bad one through the full driver. */
    for (code = 0; code <= 65535; code++) {
        int valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                    (code >= 3000 && code <= 4999);
        uint8_t in[4] = {0x88, 0x02, (uint8_t)(code >> 8), (uint8_t)code};
        wsx_ws_decoder d;
        wsx_ws_event ev;
        size_t used;
        int r;
        wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL);
        r = wsx_ws_decode(&d, in, 4, &used, &ev);
        if (valid) {
            CHECK_EQ(r, WSX_WS_EV_CLOSE);
            CHECK_EQ(ev.close_code, code);
        } else {
            CHECK_EQ(r, WSX_E_WS_CLOSE_CODE);
        }
    }
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        bytes b = {0, 0, 0};
        uint8_t p[2] = {(uint8_t)(good[i] >> 8), (uint8_t)good[i]};
        put_frame(&b, 1, 0x88, p, 2);
        snprintf(expected, sizeof expected, "close:%u:|need", good[i]);
        run_bytes(WSX_WS_SERVER, &b, expected);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bytes b = {0, 0, 0};
        uint8_t p[2] = {(uint8_t)(bad[i] >> 8), (uint8_t)bad[i]};
        put_frame(&b, 1, 0x88, p, 2);
        run_bytes(WSX_WS_SERVER, &b, "error:WSX_E_WS_CLOSE_CODE");
    }
}

static void test_after_close(void)
{
    RUN_BYTES(WSX_WS_CLIENT, "close:1005:|error:WSX_E_WS_AFTER_CLOSE", 0x88, 0x00, 0x81, 0x00);
    RUN_BYTES(WSX_WS_CLIENT, "close:1005:|error:WSX_E_WS_AFTER_CLOSE", 0x88, 0x00, 0x89);
    RUN_BYTES(WSX_WS_CLIENT, "close:1005:|error:WSX_E_WS_AFTER_CLOSE", 0x88, 0x00, 0x88, 0x00);
    /* Nothing after it: fine, and further empty calls need more. */
    RUN_BYTES(WSX_WS_CLIENT, "close:1000:|need", 0x88, 0x02, 0x03, 0xE8);
}

/* ---- limits ------------------------------------------------------------------ */

static void test_frame_limit(void)
{
    wsx_ws_decoder_config cfg;
    bytes b = {0, 0, 0};
    uint8_t payload[300];
    memset(payload, 'x', sizeof payload);
    wsx_ws_decoder_config_default(&cfg);
    cfg.max_frame_size = 200;
    cfg.max_message_size = 1000;
    /* 200 is fine, 201 is not: no START for the frame that is too big. */
    put_frame(&b, 1, 0x82, payload, 200);
    put_frame(&b, 1, 0x82, payload, 201);
    {
        char expected[600];
        strcpy(expected, "start:bin:200|data:");
        memset(expected + strlen(expected), 'x', 200);
        strcpy(expected + strlen("start:bin:200|data:") + 200,
               "|end:bin|error:WSX_E_WS_FRAME_TOO_BIG");
        run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, expected);
    }
    /* A too-big continuation: no DATA of it. */
    put_frame(&b, 1, 0x02, payload, 3);
    put_frame(&b, 1, 0x80, payload, 201);
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "start:bin:3|data:xxx|error:WSX_E_WS_FRAME_TOO_BIG");
    /* Control frames count as frames too. */
    cfg.max_frame_size = 4;
    put_frame(&b, 1, 0x89, payload, 5);
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "error:WSX_E_WS_FRAME_TOO_BIG");
}

static void test_message_limit(void)
{
    wsx_ws_decoder_config cfg;
    bytes b = {0, 0, 0};
    int i;
    wsx_ws_decoder_config_default(&cfg);
    cfg.max_message_size = 10;
    /* Many small fragments: 4 + 4 + 2 = 10 fits, one more byte fails
     * before any byte of that fragment is delivered. */
    put_text(&b, 1, 0x01, "abcd");
    put_text(&b, 1, 0x00, "efgh");
    put_text(&b, 1, 0x80, "ij");
    put_text(&b, 1, 0x01, "abcd");
    put_text(&b, 1, 0x00, "efgh");
    put_text(&b, 1, 0x00, "ij");
    put_text(&b, 1, 0x80, "k");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b,
                  "start:text:4|data:abcdefghij|end:text|"
                  "start:text:4|data:abcdefghij|error:WSX_E_WS_MESSAGE_TOO_BIG");
    /* One-byte fragments; control frames do not count. */
    put_text(&b, 1, 0x02, "0");
    for (i = 1; i < 10; i++) {
        char c = (char)('0' + i);
        put_frame(&b, 1, 0x00, &c, 1);
        put_text(&b, 1, 0x89, "");
    }
    put_text(&b, 1, 0x80, "x");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b,
                  "start:bin:1|data:01|ping:|data:2|ping:|data:3|ping:|"
                  "data:4|ping:|data:5|ping:|data:6|ping:|data:7|ping:|data:8|"
                  "ping:|data:9|ping:|error:WSX_E_WS_MESSAGE_TOO_BIG");
    /* A single frame over the message limit but under the frame limit. */
    put_text(&b, 1, 0x81, "0123456789X");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "error:WSX_E_WS_MESSAGE_TOO_BIG");
}

static void test_huge_declared_length(void)
{
    wsx_ws_decoder_config cfg;
    wsx_ws_decoder_config_default(&cfg);
    /* 4 GiB + 1 declared with the default (16 MiB) limits: fails on the
     * header, nothing of it is delivered and nothing is waited for. */
    RUN_BYTES(WSX_WS_CLIENT, "error:WSX_E_WS_FRAME_TOO_BIG", 0x82, 0x7F, 0, 0, 0, 1, 0, 0, 0, 1,
              'a', 'b');
    RUN_BYTES(WSX_WS_SERVER, "error:WSX_E_WS_FRAME_TOO_BIG", 0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF,
              0xFF, 0xFF, 0xFF, 0xFF);
    /* With no limits, the largest legal length is accepted and the data
     * that is there is delivered. */
    cfg.max_frame_size = WSX_WS_UNLIMITED;
    cfg.max_message_size = WSX_WS_UNLIMITED;
    {
        static const uint8_t in[] = {0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF,
                                     0xFF, 0xFF, 0xFF, 0xFF, 'a',  'b'};
        run_stream_cfg(WSX_WS_CLIENT, &cfg, in, sizeof in,
                       "start:bin:9223372036854775807|data:ab|need");
    }
    /* Message sum near UINT64_MAX does not wrap. */
    cfg.max_frame_size = WSX_WS_UNLIMITED;
    cfg.max_message_size = ((uint64_t)1 << 63) + 5;
    {
        uint8_t in[] = {0x02, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
        wsx_ws_decoder d;
        wsx_ws_event ev;
        size_t used;
        wsx_ws_decoder_init(&d, WSX_WS_CLIENT, &cfg);
        CHECK_EQ(wsx_ws_decode(&d, in, sizeof in, &used, &ev), WSX_WS_EV_MESSAGE_START);
        CHECK_EQ(used, sizeof in);
    }
}

/* Rule 4 of wsx_base.h: a config of all zeros is the defaults. */
static void test_zero_config_is_default(void)
{
    wsx_ws_decoder_config cfg = {0, 0, 0};
    static const uint8_t limit_header[] = {0x82, 0x7F, 0, 0, 0, 0, 1, 0, 0, 0};
    static const uint8_t over_header[] = {0x82, 0x7F, 0, 0, 0, 0, 1, 0, 0, 1};
    bytes b = {0, 0, 0};
    /* Only an extension bit set: a 1-byte frame is no frame too big. */
    cfg.rsv_allowed = WSX_WS_RSV1;
    put_frame(&b, 1, 0xC2, "z", 1);
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "start:bin:1+r40|data:z|end:bin|need");
    /* The default limits: 16 MiB declared is fine, one byte more is not. */
    cfg.rsv_allowed = 0;
    run_stream_cfg(WSX_WS_CLIENT, &cfg, limit_header, sizeof limit_header,
                   "start:bin:16777216|need");
    run_stream_cfg(WSX_WS_CLIENT, &cfg, over_header, sizeof over_header,
                   "error:WSX_E_WS_FRAME_TOO_BIG");
    /* ... the same as with wsx_ws_decoder_config_default and with NULL */
    wsx_ws_decoder_config_default(&cfg);
    CHECK_EQ(cfg.max_frame_size, WSX_WS_DEFAULT_MAX_FRAME);
    CHECK_EQ(cfg.max_message_size, WSX_WS_DEFAULT_MAX_MESSAGE);
    CHECK_EQ(cfg.rsv_allowed, 0);
    run_stream_cfg(WSX_WS_CLIENT, &cfg, over_header, sizeof over_header,
                   "error:WSX_E_WS_FRAME_TOO_BIG");
    run_stream(WSX_WS_CLIENT, over_header, sizeof over_header, "error:WSX_E_WS_FRAME_TOO_BIG");
    /* A zero message limit is its default too, next to a frame limit. */
    memset(&cfg, 0, sizeof cfg);
    cfg.max_frame_size = 3;
    put_frame(&b, 0, 0x02, "abc", 3);
    put_frame(&b, 0, 0x80, "def", 3);
    run_bytes_cfg(WSX_WS_CLIENT, &cfg, &b, "start:bin:3|data:abcdef|end:bin|need");
    put_frame(&b, 0, 0x82, "abcd", 4);
    run_bytes_cfg(WSX_WS_CLIENT, &cfg, &b, "error:WSX_E_WS_FRAME_TOO_BIG");
}

/* The smallest limits: 1 byte per frame, 1 byte per message. */
static void test_one_byte_limits(void)
{
    wsx_ws_decoder_config cfg = {0, 0, 0};
    bytes b = {0, 0, 0};
    cfg.max_frame_size = 1;
    put_text(&b, 1, 0x81, "a");
    put_text(&b, 1, 0x81, "");
    put_text(&b, 1, 0x89, "p");
    put_text(&b, 1, 0x89, "pq");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b,
                  "start:text:1|data:a|end:text|start:text:0|end:text|"
                  "ping:p|error:WSX_E_WS_FRAME_TOO_BIG");
    cfg.max_frame_size = 0;
    cfg.max_message_size = 1;
    put_text(&b, 1, 0x01, "a");
    put_text(&b, 1, 0x00, "");
    put_text(&b, 1, 0x80, "b");
    run_bytes_cfg(WSX_WS_SERVER, &cfg, &b, "start:text:1|data:a|error:WSX_E_WS_MESSAGE_TOO_BIG");
}

/* The loop wsx_ws.h documents, as written there, on a text message that
 * turns invalid after a valid prefix: DATA with the prefix, then the error
 * (even with no bytes left), never MESSAGE_END. */
static void test_documented_loop_utf8_failure(void)
{
    uint8_t in[] = {0x81, 0x05, 'o', 'k', 0xFF, 'n', 'o'};
    uint8_t *buf = in;
    size_t len = sizeof in;
    wsx_ws_decoder d;
    int kinds[8], nk = 0, failed = 0;
    CHECK_EQ(wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL), WSX_OK);
    for (;;) {
        size_t used;
        wsx_ws_event ev;
        int r = wsx_ws_decode(&d, buf, len, &used, &ev);
        buf += used;
        len -= used;
        if (r == WSX_WS_NEED_MORE)
            break;
        if (r < 0) {
            failed = r;
            break;
        }
        CHECK_EQ(ev.kind, r);
        if (nk < 8)
            kinds[nk++] = r;
        if (r == WSX_WS_EV_DATA) {
            CHECK_EQ(ev.size, 2);
            CHECK_MEM(ev.data, "ok", 2);
            /* already failed: a caller may look before calling again */
            CHECK_EQ(wsx_ws_decoder_error(&d), WSX_E_WS_UTF8);
        }
    }
    CHECK_EQ(failed, WSX_E_WS_UTF8);
    CHECK_EQ(wsx_err_close_code(failed), 1007);
    CHECK_EQ(nk, 2);
    CHECK_EQ(kinds[0], WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(kinds[1], WSX_WS_EV_DATA);
    CHECK_EQ(buf - in, 4); /* header and "ok" consumed */
    {
        /* the next call, with no bytes at all, says it again */
        size_t used = 9;
        wsx_ws_event ev;
        CHECK_EQ(wsx_ws_decode(&d, NULL, 0, &used, &ev), WSX_E_WS_UTF8);
        CHECK_EQ(used, 0);
        CHECK_EQ(ev.kind, WSX_WS_NEED_MORE);
    }
}

/* Rule 5 of wsx_base.h for every function of the decoder. */
static void test_null_args(void)
{
    wsx_ws_decoder d, before;
    wsx_ws_event ev;
    size_t used = 7;
    uint8_t in[] = {0x82, 0x00};

    wsx_ws_decoder_config_default(NULL); /* nothing to do, no crash */
    CHECK_EQ(wsx_ws_decoder_init(NULL, WSX_WS_SERVER, NULL), WSX_E_ARG);
    memset(&d, 0x5A, sizeof d);
    memcpy(&before, &d, sizeof d);
    CHECK_EQ(wsx_ws_decoder_init(&d, (wsx_ws_role)2, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_ws_decoder_init(&d, (wsx_ws_role)-1, NULL), WSX_E_ARG);
    CHECK(memcmp(&d, &before, sizeof d) == 0);
    CHECK_EQ(wsx_ws_decoder_error(NULL), WSX_E_ARG);

    CHECK_EQ(wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL), WSX_OK);
    memcpy(&before, &d, sizeof d);
    CHECK_EQ(wsx_ws_decode(NULL, in, sizeof in, &used, &ev), WSX_E_ARG);
    CHECK_EQ(used, 7);
    CHECK_EQ(wsx_ws_decode(&d, in, sizeof in, NULL, &ev), WSX_E_ARG);
    CHECK_EQ(wsx_ws_decode(&d, in, sizeof in, &used, NULL), WSX_E_ARG);
    CHECK_EQ(used, 7);
    CHECK_EQ(wsx_ws_decode(&d, NULL, 1, &used, &ev), WSX_E_ARG);
    CHECK_EQ(used, 0);
    CHECK(memcmp(&d, &before, sizeof d) == 0); /* not sticky, not moved */
    CHECK_EQ(wsx_ws_decoder_error(&d), 0);
    CHECK_EQ(wsx_ws_decode(&d, in, sizeof in, &used, &ev),
             (wsx_build_flags() & WSX_BUILD_SMALL) ? WSX_WS_EV_MESSAGE_START : WSX_WS_EV_MESSAGE);
}

/* ---- API details --------------------------------------------------------------- */

static void test_api(void)
{
    wsx_ws_decoder d;
    wsx_ws_decoder_config cfg;
    wsx_ws_event ev;
    size_t used = 99;
    uint8_t in[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o', 0x81};

    CHECK(sizeof(wsx_ws_decoder) <= 176);
    CHECK(sizeof(wsx_ws_decoder) - WSX_WS_MAX_CONTROL <= 64);

    wsx_ws_decoder_config_default(&cfg);
    CHECK_EQ(cfg.max_frame_size, 16u << 20);
    CHECK_EQ(cfg.max_message_size, 16u << 20);
    CHECK_EQ(cfg.rsv_allowed, 0);

    CHECK_EQ(wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL), WSX_OK);
    CHECK_EQ(wsx_ws_decoder_error(&d), 0);
    CHECK_EQ(wsx_ws_decode(&d, NULL, 0, &used, &ev), WSX_WS_NEED_MORE);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_ws_decode(&d, NULL, 3, &used, &ev), WSX_E_ARG);
    CHECK_EQ(wsx_ws_decoder_error(&d), 0); /* not sticky */

    /* Event by event, with the consumed counts (the header alone first:
     * with its payload, the frame would come as one MESSAGE). */
    CHECK_EQ(wsx_ws_decode(&d, in, 2, &used, &ev), WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(used, 2);
    CHECK_EQ(ev.opcode, WSX_WS_OP_TEXT);
    CHECK_EQ(ev.frame_length, 5);
    CHECK(ev.data == NULL);
    CHECK_EQ(wsx_ws_decode(&d, in + 2, sizeof in - 2, &used, &ev), WSX_WS_EV_DATA);
    CHECK_EQ(used, 5);
    CHECK(ev.data == in + 2);
    CHECK_EQ(ev.size, 5);
    CHECK_EQ(wsx_ws_decode(&d, in + 7, 1, &used, &ev), WSX_WS_EV_MESSAGE_END);
    CHECK_EQ(used, 0);
    CHECK_EQ(ev.opcode, WSX_WS_OP_TEXT);
    CHECK_EQ(wsx_ws_decode(&d, in + 7, 1, &used, &ev), WSX_WS_NEED_MORE);
    CHECK_EQ(used, 1);

    /* Re-init clears a sticky error. */
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, &cfg);
    CHECK_EQ(wsx_ws_decode(&d, in, 2, &used, &ev), WSX_E_WS_MASK_REQUIRED);
    CHECK_EQ(wsx_ws_decoder_error(&d), WSX_E_WS_MASK_REQUIRED);
    wsx_ws_decoder_init(&d, WSX_WS_CLIENT, &cfg);
    CHECK_EQ(wsx_ws_decoder_error(&d), 0);
    CHECK_EQ(wsx_ws_decode(&d, in, 2, &used, &ev), WSX_WS_EV_MESSAGE_START);
}

/* A frame that opens a message with FIN, whole in one call: one MESSAGE
 * event with the payload unmasked in place; the cases that stay START,
 * DATA, END.  (The small profile gives START, DATA, END always.) */
static void test_whole_message(void)
{
    static const uint8_t masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                           0x7f, 0x9f, 0x4d, 0x51, 0x58};
    uint8_t in[300], big[8 + 300];
    wsx_ws_decoder d;
    wsx_ws_event ev;
    size_t used = 0, i;

    memcpy(in, masked_hello, sizeof masked_hello);
    in[sizeof masked_hello] = 0x82; /* the next frame's first byte */
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
    if (wsx_build_flags() & WSX_BUILD_SMALL) {
        CHECK_EQ(wsx_ws_decode(&d, in, sizeof masked_hello + 1, &used, &ev),
                 WSX_WS_EV_MESSAGE_START);
        CHECK_EQ(used, 6);
        return;
    }
    CHECK_EQ(wsx_ws_decode(&d, in, sizeof masked_hello + 1, &used, &ev), WSX_WS_EV_MESSAGE);
    CHECK_EQ(ev.kind, WSX_WS_EV_MESSAGE);
    CHECK_EQ(used, sizeof masked_hello);
    CHECK_EQ(ev.opcode, WSX_WS_OP_TEXT);
    CHECK_EQ(ev.frame_length, 5);
    CHECK_EQ(ev.rsv, 0);
    CHECK(ev.data == in + 6 && ev.size == 5 && memcmp(ev.data, "Hello", 5) == 0);
    CHECK_EQ(wsx_ws_decode(&d, in + used, 1, &used, &ev), WSX_WS_NEED_MORE);

    /* Empty, and a 16-bit length (binary, 300 bytes, client role). */
    wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL);
    in[0] = 0x82;
    in[1] = 0x00;
    CHECK_EQ(wsx_ws_decode(&d, in, 2, &used, &ev), WSX_WS_EV_MESSAGE);
    CHECK(used == 2 && ev.size == 0 && ev.data == in + 2 && ev.opcode == WSX_WS_OP_BINARY);
    big[0] = 0x82;
    big[1] = 126;
    big[2] = 300 >> 8;
    big[3] = 300 & 255;
    for (i = 0; i < 300; i++)
        big[4 + i] = (uint8_t)i;
    CHECK_EQ(wsx_ws_decode(&d, big, 304, &used, &ev), WSX_WS_EV_MESSAGE);
    CHECK(used == 304 && ev.size == 300 && ev.data == big + 4 && ev.frame_length == 300);

    /* Not whole, no FIN, an RSV bit: START. */
    CHECK_EQ(wsx_ws_decode(&d, big, 303, &used, &ev), WSX_WS_EV_MESSAGE_START);
    wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL);
    big[0] = 0x02;
    CHECK_EQ(wsx_ws_decode(&d, big, 304, &used, &ev), WSX_WS_EV_MESSAGE_START);
    {
        wsx_ws_decoder_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.rsv_allowed = WSX_WS_RSV1;
        wsx_ws_decoder_init(&d, WSX_WS_CLIENT, &cfg);
        big[0] = 0xC2;
        CHECK_EQ(wsx_ws_decode(&d, big, 304, &used, &ev), WSX_WS_EV_MESSAGE_START);
        CHECK_EQ(ev.rsv, WSX_WS_RSV1);
    }

    /* A 16-bit length below 126 is still refused, whole or not. */
    wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL);
    big[0] = 0x82;
    big[2] = 0;
    big[3] = 20;
    CHECK_EQ(wsx_ws_decode(&d, big, 24, &used, &ev), WSX_E_WS_LENGTH_NOT_MINIMAL);

    /* Text that is not UTF-8, whole: START (the buffer unchanged), then
     * the valid prefix, then the error. */
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
    memcpy(in, masked_hello, sizeof masked_hello);
    in[8] ^= 0xC0; /* 'l' ^ 0xC0: 0xAC, a continuation byte */
    memcpy(big, in, sizeof masked_hello);
    CHECK_EQ(wsx_ws_decode(&d, in, sizeof masked_hello, &used, &ev), WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(used, 6);
    CHECK(memcmp(in, big, sizeof masked_hello) == 0);
    CHECK_EQ(wsx_ws_decode(&d, in + 6, 5, &used, &ev), WSX_WS_EV_DATA);
    CHECK(ev.size == 2 && memcmp(ev.data, "He", 2) == 0);
    CHECK_EQ(wsx_ws_decode(&d, in + 8, 3, &used, &ev), WSX_E_WS_UTF8);
    /* ... and text that stops inside a code point: the same. */
    wsx_ws_decoder_init(&d, WSX_WS_CLIENT, NULL);
    CHECK_EQ(wsx_ws_decode(&d,
                           "\x81\x02"
                           "a\xc3",
                           4, &used, &ev),
             WSX_WS_EV_MESSAGE_START);
    CHECK_EQ(wsx_ws_decode(&d, "a\xc3", 2, &used, &ev), WSX_WS_EV_DATA);
    CHECK_EQ(wsx_ws_decode(&d, "", 0, &used, &ev), WSX_E_WS_UTF8);

    /* Long masked text (the validator's path), valid, then bad at 290. */
    for (i = 0; i < 2; i++) {
        size_t k;
        big[0] = 0x81;
        big[1] = 0x80 | 126;
        big[2] = 300 >> 8;
        big[3] = 300 & 255;
        memcpy(big + 4, KEY, 4);
        for (k = 0; k < 300; k++)
            big[8 + k] = (uint8_t)((k == 290 && i ? 0xFF : 'a' + k % 26) ^ KEY[k & 3]);
        memcpy(in, big, 8);
        wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
        if (!i) {
            CHECK_EQ(wsx_ws_decode(&d, big, 308, &used, &ev), WSX_WS_EV_MESSAGE);
            CHECK(used == 308 && ev.size == 300 && ev.data[299] == 'a' + 299 % 26);
        } else {
            uint8_t copy[308];
            memcpy(copy, big, 308);
            CHECK_EQ(wsx_ws_decode(&d, big, 308, &used, &ev), WSX_WS_EV_MESSAGE_START);
            CHECK(memcmp(copy, big, 308) == 0);
            CHECK_EQ(wsx_ws_decode(&d, big + 8, 300, &used, &ev), WSX_WS_EV_DATA);
            CHECK_EQ(ev.size, 290);
        }
    }

    /* A header split across calls with the whole payload in the second:
     * MESSAGE from the second call (the split header's path). */
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
    memcpy(in, masked_hello, sizeof masked_hello);
    CHECK_EQ(wsx_ws_decode(&d, in, 3, &used, &ev), WSX_WS_NEED_MORE);
    CHECK_EQ(wsx_ws_decode(&d, in + 3, sizeof masked_hello - 3, &used, &ev), WSX_WS_EV_MESSAGE);
    CHECK(used == sizeof masked_hello - 3 && ev.data == in + 6 && memcmp(ev.data, "Hello", 5) == 0);
}

/* Many frames of every kind in one stream (a smoke test of state reuse). */
static void test_long_mixed_stream(void)
{
    bytes b = {0, 0, 0};
    log_t expected;
    int i;
    memset(&expected, 0, sizeof expected);
    for (i = 0; i < 40; i++) {
        char msg[300];
        size_t n = (size_t)(i * 37) % 290;
        memset(msg, 'a' + i % 26, n);
        put_frame(&b, 1, i % 2 ? 0x81 : 0x82, msg, n);
        {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%sstart:%s:%zu", i ? "|" : "", i % 2 ? "text" : "bin", n);
            log_str(&expected, tmp);
            if (n) {
                log_str(&expected, "|data:");
                log_put(&expected, msg, n);
            }
            log_str(&expected, i % 2 ? "|end:text" : "|end:bin");
        }
        if (i % 5 == 0) {
            put_text(&b, 1, 0x89, "hb");
            log_str(&expected, "|ping:hb");
        }
    }
    log_str(&expected, "|need");
    run_bytes(WSX_WS_SERVER, &b, expected.s);
    free(expected.s);
}

int main(void)
{
    RUN(test_api);
    RUN(test_rfc_unmasked_hello);
    RUN(test_rfc_masked_hello);
    RUN(test_rfc_fragmented);
    RUN(test_rfc_ping_pong);
    RUN(test_rfc_256_and_64k_binary);
    RUN(test_length_classes);
    RUN(test_error_close_codes);
    RUN(test_rsv);
    RUN(test_rsv_allowed);
    RUN(test_reserved_opcodes);
    RUN(test_masking_by_role);
    RUN(test_control_rules);
    RUN(test_fragmentation_order);
    RUN(test_length_encoding);
    RUN(test_error_order);
    RUN(test_utf8_across_fragments);
    RUN(test_utf8_fail_fast);
    RUN(test_control_between_fragments);
    RUN(test_zero_length);
    RUN(test_incomplete_stream);
    RUN(test_close_frames);
    RUN(test_close_codes);
    RUN(test_after_close);
    RUN(test_frame_limit);
    RUN(test_message_limit);
    RUN(test_huge_declared_length);
    RUN(test_zero_config_is_default);
    RUN(test_one_byte_limits);
    RUN(test_documented_loop_utf8_failure);
    RUN(test_null_args);
    RUN(test_whole_message);
    RUN(test_long_mixed_stream);
    return harness_done();
}
