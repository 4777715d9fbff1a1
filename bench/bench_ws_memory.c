/*
 * Server memory per connection: the resident set (VmRSS and RssAnon from
 * /proc/PID/status) of build/examples/ws_echo, of build/bench/uws_echo
 * (uWebSockets' EchoServer, when make bench built it from UWS_DIR), of
 * build/examples/sse_server and build/examples/demo_server (idle event
 * streams) while one client process holds many loopback connections.
 *
 *   make bench   (runs it as: bench_ws_memory build/bench/results.json)
 *   bench_ws_memory --check BUILD_DIR   (make check: pass/fail bounds)
 *
 * For each echo server, started on a free port (stopped by its pid):
 *   base     RSS before any client came;
 *   idle     N connections open (handshake done), nothing sent;
 *   echo     the most RSS seen while every connection echoes 32-byte
 *            messages (3 rounds, one message in flight per connection);
 *   spike    the most RSS seen while S of them each send one 70,000-byte
 *            message at once and read its echo;
 *   left     after every client has closed and the server has closed
 *            every socket (its /proc/PID/fd count is back to the start).
 * Per connection = (RSS - base) / N.  Sockets' kernel buffers are not in
 * a process's RSS; what is counted is what the server itself keeps.
 * For the event-stream servers: base, then N idle /events streams.
 *
 * The figures go to results.json (case "memory: ...", impl "wsx ws_echo",
 * "uWS EchoServer", "wsx sse_server", "wsx demo_server").
 *
 * --check (tests/interop/test_ws_memory.sh): ws_echo with 2,000 idle
 * connections must stay under 2 KiB per connection, and after 500 of them
 * echoed 70,000-byte messages and all left, RSS must be within 8 MiB of
 * the base; sse_server and demo_server with 1,000 idle /events streams
 * under 2 KiB per stream.  Memory does not depend on timing, so the bounds cannot flake
 * on a loaded machine; only the time limits are generous.
 *
 * Environment: WSX_MEM_CONNS (10000), WSX_MEM_SPIKE (1000),
 * WSX_MEM_STREAMS (3000), WSX_WS_ECHO=path (another ws_echo, e.g. an
 * older build, in place of BUILD/examples/ws_echo).
 *
 * It does not use wsx: frames are built and parsed here directly.
 */
#include "bench_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SMALL 32
#define LARGE 70000
#define BATCH 256 /* connections handshaking at once */

enum { ST_CONNECTING, ST_HEAD, ST_OPEN, ST_FAILED };

/* One client connection, with the state of the server frame it reads. */
typedef struct mconn {
    int fd;
    uint8_t st;
    uint8_t hlen; /* frame header bytes gathered */
    uint8_t ctrl; /* the current frame is a control frame */
    uint8_t ping; /* it is a ping (answered when it ends) */
    uint8_t hdr[14];
    uint16_t headlen; /* handshake: bytes of the response head seen */
    uint64_t left;    /* payload bytes of the current frame still to come */
    uint32_t got;     /* payload bytes of the expected echo received */
    uint32_t sent;    /* bytes of the frame to send already written */
} mconn;

typedef struct pool {
    mconn *c;
    int n, ep;
    int port;
    const char *request; /* the upgrade or /events request */
    const char *status;  /* the status line the answer must start with */
    int stream;          /* event stream: keep reading what comes */
} pool;

typedef struct server {
    const char *impl;
    char prog[600];
    const char *args[8];
    pid_t pid;
    int port;
} server;

static double seconds_now(void) { return bench_now(); }

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : dflt;
}

static void raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

/* ---- the server process ---------------------------------------------------- */

/* A field of /proc/PID/status in kB ("VmRSS:", "RssAnon:"), or -1. */
static long status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    long kb = -1;
    size_t n = strlen(field);
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0) {
            kb = atol(line + n);
            break;
        }
    fclose(f);
    return kb;
}

