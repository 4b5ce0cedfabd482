/* ui_view_draw.c - the stepping view as draw commands: top bar, token strip, heatmaps, the
 * detail panel with the real arithmetic, input vector, outputs, cell diagram, help. */
#define _POSIX_C_SOURCE 200809L
#include "ui_chart.h"
#include "ui_glossary.h"
#include "ui_i18n.h"
#include "ui_markdown.h"
#include "ui_params.h"
#include "ui_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Ctx {
    UiView *v;
    UiDrawList *l;
    UiPalette p;
    int pad;
    double top; /* backward: log10 of the top of the gradients' colour scale */
} Ctx;

static Ctx ctx_for(UiView *v, UiDrawList *l) {
    Ctx c = {v, l, ui_palette(v->theme), (int)(12 * v->zoom), 0.0};
    if (v->backward && v->grad) c.top = ui_view_grad_top(v);
    return c;
}

/* 10^e as a person reads it: "0.01", "1", "100", "1e-7". */
static void power_of_ten(char *buf, size_t size, int e) {
    if (e >= -2 && e <= 2)
        snprintf(buf, size, "%g", pow(10, e));
    else
        snprintf(buf, size, "1e%d", e);
}

static int showing_grad(const UiView *v) {
    return v->backward && v->grad;
}

static UiColor color_for(const Ctx *c, int quantity, double value) {
    if (showing_grad(c->v)) /* gradients: sign and decade on one diverging scale */
        return ui_colormap_diverging(ui_signed_log(value, c->top, UI_GRAD_DECADES));
    return ui_quantity_is_gate01(c->v->model->config.cell, quantity) ? ui_colormap_sequential(value)
                                                                     : ui_colormap_diverging(value);
}

/* "0.265", "-1.61e-11": three significant digits, decades where they matter (ASCII minus). */
static void gnum(char *buf, size_t size, double x) {
    if (x == 0)
        snprintf(buf, size, "0");
    else if (fabs(x) >= 0.01 && fabs(x) < 1000)
        snprintf(buf, size, "%.3g", x);
    else { /* "3.12e-4", not "0.000312" or "3.12e-04" */
        int e = (int)floor(log10(fabs(x)));
        double m = x / pow(10, e);
        if (fabs(m) >= 9.995) m /= 10, e++;
        snprintf(buf, size, "%.3ge%d", m, e);
    }
}

/* ---- top bar and status ------------------------------------------------------------------ */

static void draw_top_bar(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->top_bar;
    ui_fill(c->l, r, c->p.panel);
    int x = c->pad, y = r.y + c->pad;
    x += ui_text(c->l, x, y, UI_FONT_TITLE, c->p.accent, "rnnscope") + 2 * c->pad;
    if (!v->model) return;
    const RnnConfig *cf = &v->model->config;
    int info_y = y + (ui_text_height(c->l, UI_FONT_TITLE) - ui_text_height(c->l, UI_FONT_BODY)) / 2;
    if (v->chrome.title) {
        x += ui_text(c->l, x, y, UI_FONT_TITLE, c->p.ink, v->chrome.title) + 2 * c->pad;
        if (v->chrome.info) ui_text(c->l, x, info_y, UI_FONT_BODY, c->p.muted, v->chrome.info);
    } else {
        x += ui_text(c->l, x, y, UI_FONT_TITLE, c->p.ink, v->model->name) + c->pad;
        if (v->base_model) { /* what-if changes: said plainly, in the accent colour */
            char what[200];
            snprintf(what, sizeof what, "%s", ui_tr("what if:"));
            const RnnWhatIf *w = &v->what_if;
            size_t n;
            if (w->weight_hh_scale != 1.0)
                n = strlen(what), snprintf(what + n, sizeof what - n,
                                           ui_tr(" W_hh ×%.3g (largest singular value %.3g)"),
                                           w->weight_hh_scale, rnn_weight_hh_norm(v->model, 0, 0));
            if (w->forget_bias_shift != 0)
                n = strlen(what),
                snprintf(what + n, sizeof what - n, ui_tr(" %s bias %+.2g"),
                         cf->cell == RNN_CELL_GRU ? "z" : "f", w->forget_bias_shift);
            if (w->relu >= 0)
                n = strlen(what),
                snprintf(what + n, sizeof what - n, " %s", w->relu ? "relu" : "tanh");
            if (w->clip > 0)
                n = strlen(what), snprintf(what + n, sizeof what - n, ui_tr(" clip %.3g"), w->clip);
            n = strlen(what), snprintf(what + n, sizeof what - n, ui_tr(" · not saved"));
            x += ui_text(c->l, x, info_y, UI_FONT_BODY, c->p.accent, what) + c->pad;
        }
        x += c->pad;
        char py[32], ke[32], info[256];
        ui_format_thousands(rnn_param_count(cf, RNN_PYTORCH), py, sizeof py);
        ui_format_thousands(rnn_param_count(cf, RNN_KERAS), ke, sizeof ke);
        char layers[32];
        if (cf->num_layers == 1)
            snprintf(layers, sizeof layers, "%s", ui_tr("1 layer"));
        else
            snprintf(layers, sizeof layers, ui_tr("%d layers"), cf->num_layers);
        if (rnn_config_is_uniform(cf)) {
            snprintf(info, sizeof info,
                     ui_tr("%s%s · %s · %s · hidden %d · %s parameters (PyTorch), %s (Keras)"),
                     ui_cell_title(cf->cell),
                     cf->cell == RNN_CELL_RNN && cf->nonlinearity == RNN_RELU ? " (relu)" : "",
                     layers, cf->bidirectional ? ui_tr("bidirectional") : ui_tr("forward"),
                     cf->hidden_size, py, ke);
        } else { /* each layer its own: "LSTM 64 relu → LSTM 128 → Dense 64 relu → 1 sigmoid" */
            char chain[200];
            ui_view_describe_layers(cf, chain, sizeof chain);
            snprintf(info, sizeof info, ui_tr("%s · %s parameters (Keras), %s (PyTorch)"), chain,
                     ke, py);
        }
        /* cut with "…" before the counter at the right */
        char counter[64];
        snprintf(counter, sizeof counter, ui_tr("words read %d / %d"), 99, 99);
        int room = r.w - x - ui_text_width(c->l, UI_FONT_TITLE, counter) - 4 * c->pad;
        if (ui_text_width(c->l, UI_FONT_BODY, info) > room)
            ui_fit_text(c->l, UI_FONT_BODY, info, sizeof info, room);
        ui_text(c->l, x, info_y, UI_FONT_BODY, c->p.muted, info);
    }
    char step[64];
    if (showing_grad(v))
        snprintf(step, sizeof step, ui_tr("backward · t = %d"), ui_view_column(v, 0));
    else
        snprintf(step, sizeof step, ui_tr("words read %d / %d"), v->words_read,
                 v->trace ? v->trace->steps : 0);
    int w = ui_text_width(c->l, UI_FONT_TITLE, step);
    ui_fill(c->l, (UiRect){r.w - w - 3 * c->pad, r.y, w + 3 * c->pad, r.h}, c->p.panel);
    ui_text(c->l, r.w - w - c->pad, y, UI_FONT_TITLE, c->p.ink, step);
    if (v->playing) {
        char play[48];
        snprintf(play, sizeof play, ui_tr("▶ %.1f words/s"), v->speed);
        int pw = ui_text_width(c->l, UI_FONT_BODY, play);
        ui_text(c->l, r.w - w - 3 * c->pad - pw, info_y, UI_FONT_BODY, c->p.accent, play);
    }
}

static void draw_status(Ctx *c) {
    UiView *v = c->v;
    ui_fill(c->l, v->status, c->p.panel);
    const char *hint =
        v->editing ? ui_tr("typing a new sentence · Enter: done · Esc: cancel · Backspace: delete")
        : showing_grad(v) && !v->chrome.hint
            ? ui_tr("Right/Left: walk back / forward · Space: play · Up/Down: unit · B: forward "
                    "pass · "
                    "what if: M W_hh ×1.25 (Shift ÷) · G forget bias ±0.5 · U tanh/relu · X clip · "
                    "Z undo · H: help")
        : v->chrome.hint
            ? v->chrome.hint
            : ui_tr("Right/Left: step · Space: play ([ ] speed) · Up/Down: unit · "
                    "Shift+Up/Down: heatmap · 1 2 3: RNN/LSTM/GRU · C: side by side · Tab: edit · "
                    "T: theme · +/-: zoom · D: terms · Shift+L: 한국어 · H: help");
    char fitted[600]; /* a narrow window: the keys that fit, and "…" */
    snprintf(fitted, sizeof fitted, "%s", hint);
    ui_fit_text(c->l, UI_FONT_SMALL, fitted, sizeof fitted, v->width - 2 * c->pad);
    ui_text(c->l, c->pad, v->status.y + c->pad / 2, UI_FONT_SMALL, c->p.muted, fitted);
}

/* ---- token strip -------------------------------------------------------------------------- */

