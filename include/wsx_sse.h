/*
 * wsx_sse.h — Server-Sent Events (WHATWG HTML, "Server-sent events",
 * text/event-stream): parser, writer, server helpers (response head,
 * keep-alive, replay window) and client decisions (request, response
 * validation, reconnection timing).  Sans-I/O like the rest of wsx: bytes
 * in, events out, into memory the caller owns.
 *
 * Byte level.  The parser works on bytes, not decoded text: invalid UTF-8
 * passes through unchanged (a browser would show U+FFFD there); the caller
 * validates with wsx_utf8_* if it needs to.  Only the three bytes EF BB BF
 * at the very start of a stream are a BOM.
 */
#ifndef WSX_SSE_H
#define WSX_SSE_H

#include "wsx_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================== */
/* Parser                                                                  */
/* ====================================================================== */
/*
 * Pull parser.  Typical loop:
 *
 *   static uint8_t scratch[64 * 1024];
 *   wsx_sse_parser p;
 *   wsx_sse_parser_init(&p, scratch, sizeof scratch, NULL);
 *   for (each chunk buf[0..len) read from the connection) {
 *       size_t off = 0, used;
 *       wsx_sse_event ev;
 *       int r;
 *       while ((r = wsx_sse_parse(&p, buf + off, len - off, &used, &ev)) > 0) {
 *           off += used;
 *           if (r == WSX_SSE_EVENT) handle(ev.type, ev.data, ev.id);
 *           else if (r == WSX_SSE_RETRY) reconnect_delay = ev.retry;
 *       }
 *       if (r < 0) fail(wsx_strerror(r));   // r == 0: all of buf consumed
 *   }
 *   wsx_sse_end(&p);   // end of body: an unterminated event is dropped
 *
 * Each byte of input is scanned once (a word/vector-at-a-time search for CR
 * and LF); a line split over many chunks costs no more than a whole one.
 *
 * Scratch.  The caller gives one buffer at init; it is never grown and its
 * size is the limit.  It is cut into four fixed fields of max_field bytes
 * (the last event ID, the id buffer, an id being read, the event type) and
 * the rest, which holds the data of the pending event (lines joined by LF)
 * and, when comments are requested, a comment split across chunks.  A value
 * that does not fit fails with WSX_E_SSE_LINE_TOO_LONG (data, comment) or
 * WSX_E_SSE_FIELD_TOO_LONG (id, event type): never truncated, never grown.
 * Lines that are ignored (unknown fields, comments when not requested, the
 * value of a retry field) are skipped without being stored, so they have no
 * length limit and cost no memory.
 *
 * Zero copy.  When an event has a single data line and that whole line is
 * in the buffer passed to one call, ev.data points into that buffer (no
 * copy).  Otherwise ev.data points into the scratch buffer.  Either way:
 *
 *   Every pointer in a wsx_sse_event is valid until the next call to any
 *   wsx_sse_* function on the same parser, and only while the caller keeps
 *   the bytes it passed to the call that returned the event unchanged.
 *
 * The parser never keeps a pointer into the caller's input between calls.
 */

/* Event kinds returned by wsx_sse_parse (> 0). */
#define WSX_SSE_EVENT   1 /* an event was dispatched: type, data, id */
#define WSX_SSE_RETRY   2 /* a valid "retry:" line: ev->retry (ms) */
#define WSX_SSE_COMMENT 3 /* a ":" line, only with WSX_SSE_WANT_COMMENTS */

/* Configuration flags. */
#define WSX_SSE_WANT_COMMENTS 1u /* return comment lines (keep-alives) */

#define WSX_SSE_DEFAULT_MAX_FIELD 256 /* bytes: longest id and event type */

typedef struct wsx_sse_parser_config {
    size_t max_field; /* longest id / event type; 0 = WSX_SSE_DEFAULT_MAX_FIELD */
    unsigned flags;   /* WSX_SSE_WANT_COMMENTS */
} wsx_sse_parser_config;

typedef struct wsx_sse_event {
    /* WSX_SSE_EVENT: the event type ("message" when the stream set none;
     * then it points to static storage), the data (lines joined with LF, no
     * trailing LF; may be empty, may contain NUL), the last event ID at
     * dispatch (may be empty: id_len 0).  Not NUL-terminated.
     * WSX_SSE_COMMENT: data/data_len hold the text after the colon, minus
     * one leading space; type and id are unset. */
    const uint8_t *type;
    size_t type_len;
    const uint8_t *data;
    size_t data_len;
    const uint8_t *id;
    size_t id_len;
    /* WSX_SSE_RETRY: the new reconnection time in ms.  The value is ASCII
     * digits only (leading zeros allowed); a value above 4294967295
     * saturates to 4294967295 (UINT32_MAX: "a very long time"). */
    uint32_t retry;
} wsx_sse_event;

