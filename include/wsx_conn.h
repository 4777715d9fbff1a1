/*
 * wsx WebSocket connection (RFC 6455 sections 5.5, 7): the state machine
 * over the frame decoder and encoder, still sans-I/O.
 *
 *   - states CONNECTING -> OPEN -> CLOSING -> CLOSED, never backwards;
 *   - a pong for every ping, the close handshake (echo, then the server
 *     closes the transport first), failing the connection with the close
 *     code of its error (a protocol error, a peer that does not answer the
 *     heartbeat);
 *   - an outgoing queue in a buffer the caller provides, with backpressure
 *     (WSX_E_CONN_QUEUE_FULL, never a partial frame, never silent loss);
 *   - heartbeat, message and closing deadlines computed from the time the
 *     caller passes in (uint64_t milliseconds from any monotonic origin);
 *   - one call that tells an event loop what to wait for
 *     (wsx_ws_conn_wants);
 *   - a callback adapter (wsx_ws_conn_feed, wsx_conn_feed.h) over the pull
 *     API.
 *
 * A loop with poll(), in outline (wsx_ws_conn_wants says what to wait
 * for; nothing else is needed):
 *
 *   wsx_ws_conn_config cfg;
 *   wsx_ws_conn_config_default(&cfg);
 *   cfg.ping_interval_ms = 30000;
 *   wsx_ws_conn_init(&c, &cfg, outbuf, sizeof outbuf);
 *   ...opening handshake (wsx_handshake.h), then:
 *   wsx_ws_conn_open(&c, now_ms());
 *   ...pass the bytes that came after the handshake's blank line to recv
 *   as below, then:
 *   for (;;) {
 *       uint64_t deadline;
 *       unsigned want = wsx_ws_conn_wants(&c, &deadline);
 *       if (want & WSX_WANT_CLOSE)
 *           break;                          (close(fd), done)
 *       pfd.events = (want & WSX_WANT_READ ? POLLIN : 0) |
 *                    (want & WSX_WANT_WRITE ? POLLOUT : 0);
 *       poll(&pfd, 1, deadline == WSX_WS_NO_DEADLINE ? -1
 *                     : ms from now to deadline, 0 if past);
 *       if (pfd.revents & POLLOUT) {
 *           nv = wsx_ws_conn_output_vec(&c, chunks);
 *           k = writev(fd, ...chunks...);
 *           if (k > 0) wsx_ws_conn_consume(&c, k);
 *       }
 *       if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
 *           n = read(fd, buf, sizeof buf);
 *           if (n <= 0) {                     (EOF or error)
 *               wsx_ws_conn_eof(&c);
 *               continue;
 *           }
 *           p = buf;
 *           while ((r = wsx_ws_conn_recv(&c, p, n, &used, &ev, now)) > 0) {
 *               p += used; n -= used;
 *               ...handle ev (a message piece, ping, pong, close); sends
 *               are allowed...
 *           }
 *           if (r < 0) ...the connection failed (r says why); its close
 *                      frame is queued: just go on looping...
 *       }
 *       if (wsx_ws_conn_tick(&c, now_ms()) < 0) ...the peer is dead (its
 *           close frame is queued): go on looping...
 *   }
 * A server that echoes or relays adds its own backpressure: it leaves
 * POLLIN out while it holds input it could not queue yet (see "sending").
 *
 * Arguments (wsx_base.h rule 5): every int function returns WSX_E_ARG for
 * a NULL connection (or other required pointer) and changes nothing; the
 * queries return 0, NULL or WSX_WS_NO_DEADLINE for it, the void functions
 * do nothing.
 *
 * Threads: a connection is not thread-safe; use it from one thread at a
 * time.  Different connections are independent.
 */
#ifndef WSX_CONN_H
#define WSX_CONN_H

#include "wsx_base.h"
#include "wsx_deflate.h"
#include "wsx_ws.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- states, configuration ------------------------------------------- */

