/* ui_compare.c - models side by side, how far back each reaches, and live training. */
#define _POSIX_C_SOURCE 200809L
#include "ui_compare.h"

#include "io.h"
#include "ui_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sensitivity chart runs one backward pass per hidden unit: models far larger than a
 * classroom's are charted without it rather than stalling the window. */
#define UI_REACH_BUDGET 4e9 /* parameters x steps x units */

/* ---- how far back it reaches ------------------------------------------------------------ */

static void reach_free(UiReach *r) {
    free(r->sensitivity);
    free(r->influence);
    memset(r, 0, sizeof *r);
}

static int reach_compute(const RnnModel *m, const RnnTrace *tr, UiReach *out, RnnError *err) {
    reach_free(out);
    const RnnConfig *c = &m->config;
    int T = tr->steps;
    if (T < 1) return 0;
    int units = rnn_directions(c) * c->hidden_size;
    RnnBackward *bw = NULL;
    if ((double)m->num_params * T * units <= UI_REACH_BUDGET) {
        out->sensitivity = malloc((size_t)T * sizeof *out->sensitivity);
        bw = out->sensitivity ? rnn_backward_new(c, T, err) : NULL;
        if (!bw || rnn_sensitivity(m, tr, bw, out->sensitivity, err)) goto fail;
        rnn_backward_free(bw);
        bw = NULL;
    }
    int alternatives[64];
    out->alternatives = rnn_influence_alternatives(m, tr->token_ids[0], alternatives, 64);
    if (out->alternatives > 0) {
        out->influence = malloc((size_t)T * sizeof *out->influence);
        if (!out->influence ||
            rnn_key_influence(m, tr, alternatives, out->alternatives, out->influence, err))
            goto fail;
    }
    return 0;
fail:
    if (!err->message[0]) rnn_error_set(err, "out of memory");
    rnn_backward_free(bw);
    reach_free(out);
    return -1;
}

/* Both reaches of a column: its weights, and fresh weights on the same words. */
static int column_refresh(UiCompareColumn *col, RnnError *err) {
    UiView *cv = &col->view;
    if (!cv->trace) return 0;
    if (reach_compute(cv->model, cv->trace, &col->trained, err)) return -1;
    RnnTrace *fresh_trace = rnn_trace_new(&col->fresh->config, cv->trace->steps, err);
    int rc = !fresh_trace ||
             rnn_model_forward(col->fresh, cv->trace->token_ids, NULL, fresh_trace, err) ||
             reach_compute(col->fresh, fresh_trace, &col->initial, err);
    rnn_trace_free(fresh_trace);
    return rc ? -1 : 0;
}

/* The column reads text again (new words or new weights) and its reach is recomputed. */
static int column_run(UiCompareColumn *col, const char *text, RnnError *err) {
    return ui_view_set_text(&col->view, text ? text : "", err) || column_refresh(col, err) ? -1 : 0;
}

/* ---- opening and closing -------------------------------------------------------------------- */

static void column_free(UiCompareColumn *col) {
    if (!col->job_borrowed) ui_train_free(col->job);
    free(col->progress);
    ui_view_free(&col->view);
    rnn_model_free(col->fresh);
    reach_free(&col->trained);
    reach_free(&col->initial);
    memset(col, 0, sizeof *col);
}

void ui_compare_free(UiCompare *cmp) {
    if (!cmp) return;
    for (int k = 0; k < cmp->count; k++) column_free(&cmp->col[k]);
    free(cmp->train_out);
    free(cmp);
}

void ui_compare_close(UiView *v) {
    ui_compare_free(v->compare);
    v->compare = NULL;
}

/* Column k from a model file, or (path NULL) from a copy of model. */
static int column_open(UiView *v, UiCompare *cmp, int k, const char *path, const RnnModel *model,
                       RnnError *err) {
    UiCompareColumn *col = &cmp->col[k];
    cmp->count = k + 1;
    ui_view_init(&col->view);
    col->view.zoom = v->zoom, col->view.theme = v->theme;
    if ((path ? ui_view_open_model(&col->view, path, err)
              : ui_view_set_model(&col->view, rnn_model_copy(model, err), NULL, err)) ||
        ui_view_set_text(&col->view, v->text ? v->text : "", err))
        return -1;
    if (!(col->fresh = rnn_model_copy(col->view.model, err))) return -1;
    rnn_model_init_random(col->fresh, cmp->fresh_seed ^ RNN_INIT_SALT);
    ui_view_set_step(&col->view, v->step);
    return column_refresh(col, err);
}

