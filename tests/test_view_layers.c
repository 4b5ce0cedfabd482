/* test_view_layers.c - the window for models version 2 describes: each layer's block shows its
 * own quantities and units, the detail panel writes the layer's own equation with the
 * engine's numbers, the wheel scrolls a wide layer's rows, models read by token ids or by raw
 * vectors open with chips that name their steps. No display: the UI core with a fake measure. */
#include "test_util.h"
#include "ui_screen.h"

/* Writes a model with random weights to a file in a fresh directory; returns its path. */
static char *write_model(RnnConfig c, const char *name) {
    rnn_config_normalize(&c);
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    if (!m) fail_msg("%s", err.message);
    uint64_t rng = 42;
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = 2 * rnn_rng_uniform(&rng) - 1;
    for (int k = 0; k < c.num_labels; k++) {
        char label[16];
        snprintf(label, sizeof label, "class%d", k);
        rnn_model_set_label(m, k, label, &err);
    }
    static char dir[] = "/tmp/rnnscope-view-layers-XXXXXX";
    static int made;
    if (!made && !mkdtemp(dir)) fail_msg("mkdtemp");
    made = 1;
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    if (io_model_save(path, m, NULL, &err)) fail_msg("%s", err.message);
    rnn_model_free(m);
    return path;
}

/* Whether some text command of the draw list contains s (wrapped text is drawn in pieces). */
static int drawn_contains(const UiDrawList *l, const char *s) {
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_TEXT && strstr(l->chars + l->cmds[i].text, s)) return 1;
    return 0;
}

static void open_view(UiScreen *s, const char *model, const char *text, int step) {
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = model;
    o.text = text;
    o.text_given = text != NULL;
    o.step = step;
    if (ui_screen_prepare(s, &o, NULL, &err)) fail_msg("%s", err.message);
}

/* LSTM 3 (bidirectional, merge sum) → GRU 5 (Keras 2.2's form) → RNN 2 relu, token ids. */
static RnnConfig stacked_config(void) {
    RnnConfig c = {.input_size = 4,
                   .num_layers = 3,
                   .vocab_size = 9,
                   .mask_zero = 1,
                   .framework = RNN_KERAS,
                   .head = RNN_HEAD_MANY_TO_ONE,
                   .head_activation = RNN_ACT_SIGMOID,
                   .num_labels = 1};
    c.layers[0] = test_layer(RNN_CELL_LSTM, 3);
    c.layers[0].bidirectional = 1;
    c.layers[0].merge = RNN_MERGE_SUM;
    c.layers[1] = test_layer(RNN_CELL_GRU, 5);
    c.layers[1].reset_after = 0;
    c.layers[2] = test_layer(RNN_CELL_RNN, 2);
    c.layers[2].activation = RNN_ACT_RELU;
    c.num_dense = 1;
    c.dense[0] = (RnnDenseConfig){3, RNN_ACT_RELU};
    return c;
}

static void test_each_block_has_its_own_quantities_and_units(void **state) {
    (void)state;
    char *path = write_model(stacked_config(), "stacked.json");
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, path, "0, 0, 3, 4, 5", 5);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(v, &list, 1280, 800);
    int per_layer[3] = {0}, sizes[3] = {3, 5, 2};
    for (int i = 0; i < v->nheatmaps; i++) {
        const UiHeatmap *hm = &v->heatmaps[i];
        per_layer[hm->layer]++;
        assert_int_equal(hm->rows, sizes[hm->layer]);
        /* the last row points at the layer's last unit, never past it */
        UiHit hit = ui_view_hit(v, hm->rect.x + 1, hm->rect.y + hm->rect.h - 1);
        assert_int_equal(hit.heatmap, i);
        assert_int_equal(hit.unit, sizes[hm->layer] - 1);
    }
    assert_int_equal(per_layer[0], 2 * 6); /* h, c, i, f, g, o in both directions */
    assert_int_equal(per_layer[1], 4);     /* h, r, z, n */
    assert_int_equal(per_layer[2], 1);     /* h */
    /* the padding steps are marked, and their chips say so */
    assert_true(v->trace->padding[0] && v->trace->padding[1] && !v->trace->padding[2]);
    assert_string_equal(v->tokens.text[0], "<pad>");
    assert_string_equal(v->tokens.text[2], "#3");
    ui_view_draw(v, &list);
    assert_true(test_drawn(&list, "padding"));
    ui_draw_free(&list);
    ui_screen_free(&s);
    free(path);
}

