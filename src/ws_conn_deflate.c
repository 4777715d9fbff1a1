/*
 * WebSocket connection: permessage-deflate (RFC 7692), see wsx_conn.h:
 * receiving and the setup; sending compressed is in ws_conn_deflate_send.c.
 * wsx_ws_conn_use_deflate and wsx_ws_conn_use_inflate are the only ways in:
 * they store the functions of these files in the connection's compression
 * state, so a program that calls neither links none of them and none of
 * the DEFLATE engine, and one that only inflates links no compressor.
 *
 * Receiving.  The frame decoder still checks every frame; this file stands
 * between it and wsx_ws_conn_recv.  A compressed message's DATA (unmasked
 * compressed bytes in the caller's buffer) goes into the inflater, whose
 * output lands in the scratch buffer and comes back as DATA events.  When
 * the scratch fills before the inflater has taken all of a DATA event's
 * bytes, the rest is given back to the decoder (masked again, its payload
 * counter rewound): *consumed stays "input bytes used", and the next call
 * decodes those bytes again.  The decoder does not check a compressed text
 * message as UTF-8 (its text flag is cleared at MESSAGE_START); this file
 * checks the inflated bytes instead, and counts them against the message
 * limit.  Failures go into the decoder (error and failed state), so the
 * connection handles them like any decoding error.
 *
 */
#include <string.h>

#include "ws_conn_internal.h"
#include "ws_decode_rules.h"

/* wsx_ws_conn_deflate._rx */
enum {
    RX_PLAIN = 0, /* no compressed message is open */
    RX_MESSAGE,   /* a compressed message: its payload is inflated */
    RX_END        /* its last frame is in: the tail, then MESSAGE_END */
};

static const uint8_t sync_tail[WSX_DEFLATE_SYNC_TAIL_LEN] = {0x00, 0x00, 0xff, 0xff};

/* The decoder's limit on the declared (wire) size of a compressed message
 * whose content may have max bytes: what a compressor may need for them
 * (wsx_deflate_bound's formula), so that a message of max bytes that does
 * not compress still gets in.  An uncompressed message gets max itself
 * (set at its MESSAGE_START). */
static uint64_t wire_limit(uint64_t max)
{
    return max >= UINT64_MAX / 2 ? WSX_WS_UNLIMITED : max + max / 8 + max / 32 + 64;
}

/* ---- receiving ------------------------------------------------------------ */

/* The decoder fails with err (sticky): the connection sees it as a
 * decoding error.  Returns err. */
static int fail_decoder(wsx_ws_decoder *d, wsx_ws_event *ev, int err)
{
    d->_error = err;
    d->_state = WSX__WSD_ST_FAILED;
    memset(ev, 0, sizeof *ev);
    return err;
}

/* Gives the last n bytes p[0..n) of the DATA event just decoded back to
 * the decoder, as if it had not reached them: masked again (a server's
 * input), the frame's payload counter and state as before. */
static void unread(wsx_ws_decoder *d, uint8_t *p, size_t n)
{
    if (d->_flags & WSX__WSD_F_SERVER) {
        size_t at = (d->_key_offset - n) & 3;
        wsx_mask(p, n, d->_key, at);
        d->_key_offset = (uint8_t)at;
    }
    d->_remaining += n;
    d->_state = WSX__WSD_ST_PAYLOAD;
}

static void start_message(wsx_ws_conn *c, wsx_ws_conn_deflate *z, wsx_ws_event *ev)
{
    z->_rx = RX_MESSAGE;
    z->_opcode = (uint8_t)ev->opcode;
    z->_inflated = 0;
    z->_tail = 0;
    z->_flags &= (uint8_t)~WSX__PF_STREAM_END;
    wsx_utf8_init(&z->_utf8);
    /* RFC 7692 section 7.1.1: the peer's no_context_takeover means every
     * message is a stream of its own. */
    wsx_inflater_reset(z->_in, !(z->_flags & WSX__PF_RESET_RECEIVED));
    c->_dec._flags &= (uint8_t)~WSX__WSD_F_TEXT; /* compressed bytes are not text */
    ev->frame_length = 0;                        /* unknown until inflated */
}

/* Room for one inflate call: the scratch, or one byte more than the
 * message limit still allows (that byte is the proof it is too big). */
static size_t output_room(const wsx_ws_conn_deflate *z)
{
    uint64_t allowed = z->_max - z->_inflated;
    return allowed < z->_scratch_cap ? (size_t)allowed + 1 : z->_scratch_cap;
}

/* n inflated bytes are in the scratch: counted against the message limit
 * and, in a text message, checked as UTF-8.  Returns DATA with the bytes
 * that pass (rsv as given), failing the connection after them when some
 * did not, or the error when none did; 0 for n == 0. */
