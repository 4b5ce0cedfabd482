/* ui_plot.h - a line plot drawn from plain arrays, written as a PNG without a window. */
#ifndef RNNSCOPE_UI_PLOT_H
#define RNNSCOPE_UI_PLOT_H

#include "rnn.h"

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

/* Renders the plot (light theme, colour-blind-safe colours with distinct markers) into a
 * width x height PNG. Needs no display. */
int ui_plot_write_png(const char *path, const UiLinePlot *plot, int width, int height,
                      RnnError *err);

#endif
