/*
 * demo_server — the wsx demo: a browser chat over WebSocket, an LLM-style
 * token stream over Server-Sent Events, and a live numbered feed that
 * resumes without loss, all from one single-threaded epoll loop.
 *
 *   demo_server [--host H] [--port N] [--root DIR] [--token-ms MS]
 *               [--interval-ms MS] [--state FILE] [--ping-ms MS]
 *               [--pong-timeout-ms MS] [--message-timeout-ms MS]
 *               [--keepalive-ms MS] [--idle-ms MS] [--max-lag BYTES]
 *               [--stall-ms MS] [--max-connections N] [--no-gzip]
 *               [--gzip-window-bits N] [--gzip-level N] [--no-deflate]
 *               [--deflate-window-bits N] [--test-hooks] [--quiet]
 *               [--redis HOST:PORT [--instance NAME]]
 *   demo_server_tls --cert FILE --key FILE [the same options]
 *
 * `make demo` builds it and runs it on http://127.0.0.1:8080/.  With
 * --redis (compiled in when hiredis is present) it is one instance of
 * several sharing the feed, the chat and the generations through Redis
 * (cluster.c has the design; `make demo-cluster` runs three behind
 * nginx).
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
 *   GET  /api/health        {"cluster":false} on one process; in cluster
 *                           mode the instance, whether each Redis
 *                           connection is up (200) or not (503).
 *                           Cluster mode adds "instance" to the welcome,
 *                           the meta event and Stop's answer, and an
 *                           "event: instance" at the start of /events.
 *   POST /api/debug/feed-burst?n=N  (only with --test-hooks) N feed
 *                           events at once: {"first":a,"last":b}.
 *   POST /api/debug/drop-feeds  (only with --test-hooks) closes every
 *                           /events connection, to test resuming.
 *
 * Compression: both event streams (/events, /api/chat) are gzip'd when the
 * request's Accept-Encoding allows it (browsers always offer gzip; curl
 * with --compressed), every event and keep-alive comment sync-flushed on
 * its own so it can be decoded the moment it arrives (body_append in
 * conn.c); a token stream ends its gzip stream before the last chunk.
 * Event streams carry "Vary: Accept-Encoding", compressed or not.  Each
 * compressed stream has a wsx_gzip_writer with a 2^--gzip-window-bits
 * window (default 10), 1024 symbols a block and --gzip-level (1-9,
 * default 6): 13,674 + 176 bytes per stream at 10 bits, allocated with
 * the stream's first compressed response.  --no-gzip: never compress.
 * The chat's WebSocket takes permessage-deflate (RFC 7692) when the
 * browser offers it (they all do): a 2^--deflate-window-bits window
 * (default 12) each way, 61,174 bytes per chat connection allocated at the
 * upgrade (examples/common/pmd.h); messages of 32 bytes or more go out
 * compressed.  --no-deflate: declined.
 *
 * Overload and slow peers (conn.c has the details)
 *   - Slots: --max-connections (512).  When all are taken, a new
 *     connection takes the slot of one lingering after a refusal, or else
 *     of the one that has waited longest for a complete request head
 *     (answered 408), so a thousand half-open connections cannot lock an
 *     honest client out; when every slot is busy otherwise, 503 with
 *     Retry-After, before any WebSocket upgrade.  Out of descriptors: a
 *     spare one accepts, answers 503 and closes (no busy loop).
 *   - Behind: a feed whose waiting bytes (our buffer plus what its socket
 *     has not had acknowledged) would pass --max-lag (256 KiB) is dropped
 *     (it resumes with Last-Event-ID); a chat client whose queue cannot
 *     take a relayed message is closed with 1013.
 *     Any connection whose client takes none of what waits for it for
 *     --stall-ms (30000) is closed.  A WebSocket message must be complete
 *     within --message-timeout-ms (60000) of its first byte (close 1008).
 *   - Requests: an HTTP/1.1 request without exactly one Host (or any with
 *     more than one) is answered 400 (RFC 9112 section 3.2).
 *
 * The modules (each one's decisions are at its top)
 *   main.c       options, setup, the epoll loop, shutdown
 *   conn.c       connection lifetime, output buffers, read / write / settle,
 *                accept, timers
 *   http.c       requests, routing, plain responses, static files
 *   chat.c       GET /ws: the WebSocket chat
 *   assistant.c  POST /api/chat, /api/stop-generation, /api/history
 *   feed.c       GET /events: the live feed and its resume window
 *   transport.h  the socket calls: plain.c (demo_server), tls.c
 *                (demo_server_tls, OpenSSL)
 *   cluster.c    cluster mode: Redis keys, heartbeat and reaper, health;
 *                cluster_feed.c, cluster_chat.c, cluster_gen.c its parts;
 *                redis_loop.c hiredis on the epoll loop, reconnecting
 *
 * Memory: per connection 24 KiB input + 64 KiB output (+ 13.6 KiB for a
 * gzip'd event stream), plus 320 KiB for a
 * WebSocket (64 KiB message assembly, 256 KiB output queue), allocated at
 * accept / upgrade and never cleared, so only the pages a client really
 * uses become resident (300 idle connections take about 1.3 MB, 200 chat
 * clients about 5 MB).  Static files and /api/history are built in one
 * allocation per response.  Nothing is allocated per message.  SIGINT or
 * SIGTERM: streams are ended cleanly, chat clients get close 1001, exit 0.
 */