static long open_fds(pid_t pid)
{
    char path[64];
    long n = 0;
    DIR *d;
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    d = opendir(path);
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Starts s on a free port and waits for its "listening" line. */
static int start_server(server *s)
{
    const char *argv[16];
    char portstr[16], line[512];
    int pipefd[2], n = 0, i;
    FILE *f;
    s->port = bench_free_port();
    if (s->port < 0 || pipe(pipefd) != 0)
        return -1;
    snprintf(portstr, sizeof portstr, "%d", s->port);
    argv[n++] = s->prog;
    argv[n++] = "--host";
    argv[n++] = "127.0.0.1";
    argv[n++] = "--port";
    argv[n++] = portstr;
    for (i = 0; s->args[i]; i++)
        argv[n++] = s->args[i];
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    f = fdopen(pipefd[0], "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "listening")) {
            fclose(f);
            return 0;
        }
    if (f)
        fclose(f);
    return -1;
}

static void stop_server(server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

/* ---- client connections ----------------------------------------------------- */

static void arm(pool *p, int i, uint32_t events)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.u32 = (uint32_t)i;
    epoll_ctl(p->ep, EPOLL_CTL_MOD, p->c[i].fd, &ev);
}

static int open_one(pool *p, int i)
{
    struct sockaddr_in sa;
    struct epoll_event ev;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    mconn *c = &p->c[i];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->st = ST_FAILED;
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)p->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS)
        return -1;
    c->st = ST_CONNECTING;
    ev.events = EPOLLOUT;
    ev.data.u32 = (uint32_t)i;
    return epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Reads the response head; 1 when it is complete and right. */
static int read_head(pool *p, mconn *c)
{
    char buf[2048];
    ssize_t k = recv(c->fd, buf, sizeof buf, 0), i;
    if (k <= 0)
        return k < 0 && errno == EAGAIN ? 0 : -1;
    if (c->headlen == 0 && strncmp(buf, p->status, strlen(p->status)) != 0)
        return -1;
    for (i = 0; i < k; i++) { /* hdr[0]: how many of "\r\n\r\n" were seen */
        c->hdr[0] =
            (uint8_t)(buf[i] == "\r\n\r\n"[c->hdr[0]] ? c->hdr[0] + 1 : (buf[i] == '\r' ? 1 : 0));
        if (c->hdr[0] == 4) {
            c->hdr[0] = 0;
            return 1; /* an event stream's first bytes may follow: not read */
        }
    }
    c->headlen = (uint16_t)(c->headlen + k);
    return 0;
}

static void step_handshake(pool *p, int i, uint32_t events)
{
    mconn *c = &p->c[i];
    int r;
    if (c->st == ST_CONNECTING && (events & EPOLLOUT)) {
        size_t n = strlen(p->request);
        if (send(c->fd, p->request, n, MSG_NOSIGNAL) != (ssize_t)n) {
            c->st = ST_FAILED;
            return;
        }
        c->st = ST_HEAD;
        arm(p, i, EPOLLIN);
        return;
    }
    if (c->st != ST_HEAD)
        return;
    r = read_head(p, c);
    if (r < 0)
        c->st = ST_FAILED;
    if (r > 0) {
        c->st = ST_OPEN;
        arm(p, i, p->stream ? EPOLLIN : 0);
    }
}

/* Opens n connections, BATCH at a time.  Returns how many are open. */
static int open_all(pool *p, int n)
{
    int i = 0, open = 0;
    double deadline = seconds_now() + 60 + n / 100.0;
    while (i < n && seconds_now() < deadline) {
        int first = i, waiting, j;
        for (; i < n && i < first + BATCH; i++)
            open_one(p, i);
        p->n = i;
        for (;;) {
            struct epoll_event evs[256];
            int k;
            waiting = 0;
            for (j = first; j < i; j++)
                waiting += p->c[j].st == ST_CONNECTING || p->c[j].st == ST_HEAD;
            if (waiting == 0 || seconds_now() > deadline)
                break;
            k = epoll_wait(p->ep, evs, 256, 100);
            for (j = 0; j < k; j++)
                if (p->c[evs[j].data.u32].st != ST_OPEN)
                    step_handshake(p, (int)evs[j].data.u32, evs[j].events);
        }
    }
    for (i = 0; i < p->n; i++)
        open += p->c[i].st == ST_OPEN;
    return open;
}

static void close_all(pool *p)
{
    int i;
    for (i = 0; i < p->n; i++)
        if (p->c[i].fd >= 0)
            close(p->c[i].fd);
    p->n = 0;
}

