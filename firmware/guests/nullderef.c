/* A deliberate NULL dereference, two calls deep: the hypervisor's fault dump and on-fault policy. */
#include "lib/guest.h"

void guest_upcall(unsigned ports) { (void)ports; }

int *volatile target;       /* NULL (the hypervisor zeroes domain memory); volatile: the compiler cannot know */

__attribute__((noipa)) static int load(int *p, int bias)
{
    return *p + bias;
}

__attribute__((noipa)) static int walk(int depth)
{
    return depth ? walk(depth - 1) + 1 : load(target, 0x5a5a);
}

int main(void)
{
    print("nullderef: dereferencing NULL\n");
    int v = walk(2);
    print("nullderef: survived (%d)?\n", v);
    return 1;
}
