/*
 * The SSE parser's default profile: each input byte scanned once.  A line
 * is found with a vector/word-at-a-time CR/LF search and its value goes
 * straight to where it belongs (data, type, id); a line split over chunks
 * resumes in the state it stopped in.  One-byte calls take a shortcut with
 * the same effects.  The rules and the scratch layout: sse_parse.h.
 */
#include "sse_parse.h"

#ifndef WSX_SMALL

#include "sse_scan.h"

static const uint8_t utf8_bom[3] = {0xEF, 0xBB, 0xBF};

/* A pending single data line inside the caller's input moves into the
 * scratch buffer: the parser never keeps input pointers across calls. */
static void materialize(wsx_sse_parser *p)
{
    if (p->_slice) {
        memcpy(p->_scratch, p->_slice, p->_slice_len);
        p->_data_len = p->_slice_len;
        p->_slice = NULL;
        p->_slice_len = 0;
    }
}

/* The id buffer becomes v[0..n) (in the input, or the value being read),
 * which fits. */
WSX__HOT void put_id(wsx_sse_parser *p, const uint8_t *v, size_t n)
{
    if (p->_type_len) {
        if (v != wsx__sse_tmp(p))
            memcpy(wsx__sse_tmp(p), v, n); /* from the input */
        wsx__sse_set_id(p, n);
        return;
    }
    p->_top += p->_id_len - n; /* no type below the id to move */
    p->_id_len = n;
    p->_id_set = 1;
    wsx__sse_move(p->_scratch + p->_top, v, n); /* last: a tail call */
}

/* ---- lines ---------------------------------------------------------- */

/* Field names are case-sensitive (spec: "If the field name is ..."). */
WSX__HOT int field_of_name(const wsx_sse_parser *p, const uint8_t *n, size_t len)
{
    if (p->_skip_block)
        return WSX__SSE_F_NONE;
    switch (len) {
    case 0:
        return (p->_flags & WSX_SSE_WANT_COMMENTS) ? WSX__SSE_F_COMMENT : WSX__SSE_F_NONE;
    case 2:
        return (n[0] == 'i' && n[1] == 'd') ? WSX__SSE_F_ID : WSX__SSE_F_NONE;
    case 4:
        return memcmp(n, "data", 4) == 0 ? WSX__SSE_F_DATA : WSX__SSE_F_NONE;
    case 5:
        if (memcmp(n, "event", 5) == 0)
            return WSX__SSE_F_EVENT;
        return memcmp(n, "retry", 5) == 0 ? WSX__SSE_F_RETRY : WSX__SSE_F_NONE;
    default:
        return WSX__SSE_F_NONE;
    }
}

/* Reads name bytes up to the colon (consumed: state becomes ST_SPACE), a
 * line end (not consumed: state stays ST_NAME) or the end of input.  A name
 * longer than any field name makes the rest of the line ignored. */
static const uint8_t *scan_name(wsx_sse_parser *p, const uint8_t *s, const uint8_t *end)
{
    while (s < end) {
        uint8_t c = *s;
        if (c == '\n' || c == '\r')
            return s;
        s++;
        if (c == ':') {
            p->_field = (uint8_t)field_of_name(p, p->_name, p->_name_len);
            p->_st = WSX__SSE_ST_SPACE;
            return s;
        }
        if (p->_name_len == 5) {
            p->_name_len = WSX__SSE_NAME_UNKNOWN;
            p->_field = WSX__SSE_F_NONE;
            p->_st = WSX__SSE_ST_VALUE;
            return s;
        }
        p->_name[p->_name_len++] = c;
    }
    return s;
}

/* A field line's value starts (possibly empty).  Values that may arrive in
 * pieces are read after the data: the pending data moves in first. */
static int field_begin(wsx_sse_parser *p)
{
    if (p->_field == WSX__SSE_F_NONE || p->_field == WSX__SSE_F_RETRY) {
        p->_retry = 0;
        p->_retry_ok = 1; /* valid so far, no digit yet */
        return 0;
    }
    materialize(p);
    p->_tmp_len = 0;
    p->_id_nul = 0;
    if (p->_field == WSX__SSE_F_EVENT)
        wsx__sse_drop_type(p); /* replaced, whatever the value */
    if (p->_field == WSX__SSE_F_DATA) {
        /* "append the field value to the data buffer, then append a single
         * U+000A LINE FEED": kept as lines joined by LF, the trailing LF
         * the dispatch would strip never stored. */
        if (p->_has_data) {
            if (!wsx__sse_room(p))
                return WSX_E_SSE_LINE_TOO_LONG;
            p->_scratch[p->_data_len++] = '\n';
        }
        p->_has_data = 1;
    }
    return 0;
}