static void draw_tokens(Ctx *c) {
    UiView *v = c->v;
    ui_fill(c->l, v->token_strip, c->p.background);
    if (v->editing) {
        int x = c->pad, y = v->token_strip.y + c->pad / 2;
        UiRect field = {x, y, v->width - 2 * c->pad, v->token_strip.h - c->pad};
        ui_fill(c->l, field, c->p.chip);
        ui_outline(c->l, field, 2, c->p.accent);
        int tx = x + c->pad, ty = y + c->pad / 2;
        if (v->editing == UI_EDIT_PATH)
            tx += ui_text(c->l, tx, ty, UI_FONT_LARGE, c->p.muted, ui_tr("open: "));
        tx += ui_text(c->l, tx, ty, UI_FONT_LARGE, c->p.ink, v->edit_text);
        if (v->composition[0]) { /* the syllable the input method is still composing */
            int cw = ui_text(c->l, tx, ty, UI_FONT_LARGE, c->p.accent, v->composition);
            ui_line(c->l, tx, ty + ui_text_height(c->l, UI_FONT_LARGE), tx + cw,
                    ty + ui_text_height(c->l, UI_FONT_LARGE), 2, c->p.accent);
            tx += cw;
        }
        ui_fill(c->l, (UiRect){tx + 2, ty, 2, ui_text_height(c->l, UI_FONT_LARGE)}, c->p.ink);
        return;
    }
    if (!v->trace) return;
    int bidir = v->model->config.bidirectional;
    int back = ui_view_column(v, 1);
    int words = rnn_model_has_words(v->model); /* once: it scans an ids-only vocabulary */
    for (int i = -1; i < v->nchips; i++) {
        if (i < 0 && v->pinned < 0) continue;
        UiRect r = i < 0 ? v->pin_chip : v->chips[i]; /* -1: the pinned key, then "…" */
        int t = i < 0 ? v->pinned : v->chip_first + i;
        if (i < 0)
            ui_text(c->l, r.x + r.w + (int)(6 * v->zoom), r.y + (int)(4 * v->zoom), UI_FONT_LARGE,
                    c->p.muted, "…");
        int read = ui_view_computed(v, 0, t) || (bidir && ui_view_computed(v, 1, t));
        int current = t == ui_view_column(v, 0);
        UiColor fill = current ? c->p.chip_current : read ? c->p.chip : c->p.chip_unread;
        UiColor ink = current ? (UiColor){255, 255, 255, 255} : read ? c->p.ink : c->p.muted;
        ui_fill(c->l, r, fill);
        if (!read) ui_outline(c->l, r, 1, c->p.faint);
        if (bidir && t == back && v->words_read > 0) ui_outline(c->l, r, 3, c->p.accent);
        ui_text(c->l, r.x + (int)(8 * v->zoom), r.y + (int)(4 * v->zoom), UI_FONT_LARGE, ink,
                v->tokens.text[t]);
        int id = v->trace->token_ids[t];
        if (id < 0) /* raw input vectors: nothing to say under the chip */
            continue;
        if (id == v->model->unk_id && strcmp(v->tokens.text[t], "<unk>") != 0)
            ui_text(c->l, r.x, r.y + r.h + 1, UI_FONT_SMALL, c->p.unknown, "<unk>");
        else if (v->trace->padding[t]) /* masked: the layers skip it */
            ui_text(c->l, r.x, r.y + r.h + 1, UI_FONT_SMALL, c->p.muted, ui_tr("padding"));
        else if (!words || id == 0)
            ui_textf(c->l, r.x, r.y + r.h + 1, UI_FONT_SMALL, c->p.muted, "id %d", id);
    }
}

/* ---- heatmaps ---------------------------------------------------------------------------- */

/* A small colour bar with its range: the legend of one heatmap. */
static void draw_legend(Ctx *c, int x, int y, int room, int gate01) {
    int h = ui_text_height(c->l, UI_FONT_SMALL) * 2 / 3;
    if (showing_grad(c->v)) { /* "-1e-1 ▮▮▮▮ +1e-1 · log, 8 decades" */
        char lo[24], hi[24], note[48];
        power_of_ten(hi + 1, sizeof hi - 1, (int)c->top);
        hi[0] = '+';
        snprintf(lo, sizeof lo, "-%s", hi + 1);
        snprintf(note, sizeof note, ui_tr(" log, %d decades"), UI_GRAD_DECADES);
        int w = room - ui_text_width(c->l, UI_FONT_SMALL, lo) -
                ui_text_width(c->l, UI_FONT_SMALL, hi) - 8;
        int with_note = w - ui_text_width(c->l, UI_FONT_SMALL, note) >= 30;
        if (with_note) w -= ui_text_width(c->l, UI_FONT_SMALL, note);
        if (w > (int)(80 * c->v->zoom)) w = (int)(80 * c->v->zoom);
        if (w < 20) return;
        x += ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, lo) + 3;
        for (int i = 0; i < 20; i++)
            ui_fill(c->l, (UiRect){x + i * w / 20, y + h / 4, w / 20 + 1, h},
                    ui_colormap_diverging(2 * (i + 0.5) / 20 - 1));
        x += w + 3;
        x += ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, hi);
        if (with_note) ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, note);
        return;
    }
    int w = room - ui_text_width(c->l, UI_FONT_SMALL, "-1 1") - 8;
    if (w > (int)(60 * c->v->zoom)) w = (int)(60 * c->v->zoom);
    if (w < 20) return; /* no room: the title still names the quantity */
    const char *lo = gate01 ? "0" : "-1", *hi = "1";
    x += ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, lo) + 3;
    for (int i = 0; i < 20; i++) {
        double f = (i + 0.5) / 20;
        UiColor col = gate01 ? ui_colormap_sequential(f) : ui_colormap_diverging(2 * f - 1);
        ui_fill(c->l, (UiRect){x + i * w / 20, y + h / 4, w / 20 + 1, h}, col);
    }
    ui_text(c->l, x + w + 3, y, UI_FONT_SMALL, c->p.muted, hi);
}

static void draw_heatmap(Ctx *c, const UiHeatmap *hm, const UiSelection *explained, int have) {
    UiView *v = c->v;
    const RnnConfig *cf = &v->model->config;
    int T = v->trace->steps, H = rnn_layer_hidden(cf, hm->layer);
    RnnCellKind cell = rnn_layer_cell(cf, hm->layer);
    /* title: "f  forget gate f · 망각 게이트" and the legend */
    int label_y = hm->rect.y - ui_text_height(c->l, UI_FONT_BODY) - c->pad / 2;
    /* the longest title that fits: "forget gate f · 망각 게이트", "forget gate f", "f" */
    char title[160];
    const char *ko = ui_quantity_korean(cell, hm->quantity);
    const char *en = ui_quantity_name(cell, hm->quantity);
    const char *sym = hm->quantity == RNN_QUANTITY_H   ? "h"
                      : hm->quantity == RNN_QUANTITY_C ? "c"
                                                       : rnn_gate_name(cell, hm->quantity);
    /* The chapter's (Korean) term is never dropped: "forget gate f · 망각 게이트" in English,
     * "망각 게이트 f" in Korean; where that does not fit, "f · 망각 게이트", and last the
     * longest start that fits with "…" (pointing at the title shows all of it, and its
     * glossary entry). Backward, "dL/df " comes first (ASCII d: the fonts' ∂ is a small
     * fallback glyph, hard to read on a projector). */
    char dsym[32] = "";
    if (showing_grad(v)) snprintf(dsym, sizeof dsym, "dL/d%s  ", sym);
    int show_ko = v->font_has_hangul && ko[0];
    if (ui_lang_is_ko() && show_ko)
        snprintf(title, sizeof title, "%s%s %s", dsym, ko, sym);
    else if (show_ko)
        snprintf(title, sizeof title, "%s%s · %s", dsym, en, ko);
    else
        snprintf(title, sizeof title, "%s%s", dsym, en);
    if (ui_text_width(c->l, UI_FONT_BODY, title) > hm->title_w && show_ko)
        snprintf(title, sizeof title, "%s%s · %s", dsym[0] ? dsym : "", sym, ko);
    if (ui_text_width(c->l, UI_FONT_BODY, title) > hm->title_w && show_ko)
        snprintf(title, sizeof title, "%s%s", dsym, ko);
    if (ui_text_width(c->l, UI_FONT_BODY, title) > hm->title_w)
        ui_fit_text(c->l, UI_FONT_BODY, title, sizeof title, hm->title_w);
    int small_h = ui_text_height(c->l, UI_FONT_SMALL);
    if (v->compact) {
        ui_text(c->l, hm->rect.x, hm->rect.y - ui_text_height(c->l, UI_FONT_BODY) - 1, UI_FONT_BODY,
                c->p.ink, title);
    } else {
        label_y -= small_h;
        ui_text(c->l, hm->rect.x, label_y, UI_FONT_BODY, c->p.ink, title);
        draw_legend(c, hm->rect.x, label_y + ui_text_height(c->l, UI_FONT_BODY), hm->title_w,
                    ui_quantity_is_gate01(cell, hm->quantity));
    }
    /* cells: computed steps in colour, the rest empty (only the window in view) */
    for (int i = 0; i < hm->cols; i++) {
        int t = hm->t0 + i, computed = ui_view_computed(v, hm->direction, t);
        for (int k = 0; k < hm->rows; k++) {
            int j = hm->u0 + k;
            UiRect r = {hm->rect.x + i * hm->cell_w, hm->rect.y + k * hm->cell_h, hm->cell_w,
                        hm->cell_h};
            /* a masked padding step computes no gate: shown as not computed; its h and c are
             * the state carried over */
            if (!computed || (v->trace->padding[t] && hm->quantity >= 0 && !showing_grad(v))) {
                ui_fill(c->l, r, c->p.chip_unread);
                continue;
            }
            double value = ui_view_value(v, hm, j, t);
            if (!isfinite(value)) { /* never a colour that looks like a number */
                ui_fill(c->l, r, c->p.error);
                ui_line(c->l, r.x, r.y, r.x + r.w - 1, r.y + r.h - 1, 1,
                        (UiColor){255, 255, 255, 255});
                continue;
            }
            ui_fill(c->l, r, color_for(c, hm->quantity, value));
        }
    }
    if (hm->cell_w >= 6) /* thin separators keep units and steps apart */
        for (int i = 1; i < hm->cols; i++)
            ui_fill(c->l, (UiRect){hm->rect.x + i * hm->cell_w, hm->rect.y, 1, hm->rect.h},
                    c->p.background);
    ui_outline(c->l, hm->rect, 1, c->p.grid);
    if (hm->cols < T || hm->rows < H) { /* which steps and units are in view (compact: beside
                                             the title); the wheel scrolls the units */
        char range[96] = "";
        if (hm->cols < T)
            snprintf(range, sizeof range, ui_tr("t %d..%d of %d"), hm->t0, hm->t0 + hm->cols - 1,
                     T);
        if (hm->rows < H) {
            size_t n = strlen(range);
            snprintf(range + n, sizeof range - n, ui_tr("%sunits %d..%d of %d"), n ? " · " : "",
                     hm->u0, hm->u0 + hm->rows - 1, H);
        }
        if (ui_text_width(c->l, UI_FONT_SMALL, range) > hm->title_w && hm->cols == T)
            snprintf(range, sizeof range, "%d..%d / %d", hm->u0, hm->u0 + hm->rows - 1, H);
        if (ui_text_width(c->l, UI_FONT_SMALL, range) > hm->title_w)
            ui_fit_text(c->l, UI_FONT_SMALL, range, sizeof range, hm->title_w);
        int rw = ui_text_width(c->l, UI_FONT_SMALL, range);
        if (!v->compact)
            ui_text(c->l, hm->rect.x, hm->rect.y + hm->rect.h + 1, UI_FONT_SMALL, c->p.muted,
                    range);
        else if (ui_text_width(c->l, UI_FONT_BODY, title) + rw + 8 <= hm->rect.w)
            ui_text(c->l, hm->rect.x + hm->rect.w - rw, hm->rect.y - small_h - 1, UI_FONT_SMALL,
                    c->p.muted, range);
    }
    /* unit numbers on the left, as many as fit */
    int every = 1, sh = ui_text_height(c->l, UI_FONT_SMALL);
    while (every * hm->cell_h < sh && every < H) every *= 2;
    for (int k = 0; k < hm->rows; k += every) {
        char n[16];
        snprintf(n, sizeof n, "%d", hm->u0 + k);
        int w = ui_text_width(c->l, UI_FONT_SMALL, n);
        ui_text(c->l, hm->rect.x - w - 3, hm->rect.y + k * hm->cell_h + (hm->cell_h - sh) / 2,
                UI_FONT_SMALL, c->p.muted, n);
    }
    /* the current column, outlined */
    int col = ui_view_column(v, hm->direction) - hm->t0;
    if (col >= 0 && col < hm->cols)
        ui_outline(c->l,
                   (UiRect){hm->rect.x + col * hm->cell_w - 2, hm->rect.y - 2, hm->cell_w + 4,
                            hm->rect.h + 4},
                   3, c->p.outline);
    /* the explained value */
    if (have && explained->layer == hm->layer && explained->direction == hm->direction &&
        explained->quantity == hm->quantity && explained->t >= hm->t0 &&
        explained->t < hm->t0 + hm->cols && explained->unit >= hm->u0 &&
        explained->unit < hm->u0 + hm->rows)
        ui_outline(c->l,
                   (UiRect){hm->rect.x + (explained->t - hm->t0) * hm->cell_w - 1,
                            hm->rect.y + (explained->unit - hm->u0) * hm->cell_h - 1,
                            hm->cell_w + 2, hm->cell_h + 2},
                   3, c->p.accent);
}

