/*
 * ws_echo — a WebSocket echo server on epoll, built on wsx.
 *
 *   ws_echo [--host H] [--port N] [--max-message BYTES] [--buffer BYTES]
 *           [--queue BYTES] [--handshake-timeout MS] [--max-connections N]
 *           [--ping-ms MS] [--pong-timeout-ms MS] [--quiet]
 *
 * Upgrades on any path and sends every message back with its type (text
 * stays text, binary stays binary).  Pings get pongs and closes get their
 * code echoed (the wsx connection layer does both).  --port 0 lets the
 * kernel pick a port; the "listening" line says which.  SIGINT or SIGTERM
 * stop it (exit status 0).
 *
 * Idle peers: after --ping-ms (default 30000) without a byte from a client
 * it gets a ping; if nothing at all (a pong or anything else) comes back
 * within --pong-timeout-ms (default 10000), the peer is taken for dead: it
 * gets a close frame with 1001 when its socket can take one, and its socket
 * is closed.  A client that is silent but answers pings stays.  --ping-ms 0
 * turns the heartbeat off (a silent peer is then kept forever);
 * --pong-timeout-ms 0 sends the pings but never drops anyone for silence.
 *
 * How it is built, as a template for your own server:
 *
 *   - One thread, one epoll set, level-triggered.  Each connection owns two
 *     buffers, allocated once when it is accepted (and recycled): `in` for
 *     what is read, `out` for the wsx output queue.  Nothing is allocated
 *     per message.
 *   - Opening handshake: the request head accumulates in `in` and goes to
 *     the wsx HTTP parser after every read; wsx_handshake.h checks it and
 *     writes the 101 or the refusal (400, 405, 426 with
 *     Sec-WebSocket-Version: 13, 431 ...).  A refused client gets its
 *     answer, then a "lingering close" (we stop writing, read and discard
 *     what it still sends for a moment) so that the kernel does not reset
 *     the connection under the answer.  A head that is not complete within
 *     --handshake-timeout ms is dropped: slow clients cost one timer entry.
 *   - Echo: every read is decoded to the last byte (wsx_ws_conn_recv), and
 *     every reply of that read is queued, then written with one sendmsg().
 *     Messages are streamed, never assembled: each piece of payload the
 *     decoder hands over is queued at once, so memory does not depend on
 *     the message size (16 MiB messages work with 32 KiB buffers) and an
 *     invalid UTF-8 byte or a protocol error in the middle of a message is
 *     answered with a close frame right away.  A message that arrives whole
 *     in one read goes back as one frame; a longer one goes back as a
 *     fragmented message (same type, same bytes, the fragment boundaries
 *     are ours).
 *   - Backpressure: a read is never larger than what the output queue can
 *     still take the echo of (an echo is at most its input plus a few frame
 *     headers), so decoded input never has to wait.  When the queue is
 *     nearly full (the peer does not read), the connection stops reading
 *     (EPOLLIN off) until writes drain it (EPOLLOUT).  A slow reader only
 *     slows itself; TCP flow control then slows its sender.
 *   - Timers: connections waiting for a head, lingering after a refusal, or
 *     closing are on three FIFO lists (each has one fixed timeout, so
 *     append order is deadline order): checking timers costs nothing per
 *     idle connection.
 *   - Heartbeat: the wsx connection keeps the clock (ping interval, pong
 *     timeout; wsx_ws_conn_next_deadline / wsx_ws_conn_tick).  Open
 *     connections sit in a binary min-heap keyed on their next deadline as
 *     of their last tick.  A byte received only moves a connection's real
 *     deadline later, so the key is never late and nothing is updated per
 *     message: when a key passes, that connection is ticked (which sends
 *     the ping or finds the peer dead) and re-keyed, O(log n).  A wakeup
 *     touches only the connections that are due.
 */
#include "net.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------ */

typedef struct options {
    const char *host;
    int port;
    uint64_t max_message;      /* --max-message: 16 MiB by default */
    size_t buffer;             /* --buffer: read buffer per connection */
    size_t queue;              /* --queue: output queue per connection */
    uint64_t handshake_ms;     /* --handshake-timeout */
    uint64_t ping_ms;          /* --ping-ms: heartbeat after this silence */
    uint64_t pong_ms;          /* --pong-timeout-ms */
    long max_connections;
    int quiet;
} options;

