/*
 * WebSocket frame decoder (RFC 6455 section 5): a pull parser that returns
 * one event per call.  See the "frame decoder" section of wsx_ws.h for the
 * contract.
 *
 * Fast path: when a whole header (2-14 bytes) is in buf it is parsed in
 * place; only a header split across calls is gathered byte by byte in
 * _ctl.  Payload is unmasked in place with wsx_mask (word-wise) and, for
 * text, validated with wsx_utf8_feed in cache-sized blocks.
 *
 * The small profile (WSX_SMALL, wsx.h) has its own general path instead:
 * one loop, every header gathered byte by byte, one exit.  Both profiles
 * share the header rules (check_byte0 .. check_header), so they accept
 * and refuse exactly the same frames.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* The wsx_utf8 validator is kept in the decoder as a uint32_t (wsx_ws.h
 * cannot name wsx_utf8 when wsx_util.h is the header included first). */
typedef char wsx_utf8_fits_[sizeof(wsx_utf8) == sizeof(uint32_t) ? 1 : -1];

enum {
    ST_HEADER = 0,  /* between frames (maybe a split header in _ctl) */
    ST_PAYLOAD = 1, /* inside a data frame's payload (_remaining > 0) */
    ST_CONTROL = 2, /* gathering a control frame's payload in _ctl */
    ST_END = 3,     /* a message's last payload byte is out: END is next */
    ST_FAILED = 4   /* _error is set */
};

enum {
    F_SERVER = 0x01,  /* role: frames must be masked */
    F_MESSAGE = 0x02, /* a data message is open */
    F_TEXT = 0x04,    /* ... and it is a text message */
    F_CLOSED = 0x08   /* a close frame was received */
};

#define B0_FIN 0x80u
#define B0_RSV 0x70u
#define B0_OPCODE 0x0Fu
#define B0_CONTROL 0x08u
#define B1_MASK 0x80u
#define B1_LEN 0x7Fu

/* Text is unmasked and validated in blocks of this size so the validator
 * reads bytes still in L1 after unmasking. */
#define TEXT_BLOCK 8192u

/* -Os inlines these helpers and then copies them into several paths of
 * their callers; the small profile keeps them whole (-82 bytes on a
 * Cortex-M4, the best of the combinations tried). */

void wsx_ws_decoder_config_default(wsx_ws_decoder_config *cfg)
{
    cfg->max_frame_size = WSX_WS_DEFAULT_MAX_FRAME;
    cfg->max_message_size = WSX_WS_DEFAULT_MAX_MESSAGE;
    cfg->rsv_allowed = 0;
}

void wsx_ws_decoder_init(wsx_ws_decoder *d, wsx_ws_role role,
                         const wsx_ws_decoder_config *cfg)
{
    wsx_ws_decoder_config defaults;
    if (!cfg) {
        wsx_ws_decoder_config_default(&defaults);
        cfg = &defaults;
    }
    memset(d, 0, sizeof *d);
    d->_max_frame = cfg->max_frame_size;
    d->_max_message = cfg->max_message_size;
    d->_rsv_allowed = (uint8_t)(cfg->rsv_allowed & B0_RSV);
    d->_flags = role == WSX_WS_SERVER ? F_SERVER : 0;
    d->_state = ST_HEADER;
}

int wsx_ws_decoder_error(const wsx_ws_decoder *d) { return d->_error; }

/* ---- header rules, in the order the bytes arrive ---------------------- */

/* Opcodes RFC 6455 section 5.2 defines: bit n set for opcode n (0, 1, 2,
 * 8, 9, 10); the others are reserved. */
#define KNOWN_OPCODES 0x0707u

