/* test_chart.c - the line chart as draw commands (ui_chart): the y range for linear and log
 * axes, gaps where values are not finite (or not positive on a log axis), every line inside
 * the plot area, and the marker at the current x. Laid out with the fixed fake measure
 * (test_util.h). Plain C, no SDL: needs ui_chart.c and ui_draw.c (today in rnnscope_ui). */
#include "test_util.h"
#include "ui_chart.h"

static const UiColor INK = {1, 1, 1, 255}, MUTED = {2, 2, 2, 255}, GRID = {3, 3, 3, 255},
                     PANEL = {4, 4, 4, 255}, RED = {200, 0, 0, 255}, BLUE = {0, 0, 200, 255};

static UiChart chart_in(UiRect rect, int x_count) {
    UiChart ch = {0};
    ch.rect = rect;
    ch.title = "loss";
    ch.x_count = x_count;
    ch.x_marker = -1;
    ch.x_label = "t";
    ch.ink = INK, ch.muted = MUTED, ch.grid = GRID, ch.panel = PANEL;
    return ch;
}

/* The plot area: the grid-coloured outline ui_chart_draw draws around it. */
static UiRect plot_area(const UiDrawList *l) {
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_OUTLINE && same_colour(l->cmds[i].color, GRID))
            return l->cmds[i].rect;
    fail_msg("no plot area outlined");
    return (UiRect){0};
}

static int count_lines(const UiDrawList *l, UiColor c) {
    int n = 0;
    for (int i = 0; i < l->count; i++)
        n += l->cmds[i].kind == UI_CMD_LINE && same_colour(l->cmds[i].color, c);
    return n;
}

static double range_min, range_max;

static int range(const double *y, int n, int log_y) {
    UiChartSeries s = {y, n, RED, 0, NULL};
    return ui_chart_range(&s, 1, log_y, &range_min, &range_max);
}

/* Linear: from zero (or the lowest value, if negative) to the highest; a flat series gets a
 * range of 1; non-finite values are ignored. Exact: no arithmetic on the values. */
static void test_linear_range_starts_at_zero_and_fits_the_values(void **state) {
    (void)state;
    assert_true(range((double[]){2, 5, 3}, 3, 0));
    assert_double_equal(range_min, 0, 0);
    assert_double_equal(range_max, 5, 0);
    assert_true(range((double[]){-1.5, 4}, 2, 0));
    assert_double_equal(range_min, -1.5, 0);
    assert_double_equal(range_max, 4, 0);
    assert_true(range((double[]){0, 0}, 2, 0));
    assert_double_equal(range_min, 0, 0);
    assert_double_equal(range_max, 1, 0);
    assert_true(range((double[]){NAN, 3, INFINITY, -INFINITY}, 4, 0));
    assert_double_equal(range_min, 0, 0);
    assert_double_equal(range_max, 3, 0);
    /* two series share one range */
    UiChartSeries two[] = {{(double[]){1, 2}, 2, RED, 0, NULL}, {(double[]){7}, 1, BLUE, 0, NULL}};
    assert_true(ui_chart_range(two, 2, 0, &range_min, &range_max));
    assert_double_equal(range_max, 7, 0);
}

/* Log: whole decades around the positive values, at least one; zero and negatives are
 * ignored. pow(10, k) is within an ulp of the decade: tolerance 1e-12 relative. */
static void test_log_range_is_whole_decades(void **state) {
    (void)state;
    assert_true(range((double[]){0.003, 20}, 2, 1));
    assert_double_equal(range_min, 1e-3, 1e-15);
    assert_double_equal(range_max, 1e2, 1e-10);
    assert_true(range((double[]){0, -1, 5, NAN}, 4, 1));
    assert_double_equal(range_min, 1, 1e-12);
    assert_double_equal(range_max, 10, 1e-11);
    assert_true(range((double[]){10, 10}, 2, 1)); /* a single value: one decade up from it */
    assert_double_equal(range_min, 10, 1e-11);
    assert_double_equal(range_max, 100, 1e-10);
    assert_true(range((double[]){1e-20, 1}, 2, 1));
    assert_double_equal(range_min, 1e-20, 1e-32);
    assert_double_equal(range_max, 1, 1e-12);
}

/* Nothing drawable: 0 and the chart says so instead of drawing lines. */
static void test_no_drawable_value_gives_no_range(void **state) {
    UiDrawList *l = *state;
    assert_false(range((double[]){NAN, INFINITY}, 2, 0));
    assert_false(range((double[]){0, -3}, 2, 1));
    assert_false(range(NULL, 0, 0));
    UiChart ch = chart_in((UiRect){0, 0, 300, 200}, 2);
    UiChartSeries s = {(double[]){NAN, NAN}, 2, RED, 0, NULL};
    ui_chart_draw(l, &ch, &s, 1);
    assert_int_equal(count_lines(l, RED), 0);
    int said = 0;
    for (int i = 0; i < l->count; i++)
        said |=
            l->cmds[i].kind == UI_CMD_TEXT && !strcmp(l->chars + l->cmds[i].text, "no values yet");
    assert_true(said);
}

/* A non-finite value breaks the line: 1, 2, NaN, 3, 4 is two segments (0-1 and 3-4), and
 * none crosses the gap. On a log axis a zero does the same. */
