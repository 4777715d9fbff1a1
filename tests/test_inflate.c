/*
 * The DEFLATE decompressor, the gzip reader and CRC-32 without zlib:
 * streams built by tests/deflate_writer.h (stored, fixed, dynamic blocks,
 * every window size), RFC 7692's examples, hand-made edge cases and one
 * crafted input per named error, a decompression bomb, and every input and
 * output chunking (tests/inflate_driver.h checks the call contract).
 * zlib-made streams are in test_inflate_zlib.c.
 */
#include "deflate_writer.h"
#include "inflate_common.h"

/* ---- data --------------------------------------------------------------- */

/* kind 0 text, 1 JSON messages, 2 random bytes, 3 runs, 4 short periods */
static void gen(uint8_t *p, size_t n, int kind, unsigned seed)
{
    static const char *words[] = {"the ",    "quick ", "brown ", "fox ",  "jumps ", "over ",
                                  "lazy ",   "dog ",   "and ",   "then ", "a ",     "token ",
                                  "stream ", "of ",    "text\n", "wsx "};
    size_t i = 0;
    rnd_state = seed * 2654435761u + 1;
    while (i < n) {
        const char *s;
        char tmp[64];
        size_t l, j;
        switch (kind) {
        case 0:
            s = words[rnd() % 16];
            break;
        case 1:
            l = (size_t)snprintf(tmp, sizeof tmp, "{\"id\":%u,\"text\":\"%s\"}", rnd() % 1000,
                                 words[rnd() % 16]);
            s = tmp;
            (void)l;
            break;
        case 2:
            p[i++] = (uint8_t)rnd();
            continue;
        case 3:
            l = 1 + rnd() % 300;
            for (j = 0; j < l && i < n; j++)
                p[i++] = (uint8_t)(rnd_state >> 20);
            rnd();
            continue;
        default:
            l = 1 + rnd() % 12;
            for (j = 0; j < 200 && i < n; j++)
                p[i++] = (uint8_t)('a' + (j % l));
            continue;
        }
        l = strlen(s);
        for (j = 0; j < l && i < n; j++)
            p[i++] = (uint8_t)s[j];
    }
}

/* Inflates stream[0..n) whole and returns the result (an error expected). */
static int inflate_all(const uint8_t *stream, size_t n, unsigned bits, size_t *out_len)
{
    wsx_inflater z;
    static uint8_t out[1 << 17];
    drive_result d;
    drive_new(&z, bits);
    d = drive(&z, stream, n, 0, 0, 0, out, sizeof out);
    if (out_len)
        *out_len = d.out_len;
    return d.broken ? 999 : d.r;
}

/* The same, byte by byte into 1-byte pieces: the error must be the same. */
static int inflate_bytewise(const uint8_t *stream, size_t n, unsigned bits)
{
    wsx_inflater z;
    static uint8_t out[1 << 17];
    drive_result d;
    drive_new(&z, bits);
    d = drive(&z, stream, n, 1, 1, 0, out, sizeof out);
    return d.broken ? 999 : d.r;
}

#define CHECK_FAILS(buf, n, bits, err)                          \
    do {                                                        \
        CHECK_EQ(inflate_all((buf), (n), (bits), NULL), (err)); \
        CHECK_EQ(inflate_bytewise((buf), (n), (bits)), (err));  \
    } while (0)

/* ---- CRC-32 ------------------------------------------------------------- */