/* Connection states.  They only ever move forward.
 *   CONNECTING  after init: the opening handshake is the caller's (see
 *               wsx_handshake.h); nothing can be sent or received yet.
 *   OPEN        after wsx_ws_conn_open(): messages both ways.
 *   CLOSING     a close frame was queued or received, or the connection
 *               failed: no more data can be sent.
 *   CLOSED      the close handshake is over (our close frame written out
 *               AND the peer's received; or, after a failure, our close
 *               frame written out), or a timeout, or wsx_ws_conn_eof(). */
typedef enum wsx_ws_state {
    WSX_WS_CONNECTING = 0,
    WSX_WS_OPEN = 1,
    WSX_WS_CLOSING = 2,
    WSX_WS_CLOSED = 3
} wsx_ws_state;

/* The library has no random source.  A client must mask every frame with
 * a fresh, unpredictable 4-byte key (RFC 6455 section 5.3, 10.3): give it a
 * function that fills out[0..n) from a CSPRNG (getrandom(), arc4random_buf(),
 * a hardware RNG...).  ctx is the config's random_ctx. */
typedef void (*wsx_ws_random_fn)(void *ctx, uint8_t *out, size_t n);

typedef struct wsx_ws_conn_config {
    /* WSX_WS_SERVER (default) or WSX_WS_CLIENT. */
    wsx_ws_role role;
    /* Receive limits and extension bits, passed to the frame decoder
     * (defaults: wsx_ws_decoder_config_default, 16 MiB frame and message). */
    wsx_ws_decoder_config decoder;
    /* Send a ping after this many ms without receiving any byte.
     * 0 (default) = no heartbeat pings. */
    uint64_t ping_interval_ms;
    /* After any ping is sent (heartbeat or wsx_ws_conn_ping), the peer is
     * declared dead if NOTHING (a pong or any other byte) arrives within
     * this many ms: wsx_ws_conn_tick then fails the connection with
     * WSX_E_CONN_TIMEOUT (close 1001, see there).  0 = never.
     * Default 30000. */
    uint64_t pong_timeout_ms;
    /* Once the close handshake starts (a close sent or received, or a
     * failure), the longest it may take, including the wait for our close
     * frame to be written out and a client's wait for the server to close
     * the transport (RFC 6455 section 7.1.1).  0 = wait forever (not
     * advised with a heartbeat: a dead peer may never take our close
     * frame).  Default 5000. */
    uint64_t close_timeout_ms;
    /* A message received must be complete within this many ms of the call
     * that passed its first byte to wsx_ws_conn_recv (for a fragmented
     * message: first byte of the first frame to last byte of the final
     * one; a control frame outside a message is timed by itself).
     * Otherwise wsx_ws_conn_tick fails the connection with
     * WSX_E_CONN_MESSAGE_TIMEOUT, close 1008.  The heartbeat counts any
     * byte as life, so without this a peer that trickles one byte a second
     * would hold the connection, and whatever the application keeps for
     * the message, forever.  0 (default): 60000
     * (WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS); WSX_WS_CONN_NO_TIMEOUT:
     * never (for peers that stream one long fragmented message on
     * purpose).  Raise it when large messages may come over slow links:
     * the time covers the whole message, not the gaps between its bytes. */
    uint64_t message_timeout_ms;
    /* Masking keys; required for WSX_WS_CLIENT (init fails without it),
     * ignored for a server.  Called once per frame sent, with n = 4. */
    wsx_ws_random_fn random;
    void *random_ctx;
    /* 1 (default): text messages sent are checked to be valid UTF-8
     * (RFC 6455 section 8.1; a bad one is refused with WSX_E_WS_UTF8 and
     * nothing is queued).  0: the caller vouches for it. */
    int check_send_utf8;
} wsx_ws_conn_config;

#define WSX_WS_CONN_DEFAULT_PONG_TIMEOUT_MS 30000u
#define WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS 5000u
#define WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS 60000u
/* "No time limit", for message_timeout_ms. */
#define WSX_WS_CONN_NO_TIMEOUT UINT64_MAX

/* Smallest output buffer wsx_ws_conn_init accepts: room for the largest
 * control frame (a 125-byte ping/pong/close, masked: 6 + 125 bytes). */
