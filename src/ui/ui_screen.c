/* ui_screen.c - the view or the models side by side, and keeping them in step (ui_screen.h). */
#define _POSIX_C_SOURCE 200809L
#include "ui_screen.h"

#include "ui_glossary.h"
#include "ui_i18n.h"
#include "ui_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_screen_options_default(UiScreenOptions *o) {
    memset(o, 0, sizeof *o);
    o->step = -1;
    o->width = 1280, o->height = 800;
    o->zoom = 1.0;
    o->theme = UI_THEME_LIGHT;
    o->select_quantity = RNN_QUANTITY_H;
    o->lang = "en";
    o->what_if = RNN_WHAT_IF_NONE;
}

/* The quantity `name` of layer l's own cell: h, c (an LSTM layer) or one of its gates. */
static int quantity_of_layer(const RnnConfig *c, int l, const char *name, int *out, RnnError *err) {
    RnnCellKind cell = rnn_layer_cell(c, l);
    if (!strcmp(name, "h")) return *out = RNN_QUANTITY_H, 0;
    if (!strcmp(name, "c") && cell == RNN_CELL_LSTM) return *out = RNN_QUANTITY_C, 0;
    for (int g = 0; g < rnn_gate_count(cell) && cell != RNN_CELL_RNN; g++)
        if (!strcmp(name, rnn_gate_name(cell, g))) return *out = g, 0;
    return rnn_error_set(err, "--select: layer %d (%s) has no %s", l, rnn_cell_name(cell), name);
}

void ui_screen_free(UiScreen *s) {
    ui_compare_free(s->compare);
    ui_view_free(&s->view);
    memset(s, 0, sizeof *s);
}

/* ---- the compare view follows the view ------------------------------------------------------ */

static void set_compare(UiScreen *s, UiCompare *cmp) {
    ui_compare_free(s->compare);
    s->compare = cmp;
    s->text_serial = s->view.text_serial;
    if (cmp) s->view.playing = 0;
}

static int open_compare(UiScreen *s, const char *const *paths, int count, RnnError *err) {
    UiCompare *cmp = ui_compare_new(&s->view, paths, count, &s->host.runner, err);
    if (!cmp) return -1;
    if (ui_compare_follow(cmp, &s->view, err)) {
        ui_compare_free(cmp);
        return -1;
    }
    cmp->wrote = s->host.wrote, cmp->wrote_ctx = s->host.wrote_ctx;
    set_compare(s, cmp);
    return 0;
}

/* After anything the view did: what its lesson asks beside it, and its sentence and step in
 * every column. */
static int sync(UiScreen *s, RnnError *err) {
    UiView *v = &s->view;
    if (v->beside.serial != s->side_serial) {
        s->side_serial = v->beside.serial;
        if (v->beside.count == 0)
            set_compare(s, NULL);
        else if (open_compare(s, (const char *const *)v->beside.paths, v->beside.count, err))
            return -1;
    }
    if (!s->compare) return 0;
    if (v->text_serial != s->text_serial) {
        s->text_serial = v->text_serial;
        if (ui_compare_set_text(s->compare, v->text ? v->text : "", err)) return -1;
    }
    return ui_compare_follow(s->compare, v, err);
}

/* sync for an event: a failure goes to the banner. Returns changed. */
static int synced(UiScreen *s, int changed) {
    RnnError err;
    if (sync(s, &err)) {
        ui_view_set_banner(&s->view, 1, "%s", err.message);
        return 1;
    }
    return changed;
}

/* ---- opening ------------------------------------------------------------------------------- */

