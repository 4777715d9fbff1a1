/*
 * SSE parser: every case of shared/spec/sse.md, each run with the chunks
 * the case names, whole, byte by byte and split in two at every offset, the
 * input in guarded memory (an over-read crashes) that is unmapped right
 * after each call (a pointer kept into it would crash too).  Plus limits,
 * resync, comments, zero copy, end-of-stream and reset behaviour.
 */
#include "harness.h"
#include "wsx_sse.h"

#include <stdlib.h>

#define CUT "\x01"   /* chunk boundary in a case input */
#define RECON "\x02" /* end of stream, reset (reconnect), new stream */

/* ---- running a stream into a transcript ------------------------------ */
/* Transcript: "type|data|id;" per event, "retry=N;" per retry,
 * "reconnect=<last id>;" at each RECON, and "end=<last id>" at the end. */

typedef struct {
    char buf[1 << 16];
    size_t len;
} transcript;

static void t_put(transcript *t, const void *p, size_t n)
{
    if (t->len + n <= sizeof t->buf) {
        memcpy(t->buf + t->len, p, n);
        t->len += n;
    } else {
        t->len = sizeof t->buf; /* overflow: will not match */
    }
}

static void t_str(transcript *t, const char *s) { t_put(t, s, strlen(s)); }

static void t_event(transcript *t, int r, const wsx_sse_event *ev)
{
    char num[32];
    if (r == WSX_SSE_EV_EVENT) {
        t_put(t, ev->type, ev->type_len);
        t_str(t, "|");
        t_put(t, ev->data, ev->data_len);
        t_str(t, "|");
        t_put(t, ev->id, ev->id_len);
        t_str(t, ";");
    } else if (r == WSX_SSE_EV_RETRY) {
        snprintf(num, sizeof num, "retry=%lu;", (unsigned long)ev->retry);
        t_str(t, num);
    } else if (r == WSX_SSE_EV_COMMENT) {
        t_str(t, "#");
        t_put(t, ev->data, ev->data_len);
        t_str(t, ";");
    }
}

static void t_last(transcript *t, const char *label, wsx_sse_parser *p)
{
    size_t n;
    const char *id = wsx_sse_last_event_id(p, &n);
    t_str(t, label);
    t_put(t, id, n);
}

/* Feeds one chunk from guarded memory; returns 0 or the parse error. */
static int feed_chunk(wsx_sse_parser *p, const void *src, size_t n, transcript *t)
{
    uint8_t *g = guarded_copy(src, n);
    size_t off = 0;
    int r;
    for (;;) {
        size_t used = 0;
        wsx_sse_event ev;
        memset(&ev, 0xA5, sizeof ev);
        r = wsx_sse_parse(p, g + off, n - off, &used, &ev);
        CHECK(used <= n - off);
        off += used;
        if (r <= 0)
            break;
        CHECK(used > 0 || r == WSX_SSE_EV_RETRY || r == WSX_SSE_EV_COMMENT);
        t_event(t, r, &ev);
    }
    if (r == 0)
        CHECK_EQ(off, n);
    guarded_free(g, n);
    return r;
}

enum { CH_MARKED, CH_WHOLE, CH_BYTES, CH_SPLIT };

/* Runs one connection's bytes with a chunking plan. */
static void run_conn(wsx_sse_parser *p, const uint8_t *in, size_t n, int plan, size_t split,
                     const size_t *cuts, size_t ncuts, transcript *t)
{
    size_t i, start = 0;
    switch (plan) {
    case CH_WHOLE:
        CHECK_EQ(feed_chunk(p, in, n, t), 0);
        break;
    case CH_BYTES:
        for (i = 0; i < n; i++)
            CHECK_EQ(feed_chunk(p, in + i, 1, t), 0);
        break;
    case CH_SPLIT:
        CHECK_EQ(feed_chunk(p, in, split, t), 0);
        CHECK_EQ(feed_chunk(p, in + split, n - split, t), 0);
        break;
    default:
        for (i = 0; i < ncuts; i++) {
            CHECK_EQ(feed_chunk(p, in + start, cuts[i] - start, t), 0);
            start = cuts[i];
        }
        CHECK_EQ(feed_chunk(p, in + start, n - start, t), 0);
        break;
    }
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    const char *want;
    size_t want_len;
} sse_case;

#define CASE(name, in, want)                             \
    {                                                    \
        name, in, sizeof(in) - 1, want, sizeof(want) - 1 \
    }

static uint8_t *scratch_mem;
static size_t scratch_size = 1 << 16;

/* Runs the whole case with one plan; split applies to every connection
 * segment (offsets past its end mean "whole"). */
static void run_case_plan(const uint8_t *in, size_t n, int plan, size_t split, transcript *t)
{
    wsx_sse_parser p;
    static uint8_t seg[1 << 16];
    size_t cuts[64];
    size_t i = 0;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    t->len = 0;
    while (i <= n) {
        size_t sn = 0, ncuts = 0;
        while (i < n && in[i] != 0x02) {
            if (in[i] == 0x01) {
                if (ncuts < 64)
                    cuts[ncuts++] = sn;
            } else if (sn < sizeof seg) {
                seg[sn++] = in[i];
            }
            i++;
        }
        run_conn(&p, seg, sn, plan, split < sn ? split : sn, cuts, ncuts, t);
        wsx_sse_end(&p);
        if (i < n) {
            wsx_sse_reset(&p);
            t_last(t, "reconnect=", &p);
            t_str(t, ";");
        }
        i++;
    }
    t_last(t, "end=", &p);
}

