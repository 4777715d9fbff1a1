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
 *           if (r == WSX_SSE_EV_EVENT) handle(ev.type, ev.data, ev.id);
 *           else if (r == WSX_SSE_EV_RETRY) reconnect_delay = ev.retry;
 *       }
 *       if (r < 0) fail(wsx_strerror(r));   // r == 0: all of buf consumed
 *   }
 *   wsx_sse_end(&p);   // end of body: an unterminated event is dropped
 *
 * Each byte of input is scanned once (a word/vector-at-a-time search for CR
 * and LF); a line split over many chunks costs no more than a whole one.
 *
 * Scratch.  The caller gives one buffer at init; it is never grown and its
 * size is the one limit.  It holds, each taking what it needs: the last
 * event ID (kept until an empty line replaces it), and for the block being
 * read its data (lines joined by LF), its event type, the id one of its
 * lines set, and the value of the line being read.  So ids, event types and
 * data lines have no limit of their own: a 4 KiB id needs 8 KiB of the
 * scratch (itself, and the last event ID it replaces) beside the data, and
 * a scratch of 64 KiB + 4 * L bytes reads every stream whose lines are
 * shorter than L and whose events have up to 64 KiB of data.  What does
 * not fit fails with WSX_E_SSE_LINE_TOO_LONG: never truncated, never grown.
 * Lines that are ignored (unknown fields, comments when not requested, the
 * value of a retry field) are skipped without being stored, so they have
 * no length limit and cost no memory.
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

/* What wsx_sse_parse returns (besides a negative wsx_err). */
typedef enum wsx_sse_event_kind {
    WSX_SSE_NEED_MORE = 0, /* all of buf consumed; call with more */
    WSX_SSE_EV_EVENT,      /* an event was dispatched: type, data, id */
    WSX_SSE_EV_RETRY,      /* a valid "retry:" line: retry (ms) */
    WSX_SSE_EV_COMMENT     /* a ":" line, only with WSX_SSE_WANT_COMMENTS */
} wsx_sse_event_kind;

/* Configuration flags. */
#define WSX_SSE_WANT_COMMENTS 1u /* return comment lines (keep-alives) */

typedef struct wsx_sse_parser_config {
    unsigned flags; /* WSX_SSE_WANT_COMMENTS; 0: the defaults */
} wsx_sse_parser_config;

typedef struct wsx_sse_event {
    /* WSX_SSE_EV_EVENT: the event type ("message" when the stream set
     * none; then it points to static storage), the data (lines joined with
     * LF, no trailing LF; may be empty, may contain NUL), the last event ID
     * at dispatch (may be empty: id_len 0).  Not NUL-terminated.
     * WSX_SSE_EV_COMMENT: data/data_len hold the text after the colon,
     * minus one leading space; type and id are NULL, 0. */
    const char *type;
    size_t type_len;
    const uint8_t *data;
    size_t data_len;
    const char *id;
    size_t id_len;
    /* WSX_SSE_EV_RETRY: the new reconnection time in ms.  The value is
     * ASCII digits only (leading zeros allowed); a value above 4294967295
     * saturates to 4294967295 (UINT32_MAX: "a very long time"). */
    uint32_t retry;
} wsx_sse_event;

/* Parser state.  Fields are private.  96 bytes on 64-bit targets. */
typedef struct wsx_sse_parser {
    /* The byte fields come first: Thumb-2 reaches byte offsets below 32
     * with 2-byte loads and stores. */
    uint8_t _st, _field, _name_len, _bom;
    uint8_t _has_data, _id_nul, _retry_ok, _skip_block;
    uint8_t _flags, _ended, _id_set;
    uint8_t _name[5];
    uint8_t *_scratch;
    size_t _top;           /* where the values at the end of the scratch begin: */
    size_t _type_len;      /* the event type, */
    size_t _id_len;        /* the id this block set (_id_set), */
    size_t _last_len;      /* the last event ID (it ends the scratch) */
    size_t _data_len;      /* pending data, at the start of the scratch */
    size_t _tmp_len;       /* the value being read, after the data */
    const uint8_t *_slice; /* pending single data line inside the input */
    size_t _slice_len;
    uint32_t _retry; /* retry value being read */
    int _err;        /* sticky error, 0 if none */
} wsx_sse_parser;

