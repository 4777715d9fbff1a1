/*
 * main.c — ws_echo's usage, setup and event loop (what it does and how:
 * ws_echo.h).
 */
#include "ws_echo.h"

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
    if (echo_options_parse(argc, argv, &s.opt) != 0) {
        usage();
        return 2;
    }
    quiet = s.opt.quiet;
    echo_config(&s.opt, &s.conn_cfg, &s.hs_cfg);
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