static size_t longest_segment(const uint8_t *in, size_t n)
{
    size_t i, cur = 0, best = 0;
    for (i = 0; i < n; i++) {
        if (in[i] == 0x02)
            cur = 0;
        else if (in[i] != 0x01 && ++cur > best)
            best = cur;
    }
    return best;
}

static int check_case(const char *name, const uint8_t *in, size_t n, const char *want,
                      size_t want_len)
{
    static transcript t;
    size_t k, longest = longest_segment(in, n);
    int plan, bad = 0;
    for (plan = CH_MARKED; plan <= CH_SPLIT; plan++) {
        size_t kmax = plan == CH_SPLIT ? longest : 0;
        for (k = 0; k <= kmax; k++) {
            run_case_plan(in, n, plan, k, &t);
            if (t.len != want_len || memcmp(t.buf, want, want_len) != 0) {
                fprintf(stderr, "  case %s plan %d split %lu:\n    got  [%.*s]\n    want [%.*s]\n",
                        name, plan, (unsigned long)k, (int)t.len, t.buf, (int)want_len, want);
                bad++;
                plan = CH_SPLIT + 1; /* one report per case */
                break;
            }
        }
    }
    return bad;
}

static const sse_case cases[] = {
    CASE("1",
         "\xEF\xBB\xBF"
         "data:1\n\n\xEF\xBB\xBF"
         "data:2\n\ndata:3\n\n\n",
         "message|1|;message|3|;end="),
    CASE("2",
         "\xEF\xBB\xBF\xEF\xBB\xBF"
         "data:1\n\ndata:2\n\ndata:3\n\n\n",
         "message|2|;message|3|;end="),
    CASE("3", "data:test\r\ndata\ndata:test\r\n\r\n", "message|test\n\ntest|;end="),
    CASE("5",
         "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n"
         " data:32\ndata:4\n\n",
         "message|\0\n 2\n1\n3\n\n4|;end="),
    CASE("6", "data:\ttest\rdata: \ndata:test\n\n\n", "message|\ttest\n\ntest|;end="),
    CASE("7",
         "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n",
         "message|test\n\ntest|;end="),
    CASE("8", "data:\n\ndata\ndata\n\ndata:test\n\n\n", "message||;message|\n|;message|test|;end="),
    CASE("9", "event:test\ndata:x\n\ndata:x\n\n\n", "test|x|;message|x|;end="),
    CASE("10", "event: \ndata:data\n\n\n", "message|data|;end="),
    CASE("11", "data:\0\n\n\n\n\n", "message|\0|;end="),
    CASE("12", "retry:03000\ndata:x\n\n\n", "retry=3000;message|x|;end="),
    CASE("13", "retry:3000\nretry:1000x\ndata:x\n\n\n", "retry=3000;message|x|;end="),
    CASE("14", "retry\ndata:test\n\n\n", "message|test|;end="),
    CASE("15", "retry:1000\ndata:test1\n\nid:test\ndata:test2\n" RECON,
         "retry=1000;message|test1|;reconnect=;end="),
    CASE("16",
         "data:msg" CUT "\n" CUT "data:msg" CUT "\n\n" CUT ":" CUT "\n" CUT "falsefield:msg" CUT
         "\n\n" CUT "falsefield:msg" CUT "\n" CUT "Data:data" CUT "\n\n" CUT "data" CUT "\n\n" CUT
         "data:end" CUT "\n\n",
         "message|msg\nmsg|;message||;message|end|;end="),
    CASE("17", "id: \xE2\x80\xA6\nretry: 200\ndata: hello\n\n" RECON "data: \xE2\x80\xA6\n\n",
         "retry=200;message|hello|\xE2\x80\xA6;reconnect=\xE2\x80\xA6;"
         "message|\xE2\x80\xA6|\xE2\x80\xA6;end=\xE2\x80\xA6"),
    CASE("18a", "id:\0\0\ndata:x\n\n" RECON, "message|x|;reconnect=;end="),
    CASE("18b", "id:x\0\ndata:x\n\n" RECON, "message|x|;reconnect=;end="),
    CASE("18c", "id:\0x\ndata:x\n\n" RECON, "message|x|;reconnect=;end="),
    CASE("18d", "id:x\0x\ndata:x\n\n" RECON, "message|x|;reconnect=;end="),
    CASE("18e", "id: \0\ndata:x\n\n" RECON, "message|x|;reconnect=;end="),
    CASE("19", "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n",
         "message|1|1;message|2|;message|3|;end="),
    CASE("20", "data: A\r\n" CUT "data: B\r" CUT "\n" CUT "data: C\r\n" CUT "\n",
         "message|A\nB\nC|;end="),
    CASE("21", "data: one\r" CUT "\r" CUT "\n", "message|one|;end="),
    CASE("22", "id: 123\nid: bad\0id\ndata: hello\n\n", "message|hello|123;end=123"),
    CASE("23", "id: 42\n" CUT "\n", "end=42"),
    CASE("24",
         "\xEF\xBB\xBF"
         "data: bomful 1\n\n\xEF\xBB\xBF"
         "data: bomful 2\n\ndata: bomless 3\n\n",
         "message|bomful 1|;message|bomless 3|;end="),
    CASE("26", "retry:1000\nretry:2000x\ndata:x\n\n", "retry=1000;message|x|;end="),
    CASE("27", "id:2\nretry:\ndata:\xF0\x9F\xA7\xB9\n\n", "message|\xF0\x9F\xA7\xB9|2;end=2"),
    CASE("28", "event:\ndata: Hello 1\n\nevent:\n\n", "message|Hello 1|;end="),
    CASE("29", "data: one\n:" CUT "ignored\r" CUT "\ndata: two\n\n", "message|one\ntwo|;end="),
    CASE("30", "data: one\ndata\r" CUT "\ndata: two\n\n", "message|one\n\ntwo|;end="),
    CASE("31", "data: test" CUT "test\n\ndata:" CUT "test\n\n",
         "message|testtest|;message|test|;end="),
    CASE("32", "event:  greeting\ndata:  Hello\n\n", " greeting| Hello|;end="),
    CASE("33",
         "data: Hello\r" CUT "\ndata: World\r" CUT "\n\r\ndata: OK\r" CUT "\n" CUT "\r" CUT "\n",
         "message|Hello\nWorld|;message|OK|;end="),
    CASE("34cr", "data:\rdata: line2\rdata: line3\r\r", "message|\nline2\nline3|;end="),
    CASE("34lf", "data:\ndata: line2\ndata: line3\n\n", "message|\nline2\nline3|;end="),
    CASE("34crlf", "data:\r\ndata: line2\r\ndata: line3\r\n\r\n", "message|\nline2\nline3|;end="),
    CASE("35", "\xEF" CUT "\xBB" CUT "\xBF" CUT "data: Hello\n\n", "message|Hello|;end="),
    CASE("36",
         "\xEF\xBB\xBF"
         "data: \xEF\xBB\xBFHello\n\n",
         "message|\xEF\xBB\xBFHello|;end="),
    CASE("37", "id: abc\ndata: first\n\nid: \ndata: second\n\n" RECON,
         "message|first|abc;message|second|;reconnect=;end="),
    CASE("38", "id: abc\ndata: Hello\n\nid: def\ndata: Goodbye" RECON,
         "message|Hello|abc;reconnect=abc;end=abc"),
    CASE("39",
         "\n\n:\n\nevent: my-event\r\ndata:line1\ndata: line2\n:\nid: my-id\n:should be ignored "
         "too\rretry:42\n\ndata:second\n\ndata:ignored\n",
         "retry=42;my-event|line1\nline2|my-id;message|second|my-id;end=my-id"),
    CASE("40",
         ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third "
         "event\n\n",
         "message|first event|1;message|second event|;message| third event|;end="),
    CASE("41", "\xEF\xBB" CUT "oops\ndata: x\n\n", "message|x|;end="),
    CASE("41b",
         "\xEF\xBB"
         "data: y\n\n\xEF"
         "data: y\n\n\xEF\n\xEF\xBB\xBF"
         "data: x\n\n",
         "end="),
    CASE("42", "event: foo\n\ndata: x\n\n", "message|x|;end="),
    CASE("43", "retry:  1000\n", "end="),
    CASE("44", "data: [DONE]\n\n", "message|[DONE]|;end="),
    /* lessons */
    CASE("cr-last", "data: x\n\r", "message|x|;end="),
    CASE("text-bom",
         "\xC3\xAF\xC2\xBB\xC2\xBF"
         "data: x\n\ndata: y\n\n",
         "message|y|;end="),
    CASE("id-only-block", "id: 7\n\n" RECON "data: z\n\n", "reconnect=7;message|z|7;end=7"),
    CASE("id-nul-keeps", "id: 5\ndata: a\n\nid: x\0\ndata: b\n\n", "message|a|5;message|b|5;end=5"),
    CASE("retry-forms",
         "retry: 5\nretry:-1\nretry:+1\nretry:1 \nretry:1.5\nretry:99999999999999999999\n"
         "retry:4294967295\nretry:4294967296\nretry:0\n",
         "retry=5;retry=4294967295;retry=4294967295;retry=4294967295;retry=0;end="),
    CASE("names", "DATA:a\ndata :b\n data:c\ndat:d\ndatas:e\nevent\nid\nretry\ndata\n\n",
         "message||;end="),
    CASE("event-empty-then-set", "event: a\nevent:\ndata: x\n\nevent:b\nevent: c\ndata: y\n\n",
         "message|x|;c|y|;end="),
    CASE("crlf-mix", "data: a\r\n\ndata: b\n\r\ndata: c\r\r\ndata: d\r\n\r\n",
         "message|a|;message|b|;message|c|;message|d|;end="),
    CASE("space-only-one", "data:   x\nevent:\t\tt\n\n", "\t\tt|  x|;end="),
    CASE("colon-in-value", "data: a:b: c\nid: i:d\n\n", "message|a:b: c|i:d;end=i:d"),
    CASE("empty-input", "", "end="),
    CASE("comments-only", ":a\n:b\r\n: c\r\n\n", "end="),
};

