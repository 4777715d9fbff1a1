/*
 * chat.c — sse_server's POST /api/chat: a fake LLM answer streamed token
 * by token.
 */
#include "sse_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- /api/chat --------------------------------------------------------- */

/* The length of s[0..n) cut to at most max bytes, never inside a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* The fake answer: a fixed text around the message.  Tokens are the words
 * with the spaces before them (as LLM tokens usually are). */
static int compose_answer(client *c, const char *msg, size_t msg_len)
{
    static const char before[] = "You said: \"";
    static const char after[] = "\". This answer is not from a model: sse_server streams "
                                "it one token at a time so you can watch it arrive.";
    size_t n = 0;
    if (!c->answer && !(c->answer = (char *)malloc(ANSWER_MAX)))
        return -1;
    msg_len = utf8_cut(msg, msg_len, ANSWER_MAX - sizeof before - sizeof after);
    memcpy(c->answer, before, sizeof before - 1);
    n = sizeof before - 1;
    memcpy(c->answer + n, msg, msg_len);
    n += msg_len;
    memcpy(c->answer + n, after, sizeof after - 1);
    c->answer_len = n + sizeof after - 1;
    c->answer_pos = 0;
    return 0;
}

static int queue_msg(server *s, client *c, const wsx_sse_msg *m)
{
    uint8_t ev[META_MAX + 64];
    size_t len;
    return wsx_sse_write(m, ev, sizeof ev, &len) != WSX_OK ? -1 : out_body(s, c, ev, len);
}

/* The first event: what the server understood of the request. */
static int send_meta(server *s, client *c, const char *msg, size_t msg_len, const wsx_header *auth)
{
    char data[META_MAX];
    size_t n = 0;
    wsx_sse_msg m;
    int r;
    msg_len = utf8_cut(msg, msg_len, 256); /* escaped: at most 6 bytes each */
    memcpy(data, "{\"model\":\"wsx-fake-1\",\"message\":", 32);
    n = 32;
    r = json_put_string(data, sizeof data - 64, &n, msg, msg_len);
    memcpy(data + n, ",\"authorization\":", 17);
    n += 17;
    if (auth && auth->value_len <= 512)
        r |= json_put_string(data, sizeof data - 2, &n, auth->value, auth->value_len);
    else {
        memcpy(data + n, "null", 4);
        n += 4;
    }
    data[n++] = '}';
    if (r != 0)
        return -1;
    wsx_sse_msg_init(&m);
    m.type = "meta";
    m.type_len = 4;
    m.data = data;
    m.data_len = n;
    m.retry_ms = s->opt.retry_ms;
    return queue_msg(s, c, &m);
}

/* The next token, or [DONE] and the end of the response. */
void chat_step(server *s, client *c)
{
    const char *tok = c->answer + c->answer_pos, *end = c->answer + c->answer_len;
    const char *p = tok;
    char data[EVENT_MAX], id[24];
    size_t n = 0;
    wsx_sse_msg m;
    if (tok >= end) {
        uint8_t done[32];
        size_t dl;
        if (wsx_sse_write_done(done, sizeof done, &dl) != WSX_OK || out_body(s, c, done, dl) != 0)
            c->out_off = c->out_len = 0;
        end_response(s, c);
        return;
    }
    while (p < end && *p == ' ')
        p++;
    while (p < end && *p != ' ' && p - tok < 64)
        p++;
    while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
        p++; /* never cut a UTF-8 sequence */
    memcpy(data, "{\"text\":", 8);
    n = 8;
    json_put_string(data, sizeof data - 1, &n, tok, (size_t)(p - tok));
    data[n++] = '}';
    c->answer_pos = (size_t)(p - c->answer);
    c->token_id++;
    wsx_sse_msg_init(&m);
    m.id = id;
    m.id_len = (size_t)snprintf(id, sizeof id, "%llu", (unsigned long long)c->token_id);
    m.data = data;
    m.data_len = n;
    queue_msg(s, c, &m);
}

/* Starts the answer to a POST /api/chat whose body is in[head..head+n). */
void start_chat(server *s, client *c, const wsx_http_request *req, const char *body, size_t n)
{
    char msg[BODY_MAX];
    size_t msg_len = 0;
    uint8_t head[512];
    size_t hl;
    int r;
    if (json_string_member(body, n, "message", msg, sizeof msg, &msg_len) != 0) {
        static const char why[] =
            "{\"error\":\"expected a JSON object with a string \\\"message\\\"\"}\n";
        respond(s, c, 400, "application/json", "", why, sizeof why - 1);
        return;
    }
    r = stream_head(s, c, req, head, sizeof head, &hl);
    c->out_off = c->out_len = 0;
    if (r != 0 || compose_answer(c, msg, msg_len) != 0 || out_put(s, c, head, hl) != 0 ||
        send_meta(s, c, msg, msg_len,
                  wsx_http_header_next(req->headers, req->num_headers, "Authorization", NULL)) !=
            0) {
        c->gzip = 0;
        respond_error(s, c, 500, "");
        return;
    }
    c->token_id = 0;
    c->next_token_ms = net_now_ms() + s->opt.token_ms;
    c->phase = PH_CHAT;
    note("/api/chat", c->fd);
}
