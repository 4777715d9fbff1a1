/*
 * wsx HTTP/1.1: an incremental, zero-copy parser for request and response
 * heads (RFC 9112 sections 2-5), header lookup and list helpers (RFC 9110
 * section 5.6.1), and the chunked transfer coding (RFC 9112 section 7.1).
 *
 * Enough HTTP for the WebSocket handshake and an SSE client when there is no
 * HTTP stack (firmware, the examples).  Users who have their own HTTP server
 * skip the parser and pass header name/value pairs to wsx_handshake.h.
 *
 * ---- How the head parser is fed -------------------------------------------
 *
 * The caller owns one buffer and appends each read to it; the buffer's
 * capacity is the natural bound on the head.  After every read it calls the
 * parser with the WHOLE buffer so far (the same bytes as before plus the new
 * ones).  The parser remembers how far it has scanned, so each byte is
 * validated once whatever the chunking; the buffer may move between calls
 * (realloc, memmove) as long as the bytes already given do not change.
 *
 *   uint8_t buf[16384]; size_t len = 0;    (or char: buf is const void *)
 *   wsx_header hdrs[64];
 *   wsx_http_request req;
 *   wsx_http_parser p;
 *   wsx_http_parser_init(&p, NULL);                 (defaults)
 *   for (;;) {
 *       len += read(fd, buf + len, sizeof buf - len);
 *       int r = wsx_http_parse_request(&p, buf, len, hdrs, 64, &req);
 *       if (r > 0) break;                            (head is buf[0..r))
 *       if (r < 0) { answer wsx_err_http_status(r), close; }
 *       if (len == sizeof buf) { treat as WSX_E_HTTP_HEAD_TOO_LARGE; }
 *   }
 *
 * A positive return is the head length: the bytes buf[r..len) that arrived
 * with the head are NOT part of it.  After a WebSocket upgrade they are the
 * first frames (a client may send frames right behind its request; a server
 * right behind its 101): feed them to the frame decoder before reading the
 * socket again.  For an HTTP body they are its first bytes.  Never drop them.
 *
 * Slices (method, target, reason, header names and values) point into the
 * caller's buffer: they are valid while that buffer holds those bytes at that
 * address.  They are not NUL-terminated.
 *
 * ---- Choices (where RFC 9112 leaves one) -----------------------------------
 *
 * - Line endings: CRLF, and a bare LF is tolerated as a line terminator (RFC
 *   9112 section 2.2 "MAY"); WSX_HTTP_STRICT_CRLF refuses it.  A bare CR
 *   anywhere is refused (WSX_E_HTTP_SYNTAX, or HEADER_VALUE inside a value).
 * - Empty lines before a request line are ignored (section 2.2 "SHOULD").
 * - Request line: method SP target SP version, exactly one SP each; method
 *   is a token, the target 1+ bytes of 0x21-0x7E.
 * - Versions: "HTTP/1.0" .. "HTTP/1.9" are accepted and the minor digit is
 *   reported (RFC 9110 section 6.2: a higher 1.x minor is processed as
 *   1.1); any other well-formed "HTTP/d.d" (HTTP/2.0 from an h2 preface,
 *   HTTP/0.9, ...) is WSX_E_HTTP_VERSION (505); anything else is malformed.
 * - Status line: version SP 3DIGIT [SP reason]; the SP after the code may be
 *   missing when there is no reason.  Codes outside 100..599 are refused
 *   (RFC 9110 section 15).  Status-line errors are WSX_E_HTTP_STATUS.
 * - Header lines: name = token; whitespace between the name and the colon is
 *   WSX_E_HTTP_HEADER_NAME (400, RFC 9112 section 5.1); a line starting with
 *   SP/HTAB (obs-fold, also right after the start line) is
 *   WSX_E_HTTP_OBS_FOLD (400); a value may hold SP, HTAB, 0x21-0x7E and
 *   obs-text 0x80-0xFF, anything else (CR, NUL, other controls, DEL) is
 *   WSX_E_HTTP_HEADER_VALUE (400).  Leading and trailing SP/HTAB of a value
 *   are not part of the slice.  Repeated headers are all reported, in order.
 *
 * ---- Limits ----------------------------------------------------------------
 *
 *   max_line    8192  longest header or status line, without its CRLF
 *                     -> WSX_E_HTTP_LINE_TOO_LONG (431)
 *   max_target  8192  longest request target -> WSX_E_HTTP_URI_TOO_LONG (414);
 *                     a request line over max_line whose excess is in the
 *                     target is also 414, otherwise 431
 *   max_head   16384  whole head including the blank line
 *                     -> WSX_E_HTTP_HEAD_TOO_LARGE (431); at most INT_MAX
 *   header count      the caller's array size (64 is a good default)
 *                     -> WSX_E_HTTP_TOO_MANY_HEADERS (431)
 */