int ui_screen_prepare(UiScreen *s, const UiScreenOptions *o, const UiHost *host, RnnError *err) {
    memset(s, 0, sizeof *s);
    if (host) s->host = *host;
    UiView *v = &s->view;
    ui_view_init(v);
    v->theme = o->theme;
    v->zoom = v->base_zoom = o->zoom;
    v->help = o->help;
    if (o->watch_job) { /* the model being trained, shown from its first weights */
        if (ui_view_set_model(v, rnn_model_copy(rnn_job_model(o->watch_job), err), NULL, err) ||
            ui_view_set_text(v, o->text ? o->text : "", err))
            return -1;
        ui_view_set_words_read(v, v->trace->steps);
        if (sync(s, err)) return -1;
        UiCompare *cmp = ui_compare_new_watching(v, o->watch_job, &s->host.runner, err);
        if (!cmp) return -1;
        cmp->wrote = s->host.wrote, cmp->wrote_ctx = s->host.wrote_ctx;
        set_compare(s, cmp);
        if (o->watch_out && !(cmp->train_out = strdup(o->watch_out)))
            return rnn_error_set(err, "out of memory");
        return 0;
    }
    if (!o->model_path) return 0;
    if (ui_view_open_model(v, o->model_path, err)) return -1;
    if ((o->text_given || rnn_model_has_words(v->model) || !v->trace) &&
        ui_view_set_text(v, o->text ? o->text : "", err))
        return -1;
    int T = v->trace->steps;
    if (o->backward && o->step > T - 1)
        return rnn_error_set(err, "--step %d: the sentence has %d words, so at most %d steps back",
                             o->step, T, T - 1);
    if (o->step > T) return rnn_error_set(err, "--step %d: the sentence has %d words", o->step, T);
    ui_view_set_words_read(v, o->step < 0 ? 1 : o->step);
    int quantity = o->select_quantity, layer = o->select_layer;
    if (o->select_name && layer >= 0 && layer < v->model->config.num_layers &&
        quantity_of_layer(&v->model->config, layer, o->select_name, &quantity, err))
        return -1;
    v->sel = (UiSelection){layer, o->select_direction, quantity, o->select_unit, -1};
    ui_view_set_words_read(v, v->words_read); /* clamps the selection */
    if (ui_view_set_what_if(v, &o->what_if, err) || ui_view_set_target(v, o->target, err))
        return -1;
    if (o->backward) {
        if (ui_view_set_backward(v, 1, err)) return -1;
        ui_view_set_walked(v, o->step < 0 ? 0 : o->step);
    }
    if (o->lessons_root && !(v->lessons_root = strdup(o->lessons_root)))
        return rnn_error_set(err, "out of memory");
    ui_view_set_lang(v, o->lang);
    v->lang_fixed = o->lang_fixed;
    if (o->lesson_path) {
        if (ui_view_open_lesson(v, o->lesson_path, err)) return -1;
        if (o->lesson_step >= v->lesson->nsteps)
            return rnn_error_set(err, "%s has %d steps (0..%d)", o->lesson_path, v->lesson->nsteps,
                                 v->lesson->nsteps - 1);
        if (o->lesson_step > 0 && ui_view_lesson_go(v, o->lesson_step, err)) return -1;
    } else if (o->picker && o->lessons_root) {
        RnnError e; /* no lessons: the stepping view is still worth opening */
        if (ui_view_open_picker(v, o->lessons_root, v->lang, &e))
            ui_view_set_banner(v, 1, "%s", e.message);
    }
    if (sync(s, err)) return -1;
    v->show_params = o->show_params && v->model;
    v->glossary = o->glossary;
    if (o->ncompare > 0) {
        if (open_compare(s, o->compare, o->ncompare, err)) return -1;
        s->compare->show_fresh = o->show_fresh;
        s->compare->states_only = o->states_only;
        if (o->csv_path && ui_compare_write_csv(s->compare, o->csv_path, err)) return -1;
    }
    return 0;
}

void ui_screen_watch_started(UiScreen *s) {
    if (!s->compare || !s->compare->col[0].job) return;
    s->compare->col[0].job_running = 1;
    ui_view_set_banner(&s->view, 0, ui_tr("Training: Ctrl+T pauses, Esc stops, W writes %s."),
                       s->compare->train_out ? s->compare->train_out : ui_tr("the model"));
}

/* ---- input ---------------------------------------------------------------------------------- */

/* C: the task's RNN, LSTM and GRU side by side. */
static void key_compare(UiScreen *s) {
    UiView *v = &s->view;
    const char *paths[3];
    int n = 0;
    for (int k = 0; k < 3; k++)
        if (v->siblings[k]) paths[n++] = v->siblings[k];
    if (n < 2 && v->model_path) { /* nothing beside it: the model alone, to train or chart */
        paths[0] = v->model_path;
        n = 1;
    }
    RnnError err;
    if (n == 0) return;
    if (open_compare(s, paths, n, &err))
        ui_view_set_banner(v, 1, "%s", err.message);
    else
        ui_view_set_banner(v, 0, ui_tr("%s: one sentence, one time step. C goes back."),
                           n > 1 ? ui_tr("Side by side")
                                 : ui_tr("No RNN/LSTM/GRU siblings beside this model"));
}

/* Ctrl+T in the single view: the model alone, training from fresh weights. */
static int key_train(UiScreen *s) {
    UiView *v = &s->view;
    RnnError err;
    const char *path = v->model_path;
    if (!path) return 0;
    if (open_compare(s, &path, 1, &err) || ui_compare_train(s->compare, v, &err))
        ui_view_set_banner(v, 1, "%s", err.message);
    return 1;
}

