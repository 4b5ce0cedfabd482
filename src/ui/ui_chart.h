/* ui_chart.h - a small line chart as draw commands: plain arrays in, lines and labels out.
 * It knows nothing about models; the compare view and the training panel feed it numbers. */
#ifndef RNNSCOPE_UI_CHART_H
#define RNNSCOPE_UI_CHART_H

#include "ui_draw.h"

typedef struct UiChartSeries {
    const double *y; /* (n) values at x = 0..n-1; non-finite ones (and <= 0 on a log axis)
                        leave a gap */
    int n;
    UiColor color;
    int dashed;
    const char *label; /* for the legend, or NULL */
} UiChartSeries;

typedef struct UiChart {
    UiRect rect;         /* the whole chart, title and axis labels included */
    const char *title;   /* above the plot area */
    const char *note;    /* a second line, small, under the title (or NULL) */
    int log_y;           /* logarithmic y axis (decades) */
    double y_min, y_max; /* the y range; y_min >= y_max: taken from the data */
    int x_count;         /* the x axis spans 0..x_count-1 */
    int x_marker;        /* a vertical line at this x (the current step), or -1 */
    const char *x_label; /* under the axis, e.g. "t" */
    UiColor ink, muted, grid, panel;
} UiChart;

/* The y range that fits the finite values of the series (decades on a log axis, with at
 * least one decade). Returns 0 when no value can be drawn. Several charts drawn with the
 * range of all their series together share one scale. */
int ui_chart_range(const UiChartSeries *series, int count, int log_y, double *y_min, double *y_max);
void ui_chart_draw(UiDrawList *list, const UiChart *chart, const UiChartSeries *series, int count);

#endif
