/*
 * Two domains bounce an event over the channel on port 1 N times (args
 * "rounds=N", default 10); the one with the lower domain id serves first.
 */
#include "lib/guest.h"

#define PORT 1

static volatile unsigned received;
static unsigned long long upcall_stack[128];

void guest_upcall(unsigned ports)
{
    if (ports & (1u << PORT))
        received++;
}

static unsigned rounds_arg(const char *a)
{
    static const char key[] = "rounds=";
    for (; *a; a++) {
        unsigned k = 0;
        while (key[k] && a[k] == key[k]) k++;
        if (!key[k]) {
            unsigned v = 0;
            for (a += k; *a >= '0' && *a <= '9'; a++) v = v * 10 + (*a - '0');
            return v ? v : 10;
        }
    }
    return 10;
}

int main(void)
{
    static struct hyp_domain_info info;
    hyp_info(&info);
    int peer = hyp_bind(PORT);
    if (peer < 0) {
        print("pingpong: no event channel on port %u: nothing to do\n", PORT);
        return 0;
    }
    hyp_set_callback(upcall_entry, upcall_stack + 128);
    unsigned rounds = rounds_arg(info.args);
    int first = info.id < (unsigned)peer;
    print("pingpong: dom%u, peer dom%d, %u rounds, %s\n", info.id, peer, rounds, first ? "serving" : "receiving");
    if (first)
        hyp_send(PORT);
    unsigned seen = 0;
    for (unsigned i = 1; i <= rounds; i++) {
        while (received == seen)
            hyp_block();
        seen++;
        print("%s %u/%u\n", first ? "pong" : "ping", i, rounds);
        if (!(first && i == rounds))
            hyp_send(PORT);
    }
    print("pingpong: done after %u rounds\n", rounds);
    return 0;
}
