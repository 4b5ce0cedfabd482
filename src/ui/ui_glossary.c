/* ui_glossary.c - the chapter's terms (ui_glossary.h): each with its English term, a line
 * that says what it is, and where the window shows it. The Korean terms are the chapter's and
 * are drawn as they are in both languages; the lines are messages of the catalogue. */
#include "ui_glossary.h"

#include "ui_i18n.h"

#include <stdio.h>
#include <string.h>

static const UiTerm terms[] = {
    {"시퀀스 모델", "sequence model",
     N_("reads an input in order, one item at a time, e.g. the words of a sentence"),
     N_("the token strip: the words in the order they are read")},
    {"순환 신경망 (RNN)", "recurrent neural network",
     N_("a network that feeds its own state back in at every time step, unlike a feed-forward "
        "network"),
     N_("every view; 1 2 3 switch between RNN, LSTM and GRU")},
    {"메모리 셀 / RNN 셀", "memory cell / RNN cell",
     N_("the unit of computation applied at every time step, with the same weights each time"),
     N_("the cell diagram, bottom right")},
    {"시점", "time step", N_("one position t of the sequence: the cell reads the word at t"),
     N_("heatmap columns; the counter 'words read' in the top bar")},
    {"은닉 상태", "hidden state h",
     N_("the cell's output at time step t, passed on to the next time step"), N_("the heatmap h")},
    {"노드 / 유닛", "node / unit",
     N_("one number of a state vector; the hidden size is how many there are"),
     N_("heatmap rows, numbered on the left")},
    {"바닐라 RNN", "vanilla RNN (SimpleRNN)",
     N_("the plainest cell: h_t = tanh(W_x x_t + W_h h_{t-1} + b)"),
     N_("key 1, the recall-rnn model")},
    {"장기 의존성 문제", "long-term dependency problem",
     N_("information from early words fades as the distance to where it is needed grows"),
     N_("side by side (C): the sensitivity and key influence charts; lesson 5")},
    {"기울기 소실", "vanishing gradient",
     N_("the error signal shrinks with each step it is carried back, so early words barely learn"),
     N_("B (the backward pass): the chart of ‖dL/dh_t‖; lessons 5 and 9")},
    {"기울기 폭주", "exploding gradient",
     N_("the error signal grows with each step back; clipping its norm is the usual remedy"),
     N_("B, then M (W_hh larger) or U (relu); X clips; lesson 9")},
    {"시간에 따른 역전파", "backpropagation through time",
     N_("the chain rule applied back through every time step of the unrolled network"),
     N_("B: the walk back from the last word, the chain rule in the detail panel")},
    {"LSTM", "long short-term memory",
     N_("a cell with a cell state and three gates that decide what to forget, write and show"),
     N_("key 2, the recall-lstm model")},
    {"셀 상태", "cell state c",
     N_("the LSTM's long-term memory, changed only by multiplying by f and adding i·g"),
     N_("the heatmap c (LSTM)")},
    {"입력 게이트", "input gate i", N_("how much of the candidate is written into the cell state"),
     N_("the heatmap i (LSTM)")},
    {"망각 게이트 (삭제 게이트)", "forget gate f",
     N_("how much of the old cell state is kept: near 1 keeps, near 0 erases"),
     N_("the heatmap f (LSTM); G shifts its bias")},
    {"출력 게이트", "output gate o",
     N_("how much of the cell state shows in the hidden state: h = o·tanh(c)"),
     N_("the heatmap o (LSTM)")},
    {"GRU", "gated recurrent unit",
     N_("a simpler gated cell (Cho et al. 2014) with an update and a reset gate and no cell "
        "state"),
     N_("key 3, the recall-gru model")},
    {"업데이트 게이트", "update gate z",
     N_("here (as in PyTorch) z near 1 keeps the old state, near 0 takes the candidate"),
     N_("the heatmap z (GRU)")},
    {"리셋 게이트", "reset gate r", N_("how much of the old state goes into the candidate"),
     N_("the heatmap r (GRU)")},
    {"후보 은닉 상태", "candidate hidden state n (LSTM: g)",
     N_("the new content a gated cell proposes at this time step"),
     N_("the heatmap n (GRU), g (LSTM)")},
    {"양방향 순환 신경망", "bidirectional RNN",
     N_("two cells: one passes on the hidden state of earlier time steps (forward), the other "
        "that of later ones (backward); the output uses both"),
     N_("the names-*-bidirectional models: two blocks, 'forward' and 'backward'")},
    {"깊은 순환 신경망", "deep (stacked) RNN",
     N_("several recurrent layers; each reads the hidden states of the layer below"),
     N_("sentiment-en-2layers: one block per layer")},
    {"열쇠", "key word (recall task)",
     N_("the first word of a recall sentence, which the model must repeat at '?'"),
     N_("the first token chip; the recall models")},
    {"모양 (shape)", "shape",
     N_("the sizes of an array, outermost first: a sentence in is (timesteps, input_dim), as "
        "Keras's input_shape says"),
     N_("the parameter table (K); the detail panel's vectors")},
    {"절댓값", "magnitude",
     N_("how large a number is, whatever its sign; a vector's is its length ‖v‖"),
     N_("the colours' strength; the charts of ‖dL/dh_t‖ and ‖∂h_T/∂x_t‖")},
    {"손실", "loss", N_("how wrong the output is: the cross-entropy −ln p(target) for a class"),
     N_("B: the output panel and the chart's note")},
};