static int dispatch_key(UiScreen *s, UiKey key) {
    UiView *v = &s->view;
    if (v->help || v->picker || v->editing) return ui_view_key(v, key); /* they take every key */
    if (v->show_params) { /* any key closes the parameter table */
        v->show_params = 0;
        if (key == UI_KEY_PARAMS || key == UI_KEY_ESCAPE) return 1;
    }
    if (s->compare) {
        switch (key) {
        case UI_KEY_COMPARE:
            set_compare(s, NULL);
            ui_view_set_banner(v, 0, ui_tr("Back to %s."),
                               v->model ? v->model->name : ui_tr("the model"));
            return 1;
        case UI_KEY_PICKER:
            set_compare(s, NULL);
            return ui_view_key(v, key);
        default: {
            int handled = ui_compare_key(s->compare, v, key);
            if (handled >= 0) return handled;
        }
        }
    } else if (key == UI_KEY_COMPARE) {
        key_compare(s);
        if (!v->banner_error) v->banner[0] = '\0'; /* as after any key of the view */
        return 1;
    } else if (key == UI_KEY_TRAIN) {
        return key_train(s);
    }
    return ui_view_key(v, key);
}

int ui_screen_key(UiScreen *s, UiKey key) {
    return synced(s, dispatch_key(s, key));
}

int ui_screen_text_input(UiScreen *s, const char *utf8) {
    return synced(s, ui_view_text_input(&s->view, utf8));
}

int ui_screen_text_editing(UiScreen *s, const char *utf8) {
    return ui_view_text_editing(&s->view, utf8);
}

int ui_screen_mouse_move(UiScreen *s, int x, int y) {
    UiView *v = &s->view;
    if (!s->compare) return ui_view_mouse_move(v, x, y);
    /* side by side: a column's heatmap title shows its term (the view draws the tooltip) */
    int term = -1;
    for (int k = 0; k < s->compare->count; k++) {
        const UiView *cv = &s->compare->col[k].view;
        for (int i = 0; i < cv->nheatmaps; i++) {
            const UiHeatmap *hm = &cv->heatmaps[i];
            if (ui_rect_contains(hm->title_rect, x, y)) /* the heatmap's own layer's cell */
                term = ui_glossary_for_quantity(rnn_layer_cell(&cv->model->config, hm->layer),
                                                hm->quantity);
        }
    }
    v->mouse_x = x, v->mouse_y = y;
    if (term == v->hover_term) return 0;
    v->hover_term = term;
    return 1;
}

int ui_screen_click(UiScreen *s, int x, int y) {
    if (s->compare && ui_compare_click(s->compare, &s->view, x, y)) return synced(s, 1);
    return synced(s, ui_view_click(&s->view, x, y));
}

int ui_screen_wheel(UiScreen *s, int x, int y, int dy) {
    UiView *v = &s->view;
    if (dy == 0) return 0;
    if (ui_rect_contains(v->narration, x, y))
        return ui_screen_key(s, dy > 0 ? UI_KEY_NARRATION_UP : UI_KEY_NARRATION_DOWN);
    /* over a heatmap that shows a window of its units: scroll its rows (3 a notch) */
    UiHit hit = s->compare ? (UiHit){-1, -1, -1, -1} : ui_view_hit(v, x, y);
    if (hit.heatmap >= 0 && v->model) {
        const UiHeatmap *hm = &v->heatmaps[hit.heatmap];
        int H = rnn_layer_hidden(&v->model->config, hm->layer);
        if (hm->rows < H) {
            v->sel.layer = hm->layer, v->sel.direction = hm->direction;
            /* from the middle of what is shown, so the rows move at once */
            int mid = hm->u0 + hm->rows / 2, to = mid - 3 * dy;
            v->sel.unit = to < 0 ? 0 : to >= H ? H - 1 : to;
            return synced(s, 1);
        }
    }
    return ui_screen_key(s, dy > 0 ? UI_KEY_LEFT : UI_KEY_RIGHT);
}

int ui_screen_drag(UiScreen *s, int x, int y) {
    return s->compare ? synced(s, ui_compare_drag(s->compare, &s->view, x, y)) : 0;
}

int ui_screen_tick(UiScreen *s, double seconds) {
    return synced(s, ui_view_tick(&s->view, seconds));
}

int ui_screen_open_model(UiScreen *s, const char *path) {
    RnnError err;
    if (ui_view_open_model(&s->view, path, &err))
        ui_view_set_banner(&s->view, 1, "%s", err.message);
    else
        ui_view_set_banner(&s->view, 0, ui_tr("Opened %s"), path);
    return synced(s, 1);
}

int ui_screen_poll(UiScreen *s) {
    return ui_compare_poll(s->compare, &s->view);
}

/* ---- recording ---------------------------------------------------------------------------- */

