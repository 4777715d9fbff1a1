/*
 * sse_server — a Server-Sent Events demo server on poll(), built on wsx.
 *
 *   sse_server [--host H] [--port N] [--interval-ms MS] [--keepalive-ms MS]
 *              [--retry-ms MS] [--drop-after N] [--token-ms MS]
 *              [--replay N] [--buffer BYTES] [--sndbuf BYTES]
 *              [--max-clients N] [--allow-origin ORIGIN] [--verbose]
 *
 * Routes:
 *   GET /events     a live numbered feed.  One global counter advances every
 *                   --interval-ms (default 1000) whether or not anyone
 *                   listens; event n has "id: n" and "data: n", and every
 *                   client sees the same n at the same time.  The response
 *                   starts with "retry: --retry-ms" (default 1000) so that
 *                   browsers come back quickly.  A comment ": keep-alive"
 *                   goes out when a connection was quiet for --keepalive-ms
 *                   (default 15000).  --drop-after N closes each /events
 *                   connection after N events (to test resuming).
 *   POST /api/chat  body {"message": "..."} (JSON, at most 16 KiB, sent
 *                   with Content-Length or Transfer-Encoding: chunked): a
 *                   fake LLM answer streamed token by token.
 *                   First "event: meta" (data: a JSON object with the model
 *                   name, the message and the Authorization header the
 *                   request carried, or null), then one event per token
 *                   ("id: k", "data: {"text":"..."}"), one every --token-ms
 *                   (default 50), then "data: [DONE]", then the response
 *                   ends.
 *   GET /           a small HTML page that shows /events with EventSource.
 *   HEAD            for /events and /: the head GET would get, no body
 *                   (RFC 9110 section 9.3.2); the connection then waits
 *                   for the next request as after any complete response.
 * Anything else is answered 404, a wrong method 405 (with Allow), a bad
 * head 400/414/431/505 (the status wsx_err_http_status() gives for the
 * parser's error), a POST with neither Content-Length nor Transfer-Encoding
 * 411, a body that is too large 413 (the same 16 KiB limit for both
 * framings: a chunked body is refused as soon as its decoded size, or one
 * chunk's declared size, goes over), a malformed chunked body 400 (431 for
 * oversized trailers), a transfer coding other than chunked 501, and what
 * RFC 9112 sections 6.1 and 6.3 call unreliable framing 400:
 * Transfer-Encoding with Content-Length, in an HTTP/1.0 request, or not
 * ending in chunked.  Every error response closes the connection; to a
 * HEAD request it carries no body.
 *
 * Decisions:
 *   - Framing.  For an HTTP/1.1 request both streams use Transfer-Encoding:
 *     chunked (wsx_chunked_header around each event), so the end of a chat
 *     ([DONE]) is a clean end of body, "0\r\n\r\n", and the connection
 *     then waits for the next request (HTTP/1.1 persistence, as the
 *     "Connection: keep-alive" of the wsx head promises; no pipelining).
 *     HTTP/1.0 clients get a body delimited by the close.  --drop-after
 *     closes the connection after the N-th event WITHOUT the last chunk:
 *     the client sees what it sees when a server or proxy goes away (an
 *     EventSource treats both as "reconnect").  Simple responses (errors,
 *     the page) carry Content-Length and Connection: close.  Whenever the
 *     server closes, it half-closes first (FIN) and waits briefly for the
 *     client to close (a "lingering close", so the kernel never resets the
 *     connection under the last bytes).
 *   - Resuming.  Every event also goes into a wsx replay window (--replay
 *     events, default 1000, numeric ids).  A request with Last-Event-ID n
 *     gets the stored events after n, then the live feed.  When n is not in
 *     the window the server sends one "event: reset" whose id is where the
 *     stream resumes from and whose data is {"lastEventId":"n",
 *     "resumeAfter":F}: if n is a number older than the window, F is the
 *     id just before the oldest stored event and all stored events follow
 *     (the client knows it lost n+1..F); otherwise (n is newer than
 *     anything sent: the server restarted; or not a number) F is the
 *     current counter and the live feed follows.  A client without
 *     Last-Event-ID starts with the live feed (no history).
 *   - Slow clients.  Each connection has one output buffer of --buffer
 *     bytes (default 64 KiB), written with non-blocking writes; nothing
 *     ever blocks the loop.  A /events client whose buffer cannot take the
 *     next event is dropped (it can reconnect with Last-Event-ID and get
 *     what it missed from the replay window).  The kernel buffers more in
 *     front of it (Linux autotunes a send buffer up to 4 MiB): --sndbuf
 *     BYTES sets SO_SNDBUF to bound that too.  A replay larger than the
 *     buffer sends what fits and closes the connection: the client resumes
 *     from there.  A chat stream is finite, so it waits instead: no token is
 *     generated while its buffer is more than half full.
 *   - Chunked uploads.  The body is decoded with wsx_chunked as it arrives,
 *     in place: the data moves down to right behind the head (decoding
 *     never lengthens bytes), so the request buffer holds the head, the
 *     decoded body and one read, never the chunk framing.
 *   - Timeouts.  A request head (and body) must arrive within 10 s (also
 *     the idle time allowed between requests); the end of a response must
 *     be delivered within 10 s.
 *
 * SIGINT or SIGTERM stop it (exit status 0).  --port 0 picks a free port;
 * the "listening" line says which.
 */
