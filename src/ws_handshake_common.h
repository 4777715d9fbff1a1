/* Private: a bounded writer into a caller buffer and header-field checks
 * shared by the server and client handshakes. */
#ifndef WSX_WS_HANDSHAKE_COMMON_H
#define WSX_WS_HANDSHAKE_COMMON_H

#include "wsx_handshake.h"
#include "wbuf.h"

/* WSX_OK with *out_len = the bytes written, or WSX_E_BUFFER with *out_len = 0
 * (also for a NULL output buffer). */
int wsx__hs_out_done(const wsx__wbuf *o, size_t *out_len);

/* 1 if s[0..n) is a non-empty token / a valid field value / 0x21-0x7E only. */
int wsx__hs_is_token(const char *s, size_t n);
int wsx__hs_is_value(const char *s, size_t n);
int wsx__hs_is_visible(const char *s, size_t n);
/* 1 if name is one of the NUL-terminated names in the NULL-ended list. */
int wsx__hs_name_in(const char *name, size_t len, const char *const *names);
/* Validates extra headers against the refused names: WSX_OK or WSX_E_ARG. */
int wsx__hs_check_extra(const wsx_http_header *h, size_t n, const char *const *refused);
/* Writes the extra headers. */
void wsx__hs_put_extra(wsx__wbuf *o, const wsx_http_header *h, size_t n);
/* The extension name of a Sec-WebSocket-Extensions element (before ';'). */
void wsx__hs_ext_name(const char *item, size_t item_len, const char **name, size_t *name_len);

#endif