static void test_non_finite_values_leave_gaps(void **state) {
    UiDrawList *l = *state;
    UiChart ch = chart_in((UiRect){0, 0, 400, 200}, 5);
    UiChartSeries s = {(double[]){1, 2, NAN, 3, 4}, 5, RED, 0, NULL};
    ui_chart_draw(l, &ch, &s, 1);
    assert_int_equal(count_lines(l, RED), 2);
    UiRect p = plot_area(l);
    int x1 = p.x + (int)(1.0 / 4 * (p.w - 1)), x3 = p.x + (int)(3.0 / 4 * (p.w - 1));
    for (int i = 0; i < l->count; i++) {
        const UiCmd *c = &l->cmds[i];
        if (c->kind != UI_CMD_LINE) continue;
        assert_false(c->rect.x <= x1 && c->x2 >= x3); /* no segment from t=1 to t=3 */
    }
    ui_draw_reset(l);
    ch.log_y = 1;
    UiChartSeries z = {(double[]){1, 0.1, 0, 0.01, 0.001}, 5, BLUE, 0, NULL};
    ui_chart_draw(l, &ch, &z, 1);
    assert_int_equal(count_lines(l, BLUE), 2);
}

/* Every line of every series stays inside the plot area, even for values outside a fixed
 * range (they are clamped to its edge), and the whole chart stays inside its rect. */
static void test_lines_stay_inside_the_plot_area(void **state) {
    UiDrawList *l = *state;
    UiRect rect = {50, 30, 360, 180};
    UiChart ch = chart_in(rect, 6);
    ch.note = "a second line";
    ch.y_min = 0, ch.y_max = 1; /* fixed: the values below go past both ends */
    UiChartSeries s[] = {{(double[]){-5, 0.2, 0.5, 3, 0.9, 1e9}, 6, RED, 0, "trained"},
                         {(double[]){0.1, 0.3, 0.6, 0.7, 0.8, 1.0}, 6, BLUE, 1, "fresh"}};
    ui_chart_draw(l, &ch, s, 2);
    UiRect p = plot_area(l);
    assert_true(p.x >= rect.x && p.y >= rect.y && p.x + p.w <= rect.x + rect.w &&
                p.y + p.h <= rect.y + rect.h);
    assert_int_equal(count_lines(l, RED), 5);
    assert_int_equal(count_lines(l, BLUE), 2); /* dashed: the segments ending at x = 2, 4 */
    for (int i = 0; i < l->count; i++) {
        const UiCmd *c = &l->cmds[i];
        if (c->kind == UI_CMD_LINE) {
            assert_true(ui_rect_contains(p, c->rect.x, c->rect.y));
            assert_true(ui_rect_contains(p, c->x2, c->y2));
        }
        if (c->kind == UI_CMD_FILL) /* points, marker, panel: inside the chart */
            assert_true(c->rect.x >= rect.x && c->rect.y >= rect.y &&
                        c->rect.x + c->rect.w <= rect.x + rect.w &&
                        c->rect.y + c->rect.h <= rect.y + rect.h);
    }
    /* the highest value is drawn at the top row, the lowest at the bottom row */
    int top = INT32_MAX, bottom = -1;
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_LINE && same_colour(l->cmds[i].color, RED)) {
            const UiCmd *c = &l->cmds[i];
            top = c->rect.y < top ? c->rect.y : top, top = c->y2 < top ? c->y2 : top;
            bottom = c->rect.y > bottom ? c->rect.y : bottom;
            bottom = c->y2 > bottom ? c->y2 : bottom;
        }
    assert_int_equal(top, p.y + 1);
    assert_int_equal(bottom, p.y + p.h - 1);
}

/* The marker is a one-pixel vertical line through the plot area at its x; none when it is
 * -1 or past the last x. */
static void test_x_marker_is_drawn_at_its_step(void **state) {
    UiDrawList *l = *state;
    UiChart ch = chart_in((UiRect){0, 0, 400, 200}, 5);
    UiChartSeries s = {(double[]){1, 2, 3, 4, 5}, 5, RED, 0, NULL};
    for (int marker = -1; marker <= 5; marker++) {
        ui_draw_reset(l);
        ch.x_marker = marker;
        ui_chart_draw(l, &ch, &s, 1);
        UiRect p = plot_area(l);
        int found = 0;
        for (int i = 0; i < l->count; i++) {
            const UiCmd *c = &l->cmds[i];
            if (c->kind != UI_CMD_FILL || !same_colour(c->color, MUTED)) continue;
            assert_int_equal(c->rect.w, 1);
            assert_int_equal(c->rect.y, p.y);
            assert_int_equal(c->rect.h, p.h);
            assert_int_equal(c->rect.x, p.x + (int)(marker / 4.0 * (p.w - 1)));
            found++;
        }
        assert_int_equal(found, marker >= 0 && marker < 5);
    }
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, draw_list_setup, draw_list_teardown)
    const struct CMUnitTest tests[] = {
        T(test_linear_range_starts_at_zero_and_fits_the_values),
        T(test_log_range_is_whole_decades),
        T(test_no_drawable_value_gives_no_range),
        T(test_non_finite_values_leave_gaps),
        T(test_lines_stay_inside_the_plot_area),
        T(test_x_marker_is_drawn_at_its_step),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
