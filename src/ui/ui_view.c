/* ui_view.c - state, input and layout of the stepping view. Drawing is in ui_view_draw.c. */
#define _POSIX_C_SOURCE 200809L
#include "ui_view.h"
#include "ui_glossary.h"
#include "ui_i18n.h"

#include "io.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UI_MAX_TRACE_BYTES ((size_t)256 << 20)

/* ---- names ------------------------------------------------------------------------------ */

const char *ui_cell_title(RnnCellKind cell) {
    static const char *const titles[] = {"RNN", "LSTM", "GRU"};
    return titles[cell];
}

/* The engine's textbook names (rnn_gate_long_name), marked for the catalogue here, where
 * they are drawn. */
static const char *const quantity_names[] = {
    N_("hidden state h"), N_("cell state c"), N_("new hidden state"), N_("input gate i"),
    N_("forget gate f"),  N_("candidate g"),  N_("output gate o"),    N_("reset gate r"),
    N_("update gate z"),  N_("candidate n"),
};

const char *ui_quantity_name(RnnCellKind cell, int q) {
    const char *en = q == RNN_QUANTITY_H   ? quantity_names[0]
                     : q == RNN_QUANTITY_C ? quantity_names[1]
                                           : rnn_gate_long_name(cell, q);
    return ui_tr(en);
}

const char *ui_quantity_korean(RnnCellKind cell, int q) {
    /* the chapter's terms */
    /* indexed by RNN_LSTM_I.. and RNN_GRU_R.. */
    static const char *const lstm[] = {"입력 게이트", "망각 게이트", "후보 값", "출력 게이트"};
    static const char *const gru[] = {"리셋 게이트", "업데이트 게이트", "후보 은닉 상태"};
    if (q == RNN_QUANTITY_H) return "은닉 상태";
    if (q == RNN_QUANTITY_C) return "셀 상태";
    if (cell == RNN_CELL_LSTM && q >= 0 && q < 4) return lstm[q];
    if (cell == RNN_CELL_GRU && q >= 0 && q < 3) return gru[q];
    return "";
}

int ui_quantity_is_gate01(RnnCellKind cell, int q) {
    return q >= 0 && rnn_gate_is_sigmoid(cell, q);
}

UiPalette ui_palette(UiTheme theme) {
    if (theme == UI_THEME_DARK)
        return (UiPalette){{24, 26, 31, 255},    {36, 39, 46, 255},    {236, 238, 242, 255},
                           {160, 166, 178, 255}, {58, 62, 72, 255},    {255, 176, 59, 255},
                           {255, 255, 255, 255}, {52, 56, 66, 255},    {255, 176, 59, 255},
                           {44, 47, 55, 255},    {255, 120, 120, 255}, {200, 60, 60, 255},
                           {40, 110, 70, 255},   {70, 75, 86, 255}};
    /* light: high contrast for projectors */
    return (UiPalette){{255, 255, 255, 255}, {244, 245, 247, 255}, {17, 17, 17, 255},
                       {90, 96, 106, 255},   {222, 225, 230, 255}, {0, 90, 181, 255},
                       {0, 0, 0, 255},       {232, 235, 240, 255}, {0, 90, 181, 255},
                       {248, 249, 250, 255}, {190, 30, 45, 255},   {190, 30, 45, 255},
                       {30, 120, 70, 255},   {205, 209, 216, 255}};
}

/* ---- life cycle ------------------------------------------------------------------------- */

void ui_view_init(UiView *v) {
    memset(v, 0, sizeof *v);
    v->what_if = RNN_WHAT_IF_NONE;
    v->grad_top = NAN;
    v->hover_term = -1;
    v->zoom = v->base_zoom = v->user_zoom = 1.0;
    v->speed = 1.0; /* words per second: a class can follow, [ and ] change it */
    v->sel = (UiSelection){0, 0, RNN_QUANTITY_H, 0, -1};
    v->font_has_hangul = 1;
}

static void free_siblings(UiView *v) {
    for (int i = 0; i < 3; i++) free(v->siblings[i]), v->siblings[i] = NULL;
}

static void free_picker(UiView *v) {
    for (int i = 0; i < v->picker_count; i++) free(v->picker_files[i]), free(v->picker_titles[i]);
    free(v->picker_files), free(v->picker_titles);
    v->picker_files = v->picker_titles = NULL;
    v->picker_count = v->picker_sel = 0;
}

/* Records what the lesson step (or a newly opened model) wants beside the view. */
static int request_side(UiView *v, const char *const *paths, int count, RnnError *err) {
    char *copies[3] = {0};
    for (int k = 0; k < count; k++)
        if (!(copies[k] = strdup(paths[k]))) {
            for (int j = 0; j < k; j++) free(copies[j]);
            return rnn_error_set(err, "out of memory");
        }
    for (int k = 0; k < 3; k++) free(v->beside.paths[k]), v->beside.paths[k] = copies[k];
    v->beside.count = count;
    v->beside.serial++;
    return 0;
}

void ui_view_free(UiView *v) {
    for (int k = 0; k < 3; k++) free(v->beside.paths[k]);
    io_lesson_free(v->lesson);
    free_picker(v);
    free(v->lessons_root);
    rnn_model_free(v->model);
    rnn_model_free(v->base_model);
    rnn_grad_free(v->grad);
    free(v->target);
    rnn_trace_free(v->trace);
    rnn_tokens_free(&v->tokens);
    free(v->model_path);
    free(v->text);
    free(v->edit_text);
    free_siblings(v);
    memset(v, 0, sizeof *v);
}

void ui_view_set_banner(UiView *v, int is_error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->banner, sizeof v->banner, fmt, ap);
    va_end(ap);
    v->banner_error = is_error;
}

static int clampi(int x, int lo, int hi) {
    return x < lo ? lo : x > hi ? hi : x;
}

/* + and - scale by 1.15 within 0.5..3 on top of fitting the window; Ctrl+0 goes back. */
static void zoom_key(UiView *v, UiKey key) {
    double z = key == UI_KEY_ZOOM_RESET ? 1.0
               : key == UI_KEY_ZOOM_IN  ? v->user_zoom * 1.15
                                        : v->user_zoom / 1.15;
    v->user_zoom = z < 0.5 ? 0.5 : z > 3 ? 3 : z;
    if (v->width > 0 && v->height > 0) ui_view_fit(v, v->width, v->height);
}

static int steps(const UiView *v) {
    return v->trace ? v->trace->steps : 0;
}

/* Keeps the selection inside what the model has. */
static void clamp_selection(UiView *v, UiSelection *s) {
    if (!v->model) return;
    const RnnConfig *c = &v->model->config;
    s->layer = clampi(s->layer, 0, c->num_layers - 1);
    s->direction = clampi(s->direction, 0, rnn_layer_directions(c, s->layer) - 1);
    RnnCellKind cell = rnn_layer_cell(c, s->layer);
    int G = rnn_gate_count(cell);
    if (cell == RNN_CELL_RNN || s->quantity >= G ||
        (s->quantity == RNN_QUANTITY_C && cell != RNN_CELL_LSTM) || s->quantity < RNN_QUANTITY_H)
        s->quantity = RNN_QUANTITY_H;
    s->unit = clampi(s->unit, 0, rnn_layer_hidden(c, s->layer) - 1);
    if (s->t >= steps(v)) s->t = -1;
}

void ui_view_set_words_read(UiView *v, int step) {
    v->words_read = clampi(step, 0, steps(v));
    clamp_selection(v, &v->sel);
}

/* The backward pass of v->trace through model m, when the view shows it: against the
 * view's target, or the prediction when there is none (or it does not fit this model). */
