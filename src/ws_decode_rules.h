/*
 * Private: what the two profiles of the WebSocket frame decoder share
 * (not installed).  ws_decode.c holds these rules; ws_decode_fast.c and
 * ws_decode_small.c each hold one wsx_ws_decode() built on them, so both
 * accept and refuse exactly the same frames (fuzz/fuzz_ws_profiles.c
 * checks that they also give the same events).
 */
#ifndef WSX_WS_DECODE_RULES_H
#define WSX_WS_DECODE_RULES_H

#include <string.h>

#include "wsx_internal.h"
#include "wsx_util.h"
#include "wsx_ws.h"

/* The wsx_utf8 validator is kept in the decoder as a uint32_t (wsx_ws.h
 * cannot name wsx_utf8 when wsx_util.h is the header included first). */
typedef char wsx__ws_utf8_fits[sizeof(wsx_utf8) == sizeof(uint32_t) ? 1 : -1];

/* wsx_ws_decoder._state */
enum {
    WSX__WSD_ST_HEADER = 0,  /* between frames (maybe a split header in _ctl) */
    WSX__WSD_ST_PAYLOAD = 1, /* inside a data frame's payload (_remaining > 0) */
    WSX__WSD_ST_CONTROL = 2, /* gathering a control frame's payload in _ctl */
    WSX__WSD_ST_END = 3,     /* a message's last payload byte is out: END next */
    WSX__WSD_ST_FAILED = 4   /* _error is set */
};

/* wsx_ws_decoder._flags */
enum {
    WSX__WSD_F_SERVER = 0x01,  /* role: frames must be masked */
    WSX__WSD_F_MESSAGE = 0x02, /* a data message is open */
    WSX__WSD_F_TEXT = 0x04,    /* ... and it is a text message */
    WSX__WSD_F_CLOSED = 0x08,  /* a close frame was received */
    WSX__WSD_F_DEFLATE = 0x10  /* permessage-deflate (set by ws_conn_deflate.c):
                                  RSV1 only on a data message's first frame */
};

/* The rules the first n (>= 1) bytes of header h can break (RFC 6455
 * sections 5.1, 5.2, 5.4, 5.5 and the limits), each checked as soon as its
 * bytes are there, in the order wsx_ws.h lists them.  Returns a negative
 * error, 0 while the header is not all there, or its size (2-14) once it
 * is complete and valid; then, and only then, it also stores the payload
 * length in _remaining.  A header split across calls comes here once per
 * byte (the checks its earlier bytes passed pass again). */
int wsx__ws_check_header(wsx_ws_decoder *d, const uint8_t *h, size_t n);

/* The header h (hlen bytes, its masking key, if any, at the end) has just
 * passed wsx__ws_check_header: the decoder enters the frame.  Returns 1
 * for the first frame of a data message (its opcode is in _frame, its
 * length in _message_size), else 0. */
int wsx__ws_start_frame(wsx_ws_decoder *d, const uint8_t *h, size_t hlen);

/* A control frame's whole payload is in _ctl: unmasks it, checks a close
 * frame's code and reason (section 5.5.1) and sets the event's fields in
 * *ev, which the caller zeroed (all but kind: opcode, rsv, data, size,
 * close_code for a close).  Returns the event kind, or the error (the
 * caller fails the decoder with it). */
int wsx__ws_control_event(wsx_ws_decoder *d, wsx_ws_event *ev);

/* A split header: takes one more byte into _ctl.  Returns as
 * wsx__ws_check_header. */
static inline int wsx__ws_gather_header_byte(wsx_ws_decoder *d, uint8_t byte)
{
    d->_ctl[d->_hdr_len++] = byte;
    return wsx__ws_check_header(d, d->_ctl, d->_hdr_len);
}

/* Copies the part of buf[pos..len) that belongs to the current control
 * frame's payload into _ctl.  Returns how many bytes that was. */
static inline size_t wsx__ws_gather_control(wsx_ws_decoder *d, const uint8_t *buf, size_t pos,
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

/* The opcode events of the open data message carry. */
static inline unsigned wsx__ws_message_opcode(const wsx_ws_decoder *d)
{
    return (d->_flags & WSX__WSD_F_TEXT) ? WSX_WS_OP_TEXT : WSX_WS_OP_BINARY;
}

/* The state after a data frame's last payload byte. */
static inline uint8_t wsx__ws_after_data_frame(const wsx_ws_decoder *d)
{
    return (d->_frame & WSX__B0_FIN) ? WSX__WSD_ST_END : WSX__WSD_ST_HEADER;
}

/* 1 if the open text message stops inside a code point (an error at its
 * end: section 8.1). */
static inline int wsx__ws_text_incomplete(const wsx_ws_decoder *d)
{
    wsx_utf8 u;
    memcpy(&u, &d->_utf8, sizeof u);
    return (d->_flags & WSX__WSD_F_TEXT) && !wsx_utf8_complete(&u);
}

#endif
