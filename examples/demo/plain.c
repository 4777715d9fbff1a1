/*
 * plain.c — demo_server: the demo over plain TCP (http:// and ws://).
 * The transport is the system calls themselves.
 */
#include "demo.h"

#include <sys/socket.h>
#include <unistd.h>

static int plain_attach(int fd, void **conn)
{
    (void)fd;
    *conn = NULL;
    return 0;
}

static ssize_t plain_read(void *conn, int fd, void *buf, size_t n)
{
    (void)conn;
    return read(fd, buf, n);
}

static ssize_t plain_writev(void *conn, int fd, const struct iovec *iov, int n)
{
    (void)conn;
    return writev(fd, iov, n);
}

static void plain_shutdown(void *conn, int fd)
{
    (void)conn;
    shutdown(fd, SHUT_WR);
}

static void plain_detach(void *conn) { (void)conn; }

static uint32_t plain_events(void *conn, uint32_t events)
{
    (void)conn;
    return events;
}

const transport transport_plain = {"http",       plain_attach,   plain_read,
                                   plain_writev, plain_shutdown, plain_detach,
                                   plain_events, plain_events,   NULL};

int main(int argc, char **argv) { return demo_main(argc, argv, &transport_plain); }