#define WSX_WS_CONN_MIN_QUEUE (6 + WSX_WS_MAX_CONTROL)

/* "No deadline", from wsx_ws_conn_next_deadline and wsx_ws_conn_wants. */
#define WSX_WS_NO_DEADLINE UINT64_MAX

/* One pending control frame (private). */
typedef struct wsx_ws_conn_slot_ {
    uint8_t _pending;
    uint8_t _len;
    uint8_t _data[WSX_WS_MAX_CONTROL];
} wsx_ws_conn_slot_;

struct wsx_ws_conn_deflate;
struct wsx__ws_deflate_ops;

/* The connection: lives wherever the caller puts it (712 bytes on LP64,
 * 672 on a Cortex-M4, of which 176 are the decoder and 381 hold waiting
 * control frames).
 * Every field is private. */
typedef struct wsx_ws_conn {
    /* Small fields first: Thumb-2 reaches byte offsets below 32 and word
     * offsets below 128 with 2-byte loads and stores. */
    wsx_utf8 _send_utf8; /* UTF-8 state of the text message streamed */
    int _error;          /* sticky failure, 0 while healthy */
    uint16_t _flags;
    uint16_t _peer_code; /* close code received (1005: none) */
    uint16_t _stream_op; /* opcode of the streamed message (| WSX_WS_NO_COMPRESS),
                            0 = none */
    uint8_t _state;
    uint8_t _role;
    uint8_t *_out; /* caller's queue buffer */
    size_t _cap;
    size_t _head, _tail; /* pending bytes: _out[_head.._tail) */
    const uint8_t *_ref; /* rest of the zero-copy payload, or NULL */
    size_t _ref_len;     /* its length */
    size_t _ref_at;      /* queue offset where the payload goes */
    wsx_ws_random_fn _random;
    void *_random_ctx;
    struct wsx_ws_conn_deflate *_deflate; /* permessage-deflate, or NULL */
    uint64_t _last_active;                /* time of the last byte received or ping
                               queued, whichever came later (the clock
                               is monotonic) */
    uint64_t _deadline;                   /* OPEN: the pong deadline (while a ping waits
                               for an answer); later: the close deadline */
    uint64_t _message_deadline;           /* OPEN, while a message or a control
                               frame is coming in: when it must be complete;
                               WSX_WS_NO_DEADLINE otherwise */
    uint64_t _ping_interval, _pong_timeout, _close_timeout, _message_timeout;
    wsx_ws_decoder _dec;
    wsx_ws_conn_slot_ _slot[3]; /* waiting pong, ping, close */
} wsx_ws_conn;

/* Fills cfg with the defaults above (server, no heartbeat pings, a
 * message timeout of 60 s). */
WSX_API void wsx_ws_conn_config_default(wsx_ws_conn_config *cfg);

/* Prepares c in state CONNECTING.  out[0..out_cap) is the outgoing queue;
 * it belongs to the connection until the caller stops using c (the caller
 * still owns it: nothing is freed).  cfg is copied (NULL: defaults).
 * Sizing: a frame is queued whole, after the bytes still pending; space
 * is reclaimed by wsx_ws_conn_consume (all of it once everything is
 * written).  So out_cap bounds the largest message sent whole (plus its
 * 2-14 header bytes); bigger ones go as stream parts or with
 * wsx_ws_conn_send_ref.  Control frames never need reserved room.
 * Returns WSX_OK, or WSX_E_ARG when c or out is NULL, out_cap <
 * WSX_WS_CONN_MIN_QUEUE, or a client has no random function (c is then
 * unusable). */
WSX_API int wsx_ws_conn_init(wsx_ws_conn *c, const wsx_ws_conn_config *cfg, void *out,
                             size_t out_cap);

/* CONNECTING -> OPEN, once the opening handshake succeeded.  now_ms
 * starts the heartbeat clock.  Returns WSX_OK or WSX_E_STATE. */
WSX_API int wsx_ws_conn_open(wsx_ws_conn *c, uint64_t now_ms);

/* The current state (see wsx_ws_state). */
WSX_API wsx_ws_state wsx_ws_conn_state(const wsx_ws_conn *c);

