/* test_backward_view.c - the backward pass as the window shows it: the chain rule behind
 * every gradient rebuilds the gradient trace's number, the detail panel writes those numbers,
 * B and the arrows walk back, what-if keys change the model and Z gives it back bit for bit,
 * the compare view and lesson steps follow. No display: the draw list is measured by a fake. */
#include "test_util.h"

#include "ui_screen.h"

#include <math.h>

#define LONG_RECALL                                                                                \
    "violin was and some so on it a just then of very the was and some so on it a just then of "   \
    "very the was and some so on it a just then of very the was and some ?"

static void open_view(UiScreen *s, const char *model, const char *text) {
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = model;
    o.text = text;
    if (ui_screen_prepare(s, &o, NULL, &err)) fail_msg("%s", err.message);
}

/* |a - b| within rel of the size of the parts that were added to make b. */
static void assert_rebuilt(double rebuilt, double value, double scale, const char *what) {
    double tol = 1e-12 * fmax(scale, fabs(value)) + 1e-300;
    if (!(fabs(rebuilt - value) <= tol))
        fail_msg("%s: rebuilt %.17g, the gradient trace holds %.17g", what, rebuilt, value);
}

/* Every gradient of (model, trace) is the sum of the terms rnn_grad_explain names, each
 * term made of the traces' own numbers. Returns how many non-zero gradients it checked. */
static int check_chain_rule(const RnnModel *m, const RnnTrace *tr, const RnnGrad *g) {
    const RnnConfig *c = &m->config;
    int H = c->hidden_size, G = rnn_gate_count(c->cell), nonzero = 0;
    RnnGradExplain e;
    RnnError err;
    for (int l = 0; l < c->num_layers; l++)
        for (int d = 0; d < rnn_directions(c); d++)
            for (int t = 0; t < tr->steps; t++)
                for (int q = RNN_QUANTITY_H; q < G; q++)
                    for (int j = 0; j < H; j++) {
                        if (q == RNN_QUANTITY_C && c->cell != RNN_CELL_LSTM) continue;
                        if (q >= 0 && c->cell == RNN_CELL_RNN) continue;
                        assert_int_equal(rnn_grad_explain(m, tr, g, l, d, t, q, j, &e, &err), 0);
                        assert_double_equal(e.value, rnn_grad_value(g, tr, l, d, t, q, j), 0);
                        nonzero += e.value != 0;
                        if (e.kind == RNN_GRAD_EXPLAIN_H) {
                            double sum = 0, size = fabs(e.rest);
                            for (int k = 0; k < e.nterms; k++) {
                                const RnnGradTerm *term = &e.terms[k];
                                size_t gn = rnn_trace_gate_index(tr, l, d, e.t_next, 0);
                                /* each term from the weights and the step read after t */
                                assert_double_equal(
                                    term->weight,
                                    m->layer[l][d].weight_hh[(size_t)term->row * H + j], 0);
                                assert_double_equal(term->product,
                                                    term->weight * g->dgate_hh[gn + term->row], 0);
                                if (c->cell == RNN_CELL_RNN) /* da = dh_next · slope */
                                    assert_double_equal(term->grad * term->deriv,
                                                        g->dgate_hh[gn + term->row], 0);
                                if (k > 0)
                                    assert_true(fabs(term->product) <=
                                                fabs(e.terms[k - 1].product));
                                sum += term->product, size += fabs(term->product);
                            }
                            assert_int_equal(e.nterms + e.rest_count, e.t_next < 0 ? 0 : G * H);
                            assert_rebuilt(sum + e.rest, e.recurrent, size, "the recurrent sum");
                            assert_rebuilt(e.from_above + e.recurrent + e.direct, e.value,
                                           fabs(e.from_above) + size + fabs(e.direct), "dh");
                        } else if (e.kind == RNN_GRAD_EXPLAIN_LSTM_C) {
                            assert_rebuilt(e.cell_path + e.h_path, e.value,
                                           fabs(e.cell_path) + fabs(e.h_path), "dc");
                            assert_double_equal(e.h_path, e.dh * e.o * (1.0 - e.tanh_c * e.tanh_c),
                                                0);
                        } else {
                            assert_rebuilt(e.upstream * e.factor * e.deriv, e.value, 0, "a gate");
                        }
                    }
    return nonzero;
}

