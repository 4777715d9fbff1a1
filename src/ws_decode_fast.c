/*
 * WebSocket frame decoder, the default profile: wsx_ws_decode() over the
 * shared rules of ws_decode.c (the small profile is ws_decode_small.c).
 *
 * When a whole header (2-14 bytes) is in buf it is parsed in place; only a
 * header split across calls is gathered byte by byte in _ctl.  Payload is
 * unmasked in place with wsx_mask (word-wise) and, for text, validated
 * with wsx_utf8_feed in cache-sized blocks.  The common steps of a stream
 * of whole data frames have fast paths of their own.
 */
#include "wsx_internal.h"

#ifndef WSX_SMALL

#include <string.h>

#include "ws_decode_rules.h"

/* Text is unmasked and validated in blocks of this size so the validator
 * reads bytes still in L1 after unmasking. */
#define TEXT_BLOCK 8192u

/* Fills every field of *ev (close_code 0) and returns kind. */
static inline int set_event(wsx_ws_event *ev, wsx_ws_event_kind kind, unsigned opcode, unsigned rsv,
                            uint64_t frame_length, uint8_t *data, size_t size)
{
    ev->kind = kind;
    ev->opcode = opcode;
    ev->rsv = rsv;
    ev->close_code = 0;
    ev->frame_length = frame_length;
    ev->data = data;
    ev->size = size;
    return kind;
}

/* A complete, checked header h (its masking key, if any, at the end).
 * Returns MESSAGE_START for the first frame of a message, else 0. */
static int begin_frame(wsx_ws_decoder *d, const uint8_t *h, size_t hlen, wsx_ws_event *ev)
{
    if (!wsx__ws_start_frame(d, h, hlen))
        return 0;
    return set_event(ev, WSX_WS_EV_MESSAGE_START, d->_frame & WSX__B0_OPCODE,
                     d->_frame & WSX__B0_RSV, d->_message_size, NULL, 0);
}

/* ---- results -------------------------------------------------------------- */

static int fail(wsx_ws_decoder *d, int err, size_t *consumed, wsx_ws_event *ev)
{
    d->_error = err;
    d->_state = WSX__WSD_ST_FAILED;
    *consumed = 0;
    memset(ev, 0, sizeof *ev);
    return err;
}

static int need_more(size_t len, size_t *consumed, wsx_ws_event *ev)
{
    *consumed = len;
    memset(ev, 0, sizeof *ev);
    return WSX_WS_NEED_MORE;
}

/* ---- payload -------------------------------------------------------------- */

/* Unmasks and validates text p[0..n).  Returns how many bytes are good (n
 * unless the UTF-8 check failed at that offset; the bytes after it are then
 * masked again, since buf only changes where it is delivered). */
static size_t unmask_and_check_text(wsx_ws_decoder *d, uint8_t *p, size_t n)
{
    int masked = d->_flags & WSX__WSD_F_SERVER;
    size_t done = 0, block, good;
    wsx_utf8 u;
    memcpy(&u, &d->_utf8, sizeof u);
    while (done < n) {
        size_t offset = d->_key_offset;
        block = n - done < TEXT_BLOCK ? n - done : TEXT_BLOCK;
        if (masked)
            d->_key_offset = (uint8_t)wsx__mask(p + done, block, d->_key, offset);
        good = wsx_utf8_feed(&u, p + done, block);
        if (good < block) {
            if (masked)
                wsx__mask(p + done + good, block - good, d->_key, (offset + good) & 3);
            done += good;
            break;
        }
        done += block;
    }
    memcpy(&d->_utf8, &u, sizeof u);
    return done;
}

/* DATA: up to the rest of the frame's payload from p[0..avail), avail > 0.
 * pos is how many bytes of this call's buf come before p. */
static int deliver(wsx_ws_decoder *d, uint8_t *p, size_t avail, size_t pos, size_t *consumed,
                   wsx_ws_event *ev)
{
    size_t n = avail < d->_remaining ? avail : (size_t)d->_remaining;
    if (d->_flags & WSX__WSD_F_TEXT) {
        size_t good = unmask_and_check_text(d, p, n);
        if (good < n) {
            /* Fail fast (section 8.1), after delivering the valid prefix
             * so the events do not depend on the chunking. */
            if (good == 0)
                return fail(d, WSX_E_WS_UTF8, consumed, ev);
            d->_error = WSX_E_WS_UTF8;
            d->_state = WSX__WSD_ST_FAILED;
            n = good;
        }
    } else if (d->_flags & WSX__WSD_F_SERVER) {
        d->_key_offset = (uint8_t)wsx__mask(p, n, d->_key, d->_key_offset);
    }
    d->_remaining -= n;
    if (d->_remaining == 0 && d->_state == WSX__WSD_ST_PAYLOAD)
        d->_state = wsx__ws_after_data_frame(d);
    set_event(ev, WSX_WS_EV_DATA, wsx__ws_message_opcode(d), d->_frame & WSX__B0_RSV, 0, p, n);
    *consumed = pos + n;
    return WSX_WS_EV_DATA;
}

