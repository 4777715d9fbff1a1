/*
 * main.c — ws_echo_uring's options, setup and event loop (what it does
 * and how: uring_echo.h).
 */
#include "opt.h"
#include "uring_echo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: ws_echo_uring [ws_echo's options] [--ring-buffers N] [--ring-entries N]\n"
          "                     [--no-multishot]\n",
          stderr);
    fputs(echo_options_help, stderr);
    fputs("  --ring-buffers N       receive buffers (of --buffer bytes) shared by all\n"
          "                         connections (default 256, a power of 2)\n"
          "  --ring-entries N       submission queue entries (default 4096)\n"
          "  --no-multishot         one receive per connection into its own buffer\n"
          "                         (what kernels before 6.1 get)\n",
          stderr);
}

/* Takes this program's own options out of argv; the rest are ws_echo's.
 * Returns the new argc, or -1 for a bad value. */
static int own_options(int argc, char **argv, userver *s)
{
    int i, n = 1;
    s->ring_buffers = 256;
    s->ring_entries = 4096;
    s->multishot = 1;
    s->mshot_limit = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t k = 0;
        if (strcmp(a, "--no-multishot") == 0) {
            s->multishot = 0;
        } else if (strcmp(a, "--ring-buffers") == 0 || strcmp(a, "--ring-entries") == 0) {
            if (opt_u64(v, 1, 32768, &k) != 0 || (k & (k - 1)) != 0)
                return -1;
            if (a[7] == 'b')
                s->ring_buffers = (unsigned)k;
            else
                s->ring_entries = (unsigned)k;
            i++;
        } else {
            argv[n++] = argv[i];
        }
    }
    return n;
}

/* One completion. */
static void dispatch(userver *s, const struct io_uring_cqe *cqe)
{
    uint64_t data = io_uring_cqe_get_data64(cqe);
    uconn *c = (uconn *)(uintptr_t)(data & ~(uint64_t)7);
    int more = (cqe->flags & IORING_CQE_F_MORE) != 0;
    switch (data & 7) {
    case OP_ACCEPT:
        on_accept(s, cqe->res, more);
        break;
    case OP_RECV:
        if (cqe->flags & IORING_CQE_F_BUFFER) {
            unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
            on_recv(s, c, cqe->res, ring_buffer(s, bid), more);
            ring_recycle(s, bid);
        } else {
            on_recv(s, c, cqe->res, c->in, more);
        }
        break;
    case OP_SEND:
        on_send(s, c, cqe->res);
        break;
    default: /* OP_CANCEL: the receive's own completion says it ended */
        break;
    }
}

static void settle_dirty(userver *s)
{
    while (s->dirty) {
        uconn *c = s->dirty;
        s->dirty = c->next_dirty;
        c->dirty = 0;
        settle(s, c);
    }
}

/* Submits what is queued and waits for a completion or timeout_ms (-1:
 * none); then handles every completion there is.  Returns 0, or -1 when
 * the ring failed. */
static int wait_and_handle(userver *s, int timeout_ms)
{
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts;
    unsigned head, n = 0;
    int r;
    if (timeout_ms < 0) {
        r = io_uring_submit_and_wait(&s->ring, 1);
    } else {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
        r = io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &ts, NULL);
    }
    if (r < 0 && r != -EINTR && r != -ETIME && r != -EAGAIN && r != -EBUSY) {
        fprintf(stderr, "ws_echo_uring: io_uring_enter: %s\n", strerror(-r));
        return -1;
    }
    io_uring_for_each_cqe(&s->ring, head, cqe)
    {
        dispatch(s, cqe);
        n++;
    }
    io_uring_cq_advance(&s->ring, n);
    if (s->multishot)
        ring_recycle_done(s);
    return 0;
}

int main(int argc, char **argv)
{
    static userver s;
    int r;
    argc = own_options(argc, argv, &s);
    if (argc < 0 || echo_options_parse(argc, argv, &s.opt) != 0) {
        usage();
        return 2;
    }
    quiet = s.opt.quiet;
    echo_config(&s.opt, &s.conn_cfg, &s.hs_cfg);
    net_catch_signals();
    s.lfd = net_listen(s.opt.host, s.opt.port, 1024);
    if (s.lfd < 0) {
        fprintf(stderr, "ws_echo_uring: cannot listen on %s:%d: %s\n", s.opt.host, s.opt.port,
                strerror(errno));
        return 1;
    }
    s.spare_fd = net_spare_fd();
    r = ring_setup(&s);
    if (r < 0) {
        fprintf(stderr, "ws_echo_uring: io_uring is not available: %s\n", strerror(-r));
        return 1;
    }
    printf("ws_echo_uring listening on ws://%s:%d/ (%s)\n", s.opt.host, net_local_port(s.lfd),
           s.multishot ? "multishot receive, buffer ring" : "one receive per connection");
    fflush(stdout);

    while (!net_stop) {
        int timeout;
        run_timers(&s);
        settle_dirty(&s);
        timeout = run_timers(&s); /* settling may have set new deadlines */
        settle_dirty(&s);
        if (!s.accept_on)
            ring_arm_accept(&s);
        if (wait_and_handle(&s, timeout) != 0)
            return 1;
        settle_dirty(&s);
    }
    ring_teardown(&s);
    close_all(&s);
    close(s.lfd);
    if (s.spare_fd >= 0)
        close(s.spare_fd);
    if (!quiet)
        fprintf(stderr, "ws_echo_uring: stopped (%lu receives found the buffer ring empty)\n",
                s.enobufs);
    return 0;
}
