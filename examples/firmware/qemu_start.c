/* Startup for running the Cortex-M4 build under qemu-arm (Linux user
 * mode): the loader already placed .data and zeroed .bss and gave us a
 * stack, so _start only calls main and exits through the Linux system
 * call (svc 0, r7 = __NR_exit), which Thumb-2 code on any ARMv7 runs. */
int main(void);

static void linux_exit(int status)
{
    register int r0 __asm__("r0") = status;
    register int r7 __asm__("r7") = 1;
    __asm__ volatile("svc 0" : : "r"(r0), "r"(r7) : "memory");
    for (;;) {
    }
}

void _start(void) { linux_exit(main()); }