#define LINGER_MS 2000u        /* lingering close after a refusal */
#define RESP_CAP 512           /* our 101 / refusal heads are shorter */
#define MAX_HEADERS 64
#define FREE_LIST_MAX 256      /* recycled connection blocks kept */

/* ---- connections ---------------------------------------------------------- */

enum phase { PH_HANDSHAKE, PH_OPEN, PH_LINGER };
/* Every client is on exactly one list.  OPEN has no fixed timeout (its
 * heartbeat deadlines are in a heap, see below); each of the others has
 * one fixed timeout, so append order is deadline order. */
enum { LIST_NONE, LIST_OPEN, LIST_HANDSHAKE, LIST_LINGER, LIST_CLOSING, LIST_COUNT };
#define FIRST_TIMED_LIST LIST_HANDSHAKE

typedef struct client {
    int fd;
    enum phase phase;
    uint32_t events;           /* what epoll watches now */
    /* timer list membership */
    int list;
    uint64_t deadline;
    struct client *prev, *next;
    /* heartbeat heap membership (OPEN with a heartbeat) */
    size_t heap_at;            /* index + 1 in server.heap, 0 = not in it */
    uint64_t due;              /* its key: the connection's next deadline */
    /* handshake */
    wsx_http_parser http;
    /* raw bytes written before the connection's queue (101 or refusal) */
    char resp[RESP_CAP];
    size_t resp_len, resp_off;
    /* WebSocket */
    wsx_ws_conn conn;
    unsigned msg_opcode;       /* opcode of the message being echoed */
    int msg_streaming;         /* 1 once its first fragment went out */
    const uint8_t *piece;      /* payload piece held back (see echo_event) */
    size_t piece_len;
    /* input: the head while handshaking; then each read, decoded at once */
    uint8_t *in;
    size_t in_cap, in_len;
    int shut;                  /* lingering: our side is shut down */
    uint8_t *out;
    size_t out_cap;
} client;

typedef struct server {
    options opt;
    int epfd, lfd;
    int spare_fd;              /* kept for EMFILE (see accept_all) */
    long nclients;
    client *lists[LIST_COUNT]; /* heads; tails below */
    client *tails[LIST_COUNT];
    client *free_list;
    int nfree;
    client **heap;             /* heartbeat min-heap on client.due */
    size_t heap_len, heap_cap;
    wsx_ws_conn_config conn_cfg;
    wsx_hs_server_config hs_cfg;
} server;

static int quiet;

static void logf_(const char *fmt, const char *a, long b)
{
    if (!quiet) {
        fprintf(stderr, fmt, a, b);
        fputc('\n', stderr);
    }
}

/* ---- timer lists ---------------------------------------------------------- */

static void list_remove(server *s, client *c)
{
    if (c->list == LIST_NONE)
        return;
    if (c->prev) c->prev->next = c->next; else s->lists[c->list] = c->next;
    if (c->next) c->next->prev = c->prev; else s->tails[c->list] = c->prev;
    c->prev = c->next = NULL;
    c->list = LIST_NONE;
}

/* Appends c to list (every list has one fixed timeout, so the lists stay
 * sorted by deadline). */
static void list_append(server *s, client *c, int list, uint64_t deadline)
{
    list_remove(s, c);
    c->list = list;
    c->deadline = deadline;
    c->prev = s->tails[list];
    c->next = NULL;
    if (c->prev) c->prev->next = c; else s->lists[list] = c;
    s->tails[list] = c;
}

/* ---- heartbeat heap -------------------------------------------------------- */

/* A binary min-heap of the open connections on `due` (see "Heartbeat" at
 * the top).  Each client knows its slot, so removal is O(log n) too. */
static void heap_set(server *s, size_t i, client *c)
{
    s->heap[i] = c;
    c->heap_at = i + 1;
}

