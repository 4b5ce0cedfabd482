/* test_lessons.c - lesson files: each kind of mistake is reported as file:line, a good lesson
 * passes with its claims checked, and stepping through a lesson in the view applies its
 * directives. */
#include "test_util.h"

#include "io_lesson.h"
#include "plat_sdl.h"
#include "ui_view.h"

static const char header[] = "---\n"
                             "title: T\n"
                             "model: " MODELS "recall-lstm.json\n"
                             "text: violin the very and so it was just some ?\n"
                             "lang: en\n"
                             "---\n"; /* 6 lines */

typedef struct Broken {
    const char *what;
    const char *text; /* the whole file, or NULL: header + body */
    const char *body;
    int line;            /* the line the message must name */
    const char *message; /* part of the message */
} Broken;

static const Broken broken[] = {
    {"no front matter", "# Hi\n", NULL, 1, "starts with front matter"},
    {"front matter not closed", "---\ntitle: T\n", NULL, 0, "no closing '---'"},
    {"missing text", "---\ntitle: T\nmodel: m.json\nlang: en\n---\n", NULL, 0, "needs 'text'"},
    {"unknown front matter key", "---\ntitle: T\ncolour: red\n---\n", NULL, 3,
     "unknown front matter key 'colour'"},
    {"bad lang", "---\ntitle: T\nmodel: m.json\ntext: a\nlang: fr\n---\n", NULL, 0,
     "lang: expected en or ko"},
    {"unknown directive", NULL, "## S\n<!-- rnnscope: zoom=2 -->\n", 9, "unknown directive 'zoom'"},
    {"bare word", NULL, "## S\n<!-- rnnscope: pause -->\n", 9, "unknown directive 'pause'"},
    {"comment not closed", NULL, "## S\n<!-- rnnscope: step=2\n-->\n", 9, "close with -->"},
    {"step not a number", NULL, "## S\n<!-- rnnscope: step=two -->\n", 9,
     "step: expected a whole number or end"},
    {"unknown focus", NULL, "## S\n<!-- rnnscope: focus=q -->\n", 9, "focus=q"},
    {"quiz without answer", NULL, "\n## S\n<!-- rnnscope: quiz=\"Why?\" -->\n", 9,
     "quiz and answer come together"},
    {"unit without focus", NULL, "## S\n<!-- rnnscope: unit=3 -->\n", 8, "go with focus="},
    {"unclosed quote", NULL, "## S\n<!-- rnnscope: text=\"a b -->\n", 9, "quoted value"},
    {"invalid UTF-8", NULL, "## S\nbad \xff byte\n", 9, "invalid UTF-8"},
    {"expect without comparison", NULL, "## S\n<!-- rnnscope: expect accuracy(recall-lstm) -->\n",
     9, "expect needs EXPRESSION OP VALUE"},
    /* found when the lesson is run */
    {"missing model", NULL, "## S\n<!-- rnnscope: model=nowhere.json -->\n", 9,
     "nowhere.json: cannot open"},
    {"step out of range", NULL, "## S\n<!-- rnnscope: step=11 -->\n", 9,
     "step=11, but the sentence has 10 words"},
    {"unit out of range", NULL, "## S\n<!-- rnnscope: focus=f unit=16 -->\n", 9, "out of range"},
    {"no cell state in a GRU", NULL,
     "## S\n<!-- rnnscope: model=" MODELS "recall-gru.json -->\n<!-- rnnscope: focus=c -->\n", 10,
     "a gru has no such quantity"},
    {"claim that fails", NULL,
     "## S\n<!-- rnnscope: expect accuracy(recall-rnn, distance=40) >= 0.95 -->\n", 9,
     "claim does not hold: accuracy(recall-rnn, distance=40) >= 0.95 (it is 0.55)"},
    {"unknown function", NULL, "## S\n<!-- rnnscope: expect magic(recall-lstm) > 1 -->\n", 9,
     "unknown function 'magic'"},
    {"missing data file", NULL,
     "## S\n<!-- rnnscope: expect eval(sentiment-en, nothing.jsonl) > 0.5 -->\n", 9,
     "nothing.jsonl: cannot open"},
    {"word compared with a number", NULL, "## S\n<!-- rnnscope: expect predicted() > 2 -->\n", 9,
     "claim does not hold"},
    /* the backward pass and what-if changes */
    {"target that is not a label", NULL,
     "## S\n<!-- rnnscope: pass=backward -->\n<!-- rnnscope: target=cello -->\n", 10,
     "target=cello: 'cello' is not one of the model's labels (labels: violin, tiger, apple, "
     "river"},
    {"back beyond the first word", NULL, "## S\n<!-- rnnscope: pass=backward back=10 -->\n", 9,
     "back=10, but the sentence has 10 words"},
    {"back without pass=backward", NULL, "## S\n<!-- rnnscope: back=2 -->\n", 9,
     "back=2 goes with pass=backward"},
    {"nonlinearity on an LSTM", NULL, "## S\n<!-- rnnscope: nonlinearity=relu -->\n", 9,
     "nonlinearity=relu: only a vanilla RNN can switch between tanh and relu (this model: lstm)"},
    {"forget-bias on a vanilla RNN", NULL,
     "## S\n<!-- rnnscope: model=" MODELS "recall-rnn.json -->\n"
     "<!-- rnnscope: forget-bias=1 -->\n",
     10, "forget-bias=1: a vanilla RNN has no forget gate"},
    {"gradient of a cell state a GRU lacks", NULL,
     "## S\n<!-- rnnscope: model=" MODELS "recall-gru.json step=end -->\n"
     "<!-- rnnscope: expect grad_norm(c, t=3) > 0 -->\n",
     10, "Q must be h, c or a gate of this gru model"},
    {"unknown argument of a gradient claim", NULL,
     "## S\n<!-- rnnscope: expect grad_ratio(h, t=0, ovre=9) > 0 -->\n", 9,
     "unknown argument 'ovre'"},
    {"gradient claim out of range", NULL,
     "## S\n<!-- rnnscope: expect grad_norm(h, t=10) > 0 -->\n", 9,
     "t, over or unit out of range (T = 10, H = 16)"},
};

