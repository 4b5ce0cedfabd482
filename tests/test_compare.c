/* test_compare.c - the compare view's numbers: sensitivity equals central differences, key
 * influence equals direct re-runs, the shipped RNN's reach collapses next to the LSTM's and
 * GRU's, and the view steps, edits and exports every model together. */
#include "test_sdl.h"
#include "ui_compare.h"

#include "test_png.h"

/* A random model reading raw vectors: cell, layers, bidirectional. */
static RnnModel *random_model(RnnCellKind cell, int layers, int bidirectional, uint64_t seed) {
    RnnConfig c = {cell, RNN_TANH, 3, 4, layers, bidirectional, 0, RNN_HEAD_NONE, 0};
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    assert_non_null(m);
    rnn_model_init_random(m, seed);
    for (size_t i = 0; i < m->num_params; i++) m->params[i] *= 2.5; /* away from linear */
    return m;
}

/* h_T as the head reads it: top layer, forward at T-1 (and backward at 0). */
static void final_state(const RnnModel *m, const double *x, int T, double *out) {
    RnnError err;
    RnnTrace *tr = rnn_trace_new(&m->config, T, &err);
    assert_int_equal(rnn_model_forward(m, NULL, x, tr, &err), 0);
    int top = m->config.num_layers - 1, H = m->config.hidden_size;
    for (int d = 0; d < rnn_directions(&m->config); d++)
        memcpy(out + d * H, tr->h + rnn_trace_state_index(tr, top, d, d ? 0 : T - 1),
               (size_t)H * sizeof *out);
    rnn_trace_free(tr);
}

static void test_sensitivity_equals_central_differences(void **state) {
    (void)state;
    const int T = 6, I = 3;
    const struct {
        RnnCellKind cell;
        int layers, bidirectional;
    } cases[] = {{RNN_CELL_RNN, 1, 0},  {RNN_CELL_LSTM, 1, 0}, {RNN_CELL_GRU, 1, 0},
                 {RNN_CELL_LSTM, 2, 1}, {RNN_CELL_GRU, 2, 1},  {RNN_CELL_RNN, 3, 1}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        RnnModel *m = random_model(cases[k].cell, cases[k].layers, cases[k].bidirectional, 40 + k);
        uint64_t rng = 7 + k;
        double x[6 * 3], norms[6], plus[8], minus[8];
        for (int i = 0; i < T * I; i++) x[i] = 2 * rnn_rng_uniform(&rng) - 1;
        RnnError err;
        RnnTrace *tr = rnn_trace_new(&m->config, T, &err);
        RnnBackward *bw = rnn_backward_new(&m->config, T, &err);
        assert_int_equal(rnn_model_forward(m, NULL, x, tr, &err), 0);
        assert_int_equal(rnn_sensitivity(m, tr, bw, norms, &err), 0);
        int units = rnn_directions(&m->config) * m->config.hidden_size;
        double total = 0;
        for (int t = 0; t < T; t++) {
            double sum = 0, eps = 1e-6;
            for (int i = 0; i < I; i++) {
                double keep = x[t * I + i];
                x[t * I + i] = keep + eps;
                final_state(m, x, T, plus);
                x[t * I + i] = keep - eps;
                final_state(m, x, T, minus);
                x[t * I + i] = keep;
                for (int j = 0; j < units; j++) {
                    double g = (plus[j] - minus[j]) / (2 * eps);
                    sum += g * g;
                }
            }
            assert_double_equal(norms[t], sqrt(sum), 1e-6 * (1 + sqrt(sum)));
            total += norms[t];
        }
        assert_true(total > 1e-3); /* not a check of zeros against zeros */
        rnn_trace_free(tr);
        rnn_backward_free(bw);
        rnn_model_free(m);
    }
}