static int deliver(wsx_ws_conn *c, wsx_ws_conn_deflate *z, size_t n, unsigned rsv, wsx_ws_event *ev)
{
    uint64_t allowed = z->_max - z->_inflated;
    int err = 0;
    if (n > allowed) {
        n = (size_t)allowed;
        err = WSX_E_WS_MESSAGE_TOO_BIG;
    }
    if (z->_opcode == WSX_WS_OP_TEXT) {
        size_t good = wsx_utf8_feed(&z->_utf8, z->_scratch, n);
        if (good < n) {
            n = good;
            err = WSX_E_WS_UTF8;
        }
    }
    z->_inflated += n;
    if (err) {
        fail_decoder(&c->_dec, ev, err);
        if (n == 0)
            return err;
    }
    if (n == 0)
        return 0;
    memset(ev, 0, sizeof *ev);
    ev->kind = WSX_WS_EV_DATA;
    ev->opcode = z->_opcode;
    ev->rsv = rsv;
    ev->data = z->_scratch;
    ev->size = n;
    return WSX_WS_EV_DATA;
}

/* The decoder returned DATA of a compressed message: inflate as much of it
 * as the scratch takes.  *pos is the input used so far in this recv call;
 * bytes the inflater did not take go back to the decoder.  Returns DATA,
 * 0 (no output yet: decode on) or an error. */
static int inflate_data(wsx_ws_conn *c, wsx_ws_conn_deflate *z, wsx_ws_event *ev, size_t *pos)
{
    size_t taken, out;
    int r = wsx_inflate(z->_in, ev->data, ev->size, &taken, z->_scratch, output_room(z), &out);
    if (r < 0)
        return fail_decoder(&c->_dec, ev, r);
    z->_flags = (uint8_t)(r == WSX_INFLATE_END ? z->_flags | WSX__PF_STREAM_END
                                               : z->_flags & ~WSX__PF_STREAM_END);
    if (taken < ev->size) {
        unread(&c->_dec, ev->data + taken, ev->size - taken);
        *pos -= ev->size - taken;
    }
    return deliver(c, z, out, ev->rsv, ev);
}

/* The message's last frame is in (RFC 7692 section 7.2.2): the inflater
 * takes the 00 00 ff ff tail (unless the data ended a stream with BFINAL)
 * and must then stand between blocks.  Returns DATA while the tail brings
 * output, then MESSAGE_END, or an error. */
static int end_message(wsx_ws_conn *c, wsx_ws_conn_deflate *z, wsx_ws_event *ev)
{
    if (!(z->_flags & WSX__PF_STREAM_END)) {
        while (z->_tail < WSX_DEFLATE_SYNC_TAIL_LEN) {
            size_t taken, out;
            int r = wsx_inflate(z->_in, sync_tail + z->_tail, WSX_DEFLATE_SYNC_TAIL_LEN - z->_tail,
                                &taken, z->_scratch, output_room(z), &out);
            if (r < 0)
                return fail_decoder(&c->_dec, ev, r);
            z->_tail = (uint8_t)(z->_tail + taken);
            if (out)
                return deliver(c, z, out, 0, ev);
        }
        if (!wsx_inflater_between_blocks(z->_in))
            return fail_decoder(&c->_dec, ev, WSX_E_WS_COMPRESSED_END);
    }
    if (z->_opcode == WSX_WS_OP_TEXT && !wsx_utf8_complete(&z->_utf8))
        return fail_decoder(&c->_dec, ev, WSX_E_WS_UTF8);
    z->_rx = RX_PLAIN;
    memset(ev, 0, sizeof *ev);
    ev->kind = WSX_WS_EV_MESSAGE_END;
    ev->opcode = z->_opcode;
    return WSX_WS_EV_MESSAGE_END;
}

/* Input given to the decoder at a time inside a compressed message: the
 * bytes the inflater does not take are given back (masked again), so this
 * bounds that work per DATA event to about what the event delivers. */
static size_t slice(const wsx_ws_conn_deflate *z)
{
    return z->_scratch_cap < 64 ? 64 : z->_scratch_cap;
}

