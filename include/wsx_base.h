/*
 * wsx_base.h -- what every wsx header shares: the API rules, version,
 * export macro, build profile, the one error table, and the header pair.
 * Every area header includes it; wsx.h includes them all.
 *
 * wsx never allocates, never does I/O, never reads a clock.  Every struct
 * lives in memory the caller owns (stack, static, its own pool); struct
 * definitions are public so their size is known, but fields whose names
 * start with '_' are private: do not read or write them.  Nothing is
 * thread-safe by itself: use one object from one thread at a time.
 *
 * API rules -- every public function follows them.
 *
 *  1. Results.  A call that can fail returns int: WSX_OK (0) or a negative
 *     wsx_err.  Pull decoders (wsx_ws_decode, wsx_ws_conn_recv,
 *     wsx_sse_parse, wsx_chunked_decode) return an event kind > 0 (an enum
 *     of their header) or 0, "need more input"; the HTTP head parser's one
 *     event, "head complete", is the length of the head (> 0).  Calls that
 *     cannot fail return what they compute (a size, a state, a pointer) or
 *     nothing.  Errors of decoders and connections are sticky.
 *
 *  2. Writers.  Every function that writes bytes for the wire (HTTP heads,
 *     WebSocket frames and close payloads, SSE events, chunked framing)
 *     ends with the same three parameters, (void *out, size_t cap,
 *     size_t *out_len):
 *       WSX_OK         out[0 .. *out_len) holds the bytes;
 *       WSX_E_BUFFER   they do not fit in cap: *out_len is the size they
 *                      need, out holds nothing usable;
 *       out NULL and cap 0: a size query: WSX_OK, *out_len is the size
 *                      needed, nothing is written;
 *       other errors   *out_len is 0.
 *     The two in-place framers (wsx_ws_frame_in_place, wsx_chunked_wrap)
 *     put framing around a payload already in the caller's buffer; they
 *     return by rule 1 and say where the frame starts.
 *
 *  3. Bytes and text.  Buffers the caller passes (bytes to parse, room to
 *     write into, payloads to send) are void * / const void *: declare them
 *     as you like, no casts.  What wsx hands back is typed: text fields
 *     (HTTP methods, targets, reasons, header names and values, SSE ids
 *     and event types, origins, subprotocols) are const char * plus a
 *     length, never NUL-terminated; payloads (WebSocket messages and control
 *     payloads, SSE data and comments, chunked body data) are uint8_t *
 *     plus a length.  Options in config structs (a host, a path, an origin)
 *     are NUL-terminated const char *.
 *
 *  4. Configs.  A config struct of all zeros means "the defaults", and so
 *     does a NULL config pointer; wsx_*_config_default() writes the same
 *     values out.  A limit of 0 is its default; "no limit" has a named
 *     constant where it is allowed.  Configs are copied: the caller may
 *     reuse theirs at once.
 *
 *  5. Arguments.  NULL where a pointer is required is WSX_E_ARG, with
 *     nothing changed, from every int-returning function; a function that
 *     returns something else (a size, a state, a pointer) returns 0 / NULL
 *     for it.  Initialisers return int too.
 *
 *  6. Events.  Event kinds are enums (wsx_ws_event_kind,
 *     wsx_sse_event_kind, wsx_chunked_event_kind) where 0 means "need more
 *     input".
 *
 *  7. Callback adapters (wsx_ws_conn_feed, wsx_sse_feed) share one style:
 *     every callback returns int, 0 to go on, nonzero to pause: the feed
 *     then returns WSX_PAUSED with *consumed telling how far it got; call it
 *     again with the rest.  on_error(user, err) is called once per error;
 *     returning 0 goes on where the error allows it (an SSE event too long
 *     for the scratch buffer is skipped), nonzero stops; a failed WebSocket
 *     connection always stops.  The feed returns the error.
 *
 *  8. Headers.  One pair type, wsx_header (below), for HTTP, the handshakes
 *     and SSE.  In headers the library writes, names must be tokens
 *     (WSX_E_HTTP_HEADER_NAME) and values RFC 9110 field values:
 *     field-vchar (VCHAR, obs-text) with SP/HTAB only between them
 *     (WSX_E_HTTP_HEADER_VALUE).
 *
 *  9. Pointers.  Every pointer a call hands back says in its header how
 *     long it lives (typically: until the next call on the same object, or
 *     as long as the caller keeps the buffer it points into).  wsx never
 *     keeps a pointer to a caller's input after the call returns, except
 *     the buffers given to an initialiser (queues, scratch, windows), which
 *     belong to the object until the caller stops using it.
 *
 * 10. Time is uint64_t milliseconds from the caller's monotonic clock.
 *
 * MIT licensed; see LICENSE.
 */
