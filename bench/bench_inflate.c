/*
 * DEFLATE decompression throughput: wsx_inflate against zlib (inflate) and
 * libdeflate (whole-buffer libdeflate_deflate_decompress), same process,
 * same compressed bytes (made by zlib).  MB/s of decompressed output
 * (MB = 10^6 bytes) per second of this thread's CPU time (other load on
 * the machine does not count), best of at least 7 rounds that run each
 * implementation in turn (>= 1.5 s of rounds per case).
 *
 * Cases:
 *   inflate_tokens_takeover   an LLM-like token stream, 20000 messages like
 *                             {"id":17,"text":" fox"}, each compressed with
 *                             a sync flush on one zlib stream (RFC 7692 with
 *                             context takeover, 15-bit window, level 6) and
 *                             inflated one by one with the 00 00 ff ff tail;
 *                             libdeflate cannot carry a window between
 *                             buffers: SKIP
 *   inflate_tokens_alone      the same messages compressed one by one, no
 *                             takeover (all three)
 *   inflate_json64k_lN        64 KiB JSON documents, zlib level N = 1, 6, 9
 *   inflate_text_lN           English text (/usr/share/common-licenses, or a
 *                             generated word stream without it)
 *   inflate_random_lN         random bytes (zlib stores them)
 *   inflate_text_l6_stream    the text fed in 4 KiB pieces into 16 KiB of
 *                             room (wsx and zlib: libdeflate has no stream)
 * Results go to the results.json named by argv[1] (bench_util.h); argv[2],
 * if given, runs only the cases whose name contains it.
 * BENCH_LIBS: -lz -ldeflate
 */
#include <dirent.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bench_util.h"
#include "wsx_deflate.h"

#define MAX_IN (4u << 20)

static uint8_t *src, *comp, *dec;
static size_t src_len;
static uint8_t wsx_mem[WSX_INFLATE_MEM_SIZE(15)];
static volatile size_t sink;

/* A corpus: name, bytes and where each piece (document, message) starts. */
typedef struct pieces {
    size_t n;
    size_t *off;   /* n + 1 offsets into comp */
    size_t *plain; /* n + 1 offsets into src */
} pieces;

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static const char *tokens[] = {" the",  " quick", " brown", " fox",  " jumps", " over",  " lazy",
                               " dog",  ",",      ".",      "\\n",   " I",     " think", " that",
                               " this", " is",    " a",     " good", " idea",  " token", " stream"};

static size_t make_tokens(uint8_t *p, size_t cap, size_t count, size_t *plain)
{
    size_t i, n = 0;
    for (i = 0; i < count && n + 64 < cap; i++) {
        plain[i] = n;
        n += (size_t)snprintf((char *)p + n, 64, "{\"id\":%u,\"text\":\"%s\"}", (unsigned)i,
                              tokens[rnd() % (sizeof tokens / sizeof tokens[0])]);
    }
    plain[i] = n;
    return n;
}

