/*
 * json — see json.h.
 */
#include "json.h"

#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
    unsigned v = 0;
    int i;
    if (end - p < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            v |= (unsigned)(ch - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* p is just after an opening quote.  Returns the position of the closing
 * quote, or NULL for an invalid string (RFC 8259 section 7). */
static const char *scan_string(const char *p, const char *end)
{
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"')
            return p;
        if (ch < 0x20)
            return NULL;
        if (ch != '\\') {
            p++;
            continue;
        }
        if (++p == end)
            return NULL;
        switch (*p) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p++;
            break;
        case 'u': {
            unsigned u, lo;
            if (hex4(p + 1, end, &u) != 0)
                return NULL;
            p += 5;
            if (u >= 0xDC00 && u <= 0xDFFF)
                return NULL;                  /* a low surrogate alone */
            if (u >= 0xD800 && u <= 0xDBFF) { /* must be followed by a low one */
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, end, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return NULL;
                p += 6;
            }
            break;
        }
        default:
            return NULL;
        }
    }
    return NULL;
}

/* p at '['.  Returns the position after ']' and counts the strings, or NULL. */
static const char *scan_array(const char *p, const char *end, size_t *count)
{
    *count = 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']')
        return p + 1;
    for (;;) {
        if (p == end || *p != '"' || !(p = scan_string(p + 1, end)))
            return NULL;
        (*count)++;
        p = skip_ws(p + 1, end);
        if (p == end)
            return NULL;
        if (*p == ']')
            return p + 1;
        if (*p != ',')
            return NULL;
        p = skip_ws(p + 1, end);
    }
}

int json_object(const char *json, size_t len, json_member *members, size_t max)
{
    const char *p = json, *end = json + len;
    size_t n = 0, i;
    p = skip_ws(p, end);
    if (p == end || *p != '{')
        return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        p++;
        goto done;
    }
    for (;;) {
        json_member m;
        const char *q;
        if (p == end || *p != '"' || !(q = scan_string(p + 1, end)))
            return -1;
        m.key = p + 1;
        m.key_len = (size_t)(q - m.key);
        p = skip_ws(q + 1, end);
        if (p == end || *p != ':')
            return -1;
        p = skip_ws(p + 1, end);
        if (p == end)
            return -1;
        if (*p == '"') {
            if (!(q = scan_string(p + 1, end)))
                return -1;
            m.is_array = 0;
            m.raw = p + 1;
            m.raw_len = (size_t)(q - m.raw);
            m.count = 0;
            p = q + 1;
        } else if (*p == '[') {
            if (!(q = scan_array(p, end, &m.count)))
                return -1;
            m.is_array = 1;
            m.raw = p;
            m.raw_len = (size_t)(q - p);
            p = q;
        } else {
            return -1;
        }
        if (n == max)
            return -1;
        for (i = 0; i < n; i++)
            if (members[i].key_len == m.key_len && memcmp(members[i].key, m.key, m.key_len) == 0)
                return -1;
        members[n++] = m;
        p = skip_ws(p, end);
        if (p == end)
            return -1;
        if (*p == '}') {
            p++;
            break;
        }
        if (*p != ',')
            return -1;
        p = skip_ws(p + 1, end);
    }
done:
    return skip_ws(p, end) == end ? (int)n : -1;
}

const json_member *json_find(const json_member *m, size_t n, const char *key)
{
    size_t i, k = strlen(key);
    for (i = 0; i < n; i++)
        if (m[i].key_len == k && memcmp(m[i].key, key, k) == 0)
            return &m[i];
    return NULL;
}

int json_is(const json_member *m, const char *want)
{
    size_t k = strlen(want);
    return m && !m->is_array && m->raw_len == k && memcmp(m->raw, want, k) == 0;
}

int json_array_next(const json_member *m, size_t *pos, const char **raw, size_t *raw_len)
{
    const char *p, *end = m->raw + m->raw_len, *q;
    if (!m->is_array)
        return 0;
    p = m->raw + (*pos == 0 ? 1 : *pos);
    p = skip_ws(p, end);
    if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    if (p == end || *p != '"')
        return 0;
    q = scan_string(p + 1, end); /* validated already: never NULL */
    if (!q)
        return 0;
    *raw = p + 1;
    *raw_len = (size_t)(q - *raw);
    *pos = (size_t)(q + 1 - m->raw);
    return 1;
}

static size_t put_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* \uXXXX at p (after the backslash-u), with a surrogate pair; a lone
 * surrogate becomes U+FFFD.  Returns the end, or NULL. */
