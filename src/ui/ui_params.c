/* ui_params.c - the parameter table (K): every recurrent layer's count in PyTorch's and
 * Keras's conventions, with the formula that gives it, for one model or several. */
#include "ui_params.h"
#include "ui_i18n.h"

#include <stdio.h>

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

void ui_params_draw(UiDrawList *l, UiTheme theme, double zoom, int width, int height,
                    const RnnModel *const *models, int count) {
    UiPalette p = ui_palette(theme);
    int pad = (int)(12 * zoom), lh = ui_text_height(l, UI_FONT_BODY) + 4;
    int rows = 3;
    for (int k = 0; k < count; k++)
        rows += 4 + models[k]->config.num_layers * rnn_directions(&models[k]->config);
    int w = (int)(900 * zoom), h = rows * lh + count * lh / 3 + 3 * pad;
    if (w > width - 40) w = width - 40;
    if (h > height - 40) h = height - 40;
    UiRect r = {(width - w) / 2, (height - h) / 2, w, h};
    ui_fill(l, r, p.background);
    ui_outline(l, r, 3, p.accent);
    int x = r.x + 2 * pad, y = r.y + pad, col2 = x + (int)(230 * zoom),
        col3 = x + (int)(540 * zoom);
    ui_text(l, x, y, UI_FONT_LARGE, p.accent, ui_tr("Parameters"));
    ui_text(l, col2, y + 4, UI_FONT_BODY, p.muted, "PyTorch: G·H·(In + H + 2)");
    ui_text(l, col3, y + 4, UI_FONT_BODY, p.muted, "Keras: G·H·(In + H + 1), GRU +2");
    y += lh * 3 / 2;
    ui_text(
        l, x, y, UI_FONT_SMALL, p.muted,
        ui_tr("G gates (RNN 1, LSTM 4, GRU 3) · In: the layer's input width · H: hidden units · "
              "PyTorch keeps two bias vectors"));
    y += lh;
    char a[96], b[96];
    for (int k = 0; k < count && y + lh < r.y + r.h; k++) {
        const RnnConfig *c = &models[k]->config;
        y += lh / 3;
        snprintf(a, sizeof a, "%s · %s", ui_cell_title(c->cell), models[k]->name);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, a);
        y += lh;
        for (int layer = 0; layer < c->num_layers; layer++)
            for (int d = 0; d < rnn_directions(c); d++) {
                int in = rnn_layer_input_size(c, layer);
                snprintf(a, sizeof a, ui_tr("  layer %d%s"), layer, d ? ui_tr(" backward") : "");
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
            ui_text(l, x, y, UI_FONT_BODY, p.muted, ui_tr("  embedding V·I"));
            ui_text(l, col2, y, UI_FONT_BODY, p.ink, a);
            ui_text(l, col3, y, UI_FONT_BODY, p.ink, a);
            y += lh;
        }
        if (c->num_labels) {
            int DH = rnn_directions(c) * c->hidden_size;
            char n[32];
            ui_format_thousands((long long)c->num_labels * DH + c->num_labels, n, sizeof n);
            snprintf(a, sizeof a, "%d·%d + %d = %s", c->num_labels, DH, c->num_labels, n);
            ui_text(l, x, y, UI_FONT_BODY, p.muted, ui_tr("  output K·(D·H) + K"));
            ui_text(l, col2, y, UI_FONT_BODY, p.ink, a);
            ui_text(l, col3, y, UI_FONT_BODY, p.ink, a);
            y += lh;
        }
        char tp[32], tk[32];
        ui_format_thousands(rnn_param_count(c, RNN_PYTORCH), tp, sizeof tp);
        ui_format_thousands(rnn_param_count(c, RNN_KERAS), tk, sizeof tk);
        ui_text(l, x, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, ui_tr("  total"));
        ui_text(l, col2, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, tp);
        ui_text(l, col3, y, UI_FONT_BODY | UI_STYLE_BOLD, p.ink, tk);
        y += lh;
    }
}
