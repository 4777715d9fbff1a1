/*
 * WebSocket connection: sending and output (wsx_conn.h).  Every send queues
 * whole frames or nothing; see ws_conn.c for the queue and the control
 * frame slots.
 */
#include <string.h>

#include "ws_conn_internal.h"

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

/* Bytes the waiting control frames will take in the queue. */
static size_t slots_size(const wsx_ws_conn *c)
{
    size_t n = 0;
    unsigned i;
    for (i = 0; i < WSX__SLOTS; i++)
        if (c->_slot[i]._pending)
            n += wsx__conn_frame_len(c, c->_slot[i]._len);
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
    c->_ref_at -= shift; /* only read while a payload is pending: >= shift */
}

/* ---- sending -------------------------------------------------------------- */

static int can_send(const wsx_ws_conn *c) { return check_state(c, WSX__CF_CLOSED_ANY); }

static int check_message(const wsx_ws_conn *c, unsigned opcode, const void *data, size_t len)
{
    int r = can_send(c);
    if (r)
        return r;
    opcode &= ~WSX_WS_NO_COMPRESS;
    if ((opcode != WSX_WS_OP_TEXT && opcode != WSX_WS_OP_BINARY) || (!data && len))
        return WSX_E_ARG;
    if (c->_stream_op)
        return WSX_E_STATE;
    if (opcode == WSX_WS_OP_TEXT && (c->_flags & WSX__CF_CHECK_UTF8) &&
        !wsx_utf8_valid((const uint8_t *)data, len))
        return WSX_E_WS_UTF8;
    return WSX_OK;
}

int wsx__conn_queue_data(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data,
                         size_t len)
{
    size_t need;
    if (c->_deflate && !((flags | opcode) & (WSX__BY_REF | WSX_WS_NO_COMPRESS)))
        return c->_deflate->_ops->queue(c, flags, opcode, data, len);
    need = (flags & WSX__BY_REF) ? wsx__conn_header_len(c, len) : wsx__conn_frame_len(c, len);
    if (need > c->_cap)
        return WSX_E_BUFFER;
    if (!wsx__conn_flush_control(c) || need > wsx__conn_queue_free(c))
        return WSX_E_CONN_QUEUE_FULL;
    wsx__conn_append_frame(c, flags, opcode & WSX__B0_OPCODE, (const uint8_t *)data, len);
    return WSX_OK;
}

int wsx_ws_conn_send(wsx_ws_conn *c, unsigned opcode, const void *data, size_t len)
{
    int r = check_message(c, opcode, data, len);
    return r ? r : wsx__conn_queue_data(c, WSX_WS_FIN, opcode, data, len);
}

int wsx_ws_conn_stream_begin(wsx_ws_conn *c, unsigned opcode)
{
    int r = check_message(c, opcode, NULL, 0);
    if (r)
        return r;
    c->_stream_op = (uint16_t)opcode;
    c->_flags &= ~(unsigned)WSX__CF_STREAM_STARTED;
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
    if ((opcode & WSX__B0_OPCODE) == WSX_WS_OP_TEXT && (c->_flags & WSX__CF_CHECK_UTF8) &&
        (wsx_utf8_feed(&utf8, (const uint8_t *)data, len) != len ||
         (fin && !wsx_utf8_complete(&utf8))))
        return WSX_E_WS_UTF8;
    if (c->_flags & WSX__CF_STREAM_STARTED)
        opcode &= WSX_WS_NO_COMPRESS; /* a continuation frame */
    r = wsx__conn_queue_data(c, fin, opcode, data, len);
    if (r)
        return r;
    c->_send_utf8 = utf8;
    c->_flags |= WSX__CF_STREAM_STARTED;
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
    return wsx__conn_queue_data(c, len ? WSX_WS_FIN | WSX__BY_REF : WSX_WS_FIN, opcode, payload,
                                len);
}

int wsx_ws_conn_ref_pending(const wsx_ws_conn *c) { return c && c->_ref != NULL; }

int wsx_ws_conn_ping(wsx_ws_conn *c, const void *payload, size_t len, uint64_t now_ms)
{
    int r = can_send(c);
    if (r)
        return r;
    if (len > WSX_WS_MAX_CONTROL || (!payload && len))
        return WSX_E_ARG;
    wsx__conn_slot_set(c, WSX__SLOT_PING, payload, len);
    c->_last_active = now_ms;
    if (!(c->_flags & WSX__CF_PINGED)) {
        c->_flags |= WSX__CF_PINGED;
        c->_deadline = wsx__conn_deadline_after(now_ms, c->_pong_timeout);
    }
    return WSX_OK;
}

int wsx_ws_conn_close(wsx_ws_conn *c, unsigned code, const void *reason, size_t reason_len,
                      uint64_t now_ms)
{
    int r = check_state(c, WSX__CF_CLOSE_QUEUED);
    if (r)
        return r;
    return wsx__conn_start_closing(c, code, (const char *)reason, reason_len, now_ms);
}

int wsx_ws_conn_fail(wsx_ws_conn *c, int err, uint64_t now_ms)
{
    int r = err < 0 ? check_state(c, WSX__CF_FAILED) : WSX_E_ARG;
    if (!r)
        wsx__conn_fail(c, err, now_ms);
    return r;
}

/* The longest payload n with n + header(n) <= room (room > 0). */
static size_t payload_fitting(const wsx_ws_conn *c, size_t room)
{
    size_t header = wsx__conn_header_len(c, room), n;
    if (room <= header)
        return 0;
    /* The header for `room` bytes is the longest n can need; a shorter
     * length form (RFC 6455 section 5.2) may leave room for a few more
     * bytes (at most 8): f(n) = n + header(n) grows with n. */
    n = room - header;
    while (n + 1 + wsx__conn_header_len(c, n + 1) <= room)
        n++;
    return n;
}

size_t wsx_ws_conn_send_room(wsx_ws_conn *c)
{
    size_t room, waiting;
    if (can_send(c) != WSX_OK)
        return 0;
    room = wsx__conn_queue_free(c);
    waiting = slots_size(c);
    if (waiting >= room)
        return 0;
    room = payload_fitting(c, room - waiting);
    return c->_deflate ? c->_deflate->_ops->fit(c, room) : room;
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
    wsx__conn_flush_control(c);
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
    wsx__conn_flush_control(c);
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
    wsx__conn_update_state(c);
    compact(c);
    wsx__conn_flush_control(c);
    return WSX_OK;
}

int wsx_ws_conn_set_queue(wsx_ws_conn *c, void *out, size_t out_cap)
{
    size_t queued;
    if (!c || !out || out_cap < WSX_WS_CONN_MIN_QUEUE)
        return WSX_E_ARG;
    queued = c->_tail - c->_head;
    if (queued > out_cap)
        return WSX_E_BUFFER;
    if (queued)
        memmove(out, c->_out + c->_head, queued);
    c->_ref_at -= c->_head; /* only read while a payload is pending: >= _head */
    c->_out = (uint8_t *)out;
    c->_cap = out_cap;
    c->_head = 0;
    c->_tail = queued;
    return WSX_OK;
}
