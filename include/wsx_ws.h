/*
 * wsx WebSocket frame codec (RFC 6455): Sec-WebSocket-Accept, the pull-based
 * frame decoder and the frame encoder.
 */
#ifndef WSX_WS_H
#define WSX_WS_H

#include "wsx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Sec-WebSocket-Accept (RFC 6455 section 4.2.2) -------------------- */

#define WSX_WS_ACCEPT_LEN 28

/* out = base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), exactly
 * WSX_WS_ACCEPT_LEN characters, no NUL.  key is the Sec-WebSocket-Key value
 * as received (keylen bytes; at most 64 accepted).  Returns WSX_OK or
 * WSX_E_ARG. */
WSX_API int wsx_ws_accept(const char *key, size_t keylen,
                          char out[WSX_WS_ACCEPT_LEN]);

/* ---- frame decoder ---------------------------------------------------- */
/* (section owned by the decoder) */

/* ---- frame encoder ---------------------------------------------------- */
/* (section owned by the encoder) */

#ifdef __cplusplus
}
#endif

#endif /* WSX_WS_H */
