/* Client side of the WebSocket opening handshake (RFC 6455 section 4.1). */
#include <string.h>

#include "ws_handshake_common.h"
#include "http_chars.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* Fields wsx writes in the request itself. */
static const char *const client_refused[] = {
    "Host", "Upgrade", "Connection", "Origin", "Sec-WebSocket-Key",
    "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept",
    "Content-Length", "Transfer-Encoding", NULL};

static int check_client_config(const wsx_hs_client_config *cfg)
{
    const char *path = cfg->path ? cfg->path : "/";
    size_t i;
    if (!cfg->host || !*cfg->host || !wsx__hs_is_visible(cfg->host, strlen(cfg->host)))
        return WSX_E_ARG;
    if (path[0] != '/' || !wsx__hs_is_visible(path, strlen(path)))
        return WSX_E_ARG;
    if (cfg->origin && (!*cfg->origin || !wsx__hs_is_value(cfg->origin, strlen(cfg->origin))))
        return WSX_E_ARG;
    if (cfg->num_subprotocols && !cfg->subprotocols)
        return WSX_E_ARG;
    for (i = 0; i < cfg->num_subprotocols; i++) {
        const char *p = cfg->subprotocols[i];
        if (!p || !wsx__hs_is_token(p, strlen(p)))
            return WSX_E_ARG;
    }
    return wsx__hs_check_extra(cfg->extra_headers, cfg->num_extra_headers, client_refused);
}

