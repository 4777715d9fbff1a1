/*
 * demo_server — the wsx demo: a browser chat over WebSocket, an LLM-style
 * token stream over Server-Sent Events, and a live numbered feed that
 * resumes without loss, all from one single-threaded epoll loop.
 *
 *   demo_server [--host H] [--port N] [--root DIR] [--token-ms MS]
 *               [--interval-ms MS] [--state FILE] [--ping-ms MS]
 *               [--pong-timeout-ms MS] [--keepalive-ms MS] [--idle-ms MS]
 *               [--max-connections N] [--test-hooks] [--quiet]
 *
 * `make demo` builds it and runs it on http://127.0.0.1:8080/.
 *
 * Routes
 *   GET  /, /app.js ...     the page and its assets, from --root (default
 *                           examples/demo, looked up from the current
 *                           directory, then next to the executable's
 *                           ../../examples/demo).  GET and HEAD.
 *   GET  /ws                WebSocket chat.  Text messages are JSON:
 *                             client: {"type":"hello","name":N} first, then
 *                                     {"type":"chat","text":T[,"to":[names]]}
 *                             server: {"type":"welcome","name":N,"users":[..]}
 *                                     {"type":"join"|"leave","name":N}
 *                                     {"type":"chat","from":N,"text":T[,"to":[..]]}
 *                           A chat with "to" goes to the named users and the
 *                           sender only; without it, to everyone.
 *   POST /api/chat          {"message":M} -> text/event-stream: "event: meta"
 *                           {"id":G}, one "id: k" / {"text":T} event per token
 *                           every --token-ms, "data: [DONE]", end of body.
 *   POST /api/stop-generation  {"id":G} -> 200 if G was running (it stops at
 *                           once), else 404.
 *   GET  /api/history       [{"id","prompt","answer","stopped","tokens"},...]
 *   GET  /events            the live feed: event n has "id: n", "data: n",
 *                           one every --interval-ms; resumes after
 *                           Last-Event-ID (or ?lastEventId=N, for a page
 *                           that had to open a new EventSource).
 *   POST /api/debug/drop-feeds  (only with --test-hooks) closes every
 *                           /events connection, to test resuming.
 *
 * Decisions (where the brief left a choice)
 *   - HTTP: keep-alive for HTTP/1.1 (one request at a time; pipelined bytes
 *     wait in the input buffer).  Both event streams use chunked encoding
 *     for HTTP/1.1 (the end of a token stream is a clean end of body, the
 *     connection is reused) and a body delimited by the close for HTTP/1.0.
 *     Refusals: 400 (bad head or JSON), 404, 405 (+ Allow), 411 (POST
 *     without Content-Length), 413 (body > 8 KiB), 414 (target > 4 KiB),
 *     431/505 from the head parser, 501 (Transfer-Encoding in a request).
 *     When the request's framing is in doubt (bad head, 411, 413, 414,
 *     431, 501, 505) the answer is followed by a lingering close; 404, 405
 *     and a bad JSON body keep the connection.  "Expect: 100-continue" is
 *     answered.  A request head (and body) must be complete within
 *     --idle-ms (default 10000) of the connection's start or of the
 *     previous response.
 *   - Chat JSON: a tiny strict reader (examples/common/json.c).  A
 *     message that is not one of the shapes above (malformed JSON, unknown
 *     type or key, chat before hello, a second hello, a bad name) closes
 *     the connection with 1008 (policy violation) and a reason; binary
 *     messages close with 1003; a message over 64 KiB with 1009 (the wsx
 *     decoder refuses it from its header).  Names: 1-32 bytes, no control
 *     characters, no comma; a name in use gets a "-2", "-3"... suffix (the
 *     welcome says which).  The text is relayed as the client escaped it
 *     (validated, never re-escaped: the relay is never larger than the
 *     message plus the envelope).
 *   - Heartbeat (wsx connection layer): ping after --ping-ms (20000) of
 *     silence, dead after --pong-timeout-ms (10000) more.  A client whose
 *     output queue cannot take a relayed message is closed with 1013.
 *   - Token stream consistency: a token counts as sent once the last byte
 *     of its event has been written to the socket (write() accepted it).
 *     The next token is generated only when the previous one is out, so a
 *     slow reader slows the generation and at most one token is "in
 *     flight".  Stop ends the stream after that token: "event: stopped",
 *     then the end of the body (no [DONE]).  A client that disconnects
 *     (EOF, RDHUP, write error) stops it too.  /api/history's answer is
 *     exactly the concatenation of the sent tokens; "stopped" tells whether
 *     it was cut short.  The page reads the stream to its end after Stop,
 *     so it shows exactly what the history holds.
 *   - Feed persistence: the sequence number is written to --state FILE
 *     before each event is sent (write-ahead), and read back at start, so
 *     after a restart the sequence continues with the next number.  Event
 *     n's data is n, so the replay window (the last 512 events) is rebuilt
 *     from the counter at start: a browser that comes back after a restart
 *     with any Last-Event-ID in the window gets what it missed, nothing
 *     twice.  Without --state the sequence starts at 1 each run (`make
 *     demo` passes --state build/demo_feed.state).  The state is written
 *     with pwrite, not fsync'ed: it survives a crash or kill of the
 *     process, not a power loss.  A Last-Event-ID older than the window
 *     gets "event: gap" (data {"from":a,"to":b}: the ids lost) then the
 *     window; one newer than the newest or not a number gets "event:
 *     reset" and the live feed.
 *   - Timers: every connection is checked on each loop turn (simple, O(n);
 *     fine for a demo's few hundred connections).
 *   - Nothing is freed while events are being handled: a connection to end
 *     is marked dead and freed in one place afterwards (so a broadcast may
 *     fail any number of other clients safely).
 *
 * Memory: per connection 24 KiB input + 64 KiB output, plus 320 KiB for a
 * WebSocket (64 KiB message assembly, 256 KiB output queue), allocated at
 * accept / upgrade and never cleared, so only the pages a client really
 * uses become resident (measured: 300 idle connections ~1.3 MB, 200 chat
 * clients ~5 MB).  Static files and /api/history are built in one
 * allocation per response.  Nothing is allocated per message.  SIGINT or
 * SIGTERM: streams are ended cleanly, chat clients get close 1001, exit 0.
 */
#include "net.h"
#include "json.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- limits ------------------------------------------------------------- */

