/*
 * DEFLATE compression side by side: wsx, zlib (Debian zlib1g) and
 * libdeflate (Debian libdeflate0, whole-buffer API), same process, same data.
 * BENCH_LIBS: -lz -ldeflate
 *
 * Data (case names in results.json):
 *   tokens  an LLM-like token stream: messages of ~15 bytes such as
 *           {"text":" fox"}, the words of the English text in order, each
 *           compressed as one permessage-deflate message with context
 *           takeover (wsx: WSX_DEFLATE_MESSAGE; zlib: Z_SYNC_FLUSH and the
 *           00 00 ff ff tail dropped; libdeflate has no streaming, so each
 *           message is compressed alone: impl "libdeflate-alone")
 *   json    64 KiB JSON documents, each compressed whole
 *   text    English text (the licenses of /usr/share/common-licenses, or
 *           generated words when absent), compressed whole
 *   random  1 MiB of random bytes, compressed whole
 * Levels 1 (fast) and 6 (default) of each; window bits 15.  Every output is
 * inflated by zlib and compared once before timing.
 * Records deflate_<data>_l<level> in MB/s of input (MB = 10^6 bytes) and
 * deflate_<data>_l<level>_ratio (compressed / input, smaller is better).
 * Times are process CPU time (every compressor here runs on one thread, and
 * CPU time keeps other load on the machine out of the comparison), best of
 * 5 rounds in which the contenders take turns.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "bench_util.h"
#include "wsx_deflate.h"

typedef struct data_set {
    const char *name;
    uint8_t *bytes;
    size_t len;
    size_t *msg_end; /* tokens: end offset of each message */
    size_t nmsg;
    size_t doc_len; /* others: compressed in documents of this size */
} data_set;

static uint8_t *out_buf, *check_buf;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static size_t out_cap;
static volatile size_t sink;

/* ---- data -------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static const char *vocab[] = {
    "the",     "of",       "and",     "to",       "a",       "in",     "is",      "that",
    "for",     "it",       "as",      "was",      "with",    "be",     "by",      "on",
    "not",     "he",       "this",    "are",      "or",      "his",    "from",    "at",
    "which",   "but",      "have",    "an",       "had",     "they",   "you",     "were",
    "their",   "one",      "all",     "we",       "can",     "her",    "has",     "there",
    "been",    "if",       "more",    "when",     "will",    "would",  "who",     "so",
    "no",      "model",    "token",   "stream",   "server",  "client", "message", "window",
    "quick",   "brown",    "fox",     "jumps",    "over",    "lazy",   "dog",     "language",
    "answer",  "question", "because", "through",  "between", "under",  "system",  "program",
    "network", "value",    "result",  "different"};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static const char *zipf_word(void)
{
    /* rank r with probability ~ 1/(r+1): pick from a skewed distribution */
    uint32_t x = rng() % 1000000u, r = 0;
    double acc = 0, total = 0;
    size_t i;
    for (i = 0; i < NVOCAB; i++)
        total += 1.0 / (double)(i + 1);
    for (r = 0; r < NVOCAB - 1; r++) {
        acc += 1.0 / (double)(r + 1) / total;
        if (x < acc * 1000000.0)
            break;
    }
    return vocab[r];
}

static size_t read_licenses(uint8_t *buf, size_t cap)
{
    const char *dir = "/usr/share/common-licenses";
    struct dirent **names;
    size_t n = 0;
    int i, k = scandir(dir, &names, NULL, alphasort);
    for (i = 0; i < k; i++) {
        char path[512];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        f = names[i]->d_name[0] != '.' ? fopen(path, "rb") : NULL;
        if (f) {
            n += fread(buf + n, 1, cap - n, f);
            fclose(f);
        }
        free(names[i]);
    }
    if (k > 0)
        free(names);
    return n;
}

static void make_text(data_set *t, size_t want)
{
    size_t n;
    t->name = "text";
    t->bytes = (uint8_t *)malloc(want + 64);
    n = read_licenses(t->bytes, want);
    if (n < 100000) { /* no license texts: generated words */
        n = 0;
        while (n + 32 < want) {
            const char *w = zipf_word();
            n += (size_t)sprintf((char *)t->bytes + n, "%s%s", w, rng() % 12 ? " " : ".\n");
        }
    }
    t->len = n;
    t->doc_len = n;
}

/* The words of the text (letters only), one message each. */
static void make_tokens(data_set *t, const data_set *text, size_t max_msgs)
{
    size_t i = 0, n = 0;
    t->name = "tokens";
    t->bytes = (uint8_t *)malloc(max_msgs * 48);
    t->msg_end = (size_t *)malloc(max_msgs * sizeof *t->msg_end);
    t->nmsg = 0;
    while (t->nmsg < max_msgs) {
        char word[24];
        size_t w = 0;
        while (i < text->len && !((text->bytes[i] | 32) >= 'a' && (text->bytes[i] | 32) <= 'z'))
            i = (i + 1) % text->len;
        while (i < text->len && w < sizeof word - 1 && (text->bytes[i] | 32) >= 'a' &&
               (text->bytes[i] | 32) <= 'z')
            word[w++] = (char)text->bytes[i++];
        word[w] = 0;
        if (i >= text->len)
            i = 0;
        n += (size_t)sprintf((char *)t->bytes + n, "{\"text\":\" %s\"}", word);
        t->msg_end[t->nmsg++] = n;
    }
    t->len = n;
}