/* Parser state.  Fields are private.  About 100 bytes on 64-bit targets. */
typedef struct wsx_sse_parser {
    /* The byte fields come first: Thumb-2 reaches byte offsets below 32
     * with 2-byte loads and stores (134 bytes less code on a Cortex-M4). */
    uint8_t _id_last, _id_buf, _id_tmp; /* slot indices, all different but _buf may == _last */
    uint8_t _st, _field, _name_len, _bom;
    uint8_t _has_data, _id_nul, _retry_ok, _skip_block, _flags, _ended;
    uint8_t _name[5];
    uint8_t *_scratch;
    size_t _cap;           /* bytes for data / comment (after the fields) */
    size_t _max_field;
    size_t _data_len;      /* pending data bytes in scratch */
    size_t _tmp_len;       /* the value being read (WSX_SMALL), or the
                              comment being accumulated, after the data */
    const uint8_t *_slice; /* pending single data line inside the input */
    size_t _slice_len;
    uint32_t _id_len[3];   /* id slots: last event ID, id buffer, reading */
    uint32_t _type_len;
    uint32_t _retry;       /* retry value being read */
    int _err;              /* sticky error, 0 if none */
} wsx_sse_parser;

/* Initialises p for a new stream with an empty last event ID.  scratch
 * (scratch_size bytes, owned by the caller, must outlive p) needs more than
 * 4 * max_field bytes; the rest bounds the data of one event.  cfg may be
 * NULL (defaults).  Returns WSX_OK or WSX_E_ARG (scratch too small). */
WSX_API wsx_err wsx_sse_parser_init(wsx_sse_parser *p, void *scratch, size_t scratch_size,
                                    const wsx_sse_parser_config *cfg);

/* Parses buf[0..len) until one event is ready.  Sets *consumed to the
 * number of bytes used (always; the caller passes buf + *consumed next).
 * Returns
 *   WSX_SSE_EVENT, WSX_SSE_RETRY, WSX_SSE_COMMENT  (*ev filled, see above);
 *   0   every byte was consumed (*consumed == len) and no event is ready:
 *       give more input;
 *   < 0 an error, sticky until wsx_sse_resync() or wsx_sse_reset():
 *       WSX_E_SSE_LINE_TOO_LONG  data (or a requested comment) does not fit
 *                                the scratch buffer;
 *       WSX_E_SSE_FIELD_TOO_LONG an id or event type over max_field;
 *       WSX_E_STATE              called after wsx_sse_end() without reset.
 *       On error *consumed counts the bytes before the offending value. */
WSX_API int wsx_sse_parse(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                          size_t *consumed, wsx_sse_event *ev);

/* After WSX_E_SSE_LINE_TOO_LONG or WSX_E_SSE_FIELD_TOO_LONG: drops the
 * event being read (its data, type and any id it set) and skips input up to
 * and including the next empty line, then parses normally.  Continue with
 * buf + *consumed.  Returns WSX_OK, or WSX_E_STATE when p is not in one of
 * those two errors (nothing changed).  Not calling it means "stop". */
WSX_API wsx_err wsx_sse_resync(wsx_sse_parser *p);

/* End of the response body (or connection lost).  An event without its
 * terminating empty line is discarded, as the spec says, and so is the id
 * it set (the last event ID is only committed by an empty line).  Returns
 * 1 if something incomplete was discarded, 0 if the stream ended cleanly.
 * Further wsx_sse_parse calls fail with WSX_E_STATE until wsx_sse_reset. */
WSX_API int wsx_sse_end(wsx_sse_parser *p);

/* Prepares p for a new connection (a reconnect): a BOM is allowed again,
 * pending data, errors and the end state are cleared, and the last event ID
 * is KEPT (it persists across reconnections and is what the next request
 * sends as Last-Event-ID). */
WSX_API void wsx_sse_reset(wsx_sse_parser *p);

/* The last event ID (bytes, not NUL-terminated; *len may be 0).  Valid until
 * the next call on p.  Committed by each empty line, even one that
 * dispatches no event ("id: 42\n\n"). */
