/* Client side of the WebSocket opening handshake (RFC 6455 section 4.1). */
#include <string.h>

#include "wsx_internal.h"
#include "ws_handshake_common.h"
#include "ws_pmd.h"
#include "http_chars.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* 1 if s is a non-empty string of characters of class cls (http_chars.h). */
static int string_of(const char *s, unsigned cls)
{
    return s && *s && wsx__http_all(s, strlen(s), cls);
}

/* 1 if a Sec-WebSocket-Extensions field of h[0..n) names permessage-deflate. */
static int has_deflate(const wsx_header *h, size_t n)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, WSX__HS_EXTENSIONS);
    const char *name;
    size_t len;
    while (wsx__hs_item_next(&it, &name, &len))
        if (wsx__pmd_is_name(name, len))
            return 1;
    return 0;
}

/* The fields of cfg the request writes before its extra headers (those
 * are checked as they are written: wsx__hs_end). */
static int check_client_config(const wsx_hs_client_config *cfg, const char *path)
{
    size_t i;
    if (!cfg->host || path[0] != '/' || !string_of(path, WSX__HC_TARGET) ||
        (cfg->num_subprotocols && !cfg->subprotocols))
        return WSX_E_ARG;
    for (i = 0; i < cfg->num_subprotocols; i++)
        if (!string_of(cfg->subprotocols[i], WSX__HC_TCHAR))
            return WSX_E_ARG;
    /* permessage-deflate is offered through cfg->deflate only: its answer
     * is checked and its terms reported */
    if (cfg->extra_headers && has_deflate(cfg->extra_headers, cfg->num_extra_headers))
        return WSX_E_ARG;
    if (!string_of(cfg->host, WSX__HC_TARGET) ||
        (cfg->origin &&
         (!*cfg->origin || !wsx__http_is_field_value(cfg->origin, strlen(cfg->origin)))))
        return WSX_E_HTTP_HEADER_VALUE;
    return WSX_OK;
}

int wsx_hs_client_request(wsx_hs_client *hs, const wsx_hs_client_config *cfg,
                          const uint8_t nonce[WSX_HS_NONCE_LEN], void *out, size_t cap,
                          size_t *out_len)
{
    const char *path;
    wsx__wbuf o;
    size_t i;
    int r;
    if (wsx__wbuf_start(&o, out, cap, out_len) || !hs || !cfg || !nonce)
        return WSX_E_ARG;
    path = cfg->path ? cfg->path : "/";
    r = check_client_config(cfg, path);
    if (r < 0)
        return r;
    wsx_base64_encode(nonce, WSX_HS_NONCE_LEN, hs->_key);
    hs->_subprotocols = cfg->subprotocols;
    hs->_num_subprotocols = cfg->num_subprotocols;
    hs->_extra = cfg->extra_headers;
    hs->_num_extra = cfg->num_extra_headers;
    hs->_deflate = cfg->deflate;
    wsx__wbuf_str(&o, "GET ");
    wsx__wbuf_str(&o, path);
    wsx__wbuf_str(&o, " HTTP/1.1\r\n");
    wsx__hs_field(&o, WSX__HS_HOST, cfg->host, strlen(cfg->host));
    wsx__hs_put_upgrade(&o);
    wsx__hs_field(&o, WSX__HS_KEY, hs->_key, WSX_HS_KEY_LEN);
    wsx__hs_field_text(&o, WSX__HS_VERSION, WSX__HS_13);
    if (cfg->origin)
        wsx__hs_field(&o, WSX__HS_ORIGIN, cfg->origin, strlen(cfg->origin));
    for (i = 0; i < cfg->num_subprotocols; i++) { /* one field, a list */
        if (i == 0)
            wsx__wbuf_str(&o, wsx__hs_str.protocol);
        wsx__wbuf_put(&o, i ? ", " : ": ", 2);
        wsx__wbuf_str(&o, cfg->subprotocols[i]);
    }
    if (cfg->num_subprotocols)
        wsx__wbuf_put(&o, "\r\n", 2);
    if (cfg->deflate.enable && cfg->deflate.enable->put_offer_field(&o, &cfg->deflate) < 0)
        return WSX_E_ARG;
    return wsx__hs_end(&o, cfg->extra_headers, cfg->num_extra_headers, WSX__HS_CLIENT_REFUSED,
                       out_len);
}

/* Step 6: at most one field, one element, one of those offered
 * (byte for byte). */
