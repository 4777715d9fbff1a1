/*
 * Private: HTTP character classes (RFC 9110 section 5.6.2 tchar, 5.5
 * field-vchar; RFC 3986 for request targets).  The default build looks them
 * up in a 256-byte table; WSX_SMALL computes them with a small function and
 * a 12-byte tchar bit map instead (http_chars.c): the same answers.
 */
#ifndef WSX_HTTP_CHARS_H
#define WSX_HTTP_CHARS_H

#include <stddef.h>

#include "wsx.h" /* WSX_SMALL */

enum {
    WSX__HC_TCHAR = 1,  /* token character */
    WSX__HC_VALUE = 2,  /* SP, HTAB, VCHAR, obs-text: allowed in a field value */
    WSX__HC_TARGET = 4, /* 0x21-0x7E: allowed in a request target */
    WSX__HC_DIGIT = 8,
    WSX__HC_HEX = 16
};

#ifdef WSX_SMALL
/* The WSX__HC_* bits of c. */
unsigned wsx__http_class(unsigned char c);
#define wsx__http_is(c, cls) (wsx__http_class((unsigned char)(c)) & (cls))
#else
extern const unsigned char wsx__http_chars[256];
#define wsx__http_is(c, cls) (wsx__http_chars[(unsigned char)(c)] & (cls))
#endif

#define wsx__http_is_tchar(c) wsx__http_is(c, WSX__HC_TCHAR)
#define wsx__http_is_value_char(c) wsx__http_is(c, WSX__HC_VALUE)
#define wsx__http_is_target_char(c) wsx__http_is(c, WSX__HC_TARGET)
#define wsx__http_is_digit(c) wsx__http_is(c, WSX__HC_DIGIT)
#define wsx__http_is_hex(c) wsx__http_is(c, WSX__HC_HEX)

/* 1 if every byte of s[0..n) has character class cls (s may be NULL when n
 * is 0; NULL with n > 0 gives 0). */
int wsx__http_all(const char *s, size_t n, unsigned cls);
/* 1 if s[0..n) is an HTTP token (RFC 9110 section 5.6.2: 1*tchar) */
int wsx__http_is_token(const char *s, size_t n);
/* 1 if s[0..n) may be written as a header field value (API rule 8 in
 * wsx_base.h): field-vchar, SP and HTAB only between them; may be empty. */
int wsx__http_is_field_value(const char *s, size_t n);

#ifndef WSX_SMALL
/* Offset of the first byte of s[0..n) that is a control byte other than
 * HTAB, or DEL (n if none): the CR or LF at the end of a clean head line,
 * else the byte that makes it invalid (http_scan.c: SSE2, AVX2 or
 * word-at-a-time, see wsx__http_scan_use in wsx_internal.h). */
size_t wsx__http_stop(const char *s, size_t n);
/* Length of the run of tchar at the start of s[0..n) (16 bytes at a time
 * over letters, digits and '-' with SSE2; the variant of wsx__http_stop). */
size_t wsx__http_token_span(const char *s, size_t n);
#endif

/* 1 if a[0..alen) and b[0..blen) are equal ASCII-case-insensitively
 * (http_headers.c). */
int wsx__http_eq_nocase(const char *a, size_t alen, const char *b, size_t blen);

/* ASCII lower case, locale-free. */
#define wsx__http_lower(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c))

#endif
