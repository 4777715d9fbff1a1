/*
 * transport.h — how the demo server moves a connection's bytes.
 *
 * wsx is sans-I/O: it never sees a socket, so it does not care whether the
 * bytes it decodes came from read() or SSL_read(), or whether the bytes it
 * queued leave through writev() or SSL_write().  The demo's event loop
 * reaches a connection's socket only through this table, so the same
 * server runs over plain TCP (plain.c: demo_server) or over TLS (tls.c:
 * demo_server_tls).  Files, the listening socket and the epoll set are
 * used directly.
 *
 * read and writev behave like the system calls: bytes, 0 at EOF, or -1
 * with errno EAGAIN when nothing can move now (another errno when the
 * connection is broken).  The other entries exist for what TLS adds to a
 * nonblocking loop:
 *   - either direction may wait for the other (a TLS read can need to
 *     write a handshake message, a write can need to read): `interest`
 *     turns what the loop wants into what epoll must watch, `ready` turns
 *     what epoll reported into what the loop should do;
 *   - decrypted bytes can wait inside the TLS library while the socket is
 *     not readable: `buffered` says so, and the loop reads them without
 *     waiting.
 * The loop calls `interest` after every read and write of a connection
 * (settle() in conn.c), so the watched events always match the state.
 */
#ifndef WSX_DEMO_TRANSPORT_H
#define WSX_DEMO_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct transport {
    const char *scheme; /* "http" or "https", for the listening line */
    /* Takes over an accepted socket: *conn gets its state (may be NULL).
     * Returns 0, or -1 (the caller closes fd). */
    int (*attach)(int fd, void **conn);
    ssize_t (*read)(void *conn, int fd, void *buf, size_t n);
    ssize_t (*writev)(void *conn, int fd, const struct iovec *iov, int n);
    /* We send nothing more (TLS: close_notify), then FIN. */
    void (*shutdown)(void *conn, int fd);
    /* Releases conn; the caller then closes fd. */
    void (*detach)(void *conn);
    /* The epoll events to watch when the loop wants `want`. */
    uint32_t (*interest)(void *conn, uint32_t want);
    /* The epoll events reported, as the loop should see them. */
    uint32_t (*ready)(void *conn, uint32_t events);
    /* 1 when a read would return bytes without the socket being readable;
     * NULL when that never happens. */
    int (*buffered)(void *conn);
} transport;

#endif
