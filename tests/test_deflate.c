/*
 * The DEFLATE compressor and the gzip writer, checked by zlib's inflate (an
 * oracle only: the library never links it), by wsx's own inflater and by
 * the reference decoder of fuzz/inflate_ref.h, which also proves that no
 * distance goes beyond the window (zlib cannot inflate raw 8-bit windows).
 *   - byte-exact where the RFCs fix the bytes: an empty permessage-deflate
 *     message is 00 (RFC 7692 7.2.3.6), a sync flush ends 00 00 ff ff and a
 *     message is the same bytes without them, an empty finished stream is
 *     03 00, the gzip header;
 *   - round trips of random data, text, JSON and repetitive data at every
 *     level and window bits 8..15;
 *   - the same output for any chunking of input and output (1-byte output
 *     buffers included) and decodable data after every flush;
 *   - messages with and without context takeover;
 *   - wsx_deflate_bound, arguments and states;
 *   - gzip streams accepted by zlib (windowBits 31), `gzip -d` and Python.
 * TEST_LIBS: -lz
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "../fuzz/inflate_ref.h"
#include "harness.h"
#include "wsx_deflate.h"

/* ---- data ---------------------------------------------------------------- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

enum { RANDOM, TEXT, JSON, REPEAT, KINDS };

static const char *words[] = {"the ",    "quick ",    "brown ",    "fox ",     "jumps ",
                              "over ",   "lazy ",     "dog ",      "and ",     "a ",
                              "window ", "of ",       "bits ",     "message ", "stream ",
                              "server ", "client.\n", "compress ", "token "};

static void make_data(int kind, uint8_t *p, size_t n, uint32_t seed)
{
    size_t i = 0;
    rng_state = seed;
    while (i < n) {
        char piece[96];
        size_t k = 0;
        uint32_t r = rnd();
        if (kind == RANDOM) {
            piece[k++] = (char)r;
        } else if (kind == TEXT) {
            k = (size_t)sprintf(piece, "%s", words[r % (sizeof words / sizeof words[0])]);
        } else if (kind == JSON) {
            k = (size_t)sprintf(piece, "{\"id\":%u,\"name\":\"%s\",\"ok\":%s},",
                                (unsigned)(r % 5000), words[r % 7], r & 1 ? "true" : "false");
        } else {
            /* runs, short periods, long matches, copies from far back */
            switch (r % 5) {
            case 0:
                k = 1 + r % 90;
                memset(piece, 'a' + (int)(r % 3), k);
                break;
            case 1:
                k = (size_t)sprintf(piece, "abcabcabcabcabcabcabcabc");
                break;
            case 2:
                k = (size_t)sprintf(piece, "%c", (char)(r >> 8));
                break;
            case 3:
                if (i > 300) {
                    size_t back = 1 + (r >> 4) % (i < 40000 ? i : 40000), len = 3 + r % 300, j;
                    for (j = 0; j < len && i < n; j++, i++)
                        p[i] = p[i - back];
                }
                break;
            default:
                k = (size_t)sprintf(piece, "0000000000000000");
                break;
            }
        }
        if (k > n - i)
            k = n - i;
        memcpy(p + i, piece, k);
        i += k;
    }
}

/* ---- compressing ------------------------------------------------------------ */

static uint8_t *mem15;
static size_t mem15_size;

static void init(wsx_deflater *d, int wb, int level)
{
    wsx_deflater_config cfg;
    cfg.window_bits = wb;
    cfg.level = level;
    CHECK_EQ(wsx_deflater_init(d, &cfg, mem15, mem15_size), WSX_OK);
}

/* Compresses in[0..n) with one flush at the end, feeding input in chunks
 * of at most in_step bytes and output room of out_step bytes (0: all). */
static size_t deflate_chunked(wsx_deflater *d, const uint8_t *in, size_t n, int flush, uint8_t *out,
                              size_t cap, size_t in_step, size_t out_step)
{
    size_t at = 0, produced = 0;
    int r;
    do {
        size_t len = n - at, used = 0, room = cap - produced, got = 0;
        if (in_step && len > in_step)
            len = in_step;
        if (out_step && room > out_step)
            room = out_step;
        r = wsx_deflate(d, in + at, len, &used, at + len == n ? flush : WSX_DEFLATE_NO_FLUSH,
                        out + produced, room, &got);
        CHECK(r == WSX_OK || r == WSX_DEFLATE_OUTPUT_FULL);
        CHECK(used <= len && got <= room);
        if (r < 0 || (r == WSX_DEFLATE_OUTPUT_FULL && produced + got == cap))
            break;
        at += used;
        produced += got;
    } while (r == WSX_DEFLATE_OUTPUT_FULL || at < n);
    return produced;
}

static size_t deflate_all(wsx_deflater *d, const uint8_t *in, size_t n, int flush, uint8_t *out,
                          size_t cap)
{
    return deflate_chunked(d, in, n, flush, out, cap, 0, 0);
}

