/* The boot volume (docs/boot-volume.md) handed over as the initrd. */
#include "hyp.h"

#define HEADER_SIZE 64
#define ENTRY_SIZE 64

static struct image images[MAX_IMAGES];
static u32 nimages;

static u32 le32(const u8 *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

/* Checks magic, version, header and image CRCs; lists the images. 0 = good. */
int volume_open(const u8 *base, u32 size)
{
    static u8 header[HEADER_SIZE + MAX_IMAGES * ENTRY_SIZE];
    if (size < HEADER_SIZE || memcmp(base, "BRVOLUME", 8)) {
        kprintf("volume: no boot volume in the initrd (bad magic)\n");
        return -1;
    }
    u32 version = le32(base + 8), n = le32(base + 16), total = le32(base + 28);
    if (version != 1 || le32(base + 20) != ENTRY_SIZE || le32(base + 24) != HEADER_SIZE) {
        kprintf("volume: unsupported format %u\n", version);
        return -1;
    }
    if (n > MAX_IMAGES || total > size) {
        kprintf("volume: %u images / %u bytes do not fit (initrd is %u bytes)\n", n, total, size);
        return -1;
    }
    u32 tlen = HEADER_SIZE + n * ENTRY_SIZE;
    memcpy(header, base, tlen);
    memset(header + 32, 0, 4);
    u32 want = le32(base + 32), got = crc32(header, tlen);
    if (want != got) {
        kprintf("volume: header CRC-32 mismatch (0x%08x, computed 0x%08x)\n", want, got);
        return -1;
    }
    kprintf("volume: BRVOLUME v%u, %u images, %u bytes, header CRC-32 0x%08x ok\n", version, n, total, want);
    for (u32 i = 0; i < n; i++) {
        const u8 *e = base + HEADER_SIZE + i * ENTRY_SIZE;
        struct image *im = &images[i];
        memcpy(im->name, e, 31);
        im->name[31] = 0;
        memcpy(im->role, e + 32, 15);
        im->role[15] = 0;
        u32 off = le32(e + 48), len = le32(e + 52), crc = le32(e + 56);
        if (off + len > total || off + len < off) {
            kprintf("volume: image %s extends past the end of the volume\n", im->name);
            return -1;
        }
        im->data = base + off;
        im->size = len;
        got = crc32(im->data, len);
        kprintf("  %-12s %-10s at +0x%06x %7u bytes  crc 0x%08x %s\n", im->name, im->role, off, len, crc,
                got == crc ? "ok" : "BAD");
        if (got != crc)
            return -1;
    }
    nimages = n;
    return 0;
}

const struct image *volume_find(const char *name)
{
    for (u32 i = 0; i < nimages; i++)
        if (!strcmp(images[i].name, name))
            return &images[i];
    return NULL;
}
