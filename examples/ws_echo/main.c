/*
 * main.c — ws_echo's options, setup and event loop (what it does and how:
 * ws_echo.h).
 */
#include "ws_echo.h"
#include "opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: ws_echo [--host H] [--port N] [--max-message BYTES] [--buffer BYTES]\n"
          "               [--queue BYTES] [--handshake-timeout MS] [--max-connections N]\n"
          "               [--ping-ms MS] [--pong-timeout-ms MS] [--message-timeout-ms MS]\n"
          "               [--no-deflate] [--deflate-window-bits N] [--quiet]\n"
          "  --host H               address to listen on (default 127.0.0.1)\n"
          "  --port N               port (default 9001; 0 picks a free one)\n"
          "  --max-message BYTES    largest message accepted (default 16777216);\n"
          "                         bigger ones are refused with close 1009\n"
          "  --buffer BYTES         the read buffer, shared by all connections\n"
          "                         (default 32768): the largest read\n"
          "  --queue BYTES          the output queue: one shared, and one per\n"
          "                         connection only while its output waits (default\n"
          "                         twice the buffer + 1024; at least the buffer + 1024)\n"
          "  --handshake-timeout MS drop a client whose request head is not\n"
          "                         complete in time (default 10000)\n"
          "  --max-connections N    slots (default 10000); when all are taken, the\n"
          "                         slowest request head gives its slot up (408),\n"
          "                         or the newcomer gets 503 with Retry-After\n"
          "  --ping-ms MS           ping a client after MS without a byte from it\n"
          "                         (default 30000; 0: no heartbeat)\n"
          "  --pong-timeout-ms MS   drop it (close 1001) if nothing comes back\n"
          "                         within MS of a ping (default 10000; 0: never)\n"
          "  --message-timeout-ms MS  drop it (close 1008) if a message it started\n"
          "                         is not complete within MS (default 60000;\n"
          "                         0: never)\n"
          "  --no-deflate           decline permessage-deflate (compression)\n"
          "  --deflate-window-bits N  9..15 (default 12): the window we compress\n"
          "                         with and the one we ask clients to use.\n"
          "                         Memory per compressing connection, allocated\n"
          "                         only when a client agrees: 15: 244 KiB,\n"
          "                         12: 60 KiB, 9: 39 KiB (a client that does not\n"
          "                         offer client_max_window_bits keeps 15: +28 KiB)\n"
          "  --quiet                no log lines on stderr\n",
          stderr);
}

static int parse_options(int argc, char **argv, options *o)
{
    int i;
    o->host = "127.0.0.1";
    o->port = 9001;
    o->max_message = WSX_WS_DEFAULT_MAX_MESSAGE;
    o->buffer = 32768;
    o->queue = 0;
    o->handshake_ms = 10000;
    o->max_connections = 10000;
    o->ping_ms = 30000;
    o->pong_ms = 10000;
    o->message_ms = WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS;
    o->quiet = 0;
    o->deflate_bits = PMD_DEFAULT_BITS;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-deflate") == 0) {
            o->deflate_bits = 0;
            continue;
        }
        if (strcmp(a, "--host") == 0 && v) {
            o->host = v;
        } else if (opt_u64(v, 0, UINT64_MAX, &n) != 0) {
            return -1;
        } else if (strcmp(a, "--port") == 0 && n <= 65535) {
            o->port = (int)n;
        } else if (strcmp(a, "--max-message") == 0 && n > 0) {
            o->max_message = n;
        } else if (strcmp(a, "--buffer") == 0 && n >= 1024 && n <= (1u << 30)) {
            o->buffer = (size_t)n;
        } else if (strcmp(a, "--queue") == 0 && n <= (2u << 30)) {
            o->queue = (size_t)n;
        } else if (strcmp(a, "--handshake-timeout") == 0 && n > 0) {
            o->handshake_ms = n;
        } else if (strcmp(a, "--max-connections") == 0 && n > 0 && n < 10000000) {
            o->max_connections = (long)n;
        } else if (strcmp(a, "--ping-ms") == 0) {
            o->ping_ms = n;
        } else if (strcmp(a, "--pong-timeout-ms") == 0) {
            o->pong_ms = n;
        } else if (strcmp(a, "--message-timeout-ms") == 0) {
            o->message_ms = n;
        } else if (strcmp(a, "--deflate-window-bits") == 0 && n >= 9 && n <= 15) {
            o->deflate_bits = (unsigned)n;
        } else {
            return -1;
        }
        i++;
    }
    /* The echo of one read is at most the read plus a few frame headers:
     * twice the read leaves room for the next read while one drains.  The
     * bytes behind a request head (up to a buffer) are decoded with an
     * empty queue, which must take their echo. */
    if (o->queue == 0)
        o->queue = 2 * o->buffer + 1024;
    if (o->queue < o->buffer + 1024)
        return -1;
    return 0;
}

