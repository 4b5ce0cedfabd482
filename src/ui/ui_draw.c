/* ui_draw.c - the draw list and the colour maps. */
#include "ui_draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_draw_reset(UiDrawList *l) {
    l->count = 0;
    l->chars_len = 0;
    l->failed = 0;
}

void ui_draw_free(UiDrawList *l) {
    free(l->cmds);
    free(l->chars);
    l->cmds = NULL, l->chars = NULL;
    l->count = l->cap = 0;
    l->chars_len = l->chars_cap = 0;
}

static UiCmd *push(UiDrawList *l) {
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 1024;
        UiCmd *grown = realloc(l->cmds, (size_t)cap * sizeof *grown);
        if (!grown) {
            l->failed = 1;
            return NULL;
        }
        l->cmds = grown, l->cap = cap;
    }
    UiCmd *c = &l->cmds[l->count++];
    memset(c, 0, sizeof *c);
    return c;
}

void ui_fill(UiDrawList *l, UiRect r, UiColor c) {
    if (r.w <= 0 || r.h <= 0) return;
    UiCmd *cmd = push(l);
    if (cmd) cmd->kind = UI_CMD_FILL, cmd->rect = r, cmd->color = c;
}

void ui_outline(UiDrawList *l, UiRect r, int thickness, UiColor c) {
    if (r.w <= 0 || r.h <= 0) return;
    UiCmd *cmd = push(l);
    if (cmd) cmd->kind = UI_CMD_OUTLINE, cmd->rect = r, cmd->thickness = thickness, cmd->color = c;
}

void ui_line(UiDrawList *l, int x1, int y1, int x2, int y2, int thickness, UiColor c) {
    UiCmd *cmd = push(l);
    if (!cmd) return;
    cmd->kind = UI_CMD_LINE;
    cmd->rect = (UiRect){x1, y1, 0, 0};
    cmd->x2 = x2, cmd->y2 = y2;
    cmd->thickness = thickness;
    cmd->color = c;
}

int ui_text_width(const UiDrawList *l, UiFont font, const char *s) {
    return l->measure ? l->measure->width(l->measure->ctx, font, s) : (int)strlen(s) * 8;
}

int ui_text_height(const UiDrawList *l, UiFont font) {
    return l->measure ? l->measure->height(l->measure->ctx, font) : 16;
}

int ui_text(UiDrawList *l, int x, int y, UiFont font, UiColor c, const char *s) {
    if (!s || !*s) return 0;
    size_t n = strlen(s) + 1;
    if (l->chars_len + n > l->chars_cap) {
        size_t cap = l->chars_cap ? l->chars_cap : 8192;
        while (cap < l->chars_len + n) cap *= 2;
        char *grown = realloc(l->chars, cap);
        if (!grown) {
            l->failed = 1;
            return 0;
        }
        l->chars = grown, l->chars_cap = cap;
    }
    UiCmd *cmd = push(l);
    if (!cmd) return 0;
    memcpy(l->chars + l->chars_len, s, n);
    int w = ui_text_width(l, font, s);
    cmd->kind = UI_CMD_TEXT;
    cmd->rect = (UiRect){x, y, w, ui_text_height(l, font)};
    cmd->color = c;
    cmd->font = font;
    cmd->text = l->chars_len;
    l->chars_len += n;
    return w;
}

int ui_textf(UiDrawList *l, int x, int y, UiFont font, UiColor c, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ui_text(l, x, y, font, c, buf);
}

int ui_text_wrapped(UiDrawList *l, int x, int y, int width, UiFont font, UiColor c, const char *s) {
    char line[512];
    int used = 0, lh = ui_text_height(l, font);
    size_t n = 0;
    const char *p = s;
    while (*p) {
        /* the next word, with the space before it */
        const char *w = p;
        while (*w == ' ') w++;
        const char *end = w;
        while (*end && *end != ' ') end++;
        char candidate[512];
        snprintf(candidate, sizeof candidate, "%.*s%s%.*s", (int)n, line, n ? " " : "",
                 (int)(end - w), w);
        if (n && ui_text_width(l, font, candidate) > width) {
            ui_text(l, x, y + used, font, c, line);
            used += lh;
            snprintf(line, sizeof line, "%.*s", (int)(end - w), w);
        } else {
            snprintf(line, sizeof line, "%s", candidate);
        }
        n = strlen(line);
        p = end;
    }
    if (n) {
        ui_text(l, x, y + used, font, c, line);
        used += lh;
    }
    return used;
}

/* ---- colour maps ------------------------------------------------------------------------- */