static void refresh_grad(UiView *v, const RnnModel *m) {
    rnn_grad_free(v->grad);
    v->grad = NULL;
    v->grad_error[0] = '\0';
    if (!v->backward || !v->trace) return;
    RnnError err;
    const RnnConfig *c = &m->config;
    int *targets = NULL;
    double *values = NULL;
    if (v->target && c->head != RNN_HEAD_NONE) {
        targets = calloc((size_t)v->trace->steps + 1, sizeof *targets);
        values = calloc((size_t)c->num_labels + 1, sizeof *values);
        if (!targets || !values ||
            rnn_grad_parse_target(m, v->target, v->trace->steps, targets, values, &err)) {
            snprintf(v->grad_error, sizeof v->grad_error, "target %.40s: %.400s", v->target,
                     targets && values ? err.message : "out of memory");
            free(targets), free(values);
            targets = NULL, values = NULL;
        }
    }
    v->grad = rnn_grad_new(m, v->trace, targets, values, &err);
    free(targets), free(values);
    if (!v->grad) {
        snprintf(v->grad_error, sizeof v->grad_error, "%s", err.message);
        return;
    }
    rnn_grad_clip(v->grad, v->what_if.clip);
    /* the colour scale's top, once per pass rather than on every drawing */
    const RnnGrad *g = v->grad;
    size_t states = (size_t)g->config.num_layers * rnn_directions(&g->config) * g->steps *
                    g->config.hidden_size;
    size_t gates = states * rnn_gate_count(g->config.cell);
    double max = 0;
    for (size_t i = 0; i < states; i++) {
        max = fmax(max, fabs(g->dh[i]));
        if (g->dc) max = fmax(max, fabs(g->dc[i]));
    }
    for (size_t i = 0; i < gates; i++) max = fmax(max, fabs(g->dgate[i]));
    v->grad_own_top = ui_signed_log_top(max);
}

/* Runs the engine on text with model m; on success replaces tokens and trace (and the
 * gradients, when the view shows the backward pass). */
/* A model without a word list (a Keras file imported without its tokenizer) reads the text as
 * token ids: "0, 0, 12, 7"; its chips name them ("<pad>", "#12"). */
static int run(UiView *v, RnnModel *m, const char *text, RnnError *err) {
    RnnTokens tokens;
    RnnTrace *trace;
    if (m->config.vocab_size == 0) { /* raw vectors, as JSON: [[x, ...], ...] */
        double *vectors;
        int n;
        if (io_inputs_parse(text, strlen(text), ui_tr("the input vectors"), m->config.input_size,
                            &vectors, &n, err))
            return -1;
        int rc = rnn_model_run_vectors(m, vectors, n, UI_MAX_TRACE_BYTES, &trace, err);
        free(vectors);
        if (rc) return -1;
        if (rnn_ids_tokens(m, NULL, n, &tokens, err)) {
            rnn_trace_free(trace);
            return -1;
        }
    } else if (!rnn_model_has_words(m)) {
        int *ids, n;
        if (rnn_ids_parse(text, &ids, &n, err)) return -1;
        int rc = rnn_model_run_ids(m, ids, n, UI_MAX_TRACE_BYTES, &trace, err);
        if (!rc && rnn_ids_tokens(m, ids, n, &tokens, err)) {
            rnn_trace_free(trace);
            rc = -1;
        }
        free(ids);
        if (rc) return -1;
    } else if (rnn_model_run_text(m, text, UI_MAX_TRACE_BYTES, &tokens, &trace, err)) {
        return -1;
    }
    rnn_tokens_free(&v->tokens);
    rnn_trace_free(v->trace);
    v->tokens = tokens;
    v->trace = trace;
    refresh_grad(v, m);
    return 0;
}

int ui_view_set_text(UiView *v, const char *text, RnnError *err) {
    if (!v->model) return rnn_error_set(err, "%s", ui_tr("no model is open"));
    char *copy = strdup(text);
    if (!copy) return rnn_error_set(err, "out of memory");
    int old_steps = steps(v), was_at_end = v->words_read == old_steps;
    if (run(v, v->model, text, err)) {
        free(copy);
        return -1;
    }
    free(v->text);
    v->text = copy;
    v->text_serial++;
    /* keep the place; a new sentence read to its end stays at its end */
    ui_view_set_words_read(v, was_at_end && old_steps ? steps(v)
                              : v->words_read         ? v->words_read
                                                      : 1);
    v->hover_active = 0;
    return 0;
}

/* "recall-lstm.json" -> the same path with "rnn" / "lstm" / "gru" in place of the cell. */
static void find_siblings(UiView *v, const char *path) {
    free_siblings(v);
    static const char *const cells[] = {"rnn", "lstm", "gru"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int k = 0; k < 3; k++) {
        const char *at = strstr(base, cells[k]);
        /* "rnn" also matches inside nothing else here, but make sure "lstm" wins over it */
        if (!at) continue;
        size_t prefix = (size_t)(at - path), len = strlen(cells[k]);
        for (int j = 0; j < 3; j++) {
            size_t n = strlen(path) - len + strlen(cells[j]) + 1;
            char *s = malloc(n);
            if (!s) continue;
            snprintf(s, n, "%.*s%s%s", (int)prefix, path, cells[j], at + len);
            if (access(s, R_OK) == 0)
                v->siblings[j] = s;
            else
                free(s);
        }
        return;
    }
}

int ui_view_open_model(UiView *v, const char *path, RnnError *err) {
    RnnModel *m;
    if (io_model_load(path, &m, NULL, err)) return -1;
    return ui_view_set_model(v, m, path, err);
}

/* What a model that reads token ids or raw vectors starts from when the text it has is not
 * its kind of input: ids "1, 2, 3, 4" (after two paddings with mask_zero), or 8 steps of
 * waves, one per input (x_t[k] = sin(0.8 t + 1.3 k), three decimals), as the JSON the text
 * box edits. */
static char *sample_input(const RnnModel *m) {
    IoBuf b = {0};
    int V = m->config.vocab_size;
    if (V) {
        io_buf_printf(&b, "%s1, %d, %d, %d", m->config.mask_zero ? "0, 0, " : "", 2 % V, 3 % V,
                      4 % V);
    } else {
        io_buf_puts(&b, "[");
        for (int t = 0; t < 8; t++) {
            io_buf_puts(&b, t ? ", [" : "[");
            for (int k = 0; k < m->config.input_size; k++)
                io_buf_printf(&b, k ? ", %.3f" : "%.3f", sin(0.8 * t + 1.3 * k));
            io_buf_puts(&b, "]");
        }
        io_buf_puts(&b, "]");
    }
    if (b.failed) io_buf_free(&b);
    return b.data;
}

int ui_view_set_model(UiView *v, RnnModel *m, const char *path, RnnError *err) {
    if (!m) return -1;
    char *p = path ? strdup(path) : NULL;
    if (path && !p) {
        rnn_model_free(m);
        return rnn_error_set(err, "out of memory");
    }
    /* the text read so far; a model that reads ids or vectors keeps what it was given when
     * that fits it, else starts from a sample */
    int words = rnn_model_has_words(m);
    if ((v->text || !words) && run(v, m, v->text ? v->text : "", err)) {
        char *sample = words ? NULL : sample_input(m);
        if (!sample || run(v, m, sample, err)) {
            free(sample);
            rnn_model_free(m);
            free(p);
            return -1;
        }
        free(v->text);
        v->text = sample;
    }
    request_side(v, NULL, 0, NULL); /* a new model is seen on its own */
    rnn_model_free(v->base_model);  /* and as it is: what-if changes were to the old one */
    v->base_model = NULL;
    v->what_if = RNN_WHAT_IF_NONE;
    rnn_model_free(v->model);
    free(v->model_path);
    v->model = m;
    v->model_path = p;
    if (path)
        find_siblings(v, path);
    else
        free_siblings(v);
    if (v->trace) ui_view_set_words_read(v, v->words_read);
    if (v->backward && (!v->grad || m->config.head == RNN_HEAD_NONE)) v->backward = 0;
    refresh_grad(v, m); /* without the old model's clip */
    clamp_selection(v, &v->hover);
    v->hover_active = 0;
    return 0;
}

