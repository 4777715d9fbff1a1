/*
 * Small socket helpers shared by the wsx examples.  See net.h.
 */
#include "net.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <linux/sockios.h> /* SIOCOUTQ */
#endif
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t net_stop = 0;

static struct addrinfo *resolve(const char *host, int port, int passive)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    snprintf(service, sizeof service, "%d", port);
    if (host && !*host)
        host = NULL;
    if (passive && !host)
        hints.ai_family = AF_INET;
    if (getaddrinfo(host, service, &hints, &res) != 0) {
        errno = EHOSTUNREACH;
        return NULL;
    }
    return res;
}

int net_listen(const char *host, int port, int backlog)
{
    struct addrinfo *res = resolve(host, port, 1), *ai;
    int fd = -1, one = 1;
    if (!res)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, backlog > 0 ? backlog : SOMAXCONN) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int net_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

int net_set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int net_set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags);
}

int net_accept(int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        net_set_nodelay(fd);
    return fd;
}

int net_spare_fd(void) { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

void net_refuse(int fd, const char *answer)
{
    char sink[4096];
    int reads = 0;
    if (answer)
        (void)send(fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
    while (reads++ < 16 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    shutdown(fd, SHUT_WR);
    close(fd);
}

int net_shed_connection(int listen_fd, int *spare_fd, const char *answer)
{
    int fd;
    if (*spare_fd < 0)
        return 0;
    close(*spare_fd);
    fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0)
        net_refuse(fd, answer);
    *spare_fd = net_spare_fd();
    return fd >= 0; /* EMFILE comes before "nothing pending" */
}

int net_accept_next(int listen_fd, int *spare_fd, const char *answer)
{
    for (;;) {
        int fd = net_accept(listen_fd);
        if (fd >= 0)
            return fd;
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if ((errno == EMFILE || errno == ENFILE) && spare_fd &&
            net_shed_connection(listen_fd, spare_fd, answer))
            return NET_ACCEPT_SHED;
        return -1;
    }
}

size_t net_unacked(int fd)
{
#ifdef SIOCOUTQ
    int n = 0;
    if (ioctl(fd, SIOCOUTQ, &n) == 0 && n > 0)
        return (size_t)n;
#else
    (void)fd;
#endif
    return 0;
}

void net_drain_init(net_drain *d)
{
    memset(d, 0, sizeof *d);
    d->idle = 1;
}

void net_drain_wrote(net_drain *d, size_t n, uint64_t now)
{
    if (d->idle) { /* the wait starts with the first byte after a pause */
        d->idle = 0;
        d->since_ms = now;
    }
    d->written += n;
}

int net_drain_stalled(net_drain *d, int fd, size_t pending, uint64_t now, uint64_t stall_ms,
                      uint64_t *next_check)
{
    uint64_t unacked, taken;
    *next_check = UINT64_MAX;
    if (d->idle && pending == 0)
        return 0;
    if (d->idle)
        net_drain_wrote(d, 0, now);
    if (now - d->since_ms < stall_ms) {
        *next_check = d->since_ms + stall_ms;
        return 0;
    }
    unacked = net_unacked(fd);
    taken = d->written > unacked ? d->written - unacked : 0;
    if (pending == 0 && unacked == 0) {
        d->idle = 1;
        d->taken = taken;
        return 0;
    }
    if (taken > d->taken) { /* progress: wait another stall_ms */
        d->taken = taken;
        d->since_ms = now;
        *next_check = now + stall_ms;
        return 0;
    }
    return 1;
}

int net_epoll_listener(int listen_fd)
{
    struct epoll_event ev;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return -1;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
        close(epfd);
        return -1;
    }
    return epfd;
}

int net_connect(const char *host, int port)
{
    struct addrinfo *res = resolve(host, port, 0), *ai;
    int fd = -1;
    if (!res)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        net_set_nodelay(fd);
    return fd;
}

/* One address for net_connect_timeout; deadline 0: none.  Polls in slices
 * so that a signal landing just before poll() is still seen soon. */
static int connect_one(const struct addrinfo *ai, uint64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    int err = 0, saved;
    socklen_t err_len = sizeof err;
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            goto fail;
        for (;;) { /* the handshake is under way: wait until it ends */
            struct pollfd pfd;
            uint64_t now = net_now_ms();
            int slice = 200;
            if (net_stop) {
                errno = EINTR;
                goto fail;
            }
            if (deadline && now >= deadline) {
                errno = ETIMEDOUT;
                goto fail;
            }
            if (deadline && deadline - now < (uint64_t)slice)
                slice = (int)(deadline - now);
            pfd.fd = fd;
            pfd.events = POLLOUT;
            if (poll(&pfd, 1, slice) > 0)
                break;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0)
            goto fail;
        if (err != 0) {
            errno = err;
            goto fail;
        }
    }
    if (net_set_nonblocking(fd, 0) < 0)
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int net_connect_timeout(const char *host, int port, uint64_t timeout_ms)
{
    uint64_t deadline = timeout_ms ? net_now_ms() + timeout_ms : 0;
    struct addrinfo *res = resolve(host, port, 0), *ai;
    int fd = -1;
    if (!res)
        return -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, deadline);
        if (fd < 0 && (errno == EINTR || (deadline && net_now_ms() >= deadline)))
            break; /* interrupted, or no time left for another address */
    }
    freeaddrinfo(res);
    if (fd >= 0)
        net_set_nodelay(fd);
    return fd;
}

