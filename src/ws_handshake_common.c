/* Shared pieces of the WebSocket handshakes: text, field checks, output. */
#include <string.h>

#include "wsx_internal.h"
#include "ws_handshake_common.h"
#include "http_chars.h"

const wsx__hs_strings wsx__hs_str = {
    "Sec-WebSocket-Extensions", "Upgrade", "Connection", "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol", "Sec-WebSocket-Version", "Content-Length",
    "Transfer-Encoding", "Host", "Origin", "Sec-WebSocket-Key", "websocket", "13"};

/* is_refused() walks the members as one run of strings: no padding between
 * them (char arrays need none; this checks it). */
#define HS_SIZE(member) sizeof(((wsx__hs_strings *)0)->member)
typedef char wsx__hs_strings_are_packed
    [sizeof(wsx__hs_strings) ==
             HS_SIZE(extensions) + HS_SIZE(upgrade) + HS_SIZE(connection) + HS_SIZE(accept) +
                 HS_SIZE(protocol) + HS_SIZE(version) + HS_SIZE(content_length) +
                 HS_SIZE(transfer_encoding) + HS_SIZE(host) + HS_SIZE(origin) + HS_SIZE(key) +
                 HS_SIZE(websocket) + HS_SIZE(v13)
         ? 1
         : -1];

int wsx__hs_find(const wsx_header *h, size_t n, unsigned name,
                 const wsx_header **first)
{
    *first = wsx_http_header_next(h, n, WSX__HS_TEXT(name), NULL);
    if (!*first)
        return 0;
    return wsx_http_header_next(h, n, WSX__HS_TEXT(name), *first) ? 2 : 1;
}

int wsx__hs_check_upgrade(const wsx_header *h, size_t n)
{
    if (!wsx_http_headers_have_token(h, n, WSX__HS_TEXT(WSX__HS_UPGRADE),
                                     WSX__HS_TEXT(WSX__HS_WEBSOCKET)))
        return WSX_E_HS_UPGRADE;
    /* token lists compare case-insensitively: "Upgrade" finds "upgrade" */
    if (!wsx_http_headers_have_token(h, n, WSX__HS_TEXT(WSX__HS_CONNECTION),
                                     WSX__HS_TEXT(WSX__HS_UPGRADE)))
        return WSX_E_HS_CONNECTION;
    return WSX_OK;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

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
        if (name == WSX__HS_EXTENSIONS ? wsx__http_eq_nocase(item, len, want, len)
                                            : memcmp(item, want, len) == 0)
            return 1;
    }
    return 0;
}

/* 1 if name[0..len) is one of the count names from first (consecutive
 * NUL-terminated members of wsx__hs_str). */
static int is_refused(const char *name, size_t len, unsigned first, unsigned count)
{
    const char *refused = WSX__HS_TEXT(first);
    for (; count > 0; count--, refused += strlen(refused) + 1)
        if (wsx_http_name_eq(name, len, refused))
            return 1;
    return 0;
}

int wsx__hs_check_extra(const wsx_header *h, size_t n, unsigned first, unsigned count)
{
    size_t i;
    if (n && !h)
        return WSX_E_ARG;
    for (i = 0; i < n; i++)
        if (!wsx__http_is_token(h[i].name, h[i].name_len) ||
            !wsx__http_is_field_value(h[i].value, h[i].value_len) ||
            is_refused(h[i].name, h[i].name_len, first, count))
            return WSX_E_ARG;
    return WSX_OK;
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

int wsx__hs_done(const wsx__wbuf *o, size_t *out_len)
{
    ptrdiff_t written = wsx__wbuf_result(o);
    *out_len = written > 0 && o->out ? (size_t)written : 0;
    return *out_len ? WSX_OK : WSX_E_BUFFER;
}

int wsx__hs_end(wsx__wbuf *o, const wsx_header *h, size_t n, size_t *out_len)
{
    size_t i;
    for (i = 0; i < n; i++)
        wsx__wbuf_field(o, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
    wsx__wbuf_put(o, "\r\n", 2);
    return wsx__hs_done(o, out_len);
}