#define IN_CAP (24 * 1024)       /* request head + body, WebSocket reads */
#define OUT_CAP (64 * 1024)      /* HTTP responses, event streams */
#define MAX_HEAD 16384
#define MAX_BODY 8192
#define MAX_HEADERS 64
#define WS_MAX_MESSAGE (64 * 1024)
#define WS_QUEUE (256 * 1024)
#define NAME_MAX_LEN 32
#define MAX_RECIPIENTS 16
#define HISTORY_MAX 64
#define PROMPT_MAX 2048
#define TOKEN_MAX 48
#define TOKENS_MAX 60
#define ANSWER_MAX (TOKENS_MAX * TOKEN_MAX)
#define FEED_WINDOW 512
#define FEED_EVENT_MAX 64        /* "id: n\ndata: n\n\n" with n < 2^64 */
#define STATIC_MAX (1 << 20)
#define LINGER_MS 2000

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    const char *host;
    int port;
    const char *root;
    uint64_t token_ms, interval_ms, ping_ms, pong_ms, keepalive_ms, idle_ms;
    const char *state_path;
    long max_connections;
    int test_hooks, quiet;
} options;

/* ---- types ---------------------------------------------------------------- */

enum kind {
    K_HTTP,    /* reading a request / writing a plain response */
    K_WS,      /* WebSocket chat */
    K_STREAM,  /* POST /api/chat token stream */
    K_FEED,    /* GET /events */
    K_LINGER   /* refused: answer out, then discard input until EOF */
};

struct client;

typedef struct generation {
    char id[24];
    int used;                  /* slot holds a record */
    int running, stopped;
    int planned, sent;         /* tokens planned, tokens written out */
    char prompt[PROMPT_MAX];
    size_t prompt_len;
    char answer[ANSWER_MAX];
    size_t answer_len;
    struct client *owner;      /* the stream's connection until it ends */
} generation;

typedef struct ws_state {
    wsx_ws_conn conn;
    wsx_ws_feed feed;
    char name[NAME_MAX_LEN + 1];
    size_t name_len;           /* 0 until hello */
    uint8_t msg[WS_MAX_MESSAGE];
    uint8_t queue[WS_QUEUE];
} ws_state;

typedef struct client {
    struct server *srv;
    int fd;
    enum kind kind;
    uint32_t events;
    int dead;                  /* to be freed by reap() */
    int dirty;                 /* on the dirty list */
    struct client *prev, *next; /* all clients */
    struct client *dnext;      /* dirty list */
    uint64_t deadline;         /* K_HTTP: request due; K_LINGER: end */
    /* input */
    wsx_http_parser http;
    uint8_t *in;
    size_t in_len;
    int peer_gone;             /* EOF seen */
    /* output: out[out_off..out_len), then body[body_off..body_len), then
     * (K_WS) the connection's queue */
    uint8_t *out;
    size_t out_off, out_len;
    char *body;
    size_t body_off, body_len;
    int keep_alive;            /* the current request allows another */
    int sent_continue;         /* "100 Continue" sent for this request */
    int close_after;           /* close once the output is written */
    int chunked;               /* the stream body is chunked */
    /* K_STREAM */
    generation *gen;
    uint64_t next_token_ms;
    int token_pending;         /* a token's event is in out, not all written */
    size_t token_end;          /* out offset just past it */
    char token[TOKEN_MAX];
    size_t token_len;
    int stream_ending;         /* the end of the body is queued */
    /* K_FEED */
    uint64_t last_write_ms;
    /* K_WS */
    ws_state *ws;
} client;

typedef struct server {
    options opt;
    int epfd, lfd, spare_fd;
    long nclients;
    client *clients;           /* all connections */
    client *dirty;             /* to settle after the current events */
    wsx_ws_conn_config ws_cfg;
    wsx_hs_server_config hs_cfg;
    wsx_http_config http_cfg;
    /* generations */
    generation history[HISTORY_MAX];
    size_t history_next;       /* ring: next slot to use */
    unsigned long gen_counter;
    /* feed */
    uint64_t seq;              /* last event number produced */
    uint64_t next_feed_ms;
    int state_fd;
    wsx_sse_replay replay;
    uint8_t replay_mem[FEED_WINDOW * (WSX_SSE_REPLAY_SLOT_SIZE + FEED_EVENT_MAX + 24)];
    char root[PATH_MAX];
} server;

static int quiet;

