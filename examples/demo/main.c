/*
 * main.c — the demo server's options, setup, event loop and shutdown
 * (what it serves: demo.h).
 *
 * One thread, one epoll set, level-triggered.  Each turn: run the timers
 * (they give the wait's timeout), wait, read what is readable and mark
 * every connection that saw activity, then settle the marked ones (write,
 * move on, choose what to watch) and free the dead (reap() in conn.c).
 */
#include "demo.h"
#include "opt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

static int quiet;

void logmsg(const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    va_start(ap, fmt);
    fputs("demo_server: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- options ------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: demo_server [--host H] [--port N] [--root DIR] [--token-ms MS]\n"
          "                   [--interval-ms MS] [--state FILE] [--ping-ms MS]\n"
          "                   [--pong-timeout-ms MS] [--message-timeout-ms MS]\n"
          "                   [--keepalive-ms MS] [--idle-ms MS] [--max-lag BYTES]\n"
          "                   [--stall-ms MS] [--max-connections N] [--no-gzip]\n"
          "                   [--gzip-window-bits N] [--gzip-level N] [--no-deflate]\n"
          "                   [--deflate-window-bits N] [--test-hooks] [--quiet]\n"
          "                   [--redis HOST:PORT [--instance NAME]]\n"
          "                   [--allow-origin ORIGIN]... [--token T]\n"
          "                   [--max-streams-per-client N]\n"
          "  --host H             address to listen on (default 127.0.0.1)\n"
          "  --port N             port (default 8080; 0 picks a free one)\n"
          "  --root DIR           the page's files (default examples/demo)\n"
          "  --token-ms MS        time between tokens of /api/chat (default 60)\n"
          "  --interval-ms MS     time between /events events (default 1000)\n"
          "  --state FILE         keep the /events sequence number here, so it\n"
          "                       continues after a restart (default: none)\n"
          "  --ping-ms MS         WebSocket ping after this much silence (20000)\n"
          "  --pong-timeout-ms MS dead if nothing comes back in time (10000)\n"
          "  --message-timeout-ms MS  close 1008 when a WebSocket message is not\n"
          "                       complete this long after its first byte\n"
          "                       (60000; 0: never)\n"
          "  --keepalive-ms MS    SSE keep-alive comment interval (15000)\n"
          "  --idle-ms MS         time allowed for a request (10000)\n"
          "  --max-lag BYTES      drop an /events client with more than this\n"
          "                       waiting for it (262144)\n"
          "  --stall-ms MS        close a connection whose client takes none of\n"
          "                       what waits for it for this long (30000)\n"
          "  --max-connections N  slots (default 512); when all are taken, the\n"
          "                       slowest request head gives its slot up (408),\n"
          "                       or the newcomer gets 503 with Retry-After\n"
          "  --no-gzip            never compress event streams (default: gzip when\n"
          "                       the request's Accept-Encoding allows it)\n"
          "  --gzip-window-bits N compressor window 2^N, 8..15 (default 10)\n"
          "  --gzip-level N       1 (fast) .. 9 (best), default 6\n"
          "  --no-deflate         decline WebSocket permessage-deflate (browsers\n"
          "                       offer it; default: accepted)\n"
          "  --deflate-window-bits N  its window 2^N, 9..15 (default 12): ours and the\n"
          "                       one asked of clients; per compressing connection\n"
          "                       15: 244 KiB, 12: 60 KiB, 9: 39 KiB\n"
          "  --test-hooks         enable POST /api/debug/drop-feeds\n"
          "  --quiet              no log lines on stderr\n"
          "  --redis HOST:PORT    cluster mode: share the feed, the chat and the\n"
          "                       generations with other instances through this\n"
          "                       Redis (numeric address; needs a build with hiredis)\n"
          "  --instance NAME      this instance's name in the cluster (default\n"
          "                       p<port>; 1-16 of [A-Za-z0-9_-])\n" ACCESS_USAGE,
          stderr);
}

static void default_options(options *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->token_ms = 60;
    o->interval_ms = 1000;
    o->ping_ms = 20000;
    o->pong_ms = 10000;
    o->keepalive_ms = WSX_SSE_KEEPALIVE_MS;
    o->idle_ms = 10000;
    o->message_ms = WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS;
    o->max_lag = 256 * 1024;
    o->stall_ms = 30000;
    o->max_connections = 512;
    o->gzip = 1;
    o->gzip_window_bits = 10;
    o->gzip_level = WSX_DEFLATE_LEVEL_DEFAULT;
    o->deflate_bits = PMD_DEFAULT_BITS;
}

