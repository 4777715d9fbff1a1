/*
 * text/event-stream parser (WHATWG HTML, "Parsing an event stream" and
 * "Interpreting an event stream").  Pull-based, byte level, each input byte
 * scanned once: a line is found with a vector/word-at-a-time CR/LF search
 * and its value goes straight to where it belongs (data, type, id slot);
 * a line split over chunks simply resumes in the state it stopped in.
 * The compact profile (WSX_SMALL, at the end of this file) runs the same
 * states one byte at a time instead: same events, errors and limits.
 *
 * Scratch layout (F = max_field):
 *   [id slot 0 | id slot 1 | id slot 2 | event type | data ... (cap)]
 *   F            F           F           F
 * The three id slots rotate by index, never copied: _id_last is the last
 * event ID (committed by each empty line), _id_buf the spec's "last event ID
 * buffer" (== _id_last until an id line arrives), _id_tmp the one an id line
 * is read into (it may turn out to contain NUL and be ignored).
 */
#include "wsx_internal.h"
#include "wsx_sse.h"
#include "sse_internal.h"

#include <string.h>

#if defined(__SSE2__) && !defined(WSX_SMALL)
#include <emmintrin.h>
#endif

/* ST_HALTED: after an error (see fail()), which always cuts a line. */
enum { ST_BOM, ST_NAME, ST_SPACE, ST_VALUE, ST_CR, ST_HALTED };
/* F_EMPTY (compact profile): the empty line, read as a field whose line
 * end dispatches the event. */
enum { F_NONE, F_DATA, F_EVENT, F_ID, F_RETRY, F_COMMENT, F_EMPTY };

/* WSX_SMALL (wsx.h): no whole-line fast path, no single-byte shortcut, no
 * vector scan: a byte-at-a-time machine does the same work. */

#define NAME_UNKNOWN 6 /* _name_len: longer than any known field name */

static const uint8_t message_type[] = "message";
static const uint8_t utf8_bom[3] = { 0xEF, 0xBB, 0xBF };

/* ---- scanning ------------------------------------------------------- */

#ifndef WSX_SMALL

#if defined(__GNUC__) || defined(__clang__)
#define CTZ(x) ((unsigned)__builtin_ctz(x))
#else
static unsigned CTZ(unsigned x)
{
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
}
#endif

/* First CR or LF in [s, end), or end.  Never reads outside [s, end). */
WSX__HOT const uint8_t *find_eol(const uint8_t *s, const uint8_t *end)
{
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
        if (m)
            return s + CTZ(m);
        s += 16;
    }
#else
    /* Word at a time: a byte of x is zero iff (x - 0x01..) & ~x & 0x80..
     * flags it (the lowest flagged byte is exact; we re-scan that word). */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - s >= 8) {
        uint64_t w, a, b;
        memcpy(&w, s, 8);
        a = w ^ (ones * '\n');
        b = w ^ (ones * '\r');
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
            break;
        s += 8;
    }
#endif
    while (s < end && *s != '\n' && *s != '\r')
        s++;
    return s;
}

WSX__HOT int has_nul(const uint8_t *v, size_t n)
{
    if (n >= 16)
        return memchr(v, 0, n) != NULL;
    while (n--)
        if (*v++ == 0)
            return 1;
    return 0;
}

#endif /* !WSX_SMALL */

/* ---- scratch regions ------------------------------------------------ */

static uint8_t *id_slot(const wsx_sse_parser *p, unsigned i)
{
    return p->_scratch + (size_t)i * p->_max_field;
}

static uint8_t *type_buf(const wsx_sse_parser *p)
{
    return p->_scratch + 3 * p->_max_field;
}

static uint8_t *data_buf(const wsx_sse_parser *p)
{
    return p->_scratch + 4 * p->_max_field;
}

/* After _id_last or _id_buf moved: the next id line is read into a slot
 * that is neither.  Of slots 0, 1, 2 the third one is a ^ b ^ 3 when
 * a != b (0 ^ 1 ^ 3 = 2, ...); when a == b, any other one will do (!a). */
static void pick_tmp(wsx_sse_parser *p)
{
    unsigned a = p->_id_last, third = a ^ p->_id_buf ^ 3;
    p->_id_tmp = (uint8_t)(third == 3 ? !a : third);
}

#ifndef WSX_SMALL
/* A pending single data line inside the caller's input moves into the
 * scratch buffer: the parser never keeps input pointers across calls. */