static void test_spec_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sse_case *c = &cases[i];
        if (check_case(c->name, (const uint8_t *)c->in, c->in_len, c->want, c->want_len))
            CHECK(!"case failed");
    }
}

/* Cases 4 and 25: lines of 2048/2049 'x'. */
static size_t build_long(uint8_t *in, const char *a, size_t an, const char *b, size_t bn,
                         const char *c, size_t cn, size_t xs)
{
    size_t n = 0;
    memcpy(in + n, a, an);
    n += an;
    memset(in + n, 'x', xs);
    n += xs;
    memcpy(in + n, b, bn);
    n += bn;
    memset(in + n, 'x', xs);
    n += xs;
    memcpy(in + n, c, cn);
    return n + cn;
}

#define LIT(s) s, sizeof(s) - 1

static void test_long_comment_cases(void)
{
    static uint8_t in[8192];
    static const char want4[] = "message|1\n2\n3\n4|;end=";
    static const char want25[] = "message|1|;message|2|;message|3|;message|4|;end=";
    size_t n = build_long(in, LIT("data:1\r:\0\n:\r\ndata:2\n:"), LIT("\rdata:3\n:data:fail\r:"),
                          LIT("\ndata:4\n\n"), 2048);
    CHECK_EQ(check_case("4", in, n, want4, sizeof want4 - 1), 0);
    n = build_long(in, LIT("data:1\r\r:\0\n:\r\ndata:2\n\n:"), LIT("\rdata:3\n\n:data:fail\r:"),
                   LIT("\ndata:4\n\ndata:5"), 2049);
    CHECK_EQ(check_case("25", in, n, want25, sizeof want25 - 1), 0);
}

