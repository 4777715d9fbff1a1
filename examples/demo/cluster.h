/*
 * cluster.h — what the cluster-mode files share (redis_loop.c, cluster.c,
 * cluster_feed.c, cluster_chat.c, cluster_gen.c); built only with
 * DEMO_CLUSTER (hiredis present).  The rest of the demo sees the
 * cluster_* functions declared in demo.h.
 */
#ifndef WSX_DEMO_CLUSTER_H
#define WSX_DEMO_CLUSTER_H

#include "demo.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <stdarg.h>
#include <stdio.h>

/* ---- redis_loop.c: one reconnecting hiredis connection on the epoll loop -- */

typedef struct rconn {
    server *srv;
    const char *role; /* for log lines */
    const char *host;
    int port;
    redisAsyncContext *ac; /* NULL while down */
    uint32_t events;       /* epoll events watched */
    int in_epoll;
    int tcp_up;                    /* connected, Redis perhaps still loading */
    int up;                        /* connected and Redis answers */
    int loading_logged;            /* "not ready" said once per connect */
    uint64_t ready_at;             /* ask again whether Redis is ready */
    int pings;                     /* check liveness with PING (not in subscribe mode) */
    uint64_t retry_at;             /* connect then (0: not waiting) */
    uint64_t backoff_ms;           /* the next wait */
    uint64_t connect_due;          /* connect timeout */
    uint64_t next_ping, ping_due;  /* PING schedule, and its answer's deadline */
    void (*on_up)(struct rconn *); /* connected: the first commands */
    void (*on_down)(struct rconn *);
} rconn;

void rconn_init(rconn *rc, server *s, const char *role, const char *host, int port);
void rconn_io(rconn *rc, uint32_t events);
uint64_t rconn_timers(rconn *rc, uint64_t now); /* the next deadline */
/* A command (hiredis format) or an argv one; -1 when down (fn not called). */
int rconn_command(rconn *rc, redisCallbackFn *fn, void *priv, const char *fmt, ...);
int rconn_argv(rconn *rc, redisCallbackFn *fn, void *priv, int argc, const char **argv,
               const size_t *lens);
void rconn_close(rconn *rc);

/* ---- cluster.c ------------------------------------------------------------- */

#define INSTANCE_MAX 16
#define REMOTE_USERS_MAX 256
#define HEARTBEAT_MS 1000
#define PRESENCE_TTL_MS 3000 /* an instance unheard of this long is dead */

typedef struct cluster {
    server *srv;
    char inst[INSTANCE_MAX + 1];
    char host[64];
    int port;
    rconn cmd;   /* commands, scripts, PUBLISH */
    rconn sub;   /* SUBSCRIBE wsx:chat, wsx:ctl */
    rconn feed;  /* XREAD BLOCK on the feed's stream */
    int started; /* the first start's cleanup ran */
    uint64_t next_beat;
    int feed_reading; /* an XREAD is pending */
    /* names connected to other instances (the welcome's list) */
    char remote[REMOTE_USERS_MAX][NAME_MAX_LEN + 1];
    size_t nremote;
} cluster;

/* The wall clock in ms (the feed's ticks, the history's order). */
uint64_t cluster_wall_ms(void);
/* Connected on every connection: what /api/health reports. */
int cluster_up(const cluster *cl);
/* The reply's serial-numbered client, when it is still there. */
client *client_by_serial(server *s, uint64_t serial);
#define SERIAL_PRIV(c) ((void *)(uintptr_t)(c)->serial)
#define PRIV_SERIAL(p) ((uint64_t)(uintptr_t)(p))

/* ---- cluster_feed.c ---------------------------------------------------------- */

void cluster_feed_up(rconn *rc); /* the feed connection is (re)connected */

/* ---- cluster_chat.c ---------------------------------------------------------- */

void cluster_chat_message(cluster *cl, const char *msg, size_t len); /* from wsx:chat */
void cluster_chat_register(cluster *cl, int fresh);                  /* the local names, again */
void cluster_remote_users(cluster *cl, const redisReply *names);

/* ---- cluster_gen.c ----------------------------------------------------------- */

void cluster_ctl_message(cluster *cl, const char *msg, size_t len); /* from wsx:ctl */
void cluster_gen_resync(cluster *cl);                               /* every local record, again */

/* The reaper script (cluster.c runs it each heartbeat). */
extern const char reap_script[];

#endif