static int field_append(wsx_sse_parser *p, const uint8_t *v, size_t n)
{
    size_t i;
    switch (p->_field) {
    case WSX__SSE_F_RETRY:
        /* "If the field value consists of only ASCII digits": no sign, no
         * space; leading zeros are fine (base ten).  Saturates at 2^32-1. */
        for (i = 0; i < n && p->_retry_ok; i++) {
            unsigned d = (unsigned)v[i] - '0';
            if (d > 9) {
                p->_retry_ok = 0;
            } else {
                p->_retry_ok = 2;
                p->_retry = p->_retry > (0xFFFFFFFFu - d) / 10 ? 0xFFFFFFFFu : p->_retry * 10 + d;
            }
        }
        return 0;
    case WSX__SSE_F_NONE:
        return 0;
    default:
        if (n > wsx__sse_room(p))
            return WSX_E_SSE_LINE_TOO_LONG;
        if (p->_field == WSX__SSE_F_DATA) {
            copy_bytes(p->_scratch + p->_data_len, v, n);
            p->_data_len += n;
            return 0;
        }
        /* event type, id, comment: read after the data */
        copy_bytes(wsx__sse_tmp(p) + p->_tmp_len, v, n);
        p->_tmp_len += n;
        if (p->_field == WSX__SSE_F_ID && has_nul(v, n))
            p->_id_nul = 1;
        return 0;
    }
}

/* The line ends (at a CR or LF not yet consumed). */
static int end_line(wsx_sse_parser *p, wsx_sse_event *ev)
{
    size_t n = p->_tmp_len;
    if (p->_st == WSX__SSE_ST_NAME) {
        int r;
        if (p->_name_len == 0)
            return wsx__sse_dispatch(p, ev, p->_slice);
        /* "field name = the whole line, value = the empty string" */
        p->_field = (uint8_t)field_of_name(p, p->_name, p->_name_len);
        r = field_begin(p);
        if (r)
            return r;
        n = 0;
    }
    p->_tmp_len = 0;
    switch (p->_field) {
    case WSX__SSE_F_EVENT:
        wsx__sse_set_type(p, wsx__sse_tmp(p), n);
        return 0;
    case WSX__SSE_F_ID:
        /* "If the field value does not contain U+0000 NULL" */
        if (!p->_id_nul)
            put_id(p, wsx__sse_tmp(p), n);
        return 0;
    case WSX__SSE_F_RETRY:
        if (p->_retry_ok != 2)
            return 0;
        ev->retry = p->_retry;
        return WSX_SSE_EV_RETRY;
    case WSX__SSE_F_COMMENT:
        return wsx__sse_comment(ev, wsx__sse_tmp(p), n);
    default:
        return 0;
    }
}

/* Consumes the CR, LF or CRLF at s.  A CR as the last byte of the input
 * already ended the line; an LF starting the next input is then dropped. */
WSX__HOT const uint8_t *eat_eol(wsx_sse_parser *p, const uint8_t *s, const uint8_t *end)
{
    p->_name_len = 0;
    p->_st = WSX__SSE_ST_NAME;
    if (*s++ == '\r') {
        if (s == end)
            p->_st = WSX__SSE_ST_CR;
        else if (*s == '\n')
            s++;
    }
    return s;
}

/* ---- whole lines (the fast path) ------------------------------------ */

/* A non-empty line [s, e) that starts at a line start and ends inside the
 * input: handled whole, with exactly the effects of the incremental path
 * (same limits, same errors; *errpos is where an error leaves *consumed). */