static int adopt_job(UiView *v, int k, UiTrainJob *job, RnnError *err);

int ui_compare_open_job(UiView *v, UiTrainJob *job, RnnError *err) {
    UiCompare *cmp = calloc(1, sizeof *cmp);
    if (!cmp) return rnn_error_set(err, "out of memory");
    cmp->fresh_seed = 1;
    if (column_open(v, cmp, 0, NULL, ui_train_model(job), err)) {
        ui_compare_free(cmp);
        return -1;
    }
    ui_compare_close(v);
    v->compare = cmp;
    v->playing = 0;
    cmp->col[0].job_borrowed = 1;
    ui_train_set_notify(job, v->train_notify, v->train_notify_ctx);
    return adopt_job(v, 0, job, err);
}

int ui_compare_open(UiView *v, const char *const *paths, int count, RnnError *err) {
    if (count < 1 || count > UI_COMPARE_MAX)
        return rnn_error_set(err, "compare takes 1 to %d models, not %d", UI_COMPARE_MAX, count);
    UiCompare *cmp = calloc(1, sizeof *cmp);
    if (!cmp) return rnn_error_set(err, "out of memory");
    cmp->fresh_seed = 1;
    for (int k = 0; k < count; k++)
        if (column_open(v, cmp, k, paths[k], NULL, err)) goto fail;
    ui_compare_close(v);
    v->compare = cmp;
    v->playing = 0;
    return 0;
fail:
    ui_compare_free(cmp);
    return -1;
}

int ui_compare_set_text(UiView *v, const char *text, RnnError *err) {
    UiCompare *cmp = v->compare;
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (column_run(col, text, err)) return -1;
    }
    return 0;
}

void ui_compare_set_step(UiView *v, int step) {
    for (int k = 0; k < v->compare->count; k++) ui_view_set_step(&v->compare->col[k].view, step);
}

/* ---- live training -----------------------------------------------------------------------------
 */

int ui_compare_training(const UiView *v) {
    if (!v->compare) return 0;
    for (int k = 0; k < v->compare->count; k++) {
        const UiCompareColumn *col = &v->compare->col[k];
        if (col->job && col->progress &&
            (col->progress->state == UI_TRAIN_RUNNING || col->progress->state == UI_TRAIN_PAUSED))
            return 1;
    }
    return 0;
}

static int adopt_job(UiView *v, int k, UiTrainJob *job, RnnError *err) {
    UiCompareColumn *col = &v->compare->col[k];
    if (!col->job_borrowed) ui_train_free(col->job);
    col->job = job;
    col->job_step = -1;
    if (!col->progress && !(col->progress = calloc(1, sizeof *col->progress)))
        return rnn_error_set(err, "out of memory");
    ui_train_progress(job, col->progress);
    /* the window shows the weights being trained from the start: noise first */
    if (ui_train_fetch(job, col->view.model->params, &col->job_step) &&
        column_run(col, v->text, err))
        return -1;
    return 0;
}