/* ---- echo traffic --------------------------------------------------------- */

/* A masked binary frame with a `size`-byte payload; returns its length. */
static size_t make_frame(uint8_t *f, size_t size)
{
    static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    size_t h = 2, i;
    f[0] = 0x82;
    if (size < 126) {
        f[1] = (uint8_t)(0x80 | size);
    } else if (size < 65536) {
        f[1] = 0x80 | 126;
        f[2] = (uint8_t)(size >> 8);
        f[3] = (uint8_t)size;
        h = 4;
    } else {
        f[1] = 0x80 | 127;
        for (i = 0; i < 8; i++)
            f[2 + i] = (uint8_t)((uint64_t)size >> (56 - 8 * i));
        h = 10;
    }
    memcpy(f + h, key, 4);
    for (i = 0; i < size; i++)
        f[h + 4 + i] = (uint8_t)('a' + i % 26) ^ key[i % 4];
    return h + 4 + size;
}

/* Header length of a server frame once hdr[0..hlen) is known, or 0. */
static size_t frame_header_len(const mconn *c)
{
    if (c->hlen < 2)
        return 0;
    return (c->hdr[1] & 127) == 127 ? 10 : (c->hdr[1] & 127) == 126 ? 4 : 2;
}

static void frame_started(mconn *c)
{
    unsigned len7 = c->hdr[1] & 127, i;
    c->left = len7;
    if (len7 == 126)
        c->left = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
    if (len7 == 127)
        for (c->left = 0, i = 0; i < 8; i++)
            c->left = c->left << 8 | c->hdr[2 + i];
    c->ctrl = (c->hdr[0] & 8) != 0;
    c->ping = (c->hdr[0] & 15) == 9;
    c->hlen = 0;
}

static void frame_ended(mconn *c)
{
    static const uint8_t pong[6] = {0x8a, 0x80, 1, 2, 3, 4}; /* any pong will do */
    if (c->ping)
        (void)send(c->fd, pong, sizeof pong, MSG_NOSIGNAL);
    c->ping = 0;
}

/* Reads what the server sent; counts echoed payload bytes into c->got. */
static int read_frames(mconn *c)
{
    uint8_t buf[65536];
    ssize_t k = recv(c->fd, buf, sizeof buf, 0), i = 0;
    if (k <= 0)
        return k < 0 && errno == EAGAIN ? 0 : -1;
    while (i < k) {
        if (c->left == 0 && (c->hlen < 2 || c->hlen < frame_header_len(c))) {
            c->hdr[c->hlen++] = buf[i++];
            if (c->hlen >= 2 && c->hlen == frame_header_len(c)) {
                frame_started(c);
                if (c->left == 0)
                    frame_ended(c);
            }
            continue;
        } else {
            size_t take = (size_t)(k - i) < c->left ? (size_t)(k - i) : (size_t)c->left;
            if (!c->ctrl)
                c->got += (uint32_t)take;
            c->left -= take;
            i += (ssize_t)take;
            if (c->left == 0)
                frame_ended(c);
        }
    }
    return 0;
}

typedef struct peak {
    pid_t pid;
    long rss, anon; /* the most seen (kB) */
    double next;
} peak;

static void sample(peak *pk, int force)
{
    double now = seconds_now();
    long rss, anon;
    if (!force && now < pk->next)
        return;
    pk->next = now + 0.01;
    rss = status_kb(pk->pid, "VmRSS:");
    anon = status_kb(pk->pid, "RssAnon:");
    if (rss > pk->rss)
        pk->rss = rss;
    if (anon > pk->anon)
        pk->anon = anon;
}

/* Connections [0, n) each send frame[0..len) at once and read back size
 * payload bytes.  Returns how many got their whole echo. */
