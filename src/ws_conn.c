/*
 * WebSocket connection: state machine, outgoing queue, close handshake and
 * receiving over the frame decoder and encoder (RFC 6455 sections 5.5, 7).
 * Sending and output are in ws_conn_send.c, deadlines in ws_conn_time.c.
 *
 * The outgoing queue is the caller's buffer, used linearly: pending bytes
 * are _out[_head.._tail), sends append whole frames at _tail and never move
 * queued bytes (so an asynchronous write may use them in place); only
 * wsx_ws_conn_consume() reclaims space, by resetting an empty queue or by
 * moving the rest to the front when that costs no more than what was just
 * consumed (amortised O(1) per byte).
 *
 * Control frames we must send (pong, close, heartbeat ping) wait in fixed
 * slots inside the struct until there is room in the queue; they enter it
 * whole, at a frame boundary, when the caller asks for output or sends
 * data (before that data), and a pong as soon as its ping is received: a
 * full queue delays them but never loses them.  Each ping gets its pong
 * while the queue has room; under backpressure the waiting pong is
 * replaced by the next one (RFC 6455 section 5.5.3), so a ping flood
 * cannot take more room than one pong beyond what the queue holds.
 */
#include <string.h>

#include "ws_conn_internal.h"

static const uint8_t slot_opcode[WSX__SLOTS] = {WSX_WS_OP_PONG, WSX_WS_OP_PING, WSX_WS_OP_CLOSE};

/* ---- deadlines ----------------------------------------------------------- */

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    uint64_t sum = a + b;
    return sum < a ? UINT64_MAX : sum;
}

/* now + ms, or no deadline when ms is 0 ("never").  Kept out of line:
 * uint64_t arithmetic on a 32-bit CPU, called from several places. */
WSX__NOINLINE uint64_t wsx__conn_deadline_after(uint64_t now, uint64_t ms)
{
    return ms ? add_sat(now, ms) : WSX_WS_NO_DEADLINE;
}

/* ---- queue ------------------------------------------------------------- */

size_t wsx__conn_frame_len(const wsx_ws_conn *c, size_t n)
{
    size_t h = wsx__conn_header_len(c, n);
    return n > SIZE_MAX - h ? SIZE_MAX : h + n;
}

/* Appends one whole frame; room was checked by the caller, opcode and
 * length by the sender.  flags: header bits (FIN), plus WSX__BY_REF.  A
 * client's frame gets a fresh masking key and its payload is masked (RFC
 * 6455 section 5.3).  Without WSX__BY_REF: the header and a copy of
 * data[0..n).  With it: only the header; the payload stays at data (the
 * caller's writable buffer, masked in place by a client) and goes out from
 * there (wsx_ws_conn_output_vec). */
void wsx__conn_append_frame(wsx_ws_conn *c, unsigned flags, unsigned opcode, const uint8_t *data,
                            size_t n)
{
    uint8_t key_bytes[4], *payload;
    const uint8_t *key = NULL;
    size_t written = 0;
    if (wsx__conn_is_client(c)) {
        c->_random(c->_random_ctx, key_bytes, 4);
        key = key_bytes;
    }
    wsx_ws_write_header(opcode, flags & WSX__HEADER_BITS, n, key, c->_out + c->_tail,
                        wsx__conn_queue_free(c), &written);
    c->_tail += written;
    if (flags & WSX__BY_REF) {
        payload = (uint8_t *)data; /* send_ref's non-const payload */
        c->_ref = payload;
        c->_ref_len = n;
        c->_ref_at = c->_tail;
    } else {
        payload = c->_out + c->_tail;
        if (n)
            memmove(payload, data, n); /* data may be anywhere */
        c->_tail += n;
    }
    if (key)
        wsx_mask(payload, n, key, 0);
}

/* Moves waiting control frames into the queue, in slot order.  1 when
 * none is left waiting. */
int wsx__conn_flush_control(wsx_ws_conn *c)
{
    unsigned i;
    for (i = 0; i < WSX__SLOTS; i++) {
        wsx_ws_conn_slot_ *s = &c->_slot[i];
        if (!s->_pending)
            continue;
        if (wsx__conn_frame_len(c, s->_len) > wsx__conn_queue_free(c))
            return 0;
        wsx__conn_append_frame(c, WSX_WS_FIN, slot_opcode[i], s->_data, s->_len);
        s->_pending = 0;
        if (i == WSX__SLOT_CLOSE)
            c->_flags |= WSX__CF_CLOSE_IN_QUEUE;
    }
    return 1;
}

/* ---- state ------------------------------------------------------------- */

/* Our close frame is written out once the queue it ended is empty:
 * nothing is ever queued after it (data sends are refused, no ping or
 * pong is left to follow it). */
static int close_written(const wsx_ws_conn *c)
{
    return (c->_flags & WSX__CF_CLOSE_IN_QUEUE) && c->_head == c->_tail;
}

