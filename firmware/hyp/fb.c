/*
 * Framebuffer console: the console text, mirrored onto the Tegra20 display
 * controller's window A (DC at 0x54200000) with the 8x8 font of font.c.
 *
 * The mode is the Xoom panel's 1280x800 (160 x 100 characters), B5G6R5, in
 * a frame buffer at FB_PA. Scrolling is done by the display, not by copying: the buffer holds
 * the text area twice, one copy under the other, every character is drawn in
 * both, and the window's start line (WINBUF_ADDR_V_OFFSET) moves down one text
 * row per scroll, wrapping to the top, so the window always shows the last
 * 100 rows in order. A line's colour follows its first character: domain
 * output ("[name] ...") green, fault dumps and panics ("*** ...") red,
 * everything else grey.
 */
#include "hyp.h"

#define DC_BASE 0x54200000u
#define DC(word) (DC_BASE + 4u * (word))
#define CMD_DISPLAY_COMMAND       0x032
#define CMD_STATE_CONTROL         0x041
#define CMD_DISPLAY_WINDOW_HEADER 0x042
#define DISP_ACTIVE               0x409
#define WIN_OPTIONS               0x700
#define WIN_COLOR_DEPTH           0x703
#define WIN_POSITION              0x704
#define WIN_SIZE                  0x705
#define WIN_PRESCALED_SIZE        0x706
#define WIN_DDA_INCREMENT         0x709
#define WIN_LINE_STRIDE           0x70a
#define WINBUF_START_ADDR         0x800
#define WINBUF_ADDR_H_OFFSET      0x806
#define WINBUF_ADDR_V_OFFSET      0x808

#define WINDOW_A_SELECT  (1u << 4)
#define COLOR_B5G6R5     6
#define WIN_ENABLE       (1u << 30)
#define GENERAL_ACT_REQ  (1u << 0)
#define WIN_A_ACT_REQ    (1u << 1)
#define GENERAL_UPDATE   (1u << 8)
#define WIN_A_UPDATE     (1u << 9)
#define DISPLAY_CONTINUOUS (1u << 5)

#define COLS (FB_WIDTH / 8)
#define ROWS (FB_HEIGHT / 8)
#define STRIDE (FB_WIDTH * 2)                  /* bytes per pixel line */
#define COPY_OFFSET (FB_HEIGHT * STRIDE)       /* the second copy of the text area */

#define RGB565(r, g, b) ((((r) >> 3) << 11) | (((g) >> 2) << 5) | ((b) >> 3))
#define BG RGB565(0, 0, 64)
#define FG_TEXT RGB565(208, 208, 208)
#define FG_DOMAIN RGB565(128, 232, 128)
#define FG_ALERT RGB565(255, 96, 96)

static int active;
static u32 col, row, top;          /* cursor (screen row) and the buffer row shown at the top */
static u32 pairs[4];               /* two pixels (left = low halfword) for each 2-bit glyph slice */

int fb_active(void)
{
    return active;
}

static void set_colour(u32 fg)
{
    for (u32 v = 0; v < 4; v++)
        pairs[v] = ((v & 2) ? fg : BG) | (((v & 1) ? fg : BG) << 16);
}

static u32 *line_ptr(u32 buffer_row, u32 y)
{
    return (u32 *)(FB_PA + (buffer_row * 8 + y) * STRIDE);
}

static void draw(u32 r, u32 c, char ch)
{
    const u8 *glyph = font8x8[(u8)ch >= 0x20 && (u8)ch < 0x7f ? ch - 0x20 : '?' - 0x20];
    u32 br = (top + r) % ROWS;
    for (u32 y = 0; y < 8; y++) {
        u32 bits = glyph[y];
        u32 *p = line_ptr(br, y) + c * 4, *q = (u32 *)((u32)p + COPY_OFFSET);
        for (u32 k = 0; k < 4; k++) {
            u32 w = pairs[(bits >> (6 - 2 * k)) & 3];
            p[k] = w;
            q[k] = w;
        }
    }
}

static void clear_row(u32 r)
{
    u32 br = (top + r) % ROWS, w = BG | (BG << 16);
    u32 *p = line_ptr(br, 0), *q = (u32 *)((u32)p + COPY_OFFSET);
    for (u32 i = 0; i < 8 * STRIDE / 4; i++) {
        p[i] = w;
        q[i] = w;
    }
}

static void window_act(void)
{
    write32(DC(CMD_STATE_CONTROL), GENERAL_UPDATE | WIN_A_UPDATE);
    write32(DC(CMD_STATE_CONTROL), GENERAL_ACT_REQ | WIN_A_ACT_REQ);
    while (read32(DC(CMD_STATE_CONTROL)) & (GENERAL_ACT_REQ | WIN_A_ACT_REQ))
        ;
}

static void scroll(void)
{
    top = (top + 1) % ROWS;
    clear_row(ROWS - 1);
    write32(DC(CMD_DISPLAY_WINDOW_HEADER), WINDOW_A_SELECT);
    write32(DC(WINBUF_ADDR_V_OFFSET), top * 8);
    window_act();
}

static void newline(void)
{
    col = 0;
    if (row + 1 < ROWS)
        row++;
    else
        scroll();
}

void fb_write(const char *s, unsigned n)
{
    if (!active)
        return;
    for (unsigned i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\n') {
            newline();
            continue;
        }
        if (ch == '\r') {
            col = 0;
            continue;
        }
        if (ch == '\b') {
            if (col)
                col--;
            continue;
        }
        if (ch == '\t')
            ch = ' ';
        if (col == 0)
            set_colour(ch == '[' ? FG_DOMAIN : ch == '*' ? FG_ALERT : FG_TEXT);
        if (col >= COLS)
            newline();
        draw(row, col++, ch);
    }
}

/* Window A: 1280x800 B5G6R5 at FB_PA, 1:1, shown from line 0; the display in continuous mode. */
void fb_init(void)
{
    u32 w = BG | (BG << 16);
    for (u32 *p = (u32 *)FB_PA; p < (u32 *)(FB_PA + 2 * COPY_OFFSET); p++)
        *p = w;
    write32(DC(CMD_DISPLAY_WINDOW_HEADER), WINDOW_A_SELECT);
    write32(DC(WIN_COLOR_DEPTH), COLOR_B5G6R5);
    write32(DC(WIN_POSITION), 0);
    write32(DC(WIN_SIZE), (FB_HEIGHT << 16) | FB_WIDTH);
    write32(DC(WIN_PRESCALED_SIZE), (FB_HEIGHT << 16) | STRIDE);
    write32(DC(WIN_DDA_INCREMENT), (0x1000u << 16) | 0x1000u);
    write32(DC(WIN_LINE_STRIDE), STRIDE);
    write32(DC(WINBUF_START_ADDR), FB_PA);
    write32(DC(WINBUF_ADDR_H_OFFSET), 0);
    write32(DC(WINBUF_ADDR_V_OFFSET), 0);
    write32(DC(WIN_OPTIONS), WIN_ENABLE);
    write32(DC(DISP_ACTIVE), (FB_HEIGHT << 16) | FB_WIDTH);
    window_act();
    write32(DC(CMD_DISPLAY_COMMAND), DISPLAY_CONTINUOUS);
    col = row = top = 0;
    set_colour(FG_TEXT);
    active = 1;
}
