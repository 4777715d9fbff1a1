/*
 * WebSocket connection: state machine, outgoing queue, close handshake and
 * heartbeat over the frame decoder and encoder (RFC 6455 sections 5.5, 7).
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

#include "wsx_internal.h"
#include "wsx_conn.h"

enum {
    F_CLOSE_QUEUED = 1 << 0,   /* our close frame is in its slot or queue */
    F_CLOSE_IN_QUEUE = 1 << 1, /* ... in the queue, as its last frame */
    F_CLOSE_RECEIVED = 1 << 2, /* the peer's close frame arrived */
    F_FAILED = 1 << 3,         /* failed: _error holds why */
    F_TRANSPORT_DONE = 1 << 4, /* timed out, EOF, or (client) the server
                                  never closed the transport */
    F_PINGED = 1 << 5,         /* a ping awaits an answer (_deadline) */
    F_CHECK_UTF8 = 1 << 6,
    F_STREAM_STARTED = 1 << 7, /* first fragment of the stream queued */
    F_MESSAGE_OPEN = 1 << 8    /* a received message has started, not ended */
};

#define CLOSED_ANY (F_CLOSE_QUEUED | F_CLOSE_RECEIVED | F_FAILED)

/* The control frame slots, in the order they enter the queue (nothing
 * ever follows the close; the peer's pongs go first). */
enum { SLOT_PONG, SLOT_PING, SLOT_CLOSE, SLOTS };
static const uint8_t slot_opcode[SLOTS] = {WSX_WS_OP_PONG, WSX_WS_OP_PING, WSX_WS_OP_CLOSE};

/* ---- time: uint64_t milliseconds ---------------------------------------- */

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    uint64_t sum = a + b;
    return sum < a ? UINT64_MAX : sum;
}

/* now + ms, or no deadline when ms is 0 ("never").  Kept out of line:
 * uint64_t arithmetic on a 32-bit CPU, called from several places. */
WSX__NOINLINE static uint64_t deadline_after(uint64_t now, uint64_t ms)
{
    return ms ? add_sat(now, ms) : WSX_WS_NO_DEADLINE;
}

