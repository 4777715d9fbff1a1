/*
 * The HTTP line scan's variants (src/http_scan.c: AVX2, SSE2, 64-bit words)
 * against a byte loop, and the head parser run with each of them against
 * the parser run with the word variant:
 *  - wsx__http_stop: every byte value at every position of buffers of
 *    every length up to 100 (clean bytes around it, HTAB and obs-text
 *    among them), and a second stop byte after the first;
 *  - wsx__http_token_span (header names) the same way;
 *  - wsx__http_eq_nocase: every pair of byte values at every position;
 *  - the parser: every byte value at every position of a request head,
 *    parsed whole with each variant and cut in two next to the byte (and
 *    at every 11th position too for control bytes, DEL, obs-text and the
 *    separators): same result, same fields, whatever the variant and cut.
 * The small profile has no variants: there only the cuts are compared.
 * -DWSX_TEST_QUICK (valgrind) takes every STEP-th byte value.
 */
#include <ctype.h>
#include <stdlib.h>

#include "harness.h"
#include "cpu_flags.h"
#include "wsx_http.h"
#include "wsx_internal.h"
#include "http_chars.h"

#ifdef WSX_TEST_QUICK
#define STEP 13
#else
#define STEP 1
#endif

#ifndef WSX_SMALL
static const int variants[] = {WSX__PORTABLE, WSX__BASE, WSX__HW};
#define NVARIANTS 3
#else
#define NVARIANTS 1
#endif

/* The variants this build and CPU have (bit per index of variants[]). */
static unsigned have_variants(void)
{
#ifndef WSX_SMALL
    unsigned have = 0, v;
    for (v = 0; v < NVARIANTS; v++)
        if (wsx__http_scan_use(variants[v]))
            have |= 1u << v;
    wsx__http_scan_use(WSX__AUTO);
    return have;
#else
    return 1;
#endif
}

static void use_variant(unsigned v)
{
#ifndef WSX_SMALL
    wsx__http_scan_use(variants[v]);
#else
    (void)v;
#endif
}

#ifndef WSX_SMALL
static size_t stop_reference(const unsigned char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
            return i;
    return n;
}

/* Clean bytes: letters, SP, HTAB, obs-text. */
static void fill_clean(unsigned char *s, size_t n)
{
    static const unsigned char pool[] = "aZ: ~\t\x80\xff-09";
    size_t i;
    for (i = 0; i < n; i++)
        s[i] = pool[i % (sizeof pool - 1)];
}

static void test_stop_every_byte_every_position(void)
{
    enum { MAX = 100 };
    unsigned have = have_variants(), v;
    unsigned char *buf = (unsigned char *)malloc(MAX);
    size_t n, pos, second;
    int c, bad = 0;
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (v = 0; v < NVARIANTS; v++) {
        if (!(have >> v & 1))
            continue;
        use_variant(v);
        for (n = 0; n <= MAX; n++) {
            /* at the end of a malloc'd block: a read past n is ASan's */
            unsigned char *s = buf + MAX - n;
            fill_clean(s, n);
            CHECK_EQ(wsx__http_stop((const char *)s, n), n);
            for (pos = 0; pos < n; pos++)
                for (c = 0; c < 256; c += STEP) {
                    size_t want;
                    s[pos] = (unsigned char)c;
                    /* a second stop byte further on: the first one wins */
                    second = pos + 1 + (pos * 7 + (size_t)c) % 40;
                    if (second < n)
                        s[second] = c & 1 ? '\r' : 0x7F;
                    want = stop_reference(s, n);
                    if (wsx__http_stop((const char *)s, n) != want && bad++ < 5)
                        fprintf(stderr, "  variant %u: n %zu, 0x%02x at %zu: %zu, want %zu\n", v, n,
                                c, pos, wsx__http_stop((const char *)s, n), want);
                    fill_clean(s, n);
                }
        }
    }
    wsx__http_scan_use(WSX__AUTO);
    CHECK_EQ(bad, 0);
    free(buf);
}

