/*
 * chat.c — GET /ws: the WebSocket chat (see demo.h for the messages).
 *
 *   - Chat JSON: a tiny strict reader (examples/common/json.c).  A message
 *     that is not one of the shapes in demo.h (malformed JSON, unknown type
 *     or key, chat before hello, a second hello, a bad name) closes the
 *     connection with 1008 (policy violation) and a reason; binary messages
 *     close with 1003; a message over 64 KiB with 1009 (the wsx decoder
 *     refuses it from its header).
 *   - Names: 1-32 bytes, no control characters, no comma; a name in use
 *     gets a "-2", "-3"... suffix (the welcome says which).
 *   - The text is relayed as the client escaped it (validated, never
 *     re-escaped: the relay is never larger than the message plus the
 *     envelope).
 *   - Heartbeat (wsx connection layer): ping after --ping-ms (20000) of
 *     silence, dead after --pong-timeout-ms (10000) more; a message not
 *     complete within --message-timeout-ms (60000) of its first byte
 *     closes with 1008 (the wsx message timeout).  A sender is paused
 *     (its input waits, unread) while a relay has left a reader's queue
 *     over half full, until no queue is, or for RELAY_WAIT_MS (1 s) at
 *     most: one read of compressed input can hold a thousand messages,
 *     and relayed at once they would overflow the queue of a reader
 *     however fast it reads.  A client whose output
 *     queue (256 KiB) cannot take a relayed message is closed with 1013:
 *     how much others send is not its fault, so the kernel's bytes are
 *     not counted here as they are for a feed (--max-lag), or a reader
 *     slower than a burst would be closed; one that takes nothing for
 *     --stall-ms is closed (conn.c).
 */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sends text to a chat client; a client that cannot take it is closed with
 * 1013 (try again later). */
static void ws_send(client *c, const char *text, size_t len)
{
    int r;
    if (c->dead || !c->ws || c->ws->name_len == 0)
        return;
    r = wsx_ws_conn_send(&c->ws->conn, WSX_WS_OP_TEXT, text, len);
    if (r == WSX_OK && pending_output(c) > WS_QUEUE / 2)
        c->srv->relay_full = 1;
    if (r == WSX_E_CONN_QUEUE_FULL || r == WSX_E_BUFFER) {
        static const char reason[] = "too slow";
        wsx_ws_conn_close(&c->ws->conn, 1013, reason, sizeof reason - 1, net_now_ms());
        logmsg("chat: %.*s too slow, closed", (int)c->ws->name_len, c->ws->name);
    }
    mark(c);
}

static void broadcast_notice(server *s, const char *type, const char *name, size_t len,
                             client *except)
{
    char msg[64 + 6 * NAME_MAX_LEN];
    size_t n = 0;
    client *c;
    n = (size_t)snprintf(msg, sizeof msg, "{\"type\":\"%s\",\"name\":\"", type);
    buf_put_escaped(msg, sizeof msg, &n, name, len);
    PUT_LIT(msg, sizeof msg, &n, "\"}");
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_WS && c != except)
            ws_send(c, msg, n);
    if (type[0] == 'j')
        cluster_chat_joined(s, name, len, msg, n);
    else
        cluster_chat_left(s, name, len, msg, n);
}

/* 1 when name[0..len) is one of the comma-separated names in list. */
static int listed(const char *list, size_t list_len, const char *name, size_t len)
{
    const char *p = list, *end = list + list_len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if ((size_t)(stop - p) == len && memcmp(p, name, len) == 0)
            return 1;
        p = stop + 1;
    }
    return 0;
}

/* A message from another instance (cluster_chat.c): to every named
 * client here, or to those named in `to` (comma-separated). */
void chat_deliver(server *s, const char *to, size_t to_len, const char *json, size_t len)
{
    client *c;
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_WS && !c->dead && c->ws->name_len > 0 &&
            (to_len == 0 || listed(to, to_len, c->ws->name, c->ws->name_len)))
            ws_send(c, json, len);
}