/* A numeric option a with value n; -1 when a is unknown or n out of range. */
static int number_option(options *o, const char *a, uint64_t n)
{
    if (strcmp(a, "--port") == 0 && n <= 65535)
        o->port = (int)n;
    else if (strcmp(a, "--token-ms") == 0 && n >= 1 && n <= 60000)
        o->token_ms = n;
    else if (strcmp(a, "--interval-ms") == 0 && n >= 1 && n <= 3600000)
        o->interval_ms = n;
    else if (strcmp(a, "--ping-ms") == 0)
        o->ping_ms = n;
    else if (strcmp(a, "--pong-timeout-ms") == 0)
        o->pong_ms = n;
    else if (strcmp(a, "--keepalive-ms") == 0 && n >= 1 && n <= UINT32_MAX)
        o->keepalive_ms = n;
    else if (strcmp(a, "--idle-ms") == 0 && n >= 1)
        o->idle_ms = n;
    else if (strcmp(a, "--message-timeout-ms") == 0)
        o->message_ms = n;
    else if (strcmp(a, "--max-lag") == 0 && n >= 1024 && n <= (1u << 30))
        o->max_lag = (size_t)n;
    else if (strcmp(a, "--stall-ms") == 0 && n >= 1)
        o->stall_ms = n;
    else if (strcmp(a, "--max-connections") == 0 && n >= 1 && n <= 1000000)
        o->max_connections = (long)n;
    else if (strcmp(a, "--gzip-window-bits") == 0 && n >= 8 && n <= 15)
        o->gzip_window_bits = (int)n;
    else if (strcmp(a, "--gzip-level") == 0 && n >= 1 && n <= 9)
        o->gzip_level = (int)n;
    else if (strcmp(a, "--deflate-window-bits") == 0 && n >= 9 && n <= 15)
        o->deflate_bits = (unsigned)n;
    else
        return -1;
    return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    int i;
    default_options(o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        int k;
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--test-hooks") == 0) {
            o->test_hooks = 1;
            continue;
        }
        if (strcmp(a, "--no-gzip") == 0) {
            o->gzip = 0;
            continue;
        }
        if (strcmp(a, "--no-deflate") == 0) {
            o->deflate_bits = 0;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--host") == 0) {
            o->host = v;
            continue;
        }
        if ((k = access_option(&o->access, a, v)) != 0) {
            if (k < 0)
                return -1;
            continue;
        }
        if (strcmp(a, "--root") == 0) {
            o->root = v;
            continue;
        }
        if (strcmp(a, "--state") == 0) {
            o->state_path = v;
            continue;
        }
        if (strcmp(a, "--redis") == 0) {
            o->redis = v;
            continue;
        }
        if (strcmp(a, "--instance") == 0) {
            o->instance = v;
            continue;
        }
        if (opt_u64(v, 0, UINT64_MAX, &n) != 0 || number_option(o, a, n) != 0)
            return -1;
    }
    return 0;
}

/* --root, else examples/demo from the current directory, else from the
 * executable (build/examples/demo_server -> ../../examples/demo). */
