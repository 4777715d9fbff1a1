/*
 * demo_server_tls — the wsx demo (examples/demo_server.c) over TLS:
 * https:// for the page, the token stream and the live feed, wss:// for
 * the chat.  Built by `make examples OPENSSL=1` (links -lssl -lcrypto).
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
 * How: it is the SAME server.  wsx never touches a socket, so nothing in
 * the WebSocket or SSE code changes; only the calls that move bytes do.
 * This file includes demo_server.c after renaming those calls (read,
 * writev, shutdown, close, the accept, epoll_ctl, epoll_wait) to the TLS
 * socket layer in examples/common/tls_socket.h, which runs them through
 * SSL_read / SSL_write with the nonblocking rules TLS needs (WANT_READ /
 * WANT_WRITE in either direction, plaintext buffered inside OpenSSL, the
 * same bytes on an SSL_write retry).  Descriptors that are not TLS sockets
 * (the page's files, the state file, the listening socket) go to the real
 * calls unchanged.  In your own server, call the tls_sock_* functions
 * directly instead of renaming.
 */

/* Every header demo_server.c includes, first, so that the renaming below
 * only touches its code, never a system declaration. */
#include "net.h"
#include "json.h"
#include "tls_socket.h"

#include <wsx.h>
#include <wsx_conn.h>
#include <wsx_handshake.h>
#include <wsx_http.h>
#include <wsx_sse.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define read(fd, buf, n) tls_sock_read(fd, buf, n)
#define writev(fd, iov, n) tls_sock_writev(fd, iov, n)
#define shutdown(fd, how) tls_sock_shutdown(fd, how)
#define close(fd) tls_sock_close(fd)
#define net_accept(lfd) tls_sock_accept(lfd)
#define epoll_ctl(ep, op, fd, ev) tls_sock_epoll_ctl(ep, op, fd, ev)
#define epoll_wait(ep, evs, max, timeout) tls_sock_epoll_wait(ep, evs, max, timeout)
#define main demo_server_main

#include "demo_server.c"

#undef main

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
    status = demo_server_main(n, rest);
    if (status == 2)
        usage_tls();
    tls_teardown();
    free(rest);
    return status;
}