WSX__HOT int whole_line(wsx_sse_parser *p, const uint8_t *s, const uint8_t *e, wsx_sse_event *ev,
                        const uint8_t **errpos)
{
    size_t n = (size_t)(e - s), k, vn;
    const uint8_t *v;
    int field;
    if (n >= 5 && memcmp(s, "data:", 5) == 0 && !p->_skip_block) {
        k = 4; /* the most common line first */
        field = WSX__SSE_F_DATA;
    } else {
        /* the name ends at the first colon; over 5 bytes it is no field of ours */
        for (k = 0; k < n && s[k] != ':'; k++)
            if (k == 5)
                return 0;
        field = field_of_name(p, s, k);
    }
    v = s + k;
    if (k < n && ++v < e && *v == ' ')
        v++;
    vn = (size_t)(e - v);
    *errpos = v;
    switch (field) {
    case WSX__SSE_F_DATA:
        if (!p->_has_data) {
            /* zero copy: the first data line lies whole in the input
             * (no data yet, nothing read at a line start: the room is
             * everything below the top) */
            if (vn > p->_top)
                return WSX_E_SSE_LINE_TOO_LONG;
            p->_slice = v;
            p->_slice_len = vn;
            p->_has_data = 1;
            return 0;
        }
        materialize(p);
        if (vn >= wsx__sse_room(p))
            return WSX_E_SSE_LINE_TOO_LONG;
        p->_scratch[p->_data_len] = '\n';
        memcpy(p->_scratch + p->_data_len + 1, v, vn);
        p->_data_len += vn + 1;
        return 0;
    case WSX__SSE_F_ID:
        if (vn > wsx__sse_room(p))
            return WSX_E_SSE_LINE_TOO_LONG;
        if (!has_nul(v, vn))
            put_id(p, v, vn);
        return 0;
    case WSX__SSE_F_EVENT:
        wsx__sse_drop_type(p);
        if (vn > wsx__sse_room(p))
            return WSX_E_SSE_LINE_TOO_LONG;
        wsx__sse_set_type(p, v, vn);
        return 0;
    case WSX__SSE_F_RETRY:
        p->_retry = 0;
        p->_retry_ok = 1;
        p->_field = WSX__SSE_F_RETRY;
        field_append(p, v, vn);
        if (p->_retry_ok != 2)
            return 0;
        ev->retry = p->_retry;
        return WSX_SSE_EV_RETRY;
    case WSX__SSE_F_COMMENT:
        if (vn > wsx__sse_room(p))
            return WSX_E_SSE_LINE_TOO_LONG;
        return wsx__sse_comment(ev, v, vn);
    default:
        return 0;
    }
}

/* ---- the loop ------------------------------------------------------- */

static WSX__NOINLINE int parse_main(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                                    size_t *consumed, wsx_sse_event *ev)
{
    const uint8_t *s = buf, *end = len ? buf + len : buf, *e; /* buf may be NULL */
    int r = 0;

    *consumed = 0;
    if (p->_err)
        return p->_err;
    if (p->_ended)
        return WSX_E_STATE;
    while (s < end) {
        const uint8_t *known_end = NULL; /* set when [s, end) has no line end */
        switch (p->_st) {
        case WSX__SSE_ST_CR:
            if (*s == '\n')
                s++;
            p->_st = WSX__SSE_ST_NAME;
            continue;
        case WSX__SSE_ST_BOM:
            /* One U+FEFF at the start of the stream is dropped; bytes of a
             * partial BOM begin a field name no field has (an ignored line). */
            if (*s == utf8_bom[p->_bom]) {
                s++;
                if (++p->_bom == 3)
                    p->_st = WSX__SSE_ST_NAME;
            } else if (p->_bom == 0) {
                p->_st = WSX__SSE_ST_NAME;
            } else {
                p->_st = WSX__SSE_ST_VALUE;
                p->_field = WSX__SSE_F_NONE;
                p->_name_len = WSX__SSE_NAME_UNKNOWN;
            }
            continue;
        case WSX__SSE_ST_NAME:
            if (p->_name_len == 0) {
                /* At a line start: the whole line is usually here.  Whole
                 * lines are handled in this loop until an event is ready or
                 * a line is cut by the end of the input. */
                for (;;) {
                    if (*s == '\n' || *s == '\r') {
                        e = s;
                        r = wsx__sse_dispatch(p, ev, p->_slice);
                    } else {
                        const uint8_t *errpos = s;
                        e = find_eol(s, end);
                        if (e == end)
                            break;
                        r = whole_line(p, s, e, ev, &errpos);
                        if (r < 0)
                            return *consumed = (size_t)(errpos - buf), wsx__sse_fail(p, r);
                    }
                    s = eat_eol(p, e, end); /* s < end: state is ST_NAME again */
                    if (r || s == end)
                        goto out;
                }
                known_end = end; /* no line end in [s, end): never scan it again */
            }
            s = scan_name(p, s, end);
            if (s == end)
                goto out;
            if (p->_st == WSX__SSE_ST_NAME) {
                r = end_line(p, ev);
                if (r < 0)
                    return *consumed = (size_t)(s - buf), wsx__sse_fail(p, r);
                s = eat_eol(p, s, end);
                if (r)
                    goto out;
                continue;
            }
            if (p->_st == WSX__SSE_ST_VALUE) {
                if (known_end)
                    s = end;
                continue;
            }
            /* fall through */
        case WSX__SSE_ST_SPACE:
            /* "If value starts with a U+0020 SPACE, remove it" (one only) */
            if (*s == ' ')
                s++;
            p->_st = WSX__SSE_ST_VALUE;
            r = field_begin(p);
            if (r < 0)
                return *consumed = (size_t)(s - buf), wsx__sse_fail(p, r);
            e = known_end ? known_end : find_eol(s, end);
            goto value;
        case WSX__SSE_ST_VALUE:
        default:
            e = find_eol(s, end);
        value:
            if (e != s) {
                r = field_append(p, s, (size_t)(e - s));
                if (r < 0)
                    return *consumed = (size_t)(s - buf), wsx__sse_fail(p, r);
            }
            s = e;
            if (s == end)
                goto out;
            r = end_line(p, ev);
            s = eat_eol(p, s, end);
            if (r)
                goto out;
        }
    }
out:
    materialize(p);
    *consumed = (size_t)(s - buf);
    return r;
}

