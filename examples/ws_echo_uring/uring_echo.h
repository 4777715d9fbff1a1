/*
 * ws_echo_uring — the WebSocket echo server of examples/ws_echo on
 * io_uring: the same options, handshake, limits, heartbeat and echo
 * (examples/common/echo_core.h), with another way of doing the I/O.
 *
 *   ws_echo_uring [ws_echo's options] [--ring-buffers N] [--no-multishot]
 *                 [--ring-entries N]
 *
 * How it is built:
 *
 *   - One thread, one ring (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN
 *     where the kernel has them: completions are reaped only when the loop
 *     asks).  Every pass of the loop is one io_uring_enter(): it submits
 *     every send and receive the last pass queued and waits for the next
 *     completions (or the next timer).  A thousand connections that each
 *     echo a message cost one system call, not two thousand.
 *   - Receiving: a multishot receive per connection, armed once, that
 *     takes its buffers from a ring of provided buffers shared by all
 *     connections (--ring-buffers of --buffer bytes): a connection holds no
 *     receive buffer of its own.  Each buffer goes back to the ring as soon
 *     as its bytes are decoded.  Where the kernel has no buffer rings or
 *     multishot receive (before 6.0), or with --no-multishot, each
 *     connection has a buffer and one receive in flight at a time, sized
 *     like ws_echo's reads.
 *   - Sending: the connection's wsx output queue is sent in place (the
 *     bytes stay put until wsx_ws_conn_consume, so an asynchronous send may
 *     point at them), one send in flight per connection; what the kernel
 *     took is consumed when it completes, and the next send takes all that
 *     was queued meanwhile.
 *   - Backpressure: a multishot receive is armed with an overall limit,
 *     what the output queue can take the echo of (kernels from 6.17), so it
 *     ends by itself before the queue could overflow and is armed again
 *     once sending has made room; the plain receives are sized the same
 *     way.  On older kernels, input whose echo does not fit is not decoded:
 *     it waits in a spill buffer (allocated only then) and the receive is
 *     cancelled until sending has drained the queue.  A peer that does not
 *     read holds only its own memory, and TCP flow control slows its
 *     sender.
 *   - Closing: a connection is freed only when no request in flight points
 *     at it: its socket is shut down (which ends its receive and send),
 *     and it is closed and freed once their completions have come.
 *   - Timers as in ws_echo: FIFO lists for the handshake, lingering and
 *     closing deadlines, a heap of heartbeat deadlines; the loop's wait
 *     ends at the first of them.
 */
#ifndef WSX_WS_ECHO_URING_H
#define WSX_WS_ECHO_URING_H

#include "echo_core.h"
#include "http_text.h"
#include "net.h"
#include "timer_heap.h"

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define RESP_CAP 512 /* our 101 / refusal heads are shorter */
#define MAX_HEADERS 64
#define LINGER_MS 2000u /* lingering close after a refusal */

enum phase { PH_HANDSHAKE, PH_OPEN, PH_LINGER };
enum { LIST_HANDSHAKE, LIST_LINGER, LIST_CLOSING, LIST_COUNT };

/* What a completion is for: the low bits of its user_data (the rest is
 * the connection, 8-byte aligned). */
enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3, OP_CANCEL = 4 };

typedef struct uconn {
    int fd;
    enum phase phase;
    timer_link timer;          /* handshake, linger or closing deadline */
    timer_node heartbeat;      /* open: the next heartbeat deadline */
    struct uconn *prev, *next; /* all connections */
    /* handshake: the request head so far (allocated only meanwhile) */
    wsx_http_parser http;
    uint8_t *head;
    size_t head_len;
    /* raw bytes sent before the connection's queue (101 or refusal) */
    char resp[RESP_CAP];
    size_t resp_len, resp_off;
    echo_session echo;
    uint8_t *out; /* the output queue */
    uint8_t *in;  /* without multishot: the receive buffer */
    /* input not decoded yet (backpressure): spill[spill_off, spill_len) */
    uint8_t *spill;
    size_t spill_off, spill_len, spill_cap;
    /* requests in flight */
    unsigned ops;
    int recv_on, send_on, cancel_on;
    int dead;  /* being closed: freed once ops is 0 */
    int shut;  /* lingering: our side is shut down */
    int dirty; /* on the list of connections to settle */
    struct uconn *next_dirty;
    size_t send_len; /* bytes of the send in flight */
    struct msghdr msg;
    struct iovec iov[1 + WSX_WS_CONN_MAX_CHUNKS];
} uconn;

typedef struct userver {
    echo_options opt;
    unsigned ring_entries, ring_buffers;
    int multishot;   /* multishot receive with a buffer ring */
    int mshot_limit; /* the kernel takes an overall limit for it (6.17) */
    int accept_multishot;
    struct io_uring ring;
    struct io_uring_buf_ring *bufs;
    uint8_t *buf_mem;
    int lfd, spare_fd, accept_on;
    long nclients;
    uconn *all;
    uconn *dirty;
    timer_fifo lists[LIST_COUNT];
    timer_heap heartbeats;
    wsx_ws_conn_config conn_cfg;
    wsx_hs_server_config hs_cfg;
    unsigned long enobufs; /* receives that found the buffer ring empty */
} userver;

#define BUF_GROUP 0

/* ---- ring.c ------------------------------------------------------------------- */

/* Sets the ring up (flags the kernel lacks are dropped) and, unless
 * s->multishot is 0, the provided-buffer ring.  Returns 0, or a negative
 * errno when io_uring is not there at all. */
int ring_setup(userver *s);
void ring_teardown(userver *s);
struct io_uring_sqe *ring_sqe(userver *s);
void ring_arm_accept(userver *s);
void ring_arm_recv(userver *s, uconn *c);
void ring_cancel_recv(userver *s, uconn *c);
void ring_send(userver *s, uconn *c, const struct iovec *iov, int n);
/* Buffer bid of the ring, and giving it back. */
uint8_t *ring_buffer(userver *s, unsigned bid);
void ring_recycle(userver *s, unsigned bid);
void ring_recycle_done(userver *s);

/* ---- conn.c ------------------------------------------------------------------- */

extern int quiet;
void logf_(const char *fmt, const char *a, long b);
void mark_dirty(userver *s, uconn *c);
void settle(userver *s, uconn *c);
void on_accept(userver *s, int res, int more);
void on_recv(userver *s, uconn *c, int res, uint8_t *data, int more);
void on_send(userver *s, uconn *c, int res);
void on_op_done(userver *s, uconn *c);
int run_timers(userver *s);
void close_all(userver *s);

#endif
