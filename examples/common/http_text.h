/*
 * Small HTTP helpers shared by the wsx example servers: reason phrases and
 * the method / path tests a router needs.
 */
#ifndef WSX_EXAMPLES_HTTP_TEXT_H
#define WSX_EXAMPLES_HTTP_TEXT_H

#include <wsx_http.h>

#include <stddef.h>

/* The reason phrase of a status line for the statuses the examples send
 * (every one wsx_err_http_status() gives among them). */
const char *http_reason(int status);

/* 1 if the request's method is exactly m (methods are case-sensitive,
 * RFC 9110 section 9.1). */
int http_method_is(const wsx_http_request *req, const char *m);

/* The length of the request target's path: up to the '?' of a query. */
size_t http_path_len(const wsx_http_request *req);

/* 1 if the request target's path (without the query) is exactly path. */
int http_path_is(const wsx_http_request *req, const char *path);

/* 1 if req has the Host RFC 9112 section 3.2 requires: exactly one in an
 * HTTP/1.1 request, at most one in HTTP/1.0 (its value was already
 * checked by the parser).  0: answer 400. */
int http_host_ok(const wsx_http_request *req);

/* Whole responses for a connection that will not be served (they end the
 * connection; see net_refuse):
 *   HTTP_BUSY_RESPONSE     503 with Retry-After: no slot (or descriptor)
 *                          free for it; WebSocket clients get it too,
 *                          before any upgrade
 *   HTTP_TIMEOUT_RESPONSE  408: a connection that had not finished its
 *                          request head when its slot was given to a new
 *                          one (RFC 9110 section 15.5.9) */
#define HTTP_RETRY_AFTER_S "5"
#define HTTP_BUSY_RESPONSE                                                 \
    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: " HTTP_RETRY_AFTER_S \
    "\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n"               \
    "Connection: close\r\n\r\nserver busy: retry later\n"
#define HTTP_TIMEOUT_RESPONSE                               \
    "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n" \
    "Connection: close\r\n\r\n"

#endif
