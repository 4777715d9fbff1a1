/* Server side of the WebSocket opening handshake (RFC 6455 section 4.2). */
#include <string.h>

#include "wsx_internal.h"
#include "ws_handshake_common.h"
#include "ws_pmd.h"
#include "http_chars.h"
#include "http_status.h"
#include "wsx_ws.h"

/* Sec-WebSocket-Key: the base64 of exactly 16 bytes (section 4.2.1 item 5),
 * that is 21 characters of the alphabet (RFC 4648 section 4), a 22nd whose
 * 4 bits under the padding are zero (A, Q, g or w), and "==". */
static int key_ok(const wsx_header *key)
{
    const char *k = key->value;
    size_t i;
    if (key->value_len != WSX_HS_KEY_LEN || k[22] != '=' || k[23] != '=' ||
        !memchr("AQgw", k[21], 4))
        return 0;
    for (i = 0; i < 21; i++) {
        unsigned c = (unsigned char)k[i], letter = (c | 0x20) - 'a';
        if (letter > 'z' - 'a' && c - '0' > 9 && c != '+' && c != '/')
            return 0;
    }
    return 1;
}

/* The Origin policy of cfg for the request's Origin (NULL when absent). */
WSX__SMALL_NOINLINE static int check_origin(const wsx_hs_server_config *cfg,
                                            const wsx_header *origin)
{
    size_t i;
    if (cfg->num_origins == 0 && !cfg->origin_check)
        return WSX_OK;
    if (!origin)
        return cfg->origin_required ? WSX_E_HS_ORIGIN : WSX_OK;
    for (i = 0; i < cfg->num_origins; i++) /* ASCII case-insensitive, as names */
        if (wsx_http_name_eq(origin->value, origin->value_len, cfg->origins[i]))
            return WSX_OK;
    if (cfg->origin_check && cfg->origin_check(cfg->origin_user, origin->value, origin->value_len))
        return WSX_OK;
    return WSX_E_HS_ORIGIN;
}

/* The first of the server's subprotocols that the client offered. */
static void choose_subprotocol(const wsx_hs_server_config *cfg, const wsx_header *h, size_t n,
                               wsx_hs_request *info)
{
    size_t i, len;
    for (i = 0; i < cfg->num_subprotocols; i++) {
        const char *name = cfg->subprotocols[i];
        len = name ? strlen(name) : 0;
        if (wsx__hs_has_item(h, n, WSX__HS_PROTOCOL, name, len)) {
            info->subprotocol = name;
            info->subprotocol_len = len;
            info->subprotocol_index = (int)i;
            return;
        }
    }
}

static unsigned extension_offers(const wsx_header *h, size_t n)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, WSX__HS_EXTENSIONS);
    const char *name;
    size_t len;
    unsigned bits = 0;
    while (wsx__hs_item_next(&it, &name, &len))
        bits |= wsx__pmd_is_name(name, len) ? WSX_HS_EXT_PERMESSAGE_DEFLATE : WSX_HS_EXT_OTHER;
    return bits;
}

/* The checks of section 4.2.1, in order. */
int wsx_hs_server_check(const wsx_hs_server_config *cfg, const char *method, size_t method_len,
                        int http_major, int http_minor, const wsx_header *headers,
                        size_t num_headers, wsx_hs_request *info)
{
    const wsx_header *f;
    int r;
    if (!method || !info || (!headers && num_headers))
        return WSX_E_ARG;
    memset(info, 0, sizeof *info);
    info->deflate.server_max_window_bits = 15; /* no compression: 15, 15, 0, 0 */
    info->deflate.client_max_window_bits = 15;
    info->subprotocol_index = -1;
    if (method_len != 3 || memcmp(method, "GET", 3) != 0)
        return WSX_E_HS_METHOD; /* methods are case-sensitive (RFC 9110 9.1) */
    if (http_major < 1 || (http_major == 1 && http_minor < 1))
        return WSX_E_HS_HTTP_VERSION;
    if (wsx__hs_find(headers, num_headers, WSX__HS_HOST, &f) != 1 || f->value_len == 0)
        return WSX_E_HS_HOST; /* RFC 9112 section 3.2: exactly one Host */
    info->host = f->value;
    info->host_len = f->value_len;
    if (!wsx__hs_find(headers, num_headers, WSX__HS_UPGRADE, &f))
        return WSX_E_HS_NOT_UPGRADE;
    r = wsx__hs_check_upgrade(headers, num_headers);
    if (r < 0)
        return r;
    if (wsx__hs_find(headers, num_headers, WSX__HS_VERSION, &f) != 1 ||
        !wsx__http_eq_nocase(f->value, f->value_len, WSX__HS_TEXT(WSX__HS_13), 2))
        return WSX_E_HS_WS_VERSION;
    if (wsx__hs_find(headers, num_headers, WSX__HS_KEY, &f) != 1 || !key_ok(f))
        return WSX_E_HS_KEY;
    info->key = f->value;
    if (wsx__hs_find(headers, num_headers, WSX__HS_ORIGIN, &f) > 1)
        return WSX_E_HS_ORIGIN; /* RFC 6454 section 7.3: one Origin at most */
    if (f) {
        info->origin = f->value;
        info->origin_len = f->value_len;
    }
    info->extensions_offered = extension_offers(headers, num_headers);
    if (!cfg) /* the default policy: any Origin, no subprotocol, no extension */
        return WSX_OK;
    r = check_origin(cfg, f);
    if (r < 0)
        return r;
    choose_subprotocol(cfg, headers, num_headers, info);
    /* the deflate code is reached through the pointer alone */
    return cfg->deflate.enable
               ? cfg->deflate.enable->negotiate(&cfg->deflate, headers, num_headers, info)
               : WSX_OK;
}