void chat_leave(client *c)
{
    char name[NAME_MAX_LEN];
    size_t len = c->ws->name_len;
    if (len == 0)
        return;
    memcpy(name, c->ws->name, len);
    c->ws->name_len = 0; /* no longer listed */
    broadcast_notice(c->srv, "leave", name, len, c);
    logmsg("chat: %.*s left", (int)len, name);
}

static client *chat_user(server *s, const char *name, size_t len)
{
    client *c;
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_WS && !c->dead && c->ws->name_len == len &&
            memcmp(c->ws->name, name, len) == 0)
            return c;
    return NULL;
}

static int name_ok(const char *name, size_t len)
{
    size_t i;
    if (len == 0 || len > NAME_MAX_LEN || name[0] == ' ' || name[len - 1] == ' ')
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F || name[i] == ',')
            return 0;
    return wsx_utf8_valid(name, len);
}

static void ws_policy_close(client *c, const char *why)
{
    wsx_ws_conn_close(&c->ws->conn, 1008, why, strlen(why), net_now_ms());
    logmsg("chat: closed a client (1008): %s", why);
    mark(c);
}

/* name[0..len) unique in the room: a name in use gets "-2", "-3"...
 * Returns the new length. */
static size_t unique_name(server *s, char *name, size_t len)
{
    size_t base = len;
    int suffix = 1;
    while (chat_user(s, name, len)) {
        char sfx[16];
        int k = snprintf(sfx, sizeof sfx, "-%d", ++suffix);
        if (base + (size_t)k > NAME_MAX_LEN) { /* cut, never inside a UTF-8 sequence */
            base = NAME_MAX_LEN - (size_t)k;
            while (base > 0 && ((unsigned char)name[base] & 0xC0) == 0x80)
                base--;
        }
        memcpy(name + base, sfx, (size_t)k);
        len = base + (size_t)k;
    }
    return len;
}

/* Appends the names in the room as JSON strings (capped: enough for a
 * demo). */
static void put_users(server *s, char *msg, size_t cap, size_t *n)
{
    int count = 0;
    client *o;
    for (o = s->clients; o && count < 8 * 6; o = o->next) {
        size_t save = *n;
        if (o->kind != K_WS || o->dead || o->ws->name_len == 0)
            continue;
        if ((count ? PUT_LIT(msg, cap, n, ",\"") : PUT_LIT(msg, cap, n, "\"")) != 0 ||
            buf_put_escaped(msg, cap, n, o->ws->name, o->ws->name_len) != 0 ||
            PUT_LIT(msg, cap, n, "\"") != 0 || cap - *n < 4) {
            *n = save;
            break;
        }
        count++;
    }
    cluster_put_users(s, msg, cap, n, &count); /* those on the other instances */
}

static void chat_hello(client *c, const json_member *name_m)
{
    server *s = c->srv;
    char name[NAME_MAX_LEN + 1];
    char msg[256 + 6 * NAME_MAX_LEN * 8];
    long got = json_unescape(name_m->raw, name_m->raw_len, name, NAME_MAX_LEN);
    size_t n = 0, len;
    if (got < 0 || !name_ok(name, (size_t)got)) {
        ws_policy_close(c, "bad name");
        return;
    }
    len = unique_name(s, name, (size_t)got);
    memcpy(c->ws->name, name, len);
    c->ws->name_len = len;
    /* welcome: who is here */
    PUT_LIT(msg, sizeof msg, &n, "{\"type\":\"welcome\",\"name\":\"");
    buf_put_escaped(msg, sizeof msg, &n, name, len);
    PUT_LIT(msg, sizeof msg, &n, "\",\"users\":[");
    put_users(s, msg, sizeof msg, &n);
    PUT_LIT(msg, sizeof msg, &n, "]");
    if (cluster_instance(s)) { /* which instance serves it (the page shows it) */
        PUT_LIT(msg, sizeof msg, &n, ",\"instance\":\"");
        buf_put(msg, sizeof msg, &n, cluster_instance(s), strlen(cluster_instance(s)));
        PUT_LIT(msg, sizeof msg, &n, "\"");
    }
    PUT_LIT(msg, sizeof msg, &n, "}");
    ws_send(c, msg, n);
    broadcast_notice(s, "join", name, len, NULL);
    logmsg("chat: %.*s joined", (int)len, name);
}

