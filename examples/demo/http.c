/*
 * http.c — the demo's HTTP side: requests, routing, plain responses and
 * the page's static files.
 *
 *   - Keep-alive for HTTP/1.1 (one request at a time; pipelined bytes wait
 *     in the input buffer).  Both event streams use chunked encoding for
 *     HTTP/1.1 (the end of a token stream is a clean end of body, the
 *     connection is reused) and a body delimited by the close for HTTP/1.0.
 *   - Refusals: 400 (bad head or JSON; an HTTP/1.1 request without
 *     exactly one Host, or any with more than one: RFC 9112 section 3.2),
 *     404, 405 (+ Allow), 411 (POST
 *     without Content-Length), 413 (body > 8 KiB), 414 (target > 4 KiB),
 *     431/505 from the head parser, 501 (Transfer-Encoding in a request).
 *     When the request's framing is in doubt (bad head, 411, 413, 414,
 *     431, 501, 505) the answer is followed by a lingering close; 404, 405
 *     and a bad JSON body keep the connection.  "Expect: 100-continue" is
 *     answered.
 *   - A request head (and body) must be complete within --idle-ms (default
 *     10000) of the connection's start or of the previous response.
 */
#include "demo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- plain responses ---------------------------------------------------------- */

/* A complete response: head into out, body either copied into out (small)
 * or, when owned_body is set, taken over (freed once written).  HEAD
 * requests pass head_only. */
void respond(client *c, int status, const char *ctype, const char *extra, const char *body,
             size_t body_len, char *owned_body, int head_only)
{
    char head[512];
    int n;
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
                 "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n%s%s\r\n",
                 status, http_reason(status), ctype, (unsigned long)body_len, extra ? extra : "",
                 c->keep_alive ? "" : "Connection: close\r\n");
    if (n < 0 || (size_t)n >= sizeof head || out_append(c, head, (size_t)n) != 0) {
        free(owned_body);
        c->close_after = 1;
        return;
    }
    if (owned_body && !head_only) {
        c->body = owned_body;
        c->body_off = 0;
        c->body_len = body_len;
    } else {
        free(owned_body);
        if (!head_only && body_len > 0 && out_append(c, body, body_len) != 0)
            c->close_after = 1;
    }
    if (!c->keep_alive)
        c->close_after = 1;
}

void respond_text(client *c, int status, const char *extra, const char *text)
{
    respond(c, status, "text/plain; charset=utf-8", extra, text, strlen(text), NULL, 0);
}

void respond_json(client *c, int status, const char *json, size_t len)
{
    respond(c, status, "application/json", NULL, json, len, NULL, 0);
}

/* Answers a head the parser refused (400, 414, 431, 505), then lingers. */
static void refuse_head(client *c, int err)
{
    char msg[160];
    int status = wsx_err_http_status(err);
    snprintf(msg, sizeof msg, "%s\n", wsx_strerror(err));
    c->keep_alive = 0;
    respond_text(c, status ? status : 400, NULL, msg);
    logmsg("refused a request: %s (HTTP %d)", wsx_strerror(err), status);
}

/* The memory of a stream's compressor: 1024 symbols a block beyond the
 * minimum's 256 (events are short, each one ends its block). */
static size_t gzip_mem_size(const options *o)
{
    return WSX_DEFLATE_MEM_MIN(o->gzip_window_bits) + 3 * 1024;
}

/* Whether c's stream is gzip'd: the server may, the request accepts it,
 * and the compressor is ready (allocated once per connection). */
static int stream_gzip(client *c, const wsx_http_request *req)
{
    const options *o = &c->srv->opt;
    wsx_deflater_config dc;
    if (!o->gzip || !wsx_http_accepts_gzip(req->headers, req->num_headers))
        return 0;
    if (!c->gz && !(c->gz = (wsx_gzip_writer *)malloc(sizeof *c->gz + gzip_mem_size(o))))
        return 0; /* out of memory: identity */
    dc.window_bits = o->gzip_window_bits;
    dc.level = o->gzip_level;
    return wsx_gzip_writer_init(c->gz, &dc, c->gz + 1, gzip_mem_size(o)) == WSX_OK;
}