#include "json.h"
#include "net.h"

#include <wsx.h>
#include <wsx_http.h>
#include <wsx_sse.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- options ----------------------------------------------------------- */

typedef struct options {
    const char *host;
    int port;
    uint64_t interval_ms;
    uint32_t keepalive_ms;
    uint32_t retry_ms;
    uint64_t drop_after;        /* 0: never */
    uint64_t token_ms;
    size_t replay;
    size_t buffer;
    int sndbuf;                 /* SO_SNDBUF per client; 0: the system's */
    size_t max_clients;
    const char *allow_origin;
    int verbose;
} options;

#define HEAD_MAX 16384          /* request head */
#define BODY_MAX 16384          /* POST body */
#define IN_CAP (HEAD_MAX + BODY_MAX)
#define HEAD_TIMEOUT_MS 10000u
#define FINISH_MS 10000u        /* to deliver the end of a response */
#define LINGER_MS 2000u
#define MAX_HEADERS 64
#define EVENT_MAX 512           /* one serialized feed or token event */
#define ANSWER_MAX 12288        /* fake answer text */
#define META_MAX 8192           /* the meta event's data */

/* ---- clients ----------------------------------------------------------- */

enum phase {
    PH_HEAD,    /* reading the request head (and body) */
    PH_EVENTS,  /* streaming /events */
    PH_CHAT,    /* streaming a chat answer */
    PH_FINISH,  /* response complete: flush, then half-close */
    PH_LINGER   /* half-closed: discard input until EOF or the deadline */
};

typedef struct client {
    int fd;
    enum phase phase;
    uint64_t deadline;          /* PH_HEAD, PH_FINISH, PH_LINGER */
    int dead;                   /* close at the next round (too slow) */
    wsx_http_parser http;
    char in[IN_CAP];
    size_t in_len;
    int sent_continue;          /* "100 Continue" already written */
    int head_only;              /* a HEAD request: never a response body */
    int body_chunked;           /* the request body is chunked: body_dec */
    wsx_chunked body_dec;
    size_t body_len;            /* chunked: decoded bytes, at in[head..) */
    int chunked;                /* response body framed as chunks */
    int keep_alive;             /* HTTP/1.1 request without Connection: close */
    int reuse;                  /* after this response: read the next request */
    uint8_t *out;               /* out[out_off..out_len) waits for the socket */
    size_t out_off, out_len;
    uint64_t last_write_ms;     /* last bytes queued (keep-alive timing) */
    uint64_t events_sent;       /* /events: events on this connection */
    /* chat */
    char answer[ANSWER_MAX];
    size_t answer_len, answer_pos;
    uint64_t token_id;
    uint64_t next_token_ms;
} client;

typedef struct server {
    options opt;
    int listen_fd;
    client **clients;
    size_t nclients;
    uint64_t seq;               /* id of the newest feed event */
    uint64_t next_tick_ms;
    wsx_sse_replay replay;
    void *replay_mem;
} server;

static int verbose;

static void note(const char *what, int fd)
{
    if (verbose)
        fprintf(stderr, "sse_server: fd %d: %s\n", fd, what);
}

/* ---- output buffer ----------------------------------------------------- */

/* Room for n more bytes after compacting, without moving anything yet. */
static int out_fits(const server *s, const client *c, size_t n)
{
    return c->out_len - c->out_off + n <= s->opt.buffer;
}

/* Appends raw bytes; 0, or -1 when they do not fit (nothing appended). */
static int out_put(server *s, client *c, const void *bytes, size_t n)
{
    if (!out_fits(s, c, n))
        return -1;
    if (c->out_len + n > s->opt.buffer) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    memcpy(c->out + c->out_len, bytes, n);
    c->out_len += n;
    c->last_write_ms = net_now_ms();
    return 0;
}