/* zlib's raw inflate of in[0..n) (window bits 9..15); returns the length
 * or -1. */
static long zinflate(const uint8_t *in, size_t n, int wb, uint8_t *out, size_t cap)
{
    z_stream z;
    int r;
    long got;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -(wb < 9 ? 9 : wb)) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    r = inflate(&z, Z_SYNC_FLUSH);
    got = (long)(cap - z.avail_out);
    inflateEnd(&z);
    return (r == Z_OK || r == Z_STREAM_END) && z.avail_in == 0 ? got : -1;
}

/* wsx's inflater on a window of 2^wb, fed whole; returns the length or
 * -1 (an error, or the stream did not end with BFINAL). */
static long wsx_inflate_all(const uint8_t *in, size_t n, int wb, uint8_t *out, size_t cap)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
    wsx_inflater z;
    size_t used, got;
    if (wsx_inflater_init(&z, (unsigned)wb, mem, sizeof mem) != WSX_OK)
        return -1;
    if (wsx_inflate(&z, in, n, &used, out, cap, &got) != WSX_INFLATE_END || used != n)
        return -1;
    return (long)got;
}

/* The three decoders give back want[0..n) from c[0..clen); wsx's and the
 * reference one see no distance beyond 2^wb.  Returns the largest
 * distance. */
static size_t check_round_trip(const uint8_t *c, size_t clen, const uint8_t *want, size_t n, int wb)
{
    uint8_t *back = (uint8_t *)malloc(n + 64);
    ref_inflate r;
    long z = zinflate(c, clen, wb, back, n + 64);
    CHECK_EQ(z, (long)n);
    CHECK(z == (long)n && memcmp(back, want, n) == 0);
    memset(back, 0, n);
    CHECK_EQ(ref_inflate_run(&r, c, clen, back, n + 64, 0, (size_t)1 << wb), 0);
    CHECK_EQ(r.out_len, n);
    CHECK(memcmp(back, want, n) == 0);
    CHECK(r.max_dist <= (size_t)1 << wb);
    memset(back, 0, n);
    CHECK_EQ(wsx_inflate_all(c, clen, wb, back, n + 64), (long)n);
    CHECK(memcmp(back, want, n) == 0);
    free(back);
    return r.max_dist;
}

/* ---- exact bytes ---------------------------------------------------------- */

static void test_empty_message_is_00(void)
{
    wsx_deflater d;
    uint8_t out[16];
    size_t used = 7, n = 7;
    init(&d, 15, 6);
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(used, 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0], 0x00);
    /* after a message, and again */
    CHECK_EQ(wsx_deflate(&d, "Hello", 5, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n), WSX_OK);
    CHECK(n > 1);
    CHECK_EQ(wsx_deflate(&d, "", 0, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0], 0x00);
    /* into a 1-byte buffer */
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_MESSAGE, out, 1, &n), WSX_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0], 0x00);
}

static void test_empty_streams(void)
{
    static const uint8_t finish[2] = {0x03, 0x00}, sync[5] = {0x00, 0x00, 0x00, 0xFF, 0xFF};
    wsx_deflater d;
    uint8_t out[16];
    size_t used, n;
    init(&d, 15, 1);
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_FINISH, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 2);
    CHECK_MEM(out, finish, 2);
    init(&d, 12, 9);
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_SYNC, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 5);
    CHECK_MEM(out, sync, 5);
    /* nothing to flush: nothing written */
    CHECK_EQ(wsx_deflate(&d, NULL, 0, &used, WSX_DEFLATE_NO_FLUSH, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 0);
}

/* A sync flush ends 00 00 ff ff; a message is the same bytes without them
 * (RFC 7692 7.2.1), and decodes once they are put back. */
static void test_message_is_sync_without_tail(void)
{
    static const uint8_t tail[4] = {0x00, 0x00, 0xFF, 0xFF};
    uint8_t in[3000], msg[4000], sync[4000], back[3100];
    int kind;
    for (kind = 0; kind < KINDS; kind++) {
        wsx_deflater a, b;
        size_t sizes[3] = {1, 37, sizeof in}, k;
        make_data(kind, in, sizeof in, 99u + (unsigned)kind);
        init(&a, 15, 6);
        for (k = 0; k < 3; k++) {
            size_t m, s;
            static uint8_t mem_b[WSX_DEFLATE_MEM_SIZE(15)];
            CHECK_EQ(wsx_deflater_init(&b, NULL, mem_b, sizeof mem_b), WSX_OK);
            init(&a, 15, 6);
            m = deflate_all(&a, in, sizes[k], WSX_DEFLATE_MESSAGE, msg, sizeof msg);
            s = deflate_all(&b, in, sizes[k], WSX_DEFLATE_SYNC, sync, sizeof sync);
            CHECK_EQ(s, m + 4);
            CHECK(memcmp(sync, msg, m) == 0);
            CHECK(memcmp(sync + m, tail, 4) == 0);
            memcpy(msg + m, tail, 4);
            CHECK_EQ(zinflate(msg, m + 4, 15, back, sizeof back), (long)sizes[k]);
            CHECK(memcmp(back, in, sizes[k]) == 0);
        }
    }
}

