/*
 * lws_echo — a minimal libwebsockets (4.1) echo server: the C peer that
 * bench/bench_ws_echo.c measures next to build/examples/ws_echo.
 *
 *   lws_echo [--host H] [--port N] [--quiet] [--drain]
 *
 * Same command line contract as ws_echo: listens on H:N (--port 0: the
 * kernel picks; the "listening" line says which port), echoes every text
 * and binary message with its type, answers pings and closes (lws does
 * both itself).  SIGTERM / SIGINT end it (default disposition).  --quiet
 * is accepted and ignored (only the "listening" line and errors print).
 *
 * Written the way the lws documentation and its maintainer recommend for
 * throughput, without tricks that the docs advise against:
 *   - one context, one service thread, the default (poll) event loop;
 *   - every piece of a message that LWS_CALLBACK_RECEIVE hands over is
 *     copied into a per-connection FIFO slot that keeps LWS_PRE bytes of
 *     headroom in front of the payload, so lws_write() can put the frame
 *     header there without another copy;
 *   - exactly one lws_write() per LWS_CALLBACK_SERVER_WRITEABLE, then
 *     lws_callback_on_writable() again while the FIFO is not empty ("do one
 *     write, ask for the writable callback, and return" is the advice for
 *     servers with many connections);
 *   - pieces go back with lws_write_ws_flags(type, first, final), so a
 *     fragmented or large message (delivered in several RECEIVE calls) is
 *     echoed as the same message, fragmented at lws's chunk boundaries;
 *   - when the FIFO holds many pieces, lws_rx_flow_control(wsi, 0) stops
 *     reading that connection until writes drain it (backpressure).  The
 *     FIFO grows instead of dropping if lws still delivers data after that.
 *   - rx_buffer_size 64 KiB: frames up to that size arrive in one RECEIVE;
 *     pt_serv_buf_size 64 KiB: one recv() can take many small frames.
 *
 * --drain bends the one-write rule (not used by bench_ws_echo's table):
 * each WRITEABLE writes queued pieces while lws_send_pipe_choked() says
 * the socket takes more.  Still one send() per message: lws frames and
 * sends every lws_write() on its own.
 *
 * Slot buffers are allocated when a slot first needs them and reused for
 * the life of the connection: nothing is allocated per message once warm.
 *
 * Build: cc -O2 bench/lws_echo.c $(pkg-config --cflags --libs libwebsockets)
 * (the Makefile's bench target does this when libwebsockets-dev is there).
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RX_CHUNK 65536u  /* rx_buffer_size: largest atomic piece */
#define SERV_BUF 65536u  /* pt_serv_buf_size: recv() size */
#define FIFO_INITIAL 32u /* slots per connection to begin with */
#define FIFO_PAUSE 24u   /* pieces queued: stop reading */
#define FIFO_RESUME 8u   /* pieces queued: read again */

typedef struct piece {
    unsigned char *buf; /* LWS_PRE headroom + payload */
    size_t cap;         /* payload capacity after the headroom */
    size_t len;
    unsigned char binary, first, final;
} piece;

static int drain; /* --drain */

typedef struct session { /* lws allocates and zeroes it per connection */
    piece *slots;
    unsigned cap, head, count;
    int rx_paused;
} session;

static int fifo_grow(session *s)
{
    unsigned cap = s->cap ? s->cap * 2 : FIFO_INITIAL, i;
    piece *slots = (piece *)calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (i = 0; i < s->count; i++)
        slots[i] = s->slots[(s->head + i) % s->cap];
    for (; i < s->cap; i++) /* keep the idle slots' buffers too */
        slots[i] = s->slots[(s->head + i) % s->cap];
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    s->head = 0;
    return 0;
}

static int fifo_push(session *s, struct lws *wsi, const void *in, size_t len)
{
    piece *p;
    if (s->count == s->cap && fifo_grow(s) != 0)
        return -1;
    p = &s->slots[(s->head + s->count) % s->cap];
    if (p->cap < len || !p->buf) {
        size_t cap = len < 256 ? 256 : len;
        unsigned char *buf = (unsigned char *)realloc(p->buf, LWS_PRE + cap);
        if (!buf)
            return -1;
        p->buf = buf;
        p->cap = cap;
    }
    if (len)
        memcpy(p->buf + LWS_PRE, in, len);
    p->len = len;
    p->binary = (unsigned char)lws_frame_is_binary(wsi);
    p->first = (unsigned char)lws_is_first_fragment(wsi);
    p->final = (unsigned char)lws_is_final_fragment(wsi);
    s->count++;
    return 0;
}

static int write_one(session *s, struct lws *wsi)
{
    piece *p;
    int flags;
    if (!s->count)
        return 0;
again:
    p = &s->slots[s->head];
    flags = lws_write_ws_flags(p->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT, p->first, p->final);
    if (lws_write(wsi, p->buf + LWS_PRE, p->len, (enum lws_write_protocol)flags) < (int)p->len)
        return -1;
    s->head = (s->head + 1) % s->cap;
    s->count--;
    if (s->rx_paused && s->count <= FIFO_RESUME) {
        s->rx_paused = 0;
        lws_rx_flow_control(wsi, 1);
    }
    if (drain && s->count && !lws_send_pipe_choked(wsi))
        goto again;
    if (s->count)
        lws_callback_on_writable(wsi);
    return 0;
}

static void session_free(session *s)
{
    unsigned i;
    for (i = 0; i < s->cap; i++)
        free(s->slots[i].buf);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static int echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    session *s = (session *)user;
    switch (reason) {
    case LWS_CALLBACK_RECEIVE:
        if (fifo_push(s, wsi, in, len) != 0)
            return -1;
        if (!s->rx_paused && s->count >= FIFO_PAUSE) {
            s->rx_paused = 1;
            lws_rx_flow_control(wsi, 0);
        }
        lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return write_one(s, wsi);
    case LWS_CALLBACK_CLOSED:
        session_free(s);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    /* First in the list: the protocol of connections that ask for none. */
    {"echo", echo_callback, sizeof(session), RX_CHUNK, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}};

int main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    struct lws_context *context;
    struct lws_vhost *vhost;
    const char *host = "127.0.0.1";
    int port = 8080, i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--host") && i + 1 < argc)
            host = argv[++i];
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--drain"))
            drain = 1;
        else if (strcmp(argv[i], "--quiet") != 0) {
            fprintf(stderr, "usage: lws_echo [--host H] [--port N] [--quiet] [--drain]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.pt_serv_buf_size = SERV_BUF;
    info.count_threads = 1;
    context = lws_create_context(&info);
    if (!context) {
        fprintf(stderr, "lws_echo: lws_create_context failed\n");
        return 1;
    }
    info.port = port;
    info.iface = host;
    info.protocols = protocols;
    vhost = lws_create_vhost(context, &info);
    if (!vhost) {
        fprintf(stderr, "lws_echo: cannot listen on %s:%d\n", host, port);
        lws_context_destroy(context);
        return 1;
    }
    printf("lws_echo listening on %s:%d (libwebsockets %s)\n", host,
           lws_get_vhost_listen_port(vhost), lws_get_library_version());
    fflush(stdout);
    while (lws_service(context, 0) >= 0)
        ;
    lws_context_destroy(context);
    return 0;
}
