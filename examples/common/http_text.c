/* Small HTTP helpers shared by the wsx example servers (see http_text.h). */
#include "http_text.h"

#include <string.h>

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Internal Server Error";
    }
}

int http_method_is(const wsx_http_request *req, const char *m)
{
    return req->method_len == strlen(m) && memcmp(req->method, m, req->method_len) == 0;
}

size_t http_path_len(const wsx_http_request *req)
{
    const char *q = (const char *)memchr(req->target, '?', req->target_len);
    return q ? (size_t)(q - req->target) : req->target_len;
}

int http_path_is(const wsx_http_request *req, const char *path)
{
    size_t n = strlen(path);
    return http_path_len(req) == n && memcmp(req->target, path, n) == 0;
}

int http_host_ok(const wsx_http_request *req)
{
    size_t hosts = wsx_http_header_count(req->headers, req->num_headers, "Host");
    return req->minor_version >= 1 ? hosts == 1 : hosts <= 1;
}