/* The reason phrases wsx writes (RFC 9110 section 15), in the order of
 * wsx__http_statuses; the last one stands for any other code. */
static const char status_reasons[] = "Switching Protocols\0"
                                     "Bad Request\0"
                                     "Forbidden\0"
                                     "Method Not Allowed\0"
                                     "Content Too Large\0"
                                     "URI Too Long\0"
                                     "Upgrade Required\0"
                                     "Request Header Fields Too Large\0"
                                     "HTTP Version Not Supported\0"
                                     "Internal Server Error";

/* "HTTP/1.1 <status> <reason>\r\n" */
static void put_status_line(wsx__wbuf *o, int status)
{
    const char *reason = status_reasons;
    size_t i;
    for (i = 0; i < WSX__HTTP_STATUSES && wsx__http_statuses[i] != status; i++)
        reason += strlen(reason) + 1;
    wsx__wbuf_str(o, "HTTP/1.1 ");
    wsx__wbuf_u64(o, (uint64_t)status);
    wsx__wbuf_put(o, " ", 1);
    wsx__wbuf_str(o, reason);
    wsx__wbuf_put(o, "\r\n", 2);
}

int wsx_hs_server_accept(const wsx_hs_server_config *cfg, const wsx_hs_request *info, void *out,
                         size_t cap, size_t *out_len)
{
    char accept[WSX_WS_ACCEPT_LEN];
    const wsx_header *extra = cfg ? cfg->extra_headers : NULL;
    size_t num_extra = cfg ? cfg->num_extra_headers : 0;
    wsx__wbuf o;
    if (wsx__wbuf_start(&o, out, cap, out_len) || !info || !info->key ||
        (info->subprotocol && !wsx__http_is_token(info->subprotocol, info->subprotocol_len)) ||
        wsx_ws_accept(info->key, WSX_HS_KEY_LEN, accept) != WSX_OK)
        return WSX_E_ARG;
    put_status_line(&o, 101);
    wsx__hs_put_upgrade(&o);
    wsx__hs_field(&o, WSX__HS_ACCEPT, accept, sizeof accept);
    if (info->subprotocol)
        wsx__hs_field(&o, WSX__HS_PROTOCOL, info->subprotocol, info->subprotocol_len);
    if (info->permessage_deflate) {
        const wsx_hs_pmd_server_code *code = cfg ? cfg->deflate.enable : NULL;
        if (!code || code->put_answer_field(&o, info) < 0)
            return WSX_E_ARG;
    }
    return wsx__hs_end(&o, extra, num_extra, WSX__HS_SERVER_REFUSED, out_len);
}

int wsx_hs_server_refusal(int err, void *out, size_t cap, size_t *out_len)
{
    static const char upgrade_close[] = "Upgrade, close";
    int status = wsx_err_http_status(err);
    const char *reason = wsx_strerror(err), *connection = upgrade_close + 9; /* "close" */
    wsx__wbuf o;
    if (wsx__wbuf_start(&o, out, cap, out_len))
        return WSX_E_ARG;
    if (status < 400)
        status = 500; /* WSX_OK or a non-refusal: not a client error */
    put_status_line(&o, status);
    if (status == 405)
        wsx__wbuf_str(&o, "Allow: GET\r\n");
    if (status == 426) { /* RFC 9110 section 15.5.22 */
        wsx__hs_field_text(&o, WSX__HS_VERSION, WSX__HS_13);
        wsx__hs_field_text(&o, WSX__HS_UPGRADE, WSX__HS_WEBSOCKET);
        connection = upgrade_close;
    }
    wsx__hs_field(&o, WSX__HS_CONNECTION, connection, strlen(connection));
    wsx__wbuf_str(&o, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    wsx__wbuf_u64(&o, (uint64_t)strlen(reason) + 1);
    wsx__wbuf_put(&o, "\r\n\r\n", 4);
    wsx__wbuf_str(&o, reason);
    wsx__wbuf_put(&o, "\n", 1);
    return wsx__wbuf_done(&o, out_len);
}

int wsx_hs_server_answer(const wsx_hs_server_config *cfg, const char *method, size_t method_len,
                         int http_major, int http_minor, const wsx_header *headers,
                         size_t num_headers, wsx_hs_request *info, void *out, size_t cap,
                         size_t *out_len)
{
    wsx_hs_request local;
    int r, w;
    if (!out_len)
        return WSX_E_ARG;
    *out_len = 0;
    if (!info)
        info = &local;
    r = wsx_hs_server_check(cfg, method, method_len, http_major, http_minor, headers, num_headers,
                            info);
    if (r == WSX_E_ARG)
        return r;
    w = r == WSX_OK ? wsx_hs_server_accept(cfg, info, out, cap, out_len)
                    : wsx_hs_server_refusal(r, out, cap, out_len);
    return w < 0 ? w : r;
}

int wsx_hs_server_answer_request(const wsx_hs_server_config *cfg, const wsx_http_request *req,
                                 wsx_hs_request *info, void *out, size_t cap, size_t *out_len)
{
    if (!req) {
        if (out_len)
            *out_len = 0;
        return WSX_E_ARG;
    }
    return wsx_hs_server_answer(cfg, req->method, req->method_len, 1, req->minor_version,
                                req->headers, req->num_headers, info, out, cap, out_len);
}