#ifndef WSX_BASE_H
#define WSX_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version -------------------------------------------------------- */

#define WSX_VERSION_MAJOR 0
#define WSX_VERSION_MINOR 2
#define WSX_VERSION_PATCH 0
/* 0xMMmmpp: compare with >= in #if. */
#define WSX_VERSION_NUM ((WSX_VERSION_MAJOR << 16) | (WSX_VERSION_MINOR << 8) | WSX_VERSION_PATCH)
#define WSX_VERSION_STRING "0.2.0"

/* ---- export macro --------------------------------------------------- */

#if defined(_WIN32) && defined(WSX_SHARED)
#if defined(WSX_BUILDING)
#define WSX_API __declspec(dllexport)
#else
#define WSX_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define WSX_API __attribute__((visibility("default")))
#else
#define WSX_API
#endif

/* ---- build options: size profile, parts left out ------------------ */

/*
 * WSX_SMALL: the library takes its compact code paths: byte-at-a-time state
 * machines for the frame decoder and the SSE parser instead of their fast
 * paths (the same events, errors and limits, a little slower), a
 * table-light UTF-8 validator, a character-class function instead of the
 * HTTP parser's 256-byte table, nothing inlined for speed.
 * Behaviour and API are identical; only code size and speed differ.  It is
 * on by itself when the compiler optimizes for size (gcc/clang -Os, -Oz
 * define __OPTIMIZE_SIZE__) unless WSX_FAST is defined; define WSX_SMALL by
 * hand to force it at any -O level.  Struct layouts do not depend on it, so
 * code built with and without it links together.
 *
 * WSX_NO_ERROR_STRINGS (opt-in, independent of WSX_SMALL): drops the ~3 KB
 * of error names and reasons (`make size` measures the library this way,
 * and `make check` runs every test against an -Os build with both).  wsx_strerror() then answers "success" for
 * WSX_OK and "error" for everything else, wsx_errname() "WSX_E_OK" or
 * "WSX_E_?" (never NULL; print the number instead), and the close frames and
 * HTTP refusals wsx writes carry that word as their reason text.  Close
 * codes and HTTP statuses (wsx_err_close_code, wsx_err_http_status) are
 * unaffected.
 *
 * Leaving parts out (each on its own or together; for the single file,
 * dist/wsx.c of `make amalgamate`, which then compiles none of their code;
 * a build from src/ gets the same by not compiling the files named):
 *   WSX_NO_WS           the WebSocket side: frames, connection, handshakes,
 *                       permessage-deflate (src/ws_*.c)
 *   WSX_NO_SSE          the SSE side: parser, writer, server and client
 *                       helpers, gzip'd streams (src/sse_*.c)
 *   WSX_NO_CLIENT       the client roles' handshake and response checks:
 *                       wsx_hs_client_*, wsx_sse_check_*, wsx_sse_request_write,
 *                       backoff (src/ws_handshake_client.c, src/sse_client.c)
 *   WSX_NO_DEFLATE      DEFLATE, gzip, CRC-32, permessage-deflate and gzip'd
 *                       event streams (src/deflate*.c, inflate*.c, gzip_*.c,
 *                       crc32.c, ws_conn_deflate*.c, ws_pmd.c, sse_gzip.c)
 *   WSX_NO_HTTP_PARSER  the HTTP/1.1 head parser, for a program whose own
 *                       HTTP server hands wsx the header pairs
 *                       (wsx_http_parse_*, src/http_parse.c)
 * What stays in every build: version and build report, errors, SHA-1,
 * base64, UTF-8, masking, the header-pair helpers of wsx_http.h, chunked
 * coding.  The declarations stay in the headers: calling a function left
 * out is a link error.  Which combinations are tested: README, "Single
 * file".
 */