static void heap_up(server *s, size_t i)
{
    client *c = s->heap[i];
    while (i > 0 && s->heap[(i - 1) / 2]->due > c->due) {
        heap_set(s, i, s->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(s, i, c);
}

static void heap_down(server *s, size_t i)
{
    client *c = s->heap[i];
    for (;;) {
        size_t kid = 2 * i + 1;
        if (kid >= s->heap_len)
            break;
        if (kid + 1 < s->heap_len && s->heap[kid + 1]->due < s->heap[kid]->due)
            kid++;
        if (s->heap[kid]->due >= c->due)
            break;
        heap_set(s, i, s->heap[kid]);
        i = kid;
    }
    heap_set(s, i, c);
}

/* Room for one more entry per client is reserved at accept (heap_reserve),
 * so adding never fails. */
static int heap_reserve(server *s, size_t n)
{
    client **grown;
    size_t cap = s->heap_cap ? s->heap_cap : 64;
    if (n <= s->heap_cap)
        return 0;
    while (cap < n)
        cap *= 2;
    grown = (client **)realloc(s->heap, cap * sizeof *grown);
    if (!grown)
        return -1;
    s->heap = grown;
    s->heap_cap = cap;
    return 0;
}

static void heap_remove(server *s, client *c)
{
    size_t i = c->heap_at - 1;
    client *last;
    if (c->heap_at == 0)
        return;
    c->heap_at = 0;
    last = s->heap[--s->heap_len];
    if (last == c)
        return;
    heap_set(s, i, last); /* the last entry fills the hole, then moves */
    heap_up(s, i);
    heap_down(s, last->heap_at - 1);
}

/* Puts c in the heap with key due, or re-keys it; WSX_WS_NO_DEADLINE takes
 * it out. */
static void heap_update(server *s, client *c, uint64_t due)
{
    if (due == WSX_WS_NO_DEADLINE) {
        heap_remove(s, c);
        return;
    }
    c->due = due;
    if (c->heap_at == 0) {
        heap_set(s, s->heap_len++, c);
        heap_up(s, s->heap_len - 1);
    } else {
        heap_up(s, c->heap_at - 1);
        heap_down(s, c->heap_at - 1);
    }
}

/* ---- connection lifetime ------------------------------------------------- */

static client *client_new(server *s, int fd)
{
    client *c = s->free_list;
    if (c) {
        s->free_list = c->next;
        s->nfree--;
    } else {
        size_t in_cap = s->opt.buffer, out_cap = s->opt.queue;
        c = (client *)malloc(sizeof *c + in_cap + out_cap);
        if (!c)
            return NULL;
        c->in = (uint8_t *)(c + 1);
        c->in_cap = in_cap;
        c->out = c->in + in_cap;
        c->out_cap = out_cap;
    }
    c->fd = fd;
    c->phase = PH_HANDSHAKE;
    c->events = 0;
    c->list = LIST_NONE;
    c->prev = c->next = NULL;
    c->heap_at = 0;
    c->resp_len = c->resp_off = 0;
    c->msg_opcode = 0;
    c->msg_streaming = 0;
    c->piece = NULL;
    c->piece_len = 0;
    c->in_len = 0;
    c->shut = 0;
    wsx_http_parser_init(&c->http, NULL);
    return c;
}

static void client_free(server *s, client *c)
{
    list_remove(s, c);
    heap_remove(s, c);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    s->nclients--;
    if (s->nfree < FREE_LIST_MAX) {
        c->next = s->free_list;
        s->free_list = c;
        s->nfree++;
    } else {
        free(c);
    }
}

static void set_events(server *s, client *c, uint32_t events)
{
    struct epoll_event ev;
    if (events == c->events)
        return;
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

/* ---- writing ---------------------------------------------------------------- */

/* writev() through the socket layer: sendmsg() (and recv() for reads) skip
 * the file layer read()/writev() go through, which is measurable when every
 * message costs one system call each way. */
static ssize_t send_iov(int fd, struct iovec *iov, int n)
{
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = iov;
    m.msg_iovlen = (size_t)n;
    return sendmsg(fd, &m, MSG_NOSIGNAL);
}

/* Writes what is pending (raw response bytes first, then the connection's
 * queue) until done or EAGAIN.  Returns 0, or -1 if the socket failed. */
static int flush_output(client *c)
{
    for (;;) {
        struct iovec iov[1 + WSX_WS_CONN_MAX_CHUNKS];
        int n = 0;
        ssize_t k;
        if (c->resp_off < c->resp_len) {
            iov[n].iov_base = c->resp + c->resp_off;
            iov[n].iov_len = c->resp_len - c->resp_off;
            n++;
        }
        if (c->phase == PH_OPEN) {
            wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
            size_t i, m = wsx_ws_conn_output_vec(&c->conn, ch);
            for (i = 0; i < m; i++) {
                iov[n].iov_base = (void *)ch[i].data;
                iov[n].iov_len = ch[i].len;
                n++;
            }
        }
        if (n == 0)
            return 0;
        k = send_iov(c->fd, iov, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        if (c->resp_off < c->resp_len) {
            size_t raw = c->resp_len - c->resp_off;
            size_t used = (size_t)k < raw ? (size_t)k : raw;
            c->resp_off += used;
            k -= (ssize_t)used;
        }
        if (k > 0)
            wsx_ws_conn_consume(&c->conn, (size_t)k);
    }
}

static size_t pending_output(client *c)
{
    size_t n = c->resp_len - c->resp_off;
    if (c->phase == PH_OPEN)
        n += wsx_ws_conn_output_size(&c->conn);
    return n;
}

/* ---- echo ------------------------------------------------------------------- */

/* Queues the held-back piece as a non-final fragment. */
static int flush_piece(client *c)
{
    int r = WSX_OK;
    if (!c->piece)
        return WSX_OK;
    if (!c->msg_streaming) {
        r = wsx_ws_conn_stream_begin(&c->conn, c->msg_opcode);
        c->msg_streaming = 1;
    }
    if (r == WSX_OK)
        r = wsx_ws_conn_stream_part(&c->conn, c->piece, c->piece_len);
    c->piece = NULL;
    return r;
}

/* Echoes one decoded event.  The last piece of payload seen is held back
 * until the next event says whether it ends the message: a message that
 * arrives in one read then goes back as one frame, not as a fragment plus
 * an empty final frame.  Returns WSX_OK or the send error. */
static int echo_event(client *c, const wsx_ws_event *ev)
{
    int r = WSX_OK;
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE_START:
        c->msg_opcode = ev->opcode;
        c->msg_streaming = 0;
        break;
    case WSX_WS_EV_DATA:
        r = flush_piece(c);
        c->piece = ev->data;
        c->piece_len = ev->size;
        break;
    case WSX_WS_EV_MESSAGE_END:
        if (c->msg_streaming)
            r = wsx_ws_conn_stream_end(&c->conn, c->piece, c->piece ? c->piece_len : 0);
        else
            r = wsx_ws_conn_send(&c->conn, c->msg_opcode, c->piece,
                                 c->piece ? c->piece_len : 0);
        c->piece = NULL;
        c->msg_streaming = 0;
        break;
    default:
        /* Pings, pongs and closes: the connection layer already queued the
         * pong or the close echo. */
        break;
    }
    return r;
}

/* Decodes buf[0..len) to the last byte and queues every reply.  Reads are
 * sized (read_room) so that the replies always fit in the queue: an echo
 * is never longer than its input plus a few frame headers. */
static void process_input(client *c, uint8_t *buf, size_t len, uint64_t now)
{
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r = wsx_ws_conn_recv(&c->conn, buf, len, &used, &ev, now);
        buf += used;
        len -= used;
        if (r < 0) {       /* failed: the close frame is queued */
            c->piece = NULL;
            return;
        }
        if (r == 0)        /* everything decoded */
            break;
        r = echo_event(c, &ev);
        if (r != WSX_OK && r != WSX_E_CONN_CLOSED)
            goto broken;
    }
    /* The next read reuses `in`: a piece held back must go out now, as a
     * fragment (the message continues in a later read). */
    if (flush_piece(c) == WSX_OK || wsx_ws_conn_state(&c->conn) != WSX_WS_OPEN)
        return;
broken:
    /* Cannot happen with sized reads; never drop data silently. */
    logf_("internal error: %s (fd %ld)", "echo did not fit in the queue", c->fd);
    c->piece = NULL;
    wsx_ws_conn_close(&c->conn, 1011, NULL, 0, now);
}

/* How many bytes may be read now: the echo of n bytes needs at most
 * n + READ_SLACK bytes of queue (a few frame headers, a close frame). */
#define READ_SLACK 256
static size_t read_room(client *c)
{
    size_t room = wsx_ws_conn_send_room(&c->conn);
    if (room <= READ_SLACK)
        return 0;
    room -= READ_SLACK;
    return room < c->in_cap ? room : c->in_cap;
}

/* ---- handshake --------------------------------------------------------------- */

/* The refusal resp[0..n) is ready: send it, then a lingering close. */
static void linger(server *s, client *c, int err, size_t n)
{
    c->resp_len = n;
    c->resp_off = 0;
    c->phase = PH_LINGER;
    list_append(s, c, LIST_LINGER, net_now_ms() + LINGER_MS);
    logf_("refused: %s (HTTP %ld)", wsx_strerror(err), (long)wsx_err_http_status(err));
}

/* Refuses a request head the parser rejected (or one too large). */
static void refuse(server *s, client *c, int err)
{
    size_t n = 0;
    if (wsx_hs_server_refusal(err, c->resp, sizeof c->resp, &n) != WSX_OK)
        n = 0;
    linger(s, c, err, n);
}

/* The request head is in[0..head_len): answer it.  On success the
 * connection is OPEN and the bytes after the head are decoded. */
static void answer_head(server *s, client *c, const wsx_http_request *req, size_t head_len)
{
    size_t n = 0;
    /* Writes the 101, or the refusal (400, 405, 426 ...) for a bad request. */
    int r = wsx_hs_server_answer_request(&s->hs_cfg, req, NULL, c->resp, sizeof c->resp, &n);
    uint64_t now = net_now_ms();
    if (r != WSX_OK) {
        linger(s, c, r, n);
        return;
    }
    c->resp_len = n;
    c->resp_off = 0;
    list_append(s, c, LIST_OPEN, 0);
    wsx_ws_conn_init(&c->conn, &s->conn_cfg, c->out, c->out_cap);
    wsx_ws_conn_open(&c->conn, now);
    c->phase = PH_OPEN;
    heap_update(s, c, wsx_ws_conn_next_deadline(&c->conn)); /* heartbeat */
    /* Frames may have come right behind the head (RFC 6455 section 4.1);
     * the queue is empty and holds more than a whole buffer. */
    process_input(c, c->in + head_len, c->in_len - head_len, now);
}

/* Returns -1 when the client is gone (freed), 0 otherwise. */
static int read_head(server *s, client *c)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    ssize_t k;
    int r;
    k = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (k <= 0) {
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        client_free(s, c);
        return -1;
    }
    c->in_len += (size_t)k;
    r = wsx_http_parse_request(&c->http, (const char *)c->in, c->in_len, headers,
                               MAX_HEADERS, &req);
    if (r < 0)
        refuse(s, c, r);
    else if (r > 0)
        answer_head(s, c, &req, (size_t)r);
    else if (c->in_len == c->in_cap) /* the parser's own limit is lower */
        refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
    return 0;
}

/* ---- events ------------------------------------------------------------------- */

/* Reads and discards after a refusal, until EOF or the linger deadline.
 * Returns -1 when the client is gone. */
static int drain(server *s, client *c)
{
    char sink[4096];
    ssize_t k = read(c->fd, sink, sizeof sink);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
        client_free(s, c);
        return -1;
    }
    return 0;
}