static void make_json(data_set *t, size_t docs)
{
    size_t d, n = 0;
    t->name = "json";
    t->doc_len = 65536;
    t->bytes = (uint8_t *)malloc(docs * 65536 + 1024);
    for (d = 0; d < docs; d++) {
        size_t start = n, id = 0;
        n += (size_t)sprintf((char *)t->bytes + n, "{\"items\":[");
        for (;;) {
            char rec[512];
            int k = snprintf(
                rec, sizeof rec,
                "%s{\"id\":%u,\"user\":{\"name\":\"%s %s\",\"email\":\"%s%u@example.com\"},"
                "\"score\":%u.%02u,\"active\":%s,\"tags\":[\"%s\",\"%s\"],"
                "\"text\":\"%s %s %s %s\"}",
                id ? "," : "", (unsigned)(d * 100000 + id * 7 + rng() % 7), zipf_word(),
                zipf_word(), zipf_word(), rng() % 1000, rng() % 100, rng() % 100,
                rng() % 2 ? "true" : "false", zipf_word(), zipf_word(), zipf_word(), zipf_word(),
                zipf_word(), zipf_word());
            if (n - start + (size_t)k + 2 > 65536)
                break;
            memcpy(t->bytes + n, rec, (size_t)k);
            n += (size_t)k;
            id++;
        }
        n += (size_t)sprintf((char *)t->bytes + n, "]}");
        while (n - start < 65536)
            t->bytes[n++] = ' ';
    }
    t->len = n;
}

static void make_random(data_set *t, size_t len)
{
    size_t i;
    t->name = "random";
    t->bytes = (uint8_t *)malloc(len);
    for (i = 0; i < len; i++)
        t->bytes[i] = (uint8_t)rng();
    t->len = len;
    t->doc_len = len;
}

/* ---- compressors ---------------------------------------------------------
 * Each compresses the whole data set (per message or per document) into
 * out_buf and returns the total compressed size; outputs are concatenated
 * with a 4-byte length before each piece so the check can split them. */

static void *wsx_mem;
static wsx_deflater wsx_d;
static z_stream zs;
static struct libdeflate_compressor *ldc[10];

static size_t put_piece(size_t at, size_t len)
{
    memcpy(out_buf + at, &len, 4);
    return at + 4 + len;
}

static size_t run_wsx(const data_set *t, int level)
{
    wsx_deflater_config cfg = {15, level};
    size_t at = 0, total = 0, start = 0, i;
    size_t n_pieces = t->msg_end ? t->nmsg : t->len / t->doc_len;
    wsx_deflater_init(&wsx_d, &cfg, wsx_mem, WSX_DEFLATE_MEM_SIZE(15));
    for (i = 0; i < n_pieces; i++) {
        size_t end = t->msg_end ? t->msg_end[i] : start + t->doc_len, used, n;
        int r;
        if (!t->msg_end)
            wsx_deflater_reset(&wsx_d);
        r = wsx_deflate(&wsx_d, t->bytes + start, end - start, &used,
                        t->msg_end ? WSX_DEFLATE_MESSAGE : WSX_DEFLATE_FINISH, out_buf + at + 4,
                        out_cap - at - 4, &n);
        if (r != WSX_OK) {
            fprintf(stderr, "wsx_deflate: %d\n", r);
            exit(1);
        }
        at = put_piece(at, n);
        total += n;
        start = end;
    }
    return total;
}

static size_t run_zlib(const data_set *t, int level)
{
    size_t at = 0, total = 0, start = 0, i;
    size_t n_pieces = t->msg_end ? t->nmsg : t->len / t->doc_len;
    deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    for (i = 0; i < n_pieces; i++) {
        size_t end = t->msg_end ? t->msg_end[i] : start + t->doc_len, n;
        if (!t->msg_end)
            deflateReset(&zs);
        zs.next_in = t->bytes + start;
        zs.avail_in = (uInt)(end - start);
        zs.next_out = out_buf + at + 4;
        zs.avail_out = (uInt)(out_cap - at - 4);
        deflate(&zs, t->msg_end ? Z_SYNC_FLUSH : Z_FINISH);
        n = (size_t)(zs.next_out - (out_buf + at + 4));
        if (t->msg_end)
            n -= 4; /* RFC 7692 7.2.1: the 00 00 ff ff tail goes */
        at = put_piece(at, n);
        total += n;
        start = end;
    }
    deflateEnd(&zs);
    return total;
}

