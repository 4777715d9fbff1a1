/*
 * The I/O-free part of the wsx echo servers: options, configuration, the
 * handshake's answer and the echo itself.  See echo_core.h.
 */
#include "echo_core.h"
#include "opt.h"

#include <stdlib.h>
#include <string.h>

/* ---- options ---------------------------------------------------------------- */

const char echo_options_help[] =
    "  --host H               address to listen on (default 127.0.0.1)\n"
    "  --port N               port (default 9001; 0 picks a free one)\n"
    "  --max-message BYTES    largest message accepted (default 16777216);\n"
    "                         bigger ones are refused with close 1009\n"
    "  --buffer BYTES         read buffer size (default 32768)\n"
    "  --queue BYTES          output queue per connection (default twice\n"
    "                         the buffer + 1024; at least the buffer + 1024)\n"
    "  --handshake-timeout MS drop a client whose request head is not\n"
    "                         complete in time (default 10000)\n"
    "  --max-connections N    slots (default 10000); when all are taken, the\n"
    "                         slowest request head gives its slot up (408),\n"
    "                         or the newcomer gets 503 with Retry-After\n"
    "  --ping-ms MS           ping a client after MS without a byte from it\n"
    "                         (default 30000; 0: no heartbeat)\n"
    "  --pong-timeout-ms MS   drop it (close 1001) if nothing comes back\n"
    "                         within MS of a ping (default 10000; 0: never)\n"
    "  --message-timeout-ms MS  drop it (close 1008) if a message it started\n"
    "                         is not complete within MS (default 60000;\n"
    "                         0: never)\n"
    "  --no-deflate           decline permessage-deflate (compression)\n"
    "  --deflate-window-bits N  9..15 (default 12): the window we compress\n"
    "                         with and the one we ask clients to use.\n"
    "                         Memory per compressing connection, allocated\n"
    "                         only when a client agrees: 15: 244 KiB,\n"
    "                         12: 60 KiB, 9: 39 KiB (a client that does not\n"
    "                         offer client_max_window_bits keeps 15: +28 KiB)\n"
    "  --quiet                no log lines on stderr\n";

static void default_options(echo_options *o)
{
    o->host = "127.0.0.1";
    o->port = 9001;
    o->max_message = WSX_WS_DEFAULT_MAX_MESSAGE;
    o->buffer = 32768;
    o->queue = 0;
    o->handshake_ms = 10000;
    o->max_connections = 10000;
    o->ping_ms = 30000;
    o->pong_ms = 10000;
    o->message_ms = WSX_WS_CONN_DEFAULT_MESSAGE_TIMEOUT_MS;
    o->quiet = 0;
    o->deflate_bits = PMD_DEFAULT_BITS;
}

/* One option with a number n.  Returns 0, or -1 when a is unknown or n is
 * out of its range. */
static int number_option(echo_options *o, const char *a, uint64_t n)
{
    if (strcmp(a, "--port") == 0 && n <= 65535)
        o->port = (int)n;
    else if (strcmp(a, "--max-message") == 0 && n > 0)
        o->max_message = n;
    else if (strcmp(a, "--buffer") == 0 && n >= 1024 && n <= (1u << 30))
        o->buffer = (size_t)n;
    else if (strcmp(a, "--queue") == 0 && n <= (2u << 30))
        o->queue = (size_t)n;
    else if (strcmp(a, "--handshake-timeout") == 0 && n > 0)
        o->handshake_ms = n;
    else if (strcmp(a, "--max-connections") == 0 && n > 0 && n < 10000000)
        o->max_connections = (long)n;
    else if (strcmp(a, "--ping-ms") == 0)
        o->ping_ms = n;
    else if (strcmp(a, "--pong-timeout-ms") == 0)
        o->pong_ms = n;
    else if (strcmp(a, "--message-timeout-ms") == 0)
        o->message_ms = n;
    else if (strcmp(a, "--deflate-window-bits") == 0 && n >= 9 && n <= 15)
        o->deflate_bits = (unsigned)n;
    else
        return -1;
    return 0;
}

int echo_options_parse(int argc, char **argv, echo_options *o)
{
    int i;
    default_options(o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-deflate") == 0) {
            o->deflate_bits = 0;
            continue;
        }
        if (strcmp(a, "--host") == 0 && v)
            o->host = v;
        else if (opt_u64(v, 0, UINT64_MAX, &n) != 0 || number_option(o, a, n) != 0)
            return -1;
        i++;
    }
    /* The echo of one read is at most the read plus a few frame headers:
     * twice the read leaves room for the next read while one drains.  The
     * bytes behind a request head (up to a buffer) are decoded with an
     * empty queue, which must take their echo. */
    if (o->queue == 0)
        o->queue = 2 * o->buffer + 1024;
    if (o->queue < o->buffer + 1024)
        return -1;
    return 0;
}

