/*
 * Throughput of the primitives on the hot path of every WebSocket byte:
 * wsx_utf8_feed (text messages) and wsx_mask (every client frame, and every
 * frame a server receives).
 *   build/bench/bench_prims [results.json]
 * UTF-8: 1 MiB of pure ASCII, of mixed text (~10% of the characters
 * multi-byte), of CJK (all 3-byte) and of Latin/CJK/emoji mixed (65% of the
 * characters multi-byte), fed in one call.  Masking: 1 KiB and
 * 1 MiB buffers at key offsets 0-3, with the buffer 8-byte aligned and
 * misaligned by 1, next to the plain byte-at-a-time loop for reference.
 * Handshakes: a 500-byte browser upgrade request parsed, validated and
 * answered (wsx_http_parse_request + wsx_hs_server_answer_request), and
 * SHA-1 of the 60 bytes Sec-WebSocket-Accept hashes, with each SHA-1
 * variant; the handshake again with each variant of the HTTP line scan.  UTF-8 also with each validator variant.
 * Each case repeats for at least 0.2 s; GB/s = 1e9 bytes per second.
 */
#include <stdint.h>

#include "bench_util.h"
#include "wsx.h"
#include "wsx_internal.h"

#define MIN_SECONDS 0.2

static volatile size_t sink;

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static size_t put_code_point(uint8_t *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (uint8_t)(0xC0 | cp >> 6);
        p[1] = (uint8_t)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (uint8_t)(0xE0 | cp >> 12);
        p[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        p[2] = (uint8_t)(0x80 | (cp & 63));
        return 3;
    }
    p[0] = (uint8_t)(0xF0 | cp >> 18);
    p[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
    p[2] = (uint8_t)(0x80 | ((cp >> 6) & 63));
    p[3] = (uint8_t)(0x80 | (cp & 63));
    return 4;
}

/* Fills exactly n bytes (ASCII padding at the end) with text of the kind. */
static void make_text(uint8_t *buf, size_t n, int kind)
{
    size_t at = 0;
    while (n - at >= 4) {
        uint32_t cp;
        if (kind == 0) {
            cp = 32 + rng() % 95;
        } else if (kind == 1) {
            uint32_t r = rng() % 100;
            if (r < 90)
                cp = 32 + rng() % 95;
            else if (r < 94)
                cp = 0xA0 + rng() % (0x800 - 0xA0); /* Latin, Greek, ... */
            else if (r < 98)
                cp = 0x4E00 + rng() % (0x9FFF - 0x4E00); /* CJK */
            else
                cp = 0x1F300 + rng() % 0x300; /* emoji */
        } else if (kind == 2) {
            cp = 0x4E00 + rng() % (0x9FFF - 0x4E00);
        } else { /* Latin, CJK and emoji mixed, a third of the characters ASCII */
            uint32_t r = rng() % 100;
            cp = r < 35   ? 32 + rng() % 95
                 : r < 60 ? 0xA0 + rng() % (0x800 - 0xA0)
                 : r < 85 ? 0x4E00 + rng() % (0x9FFF - 0x4E00)
                          : 0x1F300 + rng() % 0x300;
        }
        at += put_code_point(buf + at, cp);
    }
    while (at < n)
        buf[at++] = 'x';
}

static double bench_utf8(const uint8_t *buf, size_t n)
{
    double t0 = bench_now(), dt;
    size_t iters = 0, bytes = 0;
    do {
        size_t k;
        for (k = 0; k < 16; k++) {
            wsx_utf8 u;
            wsx_utf8_init(&u);
            sink += wsx_utf8_feed(&u, buf, n);
            sink += (size_t)wsx_utf8_complete(&u);
            bytes += n;
        }
        iters += 16;
        dt = bench_now() - t0;
    } while (dt < MIN_SECONDS);
    return (double)bytes / dt / 1e9;
}

/* Parse + validate + answer, per second. */
static double bench_handshake(void)
{
    size_t n, count = 0;
    const char *request = bench_browser_request(&n);
    double t0 = bench_now(), dt;
    do {
        int k;
        for (k = 0; k < 1000; k++) {
            wsx_http_parser p;
            wsx_header hdrs[32];
            wsx_http_request req;
            wsx_hs_request info;
            char out[512];
            size_t out_len;
            wsx_http_parser_init(&p, NULL);
            if (wsx_http_parse_request(&p, request, n, hdrs, 32, &req) != (int)n ||
                wsx_hs_server_answer_request(NULL, &req, &info, out, sizeof out, &out_len) !=
                    WSX_OK)
                return 0;
            sink += out_len;
        }
        count += 1000;
        dt = bench_now() - t0;
    } while (dt < MIN_SECONDS);
    return (double)count / dt;
}

/* SHA-1 of the 60 bytes Sec-WebSocket-Accept hashes (key + GUID), per second. */
static double bench_sha1_60(void)
{
    static const char in[] = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    size_t count = 0;
    double t0 = bench_now(), dt;
    do {
        int k;
        for (k = 0; k < 1000; k++) {
            uint8_t d[WSX_SHA1_LEN];
            wsx_sha1(in, 60, d);
            sink += d[k % WSX_SHA1_LEN];
        }
        count += 1000;
        dt = bench_now() - t0;
    } while (dt < MIN_SECONDS);
    return (double)count / dt;
}

/* The handshake with each variant of the HTTP line scan (SHA-1 as chosen). */
static void handshake_scan_cases(const char *out)
{
    static const int variants[] = {WSX__HW, WSX__BASE, WSX__PORTABLE};
    static const char *const names[] = {"wsx-http-avx2", "wsx-http-sse2", "wsx-http-words"};
    int v;
    for (v = 0; v < 3; v++) {
        double rate;
        if (!wsx__http_scan_use(variants[v])) {
            printf("%-34s %-18s not on this CPU/build\n", "handshake", names[v]);
            continue;
        }
        rate = bench_handshake();
        printf("%-34s %-18s %7.3f M/s (%.3f us)\n", "handshake/browser-500B", names[v], rate / 1e6,
               1e6 / rate);
        bench_record(out, "handshake/browser-500B", names[v], rate / 1e6, "M/s");
    }
    wsx__http_scan_use(WSX__AUTO);
}

static void handshake_cases(const char *out)
{
    static const int variants[] = {WSX__HW, WSX__PORTABLE};
    static const char *const names[] = {"wsx-sha1-hw", "wsx-sha1-portable"};
    int v;
    for (v = 0; v < 2; v++) {
        double rate;
        if (!wsx__sha1_use(variants[v])) {
            printf("%-34s %-18s not on this CPU/build\n", "handshake", names[v]);
            continue;
        }
        rate = bench_handshake();
        printf("%-34s %-18s %7.3f M/s (%.3f us)\n", "handshake/browser-500B", names[v], rate / 1e6,
               1e6 / rate);
        bench_record(out, "handshake/browser-500B", names[v], rate / 1e6, "M/s");
        rate = bench_sha1_60();
        printf("%-34s %-18s %7.3f us\n", "sha1/60B", names[v], 1e6 / rate);
        bench_record(out, "sha1/60B", names[v], 1e6 / rate, "us");
    }
    wsx__sha1_use(WSX__AUTO);
    handshake_scan_cases(out);
}

static void mask_bytewise(uint8_t *buf, size_t len, const uint8_t key[4], size_t off)
{
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] ^= key[(off + i) % 4];
}

