/*
 * demo_json — see demo_json.h.
 */
#include "demo_json.h"

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
        if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
        else return -1;
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
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p++;
            break;
        case 'u': {
            unsigned u, lo;
            if (hex4(p + 1, end, &u) != 0)
                return NULL;
            p += 5;
            if (u >= 0xDC00 && u <= 0xDFFF)
                return NULL;            /* a low surrogate alone */
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

int demo_json_object(const char *json, size_t len, demo_json_member *members, size_t max)
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
        demo_json_member m;
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

const demo_json_member *demo_json_find(const demo_json_member *m, size_t n, const char *key)
{
    size_t i, k = strlen(key);
    for (i = 0; i < n; i++)
        if (m[i].key_len == k && memcmp(m[i].key, key, k) == 0)
            return &m[i];
    return NULL;
}

int demo_json_is(const demo_json_member *m, const char *want)
{
    size_t k = strlen(want);
    return m && !m->is_array && m->raw_len == k && memcmp(m->raw, want, k) == 0;
}

int demo_json_array_next(const demo_json_member *m, size_t *pos, const char **raw,
                         size_t *raw_len)
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

long demo_json_unescape(const char *raw, size_t len, char *out, size_t cap)
{
    const char *p = raw, *end = raw + len;
    size_t n = 0;
    while (p < end) {
        char tmp[4];
        size_t k;
        if (*p != '\\') {
            tmp[0] = *p++;
            k = 1;
        } else {
            char e = p[1];
            p += 2;
            switch (e) {
            case 'b': tmp[0] = '\b'; k = 1; break;
            case 'f': tmp[0] = '\f'; k = 1; break;
            case 'n': tmp[0] = '\n'; k = 1; break;
            case 'r': tmp[0] = '\r'; k = 1; break;
            case 't': tmp[0] = '\t'; k = 1; break;
            case 'u': {
                unsigned u = 0, lo = 0;
                hex4(p, end, &u);
                p += 4;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    hex4(p + 2, end, &lo);
                    p += 6;
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                }
                k = put_utf8(u, tmp);
                break;
            }
            default: tmp[0] = e; k = 1; break; /* '"', '\\', '/' */
            }
        }
        if (cap - n < k)
            return -1;
        memcpy(out + n, tmp, k);
        n += k;
    }
    return (long)n;
}

long demo_json_escape(const char *src, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)src[i];
        char tmp[6];
        size_t k = 2;
        tmp[0] = '\\';
        switch (ch) {
        case '"': tmp[1] = '"'; break;
        case '\\': tmp[1] = '\\'; break;
        case '\n': tmp[1] = 'n'; break;
        case '\r': tmp[1] = 'r'; break;
        case '\t': tmp[1] = 't'; break;
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
