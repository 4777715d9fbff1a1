/*
 * The SSE parser's calls that read no bytes, the same for both profiles:
 * set-up, end of stream, resynchronisation, the last event ID, and the
 * moves of the scratch layout (sse_parse.h).
 */
#include "sse_parse.h"
#include "sse_internal.h"

/* Swaps the adjacent blocks a[0..n) and a[n..n+m) in place (three
 * reversals). */
static void reverse(uint8_t *a, size_t n)
{
    size_t i;
    for (i = 0; i < n / 2; i++) {
        uint8_t c = a[i];
        a[i] = a[n - 1 - i];
        a[n - 1 - i] = c;
    }
}

void wsx__sse_set_id(wsx_sse_parser *p, size_t n)
{
    uint8_t *tmp = wsx__sse_tmp(p), *end = p->_scratch + wsx__sse_last(p);
    size_t t = p->_type_len;
    if (t) {
        /* [value | free | type | old id] -> [type | value | free]: the type
         * moved next to the value, then the two swapped */
        wsx__sse_move(tmp + n, end - p->_id_len - t, t);
        reverse(tmp, n);
        reverse(tmp + n, t);
        reverse(tmp, n + t);
    }
    wsx__sse_move(end - n - t, tmp, n + t);
    p->_top = (size_t)(end - p->_scratch) - n - t;
    p->_id_len = n;
    p->_id_set = 1;
}

int wsx_sse_parser_init(wsx_sse_parser *p, void *scratch, size_t scratch_size,
                        const wsx_sse_parser_config *cfg)
{
    if (!p || !scratch || !scratch_size)
        return WSX_E_ARG;
    memset(p, 0, sizeof *p); /* ST_BOM, no event, last event ID "" */
    p->_scratch = (uint8_t *)scratch;
    p->_top = scratch_size;
    p->_flags = (uint8_t)(cfg ? cfg->flags & WSX_SSE_WANT_COMMENTS : 0);
    return WSX_OK;
}

void wsx_sse_reset(wsx_sse_parser *p)
{
    if (!p)
        return;
    wsx__sse_clear_event(p);
    p->_top += p->_id_len;
    p->_id_len = 0;
    p->_id_set = 0;
    p->_st = WSX__SSE_ST_BOM;
    p->_bom = 0;
    p->_name_len = 0;
    p->_field = WSX__SSE_F_NONE;
    p->_skip_block = 0;
    p->_err = 0;
    p->_ended = 0;
}

/* 1 if the stream stopped inside a line. */
static int in_line(const wsx_sse_parser *p)
{
    switch (p->_st) {
    case WSX__SSE_ST_BOM:
        return p->_bom != 0;
    case WSX__SSE_ST_NAME:
        return p->_name_len != 0;
    default: /* ST_SPACE, ST_VALUE, ST_HALTED */
        return p->_st != WSX__SSE_ST_CR;
    }
}

int wsx_sse_end(wsx_sse_parser *p)
{
    int partial, err;
    if (!p)
        return WSX_E_ARG;
    partial = p->_has_data || p->_type_len || p->_id_set || in_line(p);
    err = p->_err;
    wsx_sse_reset(p);
    p->_err = err;
    p->_ended = 1;
    return partial;
}

int wsx_sse_resync(wsx_sse_parser *p)
{
    uint8_t ended;
    if (!p)
        return WSX_E_ARG;
    if (!p->_err) /* the only sticky error is the overflow */
        return WSX_E_STATE;
    ended = p->_ended;
    wsx_sse_reset(p); /* drops the event, its id and the error */
    /* Errors only happen inside a line: ignore its rest (an ignored value:
     * _field is F_NONE), then every line up to the empty one that ends the
     * block.  After wsx_sse_end() parsing stays refused: still halted. */
    p->_ended = ended;
    p->_st = ended ? WSX__SSE_ST_HALTED : WSX__SSE_ST_VALUE;
    p->_skip_block = 1;
    return WSX_OK;
}

const char *wsx_sse_last_event_id(const wsx_sse_parser *p, size_t *len)
{
    if (!p || !len) {
        if (len)
            *len = 0;
        return NULL;
    }
    *len = p->_last_len;
    return (const char *)p->_scratch + wsx__sse_last(p);
}

int wsx_sse_set_last_event_id(wsx_sse_parser *p, const char *id, size_t len)
{
    size_t held, end;
    if (!p || (!id && len))
        return WSX_E_ARG;
    if (!wsx__sse_field_ok(id, len))
        return WSX_E_SSE_FIELD;
    if (len > wsx__sse_room(p) + p->_last_len)
        return WSX_E_SSE_LINE_TOO_LONG;
    /* the type and the id buffer move to end where the new ID begins */
    held = p->_type_len + p->_id_len;
    end = wsx__sse_last(p) + p->_last_len;
    wsx__sse_move(p->_scratch + end - len - held, p->_scratch + p->_top, held);
    p->_top = end - len - held;
    if (len)
        memcpy(p->_scratch + end - len, id, len);
    p->_last_len = len;
    return WSX_OK;
}

/* The state is parked too: while _err or _ended is set the state is
 * ST_BOM (wsx_sse_end()) or halted, so the default profile's one-byte entry
 * needs to test the state only. */
int wsx__sse_fail(wsx_sse_parser *p, int err)
{
    /* Errors only happen inside a line, even when the whole-line path
     * found it (its state still says "line start"): wsx_sse_end() then
     * says something was cut, whatever the chunking. */
    p->_st = WSX__SSE_ST_HALTED;
    p->_err = err;
    p->_slice = NULL; /* the event is lost; keep no pointer into the input */
    p->_slice_len = 0;
    return err;
}