void ui_format_thousands(long long n, char *buf, size_t size) {
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n), k = 0;
    for (int i = 0; i < len && k + 2 < (int)size; i++) {
        buf[k++] = digits[i];
        if ((len - 1 - i) % 3 == 0 && i + 1 < len) buf[k++] = ',';
    }
    buf[k] = '\0';
}

static UiColor lerp_table(const unsigned char (*table)[3], int n, double v) {
    if (!(v >= 0)) v = 0; /* NaN lands here too; callers mark non-finite values themselves */
    if (v > 1) v = 1;
    double pos = v * (n - 1);
    int i = (int)pos;
    if (i >= n - 1) i = n - 2;
    double f = pos - i;
    UiColor c = {0, 0, 0, 255};
    c.r = (unsigned char)lround(table[i][0] + f * (table[i + 1][0] - table[i][0]));
    c.g = (unsigned char)lround(table[i][1] + f * (table[i + 1][1] - table[i][1]));
    c.b = (unsigned char)lround(table[i][2] + f * (table[i + 1][2] - table[i][2]));
    return c;
}

UiColor ui_colormap_diverging(double v) {
    /* ColorBrewer RdBu (Brewer 2002), reversed so that negative is blue */
    static const unsigned char rdbu[9][3] = {{33, 102, 172},  {67, 147, 195},  {146, 197, 222},
                                             {209, 229, 240}, {247, 247, 247}, {253, 219, 199},
                                             {244, 165, 130}, {214, 96, 77},   {178, 24, 43}};
    return lerp_table(rdbu, 9, (v + 1) / 2);
}

double ui_signed_log(double x, double top, int decades) {
    if (!(fabs(x) > 0)) return 0.0;
    double f = (log10(fabs(x)) - (top - decades)) / decades;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return x < 0 ? -f : f;
}

double ui_signed_log_top(double max) {
    return max > 0 && isfinite(max) ? ceil(log10(max)) : 0.0;
}

UiColor ui_colormap_sequential(double v) {
    /* viridis (van der Walt & Smith, matplotlib), sampled every tenth */
    static const unsigned char viridis[11][3] = {{68, 1, 84},    {72, 36, 117},  {65, 68, 135},
                                                 {53, 95, 141},  {42, 120, 142}, {33, 145, 140},
                                                 {34, 168, 132}, {68, 191, 112}, {122, 209, 81},
                                                 {189, 223, 38}, {253, 231, 37}};
    return lerp_table(viridis, 11, v);
}

void ui_fit_text(const UiDrawList *l, UiFont font, char *s, size_t size, int width) {
    if (ui_text_width(l, font, s) <= width) return;
    char copy[1024], buf[1024 + 4];
    snprintf(copy, sizeof copy, "%s", s);
    size_t n = strlen(copy);
    while (n > 0) {
        do /* back to the start of a UTF-8 character */
            n--;
        while (n > 0 && ((unsigned char)copy[n] & 0xC0) == 0x80);
        while (n > 0 && copy[n - 1] == ' ') n--;
        snprintf(buf, sizeof buf, "%.*s…", (int)n, copy);
        if (ui_text_width(l, font, buf) <= width && n + 4 <= size) break;
    }
    snprintf(buf, sizeof buf, "%.*s…", (int)n, copy);
    if (strlen(buf) < size) memcpy(s, buf, strlen(buf) + 1);
}

void ui_draw_append_inside(UiDrawList *l, const UiDrawList *src, UiRect box) {
    for (int i = 0; i < src->count; i++) {
        const UiCmd *c = &src->cmds[i];
        int top = c->rect.y, bottom = c->rect.y + c->rect.h;
        if (c->kind == UI_CMD_TEXT) bottom = top + ui_text_height(l, UI_FONT_SIZE(c->font));
        if (c->kind == UI_CMD_LINE)
            top = c->rect.y < c->y2 ? c->rect.y : c->y2,
            bottom = (c->rect.y > c->y2 ? c->rect.y : c->y2) + 1;
        if (top < box.y || bottom > box.y + box.h) continue;
        switch (c->kind) {
        case UI_CMD_FILL:
            ui_fill(l, c->rect, c->color);
            break;
        case UI_CMD_OUTLINE:
            ui_outline(l, c->rect, c->thickness, c->color);
            break;
        case UI_CMD_LINE:
            ui_line(l, c->rect.x, c->rect.y, c->x2, c->y2, c->thickness, c->color);
            break;
        case UI_CMD_TEXT:
            ui_text(l, c->rect.x, c->rect.y, c->font, c->color, src->chars + c->text);
            break;
        }
    }
}
