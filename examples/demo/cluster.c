/*
 * cluster.c — the demo on several servers sharing a Redis (--redis
 * HOST:PORT, --instance NAME; built when hiredis is present).
 *
 * Three connections per instance, each reconnecting on its own
 * (redis_loop.c): `cmd` (commands, Lua scripts, PUBLISH), `sub`
 * (SUBSCRIBE wsx:chat and wsx:ctl) and `feed` (XREAD BLOCK on the feed's
 * stream, cluster_feed.c).  The keys, all under "wsx:":
 *   alive:I        "1" with a PRESENCE_TTL_MS expiry, renewed each
 *                  HEARTBEAT_MS: instance I is alive
 *   instances      the set of instances that have announced themselves
 *   users:I        hash of the chat names connected to I (cluster_chat.c)
 *   running:I      set of the generations I is streaming (cluster_gen.c)
 *   gen:G, history one hash per generation; a sorted set of the ids
 *   feed, feed:seq, feed:tick   the feed's stream (cluster_feed.c)
 * Each heartbeat runs the reaper script: an instance whose alive key
 * expired (it crashed, or lost Redis for longer than the TTL) has its chat
 * users announced as gone (a leave on wsx:chat for each) and its running
 * generations marked "interrupted", atomically, so exactly one survivor
 * does it.  A crashed instance's users so drop out within PRESENCE_TTL_MS
 * + HEARTBEAT_MS (4 s); a name that has come back on a live instance
 * meanwhile (the page reconnects within a second) is not announced gone.
 * An instance that stops cleanly (SIGTERM) runs the reaper on itself as
 * it goes: its users are announced gone at once.  An instance that starts again under the same
 * name first reaps its own former self ("fresh").
 */
#include "cluster.h"

#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <time.h>

/* ARGV: self, fresh ("1": reap a former self too; "2": this instance
 * stops, reap it and do not announce it again), the TTL in ms.  Returns the
 * chat names on the other live instances. */
const char reap_script[] =
    "local self, fresh = ARGV[1], ARGV[2] ~= '0'\n"
    "local others = {}\n"
    "local all = redis.call('SMEMBERS', 'wsx:instances')\n"
    "local function dead(inst)\n"
    "  return (fresh and inst == self) or\n"
    "    (inst ~= self and redis.call('EXISTS', 'wsx:alive:' .. inst) == 0)\n"
    "end\n"
    "local function elsewhere(name, gone)\n"
    "  for _, inst in ipairs(all) do\n"
    "    if inst ~= gone and not dead(inst) and\n"
    "       redis.call('HEXISTS', 'wsx:users:' .. inst, name) == 1 then return true end\n"
    "  end\n"
    "  return false\n"
    "end\n"
    "for _, inst in ipairs(all) do\n"
    "  if dead(inst) then\n"
    "    for _, name in ipairs(redis.call('HKEYS', 'wsx:users:' .. inst)) do\n"
    "      if not elsewhere(name, inst) then\n"
    "        redis.call('PUBLISH', 'wsx:chat', 'L ' .. inst .. '\\n\\n' ..\n"
    "          cjson.encode({type = 'leave', name = name}))\n"
    "      end\n"
    "    end\n"
    "    for _, id in ipairs(redis.call('SMEMBERS', 'wsx:running:' .. inst)) do\n"
    "      redis.call('HSET', 'wsx:gen:' .. id, 'state', 'interrupted')\n"
    "    end\n"
    "    redis.call('DEL', 'wsx:users:' .. inst, 'wsx:running:' .. inst)\n"
    "    redis.call('SREM', 'wsx:instances', inst)\n"
    "  elseif inst ~= self then\n"
    "    for _, name in ipairs(redis.call('HKEYS', 'wsx:users:' .. inst)) do\n"
    "      others[#others + 1] = name\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if ARGV[2] == '2' then\n"
    "  redis.call('DEL', 'wsx:alive:' .. self)\n"
    "else\n"
    "  redis.call('SET', 'wsx:alive:' .. self, '1', 'PX', ARGV[3])\n"
    "  redis.call('SADD', 'wsx:instances', self)\n"
    "end\n"
    "return others\n";

