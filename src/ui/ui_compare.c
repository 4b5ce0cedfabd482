/* ui_compare.c - models side by side, how far back each reaches, and live training. */
#define _POSIX_C_SOURCE 200809L
#include "ui_compare.h"
#include "ui_i18n.h"

#include "io_job.h"
#include "ui_chart.h"
#include "ui_params.h"

#include <limits.h>
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
    int units = rnn_feature_size(c); /* h_T: the top layer's output */
    RnnBackward *bw = NULL;
    if (!rnn_config_is_uniform(c))
        out->missing = N_("No chart: the backward pass takes only models whose layers are all "
                          "alike.");
    else if ((double)m->num_params * T * units > UI_REACH_BUDGET)
        out->missing = N_("too large a model to chart");
    else {
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

static void column_stop(UiCompare *cmp, UiCompareColumn *col) {
    if (col->job && col->job_running && cmp->runner.stop)
        cmp->runner.stop(cmp->runner.ctx, col->job);
    col->job_running = 0;
}

static void column_free(UiCompare *cmp, UiCompareColumn *col) {
    if (!col->job_borrowed) {
        column_stop(cmp, col);
        rnn_job_free(col->job);
    }
    free(col->progress);
    ui_view_free(&col->view);
    rnn_model_free(col->fresh);
    reach_free(&col->trained);
    reach_free(&col->initial);
    memset(col, 0, sizeof *col);
}

void ui_compare_free(UiCompare *cmp) {
    if (!cmp) return;
    for (int k = 0; k < cmp->count; k++) column_free(cmp, &cmp->col[k]);
    free(cmp->train_out);
    free(cmp);
}

/* Column k from a model file, or (path NULL) from a copy of model. */
static int column_open(const UiView *v, UiCompare *cmp, int k, const char *path,
                       const RnnModel *model, RnnError *err) {
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
    ui_view_set_words_read(&col->view, v->words_read);
    return column_refresh(col, err);
}

static UiCompare *compare_alloc(const UiJobRunner *runner, RnnError *err) {
    UiCompare *cmp = calloc(1, sizeof *cmp);
    if (!cmp) {
        rnn_error_set(err, "out of memory");
        return NULL;
    }
    cmp->fresh_seed = 1;
    cmp->pace = UI_COMPARE_PACE;
    if (runner) cmp->runner = *runner;
    return cmp;
}

static int adopt_job(UiCompare *cmp, const char *text, int k, RnnJob *job, RnnError *err);

UiCompare *ui_compare_new_watching(const UiView *v, RnnJob *job, const UiJobRunner *runner,
                                   RnnError *err) {
    UiCompare *cmp = compare_alloc(runner, err);
    if (!cmp) return NULL;
    if (column_open(v, cmp, 0, NULL, rnn_job_model(job), err)) {
        ui_compare_free(cmp);
        return NULL;
    }
    cmp->col[0].job_borrowed = 1;
    cmp->pace = 0; /* the command's own run, started as fast as possible */
    if (adopt_job(cmp, v->text, 0, job, err)) {
        ui_compare_free(cmp);
        return NULL;
    }
    return cmp;
}

UiCompare *ui_compare_new(const UiView *v, const char *const *paths, int count,
                          const UiJobRunner *runner, RnnError *err) {
    if (count < 1 || count > UI_COMPARE_MAX) {
        rnn_error_set(err, "compare takes 1 to %d models, not %d", UI_COMPARE_MAX, count);
        return NULL;
    }
    UiCompare *cmp = compare_alloc(runner, err);
    if (!cmp) return NULL;
    for (int k = 0; k < count; k++)
        if (column_open(v, cmp, k, paths[k], NULL, err)) {
            ui_compare_free(cmp);
            return NULL;
        }
    return cmp;
}

int ui_compare_set_text(UiCompare *cmp, const char *text, RnnError *err) {
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (column_run(col, text, err)) return -1;
    }
    return 0;
}

int ui_compare_follow(UiCompare *cmp, const UiView *v, RnnError *err) {
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        /* the view's what-if changes, as far as each model has what they change (decided by
         * its first layer's cell, as rnn_what_if_apply decides); the backward pass takes a
         * model whose layers are all alike (version 1's), any other model shows its forward
         * pass */
        const RnnConfig *c = &cv->model->config;
        int alike = rnn_config_is_uniform(c);
        RnnWhatIf w = v->what_if;
        if (rnn_layer_cell(c, 0) == RNN_CELL_RNN) w.forget_bias_shift = 0;
        if (rnn_layer_cell(c, 0) != RNN_CELL_RNN) w.relu = -1;
        if (memcmp(&w, &cv->what_if, sizeof w) != 0 && ui_view_set_what_if(cv, &w, err)) return -1;
        const char *target = alike ? v->target : NULL;
        int backward = alike && v->backward && v->grad;
        if ((target || cv->target) && (!target || !cv->target || strcmp(target, cv->target)) &&
            ui_view_set_target(cv, target, err))
            return -1;
        if (backward != (cv->backward && cv->grad) && ui_view_set_backward(cv, backward, err))
            return -1;
        ui_view_set_words_read(cv, v->words_read);
        ui_view_set_walked(cv, v->walked);
    }
    return 0;
}