void wsx__conn_update_state(wsx_ws_conn *c)
{
    unsigned f = c->_flags;
    if (c->_state == WSX_WS_OPEN && (f & WSX__CF_CLOSED_ANY))
        c->_state = WSX_WS_CLOSING;
    if (c->_state == WSX_WS_CLOSING && close_written(c) &&
        (f & (WSX__CF_CLOSE_RECEIVED | WSX__CF_FAILED)))
        c->_state = WSX_WS_CLOSED;
}

/* The closing handshake starts or goes on (RFC 6455 section 7): our
 * close frame (code 0: without a status code) is prepared unless it
 * already is; the close timeout starts at the first close sent or
 * received or failure; no more pong deadline.  Returns the encoder's
 * verdict on code and reason (then nothing changes). */
int wsx__conn_start_closing(wsx_ws_conn *c, unsigned code, const char *reason, size_t reason_len,
                            uint64_t now)
{
    wsx_ws_conn_slot_ *s = &c->_slot[WSX__SLOT_CLOSE];
    if (!(c->_flags & WSX__CF_CLOSE_QUEUED)) {
        size_t n = 0;
        int r = wsx_ws_close_payload(code, reason, reason_len, s->_data, sizeof s->_data, &n);
        if (r)
            return r;
        s->_len = (uint8_t)n;
        s->_pending = 1;
        c->_slot[WSX__SLOT_PING]._pending = 0; /* a ping now would be pointless */
        c->_flags |= WSX__CF_CLOSE_QUEUED;
    }
    if (c->_state == WSX_WS_OPEN)
        c->_deadline = wsx__conn_deadline_after(now, c->_close_timeout);
    c->_flags &= ~(unsigned)WSX__CF_PINGED;
    wsx__conn_update_state(c);
    return WSX_OK;
}

/* Fails the connection (RFC 6455 section 7.1.7): close frame with the
 * error's code and text, nothing else queued after it. */
void wsx__conn_fail(wsx_ws_conn *c, int err, uint64_t now)
{
    const char *why = wsx_strerror(err);
    size_t n = strlen(why);
    c->_error = err;
    c->_flags |= WSX__CF_FAILED;
    c->_slot[WSX__SLOT_PONG]._pending = 0;
    wsx__conn_start_closing(c, (unsigned)wsx_err_close_code(err), why,
                            n > WSX_WS_MAX_CLOSE_REASON ? WSX_WS_MAX_CLOSE_REASON : n, now);
}

/* The transport is over for us: CLOSED, and the caller should close it. */
WSX__NOINLINE void wsx__conn_end_transport(wsx_ws_conn *c)
{
    c->_flags |= WSX__CF_TRANSPORT_DONE;
    c->_state = WSX_WS_CLOSED;
}

/* ---- setup and queries -------------------------------------------------- */

/* Out of line: init would otherwise take a copy of it. */
WSX__NOINLINE void wsx_ws_conn_config_default(wsx_ws_conn_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg); /* server, no heartbeat pings */
    wsx_ws_decoder_config_default(&cfg->decoder);
    cfg->pong_timeout_ms = WSX_WS_CONN_DEFAULT_PONG_TIMEOUT_MS;
    cfg->close_timeout_ms = WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS;
    cfg->message_timeout_ms = WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS;
    cfg->check_send_utf8 = 1;
}

int wsx_ws_conn_init(wsx_ws_conn *c, const wsx_ws_conn_config *cfg, void *out, size_t out_cap)
{
    wsx_ws_conn_config defaults;
    if (!c)
        return WSX_E_ARG;
    memset(c, 0, sizeof *c);
    c->_state = WSX_WS_CLOSED; /* unusable until init succeeds */
    if (!cfg) {
        wsx_ws_conn_config_default(&defaults);
        cfg = &defaults;
    }
    if (!out || out_cap < WSX_WS_CONN_MIN_QUEUE || (unsigned)cfg->role > WSX_WS_CLIENT ||
        (cfg->role == WSX_WS_CLIENT && !cfg->random))
        return WSX_E_ARG;
    wsx_ws_decoder_init(&c->_dec, cfg->role, &cfg->decoder);
    c->_out = (uint8_t *)out;
    c->_cap = out_cap;
    c->_ping_interval = cfg->ping_interval_ms;
    c->_pong_timeout = cfg->pong_timeout_ms;
    c->_close_timeout = cfg->close_timeout_ms;
    c->_message_timeout =
        cfg->message_timeout_ms ? cfg->message_timeout_ms : WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS;
    c->_message_deadline = WSX_WS_NO_DEADLINE;
    c->_random = cfg->random;
    c->_random_ctx = cfg->random_ctx;
    c->_flags = cfg->check_send_utf8 ? WSX__CF_CHECK_UTF8 : 0;
    c->_role = (uint8_t)cfg->role;
    c->_state = WSX_WS_CONNECTING;
    return WSX_OK;
}