/* Initialises p for a new stream with an empty last event ID.  scratch
 * (scratch_size > 0 bytes, owned by the caller, must outlive p) bounds
 * what one event needs (see "Scratch" above).  cfg may be NULL (the
 * defaults).  Returns WSX_OK or WSX_E_ARG (p or scratch NULL, size 0). */
WSX_API int wsx_sse_parser_init(wsx_sse_parser *p, void *scratch, size_t scratch_size,
                                const wsx_sse_parser_config *cfg);

/* Parses buf[0..len) until one event is ready.  Sets *consumed to the
 * number of bytes used (always; the caller passes buf + *consumed next).
 * Returns
 *   WSX_SSE_EV_EVENT, _EV_RETRY, _EV_COMMENT  (*ev filled, see above);
 *   WSX_SSE_NEED_MORE (0)  every byte was consumed (*consumed == len) and
 *       no event is ready: give more input;
 *   < 0 an error, sticky until wsx_sse_resync() or wsx_sse_reset():
 *       WSX_E_SSE_LINE_TOO_LONG  what the event needs does not fit the
 *                                scratch buffer (see above);
 *       WSX_E_STATE              called after wsx_sse_end() without reset;
 *       WSX_E_ARG                p, consumed or ev NULL, or buf NULL with
 *                                len > 0 (nothing changed, not sticky).
 *       On error *consumed counts the bytes before the offending value. */
WSX_API int wsx_sse_parse(wsx_sse_parser *p, const void *buf, size_t len, size_t *consumed,
                          wsx_sse_event *ev);

/* After WSX_E_SSE_LINE_TOO_LONG: drops the event being read (its data,
 * type and any id it set) and skips input up to and including the next
 * empty line, then parses normally.  Continue with buf + *consumed.
 * Returns WSX_OK, WSX_E_STATE when p is not in that error (nothing
 * changed), or WSX_E_ARG.  Not calling it means "stop". */
WSX_API int wsx_sse_resync(wsx_sse_parser *p);

/* End of the response body (or connection lost).  An event without its
 * terminating empty line is discarded, as the spec says, and so is the id
 * it set (the last event ID is only committed by an empty line).  Returns
 * 1 if something incomplete was discarded, 0 if the stream ended cleanly,
 * WSX_E_ARG for p NULL.  Further wsx_sse_parse calls fail with WSX_E_STATE
 * until wsx_sse_reset. */
WSX_API int wsx_sse_end(wsx_sse_parser *p);

/* Prepares p for a new connection (a reconnect): a BOM is allowed again,
 * pending data, errors and the end state are cleared, and the last event ID
 * is KEPT (it persists across reconnections and is what the next request
 * sends as Last-Event-ID).  p NULL: nothing. */
WSX_API void wsx_sse_reset(wsx_sse_parser *p);

/* The last event ID (text as it arrived, not NUL-terminated; *len may be
 * 0).  Valid until the next call on p.  Committed by each empty line, even
 * one that dispatches no event ("id: 42\n\n").  NULL (and *len 0 when len
 * is not NULL) for p or len NULL. */
WSX_API const char *wsx_sse_last_event_id(const wsx_sse_parser *p, size_t *len);

/* Sets the last event ID, e.g. restored from disk before the first
 * connection (id must not point into p's scratch buffer).  Returns WSX_OK,
 * WSX_E_SSE_FIELD (contains NUL, CR or LF), WSX_E_SSE_LINE_TOO_LONG (it
 * does not fit beside what the scratch holds) or WSX_E_ARG. */
WSX_API int wsx_sse_set_last_event_id(wsx_sse_parser *p, const char *id, size_t len);