static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    size_t i;
    int k;
    crc = ~crc;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void test_crc32_vectors(void)
{
    CHECK_EQ(wsx_crc32(0, "123456789", 9), 0xCBF43926u);
    CHECK_EQ(wsx_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
    CHECK_EQ(wsx_crc32(0, NULL, 0), 0);
    CHECK_EQ(wsx_crc32(0x12345678u, NULL, 0), 0x12345678u);
    CHECK_EQ(wsx_crc32(0, "a", 1), 0xE8B7BE43u);
}

static void test_crc32_lengths_alignments_chaining(void)
{
    static uint8_t buf[4096 + 16];
    size_t len, align, cut;
    int ok = 1;
    gen(buf, sizeof buf, 2, 7);
    for (align = 0; align < 16; align++)
        for (len = 0; len <= 300; len++)
            ok &= wsx_crc32(0, buf + align, len) == crc_bitwise(0, buf + align, len);
    CHECK(ok);
    for (cut = 0; cut <= 4096; cut += QUICK ? 97 : 1)
        ok &= wsx_crc32(wsx_crc32(0, buf, cut), buf + cut, 4096 - cut) == crc_bitwise(0, buf, 4096);
    CHECK(ok);
}

/* ---- API contract ------------------------------------------------------- */

static void test_init_and_arguments(void)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
    wsx_inflater z;
    size_t iu = 7, ou = 7;
    uint8_t out[4];
    memset(&z, 0, sizeof z);
    CHECK_EQ(wsx_inflate(&z, "\x03", 1, &iu, out, 4, &ou), WSX_E_STATE);
    CHECK_EQ(wsx_inflater_reset(&z, 1), WSX_E_STATE);
    CHECK_EQ(wsx_inflater_init(NULL, 15, mem, sizeof mem), WSX_E_ARG);
    CHECK_EQ(wsx_inflater_init(&z, 15, NULL, sizeof mem), WSX_E_ARG);
    CHECK_EQ(wsx_inflater_init(&z, 7, mem, sizeof mem), WSX_E_ARG);
    CHECK_EQ(wsx_inflater_init(&z, 16, mem, sizeof mem), WSX_E_ARG);
    CHECK_EQ(wsx_inflater_init(&z, 15, mem, WSX_INFLATE_MEM_SMALL(15) - 8), WSX_E_BUFFER);
    CHECK_EQ(wsx_inflate(&z, "\x03", 1, &iu, out, 4, &ou), WSX_E_STATE); /* failed init */
    /* The small build needs less: its own size is enough for it only. */
    CHECK_EQ(wsx_inflater_init(&z, 15, mem, WSX_INFLATE_MEM_SMALL(15)),
             (wsx_build_flags() & WSX_BUILD_SMALL) ? WSX_OK : WSX_E_BUFFER);
    {
        size_t off;
        for (off = 0; off < 8; off++) /* any alignment */
            CHECK_EQ(wsx_inflater_init(&z, 14, mem + off, WSX_INFLATE_MEM_SIZE(14)), WSX_OK);
    }
    CHECK_EQ(wsx_inflater_init(&z, 8, mem, WSX_INFLATE_MEM_SIZE(8)), WSX_OK);
    CHECK_EQ(wsx_inflate(NULL, "\x03", 1, &iu, out, 4, &ou), WSX_E_ARG);
    CHECK_EQ(wsx_inflate(&z, NULL, 1, &iu, out, 4, &ou), WSX_E_ARG);
    CHECK_EQ(wsx_inflate(&z, "\x03", 1, NULL, out, 4, &ou), WSX_E_ARG);
    CHECK_EQ(wsx_inflate(&z, "\x03", 1, &iu, NULL, 4, &ou), WSX_E_ARG);
    CHECK_EQ(wsx_inflate(&z, "\x03", 1, &iu, out, 4, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_inflate(&z, NULL, 0, &iu, NULL, 0, &ou), WSX_INFLATE_NEED_INPUT);
    CHECK_EQ(iu, 0);
    CHECK_EQ(ou, 0);
    /* The empty final fixed block: 03 00. */
    CHECK_EQ(wsx_inflate(&z, "\x03\x00", 2, &iu, NULL, 0, &ou), WSX_INFLATE_END);
    CHECK_EQ(iu, 2);
    CHECK_EQ(ou, 0);
    CHECK_EQ(wsx_inflater_between_blocks(&z), 1);
    CHECK_EQ(wsx_inflater_between_blocks(NULL), 0);
    CHECK_EQ(wsx_inflater_reset(NULL, 0), WSX_E_ARG);
    CHECK_EQ((int)sizeof(wsx_inflater) <= 64, 1);
}

static void test_sticky_error_and_reset(void)
{
    wsx_inflater z;
    uint8_t out[16];
    size_t iu = 9, ou = 9;
    drive_new(&z, 15);
    CHECK_EQ(wsx_inflate(&z, "\x07", 1, &iu, out, 16, &ou), WSX_E_INFLATE_BLOCK_TYPE);
    CHECK_EQ(iu, 0);
    CHECK_EQ(ou, 0);
    CHECK_EQ(wsx_inflate(&z, "\x03\x00", 2, &iu, out, 16, &ou), WSX_E_INFLATE_BLOCK_TYPE);
    CHECK_EQ(wsx_inflater_between_blocks(&z), 0);
    CHECK_EQ(wsx_inflater_reset(&z, 1), WSX_OK);
    CHECK_EQ(wsx_inflate(&z, "\x03\x00", 2, &iu, out, 16, &ou), WSX_INFLATE_END);
    CHECK_EQ(wsx_err_close_code(WSX_E_INFLATE_DIST_TOO_FAR), 1007);
    CHECK_EQ(wsx_err_close_code(WSX_E_INFLATE_BLOCK_TYPE), 1007);
    CHECK_EQ(wsx_err_http_status(WSX_E_GZIP_CRC), 500);
}

/* ---- round trips through the test writer -------------------------------- */

static void test_writer_streams_every_mode_and_window(void)
{
    static const unsigned bits_list[] = {8, 9, 12, 15};
    static const size_t sizes[] = {0, 1, 300, 5000, 70000};
    size_t cap = 70000 * 2 + 4096;
    uint8_t *src = (uint8_t *)malloc(70000), *z = (uint8_t *)malloc(cap);
    int kind, mode;
    size_t si, bi;
    for (kind = 0; kind < 5; kind++)
        for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
            for (mode = 0; mode < 4; mode++)
                for (bi = 0; bi < 4; bi++) {
                    size_t n = sizes[si], zn;
                    unsigned bits = bits_list[bi];
                    gen(src, n, kind, (unsigned)(kind * 100 + si));
                    zn = dw_compress(src, n, bits, mode, mode == 0 ? 4000 : 1500, z, cap);
                    CHECK(zn <= cap);
                    CHECK(check_stream(z, zn, bits, src, n, 0, 0, 0));
                    if (n <= 5000 || (bits == 15 && !QUICK))
                        CHECK(check_stream(z, zn, bits, src, n, 0, 1, 0));
                    CHECK(check_stream(z, zn, bits, src, n, 7, 7, 0));
                    CHECK(check_stream(z, zn, bits, src, n, 1000, 300, 0));
                    CHECK(check_stream(z, zn, bits, src, n, 64, 4096, (unsigned)(mode + 1)));
                    if (n <= (QUICK ? 300u : 5000u))
                        CHECK(check_stream(z, zn, bits, src, n, 1, 0, 0));
                    /* A larger window decodes the same stream. */
                    CHECK(check_stream(z, zn, 15, src, n, 0, 0, 0));
                }
    free(src);
    free(z);
}

/* Every split point of a small stream, and every output piece size. */
static void test_every_split_small(void)
{
    uint8_t src[600], z[2048];
    size_t zn, k, n = sizeof src;
    int mode;
    for (mode = 0; mode < 4; mode++) {
        gen(src, n, mode == 0 ? 1 : 4, 3);
        zn = dw_compress(src, n, 15, mode, 100, z, sizeof z);
        for (k = 1; k <= zn; k++) {
            CHECK(check_stream(z, zn, 15, src, n, k, 0, 0));
            CHECK(check_stream(z, zn, 15, src, n, 0, k, 0));
        }
        for (k = 1; k < (QUICK ? 20u : 300u); k++)
            CHECK(check_stream(z, zn, 15, src, n, 13, 29, (unsigned)k));
    }
}

/* ---- RFC 7692 section 7.2.3 examples ------------------------------------ */

/* Feeds one message's payload and the sync tail; returns the output. */
static int pmd_message(wsx_inflater *z, const void *payload, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    size_t iu, ou, off = 0;
    int r;
    *out_len = 0;
    while (off < n) {
        r = wsx_inflate(z, (const uint8_t *)payload + off, n - off, &iu, out + *out_len,
                        cap - *out_len, &ou);
        off += iu;
        *out_len += ou;
        if (r < 0)
            return r;
        if (r == WSX_INFLATE_OUTPUT_FULL)
            return 999;
        if (r == WSX_INFLATE_END && off == n)
            return WSX_INFLATE_END; /* the payload ends with a final block */
    }
    r = wsx_inflate(z, WSX_DEFLATE_SYNC_TAIL, WSX_DEFLATE_SYNC_TAIL_LEN, &iu, out + *out_len,
                    cap - *out_len, &ou);
    *out_len += ou;
    if (r < 0)
        return r;
    return iu == WSX_DEFLATE_SYNC_TAIL_LEN && wsx_inflater_between_blocks(z) ? r : 998;
}

static void test_rfc7692_examples(void)
{
    wsx_inflater z;
    uint8_t out[64];
    size_t n, iu, ou;
    drive_new(&z, 15);
    /* 7.2.3.1: one compressed block. */
    CHECK_EQ(pmd_message(&z, "\xf2\x48\xcd\xc9\xc9\x07\x00", 7, out, sizeof out, &n), 0);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "Hello", 5);
    /* 7.2.3.2: the same message again, with the window shared. */
    CHECK_EQ(pmd_message(&z, "\xf2\x00\x11\x00\x00", 5, out, sizeof out, &n), 0);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "Hello", 5);
    /* ... but not after a reset without the window. */
    wsx_inflater_reset(&z, 0);
    CHECK_EQ(pmd_message(&z, "\xf2\x00\x11\x00\x00", 5, out, sizeof out, &n),
             WSX_E_INFLATE_DIST_TOO_FAR);
    wsx_inflater_reset(&z, 0);
    /* 7.2.3.3: a stored block. */
    CHECK_EQ(
        pmd_message(&z, "\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00", 11, out, sizeof out, &n),
        0);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "Hello", 5);
    /* A stream whose last byte fills out ends in the same call. */
    wsx_inflater_reset(&z, 0);
    CHECK_EQ(wsx_inflate(&z, "\xf3\x48\xcd\xc9\xc9\x07\x00", 7, &iu, out, 5, &ou), WSX_INFLATE_END);
    CHECK_EQ(ou, 5);
    CHECK_EQ(wsx_inflate(&z, "\x01\x02\x00\xfd\xffHi", 7, &iu, out, 2, &ou), WSX_INFLATE_END);
    CHECK_EQ(ou, 2);
    CHECK_EQ(wsx_inflate(&z, "\xf3\x48\xcd\xc9\xc9\x07\x00", 7, &iu, out, 4, &ou),
             WSX_INFLATE_OUTPUT_FULL);
    wsx_inflater_reset(&z, 0);
    /* 7.2.3.4: a block with BFINAL set, then (0x00 and the tail) an empty
     * stored block that starts a new stream. */
    CHECK_EQ(wsx_inflate(&z, "\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8, &iu, out, sizeof out, &ou),
             WSX_INFLATE_END);
    CHECK_EQ(iu, 7);
    CHECK_EQ(ou, 5);
    CHECK_MEM(out, "Hello", 5);
    CHECK_EQ(wsx_inflate(&z, "\x00", 1, &iu, out, sizeof out, &ou), WSX_INFLATE_NEED_INPUT);
    CHECK_EQ(wsx_inflate(&z, "\x00\x00\xff\xff", 4, &iu, out, sizeof out, &ou),
             WSX_INFLATE_NEED_INPUT);
    CHECK_EQ(ou, 0);
    CHECK_EQ(wsx_inflater_between_blocks(&z), 1);
    /* The new stream still refers to the old one's bytes (takeover). */
    CHECK_EQ(pmd_message(&z, "\xf2\x00\x11\x00\x00", 5, out, sizeof out, &n), 0);
    CHECK_MEM(out, "Hello", 5);
    /* The same payload through pmd_message: END, the tail not fed. */
    CHECK_EQ(pmd_message(&z, "\xf3\x48\xcd\xc9\xc9\x07\x00", 7, out, sizeof out, &n),
             WSX_INFLATE_END);
    CHECK_EQ(n, 5);
    /* 7.2.3.5: two blocks in one message. */
    CHECK_EQ(pmd_message(&z, "\xf2\x48\x05\x00\x00\x00\xff\xff\xca\xc9\xc9\x07\x00", 13, out,
                         sizeof out, &n),
             0);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, "Hello", 5);
    /* 7.2.3.6: the empty message is the single byte 0x00. */
    CHECK_EQ(pmd_message(&z, "\x00", 1, out, sizeof out, &n), 0);
    CHECK_EQ(n, 0);
    /* A message cut inside a block is not well formed: the tail is taken
     * as data and the decoder is left inside the block. */
    wsx_inflater_reset(&z, 1);
    CHECK_EQ(pmd_message(&z, "\xf2\x48\xcd", 3, out, sizeof out, &n), 998);
}

