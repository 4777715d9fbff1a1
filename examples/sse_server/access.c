/*
 * access.c — who may open a stream: CORS (--allow-origin, preflights for
 * POST /api/chat), the bearer token (--token), and the number of streams
 * one client address may hold (--max-streams-per-client).  Each refusal is
 * the one HTTP defines (wsx_sse_refusal): 403, 401 + WWW-Authenticate,
 * 429 + Retry-After; each carries the CORS lines, so a page on an allowed
 * origin can read why.
 */
#include "sse_server.h"

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* The CORS policy of the options: their origins (none: same origin only),
 * credentials (cookies, EventSource withCredentials), the methods and
 * request headers POST /api/chat needs. */
static void cors_config(const server *s, wsx_cors_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->origins = s->opt.allow_origins;
    cfg->num_origins = s->opt.num_allow_origins;
    cfg->allow_credentials = 1;
    cfg->allow_methods = "GET, POST";
    cfg->allow_headers = "Content-Type, Authorization, Last-Event-ID";
    cfg->max_age_s = ACCESS_MAX_AGE_S;
}

int cors_lines(server *s, const wsx_http_request *req, wsx_header *lines, size_t *n)
{
    wsx_cors_config cfg;
    cors_config(s, &cfg);
    return wsx_cors_check(&cfg, req->headers, req->num_headers, lines, n) == WSX_OK ? 0 : -1;
}

/* Sends a refusal and finishes the client. */
static void refuse(server *s, client *c, wsx_sse_refusal_config *rc, const wsx_header *lines,
                   size_t n)
{
    char buf[1024];
    size_t len = 0;
    rc->headers = lines;
    rc->num_headers = n;
    rc->connection_close = 1;
    c->out_off = c->out_len = 0;
    if (wsx_sse_refusal(rc, buf, sizeof buf, &len) == WSX_OK)
        out_put(s, c, buf, c->head_only ? (size_t)(strstr(buf, "\r\n\r\n") + 4 - buf) : len);
    finish(c);
}

void answer_preflight(server *s, client *c, const wsx_http_request *req)
{
    wsx_cors_config cfg;
    char buf[1024];
    size_t len = 0;
    int r;
    cors_config(s, &cfg);
    r = wsx_cors_preflight(&cfg, req->headers, req->num_headers, buf, sizeof buf, &len);
    note(r == WSX_OK ? "OPTIONS answered (preflight granted)" : wsx_strerror(r), c->fd);
    c->out_off = c->out_len = 0;
    if (len)
        out_put(s, c, buf, len);
    c->reuse = r == WSX_OK && c->keep_alive;
    finish(c);
}

/* 1 if the request carries the token: "Authorization: Bearer <token>"
 * (RFC 6750 section 2.1), or, for a GET (an EventSource cannot set
 * headers; with withCredentials it sends cookies), a cookie
 * "token=<token>". */
static int has_token(const char *token, const wsx_http_request *req)
{
    size_t tl = strlen(token);
    const wsx_header *h = wsx_http_header_next(req->headers, req->num_headers, "Authorization", NULL);
    if (h && h->value_len == 7 + tl && wsx_http_name_eq(h->value, 7, "bearer ") &&
        memcmp(h->value + 7, token, tl) == 0)
        return 1;
    for (h = NULL; http_method_is(req, "GET") &&
                   (h = wsx_http_header_next(req->headers, req->num_headers, "Cookie", h));) {
        const char *p = h->value, *end = h->value + h->value_len;
        while (p < end) { /* "a=1; token=T; b=2" */
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *stop = semi ? semi : end;
            while (p < stop && *p == ' ')
                p++;
            if ((size_t)(stop - p) == 6 + tl && memcmp(p, "token=", 6) == 0 &&
                memcmp(p + 6, token, tl) == 0)
                return 1;
            p = stop + 1;
        }
    }
    return 0;
}

/* The address (without the port) of a connected socket into a, 1 if known. */
static int peer_of(int fd, struct sockaddr_storage *a)
{
    socklen_t len = sizeof *a;
    memset(a, 0, sizeof *a);
    return getpeername(fd, (struct sockaddr *)a, &len) == 0;
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                      &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* Streams open from c's address (c itself is not streaming yet). */
static size_t streams_from(const server *s, const client *c)
{
    struct sockaddr_storage mine, other;
    size_t i, n = 0;
    if (!peer_of(c->fd, &mine))
        return 0;
    for (i = 0; i < s->nclients; i++) {
        const client *o = s->clients[i];
        if (o != c && (o->phase == PH_EVENTS || o->phase == PH_CHAT) && peer_of(o->fd, &other) &&
            same_address(&mine, &other))
            n++;
    }
    return n;
}

int access_check(server *s, client *c, const wsx_http_request *req)
{
    wsx_header lines[WSX_CORS_MAX_HEADERS];
    wsx_sse_refusal_config rc;
    size_t n = 0;
    memset(&rc, 0, sizeof rc);
    if (cors_lines(s, req, lines, &n) != 0) {
        note("origin not allowed", c->fd);
        rc.status = 403;
    } else if (s->opt.token && !has_token(s->opt.token, req)) {
        rc.status = 401;
        rc.challenge = "Bearer";
    } else if (s->opt.max_streams_per_client &&
               streams_from(s, c) >= s->opt.max_streams_per_client) {
        rc.status = 429;
        rc.retry_after_s = ACCESS_RETRY_AFTER_S;
    } else {
        return 0;
    }
    refuse(s, c, &rc, lines, n);
    return -1;
}