int wsx__conn_deflate_recv(wsx_ws_decoder *d, void *buf_, size_t len, size_t *consumed,
                           wsx_ws_event *ev)
{
    wsx_ws_conn *c = (wsx_ws_conn *)(void *)((char *)d - offsetof(wsx_ws_conn, _dec));
    wsx_ws_conn_deflate *z = c->_deflate;
    uint8_t *buf = (uint8_t *)buf_;
    size_t pos = 0, used, give;
    int r;
    for (;;) {
        if (z->_rx == RX_END) {
            r = end_message(c, z, ev);
            break;
        }
        give = len - pos;
        if (z->_rx == RX_MESSAGE && give > slice(z))
            give = slice(z);
        r = wsx_ws_decode(d, pos ? buf + pos : buf, give, &used, ev);
        pos += used;
        if (r == WSX_WS_NEED_MORE && pos < len)
            continue; /* a slice is used up */
        if (r == WSX_WS_EV_MESSAGE_START && (ev->rsv & WSX_WS_RSV1)) {
            start_message(c, z, ev);
        } else if (r == WSX_WS_EV_MESSAGE_START) {
            /* an uncompressed message: max_message_size as it is, from
             * the headers, as without compression */
            if (ev->frame_length > z->_max)
                r = fail_decoder(d, ev, WSX_E_WS_MESSAGE_TOO_BIG);
            d->_max_message = z->_max;
#ifndef WSX_SMALL /* (the small profile's decoder never gives MESSAGE) */
        } else if (r == WSX_WS_EV_MESSAGE) {
            /* an uncompressed message, whole: max_message_size as it is */
            if (ev->size > z->_max)
                r = fail_decoder(d, ev, WSX_E_WS_MESSAGE_TOO_BIG);
#endif
        } else if (r == WSX_WS_EV_MESSAGE_END && z->_rx == RX_PLAIN) {
            d->_max_message = wire_limit(z->_max);
        } else if (z->_rx == RX_MESSAGE && r == WSX_WS_EV_DATA) {
            r = inflate_data(c, z, ev, &pos);
            if (r == 0)
                continue; /* all taken, nothing out yet */
        } else if (z->_rx == RX_MESSAGE && r == WSX_WS_EV_MESSAGE_END) {
            z->_rx = RX_END;
            continue;
        }
        break;
    }
    *consumed = r < 0 ? 0 : pos;
    return r;
}

/* Without a deflater: every message goes as it is. */
static int plain_queue(wsx_ws_conn *c, unsigned flags, unsigned opcode, const void *data,
                       size_t len)
{
    return wsx__conn_queue_data(c, flags, opcode | WSX_WS_NO_COMPRESS, data, len);
}

static size_t plain_fit(const wsx_ws_conn *c, size_t most)
{
    (void)c;
    return most;
}

static const struct wsx__ws_deflate_ops inflate_ops = {wsx__conn_deflate_recv, plain_queue,
                                                       plain_fit};

/* ---- setup ---------------------------------------------------------------- */

static int window_bits_ok(unsigned bits)
{
    return bits >= WSX_DEFLATE_MIN_WINDOW_BITS && bits <= WSX_DEFLATE_MAX_WINDOW_BITS;
}

static int params_ok(const wsx_ws_deflate_params *p)
{
    return window_bits_ok(p->server_max_window_bits) && window_bits_ok(p->client_max_window_bits) &&
           p->server_no_context_takeover <= 1 && p->client_no_context_takeover <= 1;
}

int wsx__conn_deflate_setup(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                            const wsx_ws_conn_deflate_config *cfg,
                            const struct wsx__ws_deflate_ops *ops)
{
    const wsx_ws_deflate_params *p;
    uint64_t max;
    int client;
    unsigned ours, peers;
    if (!c || !z || !cfg || !cfg->inflater || !cfg->scratch || !cfg->scratch_cap)
        return WSX_E_ARG;
    if (c->_state != WSX_WS_CONNECTING)
        return WSX_E_STATE;
    p = &cfg->agreed;
    if (!params_ok(p))
        return WSX_E_ARG;
    client = wsx__conn_is_client(c);
    ours = client ? p->client_max_window_bits : p->server_max_window_bits;
    peers = client ? p->server_max_window_bits : p->client_max_window_bits;
    if (cfg->inflater->_wbits < peers ||
        (cfg->deflater && (!cfg->deflater->_wbits || cfg->deflater->_wbits > ours)))
        return WSX_E_ARG;
    /* the limit given at init (set up again: the one kept before) */
    max = c->_deflate ? c->_deflate->_max : c->_dec._max_message;
    memset(z, 0, sizeof *z);
    z->_ops = ops;
    z->_in = cfg->inflater;
    z->_out = cfg->deflater;
    z->_scratch = (uint8_t *)cfg->scratch;
    z->_scratch_cap = cfg->scratch_cap;
    z->_min_size = cfg->min_size ? cfg->min_size : WSX_WS_DEFLATE_DEFAULT_MIN_SIZE;
    z->_max = max;
    c->_dec._max_message = wire_limit(max);
    if (client ? p->client_no_context_takeover : p->server_no_context_takeover)
        z->_flags |= WSX__PF_RESET_SENT;
    if (client ? p->server_no_context_takeover : p->client_no_context_takeover)
        z->_flags |= WSX__PF_RESET_RECEIVED;
    wsx_inflater_reset(z->_in, 0);
    c->_dec._rsv_allowed |= WSX_WS_RSV1;
    c->_dec._flags |= WSX__WSD_F_DEFLATE;
    c->_deflate = z;
    return WSX_OK;
}

int wsx_ws_conn_use_inflate(wsx_ws_conn *c, wsx_ws_conn_deflate *z,
                            const wsx_ws_conn_deflate_config *cfg)
{
    if (cfg && cfg->deflater)
        return WSX_E_ARG;
    return wsx__conn_deflate_setup(c, z, cfg, &inflate_ops);
}