static void test_key_influence_equals_direct_reruns(void **state) {
    (void)state;
    RnnModel *m = load_model(MODELS "recall-gru.json", NULL);
    const char *text = "apple the very and so it was ?";
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError err;
    assert_int_equal(rnn_model_run_text(m, text, 0, &tokens, &tr, &err), 0);
    int alternatives[8], n = rnn_influence_alternatives(m, tr->token_ids[0], alternatives, 8);
    assert_true(n >= 1);
    for (int a = 0; a < n; a++) assert_int_not_equal(alternatives[a], tr->token_ids[0]);
    double influence[8];
    assert_int_equal(rnn_key_influence(m, tr, alternatives, n, influence, &err), 0);
    /* the same by hand: a new sentence per key, through the text path */
    double want[8] = {0};
    for (int a = 0; a < n; a++) {
        char other[256];
        snprintf(other, sizeof other, "%s%s", m->vocab[alternatives[a]], strchr(text, ' '));
        RnnTokens t2;
        RnnTrace *tr2;
        assert_int_equal(rnn_model_run_text(m, other, 0, &t2, &tr2, &err), 0);
        for (int t = 0; t < tr->steps; t++) {
            double sum = 0;
            const double *h1 = tr->h + rnn_trace_state_index(tr, 0, 0, t);
            const double *h2 = tr2->h + rnn_trace_state_index(tr2, 0, 0, t);
            for (int j = 0; j < m->config.hidden_size; j++)
                sum += (h1[j] - h2[j]) * (h1[j] - h2[j]);
            want[t] += sqrt(sum) / n;
        }
        rnn_tokens_free(&t2);
        rnn_trace_free(tr2);
    }
    for (int t = 0; t < tr->steps; t++) assert_double_equal(influence[t], want[t], 1e-12);
    assert_true(influence[0] > 0.1); /* swapping the key moves the state */
    /* a sentiment model has no keys: evenly spread vocabulary words instead */
    RnnModel *s = load_model(MODELS "sentiment-en.json", NULL);
    int many[64];
    int k = rnn_influence_alternatives(s, 5, many, 64);
    assert_int_equal(k, 64);
    for (int i = 0; i < k; i++) {
        assert_int_not_equal(many[i], s->unk_id);
        assert_int_not_equal(many[i], 5);
        if (i) assert_true(many[i] > many[i - 1]);
    }
    rnn_model_free(s);
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

/* A recall sentence with `distance` fillers, as text. */
static void recall_text(int distance, uint64_t seed, char *out, size_t size) {
    const char *words[64];
    rnn_recall_sentence(4, distance, &seed, words);
    out[0] = '\0';
    for (int t = 0; t < distance + 2; t++) {
        strncat(out, words[t], size - strlen(out) - 2);
        if (t < distance + 1) strcat(out, " ");
    }
}

static double first_over_last(const RnnModel *m, const char *text) {
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError err;
    assert_int_equal(rnn_model_run_text(m, text, 0, &tokens, &tr, &err), 0);
    RnnBackward *bw = rnn_backward_new(&m->config, tr->steps, &err);
    double norms[64];
    assert_int_equal(rnn_sensitivity(m, tr, bw, norms, &err), 0);
    double ratio = norms[0] / norms[tr->steps - 1];
    rnn_backward_free(bw);
    rnn_trace_free(tr);
    rnn_tokens_free(&tokens);
    return ratio;
}

/* At a gap of 40 words almost nothing of the first word's gradient reaches the end of the
 * shipped vanilla RNN, on every sentence; the gated cells keep far more. How much more varies
 * with the sentence (an LSTM whose cell state latched the key is insensitive too: on one of
 * these 20 its ratio is 1.6e-6, 74x the RNN's), so each sentence is held to 10x and the
 * median to 10,000x (measured: 7e6 for the LSTM, 1e9 for the GRU). */
static void test_rnn_reach_collapses_at_distance_40(void **state) {
    (void)state;
    RnnModel *rnn = load_model(MODELS "recall-rnn.json", NULL),
             *lstm = load_model(MODELS "recall-lstm.json", NULL),
             *gru = load_model(MODELS "recall-gru.json", NULL);
    enum { N = 20 };
    double lstm_over_rnn[N], gru_over_rnn[N];
    for (int i = 0; i < N; i++) {
        char text[1024];
        recall_text(40, 500 + i, text, sizeof text);
        double r = first_over_last(rnn, text), l = first_over_last(lstm, text),
               g = first_over_last(gru, text);
        if (i == 0) print_message("distance 40: rnn %.3g  lstm %.3g  gru %.3g\n", r, l, g);
        assert_true(r > 0);
        assert_true(r < 1e-7);
        assert_true(r * 10 <= l);
        assert_true(r * 10 <= g);
        lstm_over_rnn[i] = l / r, gru_over_rnn[i] = g / r;
    }
    assert_true(app_median(lstm_over_rnn, N) >= 1e4);
    assert_true(app_median(gru_over_rnn, N) >= 1e4);
    rnn_model_free(rnn), rnn_model_free(lstm), rnn_model_free(gru);
}

/* ---- the view ----------------------------------------------------------------------------- */

static const char *const recall_paths[] = {MODELS "recall-rnn.json", MODELS "recall-lstm.json",
                                           MODELS "recall-gru.json"};

static void open_three(UiScreen *s, const char *text) {
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = recall_paths[1];
    o.text = text;
    o.compare = recall_paths, o.ncompare = 3;
    if (ui_screen_prepare(s, &o, NULL, &err)) fail_msg("%s", err.message);
}

static void test_view_steps_and_edits_every_model(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_three(&s, "river the very and so ?");
    UiCompare *cmp = s.compare;
    assert_int_equal(cmp->count, 3);
    ui_screen_key(&s, UI_KEY_HOME);
    ui_screen_key(&s, UI_KEY_RIGHT);
    ui_screen_key(&s, UI_KEY_RIGHT);
    for (int k = 0; k < 3; k++) assert_int_equal(cmp->col[k].view.words_read, 2);
    ui_screen_key(&s, UI_KEY_END);
    for (int k = 0; k < 3; k++) assert_int_equal(cmp->col[k].view.words_read, 6);
    /* Tab, type, Enter: every model reads the new sentence */
    ui_screen_key(&s, UI_KEY_EDIT);
    ui_screen_text_input(&s, " very so ?");
    ui_screen_key(&s, UI_KEY_ENTER);
    for (int k = 0; k < 3; k++) {
        UiCompareColumn *col = &cmp->col[k];
        assert_int_equal(col->view.trace->steps, 9);
        assert_string_equal(col->view.text, v->text);
        /* the chart is the engine's sensitivity of this very trace */
        double norms[16];
        RnnError err;
        RnnBackward *bw = rnn_backward_new(&col->view.model->config, 9, &err);
        assert_int_equal(rnn_sensitivity(col->view.model, col->view.trace, bw, norms, &err), 0);
        for (int t = 0; t < 9; t++) assert_double_equal(col->trained.sensitivity[t], norms[t], 0);
        rnn_backward_free(bw);
    }
    /* F and K toggle; C goes back to one model and keeps the sentence */
    ui_screen_key(&s, UI_KEY_FRESH);
    assert_true(cmp->show_fresh);
    ui_screen_key(&s, UI_KEY_PARAMS);
    assert_true(v->show_params);
    ui_screen_key(&s, UI_KEY_PARAMS);
    assert_false(v->show_params);
    ui_screen_key(&s, UI_KEY_COMPARE);
    assert_null(s.compare);
    assert_int_equal(v->trace->steps, 9);
    /* and C from the single view opens the task's three models again */
    ui_screen_key(&s, UI_KEY_COMPARE);
    assert_non_null(s.compare);
    assert_int_equal(s.compare->count, 3);
    ui_screen_free(&s);
}

static void test_csv_holds_the_charts_numbers(void **state) {
    (void)state;
    UiScreen s;
    open_three(&s, "tiger the very ?");
    char path[] = "/tmp/rnnscope-compare-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    RnnError err;
    assert_int_equal(ui_compare_write_csv(s.compare, path, &err), 0);
    size_t len;
    char *csv;
    assert_int_equal(io_read_file(path, 1 << 20, &csv, &len, &err), 0);
    assert_true(!strncmp(csv, "model,cell,t,token,sensitivity,", 31));
    int lines = 0;
    for (char *p = csv; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 3 * 4);
    /* the LSTM's row for t = 0 carries its exact numbers */
    const UiCompareColumn *lstm = &s.compare->col[1];
    char want[256];
    IoBuf b = {0};
    io_buf_printf(&b, "recall-lstm,lstm,0,tiger,");
    io_buf_double(&b, lstm->trained.sensitivity[0]);
    io_buf_puts(&b, ",");
    io_buf_double(&b, lstm->initial.sensitivity[0]);
    snprintf(want, sizeof want, "%s", b.data);
    io_buf_free(&b);
    assert_non_null(strstr(csv, want));
    free(csv);
    unlink(path);
    ui_screen_free(&s);
}

static UiColor png_pixel(const unsigned char *rgba, int width, int x, int y) {
    const unsigned char *p = rgba + 4 * ((size_t)y * width + x);
    return (UiColor){p[0], p[1], p[2], p[3]};
}

#define SHOT_TEXT "violin the very ?"

/* The PNG shows the three models side by side: every computed cell of each column's h
 * heatmap has exactly the colour of that model's own state (laid out in-process with the same
 * options and font as the command), and the three columns' cells differ. */
static void check_screenshot_pixels(const char *png) {
    int W, H;
    unsigned char *rgba = read_png(png, &W, &H);
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = recall_paths[0];
    o.text = SHOT_TEXT;
    o.compare = recall_paths, o.ncompare = 3;
    o.show_fresh = 1;
    o.step = 4;
    assert_int_equal(W, o.width);
    assert_int_equal(H, o.height);
    UiScreen s;
    RnnError err;
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    SDL_Surface *surf = plat_render_surface(&s, &o, &err); /* lays the columns out as the CLI did */
    assert_non_null(surf);
    SDL_FreeSurface(surf);
    assert_non_null(s.compare);
    assert_int_equal(s.compare->count, 3);
    UiColor seen[3][4]; /* column k's colour of unit 0 at t = 0..3 */
    for (int k = 0; k < 3; k++) {
        const UiView *cv = &s.compare->col[k].view;
        const UiRect col = s.compare->col[k].rect;
        if (k) assert_true(col.x >= s.compare->col[k - 1].rect.x + s.compare->col[k - 1].rect.w);
        const UiHeatmap *hm = NULL;
        for (int i = 0; i < cv->nheatmaps; i++)
            if (cv->heatmaps[i].quantity == RNN_QUANTITY_H && cv->heatmaps[i].layer == 0 &&
                cv->heatmaps[i].direction == 0)
                hm = &cv->heatmaps[i];
        assert_non_null(hm);
        assert_int_equal(hm->t0, 0);
        assert_int_equal(hm->cols, 4);
        int checked = 0;
        for (int c = 0; c < hm->cols; c++) {
            int t = hm->t0 + c;
            if (!ui_view_computed(cv, 0, t)) continue;
            for (int r = 0; r < hm->rows; r++) {
                int unit = hm->u0 + r;
                int x = hm->rect.x + c * hm->cell_w + hm->cell_w / 2;
                int y = hm->rect.y + r * hm->cell_h + hm->cell_h / 2;
                assert_true(ui_rect_contains(col, x, y) && x < W && y < H);
                double h = cv->trace->h[rnn_trace_state_index(cv->trace, 0, 0, t) + unit];
                UiColor want = ui_colormap_diverging(h), got = png_pixel(rgba, W, x, y);
                if (!same_colour(got, want))
                    fail_msg("%s: h[t=%d][%d] = %.4f drawn as #%02x%02x%02x, want #%02x%02x%02x",
                             cv->model->name, t, unit, h, got.r, got.g, got.b, want.r, want.g,
                             want.b);
                if (r == 0) seen[k][c] = got;
                checked++;
            }
        }
        assert_int_equal(checked, 4 * hm->rows); /* every word read: all cells in colour */
    }
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++) {
            int differ = 0;
            for (int t = 0; t < 4; t++) differ += !same_colour(seen[a][t], seen[b][t]);
            if (!differ) fail_msg("columns %d and %d show the same states", a, b);
        }
    ui_screen_free(&s);
    free(rgba);
}

