/*
 * The I/O-free part of the wsx echo servers (examples/ws_echo on epoll,
 * examples/ws_echo_uring on io_uring): their options, the wsx
 * configuration they derive, the opening handshake's answer and the echo
 * of decoded input into a connection's output queue, with backpressure.
 * The servers own the sockets, the buffers and the timers.
 *
 * Echo: input is decoded to the last byte it can be (wsx_ws_conn_recv) and
 * every message goes back with its type.  Messages are streamed, never
 * assembled: each piece of payload is queued at once (a message that
 * arrives whole in one buffer goes back as one frame; a longer one as a
 * fragmented message with our fragment boundaries), so memory does not
 * depend on the message size.  Before each event, the queue must have room
 * for the largest echo that event can cause; when it has not, decoding
 * stops (the session is "stalled") and the rest of the input waits for
 * the caller to write some output and call echo_resume.  A server that
 * sizes its reads (echo_read_room) is only ever stalled by compressed
 * input, which may inflate to anything.
 */
#ifndef WSX_EXAMPLES_ECHO_CORE_H
#define WSX_EXAMPLES_ECHO_CORE_H

#include "pmd.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- options ---------------------------------------------------------------- */

typedef struct echo_options {
    const char *host;
    int port;
    uint64_t max_message;  /* --max-message: 16 MiB by default */
    size_t buffer;         /* --buffer: read buffer size */
    size_t queue;          /* --queue: output queue per connection */
    uint64_t handshake_ms; /* --handshake-timeout */
    uint64_t ping_ms;      /* --ping-ms: heartbeat after this silence */
    uint64_t pong_ms;      /* --pong-timeout-ms */
    uint64_t message_ms;   /* --message-timeout-ms, 0: never */
    long max_connections;
    unsigned deflate_bits; /* --deflate-window-bits; 0: --no-deflate */
    int quiet;
} echo_options;

/* The common options' help, for a usage message. */
extern const char echo_options_help[];

/* Parses argv[1..argc) into o (defaults for what is absent).  Returns 0,
 * or -1 for an unknown option or a bad value. */
int echo_options_parse(int argc, char **argv, echo_options *o);

/* The connection and handshake configuration for o. */
void echo_config(const echo_options *o, wsx_ws_conn_config *conn_cfg, wsx_hs_server_config *hs_cfg);

/* ---- one connection's echo --------------------------------------------------- */

typedef struct echo_session {
    wsx_ws_conn conn;
    unsigned msg_opcode;  /* opcode of the message being echoed */
    int msg_streaming;    /* 1 once its first fragment went out */
    const uint8_t *piece; /* payload piece held back (see echo.c) */
    size_t piece_len;
    pmd_mem *pmd; /* permessage-deflate memory when agreed, else NULL */
    /* stalled: input[pend, pend + pend_len) is not decoded yet */
    int stalled;
    uint8_t *pend;
    size_t pend_len;
} echo_session;

/* Answers the request head req: on success (WSX_OK) resp[0..*resp_len)
 * holds the 101, e's connection is OPEN on out[0..out_cap) (with
 * compression when agreed) and its heartbeat clock starts at now.
 * Otherwise resp[0..*resp_len) holds the refusal to send (400, 426 ...;
 * *resp_len is 0 when there is none) and the wsx error is returned. */
int echo_open(echo_session *e, const wsx_hs_server_config *hs_cfg,
              const wsx_ws_conn_config *conn_cfg, const wsx_http_request *req, uint8_t *out,
              size_t out_cap, char *resp, size_t resp_cap, size_t *resp_len, uint64_t now);

/* Frees what echo_open allocated (e stays usable until reopened). */
void echo_close(echo_session *e);

/* Decodes buf[0..len) and queues every reply, as far as the queue allows
 * (see above): returns 0 when all of buf was decoded, 1 when e stalled
 * (buf must then stay as it is until echo_resume has decoded the rest).
 * The decoder unmasks buf in place. */
int echo_feed(echo_session *e, uint8_t *buf, size_t len, uint64_t now);

/* After output was written: goes on with stalled input.  Returns 0 when
 * all of it was decoded (or nothing was stalled), 1 while still stalled. */
int echo_resume(echo_session *e, uint64_t now);

/* A stalled session points into the input it was given (the rest not
 * decoded, and a piece of payload held back).  For a caller that must
 * reuse that input: echo_kept_from is the first byte within buf[0..len)
 * the session points at (buf + len when none), and echo_moved tells it
 * that the bytes at from[0..len) are now at to[0..len). */
uint8_t *echo_kept_from(const echo_session *e, uint8_t *buf, size_t len);
void echo_moved(echo_session *e, const uint8_t *from, size_t len, uint8_t *to);

/* How many bytes may be read now so that their echo surely fits in the
 * queue (at most cap). */
size_t echo_read_room(echo_session *e, size_t cap);

#endif
