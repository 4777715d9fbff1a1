/*
 * WebSocket frame decoder, the default profile: wsx_ws_decode() over the
 * shared rules of ws_decode.c (the small profile is ws_decode_small.c).
 *
 * When a whole header (2-14 bytes) is in buf it is parsed in place; only a
 * header split across calls is gathered byte by byte in _ctl.  Payload is
 * unmasked in place with wsx_mask (word-wise) and, for text, validated
 * with wsx_utf8_feed in cache-sized blocks.  The common steps of a stream
 * of whole data frames have fast paths of their own, and a message whose
 * one frame is whole in buf comes as one MESSAGE event.
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

/* XORs p[0..n) with the key of a masked frame (from phase 0): unmasks,
 * or masks again. */
static void unmask_from_start(const wsx_ws_decoder *d, uint8_t *p, size_t n)
{
    if (d->_flags & WSX__WSD_F_SERVER)
        wsx__mask(p, n, d->_key, 0);
}

/* The frame just entered (wsx__ws_start_frame returned 1) comes as one
 * MESSAGE event if it has FIN, no RSV bit, and its whole payload is in
 * p[0..avail), valid UTF-8 for text once unmasked in place: the decoder is
 * then back between messages, ev->data and ev->size are set, and
 * WSX_WS_EV_MESSAGE is returned.  Otherwise 0, with p and the decoder as
 * they were (the frame then comes as START, DATA, END). */
static int whole_message(wsx_ws_decoder *d, uint8_t *p, size_t avail, wsx_ws_event *ev)
{
    size_t n = (size_t)d->_remaining;
    if ((d->_frame & (WSX__B0_FIN | WSX__B0_RSV)) != WSX__B0_FIN || d->_remaining > avail)
        return 0;
    unmask_from_start(d, p, n);
    if ((d->_flags & WSX__WSD_F_TEXT) && !wsx_utf8_valid(p, n)) {
        unmask_from_start(d, p, n); /* buf changes only where it is delivered */
        return 0;
    }
    d->_flags &= (uint8_t) ~(WSX__WSD_F_MESSAGE | WSX__WSD_F_TEXT);
    d->_message_size = 0;
    d->_remaining = 0;
    d->_state = WSX__WSD_ST_HEADER;
    ev->data = p;
    ev->size = n;
    return WSX_WS_EV_MESSAGE;
}

/* A complete, checked header h (its masking key, if any, at the end),
 * followed in this call's buf by p[0..avail).  Returns MESSAGE_START or
 * MESSAGE (*taken: the payload bytes it holds) for the first frame of a
 * message, else 0. */
