/* Version and the error table's lookups (see WSX_ERROR_TABLE in wsx.h). */
#include "wsx.h"

unsigned long wsx_version(void) { return WSX_VERSION_NUM; }

const char *wsx_version_string(void) { return WSX_VERSION_STRING; }

const char *wsx_strerror(int err)
{
    switch (err) {
#define WSX_ERR_REASON_(name, value, close_code, http_status, reason) \
    case value: return reason;
    WSX_ERROR_TABLE(WSX_ERR_REASON_)
#undef WSX_ERR_REASON_
    default: return "unknown error";
    }
}

const char *wsx_errname(int err)
{
    switch (err) {
#define WSX_ERR_NAME_(name, value, close_code, http_status, reason) \
    case value: return "WSX_E_" #name;
    WSX_ERROR_TABLE(WSX_ERR_NAME_)
#undef WSX_ERR_NAME_
    default: return "WSX_E_UNKNOWN";
    }
}

int wsx_err_close_code(int err)
{
    if (err == WSX_OK)
        return 1000;
    switch (err) {
#define WSX_ERR_CLOSE_(name, value, close_code, http_status, reason) \
    case value: return close_code ? close_code : 1011;
    WSX_ERROR_TABLE(WSX_ERR_CLOSE_)
#undef WSX_ERR_CLOSE_
    default: return 1011;
    }
}

int wsx_err_http_status(int err)
{
    if (err == WSX_OK)
        return 200;
    switch (err) {
#define WSX_ERR_HTTP_(name, value, close_code, http_status, reason) \
    case value: return http_status ? http_status : 500;
    WSX_ERROR_TABLE(WSX_ERR_HTTP_)
#undef WSX_ERR_HTTP_
    default: return 500;
    }
}
