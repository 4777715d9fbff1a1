/*
 * The size of every wsx state structure, for the target this file is
 * compiled for, without running anything: each symbol sizeof_T is an array
 * of sizeof(T) bytes, so `nm -S` prints the size.  examples/firmware/size.sh
 * compiles it with arm-none-eabi-gcc and with the host compiler.
 */
#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>
#include <wsx_util.h>
#include <wsx_ws.h>

#define SIZE_OF(T) char sizeof_##T[sizeof(T)];

/* Per-connection state. */
SIZE_OF(wsx_ws_decoder)
SIZE_OF(wsx_ws_conn)
SIZE_OF(wsx_ws_feed)
SIZE_OF(wsx_http_parser)
SIZE_OF(wsx_chunked)
SIZE_OF(wsx_hs_client)
SIZE_OF(wsx_sse_parser)
SIZE_OF(wsx_sse_backoff)
SIZE_OF(wsx_utf8)
SIZE_OF(wsx_ws_fragmenter)
SIZE_OF(wsx_ws_stream)
/* Shared or short-lived (stack) structures. */
SIZE_OF(wsx_sse_replay)
SIZE_OF(wsx_ws_conn_config)
SIZE_OF(wsx_ws_event)
SIZE_OF(wsx_sse_event)
SIZE_OF(wsx_sse_msg)
SIZE_OF(wsx_http_request)
SIZE_OF(wsx_header)
SIZE_OF(wsx_hs_request)
