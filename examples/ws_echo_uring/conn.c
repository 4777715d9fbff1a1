/*
 * conn.c — ws_echo_uring's connections: lifetime, input (handshake, echo,
 * spill), output, what to ask of the ring next, accepting and the timers
 * (the design is described in uring_echo.h).
 */
#include "uring_echo.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int quiet;

void logf_(const char *fmt, const char *a, long b)
{
    if (!quiet) {
        fprintf(stderr, fmt, a, b);
        fputc('\n', stderr);
    }
}

void mark_dirty(userver *s, uconn *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->next_dirty = s->dirty;
    s->dirty = c;
}

/* ---- lifetime ---------------------------------------------------------------- */

static uconn *conn_new(userver *s, int fd)
{
    size_t in_cap = s->multishot ? 0 : s->opt.buffer;
    uconn *c = (uconn *)malloc(sizeof *c + s->opt.queue + in_cap);
    int one = 1;
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->phase = PH_HANDSHAKE;
    c->out = (uint8_t *)(c + 1);
    c->in = in_cap ? c->out + s->opt.queue : NULL;
    timer_link_init(&c->timer);
    wsx_http_parser_init(&c->http, NULL);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->next = s->all;
    if (s->all)
        s->all->prev = c;
    s->all = c;
    s->nclients++;
    return c;
}

static void free_input(uconn *c)
{
    free(c->head);
    c->head = NULL;
    free(c->spill);
    c->spill = NULL;
    c->spill_off = c->spill_len = c->spill_cap = 0;
}

/* Starts closing c (answer: a last response to try to send first, or
 * NULL): off every timer, its socket shut down so that the requests in
 * flight end; settle() closes and frees it once they have. */
