/*
 * wsx WebSocket callback adapter: wsx_ws_conn_feed runs the pull API of
 * wsx_conn.h (which includes this header) over a buffer and calls the
 * caller's callbacks (wsx_base.h rule 7).
 */
#ifndef WSX_CONN_FEED_H
#define WSX_CONN_FEED_H

#include "wsx_base.h"
#include "wsx_conn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- callback adapter ------------------------------------------------------ */
/*
 * wsx_ws_conn_feed runs wsx_ws_conn_recv over a buffer and calls the
 * callbacks below (wsx_base.h rule 7).  Built only on the functions of
 * wsx_conn.h.
 * Callbacks may call the sending functions (send, stream, ping, close,
 * fail) on the connection, not recv or feed.  Every callback may be NULL
 * (the event is then ignored).  Every callback returns int: 0 to go on,
 * nonzero to pause: wsx_ws_conn_feed then returns WSX_PAUSED right after
 * that event.
 */
typedef struct wsx_ws_callbacks {
    /* The first feed call that finds the connection OPEN. */
    int (*on_open)(void *user);
    /* A whole message (when the wsx_ws_feed has an assembly buffer):
     * opcode TEXT or BINARY, data valid during the call only (inflated,
     * for a compressed message). */
    int (*on_message)(void *user, unsigned opcode, const uint8_t *data, size_t len);
    /* Streamed messages (no assembly buffer): kind is
     * WSX_WS_EV_MESSAGE_START (data NULL, len 0), _DATA (data points into
     * the buffer given to feed, or for a compressed message into the
     * scratch buffer; valid during the call), _MESSAGE_END (data NULL,
     * len 0), or _MESSAGE: a whole message at once (as DATA, len may be
     * 0), the same as START, DATA, END (see wsx_ws_decode). */
    int (*on_data)(void *user, int kind, unsigned opcode, const uint8_t *data, size_t len);
    /* The pong is already queued (see wsx_ws_conn_recv). */
    int (*on_ping)(void *user, const uint8_t *data, size_t len);
    int (*on_pong)(void *user, const uint8_t *data, size_t len);
    /* The peer's close frame: code (1005: none) and reason. */
    int (*on_close)(void *user, unsigned code, const uint8_t *reason, size_t len);
    /* The connection failed (err < 0; its close frame is queued): called
     * once, by the first feed call that meets the failure.  A failed
     * WebSocket connection always stops: the feed returns err whatever
     * on_error returns (the return value is there for the shape shared
     * with wsx_sse_feed; return 0). */
    int (*on_error)(void *user, int err);
} wsx_ws_callbacks;

/* Per-connection adapter state: callbacks, user pointer, assembly
 * buffer.  Private fields; set up with wsx_ws_feed_init. */
typedef struct wsx_ws_feed {
    const wsx_ws_callbacks *_cb;
    void *_user;
    uint8_t *_buf;
    size_t _cap, _len;
    unsigned _opcode;
    int _opened;
    int _failed;
} wsx_ws_feed;

/* cb and user are stored (cb must outlive f; one wsx_ws_callbacks may be
 * shared by many connections).  msg_buf[0..msg_cap): assembly buffer for
 * on_message; a message longer than msg_cap fails the connection with
 * WSX_E_WS_MESSAGE_TOO_BIG (close 1009) as soon as its declared length
 * says so (set cfg.decoder.max_message_size <= msg_cap to refuse earlier,
 * from the header).  msg_buf NULL: messages go to on_data instead.
 * Returns WSX_OK, or WSX_E_ARG when f or cb is NULL. */
WSX_API int wsx_ws_feed_init(wsx_ws_feed *f, const wsx_ws_callbacks *cb, void *user, void *msg_buf,
                             size_t msg_cap);

/* Feeds buf[0..len) to c and calls f's callbacks for each event.
 * Returns:
 *   WSX_OK      every byte was consumed (*consumed = len);
 *   WSX_PAUSED  a callback returned nonzero: stopped right after that
 *               event; *consumed bytes were used; call again with the rest
 *               (e.g. after writing out the output queue);
 *   < 0         the connection failed: on_error was called (once; a later
 *               call returns the same error without calling it again);
 *               or the call was invalid: WSX_E_ARG (NULL c or f, NULL buf
 *               with len > 0), WSX_E_STATE (before OPEN), on_error not
 *               called.
 * consumed may be NULL. */
WSX_API int wsx_ws_conn_feed(wsx_ws_conn *c, wsx_ws_feed *f, void *buf, size_t len, uint64_t now_ms,
                             size_t *consumed);

#ifdef __cplusplus
}
#endif

#endif /* WSX_CONN_FEED_H */
