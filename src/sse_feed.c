/*
 * Callback adapter over the pull parser (public API only, like BearSSL's
 * ssl_io.c over its engine): API rule 7 of wsx_base.h.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

/* The callback for one event: its verdict, 0 go on, nonzero pause. */
static int deliver(const wsx_sse_callbacks *cb, void *user, int kind, const wsx_sse_event *ev)
{
    if (kind == WSX_SSE_EV_EVENT)
        return cb->on_event ? cb->on_event(user, ev) : 0;
    if (kind == WSX_SSE_EV_RETRY)
        return cb->on_retry ? cb->on_retry(user, ev->retry) : 0;
    return cb->on_comment ? cb->on_comment(user, ev->data, ev->data_len) : 0;
}

int wsx_sse_feed(wsx_sse_parser *p, const void *buf, size_t len, const wsx_sse_callbacks *cb,
                 void *user, size_t *consumed)
{
    const uint8_t *in = (const uint8_t *)buf;
    size_t off = 0, scratch;
    wsx_sse_event ev;
    int r;
    if (!consumed)
        consumed = &scratch;
    *consumed = 0;
    if (!p || !cb || (!buf && len))
        return WSX_E_ARG;
    /* An error a previous call stopped at, or the end of the stream: no
     * new error, so no on_error (it heard that one already). */
    r = wsx_sse_parse(p, in, 0, &off, &ev);
    if (r < 0)
        return r;
    for (;;) {
        size_t used;
        r = wsx_sse_parse(p, len ? in + off : in, len - off, &used, &ev);
        off += used;
        *consumed = off;
        if (r == WSX_SSE_NEED_MORE)
            return WSX_OK;
        if (r > 0) {
            if (deliver(cb, user, r, &ev))
                return WSX_PAUSED;
            continue;
        }
        /* on_error returning 0 skips the event that did not fit */
        if (!cb->on_error || cb->on_error(user, r) || wsx_sse_resync(p) != WSX_OK)
            return r;
    }
}
