/*
 * tls_socket.h — TLS (OpenSSL) under a nonblocking epoll server, with the
 * same shape as the socket calls it replaces.  For the *_tls examples only
 * (header-only, so that the plain examples never need libssl).
 *
 * wsx is sans-I/O: it never sees a socket, so it does not care whether the
 * bytes it decodes came from read() or from SSL_read(), or whether the
 * bytes it queued leave through writev() or SSL_write().  A server gets TLS
 * by changing only the calls that move bytes:
 *
 *   plain                    TLS (this file)
 *   fd = net_accept(lfd)     fd = tls_sock_accept(lfd): accepts, attaches
 *                            an SSL object in server mode (the handshake
 *                            runs inside the first reads)
 *   read(fd, buf, n)         tls_sock_read(fd, buf, n)      SSL_read
 *   writev(fd, iov, n)       tls_sock_writev(fd, iov, n)    SSL_write
 *   shutdown(fd, SHUT_WR)    tls_sock_shutdown(fd, how)     close_notify + FIN
 *   close(fd)                tls_sock_close(fd)             close_notify, SSL_free
 *   epoll_ctl / epoll_wait   tls_sock_epoll_ctl / _wait     see below
 *
 * Each returns what the plain call would: bytes, 0 at EOF (close_notify, or
 * the peer closing TCP), or -1 with errno EAGAIN when it cannot go on now,
 * another errno when the connection is broken (EPROTO for a TLS failure).
 * Descriptors that are not TLS sockets (files, the listening socket, the
 * epoll set) pass straight through.
 *
 * The three things TLS adds to a nonblocking event loop:
 *   1. SSL_ERROR_WANT_READ / SSL_ERROR_WANT_WRITE.  Either direction may
 *      need the other: SSL_read can need to write (handshake messages, a
 *      TLS 1.3 key update answer) and SSL_write can need to read.  Both
 *      show up here as EAGAIN; the socket remembers what it waits for and
 *      adds EPOLLOUT (a read waiting to write) or EPOLLIN (a write waiting
 *      to read) to its epoll interest behind the application's back, and
 *      tls_sock_epoll_wait reports a read waiting for writability as
 *      EPOLLIN, so the application retries the read.
 *   2. Plaintext buffered inside OpenSSL.  SSL_read decrypts a whole record
 *      (up to 16 KiB) at once; when the caller's buffer was smaller, the
 *      rest waits in the SSL object and the socket will NOT become readable
 *      for it.  tls_sock_epoll_wait reports such sockets as readable (with
 *      a zero timeout) as long as the application wants EPOLLIN.
 *   3. SSL_write retries.  After WANT_READ/WANT_WRITE, OpenSSL requires the
 *      next SSL_write to repeat the same bytes.  A server on wsx naturally
 *      does: its pending output (wsx_ws_conn_output_vec, an HTTP buffer) is
 *      only consumed by what was written and only grows at its end.  Small
 *      pieces are gathered into one record of up to 16 KiB (one SSL_write,
 *      one TLS record, one syscall for many small frames); a retry gathers
 *      exactly the same length again.  SSL_MODE_ENABLE_PARTIAL_WRITE and
 *      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER make this legal.
 *
 * Setup: tls_setup(cert_file, key_file) once (PEM; the certificate file may
 * hold the chain), tls_teardown() at the end.  TLS 1.2 and 1.3, ALPN
 * "http/1.1" (browsers then never try HTTP/2 on this port).
 * Not thread-safe: one event loop thread.
 */
#ifndef WSX_EXAMPLES_TLS_SOCKET_H
#define WSX_EXAMPLES_TLS_SOCKET_H

#include "net.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define TLS_RECORD_MAX 16384 /* largest TLS plaintext record */