int wsx_hs_client_request(wsx_hs_client *hs, const wsx_hs_client_config *cfg,
                          const uint8_t nonce[WSX_HS_NONCE_LEN], char *out, size_t cap,
                          size_t *out_len)
{
    wsx__wbuf o;
    size_t i;
    if (out_len)
        *out_len = 0;
    if (!hs || !cfg || !nonce || !out_len || check_client_config(cfg) < 0)
        return WSX_E_ARG;
    wsx_base64_encode(nonce, WSX_HS_NONCE_LEN, hs->_key);
    hs->_subprotocols = cfg->subprotocols;
    hs->_num_subprotocols = cfg->num_subprotocols;
    hs->_extra = cfg->extra_headers;
    hs->_num_extra = cfg->num_extra_headers;
    wsx__wbuf_init(&o, out, cap);
    wsx__wbuf_str(&o, "GET ");
    wsx__wbuf_str(&o, cfg->path ? cfg->path : "/");
    wsx__wbuf_str(&o, " HTTP/1.1\r\n");
    wsx__wbuf_field(&o, WSX__LIT("Host"), cfg->host, strlen(cfg->host));
    wsx__wbuf_str(&o, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
    wsx__wbuf_field(&o, WSX__LIT("Sec-WebSocket-Key"), hs->_key, WSX_HS_KEY_LEN);
    wsx__wbuf_str(&o, "Sec-WebSocket-Version: 13\r\n");
    if (cfg->origin)
        wsx__wbuf_field(&o, WSX__LIT("Origin"), cfg->origin, strlen(cfg->origin));
    for (i = 0; i < cfg->num_subprotocols; i++) {
        wsx__wbuf_str(&o, i == 0 ? "Sec-WebSocket-Protocol: " : ", ");
        wsx__wbuf_str(&o, cfg->subprotocols[i]);
    }
    if (cfg->num_subprotocols)
        wsx__wbuf_put(&o, "\r\n", 2);
    wsx__hs_put_extra(&o, cfg->extra_headers, cfg->num_extra_headers);
    wsx__wbuf_put(&o, "\r\n", 2);
    return wsx__hs_out_done(&o, out_len);
}

/* Section 4.1 client step 4: Sec-WebSocket-Accept, exactly once, exact. */
static int check_accept(const wsx_hs_client *hs, const wsx_http_header *h, size_t n)
{
    const wsx_http_header *acc = wsx_http_header_next(h, n, "Sec-WebSocket-Accept", NULL);
    char want[WSX_WS_ACCEPT_LEN];
    if (!acc || wsx_http_header_next(h, n, "Sec-WebSocket-Accept", acc) ||
        wsx_ws_accept(hs->_key, WSX_HS_KEY_LEN, want) != WSX_OK ||
        acc->value_len != WSX_WS_ACCEPT_LEN || memcmp(acc->value, want, sizeof want) != 0)
        return WSX_E_HS_ACCEPT;
    return WSX_OK;
}

/* Step 6: at most one field, one element, one of those offered. */
static int check_subprotocol(const wsx_hs_client *hs, const wsx_http_header *h, size_t n,
                             const char **proto, size_t *proto_len)
{
    const wsx_http_header *f = wsx_http_header_next(h, n, "Sec-WebSocket-Protocol", NULL);
    const char *pos, *item, *extra;
    size_t item_len, extra_len, i;
    *proto = NULL;
    *proto_len = 0;
    if (!f)
        return WSX_OK;
    if (wsx_http_header_next(h, n, "Sec-WebSocket-Protocol", f))
        return WSX_E_HS_SUBPROTOCOL;
    pos = f->value;
    if (!wsx_http_list_next(&pos, f->value + f->value_len, &item, &item_len) ||
        wsx_http_list_next(&pos, f->value + f->value_len, &extra, &extra_len))
        return WSX_E_HS_SUBPROTOCOL;
    for (i = 0; i < hs->_num_subprotocols; i++) {
        const char *p = hs->_subprotocols[i];
        if (strlen(p) == item_len && memcmp(p, item, item_len) == 0) {
            *proto = item;
            *proto_len = item_len;
            return WSX_OK;
        }
    }
    return WSX_E_HS_SUBPROTOCOL;
}

/* 1 if the client's own extra headers offered extension name (extension
 * names compare case-insensitively, as tokens). */
static int extension_offered(const wsx_hs_client *hs, const char *name, size_t name_len)
{
    const wsx_http_header *f = NULL;
    while ((f = wsx_http_header_next(hs->_extra, hs->_num_extra, "Sec-WebSocket-Extensions",
                                     f)) != NULL) {
        const char *pos = f->value, *item, *offered;
        size_t item_len, offered_len;
        while (wsx_http_list_next(&pos, f->value + f->value_len, &item, &item_len)) {
            wsx__hs_ext_name(item, item_len, &offered, &offered_len);
            if (offered_len && wsx__http_eq_nocase(offered, offered_len, name, name_len))
                return 1;
        }
    }
    return 0;
}

/* Step 5: every accepted extension must have been offered. */
static int check_extensions(const wsx_hs_client *hs, const wsx_http_header *h, size_t n)
{
    const wsx_http_header *f = NULL;
    while ((f = wsx_http_header_next(h, n, "Sec-WebSocket-Extensions", f)) != NULL) {
        const char *pos = f->value, *item, *name;
        size_t item_len, name_len;
        while (wsx_http_list_next(&pos, f->value + f->value_len, &item, &item_len)) {
            wsx__hs_ext_name(item, item_len, &name, &name_len);
            if (!extension_offered(hs, name, name_len))
                return WSX_E_HS_EXTENSION;
        }
    }
    return WSX_OK;
}

int wsx_hs_client_check(const wsx_hs_client *hs, int status, const wsx_http_header *headers,
                        size_t num_headers, const char **subprotocol, size_t *subprotocol_len)
{
    const char *proto = NULL;
    size_t proto_len = 0;
    int r;
    if (subprotocol)
        *subprotocol = NULL;
    if (subprotocol_len)
        *subprotocol_len = 0;
    if (!hs || (!headers && num_headers))
        return WSX_E_ARG;
    if (status != 101)
        return WSX_E_HS_STATUS;
    if (!wsx_http_headers_have_token(headers, num_headers, "Upgrade", "websocket"))
        return WSX_E_HS_UPGRADE;
    if (!wsx_http_headers_have_token(headers, num_headers, "Connection", "upgrade"))
        return WSX_E_HS_CONNECTION;
    r = check_accept(hs, headers, num_headers);
    if (r == WSX_OK)
        r = check_subprotocol(hs, headers, num_headers, &proto, &proto_len);
    if (r == WSX_OK)
        r = check_extensions(hs, headers, num_headers);
    if (r < 0)
        return r;
    if (subprotocol)
        *subprotocol = proto;
    if (subprotocol_len)
        *subprotocol_len = proto_len;
    return WSX_OK;
}

int wsx_hs_client_check_response(const wsx_hs_client *hs, const wsx_http_response *res,
                                 const char **subprotocol, size_t *subprotocol_len)
{
    if (!res) {
        if (subprotocol)
            *subprotocol = NULL;
        if (subprotocol_len)
            *subprotocol_len = 0;
        return WSX_E_ARG;
    }
    return wsx_hs_client_check(hs, res->status, res->headers, res->num_headers, subprotocol,
                               subprotocol_len);
}
