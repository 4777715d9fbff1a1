/*
 * conn.c — ws_echo's connections: timer lists, the heartbeat heap,
 * lifetime, writing, settling, accepting and the timers (the design is
 * described in ws_echo.h).
 */
#include "ws_echo.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int quiet;

void logf_(const char *fmt, const char *a, long b)
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
    if (c->prev)
        c->prev->next = c->next;
    else
        s->lists[c->list] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        s->tails[c->list] = c->prev;
    c->prev = c->next = NULL;
    c->list = LIST_NONE;
}

/* Appends c to list (every list has one fixed timeout, so the lists stay
 * sorted by deadline). */
void list_append(server *s, client *c, int list, uint64_t deadline)
{
    list_remove(s, c);
    c->list = list;
    c->deadline = deadline;
    c->prev = s->tails[list];
    c->next = NULL;
    if (c->prev)
        c->prev->next = c;
    else
        s->lists[list] = c;
    s->tails[list] = c;
}

/* ---- heartbeat heap -------------------------------------------------------- */

void heartbeat_update(server *s, client *c, uint64_t due)
{
    if (due == WSX_WS_NO_DEADLINE)
        timer_heap_remove(&s->heartbeats, &c->heartbeat);
    else
        timer_heap_set(&s->heartbeats, &c->heartbeat, due);
}

/* ---- memory ---------------------------------------------------------------- */

/* A connection's own queue or stalled input is mapped from the system and
 * unmapped when it is empty again: the pages go back at once, however the
 * allocator would have kept a freed block of that size.  Only connections
 * whose peer reads slower than they send come here. */
uint8_t *big_alloc(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : (uint8_t *)p;
}

void big_free(uint8_t *p, size_t n)
{
    if (p)
        munmap(p, n);
}

/* The small blocks (connections, handshakes) come from malloc.  After a
 * crowd leaves, its freed blocks lie all over the heap, which the
 * allocator returns only from its top: each time the number of clients
 * has halved since the last trim, malloc_trim hands every free page back
 * (a few calls however many clients come and go). */
static void trim_after_leaving(server *s)
{
    if (s->nclients >= s->trim_mark / 2 || s->trim_mark < 64)
        return;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    s->trim_mark = s->nclients;
}

static void handshake_free(client *c)
{
    if (!c->hs)
        return;
    free(c->hs->head);
    free(c->hs);
    c->hs = NULL;
}

/* Output that the socket did not take (left: flush_output said some is
 * left) moves from the shared queue to one of the connection's own; once
 * everything is written, the connection goes back to the shared queue and
 * its own is freed.  So, between events, every connection on the shared
 * queue has nothing in it.  Returns 0, or -1 when out of memory. */
static int queue_settle(server *s, client *c, int left)
{
    if (c->phase != PH_OPEN)
        return 0;
    if (left && !c->own_queue) {
        c->own_queue = big_alloc(s->opt.queue);
        if (!c->own_queue)
            return -1;
        wsx_ws_conn_set_queue(&c->conn, c->own_queue, s->opt.queue);
    } else if (!left && c->own_queue) {
        wsx_ws_conn_set_queue(&c->conn, s->out, s->opt.queue);
        big_free(c->own_queue, s->opt.queue);
        c->own_queue = NULL;
    }
    return 0;
}

/* ---- connection lifetime ------------------------------------------------- */

static client *client_new(server *s, int fd)
{
    client *c = s->free_list;
    handshake *hs = (handshake *)malloc(sizeof *hs);
    if (!hs)
        return NULL;
    if (c) {
        s->free_list = c->next;
        s->nfree--;
    } else if (!(c = (client *)malloc(sizeof *c))) {
        free(hs);
        return NULL;
    }
    c->fd = fd;
    c->phase = PH_HANDSHAKE;
    c->events = 0;
    c->list = LIST_NONE;
    c->prev = c->next = NULL;
    c->heartbeat.slot = 0;
    c->hs = hs;
    hs->head = NULL;
    hs->head_len = hs->head_cap = 0;
    hs->resp_len = hs->resp_off = 0;
    wsx_http_parser_init(&hs->http, NULL);
    c->own_queue = NULL;
    c->msg_opcode = 0;
    c->msg_streaming = 0;
    c->piece = NULL;
    c->piece_len = 0;
    c->pmd = NULL;
    c->own_in = NULL;
    c->stalled = 0;
    c->shut = 0;
    return c;
}

/* Closes c's socket (answer: a last response for net_refuse, or NULL)
 * and recycles c. */
