/* ui_params.c - the parameter table (K): every layer's count in PyTorch's and Keras's
 * conventions, with the formula that gives it, for one model or several. Each recurrent layer
 * has its own cell, input width and size (rnnscope-model version 2). */
#include "ui_params.h"
#include "ui_i18n.h"

#include <stdio.h>
#include <string.h>

/* ---- the words for a model's layers ------------------------------------------------------- */

static void append(char *buf, size_t size, const char *s) {
    size_t n = strlen(buf);
    if (n < size) snprintf(buf + n, size - n, "%s", s);
}

void ui_params_cells_text(const RnnConfig *c, char *buf, size_t size) {
    int seen[3] = {0};
    buf[0] = '\0';
    for (int l = 0; l < c->num_layers; l++) {
        RnnCellKind cell = rnn_layer_cell(c, l);
        if (seen[cell]++) continue;
        if (buf[0]) append(buf, size, " + ");
        append(buf, size, ui_cell_title(cell));
    }
}

void ui_params_layers_text(const RnnConfig *c, char *buf, size_t size) {
    if (rnn_config_is_uniform(c))
        snprintf(buf, size, ui_tr("hidden %d"), c->hidden_size);
    else
        ui_view_describe_layers(c, buf, size);
}

/* ---- the rows ------------------------------------------------------------------------------ */

/* Biases per gate row: PyTorch keeps b_ih and b_hh; Keras one vector, except a GRU with
 * reset_after=True (its default since TF 2), which keeps an input and a recurrent bias. */
static int bias_vectors(const RnnLayerConfig *lc, RnnFramework fw) {
    return fw == RNN_PYTORCH || (lc->cell == RNN_CELL_GRU && lc->reset_after) ? 2 : 1;
}

/* "4·16·(8 + 16 + 2) = 1,664" for one layer and direction; returns the count. */
static long long layer_formula(char *buf, size_t size, const RnnLayerConfig *lc, int in,
                               RnnFramework fw) {
    int G = rnn_gate_count(lc->cell), H = lc->hidden_size, biases = bias_vectors(lc, fw);
    long long count = (long long)G * H * ((long long)in + H + biases);
    char n[32];
    ui_format_thousands(count, n, sizeof n);
    if (G == 1)
        snprintf(buf, size, "%d·(%d + %d + %d) = %s", H, in, H, biases, n);
    else
        snprintf(buf, size, "%d·%d·(%d + %d + %d) = %s", G, H, in, H, biases, n);
    return count;
}

/* A Dense layer's or the output layer's activation in the interface's words: softmax,
 * sigmoid and linear are translated, relu and tanh are the functions' names. */
static const char *activation_words(RnnActivation act) {
    switch (act) {
    case RNN_ACT_SOFTMAX:
        return ui_tr("softmax");
    case RNN_ACT_SIGMOID:
        return ui_tr("sigmoid");
    case RNN_ACT_LINEAR:
        return ui_tr("linear");
    default:
        return rnn_activation_name(act);
    }
}

/* A row the same in both frameworks: units·(in + 1), or (in == 0) a product a·b. */
static void same_row(UiParamRow *row, long long a, long long b, int plus_one) {
    long long count = a * (b + plus_one);
    char n[32];
    ui_format_thousands(count, n, sizeof n);
    if (plus_one)
        snprintf(row->formula[0], sizeof row->formula[0], "%lld·(%lld + 1) = %s", a, b, n);
    else
        snprintf(row->formula[0], sizeof row->formula[0], "%lld·%lld = %s", a, b, n);
    snprintf(row->formula[1], sizeof row->formula[1], "%s", row->formula[0]);
    row->count[0] = row->count[1] = count;
}

int ui_params_rows(const RnnConfig *config, UiParamRow *rows) {
    RnnConfig normalized = *config, *c = &normalized;
    rnn_config_normalize(c);
    int n = 0;
    for (int l = 0; l < c->num_layers; l++)
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            UiParamRow *row = &rows[n++];
            const RnnLayerConfig *lc = &c->layers[l];
            snprintf(row->label, sizeof row->label, ui_tr("  layer %d · %s%s"), l,
                     ui_cell_title(lc->cell), d ? ui_tr(" backward") : "");
            for (int fw = 0; fw < 2; fw++)
                row->count[fw] = layer_formula(row->formula[fw], sizeof row->formula[fw], lc,
                                               rnn_layer_input_size(c, l), (RnnFramework)fw);
        }
    if (c->vocab_size) {
        UiParamRow *row = &rows[n++];
        snprintf(row->label, sizeof row->label, "%s", ui_tr("  embedding V·I"));
        same_row(row, c->vocab_size, c->input_size, 0);
    }
    int in = rnn_feature_size(c);
    for (int j = 0; j < c->num_dense; j++) {
        UiParamRow *row = &rows[n++];
        snprintf(row->label, sizeof row->label, ui_tr("  Dense %d (%s)"), j,
                 activation_words(c->dense[j].activation));
        same_row(row, c->dense[j].units, in, 1);
        in = c->dense[j].units;
    }
    if (c->head != RNN_HEAD_NONE) {
        UiParamRow *row = &rows[n++];
        snprintf(row->label, sizeof row->label, ui_tr("  output (%s)"),
                 activation_words(c->head_activation));
        same_row(row, c->num_labels, in, 1);
    }
    return n;
}

