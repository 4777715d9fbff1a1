/*
 * wsx_sse_http.h -- the HTTP side of event streams, both ends: CORS (an
 * origin policy, the preflight answer, the headers of the actual
 * response), refusals with the status and headers HTTP asks for (401,
 * 403, 405, 429, 503), and Retry-After for a client that comes back when
 * the server said it may.  Included by wsx_sse.h.  The code lives in
 * objects of its own: a program that calls none of it links none of it.
 *
 * A server answering a browser on another origin:
 *
 *   static const char *const origins[] = {"https://app.example"};
 *   wsx_cors_config cors = {0};
 *   cors.origins = origins; cors.num_origins = 1;
 *   cors.allow_credentials = 1;
 *   cors.allow_methods = "GET, POST";
 *   cors.allow_headers = "Content-Type, Authorization";
 *   if (method is OPTIONS)
 *       wsx_cors_preflight(&cors, req_headers, n, out, cap, &len): send out;
 *   else if (wsx_cors_check(&cors, req_headers, n, lines, &k) != WSX_OK)
 *       403 (wsx_sse_refusal with status 403);
 *   else the stream's head with lines[0..k) among its extra headers.
 */
#ifndef WSX_SSE_HTTP_H
#define WSX_SSE_HTTP_H

#include "wsx_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CORS (Fetch standard, "CORS protocol") --------------------------- */

/* Decides an Origin the list does not name: nonzero allows it.  origin is
 * the request's Origin value as it came (not NUL-terminated). */
typedef int (*wsx_cors_origin_fn)(void *user, const char *origin, size_t origin_len);

/* The policy.  All zero (or NULL): same origin only (see wsx_cors_check),
 * methods "GET, POST", no request header beyond the CORS-safelisted ones,
 * a Max-Age of WSX_CORS_MAX_AGE_DEFAULT, no credentials. */
typedef struct wsx_cors_config {
    /* Allowed origins, each NUL-terminated and compared byte for byte with
     * the request's Origin (browsers send "scheme://host[:port]", lower
     * case, no path).  An entry "*" allows every origin. */
    const char *const *origins;
    size_t num_origins;
    wsx_cors_origin_fn allow_fn; /* asked when no entry matches, or NULL */
    void *user;                  /* passed to allow_fn */
    /* "Access-Control-Allow-Credentials: true": cookies, HTTP auth and
     * EventSource withCredentials.  Then Access-Control-Allow-Origin echoes
     * the request's Origin, never "*" (the Fetch standard: a browser
     * refuses a credentialed response with "*"), and "*" in origins does
     * not allow the origin "null" (sandboxed frames, file: pages). */
    int allow_credentials;
    const char *allow_methods; /* comma list of methods; NULL: "GET, POST" */
    const char *allow_headers; /* comma list of request header names a
                                  preflight may ask for (case-insensitive),
                                  e.g. "Content-Type, Authorization";
                                  NULL: none */
    uint32_t max_age_s;        /* how long a browser may cache a preflight
                                  answer; 0: WSX_CORS_MAX_AGE_DEFAULT
                                  (browsers cap it: Chromium at 7200) */
} wsx_cors_config;

#define WSX_CORS_MAX_AGE_DEFAULT 600u
/* wsx_cors_check gives at most this many header lines. */
#define WSX_CORS_MAX_HEADERS 3

/* The CORS verdict for a request (not a preflight) and the header lines of
 * its response.  headers[0..n) are the request's (names compared
 * case-insensitively).  A request is allowed when it has no Origin (not a
 * browser's cross-origin request), when its Origin is the request's own
 * ("http://" or "https://" followed by the Host value, byte for byte),
 * when an entry of cfg->origins matches, or when cfg->allow_fn says yes.
 * Fills lines[0..*num_lines) (room for WSX_CORS_MAX_HEADERS) with what the
 * response carries, in this order:
 *   Access-Control-Allow-Origin: "*" (an entry "*" without credentials)
 *                                 or the request's Origin (a slice of it);
 *   Access-Control-Allow-Credentials: true   (allow_credentials);
 *   Vary: Origin                  whenever the answer depends on Origin
 *                                 (a policy with origins or allow_fn, but
 *                                 not "*" without credentials), also with
 *                                 no Origin, so a cache never serves one
 *                                 origin's answer to another; the default
 *                                 policy grants no other origin and
 *                                 varies by nothing.
 * No Access-Control-* lines for a request without Origin or from its own
 * origin.  Lines point into static storage and into headers (valid as long
 * as those are).  Returns WSX_OK, WSX_E_SSE_CORS_ORIGIN (403: refuse it;
 * lines then hold at most Vary: Origin), or WSX_E_ARG (lines or num_lines
 * NULL, headers NULL with n > 0). */
WSX_API int wsx_cors_check(const wsx_cors_config *cfg, const wsx_header *headers, size_t n,
                           wsx_header *lines, size_t *num_lines);