/* END of a message whose last frame had FIN. */
static int end_message(wsx_ws_decoder *d, size_t pos, size_t *consumed, wsx_ws_event *ev)
{
    unsigned opcode = wsx__ws_message_opcode(d);
    if (wsx__ws_text_incomplete(d))
        return fail(d, WSX_E_WS_UTF8, consumed, ev);
    d->_flags = (uint8_t)(d->_flags & ~(WSX__WSD_F_MESSAGE | WSX__WSD_F_TEXT));
    d->_message_size = 0;
    d->_state = WSX__WSD_ST_HEADER;
    set_event(ev, WSX_WS_EV_MESSAGE_END, opcode, 0, 0, NULL, 0);
    *consumed = pos;
    return WSX_WS_EV_MESSAGE_END;
}

/* A control frame's whole payload is in _ctl. */
static int control_event(wsx_ws_decoder *d, size_t pos, size_t *consumed, wsx_ws_event *ev)
{
    int kind;
    memset(ev, 0, sizeof *ev);
    kind = wsx__ws_control_event(d, ev);
    if (kind < 0)
        return fail(d, kind, consumed, ev);
    ev->kind = (wsx_ws_event_kind)kind;
    *consumed = pos;
    return kind;
}

/* ---- the pull loop -------------------------------------------------------- */

/* Headers (whole or split) and control payloads, until an event. */
static int decode_frames(wsx_ws_decoder *d, uint8_t *buf, size_t len, size_t *consumed,
                         wsx_ws_event *ev)
{
    size_t pos = 0;
    int r;
    for (;;) {
        if (d->_state == WSX__WSD_ST_HEADER) {
            long hlen;
            if (pos == len)
                break;
            if (d->_hdr_len == 0 && (hlen = wsx__ws_check_header(d, buf + pos, len - pos)) != 0) {
                if (hlen < 0)
                    return fail(d, (int)hlen, consumed, ev);
                r = begin_frame(d, buf + pos, (size_t)hlen, ev);
                pos += (size_t)hlen;
            } else {
                r = wsx__ws_gather_header_byte(d, buf[pos++]);
                if (r < 0)
                    return fail(d, r, consumed, ev);
                if (r == 0)
                    continue;
                r = begin_frame(d, d->_ctl, d->_hdr_len, ev);
                d->_hdr_len = 0;
            }
            if (r != 0) {
                *consumed = pos;
                return r;
            }
        } else if (d->_state == WSX__WSD_ST_CONTROL) {
            pos += wsx__ws_gather_control(d, buf, pos, len);
            if (d->_remaining)
                break;
            return control_event(d, pos, consumed, ev);
        } else if (d->_state == WSX__WSD_ST_PAYLOAD) {
            /* a continuation frame: its data in this same call */
            if (pos == len)
                break;
            return deliver(d, buf + pos, len - pos, pos, consumed, ev);
        } else {
            return end_message(d, pos, consumed, ev);
        }
    }
    return need_more(len, consumed, ev);
}

/* ---- fast paths ----------------------------------------------------------
 * The common steps of a stream of whole data frames.  Each is its own small
 * function that wsx_ws_decode tail-calls, so no call pays for the registers
 * of another path; any case a fast path does not handle (text, a split
 * header, control frames, continuations, a rule broken, 64-bit lengths) is
 * passed on to decode_general, which gives the same result for the cases
 * the fast paths handle. */

WSX__NOINLINE static int decode_general(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                                        size_t *consumed, wsx_ws_event *ev);

/* DATA from a binary frame's payload; a text frame's goes straight to
 * deliver (the UTF-8 check). */
WSX__NOINLINE static int fast_binary_data(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                                          size_t *consumed, wsx_ws_event *ev)
{
    size_t n;
    if (len == 0)
        return decode_general(d, buf, len, consumed, ev);
    if (d->_flags & WSX__WSD_F_TEXT)
        return deliver(d, buf, len, 0, consumed, ev);
    n = len < d->_remaining ? len : (size_t)d->_remaining;
    d->_remaining -= n;
    if (d->_remaining == 0)
        d->_state = wsx__ws_after_data_frame(d);
    set_event(ev, WSX_WS_EV_DATA, WSX_WS_OP_BINARY, d->_frame & WSX__B0_RSV, 0, buf, n);
    *consumed = n;
    if (d->_flags & WSX__WSD_F_SERVER)
        d->_key_offset = (uint8_t)wsx__mask(buf, n, d->_key, d->_key_offset);
    return WSX_WS_EV_DATA;
}

