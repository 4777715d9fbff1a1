/*
 * The HTTP side of event streams: CORS verdicts and preflight answers,
 * refusals (byte for byte), the client's verdicts on 401/403/429/503,
 * Retry-After (delta-seconds and the three HTTP-date forms, every split of
 * the head that carries it) and the wait that follows.
 */
#include "harness.h"
#include "wsx_sse.h"
#include "wsx_http.h"

#define H(n, v)                            \
    {                                      \
        n, sizeof(n) - 1, v, sizeof(v) - 1 \
    }

static char out[1024];

/* The bytes a writer gave, NUL-terminated. */
static const char *text(size_t n)
{
    out[n] = 0;
    return out;
}

/* ---- CORS verdicts -------------------------------------------------- */

static int allow_b_only(void *user, const char *origin, size_t len)
{
    ++*(int *)user;
    return len == 15 && memcmp(origin, "https://b.other", 15) == 0;
}

/* wsx_cors_check on (Host, Origin): its result and lines joined as
 * "Name: value|". */
static int check(const wsx_cors_config *cfg, const char *origin, char *joined)
{
    wsx_header req[3] = {H("Host", "api.example:8443"), H("X-Other", "1"), H("Origin", "")};
    wsx_header lines[WSX_CORS_MAX_HEADERS];
    size_t n = 99, i;
    int r;
    req[2].value = origin;
    req[2].value_len = origin ? strlen(origin) : 0;
    r = wsx_cors_check(cfg, req, origin ? 3 : 2, lines, &n);
    CHECK(n <= WSX_CORS_MAX_HEADERS);
    joined[0] = 0;
    for (i = 0; i < n && i < WSX_CORS_MAX_HEADERS; i++) {
        strncat(joined, lines[i].name, lines[i].name_len);
        strcat(joined, ": ");
        strncat(joined, lines[i].value, lines[i].value_len);
        strcat(joined, "|");
    }
    return r;
}