/* Byte 0: FIN, RSV, opcode (RFC 6455 sections 5.2, 5.4, 5.5). */
static int check_byte0(const wsx_ws_decoder *d, unsigned b0)
{
    unsigned op = b0 & B0_OPCODE;
    if (d->_flags & F_CLOSED)
        return WSX_E_WS_AFTER_CLOSE; /* section 5.5.1: close is the last */
    if (b0 & B0_RSV & ~(unsigned)d->_rsv_allowed)
        return WSX_E_WS_RSV;
    if (!((KNOWN_OPCODES >> op) & 1))
        return WSX_E_WS_OPCODE;
    if (op & B0_CONTROL) {
        /* Section 5.5: every control frame, not only ping, has FIN. */
        if (!(b0 & B0_FIN))
            return WSX_E_WS_CONTROL_FRAGMENTED;
    } else if (op == WSX_WS_OP_CONTINUATION) {
        if (!(d->_flags & F_MESSAGE))
            return WSX_E_WS_NO_MESSAGE;
    } else if (d->_flags & F_MESSAGE) {
        return WSX_E_WS_MESSAGE_OPEN;
    }
    return 0;
}

/* Byte 1: MASK and the 7-bit length (sections 5.1, 5.5, 5.5.1). */
static int check_byte1(const wsx_ws_decoder *d, unsigned b0, unsigned b1)
{
    unsigned len7 = b1 & B1_LEN;
    if (d->_flags & F_SERVER) {
        if (!(b1 & B1_MASK))
            return WSX_E_WS_MASK_REQUIRED;
    } else if (b1 & B1_MASK) {
        return WSX_E_WS_MASK_FORBIDDEN;
    }
    if (b0 & B0_CONTROL) {
        if (len7 > WSX_WS_MAX_CONTROL)
            return WSX_E_WS_CONTROL_TOO_LONG;
        if ((b0 & B0_OPCODE) == WSX_WS_OP_CLOSE && len7 == 1)
            return WSX_E_WS_CLOSE_LENGTH;
    }
    return 0;
}

/* The decoded payload length: minimal encoding (section 5.2), then the
 * configured limits, all before any payload byte is looked at. */
static int check_length(const wsx_ws_decoder *d, unsigned b0, unsigned len7,
                        uint64_t length)
{
    if (len7 == 126 && length < 126)
        return WSX_E_WS_LENGTH_NOT_MINIMAL;
    if (len7 == 127) {
        if (length >> 63)
            return WSX_E_WS_LENGTH_MSB;
        if (length <= 0xFFFF)
            return WSX_E_WS_LENGTH_NOT_MINIMAL;
    }
    if (length > d->_max_frame)
        return WSX_E_WS_FRAME_TOO_BIG;
    if (!(b0 & B0_CONTROL)) {
        uint64_t so_far = (b0 & B0_OPCODE) == WSX_WS_OP_CONTINUATION
                              ? d->_message_size : 0;
        /* so_far <= _max_message always holds, so this cannot wrap. */
        if (length > d->_max_message - so_far)
            return WSX_E_WS_MESSAGE_TOO_BIG;
    }
    return 0;
}

/* Big-endian length that follows byte 1 (len7 when there is none). */
WSX__SMALL_NOINLINE static uint64_t read_length(const uint8_t *h, unsigned len7)
{
    uint64_t v;
    int i;
    if (len7 < 126)
        return len7;
    if (len7 == 126)
        return ((uint64_t)h[2] << 8) | h[3];
    v = 0;
    for (i = 2; i < 10; i++)
        v = (v << 8) | h[i];
    return v;
}

/* The rules the first n (>= 1) bytes of header h can break, each checked
 * as soon as its bytes are there.  Returns a negative error, 0 while the
 * header is not all there, or its size (2-14) once it is complete and
 * valid.  A header split across calls comes here once per byte (the checks
 * its earlier bytes passed pass again). */
WSX__SMALL_NOINLINE static int check_header(const wsx_ws_decoder *d,
                                        const uint8_t *h, size_t n)
{
    unsigned len7;
    size_t len_end;
    int err = check_byte0(d, h[0]);
    if (err != 0 || n < 2 || (err = check_byte1(d, h[0], h[1])) != 0)
        return err;
    len7 = h[1] & B1_LEN;
    len_end = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
    if (n < len_end)
        return 0;
    err = check_length(d, h[0], len7, read_length(h, len7));
    if (err != 0)
        return err;
    len_end += (h[1] & B1_MASK) ? 4 : 0; /* the masking key ends it */
    return n < len_end ? 0 : (int)len_end;
}

