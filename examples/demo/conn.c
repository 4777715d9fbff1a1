/*
 * conn.c — the demo's connections: lifetime, output, reading, settling.
 *
 *   - Nothing is freed while events are being handled: a connection to end
 *     is marked dead and freed in one place afterwards (reap()), so a
 *     broadcast may fail any number of other clients safely.
 *   - Every activity marks the connection; settle() then writes what is
 *     pending, moves the connection on (the next request, the end of a
 *     stream, a lingering close) and chooses what epoll watches.
 *   - Timers: every connection is checked on each loop turn (simple, O(n);
 *     fine for a demo's few hundred connections).
 *   - Slow readers: a connection whose client takes none of the bytes
 *     waiting for it (in our buffers or in its socket) for --stall-ms is
 *     closed, whatever it is (a feed, a token stream, a chat client, a
 *     file download); net_drain asks the kernel once per --stall-ms.
 *   - Slots (accept_all): when all --max-connections are taken, a client
 *     lingering after a refusal gives its slot up, else the one that has
 *     waited longest for a complete request head (408); otherwise the
 *     newcomer gets 503 with Retry-After.  A full input buffer is never
 *     left readable and unread: IN_CAP is exactly the largest head plus
 *     the largest body, so when it is full either the head is too large
 *     (431) or the request is complete; while a response is written,
 *     reading stops at a full buffer (EPOLLIN off).
 *   - Memory: `in` and `out` (IN_CAP, OUT_CAP) are allocated when bytes
 *     come or are to go, and freed once empty, so an idle feed or chat
 *     client holds its struct client (and a chat client its ws_state)
 *     and no buffer (README: "Memory per connection").
 */
#include "demo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- lifetime -------------------------------------------------------------- */

/* Marks c for settle(): write, choose epoll interest, close if done.  Safe
 * to call from anywhere; nothing is freed before reap(). */
void mark(client *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dnext = c->srv->dirty;
    c->srv->dirty = c;
}

void kill_client(client *c)
{
    c->dead = 1;
    mark(c);
}

static client *client_new(server *s, int fd, void *tconn)
{
    client *c = (client *)malloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c); /* in and out NULL: allocated when needed */
    c->srv = s;
    c->serial = ++s->serials;
    c->fd = fd;
    c->tconn = tconn;
    c->kind = K_HTTP;
    c->deadline = net_now_ms() + s->opt.idle_ms;
    net_drain_init(&c->drain);
    wsx_http_parser_init(&c->http, &s->http_cfg);
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->nclients++;
    return c;
}

/* Frees c (reap() and shutdown only). */
void client_free(server *s, client *c)
{
    if (c->kind == K_STREAM && c->gen)
        generation_end(c, 1);
    if (c->kind == K_WS && c->ws)
        chat_leave(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    s->tp->detach(c->tconn);
    close(c->fd);
    s->nclients--;
    free(c->body);
    free(c->in);
    free(c->out);
    if (c->ws)
        free(c->ws->pmd);
    free(c->ws);
    free(c->gz);
    free(c);
}

/* ---- output ------------------------------------------------------------------ */

/* Appends bytes to out.  Returns 0, or -1 when they do not fit (the caller
 * decides: a feed client is dropped, a response is refused). */
int out_append(client *c, const void *data, size_t len)
{
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        c->token_end = 0;
    }
    if (OUT_CAP - c->out_len < len && c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->token_end = c->token_end > c->out_off ? c->token_end - c->out_off : 0;
        c->out_off = 0;
    }
    if (OUT_CAP - c->out_len < len || (!c->out && !(c->out = (uint8_t *)malloc(OUT_CAP))))
        return -1;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
}

/* Appends body bytes as they go on the wire: one chunk for a chunked
 * response, the bytes as they are for a close-delimited one. */
static int wire_append(client *c, const void *data, size_t len)
{
    char hdr[WSX_CHUNKED_HEADER_MAX];
    size_t n;
    if (!c->chunked || len == 0)
        return out_append(c, data, len);
    if (wsx_chunked_write_header(len, hdr, sizeof hdr, &n) != WSX_OK ||
        OUT_CAP - (c->out_len - c->out_off) < n + len + 2)
        return -1;
    if (out_append(c, hdr, n) != 0 || out_append(c, data, len) != 0 ||
        out_append(c, WSX_CHUNKED_CRLF, 2) != 0)
        return -1;
    return 0;
}