static char dir[] = "/tmp/rnnscope-lessons-XXXXXX";

static char *write_lesson(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_each_mistake_names_file_and_line(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        const Broken *b = &broken[i];
        char text[4096];
        if (b->text)
            snprintf(text, sizeof text, "%s", b->text);
        else
            snprintf(text, sizeof text, "%s# T\n%s", header, b->body);
        char *path = write_lesson("broken.md", text);
        char *argv[] = {"rnnscope", "check", path};
        Captured run = run_cli(3, argv);
        if (run.code != APP_EXIT_ERROR)
            fail_msg("%s: exit %d, stdout %s", b->what, run.code, run.out);
        char where[600];
        if (b->line)
            snprintf(where, sizeof where, "%s:%d: ", path, b->line);
        else
            snprintf(where, sizeof where, "%s: ", path);
        if (!strstr(run.err, where) || !strstr(run.err, b->message))
            fail_msg("%s:\n  got  %s  want %s... %s", b->what, run.err, where, b->message);
        assert_non_null(strstr(run.out, "FAIL"));
        captured_free(&run);
    }
}

static const char good_body[] =
    "# T\n"
    "Intro.\n"
    "\n"
    "## Read the key\n"                          /* line 10 */
    "<!-- rnnscope: step=1 focus=c unit=8 -->\n" /* line 11 */
    "The *cell state* of unit 8.\n"
    "<!-- rnnscope: quiz=\"Kept?\" answer=\"Yes.\" -->\n"
    "<!-- rnnscope: expect value(c, unit=8, t=0) < -0.5 -->\n"
    "\n"
    "## The end\n"
    "<!-- rnnscope: step=end focus=f unit=8 -->\n"
    "<!-- rnnscope: expect value(f, unit=8, t=9) > 0.99 -->\n"
    "<!-- rnnscope: expect predicted() == violin -->\n"
    "<!-- rnnscope: expect prob(violin) > 0.9 -->\n"
    "<!-- rnnscope: expect params(recall-gru, keras) == 1460 -->\n"
    "<!-- rnnscope: expect accuracy(recall-lstm, distance=40) >= 0.95 -->\n"
    "<!-- rnnscope: expect sensitivity_ratio(recall-rnn, distance=20) < 1e-4 -->\n"
    "<!-- rnnscope: expect tag_accuracy(names-en-bidirectional, " RNNSCOPE_SOURCE_DIR
    "/assets/data/names-en-valid.jsonl, LOC) > 0.8 -->\n"
    "\n"
    "## Another model\n"
    "<!-- rnnscope: model=" MODELS "recall-gru.json text=\"apple so ?\" step=2 focus=z unit=3 -->\n"
    "A GRU now.\n";