static int begin_frame(wsx_ws_decoder *d, const uint8_t *h, size_t hlen, uint8_t *p, size_t avail,
                       size_t *taken, wsx_ws_event *ev)
{
    *taken = 0;
    if (!wsx__ws_start_frame(d, h, hlen))
        return 0;
    set_event(ev, WSX_WS_EV_MESSAGE_START, d->_frame & WSX__B0_OPCODE, d->_frame & WSX__B0_RSV,
              d->_message_size, NULL, 0);
    if (!whole_message(d, p, avail, ev))
        return WSX_WS_EV_MESSAGE_START;
    *taken = ev->size;
    return (int)(ev->kind = WSX_WS_EV_MESSAGE);
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
    return set_event(ev, WSX_WS_NEED_MORE, 0, 0, 0, NULL, 0);
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
            size_t taken;
            if (d->_hdr_len == 0 && (hlen = wsx__ws_check_header(d, buf + pos, len - pos)) != 0) {
                if (hlen < 0)
                    return fail(d, (int)hlen, consumed, ev);
                pos += (size_t)hlen;
                r = begin_frame(d, buf + pos - hlen, (size_t)hlen, buf + pos, len - pos, &taken,
                                ev);
            } else {
                r = wsx__ws_gather_header_byte(d, buf[pos++]);
                if (r < 0)
                    return fail(d, r, consumed, ev);
                if (r == 0)
                    continue;
                r = begin_frame(d, d->_ctl, d->_hdr_len, buf + pos, len - pos, &taken, ev);
                d->_hdr_len = 0;
            }
            if (r != 0) {
                *consumed = pos + taken;
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

/* Unmasks p[0..n) (key from phase 0), n below WHOLE_WORDWISE, and returns
 * the top bits of the unmasked bytes OR-ed (0: all ASCII). */
static uint64_t unmask_small(uint8_t *p, size_t n, const uint8_t key[4])
{
    uint32_t k4, v4;
    uint64_t k8, v8, high = 0;
    size_t i = 0;
    memcpy(&k4, key, 4);
    k8 = (uint64_t)k4 << 32 | k4; /* the key twice, in memory order */
    for (; i + 8 <= n; i += 8) {
        memcpy(&v8, p + i, 8);
        v8 ^= k8;
        memcpy(p + i, &v8, 8);
        high |= v8;
    }
    if (i + 4 <= n) {
        memcpy(&v4, p + i, 4);
        v4 ^= k4;
        memcpy(p + i, &v4, 4);
        high |= v4;
        i += 4;
    }
    for (; i < n; i++) {
        p[i] ^= key[i & 3];
        high |= p[i];
    }
    return high & 0x8080808080808080u;
}

/* From this many bytes, a whole message is unmasked by wsx__mask (aligned,
 * SIMD) and checked by the validator in blocks, out of the fast path. */
#define WHOLE_WORDWISE 256u

/* The masking key of the frame whose MESSAGE event *ev is (right before
 * the payload in the header), NULL for unmasked frames. */
static const uint8_t *message_key(const wsx_ws_decoder *d, const wsx_ws_event *ev)
{
    return (d->_flags & WSX__WSD_F_SERVER) ? ev->data - 4 : NULL;
}

/* A whole text message, already unmasked: the MESSAGE event *ev set up, or
 * when it is not valid UTF-8 the payload masked again and the general path
 * (START, then DATA up to the bad byte, then the error). */
WSX__NOINLINE static int whole_text(wsx_ws_decoder *d, uint8_t *buf, size_t len, size_t *consumed,
                                    wsx_ws_event *ev)
{
    wsx_utf8 u;
    const uint8_t *key = message_key(d, ev);
    wsx_utf8_init(&u);
    if (wsx_utf8_feed(&u, ev->data, ev->size) == ev->size && wsx_utf8_complete(&u))
        return WSX_WS_EV_MESSAGE;
    if (key)
        wsx__mask(ev->data, ev->size, key, 0);
    return decode_general(d, buf, len, consumed, ev);
}

/* A whole message of WHOLE_WORDWISE bytes or more, still masked (server),
 * or a client's whole text message: as whole_text, the unmasking and the
 * check block by block so the validator reads bytes still in L1. */
WSX__NOINLINE static int whole_big(wsx_ws_decoder *d, uint8_t *buf, size_t len, size_t *consumed,
                                   wsx_ws_event *ev)
{
    const uint8_t *key = message_key(d, ev);
    uint8_t *p = ev->data;
    size_t n = ev->size, done = 0, block = 0;
    wsx_utf8 u;
    if (ev->opcode != WSX_WS_OP_TEXT) {
        if (key)
            wsx__mask(p, n, key, 0);
        return WSX_WS_EV_MESSAGE;
    }
    wsx_utf8_init(&u);
    for (; done < n; done += block) {
        block = n - done < TEXT_BLOCK ? n - done : TEXT_BLOCK;
        if (key)
            wsx__mask(p + done, block, key, 0); /* blocks of a multiple of 4 */
        if (wsx_utf8_feed(&u, p + done, block) != block)
            break;
    }
    if (done == n && wsx_utf8_complete(&u))
        return WSX_WS_EV_MESSAGE;
    if (key) /* masked again: what this function unmasked */
        wsx__mask(p, done < n ? done + block : n, key, 0);
    return decode_general(d, buf, len, consumed, ev);
}

/* START of a text or binary message whose header (7-bit or 16-bit length)
 * is whole in buf and breaks no rule, or MESSAGE when its whole payload
 * is there too and it has FIN.  The common case, a small whole message,
 * calls nothing. */
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
    if ((b0 & WSX__B0_FIN) && length <= len - hlen) {
        set_event(ev, WSX_WS_EV_MESSAGE, op, 0, length, buf + hlen, (size_t)length);
        *consumed = hlen + (size_t)length;
        if (length >= WHOLE_WORDWISE || (!server && op == WSX_WS_OP_TEXT))
            return whole_big(d, buf, len, consumed, ev);
        if (server && unmask_small(buf + hlen, (size_t)length, buf + hlen - 4) &&
            op == WSX_WS_OP_TEXT)
            return whole_text(d, buf, len, consumed, ev);
        return WSX_WS_EV_MESSAGE;
    }
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
        unsigned state = d->_state;
        if (state == WSX__WSD_ST_HEADER) {
            if (len == 0 && d->_hdr_len == 0) /* the usual end of a read */
                return need_more(0, consumed, ev);
            return fast_message_start(d, bytes, len, consumed, ev);
        }
        if (state == WSX__WSD_ST_PAYLOAD)
            return fast_binary_data(d, bytes, len, consumed, ev);
        if (state == WSX__WSD_ST_END)
            return fast_binary_end(d, bytes, len, consumed, ev);
    }
    return decode_general(d, bytes, len, consumed, ev);
}

#endif /* !WSX_SMALL */
