/* Shared pieces of the WebSocket handshakes: text, field checks, output. */
#include <string.h>

#include "wsx_internal.h"
#include "ws_handshake_common.h"
#include "http_chars.h"

const wsx__hs_strings wsx__hs_str = {"Sec-WebSocket-Extensions",
                                     "Upgrade",
                                     "Connection",
                                     "Sec-WebSocket-Accept",
                                     "Sec-WebSocket-Protocol",
                                     "Sec-WebSocket-Version",
                                     "Content-Length",
                                     "Transfer-Encoding",
                                     "Host",
                                     "Origin",
                                     "Sec-WebSocket-Key",
                                     "websocket",
                                     "13"};

/* wsx__hs_end() walks the members as one run of strings: no padding between
 * them (char arrays need none; this checks it). */
#define HS_SIZE(member) sizeof(((wsx__hs_strings *)0)->member)
typedef char wsx__hs_strings_are_packed
    [sizeof(wsx__hs_strings) == HS_SIZE(extensions) + HS_SIZE(upgrade) + HS_SIZE(connection) +
                                    HS_SIZE(accept) + HS_SIZE(protocol) + HS_SIZE(version) +
                                    HS_SIZE(content_length) + HS_SIZE(transfer_encoding) +
                                    HS_SIZE(host) + HS_SIZE(origin) + HS_SIZE(key) +
                                    HS_SIZE(websocket) + HS_SIZE(v13)
         ? 1
         : -1];

int wsx__hs_find(const wsx_header *h, size_t n, unsigned name, const wsx_header **first)
{
    *first = wsx_http_header_next(h, n, WSX__HS_TEXT(name), NULL);
    if (!*first)
        return 0;
    return wsx_http_header_next(h, n, WSX__HS_TEXT(name), *first) ? 2 : 1;
}

int wsx__hs_check_upgrade(const wsx_header *h, size_t n)
{
    /* token lists compare case-insensitively: "Upgrade" finds "upgrade" */
    if (!wsx__hs_has_item(h, n, WSX__HS_UPGRADE, wsx__hs_str.websocket,
                          sizeof wsx__hs_str.websocket - 1))
        return WSX_E_HS_UPGRADE;
    if (!wsx__hs_has_item(h, n, WSX__HS_CONNECTION, wsx__hs_str.upgrade,
                          sizeof wsx__hs_str.upgrade - 1))
        return WSX_E_HS_CONNECTION;
    return WSX_OK;
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

int wsx__hs_item_next(wsx__hs_items *it, const char **item, size_t *len)
{
    while (!it->field ||
           !wsx_http_list_next(&it->pos, it->field->value + it->field->value_len, item, len)) {
        it->field = wsx_http_header_next(it->h, it->n, WSX__HS_TEXT(it->name), it->field);
        if (!it->field)
            return 0;
        it->pos = it->field->value;
    }
    if (it->name == WSX__HS_EXTENSIONS) {
        const char *semi = (const char *)memchr(*item, ';', *len);
        if (semi)
            *len = (size_t)(semi - *item);
        while (*len > 0 && is_ows((*item)[*len - 1]))
            --*len;
    }
    return 1;
}

int wsx__hs_has_item(const wsx_header *h, size_t n, unsigned name, const char *want,
                     size_t want_len)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, name);
    const char *item;
    size_t len;
    while (wsx__hs_item_next(&it, &item, &len)) {
        if (len != want_len || !len)
            continue;
        if (name == WSX__HS_PROTOCOL ? memcmp(item, want, len) == 0
                                     : wsx__http_eq_nocase(item, len, want, len))
            return 1;
    }
    return 0;
}

int wsx__pmd_is_name(const char *name, size_t len)
{
    return wsx__http_eq_nocase(name, len, "permessage-deflate", 18);
}

void wsx__pmd_none(wsx_ws_deflate_params *terms)
{
    terms->server_max_window_bits = 15;
    terms->client_max_window_bits = 15;
    terms->server_no_context_takeover = 0;
    terms->client_no_context_takeover = 0;
}

void wsx__hs_field(wsx__wbuf *o, unsigned name, const char *value, size_t value_len)
{
    wsx__wbuf_field(o, WSX__HS_TEXT(name), strlen(WSX__HS_TEXT(name)), value, value_len);
}

void wsx__hs_field_text(wsx__wbuf *o, unsigned name, unsigned value)
{
    wsx__hs_field(o, name, WSX__HS_TEXT(value), strlen(WSX__HS_TEXT(value)));
}

void wsx__hs_put_upgrade(wsx__wbuf *o)
{
    wsx__hs_field_text(o, WSX__HS_UPGRADE, WSX__HS_WEBSOCKET);
    wsx__hs_field_text(o, WSX__HS_CONNECTION, WSX__HS_UPGRADE);
}

int wsx__hs_end(wsx__wbuf *o, const wsx_header *h, size_t n, unsigned first, unsigned count,
                size_t *out_len)
{
    const char *refused = WSX__HS_TEXT(first);
    int r = wsx__wbuf_headers(o, h, n);
    if (r < 0)
        return r;
    /* the count names from first: consecutive members of wsx__hs_str */
    for (; n > 0 && count > 0; count--, refused += strlen(refused) + 1)
        if (wsx_http_header_next(h, n, refused, NULL))
            return WSX_E_ARG;
    wsx__wbuf_put(o, "\r\n", 2);
    return wsx__wbuf_done(o, out_len);
}
