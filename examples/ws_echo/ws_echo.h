/*
 * ws_echo — a WebSocket echo server on epoll, built on wsx.
 *
 *   ws_echo [--host H] [--port N] [--max-message BYTES] [--buffer BYTES]
 *           [--queue BYTES] [--handshake-timeout MS] [--max-connections N]
 *           [--ping-ms MS] [--pong-timeout-ms MS] [--message-timeout-ms MS]
 *           [--no-deflate] [--deflate-window-bits N] [--quiet]
 *
 * Upgrades on any path and sends every message back with its type (text
 * stays text, binary stays binary).  Pings get pongs and closes get their
 * code echoed (the wsx connection layer does both).  --port 0 lets the
 * kernel pick a port; the "listening" line says which.  SIGINT or SIGTERM
 * stop it (exit status 0).
 *
 * Compression: permessage-deflate (RFC 7692) is accepted from clients that
 * offer it (--no-deflate declines it), with a window of
 * --deflate-window-bits (default 12) for what we send and, when the client
 * lets us choose, for what it sends.  A message that came compressed goes
 * back compressed (RSV1), one that came plain goes back plain.  The
 * compressor and decompressor memory (examples/common/pmd.h) is allocated
 * when a connection agrees to compress and freed with it.  Inflated bytes
 * count against --max-message: a small "bomb" that inflates past it is
 * closed with 1009 after at most that much work.  As one compressed read
 * can inflate to far more than the queue holds, decoding a read stops
 * while the queue cannot take the next piece's echo, and goes on once
 * writing has drained it (the rest of the read waits in a buffer of the
 * connection's own until then).
 *
 * Idle peers: after --ping-ms (default 30000) without a byte from a client
 * it gets a ping; if nothing at all (a pong or anything else) comes back
 * within --pong-timeout-ms (default 10000), the peer is taken for dead: the
 * wsx connection queues a close frame with 1001 (the close code of
 * WSX_E_CONN_TIMEOUT) and its socket is closed once that is written out,
 * or after the close timeout if the peer does not read it.  A client that
 * is silent but answers pings stays.  --ping-ms 0 turns the heartbeat off
 * (a silent peer is then kept forever); --pong-timeout-ms 0 sends the
 * pings but never drops anyone for silence.
 *
 * Slow peers: any byte counts as life for the heartbeat, so a message must
 * also be complete within --message-timeout-ms (default 60000) of its
 * first byte, or the wsx connection fails with close 1008 (its message
 * timeout, WSX_E_CONN_MESSAGE_TIMEOUT): a client trickling one byte a
 * second cannot hold a connection forever.  0 turns that off.  A client
 * that does not read what is echoed to it fills its output queue; it is
 * then not read any more (backpressure, below), so the heartbeat finds it
 * silent and drops it (1001) after --ping-ms + --pong-timeout-ms, and its
 * memory stays its own queue (--queue bytes) and its slot (plus the
 * kernel's socket buffers).
 *
 * Overload: --max-connections slots.  When all are taken, a new
 * connection takes the slot of one lingering after a refusal, or else of
 * the one that has waited longest for a complete request head (it is
 * answered 408 and closed), so half-open
 * connections cannot lock honest clients out; when no connection is
 * handshaking, the newcomer is answered 503 with Retry-After before any
 * upgrade.  Out of file descriptors, a spare one is used to accept,
 * answer 503 and close each pending connection (no busy loop).
 *
 * How it is built, as a template for your own server:
 *
 *   - One thread, one epoll set, level-triggered.
 *   - Memory: an idle open connection holds its struct client (840 bytes
 *     on x86-64, 712 of them the wsx connection) and nothing else.  Every
 *     read goes into one receive buffer shared by all connections
 *     (--buffer) and is decoded to its last byte at once: the wsx decoder
 *     keeps what it needs of a partial frame in its own state.  Every
 *     connection queues its echo in one shared output queue (--queue),
 *     written out at once; only output the socket did not take moves to
 *     a queue of the connection's own (wsx_ws_conn_set_queue), which is
 *     freed as soon as it is written.  Handshake state (the HTTP parser,
 *     the 101) lives in a struct handshake freed once the 101 is out; a
 *     request head that one read does not complete waits in a buffer of
 *     its own until it does.  The only other per-connection buffer is the
 *     rest of a read held while the queue cannot take what it inflates
 *     to (compression only).  Those large buffers are mapped from the
 *     system (mmap) and unmapped when done, so their pages go back at
 *     once; for the small blocks, malloc_trim hands free heap pages back
 *     each time the number of clients halves.  So after a spike of large
 *     messages, or after thousands of clients leave, the process shrinks
 *     back near where it started.  `make bench` measures it
 *     (bench/bench_ws_memory.c; README: "Memory per connection").
 *   - Opening handshake: the request head goes to the wsx HTTP parser
 *     after every read; wsx_handshake.h checks it and
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
 *   - What to wait for: after every event, wsx_ws_conn_wants says whether
 *     the socket is to be read, written or closed; ws_echo adds its own
 *     backpressure on reading (above).
 *   - Heartbeat: the wsx connection keeps the clock (ping interval, pong
 *     timeout; wsx_ws_conn_next_deadline / wsx_ws_conn_tick).  Open
 *     connections sit in a binary min-heap keyed on their next deadline as
 *     of their last tick (examples/common/timer_heap.h).  A byte received
 *     only moves a connection's real deadline later, so the key is never
 *     late and nothing is updated per message: when a key passes, that
 *     connection is ticked (which sends the ping or finds the peer dead)
 *     and re-keyed, O(log n).  A wakeup touches only the connections that
 *     are due.
 *
 * The modules: main.c (usage, setup, the loop), conn.c (connections,
 * writing, settling, accept, timers), echo.c (the handshake and the echo);
 * the options and the wsx configuration they give are echo_core's
 * (examples/common), shared with ws_echo_uring.
 */
