/*
 * The DEFLATE decompressor and the gzip reader on streams zlib made (zlib
 * is a test oracle only, never linked into the library): every level 0-9,
 * every strategy, raw windows 9..15, memLevels, sync / full / partial
 * flushes and Z_BLOCK, every split of small streams and random splits of
 * large ones, tiny output pieces; permessage-deflate messages with and
 * without context takeover; gzip members with every header field; and
 * corrupted streams, where wsx and zlib must both fail or agree.
 * TEST_LIBS: -lz
 */
#include <zlib.h>

#include "inflate_common.h"

/* kind 0 text, 1 JSON, 2 random, 3 runs, 4 mixed */
static void gen(uint8_t *p, size_t n, int kind, unsigned seed)
{
    static const char *words[] = {"the ",   "quick ",  "brown ",    "fox ", "jumps ", "over ",
                                  "lazy ",  "dog ",    "\"text\":", "{",    "}",      ",\n",
                                  "token ", "stream ", "of ",       "data "};
    size_t i = 0;
    rnd_state = seed * 2654435761u + 7;
    while (i < n) {
        int k = kind == 4 ? (int)(rnd() % 4) : kind;
        size_t l, j;
        if (k == 2) {
            for (l = 1 + rnd() % 64; l-- && i < n;)
                p[i++] = (uint8_t)rnd();
        } else if (k == 3) {
            uint8_t b = (uint8_t)rnd();
            for (l = 1 + rnd() % 500; l-- && i < n;)
                p[i++] = b;
        } else {
            const char *s = words[rnd() % (k == 1 ? 16 : 8) + (k == 1 ? 0 : 0)];
            l = strlen(s);
            for (j = 0; j < l && i < n; j++)
                p[i++] = (uint8_t)s[j];
        }
    }
}

/* zlib raw DEFLATE of src; flush every `every` bytes with `flush` (0:
 * none).  Returns the length. */
static size_t zdeflate(const uint8_t *src, size_t n, uint8_t *out, size_t cap, int level, int wbits,
                       int mem, int strategy, size_t every, int flush)
{
    z_stream s;
    size_t off = 0;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, level, Z_DEFLATED, wbits, mem, strategy) != Z_OK)
        return 0;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    do {
        size_t k = every && flush ? every : n - off;
        if (k > n - off)
            k = n - off;
        s.next_in = (Bytef *)(uintptr_t)(src + off);
        s.avail_in = (uInt)k;
        off += k;
        deflate(&s, off == n ? Z_FINISH : flush);
    } while (off < n);
    n = cap - s.avail_out;
    deflateEnd(&s);
    return n;
}

static void test_levels_strategies_windows(void)
{
    static const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
                                     Z_FIXED};
    static const size_t sizes[] = {0, 1, 100, 20000, 100000};
    size_t cap = 100000 + 100000 / 8 + 1024;
    uint8_t *src = (uint8_t *)malloc(100000), *z = (uint8_t *)malloc(cap);
    int level, st, kind;
    size_t si;
    unsigned bits;
    for (kind = 0; kind < 5; kind++)
        for (si = 0; si < 5; si++) {
            size_t n = sizes[si];
            gen(src, n, kind, (unsigned)(kind * 10 + si));
            for (level = 0; level <= 9; level++)
                for (st = 0; st < 5; st++)
                    for (bits = 9; bits <= 15; bits += QUICK || n > 20000 ? 6 : 1) {
                        int mem = 1 + (int)((level + st + bits) % 9);
                        size_t zn =
                            zdeflate(src, n, z, cap, level, -(int)bits, mem, strategies[st], 0, 0);
                        CHECK(zn > 0);
                        CHECK(check_stream(z, zn, bits, src, n, 0, 0, 0));
                        if (level % 3 == 0 || n <= 100)
                            CHECK(check_stream(z, zn, bits, src, n, 0, 0,
                                               (unsigned)(level * 7 + st + 1)));
                        if (n <= 20000 && level % 4 == st % 4)
                            CHECK(check_stream(z, zn, bits, src, n, 1, 7, 0));
                    }
        }
    free(src);
    free(z);
}

