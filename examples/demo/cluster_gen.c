/*
 * cluster_gen.c — the assistant's generations across instances (cluster
 * mode).
 *
 *   - Registry and history: hash wsx:gen:G per generation (prompt, answer,
 *     state running|done|stopped|interrupted, sent, inst), the ids in the
 *     sorted set wsx:history (start time; the newest HISTORY_MAX kept), and
 *     wsx:running:I, what instance I streams.  The answer is written after
 *     each token the socket took (token_written in assistant.c), so the
 *     record holds exactly what was sent.  Under kill -9 the record may
 *     miss the last token: one the socket took, whose update was still in
 *     the instance's Redis buffer.
 *   - Stop: POST /api/stop-generation on the instance that streams stops it
 *     there (assistant.c).  On another instance the stop script checks the
 *     record and publishes "stop G" on wsx:ctl; the streaming instance
 *     stops it after the token in flight, as a local Stop would.  The
 *     answer (200 or 404) waits for the script.
 *   - A generation whose instance dies is marked "interrupted" by the
 *     reaper (cluster.c), with the tokens recorded until then.
 *   - Redis out of reach: Stop and /api/history answer from this instance
 *     alone; on reconnect every local record is written again.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

/* ARGV: id.  -1 unknown, 0 over, 1 stop sent. */
static const char stop_script[] = "local st = redis.call('HGET', 'wsx:gen:' .. ARGV[1], 'state')\n"
                                  "if not st then return -1 end\n"
                                  "if st ~= 'running' then return 0 end\n"
                                  "redis.call('PUBLISH', 'wsx:ctl', 'stop ' .. ARGV[1])\n"
                                  "return 1\n";

/* Every record, oldest first: id, prompt, answer, state, sent, inst. */
static const char history_script[] =
    "local out = {}\n"
    "for _, id in ipairs(redis.call('ZRANGE', 'wsx:history', 0, -1)) do\n"
    "  local h = redis.call('HMGET', 'wsx:gen:' .. id, 'prompt', 'answer', 'state', 'sent', "
    "'inst')\n"
    "  if h[1] then\n"
    "    out[#out + 1] = id\n"
    "    for i = 1, 5 do out[#out + 1] = h[i] or '' end\n"
    "  end\n"
    "end\n"
    "return out\n";

#define HISTORY_FIELDS 6

static const char *gen_state(const generation *g)
{
    return g->running ? "running" : g->stopped ? "stopped" : "done";
}

/* The whole record of g (idempotent). */
static void write_record(cluster *cl, const generation *g)
{
    rconn *rc = &cl->cmd;
    rconn_command(rc, NULL, NULL, "HSET wsx:gen:%s prompt %b answer %b state %s sent %d inst %s",
                  g->id, g->prompt, g->prompt_len, g->answer, g->answer_len, gen_state(g), g->sent,
                  cl->inst);
    rconn_command(rc, NULL, NULL, "%s wsx:running:%s %s", g->running ? "SADD" : "SREM", cl->inst,
                  g->id);
}

void cluster_gen_started(generation *g)
{
    cluster *cl = g->owner ? g->owner->srv->cl : NULL;
    char score[24];
    if (!cl)
        return;
    snprintf(score, sizeof score, "%llu", (unsigned long long)cluster_wall_ms());
    write_record(cl, g);
    rconn_command(&cl->cmd, NULL, NULL, "ZADD wsx:history %s %s", score, g->id);
    rconn_command(&cl->cmd, NULL, NULL, "ZREMRANGEBYRANK wsx:history 0 %d", -(HISTORY_MAX + 1));
}

void cluster_gen_token(generation *g)
{
    cluster *cl = g->owner ? g->owner->srv->cl : NULL;
    if (cl)
        rconn_command(&cl->cmd, NULL, NULL, "HSET wsx:gen:%s answer %b sent %d", g->id, g->answer,
                      g->answer_len, g->sent);
}

void cluster_gen_ended(generation *g)
{
    cluster *cl = g->owner ? g->owner->srv->cl : NULL;
    if (cl)
        write_record(cl, g);
}

void cluster_gen_resync(cluster *cl)
{
    char score[24];
    size_t i;
    snprintf(score, sizeof score, "%llu", (unsigned long long)cluster_wall_ms());
    for (i = 0; i < HISTORY_MAX; i++) {
        const generation *g = &cl->srv->history[i];
        if (!g->used)
            continue;
        write_record(cl, g);
        rconn_command(&cl->cmd, NULL, NULL, "ZADD wsx:history NX %s %s", score, g->id);
    }
}

/* ---- Stop from another instance ----------------------------------------------------- */

void cluster_ctl_message(cluster *cl, const char *msg, size_t len)
{
    size_t i;
    if (len < 6 || memcmp(msg, "stop ", 5) != 0)
        return;
    for (i = 0; i < HISTORY_MAX; i++) {
        generation *g = &cl->srv->history[i];
        if (g->used && g->running && strlen(g->id) == len - 5 &&
            memcmp(g->id, msg + 5, len - 5) == 0) {
            logmsg("generation %s: stop from another instance", g->id);
            generation_stop(g);
            return;
        }
    }
}

