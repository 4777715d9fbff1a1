/*
 * assistant.c — the fake LLM: POST /api/chat streams an answer token by
 * token over Server-Sent Events, POST /api/stop-generation stops it, GET
 * /api/history lists what was sent.
 *
 *   - Consistency: a token counts as sent once the last byte of its event
 *     has been written to the socket (the transport accepted it).  The next
 *     token is generated only when the previous one is out, so a slow
 *     reader slows the generation and at most one token is "in flight".
 *   - Stop ends the stream after that token: "event: stopped", then the end
 *     of the body (no [DONE]).  A client that disconnects (EOF, RDHUP,
 *     write error) stops it too.
 *   - /api/history's answer is exactly the concatenation of the sent
 *     tokens; "stopped" tells whether it was cut short.  The page reads the
 *     stream to its end after Stop, so it shows exactly what the history
 *     holds.
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the answer --------------------------------------------------------------- */

static const char *const filler[] = {
    " This",    " answer", " is",      " streamed", " by",     " the",  " wsx",         " demo",
    " server,", " one",    " token",   " per",      " event,", " over", " Server-Sent", " Events.",
    " Each",    " token",  " is",      " written",  " to",     " the",  " socket",      " as",
    " soon",    " as",     " it",      " is",       " ready,", " so",   " a",           " proxy",
    " and",     " the",    " browser", " show",     " it",     " at",   " once.",       " Press",
    " Stop",    " to",     " end",     " it",       " early:", " the",  " history",     " keeps",
    " exactly", " what",   " was",     " sent."};
#define FILLER_COUNT (sizeof filler / sizeof filler[0])

