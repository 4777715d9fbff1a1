/*
 * sse_cat — print a text/event-stream as JSON lines.
 *
 *   sse_cat [--chunk N] [--max-event BYTES] -
 *
 * Reads the stream from standard input ("-") and feeds the wsx parser at
 * most N bytes at a time (default 4096; --chunk 1 feeds it byte by byte).
 * Prints one JSON object per line:
 *   {"type":T,"data":D,"id":I}   for each event (I: the last event ID at
 *                                dispatch, "" when none)
 *   {"retry":N}                  for each accepted retry field
 * T, D and I are what a browser's EventSource dispatches (the MessageEvent's
 * type, data and lastEventId): the bytes decoded as UTF-8 the way the
 * WHATWG decoder does it (each invalid sequence becomes U+FFFD), then
 * JSON-escaped ('"', '\\', control characters as \n, \r, \t, \b, \f or
 * \u00XX).  --max-event BYTES is the parser's scratch buffer, what one
 * event may hold at once: its data, type and id and the last event ID
 * (default 1 MiB + 256 KiB: every stream whose lines are shorter than
 * 64 KiB and whose events have up to 1 MiB of data).
 * Exit status: 0 at the end of input (an unterminated last event is
 * dropped, as the spec says), 2 on a parse error (message on stderr), 1 on
 * a read error, 64 on bad usage.
 *
 * URL mode (http:// only, no TLS):
 *
 *   sse_cat [-X METHOD] [-d BODY] [-H 'Name: value']... [--max-reconnects N]
 *           [--max-redirects N] [--connect-timeout-ms MS] [--compressed]
 *           [--verbose] [--chunk N] [--max-event BYTES] URL
 *
 * An EventSource-like client printing the same JSON lines.  It sends the
 * request of wsx_sse_request_write() (GET, or POST when -d is given and no
 * -X; Accept: text/event-stream, Cache-Control: no-cache, Last-Event-ID once
 * an id was seen, the -H headers; with -d and no Content-Type header,
 * "Content-Type: application/json"), parses the response head with
 * wsx_http and decides with wsx_sse_check_http_response():
 *   200 + text/event-stream  the body is read (chunked, Content-Length or
 *                            until the close) and printed;
 *   301/302/303/307/308      followed, at most --max-redirects times
 *                            (default 10) per connection; 303 (and 301/302
 *                            for POST) turns the request into a GET without
 *                            body (wsx_sse_redirect_method());
 *   204                      stop: exit 0;
 *   401, 403                 stop: a message on stderr saying so (with the
 *                            WWW-Authenticate challenge if any), exit 3;
 *                            retrying cannot help until the credentials
 *                            change;
 *   429, 503 + Retry-After   reconnect no sooner than it says (seconds or
 *                            an HTTP-date, counted from the response's
 *                            Date, else from this machine's clock; at
 *                            most a day) plus up to 12.5% jitter
 *                            (wsx_sse_retry_after, wsx_sse_backoff_after);
 *                            counts as a reconnect for --max-reconnects
 *                            (exit 1 when they are used up);
 *   anything else            a message on stderr, exit 2, no reconnect
 *                            (429/503 without Retry-After too, as an
 *                            EventSource does).
 * When the body ends or the connection fails it reconnects to the original
 * URL after the delay of wsx_sse_backoff (the server's retry:, doubled per
 * consecutive failure, plus jitter), sending Last-Event-ID, until SIGINT or
 * SIGTERM (exit 0) or a 204.  --max-reconnects N stops after N reconnects
 * (exit 0 if the last connection was a stream that ended, 1 if it could not
 * be made, with the reason on stderr).  --verbose notes each reconnection
 * on stderr.
 * --connect-timeout-ms MS (default 10000; 0: only the system's own limit,
 * minutes) bounds each TCP connect, all the host's addresses together: a
 * nonblocking connect() and poll() (net_connect_timeout in common/net.c).
 * A connect that times out is a failed connection like a refused one:
 * retried with backoff, exit 1 once --max-reconnects is used up.
 *
 * --compressed sends "Accept-Encoding: gzip" (wsx_sse_request.accept_gzip);
 * a response with Content-Encoding: gzip (wsx_sse_response_gzip) is then
 * decoded as it arrives by a wsx_sse_gunzip in front of the parser (a
 * 40 KiB window: any server's gzip), each event printed the moment its
 * bytes are in.  A gzip'd stream that ends without its trailer is a cut
 * stream like any other (reconnect); a corrupt one (bad data, CRC-32 or
 * length) is a parse error (exit 2).  Other content codings are refused
 * (wsx_sse_check_response: exit 2).
 *
 * Structure: parse_args() -> a source: "-" feeds stdin to pump() (main.c);
 * a URL goes to url_main() (url.c), which owns one parser across
 * connections (the last event ID survives reconnects) and feeds it the
 * decoded body.
 */
#ifndef WSX_SSE_CAT_H
#define WSX_SSE_CAT_H

#include <wsx.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_USER_HEADERS 32

typedef struct options {
    size_t chunk;
    size_t max_event;
    const char *source;
    /* URL mode */
    const char *method;                   /* -X; NULL: GET, or POST with -d */
    const char *body;                     /* -d */
    wsx_header headers[MAX_USER_HEADERS]; /* -H */
    size_t num_headers;
    long max_reconnects; /* -1: no limit */
    long max_redirects;
    long connect_timeout_ms; /* 0: no limit of ours */
    int compressed;          /* --compressed: offer gzip */
    int verbose;
} options;

/* ---- main.c ------------------------------------------------------------ */

/* Parser callbacks printing one JSON line each to the FILE * user. */
int print_event(void *user, const wsx_sse_event *ev);
int print_retry(void *user, uint32_t ms);

/* Initializes p with a scratch buffer sized from the options (*scratch:
 * to free).  Returns 0, or the exit status after a message on stderr. */
int parser_init(wsx_sse_parser *p, const options *o, uint8_t **scratch);

/* ---- url.c ------------------------------------------------------------- */

/* URL mode: connects, prints, reconnects.  Returns the exit status. */
int url_main(const options *o);

#endif