/* ---- the event loop ---------------------------------------------------- */

/* What wsx_ws_conn_wants asks of the loop (bits). */
#define WSX_WANT_READ 1u  /* read from the transport, pass it to recv */
#define WSX_WANT_WRITE 2u /* output is pending: write it when writable */
#define WSX_WANT_CLOSE 4u /* close the transport now (always alone) */

/* Everything an event loop needs, in one call: returns the WSX_WANT_ bits
 * and stores in *next_deadline (may be NULL) the time wsx_ws_conn_tick has
 * work to do (wsx_ws_conn_next_deadline: WSX_WS_NO_DEADLINE if none; it
 * may be in the past: tick now).
 *   CONNECTING        0 (the opening handshake is the caller's).
 *   OPEN, CLOSING     WSX_WANT_READ; | WSX_WANT_WRITE while output is
 *                     pending (after moving waiting control frames into
 *                     the queue, like wsx_ws_conn_output_size).
 *   CLOSED, a client  that finished the close handshake: WSX_WANT_READ
 *                     (the server closes first: read until EOF, call
 *                     wsx_ws_conn_eof; the close deadline bounds the wait).
 *   close the transport (wsx_ws_conn_should_close_transport): WSX_WANT_CLOSE
 *                     alone, deadline WSX_WS_NO_DEADLINE; pending output,
 *                     if any, can be dropped.
 * WSX_WANT_READ stays set after a failure or the peer's close frame,
 * although recv then returns the error or discards: reading still notices
 * EOF, and a transport closed with unread input may be reset, losing our
 * close frame on the way.  An application with its own backpressure
 * (input it could not act on yet) leaves out reading until it can.
 * NULL c: 0, *next_deadline = WSX_WS_NO_DEADLINE. */
WSX_API unsigned wsx_ws_conn_wants(wsx_ws_conn *c, uint64_t *next_deadline);

/* 1 when the caller should close the transport (TCP, TLS) now:
 *   - a server, once the close handshake is over (RFC 6455 section 7.1.1:
 *     the server closes first);
 *   - a client, when the server has not closed the transport within
 *     close_timeout_ms of the start of the closing handshake (until then
 *     a client waits for EOF: call wsx_ws_conn_eof when it comes);
 *   - either role after a failure once the close frame is written out,
 *     after a timeout, or after wsx_ws_conn_eof.
 * 0 otherwise.  Pending output, if any, can be dropped then.  The same as
 * WSX_WANT_CLOSE from wsx_ws_conn_wants. */
WSX_API int wsx_ws_conn_should_close_transport(const wsx_ws_conn *c);

/* The transport reached EOF or broke: the connection is CLOSED (an
 * abnormal closure, 1006, if the close handshake had not finished). */
WSX_API void wsx_ws_conn_eof(wsx_ws_conn *c);

/* The status the peer closed with: its close code, 1005 when its close
 * frame had no code, 1006 when the connection ended without a close frame
 * from the peer (failure, timeout, EOF), 0 while no close frame was
 * received and the connection has not ended. */
WSX_API unsigned wsx_ws_conn_close_code(const wsx_ws_conn *c);

/* The sticky error that failed the connection (a decoding error, the
 * error given to wsx_ws_conn_fail, WSX_E_CONN_TIMEOUT or
 * WSX_E_CONN_MESSAGE_TIMEOUT), 0 while none.
 * WSX_E_ARG for a NULL c. */
WSX_API int wsx_ws_conn_error(const wsx_ws_conn *c);

/* ---- receiving --------------------------------------------------------- */

