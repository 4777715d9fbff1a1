/*
 * sse_server — a Server-Sent Events demo server on poll(), built on wsx.
 *
 *   sse_server [--host H] [--port N] [--interval-ms MS] [--keepalive-ms MS]
 *              [--retry-ms MS] [--drop-after N] [--token-ms MS]
 *              [--replay N] [--buffer BYTES] [--sndbuf BYTES]
 *              [--max-lag BYTES] [--stall-ms MS] [--max-clients N]
 *              [--allow-origin ORIGIN]... [--max-streams-per-client N]
 *              [--token T] [--no-gzip] [--gzip-window-bits N]
 *              [--gzip-level N] [--verbose]
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
 *   OPTIONS         for /events and /api/chat: the CORS preflight answer
 *                   (wsx_cors_preflight: methods GET, POST; request
 *                   headers Content-Type, Authorization, Last-Event-ID;
 *                   Max-Age 600).
 *   GET /           a small HTML page that shows /events with EventSource.
 *   HEAD            for /events and /: the head GET would get, no body
 *                   (RFC 9110 section 9.3.2); the connection then waits
 *                   for the next request as after any complete response.
 * Anything else is answered 404, a wrong method 405 (with Allow), a bad
 * head 400/414/431/505 (the status wsx_err_http_status() gives for the
 * parser's error), an HTTP/1.1 request without exactly one Host, or any
 * request with more than one, 400 (RFC 9112 section 3.2), a POST with neither Content-Length nor Transfer-Encoding
 * 411, a body that is too large 413 (the same 16 KiB limit for both
 * framings: a chunked body is refused as soon as its decoded size, or one
 * chunk's declared size, goes over), a malformed chunked body 400 (431 for
 * oversized trailers), a transfer coding other than chunked 501, and what
 * RFC 9112 sections 6.1 and 6.3 call unreliable framing 400:
 * Transfer-Encoding with Content-Length, in an HTTP/1.0 request, or not
 * ending in chunked.  Every error response closes the connection; to a
 * HEAD request it carries no body.
 *
 * Access (access.c), checked before a stream starts, in this order:
 *   - CORS: with --allow-origin, a request whose Origin is neither the
 *     server's own nor one of its values ("*": any) is refused 403;
 *     without it no other origin is granted (no CORS lines: the browser
 *     keeps other pages from reading; see common/access.h); an allowed one
 *     gets Access-Control-Allow-Origin (its origin echoed: credentials are
 *     allowed, so never "*"), -Allow-Credentials: true and Vary: Origin on
 *     the stream's head and on refusals.
 *   - --token T: a stream request without "Authorization: Bearer T" gets
 *     401 with "WWW-Authenticate: Bearer".  GET /events also accepts the
 *     cookie "token=T": an EventSource cannot set headers, but sends
 *     cookies (withCredentials across origins).
 *   - --max-streams-per-client N: a client address that already holds N
 *     streams (/events or chat) gets 429 with "Retry-After: 2".
 *
 * Decisions:
 *   - Framing.  For an HTTP/1.1 request both streams use Transfer-Encoding:
 *     chunked (wsx_chunked_write_header around each event), so the end of a
 *     chat ([DONE]) is a clean end of body, "0\r\n\r\n", and the connection
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
 *   - Compression.  Both streams are gzip'd (Content-Encoding: gzip) when
 *     the request's Accept-Encoding allows it (wsx_http_accepts_gzip: curl
 *     --compressed, browsers), each event, keep-alive comment and retry
 *     line sync-flushed on its own (wsx_sse_gzip_bytes), so tokens still
 *     arrive one by one; a chat ends its gzip stream (wsx_sse_gzip_finish)
 *     before the last chunk.  Every event stream carries "Vary:
 *     Accept-Encoding" (the answer depends on it, compressed or not).  Per
 *     compressed stream: one wsx_gzip_writer with a 2^--gzip-window-bits
 *     window (default 10) and 1024 symbols a block, 13,674 + 176 bytes at
 *     10 bits (WSX_DEFLATE_MEM_MIN(bits) + 3 KiB, the writer struct),
 *     allocated when the stream starts; --gzip-level (1-9, default 6);
 *     --no-gzip turns it off (identity streams, no Vary).
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
 *     ever blocks the loop.  How far a stream may fall behind is bounded
 *     twice:
 *       bytes: a /events client is dropped when the next event would not
 *         fit in its buffer, or would bring what waits for it (bytes in
 *         its buffer plus bytes its socket holds that it has not
 *         acknowledged, SIOCOUTQ) over --max-lag (default 256 KiB): the
 *         kernel's send buffer, which Linux grows up to 4 MiB, counts too.
 *         Dropped, not sent a reset: it reconnects with Last-Event-ID and
 *         gets what it missed from the replay window (or a reset event
 *         when that is gone), the same path as any lost connection.
 *         --sndbuf BYTES also sets SO_SNDBUF.  A replay larger than the
 *         buffer sends what fits and closes the connection: the client
 *         resumes from there.  A chat stream is finite, so it waits
 *         instead: no token is generated while its buffer is more than
 *         half full;
 *       time: a stream (/events or chat) whose client has taken no byte
 *         of what waits for it for --stall-ms (default 30000) is dropped,
 *         whatever the rate of the feed.  A client that reads slowly but
 *         reads is not stalled.
 *   - Chunked uploads.  The body is decoded with wsx_chunked as it arrives,
 *     in place: the data moves down to right behind the head (decoding
 *     never lengthens bytes), so the request buffer holds the head, the
 *     decoded body and one read, never the chunk framing.
 *   - Timeouts.  A request head (and body) must arrive within 10 s (also
 *     the idle time allowed between requests); the end of a response must
 *     be delivered within 10 s.
 *   - Full input buffer.  It holds the largest head and body plus a read's
 *     worth of slack: a chunked body decodes in place, so the framing
 *     still to come (up to the last chunk and the trailers) always has
 *     room.  Should a request ever fill it anyway, it is refused with 413,
 *     never left readable and unread (poll would report it forever).
 *   - Overload.  --max-clients (default 1000) slots.  When they are all
 *     taken, a new connection takes the slot of one lingering after its
 *     response, or else of the one that has been waiting longest for a
 *     complete request head (a slow or idle keep-alive client, answered
 *     408 and closed): a thousand half-open
 *     connections cannot lock honest clients out, each of which sends its
 *     head at once.  When every slot is a stream, the newcomer is answered
 *     503 with Retry-After: 5 and closed.  Out of file descriptors
 *     (EMFILE), one spare descriptor kept for the purpose is used to
 *     accept, answer 503 and close each pending connection, so the
 *     listening socket never stays readable with nothing done (a busy
 *     loop); the streams already open go on.
 *
 * SIGINT or SIGTERM stop it (exit status 0).  --port 0 picks a free port;
 * the "listening" line says which.
 *
 * The modules: main.c (options, the poll loop, connections and timers),
 * http.c (output buffer, responses, request heads and bodies, routing),
 * events.c (GET /events), chat.c (POST /api/chat).
 */
