/*
 * cluster_feed.c — the live feed on a Redis Stream (cluster mode).
 *
 *   - One log for all instances: the stream wsx:feed, trimmed to about
 *     FEED_STREAM_MAX entries (XADD MAXLEN ~; a burst shorter than that
 *     reaches every instance whole).  Event n is the entry with id
 *     "n-0" (an explicit id: every instance agrees on it), so the SSE id n
 *     is the entry's id and event n's data is n, as on one process.
 *   - Producing: every instance tries each --interval-ms tick (aligned on
 *     the wall clock, mid-period); the tick script accepts the first try
 *     of a tick and refuses the others, so the feed goes on at one event
 *     per tick while any instance is alive, with consecutive numbers
 *     (wsx:feed:seq is incremented only when an event is added).
 *   - Delivering: each instance reads the stream with XREAD BLOCK from the
 *     last id it has, on its own connection, and hands every entry in
 *     order to feed_deliver() (feed.c): its replay window and its /events
 *     clients.  After a reconnect it reads on from where it was: nothing
 *     is skipped unless the stream was trimmed past it meanwhile.
 *   - Resuming: a Last-Event-ID in the local window is answered from it
 *     (feed.c).  Any other number waits for the stream's bounds (the
 *     client gets nothing meanwhile): one in the stream gets the events
 *     after it, numbered as the stream numbers them, then the live ones
 *     (it may be newer than what this instance has read yet: the client
 *     came from a faster instance); one older than the stream the "gap"
 *     note, then the stream; one newer than the stream the reset.
 *   - Redis lost its data (restarted without persistence): the sync
 *     script, run at every feed connect, moves wsx:feed:seq up to the
 *     newest event this instance has, so numbers are never reused.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

#define FEED_BLOCK_MS 1000

/* ARGV: tick, maxlen.  Returns the new event's number, 0 when the tick
 * had its event already. */
static const char tick_script[] =
    "local t = tonumber(ARGV[1])\n"
    "if t <= tonumber(redis.call('GET', 'wsx:feed:tick') or '0') then return 0 end\n"
    "redis.call('SET', 'wsx:feed:tick', ARGV[1])\n"
    "local n = redis.call('INCR', 'wsx:feed:seq')\n"
    "redis.call('XADD', 'wsx:feed', 'MAXLEN', '~', ARGV[2], n .. '-0', 'n', n)\n"
    "return n\n";

/* ARGV: count, maxlen.  Adds count events; returns {first, last}. */
static const char burst_script[] =
    "local first = redis.call('INCR', 'wsx:feed:seq')\n"
    "local n = first\n"
    "for i = 1, tonumber(ARGV[1]) do\n"
    "  if i > 1 then n = redis.call('INCR', 'wsx:feed:seq') end\n"
    "  redis.call('XADD', 'wsx:feed', 'MAXLEN', '~', ARGV[2], n .. '-0', 'n', n)\n"
    "end\n"
    "return {first, n}\n";

/* ARGV: the newest event the caller has.  Returns {newest, oldest}
 * (oldest = newest + 1 when the stream is empty). */
static const char sync_script[] =
    "local seq = tonumber(redis.call('GET', 'wsx:feed:seq') or '0')\n"
    "if seq < tonumber(ARGV[1]) then\n"
    "  seq = tonumber(ARGV[1])\n"
    "  redis.call('SET', 'wsx:feed:seq', ARGV[1])\n"
    "end\n"
    "local first = redis.call('XRANGE', 'wsx:feed', '-', '+', 'COUNT', 1)\n"
    "local oldest = seq + 1\n"
    "if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end\n"
    "return {seq, oldest}\n";

static void on_tick(redisAsyncContext *ac, void *reply, void *priv)
{
    const redisReply *r = (const redisReply *)reply;
    (void)ac, (void)priv;
    if (r && r->type == REDIS_REPLY_ERROR)
        logmsg("redis: the feed's tick script failed: %s", r->str);
}

/* The tick: the event of this period, unless another instance added it.
 * The next tick is set mid-period on the wall clock, so that every
 * instance names the same period. */
int cluster_feed_tick(server *s)
{
    uint64_t now = cluster_wall_ms(), period = s->opt.interval_ms, next;
    char tick[24], maxlen[24];
    if (!s->cl)
        return 0;
    snprintf(tick, sizeof tick, "%llu", (unsigned long long)(now / period));
    snprintf(maxlen, sizeof maxlen, "%d", FEED_STREAM_MAX);
    rconn_command(&s->cl->cmd, on_tick, NULL, "EVAL %s 0 %s %s", tick_script, tick, maxlen);
    next = (now / period) * period + period / 2;
    if (next <= now)
        next += period;
    s->next_feed_ms = net_now_ms() + (next - now);
    return 1;
}

/* ---- reading the stream ------------------------------------------------------------- */

static void read_more(cluster *cl);

/* "n-0" -> n. */
static int entry_number(const redisReply *id, uint64_t *n)
{
    const char *dash;
    if (id->type != REDIS_REPLY_STRING || !(dash = memchr(id->str, '-', id->len)))
        return -1;
    return net_parse_dec(id->str, (size_t)(dash - id->str), n);
}

