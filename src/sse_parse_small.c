/*
 * The SSE parser's compact profile (WSX_SMALL): the states of
 * sse_parse_fast.c, one byte at a time.  Each byte does to its field what
 * the default profile does to a whole run of bytes, so events, errors (and
 * where they leave *consumed) and limits are the same.  Every value (data
 * line, comment, id, event type) is read after the data, counted in
 * _tmp_len, and moved where it belongs when its line ends, so one bounded
 * append serves all four.  The rules and the scratch layout: sse_parse.h.
 */
#include "sse_parse.h"

#ifdef WSX_SMALL

static const uint8_t utf8_bom[3] = {0xEF, 0xBB, 0xBF};

void wsx__sse_move(uint8_t *d, const uint8_t *s, size_t n)
{
    if (d < s)
        while (n--)
            *d++ = *s++;
    else
        while (n--)
            d[n] = s[n];
}

/* Field names are case-sensitive (spec: "If the field name is ...").
 * Row i is the name of field i + 1 (F_DATA ... F_RETRY) and a colon, which
 * no name contains: a name matches when the colon follows its last byte. */
static const char field_names[4][7] = {"data:", "event:", "id:", "retry:"};

static WSX__NOINLINE int field_of(const wsx_sse_parser *p)
{
    unsigned i, n = p->_name_len; /* <= 5 here */
    if (p->_skip_block)
        return WSX__SSE_F_NONE;
    if (n == 0)
        return (p->_flags & WSX_SSE_WANT_COMMENTS) ? WSX__SSE_F_COMMENT : WSX__SSE_F_NONE;
    for (i = 0; i < 4; i++)
        if (memcmp(p->_name, field_names[i], n) == 0 && field_names[i][n] == ':')
            return (int)i + 1;
    return WSX__SSE_F_NONE;
}

/* One byte of a value.  Ignored fields store nothing and have no limit. */
static int value_byte(wsx_sse_parser *p, uint8_t c)
{
    switch (p->_field) {
    case WSX__SSE_F_RETRY: {
        /* "If the field value consists of only ASCII digits": no sign, no
         * space; leading zeros are fine (base ten).  Saturates at 2^32-1. */
        unsigned d = (unsigned)c - '0';
        uint64_t v = (uint64_t)p->_retry * 10 + d;
        if (d > 9) {
            p->_retry_ok = 0;
        } else if (p->_retry_ok) {
            p->_retry_ok = 2;
            p->_retry = v > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)v;
        }
        return 0;
    }
    case WSX__SSE_F_NONE:
        return 0;
    case WSX__SSE_F_ID:
        if (c == 0)
            p->_id_nul = 1;
        break;
    default:
        break;
    }
    if (!wsx__sse_room(p))
        return WSX_E_SSE_LINE_TOO_LONG;
    wsx__sse_tmp(p)[p->_tmp_len++] = c;
    return 0;
}

/* The line of a field ends: its value goes where it belongs. */
static WSX__NOINLINE int value_end(wsx_sse_parser *p, wsx_sse_event *ev, const uint8_t *slice)
{
    size_t n = p->_tmp_len;
    p->_tmp_len = 0;
    switch (p->_field) {
    case WSX__SSE_F_DATA:
        p->_data_len += n;
        break;
    case WSX__SSE_F_EVENT:
        wsx__sse_set_type(p, wsx__sse_tmp(p), n);
        break;
    case WSX__SSE_F_ID:
        /* "If the field value does not contain U+0000 NULL" */
        if (!p->_id_nul)
            wsx__sse_set_id(p, n);
        break;
    case WSX__SSE_F_RETRY:
        if (p->_retry_ok != 2)
            break;
        ev->retry = p->_retry;
        return WSX_SSE_EV_RETRY;
    case WSX__SSE_F_COMMENT:
        return wsx__sse_comment(ev, wsx__sse_tmp(p), n);
    case WSX__SSE_F_EMPTY:
        return wsx__sse_dispatch(p, ev, slice);
    }
    return 0;
}

