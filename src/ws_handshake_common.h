/* Private: a bounded writer into a caller buffer and header-field checks
 * shared by the server and client handshakes. */
#ifndef WSX_WS_HANDSHAKE_COMMON_H
#define WSX_WS_HANDSHAKE_COMMON_H

#include "wsx_handshake.h"

typedef struct wsx__hs_out {
    char *buf;
    size_t cap, len;
    int overflow; /* set once anything did not fit */
} wsx__hs_out;

void wsx__hs_out_init(wsx__hs_out *o, char *buf, size_t cap);
void wsx__hs_put(wsx__hs_out *o, const char *s, size_t n);
void wsx__hs_puts(wsx__hs_out *o, const char *s);
/* "Name: value\r\n" */
void wsx__hs_field(wsx__hs_out *o, const char *name, const char *value, size_t value_len);
/* WSX_OK with *out_len = o->len, or WSX_E_BUFFER with *out_len = 0. */
int wsx__hs_out_done(const wsx__hs_out *o, size_t *out_len);

/* 1 if s[0..n) is a non-empty token / a valid field value / 0x21-0x7E only. */
int wsx__hs_is_token(const char *s, size_t n);
int wsx__hs_is_value(const char *s, size_t n);
int wsx__hs_is_visible(const char *s, size_t n);
/* 1 if name is one of the NUL-terminated names in the NULL-ended list. */
int wsx__hs_name_in(const char *name, size_t len, const char *const *names);
/* Validates extra headers against the refused names: WSX_OK or WSX_E_ARG. */
int wsx__hs_check_extra(const wsx_http_header *h, size_t n, const char *const *refused);
/* Writes the extra headers. */
void wsx__hs_put_extra(wsx__hs_out *o, const wsx_http_header *h, size_t n);
/* The extension name of a Sec-WebSocket-Extensions element (before ';'). */
void wsx__hs_ext_name(const char *item, size_t item_len, const char **name, size_t *name_len);

#endif