double ui_view_fit(UiView *v, int width, int height) {
    double base = v->base_zoom > 0 ? v->base_zoom : 1.0;
    double fit = fmin(width / (1280.0 * base), height / (800.0 * base));
    if (!(fit > 1)) fit = 1; /* grow with the window, never shrink below the design */
    v->zoom = base * (v->user_zoom > 0 ? v->user_zoom : 1.0) * fit;
    return v->zoom;
}

void ui_view_set_lang(UiView *v, const char *lang) {
    snprintf(v->lang, sizeof v->lang, "%s", lang && !strcmp(lang, "ko") ? "ko" : "en");
    ui_lang_set(v->lang);
}

/* ---- the backward pass and what-if changes ---------------------------------------------- */

int ui_view_set_backward(UiView *v, int on, RnnError *err) {
    if (!on) {
        v->backward = 0;
        refresh_grad(v, v->model);
        return 0;
    }
    if (!v->model || !v->trace)
        return rnn_error_set(err, "%s", ui_tr("no sentence to take the gradient of"));
    if (v->model->config.head == RNN_HEAD_NONE)
        return rnn_error_set(err,
                             ui_tr("%s has no output layer, so there is no loss to go back from"),
                             v->model->name);
    v->backward = 1;
    refresh_grad(v, v->model);
    if (!v->grad) {
        v->backward = 0;
        return rnn_error_set(err, "%s", v->grad_error);
    }
    v->playing = 0;
    ui_view_set_words_read(v, steps(v)); /* the forward pass, read to its end */
    ui_view_set_walked(v, 0);
    return 0;
}

void ui_view_set_walked(UiView *v, int walked) {
    v->walked = clampi(walked, 0, steps(v) > 0 ? steps(v) - 1 : 0);
}

int ui_view_set_target(UiView *v, const char *target, RnnError *err) {
    char *copy = target ? strdup(target) : NULL;
    if (target && !copy) return rnn_error_set(err, "out of memory");
    char *old = v->target;
    v->target = copy;
    refresh_grad(v, v->model);
    if (v->grad_error[0] && copy) {
        rnn_error_set(err, "%s", v->grad_error);
        v->target = old;
        free(copy);
        refresh_grad(v, v->model);
        return -1;
    }
    free(old);
    return 0;
}

int ui_view_set_what_if(UiView *v, const RnnWhatIf *w, RnnError *err) {
    if (!v->model) return rnn_error_set(err, "%s", ui_tr("no model is open"));
    RnnModel *base = v->base_model ? v->base_model : v->model;
    RnnWhatIf old = v->what_if;
    v->what_if = *w; /* run() clips with it */
    if (rnn_what_if_is_none(w)) {
        if (!v->base_model) return 0;
        if (v->text && run(v, base, v->text, err)) {
            v->what_if = old;
            return -1;
        }
        rnn_model_free(v->model);
        v->model = base;
        v->base_model = NULL;
        return 0;
    }
    RnnModel *copy = rnn_model_copy(base, err);
    if (!copy || rnn_what_if_apply(copy, w, err) || (v->text && run(v, copy, v->text, err))) {
        rnn_model_free(copy);
        v->what_if = old;
        return -1;
    }
    if (v->base_model)
        rnn_model_free(v->model);
    else
        v->base_model = v->model;
    v->model = copy;
    return 0;
}

double ui_view_grad_top(const UiView *v) {
    if (isfinite(v->grad_top)) return v->grad_top;
    return v->grad ? v->grad_own_top : 0.0;
}

void ui_view_grad_norms(const UiView *v, int l, int d, int quantity, double *out) {
    int T = steps(v), H = v->model ? rnn_layer_hidden(&v->model->config, l) : 0;
    for (int t = 0; t < T; t++) {
        const double *x = !v->grad ? NULL : quantity == RNN_QUANTITY_C ? v->grad->dc : v->grad->dh;
        out[t] = x && ui_view_computed(v, d, t)
                     ? rnn_norm(x + rnn_trace_state_index(v->trace, l, d, t), (size_t)H)
                     : NAN;
    }
}

/* ---- what is computed --------------------------------------------------------------------- */

/* Backward, direction d's pass over the steps runs against its reading order: the forward
 * direction from the last word back to the first, the backward one from the first on. */
int ui_view_column(const UiView *v, int direction) {
    if (v->backward && v->grad) return direction == 0 ? steps(v) - 1 - v->walked : v->walked;
    if (v->words_read <= 0) return -1;
    return direction == 0 ? v->words_read - 1 : steps(v) - v->words_read;
}

int ui_view_computed(const UiView *v, int direction, int t) {
    if (t < 0 || t >= steps(v)) return 0;
    if (v->backward && v->grad)
        return direction == 0 ? t >= steps(v) - 1 - v->walked : t <= v->walked;
    return direction == 0 ? t < v->words_read : t >= steps(v) - v->words_read;
}

double ui_view_value(const UiView *v, const UiHeatmap *hm, int unit, int t) {
    const RnnTrace *tr = v->trace;
    if (v->backward && v->grad)
        return rnn_grad_value(v->grad, tr, hm->layer, hm->direction, t, hm->quantity, unit);
    if (hm->quantity == RNN_QUANTITY_H)
        return tr->h[rnn_trace_state_index(tr, hm->layer, hm->direction, t) + (size_t)unit];
    if (hm->quantity == RNN_QUANTITY_C)
        return tr->c[rnn_trace_state_index(tr, hm->layer, hm->direction, t) + (size_t)unit];
    return tr
        ->gate[rnn_trace_gate_index(tr, hm->layer, hm->direction, t, hm->quantity) + (size_t)unit];
}

int ui_view_explained(const UiView *v, UiSelection *out) {
    if (!v->trace) return 0;
    UiSelection s = v->hover_active ? v->hover : v->sel;
    if (s.t < 0) s.t = ui_view_column(v, s.direction);
    if (!ui_view_computed(v, s.direction, s.t)) return 0;
    *out = s;
    return 1;
}

/* ---- lessons ------------------------------------------------------------------------------- */

/* A quantity of layer l by its short name ("h", "c", "f", ...). */
static int quantity_named(const RnnModel *m, int l, const char *name) {
    RnnCellKind cell = rnn_layer_cell(&m->config, clampi(l, 0, m->config.num_layers - 1));
    if (!strcmp(name, "h")) return RNN_QUANTITY_H;
    if (!strcmp(name, "c")) return RNN_QUANTITY_C;
    for (int g = 0; g < rnn_gate_count(cell) && cell != RNN_CELL_RNN; g++)
        if (!strcmp(rnn_gate_name(cell, g), name)) return g;
    return RNN_QUANTITY_H;
}