static size_t run_libdeflate(const data_set *t, int level)
{
    size_t at = 0, total = 0, start = 0, i;
    size_t n_pieces = t->msg_end ? t->nmsg : t->len / t->doc_len;
    if (!ldc[level])
        ldc[level] = libdeflate_alloc_compressor(level);
    for (i = 0; i < n_pieces; i++) {
        size_t end = t->msg_end ? t->msg_end[i] : start + t->doc_len;
        size_t n = libdeflate_deflate_compress(ldc[level], t->bytes + start, end - start,
                                               out_buf + at + 4, out_cap - at - 4);
        at = put_piece(at, n);
        total += n;
        start = end;
    }
    return total;
}

/* Inflates every piece with zlib (one stream for messages, with the tail
 * put back; one per document) and compares with the input. */
static int check(const data_set *t, int messages_share_window)
{
    size_t at = 0, start = 0, i;
    size_t n_pieces = t->msg_end ? t->nmsg : t->len / t->doc_len;
    z_stream z;
    memset(&z, 0, sizeof z);
    inflateInit2(&z, -15);
    for (i = 0; i < n_pieces; i++) {
        size_t end = t->msg_end ? t->msg_end[i] : start + t->doc_len, n = 0;
        static const uint8_t tail[4] = {0, 0, 0xFF, 0xFF};
        memcpy(&n, out_buf + at, 4);
        if (!t->msg_end || !messages_share_window)
            inflateReset(&z);
        z.next_in = out_buf + at + 4;
        z.avail_in = (uInt)n;
        z.next_out = check_buf;
        z.avail_out = (uInt)out_cap;
        inflate(&z, Z_SYNC_FLUSH);
        if (t->msg_end && messages_share_window) {
            z.next_in = (Bytef *)tail;
            z.avail_in = 4;
            inflate(&z, Z_SYNC_FLUSH);
        }
        if ((size_t)(z.next_out - check_buf) != end - start ||
            memcmp(check_buf, t->bytes + start, end - start) != 0) {
            inflateEnd(&z);
            return 0;
        }
        at += 4 + n;
        start = end;
    }
    inflateEnd(&z);
    return 1;
}

typedef size_t (*compress_fn)(const data_set *, int);

typedef struct contender {
    const char *impl;
    compress_fn fn;
    int shares_window; /* messages inflate as one stream */
    size_t size;
    double best;
} contender;

/* The contenders take turns, a slice of runs each per round, so a busy
 * machine slows them alike; the best slice counts. */
static void measure(const char *results, const data_set *t, int level, contender *c, int nc)
{
    char name[64], rname[72];
    int round, i;
    for (i = 0; i < nc; i++) {
        c[i].size = c[i].fn(t, level);
        c[i].best = 1e30;
        if (!check(t, c[i].shares_window)) {
            fprintf(stderr, "%s level %d: output does not inflate to the input (%s)\n", c[i].impl,
                    level, t->name);
            exit(1);
        }
    }
    for (round = 0; round < 5; round++)
        for (i = 0; i < nc; i++) {
            int reps = 0;
            double t0 = cpu_now(), dt;
            do {
                sink += c[i].fn(t, level);
                reps++;
                dt = cpu_now() - t0;
            } while (dt < 0.06);
            if (dt / reps < c[i].best)
                c[i].best = dt / reps;
        }
    snprintf(name, sizeof name, "deflate_%s_l%d", t->name, level);
    snprintf(rname, sizeof rname, "%s_ratio", name);
    for (i = 0; i < nc; i++) {
        double mbs = (double)t->len / c[i].best / 1e6, ratio = (double)c[i].size / (double)t->len;
        printf("  %-24s %-17s %8.1f MB/s  ratio %.4f\n", name, c[i].impl, mbs, ratio);
        bench_record(results, name, c[i].impl, mbs, "MB/s");
        bench_record(results, rname, c[i].impl, ratio, "ratio");
    }
}

int main(int argc, char **argv)
{
    const char *results = argc > 1 ? argv[1] : NULL;
    data_set sets[4];
    int s, levels[2] = {1, 6}, l;
    memset(sets, 0, sizeof sets);
    make_text(&sets[2], 1u << 20);
    make_tokens(&sets[0], &sets[2], 20000);
    make_json(&sets[1], 16);
    make_random(&sets[3], 1u << 20);
    out_cap = (2u << 20) + 20000 * 64;
    out_buf = (uint8_t *)malloc(out_cap);
    check_buf = (uint8_t *)malloc(out_cap);
    wsx_mem = malloc(WSX_DEFLATE_MEM_SIZE(15));
    for (s = 0; s < 4; s++) {
        printf("%s: %zu bytes%s\n", sets[s].name, sets[s].len,
               sets[s].msg_end ? " (messages, context takeover)" : "");
        for (l = 0; l < 2; l++) {
            contender c[3] = {{"wsx", run_wsx, 1, 0, 0},
                              {"zlib", run_zlib, 1, 0, 0},
                              {"libdeflate", run_libdeflate, 0, 0, 0}};
            if (sets[s].msg_end)
                c[2].impl = "libdeflate-alone";
            measure(results, &sets[s], levels[l], c, 3);
        }
    }
    return 0;
}