static void draw_heatmaps(Ctx *c) {
    UiView *v = c->v;
    if (!v->trace) return;
    const RnnConfig *cf = &v->model->config;
    UiSelection ex;
    int have = ui_view_explained(v, &ex);
    for (int i = 0; i < v->nheatmaps; i++) draw_heatmap(c, &v->heatmaps[i], &ex, have);
    /* block headers for stacked or bidirectional models */
    if (cf->num_layers > 1 || cf->bidirectional) {
        for (int i = 0; i < v->nheatmaps; i++) {
            const UiHeatmap *hm = &v->heatmaps[i];
            if (hm->quantity != RNN_QUANTITY_H) continue;
            int D = rnn_layer_directions(cf, hm->layer);
            char head[160], what[64] = "";
            if (!rnn_config_is_uniform(cf)) /* each layer its own: "LSTM 64 relu" */
                snprintf(what, sizeof what, " · %s %d%s",
                         ui_cell_title(rnn_layer_cell(cf, hm->layer)),
                         rnn_layer_hidden(cf, hm->layer),
                         cf->layers[hm->layer].activation == RNN_ACT_RELU ? " relu" : "");
            snprintf(head, sizeof head, ui_tr("layer %d · %s"), hm->layer,
                     D == 1          ? ui_tr("forward")
                     : hm->direction ? ui_tr("backward: reads from the last word")
                                     : ui_tr("forward: reads from the first word"));
            strncat(head, what, sizeof head - strlen(head) - 1);
            if (ui_text_width(c->l, UI_FONT_BODY, head) > hm->block_w - c->pad) {
                snprintf(head, sizeof head, ui_tr("layer %d · %s"), hm->layer,
                         hm->direction ? ui_tr("backward") : ui_tr("forward"));
                strncat(head, what, sizeof head - strlen(head) - 1);
            }
            if (ui_text_width(c->l, UI_FONT_BODY, head) > hm->block_w - c->pad)
                ui_fit_text(c->l, UI_FONT_BODY, head, sizeof head, hm->block_w - c->pad);
            ui_text(c->l, hm->rect.x - ui_text_width(c->l, UI_FONT_SMALL, "99") - c->pad / 2,
                    hm->header_y, UI_FONT_BODY, c->p.accent, head);
        }
    }
}

void ui_view_draw_heatmaps(UiView *v, UiDrawList *l) {
    Ctx c = ctx_for(v, l);
    draw_heatmaps(&c);
}

/* ---- backward: how much of the error signal reaches each step ------------------------------- */

/* The chart of ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖, dashed) per step, log scale, one line per layer and
 * direction, filled as far as the walk has come; its y range covers the whole walk so that it
 * stays put while walking. Also used by the compare view, one per model (rect given). */
void ui_view_draw_grad_chart(UiView *v, UiDrawList *l, UiRect rect, double y_min, double y_max) {
    Ctx cx = ctx_for(v, l), *c = &cx;
    if (!showing_grad(v) || rect.w <= 0 || rect.h <= 0) return;
    const RnnConfig *cf = &v->model->config;
    int T = v->trace->steps, L = cf->num_layers, D = rnn_directions(cf);
    int nq = cf->cell == RNN_CELL_LSTM ? 2 : 1, n = L * D * nq;
    double *y = malloc((size_t)n * T * sizeof *y);
    if (!y) return;
    UiChartSeries series[RNN_MAX_LAYERS * RNN_MAX_DIRECTIONS * 2];
    char labels[RNN_MAX_LAYERS * RNN_MAX_DIRECTIONS * 2][48];
    static const UiColor colors[] = {{0, 90, 181, 255},    {220, 50, 32, 255}, {26, 133, 80, 255},
                                     {153, 79, 0, 255},    {93, 58, 155, 255}, {0, 130, 150, 255},
                                     {120, 120, 120, 255}, {200, 0, 120, 255}};
    int k = 0;
    for (int layer = L - 1; layer >= 0; layer--)
        for (int d = 0; d < D; d++)
            for (int q = 0; q < nq; q++, k++) {
                ui_view_grad_norms(v, layer, d, q ? RNN_QUANTITY_C : RNN_QUANTITY_H,
                                   y + (size_t)k * T);
                snprintf(labels[k], sizeof labels[k], "‖dL/d%s_t‖", q ? "c" : "h");
                if (L > 1 || D > 1)
                    snprintf(labels[k], sizeof labels[k], ui_tr("‖dL/d%s_t‖ layer %d%s"),
                             q ? "c" : "h", layer,
                             D > 1 ? (d ? ui_tr(" bwd") : ui_tr(" fwd")) : "");
                /* h solid, c dashed in a colour of its own (the cell path) */
                series[k] = (UiChartSeries){y + (size_t)k * T, T,
                                            colors[k % (int)(sizeof colors / sizeof *colors)],
                                            q == 1, labels[k]};
            }
    /* the long title and note where they fit, short ones in a narrow column */
    char title[128], note[200];
    int room = rect.w - c->pad;
    snprintf(title, sizeof title, "%s",
             ui_tr("How much of the error signal reaches each word (log scale)"));
    if (ui_text_width(l, UI_FONT_BODY, title) > room)
        snprintf(title, sizeof title, "%s", ui_tr("error signal ‖dL/dh_t‖ (log)"));
    snprintf(note, sizeof note,
             ui_tr("loss %.4g · walked back %d of %d steps · W_hh's largest singular value %.3g%s"),
             v->grad->loss, v->walked, T - 1, rnn_weight_hh_norm(v->model, L - 1, 0),
             v->grad->clip_scale != 1.0 ? ui_tr(" · clipped") : "");
    if (ui_text_width(l, UI_FONT_SMALL, note) > room)
        snprintf(note, sizeof note, ui_tr("loss %.3g · back %d/%d · ‖W_hh‖ %.3g%s"), v->grad->loss,
                 v->walked, T - 1, rnn_weight_hh_norm(v->model, L - 1, 0),
                 v->grad->clip_scale != 1.0 ? ui_tr(" · clipped") : "");
    UiChart chart = {
        rect, title,    note,       1,         y_min,     y_max, T, ui_view_column(v, 0),
        "t",  c->p.ink, c->p.muted, c->p.grid, c->p.panel};
    ui_chart_draw(l, &chart, series, n);
    free(y);
}

/* The y range of that chart over the whole walk (every step, walked or not). */
int ui_view_grad_chart_range(const UiView *v, double *y_min, double *y_max) {
    if (!showing_grad(v)) return 0;
    const RnnConfig *cf = &v->model->config;
    const RnnGrad *g = v->grad;
    int T = v->trace->steps, H = cf->hidden_size;
    double lo = INFINITY, hi = 0;
    size_t states = (size_t)cf->num_layers * rnn_directions(cf) * T;
    for (size_t i = 0; i < states; i++)
        for (int q = 0; q < (g->dc ? 2 : 1); q++) {
            double x = rnn_norm((q ? g->dc : g->dh) + i * H, (size_t)H);
            if (x > 0 && isfinite(x)) lo = fmin(lo, x), hi = fmax(hi, x);
        }
    if (!(hi > 0)) return 0;
    *y_min = pow(10, floor(log10(lo)));
    *y_max = pow(10, ceil(log10(hi)));
    if (*y_max <= *y_min) *y_max = *y_min * 10;
    return 1;
}

static void draw_grad_chart(Ctx *c) {
    double lo, hi;
    if (!ui_view_grad_chart_range(c->v, &lo, &hi)) lo = 1, hi = 0;
    ui_view_draw_grad_chart(c->v, c->l, c->v->grad_chart, lo, hi);
}

/* ---- the detail panel: the real arithmetic -------------------------------------------------- */

/* "0.412", "-1.302": three decimals, ASCII minus (fonts lack U+2212). */
static void num(char *buf, size_t size, double x) {
    snprintf(buf, size, fabs(x) >= 1000 ? "%.4g" : "%.3f", x);
}

/* Appends " + x" or " - |x|" to buf: sums read as a person writes them. */
static void plus_term(char *buf, size_t size, double x) {
    char n[32];
    num(n, sizeof n, fabs(x));
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", x < 0 ? " - " : " + ", n);
}

/* A factor in a product: negative numbers in parentheses, "0.5·(-0.2)". */
static void factor(char *buf, size_t size, double x) {
    char n[32];
    num(n, sizeof n, x);
    snprintf(buf, size, x < 0 ? "(%s)" : "%s", n);
}