int ui_compare_train(UiView *v, RnnError *err) {
    UiCompare *cmp = v->compare;
    if (ui_compare_training(v)) { /* pause or resume them all */
        int pause = 0;
        for (int k = 0; k < cmp->count; k++)
            if (cmp->col[k].progress && cmp->col[k].progress->state == UI_TRAIN_RUNNING) pause = 1;
        for (int k = 0; k < cmp->count; k++)
            if (cmp->col[k].job) ui_train_pause(cmp->col[k].job, pause);
        ui_view_set_banner(
            v, 0, pause ? "Training paused: Ctrl+T resumes, Esc stops." : "Training resumed.");
        return 0;
    }
    if (cmp->col[0].job_borrowed)
        return rnn_error_set(err, "This run has ended: W writes the model.");
    UiTrainJob *jobs[UI_COMPARE_MAX] = {0};
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        if (cv->model_path)
            jobs[k] = ui_train_from_record(cv->model, cv->model_path, 0, v->train_notify,
                                           v->train_notify_ctx, err);
        else
            rnn_error_set(err, "%s has no file to read its training record from", cv->model->name);
        if (!jobs[k]) {
            for (int j = 0; j < k; j++) ui_train_free(jobs[j]);
            return -1;
        }
    }
    for (int k = 0; k < cmp->count; k++) {
        if (adopt_job(v, k, jobs[k], err)) {
            for (int j = k + 1; j < cmp->count; j++) ui_train_free(jobs[j]);
            return -1;
        }
    }
    for (int k = 0; k < cmp->count; k++)
        if (ui_train_start(cmp->col[k].job, err)) return -1;
    ui_view_set_banner(v, 0,
                       "Training from fresh weights: Ctrl+T pauses, Esc stops, W writes the "
                       "model.");
    return 0;
}

int ui_compare_poll(UiView *v) {
    UiCompare *cmp = v->compare;
    if (!cmp) return 0;
    int changed = 0, finished = 0, jobs = 0;
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (!col->job) continue;
        jobs++;
        long long before = col->progress->steps;
        UiTrainState state = col->progress->state;
        ui_train_progress(col->job, col->progress);
        changed |= col->progress->steps != before || col->progress->state != state;
        if (col->progress->state == UI_TRAIN_FINISHED && state != UI_TRAIN_FINISHED) finished++;
        if (col->progress->state == UI_TRAIN_FAILED && state != UI_TRAIN_FAILED)
            ui_view_set_banner(v, 1, "%s: training stopped: %s", col->view.model->name,
                               col->progress->error);
        if (ui_train_fetch(col->job, col->view.model->params, &col->job_step)) {
            RnnError err;
            if (column_run(col, v->text, &err)) ui_view_set_banner(v, 1, "%s", err.message);
            changed = 1;
        }
    }
    if (finished && !ui_compare_training(v) && jobs) {
        if (cmp->train_out)
            ui_view_set_banner(v, 0, "Training finished: Q closes the window and writes %s.",
                               cmp->train_out);
        else
            ui_view_set_banner(v, 0, "Training finished. W writes the model%s.",
                               jobs > 1 ? "s" : "");
    }
    return changed;
}

int ui_compare_save_models(UiView *v, RnnError *err) {
    UiCompare *cmp = v->compare;
    char names[4 * 1100] = "";
    int saved = 0;
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (!col->job) continue;
        char path[1024];
        if (cmp->train_out && cmp->count == 1)
            snprintf(path, sizeof path, "%s", cmp->train_out);
        else
            snprintf(path, sizeof path, "%s-live.json", col->view.model->name);
        if (ui_train_save(col->job, path, err)) return -1;
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", saved ? ", " : "", path);
        saved++;
    }
    if (!saved) return rnn_error_set(err, "Nothing has been trained yet: Ctrl+T trains.");
    ui_view_set_banner(v, 0, "Wrote %s", names);
    return 0;
}

/* ---- keys --------------------------------------------------------------------------------------
 */

int ui_compare_key(UiView *v, UiKey key) {
    UiCompare *cmp = v->compare;
    RnnError err;
    switch (key) {
    case UI_KEY_COMPARE:
        ui_compare_close(v);
        ui_view_set_banner(v, 0, "Back to %s.", v->model ? v->model->name : "the model");
        return 1;
    case UI_KEY_FRESH:
        cmp->show_fresh = !cmp->show_fresh;
        return 1;
    case UI_KEY_TRAIN:
        if (ui_compare_train(v, &err)) ui_view_set_banner(v, 1, "%s", err.message);
        return 1;
    case UI_KEY_SAVE_MODEL:
        if (ui_compare_save_models(v, &err)) ui_view_set_banner(v, 1, "%s", err.message);
        return 1;
    case UI_KEY_ESCAPE:
        if (!ui_compare_training(v)) return -1;
        for (int k = 0; k < cmp->count; k++)
            if (cmp->col[k].job) ui_train_stop(cmp->col[k].job);
        ui_compare_poll(v);
        ui_view_set_banner(v, 0,
                           "Training stopped; the window shows the last weights. W writes them.");
        return 1;
    case UI_KEY_MODEL_RNN:
    case UI_KEY_MODEL_LSTM:
    case UI_KEY_MODEL_GRU:
        ui_view_set_banner(v, 0, "All the models are on screen: C goes back to one.");
        return 1;
    case UI_KEY_PICKER:
        ui_compare_close(v);
        return -1;
    default:
        return -1;
    }
}

