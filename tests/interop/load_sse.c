/*
 * load_sse.c — load_client's SSE clients: sse-feed (GET /events of
 * sse_server or demo_server), sse-chat (sse_server POST /api/chat) and
 * demo-chat (demo_server POST /api/chat).  The chunked body and the events
 * are decoded here, without wsx.
 */
#include "load_client.h"

#include <stdio.h>

enum { SP_HEAD, SP_META, SP_TOKENS, SP_DONE, SP_ENDED };

typedef struct event {
    const char *type, *id, *data;
    size_t type_len, id_len, data_len;
    int has_data;
} event;

/* ---- the response: head, chunked body, events -------------------------------- */

static void sse_request(conn *c, const char *path, const char *body)
{
    char req[512];
    int n =
        body ? snprintf(req, sizeof req,
                        "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                        path, strlen(body), body)
             : snprintf(req, sizeof req,
                        "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
                        path);
    buf_put(&c->out, req, (size_t)n);
    c->phase = SP_HEAD;
}

static int sse_head(conn *c)
{
    long n = head_length(c);
    if (n <= 0)
        return 0;
    if (memcmp(c->in.p, "HTTP/1.1 200 ", 13) != 0 ||
        !head_has(c->in.p, (size_t)n, "content-type: text/event-stream") ||
        !head_has(c->in.p, (size_t)n, "transfer-encoding: chunked")) {
        fail(c, "answered %.*s", (int)(n < 300 ? n : 300), (const char *)c->in.p);
        return 0;
    }
    buf_consume(&c->in, (size_t)n);
    c->chunk_left = -1;
    c->phase = SP_META;
    established(c);
    return 1;
}

/* Moves the chunks' data from c->in to c->body; 1 at the last chunk. */
static int dechunk(conn *c)
{
    size_t pos = 0;
    int last = 0;
    while (!last && c->state < ST_DONE) {
        size_t avail = c->in.len - pos;
        if (c->chunk_left > 0) {
            size_t take = avail < (size_t)c->chunk_left ? avail : (size_t)c->chunk_left;
            if (take == 0)
                break;
            buf_put(&c->body, c->in.p + pos, take);
            pos += take;
            c->chunk_left -= (long)take;
            if (c->chunk_left == 0)
                c->chunk_left = -2;
        } else if (c->chunk_left == -2) {
            if (avail < 2)
                break;
            if (memcmp(c->in.p + pos, "\r\n", 2) != 0)
                fail(c, "no CRLF after a chunk");
            pos += 2;
            c->chunk_left = -1;
        } else {
            const uint8_t *eol = (const uint8_t *)memchr(c->in.p + pos, '\n', avail);
            size_t line_len;
            unsigned long size;
            char *end;
            if (!eol)
                break;
            line_len = (size_t)(eol - (c->in.p + pos)) + 1;
            size = strtoul((const char *)c->in.p + pos, &end, 16);
            if ((const uint8_t *)end != eol - 1 || eol[-1] != '\r' || size > (1u << 20)) {
                fail(c, "bad chunk size line");
                break;
            }
            if (size == 0) { /* the last chunk, then the empty trailer line */
                if (avail < line_len + 2)
                    break;
                if (memcmp(eol + 1, "\r\n", 2) != 0)
                    fail(c, "trailers after the last chunk");
                pos += line_len + 2;
                last = 1;
                break;
            }
            pos += line_len;
            c->chunk_left = (long)size;
        }
    }
    buf_consume(&c->in, pos);
    return last;
}

/* Splits the next complete event off c->body; 0 when there is none. */
static int next_event(conn *c, event *ev, size_t *used)
{
    const char *p = (const char *)c->body.p, *end, *line;
    size_t i;
    for (i = 1; i < c->body.len; i++)
        if (p[i] == '\n' && p[i - 1] == '\n')
            break;
    if (i >= c->body.len)
        return 0;
    *used = i + 1;
    memset(ev, 0, sizeof *ev);
    end = p + i;
    for (line = p; line < end;) {
        const char *eol = (const char *)memchr(line, '\n', (size_t)(end - line)), *v;
        size_t name_len, v_len;
        if (!eol)
            eol = end;
        v = (const char *)memchr(line, ':', (size_t)(eol - line));
        name_len = v ? (size_t)(v - line) : (size_t)(eol - line);
        v = v ? v + 1 : eol;
        if (v < eol && *v == ' ')
            v++;
        v_len = (size_t)(eol - v);
        if (name_len == 4 && memcmp(line, "data", 4) == 0) {
            if (ev->has_data)
                fail(c, "an event with two data lines");
            ev->data = v, ev->data_len = v_len, ev->has_data = 1;
        } else if (name_len == 2 && memcmp(line, "id", 2) == 0) {
            ev->id = v, ev->id_len = v_len;
        } else if (name_len == 5 && memcmp(line, "event", 5) == 0) {
            ev->type = v, ev->type_len = v_len;
        } else if (name_len != 0 && !(name_len == 5 && memcmp(line, "retry", 5) == 0)) {
            fail(c, "unexpected field %.*s", (int)name_len, line);
        }
        line = eol + 1;
    }
    return 1;
}

static int is(const char *s, size_t n, const char *lit)
{
    return s && strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static unsigned long long number(const char *s, size_t n, int *ok)
{
    unsigned long long v = 0;
    size_t i;
    *ok = n > 0 && n < 20;
    for (i = 0; i < n && *ok; i++) {
        *ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    return v;
}

/* Head, chunks, events: each complete event goes to on_event. */
static void sse_input(conn *c, spec *s, void (*on_event)(conn *, spec *, const event *))
{
    event ev;
    size_t used;
    int last;
    if (c->phase == SP_HEAD && !sse_head(c))
        return;
    last = dechunk(c);
    while (c->state < ST_DONE && next_event(c, &ev, &used)) {
        if (ev.has_data || ev.type || ev.id)
            on_event(c, s, &ev);
        buf_consume(&c->body, used);
    }
    if (last && c->state < ST_DONE) {
        if (c->phase != SP_DONE || c->body.len != 0)
            fail(c, "the body ended early");
        c->phase = SP_ENDED;
        work_done(c);
    }
}

static int sse_close(conn *c, spec *s)
{
    (void)c;
    (void)s;
    return 1;
}

/* A stream that is over may be closed by the server (keep-alive timeout). */
static void sse_eof(conn *c, spec *s)
{
    (void)s;
    if (c->phase == SP_ENDED && c->state == ST_HOLD)
        finish(c);
}

/* ---- sse-feed ---------------------------------------------------------------- */

static void feed_event(conn *c, spec *s, const event *ev)
{
    int ok_id, ok_data;
    unsigned long long id = number(ev->id, ev->id_len, &ok_id);
    unsigned long long data = number(ev->data, ev->data_len, &ok_data);
    if (ev->type && ev->type_len == 8 && memcmp(ev->type, "instance", 8) == 0)
        return; /* the demo in cluster mode says which instance serves it */
    if (ev->type || !ok_id || !ok_data || id != data || (c->next_id && id != c->next_id)) {
        fail(c, "event %d: id %.*s, data %.*s (expected %llu)", c->got, (int)ev->id_len,
             ev->id ? ev->id : "", (int)ev->data_len, ev->data ? ev->data : "", c->next_id);
        return;
    }
    c->next_id = id + 1;
    c->got++;
    s->checked++;
    if (c->got == s->param)
        work_done(c);
}

static void feed_start(conn *c, spec *s)
{
    (void)s;
    sse_request(c, "/events", NULL);
}

static void feed_input(conn *c, spec *s) { sse_input(c, s, feed_event); }

const kind_op sse_feed_op = {"sse-feed", feed_start, feed_input, sse_eof, sse_close};

/* ---- sse-chat ----------------------------------------------------------------- */

static void sse_chat_start(conn *c, spec *s)
{
    char body[64];
    (void)s;
    snprintf(body, sizeof body, "{\"message\":\"load %d\"}", c->idx);
    sse_request(c, "/api/chat", body);
    c->msg.len = 0;
}

/* The token's text ({"text":"..."} with \" and \\ escapes) onto c->msg. */
static int append_token(conn *c, const event *ev)
{
    size_t i;
    if (ev->data_len < 11 || memcmp(ev->data, "{\"text\":\"", 9) != 0 ||
        memcmp(ev->data + ev->data_len - 2, "\"}", 2) != 0)
        return -1;
    for (i = 9; i < ev->data_len - 2; i++) {
        char ch = ev->data[i];
        if (ch == '\\') {
            ch = ev->data[++i];
            if (ch != '"' && ch != '\\')
                return -1;
        }
        buf_put(&c->msg, &ch, 1);
    }
    return 0;
}

static void sse_chat_event(conn *c, spec *s, const event *ev)
{
    char want[256];
    int n, ok;
    if (c->phase == SP_META) {
        n = snprintf(want, sizeof want, "{\"model\":\"wsx-fake-1\",\"message\":\"load %d\",",
                     c->idx);
        if (!is(ev->type, ev->type_len, "meta") || ev->data_len < (size_t)n ||
            memcmp(ev->data, want, (size_t)n) != 0)
            fail(c, "expected the meta event, got %.*s", (int)ev->data_len, ev->data);
        c->phase = SP_TOKENS;
    } else if (c->phase == SP_TOKENS && is(ev->data, ev->data_len, "[DONE]")) {
        n = snprintf(want, sizeof want,
                     "You said: \"load %d\". This answer is not from a model: sse_server streams "
                     "it one token at a time so you can watch it arrive.",
                     c->idx);
        if (c->msg.len != (size_t)n || memcmp(c->msg.p, want, (size_t)n) != 0)
            fail(c, "the tokens made %.*s", (int)c->msg.len, (const char *)c->msg.p);
        c->phase = SP_DONE;
    } else if (c->phase != SP_TOKENS || ev->type ||
               number(ev->id, ev->id_len, &ok) != (unsigned long long)c->got + 1 || !ok ||
               append_token(c, ev) != 0) {
        fail(c, "token %d: id %.*s data %.*s", c->got + 1, (int)ev->id_len, ev->id ? ev->id : "",
             (int)ev->data_len, ev->data ? ev->data : "");
    } else {
        c->got++;
        s->checked++;
    }
}

static void sse_chat_input(conn *c, spec *s) { sse_input(c, s, sse_chat_event); }

const kind_op sse_chat_op = {"sse-chat", sse_chat_start, sse_chat_input, sse_eof, sse_close};

/* ---- demo-chat: the demo's answer (examples/demo/assistant.c) ------------------ */

static const char *const filler[] = {
    " This",    " answer", " is",      " streamed", " by",     " the",  " wsx",         " demo",
    " server,", " one",    " token",   " per",      " event,", " over", " Server-Sent", " Events.",
    " Each",    " token",  " is",      " written",  " to",     " the",  " socket",      " as",
    " soon",    " as",     " it",      " is",       " ready,", " so",   " a",           " proxy",
    " and",     " the",    " browser", " show",     " it",     " at",   " once.",       " Press",
    " Stop",    " to",     " end",     " it",       " early:", " the",  " history",     " keeps",
    " exactly", " what",   " was",     " sent."};
#define FILLER_COUNT (int)(sizeof filler / sizeof filler[0])
#define DEMO_WORDS 4 /* in the prompt below */

static int demo_prompt(int i, char *out, size_t cap)
{
    return snprintf(out, cap, "load client %d here", i);
}

static int demo_planned(int i)
{
    char p[64];
    int n = demo_prompt(i, p, sizeof p), k;
    unsigned h = 2166136261u;
    for (k = 0; k < n; k++)
        h = (h ^ (unsigned char)p[k]) * 16777619u;
    return 30 + (int)(h % 31);
}

static int demo_token(int i, int k, char *out, size_t cap)
{
    static const char *const words[DEMO_WORDS] = {"load", "client", NULL, "here"};
    if (k < 2)
        return snprintf(out, cap, "%s", k == 0 ? "You" : " asked:");
    k -= 2;
    if (k == 2)
        return snprintf(out, cap, " %d", i);
    if (k < DEMO_WORDS)
        return snprintf(out, cap, " %s", words[k]);
    return snprintf(out, cap, "%s", filler[(k - DEMO_WORDS) % FILLER_COUNT]);
}

static void demo_chat_start(conn *c, spec *s)
{
    char body[96], prompt[64];
    (void)s;
    demo_prompt(c->idx, prompt, sizeof prompt);
    snprintf(body, sizeof body, "{\"message\":\"%s\"}", prompt);
    sse_request(c, "/api/chat", body);
}

static void demo_chat_event(conn *c, spec *s, const event *ev)
{
    char want[128], tok[64];
    int ok;
    if (c->phase == SP_META) {
        if (!is(ev->type, ev->type_len, "meta") || ev->data_len < 9 ||
            memcmp(ev->data, "{\"id\":\"g", 8) != 0)
            fail(c, "expected the meta event, got %.*s", (int)ev->data_len, ev->data);
        c->phase = SP_TOKENS;
    } else if (c->phase == SP_TOKENS && is(ev->data, ev->data_len, "[DONE]")) {
        if (c->got != demo_planned(c->idx))
            fail(c, "[DONE] after %d tokens, planned %d", c->got, demo_planned(c->idx));
        c->phase = SP_DONE;
    } else {
        int tl = demo_token(c->idx, c->got, tok, sizeof tok);
        int n = snprintf(want, sizeof want, "{\"text\":\"%.*s\"}", tl, tok);
        if (c->phase != SP_TOKENS || ev->type || !is(ev->data, ev->data_len, want) ||
            number(ev->id, ev->id_len, &ok) != (unsigned long long)c->got + 1 || !ok) {
            fail(c, "token %d: id %.*s data %.*s, expected %.*s", c->got + 1, (int)ev->id_len,
                 ev->id ? ev->id : "", (int)ev->data_len, ev->data ? ev->data : "", n, want);
            return;
        }
        c->got++;
        s->checked++;
    }
}

static void demo_chat_input(conn *c, spec *s) { sse_input(c, s, demo_chat_event); }

const kind_op demo_chat_op = {"demo-chat", demo_chat_start, demo_chat_input, sse_eof, sse_close};
