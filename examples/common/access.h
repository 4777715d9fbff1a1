/*
 * Who may open an event stream, shared by the wsx example servers
 * (sse_server, demo_server): the options --allow-origin ORIGIN
 * (repeatable, "*" for any), --token T and
 * --max-streams-per-client N, and the verdict on one request: CORS
 * (wsx_cors_check, wsx_cors_preflight), then the token, then the number of
 * streams the client's address holds.  A refusal is the one HTTP defines
 * (wsx_sse_refusal): 403; 401 with "WWW-Authenticate: Bearer"; 429 with
 * "Retry-After: 2"; each with the CORS lines, so a page on an allowed
 * origin can read why.
 *
 * Decisions: without --allow-origin no other origin is granted anything
 * (no Access-Control-* line, preflights refused), so the browser keeps
 * other origins' pages from reading a stream, but a request is not refused
 * for its Origin: behind a proxy that rewrites Host (nginx's default
 * proxy_set_header Host $proxy_host) the page's own origin cannot be told
 * from another one.  With --allow-origin, an Origin that is neither listed
 * nor the request's own (Host) is refused 403 before any work is done: list
 * the page's origin too when a proxy rewrites Host.  Credentials are allowed (EventSource withCredentials,
 * cookies), so an allowed origin is echoed, never "*"; a preflight may ask
 * for Content-Type, Authorization and Last-Event-ID with GET or POST and is
 * cached for ACCESS_MAX_AGE_S.  The token is "Authorization: Bearer T"
 * (RFC 6750 section 2.1), or for a GET the cookie "token=T": an
 * EventSource cannot set headers, but sends cookies.
 */
#ifndef WSX_EXAMPLES_ACCESS_H
#define WSX_EXAMPLES_ACCESS_H

#include <wsx_http.h>
#include <wsx_sse.h>

#include <stddef.h>

#define ACCESS_MAX_ORIGINS 16
#define ACCESS_MAX_AGE_S 600
#define ACCESS_RETRY_AFTER_S 2
/* Room for any answer of access_preflight and access_refusal. */
#define ACCESS_ANSWER_MAX 1024

typedef struct access_policy {
    const char *origins[ACCESS_MAX_ORIGINS];
    size_t num_origins;
    const char *token;             /* NULL: no token needed */
    size_t max_streams_per_client; /* 0: no limit */
} access_policy;

/* One command-line option: 1 if name is one of ours and value is good, 0
 * if name is not ours, -1 for a bad value (or too many origins). */
int access_option(access_policy *p, const char *name, const char *value);

/* The usage lines of the options. */
#define ACCESS_USAGE                                                                    \
    "  --allow-origin ORIGIN  a page on ORIGIN (\"*\": any; repeatable) may read the\n" \
    "                        streams (CORS, with credentials); default: same origin\n"  \
    "  --token T             streams need \"Authorization: Bearer T\" (GET: or the\n"   \
    "                        cookie token=T); else 401\n"                               \
    "  --max-streams-per-client N  streams one address may hold; more: 429\n"

/* The CORS lines for the response to req (WSX_CORS_MAX_HEADERS of them):
 * 0, or -1 when its Origin is not allowed. */
int access_cors_lines(const access_policy *p, const wsx_http_request *req, wsx_header *lines,
                      size_t *n);

/* The answer to OPTIONS req into out (ACCESS_ANSWER_MAX): its length;
 * *granted says whether it was a granted preflight (or a plain OPTIONS). */
size_t access_preflight(const access_policy *p, const wsx_http_request *req, char *out,
                        int *granted);

/* The number of streams the peer of fd holds (fds[0..n), the other
 * connections' streams). */
size_t access_streams_of_peer(int fd, const int *fds, size_t n);

/* May req open a stream, its client holding `streams` already?  0, or the
 * length of the refusal written into out (ACCESS_ANSWER_MAX; its head only
 * when head_only). */
size_t access_refusal(const access_policy *p, const wsx_http_request *req, size_t streams,
                      int head_only, char *out);

#endif