int ui_compare_click(UiView *v, int x, int y) {
    UiCompare *cmp = v->compare;
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        UiHit hit = ui_view_hit(cv, x, y);
        if (hit.heatmap < 0) continue;
        const UiHeatmap *hm = &cv->heatmaps[hit.heatmap];
        ui_view_set_step(v, hm->direction == 0 ? hit.t + 1 : cv->trace->steps - hit.t);
        return 1;
    }
    return 0;
}

/* ---- the numbers as CSV ---------------------------------------------------------------------- */

static void csv_field(IoBuf *b, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        io_buf_puts(b, s);
        return;
    }
    io_buf_puts(b, "\"");
    for (; *s; s++) io_buf_puts(b, *s == '"' ? "\"\"" : (char[]){*s, 0});
    io_buf_puts(b, "\"");
}

static void csv_value(IoBuf *b, const double *x, int t) {
    io_buf_puts(b, ",");
    if (x) io_buf_double(b, x[t]);
}

int ui_compare_write_csv(const UiView *v, const char *path, RnnError *err) {
    const UiCompare *cmp = v->compare;
    if (!cmp) return rnn_error_set(err, "the CSV holds the compare view's numbers");
    IoBuf b = {0};
    io_buf_puts(&b, "model,cell,t,token,sensitivity,sensitivity_fresh,influence,"
                    "influence_fresh\n");
    for (int k = 0; k < cmp->count; k++) {
        const UiCompareColumn *col = &cmp->col[k];
        const UiView *cv = &col->view;
        for (int t = 0; cv->trace && t < cv->trace->steps; t++) {
            csv_field(&b, cv->model->name);
            io_buf_printf(&b, ",%s,%d,", rnn_cell_name(cv->model->config.cell), t);
            csv_field(&b, cv->tokens.text[t]);
            csv_value(&b, col->trained.sensitivity, t);
            csv_value(&b, col->initial.sensitivity, t);
            csv_value(&b, col->trained.influence, t);
            csv_value(&b, col->initial.influence, t);
            io_buf_puts(&b, "\n");
        }
    }
    int rc = b.failed ? rnn_error_set(err, "out of memory")
                      : io_write_file_atomic(path, b.data, b.len, err);
    io_buf_free(&b);
    return rc;
}

/* ---- layout
 * -------------------------------------------------------------------------------------- */

