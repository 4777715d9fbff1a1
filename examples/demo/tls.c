/*
 * tls.c — demo_server_tls: the demo over TLS (OpenSSL): https:// for the
 * page, the token stream and the live feed, wss:// for the chat.  Built
 * by `make examples OPENSSL=1` (links -lssl -lcrypto).
 *
 *   demo_server_tls --cert FILE --key FILE [demo_server options...]
 *
 * --cert is a PEM certificate (or chain), --key its PEM private key.  A
 * throwaway one for 127.0.0.1:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
 *     -days 30 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
 *     -keyout key.pem -out cert.pem
 * The page picks wss:// by itself when it was loaded over https://.
 *
 * It is the same server: only the transport (transport.h) changes.  What
 * TLS adds to a nonblocking event loop, and how this file handles it:
 *   1. SSL_ERROR_WANT_READ / SSL_ERROR_WANT_WRITE.  Either direction may
 *      need the other: SSL_read can need to write (handshake messages, a
 *      TLS 1.3 key update answer) and SSL_write can need to read.  Both
 *      return -1 with errno EAGAIN here; the connection remembers what it
 *      waits for, tls_interest adds EPOLLOUT (a read waiting to write) or
 *      EPOLLIN (a write waiting to read) to what epoll watches, and
 *      tls_ready reports a read waiting for writability as readable once
 *      the socket is writable, so the loop retries the read.
 *   2. Plaintext buffered inside OpenSSL.  SSL_read decrypts a whole record
 *      (up to 16 KiB) at once; when the caller's buffer was smaller, the
 *      rest waits in the SSL object and the socket will NOT become readable
 *      for it.  tls_buffered tells the loop, which then reads without
 *      waiting.
 *   3. SSL_write retries.  After WANT_READ/WANT_WRITE, OpenSSL requires the
 *      next SSL_write to repeat the same bytes.  A server on wsx naturally
 *      does: its pending output (wsx_ws_conn_output_vec, an HTTP buffer) is
 *      only consumed by what was written and only grows at its end.  Small
 *      pieces are gathered into one record of up to 16 KiB (one SSL_write,
 *      one TLS record, one syscall for many small frames); a retry gathers
 *      exactly the same length again.  SSL_MODE_ENABLE_PARTIAL_WRITE and
 *      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER make this legal.
 * TLS 1.2 and 1.3, ALPN "http/1.1" (browsers then never try HTTP/2 on this
 * port).  One event loop thread.
 */
#include "demo.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define TLS_RECORD_MAX 16384 /* largest TLS plaintext record */

typedef struct tls_conn {
    SSL *ssl;
    int broken;     /* fatal TLS or socket error: no close_notify */
    int eof;        /* close_notify or TCP EOF seen */
    int shut;       /* our close_notify was sent */
    int read_wants; /* 0, SSL_ERROR_WANT_READ or _WANT_WRITE */
    int write_wants;
    size_t retry_len;                    /* an SSL_write to repeat with this length, or 0 */
    unsigned char stage[TLS_RECORD_MAX]; /* small pieces gathered for SSL_write */
} tls_conn;

static SSL_CTX *tls_ctx;

/* ---- setup ------------------------------------------------------------------- */

static int tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
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
static int tls_setup(const char *cert_file, const char *key_file)
{
    tls_ctx = SSL_CTX_new(TLS_server_method());
    if (!tls_ctx)
        goto fail;
    SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
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

/* ---- the transport ----------------------------------------------------------------- */

/* A server-side SSL object on fd (the handshake runs inside the first
 * reads). */
static int tls_attach(int fd, void **conn)
{
    tls_conn *t = (tls_conn *)calloc(1, sizeof *t);
    if (!t)
        return -1;
    t->ssl = SSL_new(tls_ctx);
    if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
        SSL_free(t->ssl);
        free(t);
        return -1;
    }
    SSL_set_accept_state(t->ssl);
    *conn = t;
    return 0;
}

/* After a failed SSL_read/SSL_write: sets errno, marks the connection
 * broken for a fatal error.  Returns 0 for "try later", -1 for a broken
 * connection, 1 for EOF. */
