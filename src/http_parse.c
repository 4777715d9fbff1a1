/*
 * Incremental HTTP/1.1 head parser (RFC 9112 sections 2-5).
 *
 * Scanning: each call looks for line ends only in the bytes it has not seen
 * yet (memchr), and validates each line once, when its LF arrives.  The state
 * holds offsets, never pointers, so the caller's buffer may move between
 * calls.  When the blank line arrives, a second, light pass (memchr for LF
 * and ':') over the already validated header lines fills the caller's array.
 */
#include <limits.h>
#include <string.h>

#include "wsx_http.h"
#include "http_chars.h"

enum { KIND_NONE = 0, KIND_REQUEST = 1, KIND_RESPONSE = 2 };

void wsx_http_config_default(wsx_http_config *cfg)
{
    cfg->max_line = WSX_HTTP_DEFAULT_MAX_LINE;
    cfg->max_target = WSX_HTTP_DEFAULT_MAX_TARGET;
    cfg->max_head = WSX_HTTP_DEFAULT_MAX_HEAD;
    cfg->flags = 0;
}

void wsx_http_parser_init(wsx_http_parser *p, const wsx_http_config *cfg)
{
    wsx_http_config c;
    wsx_http_config_default(&c);
    memset(p, 0, sizeof *p);
    if (cfg) {
        if (cfg->max_line)
            c.max_line = cfg->max_line;
        if (cfg->max_target)
            c.max_target = cfg->max_target;
        if (cfg->max_head)
            c.max_head = cfg->max_head;
        c.flags = cfg->flags;
    }
    if (c.max_head > INT_MAX)
        c.max_head = INT_MAX; /* the head length is returned as an int */
    p->_max_line = c.max_line;
    p->_max_target = c.max_target;
    p->_max_head = c.max_head;
    p->_flags = c.flags;
}

/* 1 if v[0..n) are all field-value bytes (HTAB, SP..'~', obs-text).
 * Eight bytes at a time: a word with no byte below 0x20 and none equal to
 * 0x7F is clean; a word with one is checked byte by byte (HTAB is legal). */
static int values_ok(const char *v, size_t n)
{
#ifdef WSX_SMALL /* wsx.h: byte by byte */
    size_t i;
    for (i = 0; i < n; i++)
        if (!wsx_http_is_value_char(v[i]))
            return 0;
    return 1;
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
                if (!wsx_http_is_value_char(v[i + k]))
                    return 0;
        }
    }
    for (; i < n; i++)
        if (!wsx_http_is_value_char(v[i]))
            return 0;
    return 1;
#endif
}

/* ---- start lines ----------------------------------------------------------- */

/* "HTTP/d.d" (RFC 9112 section 2.3; the name is case-sensitive).  Returns the
 * minor digit for 1.x, or a wsx_err. */
static int parse_version(const char *v, size_t n, int bad)
{
    if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || !wsx_http_is_digit(v[5]) ||
        v[6] != '.' || !wsx_http_is_digit(v[7]))
        return bad;
    if (v[5] != '1')
        return WSX_E_HTTP_VERSION;
    return v[7] - '0';
}

/* The error for a request line over max_line: 414 when its target is over
 * max_target or runs past the examined bytes (the target is what makes the
 * line too long), else 431.  Only the first max_line + 2 bytes (the most a
 * partial line can have when the limit trips) are examined, so the answer
 * is the same whatever the chunking. */
