/*
 * feed.c — GET /events: a live numbered feed that resumes without loss.
 *
 *   - Event n has "id: n" and "data: n"; one every --interval-ms, sent to
 *     every /events connection.  A connection that cannot take the next
 *     event (its output buffer is full, or what waits for it, the socket's
 *     unacknowledged bytes included, would pass --max-lag) is dropped: it
 *     comes back with Last-Event-ID.
 *   - Persistence: the sequence number is written to --state FILE before
 *     each event is sent (write-ahead), and read back at start, so after a
 *     restart the sequence continues with the next number.  Event n's data
 *     is n, so the replay window (the last 512 events) is rebuilt from the
 *     counter at start: a browser that comes back after a restart with any
 *     Last-Event-ID in the window gets what it missed, nothing twice.
 *     Without --state the sequence starts at 1 each run (`make demo` passes
 *     --state build/demo_feed.state).  The state is written with pwrite,
 *     not fsync'ed: it survives a crash or kill of the process, not a
 *     power loss.
 *   - A Last-Event-ID older than the window gets "event: gap" (data
 *     {"from":a,"to":b}: the ids lost) then the window; one newer than the
 *     newest or not a number gets "event: reset" and the live feed.
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- events and the window ------------------------------------------------------ */

/* Event n as a message: "id: n", "data: n" (num[] holds the digits). */
static void feed_msg(uint64_t n, char num[24], wsx_sse_msg *m)
{
    int len = snprintf(num, 24, "%llu", (unsigned long long)n);
    wsx_sse_msg_init(m);
    m->id = num;
    m->id_len = (size_t)len;
    m->data = num;
    m->data_len = (size_t)len;
}

/* Event n as SSE bytes. */
static size_t feed_event(uint64_t n, uint8_t *out, size_t cap)
{
    char num[24];
    wsx_sse_msg m;
    size_t k;
    feed_msg(n, num, &m);
    return wsx_sse_write(&m, out, cap, &k) == WSX_OK ? k : 0;
}

static void feed_store(server *s, uint64_t n)
{
    char num[24];
    wsx_sse_msg m;
    feed_msg(n, num, &m);
    wsx_sse_replay_append(&s->replay, &m);
}

/* Write-ahead: the number is on disk before the event leaves, so a
 * restarted server never reuses it. */
static void feed_persist(server *s, uint64_t n)
{
    char line[32];
    int len;
    if (s->state_fd < 0)
        return;
    len = snprintf(line, sizeof line, "%020llu\n", (unsigned long long)n);
    if (pwrite(s->state_fd, line, (size_t)len, 0) != len)
        logmsg("cannot write the state file: %s", strerror(errno));
}

void feed_open_state(server *s)
{
    char buf[32];
    ssize_t k;
    uint64_t n, first;
    s->state_fd = -1;
    if (!s->opt.state_path)
        return;
    s->state_fd = open(s->opt.state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->state_fd < 0) {
        logmsg("cannot open the state file %s: %s", s->opt.state_path, strerror(errno));
        return;
    }
    k = pread(s->state_fd, buf, sizeof buf - 1, 0);
    buf[k > 0 ? k : 0] = 0;
    s->seq = strtoull(buf, NULL, 10);
    /* Rebuild the replay window: event n's data is n. */
    first = s->seq > FEED_WINDOW ? s->seq - FEED_WINDOW + 1 : 1;
    for (n = first; n <= s->seq; n++)
        feed_store(s, n);
    if (s->seq)
        logmsg("feed continues after %llu (state %s)", (unsigned long long)s->seq,
               s->opt.state_path);
}

/* ---- sending -------------------------------------------------------------------- */

static int feed_send(client *c, const void *data, size_t len)
{
    if (client_lag(c) + len > c->srv->opt.max_lag || body_append(c, data, len) != 0 ||
        flush_output(c) != 0) {
        /* Too slow (or gone): drop it; it comes back with Last-Event-ID.
         * Written at once, so that out lives only while the socket has
         * not taken everything, not from one feed event to the next loop
         * turn for every feed client at once. */
        kill_client(c);
        return -1;
    }
    c->last_write_ms = net_now_ms();
    mark(c);
    return 0;
}

