/*
 * http.c — sse_server's HTTP side: the output buffer, whole responses,
 * request heads and bodies (Content-Length or chunked), routing.
 */
#include "sse_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- output buffer ----------------------------------------------------- */

/* Room for n more bytes after compacting, without moving anything yet. */
static int out_fits(const server *s, const client *c, size_t n)
{
    return c->out_len - c->out_off + n <= s->opt.buffer;
}

/* Appends raw bytes; 0, or -1 when they do not fit (nothing appended). */
int out_put(server *s, client *c, const void *bytes, size_t n)
{
    if (!out_fits(s, c, n) || (!c->out && !(c->out = (uint8_t *)malloc(s->opt.buffer))))
        return -1;
    if (c->out_len + n > s->opt.buffer) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    memcpy(c->out + c->out_len, bytes, n);
    c->out_len += n;
    c->last_write_ms = net_now_ms();
    return 0;
}

/* Appends body bytes as they go on the wire: one chunk when the response
 * is chunked. */
static int out_wire(server *s, client *c, const void *bytes, size_t n)
{
    char head[WSX_CHUNKED_HEADER_MAX];
    size_t hl;
    if (!c->chunked)
        return out_put(s, c, bytes, n);
    if (wsx_chunked_write_header(n, head, sizeof head, &hl) != WSX_OK ||
        !out_fits(s, c, hl + n + 2))
        return -1; /* (n == 0 would be the last chunk: refused) */
    out_put(s, c, head, hl);
    out_put(s, c, bytes, n);
    return out_put(s, c, WSX_CHUNKED_CRLF, 2);
}

/* Room for the compressed form of the largest piece (the chat's meta
 * event): wsx_deflate_bound's n + n/8 + n/32 + 32, and the gzip header. */
static uint8_t gz_out[META_MAX + 64 + (META_MAX + 64) / 4 + 64];

/* Appends bytes of the event stream: compressed and sync-flushed on their
 * own when the response is gzip'd (so they can be decoded at once), then
 * framed (out_wire).  0, or -1 when they do not fit. */
int out_body(server *s, client *c, const void *bytes, size_t n)
{
    size_t len;
    if (!c->gzip)
        return out_wire(s, c, bytes, n);
    if (wsx_sse_gzip_bytes(&c->gz, bytes, n, NULL, 0, &len) != WSX_OK ||
        !out_fits(s, c, len + WSX_CHUNKED_HEADER_MAX + 2) ||
        wsx_sse_gzip_bytes(&c->gz, bytes, n, gz_out, sizeof gz_out, &len) != WSX_OK)
        return -1; /* nothing was compressed: the stream stays whole */
    return out_wire(s, c, gz_out, len);
}

size_t gzip_mem_size(const options *o)
{
    /* 1024 symbols a block beyond the minimum's 256: events are short
     * and each one ends its block */
    return WSX_DEFLATE_MEM_MIN(o->gzip_window_bits) + 3 * 1024;
}

/* The head of an event stream (GET /events, POST /api/chat) into head:
 * chunked for HTTP/1.1, gzip'd when the server may and the request
 * accepts it (the compressor set up for it).  0, or -1. */
int stream_head(server *s, client *c, const wsx_http_request *req, uint8_t *head, size_t cap,
                size_t *len)
{
    wsx_sse_head_config hc;
    wsx_header cors[WSX_CORS_MAX_HEADERS];
    size_t num_cors = 0;
    memset(&hc, 0, sizeof hc);
    c->chunked = hc.chunked = req->minor_version >= 1;
    hc.connection_close = !c->chunked;   /* HTTP/1.0: the stream ends at close */
    cors_lines(s, req, cors, &num_cors); /* allowed: access_check said so */
    hc.headers = cors;
    hc.num_headers = num_cors;
    hc.vary_accept_encoding = s->opt.gzip;
    c->gzip = hc.gzip = s->opt.gzip && wsx_http_accepts_gzip(req->headers, req->num_headers);
    if (c->gzip) {
        wsx_deflater_config dc;
        dc.window_bits = s->opt.gzip_window_bits;
        dc.level = s->opt.gzip_level;
        if (!c->gz_mem)
            c->gz_mem = malloc(gzip_mem_size(&s->opt));
        if (!c->gz_mem ||
            wsx_gzip_writer_init(&c->gz, &dc, c->gz_mem, gzip_mem_size(&s->opt)) != WSX_OK)
            return -1;
    }
    return wsx_sse_response_head(&hc, head, cap, len) == WSX_OK ? 0 : -1;
}

/* The response is complete: flush (within FINISH_MS), then half-close
 * (or, when c->reuse, wait for the next request). */
void finish(client *c)
{
    c->phase = PH_FINISH;
    c->deadline = net_now_ms() + FINISH_MS;
}

/* The clean end of a streamed body: the last chunk, and the connection
 * stays open for the next request; HTTP/1.0: the close ends the body. */