void ui_compare_layout(UiView *v, const UiDrawList *list, UiRect body) {
    UiCompare *cmp = v->compare;
    double s = v->zoom;
    int pad = (int)(12 * s), n = cmp->count;
    int large_h = ui_text_height(list, UI_FONT_LARGE), body_h = ui_text_height(list, UI_FONT_BODY);
    int col_w = (body.w - pad) / n;
    int chart_h = body.h / 5;
    if (chart_h < (int)(90 * s)) chart_h = (int)(90 * s);
    if (chart_h > (int)(170 * s)) chart_h = (int)(170 * s);
    int training = 0;
    for (int k = 0; k < n; k++) training |= cmp->col[k].job != NULL;
    int min_w = 0, min_h = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < n; k++) {
            UiCompareColumn *col = &cmp->col[k];
            col->view.zoom = v->zoom, col->view.theme = v->theme;
            col->view.font_has_hangul = v->font_has_hangul;
            col->view.compact = 1;
            col->view.width = v->width, col->view.height = v->height;
            UiRect r = {body.x + pad + k * col_w, body.y + pad / 2, col_w - pad, body.h - pad};
            col->rect = r;
            col->head = (UiRect){r.x, r.y, r.w, large_h + 2 * body_h + pad};
            int charts_y = r.y + r.h - chart_h - (training ? chart_h + pad / 2 : 0);
            int half = (r.w - pad / 2) / 2;
            col->chart_sensitivity = (UiRect){r.x, charts_y, half, chart_h};
            col->chart_influence =
                (UiRect){r.x + half + pad / 2, charts_y, r.w - half - pad / 2, chart_h};
            col->chart_training = training
                                      ? (UiRect){r.x, charts_y + chart_h + pad / 2, r.w, chart_h}
                                      : (UiRect){0, 0, 0, 0};
            int heat_y = col->head.y + col->head.h + pad / 2;
            col->heat = (UiRect){r.x, heat_y, r.w, charts_y - pad / 2 - heat_y};
            ui_view_layout_heatmaps(&col->view, list, col->heat, min_w, min_h);
        }
        /* every model at the scale of the one with the smallest cells */
        min_w = min_h = 1 << 20;
        for (int k = 0; k < n; k++) {
            const UiView *cv = &cmp->col[k].view;
            if (cv->nheatmaps == 0) continue;
            if (cv->heatmaps[0].cell_w < min_w) min_w = cv->heatmaps[0].cell_w;
            if (cv->heatmaps[0].cell_h < min_h) min_h = cv->heatmaps[0].cell_h;
        }
    }
}

/* ---- drawing ------------------------------------------------------------------------------------
 */

static const char *const cell_names[] = {"RNN", "LSTM", "GRU"};

/* The two colour scales every heatmap of the view shares, right-aligned at (right, y). */
static void draw_legends(UiDrawList *l, const UiPalette *p, int right, int y) {
    int sh = ui_text_height(l, UI_FONT_SMALL), w = 48, x = right;
    for (int gate01 = 1; gate01 >= 0; gate01--) {
        const char *lo = gate01 ? "σ 0" : "-1";
        x -= ui_text_width(l, UI_FONT_SMALL, "1") + 3;
        ui_text(l, x, y, UI_FONT_SMALL, p->muted, "1");
        x -= w + 3;
        for (int i = 0; i < 16; i++) {
            double f = (i + 0.5) / 16;
            UiColor c = gate01 ? ui_colormap_sequential(f) : ui_colormap_diverging(2 * f - 1);
            ui_fill(l, (UiRect){x + i * w / 16, y + sh / 4, w / 16 + 1, sh / 2 + 2}, c);
        }
        x -= ui_text_width(l, UI_FONT_SMALL, lo) + 3;
        ui_text(l, x, y, UI_FONT_SMALL, p->muted, lo);
        x -= 14;
    }
}

static void draw_head(UiDrawList *l, const UiPalette *p, UiCompareColumn *col) {
    const UiView *cv = &col->view;
    const RnnConfig *c = &cv->model->config;
    int x = col->head.x, y = col->head.y;
    int large_h = ui_text_height(l, UI_FONT_LARGE), body_h = ui_text_height(l, UI_FONT_BODY);
    int w = ui_text(l, x, y, UI_FONT_LARGE | UI_STYLE_BOLD, p->accent, cell_names[c->cell]);
    ui_text(l, x + w + 10, y + (large_h - body_h) / 2, UI_FONT_BODY, p->muted, cv->model->name);
    y += large_h;
    char py[32], ke[32], line[256];
    ui_format_thousands(rnn_param_count(c, RNN_PYTORCH), py, sizeof py);
    ui_format_thousands(rnn_param_count(c, RNN_KERAS), ke, sizeof ke);
    snprintf(line, sizeof line, "hidden %d · %s parameters (PyTorch) · %s (Keras)", c->hidden_size,
             py, ke);
    if (ui_text_width(l, UI_FONT_BODY, line) > col->head.w)
        snprintf(line, sizeof line, "hidden %d · %s / %s parameters", c->hidden_size, py, ke);
    ui_text(l, x, y, UI_FONT_BODY, p->ink, line);
    draw_legends(l, p, col->head.x + col->head.w, col->head.y);
    y += body_h;
    int T = cv->trace ? cv->trace->steps : 0;
    if (c->head == RNN_HEAD_MANY_TO_ONE && T > 0 && cv->step == T) {
        const double *probs = cv->trace->probs;
        int best = 0;
        for (int k = 1; k < c->num_labels; k++)
            if (probs[k] > probs[best]) best = k;
        w = ui_text(l, x, y, UI_FONT_BODY, p->muted, "predicts ");
        w += ui_text(l, x + w, y, UI_FONT_BODY | UI_STYLE_BOLD, p->ink, cv->model->labels[best]);
        snprintf(line, sizeof line, "  p = %.3f", probs[best]);
        ui_text(l, x + w, y, UI_FONT_BODY, p->muted, line);
    } else if (c->head != RNN_HEAD_NONE) {
        ui_text(l, x, y, UI_FONT_BODY, p->muted,
                c->head == RNN_HEAD_MANY_TO_ONE ? "its answer comes after the last word (End)"
                                                : "an output at every word");
    }
}