/* A text message starts: its UTF-8 check with it.  Returns MESSAGE_START.
 * (Out of line and tail-called: the START of a binary message then needs
 * no stack room for the validator's state.) */
WSX__NOINLINE static int start_text(wsx_ws_decoder *d)
{
    wsx_utf8 u;
    d->_flags |= WSX__WSD_F_TEXT;
    wsx_utf8_init(&u);
    memcpy(&d->_utf8, &u, sizeof u);
    return WSX_WS_EV_MESSAGE_START;
}

/* START of a text or binary message whose header (7-bit or 16-bit length)
 * is whole in buf and breaks no rule. */
WSX__NOINLINE static int fast_message_start(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                                            size_t *consumed, wsx_ws_event *ev)
{
    unsigned b0, b1, op, len7, server = d->_flags & WSX__WSD_F_SERVER;
    size_t hlen;
    uint64_t length;
    if (len < 2 || d->_hdr_len != 0 || (d->_flags & (WSX__WSD_F_MESSAGE | WSX__WSD_F_CLOSED)))
        return decode_general(d, buf, len, consumed, ev);
    b0 = buf[0];
    b1 = buf[1];
    op = b0 & (WSX__B0_RSV | WSX__B0_OPCODE); /* no RSV bit: the opcode */
    len7 = b1 & WSX__B1_LEN;
    if (op - 1u > 1u || (b1 >> 7) != server || len7 == 127)
        return decode_general(d, buf, len, consumed, ev);
    hlen = 2 + (server ? 4 : 0) + (len7 == 126 ? 2 : 0);
    if (len < hlen)
        return decode_general(d, buf, len, consumed, ev);
    length = len7 == 126 ? ((unsigned)buf[2] << 8 | buf[3]) : len7;
    if ((len7 == 126 && length < 126) || length > d->_max_frame || length > d->_max_message)
        return decode_general(d, buf, len, consumed, ev);
    d->_frame = (uint8_t)b0;
    d->_remaining = length;
    d->_key_offset = 0;
    if (server)
        memcpy(d->_key, buf + hlen - 4, 4);
    d->_state = length ? WSX__WSD_ST_PAYLOAD : wsx__ws_after_data_frame(d);
    d->_message_size = length;
    set_event(ev, WSX_WS_EV_MESSAGE_START, op, 0, length, NULL, 0);
    *consumed = hlen;
    d->_flags |= WSX__WSD_F_MESSAGE;
    if (op == WSX_WS_OP_TEXT)
        return start_text(d);
    return WSX_WS_EV_MESSAGE_START;
}

/* END of a binary message. */
WSX__NOINLINE static int fast_binary_end(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                                         size_t *consumed, wsx_ws_event *ev)
{
    if (d->_flags & WSX__WSD_F_TEXT)
        return decode_general(d, buf, len, consumed, ev);
    d->_flags = (uint8_t)(d->_flags & ~WSX__WSD_F_MESSAGE);
    d->_message_size = 0;
    d->_state = WSX__WSD_ST_HEADER;
    set_event(ev, WSX_WS_EV_MESSAGE_END, WSX_WS_OP_BINARY, 0, 0, NULL, 0);
    *consumed = 0;
    return WSX_WS_EV_MESSAGE_END;
}

/* The general path: every state and every case. */
WSX__NOINLINE static int decode_general(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                                        size_t *consumed, wsx_ws_event *ev)
{
    if (!d || !consumed || !ev)
        return WSX_E_ARG;
    if (len && !buf) {
        *consumed = 0;
        memset(ev, 0, sizeof *ev);
        return WSX_E_ARG; /* not sticky */
    }
    switch (d->_state) {
    case WSX__WSD_ST_PAYLOAD:
        if (len == 0)
            return need_more(0, consumed, ev);
        return deliver(d, buf, len, 0, consumed, ev);
    case WSX__WSD_ST_END:
        return end_message(d, 0, consumed, ev);
    case WSX__WSD_ST_FAILED:
        return fail(d, d->_error, consumed, ev);
    default:
        return decode_frames(d, buf, len, consumed, ev);
    }
}

int wsx_ws_decode(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed, wsx_ws_event *ev)
{
    uint8_t *bytes = (uint8_t *)buf;
    if (bytes && d && consumed && ev) {
        switch (d->_state) {
        case WSX__WSD_ST_HEADER:
            return fast_message_start(d, bytes, len, consumed, ev);
        case WSX__WSD_ST_PAYLOAD:
            return fast_binary_data(d, bytes, len, consumed, ev);
        case WSX__WSD_ST_END:
            return fast_binary_end(d, bytes, len, consumed, ev);
        default:
            break;
        }
    }
    return decode_general(d, bytes, len, consumed, ev);
}

#endif /* !WSX_SMALL */
