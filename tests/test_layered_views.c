/* test_layered_views.c - what the window and the lesson checker show of a model whose layers
 * differ (rnnscope-model version 2): each layer's own cell, size and directions in the
 * parameter table and in the compare view, the totals the engine counts, the numbers of the
 * model's own trace, and lesson claims validated layer by layer. */
#include "test_sdl.h"
#include "ui_compare.h"
#include "ui_glossary.h"
#include "ui_i18n.h"
#include "ui_params.h"

#define WORDS "the cat sat on the mat"

static RnnLayerConfig layer(RnnCellKind cell, int H, RnnActivation act, RnnActivation gates) {
    RnnLayerConfig lc = test_layer(cell, H);
    lc.activation = act, lc.recurrent_activation = gates;
    return lc;
}

/* An LSTM of 3 units (Keras 2's hard sigmoid gates), a GRU of 5 in Keras 2.2's form
 * (reset_after false), a relu RNN of 2 reading both ways with its directions summed, Dense
 * layers of 4 (relu) and 3 (tanh) and one sigmoid output "yes", over an embedding of 8 words
 * of width 4; random weights from seed. */
static RnnModel *layered_model(uint64_t seed) {
    RnnConfig c = {.input_size = 4, .num_layers = 3, .vocab_size = 8};
    c.layers[0] = layer(RNN_CELL_LSTM, 3, RNN_ACT_TANH, RNN_ACT_HARD_SIGMOID);
    c.layers[1] = layer(RNN_CELL_GRU, 5, RNN_ACT_TANH, RNN_ACT_SIGMOID);
    c.layers[1].reset_after = 0;
    c.layers[2] = layer(RNN_CELL_RNN, 2, RNN_ACT_RELU, RNN_ACT_SIGMOID);
    c.layers[2].bidirectional = 1, c.layers[2].merge = RNN_MERGE_SUM;
    c.num_dense = 2;
    c.dense[0] = (RnnDenseConfig){4, RNN_ACT_RELU};
    c.dense[1] = (RnnDenseConfig){3, RNN_ACT_TANH};
    c.head = RNN_HEAD_MANY_TO_ONE;
    c.num_labels = 1;
    c.head_activation = RNN_ACT_SIGMOID;
    c.framework = RNN_KERAS;
    rnn_config_normalize(&c);
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    if (!m) fail_msg("%s", err.message);
    static const char *const vocab[] = {"<unk>", "the", "cat", "sat", "on", "mat", "dog", "ran"};
    for (int i = 0; i < 8; i++) assert_int_equal(rnn_model_set_vocab(m, i, vocab[i], &err), 0);
    assert_int_equal(rnn_model_set_label(m, 0, "yes", &err), 0);
    assert_int_equal(rnn_model_set_name(m, "layered", &err), 0);
    assert_int_equal(rnn_model_index_vocab(m, &err), 0);
    uint64_t rng = seed;
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = 2.0 * rnn_rng_uniform(&rng) - 1.0;
    return m;
}

static char dir[] = "/tmp/rnnscope-layered-XXXXXX";

/* A file of the test's folder: name, or "" for the folder itself. */
static const char *in_dir(const char *name) {
    static char path[4][128];
    static int next;
    char *out = path[next++ % 4];
    snprintf(out, sizeof path[0], "%s%s%s", dir, *name ? "/" : "", name);
    return out;
}

/* The layered model (seed 17) as a file of the test's folder; returns its path. */
static const char *layered_file(void) {
    static char path[128];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s", in_dir("layered.json"));
        RnnModel *m = layered_model(17);
        RnnError err;
        if (io_model_save(path, m, NULL, &err)) fail_msg("%s", err.message);
        rnn_model_free(m);
    }
    return path;
}

static int setup_all(void **state) {
    if (!mkdtemp(dir)) return -1;
    return sdl_setup(state);
}

static int teardown_all(void **state) {
    unlink(in_dir("layered.json"));
    rmdir(in_dir(""));
    return sdl_teardown(state);
}

/* Whether some text command of the list contains s. */
static int drawn_containing(const UiDrawList *l, const char *s) {
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_TEXT && strstr(l->chars + l->cmds[i].text, s)) return 1;
    return 0;
}

/* ---- the parameter table ------------------------------------------------------------------- */