static int is_space(char ch) { return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r'; }

/* The k-th word of the prompt (0-based), or 0 if there are fewer. */
static size_t prompt_word(const generation *g, int k, const char **word)
{
    const char *p = g->prompt, *end = g->prompt + g->prompt_len;
    for (;;) {
        const char *w;
        while (p < end && is_space(*p))
            p++;
        if (p == end)
            return 0;
        w = p;
        while (p < end && !is_space(*p))
            p++;
        if (k-- == 0) {
            *word = w;
            return (size_t)(p - w);
        }
    }
}

/* Token k (0-based) of the fake answer into out (at most TOKEN_MAX bytes,
 * cut on a UTF-8 boundary): "You asked:" + up to 12 prompt words + filler. */
static size_t make_token(const generation *g, int k, char *out)
{
    static const char *const intro[] = {"You", " asked:"};
    const char *w;
    size_t len;
    int nwords = 0;
    while (nwords < 12 && prompt_word(g, nwords, &w) > 0)
        nwords++;
    if (k < 2) {
        len = strlen(intro[k]);
        memcpy(out, intro[k], len);
        return len;
    }
    k -= 2;
    if (k < nwords) {
        len = prompt_word(g, k, &w);
        if (len > TOKEN_MAX - 1)
            len = TOKEN_MAX - 1;
        while (len > 0 && ((unsigned char)w[len] & 0xC0) == 0x80 && len < prompt_word(g, k, &w))
            len--; /* do not split a UTF-8 sequence */
        out[0] = ' ';
        memcpy(out + 1, w, len);
        return len + 1;
    }
    k -= nwords;
    w = filler[(size_t)k % FILLER_COUNT];
    len = strlen(w);
    memcpy(out, w, len);
    return len;
}

/* ---- generations ----------------------------------------------------------------- */

static generation *generation_find(server *s, const char *id, size_t len)
{
    size_t i;
    for (i = 0; i < HISTORY_MAX; i++)
        if (s->history[i].used && strlen(s->history[i].id) == len &&
            memcmp(s->history[i].id, id, len) == 0)
            return &s->history[i];
    return NULL;
}

/* A free history slot: the oldest record that is not running. */
static generation *generation_slot(server *s)
{
    size_t i;
    for (i = 0; i < HISTORY_MAX; i++) {
        generation *g = &s->history[(s->history_next + i) % HISTORY_MAX];
        if (!g->running && !g->owner) {
            s->history_next = (s->history_next + i + 1) % HISTORY_MAX;
            return g;
        }
    }
    return NULL;
}

void token_written(client *c)
{
    generation *g = c->gen;
    c->token_pending = 0;
    if (!g)
        return;
    memcpy(g->answer + g->answer_len, c->token, c->token_len);
    g->answer_len += c->token_len;
    g->sent++;
    cluster_gen_token(g);
}

/* The generation of stream c is over: finished, stopped, or its client
 * gone (then the connection is on its way out). */
void generation_end(client *c, int stopped)
{
    generation *g = c->gen;
    if (!g)
        return;
    if (g->running) {
        g->running = 0;
        g->stopped = stopped;
        logmsg("generation %s %s after %d of %d tokens", g->id, stopped ? "stopped" : "done",
               g->sent, g->planned);
        cluster_gen_ended(g);
    }
    if (c->dead || c->peer_gone) {
        g->owner = NULL;
        c->gen = NULL;
    }
}

/* Next step of a running stream, when its previous token is out. */
void stream_step(client *c, uint64_t now)
{
    generation *g = c->gen;
    char esc[TOKEN_MAX * 6];
    char ev[TOKEN_MAX * 6 + 64];
    long e;
    int n;
    if (!g || !g->running || c->token_pending || c->stream_ending || now < c->next_token_ms)
        return;
    if (g->sent >= g->planned) {
        static const char done[] = WSX_SSE_DONE;
        body_append(c, done, sizeof done - 1);
        body_end(c);
        generation_end(c, 0);
        mark(c);
        return;
    }
    c->token_len = make_token(g, g->sent, c->token);
    e = json_escape(c->token, c->token_len, esc, sizeof esc);
    n = snprintf(ev, sizeof ev, "id: %d\ndata: {\"text\":\"%.*s\"}\n\n", g->sent + 1, (int)e, esc);
    if (body_append(c, ev, (size_t)n) != 0) {
        kill_client(c);
        return;
    }
    c->token_pending = 1;
    c->token_end = c->out_len;
    c->next_token_ms = now + c->srv->opt.token_ms;
    mark(c);
}

/* Stops g: no token after the one in flight. */
void generation_stop(generation *g)
{
    client *c = g->owner;
    char ev[96];
    int n;
    if (!c)
        return;
    generation_end(c, 1);
    if (!c->stream_ending && !c->dead) {
        n = snprintf(ev, sizeof ev, "event: stopped\ndata: {\"id\":\"%s\"}\n\n", g->id);
        body_append(c, ev, (size_t)n);
        body_end(c);
    }
    mark(c);
}

static void start_stream(client *c, const wsx_http_request *req, const char *prompt,
                         size_t prompt_len)
{
    server *s = c->srv;
    generation *g = generation_slot(s);
    char ev[160];
    unsigned h = 2166136261u;
    size_t i;
    int n;
    if (!g) {
        respond_text(c, 503, NULL, "too many generations running\n");
        return;
    }
    memset(g, 0, sizeof *g);
    g->used = 1;
    g->running = 1;
    if (cluster_instance(s)) /* unique across instances and their restarts */
        snprintf(g->id, sizeof g->id, "%s-%ld-g%lu", cluster_instance(s), (long)getpid(),
                 ++s->gen_counter);
    else
        snprintf(g->id, sizeof g->id, "g%lu", ++s->gen_counter);
    memcpy(g->prompt, prompt, prompt_len);
    g->prompt_len = prompt_len;
    for (i = 0; i < prompt_len; i++)
        h = (h ^ (unsigned char)prompt[i]) * 16777619u;
    g->planned = 30 + (int)(h % 31); /* 30..60 tokens */
    g->owner = c;
    c->gen = g;
    c->kind = K_STREAM;
    c->stream_ending = 0;
    c->token_pending = 0;
    write_stream_head(c, req);
    if (cluster_instance(s))
        n = snprintf(ev, sizeof ev, "event: meta\ndata: {\"id\":\"%s\",\"instance\":\"%s\"}\n\n",
                     g->id, cluster_instance(s));
    else
        n = snprintf(ev, sizeof ev, "event: meta\ndata: {\"id\":\"%s\"}\n\n", g->id);
    body_append(c, ev, (size_t)n);
    cluster_gen_started(g);
    c->next_token_ms = net_now_ms() + s->opt.token_ms;
    logmsg("generation %s: %d tokens", g->id, g->planned);
}

/* The stream's response is fully written: back to HTTP (keep-alive) or
 * close. */
void stream_finished(client *c)
{
    if (c->gen) {
        c->gen->owner = NULL;
        c->gen = NULL;
    }
    c->kind = K_HTTP;
    c->stream_ending = 0;
    c->deadline = net_now_ms() + c->srv->opt.idle_ms;
}

/* ---- the routes ---------------------------------------------------------------------- */

/* POST /api/chat {"message":M} */
void assistant_chat(client *c, const wsx_http_request *req, const char *body, size_t len)
{
    char prompt[PROMPT_MAX];
    long n = body_string(body, len, "message", prompt, sizeof prompt);
    if (n <= 0)
        respond_text(c, 400, NULL, "expected {\"message\":\"...\"} (1 to 2048 bytes)\n");
    else
        start_stream(c, req, prompt, (size_t)n);
}

/* POST /api/stop-generation {"id":G} */
void assistant_stop(client *c, const char *body, size_t len)
{
    generation *g;
    char id[64], ans[160];
    long id_len = body_string(body, len, "id", id, sizeof id);
    int n;
    if (id_len < 0) {
        respond_text(c, 400, NULL, "expected {\"id\":\"...\"}\n");
    } else if (!(g = generation_find(c->srv, id, (size_t)id_len)) &&
               cluster_gen_stop(c, id, (size_t)id_len)) {
        return; /* streamed by another instance, perhaps: Redis answers */
    } else if (!g || !g->running) {
        n = snprintf(ans, sizeof ans, "{\"error\":\"%s\"}",
                     g ? "generation already over" : "unknown generation");
        respond(c, 404, "application/json", NULL, ans, (size_t)n, NULL, 0);
    } else {
        generation_stop(g);
        if (cluster_instance(c->srv))
            n = snprintf(ans, sizeof ans, "{\"id\":\"%s\",\"stopped\":true,\"instance\":\"%s\"}",
                         g->id, cluster_instance(c->srv));
        else
            n = snprintf(ans, sizeof ans, "{\"id\":\"%s\",\"stopped\":true}", g->id);
        respond_json(c, 200, ans, (size_t)n);
    }
}

/* GET /api/history: from Redis in cluster mode, else this instance's. */
void assistant_history(client *c, int head_only)
{
    if (!cluster_history(c, head_only))
        send_history(c, head_only);
}

/* This instance's records, oldest first, in one allocation. */
void send_history(client *c, int head_only)
{
    server *s = c->srv;
    size_t cap = 2, len = 0, i;
    char *buf;
    int first = 1;
    for (i = 0; i < HISTORY_MAX; i++)
        if (s->history[i].used)
            cap += 6 * (s->history[i].prompt_len + s->history[i].answer_len) + 160;
    buf = (char *)malloc(cap);
    if (!buf) {
        respond_text(c, 503, NULL, "out of memory\n");
        return;
    }
    PUT_LIT(buf, cap, &len, "[");
    for (i = 0; i < HISTORY_MAX; i++) {
        const generation *g = &s->history[(s->history_next + i) % HISTORY_MAX];
        char tail[96];
        int n;
        if (!g->used)
            continue;
        if (!first)
            PUT_LIT(buf, cap, &len, ",");
        first = 0;
        n = snprintf(tail, sizeof tail, "{\"id\":\"%s\",\"prompt\":\"", g->id);
        buf_put(buf, cap, &len, tail, (size_t)n);
        buf_put_escaped(buf, cap, &len, g->prompt, g->prompt_len);
        PUT_LIT(buf, cap, &len, "\",\"answer\":\"");
        buf_put_escaped(buf, cap, &len, g->answer, g->answer_len);
        n = snprintf(tail, sizeof tail, "\",\"stopped\":%s,\"running\":%s,\"tokens\":%d}",
                     g->stopped ? "true" : "false", g->running ? "true" : "false", g->sent);
        buf_put(buf, cap, &len, tail, (size_t)n);
    }
    PUT_LIT(buf, cap, &len, "]");
    respond(c, 200, "application/json", NULL, buf, len, buf, head_only);
}