static void test_cors_check(void)
{
    static const char *const list[] = {"https://a.example", NULL};
    static const char *const star[] = {"*"};
    wsx_cors_config cfg;
    char got[256];
    int calls = 0;
    wsx_header lines[3];
    size_t n;
    /* the default: same origin only, no other origin granted: no lines */
    CHECK_EQ(check(NULL, NULL, got), WSX_OK);
    CHECK(strcmp(got, "") == 0);
    CHECK_EQ(check(NULL, "https://api.example:8443", got), WSX_OK);
    CHECK(strcmp(got, "") == 0);
    CHECK_EQ(check(NULL, "http://api.example:8443", got), WSX_OK);
    CHECK_EQ(check(NULL, "ftp://api.example:8443", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK_EQ(check(NULL, "https://api.example:844", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK_EQ(check(NULL, "https://a.example", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK(strcmp(got, "") == 0);
    /* a list: exact, byte for byte (a NULL entry is skipped) */
    memset(&cfg, 0, sizeof cfg);
    cfg.origins = list;
    cfg.num_origins = 2;
    CHECK_EQ(check(&cfg, "https://a.example", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: https://a.example|Vary: Origin|") == 0);
    CHECK_EQ(check(&cfg, "https://A.example", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK_EQ(check(&cfg, "https://a.example.evil", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK_EQ(check(&cfg, "https://a.exampl", got), WSX_E_SSE_CORS_ORIGIN);
    cfg.allow_credentials = 1;
    CHECK_EQ(check(&cfg, "https://a.example", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: https://a.example|"
                      "Access-Control-Allow-Credentials: true|Vary: Origin|") == 0);
    /* the callback decides what the list does not name */
    cfg.allow_fn = allow_b_only;
    cfg.user = &calls;
    CHECK_EQ(check(&cfg, "https://b.other", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: https://b.other|"
                      "Access-Control-Allow-Credentials: true|Vary: Origin|") == 0);
    CHECK_EQ(check(&cfg, "https://c.other", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK_EQ(calls, 2);
    CHECK_EQ(check(&cfg, "https://a.example", got), WSX_OK);
    CHECK_EQ(calls, 2); /* listed: not asked */
    /* a callback alone: the answer varies by Origin too */
    cfg.origins = NULL;
    cfg.num_origins = 0;
    cfg.allow_credentials = 0;
    CHECK_EQ(check(&cfg, "https://b.other", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: https://b.other|Vary: Origin|") == 0);
    CHECK_EQ(check(&cfg, NULL, got), WSX_OK);
    CHECK(strcmp(got, "Vary: Origin|") == 0);
    /* "*": the wildcard without credentials, no Vary */
    memset(&cfg, 0, sizeof cfg);
    cfg.origins = star;
    cfg.num_origins = 1;
    CHECK_EQ(check(&cfg, "https://x.example", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: *|") == 0);
    CHECK_EQ(check(&cfg, "null", got), WSX_OK);
    CHECK_EQ(check(&cfg, NULL, got), WSX_OK);
    CHECK(strcmp(got, "") == 0);
    /* "*" with credentials: the origin echoed, never "*", never "null" */
    cfg.allow_credentials = 1;
    CHECK_EQ(check(&cfg, "https://x.example", got), WSX_OK);
    CHECK(strcmp(got, "Access-Control-Allow-Origin: https://x.example|"
                      "Access-Control-Allow-Credentials: true|Vary: Origin|") == 0);
    CHECK_EQ(check(&cfg, "null", got), WSX_E_SSE_CORS_ORIGIN);
    CHECK(strcmp(got, "Vary: Origin|") == 0);
    /* no Host: no origin is the server's own; a NULL value counts as no
     * Origin; a NULL list has no entries */
    {
        wsx_header only_origin = H("Origin", "https://api.example:8443");
        wsx_header null_origin = {"Origin", 6, NULL, 0};
        CHECK_EQ(wsx_cors_check(NULL, &only_origin, 1, lines, &n), WSX_E_SSE_CORS_ORIGIN);
        CHECK_EQ(wsx_cors_check(NULL, &null_origin, 1, lines, &n), WSX_OK);
        memset(&cfg, 0, sizeof cfg);
        cfg.num_origins = 1;
        CHECK_EQ(check(&cfg, "https://x.example", got), WSX_E_SSE_CORS_ORIGIN);
    }
    /* API rule 5 */
    CHECK_EQ(wsx_cors_check(NULL, NULL, 0, NULL, &n), WSX_E_ARG);
    CHECK_EQ(wsx_cors_check(NULL, NULL, 0, lines, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_cors_check(NULL, NULL, 1, lines, &n), WSX_E_ARG);
    CHECK_EQ(wsx_cors_check(NULL, NULL, 0, lines, &n), WSX_OK);
    CHECK_EQ(n, 0);
}

/* ---- preflight ------------------------------------------------------ */

#define FORBIDDEN_HEAD "HTTP/1.1 403 Forbidden\r\n" PREFLIGHT_VARY
#define PREFLIGHT_VARY \
    "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n"

static int preflight(const wsx_cors_config *cfg, const wsx_header *h, size_t n, size_t *len)
{
    size_t need = 0;
    int r = wsx_cors_preflight(cfg, h, n, out, sizeof out - 1, len);
    /* the size query and a buffer one byte short agree */
    CHECK_EQ(wsx_cors_preflight(cfg, h, n, NULL, 0, &need), WSX_OK);
    CHECK_EQ(need, *len);
    if (need) {
        size_t short_len = 0;
        CHECK_EQ(wsx_cors_preflight(cfg, h, n, out + 512, need - 1, &short_len), WSX_E_BUFFER);
        CHECK_EQ(short_len, need);
    }
    return r;
}

static void test_preflight(void)
{
    static const char *const list[] = {"http://127.0.0.1:8001"};
    static const char *const star[] = {"*"};
    static const char granted[] = "HTTP/1.1 204 No Content\r\n"
                                  "Access-Control-Allow-Origin: http://127.0.0.1:8001\r\n"
                                  "Access-Control-Allow-Credentials: true\r\n"
                                  "Access-Control-Allow-Methods: GET, POST\r\n"
                                  "Access-Control-Allow-Headers: Content-Type, Authorization\r\n"
                                  "Access-Control-Max-Age: 86400\r\n" PREFLIGHT_VARY "\r\n";
    wsx_header req[5] = {H("Host", "127.0.0.1:8002"), H("origin", "http://127.0.0.1:8001"),
                         H("Access-Control-Request-Method", "POST"),
                         H("Access-Control-Request-Headers", "authorization,content-type"),
                         H("access-control-request-headers", "")};
    wsx_cors_config cfg;
    size_t n = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.origins = list;
    cfg.num_origins = 1;
    cfg.allow_credentials = 1;
    cfg.allow_methods = "GET, POST";
    cfg.allow_headers = "Content-Type, Authorization";
    cfg.max_age_s = 86400;
    CHECK_EQ(preflight(&cfg, req, 5, &n), WSX_OK);
    CHECK(strcmp(text(n), granted) == 0);
    /* a second Access-Control-Request-Headers line counts too */
    req[4].value = "X-Debug";
    req[4].value_len = 7;
    CHECK_EQ(preflight(&cfg, req, 5, &n), WSX_E_SSE_CORS_HEADERS);
    CHECK(strcmp(text(n), "HTTP/1.1 403 Forbidden\r\n" PREFLIGHT_VARY
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 53\r\n\r\n"
                          "CORS preflight asks for a header that is not allowed\n") == 0 ||
          strcmp(text(n), "HTTP/1.1 403 Forbidden\r\n" PREFLIGHT_VARY
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\n"
                          "error\n") == 0);
    /* methods are case-sensitive and must be listed */
    req[2].value = "post";
    CHECK_EQ(preflight(&cfg, req, 4, &n), WSX_E_SSE_CORS_METHOD);
    CHECK(strncmp(text(n), "HTTP/1.1 403 Forbidden\r\n" PREFLIGHT_VARY,
                  sizeof(FORBIDDEN_HEAD) - 1) == 0);
    CHECK(strstr(out, "Access-Control-Allow") == NULL);
    req[2].value = "PUT\0";
    req[2].value_len = 3;
    CHECK_EQ(preflight(&cfg, req, 4, &n), WSX_E_SSE_CORS_METHOD);
    req[2].value = "GET";
    CHECK_EQ(preflight(&cfg, req, 4, &n), WSX_OK);
    /* no headers asked for: nothing to check */
    CHECK_EQ(preflight(&cfg, req, 3, &n), WSX_OK);
    CHECK(strcmp(text(n), granted) == 0);
    /* an origin not allowed */
    req[1].value = "http://127.0.0.1:8003";
    CHECK_EQ(preflight(&cfg, req, 3, &n), WSX_E_SSE_CORS_ORIGIN);
    CHECK(strncmp(text(n), "HTTP/1.1 403 Forbidden\r\n" PREFLIGHT_VARY,
                  sizeof(FORBIDDEN_HEAD) - 1) == 0);
    /* "*" without credentials, default methods and max-age, no headers */
    memset(&cfg, 0, sizeof cfg);
    cfg.origins = star;
    cfg.num_origins = 1;
    CHECK_EQ(preflight(&cfg, req, 3, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n"
                          "Access-Control-Allow-Methods: GET, POST\r\n"
                          "Access-Control-Max-Age: 600\r\n" PREFLIGHT_VARY "\r\n") == 0);
    /* a header asked for with no allow_headers */
    CHECK_EQ(preflight(&cfg, req, 4, &n), WSX_E_SSE_CORS_HEADERS);
    /* not a preflight: no Access-Control-Request-Method, or no Origin */
    CHECK_EQ(preflight(&cfg, req, 2, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 204 No Content\r\nAllow: OPTIONS, GET, POST\r\n\r\n") == 0);
    CHECK_EQ(preflight(NULL, req + 2, 1, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 204 No Content\r\nAllow: OPTIONS, GET, POST\r\n\r\n") == 0);
    /* same origin, default policy: granted without Access-Control-Allow-Origin */
    req[1].value = "http://127.0.0.1:8002";
    CHECK_EQ(preflight(NULL, req, 3, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Methods: GET, POST\r\n"
                          "Access-Control-Max-Age: 600\r\n" PREFLIGHT_VARY "\r\n") == 0);
    /* API rules 2, 5 and 8 */
    CHECK_EQ(wsx_cors_preflight(NULL, req, 3, out, sizeof out, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_cors_preflight(NULL, NULL, 3, out, sizeof out, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    CHECK_EQ(wsx_cors_preflight(NULL, req, 3, NULL, 10, &n), WSX_E_ARG);
    cfg.allow_methods = "GET\r\nX: y";
    CHECK_EQ(wsx_cors_preflight(&cfg, req, 3, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    cfg.allow_methods = NULL;
    cfg.allow_headers = "A\x01";
    CHECK_EQ(wsx_cors_preflight(&cfg, req, 3, out, sizeof out, &n), WSX_E_HTTP_HEADER_VALUE);
    CHECK_EQ(n, 0);
}

/* ---- refusals ------------------------------------------------------- */

static int refusal(const wsx_sse_refusal_config *cfg, size_t *len)
{
    size_t need = 0, short_len = 0;
    int r = wsx_sse_refusal(cfg, out, sizeof out - 1, len);
    if (r == WSX_OK) {
        CHECK_EQ(wsx_sse_refusal(cfg, NULL, 0, &need), WSX_OK);
        CHECK_EQ(need, *len);
        CHECK_EQ(wsx_sse_refusal(cfg, out + 512, need - 1, &short_len), WSX_E_BUFFER);
        CHECK_EQ(short_len, need);
    }
    return r;
}

#define PLAIN(len) "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " #len "\r\n\r\n"

static void test_refusals(void)
{
    wsx_header cors[2] = {H("Access-Control-Allow-Origin", "http://a.example"),
                          H("Vary", "Origin")};
    wsx_sse_refusal_config cfg;
    size_t n = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.status = 401;
    cfg.challenge = "Bearer";
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n" PLAIN(
                              13) "Unauthorized\n") == 0);
    cfg.challenge = "Bearer realm=\"api\", error=\"invalid_token\"";
    cfg.headers = cors;
    cfg.num_headers = 2;
    cfg.connection_close = 1;
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 401 Unauthorized\r\n"
                          "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"\r\n"
                          "Access-Control-Allow-Origin: http://a.example\r\nVary: Origin\r\n"
                          "Connection: close\r\n" PLAIN(13) "Unauthorized\n") == 0);
    memset(&cfg, 0, sizeof cfg);
    cfg.status = 403;
    cfg.retry_after_s = 5; /* not for a 403 */
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 403 Forbidden\r\n" PLAIN(10) "Forbidden\n") == 0);
    cfg.status = 429;
    cfg.retry_after_s = 2;
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n" PLAIN(
                              18) "Too Many Requests\n") == 0);
    cfg.status = 503;
    cfg.retry_after_s = 86400;
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 86400\r\n" PLAIN(
                              20) "Service Unavailable\n") == 0);
    cfg.retry_after_s = 0;
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n),
                 "HTTP/1.1 503 Service Unavailable\r\n" PLAIN(20) "Service Unavailable\n") == 0);
    cfg.status = 405;
    cfg.allow = "GET, POST, OPTIONS";
    CHECK_EQ(refusal(&cfg, &n), WSX_OK);
    CHECK(strcmp(text(n), "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST, OPTIONS\r\n" PLAIN(
                              19) "Method Not Allowed\n") == 0);
    /* what each status requires, and API rules 2, 5, 8 */
    cfg.allow = NULL;
    CHECK_EQ(refusal(&cfg, &n), WSX_E_ARG);
    CHECK_EQ(n, 0);
    cfg.allow = "";
    CHECK_EQ(refusal(&cfg, &n), WSX_E_ARG);
    cfg.allow = "GET\r\n";
    CHECK_EQ(refusal(&cfg, &n), WSX_E_HTTP_HEADER_VALUE);
    cfg.status = 401;
    CHECK_EQ(refusal(&cfg, &n), WSX_E_ARG); /* no challenge */
    cfg.challenge = "Bearer\n";
    CHECK_EQ(refusal(&cfg, &n), WSX_E_HTTP_HEADER_VALUE);
    cfg.status = 403;
    cors[0].name = "Bad Name";
    cfg.headers = cors;
    cfg.num_headers = 1;
    CHECK_EQ(refusal(&cfg, &n), WSX_E_HTTP_HEADER_NAME);
    cfg.num_headers = 0;
    cfg.status = 400;
    CHECK_EQ(refusal(&cfg, &n), WSX_E_ARG);
    cfg.status = 4;
    CHECK_EQ(refusal(&cfg, &n), WSX_E_ARG);
    CHECK_EQ(wsx_sse_refusal(NULL, out, sizeof out, &n), WSX_E_ARG);
    cfg.status = 403;
    CHECK_EQ(wsx_sse_refusal(&cfg, out, sizeof out, NULL), WSX_E_ARG);
}

/* ---- client verdicts ------------------------------------------------- */

static void test_client_verdicts(void)
{
    wsx_header h[2] = {H("Content-Type", "text/plain"), H("retry-AFTER", "2")};
    CHECK_EQ(wsx_sse_check_response(401, h, 1, NULL, NULL), WSX_E_SSE_UNAUTHORIZED);
    CHECK_EQ(wsx_sse_check_response(401, h, 2, NULL, NULL), WSX_E_SSE_UNAUTHORIZED);
    CHECK_EQ(wsx_sse_check_response(403, h, 2, NULL, NULL), WSX_E_SSE_FORBIDDEN);
    CHECK_EQ(wsx_sse_check_response(429, h, 2, NULL, NULL), WSX_E_SSE_RETRY_LATER);
    CHECK_EQ(wsx_sse_check_response(503, h, 2, NULL, NULL), WSX_E_SSE_RETRY_LATER);
    /* without Retry-After, what EventSource does: fail for good */
    CHECK_EQ(wsx_sse_check_response(429, h, 1, NULL, NULL), WSX_E_SSE_STATUS);
    CHECK_EQ(wsx_sse_check_response(503, h, 1, NULL, NULL), WSX_E_SSE_STATUS);
    /* Retry-After means nothing on other statuses */
    CHECK_EQ(wsx_sse_check_response(500, h, 2, NULL, NULL), WSX_E_SSE_STATUS);
    CHECK_EQ(wsx_sse_check_response(502, h, 2, NULL, NULL), WSX_E_SSE_STATUS);
    CHECK_EQ(wsx_sse_check_response(204, h, 2, NULL, NULL), WSX_E_SSE_NO_CONTENT);
}

/* ---- HTTP-date and Retry-After -------------------------------------- */

static int date(const char *s, uint64_t *t)
{
    *t = 12345;
    return wsx_http_date_parse(s, strlen(s), t);
}

static void test_http_date(void)
{
    static const char *const bad[] = {
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun,  6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 23:60:00 GMT",
        "Sun, 06 Nov 1994 23:59:61 GMT",
        "Sun, 06 Nov 1994 23-59:00 GMT",
        "Sun, 06 Nov 1994 23:59-00 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT",
        "Sun, 29 Feb 2100 08:49:37 GMT",
        "Sun, 06 Nov 1969 08:49:37 GMT",
        "Sun; 06 Nov 1994 08:49:37 GMT",
        "Sun,-06 Nov 1994 08:49:37 GMT",
        "Sun, 06-Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov-1994 08:49:37 GMT",
        "Sun, 06 Nov 1994-08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov 19x4 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:3",
        "Sunday, 06-Nov-94 08:49:37 UTC",
        "Sundae, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06 Nov 94 08:49:37 GMT",
        "Sunday; 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94-08:49:37 GMT",
        "Sunday, 06-Nov-9x 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMTX",
        "Sunday, 06-Nov-94 08:49:37",
        "Sun Nov  6 08:49:37 94  ",
        "Sun Nov 6 08:49:37 1994  ",
        "Sun Nov  6 08:49:37-1994",
        "Sun Nov  6-08:49:37 1994",
        "Sun Nov  x 08:49:37 1994",
        "Sun-Nov  6 08:49:37 1994",
        "Sun Nov- 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 1969",
        "",
        "2",
    };
    uint64_t t;
    size_t i;
    CHECK_EQ(date("Sun, 06 Nov 1994 08:49:37 GMT", &t), WSX_OK);
    CHECK_EQ(t, 784111777);
    CHECK_EQ(date("Sunday, 06-Nov-94 08:49:37 GMT", &t), WSX_OK);
    CHECK_EQ(t, 784111777);
    CHECK_EQ(date("Sun Nov  6 08:49:37 1994", &t), WSX_OK);
    CHECK_EQ(t, 784111777);
    CHECK_EQ(date("Sun Nov 06 08:49:37 1994", &t), WSX_OK);
    CHECK_EQ(t, 784111777);
    CHECK_EQ(date("Thu, 01 Jan 1970 00:00:00 GMT", &t), WSX_OK);
    CHECK_EQ(t, 0);
    CHECK_EQ(date("Thu, 29 Feb 2024 00:00:00 GMT", &t), WSX_OK);
    CHECK_EQ(t, 1709164800);
    CHECK_EQ(date("Tue, 29 Feb 2000 12:00:00 GMT", &t), WSX_OK);
    CHECK_EQ(t, 951825600);
    CHECK_EQ(date("Wednesday, 31-Dec-69 23:59:59 GMT", &t), WSX_OK); /* 2069 */
    CHECK_EQ(t, 3155759999u);
    CHECK_EQ(date("Thursday, 01-Jan-70 00:00:00 GMT", &t), WSX_OK);
    CHECK_EQ(t, 0);
    CHECK_EQ(date("Tue, 08 Dec 2026 01:00:60 GMT", &t), WSX_OK); /* a leap second */
    CHECK_EQ(t, 1796691660);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = date(bad[i], &t);
        if (r != WSX_E_SSE_RETRY_AFTER)
            printf("  accepted: \"%s\"\n", bad[i]);
        CHECK_EQ(r, WSX_E_SSE_RETRY_AFTER);
        CHECK_EQ(t, 12345);
    }
    CHECK_EQ(wsx_http_date_parse(NULL, 0, &t), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(wsx_http_date_parse(NULL, 1, &t), WSX_E_ARG);
    CHECK_EQ(wsx_http_date_parse("x", 1, NULL), WSX_E_ARG);
}

static int retry_after(const char *ra, const char *date_value, uint64_t now, uint32_t *ms)
{
    wsx_header h[3] = {H("X", "y"), H("Retry-After", ""), H("Date", "")};
    size_t n = 1;
    if (ra) {
        h[n].value = ra;
        h[n++].value_len = strlen(ra);
    }
    if (date_value) {
        h[n] = h[2];
        h[n].value = date_value;
        h[n++].value_len = strlen(date_value);
    }
    if (ms)
        *ms = 777;
    return wsx_sse_retry_after(h, n, now, ms);
}

static void test_retry_after(void)
{
    const char *at = "Tue, 08 Dec 2026 01:00:30 GMT";
    const char *now = "Tue, 08 Dec 2026 01:00:00 GMT";
    uint32_t ms;
    CHECK_EQ(retry_after("2", NULL, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 2000);
    CHECK_EQ(retry_after("0", NULL, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 0);
    CHECK_EQ(retry_after("000120", NULL, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 120000);
    /* bounded: a day at most, however many digits */
    CHECK_EQ(retry_after("86401", NULL, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 86400000u);
    CHECK_EQ(retry_after("99999999999999999999999999999999", NULL, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 86400000u);
    /* a date: from the response's Date, else from the caller's clock */
    CHECK_EQ(retry_after(at, now, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 30000);
    CHECK_EQ(retry_after(at, now, 1796691620u, &ms), WSX_OK); /* Date wins */
    CHECK_EQ(ms, 30000);
    CHECK_EQ(retry_after(at, NULL, 1796691620u, &ms), WSX_OK);
    CHECK_EQ(ms, 10000);
    CHECK_EQ(retry_after(at, "yesterday", 1796691620u, &ms), WSX_OK);
    CHECK_EQ(ms, 10000);
    CHECK_EQ(retry_after(now, at, 0, &ms), WSX_OK); /* in the past */
    CHECK_EQ(ms, 0);
    CHECK_EQ(retry_after("Sun, 06 Nov 2095 08:49:37 GMT", now, 0, &ms), WSX_OK);
    CHECK_EQ(ms, 86400000u);
    /* nothing to count from, no Retry-After, neither form */
    CHECK_EQ(retry_after(at, NULL, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(ms, 777);
    CHECK_EQ(retry_after(NULL, now, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(retry_after("", NULL, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(retry_after("-1", NULL, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(retry_after("1.5", NULL, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(retry_after("2 ", NULL, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(retry_after("soon", NULL, 99, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(wsx_sse_retry_after(NULL, 0, 0, &ms), WSX_E_SSE_RETRY_AFTER);
    CHECK_EQ(wsx_sse_retry_after(NULL, 1, 0, &ms), WSX_E_ARG);
    CHECK_EQ(retry_after("2", NULL, 0, NULL), WSX_E_ARG);
}

/* A 429 head read at every split of its bytes gives the same verdict and
 * wait. */
static void test_retry_after_every_split(void)
{
    static const char head[] = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\n"
                               "Date: Tue, 08 Dec 2026 01:00:00 GMT\r\n"
                               "Retry-After: Tue, 08 Dec 2026 01:00:02 GMT\r\n"
                               "Content-Length: 0\r\n\r\n";
    size_t len = sizeof head - 1, split;
    for (split = 0; split <= len; split++) {
        wsx_http_parser p;
        wsx_http_response res;
        wsx_header hs[8];
        uint32_t ms = 0;
        CHECK_EQ(wsx_http_parser_init(&p, NULL), WSX_OK);
        CHECK_EQ(wsx_http_parse_response(&p, head, split, hs, 8, &res),
                 split == len ? (int)len : 0);
        CHECK_EQ(wsx_http_parse_response(&p, head, len, hs, 8, &res), (int)len);
        CHECK_EQ(wsx_sse_check_http_response(&res, NULL, NULL), WSX_E_SSE_RETRY_LATER);
        CHECK_EQ(wsx_sse_retry_after(res.headers, res.num_headers, 0, &ms), WSX_OK);
        CHECK_EQ(ms, 2000);
    }
}

static void test_backoff_after(void)
{
    wsx_sse_backoff b;
    wsx_sse_backoff_init(&b);
    /* never earlier than asked; at most 12.5% later */
    CHECK_EQ(wsx_sse_backoff_after(&b, 1000, 2000, 0), 3000);
    CHECK_EQ(wsx_sse_backoff_after(&b, 1000, 2000, 0xFFFFFFFFu), 3249);
    CHECK_EQ(wsx_sse_backoff_after(&b, 1000, 2000, 0x80000000u), 3125);
    /* each one counts as a failure: the next plain backoff doubles */
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0), 3000u * 8);
    wsx_sse_backoff_opened(&b);
    CHECK_EQ(wsx_sse_backoff_delay(&b, 0), 3000);
    CHECK_EQ(wsx_sse_backoff_after(&b, 5, 0, 0xFFFFFFFFu), 5);
    CHECK_EQ(wsx_sse_backoff_after(&b, UINT64_MAX - 5, 86400000u, 0), UINT64_MAX);
    CHECK_EQ(wsx_sse_backoff_after(NULL, 5, 10, 0), 0);
}

int main(void)
{
    RUN(test_cors_check);
    RUN(test_preflight);
    RUN(test_refusals);
    RUN(test_client_verdicts);
    RUN(test_http_date);
    RUN(test_retry_after);
    RUN(test_retry_after_every_split);
    RUN(test_backoff_after);
    return harness_done();
}
