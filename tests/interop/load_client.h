/*
 * load_client.h — what load_client.c (the loop), load_ws.c (WebSocket
 * clients) and load_sse.c (SSE clients) share.
 */
#ifndef LOAD_CLIENT_H
#define LOAD_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_SPECS 8
#define HEAD_MAX 8192

/* A client's life, in order (fail() and the barrier compare them). */
enum { ST_IDLE, ST_CONNECTING, ST_HEAD, ST_RUN, ST_HOLD, ST_CLOSING, ST_DONE, ST_FAILED };

enum {
    KIND_WS_ECHO,
    KIND_WS_CHAT,
    KIND_WS_PING,
    KIND_SSE_FEED,
    KIND_SSE_CHAT,
    KIND_DEMO_CHAT,
    KIND_COUNT
};

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

/* One KIND:PORT:COUNT[:N] argument. */
typedef struct spec {
    int kind, port, count, param, started, done, failed;
    unsigned long long checked; /* messages or events compared */
    char name[40];
} spec;

typedef struct conn {
    int fd, idx;
    unsigned short spec;
    unsigned char state, est, out_armed;
    buf in, out;
    size_t out_off;
    buf msg;  /* WebSocket: the message being assembled; SSE chat: the text */
    buf body; /* SSE: the decoded body not parsed yet */
    int sent, got;
    int msg_op;      /* opcode of the message being assembled, -1: none */
    int phase;       /* per kind: what comes next */
    long chunk_left; /* SSE: bytes of the chunk to come; -1 size line, -2 CRLF */
    unsigned long long next_id;
    unsigned char *seen; /* ws-chat: joined and left bits per name */
} conn;

typedef struct kind_op {
    const char *name;
    void (*start)(conn *c, spec *s); /* connected: queue the request */
    void (*input)(conn *c, spec *s); /* c->in grew */
    void (*eof)(conn *c, spec *s);   /* the server closed (fails unless it finishes c) */
    int (*close)(conn *c, spec *s);  /* at the barrier: 1 done, 0 a close is queued */
} kind_op;

extern const kind_op *const kind_ops[KIND_COUNT];
extern const kind_op ws_echo_op, ws_chat_op, ws_ping_op, sse_feed_op, sse_chat_op, demo_chat_op;

void fail(conn *c, const char *fmt, ...);
void established(conn *c);
void work_done(conn *c);
void finish(conn *c);

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int buf_room(buf *b, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 1024;
        uint8_t *p;
        while (cap - b->len < n)
            cap *= 2;
        p = (uint8_t *)realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    return 0;
}

static inline int buf_put(buf *b, const void *p, size_t n)
{
    if (buf_room(b, n) != 0)
        return -1;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static inline void buf_consume(buf *b, size_t n)
{
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

/* The length of the response head at the start of c->in (with its blank
 * line), 0 while incomplete, -1 when it is too long (c failed). */
long head_length(conn *c);

/* 1 if the head (lower-cased) holds needle (lower case). */
int head_has(const uint8_t *head, size_t len, const char *needle);

#endif