/* ---- hand-made edge cases ----------------------------------------------- */

static void test_stored_blocks_0_and_65535(void)
{
    static uint8_t src[65535], z[65535 + 64];
    dw w;
    size_t n;
    gen(src, sizeof src, 2, 11);
    dw_init(&w, z, sizeof z);
    dw_stored(&w, 0, src, 0);
    dw_stored(&w, 0, src, 65535);
    dw_stored(&w, 1, src, 0);
    n = w.len;
    CHECK_EQ(n, 5 + 5 + 65535 + 5);
    CHECK(check_stream(z, n, 15, src, 65535, 0, 0, 0));
    CHECK(check_stream(z, n, 8, src, 65535, 0, 0, 0)); /* no distances: any window */
    CHECK(check_stream(z, n, 15, src, 65535, 333, 1000, 0));
    CHECK(check_stream(z, n, 15, src, 65535, 0, 0, 5));
    CHECK(check_stream(z, n, 15, src, 65535, 3, 0, 0)); /* LEN, NLEN split */
}

/* A fixed-code stream: lits literals (byte value i % 251), then a match. */
static size_t fixed_with_match(uint8_t *buf, size_t cap, size_t lits, unsigned len, unsigned dist)
{
    dw w;
    dw_code lit, dc;
    size_t i;
    dw_init(&w, buf, cap);
    dw_fixed_codes(&lit, &dc);
    dw_bits(&w, 1, 1);
    dw_bits(&w, 1, 2);
    for (i = 0; i < lits; i++)
        dw_sym(&w, &lit, (unsigned)(i % 251));
    dw_match(&w, &lit, &dc, len, dist);
    dw_sym(&w, &lit, 256);
    dw_align(&w);
    return w.len;
}

static void test_distance_window_edge_every_size(void)
{
    static uint8_t buf[1 << 17], want[(1 << 15) + 300];
    unsigned bits;
    for (bits = 8; bits <= 15; bits++) {
        size_t wsz = (size_t)1 << bits, n, i;
        for (i = 0; i < wsz + 1; i++)
            want[i] = (uint8_t)(i % 251);
        /* distance = window size: the byte right after the oldest kept */
        n = fixed_with_match(buf, sizeof buf, wsz + 1, 3, (unsigned)wsz);
        for (i = 0; i < 3; i++)
            want[wsz + 1 + i] = want[1 + i];
        CHECK(check_stream(buf, n, bits, want, wsz + 4, 0, 0, 0));
        CHECK(check_stream(buf, n, bits, want, wsz + 4, 0, 1, 0)); /* from the window */
        CHECK(check_stream(buf, n, bits, want, wsz + 4, 5, 100, 0));
        /* one more: refused, although those bytes were produced; a
         * window one bit larger takes it */
        if (bits < 15) { /* (32768 is the longest distance DEFLATE has) */
            n = fixed_with_match(buf, sizeof buf, wsz + 1, 3, (unsigned)wsz + 1);
            CHECK_FAILS(buf, n, bits, WSX_E_INFLATE_DIST_TOO_FAR);
            for (i = 0; i < 3; i++)
                want[wsz + 1 + i] = want[i];
            CHECK(check_stream(buf, n, bits + 1, want, wsz + 4, 0, 1, 0));
        }
        /* beyond what a fresh stream produced */
        n = fixed_with_match(buf, sizeof buf, 10, 3, 11);
        CHECK_FAILS(buf, n, bits, WSX_E_INFLATE_DIST_TOO_FAR);
        n = fixed_with_match(buf, sizeof buf, 10, 258, 10);
        for (i = 0; i < 10; i++)
            want[i] = (uint8_t)i;
        for (i = 10; i < 268; i++)
            want[i] = want[i - 10];
        CHECK(check_stream(buf, n, bits, want, 268, 0, 0, 0));
        CHECK(check_stream(buf, n, bits, want, 268, 1, 1, 0));
    }
}