static void test_a_good_lesson_passes(void **state) {
    (void)state;
    char text[8192];
    snprintf(text, sizeof text, "%s%s", header, good_body);
    char *path = write_lesson("good.md", text);
    char *argv[] = {"rnnscope", "check", path};
    Captured run = run_cli(3, argv);
    if (run.code != 0) fail_msg("%s", run.err);
    assert_non_null(strstr(run.out, "ok   "));
    assert_non_null(strstr(run.out, "(4 steps, 8 claims hold)"));
    captured_free(&run);
}

static void test_the_view_follows_the_lesson(void **state) {
    (void)state;
    char text[8192];
    snprintf(text, sizeof text, "%s%s", header, good_body);
    char *path = write_lesson("good.md", text);
    UiView v;
    RnnError err;
    ui_view_init(&v);
    if (ui_view_open_lesson(&v, path, &err)) fail_msg("%s", err.message);
    assert_int_equal(v.lesson->nsteps, 4);
    assert_int_equal(v.words_read, 1); /* step 0 sets nothing: the first word */
    ui_view_key(&v, UI_KEY_LESSON_NEXT);
    assert_int_equal(v.lesson_step, 1);
    assert_int_equal(v.sel.quantity, RNN_QUANTITY_C);
    assert_int_equal(v.sel.unit, 8);
    assert_int_equal(v.show_answer, 0);
    ui_view_key(&v, UI_KEY_ANSWER);
    assert_int_equal(v.show_answer, 1);
    ui_view_key(&v, UI_KEY_RIGHT); /* the learner explores... */
    ui_view_key(&v, UI_KEY_RIGHT);
    assert_int_equal(v.words_read, 3);
    ui_view_key(&v, UI_KEY_LESSON_NEXT); /* ...and the next step brings the view back */
    assert_int_equal(v.words_read, 10);
    assert_int_equal(v.sel.quantity, 1); /* f */
    ui_view_key(&v, UI_KEY_LESSON_NEXT);
    assert_int_equal(v.model->config.cell, RNN_CELL_GRU);
    assert_string_equal(v.text, "apple so ?");
    assert_int_equal(v.words_read, 2);
    ui_view_key(&v, UI_KEY_LESSON_NEXT); /* past the last step stays there */
    assert_int_equal(v.lesson_step, 3);
    ui_view_key(&v, UI_KEY_LESSON_PREV);
    ui_view_key(&v, UI_KEY_LESSON_PREV);
    assert_int_equal(v.model->config.cell, RNN_CELL_LSTM); /* going back restores the model */
    assert_int_equal(v.words_read, 1);
    ui_view_free(&v);
    /* the keys as SDL sends them */
    SDL_KeyboardEvent k = {0};
    k.keysym.sym = SDLK_n;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_LESSON_NEXT);
    k.keysym.sym = SDLK_PAGEUP;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_LESSON_PREV);
    k.keysym.sym = SDLK_a;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_ANSWER);
    k.keysym.sym = SDLK_l;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_PICKER);
}

/* A click (or a tap, on a phone) on a lesson in the picker opens that lesson; elsewhere it
 * does nothing. */
