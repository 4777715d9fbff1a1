/*
 * What the files of the WebSocket connection share (not installed):
 * ws_conn.c (queue, state, setup, receiving), ws_conn_send.c (sending and
 * output), ws_conn_time.c (deadlines and the event loop's query).
 */
#ifndef WSX_WS_CONN_INTERNAL_H
#define WSX_WS_CONN_INTERNAL_H

#include <string.h>

#include "wsx_internal.h"
#include "wsx_conn.h"

/* wsx_ws_conn._flags */
enum {
    WSX__CF_CLOSE_QUEUED = 1 << 0,   /* our close frame is in its slot or queue */
    WSX__CF_CLOSE_IN_QUEUE = 1 << 1, /* ... in the queue, as its last frame */
    WSX__CF_CLOSE_RECEIVED = 1 << 2, /* the peer's close frame arrived */
    WSX__CF_FAILED = 1 << 3,         /* failed: _error holds why */
    WSX__CF_TRANSPORT_DONE = 1 << 4, /* timed out, EOF, or (client) the server
                                        never closed the transport */
    WSX__CF_PINGED = 1 << 5,         /* a ping awaits an answer (_deadline) */
    WSX__CF_CHECK_UTF8 = 1 << 6,
    WSX__CF_STREAM_STARTED = 1 << 7, /* first fragment of the stream queued */
    WSX__CF_MESSAGE_OPEN = 1 << 8    /* a received message has started, not ended */
};

/* Any of these: no more data may be sent. */
#define WSX__CF_CLOSED_ANY (WSX__CF_CLOSE_QUEUED | WSX__CF_CLOSE_RECEIVED | WSX__CF_FAILED)

/* The control frame slots, in the order they enter the queue (nothing
 * ever follows the close; the peer's pongs go first). */
enum { WSX__SLOT_PONG, WSX__SLOT_PING, WSX__SLOT_CLOSE, WSX__SLOTS };

/* Not header bits, for the flags of a data frame queued: only the frame
 * header is queued (send_ref); the message goes uncompressed
 * (WSX_WS_NO_COMPRESS, 0x100). */
#define WSX__BY_REF 0x200u
#define WSX__HEADER_BITS 0xF0u /* FIN, RSV1-3 */

/* 1 for a client, 0 for a server (init accepts no other role). */
static inline int wsx__conn_is_client(const wsx_ws_conn *c)
{
    return c->_role; /* WSX_WS_SERVER = 0, WSX_WS_CLIENT = 1 */
}

static inline size_t wsx__conn_header_len(const wsx_ws_conn *c, uint64_t n)
{
    return wsx_ws_header_size(n, wsx__conn_is_client(c));
}

/* Bytes of the whole frame, or SIZE_MAX when it cannot be represented. */
size_t wsx__conn_frame_len(const wsx_ws_conn *c, size_t n);

static inline size_t wsx__conn_queue_free(const wsx_ws_conn *c) { return c->_cap - c->_tail; }

/* now + ms, or WSX_WS_NO_DEADLINE when ms is 0 ("never"), saturating. */
uint64_t wsx__conn_deadline_after(uint64_t now, uint64_t ms);

/* Appends one whole frame (ws_conn.c has the details); room was checked by
 * the caller, opcode and length by the sender.  flags: header bits (FIN),
 * plus WSX__BY_REF. */
void wsx__conn_append_frame(wsx_ws_conn *c, unsigned flags, unsigned opcode, const uint8_t *data,
                            size_t n);

/* Puts a control payload in a slot (to be queued by flush_control). */
static inline void wsx__conn_slot_set(wsx_ws_conn *c, unsigned slot, const void *data, size_t n)
{
    wsx_ws_conn_slot_ *s = &c->_slot[slot];
    if (n)
        memcpy(s->_data, data, n);
    s->_len = (uint8_t)n;
    s->_pending = 1;
}

/* Moves waiting control frames into the queue, in slot order.  1 when
 * none is left waiting. */
int wsx__conn_flush_control(wsx_ws_conn *c);

/* Moves the state on (OPEN -> CLOSING -> CLOSED) after a flag change or
 * output consumed. */
void wsx__conn_update_state(wsx_ws_conn *c);

/* Prepares our close frame unless it already is and starts the close
 * timeout; returns the encoder's verdict on code and reason. */
int wsx__conn_start_closing(wsx_ws_conn *c, unsigned code, const char *reason, size_t reason_len,
                            uint64_t now);

/* Fails the connection (RFC 6455 section 7.1.7) with err. */
void wsx__conn_fail(wsx_ws_conn *c, int err, uint64_t now);

/* The transport is over for us: CLOSED, and the caller should close it. */
void wsx__conn_end_transport(wsx_ws_conn *c);

/* Queues one data frame of a message behind any waiting control frame
 * (flags as for wsx__conn_append_frame): WSX_OK, WSX_E_BUFFER or
 * WSX_E_CONN_QUEUE_FULL.  opcode | WSX_WS_NO_COMPRESS: as it is; else
 * compressed when the connection does that. */
int wsx__conn_queue_data(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data,
                         size_t len);

/* wsx_ws_decode's signature. */
typedef int (*wsx__ws_decode_fn)(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                                 wsx_ws_event *ev);

/* What a connection with permessage-deflate does differently
 * (ws_conn_deflate.c; wsx_ws_conn_use_deflate sets them, so nothing else
 * links that file):
 *   recv   takes wsx_ws_decode's place in wsx_ws_conn_recv (same contract;
 *          d is the connection's decoder);
 *   queue  queues a data frame (from wsx__conn_queue_data, unless sent by
 *          reference or WSX_WS_NO_COMPRESS);
 *   fit    for wsx_ws_conn_send_room: the longest input whose compressed
 *          frame has at most `payload` bytes of payload. */
struct wsx__ws_deflate_ops {
    wsx__ws_decode_fn recv;
    int (*queue)(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data, size_t len);
    size_t (*fit)(const wsx_ws_conn *c, size_t payload);
};

/* wsx_ws_conn_deflate._flags */
enum {
    WSX__PF_RESET_SENT = 1,     /* our no_context_takeover: reset after each message */
    WSX__PF_RESET_RECEIVED = 2, /* the peer's: reset before each message */
    WSX__PF_SENDING = 4,        /* the message being sent is compressed */
    WSX__PF_STREAM_END = 8      /* the inflater ended a stream (BFINAL) and
                                   nothing came after it yet */
};

/* The recv of both ops tables (ws_conn_deflate.c). */
int wsx__conn_deflate_recv(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed,
                           wsx_ws_event *ev);

/* wsx_ws_conn_use_deflate / _use_inflate with the ops to install. */
int wsx__conn_deflate_setup(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                            const wsx_ws_conn_deflate_config *cfg,
                            const struct wsx__ws_deflate_ops *ops);

#endif /* WSX_WS_CONN_INTERNAL_H */
