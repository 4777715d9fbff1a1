/*
 * HTTP request head parsing, wsx side by side with picohttpparser in one
 * process.  Built only when `make bench PICO_DIR=/path` names a copy of
 * picohttpparser's source (picohttpparser.c and .h, e.g. a clone of
 * github.com/h2o/picohttpparser outside this repository); with
 * -march=native on an x86 CPU with SSE4.2 its findchar_fast scans with
 * pcmpestri.  Without PICO_DIR, make bench prints SKIP for this program.
 *
 * The head is bench_prims' 489-byte browser upgrade request (13 headers,
 * bench_util.h),
 * parsed whole: wsx_http_parse_request (parser initialised each time, 32
 * header slots) against phr_parse_request (32 slots).  Both check the
 * bytes they are given; wsx also refuses obs-fold and header names that
 * are not tokens, and applies its line and head limits.
 *
 * Method: ROUNDS rounds; each times both parsers one after the other
 * (which goes first alternates) over PARSES parses each; the figures are
 * the medians over the rounds of each one's parses/s and of the ratio
 * wsx / picohttpparser within a round.  results.json: case
 * "http_head/browser-500B", impl "wsx" and "picohttpparser" (M parses/s),
 * "wsx/picohttpparser" (ratio).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "picohttpparser.h"
#include "wsx.h"

#ifndef ROUNDS
#define ROUNDS 15
#endif
#ifndef PARSES
#define PARSES 20000
#endif

static volatile size_t sink;

static double run_wsx(void)
{
    size_t n, k;
    const char *request = bench_browser_request(&n);
    double t0 = bench_now();
    for (k = 0; k < PARSES; k++) {
        wsx_http_parser p;
        wsx_header h[32];
        wsx_http_request q;
        wsx_http_parser_init(&p, NULL);
        if (wsx_http_parse_request(&p, request, n, h, 32, &q) != (int)n)
            exit(1);
        sink += q.num_headers + h[5].value_len;
    }
    return PARSES / (bench_now() - t0);
}

static double run_pico(void)
{
    size_t n, k;
    const char *request = bench_browser_request(&n);
    double t0 = bench_now();
    for (k = 0; k < PARSES; k++) {
        const char *method, *path;
        size_t method_len, path_len, num_headers = 32;
        int minor;
        struct phr_header h[32];
        if (phr_parse_request(request, n, &method, &method_len, &path, &path_len, &minor, h,
                              &num_headers, 0) != (int)n)
            exit(1);
        sink += num_headers + h[5].value_len;
    }
    return PARSES / (bench_now() - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    const char *results = argc > 1 && argv[1][0] ? argv[1] : NULL;
    double w[ROUNDS], p[ROUNDS], q[ROUNDS];
    int r;
    run_wsx();
    run_pico();
    for (r = 0; r < ROUNDS; r++) {
        if (r & 1) {
            p[r] = run_pico();
            w[r] = run_wsx();
        } else {
            w[r] = run_wsx();
            p[r] = run_pico();
        }
        q[r] = w[r] / p[r];
    }
    printf("http_head/browser-500B: wsx %.3f M/s, picohttpparser %.3f M/s, wsx/pico %.2fx"
           " (medians of %d rounds; %s)\n",
           median(w, ROUNDS) / 1e6, median(p, ROUNDS) / 1e6, median(q, ROUNDS), ROUNDS,
           wsx_build_string());
    bench_record(results, "http_head/browser-500B", "wsx", median(w, ROUNDS) / 1e6, "M/s");
    bench_record(results, "http_head/browser-500B", "picohttpparser", median(p, ROUNDS) / 1e6,
                 "M/s");
    bench_record(results, "http_head/browser-500B", "wsx/picohttpparser", median(q, ROUNDS),
                 "ratio");
    return 0;
}
