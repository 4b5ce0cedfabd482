/* test_ui.c - the app without a display: layout and hit-testing, the colour of a rendered
 * heatmap cell, keys and Korean text input through SDL's event queue, and the detail panel
 * showing the engine's own numbers. SDL runs with its dummy video driver. */
#include "test_sdl.h"

#define RECALL "violin the very and so it was just some ?"

static void open_view(UiScreen *s, const char *model, const char *text, int step) {
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = model;
    o.text = text;
    o.step = step;
    if (ui_screen_prepare(s, &o, NULL, &err)) fail_msg("%s", err.message);
}

static int find_heatmap(const UiView *v, int layer, int dir, int quantity) {
    for (int i = 0; i < v->nheatmaps; i++)
        if (v->heatmaps[i].layer == layer && v->heatmaps[i].direction == dir &&
            v->heatmaps[i].quantity == quantity)
            return i;
    fail_msg("no heatmap for layer %d dir %d quantity %d", layer, dir, quantity);
    return -1;
}

static void test_hit_testing_maps_points_to_values(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "names-en-bidirectional.json", "Paris is a kind teacher .", 6);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(v, &list, 1280, 800);
    /* LSTM, bidirectional, one layer: 6 quantities x 2 directions */
    assert_int_equal(v->nheatmaps, 12);
    for (int i = 0; i < v->nheatmaps; i++) {
        const UiHeatmap *hm = &v->heatmaps[i];
        assert_true(hm->rect.x >= 0 && hm->rect.x + hm->rect.w <= v->side.x);
        for (int unit = 0; unit < 16; unit += 5)
            for (int t = 0; t < 6; t++) {
                int x = hm->rect.x + t * hm->cell_w + hm->cell_w / 2;
                int y = hm->rect.y + unit * hm->cell_h + hm->cell_h / 2;
                UiHit hit = ui_view_hit(v, x, y);
                assert_int_equal(hit.heatmap, i);
                assert_int_equal(hit.unit, unit);
                assert_int_equal(hit.t, t);
            }
        /* just outside the last column and row: not this heatmap */
        UiHit out = ui_view_hit(v, hm->rect.x + hm->rect.w, hm->rect.y + hm->rect.h);
        assert_true(out.heatmap != i);
    }
    /* a token chip */
    UiHit chip = ui_view_hit(v, v->chips[3].x + 2, v->chips[3].y + 2);
    assert_int_equal(chip.token, 3);
    assert_int_equal(chip.heatmap, -1);
    /* heatmaps of the backward direction sit to the right of the forward ones */
    int f = find_heatmap(v, 0, 0, RNN_QUANTITY_H), b = find_heatmap(v, 0, 1, RNN_QUANTITY_H);
    assert_true(v->heatmaps[b].rect.x > v->heatmaps[f].rect.x + v->heatmaps[f].rect.w);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

static Uint32 pixel_at(SDL_Surface *s, int x, int y) {
    return ((Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch))[x];
}

/* The recall LSTM on the recall sentence after four words, ready to render. */
static void recall_at_step_4(UiScreen *s, UiScreenOptions *o) {
    RnnError err;
    ui_screen_options_default(o);
    o->model_path = MODELS "recall-lstm.json";
    o->text = RECALL;
    o->step = 4;
    if (ui_screen_prepare(s, o, NULL, &err)) fail_msg("%s", err.message);
}