#if !defined(WSX_SMALL) && !defined(WSX_FAST) && defined(__OPTIMIZE_SIZE__)
#define WSX_SMALL 1
#endif

/* Runtime version: the WSX_VERSION_NUM the library was built with (may differ
 * from the header's when linked dynamically). */
WSX_API unsigned long wsx_version(void);
/* Runtime version string, e.g. "0.1.0". Static storage; never NULL. */
WSX_API const char *wsx_version_string(void);

/* ---- errors ---------------------------------------------------------- */

/*
 * The one table of errors.  Columns:
 *   X(NAME, value, close_code, http_status, "reason")
 * NAME        -> enum constant WSX_E_<NAME> (WSX_OK for 0)
 * close_code  -> WebSocket close code to send when this error fails a
 *                connection (0: not a wire error; wsx_err_close_code()
 *                then answers 1011 "internal error")
 * http_status -> HTTP status to answer when this error refuses a request
 *                (0: not an HTTP refusal; wsx_err_http_status() answers 500)
 * Value ranges: general -1..-99, WebSocket frames -100.., HTTP -200..,
 * handshake -300.., connection -400.., SSE -500.., DEFLATE and gzip
 * -600.. (decompressor -600..-611, gzip reader -612..-619, compressor
 * from -620); at most 32 values per range (src/error.c).
 */