static double bench_mask(uint8_t *buf, size_t n, size_t off, int bytewise)
{
    static const uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};
    double t0 = bench_now(), dt;
    size_t bytes = 0;
    /* enough calls per clock reading that the clock costs nothing */
    size_t batch = n >= 65536 ? 4 : 4096;
    do {
        size_t k;
        for (k = 0; k < batch; k++) {
            if (bytewise)
                mask_bytewise(buf, n, key, off);
            else
                sink += wsx_mask(buf, n, key, off);
            bytes += n;
        }
        dt = bench_now() - t0;
    } while (dt < MIN_SECONDS);
    sink += buf[n / 2];
    return (double)bytes / dt / 1e9;
}

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : NULL;
    enum { TEXT = 1 << 20 };
    static const char *const kinds[] = {"ascii", "mixed10", "cjk3", "mixed-emoji"};
    uint8_t *text = (uint8_t *)malloc(TEXT);
    uint8_t *area = (uint8_t *)malloc((1 << 20) + 64);
    static const size_t sizes[] = {1024, 1 << 20};
    char name[96];
    static const int variants[] = {WSX__HW, WSX__PORTABLE};
    static const char *const impls[] = {"wsx-avx2", "wsx-sse2-words"};
    int kind, v;
    size_t s, off, mis;

    if (!text || !area)
        return 1;
    for (kind = 0; kind < 4; kind++) {
        double gbs;
        make_text(text, TEXT, kind);
        if (!wsx_utf8_valid(text, TEXT)) {
            fprintf(stderr, "bench text %s is not valid UTF-8\n", kinds[kind]);
            return 1;
        }
        for (v = 0; v < 2; v++) {
            if (!wsx__utf8_use(variants[v])) {
                printf("utf8 %-29s %-18s not on this CPU/build\n", kinds[kind], impls[v]);
                continue;
            }
            gbs = bench_utf8(text, TEXT);
            snprintf(name, sizeof name, "utf8_feed/%s/1MiB", kinds[kind]);
            printf("%-34s %-18s %7.2f GB/s\n", name, impls[v], gbs);
            bench_record(out, name, impls[v], gbs, "GB/s");
        }
        wsx__utf8_use(WSX__AUTO);
    }
    handshake_cases(out);
    for (s = 0; s < 2; s++)
        for (mis = 0; mis < 2; mis++)
            for (off = 0; off < 4; off++) {
                uint8_t *buf = area + 64 - ((uintptr_t)area & 63) % 64;
                double gbs, base;
                if (buf + sizes[s] + 1 > area + (1 << 20) + 64)
                    buf = area;
                buf += mis;
                memset(buf, 0x5A, sizes[s]);
                gbs = bench_mask(buf, sizes[s], off, 0);
                snprintf(name, sizeof name, "mask/%s/%s/off%u", sizes[s] == 1024 ? "1KiB" : "1MiB",
                         mis ? "misaligned" : "aligned", (unsigned)off);
                printf("%-34s %-10s %7.2f GB/s\n", name, "wsx", gbs);
                bench_record(out, name, "wsx", gbs, "GB/s");
                if (off == 1) { /* the naive loop, once per size/alignment */
                    base = bench_mask(buf, sizes[s], off, 1);
                    printf("%-34s %-10s %7.2f GB/s\n", name, "bytewise", base);
                    bench_record(out, name, "bytewise-loop", base, "GB/s");
                }
            }
    free(text);
    free(area);
    return 0;
}
