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
 * slots inside the struct and are appended to the queue, at a frame
 * boundary, when the caller asks for output or sends data (before that
 * data), as soon as there is room: a full queue delays them but never
 * loses them.  A pong waits in its slot until then, so of the pings that
 * arrive in one batch of input only the last is answered (RFC 6455 section
 * 5.5.3), which also keeps a ping flood from filling the queue.
 */
#include <string.h>

#include "wsx_conn.h"

enum {
    F_CLOSE_QUEUED = 1 << 0,   /* our close frame is in its slot or queue */
    F_CLOSE_IN_QUEUE = 1 << 1, /* ... in the queue: _close_end is valid */
    F_CLOSE_WRITTEN = 1 << 2,  /* ... and consumed by the caller */
    F_CLOSE_RECEIVED = 1 << 3, /* the peer's close frame arrived */
    F_FAILED = 1 << 4,         /* failed: _error holds why */
    F_TIMED_OUT = 1 << 5,
    F_EOF = 1 << 6,            /* the transport ended */
    F_WAIT_EXPIRED = 1 << 7,   /* client: the server never closed TCP */
    F_PINGED = 1 << 8,         /* a ping awaits an answer (_pong_deadline) */
    F_CHECK_UTF8 = 1 << 9,
    F_STREAM_STARTED = 1 << 10 /* first fragment of the stream queued */
};

#define CLOSED_ANY (F_CLOSE_QUEUED | F_CLOSE_RECEIVED | F_FAILED)

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t deadline_after(uint64_t now, uint64_t ms)
{
    return ms ? add_sat(now, ms) : WSX_WS_NO_DEADLINE;
}

static int reached(uint64_t now, uint64_t deadline)
{
    return deadline != WSX_WS_NO_DEADLINE && now >= deadline;
}