/* Appends body bytes, as one chunk when the response is chunked. */
static int out_body(server *s, client *c, const void *bytes, size_t n)
{
    char head[WSX_CHUNKED_HEADER_MAX];
    size_t hl;
    if (!c->chunked)
        return out_put(s, c, bytes, n);
    hl = wsx_chunked_header(n, head);
    if (n == 0 || !out_fits(s, c, hl + n + 2))
        return -1;
    out_put(s, c, head, hl);
    out_put(s, c, bytes, n);
    return out_put(s, c, WSX_CHUNKED_CRLF, 2);
}

/* The response is complete: flush (within FINISH_MS), then half-close
 * (or, when c->reuse, wait for the next request). */
static void finish(client *c)
{
    c->phase = PH_FINISH;
    c->deadline = net_now_ms() + FINISH_MS;
}

/* The clean end of a streamed body: the last chunk, and the connection
 * stays open for the next request; HTTP/1.0: the close ends the body. */
static void end_response(server *s, client *c)
{
    if (c->chunked && out_put(s, c, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN) != 0)
        c->dead = 1; /* hopeless: just close */
    c->reuse = c->chunked && c->keep_alive;
    finish(c);
}

/* Ends a stream by closing the connection once the pending bytes are out,
 * without the last chunk: what a client sees when a server or a proxy goes
 * away (--drop-after, a replay that does not fit). */
static void drop_stream(client *c)
{
    c->reuse = 0;
    finish(c);
}

/* Writes what is pending until done or EAGAIN.  0, or -1 if the socket
 * failed. */
static int flush_out(client *c)
{
    while (c->out_off < c->out_len) {
        ssize_t k = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->out_off += (size_t)k;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

/* ---- client lifetime --------------------------------------------------- */

static client *client_new(server *s, int fd)
{
    client *c = (client *)malloc(sizeof *c + s->opt.buffer);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->phase = PH_HEAD;
    c->deadline = net_now_ms() + HEAD_TIMEOUT_MS;
    c->out = (uint8_t *)(c + 1);
    c->last_write_ms = net_now_ms();
    wsx_http_parser_init(&c->http, NULL);
    return c;
}

static void client_close(server *s, size_t i)
{
    client *c = s->clients[i];
    note("closed", c->fd);
    close(c->fd);
    free(c);
    s->clients[i] = s->clients[--s->nclients];
}

/* ---- simple responses -------------------------------------------------- */

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

/* A whole response with Content-Length and Connection: close; then the
 * client is finished.  extra: more header lines (each ending in CRLF) or "". */
static void respond(server *s, client *c, int status, const char *type, const char *extra,
                    const char *body, size_t body_len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
                     "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
                     status, reason_of(status), type, (unsigned long)body_len, extra);
    c->out_off = c->out_len = 0;
    if (n < 0 || (size_t)n >= sizeof head || out_put(s, c, head, (size_t)n) != 0 ||
        (!c->head_only && out_put(s, c, body, body_len) != 0))
        c->out_off = c->out_len = 0;
    finish(c);
}

static void respond_error(server *s, client *c, int status, const char *extra)
{
    char body[128];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason_of(status));
    respond(s, c, status, "text/plain; charset=utf-8", extra, body, (size_t)n);
}

static const char index_html[] =
    "<!doctype html>\n<meta charset=utf-8>\n<title>wsx sse_server</title>\n"
    "<h1>/events</h1>\n<pre id=log></pre>\n<script>\n"
    "const log = document.getElementById('log');\n"
    "const es = new EventSource('/events');\n"
    "es.onmessage = (e) => { log.textContent = 'id ' + e.lastEventId + ': ' + e.data + "
    "'\\n' + log.textContent; };\n"
    "es.onerror = () => { log.textContent = '(reconnecting)\\n' + log.textContent; };\n"
    "</script>\n";

/* ---- /events ----------------------------------------------------------- */

/* Queues one serialized event (from the replay window or live); ends the
 * response after --drop-after events.  -1: it did not fit. */
static int send_feed_event(server *s, client *c, const uint8_t *bytes, size_t len)
{
    if (out_body(s, c, bytes, len) != 0)
        return -1;
    c->events_sent++;
    if (s->opt.drop_after && c->events_sent >= s->opt.drop_after)
        drop_stream(c);
    return 0;
}

/* The "event: reset" block for a Last-Event-ID not in the window (see the
 * decisions at the top). */
static int send_reset(server *s, client *c, const char *last, size_t last_len,
                      uint64_t resume_after)
{
    char data[384], id[24];
    uint8_t ev[EVENT_MAX];
    size_t n = 0;
    ptrdiff_t len;
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
    len = wsx_sse_write(&m, ev, sizeof ev);
    return len < 0 ? -1 : out_body(s, c, ev, (size_t)len);
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
            drop_stream(c); /* the rest next time, from the last id sent */
            return;
        }
    }
}