/* Decodes buf[0..len) (the bytes read from the transport) until one event
 * is complete, and acts on it before returning it:
 *   PING   a pong with the same payload (RFC 6455 section 5.5.2) enters
 *          the output queue at once, behind what is queued, so a burst of
 *          pings gets its pongs in order.  Under backpressure (no room for
 *          the pong) it waits in the connection and goes in at the next
 *          output call, consume or data send (ahead of that data); while
 *          one waits, the pong of a later ping replaces it (section
 *          5.5.3): the last ping is always answered.  No pong once our
 *          close frame is queued.
 *   PONG   (any pong) nothing more; every received byte already counts
 *          as an answer to the heartbeat.
 *   CLOSE  ev->close_code is the peer's (1005: none), ev->data/size the
 *          reason.  If we had not sent a close, a close echoing the code is
 *          prepared, like a pong (empty payload when the peer sent none;
 *          RFC 6455 section 5.5.1).  Data sends are refused from now on.
 *          Once our close is written out the state is CLOSED: see
 *          wsx_ws_conn_wants.
 *   MESSAGE_START / DATA / MESSAGE_END, MESSAGE  as from wsx_ws_decode
 *          (wsx_ws.h): MESSAGE is a whole message at once.  A compressed
 *          message always comes as START, DATA, END.
 * Returns like wsx_ws_decode: an event kind > 0 (*consumed bytes used,
 * possibly 0: call again with buf + *consumed even when nothing is left),
 * 0 when all of buf is consumed and more is needed, or a negative wsx_err:
 *   decoding errors (wsx_ws.h): the connection fails: a close frame with
 *     wsx_err_close_code(err) (1002, 1007, 1009) and the error's text as
 *     reason is prepared (pongs not yet queued are dropped), the state
 *     becomes CLOSING; once it is written out, CLOSED.  Sticky: later
 *     calls return it again (*consumed = 0), as they do after any failure
 *     (wsx_ws_conn_fail, heartbeat timeout).
 *   WSX_E_STATE  in state CONNECTING.
 *   WSX_E_ARG    a NULL pointer (buf may be NULL when len is 0).
 * A failure in the middle of a message's payload, e.g. a text message
 * whose bytes are valid UTF-8 up to a bad byte (RFC 6455 section 8.1: fail
 * fast): this call returns DATA with the valid bytes before it, and the
 * connection has already failed (CLOSING, close 1007 queued,
 * wsx_ws_conn_error() set: a DATA handler may look); the next call
 * returns the error.  So the loop
 *     while ((r = wsx_ws_conn_recv(&c, p, n, &used, &ev, now)) > 0) {
 *         p += used; n -= used; ...handle ev...
 *     }
 *     if (r < 0) ...failed...
 * handles the DATA, then leaves with r < 0.  The message never ends (no
 * MESSAGE_END).
 * After the peer's close frame, or once CLOSED, every byte is discarded:
 * returns 0 with *consumed = len.
 * Any received byte (len > 0) restarts the heartbeat silence timer and
 * answers an outstanding ping; the first byte of a message (or of a
 * control frame outside one) starts its message timeout, its end stops
 * it.  ev's pointers are valid as documented for
 * wsx_ws_decode (DATA points into buf; control payloads until the next
 * call), except for a compressed message (permessage-deflate, see
 * wsx_ws_conn_use_deflate below): its DATA points into the scratch buffer,
 * valid until the next call on c. */
WSX_API int wsx_ws_conn_recv(wsx_ws_conn *c, void *buf, size_t len, size_t *consumed,
                             wsx_ws_event *ev, uint64_t now_ms);