/* History across streams: reset keeping or dropping the window. */
static void test_history_across_streams(void)
{
    wsx_inflater z;
    uint8_t s1[64], s2[64], out[400];
    size_t n1, n2, iu, ou;
    dw w;
    dw_code lit, dc;
    n1 = fixed_with_match(s1, sizeof s1, 5, 3, 5); /* 0 1 2 3 4 0 1 2 */
    dw_init(&w, s2, sizeof s2);
    dw_fixed_codes(&lit, &dc);
    dw_bits(&w, 1, 1);
    dw_bits(&w, 1, 2);
    dw_match(&w, &lit, &dc, 4, 8); /* the first stream's first 4 bytes */
    dw_sym(&w, &lit, 256);
    dw_align(&w);
    n2 = w.len;
    drive_new(&z, 8);
    CHECK_EQ(wsx_inflate(&z, s1, n1, &iu, out, sizeof out, &ou), WSX_INFLATE_END);
    CHECK_EQ(ou, 8);
    CHECK_EQ(wsx_inflate(&z, s2, n2, &iu, out, sizeof out, &ou), WSX_INFLATE_END);
    CHECK_EQ(ou, 4);
    CHECK_MEM(out, "\x00\x01\x02\x03", 4);
    CHECK_EQ(wsx_inflater_reset(&z, 1), WSX_OK); /* keep: 12 bytes of history */
    CHECK_EQ(wsx_inflate(&z, s2, n2, &iu, out, sizeof out, &ou), WSX_INFLATE_END);
    CHECK_MEM(out, "\x04\x00\x01\x02", 4);
    CHECK_EQ(wsx_inflater_reset(&z, 0), WSX_OK);
    CHECK_EQ(wsx_inflate(&z, s2, n2, &iu, out, sizeof out, &ou), WSX_E_INFLATE_DIST_TOO_FAR);
    /* Two streams back to back in one buffer: END after the first. */
    {
        uint8_t both[128];
        memcpy(both, s1, n1);
        memcpy(both + n1, s2, n2);
        wsx_inflater_reset(&z, 0);
        CHECK_EQ(wsx_inflate(&z, both, n1 + n2, &iu, out, sizeof out, &ou), WSX_INFLATE_END);
        CHECK_EQ(iu, n1);
        CHECK_EQ(wsx_inflate(&z, both + iu, n1 + n2 - iu, &iu, out, sizeof out, &ou),
                 WSX_INFLATE_END);
        CHECK_EQ(iu, n2);
        CHECK_MEM(out, "\x00\x01\x02\x03", 4);
    }
}

/* A dynamic block header from a list of code length symbols (sym, extra
 * value), with a precode made for them; then the given data symbols. */
typedef struct lens_seq {
    unsigned nlen, ndist, k;
    uint8_t sym[64], x[64];
} lens_seq;

static void seq_put(lens_seq *s, unsigned sym, unsigned x)
{
    s->sym[s->k] = (uint8_t)sym;
    s->x[s->k++] = (uint8_t)x;
}

/* zeros: n zero lengths as 17/18 runs (n >= 3). */
static void seq_zeros(lens_seq *s, unsigned n)
{
    while (n >= 11) {
        unsigned r = n > 138 ? 138 : n;
        if (n - r > 0 && n - r < 3)
            r -= 3;
        seq_put(s, 18, r - 11);
        n -= r;
    }
    if (n >= 3) {
        seq_put(s, 17, n - 3);
        n = 0;
    }
    while (n--)
        seq_put(s, 0, 0);
}

static void seq_header(dw *w, const lens_seq *s, const uint8_t *prelen_override)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint32_t freq[19] = {0};
    dw_code pre;
    unsigned i, used = 0;
    memset(&pre, 0, sizeof pre);
    for (i = 0; i < s->k; i++)
        freq[s->sym[i]]++;
    dw_huffman_lengths(freq, 19, 7, pre.len);
    for (i = 0; i < 19; i++)
        used += pre.len[i] != 0;
    if (used == 1) /* complete it: a second 1-bit code */
        for (i = 0; i < 19; i++)
            if (!pre.len[i]) {
                pre.len[i] = 1;
                break;
            }
    if (prelen_override)
        memcpy(pre.len, prelen_override, 19);
    dw_make_code(&pre, 19);
    dw_bits(w, 1, 1);
    dw_bits(w, 2, 2);
    dw_bits(w, s->nlen - 257, 5);
    dw_bits(w, s->ndist - 1, 5);
    dw_bits(w, 19 - 4, 4);
    for (i = 0; i < 19; i++)
        dw_bits(w, pre.len[order[i]], 3);
    for (i = 0; i < s->k; i++) {
        dw_sym(w, &pre, s->sym[i]);
        if (s->sym[i] >= 16)
            dw_bits(w, s->x[i], s->sym[i] == 16 ? 2 : s->sym[i] == 17 ? 3 : 7);
    }
}

/* The lengths a sequence describes (what the decoder must rebuild). */
static unsigned seq_lens(const lens_seq *s, uint8_t *lens)
{
    unsigned i, have = 0, j;
    for (i = 0; i < s->k; i++) {
        unsigned sym = s->sym[i], rep = 1, v = sym;
        if (sym == 16) {
            v = have ? lens[have - 1] : 0;
            rep = 3 + s->x[i];
        } else if (sym == 17) {
            v = 0;
            rep = 3 + s->x[i];
        } else if (sym == 18) {
            v = 0;
            rep = 11 + s->x[i];
        }
        for (j = 0; j < rep; j++)
            lens[have++] = (uint8_t)v;
    }
    return have;
}