/* Starts a /events response. */
static void start_events(server *s, client *c, const wsx_http_request *req)
{
    uint8_t head[512], retry[64];
    wsx_sse_head_config hc;
    wsx_sse_msg m;
    const wsx_header *last =
        wsx_http_header_next(req->headers, req->num_headers, "Last-Event-ID", NULL);
    ptrdiff_t hl, rl;
    memset(&hc, 0, sizeof hc);
    c->chunked = hc.chunked = req->minor_version >= 1;
    hc.connection_close = !c->chunked; /* HTTP/1.0: the stream ends at close */
    hc.allow_origin = s->opt.allow_origin;
    hl = wsx_sse_response_head(&hc, head, sizeof head);
    wsx_sse_msg_init(&m);
    m.retry_ms = s->opt.retry_ms;
    rl = wsx_sse_write(&m, retry, sizeof retry);
    if (hl < 0 || rl < 0) {
        respond_error(s, c, 500, "");
        return;
    }
    c->out_off = c->out_len = 0;
    out_put(s, c, head, (size_t)hl);
    if (c->head_only) { /* the same head, no body: the response is complete */
        note("HEAD /events", c->fd);
        c->reuse = c->keep_alive;
        finish(c);
        return;
    }
    out_body(s, c, retry, (size_t)rl);
    c->phase = PH_EVENTS;
    note("/events", c->fd);
    replay_missed(s, c, last ? last->value : NULL, last ? last->value_len : 0);
}

/* The timer: the next feed event, to the window and to every listener. */
static void tick(server *s)
{
    char id[24];
    uint8_t ev[EVENT_MAX];
    wsx_sse_msg m;
    ptrdiff_t len;
    size_t i;
    s->seq++;
    wsx_sse_msg_init(&m);
    m.id = id;
    m.id_len = (size_t)snprintf(id, sizeof id, "%llu", (unsigned long long)s->seq);
    m.data = id;
    m.data_len = m.id_len;
    len = wsx_sse_write(&m, ev, sizeof ev);
    if (len < 0 || wsx_sse_replay_append(&s->replay, &m) != WSX_OK)
        return;
    for (i = 0; i < s->nclients; i++) {
        client *c = s->clients[i];
        if (c->phase == PH_EVENTS && send_feed_event(s, c, ev, (size_t)len) != 0) {
            note("too slow: dropped", c->fd);
            c->dead = 1;
        }
    }
}

/* ---- /api/chat --------------------------------------------------------- */

/* The fake answer: a fixed text around the message.  Tokens are the words
 * with the spaces before them (as LLM tokens usually are). */
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

static void compose_answer(client *c, const char *msg, size_t msg_len)
{
    static const char before[] = "You said: \"";
    static const char after[] = "\". This answer is not from a model: sse_server streams "
                                "it one token at a time so you can watch it arrive.";
    size_t n = 0;
    msg_len = utf8_cut(msg, msg_len, ANSWER_MAX - sizeof before - sizeof after);
    memcpy(c->answer, before, sizeof before - 1);
    n = sizeof before - 1;
    memcpy(c->answer + n, msg, msg_len);
    n += msg_len;
    memcpy(c->answer + n, after, sizeof after - 1);
    c->answer_len = n + sizeof after - 1;
    c->answer_pos = 0;
}

static int queue_msg(server *s, client *c, const wsx_sse_msg *m)
{
    uint8_t ev[META_MAX + 64];
    ptrdiff_t len = wsx_sse_write(m, ev, sizeof ev);
    return len < 0 ? -1 : out_body(s, c, ev, (size_t)len);
}

