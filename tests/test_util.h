/* test_util.h - helpers shared by the cmocka tests: reading fixtures, comparing numbers, the
 * shipped models, running a command in-process, and one fixed text measure for layout.
 *
 * A test includes only this header and links only the libraries it needs (tests/CMakeLists.txt
 * names them). Each part below needs a layer's header and is there only when the test's
 * include path has it: the engine part always; files (io.h) for engine+io tests; the fake
 * text measure (ui_draw.h, plain C) for UI tests; run_cli (app.h) for tests that link the app.
 * The helpers are static inline, so an unused one costs no link dependency. */
#ifndef RNNSCOPE_TEST_UTIL_H
#define RNNSCOPE_TEST_UTIL_H

#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rnn.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal yet; newer ones do. Same contract:
 * |a - b| <= epsilon, else the test fails naming both expressions and values. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, epsilon)                                                         \
    do {                                                                                           \
        double test_a_ = (a), test_b_ = (b), test_eps_ = (epsilon);                                \
        if (!(test_a_ == test_b_ || fabs(test_a_ - test_b_) <= test_eps_))                         \
            fail_msg("%s (%.17g) != %s (%.17g), tolerance %g", #a, test_a_, #b, test_b_,           \
                     test_eps_);                                                                   \
    } while (0)
#endif

/* Parity tolerance: 1e-9 absolute, relative for values larger than 1 (relu states). */
#define PARITY_TOL 1e-9

static inline int close_enough(double got, double want) {
    double scale = fabs(want) > 1 ? fabs(want) : 1;
    return fabs(got - want) <= PARITY_TOL * scale;
}

/* The shipped models: MODELS "recall-lstm.json". */
#define MODELS RNNSCOPE_SOURCE_DIR "/assets/models/"

#if __has_include("io.h")
#include "io.h"
#include <cjson/cJSON.h>

/* Loads a model file (extras: the model's extra keys, or NULL); fails the test naming why. */
/* One recurrent layer of a version 2 configuration: tanh, sigmoid gates, PyTorch's GRU form,
 * one direction; a test changes what it is about. */
static inline RnnLayerConfig test_layer(RnnCellKind cell, int H) {
    return (RnnLayerConfig){.cell = cell,
                            .hidden_size = H,
                            .activation = RNN_ACT_TANH,
                            .recurrent_activation = RNN_ACT_SIGMOID,
                            .reset_after = 1};
}

static inline RnnModel *load_model(const char *path, char **extras) {
    RnnModel *m;
    RnnError err;
    if (io_model_load(path, &m, extras, &err)) fail_msg("%s", err.message);
    return m;
}

/* Reads a file under tests/ (path relative to it); fails the test if missing. */
static inline char *test_read(const char *relative, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RNNSCOPE_TEST_DIR, relative);
    char *data;
    size_t n;
    RnnError err;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &data, &n, &err)) fail_msg("%s", err.message);
    if (len) *len = n;
    return data;
}

static inline cJSON *test_read_json(const char *relative) {
    char *text = test_read(relative, NULL);
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json) fail_msg("%s: not JSON", relative);
    return json;
}

/* Compares n doubles with an expected JSON array of numbers; names the first mismatch. */
static inline void assert_array_close(const double *got, const cJSON *want, int n,
                                      const char *what) {
    if (!cJSON_IsArray(want) || cJSON_GetArraySize(want) != n)
        fail_msg("%s: expected %d numbers", what, n);
    int i = 0;
    for (const cJSON *v = want->child; v; v = v->next, i++)
        if (!close_enough(got[i], v->valuedouble))
            fail_msg("%s[%d]: got %.17g, want %.17g", what, i, got[i], v->valuedouble);
}

/* Every number of `want` (nested arrays / objects) equals the one at the same place in
 * `got`; strings and structure must match too. */
static inline void assert_json_close(const cJSON *got, const cJSON *want, const char *path) {
    char sub[512];
    if (cJSON_IsNumber(want)) {
        if (!cJSON_IsNumber(got) || !close_enough(got->valuedouble, want->valuedouble))
            fail_msg("%s: got %.17g, want %.17g", path, got ? got->valuedouble : NAN,
                     want->valuedouble);
    } else if (cJSON_IsString(want)) {
        if (!cJSON_IsString(got) || strcmp(got->valuestring, want->valuestring) != 0)
            fail_msg("%s: string differs", path);
    } else if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) != cJSON_GetArraySize(want))
            fail_msg("%s: array size differs", path);
        int i = 0;
        for (const cJSON *g = got->child, *w = want->child; w; g = g->next, w = w->next, i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            assert_json_close(g, w, sub);
        }
    } else if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got) || cJSON_GetArraySize(got) != cJSON_GetArraySize(want))
            fail_msg("%s: keys differ", path);
        for (const cJSON *w = want->child; w; w = w->next) {
            snprintf(sub, sizeof sub, "%s.%s", path, w->string);
            assert_json_close(cJSON_GetObjectItemCaseSensitive(got, w->string), w, sub);
        }
    }
}

#endif /* io.h */

#if __has_include("ui_draw.h")
#include "ui_draw.h"

/* A text measure with fixed sizes, so layout tests do not depend on the installed font:
 * every character is 7 + size pixels wide and a line is 14 + 3 * size pixels high, where
 * size is the font's size without its style bits (bold and italic measure as upright). */
static inline int fake_text_width(void *ctx, UiFont f, const char *s) {
    (void)ctx;
    return (int)strlen(s) * (7 + (int)UI_FONT_SIZE(f));
}
static inline int fake_text_height(void *ctx, UiFont f) {
    (void)ctx;
    return 14 + 3 * (int)UI_FONT_SIZE(f);
}
static inline const UiTextMeasure *fake_measure(void) {
    static const UiTextMeasure measure = {fake_text_width, fake_text_height, NULL};
    return &measure;
}

/* A fixture: *state is an empty draw list measured by fake_measure. */
static inline int draw_list_setup(void **state) {
    UiDrawList *list = calloc(1, sizeof *list);
    if (!list) return -1;
    list->measure = fake_measure();
    *state = list;
    return 0;
}
static inline int draw_list_teardown(void **state) {
    ui_draw_free(*state);
    free(*state);
    return 0;
}

/* The same colour on screen: red, green and blue (a PNG keeps no alpha). */
/* Whether a text command of the draw list equals s. */
static inline int test_drawn(const UiDrawList *l, const char *s) {
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_TEXT && !strcmp(l->chars + l->cmds[i].text, s)) return 1;
    return 0;
}

static inline int same_colour(UiColor a, UiColor b) {
    return a.r == b.r && a.g == b.g && a.b == b.b;
}
#endif /* ui_draw.h */

#if __has_include("app.h")
/* Captures what a command prints: out and err as malloc'd strings. */
typedef struct Captured {
    int code;
    char *out, *err;
    size_t out_len, err_len;
} Captured;

#include "app.h"
static inline Captured run_cli(int argc, char **argv) {
    Captured c = {0};
    FILE *out = open_memstream(&c.out, &c.out_len);
    FILE *err = open_memstream(&c.err, &c.err_len);
    c.code = app_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return c;
}

static inline void captured_free(Captured *c) {
    free(c->out);
    free(c->err);
}
#endif /* app.h */

#endif