static int is_client(const wsx_ws_conn *c)
{
    return c->_role == WSX_WS_CLIENT;
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

static size_t queue_free(const wsx_ws_conn *c)
{
    return c->_cap - c->_tail;
}

/* A fresh masking key for a client frame (RFC 6455 section 5.3), NULL for
 * a server. */
static const uint8_t *new_key(wsx_ws_conn *c, uint8_t key[4])
{
    if (!is_client(c))
        return NULL;
    c->_random(c->_random_ctx, key, 4);
    return key;
}

/* Appends one whole frame, header and (masked) payload; room was checked
 * by the caller, opcode and length by the sender. */
static void append_frame(wsx_ws_conn *c, unsigned flags, unsigned opcode,
                         const uint8_t *data, size_t n)
{
    uint8_t key[4];
    size_t written = 0;
    wsx_ws_encode_frame(c->_out + c->_tail, queue_free(c), opcode, flags,
                        data, n, new_key(c, key), &written);
    c->_tail += written;
}

static void slot_set(wsx_ws_conn_slot_ *s, const void *data, size_t n)
{
    if (n)
        memcpy(s->_data, data, n);
    s->_len = (uint8_t)n;
    s->_pending = 1;
}

static int slot_flush(wsx_ws_conn *c, wsx_ws_conn_slot_ *s, unsigned op)
{
    if (!s->_pending)
        return 1;
    if (frame_len(c, s->_len) > queue_free(c))
        return 0;
    append_frame(c, WSX_WS_FIN, op, s->_data, s->_len);
    s->_pending = 0;
    return 1;
}

/* Moves waiting control frames into the queue, in order ping, pong,
 * close (nothing ever follows the close).  1 when none is left waiting. */
static int flush_control(wsx_ws_conn *c)
{
    if (!slot_flush(c, &c->_ping, WSX_WS_OP_PING) ||
        !slot_flush(c, &c->_pong, WSX_WS_OP_PONG))
        return 0;
    if (c->_close._pending) {
        if (!slot_flush(c, &c->_close, WSX_WS_OP_CLOSE))
            return 0;
        c->_flags |= F_CLOSE_IN_QUEUE;
        c->_close_end = c->_tail;
    }
    return 1;
}

static size_t slots_size(const wsx_ws_conn *c)
{
    size_t n = 0;
    if (c->_ping._pending)
        n += frame_len(c, c->_ping._len);
    if (c->_pong._pending)
        n += frame_len(c, c->_pong._len);
    if (c->_close._pending)
        n += frame_len(c, c->_close._len);
    return n;
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
    c->_ref_at = c->_ref_at >= shift ? c->_ref_at - shift : 0;
    c->_close_end = c->_close_end >= shift ? c->_close_end - shift : 0;
}

/* ---- state ------------------------------------------------------------- */

static void update_state(wsx_ws_conn *c)
{
    unsigned f = c->_flags;
    if (c->_state == WSX_WS_OPEN && (f & CLOSED_ANY))
        c->_state = WSX_WS_CLOSING;
    if (c->_state == WSX_WS_CLOSING && (f & F_CLOSE_WRITTEN) &&
        (f & (F_CLOSE_RECEIVED | F_FAILED)))
        c->_state = WSX_WS_CLOSED;
}

static void begin_closing(wsx_ws_conn *c, uint64_t now)
{
    if (c->_close_deadline == WSX_WS_NO_DEADLINE)
        c->_close_deadline = deadline_after(now, c->_close_timeout);
    c->_pong_deadline = WSX_WS_NO_DEADLINE;
    c->_flags &= ~(unsigned)F_PINGED;
    update_state(c);
}

/* Queues our close frame: code 0 = no status code.  Returns the
 * encoder's verdict on code and reason; nothing is queued on error. */
static int queue_close(wsx_ws_conn *c, unsigned code, const char *reason,
                       size_t reason_len)
{
    wsx_ws_conn_slot_ *s = &c->_close;
    size_t n = 0;
    int r = wsx_ws_close_payload(s->_data, sizeof s->_data, code, reason,
                                 reason_len, &n);
    if (r)
        return r;
    s->_len = (uint8_t)n;
    s->_pending = 1;
    c->_ping._pending = 0; /* a ping now would be pointless */
    c->_flags |= F_CLOSE_QUEUED;
    return WSX_OK;
}

/* Fails the connection (RFC 6455 section 7.1.7): close frame with the
 * error's code and text, nothing else queued after it. */
static void fail(wsx_ws_conn *c, int err, uint64_t now)
{
    c->_error = err;
    c->_flags |= F_FAILED;
    c->_pong._pending = 0;
    if (!(c->_flags & F_CLOSE_QUEUED)) {
        const char *why = wsx_strerror(err);
        size_t n = strlen(why);
        queue_close(c, (unsigned)wsx_err_close_code(err), why,
                    n > WSX_WS_MAX_CLOSE_REASON ? WSX_WS_MAX_CLOSE_REASON : n);
    }
    begin_closing(c, now);
}

static void time_out(wsx_ws_conn *c)
{
    c->_error = WSX_E_CONN_TIMEOUT;
    c->_flags |= F_TIMED_OUT;
    c->_state = WSX_WS_CLOSED;
}

/* ---- setup and queries -------------------------------------------------- */

void wsx_ws_conn_config_default(wsx_ws_conn_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->role = WSX_WS_SERVER;
    wsx_ws_decoder_config_default(&cfg->decoder);
    cfg->ping_interval_ms = 0;
    cfg->pong_timeout_ms = WSX_WS_CONN_DEFAULT_PONG_TIMEOUT_MS;
    cfg->close_timeout_ms = WSX_WS_CONN_DEFAULT_CLOSE_TIMEOUT_MS;
    cfg->check_send_utf8 = 1;
}

int wsx_ws_conn_init(wsx_ws_conn *c, const wsx_ws_conn_config *cfg,
                     uint8_t *out, size_t out_cap)
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
    if (!out || out_cap < WSX_WS_CONN_MIN_QUEUE ||
        (cfg->role != WSX_WS_SERVER && cfg->role != WSX_WS_CLIENT) ||
        (cfg->role == WSX_WS_CLIENT && !cfg->random))
        return WSX_E_ARG;
    wsx_ws_decoder_init(&c->_dec, cfg->role, &cfg->decoder);
    c->_out = out;
    c->_cap = out_cap;
    c->_pong_deadline = WSX_WS_NO_DEADLINE;
    c->_close_deadline = WSX_WS_NO_DEADLINE;
    c->_ping_interval = cfg->ping_interval_ms;
    c->_pong_timeout = cfg->pong_timeout_ms;
    c->_close_timeout = cfg->close_timeout_ms;
    c->_random = cfg->random;
    c->_random_ctx = cfg->random_ctx;
    c->_flags = cfg->check_send_utf8 ? F_CHECK_UTF8 : 0;
    c->_role = (uint8_t)cfg->role;
    c->_state = WSX_WS_CONNECTING;
    return WSX_OK;
}

