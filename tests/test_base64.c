/*
 * wsx_base64_encode/decode: RFC 4648 section 10 vectors both ways, round
 * trips, and every way a strict decoder must refuse input.
 */
#include "harness.h"
#include "wsx_util.h"

static const struct {
    const char *plain, *coded;
} rfc_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_encode(void)
{
    size_t i;
    for (i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
        char out[16];
        size_t n = strlen(rfc_vectors[i].plain);
        memset(out, '#', sizeof out);
        CHECK_EQ(wsx_base64_encode(rfc_vectors[i].plain, n, out), strlen(rfc_vectors[i].coded));
        CHECK_EQ(WSX_BASE64_LEN(n), strlen(rfc_vectors[i].coded));
        CHECK_MEM(out, rfc_vectors[i].coded, strlen(rfc_vectors[i].coded));
        CHECK(out[strlen(rfc_vectors[i].coded)] == '#'); /* no NUL, no overrun */
    }
}

static void test_rfc4648_decode(void)
{
    size_t i;
    for (i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
        size_t n = strlen(rfc_vectors[i].coded), outlen = 99;
        char *g = (char *)guarded_copy(rfc_vectors[i].coded, n);
        uint8_t out[16];
        CHECK_EQ(wsx_base64_decode(g, n, out, sizeof out, &outlen), WSX_OK);
        CHECK_EQ(outlen, strlen(rfc_vectors[i].plain));
        CHECK_MEM(out, rfc_vectors[i].plain, outlen);
        /* exactly the needed capacity is enough; less is WSX_E_BUFFER with
         * the size needed; out NULL and cap 0 asks for it */
        CHECK_EQ(wsx_base64_decode(g, n, out, outlen, &outlen), WSX_OK);
        if (outlen > 0) {
            size_t need = outlen;
            outlen = 0;
            CHECK_EQ(wsx_base64_decode(g, n, out, need - 1, &outlen), WSX_E_BUFFER);
            CHECK_EQ(outlen, need);
            outlen = 0;
            CHECK_EQ(wsx_base64_decode(g, n, NULL, 0, &outlen), WSX_OK);
            CHECK_EQ(outlen, need);
        }
        guarded_free(g, n);
    }
}

static void test_round_trip_all_bytes(void)
{
    uint8_t in[256], back[256];
    char coded[WSX_BASE64_LEN(256)];
    size_t n, i;
    for (i = 0; i < 256; i++)
        in[i] = (uint8_t)(255 - i);
    for (n = 0; n <= 256; n++) {
        size_t clen = wsx_base64_encode(in, n, coded), blen = 0;
        CHECK_EQ(clen, WSX_BASE64_LEN(n));
        CHECK_EQ(wsx_base64_decode(coded, clen, back, sizeof back, &blen), WSX_OK);
        CHECK_EQ(blen, n);
        CHECK_MEM(back, in, n);
    }
}

static void test_rejects(void)
{
    static const char *const bad[] = {
        "Zg=",                                   /* length not a multiple of 4 */
        "Zg",   "Z",     "Zm9vY",    "Zg==Zg==", /* '=' in the middle */
        "Z=g=", "Zm=v",  "=Zm9",     "A===",     /* too much padding */
        "====", "Z===",  "Zh==",                 /* non-zero bits under the padding */
        "Zm9=", "Zm+=",  "Zm9v!A==",             /* characters outside the alphabet */
        "Zm9 ", "Zm9\n", "Zm-_",     "Zm9v\0\0\0\0",
    };
    static const size_t lens[] = {3, 2, 1, 5, 8, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 4, 4, 4, 8};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t out[16];
        size_t outlen = 77;
        int r = wsx_base64_decode(bad[i], lens[i], out, sizeof out, &outlen);
        if (r != WSX_E_BASE64)
            fprintf(stderr, "  accepted or wrong error for \"%s\": %d\n", bad[i], r);
        CHECK_EQ(r, WSX_E_BASE64);
        CHECK_EQ(outlen, 0);
    }
}

/* Every 4-character group ending in one or two '=' is accepted exactly when
 * its pad bits are zero, and decodes to what was encoded. */
static void test_pad_bits_exhaustive(void)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int a, b, c, ok = 1;
    for (a = 0; a < 64; a++)
        for (b = 0; b < 64; b++) {
            char g[4] = {alphabet[a], alphabet[b], '=', '='};
            uint8_t out[3];
            size_t n = 0;
            int r = wsx_base64_decode(g, 4, out, 3, &n);
            ok &= (b & 15) ? r == WSX_E_BASE64
                           : (r == WSX_OK && n == 1 && out[0] == (a << 2 | b >> 4));
            for (c = 0; c < 64; c++) {
                g[2] = alphabet[c];
                g[3] = '=';
                r = wsx_base64_decode(g, 4, out, 3, &n);
                ok &= (c & 3) ? r == WSX_E_BASE64 : (r == WSX_OK && n == 2);
            }
        }
    CHECK(ok);
}

/* Rule 5: NULL required pointers; rule 2's shape for the decoder. */
static void test_args(void)
{
    uint8_t out[4];
    char text[8] = "#";
    size_t n = 7;
    CHECK_EQ(wsx_base64_decode("Zg==", 4, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_base64_decode(NULL, 4, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    n = 7;
    CHECK_EQ(wsx_base64_decode("Zg==", 4, NULL, 1, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_base64_decode(NULL, 0, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_base64_encode(NULL, 0, out), 0);
    CHECK_EQ(wsx_base64_encode(NULL, 3, text), 0);
    CHECK_EQ(wsx_base64_encode("abc", 3, NULL), 0);
    CHECK(text[0] == '#');
    /* input as any byte type, output as any buffer */
    {
        static const uint8_t bytes[3] = {'a', 'b', 'c'};
        char coded[4];
        uint8_t back[3];
        CHECK_EQ(wsx_base64_encode(bytes, 3, coded), 4);
        CHECK_EQ(wsx_base64_decode(coded, 4, back, sizeof back, &n), WSX_OK);
        CHECK_EQ(n, 3);
        CHECK_MEM(back, "abc", 3);
    }
}

int main(void)
{
    RUN(test_rfc4648_encode);
    RUN(test_rfc4648_decode);
    RUN(test_round_trip_all_bytes);
    RUN(test_rejects);
    RUN(test_pad_bits_exhaustive);
    RUN(test_args);
    return harness_done();
}
