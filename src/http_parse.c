/*
 * Incremental HTTP/1.1 head parser (RFC 9112 sections 2-5).
 *
 * Scanning: each call looks for line ends only in the bytes it has not seen
 * yet, and validates each line once, when its LF arrives.  In the fast
 * profile a line that starts in this call is scanned for its first control
 * byte (wsx__http_stop, vector code): a CR LF or LF there ends a line that
 * holds no forbidden byte, so only its start line or field name is left to
 * check; anything else, and the rest of a line begun in an earlier call, is
 * searched with memchr and checked byte by byte.  The state holds offsets,
 * never pointers, so the caller's buffer may move between calls.  When the
 * blank line arrives, a second, light pass over the already validated
 * header lines fills the caller's array.
 */
#include <limits.h>
#include <string.h>

#include "wsx_internal.h"
#include "wsx_http.h"
#include "http_chars.h"

enum { KIND_NONE = 0, KIND_REQUEST = 1, KIND_RESPONSE = 2 };

void wsx_http_config_default(wsx_http_config *cfg)
{
    if (!cfg)
        return;
    cfg->max_line = WSX_HTTP_DEFAULT_MAX_LINE;
    cfg->max_target = WSX_HTTP_DEFAULT_MAX_TARGET;
    cfg->max_head = WSX_HTTP_DEFAULT_MAX_HEAD;
    cfg->flags = 0;
}

int wsx_http_parser_init(wsx_http_parser *p, const wsx_http_config *cfg)
{
    if (!p)
        return WSX_E_ARG;
    memset(p, 0, sizeof *p);
    p->_max_line = cfg && cfg->max_line ? cfg->max_line : WSX_HTTP_DEFAULT_MAX_LINE;
    p->_max_target = cfg && cfg->max_target ? cfg->max_target : WSX_HTTP_DEFAULT_MAX_TARGET;
    p->_max_head = cfg && cfg->max_head ? cfg->max_head : WSX_HTTP_DEFAULT_MAX_HEAD;
    if (p->_max_head > INT_MAX)
        p->_max_head = INT_MAX; /* the head length is returned as an int */
    p->_flags = cfg ? cfg->flags : 0;
    return WSX_OK;
}

/* Length of the run of bytes of class cls (WSX__HC_*) at the start of s[0..n). */
static size_t span(const char *s, size_t n, unsigned cls)
{
    size_t i = 0;
    while (i < n && wsx__http_is(s[i], cls))
        i++;
    return i;
}

/* 1 if v[0..n) are all field-value bytes (HTAB, SP..'~', obs-text).
 * Eight bytes at a time: a word with no byte below 0x20 and none equal to
 * 0x7F is clean; a word with one is checked byte by byte (HTAB is legal). */
static int values_ok(const char *v, size_t n)
{
#ifdef WSX_SMALL /* wsx.h: byte by byte */
    return span(v, n, WSX__HC_VALUE) == n;
#else
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w, del;
        size_t k;
        memcpy(&w, v + i, 8);
        del = w ^ (0x7F * ones);
        if ((((w - 0x20 * ones) & ~w) | ((del - ones) & ~del)) & highs) {
            for (k = 0; k < 8; k++)
                if (!wsx__http_is_value_char(v[i + k]))
                    return 0;
        }
    }
    for (; i < n; i++)
        if (!wsx__http_is_value_char(v[i]))
            return 0;
    return 1;
#endif
}

/* ---- start lines ----------------------------------------------------------- */

/* "HTTP/d.d" (RFC 9112 section 2.3; the name is case-sensitive).  Returns the
 * minor digit for 1.x, or a wsx_err. */
static int parse_version(const char *v, size_t n, int bad)
{
    if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || !wsx__http_is_digit(v[5]) || v[6] != '.' ||
        !wsx__http_is_digit(v[7]))
        return bad;
    if (v[5] != '1')
        return WSX_E_HTTP_VERSION;
    return v[7] - '0';
}

/* 1 if s[0..n) has a SP at i. */
static int sp_at(const char *s, size_t n, size_t i) { return i < n && s[i] == ' '; }

