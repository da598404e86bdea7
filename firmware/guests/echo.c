/*
 * Console input: reads what is typed for this domain (HYP_CONSOLE_READ,
 * sleeping in HYP_BLOCK while there is none) and answers each line:
 *   quit       the domain shuts down
 *   poweroff   the domain shuts down asking for power-off (honoured for dom0)
 *   reboot     the domain shuts down asking for a reboot (honoured for dom0)
 *   anything else is echoed back with its length and reversed.
 */
#include "lib/guest.h"

static char line[80];

static unsigned length(const char *s)
{
    unsigned n = 0;
    while (s[n]) n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* 1 when the domain should end (with *reason set). */
static int answer(unsigned number, int *reason)
{
    if (same(line, "quit")) { *reason = HYP_SHUTDOWN_EXIT; return 1; }
    if (same(line, "poweroff")) { *reason = HYP_SHUTDOWN_POWEROFF; return 1; }
    if (same(line, "reboot")) { *reason = HYP_SHUTDOWN_REBOOT; return 1; }
    char rev[sizeof line];
    unsigned n = length(line);
    for (unsigned i = 0; i < n; i++) rev[i] = line[n - 1 - i];
    rev[n] = 0;
    print("echo: line %u: \"%s\" (%u bytes), reversed \"%s\"\n", number, line, n, rev);
    return 0;
}

int main(void)
{
    static struct hyp_domain_info info;
    hyp_info(&info);
    print("echo: dom%u ready; type lines (quit, poweroff, reboot)\n", info.id);
    unsigned n = 0, lines = 0;
    for (;;) {
        char buf[32];
        int got = hyp_console_read(buf, sizeof buf);
        if (got < 0) {
            print("echo: no console input (error %d)\n", got);
            return 1;
        }
        if (got == 0) {
            hyp_block();
            continue;
        }
        for (int i = 0; i < got; i++) {
            char c = buf[i];
            if (c == '\b' || c == 0x7f) {
                if (n) n--;
            } else if (c != '\n') {
                if (n < sizeof line - 1) line[n++] = c;
            } else {
                line[n] = 0;
                n = 0;
                int reason;
                if (answer(++lines, &reason)) {
                    print("echo: %s after %u lines\n", line, lines);
                    hyp_shutdown(0, reason);
                }
            }
        }
    }
}

void guest_upcall(unsigned ports)
{
}
