/*
 * wsx — WebSocket (RFC 6455) and Server-Sent Events for C99, sans-I/O.
 *
 * This is the umbrella header: version, export macro, the one error table,
 * and then every area header (wsx_util.h, wsx_ws.h, ...).  Each area header
 * may also be included on its own.
 *
 * Contract shared by every wsx function:
 *   - wsx never allocates, never does I/O, never reads a clock.  Every struct
 *     lives in memory the caller owns (stack, static, or its own heap); the
 *     struct definitions are public so their size is known, but fields whose
 *     names start with '_' are private: do not read or write them.
 *   - Functions that can fail return a wsx_err (0 = WSX_OK, negative = error)
 *     or, for pull-style decoders, an event kind (> 0), 0 for "need more
 *     input", or a negative wsx_err.
 *   - Decoding errors are sticky: once a decoder has failed, every further
 *     call returns the same error until it is re-initialised.
 *
 * MIT licensed; see LICENSE.
 */
#ifndef WSX_H
#define WSX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version -------------------------------------------------------- */

#define WSX_VERSION_MAJOR 0
#define WSX_VERSION_MINOR 1
#define WSX_VERSION_PATCH 0
/* 0xMMmmpp: compare with >= in #if. */
#define WSX_VERSION_NUM                                                    \
    ((WSX_VERSION_MAJOR << 16) | (WSX_VERSION_MINOR << 8) | WSX_VERSION_PATCH)
#define WSX_VERSION_STRING "0.1.0"

/* ---- export macro --------------------------------------------------- */

#if defined(_WIN32) && defined(WSX_SHARED)
#  if defined(WSX_BUILDING)
#    define WSX_API __declspec(dllexport)
#  else
#    define WSX_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define WSX_API __attribute__((visibility("default")))
#else
#  define WSX_API
#endif

/* ---- size profile (a build option of the library) ------------------- */

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
 * handshake -300.., connection -400.., SSE -500...
 */
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
    /* WebSocket connection */                                               \
    X(CONN_QUEUE_FULL,    -400,    0,    0, "outgoing queue full")           \
    X(CONN_CLOSED,        -401,    0,    0, "connection is closing or closed") \
    X(CONN_TIMEOUT,       -402, 1001,    0, "peer did not answer the heartbeat") \
    /* Server-Sent Events */                                                 \
    X(SSE_LINE_TOO_LONG,  -500,    0,    0, "SSE line or event exceeds the scratch buffer") \
    X(SSE_FIELD,          -501,    0,    0, "event type or id contains CR, LF or NUL") \
    X(SSE_STATUS,         -502,    0,    0, "SSE response status is not 200") \
    X(SSE_CONTENT_TYPE,   -503,    0,    0, "SSE response is not text/event-stream") \
    X(SSE_NO_CONTENT,     -504,    0,    0, "server answered 204: stop reconnecting") \
    X(SSE_REDIRECT,       -505,    0,    0, "redirect: follow the new location") \
    X(SSE_REPLAY_GONE,    -506,    0,    0, "Last-Event-ID is older than the replay window") \
    X(SSE_FIELD_TOO_LONG, -507,    0,    0, "SSE id or event type exceeds the configured maximum")

typedef enum wsx_err {
#define WSX_ERR_ENUM_(name, value, close_code, http_status, reason) \
    WSX_E_##name = value,
    WSX_ERROR_TABLE(WSX_ERR_ENUM_)
#undef WSX_ERR_ENUM_
    WSX_E_LAST_ = -9999
} wsx_err;

#define WSX_OK WSX_E_OK

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

#ifdef __cplusplus
}
#endif

#endif /* WSX_H */

/* Umbrella: every area header.  Area headers include only the part above
 * (they define WSX_BASE_ONLY_ around their #include "wsx.h") and then the
 * area headers they depend on, so any header may be included first. */
#ifndef WSX_BASE_ONLY_
#include "wsx_util.h"
#include "wsx_ws.h"
#include "wsx_http.h"
#include "wsx_handshake.h"
#include "wsx_conn.h"
#include "wsx_sse.h"
#endif
