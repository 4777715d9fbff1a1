/*
 * ws_load — a WebSocket echo load generator (Linux, epoll, one thread).
 *
 *   N connections each keep M messages in flight: every echo received is
 *   answered with a new message at once, so the server is never idle.  The
 *   messages are masked binary frames of SIZE bytes (default 32), with a
 *   new masking key per frame.  Prints the echoed messages per second over
 *   the measured period (after a short warm-up).  Sockets are non-blocking
 *   and each connection queues what the kernel does not take yet, so large
 *   messages with many in flight cannot deadlock client and server.
 *
 * Standalone (to measure any echo server the same way):
 *     cc -O2 -std=c99 -D_GNU_SOURCE bench/ws_load.c -o ws_load
 *     ./ws_load HOST PORT [CONNECTIONS [IN_FLIGHT [SECONDS [SIZE]]]]
 * SIZE is at most WS_LOAD_MAX_SIZE (32 KiB).
 * bench/bench_ws_echo.c includes this file with WS_LOAD_NO_MAIN defined.
 *
 * It does not use wsx (so it cannot share a bug with the server under
 * test): frames are built and parsed here directly.  Every echo is checked:
 * unmasked binary frames (a message may come back fragmented), the very
 * bytes sent, the right length; anything else (a close, a masked frame, a
 * wrong byte) counts as an error; a ping gets its pong.  The handshake sends a fixed key and
 * only checks for "101".
 */
#include <errno.h>
#include <fcntl.h>
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

#define WS_LOAD_MAX_SIZE 32768 /* payload bytes; a frame always fits rbuf */

