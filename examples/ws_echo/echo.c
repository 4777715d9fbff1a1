/*
 * echo.c — ws_echo's opening handshake and the echo itself (the design is
 * described in ws_echo.h).
 */
#include "ws_echo.h"

#include <errno.h>
#include <stdlib.h>
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

/* Decoding stops with buf[0..len) left: keeps it, with the piece held
 * back when that lies in the same buffer just before it, in c's own_in
 * (the shared read buffer is for the next read of any connection).
 * Returns 0, or -1 when out of memory. */
static int keep_rest(server *s, client *c, uint8_t *buf, size_t len)
{
    const uint8_t *from = buf;
    if (c->piece && c->piece != c->pmd->hold) /* plain payload, in buf's buffer */
        from = c->piece;
    if (!c->own_in && !(c->own_in = big_alloc(s->opt.buffer)))
        return -1;
    memmove(c->own_in, from, (size_t)(buf + len - from));
    if (from != buf)
        c->piece = c->own_in;
    c->pend = c->own_in + (buf - from);
    c->pend_len = len;
    c->stalled = 1;
    return 0;
}

/* Decodes buf[0..len) to the last byte and queues every reply.  Reads are
 * sized (read_room) so that the replies always fit in the queue: an echo
 * is never longer than its input plus a few frame headers. */
void process_input(server *s, client *c, uint8_t *buf, size_t len, uint64_t now)
{
    c->stalled = 0;
    for (;;) {
        wsx_ws_event ev;
        size_t used = 0;
        int r;
        if (c->pmd && !can_go_on(c)) { /* settle() resumes */
            if (keep_rest(s, c, buf, len) == 0)
                return;
            c->piece = NULL;
            wsx_ws_conn_close(&c->conn, 1011, "out of memory", 13, now);
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
    /* The next read reuses the buffer: a piece held back must go out now,
     * as a fragment (the message continues in a later read). */
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
size_t read_room(const server *s, client *c)
{
    size_t room = wsx_ws_conn_send_room(&c->conn);
    if (room <= READ_SLACK)
        return 0;
    room -= READ_SLACK;
    return room < s->opt.buffer ? room : s->opt.buffer;
}

/* ---- handshake --------------------------------------------------------------- */

/* The refusal resp[0..n) is ready: send it, then a lingering close. */
static void linger(server *s, client *c, int err, size_t n)
{
    c->hs->resp_len = n;
    c->hs->resp_off = 0;
    c->phase = PH_LINGER;
    list_append(s, c, LIST_LINGER, net_now_ms() + LINGER_MS);
    logf_("refused: %s (HTTP %ld)", wsx_strerror(err), (long)wsx_err_http_status(err));
}

/* Refuses a request head the parser rejected (or one too large). */
static void refuse(server *s, client *c, int err)
{
    size_t n = 0;
    if (wsx_hs_server_refusal(err, c->hs->resp, sizeof c->hs->resp, &n) != WSX_OK)
        n = 0;
    linger(s, c, err, n);
}

/* The request head is buf[0..head_len) of buf[0..len): answer it.  On
 * success the connection is OPEN and the bytes after the head are
 * decoded. */
static void answer_head(server *s, client *c, const wsx_http_request *req, uint8_t *buf,
                        size_t head_len, size_t len)
{
    size_t n = 0;
    wsx_hs_request info;
    handshake *hs = c->hs;
    /* Writes the 101, or the refusal (400, 405, 426 ...) for a bad request. */
    int r = wsx_hs_server_answer_request(&s->hs_cfg, req, &info, hs->resp, sizeof hs->resp, &n);
    uint64_t now = net_now_ms();
    if (r != WSX_OK) { /* WSX_E_BUFFER: n is the size needed, nothing to send */
        linger(s, c, r, r == WSX_E_BUFFER ? 0 : n);
        return;
    }
    hs->resp_len = n;
    hs->resp_off = 0;
    list_append(s, c, LIST_OPEN, 0);
    wsx_ws_conn_init(&c->conn, &s->conn_cfg, s->out, s->opt.queue);
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
    process_input(s, c, buf + head_len, len - head_len, now);
}

/* A read left the head incomplete: it waits in hs->head, which grows (by
 * doubling) to hold k more bytes.  Returns 0, or -1 when out of memory. */
static int keep_head(handshake *hs, const uint8_t *bytes, size_t k)
{
    if (hs->head_len + k > hs->head_cap) {
        size_t cap = hs->head_cap ? hs->head_cap : 1024;
        uint8_t *head;
        while (cap < hs->head_len + k)
            cap *= 2;
        head = (uint8_t *)realloc(hs->head, cap);
        if (!head)
            return -1;
        hs->head = head;
        hs->head_cap = cap;
    }
    memcpy(hs->head + hs->head_len, bytes, k);
    hs->head_len += k;
    return 0;
}

/* Reads into the shared buffer; a head that one read does not complete
 * gathers in hs->head.  Returns -1 when the client is gone (freed), 0
 * otherwise. */
int read_head(server *s, client *c)
{
    wsx_header headers[MAX_HEADERS];
    wsx_http_request req;
    handshake *hs = c->hs;
    uint8_t *buf = s->in;
    size_t len;
    ssize_t k;
    int r;
    k = read(c->fd, buf, s->opt.buffer - hs->head_len);
    if (k <= 0) {
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        client_free(s, c);
        return -1;
    }
    len = (size_t)k;
    if (hs->head_len) { /* behind what earlier reads brought */
        if (keep_head(hs, buf, len) != 0) {
            refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
            return 0;
        }
        buf = hs->head;
        len = hs->head_len;
    }
    r = wsx_http_parse_request(&hs->http, buf, len, headers, MAX_HEADERS, &req);
    if (r < 0)
        refuse(s, c, r);
    else if (r > 0)
        answer_head(s, c, &req, buf, (size_t)r, len);
    else if (len == s->opt.buffer) /* the parser's own limit is lower */
        refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
    else if (buf == s->in && keep_head(hs, buf, len) != 0)
        refuse(s, c, WSX_E_HTTP_HEAD_TOO_LARGE);
    return 0;
}
