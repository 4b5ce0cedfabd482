/* ui_draw.h - what the UI draws, as plain data: a list of commands (filled and outlined
 * rectangles, lines, text) that one renderer file turns into pixels. Layout, hit-testing and
 * every widget work on this list without SDL, so they can be tested without a window. */
#ifndef RNNSCOPE_UI_DRAW_H
#define RNNSCOPE_UI_DRAW_H

#include <stddef.h>

typedef struct UiColor {
    unsigned char r, g, b, a;
} UiColor;

typedef struct UiRect {
    int x, y, w, h;
} UiRect;

/* Text sizes; the renderer maps them to point sizes times the zoom. */
typedef enum UiFont {
    UI_FONT_SMALL,
    UI_FONT_BODY,
    UI_FONT_LARGE,
    UI_FONT_TITLE,
    UI_FONT_COUNT
} UiFont;
/* Styles or'ed into a UiFont value: ui_text(list, x, y, UI_FONT_BODY | UI_STYLE_BOLD, ...). */
enum { UI_STYLE_BOLD = 16, UI_STYLE_ITALIC = 32 };
#define UI_FONT_SIZE(f)  ((UiFont)((int)(f)&15))
#define UI_FONT_STYLE(f) ((int)(f) & (UI_STYLE_BOLD | UI_STYLE_ITALIC))

typedef enum UiCmdKind { UI_CMD_FILL, UI_CMD_OUTLINE, UI_CMD_LINE, UI_CMD_TEXT } UiCmdKind;

typedef struct UiCmd {
    UiCmdKind kind;
    UiRect rect;   /* FILL, OUTLINE; TEXT: x, y is the top-left corner */
    int x2, y2;    /* LINE: from rect.x, rect.y to x2, y2 */
    int thickness; /* OUTLINE, LINE */
    UiColor color;
    UiFont font; /* TEXT */
    size_t text; /* TEXT: offset of the NUL-terminated string in UiDrawList.chars */
} UiCmd;

/* Measures text for layout: the renderer supplies it (SDL2_ttf), tests may supply a fake. */
typedef struct UiTextMeasure {
    int (*width)(void *ctx, UiFont font, const char *utf8);
    int (*height)(void *ctx, UiFont font);
    void *ctx;
} UiTextMeasure;

typedef struct UiDrawList {
    UiCmd *cmds;
    int count, cap;
    char *chars;
    size_t chars_len, chars_cap;
    int failed; /* an allocation failed; the frame is incomplete */
    const UiTextMeasure *measure;
} UiDrawList;

void ui_draw_reset(UiDrawList *list);
void ui_draw_free(UiDrawList *list);
/* Appends the commands of src that lie wholly inside box (in height: a line of text is kept
 * or dropped whole) to list: a panel drawn into a scratch list stays inside its rectangle. */
void ui_draw_append_inside(UiDrawList *list, const UiDrawList *src, UiRect box);
void ui_fill(UiDrawList *list, UiRect r, UiColor c);
void ui_outline(UiDrawList *list, UiRect r, int thickness, UiColor c);
void ui_line(UiDrawList *list, int x1, int y1, int x2, int y2, int thickness, UiColor c);
/* Text with its top-left at (x, y); returns its width. */
int ui_text(UiDrawList *list, int x, int y, UiFont font, UiColor c, const char *utf8);
/* printf-style text; returns its width. */
int ui_textf(UiDrawList *list, int x, int y, UiFont font, UiColor c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Text broken into lines at spaces to fit width; returns the height used. */
int ui_text_wrapped(UiDrawList *list, int x, int y, int width, UiFont font, UiColor c,
                    const char *utf8);
int ui_text_width(const UiDrawList *list, UiFont font, const char *utf8);
/* Shortens the UTF-8 text s (a buffer of size bytes) in place, by whole characters, until it
 * with "…" after it fits in width pixels; text that fits is left alone. */
void ui_fit_text(const UiDrawList *list, UiFont font, char *s, size_t size, int width);
int ui_text_height(const UiDrawList *list, UiFont font);

/* 1234567 -> "1,234,567" */
void ui_format_thousands(long long n, char *buf, size_t size);

static inline int ui_rect_contains(UiRect r, int x, int y) {
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

/* ---- colour maps ------------------------------------------------------------------------ */

/* Diverging, for values in [-1, 1] (tanh range: h, c, g, n): blue, white, red (ColorBrewer
 * RdBu, safe for the common forms of colour blindness). Values outside are clamped. */
UiColor ui_colormap_diverging(double v);
/* Sequential, for values in [0, 1] (σ gates): viridis, perceptually uniform. */
UiColor ui_colormap_sequential(double v);
/* Where x sits on a signed logarithmic scale of `decades` decades below 10^top: in [-1, 1],
 * sign(x) · (log10|x| − (top − decades)) / decades, and 0 for |x| ≤ 10^(top − decades).
 * Gradients span many decades; this shows each one's size and sign with the diverging map. */
double ui_signed_log(double x, double top, int decades);
/* The top of such a scale for values up to |x| = max: ceil(log10(max)), or 0 when max is 0. */
double ui_signed_log_top(double max);

#endif
