/*
 * echo.c — ws_echo's opening handshake and the echo itself (the design is
 * described in ws_echo.h).
 */
#include "ws_echo.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- echo ------------------------------------------------------------------- */

/* Queue room kept beyond an echo: a few frame headers, a close frame. */
#define READ_SLACK 256

/* Queues the held-back piece as a non-final fragment. */
static int flush_piece(client *c)
{
    int r = WSX_OK;
    if (!c->piece)
        return WSX_OK;
    if (!c->msg_streaming) {
        r = wsx_ws_conn_stream_begin(&c->conn, c->msg_opcode);
        c->msg_streaming = 1;
    }
    if (r == WSX_OK)
        r = wsx_ws_conn_stream_part(&c->conn, c->piece, c->piece_len);
    c->piece = NULL;
    return r;
}

/* Echoes one decoded event.  The last piece of payload seen is held back
 * until the next event says whether it ends the message: a message that
 * arrives in one read then goes back as one frame, not as a fragment plus
 * an empty final frame.  Returns WSX_OK or the send error. */
static int echo_event(client *c, const wsx_ws_event *ev)
{
    int r = WSX_OK;
    switch (ev->kind) {
    case WSX_WS_EV_MESSAGE_START:
        /* Compressed in, compressed out; plain in, plain out. */
        c->msg_opcode = ev->opcode;
        if (c->pmd && !(ev->rsv & WSX_WS_RSV1))
            c->msg_opcode |= WSX_WS_NO_COMPRESS;
        c->msg_streaming = 0;
        break;
    case WSX_WS_EV_DATA:
        r = flush_piece(c);
        c->piece = ev->data;
        c->piece_len = ev->size;
        if (c->pmd && !(c->msg_opcode & WSX_WS_NO_COMPRESS)) {
            /* Inflated bytes: the next recv reuses the scratch. */
            memcpy(c->pmd->hold, ev->data, ev->size);
            c->piece = c->pmd->hold;
        }
        break;
    case WSX_WS_EV_MESSAGE: /* whole: back as it came (never compressed) */
        r = wsx_ws_conn_send(&c->conn, ev->opcode | (c->pmd ? WSX_WS_NO_COMPRESS : 0), ev->data,
                             ev->size);
        break;
    case WSX_WS_EV_MESSAGE_END:
        if (c->msg_streaming)
            r = wsx_ws_conn_stream_end(&c->conn, c->piece, c->piece ? c->piece_len : 0);
        else
            r = wsx_ws_conn_send(&c->conn, c->msg_opcode, c->piece, c->piece ? c->piece_len : 0);
        c->piece = NULL;
        c->msg_streaming = 0;
        break;
    default:
        /* Pings, pongs and closes: the connection layer already queued the
         * pong or the close echo. */
        break;
    }
    return r;
}

/* Decodes buf[0..len) to the last byte and queues every reply.  Reads are
 * sized (read_room) so that the replies always fit in the queue: an echo
 * is never longer than its input plus a few frame headers. */
void process_input(client *c, uint8_t *buf, size_t len, uint64_t now)
{
    c->stalled = 0;
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r;
        if (c->pmd && !can_go_on(c)) {
            c->stalled = 1; /* `in` keeps the rest; settle() resumes */
            c->pend = buf;
            c->pend_len = len;
            return;
        }
        r = wsx_ws_conn_recv(&c->conn, buf, len, &used, &ev, now);
        buf += used;
        len -= used;
        if (r < 0) { /* failed: the close frame is queued */
            c->piece = NULL;
            return;
        }
        if (r == 0) /* everything decoded */
            break;
        r = echo_event(c, &ev);
        if (r != WSX_OK && r != WSX_E_CONN_CLOSED)
            goto broken;
    }
    /* The next read reuses `in`: a piece held back must go out now, as a
     * fragment (the message continues in a later read). */
    if (flush_piece(c) == WSX_OK || wsx_ws_conn_state(&c->conn) != WSX_WS_OPEN)
        return;
broken:
    /* Cannot happen with sized reads; never drop data silently. */
    logf_("internal error: %s (fd %ld)", "echo did not fit in the queue", c->fd);
    c->piece = NULL;
    wsx_ws_conn_close(&c->conn, 1011, NULL, 0, now);
}