static void test_flushes(void)
{
    static const int flushes[] = {Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_PARTIAL_FLUSH, Z_BLOCK};
    size_t n = 100000, cap = 2 * n + 65536;
    uint8_t *src = (uint8_t *)malloc(n), *z = (uint8_t *)malloc(cap);
    int f, level;
    size_t every;
    gen(src, n, 4, 3);
    for (f = 0; f < 4; f++)
        for (level = 1; level <= 9; level += 4)
            for (every = 1; every <= 10000; every *= 10) {
                size_t nn = every == 1 ? 3000 : n;
                size_t zn =
                    zdeflate(src, nn, z, cap, level, -15, 8, Z_DEFAULT_STRATEGY, every, flushes[f]);
                CHECK(check_stream(z, zn, 15, src, nn, 0, 0, 0));
                CHECK(check_stream(z, zn, 15, src, nn, 0, 0, (unsigned)(every + f)));
                CHECK(check_stream(z, zn, 15, src, nn, 5, 3, 0));
            }
    free(src);
    free(z);
}

static void test_every_split_and_output_size(void)
{
    uint8_t src[3000], z[4000];
    size_t n = sizeof src, zn, k;
    int level;
    for (level = 0; level <= 9; level += 3) {
        gen(src, n, 4, (unsigned)level);
        zn = zdeflate(src, n, z, sizeof z, level, -15, 8, Z_DEFAULT_STRATEGY, 500, Z_SYNC_FLUSH);
        for (k = 1; k <= zn; k += QUICK ? 17 : 1)
            CHECK(check_stream(z, zn, 15, src, n, k, 0, 0));
        for (k = 1; k <= 300; k += QUICK ? 23 : 1)
            CHECK(check_stream(z, zn, 15, src, n, 0, k, 0));
    }
}

/* ---- permessage-deflate ------------------------------------------------- */

/* Compresses one message as RFC 7692 section 7.2.1 says: sync flush, the
 * 00 00 ff ff tail removed. */
static size_t pmd_compress(z_stream *s, const uint8_t *msg, size_t n, uint8_t *out, size_t cap)
{
    s->next_in = (Bytef *)(uintptr_t)msg;
    s->avail_in = (uInt)n;
    s->next_out = out;
    s->avail_out = (uInt)cap;
    deflate(s, Z_SYNC_FLUSH);
    n = cap - s->avail_out;
    return n >= 4 && memcmp(out + n - 4, "\x00\x00\xff\xff", 4) == 0 ? n - 4 : 0;
}

static int pmd_inflate(wsx_inflater *z, const uint8_t *p, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    size_t iu, ou;
    int r;
    *out_len = 0;
    r = wsx_inflate(z, p, n, &iu, out, cap, &ou);
    *out_len = ou;
    if (r != WSX_INFLATE_NEED_INPUT || iu != n)
        return 0;
    r = wsx_inflate(z, WSX_DEFLATE_SYNC_TAIL, 4, &iu, out + ou, cap - ou, &ou);
    *out_len += ou;
    return r == WSX_INFLATE_NEED_INPUT && iu == 4 && wsx_inflater_between_blocks(z);
}

static void test_permessage_deflate(void)
{
    static const char *tokens[] = {" the", " fox", "Hello", ",", " world", ".", " token", "\\n"};
    uint8_t msg[200], z[400], out[200];
    int takeover;
    unsigned bits;
    for (takeover = 0; takeover < 2; takeover++)
        for (bits = 9; bits <= 15; bits += 3) {
            z_stream s;
            wsx_inflater in;
            static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
            size_t total = 0, ztotal = 0;
            int i, ok = 1;
            memset(&s, 0, sizeof s);
            deflateInit2(&s, 6, Z_DEFLATED, -(int)bits, 8, Z_DEFAULT_STRATEGY);
            wsx_inflater_init(&in, bits, mem, sizeof mem);
            for (i = 0; i < 2000; i++) {
                size_t n = (size_t)snprintf((char *)msg, sizeof msg, "{\"id\":%d,\"text\":\"%s\"}",
                                            i, tokens[i % 8]),
                       zn, on;
                if (i % 97 == 0)
                    n = 0; /* empty messages: the single byte 00 */
                if (!takeover) {
                    deflateReset(&s);
                    wsx_inflater_reset(&in, 0);
                }
                if (n == 0) { /* zlib makes nothing of it after a flush */
                    z[0] = 0;
                    zn = 1;
                } else {
                    zn = pmd_compress(&s, msg, n, z, sizeof z);
                }
                ok &= zn > 0;
                ok &= pmd_inflate(&in, z, zn, out, sizeof out, &on);
                ok &= on == n && memcmp(out, msg, n) == 0;
                total += n;
                ztotal += zn;
            }
            CHECK(ok);
            /* takeover is what makes tiny messages small */
            if (takeover)
                CHECK(ztotal * 2 < total);
            deflateEnd(&s);
        }
}