static void materialize(wsx_sse_parser *p)
{
    if (p->_slice) {
        memcpy(data_buf(p), p->_slice, p->_slice_len);
        p->_data_len = p->_slice_len;
        p->_slice = NULL;
        p->_slice_len = 0;
    }
}
#endif

static void clear_event(wsx_sse_parser *p)
{
    p->_has_data = 0;
    p->_data_len = 0;
#ifndef WSX_SMALL /* the compact profile keeps its slice in a local */
    p->_slice = NULL;
    p->_slice_len = 0;
#endif
    p->_type_len = 0;
    p->_tmp_len = 0;
}

/* ---- lines ---------------------------------------------------------- */

#ifndef WSX_SMALL
/* Field names are case-sensitive (spec: "If the field name is ..."). */
WSX__HOT int field_of_name(const wsx_sse_parser *p, const uint8_t *n, size_t len);

static int field_of(const wsx_sse_parser *p)
{
    return field_of_name(p, p->_name, p->_name_len);
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
            p->_field = (uint8_t)field_of(p);
            p->_st = ST_SPACE;
            return s;
        }
        if (p->_name_len == 5) {
            p->_name_len = NAME_UNKNOWN;
            p->_field = F_NONE;
            p->_st = ST_VALUE;
            return s;
        }
        p->_name[p->_name_len++] = c;
    }
    return s;
}

/* A field line's value starts (possibly empty). */
static int field_begin(wsx_sse_parser *p)
{
    switch (p->_field) {
    case F_DATA:
        /* "append the field value to the data buffer, then append a single
         * U+000A LINE FEED": kept as lines joined by LF, the trailing LF
         * the dispatch would strip never stored. */
        materialize(p);
        if (p->_has_data) {
            if (p->_data_len >= p->_cap)
                return WSX_E_SSE_LINE_TOO_LONG;
            data_buf(p)[p->_data_len++] = '\n';
        }
        p->_has_data = 1;
        break;
    case F_EVENT:
        p->_type_len = 0;
        break;
    case F_ID:
        p->_id_len[p->_id_tmp] = 0;
        p->_id_nul = 0;
        break;
    case F_RETRY:
        p->_retry = 0;
        p->_retry_ok = 1; /* valid so far, no digit yet */
        break;
    case F_COMMENT:
        materialize(p);
        p->_tmp_len = 0;
        break;
    default:
        break;
    }
    return 0;
}

/* memcpy, without a library call for the few bytes of an id or a byte. */
WSX__HOT void copy_bytes(uint8_t *d, const uint8_t *v, size_t n)
{
    if (n > 16) {
        memcpy(d, v, n);
        return;
    }
    while (n--)
        *d++ = *v++;
}

static int field_append(wsx_sse_parser *p, const uint8_t *v, size_t n)
{
    size_t i;
    switch (p->_field) {
    case F_DATA:
        if (n > p->_cap - p->_data_len)
            return WSX_E_SSE_LINE_TOO_LONG;
        copy_bytes(data_buf(p) + p->_data_len, v, n);
        p->_data_len += n;
        break;
    case F_EVENT:
        if (n > p->_max_field - p->_type_len)
            return WSX_E_SSE_FIELD_TOO_LONG;
        copy_bytes(type_buf(p) + p->_type_len, v, n);
        p->_type_len += (uint32_t)n;
        break;
    case F_ID:
        if (n > p->_max_field - p->_id_len[p->_id_tmp])
            return WSX_E_SSE_FIELD_TOO_LONG;
        copy_bytes(id_slot(p, p->_id_tmp) + p->_id_len[p->_id_tmp], v, n);
        p->_id_len[p->_id_tmp] += (uint32_t)n;
        if (has_nul(v, n))
            p->_id_nul = 1;
        break;
    case F_RETRY:
        /* "If the field value consists of only ASCII digits": no sign, no
         * space; leading zeros are fine (base ten).  Saturates at 2^32-1. */
        for (i = 0; i < n && p->_retry_ok; i++) {
            unsigned d = (unsigned)v[i] - '0';
            if (d > 9) {
                p->_retry_ok = 0;
            } else {
                p->_retry_ok = 2;
                p->_retry = p->_retry > (0xFFFFFFFFu - d) / 10 ? 0xFFFFFFFFu
                                                                : p->_retry * 10 + d;
            }
        }
        break;
    case F_COMMENT:
        if (n > p->_cap - p->_data_len - p->_tmp_len)
            return WSX_E_SSE_LINE_TOO_LONG;
        copy_bytes(data_buf(p) + p->_data_len + p->_tmp_len, v, n);
        p->_tmp_len += n;
        break;
    default:
        break;
    }
    return 0;
}