#ifndef WSX_DEMO_H
#define WSX_DEMO_H

#include "access.h"
#include "http_text.h"
#include "json.h"
#include "net.h"
#include "pmd.h"
#include "transport.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits --------------------------------------------------------------- */

#define IN_CAP (24 * 1024)  /* request head + body, WebSocket reads */
#define OUT_CAP (64 * 1024) /* HTTP responses, event streams */
#define MAX_HEAD 16384
#define MAX_BODY 8192
#define MAX_HEADERS 64
#define WS_MAX_MESSAGE (64 * 1024)
#define WS_QUEUE (256 * 1024)
#define RELAY_WAIT_MS 1000 /* a paused chat sender goes on after this (chat.c) */
#define NAME_MAX_LEN 32
#define MAX_RECIPIENTS 16
#define HISTORY_MAX 64
#define PROMPT_MAX 2048
#define TOKEN_MAX 48
#define TOKENS_MAX 60
#define ANSWER_MAX (TOKENS_MAX * TOKEN_MAX)
#define FEED_WINDOW 512
#define FEED_STREAM_MAX 4096 /* the Redis stream's retention (cluster mode), about */
#define FEED_EVENT_MAX 64    /* "id: n\ndata: n\n\n" with n < 2^64 */
#define STATIC_MAX (1 << 20)
#define LINGER_MS 2000

/* ---- types ----------------------------------------------------------------- */

typedef struct options {
    const char *host;
    int port;
    const char *root;
    uint64_t token_ms, interval_ms, ping_ms, pong_ms, keepalive_ms, idle_ms;
    uint64_t message_ms; /* --message-timeout-ms, 0: never */
    size_t max_lag;
    uint64_t stall_ms;
    const char *state_path;
    long max_connections;
    int gzip;              /* compress event streams (off: --no-gzip) */
    int gzip_window_bits;  /* 8..15 */
    int gzip_level;        /* 1..9 */
    unsigned deflate_bits; /* WebSocket permessage-deflate window; 0: off */
    int test_hooks, quiet;
    const char *redis;    /* --redis HOST:PORT: cluster mode (NULL: one process) */
    const char *instance; /* --instance NAME, in cluster mode */
    access_policy access; /* --allow-origin, --token, --max-streams-per-client */
} options;

enum kind {
    K_HTTP,   /* reading a request / writing a plain response */
    K_WS,     /* WebSocket chat */
    K_STREAM, /* POST /api/chat token stream */
    K_FEED,   /* GET /events */
    K_LINGER  /* refused: answer out, then discard input until EOF */
};

struct client;

typedef struct generation {
    char id[48];
    int used; /* slot holds a record */
    int running, stopped;
    int planned, sent; /* tokens planned, tokens written out */
    char prompt[PROMPT_MAX];
    size_t prompt_len;
    char answer[ANSWER_MAX];
    size_t answer_len;
    struct client *owner; /* the stream's connection until it ends */
} generation;

typedef struct ws_state {
    wsx_ws_conn conn;
    wsx_ws_feed feed;
    char name[NAME_MAX_LEN + 1];
    size_t name_len;    /* 0 until hello */
    pmd_mem *pmd;       /* permessage-deflate memory, when agreed */
    int paused;         /* input left unfed: a reader's queue is over half full */
    uint64_t paused_ms; /* since when */
    uint8_t msg[WS_MAX_MESSAGE];
    uint8_t queue[WS_QUEUE];
} ws_state;

