/*
 * main.c — sse_cat's options, its JSON lines, and the pump that feeds
 * standard input to the parser (what it does: sse_cat.h).
 */
#include "sse_cat.h"
#include "json.h"
#include "opt.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A byte source: returns bytes read (0 at the end), -1 on an error. */
typedef long (*read_fn)(void *ctx, uint8_t *buf, size_t cap);

static void usage(void)
{
    fprintf(stderr,
            "usage: sse_cat [--chunk N] [--max-event BYTES] -\n"
            "       sse_cat [-X METHOD] [-d BODY] [-H 'Name: value']... [--max-reconnects N]\n"
            "               [--max-redirects N] [--connect-timeout-ms MS] [--compressed]\n"
            "               [--verbose] [--chunk N] [--max-event BYTES]\n"
            "               http://HOST[:PORT]/PATH\n"
            "  --connect-timeout-ms MS  give up a TCP connect after MS (default 10000;\n"
            "                           0: the system's limit); failed connects are\n"
            "                           retried like dropped streams\n"
            "  --compressed             ask for a gzip'd stream (Accept-Encoding: gzip)\n"
            "                           and decode it as it arrives\n"
            "  --max-reconnects N       stop after N reconnects (exit 1 if the last\n"
            "                           connection could not be made)\n");
}

/* -H 'Name: value' -> o->headers (the value trimmed of SP/HTAB). */
static int add_header(options *o, const char *line)
{
    const char *colon = strchr(line, ':'), *v;
    size_t vlen;
    if (!colon || colon == line || o->num_headers == MAX_USER_HEADERS)
        return 0;
    v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    vlen = strlen(v);
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    o->headers[o->num_headers].name = line;
    o->headers[o->num_headers].name_len = (size_t)(colon - line);
    o->headers[o->num_headers].value = v;
    o->headers[o->num_headers].value_len = vlen;
    o->num_headers++;
    return 1;
}

static int parse_count(const char *s, long *out)
{
    uint64_t v;
    if (opt_u64(s, 0, LONG_MAX, &v) != 0)
        return 0;
    *out = (long)v;
    return 1;
}

/* The URL-mode options; 1 if a[i] was one (i moved past its value), 0 if
 * not, -1 if its value is bad. */
static int parse_url_arg(int argc, char **argv, int *i, options *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--verbose") == 0) {
        o->verbose = 1;
        return 1;
    }
    if (strcmp(a, "--compressed") == 0) {
        o->compressed = 1;
        return 1;
    }
    if (strcmp(a, "-X") && strcmp(a, "-d") && strcmp(a, "-H") && strcmp(a, "--max-reconnects") &&
        strcmp(a, "--max-redirects") && strcmp(a, "--connect-timeout-ms"))
        return 0;
    if (!v)
        return -1;
    (*i)++;
    if (strcmp(a, "-X") == 0)
        o->method = v;
    else if (strcmp(a, "-d") == 0)
        o->body = v;
    else if (strcmp(a, "-H") == 0)
        return add_header(o, v) ? 1 : -1;
    else if (strcmp(a, "--max-reconnects") == 0)
        return parse_count(v, &o->max_reconnects) ? 1 : -1;
    else if (strcmp(a, "--connect-timeout-ms") == 0)
        return parse_count(v, &o->connect_timeout_ms) ? 1 : -1;
    else
        return parse_count(v, &o->max_redirects) ? 1 : -1;
    return 1;
}

static int parse_size(const char *s, size_t *out)
{
    uint64_t v;
    if (opt_u64(s, 1, (size_t)-1 / 8, &v) != 0)
        return 0;
    *out = (size_t)v;
    return 1;
}

static int parse_args(int argc, char **argv, options *o)
{
    int i, url_only = 0;
    o->chunk = 4096;
    o->max_event = (1u << 20) + 4 * (64u << 10);
    o->source = NULL;
    o->method = NULL;
    o->body = NULL;
    o->num_headers = 0;
    o->max_reconnects = -1;
    o->max_redirects = 10;
    o->connect_timeout_ms = 10000;
    o->verbose = 0;
    o->compressed = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t *dst = NULL;
        int url_arg = parse_url_arg(argc, argv, &i, o);
        if (url_arg < 0)
            return 0;
        if (url_arg > 0) {
            url_only = 1;
            continue;
        }
        if (strcmp(a, "--chunk") == 0)
            dst = &o->chunk;
        else if (strcmp(a, "--max-event") == 0)
            dst = &o->max_event;
        if (dst) {
            if (i + 1 >= argc || !parse_size(argv[++i], dst))
                return 0;
        } else if (!o->source && (strcmp(a, "-") == 0 || a[0] != '-')) {
            o->source = a;
        } else {
            return 0;
        }
    }
    if (o->source && strcmp(o->source, "-") == 0 && url_only)
        return 0; /* -X, -d, -H ... mean nothing for standard input */
    return o->source != NULL;
}

