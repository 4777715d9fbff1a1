/*
 * The error table's lookups (see WSX_ERROR_TABLE in wsx.h).
 *
 * Data, not switches: one row of 2 bytes per error (the value in one, the
 * indexes of its close code and HTTP status in the other; without the
 * strings, per error that has either), searched linearly, and one blob
 * of strings "WSX_E_NAME\0reason\0" per row in the same order, walked to
 * the row's index.  Lookups only run on error paths, so a walk over ~3 KB
 * costs nothing that matters and saves the pointers.
 */
#include <string.h>

#include "wsx_internal.h"
#include "wsx.h"
#include "http_status.h"

/* A value -(100 * range + index) is kept as one byte: range in the top
 * three bits, index in the low five (the table's ranges are consecutive
 * numbers from -100 * range, see wsx.h). */
#define CODE_(value) ((uint8_t)((-(value) / 100) << 5 | (-(value) % 100)))

/* The close codes of the table, as code - 1000; index 0: none (1011). */
static const uint8_t close_codes[] = {0, 1, 2, 7, 9, 8};
#define CLOSE_INDEX_(c) \
    ((c) == 1001 ? 1 : (c) == 1002 ? 2 : (c) == 1007 ? 3 : (c) == 1009 ? 4 : (c) == 1008 ? 5 : 0)

/* The HTTP statuses of the table are those of wsx__http_statuses (101
 * first, never an error's: index 0 means none, 500). */
const unsigned short wsx__http_statuses[WSX__HTTP_STATUSES] = {101, 400, 403, 405, 413,
                                                               414, 426, 431, 505};
#define HTTP_INDEX_(h) \
    ((h) == 400   ? 1  \
     : (h) == 403 ? 2  \
     : (h) == 405 ? 3  \
     : (h) == 413 ? 4  \
     : (h) == 414 ? 5  \
     : (h) == 426 ? 6  \
     : (h) == 431 ? 7  \
     : (h) == 505 ? 8  \
                  : 0)

typedef struct err_row {
    uint8_t code;   /* CODE_(value) */
    uint8_t answer; /* CLOSE_INDEX_(close code) | HTTP_INDEX_(status) << 3 */
} err_row;

#define KEEP_ROW_(value, close_code, http_status) \
    {CODE_(value), (uint8_t)(CLOSE_INDEX_(close_code) | HTTP_INDEX_(http_status) << 3)},
#ifdef WSX_NO_ERROR_STRINGS
/* Without the strings (whose order is the rows') a row with neither a
 * close code nor an HTTP status says nothing that "not found" does not
 * (1011, 500): only the rows with an answer are kept.  ANSWER_<literal>
 * picks its first argument for 0, the second for every close code and
 * status the table uses (FITS_ below checks that there are no others). */
#define ANSWER_0(none, some) none
#define ANSWER_1001(none, some) some
#define ANSWER_1002(none, some) some
#define ANSWER_1007(none, some) some
#define ANSWER_1008(none, some) some
#define ANSWER_1009(none, some) some
#define ANSWER_400(none, some) some
#define ANSWER_403(none, some) some
#define ANSWER_405(none, some) some
#define ANSWER_413(none, some) some
#define ANSWER_414(none, some) some
#define ANSWER_426(none, some) some
#define ANSWER_431(none, some) some
#define ANSWER_505(none, some) some
#define SKIP_ROW_(value, close_code, http_status)
#define PICK_ROW_(c, h) ANSWER_##c(ANSWER_##h(SKIP_ROW_, KEEP_ROW_), KEEP_ROW_)
#define ROW_(name, value, close_code, http_status, reason) \
    PICK_ROW_(close_code, http_status)(value, close_code, http_status)
#else
#define ROW_(name, value, close_code, http_status, reason) KEEP_ROW_(value, close_code, http_status)
#endif
static const err_row rows[] = {WSX_ERROR_TABLE(ROW_)};
#undef ROW_

/* Every row fits its bytes, and its close code and status are in the lists
 * above: a negative array size fails the build. */
#define FITS_(name, value, close_code, http_status, reason)    \
    &&(value) <= 0 && (value) > -800 && -(value) % 100 < 32 && \
        ((close_code) == 0 || CLOSE_INDEX_(close_code)) &&     \
        ((http_status) == 0 || HTTP_INDEX_(http_status))
typedef char wsx__err_rows_fit[(1 WSX_ERROR_TABLE(FITS_)) ? 1 : -1];
#undef FITS_

#define NROWS (sizeof rows / sizeof rows[0])

/* The row of err, or NULL. */
static const err_row *find(int err)
{
    unsigned n = err <= 0 ? 0u - (unsigned)err : 0u;
    size_t i;
    if (err > 0 || n >= 800 || n % 100 >= 32)
        return NULL;
    for (i = 0; i < NROWS; i++)
        if (rows[i].code == ((n / 100) << 5 | n % 100))
            return &rows[i];
    return NULL;
}

#ifndef WSX_NO_ERROR_STRINGS

/* Name and reason of every row, then those of an unknown value: one
 * char array per row, so that no string literal passes the 4095
 * characters C99 promises; char arrays have no padding between them, so
 * the struct is one run of "WSX_E_NAME\0reason\0" (checked below). */
#define TEXT_(name, value, close_code, http_status, reason) "WSX_E_" #name "\0" reason
#define MEMBER_(name, value, close_code, http_status, reason) \
    char name[sizeof(TEXT_(name, value, close_code, http_status, reason))];
#define INIT_(name, value, close_code, http_status, reason) \
    TEXT_(name, value, close_code, http_status, reason),
#define SIZE_(name, value, close_code, http_status, reason) \
    +sizeof(TEXT_(name, value, close_code, http_status, reason))
#define UNKNOWN_ "WSX_E_UNKNOWN\0unknown error"
static const struct wsx__err_texts {
    WSX_ERROR_TABLE(MEMBER_)
    char unknown_[sizeof(UNKNOWN_)];
} texts_ = {WSX_ERROR_TABLE(INIT_) UNKNOWN_};
typedef char
    wsx__err_texts_packed[sizeof texts_ == 0 WSX_ERROR_TABLE(SIZE_) + sizeof(UNKNOWN_) ? 1 : -1];
#define texts ((const char *)&texts_)
#undef MEMBER_
#undef INIT_
#undef SIZE_

/* String 2 * row + which of texts (which: 0 name, 1 reason). */
static const char *text(int err, unsigned which)
{
    const err_row *r = find(err);
    size_t k = 2 * (size_t)(r ? r - rows : (ptrdiff_t)NROWS) + which;
    const char *s = texts;
    while (k--)
        s += strlen(s) + 1;
    return s;
}

const char *wsx_strerror(int err) { return text(err, 1); }

const char *wsx_errname(int err) { return text(err, 0); }

#else /* WSX_NO_ERROR_STRINGS: see wsx.h */

const char *wsx_strerror(int err) { return err == WSX_OK ? "success" : "error"; }

const char *wsx_errname(int err) { return err == WSX_OK ? "WSX_E_OK" : "WSX_E_?"; }

#endif

int wsx_err_close_code(int err)
{
    const err_row *r = find(err);
    if (err == WSX_OK)
        return 1000;
    return r && (r->answer & 7) ? 1000 + close_codes[r->answer & 7] : 1011;
}

int wsx_err_http_status(int err)
{
    const err_row *r = find(err);
    if (err == WSX_OK)
        return 200;
    return r && (r->answer >> 3) ? wsx__http_statuses[r->answer >> 3] : 500;
}