typedef struct tls_sock {
    int fd;
    SSL *ssl;
    int broken;              /* fatal TLS or socket error: no close_notify */
    int eof;                 /* close_notify or TCP EOF seen */
    int shut;                /* our close_notify was sent */
    int read_wants;          /* 0, SSL_ERROR_WANT_READ or _WANT_WRITE */
    int write_wants;
    size_t retry_len;        /* an SSL_write to repeat with this length, or 0 */
    int epfd;                /* epoll set it is in, or -1 */
    uint32_t app_events;     /* the interest the application asked for */
    uint32_t kernel_events;  /* the interest registered (plus our needs) */
    epoll_data_t data;       /* the application's epoll data */
    struct tls_sock *next;   /* every open TLS socket */
    unsigned char stage[TLS_RECORD_MAX]; /* small pieces gathered for SSL_write */
} tls_sock;

static SSL_CTX *tls_ctx;
static tls_sock **tls_by_fd;  /* indexed by descriptor */
static size_t tls_by_fd_cap;
static tls_sock *tls_all;
static int tls_reads_blocked; /* sockets whose read waits for writability */

static inline tls_sock *tls_lookup(int fd)
{
    return fd >= 0 && (size_t)fd < tls_by_fd_cap ? tls_by_fd[fd] : NULL;
}

/* ---- setup ------------------------------------------------------------------- */

static inline int tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                  const unsigned char *in, unsigned int inlen, void *arg)
{
    static const unsigned char http11[] = "\x08http/1.1";
    unsigned char *sel = NULL;
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&sel, outlen, http11, sizeof http11 - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK; /* no ALPN in common: go on without */
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

/* Loads the certificate (chain) and key.  Returns 0, or -1 after printing
 * OpenSSL's reasons to stderr. */
static inline int tls_setup(const char *cert_file, const char *key_file)
{
    tls_ctx = SSL_CTX_new(TLS_server_method());
    if (!tls_ctx)
        goto fail;
    SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* Browsers often close without close_notify; for HTTP/1.1 framing that
     * is a plain EOF, not an attack (every body here is self-delimiting or
     * chunked). */
    SSL_CTX_set_options(tls_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_alpn_select_cb(tls_ctx, tls_alpn_select, NULL);
    if (SSL_CTX_use_certificate_chain_file(tls_ctx, cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(tls_ctx) != 1)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "TLS setup failed (certificate %s, key %s):\n", cert_file, key_file);
    ERR_print_errors_fp(stderr);
    SSL_CTX_free(tls_ctx);
    tls_ctx = NULL;
    return -1;
}

static inline void tls_teardown(void)
{
    SSL_CTX_free(tls_ctx);
    tls_ctx = NULL;
    free(tls_by_fd);
    tls_by_fd = NULL;
    tls_by_fd_cap = 0;
}

/* ---- epoll interest ---------------------------------------------------------- */

/* What the kernel must watch: the application's interest plus what a
 * blocked SSL_read / SSL_write waits for. */
static inline uint32_t tls_wanted_events(const tls_sock *t)
{
    uint32_t ev = t->app_events;
    if (t->read_wants == SSL_ERROR_WANT_WRITE)
        ev |= EPOLLOUT;
    if (t->write_wants == SSL_ERROR_WANT_READ)
        ev |= EPOLLIN;
    return ev;
}

static inline void tls_sync_events(tls_sock *t)
{
    struct epoll_event ev;
    uint32_t want = tls_wanted_events(t);
    if (t->epfd < 0 || want == t->kernel_events)
        return;
    ev.events = want;
    ev.data = t->data;
    if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, t->fd, &ev) == 0)
        t->kernel_events = want;
}

static inline void tls_set_read_wants(tls_sock *t, int wants)
{
    tls_reads_blocked += (wants == SSL_ERROR_WANT_WRITE) - (t->read_wants == SSL_ERROR_WANT_WRITE);
    t->read_wants = wants;
}

static inline int tls_sock_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    tls_sock *t = tls_lookup(fd);
    struct epoll_event mine;
    int r;
    if (!t || !ev || op == EPOLL_CTL_DEL) {
        if (t && op == EPOLL_CTL_DEL)
            t->epfd = -1;
        return epoll_ctl(epfd, op, fd, ev);
    }
    t->app_events = ev->events;
    t->data = ev->data;
    mine.events = tls_wanted_events(t);
    mine.data = ev->data;
    r = epoll_ctl(epfd, op, fd, &mine);
    if (r == 0) {
        t->epfd = epfd;
        t->kernel_events = mine.events;
    }
    return r;
}