int ui_view_lesson_go(UiView *v, int k, RnnError *err) {
    const IoLesson *l = v->lesson;
    if (!l) return rnn_error_set(err, "%s", ui_tr("no lesson is open"));
    k = clampi(k, 0, l->nsteps - 1);
    /* what step k shows: the front matter, then every step's changes up to k */
    const char *model = l->model, *text = l->text;
    int step = 1;
    for (int i = 0; i <= k; i++) {
        const IoLessonStep *s = &l->steps[i];
        if (s->model) model = s->model;
        if (s->text) text = s->text;
        if (s->step != -1) step = s->step;
    }
    if (!v->model_path || strcmp(v->model_path, model)) {
        char *m = strdup(model);
        int rc = m ? ui_view_open_model(v, m, err) : rnn_error_set(err, "out of memory");
        free(m);
        if (rc) return -1;
    }
    if (!v->text || strcmp(v->text, text)) {
        if (ui_view_set_text(v, text, err)) return -1;
    }
    ui_view_set_words_read(v, step == IO_LESSON_STEP_END ? v->trace->steps : step);
    const IoLessonStep *s = &l->steps[k];
    if (s->focus) {
        v->sel = (UiSelection){s->layer < 0 ? 0 : s->layer, s->dir < 0 ? 0 : s->dir,
                               quantity_named(v->model, s->layer, s->focus),
                               s->unit < 0 ? 0 : s->unit, s->t < 0 ? -1 : s->t};
        clamp_selection(v, &v->sel);
    }
    if (s->compare) { /* the step's model beside the lesson's second model, or its siblings */
        const char *paths[3];
        int n = 0;
        if (l->compare) {
            paths[n++] = model;
            paths[n++] = l->compare;
        } else {
            for (int j = 0; j < 3; j++)
                if (v->siblings[j]) paths[n++] = v->siblings[j];
        }
        if (n < 1) return rnn_error_set(err, ui_tr("nothing to compare %s with"), model);
        if (request_side(v, paths, n, err)) return -1;
    } else {
        request_side(v, NULL, 0, NULL);
    }
    /* the backward pass and what-if changes hold for this step only */
    RnnError werr;
    if (ui_view_set_what_if(v, &s->what_if, &werr) || ui_view_set_target(v, s->target, &werr) ||
        ui_view_set_backward(v, s->backward == 1, &werr))
        return rnn_error_set(err, "%s", werr.message);
    if (s->backward == 1) ui_view_set_walked(v, s->back < 0 ? 0 : s->back);
    v->lesson_step = k;
    v->narration_scroll = 0;
    v->show_answer = 0;
    v->hover_active = 0;
    v->editing = 0;
    return 0;
}

int ui_view_open_lesson(UiView *v, const char *path, RnnError *err) {
    IoLesson *l;
    if (io_lesson_load(path, &l, err)) return -1;
    IoLesson *old = v->lesson;
    v->lesson = l;
    if (ui_view_lesson_go(v, 0, err)) {
        v->lesson = old;
        io_lesson_free(l);
        return -1;
    }
    io_lesson_free(old);
    v->picker = 0;
    if (!v->lang_fixed) ui_view_set_lang(v, l->lang); /* --lang, else the lesson's language */
    return 0;
}

int ui_view_open_picker(UiView *v, const char *root, const char *lang_in, RnnError *err) {
    char dir[4096], lang[3];
    snprintf(lang, sizeof lang, "%s", lang_in); /* lang_in may be v->lang itself */
    snprintf(dir, sizeof dir, "%s/%s", root, lang);
    char **files;
    int n;
    if (io_lesson_find(dir, &files, &n) || n == 0) {
        if (n == 0 && files) free(files);
        return rnn_error_set(err, ui_tr("%s: no lessons found"), dir);
    }
    char *root_copy = strdup(root);
    char **titles = calloc((size_t)n, sizeof *titles);
    if (!root_copy || !titles) {
        for (int i = 0; i < n; i++) free(files[i]);
        free(files), free(titles), free(root_copy);
        return rnn_error_set(err, "out of memory");
    }
    for (int i = 0; i < n; i++) { /* a lesson that does not load is listed with its error */
        IoLesson *l;
        RnnError e;
        if (io_lesson_load(files[i], &l, &e) == 0) {
            titles[i] = strdup(l->title);
            io_lesson_free(l);
        } else {
            size_t len = strlen(e.message) + 16;
            titles[i] = malloc(len);
            if (titles[i]) snprintf(titles[i], len, ui_tr("(broken) %s"), e.message);
        }
    }
    free_picker(v);
    free(v->lessons_root);
    v->lessons_root = root_copy;
    v->picker_files = files;
    v->picker_titles = titles;
    v->picker_count = n;
    v->picker_sel = 0;
    v->picker = 1;
    ui_view_set_lang(v, lang);
    return 0;
}

static int picker_key(UiView *v, UiKey key) {
    RnnError err;
    switch (key) {
    case UI_KEY_UP:
        v->picker_sel = clampi(v->picker_sel - 1, 0, v->picker_count - 1);
        return 1;
    case UI_KEY_DOWN:
        v->picker_sel = clampi(v->picker_sel + 1, 0, v->picker_count - 1);
        return 1;
    case UI_KEY_HOME:
        v->picker_sel = 0;
        return 1;
    case UI_KEY_END:
        v->picker_sel = v->picker_count - 1;
        return 1;
    case UI_KEY_ENTER:
    case UI_KEY_RIGHT:
        if (v->picker_count && ui_view_open_lesson(v, v->picker_files[v->picker_sel], &err))
            ui_view_set_banner(v, 1, "%s", err.message);
        return 1;
    case UI_KEY_EDIT: { /* Tab: the other language */
        char *root = v->lessons_root ? strdup(v->lessons_root) : NULL;
        if (root && ui_view_open_picker(v, root, strcmp(v->lang, "ko") ? "ko" : "en", &err))
            ui_view_set_banner(v, 1, "%s", err.message);
        free(root);
        return 1;
    }
    case UI_KEY_ESCAPE:
    case UI_KEY_PICKER:
        if (!v->model) return 0; /* nothing to go back to */
        v->picker = 0;
        return 1;
    case UI_KEY_QUIT:
        v->quit = 1;
        return 1;
    case UI_KEY_HELP:
        v->help = 1;
        return 1;
    case UI_KEY_THEME:
        v->theme = v->theme == UI_THEME_LIGHT ? UI_THEME_DARK : UI_THEME_LIGHT;
        return 1;
    case UI_KEY_ZOOM_IN:
    case UI_KEY_ZOOM_OUT:
    case UI_KEY_ZOOM_RESET:
        zoom_key(v, key);
        return 1;
    default:
        return 0;
    }
}

/* ---- input -------------------------------------------------------------------------------- */

static void switch_model(UiView *v, int k) {
    RnnError err;
    if (!v->siblings[k]) {
        ui_view_set_banner(v, 1, ui_tr("There is no %s model beside %s."),
                           ui_cell_title((RnnCellKind)k),
                           v->model_path ? v->model_path : ui_tr("this model"));
        return;
    }
    if (v->model && v->model->config.cell == (RnnCellKind)k &&
        !strcmp(v->model_path, v->siblings[k]))
        return;
    char *path = strdup(v->siblings[k]);
    if (!path) return;
    if (ui_view_open_model(v, path, &err))
        ui_view_set_banner(v, 1, "%s", err.message);
    else
        ui_view_set_banner(v, 0, "%s: %s", ui_cell_title((RnnCellKind)k), v->model->name);
    free(path);
}

/* Moves the keyboard selection to the previous or next heatmap of its layer/direction. */
static void step_quantity(UiView *v, int delta) {
    if (!v->model) return;
    const RnnConfig *c = &v->model->config;
    int order[RNN_MAX_GATES + 2], n = ui_view_quantities(c, v->sel.layer, 0, order);
    int at = 0;
    for (int i = 0; i < n; i++)
        if (order[i] == v->sel.quantity) at = i;
    at += delta;
    if (at < 0 || at >= n) { /* wrap into the neighbouring layer/direction block */
        int blocks[RNN_MAX_LAYERS * RNN_MAX_DIRECTIONS][2], nb = 0, here = 0;
        for (int l = 0; l < c->num_layers; l++)
            for (int d = 0; d < rnn_layer_directions(c, l); d++) {
                if (l == v->sel.layer && d == v->sel.direction) here = nb;
                blocks[nb][0] = l, blocks[nb][1] = d, nb++;
            }
        int b = (here + (at < 0 ? -1 : 1) + nb) % nb;
        v->sel.layer = blocks[b][0];
        v->sel.direction = blocks[b][1];
        n = ui_view_quantities(c, v->sel.layer, 0, order);
        at = at < 0 ? n - 1 : 0;
    }
    v->sel.quantity = order[at];
    v->sel.unit = clampi(v->sel.unit, 0, rnn_layer_hidden(c, v->sel.layer) - 1);
}

