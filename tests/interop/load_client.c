/*
 * load_client — many WebSocket and SSE clients at once against the example
 * servers, every message and event checked (Linux, epoll, one thread; built
 * by the Makefile as build/interop/load_client; run by test_stress_load.py).
 *
 *   load_client [--timeout S] [--pace N] KIND:PORT:COUNT[:N]...
 *
 *   ws-echo    ws_echo: N messages each (text and binary, 0 B to 64 KiB + 10,
 *              some in two fragments), at most 4 in flight; every echo must
 *              equal its message, in order
 *   ws-chat    demo_server /ws: hello, then N private messages to itself;
 *              the welcome, its own join right after it, every relayed copy
 *              (exact bytes, in order) and every join/leave notice (known
 *              name, none twice, no join after a leave) are checked
 *   ws-ping    demo_server /ws without a hello: N pings, at most 4 in flight;
 *              every pong must carry its ping's payload, in order
 *   sse-feed   GET /events (sse_server or demo_server): at least N events;
 *              every event's id and data are the same number, one more
 *              than the previous one (the demo's "event: instance" of
 *              cluster mode is skipped)
 *   sse-chat   sse_server POST /api/chat: the meta event, token ids 1, 2,
 *              ..., the tokens' text equal to the answer the server
 *              composes, [DONE], the end of the chunked body
 *   demo-chat  demo_server POST /api/chat: the same with the demo's answer
 *              (its planned token count and every token)
 *
 * Connections open at most --pace (256) at a time.  Each client, its work
 * done, stays open until every client has connected (or failed), so all
 * are open at once; then WebSocket clients close with 1000 (the server's
 * close frame and its EOF awaited) and SSE clients close.  Prints one line
 * per kind, the peak of open connections and the first failures; exit
 * status 0 when every client did all of its work.  It does not use wsx.
 */
#include "load_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

static spec specs[MAX_SPECS];
static int nspecs, total, settled, peak, open_now, barrier, errors_shown;
static int answered; /* clients established or failed before that */
static double t_start, t_barrier;

void fail(conn *c, const char *fmt, ...)
{
    va_list ap;
    if (c->state >= ST_DONE)
        return;
    if (errors_shown++ < 20) {
        fprintf(stdout, "FAIL %s #%d (state %d, %d sent, %d checked): ", specs[c->spec].name,
                c->idx, c->state, c->sent, c->got);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
    }
    if (c->state < ST_HOLD)
        settled++;
    if (!c->est)
        answered++;
    c->est = 1;
    c->state = ST_FAILED;
    specs[c->spec].failed++;
}

void finish(conn *c)
{
    if (c->state < ST_HOLD)
        settled++;
    c->state = ST_DONE;
    specs[c->spec].done++;
}

/* The client has connected and done its handshake (or has its response
 * head): counted towards the barrier. */
void established(conn *c)
{
    if (c->state < ST_HOLD)
        c->state = ST_RUN;
    if (!c->est)
        answered++;
    c->est = 1;
}

/* Its work is done: it waits for the barrier, then closes. */
void work_done(conn *c)
{
    if (c->state == ST_RUN) {
        c->state = ST_HOLD;
        settled++;
    }
}

const kind_op *const kind_ops[KIND_COUNT] = {&ws_echo_op,  &ws_chat_op,  &ws_ping_op,
                                             &sse_feed_op, &sse_chat_op, &demo_chat_op};

long head_length(conn *c)
{
    size_t i;
    for (i = 3; i < c->in.len; i++)
        if (memcmp(c->in.p + i - 3, "\r\n\r\n", 4) == 0)
            return (long)i + 1;
    if (c->in.len > HEAD_MAX) {
        fail(c, "response head over %d bytes", HEAD_MAX);
        return -1;
    }
    return 0;
}

int head_has(const uint8_t *head, size_t len, const char *needle)
{
    size_t n = strlen(needle), i, k;
    for (i = 0; i + n <= len; i++) {
        for (k = 0; k < n; k++) {
            uint8_t ch = head[i + k];
            if (ch >= 'A' && ch <= 'Z')
                ch = (uint8_t)(ch + 32);
            if (ch != (uint8_t)needle[k])
                break;
        }
        if (k == n)
            return 1;
    }
    return 0;
}