static int tls_failure(tls_conn *t, int ret, int *wants)
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

static ssize_t tls_read(void *conn, int fd, void *buf, size_t n)
{
    tls_conn *t = (tls_conn *)conn;
    size_t got = 0;
    int wants = 0, st = 0;
    (void)fd;
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
    t->read_wants = wants;
    if (got > 0)
        return (ssize_t)got; /* an EOF or error is reported by the next call */
    if (st == 1)
        return 0;
    return -1; /* errno: EAGAIN, or the failure */
}

/* The next len bytes of iov after skipping `skip` bytes: inside one piece
 * when it holds them all, else gathered into stage. */
static const void *tls_gather(const struct iovec *iov, int iovcnt, size_t skip, size_t len,
                              unsigned char *stage)
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

static ssize_t tls_writev(void *conn, int fd, const struct iovec *iov, int iovcnt)
{
    tls_conn *t = (tls_conn *)conn;
    size_t total = 0, done = 0;
    int i, wants = 0;
    (void)fd;
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
    if (done > 0)
        return (ssize_t)done;
    return -1; /* errno: EAGAIN (wants set), or the failure */
}

/* Sends close_notify (best effort: nonblocking, not waited for). */
static void tls_notify_close(tls_conn *t)
{
    if (t->shut || t->broken || !SSL_is_init_finished(t->ssl))
        return;
    ERR_clear_error();
    SSL_shutdown(t->ssl);
    ERR_clear_error();
    t->shut = 1;
}

static void tls_shutdown(void *conn, int fd)
{
    tls_notify_close((tls_conn *)conn);
    shutdown(fd, SHUT_WR);
}

static void tls_detach(void *conn)
{
    tls_conn *t = (tls_conn *)conn;
    tls_notify_close(t);
    SSL_free(t->ssl);
    free(t);
}

/* What epoll must watch: the loop's interest plus what a blocked SSL_read
 * / SSL_write waits for. */
static uint32_t tls_interest(void *conn, uint32_t want)
{
    const tls_conn *t = (const tls_conn *)conn;
    if (t->read_wants == SSL_ERROR_WANT_WRITE)
        want |= EPOLLOUT;
    if (t->write_wants == SSL_ERROR_WANT_READ)
        want |= EPOLLIN;
    return want;
}

/* A read blocked on writability goes on once the socket is writable. */
static uint32_t tls_ready(void *conn, uint32_t events)
{
    const tls_conn *t = (const tls_conn *)conn;
    if (t->read_wants == SSL_ERROR_WANT_WRITE && (events & EPOLLOUT))
        events |= EPOLLIN;
    return events;
}

static int tls_buffered(void *conn)
{
    const tls_conn *t = (const tls_conn *)conn;
    return !t->broken && !t->eof && SSL_has_pending(t->ssl);
}

static const transport transport_tls = {"https",      tls_attach,   tls_read,
                                        tls_writev,   tls_shutdown, tls_detach,
                                        tls_interest, tls_ready,    tls_buffered};

/* ---- main ------------------------------------------------------------------------------ */

static void usage_tls(void)
{
    fputs("usage: demo_server_tls --cert FILE --key FILE [demo_server options]\n"
          "  --cert FILE   PEM certificate (chain) for https:// and wss://\n"
          "  --key FILE    its PEM private key\n"
          "  (demo_server --help lists the other options)\n",
          stderr);
}

int main(int argc, char **argv)
{
    const char *cert = NULL, *key = NULL;
    char **rest;
    int i, n = 0, status;
    rest = (char **)calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return 1;
    rest[n++] = argv[0];
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
            cert = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else
            rest[n++] = argv[i];
    }
    if (!cert || !key) {
        usage_tls();
        free(rest);
        return 2;
    }
    if (tls_setup(cert, key) != 0) {
        free(rest);
        return 1;
    }
    fprintf(stderr, "demo_server_tls: TLS with %s (serve https:// and wss://)\n", cert);
    status = demo_main(n, rest, &transport_tls);
    if (status == 2)
        usage_tls();
    SSL_CTX_free(tls_ctx);
    free(rest);
    return status;
}