/* Removes the last UTF-8 character of s. */
static void backspace(char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        n--;
        if (((unsigned char)s[n] & 0xC0) != 0x80) break;
    }
    s[n] = '\0';
}

static void live_update(UiView *v) {
    RnnError err;
    if (!v->edit_text || v->editing == UI_EDIT_PATH) return;
    if (ui_view_set_text(v, v->edit_text, &err))
        ui_view_set_banner(v, 1, "%s", err.message);
    else
        v->banner[0] = '\0';
}

/* Keys while a sentence or a path is being typed (letters arrive as text input). */
static int edit_key(UiView *v, UiKey key) {
    switch (key) {
    case UI_KEY_ENTER:
    case UI_KEY_EDIT:
        if (v->editing == UI_EDIT_PATH) {
            RnnError err;
            v->editing = 0;
            if (ui_view_open_model(v, v->edit_text, &err))
                ui_view_set_banner(v, 1, "%s", err.message);
            else
                ui_view_set_banner(v, 0, ui_tr("Opened %s"), v->model_path);
            return 1;
        }
        v->editing = 0;
        v->composition[0] = '\0';
        live_update(v);
        return 1;
    case UI_KEY_ESCAPE: { /* back to the sentence from before editing */
        v->editing = 0;
        v->composition[0] = '\0';
        return 1;
    }
    case UI_KEY_BACKSPACE:
        if (v->edit_text) backspace(v->edit_text);
        live_update(v);
        return 1;
    default:
        return 0;
    }
}

int ui_view_key(UiView *v, UiKey key) {
    if (v->help && key != UI_KEY_QUIT) { /* any key closes the help */
        v->help = 0;
        return 1;
    }
    if (v->glossary && key != UI_KEY_QUIT) { /* and the terms */
        v->glossary = 0;
        return 1;
    }
    if (v->picker) return picker_key(v, key);
    if (v->editing) return edit_key(v, key);
    if (v->show_params) { /* any key closes the parameter table */
        v->show_params = 0;
        if (key == UI_KEY_PARAMS || key == UI_KEY_ESCAPE) return 1;
    }
    int T = steps(v);
    if (v->backward && v->grad) { /* the cursor walks back: Right is one step further back */
        int to = key == UI_KEY_RIGHT  ? v->walked + 1
                 : key == UI_KEY_LEFT ? v->walked - 1
                 : key == UI_KEY_HOME ? 0
                 : key == UI_KEY_END  ? T - 1
                                      : -1;
        if (to >= 0 || key == UI_KEY_LEFT) {
            ui_view_set_walked(v, to);
            v->hover_active = 0;
            return 1;
        }
        if (key == UI_KEY_PLAY) {
            v->playing = !v->playing;
            if (v->playing && v->walked >= T - 1) ui_view_set_walked(v, 0);
            v->play_clock = 0;
            return 1;
        }
    }
    switch (key) {
    case UI_KEY_NARRATION_DOWN:
    case UI_KEY_NARRATION_UP: {
        if (!v->lesson) return 0;
        int line = (int)(3 * 22 * v->zoom); /* about three lines */
        int to = v->narration_scroll + (key == UI_KEY_NARRATION_DOWN ? line : -line);
        v->narration_scroll = clampi(to, 0, v->narration_room);
        return 1;
    }
    case UI_KEY_LANGUAGE:
        ui_view_set_lang(v, strcmp(v->lang, "ko") ? "ko" : "en");
        v->lang_fixed = 1; /* chosen now: the next lesson keeps it */
        ui_view_set_banner(v, 0, "%s", ui_tr("The interface is in English now."));
        return 1;
    case UI_KEY_GLOSSARY:
        v->glossary = !v->glossary;
        break;
    case UI_KEY_BACKWARD: {
        RnnError err;
        if (ui_view_set_backward(v, !v->backward, &err)) {
            ui_view_set_banner(v, 1, "%s", err.message);
            return 1;
        }
        break;
    }
    case UI_KEY_WHH_UP:
    case UI_KEY_WHH_DOWN:
    case UI_KEY_BIAS_UP:
    case UI_KEY_BIAS_DOWN:
    case UI_KEY_RELU:
    case UI_KEY_CLIP:
    case UI_KEY_UNDO_WHAT_IF: {
        if (!v->model) return 0;
        RnnWhatIf w = key == UI_KEY_UNDO_WHAT_IF ? RNN_WHAT_IF_NONE : v->what_if;
        RnnCellKind cell = v->model->config.cell;
        if (key == UI_KEY_WHH_UP) w.weight_hh_scale *= 1.25;
        if (key == UI_KEY_WHH_DOWN) w.weight_hh_scale /= 1.25;
        if (key == UI_KEY_BIAS_UP) w.forget_bias_shift += 0.5;
        if (key == UI_KEY_BIAS_DOWN) w.forget_bias_shift -= 0.5;
        if (key == UI_KEY_CLIP) w.clip = w.clip > 0 ? 0 : 1.0;
        if (key == UI_KEY_RELU) {
            RnnNonlinearity now = v->model->config.nonlinearity;
            RnnNonlinearity was = v->base_model ? v->base_model->config.nonlinearity : now;
            int relu = now == RNN_TANH; /* the other one */
            w.relu = (relu ? RNN_RELU : RNN_TANH) == was ? -1 : relu;
        }
        if ((key == UI_KEY_BIAS_UP || key == UI_KEY_BIAS_DOWN) && cell == RNN_CELL_RNN) {
            ui_view_set_banner(
                v, 1, "%s", ui_tr("A vanilla RNN has no forget gate: G works on an LSTM or GRU."));
            return 1;
        }
        if (key == UI_KEY_RELU && cell != RNN_CELL_RNN) {
            ui_view_set_banner(v, 1, "%s",
                               ui_tr("U switches a vanilla RNN between tanh and relu."));
            return 1;
        }
        if (fabs(log(w.weight_hh_scale)) < 1e-9) w.weight_hh_scale = 1.0; /* back to 1 exactly */
        if (fabs(w.forget_bias_shift) < 1e-9) w.forget_bias_shift = 0.0;
        RnnError err;
        if (ui_view_set_what_if(v, &w, &err)) {
            ui_view_set_banner(v, 1, "%s", err.message);
            return 1;
        }
        break;
    }
    case UI_KEY_PARAMS:
        v->show_params = v->model != NULL;
        break;
    case UI_KEY_COMPARE_H_ONLY:
        ui_view_set_banner(v, 0, "%s",
                           ui_tr("V works side by side (C): only h and c per model, larger."));
        return 1;
    case UI_KEY_FRESH:
    case UI_KEY_SAVE_MODEL:
        ui_view_set_banner(v, 0,
                           ui_tr("%s works beside the other models: press C, or Ctrl+T to train."),
                           key == UI_KEY_FRESH ? "F" : "W");
        return 1;
    case UI_KEY_RIGHT:
        ui_view_set_words_read(v, v->words_read + 1);
        break;
    case UI_KEY_LEFT:
        ui_view_set_words_read(v, v->words_read - 1);
        break;
    case UI_KEY_HOME:
        ui_view_set_words_read(v, 0);
        break;
    case UI_KEY_END:
        ui_view_set_words_read(v, T);
        break;
    case UI_KEY_UP:
        v->sel.unit = clampi(v->sel.unit - 1, 0,
                             v->model ? rnn_layer_hidden(&v->model->config, v->sel.layer) - 1 : 0);
        break;
    case UI_KEY_DOWN:
        v->sel.unit = clampi(v->sel.unit + 1, 0,
                             v->model ? rnn_layer_hidden(&v->model->config, v->sel.layer) - 1 : 0);
        break;
    case UI_KEY_PREV_QUANTITY:
        step_quantity(v, -1);
        break;
    case UI_KEY_NEXT_QUANTITY:
        step_quantity(v, 1);
        break;
    case UI_KEY_PLAY:
        v->playing = !v->playing;
        if (v->playing && v->words_read >= T) ui_view_set_words_read(v, 0);
        v->play_clock = 0;
        break;
    case UI_KEY_SLOWER:
        v->speed = v->speed / 1.5 < 0.25 ? 0.25 : v->speed / 1.5;
        break;
    case UI_KEY_FASTER:
        v->speed = v->speed * 1.5 > 30 ? 30 : v->speed * 1.5;
        break;
    case UI_KEY_MODEL_RNN:
        switch_model(v, 0);
        break;
    case UI_KEY_MODEL_LSTM:
        switch_model(v, 1);
        break;
    case UI_KEY_MODEL_GRU:
        switch_model(v, 2);
        break;
    case UI_KEY_EDIT:
    case UI_KEY_OPEN:
        free(v->edit_text);
        v->edit_text = strdup(key == UI_KEY_OPEN ? (v->model_path ? v->model_path : "")
                                                 : (v->text ? v->text : ""));
        v->editing = !v->edit_text ? 0 : key == UI_KEY_OPEN ? UI_EDIT_PATH : UI_EDIT_SENTENCE;
        v->composition[0] = '\0';
        break;
    case UI_KEY_ESCAPE:
        if (!v->banner[0] && !v->hover_active) return 0;
        v->banner[0] = '\0';
        v->hover_active = 0;
        break;
    case UI_KEY_ZOOM_IN:
    case UI_KEY_ZOOM_OUT:
    case UI_KEY_ZOOM_RESET:
        zoom_key(v, key);
        break;
    case UI_KEY_THEME:
        v->theme = v->theme == UI_THEME_LIGHT ? UI_THEME_DARK : UI_THEME_LIGHT;
        break;
    case UI_KEY_HELP:
        v->help = 1;
        break;
    case UI_KEY_QUIT:
        v->quit = 1;
        break;
    case UI_KEY_LESSON_NEXT:
    case UI_KEY_LESSON_PREV: {
        if (!v->lesson) return 0;
        RnnError err;
        if (ui_view_lesson_go(v, v->lesson_step + (key == UI_KEY_LESSON_NEXT ? 1 : -1), &err))
            ui_view_set_banner(v, 1, "%s", err.message);
        break;
    }
    case UI_KEY_ANSWER:
        if (!v->lesson) return 0;
        v->show_answer = !v->show_answer;
        break;
    case UI_KEY_PICKER: {
        RnnError err;
        if (!v->lessons_root) {
            ui_view_set_banner(v, 1, "%s", ui_tr("No lessons folder is known here."));
            break;
        }
        char *root = strdup(v->lessons_root);
        if (root && ui_view_open_picker(v, root, v->lang[0] ? v->lang : "en", &err))
            ui_view_set_banner(v, 1, "%s", err.message);
        free(root);
        break;
    }
    default:
        return 0;
    }
    if (key != UI_KEY_ESCAPE && key != UI_KEY_MODEL_RNN && key != UI_KEY_MODEL_LSTM &&
        key != UI_KEY_MODEL_GRU && !v->banner_error)
        v->banner[0] = '\0';
    if (key == UI_KEY_UP || key == UI_KEY_DOWN || key == UI_KEY_PREV_QUANTITY ||
        key == UI_KEY_NEXT_QUANTITY || key == UI_KEY_RIGHT || key == UI_KEY_LEFT ||
        key == UI_KEY_HOME || key == UI_KEY_END)
        v->hover_active = 0; /* the keyboard takes the detail panel back */
    return 1;
}

