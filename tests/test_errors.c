/* The error table, version and strerror contracts. */
#include "harness.h"
#include "wsx.h"

static void test_version(void)
{
    CHECK_EQ(wsx_version(), WSX_VERSION_NUM);
    CHECK(strcmp(wsx_version_string(), WSX_VERSION_STRING) == 0);
}

/* The build report says what the linked library was built with: the tests
 * are compiled with the same WSX_SMALL / WSX_NO_ERROR_STRINGS defines as the
 * library they link (Makefile), so both must agree. */
static void test_build_report(void)
{
    unsigned flags = wsx_build_flags();
    const char *s = wsx_build_string();
    CHECK(s != NULL);
    CHECK(strncmp(s, WSX_VERSION_STRING " ", strlen(WSX_VERSION_STRING) + 1) == 0);
#ifdef WSX_SMALL
    CHECK(flags & WSX_BUILD_SMALL);
    CHECK(strstr(s, " small") != NULL);
#else
    CHECK(!(flags & WSX_BUILD_SMALL));
    CHECK(strstr(s, " fast") != NULL);
#endif
#ifdef WSX_NO_ERROR_STRINGS
    CHECK(!(flags & WSX_BUILD_ERROR_STRINGS));
    CHECK(strstr(s, " no-error-strings") != NULL);
#else
    CHECK(flags & WSX_BUILD_ERROR_STRINGS);
    CHECK(strstr(s, " error-strings") != NULL);
#endif
    CHECK(!(flags & WSX_BUILD_OPENSSL) == !strstr(s, " openssl-sha1"));
    CHECK(!(flags & ~(WSX_BUILD_SMALL | WSX_BUILD_OPENSSL | WSX_BUILD_ERROR_STRINGS |
                      WSX_BUILD_SHA1_HW | WSX_BUILD_UTF8_AVX2 | WSX_BUILD_HTTP_AVX2)));
}

static void test_strerror_never_null(void)
{
    int e;
    for (e = -1000; e <= 10; e++) {
        CHECK(wsx_strerror(e) != NULL);
        CHECK(wsx_errname(e) != NULL);
    }
    CHECK(strcmp(wsx_strerror(WSX_OK), "success") == 0);
#ifndef WSX_NO_ERROR_STRINGS
    CHECK(strcmp(wsx_strerror(12345), "unknown error") == 0);
    CHECK(strcmp(wsx_errname(WSX_E_WS_OPCODE), "WSX_E_WS_OPCODE") == 0);
#else /* wsx.h: one word for every error */
    CHECK(strcmp(wsx_strerror(12345), "error") == 0);
    CHECK(strcmp(wsx_strerror(WSX_E_WS_OPCODE), "error") == 0);
    CHECK(strcmp(wsx_errname(WSX_OK), "WSX_E_OK") == 0);
    CHECK(strcmp(wsx_errname(WSX_E_WS_OPCODE), "WSX_E_?") == 0);
#endif
}

static void test_close_codes(void)
{
    CHECK_EQ(wsx_err_close_code(WSX_OK), 1000);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_RSV), 1002);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_UTF8), 1007);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_CLOSE_REASON_UTF8), 1007);
    CHECK_EQ(wsx_err_close_code(WSX_E_WS_MESSAGE_TOO_BIG), 1009);
    CHECK_EQ(wsx_err_close_code(WSX_E_CONN_TIMEOUT), 1001);
    CHECK_EQ(wsx_err_close_code(WSX_E_CONN_MESSAGE_TIMEOUT), 1008);
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
#ifndef WSX_NO_ERROR_STRINGS
        CHECK(strcmp(wsx_strerror(values[i]), "unknown error") != 0);
#endif
        for (j = i + 1; j < n; j++)
            CHECK(values[i] != values[j]);
    }
}

/* Every row, looked up by its value, gives back its own columns. */
static void test_table_lookup(void)
{
    static const struct {
        int value, close, http;
        const char *name, *reason;
    } rows[] = {
#define ROW_(name, value, cc, hs, reason) {value, cc, hs, "WSX_E_" #name, reason},
        WSX_ERROR_TABLE(ROW_)
#undef ROW_
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int v = rows[i].value;
        CHECK_EQ(wsx_err_close_code(v), v == 0 ? 1000 : rows[i].close ? rows[i].close : 1011);
        CHECK_EQ(wsx_err_http_status(v), v == 0 ? 200 : rows[i].http ? rows[i].http : 500);
#ifndef WSX_NO_ERROR_STRINGS
        CHECK(strcmp(wsx_errname(v), v == 0 ? "WSX_E_OK" : rows[i].name) == 0);
        CHECK(strcmp(wsx_strerror(v), rows[i].reason) == 0);
#endif
    }
    /* values next to the table's, and ones whose low digits do not fit */
#ifndef WSX_NO_ERROR_STRINGS
    CHECK(strcmp(wsx_errname(-6), "WSX_E_UNKNOWN") == 0);
    CHECK(strcmp(wsx_errname(-132), "WSX_E_UNKNOWN") == 0);
    CHECK(strcmp(wsx_errname(-800), "WSX_E_UNKNOWN") == 0);
    CHECK(strcmp(wsx_errname(-1100), "WSX_E_UNKNOWN") == 0);
    CHECK(strcmp(wsx_errname(5), "WSX_E_UNKNOWN") == 0);
    CHECK(strcmp(wsx_errname(-2147483647 - 1), "WSX_E_UNKNOWN") == 0);
#endif
    CHECK_EQ(wsx_err_close_code(-1132), 1011);
    CHECK_EQ(wsx_err_http_status(-1100), 500);
}

int main(void)
{
    RUN(test_version);
    RUN(test_build_report);
    RUN(test_strerror_never_null);
    RUN(test_close_codes);
    RUN(test_http_statuses);
    RUN(test_table_unique);
    RUN(test_table_lookup);
    return harness_done();
}