/* ---- gzip --------------------------------------------------------------- */

static size_t zgzip(const uint8_t *src, size_t n, uint8_t *out, size_t cap, gz_header *h, int level)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    deflateInit2(&s, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    if (h)
        deflateSetHeader(&s, h);
    s.next_in = (Bytef *)(uintptr_t)src;
    s.avail_in = (uInt)n;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    deflate(&s, Z_FINISH);
    n = cap - s.avail_out;
    deflateEnd(&s);
    return n;
}

static int gz_all(const uint8_t *buf, size_t n, size_t ichunk, size_t ochunk, uint8_t *out,
                  size_t cap, size_t *out_len, int *ends)
{
    static uint8_t mem[WSX_INFLATE_MEM_SIZE(15)];
    wsx_gzip_reader g;
    size_t in = 0, guard = 0;
    int r;
    *out_len = 0;
    *ends = 0;
    wsx_gzip_reader_init(&g, 15, mem, sizeof mem);
    for (;;) {
        size_t il = n - in < ichunk ? n - in : ichunk,
               ol = cap - *out_len < ochunk ? cap - *out_len : ochunk, iu, ou;
        r = wsx_gzip_read(&g, buf + in, il, &iu, out + *out_len, ol, &ou);
        if (r < 0)
            return r;
        in += iu;
        *out_len += ou;
        *ends += r == WSX_INFLATE_END;
        if (in == n && r != WSX_INFLATE_OUTPUT_FULL)
            return r;
        if (++guard > 4 * (n + cap) + 100)
            return 999;
    }
}

static void test_gzip_from_zlib(void)
{
    size_t n = 50000, cap = 2 * n + 1024, zn, ol;
    uint8_t *src = (uint8_t *)malloc(n), *z = (uint8_t *)malloc(2 * cap),
            *out = (uint8_t *)malloc(2 * n);
    gz_header h;
    int ends, with;
    gen(src, n, 4, 9);
    for (with = 0; with < 2; with++) {
        memset(&h, 0, sizeof h);
        h.text = 1;
        h.time = 1700000000;
        h.os = 3;
        if (with) {
            h.extra = (Bytef *)"AB\x04\x00wsx!";
            h.extra_len = 8;
            h.name = (Bytef *)"events.txt";
            h.comment = (Bytef *)"an event stream";
            h.hcrc = 1;
        }
        zn = zgzip(src, n, z, cap, &h, 6);
        CHECK_EQ(gz_all(z, zn, zn, 2 * n, out, 2 * n, &ol, &ends), WSX_INFLATE_END);
        CHECK(ol == n && memcmp(out, src, n) == 0 && ends == 1);
        CHECK_EQ(gz_all(z, zn, 1, 13, out, 2 * n, &ol, &ends), WSX_INFLATE_END);
        CHECK(ol == n && memcmp(out, src, n) == 0);
        /* two members back to back (what `cat a.gz b.gz` makes) */
        memcpy(z + zn, z, zn);
        CHECK_EQ(gz_all(z, 2 * zn, 777, 999, out, 2 * n, &ol, &ends), WSX_INFLATE_END);
        CHECK(ol == 2 * n && memcmp(out, src, n) == 0 && memcmp(out + n, src, n) == 0 && ends == 2);
        /* a bad CRC-32, a bad ISIZE */
        z[zn - 6] ^= 0x10;
        CHECK_EQ(gz_all(z, zn, 100, 1000, out, 2 * n, &ol, &ends), WSX_E_GZIP_CRC);
        z[zn - 6] ^= 0x10;
        z[zn - 2] ^= 0x01;
        CHECK_EQ(gz_all(z, zn, zn, 2 * n, out, 2 * n, &ol, &ends), WSX_E_GZIP_SIZE);
        z[zn - 2] ^= 0x01;
        if (with) { /* a header byte: FHCRC catches it */
            z[16] ^= 0x01;
            CHECK_EQ(gz_all(z, zn, 3, 1000, out, 2 * n, &ol, &ends), WSX_E_GZIP_HEADER_CRC);
            z[16] ^= 0x01;
        }
    }
    /* an event stream flushed after every event */
    {
        z_stream s;
        size_t k = 0, i;
        memset(&s, 0, sizeof s);
        deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
        s.next_out = z;
        s.avail_out = (uInt)cap;
        for (i = 0; i < 500; i++) {
            char ev[64];
            int l = snprintf(ev, sizeof ev, "id: %u\ndata: {\"t\":\"tok%u\"}\n\n", (unsigned)i,
                             (unsigned)(i % 7));
            memcpy(src + k, ev, (size_t)l);
            k += (size_t)l;
            s.next_in = (Bytef *)ev;
            s.avail_in = (uInt)l;
            deflate(&s, i == 499 ? Z_FINISH : Z_SYNC_FLUSH);
        }
        zn = cap - s.avail_out;
        deflateEnd(&s);
        CHECK_EQ(gz_all(z, zn, 9, 100000, out, 2 * n, &ol, &ends), WSX_INFLATE_END);
        CHECK(ol == k && memcmp(out, src, k) == 0);
    }
    free(src);
    free(z);
    free(out);
}