typedef struct ws_load_conn {
    int fd;
    int out_armed;     /* EPOLLOUT is on: obuf holds unsent bytes */
    size_t have;       /* bytes in rbuf not yet parsed */
    size_t msg_got;    /* payload bytes of the message being echoed so far */
    size_t olen, ocap; /* obuf: frames the kernel has not taken yet */
    uint8_t *obuf;
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

/* The payload every frame carries (before masking). */
static uint8_t ws_load_payload[WS_LOAD_MAX_SIZE];

static void ws_load_init_payload(void)
{
    size_t i;
    for (i = 0; i < sizeof ws_load_payload; i++)
        ws_load_payload[i] = (uint8_t)('a' + i % 26);
}

/* A masked binary frame of size bytes (size <= WS_LOAD_MAX_SIZE) into out;
 * returns its length (at most size + 8). */
static size_t ws_load_frame(uint8_t *out, size_t size)
{
    uint32_t key = ws_load_rand32(), word;
    size_t hdr = 2, i;
    out[0] = 0x82;
    if (size < 126) {
        out[1] = (uint8_t)(0x80 | size);
    } else {
        out[1] = 0x80 | 126;
        out[2] = (uint8_t)(size >> 8);
        out[3] = (uint8_t)size;
        hdr = 4;
    }
    memcpy(out + hdr, &key, 4);
    out += hdr + 4;
    for (i = 0; i + 4 <= size; i += 4) { /* the key is in memory order */
        memcpy(&word, ws_load_payload + i, 4);
        word ^= key;
        memcpy(out + i, &word, 4);
    }
    for (; i < size; i++)
        out[i] = ws_load_payload[i] ^ ((const uint8_t *)&key)[i & 3];
    return hdr + 4 + size;
}

/* Connects and sends the upgrade request.  Returns the socket, or -1. */
static int ws_load_connect(const char *host, int port)
{
    static const char req_fmt[] =
        "GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    struct sockaddr_in sa;
    char req[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, n;
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    n = snprintf(req, sizeof req, req_fmt, host, port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Reads the answer to the upgrade request, up to the end of its head
 * only (frames may follow), and makes the socket nonblocking.  Returns 0
 * for a 101, -1 otherwise. */
static int ws_load_upgraded(int fd)
{
    char resp[1024], *end = NULL;
    ssize_t k = 0;
    /* Peek until the whole head is there, then take exactly the head. */
    while (!end) {
        k = recv(fd, resp, sizeof resp - 1, MSG_PEEK);
        if (k <= 0 || (size_t)k == sizeof resp - 1)
            return -1;
        resp[k] = '\0';
        end = strstr(resp, "\r\n\r\n");
        if (!end)
            usleep(1000);
    }
    k = end + 4 - resp;
    if (recv(fd, resp, (size_t)k, 0) != k || strncmp(resp, "HTTP/1.1 101", 12) != 0)
        return -1;
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Opens nconn upgraded connections, added to ep: requests go out in groups
 * (within any listen backlog), then their answers are read, so a server
 * answers many handshakes per wakeup.  Returns 0, or -1 (all closed). */
static int ws_load_open_all(ws_load_conn *conns, int nconn, int ep, const char *host, int port)
{
    int first, i;
    for (first = 0; first < nconn; first += 128) {
        int last = first + 128 < nconn ? first + 128 : nconn;
        for (i = first; i < last; i++) {
            conns[i].fd = ws_load_connect(host, port);
            if (conns[i].fd < 0)
                goto fail;
        }
        for (i = first; i < last; i++) {
            struct epoll_event ev;
            if (ws_load_upgraded(conns[i].fd) != 0)
                goto fail;
            ev.events = EPOLLIN;
            ev.data.ptr = &conns[i];
            epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        }
    }
    return 0;
fail:
    fprintf(stderr, "ws_load: connection %d failed\n", i);
    for (i = 0; i < nconn && conns[i].fd > 0; i++)
        close(conns[i].fd);
    return -1;
}

/* Room for n more bytes in c->obuf.  Returns 0, or -1 when out of
 * memory. */
static int ws_load_reserve(ws_load_conn *c, size_t n)
{
    size_t cap = c->ocap ? c->ocap : 4096;
    uint8_t *p;
    if (c->olen + n <= c->ocap)
        return 0;
    while (cap < c->olen + n)
        cap *= 2;
    p = (uint8_t *)realloc(c->obuf, cap);
    if (!p)
        return -1;
    c->obuf = p;
    c->ocap = cap;
    return 0;
}

/* A server may ping (uWS and ws_echo ping quiet connections): the pong
 * (masked with a zero key) is queued; a pong is ignored.  Returns 0, or -1
 * for another control frame (a close) or when out of memory. */
static int ws_load_control(ws_load_conn *c, const uint8_t *p, size_t hdr, size_t len)
{
    if ((p[0] & 0x0f) == 0xA)
        return 0;
    if ((p[0] & 0x0f) != 0x9 || len > 125 || ws_load_reserve(c, len + 6) != 0)
        return -1;
    c->obuf[c->olen] = 0x8A;
    c->obuf[c->olen + 1] = (uint8_t)(0x80 | len);
    memset(c->obuf + c->olen + 2, 0, 4);
    memcpy(c->obuf + c->olen + 6, p + hdr, len);
    c->olen += len + 6;
    return 0;
}

/* Checks one echoed data frame (the server may fragment a message): the
 * first frame binary, the others continuations, the payload the bytes we
 * sent at that offset, a final frame completing exactly size bytes.
 * Returns 1 for a complete message, 0 for a fragment, -1 for a wrong
 * frame. */
static int ws_load_check(ws_load_conn *c, const uint8_t *p, size_t hdr, size_t len, size_t size)
{
    unsigned opcode = p[0] & 0x0f;
    if (opcode != (c->msg_got == 0 ? 0x2u : 0x0u) || c->msg_got + len > size ||
        memcmp(p + hdr, ws_load_payload + c->msg_got, len) != 0)
        return -1;
    c->msg_got += len;
    if (!(p[0] & 0x80))
        return 0;
    if (c->msg_got != size)
        return -1;
    c->msg_got = 0;
    return 1;
}

/* Counts the complete echoed messages at the start of c->rbuf and drops
 * them (queueing pongs for pings); returns the count, or -1 for a frame it
 * does not expect (masked, a close, not the bytes it sent). */
static int ws_load_parse(ws_load_conn *c, size_t size)
{
    size_t pos = 0;
    int frames = 0;
    for (;;) {
        const uint8_t *p = c->rbuf + pos;
        size_t left = c->have - pos, hdr = 2, len;
        int done;
        if (left < 2)
            break;
        if (p[1] & 0x80)
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
        done =
            (p[0] & 0x08) ? ws_load_control(c, p, hdr, len) : ws_load_check(c, p, hdr, len, size);
        if (done < 0)
            return -1;
        pos += hdr + len;
        frames += done;
    }
    memmove(c->rbuf, c->rbuf + pos, c->have - pos);
    c->have -= pos;
    return frames;
}

/* Writes what the kernel takes of c->obuf; keeps the rest and turns
 * EPOLLOUT on (off once drained).  Returns 0, or -1 on a write error. */
static int ws_load_flush(ws_load_conn *c, int ep)
{
    size_t done = 0;
    while (done < c->olen) {
        ssize_t k = send(c->fd, c->obuf + done, c->olen - done, MSG_NOSIGNAL);
        if (k > 0) {
            done += (size_t)k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            return -1;
        }
    }
    memmove(c->obuf, c->obuf + done, c->olen - done);
    c->olen -= done;
    if ((c->olen > 0) != c->out_armed) {
        struct epoll_event ev;
        c->out_armed = c->olen > 0;
        ev.events = EPOLLIN | (c->out_armed ? EPOLLOUT : 0u);
        ev.data.ptr = c;
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

/* Queues count new frames of size bytes and writes what the kernel takes. */
static int ws_load_send(ws_load_conn *c, int ep, int count, size_t size)
{
    if (ws_load_reserve(c, (size_t)count * (size + 8)) != 0)
        return -1;
    while (count-- > 0)
        c->olen += ws_load_frame(c->obuf + c->olen, size);
    return ws_load_flush(c, ep);
}

/* Runs the load; fills *res.  Returns 0, or -1 if connecting failed. */
static int ws_load_run(const char *host, int port, int nconn, int inflight, double seconds,
                       size_t size, ws_load_result *res)
{
    ws_load_conn *conns = (ws_load_conn *)calloc((size_t)nconn, sizeof *conns);
    struct epoll_event evs[256];
    int ep = epoll_create1(0), i;
    double start, warm_end, end;
    unsigned long long counted = 0;
    memset(res, 0, sizeof *res);
    if (!conns || ep < 0 || size > WS_LOAD_MAX_SIZE)
        return -1;
    ws_load_init_payload();
    if (ws_load_open_all(conns, nconn, ep, host, port) != 0) {
        close(ep);
        free(conns);
        return -1;
    }
    for (i = 0; i < nconn; i++)
        if (ws_load_send(&conns[i], ep, inflight, size) != 0)
            res->errors++;
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
            ssize_t k;
            int frames;
            if ((evs[i].events & EPOLLOUT) && ws_load_flush(c, ep) != 0) {
                res->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            k = recv(c->fd, c->rbuf + c->have, sizeof c->rbuf - c->have, 0);
            if (k <= 0) {
                if (k < 0 && (errno == EINTR || errno == EAGAIN))
                    continue;
                res->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            c->have += (size_t)k;
            frames = ws_load_parse(c, size);
            if (frames < 0) {
                res->errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            if (now >= warm_end)
                counted += (unsigned long long)frames;
            res->total_messages += (unsigned long long)frames;
            if ((frames > 0 || c->olen) && ws_load_send(c, ep, frames, size) != 0)
                res->errors++;
        }
    }
    res->seconds = seconds;
    res->messages = counted;
    res->msgs_per_sec = (double)counted / seconds;
    for (i = 0; i < nconn; i++) {
        close(conns[i].fd);
        free(conns[i].obuf);
    }
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
        fputs("usage: ws_load HOST PORT [CONNECTIONS [IN_FLIGHT [SECONDS [SIZE<=32768]]]]\n",
              stderr);
        return 2;
    }
    port = atoi(argv[2]);
    if (argc > 3)
        conns = atoi(argv[3]);
    if (argc > 4)
        inflight = atoi(argv[4]);
    if (argc > 5)
        seconds = atof(argv[5]);
    if (argc > 6)
        size = (size_t)atoi(argv[6]);
    if (ws_load_run(argv[1], port, conns, inflight, seconds, size, &r) != 0)
        return 1;
    printf(
        "%d connections, %d in flight, %zu-byte messages: %.0f msg/s (%llu in %.1f s, %d errors)\n",
        conns, inflight, size, r.msgs_per_sec, r.messages, r.seconds, r.errors);
    return r.errors ? 1 : 0;
}
#endif