/* Event n reaches this instance (produced here, or read from the stream
 * in cluster mode): into the window, out to every feed that has not had
 * it. */
void feed_deliver(server *s, uint64_t n)
{
    uint8_t ev[FEED_EVENT_MAX];
    size_t len;
    client *c;
    if (n <= s->seq)
        return; /* had it */
    if (s->seq && n != s->seq + 1)
        logmsg("feed: events %llu..%llu are lost (trimmed from the stream)",
               (unsigned long long)s->seq + 1, (unsigned long long)n - 1);
    s->seq = n;
    feed_store(s, n);
    len = feed_event(n, ev, sizeof ev);
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_FEED && !c->dead && !c->feed_waiting && c->feed_after < n) {
            c->feed_after = n;
            feed_send(c, ev, len);
        }
}

void feed_tick(server *s, uint64_t now)
{
    if (cluster_feed_tick(s))
        return; /* the stream's tick (cluster_feed.c) */
    feed_persist(s, s->seq + 1);
    feed_deliver(s, s->seq + 1);
    s->next_feed_ms += s->opt.interval_ms;
    if (s->next_feed_ms <= now) /* fell behind (suspended): no burst */
        s->next_feed_ms = now + s->opt.interval_ms;
}

/* The burst hook (http.c): n events at once; answers {"first","last"}. */
void feed_add_burst(client *c, unsigned n)
{
    server *s = c->srv;
    char ans[96];
    uint64_t first = s->seq + 1;
    int len;
    if (cluster_feed_burst(c, n))
        return; /* Redis answers */
    while (n-- > 0) {
        feed_persist(s, s->seq + 1);
        feed_deliver(s, s->seq + 1);
    }
    len = snprintf(ans, sizeof ans, "{\"first\":%llu,\"last\":%llu}", (unsigned long long)first,
                   (unsigned long long)s->seq);
    respond_json(c, 200, ans, (size_t)len);
}

/* A keep-alive comment when c was quiet for --keepalive-ms; returns when
 * the next one is due. */
uint64_t feed_keepalive(client *c, uint64_t now)
{
    uint64_t keepalive_ms = c->srv->opt.keepalive_ms, due = UINT64_MAX;
    if (wsx_sse_keepalive_due(now, c->last_write_ms, (uint32_t)keepalive_ms, &due)) {
        static const char ka[] = WSX_SSE_KEEPALIVE;
        feed_send(c, ka, sizeof ka - 1);
        due = now + keepalive_ms;
    }
    return due;
}

/* POST /api/debug/drop-feeds: every feed gets a clean end of body, then
 * the close.  Returns how many. */
int feed_drop_all(server *s)
{
    int count = 0;
    client *o;
    for (o = s->clients; o; o = o->next)
        if (o->kind == K_FEED && !o->dead && !o->close_after) {
            body_end(o);
            o->close_after = 1;
            mark(o);
            count++;
        }
    return count;
}

/* ---- resuming --------------------------------------------------------------------- */

/* A page that opens a new EventSource (the browser gave up after an error
 * status) cannot set Last-Event-ID: it passes ?lastEventId=N instead.  The
 * header wins when both are present. */
static void query_last_id(const wsx_http_request *req, const char **id, size_t *len)
{
    static const char key[] = "lastEventId=";
    const char *q = memchr(req->target, '?', req->target_len), *end = req->target + req->target_len;
    while (q && q < end) {
        const char *p = q + 1, *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > sizeof key - 1 && memcmp(p, key, sizeof key - 1) == 0) {
            *id = p + sizeof key - 1;
            *len = (size_t)(stop - *id);
            return;
        }
        q = amp;
    }
}

/* Last-Event-ID last[0..last_len) is not in the window: says what is lost
 * and sets *it to the whole window, or says where the live feed starts.
 * Returns 1 when *it is to be sent, 0 when nothing is. */