/* ---- focused behaviour ------------------------------------------------ */

static int parse_all(wsx_sse_parser *p, const char *s, size_t n, wsx_sse_event *ev, size_t *used)
{
    return wsx_sse_parse(p, s, n, used, ev);
}

static void test_zero_copy(void)
{
    static const char in[] = "id: 1\ndata: hello\n\ndata: a\ndata: b\n\n";
    wsx_sse_parser p;
    wsx_sse_event ev;
    size_t used;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    CHECK_EQ(parse_all(&p, in, sizeof in - 1, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK(ev.data == (const uint8_t *)in + 12); /* slice into the input */
    CHECK_EQ(ev.data_len, 5);
    CHECK_EQ(used, 19);
    CHECK_EQ(parse_all(&p, in + used, sizeof in - 1 - used, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK(ev.data < (const uint8_t *)in || ev.data >= (const uint8_t *)in + sizeof in);
    CHECK_EQ(ev.data_len, 3);
    CHECK_MEM(ev.data, "a\nb", 3);
}

/* An id line whose value holds a NUL anywhere is ignored, whatever its
 * length (the whole-line path tests short values a word at a time);
 * without the NUL the same value is the id. */
static void test_id_nul_every_place(void)
{
    size_t n, k;
    for (n = 1; n <= 40; n++) {
        for (k = 0; k <= n; k++) { /* k == n: no NUL */
            char in[80];
            size_t len = 0, used;
            wsx_sse_parser p;
            wsx_sse_event ev;
            memcpy(in, "id: ", 4);
            len = 4;
            memset(in + len, 'a', n);
            if (k < n)
                in[len + k] = '\0';
            len += n;
            memcpy(in + len, "\ndata: x\n\n", 11);
            len += 11;
            CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
            CHECK_EQ(wsx_sse_set_last_event_id(&p, "7", 1), WSX_OK);
            CHECK_EQ(parse_all(&p, in, len, &ev, &used), WSX_SSE_EV_EVENT);
            if (k < n) {
                CHECK_EQ(ev.id_len, 1);
                CHECK_MEM(ev.id, "7", 1);
            } else {
                CHECK_EQ(ev.id_len, n);
                CHECK_MEM(ev.id, in + 4, n);
            }
        }
    }
}

static void test_cr_dispatches_at_once(void)
{
    wsx_sse_parser p;
    wsx_sse_event ev;
    size_t used;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    CHECK_EQ(parse_all(&p, "data: x\n\r", 9, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK_EQ(used, 9);
    /* the LF of that CRLF, in the next chunk, is dropped: no second line */
    CHECK_EQ(parse_all(&p, "\ndata: y\n\n", 10, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK_MEM(ev.data, "y", 1);
    CHECK_EQ(wsx_sse_end(&p), 0);
}

static void test_comments(void)
{
    static const char in[] = ": keep-alive\n:x\ndata: a\n:  two\n\n:";
    wsx_sse_parser_config cfg = {WSX_SSE_WANT_COMMENTS};
    wsx_sse_parser p;
    transcript t;
    size_t i;
    /* whole, bytes and every split, with comments on */
    for (i = 0; i <= sizeof in; i++) {
        CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, &cfg), 0);
        t.len = 0;
        if (i == sizeof in) {
            size_t j;
            for (j = 0; j + 1 < sizeof in; j++)
                feed_chunk(&p, in + j, 1, &t);
        } else {
            feed_chunk(&p, in, i, &t);
            feed_chunk(&p, in + i, sizeof in - 1 - i, &t);
        }
        CHECK_EQ(wsx_sse_end(&p), 1); /* the trailing ":" line is incomplete */
        t_str(&t, "!");
        CHECK(t.len == 33 && memcmp(t.buf, "#keep-alive;#x;# two;message|a|;!", 33) == 0);
    }
}

static void test_limits_and_resync(void)
{
    /* a scratch of 20 bytes: data up to 20 when nothing else is stored */
    static uint8_t small[20];
    static const char fits[] = "data: 0123456789\ndata: 012345678\n\n"; /* 10+1+9 = 20 */
    static const char over[] = "data: 0123456789\ndata: 0123456789\nid: 9\n\ndata: ok\n\n"; /* 21 */
    static const char longid[] = "id: 0123456789abcdefXYZ!x\ndata: x\n\nid: 2\ndata: y\n\n";
    wsx_sse_parser p;
    transcript t;
    size_t k;
    int r;
    for (k = 0; k < sizeof fits - 1; k++) {
        CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
        t.len = 0;
        CHECK_EQ(feed_chunk(&p, fits, k, &t), 0);
        CHECK_EQ(feed_chunk(&p, fits + k, sizeof fits - 1 - k, &t), 0);
        CHECK(t.len == 30 && memcmp(t.buf, "message|0123456789\n012345678|;", 30) == 0);
    }
    /* the same error whatever the chunking, then resync drops that event */
    for (k = 0; k < sizeof over - 1; k++) {
        const char *in = over;
        size_t off = 0, n = sizeof over - 1;
        int errors = 0;
        CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
        t.len = 0;
        while (off < n) {
            size_t chunk_end = off < k ? k : n;
            r = feed_chunk(&p, in + off, chunk_end - off, &t);
            if (r == 0) {
                off = chunk_end;
                continue;
            }
            CHECK_EQ(r, WSX_E_SSE_LINE_TOO_LONG);
            errors++;
            /* sticky */
            {
                size_t used = 99;
                wsx_sse_event ev;
                CHECK_EQ(wsx_sse_parse(&p, in + off, 1, &used, &ev), WSX_E_SSE_LINE_TOO_LONG);
                CHECK_EQ(used, 0);
            }
            break;
        }
        CHECK_EQ(errors, 1);
    }
    /* resync, driven by hand to see where it resumes */
    {
        const char *in = over;
        size_t used, n = sizeof over - 1, off = 0;
        wsx_sse_event ev;
        CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
        CHECK_EQ(wsx_sse_resync(&p), WSX_E_STATE);
        r = wsx_sse_parse(&p, in, n, &used, &ev);
        CHECK_EQ(r, WSX_E_SSE_LINE_TOO_LONG);
        CHECK_EQ(used, 23); /* "data: 0123456789\ndata: " */
        off = used;
        CHECK_EQ(wsx_sse_resync(&p), WSX_OK);
        r = wsx_sse_parse(&p, in + off, n - off, &used, &ev);
        CHECK_EQ(r, WSX_SSE_EV_EVENT);
        CHECK(ev.data_len == 2 && memcmp(ev.data, "ok", 2) == 0);
        CHECK_EQ(ev.id_len, 0); /* the dropped block's id is dropped too */
    }
    /* an id longer than the scratch: the same error, resync, next block fine */
    {
        const char *in = longid;
        size_t used, n = sizeof longid - 1;
        wsx_sse_event ev;
        CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
        CHECK_EQ(wsx_sse_parse(&p, in, n, &used, &ev), WSX_E_SSE_LINE_TOO_LONG);
        CHECK_EQ(used, 4);
        CHECK_EQ(wsx_sse_resync(&p), WSX_OK);
        in += used;
        n -= used;
        CHECK_EQ(wsx_sse_parse(&p, in, n, &used, &ev), WSX_SSE_EV_EVENT);
        CHECK(ev.data_len == 1 && ev.data[0] == 'y' && ev.id_len == 1 && ev.id[0] == '2');
    }
    /* ignored lines are unbounded: a 100 KB comment and unknown field */
    {
        static uint8_t big[100005];
        wsx_sse_event ev;
        size_t used;
        memset(big, 'z', sizeof big);
        big[0] = ':';
        big[sizeof big - 1] = '\n';
        CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
        CHECK_EQ(wsx_sse_parse(&p, big, sizeof big, &used, &ev), 0);
        big[0] = 'x';
        CHECK_EQ(wsx_sse_parse(&p, big, sizeof big, &used, &ev), 0);
        CHECK_EQ(wsx_sse_parse(&p, "data: 1\n\n", 9, &used, &ev), WSX_SSE_EV_EVENT);
    }
    /* any scratch of at least one byte */
    CHECK_EQ(wsx_sse_parser_init(&p, small, 0, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parser_init(&p, NULL, 10, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parser_init(&p, small, 1, NULL), WSX_OK);
}

/* ---- the scratch shared by data, type, id and last event ID ------------ */

/* Runs in[0..n) through a parser whose scratch is exactly size bytes (in
 * guarded memory: a write past it crashes), whole, byte by byte and split
 * at every offset; each transcript ends with "!<error>" at the first error
 * or "end=<last id>".  Returns 1 when every chunking gave want. */
static int sized_case(const char *name, size_t size, unsigned flags, const char *in, size_t n,
                      const char *want)
{
    static transcript t;
    wsx_sse_parser_config cfg = {flags};
    size_t k, want_len = strlen(want);
    int bad = 0;
    for (k = 0; k <= n + 1; k++) {
        uint8_t *scr = (uint8_t *)guarded_alloc(size);
        wsx_sse_parser p;
        size_t off = 0;
        int r = 0;
        CHECK_EQ(wsx_sse_parser_init(&p, scr, size, &cfg), 0);
        t.len = 0;
        while (off < n && r == 0) {
            /* k <= n: two chunks split at k; k == n + 1: byte by byte */
            size_t next = k == n + 1 ? off + 1 : off < k ? k : n;
            r = feed_chunk(&p, in + off, next - off, &t);
            off = next;
        }
        if (r) {
            t_str(&t, r == WSX_E_SSE_LINE_TOO_LONG ? "!TOO_LONG" : "!other error");
        } else {
            wsx_sse_end(&p);
            t_last(&t, "end=", &p);
        }
        guarded_free(scr, size);
        if (t.len != want_len || memcmp(t.buf, want, want_len) != 0) {
            fprintf(stderr,
                    "  sized case %s (size %lu, split %lu):\n    got  [%.*s]\n    want [%s]\n",
                    name, (unsigned long)size, (unsigned long)k, (int)t.len, t.buf, want);
            bad = 1;
            break;
        }
    }
    return !bad;
}

#define SIZED(name, size, flags, in, want) \
    CHECK(sized_case(name, size, flags, in, sizeof in - 1, want))

static void test_scratch_shared(void)
{
    /* last event ID (10) + type (5) + id (17) + data (1) = 33 bytes */
    static const char s1[] = "id: 0123456789\n\nevent: abcde\nid: 0123456789abcdefg\ndata: x\n\n";
    /* two ids in one block: the second is read beside the first (4 + 6) */
    static const char s2[] = "id: aaaa\nid: bbbbbb\ndata: x\n\n";
    /* a type set before and after an id, ids of several lengths */
    static const char s3[] =
        "event: tt\nid: iiii\ndata: d\n\nevent: uuu\nid: jj\nevent: v\ndata: e\n\n"
        "id: kkkkkk\nevent: wwww\ndata: f\n\n";
    /* a comment is read beside everything else */
    static const char s4[] = "id: 12345\n\nevent: ab\ndata: xy\n: 123456\n\n";
    SIZED("s1", 33, 0, s1, "abcde|x|0123456789abcdefg;end=0123456789abcdefg");
    SIZED("s1-data", 32, 0, s1, "!TOO_LONG");
    SIZED("s1-id", 31, 0, s1, "!TOO_LONG");
    SIZED("s2", 10, 0, s2, "message|x|bbbbbb;end=bbbbbb");
    SIZED("s2-id", 9, 0, s2, "!TOO_LONG");
    SIZED("s3", 64, 0, s3, "tt|d|iiii;v|e|jj;wwww|f|kkkkkk;end=kkkkkk");
    /* s3's third block: last (2) + type (4) + id being read (6) + data (1) */
    SIZED("s3-tight", 13, 0, s3, "tt|d|iiii;v|e|jj;wwww|f|kkkkkk;end=kkkkkk");
    SIZED("s3-over", 12, 0, s3, "tt|d|iiii;v|e|jj;!TOO_LONG");
    SIZED("s4", 15, WSX_SSE_WANT_COMMENTS, s4, "#123456;ab|xy|12345;end=12345");
    SIZED("s4-over", 14, WSX_SSE_WANT_COMMENTS, s4, "!TOO_LONG");
    SIZED("s4-ignored", 9, 0, s4, "ab|xy|12345;end=12345");
}

/* Browsers put no limit on ids and event types: with the default config a
 * 64 KiB scratch takes ids and types of several KiB, whatever the chunking. */
static void test_long_fields(void)
{
    static char in[40000], want[40000];
    size_t n = 0, w = 0, i;
    static const size_t lens[3] = {4000, 8191, 300};
    for (i = 0; i < 3; i++) {
        size_t k;
        n += (size_t)sprintf(in + n, "event: ");
        for (k = 0; k < lens[i]; k++)
            in[n++] = (char)('A' + (k + i) % 26);
        n += (size_t)sprintf(in + n, "\nid: ");
        for (k = 0; k < lens[(i + 1) % 3]; k++)
            in[n++] = (char)('a' + (k * 7 + i) % 26);
        n += (size_t)sprintf(in + n, "\ndata: %lu\n\n", (unsigned long)i);
    }
    /* the expected transcript, from the same generator */
    for (i = 0; i < 3; i++) {
        size_t k;
        for (k = 0; k < lens[i]; k++)
            want[w++] = (char)('A' + (k + i) % 26);
        want[w++] = '|';
        w += (size_t)sprintf(want + w, "%lu|", (unsigned long)i);
        for (k = 0; k < lens[(i + 1) % 3]; k++)
            want[w++] = (char)('a' + (k * 7 + i) % 26);
        want[w++] = ';';
    }
    w += (size_t)sprintf(want + w, "end=");
    for (i = 0; i < lens[0]; i++)
        want[w++] = (char)('a' + (i * 7 + 2) % 26);
    /* whole, byte by byte, split in two at a few hundred offsets */
    {
        static transcript t;
        size_t k;
        for (k = 0; k < n + 2; k = k < 20 ? k + 1 : k + 97 < n ? k + 97 : k < n ? n : k + 1) {
            int plan = k == n + 1 ? CH_BYTES : k == n ? CH_WHOLE : CH_SPLIT;
            run_case_plan((const uint8_t *)in, n, plan, k, &t);
            if (t.len != w || memcmp(t.buf, want, w) != 0) {
                fprintf(stderr, "  long fields: split %lu: %lu bytes (want %lu)\n",
                        (unsigned long)k, (unsigned long)t.len, (unsigned long)w);
                CHECK(!"long fields");
                break;
            }
        }
    }
}

static void test_end_and_reset(void)
{
    wsx_sse_parser p;
    wsx_sse_event ev;
    size_t used, n;
    const char *id;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    static const char stream[] = "id: a\ndata: 1\n\nid: b\ndata: 2";
    CHECK_EQ(parse_all(&p, stream, 28, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK_EQ(parse_all(&p, &stream[used], 28 - used, &ev, &used), 0);
    CHECK_EQ(wsx_sse_end(&p), 1);
    CHECK_EQ(parse_all(&p, "x", 1, &ev, &used), WSX_E_STATE);
    wsx_sse_reset(&p);
    id = wsx_sse_last_event_id(&p, &n);
    CHECK(n == 1 && id[0] == 'a');
    /* a BOM is allowed again after reset */
    CHECK_EQ(parse_all(&p,
                       "\xEF\xBB\xBF"
                       "data: 3\n\n",
                       12, &ev, &used),
             WSX_SSE_EV_EVENT);
    CHECK(ev.id_len == 1 && ev.id[0] == 'a' && ev.data[0] == '3');
    CHECK_EQ(wsx_sse_end(&p), 0);
    wsx_sse_reset(&p);
    /* set_last_event_id */
    CHECK_EQ(wsx_sse_set_last_event_id(&p, "x\ny", 3), WSX_E_SSE_FIELD);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, "resume-9", 8), WSX_OK);
    CHECK_EQ(parse_all(&p, "data: 4\n\n", 9, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK(ev.id_len == 8 && memcmp(ev.id, "resume-9", 8) == 0);
}

/* Edges that both profiles (default and WSX_SMALL's byte-at-a-time
 * machine) must give exactly: where an error leaves *consumed, the line an
 * error cuts, the LF of a CRLF consumed with the event it ends, an id line
 * still pending when the last event ID is set. */
static void test_exact_edges(void)
{
    static uint8_t small[10]; /* nothing else stored: data up to 10 */
    wsx_sse_parser p;
    wsx_sse_event ev;
    size_t used, n;
    const char *id;

    /* an error in a line that lies whole in the input: *consumed is the
     * start of the value, and wsx_sse_end() says a line was cut */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
    CHECK_EQ(parse_all(&p, "data: 0123456789A\n\n", 19, &ev, &used), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 6);
    CHECK_EQ(wsx_sse_end(&p), 1);
    /* a value split over two calls: the start of this call's part */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
    CHECK_EQ(parse_all(&p, "data: 01234", 11, &ev, &used), 0);
    CHECK_EQ(parse_all(&p, "56789A\n\n", 8, &ev, &used), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 0);
    /* a full data buffer has no room for the LF that joins a second line */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
    CHECK_EQ(parse_all(&p, "data: 0123456789\ndata:x\n\n", 26, &ev, &used),
             WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 22);
    /* an id longer than the scratch */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
    CHECK_EQ(parse_all(&p, "id: 0123456789A\n", 16, &ev, &used), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 4);
    /* a last event ID that fills the scratch leaves no room for data */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, NULL), 0);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, "0123456789A", 11), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, "0123456789", 10), WSX_OK);
    CHECK_EQ(parse_all(&p, "data:\n\n", 7, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK(ev.data_len == 0 && ev.id_len == 10 && memcmp(ev.id, "0123456789", 10) == 0);
    CHECK_EQ(parse_all(&p, "data: x\n\n", 9, &ev, &used), WSX_E_SSE_LINE_TOO_LONG);

    /* the LF of the CRLF that ends an event (or a retry) is consumed too */
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    CHECK_EQ(parse_all(&p, "data: x\r\n\r\ndata: y", 18, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK_EQ(used, 11);
    CHECK_EQ(parse_all(&p, "\nretry: 5\r\nx", 12, &ev, &used), WSX_SSE_EV_RETRY);
    CHECK_EQ(used, 11);
    CHECK_EQ(ev.retry, 5);

    /* an id line read, then the last event ID set: the empty line still
     * commits the id that was read; the type read before survives both */
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), 0);
    CHECK_EQ(parse_all(&p, "event: t\nid: a\n", 15, &ev, &used), 0);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, "bbb", 3), WSX_OK);
    id = wsx_sse_last_event_id(&p, &n);
    CHECK(n == 3 && memcmp(id, "bbb", 3) == 0);
    CHECK_EQ(parse_all(&p, "data: d\n\n", 9, &ev, &used), WSX_SSE_EV_EVENT);
    CHECK(ev.type_len == 1 && ev.type[0] == 't' && ev.id_len == 1 && ev.id[0] == 'a');
    id = wsx_sse_last_event_id(&p, &n);
    CHECK(n == 1 && id[0] == 'a');
}

/* Callback adapter (API rule 7). */
static int cb_events, cb_retries, cb_comments, cb_errors, cb_stop_at, cb_error_verdict;
static int on_ev(void *u, const wsx_sse_event *ev)
{
    (void)u;
    (void)ev;
    return ++cb_events == cb_stop_at ? 7 : 0;
}
static int on_retry(void *u, uint32_t ms)
{
    (void)u;
    cb_retries += ms == 5;
    return 0;
}
static int on_comment(void *u, const uint8_t *t, size_t n)
{
    (void)u;
    cb_comments += n == 2 && t[0] == 'h';
    return 0;
}
static int on_error(void *u, int err)
{
    (void)u;
    cb_errors++;
    return err == WSX_E_SSE_LINE_TOO_LONG ? cb_error_verdict : -1;
}

static void test_feed(void)
{
    static const char in[] = ": hi\nretry: 5\ndata: a\n\ndata: b\n\ndata: c\n\n";
    static const char big[] = "data: 123456789\n\ndata: ok\n\n";
    wsx_sse_callbacks cb = {on_ev, on_retry, on_comment, NULL};
    wsx_sse_parser_config cfg = {WSX_SSE_WANT_COMMENTS};
    static uint8_t small[8];
    wsx_sse_parser p;
    size_t used;
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, &cfg), 0);
    cb_events = cb_retries = cb_comments = cb_errors = 0;
    cb_stop_at = 2;
    /* a nonzero verdict pauses right after that event */
    CHECK_EQ(wsx_sse_feed(&p, in, sizeof in - 1, &cb, NULL, &used), WSX_PAUSED);
    CHECK_EQ(used, 32);
    CHECK_EQ(wsx_sse_feed(&p, in + used, sizeof in - 1 - used, &cb, NULL, &used), WSX_OK);
    CHECK_EQ(used, sizeof in - 1 - 32);
    CHECK_EQ(cb_events, 3);
    CHECK_EQ(cb_retries, 1);
    CHECK_EQ(cb_comments, 1);
    /* no on_error: the error stops the feed, where it was found */
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, &cfg), 0);
    cb_events = 0;
    cb_stop_at = 0;
    CHECK_EQ(wsx_sse_feed(&p, big, sizeof big - 1, &cb, NULL, &used), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 6);
    /* on_error returning nonzero stops; it is called once per error: the
     * next call returns the sticky error without calling it again */
    cb.on_error = on_error;
    cb_error_verdict = 1;
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, &cfg), 0);
    CHECK_EQ(wsx_sse_feed(&p, big, sizeof big - 1, &cb, NULL, &used), WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 6);
    CHECK_EQ(cb_errors, 1);
    CHECK_EQ(wsx_sse_feed(&p, big + used, sizeof big - 1 - used, &cb, NULL, &used),
             WSX_E_SSE_LINE_TOO_LONG);
    CHECK_EQ(used, 0);
    CHECK_EQ(cb_errors, 1);
    /* on_error returning 0 skips the event and goes on */
    cb_error_verdict = 0;
    CHECK_EQ(wsx_sse_parser_init(&p, small, sizeof small, &cfg), 0);
    CHECK_EQ(wsx_sse_feed(&p, big, sizeof big - 1, &cb, NULL, &used), WSX_OK);
    CHECK_EQ(used, sizeof big - 1);
    CHECK_EQ(cb_events, 1);
    CHECK_EQ(cb_errors, 2);
    /* after the end of the stream: WSX_E_STATE, no on_error */
    CHECK_EQ(wsx_sse_end(&p), 0);
    CHECK_EQ(wsx_sse_feed(&p, big, sizeof big - 1, &cb, NULL, &used), WSX_E_STATE);
    CHECK_EQ(cb_errors, 2);
    /* arguments */
    wsx_sse_reset(&p);
    used = 5;
    CHECK_EQ(wsx_sse_feed(NULL, big, 1, &cb, NULL, &used), WSX_E_ARG);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_sse_feed(&p, big, 1, NULL, NULL, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_feed(&p, NULL, 1, &cb, NULL, &used), WSX_E_ARG);
    CHECK_EQ(wsx_sse_feed(&p, NULL, 0, &cb, NULL, &used), WSX_OK);
    CHECK_EQ(wsx_sse_feed(&p, "data: z\n\n", 9, &cb, NULL, NULL), WSX_OK);
    CHECK_EQ(cb_events, 2);
}

