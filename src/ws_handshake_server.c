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

/* The fields the checks read.  Fast profile: found in one pass over the
 * headers (the eight names have eight lengths: one compare per field);
 * small profile: looked up one name at a time. */
enum { F_HOST, F_UPGRADE, F_CONNECTION, F_VERSION, F_KEY, F_ORIGIN, F_EXTENSIONS, F_PROTOCOL, F_N };

typedef struct fields {
    const wsx_header *h;
    size_t n;
#ifndef WSX_SMALL
    const wsx_header *first[F_N];
    size_t count[F_N];
#endif
} fields;

static const unsigned char field_names[F_N] = {
    WSX__HS_HOST, WSX__HS_UPGRADE, WSX__HS_CONNECTION, WSX__HS_VERSION,
    WSX__HS_KEY,  WSX__HS_ORIGIN,  WSX__HS_EXTENSIONS, WSX__HS_PROTOCOL};

#ifdef WSX_SMALL
static void index_fields(fields *x, const wsx_header *h, size_t n)
{
    x->h = h;
    x->n = n;
}

/* 0, 1, or 2 for two or more fields of name f; *first the first (or NULL) */
static int find(const fields *x, unsigned f, const wsx_header **first)
{
    return wsx__hs_find(x->h, x->n, field_names[f], first);
}

/* The headers to look through for the fields of name f: all of them. */
static size_t range(const fields *x, unsigned f, const wsx_header **from)
{
    (void)f;
    *from = x->h;
    return x->n;
}
#else
static void index_fields(fields *x, const wsx_header *h, size_t n)
{
    /* field + 1 by name length: Host 4, Origin 6, Upgrade 7, Connection
     * 10, Sec-WebSocket-Key 17, -Version 21, -Protocol 22, -Extensions 24 */
    static const unsigned char by_len[25] = {0,
                                             0,
                                             0,
                                             0,
                                             F_HOST + 1,
                                             0,
                                             F_ORIGIN + 1,
                                             F_UPGRADE + 1,
                                             0,
                                             0,
                                             F_CONNECTION + 1,
                                             0,
                                             0,
                                             0,
                                             0,
                                             0,
                                             0,
                                             F_KEY + 1,
                                             0,
                                             0,
                                             0,
                                             F_VERSION + 1,
                                             F_PROTOCOL + 1,
                                             0,
                                             F_EXTENSIONS + 1};
    size_t i;
    memset(x, 0, sizeof *x);
    x->h = h;
    x->n = n;
    for (i = 0; i < n; i++) {
        size_t len = h[i].name_len;
        unsigned f = len < sizeof by_len ? by_len[len] : 0;
        if (!f-- || !h[i].name ||
            !wsx__http_eq_nocase(h[i].name, len, WSX__HS_TEXT(field_names[f]), len))
            continue;
        if (x->count[f]++ == 0)
            x->first[f] = h + i;
    }
}

static int find(const fields *x, unsigned f, const wsx_header **first)
{
    *first = x->first[f];
    return x->count[f] > 1 ? 2 : (int)x->count[f];
}

/* From the first field of name f: only it when it is the one, else the
 * rest of the headers. */
static size_t range(const fields *x, unsigned f, const wsx_header **from)
{
    if (!x->count[f])
        return 0;
    *from = x->first[f];
    return x->count[f] == 1 ? 1 : x->n - (size_t)(x->first[f] - x->h);
}
#endif

/* 1 if a field named f has the element want[0..want_len) (wsx__hs_has_item) */
static int has_item(const fields *x, unsigned f, const char *want, size_t want_len)
{
    const wsx_header *from = NULL;
    size_t n = range(x, f, &from);
    return n && wsx__hs_has_item(from, n, field_names[f], want, want_len);
}