int wsx_ws_conn_open(wsx_ws_conn *c, uint64_t now_ms)
{
    if (!c)
        return WSX_E_ARG;
    if (c->_state != WSX_WS_CONNECTING)
        return WSX_E_STATE;
    c->_state = WSX_WS_OPEN;
    c->_last_active = now_ms;
    return WSX_OK;
}

wsx_ws_state wsx_ws_conn_state(const wsx_ws_conn *c)
{
    return c ? (wsx_ws_state)c->_state : WSX_WS_CONNECTING;
}

void wsx_ws_conn_eof(wsx_ws_conn *c)
{
    if (c)
        wsx__conn_end_transport(c);
}

unsigned wsx_ws_conn_close_code(const wsx_ws_conn *c)
{
    if (!c)
        return 0;
    if (c->_flags & WSX__CF_CLOSE_RECEIVED)
        return c->_peer_code;
    return c->_state == WSX_WS_CLOSED ? WSX__CLOSE_ABNORMAL : 0u;
}

int wsx_ws_conn_error(const wsx_ws_conn *c) { return c ? c->_error : WSX_E_ARG; }

/* ---- receiving ------------------------------------------------------------ */

static void on_close_received(wsx_ws_conn *c, unsigned code, uint64_t now)
{
    c->_flags |= WSX__CF_CLOSE_RECEIVED;
    c->_peer_code = code;
    /* RFC 6455 section 5.5.1: answer with a close, echoing the status
     * code; a close without a code gets a close without a code. */
    wsx__conn_start_closing(c, code == WSX__CLOSE_NO_STATUS ? 0 : code, NULL, 0, now);
}

/* RFC 6455 section 5.5.2: a pong with the ping's payload.  It enters the
 * queue now when there is room, so every ping of a burst gets its own
 * pong, in order; otherwise it waits in its slot, replacing the pong of
 * an earlier ping that waits there too (section 5.5.3 allows answering
 * only the latest). */
static void answer_ping(wsx_ws_conn *c, const uint8_t *data, size_t n)
{
    if (c->_flags & WSX__CF_CLOSE_QUEUED)
        return; /* nothing may follow our close frame */
    wsx__conn_slot_set(c, WSX__SLOT_PONG, data, n);
    wsx__conn_flush_control(c);
}

/* The message timeout: a message runs from the call that took its first
 * byte to its MESSAGE_END (or MESSAGE); a control frame outside a message
 * to its own event.  r is the decoder's result, used the bytes it took. */
WSX__SMALL_NOINLINE static void time_message(wsx_ws_conn *c, int r, size_t used, uint64_t now)
{
    if (r == WSX_WS_EV_MESSAGE_START)
        c->_flags |= WSX__CF_MESSAGE_OPEN;
    else if (r == WSX_WS_EV_MESSAGE_END)
        c->_flags &= ~(unsigned)WSX__CF_MESSAGE_OPEN;
    /* MESSAGE_END, PING, PONG, CLOSE, MESSAGE: the five last events
     * (wsx_ws.h); the end of a message, or a control frame outside one,
     * ends the timing */
    if ((unsigned)r - WSX_WS_EV_MESSAGE_END <= WSX_WS_EV_MESSAGE - WSX_WS_EV_MESSAGE_END &&
        !(c->_flags & WSX__CF_MESSAGE_OPEN))
        c->_message_deadline = WSX_WS_NO_DEADLINE;
    else if (used && c->_message_deadline == WSX_WS_NO_DEADLINE)
        c->_message_deadline = wsx__conn_deadline_after(now, c->_message_timeout);
}

int wsx_ws_conn_recv(wsx_ws_conn *c, void *buf, size_t len, size_t *consumed, wsx_ws_event *ev,
                     uint64_t now_ms)
{
    wsx__ws_decode_fn decode;
    int r, err;
    if (!c || !consumed || !ev || (!buf && len))
        return WSX_E_ARG;
    *consumed = 0;
    memset(ev, 0, sizeof *ev);
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_flags & WSX__CF_FAILED)
        return c->_error;
    if (c->_state == WSX_WS_CLOSED || (c->_flags & WSX__CF_CLOSE_RECEIVED)) {
        *consumed = len; /* nothing may follow a close frame: discard */
        return 0;
    }
    if (len) {
        c->_last_active = now_ms;
        c->_flags &= ~(unsigned)WSX__CF_PINGED;
    }
    decode = c->_deflate ? c->_deflate->_ops->recv : wsx_ws_decode;
    r = decode(&c->_dec, buf, len, consumed, ev);
    time_message(c, r, *consumed, now_ms);
    if (r == WSX_WS_EV_PING)
        answer_ping(c, ev->data, ev->size);
    else if (r == WSX_WS_EV_CLOSE)
        on_close_received(c, ev->close_code, now_ms);
    /* A decoding error is sticky in the decoder.  Fail fast: a DATA event
     * can end right before an invalid byte; the decoder has then already
     * failed and we can queue the close now. */
    err = wsx_ws_decoder_error(&c->_dec);
    if (err)
        wsx__conn_fail(c, err, now_ms);
    return r;
}