static int connect_one(int ep, conn *c)
{
    struct sockaddr_in sa;
    struct epoll_event ev;
    int one = 1;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        fail(c, "socket: %s", strerror(errno));
        return -1;
    }
    if (++open_now > peak)
        peak = open_now;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)specs[c->spec].port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        fail(c, "connect: %s", strerror(errno));
        return -1;
    }
    c->state = ST_CONNECTING;
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = c;
    c->out_armed = 1;
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void drop(int ep, conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        open_now--;
    }
    free(c->in.p);
    free(c->out.p);
    free(c->msg.p);
    free(c->body.p);
    free(c->seen);
    memset(&c->in, 0, sizeof c->in);
    memset(&c->out, 0, sizeof c->out);
    memset(&c->msg, 0, sizeof c->msg);
    memset(&c->body, 0, sizeof c->body);
    c->seen = NULL;
}

/* Writes what the kernel takes; EPOLLOUT on while something waits. */
static int flush(int ep, conn *c)
{
    struct epoll_event ev;
    while (c->out_off < c->out.len) {
        ssize_t k = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (k > 0)
            c->out_off += (size_t)k;
        else if (k < 0 && errno == EINTR)
            continue;
        else if (k < 0 && errno == EAGAIN)
            break;
        else
            return -1;
    }
    if (c->out_off == c->out.len)
        c->out.len = c->out_off = 0;
    if ((c->out.len > 0) != c->out_armed) {
        c->out_armed = c->out.len > 0;
        ev.events = EPOLLIN | (c->out_armed ? EPOLLOUT : 0u);
        ev.data.ptr = c;
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

static void on_connected(conn *c)
{
    kind_ops[specs[c->spec].kind]->start(c, &specs[c->spec]);
    c->state = ST_HEAD;
}

static void on_event(int ep, conn *c, uint32_t events)
{
    const kind_op *op = kind_ops[specs[c->spec].kind];
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            fail(c, "connect: %s", strerror(err));
            return;
        }
        if (!(events & EPOLLOUT))
            return;
        on_connected(c);
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            ssize_t k;
            if (buf_room(&c->in, 65536) != 0) {
                fail(c, "out of memory");
                return;
            }
            k = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len, 0);
            if (k > 0) {
                c->in.len += (size_t)k;
                op->input(c, &specs[c->spec]);
                if (c->state >= ST_DONE)
                    return;
                continue;
            }
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0 && errno == EAGAIN)
                break;
            if (k < 0) {
                fail(c, "recv: %s", strerror(errno));
                return;
            }
            op->eof(c, &specs[c->spec]);
            if (c->state < ST_DONE)
                fail(c, "the server closed the connection");
            return;
        }
    }
    if (c->state < ST_DONE && flush(ep, c) != 0)
        fail(c, "send: %s", strerror(errno));
}

static int parse_spec(const char *arg, spec *s)
{
    char kind[16];
    int i;
    s->param = 10;
    if (sscanf(arg, "%15[a-z-]:%d:%d:%d", kind, &s->port, &s->count, &s->param) < 3 ||
        s->count <= 0 || s->count > 100000)
        return -1;
    for (i = 0; i < KIND_COUNT; i++)
        if (strcmp(kind, kind_ops[i]->name) == 0)
            s->kind = i;
    if (strcmp(kind, kind_ops[s->kind]->name) != 0)
        return -1;
    snprintf(s->name, sizeof s->name, "%s:%d", kind, s->port);
    return 0;
}

/* Raises RLIMIT_NOFILE as far as the hard limit allows; -1 if n do not fit. */
static int raise_nofile(long n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < n) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < n) {
        printf("FAIL descriptors: %ld connections need %ld, the limit is %ld (hard %ld)\n", n - 16,
               n, (long)rl.rlim_cur, (long)rl.rlim_max);
        return -1;
    }
    return 0;
}

