/*
 * Shared by the benchmarks: a monotonic clock and the results file.
 * bench_record() appends {"case","impl","value","unit"} to the JSON list in
 * path (build/bench/results.json), creating it when absent, so every bench
 * program adds to the same list.
 */
#ifndef WSX_BENCH_UTIL_H
#define WSX_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_record(const char *path, const char *test_case, const char *impl,
                                double value, const char *unit)
{
    char *old = NULL;
    long n = 0;
    FILE *f;
    if (!path)
        return;
    f = fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        old = (char *)malloc((size_t)n + 1);
        if (!old || fread(old, 1, (size_t)n, f) != (size_t)n)
            n = 0;
        fclose(f);
    }
    /* Drop the closing bracket (and whitespace) of the existing list. */
    while (n > 0 && (old[n - 1] == ']' || old[n - 1] == '\n' || old[n - 1] == ' '))
        n--;
    f = fopen(path, "wb");
    if (!f) {
        perror(path);
        free(old);
        return;
    }
    if (n > 1) {
        fwrite(old, 1, (size_t)n, f);
        fputs(",\n", f);
    } else {
        fputs("[\n", f);
    }
    fprintf(f, "  {\"case\": \"%s\", \"impl\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n]\n",
            test_case, impl, value, unit);
    fclose(f);
    free(old);
}

#endif