/* ---- callback adapter ------------------------------------------------ */
/*
 * wsx_sse_feed runs wsx_sse_parse over a buffer and calls the callbacks
 * below (API rule 7, the same contract as wsx_ws_conn_feed).  Built only
 * on the functions above.  Every callback may be NULL (the event is then
 * ignored).  Pointers are valid during the call only (as in wsx_sse_event).
 */
typedef struct wsx_sse_callbacks {
    /* Each returns 0 to go on, nonzero to pause: wsx_sse_feed then returns
     * WSX_PAUSED right after that event. */
    int (*on_event)(void *user, const wsx_sse_event *ev);
    int (*on_retry)(void *user, uint32_t retry_ms);
    /* Only for a parser created with WSX_SSE_WANT_COMMENTS. */
    int (*on_comment)(void *user, const uint8_t *text, size_t len);
    /* Called once for each error of the stream (WSX_E_SSE_LINE_TOO_LONG).
     * Returning 0 goes on: the event that did not fit is skipped
     * (wsx_sse_resync) and parsing continues after it; nonzero, or no
     * on_error, stops: wsx_sse_feed returns the error. */
    int (*on_error)(void *user, int err);
} wsx_sse_callbacks;

/* Feeds buf[0..len) to p and calls cb's callbacks for each event.
 * Returns:
 *   WSX_OK      every byte was consumed (*consumed = len), an event that
 *               did not fit skipped if on_error said so;
 *   WSX_PAUSED  a callback returned nonzero: stopped right after that
 *               event; *consumed bytes were used; call again with the rest;
 *   < 0         the stream failed and on_error (or its absence) said stop:
 *               *consumed bytes were used, up to the value that did not
 *               fit; on_error was called once (a later call returns the
 *               same error without calling it again, until wsx_sse_resync
 *               or wsx_sse_reset); or the call was invalid: WSX_E_ARG (NULL
 *               p or cb, NULL buf with len > 0), WSX_E_STATE (after
 *               wsx_sse_end), on_error not called.
 * consumed may be NULL. */
