/*
 * Encoder -> decoder round trips: every opcode, the length classes around
 * the 7/16/64-bit encodings, masked (client to server) and unmasked (server
 * to client), fragmented and streamed messages, frames built in place, and
 * a > 4 GiB declared length checked against the decoder's limits.  Each
 * encoded stream is decoded whole, byte by byte and split at every offset
 * (tests/ws_decode_driver.h).
 */
#include <stdlib.h>

#include "harness.h"
#include "wsx.h"
#include "ws_decode_driver.h"

/* The encoder side of a decoder role: a server decodes what a client
 * sends (masked with a key), a client what a server sends (no key). */
static const uint8_t *sender_key(wsx_ws_role decoder_role, unsigned salt)
{
    static uint8_t keys[16][4];
    uint8_t *k = keys[salt % 16];
    if (decoder_role == WSX_WS_CLIENT)
        return NULL;
    k[0] = (uint8_t)(0x11 * salt + 1);
    k[1] = (uint8_t)(0x5a ^ salt);
    k[2] = (uint8_t)(0xc3 + salt);
    k[3] = (uint8_t)(salt * 7);
    return k;
}

/* n bytes of payload: valid UTF-8 (mostly ASCII, some 2-byte code points,
 * ending on a boundary) for text, anything for binary. */
static uint8_t *make_payload(size_t n, int text, unsigned seed)
{
    uint8_t *p = (uint8_t *)malloc(n + 1);
    size_t i = 0;
    while (i < n) {
        unsigned x = (unsigned)(i * 2654435761u) ^ seed;
        if (!text) {
            p[i++] = (uint8_t)(x >> 11);
        } else if (n - i >= 2 && (x >> 7) % 13 == 0) {
            p[i++] = 0xC3;
            p[i++] = 0xA9;
        } else {
            p[i++] = (uint8_t)('a' + (x >> 9) % 26);
        }
    }
    return p;
}

/* The expected log of one whole message with payload p[0..n). */
static void expect_message(log_t *l, int text, const uint8_t *p, size_t n, uint64_t first_len)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%sstart:%s:%llu", l->n ? "|" : "", text ? "text" : "bin",
             (unsigned long long)first_len);
    log_str(l, tmp);
    if (n) {
        log_str(l, "|data:");
        log_escaped(l, p, n);
    }
    log_str(l, text ? "|end:text" : "|end:bin");
}

static void encode(bytes *out, unsigned opcode, unsigned flags, const uint8_t *payload, size_t n,
                   const uint8_t *key)
{
    size_t cap = n + WSX_WS_MAX_HEADER, len = 0;
    uint8_t *frame = (uint8_t *)malloc(cap);
    CHECK_EQ(wsx_ws_encode_frame(opcode, flags, payload, n, key, frame, cap, &len), WSX_OK);
    CHECK_EQ(len, wsx_ws_header_size(n, key != NULL) + n);
    put(out, frame, len);
    free(frame);
}

static const wsx_ws_role roles[] = {WSX_WS_SERVER, WSX_WS_CLIENT};

static void test_data_length_classes(void)
{
    static const size_t sizes[] = {0, 1, 125, 126, 65535, 65536};
    size_t r, s;
    int text;
    for (r = 0; r < 2; r++)
        for (text = 0; text <= 1; text++)
            for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                bytes b = {0, 0, 0};
                log_t expected = {0, 0, 0, 0};
                size_t n = sizes[s];
                uint8_t *p = make_payload(n, text, (unsigned)s);
                encode(&b, text ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY, WSX_WS_FIN, p, n,
                       sender_key(roles[r], (unsigned)s));
                expect_message(&expected, text, p, n, n);
                log_str(&expected, "|need");
                run_bytes(roles[r], &b, expected.s);
                free(expected.s);
                free(p);
            }
}