#ifndef WSX_HTTP_H
#define WSX_HTTP_H

#include "wsx_base.h"

#include <stddef.h>
#include <stdint.h>

/* ---- head parser ---------------------------------------------------------- */

#define WSX_HTTP_DEFAULT_MAX_LINE 8192
#define WSX_HTTP_DEFAULT_MAX_TARGET 8192
#define WSX_HTTP_DEFAULT_MAX_HEAD 16384
/* A suggested header array size. */
#define WSX_HTTP_DEFAULT_MAX_HEADERS 64

/* Refuse a bare LF line terminator (default: tolerated). */
#define WSX_HTTP_STRICT_CRLF 1u

/* All zeros (or a NULL pointer) is the defaults: a 0 limit is its default. */
typedef struct wsx_http_config {
    size_t max_line; /* see "Limits" above; 0 means the default */
    size_t max_target;
    size_t max_head;
    unsigned flags; /* WSX_HTTP_STRICT_CRLF; 0: bare LF tolerated */
} wsx_http_config;

typedef struct wsx_http_request {
    const char *method; /* e.g. "GET", case-sensitive (RFC 9110 9.1) */
    size_t method_len;
    const char *target; /* e.g. "/chat?room=1" */
    size_t target_len;
    int minor_version;   /* HTTP/1.<minor_version> */
    wsx_header *headers; /* the caller's array */
    size_t num_headers;
} wsx_http_request;

typedef struct wsx_http_response {
    int minor_version;  /* HTTP/1.<minor_version> */
    int status;         /* 100..599 */
    const char *reason; /* may be empty */
    size_t reason_len;
    wsx_header *headers;
    size_t num_headers;
} wsx_http_response;

/* Parser state: a few words, no pointers into the buffer.  Private fields. */
typedef struct wsx_http_parser {
    size_t _max_line, _max_target, _max_head;
    unsigned _flags;
    int _kind;          /* 0 not started, 1 request, 2 response */
    int _err;           /* sticky error */
    size_t _scanned;    /* bytes examined so far */
    size_t _line_start; /* offset of the line being scanned */
    size_t _start;      /* offset of the start line */
    size_t _fields;     /* offset of the first header line */
    size_t _nheaders;
    size_t _head_len;      /* > 0 once the blank line is seen */
    size_t _a_len;         /* method length */
    size_t _b_off, _b_len; /* target or reason */
    int _minor;
    int _status;
} wsx_http_parser;

