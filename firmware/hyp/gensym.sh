#!/bin/sh
# gensym.sh NM ELF: the ELF's function symbols as a C table for panic dumps (sorted by address).
nm="$1"; elf="$2"
echo '#include "hyp.h"'
echo '#include "symtab.h"'
"$nm" -n "$elf" | awk 'BEGIN { n = 0 }
  $2 ~ /^[Tt]$/ && $3 !~ /^\$/ && $3 !~ /^__text/ { addr[n] = $1; name[n] = $3; n++ }
  END {
    printf "__attribute__((section(\".symtab_data\"))) const u32 symtab_count = %d;\n", n
    printf "__attribute__((section(\".symtab_data\"))) const struct symtab_entry symtab[%d] = {\n", n
    off = 0
    for (i = 0; i < n; i++) { printf "  { 0x%s, %d },\n", addr[i], off; off += length(name[i]) + 1 }
    printf "};\n__attribute__((section(\".symtab_data\"))) const char symtab_names[] =\n"
    for (i = 0; i < n; i++) printf "  \"%s\\0\"\n", name[i]
    printf "  ;\n"
  }'