static const char *decode_unicode(const char *p, const char *end, unsigned *cp)
{
    unsigned lo;
    if (hex4(p, end, cp) != 0)
        return NULL;
    p += 4;
    if (*cp >= 0xD800 && *cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
        hex4(p + 2, end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
        return p + 6;
    }
    if (*cp >= 0xD800 && *cp <= 0xDFFF)
        *cp = 0xFFFD;
    return p;
}

/* Decodes string characters from p up to an unescaped quote or end into
 * dst[0..cap) (dst NULL: only count them) and sets *len.  Returns where it
 * stopped (the quote, or end), or NULL when malformed or too long. */
static const char *decode_chars(const char *p, const char *end, char *dst, size_t cap, size_t *len)
{
    size_t o = 0;
    while (p < end && *p != '"') {
        char tmp[4];
        size_t n = 1;
        unsigned cp;
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p != '\\') {
            tmp[0] = *p++;
        } else {
            if (++p >= end)
                return NULL;
            switch (*p++) {
            case '"':
                tmp[0] = '"';
                break;
            case '\\':
                tmp[0] = '\\';
                break;
            case '/':
                tmp[0] = '/';
                break;
            case 'b':
                tmp[0] = '\b';
                break;
            case 'f':
                tmp[0] = '\f';
                break;
            case 'n':
                tmp[0] = '\n';
                break;
            case 'r':
                tmp[0] = '\r';
                break;
            case 't':
                tmp[0] = '\t';
                break;
            case 'u':
                if (!(p = decode_unicode(p, end, &cp)))
                    return NULL;
                n = put_utf8(cp, tmp);
                break;
            default:
                return NULL;
            }
        }
        if (dst) {
            if (o + n > cap)
                return NULL;
            memcpy(dst + o, tmp, n);
        }
        o += n;
    }
    *len = o;
    return p;
}

long json_unescape(const char *raw, size_t len, char *out, size_t cap)
{
    size_t n;
    const char *end = decode_chars(raw, raw + len, out, cap, &n);
    return end == raw + len ? (long)n : -1;
}

long json_escape(const char *src, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        char tmp[6];
        size_t k = 2;
        tmp[0] = '\\';
        switch (ch) {
        case '"':
            tmp[1] = '"';
            break;
        case '\\':
            tmp[1] = '\\';
            break;
        case '\n':
            tmp[1] = 'n';
            break;
        case '\r':
            tmp[1] = 'r';
            break;
        case '\t':
            tmp[1] = 't';
            break;
        case '\b':
            tmp[1] = 'b';
            break;
        case '\f':
            tmp[1] = 'f';
            break;
        default:
            if (ch < 0x20 || ch == 0x7F) {
                tmp[1] = 'u';
                tmp[2] = '0';
                tmp[3] = '0';
                tmp[4] = hex[ch >> 4];
                tmp[5] = hex[ch & 15];
                k = 6;
            } else {
                tmp[0] = (char)ch;
                k = 1;
            }
        }
        if (cap - n < k)
            return -1;
        memcpy(out + n, tmp, k);
        n += k;
    }
    return (long)n;
}

int json_put_string(char *dst, size_t cap, size_t *len, const char *s, size_t n)
{
    size_t o = *len;
    long k;
    if (o > cap || cap - o < 2)
        return -1;
    k = json_escape(s, n, dst + o + 1, cap - o - 2);
    if (k < 0)
        return -1;
    dst[o] = '"';
    dst[o + 1 + (size_t)k] = '"';
    *len = o + 2 + (size_t)k;
    return 0;
}

/* ---- finding one string member in any object ---------------------------- */

/* The JSON string at p (on its quote) decoded into dst (NULL: only skip
 * it).  Returns the position after the closing quote, or NULL. */
static const char *read_string(const char *p, const char *end, char *dst, size_t cap, size_t *len)
{
    size_t n;
    if (p >= end || *p != '"')
        return NULL;
    p = decode_chars(p + 1, end, dst, cap, &n);
    if (!p || p >= end)
        return NULL;
    if (len)
        *len = n;
    return p + 1;
}

/* Skips one JSON value that is not a string (number, literal, object,
 * array): brackets are counted, strings inside are skipped whole. */
static const char *skip_value(const char *p, const char *end)
{
    int depth = 0;
    if (p < end && *p == '"')
        return read_string(p, end, NULL, 0, NULL);
    while (p < end) {
        if (*p == '"') {
            if (!(p = read_string(p, end, NULL, 0, NULL)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (*p == ',' && depth == 0)
            return p;
        p++;
    }
    return depth == 0 ? p : NULL;
}

int json_string_member(const char *body, size_t n, const char *key, char *out, size_t cap,
                       size_t *out_len)
{
    const char *p = skip_ws(body, body + n), *end = body + n;
    size_t want = strlen(key);
    int found = 0;
    if (want >= 32 || p >= end || *p++ != '{')
        return -1;
    for (p = skip_ws(p, end); p < end && *p != '}';) {
        char name[32];
        size_t name_len = 0;
        const char *after = read_string(p, end, NULL, 0, &name_len);
        int is_key = after && name_len == want &&
                     read_string(p, end, name, sizeof name, &name_len) &&
                     memcmp(name, key, want) == 0;
        if (!(p = after))
            return -1;
        p = skip_ws(p, end);
        if (p >= end || *p++ != ':')
            return -1;
        p = skip_ws(p, end);
        if (is_key && p < end && *p == '"') {
            p = read_string(p, end, out, cap, out_len);
            found = 1;
        } else {
            p = skip_value(p, end);
        }
        if (!p)
            return -1;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
    }
    if (p >= end || skip_ws(p + 1, end) != end)
        return -1;
    return found ? 0 : -1;
}