int ui_screen_set_step(UiScreen *s, int step, RnnError *err) {
    UiView *v = &s->view;
    if (v->backward)
        ui_view_set_walked(v, step);
    else
        ui_view_set_words_read(v, step);
    return sync(s, err);
}

int ui_screen_last_step(const UiScreen *s) {
    const UiView *v = &s->view;
    if (!v->trace) return 0;
    int T = v->trace->steps;
    return v->backward ? (T > 0 ? T - 1 : 0) : T;
}

int ui_screen_describe(const UiScreen *s, UiScreenOptions *o, const char *paths[UI_COMPARE_MAX],
                       RnnError *err) {
    const UiView *v = &s->view;
    ui_screen_options_default(o);
    if (!v->model || !v->model_path)
        return rnn_error_set(err, "%s", ui_tr("No model file is open: nothing to record."));
    if (s->compare) {
        for (int k = 0; k < s->compare->count; k++) {
            const UiCompareColumn *col = &s->compare->col[k];
            if (col->job || !col->view.model_path)
                return rnn_error_set(err, "%s",
                                     ui_tr("A model on screen was trained here and is not in a "
                                           "file: W writes it; open that file to record it."));
            paths[k] = col->view.model_path;
        }
        o->compare = paths, o->ncompare = s->compare->count;
        o->show_fresh = s->compare->show_fresh;
    }
    o->model_path = v->model_path;
    o->text = v->text ? v->text : "";
    o->theme = v->theme;
    o->zoom = v->zoom;
    o->lang = v->lang[0] ? v->lang : "en";
    o->lang_fixed = 1;
    o->select_layer = v->sel.layer, o->select_direction = v->sel.direction;
    o->select_quantity = v->sel.quantity, o->select_unit = v->sel.unit;
    o->backward = v->backward;
    o->target = v->target;
    o->what_if = v->what_if;
    o->width = v->width, o->height = v->height;
    return 0;
}

/* ---- layout and drawing ------------------------------------------------------------------- */

void ui_screen_layout(UiScreen *s, const UiDrawList *list, int width, int height) {
    UiView *v = &s->view;
    ui_view_fit(v, width, height); /* the platform fits first too, to load its fonts */
    if (!s->compare) {
        ui_view_layout(v, list, width, height);
        return;
    }
    ui_view_layout_chrome(v, list, width, height);
    int pad = (int)(12 * v->zoom);
    v->nheatmaps = 0;
    UiRect columns = v->body; /* the columns take the body, and a lesson's text its bottom */
    if (v->lesson) {
        int nh = v->body.h * 3 / 10;
        v->narration = (UiRect){pad, v->body.y + v->body.h - nh - pad / 2, width - 2 * pad, nh};
        columns.h -= nh + pad / 2;
    }
    ui_compare_layout(s->compare, v, list, columns);
}

void ui_screen_draw(UiScreen *s, UiDrawList *list) {
    UiView *v = &s->view;
    if (!s->compare) {
        v->chrome = (UiChrome){0};
        ui_view_draw(v, list);
        return;
    }
    int n = s->compare->count;
    v->chrome = (UiChrome){
        n == 1   ? ui_tr("Live training")
        : n == 2 ? ui_tr("Two models")
                 : ui_tr("Three models"),
        n == 1 ? ui_tr("from fresh weights: watch it learn (Ctrl+T starts or pauses)")
               : ui_tr("the same words, one time step, one colour scale"),
        v->backward && v->grad
            ? ui_tr(
                  "Right/Left: walk back / forward · Space: play · B: forward pass · what if: M "
                  "W_hh ×1.25 (Shift ÷) · G forget bias ±0.5 · U tanh/relu · X clip · Z undo · C: "
                  "back")
        : ui_compare_training(s->compare)
            ? ui_tr(
                  "Right/Left: step · Ctrl+T: pause · Esc: stop · [ ]: training pace · , . or the "
                  "bar: the weights back / forward through the run · W: write · C: back")
            : ui_tr("Right/Left: step · Space: play · Tab: edit · Ctrl+T: train from fresh weights "
                    "(again: pause) · Esc: stop · W: write · F: fresh weights · V: only h · K: "
                    "parameters · B: backward · C: back")};
    ui_view_draw_begin(v, list);
    ui_compare_draw(s->compare, v, list);
    ui_view_draw_chrome(v, list);
    if (v->show_params) {
        const RnnModel *models[UI_COMPARE_MAX];
        for (int k = 0; k < n; k++) models[k] = s->compare->col[k].view.model;
        ui_params_draw(list, v->theme, v->zoom, v->width, v->height, models, n);
    }
    ui_view_draw_overlays(v, list);
}