/* Keras's GRU of 2.2 (reset_after=False) keeps one bias vector: 3H(In + H + 1). */
static void test_keras_gru_reset_before_counts_one_bias(void **state) {
    (void)state;
    RnnConfig c = {.input_size = 7, .num_layers = 1};
    c.layers[0] = layer(RNN_CELL_GRU, 6, RNN_ACT_TANH, RNN_ACT_SIGMOID);
    c.layers[0].reset_after = 0;
    rnn_config_normalize(&c);
    assert_int_equal(rnn_param_count(&c, RNN_KERAS), 3 * 6 * (7 + 6 + 1));
    assert_int_equal(rnn_param_count(&c, RNN_PYTORCH), 3 * 6 * (7 + 6 + 2));
    c.layers[0].reset_after = 1;
    assert_int_equal(rnn_param_count(&c, RNN_KERAS), 3 * 6 * (7 + 6 + 2));
}

static void test_param_rows_add_up_to_the_engines_count(void **state) {
    (void)state;
    RnnModel *models[] = {layered_model(1), load_model(MODELS "recall-lstm.json", NULL),
                          load_model(MODELS "names-en-bidirectional.json", NULL)};
    for (int k = 0; k < 3; k++) {
        UiParamRow rows[UI_PARAM_ROWS];
        int n = ui_params_rows(&models[k]->config, rows);
        for (int fw = 0; fw < 2; fw++) {
            long long sum = 0;
            for (int i = 0; i < n; i++) sum += rows[i].count[fw];
            if (sum != rnn_param_count(&models[k]->config, (RnnFramework)fw))
                fail_msg("%s, %s: the rows add up to %lld, the engine counts %lld", models[k]->name,
                         fw ? "Keras" : "PyTorch", sum,
                         rnn_param_count(&models[k]->config, (RnnFramework)fw));
        }
        rnn_model_free(models[k]);
    }
}

/* One row per layer and direction with the layer's own cell, input width and size; the
 * Dense layers and the output layer read what comes before them. */
static void test_param_rows_read_each_layers_own_size(void **state) {
    (void)state;
    RnnModel *m = layered_model(1);
    UiParamRow rows[UI_PARAM_ROWS];
    ui_lang_set("en");
    int n = ui_params_rows(&m->config, rows);
    static const struct {
        const char *label, *pytorch, *keras;
    } want[] = {
        {"  layer 0 · LSTM", "4·3·(4 + 3 + 2) = 108", "4·3·(4 + 3 + 1) = 96"},
        {"  layer 1 · GRU", "3·5·(3 + 5 + 2) = 150", "3·5·(3 + 5 + 1) = 135"},
        {"  layer 2 · RNN", "2·(5 + 2 + 2) = 18", "2·(5 + 2 + 1) = 16"},
        {"  layer 2 · RNN backward", "2·(5 + 2 + 2) = 18", "2·(5 + 2 + 1) = 16"},
        {"  embedding V·I", "8·4 = 32", "8·4 = 32"},
        {"  Dense 0 (relu)", "4·(2 + 1) = 12", "4·(2 + 1) = 12"}, /* the sum: width 2 */
        {"  Dense 1 (tanh)", "3·(4 + 1) = 15", "3·(4 + 1) = 15"},
        {"  output (sigmoid)", "1·(3 + 1) = 4", "1·(3 + 1) = 4"},
    };
    assert_int_equal(n, 8);
    for (int i = 0; i < n; i++) {
        assert_string_equal(rows[i].label, want[i].label);
        assert_string_equal(rows[i].formula[RNN_PYTORCH], want[i].pytorch);
        assert_string_equal(rows[i].formula[RNN_KERAS], want[i].keras);
    }
    rnn_model_free(m);
}

static void test_param_table_draws_the_engines_totals(void **state) {
    (void)state;
    RnnModel *m = layered_model(1);
    const RnnModel *models[] = {m};
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_params_draw(&list, UI_THEME_LIGHT, 1.0, 1280, 800, models, 1);
    char total[32];
    for (int fw = 0; fw < 2; fw++) {
        ui_format_thousands(rnn_param_count(&m->config, (RnnFramework)fw), total, sizeof total);
        if (!test_drawn(&list, total)) fail_msg("the table does not show the total %s", total);
    }
    assert_true(test_drawn(&list, "3·5·(3 + 5 + 1) = 135"));
    /* the model named by its layers, as the window's top line names them */
    char layers[256], title[300];
    ui_view_describe_layers(&m->config, layers, sizeof layers);
    snprintf(title, sizeof title, "%s · layered", layers);
    if (!test_drawn(&list, title)) fail_msg("no '%s'", title);
    ui_draw_free(&list);
    rnn_model_free(m);
}