/* method SP request-target SP HTTP-version (RFC 9112 section 3). */
static int parse_request_line(wsx_http_parser *p, const char *line, size_t n, int clean)
{
    size_t method_len = span(line, n, WSX__HC_TCHAR), t0 = method_len + 1, target_len;
    int minor;
    (void)clean; /* the spans below check every byte before the version */
    if (method_len == 0 || !sp_at(line, n, method_len))
        return WSX_E_HTTP_SYNTAX;
    target_len = span(line + t0, n - t0, WSX__HC_TARGET);
    if (target_len > p->_max_target)
        return WSX_E_HTTP_URI_TOO_LONG;
    if (target_len == 0 || !sp_at(line, n, t0 + target_len))
        return WSX_E_HTTP_SYNTAX;
    minor = parse_version(line + t0 + target_len + 1, n - t0 - target_len - 1, WSX_E_HTTP_SYNTAX);
    if (minor < 0)
        return minor;
    p->_a_len = method_len;
    p->_b_off = t0;
    p->_b_len = target_len;
    p->_minor = minor;
    return WSX_OK;
}

/* HTTP-version SP status-code SP [reason-phrase] (RFC 9112 section 4); the
 * second SP is tolerated missing when there is no reason.  A well-formed
 * version other than 1.x is WSX_E_HTTP_VERSION even on a short line. */
static int parse_status_line(wsx_http_parser *p, const char *line, size_t n, int clean)
{
    int minor = n >= 8 ? parse_version(line, 8, WSX_E_HTTP_STATUS) : WSX_E_HTTP_STATUS;
    int status = 0, i;
    size_t reason = n > 12 ? 13 : 12;
    if (minor < 0)
        return minor;
    if (n < 12 || line[8] != ' ')
        return WSX_E_HTTP_STATUS;
    for (i = 9; i < 12; i++) {
        if (!wsx__http_is_digit(line[i]))
            return WSX_E_HTTP_STATUS;
        status = status * 10 + (line[i] - '0');
    }
    /* 100..599 (RFC 9110 section 15) */
    if (status < 100 || status > 599 || (n > 12 && line[12] != ' ') ||
        (!clean && !values_ok(line + reason, n - reason)))
        return WSX_E_HTTP_STATUS;
    p->_minor = minor;
    p->_status = status;
    p->_b_off = reason;
    p->_b_len = n - reason;
    return WSX_OK;
}

/* ---- header lines ---------------------------------------------------------- */

/* field-name ":" OWS field-value OWS (RFC 9112 section 5); clean: the
 * line is known to hold no control byte but HTAB, and no DEL.  WSX_OK with
 * the name's length in *name_len, or a wsx_err. */
static int check_field_line(const char *line, size_t n, int clean, size_t *name_len_out)
{
#ifdef WSX_SMALL
    size_t name_len = span(line, n, WSX__HC_TCHAR);
#else
    size_t name_len = wsx__http_token_span(line, n);
#endif
    *name_len_out = name_len;
    if (line[0] == ' ' || line[0] == '\t')
        return WSX_E_HTTP_OBS_FOLD; /* RFC 9112 section 5.2 */
    /* Covers an empty name, whitespace before the colon (section 5.1: must
     * be refused with 400) and a line with no colon at all. */
    if (name_len == 0 || name_len == n || line[name_len] != ':')
        return WSX_E_HTTP_HEADER_NAME;
    if (!clean && !values_ok(line + name_len + 1, n - name_len - 1))
        return WSX_E_HTTP_HEADER_VALUE;
    return WSX_OK;
}

/* h = the field line[0..n) (its CR left out), whose name is name_len
 * bytes: the value trimmed of OWS; the line holds no control byte but HTAB,
 * so every byte <= SP at either end of the value is OWS. */
static void put_header(wsx_header *h, const char *line, size_t name_len, size_t n)
{
    const char *v = line + name_len + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (unsigned char)e[-1] <= ' ')
        e--;
    h->name = line;
    h->name_len = name_len;
    h->value = v;
    h->value_len = (size_t)(e - v);
}

/* The error for a line of n bytes (so far) over max_line.  For a request
 * line: 414 when its target is over max_target or runs past the examined
 * bytes (the target is what makes the line too long), else 431.  Only the
 * first max_line + 2 bytes (the most a partial line can have when the limit
 * trips) are examined, so the answer is the same whatever the chunking. */
static int line_too_long(const wsx_http_parser *p, const char *line, size_t n)
{
    const char *sp1, *sp2, *end;
    if (p->_fields != 0 || p->_kind != KIND_REQUEST)
        return WSX_E_HTTP_LINE_TOO_LONG;
    if (n > p->_max_line + 2)
        n = p->_max_line + 2;
    end = line + n;
    sp1 = (const char *)memchr(line, ' ', n);
    if (!sp1)
        return WSX_E_HTTP_LINE_TOO_LONG;
    sp2 = (const char *)memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
    if (!sp2 || (size_t)(sp2 - sp1 - 1) > p->_max_target)
        return WSX_E_HTTP_URI_TOO_LONG;
    return WSX_E_HTTP_LINE_TOO_LONG;
}