/* "If the line is empty: dispatch the event." */
WSX__HOT int dispatch(wsx_sse_parser *p, wsx_sse_event *ev)
{
    if (p->_skip_block) {
        /* the block that overflowed ends here: back to normal */
        p->_skip_block = 0;
        clear_event(p);
        return 0;
    }
    /* Step 1: the last event ID is set even when no event follows. */
    p->_id_last = p->_id_buf;
    pick_tmp(p);
    if (!p->_has_data) {
        p->_type_len = 0;
        return 0;
    }
    if (p->_slice) {
        ev->data = p->_slice;
        ev->data_len = p->_slice_len;
    } else {
        ev->data = data_buf(p);
        ev->data_len = p->_data_len;
    }
    if (p->_type_len) {
        ev->type = type_buf(p);
        ev->type_len = p->_type_len;
    } else {
        ev->type = message_type;
        ev->type_len = 7;
    }
    ev->id = id_slot(p, p->_id_last);
    ev->id_len = p->_id_len[p->_id_last];
    ev->retry = 0;
    clear_event(p);
    return WSX_SSE_EVENT;
}

/* The line ends (at a CR or LF not yet consumed). */
static int end_line(wsx_sse_parser *p, wsx_sse_event *ev)
{
    if (p->_st == ST_NAME) {
        int r;
        if (p->_name_len == 0)
            return dispatch(p, ev);
        /* "field name = the whole line, value = the empty string" */
        p->_field = (uint8_t)field_of(p);
        r = field_begin(p);
        if (r)
            return r;
    }
    switch (p->_field) {
    case F_ID:
        /* "If the field value does not contain U+0000 NULL" */
        if (!p->_id_nul) {
            p->_id_buf = p->_id_tmp;
            pick_tmp(p);
        }
        return 0;
    case F_RETRY:
        if (p->_retry_ok != 2)
            return 0;
        ev->retry = p->_retry;
        return WSX_SSE_RETRY;
    case F_COMMENT:
        ev->data = data_buf(p) + p->_data_len;
        ev->data_len = p->_tmp_len;
        ev->type = ev->id = NULL;
        ev->type_len = ev->id_len = 0;
        p->_tmp_len = 0;
        return WSX_SSE_COMMENT;
    default:
        return 0;
    }
}

/* Consumes the CR, LF or CRLF at s.  A CR as the last byte of the input
 * already ended the line; an LF starting the next input is then dropped. */
WSX__HOT const uint8_t *eat_eol(wsx_sse_parser *p, const uint8_t *s, const uint8_t *end)
{
    p->_name_len = 0;
    p->_st = ST_NAME;
    if (*s++ == '\r') {
        if (s == end)
            p->_st = ST_CR;
        else if (*s == '\n')
            s++;
    }
    return s;
}

/* ---- whole lines (the fast path) ------------------------------------ */

