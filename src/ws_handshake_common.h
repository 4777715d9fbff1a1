/* Private: the text, header-field checks and output helpers shared by the
 * server and client handshakes. */
#ifndef WSX_WS_HANDSHAKE_COMMON_H
#define WSX_WS_HANDSHAKE_COMMON_H

#include <stddef.h>

#include "wsx_handshake.h"
#include "wbuf.h"

/* Every header name and fixed value the handshakes read or write, stored
 * once.  The names a side refuses in extra headers (because it writes them
 * itself) are consecutive: the server's are the 8 from extensions, the
 * client's the 10 from upgrade (wsx__hs_end walks them). */
typedef struct wsx__hs_strings {
    char extensions[sizeof "Sec-WebSocket-Extensions"];
    char upgrade[sizeof "Upgrade"];
    char connection[sizeof "Connection"];
    char accept[sizeof "Sec-WebSocket-Accept"];
    char protocol[sizeof "Sec-WebSocket-Protocol"];
    char version[sizeof "Sec-WebSocket-Version"];
    char content_length[sizeof "Content-Length"];
    char transfer_encoding[sizeof "Transfer-Encoding"];
    char host[sizeof "Host"];
    char origin[sizeof "Origin"];
    char key[sizeof "Sec-WebSocket-Key"];
    /* values */
    char websocket[sizeof "websocket"];
    char v13[sizeof "13"];
} wsx__hs_strings;

extern const wsx__hs_strings wsx__hs_str;

/* The functions below take a text as its offset in wsx__hs_str: a small
 * constant is a 2-byte instruction, where an address would also cost 4
 * bytes in the literal pool of every caller. */
enum {
    WSX__HS_EXTENSIONS = offsetof(wsx__hs_strings, extensions),
    WSX__HS_UPGRADE = offsetof(wsx__hs_strings, upgrade),
    WSX__HS_CONNECTION = offsetof(wsx__hs_strings, connection),
    WSX__HS_ACCEPT = offsetof(wsx__hs_strings, accept),
    WSX__HS_PROTOCOL = offsetof(wsx__hs_strings, protocol),
    WSX__HS_VERSION = offsetof(wsx__hs_strings, version),
    WSX__HS_HOST = offsetof(wsx__hs_strings, host),
    WSX__HS_ORIGIN = offsetof(wsx__hs_strings, origin),
    WSX__HS_KEY = offsetof(wsx__hs_strings, key),
    WSX__HS_WEBSOCKET = offsetof(wsx__hs_strings, websocket),
    WSX__HS_13 = offsetof(wsx__hs_strings, v13)
};
#define WSX__HS_TEXT(id) ((const char *)&wsx__hs_str + (id))

/* The refused names: the first one and how many. */
#define WSX__HS_SERVER_REFUSED WSX__HS_EXTENSIONS, 8
#define WSX__HS_CLIENT_REFUSED WSX__HS_UPGRADE, 10

/* Fields named name: 0, 1, or 2 for two or more; *first is the first one
 * (NULL for 0). */
int wsx__hs_find(const wsx_header *h, size_t n, unsigned name, const wsx_header **first);

/* Upgrade lists "websocket" and Connection lists "upgrade" (RFC 6455
 * sections 4.1 and 4.2.1): WSX_OK, WSX_E_HS_UPGRADE or WSX_E_HS_CONNECTION. */
int wsx__hs_check_upgrade(const wsx_header *h, size_t n);

/* The elements of every field named name (RFC 9110 section 5.6.1: a list
 * may span repeated fields), one per wsx__hs_item_next call.  Elements of
 * Sec-WebSocket-Extensions come as their extension name only (before the
 * first ';', RFC 6455 section 9.1). */
typedef struct wsx__hs_items {
    const wsx_header *h, *field;
    size_t n;
    unsigned name;
    const char *pos;
} wsx__hs_items;
#define WSX__HS_ITEMS(h, n, name)    \
    {                                \
        (h), NULL, (n), (name), NULL \
    }
/* 1 with the next element, 0 at the end (do not call again then). */
int wsx__hs_item_next(wsx__hs_items *it, const char **item, size_t *len);

/* 1 if a field named name has an element equal to want[0..want_len), not
 * empty: subprotocols compare byte for byte (RFC 6455 section 4.1 item
 * 10), tokens and extension names ASCII case-insensitively. */
int wsx__hs_has_item(const wsx_header *h, size_t n, unsigned name, const char *want,
                     size_t want_len);

/* 1 if name[0..len) is "permessage-deflate" (ASCII case-insensitive). */
int wsx__pmd_is_name(const char *name, size_t len);
/* 15, 15, 0, 0: no compression. */
void wsx__pmd_none(wsx_ws_deflate_params *terms);

/* "name: value\r\n" */
void wsx__hs_field(wsx__wbuf *o, unsigned name, const char *value, size_t value_len);
/* "name: value\r\n" for a value of wsx__hs_str too */
void wsx__hs_field_text(wsx__wbuf *o, unsigned name, unsigned value);
/* "Upgrade: websocket\r\nConnection: Upgrade\r\n" */
void wsx__hs_put_upgrade(wsx__wbuf *o);
/* The extra headers h[0..n) (names tokens, values field values: see
 * wsx__wbuf_headers; none of the `count` refused names from `first`, else
 * WSX_E_ARG), the empty line that ends the head, then wsx__wbuf_done.
 * *out_len must be 0 on entry: it stays so after an error. */
int wsx__hs_end(wsx__wbuf *o, const wsx_header *h, size_t n, unsigned first, unsigned count,
                size_t *out_len);

#endif