static void test_a_click_in_the_picker_opens_that_lesson(void **state) {
    (void)state;
    UiView v;
    RnnError err;
    ui_view_init(&v);
    if (ui_view_open_picker(&v, RNNSCOPE_SOURCE_DIR "/lessons", "en", &err))
        fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(&v, &list, 1280, 800);
    assert_true(v.picker_rows_shown >= 3);
    UiRect second = v.picker_rows[1];
    assert_int_equal(ui_view_click(&v, second.x + second.w / 2, second.y + second.h / 2), 1);
    assert_false(v.picker);
    assert_non_null(strstr(v.lesson->path, "02-"));
    ui_view_free(&v);
    ui_view_init(&v);
    if (ui_view_open_picker(&v, RNNSCOPE_SOURCE_DIR "/lessons", "en", &err))
        fail_msg("%s", err.message);
    ui_view_layout(&v, &list, 1280, 800);
    assert_int_equal(ui_view_click(&v, 5, 5), 0); /* the title: nothing */
    assert_true(v.picker);
    UiRect third = v.picker_rows[2];
    assert_int_equal(ui_view_click(&v, third.x + 4, third.y + third.h - 1), 1);
    assert_non_null(strstr(v.lesson->path, "03-"));
    ui_draw_free(&list);
    ui_view_free(&v);
}

/* ---- the gradient claims, each against a number worked out here ---------------------------- */

static const char sentence[] = "violin the very and so it was just some ?"; /* T = 10 */

/* A lesson on model with one step of directives and claims must pass with nclaims claims. */
static void expect_holds(const char *what, const char *model, const char *directives,
                         const char *claims, int nclaims) {
    char text[8192], want[64];
    snprintf(text, sizeof text,
             "---\ntitle: T\nmodel: %s\ntext: %s\nlang: en\n---\n# T\n## S\n"
             "<!-- rnnscope: %s -->\n%s",
             model, sentence, directives, claims);
    char *path = write_lesson("grad.md", text);
    char *argv[] = {"rnnscope", "check", path};
    Captured run = run_cli(3, argv);
    snprintf(want, sizeof want, "(2 steps, %d claims hold)", nclaims);
    if (run.code != 0 || !strstr(run.out, want))
        fail_msg("%s: exit %d\n%s%s", what, run.code, run.out, run.err);
    captured_free(&run);
}

typedef struct Worked {
    RnnModel *model;
    RnnTokens tokens;
    RnnTrace *trace;
    int T, H, K;
    double dz[16]; /* ∂L/∂logits = p - onehot(target) */
    double dh[64]; /* ∂L/∂h_{T-1} = W_headᵀ dz: only the head reads the last state */
} Worked;

/* The forward pass and the gradient at the last word, by hand, for a target label. */
static void work(Worked *w, const char *file, const char *target) {
    RnnError err;
    w->model = load_model(file, NULL);
    if (rnn_model_run_text(w->model, sentence, 0, &w->tokens, &w->trace, &err))
        fail_msg("%s", err.message);
    w->T = w->trace->steps, w->H = w->model->config.hidden_size, w->K = w->model->config.num_labels;
    int y = rnn_model_label_index(w->model, target);
    assert_true(y >= 0);
    for (int k = 0; k < w->K; k++) w->dz[k] = w->trace->probs[k] - (k == y);
    for (int j = 0; j < w->H; j++) {
        w->dh[j] = 0;
        for (int k = 0; k < w->K; k++) w->dh[j] += w->model->head_weight[k * w->H + j] * w->dz[k];
    }
}

static void worked_free(Worked *w) {
    rnn_tokens_free(&w->tokens);
    rnn_trace_free(w->trace);
    rnn_model_free(w->model);
}

/* A vanilla RNN's ∂L/∂h_{T−2} = W_hhᵀ (∂L/∂h_{T−1} ⊙ (1 − h_{T−1}²)): the head reads only the
 * last state, so nothing else reaches h_{T−2}. */
static void one_step_back(const Worked *w, double *before) {
    const double *h = w->trace->h + rnn_trace_state_index(w->trace, 0, 0, w->T - 1);
    const double *W = w->model->layer[0][0].weight_hh; /* (H, H), row k feeds unit k */
    for (int j = 0; j < w->H; j++) {
        before[j] = 0;
        for (int k = 0; k < w->H; k++) before[j] += W[k * w->H + j] * w->dh[k] * (1 - h[k] * h[k]);
    }
}