static size_t token_reference(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (isalnum(s[i]) || strchr("!#$%&'*+-.^_`|~", s[i]) != NULL) && s[i])
        i++;
    return i;
}

/* wsx__http_token_span: every byte at every position of names of every
 * length up to 40 (letters, digits, '-' and the other tchar around it),
 * with each variant. */
static void test_token_every_byte_every_position(void)
{
    enum { MAX = 40 };
    static const char pool[] = "Sec-WebSocket-Key_09~!zA";
    unsigned have = have_variants(), v;
    unsigned char *buf = (unsigned char *)malloc(MAX);
    size_t n, pos, i;
    int c, bad = 0;
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (v = 0; v < NVARIANTS; v++) {
        if (!(have >> v & 1))
            continue;
        use_variant(v);
        for (n = 0; n <= MAX; n++) {
            unsigned char *s = buf + MAX - n;
            for (pos = 0; pos < n; pos++)
                for (c = 0; c < 256; c += STEP) {
                    for (i = 0; i < n; i++)
                        s[i] = (unsigned char)pool[i % (sizeof pool - 1)];
                    s[pos] = (unsigned char)c;
                    if (wsx__http_token_span((const char *)s, n) != token_reference(s, n) &&
                        bad++ < 5)
                        fprintf(stderr, "  variant %u: n %zu, 0x%02x at %zu\n", v, n, c, pos);
                }
        }
    }
    wsx__http_scan_use(WSX__AUTO);
    CHECK_EQ(bad, 0);
    free(buf);
}

static void test_choice(void)
{
    int avx2 = wsx__http_scan_use(WSX__HW);
    if (cpu_flag_listed(CPU_FLAG_AVX2)) {
#ifdef WSX__HTTP_AVX2
        CHECK(avx2);
#endif
    }
    CHECK(wsx__http_scan_use(WSX__PORTABLE));
    CHECK_EQ(wsx__http_scan_variant(), WSX__PORTABLE);
    CHECK(!(wsx_build_flags() & WSX_BUILD_HTTP_AVX2));
    CHECK(strstr(wsx_build_string(), " http-words") != NULL);
#if defined(__SSE2__)
    CHECK(wsx__http_scan_use(WSX__BASE));
    CHECK(strstr(wsx_build_string(), " http-sse2") != NULL);
#endif
    CHECK(!wsx__http_scan_use(7));
    CHECK(wsx__http_scan_use(WSX__AUTO));
    CHECK_EQ(wsx__http_scan_variant() == WSX__HW, avx2);
    CHECK(!(wsx_build_flags() & WSX_BUILD_HTTP_AVX2) == !avx2);
    CHECK(!strstr(wsx_build_string(), " http-avx2") == !avx2);
}
#endif

/* wsx__http_eq_nocase (eight bytes at a time in the fast profile) against
 * tolower: every pair of byte values at every position of strings of
 * lengths 1 to 17. */
static void test_eq_nocase_every_pair(void)
{
    char a[17], b[17];
    size_t n, pos;
    int x, y, bad = 0;
    for (n = 1; n <= sizeof a; n++)
        for (pos = 0; pos<n; pos += n> 9 ? 3 : 1)
            for (x = 0; x < 256; x += STEP)
                for (y = 0; y < 256; y++) {
                    int want = x == y || (x < 128 && y < 128 && tolower(x) == tolower(y));
                    memset(a, 'Q', n);
                    memset(b, 'q', n);
                    a[pos] = (char)x;
                    b[pos] = (char)y;
                    if (wsx__http_eq_nocase(a, n, b, n) != want && bad++ < 5)
                        fprintf(stderr, "  n %zu: 0x%02x / 0x%02x at %zu\n", n, x, y, pos);
                }
    CHECK_EQ(bad, 0);
    CHECK(!wsx__http_eq_nocase("Upgrade", 7, "Upgrades", 8));
}

/* The outcome of a parse as text: the result, the start line's slices and
 * every header's, as offsets into buf. */