/* The start-line parser of a kind: parse_request_line or
 * parse_status_line.  Passed in by the public function, so a firmware that
 * only parses requests does not link the status-line parser (and back). */
typedef int (*start_line_fn)(wsx_http_parser *p, const char *line, size_t n, int clean);

/* The LF ending the line that starts at buf[start] (limit: the end of the
 * bytes to look at), or NULL; *clean is set to 1 when the scan showed that
 * the line holds no control byte but HTAB and no DEL.  A line begun in an
 * earlier call goes on from where that call stopped (p->_scanned). */
static const char *line_end(wsx_http_parser *p, const char *buf, size_t start, size_t limit,
                            int *clean)
{
#ifndef WSX_SMALL
    if (p->_scanned == start && start < limit) {
        size_t stop = start + wsx__http_stop(buf + start, limit - start);
        if (stop < limit && buf[stop] == '\n') {
            *clean = 1;
            return buf + stop;
        }
        if (limit - stop >= 2 && buf[stop] == '\r' && buf[stop + 1] == '\n') {
            *clean = 1;
            return buf + stop + 1;
        }
        p->_scanned = stop; /* no LF before stop */
    }
#else
    (void)start;
    (void)clean;
#endif
    return p->_scanned < limit ? (const char *)memchr(buf + p->_scanned, '\n', limit - p->_scanned)
                               : NULL;
}

#ifndef WSX_SMALL
/* The common case in one tight loop: field lines that start in this call,
 * end in CR LF within buf[0..limit) and hold no forbidden byte, each
 * within max_line, with a token name and a colon, while headers has room.
 * It stops at the first other line (at the blank line: the head is
 * complete, its length returned) and leaves that line to the general loop
 * of scan(), which reports its error or takes it as it does any line. */
static int field_lines(wsx_http_parser *p, const char *buf, size_t limit, wsx_header *headers,
                       size_t max_headers)
{
    size_t start = p->_line_start, k = p->_nheaders;
    int r = 0;
    while (start < limit) {
        const char *line = buf + start;
        size_t n = wsx__http_stop(line, limit - start), name_len;
        if (limit - start - n < 2 || line[n] != '\r' || line[n + 1] != '\n' || n > p->_max_line)
            break;
        if (n == 0) { /* the blank line */
            p->_head_len = start + 2;
            r = (int)p->_head_len;
            break;
        }
        name_len = wsx__http_token_span(line, n);
        if (name_len == 0 || name_len == n || line[name_len] != ':' || k >= max_headers)
            break;
        put_header(headers + k++, line, name_len, n);
        start += n + 2;
    }
    p->_nheaders = k;
    p->_line_start = p->_scanned = r ? start + 2 : start;
    return r;
}
#endif

/* Scans the new bytes line by line.  Returns the head length, 0, or a
 * wsx_err. */
static int scan(wsx_http_parser *p, start_line_fn start_line, const char *buf, size_t len,
                wsx_header *headers, size_t max_headers)
{
    size_t limit = len < p->_max_head ? len : p->_max_head;
    for (;;) {
        size_t start, end = limit, n;
        const char *lf, *line;
        int r, clean = 0;
#ifndef WSX_SMALL
        if (p->_fields && p->_scanned == p->_line_start) {
            r = field_lines(p, buf, limit, headers, max_headers);
            if (r)
                return r;
        }
#endif
        start = p->_line_start;
        lf = line_end(p, buf, start, limit, &clean);
        if (lf)
            end = (size_t)(lf - buf);
        p->_scanned = end;
        n = end - start;
        /* The line so far, complete or not: max_line bytes plus a CR still
         * waiting for its LF are fine.  Same limit, and same answer, as if
         * the line had come in pieces: the result must not depend on the
         * chunking. */
        if (n > p->_max_line + 1)
            return line_too_long(p, buf + start, n);
        if (!lf)
            break;
        line = buf + start;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        else if (p->_flags & WSX_HTTP_STRICT_CRLF)
            return WSX_E_HTTP_SYNTAX;
        /* A CR left inside the line (bare CR) fails the line's own
         * character checks below. */
        p->_scanned = p->_line_start = end + 1;
        if (n > p->_max_line)
            return line_too_long(p, line, n);
        if (p->_fields == 0) { /* the start line */
            if (n == 0 && p->_kind == KIND_REQUEST)
                continue; /* leading empty line: skipped, section 2.2 */
            p->_start = start;
            r = start_line(p, line, n, clean);
            if (r < 0)
                return r;
            p->_fields = end + 1;
        } else if (n == 0) { /* the blank line ending the head */
            p->_head_len = end + 1;
            return (int)p->_head_len;
        } else {
            size_t name_len;
            r = check_field_line(line, n, clean, &name_len);
            if (r < 0)
                return r;
            if (p->_nheaders >= max_headers)
                return WSX_E_HTTP_TOO_MANY_HEADERS;
#ifdef WSX_SMALL /* filled when the head is complete (fill_headers) */
            (void)headers;
            p->_nheaders++;
#else
            put_header(headers + p->_nheaders++, line, name_len, n);
#endif
        }
    }
    return p->_scanned >= p->_max_head ? WSX_E_HTTP_HEAD_TOO_LARGE : 0;
}