static inline int tls_same_data(epoll_data_t a, epoll_data_t b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* epoll_wait, plus: sockets with decrypted bytes waiting inside OpenSSL
 * are reported readable (without waiting), and a read blocked on
 * writability is reported as EPOLLIN once the socket is writable. */
static inline int tls_sock_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)
{
    int nsyn = 0, n, i, j;
    tls_sock *t;
    for (t = tls_all; t && nsyn < max - 1; t = t->next) {
        if (t->epfd == epfd && (t->app_events & EPOLLIN) && !t->broken && !t->eof &&
            SSL_has_pending(t->ssl)) {
            events[nsyn].events = EPOLLIN;
            events[nsyn].data = t->data;
            nsyn++;
        }
    }
    n = epoll_wait(epfd, events + nsyn, max - nsyn, nsyn > 0 ? 0 : timeout);
    if (n < 0)
        return nsyn > 0 ? nsyn : n;
    for (i = nsyn; i < nsyn + n; i++) {
        if (tls_reads_blocked > 0 && (events[i].events & EPOLLOUT)) {
            for (t = tls_all; t; t = t->next)
                if (t->read_wants == SSL_ERROR_WANT_WRITE && tls_same_data(t->data, events[i].data))
                    events[i].events |= EPOLLIN;
        }
        for (j = 0; j < nsyn; j++) {
            if (tls_same_data(events[j].data, events[i].data)) {
                /* already reported: merge, drop this one */
                events[j].events |= events[i].events;
                events[i] = events[nsyn + n - 1];
                n--;
                i--;
                break;
            }
        }
    }
    return nsyn + n;
}

/* ---- accept, read, write, close ----------------------------------------------- */

/* net_accept() plus a server-side SSL object.  Returns the descriptor or
 * -1 (errno from accept, or ENOMEM). */
static inline int tls_sock_accept(int listen_fd)
{
    tls_sock *t;
    int fd = net_accept(listen_fd);
    if (fd < 0)
        return -1;
    if ((size_t)fd >= tls_by_fd_cap) {
        size_t cap = tls_by_fd_cap ? tls_by_fd_cap : 64, i;
        tls_sock **grown;
        while (cap <= (size_t)fd)
            cap *= 2;
        grown = (tls_sock **)realloc(tls_by_fd, cap * sizeof *grown);
        if (!grown)
            goto nomem;
        for (i = tls_by_fd_cap; i < cap; i++)
            grown[i] = NULL;
        tls_by_fd = grown;
        tls_by_fd_cap = cap;
    }
    t = (tls_sock *)calloc(1, sizeof *t);
    if (!t)
        goto nomem;
    t->ssl = SSL_new(tls_ctx);
    if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
        SSL_free(t->ssl);
        free(t);
        goto nomem;
    }
    SSL_set_accept_state(t->ssl);
    t->fd = fd;
    t->epfd = -1;
    t->next = tls_all;
    tls_all = t;
    tls_by_fd[fd] = t;
    return fd;
nomem:
    close(fd);
    errno = ENOMEM;
    return -1;
}

/* After a failed SSL_read/SSL_write: sets errno, marks the socket broken
 * for a fatal error.  Returns 0 for "try later", -1 for a broken socket,
 * 1 for EOF. */
static inline int tls_failure(tls_sock *t, int ret, int *wants)
{
    int e = errno;
    int err = SSL_get_error(t->ssl, ret);
    switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        *wants = err;
        errno = EAGAIN;
        return 0;
    case SSL_ERROR_ZERO_RETURN: /* close_notify */
        t->eof = 1;
        return 1;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (e == 0) { /* TCP EOF without close_notify (older OpenSSL) */
            t->eof = 1;
            return 1;
        }
        t->broken = 1;
        errno = e;
        return -1;
    default: /* SSL_ERROR_SSL: handshake failure, bad record, alert */
        ERR_clear_error();
        t->broken = 1;
        errno = EPROTO;
        return -1;
    }
}