int wsx_ws_conn_open(wsx_ws_conn *c, uint64_t now_ms)
{
    if (!c || c->_state != WSX_WS_CONNECTING)
        return WSX_E_STATE;
    c->_state = WSX_WS_OPEN;
    c->_last_rx = now_ms;
    c->_last_ping = now_ms;
    return WSX_OK;
}

wsx_ws_state wsx_ws_conn_state(const wsx_ws_conn *c)
{
    return (wsx_ws_state)c->_state;
}

int wsx_ws_conn_should_close_transport(const wsx_ws_conn *c)
{
    if (c->_state != WSX_WS_CLOSED)
        return 0;
    if (!is_client(c))
        return 1;
    return (c->_flags & (F_FAILED | F_TIMED_OUT | F_EOF | F_WAIT_EXPIRED)) != 0;
}

void wsx_ws_conn_eof(wsx_ws_conn *c)
{
    c->_flags |= F_EOF;
    c->_state = WSX_WS_CLOSED;
}

unsigned wsx_ws_conn_close_code(const wsx_ws_conn *c)
{
    if (c->_flags & F_CLOSE_RECEIVED)
        return c->_peer_code;
    return c->_state == WSX_WS_CLOSED ? 1006u : 0u;
}

int wsx_ws_conn_error(const wsx_ws_conn *c)
{
    return c->_error;
}

/* ---- receiving ------------------------------------------------------------ */

static void on_close_received(wsx_ws_conn *c, unsigned code, uint64_t now)
{
    c->_flags |= F_CLOSE_RECEIVED;
    c->_peer_code = code;
    /* RFC 6455 section 5.5.1: answer with a close, echoing the status
     * code; a close without a code gets a close without a code. */
    if (!(c->_flags & F_CLOSE_QUEUED))
        queue_close(c, code == 1005 ? 0 : code, NULL, 0);
    begin_closing(c, now);
}

int wsx_ws_conn_recv(wsx_ws_conn *c, uint8_t *buf, size_t len,
                     size_t *consumed, wsx_ws_event *ev, uint64_t now_ms)
{
    int r;
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
        c->_last_rx = now_ms;
        c->_pong_deadline = WSX_WS_NO_DEADLINE;
        c->_flags &= ~(unsigned)F_PINGED;
    }
    r = wsx_ws_decode(&c->_dec, buf, len, consumed, ev);
    if (r < 0) {
        fail(c, r, now_ms);
        return r;
    }
    if (r == WSX_WS_EV_PING && !(c->_flags & F_CLOSE_QUEUED))
        slot_set(&c->_pong, ev->data, ev->size); /* the latest one wins */
    else if (r == WSX_WS_EV_CLOSE)
        on_close_received(c, ev->close_code, now_ms);
    /* Fail fast: a DATA event can end right before an invalid byte; the
     * decoder has then already failed and we can queue the close now. */
    if (wsx_ws_decoder_error(&c->_dec))
        fail(c, wsx_ws_decoder_error(&c->_dec), now_ms);
    return r;
}