static void describe(char *out, size_t cap, int r, const char *buf, const wsx_http_request *q)
{
    size_t i, at;
    at = (size_t)snprintf(out, cap, "r=%d", r);
    if (r <= 0)
        return;
    at += (size_t)snprintf(out + at, cap - at, " m=%d,%zu t=%d,%zu v=%d", (int)(q->method - buf),
                           q->method_len, (int)(q->target - buf), q->target_len, q->minor_version);
    for (i = 0; i < q->num_headers && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, " %d,%zu=%d,%zu",
                               (int)(q->headers[i].name - buf), q->headers[i].name_len,
                               (int)(q->headers[i].value - buf), q->headers[i].value_len);
}

/* buf[0..n) fed whole (cut == n) or as buf[0..cut) then all of it. */
static void parse(char *out, size_t cap, const char *buf, size_t n, size_t cut, unsigned flags)
{
    wsx_http_parser p;
    wsx_http_config cfg;
    wsx_header h[8];
    wsx_http_request q;
    int r = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = flags;
    cfg.max_line = 40; /* some cases run into the limit */
    wsx_http_parser_init(&p, &cfg);
    if (cut < n)
        r = wsx_http_parse_request(&p, buf, cut, h, 8, &q);
    if (r == 0)
        r = wsx_http_parse_request(&p, buf, n, h, 8, &q);
    describe(out, cap, r, buf, &q);
}

/* 1 for the bytes with a role of their own in a head (the others are
 * either field-vchar, obs-text or a control byte like their neighbours). */
static int special(int c)
{
    return c <= 0x20 || c == 0x7F || c == 0x80 || memchr(":/?,;\"\\a9=", c, 10) != NULL;
}

static void test_parser_every_byte_every_cut(void)
{
    static const char head[] = "GET /a?b HTTP/1.1\r\nHost: x.example\r\n"
                               "X-Long-Header-Name: value with\tHTAB \x80\xff\r\n"
                               "Upgrade: websocket\r\n\r\n";
    const size_t n = sizeof head - 1;
    unsigned have = have_variants(), v;
    char *buf = (char *)malloc(n), want[600], got[600];
    size_t pos, cut;
    int c, bad = 0;
    unsigned flags;
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (flags = 0; flags <= WSX_HTTP_STRICT_CRLF; flags += WSX_HTTP_STRICT_CRLF)
        for (pos = 0; pos < n; pos++)
            for (c = 0; c < 256; c += STEP) {
                memcpy(buf, head, n);
                buf[pos] = (char)c;
                use_variant(0);
                parse(want, sizeof want, buf, n, n, flags);
                for (v = 0; v < NVARIANTS; v++) {
                    if (!(have >> v & 1))
                        continue;
                    use_variant(v);
                    /* whole, cut next to the byte (from 2 before to 2
                     * after it), and every 11th cut for the bytes the
                     * parser treats apart */
                    for (cut = 0; cut <= n; cut++) {
                        if (cut != n && (cut + 2 < pos || cut > pos + 2) &&
                            (v != 0 || !special(c) || cut % 11 != 0))
                            continue;
                        parse(got, sizeof got, buf, n, cut, flags);
                        if (strcmp(got, want) != 0 && bad++ < 5)
                            fprintf(stderr, "  0x%02x at %zu, variant %u, cut %zu: %s, want %s\n",
                                    c, pos, v, cut, got, want);
                    }
                }
            }
#ifndef WSX_SMALL
    wsx__http_scan_use(WSX__AUTO);
#endif
    CHECK_EQ(bad, 0);
    free(buf);
}

int main(void)
{
#ifndef WSX_SMALL
    RUN(test_choice);
    RUN(test_stop_every_byte_every_position);
    RUN(test_token_every_byte_every_position);
#else
    printf("HTTP line scan: the small profile has no variants; parser cuts only\n");
#endif
    RUN(test_eq_nocase_every_pair);
    RUN(test_parser_every_byte_every_cut);
    return harness_done();
}