void end_response(server *s, client *c)
{
    uint8_t tail[64];
    size_t n;
    if (c->gzip && (wsx_sse_gzip_finish(&c->gz, tail, sizeof tail, &n) != WSX_OK ||
                    out_wire(s, c, tail, n) != 0))
        c->dead = 1;
    c->gzip = 0;
    if (c->chunked && out_put(s, c, WSX_CHUNKED_LAST, WSX_CHUNKED_LAST_LEN) != 0)
        c->dead = 1; /* hopeless: just close */
    c->reuse = c->chunked && c->keep_alive;
    finish(c);
}

/* Ends a stream by closing the connection once the pending bytes are out,
 * without the last chunk: what a client sees when a server or a proxy goes
 * away (--drop-after, a replay that does not fit).  A gzip'd stream is
 * ended cleanly instead (its gzip trailer, the last chunk, then the
 * close): a client that inflates the body in a pipeline the cut tears
 * down (node's fetch) would lose the events of its last read. */
void drop_stream(server *s, client *c)
{
    if (c->gzip)
        end_response(s, c);
    c->reuse = 0;
    finish(c);
}

/* Writes what is pending until done or EAGAIN; once all is written, the
 * buffer goes (an idle stream holds none).  0, or -1 if the socket
 * failed. */
int flush_out(client *c)
{
    while (c->out_off < c->out_len) {
        ssize_t k = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->out_off += (size_t)k;
        net_drain_wrote(&c->drain, (size_t)k, net_now_ms());
    }
    c->out_off = c->out_len = 0;
    free(c->out);
    c->out = NULL;
    return 0;
}

/* ---- simple responses -------------------------------------------------- */

/* A whole response with Content-Length and Connection: close; then the
 * client is finished.  extra: more header lines (each ending in CRLF) or "". */
void respond(server *s, client *c, int status, const char *type, const char *extra,
             const char *body, size_t body_len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
                     "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
                     status, http_reason(status), type, (unsigned long)body_len, extra);
    c->out_off = c->out_len = 0;
    if (n < 0 || (size_t)n >= sizeof head || out_put(s, c, head, (size_t)n) != 0 ||
        (!c->head_only && out_put(s, c, body, body_len) != 0))
        c->out_off = c->out_len = 0;
    finish(c);
}

void respond_error(server *s, client *c, int status, const char *extra)
{
    char body[128];
    int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
    respond(s, c, status, "text/plain; charset=utf-8", extra, body, (size_t)n);
}

static const char index_html[] =
    "<!doctype html>\n<meta charset=utf-8>\n<title>wsx sse_server</title>\n"
    "<h1>/events</h1>\n<pre id=log></pre>\n<script>\n"
    "const log = document.getElementById('log');\n"
    "const es = new EventSource('/events');\n"
    "es.onmessage = (e) => { log.textContent = 'id ' + e.lastEventId + ': ' + e.data + "
    "'\\n' + log.textContent; };\n"
    "es.onerror = () => { log.textContent = '(reconnecting)\\n' + log.textContent; };\n"
    "</script>\n";

/* ---- requests ---------------------------------------------------------- */

/* The Transfer-Encoding of a request (all its field lines, RFC 9110
 * section 5.3): 1 for exactly "chunked"; otherwise the status to answer:
 * 400 when chunked is not the last coding (RFC 9112 section 6.3: the length
 * cannot be known), 501 for codings before it that we do not implement
 * (section 6.1). */
static int transfer_coding(const wsx_http_request *req)
{
    const wsx_header *te = NULL;
    int codings = 0, last_chunked = 0;
    while ((te = wsx_http_header_next(req->headers, req->num_headers, "Transfer-Encoding", te))) {
        const char *pos = te->value, *item;
        size_t item_len;
        while (wsx_http_list_next(&pos, te->value + te->value_len, &item, &item_len)) {
            codings++;
            last_chunked = wsx_http_list_has(item, item_len, "chunked");
        }
    }
    if (!last_chunked)
        return 400;
    return codings == 1 ? 1 : 501;
}

enum { BODY_CHUNKED = 1, BODY_LENGTH = 2 };

/* How the body of a request is delimited (RFC 9112 section 6.3, server
 * side): BODY_CHUNKED (c->body_dec is ready), BODY_LENGTH (Content-Length,
 * in *len), or -1 when the request was answered with an error. */
static int body_framing(server *s, client *c, const wsx_http_request *req, uint64_t *len)
{
    const wsx_header *cl =
        wsx_http_header_next(req->headers, req->num_headers, "Content-Length", NULL);
    if (wsx_http_header_next(req->headers, req->num_headers, "Transfer-Encoding", NULL)) {
        /* With Content-Length: a likely smuggling attempt (section 6.3);
         * in HTTP/1.0: faulty framing by definition (section 6.1). */
        int coding = cl || req->minor_version < 1 ? 400 : transfer_coding(req);
        wsx_chunked_config cfg;
        if (coding != 1) {
            respond_error(s, c, coding, "");
            return -1;
        }
        memset(&cfg, 0, sizeof cfg);
        cfg.max_chunk = BODY_MAX; /* a larger chunk is refused at its size line */
        wsx_chunked_init(&c->body_dec, &cfg);
        c->body_chunked = 1;
        c->body_len = 0;
        return BODY_CHUNKED;
    }
    if (!cl) {
        respond_error(s, c, 411, "");
        return -1;
    }
    if (net_parse_dec(cl->value, cl->value_len, len) != 0 ||
        wsx_http_header_count(req->headers, req->num_headers, "Content-Length") != 1) {
        respond_error(s, c, 400, "");
        return -1;
    }
    if (*len > BODY_MAX) {
        respond_error(s, c, 413, "");
        return -1;
    }
    return BODY_LENGTH;
}