static void test_chain_rule_rebuilds_every_gradient_of_the_shipped_models(void **state) {
    (void)state;
    const char *models[] = {MODELS "recall-rnn.json", MODELS "recall-lstm.json",
                            MODELS "recall-gru.json", MODELS "names-en-bidirectional.json",
                            MODELS "sentiment-en-2layers.json"};
    for (int k = 0; k < 5; k++) {
        RnnModel *m = load_model(models[k], NULL);
        RnnTokens tokens;
        RnnTrace *tr;
        RnnError err;
        assert_int_equal(rnn_model_run_text(m, LONG_RECALL, 0, &tokens, &tr, &err), 0);
        RnnGrad *g = rnn_grad_new(m, tr, NULL, NULL, &err);
        if (!g) fail_msg("%s", err.message);
        assert_true(check_chain_rule(m, tr, g) > 0); /* not a pass on zeros */
        rnn_grad_free(g);
        rnn_trace_free(tr);
        rnn_tokens_free(&tokens);
        rnn_model_free(m);
    }
}

/* Random models of every shape the engine runs: stacked, bidirectional, relu, every head. */
static void test_chain_rule_rebuilds_every_gradient_of_random_models(void **state) {
    (void)state;
    const RnnConfig configs[] = {
        {RNN_CELL_RNN, RNN_RELU, 5, 6, 2, 1, 9, RNN_HEAD_MANY_TO_MANY, 3},
        {RNN_CELL_RNN, RNN_TANH, 4, 5, 3, 0, 9, RNN_HEAD_REGRESSION, 2},
        {RNN_CELL_LSTM, RNN_TANH, 3, 4, 2, 1, 9, RNN_HEAD_MANY_TO_ONE, 4},
        {RNN_CELL_GRU, RNN_TANH, 4, 3, 3, 1, 9, RNN_HEAD_MANY_TO_MANY, 2},
        {RNN_CELL_GRU, RNN_TANH, 2, 5, 1, 0, 9, RNN_HEAD_REGRESSION, 1},
    };
    const int ids[] = {3, 1, 4, 1, 5, 8, 2, 6};
    for (int k = 0; k < 5; k++) {
        RnnError err;
        RnnModel *m = rnn_model_new(&configs[k], &err);
        assert_non_null(m);
        rnn_model_init_random(m, 100 + (uint64_t)k);
        RnnTrace *tr = rnn_trace_new(&m->config, 8, &err);
        assert_int_equal(rnn_model_forward(m, ids, NULL, tr, &err), 0);
        double values[4] = {0.5, -1.0, 2.0, 0.25};
        RnnGrad *g = rnn_grad_new(m, tr, NULL, values, &err);
        if (!g) fail_msg("%s", err.message);
        assert_true(check_chain_rule(m, tr, g) > 0);
        rnn_grad_free(g);
        rnn_trace_free(tr);
        rnn_model_free(m);
    }
}

/* The panel's way of writing a number: 3 significant digits, "1.61e-11" below 0.01. */
static void panel_number(char *buf, size_t size, double x) {
    if (x == 0) {
        snprintf(buf, size, "0");
    } else if (fabs(x) >= 0.01 && fabs(x) < 1000) {
        snprintf(buf, size, "%.3g", x);
    } else {
        int e = (int)floor(log10(fabs(x)));
        double mant = x / pow(10, e);
        if (fabs(mant) >= 9.995) mant /= 10, e++;
        snprintf(buf, size, "%.3ge%d", mant, e);
    }
}