/* ---- sending ------------------------------------------------------------ */
/*
 * Every send either queues whole frames or queues nothing.  Common errors:
 *   WSX_E_STATE            CONNECTING, or a call out of order (a whole
 *                          message while a streamed one is open, ...)
 *   WSX_E_CONN_CLOSED      our close frame is queued or the peer's was
 *                          received, or the connection failed or ended
 *   WSX_E_CONN_QUEUE_FULL  the frame does not fit in the free part of the
 *                          queue now: write out and consume, then retry
 *   WSX_E_BUFFER           the frame can never fit (header + payload >
 *                          the whole queue; with compression, the
 *                          compressor's bound for a stream part): stream
 *                          it in smaller fragments or use
 *                          wsx_ws_conn_send_ref
 *   WSX_E_WS_UTF8          text that is not valid UTF-8 (check_send_utf8)
 *   WSX_E_ARG              bad opcode, NULL data with len > 0
 * With permessage-deflate (wsx_ws_conn_use_deflate), data messages are
 * compressed on the way into the queue; the rules below still hold.
 * A client masks every frame with a new key from cfg.random; the queued
 * payload is a masked copy, the caller's data is never modified (except
 * by wsx_ws_conn_send_ref, see there).
 *
 * Backpressure without loss (an echo, a relay, a large message): a data
 * frame of at most wsx_ws_conn_send_room() payload bytes is never refused
 * with WSX_E_CONN_QUEUE_FULL or WSX_E_BUFFER.  So stream a payload of any
 * size in slices of that size, keeping what is left:
 *     n = wsx_ws_conn_send_room(&c);
 *     if (n > left) n = left;
 *     r = wsx_ws_conn_stream_part(&c, p, n);   (n may be 0: queues nothing)
 *     if (r < 0) ...closing or failed: drop the message...
 *     p += n; left -= n;
 *     if (left) ...stop reading; when writable: write, consume, continue
 *                  with p[0..left)...
 * and end the message with wsx_ws_conn_stream_end(&c, NULL, 0), retried
 * after writing out while it returns WSX_E_CONN_QUEUE_FULL (the final
 * frame header needs 2 bytes of room, 6 for a client; a compressed final
 * frame 34 and 38).  A text message may be cut anywhere, even inside a
 * code point.
 */

/* One whole message, one frame.  opcode: WSX_WS_OP_TEXT or _BINARY, may
 * have WSX_WS_NO_COMPRESS OR-ed in.  data[0..len) is copied (compressed
 * when the connection compresses); data may be NULL when len is 0. */
WSX_API int wsx_ws_conn_send(wsx_ws_conn *c, unsigned opcode, const void *data, size_t len);

/* A message of unknown total length, as a series of fragments (RFC 6455
 * section 5.4): begin (nothing is queued), any number of parts (each a
 * frame with FIN clear; empty parts queue nothing), then end (the final
 * frame, FIN set, with the last bytes or none).  Control frames may go out
 * between the fragments; other data messages may not start until end.
 * A text message is UTF-8-checked across parts; a code point may be split
 * between parts, but the message must be complete at end.  begin's opcode
 * may have WSX_WS_NO_COMPRESS OR-ed in; a compressed stream's parts each
 * end with a DEFLATE sync flush, so the peer can use each on arrival. */
WSX_API int wsx_ws_conn_stream_begin(wsx_ws_conn *c, unsigned opcode);
WSX_API int wsx_ws_conn_stream_part(wsx_ws_conn *c, const void *data, size_t len);
WSX_API int wsx_ws_conn_stream_end(wsx_ws_conn *c, const void *data, size_t len);

/* Zero copy: one whole message whose payload stays in the caller's
 * memory.  Only the frame header is queued; wsx_ws_conn_output_vec then
 * gives the pending output as pieces (queued bytes up to the header, the
 * payload itself, queued bytes after it) for writev().  payload must stay
 * valid and unchanged until it has been consumed
 * (wsx_ws_conn_ref_pending() says when).
 *   Server: payload is not modified.
 *   Client: payload is MASKED IN PLACE now with the frame's key (RFC 6455
 *   section 5.3): it must be writable, and afterwards it holds the masked
 *   bytes (keep a copy if the plain bytes are still needed).
 * One zero-copy payload at a time: WSX_E_CONN_QUEUE_FULL while the previous
 * one is pending.  Otherwise errors as wsx_ws_conn_send (no WSX_E_BUFFER:
 * only the header needs room).  Never compressed (the payload is the
 * caller's bytes, sent as they are; RSV1 clear). */
WSX_API int wsx_ws_conn_send_ref(wsx_ws_conn *c, unsigned opcode, void *payload, size_t len);

/* 1 while a wsx_ws_conn_send_ref payload has not been consumed. */
WSX_API int wsx_ws_conn_ref_pending(const wsx_ws_conn *c);

/* Queues a ping with payload[0..len), len <= 125 (WSX_E_ARG otherwise).
 * Control frames never get WSX_E_CONN_QUEUE_FULL: they wait in the
 * connection until the next output/output_vec/output_size/consume call or
 * data send moves them into the queue (ahead of that data); a ping still
 * waiting is replaced by a newer one.  Arms the pong timeout from
 * now_ms.  WSX_E_CONN_CLOSED once closing. */