/* With compression, whether the next event's echo surely fits: each
 * decoded event sends at most the piece held back, and a compressed
 * message may inflate to any size, so decoding stops while the queue
 * lacks room for it (never when the queue is empty: a plain piece always
 * fits then). */
int can_go_on(client *c)
{
    size_t need = READ_SLACK + (c->piece ? c->piece_len : 0) + PMD_SCRATCH;
    if (wsx_ws_conn_state(&c->conn) != WSX_WS_OPEN || wsx_ws_conn_output_size(&c->conn) == 0)
        return 1;
    return wsx_ws_conn_send_room(&c->conn) >= need;
}

/* How many bytes may be read now: the echo of n bytes needs at most
 * n + READ_SLACK bytes of queue (a few frame headers, a close frame). */
size_t read_room(client *c)
{
    size_t room = wsx_ws_conn_send_room(&c->conn);
    if (room <= READ_SLACK)
        return 0;
    room -= READ_SLACK;
    return room < c->in_cap ? room : c->in_cap;
}

/* ---- handshake --------------------------------------------------------------- */

/* The refusal resp[0..n) is ready: send it, then a lingering close. */
static void linger(server *s, client *c, int err, size_t n)
{
    c->resp_len = n;
    c->resp_off = 0;
    c->phase = PH_LINGER;
    list_append(s, c, LIST_LINGER, net_now_ms() + LINGER_MS);
    logf_("refused: %s (HTTP %ld)", wsx_strerror(err), (long)wsx_err_http_status(err));
}

/* Refuses a request head the parser rejected (or one too large). */
static void refuse(server *s, client *c, int err)
{
    size_t n = 0;
    if (wsx_hs_server_refusal(err, c->resp, sizeof c->resp, &n) != WSX_OK)
        n = 0;
    linger(s, c, err, n);
}

/* The request head is in[0..head_len): answer it.  On success the
 * connection is OPEN and the bytes after the head are decoded. */
static void answer_head(server *s, client *c, const wsx_http_request *req, size_t head_len)
{
    size_t n = 0;
    wsx_hs_request info;
    /* Writes the 101, or the refusal (400, 405, 426 ...) for a bad request. */
    int r = wsx_hs_server_answer_request(&s->hs_cfg, req, &info, c->resp, sizeof c->resp, &n);
    uint64_t now = net_now_ms();
    if (r != WSX_OK) { /* WSX_E_BUFFER: n is the size needed, nothing to send */
        linger(s, c, r, r == WSX_E_BUFFER ? 0 : n);
        return;
    }
    c->resp_len = n;
    c->resp_off = 0;
    list_append(s, c, LIST_OPEN, 0);
    wsx_ws_conn_init(&c->conn, &s->conn_cfg, c->out, c->out_cap);
    /* min_size 1: a compressed message goes back compressed, however short. */
    if (info.permessage_deflate)
        c->pmd = pmd_attach(&c->conn, &info.deflate, WSX_WS_SERVER, 1);
    wsx_ws_conn_open(&c->conn, now);
    if (info.permessage_deflate && !c->pmd) /* the 101 said yes: go no further */
        wsx_ws_conn_close(&c->conn, 1011, "out of memory", 13, now);
    c->phase = PH_OPEN;
    heartbeat_update(s, c, wsx_ws_conn_next_deadline(&c->conn));
    /* Frames may have come right behind the head (RFC 6455 section 4.1);
     * the queue is empty and holds more than a whole buffer. */
    process_input(c, c->in + head_len, c->in_len - head_len, now);
}

/* Returns -1 when the client is gone (freed), 0 otherwise. */
int read_head(server *s, client *c)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    ssize_t k;
    int r;
    k = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (k <= 0) {
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        client_free(s, c);
        return -1;
    }
    c->in_len += (size_t)k;
    r = wsx_http_parse_request(&c->http, c->in, c->in_len, headers, MAX_HEADERS, &req);
    if (r < 0)
        refuse(s, c, r);
    else if (r > 0)
        answer_head(s, c, &req, (size_t)r);
    else if (c->in_len == c->in_cap) /* the parser's own limit is lower */
        refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
    return 0;
}
