/*
 * CORS for event streams (Fetch standard, "CORS protocol"): who may read
 * a response from another origin, the answer to a preflight, and the
 * header lines of the actual response.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"
#include "wsx_http.h"

#include <string.h>

#include "sse_internal.h"
#include "http_chars.h"

static const char default_methods[] = "GET, POST";

/* What a request's Origin is answered with. */
typedef struct cors_verdict {
    const char *allow_origin; /* the Access-Control-Allow-Origin value, or NULL */
    size_t allow_origin_len;
    int credentials; /* with Access-Control-Allow-Credentials */
    int vary;        /* the answer depends on Origin */
} cors_verdict;

static const wsx_cors_config *config_or_default(const wsx_cors_config *cfg)
{
    static const wsx_cors_config none = {NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    return cfg ? cfg : &none;
}

/* origin is "http://" or "https://" followed by the Host value. */
static int same_origin(const char *o, size_t len, const wsx_header *host)
{
    size_t skip = 0;
    if (!host || !host->value)
        return 0;
    if (len > 7 && memcmp(o, "http://", 7) == 0)
        skip = 7;
    else if (len > 8 && memcmp(o, "https://", 8) == 0)
        skip = 8;
    return skip && len - skip == host->value_len && memcmp(o + skip, host->value, len - skip) == 0;
}

/* 1 if an entry of the list is s[0..len) (wildcard 0) or "*" (wildcard 1). */
static int listed(const wsx_cors_config *cfg, const char *s, size_t len, int wildcard)
{
    size_t i;
    for (i = 0; i < cfg->num_origins; i++) {
        const char *entry = cfg->origins ? cfg->origins[i] : NULL;
        if (entry && (wildcard ? strcmp(entry, "*") == 0
                               : strlen(entry) == len && memcmp(entry, s, len) == 0))
            return 1;
    }
    return 0;
}

/* The verdict for the request's Origin: WSX_OK (v filled) or
 * WSX_E_SSE_CORS_ORIGIN. */
static int decide(const wsx_cors_config *cfg, const wsx_header *h, size_t n, cors_verdict *v)
{
    const wsx_header *origin = wsx_http_header_next(h, n, "origin", NULL);
    int any = listed(cfg, NULL, 0, 1);
    const char *o;
    size_t len;
    memset(v, 0, sizeof *v);
    /* the answer depends on Origin when some other origin can be granted,
     * unless every one gets "*" */
    v->vary = (cfg->num_origins || cfg->allow_fn) && (!any || cfg->allow_credentials);
    if (!origin || !origin->value)
        return WSX_OK; /* not a browser's cross-origin request */
    o = origin->value;
    len = origin->value_len;
    if (same_origin(o, len, wsx_http_header_next(h, n, "host", NULL)))
        return WSX_OK;
    if (any && !cfg->allow_credentials) {
        v->allow_origin = "*";
        v->allow_origin_len = 1;
        return WSX_OK;
    }
    /* "*" with credentials echoes the origin, but not the opaque "null" */
    if (!listed(cfg, o, len, 0) && !(any && !(len == 4 && memcmp(o, "null", 4) == 0)) &&
        !(cfg->allow_fn && cfg->allow_fn(cfg->user, o, len)))
        return WSX_E_SSE_CORS_ORIGIN;
    v->allow_origin = o;
    v->allow_origin_len = len;
    v->credentials = cfg->allow_credentials != 0;
    return WSX_OK;
}

static void set_line(wsx_header *line, const char *name, const char *value, size_t value_len)
{
    line->name = name;
    line->name_len = strlen(name);
    line->value = value;
    line->value_len = value_len;
}

int wsx_cors_check(const wsx_cors_config *cfg, const wsx_header *headers, size_t n,
                   wsx_header *lines, size_t *num_lines)
{
    cors_verdict v;
    size_t k = 0;
    int r;
    if (!lines || !num_lines || (n && !headers))
        return WSX_E_ARG;
    r = decide(config_or_default(cfg), headers, n, &v);
    if (v.allow_origin)
        set_line(&lines[k++], "Access-Control-Allow-Origin", v.allow_origin, v.allow_origin_len);
    if (v.credentials)
        set_line(&lines[k++], "Access-Control-Allow-Credentials", "true", 4);
    if (v.vary)
        set_line(&lines[k++], "Vary", "Origin", 6);
    *num_lines = k;
    return r;
}

/* 1 if item[0..len) is an element of the list (case-insensitively when
 * nocase). */
static int in_list(const char *list, const char *item, size_t len, int nocase)
{
    const char *pos = list, *el;
    size_t el_len;
    while (list && wsx_http_list_next(&pos, list + strlen(list), &el, &el_len))
        if (nocase ? wsx__http_eq_nocase(el, el_len, item, len)
                   : el_len == len && memcmp(el, item, len) == 0)
            return 1;
    return 0;
}

/* 1 if every element of every Access-Control-Request-Headers line is in
 * allow (header names are case-insensitive). */
static int headers_allowed(const char *allow, const wsx_header *h, size_t n)
{
    const wsx_header *line = NULL;
    while ((line = wsx_http_header_next(h, n, "access-control-request-headers", line)) != NULL) {
        const char *pos = line->value, *el;
        size_t el_len;
        while (line->value && wsx_http_list_next(&pos, line->value + line->value_len, &el, &el_len))
            if (!in_list(allow, el, el_len, 1))
                return 0;
    }
    return 1;
}

/* The verdict on a preflight: WSX_OK or why it is refused. */
static int check_preflight(const wsx_cors_config *cfg, const char *methods,
                           const wsx_header *method, const wsx_header *h, size_t n, cors_verdict *v)
{
    int r = decide(cfg, h, n, v);
    if (r)
        return r;
    if (!method->value || !in_list(methods, method->value, method->value_len, 0))
        return WSX_E_SSE_CORS_METHOD; /* methods are case-sensitive */
    if (!headers_allowed(cfg->allow_headers, h, n))
        return WSX_E_SSE_CORS_HEADERS;
    return WSX_OK;
}

static void put_granted(wsx__wbuf *w, const wsx_cors_config *cfg, const char *methods,
                        const cors_verdict *v)
{
    wsx__wbuf_str(w, "HTTP/1.1 204 No Content\r\n");
    /* a preflight from the server's own origin (a browser does not send
     * one, but a script may ask) is answered as one from anywhere else */
    if (v->allow_origin)
        wsx__wbuf_field(w, "Access-Control-Allow-Origin", 27, v->allow_origin, v->allow_origin_len);
    if (v->credentials)
        wsx__wbuf_str(w, "Access-Control-Allow-Credentials: true\r\n");
    wsx__wbuf_field(w, "Access-Control-Allow-Methods", 28, methods, strlen(methods));
    if (cfg->allow_headers)
        wsx__wbuf_field(w, "Access-Control-Allow-Headers", 28, cfg->allow_headers,
                        strlen(cfg->allow_headers));
    wsx__wbuf_str(w, "Access-Control-Max-Age: ");
    wsx__wbuf_u64(w, cfg->max_age_s ? cfg->max_age_s : WSX_CORS_MAX_AGE_DEFAULT);
    wsx__wbuf_put(w, "\r\n", 2);
}

int wsx_cors_preflight(const wsx_cors_config *cfg, const wsx_header *headers, size_t n, void *out,
                       size_t cap, size_t *out_len)
{
    static const char vary[] =
        "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n";
    const wsx_header *method;
    const char *methods;
    cors_verdict v;
    wsx__wbuf w;
    int r, wr;
    if (wsx__wbuf_start(&w, out, cap, out_len) || (n && !headers))
        return WSX_E_ARG;
    cfg = config_or_default(cfg);
    methods = cfg->allow_methods ? cfg->allow_methods : default_methods;
    if (!wsx__http_is_field_value(methods, strlen(methods)) ||
        (cfg->allow_headers &&
         !wsx__http_is_field_value(cfg->allow_headers, strlen(cfg->allow_headers))))
        return WSX_E_HTTP_HEADER_VALUE;
    method = wsx_http_header_next(headers, n, "access-control-request-method", NULL);
    if (!method || !wsx_http_header_next(headers, n, "origin", NULL)) {
        /* a plain OPTIONS: what the resource allows (RFC 9110 section 9.3.7) */
        wsx__wbuf_str(&w, "HTTP/1.1 204 No Content\r\nAllow: OPTIONS, ");
        wsx__wbuf_str(&w, methods);
        wsx__wbuf_put(&w, "\r\n\r\n", 4);
        return wsx__wbuf_done(&w, out_len);
    }
    r = check_preflight(cfg, methods, method, headers, n, &v);
    if (r) {
        wsx__wbuf_str(&w, "HTTP/1.1 403 Forbidden\r\n");
        wsx__wbuf_str(&w, vary);
        wsx__sse_put_text_body(&w, wsx_strerror(r));
    } else {
        put_granted(&w, cfg, methods, &v);
        wsx__wbuf_str(&w, vary);
        wsx__wbuf_put(&w, "\r\n", 2);
    }
    wr = wsx__wbuf_done(&w, out_len);
    return wr || !out ? wr : r;
}