/* ---- one byte ------------------------------------------------------- */

/* 1 if c ends a line (CR or LF); one compare for most bytes. */
#define IS_EOL(c) ((c) <= '\r' && ((c) == '\n' || (c) == '\r'))

/* The empty line, one byte (CR or LF) at a line start: dispatch, then
 * eat_eol() as parse_main() does it.  A leaf of its own.  The byte helpers
 * take wsx_sse_parse's arguments in its order (len is 1), so that the
 * entry jumps to them without moving any. */
static WSX__NOCLONE int empty_line(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                                   size_t *consumed, wsx_sse_event *ev)
{
    (void)len;
    p->_st = buf[0] == '\r' ? WSX__SSE_ST_CR : WSX__SSE_ST_NAME;
    *consumed = 1;
    return wsx__sse_dispatch(p, ev, NULL);
}

/* The line end c of an id line without NUL, one byte: end_line() then
 * eat_eol() as parse_main() does them.  A leaf of its own. */
static WSX__NOCLONE int id_line_end(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                                    size_t *consumed)
{
    size_t n = p->_tmp_len;
    (void)len;
    p->_tmp_len = 0;
    p->_name_len = 0;
    p->_st = buf[0] == '\r' ? WSX__SSE_ST_CR : WSX__SSE_ST_NAME;
    *consumed = 1;
    put_id(p, wsx__sse_tmp(p), n); /* last: nothing to keep across it */
    return 0;
}

/* One byte that the entry's shortcuts did not take, after a field name or
 * in a value: those handled here have _err == 0 and not _ended (see
 * wsx__sse_fail()).  The same effects as parse_main() on that byte, which
 * it falls back to for the rare cases (BOM, a halted parser, a CR not
 * followed by LF, ...). */
static WSX__NOCLONE int one_byte(wsx_sse_parser *p, const uint8_t *buf, size_t len,
                                 size_t *consumed, wsx_sse_event *ev)
{
    uint8_t c = buf[0];
    int r = 0;
    (void)len;
    switch (p->_st) {
    case WSX__SSE_ST_SPACE:
        if (IS_EOL(c))
            return parse_main(p, buf, 1, consumed, ev);
        p->_st = WSX__SSE_ST_VALUE;
        r = field_begin(p);
        if (r < 0) {
            *consumed = c == ' ';
            return wsx__sse_fail(p, r);
        }
        if (c == ' ')
            break;
        /* fall through */
    case WSX__SSE_ST_VALUE:
        if (IS_EOL(c)) {
            /* in ST_VALUE end_line() only reports (never fails) */
            r = end_line(p, ev);
            p->_name_len = 0;
            p->_st = c == '\r' ? WSX__SSE_ST_CR : WSX__SSE_ST_NAME;
            break;
        }
        r = field_append(p, buf, 1);
        if (r < 0) {
            *consumed = 0;
            return wsx__sse_fail(p, r);
        }
        break;
    case WSX__SSE_ST_CR:
        if (c != '\n')
            return parse_main(p, buf, 1, consumed, ev);
        p->_st = WSX__SSE_ST_NAME; /* the LF of a CRLF split over two calls */
        break;
    default:
        return parse_main(p, buf, 1, consumed, ev);
    }
    *consumed = 1;
    return r;
}