int net_write_all(int fd, const void *buf, size_t len)
{
    const char *p = (const char *)buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd;
            pfd.fd = fd;
            pfd.events = POLLOUT;
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    net_stop = 1;
}

void net_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: waits return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

uint64_t net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int net_random(void *buf, size_t n)
{
    unsigned char *p = (unsigned char *)buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        p += got;
        n -= (size_t)got;
    }
    if (n > 0) { /* old kernel without getrandom(): fall back */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        while (n > 0) {
            ssize_t got = read(fd, p, n);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(fd);
                return -1;
            }
            p += got;
            n -= (size_t)got;
        }
        close(fd);
    }
    return 0;
}

/* ---- URLs ---------------------------------------------------------------- */

/* Copies s[0..n) into dst (capacity cap) with a NUL; -1 if it does not fit. */
static int copy_part(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static int parse_scheme(const char **pp, net_url *out)
{
    static const struct {
        const char *name;
        int port, tls;
    } schemes[] = {{"ws", 80, 0}, {"wss", 443, 1}, {"http", 80, 0}, {"https", 443, 1}};
    const char *p = *pp, *colon = strstr(p, "://");
    size_t i, n;
    if (!colon)
        return -1;
    n = (size_t)(colon - p);
    for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        if (strlen(schemes[i].name) == n && strncasecmp(p, schemes[i].name, n) == 0) {
            strcpy(out->scheme, schemes[i].name);
            out->port = schemes[i].port;
            out->tls = schemes[i].tls;
            *pp = colon + 3;
            return 0;
        }
    }
    return -1;
}

int net_parse_dec(const char *s, size_t len, uint64_t *out)
{
    size_t i;
    uint64_t v = 0;
    if (len == 0 || len > 19)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_port(const char *s, size_t n, int *port)
{
    long v = 0;
    size_t i;
    if (n == 0 || n > 5)
        return -1;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

/* authority = host [":" port]; host may be "[v6 literal]". */
static int parse_authority(const char *a, size_t n, net_url *out)
{
    const char *host = a, *port = NULL;
    size_t hostlen = n;
    int default_port = out->port;
    if (memchr(a, '@', n))
        return -1; /* userinfo: not supported (and a classic spoofing trick) */
    if (n > 0 && a[0] == '[') {
        const char *end = (const char *)memchr(a, ']', n);
        if (!end)
            return -1;
        host = a + 1;
        hostlen = (size_t)(end - host);
        if (end + 1 < a + n) {
            if (end[1] != ':')
                return -1;
            port = end + 2;
        }
    } else {
        const char *colon = (const char *)memchr(a, ':', n);
        if (colon) {
            hostlen = (size_t)(colon - a);
            port = colon + 1;
        }
    }
    if (hostlen == 0 || copy_part(out->host, sizeof out->host, host, hostlen) != 0)
        return -1;
    if (port && parse_port(port, (size_t)(a + n - port), &out->port) != 0)
        return -1;
    if (out->port == default_port)
        return copy_part(out->host_header, sizeof out->host_header, a,
                         port ? (size_t)(port - 1 - a) : n);
    return copy_part(out->host_header, sizeof out->host_header, a, n);
}

int net_parse_url(const char *url, net_url *out)
{
    const char *p = url, *end;
    size_t n;
    memset(out, 0, sizeof *out);
    if (!url || parse_scheme(&p, out) != 0)
        return -1;
    n = strcspn(p, "/?#");
    if (parse_authority(p, n, out) != 0)
        return -1;
    p += n;
    end = p + strcspn(p, "#");
    if (p == end || *p == '?') { /* no path: "/" then the query, if any */
        if ((size_t)(end - p) + 2 > sizeof out->target)
            return -1;
        out->target[0] = '/';
        memcpy(out->target + 1, p, (size_t)(end - p));
        out->target[(size_t)(end - p) + 1] = '\0';
        return 0;
    }
    return copy_part(out->target, sizeof out->target, p, (size_t)(end - p));
}