int wsx_sse_parse(wsx_sse_parser *p, const void *buf, size_t len, size_t *consumed,
                  wsx_sse_event *ev)
{
    const uint8_t *s = (const uint8_t *)buf, *end;
    const uint8_t *value = s;    /* this call's part of the value being read */
    const uint8_t *slice = NULL; /* the event's one data line, whole in buf */
    int line_here = 0;           /* a line began in this call */
    int r;

    if (consumed)
        *consumed = 0;
    if (!p || !consumed || !ev || (!buf && len))
        return WSX_E_ARG;
    end = len ? s + len : s; /* C99 6.5.6: no arithmetic on a NULL buf */
    r = p->_err;
    if (!r && p->_ended)
        r = WSX_E_STATE;
    if (r)
        return r;
    while (!r && s < end) {
        uint8_t c = *s++;
        int eol = c == '\n' || c == '\r';
        switch (p->_st) {
        case WSX__SSE_ST_CR:
            /* the LF of a CRLF split over two calls is dropped */
            p->_st = WSX__SSE_ST_NAME;
            s -= c != '\n';
            continue;
        case WSX__SSE_ST_BOM:
            /* One U+FEFF at the start of the stream is dropped; bytes of a
             * partial BOM begin a field name no field has (an ignored line;
             * _field is F_NONE at the start of a stream). */
            if (c == utf8_bom[p->_bom]) {
                if (++p->_bom == 3)
                    p->_st = WSX__SSE_ST_NAME;
                continue;
            }
            s--;
            p->_st = p->_bom ? WSX__SSE_ST_VALUE : WSX__SSE_ST_NAME;
            continue;
        case WSX__SSE_ST_NAME:
            if (p->_name_len == 0)
                line_here = 1;
            if (eol || c == ':') {
                /* The name ends.  No colon: "field name = the whole line,
                 * value = the empty string" (no name either: F_EMPTY); the
                 * line end is then read again, as the end of the value. */
                p->_field = (uint8_t)(eol && !p->_name_len ? WSX__SSE_F_EMPTY : field_of(p));
                p->_st = WSX__SSE_ST_SPACE;
                s -= eol;
            } else if (p->_name_len == 5) {
                /* longer than any field name: the line is ignored */
                p->_field = WSX__SSE_F_NONE;
                p->_st = WSX__SSE_ST_VALUE;
            } else {
                p->_name[p->_name_len++] = c;
            }
            continue;
        case WSX__SSE_ST_SPACE:
            /* "If value starts with a U+0020 SPACE, remove it" (one only) */
            s -= c != ' ';
            value = s;
            p->_st = WSX__SSE_ST_VALUE;
            p->_id_nul = 0;
            p->_retry = 0;
            p->_retry_ok = 1; /* valid so far, no digit yet */
            if (p->_field == WSX__SSE_F_EVENT)
                wsx__sse_drop_type(p); /* replaced, whatever the value */
            if (p->_field != WSX__SSE_F_DATA)
                continue;
            /* "append the field value to the data buffer, then append a
             * single U+000A LINE FEED": kept as lines joined by LF (the
             * trailing LF the dispatch would strip is never stored), so a
             * data line after the first starts with its joining LF. */
            slice = p->_has_data || !line_here ? NULL : s;
            if (!p->_has_data) {
                p->_has_data = 1;
                continue;
            }
            c = '\n';
            goto append;
        default: /* ST_VALUE */
            if (eol) {
                r = value_end(p, ev, slice);
                break;
            }
        append:
            r = value_byte(p, c);
            if (r)
                goto error;
            continue;
        }
        /* The line ended.  A CR ends it at once; the LF of a CRLF is
         * dropped with it, or at the start of the next call (ST_CR). */
        p->_name_len = 0;
        p->_st = WSX__SSE_ST_NAME;
        if (c == '\r') {
            if (s == end)
                p->_st = WSX__SSE_ST_CR;
            else
                s += *s == '\n';
        }
    }
    *consumed = (size_t)(s - (const uint8_t *)buf);
    return r;
error:
    *consumed = (size_t)(value - (const uint8_t *)buf);
    return wsx__sse_fail(p, r);
}

#endif /* WSX_SMALL */