static void test_detail_panel_writes_the_chain_rule_with_the_traces_numbers(void **state) {
    (void)state;
    const char *models[] = {MODELS "recall-rnn.json", MODELS "recall-lstm.json",
                            MODELS "recall-gru.json"};
    for (int k = 0; k < 3; k++) {
        UiScreen s;
        UiView *v = &s.view;
        open_view(&s, models[k], LONG_RECALL);
        assert_int_equal(ui_screen_key(&s, UI_KEY_BACKWARD), 1);
        assert_non_null(v->grad);
        for (int i = 0; i < 7; i++) ui_screen_key(&s, UI_KEY_RIGHT); /* seven steps back */
        int T = v->trace->steps, t = T - 1 - 7;
        v->sel = (UiSelection){0, 0, RNN_QUANTITY_H, 5, -1};
        UiDrawList list = {0};
        list.measure = fake_measure();
        ui_screen_layout(&s, &list, 1280, 800);
        ui_screen_draw(&s, &list);
        RnnGradExplain e;
        RnnError err;
        assert_int_equal(
            rnn_grad_explain(v->model, v->trace, v->grad, 0, 0, t, RNN_QUANTITY_H, 5, &e, &err), 0);
        char want[160], n[32];
        panel_number(n, sizeof n, v->grad->dh[rnn_trace_state_index(v->trace, 0, 0, t) + 5]);
        snprintf(want, sizeof want, "  = %s", n);
        if (!test_drawn(&list, want)) fail_msg("%s: the panel does not show '%s'", models[k], want);
        for (int i = 0; i < e.nterms; i++) { /* each term's product, in its table */
            panel_number(n, sizeof n, e.terms[i].product);
            if (!test_drawn(&list, n)) fail_msg("%s: no term '%s' in the panel", models[k], n);
        }
        if (v->model->config.cell == RNN_CELL_LSTM) { /* the cell path beside it */
            v->sel.quantity = RNN_QUANTITY_C;
            ui_screen_draw(&s, &list);
            assert_int_equal(
                rnn_grad_explain(v->model, v->trace, v->grad, 0, 0, t, RNN_QUANTITY_C, 5, &e, &err),
                0);
            char a[32], b[32], x[32];
            panel_number(a, sizeof a, e.dc_next), panel_number(b, sizeof b, e.f_next);
            panel_number(x, sizeof x, e.cell_path);
            snprintf(want, sizeof want, "  cell path: %s · %s = %s", a, b, x);
            if (!test_drawn(&list, want)) fail_msg("no '%s' in the panel", want);
        }
        ui_draw_free(&list);
        ui_screen_free(&s);
    }
}

