/*
 * access.c — who may open a stream (examples/common/access.h: CORS,
 * --token, --max-streams-per-client): preflights and refusals of
 * GET /events and POST /api/chat.
 */
#include "demo.h"

#include <stdlib.h>

void access_answer_preflight(client *c, const wsx_http_request *req)
{
    char buf[ACCESS_ANSWER_MAX];
    int granted;
    size_t len = access_preflight(&c->srv->opt.access, req, buf, &granted);
    if (!granted)
        c->keep_alive = 0;
    if (out_append(c, buf, len) != 0 || !c->keep_alive)
        c->close_after = 1;
}

int access_refused(client *c, const wsx_http_request *req)
{
    char buf[ACCESS_ANSWER_MAX];
    size_t n = 0, len;
    const client *o;
    int *fds = (int *)malloc((size_t)(c->srv->nclients + 1) * sizeof *fds);
    for (o = c->srv->clients; fds && o; o = o->next)
        if ((o->kind == K_STREAM || o->kind == K_FEED) && !o->dead && n < (size_t)c->srv->nclients)
            fds[n++] = o->fd;
    len = access_refusal(&c->srv->opt.access, req, fds ? access_streams_of_peer(c->fd, fds, n) : 0,
                         http_method_is(req, "HEAD"), buf);
    free(fds);
    if (len == 0)
        return 0;
    c->keep_alive = 0;
    out_append(c, buf, len);
    c->close_after = 1;
    return 1;
}
