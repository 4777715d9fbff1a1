/*
 * redis_loop.c — hiredis' asynchronous API on the demo's own epoll loop,
 * with reconnection (cluster mode; built when hiredis is present).
 *
 *   - hiredis asks for read and write interest through its ev hooks
 *     (addRead, delRead, addWrite, delWrite, cleanup); each hook turns the
 *     wanted events into an epoll_ctl on the server's epoll set, with the
 *     rconn as data.ptr (run_loop hands such events to rconn_io).  Nothing
 *     blocks: the connect is nonblocking (the address must be numeric, no
 *     resolver), commands are buffered by hiredis and written when the
 *     socket is writable, replies parsed when it is readable.
 *   - hiredis 0.14 has no timer hook: the connect timeout, the retry
 *     backoff and the liveness ping are deadlines that run_timers asks for
 *     (rconn_timers).
 *   - A connection is "up" once Redis answers PING: after a restart Redis
 *     refuses commands (-LOADING) until its data is loaded, so the first
 *     commands (subscriptions, scripts) wait for that, asked every 100 ms.
 *   - A lost connection (refused, reset, Redis restarted, no answer to a
 *     ping in RCONN_PING_TIMEOUT_MS) is retried after 100 ms, doubling to
 *     2 s; each change is a log line.  Commands sent while it is down fail
 *     at once (rconn_command returns -1) and their callers fall back.
 */
#include "cluster.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#define RCONN_CONNECT_TIMEOUT_MS 2000
#define RCONN_BACKOFF_MIN_MS 100
#define RCONN_BACKOFF_MAX_MS 2000
#define RCONN_PING_MS 1000
#define RCONN_PING_TIMEOUT_MS 3000
#define RCONN_READY_RETRY_MS 100

/* ---- the ev hooks --------------------------------------------------------------- */

static void watch(rconn *rc, uint32_t events)
{
    struct epoll_event ev;
    if (!rc->ac)
        return;
    ev.events = events;
    ev.data.ptr = rc;
    if (!rc->in_epoll) {
        if (epoll_ctl(rc->srv->epfd, EPOLL_CTL_ADD, rc->ac->c.fd, &ev) == 0)
            rc->in_epoll = 1;
    } else if (events != rc->events) {
        epoll_ctl(rc->srv->epfd, EPOLL_CTL_MOD, rc->ac->c.fd, &ev);
    }
    rc->events = events;
}

static void ev_add_read(void *p) { watch((rconn *)p, ((rconn *)p)->events | EPOLLIN); }
static void ev_del_read(void *p) { watch((rconn *)p, ((rconn *)p)->events & ~(uint32_t)EPOLLIN); }
static void ev_add_write(void *p) { watch((rconn *)p, ((rconn *)p)->events | EPOLLOUT); }
static void ev_del_write(void *p) { watch((rconn *)p, ((rconn *)p)->events & ~(uint32_t)EPOLLOUT); }

/* hiredis is about to close the socket (closing takes it out of epoll). */
static void ev_cleanup(void *p)
{
    rconn *rc = (rconn *)p;
    if (rc->ac && rc->in_epoll)
        epoll_ctl(rc->srv->epfd, EPOLL_CTL_DEL, rc->ac->c.fd, NULL);
    rc->in_epoll = 0;
    rc->events = 0;
}

/* ---- state changes ----------------------------------------------------------------- */

/* The connection is gone (or never came): retry after the backoff.  Safe
 * to call more than once and from inside hiredis' callbacks. */
static void lost(rconn *rc, const char *why)
{
    int was_up = rc->up;
    rc->ac = NULL; /* hiredis frees it */
    rc->up = 0;
    rc->tcp_up = 0;
    rc->ready_at = 0;
    rc->ping_due = 0;
    if (rc->retry_at)
        return;
    rc->retry_at = net_now_ms() + rc->backoff_ms;
    if (was_up)
        logmsg("redis %s: connection lost (%s); retrying in %llu ms", rc->role, why,
               (unsigned long long)rc->backoff_ms);
    rc->backoff_ms =
        rc->backoff_ms * 2 > RCONN_BACKOFF_MAX_MS ? RCONN_BACKOFF_MAX_MS : rc->backoff_ms * 2;
    if (was_up && rc->on_down)
        rc->on_down(rc);
}

static void ask_ready(rconn *rc);

/* The first PING's answer: PONG, or an error while Redis loads its data
 * (-LOADING after a restart): asked again in RCONN_READY_RETRY_MS. */
static void on_ready(redisAsyncContext *ac, void *reply, void *priv)
{
    rconn *rc = (rconn *)priv;
    const redisReply *r = (const redisReply *)reply;
    (void)ac;
    if (!r || !rc->ac || rc->up)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        if (!rc->loading_logged++)
            logmsg("redis %s: not ready yet (%s)", rc->role, r->str);
        rc->ready_at = net_now_ms() + RCONN_READY_RETRY_MS;
        return;
    }
    rc->up = 1;
    rc->loading_logged = 0;
    rc->backoff_ms = RCONN_BACKOFF_MIN_MS;
    rc->next_ping = net_now_ms() + RCONN_PING_MS;
    logmsg("redis %s: connected to %s:%d", rc->role, rc->host, rc->port);
    if (rc->on_up)
        rc->on_up(rc);
}