WSX__HOT int field_of_name(const wsx_sse_parser *p, const uint8_t *n, size_t len)
{
    if (p->_skip_block)
        return F_NONE;
    switch (len) {
    case 0:
        return (p->_flags & WSX_SSE_WANT_COMMENTS) ? F_COMMENT : F_NONE;
    case 2:
        return (n[0] == 'i' && n[1] == 'd') ? F_ID : F_NONE;
    case 4:
        return memcmp(n, "data", 4) == 0 ? F_DATA : F_NONE;
    case 5:
        if (memcmp(n, "event", 5) == 0)
            return F_EVENT;
        return memcmp(n, "retry", 5) == 0 ? F_RETRY : F_NONE;
    default:
        return F_NONE;
    }
}

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
        field = F_DATA;
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
    case F_DATA:
        if (!p->_has_data) {
            /* zero copy: the first data line lies whole in the input */
            if (vn > p->_cap)
                return WSX_E_SSE_LINE_TOO_LONG;
            p->_slice = v;
            p->_slice_len = vn;
            p->_has_data = 1;
            return 0;
        }
        materialize(p);
        if (p->_data_len >= p->_cap || vn > p->_cap - p->_data_len - 1)
            return WSX_E_SSE_LINE_TOO_LONG;
        data_buf(p)[p->_data_len] = '\n';
        memcpy(data_buf(p) + p->_data_len + 1, v, vn);
        p->_data_len += vn + 1;
        return 0;
    case F_ID:
        if (vn > p->_max_field)
            return WSX_E_SSE_FIELD_TOO_LONG;
        if (has_nul(v, vn))
            return 0;
        memcpy(id_slot(p, p->_id_tmp), v, vn);
        p->_id_len[p->_id_tmp] = (uint32_t)vn;
        p->_id_buf = p->_id_tmp;
        pick_tmp(p);
        return 0;
    case F_EVENT:
        if (vn > p->_max_field)
            return WSX_E_SSE_FIELD_TOO_LONG;
        memcpy(type_buf(p), v, vn);
        p->_type_len = (uint32_t)vn;
        return 0;
    case F_RETRY:
        p->_retry = 0;
        p->_retry_ok = 1;
        p->_field = F_RETRY;
        field_append(p, v, vn);
        if (p->_retry_ok != 2)
            return 0;
        ev->retry = p->_retry;
        return WSX_SSE_RETRY;
    case F_COMMENT:
        if (vn > p->_cap - p->_data_len - p->_slice_len)
            return WSX_E_SSE_LINE_TOO_LONG;
        ev->data = v;
        ev->data_len = vn;
        ev->type = ev->id = NULL;
        ev->type_len = ev->id_len = 0;
        return WSX_SSE_COMMENT;
    default:
        return 0;
    }
}
#endif /* !WSX_SMALL */

/* ---- public --------------------------------------------------------- */

wsx_err wsx_sse_parser_init(wsx_sse_parser *p, void *scratch, size_t scratch_size,
                            const wsx_sse_parser_config *cfg)
{
    size_t f = cfg && cfg->max_field ? cfg->max_field : WSX_SSE_DEFAULT_MAX_FIELD;
    /* scratch_size > 4 * f, without overflow */
    if (!p || !scratch || wsx__sse_over_u32(f) || !scratch_size || f > (scratch_size - 1) / 4)
        return WSX_E_ARG;
    memset(p, 0, sizeof *p); /* ST_BOM, no event, last event ID "" in slot 0 */
    p->_scratch = (uint8_t *)scratch;
    p->_max_field = f;
    p->_cap = scratch_size - 4 * f;
    p->_flags = (uint8_t)(cfg ? cfg->flags & WSX_SSE_WANT_COMMENTS : 0);
    wsx_sse_reset(p);
    return WSX_OK;
}

void wsx_sse_reset(wsx_sse_parser *p)
{
    clear_event(p);
    p->_id_buf = p->_id_last;
    pick_tmp(p);
    p->_st = ST_BOM;
    p->_bom = 0;
    p->_name_len = 0;
    p->_field = F_NONE;
    p->_skip_block = 0;
    p->_err = 0;
    p->_ended = 0;
}

/* 1 if the stream stopped inside a line. */
static int in_line(const wsx_sse_parser *p)
{
    switch (p->_st) {
    case ST_BOM:
        return p->_bom != 0;
    case ST_NAME:
        return p->_name_len != 0;
    default: /* ST_SPACE, ST_VALUE, ST_HALTED */
        return p->_st != ST_CR;
    }
}

int wsx_sse_end(wsx_sse_parser *p)
{
    int partial = p->_has_data || p->_type_len || p->_id_buf != p->_id_last || in_line(p);
    int err = p->_err;
    wsx_sse_reset(p);
    p->_err = err;
    p->_ended = 1;
    return partial;
}

wsx_err wsx_sse_resync(wsx_sse_parser *p)
{
    uint8_t ended = p->_ended;
    if (!p->_err) /* the only sticky errors are the two overflows */
        return WSX_E_STATE;
    wsx_sse_reset(p); /* drops the event, its id and the error */
    /* Errors only happen inside a line: ignore its rest (an ignored value:
     * _field is F_NONE), then every line up to the empty one that ends the
     * block.  After wsx_sse_end() parsing stays refused: still halted. */
    p->_ended = ended;
    p->_st = ended ? ST_HALTED : ST_VALUE;
    p->_skip_block = 1;
    return WSX_OK;
}

