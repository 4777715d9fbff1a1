/*
 * WebSocket connection: heartbeat, message and close deadlines, and what
 * the event loop should wait for (wsx_conn.h).  Time is uint64_t
 * milliseconds from the caller's clock.
 */
#include "ws_conn_internal.h"

static int reached(uint64_t now, uint64_t deadline)
{
    return deadline != WSX_WS_NO_DEADLINE && now >= deadline;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* ---- time ------------------------------------------------------------------ */

int wsx_ws_conn_should_close_transport(const wsx_ws_conn *c)
{
    return c && c->_state == WSX_WS_CLOSED &&
           (!wsx__conn_is_client(c) || (c->_flags & (WSX__CF_FAILED | WSX__CF_TRANSPORT_DONE)));
}

/* The heartbeat ping is due ping_interval_ms after the last byte received
 * or the last ping, whichever is later. */
WSX__NOINLINE static uint64_t ping_due(const wsx_ws_conn *c)
{
    return wsx__conn_deadline_after(c->_last_active, c->_ping_interval);
}

uint64_t wsx_ws_conn_next_deadline(const wsx_ws_conn *c)
{
    uint64_t d = WSX_WS_NO_DEADLINE;
    if (!c)
        return d;
    if (c->_state == WSX_WS_OPEN) {
        /* ping_due: none without heartbeat */
        d = min_u64(ping_due(c), c->_message_deadline);
        if (c->_flags & WSX__CF_PINGED)
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
        if ((c->_flags & WSX__CF_PINGED) && reached(now_ms, c->_deadline))
            /* The peer is taken for dead: it gets the close of the
             * error's table row (1001) and close_timeout_ms to take it. */
            err = WSX_E_CONN_TIMEOUT;
        else if (reached(now_ms, c->_message_deadline))
            /* Alive but too slow: close 1008 (see the table row). */
            err = WSX_E_CONN_MESSAGE_TIMEOUT;
        if (err) {
            wsx__conn_fail(c, err, now_ms);
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
    gave_up = c->_state != WSX_WS_CLOSED && !(c->_flags & WSX__CF_FAILED);
    wsx__conn_end_transport(c);
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
