/*
 * main.c — sse_server's options, connections, timers and poll() loop (what
 * it serves: sse_server.h).
 */
#include "sse_server.h"
#include "opt.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int verbose;

void note(const char *what, int fd)
{
    if (verbose)
        fprintf(stderr, "sse_server: fd %d: %s\n", fd, what);
}

/* ---- client lifetime --------------------------------------------------- */

static client *client_new(int fd)
{
    client *c = (client *)malloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    if (!(c->in = (char *)malloc(IN_START))) {
        free(c);
        return NULL;
    }
    c->in_cap = IN_START;
    c->fd = fd;
    c->phase = PH_HEAD;
    c->deadline = net_now_ms() + HEAD_TIMEOUT_MS;
    c->last_write_ms = net_now_ms();
    net_drain_init(&c->drain);
    wsx_http_parser_init(&c->http, NULL);
    return c;
}

/* Closes client i; answer: a last response (net_refuse) or NULL. */
static void client_close(server *s, size_t i, const char *answer)
{
    client *c = s->clients[i];
    note("closed", c->fd);
    if (answer)
        net_refuse(c->fd, answer);
    else
        close(c->fd);
    free(c->gz_mem);
    free(c->in);
    free(c->out);
    free(c->answer);
    free(c);
    s->clients[i] = s->clients[--s->nclients];
}

/* ---- I/O events -------------------------------------------------------- */

/* A full request buffer doubles, up to IN_CAP.  0, or -1 when out of
 * memory. */
static int grow_in(client *c)
{
    size_t cap = c->in_cap * 2 < IN_CAP ? c->in_cap * 2 : IN_CAP;
    char *in = cap > c->in_cap ? (char *)realloc(c->in, cap) : c->in;
    if (!in)
        return -1;
    c->in = in;
    c->in_cap = cap;
    return 0;
}

/* Readable.  Returns -1 when the client must be closed now. */
static int on_readable(server *s, client *c)
{
    char sink[4096];
    for (;;) {
        char *dst = sink;
        size_t room = sizeof sink;
        ssize_t n;
        if (c->phase == PH_HEAD) {
            if (c->in_len == c->in_cap && grow_in(c) != 0)
                return -1;
            dst = c->in + c->in_len;
            room = c->in_cap - c->in_len;
            if (room == 0) {
                /* Cannot happen (READ_SLACK); but input left unread here
                 * would keep poll reporting it: refuse instead. */
                respond_error(s, c, 413, "");
                return 0;
            }
        }
        n = recv(c->fd, dst, room, 0);
        if (n == 0)
            return -1; /* the client left (or finished lingering) */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        if (c->phase == PH_HEAD) {
            c->in_len += (size_t)n;
            on_request_bytes(s, c);
        }
        if (c->phase != PH_HEAD && c->in) { /* the request is answered */
            free(c->in);
            c->in = NULL;
        }
        /* other phases: bytes after the request are discarded */
    }
}

/* Back to reading a request on a persistent connection (bytes a client
 * pipelined behind a streamed request were discarded: no pipelining). */
static void next_request(client *c)
{
    free(c->answer);
    c->answer = NULL;
    if (!c->in && !(c->in = (char *)malloc(IN_START))) {
        c->dead = 1; /* out of memory: closed at the next round */
        return;
    }
    c->in_cap = IN_START;
    c->phase = PH_HEAD;
    c->deadline = net_now_ms() + HEAD_TIMEOUT_MS;
    c->in_len = 0;
    c->sent_continue = 0;
    c->head_only = c->body_chunked = 0;
    c->body_len = 0;
    c->chunked = c->keep_alive = c->reuse = 0;
    c->gzip = 0;
    c->events_sent = 0;
    wsx_http_parser_init(&c->http, NULL);
}

/* After output was flushed: a finished response half-closes, or waits for
 * the next request. */
static void after_flush(client *c)
{
    if (c->phase == PH_FINISH && c->out_off == c->out_len && c->reuse) {
        next_request(c);
    } else if (c->phase == PH_FINISH && c->out_off == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->phase = PH_LINGER;
        c->deadline = net_now_ms() + LINGER_MS;
    }
}

