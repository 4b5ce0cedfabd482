/* ui_chart.c - line charts for the compare view (how far back a model reaches) and for live
 * training (loss and accuracy as they come in). */
#include "ui_chart.h"
#include "ui_i18n.h"

#include <math.h>
#include <stdio.h>

static int drawable(double v, int log_y) {
    return isfinite(v) && (!log_y || v > 0);
}

int ui_chart_range(const UiChartSeries *series, int count, int log_y, double *y_min,
                   double *y_max) {
    double lo = INFINITY, hi = -INFINITY;
    for (int s = 0; s < count; s++)
        for (int i = 0; i < series[s].n; i++) {
            double v = series[s].y[i];
            if (!drawable(v, log_y)) continue;
            if (log_y) v = log10(v);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    if (lo > hi) return 0;
    if (log_y) { /* whole decades, at least one */
        lo = floor(lo), hi = ceil(hi);
        if (hi <= lo) hi = lo + 1;
        *y_min = pow(10, lo), *y_max = pow(10, hi);
    } else {
        if (lo > 0) lo = 0; /* linear charts here show sizes: start at zero */
        if (hi <= lo) hi = lo + 1;
        *y_min = lo, *y_max = hi;
    }
    return 1;
}

/* "1e-20", "0.01", "1", "100" */
static void tick_label(char *buf, size_t size, double v, int log_y) {
    if (log_y) {
        int e = (int)lround(log10(v));
        if (e >= -2 && e <= 2)
            snprintf(buf, size, "%g", pow(10, e));
        else
            snprintf(buf, size, "1e%d", e);
    } else {
        snprintf(buf, size, "%.3g", v);
    }
}

void ui_chart_draw(UiDrawList *l, const UiChart *ch, const UiChartSeries *series, int count) {
    UiRect r = ch->rect;
    int small_h = ui_text_height(l, UI_FONT_SMALL), body_h = ui_text_height(l, UI_FONT_BODY);
    ui_fill(l, r, ch->panel);
    char fitted[256]; /* title and note cut with "…" to the chart's width, never past it */
    if (ch->title) {
        snprintf(fitted, sizeof fitted, "%s", ch->title);
        ui_fit_text(l, UI_FONT_BODY, fitted, sizeof fitted, r.w - 8);
        ui_text(l, r.x + 4, r.y + 2, UI_FONT_BODY, ch->ink, fitted);
    }
    int top = r.y + body_h + 6; /* the plot area starts under the title (and note) */
    if (ch->note) {
        snprintf(fitted, sizeof fitted, "%s", ch->note);
        ui_fit_text(l, UI_FONT_SMALL, fitted, sizeof fitted, r.w - 8);
        ui_text(l, r.x + 4, r.y + body_h + 2, UI_FONT_SMALL, ch->muted, fitted);
        top += small_h;
    }
    double y_min = ch->y_min, y_max = ch->y_max;
    int values = 0;
    for (int s = 0; s < count; s++) values += series[s].n;
    if (!values || (y_min >= y_max && !ui_chart_range(series, count, ch->log_y, &y_min, &y_max))) {
        ui_text(l, r.x + 4, top, UI_FONT_SMALL, ch->muted, ui_tr("no values yet"));
        return;
    }
    char lo[32], hi[32];
    tick_label(hi, sizeof hi, y_max, ch->log_y);
    tick_label(lo, sizeof lo, y_min, ch->log_y);
    int axis_w = ui_text_width(l, UI_FONT_SMALL, hi);
    if (ui_text_width(l, UI_FONT_SMALL, lo) > axis_w) axis_w = ui_text_width(l, UI_FONT_SMALL, lo);
    UiRect p = {r.x + axis_w + 8, top, 0, 0};
    p.w = r.x + r.w - 6 - p.x;
    int labelled = 0; /* a row for the legend under the axis labels */
    for (int s = 0; s < count; s++) labelled |= series[s].label != NULL;
    p.h = r.y + r.h - small_h - 4 - p.y - (labelled ? small_h : 0);
    if (p.w < 10 || p.h < 10) return;
    ui_outline(l, p, 1, ch->grid);
    ui_text(l, p.x - 4 - ui_text_width(l, UI_FONT_SMALL, hi), p.y - small_h / 2, UI_FONT_SMALL,
            ch->muted, hi);
    ui_text(l, p.x - 4 - ui_text_width(l, UI_FONT_SMALL, lo), p.y + p.h - small_h / 2,
            UI_FONT_SMALL, ch->muted, lo);
    double a = ch->log_y ? log10(y_min) : y_min, b = ch->log_y ? log10(y_max) : y_max;
    if (ch->log_y) /* a faint line per decade, when they are not too dense */
        for (int e = (int)a + 1; e < (int)b && (b - a) <= 40; e++) {
            int gy = p.y + p.h - (int)((e - a) / (b - a) * p.h);
            if ((b - a) <= 12 || e % 5 == 0)
                ui_fill(l, (UiRect){p.x + 1, gy, p.w - 2, 1}, ch->grid);
        }
    int n = ch->x_count > 1 ? ch->x_count : 2;
#define X_AT(i) (p.x + (int)((double)(i) / (n - 1) * (p.w - 1)))
    if (ch->x_marker >= 0 && ch->x_marker < ch->x_count)
        ui_fill(l, (UiRect){X_AT(ch->x_marker), p.y, 1, p.h}, ch->muted);
    char xl[48];
    snprintf(xl, sizeof xl, "%s 0", ch->x_label ? ch->x_label : "x");
    ui_text(l, p.x, p.y + p.h + 2, UI_FONT_SMALL, ch->muted, xl);
    snprintf(xl, sizeof xl, "%d", ch->x_count - 1);
    ui_text(l, p.x + p.w - ui_text_width(l, UI_FONT_SMALL, xl), p.y + p.h + 2, UI_FONT_SMALL,
            ch->muted, xl);
    /* the legend, under the axis labels */
    int lx = p.x, ly = p.y + p.h + 2 + small_h;
    for (int s = 0; s < count; s++) {
        if (!series[s].label) continue;
        ui_fill(l, (UiRect){lx, ly + small_h / 2, 9, 2}, series[s].color);
        lx += 12;
        lx += ui_text(l, lx, ly, UI_FONT_SMALL, series[s].color, series[s].label) + 8;
    }
    for (int s = 0; s < count; s++) {
        const UiChartSeries *se = &series[s];
        int have = 0, px = 0, py = 0;
        for (int i = 0; i < se->n; i++) {
            double v = se->y[i];
            if (!drawable(v, ch->log_y)) {
                have = 0;
                continue;
            }
            double f = ((ch->log_y ? log10(v) : v) - a) / (b - a);
            f = f < 0 ? 0 : f > 1 ? 1 : f;
            int x = X_AT(i), y = p.y + p.h - 1 - (int)(f * (p.h - 2));
            if (have && (!se->dashed || i % 2 == 0)) ui_line(l, px, py, x, y, 2, se->color);
            if (se->n < 60) ui_fill(l, (UiRect){x - 2, y - 2, 5, 5}, se->color);
            px = x, py = y, have = 1;
        }
    }
#undef X_AT
}