/* A rendered cell has exactly colormap(trace value); cells not yet read have no colour. */
static void test_render_puts_the_colormap_colour_in_the_cell(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    UiScreenOptions o;
    RnnError err;
    recall_at_step_4(&s, &o);
    SDL_Surface *surf = plat_render_surface(&s, &o, &err);
    assert_non_null(surf);
    const int f_gate = 1, unit = 3, t = 2;
    const UiHeatmap *hm = &v->heatmaps[find_heatmap(v, 0, 0, f_gate)];
    double value = v->trace->gate[rnn_trace_gate_index(v->trace, 0, 0, t, f_gate) + unit];
    UiColor want = ui_colormap_sequential(value);
    int x = hm->rect.x + t * hm->cell_w + hm->cell_w / 2,
        y = hm->rect.y + unit * hm->cell_h + hm->cell_h / 2;
    Uint8 r, g, b;
    SDL_GetRGB(pixel_at(surf, x, y), surf->format, &r, &g, &b);
    assert_int_equal(r, want.r);
    assert_int_equal(g, want.g);
    assert_int_equal(b, want.b);
    /* h is diverging */
    hm = &v->heatmaps[find_heatmap(v, 0, 0, RNN_QUANTITY_H)];
    value = v->trace->h[rnn_trace_state_index(v->trace, 0, 0, t) + unit];
    want = ui_colormap_diverging(value);
    SDL_GetRGB(pixel_at(surf, hm->rect.x + t * hm->cell_w + hm->cell_w / 2,
                        hm->rect.y + unit * hm->cell_h + hm->cell_h / 2),
               surf->format, &r, &g, &b);
    assert_int_equal(r, want.r);
    assert_int_equal(g, want.g);
    assert_int_equal(b, want.b);
    /* step 4: column 6 is not read yet and shows the theme's empty colour */
    UiColor empty = ui_palette(UI_THEME_LIGHT).chip_unread;
    SDL_GetRGB(
        pixel_at(surf, hm->rect.x + 6 * hm->cell_w + hm->cell_w / 2, hm->rect.y + hm->cell_h / 2),
        surf->format, &r, &g, &b);
    assert_int_equal(r, empty.r);
    assert_int_equal(g, empty.g);
    assert_int_equal(b, empty.b);
    SDL_FreeSurface(surf);
    ui_screen_free(&s);
}

/* A value that is not a finite number is drawn in the error colour, never as a colour of a
 * scale that would pass for a number. */
static void test_non_finite_values_are_shown_as_such(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    UiScreenOptions o;
    RnnError err;
    recall_at_step_4(&s, &o);
    v->trace->h[rnn_trace_state_index(v->trace, 0, 0, 1) + 2] = NAN;
    v->trace->gate[rnn_trace_gate_index(v->trace, 0, 0, 2, 1) + 5] = INFINITY;
    SDL_Surface *surf = plat_render_surface(&s, &o, &err);
    assert_non_null(surf);
    UiColor want = ui_palette(UI_THEME_LIGHT).error;
    const UiHeatmap *h = &v->heatmaps[find_heatmap(v, 0, 0, RNN_QUANTITY_H)];
    const UiHeatmap *f = &v->heatmaps[find_heatmap(v, 0, 0, 1)];
    Uint8 r, g, b;
    /* the bottom-left corner of each cell: the white stroke runs along its diagonal, and the
     * current column's outline along the right of the cell before it */
    int hx = h->rect.x + 1 * h->cell_w + 2, hy = h->rect.y + 3 * h->cell_h - 2;
    int fx = f->rect.x + 2 * f->cell_w + 2, fy = f->rect.y + 6 * f->cell_h - 2;
    SDL_GetRGB(pixel_at(surf, hx, hy), surf->format, &r, &g, &b);
    if (r != want.r || g != want.g || b != want.b) fail_msg("h: %d %d %d", r, g, b);
    SDL_GetRGB(pixel_at(surf, fx, fy), surf->format, &r, &g, &b);
    if (r != want.r || g != want.g || b != want.b) fail_msg("f: %d %d %d", r, g, b);
    SDL_FreeSurface(surf);
    ui_screen_free(&s);
}

static void push_key(SDL_Keycode sym, Uint16 mod) {
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
}

static void push_text(Uint32 type, const char *utf8) {
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    if (type == SDL_TEXTINPUT)
        snprintf(e.text.text, sizeof e.text.text, "%s", utf8);
    else
        snprintf(e.edit.text, sizeof e.edit.text, "%s", utf8);
    SDL_PushEvent(&e);
}

static void pump(UiScreen *s) {
    SDL_Event e;
    while (SDL_PollEvent(&e)) plat_handle_event(s, &e);
}