static double norm(const double *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i] * x[i];
    return sqrt(s);
}

/* grad(Q, unit, t): one unit's gradient, for h and for an LSTM's c and f at the last word:
 *   dc = dh ⊙ o ⊙ (1 − tanh²c)      d(f's pre-activation) = dc ⊙ c_{T−2} ⊙ f (1 − f) */
static void test_claim_grad(void **state) {
    (void)state;
    Worked w;
    work(&w, MODELS "recall-lstm.json", "tiger"); /* it predicts violin: another target */
    const RnnTrace *tr = w.trace;
    int t = w.T - 1, j = 8;
    double c = tr->c[rnn_trace_state_index(tr, 0, 0, t) + j];
    double c_prev = tr->c[rnn_trace_state_index(tr, 0, 0, t - 1) + j];
    double o = tr->gate[rnn_trace_gate_index(tr, 0, 0, t, RNN_LSTM_O) + j];
    double f = tr->gate[rnn_trace_gate_index(tr, 0, 0, t, RNN_LSTM_F) + j];
    double dc = w.dh[j] * o * (1 - tanh(c) * tanh(c)), df = dc * c_prev * f * (1 - f);
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect grad(h, unit=8, t=9) == %.17g -->\n"
             "<!-- rnnscope: expect grad(h, unit=8) == %.17g -->\n"
             "<!-- rnnscope: expect grad(c, unit=8, t=9) == %.17g -->\n"
             "<!-- rnnscope: expect grad(f, unit=8, t=9) == %.17g -->\n",
             w.dh[j], w.dh[j], dc, df);
    expect_holds("grad", MODELS "recall-lstm.json", "step=end pass=backward target=tiger", claims,
                 4);
    worked_free(&w);
}

/* grad_norm(h, t): at the last word ‖W_headᵀ(p − y)‖; one word before, for a vanilla RNN,
 * ‖W_hhᵀ (dh_{T−1} ⊙ (1 − h_{T−1}²))‖. The default target is the prediction. */
static void test_claim_grad_norm(void **state) {
    (void)state;
    Worked w;
    work(&w, MODELS "recall-rnn.json", "river"); /* it predicts violin */
    const RnnTrace *tr = w.trace;
    double before[64] = {0};
    one_step_back(&w, before);
    Worked p; /* the prediction as the target */
    int best = 0;
    for (int k = 1; k < w.K; k++)
        if (tr->probs[k] > tr->probs[best]) best = k;
    work(&p, MODELS "recall-rnn.json", w.model->labels[best]);
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect grad_norm(h, t=9) == %.17g -->\n"
             "<!-- rnnscope: expect grad_norm(h, t=8) == %.17g -->\n"
             "<!-- rnnscope: expect grad_norm(h, t=8, layer=0, dir=forward) == %.17g -->\n",
             norm(w.dh, w.H), norm(before, w.H), norm(before, w.H));
    expect_holds("grad_norm", MODELS "recall-rnn.json", "step=end pass=backward target=river",
                 claims, 3);
    snprintf(claims, sizeof claims, "<!-- rnnscope: expect grad_norm(h, t=9) == %.17g -->\n",
             norm(p.dh, p.H));
    expect_holds("grad_norm, the prediction", MODELS "recall-rnn.json", "step=end", claims, 1);
    worked_free(&p);
    worked_free(&w);
}

/* grad_ratio: the norms at t and at over; over defaults to the last word a direction reads
 * (T − 1 forward, 0 backward), t to the current word (T − 1 − back); unit= takes one unit. */