/* API rule 5: NULL where a pointer is required. */
static void test_null_args(void)
{
    wsx_sse_parser p;
    wsx_sse_event ev;
    size_t used = 7, n = 7;
    CHECK_EQ(wsx_sse_parser_init(NULL, scratch_mem, 16, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parser_init(&p, NULL, 16, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parser_init(&p, scratch_mem, scratch_size, NULL), WSX_OK);
    CHECK_EQ(wsx_sse_parse(NULL, "x", 1, &used, &ev), WSX_E_ARG);
    CHECK_EQ(used, 0);
    CHECK_EQ(wsx_sse_parse(&p, "x", 1, NULL, &ev), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parse(&p, "x", 1, &used, NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parse(&p, NULL, 1, &used, &ev), WSX_E_ARG);
    CHECK_EQ(wsx_sse_parse(&p, NULL, 0, &used, &ev), WSX_SSE_NEED_MORE);
    /* not sticky: the parser goes on */
    CHECK_EQ(wsx_sse_parse(&p, "data: q\n\n", 9, &used, &ev), WSX_SSE_EV_EVENT);
    CHECK_EQ(wsx_sse_resync(NULL), WSX_E_ARG);
    CHECK_EQ(wsx_sse_end(NULL), WSX_E_ARG);
    wsx_sse_reset(NULL);
    CHECK(wsx_sse_last_event_id(NULL, &n) == NULL);
    CHECK_EQ(n, 0);
    CHECK(wsx_sse_last_event_id(&p, NULL) == NULL);
    CHECK_EQ(wsx_sse_set_last_event_id(NULL, "a", 1), WSX_E_ARG);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, NULL, 1), WSX_E_ARG);
    CHECK_EQ(wsx_sse_set_last_event_id(&p, NULL, 0), WSX_OK);
}

/* Linear time: a 4 MiB data line fed in 1-byte, 7-byte and 4 KiB chunks
 * must cost about the same per byte (an O(N^2) rescan would take hours). */
static void test_linear(void)
{
    size_t n = 4u << 20, i, sizes[3] = {1, 7, 4096}, s;
    uint8_t *big = (uint8_t *)malloc(n + 16), *scr = (uint8_t *)malloc(n + 4096);
    wsx_sse_parser p;
    memcpy(big, "data: ", 6);
    memset(big + 6, 'q', n - 6);
    memcpy(big + n, "\n\n", 2);
    for (s = 0; s < 3; s++) {
        int events = 0;
        CHECK_EQ(wsx_sse_parser_init(&p, scr, n + 4096, NULL), 0);
        for (i = 0; i < n + 2; i += sizes[s]) {
            size_t len = n + 2 - i < sizes[s] ? n + 2 - i : sizes[s], off = 0, used;
            wsx_sse_event ev;
            int r;
            while ((r = wsx_sse_parse(&p, big + i + off, len - off, &used, &ev)) > 0) {
                off += used;
                events += r == WSX_SSE_EV_EVENT && ev.data_len == n - 6;
            }
            CHECK_EQ(r, 0);
        }
        CHECK_EQ(events, 1);
    }
    free(big);
    free(scr);
}

int main(void)
{
    scratch_mem = guarded_alloc(scratch_size);
    printf("sizeof(wsx_sse_parser) = %lu\n", (unsigned long)sizeof(wsx_sse_parser));
    RUN(test_spec_cases);
    RUN(test_long_comment_cases);
    RUN(test_zero_copy);
    RUN(test_id_nul_every_place);
    RUN(test_cr_dispatches_at_once);
    RUN(test_comments);
    RUN(test_limits_and_resync);
    RUN(test_scratch_shared);
    RUN(test_long_fields);
    RUN(test_end_and_reset);
    RUN(test_exact_edges);
    RUN(test_feed);
    RUN(test_null_args);
    RUN(test_linear);
    return harness_done();
}