static int find_root(server *s)
{
    struct stat st;
    char exe[PATH_MAX], *slash;
    ssize_t n;
    if (s->opt.root) {
        snprintf(s->root, sizeof s->root, "%s", s->opt.root);
        return 0;
    }
    if (stat("examples/demo/index.html", &st) == 0) {
        snprintf(s->root, sizeof s->root, "examples/demo");
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    if ((slash = strrchr(exe, '/')) == NULL)
        return -1;
    *slash = 0;
    if (snprintf(s->root, sizeof s->root, "%s/../../examples/demo", exe) >= (int)sizeof s->root)
        return -1;
    return stat(s->root, &st) == 0 ? 0 : -1;
}

static void server_config(server *s)
{
    wsx_ws_conn_config_default(&s->ws_cfg);
    s->ws_cfg.role = WSX_WS_SERVER;
    s->ws_cfg.decoder.max_message_size = WS_MAX_MESSAGE;
    s->ws_cfg.decoder.max_frame_size = WS_MAX_MESSAGE;
    s->ws_cfg.ping_interval_ms = s->opt.ping_ms;
    s->ws_cfg.pong_timeout_ms = s->opt.pong_ms;
    s->ws_cfg.message_timeout_ms = s->opt.message_ms ? s->opt.message_ms : WSX_WS_CONN_NO_TIMEOUT;
    memset(&s->hs_cfg, 0, sizeof s->hs_cfg);
    pmd_server_policy(&s->hs_cfg.deflate, s->opt.deflate_bits);
    wsx_http_config_default(&s->http_cfg);
    s->http_cfg.max_head = MAX_HEAD;
    s->http_cfg.max_target = 4096; /* the demo's URLs are short: 414 beyond */
}

/* ---- the loop ---------------------------------------------------------------------- */

/* 1 when some connection that wants to read has bytes waiting inside the
 * transport (TLS), which epoll cannot report. */
static int any_buffered(server *s)
{
    client *c;
    if (!s->tp->buffered)
        return 0;
    for (c = s->clients; c; c = c->next)
        if (!c->dead && (c->want & EPOLLIN) && s->tp->buffered(c->tconn))
            return 1;
    return 0;
}

static void read_buffered(server *s)
{
    client *c;
    for (c = s->clients; c; c = c->next)
        if (!c->dead && (c->want & EPOLLIN) && s->tp->buffered(c->tconn)) {
            on_readable(c);
            mark(c);
        }
}

static int run_loop(server *s)
{
    struct epoll_event events[128];
    while (!net_stop) {
        int timeout = run_timers(s);
        int buffered = any_buffered(s);
        int i, n, listener = 0;
        if (s->any_paused && (timeout < 0 || timeout > 20))
            timeout = 20; /* look at the paused chat senders again soon */
        n = epoll_wait(s->epfd, events, 128, buffered ? 0 : timeout);
        if (n < 0 && errno != EINTR) {
            perror("demo_server: epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            client *c = (client *)events[i].data.ptr;
            uint32_t ev;
            if (!c) {
                listener = 1;
                continue;
            }
            if (cluster_io(s, c, events[i].events))
                continue; /* one of the Redis connections */
            if (c->dead)
                continue;
            ev = s->tp->ready(c->tconn, events[i].events);
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
                on_readable(c);
            mark(c);
        }
        if (buffered)
            read_buffered(s);
        reap(s);
        ws_resume_paused(s, net_now_ms()); /* after the writes of this pass */
        reap(s);
        if (listener)
            accept_all(s); /* after reap: it may free a client (a slot) */
    }
    return 0;
}

/* SIGTERM/SIGINT: streams get a clean end (feeds the end of their body, a
 * running generation its "stopped" event, chat clients a close 1001), one
 * non-blocking write each, then every connection is closed. */
static void shutdown_all(server *s)
{
    client *c;
    static const char reason[] = "server shutting down";
    for (c = s->clients; c; c = c->next) {
        if (c->dead)
            continue;
        if (c->kind == K_FEED && !c->stream_ending)
            body_end(c);
        else if (c->kind == K_STREAM && c->gen && c->gen->running)
            generation_stop(c->gen);
        else if (c->kind == K_WS)
            wsx_ws_conn_close(&c->ws->conn, 1001, reason, sizeof reason - 1, net_now_ms());
        flush_output(c);
    }
    while (s->clients) {
        c = s->clients;
        if (c->kind == K_WS && c->ws)
            c->ws->name_len = 0; /* no leave notices now */
        client_free(s, c);
    }
}

/* ---- setup ----------------------------------------------------------------------------- */

/* Everything before the loop.  Returns 0, or the exit status. */
static int setup(server *s)
{
    if (find_root(s) != 0) {
        fprintf(stderr, "demo_server: cannot find the page (examples/demo); use --root DIR\n");
        return 1;
    }
    server_config(s);
    if (wsx_sse_replay_init(&s->replay, s->replay_mem, sizeof s->replay_mem, FEED_WINDOW,
                            WSX_SSE_REPLAY_NUMERIC) != WSX_OK) {
        fprintf(stderr, "demo_server: replay window setup failed\n");
        return 1;
    }
    feed_open_state(s);
    net_catch_signals();
    s->lfd = net_listen(s->opt.host, s->opt.port, 1024);
    if (s->lfd < 0) {
        fprintf(stderr, "demo_server: cannot listen on %s:%d: %s\n", s->opt.host, s->opt.port,
                strerror(errno));
        return 1;
    }
    s->spare_fd = net_spare_fd();
    s->epfd = net_epoll_listener(s->lfd); /* data.ptr NULL: the listening socket */
    if (s->epfd < 0) {
        perror("demo_server: epoll");
        return 1;
    }
#ifdef DEMO_CLUSTER
    if (cluster_start(s) != 0)
        return 2;
#else
    if (s->opt.redis) {
        fprintf(stderr, "demo_server: --redis: built without cluster mode (install "
                        "libhiredis-dev and build again)\n");
        return 2;
    }
#endif
    return 0;
}

static server S; /* large (the replay window, the history): not on the stack */

int demo_main(int argc, char **argv, const transport *tp)
{
    server *s = &S;
    int status;
    s->tp = tp;
    if (parse_options(argc, argv, &s->opt) != 0) {
        usage();
        return 2;
    }
    quiet = s->opt.quiet;
    status = setup(s);
    if (status != 0)
        return status;
    s->next_feed_ms = net_now_ms() + s->opt.interval_ms;
    printf("demo_server listening on %s://%s:%d/ (page from %s%s%s)\n", tp->scheme, s->opt.host,
           net_local_port(s->lfd), s->root, cluster_instance(s) ? "; instance " : "",
           cluster_instance(s) ? cluster_instance(s) : "");
    fflush(stdout);
    status = run_loop(s);
    if (status != 0)
        return status;
    shutdown_all(s);
#ifdef DEMO_CLUSTER
    cluster_stop(s);
#endif
    close(s->lfd);
    close(s->epfd);
    if (s->state_fd >= 0)
        close(s->state_fd);
    if (!quiet)
        fputs("demo_server: stopped\n", stderr);
    return 0;
}