static void logmsg(const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    va_start(ap, fmt);
    fputs("demo_server: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- connection lifetime --------------------------------------------------- */

/* Marks c for settle(): write, choose epoll interest, close if done.  Safe
 * to call from anywhere; nothing is freed before reap(). */
static void mark(client *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dnext = c->srv->dirty;
    c->srv->dirty = c;
}

static void kill_client(client *c)
{
    c->dead = 1;
    mark(c);
}

static client *client_new(server *s, int fd)
{
    /* The buffers are not cleared: pages a client never uses stay untouched. */
    client *c = (client *)malloc(sizeof *c + IN_CAP + OUT_CAP);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->srv = s;
    c->fd = fd;
    c->in = (uint8_t *)(c + 1);
    c->out = c->in + IN_CAP;
    c->kind = K_HTTP;
    c->deadline = net_now_ms() + s->opt.idle_ms;
    wsx_http_parser_init(&c->http, &s->http_cfg);
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->nclients++;
    return c;
}

static void broadcast_notice(server *s, const char *type, const char *name, size_t len,
                             client *except);
static void generation_end(client *c, int stopped);

/* Frees c (reap() only). */
static void client_free(server *s, client *c)
{
    if (c->kind == K_STREAM && c->gen)
        generation_end(c, 1);
    if (c->kind == K_WS && c->ws && c->ws->name_len > 0) {
        char name[NAME_MAX_LEN];
        size_t len = c->ws->name_len;
        memcpy(name, c->ws->name, len);
        c->ws->name_len = 0; /* no longer listed */
        broadcast_notice(s, "leave", name, len, c);
        logmsg("chat: %.*s left", (int)len, name);
    }
    if (c->prev) c->prev->next = c->next; else s->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    s->nclients--;
    free(c->body);
    free(c->ws);
    free(c);
}

/* ---- output ------------------------------------------------------------------ */

/* Appends bytes to out.  Returns 0, or -1 when they do not fit (the caller
 * decides: a feed client is dropped, a response is refused). */
static int out_append(client *c, const void *data, size_t len)
{
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        c->token_end = 0;
    }
    if (OUT_CAP - c->out_len < len && c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->token_end = c->token_end > c->out_off ? c->token_end - c->out_off : 0;
        c->out_off = 0;
    }
    if (OUT_CAP - c->out_len < len)
        return -1;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
}

/* Appends part of a streamed body: one chunk for a chunked response, the
 * bytes as they are for a close-delimited one. */
static int body_append(client *c, const void *data, size_t len)
{
    char hdr[WSX_CHUNKED_HEADER_MAX];
    size_t n;
    if (!c->chunked || len == 0)
        return out_append(c, data, len);
    n = wsx_chunked_header(len, hdr);
    if (OUT_CAP - (c->out_len - c->out_off) < n + len + 2)
        return -1;
    if (out_append(c, hdr, n) != 0 || out_append(c, data, len) != 0 ||
        out_append(c, WSX_CHUNKED_CRLF, 2) != 0)
        return -1;
    return 0;
}

static void body_end(client *c)
{
    if (c->chunked)
        out_append(c, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN);
    if (!c->chunked || !c->keep_alive)
        c->close_after = 1;
    c->stream_ending = 1;
}

static size_t pending_output(client *c)
{
    size_t n = (c->out_len - c->out_off) + (c->body_len - c->body_off);
    if (c->kind == K_WS)
        n += wsx_ws_conn_output_size(&c->ws->conn);
    return n;
}

static void token_written(client *c);

/* Writes until done or EAGAIN.  Returns 0, or -1 when the socket failed. */
static int flush_output(client *c)
{
    for (;;) {
        struct iovec iov[2 + WSX_WS_CONN_MAX_CHUNKS];
        int n = 0;
        ssize_t k;
        size_t used;
        if (c->out_off < c->out_len) {
            iov[n].iov_base = c->out + c->out_off;
            iov[n++].iov_len = c->out_len - c->out_off;
        }
        if (c->body_off < c->body_len) {
            iov[n].iov_base = c->body + c->body_off;
            iov[n++].iov_len = c->body_len - c->body_off;
        }
        if (c->kind == K_WS) {
            wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
            size_t i, m = wsx_ws_conn_output_vec(&c->ws->conn, ch);
            for (i = 0; i < m; i++) {
                iov[n].iov_base = (void *)ch[i].data;
                iov[n++].iov_len = ch[i].len;
            }
        }
        if (n == 0)
            break;
        k = writev(c->fd, iov, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        used = (size_t)k < c->out_len - c->out_off ? (size_t)k : c->out_len - c->out_off;
        c->out_off += used;
        k -= (ssize_t)used;
        used = (size_t)k < c->body_len - c->body_off ? (size_t)k : c->body_len - c->body_off;
        c->body_off += used;
        k -= (ssize_t)used;
        if (k > 0 && c->kind == K_WS)
            wsx_ws_conn_consume(&c->ws->conn, (size_t)k);
        if (c->token_pending && c->out_off >= c->token_end)
            token_written(c);
    }
    if (c->body && c->body_off == c->body_len) {
        free(c->body);
        c->body = NULL;
        c->body_off = c->body_len = 0;
    }
    return 0;
}

/* ---- plain HTTP responses ----------------------------------------------------- */

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

/* A complete response: head into out, body either copied into out (small)
 * or, when owned_body is set, taken over (freed once written).  HEAD
 * requests pass head_only. */
static void respond(client *c, int status, const char *ctype, const char *extra,
                    const char *body, size_t body_len, char *owned_body, int head_only)
{
    char head[512];
    int n;
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
                 "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n%s%s\r\n",
                 status, status_text(status), ctype, (unsigned long)body_len,
                 extra ? extra : "", c->keep_alive ? "" : "Connection: close\r\n");
    if (n < 0 || (size_t)n >= sizeof head || out_append(c, head, (size_t)n) != 0) {
        free(owned_body);
        c->close_after = 1;
        return;
    }
    if (owned_body && !head_only) {
        c->body = owned_body;
        c->body_off = 0;
        c->body_len = body_len;
    } else {
        free(owned_body);
        if (!head_only && body_len > 0 && out_append(c, body, body_len) != 0)
            c->close_after = 1;
    }
    if (!c->keep_alive)
        c->close_after = 1;
}

static void respond_text(client *c, int status, const char *extra, const char *text)
{
    respond(c, status, "text/plain; charset=utf-8", extra, text, strlen(text), NULL, 0);
}

static void respond_json(client *c, int status, const char *json, size_t len)
{
    respond(c, status, "application/json", NULL, json, len, NULL, 0);
}

/* Answers a head the parser refused (400, 414, 431, 505), then lingers. */
static void refuse_head(client *c, int err)
{
    char msg[160];
    int status = wsx_err_http_status(err);
    snprintf(msg, sizeof msg, "%s\n", wsx_strerror(err));
    c->keep_alive = 0;
    respond_text(c, status ? status : 400, NULL, msg);
    logmsg("refused a request: %s (HTTP %d)", wsx_strerror(err), status);
}

/* ---- static files --------------------------------------------------------------- */

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".ico", "image/x-icon"},
        {".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    size_t i;
    for (i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* A safe relative path: segments of [A-Za-z0-9._-], none starting with a
 * dot (no "..", no hidden files), no empty segment. */
static int path_ok(const char *p, size_t len)
{
    size_t i;
    int seg_start = 1;
    if (len == 0 || len > 200)
        return 0;
    for (i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '/') {
            if (seg_start)
                return 0;
            seg_start = 1;
            continue;
        }
        if (seg_start && ch == '.')
            return 0;
        seg_start = 0;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return !seg_start;
}

static void serve_static(client *c, const char *path, size_t len, int head_only)
{
    server *s = c->srv;
    char file[PATH_MAX + 256];
    struct stat st;
    char *data;
    int fd;
    size_t got = 0;
    if (len == 1) { /* "/" */
        path = "/index.html";
        len = 11;
    }
    if (!path_ok(path + 1, len - 1)) {
        respond_text(c, 404, NULL, "not found\n");
        return;
    }
    if (snprintf(file, sizeof file, "%s/%.*s", s->root, (int)(len - 1), path + 1) >= (int)sizeof file)
        fd = -1;
    else
        fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
        if (fd >= 0)
            close(fd);
        respond_text(c, 404, NULL, "not found\n");
        return;
    }
    data = (char *)malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    while (data && got < (size_t)st.st_size) {
        ssize_t k = read(fd, data + got, (size_t)st.st_size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!data || got != (size_t)st.st_size) {
        free(data);
        respond_text(c, 500, NULL, "cannot read the file\n");
        return;
    }
    respond(c, 200, content_type(file), NULL, data, got, data, head_only);
}

/* ---- the live feed ------------------------------------------------------------------ */

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
    ptrdiff_t k;
    feed_msg(n, num, &m);
    k = wsx_sse_write(&m, out, cap);
    return k > 0 ? (size_t)k : 0;
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
static void feed_persist(server *s)
{
    char line[32];
    int len;
    if (s->state_fd < 0)
        return;
    len = snprintf(line, sizeof line, "%020llu\n", (unsigned long long)s->seq);
    if (pwrite(s->state_fd, line, (size_t)len, 0) != len)
        logmsg("cannot write the state file: %s", strerror(errno));
}

static void feed_open_state(server *s)
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

static int feed_send(client *c, const void *data, size_t len)
{
    if (body_append(c, data, len) != 0) {
        /* Too slow: drop it; it comes back with Last-Event-ID. */
        kill_client(c);
        return -1;
    }
    c->last_write_ms = net_now_ms();
    mark(c);
    return 0;
}

static void feed_tick(server *s, uint64_t now)
{
    uint8_t ev[FEED_EVENT_MAX];
    size_t len;
    client *c;
    s->seq++;
    feed_persist(s);
    feed_store(s, s->seq);
    len = feed_event(s->seq, ev, sizeof ev);
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_FEED && !c->dead)
            feed_send(c, ev, len);
    s->next_feed_ms += s->opt.interval_ms;
    if (s->next_feed_ms <= now) /* fell behind (suspended): no burst */
        s->next_feed_ms = now + s->opt.interval_ms;
}

static void write_stream_head(client *c, int minor_version)
{
    uint8_t head[512];
    wsx_sse_head_config cfg;
    ptrdiff_t n;
    memset(&cfg, 0, sizeof cfg);
    c->chunked = minor_version >= 1;
    cfg.chunked = c->chunked;
    cfg.connection_close = !c->chunked; /* HTTP/1.0: the stream ends at close */
    cfg.charset = 1;
    n = wsx_sse_response_head(&cfg, head, sizeof head);
    if (n > 0)
        out_append(c, head, (size_t)n);
    if (!c->chunked)
        c->keep_alive = 0;
}

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

static void start_feed(client *c, const wsx_http_request *req)
{
    server *s = c->srv;
    const wsx_header *h = wsx_http_header_next(req->headers, req->num_headers,
                                                    "Last-Event-ID", NULL);
    static const char retry[] = "retry: 1000\n\n";
    wsx_sse_replay_iter it;
    const uint8_t *bytes;
    size_t len;
    char note[160];
    const char *last_id = h ? h->value : NULL;
    size_t last_len = h ? h->value_len : 0;
    int n;
    if (!h)
        query_last_id(req, &last_id, &last_len);
    c->kind = K_FEED;
    write_stream_head(c, req->minor_version);
    body_append(c, retry, sizeof retry - 1);
    c->last_write_ms = net_now_ms();
    if (last_len == 0)
        return; /* a new client: the live feed from the next event */
    if (wsx_sse_replay_since(&s->replay, last_id, last_len, &it) != WSX_OK) {
        /* Not in the window. */
        uint64_t last = 0, first = 0;
        int numeric = net_parse_dec(last_id, last_len, &last) == 0;
        wsx_sse_replay_iter all;
        const char *oldest = NULL;
        size_t oldest_len = 0;
        wsx_sse_replay_all(&s->replay, &all);
        if (numeric && last == s->seq)
            return; /* up to date (nothing produced yet) */
        if (numeric && last < s->seq &&
            wsx_sse_replay_next(&all, &bytes, &len, &oldest, &oldest_len) &&
            net_parse_dec(oldest, oldest_len, &first) == 0) {
            /* Older than the window: say what is lost, then send it all. */
            n = snprintf(note, sizeof note, "event: gap\ndata: {\"from\":%llu,\"to\":%llu}\n\n",
                         (unsigned long long)last + 1, (unsigned long long)first - 1);
            body_append(c, note, (size_t)n);
            wsx_sse_replay_all(&s->replay, &it);
        } else {
            /* Newer than anything sent, or not a number: start over live. */
            n = snprintf(note, sizeof note, "event: reset\ndata: {\"last\":%llu}\n\n",
                         (unsigned long long)s->seq);
            body_append(c, note, (size_t)n);
            return;
        }
    }
    while (wsx_sse_replay_next(&it, &bytes, &len, NULL, NULL))
        if (body_append(c, bytes, len) != 0)
            break; /* the rest comes with the next reconnect */
}

/* ---- token streams (POST /api/chat) ------------------------------------------------- */

static const char *const filler[] = {
    " This", " answer", " is", " streamed", " by", " the", " wsx", " demo", " server,", " one",
    " token", " per", " event,", " over", " Server-Sent", " Events.", " Each", " token", " is",
    " written", " to", " the", " socket", " as", " soon", " as", " it", " is", " ready,", " so",
    " a", " proxy", " and", " the", " browser", " show", " it", " at", " once.", " Press",
    " Stop", " to", " end", " it", " early:", " the", " history", " keeps", " exactly", " what",
    " was", " sent."};
#define FILLER_COUNT (sizeof filler / sizeof filler[0])

/* The k-th word of the prompt (0-based), or 0 if there are fewer. */
static size_t prompt_word(const generation *g, int k, const char **word)
{
    const char *p = g->prompt, *end = g->prompt + g->prompt_len;
    for (;;) {
        const char *w;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end)
            return 0;
        w = p;
        while (p < end && !(*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
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

static void token_written(client *c)
{
    generation *g = c->gen;
    c->token_pending = 0;
    if (!g)
        return;
    memcpy(g->answer + g->answer_len, c->token, c->token_len);
    g->answer_len += c->token_len;
    g->sent++;
}

/* The generation of stream c is over: finished, stopped, or its client
 * gone (then the connection is on its way out). */
static void generation_end(client *c, int stopped)
{
    generation *g = c->gen;
    if (!g)
        return;
    if (g->running) {
        g->running = 0;
        g->stopped = stopped;
        logmsg("generation %s %s after %d of %d tokens", g->id,
               stopped ? "stopped" : "done", g->sent, g->planned);
    }
    if (c->dead || c->peer_gone) {
        g->owner = NULL;
        c->gen = NULL;
    }
}

/* Next step of a running stream, when its previous token is out. */
static void stream_step(client *c, uint64_t now)
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
    n = snprintf(ev, sizeof ev, "id: %d\ndata: {\"text\":\"%.*s\"}\n\n", g->sent + 1,
                 (int)e, esc);
    if (body_append(c, ev, (size_t)n) != 0) {
        kill_client(c);
        return;
    }
    c->token_pending = 1;
    c->token_end = c->out_len;
    c->next_token_ms = now + c->srv->opt.token_ms;
    mark(c);
}

/* Stops g from POST /api/stop-generation: no token after the one in flight. */
static void generation_stop(generation *g)
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
    char ev[96];
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
    write_stream_head(c, req->minor_version);
    n = snprintf(ev, sizeof ev, "event: meta\ndata: {\"id\":\"%s\"}\n\n", g->id);
    body_append(c, ev, (size_t)n);
    c->next_token_ms = net_now_ms() + s->opt.token_ms;
    logmsg("generation %s: %d tokens", g->id, g->planned);
}

/* The stream's response is fully written: back to HTTP (keep-alive) or
 * close. */
static void stream_finished(client *c)
{
    if (c->gen) {
        c->gen->owner = NULL;
        c->gen = NULL;
    }
    c->kind = K_HTTP;
    c->stream_ending = 0;
    c->deadline = net_now_ms() + c->srv->opt.idle_ms;
}

/* ---- JSON answers --------------------------------------------------------------------- */

/* Appends to a growing buffer; returns -1 when it would exceed cap. */
static int buf_put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (cap - *len < n)
        return -1;
    memcpy(buf + *len, s, n);
    *len += n;
    return 0;
}

#define PUT_LIT(buf, cap, len, lit) buf_put(buf, cap, len, lit, sizeof(lit) - 1)

static int buf_put_escaped(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    long k = json_escape(s, n, buf + *len, cap - *len);
    if (k < 0)
        return -1;
    *len += (size_t)k;
    return 0;
}

static void serve_history(client *c, int head_only)
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
    for (i = 0; i < HISTORY_MAX; i++) { /* oldest first */
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

/* Parses a POST body that must be one JSON object with a single string
 * member named key; unescapes it into out.  Returns its length or -1. */
static long body_string(const char *body, size_t len, const char *key, char *out, size_t cap)
{
    json_member m[4];
    const json_member *v;
    int n;
    if (!wsx_utf8_valid((const uint8_t *)body, len))
        return -1;
    n = json_object(body, len, m, 4);
    if (n < 0 || !(v = json_find(m, (size_t)n, key)) || v->is_array)
        return -1;
    return json_unescape(v->raw, v->raw_len, out, cap);
}

/* ---- WebSocket chat ----------------------------------------------------------------------- */

/* Sends text to a chat client; a client that cannot take it is closed with
 * 1013 (try again later). */
static void ws_send(client *c, const char *text, size_t len)
{
    int r;
    if (c->dead || !c->ws || c->ws->name_len == 0)
        return;
    r = wsx_ws_conn_send(&c->ws->conn, WSX_WS_OP_TEXT, text, len);
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
    return wsx_utf8_valid((const uint8_t *)name, len);
}

static void ws_policy_close(client *c, const char *why)
{
    wsx_ws_conn_close(&c->ws->conn, 1008, why, strlen(why), net_now_ms());
    logmsg("chat: closed a client (1008): %s", why);
    mark(c);
}

static void chat_hello(client *c, const json_member *name_m)
{
    server *s = c->srv;
    char name[NAME_MAX_LEN + 1];
    char msg[256 + 6 * NAME_MAX_LEN * 8];
    long len = json_unescape(name_m->raw, name_m->raw_len, name, NAME_MAX_LEN);
    size_t n, base;
    int suffix = 1;
    client *o;
    if (len < 0 || !name_ok(name, (size_t)len)) {
        ws_policy_close(c, "bad name");
        return;
    }
    /* A name in use gets "-2", "-3"... */
    base = (size_t)len;
    while (chat_user(s, name, (size_t)len)) {
        char sfx[16];
        int k = snprintf(sfx, sizeof sfx, "-%d", ++suffix);
        if (base + (size_t)k > NAME_MAX_LEN)
            base = NAME_MAX_LEN - (size_t)k;
        while (base > 0 && ((unsigned char)name[base] & 0xC0) == 0x80)
            base--;
        memcpy(name + base, sfx, (size_t)k);
        len = (long)(base + (size_t)k);
    }
    memcpy(c->ws->name, name, (size_t)len);
    c->ws->name_len = (size_t)len;
    /* welcome: who is here (capped: enough for a demo) */
    n = 0;
    PUT_LIT(msg, sizeof msg, &n, "{\"type\":\"welcome\",\"name\":\"");
    buf_put_escaped(msg, sizeof msg, &n, name, (size_t)len);
    PUT_LIT(msg, sizeof msg, &n, "\",\"users\":[");
    {
        int count = 0;
        for (o = s->clients; o && count < 8 * 6; o = o->next) {
            size_t save = n;
            if (o->kind != K_WS || o->dead || o->ws->name_len == 0)
                continue;
            if ((count ? PUT_LIT(msg, sizeof msg, &n, ",\"") : PUT_LIT(msg, sizeof msg, &n, "\"")) != 0 ||
                buf_put_escaped(msg, sizeof msg, &n, o->ws->name, o->ws->name_len) != 0 ||
                PUT_LIT(msg, sizeof msg, &n, "\"") != 0 || sizeof msg - n < 4) {
                n = save;
                break;
            }
            count++;
        }
    }
    PUT_LIT(msg, sizeof msg, &n, "]}");
    ws_send(c, msg, n);
    broadcast_notice(s, "join", name, (size_t)len, NULL);
    logmsg("chat: %.*s joined", (int)len, name);
}

static void chat_message(client *c, const json_member *text, const json_member *to)
{
    server *s = c->srv;
    static char msg[WS_MAX_MESSAGE + 512];
    client *dest[MAX_RECIPIENTS];
    size_t n = 0, ndest = 0, i;
    PUT_LIT(msg, sizeof msg, &n, "{\"type\":\"chat\",\"from\":\"");
    buf_put_escaped(msg, sizeof msg, &n, c->ws->name, c->ws->name_len);
    PUT_LIT(msg, sizeof msg, &n, "\",\"text\":\"");
    buf_put(msg, sizeof msg, &n, text->raw, text->raw_len); /* validated, as escaped */
    PUT_LIT(msg, sizeof msg, &n, "\"");
    if (to) {
        size_t pos = 0, raw_len;
        const char *raw;
        if (to->count > MAX_RECIPIENTS) {
            ws_policy_close(c, "too many recipients");
            return;
        }
        while (json_array_next(to, &pos, &raw, &raw_len)) {
            char name[NAME_MAX_LEN];
            long len = json_unescape(raw, raw_len, name, sizeof name);
            client *d = len > 0 ? chat_user(s, name, (size_t)len) : NULL;
            for (i = 0; d && i < ndest; i++)
                if (dest[i] == d)
                    d = NULL;
            if (d && d != c)
                dest[ndest++] = d;
        }
        PUT_LIT(msg, sizeof msg, &n, ",\"to\":");
        buf_put(msg, sizeof msg, &n, to->raw, to->raw_len);
    }
    PUT_LIT(msg, sizeof msg, &n, "}");
    if (!to) {
        client *o;
        for (o = s->clients; o; o = o->next)
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
    return 0;
}

static const wsx_ws_callbacks ws_callbacks = {
    NULL, on_ws_message, NULL, NULL, NULL, NULL, NULL};

/* Feeds in[0..in_len) to the connection. */
static void ws_input(client *c)
{
    size_t used = 0;
    wsx_ws_conn_feed(&c->ws->conn, &c->ws->feed, c->in, c->in_len, net_now_ms(), &used);
    c->in_len = 0; /* everything is consumed (or the connection failed) */
    mark(c);
}

static void start_ws(client *c, const wsx_http_request *req, size_t head_len)
{
    server *s = c->srv;
    char resp[WSX_HS_RESPONSE_SIZE];
    size_t n = 0;
    int r = wsx_hs_server_answer_request(&s->hs_cfg, req, NULL, resp, sizeof resp, &n);
    if (r != WSX_OK) {
        c->keep_alive = 0;
        c->close_after = 1;
        out_append(c, resp, n);
        logmsg("refused an upgrade: %s", wsx_strerror(r));
        return;
    }
    c->ws = (ws_state *)malloc(sizeof *c->ws);
    if (!c->ws) {
        respond_text(c, 503, NULL, "out of memory\n");
        return;
    }
    out_append(c, resp, n);
    wsx_ws_conn_init(&c->ws->conn, &s->ws_cfg, c->ws->queue, WS_QUEUE);
    wsx_ws_conn_open(&c->ws->conn, net_now_ms());
    wsx_ws_feed_init(&c->ws->feed, &ws_callbacks, c, c->ws->msg, WS_MAX_MESSAGE);
    c->ws->name_len = 0;
    c->kind = K_WS;
    /* Frames right behind the head (RFC 6455 section 4.1) come first. */
    memmove(c->in, c->in + head_len, c->in_len - head_len);
    c->in_len -= head_len;
    if (c->in_len > 0)
        ws_input(c);
}

/* ---- HTTP requests ------------------------------------------------------------------------ */

static int method_is(const wsx_http_request *req, const char *m)
{
    return req->method_len == strlen(m) && memcmp(req->method, m, req->method_len) == 0;
}

/* Answers one complete request (head in[0..head_len), body after it). */
static void route(client *c, const wsx_http_request *req, const char *body, size_t body_len,
                  size_t head_len)
{
    server *s = c->srv;
    const char *path = req->target;
    size_t plen = req->target_len;
    const char *q = memchr(path, '?', plen);
    int get = method_is(req, "GET"), head = method_is(req, "HEAD"), post = method_is(req, "POST");
    char value[PROMPT_MAX];
    long vlen;
    if (q)
        plen = (size_t)(q - path);
#define PATH_IS(p) (plen == sizeof(p) - 1 && memcmp(path, p, plen) == 0)
    if (PATH_IS("/ws")) {
        start_ws(c, req, head_len); /* refuses non-GET with 405 itself */
    } else if (PATH_IS("/events")) {
        if (get)
            start_feed(c, req);
        else
            respond_text(c, 405, "Allow: GET\r\n", "use GET\n");
    } else if (PATH_IS("/api/chat")) {
        if (!post)
            respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
        else if ((vlen = body_string(body, body_len, "message", value, sizeof value)) <= 0)
            respond_text(c, 400, NULL, "expected {\"message\":\"...\"} (1 to 2048 bytes)\n");
        else
            start_stream(c, req, value, (size_t)vlen);
    } else if (PATH_IS("/api/stop-generation")) {
        generation *g;
        char ans[96];
        int n;
        if (!post) {
            respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
        } else if ((vlen = body_string(body, body_len, "id", value, 64)) < 0) {
            respond_text(c, 400, NULL, "expected {\"id\":\"...\"}\n");
        } else if (!(g = generation_find(s, value, (size_t)vlen)) || !g->running) {
            n = snprintf(ans, sizeof ans, "{\"error\":\"%s\"}",
                         g ? "generation already over" : "unknown generation");
            respond(c, 404, "application/json", NULL, ans, (size_t)n, NULL, 0);
        } else {
            generation_stop(g);
            n = snprintf(ans, sizeof ans, "{\"id\":\"%s\",\"stopped\":true}", g->id);
            respond_json(c, 200, ans, (size_t)n);
        }
    } else if (PATH_IS("/api/history")) {
        if (get || head)
            serve_history(c, head);
        else
            respond_text(c, 405, "Allow: GET, HEAD\r\n", "use GET\n");
    } else if (PATH_IS("/api/debug/drop-feeds") && s->opt.test_hooks) {
        char ans[48];
        int n, count = 0;
        client *o;
        if (!post) {
            respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
            return;
        }
        for (o = s->clients; o; o = o->next)
            if (o->kind == K_FEED && !o->dead && !o->close_after) {
                body_end(o); /* a clean end of body, then close */
                o->close_after = 1;
                mark(o);
                count++;
            }
        n = snprintf(ans, sizeof ans, "{\"dropped\":%d}", count);
        respond_json(c, 200, ans, (size_t)n);
    } else if (get || head) {
        serve_static(c, path, plen, head);
    } else {
        respond_text(c, 405, "Allow: GET, HEAD\r\n", "method not allowed\n");
    }
#undef PATH_IS
}

/* Handles the requests waiting in `in`, one at a time, while the previous
 * response is fully written. */
static void process_http(client *c)
{
    while (c->kind == K_HTTP && !c->dead && !c->close_after && pending_output(c) == 0 &&
           c->in_len > 0) {
        wsx_header headers[MAX_HEADERS];
        wsx_http_request req;
        const wsx_header *cl;
        uint64_t body_len = 0;
        size_t used;
        int r = wsx_http_parse_request(&c->http, (const char *)c->in, c->in_len, headers,
                                       MAX_HEADERS, &req);
        if (r < 0) {
            refuse_head(c, r);
            return;
        }
        if (r == 0) {
            if (c->in_len == IN_CAP)
                refuse_head(c, WSX_E_HTTP_HEAD_TOO_LARGE);
            return;
        }
        c->keep_alive = req.minor_version >= 1 &&
                        !wsx_http_headers_have_token(headers, req.num_headers, "Connection", "close");
        if (wsx_http_header_next(headers, req.num_headers, "Transfer-Encoding", NULL)) {
            c->keep_alive = 0;
            respond_text(c, 501, NULL, "request bodies must have a Content-Length\n");
            return;
        }
        cl = wsx_http_header_next(headers, req.num_headers, "Content-Length", NULL);
        if (cl) {
            char tmp[24], *end;
            if (cl->value_len == 0 || cl->value_len >= sizeof tmp ||
                wsx_http_header_count(headers, req.num_headers, "Content-Length") != 1) {
                c->keep_alive = 0;
                respond_text(c, 400, NULL, "bad Content-Length\n");
                return;
            }
            memcpy(tmp, cl->value, cl->value_len);
            tmp[cl->value_len] = 0;
            body_len = strtoull(tmp, &end, 10);
            if (*end || tmp[0] < '0' || tmp[0] > '9') {
                c->keep_alive = 0;
                respond_text(c, 400, NULL, "bad Content-Length\n");
                return;
            }
        } else if (method_is(&req, "POST")) {
            c->keep_alive = 0;
            respond_text(c, 411, NULL, "POST needs a Content-Length\n");
            return;
        }
        if (body_len > MAX_BODY) {
            c->keep_alive = 0;
            respond_text(c, 413, NULL, "body too large (8 KiB at most)\n");
            return;
        }
        if (c->in_len < (size_t)r + body_len) {
            /* The rest of the body is on its way; a client that asked
             * (curl does for bodies over 1 KiB) is told to send it. */
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            if (!c->sent_continue &&
                wsx_http_headers_have_token(headers, req.num_headers, "Expect", "100-continue")) {
                c->sent_continue = 1;
                out_append(c, cont, sizeof cont - 1);
            }
            return;
        }
        c->sent_continue = 0;
        used = (size_t)r + (size_t)body_len;
        route(c, &req, (const char *)c->in + r, (size_t)body_len, (size_t)r);
        if (c->kind == K_WS)
            return; /* start_ws took the rest of the input */
        /* Keep what follows (a pipelined request) for later. */
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        wsx_http_parser_init(&c->http, &c->srv->http_cfg);
        if (c->kind == K_HTTP)
            c->deadline = net_now_ms() + c->srv->opt.idle_ms;
    }
}

/* ---- events ------------------------------------------------------------------------------- */

static void on_readable(client *c)
{
    uint8_t sink[4096];
    uint8_t *dst = c->in + c->in_len;
    size_t room = IN_CAP - c->in_len;
    ssize_t k;
    if (c->kind == K_LINGER || c->kind == K_FEED || room == 0) {
        dst = sink; /* nothing more is expected: discard */
        room = sizeof sink;
    }
    k = read(c->fd, dst, room);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (k <= 0) {
        c->peer_gone = 1;
        if (c->kind == K_WS)
            wsx_ws_conn_eof(&c->ws->conn);
        kill_client(c);
        return;
    }
    if (dst == sink)
        return;
    c->in_len += (size_t)k;
    if (c->kind == K_WS)
        ws_input(c);
    /* K_HTTP: parsed in settle(); K_STREAM: kept for the next request. */
}

static void set_events(client *c, uint32_t events)
{
    struct epoll_event ev;
    if (events == c->events)
        return;
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

/* After activity: write, move on, choose what to wait for. */
static void settle(client *c)
{
    uint32_t want = EPOLLRDHUP;
    for (;;) {
        if (flush_output(c) != 0) {
            c->peer_gone = 1;
            kill_client(c);
            return;
        }
        if (c->kind == K_HTTP && pending_output(c) == 0 && c->in_len > 0 && !c->close_after) {
            size_t before = c->in_len;
            enum kind k = c->kind;
            process_http(c);
            if (c->dead)
                return;
            if (pending_output(c) > 0 || c->kind != k || c->in_len != before)
                continue; /* a response: write it at once */
        }
        break;
    }
    if (c->kind == K_STREAM && c->stream_ending && pending_output(c) == 0) {
        stream_finished(c);
        if (!c->close_after) {
            settle(c); /* a pipelined request may be waiting (K_HTTP now) */
            return;
        }
    }
    if (c->close_after && pending_output(c) == 0) {
        if (c->kind == K_LINGER)
            ;
        else if (c->kind == K_HTTP && c->keep_alive == 0 && !c->peer_gone) {
            /* Lingering close: FIN, then discard until EOF or timeout, so
             * the kernel does not reset the connection under the answer. */
            shutdown(c->fd, SHUT_WR);
            c->kind = K_LINGER;
            c->deadline = net_now_ms() + LINGER_MS;
        } else {
            kill_client(c);
            return;
        }
    }
    if (c->kind == K_WS && wsx_ws_conn_should_close_transport(&c->ws->conn)) {
        kill_client(c);
        return;
    }
    switch (c->kind) {
    case K_WS:
        if (pending_output(c) <= WS_QUEUE / 2)
            want |= EPOLLIN; /* backpressure: stop reading a client that does not read */
        break;
    case K_HTTP:
    case K_STREAM:
        if (c->in_len < IN_CAP)
            want |= EPOLLIN;
        break;
    default:
        want |= EPOLLIN;
    }
    if (pending_output(c) > 0)
        want |= EPOLLOUT;
    set_events(c, want);
}

/* Settles every marked client, then frees the dead ones.  Freeing may mark
 * others (leave notices), so loop until nothing is marked. */
static void reap(server *s)
{
    client *c;
    while ((c = s->dirty) != NULL) {
        s->dirty = c->dnext;
        c->dirty = 0;
        if (!c->dead)
            settle(c);
        if (c->dead && !c->dirty)
            client_free(s, c);
    }
}

static void accept_all(server *s)
{
    for (;;) {
        struct epoll_event ev;
        client *c;
        int fd = net_accept(s->lfd);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && net_shed_connection(s->lfd, &s->spare_fd))
                continue; /* out of descriptors: one pending connection closed */
            return;
        }
        if (s->nclients >= s->opt.max_connections || !(c = client_new(s, fd))) {
            close(fd);
            continue;
        }
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = c;
        c->events = ev.events;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            kill_client(c);
    }
}

/* Runs what is due; returns the epoll timeout (ms) to the next deadline. */
static int run_timers(server *s)
{
    uint64_t now = net_now_ms(), next;
    client *c;
    while (s->next_feed_ms <= now)
        feed_tick(s, now);
    next = s->next_feed_ms;
    for (c = s->clients; c; c = c->next) {
        uint64_t d = UINT64_MAX;
        if (c->dead)
            continue;
        switch (c->kind) {
        case K_HTTP:
        case K_LINGER:
            if (c->deadline <= now && pending_output(c) == 0) {
                kill_client(c);
                continue;
            }
            d = c->deadline;
            break;
        case K_WS:
            if (wsx_ws_conn_next_deadline(&c->ws->conn) <= now) {
                wsx_ws_conn_tick(&c->ws->conn, now);
                mark(c);
            }
            d = wsx_ws_conn_next_deadline(&c->ws->conn);
            break;
        case K_STREAM:
            stream_step(c, now);
            if (c->gen && c->gen->running && !c->token_pending)
                d = c->next_token_ms;
            break;
        case K_FEED:
            if (wsx_sse_keepalive_due(now, c->last_write_ms, (uint32_t)s->opt.keepalive_ms, &d)) {
                static const char ka[] = WSX_SSE_KEEPALIVE;
                feed_send(c, ka, sizeof ka - 1);
                d = now + s->opt.keepalive_ms;
            }
            break;
        }
        if (d < next)
            next = d;
    }
    if (s->dirty)
        return 0;
    return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: demo_server [--host H] [--port N] [--root DIR] [--token-ms MS]\n"
          "                   [--interval-ms MS] [--state FILE] [--ping-ms MS]\n"
          "                   [--pong-timeout-ms MS] [--keepalive-ms MS] [--idle-ms MS]\n"
          "                   [--max-connections N] [--test-hooks] [--quiet]\n"
          "  --host H             address to listen on (default 127.0.0.1)\n"
          "  --port N             port (default 8080; 0 picks a free one)\n"
          "  --root DIR           the page's files (default examples/demo)\n"
          "  --token-ms MS        time between tokens of /api/chat (default 60)\n"
          "  --interval-ms MS     time between /events events (default 1000)\n"
          "  --state FILE         keep the /events sequence number here, so it\n"
          "                       continues after a restart (default: none)\n"
          "  --ping-ms MS         WebSocket ping after this much silence (20000)\n"
          "  --pong-timeout-ms MS dead if nothing comes back in time (10000)\n"
          "  --keepalive-ms MS    SSE keep-alive comment interval (15000)\n"
          "  --idle-ms MS         time allowed for a request (10000)\n"
          "  --max-connections N  refuse connections beyond N (default 512)\n"
          "  --test-hooks         enable POST /api/debug/drop-feeds\n"
          "  --quiet              no log lines on stderr\n",
          stderr);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno || *end ? -1 : 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    int i;
    o->host = "127.0.0.1";
    o->port = 8080;
    o->root = NULL;
    o->token_ms = 60;
    o->interval_ms = 1000;
    o->ping_ms = 20000;
    o->pong_ms = 10000;
    o->keepalive_ms = WSX_SSE_KEEPALIVE_MS;
    o->idle_ms = 10000;
    o->state_path = NULL;
    o->max_connections = 512;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (strcmp(a, "--quiet") == 0) { o->quiet = 1; continue; }
        if (strcmp(a, "--test-hooks") == 0) { o->test_hooks = 1; continue; }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--host") == 0) { o->host = v; continue; }
        if (strcmp(a, "--root") == 0) { o->root = v; continue; }
        if (strcmp(a, "--state") == 0) { o->state_path = v; continue; }
        if (parse_u64(v, &n) != 0)
            return -1;
        if (strcmp(a, "--port") == 0 && n <= 65535) o->port = (int)n;
        else if (strcmp(a, "--token-ms") == 0 && n >= 1 && n <= 60000) o->token_ms = n;
        else if (strcmp(a, "--interval-ms") == 0 && n >= 1 && n <= 3600000) o->interval_ms = n;
        else if (strcmp(a, "--ping-ms") == 0) o->ping_ms = n;
        else if (strcmp(a, "--pong-timeout-ms") == 0) o->pong_ms = n;
        else if (strcmp(a, "--keepalive-ms") == 0 && n >= 1 && n <= UINT32_MAX) o->keepalive_ms = n;
        else if (strcmp(a, "--idle-ms") == 0 && n >= 1) o->idle_ms = n;
        else if (strcmp(a, "--max-connections") == 0 && n >= 1 && n <= 1000000) o->max_connections = (long)n;
        else return -1;
    }
    return 0;
}

