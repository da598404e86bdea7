/* Hypercall dispatch (ABI: include/hypercall.h, docs/hypercalls.md). */
#include "hyp.h"
#include "../include/hypercall.h"

static s32 hc_console_write(struct domain *d, u32 va, u32 len)
{
    const char *p = (const char *)guest_ptr(d, va, len);
    if (!p)
        return HYP_EFAULT;
    if (d->cfg.console)
        con_domain_write(d->id, p, len);
    return len;
}

static s32 hc_domain_info(struct domain *d, u32 va)
{
    struct hyp_domain_info *info = (struct hyp_domain_info *)guest_ptr(d, va, sizeof *info);
    if (!info || (va & 3))
        return HYP_EFAULT;
    memset(info, 0, sizeof *info);
    info->id = d->id;
    info->ndomains = ndomains;
    info->mem_base = GUEST_VA_BASE;
    info->mem_size = d->cfg.memory;
    info->priority = d->cfg.priority;
    strlcpy(info->name, d->cfg.name, sizeof info->name);
    strlcpy(info->args, d->cfg.args, sizeof info->args);
    return 0;
}

static s32 hc_set_callback(struct domain *d, u32 entry, u32 stack)
{
    if (!guest_ptr(d, entry, 4) || !guest_ptr(d, stack - 4, 4) || (entry & 3) || (stack & 7))
        return HYP_EFAULT;
    d->cb_entry = entry;
    d->cb_stack = stack;
    return 0;
}

/* Console input typed for d (the FIQ debugger queues it while d has the input). */
static s32 hc_console_read(struct domain *d, u32 va, u32 len)
{
    u8 *p = (u8 *)guest_ptr(d, va, len);
    if (!p)
        return HYP_EFAULT;
    if (!d->cfg.console)
        return HYP_ENOENT;
    return domain_input_get(d, p, len);
}

/*
 * Block until an event or console input: returns at once if an upcall was
 * delivered since the last block, one is due, or input is waiting.
 */
static s32 hc_block(struct domain *d)
{
    if (d->woken || evtchn_deliverable(d) || domain_input_pending(d)) {
        d->woken = 0;
        return 0;
    }
    d->state = D_BLOCKED;
    sched_need_resched(0);
    return 0;
}

void hypercall(struct frame *f)
{
    struct domain *d = current;
    u32 *a = f->r;
    s32 ret;
    d->hypercalls++;
    switch (f->r[7]) {
    case HYP_CONSOLE_WRITE: ret = hc_console_write(d, a[0], a[1]); break;
    case HYP_YIELD: sched_need_resched(1); ret = 0; break;
    case HYP_BLOCK: ret = hc_block(d); break;
    case HYP_SET_CALLBACK: ret = hc_set_callback(d, a[0], a[1]); break;
    case HYP_EVTCHN_BIND: ret = evtchn_bind(d, a[0]); break;
    case HYP_EVTCHN_SEND: ret = evtchn_send(d, a[0]); break;
    case HYP_EVTCHN_UNMASK:
    case HYP_EVTCHN_MASK:
        if (a[0] >= HYP_EVTCHN_PORTS) { ret = HYP_EINVAL; break; }
        if (f->r[7] == HYP_EVTCHN_MASK) d->mask |= 1u << a[0]; else d->mask &= ~(1u << a[0]);
        ret = 0;
        break;
    case HYP_DOMAIN_INFO: ret = hc_domain_info(d, a[0]); break;
    case HYP_SHUTDOWN:
        domain_shutdown(d, (s32)a[0]);
        if (a[1] == HYP_SHUTDOWN_POWEROFF || a[1] == HYP_SHUTDOWN_REBOOT) {
            int off = a[1] == HYP_SHUTDOWN_POWEROFF;
            if (d->id == 0) {
                kprintf("dom0 %s: asks for %s\n", d->cfg.name, off ? "power off" : "reboot");
                if (off)
                    board_power_off();
                board_reboot();
            }
            kprintf("dom%u %s: only dom0 may ask for %s (ignored)\n", d->id, d->cfg.name, off ? "power off" : "reboot");
        }
        ret = 0;
        break;
    case HYP_CONSOLE_READ: ret = hc_console_read(d, a[0], a[1]); break;
    case HYP_UPCALL_RETURN:
        if (upcall_return(d, f) == 0) {      /* the frame is the interrupted context again */
            sched_return(f);
            return;
        }
        ret = HYP_EINVAL;
        break;
    default: ret = HYP_ENOSYS; break;
    }
    f->r[0] = (u32)ret;
    sched_return(f);
}