WSX_API int wsx_ws_conn_ping(wsx_ws_conn *c, const void *payload, size_t len, uint64_t now_ms);

/* Starts the closing handshake: queues a close frame with code and
 * reason[0..reason_len) (UTF-8, at most 123 bytes).  code 0 sends a close
 * without a status code (then reason_len must be 0).  Nothing is sent after
 * it.  State becomes CLOSING; the close timeout starts at now_ms.  Like
 * every control frame it never gets WSX_E_CONN_QUEUE_FULL.
 * Returns WSX_OK, WSX_E_WS_CLOSE_CODE (code refused by
 * wsx_ws_close_code_valid: 1005, 1006, 1015 are never sent),
 * WSX_E_WS_REASON_TOO_LONG, WSX_E_WS_CLOSE_REASON_UTF8, WSX_E_ARG (a reason
 * with code 0, NULL reason with reason_len > 0), WSX_E_STATE (CONNECTING),
 * WSX_E_CONN_CLOSED (a close already queued, or CLOSED). */
WSX_API int wsx_ws_conn_close(wsx_ws_conn *c, unsigned code, const void *reason, size_t reason_len,
                              uint64_t now_ms);

/* Fails the connection from the application's side (RFC 6455 section
 * 7.1.7), as a decoding error does: a close frame with
 * wsx_err_close_code(err) (e.g. WSX_E_LIMIT -> 1009; errors that are not
 * the peer's fault -> 1011) is queued, recv returns err from now on, and
 * the transport should be closed once the close frame is written out.
 * err must be negative (WSX_E_ARG otherwise).  WSX_E_STATE in CONNECTING;
 * WSX_E_CONN_CLOSED if already failed or CLOSED. */
WSX_API int wsx_ws_conn_fail(wsx_ws_conn *c, int err, uint64_t now_ms);

/* The largest payload a single data frame could queue right now, frame
 * header and waiting control frames counted (0 when the queue is full or
 * sends are refused).  A send, stream part or stream end of at most this
 * many bytes gets neither WSX_E_CONN_QUEUE_FULL nor WSX_E_BUFFER (an empty
 * frame still needs room for its header when this is 0).  With a deflater
 * it counts the compressor's bound, wsx_deflate_bound(d, n) bytes for n
 * (about n * 37 / 32 + 32), unless the frame to come is sure to go
 * uncompressed (a stream begun with WSX_WS_NO_COMPRESS or whose first
 * frame went uncompressed). */
WSX_API size_t wsx_ws_conn_send_room(wsx_ws_conn *c);

/* ---- output ---------------------------------------------------------------- */

/* The bytes to write next: *len bytes at the returned pointer (NULL and 0
 * when nothing is pending).  These are the first contiguous piece only:
 * with a zero-copy payload pending, call again after consuming, or use
 * wsx_ws_conn_output_vec.  Pending control frames are moved into the queue
 * first when room allows.  The bytes stay valid and in place until the
 * next wsx_ws_conn_consume (sends and received pings only append after
 * them), so an asynchronous write may use them directly.  NULL c or len:
 * NULL (and *len = 0 when len is given). */
WSX_API const uint8_t *wsx_ws_conn_output(wsx_ws_conn *c, size_t *len);

/* One piece of output, for writev. */
typedef struct wsx_ws_chunk {
    const uint8_t *data;
    size_t len;
} wsx_ws_chunk;

#define WSX_WS_CONN_MAX_CHUNKS 3

/* All pending output in order, as up to WSX_WS_CONN_MAX_CHUNKS non-empty
 * pieces (queue, zero-copy payload, queue).  Returns the number filled
 * (0 for a NULL c or out).  Validity as wsx_ws_conn_output. */
WSX_API size_t wsx_ws_conn_output_vec(wsx_ws_conn *c, wsx_ws_chunk out[WSX_WS_CONN_MAX_CHUNKS]);