/* The complete answer to an OPTIONS request, from its headers.  A CORS
 * preflight (Origin and Access-Control-Request-Method present) whose
 * origin is allowed (as in wsx_cors_check), whose method is in
 * allow_methods and each of whose Access-Control-Request-Headers is in
 * allow_headers gets
 *   HTTP/1.1 204 No Content
 *   Access-Control-Allow-Origin: <"*" or the Origin>
 *   [Access-Control-Allow-Credentials: true]
 *   Access-Control-Allow-Methods: <allow_methods>
 *   [Access-Control-Allow-Headers: <allow_headers>]   (when set)
 *   Access-Control-Max-Age: <max_age_s>
 *   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
 * and the result WSX_OK.  A refused one gets "403 Forbidden" with the
 * same Vary line, no Access-Control-* line (the browser then fails the
 * request), a text/plain reason and Content-Length, and the result says
 * why: WSX_E_SSE_CORS_ORIGIN, _CORS_METHOD, _CORS_HEADERS.  An OPTIONS
 * that is not a preflight gets "204 No Content" with
 * "Allow: OPTIONS, <allow_methods>" and WSX_OK.
 * A writer (API rule 2); a writer error (WSX_E_BUFFER, a size query's
 * WSX_OK) wins over a refusal's result.  WSX_E_ARG: out_len NULL, headers
 * NULL with n > 0; WSX_E_HTTP_HEADER_VALUE: allow_methods or
 * allow_headers not a field value. */
WSX_API int wsx_cors_preflight(const wsx_cors_config *cfg, const wsx_header *headers, size_t n,
                               void *out, size_t cap, size_t *out_len);

/* ---- refusals ---------------------------------------------------------- */

typedef struct wsx_sse_refusal_config {
    int status; /* 401, 403, 405, 429 or 503 */
    /* 401: the WWW-Authenticate challenge, e.g. "Bearer" or
     * "Bearer realm=\"api\"" (RFC 9110 section 11.6.1: a 401 MUST carry
     * one); required for 401, ignored otherwise. */
    const char *challenge;
    /* 405: the Allow value, e.g. "GET, POST" (section 15.5.6: a 405 MUST
     * carry one); required for 405, ignored otherwise. */
    const char *allow;
    /* 429, 503: "Retry-After: <seconds>" (section 10.2.3); 0: none. */
    uint32_t retry_after_s;
    const wsx_header *headers; /* extra lines (wsx_cors_check's), or NULL */
    size_t num_headers;
    int connection_close; /* "Connection: close" */
} wsx_sse_refusal_config;

/* A complete refusal: the status line with its reason phrase, the header
 * its status asks for, the extra lines, "Content-Type: text/plain;
 * charset=utf-8", Content-Length, and a body of the reason phrase and LF:
 *   HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n[extra]
 *   [Connection: close\r\n]Content-Type: text/plain; charset=utf-8\r\n
 *   Content-Length: 18\r\n\r\nToo Many Requests\n
 * A writer (API rule 2).  WSX_E_ARG: cfg NULL, another status, 401 without
 * a challenge, 405 without allow; WSX_E_HTTP_HEADER_VALUE: a challenge or
 * allow that is not a field value; WSX_E_HTTP_HEADER_NAME / _VALUE for an
 * extra line (API rule 8). */
WSX_API int wsx_sse_refusal(const wsx_sse_refusal_config *cfg, void *out, size_t cap,
                            size_t *out_len);

/* ---- Retry-After, the client's side ------------------------------------ */

/* The longest wait wsx_sse_retry_after gives: a day. */
#define WSX_SSE_RETRY_AFTER_MAX_S 86400u

/* An HTTP-date (RFC 9110 section 5.6.7) in any of its three forms, which a
 * recipient must all accept: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
 * the obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year
 * below 70 is 20xx, else 19xx) and asctime "Sun Nov  6 08:49:37 1994".
 * Names of days and months are case-sensitive, as the grammar says; the
 * day name is checked to be one, not to match the date.  *unix_s gets the
 * seconds since 1970-01-01 00:00:00 UTC.  Returns WSX_OK,
 * WSX_E_SSE_RETRY_AFTER for anything else (other bytes, spaces or
 * lengths, a year before 1970, a field out of range; second 60, a leap
 * second, is allowed), or WSX_E_ARG (s NULL with len > 0, unix_s NULL). */
WSX_API int wsx_http_date_parse(const char *s, size_t len, uint64_t *unix_s);

/* How long a 429 or 503 response (wsx_sse_check_response said
 * WSX_E_SSE_RETRY_LATER) asks the client to wait, from its headers: the
 * first Retry-After field, either delta-seconds (digits only; any length,
 * saturating) or an HTTP-date.  A date counts from the response's Date
 * field when it has a valid one (the server's own clock: no skew), else
 * from now_unix_s (the caller's wall clock, seconds since 1970); a date
 * in the past is 0.  The wait is capped at WSX_SSE_RETRY_AFTER_MAX_S.
 * Sets *delay_ms and returns WSX_OK; WSX_E_SSE_RETRY_AFTER when there is
 * no Retry-After, its value is neither form, or it is a date and neither
 * a Date field nor now_unix_s (0: unknown) tells the time; WSX_E_ARG for
 * delay_ms NULL or headers NULL with n > 0. */
WSX_API int wsx_sse_retry_after(const wsx_header *headers, size_t n, uint64_t now_unix_s,
                                uint32_t *delay_ms);

#ifdef __cplusplus
}
#endif

#endif /* WSX_SSE_HTTP_H */