/* Stream: header from s, then "ABC" literals (as far as coded), EOB. */
static size_t seq_stream(uint8_t *buf, size_t cap, const lens_seq *s, const char *data)
{
    dw w;
    dw_code lit;
    uint8_t lens[400];
    unsigned i;
    memset(&lit, 0, sizeof lit);
    seq_lens(s, lens);
    memcpy(lit.len, lens, s->nlen);
    dw_make_code(&lit, s->nlen);
    dw_init(&w, buf, cap);
    seq_header(&w, s, NULL);
    for (i = 0; data[i]; i++)
        dw_sym(&w, &lit, (uint8_t)data[i]);
    dw_sym(&w, &lit, 256);
    dw_align(&w);
    return w.len;
}

static void test_code_length_repeats_at_table_ends(void)
{
    uint8_t buf[256];
    size_t n;
    lens_seq s;
    /* 'A' 'B' 'C' and end-of-block, 2 bits each; four 2-bit distance codes:
     * a 16 repeat ends exactly at the last distance length. */
    memset(&s, 0, sizeof s);
    s.nlen = 257;
    s.ndist = 4;
    seq_zeros(&s, 65);
    seq_put(&s, 2, 0);
    seq_put(&s, 2, 0);
    seq_put(&s, 2, 0);
    seq_zeros(&s, 256 - 68);
    seq_put(&s, 2, 0);
    seq_put(&s, 2, 0);
    seq_put(&s, 16, 0); /* 3 more */
    n = seq_stream(buf, sizeof buf, &s, "ABCCBA");
    CHECK(check_stream(buf, n, 15, (const uint8_t *)"ABCCBA", 6, 0, 0, 0));
    CHECK(check_stream(buf, n, 15, (const uint8_t *)"ABCCBA", 6, 1, 1, 0));
    /* One distance code fewer: the repeat runs past the end. */
    s.ndist = 3;
    n = seq_stream(buf, sizeof buf, &s, "A");
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_REPEAT_OVERRUN);
    /* 17 from the last literal/length code into the distance codes, to
     * the very end (no distance code at all: allowed). */
    memset(&s, 0, sizeof s);
    s.nlen = 258;
    s.ndist = 2;
    seq_zeros(&s, 65);
    seq_put(&s, 1, 0); /* 'A' */
    seq_zeros(&s, 256 - 66);
    seq_put(&s, 1, 0);  /* end-of-block */
    seq_put(&s, 17, 0); /* lens[257], both distance lengths */
    n = seq_stream(buf, sizeof buf, &s, "AAAA");
    CHECK(check_stream(buf, n, 15, (const uint8_t *)"AAAA", 4, 0, 0, 0));
    CHECK(check_stream(buf, n, 15, (const uint8_t *)"AAAA", 4, 1, 1, 0));
    s.ndist = 1; /* 17 x 3 now runs one past */
    n = seq_stream(buf, sizeof buf, &s, "A");
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_REPEAT_OVERRUN);
    /* 18 x 138 zeros at the start, then a repeat (16) of a length. */
    memset(&s, 0, sizeof s);
    s.nlen = 257;
    s.ndist = 1;
    seq_put(&s, 18, 127); /* 138 zeros */
    seq_zeros(&s, 256 - 138 - 4);
    seq_put(&s, 3, 0);  /* 252 */
    seq_put(&s, 16, 0); /* 253 254 255: 3 bits */
    seq_put(&s, 3, 0);  /* 256 */
    seq_put(&s, 1, 0);  /* the one distance code, 1 bit */
    /* lengths 3,3,3,3,3 = 5/8: incomplete literal/length code */
    n = seq_stream(buf, sizeof buf, &s, "");
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_LITLEN_CODE);
    /* 16 first: nothing to repeat */
    memset(&s, 0, sizeof s);
    s.nlen = 257;
    s.ndist = 1;
    seq_put(&s, 16, 0);
    seq_zeros(&s, 255);
    seq_put(&s, 1, 0);
    n = seq_stream(buf, sizeof buf, &s, "");
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_REPEAT_FIRST);
}

/* A block of the given literal/length and distance lengths with data. */
static size_t lens_stream(uint8_t *buf, size_t cap, const uint8_t *ll, unsigned nlen,
                          const uint8_t *dl, unsigned ndist)
{
    dw w;
    dw_code lit, dist;
    memset(&lit, 0, sizeof lit);
    memset(&dist, 0, sizeof dist);
    memcpy(lit.len, ll, nlen);
    memcpy(dist.len, dl, ndist);
    dw_make_code(&lit, nlen);
    dw_make_code(&dist, ndist);
    dw_init(&w, buf, cap);
    dw_dynamic_header(&w, 1, &lit, nlen, &dist, ndist);
    dw_align(&w);
    return w.len;
}

