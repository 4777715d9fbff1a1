/* Server side of the WebSocket opening handshake (RFC 6455 section 4.2). */
#include <string.h>

#include "ws_handshake_common.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* Exactly one field named name: its header, else NULL (none or several). */
static const wsx_http_header *single(const wsx_http_header *h, size_t n, const char *name)
{
    const wsx_http_header *first = wsx_http_header_next(h, n, name, NULL);
    if (!first || wsx_http_header_next(h, n, name, first))
        return NULL;
    return first;
}

/* Sec-WebSocket-Key: base64 of exactly 16 bytes (section 4.2.1 item 5). */
static int check_key(const wsx_http_header *key)
{
    uint8_t raw[18];
    size_t raw_len = 0;
    if (!key || key->value_len != WSX_HS_KEY_LEN ||
        wsx_base64_decode(key->value, key->value_len, raw, sizeof raw, &raw_len) != WSX_OK ||
        raw_len != WSX_HS_NONCE_LEN)
        return WSX_E_HS_KEY;
    return WSX_OK;
}

static int ascii_eq_nocase(const char *a, size_t alen, const char *b)
{
    return wsx_http_name_eq(a, alen, b); /* same rule: ASCII case-insensitive */
}

static int check_origin(const wsx_hs_server_config *cfg, const wsx_http_header *h,
                        size_t n, wsx_hs_request *info)
{
    const wsx_http_header *origin = wsx_http_header_next(h, n, "Origin", NULL);
    size_t i;
    info->origin = NULL;
    info->origin_len = 0;
    if (origin && wsx_http_header_next(h, n, "Origin", origin))
        return WSX_E_HS_ORIGIN; /* RFC 6454 section 7.3: one Origin at most */
    if (origin) {
        info->origin = origin->value;
        info->origin_len = origin->value_len;
    }
    if (cfg->num_origins == 0 && !cfg->origin_check)
        return WSX_OK;
    if (!origin)
        return cfg->origin_required ? WSX_E_HS_ORIGIN : WSX_OK;
    for (i = 0; i < cfg->num_origins; i++)
        if (cfg->origins[i] && ascii_eq_nocase(origin->value, origin->value_len, cfg->origins[i]))
            return WSX_OK;
    if (cfg->origin_check &&
        cfg->origin_check(cfg->origin_user, origin->value, origin->value_len))
        return WSX_OK;
    return WSX_E_HS_ORIGIN;
}

/* 1 if the client offered name (case-sensitive) in any Sec-WebSocket-Protocol. */
static int protocol_offered(const wsx_http_header *h, size_t n, const char *name)
{
    const wsx_http_header *f = NULL;
    size_t want = strlen(name);
    while ((f = wsx_http_header_next(h, n, "Sec-WebSocket-Protocol", f)) != NULL) {
        const char *pos = f->value, *item;
        size_t item_len;
        while (wsx_http_list_next(&pos, f->value + f->value_len, &item, &item_len))
            if (item_len == want && memcmp(item, name, want) == 0)
                return 1;
    }
    return 0;
}

static void choose_subprotocol(const wsx_hs_server_config *cfg, const wsx_http_header *h,
                               size_t n, wsx_hs_request *info)
{
    size_t i;
    info->subprotocol = NULL;
    info->subprotocol_len = 0;
    info->subprotocol_index = -1;
    for (i = 0; i < cfg->num_subprotocols; i++) {
        const char *name = cfg->subprotocols[i];
        if (name && *name && protocol_offered(h, n, name)) {
            info->subprotocol = name;
            info->subprotocol_len = strlen(name);
            info->subprotocol_index = (int)i;
            return;
        }
    }
}

static unsigned extension_offers(const wsx_http_header *h, size_t n)
{
    const wsx_http_header *f = NULL;
    unsigned bits = 0;
    while ((f = wsx_http_header_next(h, n, "Sec-WebSocket-Extensions", f)) != NULL) {
        const char *pos = f->value, *item, *name;
        size_t item_len, name_len;
        while (wsx_http_list_next(&pos, f->value + f->value_len, &item, &item_len)) {
            wsx__hs_ext_name(item, item_len, &name, &name_len);
            bits |= wsx_http_name_eq(name, name_len, "permessage-deflate")
                        ? WSX_HS_EXT_PERMESSAGE_DEFLATE : WSX_HS_EXT_OTHER;
        }
    }
    return bits;
}

/* The checks of section 4.2.1 that need no configuration, in order. */
static int check_upgrade_fields(const wsx_http_header *h, size_t n, wsx_hs_request *info)
{
    const wsx_http_header *host = single(h, n, "Host");
    const wsx_http_header *version, *key;
    if (!host || host->value_len == 0)
        return WSX_E_HS_HOST; /* RFC 9112 section 3.2: exactly one Host */
    info->host = host->value;
    info->host_len = host->value_len;
    if (!wsx_http_header_next(h, n, "Upgrade", NULL))
        return WSX_E_HS_NOT_UPGRADE;
    if (!wsx_http_headers_have_token(h, n, "Upgrade", "websocket"))
        return WSX_E_HS_UPGRADE;
    if (!wsx_http_headers_have_token(h, n, "Connection", "upgrade"))
        return WSX_E_HS_CONNECTION;
    version = single(h, n, "Sec-WebSocket-Version");
    if (!version || version->value_len != 2 || memcmp(version->value, "13", 2) != 0)
        return WSX_E_HS_WS_VERSION;
    key = single(h, n, "Sec-WebSocket-Key");
    if (check_key(key) < 0)
        return WSX_E_HS_KEY;
    info->key = key->value;
    return WSX_OK;
}