WSX_API const uint8_t *wsx_sse_last_event_id(const wsx_sse_parser *p, size_t *len);

/* Sets the last event ID, e.g. restored from disk before the first
 * connection.  Returns WSX_OK, WSX_E_SSE_FIELD (contains NUL, CR or LF) or
 * WSX_E_SSE_FIELD_TOO_LONG. */
WSX_API wsx_err wsx_sse_set_last_event_id(wsx_sse_parser *p, const uint8_t *id, size_t len);

/* ---- callback adapter ------------------------------------------------ */

typedef struct wsx_sse_callbacks {
    /* Each may be NULL.  A callback returning non-zero stops wsx_sse_feed,
     * which then returns that value.  Pointers as in wsx_sse_event. */
    int (*on_event)(void *user, const wsx_sse_event *ev);
    int (*on_retry)(void *user, uint32_t retry_ms);
    int (*on_comment)(void *user, const uint8_t *text, size_t len);
    /* Called on a parse error.  Returning 0 for WSX_E_SSE_LINE_TOO_LONG or
     * WSX_E_SSE_FIELD_TOO_LONG resynchronises (wsx_sse_resync) and goes
     * on; anything else, or no callback, stops with the error. */
    int (*on_error)(void *user, int err);
} wsx_sse_callbacks;

/* Runs wsx_sse_parse over buf[0..len) calling the callbacks.  Returns
 * WSX_OK when all of buf was consumed, a negative error, or the non-zero
 * value a callback returned.  *consumed (may be NULL) tells how far it got.
 * on_comment is only called when p was created with WSX_SSE_WANT_COMMENTS. */
WSX_API int wsx_sse_feed(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                         const wsx_sse_callbacks *cb, void *user, size_t *consumed);

/* ====================================================================== */
/* Writer                                                                  */
/* ====================================================================== */
/*
 * One event as bytes, in this order: comment lines, "event: ", "id: ",
 * "retry: ", "data: " lines, then the empty line that dispatches it.
 *
 *   - data is split on CR, LF and CRLF into several "data: " lines; the
 *     client joins them with LF, so CR and CRLF inside data come back as LF
 *     (the only thing that does not round-trip).  "data: " is always written
 *     with its space, so data beginning with a space survives.
 *   - data == NULL writes no data line (the block then dispatches no event:
 *     use it to send only an id, a retry or a comment); data != NULL with
 *     data_len 0 writes one "data: " line: an event with empty data.
 *   - type and id must not contain CR, LF or NUL (WSX_E_SSE_FIELD).  A type
 *     of length 0 writes no event line (the client says "message").  id ==
 *     NULL writes no id line; id != NULL with id_len 0 writes "id: ", which
 *     clears the client's last event ID.
 *   - comment (NULL: none) may contain line breaks: one ": " line each.
 *   - retry_ms < 0: no retry line.
 *
 * Return convention of every writer here: with out == NULL, the number of
 * bytes needed (nothing written); otherwise the number of bytes written to
 * out, or WSX_E_BUFFER if cap is too small (out unspecified), or another
 * negative wsx_err.
 */
typedef struct wsx_sse_msg {
    const char *type;
    size_t type_len;
    const char *id;
    size_t id_len;
    const void *data;
    size_t data_len;
    const char *comment;
    size_t comment_len;
    int64_t retry_ms;
} wsx_sse_msg;

/* Fills m with "nothing": no type, id, data, comment, and retry_ms = -1. */
WSX_API void wsx_sse_msg_init(wsx_sse_msg *m);

WSX_API ptrdiff_t wsx_sse_write(const wsx_sse_msg *m, uint8_t *out, size_t cap);

/* "data: [DONE]\n\n": the end-of-stream sentinel of OpenAI-style APIs (an
 * application convention, not part of SSE: clients see a plain message). */
#define WSX_SSE_DONE "data: [DONE]\n\n"
WSX_API ptrdiff_t wsx_sse_write_done(uint8_t *out, size_t cap);

/* ": <text>\n\n"; line breaks in text give several comment lines. */
WSX_API ptrdiff_t wsx_sse_write_comment(const char *text, size_t len, uint8_t *out, size_t cap);

/* The keep-alive comment ": keep-alive\n\n" (14 bytes). */
#define WSX_SSE_KEEPALIVE ": keep-alive\n\n"
WSX_API ptrdiff_t wsx_sse_write_keepalive(uint8_t *out, size_t cap);