static void server_config(server *s)
{
    wsx_ws_conn_config_default(&s->conn_cfg);
    s->conn_cfg.role = WSX_WS_SERVER;
    s->conn_cfg.decoder.max_message_size = s->opt.max_message;
    s->conn_cfg.decoder.max_frame_size = s->opt.max_message;
    /* A compressed frame of a message at the limit may be a little longer
     * than the message (incompressible data; wsx_conn.h gives the bound). */
    if (s->opt.deflate_bits && s->opt.max_message < UINT64_MAX / 2)
        s->conn_cfg.decoder.max_frame_size += s->opt.max_message / 8 + s->opt.max_message / 32 + 64;
    /* The decoder already checked every byte of text we echo. */
    s->conn_cfg.check_send_utf8 = 0;
    s->conn_cfg.ping_interval_ms = s->opt.ping_ms;
    s->conn_cfg.pong_timeout_ms = s->opt.pong_ms;
    s->conn_cfg.message_timeout_ms = s->opt.message_ms ? s->opt.message_ms : WSX_WS_CONN_NO_TIMEOUT;
    memset(&s->hs_cfg, 0, sizeof s->hs_cfg); /* any Origin, no subprotocol */
    pmd_server_policy(&s->hs_cfg.deflate, s->opt.deflate_bits);
}

static void shutdown_all(server *s)
{
    int l;
    client *c;
    for (l = LIST_OPEN; l < LIST_COUNT; l++)
        while ((c = s->lists[l]) != NULL)
            client_free(s, c);
    while ((c = s->free_list) != NULL) {
        s->free_list = c->next;
        free(c);
    }
    timer_heap_free(&s->heartbeats);
    free(s->in);
    free(s->out);
}

int main(int argc, char **argv)
{
    server s;
    struct epoll_event events[256];
    memset(&s, 0, sizeof s);
    if (parse_options(argc, argv, &s.opt) != 0) {
        usage();
        return 2;
    }
    quiet = s.opt.quiet;
    server_config(&s);
    s.in = (uint8_t *)malloc(s.opt.buffer);
    s.out = (uint8_t *)malloc(s.opt.queue);
    if (!s.in || !s.out) {
        fputs("ws_echo: out of memory\n", stderr);
        return 1;
    }
    net_catch_signals();
    s.lfd = net_listen(s.opt.host, s.opt.port, 1024);
    if (s.lfd < 0) {
        fprintf(stderr, "ws_echo: cannot listen on %s:%d: %s\n", s.opt.host, s.opt.port,
                strerror(errno));
        return 1;
    }
    s.spare_fd = net_spare_fd();
    s.epfd = net_epoll_listener(s.lfd); /* data.ptr NULL: the listening socket */
    if (s.epfd < 0) {
        perror("ws_echo: epoll");
        return 1;
    }
    printf("ws_echo listening on ws://%s:%d/\n", s.opt.host, net_local_port(s.lfd));
    fflush(stdout);

    while (!net_stop) {
        int i, n = epoll_wait(s.epfd, events, 256, run_timers(&s));
        int listener = 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("ws_echo: epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                listener = 1;
            else
                on_event(&s, (client *)events[i].data.ptr, events[i].events);
        }
        if (listener)
            accept_all(&s);
    }
    shutdown_all(&s);
    close(s.lfd);
    close(s.epfd);
    if (s.spare_fd >= 0)
        close(s.spare_fd);
    if (!quiet)
        fputs("ws_echo: stopped\n", stderr);
    return 0;
}