/* Timers of one client (keep-alive, tokens, deadlines).  -1: close it. */
static int client_timers(server *s, client *c, uint64_t now, uint64_t *wake)
{
    uint64_t next = UINT64_MAX;
    int timed = c->phase == PH_HEAD || c->phase == PH_FINISH || c->phase == PH_LINGER;
    if (c->dead || (timed && now >= c->deadline))
        return -1;
    if (timed) {
        if (c->deadline < *wake)
            *wake = c->deadline;
    }
    if ((c->phase == PH_EVENTS || c->phase == PH_CHAT) &&
        net_drain_stalled(&c->drain, c->fd, c->out_len - c->out_off, now, s->opt.stall_ms, &next)) {
        note("stalled (took nothing for --stall-ms): dropped", c->fd);
        return -1;
    }
    if (next < *wake)
        *wake = next;
    if (c->phase == PH_EVENTS) {
        if (wsx_sse_keepalive_due(now, c->last_write_ms, s->opt.keepalive_ms, &next) &&
            out_body(s, c, WSX_SSE_KEEPALIVE, sizeof WSX_SSE_KEEPALIVE - 1) == 0)
            wsx_sse_keepalive_due(now, c->last_write_ms, s->opt.keepalive_ms, &next);
        if (next < *wake)
            *wake = next;
    }
    if (c->phase == PH_CHAT) {
        int room = c->out_len - c->out_off <= s->opt.buffer / 2;
        if (room && now >= c->next_token_ms) {
            /* one token per round, the next one a full interval later:
             * after a stall the stream goes on at its pace, no burst */
            chat_step(s, c);
            c->next_token_ms = now + s->opt.token_ms;
        }
        if (c->phase == PH_CHAT && room && c->next_token_ms < *wake)
            *wake = c->next_token_ms;
    }
    return 0;
}

/* All slots are taken: frees the slot of a client lingering after its
 * response, else of the one that has waited longest for a complete
 * request head (see "Overload").  Returns 0, or -1 when every slot is a
 * stream or a response. */
static int evict_slowest_head(server *s)
{
    size_t i, oldest = s->nclients;
    for (i = 0; i < s->nclients; i++) {
        const client *c = s->clients[i];
        if (c->phase == PH_LINGER) {
            client_close(s, i, NULL);
            return 0;
        }
        if (c->phase == PH_HEAD && !c->dead &&
            (oldest == s->nclients || c->deadline < s->clients[oldest]->deadline))
            oldest = i;
    }
    if (oldest == s->nclients)
        return -1;
    note("slot needed: the slowest request head gets 408", s->clients[oldest]->fd);
    client_close(s, oldest, HTTP_TIMEOUT_RESPONSE);
    return 0;
}

static void accept_all(server *s)
{
    for (;;) {
        int fd = net_accept_next(s->listen_fd, &s->spare_fd, HTTP_BUSY_RESPONSE);
        client *c;
        if (fd == NET_ACCEPT_SHED) {
            note("out of descriptors: refused a connection (503)", -1);
            continue;
        }
        if (fd < 0)
            return; /* EAGAIN, or out of descriptors with nothing pending */
        if ((s->nclients >= s->opt.max_clients && evict_slowest_head(s) != 0) ||
            !(c = client_new(fd))) {
            note("no slot free: refused a connection (503)", fd);
            net_refuse(fd, HTTP_BUSY_RESPONSE);
            continue;
        }
        if (s->opt.sndbuf > 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->opt.sndbuf, sizeof s->opt.sndbuf);
        s->clients[s->nclients++] = c;
        note("accepted", fd);
    }
}

static int poll_timeout(uint64_t now, uint64_t wake)
{
    if (wake <= now)
        return 0;
    return wake - now > 60000 ? 60000 : (int)(wake - now);
}

