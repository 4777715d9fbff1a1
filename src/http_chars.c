/* HTTP character classes: see http_chars.h.  Both forms follow the RFC 9110
 * grammar: tchar, field-vchar / SP / HTAB (obs-text included), 0x21-0x7E
 * target bytes, digits, hex digits. */
#include <stdint.h>

#include "wsx_internal.h"
#include "http_chars.h"

#ifdef WSX_SMALL
/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
 *         "_" / "`" / "|" / "~" / DIGIT / ALPHA     (RFC 9110 section 5.6.2)
 * Bit (c & 31) of word (c >> 5) - 1, for c in 0x20..0x7F. */
static const uint32_t tchar_bits[3] = {0x03ff6cfau, 0xc7fffffeu, 0x57ffffffu};

unsigned wsx__http_class(unsigned char c)
{
    unsigned cls;
    if (c - 0x21u < 0x5Eu) /* VCHAR, 0x21-0x7E (WSX__HC_TCHAR is bit 0) */
        cls = WSX__HC_VALUE | WSX__HC_TARGET | ((tchar_bits[(c >> 5) - 1] >> (c & 31)) & 1);
    else
        cls = c == ' ' || c == '\t' || c > 0x7F ? WSX__HC_VALUE : 0;
    if ((unsigned)c - '0' < 10u)
        cls |= WSX__HC_DIGIT | WSX__HC_HEX;
    else if ((c | 0x20u) - 'a' < 6u)
        cls |= WSX__HC_HEX;
    return cls;
}
#else
/* clang-format off */
const unsigned char wsx__http_chars[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0,  0,  /* 0x00 */
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
     2,  7,  6,  7,  7,  7,  7,  7,  6,  6,  7,  7,  6,  7,  7,  6,  /* 0x20 */
    31, 31, 31, 31, 31, 31, 31, 31, 31, 31,  6,  6,  6,  6,  6,  6,  /* 0x30 */
     6, 23, 23, 23, 23, 23, 23,  7,  7,  7,  7,  7,  7,  7,  7,  7,  /* 0x40 */
     7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  6,  6,  6,  7,  7,  /* 0x50 */
     7, 23, 23, 23, 23, 23, 23,  7,  7,  7,  7,  7,  7,  7,  7,  7,  /* 0x60 */
     7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  6,  7,  6,  7,  0,  /* 0x70 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0x80 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0x90 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xA0 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xB0 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xC0 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xD0 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xE0 */
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  /* 0xF0 */
};
/* clang-format on */
#endif

int wsx__http_all(const char *s, size_t n, unsigned cls)
{
    size_t i;
    if (!s)
        return n == 0;
    for (i = 0; i < n; i++)
        if (!wsx__http_is(s[i], cls))
            return 0;
    return 1;
}

int wsx__http_is_token(const char *s, size_t n) { return n && wsx__http_all(s, n, WSX__HC_TCHAR); }

/* RFC 9110 section 5.5: field-value = *field-content, and field-content
 * begins and ends with a field-vchar; whitespace at either end would not
 * survive parsing anyway. */
int wsx__http_is_field_value(const char *s, size_t n)
{
    /* Once every byte is of the class, one above SP is a field-vchar. */
    return n == 0 || (wsx__http_all(s, n, WSX__HC_VALUE) && (unsigned char)s[0] > ' ' &&
                      (unsigned char)s[n - 1] > ' ');
}