static void test_claim_grad_ratio(void **state) {
    (void)state;
    Worked w;
    work(&w, MODELS "recall-rnn.json", "violin");
    double before[64] = {0};
    one_step_back(&w, before);
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect grad_ratio(h, t=8) == %.17g -->\n"
             "<!-- rnnscope: expect grad_ratio(h) == %.17g -->\n"
             "<!-- rnnscope: expect grad_ratio(h, t=9, over=8) == %.17g -->\n"
             "<!-- rnnscope: expect grad_ratio(h, t=8, unit=3) == %.17g -->\n",
             norm(before, w.H) / norm(w.dh, w.H), norm(before, w.H) / norm(w.dh, w.H),
             norm(w.dh, w.H) / norm(before, w.H), fabs(before[3] / w.dh[3]));
    expect_holds("grad_ratio", MODELS "recall-rnn.json",
                 "step=end pass=backward back=1 target=violin", claims, 4);
    worked_free(&w);
    /* the backward direction of a bidirectional layer starts at t = 0 */
    RnnModel *m = load_model(MODELS "names-en-bidirectional.json", NULL);
    RnnTokens tokens;
    RnnTrace *trace;
    RnnError err;
    if (rnn_model_run_text(m, sentence, 0, &tokens, &trace, &err)) fail_msg("%s", err.message);
    RnnGrad *g = rnn_grad_new(m, trace, NULL, NULL, &err);
    assert_non_null(g);
    int H = m->config.hidden_size;
    double at3 = norm(g->dh + rnn_trace_state_index(trace, 0, 1, 3), H);
    double at0 = norm(g->dh + rnn_trace_state_index(trace, 0, 1, 0), H);
    double fw3 = norm(g->dh + rnn_trace_state_index(trace, 0, 0, 3), H);
    double fw9 = norm(g->dh + rnn_trace_state_index(trace, 0, 0, 9), H);
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect grad_ratio(h, t=3, dir=backward) == %.17g -->\n"
             "<!-- rnnscope: expect grad_ratio(h, t=3) == %.17g -->\n",
             at3 / at0, fw3 / fw9);
    expect_holds("grad_ratio, backward", MODELS "names-en-bidirectional.json", "step=end", claims,
                 2);
    rnn_grad_free(g);
    rnn_trace_free(trace);
    rnn_tokens_free(&tokens);
    rnn_model_free(m);
}

/* loss(): −ln p(target); the prediction's when the step names no target; a what-if change
 * is the step's own (W_hh = 0: every word is read as if it came first). */
static void test_claim_loss(void **state) {
    (void)state;
    Worked w;
    work(&w, MODELS "recall-gru.json", "apple");
    double best = 0;
    for (int k = 0; k < w.K; k++) best = fmax(best, w.trace->probs[k]);
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect loss() == %.17g -->\n"
             "<!-- rnnscope: expect loss(model=recall-gru) == %.17g -->\n",
             -log(w.trace->probs[rnn_model_label_index(w.model, "apple")]),
             -log(w.trace->probs[rnn_model_label_index(w.model, "apple")]));
    expect_holds("loss", MODELS "recall-gru.json", "pass=backward target=apple", claims, 2);
    snprintf(claims, sizeof claims, "<!-- rnnscope: expect loss() == %.17g -->\n", -log(best));
    expect_holds("loss, the prediction", MODELS "recall-gru.json", "step=end", claims, 1);
    worked_free(&w);
    /* with W_hh = 0 the last state sees only `?`: the loss is that of the sentence "?" */
    RnnModel *m = load_model(MODELS "recall-rnn.json", NULL);
    RnnTokens tokens;
    RnnTrace *trace;
    RnnError err;
    for (int l = 0; l < 1; l++)
        for (int i = 0; i < m->config.hidden_size * m->config.hidden_size; i++)
            m->layer[0][0].weight_hh[i] = 0;
    if (rnn_model_run_text(m, "?", 0, &tokens, &trace, &err)) fail_msg("%s", err.message);
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect loss() == %.17g -->\n"
             "<!-- rnnscope: expect grad_norm(h, t=0) == 0 -->\n",
             -log(trace->probs[rnn_model_label_index(m, "river")]));
    expect_holds("loss, what if", MODELS "recall-rnn.json", "scale-whh=0 target=river", claims, 2);
    rnn_trace_free(trace);
    rnn_tokens_free(&tokens);
    rnn_model_free(m);
}

/* param_grad_norm(): ‖∂L/∂θ‖ over every tensor; clip=C brings it down to C. For the head's
 * bias alone it is ‖p − y‖, a lower bound. */