/* Split header: takes one more byte into _ctl.  Returns as check_header. */
static int gather_header_byte(wsx_ws_decoder *d, uint8_t byte)
{
    d->_ctl[d->_hdr_len++] = byte;
    return check_header(d, d->_ctl, d->_hdr_len);
}

/* ---- frame start -------------------------------------------------------- */

static unsigned message_opcode(const wsx_ws_decoder *d)
{
    return (d->_flags & F_TEXT) ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY;
}

/* The state after a data frame's last payload byte. */
static uint8_t after_data_frame(const wsx_ws_decoder *d)
{
    return (d->_frame & B0_FIN) ? ST_END : ST_HEADER;
}

/* The header h (hlen bytes, its masking key, if any, at the end) is
 * complete and checked: the decoder enters the frame.  Returns 1 for the
 * first frame of a data message (its opcode is in _frame, its length in
 * _message_size), else 0. */
WSX__SMALL_NOINLINE static int start_frame(wsx_ws_decoder *d, const uint8_t *h,
                                       size_t hlen)
{
    unsigned b0 = h[0], op = b0 & B0_OPCODE;
    uint64_t length = read_length(h, h[1] & B1_LEN);
    wsx_utf8 u;
    d->_frame = (uint8_t)b0;
    d->_remaining = length;
    d->_key_offset = 0;
    if (h[1] & B1_MASK) /* the key ends the header */
        memcpy(d->_key, h + hlen - 4, 4);
    if (b0 & B0_CONTROL) {
        d->_ctl_len = 0; /* (split header: its payload overwrites it in _ctl) */
        d->_state = ST_CONTROL;
        return 0;
    }
    d->_state = length ? ST_PAYLOAD : after_data_frame(d);
    if (op == WSX_WS_OP_CONTINUATION) {
        d->_message_size += length;
        return 0;
    }
    d->_flags = (uint8_t)((d->_flags & ~F_TEXT) | F_MESSAGE |
                          (op == WSX_WS_OP_TEXT ? F_TEXT : 0));
    d->_message_size = length;
    wsx_utf8_init(&u); /* used by text messages only */
    memcpy(&d->_utf8, &u, sizeof u);
    return 1;
}

/* Copies the part of buf[pos..len) that belongs to the current control
 * frame's payload into _ctl.  Returns how many bytes that was. */
static size_t gather_control(wsx_ws_decoder *d, const uint8_t *buf, size_t pos,
                             size_t len)
{
    size_t n = len - pos < d->_remaining ? len - pos : (size_t)d->_remaining;
    if (n) { /* (buf may be NULL when len is 0) */
        memcpy(d->_ctl + d->_ctl_len, buf + pos, n);
        d->_ctl_len = (uint8_t)(d->_ctl_len + n);
        d->_remaining -= n;
    }
    return n;
}

#ifdef WSX_SMALL
/* ---- the small profile (wsx.h) --------------------------------------------
 * One loop over the states and one exit.  Every header is gathered byte by
 * byte in _ctl (the same checks in the same order as the in-place path of
 * the fast profile); *ev is zeroed once and each event then sets only its
 * own fields (an error sets none). */

/* The header in _ctl (_hdr_len bytes) is complete and checked.  Returns
 * MESSAGE_START for the first frame of a message, else 0. */
static int begin_frame(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    size_t hlen = d->_hdr_len;
    d->_hdr_len = 0;
    if (!start_frame(d, d->_ctl, hlen))
        return 0;
    ev->opcode = d->_frame & B0_OPCODE;
    ev->rsv = d->_frame & B0_RSV;
    ev->frame_length = d->_message_size;
    return WSX_WS_EV_MESSAGE_START;
}

/* DATA: up to the rest of the frame's payload from p[0..avail), avail > 0,
 * unmasked in place and, for text, validated. */