/* The CSV: the header, one row per model and step in order, every value finite, and the
 * sensitivity column equal to rnn_sensitivity of the model on the sentence, run here. */
static void check_screenshot_csv(const char *path) {
    char *csv;
    size_t len;
    RnnError err;
    assert_int_equal(io_read_file(path, 1 << 20, &csv, &len, &err), 0);
    char *save = NULL, *line = strtok_r(csv, "\n", &save);
    assert_non_null(line);
    assert_string_equal(line, "model,cell,t,token,sensitivity,sensitivity_fresh,influence,"
                              "influence_fresh");
    static const char *const names[] = {"recall-rnn", "recall-lstm", "recall-gru"};
    static const char *const cells[] = {"rnn", "lstm", "gru"};
    static const char *const tokens[] = {"violin", "the", "very", "?"};
    int rows = 0;
    for (int k = 0; k < 3; k++) {
        RnnModel *m = load_model(recall_paths[k], NULL);
        RnnTokens tok;
        RnnTrace *tr;
        assert_int_equal(rnn_model_run_text(m, SHOT_TEXT, 0, &tok, &tr, &err), 0);
        assert_int_equal(tr->steps, 4);
        RnnBackward *bw = rnn_backward_new(&m->config, tr->steps, &err);
        double norms[4];
        assert_int_equal(rnn_sensitivity(m, tr, bw, norms, &err), 0);
        for (int t = 0; t < 4; t++, rows++) {
            line = strtok_r(NULL, "\n", &save);
            if (!line) fail_msg("the CSV ends after %d rows, want 12", rows);
            char name[64], cell[16], token[32];
            int step, used = 0;
            assert_int_equal(
                sscanf(line, "%63[^,],%15[^,],%d,%31[^,],%n", name, cell, &step, token, &used), 4);
            assert_string_equal(name, names[k]);
            assert_string_equal(cell, cells[k]);
            assert_int_equal(step, t);
            assert_string_equal(token, tokens[t]);
            double values[4];
            char *p = line + used, *end;
            for (int i = 0; i < 4; i++) {
                values[i] = strtod(p, &end);
                if (end == p || !isfinite(values[i]))
                    fail_msg("row %d: value %d is not a finite number: %s", rows, i, line);
                p = *end == ',' ? end + 1 : end;
            }
            assert_int_equal(*p, '\0');
            /* written with round-trip digits: equal to the last bit or two */
            assert_double_equal(values[0], norms[t], 1e-15 * fabs(norms[t]));
        }
        rnn_backward_free(bw);
        rnn_trace_free(tr);
        rnn_tokens_free(&tok);
        rnn_model_free(m);
    }
    assert_null(strtok_r(NULL, "\n", &save)); /* 3 models x 4 steps, no more */
    free(csv);
}