/* ---- round trips ------------------------------------------------------------ */

static void test_round_trip_levels_windows(void)
{
    enum { N = 70000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(2 * N);
    int kind, level, wb;
    for (kind = 0; kind < KINDS; kind++) {
        make_data(kind, in, N, 7u + (unsigned)kind);
        for (level = 1; level <= 9; level++)
            for (wb = 8; wb <= 15; wb++) {
                wsx_deflater d;
                size_t n, len = kind == RANDOM ? 5000 : N;
                init(&d, wb, level);
                n = deflate_all(&d, in, len, WSX_DEFLATE_FINISH, out, 2 * N);
                CHECK(n <= wsx_deflate_bound(&d, len));
                check_round_trip(out, n, in, len, wb);
                if (kind == TEXT)
                    CHECK(n < len / 3);
            }
    }
    free(in);
    free(out);
}

/* Past several window slides at 15 bits, and blocks longer than the
 * window at small ones. */
static void test_round_trip_long(void)
{
    enum { N = 600000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(N + N / 4);
    int levels[3] = {1, 6, 9}, wbs[3] = {9, 12, 15}, i, j;
    make_data(REPEAT, in, N / 2, 3);
    make_data(TEXT, in + N / 2, N / 4, 4);
    make_data(RANDOM, in + N / 2 + N / 4, N / 4, 5);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++) {
            wsx_deflater d;
            size_t n;
            init(&d, wbs[j], levels[i]);
            n = deflate_all(&d, in, N, WSX_DEFLATE_FINISH, out, N + N / 4);
            CHECK(n <= wsx_deflate_bound(&d, N));
            check_round_trip(out, n, in, N, wbs[j]);
        }
    free(in);
    free(out);
}

/* Every window size: the full window is used (a repeat exactly 2^wb back is
 * found) and never more (a repeat 2^wb + 1 back is not). */
static void test_window_limit(void)
{
    uint8_t in[1 << 17], out[(1 << 17) + 4096];
    int wb, level;
    for (wb = 8; wb <= 15; wb++)
        for (level = 1; level <= 9; level += 4) {
            size_t w = (size_t)1 << wb, span, n, i, dist;
            wsx_deflater d;
            for (span = w; span <= w + 1; span++) {
                make_data(RANDOM, in, span, (unsigned)(wb * 10 + level));
                for (i = span; i < 3 * span; i++)
                    in[i] = in[i - span];
                init(&d, wb, level);
                n = deflate_all(&d, in, 3 * span, WSX_DEFLATE_FINISH, out, sizeof out);
                dist = check_round_trip(out, n, in, 3 * span, wb);
                if (wb < 15 && span == w)
                    CHECK_EQ(dist, w); /* found: compressed well */
                /* the lazy levels index every position: both copies match
                 * (the greedy ones skip the inside of long matches) */
                if (wb < 15 && span == w && level > 3)
                    CHECK(n < span + span / 4);
                if (span == w + 1)
                    CHECK(dist <= w); /* random bytes: nothing else to find */
            }
        }
}

/* The same output whatever the chunking of input and output, 1-byte
 * output buffers included. */
static void test_chunking_invariance(void)
{
    enum { N = 40000 };
    uint8_t *in = (uint8_t *)malloc(N), *ref = (uint8_t *)malloc(2 * N),
            *out = (uint8_t *)malloc(2 * N);
    size_t steps[][2] = {{1, 0}, {0, 1}, {1, 1}, {7, 3}, {300, 5}, {4096, 1000}, {0, 17}};
    int kind, flush, level, s;
    for (kind = 0; kind < KINDS; kind++)
        for (level = 1; level <= 9; level += 5) {
            for (flush = WSX_DEFLATE_SYNC; flush <= WSX_DEFLATE_FINISH; flush++) {
                wsx_deflater d;
                size_t len = kind == TEXT ? N : N / 4, n, m;
                make_data(kind, in, len, (unsigned)(kind + flush));
                init(&d, kind == JSON ? 9 : 15, level);
                n = deflate_all(&d, in, len, flush, ref, 2 * N);
                for (s = 0; s < (int)(sizeof steps / sizeof steps[0]); s++) {
                    if (steps[s][0] == 1 && level > 1 && kind != REPEAT)
                        continue; /* byte-at-a-time input: one level is enough */
                    init(&d, kind == JSON ? 9 : 15, level);
                    memset(out, 0xA5, 2 * N);
                    m = deflate_chunked(&d, in, len, flush, out, 2 * N, steps[s][0], steps[s][1]);
                    CHECK_EQ(m, n);
                    CHECK(memcmp(out, ref, n) == 0);
                }
            }
        }
    free(in);
    free(ref);
    free(out);
}

/* Random flush points: after each flush zlib decodes everything so far. */
static void test_random_flush_points(void)
{
    enum { N = 120000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(2 * N),
            *back = (uint8_t *)malloc(N);
    int round;
    make_data(TEXT, in, N / 2, 11);
    make_data(REPEAT, in + N / 2, N / 4, 12);
    make_data(RANDOM, in + N / 2 + N / 4, N / 4, 13);
    for (round = 0; round < 12; round++) {
        wsx_deflater d;
        z_stream z;
        size_t at = 0, produced = 0, fed = 0;
        int wb = 9 + round % 7;
        init(&d, wb, 1 + round % 9);
        memset(&z, 0, sizeof z);
        inflateInit2(&z, -wb);
        z.next_out = back;
        z.avail_out = N;
        rng_state = 1000u + (unsigned)round;
        while (at < N) {
            size_t len = 1 + rnd() % (round & 1 ? 60 : 9000), used, got;
            int flush = (int)(rnd() % 3), r;
            size_t before = produced;
            if (len > N - at)
                len = N - at;
            do {
                size_t room = 1 + rnd() % (round & 2 ? 3 : 5000);
                r = wsx_deflate(&d, in + at, len, &used, flush, out + produced, room, &got);
                CHECK(r == WSX_OK || r == WSX_DEFLATE_OUTPUT_FULL);
                at += used;
                len -= used;
                produced += got;
            } while (r == WSX_DEFLATE_OUTPUT_FULL);
            CHECK_EQ(len, 0);
            if (flush == WSX_DEFLATE_NO_FLUSH)
                continue;
            if (flush == WSX_DEFLATE_MESSAGE) { /* the receiver puts the tail back */
                memcpy(out + produced, "\0\0\xff\xff", 4);
                produced += 4;
            } else {
                CHECK(produced - before >= 4 && memcmp(out + produced - 4, "\0\0\xff\xff", 4) == 0);
            }
            z.next_in = out + fed;
            z.avail_in = (uInt)(produced - fed);
            fed = produced;
            CHECK_EQ(inflate(&z, Z_SYNC_FLUSH), Z_OK);
            CHECK_EQ(z.avail_in, 0);
            CHECK_EQ((size_t)(z.next_out - back), at);
            CHECK(memcmp(back, in, at) == 0);
        }
        inflateEnd(&z);
    }
    free(in);
    free(out);
    free(back);
}

/* ---- permessage-deflate ----------------------------------------------------- */

static size_t token_message(char *m, unsigned i)
{
    return (size_t)sprintf(m, "{\"text\":\"%s\"}", words[(i * 7 + i / 5) % 19]);
}

/* With context takeover one inflater decodes the messages in turn and
 * they shrink; with reset each message decodes alone. */
static void test_messages(void)
{
    int takeover, wb;
    for (wb = 8; wb <= 15; wb += 7)
        for (takeover = 0; takeover < 2; takeover++) {
            wsx_deflater d;
            z_stream z;
            uint8_t history[1 << 16];
            size_t total_in = 0, total_out = 0, hist = 0;
            unsigned i;
            init(&d, wb, 6);
            memset(&z, 0, sizeof z);
            inflateInit2(&z, -15);
            for (i = 0; i < 400; i++) {
                char m[64];
                uint8_t c[128], back[128];
                size_t len = token_message(m, i), n;
                ref_inflate r;
                n = deflate_all(&d, (const uint8_t *)m, len, WSX_DEFLATE_MESSAGE, c, sizeof c);
                memcpy(c + n, "\0\0\xff\xff", 4);
                if (!takeover) {
                    inflateReset(&z);
                    hist = 0;
                }
                z.next_in = c;
                z.avail_in = (uInt)n + 4;
                z.next_out = back;
                z.avail_out = sizeof back;
                CHECK_EQ(inflate(&z, Z_SYNC_FLUSH), Z_OK);
                CHECK_EQ(sizeof back - z.avail_out, len);
                CHECK(memcmp(back, m, len) == 0);
                /* the reference decoder: distances within the window and
                 * within the history the receiver has */
                if (hist + len > sizeof history) {
                    memmove(history, history + hist - 512, 512);
                    hist = 512;
                }
                CHECK_EQ(
                    ref_inflate_run(&r, c, n + 4, history, sizeof history, hist, (size_t)1 << wb),
                    0);
                CHECK_EQ(r.out_len, hist + len);
                CHECK(memcmp(history + hist, m, len) == 0);
                hist += len;
                total_in += len;
                total_out += n;
                if (!takeover)
                    CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
            }
            inflateEnd(&z);
            if (takeover) /* the repeats are found, within the window */
                CHECK(total_out * 100 < total_in * (wb == 8 ? 50u : 35u));
            else
                CHECK(total_out * 10 > total_in * 8);
        }
}

/* Messages sent in fragments (NO_FLUSH pieces) decode the same. */
static void test_message_in_pieces(void)
{
    uint8_t in[20000], out[24000], back[20000];
    wsx_deflater d;
    size_t at = 0, produced = 0, used, got;
    make_data(JSON, in, sizeof in, 5);
    init(&d, 15, 6);
    while (at < sizeof in) {
        size_t len = sizeof in - at < 1234 ? sizeof in - at : 1234;
        int flush = at + len == sizeof in ? WSX_DEFLATE_MESSAGE : WSX_DEFLATE_NO_FLUSH;
        CHECK_EQ(wsx_deflate(&d, in + at, len, &used, flush, out + produced, sizeof out - produced,
                             &got),
                 WSX_OK);
        CHECK_EQ(used, len);
        at += len;
        produced += got;
    }
    memcpy(out + produced, "\0\0\xff\xff", 4);
    CHECK_EQ(zinflate(out, produced + 4, 15, back, sizeof back), (long)sizeof in);
    CHECK(memcmp(back, in, sizeof in) == 0);
}

/* ---- bound, arguments, state ------------------------------------------------- */

static void test_bound(void)
{
    enum { N = 200000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(2 * N);
    size_t sizes[] = {0, 1, 100, 255, 256, 257, 5000, 65535, 65536, 70000, N};
    int wbs[3] = {8, 9, 15}, levels[2] = {1, 9}, i, j, k, kind;
    for (kind = 0; kind < KINDS; kind += 3) { /* random and repetitive */
        make_data(kind, in, N, 77);
        for (i = 0; i < 3; i++)
            for (j = 0; j < 2; j++)
                for (k = 0; k < (int)(sizeof sizes / sizeof sizes[0]); k++) {
                    wsx_deflater d;
                    size_t n, b;
                    int flush;
                    for (flush = WSX_DEFLATE_SYNC; flush <= WSX_DEFLATE_FINISH; flush++) {
                        init(&d, wbs[i], levels[j]);
                        b = wsx_deflate_bound(&d, sizes[k]);
                        n = deflate_all(&d, in, sizes[k], flush, out, 2 * N);
                        CHECK(n <= b);
                        if (kind == RANDOM)
                            CHECK(n < sizes[k] + sizes[k] / 100 + 16); /* stored */
                    }
                }
    }
    free(in);
    free(out);
}

static void test_arguments(void)
{
    wsx_deflater d;
    wsx_deflater_config cfg;
    uint8_t out[64], small[WSX_DEFLATE_MEM_MIN(8)];
    size_t used = 9, n = 9;
    wsx_deflater_config_default(&cfg);
    CHECK_EQ(cfg.window_bits, 15);
    CHECK_EQ(cfg.level, WSX_DEFLATE_LEVEL_DEFAULT);
    CHECK_EQ(wsx_deflater_init(NULL, NULL, mem15, mem15_size), WSX_E_ARG);
    CHECK_EQ(wsx_deflater_init(&d, NULL, NULL, mem15_size), WSX_E_ARG);
    cfg.window_bits = 7;
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, mem15_size), WSX_E_ARG);
    cfg.window_bits = 16;
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, mem15_size), WSX_E_ARG);
    cfg.window_bits = 8;
    cfg.level = 10;
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, mem15_size), WSX_E_ARG);
    cfg.level = -1;
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, mem15_size), WSX_E_ARG);
    cfg.level = 0;
    CHECK_EQ(wsx_deflater_init(&d, &cfg, small, sizeof small - 1), WSX_E_BUFFER);
    CHECK_EQ(wsx_deflater_init(&d, NULL, small, sizeof small), WSX_E_BUFFER); /* 15 bits */
    CHECK_EQ(wsx_deflater_init(&d, &cfg, small, sizeof small), WSX_OK);
    CHECK_EQ(wsx_deflater_init(&d, NULL, mem15, WSX_DEFLATE_MEM_MIN(15)), WSX_OK);
    CHECK_EQ(wsx_deflate(NULL, "a", 1, &used, 0, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(used, 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_deflate(&d, "a", 1, NULL, 0, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_deflate(&d, "a", 1, &used, 0, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_deflate(&d, NULL, 1, &used, 0, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_deflate(&d, "a", 1, &used, 0, NULL, 1, &n), WSX_E_ARG);
    CHECK_EQ(wsx_deflate(&d, "a", 1, &used, 4, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_deflate(&d, "a", 1, &used, -1, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_deflater_reset(NULL), WSX_E_ARG);
    CHECK_EQ(wsx_deflate_bound(NULL, 10), 0);
    /* after the end only a reset helps */
    CHECK_EQ(wsx_deflate(&d, "abc", 3, &used, WSX_DEFLATE_FINISH, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(used, 3);
    CHECK_EQ(wsx_deflate(&d, "abc", 3, &used, WSX_DEFLATE_NO_FLUSH, out, sizeof out, &n),
             WSX_E_STATE);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
    CHECK_EQ(wsx_deflate(&d, "abc", 3, &used, WSX_DEFLATE_FINISH, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(zinflate(out, n, 15, out + 32, 32), 3);
    CHECK_MEM(out + 32, "abc", 3);
    /* out NULL with no room: OUTPUT_FULL when output is due */
    CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
    CHECK_EQ(wsx_deflate(&d, "abc", 3, &used, WSX_DEFLATE_SYNC, NULL, 0, &n),
             WSX_DEFLATE_OUTPUT_FULL);
    CHECK_EQ(used, 3);
    CHECK_EQ(n, 0);
}

/* A reset drops what was pending and the history: the next message
 * decodes alone. */
static void test_reset_mid_flush(void)
{
    uint8_t in[5000], out[6000], back[5000];
    wsx_deflater d;
    size_t used, n;
    make_data(TEXT, in, sizeof in, 21);
    init(&d, 15, 6);
    CHECK_EQ(wsx_deflate(&d, in, sizeof in, &used, WSX_DEFLATE_SYNC, out, 10, &n),
             WSX_DEFLATE_OUTPUT_FULL);
    CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
    n = deflate_all(&d, in, sizeof in, WSX_DEFLATE_SYNC, out, sizeof out);
    CHECK_EQ(zinflate(out, n, 15, back, sizeof back), (long)sizeof in);
    CHECK(memcmp(back, in, sizeof in) == 0);
}

/* After a reset the first position may hash like one of the old stream
 * (the chains are not cleared after a short stream): no match may reach
 * back before the reset, even from position 0. */
static void test_reset_stale_chains(void)
{
    static const char old_stream[] = "0123456789abcdefghij ABCDEFGH the end";
    static const char starts[][16] = {"abcdefgh", "ABCDEFGHABCDEFGH", "the end", "ghij AB"};
    wsx_deflater d;
    uint8_t out[128], back[64];
    size_t used, n, i;
    int level;
    for (level = 1; level <= 9; level += 4)
        for (i = 0; i < sizeof starts / sizeof starts[0]; i++) {
            size_t len = strlen(starts[i]);
            init(&d, 12, level);
            n = deflate_all(&d, (const uint8_t *)old_stream, sizeof old_stream - 1,
                            WSX_DEFLATE_MESSAGE, out, sizeof out);
            CHECK(n > 0);
            CHECK_EQ(wsx_deflater_reset(&d), WSX_OK);
            CHECK_EQ(
                wsx_deflate(&d, starts[i], len, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n),
                WSX_OK);
            memcpy(out + n, "\0\0\xff\xff", 4);
            /* a fresh decoder: the old stream is not there */
            CHECK_EQ(zinflate(out, n + 4, 12, back, sizeof back), (long)len);
            CHECK(memcmp(back, starts[i], len) == 0);
        }
}

/* The documented memory sizes. */
static void test_memory_sizes(void)
{
    CHECK_EQ(WSX_DEFLATE_MEM_SIZE(15), 200804);
    CHECK_EQ(WSX_DEFLATE_MEM_SIZE(12), 41322);
    CHECK_EQ(WSX_DEFLATE_MEM_SIZE(9), 23402);
    CHECK_EQ(WSX_DEFLATE_MEM_MIN(9), 8042);
    CHECK_EQ(WSX_DEFLATE_MEM_MIN(8), 7018);
}

/* More memory than MEM_MIN makes longer blocks: smaller output. */
static void test_memory_helps(void)
{
    enum { N = 200000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(N);
    wsx_deflater d;
    wsx_deflater_config cfg = {9, 6};
    size_t small_n, big_n;
    make_data(TEXT, in, N, 8);
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, WSX_DEFLATE_MEM_MIN(9)), WSX_OK);
    small_n = deflate_all(&d, in, N, WSX_DEFLATE_FINISH, out, N);
    check_round_trip(out, small_n, in, N, 9);
    CHECK_EQ(wsx_deflater_init(&d, &cfg, mem15, WSX_DEFLATE_MEM_SIZE(9)), WSX_OK);
    big_n = deflate_all(&d, in, N, WSX_DEFLATE_FINISH, out, N);
    check_round_trip(out, big_n, in, N, 9);
    CHECK(big_n < small_n);
    free(in);
    free(out);
}

/* ---- gzip ---------------------------------------------------------------------- */

static void test_gzip_header(void)
{
    static const uint8_t want[10] = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255};
    wsx_gzip_writer g;
    uint8_t out[16];
    size_t n = 99, used;
    CHECK_EQ(wsx_gzip_writer_init(&g, NULL, mem15, mem15_size), WSX_OK);
    CHECK_EQ(wsx_gzip_write(&g, "a", 1, &used, WSX_DEFLATE_SYNC, out, sizeof out, &n), WSX_E_STATE);
    CHECK_EQ(wsx_gzip_finish(&g, out, sizeof out, &n), WSX_E_STATE);
    CHECK_EQ(wsx_gzip_header(&g, NULL, 0, &n), WSX_OK);
    CHECK_EQ(n, 10);
    CHECK_EQ(wsx_gzip_header(&g, out, 9, &n), WSX_E_BUFFER);
    CHECK_EQ(n, 10);
    CHECK_EQ(wsx_gzip_header(&g, out, sizeof out, &n), WSX_OK);
    CHECK_EQ(n, 10);
    CHECK_MEM(out, want, 10);
    CHECK_EQ(wsx_gzip_header(&g, out, sizeof out, &n), WSX_E_STATE);
    CHECK_EQ(wsx_gzip_header(NULL, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(wsx_gzip_write(&g, "a", 1, &used, WSX_DEFLATE_MESSAGE, out, sizeof out, &n),
             WSX_E_ARG);
    CHECK_EQ(wsx_gzip_write(&g, "a", 1, &used, WSX_DEFLATE_FINISH, out, sizeof out, &n), WSX_E_ARG);
}

/* Calls refused before the header leave no trace: the stream is byte for
 * byte the one of a writer that never saw them. */
static void test_gzip_refused_calls_change_nothing(void)
{
    static uint8_t mem_b[WSX_DEFLATE_MEM_SIZE(15)];
    wsx_gzip_writer a, b;
    uint8_t out_a[64], out_b[64], scratch[8];
    size_t na = 0, nb = 0, n, used;
    CHECK_EQ(wsx_gzip_writer_init(&a, NULL, mem15, mem15_size), WSX_OK);
    CHECK_EQ(wsx_gzip_writer_init(&b, NULL, mem_b, sizeof mem_b), WSX_OK);
    CHECK_EQ(wsx_gzip_write(&a, "x", 1, &used, WSX_DEFLATE_SYNC, scratch, 0, &n), WSX_E_STATE);
    CHECK_EQ(wsx_gzip_write(&a, "x", 1, &used, WSX_DEFLATE_SYNC, scratch, sizeof scratch, &n),
             WSX_E_STATE);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_gzip_header(&a, out_a, sizeof out_a, &n), WSX_OK);
    na += n;
    CHECK_EQ(wsx_gzip_header(&b, out_b, sizeof out_b, &n), WSX_OK);
    nb += n;
    CHECK_EQ(
        wsx_gzip_write(&a, "abc", 3, &used, WSX_DEFLATE_SYNC, out_a + na, sizeof out_a - na, &n),
        WSX_OK);
    na += n;
    CHECK_EQ(
        wsx_gzip_write(&b, "abc", 3, &used, WSX_DEFLATE_SYNC, out_b + nb, sizeof out_b - nb, &n),
        WSX_OK);
    nb += n;
    CHECK_EQ(wsx_gzip_finish(&a, out_a + na, sizeof out_a - na, &n), WSX_OK);
    na += n;
    CHECK_EQ(wsx_gzip_finish(&b, out_b + nb, sizeof out_b - nb, &n), WSX_OK);
    nb += n;
    CHECK_EQ(na, nb);
    CHECK(memcmp(out_a, out_b, na) == 0);
}

/* Writes a gzip'd event stream: events compressed with a sync flush each
 * (zlib decodes every event as it comes), output in rooms of out_step
 * bytes, finish; returns the length. */
static size_t gzip_events(uint8_t *out, size_t cap, size_t out_step, const uint8_t *in, size_t n,
                          size_t event)
{
    wsx_gzip_writer g;
    z_stream z;
    uint8_t *back = (uint8_t *)malloc(n + 1);
    size_t produced = 0, at = 0, got, used, fed = 0;
    int r;
    CHECK_EQ(wsx_gzip_writer_init(&g, NULL, mem15, mem15_size), WSX_OK);
    CHECK_EQ(wsx_gzip_header(&g, out, cap, &produced), WSX_OK);
    memset(&z, 0, sizeof z);
    inflateInit2(&z, 31);
    z.next_out = back;
    z.avail_out = (uInt)n + 1;
    while (at < n) {
        size_t len = n - at < event ? n - at : event;
        do {
            size_t room = cap - produced < out_step ? cap - produced : out_step;
            r = wsx_gzip_write(&g, in + at, len, &used, WSX_DEFLATE_SYNC, out + produced, room,
                               &got);
            CHECK(r == WSX_OK || r == WSX_DEFLATE_OUTPUT_FULL);
            at += used;
            len -= used;
            produced += got;
        } while (r == WSX_DEFLATE_OUTPUT_FULL);
        z.next_in = out + fed;
        z.avail_in = (uInt)(produced - fed);
        fed = produced;
        CHECK_EQ(inflate(&z, Z_SYNC_FLUSH), Z_OK);
        CHECK_EQ((size_t)(z.next_out - back), at); /* the event is out at once */
    }
    do {
        size_t room = cap - produced < out_step ? cap - produced : out_step;
        r = wsx_gzip_finish(&g, out + produced, room, &got);
        CHECK(r == WSX_OK || r == WSX_DEFLATE_OUTPUT_FULL);
        produced += got;
    } while (r == WSX_DEFLATE_OUTPUT_FULL);
    CHECK_EQ(wsx_gzip_finish(&g, out + produced, cap - produced, &got), WSX_E_STATE);
    inflateEnd(&z);
    free(back);
    return produced;
}

static void test_gzip_zlib(void)
{
    enum { N = 100000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(2 * N),
            *back = (uint8_t *)malloc(N + 1);
    size_t steps[3] = {1, 7, 2 * N}, s;
    make_data(JSON, in, N, 31);
    for (s = 0; s < 3; s++) {
        size_t n = gzip_events(out, 2 * N, steps[s], in, s == 0 ? 3000 : N, s == 0 ? 100 : 333);
        size_t len = s == 0 ? 3000 : N;
        z_stream z;
        memset(&z, 0, sizeof z);
        inflateInit2(&z, 31); /* gzip: header, CRC-32 and ISIZE checked */
        z.next_in = out;
        z.avail_in = (uInt)n;
        z.next_out = back;
        z.avail_out = N + 1;
        CHECK_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
        CHECK_EQ(z.avail_in, 0);
        CHECK_EQ(z.total_out, len);
        CHECK(memcmp(back, in, len) == 0);
        inflateEnd(&z);
        { /* wsx's gzip reader checks the same CRC-32 and ISIZE */
            static uint8_t reader_mem[WSX_INFLATE_MEM_SIZE(15)];
            wsx_gzip_reader gr;
            size_t used, got;
            memset(back, 0, len);
            CHECK_EQ(wsx_gzip_reader_init(&gr, 15, reader_mem, sizeof reader_mem), WSX_OK);
            CHECK_EQ(wsx_gzip_read(&gr, out, n, &used, back, N + 1, &got), WSX_INFLATE_END);
            CHECK_EQ(used, n);
            CHECK_EQ(got, len);
            CHECK(memcmp(back, in, len) == 0);
        }
        /* a flipped CRC bit is noticed (the trailer is real) */
        out[n - 8] ^= 1;
        memset(&z, 0, sizeof z);
        inflateInit2(&z, 31);
        z.next_in = out;
        z.avail_in = (uInt)n;
        z.next_out = back;
        z.avail_out = N + 1;
        CHECK_EQ(inflate(&z, Z_FINISH), Z_DATA_ERROR);
        inflateEnd(&z);
    }
    free(in);
    free(out);
    free(back);
}

/* The system's gzip and Python's gzip module read it too (skipped when
 * absent). */
static void test_gzip_tools(void)
{
    enum { N = 50000 };
    uint8_t *in = (uint8_t *)malloc(N), *out = (uint8_t *)malloc(2 * N),
            *back = (uint8_t *)malloc(N + 1);
    const char *cmds[2] = {"gzip -dc %s",
                           "python3 -c \"import gzip,sys; "
                           "sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())\" %s"};
    char path[] = "/tmp/wsx_test_gzip_XXXXXX", cmd[512];
    size_t n, i;
    int fd = mkstemp(path);
    FILE *f;
    make_data(TEXT, in, N, 41);
    n = gzip_events(out, 2 * N, 2 * N, in, N, 1000);
    CHECK(fd >= 0);
    f = fdopen(fd, "wb");
    CHECK(f && fwrite(out, 1, n, f) == n);
    fclose(f);
    for (i = 0; i < 2; i++) {
        FILE *p;
        size_t got;
        snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", i ? "python3" : "gzip");
        if (system(cmd) != 0) {
            printf("SKIP %s is not installed\n", i ? "python3" : "gzip");
            continue;
        }
        snprintf(cmd, sizeof cmd, cmds[i], path);
        p = popen(cmd, "r");
        CHECK(p != NULL);
        got = p ? fread(back, 1, N + 1, p) : 0;
        CHECK(p && pclose(p) == 0);
        CHECK_EQ(got, N);
        CHECK(memcmp(back, in, N) == 0);
    }
    remove(path);
    free(in);
    free(out);
    free(back);
}

int main(void)
{
    mem15_size = WSX_DEFLATE_MEM_SIZE(15);
    mem15 = (uint8_t *)guarded_alloc(mem15_size);
    RUN(test_empty_message_is_00);
    RUN(test_empty_streams);
    RUN(test_message_is_sync_without_tail);
    RUN(test_round_trip_levels_windows);
    RUN(test_round_trip_long);
    RUN(test_window_limit);
    RUN(test_chunking_invariance);
    RUN(test_random_flush_points);
    RUN(test_messages);
    RUN(test_message_in_pieces);
    RUN(test_bound);
    RUN(test_arguments);
    RUN(test_reset_mid_flush);
    RUN(test_reset_stale_chains);
    RUN(test_memory_sizes);
    RUN(test_memory_helps);
    RUN(test_gzip_header);
    RUN(test_gzip_refused_calls_change_nothing);
    RUN(test_gzip_zlib);
    RUN(test_gzip_tools);
    guarded_free(mem15, mem15_size);
    return harness_done();
}