static int echo_once(pool *p, int n, const uint8_t *frame, size_t len, size_t size, peak *pk)
{
    int i, done = 0, live = 0;
    double deadline = seconds_now() + 60 + n / 50.0;
    for (i = 0; i < n; i++) {
        mconn *c = &p->c[i];
        c->got = 0;
        c->sent = 0;
        if (c->st == ST_OPEN) {
            live++;
            arm(p, i, EPOLLIN | EPOLLOUT);
        }
    }
    while (done < live && seconds_now() < deadline) {
        struct epoll_event evs[256];
        int k = epoll_wait(p->ep, evs, 256, 50), j;
        for (j = 0; j < k; j++) {
            int at = (int)evs[j].data.u32;
            mconn *c = &p->c[at];
            int was_done = c->got >= size;
            if ((evs[j].events & EPOLLOUT) && c->sent < len) {
                ssize_t w = send(c->fd, frame + c->sent, len - c->sent, MSG_NOSIGNAL);
                if (w > 0)
                    c->sent += (uint32_t)w;
                if (c->sent == len)
                    arm(p, at, EPOLLIN);
            }
            if ((evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && read_frames(c) < 0) {
                c->st = ST_FAILED;
                arm(p, at, 0);
                live--;
                continue;
            }
            if (!was_done && c->got >= size) {
                done++;
                if (c->sent == len)
                    arm(p, at, EPOLLIN);
            }
        }
        sample(pk, 0);
    }
    return done;
}

/* Reads what the event streams sent for ms milliseconds. */
static void drain_streams(pool *p, double ms)
{
    double end = seconds_now() + ms / 1000.0;
    char buf[16384];
    while (seconds_now() < end) {
        struct epoll_event evs[256];
        int k = epoll_wait(p->ep, evs, 256, 20), j;
        for (j = 0; j < k; j++)
            while (recv(p->c[evs[j].data.u32].fd, buf, sizeof buf, 0) > 0)
                ;
    }
}

/* After the clients closed: waits until the server has closed as many
 * sockets (its descriptor count is back to fds0), then a moment more. */
static void wait_server_closed(pid_t pid, long fds0)
{
    double deadline = seconds_now() + 30;
    while (open_fds(pid) > fds0 && seconds_now() < deadline)
        usleep(20000);
    usleep(300000);
}

/* ---- the measurements ----------------------------------------------------- */

typedef struct figures {
    long base, base_anon, idle, idle_anon, echo, echo_anon, spike, spike_anon, left, left_anon;
    int conns, spiked;
} figures;

static const char *UPGRADE =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
static const char *EVENTS = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Accept: text/event-stream\r\n\r\n";

static int pool_init(pool *p, int n, int port)
{
    memset(p, 0, sizeof *p);
    p->c = (mconn *)calloc((size_t)n, sizeof *p->c);
    p->ep = epoll_create1(0);
    p->port = port;
    return p->c && p->ep >= 0 ? 0 : -1;
}

static void pool_free(pool *p)
{
    close_all(p);
    close(p->ep);
    free(p->c);
}

/* The echo server's figures: base, idle, echo, spike, left (kB). */
static int measure_echo(server *s, int n, int spike, figures *f)
{
    static uint8_t frame[LARGE + 16];
    size_t len;
    pool p;
    peak pk;
    long fds0;
    int open, r;
    memset(f, 0, sizeof *f);
    if (start_server(s) != 0 || pool_init(&p, n, s->port) != 0) {
        fprintf(stderr, "%s: did not start\n", s->impl);
        stop_server(s);
        return -1;
    }
    p.request = UPGRADE;
    p.status = "HTTP/1.1 101";
    usleep(200000);
    f->base = status_kb(s->pid, "VmRSS:");
    f->base_anon = status_kb(s->pid, "RssAnon:");
    fds0 = open_fds(s->pid);
    open = open_all(&p, n);
    f->conns = open;
    usleep(300000);
    f->idle = status_kb(s->pid, "VmRSS:");
    f->idle_anon = status_kb(s->pid, "RssAnon:");
    memset(&pk, 0, sizeof pk);
    pk.pid = s->pid;
    len = make_frame(frame, SMALL);
    for (r = 0; r < 3; r++)
        if (echo_once(&p, p.n, frame, len, SMALL, &pk) != open)
            fprintf(stderr, "%s: not every 32-byte echo came back\n", s->impl);
    sample(&pk, 1);
    f->echo = pk.rss;
    f->echo_anon = pk.anon;
    memset(&pk, 0, sizeof pk);
    pk.pid = s->pid;
    len = make_frame(frame, LARGE);
    f->spiked = echo_once(&p, spike < p.n ? spike : p.n, frame, len, LARGE, &pk);
    sample(&pk, 1);
    f->spike = pk.rss;
    f->spike_anon = pk.anon;
    close_all(&p);
    wait_server_closed(s->pid, fds0);
    f->left = status_kb(s->pid, "VmRSS:");
    f->left_anon = status_kb(s->pid, "RssAnon:");
    pool_free(&p);
    stop_server(s);
    return open == n ? 0 : -1;
}

/* An event-stream server's figures: base and n idle streams (kB). */
static int measure_streams(server *s, int n, figures *f)
{
    pool p;
    memset(f, 0, sizeof *f);
    if (start_server(s) != 0 || pool_init(&p, n, s->port) != 0) {
        fprintf(stderr, "%s: did not start\n", s->impl);
        stop_server(s);
        return -1;
    }
    p.request = EVENTS;
    p.status = "HTTP/1.1 200";
    p.stream = 1;
    usleep(200000);
    f->base = status_kb(s->pid, "VmRSS:");
    f->base_anon = status_kb(s->pid, "RssAnon:");
    f->conns = open_all(&p, n);
    drain_streams(&p, 1500);
    f->idle = status_kb(s->pid, "VmRSS:");
    f->idle_anon = status_kb(s->pid, "RssAnon:");
    pool_free(&p);
    stop_server(s);
    return f->conns == n ? 0 : -1;
}

static double per_conn(long kb, long base_kb, int n)
{
    return n > 0 ? (double)(kb - base_kb) * 1024.0 / n : 0;
}

static void report(const char *results, const server *s, const figures *f, int echo)
{
    char name[160];
    printf("%-16s %5d conns  base %6.1f MiB (anon %6.1f)  idle %7.0f B/conn (anon %7.0f)", s->impl,
           f->conns, f->base / 1024.0, f->base_anon / 1024.0, per_conn(f->idle, f->base, f->conns),
           per_conn(f->idle_anon, f->base_anon, f->conns));
    snprintf(name, sizeof name, "memory: %d idle %s, RSS per connection", f->conns,
             echo ? "connections" : "streams");
    bench_record(results, name, s->impl, per_conn(f->idle, f->base, f->conns), "B");
    snprintf(name, sizeof name, "memory: %d idle %s, RssAnon per connection", f->conns,
             echo ? "connections" : "streams");
    bench_record(results, name, s->impl, per_conn(f->idle_anon, f->base_anon, f->conns), "B");
    if (!echo) {
        printf("\n");
        return;
    }
    printf("\n%-16s echo 32 B %7.0f B/conn  spike (%d x 70 KB) peak %6.1f MiB  "
           "left %6.1f MiB (anon %6.1f, base %6.1f)\n",
           "", per_conn(f->echo, f->base, f->conns), f->spiked, f->spike / 1024.0, f->left / 1024.0,
           f->left_anon / 1024.0, f->base_anon / 1024.0);
    snprintf(name, sizeof name, "memory: %d connections echoing 32 B, RSS per connection",
             f->conns);
    bench_record(results, name, s->impl, per_conn(f->echo, f->base, f->conns), "B");
    snprintf(name, sizeof name, "memory: %d connections echoing 70 KB, peak RSS", f->spiked);
    bench_record(results, name, s->impl, f->spike / 1024.0, "MiB");
    bench_record(results, "memory: no connections before, RSS", s->impl, f->base / 1024.0, "MiB");
    bench_record(results, "memory: after the spike, all clients gone, RSS", s->impl,
                 f->left / 1024.0, "MiB");
    bench_record(results, "memory: after the spike, all clients gone, RssAnon", s->impl,
                 f->left_anon / 1024.0, "MiB");
}

static void set_prog(server *s, const char *build, const char *rel)
{
    snprintf(s->prog, sizeof s->prog, "%s/%s", build, rel);
}

static void ws_echo_server(server *s, const char *build, char *maxc)
{
    memset(s, 0, sizeof *s);
    s->impl = "wsx ws_echo";
    if (getenv("WSX_WS_ECHO"))
        snprintf(s->prog, sizeof s->prog, "%s", getenv("WSX_WS_ECHO"));
    else
        set_prog(s, build, "examples/ws_echo");
    s->args[0] = "--quiet";
    s->args[1] = "--max-connections";
    s->args[2] = maxc;
}

static void sse_server_(server *s, const char *build, char *maxc)
{
    memset(s, 0, sizeof *s);
    s->impl = "wsx sse_server";
    set_prog(s, build, "examples/sse_server");
    s->args[0] = "--max-clients";
    s->args[1] = maxc;
    s->args[2] = "--no-gzip";
}

static void demo_server_(server *s, const char *build, char *maxc)
{
    memset(s, 0, sizeof *s);
    s->impl = "wsx demo_server";
    set_prog(s, build, "examples/demo_server");
    s->args[0] = "--quiet";
    s->args[1] = "--max-connections";
    s->args[2] = maxc;
    s->args[3] = "--no-gzip";
}

/* One bound of --check: prints FAIL and counts it when value > bound. */
static int bound(const char *what, double value, double limit, const char *unit)
{
    if (value <= limit)
        return 0;
    printf("FAIL %s: %.1f %s (bound %.0f)\n", what, value, unit, limit);
    return 1;
}

static int check(const char *build)
{
    server s;
    figures f;
    char maxc[16] = "20000";
    int failed = 0, n = 2000, spike = 500, streams = 1000;
    ws_echo_server(&s, build, maxc);
    if (measure_echo(&s, n, spike, &f) != 0 || f.spiked != spike) {
        printf("FAIL ws_echo: %d of %d connections opened, %d of %d spike echoes\n", f.conns, n,
               f.spiked, spike);
        failed++;
    }
    report(NULL, &s, &f, 1);
    failed += bound("ws_echo, idle connections", per_conn(f.idle, f.base, f.conns), 2048,
                    "bytes per connection");
    failed += bound("ws_echo, after the spike and all left: RSS above the start",
                    (f.left - f.base) / 1024.0, 8, "MiB");
    sse_server_(&s, build, maxc);
    if (measure_streams(&s, streams, &f) != 0) {
        printf("FAIL sse_server: %d of %d streams opened\n", f.conns, streams);
        failed++;
    }
    report(NULL, &s, &f, 0);
    failed += bound("sse_server, idle streams", per_conn(f.idle, f.base, f.conns), 2048,
                    "bytes per stream");
    demo_server_(&s, build, maxc);
    if (measure_streams(&s, streams, &f) != 0) {
        printf("FAIL demo_server: %d of %d streams opened\n", f.conns, streams);
        failed++;
    }
    report(NULL, &s, &f, 0);
    failed += bound("demo_server, idle feed streams", per_conn(f.idle, f.base, f.conns), 2048,
                    "bytes per stream");
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed);
    return failed != 0;
}