static void conn_kill(userver *s, uconn *c, const char *answer)
{
    if (c->dead)
        return;
    c->dead = 1;
    s->nclients--;
    timer_fifo_remove(s->lists, &c->timer);
    timer_heap_remove(&s->heartbeats, &c->heartbeat);
    if (answer)
        (void)send(c->fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
    echo_close(&c->echo);
    free_input(c);
    if (c->ops) {
        shutdown(c->fd, SHUT_RDWR);
        ring_cancel_recv(s, c);
    }
    mark_dirty(s, c);
}

/* No request points at c any more: close the socket (without a reset
 * under what was sent last, see net_refuse) and free c. */
static void conn_free(userver *s, uconn *c)
{
    net_refuse(c->fd, NULL);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->all = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

void close_all(userver *s)
{
    while (s->all) {
        uconn *c = s->all;
        s->all = c->next;
        echo_close(&c->echo);
        free_input(c);
        close(c->fd);
        free(c);
    }
    timer_heap_free(&s->heartbeats);
}

/* ---- input ------------------------------------------------------------------- */

/* Room for n more bytes in the spill buffer (moving what the echo session
 * points at along).  Returns 0, or -1 when out of memory. */
static int spill_reserve(uconn *c, size_t n)
{
    size_t cap = c->spill_cap ? c->spill_cap : 4096;
    uint8_t *p;
    if (c->spill_len + n <= c->spill_cap)
        return 0;
    while (cap < c->spill_len + n)
        cap *= 2;
    p = (uint8_t *)malloc(cap);
    if (!p)
        return -1;
    if (c->spill_len)
        memcpy(p, c->spill, c->spill_len);
    echo_moved(&c->echo, c->spill, c->spill_len, p);
    free(c->spill);
    c->spill = p;
    c->spill_cap = cap;
    return 0;
}

/* Keeps data[0..n) for later: appended to the bytes not decoded yet. */
static int spill_append(uconn *c, const uint8_t *data, size_t n)
{
    if (spill_reserve(c, n) != 0)
        return -1;
    memcpy(c->spill + c->spill_len, data, n);
    c->spill_len += n;
    return 0;
}

/* The session stalled inside buf[0..len), which is about to be reused:
 * what it still points at moves to the spill buffer (empty now). */
static int spill_stalled(uconn *c, uint8_t *buf, size_t len)
{
    uint8_t *from = echo_kept_from(&c->echo, buf, len);
    size_t n = (size_t)(buf + len - from);
    if (spill_reserve(c, n) != 0)
        return -1;
    memcpy(c->spill + c->spill_len, from, n);
    echo_moved(&c->echo, from, n, c->spill + c->spill_len);
    c->spill_len += n;
    c->spill_off = c->spill_len; /* all of it was given to the decoder */
    return 0;
}

/* Decodes spilled input as far as the queue allows; frees the spill
 * buffer once it is all decoded. */
static void drain_spill(uconn *c, uint64_t now)
{
    for (;;) {
        size_t n = c->spill_len - c->spill_off;
        uint8_t *chunk = c->spill + c->spill_off;
        if (c->echo.stalled && echo_resume(&c->echo, now))
            return;
        if (n == 0) {
            free_input(c);
            return;
        }
        /* Once closing, input is only looked at for the peer's close. */
        if (wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN)
            n = echo_read_room(&c->echo, n);
        if (n == 0)
            return;
        c->spill_off += n;
        echo_feed(&c->echo, chunk, n, now);
    }
}

static int backlog(const uconn *c) { return c->echo.stalled || c->spill_off < c->spill_len; }

/* Input for an open connection; buf is reused after this. */
static void open_input(uconn *c, uint8_t *buf, size_t len)
{
    uint64_t now = net_now_ms();
    int r = 0;
    if (!backlog(c) && echo_read_room(&c->echo, len) == len) {
        if (echo_feed(&c->echo, buf, len, now))
            r = spill_stalled(c, buf, len);
    } else {
        r = spill_append(c, buf, len);
        if (r == 0)
            drain_spill(c, now);
    }
    if (r != 0)
        wsx_ws_conn_close(&c->echo.conn, 1011, "out of memory", 13, now);
}

/* The refusal resp[0..n) is ready: send it, then a lingering close. */
static void linger(userver *s, uconn *c, int err, size_t n)
{
    c->resp_len = n;
    c->resp_off = 0;
    c->phase = PH_LINGER;
    free_input(c);
    timer_fifo_append(s->lists, LIST_LINGER, &c->timer, net_now_ms() + LINGER_MS);
    logf_("refused: %s (HTTP %ld)", wsx_strerror(err), (long)wsx_err_http_status(err));
}

static void refuse(userver *s, uconn *c, int err)
{
    size_t n = 0;
    if (wsx_hs_server_refusal(err, c->resp, sizeof c->resp, &n) != WSX_OK)
        n = 0;
    linger(s, c, err, n);
}

/* The request head is head[0..head_len): answer it.  On success the
 * connection is open and the bytes after the head (rest[0..rest_len) too)
 * are decoded. */
static void answer_head(userver *s, uconn *c, const wsx_http_request *req, size_t head_len,
                        uint8_t *rest, size_t rest_len)
{
    size_t n = 0;
    uint64_t now = net_now_ms();
    int r = echo_open(&c->echo, &s->hs_cfg, &s->conn_cfg, req, c->out, s->opt.queue, c->resp,
                      sizeof c->resp, &n, now);
    if (r != WSX_OK) {
        linger(s, c, r, n);
        return;
    }
    c->resp_len = n;
    c->resp_off = 0;
    c->phase = PH_OPEN;
    timer_fifo_remove(s->lists, &c->timer);
    if (wsx_ws_conn_next_deadline(&c->echo.conn) != WSX_WS_NO_DEADLINE)
        timer_heap_set(&s->heartbeats, &c->heartbeat, wsx_ws_conn_next_deadline(&c->echo.conn));
    /* Frames may have come right behind the head (RFC 6455 section 4.1). */
    if (c->head_len > head_len)
        open_input(c, c->head + head_len, c->head_len - head_len);
    if (rest_len)
        open_input(c, rest, rest_len);
    free(c->head);
    c->head = NULL;
}

static void handshake_input(userver *s, uconn *c, uint8_t *buf, size_t len)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    size_t take;
    int r;
    if (!c->head && !(c->head = (uint8_t *)malloc(s->opt.buffer))) {
        conn_kill(s, c, HTTP_BUSY_RESPONSE);
        return;
    }
    take = s->opt.buffer - c->head_len < len ? s->opt.buffer - c->head_len : len;
    memcpy(c->head + c->head_len, buf, take);
    c->head_len += take;
    r = wsx_http_parse_request(&c->http, c->head, c->head_len, headers, MAX_HEADERS, &req);
    if (r < 0)
        refuse(s, c, r);
    else if (r > 0)
        answer_head(s, c, &req, (size_t)r, buf + take, len - take);
    else if (c->head_len == s->opt.buffer) /* the parser's own limit is lower */
        refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
}

void on_recv(userver *s, uconn *c, int res, uint8_t *data, int more)
{
    if (!more) {
        c->recv_on = 0;
        c->cancel_on = 0;
        c->ops--;
    }
    mark_dirty(s, c);
    if (c->dead)
        return;
    if (res == -ENOBUFS) { /* the buffer ring ran dry: settle() re-arms */
        s->enobufs++;
        return;
    }
    if (res == -EINVAL && s->mshot_limit) { /* a kernel without the limit */
        s->mshot_limit = 0;
        logf_("multishot receive: %s (%ld)", "no overall limit on this kernel, spilling instead",
              0);
        return;
    }
    if (res == -ECANCELED || res == -EINTR || res == -EAGAIN)
        return;
    if (res <= 0) { /* EOF or a socket error */
        if (c->phase == PH_OPEN)
            wsx_ws_conn_eof(&c->echo.conn); /* settle() closes it */
        else
            conn_kill(s, c, NULL);
        return;
    }
    if (c->phase == PH_HANDSHAKE)
        handshake_input(s, c, data, (size_t)res);
    else if (c->phase == PH_OPEN)
        open_input(c, data, (size_t)res);
    /* lingering: discarded */
}

/* ---- output ------------------------------------------------------------------- */

static void start_send(userver *s, uconn *c)
{
    struct iovec iov[1 + WSX_WS_CONN_MAX_CHUNKS];
    int n = 0;
    if (c->send_on)
        return;
    if (c->resp_off < c->resp_len) {
        iov[n].iov_base = c->resp + c->resp_off;
        iov[n].iov_len = c->resp_len - c->resp_off;
        n++;
    }
    if (c->phase == PH_OPEN) {
        wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
        size_t i, m = wsx_ws_conn_output_vec(&c->echo.conn, ch);
        for (i = 0; i < m; i++) {
            iov[n].iov_base = (void *)(uintptr_t)ch[i].data;
            iov[n].iov_len = ch[i].len;
            n++;
        }
    }
    if (n)
        ring_send(s, c, iov, n);
}

void on_send(userver *s, uconn *c, int res)
{
    size_t k = res > 0 ? (size_t)res : 0;
    c->send_on = 0;
    c->ops--;
    mark_dirty(s, c);
    if (c->dead || res == -EINTR || res == -EAGAIN)
        return;
    if (res < 0) {
        conn_kill(s, c, NULL);
        return;
    }
    if (c->resp_off < c->resp_len) {
        size_t raw = c->resp_len - c->resp_off, used = k < raw ? k : raw;
        c->resp_off += used;
        k -= used;
    }
    if (k)
        wsx_ws_conn_consume(&c->echo.conn, k);
}

/* ---- settling ------------------------------------------------------------------ */

/* An open connection: what the wsx connection wants, its deadlines, and
 * receiving only while its input can be echoed. */
static void settle_open(userver *s, uconn *c)
{
    uint64_t due;
    unsigned want;
    int reading;
    if (backlog(c))
        drain_spill(c, net_now_ms());
    want = wsx_ws_conn_wants(&c->echo.conn, &due);
    if (want & WSX_WANT_CLOSE) {
        conn_kill(s, c, NULL);
        return;
    }
    if (wsx_ws_conn_state(&c->echo.conn) >= WSX_WS_CLOSING && c->timer.list != LIST_CLOSING) {
        timer_heap_remove(&s->heartbeats, &c->heartbeat); /* the close timeout rules */
        timer_fifo_append(s->lists, LIST_CLOSING, &c->timer,
                          net_now_ms() + WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS + 100);
    }
    /* A message that started moves the deadline earlier than the heap's
     * key (every other change only moves it later): re-key. */
    if (wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN && due != WSX_WS_NO_DEADLINE &&
        (c->heartbeat.slot == 0 || due < c->heartbeat.due))
        timer_heap_set(&s->heartbeats, &c->heartbeat, due);
    start_send(s, c);
    /* Receive only while the queue can take the echo of a good part of a
     * buffer: a multishot receive is cancelled when it cannot (what
     * arrives meanwhile spills). */
    reading = (want & WSX_WANT_READ) && !backlog(c);
    if (reading && wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN)
        reading = echo_read_room(&c->echo, s->opt.buffer) >= s->opt.buffer / 4;
    if (reading && !c->recv_on)
        ring_arm_recv(s, c);
    else if (!reading && c->recv_on && s->multishot)
        ring_cancel_recv(s, c);
}

void settle(userver *s, uconn *c)
{
    if (c->dead) {
        if (c->ops == 0)
            conn_free(s, c);
        return;
    }
    if (c->phase == PH_OPEN) {
        settle_open(s, c);
        return;
    }
    start_send(s, c);
    /* Lingering close: once the refusal is out, send FIN and discard
     * whatever the client still sends until it closes or time is up. */
    if (c->phase == PH_LINGER && !c->send_on && !c->shut) {
        shutdown(c->fd, SHUT_WR);
        c->shut = 1;
    }
    if (!c->recv_on)
        ring_arm_recv(s, c);
}

/* ---- accepting ------------------------------------------------------------------ */

/* Every slot is taken: a client lingering after its refusal gives its
 * slot up, else the one that has waited longest for a complete request
 * head (answered 408).  Returns 0, or -1 when there is none. */
static int evict_slowest_head(userver *s)
{
    timer_link *l = s->lists[LIST_LINGER].first;
    if (l) {
        conn_kill(s, TIMER_OWNER(l, uconn, timer), NULL);
        return 0;
    }
    l = s->lists[LIST_HANDSHAKE].first;
    if (!l)
        return -1;
    logf_("dropped: %s (fd %ld)", "slot needed by a new client, head not complete",
          TIMER_OWNER(l, uconn, timer)->fd);
    conn_kill(s, TIMER_OWNER(l, uconn, timer), HTTP_TIMEOUT_RESPONSE);
    return 0;
}

void on_accept(userver *s, int res, int more)
{
    uconn *c;
    if (!more)
        s->accept_on = 0; /* the loop arms it again */
    if (res == -EMFILE || res == -ENFILE) {
        logf_("refused connections: %s (%ld)", "out of file descriptors", 503);
        while (net_shed_connection(s->lfd, &s->spare_fd, HTTP_BUSY_RESPONSE))
            ;
        return;
    }
    if (res < 0)
        return;
    if ((s->nclients >= s->opt.max_connections && evict_slowest_head(s) != 0) ||
        timer_heap_reserve(&s->heartbeats, (size_t)s->nclients + 1) != 0 ||
        !(c = conn_new(s, res))) {
        logf_("refused a connection: %s (%ld)", "no slot free", 503);
        net_refuse(res, HTTP_BUSY_RESPONSE);
        return;
    }
    timer_fifo_append(s->lists, LIST_HANDSHAKE, &c->timer, net_now_ms() + s->opt.handshake_ms);
    mark_dirty(s, c); /* settle() arms its receive */
}

/* ---- timers -------------------------------------------------------------------- */

/* Ticks the open connections whose heartbeat deadline has come: a ping
 * goes out, or a peer that did not answer one is dropped (its close frame
 * is queued; the closing list's timeout ends it if never read). */
static void run_heartbeats(userver *s, uint64_t now)
{
    timer_node *first;
    while ((first = timer_heap_first(&s->heartbeats)) != NULL && first->due <= now) {
        uconn *c = TIMER_OWNER(first, uconn, heartbeat);
        int r = wsx_ws_conn_tick(&c->echo.conn, now);
        uint64_t next = wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN
                            ? wsx_ws_conn_next_deadline(&c->echo.conn)
                            : WSX_WS_NO_DEADLINE;
        if (r < 0)
            logf_("dropped: %s (fd %ld)", wsx_strerror(r), c->fd);
        if (next == WSX_WS_NO_DEADLINE)
            timer_heap_remove(&s->heartbeats, &c->heartbeat);
        else
            timer_heap_set(&s->heartbeats, &c->heartbeat, next);
        mark_dirty(s, c); /* sends the ping, or the close */
    }
}

int run_timers(userver *s)
{
    uint64_t now = net_now_ms(), next = UINT64_MAX;
    int l;
    run_heartbeats(s, now);
    if (timer_heap_first(&s->heartbeats))
        next = timer_heap_first(&s->heartbeats)->due;
    for (l = 0; l < LIST_COUNT; l++) {
        timer_link *t;
        while ((t = s->lists[l].first) != NULL && t->due <= now) {
            uconn *c = TIMER_OWNER(t, uconn, timer);
            if (l == LIST_CLOSING) /* the close handshake did not finish */
                wsx_ws_conn_tick(&c->echo.conn, now);
            if (l == LIST_HANDSHAKE)
                logf_("dropped: %s (fd %ld)", "no complete request head in time", c->fd);
            conn_kill(s, c, NULL);
        }
        if (t && t->due < next)
            next = t->due;
    }
    if (next == UINT64_MAX)
        return -1;
    return next - now > 60000 ? 60000 : (int)(next - now);
}
