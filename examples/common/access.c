/*
 * access.c — see access.h.
 */
#include "access.h"
#include "http_text.h"
#include "opt.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int access_option(access_policy *p, const char *name, const char *value)
{
    uint64_t n;
    if (strcmp(name, "--allow-origin") == 0) {
        if (p->num_origins == ACCESS_MAX_ORIGINS || !*value)
            return -1;
        p->origins[p->num_origins++] = value;
    } else if (strcmp(name, "--token") == 0) {
        if (!*value)
            return -1;
        p->token = value;
    } else if (strcmp(name, "--max-streams-per-client") == 0) {
        if (opt_u64(value, 1, 100000, &n) != 0)
            return -1;
        p->max_streams_per_client = (size_t)n;
    } else {
        return 0;
    }
    return 1;
}

static void cors_config(const access_policy *p, wsx_cors_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->origins = p->origins;
    cfg->num_origins = p->num_origins;
    cfg->allow_credentials = 1;
    cfg->allow_methods = "GET, POST";
    cfg->allow_headers = "Content-Type, Authorization, Last-Event-ID";
    cfg->max_age_s = ACCESS_MAX_AGE_S;
}

int access_cors_lines(const access_policy *p, const wsx_http_request *req, wsx_header *lines,
                      size_t *n)
{
    wsx_cors_config cfg;
    cors_config(p, &cfg);
    return wsx_cors_check(&cfg, req->headers, req->num_headers, lines, n) == WSX_OK ? 0 : -1;
}

size_t access_preflight(const access_policy *p, const wsx_http_request *req, char *out,
                        int *granted)
{
    wsx_cors_config cfg;
    size_t len = 0;
    int r;
    cors_config(p, &cfg);
    r = wsx_cors_preflight(&cfg, req->headers, req->num_headers, out, ACCESS_ANSWER_MAX, &len);
    *granted = r == WSX_OK;
    return len;
}

/* 1 if the request carries the token (see access.h). */
static int has_token(const char *token, const wsx_http_request *req)
{
    size_t tl = strlen(token);
    const wsx_header *h =
        wsx_http_header_next(req->headers, req->num_headers, "Authorization", NULL);
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

/* The peer address of fd (the port zeroed), 1 if known. */
static int peer_of(int fd, struct sockaddr_storage *a)
{
    socklen_t len = sizeof *a;
    memset(a, 0, sizeof *a);
    if (getpeername(fd, (struct sockaddr *)a, &len) != 0)
        return 0;
    if (a->ss_family == AF_INET)
        ((struct sockaddr_in *)a)->sin_port = 0;
    else if (a->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)a)->sin6_port = 0;
    return 1;
}

size_t access_streams_of_peer(int fd, const int *fds, size_t n)
{
    struct sockaddr_storage mine, other;
    size_t i, count = 0;
    if (!peer_of(fd, &mine))
        return 0;
    for (i = 0; i < n; i++)
        if (fds[i] != fd && peer_of(fds[i], &other) && memcmp(&mine, &other, sizeof mine) == 0)
            count++;
    return count;
}

size_t access_refusal(const access_policy *p, const wsx_http_request *req, size_t streams,
                      int head_only, char *out)
{
    wsx_header lines[WSX_CORS_MAX_HEADERS];
    wsx_sse_refusal_config rc;
    size_t n = 0, len = 0;
    const char *end;
    memset(&rc, 0, sizeof rc);
    if (access_cors_lines(p, req, lines, &n) != 0 && p->num_origins > 0) {
        rc.status = 403;
    } else if (p->token && !has_token(p->token, req)) {
        rc.status = 401;
        rc.challenge = "Bearer";
    } else if (p->max_streams_per_client && streams >= p->max_streams_per_client) {
        rc.status = 429;
        rc.retry_after_s = ACCESS_RETRY_AFTER_S;
    } else {
        return 0;
    }
    rc.headers = lines;
    rc.num_headers = n;
    rc.connection_close = 1;
    if (wsx_sse_refusal(&rc, out, ACCESS_ANSWER_MAX, &len) != WSX_OK)
        return 0;
    end = head_only ? strstr(out, "\r\n\r\n") : NULL;
    return end ? (size_t)(end + 4 - out) : len;
}