static int request_line_too_long(const wsx_http_parser *p, const char *line, size_t n)
{
    const char *sp1, *sp2, *end;
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

/* method SP request-target SP HTTP-version (RFC 9112 section 3). */
static int parse_request_line(wsx_http_parser *p, const char *line, size_t n)
{
    size_t i = 0, t0, v0;
    int minor;
    while (i < n && wsx_http_is_tchar(line[i]))
        i++;
    if (i == 0 || i == n || line[i] != ' ')
        return WSX_E_HTTP_SYNTAX;
    p->_a_len = i;
    t0 = ++i;
    while (i < n && wsx_http_is_target_char(line[i]))
        i++;
    if (i - t0 > p->_max_target)
        return WSX_E_HTTP_URI_TOO_LONG;
    if (i == t0 || i == n || line[i] != ' ')
        return WSX_E_HTTP_SYNTAX;
    p->_b_off = t0;
    p->_b_len = i - t0;
    v0 = i + 1;
    minor = parse_version(line + v0, n - v0, WSX_E_HTTP_SYNTAX);
    if (minor < 0)
        return minor;
    p->_minor = minor;
    return WSX_OK;
}

/* HTTP-version SP status-code SP [reason-phrase] (RFC 9112 section 4); the
 * second SP is tolerated missing when there is no reason. */
static int parse_status_line(wsx_http_parser *p, const char *line, size_t n)
{
    int minor, status;
    if (n < 12 || line[8] != ' ')
        return n >= 8 && parse_version(line, 8, 0) == WSX_E_HTTP_VERSION
                   ? WSX_E_HTTP_VERSION : WSX_E_HTTP_STATUS;
    minor = parse_version(line, 8, WSX_E_HTTP_STATUS);
    if (minor < 0)
        return minor;
    if (!wsx_http_is_digit(line[9]) || !wsx_http_is_digit(line[10]) ||
        !wsx_http_is_digit(line[11]))
        return WSX_E_HTTP_STATUS;
    status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (status < 100 || status > 599)
        return WSX_E_HTTP_STATUS;
    if (n > 12 && line[12] != ' ')
        return WSX_E_HTTP_STATUS;
    if (n > 13 && !values_ok(line + 13, n - 13))
        return WSX_E_HTTP_STATUS;
    p->_minor = minor;
    p->_status = status;
    p->_b_off = n > 12 ? 13 : 12;
    p->_b_len = n > 12 ? n - 13 : 0;
    return WSX_OK;
}

/* ---- header lines ---------------------------------------------------------- */

/* field-name ":" OWS field-value OWS (RFC 9112 section 5). */
static int check_field_line(const char *line, size_t n)
{
    size_t i = 0;
    if (line[0] == ' ' || line[0] == '\t')
        return WSX_E_HTTP_OBS_FOLD; /* RFC 9112 section 5.2 */
    while (i < n && wsx_http_is_tchar(line[i]))
        i++;
    /* Covers an empty name, whitespace before the colon (section 5.1: must
     * be refused with 400) and a line with no colon at all. */
    if (i == 0 || i == n || line[i] != ':')
        return WSX_E_HTTP_HEADER_NAME;
    return values_ok(line + i + 1, n - i - 1) ? WSX_OK : WSX_E_HTTP_HEADER_VALUE;
}

/* One complete line line[0..n) (terminator removed) starting at offset off.
 * Returns 1 at the blank line ending the head, 0 to go on, or a wsx_err. */
static int on_line(wsx_http_parser *p, const char *line, size_t n, size_t off,
                   size_t max_headers)
{
    int r;
    if (p->_fields == 0) {
        if (n == 0 && p->_kind == KIND_REQUEST)
            return 0; /* leading empty line: skipped, section 2.2 */
        p->_start = off;
        if (n > p->_max_line)
            return p->_kind == KIND_REQUEST ? request_line_too_long(p, line, n)
                                            : WSX_E_HTTP_LINE_TOO_LONG;
        r = p->_kind == KIND_REQUEST ? parse_request_line(p, line, n)
                                     : parse_status_line(p, line, n);
        return r;
    }
    if (n == 0)
        return 1;
    if (n > p->_max_line)
        return WSX_E_HTTP_LINE_TOO_LONG;
    r = check_field_line(line, n);
    if (r < 0)
        return r;
    if (++p->_nheaders > max_headers)
        return WSX_E_HTTP_TOO_MANY_HEADERS;
    return 0;
}

/* Fails for a line still incomplete after scanning everything available. */
static int check_partial_line(const wsx_http_parser *p, const char *buf)
{
    size_t pending = p->_scanned - p->_line_start;
    /* max_line bytes plus a CR still waiting for its LF are fine. */
    if (pending <= p->_max_line + 1)
        return WSX_OK;
    if (p->_fields == 0 && p->_kind == KIND_REQUEST)
        return request_line_too_long(p, buf + p->_line_start, pending);
    return WSX_E_HTTP_LINE_TOO_LONG;
}

/* Scans the new bytes.  Returns the head length, 0, or a wsx_err. */
static int scan(wsx_http_parser *p, const char *buf, size_t len, size_t max_headers)
{
    size_t limit = len < p->_max_head ? len : p->_max_head;
    while (p->_scanned < limit) {
        const char *lf = (const char *)memchr(buf + p->_scanned, '\n',
                                              limit - p->_scanned);
        size_t end, n, start = p->_line_start;
        int r;
        if (!lf) {
            p->_scanned = limit;
            break;
        }
        end = (size_t)(lf - buf);
        n = end - start;
        p->_scanned = end;
        /* Same limit, and same answer, as if the line had come in pieces:
         * the result must not depend on the chunking. */
        r = check_partial_line(p, buf);
        if (r < 0)
            return r;
        if (n > 0 && buf[end - 1] == '\r')
            n--;
        else if (p->_flags & WSX_HTTP_STRICT_CRLF)
            return WSX_E_HTTP_SYNTAX;
        /* A CR left inside the line (bare CR) fails the line's own
         * character checks below. */
        p->_scanned = end + 1;
        p->_line_start = end + 1;
        r = on_line(p, buf + start, n, start, max_headers);
        if (r < 0)
            return r;
        if (p->_fields == 0 && n > 0)
            p->_fields = end + 1;
        if (r == 1) {
            p->_head_len = end + 1;
            return (int)p->_head_len;
        }
    }
    {
        int r = check_partial_line(p, buf);
        if (r < 0)
            return r;
    }
    if (p->_scanned >= p->_max_head)
        return WSX_E_HTTP_HEAD_TOO_LARGE;
    return 0;
}

/* Second pass over the validated field lines: fills headers[]. */
static size_t fill_headers(const wsx_http_parser *p, const char *buf,
                           wsx_http_header *headers)
{
    size_t off = p->_fields, count = 0;
    while (count < p->_nheaders) {
        const char *line = buf + off;
        const char *lf = (const char *)memchr(line, '\n', p->_head_len - off);
        const char *colon, *v, *e;
        size_t n = (size_t)(lf - line);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        colon = (const char *)memchr(line, ':', n);
        v = colon + 1;
        e = line + n;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        headers[count].name = line;
        headers[count].name_len = (size_t)(colon - line);
        headers[count].value = v;
        headers[count].value_len = (size_t)(e - v);
        count++;
        off = (size_t)(lf - buf) + 1;
    }
    return count;
}

static int parse_head(wsx_http_parser *p, int kind, const char *buf, size_t len,
                      wsx_http_header *headers, size_t max_headers)
{
    int r;
    if (!p || (!buf && len) || (!headers && max_headers))
        return WSX_E_ARG;
    if (p->_err)
        return p->_err;
    if (p->_kind == KIND_NONE)
        p->_kind = kind;
    else if (p->_kind != kind)
        return WSX_E_STATE;
    if (p->_head_len)
        return len < p->_head_len ? WSX_E_ARG : (int)p->_head_len;
    if (len < p->_scanned)
        return WSX_E_ARG; /* the caller lost bytes it had given */
    r = scan(p, buf, len, max_headers);
    if (r < 0)
        p->_err = r;
    return r;
}

int wsx_http_parse_request(wsx_http_parser *p, const char *buf, size_t len,
                           wsx_http_header *headers, size_t max_headers,
                           wsx_http_request *out)
{
    int r = parse_head(p, KIND_REQUEST, buf, len, headers, max_headers);
    if (r <= 0)
        return r;
    if (!out)
        return WSX_E_ARG;
    out->method = buf + p->_start;
    out->method_len = p->_a_len;
    out->target = buf + p->_start + p->_b_off;
    out->target_len = p->_b_len;
    out->minor_version = p->_minor;
    out->headers = headers;
    out->num_headers = fill_headers(p, buf, headers);
    return r;
}

int wsx_http_parse_response(wsx_http_parser *p, const char *buf, size_t len,
                            wsx_http_header *headers, size_t max_headers,
                            wsx_http_response *out)
{
    int r = parse_head(p, KIND_RESPONSE, buf, len, headers, max_headers);
    if (r <= 0)
        return r;
    if (!out)
        return WSX_E_ARG;
    out->minor_version = p->_minor;
    out->status = p->_status;
    out->reason = buf + p->_start + p->_b_off;
    out->reason_len = p->_b_len;
    out->headers = headers;
    out->num_headers = fill_headers(p, buf, headers);
    return r;
}
