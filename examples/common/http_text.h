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

#endif