/* Total pending output bytes, all pieces (after moving waiting control
 * frames into the queue, like wsx_ws_conn_output).  0 means nothing to
 * write: a control frame can wait outside the queue only while the queue
 * holds bytes. */
WSX_API size_t wsx_ws_conn_output_size(wsx_ws_conn *c);

/* The caller wrote the next n bytes of output (partial writes are fine).
 * When our close frame has been written out the state may become CLOSED.
 * Returns WSX_OK, or WSX_E_ARG when n exceeds the pending output (nothing
 * consumed). */
WSX_API int wsx_ws_conn_consume(wsx_ws_conn *c, size_t n);

/* Moves the outgoing queue to out[0..out_cap): the queued bytes are
 * copied to its start (the two buffers may overlap) and the old buffer is
 * not used any more.  So a server with many connections needs queue
 * memory only for those with output waiting: every connection may queue
 * into one shared buffer as long as each writes it all out before the
 * next uses it, and one whose socket did not take everything moves its
 * rest to a buffer of its own, and back to the shared one once its output
 * is written (examples/ws_echo does this).  A zero-copy payload
 * (wsx_ws_conn_send_ref) stays where it is.  Pointers from
 * wsx_ws_conn_output and wsx_ws_conn_output_vec into the old buffer are
 * no longer valid.  Returns WSX_OK; WSX_E_ARG for a NULL c or out, or an
 * out_cap < WSX_WS_CONN_MIN_QUEUE; WSX_E_BUFFER when the queued bytes do
 * not fit in out_cap (nothing changes then). */
WSX_API int wsx_ws_conn_set_queue(wsx_ws_conn *c, void *out, size_t out_cap);

/* ---- time ------------------------------------------------------------------ */

/* Does the work due at now_ms: a heartbeat ping after ping_interval_ms of
 * silence; the pong timeout; the message timeout; the close timeout.
 * Calling it early, late or often is harmless.  Returns WSX_OK, or the
 * error when this call ends the connection for lack of an answer or of
 * progress:
 *   - WSX_E_CONN_TIMEOUT: the peer did not answer a ping within
 *     pong_timeout_ms: the connection fails like on a protocol error,
 *     with the close code and text of WSX_E_CONN_TIMEOUT (1001 "peer did
 *     not answer the heartbeat") queued, state CLOSING.  The transport is
 *     to be closed (WSX_WANT_CLOSE) once that frame is written out, or at
 *     the latest close_timeout_ms later (the peer may be dead and never
 *     take it; the tick at that deadline gives up on it and returns
 *     WSX_OK);
 *   - WSX_E_CONN_MESSAGE_TIMEOUT: a message (or control frame) started
 *     more than message_timeout_ms ago and is not complete: the same,
 *     with close 1008 "message not completed in time" (RFC 6455 section
 *     7.4.1: a policy violation; the peer is alive, unlike after the
 *     heartbeat's 1001, but does not keep the server's rules);
 *   - WSX_E_CONN_TIMEOUT: the closing handshake did not finish within
 *     close_timeout_ms: state CLOSED, close the transport.
 * A client that finished the close handshake and waited close_timeout_ms
 * for EOF gets WSX_OK and WSX_WANT_CLOSE.  A connection that had already
 * failed keeps its error (wsx_ws_conn_error); tick returns WSX_OK for it. */
WSX_API int wsx_ws_conn_tick(wsx_ws_conn *c, uint64_t now_ms);

/* The earliest time tick has work to do, WSX_WS_NO_DEADLINE if none (e.g.
 * heartbeat off and not closing).  May be in the past: call tick now.
 * Also given by wsx_ws_conn_wants. */
WSX_API uint64_t wsx_ws_conn_next_deadline(const wsx_ws_conn *c);

#ifdef __cplusplus
}
#endif

/* The callback adapter: wsx_ws_conn_feed.  permessage-deflate on a
 * connection: wsx_ws_conn_use_deflate, wsx_ws_conn_use_inflate,
 * WSX_WS_NO_COMPRESS. */
#include "wsx_conn_feed.h"
#include "wsx_conn_deflate.h"

#endif /* WSX_CONN_H */