/* One round: timers, then poll, then I/O. */
static int run_once(server *s, struct pollfd *pfd)
{
    uint64_t now = net_now_ms(), wake = now + 60000;
    size_t i, n;
    if (now >= s->next_tick_ms) { /* one per round: no burst after a stall */
        tick(s);
        s->next_tick_ms += s->opt.interval_ms;
        if (s->next_tick_ms + 100 * s->opt.interval_ms < now)
            s->next_tick_ms = now + s->opt.interval_ms; /* far behind: resync */
    }
    wake = s->next_tick_ms;
    for (i = 0; i < s->nclients;) {
        client *c = s->clients[i];
        if (client_timers(s, c, now, &wake) != 0 || flush_out(c) != 0) {
            client_close(s, i, NULL);
            continue;
        }
        after_flush(c);
        i++;
    }
    pfd[0].fd = s->listen_fd;
    pfd[0].events = POLLIN;
    for (i = 0; i < s->nclients; i++) {
        client *c = s->clients[i];
        pfd[i + 1].fd = c->fd;
        pfd[i + 1].events = (short)(POLLIN | (c->out_off < c->out_len ? POLLOUT : 0));
        pfd[i + 1].revents = 0;
    }
    n = s->nclients;
    if (poll(pfd, n + 1, poll_timeout(now, wake)) < 0)
        return errno == EINTR ? 0 : -1;
    /* clients first (the array does not change order until a close) */
    for (i = n; i-- > 0;) {
        client *c = s->clients[i];
        short re = pfd[i + 1].revents;
        if ((re & (POLLIN | POLLHUP | POLLERR)) && on_readable(s, c) != 0) {
            client_close(s, i, NULL);
            continue;
        }
        if (flush_out(c) != 0) {
            client_close(s, i, NULL);
            continue;
        }
        after_flush(c);
    }
    if (pfd[0].revents & POLLIN)
        accept_all(s);
    return 0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: sse_server [--host H] [--port N] [--interval-ms MS] [--keepalive-ms MS]\n"
            "                  [--retry-ms MS] [--drop-after N] [--token-ms MS] [--replay N]\n"
            "                  [--buffer BYTES] [--sndbuf BYTES] [--max-lag BYTES]\n"
            "                  [--stall-ms MS] [--max-clients N]\n"
            "                  [--allow-origin ORIGIN]... [--max-streams-per-client N]\n"
            "                  [--token T] [--no-gzip] [--gzip-window-bits N]\n"
            "                  [--gzip-level N] [--verbose]\n" ACCESS_USAGE
            "  --no-gzip             never compress (default: gzip when Accept-Encoding\n"
            "                        allows it)\n"
            "  --gzip-window-bits N  compressor window 2^N, 8..15 (default 10)\n"
            "  --gzip-level N        1 (fast) .. 9 (best), default 6\n");
}