/* ---- sending -------------------------------------------------------------- */

static int can_send(const wsx_ws_conn *c)
{
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_state != WSX_WS_OPEN || (c->_flags & CLOSED_ANY))
        return WSX_E_CONN_CLOSED;
    return WSX_OK;
}

static int is_data_opcode(unsigned opcode)
{
    return opcode == WSX_WS_OP_TEXT || opcode == WSX_WS_OP_BINARY;
}

static int check_message(const wsx_ws_conn *c, unsigned opcode,
                         const void *data, size_t len)
{
    int r = can_send(c);
    if (r)
        return r;
    if (!is_data_opcode(opcode) || (!data && len))
        return WSX_E_ARG;
    if (c->_stream_op)
        return WSX_E_STATE;
    if (opcode == WSX_WS_OP_TEXT && (c->_flags & F_CHECK_UTF8) &&
        !wsx_utf8_valid((const uint8_t *)data, len))
        return WSX_E_WS_UTF8;
    return WSX_OK;
}

/* Makes room for `need` bytes at the tail behind any waiting control
 * frame. */
static int reserve(wsx_ws_conn *c, size_t need)
{
    if (need > c->_cap)
        return WSX_E_BUFFER;
    if (!flush_control(c) || need > queue_free(c))
        return WSX_E_CONN_QUEUE_FULL;
    return WSX_OK;
}

static int queue_data(wsx_ws_conn *c, unsigned flags, unsigned opcode,
                      const void *data, size_t len)
{
    int r = reserve(c, frame_len(c, len));
    if (r)
        return r;
    append_frame(c, flags, opcode, (const uint8_t *)data, len);
    return WSX_OK;
}

int wsx_ws_conn_send(wsx_ws_conn *c, unsigned opcode, const void *data,
                     size_t len)
{
    int r;
    if (!c)
        return WSX_E_ARG;
    r = check_message(c, opcode, data, len);
    return r ? r : queue_data(c, WSX_WS_FIN, opcode, data, len);
}

int wsx_ws_conn_stream_begin(wsx_ws_conn *c, unsigned opcode)
{
    int r;
    if (!c)
        return WSX_E_ARG;
    r = check_message(c, opcode, NULL, 0);
    if (r)
        return r;
    c->_stream_op = (uint8_t)opcode;
    c->_flags &= ~(unsigned)F_STREAM_STARTED;
    wsx_utf8_init(&c->_send_utf8);
    return WSX_OK;
}

/* One fragment of the streamed message; the UTF-8 state and the
 * "started" flag only change when the frame is queued. */
static int stream_frame(wsx_ws_conn *c, const void *data, size_t len,
                        int fin)
{
    wsx_utf8 utf8 = c->_send_utf8;
    unsigned opcode;
    int r = can_send(c);
    if (r)
        return r;
    if (!c->_stream_op)
        return WSX_E_STATE;
    if (!data && len)
        return WSX_E_ARG;
    if (!fin && len == 0)
        return WSX_OK; /* an empty middle fragment says nothing */
    if (c->_stream_op == WSX_WS_OP_TEXT && (c->_flags & F_CHECK_UTF8) &&
        (wsx_utf8_feed(&utf8, (const uint8_t *)data, len) != len ||
         (fin && !wsx_utf8_complete(&utf8))))
        return WSX_E_WS_UTF8;
    opcode = (c->_flags & F_STREAM_STARTED) ? WSX_WS_OP_CONTINUATION
                                            : c->_stream_op;
    r = queue_data(c, fin ? WSX_WS_FIN : 0, opcode, data, len);
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
    return c ? stream_frame(c, data, len, 0) : WSX_E_ARG;
}

int wsx_ws_conn_stream_end(wsx_ws_conn *c, const void *data, size_t len)
{
    return c ? stream_frame(c, data, len, 1) : WSX_E_ARG;
}