WSX_API int wsx_sse_feed(wsx_sse_parser *p, const void *buf, size_t len,
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
 * Every writer here follows API rule 2 (wsx_base.h): it ends with (out,
 * cap, out_len) and returns WSX_OK with out[0 .. *out_len) written,
 * WSX_E_BUFFER with *out_len the size needed, or another error with
 * *out_len 0; out NULL with cap 0 asks for the size.  WSX_E_ARG for
 * out_len NULL, out NULL with cap > 0, or a NULL where a length says
 * there are bytes.
 */
typedef struct wsx_sse_msg {
    const char *type;
    size_t type_len;
    const char *id;
    size_t id_len;
    const void *data;
    size_t data_len;
    const void *comment;
    size_t comment_len;
    int64_t retry_ms;
} wsx_sse_msg;

/* Fills m with "nothing": no type, id, data, comment, and retry_ms = -1
 * (m NULL: nothing). */
WSX_API void wsx_sse_msg_init(wsx_sse_msg *m);

WSX_API int wsx_sse_write(const wsx_sse_msg *m, void *out, size_t cap, size_t *out_len);

/* "data: [DONE]\n\n": the end-of-stream sentinel of OpenAI-style APIs (an
 * application convention, not part of SSE: clients see a plain message). */
#define WSX_SSE_DONE "data: [DONE]\n\n"
WSX_API int wsx_sse_write_done(void *out, size_t cap, size_t *out_len);

/* ": <text>\n\n"; line breaks in text give several comment lines.  text
 * NULL with len 0: an empty comment. */
WSX_API int wsx_sse_write_comment(const void *text, size_t len, void *out, size_t cap,
                                  size_t *out_len);

/* The keep-alive comment ": keep-alive\n\n" (14 bytes). */
#define WSX_SSE_KEEPALIVE ": keep-alive\n\n"
WSX_API int wsx_sse_write_keepalive(void *out, size_t cap, size_t *out_len);

/* bytes[0..len) as one HTTP/1.1 chunk: "<hex len>\r\n" bytes "\r\n".
 * len 0 gives the last chunk "0\r\n\r\n" (end of the response body). */
WSX_API int wsx_sse_write_chunk(const void *bytes, size_t len, void *out, size_t cap,
                                size_t *out_len);

/* wsx_sse_write framed as one chunk (for Transfer-Encoding: chunked). */
WSX_API int wsx_sse_write_chunked(const wsx_sse_msg *m, void *out, size_t cap, size_t *out_len);

/* ====================================================================== */
/* Server helpers                                                          */
/* ====================================================================== */

typedef struct wsx_sse_head_config {
    int chunked;               /* add "Transfer-Encoding: chunked" */
    int charset;               /* "text/event-stream; charset=utf-8" */
    const char *allow_origin;  /* NUL-terminated Access-Control-Allow-Origin, or NULL */
    int allow_credentials;     /* "Access-Control-Allow-Credentials: true" */
    const wsx_header *headers; /* extra headers, or NULL */
    size_t num_headers;
    int connection_close;     /* "Connection: close" instead of keep-alive:
                                    a stream that ends by closing the connection
                                    (an HTTP/1.0 client, no chunked coding) */
    int gzip;                 /* "Content-Encoding: gzip" (and "Vary:
                                 Accept-Encoding"): the body is one gzip
                                 stream, see wsx_sse_gzip.h */
    int vary_accept_encoding; /* "Vary: Accept-Encoding" without gzip: the
                                 identity answer of a server that would
                                 have compressed for another Accept-Encoding */
} wsx_sse_head_config;

/* The response head, ending with the empty line:
 *   HTTP/1.1 200 OK
 *   Content-Type: text/event-stream[; charset=utf-8]
 *   Cache-Control: no-cache
 *   X-Accel-Buffering: no          (nginx: stream, do not buffer)
 *   Connection: keep-alive         (or close: connection_close)
 *   [Transfer-Encoding: chunked] [Content-Encoding: gzip]
 *   [Vary: Accept-Encoding]        (gzip or vary_accept_encoding)
 *   [Access-Control-Allow-Origin: ...]
 *   [Vary: Origin when allow_origin is not "*"]
 *   [Access-Control-Allow-Credentials: true] [extra headers]
 * A server that can compress sets vary_accept_encoding on every event
 * stream it answers and gzip when wsx_http_accepts_gzip() (wsx_http.h)
 * says the request allows it: a cache or proxy then knows the answer
 * depends on Accept-Encoding, whichever it was.
 * cfg may be NULL (none of the options).  A writer (API rule 2).  Errors:
 * WSX_E_ARG for allow_credentials with allow_origin "*" (CORS forbids it:
 * browsers reject the response); WSX_E_HTTP_HEADER_NAME / _VALUE for an
 * extra header that is not a token / an RFC 9110 field value, or an empty
 * allow_origin or one that is not a field value (API rule 8). */
WSX_API int wsx_sse_response_head(const wsx_sse_head_config *cfg, void *out, size_t cap,
                                  size_t *out_len);

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
typedef enum wsx_sse_replay_mode {
    WSX_SSE_REPLAY_NUMERIC = 0,
    WSX_SSE_REPLAY_EXACT
} wsx_sse_replay_mode;

typedef struct wsx_sse_replay_slot_ {
    uint64_t _num; /* numeric id (NUMERIC mode) */
    uint32_t _off; /* offset in the byte ring: id bytes, then event bytes */
    uint32_t _id_len;
    uint32_t _len; /* event bytes */
    uint32_t _pad;
} wsx_sse_replay_slot_;

#define WSX_SSE_REPLAY_SLOT_SIZE sizeof(wsx_sse_replay_slot_)

typedef struct wsx_sse_replay {
    wsx_sse_replay_slot_ *_slots;
    uint8_t *_ring;
    size_t _max, _ring_cap;
    size_t _first, _count; /* oldest slot index, number stored */
    uint64_t _floor;
    wsx_sse_replay_mode _mode;
    int _floor_set;
} wsx_sse_replay;

typedef struct wsx_sse_replay_iter {
    const wsx_sse_replay *_r;
    size_t _pos, _left;
} wsx_sse_replay_iter;

/* mem (size bytes, caller-owned, outlives r; any alignment) holds max_events
 * slots and the ring.  Returns WSX_OK or WSX_E_ARG (r or mem NULL,
 * max_events 0, mode unknown, no room left for the ring). */
WSX_API int wsx_sse_replay_init(wsx_sse_replay *r, void *mem, size_t size, size_t max_events,
                                wsx_sse_replay_mode mode);

/* Serializes m (wsx_sse_write) and stores it.  m->id is required and must be
 * non-empty (and numeric, above the newest, in NUMERIC mode: WSX_E_ARG).
 * Returns WSX_OK, WSX_E_ARG (also for r or m NULL), WSX_E_SSE_FIELD, or
 * WSX_E_LIMIT (the event is larger than the whole ring: nothing stored or
 * evicted).  Iterators over r are invalid after an append. */
WSX_API int wsx_sse_replay_append(wsx_sse_replay *r, const wsx_sse_msg *m);

/* Positions it after the event whose id is last_id (see the modes above).
 * Returns WSX_OK (the iterator may yield nothing: the client is up to date)
 * or WSX_E_SSE_REPLAY_GONE (the iterator then yields nothing); WSX_E_ARG
 * for r or it NULL, or an empty last_id (a client without Last-Event-ID is
 * new; use wsx_sse_replay_all for history). */
WSX_API int wsx_sse_replay_since(const wsx_sse_replay *r, const char *last_id, size_t len,
                                 wsx_sse_replay_iter *it);

/* Positions it on the oldest stored event (r or it NULL: nothing). */
WSX_API void wsx_sse_replay_all(const wsx_sse_replay *r, wsx_sse_replay_iter *it);

/* Next event, oldest first: *bytes and *len its serialized bytes (ready to
 * send), *id and *id_len (may be NULL) its id; pointers into r's memory, valid
 * until the next append.  Returns 1, 0 when there are no more, or
 * WSX_E_ARG (it, bytes or len NULL). */
WSX_API int wsx_sse_replay_next(wsx_sse_replay_iter *it, const uint8_t **bytes, size_t *len,
                                const char **id, size_t *id_len);

/* Number of events stored (0 for r NULL). */
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
    const char *method;  /* NUL-terminated token; NULL = "GET" */
    const char *target;  /* NUL-terminated origin-form, e.g. "/events?x=1" */
    const char *host;    /* NUL-terminated Host value, e.g. "example.com:8080" */
    const char *last_id; /* e.g. from wsx_sse_last_event_id(); may be NULL */
    size_t last_id_len;
    const wsx_header *headers; /* extra headers, or NULL */
    size_t num_headers;
    const void *body; /* NULL: no body, no Content-Length */
    size_t body_len;
    int accept_gzip; /* "Accept-Encoding: gzip": the client reads a gzip'd
                        stream through a wsx_sse_gunzip (wsx_sse_gzip.h) */
} wsx_sse_request;