#ifndef WSX_SSE_SERVER_H
#define WSX_SSE_SERVER_H

#include "access.h"
#include "http_text.h"
#include "json.h"
#include "net.h"

#include <wsx.h>
#include <wsx_http.h>
#include <wsx_sse.h>

#include <stddef.h>
#include <stdint.h>

/* ---- options ----------------------------------------------------------- */

typedef struct options {
    const char *host;
    int port;
    uint64_t interval_ms;
    uint32_t keepalive_ms;
    uint32_t retry_ms;
    uint64_t drop_after; /* 0: never */
    uint64_t token_ms;
    size_t replay;
    size_t buffer;
    int sndbuf;        /* SO_SNDBUF per client; 0: the system's */
    size_t max_lag;    /* bytes a stream may have waiting */
    uint64_t stall_ms; /* time a stream may take nothing */
    size_t max_clients;
    access_policy access; /* --allow-origin, --token, --max-streams-per-client */
    int gzip;             /* compress streams when the client accepts gzip */
    int gzip_window_bits; /* 8..15 */
    int gzip_level;       /* 1..9 */
    int verbose;
} options;

#define HEAD_MAX 16384  /* request head */
#define BODY_MAX 16384  /* POST body */
#define READ_SLACK 4096 /* room for chunked framing after the body */
#define IN_CAP (HEAD_MAX + BODY_MAX + READ_SLACK)
#define IN_START 2048 /* most requests fit */
#define HEAD_TIMEOUT_MS 10000u
#define FINISH_MS 10000u /* to deliver the end of a response */
#define LINGER_MS 2000u
#define MAX_HEADERS 64
#define EVENT_MAX 512    /* one serialized feed or token event */
#define ANSWER_MAX 12288 /* fake answer text */
#define META_MAX 8192    /* the meta event's data */