static int deliver(wsx_ws_decoder *d, uint8_t *p, size_t avail,
                   wsx_ws_event *ev)
{
    size_t n = avail < d->_remaining ? avail : (size_t)d->_remaining;
    size_t offset = d->_key_offset, good;
    int masked = d->_flags & F_SERVER;
    wsx_utf8 u;
    if (masked)
        wsx_mask(p, n, d->_key, offset);
    if (d->_flags & F_TEXT) {
        memcpy(&u, &d->_utf8, sizeof u);
        good = wsx_utf8_feed(&u, p, n);
        memcpy(&d->_utf8, &u, sizeof u);
        if (good < n) {
            /* buf changes only where it is delivered: mask the rest again */
            if (masked)
                wsx_mask(p + good, n - good, d->_key, offset + good);
            if (good == 0)
                return WSX_E_WS_UTF8;
            /* Fail fast (section 8.1), after delivering the valid prefix
             * so the events do not depend on the chunking. */
            d->_error = WSX_E_WS_UTF8;
            d->_state = ST_FAILED;
            n = good;
        }
    }
    d->_key_offset = (uint8_t)((offset + n) & 3);
    d->_remaining -= n;
    if (d->_remaining == 0 && d->_state == ST_PAYLOAD)
        d->_state = after_data_frame(d);
    ev->opcode = message_opcode(d);
    ev->rsv = d->_frame & B0_RSV;
    ev->data = p;
    ev->size = n;
    return WSX_WS_EV_DATA;
}

/* END of a message whose last frame had FIN. */
static int end_message(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    wsx_utf8 u;
    memcpy(&u, &d->_utf8, sizeof u);
    if ((d->_flags & F_TEXT) && !wsx_utf8_complete(&u))
        return WSX_E_WS_UTF8; /* the message stops inside a code point */
    ev->opcode = message_opcode(d);
    d->_flags = (uint8_t)(d->_flags & ~(F_MESSAGE | F_TEXT));
    d->_message_size = 0;
    d->_state = ST_HEADER;
    return WSX_WS_EV_MESSAGE_END;
}

/* A control frame's whole payload is in _ctl: check it, make its event. */
WSX__SMALL_NOINLINE static int control_event(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    unsigned op = d->_frame & B0_OPCODE, code;
    uint8_t *p = d->_ctl;
    size_t n = d->_ctl_len;
    /* opcodes 9, 10 are events 4, 5 (ping, pong); 8 (close) is event 6 */
    int kind = (int)op - (WSX_WS_OP_PING - WSX_WS_EV_PING);
    d->_state = ST_HEADER;
    if (d->_flags & F_SERVER)
        wsx_mask(p, n, d->_key, 0);
    if (op == WSX_WS_OP_CLOSE) {
        kind = WSX_WS_EV_CLOSE;
        /* Section 5.5.1: empty (code 1005, section 7.1.5), or a 2-byte
         * code and a UTF-8 reason. */
        code = 1005;
        if (n) {
            code = (unsigned)p[0] << 8 | p[1];
            if (!wsx_ws_close_code_valid(code))
                return WSX_E_WS_CLOSE_CODE;
            p += 2;
            n -= 2;
            if (!wsx_utf8_valid(p, n))
                return WSX_E_WS_CLOSE_REASON_UTF8;
        }
        ev->close_code = code;
        d->_flags |= F_CLOSED;
    }
    ev->opcode = op;
    ev->rsv = d->_frame & B0_RSV;
    ev->data = p;
    ev->size = n;
    return kind;
}

int wsx_ws_decode(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                  size_t *consumed, wsx_ws_event *ev)
{
    size_t pos = 0;
    int kind = WSX_E_ARG; /* not sticky */
    memset(ev, 0, sizeof *ev);
    if (len && !buf)
        goto out;
    for (;;) {
        if (d->_state == ST_HEADER) {
            if (pos == len)
                break;
            kind = gather_header_byte(d, buf[pos++]);
            if (kind > 0)
                kind = begin_frame(d, ev);
            if (kind != 0)
                goto out;
        } else if (d->_state == ST_CONTROL) {
            pos += gather_control(d, buf, pos, len);
            if (d->_remaining)
                break;
            kind = control_event(d, ev);
            goto out;
        } else if (d->_state == ST_PAYLOAD) {
            if (pos == len)
                break;
            kind = deliver(d, buf + pos, len - pos, ev);
            pos += ev->size;
            goto out;
        } else if (d->_state == ST_END) {
            kind = end_message(d, ev);
            goto out;
        } else {
            kind = d->_error;
            goto out;
        }
    }
    kind = WSX_WS_NEED_MORE; /* pos == len */
out:
    if (kind < 0) {
        if (kind != WSX_E_ARG) {
            d->_error = kind;
            d->_state = ST_FAILED;
        }
        pos = 0;
    }
    ev->kind = kind;
    *consumed = pos;
    return kind;
}