/* The head and the body, contiguous.  A writer (API rule 2).  Errors:
 * WSX_E_ARG (req NULL, missing target/host, method not a token, target or
 * host with control characters or spaces); WSX_E_HTTP_HEADER_NAME / _VALUE
 * for an extra header, or a last_id that is not an RFC 9110 field value
 * (API rule 8: control characters, or space at either end). */
WSX_API int wsx_sse_request_write(const wsx_sse_request *req, void *out, size_t cap,
                                  size_t *out_len);

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
 *   WSX_E_SSE_UNAUTHORIZED   401, and
 *   WSX_E_SSE_FORBIDDEN      403: stop and tell the user (new credentials
 *                            are needed; retrying cannot help);
 *   WSX_E_SSE_RETRY_LATER    429 or 503 with a Retry-After field: wait as
 *                            long as wsx_sse_retry_after (wsx_sse_http.h)
 *                            says, or longer (wsx_sse_backoff_after), then
 *                            reconnect; if it cannot read the value, fail;
 *   WSX_E_SSE_STATUS         any other status (including a redirect with no
 *                            Location, and 429 or 503 without
 *                            Retry-After): fail, do not reconnect;
 *   WSX_E_SSE_CONTENT_TYPE   200 with another or no Content-Type: fail, do
 *                            not reconnect;
 *   WSX_E_SSE_CONTENT_ENCODING  200 text/event-stream with a
 *                            Content-Encoding other than gzip (x-gzip
 *                            too) and identity, or gzip applied twice: the
 *                            body cannot be decoded; fail, do not
 *                            reconnect;
 *   WSX_E_ARG                headers NULL with n > 0.
 * Where wsx differs from a browser's EventSource, on purpose: EventSource
 * fails the connection on every status but 200 (and follows redirects),
 * so a 429 or 503 ends it for good and a 401 is an "error" event like any
 * other; it cannot send POST or a body, and ignores Retry-After.  wsx
 * gives 401 and 403 their own results so a client can say "log in again",
 * and turns a 429 or 503 that carries Retry-After into a reconnect no
 * sooner than the server asked: the behaviour of fetch-based clients
 * (POST + JSON) that an API with rate limits expects.  Every other status
 * is what EventSource does.
 * A gzip'd stream (Content-Encoding: gzip) is WSX_OK: its body must go
 * through a wsx_sse_gunzip (wsx_sse_gzip.h); wsx_sse_response_gzip() tells.  Servers send
 * one only to a request that offered it (wsx_sse_request.accept_gzip). */
