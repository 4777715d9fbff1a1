/*
 * The decompressor on fixed-code blocks (RFC 1951 3.2.6), the blocks tiny
 * permessage-deflate messages come in: literals of 8- and 9-bit codes in
 * every order (the fast profile takes them in pairs), input cut inside any
 * symbol, output room ending at any byte, and short matches of every
 * length and distance, from this call's output, from the window, across
 * the window's start and around its end.  Streams are written by the test's
 * own DEFLATE writer and checked against the bytes they were made from.
 */
#include "deflate_writer.h"
#include "inflate_common.h"

#define MAX_OUT 70000

/* A fixed-code stream being written, with the bytes it decodes to. */
typedef struct fixed_stream {
    dw w;
    dw_code lit, dist;
    uint8_t *want;
    size_t made;
} fixed_stream;

static uint8_t stream_buf[MAX_OUT * 2], want_buf[MAX_OUT];

static void fs_init(fixed_stream *s)
{
    dw_init(&s->w, stream_buf, sizeof stream_buf);
    dw_fixed_codes(&s->lit, &s->dist);
    s->want = want_buf;
    s->made = 0;
}

static void fs_block(fixed_stream *s, int final)
{
    dw_bits(&s->w, final ? 1 : 0, 1);
    dw_bits(&s->w, 1, 2);
}

static void fs_lit(fixed_stream *s, unsigned byte)
{
    dw_sym(&s->w, &s->lit, byte);
    s->want[s->made++] = (uint8_t)byte;
}

static void fs_match(fixed_stream *s, unsigned len, unsigned dist)
{
    unsigned i;
    dw_match(&s->w, &s->lit, &s->dist, len, dist);
    for (i = 0; i < len; i++, s->made++)
        s->want[s->made] = s->want[s->made - dist];
}

/* End of block; final: the stream ends (padded to a byte), else a sync
 * flush's empty stored block. */
static void fs_end(fixed_stream *s, int final)
{
    dw_sym(&s->w, &s->lit, 256);
    if (final)
        dw_align(&s->w);
    else
        dw_stored(&s->w, 0, NULL, 0);
}

/* A literal with an 8-bit code (0..143) or a 9-bit one (144..255). */
static unsigned any_lit(void) { return rnd() % 2 ? rnd() % 144 : 144 + rnd() % 112; }

/* Every message length 0..40 with literals of both code lengths in random
 * order: every input split, every output room, random pieces. */
static void test_literals_every_boundary(void)
{
    unsigned len, seed;
    size_t k;
    for (len = 0; len <= 40; len++)
        for (seed = 1; seed <= (QUICK ? 2u : 6u); seed++) {
            fixed_stream s;
            unsigned i;
            rnd_state = len * 101 + seed;
            fs_init(&s);
            fs_block(&s, 1);
            for (i = 0; i < len; i++)
                fs_lit(&s, seed == 1 ? 144 * (i & 1) + i : seed == 2 ? 200 + i : any_lit());
            fs_end(&s, 1);
            for (k = 0; k <= s.w.len; k++)
                CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, k, 0, 0));
            for (k = 1; k <= s.made + 1; k++)
                CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 0, k, 0));
            CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 3, 3, seed));
            CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 1, 1, 0));
        }
}

/* Matches of length 3..40 and 258 at distances 1..40 and a few far ones,
 * between literals: whole, byte by byte and into exactly the room. */
static void test_short_matches(void)
{
    static const unsigned far[] = {64, 255, 256, 1000};
    unsigned len, dist;
    for (len = 3; len <= 258; len = len == 40 ? 258 : len + 1)
        for (dist = 1; dist <= 44; dist++) {
            fixed_stream s;
            unsigned d = dist <= 40 ? dist : far[dist - 41], i;
            rnd_state = len * 7 + dist;
            fs_init(&s);
            fs_block(&s, 1);
            for (i = 0; i < d; i++)
                fs_lit(&s, any_lit());
            fs_match(&s, len, d);
            fs_match(&s, len, d + 1 <= s.made ? d + 1 : d);
            fs_lit(&s, any_lit());
            fs_end(&s, 1);
            CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 0, 0, 0));
            CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 1, 1, 0));
            CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 0, s.made, 0));
            if (!QUICK)
                CHECK(check_stream(stream_buf, s.w.len, 15, want_buf, s.made, 2, 5, len + d));
        }
}

/* Random messages (RFC 7692: a sync-flushed fixed block each, one stream,
 * the window kept) inflated one at a time into exactly their room, whole
 * and in random pieces, with 2^8 and 2^9 windows: matches come from the
 * window, cross its start into the call's output and wrap around its end. */
static int messages_agree(unsigned bits, unsigned seed, int pieces)
{
    fixed_stream s;
    wsx_inflater z;
    size_t starts[400], outs[400], m, nmsg = 0, in_at = 0, out_at = 0;
    uint8_t *got = (uint8_t *)malloc(MAX_OUT);
    int ok = 1;
    rnd_state = seed;
    fs_init(&s);
    while (nmsg < 300 && s.made < MAX_OUT - 12 * 258) {
        unsigned items = rnd() % 12, i;
        starts[nmsg] = s.w.len;
        outs[nmsg++] = s.made;
        fs_block(&s, 0);
        for (i = 0; i < items; i++) {
            size_t reach = s.made < (1u << bits) ? s.made : (1u << bits);
            if (reach && rnd() % 3 == 0) {
                unsigned len = rnd() % 8 ? 3 + rnd() % 30 : 3 + rnd() % 256;
                fs_match(&s, len, 1 + (unsigned)(rnd() % reach));
            } else {
                fs_lit(&s, any_lit());
            }
        }
        fs_end(&s, 0);
    }
    starts[nmsg] = s.w.len;
    outs[nmsg] = s.made;
    drive_new(&z, bits);
    for (m = 0; m < nmsg && ok; m++) {
        size_t n = starts[m + 1] - starts[m], want = outs[m + 1] - outs[m];
        drive_result d = drive(&z, stream_buf + in_at, n, pieces ? 5 : 0, pieces ? want : 0,
                               pieces ? seed + (unsigned)m : 0, got + out_at, want);
        ok = !d.broken && d.r == WSX_INFLATE_NEED_INPUT && d.in_used == n && d.out_len == want &&
             wsx_inflater_between_blocks(&z);
        in_at += n;
        out_at += want;
    }
    if (ok && memcmp(got, want_buf, s.made) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "  bits %u seed %u pieces %d: message %zu\n", bits, seed, pieces, m - 1);
    free(got);
    return ok;
}

static void test_messages_with_window(void)
{
    unsigned bits, seed;
    for (bits = 8; bits <= 15; bits += bits == 9 ? 6 : 1)
        for (seed = 1; seed <= (QUICK ? 2u : 12u); seed++) {
            CHECK(messages_agree(bits, seed, 0));
            CHECK(messages_agree(bits, seed, 1));
        }
}

int main(void)
{
    RUN(test_literals_every_boundary);
    RUN(test_short_matches);
    RUN(test_messages_with_window);
    return harness_done();
}
