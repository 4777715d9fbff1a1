/*
 * SSE parser throughput, side by side with eventsource-parser@3 on node
 * (bench/bench_sse_node.mjs, run on the very same bytes written to a file).
 *
 * Cases (case names shared by both impls in results.json):
 *   sse_llm_4k       LLM-like stream  id: n / data: {"text":"..."}  (~33-byte
 *                    events) fed in 4 KiB chunks        -> MB/s and events/s
 *   sse_64k_events   64 KiB single-line events fed in 64 KiB chunks  -> MB/s
 *   sse_llm_bytewise the LLM stream fed one byte at a time          -> MB/s
 *   sse_big_line_*   linearity: one 8 MiB data line fed in 1 KiB and in
 *                    64 KiB chunks (wsx only): the MB/s must be about the same
 * Best of several runs (>= 0.5 s of runs per case).  MB = 10^6 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "wsx.h"

static const char *words[] = {"Hello",  " world", ",",     " the", " quick", " brown", " fox",
                              " jumps", " over",  " lazy", " dog", ".",      "\\n",    " token"};

static size_t make_llm(uint8_t *buf, size_t cap, size_t *events)
{
    size_t n = 0, i = 0;
    for (;;) {
        char line[128];
        int k = snprintf(line, sizeof line, "id: %lu\ndata: {\"text\":\"%s\"}\n\n",
                         (unsigned long)i, words[i % (sizeof words / sizeof words[0])]);
        if (n + (size_t)k > cap)
            break;
        memcpy(buf + n, line, (size_t)k);
        n += (size_t)k;
        i++;
    }
    *events = i;
    return n;
}

static size_t make_big(uint8_t *buf, size_t cap, size_t data_len, size_t *events)
{
    size_t n = 0, i = 0, j;
    while (n + data_len + 8 <= cap) {
        memcpy(buf + n, "data: ", 6);
        n += 6;
        for (j = 0; j < data_len; j++)
            buf[n + j] = (uint8_t)('a' + (j * 7 + i) % 26);
        n += data_len;
        memcpy(buf + n, "\n\n", 2);
        n += 2;
        i++;
    }
    *events = i;
    return n;
}

static uint8_t scratch[(16u << 20) + 4096];
static volatile size_t sink;

/* One pass; returns events seen. */
static size_t parse_once(const uint8_t *s, size_t n, size_t chunk)
{
    wsx_sse_parser p;
    size_t off = 0, events = 0, sum = 0;
    wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL);
    while (off < n) {
        size_t len = n - off < chunk ? n - off : chunk, pos = 0, used;
        wsx_sse_event ev;
        int r;
        while ((r = wsx_sse_parse(&p, s + off + pos, len - pos, &used, &ev)) > 0) {
            pos += used;
            if (r == WSX_SSE_EV_EVENT) {
                events++;
                sum += ev.data_len;
            }
        }
        if (r < 0) {
            fprintf(stderr, "parse error %s\n", wsx_errname(r));
            exit(1);
        }
        off += len;
    }
    sink += sum;
    return events;
}

static double best_seconds(const uint8_t *s, size_t n, size_t chunk, size_t want_events)
{
    double best = 1e30, total = 0;
    int runs = 0;
    while (total < 0.5 || runs < 5) {
        double t0 = bench_now(), dt;
        size_t ev = parse_once(s, n, chunk);
        dt = bench_now() - t0;
        if (want_events && ev != want_events) {
            fprintf(stderr, "wrong event count %lu (want %lu)\n", (unsigned long)ev,
                    (unsigned long)want_events);
            exit(1);
        }
        total += dt;
        runs++;
        if (dt < best)
            best = dt;
    }
    return best;
}

/* Runs the node side; returns 0 and fills seconds/events, or -1 (skipped). */
static int node_run(const char *file, size_t chunk, double *seconds, size_t *events, size_t *bytes)
{
    char cmd[1024], line[4096];
    FILE *f;
    int ok = -1;
    snprintf(cmd, sizeof cmd, "node bench/bench_sse_node.mjs '%s' %lu 0.5 2>&1", file,
             (unsigned long)chunk);
    f = popen(cmd, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        const char *b = strstr(line, "\"bytes\":"), *e = strstr(line, "\"events\":"),
                   *s = strstr(line, "\"seconds\":");
        if (b && e && s) {
            *bytes = (size_t)strtoull(b + 8, NULL, 10);
            *events = (size_t)strtoull(e + 9, NULL, 10);
            *seconds = strtod(s + 10, NULL);
            ok = 0;
        } else {
            fprintf(stderr, "SKIP eventsource-parser: %s", line);
        }
    }
    if (pclose(f) != 0)
        ok = -1;
    return ok;
}

static void report(const char *path, const char *name, const char *impl, size_t bytes,
                   size_t events, double sec, int with_events)
{
    char c[96];
    double mbps = (double)bytes / sec / 1e6, eps = (double)events / sec;
    printf("  %-18s %-20s %10.1f MB/s", name, impl, mbps);
    if (with_events)
        printf("  %8.2f M events/s", eps / 1e6);
    printf("\n");
    bench_record(path, name, impl, mbps, "MB/s");
    if (with_events) {
        snprintf(c, sizeof c, "%s_events", name);
        bench_record(path, c, impl, eps, "events/s");
    }
}

static void write_file(const char *file, const uint8_t *s, size_t n)
{
    FILE *f = fopen(file, "wb");
    if (!f || fwrite(s, 1, n, f) != n) {
        perror(file);
        exit(1);
    }
    fclose(f);
}

static void run_case(const char *path, const char *name, const uint8_t *s, size_t n, size_t events,
                     size_t chunk, int with_events, int node)
{
    double sec = best_seconds(s, n, chunk, events), nsec;
    size_t nev, nbytes;
    char file[256];
    report(path, name, "wsx", n, events, sec, with_events);
    if (!node)
        return;
    snprintf(file, sizeof file, "build/bench/%s.sse", name);
    write_file(file, s, n);
    if (node_run(file, chunk, &nsec, &nev, &nbytes) == 0) {
        if (nev != events || nbytes != n)
            fprintf(stderr, "  eventsource-parser saw %lu events (want %lu)\n", (unsigned long)nev,
                    (unsigned long)events);
        report(path, name, "eventsource-parser", nbytes, nev, nsec, with_events);
        printf("  %-18s wsx / eventsource-parser = %.1fx\n", name, nsec / sec);
    }
    remove(file);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : NULL;
    size_t cap = 16u << 20, n, events;
    uint8_t *buf = (uint8_t *)malloc(cap);
    if (!buf)
        return 1;
    printf("bench_sse (sizeof(wsx_sse_parser) = %lu)\n", (unsigned long)sizeof(wsx_sse_parser));
    n = make_llm(buf, cap, &events);
    run_case(path, "sse_llm_4k", buf, n, events, 4096, 1, 1);
    n = make_llm(buf, 2u << 20, &events);
    run_case(path, "sse_llm_bytewise", buf, n, events, 1, 1, 1);
    n = make_big(buf, cap, 65536, &events);
    run_case(path, "sse_64k_events", buf, n, events, 65536, 1, 1);
    /* linearity: one 8 MiB line in small and large chunks */
    n = make_big(buf, (8u << 20) + 8, 8u << 20, &events);
    run_case(path, "sse_big_line_1k", buf, n, events, 1024, 0, 0);
    run_case(path, "sse_big_line_64k", buf, n, events, 65536, 0, 0);
    free(buf);
    return 0;
}