/* The GRU layer's candidate in Keras 2.2's form: the panel writes (r⊙h)·U and the engine's
 * value. */
static void test_detail_writes_the_layers_own_equation(void **state) {
    (void)state;
    char *path = write_model(stacked_config(), "stacked.json");
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, path, "0, 0, 3, 4, 5", 5);
    v->sel = (UiSelection){1, 0, RNN_GRU_N, 4, 3};
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(v, &list, 1280, 800);
    ui_view_draw(v, &list);
    assert_true(drawn_contains(&list, "(r⊙h_2)·U_n[:,4]"));
    double n = v->trace->gate[rnn_trace_gate_index(v->trace, 1, 0, 3, RNN_GRU_N) + 4];
    char want[32];
    snprintf(want, sizeof want, ") = %.3f", n);
    assert_true(drawn_contains(&list, want));
    ui_draw_free(&list);
    ui_screen_free(&s);
    free(path);
}

/* A 100-unit layer at 1280x800 shows a window of its units; the wheel over it scrolls them. */
static void test_wheel_scrolls_a_wide_layers_rows(void **state) {
    (void)state;
    RnnConfig c = {.cell = RNN_CELL_LSTM,
                   .input_size = 4,
                   .hidden_size = 100,
                   .num_layers = 1,
                   .vocab_size = 9};
    char *path = write_model(c, "wide.json");
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, path, "1, 2, 3", 3);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(v, &list, 1280, 800);
    const UiHeatmap *hm = &v->heatmaps[0];
    assert_true(hm->rows < 100);
    assert_int_equal(hm->u0, 0);
    int x = hm->rect.x + 2, y = hm->rect.y + 2;
    for (int k = 0; k < 40; k++) assert_int_equal(ui_screen_wheel(&s, x, y, -1), 1);
    ui_view_layout(v, &list, 1280, 800);
    assert_true(v->heatmaps[0].u0 > 0);
    assert_true(v->heatmaps[0].u0 + v->heatmaps[0].rows <= 100);
    assert_int_equal(v->words_read, 3); /* the wheel scrolled, it did not step */
    ui_draw_free(&list);
    ui_screen_free(&s);
    free(path);
}

/* A model without an embedding opens on a sample of raw vectors; given vectors replace it. */
static void test_vector_model_opens_with_a_sample(void **state) {
    (void)state;
    RnnConfig c = {.input_size = 3,
                   .num_layers = 1,
                   .head = RNN_HEAD_REGRESSION,
                   .head_activation = RNN_ACT_LINEAR,
                   .num_labels = 1};
    c.layers[0] = test_layer(RNN_CELL_GRU, 4);
    c.layers[0].recurrent_activation = RNN_ACT_HARD_SIGMOID_K3;
    char *path = write_model(c, "vectors.json");
    UiScreen s;
    open_view(&s, path, NULL, 2);
    assert_int_equal(s.view.trace->steps, 8);
    assert_string_equal(s.view.tokens.text[7], "x7");
    ui_screen_free(&s);
    open_view(&s, path, "[[1, 2, 3], [0.5, 0, -1]]", 2);
    assert_int_equal(s.view.trace->steps, 2);
    assert_double_equal(s.view.trace->input[s.view.trace->in_stride + 2], -1.0, 0);
    ui_screen_free(&s);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_block_has_its_own_quantities_and_units),
        cmocka_unit_test(test_detail_writes_the_layers_own_equation),
        cmocka_unit_test(test_wheel_scrolls_a_wide_layers_rows),
        cmocka_unit_test(test_vector_model_opens_with_a_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
