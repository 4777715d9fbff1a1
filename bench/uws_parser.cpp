/*
 * Frame decoding, wsx side by side with uWebSockets' parser in one process.
 * Built only when `make bench UWS_DIR=/path/to/uWebSockets` names a copy of
 * uWebSockets' source (with uSockets inside it): its parser is the
 * header-only template WebSocketProtocol<true, Impl>::consume of
 * src/WebSocketProtocol.h, included from there; nothing of it is in this
 * repository.  Without UWS_DIR, make bench prints SKIP for this program.
 *
 * The loop is the one of uWebSockets' benchmarks/parser.cpp: a buffer of
 * client frames (masked, decoded in the server role), its headers written
 * again before each pass (uWebSockets' parser writes the unmasked payload
 * over the header), then one call of the parser over it.  wsx runs the same
 * pass, header rewrites included, and calls wsx_ws_decode until it returns
 * WSX_WS_NEED_MORE.  Both decoders keep their state from pass to pass.
 *
 * Cases: payloads of 20 B, 200 B, 1 KiB and 8 KiB; binary and text; one
 * frame per pass ("x1", one frame per call) and 40 frames per pass ("x40").
 * Text is checked as UTF-8 by both: wsx always, uWebSockets in its
 * handler (uWS::protocol::isValidUtf8, what its WebSocket layer calls).
 * The payload is printable ASCII and the key's bytes are below 0x80: a pass
 * unmasks in place (wsx) or moves the unmasked bytes over the header
 * (uWebSockets), so the next pass sees different bytes, but always ASCII,
 * always valid text, for both.
 *
 * uWebSockets does not check everything wsx checks (e.g. it takes a
 * 16-bit length below 126; masking by role): it does less work.
 *
 * Method: for each case, ROUNDS rounds; each round times the two decoders
 * one after the other (which goes first alternates), each over as many
 * passes as take about SLICE seconds; the figures are the medians over the
 * rounds of each one's frames/s and of the ratio wsx / uWS within a round.
 * Encoding: wsx_ws_encode_frame against uWS::protocol::formatMessage<true>
 * (a server's unmasked binary frame, header and payload written into a
 * buffer), the same sizes, case "ws_format_<size>".
 *
 * WSX_BENCH_PASSES=n in the environment runs n passes of each decoder per
 * case instead, once, for an instruction count under callgrind:
 *   WSX_BENCH_PASSES=10000 valgrind --tool=callgrind build/bench/uws_parser "" 20b_binary_x1
 * then callgrind_annotate --inclusive=yes: run<PassWsx> vs run<PassUws>.
 * An optional second argument runs only the cases whose name contains it.
 * Recorded in results.json: case "ws_parser_<size>_<binary|text>_x<1|40>",
 * impl "wsx" and "uWS" (frames/s), impl "wsx/uWS" (unit "ratio"); the
 * binary x40 cases (and 32 KiB binary x40) also as "ws_frames_<size>_binary",
 * impl "uWS" and "wsx (uws_parser)": the frame-size series bench_ws_decode.c
 * measures for wsx and wslay.
 */
#define WIN32_EXPORT
#include "WebSocketProtocol.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" {
#include "bench_util.h"
#include "wsx.h"
}

static unsigned long long uws_messages;

struct UwsImpl {
    static bool refusePayloadLength(uint64_t length, uWS::WebSocketState<true> *, void *)
    {
        return length > (16u << 20); /* wsx's default limit */
    }
    static bool setCompressed(uWS::WebSocketState<true> *, void *) { return false; }
    static void forceClose(uWS::WebSocketState<true> *, void *, std::string_view = {})
    {
        std::fprintf(stderr, "uWS: forceClose\n");
        std::exit(1);
    }
    static bool handleFragment(char *data, size_t length, unsigned int, int opCode, bool,
                               uWS::WebSocketState<true> *, void *)
    {
        if (opCode == uWS::TEXT && !uWS::protocol::isValidUtf8((unsigned char *)data, length)) {
            std::fprintf(stderr, "uWS: invalid UTF-8\n");
            std::exit(1);
        }
        uws_messages++;
        return false;
    }
};

static const uint8_t KEY[4] = {0x12, 0x34, 0x56, 0x78};
enum { PAD = 64, ROUNDS = 9 };
static const double SLICE = 0.02;

