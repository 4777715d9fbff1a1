/*
 * demo_json — a tiny, strict JSON reader and writer for the few message
 * shapes of examples/demo_server.c.  Example code, not part of libwsx.
 *
 * It reads exactly one shape: an object whose member values are strings or
 * arrays of strings, e.g.
 *
 *     {"type":"chat","text":"hi","to":["ann","bob"]}
 *
 * Anything else (numbers, true/false/null, nested objects, arrays of
 * non-strings, duplicate keys, trailing bytes, more members than the caller
 * allows) is refused.  Strings follow RFC 8259 section 7: no raw control
 * characters, only the defined escapes, \u surrogates in pairs.  Bytes >=
 * 0x80 pass through as they are: check UTF-8 separately (a WebSocket text
 * message is already checked by the wsx decoder).
 *
 * Nothing is allocated and nothing is copied while reading: members are
 * slices of the input ("raw": the bytes between the quotes with escapes
 * left in, or the whole "[...]" of an array).  demo_json_unescape() turns a
 * raw string into bytes when needed, demo_json_escape() writes bytes as the
 * inside of a JSON string.  Work is linear in the input size.
 */
#ifndef WSX_DEMO_JSON_H
#define WSX_DEMO_JSON_H

#include <stddef.h>

typedef struct demo_json_member {
    const char *key;   /* raw key (escapes left in), not NUL-terminated */
    size_t key_len;
    int is_array;      /* 0: string, raw = its inside; 1: raw = "[...]" */
    const char *raw;
    size_t raw_len;
    size_t count;      /* arrays: number of strings */
} demo_json_member;

/* Parses json[0..len) as one object (surrounding whitespace allowed) into
 * members[0..max).  Returns the number of members (0..max), or -1 when the
 * input is not such an object or has more than max members or a key twice. */
int demo_json_object(const char *json, size_t len, demo_json_member *members, size_t max);

/* The member named key (compared with the raw key: a key written with
 * escapes does not match), or NULL. */
const demo_json_member *demo_json_find(const demo_json_member *m, size_t n, const char *key);

/* 1 if m is a string whose raw bytes equal the NUL-terminated want. */
int demo_json_is(const demo_json_member *m, const char *want);

/* Iterates over the strings of an array member: start with *pos = 0; each
 * call sets *raw and *raw_len to the next string's raw inside and returns 1, or
 * returns 0 at the end. */
int demo_json_array_next(const demo_json_member *m, size_t *pos, const char **raw,
                         size_t *raw_len);

/* Decodes the raw string raw[0..len) (already validated by
 * demo_json_object) into out[0..cap) as UTF-8.  Returns the byte count, or
 * -1 if it does not fit. */
long demo_json_unescape(const char *raw, size_t len, char *out, size_t cap);

/* Writes src[0..len) as the inside of a JSON string (no quotes): '"', '\'
 * and control characters escaped, everything else as it is.  Returns the
 * byte count, or -1 if it does not fit in out[0..cap).  At most 6 * len
 * bytes. */
long demo_json_escape(const char *src, size_t len, char *out, size_t cap);

#endif