/* The ratio the lesson on long-term dependencies is about: first word over last word. */
static void ratio_text(char *buf, size_t size, const UiReach *r, int T) {
    if (!r->sensitivity || T < 2 || !(r->sensitivity[T - 1] > 0)) {
        snprintf(buf, size, "%s", r->sensitivity ? "" : "too large a model to chart");
        return;
    }
    snprintf(buf, size, "first word / last word = %.1e", r->sensitivity[0] / r->sensitivity[T - 1]);
}

/* Shared y ranges so that the columns compare at one scale. */
static void shared_range(const UiCompare *cmp, int influence, double *lo, double *hi) {
    UiChartSeries all[2 * UI_COMPARE_MAX];
    int n = 0;
    for (int k = 0; k < cmp->count; k++) {
        const UiCompareColumn *col = &cmp->col[k];
        int T = col->view.trace ? col->view.trace->steps : 0;
        const double *a = influence ? col->trained.influence : col->trained.sensitivity;
        const double *b = influence ? col->initial.influence : col->initial.sensitivity;
        if (a) all[n++] = (UiChartSeries){a, T, {0, 0, 0, 255}, 0, NULL};
        if (b && cmp->show_fresh) all[n++] = (UiChartSeries){b, T, {0, 0, 0, 255}, 0, NULL};
    }
    if (!ui_chart_range(all, n, 1, lo, hi)) *lo = *hi = 0;
}

/* One reach chart of a column: the trained curve, and with F the fresh one. */
static void reach_chart(UiDrawList *l, const UiPalette *p, const UiCompare *cmp, UiChart *chart,
                        const double *trained, const double *initial, int T) {
    UiChartSeries series[2];
    int n = 0;
    if (trained)
        series[n++] = (UiChartSeries){trained, T, p->accent, 0, cmp->show_fresh ? "trained" : NULL};
    if (cmp->show_fresh && initial) series[n++] = (UiChartSeries){initial, T, p->muted, 1, "fresh"};
    ui_chart_draw(l, chart, series, n);
}

static void draw_reach(UiView *v, UiDrawList *l, const UiPalette *p, UiCompareColumn *col) {
    UiCompare *cmp = v->compare;
    int T = col->view.trace ? col->view.trace->steps : 0;
    char note[96];
    UiChart chart = {col->chart_sensitivity,
                     "sensitivity ‖∂h_T/∂x_t‖",
                     note,
                     1,
                     0,
                     0,
                     T,
                     ui_view_column(&col->view, 0),
                     "t",
                     p->ink,
                     p->muted,
                     p->grid,
                     p->panel};
    ratio_text(note, sizeof note, &col->trained, T);
    shared_range(cmp, 0, &chart.y_min, &chart.y_max);
    reach_chart(l, p, cmp, &chart, col->trained.sensitivity, col->initial.sensitivity, T);

    chart.rect = col->chart_influence;
    chart.title = "key influence ‖Δh_t‖";
    if (col->trained.influence)
        snprintf(note, sizeof note, "first word swapped for %d other%s", col->trained.alternatives,
                 col->trained.alternatives == 1 ? "" : "s");
    else
        snprintf(note, sizeof note, "the model has no other words");
    shared_range(cmp, 1, &chart.y_min, &chart.y_max);
    reach_chart(l, p, cmp, &chart, col->trained.influence, col->initial.influence, T);
}

