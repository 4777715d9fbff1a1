/*
 * The UTF-8 suite against the portable code of src/utf8.c (word arithmetic
 * and tables, what non-x86 machines run), built into this program under
 * other names, so that x86 builds test it next to the SSE2 code that
 * libwsx uses there (tests/test_utf8.c).
 */
#define WSX_UTF8_PORTABLE 1
#define wsx_utf8_init portable_utf8_init
#define wsx_utf8_feed portable_utf8_feed
#define wsx_utf8_complete portable_utf8_complete
#define wsx_utf8_valid portable_utf8_valid
#define wsx__utf8_use portable_utf8_use
#define wsx__utf8_variant portable_utf8_variant

#include "../src/utf8.c"
#include "test_utf8.c"
