/* Shared pieces of the WebSocket handshakes: bounded output, field checks. */
#include <string.h>

#include "ws_handshake_common.h"
#include "http_chars.h"

int wsx__hs_out_done(const wsx__wbuf *o, size_t *out_len)
{
    ptrdiff_t n = wsx__wbuf_result(o);
    *out_len = n > 0 && o->out ? (size_t)n : 0;
    return *out_len ? WSX_OK : WSX_E_BUFFER;
}

int wsx__hs_is_token(const char *s, size_t n)
{
    size_t i;
    if (!s || n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!wsx_http_is_tchar(s[i]))
            return 0;
    return 1;
}

int wsx__hs_is_value(const char *s, size_t n)
{
    size_t i;
    if (!s && n)
        return 0;
    for (i = 0; i < n; i++)
        if (!wsx_http_is_value_char(s[i]))
            return 0;
    /* No leading or trailing whitespace: it would not survive parsing. */
    return n == 0 || (s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t');
}

int wsx__hs_is_visible(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!wsx_http_is_target_char(s[i]))
            return 0;
    return 1;
}

int wsx__hs_name_in(const char *name, size_t len, const char *const *names)
{
    for (; *names; names++)
        if (wsx_http_name_eq(name, len, *names))
            return 1;
    return 0;
}

int wsx__hs_check_extra(const wsx_http_header *h, size_t n, const char *const *refused)
{
    size_t i;
    if (n && !h)
        return WSX_E_ARG;
    for (i = 0; i < n; i++) {
        if (!wsx__hs_is_token(h[i].name, h[i].name_len) ||
            !wsx__hs_is_value(h[i].value, h[i].value_len) ||
            wsx__hs_name_in(h[i].name, h[i].name_len, refused))
            return WSX_E_ARG;
    }
    return WSX_OK;
}

void wsx__hs_put_extra(wsx__wbuf *o, const wsx_http_header *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        wsx__wbuf_field(o, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
}

void wsx__hs_ext_name(const char *item, size_t item_len, const char **name, size_t *name_len)
{
    const char *semi = (const char *)memchr(item, ';', item_len);
    size_t n = semi ? (size_t)(semi - item) : item_len;
    while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
        n--;
    *name = item;
    *name_len = n;
}