/* The client waiting for a script's answer, when it is still there. */
static client *waiting_client(redisAsyncContext *ac, void *priv)
{
    client *c = client_by_serial(((rconn *)ac->data)->srv, PRIV_SERIAL(priv));
    if (!c || !c->awaiting)
        return NULL;
    c->awaiting = 0;
    mark(c);
    return c;
}

static void on_stopped(redisAsyncContext *ac, void *reply, void *priv)
{
    const redisReply *r = (const redisReply *)reply;
    client *c = waiting_client(ac, priv);
    char ans[160];
    int n;
    if (!c)
        return;
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        respond_text(c, 503, NULL, "redis unavailable\n");
    } else if (r->integer != 1) {
        n = snprintf(ans, sizeof ans, "{\"error\":\"%s\",\"instance\":\"%s\"}",
                     r->integer == 0 ? "generation already over" : "unknown generation",
                     c->srv->cl->inst);
        respond(c, 404, "application/json", NULL, ans, (size_t)n, NULL, 0);
    } else {
        n = snprintf(ans, sizeof ans, "{\"stopped\":true,\"instance\":\"%s\",\"via\":\"redis\"}",
                     c->srv->cl->inst);
        respond_json(c, 200, ans, (size_t)n);
    }
}

int cluster_gen_stop(client *c, const char *id, size_t len)
{
    cluster *cl = c->srv->cl;
    if (!cl || rconn_command(&cl->cmd, on_stopped, SERIAL_PRIV(c), "EVAL %s 0 %b", stop_script, id,
                             len) != 0)
        return 0;
    c->awaiting = 1;
    return 1;
}

/* ---- GET /api/history from Redis ------------------------------------------------------- */

static const char *field(const redisReply *r, size_t i, size_t *len)
{
    const redisReply *e = r->element[i];
    *len = e->type == REDIS_REPLY_STRING ? e->len : 0;
    return e->type == REDIS_REPLY_STRING ? e->str : "";
}

static int record_json(const redisReply *r, size_t at, char *buf, size_t cap, size_t *len)
{
    size_t id_len, prompt_len, answer_len, state_len, sent_len, inst_len;
    const char *id = field(r, at, &id_len), *prompt = field(r, at + 1, &prompt_len);
    const char *answer = field(r, at + 2, &answer_len), *state = field(r, at + 3, &state_len);
    const char *sent = field(r, at + 4, &sent_len), *inst = field(r, at + 5, &inst_len);
    char tail[160];
    int n;
    if (PUT_LIT(buf, cap, len, "{\"id\":\"") || buf_put_escaped(buf, cap, len, id, id_len) ||
        PUT_LIT(buf, cap, len, "\",\"prompt\":\"") ||
        buf_put_escaped(buf, cap, len, prompt, prompt_len) ||
        PUT_LIT(buf, cap, len, "\",\"answer\":\"") ||
        buf_put_escaped(buf, cap, len, answer, answer_len))
        return -1;
    n = snprintf(tail, sizeof tail,
                 "\",\"stopped\":%s,\"running\":%s,\"interrupted\":%s,\"tokens\":%.*s,"
                 "\"instance\":\"%.*s\"}",
                 state_len == 7 && memcmp(state, "stopped", 7) == 0 ? "true" : "false",
                 state_len == 7 && memcmp(state, "running", 7) == 0 ? "true" : "false",
                 state_len == 11 && memcmp(state, "interrupted", 11) == 0 ? "true" : "false",
                 sent_len ? (int)sent_len : 1, sent_len ? sent : "0", (int)inst_len, inst);
    return buf_put(buf, cap, len, tail, (size_t)n);
}

static void on_history(redisAsyncContext *ac, void *reply, void *priv)
{
    const redisReply *r = (const redisReply *)reply;
    client *c = waiting_client(ac, priv);
    size_t cap = 2, len = 0, i;
    char *buf;
    if (!c)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements % HISTORY_FIELDS != 0) {
        send_history(c, c->http_head_only); /* this instance's own records */
        return;
    }
    for (i = 0; i < r->elements; i++)
        cap += (r->element[i]->type == REDIS_REPLY_STRING ? 6 * r->element[i]->len : 0) + 32;
    cap += r->elements / HISTORY_FIELDS * 160;
    if (!(buf = (char *)malloc(cap))) {
        respond_text(c, 503, NULL, "out of memory\n");
        return;
    }
    PUT_LIT(buf, cap, &len, "[");
    for (i = 0; i < r->elements; i += HISTORY_FIELDS) {
        if (i > 0)
            PUT_LIT(buf, cap, &len, ",");
        record_json(r, i, buf, cap, &len);
    }
    PUT_LIT(buf, cap, &len, "]");
    respond(c, 200, "application/json", NULL, buf, len, buf, c->http_head_only);
}

int cluster_history(client *c, int head_only)
{
    cluster *cl = c->srv->cl;
    if (!cl ||
        rconn_command(&cl->cmd, on_history, SERIAL_PRIV(c), "EVAL %s 0", history_script) != 0)
        return 0;
    c->awaiting = 1;
    c->http_head_only = head_only;
    return 1;
}
