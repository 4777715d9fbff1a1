/*
 * Callback adapter over the connection's pull API (wsx_conn.h): loops over
 * wsx_ws_conn_recv and calls the user's callbacks.  Uses nothing but the
 * public connection functions.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_conn.h"

int wsx_ws_feed_init(wsx_ws_feed *f, const wsx_ws_callbacks *cb, void *user, void *msg_buf,
                     size_t msg_cap)
{
    if (!f || !cb)
        return WSX_E_ARG;
    memset(f, 0, sizeof *f);
    f->_cb = cb;
    f->_user = user;
    f->_buf = (uint8_t *)msg_buf;
    f->_cap = msg_buf ? msg_cap : 0;
    return WSX_OK;
}

/* The message does not fit the assembly buffer: the connection fails with
 * 1009 (the next recv reports it).  Returns 0. */
static int too_big(wsx_ws_conn *c, uint64_t now_ms)
{
    wsx_ws_conn_fail(c, WSX_E_WS_MESSAGE_TOO_BIG, now_ms);
    return 0;
}

/* 1 for a MESSAGE event, a whole message at once (the small profile's
 * decoder never gives one). */
#ifdef WSX_SMALL
#define WHOLE_MESSAGE(ev) 0
#else
#define WHOLE_MESSAGE(ev) ((ev)->kind == WSX_WS_EV_MESSAGE)
#endif

/* Whole messages into the assembly buffer.  Returns what the callback
 * returned (nonzero: pause), or 0. */
static int assemble(wsx_ws_conn *c, wsx_ws_feed *f, const wsx_ws_event *ev, uint64_t now_ms)
{
    const wsx_ws_callbacks *cb = f->_cb;
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE_START:
        if (ev->frame_length > f->_cap)
            return too_big(c, now_ms);
        f->_len = 0;
        f->_opcode = ev->opcode;
        return 0;
    case WSX_WS_EV_DATA:
        if (ev->size > f->_cap - f->_len)
            return too_big(c, now_ms);
        memcpy(f->_buf + f->_len, ev->data, ev->size);
        f->_len += ev->size;
        return 0;
#ifndef WSX_SMALL           /* (the small profile's decoder never gives MESSAGE) */
    case WSX_WS_EV_MESSAGE: /* whole in the input: no copy */
        if (ev->size > f->_cap)
            return too_big(c, now_ms);
        return cb->on_message ? cb->on_message(f->_user, ev->opcode, ev->data, ev->size) : 0;
#endif
    default: /* WSX_WS_EV_MESSAGE_END */
        return cb->on_message ? cb->on_message(f->_user, f->_opcode, f->_buf, f->_len) : 0;
    }
}

static int stream(wsx_ws_feed *f, const wsx_ws_event *ev)
{
    const wsx_ws_callbacks *cb = f->_cb;
    int data = ev->kind == WSX_WS_EV_DATA || WHOLE_MESSAGE(ev);
    if (!cb->on_data)
        return 0;
    return cb->on_data(f->_user, ev->kind, ev->opcode, data ? ev->data : NULL, data ? ev->size : 0);
}

/* Calls the event's callback; returns what it returned (nonzero: pause),
 * or 0. */
static int dispatch(wsx_ws_conn *c, wsx_ws_feed *f, const wsx_ws_event *ev, uint64_t now_ms)
{
    const wsx_ws_callbacks *cb = f->_cb;
    int (*control)(void *user, const uint8_t *data, size_t len);
    if (ev->kind <= WSX_WS_EV_MESSAGE_END || WHOLE_MESSAGE(ev)) /* a message */
        return f->_buf ? assemble(c, f, ev, now_ms) : stream(f, ev);
    if (ev->kind == WSX_WS_EV_CLOSE)
        return cb->on_close ? cb->on_close(f->_user, ev->close_code, ev->data, ev->size) : 0;
    control = ev->kind == WSX_WS_EV_PING ? cb->on_ping : cb->on_pong;
    return control ? control(f->_user, ev->data, ev->size) : 0;
}

/* A failed connection stops the feed whatever on_error says (rule 7). */
static int feed_error(wsx_ws_feed *f, int err)
{
    if (!f->_failed && f->_cb->on_error)
        (void)f->_cb->on_error(f->_user, err);
    f->_failed = 1;
    return err;
}

int wsx_ws_conn_feed(wsx_ws_conn *c, wsx_ws_feed *f, void *buf, size_t len, uint64_t now_ms,
                     size_t *consumed)
{
    uint8_t *bytes = (uint8_t *)buf;
    size_t off = 0, scratch;
    wsx_ws_state state;
    if (!consumed)
        consumed = &scratch;
    if (!c || !f || !f->_cb || (!buf && len))
        return WSX_E_ARG;
    *consumed = 0;
    state = wsx_ws_conn_state(c);
    if (state == WSX_WS_CONNECTING)
        return WSX_E_STATE;
    if (!f->_opened) {
        f->_opened = 1;
        if (state == WSX_WS_OPEN && f->_cb->on_open && f->_cb->on_open(f->_user))
            return WSX_PAUSED;
    }
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r = wsx_ws_conn_recv(c, len ? bytes + off : bytes, len - off, &used, &ev, now_ms);
        off += used;
        *consumed = off;
        if (r == 0)
            return WSX_OK;
        if (r < 0)
            return feed_error(f, r);
        if (dispatch(c, f, &ev, now_ms))
            return WSX_PAUSED;
    }
}