static void read_frames(client *c)
{
    size_t room = read_room(c);
    ssize_t k;
    if (room == 0) /* the peer closed, or the queue is full (EPOLLIN is off
                    * then, but EPOLLHUP/EPOLLERR may still come) */
        room = wsx_ws_conn_state(&c->conn) == WSX_WS_OPEN ? 0 : c->in_cap;
    if (room == 0)
        return;
    k = recv(c->fd, c->in, room, 0);
    if (k <= 0) {
        if (k == 0 || (errno != EAGAIN && errno != EINTR))
            wsx_ws_conn_eof(&c->conn); /* settle() closes it */
        return;
    }
    process_input(c, c->in, (size_t)k, net_now_ms());
}

/* After any activity: write what is pending, then choose what to wait for,
 * or close the connection. */
static void settle(server *s, client *c)
{
    uint32_t want = 0;
    if (flush_output(c) != 0) {
        client_free(s, c);
        return;
    }
    if (c->phase == PH_LINGER) {
        /* Lingering close: once the refusal is out, send FIN and discard
         * whatever the client still sends until it closes or time is up. */
        if (pending_output(c) == 0 && !c->shut) {
            shutdown(c->fd, SHUT_WR);
            c->shut = 1;
        }
        set_events(s, c, c->shut ? EPOLLIN : EPOLLOUT);
        return;
    }
    if (c->phase == PH_OPEN) {
        if (wsx_ws_conn_should_close_transport(&c->conn)) {
            client_free(s, c);
            return;
        }
        if (wsx_ws_conn_state(&c->conn) >= WSX_WS_CLOSING && c->list != LIST_CLOSING) {
            heap_remove(s, c); /* no more heartbeat; the close timeout rules */
            list_append(s, c, LIST_CLOSING,
                        net_now_ms() + WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS + 100);
        }
    }
    /* Backpressure: read only while the queue can take the echo of a good
     * part of a buffer; otherwise wait until writing has made room. */
    if (c->phase != PH_OPEN || wsx_ws_conn_state(&c->conn) != WSX_WS_OPEN ||
        read_room(c) >= c->in_cap / 4)
        want |= EPOLLIN;
    if (pending_output(c) > 0)
        want |= EPOLLOUT;
    set_events(s, c, want);
}