/* ---- output --------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s[0..n), or 0 when it is not
 * one: then the WHATWG decoder replaces its longest valid-looking prefix
 * (*bad bytes, at least 1) with one U+FFFD. */
static size_t utf8_seq(const uint8_t *s, size_t n, size_t *bad)
{
    size_t need, i;
    uint8_t lo = 0x80, hi = 0xBF;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 1;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 2;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 3;
    else
        need = 0;
    if (s[0] == 0xE0)
        lo = 0xA0; /* no overlong forms */
    else if (s[0] == 0xED)
        hi = 0x9F; /* no surrogates */
    else if (s[0] == 0xF0)
        lo = 0x90;
    else if (s[0] == 0xF4)
        hi = 0x8F; /* nothing above U+10FFFF */
    for (i = 1; i <= need; i++, lo = 0x80, hi = 0xBF) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
    }
    *bad = 1;
    return need ? need + 1 : 0;
}

/* s[0..n) decoded as UTF-8 (what an EventSource hands to script) and
 * written as a JSON string. */
static void print_json_string(FILE *f, const void *text, size_t n)
{
    const uint8_t *s = (const uint8_t *)text, *end = s + n;
    char esc[6];
    putc('"', f);
    while (s < end) {
        size_t k = 1, bad;
        if (*s < 0x80) {
            long e = json_escape((const char *)s, 1, esc, sizeof esc);
            fwrite(esc, 1, (size_t)e, f);
        } else if ((k = utf8_seq(s, (size_t)(end - s), &bad)) > 0) {
            fwrite(s, 1, k, f);
        } else {
            fputs("\xEF\xBF\xBD", f); /* U+FFFD */
            k = bad;
        }
        s += k;
    }
    putc('"', f);
}

int print_event(void *user, const wsx_sse_event *ev)
{
    FILE *f = (FILE *)user;
    fputs("{\"type\":", f);
    print_json_string(f, ev->type, ev->type_len);
    fputs(",\"data\":", f);
    print_json_string(f, ev->data, ev->data_len);
    fputs(",\"id\":", f);
    print_json_string(f, ev->id, ev->id_len);
    fputs("}\n", f);
    return 0;
}

int print_retry(void *user, uint32_t ms)
{
    fprintf((FILE *)user, "{\"retry\":%lu}\n", (unsigned long)ms);
    return 0;
}

/* ---- the pump: source -> parser -> output ---------------------------- */

int parser_init(wsx_sse_parser *p, const options *o, uint8_t **scratch)
{
    *scratch = (uint8_t *)malloc(o->max_event);
    if (!*scratch) {
        fprintf(stderr, "sse_cat: out of memory\n");
        return 1;
    }
    if (wsx_sse_parser_init(p, *scratch, o->max_event, NULL) != WSX_OK) {
        fprintf(stderr, "sse_cat: bad limits\n");
        return 64;
    }
    return 0;
}

static int pump(read_fn rd, void *ctx, const options *o, FILE *out)
{
    wsx_sse_callbacks cb;
    wsx_sse_parser p;
    uint8_t *scratch = NULL, *buf = NULL;
    unsigned long long offset = 0;
    int status = parser_init(&p, o, &scratch);
    if (status == 0 && !(buf = (uint8_t *)malloc(o->chunk))) {
        fprintf(stderr, "sse_cat: out of memory\n");
        status = 1;
    }
    memset(&cb, 0, sizeof cb);
    cb.on_event = print_event;
    cb.on_retry = print_retry;
    while (status == 0) {
        size_t used = 0;
        long n = rd(ctx, buf, o->chunk);
        int r;
        if (n < 0) {
            fprintf(stderr, "sse_cat: read error: %s\n", strerror(errno));
            status = 1;
            break;
        }
        if (n == 0)
            break;
        r = wsx_sse_feed(&p, buf, (size_t)n, &cb, out, &used);
        if (r != 0) {
            fflush(out);
            fprintf(stderr, "sse_cat: parse error at byte %llu: %s (%s)\n", offset + used,
                    wsx_strerror(r), wsx_errname(r));
            status = 2;
            break;
        }
        offset += (unsigned long long)n;
        fflush(out);
    }
    if (status == 0)
        wsx_sse_end(&p); /* an unterminated event is dropped */
    fflush(out);
    free(scratch);
    free(buf);
    return status;
}

static long read_stdin(void *ctx, uint8_t *buf, size_t cap)
{
    ssize_t n;
    (void)ctx;
    do
        n = read(0, buf, cap);
    while (n < 0 && errno == EINTR);
    return (long)n;
}

/* ---- URL mode ---------------------------------------------------------- */

int main(int argc, char **argv)
{
    options o;
    if (!parse_args(argc, argv, &o)) {
        usage();
        return 64;
    }
    if (strcmp(o.source, "-") == 0)
        return pump(read_stdin, NULL, &o, stdout);
    return url_main(&o);
}