int ui_view_text_input(UiView *v, const char *utf8) {
    if (!v->editing || !utf8[0]) return 0;
    size_t a = strlen(v->edit_text), b = strlen(utf8);
    if (a + b > 4096) {
        ui_view_set_banner(v, 1, "%s", ui_tr("The sentence is limited to 4096 bytes here."));
        return 1;
    }
    char *grown = realloc(v->edit_text, a + b + 1);
    if (!grown) return 0;
    memcpy(grown + a, utf8, b + 1);
    v->edit_text = grown;
    v->composition[0] = '\0';
    live_update(v);
    return 1;
}

int ui_view_text_editing(UiView *v, const char *utf8) {
    if (!v->editing) return 0;
    snprintf(v->composition, sizeof v->composition, "%s", utf8);
    return 1;
}

int ui_view_mouse_move(UiView *v, int x, int y) {
    v->mouse_x = x, v->mouse_y = y;
    int term = -1; /* a heatmap's title: its glossary entry */
    for (int i = 0; i < v->nheatmaps && v->model; i++)
        if (ui_rect_contains(v->heatmaps[i].title_rect, x, y))
            term = ui_glossary_for_quantity(rnn_layer_cell(&v->model->config, v->heatmaps[i].layer),
                                            v->heatmaps[i].quantity);
    if (term != v->hover_term) {
        v->hover_term = term;
        if (term >= 0) v->hover_active = 0;
        return 1;
    }
    UiHit hit = ui_view_hit(v, x, y);
    if (hit.heatmap < 0) {
        if (!v->hover_active) return 0;
        v->hover_active = 0;
        return 1;
    }
    const UiHeatmap *hm = &v->heatmaps[hit.heatmap];
    UiSelection s = {hm->layer, hm->direction, hm->quantity, hit.unit, hit.t};
    if (v->hover_active && !memcmp(&s, &v->hover, sizeof s)) return 0;
    v->hover = s;
    v->hover_active = 1;
    return 1;
}

int ui_view_click(UiView *v, int x, int y) {
    if (v->picker) { /* a click (or a tap) on a lesson opens it */
        for (int i = 0; i < v->picker_rows_shown; i++)
            if (ui_rect_contains(v->picker_rows[i], x, y)) {
                v->picker_sel = i;
                return ui_view_key(v, UI_KEY_ENTER);
            }
        return 0;
    }
    UiHit hit = ui_view_hit(v, x, y);
    if (hit.heatmap >= 0) { /* select that unit and step there */
        const UiHeatmap *hm = &v->heatmaps[hit.heatmap];
        v->sel = (UiSelection){hm->layer, hm->direction, hm->quantity, hit.unit, -1};
        if (v->backward && v->grad)
            ui_view_set_walked(v, hm->direction == 0 ? steps(v) - 1 - hit.t : hit.t);
        else
            ui_view_set_words_read(v, hm->direction == 0 ? hit.t + 1 : steps(v) - hit.t);
        v->hover_active = 0;
        return 1;
    }
    if (hit.token >= 0) {
        if (v->backward && v->grad)
            ui_view_set_walked(v, steps(v) - 1 - hit.token);
        else
            ui_view_set_words_read(v, hit.token + 1);
        return 1;
    }
    if (ui_rect_contains(v->token_strip, x, y) && !v->editing) return ui_view_key(v, UI_KEY_EDIT);
    return 0;
}

