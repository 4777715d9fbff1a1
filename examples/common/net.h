/*
 * Small socket helpers shared by the wsx examples (Linux/POSIX).
 *
 * This is example code, not part of libwsx: the library never touches a
 * socket.  Everything here is plain BSD sockets so that a reader can see
 * exactly what an event loop around wsx has to do.  Functions return -1 and
 * leave errno set on failure unless stated otherwise.
 */
#ifndef WSX_EXAMPLES_NET_H
#define WSX_EXAMPLES_NET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- sockets ----------------------------------------------------------- */

/* Listening TCP socket on host:port (host NULL or "" = all IPv4
 * addresses; a name or an IPv6 literal also works), SO_REUSEADDR, backlog
 * given (<= 0: SOMAXCONN), nonblocking, close-on-exec.  port 0 lets the
 * kernel pick one: read it back with net_local_port(). */
int net_listen(const char *host, int port, int backlog);

/* The local port a socket is bound to, or -1. */
int net_local_port(int fd);

/* Accepts one pending connection as a nonblocking, close-on-exec socket with
 * TCP_NODELAY set.  Returns the fd, or -1 with errno EAGAIN when no
 * connection is pending (or another error: EMFILE, ECONNABORTED...). */
int net_accept(int listen_fd);

/* Ends a connection the server will not serve: writes answer (a whole
 * response, e.g. HTTP_BUSY_RESPONSE; NULL: none) if the socket takes it
 * at once, reads and discards what the client already sent (so that the
 * close does not reset the connection under the answer), half-closes,
 * closes.  Never blocks. */
void net_refuse(int fd, const char *answer);

/* Running out of descriptors.  After EMFILE/ENFILE a pending connection
 * keeps the listening socket readable and would spin the event loop: keep
 * a spare descriptor (net_spare_fd(), at start) and, when net_accept fails
 * so, call net_shed_connection(): it frees the spare, accepts the
 * connection and ends it at once with net_refuse(answer), then takes the
 * spare again.  Returns 1 when it shed one (accept again), 0 when it could
 * not (no spare, or nothing pending). */
int net_spare_fd(void);
int net_shed_connection(int listen_fd, int *spare_fd, const char *answer);

/* One step of an accept loop: net_accept, retried after EINTR and
 * ECONNABORTED.  Returns the new descriptor; NET_ACCEPT_SHED when it was
 * out of descriptors and refused one pending connection instead (with
 * spare_fd and answer, see above; spare_fd NULL never sheds): call it
 * again; or -1 when nothing more can be accepted now (errno EAGAIN, or
 * EMFILE & co). */
#define NET_ACCEPT_SHED (-2)
int net_accept_next(int listen_fd, int *spare_fd, const char *answer);

/* An epoll set (close-on-exec) watching listen_fd for EPOLLIN with
 * data.ptr NULL, which marks the listening socket.  Returns it, or -1. */
int net_epoll_listener(int listen_fd);

/* Blocking TCP connect to host:port (name or literal, IPv4 or IPv6), with
 * TCP_NODELAY set.  Returns the fd or -1. */
int net_connect(const char *host, int port);

/* net_connect with a time limit: each address of host in turn gets a
 * nonblocking connect(), then poll() for POLLOUT and SO_ERROR for the
 * result, all within timeout_ms in total (0: no limit but the system's).
 * Returns a blocking fd (TCP_NODELAY set), or -1 with errno: ETIMEDOUT
 * when time ran out, EINTR when a signal set net_stop meanwhile, else the
 * last address's error (ECONNREFUSED, ENETUNREACH...). */
int net_connect_timeout(const char *host, int port, uint64_t timeout_ms);

/* ---- slow readers --------------------------------------------------------- */

/* Bytes written to the socket fd that its peer has not acknowledged yet
 * (the kernel's send queue, ioctl SIOCOUTQ); 0 where the system cannot
 * tell. */
size_t net_unacked(int fd);

/* Whether a peer takes what is written to it: a peer that reads nothing
 * (its receive window stays shut) is "stalled" once bytes have waited for
 * it, in our buffer or in the kernel's, for stall_ms without it taking
 * any.  A slow reader that takes a little at a time is not stalled. */
typedef struct net_drain {
    uint64_t written;  /* bytes written to the socket in all */
    uint64_t taken;    /* of them, acknowledged at the last progress */
    uint64_t since_ms; /* time of the last progress */
    int idle;          /* nothing was waiting at the last check */
} net_drain;

void net_drain_init(net_drain *d);
/* n more bytes were written to the socket at now. */
void net_drain_wrote(net_drain *d, size_t n, uint64_t now);
/* 1 when the peer is stalled (see above); pending: our bytes not yet
 * written.  Asks the kernel at most once per stall_ms; *next_check gets
 * the time to ask again (UINT64_MAX while nothing waits). */
int net_drain_stalled(net_drain *d, int fd, size_t pending, uint64_t now, uint64_t stall_ms,
                      uint64_t *next_check);

int net_set_nonblocking(int fd, int on);
int net_set_nodelay(int fd);

/* Writes all len bytes to a blocking (or nonblocking, by polling) socket.
 * Returns 0, or -1 on error (EPIPE when the peer has gone). */
int net_write_all(int fd, const void *buf, size_t len);

/* ---- process ----------------------------------------------------------- */

/* Set to 1 by SIGINT or SIGTERM once net_catch_signals() has run.  Event
 * loops check it after every wait (signals interrupt epoll_wait/poll with
 * EINTR: the handlers are installed without SA_RESTART).  SIGPIPE is
 * ignored so a write to a closed socket returns EPIPE instead. */
extern volatile sig_atomic_t net_stop;
void net_catch_signals(void);

/* Milliseconds from CLOCK_MONOTONIC (never jumps with the wall clock). */
uint64_t net_now_ms(void);

/* Fills buf with n cryptographically random bytes (getrandom(), falling back
 * to /dev/urandom).  Returns 0 or -1. */
int net_random(void *buf, size_t n);

/* s[0..len) as a decimal number of 1 to 19 digits (a Last-Event-ID, a
 * Content-Length).  Returns 0 and *out, or -1. */
int net_parse_dec(const char *s, size_t len, uint64_t *out);

/* ---- URLs -------------------------------------------------------------- */

/* A parsed ws://, wss://, http:// or https:// URL.  host is without the
 * brackets of an IPv6 literal; host_header is what goes in a Host header
 * (brackets kept, ":port" only when not the default); target is the request
 * target: path (default "/") plus "?query", never the "#fragment". */
typedef struct net_url {
    char scheme[8]; /* "ws", "wss", "http" or "https", lower case */
    char host[256];
    int port; /* explicit, or 80 (ws, http) / 443 (wss, https) */
    int tls;  /* 1 for wss and https */
    char host_header[272];
    char target[2048];
} net_url;

/* Parses url into *out.  Returns 0, or -1 for an unknown scheme, userinfo,
 * an empty host, a bad port, or a part longer than its field. */
int net_parse_url(const char *url, net_url *out);

#endif