client *client_by_serial(server *s, uint64_t serial)
{
    client *c;
    for (c = s->clients; c; c = c->next)
        if (c->serial == serial)
            return c->dead ? NULL : c;
    return NULL;
}

uint64_t cluster_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int cluster_up(const cluster *cl) { return cl->cmd.up && cl->sub.up && cl->feed.up; }

const char *cluster_instance(const server *s) { return s->cl ? s->cl->inst : NULL; }

/* ---- heartbeat -------------------------------------------------------------------- */

static void on_reaped(redisAsyncContext *ac, void *reply, void *priv)
{
    cluster *cl = (cluster *)priv;
    const redisReply *r = (const redisReply *)reply;
    (void)ac;
    if (!r)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        logmsg("redis: the reaper script failed: %s", r->str);
        return;
    }
    cluster_remote_users(cl, r);
}

static void heartbeat(cluster *cl)
{
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%d", PRESENCE_TTL_MS);
    if (rconn_command(&cl->cmd, on_reaped, cl, "EVAL %s 0 %s %s %s", reap_script, cl->inst,
                      cl->started ? "0" : "1", ttl) == 0)
        cl->started = 1;
}

/* cmd (re)connected: announce this instance, then its chat names and its
 * generations (they may have been reaped while Redis was out of reach). */
static void cmd_up(rconn *rc)
{
    cluster *cl = rc->srv->cl;
    if (!cl->started) {
        heartbeat(cl); /* reaps a former self of the same name first */
        cluster_chat_register(cl, 1);
    } else {
        cluster_chat_register(cl, 0);
        heartbeat(cl);
    }
    cluster_gen_resync(cl);
    cl->next_beat = net_now_ms() + HEARTBEAT_MS;
}

/* ---- subscriptions ------------------------------------------------------------------ */

static void on_sub_message(redisAsyncContext *ac, void *reply, void *priv)
{
    cluster *cl = (cluster *)priv;
    const redisReply *r = (const redisReply *)reply;
    (void)ac;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "message") != 0 ||
        r->element[2]->type != REDIS_REPLY_STRING)
        return;
    if (strcmp(r->element[1]->str, "wsx:chat") == 0)
        cluster_chat_message(cl, r->element[2]->str, r->element[2]->len);
    else if (strcmp(r->element[1]->str, "wsx:ctl") == 0)
        cluster_ctl_message(cl, r->element[2]->str, r->element[2]->len);
}

static void sub_up(rconn *rc)
{
    cluster *cl = rc->srv->cl;
    rconn_command(rc, on_sub_message, cl, "SUBSCRIBE wsx:chat wsx:ctl");
}

/* ---- the interface ---------------------------------------------------------------------- */

static int parse_address(cluster *cl, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    uint64_t port = 0;
    size_t host_len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (host_len == 0 || host_len >= sizeof cl->host)
        return -1;
    memcpy(cl->host, spec, host_len);
    cl->host[host_len] = 0;
    if (colon &&
        (net_parse_dec(colon + 1, strlen(colon + 1), &port) != 0 || port == 0 || port > 65535))
        return -1;
    cl->port = colon ? (int)port : 6379;
    return 0;
}