/* The three lines of an update (its formula, its numbers, its value) and a note. */
static void update_lines(Ctx *c, int x, int *y, int width, const char *formula, const char *numbers,
                         double value, const char *note) {
    int lh = ui_text_height(c->l, UI_FONT_BODY) + 2;
    char out[48];
    ui_text(c->l, x, *y, UI_FONT_BODY, c->p.ink, formula);
    *y += lh;
    ui_text(c->l, x, *y, UI_FONT_BODY, c->p.ink, numbers);
    *y += lh;
    num(out + 4, sizeof out - 4, value);
    memcpy(out, "  = ", 4);
    ui_text(c->l, x, *y, UI_FONT_LARGE, c->p.accent, out);
    *y += lh + c->pad / 2;
    ui_text_wrapped(c->l, x, *y, width, UI_FONT_SMALL, c->p.muted, note);
}

/* Where a detail panel writes, and what it explains. */
typedef struct Detail {
    Ctx *c;
    int x, y, width, lh;
    UiSelection s;
    const RnnConfig *cf;
    const RnnExplain *e;
    char prev[16]; /* "h_4" or "h_start": the state the step read */
} Detail;

/* How an equation writes an activation. */
static const char *act_symbol(RnnActivation a) {
    return a == RNN_ACT_SIGMOID                                        ? "σ"
           : a == RNN_ACT_RELU                                         ? "relu"
           : a == RNN_ACT_HARD_SIGMOID || a == RNN_ACT_HARD_SIGMOID_K3 ? "hard_sigmoid"
                                                                       : "tanh";
}

/* A gate (or the RNN's h): the activation of the two affine parts, term by term, in the
 * model's own framework's notation: PyTorch W_i·x + b_i + W_h·h + b_h with weights (G·H, in);
 * Keras x·W + h·U + b with kernel W (in, G·H), recurrent kernel U and one bias (a GRU with
 * reset_after keeps a second, recurrent bias b'). */
static void explain_gate(Detail *d) {
    Ctx *c = d->c;
    const RnnExplain *e = d->e;
    const RnnConfig *cf = d->cf;
    int j = d->s.unit, q = d->s.quantity;
    RnnCellKind cell = rnn_layer_cell(cf, d->s.layer);
    const RnnLayerConfig *lc = &cf->layers[d->s.layer];
    char line[320], a[32], g[32], out[32];
    const char *sym = cell == RNN_CELL_RNN ? "h" : rnn_gate_name(cell, q);
    const char *act = act_symbol(e->activation);
    char wi[8], wh[8];
    if (cell == RNN_CELL_RNN)
        snprintf(wi, sizeof wi, "ih"), snprintf(wh, sizeof wh, "hh");
    else
        snprintf(wi, sizeof wi, "i%s", rnn_gate_name(cell, q)), /* PyTorch's W_if, ... */
            snprintf(wh, sizeof wh, "h%s", rnn_gate_name(cell, q));
    int gru_n = cell == RNN_CELL_GRU && q == RNN_GRU_N;
    int keras = cf->framework == RNN_KERAS, rec_bias = cell == RNN_CELL_GRU && lc->reset_after;
    const char *gs = cell == RNN_CELL_RNN ? "" : rnn_gate_name(cell, q);
    if (keras && gru_n && !lc->reset_after)
        snprintf(line, sizeof line, "%s[%d] = %s(x_%d·W_%s[:,%d] + (r⊙%s)·U_%s[:,%d] + b_%s[%d])",
                 sym, j, act, d->s.t, gs, j, d->prev, gs, j, gs, j);
    else if (keras && gru_n)
        snprintf(line, sizeof line,
                 "%s[%d] = %s(x_%d·W_%s[:,%d] + b_%s[%d] + r[%d]·(%s·U_%s[:,%d] + b'_%s[%d]))", sym,
                 j, act, d->s.t, gs, j, gs, j, j, d->prev, gs, j, gs, j);
    else if (keras)
        snprintf(line, sizeof line, "%s[%d] = %s(x_%d·W%s%s[:,%d] + %s·U%s%s[:,%d] + b%s%s[%d]%s)",
                 sym, j, act, d->s.t, gs[0] ? "_" : "", gs, j, d->prev, gs[0] ? "_" : "", gs, j,
                 gs[0] ? "_" : "", gs, j, rec_bias ? " + b'" : "");
    else if (gru_n)
        snprintf(line, sizeof line,
                 "%s[%d] = %s(W_%s[%d]·x_%d + b_%s[%d] + r[%d]·(W_%s[%d]·%s + b_%s[%d]))", sym, j,
                 act, wi, j, d->s.t, wi, j, j, wh, j, d->prev, wh, j);
    else
        snprintf(line, sizeof line,
                 "%s[%d] = %s(W_%s[%d]·x_%d + b_%s[%d] + W_%s[%d]·%s + b_%s[%d])", sym, j, act, wi,
                 j, d->s.t, wi, j, wh, j, d->prev, wh, j);
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, line);
    char sum[160];
    num(sum, sizeof sum, e->wx);
    plus_term(sum, sizeof sum, e->b_ih);
    if (gru_n && e->reset_inside) { /* W_hn (r ⊙ h): r is inside the product */
        plus_term(sum, sizeof sum, e->wh);
        plus_term(sum, sizeof sum, e->b_hh);
        snprintf(line, sizeof line, "  = %s(%s)", act, sum);
    } else if (gru_n) {
        char inner[96];
        num(inner, sizeof inner, e->wh);
        plus_term(inner, sizeof inner, e->b_hh);
        factor(g, sizeof g, e->reset);
        snprintf(line, sizeof line, "  = %s(%s + %s·(%s))", act, sum, g, inner);
    } else {
        plus_term(sum, sizeof sum, e->wh);
        plus_term(sum, sizeof sum, e->b_hh);
        snprintf(line, sizeof line, "  = %s(%s)", act, sum);
    }
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, line);
    num(a, sizeof a, e->pre), num(out, sizeof out, e->value);
    snprintf(line, sizeof line, "  = %s(%s) = %s", act, a, out);
    ui_text(c->l, d->x, d->y, UI_FONT_LARGE, c->p.accent, line);
    d->y += d->lh + c->pad / 2;
    if (e->t_prev < 0) {
        ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_SMALL, c->p.muted,
                        ui_tr("h_start: the state before the first word read is 0, so the W_h "
                              "term is 0."));
    } else {
        char note[160];
        snprintf(note, sizeof note,
                 ui_tr("x_%d: the input at step %d; %s: the state after step %d."), d->s.t, d->s.t,
                 d->prev, e->t_prev);
        ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_SMALL, c->p.muted, note);
    }
}

/* The LSTM's cell state: c = f·c_prev + i·g. */
static void explain_lstm_c(Detail *d) {
    const RnnExplain *e = d->e;
    char line[320], nums[200], cp[16], a[32], b[32], i[32], g[32];
    if (e->t_prev >= 0)
        snprintf(cp, sizeof cp, "c_%d", e->t_prev);
    else
        snprintf(cp, sizeof cp, "c_start");
    snprintf(line, sizeof line, ui_tr("c_%d[%d] = f·%s + i·g   (forget part + write part)"), d->s.t,
             d->s.unit, cp);
    factor(a, sizeof a, e->f), factor(b, sizeof b, e->c_prev), factor(i, sizeof i, e->i),
        factor(g, sizeof g, e->g);
    snprintf(nums, sizeof nums, "  = %s·%s + %s·%s", a, b, i, g);
    update_lines(d->c, d->x, &d->y, d->width, line, nums, e->value,
                 ui_tr("f near 1 keeps the old memory; i·g writes the new word into it."));
}

/* The LSTM's hidden state: h = o·tanh(c) (o·relu(c) for a Keras LSTM with relu). */
static void explain_lstm_h(Detail *d) {
    const RnnExplain *e = d->e;
    char line[320], nums[200], a[32], b[32], t[32];
    const char *act = act_symbol(e->activation);
    snprintf(line, sizeof line, "h_%d[%d] = o·%s(c_%d)", d->s.t, d->s.unit, act, d->s.t);
    factor(a, sizeof a, e->o), num(b, sizeof b, e->c), factor(t, sizeof t, e->tanh_c);
    snprintf(nums, sizeof nums, "  = %s·%s(%s) = %s·%s", a, act, b, a, t);
    update_lines(d->c, d->x, &d->y, d->width, line, nums, e->value,
                 ui_tr("The output gate o decides how much of the cell state shows."));
}

/* The GRU's hidden state: h = (1 - z)·n + z·h_prev. */
static void explain_gru_h(Detail *d) {
    const RnnExplain *e = d->e;
    char line[320], nums[200], a[32], b[32], h[32];
    snprintf(line, sizeof line, "h_%d[%d] = (1 - z)·n + z·%s", d->s.t, d->s.unit, d->prev);
    num(a, sizeof a, e->z), factor(b, sizeof b, e->n), factor(h, sizeof h, e->h_prev);
    snprintf(nums, sizeof nums, "  = (1 - %s)·%s + %s·%s", a, b, a, h);
    update_lines(
        d->c, d->x, &d->y, d->width, line, nums, e->value,
        ui_tr("The update gate z near 1 keeps the old state; near 0 takes the candidate n."));
}

/* ---- the detail panel, backward: the chain rule with the gradient trace's numbers ------------ */