/* ---- live training -----------------------------------------------------------------------------
 */

int ui_compare_training(const UiCompare *cmp) {
    if (!cmp) return 0;
    for (int k = 0; k < cmp->count; k++) {
        const UiCompareColumn *col = &cmp->col[k];
        if (col->job && col->progress &&
            (col->progress->state == RNN_JOB_RUNNING || col->progress->state == RNN_JOB_PAUSED))
            return 1;
    }
    return 0;
}

static int adopt_job(UiCompare *cmp, const char *text, int k, RnnJob *job, RnnError *err) {
    UiCompareColumn *col = &cmp->col[k];
    if (!col->job_borrowed) {
        column_stop(cmp, col);
        rnn_job_free(col->job);
    }
    col->job = job;
    col->job_updates = -1;
    col->scrubbed = 0;
    if (!col->progress && !(col->progress = calloc(1, sizeof *col->progress)))
        return rnn_error_set(err, "out of memory");
    rnn_job_progress(job, col->progress);
    col->history_count = rnn_job_history(job, col->history, RNN_JOB_MAX_SNAPSHOTS);
    /* the window shows the weights being trained from the start: noise first */
    if (rnn_job_fetch(job, col->view.model->params, &col->job_updates) &&
        column_run(col, text, err))
        return -1;
    return 0;
}

/* The runner's pace for col's run: its steps spread over the compare view's seconds per run. */
static double pace_rate(const UiCompare *cmp, const UiCompareColumn *col) {
    if (cmp->pace <= 0 || !col->progress || col->progress->total_updates <= 0) return 0;
    return (double)col->progress->total_updates / cmp->pace;
}

/* "30 s per run", or "as fast as possible". */
static void pace_text(const UiCompare *cmp, char *buf, size_t size) {
    if (cmp->pace > 0)
        snprintf(buf, size, ui_tr("%d s per run"), cmp->pace);
    else
        snprintf(buf, size, "%s", ui_tr("as fast as possible"));
}

/* [ and ]: the paces to choose from, slowest first (0: as fast as possible). */
static const int paces[] = {120, 60, UI_COMPARE_PACE, 10, 0};
#define NPACES ((int)(sizeof paces / sizeof paces[0]))

static void change_pace(UiCompare *cmp, UiView *v, int faster) {
    int at = 0;
    for (int k = 0; k < NPACES; k++)
        if (paces[k] == cmp->pace) at = k;
    at += faster ? 1 : -1;
    cmp->pace = paces[at < 0 ? 0 : at >= NPACES ? NPACES - 1 : at];
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (col->job && col->job_running && cmp->runner.set_pace)
            cmp->runner.set_pace(cmp->runner.ctx, col->job, pace_rate(cmp, col));
    }
    char pace[64];
    pace_text(cmp, pace, sizeof pace);
    ui_view_set_banner(v, 0, ui_tr("Training pace: %s. [ slower, ] faster."), pace);
}

/* The kept snapshot of col nearest to step updates (the earlier on a tie), as an index. */
static int nearest_snapshot(const UiCompareColumn *col, long long updates) {
    int best = 0;
    for (int k = 1; k < col->history_count; k++)
        if (llabs(col->history[k] - updates) < llabs(col->history[best] - updates)) best = k;
    return best;
}

/* Column col shows its kept snapshot nearest to step updates; the last one means the latest
 * weights, following the run again. Returns 1 when the weights shown changed. */
static int column_scrub(UiCompareColumn *col, const char *text, long long updates, RnnError *err) {
    if (!col->job || col->history_count < 1) return 0;
    int k = nearest_snapshot(col, updates);
    if (k == col->history_count - 1) { /* the end: the run's latest */
        if (!col->scrubbed) return 0;
        col->scrubbed = 0;
        col->job_updates = -1;
        if (!rnn_job_fetch(col->job, col->view.model->params, &col->job_updates)) return 0;
    } else {
        if (col->scrubbed && col->job_updates == col->history[k]) return 0;
        col->job_updates =
            rnn_job_history_fetch(col->job, col->history[k], col->view.model->params);
        col->scrubbed = 1;
    }
    return column_run(col, text, err) ? -1 : 1;
}