/* --root, else examples/demo from the current directory, else from the
 * executable (build/examples/demo_server -> ../../examples/demo). */
static int find_root(server *s)
{
    struct stat st;
    char exe[PATH_MAX], *slash;
    ssize_t n;
    if (s->opt.root) {
        snprintf(s->root, sizeof s->root, "%s", s->opt.root);
        return 0;
    }
    if (stat("examples/demo/index.html", &st) == 0) {
        snprintf(s->root, sizeof s->root, "examples/demo");
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = 0;
    if ((slash = strrchr(exe, '/')) == NULL)
        return -1;
    *slash = 0;
    if (snprintf(s->root, sizeof s->root, "%s/../../examples/demo", exe) >= (int)sizeof s->root)
        return -1;
    return stat(s->root, &st) == 0 ? 0 : -1;
}

static void server_config(server *s)
{
    wsx_ws_conn_config_default(&s->ws_cfg);
    s->ws_cfg.role = WSX_WS_SERVER;
    s->ws_cfg.decoder.max_message_size = WS_MAX_MESSAGE;
    s->ws_cfg.decoder.max_frame_size = WS_MAX_MESSAGE;
    s->ws_cfg.ping_interval_ms = s->opt.ping_ms;
    s->ws_cfg.pong_timeout_ms = s->opt.pong_ms;
    memset(&s->hs_cfg, 0, sizeof s->hs_cfg);
    wsx_http_config_default(&s->http_cfg);
    s->http_cfg.max_head = MAX_HEAD;
    s->http_cfg.max_target = 4096; /* the demo's URLs are short: 414 beyond */
}

/* SIGTERM/SIGINT: streams get a clean end (feeds the end of their body, a
 * running generation its "stopped" event, chat clients a close 1001), one
 * non-blocking write each, then every connection is closed. */
static void shutdown_all(server *s)
{
    client *c;
    static const char reason[] = "server shutting down";
    for (c = s->clients; c; c = c->next) {
        if (c->dead)
            continue;
        if (c->kind == K_FEED && !c->stream_ending)
            body_end(c);
        else if (c->kind == K_STREAM && c->gen && c->gen->running)
            generation_stop(c->gen);
        else if (c->kind == K_WS)
            wsx_ws_conn_close(&c->ws->conn, 1001, reason, sizeof reason - 1, net_now_ms());
        flush_output(c);
    }
    while (s->clients) {
        c = s->clients;
        if (c->kind == K_WS && c->ws)
            c->ws->name_len = 0; /* no leave notices now */
        client_free(s, c);
    }
}

static server S; /* large (the replay window, the history): not on the stack */

int main(int argc, char **argv)
{
    server *s = &S;
    struct epoll_event events[128];
    if (parse_options(argc, argv, &s->opt) != 0) {
        usage();
        return 2;
    }
    quiet = s->opt.quiet;
    if (find_root(s) != 0) {
        fprintf(stderr, "demo_server: cannot find the page (examples/demo); use --root DIR\n");
        return 1;
    }
    server_config(s);
    if (wsx_sse_replay_init(&s->replay, s->replay_mem, sizeof s->replay_mem, FEED_WINDOW,
                            WSX_SSE_REPLAY_NUMERIC) != WSX_OK) {
        fprintf(stderr, "demo_server: replay window setup failed\n");
        return 1;
    }
    feed_open_state(s);
    net_catch_signals();
    s->lfd = net_listen(s->opt.host, s->opt.port, 1024);
    if (s->lfd < 0) {
        fprintf(stderr, "demo_server: cannot listen on %s:%d: %s\n", s->opt.host, s->opt.port,
                strerror(errno));
        return 1;
    }
    s->spare_fd = net_spare_fd();
    s->epfd = net_epoll_listener(s->lfd); /* data.ptr NULL: the listening socket */
    if (s->epfd < 0) {
        perror("demo_server: epoll");
        return 1;
    }
    s->next_feed_ms = net_now_ms() + s->opt.interval_ms;
    printf("demo_server listening on http://%s:%d/ (page from %s)\n", s->opt.host,
           net_local_port(s->lfd), s->root);
    fflush(stdout);

    while (!net_stop) {
        int i, n = epoll_wait(s->epfd, events, 128, run_timers(s));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("demo_server: epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            client *c = (client *)events[i].data.ptr;
            if (!c) {
                accept_all(s);
                continue;
            }
            if (c->dead)
                continue;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
                on_readable(c);
            mark(c);
        }
        reap(s);
    }
    shutdown_all(s);
    close(s->lfd);
    close(s->epfd);
    if (s->state_fd >= 0)
        close(s->state_fd);
    if (!quiet)
        fputs("demo_server: stopped\n", stderr);
    return 0;
}