/* One byte that the entry's data shortcut did not take: the common cases
 * here, with exactly the effects parse_main() would have; one_byte() takes
 * the other single bytes.  Out of line, so that the entry's shortcut loads
 * nothing it does not test. */
static WSX__NOCLONE int byte_step(wsx_sse_parser *p, const uint8_t *in, size_t len,
                                  size_t *consumed, wsx_sse_event *ev)
{
    /* no test of _err / _ended: their states go to one_byte()'s default.
     * The states in the order of how often a byte comes here in them. */
    uint8_t c = in[0];
    if (p->_st == WSX__SSE_ST_VALUE) {
        if (!IS_EOL(c)) {
            /* (a data byte with room was the entry's) */
            if (p->_field != WSX__SSE_F_ID || p->_tmp_len >= p->_top - p->_data_len)
                return one_byte(p, in, len, consumed, ev);
            wsx__sse_tmp(p)[p->_tmp_len++] = c;
            if (c == 0)
                p->_id_nul = 1;
        } else if (p->_field == WSX__SSE_F_DATA || p->_field == WSX__SSE_F_NONE) {
            /* end_line() then eat_eol(): nothing to do for these (between
             * calls no slice is pending; a data line reads nothing after
             * the data) */
            p->_name_len = 0;
            p->_st = c == '\r' ? WSX__SSE_ST_CR : WSX__SSE_ST_NAME;
        } else if (p->_field == WSX__SSE_F_ID && !p->_id_nul) {
            return id_line_end(p, in, len, consumed);
        } else {
            return one_byte(p, in, len, consumed, ev);
        }
    } else if (p->_st == WSX__SSE_ST_NAME) {
        if (c == ':') {
            p->_field = (uint8_t)field_of_name(p, p->_name, p->_name_len);
            p->_st = WSX__SSE_ST_SPACE;
        } else if (IS_EOL(c) && p->_name_len == 0) {
            return empty_line(p, in, len, consumed, ev);
        } else if (IS_EOL(c) || p->_name_len >= 5) {
            /* a line with no colon, or not a field name wsx knows */
            return parse_main(p, in, 1, consumed, ev);
        } else {
            p->_name[p->_name_len++] = c;
        }
    } else if (p->_st == WSX__SSE_ST_SPACE && c == ' ' &&
               (p->_field == WSX__SSE_F_ID || (p->_field == WSX__SSE_F_DATA && !p->_has_data))) {
        /* field_begin() for a first data line or an id, then the space
         * dropped */
        p->_has_data |= p->_field == WSX__SSE_F_DATA;
        p->_tmp_len = 0;
        p->_id_nul = 0;
        p->_st = WSX__SSE_ST_VALUE;
    } else {
        return one_byte(p, in, len, consumed, ev);
    }
    *consumed = 1;
    return 0;
}

/* Entry.  One byte (the byte-at-a-time feeding some socket layers do):
 * the most common byte, in a data line, right here as a leaf (no call, no
 * stack frame); byte_step() takes the other single bytes, parse_main()
 * everything else. */
int wsx_sse_parse(wsx_sse_parser *p, const void *buf, size_t len, size_t *consumed,
                  wsx_sse_event *ev)
{
    const uint8_t *in = (const uint8_t *)buf;
    if (WSX__UNLIKELY(!p || !consumed || !ev || !buf)) {
        if (p && consumed && ev && !len)
            return parse_main(p, in, 0, consumed, ev); /* no input: NULL is fine */
        if (consumed)
            *consumed = 0;
        return WSX_E_ARG;
    }
    if (len != 1) {
        if (len)
            return parse_main(p, in, len, consumed, ev);
        /* no input: parse_main() without its frame (between calls no
         * slice is pending) */
        *consumed = 0;
        return p->_err ? p->_err : p->_ended ? WSX_E_STATE : 0;
    }
    /* One test of state and field.  (Between calls no slice is pending; a
     * data line reads nothing after the data.) */
    if (WSX__LIKELY((p->_st | p->_field << 8) == (WSX__SSE_ST_VALUE | WSX__SSE_F_DATA << 8)) &&
        in[0] > '\r' && p->_data_len < p->_top) {
        p->_scratch[p->_data_len++] = in[0];
        *consumed = 1;
        return 0;
    }
    return byte_step(p, in, len, consumed, ev);
}

#endif /* !WSX_SMALL */