static int outside_window(client *c, const char *last, size_t last_len, wsx_sse_replay_iter *it)
{
    server *s = c->srv;
    uint64_t id = 0, first = 0;
    int numeric = net_parse_dec(last, last_len, &id) == 0;
    wsx_sse_replay_iter all;
    const uint8_t *bytes;
    size_t len, oldest_len = 0;
    const char *oldest = NULL;
    char note[160];
    int n;
    wsx_sse_replay_all(&s->replay, &all);
    if (numeric && id == s->seq)
        return 0; /* up to date (nothing produced yet) */
    /* Cluster mode: the stream keeps more than the window, and may have
     * what this instance has not read yet; Redis answers (cluster_feed.c,
     * then feed_resume_answer). */
    if (numeric && cluster_feed_resume(c, id))
        return 0;
    if (numeric && id < s->seq &&
        wsx_sse_replay_next(&all, &bytes, &len, &oldest, &oldest_len) == 1 &&
        net_parse_dec(oldest, oldest_len, &first) == 0) {
        /* Older than the window: say what is lost, then send it all. */
        n = snprintf(note, sizeof note, "event: gap\ndata: {\"from\":%llu,\"to\":%llu}\n\n",
                     (unsigned long long)id + 1, (unsigned long long)first - 1);
        body_append(c, note, (size_t)n);
        wsx_sse_replay_all(&s->replay, it);
        return 1;
    }
    /* Newer than anything sent, or not a number: start over live. */
    feed_reset_client(c, s->seq);
    return 0;
}

/* Redis' answer for a client that came back after event id (cluster mode):
 * the stream holds oldest..newest.  Events id+1.. go out from the stream's
 * numbering (event n's data is n), those older than the stream are
 * reported lost, an id newer than the stream gets the reset. */
void feed_resume_answer(client *c, uint64_t id, uint64_t oldest, uint64_t newest)
{
    server *s = c->srv;
    uint8_t ev[FEED_EVENT_MAX];
    uint64_t n = id + 1;
    c->feed_waiting = 0;
    if (id > newest && id > s->seq) {
        feed_reset_client(c, s->seq);
        return;
    }
    if (n < oldest) {
        char note[96];
        int k = snprintf(note, sizeof note, "event: gap\ndata: {\"from\":%llu,\"to\":%llu}\n\n",
                         (unsigned long long)n, (unsigned long long)oldest - 1);
        if (feed_send(c, note, (size_t)k) != 0)
            return;
        n = oldest;
    }
    c->feed_after = id > s->seq ? id : s->seq; /* then live: events after it */
    for (; n <= s->seq; n++)
        if (feed_send(c, ev, feed_event(n, ev, sizeof ev)) != 0)
            return; /* too much at once: it comes back with the last id it got */
}

/* "event: reset": the client's id is unknown; it gets the live feed. */
void feed_reset_client(client *c, uint64_t last)
{
    char note[96];
    int n = snprintf(note, sizeof note, "event: reset\ndata: {\"last\":%llu}\n\n",
                     (unsigned long long)last);
    c->feed_after = last;
    if (feed_send(c, note, (size_t)n) == 0)
        mark(c);
}

void start_feed(client *c, const wsx_http_request *req)
{
    const wsx_header *h =
        wsx_http_header_next(req->headers, req->num_headers, "Last-Event-ID", NULL);
    static const char retry[] = "retry: 1000\n\n";
    wsx_sse_replay_iter it;
    const uint8_t *bytes;
    size_t len;
    const char *last_id = h ? h->value : NULL;
    size_t last_len = h ? h->value_len : 0;
    if (!h)
        query_last_id(req, &last_id, &last_len);
    c->kind = K_FEED;
    c->feed_after = c->srv->seq;
    write_stream_head(c, req);
    body_append(c, retry, sizeof retry - 1);
    if (cluster_instance(c->srv)) { /* which instance serves it (the page shows it) */
        char note[96];
        int n = snprintf(note, sizeof note, "event: instance\ndata: {\"instance\":\"%s\"}\n\n",
                         cluster_instance(c->srv));
        body_append(c, note, (size_t)n);
    }
    c->last_write_ms = net_now_ms();
    if (last_len == 0)
        return; /* a new client: the live feed from the next event */
    if (wsx_sse_replay_since(&c->srv->replay, last_id, last_len, &it) != WSX_OK &&
        !outside_window(c, last_id, last_len, &it))
        return;
    while (wsx_sse_replay_next(&it, &bytes, &len, NULL, NULL) == 1)
        if (body_append(c, bytes, len) != 0)
            break; /* the rest comes with the next reconnect */
}
