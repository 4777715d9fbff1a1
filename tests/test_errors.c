/* The error table, version and strerror contracts. */
#include "harness.h"
#include "wsx.h"

static void test_version(void)
{
    CHECK_EQ(wsx_version(), WSX_VERSION_NUM);
    CHECK(strcmp(wsx_version_string(), WSX_VERSION_STRING) == 0);
}

static void test_strerror_never_null(void)
{
    int e;
    for (e = -1000; e <= 10; e++) {
        CHECK(wsx_strerror(e) != NULL);
        CHECK(wsx_errname(e) != NULL);
    }
    CHECK(strcmp(wsx_strerror(WSX_OK), "success") == 0);
    CHECK(strcmp(wsx_strerror(12345), "unknown error") == 0);
    CHECK(strcmp(wsx_errname(WSX_E_WS_OPCODE), "WSX_E_WS_OPCODE") == 0);
}

static void test_close_codes(void)
{
    CHECK_EQ(wsx_err_close_code(WSX_OK), 1000);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_RSV), 1002);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_UTF8), 1007);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_CLOSE_REASON_UTF8), 1007);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_MESSAGE_TOO_BIG), 1009);
    CHECK_EQ(wsx_err_close_code(WSX_E_BUFFER), 1011);
    CHECK_EQ(wsx_err_close_code(-777), 1011);
}

static void test_http_statuses(void)
{
    CHECK_EQ(wsx_err_http_status(WSX_OK), 200);
    CHECK_EQ(wsx_err_http_status(WSX_E_HS_WS_VERSION), 426);
    CHECK_EQ(wsx_err_http_status(WSX_E_HS_ORIGIN), 403);
    CHECK_EQ(wsx_err_http_status(WSX_E_HTTP_TOO_MANY_HEADERS), 431);
    CHECK_EQ(wsx_err_http_status(WSX_E_HS_KEY), 400);
    CHECK_EQ(wsx_err_http_status(WSX_E_ARG), 500);
}

/* Every table row has a distinct value, a reason and a name. */
static void test_table_unique(void)
{
    static const int values[] = {
#define ROW_(name, value, cc, hs, reason) value,
        WSX_ERROR_TABLE(ROW_)
#undef ROW_
    };
    size_t n = sizeof values / sizeof values[0], i, j;
    for (i = 0; i < n; i++) {
        CHECK(strcmp(wsx_strerror(values[i]), "unknown error") != 0);
        for (j = i + 1; j < n; j++)
            CHECK(values[i] != values[j]);
    }
}

int main(void)
{
    RUN(test_version);
    RUN(test_strerror_never_null);
    RUN(test_close_codes);
    RUN(test_http_statuses);
    RUN(test_table_unique);
    return harness_done();
}
