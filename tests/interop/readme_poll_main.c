/* Appended to the README's backpressure block by tests/interop/test_readme.sh:
 * a poll loop around it, one connection at a time, so the block is tested
 * with the same client as the README's first loop (readme_main.c, appended
 * after this file, gives it the accept loop). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* The upgrade, blocking; the bytes after the head become k's first input. */
static int handshake(int fd, client *k)
{
    char head[8192], answer[WSX_HS_RESPONSE_SIZE];
    size_t have = 0, n;
    wsx_http_parser hp;
    wsx_header hdrs[32];
    wsx_http_request req;
    int r;
    wsx_http_parser_init(&hp, NULL);
    do {
        ssize_t got = read(fd, head + have, sizeof head - have);
        if (got <= 0)
            return -1;
        have += (size_t)got;
    } while ((r = wsx_http_parse_request(&hp, head, have, hdrs, 32, &req)) == 0);
    if (r < 0 ||
        wsx_hs_server_answer_request(NULL, &req, NULL, answer, sizeof answer, &n) != WSX_OK)
        return -1;
    if (write(fd, answer, n) != (ssize_t)n)
        return -1;
    if (wsx_ws_conn_init(&k->conn, NULL, k->out, sizeof k->out) != WSX_OK)
        return -1;
    if (wsx_ws_conn_open(&k->conn, now_ms()) != WSX_OK)
        return -1;
    k->left = have - (size_t)r;
    memcpy(k->in, head + r, k->left);
    k->next = k->in;
    k->unsent_len = 0;
    k->end_pending = 0;
    return 0;
}

static int write_out(int fd, client *k)
{
    wsx_ws_chunk ch[WSX_WS_CONN_MAX_CHUNKS];
    struct iovec iov[WSX_WS_CONN_MAX_CHUNKS];
    size_t i, count = wsx_ws_conn_output_vec(&k->conn, ch);
    ssize_t w;
    for (i = 0; i < count; i++) {
        iov[i].iov_base = (void *)ch[i].data;
        iov[i].iov_len = ch[i].len;
    }
    w = writev(fd, iov, (int)count);
    if (w < 0)
        return errno == EAGAIN ? 0 : -1;
    return wsx_ws_conn_consume(&k->conn, (size_t)w);
}

static void serve(int fd)
{
    static client k;
    if (handshake(fd, &k) < 0)
        return;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    on_input(&k, now_ms());
    for (;;) {
        uint64_t deadline, now = now_ms();
        unsigned want = interest(&k, &deadline);
        struct pollfd p = {fd, 0, 0};
        if (want & WSX_WANT_CLOSE)
            return;
        p.events =
            (short)((want & WSX_WANT_READ ? POLLIN : 0) | (want & WSX_WANT_WRITE ? POLLOUT : 0));
        if (poll(&p, 1,
                 deadline == WSX_WS_NO_DEADLINE ? -1
                 : deadline <= now              ? 0
                                                : (int)(deadline - now)) < 0)
            return;
        now = now_ms();
        if (p.revents & POLLOUT) {
            if (write_out(fd, &k) < 0)
                return;
            if (k.left > 0 || k.unsent_len > 0 || k.end_pending)
                on_input(&k, now);
        }
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && (want & WSX_WANT_READ)) {
            ssize_t got = read(fd, k.in, sizeof k.in);
            if (got == 0 || (got < 0 && errno != EAGAIN))
                return;
            if (got > 0) {
                k.next = k.in;
                k.left = (size_t)got;
                on_input(&k, now);
            }
        }
        wsx_ws_conn_tick(&k.conn, now);
    }
}
