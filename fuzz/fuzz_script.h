/* The input of the scripted fuzz targets (fuzz_ws_conn.c,
 * fuzz_ws_conn_deflate.c) read as a script: bytes one at a time (0 once it
 * is used up), slices of it, and a deterministic "random" source for the
 * clients' masking keys. */
#ifndef FUZZ_SCRIPT_H
#define FUZZ_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t next(input *in)
{
    uint8_t b = 0;
    if (in->n) {
        b = *in->p++;
        in->n--;
    }
    return b;
}

/* Up to len bytes of the input itself (fewer at its end). */
static const uint8_t *take(input *in, size_t *len)
{
    const uint8_t *p = in->p;
    if (*len > in->n)
        *len = in->n;
    in->p += *len;
    in->n -= *len;
    return p;
}

/* ctx: an unsigned seed. */
static void fuzz_random(void *ctx, uint8_t *out, size_t n)
{
    unsigned *seed = (unsigned *)ctx;
    while (n--) {
        *seed = *seed * 1103515245u + 12345u;
        *out++ = (uint8_t)(*seed >> 16);
    }
}

#endif
