/*
 * wsx -- WebSocket (RFC 6455) and Server-Sent Events for C99, sans-I/O.
 *
 * The umbrella header: every area header, each of which may also be
 * included on its own.  Start with wsx_base.h: the API rules every
 * function follows, version, errors, the header pair.
 *
 *   wsx_base.h       rules, version, build report, errors, wsx_header
 *   wsx_util.h       SHA-1, base64, UTF-8 validation, masking
 *   wsx_ws.h         WebSocket frame decoder and encoder, Sec-WebSocket-Accept
 *   wsx_http.h       HTTP/1.1 head parser, chunked coding
 *   wsx_handshake.h  WebSocket opening handshake, server and client
 *   wsx_conn.h       WebSocket connection: states, queue, heartbeat
 *   wsx_conn_feed.h  its callback adapter (included by wsx_conn.h)
 *   wsx_conn_deflate.h  permessage-deflate on it (included by wsx_conn.h)
 *   wsx_sse.h        SSE parser, writer, server helpers, client decisions
 *   wsx_sse_gzip.h   gzip'd event streams, both ends (included by wsx_sse.h)
 *   wsx_sse_http.h   CORS, refusals, Retry-After (included by wsx_sse.h)
 *   wsx_deflate.h    DEFLATE and gzip, streaming; CRC-32
 *
 * Build options (WSX_SMALL, WSX_NO_ERROR_STRINGS, and WSX_NO_WS, WSX_NO_SSE,
 * WSX_NO_CLIENT, WSX_NO_DEFLATE, WSX_NO_HTTP_PARSER to leave parts out):
 * wsx_base.h, "build options".
 *
 * MIT licensed; see LICENSE.
 */
#ifndef WSX_H
#define WSX_H

#include "wsx_base.h"
#include "wsx_util.h"
#include "wsx_ws.h"
#include "wsx_http.h"
#include "wsx_handshake.h"
#include "wsx_conn.h"
#include "wsx_conn_feed.h"
#include "wsx_conn_deflate.h"
#include "wsx_sse.h"
#include "wsx_sse_gzip.h"
#include "wsx_sse_http.h"
#include "wsx_deflate.h"

#endif /* WSX_H */
