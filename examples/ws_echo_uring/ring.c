/*
 * ring.c — ws_echo_uring's ring: setup with the flags the kernel has, the
 * provided-buffer ring, and the requests (see uring_echo.h).
 */
#include "uring_echo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The setups tried in turn: the first is what io_uring does best for one
 * thread that submits everything itself; the last works from 5.1 on. */
static const unsigned setup_flags[] = {
    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_COOP_TASKRUN,
    0,
};

/* The buffer ring: ring_buffers buffers of opt.buffer bytes, all given to
 * the kernel.  Returns 0, or -1 when the kernel has no buffer rings. */
static int setup_buffers(userver *s)
{
    struct io_uring_buf_reg reg;
    size_t ring_bytes = s->ring_buffers * sizeof(struct io_uring_buf);
    unsigned i;
    void *p = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    s->bufs = (struct io_uring_buf_ring *)p;
    io_uring_buf_ring_init(s->bufs);
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (unsigned long)p;
    reg.ring_entries = s->ring_buffers;
    reg.bgid = BUF_GROUP;
    if (io_uring_register_buf_ring(&s->ring, &reg, 0) != 0) {
        munmap(p, ring_bytes);
        s->bufs = NULL;
        return -1;
    }
    /* Every buffer of the ring gets used in turn (the kernel takes them
     * in the order they were given back): resident from the start. */
    p = mmap(NULL, s->ring_buffers * s->opt.buffer, PROT_READ | PROT_WRITE,
             MAP_ANONYMOUS | MAP_PRIVATE | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    s->buf_mem = (uint8_t *)p;
    for (i = 0; i < s->ring_buffers; i++)
        io_uring_buf_ring_add(s->bufs, ring_buffer(s, i), (unsigned)s->opt.buffer,
                              (unsigned short)i, io_uring_buf_ring_mask(s->ring_buffers), (int)i);
    io_uring_buf_ring_advance(s->bufs, (int)s->ring_buffers);
    return 0;
}

int ring_setup(userver *s)
{
    struct io_uring_params p;
    size_t i;
    int r = -ENOSYS, newest;
    for (i = 0; i < sizeof setup_flags / sizeof setup_flags[0]; i++) {
        memset(&p, 0, sizeof p);
        p.flags = setup_flags[i];
        p.cq_entries = 4 * s->ring_entries;
        p.flags |= IORING_SETUP_CQSIZE;
        r = io_uring_queue_init_params(s->ring_entries, &s->ring, &p);
        if (r == 0)
            break;
    }
    if (r != 0)
        return r;
    /* Multishot receive came in 6.0, DEFER_TASKRUN in 6.1, multishot
     * accept and buffer rings in 5.19: a kernel that took the first flags
     * has them all. */
    newest = i == 0;
    io_uring_register_ring_fd(&s->ring); /* io_uring_enter without fget */
    if (s->multishot && (!newest || setup_buffers(s) != 0)) {
        fputs("ws_echo_uring: no multishot receive with a buffer ring on this kernel: one "
              "receive per connection at a time\n",
              stderr);
        s->multishot = 0;
    }
    s->accept_multishot = newest;
    return 0;
}

void ring_teardown(userver *s)
{
    io_uring_queue_exit(&s->ring);
    if (s->bufs)
        munmap(s->bufs, s->ring_buffers * sizeof(struct io_uring_buf));
    if (s->buf_mem)
        munmap(s->buf_mem, s->ring_buffers * s->opt.buffer);
}

/* A free submission entry: when the queue is full, what is in it is
 * submitted first. */
struct io_uring_sqe *ring_sqe(userver *s)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    while (!sqe) {
        io_uring_submit(&s->ring);
        sqe = io_uring_get_sqe(&s->ring);
    }
    return sqe;
}

static void set_data(struct io_uring_sqe *sqe, void *owner, unsigned op)
{
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)owner | op);
}

void ring_arm_accept(userver *s)
{
    struct io_uring_sqe *sqe = ring_sqe(s);
    if (s->accept_multishot)
        io_uring_prep_multishot_accept(sqe, s->lfd, NULL, NULL, 0);
    else
        io_uring_prep_accept(sqe, s->lfd, NULL, NULL, 0);
    set_data(sqe, NULL, OP_ACCEPT);
    s->accept_on = 1;
}

void ring_arm_recv(userver *s, uconn *c)
{
    struct io_uring_sqe *sqe = ring_sqe(s);
    if (s->multishot) {
        io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = BUF_GROUP;
        /* The receive ends by itself once it has taken as many bytes as
         * the queue can take the echo of (the overall limit of a multishot
         * receive, sqe->optlen in newer headers: the word of file_index). */
        if (s->mshot_limit && c->phase == PH_OPEN &&
            wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN)
            sqe->file_index = (unsigned)echo_read_room(&c->echo, UINT32_MAX);
    } else {
        /* One receive, sized so that its echo fits (as ws_echo does). */
        size_t room = s->opt.buffer;
        if (c->phase == PH_OPEN && wsx_ws_conn_state(&c->echo.conn) == WSX_WS_OPEN)
            room = echo_read_room(&c->echo, room);
        io_uring_prep_recv(sqe, c->fd, c->in, room, 0);
    }
    set_data(sqe, c, OP_RECV);
    c->recv_on = 1;
    c->ops++;
}

void ring_cancel_recv(userver *s, uconn *c)
{
    struct io_uring_sqe *sqe;
    if (!c->recv_on || c->cancel_on)
        return;
    sqe = ring_sqe(s);
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)c | OP_RECV, 0);
    set_data(sqe, NULL, OP_CANCEL);
    c->cancel_on = 1;
}

void ring_send(userver *s, uconn *c, const struct iovec *iov, int n)
{
    struct io_uring_sqe *sqe = ring_sqe(s);
    size_t len = 0;
    int i;
    for (i = 0; i < n; i++)
        len += iov[i].iov_len;
    if (n == 1) {
        io_uring_prep_send(sqe, c->fd, iov[0].iov_base, len, MSG_NOSIGNAL);
    } else {
        memset(&c->msg, 0, sizeof c->msg);
        memcpy(c->iov, iov, (size_t)n * sizeof *iov);
        c->msg.msg_iov = c->iov;
        c->msg.msg_iovlen = (size_t)n;
        io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
    }
    set_data(sqe, c, OP_SEND);
    c->send_on = 1;
    c->send_len = len;
    c->ops++;
}

uint8_t *ring_buffer(userver *s, unsigned bid) { return s->buf_mem + (size_t)bid * s->opt.buffer; }

/* Buffers given back since the last ring_recycle_done. */
static int recycled;

void ring_recycle(userver *s, unsigned bid)
{
    io_uring_buf_ring_add(s->bufs, ring_buffer(s, bid), (unsigned)s->opt.buffer,
                          (unsigned short)bid, io_uring_buf_ring_mask(s->ring_buffers), recycled++);
}

void ring_recycle_done(userver *s)
{
    if (recycled)
        io_uring_buf_ring_advance(s->bufs, recycled);
    recycled = 0;
}