void echo_config(const echo_options *o, wsx_ws_conn_config *conn_cfg, wsx_hs_server_config *hs_cfg)
{
    wsx_ws_conn_config_default(conn_cfg);
    conn_cfg->role = WSX_WS_SERVER;
    conn_cfg->decoder.max_message_size = o->max_message;
    conn_cfg->decoder.max_frame_size = o->max_message;
    /* A compressed frame of a message at the limit may be a little longer
     * than the message (incompressible data; wsx_conn.h gives the bound). */
    if (o->deflate_bits && o->max_message < UINT64_MAX / 2)
        conn_cfg->decoder.max_frame_size += o->max_message / 8 + o->max_message / 32 + 64;
    /* The decoder already checked every byte of text we echo. */
    conn_cfg->check_send_utf8 = 0;
    conn_cfg->ping_interval_ms = o->ping_ms;
    conn_cfg->pong_timeout_ms = o->pong_ms;
    conn_cfg->message_timeout_ms = o->message_ms ? o->message_ms : WSX_WS_CONN_NO_TIMEOUT;
    memset(hs_cfg, 0, sizeof *hs_cfg); /* any Origin, no subprotocol */
    pmd_server_policy(&hs_cfg->deflate, o->deflate_bits);
}

/* ---- handshake ---------------------------------------------------------------- */

int echo_open(echo_session *e, const wsx_hs_server_config *hs_cfg,
              const wsx_ws_conn_config *conn_cfg, const wsx_http_request *req, uint8_t *out,
              size_t out_cap, char *resp, size_t resp_cap, size_t *resp_len, uint64_t now)
{
    wsx_hs_request info;
    /* Writes the 101, or the refusal (400, 405, 426 ...) for a bad request. */
    int r = wsx_hs_server_answer_request(hs_cfg, req, &info, resp, resp_cap, resp_len);
    if (r != WSX_OK) {
        if (r == WSX_E_BUFFER) /* *resp_len is the size needed: nothing to send */
            *resp_len = 0;
        return r;
    }
    memset(e, 0, sizeof *e);
    wsx_ws_conn_init(&e->conn, conn_cfg, out, out_cap);
    /* min_size 1: a compressed message goes back compressed, however short. */
    if (info.permessage_deflate)
        e->pmd = pmd_attach(&e->conn, &info.deflate, WSX_WS_SERVER, 1);
    wsx_ws_conn_open(&e->conn, now);
    if (info.permessage_deflate && !e->pmd) /* the 101 said yes: go no further */
        wsx_ws_conn_close(&e->conn, 1011, "out of memory", 13, now);
    return WSX_OK;
}

void echo_close(echo_session *e)
{
    free(e->pmd);
    e->pmd = NULL;
    e->stalled = 0;
}

/* ---- echo ------------------------------------------------------------------- */

/* Queue room kept beyond an echo: a few frame headers, a close frame. */
#define ECHO_SLACK 256

/* Queues the held-back piece as a non-final fragment. */
static int flush_piece(echo_session *e)
{
    int r = WSX_OK;
    if (!e->piece)
        return WSX_OK;
    if (!e->msg_streaming) {
        r = wsx_ws_conn_stream_begin(&e->conn, e->msg_opcode);
        e->msg_streaming = 1;
    }
    if (r == WSX_OK)
        r = wsx_ws_conn_stream_part(&e->conn, e->piece, e->piece_len);
    e->piece = NULL;
    return r;
}

/* Echoes one decoded event.  The last piece of payload seen is held back
 * until the next event says whether it ends the message: a message that
 * arrives in one buffer then goes back as one frame, not as a fragment
 * plus an empty final frame.  Returns WSX_OK or the send error. */