#ifdef __cplusplus
extern "C" {
#endif

/* Fills cfg with the defaults above (does nothing for NULL). */
WSX_API void wsx_http_config_default(wsx_http_config *cfg);

/* Prepares p for one head (request or response: decided by the first parse
 * call).  cfg NULL means defaults; zero fields in cfg mean their default.
 * cfg is copied.  Re-initialise for the next head on the same connection.
 * WSX_OK, or WSX_E_ARG for a NULL p. */
WSX_API int wsx_http_parser_init(wsx_http_parser *p, const wsx_http_config *cfg);

/* Parses a request head from buf[0..len) (everything received so far, see
 * "How the head parser is fed").  headers is the caller's array of
 * max_headers entries; it holds the headers when the head is complete
 * (entries may be written before: their content is meaningful only then).
 * Returns:
 *   > 0  the head is complete and its length (the blank line included);
 *        *out is filled (out->headers = headers).  Calling again returns the
 *        same value and fills *out again.
 *   0    need more bytes (nothing written to out);
 *   < 0  a wsx_err, sticky; wsx_err_http_status() gives the status to
 *        answer (400, 414, 431, 505).  See wsx_hs_server_refusal() in
 *        wsx_handshake.h for a ready-made response.
 * WSX_E_ARG (not sticky) for a NULL p, out, buf (len > 0) or headers
 * (max_headers > 0), a len shorter than the bytes given before, or a
 * max_headers smaller than the header count an earlier call with a larger
 * array already scanned; WSX_E_STATE if p is parsing a response.  Text
 * slices are const char * into buf whatever buf's type (rule 3). */
WSX_API int wsx_http_parse_request(wsx_http_parser *p, const void *buf, size_t len,
                                   wsx_header *headers, size_t max_headers, wsx_http_request *out);

/* Same contract for a response head (status line).  Status-line errors are
 * WSX_E_HTTP_STATUS.  A 1xx other than 101 is a complete head like any
 * other: the caller decides to parse the next one. */
WSX_API int wsx_http_parse_response(wsx_http_parser *p, const void *buf, size_t len,
                                    wsx_header *headers, size_t max_headers,
                                    wsx_http_response *out);

/* ---- header helpers --------------------------------------------------------- */
/* Queries: they cannot fail, and answer 0 (or NULL) for NULL arguments. */

/* 1 if the header name name[0..len) equals the NUL-terminated want, ASCII
 * case-insensitively; 0 otherwise. */
WSX_API int wsx_http_name_eq(const char *name, size_t len, const char *want);

/* The first header named name (case-insensitive) after `after` (NULL:
 * from the start), or NULL.  Loop over repeated fields with
 *   for (h = NULL; (h = wsx_http_header_next(hs, n, "Upgrade", h)) != NULL;) */
WSX_API const wsx_header *wsx_http_header_next(const wsx_header *headers, size_t n,
                                               const char *name, const wsx_header *after);

/* Number of headers named name (case-insensitive). */
WSX_API size_t wsx_http_header_count(const wsx_header *headers, size_t n, const char *name);

/* Comma-separated lists (RFC 9110 section 5.6.1): takes the next element of
 * the list in [*pos, end), skipping empty elements and trimming SP/HTAB
 * around it; commas inside a quoted-string do not split.  On 1, *item and
 * *item_len hold the element and *pos has moved past it; 0 when the list has
 * no more elements.  Start with *pos = value, end = value + value_len. */
WSX_API int wsx_http_list_next(const char **pos, const char *end, const char **item,
                               size_t *item_len);

/* 1 if the list value[0..len) has an element equal to the NUL-terminated
 * token, ASCII case-insensitively (e.g. "keep-alive, Upgrade" has
 * "upgrade"); 0 otherwise.  The whole element must match. */
WSX_API int wsx_http_list_has(const char *value, size_t len, const char *token);

/* 1 if any header named name has the element token (as wsx_http_list_has,
 * over all the field lines of that name: RFC 9110 section 5.3). */
WSX_API int wsx_http_headers_have_token(const wsx_header *headers, size_t n, const char *name,
                                        const char *token);

/* 1 if a server may answer this request with Content-Encoding: gzip, from
 * its Accept-Encoding field lines (all of them, one list: RFC 9110 section
 * 5.3), else 0 (also for headers NULL).  RFC 9110 section 12.5.3:
 *   - each element is a coding with an optional weight "; q=" qvalue
 *     (0, 0.5, 0.000, 1.0 ...; "q" and the codings case-insensitive, OWS
 *     around ";" and "="); other parameters are skipped; an element that
 *     does not parse (q=2, q=0.5555, q=abc, ";q" alone) is ignored;
 *   - gzip's weight is that of its first element ("gzip", or "x-gzip",
 *     its alias: section 8.4.1.3), else that of "*" (which covers the
 *     codings not listed), else gzip is not accepted;
 *   - q=0 means "not acceptable": "gzip;q=0" is 0 even with "*";
 *   - identity preferred outright (its weight, or that of "*" when it is
 *     not listed, above gzip's) is 0: "gzip;q=0.5, identity" keeps the
 *     stream uncompressed; equal weights give gzip;
 *   - "identity" alone, an empty value and no Accept-Encoding at all give
 *     0.  (Section 12.5.3 lets a server pick any coding for a request
 *     without the field, but the clients that send none, curl without
 *     --compressed and most SSE libraries, cannot decode one.)
 * A server that may compress sends "Vary: Accept-Encoding" whatever the
 * answer (wsx_sse_head_config.vary_accept_encoding). */
WSX_API int wsx_http_accepts_gzip(const wsx_header *headers, size_t n);

/* How a response body is delimited (RFC 9112 section 6.3), for a client:
 *   WSX_HTTP_BODY_NONE     status 1xx, 204, 304, or request_was_head
 *   WSX_HTTP_BODY_CHUNKED  Transfer-Encoding whose last coding is chunked:
 *                          decode with wsx_chunked (any other coding listed
 *                          before it is left to the caller)
 *   WSX_HTTP_BODY_LENGTH   Content-Length: *length bytes
 *   WSX_HTTP_BODY_CLOSE    neither, or a Transfer-Encoding not ending in
 *                          chunked: the body runs until the server closes
 * or WSX_E_HTTP_SYNTAX for an invalid Content-Length, several different
 * ones, or Content-Length together with Transfer-Encoding (section 6.3
 * calls that a likely smuggling attempt, to be handled as an error). */
typedef enum wsx_http_body {
    WSX_HTTP_BODY_NONE = 1,
    WSX_HTTP_BODY_CHUNKED = 2,
    WSX_HTTP_BODY_LENGTH = 3,
    WSX_HTTP_BODY_CLOSE = 4
} wsx_http_body;
/* WSX_E_ARG for a NULL res or length; *length is set for
 * WSX_HTTP_BODY_LENGTH only. */
WSX_API int wsx_http_response_body(const wsx_http_response *res, int request_was_head,
                                   uint64_t *length);

/* ---- chunked transfer coding (RFC 9112 section 7.1) ------------------------- */
/*
 * A pull decoder over the body bytes (the bytes after the head): each call
 * returns one event and how many bytes of buf it consumed.
 *
 *   wsx_chunked c;
 *   wsx_chunked_init(&c, NULL);
 *   ...for each read of buf[0..len):
 *   while (len > 0) {
 *       const uint8_t *data; size_t data_len, used;
 *       int r = wsx_chunked_decode(&c, buf, len, &used, &data, &data_len);
 *       buf += used; len -= used;
 *       if (r == WSX_CHUNKED_EV_DATA) consume(data, data_len);
 *       else if (r == WSX_CHUNKED_EV_END) break;   (buf[0..len) is not body)
 *       else if (r < 0) fail(r);
 *       (r == WSX_CHUNKED_NEED_MORE: used == len, read more)
 *   }
 *
 * Data slices point into buf (zero copy) and are valid as long as buf is.
 * Chunk boundaries are not reported: data is a byte stream, and the events
 * are the same data (possibly cut differently) whatever the chunking of the
 * input.  Framing is strict, whatever the head parser's CRLF choice, since a
 * lax chunk parser is a request-smuggling vector: every line ends in CRLF,
 * sizes are 1+ hex digits (no sign, no "0x", no whitespace before them),
 * a chunk extension (";name=value", ignored) may follow the size after
 * optional SP/HTAB; the data must be followed by CRLF; trailer fields after
 * the last chunk are checked for control characters and skipped.
 *
 * Limits (0 in the config, or a NULL config, means the default):
 *   max_chunk    1 GiB  chunk size -> WSX_E_HTTP_CHUNK_TOO_BIG (a size
 *                       digit that would exceed it fails at once, so no
 *                       overflow whatever the digit count)
 *   max_line     4096   size line with its extensions, without the CRLF
 *                       -> WSX_E_HTTP_CHUNK_LINE_TOO_LONG
 *   max_trailer  8192   trailer section -> WSX_E_HTTP_TRAILER_TOO_LARGE
 * Other malformations: WSX_E_HTTP_CHUNK.  Errors are sticky.
 */

/* What wsx_chunked_decode returns when it does not fail (rule 6). */
typedef enum wsx_chunked_event_kind {
    WSX_CHUNKED_NEED_MORE = 0, /* all of buf consumed; call with more */
    WSX_CHUNKED_EV_DATA = 1,   /* *data, *data_len: body bytes */
    WSX_CHUNKED_EV_END = 2     /* the body is complete */
} wsx_chunked_event_kind;

#define WSX_CHUNKED_DEFAULT_MAX_CHUNK ((uint64_t)1 << 30)
#define WSX_CHUNKED_DEFAULT_MAX_LINE 4096
#define WSX_CHUNKED_DEFAULT_MAX_TRAILER 8192

typedef struct wsx_chunked_config {
    uint64_t max_chunk;
    size_t max_line;
    size_t max_trailer;
} wsx_chunked_config;

/* Decoder state.  Private fields. */
typedef struct wsx_chunked {
    uint64_t _max_chunk;
    size_t _max_line, _max_trailer;
    uint64_t _remaining; /* data bytes left in the current chunk */
    size_t _count;       /* bytes of the current size line / trailer */
    int _state;
    int _err;
} wsx_chunked;

/* Fills cfg with the defaults above (does nothing for NULL). */
WSX_API void wsx_chunked_config_default(wsx_chunked_config *cfg);

/* cfg NULL: defaults.  cfg is copied.  WSX_OK, or WSX_E_ARG for a NULL c. */
WSX_API int wsx_chunked_init(wsx_chunked *c, const wsx_chunked_config *cfg);

/* Decodes from buf[0..len).  Always sets *consumed (bytes of buf used,
 * 0..len) when consumed is not NULL; sets *data and *data_len only for
 * WSX_CHUNKED_EV_DATA (a slice inside buf[0..*consumed), valid as long as
 * buf is).  Returns WSX_CHUNKED_EV_DATA, WSX_CHUNKED_NEED_MORE (*consumed
 * == len: everything was absorbed), WSX_CHUNKED_EV_END (the last chunk and
 * its trailers are done; buf[*consumed..len) is what follows the body;
 * later calls return EV_END consuming nothing), or a negative wsx_err:
 * WSX_E_ARG for a NULL c, consumed, data or data_len, or a NULL buf with
 * len > 0 (not sticky). */
WSX_API int wsx_chunked_decode(wsx_chunked *c, const void *buf, size_t len, size_t *consumed,
                               const uint8_t **data, size_t *data_len);

/* Encoder.  A chunk on the wire is  header, payload, "\r\n"  -- three pieces
 * for writev, the payload never copied.  Chunks must not be empty: size 0 is
 * the last chunk, WSX_CHUNKED_LAST. */
#define WSX_CHUNKED_HEADER_MAX 18 /* 16 hex digits + CRLF */
#define WSX_CHUNKED_CRLF "\r\n"
#define WSX_CHUNKED_LAST "0\r\n\r\n" /* last chunk, no trailers */
#define WSX_CHUNKED_LAST_LEN 5

/* Writes the chunk header "<lowercase hex size>\r\n" (3..18 bytes).  A
 * writer of rule 2 (wsx_base.h): WSX_OK with out[0..*out_len), a size query
 * (out NULL, cap 0), or WSX_E_BUFFER with *out_len the size needed
 * (WSX_CHUNKED_HEADER_MAX always suffices).  WSX_E_ARG (*out_len 0) for
 * size 0 (that would end the body: send WSX_CHUNKED_LAST for it), a NULL
 * out_len, or out NULL with cap > 0. */
WSX_API int wsx_chunked_write_header(uint64_t size, void *out, size_t cap, size_t *out_len);

/* In place, around a payload the caller already put at buf + headroom
 * (payload_len > 0 bytes): writes the chunk header right before it and the
 * CRLF right after it, so buf[*start .. *start + *total) is the whole chunk.
 * Needs headroom >= the header length (WSX_CHUNKED_HEADER_MAX always
 * suffices) and cap >= headroom + payload_len + 2.  Returns WSX_OK,
 * WSX_E_BUFFER (nothing written) or WSX_E_ARG (a NULL pointer, or
 * payload_len 0). */
WSX_API int wsx_chunked_wrap(void *buf, size_t cap, size_t headroom, size_t payload_len,
                             size_t *start, size_t *total);

#ifdef __cplusplus
}
#endif

#endif /* WSX_HTTP_H */
