/*
 * WebSocket frame decoder (RFC 6455 section 5): the rules both profiles
 * share -- configuration, the header checks, entering a frame, control
 * frames.  See the "frame decoder" section of wsx_ws.h for the contract.
 *
 * The pull loop, wsx_ws_decode(), has two profiles over these rules:
 * ws_decode_fast.c (the default: whole headers parsed in place, fast paths
 * for the common steps) and ws_decode_small.c (WSX_SMALL: one byte-at-a-time
 * state machine).
 */
#include <string.h>

#include "ws_decode_rules.h"

void wsx_ws_decoder_config_default(wsx_ws_decoder_config *cfg)
{
    if (!cfg)
        return;
    cfg->max_frame_size = WSX_WS_DEFAULT_MAX_FRAME;
    cfg->max_message_size = WSX_WS_DEFAULT_MAX_MESSAGE;
    cfg->rsv_allowed = 0;
}

int wsx_ws_decoder_init(wsx_ws_decoder *d, wsx_ws_role role, const wsx_ws_decoder_config *cfg)
{
    if (!d || (unsigned)role > WSX_WS_CLIENT)
        return WSX_E_ARG;
    memset(d, 0, sizeof *d); /* WSX__WSD_ST_HEADER, no message open */
    if (cfg) {
        d->_max_frame = cfg->max_frame_size;
        d->_max_message = cfg->max_message_size;
        d->_rsv_allowed = (uint8_t)(cfg->rsv_allowed & WSX__B0_RSV);
    }
    /* rule 4 of wsx_base.h: a limit of 0 is the default */
    if (!d->_max_frame)
        d->_max_frame = WSX_WS_DEFAULT_MAX_FRAME;
    if (!d->_max_message)
        d->_max_message = WSX_WS_DEFAULT_MAX_MESSAGE;
    if (role == WSX_WS_SERVER)
        d->_flags = WSX__WSD_F_SERVER;
    return WSX_OK;
}

int wsx_ws_decoder_error(const wsx_ws_decoder *d) { return d ? d->_error : WSX_E_ARG; }

/* ---- header rules, in the order the bytes arrive ---------------------- */

/* Byte 0: FIN, RSV, opcode (sections 5.2, 5.4, 5.5). */
static int check_byte0(const wsx_ws_decoder *d, unsigned b0)
{
    unsigned op = b0 & WSX__B0_OPCODE;
    if (d->_flags & WSX__WSD_F_CLOSED)
        return WSX_E_WS_AFTER_CLOSE; /* section 5.5.1: close is the last */
    if (b0 & WSX__B0_RSV & ~(unsigned)d->_rsv_allowed)
        return WSX_E_WS_RSV;
    if (!((WSX__KNOWN_OPCODES >> op) & 1))
        return WSX_E_WS_OPCODE;
    /* RFC 7692 section 6: RSV1 marks a compressed message on its first
     * frame (text or binary) only. */
    if ((b0 & WSX_WS_RSV1) && (d->_flags & WSX__WSD_F_DEFLATE) && op - 1u > 1u)
        return (op & WSX__B0_CONTROL) ? WSX_E_WS_RSV1_CONTROL : WSX_E_WS_RSV1_CONTINUATION;
    if (op & WSX__B0_CONTROL) {
        /* Section 5.5: every control frame, not only ping, has FIN. */
        if (!(b0 & WSX__B0_FIN))
            return WSX_E_WS_CONTROL_FRAGMENTED;
    } else if (op == WSX_WS_OP_CONTINUATION) {
        if (!(d->_flags & WSX__WSD_F_MESSAGE))
            return WSX_E_WS_NO_MESSAGE;
    } else if (d->_flags & WSX__WSD_F_MESSAGE) {
        return WSX_E_WS_MESSAGE_OPEN;
    }
    return 0;
}

/* Byte 1: MASK and the 7-bit length (sections 5.1, 5.5, 5.5.1). */
static int check_byte1(const wsx_ws_decoder *d, unsigned b0, unsigned b1)
{
    unsigned len7 = b1 & WSX__B1_LEN;
    if (d->_flags & WSX__WSD_F_SERVER) {
        if (!(b1 & WSX__B1_MASK))
            return WSX_E_WS_MASK_REQUIRED;
    } else if (b1 & WSX__B1_MASK) {
        return WSX_E_WS_MASK_FORBIDDEN;
    }
    if (b0 & WSX__B0_CONTROL) {
        if (len7 > WSX_WS_MAX_CONTROL)
            return WSX_E_WS_CONTROL_TOO_LONG;
        if ((b0 & WSX__B0_OPCODE) == WSX_WS_OP_CLOSE && len7 == 1)
            return WSX_E_WS_CLOSE_LENGTH;
    }
    return 0;
}