const uint8_t *wsx_sse_last_event_id(const wsx_sse_parser *p, size_t *len)
{
    *len = p->_id_len[p->_id_last];
    return id_slot(p, p->_id_last);
}

wsx_err wsx_sse_set_last_event_id(wsx_sse_parser *p, const uint8_t *id, size_t len)
{
    uint8_t slot;
    if (!wsx__sse_field_ok((const char *)id, len))
        return WSX_E_SSE_FIELD;
    if (len > p->_max_field)
        return WSX_E_SSE_FIELD_TOO_LONG;
    /* write into the slot that is neither the current last nor the buffer */
    slot = p->_id_tmp;
    if (len)
        memcpy(id_slot(p, slot), id, len);
    p->_id_len[slot] = (uint32_t)len;
    if (p->_id_buf == p->_id_last)
        p->_id_buf = slot;
    p->_id_last = slot;
    pick_tmp(p);
    return WSX_OK;
}

/* The state is parked too: while _err or _ended is set the state is
 * ST_BOM (wsx_sse_end()) or halted, so the one-byte entry needs to test
 * the state only. */
static int fail(wsx_sse_parser *p, int err)
{
    /* Errors only happen inside a line, even when the whole-line path
     * found it (its state still says "line start"): wsx_sse_end() then
     * says something was cut, whatever the chunking. */
    p->_st = ST_HALTED;
    p->_err = err;
#ifndef WSX_SMALL
    p->_slice = NULL; /* the event is lost; keep no pointer into the input */
    p->_slice_len = 0;
#endif
    return err;
}

