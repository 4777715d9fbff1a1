/* A binary min-heap of deadlines (see timer_heap.h). */
#include "timer_heap.h"

#include <stdlib.h>

static void put(timer_heap *h, size_t i, timer_node *n)
{
    h->nodes[i] = n;
    n->slot = i + 1;
}

static void sift_up(timer_heap *h, size_t i)
{
    timer_node *n = h->nodes[i];
    while (i > 0 && h->nodes[(i - 1) / 2]->due > n->due) {
        put(h, i, h->nodes[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    put(h, i, n);
}

static void sift_down(timer_heap *h, size_t i)
{
    timer_node *n = h->nodes[i];
    for (;;) {
        size_t kid = 2 * i + 1;
        if (kid >= h->len)
            break;
        if (kid + 1 < h->len && h->nodes[kid + 1]->due < h->nodes[kid]->due)
            kid++;
        if (h->nodes[kid]->due >= n->due)
            break;
        put(h, i, h->nodes[kid]);
        i = kid;
    }
    put(h, i, n);
}

int timer_heap_reserve(timer_heap *h, size_t n)
{
    timer_node **grown;
    size_t cap = h->cap ? h->cap : 64;
    if (n <= h->cap)
        return 0;
    while (cap < n)
        cap *= 2;
    grown = (timer_node **)realloc(h->nodes, cap * sizeof *grown);
    if (!grown)
        return -1;
    h->nodes = grown;
    h->cap = cap;
    return 0;
}

void timer_heap_set(timer_heap *h, timer_node *n, uint64_t due)
{
    n->due = due;
    if (n->slot == 0) {
        put(h, h->len++, n);
        sift_up(h, h->len - 1);
    } else {
        sift_up(h, n->slot - 1);
        sift_down(h, n->slot - 1);
    }
}

void timer_heap_remove(timer_heap *h, timer_node *n)
{
    size_t i = n->slot - 1;
    timer_node *last;
    if (n->slot == 0)
        return;
    n->slot = 0;
    last = h->nodes[--h->len];
    if (last == n)
        return;
    put(h, i, last); /* the last node fills the hole, then moves */
    sift_up(h, i);
    sift_down(h, last->slot - 1);
}

timer_node *timer_heap_first(const timer_heap *h) { return h->len > 0 ? h->nodes[0] : NULL; }

void timer_heap_free(timer_heap *h)
{
    free(h->nodes);
    h->nodes = NULL;
    h->len = h->cap = 0;
}

/* ---- FIFO deadline lists ------------------------------------------------------- */

void timer_link_init(timer_link *l)
{
    l->list = TIMER_NO_LIST;
    l->prev = l->next = NULL;
    l->due = 0;
}

void timer_fifo_remove(timer_fifo *lists, timer_link *l)
{
    timer_fifo *f;
    if (l->list == TIMER_NO_LIST)
        return;
    f = &lists[l->list];
    if (l->prev)
        l->prev->next = l->next;
    else
        f->first = l->next;
    if (l->next)
        l->next->prev = l->prev;
    else
        f->last = l->prev;
    timer_link_init(l);
}

void timer_fifo_append(timer_fifo *lists, int list, timer_link *l, uint64_t due)
{
    timer_fifo *f = &lists[list];
    timer_fifo_remove(lists, l);
    l->list = list;
    l->due = due;
    l->prev = f->last;
    if (f->last)
        f->last->next = l;
    else
        f->first = l;
    f->last = l;
}