/* The first event: what the server understood of the request. */
static int send_meta(server *s, client *c, const char *msg, size_t msg_len,
                     const wsx_header *auth)
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
static void chat_step(server *s, client *c)
{
    const char *tok = c->answer + c->answer_pos, *end = c->answer + c->answer_len;
    const char *p = tok;
    char data[EVENT_MAX], id[24];
    size_t n = 0;
    wsx_sse_msg m;
    if (tok >= end) {
        uint8_t done[32];
        ptrdiff_t dl = wsx_sse_write_done(done, sizeof done);
        if (dl < 0 || out_body(s, c, done, (size_t)dl) != 0)
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
static void start_chat(server *s, client *c, const wsx_http_request *req, const char *body,
                       size_t n)
{
    char msg[BODY_MAX];
    size_t msg_len = 0;
    uint8_t head[512];
    wsx_sse_head_config hc;
    ptrdiff_t hl;
    if (json_string_member(body, n, "message", msg, sizeof msg, &msg_len) != 0) {
        static const char why[] = "{\"error\":\"expected a JSON object with a string \\\"message\\\"\"}\n";
        respond(s, c, 400, "application/json", "", why, sizeof why - 1);
        return;
    }
    memset(&hc, 0, sizeof hc);
    c->chunked = hc.chunked = req->minor_version >= 1;
    hc.connection_close = !c->chunked; /* HTTP/1.0: the stream ends at close */
    hc.allow_origin = s->opt.allow_origin;
    hl = wsx_sse_response_head(&hc, head, sizeof head);
    c->out_off = c->out_len = 0;
    if (hl < 0 || out_put(s, c, head, (size_t)hl) != 0 ||
        send_meta(s, c, msg, msg_len,
                  wsx_http_header_next(req->headers, req->num_headers, "Authorization", NULL)) != 0) {
        respond_error(s, c, 500, "");
        return;
    }
    compose_answer(c, msg, msg_len);
    c->token_id = 0;
    c->next_token_ms = net_now_ms() + s->opt.token_ms;
    c->phase = PH_CHAT;
    note("/api/chat", c->fd);
}

/* ---- requests ---------------------------------------------------------- */

static int path_is(const wsx_http_request *req, const char *path)
{
    size_t n = strlen(path), len = req->target_len;
    const char *q = (const char *)memchr(req->target, '?', len);
    if (q)
        len = (size_t)(q - req->target);
    return len == n && memcmp(req->target, path, n) == 0;
}

static int method_is(const wsx_http_request *req, const char *m)
{
    return req->method_len == strlen(m) && memcmp(req->method, m, req->method_len) == 0;
}

/* The Transfer-Encoding of a request (all its field lines, RFC 9110
 * section 5.3): 1 for exactly "chunked"; otherwise the status to answer:
 * 400 when chunked is not the last coding (RFC 9112 section 6.3: the length
 * cannot be known), 501 for codings before it that we do not implement
 * (section 6.1). */
static int transfer_coding(const wsx_http_request *req)
{
    const wsx_header *te = NULL;
    int codings = 0, last_chunked = 0;
    while ((te = wsx_http_header_next(req->headers, req->num_headers, "Transfer-Encoding", te))) {
        const char *pos = te->value, *item;
        size_t item_len;
        while (wsx_http_list_next(&pos, te->value + te->value_len, &item, &item_len)) {
            codings++;
            last_chunked = wsx_http_list_has(item, item_len, "chunked");
        }
    }
    if (!last_chunked)
        return 400;
    return codings == 1 ? 1 : 501;
}

enum { BODY_CHUNKED = 1, BODY_LENGTH = 2 };

/* How the body of a request is delimited (RFC 9112 section 6.3, server
 * side): BODY_CHUNKED (c->body_dec is ready), BODY_LENGTH (Content-Length,
 * in *len), or -1 when the request was answered with an error. */
static int body_framing(server *s, client *c, const wsx_http_request *req, uint64_t *len)
{
    const wsx_header *cl = wsx_http_header_next(req->headers, req->num_headers,
                                                     "Content-Length", NULL);
    if (wsx_http_header_next(req->headers, req->num_headers, "Transfer-Encoding", NULL)) {
        /* With Content-Length: a likely smuggling attempt (section 6.3);
         * in HTTP/1.0: faulty framing by definition (section 6.1). */
        int coding = cl || req->minor_version < 1 ? 400 : transfer_coding(req);
        wsx_chunked_config cfg;
        if (coding != 1) {
            respond_error(s, c, coding, "");
            return -1;
        }
        memset(&cfg, 0, sizeof cfg);
        cfg.max_chunk = BODY_MAX; /* a larger chunk is refused at its size line */
        wsx_chunked_init(&c->body_dec, &cfg);
        c->body_chunked = 1;
        c->body_len = 0;
        return BODY_CHUNKED;
    }
    if (!cl) {
        respond_error(s, c, 411, "");
        return -1;
    }
    if (net_parse_dec(cl->value, cl->value_len, len) != 0 ||
        wsx_http_header_count(req->headers, req->num_headers, "Content-Length") != 1) {
        respond_error(s, c, 400, "");
        return -1;
    }
    if (*len > BODY_MAX) {
        respond_error(s, c, 413, "");
        return -1;
    }
    return BODY_LENGTH;
}

/* Decodes the chunked body bytes received since the last call.  The data
 * moves down to in[head_len..head_len + body_len): decoding never makes
 * bytes longer, so data only ever moves backwards, and the framing bytes
 * are dropped (the decoder keeps what it needs of a line cut by a read).
 * 1 when the body is complete, 0 to wait, -1 when answered with an error. */
static int decode_chunked_body(server *s, client *c, size_t head_len)
{
    size_t at = head_len + c->body_len;
    const char *p = c->in + at;
    size_t n = c->in_len - at;
    int r = WSX_CHUNKED_NEED_MORE;
    while (n > 0 && r != WSX_CHUNKED_END) {
        const char *data;
        size_t data_len, used;
        r = wsx_chunked_decode(&c->body_dec, p, n, &used, &data, &data_len);
        p += used;
        n -= used;
        if (r < 0) {
            respond_error(s, c, wsx_err_http_status(r), "");
            return -1;
        }
        if (r == WSX_CHUNKED_DATA) {
            if (data_len > BODY_MAX - c->body_len) {
                respond_error(s, c, 413, "");
                return -1;
            }
            memmove(c->in + head_len + c->body_len, data, data_len);
            c->body_len += data_len;
        }
    }
    c->in_len = head_len + c->body_len; /* bytes after the body: no pipelining */
    return r == WSX_CHUNKED_END;
}

/* The body of a POST: 1 when all of it is in (*len bytes at in[head_len..)),
 * 0 to wait, -1 when the request was answered with an error. */
static int body_ready(server *s, client *c, const wsx_http_request *req, size_t head_len,
                      uint64_t *len)
{
    int framing = c->body_chunked ? BODY_CHUNKED : body_framing(s, c, req, len);
    if (framing < 0)
        return -1;
    if (framing == BODY_LENGTH && c->in_len - head_len >= *len)
        return 1;
    if (framing == BODY_CHUNKED) {
        int r = decode_chunked_body(s, c, head_len);
        *len = c->body_len;
        if (r != 0)
            return r;
    }
    if (!c->sent_continue &&
        wsx_http_headers_have_token(req->headers, req->num_headers, "Expect", "100-continue")) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        out_put(s, c, cont, sizeof cont - 1);
        c->sent_continue = 1;
    }
    return 0;
}

static void route(server *s, client *c, const wsx_http_request *req, size_t head_len)
{
    uint64_t body_len;
    int r;
    c->keep_alive = req->minor_version >= 1 &&
                    !wsx_http_headers_have_token(req->headers, req->num_headers, "Connection", "close");
    c->head_only = method_is(req, "HEAD");
    if (path_is(req, "/events")) {
        if (!method_is(req, "GET") && !c->head_only)
            respond_error(s, c, 405, "Allow: GET, HEAD\r\n");
        else
            start_events(s, c, req);
    } else if (path_is(req, "/api/chat")) {
        if (!method_is(req, "POST"))
            respond_error(s, c, 405, "Allow: POST\r\n");
        else if ((r = body_ready(s, c, req, head_len, &body_len)) == 1)
            start_chat(s, c, req, c->in + head_len, (size_t)body_len);
    } else if (path_is(req, "/")) {
        if (!method_is(req, "GET") && !c->head_only)
            respond_error(s, c, 405, "Allow: GET, HEAD\r\n");
        else
            respond(s, c, 200, "text/html; charset=utf-8", "", index_html, sizeof index_html - 1);
    } else {
        respond_error(s, c, 404, "");
    }
}

/* New bytes in c->in: parse the head, then route (again after each read
 * while a POST body is arriving). */
static void on_request_bytes(server *s, client *c)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    int r = wsx_http_parse_request(&c->http, c->in, c->in_len, headers, MAX_HEADERS, &req);
    if (r < 0) {
        respond_error(s, c, wsx_err_http_status(r), "");
        return;
    }
    if (r == 0) {
        if (c->in_len >= HEAD_MAX)
            respond_error(s, c, 431, "");
        return;
    }
    route(s, c, &req, (size_t)r);
}

