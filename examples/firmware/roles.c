/*
 * roles.c — how much of wsx a firmware in one role links.  `make size`
 * builds this file once per role (-DROLE_WS_SERVER, ...) against the
 * Cortex-M4 library with --gc-sections and prints the library bytes each
 * link keeps.  A role is the list of public functions such a device calls
 * (fw_demo.c shows the calls in a real program); taking their addresses
 * keeps exactly those functions and everything they reach.
 */
#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>

/* clang-format off */
/* A WebSocket connection driven through the callback adapter, with
 * heartbeat and the close handshake. */
#define WS_CONN_(F)                                                          \
    F(wsx_ws_conn_config_default) F(wsx_ws_conn_init) F(wsx_ws_conn_open)   \
    F(wsx_ws_feed_init) F(wsx_ws_conn_feed) F(wsx_ws_conn_send)              \
    F(wsx_ws_conn_output) F(wsx_ws_conn_consume) F(wsx_ws_conn_tick)         \
    F(wsx_ws_conn_next_deadline) F(wsx_ws_conn_close)                        \
    F(wsx_ws_conn_should_close_transport) F(wsx_ws_conn_eof)

/* Answers the Upgrade request of a browser. */
#define WS_SERVER_(F)                                                        \
    F(wsx_http_parser_init) F(wsx_http_parse_request)                        \
    F(wsx_hs_server_answer_request) WS_CONN_(F)

/* The same, accepting permessage-deflate from browsers and inflating what
 * they send, never compressing (wsx_ws_conn_use_inflate: no compressor
 * linked; the handshake's hook, wsx_hs_pmd_server, is kept below). */
#define WS_SERVER_INFLATE_(F) WS_SERVER_(F) F(wsx_inflater_init) F(wsx_ws_conn_use_inflate)

/* Connects to a WebSocket server (e.g. a cloud endpoint). */
#define WS_CLIENT_(F)                                                        \
    F(wsx_hs_client_request) F(wsx_http_parser_init)                         \
    F(wsx_http_parse_response) F(wsx_hs_client_check_response) WS_CONN_(F)

/* Serves an event stream that resumes from Last-Event-ID. */
#define SSE_SERVER_(F)                                                       \
    F(wsx_http_parser_init) F(wsx_http_parse_request) F(wsx_http_header_next) \
    F(wsx_sse_response_head) F(wsx_sse_msg_init) F(wsx_sse_write)            \
    F(wsx_sse_keepalive_due) F(wsx_sse_write_keepalive)                      \
    F(wsx_sse_replay_init) F(wsx_sse_replay_append) F(wsx_sse_replay_since)  \
    F(wsx_sse_replay_next)

/* Reads an event stream (GET or POST), chunked or not, and reconnects. */
#define SSE_CLIENT_(F)                                                       \
    F(wsx_sse_request_write) F(wsx_http_parser_init)                         \
    F(wsx_http_parse_response) F(wsx_sse_check_http_response)                \
    F(wsx_http_response_body) F(wsx_chunked_init) F(wsx_chunked_decode)      \
    F(wsx_sse_parser_init) F(wsx_sse_feed) F(wsx_sse_end)                    \
    F(wsx_sse_backoff_init) F(wsx_sse_backoff_set_retry)                     \
    F(wsx_sse_backoff_opened) F(wsx_sse_backoff_next)
/* clang-format on */

#if defined(ROLE_WS_SERVER)
#define ROLE_(F) WS_SERVER_(F)
#elif defined(ROLE_WS_SERVER_INFLATE)
#define ROLE_(F) WS_SERVER_INFLATE_(F)
#elif defined(ROLE_WS_CLIENT)
#define ROLE_(F) WS_CLIENT_(F)
#elif defined(ROLE_SSE_SERVER)
#define ROLE_(F) SSE_SERVER_(F)
#elif defined(ROLE_SSE_CLIENT)
#define ROLE_(F) SSE_CLIENT_(F)
#elif defined(ROLE_WS_SSE_SERVER)
#define ROLE_(F) WS_SERVER_(F) SSE_SERVER_(F)
#else
#error "define one ROLE_..."
#endif

typedef void (*any_fn)(void);
#define ENTRY_(f) (any_fn) f,
static any_fn const volatile used[] = {ROLE_(ENTRY_)};
#if defined(ROLE_WS_SERVER_INFLATE)
static const void *const volatile used_data = &wsx_hs_pmd_server;
#else
static const void *const volatile used_data = (const void *)&used;
#endif

int main(void) { return used[0] != 0 && used_data != 0; }