static void test_b_walks_back_from_the_last_word(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-lstm.json", LONG_RECALL);
    int T = v->trace->steps;
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_key(&s, UI_KEY_BACKWARD);
    assert_true(v->backward);
    assert_int_equal(v->words_read, T); /* the forward pass is read to its end */
    assert_int_equal(ui_view_column(v, 0), T - 1);
    assert_true(ui_view_computed(v, 0, T - 1));
    assert_false(ui_view_computed(v, 0, T - 2));
    ui_screen_key(&s, UI_KEY_RIGHT);
    ui_screen_key(&s, UI_KEY_RIGHT);
    assert_int_equal(ui_view_column(v, 0), T - 3);
    ui_screen_key(&s, UI_KEY_LEFT);
    assert_int_equal(ui_view_column(v, 0), T - 2);
    ui_screen_key(&s, UI_KEY_END);
    assert_int_equal(ui_view_column(v, 0), 0);
    ui_screen_key(&s, UI_KEY_RIGHT); /* no further back than the first word */
    assert_int_equal(ui_view_column(v, 0), 0);
    /* the heatmaps show the gradients: dc of the cell state at the first word */
    ui_screen_layout(&s, &list, 1280, 800);
    const UiHeatmap *hm = NULL;
    for (int i = 0; i < v->nheatmaps; i++)
        if (v->heatmaps[i].quantity == RNN_QUANTITY_C) hm = &v->heatmaps[i];
    assert_non_null(hm);
    assert_double_equal(ui_view_value(v, hm, 3, 0),
                        v->grad->dc[rnn_trace_state_index(v->trace, 0, 0, 0) + 3], 0);
    assert_true(v->grad_chart.h > 0); /* the chart of ‖dL/dh_t‖ under them */
    /* Space walks back on its own, one step per tick of 1/speed */
    ui_screen_key(&s, UI_KEY_HOME);
    ui_screen_key(&s, UI_KEY_PLAY);
    ui_screen_tick(&s, 1.01 / v->speed);
    assert_int_equal(v->walked, 1);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    assert_false(v->backward);
    assert_null(v->grad);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

static double first_over_last(const UiView *v) {
    const RnnTrace *tr = v->trace;
    int H = v->model->config.hidden_size, T = tr->steps;
    return rnn_norm(v->grad->dh + rnn_trace_state_index(tr, 0, 0, 0), (size_t)H) /
           rnn_norm(v->grad->dh + rnn_trace_state_index(tr, 0, 0, T - 1), (size_t)H);
}

static void test_what_if_keys_change_the_model_and_z_gives_it_back(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-rnn.json", LONG_RECALL);
    RnnModel *original = rnn_model_copy(v->model, NULL);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    double before = first_over_last(v);
    for (int i = 0; i < 5; i++) ui_screen_key(&s, UI_KEY_WHH_UP);
    assert_non_null(v->base_model);
    assert_double_equal(v->what_if.weight_hh_scale, pow(1.25, 5), 1e-15);
    assert_double_equal(v->model->layer[0][0].weight_hh[7],
                        original->layer[0][0].weight_hh[7] * v->what_if.weight_hh_scale, 0);
    /* the engine ran again: the gradient reaching the key grows by orders of magnitude */
    double after = first_over_last(v);
    if (!(after > 1e3 * before)) fail_msg("W_hh x3.05: first/last %.3g -> %.3g", before, after);
    /* the top bar says so */
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_layout(&s, &list, 1280, 800);
    ui_screen_draw(&s, &list);
    int said = 0;
    for (int i = 0; i < list.count; i++)
        said |= list.cmds[i].kind == UI_CMD_TEXT &&
                strstr(list.chars + list.cmds[i].text, "what if: W_hh ×3.05") != NULL;
    assert_true(said);
    /* a gated cell's key refuses on a vanilla RNN, and the model stays as it was */
    ui_screen_key(&s, UI_KEY_BIAS_UP);
    assert_true(v->banner_error);
    assert_double_equal(v->what_if.forget_bias_shift, 0, 0);
    ui_screen_key(&s, UI_KEY_RELU);
    assert_int_equal(v->model->config.nonlinearity, RNN_RELU);
    ui_screen_key(&s, UI_KEY_CLIP);
    assert_true(v->grad->norm * v->grad->clip_scale <= 1.0 + 1e-9);
    ui_screen_key(&s, UI_KEY_UNDO_WHAT_IF);
    assert_null(v->base_model);
    assert_int_equal(v->model->config.nonlinearity, RNN_TANH);
    assert_memory_equal(v->model->params, original->params, original->num_params * sizeof(double));
    assert_double_equal(first_over_last(v), before, 0);
    rnn_model_free(original);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

static void test_forget_bias_lets_more_of_the_signal_through(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-lstm.json", LONG_RECALL);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    double before = first_over_last(v);
    double f_bias = v->model->layer[0][0].bias_ih[RNN_LSTM_F * 16 + 2];
    ui_screen_key(&s, UI_KEY_BIAS_UP);
    ui_screen_key(&s, UI_KEY_BIAS_UP);
    assert_double_equal(v->model->layer[0][0].bias_ih[RNN_LSTM_F * 16 + 2], f_bias + 1.0, 1e-15);
    assert_true(first_over_last(v) > before);
    ui_screen_free(&s);
}

static void test_compare_view_walks_back_every_model(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-lstm.json", LONG_RECALL);
    ui_screen_key(&s, UI_KEY_COMPARE);
    assert_non_null(s.compare);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    for (int i = 0; i < 4; i++) ui_screen_key(&s, UI_KEY_RIGHT);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_layout(&s, &list, 1920, 1080);
    ui_screen_draw(&s, &list);
    int T = v->trace->steps;
    for (int k = 0; k < s.compare->count; k++) {
        const UiView *cv = &s.compare->col[k].view;
        assert_true(cv->backward);
        assert_non_null(cv->grad);
        assert_int_equal(ui_view_column(cv, 0), T - 5);
        /* one colour scale for every column */
        assert_double_equal(cv->grad_top, s.compare->col[0].view.grad_top, 0);
    }
    /* what-if keys reach the columns that have what they change: W_hh in every one */
    ui_screen_key(&s, UI_KEY_WHH_UP);
    for (int k = 0; k < s.compare->count; k++)
        assert_double_equal(s.compare->col[k].view.what_if.weight_hh_scale, 1.25, 0);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

static void test_lesson_steps_set_the_backward_pass_for_themselves(void **state) {
    (void)state;
    char path[] = "/tmp/rnnscope-lesson-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char lesson[1024];
    snprintf(lesson, sizeof lesson,
             "---\ntitle: t\nmodel: %srecall-rnn.json\ntext: %s\nlang: en\n---\n\nintro\n\n"
             "## back\n<!-- rnnscope: pass=backward back=5 scale-whh=2 target=tiger -->\n\n"
             "text\n\n## forward again\n\ntext\n",
             MODELS, LONG_RECALL);
    assert_true(write(fd, lesson, strlen(lesson)) == (ssize_t)strlen(lesson));
    close(fd);
    UiScreen s;
    UiView *v = &s.view;
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.lesson_path = path;
    o.model_path = MODELS "recall-rnn.json";
    o.text = LONG_RECALL;
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    ui_screen_key(&s, UI_KEY_LESSON_NEXT);
    assert_false(v->banner_error);
    assert_true(v->backward);
    assert_int_equal(v->walked, 5);
    assert_double_equal(v->what_if.weight_hh_scale, 2, 0);
    assert_int_equal(v->grad->targets[0], rnn_model_label_index(v->model, "tiger"));
    ui_screen_key(&s, UI_KEY_LESSON_NEXT);
    assert_false(v->backward);
    assert_null(v->base_model);
    ui_screen_free(&s);
    unlink(path);
}

static void test_a_model_without_a_head_has_no_backward_pass(void **state) {
    (void)state;
    RnnConfig c = {RNN_CELL_RNN, RNN_TANH, 3, 4, 1, 0, 2, RNN_HEAD_NONE, 0};
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    rnn_model_set_vocab(m, 0, "<unk>", &err);
    rnn_model_set_vocab(m, 1, "a", &err);
    assert_int_equal(rnn_model_index_vocab(m, &err), 0);
    UiView v;
    ui_view_init(&v);
    assert_int_equal(ui_view_set_model(&v, m, NULL, &err), 0);
    assert_int_equal(ui_view_set_text(&v, "a a a", &err), 0);
    ui_view_key(&v, UI_KEY_BACKWARD);
    assert_false(v.backward);
    assert_true(v.banner_error);
    assert_non_null(strstr(v.banner, "no output layer"));
    ui_view_free(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_rule_rebuilds_every_gradient_of_the_shipped_models),
        cmocka_unit_test(test_chain_rule_rebuilds_every_gradient_of_random_models),
        cmocka_unit_test(test_detail_panel_writes_the_chain_rule_with_the_traces_numbers),
        cmocka_unit_test(test_b_walks_back_from_the_last_word),
        cmocka_unit_test(test_what_if_keys_change_the_model_and_z_gives_it_back),
        cmocka_unit_test(test_forget_bias_lets_more_of_the_signal_through),
        cmocka_unit_test(test_compare_view_walks_back_every_model),
        cmocka_unit_test(test_lesson_steps_set_the_backward_pass_for_themselves),
        cmocka_unit_test(test_a_model_without_a_head_has_no_backward_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