/* ---- I/O events -------------------------------------------------------- */

/* Readable.  Returns -1 when the client must be closed now. */
static int on_readable(server *s, client *c)
{
    char sink[4096];
    for (;;) {
        char *dst = sink;
        size_t room = sizeof sink;
        ssize_t n;
        if (c->phase == PH_HEAD) {
            dst = c->in + c->in_len;
            room = IN_CAP - c->in_len;
            if (room == 0)
                return 0;
        }
        n = recv(c->fd, dst, room, 0);
        if (n == 0)
            return -1; /* the client left (or finished lingering) */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        if (c->phase == PH_HEAD) {
            c->in_len += (size_t)n;
            on_request_bytes(s, c);
        }
        /* other phases: bytes after the request are discarded */
    }
}

/* Back to reading a request on a persistent connection (bytes a client
 * pipelined behind a streamed request were discarded: no pipelining). */
static void next_request(client *c)
{
    c->phase = PH_HEAD;
    c->deadline = net_now_ms() + HEAD_TIMEOUT_MS;
    c->in_len = 0;
    c->sent_continue = 0;
    c->head_only = c->body_chunked = 0;
    c->body_len = 0;
    c->chunked = c->keep_alive = c->reuse = 0;
    c->events_sent = 0;
    wsx_http_parser_init(&c->http, NULL);
}