/* Second pass over the first count field lines, validated by an earlier
 * call (the buffer may have moved since): fills headers[0..count). */
static void fill_headers(const wsx_http_parser *p, const char *buf, wsx_header *h, size_t count)
{
    const char *line = buf + p->_fields;
    for (; count > 0; count--, h++) {
        const char *colon = line, *lf;
        while (*colon != ':') /* a token, then ':' */
            colon++;
        lf = (const char *)memchr(colon, '\n', (size_t)(buf + p->_head_len - colon));
        put_header(h, line, (size_t)(colon - line), (size_t)(lf - line) - (lf[-1] == '\r'));
        line = lf + 1;
    }
}

/* Shared by both kinds: argument checks, the scan, and on success the
 * headers array.  Returns the head length, 0 or a wsx_err. */
static int parse_head(wsx_http_parser *p, int kind, start_line_fn start_line, const char *buf,
                      size_t len, wsx_header *headers, size_t max_headers)
{
    size_t earlier;
    int r;
    if (!p || (!buf && len) || (!headers && max_headers))
        return WSX_E_ARG;
    if (p->_err)
        return p->_err;
    if (p->_kind == KIND_NONE)
        p->_kind = kind;
    else if (p->_kind != kind)
        return WSX_E_STATE;
    if (p->_head_len) {
        if (len < p->_head_len)
            return WSX_E_ARG;
        r = (int)p->_head_len;
        earlier = p->_nheaders;
    } else {
        if (len < p->_scanned)
            return WSX_E_ARG; /* the caller lost bytes it had given */
#ifndef WSX_SMALL
        /* the headers of lines scanned by earlier calls: filled again
         * below, from where the buffer is now */
        earlier = p->_nheaders;
#endif
        /* no bytes (buf may be NULL then): no line to scan */
        r = len ? scan(p, start_line, buf, len, headers, max_headers) : 0;
        if (r < 0)
            p->_err = r;
#ifdef WSX_SMALL
        earlier = p->_nheaders; /* the small profile fills every line here */
#endif
    }
    if (r > 0) {
        if (p->_nheaders > max_headers)
            return WSX_E_ARG; /* a smaller array than the scan counted with */
        fill_headers(p, buf, headers, earlier);
    }
    return r;
}

int wsx_http_parse_request(wsx_http_parser *p, const void *bytes, size_t len, wsx_header *headers,
                           size_t max_headers, wsx_http_request *out)
{
    const char *buf = (const char *)bytes;
    int r = out ? parse_head(p, KIND_REQUEST, parse_request_line, buf, len, headers, max_headers)
                : WSX_E_ARG;
    if (r > 0) {
        out->method = buf + p->_start;
        out->method_len = p->_a_len;
        out->target = buf + p->_start + p->_b_off;
        out->target_len = p->_b_len;
        out->minor_version = p->_minor;
        out->headers = headers;
        out->num_headers = p->_nheaders;
    }
    return r;
}

int wsx_http_parse_response(wsx_http_parser *p, const void *bytes, size_t len, wsx_header *headers,
                            size_t max_headers, wsx_http_response *out)
{
    const char *buf = (const char *)bytes;
    int r = out ? parse_head(p, KIND_RESPONSE, parse_status_line, buf, len, headers, max_headers)
                : WSX_E_ARG;
    if (r > 0) {
        out->minor_version = p->_minor;
        out->status = p->_status;
        out->reason = buf + p->_start + p->_b_off;
        out->reason_len = p->_b_len;
        out->headers = headers;
        out->num_headers = p->_nheaders;
    }
    return r;
}