int ui_glossary_count(void) {
    return (int)(sizeof terms / sizeof *terms);
}

const UiTerm *ui_glossary_term(int i) {
    return i >= 0 && i < ui_glossary_count() ? &terms[i] : NULL;
}

int ui_glossary_for_quantity(RnnCellKind cell, int q) {
    static const char *const lstm[] = {"input gate i", "forget gate f",
                                       "candidate hidden state n (LSTM: g)", "output gate o"};
    static const char *const gru[] = {"reset gate r", "update gate z",
                                      "candidate hidden state n (LSTM: g)"};
    const char *want = "hidden state h";
    if (q == RNN_QUANTITY_C) want = "cell state c";
    if (cell == RNN_CELL_LSTM && q >= 0 && q < 4) want = lstm[q];
    if (cell == RNN_CELL_GRU && q >= 0 && q < 3) want = gru[q];
    for (int i = 0; i < ui_glossary_count(); i++)
        if (!strcmp(terms[i].en, want)) return i;
    return -1;
}

/* One entry at (x, y) in width: "은닉 상태 · hidden state h", its line, where. Returns its
 * height. */
static int entry(UiDrawList *l, const UiPalette *p, int x, int y, int width, const UiTerm *t,
                 int highlight) {
    int y0 = y;
    char head[160];
    snprintf(head, sizeof head, "%s · %s", t->ko, t->en);
    y += ui_text_wrapped(l, x, y, width, UI_FONT_BODY | UI_STYLE_BOLD,
                         highlight ? p->accent : p->ink, head);
    y += ui_text_wrapped(l, x, y, width, UI_FONT_SMALL, p->ink, ui_tr(t->definition));
    char where[300];
    snprintf(where, sizeof where, "%s %s", ui_tr("on screen:"), ui_tr(t->where));
    y += ui_text_wrapped(l, x, y, width, UI_FONT_SMALL, p->muted, where);
    return y - y0;
}

void ui_glossary_draw(UiDrawList *l, const UiPalette *p, double zoom, int width, int height,
                      int highlight) {
    int pad = (int)(12 * zoom);
    UiRect r = {pad, pad, width - 2 * pad, height - 2 * pad};
    ui_fill(l, r, p->background);
    ui_outline(l, r, 3, p->accent);
    int x = r.x + pad, y = r.y + pad / 2;
    ui_text(l, x, y, UI_FONT_LARGE, p->accent, ui_tr("Terms of the chapter"));
    y += ui_text_height(l, UI_FONT_LARGE) + pad / 2;
    /* as few columns as let every entry fit, filled top to bottom; the entries are laid out
     * in a scratch list first (the same text measure) to know their heights */
    int bottom = r.y + r.h - 2 * pad - ui_text_height(l, UI_FONT_SMALL), top = y;
    int n = ui_glossary_count(), cols = 1, col_w = 0;
    for (cols = 1; cols <= 4; cols++) {
        col_w = (r.w - 2 * pad) / cols - pad;
        UiDrawList scratch = {0};
        scratch.measure = l->measure;
        int col = 0, cy = top, fits = 1;
        for (int i = 0; i < n && fits; i++) {
            int h = entry(&scratch, p, 0, 0, col_w, &terms[i], 0) + pad / 3;
            if (cy + h > bottom) col++, cy = top;
            if (col >= cols) fits = 0;
            cy += h;
        }
        ui_draw_free(&scratch);
        if (fits) break;
    }
    if (cols > 4) cols = 4, col_w = (r.w - 2 * pad) / cols - pad;
    int col = 0;
    for (int i = 0; i < n; i++) {
        UiDrawList scratch = {0}; /* this entry's height first: it moves to the next column */
        scratch.measure = l->measure;
        int h = entry(&scratch, p, 0, 0, col_w, &terms[i], 0) + pad / 3;
        ui_draw_free(&scratch);
        if (y + h > bottom && col + 1 < cols) col++, y = top;
        entry(l, p, x + col * (col_w + pad), y, col_w, &terms[i], i == highlight);
        y += h;
    }
    ui_text(l, x, r.y + r.h - pad - ui_text_height(l, UI_FONT_SMALL), UI_FONT_SMALL, p->muted,
            ui_tr("D or any key closes the terms · pointing at a heatmap's title shows its entry"));
}

void ui_glossary_tooltip(UiDrawList *l, const UiPalette *p, double zoom, int x, int y, int term,
                         int width, int height) {
    const UiTerm *t = ui_glossary_term(term);
    if (!t) return;
    int pad = (int)(8 * zoom), w = (int)(380 * zoom);
    if (w > width - 2 * pad) w = width - 2 * pad;
    if (w - 2 * pad < 40) return; /* no room for it */
    /* its height: the wrapped lines, estimated from the text's width */
    int lines = 3 + ui_text_width(l, UI_FONT_SMALL, ui_tr(t->definition)) / (w - 2 * pad) +
                ui_text_width(l, UI_FONT_SMALL, ui_tr(t->where)) / (w - 2 * pad);
    int h = lines * (ui_text_height(l, UI_FONT_SMALL) + 2) + ui_text_height(l, UI_FONT_BODY) + pad;
    if (x + w > width) x = width - w;
    if (y + h > height) y = height - h;
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    UiRect r = {x, y, w, h};
    ui_fill(l, r, p->panel);
    ui_outline(l, r, 2, p->accent);
    entry(l, p, x + pad, y + pad / 2, w - 2 * pad, t, 1);
}