static void test_claim_param_grad_norm(void **state) {
    (void)state;
    Worked w;
    work(&w, MODELS "recall-rnn.json", "violin");
    RnnError err;
    RnnGrad *g = rnn_grad_new(w.model, w.trace, (int[]){0}, NULL, &err);
    assert_non_null(g);
    assert_string_equal(w.model->labels[0], "violin");
    double total = 0;
    for (size_t i = 0; i < w.model->num_params; i++) total += g->grads[i] * g->grads[i];
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect param_grad_norm() == %.17g -->\n"
             "<!-- rnnscope: expect param_grad_norm() > %.17g -->\n",
             sqrt(total), norm(w.dz, w.K));
    expect_holds("param_grad_norm", MODELS "recall-rnn.json", "pass=backward target=violin", claims,
                 2);
    assert_true(sqrt(total) > 1.1); /* so that clipping at 1 changes it */
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect param_grad_norm() <= 1 -->\n"
             "<!-- rnnscope: expect param_grad_norm() > 0.999999 -->\n"
             "<!-- rnnscope: expect grad_norm(h, t=9) == %.17g -->\n"
             "<!-- rnnscope: expect loss() == %.17g -->\n",
             norm(w.dh, w.H) / (sqrt(total) + 1e-6), -log(w.trace->probs[0]));
    expect_holds("param_grad_norm, clipped", MODELS "recall-rnn.json",
                 "pass=backward target=violin clip=1", claims, 4);
    rnn_grad_free(g);
    worked_free(&w);
}

/* weight_hh_norm(): the largest singular value of W_hh, here by the power method on WᵀW;
 * scale-whh=S multiplies it by |S|. */
static void test_claim_weight_hh_norm(void **state) {
    (void)state;
    RnnModel *m = load_model(MODELS "recall-lstm.json", NULL);
    int H = m->config.hidden_size, R = 4 * H;
    const double *W = m->layer[0][0].weight_hh;
    double v[64], u[256], lambda = 0;
    for (int k = 0; k < H; k++) v[k] = 1;
    for (int round = 0; round < 5000; round++) {
        for (int r = 0; r < R; r++) {
            u[r] = 0;
            for (int k = 0; k < H; k++) u[r] += W[r * H + k] * v[k];
        }
        for (int k = 0; k < H; k++) {
            v[k] = 0;
            for (int r = 0; r < R; r++) v[k] += W[r * H + k] * u[r];
        }
        lambda = norm(v, H);
        for (int k = 0; k < H; k++) v[k] /= lambda;
    }
    double sigma = sqrt(lambda);
    char claims[1024];
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect weight_hh_norm() > %.17g -->\n"
             "<!-- rnnscope: expect weight_hh_norm() < %.17g -->\n"
             "<!-- rnnscope: expect weight_hh_norm(model=recall-lstm) > %.17g -->\n",
             sigma * (1 - 1e-8), sigma * (1 + 1e-8), sigma * (1 - 1e-8));
    expect_holds("weight_hh_norm", MODELS "recall-lstm.json", "step=1", claims, 3);
    snprintf(claims, sizeof claims,
             "<!-- rnnscope: expect weight_hh_norm(layer=0, dir=forward) > %.17g -->\n"
             "<!-- rnnscope: expect weight_hh_norm() < %.17g -->\n",
             2.5 * sigma * (1 - 1e-8), 2.5 * sigma * (1 + 1e-8));
    expect_holds("weight_hh_norm, what if", MODELS "recall-lstm.json", "scale-whh=-2.5", claims, 2);
    rnn_model_free(m);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_mistake_names_file_and_line),
        cmocka_unit_test(test_a_good_lesson_passes),
        cmocka_unit_test(test_the_view_follows_the_lesson),
        cmocka_unit_test(test_a_click_in_the_picker_opens_that_lesson),
        cmocka_unit_test(test_claim_grad),
        cmocka_unit_test(test_claim_grad_norm),
        cmocka_unit_test(test_claim_grad_ratio),
        cmocka_unit_test(test_claim_loss),
        cmocka_unit_test(test_claim_param_grad_norm),
        cmocka_unit_test(test_claim_weight_hh_norm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