/* clang-format off */
#define WSX_ERROR_TABLE(X)                                                   \
    X(OK,                    0,    0,    0, "success")                       \
    /* general */                                                            \
    X(ARG,                  -1,    0,    0, "invalid argument")              \
    X(BUFFER,               -2,    0,    0, "output buffer too small")       \
    X(STATE,                -3,    0,    0, "call not valid in this state")  \
    X(LIMIT,                -4, 1009,  413, "configured limit exceeded")     \
    X(BASE64,               -5,    0,  400, "invalid base64")                \
    /* WebSocket frames (RFC 6455 section 5) */                              \
    X(WS_RSV,             -100, 1002,    0, "reserved bit set without a negotiated extension") \
    X(WS_OPCODE,          -101, 1002,    0, "reserved opcode")               \
    X(WS_MASK_REQUIRED,   -102, 1002,    0, "unmasked frame from a client")  \
    X(WS_MASK_FORBIDDEN,  -103, 1002,    0, "masked frame from a server")    \
    X(WS_CONTROL_TOO_LONG, -104, 1002,   0, "control frame payload over 125 bytes") \
    X(WS_CONTROL_FRAGMENTED, -105, 1002, 0, "fragmented control frame")      \
    X(WS_NO_MESSAGE,      -106, 1002,    0, "continuation frame without a message in progress") \
    X(WS_MESSAGE_OPEN,    -107, 1002,    0, "new data frame while a fragmented message is in progress") \
    X(WS_LENGTH_NOT_MINIMAL, -108, 1002, 0, "payload length not minimally encoded") \
    X(WS_LENGTH_MSB,      -109, 1002,    0, "64-bit payload length with the most significant bit set") \
    X(WS_CLOSE_LENGTH,    -110, 1002,    0, "close frame payload of 1 byte") \
    X(WS_CLOSE_CODE,      -111, 1002,    0, "invalid close code")            \
    X(WS_CLOSE_REASON_UTF8, -112, 1007,  0, "close reason is not valid UTF-8") \
    X(WS_UTF8,            -113, 1007,    0, "text message is not valid UTF-8") \
    X(WS_FRAME_TOO_BIG,   -114, 1009,    0, "frame exceeds the configured maximum") \
    X(WS_MESSAGE_TOO_BIG, -115, 1009,    0, "message exceeds the configured maximum") \
    X(WS_AFTER_CLOSE,     -116, 1002,    0, "frame received after a close frame") \
    X(WS_REASON_TOO_LONG, -117,    0,    0, "close reason over 123 bytes")   \
    X(WS_RSV1_CONTINUATION, -118, 1002, 0, "RSV1 (compressed) set on a continuation frame") \
    X(WS_RSV1_CONTROL,    -119, 1002,    0, "RSV1 (compressed) set on a control frame") \
    X(WS_COMPRESSED_END,  -120, 1007,    0, "compressed message does not end at a DEFLATE block boundary") \
    /* HTTP/1.1 heads and chunked coding */                                  \
    X(HTTP_SYNTAX,        -200,    0,  400, "malformed HTTP message")        \
    X(HTTP_LINE_TOO_LONG, -201,    0,  431, "HTTP line too long")            \
    X(HTTP_URI_TOO_LONG,  -202,    0,  414, "request target too long")       \
    X(HTTP_TOO_MANY_HEADERS, -203, 0,  431, "too many header fields")        \
    X(HTTP_HEAD_TOO_LARGE, -204,   0,  431, "request head too large")        \
    X(HTTP_OBS_FOLD,      -205,    0,  400, "obsolete line folding refused") \
    X(HTTP_VERSION,       -206,    0,  505, "HTTP version not supported")    \
    X(HTTP_HEADER_NAME,   -207,    0,  400, "invalid header field name")     \
    X(HTTP_HEADER_VALUE,  -208,    0,  400, "invalid header field value")    \
    X(HTTP_STATUS,        -209,    0,    0, "malformed status line")         \
    X(HTTP_CHUNK,         -210,    0,  400, "malformed chunked encoding")    \
    X(HTTP_CHUNK_TOO_BIG, -211,    0,  413, "chunk size too large")          \
    X(HTTP_CHUNK_LINE_TOO_LONG, -212, 0, 400, "chunk size line or extension too long") \
    X(HTTP_TRAILER_TOO_LARGE, -213, 0, 431, "chunked trailer section too large") \
    /* WebSocket opening handshake (RFC 6455 section 4) */                   \
    X(HS_METHOD,          -300,    0,  405, "method is not GET")             \
    X(HS_HTTP_VERSION,    -301,    0,  400, "HTTP version below 1.1")        \
    X(HS_HOST,            -302,    0,  400, "missing or repeated Host")      \
    X(HS_UPGRADE,         -303,    0,  400, "Upgrade does not contain websocket") \
    X(HS_CONNECTION,      -304,    0,  400, "Connection does not contain upgrade") \
    X(HS_WS_VERSION,      -305,    0,  426, "Sec-WebSocket-Version is not 13") \
    X(HS_KEY,             -306,    0,  400, "bad or repeated Sec-WebSocket-Key") \
    X(HS_ORIGIN,          -307,    0,  403, "Origin not allowed")            \
    X(HS_STATUS,          -308,    0,    0, "response status is not 101")    \
    X(HS_ACCEPT,          -309,    0,    0, "bad Sec-WebSocket-Accept")      \
    X(HS_SUBPROTOCOL,     -310,    0,    0, "subprotocol not offered")       \
    X(HS_EXTENSION,       -311,    0,    0, "extension not offered")         \
    X(HS_NOT_UPGRADE,     -312,    0,  400, "not a WebSocket upgrade request") \
    X(HS_DEFLATE_PARAM,   -313,    0,    0, "malformed permessage-deflate answer") \
    X(HS_DEFLATE_TERMS,   -314,    0,    0, "permessage-deflate answer outside the offer") \
    /* WebSocket connection */                                               \
    X(CONN_QUEUE_FULL,    -400,    0,    0, "outgoing queue full")           \
    X(CONN_CLOSED,        -401,    0,    0, "connection is closing or closed") \
    X(CONN_TIMEOUT,       -402, 1001,    0, "peer did not answer the heartbeat") \
    X(CONN_MESSAGE_TIMEOUT, -403, 1008,  0, "message not completed in time") \
    /* Server-Sent Events */                                                 \
    X(SSE_LINE_TOO_LONG,  -500,    0,    0, "SSE line or event exceeds the scratch buffer") \
    X(SSE_FIELD,          -501,    0,    0, "event type or id contains CR, LF or NUL") \
    X(SSE_STATUS,         -502,    0,    0, "SSE response status is not 200") \
    X(SSE_CONTENT_TYPE,   -503,    0,    0, "SSE response is not text/event-stream") \
    X(SSE_NO_CONTENT,     -504,    0,    0, "server answered 204: stop reconnecting") \
    X(SSE_REDIRECT,       -505,    0,    0, "redirect: follow the new location") \
    X(SSE_REPLAY_GONE,    -506,    0,    0, "Last-Event-ID is older than the replay window") \
    X(SSE_CONTENT_ENCODING, -507,  0,    0, "SSE response has a content coding other than gzip") \
    /* SSE over HTTP: client verdicts, Retry-After, CORS (-520..) */          \
    X(SSE_UNAUTHORIZED,   -520,    0,    0, "server answered 401: credentials missing or refused") \
    X(SSE_FORBIDDEN,      -521,    0,    0, "server answered 403: access denied") \
    X(SSE_RETRY_LATER,    -522,    0,    0, "server answered 429 or 503 with Retry-After: wait, then reconnect") \
    X(SSE_RETRY_AFTER,    -523,    0,    0, "Retry-After or HTTP-date missing or malformed") \
    X(SSE_CORS_ORIGIN,    -524,    0,  403, "Origin not allowed by the CORS policy") \
    X(SSE_CORS_METHOD,    -525,    0,  403, "CORS preflight asks for a method that is not allowed") \
    X(SSE_CORS_HEADERS,   -526,    0,  403, "CORS preflight asks for a header that is not allowed") \
    /* DEFLATE decompressor (RFC 1951) and gzip reader (RFC 1952) */        \
    X(INFLATE_BLOCK_TYPE, -600, 1007,    0, "DEFLATE block type 3 (reserved)") \
    X(INFLATE_STORED_LENGTH, -601, 1007, 0, "stored block LEN and NLEN do not match") \
    X(INFLATE_CODE_COUNT, -602, 1007,    0, "more than 286 literal/length or 30 distance codes") \
    X(INFLATE_CODELEN_CODE, -603, 1007,  0, "incomplete or over-subscribed code length code") \
    X(INFLATE_REPEAT_FIRST, -604, 1007,  0, "code length repeat with no previous length") \
    X(INFLATE_REPEAT_OVERRUN, -605, 1007, 0, "code length repeat past the last code") \
    X(INFLATE_LITLEN_CODE, -606, 1007,   0, "incomplete or over-subscribed literal/length code") \
    X(INFLATE_DIST_CODE,  -607, 1007,    0, "incomplete or over-subscribed distance code") \
    X(INFLATE_NO_END_CODE, -608, 1007,   0, "no code for end-of-block") \
    X(INFLATE_LITLEN_SYMBOL, -609, 1007, 0, "invalid literal/length symbol") \
    X(INFLATE_DIST_SYMBOL, -610, 1007,   0, "invalid distance symbol") \
    X(INFLATE_DIST_TOO_FAR, -611, 1007,  0, "distance too far back") \
    X(GZIP_MAGIC,         -612,    0,    0, "not a gzip stream (bad magic bytes)") \
    X(GZIP_METHOD,        -613,    0,    0, "gzip compression method is not deflate") \
    X(GZIP_FLAGS,         -614,    0,    0, "reserved gzip header flag set") \
    X(GZIP_HEADER_CRC,    -615,    0,    0, "gzip header CRC mismatch") \
    X(GZIP_CRC,           -616,    0,    0, "gzip data CRC-32 mismatch") \
    X(GZIP_SIZE,          -617,    0,    0, "gzip data length (ISIZE) mismatch")