int main(int argc, char **argv)
{
    char build[512], maxc[16];
    const char *results = argc > 1 ? argv[1] : NULL;
    int n = env_int("WSX_MEM_CONNS", 10000), spike = env_int("WSX_MEM_SPIKE", 1000);
    int streams = env_int("WSX_MEM_STREAMS", 3000), failed = 0;
    server s;
    figures f;
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    if (argc > 2 && strcmp(argv[1], "--check") == 0)
        return check(argv[2]);
    bench_build_dir(results, build, sizeof build);
    snprintf(maxc, sizeof maxc, "%d", 2 * n);
    ws_echo_server(&s, build, maxc);
    failed |= measure_echo(&s, n, spike, &f);
    report(results, &s, &f, 1);
    memset(&s, 0, sizeof s);
    s.impl = "uWS EchoServer";
    set_prog(&s, build, "bench/uws_echo");
    s.args[0] = "--quiet";
    if (access(s.prog, X_OK) == 0) {
        measure_echo(&s, n, spike, &f);
        report(results, &s, &f, 1);
    } else {
        printf("SKIP uWS EchoServer: %s not built (make bench UWS_DIR=...)\n", s.prog);
    }
    snprintf(maxc, sizeof maxc, "%d", 2 * streams);
    sse_server_(&s, build, maxc);
    failed |= measure_streams(&s, streams, &f);
    report(results, &s, &f, 0);
    demo_server_(&s, build, maxc);
    failed |= measure_streams(&s, streams, &f);
    report(results, &s, &f, 0);
    return failed ? 1 : 0;
}