/* The decoded payload length: minimal encoding (section 5.2), then the
 * configured limits, all before any payload byte is looked at. */
static int check_length(const wsx_ws_decoder *d, unsigned b0, unsigned len7, uint64_t length)
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
    if (!(b0 & WSX__B0_CONTROL)) {
        uint64_t so_far = (b0 & WSX__B0_OPCODE) == WSX_WS_OP_CONTINUATION ? d->_message_size : 0;
        /* so_far <= _max_message always holds, so this cannot wrap. */
        if (length > d->_max_message - so_far)
            return WSX_E_WS_MESSAGE_TOO_BIG;
    }
    return 0;
}

int wsx__ws_check_header(wsx_ws_decoder *d, const uint8_t *h, size_t n)
{
    unsigned len7;
    size_t len_end, i;
    uint64_t length;
    int err = check_byte0(d, h[0]);
    if (err != 0 || n < 2 || (err = check_byte1(d, h[0], h[1])) != 0)
        return err;
    len7 = h[1] & WSX__B1_LEN;
    len_end = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
    if (n < len_end)
        return 0;
    length = len_end == 2 ? len7 : 0;
    for (i = 2; i < len_end; i++) /* 16 or 64 bits, big-endian */
        length = (length << 8) | h[i];
    err = check_length(d, h[0], len7, length);
    if (err != 0)
        return err;
    len_end += (h[1] & WSX__B1_MASK) ? 4 : 0; /* the masking key ends it */
    if (n < len_end)
        return 0;
    d->_remaining = length; /* (0 between frames) */
    return (int)len_end;
}

/* ---- entering a frame ---------------------------------------------------- */

int wsx__ws_start_frame(wsx_ws_decoder *d, const uint8_t *h, size_t hlen)
{
    unsigned b0 = h[0], op = b0 & WSX__B0_OPCODE;
    uint64_t length = d->_remaining;
    wsx_utf8 u;
    d->_frame = (uint8_t)b0;
    d->_key_offset = 0;
    if (h[1] & WSX__B1_MASK) /* the key ends the header */
        memcpy(d->_key, h + hlen - 4, 4);
    if (b0 & WSX__B0_CONTROL) {
        d->_ctl_len = 0; /* (split header: its payload overwrites it in _ctl) */
        d->_state = WSX__WSD_ST_CONTROL;
        return 0;
    }
    d->_state = length ? WSX__WSD_ST_PAYLOAD : wsx__ws_after_data_frame(d);
    if (op == WSX_WS_OP_CONTINUATION) {
        d->_message_size += length;
        return 0;
    }
    d->_flags = (uint8_t)((d->_flags & ~WSX__WSD_F_TEXT) | WSX__WSD_F_MESSAGE |
                          (op == WSX_WS_OP_TEXT ? WSX__WSD_F_TEXT : 0));
    d->_message_size = length;
    wsx_utf8_init(&u); /* used by text messages only */
    memcpy(&d->_utf8, &u, sizeof u);
    return 1;
}

/* ---- control frames ------------------------------------------------------ */

int wsx__ws_control_event(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    unsigned op = d->_frame & WSX__B0_OPCODE, code;
    uint8_t *p = d->_ctl;
    size_t n = d->_ctl_len;
    int err;
    /* opcodes 9, 10 are events 4, 5 (ping, pong); 8 (close) is event 6 */
    int kind = (int)op - (WSX_WS_OP_PING - WSX_WS_EV_PING);
    d->_state = WSX__WSD_ST_HEADER;
    if (d->_flags & WSX__WSD_F_SERVER)
        wsx__mask(p, n, d->_key, 0);
    if (op == WSX_WS_OP_CLOSE) {
        kind = WSX_WS_EV_CLOSE;
        /* Section 5.5.1: empty (no status code, section 7.1.5), or a
         * 2-byte code and a UTF-8 reason. */
        code = WSX__CLOSE_NO_STATUS;
        if (n) {
            code = (unsigned)p[0] << 8 | p[1];
            p += 2;
            n -= 2;
            err = wsx__ws_check_close(code, p, n);
            if (err != WSX_OK)
                return err;
        }
        ev->close_code = code;
        d->_flags |= WSX__WSD_F_CLOSED;
    }
    ev->opcode = op;
    ev->rsv = d->_frame & WSX__B0_RSV;
    ev->data = p;
    ev->size = n;
    return kind;
}