#else /* the fast profile */

/* Keeps the rare paths out of wsx_ws_decode's hot code. */

/* Fills every field of *ev (close_code 0) and returns kind. */
static inline int set_event(wsx_ws_event *ev, int kind, unsigned opcode,
                            unsigned rsv, uint64_t frame_length, uint8_t *data,
                            size_t size)
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
static int begin_frame(wsx_ws_decoder *d, const uint8_t *h, size_t hlen,
                       wsx_ws_event *ev)
{
    if (!start_frame(d, h, hlen))
        return 0;
    return set_event(ev, WSX_WS_EV_MESSAGE_START, d->_frame & B0_OPCODE,
                     d->_frame & B0_RSV, d->_message_size, NULL, 0);
}

/* ---- results -------------------------------------------------------------- */

static int fail(wsx_ws_decoder *d, int err, size_t *consumed,
                wsx_ws_event *ev)
{
    d->_error = err;
    d->_state = ST_FAILED;
    *consumed = 0;
    memset(ev, 0, sizeof *ev);
    ev->kind = err;
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
    int masked = d->_flags & F_SERVER;
    size_t done = 0, block, good;
    wsx_utf8 u;
    memcpy(&u, &d->_utf8, sizeof u);
    while (done < n) {
        size_t offset = d->_key_offset;
        block = n - done < TEXT_BLOCK ? n - done : TEXT_BLOCK;
        if (masked)
            d->_key_offset = (uint8_t)wsx_mask(p + done, block, d->_key, offset);
        good = wsx_utf8_feed(&u, p + done, block);
        if (good < block) {
            if (masked)
                wsx_mask(p + done + good, block - good, d->_key,
                         (offset + good) & 3);
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
static int deliver(wsx_ws_decoder *d, uint8_t *p, size_t avail, size_t pos,
                   size_t *consumed, wsx_ws_event *ev)
{
    size_t n = avail < d->_remaining ? avail : (size_t)d->_remaining;
    if (d->_flags & F_TEXT) {
        size_t good = unmask_and_check_text(d, p, n);
        if (good < n) {
            /* Fail fast (section 8.1), after delivering the valid prefix
             * so the events do not depend on the chunking. */
            if (good == 0)
                return fail(d, WSX_E_WS_UTF8, consumed, ev);
            d->_error = WSX_E_WS_UTF8;
            d->_state = ST_FAILED;
            n = good;
        }
    } else if (d->_flags & F_SERVER) {
        d->_key_offset = (uint8_t)wsx_mask(p, n, d->_key, d->_key_offset);
    }
    d->_remaining -= n;
    if (d->_remaining == 0 && d->_state == ST_PAYLOAD)
        d->_state = after_data_frame(d);
    set_event(ev, WSX_WS_EV_DATA, message_opcode(d), d->_frame & B0_RSV, 0, p,
              n);
    *consumed = pos + n;
    return WSX_WS_EV_DATA;
}

/* END of a message whose last frame had FIN. */
static int end_message(wsx_ws_decoder *d, size_t pos, size_t *consumed,
                       wsx_ws_event *ev)
{
    unsigned opcode = message_opcode(d);
    if (d->_flags & F_TEXT) {
        wsx_utf8 u;
        memcpy(&u, &d->_utf8, sizeof u);
        if (!wsx_utf8_complete(&u)) /* stops inside a code point */
            return fail(d, WSX_E_WS_UTF8, consumed, ev);
    }
    d->_flags = (uint8_t)(d->_flags & ~(F_MESSAGE | F_TEXT));
    d->_message_size = 0;
    d->_state = ST_HEADER;
    set_event(ev, WSX_WS_EV_MESSAGE_END, opcode, 0, 0, NULL, 0);
    *consumed = pos;
    return WSX_WS_EV_MESSAGE_END;
}

/* A control frame's whole payload is in _ctl: check it, make its event. */
static int control_event(wsx_ws_decoder *d, size_t pos, size_t *consumed,
                         wsx_ws_event *ev)
{
    unsigned op = d->_frame & B0_OPCODE;
    size_t n = d->_ctl_len;
    int kind = op == WSX_WS_OP_PING   ? WSX_WS_EV_PING
               : op == WSX_WS_OP_PONG ? WSX_WS_EV_PONG
                                      : WSX_WS_EV_CLOSE;
    d->_state = ST_HEADER;
    if (d->_flags & F_SERVER)
        wsx_mask(d->_ctl, n, d->_key, 0);
    set_event(ev, kind, op, d->_frame & B0_RSV, 0, d->_ctl, n);
    if (kind == WSX_WS_EV_CLOSE) {
        /* Section 5.5.1: empty, or a 2-byte code and a UTF-8 reason. */
        if (n == 0) {
            ev->close_code = 1005;
        } else {
            ev->close_code = ((unsigned)d->_ctl[0] << 8) | d->_ctl[1];
            if (!wsx_ws_close_code_valid(ev->close_code))
                return fail(d, WSX_E_WS_CLOSE_CODE, consumed, ev);
            if (!wsx_utf8_valid(d->_ctl + 2, n - 2))
                return fail(d, WSX_E_WS_CLOSE_REASON_UTF8, consumed, ev);
            ev->data = d->_ctl + 2;
            ev->size = n - 2;
        }
        d->_flags |= F_CLOSED;
    }
    *consumed = pos;
    return kind;
}

/* ---- the pull loop -------------------------------------------------------- */

/* Headers (whole or split) and control payloads, until an event. */
static int decode_frames(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                         size_t *consumed, wsx_ws_event *ev)
{
    size_t pos = 0;
    int r;
    for (;;) {
        if (d->_state == ST_HEADER) {
            long hlen;
            if (pos == len)
                break;
            if (d->_hdr_len == 0 &&
                (hlen = check_header(d, buf + pos, len - pos)) != 0) {
                if (hlen < 0)
                    return fail(d, (int)hlen, consumed, ev);
                r = begin_frame(d, buf + pos, (size_t)hlen, ev);
                pos += (size_t)hlen;
            } else {
                r = gather_header_byte(d, buf[pos++]);
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
        } else if (d->_state == ST_CONTROL) {
            pos += gather_control(d, buf, pos, len);
            if (d->_remaining)
                break;
            return control_event(d, pos, consumed, ev);
        } else if (d->_state == ST_PAYLOAD) {
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

WSX__NOINLINE static int decode_general(wsx_ws_decoder *d, uint8_t *buf,
                                        size_t len, size_t *consumed,
                                        wsx_ws_event *ev);

/* DATA from a binary frame's payload. */
WSX__NOINLINE static int fast_binary_data(wsx_ws_decoder *d, uint8_t *buf,
                                          size_t len, size_t *consumed,
                                          wsx_ws_event *ev)
{
    size_t n;
    if (len == 0 || (d->_flags & F_TEXT))
        return decode_general(d, buf, len, consumed, ev);
    n = len < d->_remaining ? len : (size_t)d->_remaining;
    d->_remaining -= n;
    if (d->_remaining == 0)
        d->_state = after_data_frame(d);
    set_event(ev, WSX_WS_EV_DATA, WSX_WS_OP_BINARY, d->_frame & B0_RSV, 0,
              buf, n);
    *consumed = n;
    if (d->_flags & F_SERVER)
        d->_key_offset = (uint8_t)wsx_mask(buf, n, d->_key, d->_key_offset);
    return WSX_WS_EV_DATA;
}

/* START of a text or binary message whose header (7-bit or 16-bit length)
 * is whole in buf and breaks no rule. */
WSX__NOINLINE static int fast_message_start(wsx_ws_decoder *d, uint8_t *buf,
                                            size_t len, size_t *consumed,
                                            wsx_ws_event *ev)
{
    unsigned b0, b1, op, len7, server = d->_flags & F_SERVER;
    size_t hlen;
    uint64_t length;
    if (len < 2 || d->_hdr_len != 0 || (d->_flags & (F_MESSAGE | F_CLOSED)))
        return decode_general(d, buf, len, consumed, ev);
    b0 = buf[0];
    b1 = buf[1];
    op = b0 & B0_OPCODE;
    len7 = b1 & B1_LEN;
    if ((b0 & B0_RSV) || op - 1u > 1u || (b1 >> 7) != server || len7 == 127)
        return decode_general(d, buf, len, consumed, ev);
    hlen = 2 + (server ? 4 : 0) + (len7 == 126 ? 2 : 0);
    if (len < hlen)
        return decode_general(d, buf, len, consumed, ev);
    length = len7 == 126 ? ((unsigned)buf[2] << 8 | buf[3]) : len7;
    if ((len7 == 126 && length < 126) || length > d->_max_frame ||
        length > d->_max_message)
        return decode_general(d, buf, len, consumed, ev);
    d->_frame = (uint8_t)b0;
    d->_remaining = length;
    d->_key_offset = 0;
    if (server)
        memcpy(d->_key, buf + hlen - 4, 4);
    d->_state = length ? ST_PAYLOAD : after_data_frame(d);
    d->_message_size = length;
    set_event(ev, WSX_WS_EV_MESSAGE_START, op, 0, length, NULL, 0);
    *consumed = hlen;
    if (op == WSX_WS_OP_TEXT) {
        wsx_utf8 u;
        d->_flags |= F_MESSAGE | F_TEXT;
        wsx_utf8_init(&u);
        memcpy(&d->_utf8, &u, sizeof u);
    } else {
        d->_flags |= F_MESSAGE;
    }
    return WSX_WS_EV_MESSAGE_START;
}

/* END of a binary message. */
WSX__NOINLINE static int fast_binary_end(wsx_ws_decoder *d, uint8_t *buf,
                                         size_t len, size_t *consumed,
                                         wsx_ws_event *ev)
{
    if (d->_flags & F_TEXT)
        return decode_general(d, buf, len, consumed, ev);
    d->_flags = (uint8_t)(d->_flags & ~F_MESSAGE);
    d->_message_size = 0;
    d->_state = ST_HEADER;
    set_event(ev, WSX_WS_EV_MESSAGE_END, WSX_WS_OP_BINARY, 0, 0, NULL, 0);
    *consumed = 0;
    return WSX_WS_EV_MESSAGE_END;
}

/* The general path: every state and every case. */
WSX__NOINLINE static int decode_general(wsx_ws_decoder *d, uint8_t *buf,
                                        size_t len, size_t *consumed,
                                        wsx_ws_event *ev)
{
    if (len && !buf) {
        *consumed = 0;
        memset(ev, 0, sizeof *ev);
        ev->kind = WSX_E_ARG;
        return WSX_E_ARG;
    }
    switch (d->_state) {
    case ST_PAYLOAD:
        if (len == 0)
            return need_more(0, consumed, ev);
        return deliver(d, buf, len, 0, consumed, ev);
    case ST_END:
        return end_message(d, 0, consumed, ev);
    case ST_FAILED:
        return fail(d, d->_error, consumed, ev);
    default:
        return decode_frames(d, buf, len, consumed, ev);
    }
}

int wsx_ws_decode(wsx_ws_decoder *d, uint8_t *buf, size_t len,
                  size_t *consumed, wsx_ws_event *ev)
{
    if (buf) {
        switch (d->_state) {
        case ST_HEADER:
            return fast_message_start(d, buf, len, consumed, ev);
        case ST_PAYLOAD:
            return fast_binary_data(d, buf, len, consumed, ev);
        case ST_END:
            return fast_binary_end(d, buf, len, consumed, ev);
        default:
            break;
        }
    }
    return decode_general(d, buf, len, consumed, ev);
}

#endif /* WSX_SMALL */
