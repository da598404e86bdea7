/*
 * Event channels: the configuration connects pairs of (domain, port). A send
 * sets the peer port pending and wakes the peer; on its way back to a domain
 * the hypervisor delivers an upcall: the domain's callback runs in USR mode
 * on its own stack with the pending ports in r0, and returns through
 * HYP_UPCALL_RETURN. A watchdog reports events left pending with no upcall.
 */
#include "hyp.h"
#include "../include/hypercall.h"

u32 evt_watchdog_ms = 100;

static struct domain *by_name(const char *name)
{
    for (u32 i = 0; i < ndomains; i++)
        if (!strcmp(domains[i].cfg.name, name))
            return &domains[i];
    return NULL;
}

void event_connect(const struct config *cfg)
{
    for (u32 i = 0; i < cfg->nev; i++) {
        const struct evcfg *e = &cfg->ev[i];
        struct domain *a = by_name(e->a), *b = by_name(e->b);
        if (!a || !b) {
            kprintf("event %s:%u %s:%u: no such domain running (ignored)\n", e->a, e->pa, e->b, e->pb);
            continue;
        }
        a->peer_dom[e->pa] = b->id;
        a->peer_port[e->pa] = e->pb;
        b->peer_dom[e->pb] = a->id;
        b->peer_port[e->pb] = e->pa;
        kprintf("event channel: %s:%u <-> %s:%u\n", a->cfg.name, e->pa, b->cfg.name, e->pb);
    }
}

int evtchn_bind(struct domain *d, u32 port)
{
    if (port >= HYP_EVTCHN_PORTS)
        return HYP_EINVAL;
    if (d->peer_dom[port] < 0)
        return HYP_ENOENT;
    d->bound |= 1u << port;
    d->mask &= ~(1u << port);
    return d->peer_dom[port];
}

int evtchn_send(struct domain *d, u32 port)
{
    if (port >= HYP_EVTCHN_PORTS || !(d->bound & (1u << port)))
        return HYP_EINVAL;
    struct domain *peer = &domains[d->peer_dom[port]];
    u32 bit = 1u << d->peer_port[port];
    if (peer->state == D_DEAD)
        return HYP_ENOENT;
#ifdef HYP_RACY_EVTCHN_SEND
    /*
     * The deliberately racy build (hypervisor-racy.elf, for the two-CPU
     * race test): the send lets the other CPU into the hypervisor and wakes
     * the peer before it posts the event. If the other CPU schedules the
     * peer in between, the peer finds nothing pending, blocks again, and the
     * event posted after that wakes nobody: the event watchdog reports it.
     */
    u32 depth = hyp_release();
    if (peer->state == D_BLOCKED)
        peer->state = D_RUNNABLE;
#if HYP_RACY_WINDOW > 0
    for (volatile u32 spin = 0; spin < HYP_RACY_WINDOW; spin++)
        ;                           /* more bookkeeping before the post: a wider window */
#endif
    if (!(peer->pending & bit))
        peer->pending_since[d->peer_port[port]] = ticks;
    peer->pending |= bit;
    smp_kick(peer->cpu);
    hyp_resume(depth);
    return 0;
#endif
    if (!(peer->pending & bit))
        peer->pending_since[d->peer_port[port]] = ticks;
    peer->pending |= bit;
    if (peer->state == D_BLOCKED)
        peer->state = D_RUNNABLE;
    smp_kick(peer->cpu);            /* a domain of the other CPU: it looks again */
    return 0;
}

int evtchn_deliverable(struct domain *d)
{
    return d->cb_entry && !d->in_upcall && (d->pending & d->bound & ~d->mask);
}

/*
 * Redirects the frame (d's context) to d's callback. Kept out of line under
 * this name: a fault injector skips calls to it to simulate a lost upcall.
 */
__attribute__((noipa)) void deliver_upcall(struct domain *d, struct frame *f)
{
    u32 ports = d->pending & d->bound & ~d->mask;
    d->pending &= ~ports;
    d->reported &= ~ports;
    d->upcall_saved = *f;
    d->in_upcall = 1;
    d->woken = 1;
    d->upcalls++;
    memset(f, 0, sizeof *f);
    f->r[0] = ports;
    f->pc = d->cb_entry;
    f->sp = d->cb_stack;
    f->spsr = MODE_USR;
}

int upcall_return(struct domain *d, struct frame *f)
{
    if (!d->in_upcall)
        return -1;
    *f = d->upcall_saved;
    d->in_upcall = 0;
    return 0;
}

/* On every tick: an event pending longer than evt_watchdog_ms with no upcall delivered. */
void event_watchdog(void)
{
    u32 limit = evt_watchdog_ms * 1000 / TICK_US;
    if (!evt_watchdog_ms)
        return;
    for (u32 i = 0; i < ndomains; i++) {
        struct domain *d = &domains[i];
        if (d->state == D_DEAD)
            continue;
        for (u32 p = 0; p < HYP_EVTCHN_PORTS; p++) {
            u32 bit = 1u << p;
            if (!(d->pending & bit) || (d->reported & bit) || ticks - d->pending_since[p] < limit)
                continue;
            d->reported |= bit;
            kprintf("WATCHDOG: dom%u %s: event on port %u pending for %u ms with no upcall delivered "
                    "(callback %s, port %s, %s)\n", d->id, d->cfg.name, p, (ticks - d->pending_since[p]) * TICK_US / 1000,
                    d->cb_entry ? "set" : "not set", (d->mask & bit) ? "masked" : "unmasked",
                    d->in_upcall ? "in an upcall" : "not in an upcall");
        }
    }
}