/* ---- the table ----------------------------------------------------------------------------- */

/* "LSTM · name", or for any other model its layers: "LSTM 3 · GRU 5 · bi-RNN 2 relu sum ·
 * Dense 4 relu→3 tanh · 1 sigmoid · name". */
static void model_title(const RnnModel *m, char *buf, size_t size) {
    const RnnConfig *c = &m->config;
    char what[256];
    if (rnn_config_is_uniform(c))
        ui_params_cells_text(c, what, sizeof what);
    else
        ui_view_describe_layers(c, what, sizeof what);
    snprintf(buf, size, "%s · %s", what, m->name);
}

void ui_params_draw(UiDrawList *l, UiTheme theme, double zoom, int width, int height,
                    const RnnModel *const *models, int count) {
    UiPalette p = ui_palette(theme);
    int pad = (int)(12 * zoom), lh = ui_text_height(l, UI_FONT_BODY) + 4;
    int lines = 4;
    UiParamRow rows[UI_PARAM_ROWS];
    for (int k = 0; k < count; k++) lines += 2 + ui_params_rows(&models[k]->config, rows);
    int w = (int)(900 * zoom), h = lines * lh + count * lh / 3 + 3 * pad;
    if (w > width - 40) w = width - 40;
    if (h > height - 40) h = height - 40;
    UiRect r = {(width - w) / 2, (height - h) / 2, w, h};
    ui_fill(l, r, p.background);
    ui_outline(l, r, 3, p.accent);
    int x = r.x + 2 * pad, y = r.y + pad, col[2] = {x + (int)(230 * zoom), x + (int)(540 * zoom)};
    ui_text(l, x, y, UI_FONT_LARGE, p.accent, ui_tr("Parameters"));
    ui_text(l, col[0], y + 4, UI_FONT_BODY, p.muted, "PyTorch: G·H·(In + H + 2)");
    ui_text(l, col[1], y + 4, UI_FONT_BODY, p.muted, "Keras: G·H·(In + H + 1 | 2)");
    y += lh * 3 / 2;
    y += ui_text_wrapped(
        l, x, y, r.x + r.w - pad - x, UI_FONT_SMALL, p.muted,
        ui_tr("G gates (RNN 1, LSTM 4, GRU 3) · In: the layer's input width · H: hidden units · "
              "PyTorch keeps two bias vectors, Keras one (two in a GRU with reset_after=True) · "
              "a Dense layer of U units and the output layer of K: U·(In + 1), K·(In + 1)"));
    y += lh / 2;
    char title[512];
    for (int k = 0; k < count && y + lh < r.y + r.h; k++) {
        const RnnConfig *c = &models[k]->config;
        y += lh / 3;
        model_title(models[k], title, sizeof title);
        ui_fit_text(l, UI_FONT_BODY | UI_STYLE_BOLD, title, sizeof title, r.x + r.w - pad - x);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, title);
        y += lh;
        int n = ui_params_rows(c, rows);
        long long total[2] = {0, 0};
        for (int i = 0; i < n; i++) {
            for (int fw = 0; fw < 2; fw++) total[fw] += rows[i].count[fw];
            if (y + lh >= r.y + r.h) continue; /* the sum still counts every row */
            ui_text(l, x, y, UI_FONT_BODY, p.muted, rows[i].label);
            for (int fw = 0; fw < 2; fw++)
                ui_text(l, col[fw], y, UI_FONT_BODY, p.ink, rows[i].formula[fw]);
            y += lh;
        }
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, ui_tr("  total"));
        for (int fw = 0; fw < 2; fw++) {
            char n_text[32];
            ui_format_thousands(total[fw], n_text, sizeof n_text);
            ui_text(l, col[fw], y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, n_text);
        }
        y += lh;
    }
}