/* ---- the compare view ----------------------------------------------------------------------- */

/* The shipped LSTM beside the layered model, on WORDS, read to its end, in a window of
 * width x height. */
static void open_pair_in(UiScreen *s, UiDrawList *list, int width, int height) {
    static const char *paths[2];
    paths[0] = MODELS "recall-lstm.json";
    paths[1] = layered_file();
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = paths[0];
    o.text = WORDS;
    o.compare = paths, o.ncompare = 2;
    o.lang = "en", o.lang_fixed = 1;
    RnnError err;
    if (ui_screen_prepare(s, &o, NULL, &err)) fail_msg("%s", err.message);
    assert_non_null(s->compare);
    ui_screen_key(s, UI_KEY_END);
    memset(list, 0, sizeof *list);
    list->measure = fake_measure();
    ui_screen_layout(s, list, width, height);
    ui_screen_draw(s, list);
}

static void open_pair(UiScreen *s, UiDrawList *list) {
    open_pair_in(s, list, 1920, 1080);
}

/* The text drawn inside r that contains s, or NULL. */
static const char *drawn_in(const UiDrawList *l, UiRect r, const char *s) {
    for (int i = 0; i < l->count; i++) {
        const UiCmd *c = &l->cmds[i];
        if (c->kind == UI_CMD_TEXT && ui_rect_contains(r, c->rect.x, c->rect.y) &&
            strstr(l->chars + c->text, s))
            return l->chars + c->text;
    }
    return NULL;
}