/* After output was flushed: a finished response half-closes, or waits for
 * the next request. */
static void after_flush(client *c)
{
    if (c->phase == PH_FINISH && c->out_off == c->out_len && c->reuse) {
        next_request(c);
    } else if (c->phase == PH_FINISH && c->out_off == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        c->phase = PH_LINGER;
        c->deadline = net_now_ms() + LINGER_MS;
    }
}

/* Timers of one client (keep-alive, tokens, deadlines).  -1: close it. */
static int client_timers(server *s, client *c, uint64_t now, uint64_t *wake)
{
    uint64_t next = UINT64_MAX;
    int timed = c->phase == PH_HEAD || c->phase == PH_FINISH || c->phase == PH_LINGER;
    if (c->dead || (timed && now >= c->deadline))
        return -1;
    if (timed) {
        if (c->deadline < *wake)
            *wake = c->deadline;
    }
    if (c->phase == PH_EVENTS) {
        if (wsx_sse_keepalive_due(now, c->last_write_ms, s->opt.keepalive_ms, &next) &&
            out_body(s, c, WSX_SSE_KEEPALIVE, sizeof WSX_SSE_KEEPALIVE - 1) == 0)
            wsx_sse_keepalive_due(now, c->last_write_ms, s->opt.keepalive_ms, &next);
        if (next < *wake)
            *wake = next;
    }
    if (c->phase == PH_CHAT) {
        int room = c->out_len - c->out_off <= s->opt.buffer / 2;
        if (room && now >= c->next_token_ms) {
            /* one token per round, the next one a full interval later:
             * after a stall the stream goes on at its pace, no burst */
            chat_step(s, c);
            c->next_token_ms = now + s->opt.token_ms;
        }
        if (c->phase == PH_CHAT && room && c->next_token_ms < *wake)
            *wake = c->next_token_ms;
    }
    return 0;
}

static void accept_all(server *s)
{
    for (;;) {
        int fd = net_accept(s->listen_fd);
        client *c;
        if (fd < 0)
            return; /* EAGAIN, or EMFILE & co: try again on the next wake-up */
        if (s->nclients >= s->opt.max_clients || !(c = client_new(s, fd))) {
            close(fd);
            continue;
        }
        if (s->opt.sndbuf > 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->opt.sndbuf, sizeof s->opt.sndbuf);
        s->clients[s->nclients++] = c;
        note("accepted", fd);
    }
}

static int poll_timeout(uint64_t now, uint64_t wake)
{
    if (wake <= now)
        return 0;
    return wake - now > 60000 ? 60000 : (int)(wake - now);
}

/* One round: timers, then poll, then I/O. */
static int run_once(server *s, struct pollfd *pfd)
{
    uint64_t now = net_now_ms(), wake = now + 60000;
    size_t i, n;
    if (now >= s->next_tick_ms) { /* one per round: no burst after a stall */
        tick(s);
        s->next_tick_ms += s->opt.interval_ms;
        if (s->next_tick_ms + 100 * s->opt.interval_ms < now)
            s->next_tick_ms = now + s->opt.interval_ms; /* far behind: resync */
    }
    wake = s->next_tick_ms;
    for (i = 0; i < s->nclients;) {
        client *c = s->clients[i];
        if (client_timers(s, c, now, &wake) != 0 || flush_out(c) != 0) {
            client_close(s, i);
            continue;
        }
        after_flush(c);
        i++;
    }
    pfd[0].fd = s->listen_fd;
    pfd[0].events = POLLIN;
    for (i = 0; i < s->nclients; i++) {
        client *c = s->clients[i];
        pfd[i + 1].fd = c->fd;
        pfd[i + 1].events = (short)(POLLIN | (c->out_off < c->out_len ? POLLOUT : 0));
        pfd[i + 1].revents = 0;
    }
    n = s->nclients;
    if (poll(pfd, n + 1, poll_timeout(now, wake)) < 0)
        return errno == EINTR ? 0 : -1;
    /* clients first (the array does not change order until a close) */
    for (i = n; i-- > 0;) {
        client *c = s->clients[i];
        short re = pfd[i + 1].revents;
        if ((re & (POLLIN | POLLHUP | POLLERR)) && on_readable(s, c) != 0) {
            client_close(s, i);
            continue;
        }
        if (flush_out(c) != 0) {
            client_close(s, i);
            continue;
        }
        after_flush(c);
    }
    if (pfd[0].revents & POLLIN)
        accept_all(s);
    return 0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: sse_server [--host H] [--port N] [--interval-ms MS] [--keepalive-ms MS]\n"
            "                  [--retry-ms MS] [--drop-after N] [--token-ms MS] [--replay N]\n"
            "                  [--buffer BYTES] [--sndbuf BYTES] [--max-clients N]\n"
            "                  [--allow-origin ORIGIN]\n"
            "                  [--verbose]\n");
}

