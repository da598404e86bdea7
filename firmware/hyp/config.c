/*
 * The domain configuration (image 'domains', docs/boot-volume.md):
 *   domain NAME image=I memory=BYTES priority=P console=on|off on-fault=kill|restart|panic [args="..."]
 *   event A:PORT B:PORT
 * '#' starts a comment. Nothing about domains is built in.
 */
#include "hyp.h"

struct cursor { const char *p, *end; int line; };

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Next word of the line (a quoted value stays one word). */
static int word(struct cursor *c, const char **w, unsigned *n)
{
    while (c->p < c->end && is_space(*c->p))
        c->p++;
    if (c->p >= c->end || *c->p == '\n' || *c->p == '#')
        return 0;
    *w = c->p;
    int quoted = 0;
    while (c->p < c->end && *c->p != '\n' && (quoted || !is_space(*c->p))) {
        if (*c->p == '"')
            quoted = !quoted;
        c->p++;
    }
    *n = c->p - *w;
    return 1;
}

static void copy(char *dst, unsigned size, const char *s, unsigned n)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    if (n >= size)
        n = size - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static int is(const char *w, unsigned n, const char *lit)
{
    return strlen(lit) == n && !strncmp(w, lit, n);
}

static int endpoint(const char *w, unsigned n, char *name, u32 *port)
{
    for (unsigned i = 0; i < n; i++)
        if (w[i] == ':') {
            copy(name, 16, w, i);
            return parse_uint(w + i + 1, n - i - 1, port) && *port < 32;
        }
    return 0;
}

static int domain_line(struct cursor *c, struct config *cfg)
{
    const char *w;
    unsigned n;
    if (cfg->ndom == MAX_DOMAINS) {
        kprintf("config:%d: more than %d domains\n", c->line, MAX_DOMAINS);
        return -1;
    }
    struct domcfg *d = &cfg->dom[cfg->ndom];
    memset(d, 0, sizeof *d);
    d->memory = MiB;
    d->console = 1;
    if (!word(c, &w, &n)) {
        kprintf("config:%d: domain needs a name\n", c->line);
        return -1;
    }
    copy(d->name, sizeof d->name, w, n);
    while (word(c, &w, &n)) {
        unsigned k = 0;
        while (k < n && w[k] != '=')
            k++;
        const char *v = w + k + 1;
        unsigned vn = k < n ? n - k - 1 : 0;
        int ok = k < n;
        if (ok && is(w, k, "image"))
            copy(d->image, sizeof d->image, v, vn);
        else if (ok && is(w, k, "memory"))
            ok = parse_uint(v, vn, &d->memory);
        else if (ok && is(w, k, "priority"))
            ok = parse_uint(v, vn, &d->priority) && d->priority < 256;
        else if (ok && is(w, k, "console"))
            ok = (d->console = is(v, vn, "on")) || is(v, vn, "off");
        else if (ok && is(w, k, "on-fault")) {
            if (is(v, vn, "kill")) d->on_fault = FAULT_KILL;
            else if (is(v, vn, "restart")) d->on_fault = FAULT_RESTART;
            else if (is(v, vn, "panic")) d->on_fault = FAULT_PANIC;
            else ok = 0;
        } else if (ok && is(w, k, "args"))
            copy(d->args, sizeof d->args, v, vn);
        else if (ok) {
            kprintf("config:%d: domain %s: unknown key (ignored)\n", c->line, d->name);
        }
        if (!ok) {
            kprintf("config:%d: domain %s: bad setting\n", c->line, d->name);
            return -1;
        }
    }
    if (!d->image[0]) {
        kprintf("config:%d: domain %s has no image\n", c->line, d->name);
        return -1;
    }
    cfg->ndom++;
    return 0;
}

int config_parse(const char *text, u32 len, struct config *cfg)
{
    struct cursor c = { text, text + len, 1 };
    memset(cfg, 0, sizeof *cfg);
    while (c.p < c.end) {
        const char *w;
        unsigned n;
        if (word(&c, &w, &n)) {
            if (is(w, n, "domain")) {
                if (domain_line(&c, cfg))
                    return -1;
            } else if (is(w, n, "event")) {
                const char *a, *b;
                unsigned an, bn;
                struct evcfg *e = &cfg->ev[cfg->nev];
                if (cfg->nev == sizeof cfg->ev / sizeof cfg->ev[0] || !word(&c, &a, &an) || !word(&c, &b, &bn) ||
                    !endpoint(a, an, e->a, &e->pa) || !endpoint(b, bn, e->b, &e->pb)) {
                    kprintf("config:%d: expected event A:PORT B:PORT\n", c.line);
                    return -1;
                }
                cfg->nev++;
            } else {
                kprintf("config:%d: unknown record (ignored)\n", c.line);
            }
        }
        while (c.p < c.end && *c.p != '\n')
            c.p++;
        if (c.p < c.end) {
            c.p++;
            c.line++;
        }
    }
    return 0;
}