static void test_each_error(void)
{
    uint8_t buf[512], ll[288], dl[32];
    size_t n;
    dw w;
    dw_code lit, dc;
    /* block type 3 */
    CHECK_FAILS((const uint8_t *)"\x07", 1, 15, WSX_E_INFLATE_BLOCK_TYPE);
    CHECK_FAILS((const uint8_t *)"\x06", 1, 15, WSX_E_INFLATE_BLOCK_TYPE);
    /* stored LEN / NLEN */
    CHECK_FAILS((const uint8_t *)"\x01\x05\x00\xfa\xfe", 5, 15, WSX_E_INFLATE_STORED_LENGTH);
    CHECK_FAILS((const uint8_t *)"\x01\x00\x00\x00\x00", 5, 15, WSX_E_INFLATE_STORED_LENGTH);
    /* 287 literal/length codes, 31 distance codes */
    dw_init(&w, buf, sizeof buf);
    dw_bits(&w, 1 | 2 << 1 | 30 << 3 | 0u << 8 | 15u << 13, 17);
    dw_align(&w);
    CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_CODE_COUNT);
    dw_init(&w, buf, sizeof buf);
    dw_bits(&w, 1 | 2 << 1 | 29 << 3 | 30u << 8 | 15u << 13, 17);
    dw_align(&w);
    CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_CODE_COUNT);
    /* code length code: over-subscribed, incomplete, all zero */
    {
        static const uint8_t over[19] = {1, 1, 1};
        static const uint8_t incomplete[19] = {2, 2, 2};
        static const uint8_t zero[19] = {0};
        lens_seq s;
        memset(&s, 0, sizeof s);
        s.nlen = 257;
        s.ndist = 1;
        seq_put(&s, 0, 0);
        dw_init(&w, buf, sizeof buf);
        seq_header(&w, &s, over);
        dw_align(&w);
        CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_CODELEN_CODE);
        dw_init(&w, buf, sizeof buf);
        seq_header(&w, &s, incomplete);
        dw_align(&w);
        CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_CODELEN_CODE);
        dw_init(&w, buf, sizeof buf);
        seq_header(&w, &s, zero);
        dw_align(&w);
        CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_CODELEN_CODE);
    }
    /* literal/length code: over-subscribed ('A' 'B' EOB with 1 bit),
     * incomplete ('A' 1 bit, EOB 2 bits); no end-of-block code */
    memset(ll, 0, sizeof ll);
    memset(dl, 0, sizeof dl);
    dl[0] = 1;
    ll['A'] = ll['B'] = ll[256] = 1;
    n = lens_stream(buf, sizeof buf, ll, 257, dl, 1);
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_LITLEN_CODE);
    ll['B'] = 0;
    ll[256] = 2;
    n = lens_stream(buf, sizeof buf, ll, 257, dl, 1);
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_LITLEN_CODE);
    ll['B'] = 1;
    ll[256] = 0;
    n = lens_stream(buf, sizeof buf, ll, 257, dl, 1);
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_NO_END_CODE);
    /* distance code: over-subscribed, incomplete */
    ll['B'] = 0;
    ll['A'] = ll[256] = 1;
    dl[0] = dl[1] = dl[2] = 1;
    n = lens_stream(buf, sizeof buf, ll, 257, dl, 3);
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_DIST_CODE);
    dl[0] = dl[1] = 2;
    dl[2] = 0;
    n = lens_stream(buf, sizeof buf, ll, 257, dl, 3);
    CHECK_FAILS(buf, n, 15, WSX_E_INFLATE_DIST_CODE);
    /* one code of 1 bit: allowed for both; its unused code is an error */
    memset(ll, 0, sizeof ll);
    ll[256] = 1;
    dl[0] = 1;
    dl[1] = 0;
    dw_init(&w, buf, sizeof buf);
    memset(&lit, 0, sizeof lit);
    memset(&dc, 0, sizeof dc);
    memcpy(lit.len, ll, 257);
    memcpy(dc.len, dl, 1);
    dw_make_code(&lit, 257);
    dw_make_code(&dc, 1);
    dw_dynamic_header(&w, 1, &lit, 257, &dc, 1);
    n = w.len;
    {
        dw w2 = w;
        dw_sym(&w2, &lit, 256);
        dw_align(&w2);
        CHECK(check_stream(buf, w2.len, 15, (const uint8_t *)"", 0, 0, 0, 0));
    }
    dw_bits(&w, 1, 1); /* the code "1" */
    dw_align(&w);
    CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_LITLEN_SYMBOL);
    (void)n;
    /* fixed block: literal/length 286 and 287, distance 30 and 31 */
    dw_fixed_codes(&lit, &dc);
    {
        unsigned bad;
        for (bad = 286; bad <= 287; bad++) {
            dw_init(&w, buf, sizeof buf);
            dw_bits(&w, 3, 3);
            dw_sym(&w, &lit, 'a');
            dw_sym(&w, &lit, bad);
            dw_align(&w);
            CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_LITLEN_SYMBOL);
        }
        for (bad = 30; bad <= 31; bad++) {
            dw_init(&w, buf, sizeof buf);
            dw_bits(&w, 3, 3);
            dw_sym(&w, &lit, 'a');
            dw_sym(&w, &lit, 257); /* length 3 */
            dw_sym(&w, &dc, bad);
            dw_bits(&w, 0, 16);
            dw_align(&w);
            CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_DIST_SYMBOL);
        }
    }
    /* a length in a block without distance codes */
    memset(ll, 0, sizeof ll);
    memset(dl, 0, sizeof dl);
    ll['A'] = 1;
    ll[256] = 2;
    ll[257] = 2;
    memset(&lit, 0, sizeof lit);
    memset(&dc, 0, sizeof dc);
    memcpy(lit.len, ll, 258);
    dw_make_code(&lit, 258);
    dw_make_code(&dc, 1);
    dw_init(&w, buf, sizeof buf);
    dw_dynamic_header(&w, 1, &lit, 258, &dc, 1);
    dw_sym(&w, &lit, 'A');
    dw_sym(&w, &lit, 257);
    dw_bits(&w, 0, 8);
    dw_align(&w);
    CHECK_FAILS(buf, w.len, 15, WSX_E_INFLATE_DIST_SYMBOL);
    /* distance too far: see test_distance_window_edge_every_size */
    CHECK_FAILS((const uint8_t *)"\xf2\x00\x11\x00\x00", 5, 15, WSX_E_INFLATE_DIST_TOO_FAR);
}

/* A stream the input ends in the middle of: NEED_INPUT, never an error. */
static void test_truncated_is_need_input(void)
{
    static uint8_t src[3000], z[4000], out[3000];
    size_t zn, k;
    int mode;
    for (mode = 0; mode < 4; mode++) {
        gen(src, sizeof src, 0, 9);
        zn = dw_compress(src, sizeof src, 15, mode, 300, z, sizeof z);
        for (k = 0; k < zn; k += QUICK ? 37 : 1) {
            wsx_inflater zz;
            drive_result d;
            drive_new(&zz, 15);
            d = drive(&zz, z, k, 0, 0, 0, out, sizeof out);
            CHECK(!d.broken && d.r == WSX_INFLATE_NEED_INPUT && d.in_used == k);
            CHECK(memcmp(out, src, d.out_len) == 0);
        }
    }
}

/* ---- bombs and work ----------------------------------------------------- */

/* A dynamic block: 'x', then matches of 258 bytes at distance 1, 3 bits
 * each (a ratio of about 690). */
static size_t bomb(uint8_t *buf, size_t cap, size_t matches, int final)
{
    dw w;
    dw_code lit, dist;
    size_t i;
    memset(&lit, 0, sizeof lit);
    memset(&dist, 0, sizeof dist);
    lit.len['x'] = 1;
    lit.len[256] = 2;
    lit.len[285] = 2;
    dist.len[0] = 1;
    dw_make_code(&lit, 286);
    dw_make_code(&dist, 1);
    dw_init(&w, buf, cap);
    dw_dynamic_header(&w, final, &lit, 286, &dist, 1);
    dw_sym(&w, &lit, 'x');
    for (i = 0; i < matches; i++) {
        dw_sym(&w, &lit, 285);
        dw_sym(&w, &dist, 0);
    }
    dw_sym(&w, &lit, 256);
    dw_align(&w);
    return w.len;
}