static int echo_event(echo_session *e, const wsx_ws_event *ev)
{
    int r = WSX_OK;
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE_START:
        /* Compressed in, compressed out; plain in, plain out. */
        e->msg_opcode = ev->opcode;
        if (e->pmd && !(ev->rsv & WSX_WS_RSV1))
            e->msg_opcode |= WSX_WS_NO_COMPRESS;
        e->msg_streaming = 0;
        break;
    case WSX_WS_EV_DATA:
        r = flush_piece(e);
        e->piece = ev->data;
        e->piece_len = ev->size;
        if (e->pmd && !(e->msg_opcode & WSX_WS_NO_COMPRESS)) {
            /* Inflated bytes: the next recv reuses the scratch. */
            memcpy(e->pmd->hold, ev->data, ev->size);
            e->piece = e->pmd->hold;
        }
        break;
    case WSX_WS_EV_MESSAGE: /* whole: back as it came (never compressed) */
        r = wsx_ws_conn_send(&e->conn, ev->opcode | (e->pmd ? WSX_WS_NO_COMPRESS : 0), ev->data,
                             ev->size);
        break;
    case WSX_WS_EV_MESSAGE_END:
        if (e->msg_streaming)
            r = wsx_ws_conn_stream_end(&e->conn, e->piece, e->piece ? e->piece_len : 0);
        else
            r = wsx_ws_conn_send(&e->conn, e->msg_opcode, e->piece, e->piece ? e->piece_len : 0);
        e->piece = NULL;
        e->msg_streaming = 0;
        break;
    default:
        /* Pings, pongs and closes: the connection layer already queued the
         * pong or the close echo. */
        break;
    }
    return r;
}

/* Whether the echo of the next event from left more input bytes surely
 * fits: an event sends at most the piece held back plus its own payload,
 * which is at most the input left, or a scratch of inflated bytes.  Never
 * stops while the queue is empty (a buffer's echo always fits then). */
static int can_go_on(echo_session *e, size_t left)
{
    size_t need = ECHO_SLACK + (e->piece ? e->piece_len : 0) + (e->pmd ? PMD_SCRATCH : left);
    if (wsx_ws_conn_state(&e->conn) != WSX_WS_OPEN || wsx_ws_conn_output_size(&e->conn) == 0)
        return 1;
    return wsx_ws_conn_send_room(&e->conn) >= need;
}

int echo_feed(echo_session *e, uint8_t *buf, size_t len, uint64_t now)
{
    e->stalled = 0;
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r;
        if (len && !can_go_on(e, len)) {
            e->stalled = 1; /* the caller keeps buf; echo_resume goes on */
            e->pend = buf;
            e->pend_len = len;
            return 1;
        }
        r = wsx_ws_conn_recv(&e->conn, buf, len, &used, &ev, now);
        buf += used;
        len -= used;
        if (r < 0) { /* failed: the close frame is queued */
            e->piece = NULL;
            return 0;
        }
        if (r == 0) /* everything decoded */
            break;
        r = echo_event(e, &ev);
        if (r != WSX_OK && r != WSX_E_CONN_CLOSED)
            goto broken;
    }
    /* The caller reuses buf: a piece held back must go out now, as a
     * fragment (the message continues in later input). */
    if (flush_piece(e) == WSX_OK || wsx_ws_conn_state(&e->conn) != WSX_WS_OPEN)
        return 0;
broken:
    /* Cannot happen with the room checked; never drop data silently. */
    fputs("echo: internal error: echo did not fit in the queue\n", stderr);
    e->piece = NULL;
    wsx_ws_conn_close(&e->conn, 1011, NULL, 0, now);
    return 0;
}

int echo_resume(echo_session *e, uint64_t now)
{
    if (!e->stalled)
        return 0;
    if (!can_go_on(e, e->pend_len))
        return 1;
    return echo_feed(e, e->pend, e->pend_len, now);
}

/* Whether p lies in from[0..len) (compared as addresses: from and p may
 * belong to different objects). */
static int points_into(const uint8_t *p, const uint8_t *from, size_t len)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)from;
    return p && a >= b && a - b < len;
}

uint8_t *echo_kept_from(const echo_session *e, uint8_t *buf, size_t len)
{
    size_t first = len;
    if (e->stalled && points_into(e->pend, buf, len))
        first = (size_t)((uintptr_t)e->pend - (uintptr_t)buf);
    if (points_into(e->piece, buf, len) && (size_t)((uintptr_t)e->piece - (uintptr_t)buf) < first)
        first = (size_t)((uintptr_t)e->piece - (uintptr_t)buf);
    return buf + first;
}

void echo_moved(echo_session *e, const uint8_t *from, size_t len, uint8_t *to)
{
    if (e->stalled && points_into(e->pend, from, len))
        e->pend = to + ((uintptr_t)e->pend - (uintptr_t)from);
    if (points_into(e->piece, from, len))
        e->piece = to + ((uintptr_t)e->piece - (uintptr_t)from);
}

/* The echo of n bytes needs at most n + ECHO_SLACK bytes of queue. */
size_t echo_read_room(echo_session *e, size_t cap)
{
    size_t room = wsx_ws_conn_send_room(&e->conn);
    if (room <= ECHO_SLACK)
        return 0;
    room -= ECHO_SLACK;
    return room < cap ? room : cap;
}