/* clang-format on */

typedef enum wsx_err {
#define WSX_ERR_ENUM_(name, value, close_code, http_status, reason) WSX_E_##name = value,
    WSX_ERROR_TABLE(WSX_ERR_ENUM_)
#undef WSX_ERR_ENUM_
        WSX_E_LAST_ = -9999
} wsx_err;

#define WSX_OK WSX_E_OK

/* A callback adapter (wsx_ws_conn_feed, wsx_sse_feed) stopped because a
 * callback returned nonzero (rule 7). */
#define WSX_PAUSED 1

/* One-line English reason, e.g. "reserved opcode".  Never NULL: unknown
 * values give "unknown error".  Static storage.  (A library built with
 * WSX_NO_ERROR_STRINGS answers "success" / "error": see above.) */
WSX_API const char *wsx_strerror(int err);
/* Symbolic name, e.g. "WSX_E_WS_OPCODE"; "WSX_E_UNKNOWN" for values not in
 * the table.  Never NULL.  (WSX_NO_ERROR_STRINGS: "WSX_E_OK" / "WSX_E_?".) */
WSX_API const char *wsx_errname(int err);
/* WebSocket close code to send when err fails a connection: 1002 protocol
 * error, 1007 invalid data, 1009 too big, ...; 1011 for errors that are not
 * the peer's fault; 1000 for WSX_OK. */