/* bytes[0..len) as one HTTP/1.1 chunk: "<hex len>\r\n" bytes "\r\n".
 * len 0 gives the last chunk "0\r\n\r\n" (end of the response body). */
WSX_API ptrdiff_t wsx_sse_write_chunk(const void *bytes, size_t len, uint8_t *out, size_t cap);

/* wsx_sse_write framed as one chunk (for Transfer-Encoding: chunked). */
WSX_API ptrdiff_t wsx_sse_write_chunked(const wsx_sse_msg *m, uint8_t *out, size_t cap);

/* ====================================================================== */
/* Server helpers                                                          */
/* ====================================================================== */

typedef struct wsx_sse_head_config {
    int chunked;                 /* add "Transfer-Encoding: chunked" */
    int charset;                 /* "text/event-stream; charset=utf-8" */
    const char *allow_origin;    /* NUL-terminated Access-Control-Allow-Origin, or NULL */
    int allow_credentials;       /* "Access-Control-Allow-Credentials: true" */
    const wsx_header *headers; /* extra headers, or NULL */
    size_t num_headers;
    int connection_close;        /* "Connection: close" instead of keep-alive:
                                    a stream that ends by closing the connection
                                    (an HTTP/1.0 client, no chunked coding) */
} wsx_sse_head_config;

/* The response head, ending with the empty line:
 *   HTTP/1.1 200 OK
 *   Content-Type: text/event-stream[; charset=utf-8]
 *   Cache-Control: no-cache
 *   X-Accel-Buffering: no          (nginx: stream, do not buffer)
 *   Connection: keep-alive         (or close: connection_close)
 *   [Transfer-Encoding: chunked] [Access-Control-Allow-Origin: ...]
 *   [Vary: Origin when allow_origin is not "*"]
 *   [Access-Control-Allow-Credentials: true] [extra headers]
 * cfg may be NULL (none of the options).  Writer return convention;
 * WSX_E_ARG for allow_credentials with allow_origin "*" (CORS forbids it:
 * browsers reject the response). */
WSX_API ptrdiff_t wsx_sse_response_head(const wsx_sse_head_config *cfg, uint8_t *out, size_t cap);

#define WSX_SSE_KEEPALIVE_MS 15000u /* default keep-alive interval */

/* Is a keep-alive comment due?  Returns 1 when now_ms >= last_write_ms +
 * interval_ms (interval_ms 0 means WSX_SSE_KEEPALIVE_MS), else 0.  Sets
 * *next_ms (may be NULL) to the time the next one is due: now_ms when one is
 * due now, else last_write_ms + interval_ms.  A clock that went backwards
 * (now_ms < last_write_ms) is "not due". */
WSX_API int wsx_sse_keepalive_due(uint64_t now_ms, uint64_t last_write_ms, uint32_t interval_ms,
                                  uint64_t *next_ms);

/* ---- replay window --------------------------------------------------- */
/*
 * The most recent events, serialized, in caller memory, so a client that
 * reconnects with Last-Event-ID gets what it missed.  mem is split into
 * max_events slots of WSX_SSE_REPLAY_SLOT_SIZE bytes and a byte ring for the
 * events (their id + their bytes as wsx_sse_write gives them).  Appending
 * evicts the oldest events until the new one fits.
 *
 * Two id modes:
 *   WSX_SSE_REPLAY_NUMERIC  ids are ASCII decimal (1 to 19 digits) and
 *     strictly increasing (gaps allowed); lookups compare numerically.  The
 *     window knows every event after its "floor": the id of the last event
 *     evicted, or (first id appended - 1) before any eviction.  A
 *     Last-Event-ID n with floor <= n <= newest replays the events with id >
 *     n; anything else (older, newer than the newest: a restarted server,
 *     not a number) is WSX_E_SSE_REPLAY_GONE.
 *   WSX_SSE_REPLAY_EXACT  any ids; Last-Event-ID must equal a stored id
 *     byte for byte (the newest match wins); the events after it are
 *     replayed.  An id not in the window is WSX_E_SSE_REPLAY_GONE.
 * On WSX_E_SSE_REPLAY_GONE the server decides: full resync, or an error.
 */
#define WSX_SSE_REPLAY_NUMERIC 0
#define WSX_SSE_REPLAY_EXACT   1