int ui_view_tick(UiView *v, double seconds) {
    if (!v->playing) return 0;
    v->play_clock += seconds;
    int changed = 0;
    while (v->play_clock >= 1.0 / v->speed) {
        v->play_clock -= 1.0 / v->speed;
        if (v->backward && v->grad) { /* walking back */
            if (v->walked >= steps(v) - 1) {
                v->playing = 0;
                return 1;
            }
            ui_view_set_walked(v, v->walked + 1);
            changed = 1;
            continue;
        }
        if (v->words_read >= steps(v)) {
            v->playing = 0;
            return 1;
        }
        ui_view_set_words_read(v, v->words_read + 1);
        changed = 1;
    }
    return changed;
}

/* ---- layout -------------------------------------------------------------------------------- */

/* Appends to out (size bytes, *n used so far), cutting what does not fit. */
static void append(char *out, size_t size, size_t *n, const char *fmt, ...) {
    if (*n + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *n, size - *n, fmt, ap);
    va_end(ap);
    if (k > 0) *n = *n + (size_t)k < size ? *n + (size_t)k : size - 1;
}

void ui_view_describe_layers(const RnnConfig *c, char *out, size_t size) {
    /* runs of alike layers share a name: "LSTM 6, 10, 6 relu" */
    size_t n = 0;
    out[0] = '\0';
    for (int l = 0; l < c->num_layers; l++) {
        const RnnLayerConfig *lc = &c->layers[l], *prev = l ? &c->layers[l - 1] : NULL;
        const RnnLayerConfig *next = l + 1 < c->num_layers ? &c->layers[l + 1] : NULL;
        int same_prev = prev && prev->cell == lc->cell && prev->activation == lc->activation &&
                        prev->bidirectional == lc->bidirectional && prev->merge == lc->merge;
        int same_next = next && next->cell == lc->cell && next->activation == lc->activation &&
                        next->bidirectional == lc->bidirectional && next->merge == lc->merge;
        if (!same_prev)
            append(out, size, &n, "%s%s%s ", l ? " · " : "", lc->bidirectional ? ui_tr("bi-") : "",
                   ui_cell_title(lc->cell));
        append(out, size, &n, "%s%d", same_prev ? ", " : "", lc->hidden_size);
        if (!same_next) {
            if (lc->activation == RNN_ACT_RELU) append(out, size, &n, " relu");
            if (lc->bidirectional && lc->merge != RNN_MERGE_CONCAT)
                append(out, size, &n, " %s", rnn_merge_name(lc->merge));
        }
    }
    for (int j = 0; j < c->num_dense; j++)
        append(out, size, &n, "%s%d %s", j ? ", " : " · Dense ", c->dense[j].units,
               rnn_activation_name(c->dense[j].activation));
    if (c->head != RNN_HEAD_NONE)
        append(out, size, &n, " · %d %s", c->num_labels, rnn_activation_name(c->head_activation));
}

int ui_view_quantities(const RnnConfig *c, int l, int states_only, int *out) {
    RnnCellKind cell = rnn_layer_cell(c, l);
    int n = 0;
    out[n++] = RNN_QUANTITY_H;
    if (cell == RNN_CELL_LSTM) out[n++] = RNN_QUANTITY_C;
    if (cell != RNN_CELL_RNN && !states_only)
        for (int g = 0; g < rnn_gate_count(cell); g++) out[n++] = g;
    return n;
}

void ui_view_layout_chrome(UiView *v, const UiDrawList *list, int W, int H) {
    double s = v->zoom;
    int pad = (int)(12 * s);
    v->width = W, v->height = H;
    int title_h = ui_text_height(list, UI_FONT_TITLE), body_h = ui_text_height(list, UI_FONT_BODY);
    int small_h = ui_text_height(list, UI_FONT_SMALL);
    v->top_bar = (UiRect){0, 0, W, title_h + 2 * pad};
    v->token_strip =
        (UiRect){0, v->top_bar.h, W, ui_text_height(list, UI_FONT_LARGE) + small_h + 2 * pad};
    v->status = (UiRect){0, H - small_h - pad, W, small_h + pad};
    int body_y = v->token_strip.y + v->token_strip.h;
    v->body = (UiRect){0, body_y, W, v->status.y - body_y};
    int side_w = (int)(400 * s);
    if (side_w > W * 2 / 5) side_w = W * 2 / 5;
    v->side = (UiRect){W - side_w, body_y, side_w, v->body.h};
    /* the chain rule's terms need room backward; never more than 55% of a small window */
    int detail_h = (v->backward && v->grad ? 13 : 8) * body_h + 2 * pad;
    if (detail_h > v->body.h * 55 / 100) detail_h = v->body.h * 55 / 100;
    v->detail = (UiRect){v->side.x + pad, body_y + pad, side_w - 2 * pad, detail_h};
    int io_y = v->detail.y + v->detail.h + pad, io_h = (v->side.y + v->side.h - io_y) / 2;
    int inputs_w = (int)(120 * s);
    v->inputs = (UiRect){v->side.x + pad, io_y, inputs_w, io_h - pad};
    v->outputs =
        (UiRect){v->inputs.x + inputs_w + pad, io_y, side_w - 3 * pad - inputs_w, io_h - pad};
    v->diagram = (UiRect){v->side.x + pad, io_y + io_h, side_w - 2 * pad,
                          v->side.y + v->side.h - io_y - io_h - pad};

    /* token chips: scrolled so that the current word is in view; when the strip scrolls, the
     * key (the first word, or the word the lesson step focuses on) stays pinned at the left
     * with "…" after it, so it never leaves the screen while the lesson is about it */
    v->nchips = 0;
    v->pinned = -1;
    int T = steps(v);
    if (T > 0) {
        int chip_pad = (int)(8 * s), gap = (int)(6 * s), x0 = pad;
        int chip_h = ui_text_height(list, UI_FONT_LARGE) + chip_pad;
        int current = clampi(ui_view_column(v, 0), 0, T - 1);
        int key = 0;
        if (v->lesson && v->lesson->steps[v->lesson_step].t >= 0)
            key = clampi(v->lesson->steps[v->lesson_step].t, 0, T - 1);
        int key_w = ui_text_width(list, UI_FONT_LARGE, v->tokens.text[key]) + 2 * chip_pad;
        int dots_w = ui_text_width(list, UI_FONT_LARGE, "…") + 2 * gap;
        int room = (W - 2 * pad) * 3 / 4, first = 0, width = 0;
        for (int pass = 0; pass < 2; pass++) { /* again with room for the pinned chip */
            first = current, width = 0;
            for (int t = current; t >= 0; t--) {
                int w = ui_text_width(list, UI_FONT_LARGE, v->tokens.text[t]) + 2 * chip_pad + gap;
                if (width + w > room && t < current) break;
                width += w;
                first = t;
            }
            if (first <= key || pass == 1) break;
            room -= key_w + dots_w;
        }
        int x = x0;
        if (first > key) {
            v->pinned = key;
            v->pin_chip = (UiRect){x, v->token_strip.y + pad / 2, key_w, chip_h};
            x += key_w + dots_w;
        }
        v->chip_first = first;
        for (int t = first; t < T && x < W && v->nchips < (int)(sizeof v->chips / sizeof *v->chips);
             t++) {
            int w = ui_text_width(list, UI_FONT_LARGE, v->tokens.text[t]) + 2 * chip_pad;
            v->chips[v->nchips++] = (UiRect){x, v->token_strip.y + pad / 2, w, chip_h};
            x += w + gap;
        }
    }

    v->narration = (UiRect){0, 0, 0, 0};

    /* the picker's rows: one a lesson, as many as fit above its hint line */
    int x = 3 * pad, y = 2 * pad + title_h + pad + ui_text_height(list, UI_FONT_LARGE) + 2 * pad;
    int lh = ui_text_height(list, UI_FONT_LARGE) + pad;
    v->picker_rows_shown = 0;
    for (int i = 0; i < v->picker_count && i < UI_MAX_PICKER_ROWS && y + lh < H - 3 * pad;
         i++, y += lh)
        v->picker_rows[v->picker_rows_shown++] =
            (UiRect){x - pad, y - pad / 3, W - 4 * pad, lh - pad / 3};
}

