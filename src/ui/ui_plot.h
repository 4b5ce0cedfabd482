/* ui_plot.h - a line plot of experiment results (accuracy against gap, ...) as draw commands,
 * from plain arrays: `rnnscope memory --plot`. The platform renders it like a window frame. */
#ifndef RNNSCOPE_UI_PLOT_H
#define RNNSCOPE_UI_PLOT_H

#include "rnn.h"
#include "ui_draw.h"

#define UI_PLOT_MAX_SERIES 6

typedef struct UiLineSeries {
    const char *name;
    const double *y; /* (n) one value per x; NaN leaves a gap */
} UiLineSeries;

typedef struct UiLinePlot {
    const char *title, *x_label, *y_label;
    const double *x; /* (n) increasing */
    int n;
    UiLineSeries series[UI_PLOT_MAX_SERIES];
    int nseries;
    double y_min, y_max; /* the y range shown */
    int log_y;           /* logarithmic y axis (y_min > 0) */
    double hline;        /* a dashed reference line (e.g. chance); NaN or 0 with no label: none */
    const char *hline_label;
} UiLinePlot;

/* Whether there is something to plot: 0, or -1 with err set. */
int ui_plot_check(const UiLinePlot *plot, RnnError *err);
/* Draws the plot (light theme, colour-blind-safe colours with distinct markers) filling a
 * width x height frame. */
void ui_plot_draw(UiDrawList *list, const UiLinePlot *plot, int width, int height);

#endif