static void test_bomb_stopped_by_the_caller(void)
{
    static uint8_t buf[64 * 1024], out[65536];
    size_t n = bomb(buf, sizeof buf, (sizeof buf - 64) * 8 / 3, 1), total = 0, in = 0, calls = 0;
    size_t limit = (size_t)4 << 20;
    wsx_inflater z;
    int r = 0;
    CHECK(n <= sizeof buf);
    drive_new(&z, 15);
    /* The caller's limit: 4 MiB, checked after each call of <= 64 KiB. */
    while (total < limit) {
        size_t iu, ou;
        r = wsx_inflate(&z, buf + in, n - in, &iu, out, sizeof out, &ou);
        CHECK_EQ(r, WSX_INFLATE_OUTPUT_FULL);
        CHECK_EQ(ou, sizeof out);
        CHECK(out[0] == 'x' && out[sizeof out - 1] == 'x');
        in += iu;
        total += ou;
        calls++;
    }
    /* Work in proportion: about 3 bits of input per 258 bytes out. */
    CHECK(in <= 64 + total / 258 * 3 / 8 + 16);
    CHECK_EQ(calls, limit / sizeof out);
    /* The whole bomb: ~45 MB from 64 KiB, 1-MiB pieces. */
    if (!QUICK) {
        static uint8_t big[1 << 20];
        wsx_inflater_reset(&z, 0);
        in = total = 0;
        do {
            size_t iu, ou;
            r = wsx_inflate(&z, buf + in, n - in, &iu, big, sizeof big, &ou);
            in += iu;
            total += ou;
        } while (r == WSX_INFLATE_OUTPUT_FULL);
        CHECK_EQ(r, WSX_INFLATE_END);
        CHECK_EQ(in, n);
        CHECK_EQ(total, 1 + ((sizeof buf - 64) * 8 / 3) * 258);
    }
}

/* Inputs that produce nothing: work stays in proportion to the input. */
static void test_empty_blocks_and_zero_room(void)
{
    static uint8_t buf[5 * 10000 + 2];
    wsx_inflater z;
    size_t i, iu, ou;
    for (i = 0; i < 10000; i++)
        memcpy(buf + 5 * i, "\x00\x00\x00\xff\xff", 5);
    memcpy(buf + 50000, "\x03\x00", 2);
    drive_new(&z, 15);
    /* no room at all: the empty blocks need none */
    CHECK_EQ(wsx_inflate(&z, buf, sizeof buf, &iu, NULL, 0, &ou), WSX_INFLATE_END);
    CHECK_EQ(iu, sizeof buf);
    /* "a" (4b 04 00) with no room: OUTPUT_FULL, the block header's byte
     * used, then nothing used however often the call is made */
    wsx_inflater_reset(&z, 0);
    CHECK_EQ(wsx_inflate(&z, "\x4b\x04\x00", 3, &iu, NULL, 0, &ou), WSX_INFLATE_OUTPUT_FULL);
    CHECK_EQ(iu, 1);
    CHECK_EQ(ou, 0);
    for (i = 0; i < 3; i++) {
        CHECK_EQ(wsx_inflate(&z, "\x04\x00", 2, &iu, NULL, 0, &ou), WSX_INFLATE_OUTPUT_FULL);
        CHECK_EQ(iu, 0);
    }
    {
        uint8_t one[1];
        CHECK_EQ(wsx_inflate(&z, "\x04\x00", 2, &iu, one, 1, &ou), WSX_INFLATE_END);
        CHECK_EQ(iu, 2);
        CHECK_EQ(ou, 1);
        CHECK_EQ(one[0], 'a');
    }
}

/* ---- gzip --------------------------------------------------------------- */

/* A gzip member around a DEFLATE stream of data. */
static size_t gzip_member(uint8_t *buf, size_t cap, const uint8_t *data, size_t n, unsigned flags,
                          int mode)
{
    size_t k = 0, zn;
    uint32_t crc;
    static const uint8_t head[10] = {0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 0, 3};
    memcpy(buf, head, 10);
    buf[3] = (uint8_t)flags;
    k = 10;
    if (flags & 4) { /* FEXTRA: XLEN 6, one subfield */
        memcpy(buf + k,
               "\x06\x00"
               "AB\x02\x00xy",
               8);
        k += 8;
    }
    if (flags & 8) {
        memcpy(buf + k, "name.txt", 9);
        k += 9;
    }
    if (flags & 16) {
        memcpy(buf + k, "a comment", 10);
        k += 10;
    }
    if (flags & 2) {
        crc = wsx_crc32(0, buf, k);
        buf[k++] = (uint8_t)crc;
        buf[k++] = (uint8_t)(crc >> 8);
    }
    zn = dw_compress(data, n, 15, mode, 500, buf + k, cap - k - 8);
    k += zn;
    crc = wsx_crc32(0, data, n);
    buf[k++] = (uint8_t)crc;
    buf[k++] = (uint8_t)(crc >> 8);
    buf[k++] = (uint8_t)(crc >> 16);
    buf[k++] = (uint8_t)(crc >> 24);
    buf[k++] = (uint8_t)n;
    buf[k++] = (uint8_t)(n >> 8);
    buf[k++] = (uint8_t)(n >> 16);
    buf[k++] = (uint8_t)(n >> 24);
    return k;
}

/* Reads a gzip stream in pieces; returns the last result, sets out_len
 * and in_used, counts END events. */
static int gz_read(const uint8_t *buf, size_t n, size_t ichunk, size_t ochunk, uint8_t *out,
                   size_t cap, size_t *out_len, size_t *in_used, int *ends)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
    wsx_gzip_reader g;
    int r = 0;
    size_t guard = 0;
    *out_len = *in_used = 0;
    *ends = 0;
    if (wsx_gzip_reader_init(&g, 15, mem, sizeof mem) != WSX_OK)
        return 999;
    for (;;) {
        size_t il = n - *in_used < ichunk ? n - *in_used : ichunk, iu, ou;
        size_t ol = cap - *out_len < ochunk ? cap - *out_len : ochunk;
        r = wsx_gzip_read(&g, buf + *in_used, il, &iu, out + *out_len, ol, &ou);
        if (r < 0)
            return r;
        *in_used += iu;
        *out_len += ou;
        if (r == WSX_INFLATE_END)
            (*ends)++;
        if (r == WSX_INFLATE_NEED_INPUT && *in_used == n)
            return r;
        if (r == WSX_INFLATE_END && *in_used == n)
            return r;
        if (++guard > 10 * (n + cap) + 100)
            return 997;
    }
}