static void on_event(server *s, client *c, uint32_t events)
{
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        switch (c->phase) {
        case PH_HANDSHAKE:
            if (read_head(s, c) < 0)
                return;
            break;
        case PH_LINGER:
            if (drain(s, c) < 0)
                return;
            break;
        case PH_OPEN:
            read_frames(c);
            break;
        }
    }
    settle(s, c);
}

static void accept_all(server *s)
{
    for (;;) {
        struct epoll_event ev;
        client *c;
        int fd = net_accept(s->lfd);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && net_shed_connection(s->lfd, &s->spare_fd)) {
                logf_("refused a connection: %s (%ld)", "out of file descriptors", 0);
                continue;
            }
            return; /* EAGAIN, or out of descriptors with nothing pending */
        }
        if (s->nclients >= s->opt.max_connections ||
            heap_reserve(s, (size_t)s->nclients + 1) != 0 || !(c = client_new(s, fd))) {
            close(fd);
            continue;
        }
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        s->nclients++;
        c->events = EPOLLIN;
        list_append(s, c, LIST_HANDSHAKE, net_now_ms() + s->opt.handshake_ms);
    }
}

/* ---- timers -------------------------------------------------------------------- */

/* The peer did not answer the heartbeat: wsx_ws_conn_tick returned
 * WSX_E_CONN_TIMEOUT and the connection is CLOSED.  Says why with a close
 * frame (1001) when nothing is half-written on the socket, then releases
 * it. */