static void test_compare_head_names_each_layer(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    const UiCompareColumn *col = &s.compare->col[1];
    const RnnConfig *c = &col->view.model->config;
    assert_non_null(drawn_in(&list, col->head, "LSTM + GRU + RNN"));
    /* every layer, then the counts */
    char py[32], layers[256], want[300];
    ui_format_thousands(rnn_param_count(c, RNN_PYTORCH), py, sizeof py);
    ui_view_describe_layers(c, layers, sizeof layers);
    snprintf(want, sizeof want, "%s · %s", layers, py);
    const char *line = drawn_in(&list, col->head, layers);
    if (!line || strncmp(line, want, strlen(want))) fail_msg("no line starting '%s'", want);
    /* a model whose layers are alike keeps its one size */
    assert_true(drawn_containing(&list, "hidden 16 · "));
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* In a narrow column the layers are cut short, never the count, and the line fits. */
static void test_compare_head_line_fits_a_narrow_column(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair_in(&s, &list, 640, 800);
    const UiCompareColumn *col = &s.compare->col[1];
    char py[32], want[64];
    ui_format_thousands(rnn_param_count(&col->view.model->config, RNN_PYTORCH), py, sizeof py);
    snprintf(want, sizeof want, " · %s params", py);
    const char *line = drawn_in(&list, col->head, want);
    if (!line) fail_msg("no '%s'", want);
    assert_non_null(strstr(line, "…"));
    assert_true(ui_text_width(&list, UI_FONT_BODY, line) <= col->head.w);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* The answer of a sigmoid output is the probability of its label, from the trace. */
static void test_compare_answer_comes_from_the_trace(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    const UiView *cv = &s.compare->col[1].view;
    assert_int_equal(cv->words_read, 6);
    char want[64];
    snprintf(want, sizeof want, "p(yes) = %.3f", cv->trace->probs[0]);
    if (!test_drawn(&list, want)) fail_msg("no '%s'", want);
    /* and that is the engine's own forward pass of the model on the words */
    RnnModel *m = layered_model(17);
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError err;
    assert_int_equal(rnn_model_run_text(m, WORDS, 0, &tokens, &tr, &err), 0);
    assert_double_equal(cv->trace->probs[0], tr->probs[0], 0);
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* Every heatmap of the layered column is one its layer has, no taller than the layer. */
static void test_compare_heatmaps_fit_each_layer(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    const UiView *cv = &s.compare->col[1].view;
    const RnnConfig *c = &cv->model->config;
    assert_true(cv->nheatmaps > 0);
    int seen[3] = {0};
    for (int i = 0; i < cv->nheatmaps; i++) {
        const UiHeatmap *hm = &cv->heatmaps[i];
        assert_true(hm->layer >= 0 && hm->layer < 3);
        assert_true(hm->direction < rnn_layer_directions(c, hm->layer));
        RnnCellKind cell = rnn_layer_cell(c, hm->layer);
        if (hm->quantity == RNN_QUANTITY_C) assert_int_equal(cell, RNN_CELL_LSTM);
        if (hm->quantity >= 0) assert_true(hm->quantity < rnn_gate_count(cell));
        assert_true(hm->u0 + hm->rows <= rnn_layer_hidden(c, hm->layer));
        seen[hm->layer] = 1;
    }
    assert_true(seen[0] && seen[1] && seen[2]);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* Pointing at a heatmap's title names the term of that heatmap's own layer's cell. */
static void test_compare_title_names_the_layers_own_gate(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    const UiView *cv = &s.compare->col[1].view;
    int found = 0;
    for (int i = 0; i < cv->nheatmaps && !found; i++) {
        const UiHeatmap *hm = &cv->heatmaps[i];
        if (hm->layer != 1 || hm->quantity != RNN_GRU_Z || hm->title_rect.w <= 0) continue;
        UiRect r = hm->title_rect;
        ui_screen_mouse_move(&s, r.x + r.w / 2, r.y + r.h / 2);
        assert_int_equal(s.view.hover_term, ui_glossary_for_quantity(RNN_CELL_GRU, RNN_GRU_Z));
        found = 1;
    }
    assert_true(found);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* B: the backward pass takes the LSTM; the layered model keeps its forward pass and says why
 * it has no sensitivity chart, without an error. */
static void test_compare_backward_leaves_a_layered_model_forward(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    assert_true(s.view.backward);
    assert_false(s.view.banner_error);
    assert_true(s.compare->col[0].view.backward && s.compare->col[0].view.grad);
    assert_false(s.compare->col[1].view.backward);
    assert_null(s.compare->col[1].trained.sensitivity);
    assert_non_null(s.compare->col[1].trained.missing);
    ui_screen_layout(&s, &list, 1920, 1080);
    ui_screen_draw(&s, &list);
    assert_true(drawn_containing(&list, "No chart: the backward pass"));
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* M (W_hh x1.25) reaches every column; the layered model runs its forward pass again with
 * every layer's W_hh scaled. */
static void test_compare_layered_model_takes_the_what_if(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    const UiView *cv = &s.compare->col[1].view;
    ui_screen_key(&s, UI_KEY_WHH_UP);
    assert_false(s.view.banner_error);
    assert_double_equal(cv->what_if.weight_hh_scale, 1.25, 0);
    RnnModel *m = layered_model(17);
    RnnWhatIf w = RNN_WHAT_IF_NONE;
    w.weight_hh_scale = 1.25;
    RnnError err;
    assert_int_equal(rnn_what_if_apply(m, &w, &err), 0);
    RnnTokens tokens;
    RnnTrace *tr;
    assert_int_equal(rnn_model_run_text(m, WORDS, 0, &tokens, &tr, &err), 0);
    for (int l = 0; l < 3; l++) {
        const double *got = cv->trace->h + rnn_trace_state_index(cv->trace, l, 0, 5);
        const double *want = tr->h + rnn_trace_state_index(tr, l, 0, 5);
        for (int j = 0; j < rnn_layer_hidden(&m->config, l); j++)
            assert_double_equal(got[j], want[j], 0);
    }
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

static void test_compare_csv_names_each_cell(void **state) {
    (void)state;
    UiScreen s;
    UiDrawList list;
    open_pair(&s, &list);
    char path[128];
    snprintf(path, sizeof path, "%s", in_dir("compare.csv"));
    RnnError err;
    assert_int_equal(ui_compare_write_csv(s.compare, path, &err), 0);
    char *csv;
    size_t len;
    assert_int_equal(io_read_file(path, 1 << 20, &csv, &len, &err), 0);
    assert_non_null(strstr(csv, "\nlayered,lstm+gru+rnn,0,the,,,"));
    assert_non_null(strstr(csv, "\nrecall-lstm,lstm,5,mat,"));
    free(csv);
    unlink(path);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* ---- the selection the command line names ---------------------------------------------------- */

/* --select LAYER,DIR,NAME,UNIT: the name is a quantity of that layer's own cell. */
static int select_named(UiScreen *s, int layer, const char *name, RnnError *err) {
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = layered_file();
    o.text = WORDS;
    o.select_layer = layer, o.select_name = name, o.select_unit = 1;
    return ui_screen_prepare(s, &o, NULL, err);
}

static void test_select_finds_the_gate_in_the_layers_own_cell(void **state) {
    (void)state;
    static const struct {
        int layer;
        const char *name;
        int quantity;
    } cases[] = {{0, "f", RNN_LSTM_F},
                 {0, "c", RNN_QUANTITY_C},
                 {1, "z", RNN_GRU_Z},
                 {1, "n", RNN_GRU_N},
                 {2, "h", RNN_QUANTITY_H}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        UiScreen s;
        RnnError err;
        if (select_named(&s, cases[k].layer, cases[k].name, &err)) fail_msg("%s", err.message);
        assert_int_equal(s.view.sel.layer, cases[k].layer);
        assert_int_equal(s.view.sel.quantity, cases[k].quantity);
        ui_screen_free(&s);
    }
}

static void test_select_refuses_a_gate_the_layer_lacks(void **state) {
    (void)state;
    UiScreen s;
    RnnError err;
    assert_int_not_equal(select_named(&s, 1, "f", &err), 0);
    assert_string_equal(err.message, "--select: layer 1 (gru) has no f");
    ui_screen_free(&s);
    assert_int_not_equal(select_named(&s, 2, "c", &err), 0);
    assert_string_equal(err.message, "--select: layer 2 (rnn) has no c");
    ui_screen_free(&s);
}

/* ---- lesson claims, layer by layer ---------------------------------------------------------- */

/* Runs `rnnscope check` on a one-step lesson about the layered model; returns its stderr
 * (malloc'd) and the exit code in *code. */
static char *check_step(const char *directives, int *code) {
    char path[128];
    snprintf(path, sizeof path, "%s", in_dir("lesson.md"));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "---\ntitle: T\nmodel: %s\ntext: %s\nlang: en\n---\n# T\n\n## S\n%s\n",
            layered_file(), WORDS, directives);
    fclose(f);
    char *argv[] = {"rnnscope", "check", path};
    Captured c = run_cli(3, argv);
    unlink(path);
    *code = c.code;
    free(c.out);
    return c.err;
}

static void test_check_reads_each_layers_quantities(void **state) {
    (void)state;
    int code;
    char *err = check_step("<!-- rnnscope: step=end focus=z layer=1 unit=4 -->\n"
                           "<!-- rnnscope: expect value(z, layer=1, unit=4) > -1 -->\n"
                           "<!-- rnnscope: expect value(c, layer=0, unit=2) > -100 -->\n"
                           "<!-- rnnscope: expect value(h, layer=2, dir=backward, unit=1) >= 0 -->",
                           &code);
    if (code != 0) fail_msg("%s", err);
    free(err);
}

static void test_check_names_the_layers_own_cell(void **state) {
    (void)state;
    int code;
    char *err = check_step("<!-- rnnscope: step=end -->\n"
                           "<!-- rnnscope: expect value(c, layer=1) > 0 -->",
                           &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "Q must be h, c or a gate of layer 1 (gru)")) fail_msg("%s", err);
    free(err);
    err = check_step("<!-- rnnscope: step=end focus=f layer=1 -->", &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "focus=f: layer 1, a gru layer, has no such quantity")) fail_msg("%s", err);
    free(err);
}

static void test_check_names_the_layers_own_size(void **state) {
    (void)state;
    int code;
    char *err = check_step("<!-- rnnscope: step=end -->\n"
                           "<!-- rnnscope: expect value(h, layer=0, unit=3) > 0 -->",
                           &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "out of range (T = 6, H = 3 in layer 0, 3 layer(s))")) fail_msg("%s", err);
    free(err);
    err = check_step("<!-- rnnscope: step=end focus=h layer=1 unit=5 -->", &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "(H = 5 in layer 1, 3 layer(s), T = 6)")) fail_msg("%s", err);
    free(err);
    /* a direction the layer does not have */
    err = check_step("<!-- rnnscope: step=end -->\n"
                     "<!-- rnnscope: expect value(h, layer=1, dir=backward) > 0 -->",
                     &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "out of range")) fail_msg("%s", err);
    free(err);
}

static void test_check_refuses_the_backward_pass_of_a_layered_model(void **state) {
    (void)state;
    int code;
    char *err = check_step("<!-- rnnscope: pass=backward -->", &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "pass=backward: training and the backward pass cover")) fail_msg("%s", err);
    free(err);
    err = check_step("<!-- rnnscope: step=end -->\n<!-- rnnscope: expect weight_hh_norm(layer=1) > "
                     "0 -->",
                     &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "weight_hh_norm: training and the backward pass cover")) fail_msg("%s", err);
    free(err);
}