/* The distinct named users of `to` here other than c (at most
 * MAX_RECIPIENTS: the caller checked); all the names, comma-separated, in
 * names[0..*names_len) for the other instances. */
static size_t recipients(client *c, const json_member *to, client **dest, char *names,
                         size_t *names_len)
{
    size_t pos = 0, raw_len, ndest = 0, i;
    const char *raw;
    *names_len = 0;
    while (json_array_next(to, &pos, &raw, &raw_len)) {
        char name[NAME_MAX_LEN];
        long len = json_unescape(raw, raw_len, name, sizeof name);
        client *d = len > 0 ? chat_user(c->srv, name, (size_t)len) : NULL;
        if (len > 0 && !memchr(name, ',', (size_t)len)) {
            if (*names_len)
                names[(*names_len)++] = ',';
            memcpy(names + *names_len, name, (size_t)len);
            *names_len += (size_t)len;
        }
        for (i = 0; d && i < ndest; i++)
            if (dest[i] == d)
                d = NULL;
        if (d && d != c)
            dest[ndest++] = d;
    }
    return ndest;
}

static void chat_message(client *c, const json_member *text, const json_member *to)
{
    static char msg[WS_MAX_MESSAGE + 512];
    client *dest[MAX_RECIPIENTS];
    char names[MAX_RECIPIENTS * (NAME_MAX_LEN + 1)];
    size_t n = 0, ndest = 0, i, names_len = 0;
    if (to && to->count > MAX_RECIPIENTS) {
        ws_policy_close(c, "too many recipients");
        return;
    }
    PUT_LIT(msg, sizeof msg, &n, "{\"type\":\"chat\",\"from\":\"");
    buf_put_escaped(msg, sizeof msg, &n, c->ws->name, c->ws->name_len);
    PUT_LIT(msg, sizeof msg, &n, "\",\"text\":\"");
    buf_put(msg, sizeof msg, &n, text->raw, text->raw_len); /* validated, as escaped */
    PUT_LIT(msg, sizeof msg, &n, "\"");
    if (to) {
        ndest = recipients(c, to, dest, names, &names_len);
        PUT_LIT(msg, sizeof msg, &n, ",\"to\":");
        buf_put(msg, sizeof msg, &n, to->raw, to->raw_len);
    }
    PUT_LIT(msg, sizeof msg, &n, "}");
    if (!to || names_len > 0)
        cluster_chat_sent(c->srv, names, names_len, msg, n);
    if (!to) {
        client *o;
        for (o = c->srv->clients; o; o = o->next)
            if (o->kind == K_WS)
                ws_send(o, msg, n);
        return;
    }
    ws_send(c, msg, n);
    for (i = 0; i < ndest; i++)
        ws_send(dest[i], msg, n);
}

static int on_ws_message(void *user, unsigned opcode, const uint8_t *data, size_t len)
{
    client *c = (client *)user;
    json_member m[4];
    const json_member *type, *name, *text, *to;
    int n;
    if (c->dead || wsx_ws_conn_state(&c->ws->conn) != WSX_WS_OPEN)
        return 0;
    c->srv->relay_full = 0;
    if (opcode != WSX_WS_OP_TEXT) {
        static const char reason[] = "text messages only";
        wsx_ws_conn_close(&c->ws->conn, 1003, reason, sizeof reason - 1, net_now_ms());
        return 0;
    }
    n = json_object((const char *)data, len, m, 4);
    if (n < 0) {
        ws_policy_close(c, "malformed JSON");
        return 0;
    }
    type = json_find(m, (size_t)n, "type");
    name = json_find(m, (size_t)n, "name");
    text = json_find(m, (size_t)n, "text");
    to = json_find(m, (size_t)n, "to");
    if (json_is(type, "hello") && name && !name->is_array && n == 2) {
        if (c->ws->name_len > 0)
            ws_policy_close(c, "hello twice");
        else
            chat_hello(c, name);
    } else if (json_is(type, "chat") && text && !text->is_array && (!to || to->is_array) &&
               n == 2 + (to != NULL)) {
        if (c->ws->name_len == 0)
            ws_policy_close(c, "hello first");
        else
            chat_message(c, text, to);
    } else {
        ws_policy_close(c, "unknown message");
    }
    return c->srv->relay_full; /* pause: let the readers' queues drain first */
}