static void client_end(server *s, client *c, const char *answer)
{
    list_remove(s, c);
    timer_heap_remove(&s->heartbeats, &c->heartbeat);
    handshake_free(c);
    free(c->pmd);
    c->pmd = NULL;
    big_free(c->own_queue, s->opt.queue);
    big_free(c->own_in, s->opt.buffer);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (answer)
        net_refuse(c->fd, answer);
    else
        close(c->fd);
    s->nclients--;
    if (s->nfree < FREE_LIST_MAX) {
        c->next = s->free_list;
        s->free_list = c;
        s->nfree++;
    } else {
        free(c);
    }
    trim_after_leaving(s);
}

void client_free(server *s, client *c) { client_end(s, c, NULL); }

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
 * queue) until done or EAGAIN.  Returns 0 when all is written, 1 when
 * some is left, -1 if the socket failed. */
static int flush_output(client *c)
{
    for (;;) {
        struct iovec iov[1 + WSX_WS_CONN_MAX_CHUNKS];
        int n = 0;
        ssize_t k;
        handshake *hs = c->hs;
        if (hs && hs->resp_off < hs->resp_len) {
            iov[n].iov_base = hs->resp + hs->resp_off;
            iov[n].iov_len = hs->resp_len - hs->resp_off;
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
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
        }
        if (hs && hs->resp_off < hs->resp_len) {
            size_t raw = hs->resp_len - hs->resp_off;
            size_t used = (size_t)k < raw ? (size_t)k : raw;
            hs->resp_off += used;
            k -= (ssize_t)used;
        }
        if (k > 0)
            wsx_ws_conn_consume(&c->conn, (size_t)k);
    }
}

/* Bytes of the 101 or of a refusal not written yet. */
static size_t resp_pending(const client *c)
{
    return c->hs ? c->hs->resp_len - c->hs->resp_off : 0;
}

static size_t pending_output(client *c)
{
    size_t n = resp_pending(c);
    if (c->phase == PH_OPEN)
        n += wsx_ws_conn_output_size(&c->conn);
    return n;
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

static void read_frames(server *s, client *c)
{
    size_t room = read_room(s, c);
    ssize_t k;
    if (c->stalled) /* the rest of the last read first (settle() resumes it) */
        return;
    if (room == 0) /* the peer closed, or the queue is full (EPOLLIN is off
                    * then, but EPOLLHUP/EPOLLERR may still come) */
        room = wsx_ws_conn_state(&c->conn) == WSX_WS_OPEN ? 0 : s->opt.buffer;
    if (room == 0)
        return;
    k = recv(c->fd, s->in, room, 0);
    if (k <= 0) {
        if (k == 0 || (errno != EAGAIN && errno != EINTR))
            wsx_ws_conn_eof(&c->conn); /* settle() closes it */
        return;
    }
    process_input(s, c, s->in, (size_t)k, net_now_ms());
}

/* After any activity: write what is pending, then choose what to wait for,
 * or close the connection. */
static void settle(server *s, client *c)
{
    uint32_t want = 0;
    unsigned ws_want;
    uint64_t due;
    int left = flush_output(c);
    if (left < 0) {
        client_free(s, c);
        return;
    }
    /* A stalled read goes on as far as the drained queue lets it. */
    while (c->phase == PH_OPEN && c->stalled && can_go_on(c)) {
        process_input(s, c, c->pend, c->pend_len, net_now_ms());
        if ((left = flush_output(c)) < 0) {
            client_free(s, c);
            return;
        }
    }
    if (!c->stalled && c->own_in) {
        big_free(c->own_in, s->opt.buffer);
        c->own_in = NULL;
    }
    if (c->phase == PH_OPEN && resp_pending(c) == 0)
        handshake_free(c);
    if (queue_settle(s, c, left) != 0) {
        logf_("dropped: %s (fd %ld)", "out of memory for its output", c->fd);
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
    if (c->phase == PH_HANDSHAKE) {
        set_events(s, c, EPOLLIN);
        return;
    }
    /* Open: the connection says what it waits for (its deadlines are in
     * the heartbeat heap and the closing list). */
    ws_want = wsx_ws_conn_wants(&c->conn, &due);
    if (ws_want & WSX_WANT_CLOSE) {
        client_free(s, c);
        return;
    }
    if (wsx_ws_conn_state(&c->conn) >= WSX_WS_CLOSING && c->list != LIST_CLOSING) {
        timer_heap_remove(&s->heartbeats, &c->heartbeat); /* the close timeout rules */
        list_append(s, c, LIST_CLOSING, net_now_ms() + WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS + 100);
    }
    /* A message that started moves the deadline earlier than the heap's
     * key (every other change only moves it later): re-key. */
    if (wsx_ws_conn_state(&c->conn) == WSX_WS_OPEN && due != WSX_WS_NO_DEADLINE &&
        (c->heartbeat.slot == 0 || due < c->heartbeat.due))
        heartbeat_update(s, c, due);
    /* Backpressure: while open, read only while the queue can take the
     * echo of a good part of a buffer; otherwise wait until writing has
     * made room.  Once closing, input is only discarded. */
    if ((ws_want & WSX_WANT_READ) && !c->stalled &&
        (wsx_ws_conn_state(&c->conn) != WSX_WS_OPEN || read_room(s, c) >= s->opt.buffer / 4))
        want |= EPOLLIN;
    if ((ws_want & WSX_WANT_WRITE) || resp_pending(c))
        want |= EPOLLOUT;
    set_events(s, c, want);
}

void on_event(server *s, client *c, uint32_t events)
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
            read_frames(s, c);
            break;
        }
    }
    settle(s, c);
}