static void ask_ready(rconn *rc)
{
    rc->ready_at = 0;
    if (redisAsyncCommand(rc->ac, on_ready, rc, "PING") != REDIS_OK)
        rc->ready_at = net_now_ms() + RCONN_READY_RETRY_MS;
}

/* The TCP connection is up; the commands wait for Redis to be ready. */
static void on_connect(const redisAsyncContext *ac, int status)
{
    rconn *rc = (rconn *)ac->data;
    if (status != REDIS_OK) {
        lost(rc, ac->errstr[0] ? ac->errstr : "connect failed");
        return;
    }
    rc->tcp_up = 1;
    ask_ready(rc);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    rconn *rc = (rconn *)ac->data;
    lost(rc, status == REDIS_OK ? "closed" : ac->errstr[0] ? ac->errstr : "error");
}

static void connect_now(rconn *rc)
{
    redisAsyncContext *ac = redisAsyncConnect(rc->host, rc->port);
    rc->retry_at = 0;
    if (!ac) {
        lost(rc, "out of memory");
        return;
    }
    if (ac->err) {
        char why[128];
        snprintf(why, sizeof why, "%s", ac->errstr);
        redisAsyncFree(ac);
        lost(rc, why);
        return;
    }
    rc->ac = ac;
    rc->in_epoll = 0;
    rc->events = 0;
    ac->data = rc;
    ac->ev.data = rc;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    rc->connect_due = net_now_ms() + RCONN_CONNECT_TIMEOUT_MS;
    redisAsyncSetConnectCallback(ac, on_connect); /* watches for writable: the connect's end */
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

/* ---- the interface --------------------------------------------------------------------- */

void rconn_init(rconn *rc, server *s, const char *role, const char *host, int port)
{
    memset(rc, 0, sizeof *rc);
    rc->srv = s;
    rc->role = role;
    rc->host = host;
    rc->port = port;
    rc->backoff_ms = RCONN_BACKOFF_MIN_MS;
    rc->retry_at = 1; /* at the first timer run */
}

void rconn_io(rconn *rc, uint32_t events)
{
    if (rc->ac && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        redisAsyncHandleRead(rc->ac);
    if (rc->ac && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
        redisAsyncHandleWrite(rc->ac);
}

/* Ends the connection from outside hiredis' callbacks (a timeout). */
static void drop(rconn *rc, const char *why)
{
    redisAsyncContext *ac = rc->ac;
    lost(rc, why); /* first: the disconnect callback then finds it done */
    if (ac)
        redisAsyncFree(ac);
}

static void on_pong(redisAsyncContext *ac, void *reply, void *priv)
{
    rconn *rc = (rconn *)priv;
    (void)ac;
    if (reply && rc->up)
        rc->ping_due = 0;
}

uint64_t rconn_timers(rconn *rc, uint64_t now)
{
    if (rc->retry_at && rc->retry_at <= now)
        connect_now(rc);
    if (rc->retry_at)
        return rc->retry_at;
    if (!rc->up) {
        if (rc->ac && !rc->tcp_up && now >= rc->connect_due)
            drop(rc, "connect timed out");
        else if (rc->ac && rc->ready_at && now >= rc->ready_at)
            ask_ready(rc);
        if (rc->retry_at)
            return rc->retry_at;
        if (!rc->tcp_up)
            return rc->connect_due;
        return rc->ready_at ? rc->ready_at : UINT64_MAX;
    }
    if (rc->ping_due && now >= rc->ping_due) {
        drop(rc, "no answer to PING");
        return rc->retry_at;
    }
    if (rc->pings && now >= rc->next_ping) {
        if (!rc->ping_due && redisAsyncCommand(rc->ac, on_pong, rc, "PING") == REDIS_OK)
            rc->ping_due = now + RCONN_PING_TIMEOUT_MS;
        rc->next_ping = now + RCONN_PING_MS;
    }
    if (!rc->pings) /* ping_due: the caller's own deadline for an answer (XREAD) */
        return rc->ping_due ? rc->ping_due : UINT64_MAX;
    return rc->ping_due && rc->ping_due < rc->next_ping ? rc->ping_due : rc->next_ping;
}

int rconn_command(rconn *rc, redisCallbackFn *fn, void *priv, const char *fmt, ...)
{
    va_list ap;
    int r;
    if (!rc->up || !rc->ac)
        return -1;
    va_start(ap, fmt);
    r = redisvAsyncCommand(rc->ac, fn, priv, fmt, ap);
    va_end(ap);
    return r == REDIS_OK ? 0 : -1;
}

int rconn_argv(rconn *rc, redisCallbackFn *fn, void *priv, int argc, const char **argv,
               const size_t *lens)
{
    if (!rc->up || !rc->ac)
        return -1;
    return redisAsyncCommandArgv(rc->ac, fn, priv, argc, argv, lens) == REDIS_OK ? 0 : -1;
}

void rconn_close(rconn *rc)
{
    redisAsyncContext *ac = rc->ac;
    rc->on_down = NULL;
    rc->retry_at = UINT64_MAX; /* never again */
    rc->up = 0;
    rc->ac = NULL;
    if (ac)
        redisAsyncFree(ac);
}
