/*
 * WebSocket frame decoder, the small profile (WSX_SMALL, wsx_base.h):
 * wsx_ws_decode() over the shared rules of ws_decode.c (the default
 * profile is ws_decode_fast.c).
 *
 * One loop over the states and one exit.  Every header is gathered byte
 * by byte in _ctl (the same checks in the same order as the in-place path
 * of the fast profile); *ev is zeroed once and each event then sets only
 * its own fields (an error sets none).
 */
#include "wsx_internal.h"

#ifdef WSX_SMALL

#include <string.h>

#include "ws_decode_rules.h"

/* The header in _ctl (_hdr_len bytes) is complete and checked.  Returns
 * MESSAGE_START for the first frame of a message, else 0. */
static int begin_frame(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    size_t hlen = d->_hdr_len;
    d->_hdr_len = 0;
    if (!wsx__ws_start_frame(d, d->_ctl, hlen))
        return 0;
    ev->opcode = d->_frame & WSX__B0_OPCODE;
    ev->rsv = d->_frame & WSX__B0_RSV;
    ev->frame_length = d->_message_size;
    return WSX_WS_EV_MESSAGE_START;
}

/* DATA: up to the rest of the frame's payload from p[0..avail), avail > 0,
 * unmasked in place and, for text, validated. */
static int deliver(wsx_ws_decoder *d, uint8_t *p, size_t avail, wsx_ws_event *ev)
{
    size_t n = avail < d->_remaining ? avail : (size_t)d->_remaining;
    size_t offset = d->_key_offset, good;
    int masked = d->_flags & WSX__WSD_F_SERVER;
    wsx_utf8 u;
    if (masked)
        wsx_mask(p, n, d->_key, offset);
    if (d->_flags & WSX__WSD_F_TEXT) {
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
            d->_state = WSX__WSD_ST_FAILED;
            n = good;
        }
    }
    d->_key_offset = (uint8_t)((offset + n) & 3);
    d->_remaining -= n;
    if (d->_remaining == 0 && d->_state == WSX__WSD_ST_PAYLOAD)
        d->_state = wsx__ws_after_data_frame(d);
    ev->opcode = wsx__ws_message_opcode(d);
    ev->rsv = d->_frame & WSX__B0_RSV;
    ev->data = p;
    ev->size = n;
    return WSX_WS_EV_DATA;
}

/* END of a message whose last frame had FIN. */
static int end_message(wsx_ws_decoder *d, wsx_ws_event *ev)
{
    if (wsx__ws_text_incomplete(d))
        return WSX_E_WS_UTF8; /* the message stops inside a code point */
    ev->opcode = wsx__ws_message_opcode(d);
    d->_flags = (uint8_t)(d->_flags & ~(WSX__WSD_F_MESSAGE | WSX__WSD_F_TEXT));
    d->_message_size = 0;
    d->_state = WSX__WSD_ST_HEADER;
    return WSX_WS_EV_MESSAGE_END;
}

int wsx_ws_decode(wsx_ws_decoder *d, void *buf, size_t len, size_t *consumed, wsx_ws_event *ev)
{
    uint8_t *bytes = (uint8_t *)buf;
    size_t pos = 0;
    int kind = WSX_E_ARG; /* not sticky */
    if (!d || !consumed || !ev)
        return WSX_E_ARG;
    memset(ev, 0, sizeof *ev);
    if (len && !bytes)
        goto out;
    for (;;) {
        if (d->_state == WSX__WSD_ST_HEADER) {
            if (pos == len)
                break;
            kind = wsx__ws_gather_header_byte(d, bytes[pos++]);
            if (kind > 0)
                kind = begin_frame(d, ev);
            if (kind != 0)
                goto out;
        } else if (d->_state == WSX__WSD_ST_CONTROL) {
            pos += wsx__ws_gather_control(d, bytes, pos, len);
            if (d->_remaining)
                break;
            kind = wsx__ws_control_event(d, ev);
            goto out;
        } else if (d->_state == WSX__WSD_ST_PAYLOAD) {
            if (pos == len)
                break;
            kind = deliver(d, bytes + pos, len - pos, ev);
            pos += ev->size;
            goto out;
        } else if (d->_state == WSX__WSD_ST_END) {
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
            d->_state = WSX__WSD_ST_FAILED;
        }
        pos = 0; /* and *ev stays zeroed: no event */
    } else {
        ev->kind = (wsx_ws_event_kind)kind;
    }
    *consumed = pos;
    return kind;
}

#endif /* WSX_SMALL */
