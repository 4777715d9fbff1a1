/*
 * events.c — sse_server's GET /events: the live numbered feed, resumed
 * from the replay window after Last-Event-ID.
 */
#include "sse_server.h"

#include <stdio.h>
#include <string.h>

/* ---- /events ----------------------------------------------------------- */

/* Queues one serialized event (from the replay window or live); ends the
 * response after --drop-after events.  -1: it did not fit, or the client
 * is too far behind (--max-lag, counting what its socket holds). */
static int send_feed_event(server *s, client *c, const uint8_t *bytes, size_t len)
{
    size_t waiting = c->out_len - c->out_off + net_unacked(c->fd);
    if (waiting + len > s->opt.max_lag || out_body(s, c, bytes, len) != 0)
        return -1;
    c->events_sent++;
    if (s->opt.drop_after && c->events_sent >= s->opt.drop_after)
        drop_stream(s, c);
    return 0;
}

/* The "event: reset" block for a Last-Event-ID not in the window (see the
 * decisions at the top). */
static int send_reset(server *s, client *c, const char *last, size_t last_len,
                      uint64_t resume_after)
{
    char data[384], id[24];
    uint8_t ev[EVENT_MAX];
    size_t n = 0, len;
    wsx_sse_msg m;
    if (last_len > 256)
        last_len = 256;
    memcpy(data, "{\"lastEventId\":", 15);
    n = 15;
    json_put_string(data, sizeof data, &n, last, last_len);
    n += (size_t)snprintf(data + n, sizeof data - n, ",\"resumeAfter\":%llu}",
                          (unsigned long long)resume_after);
    wsx_sse_msg_init(&m);
    m.type = "reset";
    m.type_len = 5;
    m.id = id;
    m.id_len = (size_t)snprintf(id, sizeof id, "%llu", (unsigned long long)resume_after);
    m.data = data;
    m.data_len = n;
    return wsx_sse_write(&m, ev, sizeof ev, &len) != WSX_OK ? -1 : out_body(s, c, ev, len);
}

/* Replays what a client with Last-Event-ID last[0..n) missed (nothing for
 * a client without one).  A replay that does not fit ends the response. */
static void replay_missed(server *s, client *c, const char *last, size_t last_len)
{
    wsx_sse_replay_iter it;
    const uint8_t *bytes;
    size_t len;
    uint64_t n;
    if (last == NULL || last_len == 0)
        return;
    if (wsx_sse_replay_since(&s->replay, last, last_len, &it) != WSX_OK) {
        const char *oldest = NULL;
        size_t oldest_len = 0;
        uint64_t first = 0;
        wsx_sse_replay_all(&s->replay, &it);
        if (wsx_sse_replay_next(&it, &bytes, &len, &oldest, &oldest_len) == 1)
            net_parse_dec(oldest, oldest_len, &first);
        wsx_sse_replay_all(&s->replay, &it);
        if (net_parse_dec(last, last_len, &n) == 0 && first > 0 && n < first - 1) {
            if (send_reset(s, c, last, last_len, first - 1) != 0)
                return;
        } else {
            send_reset(s, c, last, last_len, s->seq);
            return; /* live from here */
        }
    }
    while (c->phase == PH_EVENTS && wsx_sse_replay_next(&it, &bytes, &len, NULL, NULL) == 1) {
        if (send_feed_event(s, c, bytes, len) != 0) {
            drop_stream(s, c); /* the rest next time, from the last id sent */
            return;
        }
    }
}

/* Starts a /events response. */
void start_events(server *s, client *c, const wsx_http_request *req)
{
    uint8_t head[512], retry[64];
    wsx_sse_msg m;
    const wsx_header *last =
        wsx_http_header_next(req->headers, req->num_headers, "Last-Event-ID", NULL);
    size_t hl, rl;
    int r = stream_head(s, c, req, head, sizeof head, &hl);
    wsx_sse_msg_init(&m);
    m.retry_ms = s->opt.retry_ms;
    if (r != 0 || wsx_sse_write(&m, retry, sizeof retry, &rl) != WSX_OK) {
        c->gzip = 0;
        respond_error(s, c, 500, "");
        return;
    }
    c->out_off = c->out_len = 0;
    out_put(s, c, head, hl);
    if (c->head_only) { /* the same head, no body: the response is complete */
        note("HEAD /events", c->fd);
        c->reuse = c->keep_alive;
        finish(c);
        return;
    }
    out_body(s, c, retry, rl);
    c->phase = PH_EVENTS;
    note("/events", c->fd);
    replay_missed(s, c, last ? last->value : NULL, last ? last->value_len : 0);
}

/* The timer: the next feed event, to the window and to every listener.
 * Each listener's event is written at once: a stream's output buffer then
 * lives only while the socket has not taken everything, and thousands of
 * streams do not each hold one between two rounds of the loop. */
void tick(server *s)
{
    char id[24];
    uint8_t ev[EVENT_MAX];
    wsx_sse_msg m;
    size_t i, len;
    s->seq++;
    wsx_sse_msg_init(&m);
    m.id = id;
    m.id_len = (size_t)snprintf(id, sizeof id, "%llu", (unsigned long long)s->seq);
    m.data = id;
    m.data_len = m.id_len;
    if (wsx_sse_write(&m, ev, sizeof ev, &len) != WSX_OK ||
        wsx_sse_replay_append(&s->replay, &m) != WSX_OK)
        return;
    for (i = 0; i < s->nclients; i++) {
        client *c = s->clients[i];
        if (c->phase != PH_EVENTS)
            continue;
        if (send_feed_event(s, c, ev, len) != 0) {
            note("too slow: dropped", c->fd);
            c->dead = 1;
        } else if (flush_out(c) != 0) { /* at once: one output buffer at a time */
            c->dead = 1;
        }
    }
}