/* The banner after scrubbing: which weights the first training column shows. */
static void scrub_banner(const UiCompare *cmp, UiView *v) {
    for (int k = 0; k < cmp->count; k++) {
        const UiCompareColumn *col = &cmp->col[k];
        if (!col->job) continue;
        char step[32];
        ui_format_thousands(col->job_updates, step, sizeof step);
        if (col->scrubbed)
            ui_view_set_banner(v, 0,
                               ui_tr("The weights of step %s: , and . step through the run, "
                                     "its end follows it again."),
                               step);
        else
            ui_view_set_banner(v, 0, ui_tr("The latest weights (step %s), following the run."),
                               step);
        return;
    }
}

/* Every training column shows its kept snapshot nearest to step updates (one step for all,
 * so that the columns compare at one point of training), or with latest the run's latest
 * weights again. Returns 1 when the weights shown changed. */
static int scrub_all(UiCompare *cmp, UiView *v, long long updates, int latest) {
    int changed = 0, failed = 0;
    for (int k = 0; k < cmp->count; k++) {
        RnnError err;
        int rc = column_scrub(&cmp->col[k], v->text, latest ? LLONG_MAX : updates, &err);
        if (rc < 0) ui_view_set_banner(v, 1, "%s", err.message), failed = 1;
        changed |= rc != 0;
    }
    if (!failed) scrub_banner(cmp, v);
    return changed;
}

/* The first column with snapshots: the one whose snapshots the keys step through. */
static UiCompareColumn *scrub_lead(UiCompare *cmp) {
    for (int k = 0; k < cmp->count; k++)
        if (cmp->col[k].job && cmp->col[k].history_count > 0) return &cmp->col[k];
    return NULL;
}

/* , and .: one kept snapshot back or ahead. */
static int scrub_key(UiCompare *cmp, UiView *v, int ahead) {
    UiCompareColumn *lead = scrub_lead(cmp);
    if (!lead) return -1;
    int last = lead->history_count - 1;
    int at = lead->scrubbed ? nearest_snapshot(lead, lead->job_updates) : last;
    at += ahead ? 1 : -1;
    at = at < 0 ? 0 : at > last ? last : at;
    scrub_all(cmp, v, lead->history[at], at == last);
    return 1;
}

/* The mouse at x on col's bar: the step there, over the whole run. */
static int scrub_at(UiCompare *cmp, UiView *v, UiCompareColumn *col, int x) {
    const UiRect *b = &col->scrub;
    if (!col->progress || b->w <= 0 || col->history_count < 1) return 0;
    double f = (double)(x - b->x) / b->w;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    int k = nearest_snapshot(col, (long long)(f * col->progress->total_updates + 0.5));
    return scrub_all(cmp, v, col->history[k], k == col->history_count - 1);
}

int ui_compare_train(UiCompare *cmp, UiView *v, RnnError *err) {
    if (ui_compare_training(cmp)) { /* pause or resume them all */
        int pause = 0;
        for (int k = 0; k < cmp->count; k++)
            if (cmp->col[k].progress && cmp->col[k].progress->state == RNN_JOB_RUNNING) pause = 1;
        for (int k = 0; k < cmp->count; k++)
            if (cmp->col[k].job && cmp->runner.pause)
                cmp->runner.pause(cmp->runner.ctx, cmp->col[k].job, pause);
        ui_view_set_banner(v, 0, "%s",
                           pause ? ui_tr("Training paused: Ctrl+T resumes, Esc stops.")
                                 : ui_tr("Training resumed."));
        return 0;
    }
    if (cmp->col[0].job_borrowed)
        return rnn_error_set(err, "%s", ui_tr("This run has ended: W writes the model."));
    if (!cmp->runner.start)
        return rnn_error_set(err, "%s", ui_tr("live training is not available here"));
    RnnJob *jobs[UI_COMPARE_MAX] = {0};
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        if (cv->model_path)
            jobs[k] = io_job_from_record(cv->model, cv->model_path, 0, err);
        else
            rnn_error_set(err, ui_tr("%s has no file to read its training record from"),
                          cv->model->name);
        if (!jobs[k]) {
            for (int j = 0; j < k; j++) rnn_job_free(jobs[j]);
            return -1;
        }
    }
    for (int k = 0; k < cmp->count; k++) {
        if (adopt_job(cmp, v->text, k, jobs[k], err)) {
            for (int j = k + 1; j < cmp->count; j++) rnn_job_free(jobs[j]);
            return -1;
        }
    }
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (cmp->runner.start(cmp->runner.ctx, col->job, pace_rate(cmp, col), err)) return -1;
        col->job_running = 1;
    }
    ui_view_set_banner(v, 0, "%s",
                       ui_tr("Training from fresh weights: Ctrl+T pauses, Esc stops, W writes the "
                             "model."));
    return 0;
}