static const wsx_ws_callbacks ws_callbacks = {NULL, on_ws_message, NULL, NULL, NULL, NULL, NULL};

/* Feeds in[0..in_len) to the connection.  A relay that leaves a reader's
 * queue over half full pauses the feed: the rest waits in c->in (and c is
 * not read) until ws_resume_paused.  Otherwise one read of compressed
 * input (a thousand messages) would be relayed at once and overflow every
 * reader's queue (1013), however fast it reads. */
void ws_input(client *c)
{
    size_t used = 0;
    int was_paused = c->ws->paused;
    int r = wsx_ws_conn_feed(&c->ws->conn, &c->ws->feed, c->in, c->in_len, net_now_ms(), &used);
    c->ws->paused = r == WSX_PAUSED && !c->dead;
    if (c->ws->paused) {
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        if (!was_paused)
            c->ws->paused_ms = net_now_ms();
        c->srv->any_paused = 1;
    } else {
        c->in_len = 0; /* everything is consumed (or the connection failed) */
    }
    mark(c);
}

/* Feeds the paused chat clients on once no reader's queue is over half
 * full, or after RELAY_WAIT_MS: a reader that does not drain half of its
 * queue in that time then fills up and is closed (1013), so it cannot
 * hold the room. */
void ws_resume_paused(server *s, uint64_t now)
{
    client *c;
    int congested = 0;
    if (!s->any_paused)
        return;
    for (c = s->clients; c && !congested; c = c->next)
        congested = c->kind == K_WS && !c->dead && pending_output(c) > WS_QUEUE / 2;
    s->any_paused = 0;
    for (c = s->clients; c; c = c->next) {
        if (c->kind != K_WS || c->dead || !c->ws->paused)
            continue;
        if (!congested || now - c->ws->paused_ms >= RELAY_WAIT_MS)
            ws_input(c);
        else
            s->any_paused = 1;
    }
}

void start_ws(client *c, const wsx_http_request *req, size_t head_len)
{
    server *s = c->srv;
    char resp[WSX_HS_RESPONSE_SIZE];
    size_t n = 0;
    wsx_hs_request info;
    int r = wsx_hs_server_answer_request(&s->hs_cfg, req, &info, resp, sizeof resp, &n);
    if (r != WSX_OK) {
        c->keep_alive = 0;
        c->close_after = 1;
        if (r != WSX_E_BUFFER) /* (then n is the size it needed: nothing to send) */
            out_append(c, resp, n);
        logmsg("refused an upgrade: %s", wsx_strerror(r));
        return;
    }
    c->ws = (ws_state *)malloc(sizeof *c->ws);
    if (!c->ws) {
        respond_text(c, 503, NULL, "out of memory\n");
        return;
    }
    wsx_ws_conn_init(&c->ws->conn, &s->ws_cfg, c->ws->queue, WS_QUEUE);
    c->ws->pmd = NULL;
    if (info.permessage_deflate &&
        !(c->ws->pmd = pmd_attach(&c->ws->conn, &info.deflate, WSX_WS_SERVER, 0))) {
        free(c->ws);
        c->ws = NULL;
        respond_text(c, 503, NULL, "out of memory\n");
        return;
    }
    out_append(c, resp, n);
    wsx_ws_conn_open(&c->ws->conn, net_now_ms());
    wsx_ws_feed_init(&c->ws->feed, &ws_callbacks, c, c->ws->msg, WS_MAX_MESSAGE);
    c->ws->name_len = 0;
    c->ws->paused = 0;
    c->kind = K_WS;
    /* Frames right behind the head (RFC 6455 section 4.1) come first. */
    memmove(c->in, c->in + head_len, c->in_len - head_len);
    c->in_len -= head_len;
    if (c->in_len > 0)
        ws_input(c);
}