int wsx_ws_conn_send_ref(wsx_ws_conn *c, unsigned opcode, uint8_t *payload,
                         size_t len)
{
    uint8_t key[4];
    const uint8_t *hdr_key;
    size_t hlen = 0;
    int r;
    if (!c)
        return WSX_E_ARG;
    r = check_message(c, opcode, payload, len);
    if (r)
        return r;
    if (c->_ref)
        return WSX_E_CONN_QUEUE_FULL;
    r = reserve(c, frame_header_len(c, len));
    if (r)
        return r;
    hdr_key = new_key(c, key);
    wsx_ws_write_header(c->_out + c->_tail, queue_free(c), opcode,
                        WSX_WS_FIN, len, hdr_key, &hlen);
    c->_tail += hlen;
    if (len) {
        if (hdr_key)
            wsx_mask(payload, len, hdr_key, 0);
        c->_ref = payload;
        c->_ref_len = len;
        c->_ref_off = 0;
        c->_ref_at = c->_tail;
    }
    return WSX_OK;
}

int wsx_ws_conn_ref_pending(const wsx_ws_conn *c)
{
    return c->_ref != NULL;
}

int wsx_ws_conn_ping(wsx_ws_conn *c, const void *payload, size_t len,
                     uint64_t now_ms)
{
    int r;
    if (!c)
        return WSX_E_ARG;
    r = can_send(c);
    if (r)
        return r;
    if (len > WSX_WS_MAX_CONTROL || (!payload && len))
        return WSX_E_ARG;
    slot_set(&c->_ping, payload, len);
    c->_last_ping = now_ms;
    if (!(c->_flags & F_PINGED)) {
        c->_flags |= F_PINGED;
        c->_pong_deadline = deadline_after(now_ms, c->_pong_timeout);
    }
    return WSX_OK;
}

int wsx_ws_conn_close(wsx_ws_conn *c, unsigned code, const void *reason,
                      size_t reason_len, uint64_t now_ms)
{
    int r;
    if (!c)
        return WSX_E_ARG;
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_state == WSX_WS_CLOSED || (c->_flags & F_CLOSE_QUEUED))
        return WSX_E_CONN_CLOSED;
    r = queue_close(c, code, (const char *)reason, reason_len);
    if (r)
        return r;
    begin_closing(c, now_ms);
    return WSX_OK;
}