typedef struct wsx_sse_replay_slot_ {
    uint64_t _num;  /* numeric id (NUMERIC mode) */
    uint32_t _off;  /* offset in the byte ring: id bytes, then event bytes */
    uint32_t _id_len;
    uint32_t _len;  /* event bytes */
    uint32_t _pad;
} wsx_sse_replay_slot_;

#define WSX_SSE_REPLAY_SLOT_SIZE sizeof(wsx_sse_replay_slot_)

typedef struct wsx_sse_replay {
    wsx_sse_replay_slot_ *_slots;
    uint8_t *_ring;
    size_t _max, _ring_cap;
    size_t _first, _count; /* oldest slot index, number stored */
    uint64_t _floor;
    int _mode, _floor_set;
} wsx_sse_replay;

typedef struct wsx_sse_replay_iter {
    const wsx_sse_replay *_r;
    size_t _pos, _left;
} wsx_sse_replay_iter;

/* mem (size bytes, caller-owned, outlives r; any alignment) holds max_events
 * slots and the ring.  Returns WSX_OK or WSX_E_ARG (max_events 0, mode
 * unknown, no room left for the ring). */
WSX_API wsx_err wsx_sse_replay_init(wsx_sse_replay *r, void *mem, size_t size, size_t max_events,
                                    int mode);

/* Serializes m (wsx_sse_write) and stores it.  m->id is required and must be
 * non-empty (and numeric, above the newest, in NUMERIC mode: WSX_E_ARG).
 * Returns WSX_OK, WSX_E_ARG, WSX_E_SSE_FIELD, or WSX_E_LIMIT (the event is
 * larger than the whole ring: nothing stored or evicted).  Iterators over r
 * are invalid after an append. */
WSX_API wsx_err wsx_sse_replay_append(wsx_sse_replay *r, const wsx_sse_msg *m);

/* Positions it after the event whose id is last_id (see the modes above).
 * Returns WSX_OK (the iterator may yield nothing: the client is up to date)
 * or WSX_E_SSE_REPLAY_GONE (or WSX_E_ARG for an empty last_id: a client
 * without Last-Event-ID is new; use wsx_sse_replay_all for history). */
WSX_API wsx_err wsx_sse_replay_since(const wsx_sse_replay *r, const char *last_id, size_t len,
                                     wsx_sse_replay_iter *it);

/* Positions it on the oldest stored event. */
WSX_API void wsx_sse_replay_all(const wsx_sse_replay *r, wsx_sse_replay_iter *it);

/* Next event, oldest first: *bytes and *len its serialized bytes (ready to
 * send), *id and *id_len (may be NULL) its id; pointers into r's memory, valid
 * until the next append.  Returns 1, or 0 when there are no more. */
WSX_API int wsx_sse_replay_next(wsx_sse_replay_iter *it, const uint8_t **bytes, size_t *len,
                                const char **id, size_t *id_len);

/* Number of events stored. */
WSX_API size_t wsx_sse_replay_count(const wsx_sse_replay *r);

/* ====================================================================== */
/* Client                                                                  */
/* ====================================================================== */

/* The request: GET (or POST with a body, which browsers' EventSource cannot
 * do: the fetch-event-source use case) with Accept: text/event-stream,
 * Cache-Control: no-cache, Last-Event-ID when last_id_len > 0 (its bytes as
 * they are: UTF-8), Content-Length and the body for POST, and the caller's
 * headers (Authorization, Content-Type, ...). */
typedef struct wsx_sse_request {
    const char *method;          /* NUL-terminated token; NULL = "GET" */
    const char *target;          /* NUL-terminated origin-form, e.g. "/events?x=1" */
    const char *host;            /* NUL-terminated Host value, e.g. "example.com:8080" */
    const uint8_t *last_id;      /* e.g. from wsx_sse_last_event_id(); may be NULL */
    size_t last_id_len;
    const wsx_header *headers; /* extra headers, or NULL */
    size_t num_headers;
    const void *body;            /* NULL: no body, no Content-Length */
    size_t body_len;
} wsx_sse_request;

/* Writer return convention.  The head and the body, contiguous.  Errors:
 * WSX_E_ARG (missing target/host, method not a token, target or host with
 * control characters or spaces), WSX_E_SSE_FIELD (last_id with CR, LF or
 * NUL), WSX_E_HTTP_HEADER_NAME / _VALUE. */