/* ∂L/∂h_t[j]: from above, plus the recurrent sum's largest terms, the rest, the GRU's z path. */
static void explain_grad_h(Detail *d, const RnnGradExplain *e) {
    Ctx *c = d->c;
    const RnnConfig *cf = d->cf;
    int j = e->unit, tn = e->t_next, lh = d->lh;
    char line[320], a[32];
    if (tn < 0) {
        snprintf(line, sizeof line, ui_tr("dh_%d[%d] = from the output layer (%s)"), e->t, j,
                 d->s.layer + 1 < cf->num_layers ? ui_tr("the layer above") : ui_tr("the loss"));
    } else if (cf->cell == RNN_CELL_RNN) {
        char slope[32];
        if (cf->nonlinearity == RNN_RELU)
            snprintf(slope, sizeof slope, "[a_%d[k] > 0]", tn);
        else
            snprintf(slope, sizeof slope, "(1 - h_%d[k]²)", tn);
        snprintf(line, sizeof line, ui_tr("dh_%d[%d] = from above + Σ_k W_hh[k][%d]·dh_%d[k]·%s"),
                 e->t, j, j, tn, slope);
    } else {
        snprintf(line, sizeof line,
                 ui_tr("dh_%d[%d] = from above + Σ_q,k W_hq[k][%d]·da_q_%d[k]%s"), e->t, j, j, tn,
                 cf->cell == RNN_CELL_GRU ? ui_tr(" + z path") : "");
    }
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, line);
    /* the largest terms as a table: k | W | dh_next (da) | slope | product */
    int rnn = cf->cell == RNN_CELL_RNN, ncol = rnn ? 5 : 4, colw = d->width / ncol;
    if (e->nterms) {
        char h0[24], h2[32];
        snprintf(h0, sizeof h0, "%s", rnn ? "k" : ui_tr("row"));
        snprintf(h2, sizeof h2, rnn ? "dh_%d[k]" : "da_%d", tn);
        const char *heads[5] = {
            h0, "W", h2, rnn ? (cf->nonlinearity == RNN_RELU ? ui_tr("slope") : "1-h²") : "=", "="};
        for (int col = 0; col < ncol; col++)
            ui_text(c->l, d->x + col * colw, d->y, UI_FONT_SMALL, c->p.muted, heads[col]);
        d->y += ui_text_height(c->l, UI_FONT_SMALL) + 1;
    }
    for (int i = 0; i < e->nterms; i++) {
        const RnnGradTerm *t = &e->terms[i];
        char cells[5][32];
        int H = cf->hidden_size;
        if (rnn)
            snprintf(cells[0], sizeof cells[0], "%d", t->row);
        else
            snprintf(cells[0], sizeof cells[0], "%s[%d]", rnn_gate_name(cf->cell, t->row / H),
                     t->row % H);
        gnum(cells[1], sizeof cells[1], t->weight);
        gnum(cells[2], sizeof cells[2], t->grad);
        gnum(cells[3], sizeof cells[3], rnn ? t->deriv : t->product);
        gnum(cells[4], sizeof cells[4], t->product);
        for (int col = 0; col < ncol; col++)
            ui_text(c->l, d->x + col * colw, d->y, UI_FONT_BODY,
                    col == ncol - 1 ? c->p.accent : c->p.ink, cells[col]);
        d->y += lh;
    }
    if (e->rest_count) {
        gnum(a, sizeof a, e->rest);
        snprintf(line, sizeof line, ui_tr("  the other %d terms: %s"), e->rest_count, a);
        ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.muted, line);
        d->y += lh;
    }
    if (cf->cell == RNN_CELL_GRU && tn >= 0) {
        gnum(a, sizeof a, e->direct);
        snprintf(line, sizeof line, ui_tr("  z path dh_%d[%d]·z_%d[%d]: %s"), tn, j, tn, j, a);
        ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.ink, line);
        d->y += lh;
    }
    gnum(a, sizeof a, e->from_above);
    snprintf(line, sizeof line, ui_tr("  from above (%s): %s"),
             d->s.layer + 1 < cf->num_layers ? ui_tr("the layer above") : ui_tr("the output layer"),
             a);
    ui_text(c->l, d->x, d->y, UI_FONT_BODY, e->from_above != 0 ? c->p.ink : c->p.muted, line);
    d->y += lh;
    gnum(a, sizeof a, e->value);
    snprintf(line, sizeof line, "  = %s", a);
    ui_text(c->l, d->x, d->y, UI_FONT_LARGE, c->p.accent, line);
    d->y += lh + c->pad / 2;
    ui_text_wrapped(
        c->l, d->x, d->y, d->width, UI_FONT_SMALL, c->p.muted,
        cf->cell == RNN_CELL_RNN
            ? ui_tr("Each step back multiplies by W_hh and by the slope of tanh, at most 1: when "
                    "these factors shrink the signal, it fades over many steps (기울기 소실).")
        : cf->cell == RNN_CELL_LSTM
            ? ui_tr("The path through h goes through the weights; the cell path (select c) is the "
                    "LSTM's way around them.")
            : ui_tr("The z path skips the weights: with z near 1 the gradient passes almost as it "
                    "is."));
}

/* ∂L/∂c_t[j] of an LSTM: the cell path and the path through h. */
static void explain_grad_c(Detail *d, const RnnGradExplain *e) {
    Ctx *c = d->c;
    char line[320], nums[200], a[32], b[32], x[32], y[32], z[32];
    int j = e->unit, tn = e->t_next;
    if (tn >= 0)
        snprintf(line, sizeof line, "dc_%d[%d] = dc_%d·f_%d + dh_%d·o_%d·(1 - tanh²(c_%d))", e->t,
                 j, tn, tn, e->t, e->t, e->t);
    else
        snprintf(line, sizeof line, "dc_%d[%d] = dh_%d·o_%d·(1 - tanh²(c_%d))", e->t, j, e->t, e->t,
                 e->t);
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, line);
    if (tn >= 0) {
        gnum(a, sizeof a, e->dc_next), gnum(b, sizeof b, e->f_next),
            gnum(x, sizeof x, e->cell_path);
        snprintf(nums, sizeof nums, ui_tr("  cell path: %s · %s = %s"), a, b, x);
        ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.ink, nums);
        d->y += d->lh;
    }
    gnum(a, sizeof a, e->dh), gnum(b, sizeof b, e->o), gnum(x, sizeof x, e->tanh_c),
        gnum(y, sizeof y, e->h_path);
    snprintf(nums, sizeof nums, ui_tr("  through h: %s · %s · (1 - %s²) = %s"), a, b, x, y);
    ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.ink, nums);
    d->y += d->lh;
    gnum(z, sizeof z, e->value);
    snprintf(nums, sizeof nums, "  = %s", z);
    ui_text(c->l, d->x, d->y, UI_FONT_LARGE, c->p.accent, nums);
    d->y += d->lh + c->pad / 2;
    ui_text_wrapped(
        c->l, d->x, d->y, d->width, UI_FONT_SMALL, c->p.muted,
        ui_tr("The cell path multiplies only by the forget gate f: where f is near 1 the "
              "gradient passes almost unchanged, step after step."));
}

/* A gate's ∂L/∂a: what reaches it, times its factor in the cell, times its slope. */
static void explain_grad_gate(Detail *d, const RnnGradExplain *e) {
    Ctx *c = d->c;
    const RnnConfig *cf = d->cf;
    int q = e->quantity, j = e->unit, t = e->t;
    const char *g = rnn_gate_name(cf->cell, q);
    char form[160], line[320], a[32], b[32], x[32], v[32];
    if (cf->cell == RNN_CELL_LSTM)
        snprintf(form, sizeof form, "%s",
                 q == RNN_LSTM_I   ? "dc · g · i(1 - i)"
                 : q == RNN_LSTM_F ? "dc · c_prev · f(1 - f)"
                 : q == RNN_LSTM_G ? "dc · i · (1 - g²)"
                                   : "dh · tanh(c) · o(1 - o)");
    else
        snprintf(form, sizeof form, "%s",
                 q == RNN_GRU_N   ? "dh · (1 - z) · (1 - n²)"
                 : q == RNN_GRU_Z ? "dh · (h_prev - n) · z(1 - z)"
                                  : "da_n · (W_hn·h_prev + b_hn) · r(1 - r)");
    snprintf(line, sizeof line, "da_%s_%d[%d] = %s", g, t, j, form);
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, line);
    gnum(a, sizeof a, e->upstream), gnum(b, sizeof b, e->factor), gnum(x, sizeof x, e->deriv);
    snprintf(line, sizeof line, "  = %s · %s · %s", a, b, x);
    ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.ink, line);
    d->y += d->lh;
    gnum(v, sizeof v, e->value);
    snprintf(line, sizeof line, "  = %s", v);
    ui_text(c->l, d->x, d->y, UI_FONT_LARGE, c->p.accent, line);
    d->y += d->lh + c->pad / 2;
    ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_SMALL, c->p.muted,
                    ui_tr("a is the gate's argument before σ or tanh; its gradient is what the "
                          "gate's weights learn from at this step."));
}

static void draw_grad_detail(Ctx *c, Detail *d) {
    UiView *v = c->v;
    const UiSelection *s = &d->s;
    RnnGradExplain e;
    RnnError err;
    if (rnn_grad_explain(v->model, v->trace, v->grad, s->layer, s->direction, s->t, s->quantity,
                         s->unit, &e, &err)) {
        ui_text(c->l, d->x, d->y, UI_FONT_BODY, c->p.error, err.message);
        return;
    }
    char head[256];
    snprintf(head, sizeof head, ui_tr("dL/d%s, unit %d, t = %d (\"%s\")%s"),
             s->quantity == RNN_QUANTITY_H   ? "h"
             : s->quantity == RNN_QUANTITY_C ? "c"
                                             : rnn_gate_name(d->cf->cell, s->quantity),
             s->unit, s->t, v->tokens.text[s->t],
             d->cf->num_layers > 1 || d->cf->bidirectional
                 ? (s->direction ? ui_tr(", backward") : ui_tr(", forward"))
                 : "");
    d->y += ui_text_wrapped(c->l, d->x, d->y, d->width, UI_FONT_BODY, c->p.ink, head) + c->pad / 3;
    if (e.kind == RNN_GRAD_EXPLAIN_H)
        explain_grad_h(d, &e);
    else if (e.kind == RNN_GRAD_EXPLAIN_LSTM_C)
        explain_grad_c(d, &e);
    else
        explain_grad_gate(d, &e);
}

