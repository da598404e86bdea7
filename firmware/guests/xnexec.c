/*
 * Calls code it has written into a data page. The hypervisor maps a domain's
 * pages outside its text execute-never, so the fetch is a prefetch abort
 * (permission fault) rather than a return: what a stack or heap overflow
 * that jumps into data does.
 */
#include "lib/guest.h"

void guest_upcall(unsigned ports) { (void)ports; }

/* One instruction, "bx lr", in .bss: page-aligned so that nothing else shares its page. */
static unsigned trampoline[1024] __attribute__((aligned(4096)));

int main(void)
{
    trampoline[0] = 0xe12fff1e;
    print("xnexec: calling code in a data page at 0x%x\n", (unsigned)trampoline);
    ((void (*)(void))trampoline)();
    print("xnexec: returned from a data page?\n");
    return 1;
}