static void test_keys_step_and_switch_models(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-lstm.json", RECALL, 1);
    assert_int_equal(v->words_read, 1);
    push_key(SDLK_RIGHT, 0);
    push_key(SDLK_RIGHT, 0);
    pump(&s);
    assert_int_equal(v->words_read, 3);
    push_key(SDLK_END, 0);
    pump(&s);
    assert_int_equal(v->words_read, 10);
    push_key(SDLK_RIGHT, 0); /* past the end stays at the end */
    pump(&s);
    assert_int_equal(v->words_read, 10);
    push_key(SDLK_LEFT, 0);
    pump(&s);
    assert_int_equal(v->words_read, 9);
    /* 1, 2, 3: the RNN, LSTM and GRU of the same task, on the same sentence and step */
    push_key(SDLK_1, 0);
    pump(&s);
    assert_int_equal(v->model->config.cell, RNN_CELL_RNN);
    assert_non_null(strstr(v->model_path, "recall-rnn.json"));
    assert_int_equal(v->words_read, 9);
    push_key(SDLK_3, 0);
    pump(&s);
    assert_int_equal(v->model->config.cell, RNN_CELL_GRU);
    assert_int_equal(v->trace->steps, 10);
    push_key(SDLK_2, 0);
    pump(&s);
    assert_int_equal(v->model->config.cell, RNN_CELL_LSTM);
    /* the theme, zoom and help keys */
    push_key(SDLK_t, 0);
    push_key(SDLK_EQUALS, 0);
    pump(&s);
    assert_int_equal(v->theme, UI_THEME_DARK);
    assert_true(v->user_zoom > 1.0); /* + zooms on top of the fit to the window */
    push_key(SDLK_q, 0);
    pump(&s);
    assert_true(v->quit);
    ui_screen_free(&s);
}

static void test_korean_typing_reruns_the_engine(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "sentiment-ko.json", "x", 1);
    push_key(SDLK_TAB, 0); /* start editing */
    push_key(SDLK_BACKSPACE, 0);
    pump(&s);
    assert_int_equal(v->editing, UI_EDIT_SENTENCE);
    /* the input method shows a syllable being composed, then commits the words */
    push_text(SDL_TEXTEDITING, "맛");
    pump(&s);
    assert_string_equal(v->composition, "맛");
    push_text(SDL_TEXTINPUT, "음식이 정말 맛있었다");
    pump(&s);
    assert_string_equal(v->composition, "");
    push_key(SDLK_RETURN, 0);
    pump(&s);
    assert_int_equal(v->editing, 0);
    assert_string_equal(v->text, "음식이 정말 맛있었다");
    assert_int_equal(v->trace->steps, 3);
    assert_string_equal(v->tokens.text[2], "맛있었다");
    /* the trace is the engine's for these words */
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError err;
    assert_int_equal(rnn_model_run_text(v->model, "음식이 정말 맛있었다", 0, &tokens, &tr, &err),
                     0);
    for (int t = 0; t < 3; t++) assert_int_equal(v->trace->token_ids[t], tr->token_ids[t]);
    assert_memory_equal(v->trace->probs, tr->probs, 2 * sizeof(double));
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    /* invalid text keeps the last good sentence and says why */
    push_key(SDLK_TAB, 0);
    pump(&s);
    ui_view_text_input(v, "\xff");
    assert_true(v->banner_error);
    assert_non_null(strstr(v->banner, "invalid UTF-8"));
    assert_int_equal(v->trace->steps, 3);
    ui_screen_free(&s);
}

