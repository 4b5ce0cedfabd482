/* ui_plot.c - line plots for experiment results, as draw commands (ui_plot.h). */
#include "ui_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Okabe & Ito's colour-blind-safe palette: vermillion, blue, bluish green, orange, sky
 * blue, reddish purple. */
static const UiColor palette[UI_PLOT_MAX_SERIES] = {{213, 94, 0, 255},   {0, 114, 178, 255},
                                                    {0, 158, 115, 255},  {230, 159, 0, 255},
                                                    {86, 180, 233, 255}, {204, 121, 167, 255}};

/* Text placed by a point of its box: align 0 = left/top, 0.5 = centre, 1 = right/bottom. */
static void text(UiDrawList *l, UiFont font, const char *s, int x, int y, UiColor color,
                 double align_x, double align_y) {
    if (!s || !*s) return;
    int w = ui_text_width(l, font, s), h = ui_text_height(l, font);
    ui_text(l, x - (int)(w * align_x), y - (int)(h * align_y), font, color, s);
}

/* Marker k: a diamond, a square, a triangle, ... so that lines differ without colour. */
static void marker(UiDrawList *l, int k, int x, int y, int s, UiColor c) {
    if (k % 3 == 1) {
        ui_fill(l, (UiRect){x - s, y - s, 2 * s + 1, 2 * s + 1}, c);
        return;
    }
    for (int dy = -s; dy <= s; dy++) {
        int half = k % 3 == 2 ? (dy + s) / 2 : s - abs(dy);
        ui_fill(l, (UiRect){x - half, y + dy, 2 * half + 1, 1}, c);
    }
}

static double y_position(const UiLinePlot *p, double v) {
    if (p->log_y) return (log10(v) - log10(p->y_min)) / (log10(p->y_max) - log10(p->y_min));
    return (v - p->y_min) / (p->y_max - p->y_min);
}

int ui_plot_check(const UiLinePlot *p, RnnError *err) {
    if (p->n < 1 || p->nseries < 1 || p->nseries > UI_PLOT_MAX_SERIES || !(p->y_max > p->y_min))
        return rnn_error_set(err, "nothing to plot");
    return 0;
}

void ui_plot_draw(UiDrawList *l, const UiLinePlot *p, int W, int H) {
    UiColor ink = {33, 33, 33, 255}, grey = {120, 120, 120, 255}, grid = {225, 225, 225, 255};
    ui_draw_reset(l);
    ui_fill(l, (UiRect){0, 0, W, H}, (UiColor){255, 255, 255, 255});
    if (ui_plot_check(p, NULL)) return;
    int left = 90, right = W - 170, top = 70, bottom = H - 80;
    text(l, UI_FONT_LARGE, p->title, W / 2, 20, ink, 0.5, 0);
    /* the x axis is spaced by rank so that 5, 10, 20, 50, 100 are evenly readable */
    int n = p->n;
#define XPOS(i) (n == 1 ? (left + right) / 2 : left + (int)((double)(i) * (right - left) / (n - 1)))
#define YPOS(v) (bottom - (int)(y_position(p, (v)) * (bottom - top) + 0.5))
    for (int k = 0; k <= 5; k++) { /* grid and y ticks */
        double v = p->log_y ? pow(10, log10(p->y_min) + k * (log10(p->y_max) - log10(p->y_min)) / 5)
                            : p->y_min + k * (p->y_max - p->y_min) / 5;
        int y = YPOS(v);
        ui_line(l, left, y, right, y, 1, grid);
        char label[32];
        snprintf(label, sizeof label, p->log_y ? "%.0e" : "%.1f", v);
        text(l, UI_FONT_SMALL, label, left - 10, y, grey, 1, 0.5);
    }
    for (int i = 0; i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "%g", p->x[i]);
        ui_line(l, XPOS(i), top, XPOS(i), bottom, 1, grid);
        text(l, UI_FONT_SMALL, label, XPOS(i), bottom + 8, grey, 0.5, 0);
    }
    ui_line(l, left, bottom, right, bottom, 1, ink);
    ui_line(l, left, top, left, bottom, 1, ink);
    text(l, UI_FONT_BODY, p->x_label, (left + right) / 2, H - 40, ink, 0.5, 0);
    text(l, UI_FONT_BODY, p->y_label, 20, top - 30, ink, 0, 0);
    /* the reference line, dashed */
    if (p->hline_label && isfinite(p->hline) && p->hline >= p->y_min && p->hline <= p->y_max) {
        int y = YPOS(p->hline);
        for (int x = left; x < right; x += 12)
            ui_line(l, x, y, x + 6 < right ? x + 6 : right, y, 1, grey);
        text(l, UI_FONT_SMALL, p->hline_label, right + 8, y, grey, 0, 0.5);
    }
    /* the series, each with its own colour and marker, and a legend; earlier series are
     * drawn wider so that a line lying on top of another still shows the one beneath */
    for (int s = 0; s < p->nseries; s++) {
        UiColor c = palette[s];
        int width = 3 + 2 * (p->nseries - 1 - s), size = 6 + 2 * (p->nseries - 1 - s);
        const double *y = p->series[s].y;
        for (int i = 0; i + 1 < n; i++)
            if (isfinite(y[i]) && isfinite(y[i + 1]))
                ui_line(l, XPOS(i), YPOS(y[i]), XPOS(i + 1), YPOS(y[i + 1]), width, c);
        for (int i = 0; i < n; i++)
            if (isfinite(y[i])) marker(l, s, XPOS(i), YPOS(y[i]), size, c);
        int ly = top + 10 + s * 30;
        ui_line(l, right + 20, ly, right + 50, ly, 3, c);
        marker(l, s, right + 35, ly, 6, c);
        text(l, UI_FONT_BODY, p->series[s].name, right + 60, ly, ink, 0, 0.5);
    }
#undef XPOS
#undef YPOS
}
