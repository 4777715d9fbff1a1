/*
 * Callback adapter over the pull parser (public API only, like BearSSL's
 * ssl_io.c over its engine).
 */
#include "wsx_internal.h"
#include "wsx_sse.h"

int wsx_sse_feed(wsx_sse_parser *p, const uint8_t *buf, size_t len, const wsx_sse_callbacks *cb,
                 void *user, size_t *consumed)
{
    size_t off = 0;
    int r;
    for (;;) {
        size_t used;
        wsx_sse_event ev;
        int stop = 0;
        r = wsx_sse_parse(p, buf + off, len - off, &used, &ev);
        off += used;
        if (r < 0) {
            /* on_error hears every error; returning 0 resynchronises after
             * the two that allow it (wsx_sse_resync refuses the others) */
            if (cb && cb->on_error && cb->on_error(user, r) == 0 && wsx_sse_resync(p) == WSX_OK)
                continue;
            break;
        }
        if (r == 0)
            break;
        if (!cb)
            continue;
        if (r == WSX_SSE_EVENT) {
            if (cb->on_event)
                stop = cb->on_event(user, &ev);
        } else if (r == WSX_SSE_RETRY) {
            if (cb->on_retry)
                stop = cb->on_retry(user, ev.retry);
        } else if (cb->on_comment) { /* WSX_SSE_COMMENT */
            stop = cb->on_comment(user, ev.data, ev.data_len);
        }
        if (stop) {
            r = stop;
            break;
        }
    }
    if (consumed)
        *consumed = off;
    return r;
}