/* Decodes the chunked body bytes received since the last call.  The data
 * moves down to in[head_len..head_len + body_len): decoding never makes
 * bytes longer, so data only ever moves backwards, and the framing bytes
 * are dropped (the decoder keeps what it needs of a line cut by a read).
 * 1 when the body is complete, 0 to wait, -1 when answered with an error. */
static int decode_chunked_body(server *s, client *c, size_t head_len)
{
    size_t at = head_len + c->body_len;
    const char *p = c->in + at;
    size_t n = c->in_len - at;
    int r = WSX_CHUNKED_NEED_MORE;
    while (n > 0 && r != WSX_CHUNKED_EV_END) {
        const uint8_t *data;
        size_t data_len, used;
        r = wsx_chunked_decode(&c->body_dec, p, n, &used, &data, &data_len);
        p += used;
        n -= used;
        if (r < 0) {
            respond_error(s, c, wsx_err_http_status(r), "");
            return -1;
        }
        if (r == WSX_CHUNKED_EV_DATA) {
            if (data_len > BODY_MAX - c->body_len) {
                respond_error(s, c, 413, "");
                return -1;
            }
            memmove(c->in + head_len + c->body_len, data, data_len);
            c->body_len += data_len;
        }
    }
    c->in_len = head_len + c->body_len; /* bytes after the body: no pipelining */
    return r == WSX_CHUNKED_EV_END;
}

/* The body of a POST: 1 when all of it is in (*len bytes at in[head_len..)),
 * 0 to wait, -1 when the request was answered with an error. */
static int body_ready(server *s, client *c, const wsx_http_request *req, size_t head_len,
                      uint64_t *len)
{
    int framing = c->body_chunked ? BODY_CHUNKED : body_framing(s, c, req, len);
    if (framing < 0)
        return -1;
    if (framing == BODY_LENGTH && c->in_len - head_len >= *len)
        return 1;
    if (framing == BODY_CHUNKED) {
        int r = decode_chunked_body(s, c, head_len);
        *len = c->body_len;
        if (r != 0)
            return r;
    }
    if (!c->sent_continue &&
        wsx_http_headers_have_token(req->headers, req->num_headers, "Expect", "100-continue")) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        out_put(s, c, cont, sizeof cont - 1);
        c->sent_continue = 1;
    }
    return 0;
}

static void route(server *s, client *c, const wsx_http_request *req, size_t head_len)
{
    uint64_t body_len;
    int r;
    if (!http_host_ok(req)) {
        respond_error(s, c, 400, "");
        return;
    }
    c->keep_alive =
        req->minor_version >= 1 &&
        !wsx_http_headers_have_token(req->headers, req->num_headers, "Connection", "close");
    c->head_only = http_method_is(req, "HEAD");
    if ((http_path_is(req, "/events") || http_path_is(req, "/api/chat")) &&
        http_method_is(req, "OPTIONS")) {
        answer_preflight(s, c, req);
    } else if (http_path_is(req, "/events")) {
        if (!http_method_is(req, "GET") && !c->head_only)
            respond_error(s, c, 405, "Allow: GET, HEAD, OPTIONS\r\n");
        else if (access_check(s, c, req) == 0)
            start_events(s, c, req);
    } else if (http_path_is(req, "/api/chat")) {
        if (!http_method_is(req, "POST"))
            respond_error(s, c, 405, "Allow: POST, OPTIONS\r\n");
        else if ((r = body_ready(s, c, req, head_len, &body_len)) == 1 &&
                 access_check(s, c, req) == 0)
            start_chat(s, c, req, c->in + head_len, (size_t)body_len);
    } else if (http_path_is(req, "/")) {
        if (!http_method_is(req, "GET") && !c->head_only)
            respond_error(s, c, 405, "Allow: GET, HEAD\r\n");
        else
            respond(s, c, 200, "text/html; charset=utf-8", "", index_html, sizeof index_html - 1);
    } else {
        respond_error(s, c, 404, "");
    }
}

/* New bytes in c->in: parse the head, then route (again after each read
 * while a POST body is arriving). */
void on_request_bytes(server *s, client *c)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    int r = wsx_http_parse_request(&c->http, c->in, c->in_len, headers, MAX_HEADERS, &req);
    if (r < 0) {
        respond_error(s, c, wsx_err_http_status(r), "");
        return;
    }
    if (r == 0) {
        if (c->in_len >= HEAD_MAX)
            respond_error(s, c, 431, "");
        return;
    }
    route(s, c, &req, (size_t)r);
}