/* The head of an event stream (POST /api/chat, GET /events). */
void write_stream_head(client *c, const wsx_http_request *req)
{
    uint8_t head[512];
    wsx_sse_head_config cfg;
    wsx_header cors[WSX_CORS_MAX_HEADERS];
    size_t n;
    memset(&cfg, 0, sizeof cfg);
    c->chunked = req->minor_version >= 1;
    cfg.chunked = c->chunked;
    cfg.connection_close = !c->chunked; /* HTTP/1.0: the stream ends at close */
    cfg.charset = 1;
    cfg.vary_accept_encoding = c->srv->opt.gzip;
    access_cors_lines(&c->srv->opt.access, req, cors, &cfg.num_headers); /* allowed */
    cfg.headers = cors;
    c->gzip = cfg.gzip = stream_gzip(c, req);
    if (wsx_sse_response_head(&cfg, head, sizeof head, &n) == WSX_OK)
        out_append(c, head, n);
    if (!c->chunked)
        c->keep_alive = 0;
}

/* ---- JSON bodies ----------------------------------------------------------------- */

int buf_put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (cap - *len < n)
        return -1;
    memcpy(buf + *len, s, n);
    *len += n;
    return 0;
}

int buf_put_escaped(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    long k = json_escape(s, n, buf + *len, cap - *len);
    if (k < 0)
        return -1;
    *len += (size_t)k;
    return 0;
}

/* Parses a POST body that must be one JSON object with a single string
 * member named key; unescapes it into out.  Returns its length or -1. */
long body_string(const char *body, size_t len, const char *key, char *out, size_t cap)
{
    json_member m[4];
    const json_member *v;
    int n;
    if (!wsx_utf8_valid(body, len))
        return -1;
    n = json_object(body, len, m, 4);
    if (n < 0 || !(v = json_find(m, (size_t)n, key)) || v->is_array)
        return -1;
    return json_unescape(v->raw, v->raw_len, out, cap);
}