/* ---- corrupted streams: wsx and zlib agree ------------------------------ */

/* zlib's verdict on z[0..n): 1 end (out, consumed), 0 incomplete, -1 error. */
static int zinflate(const uint8_t *z, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                    size_t *used, int wbits)
{
    z_stream s;
    int r;
    memset(&s, 0, sizeof s);
    inflateInit2(&s, -wbits);
    s.next_in = (Bytef *)(uintptr_t)z;
    s.avail_in = (uInt)n;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    r = inflate(&s, Z_FINISH);
    *out_len = cap - s.avail_out;
    *used = n - s.avail_in;
    inflateEnd(&s);
    return r == Z_STREAM_END ? 1 : r == Z_DATA_ERROR ? -1 : 0;
}

static void test_corruptions_agree_with_zlib(void)
{
    size_t n = 4000, cap = 3 * n + 1024;
    uint8_t *src = (uint8_t *)malloc(n), *z = (uint8_t *)malloc(cap),
            *zo = (uint8_t *)malloc(1 << 20), *wo = (uint8_t *)malloc(1 << 20);
    int i, agree = 1;
    for (i = 0; i < (QUICK ? 300 : 6000); i++) {
        size_t zn, zl, zu, k, flips = 1 + rnd() % 3;
        wsx_inflater in;
        drive_result d;
        int zr;
        gen(src, n, (int)(rnd() % 5), (unsigned)i);
        zn =
            zdeflate(src, 1 + rnd() % n, z, cap, (int)(rnd() % 10), -15, 8, (int)(rnd() % 5), 0, 0);
        for (k = 0; k < flips; k++)
            z[rnd() % zn] ^= (uint8_t)(1u << (rnd() % 8));
        zr = zinflate(z, zn, zo, 1 << 20, &zl, &zu, 15);
        drive_new(&in, 15);
        d = drive(&in, z, zn, 1 + rnd() % 64, 1 + rnd() % 4096, 0, wo, 1 << 20);
        if (zl == 1 << 20 || d.out_len == 1 << 20)
            continue; /* a corruption that inflates past the room: no verdict */
        if (d.broken)
            agree = 0;
        else if (zr == 1)
            agree &= d.r == WSX_INFLATE_END && d.out_len == zl && d.in_used == zu &&
                     memcmp(wo, zo, zl) == 0;
        else if (zr == -1)
            agree &= d.r < 0;
        else /* zlib wants more: wsx too, with the same bytes so far, or an
              * all-zero code length code, which wsx refuses at once */
            agree &=
                (d.r == WSX_INFLATE_NEED_INPUT && d.out_len == zl && memcmp(wo, zo, zl) == 0) ||
                d.r == WSX_E_INFLATE_CODELEN_CODE;
        if (!agree) {
            fprintf(stderr, "  case %d: zlib %d (%zu out, %zu in) wsx %d (%zu out, %zu in)\n", i,
                    zr, zl, zu, d.r, d.out_len, d.in_used);
            break;
        }
    }
    CHECK(agree);
    free(src);
    free(z);
    free(zo);
    free(wo);
}

int main(void)
{
    RUN(test_levels_strategies_windows);
    RUN(test_flushes);
    RUN(test_every_split_and_output_size);
    RUN(test_permessage_deflate);
    RUN(test_gzip_from_zlib);
    RUN(test_corruptions_agree_with_zlib);
    free(drive_mem);
    return harness_done();
}
