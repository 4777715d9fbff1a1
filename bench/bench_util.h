/*
 * Shared by the benchmarks: a monotonic clock, the results file, a free
 * loopback port and the build directory.
 * bench_record() appends {"case","impl","value","unit"} to the JSON list in
 * path (build/bench/results.json), creating it when absent, so every bench
 * program adds to the same list.
 */
#ifndef WSX_BENCH_UTIL_H
#define WSX_BENCH_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* A browser's WebSocket upgrade request (489 bytes, 13 headers), for the
 * handshake and head-parser benches; *len: its length. */
static inline const char *bench_browser_request(size_t *len)
{
    static const char request[] =
        "GET /chat HTTP/1.1\r\n"
        "Host: example.com:8000\r\n"
        "Connection: Upgrade\r\n"
        "Pragma: no-cache\r\n"
        "Cache-Control: no-cache\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36\r\n"
        "Upgrade: websocket\r\n"
        "Origin: http://example.com:8000\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Accept-Encoding: gzip, deflate, br\r\n"
        "Accept-Language: en-US,en;q=0.9\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        "\r\n";
    *len = sizeof request - 1;
    return request;
}

/* A TCP port on 127.0.0.1 that nothing listens on now, or -1. */
static inline int bench_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The build directory: the parent of the results file's directory
 * (build/bench/results.json -> build), else "build". */
static inline void bench_build_dir(const char *results, char *out, size_t cap)
{
    const char *end = results ? strrchr(results, '/') : NULL;
    snprintf(out, cap, "build");
    if (end) {
        const char *p = end;
        while (p > results && p[-1] != '/')
            p--;
        if (p - 1 > results)
            snprintf(out, cap, "%.*s", (int)(p - 1 - results), results);
    }
}

#endif
