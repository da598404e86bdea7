/* The hypervisor's function symbols, generated at build time from the first link (nm). */
#ifndef SYMTAB_H
#define SYMTAB_H
struct symtab_entry { u32 addr; u32 name; };   /* name: offset in symtab_names */
extern const u32 symtab_count;
extern const struct symtab_entry symtab[];
extern const char symtab_names[];
#endif