#ifndef WSX_SMALL
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int parse_main(wsx_sse_parser *p, const uint8_t *buf, size_t len, size_t *consumed,
                      wsx_sse_event *ev)
{
    const uint8_t *s = buf, *end = buf + len, *e;
    int r = 0;

    *consumed = 0;
    if (p->_err)
        return p->_err;
    if (p->_ended)
        return WSX_E_STATE;
    while (s < end) {
        const uint8_t *known_end = NULL; /* set when [s, end) has no line end */
        switch (p->_st) {
        case ST_CR:
            if (*s == '\n')
                s++;
            p->_st = ST_NAME;
            continue;
        case ST_BOM:
            /* One U+FEFF at the start of the stream is dropped; bytes of a
             * partial BOM begin a field name no field has (an ignored line). */
            if (*s == utf8_bom[p->_bom]) {
                s++;
                if (++p->_bom == 3)
                    p->_st = ST_NAME;
            } else if (p->_bom == 0) {
                p->_st = ST_NAME;
            } else {
                p->_st = ST_VALUE;
                p->_field = F_NONE;
                p->_name_len = NAME_UNKNOWN;
            }
            continue;
        case ST_NAME:
            if (p->_name_len == 0) {
                /* At a line start: the whole line is usually here.  Whole
                 * lines are handled in this loop until an event is ready or
                 * a line is cut by the end of the input. */
                for (;;) {
                    if (*s == '\n' || *s == '\r') {
                        e = s;
                        r = dispatch(p, ev);
                    } else {
                        const uint8_t *errpos = s;
                        e = find_eol(s, end);
                        if (e == end)
                            break;
                        r = whole_line(p, s, e, ev, &errpos);
                        if (r < 0)
                            return *consumed = (size_t)(errpos - buf), fail(p, r);
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
            if (p->_st == ST_NAME) {
                r = end_line(p, ev);
                if (r < 0)
                    return *consumed = (size_t)(s - buf), fail(p, r);
                s = eat_eol(p, s, end);
                if (r)
                    goto out;
                continue;
            }
            if (p->_st == ST_VALUE) {
                if (known_end)
                    s = end;
                continue;
            }
            /* fall through */
        case ST_SPACE:
            /* "If value starts with a U+0020 SPACE, remove it" (one only) */
            if (*s == ' ')
                s++;
            p->_st = ST_VALUE;
            r = field_begin(p);
            if (r < 0)
                return *consumed = (size_t)(s - buf), fail(p, r);
            e = known_end ? known_end : find_eol(s, end);
            goto value;
        case ST_VALUE:
        default:
            e = find_eol(s, end);
        value:
            if (e != s) {
                r = field_append(p, s, (size_t)(e - s));
                if (r < 0)
                    return *consumed = (size_t)(s - buf), fail(p, r);
            }
            s = e;
            if (s == end)
                goto out;
            r = end_line(p, ev);
            if (r < 0)
                return *consumed = (size_t)(s - buf), fail(p, r);
            s = eat_eol(p, s, end);
            if (r)
                goto out;
        }
    }
out:
    if (p->_slice)
        materialize(p);
    *consumed = (size_t)(s - buf);
    return r;
}

/* 1 if c ends a line (CR or LF); one compare for most bytes. */
#define IS_EOL(c) ((c) <= '\r' && ((c) == '\n' || (c) == '\r'))

/* The empty line, one byte (CR or LF) at a line start: dispatch, then
 * eat_eol() as parse_main() does it.  A leaf of its own. */
static WSX__NOINLINE int empty_line(wsx_sse_parser *p, const uint8_t *buf, size_t *consumed,
                               wsx_sse_event *ev)
{
    int r = dispatch(p, ev);
    p->_st = buf[0] == '\r' ? ST_CR : ST_NAME;
    *consumed = 1;
    return r;
}

/* One byte that the entry's shortcuts did not take, in any state: those
 * handled here have _err == 0 and not _ended (see fail()).  The same
 * effects as parse_main() on that byte, which it falls back to for the
 * rare cases (BOM, a halted parser, a field line with no colon, ...). */
static WSX__NOINLINE int one_byte(wsx_sse_parser *p, const uint8_t *buf, size_t *consumed,
                             wsx_sse_event *ev)
{
    uint8_t c = buf[0];
    int r = 0;
    switch (p->_st) {
    case ST_NAME:
        if (IS_EOL(c)) {
            if (p->_name_len)
                return parse_main(p, buf, 1, consumed, ev);
            /* the empty line: as parse_main's whole-line loop, then eat_eol */
            r = dispatch(p, ev);
            p->_st = c == '\r' ? ST_CR : ST_NAME;
            break;
        }
        if (c == ':') {
            p->_field = (uint8_t)field_of(p);
            p->_st = ST_SPACE;
            break;
        }
        if (p->_name_len >= 5)
            return parse_main(p, buf, 1, consumed, ev);
        p->_name[p->_name_len++] = c;
        break;
    case ST_SPACE:
        if (IS_EOL(c))
            return parse_main(p, buf, 1, consumed, ev);
        p->_st = ST_VALUE;
        r = field_begin(p);
        if (r < 0) {
            *consumed = c == ' ';
            return fail(p, r);
        }
        if (c == ' ')
            break;
        /* fall through */
    case ST_VALUE:
        if (IS_EOL(c)) {
            /* in ST_VALUE end_line() only reports (never fails) */
            r = end_line(p, ev);
            p->_name_len = 0;
            p->_st = c == '\r' ? ST_CR : ST_NAME;
            break;
        }
        r = field_append(p, buf, 1);
        if (r < 0) {
            *consumed = 0;
            return fail(p, r);
        }
        break;
    case ST_CR:
        if (c != '\n')
            return parse_main(p, buf, 1, consumed, ev);
        p->_st = ST_NAME; /* the LF of a CRLF split over two calls */
        break;
    default:
        return parse_main(p, buf, 1, consumed, ev);
    }
    *consumed = 1;
    return r;
}

/* Entry.  One byte (the byte-at-a-time feeding some socket layers do):
 * the common cases right here, as a leaf (no call, no stack frame), with
 * exactly the effects parse_main() would have; one_byte() takes the other
 * single bytes, parse_main() everything else. */
int wsx_sse_parse(wsx_sse_parser *p, const uint8_t *buf, size_t len, size_t *consumed,
                  wsx_sse_event *ev)
{
    uint8_t c;
    if (len != 1)
        return parse_main(p, buf, len, consumed, ev);
    /* no test of _err / _ended: their states go to one_byte()'s default */
    c = buf[0];
    switch (p->_st) {
    case ST_VALUE:
        if (!IS_EOL(c)) {
            if (p->_field == F_DATA && p->_data_len < p->_cap) {
                data_buf(p)[p->_data_len++] = c; /* the most common byte */
                break;
            }
            if (p->_field == F_ID && p->_id_len[p->_id_tmp] < p->_max_field) {
                id_slot(p, p->_id_tmp)[p->_id_len[p->_id_tmp]++] = c;
                if (c == 0)
                    p->_id_nul = 1;
                break;
            }
        } else if (p->_field <= F_ID) {
            /* end_line() then eat_eol(): only an id has work to do,
             * "if the field value does not contain U+0000 NULL" */
            if (p->_field == F_ID && !p->_id_nul) {
                p->_id_buf = p->_id_tmp;
                pick_tmp(p);
            }
            p->_name_len = 0;
            p->_st = c == '\r' ? ST_CR : ST_NAME;
            break;
        }
        return one_byte(p, buf, consumed, ev);
    case ST_NAME:
        if (c == ':') {
            p->_field = (uint8_t)field_of_name(p, p->_name, p->_name_len);
            p->_st = ST_SPACE;
            break;
        }
        if (!IS_EOL(c)) {
            if (p->_name_len >= 5)
                return one_byte(p, buf, consumed, ev);
            p->_name[p->_name_len++] = c;
            break;
        }
        if (p->_name_len == 0)
            return empty_line(p, buf, consumed, ev);
        return one_byte(p, buf, consumed, ev);
    case ST_SPACE:
        /* field_begin() for the common fields, then the space dropped */
        if (c != ' ')
            return one_byte(p, buf, consumed, ev);
        if (p->_field == F_ID) {
            p->_id_len[p->_id_tmp] = 0;
            p->_id_nul = 0;
        } else if (p->_field == F_DATA && !p->_has_data) {
            p->_has_data = 1;
        } else {
            return one_byte(p, buf, consumed, ev);
        }
        p->_st = ST_VALUE;
        break;
    default:
        return one_byte(p, buf, consumed, ev);
    }
    *consumed = 1;
    return 0;
}

#else /* WSX_SMALL */

/*
 * The compact profile: the same states, one byte at a time.  Each byte does
 * to its field what the default profile does to a whole run of bytes, so
 * events, errors (and where they leave *consumed) and limits are the same.
 * A value being read (data line, comment, id, event type) is counted in
 * _tmp_len and committed to its field when its line ends, so one bounded
 * append serves all four.
 */

/* Field names are case-sensitive (spec: "If the field name is ...").
 * Row i is the name of field i + 1 (F_DATA ... F_RETRY) and a colon, which
 * no name contains: a name matches when the colon follows its last byte. */
static const char field_names[4][7] = { "data:", "event:", "id:", "retry:" };

static WSX__NOINLINE int field_of(const wsx_sse_parser *p)
{
    unsigned i, n = p->_name_len; /* <= 5 here */
    if (p->_skip_block)
        return F_NONE;
    if (n == 0)
        return (p->_flags & WSX_SSE_WANT_COMMENTS) ? F_COMMENT : F_NONE;
    for (i = 0; i < 4; i++)
        if (memcmp(p->_name, field_names[i], n) == 0 && field_names[i][n] == ':')
            return (int)i + 1;
    return F_NONE;
}

/* One byte of a value.  Ignored fields store nothing and have no limit. */
static int value_byte(wsx_sse_parser *p, uint8_t c)
{
    uint8_t *dst = type_buf(p);
    size_t room = p->_max_field;
    switch (p->_field) {
    case F_RETRY: {
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
    case F_ID:
        dst = id_slot(p, p->_id_tmp);
        if (c == 0)
            p->_id_nul = 1;
        /* fall through */
    case F_EVENT:
        if (p->_tmp_len >= room)
            return WSX_E_SSE_FIELD_TOO_LONG;
        break;
    case F_DATA:
    case F_COMMENT: /* read after the pending data, in the same room */
        dst = data_buf(p) + p->_data_len;
        if (p->_tmp_len >= p->_cap - p->_data_len)
            return WSX_E_SSE_LINE_TOO_LONG;
        break;
    default:
        return 0;
    }
    dst[p->_tmp_len++] = c;
    return 0;
}

/* "If the line is empty: dispatch the event."  slice: the data, when its
 * one line lies in the caller's input (zero copy, as wsx_sse.h says). */
static int dispatch(wsx_sse_parser *p, wsx_sse_event *ev, const uint8_t *slice)
{
    int r = 0;
    if (p->_skip_block) {
        p->_skip_block = 0; /* the block that overflowed ends here */
    } else {
        /* Step 1: the last event ID is set even when no event follows. */
        p->_id_last = p->_id_buf;
        pick_tmp(p);
        if (p->_has_data) {
            ev->data = slice ? slice : data_buf(p);
            ev->data_len = p->_data_len;
            ev->type = type_buf(p);
            ev->type_len = p->_type_len;
            if (!p->_type_len) {
                ev->type = message_type;
                ev->type_len = 7;
            }
            ev->id = id_slot(p, p->_id_last);
            ev->id_len = p->_id_len[p->_id_last];
            ev->retry = 0;
            r = WSX_SSE_EVENT;
        }
    }
    clear_event(p);
    return r;
}

/* The line of a field ends: its value goes where it belongs. */
static WSX__NOINLINE int value_end(wsx_sse_parser *p, wsx_sse_event *ev, const uint8_t *slice)
{
    size_t n = p->_tmp_len;
    p->_tmp_len = 0;
    switch (p->_field) {
    case F_DATA:
        p->_data_len += n;
        break;
    case F_EVENT:
        p->_type_len = (uint32_t)n;
        break;
    case F_ID:
        /* "If the field value does not contain U+0000 NULL" */
        if (!p->_id_nul) {
            p->_id_len[p->_id_tmp] = (uint32_t)n;
            p->_id_buf = p->_id_tmp;
            pick_tmp(p);
        }
        break;
    case F_RETRY:
        if (p->_retry_ok != 2)
            break;
        ev->retry = p->_retry;
        return WSX_SSE_RETRY;
    case F_COMMENT:
        ev->data = data_buf(p) + p->_data_len;
        ev->data_len = n;
        ev->type = ev->id = NULL;
        ev->type_len = ev->id_len = 0;
        return WSX_SSE_COMMENT;
    case F_EMPTY:
        return dispatch(p, ev, slice);
    }
    return 0;
}

int wsx_sse_parse(wsx_sse_parser *p, const uint8_t *buf, size_t len, size_t *consumed,
                  wsx_sse_event *ev)
{
    const uint8_t *s = buf, *end = buf + len;
    const uint8_t *value = buf;  /* this call's part of the value being read */
    const uint8_t *slice = NULL; /* the event's one data line, whole in buf */
    int line_here = 0;           /* a line began in this call */
    int r = p->_err;

    if (!r && p->_ended)
        r = WSX_E_STATE;
    if (r) {
        *consumed = 0;
        return r;
    }
    while (!r && s < end) {
        uint8_t c = *s++;
        int eol = c == '\n' || c == '\r';
        switch (p->_st) {
        case ST_CR:
            /* the LF of a CRLF split over two calls is dropped */
            p->_st = ST_NAME;
            s -= c != '\n';
            continue;
        case ST_BOM:
            /* One U+FEFF at the start of the stream is dropped; bytes of a
             * partial BOM begin a field name no field has (an ignored line;
             * _field is F_NONE at the start of a stream). */
            if (c == utf8_bom[p->_bom]) {
                if (++p->_bom == 3)
                    p->_st = ST_NAME;
                continue;
            }
            s--;
            p->_st = p->_bom ? ST_VALUE : ST_NAME;
            continue;
        case ST_NAME:
            if (p->_name_len == 0)
                line_here = 1;
            if (eol || c == ':') {
                /* The name ends.  No colon: "field name = the whole line,
                 * value = the empty string" (no name either: F_EMPTY); the
                 * line end is then read again, as the end of the value. */
                p->_field = (uint8_t)(eol && !p->_name_len ? F_EMPTY : field_of(p));
                p->_st = ST_SPACE;
                s -= eol;
            } else if (p->_name_len == 5) {
                /* longer than any field name: the line is ignored */
                p->_field = F_NONE;
                p->_st = ST_VALUE;
            } else {
                p->_name[p->_name_len++] = c;
            }
            continue;
        case ST_SPACE:
            /* "If value starts with a U+0020 SPACE, remove it" (one only) */
            s -= c != ' ';
            value = s;
            p->_st = ST_VALUE;
            p->_id_nul = 0;
            p->_retry = 0;
            p->_retry_ok = 1; /* valid so far, no digit yet */
            if (p->_field != F_DATA)
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
        p->_st = ST_NAME;
        if (c == '\r') {
            if (s == end)
                p->_st = ST_CR;
            else
                s += *s == '\n';
        }
    }
    *consumed = (size_t)(s - buf);
    return r;
error:
    *consumed = (size_t)(value - buf);
    return fail(p, r);
}

#endif /* WSX_SMALL */