static int parse_args(int argc, char **argv, options *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->interval_ms = 1000;
    o->keepalive_ms = WSX_SSE_KEEPALIVE_MS;
    o->retry_ms = 1000;
    o->token_ms = 50;
    o->replay = 1000;
    o->buffer = 64 * 1024;
    o->max_lag = 256 * 1024;
    o->stall_ms = 30000;
    o->max_clients = 1000;
    o->gzip = 1;
    o->gzip_window_bits = 10;
    o->gzip_level = WSX_DEFLATE_LEVEL_DEFAULT;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        int bad = 0;
        if (strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (strcmp(a, "--no-gzip") == 0) {
            o->gzip = 0;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--host") == 0)
            o->host = v;
        else if ((bad = access_option(&o->access, a, v)) != 0)
            bad = bad < 0;
        else if (strcmp(a, "--port") == 0) {
            bad = opt_u64(v, 0, 65535, &n);
            o->port = (int)n;
        } else if (strcmp(a, "--interval-ms") == 0) {
            bad = opt_u64(v, 1, 86400000, &n);
            o->interval_ms = n;
        } else if (strcmp(a, "--keepalive-ms") == 0) {
            bad = opt_u64(v, 1, 86400000, &n);
            o->keepalive_ms = (uint32_t)n;
        } else if (strcmp(a, "--retry-ms") == 0) {
            bad = opt_u64(v, 0, 86400000, &n);
            o->retry_ms = (uint32_t)n;
        } else if (strcmp(a, "--drop-after") == 0) {
            bad = opt_u64(v, 0, UINT64_MAX, &n);
            o->drop_after = n;
        } else if (strcmp(a, "--token-ms") == 0) {
            bad = opt_u64(v, 1, 60000, &n);
            o->token_ms = n;
        } else if (strcmp(a, "--replay") == 0) {
            bad = opt_u64(v, 1, 1000000, &n);
            o->replay = (size_t)n;
        } else if (strcmp(a, "--buffer") == 0) {
            bad = opt_u64(v, 4096, 1u << 30, &n);
            o->buffer = (size_t)n;
        } else if (strcmp(a, "--sndbuf") == 0) {
            bad = opt_u64(v, 0, 1u << 30, &n);
            o->sndbuf = (int)n;
        } else if (strcmp(a, "--max-lag") == 0) {
            bad = opt_u64(v, 1024, 1u << 30, &n);
            o->max_lag = (size_t)n;
        } else if (strcmp(a, "--stall-ms") == 0) {
            bad = opt_u64(v, 1, 86400000, &n);
            o->stall_ms = n;
        } else if (strcmp(a, "--gzip-window-bits") == 0) {
            bad = opt_u64(v, 8, 15, &n);
            o->gzip_window_bits = (int)n;
        } else if (strcmp(a, "--gzip-level") == 0) {
            bad = opt_u64(v, 1, 9, &n);
            o->gzip_level = (int)n;
        } else if (strcmp(a, "--max-clients") == 0) {
            bad = opt_u64(v, 1, 100000, &n);
            o->max_clients = (size_t)n;
        } else
            return -1;
        if (bad)
            return -1;
    }
    return 0;
}

static int server_init(server *s)
{
    /* per event: a slot plus its id and bytes ("id: N\ndata: N\n\n",
     * at most 70 bytes for 19 digits) */
    size_t mem = s->opt.replay * (WSX_SSE_REPLAY_SLOT_SIZE + 96);
    s->replay_mem = malloc(mem);
    s->clients = (client **)malloc(s->opt.max_clients * sizeof *s->clients);
    if (!s->replay_mem || !s->clients ||
        wsx_sse_replay_init(&s->replay, s->replay_mem, mem, s->opt.replay,
                            WSX_SSE_REPLAY_NUMERIC) != WSX_OK)
        return -1;
    s->listen_fd = net_listen(s->opt.host, s->opt.port, 0);
    if (s->listen_fd < 0)
        return -1;
    s->spare_fd = net_spare_fd();
    s->next_tick_ms = net_now_ms() + s->opt.interval_ms;
    return 0;
}

int main(int argc, char **argv)
{
    server s;
    struct pollfd *pfd;
    memset(&s, 0, sizeof s);
    if (parse_args(argc, argv, &s.opt) != 0) {
        usage();
        return 64;
    }
    verbose = s.opt.verbose;
    net_catch_signals();
    if (server_init(&s) != 0) {
        fprintf(stderr, "sse_server: cannot start on %s:%d: %s\n", s.opt.host, s.opt.port,
                strerror(errno));
        return 1;
    }
    pfd = (struct pollfd *)calloc(s.opt.max_clients + 1, sizeof *pfd);
    if (!pfd)
        return 1;
    printf("sse_server listening on http://%s:%d/ (GET /events, POST /api/chat)\n", s.opt.host,
           net_local_port(s.listen_fd));
    fflush(stdout);
    while (!net_stop) {
        if (run_once(&s, pfd) != 0) {
            fprintf(stderr, "sse_server: poll: %s\n", strerror(errno));
            break;
        }
    }
    while (s.nclients > 0)
        client_close(&s, s.nclients - 1, NULL);
    close(s.listen_fd);
    if (s.spare_fd >= 0)
        close(s.spare_fd);
    free(pfd);
    free(s.clients);
    free(s.replay_mem);
    return 0;
}