static void test_control_frames(void)
{
    size_t r;
    uint8_t p125[125];
    char reason[WSX_WS_MAX_CLOSE_REASON];
    memset(p125, 0xA5, sizeof p125);
    memset(reason, 'r', sizeof reason);
    memcpy(reason, "\xe2\x82\xac", 3);
    for (r = 0; r < 2; r++) {
        bytes b = {0, 0, 0};
        log_t expected = {0, 0, 0, 0};
        uint8_t frame[WSX_WS_MAX_HEADER + 125];
        size_t len;
        encode(&b, WSX_WS_OP_PING, WSX_WS_FIN, NULL, 0, sender_key(roles[r], 1));
        encode(&b, WSX_WS_OP_PING, WSX_WS_FIN, p125, 125, sender_key(roles[r], 2));
        encode(&b, WSX_WS_OP_PONG, WSX_WS_FIN, NULL, 0, sender_key(roles[r], 3));
        encode(&b, WSX_WS_OP_PONG, WSX_WS_FIN, p125, 125, sender_key(roles[r], 4));
        log_str(&expected, "ping:|ping:");
        log_escaped(&expected, p125, 125);
        log_str(&expected, "|pong:|pong:");
        log_escaped(&expected, p125, 125);
        log_str(&expected, "|need");
        run_bytes(roles[r], &b, expected.s);
        free(expected.s);

        /* Close: empty, code only, code and the longest reason. */
        CHECK_EQ(
            wsx_ws_encode_close(0, NULL, 0, sender_key(roles[r], 5), frame, sizeof frame, &len),
            WSX_OK);
        put(&b, frame, len);
        run_bytes(roles[r], &b, "close:1005:|need");
        CHECK_EQ(
            wsx_ws_encode_close(1000, NULL, 0, sender_key(roles[r], 6), frame, sizeof frame, &len),
            WSX_OK);
        put(&b, frame, len);
        run_bytes(roles[r], &b, "close:1000:|need");
        CHECK_EQ(wsx_ws_encode_close(4999, reason, sizeof reason, sender_key(roles[r], 7), frame,
                                     sizeof frame, &len),
                 WSX_OK);
        CHECK_EQ(len, wsx_ws_header_size(125, roles[r] == WSX_WS_SERVER) + 125);
        put(&b, frame, len);
        memset(&expected, 0, sizeof expected);
        log_str(&expected, "close:4999:");
        log_escaped(&expected, (const uint8_t *)reason, sizeof reason);
        log_str(&expected, "|need");
        run_bytes(roles[r], &b, expected.s);
        free(expected.s);
    }
}

/* A message cut by the fragmenter, with a ping between two fragments and a
 * fresh key per frame. */
static void test_fragmenter(void)
{
    size_t r;
    for (r = 0; r < 2; r++) {
        const size_t total = 3000, max_fragment = 1000;
        uint8_t *msg = make_payload(total, 1, 9);
        wsx_ws_fragmenter f;
        bytes b = {0, 0, 0};
        log_t expected = {0, 0, 0, 0};
        uint8_t hdr[WSX_WS_MAX_HEADER];
        size_t hlen, at = 0;
        uint64_t n;
        unsigned frames = 0;
        int got;
        CHECK_EQ(wsx_ws_fragmenter_init(&f, WSX_WS_OP_TEXT, total, max_fragment), WSX_OK);
        while ((got = wsx_ws_fragmenter_next(&f, sender_key(roles[r], frames), &n, hdr, sizeof hdr,
                                             &hlen)) == WSX_OK &&
               hlen > 0) {
            const uint8_t *key = sender_key(roles[r], frames);
            size_t start;
            put(&b, hdr, hlen);
            start = b.n;
            put(&b, msg + at, (size_t)n);
            if (key)
                wsx_mask(b.p + start, (size_t)n, key, 0);
            at += (size_t)n;
            if (frames++ == 0)
                encode(&b, WSX_WS_OP_PING, WSX_WS_FIN, (const uint8_t *)"hb", 2,
                       sender_key(roles[r], 15));
        }
        CHECK_EQ(got, WSX_OK); /* complete: WSX_OK, no header */
        CHECK_EQ(hlen, 0);
        CHECK_EQ(frames, 3);
        CHECK_EQ(at, total);
        log_str(&expected, "start:text:1000|data:");
        log_escaped(&expected, msg, 1000);
        log_str(&expected, "|ping:hb");
        log_str(&expected, "|data:");
        log_escaped(&expected, msg + 1000, total - 1000);
        log_str(&expected, "|end:text|need");
        run_bytes(roles[r], &b, expected.s);
        free(expected.s);
        free(msg);
    }
}

/* A streamed message of unknown length: parts, then an empty final frame. */
static void test_stream(void)
{
    size_t r;
    for (r = 0; r < 2; r++) {
        static const char *parts[] = {"Hel", "lo, ", "\xe2\x82", "\xac!"};
        wsx_ws_stream s;
        bytes b = {0, 0, 0};
        uint8_t hdr[WSX_WS_MAX_HEADER];
        size_t hlen, i;
        CHECK_EQ(wsx_ws_stream_begin(&s, WSX_WS_OP_TEXT), WSX_OK);
        for (i = 0; i < 4; i++) {
            const uint8_t *key = sender_key(roles[r], (unsigned)i);
            size_t n = strlen(parts[i]), start;
            CHECK_EQ(wsx_ws_stream_next(&s, n, key, hdr, sizeof hdr, &hlen), WSX_OK);
            put(&b, hdr, hlen);
            start = b.n;
            put(&b, parts[i], n);
            if (key)
                wsx_mask(b.p + start, n, key, 0);
        }
        CHECK_EQ(wsx_ws_stream_finish(&s, 0, sender_key(roles[r], 4), hdr, sizeof hdr, &hlen),
                 WSX_OK);
        put(&b, hdr, hlen);
        run_bytes(roles[r], &b, "start:text:3|data:Hello, \\xe2\\x82\\xac!|end:text|need");
    }
}