struct Stream {
    std::vector<uint8_t> mem;
    uint8_t *buf; /* PAD bytes of room on either side */
    size_t len, frames, payload, hlen;
    uint8_t header[8];             /* every frame's header (6 or 8 bytes) */
    std::vector<uint8_t> pristine; /* buf[0..len) as made */
};

/* What parser.cpp does before each call: the headers again (stores of a
 * known size, as parser.cpp's). */
static inline void rewrite_headers(Stream &s)
{
    uint8_t *p = s.buf;
    for (size_t f = 0; f < s.frames; f++, p += s.hlen + s.payload) {
        if (s.hlen == 6)
            std::memcpy(p, s.header, 6);
        else
            std::memcpy(p, s.header, 8);
    }
}

static void make_stream(Stream &s, size_t payload, size_t frames, int text)
{
    uint32_t x = 12345;
    s.payload = payload;
    s.frames = frames;
    s.hlen = payload < 126 ? 6 : 8;
    s.len = frames * (s.hlen + payload);
    s.mem.assign(s.len + 2 * PAD, 0);
    s.buf = s.mem.data() + PAD;
    s.header[0] = text ? 0x81 : 0x82;
    if (payload < 126) {
        s.header[1] = (uint8_t)(0x80 | payload);
    } else {
        s.header[1] = 0x80 | 126;
        s.header[2] = (uint8_t)(payload >> 8);
        s.header[3] = (uint8_t)payload;
    }
    std::memcpy(s.header + s.hlen - 4, KEY, 4);
    for (size_t f = 0; f < frames; f++) {
        uint8_t *p = s.buf + f * (s.hlen + payload) + s.hlen;
        for (size_t i = 0; i < payload; i++) {
            x = x * 1103515245u + 12345u;
            p[i] = (uint8_t)(' ' + (x >> 16) % 95) ^ KEY[i & 3];
        }
    }
    rewrite_headers(s);
    s.pristine.assign(s.buf, s.buf + s.len);
}

static unsigned long long wsx_messages;
/* WSX_BENCH_PASSES=n: n passes of each decoder per case, timed once. */
static size_t fixed_passes;

static void wsx_pass(wsx_ws_decoder *d, Stream &s)
{
    uint8_t *p = s.buf;
    size_t len = s.len;
    for (;;) {
        size_t used;
        wsx_ws_event ev;
        int r = wsx_ws_decode(d, p, len, &used, &ev);
        p += used;
        len -= used;
        if (r == WSX_WS_NEED_MORE)
            break;
        if (r == WSX_WS_EV_MESSAGE || r == WSX_WS_EV_MESSAGE_END)
            wsx_messages++;
        else if (r < 0) {
            std::fprintf(stderr, "wsx: %s\n", wsx_strerror(r));
            std::exit(1);
        }
    }
}

/* One pass of each decoder over the whole stream. */
struct PassWsx {
    wsx_ws_decoder *d;
    unsigned long long *count;
    void operator()(Stream &s) const { wsx_pass(d, s); }
};
struct PassUws {
    uWS::WebSocketState<true> *st;
    unsigned long long *count;
    void operator()(Stream &s) const
    {
        uWS::WebSocketProtocol<true, UwsImpl>::consume((char *)s.buf, (unsigned)s.len, st, nullptr);
    }
};

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/* Frames per second over `passes` passes.  One frame per pass: the loop of
 * parser.cpp, the headers written again inside the timed loop.  Several
 * frames per pass: the parsers' writes spill into the next frame (uWS's
 * unmasking moves payload over the header and reads and writes a few bytes
 * past it), so the whole stream is copied back before each pass, outside
 * the timed region; each pass is timed alone and the median pass counts. */
template <typename Pass> static double run(const Pass &pass, Stream &s, size_t passes)
{
    unsigned long long before = *pass.count;
    double t;
    if (s.frames == 1) {
        double t0 = bench_now();
        for (size_t i = 0; i < passes; i++) {
            rewrite_headers(s);
            pass(s);
        }
        t = (bench_now() - t0) / (double)passes;
    } else {
        std::vector<double> times;
        for (size_t i = 0; i < passes; i++) {
            std::memcpy(s.buf, s.pristine.data(), s.len);
            double t0 = bench_now();
            pass(s);
            times.push_back(bench_now() - t0);
        }
        t = median(times);
    }
    if (*pass.count - before != passes * s.frames) {
        std::fprintf(stderr, "decoded %llu frames, expected %zu\n", *pass.count - before,
                     passes * s.frames);
        std::exit(1);
    }
    return (double)s.frames / t;
}