WSX_API int wsx_err_close_code(int err);
/* HTTP status to answer when err refuses a request: 400, 403, 405, 413,
 * 426, 431, 505; 500 for errors that are not the client's fault; 200 for
 * WSX_OK. */
WSX_API int wsx_err_http_status(int err);

/* ---- build report ---------------------------------------------------- */

/* What the linked library was built with (a program may be linked against
 * a build other than the one its headers describe). */
#define WSX_BUILD_SMALL 1u         /* the WSX_SMALL code paths */
#define WSX_BUILD_OPENSSL 2u       /* SHA-1 from libcrypto (make OPENSSL=1) */
#define WSX_BUILD_ERROR_STRINGS 4u /* names and reasons kept (no WSX_NO_ERROR_STRINGS) */
/* Chosen at run time from what the CPU can do (fast profile): */
#define WSX_BUILD_SHA1_HW 8u    /* SHA-1 with the CPU's instructions (SHA-NI, ARMv8) */
#define WSX_BUILD_UTF8_AVX2 16u /* UTF-8 validation with AVX2 */
#define WSX_BUILD_HTTP_AVX2 32u /* HTTP head lines scanned with AVX2 */
WSX_API unsigned wsx_build_flags(void);
/* The same as text, e.g. "0.2.0 fast builtin-sha1 error-strings
 * sha1-shani utf8-avx2 http-avx2"; the fast profile names its SHA-1
 * (sha1-shani, sha1-armv8, sha1-portable; nothing more with libcrypto's),
 * its UTF-8 validator (utf8-avx2, utf8-sse2, utf8-portable) and its HTTP
 * line scan (http-avx2, http-sse2, http-words).  Static storage; never
 * NULL. */
WSX_API const char *wsx_build_string(void);

/* ---- header pair ------------------------------------------------------ */

/* One header field "name: value".  Parsers fill it with slices into the
 * caller's buffer (value trimmed of surrounding SP/HTAB, may be empty);
 * writers take arrays of it (rule 8).  Not NUL-terminated. */
typedef struct wsx_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} wsx_header;

#ifdef __cplusplus
}
#endif

#endif /* WSX_BASE_H */