/* ---- clients ----------------------------------------------------------- */

enum phase {
    PH_HEAD,   /* reading the request head (and body) */
    PH_EVENTS, /* streaming /events */
    PH_CHAT,   /* streaming a chat answer */
    PH_FINISH, /* response complete: flush, then half-close */
    PH_LINGER  /* half-closed: discard input until EOF or the deadline */
};

typedef struct client {
    int fd;
    enum phase phase;
    uint64_t deadline; /* PH_HEAD, PH_FINISH, PH_LINGER */
    int dead;          /* close at the next round (too slow) */
    wsx_http_parser http;
    char *in; /* while a request is read (PH_HEAD), else NULL: in_cap
               * bytes, from IN_START up to IN_CAP as the request needs */
    size_t in_len, in_cap;
    int sent_continue; /* "100 Continue" already written */
    int head_only;     /* a HEAD request: never a response body */
    int body_chunked;  /* the request body is chunked: body_dec */
    wsx_chunked body_dec;
    size_t body_len; /* chunked: decoded bytes, at in[head..) */
    int chunked;     /* response body framed as chunks */
    int keep_alive;  /* HTTP/1.1 request without Connection: close */
    int reuse;       /* after this response: read the next request */
    uint8_t *out;    /* out[out_off..out_len) waits for the socket; --buffer
                      * bytes while something does, else NULL */
    size_t out_off, out_len;
    net_drain drain;        /* does the client take what we write? */
    uint64_t last_write_ms; /* last bytes queued (keep-alive timing) */
    uint64_t events_sent;   /* /events: events on this connection */
    int gzip;               /* this response's body is gzip'd through gz */
    wsx_gzip_writer gz;
    void *gz_mem; /* the compressor's memory (kept for the next stream) */
    /* chat */
    char *answer; /* ANSWER_MAX bytes while streaming one, else NULL */
    size_t answer_len, answer_pos;
    uint64_t token_id;
    uint64_t next_token_ms;
} client;

typedef struct server {
    options opt;
    int listen_fd;
    int spare_fd; /* for EMFILE, see "Overload" */
    client **clients;
    size_t nclients;
    uint64_t seq; /* id of the newest feed event */
    uint64_t next_tick_ms;
    wsx_sse_replay replay;
    void *replay_mem;
} server;

/* ---- main.c ------------------------------------------------------------ */

void note(const char *what, int fd); /* a --verbose line */

/* ---- http.c ------------------------------------------------------------ */

int out_put(server *s, client *c, const void *bytes, size_t n);
int out_body(server *s, client *c, const void *bytes, size_t n);
void finish(client *c);
void end_response(server *s, client *c);
void drop_stream(server *s, client *c);
int flush_out(client *c);
void respond(server *s, client *c, int status, const char *type, const char *extra,
             const char *body, size_t body_len);
void respond_error(server *s, client *c, int status, const char *extra);
int stream_head(server *s, client *c, const wsx_http_request *req, uint8_t *head, size_t cap,
                size_t *len);
size_t gzip_mem_size(const options *o);
void on_request_bytes(server *s, client *c);

/* ---- access.c ---------------------------------------------------------- */

/* The CORS lines of a response to req (WSX_CORS_MAX_HEADERS): 0, or -1
 * when its Origin is not allowed. */
int cors_lines(server *s, const wsx_http_request *req, wsx_header *lines, size_t *n);
/* OPTIONS: the preflight answer (wsx_cors_preflight). */
void answer_preflight(server *s, client *c, const wsx_http_request *req);
/* May req open a stream?  0, or -1 when refused (403, 401, 429: answered). */
int access_check(server *s, client *c, const wsx_http_request *req);

/* ---- events.c ---------------------------------------------------------- */

void start_events(server *s, client *c, const wsx_http_request *req);
void tick(server *s);

/* ---- chat.c ------------------------------------------------------------ */

void start_chat(server *s, client *c, const wsx_http_request *req, const char *body, size_t n);
void chat_step(server *s, client *c);

#endif