void ui_view_layout(UiView *v, const UiDrawList *list, int W, int H) {
    ui_view_layout_chrome(v, list, W, H);
    int pad = (int)(12 * v->zoom), body_y = v->body.y;
    UiRect area = {pad, body_y + pad, v->side.x - 2 * pad, v->body.h - 2 * pad};
    if (v->lesson) { /* the lesson's text takes the bottom of the heatmap area */
        int nh = v->body.h * 2 / 5;
        v->narration = (UiRect){pad, v->body.y + v->body.h - nh - pad / 2, area.w, nh};
        area.h -= nh + pad / 2;
    }
    v->grad_chart = (UiRect){0, 0, 0, 0};
    if (v->backward && v->grad) { /* ‖∂L/∂h_t‖ per step under the heatmaps */
        int ch = area.h / 4 > (int)(150 * v->zoom) ? area.h / 4 : (int)(150 * v->zoom);
        if (ch > area.h / 2) ch = area.h / 2;
        v->grad_chart = (UiRect){area.x, area.y + area.h - ch, area.w, ch};
        area.h -= ch + pad / 2;
    }
    ui_view_layout_heatmaps(v, list, area, 0, 0);
}

void ui_view_layout_heatmaps(UiView *v, const UiDrawList *list, UiRect area, int max_cell_w,
                             int max_cell_h) {
    /* a block per layer (rows) and direction (columns); in each block the quantities on a
     * grid chosen to give the largest cells */
    double s = v->zoom;
    int pad = (int)(12 * s), T = steps(v);
    int body_h = ui_text_height(list, UI_FONT_BODY), small_h = ui_text_height(list, UI_FONT_SMALL);
    v->nheatmaps = 0;
    if (!v->model || !v->trace) return;
    /* every layer's block gets the same grid: sized for the most directions, quantities and
     * units any layer has (c->hidden_size is the largest); a layer with fewer shows fewer */
    const RnnConfig *c = &v->model->config;
    int D = rnn_directions(c), L = c->num_layers, Hn = c->hidden_size, Q = 0;
    int qs[RNN_MAX_GATES + 2];
    for (int l = 0; l < L; l++) {
        int q = ui_view_quantities(c, l, v->states_only, qs);
        if (q > Q) Q = q;
    }
    int block_w = area.w / D, block_h = area.h / L;
    int header_h = (L > 1 || D > 1) ? body_h + pad / 2 : 0;
    /* title, then the legend; compact (side by side): the title alone, one legend above */
    int label_h = v->compact ? body_h + 2 : body_h + small_h + pad / 2 + 2;
    /* the grid is chosen as if the sentence had at most 60 words and the model 64 units;
     * longer ones scroll (a window of steps or units) rather than shrink to nothing */
    int T_grid = T < 1 ? 1 : T > 60 ? 60 : T, H_grid = Hn > 64 ? 64 : Hn;
    int best_cell = 0, best_cols = 1;
    for (int cols = 1; cols <= Q; cols++) {
        int rows = (Q + cols - 1) / cols;
        int slot_w = (block_w - pad) / cols - pad,
            slot_h = (block_h - header_h) / rows - label_h - pad;
        int unit_label_w = ui_text_width(list, UI_FONT_SMALL, "99") + pad / 2;
        int cw = (slot_w - unit_label_w) / T_grid, ch = slot_h / H_grid;
        int cell = cw < ch ? cw : ch;
        if (cell > best_cell) best_cell = cell, best_cols = cols;
    }
    int cell = clampi(best_cell, 1, (int)(44 * s));
    /* cells may grow into a rectangle to use the room the grid leaves, up to 2.5:1 */
    int cols = best_cols, rows = (Q + cols - 1) / cols;
    int slot_w = (block_w - pad) / cols, slot_h = (block_h - header_h) / rows;
    int unit_label_w = ui_text_width(list, UI_FONT_SMALL, "99") + pad / 2;
    int room_w = slot_w - pad - unit_label_w, room_h = slot_h - label_h - pad;
    /* a long sentence (or a wide model) shows a window of steps (or units) instead of
     * cells too thin to see: bounded drawing, the current column always in view */
    if (cell < UI_MIN_CELL) cell = UI_MIN_CELL;
    int vis_T = clampi(room_w / cell, 1, T), vis_H = clampi(room_h / cell, 1, Hn);
    int cell_w = room_w / (vis_T > 0 ? vis_T : 1), cell_h = room_h / vis_H;
    cell_w = clampi(cell_w, cell, clampi(cell * 5 / 2, cell, (int)(44 * s)));
    cell_h = clampi(cell_h, cell, clampi(cell * 5 / 2, cell, (int)(44 * s)));
    /* side by side, every model's cells take the size of the smallest (one scale) */
    if (max_cell_w > 0 && cell_w > max_cell_w) cell_w = max_cell_w;
    if (max_cell_h > 0 && cell_h > max_cell_h) cell_h = max_cell_h;
    int current = clampi(ui_view_column(v, 0), 0, T - 1);
    for (int l = 0; l < L; l++) {
        int Ql = ui_view_quantities(c, l, v->states_only, qs), Hl = rnn_layer_hidden(c, l);
        int vis_Hl = vis_H < Hl ? vis_H : Hl;
        for (int d = 0; d < rnn_layer_directions(c, l); d++)
            for (int k = 0; k < Ql; k++) {
                UiHeatmap *hm = &v->heatmaps[v->nheatmaps++];
                int sx = area.x + d * block_w + (k % cols) * slot_w;
                int sy = area.y + l * block_h + header_h + (k / cols) * slot_h;
                hm->layer = l, hm->direction = d, hm->quantity = qs[k];
                hm->cell_w = cell_w, hm->cell_h = cell_h;
                int col = d == 0 ? current : T - 1 - current; /* this direction's column */
                hm->cols = vis_T, hm->rows = vis_Hl;
                hm->t0 = clampi(col - vis_T / 2, 0, T - vis_T);
                hm->u0 = clampi(v->sel.unit - vis_Hl / 2, 0, Hl - vis_Hl);
                hm->rect =
                    (UiRect){sx + unit_label_w, sy + label_h, cell_w * vis_T, cell_h * vis_Hl};
                hm->title_w = slot_w - unit_label_w - pad;
                hm->title_rect = (UiRect){hm->rect.x, sy, hm->title_w, label_h};
                hm->header_y = area.y + l * block_h;
                hm->block_w = block_w;
            }
    }
}

UiHit ui_view_hit(const UiView *v, int x, int y) {
    UiHit hit = {-1, -1, -1, -1};
    for (int i = 0; i < v->nheatmaps; i++) {
        const UiHeatmap *hm = &v->heatmaps[i];
        if (ui_rect_contains(hm->rect, x, y)) {
            hit.heatmap = i;
            hit.t = hm->t0 + (x - hm->rect.x) / hm->cell_w;
            hit.unit = hm->u0 + (y - hm->rect.y) / hm->cell_h;
            return hit;
        }
    }
    for (int t = 0; t < v->nchips; t++)
        if (ui_rect_contains(v->chips[t], x, y)) hit.token = v->chip_first + t;
    if (v->pinned >= 0 && ui_rect_contains(v->pin_chip, x, y)) hit.token = v->pinned;
    return hit;
}