/* At the barrier every waiting client starts closing. */
static void close_all_waiting(int ep, conn *conns)
{
    int i;
    for (i = 0; i < total; i++) {
        conn *c = &conns[i];
        if (c->state != ST_HOLD)
            continue;
        if (kind_ops[specs[c->spec].kind]->close(c, &specs[c->spec]) != 0)
            finish(c);
        else if (flush(ep, c) != 0)
            fail(c, "send: %s", strerror(errno));
    }
}

/* Where the clients are (when some did not finish in time). */
static void report_states(const conn *conns, int started)
{
    static const char *const names[] = {"not started", "connecting",    "awaiting the answer",
                                        "working",     "done, waiting", "closing"};
    int count[ST_DONE] = {0}, i, late = 0;
    for (i = 0; i < total; i++)
        if (conns[i].state < ST_DONE) {
            count[conns[i].state]++;
            late = 1;
        }
    if (!late)
        return;
    printf("timed out: %d of %d clients started:", started, total);
    for (i = 0; i < ST_DONE; i++)
        if (count[i])
            printf(" %d %s;", count[i], names[i]);
    printf("\n");
}

static void report(void)
{
    int i, ok = 1;
    for (i = 0; i < nspecs; i++) {
        spec *s = &specs[i];
        printf("%s: %d clients, %d done, %d failed, %llu messages or events checked\n", s->name,
               s->count, s->done, s->failed, s->checked);
        ok &= s->done == s->count;
    }
    printf("peak open connections: %d of %d; all open after %.2f s; total %.2f s\n", peak, total,
           t_barrier > 0 ? t_barrier - t_start : -1.0, now_s() - t_start);
    printf("%s\n", ok && peak == total ? "RESULT ok" : "RESULT failed");
}

int main(int argc, char **argv)
{
    double timeout = 120, deadline;
    int pace = 256, i, next = 0, ep;
    conn *conns;
    struct epoll_event evs[256];
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            timeout = atof(argv[++i]);
        else if (strcmp(argv[i], "--pace") == 0 && i + 1 < argc)
            pace = atoi(argv[++i]);
        else if (nspecs < MAX_SPECS && parse_spec(argv[i], &specs[nspecs]) == 0)
            total += specs[nspecs++].count;
        else {
            fprintf(stderr, "usage: load_client [--timeout S] [--pace N] KIND:PORT:COUNT[:N]...\n");
            return 2;
        }
    }
    if (total == 0 || raise_nofile(total + 16) != 0)
        return 2;
    conns = (conn *)calloc((size_t)total, sizeof *conns);
    ep = epoll_create1(0);
    if (!conns || ep < 0)
        return 2;
    /* Clients of every kind interleaved, so that all kinds start together. */
    for (i = 0, next = 0; next < total; i++) {
        int k = i % nspecs;
        if (specs[k].started < specs[k].count) {
            conns[next].spec = (unsigned short)k;
            conns[next].idx = specs[k].started++;
            conns[next].fd = -1;
            next++;
        }
    }
    t_start = now_s();
    deadline = t_start + timeout;
    next = 0;
    while (now_s() < deadline) {
        int n;
        while (next < total && next - answered < pace) {
            if (connect_one(ep, &conns[next]) != 0 && conns[next].fd >= 0)
                drop(ep, &conns[next]);
            next++;
        }
        if (!barrier && settled == total) {
            barrier = 1;
            t_barrier = now_s();
            close_all_waiting(ep, conns);
            for (i = 0; i < total; i++)
                if (conns[i].state >= ST_DONE && conns[i].fd >= 0)
                    drop(ep, &conns[i]);
        }
        n = epoll_wait(ep, evs, 256, 50);
        for (i = 0; i < n; i++) {
            conn *c = (conn *)evs[i].data.ptr;
            on_event(ep, c, evs[i].events);
            if (c->state >= ST_DONE)
                drop(ep, c);
        }
        if (barrier && open_now == 0 && next == total)
            break;
    }
    report_states(conns, next);
    for (i = 0; i < total; i++)
        if (conns[i].state < ST_DONE)
            fail(&conns[i], "timed out (%.0f s)", timeout);
    report();
    return peak == total && errors_shown == 0 ? 0 : 1;
}