/* One sigmoid output: prob(yes) is its probability; predicted() would always name it. */
/* What-if changes act on a layered model's forward pass, decided by its first layer's cell. */
static void test_check_takes_what_if_changes_by_the_first_layer(void **state) {
    (void)state;
    int code;
    char *err = check_step("<!-- rnnscope: step=end scale-whh=2 forget-bias=1 -->\n"
                           "<!-- rnnscope: expect value(z, layer=1, unit=0) > 0 -->",
                           &code);
    if (code != 0) fail_msg("%s", err);
    free(err);
    err = check_step("<!-- rnnscope: nonlinearity=relu -->", &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "only a vanilla RNN can switch between tanh and relu (this model's first "
                     "layer: lstm)"))
        fail_msg("%s", err);
    free(err);
}

static void test_check_reads_a_sigmoid_output(void **state) {
    (void)state;
    RnnModel *m = layered_model(17);
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError e;
    assert_int_equal(rnn_model_run_text(m, WORDS, 0, &tokens, &tr, &e), 0);
    char claim[256];
    snprintf(claim, sizeof claim,
             "<!-- rnnscope: step=end -->\n<!-- rnnscope: expect prob(yes) == %.17g -->",
             tr->probs[0]);
    int code;
    char *err = check_step(claim, &code);
    if (code != 0) fail_msg("%s", err);
    free(err);
    err = check_step("<!-- rnnscope: step=end -->\n"
                     "<!-- rnnscope: expect predicted() == yes -->",
                     &code);
    assert_int_equal(code, APP_EXIT_ERROR);
    if (!strstr(err, "use prob(yes)")) fail_msg("%s", err);
    free(err);
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keras_gru_reset_before_counts_one_bias),
        cmocka_unit_test(test_param_rows_add_up_to_the_engines_count),
        cmocka_unit_test(test_param_rows_read_each_layers_own_size),
        cmocka_unit_test(test_param_table_draws_the_engines_totals),
        cmocka_unit_test(test_compare_head_names_each_layer),
        cmocka_unit_test(test_compare_head_line_fits_a_narrow_column),
        cmocka_unit_test(test_compare_answer_comes_from_the_trace),
        cmocka_unit_test(test_compare_heatmaps_fit_each_layer),
        cmocka_unit_test(test_compare_title_names_the_layers_own_gate),
        cmocka_unit_test(test_compare_backward_leaves_a_layered_model_forward),
        cmocka_unit_test(test_compare_layered_model_takes_the_what_if),
        cmocka_unit_test(test_compare_csv_names_each_cell),
        cmocka_unit_test(test_select_finds_the_gate_in_the_layers_own_cell),
        cmocka_unit_test(test_select_refuses_a_gate_the_layer_lacks),
        cmocka_unit_test(test_check_reads_each_layers_quantities),
        cmocka_unit_test(test_check_names_the_layers_own_cell),
        cmocka_unit_test(test_check_names_the_layers_own_size),
        cmocka_unit_test(test_check_refuses_the_backward_pass_of_a_layered_model),
        cmocka_unit_test(test_check_takes_what_if_changes_by_the_first_layer),
        cmocka_unit_test(test_check_reads_a_sigmoid_output),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