WSX_API int wsx_sse_check_response(int status, const wsx_header *headers, size_t n,
                                   const char **location, size_t *location_len);

/* 1 if the response's Content-Encoding (every field line) says gzip (or
 * x-gzip): its body is a gzip stream to decode with wsx_sse_gunzip; 0
 * otherwise (none, identity; or a coding wsx_sse_check_response refuses);
 * 0 for headers NULL. */
WSX_API int wsx_sse_response_gzip(const wsx_header *headers, size_t n);

/* The method for the request that follows a redirect with this status
 * (Fetch standard, "HTTP-redirect fetch"): "GET" for 303 (unless method is
 * HEAD) and for POST on 301/302, else method itself.  When the result is
 * not method, drop the body and its Content-Type.  Static storage or
 * method; never NULL (method NULL counts as "GET"). */
WSX_API const char *wsx_sse_redirect_method(int status, const char *method);

/* The same from a response parsed by wsx_http_parse_response() (wsx_http.h;
 * declared with the struct tag so this header does not need that one). */
struct wsx_http_response;
WSX_API int wsx_sse_check_http_response(const struct wsx_http_response *res, const char **location,
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
    uint32_t retry_ms;  /* base delay (public: set from WSX_SSE_EV_RETRY) */
    uint32_t max_ms;    /* cap for the exponential part (public) */
    uint32_t _failures; /* consecutive failed attempts */
} wsx_sse_backoff;

/* b NULL: nothing (init, set_retry, opened) or 0 (next, delay). */
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
/* The attempt failed with a server's "come back in delay_ms"
 * (WSX_E_SSE_RETRY_LATER, wsx_sse_retry_after): like wsx_sse_backoff_next
 * (one more failure), but the time of the next attempt is now_ms +
 * delay_ms + a jitter of 0 to 12.5% of delay_ms: never earlier than the
 * server asked, and a herd told the same time spreads out. */
WSX_API uint64_t wsx_sse_backoff_after(wsx_sse_backoff *b, uint64_t now_ms, uint32_t delay_ms,
                                       uint32_t random32);

#ifdef __cplusplus
}
#endif

/* gzip'd event streams, both ends: wsx_sse_gzip_*, wsx_sse_gunzip. */
#include "wsx_sse_gzip.h"
/* CORS, refusals and Retry-After: wsx_cors_*, wsx_sse_refusal,
 * wsx_sse_retry_after. */
#include "wsx_sse_http.h"

#endif /* WSX_SSE_H */