static int reached(uint64_t now, uint64_t deadline)
{
    return deadline != WSX_WS_NO_DEADLINE && now >= deadline;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* 1 for a client, 0 for a server (init accepts no other role). */
static int is_client(const wsx_ws_conn *c)
{
    return c->_role; /* WSX_WS_SERVER = 0, WSX_WS_CLIENT = 1 */
}

/* ---- queue ------------------------------------------------------------- */

static size_t frame_header_len(const wsx_ws_conn *c, uint64_t n)
{
    return wsx_ws_header_size(n, is_client(c));
}

/* Bytes of the whole frame, or SIZE_MAX when it cannot be represented. */
static size_t frame_len(const wsx_ws_conn *c, size_t n)
{
    size_t h = frame_header_len(c, n);
    return n > SIZE_MAX - h ? SIZE_MAX : h + n;
}

static size_t queue_free(const wsx_ws_conn *c) { return c->_cap - c->_tail; }

/* Not a header bit: only the frame header is queued (send_ref). */
#define BY_REF 0x100u

/* Appends one whole frame; room was checked by the caller, opcode and
 * length by the sender.  flags: header bits (FIN), plus BY_REF.  A
 * client's frame gets a fresh masking key and its payload is masked (RFC
 * 6455 section 5.3).  Without BY_REF: the header and a copy of
 * data[0..n).  With it: only the header; the payload stays at data (the
 * caller's writable buffer, masked in place by a client) and goes out from
 * there (wsx_ws_conn_output_vec). */
static void append_frame(wsx_ws_conn *c, unsigned flags, unsigned opcode, const uint8_t *data,
                         size_t n)
{
    uint8_t key_bytes[4], *payload;
    const uint8_t *key = NULL;
    size_t written = 0;
    if (is_client(c)) {
        c->_random(c->_random_ctx, key_bytes, 4);
        key = key_bytes;
    }
    wsx_ws_write_header(opcode, flags & ~BY_REF, n, key, c->_out + c->_tail, queue_free(c),
                        &written);
    c->_tail += written;
    if (flags & BY_REF) {
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

static void slot_set(wsx_ws_conn *c, unsigned slot, const void *data, size_t n)
{
    wsx_ws_conn_slot_ *s = &c->_slot[slot];
    if (n)
        memcpy(s->_data, data, n);
    s->_len = (uint8_t)n;
    s->_pending = 1;
}

/* Bytes the waiting control frames will take in the queue. */
static size_t slots_size(const wsx_ws_conn *c)
{
    size_t n = 0;
    unsigned i;
    for (i = 0; i < SLOTS; i++)
        if (c->_slot[i]._pending)
            n += frame_len(c, c->_slot[i]._len);
    return n;
}

/* Moves waiting control frames into the queue, in slot order.  1 when
 * none is left waiting. */
static int flush_control(wsx_ws_conn *c)
{
    unsigned i;
    for (i = 0; i < SLOTS; i++) {
        wsx_ws_conn_slot_ *s = &c->_slot[i];
        if (!s->_pending)
            continue;
        if (frame_len(c, s->_len) > queue_free(c))
            return 0;
        append_frame(c, WSX_WS_FIN, slot_opcode[i], s->_data, s->_len);
        s->_pending = 0;
        if (i == SLOT_CLOSE)
            c->_flags |= F_CLOSE_IN_QUEUE;
    }
    return 1;
}

/* Reclaims consumed space without moving more bytes than were consumed. */
static void compact(wsx_ws_conn *c)
{
    size_t shift = c->_head, pending = c->_tail - c->_head;
    if (shift == 0 || pending > shift)
        return;
    if (pending)
        memmove(c->_out, c->_out + shift, pending);
    c->_head = 0;
    c->_tail = pending;
    c->_ref_at -= shift; /* only read while a payload is pending: >= shift */
}

/* ---- state ------------------------------------------------------------- */

/* Our close frame is written out once the queue it ended is empty:
 * nothing is ever queued after it (data sends are refused, no ping or
 * pong is left to follow it). */
static int close_written(const wsx_ws_conn *c)
{
    return (c->_flags & F_CLOSE_IN_QUEUE) && c->_head == c->_tail;
}

static void update_state(wsx_ws_conn *c)
{
    unsigned f = c->_flags;
    if (c->_state == WSX_WS_OPEN && (f & CLOSED_ANY))
        c->_state = WSX_WS_CLOSING;
    if (c->_state == WSX_WS_CLOSING && close_written(c) && (f & (F_CLOSE_RECEIVED | F_FAILED)))
        c->_state = WSX_WS_CLOSED;
}

/* The closing handshake starts or goes on (RFC 6455 section 7): our
 * close frame (code 0: without a status code) is prepared unless it
 * already is; the close timeout starts at the first close sent or
 * received or failure; no more pong deadline.  Returns the encoder's
 * verdict on code and reason (then nothing changes). */
static int start_closing(wsx_ws_conn *c, unsigned code, const char *reason, size_t reason_len,
                         uint64_t now)
{
    wsx_ws_conn_slot_ *s = &c->_slot[SLOT_CLOSE];
    if (!(c->_flags & F_CLOSE_QUEUED)) {
        size_t n = 0;
        int r = wsx_ws_close_payload(code, reason, reason_len, s->_data, sizeof s->_data, &n);
        if (r)
            return r;
        s->_len = (uint8_t)n;
        s->_pending = 1;
        c->_slot[SLOT_PING]._pending = 0; /* a ping now would be pointless */
        c->_flags |= F_CLOSE_QUEUED;
    }
    if (c->_state == WSX_WS_OPEN)
        c->_deadline = deadline_after(now, c->_close_timeout);
    c->_flags &= ~(unsigned)F_PINGED;
    update_state(c);
    return WSX_OK;
}

/* Fails the connection (RFC 6455 section 7.1.7): close frame with the
 * error's code and text, nothing else queued after it. */
static void fail(wsx_ws_conn *c, int err, uint64_t now)
{
    const char *why = wsx_strerror(err);
    size_t n = strlen(why);
    c->_error = err;
    c->_flags |= F_FAILED;
    c->_slot[SLOT_PONG]._pending = 0;
    start_closing(c, (unsigned)wsx_err_close_code(err), why,
                  n > WSX_WS_MAX_CLOSE_REASON ? WSX_WS_MAX_CLOSE_REASON : n, now);
}

/* The transport is over for us: CLOSED, and the caller should close it. */
WSX__NOINLINE static void end_transport(wsx_ws_conn *c)
{
    c->_flags |= F_TRANSPORT_DONE;
    c->_state = WSX_WS_CLOSED;
}

/* WSX_E_ARG for a NULL c, WSX_E_STATE before the opening handshake,
 * WSX_E_CONN_CLOSED once CLOSED or when one of the flags `over` is set,
 * else WSX_OK. */
static int check_state(const wsx_ws_conn *c, unsigned over)
{
    if (!c)
        return WSX_E_ARG;
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_state == WSX_WS_CLOSED || (c->_flags & over))
        return WSX_E_CONN_CLOSED;
    return WSX_OK;
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
    c->_flags = cfg->check_send_utf8 ? F_CHECK_UTF8 : 0;
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

int wsx_ws_conn_should_close_transport(const wsx_ws_conn *c)
{
    return c && c->_state == WSX_WS_CLOSED &&
           (!is_client(c) || (c->_flags & (F_FAILED | F_TRANSPORT_DONE)));
}

void wsx_ws_conn_eof(wsx_ws_conn *c)
{
    if (c)
        end_transport(c);
}

unsigned wsx_ws_conn_close_code(const wsx_ws_conn *c)
{
    if (!c)
        return 0;
    if (c->_flags & F_CLOSE_RECEIVED)
        return c->_peer_code;
    return c->_state == WSX_WS_CLOSED ? WSX__CLOSE_ABNORMAL : 0u;
}

int wsx_ws_conn_error(const wsx_ws_conn *c) { return c ? c->_error : WSX_E_ARG; }

/* ---- receiving ------------------------------------------------------------ */

static void on_close_received(wsx_ws_conn *c, unsigned code, uint64_t now)
{
    c->_flags |= F_CLOSE_RECEIVED;
    c->_peer_code = code;
    /* RFC 6455 section 5.5.1: answer with a close, echoing the status
     * code; a close without a code gets a close without a code. */
    start_closing(c, code == WSX__CLOSE_NO_STATUS ? 0 : code, NULL, 0, now);
}

/* RFC 6455 section 5.5.2: a pong with the ping's payload.  It enters the
 * queue now when there is room, so every ping of a burst gets its own
 * pong, in order; otherwise it waits in its slot, replacing the pong of
 * an earlier ping that waits there too (section 5.5.3 allows answering
 * only the latest). */
static void answer_ping(wsx_ws_conn *c, const uint8_t *data, size_t n)
{
    if (c->_flags & F_CLOSE_QUEUED)
        return; /* nothing may follow our close frame */
    slot_set(c, SLOT_PONG, data, n);
    flush_control(c);
}

/* The message timeout: a message runs from the call that took its first
 * byte to its MESSAGE_END; a control frame outside a message to its own
 * event.  r is the decoder's result, used the bytes it took. */
WSX__SMALL_NOINLINE static void time_message(wsx_ws_conn *c, int r, size_t used, uint64_t now)
{
    if (r == WSX_WS_EV_MESSAGE_START)
        c->_flags |= F_MESSAGE_OPEN;
    else if (r == WSX_WS_EV_MESSAGE_END)
        c->_flags &= ~(unsigned)F_MESSAGE_OPEN;
    /* MESSAGE_END, PING, PONG, CLOSE: the four last events (wsx_ws.h); the
     * end of a message, or a control frame outside one, ends the timing */
    if ((unsigned)r - WSX_WS_EV_MESSAGE_END <= WSX_WS_EV_CLOSE - WSX_WS_EV_MESSAGE_END &&
        !(c->_flags & F_MESSAGE_OPEN))
        c->_message_deadline = WSX_WS_NO_DEADLINE;
    else if (used && c->_message_deadline == WSX_WS_NO_DEADLINE)
        c->_message_deadline = deadline_after(now, c->_message_timeout);
}

int wsx_ws_conn_recv(wsx_ws_conn *c, void *buf, size_t len, size_t *consumed, wsx_ws_event *ev,
                     uint64_t now_ms)
{
    int r, err;
    if (!c || !consumed || !ev || (!buf && len))
        return WSX_E_ARG;
    *consumed = 0;
    memset(ev, 0, sizeof *ev);
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_flags & F_FAILED)
        return c->_error;
    if (c->_state == WSX_WS_CLOSED || (c->_flags & F_CLOSE_RECEIVED)) {
        *consumed = len; /* nothing may follow a close frame: discard */
        return 0;
    }
    if (len) {
        c->_last_active = now_ms;
        c->_flags &= ~(unsigned)F_PINGED;
    }
    r = wsx_ws_decode(&c->_dec, buf, len, consumed, ev);
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
        fail(c, err, now_ms);
    return r;
}

/* ---- sending -------------------------------------------------------------- */

static int can_send(const wsx_ws_conn *c) { return check_state(c, CLOSED_ANY); }

static int check_message(const wsx_ws_conn *c, unsigned opcode, const void *data, size_t len)
{
    int r = can_send(c);
    if (r)
        return r;
    if ((opcode != WSX_WS_OP_TEXT && opcode != WSX_WS_OP_BINARY) || (!data && len))
        return WSX_E_ARG;
    if (c->_stream_op)
        return WSX_E_STATE;
    if (opcode == WSX_WS_OP_TEXT && (c->_flags & F_CHECK_UTF8) &&
        !wsx_utf8_valid((const uint8_t *)data, len))
        return WSX_E_WS_UTF8;
    return WSX_OK;
}

/* Queues one data frame behind any waiting control frame (flags as for
 * append_frame). */
static int queue_data(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data, size_t len)
{
    size_t need = (flags & BY_REF) ? frame_header_len(c, len) : frame_len(c, len);
    if (need > c->_cap)
        return WSX_E_BUFFER;
    if (!flush_control(c) || need > queue_free(c))
        return WSX_E_CONN_QUEUE_FULL;
    append_frame(c, flags, opcode, (const uint8_t *)data, len);
    return WSX_OK;
}

int wsx_ws_conn_send(wsx_ws_conn *c, unsigned opcode, const void *data, size_t len)
{
    int r = check_message(c, opcode, data, len);
    return r ? r : queue_data(c, WSX_WS_FIN, opcode, data, len);
}

int wsx_ws_conn_stream_begin(wsx_ws_conn *c, unsigned opcode)
{
    int r = check_message(c, opcode, NULL, 0);
    if (r)
        return r;
    c->_stream_op = (uint8_t)opcode;
    c->_flags &= ~(unsigned)F_STREAM_STARTED;
    wsx_utf8_init(&c->_send_utf8);
    return WSX_OK;
}

/* One fragment of the streamed message; the UTF-8 state and the
 * "started" flag only change when the frame is queued. */
static int stream_frame(wsx_ws_conn *c, const void *data, size_t len, unsigned fin)
{
    wsx_utf8 utf8;
    unsigned opcode;
    int r = can_send(c);
    if (r)
        return r;
    opcode = c->_stream_op;
    if (!opcode)
        return WSX_E_STATE;
    if (!data && len)
        return WSX_E_ARG;
    if (!fin && len == 0)
        return WSX_OK; /* an empty middle fragment says nothing */
    utf8 = c->_send_utf8;
    if (opcode == WSX_WS_OP_TEXT && (c->_flags & F_CHECK_UTF8) &&
        (wsx_utf8_feed(&utf8, (const uint8_t *)data, len) != len ||
         (fin && !wsx_utf8_complete(&utf8))))
        return WSX_E_WS_UTF8;
    if (c->_flags & F_STREAM_STARTED)
        opcode = WSX_WS_OP_CONTINUATION;
    r = queue_data(c, fin, opcode, data, len);
    if (r)
        return r;
    c->_send_utf8 = utf8;
    c->_flags |= F_STREAM_STARTED;
    if (fin)
        c->_stream_op = 0;
    return WSX_OK;
}

int wsx_ws_conn_stream_part(wsx_ws_conn *c, const void *data, size_t len)
{
    return stream_frame(c, data, len, 0);
}

int wsx_ws_conn_stream_end(wsx_ws_conn *c, const void *data, size_t len)
{
    return stream_frame(c, data, len, WSX_WS_FIN);
}

int wsx_ws_conn_send_ref(wsx_ws_conn *c, unsigned opcode, void *payload, size_t len)
{
    int r = check_message(c, opcode, payload, len);
    if (r)
        return r;
    if (c->_ref)
        return WSX_E_CONN_QUEUE_FULL;
    /* an empty payload goes like a copied one: nothing to refer to */
    return queue_data(c, len ? WSX_WS_FIN | BY_REF : WSX_WS_FIN, opcode, payload, len);
}

int wsx_ws_conn_ref_pending(const wsx_ws_conn *c) { return c && c->_ref != NULL; }

int wsx_ws_conn_ping(wsx_ws_conn *c, const void *payload, size_t len, uint64_t now_ms)
{
    int r = can_send(c);
    if (r)
        return r;
    if (len > WSX_WS_MAX_CONTROL || (!payload && len))
        return WSX_E_ARG;
    slot_set(c, SLOT_PING, payload, len);
    c->_last_active = now_ms;
    if (!(c->_flags & F_PINGED)) {
        c->_flags |= F_PINGED;
        c->_deadline = deadline_after(now_ms, c->_pong_timeout);
    }
    return WSX_OK;
}

int wsx_ws_conn_close(wsx_ws_conn *c, unsigned code, const void *reason, size_t reason_len,
                      uint64_t now_ms)
{
    int r = check_state(c, F_CLOSE_QUEUED);
    if (r)
        return r;
    return start_closing(c, code, (const char *)reason, reason_len, now_ms);
}

int wsx_ws_conn_fail(wsx_ws_conn *c, int err, uint64_t now_ms)
{
    int r = err < 0 ? check_state(c, F_FAILED) : WSX_E_ARG;
    if (!r)
        fail(c, err, now_ms);
    return r;
}

/* The longest payload n with n + header(n) <= room (room > 0). */
static size_t payload_fitting(const wsx_ws_conn *c, size_t room)
{
    size_t header = frame_header_len(c, room), n;
    if (room <= header)
        return 0;
    /* The header for `room` bytes is the longest n can need; a shorter
     * length form (RFC 6455 section 5.2) may leave room for a few more
     * bytes (at most 8): f(n) = n + header(n) grows with n. */
    n = room - header;
    while (n + 1 + frame_header_len(c, n + 1) <= room)
        n++;
    return n;
}

size_t wsx_ws_conn_send_room(wsx_ws_conn *c)
{
    size_t room, waiting;
    if (can_send(c) != WSX_OK)
        return 0;
    room = queue_free(c);
    waiting = slots_size(c);
    return waiting >= room ? 0 : payload_fitting(c, room - waiting);
}

/* ---- output ---------------------------------------------------------------- */

/* End of the queued bytes that go out before the zero-copy payload. */
static size_t first_limit(const wsx_ws_conn *c) { return c->_ref ? c->_ref_at : c->_tail; }

/* Adds data[0..len) to out[n..] when not empty; returns the new count. */
static size_t add_chunk(wsx_ws_chunk *out, size_t n, const uint8_t *data, size_t len)
{
    if (len) {
        out[n].data = data;
        out[n++].len = len;
    }
    return n;
}

size_t wsx_ws_conn_output_vec(wsx_ws_conn *c, wsx_ws_chunk out[WSX_WS_CONN_MAX_CHUNKS])
{
    size_t n, limit;
    if (!c || !out)
        return 0;
    flush_control(c);
    limit = first_limit(c);
    n = add_chunk(out, 0, c->_out + c->_head, limit - c->_head);
    if (c->_ref) {
        n = add_chunk(out, n, c->_ref, c->_ref_len);
        n = add_chunk(out, n, c->_out + limit, c->_tail - limit);
    }
    return n;
}

const uint8_t *wsx_ws_conn_output(wsx_ws_conn *c, size_t *len)
{
    wsx_ws_chunk first[WSX_WS_CONN_MAX_CHUNKS];
    if (!len)
        return NULL;
    if (!wsx_ws_conn_output_vec(c, first)) {
        *len = 0;
        return NULL;
    }
    *len = first[0].len;
    return first[0].data;
}

static size_t pending_size(const wsx_ws_conn *c) { return c->_tail - c->_head + c->_ref_len; }

size_t wsx_ws_conn_output_size(wsx_ws_conn *c)
{
    if (!c)
        return 0;
    flush_control(c);
    return pending_size(c);
}

int wsx_ws_conn_consume(wsx_ws_conn *c, size_t n)
{
    size_t before_ref;
    if (!c || n > pending_size(c))
        return WSX_E_ARG;
    /* Queued bytes first, then the zero-copy payload (n can only reach
     * it while one is pending), then the bytes queued after it. */
    before_ref = first_limit(c) - c->_head;
    if (n > before_ref) {
        size_t from_ref = n - before_ref;
        if (from_ref > c->_ref_len)
            from_ref = c->_ref_len;
        c->_ref += from_ref;
        c->_ref_len -= from_ref;
        if (!c->_ref_len)
            c->_ref = NULL;
        n -= from_ref;
    }
    c->_head += n;
    update_state(c);
    compact(c);
    flush_control(c);
    return WSX_OK;
}

/* ---- time ------------------------------------------------------------------ */

/* The heartbeat ping is due ping_interval_ms after the last byte received
 * or the last ping, whichever is later. */
WSX__NOINLINE static uint64_t ping_due(const wsx_ws_conn *c)
{
    return deadline_after(c->_last_active, c->_ping_interval);
}

uint64_t wsx_ws_conn_next_deadline(const wsx_ws_conn *c)
{
    uint64_t d = WSX_WS_NO_DEADLINE;
    if (!c)
        return d;
    if (c->_state == WSX_WS_OPEN) {
        /* ping_due: none without heartbeat */
        d = min_u64(ping_due(c), c->_message_deadline);
        if (c->_flags & F_PINGED)
            d = min_u64(d, c->_deadline);
    } else if (c->_state == WSX_WS_CLOSING ||
               (c->_state == WSX_WS_CLOSED && !wsx_ws_conn_should_close_transport(c))) {
        d = c->_deadline; /* the close deadline */
    }
    return d;
}

int wsx_ws_conn_tick(wsx_ws_conn *c, uint64_t now_ms)
{
    unsigned gave_up;
    if (!c)
        return WSX_E_ARG;
    if (c->_state == WSX_WS_OPEN) {
        int err = WSX_OK;
        if ((c->_flags & F_PINGED) && reached(now_ms, c->_deadline))
            /* The peer is taken for dead: it gets the close of the
             * error's table row (1001) and close_timeout_ms to take it. */
            err = WSX_E_CONN_TIMEOUT;
        else if (reached(now_ms, c->_message_deadline))
            /* Alive but too slow: close 1008 (see the table row). */
            err = WSX_E_CONN_MESSAGE_TIMEOUT;
        if (err) {
            fail(c, err, now_ms);
            return err;
        }
        if (c->_ping_interval && now_ms >= ping_due(c))
            wsx_ws_conn_ping(c, NULL, 0, now_ms); /* the heartbeat */
        return WSX_OK;
    }
    if (!reached(now_ms, wsx_ws_conn_next_deadline(c)))
        return WSX_OK;
    /* The close handshake is overdue (or, after a failure, our close frame
     * was not written out in time); or, CLOSED, a client waited long
     * enough for the server to close the transport. */
    gave_up = c->_state != WSX_WS_CLOSED && !(c->_flags & F_FAILED);
    end_transport(c);
    if (!gave_up)
        return WSX_OK;
    c->_error = WSX_E_CONN_TIMEOUT;
    return WSX_E_CONN_TIMEOUT;
}

unsigned wsx_ws_conn_wants(wsx_ws_conn *c, uint64_t *next_deadline)
{
    unsigned want = 0;
    if (next_deadline) /* none before OPEN or once the transport is done */
        *next_deadline = wsx_ws_conn_next_deadline(c);
    if (wsx_ws_conn_should_close_transport(c))
        want = WSX_WANT_CLOSE;
    else if (c && c->_state != WSX_WS_CONNECTING)
        want = wsx_ws_conn_output_size(c) ? WSX_WANT_READ | WSX_WANT_WRITE : WSX_WANT_READ;
    return want;
}
