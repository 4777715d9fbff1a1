/*
 * access.c — who may open a stream (examples/common/access.h): the CORS
 * lines of a stream's head, preflights, and the refusals (403, 401, 429).
 */
#include "sse_server.h"

#include <stdlib.h>

int cors_lines(server *s, const wsx_http_request *req, wsx_header *lines, size_t *n)
{
    return access_cors_lines(&s->opt.access, req, lines, n);
}

void answer_preflight(server *s, client *c, const wsx_http_request *req)
{
    char buf[ACCESS_ANSWER_MAX];
    int granted;
    size_t len = access_preflight(&s->opt.access, req, buf, &granted);
    note(granted ? "OPTIONS answered (preflight granted)" : "OPTIONS: preflight refused", c->fd);
    c->out_off = c->out_len = 0;
    out_put(s, c, buf, len);
    c->reuse = granted && c->keep_alive;
    finish(c);
}

int access_check(server *s, client *c, const wsx_http_request *req)
{
    char buf[ACCESS_ANSWER_MAX];
    size_t i, n = 0, len;
    int *fds = (int *)malloc((s->nclients + 1) * sizeof *fds);
    for (i = 0; fds && i < s->nclients; i++)
        if (s->clients[i]->phase == PH_EVENTS || s->clients[i]->phase == PH_CHAT)
            fds[n++] = s->clients[i]->fd;
    len = access_refusal(&s->opt.access, req, fds ? access_streams_of_peer(c->fd, fds, n) : 0,
                         c->head_only, buf);
    free(fds);
    if (len == 0)
        return 0;
    note("stream refused (origin, token or streams per client)", c->fd);
    c->out_off = c->out_len = 0;
    out_put(s, c, buf, len);
    finish(c);
    return -1;
}