/* ---- static files ------------------------------------------------------------------ */

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    size_t i;
    for (i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* A safe relative path: segments of [A-Za-z0-9._-], none starting with a
 * dot (no "..", no hidden files), no empty segment. */
static int path_ok(const char *p, size_t len)
{
    size_t i;
    int seg_start = 1;
    if (len == 0 || len > 200)
        return 0;
    for (i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '/') {
            if (seg_start)
                return 0;
            seg_start = 1;
            continue;
        }
        if (seg_start && ch == '.')
            return 0;
        seg_start = 0;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return !seg_start;
}

/* The whole file at fd (size bytes) in one allocation, or NULL. */
static char *read_file(int fd, size_t size)
{
    char *data = (char *)malloc(size > 0 ? size : 1);
    size_t got = 0;
    while (data && got < size) {
        ssize_t k = read(fd, data + got, size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    if (data && got != size) {
        free(data);
        return NULL;
    }
    return data;
}

static void serve_static(client *c, const char *path, size_t len, int head_only)
{
    server *s = c->srv;
    char file[PATH_MAX + 256];
    struct stat st;
    char *data;
    int fd;
    if (len == 1) { /* "/" */
        path = "/index.html";
        len = 11;
    }
    if (!path_ok(path + 1, len - 1)) {
        respond_text(c, 404, NULL, "not found\n");
        return;
    }
    if (snprintf(file, sizeof file, "%s/%.*s", s->root, (int)(len - 1), path + 1) >=
        (int)sizeof file)
        fd = -1;
    else
        fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
        if (fd >= 0)
            close(fd);
        respond_text(c, 404, NULL, "not found\n");
        return;
    }
    data = read_file(fd, (size_t)st.st_size);
    close(fd);
    if (!data) {
        respond_text(c, 500, NULL, "cannot read the file\n");
        return;
    }
    respond(c, 200, content_type(file), NULL, data, (size_t)st.st_size, data, head_only);
}

/* ---- routing ------------------------------------------------------------------------ */

/* POST /api/debug/drop-feeds (--test-hooks). */
static void drop_feeds(client *c, int post)
{
    char ans[48];
    int n;
    if (!post) {
        respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
        return;
    }
    n = snprintf(ans, sizeof ans, "{\"dropped\":%d}", feed_drop_all(c->srv));
    respond_json(c, 200, ans, (size_t)n);
}

static void health(client *c);

/* POST /api/debug/feed-burst?n=N (--test-hooks): N feed events at once
 * (through the stream in cluster mode), 1 <= N <= 100000. */
static void feed_burst(client *c, const wsx_http_request *req, int post)
{
    const char *q = memchr(req->target, '?', req->target_len);
    uint64_t n = 0;
    if (!post) {
        respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
        return;
    }
    if (!q || (size_t)(req->target + req->target_len - q) < 4 || memcmp(q, "?n=", 3) != 0 ||
        net_parse_dec(q + 3, (size_t)(req->target + req->target_len - q - 3), &n) != 0 || n < 1 ||
        n > 100000) {
        respond_text(c, 400, NULL, "expected ?n=1..100000\n");
        return;
    }
    feed_add_burst(c, (unsigned)n);
}

/* Answers one complete request (head in[0..head_len), body after it). */
static void route(client *c, const wsx_http_request *req, const char *body, size_t body_len,
                  size_t head_len)
{
    const char *path = req->target;
    size_t plen = http_path_len(req);
    int get = http_method_is(req, "GET"), head = http_method_is(req, "HEAD");
    int post = http_method_is(req, "POST");
#define PATH_IS(p) (plen == sizeof(p) - 1 && memcmp(path, p, plen) == 0)
    if (PATH_IS("/ws")) {
        start_ws(c, req, head_len); /* refuses non-GET with 405 itself */
    } else if ((PATH_IS("/events") || PATH_IS("/api/chat")) && http_method_is(req, "OPTIONS")) {
        access_answer_preflight(c, req);
    } else if (PATH_IS("/events")) {
        if (!get)
            respond_text(c, 405, "Allow: GET, OPTIONS\r\n", "use GET\n");
        else if (!access_refused(c, req))
            start_feed(c, req);
    } else if (PATH_IS("/api/chat")) {
        if (!post)
            respond_text(c, 405, "Allow: POST, OPTIONS\r\n", "use POST\n");
        else if (!access_refused(c, req))
            assistant_chat(c, req, body, body_len);
    } else if (PATH_IS("/api/stop-generation")) {
        if (post)
            assistant_stop(c, body, body_len);
        else
            respond_text(c, 405, "Allow: POST\r\n", "use POST\n");
    } else if (PATH_IS("/api/history")) {
        if (get || head)
            assistant_history(c, head);
        else
            respond_text(c, 405, "Allow: GET, HEAD\r\n", "use GET\n");
    } else if (PATH_IS("/api/health")) {
        if (get || head)
            health(c);
        else
            respond_text(c, 405, "Allow: GET, HEAD\r\n", "use GET\n");
    } else if (PATH_IS("/api/debug/drop-feeds") && c->srv->opt.test_hooks) {
        drop_feeds(c, post);
    } else if (PATH_IS("/api/debug/feed-burst") && c->srv->opt.test_hooks) {
        feed_burst(c, req, post);
    } else if (get || head) {
        serve_static(c, path, plen, head);
    } else {
        respond_text(c, 405, "Allow: GET, HEAD\r\n", "method not allowed\n");
    }
#undef PATH_IS
}

/* ---- requests ------------------------------------------------------------------------ */

/* Refuses the request with status and text, then a lingering close. */
static void refuse(client *c, int status, const char *text)
{
    c->keep_alive = 0;
    respond_text(c, status, NULL, text);
}

/* The body length of a parsed request, from its Content-Length.  Returns
 * 0, or -1 after refusing the request. */
static int request_body_len(client *c, const wsx_http_request *req, uint64_t *body_len)
{
    const wsx_header *cl;
    char tmp[24], *end;
    *body_len = 0;
    if (wsx_http_header_next(req->headers, req->num_headers, "Transfer-Encoding", NULL)) {
        refuse(c, 501, "request bodies must have a Content-Length\n");
        return -1;
    }
    cl = wsx_http_header_next(req->headers, req->num_headers, "Content-Length", NULL);
    if (!cl) {
        if (!http_method_is(req, "POST"))
            return 0;
        refuse(c, 411, "POST needs a Content-Length\n");
        return -1;
    }
    if (cl->value_len == 0 || cl->value_len >= sizeof tmp ||
        wsx_http_header_count(req->headers, req->num_headers, "Content-Length") != 1) {
        refuse(c, 400, "bad Content-Length\n");
        return -1;
    }
    memcpy(tmp, cl->value, cl->value_len);
    tmp[cl->value_len] = 0;
    *body_len = strtoull(tmp, &end, 10);
    if (*end || tmp[0] < '0' || tmp[0] > '9') {
        refuse(c, 400, "bad Content-Length\n");
        return -1;
    }
    if (*body_len > MAX_BODY) {
        refuse(c, 413, "body too large (8 KiB at most)\n");
        return -1;
    }
    return 0;
}

/* Handles the requests waiting in `in`, one at a time, while the previous
 * response is fully written. */
void process_http(client *c)
{
    while (c->kind == K_HTTP && !c->dead && !c->close_after && !c->awaiting &&
           pending_output(c) == 0 && c->in_len > 0) {
        wsx_header headers[MAX_HEADERS];
        wsx_http_request req;
        uint64_t body_len = 0;
        size_t used;
        int r = wsx_http_parse_request(&c->http, c->in, c->in_len, headers, MAX_HEADERS, &req);
        if (r < 0) {
            refuse_head(c, r);
            return;
        }
        if (r == 0) {
            if (c->in_len == IN_CAP)
                refuse_head(c, WSX_E_HTTP_HEAD_TOO_LARGE);
            return;
        }
        c->keep_alive =
            req.minor_version >= 1 &&
            !wsx_http_headers_have_token(headers, req.num_headers, "Connection", "close");
        if (!http_host_ok(&req)) {
            refuse(c, 400, "an HTTP/1.1 request needs exactly one Host\n");
            return;
        }
        if (request_body_len(c, &req, &body_len) != 0)
            return;
        if (c->in_len < (size_t)r + body_len) {
            /* The rest of the body is on its way; a client that asked
             * (curl does for bodies over 1 KiB) is told to send it. */
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            if (!c->sent_continue &&
                wsx_http_headers_have_token(headers, req.num_headers, "Expect", "100-continue")) {
                c->sent_continue = 1;
                out_append(c, cont, sizeof cont - 1);
            }
            return;
        }
        c->sent_continue = 0;
        used = (size_t)r + (size_t)body_len;
        route(c, &req, (const char *)c->in + r, (size_t)body_len, (size_t)r);
        if (c->kind == K_WS)
            return; /* start_ws took the rest of the input */
        /* Keep what follows (a pipelined request) for later. */
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        wsx_http_parser_init(&c->http, &c->srv->http_cfg);
        if (c->kind == K_HTTP)
            c->deadline = net_now_ms() + c->srv->opt.idle_ms;
    }
}

/* GET /api/health: which instance, and whether it reaches Redis. */
static void health(client *c)
{
    static const char single[] = "{\"cluster\":false}";
#ifdef DEMO_CLUSTER
    if (cluster_instance(c->srv)) {
        cluster_health(c);
        return;
    }
#endif
    respond_json(c, 200, single, sizeof single - 1);
}