static double run_wsx(wsx_ws_decoder *d, Stream &s, size_t passes)
{
    return run(PassWsx{d, &wsx_messages}, s, passes);
}

static double run_uws(uWS::WebSocketState<true> *st, Stream &s, size_t passes)
{
    return run(PassUws{st, &uws_messages}, s, passes);
}

static void run_case(const char *results, const char *only, size_t payload, int text, size_t frames)
{
    char name[64];
    const char *size_name = payload == 20     ? "20b"
                            : payload == 200  ? "200b"
                            : payload == 1024 ? "1k"
                            : payload == 8192 ? "8k"
                                              : "32k";
    Stream s;
    wsx_ws_decoder d;
    uWS::WebSocketState<true> st;
    std::vector<double> wsx_fps, uws_fps, ratio;
    size_t passes;
    make_stream(s, payload, frames, text);
    std::snprintf(name, sizeof name, "ws_parser_%s_%s_x%zu", size_name, text ? "text" : "binary",
                  frames);
    if (only && !std::strstr(name, only))
        return;
    wsx_ws_decoder_init(&d, WSX_WS_SERVER, NULL);
    if (fixed_passes) { /* for callgrind: a fixed amount of work, no rounds */
        double w = run_wsx(&d, s, fixed_passes), u = run_uws(&st, s, fixed_passes);
        std::printf("  %-26s %zu passes each: wsx/uWS %.2fx\n", name, fixed_passes, w / u);
        return;
    }
    /* Passes per slice, from a short trial of uWebSockets. */
    passes = frames == 1 ? 1000 : 10;
    double trial = run_uws(&st, s, passes);
    passes = (size_t)(trial * SLICE / (double)frames) + 1;
    run_wsx(&d, s, passes);
    for (int r = 0; r < ROUNDS; r++) {
        double w, u;
        if (r & 1) {
            u = run_uws(&st, s, passes);
            w = run_wsx(&d, s, passes);
        } else {
            w = run_wsx(&d, s, passes);
            u = run_uws(&st, s, passes);
        }
        wsx_fps.push_back(w);
        uws_fps.push_back(u);
        ratio.push_back(w / u);
    }
    double w = median(wsx_fps), u = median(uws_fps), q = median(ratio);
    std::printf("  %-26s wsx %7.2f M frames/s   uWS %7.2f M frames/s   wsx/uWS %.2fx\n", name,
                w / 1e6, u / 1e6, q);
    std::fflush(stdout);
    bench_record(results, name, "wsx", w, "frames/s");
    bench_record(results, name, "uWS", u, "frames/s");
    bench_record(results, name, "wsx/uWS", q, "ratio");
    if (frames == 40 && !text) { /* the frame-size series of bench_ws_decode.c (wslay) */
        std::snprintf(name, sizeof name, "ws_frames_%s_binary", size_name);
        bench_record(results, name, "uWS", u, "frames/s");
        bench_record(results, name, "wsx (uws_parser)", w, "frames/s");
    }
}

/* ---- encoding: a server's unmasked frame, header and payload copied ---- */

static uint64_t format_sink;

/* The payload size as the compiler sees it: a value known only at run time,
 * as in a server (gcc would otherwise make a copy of an inlined template
 * for each size of the benchmark, with its memcpy unrolled). */
static inline void size_known_at_run_time(size_t *n) { __asm__ __volatile__("" : "+r"(*n)); }

/* After each frame: the compiler must assume the frame is read, so that it
 * cannot drop or hoist the copy of a call it inlines (uWebSockets'
 * formatMessage is a header template; without this, gcc keeps only the
 * header stores of its loop). */
static inline void frame_used(const uint8_t *dst)
{
    __asm__ __volatile__("" : : "r"(dst) : "memory");
}

/* Frames per second of `messages` calls writing one binary frame of n
 * bytes from src into dst (the same place each time: hot in cache). */