static int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->interval_ms = 1000;
    o->keepalive_ms = WSX_SSE_KEEPALIVE_MS;
    o->retry_ms = 1000;
    o->token_ms = 50;
    o->replay = 1000;
    o->buffer = 64 * 1024;
    o->max_clients = 1000;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        int bad = 0;
        if (strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--host") == 0) o->host = v;
        else if (strcmp(a, "--allow-origin") == 0) o->allow_origin = v;
        else if (strcmp(a, "--port") == 0) { bad = parse_num(v, 0, 65535, &n); o->port = (int)n; }
        else if (strcmp(a, "--interval-ms") == 0) { bad = parse_num(v, 1, 86400000, &n); o->interval_ms = n; }
        else if (strcmp(a, "--keepalive-ms") == 0) { bad = parse_num(v, 1, 86400000, &n); o->keepalive_ms = (uint32_t)n; }
        else if (strcmp(a, "--retry-ms") == 0) { bad = parse_num(v, 0, 86400000, &n); o->retry_ms = (uint32_t)n; }
        else if (strcmp(a, "--drop-after") == 0) { bad = parse_num(v, 0, UINT64_MAX, &n); o->drop_after = n; }
        else if (strcmp(a, "--token-ms") == 0) { bad = parse_num(v, 1, 60000, &n); o->token_ms = n; }
        else if (strcmp(a, "--replay") == 0) { bad = parse_num(v, 1, 1000000, &n); o->replay = (size_t)n; }
        else if (strcmp(a, "--buffer") == 0) { bad = parse_num(v, 4096, 1u << 30, &n); o->buffer = (size_t)n; }
        else if (strcmp(a, "--sndbuf") == 0) { bad = parse_num(v, 0, 1u << 30, &n); o->sndbuf = (int)n; }
        else if (strcmp(a, "--max-clients") == 0) { bad = parse_num(v, 1, 100000, &n); o->max_clients = (size_t)n; }
        else return -1;
        if (bad)
            return -1;
    }
    return 0;
}

static int server_init(server *s)
{
    /* per event: a slot plus its id and bytes ("id: N\ndata: N\n\n",
     * at most 70 bytes for 19 digits) */
    size_t mem = s->opt.replay * (WSX_SSE_REPLAY_SLOT_SIZE + 96);
    s->replay_mem = malloc(mem);
    s->clients = (client **)malloc(s->opt.max_clients * sizeof *s->clients);
    if (!s->replay_mem || !s->clients ||
        wsx_sse_replay_init(&s->replay, s->replay_mem, mem, s->opt.replay,
                            WSX_SSE_REPLAY_NUMERIC) != WSX_OK)
        return -1;
    s->listen_fd = net_listen(s->opt.host, s->opt.port, 0);
    if (s->listen_fd < 0)
        return -1;
    s->next_tick_ms = net_now_ms() + s->opt.interval_ms;
    return 0;
}

int main(int argc, char **argv)
{
    server s;
    struct pollfd *pfd;
    memset(&s, 0, sizeof s);
    if (parse_args(argc, argv, &s.opt) != 0) {
        usage();
        return 64;
    }
    verbose = s.opt.verbose;
    net_catch_signals();
    if (server_init(&s) != 0) {
        fprintf(stderr, "sse_server: cannot start on %s:%d: %s\n", s.opt.host, s.opt.port,
                strerror(errno));
        return 1;
    }
    pfd = (struct pollfd *)calloc(s.opt.max_clients + 1, sizeof *pfd);
    if (!pfd)
        return 1;
    printf("sse_server listening on http://%s:%d/ (GET /events, POST /api/chat)\n", s.opt.host,
           net_local_port(s.listen_fd));
    fflush(stdout);
    while (!net_stop) {
        if (run_once(&s, pfd) != 0) {
            fprintf(stderr, "sse_server: poll: %s\n", strerror(errno));
            break;
        }
    }
    while (s.nclients > 0)
        client_close(&s, s.nclients - 1);
    close(s.listen_fd);
    free(pfd);
    free(s.clients);
    free(s.replay_mem);
    return 0;
}