static void test_gzip_headers_and_chunking(void)
{
    static uint8_t data[5000], buf[8000], out[11000];
    unsigned flags;
    size_t n, ol, iu;
    int ends;
    gen(data, sizeof data, 0, 5);
    for (flags = 0; flags < 32; flags++) {
        n = gzip_member(buf, sizeof buf, data, sizeof data, flags, 2);
        CHECK_EQ(gz_read(buf, n, n, sizeof out, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
        CHECK(ol == sizeof data && memcmp(out, data, ol) == 0 && iu == n && ends == 1);
        CHECK_EQ(gz_read(buf, n, 1, 1, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
        CHECK(ol == sizeof data && memcmp(out, data, ol) == 0 && iu == n);
        CHECK_EQ(gz_read(buf, n, 7, 333, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
        CHECK(ol == sizeof data && memcmp(out, data, ol) == 0 && iu == n);
    }
    /* two members and an empty one: one stream of data, an END each */
    n = gzip_member(buf, sizeof buf, data, 3000, 8, 1);
    n += gzip_member(buf + n, sizeof buf - n, data + 3000, 0, 0, 1);
    n += gzip_member(buf + n, sizeof buf - n, data + 3000, 2000, 2 | 16, 0);
    CHECK_EQ(gz_read(buf, n, n, sizeof out, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
    CHECK_EQ(ends, 3);
    CHECK(ol == sizeof data && memcmp(out, data, ol) == 0 && iu == n);
    CHECK_EQ(gz_read(buf, n, 3, 2, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
    CHECK_EQ(ends, 3);
    CHECK(ol == sizeof data && memcmp(out, data, ol) == 0);
    /* a stream cut short: NEED_INPUT */
    CHECK_EQ(gz_read(buf, 20, 5, 100, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_NEED_INPUT);
}

static void test_gzip_errors(void)
{
    static uint8_t data[300], buf[1000], out[1000];
    size_t n, ol, iu;
    int ends;
    gen(data, sizeof data, 1, 2);
    n = gzip_member(buf, sizeof buf, data, sizeof data, 2 | 8, 2);
    buf[0] = 0x1e;
    CHECK_EQ(gz_read(buf, n, 1, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_MAGIC);
    buf[0] = 0x1f;
    buf[1] = 0x8c;
    CHECK_EQ(gz_read(buf, n, n, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_MAGIC);
    buf[1] = 0x8b;
    buf[2] = 7;
    CHECK_EQ(gz_read(buf, n, n, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_METHOD);
    buf[2] = 8;
    buf[3] |= 0x20;
    CHECK_EQ(gz_read(buf, n, n, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_FLAGS);
    buf[3] &= 0x1f;
    buf[12] ^= 1; /* in the name: the header CRC no longer matches */
    CHECK_EQ(gz_read(buf, n, n, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_HEADER_CRC);
    CHECK_EQ(gz_read(buf, n, 1, 100, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_HEADER_CRC);
    buf[12] ^= 1;
    CHECK_EQ(gz_read(buf, n, n, 1000, out, sizeof out, &ol, &iu, &ends), WSX_INFLATE_END);
    buf[n - 8] ^= 0x40; /* CRC-32 */
    CHECK_EQ(gz_read(buf, n, n, 1000, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_CRC);
    CHECK_EQ(gz_read(buf, n, 1, 1, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_CRC);
    buf[n - 8] ^= 0x40;
    buf[n - 4] ^= 1; /* ISIZE */
    CHECK_EQ(gz_read(buf, n, n, 1000, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_SIZE);
    buf[n - 4] ^= 1;
    buf[n - 1] ^= 1;
    CHECK_EQ(gz_read(buf, n, 2, 1000, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_SIZE);
    buf[n - 1] ^= 1;
    /* each field is checked as soon as it is in (as zlib does) */
    CHECK_EQ(gz_read((const uint8_t *)"\x1f\x8c", 2, 1, 10, out, sizeof out, &ol, &iu, &ends),
             WSX_E_GZIP_MAGIC);
    CHECK_EQ(gz_read((const uint8_t *)"\x1f\x8b\x07", 3, 3, 10, out, sizeof out, &ol, &iu, &ends),
             WSX_INFLATE_NEED_INPUT);
    CHECK_EQ(
        gz_read((const uint8_t *)"\x1f\x8b\x07\x00", 4, 1, 10, out, sizeof out, &ol, &iu, &ends),
        WSX_E_GZIP_METHOD);
    CHECK_EQ(
        gz_read((const uint8_t *)"\x1f\x8b\x08\x80", 4, 4, 10, out, sizeof out, &ol, &iu, &ends),
        WSX_E_GZIP_FLAGS);
    buf[n - 8] ^= 0x40; /* a bad CRC-32 is refused before ISIZE arrives */
    CHECK_EQ(gz_read(buf, n - 4, 1, 1000, out, sizeof out, &ol, &iu, &ends), WSX_E_GZIP_CRC);
    buf[n - 8] ^= 0x40;
    CHECK_EQ(gz_read(buf, n - 1, 1, 1000, out, sizeof out, &ol, &iu, &ends),
             WSX_INFLATE_NEED_INPUT);
    /* DEFLATE errors come through; errors are sticky */
    {
        static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
        wsx_gzip_reader g;
        size_t ou;
        memcpy(buf + 10, "\x07", 1); /* block type 3 after a bare header */
        buf[3] = 0;
        CHECK_EQ(wsx_gzip_reader_init(&g, 15, mem, sizeof mem), WSX_OK);
        CHECK_EQ(wsx_gzip_read(&g, buf, 11, &iu, out, 100, &ou), WSX_E_INFLATE_BLOCK_TYPE);
        CHECK_EQ(wsx_gzip_read(&g, buf, 11, &iu, out, 100, &ou), WSX_E_INFLATE_BLOCK_TYPE);
        CHECK_EQ(wsx_gzip_read(NULL, buf, 11, &iu, out, 100, &ou), WSX_E_ARG);
        CHECK_EQ(wsx_gzip_reader_init(&g, 15, mem, 100), WSX_E_BUFFER);
        CHECK_EQ(wsx_gzip_read(&g, buf, 11, &iu, out, 100, &ou), WSX_E_STATE);
    }
}

int main(void)
{
    RUN(test_crc32_vectors);
    RUN(test_crc32_lengths_alignments_chaining);
    RUN(test_init_and_arguments);
    RUN(test_sticky_error_and_reset);
    RUN(test_writer_streams_every_mode_and_window);
    RUN(test_every_split_small);
    RUN(test_rfc7692_examples);
    RUN(test_stored_blocks_0_and_65535);
    RUN(test_distance_window_edge_every_size);
    RUN(test_history_across_streams);
    RUN(test_code_length_repeats_at_table_ends);
    RUN(test_each_error);
    RUN(test_truncated_is_need_input);
    RUN(test_bomb_stopped_by_the_caller);
    RUN(test_empty_blocks_and_zero_room);
    RUN(test_gzip_headers_and_chunking);
    RUN(test_gzip_errors);
    free(drive_mem);
    return harness_done();
}
