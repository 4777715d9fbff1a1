/*
 * A binary min-heap of deadlines for the wsx examples' event loops.
 *
 * A connection with a deadline embeds a timer_node; the heap holds
 * pointers to the nodes ordered on `due`, and each node knows its slot, so
 * inserting, re-keying and removing are O(log n) and finding what is due
 * is O(1).  The owner of a node gets back to its connection with
 * TIMER_OWNER (offsetof).  Nothing is allocated but the pointer array,
 * and only by timer_heap_reserve: inserting never fails.
 */
#ifndef WSX_EXAMPLES_TIMER_HEAP_H
#define WSX_EXAMPLES_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct timer_node {
    uint64_t due; /* the key: when it is due (ms) */
    size_t slot;  /* index + 1 in the heap, 0 = not in it */
} timer_node;

typedef struct timer_heap {
    timer_node **nodes;
    size_t len, cap;
} timer_heap;

/* The struct of type `type` whose member `member` is the node n. */
#define TIMER_OWNER(n, type, member) ((type *)(void *)((char *)(n)-offsetof(type, member)))

/* Makes room for n nodes in all.  Returns 0, or -1 when out of memory. */
int timer_heap_reserve(timer_heap *h, size_t n);

/* Puts n in the heap with key due, or re-keys it when it is in already
 * (room reserved beforehand). */
void timer_heap_set(timer_heap *h, timer_node *n, uint64_t due);

/* Takes n out of the heap (nothing when it is not in it). */
void timer_heap_remove(timer_heap *h, timer_node *n);

/* The node due first, or NULL when the heap is empty. */
timer_node *timer_heap_first(const timer_heap *h);

/* Frees the pointer array (not the nodes). */
void timer_heap_free(timer_heap *h);

/* ---- FIFO deadline lists ------------------------------------------------------- */

/* For deadlines that all come after one fixed timeout (a handshake, a
 * lingering close): appending in time order keeps such a list sorted, so
 * the first entry is the one due first and every operation is O(1).  A
 * program keeps an array of timer_fifo, one per timeout; a timer_link is on
 * at most one of them (list is its index, TIMER_NO_LIST for none).  The
 * owner of a link gets back to its connection with TIMER_OWNER. */
#define TIMER_NO_LIST (-1)

typedef struct timer_link {
    uint64_t due;
    int list;
    struct timer_link *prev, *next;
} timer_link;

typedef struct timer_fifo {
    timer_link *first, *last;
} timer_fifo;

/* A link on no list. */
void timer_link_init(timer_link *l);
/* Takes l off its list (nothing when it is on none). */
void timer_fifo_remove(timer_fifo *lists, timer_link *l);
/* Moves l to the end of lists[list] with deadline due. */
void timer_fifo_append(timer_fifo *lists, int list, timer_link *l, uint64_t due);

#endif