typedef struct client {
    struct server *srv;
    uint64_t serial; /* names it in a Redis reply's callback (cluster mode) */
    int fd;
    void *tconn; /* the transport's state for fd */
    enum kind kind;
    uint32_t want;              /* the epoll events the loop wants */
    uint32_t events;            /* the epoll events watched (transport's) */
    int dead;                   /* to be freed by reap() */
    int dirty;                  /* on the dirty list */
    struct client *prev, *next; /* all clients */
    struct client *dnext;       /* dirty list */
    uint64_t deadline;          /* K_HTTP: request due; K_LINGER: end */
    net_drain drain;            /* does the client take what we write? */
    /* input */
    wsx_http_parser http;
    uint8_t *in; /* IN_CAP bytes while input waits, else NULL */
    size_t in_len;
    int peer_gone; /* EOF seen */
    /* output: out[out_off..out_len), then body[body_off..body_len), then
     * (K_WS) the connection's queue */
    uint8_t *out; /* OUT_CAP bytes while output waits, else NULL */
    size_t out_off, out_len;
    char *body;
    size_t body_off, body_len;
    int keep_alive;      /* the current request allows another */
    int sent_continue;   /* "100 Continue" sent for this request */
    int close_after;     /* close once the output is written */
    int chunked;         /* the stream body is chunked */
    int gzip;            /* the stream body is gzip'd through *gz */
    wsx_gzip_writer *gz; /* with its memory after it; kept for the next stream */
    /* K_STREAM */
    generation *gen;
    uint64_t next_token_ms;
    int token_pending; /* a token's event is in out, not all written */
    size_t token_end;  /* out offset just past it */
    char token[TOKEN_MAX];
    size_t token_len;
    int stream_ending;  /* the end of the body is queued */
    int awaiting;       /* the answer waits for Redis (cluster mode) */
    int http_head_only; /* ... and is to a HEAD request */
    /* K_FEED */
    uint64_t last_write_ms;
    uint64_t feed_after; /* events up to this one are sent or skipped */
    int feed_waiting;    /* its resume waits for Redis (cluster mode) */
    /* K_WS */
    ws_state *ws;
} client;

typedef struct server {
    options opt;
    const transport *tp;
    int epfd, lfd, spare_fd;
    long nclients;
    client *clients; /* all connections */
    client *dirty;   /* to settle after the current events */
    int relay_full;  /* a relay left a reader's queue over half full */
    int any_paused;  /* some chat client's input waits (ws_state.paused) */
    wsx_ws_conn_config ws_cfg;
    wsx_hs_server_config hs_cfg;
    wsx_http_config http_cfg;
    /* generations */
    generation history[HISTORY_MAX];
    size_t history_next; /* ring: next slot to use */
    unsigned long gen_counter;
    /* feed */
    uint64_t seq; /* last event number produced */
    uint64_t next_feed_ms;
    int state_fd;
    wsx_sse_replay replay;
    uint8_t replay_mem[FEED_WINDOW * (WSX_SSE_REPLAY_SLOT_SIZE + FEED_EVENT_MAX + 24)];
    char root[PATH_MAX];
    uint64_t serials;   /* the last client serial given */
    struct cluster *cl; /* cluster mode (--redis), else NULL */
} server;

/* ---- main.c ------------------------------------------------------------------ */

/* The whole server over transport tp; returns the exit status (2: bad
 * usage, after the usage text). */
int demo_main(int argc, char **argv, const transport *tp);
void logmsg(const char *fmt, ...);

/* ---- conn.c ------------------------------------------------------------------ */

void mark(client *c);        /* settle c after the current events */
void kill_client(client *c); /* end c (freed by reap()) */
void client_free(server *s, client *c);
int out_append(client *c, const void *data, size_t len);
int body_append(client *c, const void *data, size_t len);
void body_end(client *c);
size_t pending_output(client *c);
int flush_output(client *c);
size_t client_lag(client *c); /* bytes waiting for c (ours + its socket's) */
void on_readable(client *c);
void reap(server *s);
void accept_all(server *s);
int run_timers(server *s);

/* ---- http.c ------------------------------------------------------------------ */

void process_http(client *c);
void respond(client *c, int status, const char *ctype, const char *extra, const char *body,
             size_t body_len, char *owned_body, int head_only);
void respond_text(client *c, int status, const char *extra, const char *text);
void respond_json(client *c, int status, const char *json, size_t len);
void write_stream_head(client *c, const wsx_http_request *req);
/* access.c: OPTIONS for /events and /api/chat; a stream refused (403,
 * 401, 429: answered) is 1, else 0 */
void access_answer_preflight(client *c, const wsx_http_request *req);
int access_refused(client *c, const wsx_http_request *req);
long body_string(const char *body, size_t len, const char *key, char *out, size_t cap);
/* JSON building: append to buf[*len..cap); -1 when it does not fit. */
int buf_put(char *buf, size_t cap, size_t *len, const char *s, size_t n);
int buf_put_escaped(char *buf, size_t cap, size_t *len, const char *s, size_t n);
#define PUT_LIT(buf, cap, len, lit) buf_put(buf, cap, len, lit, sizeof(lit) - 1)

/* ---- chat.c ------------------------------------------------------------------ */

void start_ws(client *c, const wsx_http_request *req, size_t head_len);
void ws_input(client *c);
void ws_resume_paused(server *s, uint64_t now);
void chat_leave(client *c); /* c's name leaves the room */