#ifndef WSX_WS_ECHO_H
#define WSX_WS_ECHO_H

#include "echo_core.h"
#include "http_text.h"
#include "net.h"
#include "pmd.h"
#include "timer_heap.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>

#include <stddef.h>
#include <stdint.h>

#define LINGER_MS 2000u /* lingering close after a refusal */
#define RESP_CAP 512    /* our 101 / refusal heads are shorter */
#define MAX_HEADERS 64
#define FREE_LIST_MAX 256 /* recycled connection blocks kept */

/* ---- connections ---------------------------------------------------------- */

enum phase { PH_HANDSHAKE, PH_OPEN, PH_LINGER };
/* Every client is on exactly one list.  OPEN has no fixed timeout (its
 * heartbeat deadlines are in a heap, see below); each of the others has
 * one fixed timeout, so append order is deadline order. */
enum { LIST_NONE, LIST_OPEN, LIST_HANDSHAKE, LIST_LINGER, LIST_CLOSING, LIST_COUNT };
#define FIRST_TIMED_LIST LIST_HANDSHAKE

/* What a connection needs only until it is open and its 101 is written
 * out (or, refused, until it is closed): allocated when it is accepted. */
typedef struct handshake {
    wsx_http_parser http;
    /* the request head so far, when a read left it incomplete (it grows
     * with each read, up to --buffer bytes); NULL while none waits */
    uint8_t *head;
    size_t head_len, head_cap;
    /* raw bytes written before the connection's queue (101 or refusal) */
    char resp[RESP_CAP];
    size_t resp_len, resp_off;
} handshake;

typedef struct client {
    int fd;
    uint8_t phase;         /* enum phase */
    uint8_t list;          /* timer list (LIST_*) */
    uint8_t msg_streaming; /* 1 once the echoed message's first fragment went out */
    uint8_t stalled;       /* see pend below */
    uint8_t shut;          /* lingering: our side is shut down */
    uint32_t events;       /* what epoll watches now */
    uint64_t deadline;
    struct client *prev, *next;
    /* heartbeat heap membership (OPEN with a heartbeat); its key is the
     * connection's next deadline */
    timer_node heartbeat;
    handshake *hs; /* NULL once open and the 101 is out */
    /* WebSocket; its queue is the server's shared one while empty, else
     * own (--queue bytes, see queue_settle) */
    wsx_ws_conn conn;
    uint8_t *own_queue;
    unsigned msg_opcode;  /* opcode of the message being echoed */
    const uint8_t *piece; /* payload piece held back (see echo_event) */
    size_t piece_len;
    /* permessage-deflate, when agreed: its memory (NULL otherwise), and
     * the rest of a read not decoded yet because the queue had no room for
     * what inflating it may echo (stalled: go on once output drained); it
     * waits in own_in (--buffer bytes, only while stalled) */
    pmd_mem *pmd;
    uint8_t *own_in;
    uint8_t *pend;
    size_t pend_len;
} client;

typedef struct server {
    echo_options opt; /* examples/common/echo_core.h */
    int epfd, lfd;
    int spare_fd; /* kept for EMFILE (see accept_all) */
    long nclients;
    long trim_mark;            /* clients when the allocator was last trimmed (or more since) */
    client *lists[LIST_COUNT]; /* heads; tails below */
    client *tails[LIST_COUNT];
    client *free_list;
    int nfree;
    timer_heap heartbeats; /* open connections on their next deadline */
    /* Shared by every connection: what one read brings is decoded at once
     * (in), and what a connection queues is written at once (out): only
     * what the socket did not take moves to a buffer of its own. */
    uint8_t *in, *out;
    wsx_ws_conn_config conn_cfg;
    wsx_hs_server_config hs_cfg;
} server;

/* ---- conn.c ---------------------------------------------------------------- */

extern int quiet; /* --quiet: no log lines */
void logf_(const char *fmt, const char *a, long b);
void list_append(server *s, client *c, int list, uint64_t deadline);
/* Puts c in the heartbeat heap with key due, or re-keys it;
 * WSX_WS_NO_DEADLINE takes it out. */
void heartbeat_update(server *s, client *c, uint64_t due);
void client_free(server *s, client *c);
/* Memory only while needed (conn.c): --queue or --buffer bytes from the
 * system (mmap), handed back at once when freed. */
uint8_t *big_alloc(size_t n);
void big_free(uint8_t *p, size_t n);
void on_event(server *s, client *c, uint32_t events);
void accept_all(server *s);
int run_timers(server *s);

/* ---- echo.c ---------------------------------------------------------------- */

int read_head(server *s, client *c);
void process_input(server *s, client *c, uint8_t *buf, size_t len, uint64_t now);
int can_go_on(client *c);
size_t read_room(const server *s, client *c);

#endif