int wsx_hs_server_check(const wsx_hs_server_config *cfg, const char *method,
                        size_t method_len, int http_major, int http_minor,
                        const wsx_http_header *headers, size_t num_headers,
                        wsx_hs_request *info)
{
    int r;
    if (!cfg || !method || !info || (!headers && num_headers))
        return WSX_E_ARG;
    memset(info, 0, sizeof *info);
    info->subprotocol_index = -1;
    if (method_len != 3 || memcmp(method, "GET", 3) != 0)
        return WSX_E_HS_METHOD; /* methods are case-sensitive (RFC 9110 9.1) */
    if (http_major < 1 || (http_major == 1 && http_minor < 1))
        return WSX_E_HS_HTTP_VERSION;
    r = check_upgrade_fields(headers, num_headers, info);
    if (r < 0)
        return r;
    r = check_origin(cfg, headers, num_headers, info);
    if (r < 0)
        return r;
    choose_subprotocol(cfg, headers, num_headers, info);
    info->extensions_offered = extension_offers(headers, num_headers);
    return WSX_OK;
}

/* Fields wsx writes in a 101 itself. */
static const char *const server_refused[] = {
    "Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions", "Sec-WebSocket-Version", "Content-Length",
    "Transfer-Encoding", NULL};

int wsx_hs_server_accept(const wsx_hs_server_config *cfg, const wsx_hs_request *info,
                         char *out, size_t cap, size_t *out_len)
{
    char accept[WSX_WS_ACCEPT_LEN];
    wsx__wbuf o;
    if (out_len)
        *out_len = 0;
    if (!cfg || !info || !info->key || !out_len ||
        wsx__hs_check_extra(cfg->extra_headers, cfg->num_extra_headers, server_refused) < 0 ||
        (info->subprotocol &&
         !wsx__hs_is_token(info->subprotocol, info->subprotocol_len)) ||
        wsx_ws_accept(info->key, WSX_HS_KEY_LEN, accept) != WSX_OK)
        return WSX_E_ARG;
    wsx__wbuf_init(&o, out, cap);
    wsx__wbuf_str(&o, "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n");
    wsx__wbuf_field(&o, WSX__LIT("Sec-WebSocket-Accept"), accept, sizeof accept);
    if (info->subprotocol)
        wsx__wbuf_field(&o, WSX__LIT("Sec-WebSocket-Protocol"), info->subprotocol,
                        info->subprotocol_len);
    wsx__hs_put_extra(&o, cfg->extra_headers, cfg->num_extra_headers);
    wsx__wbuf_put(&o, "\r\n", 2);
    return wsx__hs_out_done(&o, out_len);
}

static const char *status_reason(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

int wsx_hs_server_refusal(int err, char *out, size_t cap, size_t *out_len)
{
    int status = wsx_err_http_status(err);
    const char *reason = wsx_strerror(err);
    wsx__wbuf o;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (status < 400)
        status = 500; /* WSX_OK or a non-refusal: not a client error */
    wsx__wbuf_init(&o, out, cap);
    wsx__wbuf_str(&o, "HTTP/1.1 ");
    wsx__wbuf_u64(&o, (uint64_t)status);
    wsx__wbuf_put(&o, " ", 1);
    wsx__wbuf_str(&o, status_reason(status));
    wsx__wbuf_put(&o, "\r\n", 2);
    if (status == 405)
        wsx__wbuf_str(&o, "Allow: GET\r\n");
    if (status == 426)
        wsx__wbuf_str(&o, "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade, close\r\n");
    else
        wsx__wbuf_str(&o, "Connection: close\r\n");
    wsx__wbuf_str(&o, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    wsx__wbuf_u64(&o, (uint64_t)strlen(reason) + 1);
    wsx__wbuf_put(&o, "\r\n\r\n", 4);
    wsx__wbuf_str(&o, reason);
    wsx__wbuf_put(&o, "\n", 1);
    return wsx__hs_out_done(&o, out_len);
}

int wsx_hs_server_answer(const wsx_hs_server_config *cfg, const char *method,
                         size_t method_len, int http_major, int http_minor,
                         const wsx_http_header *headers, size_t num_headers,
                         wsx_hs_request *info, char *out, size_t cap, size_t *out_len)
{
    wsx_hs_request local;
    int r, w;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (!info)
        info = &local;
    r = wsx_hs_server_check(cfg, method, method_len, http_major, http_minor, headers,
                            num_headers, info);
    if (r == WSX_E_ARG)
        return r;
    w = r == WSX_OK ? wsx_hs_server_accept(cfg, info, out, cap, out_len)
                    : wsx_hs_server_refusal(r, out, cap, out_len);
    return w < 0 ? w : r;
}

int wsx_hs_server_answer_request(const wsx_hs_server_config *cfg, const wsx_http_request *req,
                                 wsx_hs_request *info, char *out, size_t cap, size_t *out_len)
{
    if (!req) {
        if (out_len)
            *out_len = 0;
        return WSX_E_ARG;
    }
    return wsx_hs_server_answer(cfg, req->method, req->method_len, 1, req->minor_version,
                                req->headers, req->num_headers, info, out, cap, out_len);
}
