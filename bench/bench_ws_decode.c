/*
 * WebSocket frame decoding, wsx side by side with wslay.
 * BENCH_LIBS: -lwslay
 *
 * Cases (all client-to-server frames, masked, decoded in the server role):
 *   1 KiB binary frames, 1 KiB text frames (ASCII-heavy: about 7 two- and
 *   three-byte code points per KiB), 20-byte binary frames, 1 MiB binary
 *   frames.
 *
 * Implementations:
 *   wsx       wsx_ws_decode over the buffer, unmasking in place (and, for
 *             text, validating UTF-8).  Since a pass unmasks the buffer,
 *             every pass starts from a fresh copy of the masked bytes made
 *             OUTSIDE the timed region; the copy also leaves the buffer hot.
 *   wsx+copy  the same, with the fresh copy INSIDE the timed region (the
 *             equivalent of what wslay does internally: it copies every
 *             byte from its recv callback into its own buffer).
 *   wslay     wslay_frame_recv with a recv callback serving the same masked
 *             bytes from memory (wslay's "decoder only" layer; it never
 *             modifies the source, so no copy is needed between passes).
 *             wslay_frame does not check UTF-8, fragmentation order or
 *             masking by role: for text it does less work than wsx.
 *
 * Frame-size series (the plot of frames/s against frame size, bench/README.md):
 *   40 binary frames per pass of 20 B, 200 B, 1 KiB, 8 KiB and 32 KiB, case
 *   "ws_frames_<20b|200b|1k|8k|32k>_binary"; bench/uws_parser.cpp records
 *   uWebSockets' parser under the same case names (impl "uWS").
 *
 * Figures: frames/s, and GB/s of payload (10^9 bytes, headers not counted),
 * from the median time of one pass over the case's buffer (hot in cache:
 * about 40 KB, except 2 MiB for the 1 MiB frames, 1.3 MB for 32 KiB ones).  Recorded
 * in results.json as case "ws_decode_<case>" or "ws_frames_<size>_binary",
 * impl "wsx" / "wsx+copy" / "wslay".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <wslay/wslay.h>

#include "bench_util.h"
#include "wsx.h"

static const uint8_t KEY[4] = {0x37, 0xfa, 0x21, 0x3d};

typedef struct stream {
    uint8_t *masked; /* the frames as received (pristine) */
    uint8_t *work;   /* decoded in place by wsx */
    size_t len;
    size_t frames;
    size_t payload; /* bytes per frame */
} stream;

/* Payload of one frame: binary pseudo-random, or ASCII-heavy UTF-8
 * (printable ASCII with a U+00E9 every 200 bytes and a U+20AC every 500:
 * about 7 multi-byte code points per KiB, like chat or JSON text). */
static void fill_payload(uint8_t *p, size_t n, int text, uint32_t seed)
{
    size_t i = 0;
    uint32_t x = seed * 2654435761u + 1;
    while (i < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if (!text) {
            p[i++] = (uint8_t)x;
        } else if (i % 500 == 250 && n - i >= 3) {
            memcpy(p + i, "\xe2\x82\xac", 3);
            i += 3;
        } else if (i % 200 == 100 && n - i >= 2) {
            memcpy(p + i, "\xc3\xa9", 2);
            i += 2;
        } else {
            p[i++] = (uint8_t)(' ' + x % 95);
        }
    }
}

static void make_stream(stream *s, size_t payload, size_t frames, int text)
{
    size_t f, hlen = payload < 126 ? 6 : payload <= 0xFFFF ? 8 : 14;
    uint8_t *p;
    s->frames = frames;
    s->payload = payload;
    s->len = frames * (hlen + payload);
    s->masked = (uint8_t *)malloc(s->len);
    s->work = (uint8_t *)malloc(s->len);
    p = s->masked;
    for (f = 0; f < frames; f++) {
        size_t i;
        *p++ = text ? 0x81 : 0x82;
        if (payload < 126) {
            *p++ = (uint8_t)(0x80 | payload);
        } else if (payload <= 0xFFFF) {
            *p++ = 0x80 | 126;
            *p++ = (uint8_t)(payload >> 8);
            *p++ = (uint8_t)payload;
        } else {
            *p++ = 0x80 | 127;
            for (i = 0; i < 8; i++)
                *p++ = (uint8_t)((uint64_t)payload >> (56 - 8 * i));
        }
        memcpy(p, KEY, 4);
        p += 4;
        fill_payload(p, payload, text, (uint32_t)f);
        for (i = 0; i < payload; i++)
            p[i] ^= KEY[i & 3];
        p += payload;
    }
}

static uint64_t sink;

/* One pass of wsx over s->work; returns the frames decoded. */
static size_t wsx_pass(stream *s)
{
    wsx_ws_decoder d;
    wsx_ws_event ev;
    size_t pos = 0, used, frames = 0;
    int r;
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
    for (;;) {
        r = wsx_ws_decode(&d, s->work + pos, s->len - pos, &used, &ev);
        pos += used;
        if (r == WSX_WS_EV_DATA)
            sink += ev.size + ev.data[0];
        else if (r == WSX_WS_EV_MESSAGE) { /* a whole frame at once */
            sink += ev.size + ev.data[0];
            frames++;
        } else if (r == WSX_WS_EV_MESSAGE_END)
            frames++;
        else if (r == WSX_WS_NEED_MORE)
            break;
        else if (r < 0) {
            fprintf(stderr, "wsx: %s\n", wsx_strerror(r));
            exit(1);
        }
    }
    return frames;
}