/* Appends part of a streamed body (events, comments): compressed and
 * sync-flushed on its own when the stream is gzip'd, so the client can
 * decode it at once, then framed by wire_append. */
int body_append(client *c, const void *data, size_t len)
{
    uint8_t z[1024]; /* the bound of the largest piece (a token event) */
    size_t n;
    if (!c->gzip)
        return wire_append(c, data, len);
    /* room for the bound first: once compressed, the piece must go out or
     * the client's gzip stream breaks */
    if (wsx_sse_gzip_bytes(c->gz, data, len, NULL, 0, &n) != WSX_OK ||
        OUT_CAP - (c->out_len - c->out_off) < n + WSX_CHUNKED_HEADER_MAX + 2 ||
        wsx_sse_gzip_bytes(c->gz, data, len, z, sizeof z, &n) != WSX_OK)
        return -1;
    return wire_append(c, z, n);
}

void body_end(client *c)
{
    uint8_t tail[64];
    size_t n;
    if (c->gzip && wsx_sse_gzip_finish(c->gz, tail, sizeof tail, &n) == WSX_OK)
        wire_append(c, tail, n); /* the gzip trailer, then the end of the body */
    c->gzip = 0;
    if (c->chunked)
        out_append(c, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN);
    if (!c->chunked || !c->keep_alive)
        c->close_after = 1;
    c->stream_ending = 1;
}

size_t client_lag(client *c) { return pending_output(c) + net_unacked(c->fd); }

size_t pending_output(client *c)
{
    size_t n = (c->out_len - c->out_off) + (c->body_len - c->body_off);
    if (c->kind == K_WS)
        n += wsx_ws_conn_output_size(&c->ws->conn);
    return n;
}

/* Gathers what is pending: out, then body, then the WebSocket queue. */
static int output_vec(client *c, struct iovec *iov)
{
    int n = 0;
    if (c->out_off < c->out_len) {
        iov[n].iov_base = c->out + c->out_off;
        iov[n++].iov_len = c->out_len - c->out_off;
    }
    if (c->body_off < c->body_len) {
        iov[n].iov_base = c->body + c->body_off;
        iov[n++].iov_len = c->body_len - c->body_off;
    }
    if (c->kind == K_WS) {
        wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
        size_t i, m = wsx_ws_conn_output_vec(&c->ws->conn, ch);
        for (i = 0; i < m; i++) {
            iov[n].iov_base = (void *)ch[i].data;
            iov[n++].iov_len = ch[i].len;
        }
    }
    return n;
}

/* k bytes were written: out, then body, then the WebSocket queue. */
static void output_written(client *c, size_t k)
{
    size_t used = k < c->out_len - c->out_off ? k : c->out_len - c->out_off;
    net_drain_wrote(&c->drain, k, net_now_ms());
    c->out_off += used;
    k -= used;
    used = k < c->body_len - c->body_off ? k : c->body_len - c->body_off;
    c->body_off += used;
    k -= used;
    if (k > 0 && c->kind == K_WS)
        wsx_ws_conn_consume(&c->ws->conn, k);
    if (c->token_pending && c->out_off >= c->token_end)
        token_written(c);
}

