/* The ATAG list from the boot loader (r2): memory banks, command line, initrd. */
#include "hyp.h"

#define ATAG_NONE    0x00000000u
#define ATAG_CORE    0x54410001u
#define ATAG_MEM     0x54410002u
#define ATAG_INITRD2 0x54420005u
#define ATAG_CMDLINE 0x54410009u

void atags_parse(u32 addr, struct bootinfo *bi)
{
    const u32 *t = (const u32 *)addr;
    memset(bi, 0, sizeof *bi);
    bi->cmdline = "";
    if (t[1] != ATAG_CORE) {
        kprintf("atags: no ATAG_CORE at 0x%08x: no boot information\n", addr);
        return;
    }
    for (; t[0] >= 2 && t[1] != ATAG_NONE; t += t[0]) {
        switch (t[1]) {
        case ATAG_MEM:
            if (bi->nmem < 8) {
                bi->mem[bi->nmem].size = t[2];
                bi->mem[bi->nmem].base = t[3];
                bi->nmem++;
            }
            break;
        case ATAG_CMDLINE:
            bi->cmdline = (const char *)&t[2];
            break;
        case ATAG_INITRD2:
            bi->initrd_base = t[2];
            bi->initrd_size = t[3];
            break;
        }
    }
}

/* The value of KEY=value in the command line (not NUL-terminated: *len). */
const char *cmdline_get(const char *cmdline, const char *key, unsigned *len)
{
    unsigned kl = strlen(key);
    const char *p = cmdline, *found = NULL;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((unsigned)(p - w) > kl && !strncmp(w, key, kl) && w[kl] == '=') {
            *len = p - w - kl - 1;          /* the last occurrence wins, as on Linux */
            found = w + kl + 1;
        }
    }
    return found;
}