static int instance_ok(const char *name)
{
    size_t i, len = strlen(name);
    if (len == 0 || len > INSTANCE_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_'))
            return 0;
    return 1;
}

int cluster_start(server *s)
{
    cluster *cl;
    if (!s->opt.redis)
        return 0;
    cl = (cluster *)calloc(1, sizeof *cl);
    if (!cl)
        return -1;
    cl->srv = s;
    if (parse_address(cl, s->opt.redis) != 0) {
        fprintf(stderr, "demo_server: --redis wants HOST:PORT with a numeric address\n");
        free(cl);
        return -1;
    }
    if (s->opt.instance)
        snprintf(cl->inst, sizeof cl->inst, "%s", s->opt.instance);
    else
        snprintf(cl->inst, sizeof cl->inst, "p%d", net_local_port(s->lfd));
    if (!instance_ok(cl->inst)) {
        fprintf(stderr, "demo_server: --instance: 1 to 16 of [A-Za-z0-9_-]\n");
        free(cl);
        return -1;
    }
    rconn_init(&cl->cmd, s, "cmd", cl->host, cl->port);
    rconn_init(&cl->sub, s, "sub", cl->host, cl->port);
    rconn_init(&cl->feed, s, "feed", cl->host, cl->port);
    cl->cmd.pings = 1;
    cl->cmd.on_up = cmd_up;
    cl->sub.on_up = sub_up;
    cl->feed.on_up = cluster_feed_up;
    s->cl = cl;
    return 0;
}

/* A clean stop: this instance's chat users are announced gone now (not
 * after the presence expiry), its records written; waits at most 500 ms
 * for the commands to leave. */
static void leave_cluster(cluster *cl)
{
    char ttl[24];
    uint64_t end = net_now_ms() + 500;
    snprintf(ttl, sizeof ttl, "%d", PRESENCE_TTL_MS);
    if (rconn_command(&cl->cmd, NULL, NULL, "EVAL %s 0 %s 2 %s", reap_script, cl->inst, ttl) != 0)
        return;
    while (cl->cmd.ac && cl->cmd.ac->c.obuf && cl->cmd.ac->c.obuf[0] && net_now_ms() < end) {
        struct pollfd pfd;
        pfd.fd = cl->cmd.ac->c.fd;
        pfd.events = POLLOUT;
        if (poll(&pfd, 1, 50) > 0)
            redisAsyncHandleWrite(cl->cmd.ac);
    }
}

void cluster_stop(server *s)
{
    if (!s->cl)
        return;
    leave_cluster(s->cl);
    rconn_close(&s->cl->cmd);
    rconn_close(&s->cl->sub);
    rconn_close(&s->cl->feed);
    free(s->cl);
    s->cl = NULL;
}

int cluster_io(server *s, void *ptr, uint32_t events)
{
    cluster *cl = s->cl;
    if (!cl || (ptr != &cl->cmd && ptr != &cl->sub && ptr != &cl->feed))
        return 0;
    rconn_io((rconn *)ptr, events);
    return 1;
}

uint64_t cluster_timers(server *s, uint64_t now)
{
    cluster *cl = s->cl;
    uint64_t next, d;
    if (!cl)
        return UINT64_MAX;
    next = rconn_timers(&cl->cmd, now);
    d = rconn_timers(&cl->sub, now);
    next = d < next ? d : next;
    d = rconn_timers(&cl->feed, now);
    next = d < next ? d : next;
    if (cl->cmd.up && now >= cl->next_beat) {
        heartbeat(cl);
        cl->next_beat = now + HEARTBEAT_MS;
    }
    return cl->cmd.up && cl->next_beat < next ? cl->next_beat : next;
}

/* GET /api/health: 200 when every Redis connection is up, else 503. */
void cluster_health(client *c)
{
    cluster *cl = c->srv->cl;
    char ans[256];
    int up = cluster_up(cl);
    int n = snprintf(ans, sizeof ans,
                     "{\"instance\":\"%s\",\"redis\":%s,\"connections\":{\"cmd\":%s,\"sub\":%s,"
                     "\"feed\":%s},\"feed_last\":%llu,\"clients\":%ld}",
                     cl->inst, up ? "true" : "false", cl->cmd.up ? "true" : "false",
                     cl->sub.up ? "true" : "false", cl->feed.up ? "true" : "false",
                     (unsigned long long)c->srv->seq, c->srv->nclients);
    respond(c, up ? 200 : 503, "application/json", NULL, ans, (size_t)n, NULL, 0);
}