static inline ssize_t tls_sock_read(int fd, void *buf, size_t n)
{
    tls_sock *t = tls_lookup(fd);
    size_t got = 0;
    int wants = 0, st = 0;
    if (!t)
        return read(fd, buf, n);
    if (t->broken) {
        errno = ECONNRESET;
        return -1;
    }
    if (t->eof)
        return 0;
    /* Several records per call, until the buffer is full or the socket is
     * drained: fewer trips around the event loop. */
    while (got < n) {
        int want = n - got > INT_MAX ? INT_MAX : (int)(n - got);
        int r;
        ERR_clear_error();
        errno = 0;
        r = SSL_read(t->ssl, (unsigned char *)buf + got, want);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        st = tls_failure(t, r, &wants);
        break;
    }
    tls_set_read_wants(t, wants);
    tls_sync_events(t);
    if (got > 0)
        return (ssize_t)got; /* an EOF or error is reported by the next call */
    if (st == 1)
        return 0;
    return -1; /* errno: EAGAIN, or the failure */
}

/* Points *p at the next len bytes of iov after skipping `skip` bytes:
 * inside one piece when it holds them all, else gathered into stage. */
static inline const void *tls_gather(const struct iovec *iov, int iovcnt, size_t skip,
                                     size_t len, unsigned char *stage)
{
    size_t copied = 0;
    int i;
    for (i = 0; i < iovcnt && skip >= iov[i].iov_len; i++)
        skip -= iov[i].iov_len;
    if (i < iovcnt && iov[i].iov_len - skip >= len)
        return (const unsigned char *)iov[i].iov_base + skip;
    for (; i < iovcnt && copied < len; i++, skip = 0) {
        size_t k = iov[i].iov_len - skip;
        if (k > len - copied)
            k = len - copied;
        memcpy(stage + copied, (const unsigned char *)iov[i].iov_base + skip, k);
        copied += k;
    }
    return stage;
}

static inline ssize_t tls_sock_writev(int fd, const struct iovec *iov, int iovcnt)
{
    tls_sock *t = tls_lookup(fd);
    size_t total = 0, done = 0;
    int i, wants = 0;
    if (!t)
        return writev(fd, iov, iovcnt);
    if (t->broken) {
        errno = EPIPE;
        return -1;
    }
    for (i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    while (done < total) {
        size_t len = total - done < TLS_RECORD_MAX ? total - done : TLS_RECORD_MAX;
        const void *p;
        int r;
        if (t->retry_len > 0) /* OpenSSL wants the same bytes again */
            len = t->retry_len <= total - done ? t->retry_len : total - done;
        p = tls_gather(iov, iovcnt, done, len, t->stage);
        ERR_clear_error();
        errno = 0;
        r = SSL_write(t->ssl, p, (int)len);
        if (r > 0) {
            done += (size_t)r;
            t->retry_len = 0;
            continue;
        }
        if (tls_failure(t, r, &wants) == 0) {
            t->retry_len = len;
            break;
        }
        if (!t->broken) { /* "EOF" while writing: the peer is gone */
            t->broken = 1;
            errno = EPIPE;
        }
        break;
    }
    t->write_wants = wants;
    tls_sync_events(t);
    if (done > 0)
        return (ssize_t)done;
    return -1; /* errno: EAGAIN (wants set), or the failure */
}

/* Sends close_notify (best effort: nonblocking, not waited for). */
static inline void tls_notify_close(tls_sock *t)
{
    if (t->shut || t->broken || !SSL_is_init_finished(t->ssl))
        return;
    ERR_clear_error();
    SSL_shutdown(t->ssl);
    ERR_clear_error();
    t->shut = 1;
}

static inline int tls_sock_shutdown(int fd, int how)
{
    tls_sock *t = tls_lookup(fd);
    if (t && how != SHUT_RD)
        tls_notify_close(t);
    return shutdown(fd, how);
}

static inline int tls_sock_close(int fd)
{
    tls_sock *t = tls_lookup(fd);
    if (t) {
        tls_sock **pp;
        tls_notify_close(t);
        tls_set_read_wants(t, 0);
        for (pp = &tls_all; *pp != t; pp = &(*pp)->next)
            ;
        *pp = t->next;
        tls_by_fd[fd] = NULL;
        SSL_free(t->ssl);
        free(t);
    }
    return close(fd);
}

#endif