/* wslay: a recv callback that serves the masked bytes from memory. */
typedef struct source {
    const uint8_t *p;
    size_t len, pos;
} source;

static ssize_t serve(uint8_t *buf, size_t len, int flags, void *user)
{
    source *src = (source *)user;
    size_t n = src->len - src->pos;
    (void)flags;
    if (n == 0)
        return -1;
    if (n > len)
        n = len;
    memcpy(buf, src->p + src->pos, n);
    src->pos += n;
    return (ssize_t)n;
}

static size_t wslay_pass(wslay_frame_context_ptr ctx, source *src, size_t expected)
{
    struct wslay_frame_iocb iocb;
    size_t frames = 0;
    uint64_t got = 0;
    src->pos = 0;
    while (frames < expected) {
        ssize_t r = wslay_frame_recv(ctx, &iocb);
        if (r < 0) {
            fprintf(stderr, "wslay_frame_recv: %zd\n", r);
            exit(1);
        }
        if (r > 0)
            sink += (uint64_t)r + iocb.data[0];
        got += (uint64_t)r;
        if (got == iocb.payload_length) {
            frames++;
            got = 0;
        }
    }
    return frames;
}

enum { IMPL_WSX, IMPL_WSX_COPY, IMPL_WSLAY };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Frames per second from the MEDIAN time of one pass over the stream, over
 * as many passes as fit in `seconds` (at least 11).  Each pass is timed on
 * its own, so a pass that the scheduler interrupts on this shared machine
 * only moves the tail, not the median. */
#define MAX_PASSES 200000
static double pass_times[MAX_PASSES];

static double measure(stream *s, int impl, double seconds)
{
    wslay_frame_context_ptr ctx = NULL;
    struct wslay_frame_callbacks cb = {NULL, serve, NULL};
    source src;
    size_t passes = 0;
    double start, median;
    src.p = s->masked;
    src.len = s->len;
    src.pos = 0;
    if (impl == IMPL_WSLAY && wslay_frame_context_init(&ctx, &cb, &src) != 0)
        exit(1);
    start = bench_now();
    while (passes < MAX_PASSES && (passes < 11 || bench_now() - start < seconds)) {
        double t0, t1;
        size_t got;
        if (impl == IMPL_WSX)
            memcpy(s->work, s->masked, s->len); /* untimed: fresh input */
        t0 = bench_now();
        if (impl == IMPL_WSLAY) {
            got = wslay_pass(ctx, &src, s->frames);
        } else {
            if (impl == IMPL_WSX_COPY)
                memcpy(s->work, s->masked, s->len);
            got = wsx_pass(s);
        }
        t1 = bench_now();
        if (got != s->frames) {
            fprintf(stderr, "decoded %zu frames, expected %zu\n", got, s->frames);
            exit(1);
        }
        pass_times[passes++] = t1 - t0;
    }
    if (ctx)
        wslay_frame_context_free(ctx);
    qsort(pass_times, passes, sizeof pass_times[0], cmp_double);
    median = pass_times[passes / 2];
    return (double)s->frames / median;
}

static void run_case(const char *results, const char *name, size_t payload, size_t frames, int text)
{
    static const char *impl_names[] = {"wsx", "wsx+copy", "wslay"};
    double fps[3];
    char case_name[64];
    stream s;
    int impl;
    make_stream(&s, payload, frames, text);
    if (strncmp(name, "ws_", 3) == 0)
        snprintf(case_name, sizeof case_name, "%s", name);
    else
        snprintf(case_name, sizeof case_name, "ws_decode_%s", name);
    printf("%s: %zu frames of %zu bytes, %zu bytes per pass\n", case_name, frames, payload, s.len);
    for (impl = 0; impl < 3; impl++) {
        double gbs;
        fps[impl] = measure(&s, impl, 0.4);
        gbs = fps[impl] * (double)payload / 1e9;
        printf("  %-9s %14.0f frames/s %9.2f GB/s\n", impl_names[impl], fps[impl], gbs);
        bench_record(results, case_name, impl_names[impl], fps[impl], "frames/s");
        bench_record(results, case_name, impl_names[impl], gbs, "GB/s");
    }
    printf("  wsx / wslay = %.2fx   (wsx+copy / wslay = %.2fx)\n", fps[IMPL_WSX] / fps[IMPL_WSLAY],
           fps[IMPL_WSX_COPY] / fps[IMPL_WSLAY]);
    free(s.masked);
    free(s.work);
}

int main(int argc, char **argv)
{
    const char *results = argc > 1 ? argv[1] : NULL;
    run_case(results, "1k_binary", 1024, 40, 0);
    run_case(results, "1k_text", 1024, 40, 1);
    run_case(results, "20b_binary", 20, 1500, 0);
    run_case(results, "1m_binary", 1 << 20, 2, 0);
    /* the frame-size series, named as in bench/uws_parser.cpp */
    run_case(results, "ws_frames_20b_binary", 20, 40, 0);
    run_case(results, "ws_frames_200b_binary", 200, 40, 0);
    run_case(results, "ws_frames_1k_binary", 1024, 40, 0);
    run_case(results, "ws_frames_8k_binary", 8192, 40, 0);
    run_case(results, "ws_frames_32k_binary", 32768, 40, 0);
    printf("(sink %llu)\n", (unsigned long long)(sink & 1));
    return 0;
}