static void drop_dead_peer(server *s, client *c)
{
    const char *why = wsx_strerror(WSX_E_CONN_TIMEOUT);
    uint8_t frame[WSX_WS_MAX_HEADER + WSX_WS_MAX_CONTROL];
    size_t n = 0;
    if (pending_output(c) == 0 &&
        wsx_ws_encode_close(frame, sizeof frame, wsx_err_close_code(WSX_E_CONN_TIMEOUT),
                            why, strlen(why), NULL, &n) == WSX_OK &&
        write(c->fd, frame, n) < 0) {
        /* best effort: the peer is probably gone */
    }
    logf_("dropped: %s (fd %ld)", why, c->fd);
    client_free(s, c);
}

/* Ticks the open connections whose heartbeat deadline has come (and only
 * those): a ping goes out, or a peer that did not answer one is dropped. */
static void run_heartbeats(server *s, uint64_t now)
{
    while (s->heap_len > 0 && s->heap[0]->due <= now) {
        client *c = s->heap[0];
        if (wsx_ws_conn_tick(&c->conn, now) == WSX_E_CONN_TIMEOUT) {
            drop_dead_peer(s, c);
            continue;
        }
        heap_update(s, c, wsx_ws_conn_state(&c->conn) == WSX_WS_OPEN
                              ? wsx_ws_conn_next_deadline(&c->conn)
                              : WSX_WS_NO_DEADLINE);
        settle(s, c); /* writes the ping */
    }
}