int wsx_ws_conn_fail(wsx_ws_conn *c, int err, uint64_t now_ms)
{
    if (!c || err >= 0)
        return WSX_E_ARG;
    if (c->_state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (c->_state == WSX_WS_CLOSED || (c->_flags & F_FAILED))
        return WSX_E_CONN_CLOSED;
    fail(c, err, now_ms);
    return WSX_OK;
}

size_t wsx_ws_conn_send_room(wsx_ws_conn *c)
{
    size_t free_bytes, mask, n;
    if (!c || can_send(c) != WSX_OK)
        return 0;
    free_bytes = queue_free(c);
    n = slots_size(c);
    if (n >= free_bytes)
        return 0;
    free_bytes -= n;
    mask = is_client(c) ? 4 : 0;
    if (free_bytes > 10 + mask + 0xFFFF)
        return free_bytes - 10 - mask;
    if (free_bytes > 4 + mask + 125) {
        n = free_bytes - 4 - mask;
        return n > 0xFFFF ? 0xFFFF : n;
    }
    if (free_bytes < 2 + mask)
        return 0;
    n = free_bytes - 2 - mask;
    return n > 125 ? 125 : n;
}

/* ---- output ---------------------------------------------------------------- */

/* End of the queued bytes that go out before the zero-copy payload. */
static size_t first_limit(const wsx_ws_conn *c)
{
    return c->_ref ? c->_ref_at : c->_tail;
}

const uint8_t *wsx_ws_conn_output(wsx_ws_conn *c, size_t *len)
{
    size_t limit;
    flush_control(c);
    limit = first_limit(c);
    if (c->_head < limit) {
        *len = limit - c->_head;
        return c->_out + c->_head;
    }
    if (c->_ref) {
        *len = c->_ref_len - c->_ref_off;
        return c->_ref + c->_ref_off;
    }
    *len = 0;
    return NULL;
}

size_t wsx_ws_conn_output_vec(wsx_ws_conn *c,
                              wsx_ws_chunk out[WSX_WS_CONN_MAX_CHUNKS])
{
    size_t n = 0, limit;
    flush_control(c);
    limit = first_limit(c);
    if (c->_head < limit) {
        out[n].data = c->_out + c->_head;
        out[n++].len = limit - c->_head;
    }
    if (c->_ref) {
        out[n].data = c->_ref + c->_ref_off;
        out[n++].len = c->_ref_len - c->_ref_off;
        if (c->_ref_at < c->_tail) {
            out[n].data = c->_out + c->_ref_at;
            out[n++].len = c->_tail - c->_ref_at;
        }
    }
    return n;
}

static size_t pending_size(const wsx_ws_conn *c)
{
    return c->_tail - c->_head + (c->_ref ? c->_ref_len - c->_ref_off : 0);
}

size_t wsx_ws_conn_output_size(wsx_ws_conn *c)
{
    flush_control(c);
    return pending_size(c);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

int wsx_ws_conn_consume(wsx_ws_conn *c, size_t n)
{
    if (!c || n > pending_size(c))
        return WSX_E_ARG;
    while (n) {
        size_t take;
        if (c->_ref && c->_head == c->_ref_at) {
            take = min_size(n, c->_ref_len - c->_ref_off);
            c->_ref_off += take;
            if (c->_ref_off == c->_ref_len)
                c->_ref = NULL;
        } else {
            take = min_size(n, first_limit(c) - c->_head);
            c->_head += take;
        }
        n -= take;
    }
    if ((c->_flags & F_CLOSE_IN_QUEUE) && c->_head >= c->_close_end)
        c->_flags |= F_CLOSE_WRITTEN;
    update_state(c);
    compact(c);
    flush_control(c);
    return WSX_OK;
}

/* ---- time ------------------------------------------------------------------ */

static uint64_t ping_due(const wsx_ws_conn *c)
{
    uint64_t base = c->_last_rx > c->_last_ping ? c->_last_rx : c->_last_ping;
    return add_sat(base, c->_ping_interval);
}

int wsx_ws_conn_tick(wsx_ws_conn *c, uint64_t now_ms)
{
    if (!c)
        return WSX_E_ARG;
    switch (c->_state) {
    case WSX_WS_OPEN:
        if ((c->_flags & F_PINGED) && reached(now_ms, c->_pong_deadline)) {
            time_out(c);
            return WSX_E_CONN_TIMEOUT;
        }
        if (c->_ping_interval && now_ms >= ping_due(c))
            wsx_ws_conn_ping(c, NULL, 0, now_ms);
        return WSX_OK;
    case WSX_WS_CLOSING:
        if (reached(now_ms, c->_close_deadline)) {
            time_out(c);
            return WSX_E_CONN_TIMEOUT;
        }
        return WSX_OK;
    case WSX_WS_CLOSED:
        if (!wsx_ws_conn_should_close_transport(c) &&
            reached(now_ms, c->_close_deadline))
            c->_flags |= F_WAIT_EXPIRED;
        return WSX_OK;
    default:
        return WSX_OK;
    }
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t wsx_ws_conn_next_deadline(const wsx_ws_conn *c)
{
    uint64_t d = WSX_WS_NO_DEADLINE;
    switch (c->_state) {
    case WSX_WS_OPEN:
        if (c->_ping_interval)
            d = ping_due(c);
        if (c->_flags & F_PINGED)
            d = min_u64(d, c->_pong_deadline);
        return d;
    case WSX_WS_CLOSING:
        return c->_close_deadline;
    case WSX_WS_CLOSED:
        return wsx_ws_conn_should_close_transport(c) ? d : c->_close_deadline;
    default:
        return d;
    }
}