static double format_wsx(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t messages)
{
    double t0 = bench_now();
    size_known_at_run_time(&n);
    for (size_t i = 0; i < messages; i++) {
        size_t out_len = 0;
        if (wsx_ws_encode_frame(WSX_WS_OP_BINARY, WSX_WS_FIN, src, n, NULL, dst, cap, &out_len) !=
            WSX_OK)
            std::exit(1);
        frame_used(dst);
        format_sink += out_len + dst[1];
    }
    return (double)messages / (bench_now() - t0);
}

static double format_uws(const uint8_t *src, size_t n, uint8_t *dst, size_t messages)
{
    double t0 = bench_now();
    size_known_at_run_time(&n);
    for (size_t i = 0; i < messages; i++) {
        size_t out_len = uWS::protocol::formatMessage<true>((char *)dst, (const char *)src, n,
                                                            uWS::BINARY, n, false, true);
        frame_used(dst);
        format_sink += out_len + dst[1];
    }
    return (double)messages / (bench_now() - t0);
}

/* wsx_ws_encode_frame against uWS::protocol::formatMessage<true> (server:
 * no mask), both writing header and payload into a buffer; as the
 * decoding cases, medians of interleaved rounds.  Case
 * "ws_format_<size>", impl "wsx", "uWS" (frames/s), "wsx/uWS" (ratio). */
static void format_case(const char *results, const char *only, size_t n)
{
    char name[64];
    std::vector<uint8_t> src(n, 'x'), dst(n + 16);
    std::vector<double> w, u, q;
    const char *size_name = n == 20 ? "20b" : n == 200 ? "200b" : n == 1024 ? "1k" : "8k";
    std::snprintf(name, sizeof name, "ws_format_%s", size_name);
    if (only && !std::strstr(name, only))
        return;
    size_t messages = fixed_passes ? fixed_passes : 1000;
    double trial = format_uws(src.data(), n, dst.data(), messages);
    if (fixed_passes) {
        double a = format_wsx(src.data(), n, dst.data(), dst.size(), messages);
        std::printf("  %-26s %zu messages each: wsx/uWS %.2fx\n", name, messages, a / trial);
        return;
    }
    messages = (size_t)(trial * SLICE) + 1;
    for (int r = 0; r < ROUNDS; r++) {
        double a, b;
        if (r & 1) {
            b = format_uws(src.data(), n, dst.data(), messages);
            a = format_wsx(src.data(), n, dst.data(), dst.size(), messages);
        } else {
            a = format_wsx(src.data(), n, dst.data(), dst.size(), messages);
            b = format_uws(src.data(), n, dst.data(), messages);
        }
        w.push_back(a);
        u.push_back(b);
        q.push_back(a / b);
    }
    std::printf("  %-26s wsx %7.2f M frames/s   uWS %7.2f M frames/s   wsx/uWS %.2fx\n", name,
                median(w) / 1e6, median(u) / 1e6, median(q));
    std::fflush(stdout);
    bench_record(results, name, "wsx", median(w), "frames/s");
    bench_record(results, name, "uWS", median(u), "frames/s");
    bench_record(results, name, "wsx/uWS", median(q), "ratio");
}

int main(int argc, char **argv)
{
    const char *results = argc > 1 && argv[1][0] ? argv[1] : NULL;
    const char *only = argc > 2 ? argv[2] : NULL;
    const char *passes = std::getenv("WSX_BENCH_PASSES");
    fixed_passes = passes ? (size_t)std::strtoul(passes, NULL, 10) : 0;
    static const size_t sizes[] = {20, 200, 1024, 8192};
    /* An optional second argument picks the cases whose name contains it. */
    std::printf("frame decoding, masked, server role: medians of %d interleaved rounds\n", ROUNDS);
    for (size_t frames : {(size_t)1, (size_t)40})
        for (size_t payload : sizes)
            for (int text = 0; text < 2; text++)
                run_case(results, only, payload, text, frames);
    run_case(results, only, 32768, 0, 40); /* the last point of the frame-size series */
    std::printf("frame encoding, server (unmasked), header and payload into a buffer\n");
    for (size_t payload : sizes)
        format_case(results, only, payload);
    return 0;
}