static void test_screenshot_compare_writes_png_and_csv(void **state) {
    (void)state;
    char png[] = "/tmp/rnnscope-compare-png-XXXXXX", csv[] = "/tmp/rnnscope-compare-csv-XXXXXX";
    close(mkstemp(png)), close(mkstemp(csv));
    char models[3 * 256];
    snprintf(models, sizeof models, "%s,%s,%s", recall_paths[0], recall_paths[1], recall_paths[2]);
    char *argv[] = {"rnnscope", "screenshot", "--out", png,       "--compare", models, "--text",
                    SHOT_TEXT,  "--step",     "4",     "--fresh", "--csv",     csv};
    Captured c = run_cli(13, argv);
    if (c.code != 0) fail_msg("exit %d: %s", c.code, c.err);
    captured_free(&c);
    check_screenshot_pixels(png);
    check_screenshot_csv(csv);
    unlink(png), unlink(csv);
    /* --csv without --compare is a usage error */
    char *bad[] = {"rnnscope", "screenshot", "--out", png, "--csv", csv};
    c = run_cli(6, bad);
    assert_int_equal(c.code, 2);
    captured_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensitivity_equals_central_differences),
        cmocka_unit_test(test_key_influence_equals_direct_reruns),
        cmocka_unit_test(test_rnn_reach_collapses_at_distance_40),
        cmocka_unit_test(test_view_steps_and_edits_every_model),
        cmocka_unit_test(test_csv_holds_the_charts_numbers),
        cmocka_unit_test(test_screenshot_compare_writes_png_and_csv),
    };
    return cmocka_run_group_tests(tests, sdl_setup, sdl_teardown);
}