/* ---- assistant.c ------------------------------------------------------------- */

void assistant_chat(client *c, const wsx_http_request *req, const char *body, size_t len);
void assistant_stop(client *c, const char *body, size_t len);
void assistant_history(client *c, int head_only);
void token_written(client *c);
void stream_step(client *c, uint64_t now);
void stream_finished(client *c);
void generation_end(client *c, int stopped);
void generation_stop(generation *g);

/* ---- feed.c ------------------------------------------------------------------ */

void feed_open_state(server *s);
void feed_tick(server *s, uint64_t now);
void start_feed(client *c, const wsx_http_request *req);
uint64_t feed_keepalive(client *c, uint64_t now);
int feed_drop_all(server *s);

/* ---- cluster mode (cluster*.c, redis_loop.c; compiled in with hiredis) ------ */

#ifdef DEMO_CLUSTER
int cluster_start(server *s); /* --redis: connects in the background; 0 or -1 */
void cluster_stop(server *s);
int cluster_io(server *s, void *ptr, uint32_t events); /* 1: ptr was Redis' */
uint64_t cluster_timers(server *s, uint64_t now);      /* the next deadline */
const char *cluster_instance(const server *s);         /* NULL: one process */
void cluster_health(client *c);
/* Feed: 1 when the cluster took it over. */
int cluster_feed_tick(server *s);
int cluster_feed_resume(client *c, uint64_t id);
int cluster_feed_burst(client *c, unsigned n);
/* Chat: what this instance's clients did, for the other instances. */
void cluster_chat_joined(server *s, const char *name, size_t len, const char *json,
                         size_t json_len);
void cluster_chat_left(server *s, const char *name, size_t len, const char *json, size_t json_len);
void cluster_chat_sent(server *s, const char *to_names, size_t to_len, const char *json,
                       size_t json_len);
void cluster_put_users(server *s, char *msg, size_t cap, size_t *n, int *count);
/* Assistant: the registry and the history in Redis. */
void cluster_gen_started(generation *g);
void cluster_gen_token(generation *g);
void cluster_gen_ended(generation *g);
int cluster_gen_stop(client *c, const char *id, size_t len); /* 1: answered later */
int cluster_history(client *c, int head_only);               /* 1: answered later */
#else
static inline int cluster_io(server *s, void *ptr, uint32_t events)
{
    (void)s, (void)ptr, (void)events;
    return 0;
}
static inline uint64_t cluster_timers(server *s, uint64_t now)
{
    (void)s, (void)now;
    return UINT64_MAX;
}
static inline const char *cluster_instance(const server *s)
{
    (void)s;
    return NULL;
}
static inline int cluster_feed_tick(server *s)
{
    (void)s;
    return 0;
}
static inline int cluster_feed_resume(client *c, uint64_t id)
{
    (void)c, (void)id;
    return 0;
}
static inline int cluster_feed_burst(client *c, unsigned n)
{
    (void)c, (void)n;
    return 0;
}
static inline void cluster_chat_joined(server *s, const char *name, size_t len, const char *json,
                                       size_t json_len)
{
    (void)s, (void)name, (void)len, (void)json, (void)json_len;
}
static inline void cluster_chat_left(server *s, const char *name, size_t len, const char *json,
                                     size_t json_len)
{
    (void)s, (void)name, (void)len, (void)json, (void)json_len;
}
static inline void cluster_chat_sent(server *s, const char *to_names, size_t to_len,
                                     const char *json, size_t json_len)
{
    (void)s, (void)to_names, (void)to_len, (void)json, (void)json_len;
}
static inline void cluster_put_users(server *s, char *msg, size_t cap, size_t *n, int *count)
{
    (void)s, (void)msg, (void)cap, (void)n, (void)count;
}
static inline void cluster_gen_started(generation *g) { (void)g; }
static inline void cluster_gen_token(generation *g) { (void)g; }
static inline void cluster_gen_ended(generation *g) { (void)g; }
static inline int cluster_gen_stop(client *c, const char *id, size_t len)
{
    (void)c, (void)id, (void)len;
    return 0;
}
static inline int cluster_history(client *c, int head_only)
{
    (void)c, (void)head_only;
    return 0;
}
#endif

/* Feed events reaching this instance (feed.c; from Redis in cluster mode). */
void feed_deliver(server *s, uint64_t n);
void feed_reset_client(client *c, uint64_t last);
void feed_add_burst(client *c, unsigned n); /* POST /api/debug/feed-burst */
void feed_resume_answer(client *c, uint64_t id, uint64_t oldest, uint64_t newest);
void send_history(client *c, int head_only); /* the local records as JSON */
void chat_deliver(server *s, const char *to_names, size_t to_len, const char *json, size_t len);

#endif