static void draw_training(UiView *v, UiDrawList *l, const UiPalette *p, UiCompareColumn *col) {
    const UiTrainProgress *pr = col->progress;
    if (!pr || col->chart_training.w <= 0) return;
    UiRect r = col->chart_training;
    int pad = (int)(12 * v->zoom), body_h = ui_text_height(l, UI_FONT_BODY);
    static const char *const states[] = {"training", "paused", "finished", "stopped", "failed"};
    char line[160], done[32], total[32];
    ui_format_thousands(pr->steps, done, sizeof done);
    ui_format_thousands(pr->total_steps, total, sizeof total);
    snprintf(line, sizeof line, "%s · step %s / %s · %.1f s", states[pr->state], done, total,
             pr->seconds);
    ui_fill(l, r, p->panel);
    ui_text(l, r.x + 4, r.y + 2, UI_FONT_BODY, pr->state == UI_TRAIN_FAILED ? p->error : p->ink,
            line);
    /* the progress bar */
    UiRect bar = {r.x + 4, r.y + body_h + 6, r.w - 8, pad / 2 + 2};
    ui_fill(l, bar, p->chip_unread);
    if (pr->total_steps > 0)
        ui_fill(l,
                (UiRect){bar.x, bar.y, (int)((double)bar.w * pr->steps / pr->total_steps), bar.h},
                p->accent);
    /* loss (log) and accuracy, side by side */
    int y = bar.y + bar.h + 4, half = (r.w - pad / 2) / 2;
    char note[64];
    snprintf(note, sizeof note, "%d steps per point", pr->steps_per_point);
    UiChart chart = {{r.x, y, half, r.y + r.h - y},
                     "loss",
                     NULL,
                     1,
                     0,
                     0,
                     pr->points,
                     -1,
                     "point",
                     p->ink,
                     p->muted,
                     p->grid,
                     p->panel};
    chart.note = note;
    UiChartSeries s = {pr->loss, pr->points, p->accent, 0, NULL};
    ui_chart_draw(l, &chart, &s, 1);
    char acc[64];
    snprintf(acc, sizeof acc, "accuracy %.2f", pr->points ? pr->accuracy[pr->points - 1] : 0.0);
    chart.rect.x += half + pad / 2;
    chart.rect.w = r.w - half - pad / 2;
    chart.title = acc;
    chart.log_y = 0, chart.y_min = 0, chart.y_max = 1;
    s.y = pr->accuracy;
    ui_chart_draw(l, &chart, &s, 1);
}

void ui_compare_draw(UiView *v, UiDrawList *l) {
    UiCompare *cmp = v->compare;
    UiPalette p = ui_palette(v->theme);
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (k > 0)
            ui_fill(l, (UiRect){col->rect.x - (int)(7 * v->zoom), col->rect.y, 2, col->rect.h},
                    p.grid);
        draw_head(l, &p, col);
        ui_view_draw_heatmaps(&col->view, l);
        draw_reach(v, l, &p, col);
        draw_training(v, l, &p, col);
    }
}

/* ---- the parameter table ----------------------------------------------------------------------
 */

/* "4·16·(8 + 16 + 2) = 1,664" for one layer and direction. */
static void layer_formula(char *buf, size_t size, RnnCellKind cell, int in, int H,
                          RnnFramework fw) {
    char n[32];
    ui_format_thousands(rnn_layer_param_count(cell, in, H, fw), n, sizeof n);
    int G = rnn_gate_count(cell), biases = fw == RNN_PYTORCH || cell == RNN_CELL_GRU ? 2 : 1;
    if (G == 1)
        snprintf(buf, size, "%d·(%d + %d + %d) = %s", H, in, H, biases, n);
    else
        snprintf(buf, size, "%d·%d·(%d + %d + %d) = %s", G, H, in, H, biases, n);
}