WSX_API ptrdiff_t wsx_sse_request_write(const wsx_sse_request *req, uint8_t *out, size_t cap);

/* Decides what a response means for an EventSource-style client, from its
 * status and headers (name/value pairs; names compared case-insensitively):
 *   WSX_OK                   200 and Content-Type text/event-stream (media
 *                            type case-insensitive, parameters allowed):
 *                            read the body with the parser;
 *   WSX_E_SSE_REDIRECT       301, 302, 303, 307, 308 with a Location:
 *                            *location and *location_len (may be NULL) get
 *                            its value (a slice of the caller's header,
 *                            possibly relative: resolve it against the
 *                            request URL).  The method of the next request
 *                            follows the Fetch standard, see
 *                            wsx_sse_redirect_method(): 303 turns any
 *                            method but HEAD into GET without a body, 301
 *                            and 302 turn POST into GET, 307 and 308 keep
 *                            the method and the body;
 *   WSX_E_SSE_NO_CONTENT     204: stop for good, do not reconnect;
 *   WSX_E_SSE_STATUS         any other status (including a redirect with no
 *                            Location): fail, do not reconnect;
 *   WSX_E_SSE_CONTENT_TYPE   200 with another or no Content-Type: fail, do
 *                            not reconnect. */
WSX_API wsx_err wsx_sse_check_response(int status, const wsx_header *headers, size_t n,
                                       const char **location, size_t *location_len);

/* The method for the request that follows a redirect with this status
 * (Fetch standard, "HTTP-redirect fetch"): "GET" for 303 (unless method is
 * HEAD) and for POST on 301/302, else method itself.  When the result is
 * not method, drop the body and its Content-Type.  Static storage or
 * method; never NULL (method NULL counts as "GET"). */
WSX_API const char *wsx_sse_redirect_method(int status, const char *method);

/* The same from a response parsed by wsx_http_parse_response() (wsx_http.h;
 * declared with the struct tag so this header does not need that one). */
struct wsx_http_response;
WSX_API wsx_err wsx_sse_check_http_response(const struct wsx_http_response *res, const char **location,
                                            size_t *location_len);

/* ---- reconnection timing --------------------------------------------- */
/*
 * delay = the server's retry value (default 3000 ms), doubled for each
 * consecutive failure (capped at max_ms, default 30000 ms; a retry value
 * above max_ms is honoured as it is: the server asked for it), then
 * stretched by a jitter of 0 to 50% drawn from a 32-bit random value the
 * caller supplies, so a herd of clients spreads out but none comes back
 * earlier than the server asked.  A successful open (wsx_sse_backoff_opened)
 * resets the failure count.  A retry below 1000 ms is used as it is only
 * for the first attempt after a good stream: consecutive failures double
 * from at least 1000 ms, so "retry: 0" cannot make a tight loop.
 *
 *   disconnect after a good stream   -> retry        (+ jitter)
 *   that attempt fails too           -> 2 * retry    (+ jitter)
 *   and again                        -> 4 * retry ... up to max_ms
 */
#define WSX_SSE_RETRY_DEFAULT_MS 3000u
#define WSX_SSE_BACKOFF_MAX_MS 30000u

typedef struct wsx_sse_backoff {
    uint32_t retry_ms;   /* base delay (public: set from WSX_SSE_RETRY) */
    uint32_t max_ms;     /* cap for the exponential part (public) */
    uint32_t _failures;  /* consecutive failed attempts */
} wsx_sse_backoff;

WSX_API void wsx_sse_backoff_init(wsx_sse_backoff *b);
/* The server sent retry: ms. */
WSX_API void wsx_sse_backoff_set_retry(wsx_sse_backoff *b, uint32_t retry_ms);
/* The connection opened (200 + text/event-stream): failures reset. */
WSX_API void wsx_sse_backoff_opened(wsx_sse_backoff *b);
/* The connection failed, or the body ended: returns the time (same clock as
 * now_ms) of the next attempt and counts one more consecutive failure.  Call
 * it once per disconnect or failed attempt. */
WSX_API uint64_t wsx_sse_backoff_next(wsx_sse_backoff *b, uint64_t now_ms, uint32_t random32);
/* The delay wsx_sse_backoff_next would use now (no state change). */
WSX_API uint32_t wsx_sse_backoff_delay(const wsx_sse_backoff *b, uint32_t random32);

#ifdef __cplusplus
}
#endif

#endif /* WSX_SSE_H */
