/*
 * ws_load — a WebSocket echo load generator (Linux, epoll, one thread).
 *
 *   N connections each keep M messages in flight: every echo received is
 *   answered with a new message at once, so the server is never idle.  The
 *   messages are masked binary frames of SIZE bytes (default 32), with a
 *   new masking key per frame.  Prints the echoed messages per second over
 *   the measured period (after a short warm-up).
 *
 * Standalone (to measure any echo server the same way):
 *     cc -O2 -std=c99 -D_GNU_SOURCE bench/ws_load.c -o ws_load
 *     ./ws_load HOST PORT [CONNECTIONS [IN_FLIGHT [SECONDS [SIZE]]]]
 * bench/bench_ws_echo.c includes this file with WS_LOAD_NO_MAIN defined.
 *
 * It does not use wsx (so it cannot share a bug with the server under
 * test): frames are built and parsed here directly.  The handshake sends a
 * fixed key and only checks for "101".
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct ws_load_conn {
    int fd;
    size_t have;          /* bytes in rbuf not yet parsed */
    uint8_t rbuf[65536];
} ws_load_conn;

typedef struct ws_load_result {
    double msgs_per_sec;
    double seconds;
    unsigned long long messages;       /* echoes in the measured period */
    unsigned long long total_messages; /* echoes including the warm-up */
    int errors;
} ws_load_result;

static double ws_load_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t ws_load_rng = 0x9e3779b97f4a7c15ull;

static uint32_t ws_load_rand32(void)
{
    ws_load_rng ^= ws_load_rng << 13;
    ws_load_rng ^= ws_load_rng >> 7;
    ws_load_rng ^= ws_load_rng << 17;
    return (uint32_t)(ws_load_rng >> 16);
}

/* A masked binary frame of size bytes (size < 126) into out; returns its
 * length. */
static size_t ws_load_frame(uint8_t *out, size_t size)
{
    uint32_t key = ws_load_rand32();
    size_t i;
    out[0] = 0x82;
    out[1] = (uint8_t)(0x80 | size);
    memcpy(out + 2, &key, 4);
    for (i = 0; i < size; i++)
        out[6 + i] = (uint8_t)('a' + i % 26) ^ out[2 + (i & 3)];
    return 6 + size;
}

static int ws_load_connect(const char *host, int port)
{
    static const char req_fmt[] =
        "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    struct sockaddr_in sa;
    char req[512], resp[1024];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, n;
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto fail;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    n = snprintf(req, sizeof req, req_fmt, host, port);
    if (write(fd, req, (size_t)n) != n)
        goto fail;
    /* Read up to the end of the head only (byte by byte is fine here). */
    while (got < sizeof resp - 1) {
        if (read(fd, resp + got, 1) != 1)
            goto fail;
        got++;
        if (got >= 4 && memcmp(resp + got - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    resp[got] = '\0';
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0)
        goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

/* Counts the complete data frames at the start of c->rbuf and drops them;
 * returns the count, or -1 for a frame it does not expect (masked, close). */
static int ws_load_parse(ws_load_conn *c)
{
    size_t pos = 0;
    int frames = 0;
    for (;;) {
        const uint8_t *p = c->rbuf + pos;
        size_t left = c->have - pos, hdr = 2, len;
        if (left < 2)
            break;
        if ((p[0] & 0x0f) == 0x8 || (p[1] & 0x80))
            return -1;
        len = p[1] & 0x7f;
        if (len == 126) {
            if (left < 4)
                break;
            len = ((size_t)p[2] << 8) | p[3];
            hdr = 4;
        } else if (len == 127) {
            return -1; /* not in this benchmark */
        }
        if (left < hdr + len)
            break;
        pos += hdr + len;
        if (p[0] & 0x80)
            frames++;
    }
    memmove(c->rbuf, c->rbuf + pos, c->have - pos);
    c->have -= pos;
    return frames;
}

static int ws_load_send(ws_load_conn *c, int count, size_t size)
{
    uint8_t buf[64 * 131];
    size_t len = 0;
    while (count > 0) {
        int batch = count > 64 ? 64 : count, i;
        len = 0;
        for (i = 0; i < batch; i++)
            len += ws_load_frame(buf + len, size);
        if (write(c->fd, buf, len) != (ssize_t)len)
            return -1; /* the socket buffer never fills at this rate */
        count -= batch;
    }
    return 0;
}

/* Runs the load; fills *res.  Returns 0, or -1 if connecting failed. */
static int ws_load_run(const char *host, int port, int nconn, int inflight,
                       double seconds, size_t size, ws_load_result *res)
{
    ws_load_conn *conns = (ws_load_conn *)calloc((size_t)nconn, sizeof *conns);
    struct epoll_event evs[256];
    int ep = epoll_create1(0), i;
    double start, warm_end, end;
    unsigned long long counted = 0;
    memset(res, 0, sizeof *res);
    if (!conns || ep < 0 || size > 125)
        return -1;
    for (i = 0; i < nconn; i++) {
        struct epoll_event ev;
        conns[i].fd = ws_load_connect(host, port);
        if (conns[i].fd < 0) {
            fprintf(stderr, "ws_load: connection %d failed\n", i);
            return -1;
        }
        ev.events = EPOLLIN;
        ev.data.ptr = &conns[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    for (i = 0; i < nconn; i++)
        ws_load_send(&conns[i], inflight, size);
    start = ws_load_now();
    warm_end = start + (seconds > 2 ? 0.5 : seconds / 4);
    end = warm_end + seconds;
    for (;;) {
        double now = ws_load_now();
        int n;
        if (now >= end)
            break;
        n = epoll_wait(ep, evs, 256, 100);
        for (i = 0; i < n; i++) {
            ws_load_conn *c = (ws_load_conn *)evs[i].data.ptr;
            ssize_t k = read(c->fd, c->rbuf + c->have, sizeof c->rbuf - c->have);
            int frames;
            if (k <= 0) {
                if (k < 0 && errno == EINTR)
                    continue;
                res->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            c->have += (size_t)k;
            frames = ws_load_parse(c);
            if (frames < 0) {
                res->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            if (now >= warm_end)
                counted += (unsigned long long)frames;
            res->total_messages += (unsigned long long)frames;
            if (frames > 0 && ws_load_send(c, frames, size) != 0)
                res->errors++;
        }
    }
    res->seconds = seconds;
    res->messages = counted;
    res->msgs_per_sec = (double)counted / seconds;
    for (i = 0; i < nconn; i++)
        close(conns[i].fd);
    close(ep);
    free(conns);
    return 0;
}

#ifndef WS_LOAD_NO_MAIN
int main(int argc, char **argv)
{
    ws_load_result r;
    int port, conns = 100, inflight = 1;
    double seconds = 5;
    size_t size = 32;
    if (argc < 3) {
        fputs("usage: ws_load HOST PORT [CONNECTIONS [IN_FLIGHT [SECONDS [SIZE<=125]]]]\n", stderr);
        return 2;
    }
    port = atoi(argv[2]);
    if (argc > 3) conns = atoi(argv[3]);
    if (argc > 4) inflight = atoi(argv[4]);
    if (argc > 5) seconds = atof(argv[5]);
    if (argc > 6) size = (size_t)atoi(argv[6]);
    if (ws_load_run(argv[1], port, conns, inflight, seconds, size, &r) != 0)
        return 1;
    printf("%d connections, %d in flight, %zu-byte messages: %.0f msg/s (%llu in %.1f s, %d errors)\n",
           conns, inflight, size, r.msgs_per_sec, r.messages, r.seconds, r.errors);
    return r.errors ? 1 : 0;
}
#endif