static void draw_detail(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->detail;
    ui_fill(c->l, r, c->p.panel);
    Detail d = {.c = c,
                .x = r.x + c->pad,
                .y = r.y + c->pad / 2,
                .width = r.w - 2 * c->pad,
                .lh = ui_text_height(c->l, UI_FONT_BODY) + 2};
    if (!v->trace || !ui_view_explained(v, &d.s)) {
        ui_text_wrapped(c->l, d.x, d.y, d.width, UI_FONT_BODY, c->p.muted,
                        v->words_read == 0
                            ? ui_tr("Nothing read yet: press Right to read the first word.")
                            : ui_tr("Point at a coloured cell to see how it was computed."));
        return;
    }
    const UiSelection *s = &d.s;
    d.cf = &v->model->config;
    RnnExplain e;
    RnnError err;
    if (rnn_explain(v->model, v->trace, s->layer, s->direction, s->t, s->quantity, s->unit, &e,
                    &err)) {
        ui_text(c->l, d.x, d.y, UI_FONT_BODY, c->p.error, err.message);
        return;
    }
    d.e = &e;
    if (showing_grad(v)) {
        draw_grad_detail(c, &d);
        return;
    }
    char head[256];
    snprintf(head, sizeof head, ui_tr("%s, unit %d, t = %d (\"%s\")%s"),
             ui_quantity_name(rnn_layer_cell(d.cf, s->layer), s->quantity), s->unit, s->t,
             v->tokens.text[s->t],
             d.cf->num_layers > 1 || d.cf->bidirectional
                 ? (s->direction ? ui_tr(", backward") : ui_tr(", forward"))
                 : "");
    d.y += ui_text_wrapped(c->l, d.x, d.y, d.width, UI_FONT_BODY, c->p.ink, head) + c->pad / 3;
    if (e.t_prev >= 0)
        snprintf(d.prev, sizeof d.prev, "h_%d", e.t_prev);
    else
        snprintf(d.prev, sizeof d.prev, "h_start");
    if (e.padding) { /* Embedding(mask_zero=True): nothing is computed at a padding step */
        ui_text_wrapped(c->l, d.x, d.y, d.width, UI_FONT_BODY, c->p.ink,
                        ui_tr("A padding step (token id 0, masked): the layer skips it and keeps "
                              "the state it had, so h (and c) are carried over unchanged."));
        return;
    }
    switch (e.kind) {
    case RNN_EXPLAIN_GATE:
        explain_gate(&d);
        break;
    case RNN_EXPLAIN_LSTM_C:
        explain_lstm_c(&d);
        break;
    case RNN_EXPLAIN_LSTM_H:
        explain_lstm_h(&d);
        break;
    case RNN_EXPLAIN_GRU_H:
        explain_gru_h(&d);
        break;
    }
}

/* ---- input vector and outputs ---------------------------------------------------------------- */

static void draw_inputs(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->inputs;
    ui_fill(c->l, r, c->p.panel);
    int x = r.x + c->pad / 2, y = r.y + c->pad / 2;
    /* the input of the value the detail panel explains: its layer and its word */
    UiSelection sel;
    if (!v->trace || !ui_view_explained(v, &sel)) {
        ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, "x_t");
        return;
    }
    const RnnTrace *tr = v->trace;
    int l = sel.layer, I = rnn_layer_input_size(&v->model->config, l);
    ui_textf(c->l, x, y, UI_FONT_BODY, c->p.ink, "x_%d", sel.t);
    y += ui_text_height(c->l, UI_FONT_BODY);
    y += ui_text_wrapped(
             c->l, x, y, r.w - c->pad / 2, UI_FONT_SMALL, c->p.muted,
             l == 0 ? (v->trace->token_ids[0] < 0 ? ui_tr("input vector") : ui_tr("word vector"))
                    : ui_tr("h of the layer below")) +
         c->pad / 2;
    double max = 1e-12; /* one scale for the whole sentence, so steps compare */
    for (int t = 0; t < tr->steps; t++)
        for (int k = 0; k < I; k++) max = fmax(max, fabs(rnn_trace_input(tr, l, t)[k]));
    int avail = r.y + r.h - y - ui_text_height(c->l, UI_FONT_SMALL) - c->pad / 2;
    int ch = avail / I;
    if (ch > (int)(22 * v->zoom)) ch = (int)(22 * v->zoom);
    if (ch < 1) ch = 1;
    int cw = (int)(30 * v->zoom);
    const double *xv = rnn_trace_input(tr, l, sel.t);
    for (int k = 0; k < I && y + (k + 1) * ch <= r.y + r.h; k++)
        ui_fill(c->l, (UiRect){x, y + k * ch, cw, ch}, ui_colormap_diverging(xv[k] / max));
    ui_outline(c->l, (UiRect){x, y, cw, ch * I}, 1, c->p.grid);
    char range[48];
    snprintf(range, sizeof range, "±%.2f", max);
    ui_text(c->l, x, y + ch * I + 2, UI_FONT_SMALL, c->p.muted, range);
}

static void draw_outputs(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->outputs;
    ui_fill(c->l, r, c->p.panel);
    int x = r.x + c->pad / 2, y = r.y + c->pad / 2;
    if (!v->trace) return;
    const RnnConfig *cf = &v->model->config;
    const RnnTrace *tr = v->trace;
    int T = tr->steps, K = cf->num_labels, lh = ui_text_height(c->l, UI_FONT_BODY) + 4;
    if (cf->head == RNN_HEAD_NONE) {
        ui_text(c->l, x, y, UI_FONT_BODY, c->p.muted, ui_tr("This model has no output layer."));
        return;
    }
    int o = -1;
    if (cf->head == RNN_HEAD_MANY_TO_MANY) {
        /* the word whose value the detail panel explains (or the current word) */
        UiSelection sel;
        int t = ui_view_explained(v, &sel) ? sel.t : v->words_read - 1;
        char head[96];
        if (t >= 0)
            snprintf(head, sizeof head, ui_tr("output at t = %d"), t);
        else
            snprintf(head, sizeof head, "%s", ui_tr("output at t"));
        ui_text(c->l, x, y, UI_FONT_BODY, c->p.ink, head);
        y += lh;
        y += ui_text_wrapped(c->l, x, y - 4, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                             ui_tr("softmax, one per word"));
        /* the prediction at t reads both directions' states at t */
        if (t >= 0 && ui_view_computed(v, 0, t) &&
            (!cf->bidirectional || ui_view_computed(v, 1, t)))
            o = t;
        else if (t >= 0) {
            ui_text_wrapped(c->l, x, y, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                            ui_tr("It waits until the backward direction reaches this word too."));
            return;
        }
    } else {
        ui_text(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr("output"));
        y += lh;
        y += ui_text_wrapped(c->l, x, y - 4, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                             cf->head == RNN_HEAD_REGRESSION ? ui_tr("read from the last state")
                             : cf->num_dense ? (cf->head_activation == RNN_ACT_SIGMOID
                                                    ? ui_tr("Dense layers, then a sigmoid")
                                                    : ui_tr("Dense layers, then a softmax"))
                             : cf->head_activation == RNN_ACT_SIGMOID
                                 ? ui_tr("sigmoid of the last state")
                                 : ui_tr("softmax of the last state"));
        if (v->words_read == T || (cf->bidirectional && v->words_read == T)) o = 0;
    }
    if (o < 0) {
        ui_text_wrapped(c->l, x, y, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                        v->words_read == 0
                            ? ui_tr("Press Right to start reading.")
                            : ui_tr("It comes after the last word: press End to see it."));
        return;
    }
    if (showing_grad(v)) { /* what the gradient starts from */
        char loss[160];
        const RnnGrad *g = v->grad;
        if (cf->head == RNN_HEAD_REGRESSION)
            snprintf(loss, sizeof loss, ui_tr("loss (MSE) %.4g against %.4g"), g->loss,
                     g->values[0]);
        else
            snprintf(loss, sizeof loss, ui_tr("loss %.4g against \"%s\""), g->loss,
                     v->model->labels[g->targets[o < g->out_steps ? o : 0]]);
        ui_text(c->l, x, y, UI_FONT_BODY, c->p.accent, loss);
        y += lh;
    }
    const double *p = tr->probs + (size_t)o * K;
    int best = 0;
    for (int k = 1; k < K; k++)
        if (p[k] > p[best]) best = k;
    int label_w = 0;
    for (int k = 0; k < K && k < 12; k++) {
        int w = ui_text_width(c->l, UI_FONT_BODY, v->model->labels[k]);
        if (w > label_w) label_w = w;
    }
    int bar_x = x + label_w + c->pad / 2,
        bar_max = r.x + r.w - bar_x - ui_text_width(c->l, UI_FONT_BODY, "0.000") - c->pad;
    /* backward, where fewer rows fit: the most probable labels first */
    int order[64], shown = K < 64 ? K : 64;
    for (int i = 0; i < shown; i++) order[i] = i;
    if (showing_grad(v) && cf->head != RNN_HEAD_REGRESSION)
        for (int i = 1; i < shown; i++)
            for (int j = i; j > 0 && p[order[j]] > p[order[j - 1]]; j--) {
                int tmp = order[j];
                order[j] = order[j - 1], order[j - 1] = tmp;
            }
    for (int i = 0; i < shown && y + lh < r.y + r.h; i++) {
        int k = order[i];
        ui_text(c->l, x, y, UI_FONT_BODY, k == best ? c->p.ink : c->p.muted, v->model->labels[k]);
        char val[32];
        if (cf->head == RNN_HEAD_REGRESSION) {
            snprintf(val, sizeof val, "%.4f", p[k]);
            ui_text(c->l, bar_x, y, UI_FONT_BODY, c->p.accent, val);
        } else {
            int w = (int)(p[k] * (bar_max > 0 ? bar_max : 0));
            ui_fill(c->l, (UiRect){bar_x, y + 3, w > 0 ? w : 1, lh - 8},
                    k == best ? c->p.accent : c->p.grid);
            snprintf(val, sizeof val, "%.3f", p[k]);
            ui_text(c->l, bar_x + w + 4, y, UI_FONT_BODY, c->p.ink, val);
        }
        y += lh;
    }
}

/* ---- the cell diagram --------------------------------------------------------------------- */

/* A box coloured by its current value, with its name. */
static void gate_box(Ctx *c, int x, int y, int w, int h, const char *label, double value,
                     int gate01) {
    UiColor col = gate01 ? ui_colormap_sequential(value) : ui_colormap_diverging(value);
    ui_fill(c->l, (UiRect){x, y, w, h}, col);
    ui_outline(c->l, (UiRect){x, y, w, h}, 2, c->p.ink);
    int light = (col.r * 299 + col.g * 587 + col.b * 114) / 1000 > 140;
    UiColor ink = light ? (UiColor){0, 0, 0, 255} : (UiColor){255, 255, 255, 255};
    int tw = ui_text_width(c->l, UI_FONT_BODY, label), th = ui_text_height(c->l, UI_FONT_BODY);
    ui_text(c->l, x + (w - tw) / 2, y + (h - th) / 2, UI_FONT_BODY, ink, label);
}

/* Backward, in the diagram's place: how much of the signal survived the walk so far, as a
 * product of one factor per step (the geometric mean of the steps' ratios). */