void ui_params_table_draw(UiView *v, UiDrawList *l) {
    UiPalette p = ui_palette(v->theme);
    const RnnModel *models[UI_COMPARE_MAX];
    int count = 0;
    if (v->compare)
        for (int k = 0; k < v->compare->count; k++) models[count++] = v->compare->col[k].view.model;
    else if (v->model)
        models[count++] = v->model;
    int pad = (int)(12 * v->zoom), lh = ui_text_height(l, UI_FONT_BODY) + 4;
    int rows = 3;
    for (int k = 0; k < count; k++)
        rows += 4 + models[k]->config.num_layers * rnn_directions(&models[k]->config);
    int w = (int)(900 * v->zoom), h = rows * lh + count * lh / 3 + 3 * pad;
    if (w > v->width - 40) w = v->width - 40;
    if (h > v->height - 40) h = v->height - 40;
    UiRect r = {(v->width - w) / 2, (v->height - h) / 2, w, h};
    ui_fill(l, r, p.background);
    ui_outline(l, r, 3, p.accent);
    int x = r.x + 2 * pad, y = r.y + pad, col2 = x + (int)(230 * v->zoom),
        col3 = x + (int)(540 * v->zoom);
    ui_text(l, x, y, UI_FONT_LARGE, p.accent, "Parameters");
    ui_text(l, col2, y + 4, UI_FONT_BODY, p.muted, "PyTorch: G·H·(In + H + 2)");
    ui_text(l, col3, y + 4, UI_FONT_BODY, p.muted, "Keras: G·H·(In + H + 1), GRU +2");
    y += lh * 3 / 2;
    ui_text(l, x, y, UI_FONT_SMALL, p.muted,
            "G gates (RNN 1, LSTM 4, GRU 3) · In: the layer's input width · H: hidden units · "
            "PyTorch keeps two bias vectors");
    y += lh;
    char a[96], b[96];
    for (int k = 0; k < count && y + lh < r.y + r.h; k++) {
        const RnnConfig *c = &models[k]->config;
        y += lh / 3;
        snprintf(a, sizeof a, "%s · %s", cell_names[c->cell], models[k]->name);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, a);
        y += lh;
        for (int layer = 0; layer < c->num_layers; layer++)
            for (int d = 0; d < rnn_directions(c); d++) {
                int in = rnn_layer_input_size(c, layer);
                snprintf(a, sizeof a, "  layer %d%s", layer, d ? " backward" : "");
                ui_text(l, x, y, UI_FONT_BODY, p.muted, a);
                layer_formula(a, sizeof a, c->cell, in, c->hidden_size, RNN_PYTORCH);
                layer_formula(b, sizeof b, c->cell, in, c->hidden_size, RNN_KERAS);
                ui_text(l, col2, y, UI_FONT_BODY, p.ink, a);
                ui_text(l, col3, y, UI_FONT_BODY, p.ink, b);
                y += lh;
            }
        if (c->vocab_size) {
            char n[32];
            ui_format_thousands((long long)c->vocab_size * c->input_size, n, sizeof n);
            snprintf(a, sizeof a, "%d·%d = %s", c->vocab_size, c->input_size, n);
            ui_text(l, x, y, UI_FONT_BODY, p.muted, "  embedding V·I");
            ui_text(l, col2, y, UI_FONT_BODY, p.ink, a);
            ui_text(l, col3, y, UI_FONT_BODY, p.ink, a);
            y += lh;
        }
        if (c->num_labels) {
            int DH = rnn_directions(c) * c->hidden_size;
            char n[32];
            ui_format_thousands((long long)c->num_labels * DH + c->num_labels, n, sizeof n);
            snprintf(a, sizeof a, "%d·%d + %d = %s", c->num_labels, DH, c->num_labels, n);
            ui_text(l, x, y, UI_FONT_BODY, p.muted, "  output K·(D·H) + K");
            ui_text(l, col2, y, UI_FONT_BODY, p.ink, a);
            ui_text(l, col3, y, UI_FONT_BODY, p.ink, a);
            y += lh;
        }
        char tp[32], tk[32];
        ui_format_thousands(rnn_param_count(c, RNN_PYTORCH), tp, sizeof tp);
        ui_format_thousands(rnn_param_count(c, RNN_KERAS), tk, sizeof tk);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, "  total");
        ui_text(l, col2, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, tp);
        ui_text(l, col3, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, tk);
        y += lh;
    }
}
