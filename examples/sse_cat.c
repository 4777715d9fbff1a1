/*
 * sse_cat — print a text/event-stream as JSON lines.
 *
 *   sse_cat [--chunk N] [--max-event BYTES] [--max-field BYTES] -
 *
 * Reads the stream from standard input ("-") and feeds the wsx parser at
 * most N bytes at a time (default 4096; --chunk 1 feeds it byte by byte).
 * Prints one JSON object per line:
 *   {"type":T,"data":D,"id":I}   for each event (I: the last event ID at
 *                                dispatch, "" when none)
 *   {"retry":N}                  for each accepted retry field
 * Strings are JSON-escaped: '"', '\\', control characters as \n, \r, \t,
 * \b, \f or \u00XX; bytes >= 0x80 are copied as they are.
 * Exit status: 0 at the end of input (an unterminated last event is
 * dropped, as the spec says), 2 on a parse error (message on stderr), 1 on
 * a read error, 64 on bad usage.
 *
 * Structure: parse_args() -> a source (today only "-": stdin; a URL mode
 * can add its own source that opens a connection, checks the response with
 * wsx_sse_check_response() and hands body bytes to the same pump()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wsx.h"

typedef struct options {
    size_t chunk;
    size_t max_event;
    size_t max_field;
    const char *source;
} options;

/* A byte source: returns bytes read (0 at the end), -1 on error. */
typedef long (*read_fn)(void *ctx, uint8_t *buf, size_t cap);

static void usage(void)
{
    fprintf(stderr, "usage: sse_cat [--chunk N] [--max-event BYTES] [--max-field BYTES] -\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v == 0 || v > (unsigned long long)((size_t)-1 / 8))
        return 0;
    *out = (size_t)v;
    return 1;
}

static int parse_args(int argc, char **argv, options *o)
{
    int i;
    o->chunk = 4096;
    o->max_event = 1u << 20;
    o->max_field = 4096;
    o->source = NULL;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t *dst = NULL;
        if (strcmp(a, "--chunk") == 0)
            dst = &o->chunk;
        else if (strcmp(a, "--max-event") == 0)
            dst = &o->max_event;
        else if (strcmp(a, "--max-field") == 0)
            dst = &o->max_field;
        if (dst) {
            if (i + 1 >= argc || !parse_size(argv[++i], dst))
                return 0;
        } else if (!o->source && (strcmp(a, "-") == 0 || a[0] != '-')) {
            o->source = a;
        } else {
            return 0;
        }
    }
    return o->source != NULL;
}

/* ---- output --------------------------------------------------------- */

static void json_string(FILE *f, const uint8_t *s, size_t n)
{
    size_t i;
    putc('"', f);
    for (i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (c < 0x20 || c == 0x7F)
                fprintf(f, "\\u%04x", c);
            else
                putc(c, f);
        }
    }
    putc('"', f);
}

static int on_event(void *user, const wsx_sse_event *ev)
{
    FILE *f = (FILE *)user;
    fputs("{\"type\":", f);
    json_string(f, ev->type, ev->type_len);
    fputs(",\"data\":", f);
    json_string(f, ev->data, ev->data_len);
    fputs(",\"id\":", f);
    json_string(f, ev->id, ev->id_len);
    fputs("}\n", f);
    return 0;
}

static int on_retry(void *user, uint32_t ms)
{
    fprintf((FILE *)user, "{\"retry\":%lu}\n", (unsigned long)ms);
    return 0;
}

/* ---- the pump: source -> parser -> output ---------------------------- */

static int pump(read_fn rd, void *ctx, const options *o, FILE *out)
{
    wsx_sse_parser_config cfg;
    wsx_sse_callbacks cb;
    wsx_sse_parser p;
    size_t scratch_size = o->max_event + 4 * o->max_field + 1;
    uint8_t *scratch = (uint8_t *)malloc(scratch_size);
    uint8_t *buf = (uint8_t *)malloc(o->chunk);
    unsigned long long offset = 0;
    int status = 0;
    if (!scratch || !buf) {
        fprintf(stderr, "sse_cat: out of memory\n");
        free(scratch);
        free(buf);
        return 1;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.max_field = o->max_field;
    memset(&cb, 0, sizeof cb);
    cb.on_event = on_event;
    cb.on_retry = on_retry;
    if (wsx_sse_parser_init(&p, scratch, scratch_size, &cfg) != WSX_OK) {
        fprintf(stderr, "sse_cat: bad limits\n");
        status = 64;
    }
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

int main(int argc, char **argv)
{
    options o;
    if (!parse_args(argc, argv, &o)) {
        usage();
        return 64;
    }
    if (strcmp(o.source, "-") == 0)
        return pump(read_stdin, NULL, &o, stdout);
    fprintf(stderr, "sse_cat: only '-' (standard input) is supported in this build\n");
    return 64;
}