/* Writes until done or EAGAIN.  Returns 0, or -1 when the socket failed. */
int flush_output(client *c)
{
    const transport *tp = c->srv->tp;
    for (;;) {
        struct iovec iov[2 + WSX_WS_CONN_MAX_CHUNKS];
        int n = output_vec(c, iov);
        ssize_t k;
        if (n == 0)
            break;
        k = tp->writev(c->tconn, c->fd, iov, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        output_written(c, (size_t)k);
    }
    if (c->body && c->body_off == c->body_len) {
        free(c->body);
        c->body = NULL;
        c->body_off = c->body_len = 0;
    }
    if (c->out && c->out_off == c->out_len) { /* all written: out goes */
        free(c->out);
        c->out = NULL;
        c->out_off = c->out_len = c->token_end = 0;
    }
    return 0;
}

/* ---- input -------------------------------------------------------------------- */

void on_readable(client *c)
{
    uint8_t sink[4096];
    uint8_t *dst;
    size_t room = IN_CAP - c->in_len;
    ssize_t k;
    if (c->kind == K_WS && room == 0)
        return; /* paused (ws_input): its input waits, nothing may be lost */
    if (c->kind == K_LINGER || c->kind == K_FEED || room == 0) {
        dst = sink; /* nothing more is expected: discard */
        room = sizeof sink;
    } else if (c->in || (c->in = (uint8_t *)malloc(IN_CAP)) != NULL) {
        dst = c->in + c->in_len;
    } else {
        kill_client(c);
        return;
    }
    k = c->srv->tp->read(c->tconn, c->fd, dst, room);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (k <= 0) {
        c->peer_gone = 1;
        if (c->kind == K_WS)
            wsx_ws_conn_eof(&c->ws->conn);
        kill_client(c);
        return;
    }
    if (dst == sink)
        return;
    c->in_len += (size_t)k;
    if (c->kind == K_WS)
        ws_input(c);
    /* K_HTTP: parsed in settle(); K_STREAM: kept for the next request. */
}

/* ---- settling ------------------------------------------------------------------- */

static void set_events(client *c, uint32_t want)
{
    struct epoll_event ev;
    uint32_t events = c->srv->tp->interest(c->tconn, want);
    c->want = want;
    if (events == c->events)
        return;
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

/* Writes, and answers the requests waiting while nothing is pending.
 * Returns -1 when c died. */
static int write_and_process(client *c)
{
    for (;;) {
        if (flush_output(c) != 0) {
            c->peer_gone = 1;
            kill_client(c);
            return -1;
        }
        if (c->kind == K_HTTP && pending_output(c) == 0 && c->in_len > 0 && !c->close_after) {
            size_t before = c->in_len;
            enum kind k = c->kind;
            process_http(c);
            if (c->dead)
                return -1;
            if (pending_output(c) > 0 || c->kind != k || c->in_len != before)
                continue; /* a response: write it at once */
        }
        return 0;
    }
}

/* Once all is written: close, or linger.  Returns -1 when c died. */
static int close_if_done(client *c)
{
    if (!c->close_after || pending_output(c) > 0 || c->kind == K_LINGER)
        return 0;
    if (c->kind == K_HTTP && c->keep_alive == 0 && !c->peer_gone) {
        /* Lingering close: FIN, then discard until EOF or timeout, so the
         * kernel does not reset the connection under the answer. */
        c->srv->tp->shutdown(c->tconn, c->fd);
        c->kind = K_LINGER;
        c->deadline = net_now_ms() + LINGER_MS;
        return 0;
    }
    kill_client(c);
    return -1;
}

/* After activity: write, move on, choose what to wait for. */
static void settle(client *c)
{
    uint32_t want = EPOLLRDHUP;
    if (write_and_process(c) != 0)
        return;
    if (c->in && c->in_len == 0) { /* every byte read was handled */
        free(c->in);
        c->in = NULL;
    }
    if (c->kind == K_STREAM && c->stream_ending && pending_output(c) == 0) {
        stream_finished(c);
        if (!c->close_after) {
            settle(c); /* a pipelined request may be waiting (K_HTTP now) */
            return;
        }
    }
    if (close_if_done(c) != 0)
        return;
    if (c->kind == K_WS && wsx_ws_conn_should_close_transport(&c->ws->conn)) {
        kill_client(c);
        return;
    }
    switch (c->kind) {
    case K_WS:
        if (pending_output(c) <= WS_QUEUE / 2 && !c->ws->paused)
            want |= EPOLLIN; /* backpressure: stop reading a client that does not read */
        break;
    case K_HTTP:
    case K_STREAM:
        if (c->in_len < IN_CAP)
            want |= EPOLLIN;
        break;
    default:
        want |= EPOLLIN;
    }
    if (pending_output(c) > 0)
        want |= EPOLLOUT;
    set_events(c, want);
}

/* Settles every marked client, then frees the dead ones.  Freeing may mark
 * others (leave notices), so loop until nothing is marked. */
void reap(server *s)
{
    client *c;
    while ((c = s->dirty) != NULL) {
        s->dirty = c->dnext;
        c->dirty = 0;
        if (!c->dead)
            settle(c);
        if (c->dead && !c->dirty)
            client_free(s, c);
    }
}

/* ---- accept and timers ------------------------------------------------------------ */

/* The slot to give a new client when all are taken: a client lingering
 * after a refusal, else the one that has waited longest for a complete
 * request head (no response under way).  NULL when every slot is busy. */
static client *slot_to_free(server *s)
{
    client *c, *oldest = NULL;
    for (c = s->clients; c; c = c->next) {
        if (c->dead)
            continue;
        if (c->kind == K_LINGER)
            return c;
        if (c->kind == K_HTTP && !c->close_after && pending_output(c) == 0 &&
            (!oldest || c->deadline < oldest->deadline))
            oldest = c;
    }
    return oldest;
}

/* Frees a slot for a new client (see slot_to_free); a client still
 * sending its head is told 408 (best effort).  Returns 0, or -1 when no
 * slot can be freed.  Called after reap(): nothing is dirty. */
static int free_a_slot(server *s)
{
    static const char timeout[] = HTTP_TIMEOUT_RESPONSE;
    client *c = slot_to_free(s);
    if (!c)
        return -1;
    if (c->kind == K_HTTP) {
        struct iovec iov;
        iov.iov_base = (void *)timeout;
        iov.iov_len = sizeof timeout - 1;
        (void)s->tp->writev(c->tconn, c->fd, &iov, 1);
        logmsg("slot needed: dropped a client whose request head was not complete (408)");
    }
    client_free(s, c);
    return 0;
}

void accept_all(server *s)
{
    for (;;) {
        struct epoll_event ev;
        client *c;
        void *tconn = NULL;
        int fd = net_accept_next(s->lfd, &s->spare_fd, HTTP_BUSY_RESPONSE);
        if (fd == NET_ACCEPT_SHED)
            continue; /* out of descriptors: one pending connection refused */
        if (fd < 0)
            return;
        if (s->nclients >= s->opt.max_connections && free_a_slot(s) != 0) {
            logmsg("no slot free: refused a connection (503)");
            net_refuse(fd, HTTP_BUSY_RESPONSE);
            continue;
        }
        if (s->tp->attach(fd, &tconn) != 0) {
            close(fd);
            continue;
        }
        if (!(c = client_new(s, fd, tconn))) {
            s->tp->detach(tconn);
            close(fd);
            continue;
        }
        c->want = EPOLLIN | EPOLLRDHUP;
        ev.events = c->events = s->tp->interest(tconn, c->want);
        ev.data.ptr = c;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            kill_client(c);
    }
}

/* What is due for c's kind; returns its next deadline, or UINT64_MAX. */
static uint64_t kind_timers(client *c, uint64_t now)
{
    switch (c->kind) {
    case K_HTTP:
    case K_LINGER:
        if (c->deadline <= now && pending_output(c) == 0) {
            kill_client(c);
            return UINT64_MAX;
        }
        return c->deadline;
    case K_WS:
        if (wsx_ws_conn_next_deadline(&c->ws->conn) <= now) {
            int r = wsx_ws_conn_tick(&c->ws->conn, now);
            if (r < 0)
                logmsg("chat: closed a client (%d): %s", wsx_err_close_code(r), wsx_strerror(r));
            mark(c);
        }
        return wsx_ws_conn_next_deadline(&c->ws->conn);
    case K_STREAM:
        stream_step(c, now);
        return c->gen && c->gen->running && !c->token_pending ? c->next_token_ms : UINT64_MAX;
    case K_FEED:
        return feed_keepalive(c, now);
    }
    return UINT64_MAX;
}

/* The next deadline of c after running what is due, or UINT64_MAX. */
static uint64_t client_timers(client *c, uint64_t now)
{
    uint64_t check = UINT64_MAX, d;
    if (c->kind != K_LINGER &&
        net_drain_stalled(&c->drain, c->fd, pending_output(c), now, c->srv->opt.stall_ms, &check)) {
        logmsg("a client took nothing for --stall-ms: closed");
        kill_client(c);
        return UINT64_MAX;
    }
    d = kind_timers(c, now);
    return d < check ? d : check;
}

/* Runs what is due; returns the epoll timeout (ms) to the next deadline. */
int run_timers(server *s)
{
    uint64_t now = net_now_ms(), next;
    client *c;
    while (s->next_feed_ms <= now)
        feed_tick(s, now);
    next = cluster_timers(s, now); /* Redis: reconnects, pings, heartbeat */
    if (s->next_feed_ms < next)
        next = s->next_feed_ms;
    for (c = s->clients; c; c = c->next) {
        uint64_t d;
        if (c->dead)
            continue;
        d = client_timers(c, now);
        if (d < next)
            next = d;
    }
    if (s->dirty)
        return 0;
    return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}