static void on_entries(redisAsyncContext *ac, void *reply, void *priv)
{
    cluster *cl = (cluster *)priv;
    const redisReply *r = (const redisReply *)reply, *entries;
    size_t i;
    (void)ac;
    cl->feed_reading = 0;
    cl->feed.ping_due = 0;
    if (!r || !cl->feed.up)
        return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
        r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2) {
        entries = r->element[0]->element[1];
        for (i = 0; entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
            uint64_t n;
            if (entries->element[i]->type == REDIS_REPLY_ARRAY &&
                entries->element[i]->elements >= 1 &&
                entry_number(entries->element[i]->element[0], &n) == 0)
                feed_deliver(cl->srv, n);
        }
    } else if (r->type == REDIS_REPLY_ERROR) {
        logmsg("redis: XREAD failed: %s", r->str);
    }
    read_more(cl);
}

static void read_more(cluster *cl)
{
    char from[32];
    snprintf(from, sizeof from, "%llu-0", (unsigned long long)cl->srv->seq);
    if (cl->feed_reading)
        return;
    if (rconn_command(&cl->feed, on_entries, cl, "XREAD BLOCK %d COUNT %d STREAMS wsx:feed %s",
                      FEED_BLOCK_MS, FEED_WINDOW, from) == 0) {
        cl->feed_reading = 1;
        /* no answer by then: the connection is dead (redis_loop.c drops it) */
        cl->feed.ping_due = net_now_ms() + FEED_BLOCK_MS + 3000;
    }
}

static int bounds(const redisReply *r, uint64_t *newest, uint64_t *oldest)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_INTEGER || r->element[1]->type != REDIS_REPLY_INTEGER)
        return -1;
    *newest = (uint64_t)r->element[0]->integer;
    *oldest = (uint64_t)r->element[1]->integer;
    return 0;
}

static void on_synced(redisAsyncContext *ac, void *reply, void *priv)
{
    cluster *cl = (cluster *)priv;
    server *s = cl->srv;
    uint64_t newest, oldest, n;
    (void)ac;
    if (bounds((const redisReply *)reply, &newest, &oldest) != 0) {
        if (reply)
            logmsg("redis: the feed's sync script failed");
        return;
    }
    if (s->seq == 0 && newest > 0) {
        /* A new instance: its window from the stream.  Its clients that
         * came without an id get the live feed from the next event on;
         * those waiting for an id (cluster_feed_resume) what follows it. */
        client *c;
        for (c = s->clients; c; c = c->next)
            if (c->kind == K_FEED && c->feed_after == 0)
                c->feed_after = newest;
        n = newest >= FEED_WINDOW ? newest - FEED_WINDOW + 1 : 1;
        for (n = n < oldest ? oldest : n; n <= newest; n++)
            feed_deliver(s, n);
        logmsg("feed: joined the stream at %llu", (unsigned long long)newest);
    }
    read_more(cl);
}

void cluster_feed_up(rconn *rc)
{
    cluster *cl = rc->srv->cl;
    char mine[24];
    cl->feed_reading = 0;
    snprintf(mine, sizeof mine, "%llu", (unsigned long long)cl->srv->seq);
    rconn_command(rc, on_synced, cl, "EVAL %s 0 %s", sync_script, mine);
}

/* ---- resuming -------------------------------------------------------------------------- */

static void on_resume_bounds(redisAsyncContext *ac, void *reply, void *priv)
{
    server *s = ((rconn *)ac->data)->srv;
    client *c = client_by_serial(s, PRIV_SERIAL(priv));
    uint64_t newest, oldest;
    if (!c || c->kind != K_FEED || !c->feed_waiting)
        return;
    if (bounds((const redisReply *)reply, &newest, &oldest) != 0) {
        kill_client(c); /* Redis went away meanwhile: it comes back */
        return;
    }
    feed_resume_answer(c, c->feed_after, oldest, newest);
}

/* Last-Event-ID `id` is not in this instance's window: older (the stream
 * keeps more) or newer (the client comes from an instance that has read
 * further).  Its events wait for the stream's bounds; 0 when Redis is out
 * of reach (the window's answer then). */
int cluster_feed_resume(client *c, uint64_t id)
{
    if (!c->srv->cl || rconn_command(&c->srv->cl->cmd, on_resume_bounds, SERIAL_PRIV(c),
                                     "EVAL %s 0 0", sync_script) != 0)
        return 0;
    c->feed_after = id;
    c->feed_waiting = 1;
    return 1;
}

/* ---- the burst hook ---------------------------------------------------------------------- */

static void on_burst(redisAsyncContext *ac, void *reply, void *priv)
{
    client *c = client_by_serial(((rconn *)ac->data)->srv, PRIV_SERIAL(priv));
    uint64_t first, last;
    char ans[96];
    int n;
    if (!c || !c->awaiting)
        return;
    c->awaiting = 0;
    mark(c);
    if (bounds((const redisReply *)reply, &first, &last) != 0) {
        respond_text(c, 503, NULL, "redis unavailable\n");
        return;
    }
    n = snprintf(ans, sizeof ans, "{\"first\":%llu,\"last\":%llu}", (unsigned long long)first,
                 (unsigned long long)last);
    respond_json(c, 200, ans, (size_t)n);
}

int cluster_feed_burst(client *c, unsigned n)
{
    char count[24], maxlen[24];
    if (!c->srv->cl)
        return 0;
    snprintf(count, sizeof count, "%u", n);
    snprintf(maxlen, sizeof maxlen, "%d", FEED_STREAM_MAX);
    if (rconn_command(&c->srv->cl->cmd, on_burst, SERIAL_PRIV(c), "EVAL %s 0 %s %s", burst_script,
                      count, maxlen) != 0) {
        respond_text(c, 503, NULL, "redis unavailable\n");
        return 1;
    }
    c->awaiting = 1;
    return 1;
}