/* Handles expired deadlines; returns the epoll timeout to the next one (ms,
 * -1 for none). */
static int run_timers(server *s)
{
    uint64_t now = net_now_ms(), next = UINT64_MAX;
    int l;
    run_heartbeats(s, now);
    if (s->heap_len > 0)
        next = s->heap[0]->due;
    for (l = FIRST_TIMED_LIST; l < LIST_COUNT; l++) {
        client *c;
        while ((c = s->lists[l]) != NULL && c->deadline <= now) {
            if (l == LIST_CLOSING) {
                /* The close handshake did not finish (the peer never sent
                 * its close, or never read ours). */
                wsx_ws_conn_tick(&c->conn, now);
            }
            if (l == LIST_HANDSHAKE)
                logf_("dropped: %s (fd %ld)", "no complete request head in time", c->fd);
            client_free(s, c);
        }
        if (c && c->deadline < next)
            next = c->deadline;
    }
    if (next == UINT64_MAX)
        return -1;
    return next - now > 60000 ? 60000 : (int)(next - now);
}

/* ---- main ------------------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: ws_echo [--host H] [--port N] [--max-message BYTES] [--buffer BYTES]\n"
          "               [--queue BYTES] [--handshake-timeout MS] [--max-connections N]\n"
          "               [--ping-ms MS] [--pong-timeout-ms MS] [--quiet]\n"
          "  --host H               address to listen on (default 127.0.0.1)\n"
          "  --port N               port (default 9001; 0 picks a free one)\n"
          "  --max-message BYTES    largest message accepted (default 16777216);\n"
          "                         bigger ones are refused with close 1009\n"
          "  --buffer BYTES         read buffer per connection (default 32768)\n"
          "  --queue BYTES          output queue per connection (default twice\n"
          "                         the buffer + 1024; at least the buffer + 1024)\n"
          "  --handshake-timeout MS drop a client whose request head is not\n"
          "                         complete in time (default 10000)\n"
          "  --max-connections N    refuse connections beyond N (default 10000)\n"
          "  --ping-ms MS           ping a client after MS without a byte from it\n"
          "                         (default 30000; 0: no heartbeat)\n"
          "  --pong-timeout-ms MS   drop it (close 1001) if nothing comes back\n"
          "                         within MS of a ping (default 10000; 0: never)\n"
          "  --quiet                no log lines on stderr\n",
          stderr);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
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
    o->quiet = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--host") == 0 && v) {
            o->host = v;
        } else if (parse_u64(v, &n) != 0) {
            return -1;
        } else if (strcmp(a, "--port") == 0 && n <= 65535) {
            o->port = (int)n;
        } else if (strcmp(a, "--max-message") == 0) {
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
    /* The decoder already checked every byte of text we echo. */
    s->conn_cfg.check_send_utf8 = 0;
    s->conn_cfg.ping_interval_ms = s->opt.ping_ms;
    s->conn_cfg.pong_timeout_ms = s->opt.pong_ms;
    memset(&s->hs_cfg, 0, sizeof s->hs_cfg); /* any Origin, no subprotocol */
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
    free(s->heap);
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
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("ws_echo: epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                accept_all(&s);
            else
                on_event(&s, (client *)events[i].data.ptr, events[i].events);
        }
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