int ui_compare_poll(UiCompare *cmp, UiView *v) {
    if (!cmp) return 0;
    int changed = 0, finished = 0, jobs = 0;
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (!col->job) continue;
        jobs++;
        long long before = col->progress->updates;
        RnnJobState state = col->progress->state;
        rnn_job_progress(col->job, col->progress);
        changed |= col->progress->updates != before || col->progress->state != state;
        if (col->progress->state == RNN_JOB_FINISHED && state != RNN_JOB_FINISHED) finished++;
        if (col->progress->state == RNN_JOB_FAILED && state != RNN_JOB_FAILED)
            ui_view_set_banner(v, 1, ui_tr("%s: training stopped: %s"), col->view.model->name,
                               col->progress->error);
        col->history_count = rnn_job_history(col->job, col->history, RNN_JOB_MAX_SNAPSHOTS);
        if (!col->scrubbed && rnn_job_fetch(col->job, col->view.model->params, &col->job_updates)) {
            RnnError err;
            if (column_run(col, v->text, &err)) ui_view_set_banner(v, 1, "%s", err.message);
            changed = 1;
        }
    }
    if (finished && !ui_compare_training(cmp) && jobs) {
        if (cmp->train_out)
            ui_view_set_banner(v, 0, ui_tr("Training finished: Q closes the window and writes %s."),
                               cmp->train_out);
        else
            ui_view_set_banner(v, 0, "%s",
                               jobs > 1 ? ui_tr("Training finished. W writes the models.")
                                        : ui_tr("Training finished. W writes the model."));
    }
    return changed;
}

int ui_compare_save_models(UiCompare *cmp, UiView *v, RnnError *err) {
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
        if (io_job_save(col->job, path, err)) return -1;
        if (cmp->wrote) cmp->wrote(cmp->wrote_ctx, path);
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", saved ? ", " : "", path);
        saved++;
    }
    if (!saved)
        return rnn_error_set(err, "%s", ui_tr("Nothing has been trained yet: Ctrl+T trains."));
    ui_view_set_banner(v, 0, ui_tr("Wrote %s"), names);
    return 0;
}

/* ---- keys --------------------------------------------------------------------------------------
 */

int ui_compare_key(UiCompare *cmp, UiView *v, UiKey key) {
    RnnError err;
    switch (key) {
    case UI_KEY_FRESH:
        cmp->show_fresh = !cmp->show_fresh;
        return 1;
    case UI_KEY_COMPARE_H_ONLY: /* kept while the view is open */
        cmp->states_only = !cmp->states_only;
        ui_view_set_banner(v, 0, "%s",
                           cmp->states_only ? ui_tr("Only h (and c): V shows every heatmap again.")
                                            : ui_tr("Every heatmap: V shows only h (and c)."));
        return 1;
    case UI_KEY_TRAIN:
        if (ui_compare_train(cmp, v, &err)) ui_view_set_banner(v, 1, "%s", err.message);
        return 1;
    case UI_KEY_SAVE_MODEL:
        if (ui_compare_save_models(cmp, v, &err)) ui_view_set_banner(v, 1, "%s", err.message);
        return 1;
    case UI_KEY_SLOWER: /* while a run trains, its pace; else the view's play speed */
    case UI_KEY_FASTER:
        if (!ui_compare_training(cmp)) return -1;
        change_pace(cmp, v, key == UI_KEY_FASTER);
        return 1;
    case UI_KEY_SCRUB_BACK:
    case UI_KEY_SCRUB_AHEAD:
        return scrub_key(cmp, v, key == UI_KEY_SCRUB_AHEAD);
    case UI_KEY_ESCAPE:
        if (!ui_compare_training(cmp)) return -1;
        for (int k = 0; k < cmp->count; k++) {
            UiCompareColumn *col = &cmp->col[k];
            if (!col->job || !col->job_running) continue;
            if (cmp->runner.stop) cmp->runner.stop(cmp->runner.ctx, col->job);
            col->job_running = 0;
        }
        ui_compare_poll(cmp, v);
        ui_view_set_banner(v, 0, "%s",
                           ui_tr("Training stopped; the window shows the last weights. W writes "
                                 "them."));
        return 1;
    case UI_KEY_MODEL_RNN:
    case UI_KEY_MODEL_LSTM:
    case UI_KEY_MODEL_GRU:
        ui_view_set_banner(v, 0, "%s", ui_tr("All the models are on screen: C goes back to one."));
        return 1;
    default:
        return -1;
    }
}

/* The bar's room for the mouse: a little taller than it is drawn. */
static int on_scrub_bar(const UiCompareColumn *col, int x, int y) {
    const UiRect *b = &col->scrub;
    int slack = b->h / 2 + 2;
    return col->job && b->w > 0 &&
           ui_rect_contains(
               (UiRect){b->x - slack, b->y - slack, b->w + 2 * slack, b->h + 2 * slack}, x, y);
}

int ui_compare_drag(UiCompare *cmp, UiView *v, int x, int y) {
    (void)y; /* a held bar follows the mouse anywhere, as a slider does */
    if (cmp->drag < 1 || cmp->drag > cmp->count) return 0;
    return scrub_at(cmp, v, &cmp->col[cmp->drag - 1], x);
}

