/*
 * url.c — sse_cat's URL mode: an EventSource-like client (what it does:
 * sse_cat.h).
 */
#include "sse_cat.h"
#include "net.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HEAD_CAP 16384
#define MAX_RESPONSE_HEADERS 64
#define WAIT_SLICE_MS 200 /* waits re-check net_stop this often */
#define GZIP_PLAIN 4096   /* decoded bytes between the gzip reader and the parser */

/* How one connection attempt ended. */
enum outcome {
    OUT_ENDED,       /* a stream was open and its body ended: reconnect */
    OUT_FAILED,      /* no stream (connect, send, head): reconnect, longer */
    OUT_STOP,        /* 204: stop for good (exit 0) */
    OUT_REFUSED,     /* bad status, content type, redirects (exit 2) */
    OUT_PARSE_ERROR, /* the event stream was malformed (exit 2) */
    OUT_DENIED,      /* 401 or 403: credentials needed (exit 3) */
    OUT_LATER,       /* 429 or 503 with Retry-After: reconnect then */
    OUT_INTERRUPTED  /* SIGINT / SIGTERM (exit 0) */
};

typedef struct url_client {
    const options *o;
    FILE *out;
    wsx_sse_parser parser;
    wsx_sse_backoff backoff;
    net_url origin;    /* the URL given: every reconnect starts there */
    char failure[400]; /* why the last attempt failed (OUT_FAILED) */
    uint32_t later_ms; /* OUT_LATER: the Retry-After wait */
    uint8_t *buf;      /* o->chunk bytes: body reads */
    int gzip;          /* this response's body is gzip'd: through gunzip */
    wsx_sse_gunzip gunzip;
    uint8_t *gz_mem;     /* the reader's window and tables, then GZIP_PLAIN */
    char head[HEAD_CAP]; /* the response head (and the body bytes after it) */
} url_client;

/* Request state along a redirect chain. */
typedef struct hop {
    net_url url;
    const char *method;
    const char *body;      /* NULL: none */
    int keep_content_type; /* 0 once a redirect dropped the body */
} hop;

