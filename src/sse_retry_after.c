/*
 * Retry-After (RFC 9110 section 10.2.3) for a client told to come back
 * later: delta-seconds or an HTTP-date (section 5.6.7, all three forms),
 * and the time of the next attempt that follows from it.
 */
#include "wsx_internal.h"
#include "wsx_sse.h"
#include "wsx_http.h"

#include <string.h>

static const char day_names[] = "MonTueWedThuFriSatSun";
static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char *const long_days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

typedef struct civil {
    unsigned year, month, day, hour, minute, second; /* month 1..12 */
} civil;

/* The k ASCII digits at s (all of them digits), or -1. */
static long digits(const char *s, size_t k)
{
    long v = 0;
    for (; k; k--, s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Index of the 3-letter name at s in the list names, or -1. */
static int name3(const char *s, const char *names, int count)
{
    int i;
    for (i = 0; i < count; i++)
        if (memcmp(s, names + (size_t)3 * (size_t)i, 3) == 0)
            return i;
    return -1;
}

/* "HH:MM:SS" at s into c. */
static int time_of_day(const char *s, civil *c)
{
    long h = digits(s, 2), m = digits(s + 3, 2), sec = digits(s + 6, 2);
    if (s[2] != ':' || s[5] != ':' || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
        return 0;
    c->hour = (unsigned)h;
    c->minute = (unsigned)m;
    c->second = (unsigned)sec;
    return 1;
}

/* The month name at s and the day and year already read, into c. */
static int date_parts(const char *month, long day, long year, civil *c)
{
    int m = name3(month, month_names, 12);
    if (m < 0 || day < 1 || year < 1970)
        return 0;
    c->month = (unsigned)m + 1;
    c->day = (unsigned)day;
    c->year = (unsigned)year;
    return 1;
}

/* IMF-fixdate, 29 bytes: "Sun, 06 Nov 1994 08:49:37 GMT" */
static int imf_fixdate(const char *s, civil *c)
{
    return name3(s, day_names, 7) >= 0 && memcmp(s + 3, ", ", 2) == 0 && s[7] == ' ' &&
           s[11] == ' ' && s[16] == ' ' && memcmp(s + 25, " GMT", 4) == 0 &&
           date_parts(s + 8, digits(s + 5, 2), digits(s + 12, 4), c) && time_of_day(s + 17, c);
}

/* asctime, 24 bytes: "Sun Nov  6 08:49:37 1994" (the day is 2DIGIT or
 * SP DIGIT) */
static int asctime_date(const char *s, civil *c)
{
    long day = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
    return name3(s, day_names, 7) >= 0 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' &&
           s[19] == ' ' && date_parts(s + 4, day, digits(s + 20, 4), c) && time_of_day(s + 11, c);
}

/* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" */
static int rfc850_date(const char *s, size_t len, civil *c)
{
    size_t i, name_len;
    long year;
    for (i = 0; i < 7; i++) {
        name_len = strlen(long_days[i]);
        if (len == name_len + 24 && memcmp(s, long_days[i], name_len) == 0)
            break;
    }
    if (i == 7)
        return 0;
    s += name_len;
    year = digits(s + 9, 2);
    if (year >= 0)
        year += year < 70 ? 2000 : 1900;
    return memcmp(s, ", ", 2) == 0 && s[4] == '-' && s[8] == '-' && s[11] == ' ' &&
           memcmp(s + 20, " GMT", 4) == 0 && date_parts(s + 5, digits(s + 2, 2), year, c) &&
           time_of_day(s + 12, c);
}

static int is_leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days from 1970-01-01 to the date c (proleptic Gregorian), 0 if the day
 * does not exist in its month. */
static int days_since_epoch(const civil *c, uint64_t *days)
{
    static const unsigned char month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const unsigned short before[12] = {0,   31,  59,  90,  120, 151,
                                              181, 212, 243, 273, 304, 334};
    unsigned y = c->year - 1; /* whole years before c->year since year 0 */
    unsigned leap = c->month == 2 && is_leap(c->year);
    if (c->day > month_days[c->month - 1] + leap)
        return 0;
    *days = (uint64_t)365 * (c->year - 1970) + (y / 4 - y / 100 + y / 400) - 477 /* 1969's */ +
            before[c->month - 1] + (c->month > 2 && is_leap(c->year)) + c->day - 1;
    return 1;
}

int wsx_http_date_parse(const char *s, size_t len, uint64_t *unix_s)
{
    civil c;
    uint64_t days;
    int ok;
    if ((!s && len) || !unix_s)
        return WSX_E_ARG;
    if (len == 29)
        ok = imf_fixdate(s, &c);
    else if (len == 24)
        ok = asctime_date(s, &c);
    else
        ok = len > 24 && rfc850_date(s, len, &c);
    if (!ok || !days_since_epoch(&c, &days))
        return WSX_E_SSE_RETRY_AFTER;
    *unix_s = days * 86400u + (uint64_t)c.hour * 3600u + (uint64_t)c.minute * 60u + c.second;
    return WSX_OK;
}

/* delta-seconds: 1*DIGIT, saturating at WSX_SSE_RETRY_AFTER_MAX_S. */
static int delta_seconds(const char *s, size_t len, uint64_t *secs)
{
    uint64_t v = 0;
    if (len == 0)
        return 0;
    for (; len; len--, s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (unsigned)(*s - '0');
        if (v > WSX_SSE_RETRY_AFTER_MAX_S)
            v = WSX_SSE_RETRY_AFTER_MAX_S + 1u;
    }
    *secs = v;
    return 1;
}

int wsx_sse_retry_after(const wsx_header *headers, size_t n, uint64_t now_unix_s,
                        uint32_t *delay_ms)
{
    const wsx_header *ra, *date;
    uint64_t secs = 0, when, ref;
    if (!delay_ms || (n && !headers))
        return WSX_E_ARG;
    ra = wsx_http_header_next(headers, n, "retry-after", NULL);
    if (!ra || !ra->value)
        return WSX_E_SSE_RETRY_AFTER;
    if (!delta_seconds(ra->value, ra->value_len, &secs)) {
        if (wsx_http_date_parse(ra->value, ra->value_len, &when) != WSX_OK)
            return WSX_E_SSE_RETRY_AFTER;
        /* the server's clock when it can tell, so clock skew does not
         * matter; else the caller's */
        date = wsx_http_header_next(headers, n, "date", NULL);
        if (!date || !date->value || wsx_http_date_parse(date->value, date->value_len, &ref))
            ref = now_unix_s;
        if (ref == 0)
            return WSX_E_SSE_RETRY_AFTER;
        secs = when > ref ? when - ref : 0;
    }
    if (secs > WSX_SSE_RETRY_AFTER_MAX_S)
        secs = WSX_SSE_RETRY_AFTER_MAX_S;
    *delay_ms = (uint32_t)secs * 1000u;
    return WSX_OK;
}

uint64_t wsx_sse_backoff_after(wsx_sse_backoff *b, uint64_t now_ms, uint32_t delay_ms,
                               uint32_t random32)
{
    /* + delay * random / 2^35: 0 to just under 12.5% */
    uint64_t at = now_ms + delay_ms + (((uint64_t)delay_ms * random32) >> 35);
    if (!b)
        return 0;
    if (b->_failures < 0xFFFFFFFFu)
        b->_failures++;
    return at < now_ms ? UINT64_MAX : at;
}