static void draw_grad_path(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->diagram;
    const RnnConfig *cf = &v->model->config;
    const RnnTrace *tr = v->trace;
    int x = r.x + c->pad / 2, y = r.y + c->pad / 2, lh = ui_text_height(c->l, UI_FONT_BODY) + 4;
    int T = tr->steps, H = cf->hidden_size, l = cf->num_layers - 1, k = v->walked;
    int from = T - 1, to = ui_view_column(v, 0);
    ui_textf(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr("the walk back, top layer: t = %d to %d"),
             from, to);
    y += lh;
    if (k == 0) {
        ui_text_wrapped(c->l, x, y, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                        ui_tr("Here the error signal enters, from the loss through the output "
                              "layer. Press Right to carry it back one step."));
        return;
    }
    for (int q = 0; q < (v->grad->dc ? 2 : 1); q++) {
        const double *g = q ? v->grad->dc : v->grad->dh;
        double a = rnn_norm(g + rnn_trace_state_index(tr, l, 0, from), (size_t)H);
        double b = rnn_norm(g + rnn_trace_state_index(tr, l, 0, to), (size_t)H);
        char na[32], nb[32], ratio[32], step[32];
        gnum(na, sizeof na, a), gnum(nb, sizeof nb, b);
        gnum(ratio, sizeof ratio, a > 0 ? b / a : 0);
        gnum(step, sizeof step, a > 0 && b > 0 ? pow(b / a, 1.0 / k) : 0);
        ui_textf(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr("‖dL/d%s‖  %s to %s"), q ? "c" : "h", na,
                 nb);
        y += lh;
        if (k == 1)
            ui_textf(c->l, x, y, UI_FONT_BODY, c->p.accent, ui_tr("  ×%s in one step"), ratio);
        else
            ui_textf(c->l, x, y, UI_FONT_BODY, c->p.accent, ui_tr("  ×%s in %d steps: ×%s a step"),
                     ratio, k, step);
        y += lh;
    }
    ui_text_wrapped(c->l, x, y, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                    cf->cell == RNN_CELL_LSTM
                        ? ui_tr("The cell path multiplies by f at each step: with f near 1, its "
                                "factor stays near 1.")
                        : ui_tr("A factor below 1 at every step makes the signal fade "
                                "exponentially with the distance; above 1, it grows."));
}

static void draw_diagram(Ctx *c) {
    UiView *v = c->v;
    UiRect r = v->diagram;
    ui_fill(c->l, r, c->p.panel);
    if (v->trace && showing_grad(v)) {
        draw_grad_path(c);
        return;
    }
    if (!v->trace || r.h < 60) return;
    const RnnConfig *cf = &v->model->config;
    UiSelection s;
    int have = ui_view_explained(v, &s);
    if (!have) s = v->sel, s.t = -1;
    int x = r.x + c->pad / 2, y = r.y + c->pad / 2;
    RnnCellKind kind = rnn_layer_cell(cf, s.layer);
    const RnnLayerConfig *lc = &cf->layers[s.layer];
    const char *cell = ui_cell_title(kind);
    /* the layer's own activations: "σ f" or "hard_sigmoid f", "tanh g" or "relu g" */
    const char *rec = lc->recurrent_activation == RNN_ACT_SIGMOID ? "σ" : "hσ",
               *act = act_symbol(lc->activation);
    if (have)
        ui_textf(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr("%s cell · unit %d · t = %d"), cell,
                 s.unit, s.t);
    else
        ui_textf(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr("%s cell"), cell);
    if (!have) return;
    const RnnTrace *tr = v->trace;
    const double *gate = tr->gate + rnn_trace_gate_index(tr, s.layer, s.direction, s.t, 0);
    int H = lc->hidden_size, j = s.unit;
    double h = tr->h[rnn_trace_state_index(tr, s.layer, s.direction, s.t) + (size_t)j];
    int top = y + ui_text_height(c->l, UI_FONT_BODY) + c->pad;
    /* boxes scale with the room the panel has: two rows of boxes, their labels, h */
    int room_h = r.y + r.h - top - 2 * ui_text_height(c->l, UI_FONT_SMALL) -
                 ui_text_height(c->l, UI_FONT_BODY) - c->pad;
    int bh = (int)(40 * v->zoom), bw = (int)(62 * v->zoom), gap = (int)(16 * v->zoom);
    if (bh > room_h / 3) bh = room_h / 3, gap = bh / 3;
    if (bw > (r.w - c->pad) / 5) bw = (r.w - c->pad) / 5;
    if (bh < ui_text_height(c->l, UI_FONT_BODY) || bw < 24) return; /* too small to draw */
    int line_y = top + bh / 2, base = top + bh + gap * 2;
    UiColor ink = c->p.ink;
    if (base + bh > r.y + r.h) base = r.y + r.h - bh - 2;
    char val[48];
    if (kind == RNN_CELL_LSTM) {
        double cc = tr->c[rnn_trace_state_index(tr, s.layer, s.direction, s.t) + (size_t)j];
        /* the cell state line: c_prev → × f → + i·g → c */
        ui_line(c->l, x, line_y, r.x + r.w - c->pad, line_y, 3, ink);
        RnnExplain e; /* the write part i·g, as the engine multiplies it */
        RnnError err;
        if (rnn_explain(v->model, tr, s.layer, s.direction, s.t, RNN_QUANTITY_C, j, &e, &err))
            return;
        gate_box(c, x + bw, top, bw, bh, "× f", e.f, 1);
        gate_box(c, x + 3 * bw, top, bw, bh, "+ i·g", e.write, 0);
        snprintf(val, sizeof val, "c = %.3f", cc);
        ui_text(c->l, x + 4 * bw + gap, top - ui_text_height(c->l, UI_FONT_SMALL) - 2,
                UI_FONT_SMALL, ink, val);
        char gl[4][40];
        for (int g = 0; g < 4; g++)
            snprintf(gl[g], sizeof gl[g], "%s %s", g == RNN_LSTM_G ? act : rec,
                     rnn_gate_name(kind, g));
        for (int g = 0; g < 4; g++) {
            int gx = x + g * (bw + gap / 2);
            gate_box(c, gx, base, bw, bh, gl[g], gate[g * H + j], rnn_gate_is_sigmoid(kind, g));
            snprintf(val, sizeof val, "%.2f", gate[g * H + j]);
            ui_text(c->l, gx + 4, base + bh + 2, UI_FONT_SMALL, c->p.muted, val);
            ui_line(c->l, gx + bw / 2, base, gx + bw / 2, top + bh, 1, c->p.muted);
        }
        snprintf(val, sizeof val, "h = o·%s(c) = %.3f", act, h);
        ui_text(c->l, x, base + bh + ui_text_height(c->l, UI_FONT_SMALL) + 4, UI_FONT_BODY,
                c->p.accent, val);
    } else if (kind == RNN_CELL_GRU) {
        char gl[3][40];
        for (int g = 0; g < 3; g++)
            snprintf(gl[g], sizeof gl[g], "%s %s", g == RNN_GRU_N ? act : rec,
                     rnn_gate_name(kind, g));
        for (int g = 0; g < 3; g++) {
            int gx = x + g * (bw + gap);
            gate_box(c, gx, base, bw, bh, gl[g], gate[g * H + j], rnn_gate_is_sigmoid(kind, g));
            snprintf(val, sizeof val, "%.2f", gate[g * H + j]);
            ui_text(c->l, gx + 4, base + bh + 2, UI_FONT_SMALL, c->p.muted, val);
            ui_line(c->l, gx + bw / 2, base, gx + bw / 2, top + bh, 1, c->p.muted);
        }
        ui_line(c->l, x, line_y, r.x + r.w - c->pad, line_y, 3, ink);
        gate_box(c, x + 2 * bw, top, bw * 2, bh, "(1-z)·n + z·h", h, 0);
        snprintf(val, sizeof val, "h = %.3f", h);
        ui_text(c->l, x, base + bh + ui_text_height(c->l, UI_FONT_SMALL) + 4, UI_FONT_BODY,
                c->p.accent, val);
    } else {
        ui_line(c->l, x, line_y, r.x + r.w - c->pad, line_y, 3, ink);
        gate_box(c, x + bw, top, bw * 2, bh, act, h, 0);
        ui_text_wrapped(c->l, x, base + bh / 2, r.w - c->pad, UI_FONT_SMALL, c->p.muted,
                        ui_tr("x_t and the previous h go in, one activation, h_t comes out: the "
                              "whole memory is h."));
        snprintf(val, sizeof val, "h = %.3f", h);
        ui_text(c->l, x + bw, top + bh + 4, UI_FONT_BODY, c->p.accent, val);
    }
}

/* ---- lessons ------------------------------------------------------------------------------- */

static void draw_narration(Ctx *c) {
    UiView *v = c->v;
    const IoLesson *l = v->lesson;
    UiRect r = v->narration;
    if (!l || r.h <= 0) return;
    const IoLessonStep *s = &l->steps[v->lesson_step];
    ui_fill(c->l, r, c->p.panel);
    ui_fill(c->l, (UiRect){r.x, r.y, 4, r.h}, c->p.accent);
    int x = r.x + 2 * c->pad, y = r.y + c->pad / 2, w = r.w - 3 * c->pad;
    char head[256];
    snprintf(head, sizeof head, "%s · %d / %d", l->title, v->lesson_step + 1, l->nsteps);
    const char *keys = ui_tr("N next · P back · A answer · L lessons");
    int keys_w = ui_text_width(c->l, UI_FONT_SMALL, keys);
    if (ui_text_width(c->l, UI_FONT_SMALL, head) + keys_w + 2 * c->pad > w)
        keys_w = 0; /* a narrow window: the lesson's title and place first */
    else
        ui_text(c->l, r.x + r.w - c->pad - keys_w, y, UI_FONT_SMALL, c->p.muted, keys);
    ui_fit_text(c->l, UI_FONT_SMALL, head, sizeof head, w);
    ui_text(c->l, x, y, UI_FONT_SMALL, c->p.muted, head);
    y += ui_text_height(c->l, UI_FONT_SMALL) + 2;
    if (v->lesson_step > 0) {
        ui_text(c->l, x, y, (UiFont)(UI_FONT_LARGE | UI_STYLE_BOLD), c->p.accent, s->title);
        y += ui_text_height(c->l, UI_FONT_LARGE) + c->pad / 3;
    }
    /* the quiz sits at the bottom, as tall as its wrapped question and answer */
    char question[1200], answer[1200];
    int quiz_h = 0;
    if (s->quiz) {
        snprintf(question, sizeof question, "%s %s", ui_tr("Question:"), s->quiz);
        if (v->show_answer)
            snprintf(answer, sizeof answer, "%s %s", ui_tr("Answer:"), s->answer);
        else
            snprintf(answer, sizeof answer, "%s", ui_tr("(press A for the answer)"));
        int width = w > 1 ? w : 1;
        int lines = 2 +
                    ui_text_width(c->l, (UiFont)(UI_FONT_BODY | UI_STYLE_BOLD), question) / width +
                    ui_text_width(c->l, UI_FONT_BODY, answer) / width;
        quiz_h = lines * ui_text_height(c->l, UI_FONT_BODY) + c->pad;
    }
    UiMarkdownColors colors = {c->p.ink, c->p.muted, c->p.accent, c->p.faint, c->p.grid};
    /* the text scrolls (wheel, Ctrl+Up/Down) when it does not fit; a hint says there is more */
    UiRect box = {x, y, w, r.y + r.h - y - quiz_h - c->pad / 2};
    if (v->narration_scroll > v->narration_room) v->narration_scroll = v->narration_room;
    int total = ui_markdown_scrolled(c->l, box, s->markdown, &colors, v->narration_scroll);
    v->narration_room = total > box.h ? total - box.h : 0;
    if (v->narration_scroll > v->narration_room) v->narration_scroll = v->narration_room;
    const char *more = NULL;
    if (v->narration_scroll < v->narration_room)
        more = ui_tr("▼ more: the wheel or Ctrl+Down");
    else if (v->narration_scroll > 0)
        more = ui_tr("▲ Ctrl+Up: back to the top");
    if (more) {
        int mw = ui_text_width(c->l, UI_FONT_SMALL, more), mh = ui_text_height(c->l, UI_FONT_SMALL);
        UiRect tag = {r.x + r.w - mw - 2 * c->pad, box.y + box.h - mh, mw + c->pad, mh};
        ui_fill(c->l, tag, c->p.panel);
        ui_text(c->l, tag.x + c->pad / 2, tag.y, UI_FONT_SMALL, c->p.accent, more);
    }
    if (s->quiz) {
        int qy = r.y + r.h - quiz_h;
        qy += ui_text_wrapped(c->l, x, qy, w, (UiFont)(UI_FONT_BODY | UI_STYLE_BOLD), c->p.ink,
                              question);
        ui_text_wrapped(c->l, x, qy + 2, w, UI_FONT_BODY, v->show_answer ? c->p.accent : c->p.muted,
                        answer);
    }
}