static void vnote(const url_client *u, const char *what, const char *detail)
{
    if (u->o->verbose)
        fprintf(stderr, "sse_cat: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

static int url_on_event(void *user, const wsx_sse_event *ev)
{
    return print_event(((url_client *)user)->out, ev);
}

static int url_on_retry(void *user, uint32_t ms)
{
    url_client *u = (url_client *)user;
    wsx_sse_backoff_set_retry(&u->backoff, ms);
    return print_retry(u->out, ms);
}

/* Feeds body bytes to the parser, at most --chunk at a time.  0, or -1 on a
 * parse error (reported). */
static int feed_body(url_client *u, const void *bytes, size_t n)
{
    const uint8_t *data = (const uint8_t *)bytes;
    wsx_sse_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_event = url_on_event;
    cb.on_retry = url_on_retry;
    while (n > 0) {
        size_t part = n < u->o->chunk ? n : u->o->chunk;
        int r = u->gzip ? wsx_sse_gunzip_feed(&u->gunzip, &u->parser, data, part, &cb, u, NULL)
                        : wsx_sse_feed(&u->parser, data, part, &cb, u, NULL);
        fflush(u->out);
        if (r != 0) {
            fprintf(stderr, "sse_cat: parse error: %s (%s)\n", wsx_strerror(r), wsx_errname(r));
            return -1;
        }
        data += part;
        n -= part;
    }
    return 0;
}

/* Waits until fd is readable (fd < 0: just sleeps) or until_ms (0: no
 * limit), waking every WAIT_SLICE_MS for net_stop.  1 readable, 0 time is
 * up, -1 interrupted. */
static int wait_for(int fd, uint64_t until_ms)
{
    for (;;) {
        struct pollfd pfd;
        uint64_t now = net_now_ms();
        int slice = WAIT_SLICE_MS;
        if (net_stop)
            return -1;
        if (until_ms && now >= until_ms)
            return 0;
        if (until_ms && until_ms - now < (uint64_t)slice)
            slice = (int)(until_ms - now);
        pfd.fd = fd;
        pfd.events = POLLIN;
        if (poll(&pfd, fd >= 0 ? 1 : 0, slice) > 0)
            return 1;
    }
}

/* One read: bytes (> 0), 0 at the end, -1 on an error, -2 if interrupted. */
static long read_some(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n;
        if (wait_for(fd, 0) < 0)
            return -2;
        n = read(fd, buf, cap);
        if (n >= 0)
            return (long)n;
        if (errno != EINTR && errno != EAGAIN)
            return -1;
    }
}

/* Sends the request of h. */
static int send_request(url_client *u, int fd, const hop *h)
{
    wsx_header hdrs[MAX_USER_HEADERS + 1];
    wsx_sse_request req;
    size_t i, n = 0, id_len, len;
    int has_type = 0, r;
    uint8_t *out;
    for (i = 0; i < u->o->num_headers; i++) {
        int is_type = u->o->headers[i].name_len == 12 &&
                      wsx_http_name_eq(u->o->headers[i].name, 12, "Content-Type");
        has_type |= is_type;
        if (!is_type || h->keep_content_type)
            hdrs[n++] = u->o->headers[i];
    }
    if (h->body && !has_type) {
        hdrs[n].name = "Content-Type";
        hdrs[n].name_len = 12;
        hdrs[n].value = "application/json";
        hdrs[n].value_len = 16;
        n++;
    }
    memset(&req, 0, sizeof req);
    req.method = h->method;
    req.target = h->url.target;
    req.host = h->url.host_header;
    req.last_id = wsx_sse_last_event_id(&u->parser, &id_len);
    req.last_id_len = id_len;
    req.headers = hdrs;
    req.num_headers = n;
    req.body = h->body;
    req.body_len = h->body ? strlen(h->body) : 0;
    req.accept_gzip = u->o->compressed;
    r = wsx_sse_request_write(&req, NULL, 0, &len);
    if (r != WSX_OK) {
        fprintf(stderr, "sse_cat: cannot build the request: %s\n", wsx_strerror(r));
        return -2;
    }
    out = (uint8_t *)malloc(len);
    if (!out)
        return -1;
    r = wsx_sse_request_write(&req, out, len, &len);
    r = r != WSX_OK ? -2 : net_write_all(fd, out, len);
    free(out);
    return r;
}

/* Reads and parses the response head into u->head; skips 1xx heads.
 * Returns the head length (body bytes follow it up to *len), 0 when the
 * connection ended or failed first, -2 if interrupted. */
static int read_head(url_client *u, int fd, wsx_header *hdrs, wsx_http_response *res, size_t *len)
{
    wsx_http_parser hp;
    wsx_http_parser_init(&hp, NULL);
    *len = 0;
    for (;;) {
        int r = wsx_http_parse_response(&hp, u->head, *len, hdrs, MAX_RESPONSE_HEADERS, res);
        long n;
        if (r > 0 && res->status >= 100 && res->status < 200 && res->status != 101) {
            /* an interim response (100 Continue, 103 Early Hints): the
             * real one follows */
            memmove(u->head, u->head + r, *len - (size_t)r);
            *len -= (size_t)r;
            wsx_http_parser_init(&hp, NULL);
            continue;
        }
        if (r > 0)
            return r;
        if (r < 0) {
            fprintf(stderr, "sse_cat: bad response head: %s\n", wsx_strerror(r));
            return 0;
        }
        if (*len == sizeof u->head)
            return 0;
        n = read_some(fd, u->head + *len, sizeof u->head - *len);
        if (n == -2)
            return -2;
        if (n <= 0)
            return 0;
        *len += (size_t)n;
    }
}

/* Passes body bytes through the chunked decoder when there is one. */
static int body_bytes(url_client *u, wsx_chunked *ch, const char *p, size_t n, int *ended)
{
    while (ch && n > 0 && !*ended) {
        const uint8_t *data;
        size_t data_len, used;
        int r = wsx_chunked_decode(ch, p, n, &used, &data, &data_len);
        p += used;
        n -= used;
        if (r == WSX_CHUNKED_EV_DATA && feed_body(u, data, data_len) != 0)
            return -1;
        if (r == WSX_CHUNKED_EV_END)
            *ended = 1;
        if (r < 0) {
            fprintf(stderr, "sse_cat: bad chunked body: %s\n", wsx_strerror(r));
            *ended = 1; /* a network error: reconnect */
        }
    }
    return ch ? 0 : feed_body(u, p, n);
}

/* Reads the body of an accepted response (its first bytes already in
 * u->head[head_len..len)) until it ends. */
static enum outcome read_body(url_client *u, int fd, const wsx_http_response *res, size_t head_len,
                              size_t len)
{
    wsx_chunked ch;
    uint64_t left = 0;
    int kind = wsx_http_response_body(res, 0, &left), ended = 0;
    const char *p = u->head + head_len;
    size_t n = len - head_len;
    if (kind < 0) {
        fprintf(stderr, "sse_cat: bad body framing: %s\n", wsx_strerror(kind));
        return OUT_FAILED;
    }
    wsx_chunked_init(&ch, NULL);
    for (;;) {
        long got;
        if (kind == WSX_HTTP_BODY_LENGTH && n > left)
            n = (size_t)left;
        if (body_bytes(u, kind == WSX_HTTP_BODY_CHUNKED ? &ch : NULL, p, n, &ended) != 0)
            return OUT_PARSE_ERROR;
        left -= kind == WSX_HTTP_BODY_LENGTH ? n : 0;
        if (ended || kind == WSX_HTTP_BODY_NONE || (kind == WSX_HTTP_BODY_LENGTH && left == 0))
            return OUT_ENDED;
        got = read_some(fd, u->buf, u->o->chunk);
        if (got == -2)
            return OUT_INTERRUPTED;
        if (got <= 0)
            return OUT_ENDED; /* closed (the end of a close-delimited body) or reset */
        p = (const char *)u->buf;
        n = (size_t)got;
    }
}

/* The Location of a redirect, resolved against the current URL (absolute
 * http URL, "//host/path", "/path" or a path relative to the current
 * directory; dot segments are left to the server). */
static int follow_location(net_url *url, const char *loc, size_t n)
{
    char tmp[2048 + 8];
    net_url next;
    if (n == 0 || n >= 2048)
        return -1;
    if (n > 2 && loc[0] == '/' && loc[1] == '/') {
        memcpy(tmp, "http:", 5);
        memcpy(tmp + 5, loc, n);
        tmp[n + 5] = '\0';
    } else {
        memcpy(tmp, loc, n);
        tmp[n] = '\0';
    }
    if (strstr(tmp, "://")) {
        if (net_parse_url(tmp, &next) != 0 || strcmp(next.scheme, "http") != 0)
            return -1;
        *url = next;
        return 0;
    }
    if (tmp[0] != '/') { /* relative: the current target's directory */
        size_t dir = strcspn(url->target, "?");
        while (dir > 0 && url->target[dir - 1] != '/')
            dir--;
        if (dir + n >= sizeof url->target)
            return -1;
        memcpy(url->target + dir, tmp, n + 1);
    } else {
        tmp[strcspn(tmp, "#")] = '\0';
        memcpy(url->target, tmp, strlen(tmp) + 1);
    }
    return 0;
}

/* Decides on a response head; for a redirect moves h to the next hop. */
static enum outcome judge(url_client *u, const wsx_http_response *res, hop *h, int *redirect)
{
    const char *loc = NULL;
    size_t loc_len = 0;
    int r = wsx_sse_check_http_response(res, &loc, &loc_len);
    *redirect = 0;
    switch (r) {
    case WSX_OK:
        return OUT_ENDED;
    case WSX_E_SSE_NO_CONTENT:
        vnote(u, "204 No Content", "not reconnecting");
        return OUT_STOP;
    case WSX_E_SSE_REDIRECT: {
        const char *m = wsx_sse_redirect_method(res->status, h->method);
        if (follow_location(&h->url, loc, loc_len) != 0) {
            fprintf(stderr, "sse_cat: HTTP %d: cannot follow Location '%.*s'\n", res->status,
                    (int)(loc_len > 200 ? 200 : loc_len), loc);
            return OUT_REFUSED;
        }
        if (strcmp(m, h->method) != 0) {
            h->body = NULL;
            h->keep_content_type = 0;
        }
        h->method = m;
        *redirect = 1;
        vnote(u, "redirected to", h->url.target);
        return OUT_ENDED;
    }
    case WSX_E_SSE_UNAUTHORIZED:
    case WSX_E_SSE_FORBIDDEN: {
        const wsx_header *ch =
            wsx_http_header_next(res->headers, res->num_headers, "WWW-Authenticate", NULL);
        fprintf(stderr, "sse_cat: HTTP %d %.*s: %s%s%.*s; not reconnecting\n", res->status,
                (int)res->reason_len, res->reason,
                r == WSX_E_SSE_UNAUTHORIZED ? "credentials missing or refused (check -H "
                                              "'Authorization: ...')"
                                            : "access denied",
                ch ? ", the server asks for " : "", ch ? (int)ch->value_len : 0,
                ch ? ch->value : "");
        return OUT_DENIED;
    }
    case WSX_E_SSE_RETRY_LATER:
        /* the server's Date, else our wall clock, counts an HTTP-date */
        r = wsx_sse_retry_after(res->headers, res->num_headers, (uint64_t)time(NULL), &u->later_ms);
        if (r == WSX_OK) {
            snprintf(u->failure, sizeof u->failure, "HTTP %d: the server asks to wait %lu ms",
                     res->status, (unsigned long)u->later_ms);
            vnote(u, u->failure, NULL);
            return OUT_LATER;
        }
        break; /* an unreadable Retry-After: refused */
    default:
        break;
    }
    fprintf(stderr, "sse_cat: HTTP %d %.*s: %s; not reconnecting\n", res->status,
            (int)res->reason_len, res->reason, wsx_strerror(r));
    return OUT_REFUSED;
}

/* Sets up the gzip reader when the accepted response is gzip'd (a server
 * may send one even when not asked: it is decoded all the same).  0, or
 * -1 (out of memory). */
static int gzip_start(url_client *u, const wsx_http_response *res)
{
    size_t mem = WSX_INFLATE_MEM_SIZE(15);
    u->gzip = wsx_sse_response_gzip(res->headers, res->num_headers);
    if (!u->gzip)
        return 0;
    if (!u->gz_mem && !(u->gz_mem = (uint8_t *)malloc(mem + GZIP_PLAIN))) {
        fprintf(stderr, "sse_cat: out of memory\n");
        return -1;
    }
    vnote(u, "the stream is gzip'd", NULL);
    return wsx_sse_gunzip_init(&u->gunzip, 15, u->gz_mem, mem, u->gz_mem + mem, GZIP_PLAIN) ==
                   WSX_OK
               ? 0
               : -1;
}

/* One connection, with its redirects. */
static enum outcome attempt(url_client *u)
{
    hop h;
    long redirects;
    h.url = u->origin;
    h.method = u->o->method ? u->o->method : (u->o->body ? "POST" : "GET");
    h.body = u->o->body;
    h.keep_content_type = 1;
    for (redirects = 0;; redirects++) {
        wsx_header hdrs[MAX_RESPONSE_HEADERS];
        wsx_http_response res;
        size_t len;
        int fd = net_connect_timeout(h.url.host, h.url.port, (uint64_t)u->o->connect_timeout_ms);
        int head_len = 0, redirect = 0, sent;
        enum outcome out = OUT_FAILED;
        if (fd < 0) {
            if (errno == ETIMEDOUT && u->o->connect_timeout_ms)
                snprintf(u->failure, sizeof u->failure,
                         "cannot connect to %s port %d: no answer within %ld ms "
                         "(--connect-timeout-ms)",
                         h.url.host, h.url.port, u->o->connect_timeout_ms);
            else
                snprintf(u->failure, sizeof u->failure, "cannot connect to %s port %d: %s",
                         h.url.host, h.url.port, strerror(errno));
            vnote(u, u->failure, NULL);
            return net_stop ? OUT_INTERRUPTED : OUT_FAILED;
        }
        sent = send_request(u, fd, &h);
        if (sent == 0)
            head_len = read_head(u, fd, hdrs, &res, &len);
        if (sent == -2) {
            out = OUT_REFUSED;
        } else if (head_len == -2) {
            out = OUT_INTERRUPTED;
        } else if (head_len > 0) {
            out = judge(u, &res, &h, &redirect);
            if (out == OUT_ENDED && !redirect && gzip_start(u, &res) != 0)
                out = OUT_REFUSED;
            if (out == OUT_ENDED && !redirect) {
                wsx_sse_backoff_opened(&u->backoff);
                out = read_body(u, fd, &res, (size_t)head_len, len);
            }
        }
        if (out == OUT_FAILED)
            snprintf(u->failure, sizeof u->failure, "%s",
                     sent != 0      ? "could not send the request"
                     : head_len > 0 ? "bad body framing"
                                    : "no response head");
        close(fd);
        if (!redirect)
            return out;
        if (redirects >= u->o->max_redirects) {
            fprintf(stderr, "sse_cat: more than %ld redirects; not reconnecting\n",
                    u->o->max_redirects);
            return OUT_REFUSED;
        }
    }
}

static int url_client_init(url_client *u, const options *o, FILE *out)
{
    uint8_t *scratch;
    int status;
    u->o = o;
    u->out = out;
    if (net_parse_url(o->source, &u->origin) != 0 || strcmp(u->origin.scheme, "http") != 0) {
        fprintf(stderr, "sse_cat: '%s': expected an http:// URL\n", o->source);
        return 64;
    }
    u->buf = (uint8_t *)malloc(o->chunk);
    if (!u->buf) {
        fprintf(stderr, "sse_cat: out of memory\n");
        return 1;
    }
    status = parser_init(&u->parser, o, &scratch);
    if (status != 0)
        return status;
    wsx_sse_backoff_init(&u->backoff);
    return 0;
}

/* Connects, prints, reconnects: see sse_cat.h. */
int url_main(const options *o)
{
    static url_client u; /* big (the head buffer): not on the stack */
    long reconnects = 0;
    int status = url_client_init(&u, o, stdout);
    if (status != 0)
        return status;
    net_catch_signals();
    for (;;) {
        enum outcome out = attempt(&u);
        uint32_t rnd = 0;
        uint64_t now, at;
        char why[160];
        size_t id_len;
        const char *id;
        if (u.gzip && wsx_sse_gunzip_end(&u.gunzip, &u.parser) == 1)
            vnote(&u, "the gzip'd stream was cut", "before its trailer or inside an event");
        else if (!u.gzip)
            wsx_sse_end(&u.parser); /* an unterminated event is dropped */
        u.gzip = 0;
        wsx_sse_reset(&u.parser);
        if (out == OUT_STOP || out == OUT_INTERRUPTED || net_stop)
            return 0;
        if (out == OUT_REFUSED || out == OUT_PARSE_ERROR)
            return 2;
        if (out == OUT_DENIED)
            return 3;
        if (o->max_reconnects >= 0 && reconnects >= o->max_reconnects) {
            if (out != OUT_FAILED && out != OUT_LATER)
                return 0;
            fprintf(stderr, "sse_cat: %s; giving up after %ld reconnects\n", u.failure, reconnects);
            return 1;
        }
        reconnects++;
        net_random(&rnd, sizeof rnd);
        now = net_now_ms();
        /* never sooner than a Retry-After asked */
        at = out == OUT_LATER ? wsx_sse_backoff_after(&u.backoff, now, u.later_ms, rnd)
                              : wsx_sse_backoff_next(&u.backoff, now, rnd);
        id = wsx_sse_last_event_id(&u.parser, &id_len);
        snprintf(why, sizeof why, "reconnecting in %lu ms with Last-Event-ID '%.*s'",
                 (unsigned long)(at - now), (int)(id_len > 64 ? 64 : id_len), id);
        vnote(&u,
              out == OUT_LATER    ? "told to come back later"
              : out == OUT_FAILED ? "connection failed"
                                  : "stream ended",
              why);
        if (wait_for(-1, at) < 0)
            return 0;
    }
}
