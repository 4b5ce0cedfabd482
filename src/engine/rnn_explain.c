/* rnn_explain.c - the arithmetic behind one number of a trace, term by term, so that a person
 * can check it by hand. The terms come from the trace and the model's parameters; the dot
 * products are summed in the same order as the forward pass, so W·x + b equals the trace's
 * stored value bit for bit. */
#include "rnn.h"

#include <math.h>
#include <string.h>

/* Σ_k W[row, k] v[k] in the forward pass's order (affine() in rnn_forward.c). */
static double dot_row(const double *W, int row, int cols, const double *v) {
    if (!v) return 0.0;
    const double *w = W + (size_t)row * cols;
    double sum = 0;
    for (int k = 0; k < cols; k++) sum += w[k] * v[k];
    return sum;
}

int rnn_explain(const RnnModel *m, const RnnTrace *tr, int l, int d, int t, int quantity, int unit,
                RnnExplain *out, RnnError *err) {
    const RnnConfig *c = &m->config;
    memset(out, 0, sizeof *out);
    if (l < 0 || l >= c->num_layers || d < 0 || d >= rnn_layer_directions(c, l) || t < 0 ||
        t >= tr->steps)
        return rnn_error_set(err, "no such value in this trace");
    const RnnLayerConfig *lc = &c->layers[l];
    RnnCellKind cell = lc->cell;
    int H = lc->hidden_size, G = rnn_gate_count(cell);
    if (unit < 0 || unit >= H || quantity < RNN_QUANTITY_H || quantity >= G ||
        (quantity == RNN_QUANTITY_C && cell != RNN_CELL_LSTM))
        return rnn_error_set(err, "no such value in this trace");
    out->quantity = quantity;
    out->unit = unit;
    out->t = t;
    int p = d == 0 ? t - 1 : t + 1; /* the position read just before */
    out->t_prev = p >= 0 && p < tr->steps ? p : -1;
    const double *h_prev = rnn_trace_prev_h(tr, l, d, t);
    const double *c_prev = rnn_trace_prev_c(tr, l, d, t);
    size_t hi = rnn_trace_state_index(tr, l, d, t) + (size_t)unit;
    const double *gate = tr->gate + rnn_trace_gate_index(tr, l, d, t, 0);
    out->padding = tr->padding[t];

    /* the vanilla RNN's h is its single "gate": explain it as one */
    int g = quantity >= 0 ? quantity : cell == RNN_CELL_RNN && quantity == RNN_QUANTITY_H ? 0 : -1;
    if (g >= 0) {
        const RnnLayerParams *lp = &m->layer[l][d];
        int row = g * H + unit, in = rnn_layer_input_size(c, l);
        size_t gi = rnn_trace_gate_index(tr, l, d, t, g) + (size_t)unit;
        out->kind = RNN_EXPLAIN_GATE;
        out->wx = dot_row(lp->weight_ih, row, in, rnn_trace_input(tr, l, t));
        out->b_ih = lp->bias_ih[row];
        out->wh = dot_row(lp->weight_hh, row, H, h_prev);
        out->b_hh = lp->bias_hh[row];
        out->pre = tr->gate_pre[gi];
        out->value = tr->gate[gi];
        out->reset = 1.0;
        if (cell == RNN_CELL_GRU && g == RNN_GRU_N) {
            out->reset = gate[RNN_GRU_R * H + unit];
            if (!lc->reset_after) { /* n: W_hn (r ⊙ h_prev), r inside the product */
                out->reset_inside = 1;
                out->wh = tr->gate_hh[gi] - out->b_hh;
            }
        }
        out->activation = rnn_gate_is_sigmoid(cell, g) ? lc->recurrent_activation : lc->activation;
        return 0;
    }
    if (cell == RNN_CELL_LSTM && quantity == RNN_QUANTITY_C) {
        /* c = f·c_prev + i·g */
        out->kind = RNN_EXPLAIN_LSTM_C;
        out->i = gate[RNN_LSTM_I * H + unit], out->f = gate[RNN_LSTM_F * H + unit];
        out->g = gate[RNN_LSTM_G * H + unit];
        out->c_prev = c_prev ? c_prev[unit] : 0.0;
        out->keep = out->f * out->c_prev, out->write = out->i * out->g;
        out->value = tr->c[hi];
        return 0;
    }
    if (cell == RNN_CELL_LSTM) {
        /* h = o·act(c): tanh, or the layer's relu */
        out->kind = RNN_EXPLAIN_LSTM_H;
        out->activation = lc->activation;
        out->o = gate[RNN_LSTM_O * H + unit];
        out->c = tr->c[hi];
        out->tanh_c = rnn_activate(lc->activation, out->c);
        out->value = tr->h[hi];
        return 0;
    }
    /* GRU: h = (1 − z)·n + z·h_prev */
    out->kind = RNN_EXPLAIN_GRU_H;
    out->z = gate[RNN_GRU_Z * H + unit], out->n = gate[RNN_GRU_N * H + unit];
    out->h_prev = h_prev ? h_prev[unit] : 0.0;
    out->value = tr->h[hi];
    return 0;
}
