/*
 * Private: the rules both profiles of the SSE parser share (WHATWG HTML,
 * "Parsing an event stream" and "Interpreting an event stream"): states,
 * fields, the scratch layout, dispatch.  sse_parse_fast.c (default) and
 * sse_parse_small.c (WSX_SMALL) read the bytes; sse_parse.c holds the
 * public calls that do not read bytes.
 *
 * Scratch layout, each region as long as its value:
 *
 *   [ data | value being read | free ... | type | id | last event ID ]
 *   0      _data_len          +_tmp_len  _top                  scratch size
 *
 * The data of the pending event grows up from 0 (in the default profile a
 * single data line may stay in the caller's input instead: _slice, and its
 * length counts as if it were stored).  A line's value is read after it
 * when it cannot go where it belongs at once, and moved there when its line
 * ends.  At the end: the event type of the block, the id an id line of the
 * block set (_id_set: the spec's "last event ID buffer" when it differs
 * from the last event ID), and the last event ID, committed from the id at
 * each empty line.  A value is accepted when it fits in the free bytes
 * (wsx__sse_room) as they were when its line began, whatever the chunking.
 */
#ifndef WSX_SSE_PARSE_H
#define WSX_SSE_PARSE_H

#include <string.h>

#include "wsx_internal.h"
#include "wsx_sse.h"

/* WSX__SSE_ST_HALTED: after an error (wsx__sse_fail), which always cuts a
 * line.  WSX__SSE_ST_CR: a CR ended the last call's input; an LF starting
 * the next one belongs to it. */
enum {
    WSX__SSE_ST_BOM,
    WSX__SSE_ST_NAME,
    WSX__SSE_ST_SPACE,
    WSX__SSE_ST_VALUE,
    WSX__SSE_ST_CR,
    WSX__SSE_ST_HALTED
};

/* The field of the line being read.  WSX__SSE_F_EMPTY (small profile): the
 * empty line, read as a field whose line end dispatches the event. */
enum {
    WSX__SSE_F_NONE,
    WSX__SSE_F_DATA,
    WSX__SSE_F_EVENT,
    WSX__SSE_F_ID,
    WSX__SSE_F_RETRY,
    WSX__SSE_F_COMMENT,
    WSX__SSE_F_EMPTY
};

/* _name_len of a name longer than any field name (the line is ignored) */
#define WSX__SSE_NAME_UNKNOWN 6

/* Free bytes: what the value being read may still take. */
static inline size_t wsx__sse_room(const wsx_sse_parser *p)
{
    return p->_top - p->_data_len - p->_slice_len - p->_tmp_len;
}

/* The value being read, right after the data. */
static inline uint8_t *wsx__sse_tmp(const wsx_sse_parser *p) { return p->_scratch + p->_data_len; }

/* Offset of the last event ID. */
static inline size_t wsx__sse_last(const wsx_sse_parser *p)
{
    return p->_top + p->_type_len + p->_id_len;
}

/* memmove(d, s, n) within the scratch buffer (the default profile also
 * from the input): in the default profile without a call for n <= 16
 * (every byte loaded before any is stored), in the small one one loop
 * (sse_parse_small.c) instead of libc's memmove. */
#ifdef WSX_SMALL
void wsx__sse_move(uint8_t *d, const uint8_t *s, size_t n);
#else
static inline void wsx__sse_move(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
        return;
    }
    if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
        return;
    }
    if (n && n < 4) {
        uint8_t a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
        return;
    }
    memmove(d, s, n);
}
#endif

/* The old event type is dropped (an event line replaces it). */
static inline void wsx__sse_drop_type(wsx_sse_parser *p)
{
    p->_top += p->_type_len;
    p->_type_len = 0;
}

/* The event type becomes v[0..n) (in the input, or the value being read;
 * the caller dropped the old one and checked the room). */
static inline void wsx__sse_set_type(wsx_sse_parser *p, const uint8_t *v, size_t n)
{
    p->_top -= n;
    wsx__sse_move(p->_scratch + p->_top, v, n);
    p->_type_len = n;
}

/* The id buffer becomes the value being read, n bytes (the caller checked
 * the room, with the old id still stored). */
void wsx__sse_set_id(wsx_sse_parser *p, size_t n);

/* The block is over: its data and type are dropped. */
static inline void wsx__sse_clear_event(wsx_sse_parser *p)
{
    p->_has_data = 0;
    p->_data_len = 0;
    p->_slice = NULL;
    p->_slice_len = 0;
    p->_tmp_len = 0;
    wsx__sse_drop_type(p);
}

/* "If the line is empty: dispatch the event."  The data is the stored
 * one, or slice (its single line, in the caller's input).  Returns
 * WSX_SSE_EV_EVENT with *ev filled, or 0.  The id's move is the last step
 * (nothing after it but the return). */
static inline int wsx__sse_dispatch(wsx_sse_parser *p, wsx_sse_event *ev, const uint8_t *slice)
{
    const char *type = (const char *)p->_scratch + p->_top;
    size_t type_len = p->_type_len, n = 0;
    uint8_t *id = NULL;
    int r = 0;
    if (p->_skip_block) {
        p->_skip_block = 0; /* the block that overflowed ends here */
    } else {
        /* Step 1: the last event ID is set even when no event follows.
         * The id moves up over the old one: the type stays where it is. */
        if (p->_id_set) {
            id = p->_scratch + p->_top + type_len;
            n = p->_id_len;
            p->_top += p->_last_len;
            p->_last_len = n;
            p->_id_len = 0;
            p->_id_set = 0;
        }
        if (p->_has_data) {
            ev->data = slice ? slice : p->_scratch;
            ev->data_len = p->_data_len + p->_slice_len;
            ev->type = type_len ? type : "message";
            ev->type_len = type_len ? type_len : 7;
            ev->id = (const char *)p->_scratch + wsx__sse_last(p);
            ev->id_len = p->_last_len;
            ev->retry = 0;
            r = WSX_SSE_EV_EVENT;
        }
    }
    wsx__sse_clear_event(p);
    if (id)
        wsx__sse_move(p->_scratch + p->_top, id, n); /* the type dropped: top is its end */
    return r;
}

/* A comment whose text is t[0..n). */
static inline int wsx__sse_comment(wsx_sse_event *ev, const uint8_t *t, size_t n)
{
    ev->data = t;
    ev->data_len = n;
    ev->type = ev->id = NULL;
    ev->type_len = ev->id_len = 0;
    return WSX_SSE_EV_COMMENT;
}

/* The error err (sticky), the line cut; returns err. */
int wsx__sse_fail(wsx_sse_parser *p, int err);

#endif