int ui_compare_click(UiCompare *cmp, UiView *v, int x, int y) {
    cmp->drag = 0;
    for (int k = 0; k < cmp->count; k++) {
        if (!on_scrub_bar(&cmp->col[k], x, y)) continue;
        cmp->drag = k + 1;
        scrub_at(cmp, v, &cmp->col[k], x);
        return 1;
    }
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        UiHit hit = ui_view_hit(cv, x, y);
        if (hit.heatmap < 0) continue;
        const UiHeatmap *hm = &cv->heatmaps[hit.heatmap];
        if (v->backward && v->grad)
            ui_view_set_walked(v, hm->direction == 0 ? cv->trace->steps - 1 - hit.t : hit.t);
        else
            ui_view_set_words_read(v, hm->direction == 0 ? hit.t + 1 : cv->trace->steps - hit.t);
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

int ui_compare_write_csv(const UiCompare *cmp, const char *path, RnnError *err) {
    IoBuf b = {0};
    io_buf_puts(&b, "model,cell,t,token,sensitivity,sensitivity_fresh,influence,"
                    "influence_fresh\n");
    for (int k = 0; k < cmp->count; k++) {
        const UiCompareColumn *col = &cmp->col[k];
        const UiView *cv = &col->view;
        for (int t = 0; cv->trace && t < cv->trace->steps; t++) {
            csv_field(&b, cv->model->name);
            io_buf_puts(&b, ",");
            const RnnConfig *c = &cv->model->config;
            for (int l = 0, seen = 0; l < c->num_layers; l++) /* "lstm", or "lstm+gru" */
                if (!(seen & 1 << rnn_layer_cell(c, l))) {
                    io_buf_printf(&b, "%s%s", seen ? "+" : "", rnn_cell_name(rnn_layer_cell(c, l)));
                    seen |= 1 << rnn_layer_cell(c, l);
                }
            io_buf_printf(&b, ",%d,", t);
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

void ui_compare_layout(UiCompare *cmp, const UiView *v, const UiDrawList *list, UiRect body) {
    double s = v->zoom;
    int pad = (int)(12 * s), n = cmp->count;
    int large_h = ui_text_height(list, UI_FONT_LARGE), body_h = ui_text_height(list, UI_FONT_BODY);
    int col_w = (body.w - pad) / n;
    int chart_h = body.h / 5;
    if (chart_h < (int)(90 * s)) chart_h = (int)(90 * s);
    if (chart_h > (int)(170 * s)) chart_h = (int)(170 * s);
    if (v->backward && v->grad) { /* the error signal's chart is what this view is about */
        chart_h = body.h / 3;
        if (chart_h < (int)(130 * s)) chart_h = (int)(130 * s);
        if (chart_h > (int)(260 * s)) chart_h = (int)(260 * s);
    }
    int training = 0;
    for (int k = 0; k < n; k++) training |= cmp->col[k].job != NULL;
    int min_w = 0, min_h = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < n; k++) {
            UiCompareColumn *col = &cmp->col[k];
            col->view.zoom = v->zoom, col->view.theme = v->theme;
            col->view.font_has_hangul = v->font_has_hangul;
            col->view.compact = 1;
            col->view.states_only = cmp->states_only;
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
            /* under the panel's first line; tall enough to take hold of */
            col->scrub = training
                             ? (UiRect){r.x + pad / 2, col->chart_training.y + body_h + pad / 2,
                                        r.w - pad, body_h * 2 / 3}
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

/* The two colour scales every heatmap of the view shares, right-aligned at (right, y). */
/* Their width, to leave them out of a column too narrow for them. */
static int legends_width(const UiDrawList *l) {
    return 2 * (48 + 3 + 3 + 3 + 14 + ui_text_width(l, UI_FONT_SMALL, "1")) +
           ui_text_width(l, UI_FONT_SMALL, "σ 0") + ui_text_width(l, UI_FONT_SMALL, "-1");
}

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

/* The model's layers and parameter counts in one line of width w: the longest form that
 * fits, from "hidden 64 · 2,000 parameters (PyTorch) · 1,900 (Keras)" down to "LSTM 3 · GRU… ·
 * 400 params" for a narrow column (a phone's). */
static void head_line(const UiDrawList *l, const RnnConfig *c, int w, char *line, size_t size) {
    char py[32], ke[32], layers[256], count[64];
    ui_format_thousands(rnn_param_count(c, RNN_PYTORCH), py, sizeof py);
    ui_format_thousands(rnn_param_count(c, RNN_KERAS), ke, sizeof ke);
    ui_params_layers_text(c, layers, sizeof layers);
    for (int form = 0; form < 3; form++) {
        if (form == 0)
            snprintf(line, size, ui_tr("%s · %s parameters (PyTorch) · %s (Keras)"), layers, py,
                     ke);
        else if (form == 1)
            snprintf(line, size, ui_tr("%s · %s / %s parameters"), layers, py, ke);
        else
            snprintf(line, size, ui_tr("%s · %s params"), layers, py);
        if (ui_text_width(l, UI_FONT_BODY, line) <= w) return;
    }
    /* the layers cut short, the count whole */
    snprintf(count, sizeof count, ui_tr("%s · %s params"), "", py);
    ui_fit_text(l, UI_FONT_BODY, layers, sizeof layers, w - ui_text_width(l, UI_FONT_BODY, count));
    snprintf(line, size, ui_tr("%s · %s params"), layers, py);
}

/* The answer once the sentence is read: the class a softmax picks, the label a sigmoid
 * output scores highest ("p(yes) = 0.712"), or a regression's numbers. */
static void draw_answer(UiDrawList *l, const UiPalette *p, const UiView *cv, int x, int y) {
    const RnnConfig *c = &cv->model->config;
    const double *probs = cv->trace->probs;
    int K = c->num_labels, best = 0;
    char line[160];
    for (int k = 1; k < K; k++)
        if (probs[k] > probs[best]) best = k;
    if (c->head_activation == RNN_ACT_SOFTMAX) {
        int w = ui_text(l, x, y, UI_FONT_BODY, p->muted, ui_tr("predicts "));
        w += ui_text(l, x + w, y, UI_FONT_BODY | UI_STYLE_BOLD, p->ink, cv->model->labels[best]);
        snprintf(line, sizeof line, "  p = %.3f", probs[best]);
        ui_text(l, x + w, y, UI_FONT_BODY, p->muted, line);
    } else if (c->head_activation == RNN_ACT_SIGMOID) {
        snprintf(line, sizeof line, "p(%s) = %.3f", cv->model->labels[best], probs[best]);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p->ink, line);
    } else { /* numbers: the first few outputs */
        int w = ui_text(l, x, y, UI_FONT_BODY, p->muted, ui_tr("output "));
        line[0] = '\0';
        for (int k = 0; k < K && k < 4; k++) {
            size_t n = strlen(line);
            snprintf(line + n, sizeof line - n, "%s%.3f", k ? ", " : "", probs[k]);
        }
        if (K > 4) strncat(line, ", …", sizeof line - strlen(line) - 1);
        ui_text(l, x + w, y, UI_FONT_BODY | UI_STYLE_BOLD, p->ink, line);
    }
}

static void draw_head(UiDrawList *l, const UiPalette *p, UiCompareColumn *col) {
    const UiView *cv = &col->view;
    const RnnConfig *c = &cv->model->config;
    int x = col->head.x, y = col->head.y;
    int large_h = ui_text_height(l, UI_FONT_LARGE), body_h = ui_text_height(l, UI_FONT_BODY);
    char line[256];
    ui_params_cells_text(c, line, sizeof line); /* "LSTM", or "LSTM + GRU" */
    int w = ui_text(l, x, y, UI_FONT_LARGE | UI_STYLE_BOLD, p->accent, line);
    int name_w = ui_text_width(l, UI_FONT_BODY, cv->model->name);
    int room = col->head.w - w - 10 - name_w; /* beside the title, for the legends */
    ui_text(l, x + w + 10, y + (large_h - body_h) / 2, UI_FONT_BODY, p->muted, cv->model->name);
    y += large_h;
    head_line(l, c, col->head.w, line, sizeof line);
    ui_text(l, x, y, UI_FONT_BODY, p->ink, line);
    if (cv->backward && cv->grad) { /* the gradients' scale, said in words */
        char scale[96];
        snprintf(scale, sizeof scale, ui_tr("dL/d·: signed log, 1e%d..1e%d"),
                 (int)cv->grad_top - UI_GRAD_DECADES, (int)cv->grad_top);
        int sw = ui_text_width(l, UI_FONT_SMALL, scale);
        if (room >= sw)
            ui_text(l, col->head.x + col->head.w - sw, col->head.y, UI_FONT_SMALL, p->muted, scale);
    } else if (room >= legends_width(l)) {
        draw_legends(l, p, col->head.x + col->head.w, col->head.y);
    }
    y += body_h;
    int T = cv->trace ? cv->trace->steps : 0;
    int one_answer = c->head == RNN_HEAD_MANY_TO_ONE || c->head == RNN_HEAD_REGRESSION;
    if (one_answer && T > 0 && cv->words_read == T) {
        draw_answer(l, p, cv, x, y);
    } else if (c->head != RNN_HEAD_NONE) {
        ui_text(l, x, y, UI_FONT_BODY, p->muted,
                one_answer ? ui_tr("its answer comes after the last word (End)")
                           : ui_tr("an output at every word"));
    }
}

/* The ratio the lesson on long-term dependencies is about: first word over last word. */
static void ratio_text(char *buf, size_t size, const UiReach *r, int T) {
    if (!r->sensitivity || T < 2 || !(r->sensitivity[T - 1] > 0)) {
        snprintf(buf, size, "%s", r->sensitivity || !r->missing ? "" : ui_tr(r->missing));
        return;
    }
    snprintf(buf, size, ui_tr("first word / last word = %.1e"),
             r->sensitivity[0] / r->sensitivity[T - 1]);
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
        series[n++] =
            (UiChartSeries){trained, T, p->accent, 0, cmp->show_fresh ? ui_tr("trained") : NULL};
    if (cmp->show_fresh && initial)
        series[n++] = (UiChartSeries){initial, T, p->muted, 1, ui_tr("fresh")};
    ui_chart_draw(l, chart, series, n);
}

static void draw_reach(const UiCompare *cmp, UiDrawList *l, const UiPalette *p,
                       UiCompareColumn *col) {
    int T = col->view.trace ? col->view.trace->steps : 0;
    char note[96];
    UiChart chart = {col->chart_sensitivity,
                     ui_tr("sensitivity ‖∂h_T/∂x_t‖"),
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
    if (col->trained.sensitivity || !col->trained.missing) {
        reach_chart(l, p, cmp, &chart, col->trained.sensitivity, col->initial.sensitivity, T);
    } else { /* no chart: why, in the chart's room */
        UiRect r = chart.rect;
        char title[256];
        snprintf(title, sizeof title, "%s", chart.title);
        ui_fit_text(l, UI_FONT_BODY, title, sizeof title, r.w - 8);
        ui_fill(l, r, p->panel);
        ui_text(l, r.x + 4, r.y + 2, UI_FONT_BODY, p->ink, title);
        /* wrapped in a scratch list: the whole reason when it fits, else its first lines */
        UiDrawList why = {0};
        why.measure = l->measure;
        ui_text_wrapped(&why, r.x + 4, r.y + ui_text_height(l, UI_FONT_BODY) + 4, r.w - 8,
                        UI_FONT_SMALL, p->muted, ui_tr(col->trained.missing));
        ui_draw_append_inside(l, &why, r);
        ui_draw_free(&why);
    }

    chart.rect = col->chart_influence;
    chart.title = ui_tr("key influence ‖Δh_t‖");
    if (col->trained.influence)
        snprintf(note, sizeof note, ui_tr("first word swapped for the other keys: %d"),
                 col->trained.alternatives);
    else
        snprintf(note, sizeof note, "%s", ui_tr("the model has no other words"));
    shared_range(cmp, 1, &chart.y_min, &chart.y_max);
    reach_chart(l, p, cmp, &chart, col->trained.influence, col->initial.influence, T);
}

/* The curve point whose updates include step updates (the first for step 0). */
static int point_of(const RnnJobProgress *pr, long long updates) {
    long long k = (updates + pr->updates_per_point - 1) / pr->updates_per_point - 1;
    if (k >= pr->points) k = pr->points - 1;
    return k < 0 ? 0 : (int)k;
}

static void draw_training(const UiCompare *cmp, const UiView *v, UiDrawList *l, const UiPalette *p,
                          UiCompareColumn *col) {
    const RnnJobProgress *pr = col->progress;
    if (!pr || col->chart_training.w <= 0) return;
    UiRect r = col->chart_training;
    int pad = (int)(12 * v->zoom);
    static const char *const states[] = {N_("training"), N_("paused"), N_("finished"),
                                         N_("stopped"), N_("failed")};
    char line[160], done[32], total[32], pace[64];
    ui_format_thousands(pr->updates, done, sizeof done);
    ui_format_thousands(pr->total_updates, total, sizeof total);
    snprintf(line, sizeof line, ui_tr("%s · step %s / %s · %.1f s"), ui_tr(states[pr->state]), done,
             total, pr->seconds);
    ui_fill(l, r, p->panel);
    ui_fit_text(l, UI_FONT_BODY, line, sizeof line, r.w - 8); /* a narrow column (a phone) */
    int w = ui_text(l, r.x + 4, r.y + 2, UI_FONT_BODY,
                    pr->state == RNN_JOB_FAILED ? p->error : p->ink, line);
    /* the pace, at the line's end, or where there is no room there, under the loss chart's
     * title (a run that has ended has none) */
    int pace_in_note = 0;
    if (pr->state == RNN_JOB_RUNNING || pr->state == RNN_JOB_PAUSED) {
        pace_text(cmp, pace, sizeof pace);
        int pw = ui_text_width(l, UI_FONT_SMALL, pace);
        if (4 + w + pad + pw + 4 <= r.w)
            ui_text(l, r.x + r.w - 4 - pw,
                    r.y + 2 + (ui_text_height(l, UI_FONT_BODY) - ui_text_height(l, UI_FONT_SMALL)),
                    UI_FONT_SMALL, p->muted, pace);
        else
            pace_in_note = 1;
    }
    /* the progress bar, which is also the scrub bar: a notch at every kept snapshot, and a
     * handle at the weights shown */
    UiRect bar = col->scrub;
    ui_fill(l, bar, p->chip_unread);
    if (pr->total_updates > 0) {
        ui_fill(
            l,
            (UiRect){bar.x, bar.y, (int)((double)bar.w * pr->updates / pr->total_updates), bar.h},
            p->accent);
        for (int k = 1; k < col->history_count; k++)
            ui_fill(l,
                    (UiRect){bar.x + (int)((double)bar.w * col->history[k] / pr->total_updates),
                             bar.y + bar.h / 2, 1, bar.h - bar.h / 2},
                    p->panel);
        long long shown = col->job_updates < 0 ? 0 : col->job_updates;
        int hx = bar.x + (int)((double)bar.w * shown / pr->total_updates);
        ui_fill(l, (UiRect){hx - 2, bar.y - 3, 4, bar.h + 6}, col->scrubbed ? p->ink : p->muted);
    }
    /* loss (log) and accuracy, side by side; a scrubbed column marks the point it shows */
    int y = bar.y + bar.h + 5, half = (r.w - pad / 2) / 2;
    int marker = col->scrubbed && pr->points > 0 ? point_of(pr, col->job_updates) : -1;
    char note[96];
    if (marker >= 0) {
        ui_format_thousands(col->job_updates, done, sizeof done);
        snprintf(note, sizeof note, ui_tr("marked: step %s"), done);
    } else if (pace_in_note) {
        snprintf(note, sizeof note, "%s", pace);
    } else {
        snprintf(note, sizeof note, ui_tr("%d steps per point"), pr->updates_per_point);
    }
    UiChart chart = {{r.x, y, half, r.y + r.h - y},
                     ui_tr("loss"),
                     NULL,
                     1,
                     0,
                     0,
                     pr->points,
                     marker,
                     ui_tr("point"),
                     p->ink,
                     p->muted,
                     p->grid,
                     p->panel};
    chart.note = note;
    UiChartSeries s = {pr->loss, pr->points, p->accent, 0, NULL};
    ui_chart_draw(l, &chart, &s, 1);
    if (marker >= 0 && pace_in_note) chart.note = pace; /* the accuracy chart's, then */
    char acc[64];
    int at = marker >= 0 ? marker : pr->points - 1;
    snprintf(acc, sizeof acc, ui_tr("accuracy %.2f"), pr->points ? pr->accuracy[at] : 0.0);
    chart.rect.x += half + pad / 2;
    chart.rect.w = r.w - half - pad / 2;
    chart.title = acc;
    chart.log_y = 0, chart.y_min = 0, chart.y_max = 1;
    s.y = pr->accuracy;
    ui_chart_draw(l, &chart, &s, 1);
}

/* Backward: every column's gradients on one colour scale and one chart range, so that the
 * RNN's fading and the LSTM's cell path are one glance apart. Returns 1 when backward. */
static int share_grad_scales(UiCompare *cmp, double *lo, double *hi) {
    double top = -INFINITY;
    int backward = 0;
    *lo = INFINITY, *hi = 0;
    for (int k = 0; k < cmp->count; k++) {
        UiView *cv = &cmp->col[k].view;
        if (!cv->backward || !cv->grad) continue;
        backward = 1;
        cv->grad_top = NAN;
        top = fmax(top, ui_view_grad_top(cv));
        double a, b;
        if (ui_view_grad_chart_range(cv, &a, &b)) *lo = fmin(*lo, a), *hi = fmax(*hi, b);
    }
    for (int k = 0; k < cmp->count; k++) cmp->col[k].view.grad_top = backward ? top : NAN;
    if (!(*hi > 0)) *lo = 1, *hi = 0;
    return backward;
}

void ui_compare_draw(UiCompare *cmp, const UiView *v, UiDrawList *l) {
    UiPalette p = ui_palette(v->theme);
    double lo, hi;
    int backward = share_grad_scales(cmp, &lo, &hi);
    for (int k = 0; k < cmp->count; k++) {
        UiCompareColumn *col = &cmp->col[k];
        if (k > 0)
            ui_fill(l, (UiRect){col->rect.x - (int)(7 * v->zoom), col->rect.y, 2, col->rect.h},
                    p.grid);
        draw_head(l, &p, col);
        ui_view_draw_heatmaps(&col->view, l);
        /* the error signal per step, across both charts' room (a model the backward pass does
         * not take keeps its reach charts) */
        if (backward && col->view.backward && col->view.grad) {
            UiRect r = col->chart_sensitivity;
            r.w = col->chart_influence.x + col->chart_influence.w - r.x;
            ui_view_draw_grad_chart(&col->view, l, r, lo, hi);
        } else {
            draw_reach(cmp, l, &p, col);
        }
        draw_training(cmp, v, l, &p, col);
    }
}