/* wsx_ws_frame_in_place: header written before the payload in one buffer. */
static void test_in_place(void)
{
    size_t r;
    for (r = 0; r < 2; r++) {
        uint8_t buf[WSX_WS_MAX_HEADER + 300];
        uint8_t *p = make_payload(300, 0, 3);
        size_t off = 0;
        log_t expected = {0, 0, 0, 0};
        memcpy(buf + WSX_WS_MAX_HEADER, p, 300);
        CHECK_EQ(wsx_ws_frame_in_place(buf, WSX_WS_MAX_HEADER, 300, WSX_WS_OP_BINARY, WSX_WS_FIN,
                                       sender_key(roles[r], 8), &off),
                 WSX_OK);
        expect_message(&expected, 0, p, 300, 300);
        log_str(&expected, "|need");
        run_stream(roles[r], buf + off, sizeof buf - off, expected.s);
        free(expected.s);
        free(p);
    }
}

/* RSV bits set by the encoder reach the decoder only when allowed. */
static void test_rsv_roundtrip(void)
{
    wsx_ws_decoder_config cfg;
    bytes b = {0, 0, 0};
    wsx_ws_decoder_config_default(&cfg);
    encode(&b, WSX_WS_OP_BINARY, WSX_WS_FIN | WSX_WS_RSV1, (const uint8_t *)"z", 1, NULL);
    run_stream(WSX_WS_CLIENT, b.p, b.n, "error:WSX_E_WS_RSV");
    cfg.rsv_allowed = WSX_WS_RSV1;
    run_stream_cfg(WSX_WS_CLIENT, &cfg, b.p, b.n, "start:bin:1+r40|data:z|end:bin|need");
    free(b.p);
}

/* A 5 GiB declared length: only the header is sent. */
static void test_huge_header_limits(void)
{
    const uint64_t huge = (uint64_t)5 << 30;
    size_t r;
    for (r = 0; r < 2; r++) {
        wsx_ws_decoder_config cfg;
        uint8_t hdr[WSX_WS_MAX_HEADER + 3];
        size_t hlen;
        CHECK_EQ(wsx_ws_write_header(WSX_WS_OP_BINARY, WSX_WS_FIN, huge, sender_key(roles[r], 1),
                                     hdr, WSX_WS_MAX_HEADER, &hlen),
                 WSX_OK);
        CHECK_EQ(hlen, roles[r] == WSX_WS_SERVER ? 14 : 10);
        memcpy(hdr + hlen, "abc", 3);
        /* Defaults (16 MiB): refused from the header. */
        run_stream(roles[r], hdr, hlen + 3, "error:WSX_E_WS_FRAME_TOO_BIG");
        /* Frame allowed, message limit 4 GiB: refused. */
        wsx_ws_decoder_config_default(&cfg);
        cfg.max_frame_size = UINT64_MAX;
        cfg.max_message_size = (uint64_t)4 << 30;
        run_stream_cfg(roles[r], &cfg, hdr, hlen + 3, "error:WSX_E_WS_MESSAGE_TOO_BIG");
        /* No limits: START with the declared length, then what is there
         * (it was not masked: only its length matters here). */
        cfg.max_message_size = UINT64_MAX;
        {
            char expected[96];
            const uint8_t *key = sender_key(roles[r], 1);
            uint8_t tail[3];
            size_t i;
            for (i = 0; i < 3; i++)
                tail[i] = (uint8_t)("abc"[i] ^ (key ? key[i] : 0));
            snprintf(expected, sizeof expected, "start:bin:%llu|data:", (unsigned long long)huge);
            for (i = 0; i < 3; i++) {
                char hex[8];
                if (tail[i] >= 0x20 && tail[i] < 0x7f && tail[i] != '|' && tail[i] != '\\')
                    snprintf(hex, sizeof hex, "%c", tail[i]);
                else
                    snprintf(hex, sizeof hex, "\\x%02x", tail[i]);
                strcat(expected, hex);
            }
            strcat(expected, "|need");
            run_stream_cfg(roles[r], &cfg, hdr, hlen + 3, expected);
        }
    }
}

int main(void)
{
    RUN(test_data_length_classes);
    RUN(test_control_frames);
    RUN(test_fragmenter);
    RUN(test_stream);
    RUN(test_in_place);
    RUN(test_rsv_roundtrip);
    RUN(test_huge_header_limits);
    return harness_done();
}