static void test_detail_panel_shows_the_engines_numbers(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-gru.json", RECALL, 5);
    UiDrawList list = {0};
    list.measure = fake_measure();
    /* select the GRU's candidate n, unit 7, at the current step (t = 4) */
    v->sel = (UiSelection){0, 0, 2, 7, -1};
    ui_view_layout(v, &list, 1280, 800);
    ui_view_draw(v, &list);
    const RnnTrace *tr = v->trace;
    size_t gi = rnn_trace_gate_index(tr, 0, 0, 4, 0);
    double r = tr->gate[gi + 7], pre = tr->gate_pre[gi + 2 * 16 + 7], n = tr->gate[gi + 2 * 16 + 7];
    char want[128];
    snprintf(want, sizeof want, "  = tanh(%.3f) = %.3f", pre, n);
    if (!test_drawn(&list, want)) fail_msg("the detail panel does not show '%s'", want);
    RnnExplain e;
    RnnError err;
    assert_int_equal(rnn_explain(v->model, tr, 0, 0, 4, 2, 7, &e, &err), 0);
    assert_double_equal(e.reset, r, 0);
    /* its terms add up to the trace's own pre-activation, exactly as the engine added them */
    assert_double_equal((e.wx + e.b_ih) + e.reset * (e.wh + e.b_hh), pre, 0);
    assert_double_equal(e.wx + e.b_ih, tr->gate_ih[gi + 2 * 16 + 7], 0);
    assert_double_equal(e.wh + e.b_hh, tr->gate_hh[gi + 2 * 16 + 7], 0);
    /* and h = (1 - z) n + z h_prev */
    v->sel.quantity = RNN_QUANTITY_H;
    ui_view_draw(v, &list);
    assert_int_equal(rnn_explain(v->model, tr, 0, 0, 4, RNN_QUANTITY_H, 7, &e, &err), 0);
    assert_double_equal((1 - e.z) * e.n + e.z * e.h_prev, e.value, 1e-15);
    snprintf(want, sizeof want, "  = %.3f", tr->h[rnn_trace_state_index(tr, 0, 0, 4) + 7]);
    assert_true(test_drawn(&list, want));
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* Every value of LSTM and GRU traces is explained by terms that rebuild it. */
static void test_explanations_rebuild_every_value(void **state) {
    (void)state;
    const char *models[] = {MODELS "names-en-bidirectional.json", MODELS "recall-gru.json",
                            MODELS "recall-rnn.json"};
    for (int m = 0; m < 3; m++) {
        UiScreen s;
        UiView *v = &s.view;
        open_view(&s, models[m], "paris is a river in the east ?", 8);
        const RnnConfig *c = &v->model->config;
        RnnExplain e;
        RnnError err;
        for (int d = 0; d < rnn_directions(c); d++)
            for (int t = 0; t < v->trace->steps; t++)
                for (int q = RNN_QUANTITY_H; q < rnn_gate_count(c->cell); q++)
                    for (int j = 0; j < c->hidden_size; j++) {
                        if (q == RNN_QUANTITY_C && c->cell != RNN_CELL_LSTM) continue;
                        if (c->cell == RNN_CELL_RNN && q >= 0) continue;
                        assert_int_equal(rnn_explain(v->model, v->trace, 0, d, t, q, j, &e, &err),
                                         0);
                        double rebuilt;
                        switch (e.kind) {
                        case RNN_EXPLAIN_GATE: {
                            double a = (e.wx + e.b_ih) + e.reset * (e.wh + e.b_hh);
                            assert_double_equal(a, e.pre, 1e-15);
                            rebuilt = e.activation == RNN_ACT_SIGMOID ? rnn_sigmoid(a)
                                      : e.activation == RNN_ACT_RELU  ? (a > 0 ? a : 0)
                                                                      : rnn_tanh(a);
                            break;
                        }
                        case RNN_EXPLAIN_LSTM_C:
                            rebuilt = e.f * e.c_prev + e.i * e.g;
                            break;
                        case RNN_EXPLAIN_LSTM_H:
                            rebuilt = e.o * e.tanh_c;
                            break;
                        default:
                            rebuilt = (1 - e.z) * e.n + e.z * e.h_prev;
                            break;
                        }
                        assert_double_equal(rebuilt, e.value, 1e-15);
                    }
        ui_screen_free(&s);
    }
}

/* A bad file dropped on the window leaves the open model in place. */
static void test_bad_drop_keeps_the_model(void **state) {
    (void)state;
    UiScreen s;
    UiView *v = &s.view;
    open_view(&s, MODELS "recall-lstm.json", RECALL, 3);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_DROPFILE;
    e.drop.file = RNNSCOPE_SOURCE_DIR "/README.md";
    plat_handle_event(&s, &e);
    assert_true(v->banner_error);
    assert_non_null(strstr(v->banner, "README.md"));
    assert_non_null(strstr(v->model_path, "recall-lstm.json"));
    assert_int_equal(v->words_read, 3);
    ui_screen_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_testing_maps_points_to_values),
        cmocka_unit_test(test_render_puts_the_colormap_colour_in_the_cell),
        cmocka_unit_test(test_non_finite_values_are_shown_as_such),
        cmocka_unit_test(test_keys_step_and_switch_models),
        cmocka_unit_test(test_korean_typing_reruns_the_engine),
        cmocka_unit_test(test_detail_panel_shows_the_engines_numbers),
        cmocka_unit_test(test_explanations_rebuild_every_value),
        cmocka_unit_test(test_bad_drop_keeps_the_model),
    };
    return cmocka_run_group_tests(tests, sdl_setup, sdl_teardown);
}