/* Every slot is taken: a client lingering after its refusal gives its
 * slot up, else the one that has waited longest for a complete request
 * head (the first of the handshake list), answered 408.  Returns 0, or -1
 * when no client is lingering or handshaking. */
static int evict_slowest_head(server *s)
{
    client *c = s->lists[LIST_LINGER];
    if (c) {
        client_free(s, c);
        return 0;
    }
    c = s->lists[LIST_HANDSHAKE];
    if (!c)
        return -1;
    logf_("dropped: %s (fd %ld)", "slot needed by a new client, head not complete", c->fd);
    client_end(s, c, HTTP_TIMEOUT_RESPONSE);
    return 0;
}

/* Called between batches of events (an evicted client must not have an
 * event waiting in the batch). */
void accept_all(server *s)
{
    for (;;) {
        struct epoll_event ev;
        client *c;
        int fd = net_accept_next(s->lfd, &s->spare_fd, HTTP_BUSY_RESPONSE);
        if (fd == NET_ACCEPT_SHED) {
            logf_("refused a connection: %s (%ld)", "out of file descriptors", 503);
            continue;
        }
        if (fd < 0)
            return; /* EAGAIN, or out of descriptors with nothing pending */
        if ((s->nclients >= s->opt.max_connections && evict_slowest_head(s) != 0) ||
            timer_heap_reserve(&s->heartbeats, (size_t)s->nclients + 1) != 0 ||
            !(c = client_new(s, fd))) {
            logf_("refused a connection: %s (%ld)", "no slot free", 503);
            net_refuse(fd, HTTP_BUSY_RESPONSE);
            continue;
        }
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            handshake_free(c);
            free(c);
            continue;
        }
        s->nclients++;
        if (s->nclients > s->trim_mark)
            s->trim_mark = s->nclients;
        c->events = EPOLLIN;
        list_append(s, c, LIST_HANDSHAKE, net_now_ms() + s->opt.handshake_ms);
    }
}

/* ---- timers -------------------------------------------------------------------- */

/* Ticks the open connections whose heartbeat deadline has come (and only
 * those): a ping goes out, or a peer that did not answer one is dropped:
 * the connection has queued its close frame (1001, "peer did not answer
 * the heartbeat"), settle() writes it, and the socket is closed once it is
 * out (or when the closing list's timeout comes, if the peer never reads
 * it). */
static void run_heartbeats(server *s, uint64_t now)
{
    timer_node *first;
    while ((first = timer_heap_first(&s->heartbeats)) != NULL && first->due <= now) {
        client *c = TIMER_OWNER(first, client, heartbeat);
        int r = wsx_ws_conn_tick(&c->conn, now);
        if (r < 0)
            logf_("dropped: %s (fd %ld)", wsx_strerror(r), c->fd);
        heartbeat_update(s, c,
                         wsx_ws_conn_state(&c->conn) == WSX_WS_OPEN
                             ? wsx_ws_conn_next_deadline(&c->conn)
                             : WSX_WS_NO_DEADLINE);
        settle(s, c); /* writes the ping, or the close */
    }
}

/* Handles expired deadlines; returns the epoll timeout to the next one (ms,
 * -1 for none). */
int run_timers(server *s)
{
    uint64_t now = net_now_ms(), next = UINT64_MAX;
    int l;
    run_heartbeats(s, now);
    if (timer_heap_first(&s->heartbeats))
        next = timer_heap_first(&s->heartbeats)->due;
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