static int check_subprotocol(const wsx_hs_client *hs, const wsx_header *h, size_t n,
                             const char **proto, size_t *proto_len)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, WSX__HS_PROTOCOL);
    const wsx_header *f;
    const char *extra;
    size_t extra_len, i;
    int fields = wsx__hs_find(h, n, WSX__HS_PROTOCOL, &f);
    if (fields == 0)
        return WSX_OK;
    if (fields > 1 || !wsx__hs_item_next(&it, proto, proto_len) ||
        wsx__hs_item_next(&it, &extra, &extra_len))
        return WSX_E_HS_SUBPROTOCOL;
    for (i = 0; i < hs->_num_subprotocols; i++) {
        const char *p = hs->_subprotocols[i];
        if (strlen(p) == *proto_len && memcmp(p, *proto, *proto_len) == 0)
            return WSX_OK;
    }
    return WSX_E_HS_SUBPROTOCOL;
}

/* Step 5: every accepted extension must have been offered: permessage-deflate
 * through hs->_deflate (once, on terms that fit the offer), others in the
 * client's own extra headers. */
static int check_extensions(const wsx_hs_client *hs, const wsx_header *h, size_t n,
                            wsx_hs_response *got)
{
    wsx__hs_items it = WSX__HS_ITEMS(h, n, WSX__HS_EXTENSIONS);
    const char *name;
    size_t len;
    while (wsx__hs_item_next(&it, &name, &len)) {
        int r;
        if (!wsx__pmd_is_name(name, len)) {
            if (!wsx__hs_has_item(hs->_extra, hs->_num_extra, WSX__HS_EXTENSIONS, name, len))
                return WSX_E_HS_EXTENSION;
            continue;
        }
        if (!hs->_deflate.enable)
            return WSX_E_HS_EXTENSION;
        if (got->permessage_deflate)
            return WSX_E_HS_DEFLATE_PARAM; /* accepted twice */
        /* the whole element runs to it.pos, where the list moved on */
        r = hs->_deflate.enable->check_answer(&hs->_deflate, name, (size_t)(it.pos - name),
                                              &got->deflate);
        if (r < 0)
            return r;
        got->permessage_deflate = 1;
    }
    return WSX_OK;
}

/* Nothing agreed: no subprotocol, no compression. */
static void nothing_agreed(wsx_hs_response *got)
{
    memset(got, 0, sizeof *got);
    wsx__pmd_none(&got->deflate);
}

/* The checks of section 4.1 (steps 2 to 6) on a response, what was agreed
 * going to got (nothing_agreed() before). */
static int check_response(const wsx_hs_client *hs, int status, const wsx_header *headers,
                          size_t num_headers, wsx_hs_response *got)
{
    const wsx_header *f;
    char want[WSX_WS_ACCEPT_LEN];
    int r;
    if (!hs || (!headers && num_headers))
        return WSX_E_ARG;
    if (status != 101)
        return WSX_E_HS_STATUS;
    r = wsx__hs_check_upgrade(headers, num_headers);
    if (r < 0)
        return r;
    /* Step 4: Sec-WebSocket-Accept, exactly once, exact. */
    if (wsx__hs_find(headers, num_headers, WSX__HS_ACCEPT, &f) != 1 ||
        wsx_ws_accept(hs->_key, WSX_HS_KEY_LEN, want) != WSX_OK ||
        f->value_len != WSX_WS_ACCEPT_LEN || memcmp(f->value, want, sizeof want) != 0)
        return WSX_E_HS_ACCEPT;
    r = check_subprotocol(hs, headers, num_headers, &got->subprotocol, &got->subprotocol_len);
    return r < 0 ? r : check_extensions(hs, headers, num_headers, got);
}

int wsx_hs_client_check(const wsx_hs_client *hs, int status, const wsx_header *headers,
                        size_t num_headers, wsx_hs_response *info)
{
    wsx_hs_response local;
    /* cppcheck-suppress uninitvar ; a pointer to it, which nothing_agreed() fills */
    wsx_hs_response *got = info ? info : &local;
    int r;
    nothing_agreed(got);
    r = check_response(hs, status, headers, num_headers, got);
    if (r < 0)
        nothing_agreed(got);
    return r;
}

int wsx_hs_client_check_response(const wsx_hs_client *hs, const wsx_http_response *res,
                                 wsx_hs_response *info)
{
    if (!res) {
        if (info)
            nothing_agreed(info);
        return WSX_E_ARG;
    }
    return wsx_hs_client_check(hs, res->status, res->headers, res->num_headers, info);
}