static size_t make_json(uint8_t *p, size_t len)
{
    size_t n = 0;
    static const char *names[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
    n += (size_t)snprintf((char *)p, len, "{\"items\":[");
    while (n + 200 < len) {
        n += (size_t)snprintf(
            (char *)p + n, 200,
            "{\"id\":%u,\"user\":\"%s\",\"score\":%u.%02u,\"tags\":[\"%s\",\"x%u\"],"
            "\"active\":%s},",
            rnd() % 100000, names[rnd() % 6], rnd() % 1000, rnd() % 100, names[rnd() % 6],
            rnd() % 50, rnd() % 2 ? "true" : "false");
    }
    while (n < len - 2)
        p[n++] = ' ';
    p[n++] = ']';
    p[n++] = '}';
    return n;
}

static size_t load_text(uint8_t *p, size_t cap)
{
    const char *dir = "/usr/share/common-licenses";
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    while (d && (e = readdir(d)) != NULL) {
        char path[512];
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (!f)
            continue;
        n += fread(p + n, 1, cap - n, f);
        fclose(f);
    }
    if (d)
        closedir(d);
    if (n < 65536) { /* no license texts: a word stream */
        n = 0;
        while (n + 16 < cap && n < (1u << 20)) {
            const char *t = tokens[rnd() % (sizeof tokens / sizeof tokens[0])];
            memcpy(p + n, t, strlen(t));
            n += strlen(t);
        }
    }
    return n;
}

/* zlib raw DEFLATE of each piece on its own (takeover 0) or of all pieces
 * on one stream, each ending with a sync flush whose tail is removed. */
static void compress_pieces(pieces *pc, int level, int takeover)
{
    z_stream s;
    size_t i, n = 0;
    memset(&s, 0, sizeof s);
    deflateInit2(&s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    for (i = 0; i < pc->n; i++) {
        if (!takeover)
            deflateReset(&s);
        pc->off[i] = n;
        s.next_in = src + pc->plain[i];
        s.avail_in = (uInt)(pc->plain[i + 1] - pc->plain[i]);
        s.next_out = comp + n;
        s.avail_out = (uInt)(MAX_IN * 2 - n);
        deflate(&s, takeover ? Z_SYNC_FLUSH : Z_FINISH);
        n = (size_t)(s.next_out - comp);
        if (takeover)
            n -= 4; /* 00 00 ff ff */
    }
    pc->off[i] = n;
    deflateEnd(&s);
}

/* ---- the three decoders over one corpus --------------------------------- */

/* mode 0: each piece is a whole stream; 1: messages with takeover; 2: one
 * stream in 4 KiB pieces into 16 KiB of room. */
static size_t run_wsx(const pieces *pc, int mode)
{
    wsx_inflater z;
    size_t i, total = 0;
    wsx_inflater_init(&z, 15, wsx_mem, sizeof wsx_mem);
    for (i = 0; i < pc->n; i++) {
        const uint8_t *in = comp + pc->off[i];
        size_t n = pc->off[i + 1] - pc->off[i], iu, ou;
        uint8_t *out = dec + pc->plain[i];
        size_t cap = pc->plain[i + 1] - pc->plain[i] + 1;
        if (mode == 0) {
            wsx_inflater_reset(&z, 0);
            if (wsx_inflate(&z, in, n, &iu, out, cap, &ou) != WSX_INFLATE_END)
                return 0;
            total += ou;
        } else if (mode == 1) {
            if (wsx_inflate(&z, in, n, &iu, out, cap, &ou) != WSX_INFLATE_NEED_INPUT)
                return 0;
            total += ou;
            wsx_inflate(&z, WSX_DEFLATE_SYNC_TAIL, 4, &iu, out + ou, cap - ou, &ou);
            total += ou;
        } else {
            size_t used = 0, made = 0;
            int r;
            wsx_inflater_reset(&z, 0);
            do {
                size_t il = n - used < 4096 ? n - used : 4096;
                size_t ol = cap - made < 16384 ? cap - made : 16384;
                r = wsx_inflate(&z, in + used, il, &iu, out + made, ol, &ou);
                used += iu;
                made += ou;
            } while (r == WSX_INFLATE_NEED_INPUT || r == WSX_INFLATE_OUTPUT_FULL);
            if (r != WSX_INFLATE_END)
                return 0;
            total += made;
        }
    }
    return total;
}

static size_t run_zlib(const pieces *pc, int mode)
{
    static const uint8_t tail[4] = {0, 0, 0xff, 0xff};
    z_stream s;
    size_t i, total = 0;
    memset(&s, 0, sizeof s);
    inflateInit2(&s, -15);
    for (i = 0; i < pc->n; i++) {
        size_t n = pc->off[i + 1] - pc->off[i];
        size_t cap = pc->plain[i + 1] - pc->plain[i] + 1;
        s.next_in = comp + pc->off[i];
        s.avail_in = (uInt)n;
        s.next_out = dec + pc->plain[i];
        s.avail_out = (uInt)cap;
        if (mode == 0) {
            inflateReset(&s);
            if (inflate(&s, Z_FINISH) != Z_STREAM_END)
                return 0;
        } else if (mode == 1) {
            inflate(&s, Z_SYNC_FLUSH);
            s.next_in = (Bytef *)(uintptr_t)tail;
            s.avail_in = 4;
            inflate(&s, Z_SYNC_FLUSH);
        } else {
            int r;
            uInt left_in = (uInt)n, left_out = (uInt)cap;
            inflateReset(&s);
            do {
                uInt il = left_in < 4096 ? left_in : 4096, ol = left_out < 16384 ? left_out : 16384;
                s.avail_in = il;
                s.avail_out = ol;
                r = inflate(&s, Z_NO_FLUSH);
                left_in -= il - s.avail_in;
                left_out -= ol - s.avail_out;
            } while (r == Z_OK);
            if (r != Z_STREAM_END)
                return 0;
        }
        total += cap - s.avail_out;
    }
    inflateEnd(&s);
    return total;
}

static size_t run_libdeflate(const pieces *pc, int mode)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t i, total = 0;
    (void)mode;
    for (i = 0; i < pc->n; i++) {
        size_t got;
        if (libdeflate_deflate_decompress(d, comp + pc->off[i], pc->off[i + 1] - pc->off[i],
                                          dec + pc->plain[i], pc->plain[i + 1] - pc->plain[i] + 1,
                                          &got) != LIBDEFLATE_SUCCESS)
            return 0;
        total += got;
    }
    libdeflate_free_decompressor(d);
    return total;
}

typedef size_t (*runner)(const pieces *, int);

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds of one run, after checking its output. */
static double timed_run(const char *name, const char *impl, const pieces *pc, int mode, runner run)
{
    size_t want = pc->plain[pc->n], got, i;
    double t = cpu_now();
    got = run(pc, mode);
    t = cpu_now() - t;
    if (got != want || memcmp(dec, src, want) != 0) {
        printf("  %-26s %-12s FAILED (%lu of %lu bytes)\n", name, impl, (unsigned long)got,
               (unsigned long)want);
        exit(1);
    }
    for (i = 0; i < want; i += 4096)
        sink += dec[i];
    return t;
}
static const char *only;

static void run_case(const char *path, const char *name, pieces *pc, int mode, int with_libdeflate)
{
    static const char *impls[3] = {"wsx", "zlib", "libdeflate"};
    static const runner runs[3] = {run_wsx, run_zlib, run_libdeflate};
    double best[3] = {1e30, 1e30, 1e30}, spent = 0;
    size_t in = pc->off[pc->n], want = pc->plain[pc->n];
    int k, rounds = 0, nimpl = with_libdeflate ? 3 : 2;
    if (only && !strstr(name, only))
        return;
    printf("%s: %lu pieces, %lu -> %lu bytes (%.1f%%)\n", name, (unsigned long)pc->n,
           (unsigned long)in, (unsigned long)want, 100.0 * (double)in / (double)(want ? want : 1));
    while (spent < 1.5 || rounds < 7) {
        for (k = 0; k < nimpl; k++) {
            double t = timed_run(name, impls[k], pc, mode, runs[k]);
            spent += t;
            if (t < best[k])
                best[k] = t;
        }
        rounds++;
    }
    for (k = 0; k < nimpl; k++) {
        printf("  %-26s %-12s %9.1f MB/s", name, impls[k], (double)want / best[k] / 1e6);
        if (k)
            printf("   wsx is %.2fx", best[k] / best[0]);
        printf("\n");
        bench_record(path, name, impls[k], (double)want / best[k] / 1e6, "MB/s");
    }
    if (!with_libdeflate)
        printf("  %-26s %-12s SKIP (%s)\n", name, "libdeflate",
               mode == 1 ? "no window carried between buffers" : "no streaming API");
}

/* One corpus cut into pieces of the given size (0: one piece). */
static void cut(pieces *pc, size_t len, size_t piece)
{
    size_t i;
    if (!piece)
        piece = len;
    pc->n = (len + piece - 1) / piece;
    for (i = 0; i <= pc->n; i++)
        pc->plain[i] = i * piece < len ? i * piece : len;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : NULL;
    pieces pc;
    char name[64];
    int level;
    size_t i;
    only = argc > 2 ? argv[2] : NULL;
    src = (uint8_t *)malloc(MAX_IN);
    comp = (uint8_t *)malloc(MAX_IN * 2);
    dec = (uint8_t *)malloc(MAX_IN + 1);
    pc.off = (size_t *)malloc(sizeof(size_t) * 40001);
    pc.plain = (size_t *)malloc(sizeof(size_t) * 40001);
    printf("DEFLATE decompression (MB/s of output; zlib %s, libdeflate %s)\n", zlibVersion(),
           LIBDEFLATE_VERSION_STRING);

    src_len = make_tokens(src, MAX_IN, 20000, pc.plain);
    pc.n = 20000;
    compress_pieces(&pc, 6, 1);
    run_case(path, "inflate_tokens_takeover", &pc, 1, 0);
    compress_pieces(&pc, 6, 0);
    run_case(path, "inflate_tokens_alone", &pc, 0, 1);

    for (i = 0; i < 32; i++)
        make_json(src + i * 65536, 65536);
    src_len = 32 * 65536;
    for (level = 1; level <= 9; level += level == 1 ? 5 : 3) {
        cut(&pc, src_len, 65536);
        compress_pieces(&pc, level, 0);
        snprintf(name, sizeof name, "inflate_json64k_l%d", level);
        run_case(path, name, &pc, 0, 1);
    }

    src_len = load_text(src, MAX_IN);
    for (level = 1; level <= 9; level += level == 1 ? 5 : 3) {
        cut(&pc, src_len, 0);
        compress_pieces(&pc, level, 0);
        snprintf(name, sizeof name, "inflate_text_l%d", level);
        run_case(path, name, &pc, 0, 1);
    }
    cut(&pc, src_len, 0);
    compress_pieces(&pc, 6, 0);
    run_case(path, "inflate_text_l6_stream", &pc, 2, 0);

    src_len = 1u << 20;
    for (i = 0; i < src_len; i++)
        src[i] = (uint8_t)rnd();
    for (level = 1; level <= 9; level += level == 1 ? 5 : 3) {
        cut(&pc, src_len, 0);
        compress_pieces(&pc, level, 0);
        snprintf(name, sizeof name, "inflate_random_l%d", level);
        run_case(path, name, &pc, 0, 1);
    }
    free(src);
    free(comp);
    free(dec);
    free(pc.off);
    free(pc.plain);
    return 0;
}