static unsigned extension_offers(const fields *x)
{
    const wsx_header *from = NULL;
    size_t n = range(x, F_EXTENSIONS, &from);
    wsx__hs_items it = WSX__HS_ITEMS(from, n, WSX__HS_EXTENSIONS);
    const char *name;
    size_t len;
    unsigned bits = 0;
    while (n && wsx__hs_item_next(&it, &name, &len))
        bits |= wsx__pmd_is_name(name, len) ? WSX_HS_EXT_PERMESSAGE_DEFLATE : WSX_HS_EXT_OTHER;
    return bits;
}

/* The first of the server's subprotocols that the client offered. */
static void choose_subprotocol(const wsx_hs_server_config *cfg, const fields *x,
                               wsx_hs_request *info)
{
    size_t i, len;
    for (i = 0; i < cfg->num_subprotocols; i++) {
        const char *name = cfg->subprotocols[i];
        len = name ? strlen(name) : 0;
        if (has_item(x, F_PROTOCOL, name, len)) {
            info->subprotocol = name;
            info->subprotocol_len = len;
            info->subprotocol_index = (int)i;
            return;
        }
    }
}

/* The checks of section 4.2.1, in order. */
int wsx_hs_server_check(const wsx_hs_server_config *cfg, const char *method, size_t method_len,
                        int http_major, int http_minor, const wsx_header *headers,
                        size_t num_headers, wsx_hs_request *info)
{
    const wsx_header *f;
    fields x;
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
    index_fields(&x, headers, num_headers);
    if (find(&x, F_HOST, &f) != 1 || f->value_len == 0)
        return WSX_E_HS_HOST; /* RFC 9112 section 3.2: exactly one Host */
    info->host = f->value;
    info->host_len = f->value_len;
    if (!find(&x, F_UPGRADE, &f))
        return WSX_E_HS_NOT_UPGRADE;
#ifdef WSX_SMALL
    r = wsx__hs_check_upgrade(headers, num_headers); /* the client's code too */
    if (r < 0)
        return r;
#else
    /* token lists compare case-insensitively: "Upgrade" finds "upgrade" */
    if (!has_item(&x, F_UPGRADE, wsx__hs_str.websocket, sizeof wsx__hs_str.websocket - 1))
        return WSX_E_HS_UPGRADE;
    if (!has_item(&x, F_CONNECTION, wsx__hs_str.upgrade, sizeof wsx__hs_str.upgrade - 1))
        return WSX_E_HS_CONNECTION;
#endif
    if (find(&x, F_VERSION, &f) != 1 ||
        !wsx__http_eq_nocase(f->value, f->value_len, WSX__HS_TEXT(WSX__HS_13), 2))
        return WSX_E_HS_WS_VERSION;
    if (find(&x, F_KEY, &f) != 1 || !key_ok(f))
        return WSX_E_HS_KEY;
    info->key = f->value;
    if (find(&x, F_ORIGIN, &f) > 1)
        return WSX_E_HS_ORIGIN; /* RFC 6454 section 7.3: one Origin at most */
    if (f) {
        info->origin = f->value;
        info->origin_len = f->value_len;
    }
    info->extensions_offered = extension_offers(&x);
    if (!cfg) /* the default policy: any Origin, no subprotocol, no extension */
        return WSX_OK;
    r = check_origin(cfg, f);
    if (r < 0)
        return r;
    choose_subprotocol(cfg, &x, info);
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
#ifdef WSX_SMALL
    put_status_line(&o, 101);
    wsx__hs_put_upgrade(&o);
    wsx__hs_field(&o, WSX__HS_ACCEPT, accept, sizeof accept);
#else
    { /* the same bytes, written as one */
        static const char head[] = "HTTP/1.1 101 Switching Protocols\r\n"
                                   "Upgrade: websocket\r\n"
                                   "Connection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: ";
        wsx__wbuf_put(&o, head, sizeof head - 1);
        wsx__wbuf_put(&o, accept, sizeof accept);
        wsx__wbuf_put(&o, "\r\n", 2);
    }
#endif
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