static void draw_picker(Ctx *c) {
    UiView *v = c->v;
    ui_fill(c->l, (UiRect){0, 0, v->width, v->height}, c->p.background);
    int x = 3 * c->pad, y = 2 * c->pad;
    ui_text(c->l, x, y, UI_FONT_TITLE, c->p.accent, "rnnscope");
    y += ui_text_height(c->l, UI_FONT_TITLE) + c->pad;
    ui_text(c->l, x, y, UI_FONT_LARGE, c->p.ink,
            ui_tr("How recurrent networks read: choose a lesson"));
    for (int i = 0; i < v->picker_rows_shown; i++) {
        UiRect row = v->picker_rows[i];
        int sel = i == v->picker_sel;
        if (sel) ui_fill(c->l, row, c->p.chip_current);
        char line[512];
        snprintf(line, sizeof line, "%d.  %s", i + 1,
                 v->picker_titles[i] ? v->picker_titles[i] : "?");
        ui_text(c->l, x, row.y + c->pad / 3, UI_FONT_LARGE,
                sel ? (UiColor){255, 255, 255, 255} : c->p.ink, line);
    }
    const char *hint = ui_tr("Up/Down: choose · Enter: open · Tab: 한국어 · Q: quit");
    ui_text(c->l, x, v->height - 2 * c->pad - ui_text_height(c->l, UI_FONT_BODY), UI_FONT_BODY,
            c->p.muted, hint);
}

/* ---- help and banner ------------------------------------------------------------------------ */

static void draw_help(Ctx *c) {
    UiView *v = c->v;
    static const char *const rows[][2] = {
        {N_("Right / Left"), N_("read the next word / go back one")},
        {N_("Home / End"), N_("before the first word / after the last")},
        {N_("Space"), N_("play or pause; [ and ] change the speed")},
        {N_("Up / Down"), N_("choose a hidden unit")},
        {N_("Shift+Up / Shift+Down"), N_("choose another heatmap (h, c, gates, layers)")},
        {N_("mouse"), N_("point at a cell to see its arithmetic; click to select it")},
        {N_("1 / 2 / 3"), N_("the RNN / LSTM / GRU model of the same task")},
        {N_("C"), N_("the task's RNN, LSTM and GRU side by side")},
        {N_("F / V"), N_("(side by side) fresh weights' charts too / only h and c, larger")},
        {N_("Ctrl+T, R"), N_("train from fresh weights, live; again: pause; Esc: stop; W: write")},
        {N_("[ ] , ."),
         N_("(training) the pace slower / faster; the run's weights back / forward")},
        {N_("K"), N_("the parameter table: PyTorch and Keras, with formulas")},
        {N_("B"), N_("the backward pass: gradients, walking back from the last word")},
        {N_("M G U X Z"), N_("what if: W_hh ×1.25 (Shift ÷), forget bias ±0.5, relu, clip, undo")},
        {N_("Tab"), N_("type a new sentence (Korean input works)")},
        {N_("D / Shift+L"), N_("the chapter's terms / the interface in 한국어 or English")},
        {N_("N / P (Page Down / Up)"), N_("a lesson's next / previous step")},
        {N_("A"), N_("show the answer to the step's question")},
        {N_("L"), N_("the list of lessons (Tab there: English / 한국어)")},
        {N_("Ctrl+O, or drop a file"), N_("open a model file")},
        {N_("Ctrl+S"), N_("save a PNG screenshot")},
        {N_("Ctrl+G"), N_("record every time step of the sentence as an animated GIF")},
        {N_("T"), N_("light or dark theme")},
        {N_("+ / -"), N_("zoom, for a projector")},
        {N_("F11"), N_("full screen")},
        {N_("H or F1"), N_("this help; any key closes it")},
        {N_("Esc"), N_("close a message, leave editing")},
        {N_("Q"), N_("quit")},
    };
    int n = sizeof rows / sizeof *rows, lh = ui_text_height(c->l, UI_FONT_BODY) + 6;
    int desc_w = 0; /* as wide as the longest line needs, in either language */
    for (int i = 0; i < n; i++) {
        int dw = ui_text_width(c->l, UI_FONT_BODY, ui_tr(rows[i][1]));
        if (dw > desc_w) desc_w = dw;
    }
    int w = (int)(230 * v->zoom) + desc_w + 5 * c->pad, h = (n + 2) * lh + 2 * c->pad;
    if (w < (int)(780 * v->zoom)) w = (int)(780 * v->zoom);
    if (w > v->width - 40) w = v->width - 40;
    UiRect r = {(v->width - w) / 2, (v->height - h) / 2, w, h};
    ui_fill(c->l, r, c->p.background);
    ui_outline(c->l, r, 3, c->p.accent);
    int x = r.x + 2 * c->pad, y = r.y + c->pad;
    ui_text(c->l, x, y, UI_FONT_LARGE, c->p.accent, ui_tr("Keys"));
    y += lh * 3 / 2;
    for (int i = 0; i < n; i++, y += lh) {
        ui_text(c->l, x, y, UI_FONT_BODY, c->p.ink, ui_tr(rows[i][0]));
        ui_text(c->l, x + (int)(230 * v->zoom), y, UI_FONT_BODY, c->p.muted, ui_tr(rows[i][1]));
    }
}

static void draw_banner(Ctx *c) {
    UiView *v = c->v;
    if (!v->banner[0]) return;
    int h = ui_text_height(c->l, UI_FONT_BODY) + c->pad;
    UiRect r = {0, v->status.y + v->status.h - h, v->width, h}; /* over the key hints */
    ui_fill(c->l, r, v->banner_error ? c->p.error : c->p.banner_ok);
    ui_text(c->l, c->pad, r.y + c->pad / 2, UI_FONT_BODY, (UiColor){255, 255, 255, 255}, v->banner);
}

void ui_view_draw_begin(UiView *v, UiDrawList *l) {
    ui_draw_reset(l);
    ui_fill(l, (UiRect){0, 0, v->width, v->height}, ui_palette(v->theme).background);
}

void ui_view_draw_body(UiView *v, UiDrawList *l) {
    Ctx c = ctx_for(v, l);
    if (v->model && v->trace) {
        draw_heatmaps(&c);
        if (showing_grad(v)) draw_grad_chart(&c);
        ui_fill(l, v->side, c.p.background);
        /* each side panel drawn apart and kept inside its rectangle: in a small window a long
         * explanation loses its last lines rather than covering its neighbours */
        void (*panels[])(Ctx *) = {draw_detail, draw_inputs, draw_outputs, draw_diagram};
        UiRect rects[] = {v->detail, v->inputs, v->outputs, v->diagram};
        for (int k = 0; k < 4; k++) {
            UiDrawList scratch = {0};
            scratch.measure = l->measure;
            Ctx sc = c;
            sc.l = &scratch;
            panels[k](&sc);
            ui_draw_append_inside(l, &scratch, rects[k]);
            ui_draw_free(&scratch);
        }
    } else {
        ui_text(l, c.pad, v->body.y + c.pad, UI_FONT_LARGE, c.p.muted,
                ui_tr("No model is open: drop a model file here, or press Ctrl+O."));
    }
}

void ui_view_draw_chrome(UiView *v, UiDrawList *l) {
    Ctx c = ctx_for(v, l);
    draw_narration(&c);
    draw_tokens(&c);
    draw_top_bar(&c);
    draw_status(&c);
}

void ui_view_draw_overlays(UiView *v, UiDrawList *l) {
    Ctx c = ctx_for(v, l);
    if (v->hover_term >= 0 && !v->picker && !v->help && !v->glossary)
        ui_glossary_tooltip(l, &c.p, v->zoom, v->mouse_x + 12, v->mouse_y + 16, v->hover_term,
                            v->width, v->height);
    if (v->glossary) ui_glossary_draw(l, &c.p, v->zoom, v->width, v->height, v->hover_term);
    if (v->picker) draw_picker(&c);
    draw_banner(&c);
    if (v->help) draw_help(&c);
}

void ui_view_draw(UiView *v, UiDrawList *l) {
    ui_view_draw_begin(v, l);
    ui_view_draw_body(v, l);
    ui_view_draw_chrome(v, l);
    if (v->show_params && v->model) {
        const RnnModel *model = v->model;
        ui_params_draw(l, v->theme, v->zoom, v->width, v->height, &model, 1);
    }
    ui_view_draw_overlays(v, l);
}
