/*
 * WebSocket connection: sending compressed messages (permessage-deflate,
 * RFC 7692; receiving and the setup are in ws_conn_deflate.c).  Linked
 * only by a program that calls wsx_ws_conn_use_deflate.
 *
 * A compressed frame goes straight into the queue: room for the deflater's
 * bound (and the header for that length) is checked first, the deflater
 * writes after the longest header, and wsx__conn_append_frame then writes
 * the real header and moves the payload to it (a shorter length encoding,
 * RFC 6455 section 5.2) and masks it for a client.
 */
#include "ws_conn_internal.h"

/* A compressed frame of the message being sent: room for the bound first,
 * so nothing moves the deflater unless the frame is queued. */
static int queue_compressed(wsx_ws_conn *c, wsx_deflater *d, unsigned fin, unsigned opcode,
                            const void *data, size_t len)
{
    size_t bound = wsx_deflate_bound(d, len), need = wsx__conn_frame_len(c, bound), used, n;
    uint8_t *at;
    if (need > c->_cap)
        return WSX_E_BUFFER;
    if (!wsx__conn_flush_control(c) || need > wsx__conn_queue_free(c))
        return WSX_E_CONN_QUEUE_FULL;
    at = c->_out + c->_tail + wsx__conn_header_len(c, bound);
    /* Cannot fail: out has room for the bound and the stream is never
     * finished.  A part ends with a sync flush, so it can be inflated on
     * arrival; a message end strips the flush's tail (RFC 7692 7.2.1). */
    (void)wsx_deflate(d, data, len, &used, fin ? WSX_DEFLATE_MESSAGE : WSX_DEFLATE_SYNC, at, bound,
                      &n);
    wsx__conn_append_frame(c, fin | (opcode ? WSX_WS_RSV1 : 0), opcode, at, n);
    if (fin && (c->_deflate->_flags & WSX__PF_RESET_SENT))
        wsx_deflater_reset(d);
    return WSX_OK;
}

/* 1 when a message's first frame of len bytes (fin: the only one) is to
 * be compressed. */
static int worth_compressing(const wsx_ws_conn *c, const wsx_ws_conn_deflate *z, unsigned fin,
                             size_t len)
{
    if (!z->_out || (fin && len < z->_min_size))
        return 0;
    /* A whole message too big for the queue once compressed goes as it
     * is (section 6 allows it) rather than fail. */
    return !fin || wsx__conn_frame_len(c, wsx_deflate_bound(z->_out, len)) <= c->_cap;
}

static int pmd_queue(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data, size_t len)
{
    wsx_ws_conn_deflate *z = c->_deflate;
    unsigned fin = flags & WSX_WS_FIN;
    if (opcode != WSX_WS_OP_CONTINUATION) /* the first frame decides */
        z->_flags = (uint8_t)(worth_compressing(c, z, fin, len) ? z->_flags | WSX__PF_SENDING
                                                                : z->_flags & ~WSX__PF_SENDING);
    if (!(z->_flags & WSX__PF_SENDING))
        return wsx__conn_queue_data(c, flags, opcode | WSX_WS_NO_COMPRESS, data, len);
    return queue_compressed(c, z->_out, fin, opcode, data, len);
}

/* send_room: the longest input whose compressed frame has at most `most`
 * bytes of payload, unless the frame to come is surely sent as it is. */
static size_t pmd_fit(const wsx_ws_conn *c, size_t most)
{
    const wsx_ws_conn_deflate *z = c->_deflate;
    size_t n;
    unsigned op = c->_stream_op;
    if (!z->_out || (op & WSX_WS_NO_COMPRESS) ||
        (op && (c->_flags & WSX__CF_STREAM_STARTED) && !(z->_flags & WSX__PF_SENDING)))
        return most;
    if (most < wsx_deflate_bound(z->_out, 0))
        return 0;
    /* bound(n) = n + n / 8 + n / 32 + bound(0) (wsx_deflate.h), so at a
     * multiple of 32 it is n * 37 / 32 + bound(0): start there, below the
     * answer, and step up to it (a few dozen steps at most). */
    n = (most - wsx_deflate_bound(z->_out, 0)) / 37 * 32;
    while (wsx_deflate_bound(z->_out, n + 1) <= most)
        n++;
    return n;
}

static const struct wsx__ws_deflate_ops deflate_ops = {wsx__conn_deflate_recv, pmd_queue, pmd_fit};

int wsx_ws_conn_use_deflate(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                            const wsx_ws_conn_deflate_config *cfg)
{
    int r = wsx__conn_deflate_setup(c, z, cfg, &deflate_ops);
    if (r == WSX_OK && z->_out)
        wsx_deflater_reset(z->_out);
    return r;
}
