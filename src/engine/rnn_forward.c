/* rnn_forward.c - the cells' forward step and the model's forward pass into a trace.
 *
 * Equations are PyTorch's (torch.nn.RNN / LSTM / GRU documentation), with σ the logistic
 * sigmoid and ⊙ the element-wise product. Gate rows of weight_ih / weight_hh are stacked in
 * PyTorch's order: LSTM (i, f, g, o), GRU (r, z, n). */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void rnn_softmax(const double *logits, int n, double *probs) {
    double max = logits[0], sum = 0;
    for (int k = 1; k < n; k++)
        if (logits[k] > max) max = logits[k];
    for (int k = 0; k < n; k++) sum += probs[k] = exp(logits[k] - max);
    for (int k = 0; k < n; k++) probs[k] /= sum;
}

/* out = b + W v for W (rows, cols); v == NULL stands for the zero vector. */
static void affine(double *out, const double *W, const double *b, const double *v, int rows,
                   int cols) {
    for (int r = 0; r < rows; r++) {
        double sum = 0;
        if (v) {
            const double *w = W + (size_t)r * cols;
            for (int k = 0; k < cols; k++) sum += w[k] * v[k];
        }
        out[r] = b[r] + sum;
    }
}

/* The cell's nonlinear part, once gate_ih and gate_hh hold W_i* x + b_i* and W_h* h + b_h*:
 * shared by the one-sequence and the many-sequence forward passes, so both give the same
 * bits. h_prev, c_prev: (H) or NULL for zero. */
void rnn_cell_activations(RnnCellKind cell, RnnNonlinearity act, int H, const double *gate_ih,
                          const double *gate_hh, const double *h_prev, const double *c_prev,
                          double *gate_pre, double *gate, double *h, double *c, double *tanh_c) {
    /* The activations run over whole gate blocks (rnn_activation.c, two values at a time). */
    if (cell == RNN_CELL_RNN) {
        /* h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu */
        rnn_add_many(gate_pre, gate_ih, gate_hh, H);
        if (act == RNN_RELU)
            for (int j = 0; j < H; j++) h[j] = gate[j] = gate_pre[j] > 0 ? gate_pre[j] : 0.0;
        else
            rnn_tanh_many(gate, h, gate_pre, H); /* into gate and h, both kept */
    } else if (cell == RNN_CELL_LSTM) {
        rnn_add_many(gate_pre, gate_ih, gate_hh, 4 * H);
        double *i = gate + RNN_LSTM_I * H, *f = gate + RNN_LSTM_F * H, *g = gate + RNN_LSTM_G * H,
               *o = gate + RNN_LSTM_O * H;
        /* i = σ(W_ii x + b_ii + W_hi h + b_hi)   input gate
         * f = σ(W_if x + b_if + W_hf h + b_hf)   forget gate (the next H rows): one call */
        rnn_sigmoid_many(i, gate_pre + RNN_LSTM_I * H, 2 * H);
        /* g = tanh(W_ig x + b_ig + W_hg h + b_hg) candidate */
        rnn_tanh_many(g, NULL, gate_pre + RNN_LSTM_G * H, H);
        /* o = σ(W_io x + b_io + W_ho h + b_ho)   output gate */
        rnn_sigmoid_many(o, gate_pre + RNN_LSTM_O * H, H);
        /* c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c') */
        for (int j = 0; j < H; j++) c[j] = f[j] * (c_prev ? c_prev[j] : 0.0) + i[j] * g[j];
        rnn_tanh_many(h, tanh_c, c, H); /* tanh(c') kept for the backward pass if asked */
        for (int j = 0; j < H; j++) h[j] *= o[j];
    } else {
        double *r = gate + RNN_GRU_R * H, *z = gate + RNN_GRU_Z * H, *n = gate + RNN_GRU_N * H;
        /* r = σ(W_ir x + b_ir + W_hr h + b_hr)   reset gate
         * z = σ(W_iz x + b_iz + W_hz h + b_hz)   update gate (the next H rows) */
        rnn_add_many(gate_pre, gate_ih, gate_hh, 2 * H);
        rnn_sigmoid_many(r, gate_pre + RNN_GRU_R * H, 2 * H); /* r and z */
        /* n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   candidate */
        for (int j = 0; j < H; j++)
            gate_pre[RNN_GRU_N * H + j] =
                gate_ih[RNN_GRU_N * H + j] + r[j] * gate_hh[RNN_GRU_N * H + j];
        rnn_tanh_many(n, NULL, gate_pre + RNN_GRU_N * H, H);
        /* h' = (1 - z) ⊙ n + z ⊙ h */
        for (int j = 0; j < H; j++) h[j] = (1.0 - z[j]) * n[j] + z[j] * (h_prev ? h_prev[j] : 0.0);
    }
}

void rnn_cell_forward(RnnCellKind cell, RnnNonlinearity act, int in, int H, const RnnLayerParams *p,
                      const double *x, const double *h_prev, const double *c_prev, double *gate_ih,
                      double *gate_hh, double *gate_pre, double *gate, double *h, double *c) {
    int G = rnn_gate_count(cell);
    /* ih = W_ih x + b_ih, hh = W_hh h_prev + b_hh, both (G, H) */
    affine(gate_ih, p->weight_ih, p->bias_ih, x, G * H, in);
    affine(gate_hh, p->weight_hh, p->bias_hh, h_prev, G * H, H);
    rnn_cell_activations(cell, act, H, gate_ih, gate_hh, h_prev, c_prev, gate_pre, gate, h, c,
                         NULL);
}

/* The cell step of any layer rnnscope-model version 2 describes (rnn_layer_cell_forward):
 * the activations are the layer's own (σ_r = recurrent_activation, act = activation):
 *   vanilla RNN  h' = act(W_ih x + b_ih + W_hh h + b_hh)
 *   LSTM         i, f, o = σ_r(W_i* x + b_i* + W_h* h + b_h*),  g = act(...)
 *                c' = f ⊙ c + i ⊙ g,   h' = o ⊙ act(c')
 *   GRU          r, z = σ_r(W_i* x + b_i* + W_h* h + b_h*)
 *                reset_after:  n = act(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *                otherwise:    n = act(W_in x + b_in + W_hn (r ⊙ h) + b_hn)   (Keras 2.2)
 *                h' = (1 − z) ⊙ n + z ⊙ h
 * (Keras's documentation writes the same equations with kernels stored transposed.) */
void rnn_layer_cell_forward(const RnnLayerConfig *lc, int in, const RnnLayerParams *p,
                            const double *x, const double *h_prev, const double *c_prev,
                            double *gate_ih, double *gate_hh, double *gate_pre, double *gate,
                            double *h, double *c) {
    int H = lc->hidden_size, G = rnn_gate_count(lc->cell);
    RnnActivation act = lc->activation, rec = lc->recurrent_activation;
    affine(gate_ih, p->weight_ih, p->bias_ih, x, G * H, in);
    if (lc->cell == RNN_CELL_RNN) {
        affine(gate_hh, p->weight_hh, p->bias_hh, h_prev, H, H);
        for (int j = 0; j < H; j++) {
            gate_pre[j] = gate_ih[j] + gate_hh[j];
            h[j] = gate[j] = rnn_activate(act, gate_pre[j]);
        }
        return;
    }
    if (lc->cell == RNN_CELL_LSTM) {
        affine(gate_hh, p->weight_hh, p->bias_hh, h_prev, 4 * H, H);
        for (int r = 0; r < 4 * H; r++) {
            gate_pre[r] = gate_ih[r] + gate_hh[r];
            gate[r] = rnn_activate(r / H == RNN_LSTM_G ? act : rec, gate_pre[r]);
        }
        const double *i = gate + RNN_LSTM_I * H, *f = gate + RNN_LSTM_F * H,
                     *g = gate + RNN_LSTM_G * H, *o = gate + RNN_LSTM_O * H;
        for (int j = 0; j < H; j++) {
            c[j] = f[j] * (c_prev ? c_prev[j] : 0.0) + i[j] * g[j];
            h[j] = o[j] * rnn_activate(act, c[j]);
        }
        return;
    }
    /* GRU: r and z first; the candidate's recurrent term may need r */
    affine(gate_hh, p->weight_hh, p->bias_hh, h_prev, 2 * H, H);
    for (int r = 0; r < 2 * H; r++) {
        gate_pre[r] = gate_ih[r] + gate_hh[r];
        gate[r] = rnn_activate(rec, gate_pre[r]);
    }
    const double *rg = gate + RNN_GRU_R * H, *z = gate + RNN_GRU_Z * H;
    double *hh_n = gate_hh + RNN_GRU_N * H;
    const double *w_hn = p->weight_hh + (size_t)RNN_GRU_N * H * H,
                 *b_hn = p->bias_hh + RNN_GRU_N * H;
    if (lc->reset_after) {
        affine(hh_n, w_hn, b_hn, h_prev, H, H);
        for (int j = 0; j < H; j++) gate_pre[2 * H + j] = gate_ih[2 * H + j] + rg[j] * hh_n[j];
    } else {
        /* r ⊙ h, kept in h until h' is written */
        for (int j = 0; j < H; j++) h[j] = rg[j] * (h_prev ? h_prev[j] : 0.0);
        affine(hh_n, w_hn, b_hn, h, H, H);
        for (int j = 0; j < H; j++) gate_pre[2 * H + j] = gate_ih[2 * H + j] + hh_n[j];
    }
    for (int j = 0; j < H; j++) {
        double n = gate[2 * H + j] = rnn_activate(act, gate_pre[2 * H + j]);
        h[j] = (1.0 - z[j]) * n + z[j] * (h_prev ? h_prev[j] : 0.0);
    }
}

/* 1 when the layer is one version 1 can describe: the kernels of the batched trainer and
 * the fast path below give its bits. */
static int layer_is_classic(const RnnLayerConfig *lc) {
    if (lc->cell == RNN_CELL_RNN) return 1;
    return lc->activation == RNN_ACT_TANH && lc->recurrent_activation == RNN_ACT_SIGMOID &&
           (lc->cell != RNN_CELL_GRU || lc->reset_after);
}

/* ---- the trace ---------------------------------------------------------------------------- */

/* Sizes of a trace's arrays for `steps` time steps. Each layer has its own H, D and G. */
typedef struct TraceShape {
    size_t T, L, K, in_stride, out_steps, F, states, gates, dense;
    int lstm; /* some layer is an LSTM: the trace has c */
} TraceShape;

static TraceShape trace_shape(const RnnConfig *c, int steps) {
    TraceShape s = {0};
    s.T = (size_t)steps, s.L = (size_t)c->num_layers;
    s.K = (size_t)c->num_labels;
    s.in_stride = (size_t)c->input_size;
    for (int l = 0; l < c->num_layers; l++) {
        size_t DTH = (size_t)rnn_layer_directions(c, l) * s.T * rnn_layer_hidden(c, l);
        s.states += DTH;
        s.gates += DTH * rnn_layer_gates(c, l);
        s.lstm |= rnn_layer_cell(c, l) == RNN_CELL_LSTM;
        if ((size_t)rnn_layer_output_size(c, l) > s.in_stride)
            s.in_stride = (size_t)rnn_layer_output_size(c, l);
    }
    s.F = (size_t)rnn_feature_size(c);
    for (int j = 0; j < c->num_dense; j++) s.dense += (size_t)c->dense[j].units;
    s.out_steps = c->head == RNN_HEAD_NONE ? 0 : c->head == RNN_HEAD_MANY_TO_MANY ? s.T : 1;
    return s;
}

/* Doubles a trace holds, computed in double so that absurd sizes cannot wrap around. */
static double trace_values(const RnnConfig *c, int steps) {
    TraceShape s = trace_shape(c, steps);
    double v = (double)s.L * s.T * s.in_stride; /* input */
    v += (double)s.states * (s.lstm ? 2 : 1);   /* h, c */
    v += 4.0 * s.gates;                         /* gate_ih, gate_hh, pre, gate */
    v += (double)s.out_steps * ((double)s.F + s.dense + 2.0 * s.K); /* feature, dense, head */
    return v;
}

size_t rnn_trace_bytes(const RnnConfig *config, int steps) {
    if (steps < 1) return sizeof(RnnTrace);
    RnnConfig c = *config;
    rnn_config_normalize(&c);
    double bytes = sizeof(RnnTrace) + trace_values(&c, steps) * sizeof(double) +
                   (double)steps * (sizeof(int) + 1);
    return bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

/* Points the trace's arrays into its value block, laid out for `steps` time steps. */
static void carve_trace(RnnTrace *tr, int steps) {
    const RnnConfig *c = &tr->config;
    TraceShape s = trace_shape(c, steps);
    tr->steps = steps;
    tr->in_stride = (int)s.in_stride;
    tr->out_steps = (int)s.out_steps;
    double *p = tr->values;
    tr->input = p, p += s.L * s.T * s.in_stride;
    tr->h = p, p += s.states;
    tr->c = NULL;
    if (s.lstm) tr->c = p, p += s.states;
    tr->gate_ih = p, p += s.gates;
    tr->gate_hh = p, p += s.gates;
    tr->gate_pre = p, p += s.gates;
    tr->gate = p, p += s.gates;
    size_t state_at = 0, gate_at = 0;
    for (int l = 0; l < c->num_layers; l++) {
        size_t TH = s.T * (size_t)rnn_layer_hidden(c, l);
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            tr->state_at[l][d] = state_at, state_at += TH;
            tr->gate_at[l][d] = gate_at, gate_at += TH * (size_t)rnn_layer_gates(c, l);
        }
    }
    tr->feature = tr->logits = tr->probs = NULL;
    for (int j = 0; j < RNN_MAX_DENSE; j++) tr->dense[j] = NULL;
    if (s.out_steps) {
        tr->feature = p, p += s.out_steps * s.F;
        for (int j = 0; j < c->num_dense; j++)
            tr->dense[j] = p, p += s.out_steps * (size_t)c->dense[j].units;
        tr->logits = p, p += s.out_steps * s.K;
        tr->probs = p, p += s.out_steps * s.K;
    }
    tr->padding = (unsigned char *)(tr->token_ids + tr->capacity);
}

RnnTrace *rnn_trace_new(const RnnConfig *c, int steps, RnnError *err) {
    if (rnn_config_check(c, err)) return NULL;
    if (steps < 1) {
        rnn_error_set(err, "a trace needs at least one time step");
        return NULL;
    }
    size_t bytes = rnn_trace_bytes(c, steps);
    RnnTrace *tr = bytes == SIZE_MAX ? NULL : calloc(1, bytes);
    if (!tr) {
        rnn_error_set(err, "out of memory for a trace of %d steps (%.0f MiB)", steps,
                      (double)bytes / (1 << 20));
        return NULL;
    }
    tr->config = *c;
    rnn_config_normalize(&tr->config);
    tr->capacity = steps;
    tr->num_values = (size_t)trace_values(&tr->config, steps);
    /* One block: the struct, the doubles, then the token ids. */
    tr->values = (double *)(tr + 1);
    tr->token_ids = (int *)(tr->values + tr->num_values);
    carve_trace(tr, steps);
    return tr;
}

int rnn_trace_resize(RnnTrace *tr, int steps, RnnError *err) {
    if (steps < 1 || steps > tr->capacity)
        return rnn_error_set(err, "a trace made for %d steps cannot hold %d", tr->capacity, steps);
    carve_trace(tr, steps);
    return 0;
}

void rnn_trace_free(RnnTrace *trace) {
    free(trace);
}

/* Position read just before t in direction d, or -1 if t is the first position read. */
static int prev_position(const RnnTrace *tr, int d, int t) {
    int p = d == 0 ? t - 1 : t + 1;
    return p < 0 || p >= tr->steps ? -1 : p;
}

const double *rnn_trace_prev_h(const RnnTrace *tr, int l, int d, int t) {
    int p = prev_position(tr, d, t);
    return p < 0 ? NULL : tr->h + rnn_trace_state_index(tr, l, d, p);
}

const double *rnn_trace_prev_c(const RnnTrace *tr, int l, int d, int t) {
    int p = prev_position(tr, d, t);
    return p < 0 || !tr->c ? NULL : tr->c + rnn_trace_state_index(tr, l, d, p);
}

/* ---- the model's forward pass --------------------------------------------------------------- */

static int same_shape(const RnnConfig *a, const RnnConfig *b) {
    if (!(a->input_size == b->input_size && a->num_layers == b->num_layers && a->head == b->head &&
          a->num_labels == b->num_labels && a->num_dense == b->num_dense &&
          a->head_activation == b->head_activation && a->mask_zero == b->mask_zero))
        return 0;
    for (int l = 0; l < a->num_layers; l++)
        if (memcmp(&a->layers[l], &b->layers[l], sizeof a->layers[l]) != 0) return 0;
    for (int j = 0; j < a->num_dense; j++)
        if (a->dense[j].units != b->dense[j].units ||
            a->dense[j].activation != b->dense[j].activation)
            return 0;
    return 1;
}

/* Layer l's output as the next layer (or the head) reads it, from the forward direction's h
 * at t_fwd and the backward direction's at t_bwd, merged as the layer says (D*H or H). */
void rnn_merge_directions(const RnnTrace *tr, int l, int t_fwd, int t_bwd, double *out) {
    const RnnLayerConfig *lc = &tr->config.layers[l];
    int H = lc->hidden_size;
    const double *f = tr->h + rnn_trace_state_index(tr, l, 0, t_fwd);
    if (!lc->bidirectional) {
        memcpy(out, f, (size_t)H * sizeof *out);
        return;
    }
    const double *b = tr->h + rnn_trace_state_index(tr, l, 1, t_bwd);
    switch (lc->merge) {
    case RNN_MERGE_CONCAT:
        memcpy(out, f, (size_t)H * sizeof *out);
        memcpy(out + H, b, (size_t)H * sizeof *out);
        break;
    case RNN_MERGE_SUM:
        for (int j = 0; j < H; j++) out[j] = f[j] + b[j];
        break;
    case RNN_MERGE_MUL:
        for (int j = 0; j < H; j++) out[j] = f[j] * b[j];
        break;
    case RNN_MERGE_AVE:
        for (int j = 0; j < H; j++) out[j] = (f[j] + b[j]) / 2.0;
        break;
    }
}

/* Layer 0 reads the embedding rows (or the raw vectors). */
int rnn_load_inputs(const RnnModel *model, const int *token_ids, const double *vectors,
                    RnnTrace *tr, RnnError *err) {
    const RnnConfig *c = &model->config;
    int T = tr->steps, I = c->input_size;
    for (int t = 0; t < T; t++) {
        double *x = tr->input + (size_t)t * tr->in_stride;
        if (token_ids) {
            int id = token_ids[t];
            if (id < 0 || id >= c->vocab_size)
                return rnn_error_set(err, "token id %d at step %d is outside the vocabulary", id,
                                     t);
            memcpy(x, model->embedding + (size_t)id * I, (size_t)I * sizeof *x);
            tr->token_ids[t] = id;
            tr->padding[t] = c->mask_zero && id == 0;
        } else {
            memcpy(x, vectors + (size_t)t * I, (size_t)I * sizeof *x);
            tr->token_ids[t] = -1;
            tr->padding[t] = 0;
        }
    }
    return 0;
}

/* The head: the Dense layers, then logits = W x + b and probs = the head's activation. */
void rnn_head_forward(const RnnModel *model, RnnTrace *tr) {
    const RnnConfig *c = &model->config;
    int T = tr->steps, F = rnn_feature_size(c), top = c->num_layers - 1, K = c->num_labels;
    for (int o = 0; o < tr->out_steps; o++) {
        double *feature = tr->feature + (size_t)o * F;
        if (c->head != RNN_HEAD_MANY_TO_MANY)
            rnn_merge_directions(tr, top, T - 1, 0, feature); /* PyTorch's h_n */
        else
            rnn_merge_directions(tr, top, o, o, feature);
        const double *x = feature;
        int in = F;
        for (int j = 0; j < c->num_dense; j++) {
            /* y = act(W x + b) */
            int units = c->dense[j].units;
            double *y = tr->dense[j] + (size_t)o * units;
            affine(y, model->dense_weight[j], model->dense_bias[j], x, units, in);
            for (int k = 0; k < units; k++) y[k] = rnn_activate(c->dense[j].activation, y[k]);
            x = y, in = units;
        }
        double *logits = tr->logits + (size_t)o * K, *probs = tr->probs + (size_t)o * K;
        affine(logits, model->head_weight, model->head_bias, x, K, in);
        if (c->head_activation == RNN_ACT_SOFTMAX)
            rnn_softmax(logits, K, probs);
        else /* a regression's numbers are the logits themselves (linear) */
            for (int k = 0; k < K; k++) probs[k] = rnn_activate(c->head_activation, logits[k]);
    }
}

/* One layer and direction of any model, one cell step after the other (version 2 layers
 * and masked padding). A padding step (mask_zero) computes nothing: the direction keeps the
 * state it had, and the step's gates stay zero. */
static void layer_forward_steps(const RnnModel *model, int l, int d, RnnTrace *tr) {
    const RnnConfig *c = &model->config;
    const RnnLayerConfig *lc = &c->layers[l];
    int T = tr->steps, H = lc->hidden_size, GH = rnn_gate_count(lc->cell) * H;
    int in = rnn_layer_input_size(c, l);
    for (int s = 0; s < T; s++) {
        int t = d == 0 ? s : T - 1 - s; /* the backward direction reads from the end */
        size_t hi = rnn_trace_state_index(tr, l, d, t), gi = rnn_trace_gate_index(tr, l, d, t, 0);
        const double *h_prev = rnn_trace_prev_h(tr, l, d, t);
        const double *c_prev = rnn_trace_prev_c(tr, l, d, t);
        double *c_out = tr->c ? tr->c + hi : NULL;
        if (tr->padding[t]) {
            for (int j = 0; j < H; j++) tr->h[hi + j] = h_prev ? h_prev[j] : 0.0;
            if (c_out)
                for (int j = 0; j < H; j++) c_out[j] = c_prev ? c_prev[j] : 0.0;
            for (int r = 0; r < GH; r++)
                tr->gate_ih[gi + r] = tr->gate_hh[gi + r] = tr->gate_pre[gi + r] =
                    tr->gate[gi + r] = 0.0;
            continue;
        }
        rnn_layer_cell_forward(lc, in, &model->layer[l][d], rnn_trace_input(tr, l, t), h_prev,
                               c_prev, tr->gate_ih + gi, tr->gate_hh + gi, tr->gate_pre + gi,
                               tr->gate + gi, tr->h + hi, c_out);
    }
}

/* One layer and direction of one sequence with the row kernels: W_ih x_t for every step
 * at once, then the recurrence. The same sums in the same order as rnn_cell_forward. scratch:
 * G*H*(In + H) doubles for the transposed weights, then 2T row pointers. */
static void layer_forward_rows(const RnnConfig *c, const RnnLayerParams *p, int l, int d,
                               double *scratch, RnnTrace *tr) {
    const RnnLayerConfig *lc = &c->layers[l];
    int T = tr->steps, H = lc->hidden_size, in = rnn_layer_input_size(c, l);
    int GH = rnn_gate_count(lc->cell) * H;
    RnnNonlinearity act = lc->activation == RNN_ACT_RELU ? RNN_RELU : RNN_TANH;
    double *wt_ih = scratch;                 /* (In, G*H) */
    double *wt_hh = wt_ih + (size_t)in * GH; /* (H, G*H) */
    double **out = (double **)(wt_hh + (size_t)H * GH);
    const double **x = (const double **)(out + T);
    for (int r = 0; r < GH; r++) {
        for (int k = 0; k < in; k++) wt_ih[(size_t)k * GH + r] = p->weight_ih[(size_t)r * in + k];
        for (int k = 0; k < H; k++) wt_hh[(size_t)k * GH + r] = p->weight_hh[(size_t)r * H + k];
    }
    /* ih = W_ih x_t + b_ih for every step: it does not wait for h */
    for (int t = 0; t < T; t++) {
        out[t] = tr->gate_ih + rnn_trace_gate_index(tr, l, d, t, 0);
        x[t] = rnn_trace_input(tr, l, t);
    }
    rnn_rows_matmul(out, x, wt_ih, p->bias_ih, T, in, GH);
    for (int s = 0; s < T; s++) {
        int t = d == 0 ? s : T - 1 - s; /* the backward direction reads from the end */
        size_t hi = rnn_trace_state_index(tr, l, d, t);
        size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
        const double *h_prev = rnn_trace_prev_h(tr, l, d, t);
        double *hh = tr->gate_hh + gi;
        /* hh = W_hh h_prev + b_hh (b_hh + 0 at the first step, as affine() computes it) */
        if (h_prev)
            rnn_rows_matmul(&hh, &h_prev, wt_hh, p->bias_hh, 1, H, GH);
        else
            for (int r = 0; r < GH; r++) hh[r] = p->bias_hh[r] + 0.0;
        rnn_cell_activations(lc->cell, act, H, tr->gate_ih + gi, hh, h_prev,
                             rnn_trace_prev_c(tr, l, d, t), tr->gate_pre + gi, tr->gate + gi,
                             tr->h + hi, tr->c ? tr->c + hi : NULL, NULL);
    }
}

int rnn_model_forward(const RnnModel *model, const int *token_ids, const double *vectors,
                      RnnTrace *tr, RnnError *err) {
    const RnnConfig *c = &model->config;
    int T = tr->steps;
    if (!same_shape(c, &tr->config)) return rnn_error_set(err, "trace made for another model");
    if ((token_ids == NULL) == (vectors == NULL))
        return rnn_error_set(err, "give either token ids or input vectors");
    if (token_ids && c->vocab_size == 0)
        return rnn_error_set(err, "this model has no vocabulary: give input vectors");

    if (rnn_load_inputs(model, token_ids, vectors, tr, err)) return -1;
    int padded = 0;
    for (int t = 0; t < T; t++) padded |= tr->padding[t];

    /* Scratch for one layer and direction's weights, transposed for the row kernels, and
     * their row pointers; without it (out of memory) the cells run one step at a time, with
     * the same result. */
    size_t wt_values = 0;
    for (int l = 0; l < c->num_layers; l++) {
        size_t H = (size_t)rnn_layer_hidden(c, l);
        size_t v = (size_t)rnn_layer_gates(c, l) * H * ((size_t)rnn_layer_input_size(c, l) + H);
        if (v > wt_values) wt_values = v;
    }
    double *wt = malloc(wt_values * sizeof(double) + 2 * (size_t)T * sizeof(double *));
    for (int l = 0; l < c->num_layers; l++) {
        const RnnLayerConfig *lc = &c->layers[l];
        int in = rnn_layer_input_size(c, l), H = lc->hidden_size;
        RnnNonlinearity act = lc->activation == RNN_ACT_RELU ? RNN_RELU : RNN_TANH;
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            if (padded || !layer_is_classic(lc))
                layer_forward_steps(model, l, d, tr);
            else if (wt)
                layer_forward_rows(c, &model->layer[l][d], l, d, wt, tr);
            else
                for (int s = 0; s < T; s++) {
                    int t = d == 0 ? s : T - 1 - s; /* the backward direction reads from the end */
                    size_t hi = rnn_trace_state_index(tr, l, d, t);
                    size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
                    rnn_cell_forward(lc->cell, act, in, H, &model->layer[l][d],
                                     rnn_trace_input(tr, l, t), rnn_trace_prev_h(tr, l, d, t),
                                     rnn_trace_prev_c(tr, l, d, t), tr->gate_ih + gi,
                                     tr->gate_hh + gi, tr->gate_pre + gi, tr->gate + gi, tr->h + hi,
                                     tr->c ? tr->c + hi : NULL);
                }
        }
        if (l + 1 < c->num_layers) {
            for (int t = 0; t < T; t++)
                rnn_merge_directions(tr, l, t, t,
                                     tr->input + ((size_t)(l + 1) * T + t) * tr->in_stride);
        }
    }
    free(wt);

    rnn_head_forward(model, tr);
    return 0;
}

/* ---- convenience: sentence or vectors in, trace out ---------------------------------------- */

static RnnTrace *new_bounded_trace(const RnnConfig *c, int steps, size_t max_bytes, RnnError *err) {
    size_t bytes = rnn_trace_bytes(c, steps);
    if (max_bytes && bytes > max_bytes) {
        rnn_error_set(err, "%d steps need %.0f MiB for the trace, over the %.0f MiB limit", steps,
                      (double)bytes / (1 << 20), (double)max_bytes / (1 << 20));
        return NULL;
    }
    return rnn_trace_new(c, steps, err);
}

int rnn_model_run_text(const RnnModel *m, const char *text, size_t max_trace_bytes,
                       RnnTokens *tokens, RnnTrace **trace, RnnError *err) {
    *trace = NULL;
    memset(tokens, 0, sizeof *tokens);
    if (m->config.vocab_size == 0)
        return rnn_error_set(err, "this model has no vocabulary: it reads input vectors, not "
                                  "sentences");
    if (!rnn_model_has_words(m))
        return rnn_error_set(err, "this model has no word list: give token ids, or a Keras "
                                  "tokenizer file when importing it");
    if (m->text_rule.keras ? rnn_tokenize_keras(text, &m->text_rule, tokens, err)
                           : rnn_tokenize(text, tokens, err))
        return -1;
    if (m->text_rule.keras && m->unk_id < 0) { /* Keras drops words it has no index for */
        int kept = 0;
        for (int t = 0; t < tokens->count; t++)
            if (rnn_model_token_id(m, tokens->text[t]) >= 0) {
                tokens->text[kept] = tokens->text[t];
                tokens->offset[kept] = tokens->offset[t];
                tokens->length[kept++] = tokens->length[t];
            }
        tokens->count = kept;
    }
    if (tokens->count == 0) {
        rnn_tokens_free(tokens);
        return rnn_error_set(err, "the sentence has no words");
    }
    int *ids = malloc((size_t)tokens->count * sizeof *ids);
    RnnTrace *tr = ids ? new_bounded_trace(&m->config, tokens->count, max_trace_bytes, err) : NULL;
    if (!ids) rnn_error_set(err, "out of memory");
    int rc = -1;
    if (tr) {
        rc = 0;
        for (int t = 0; t < tokens->count && !rc; t++) {
            ids[t] = rnn_model_token_id(m, tokens->text[t]);
            if (ids[t] < 0)
                rc = rnn_error_set(err,
                                   "\"%s\" is not in the vocabulary, and the model has no word "
                                   "for unknown ones",
                                   tokens->text[t]);
        }
        if (!rc) rc = rnn_model_forward(m, ids, NULL, tr, err);
    }
    free(ids);
    if (rc) {
        rnn_trace_free(tr);
        rnn_tokens_free(tokens);
        return -1;
    }
    *trace = tr;
    return 0;
}

int rnn_model_run_ids(const RnnModel *m, const int *ids, int steps, size_t max_trace_bytes,
                      RnnTrace **trace, RnnError *err) {
    *trace = NULL;
    if (m->config.vocab_size == 0)
        return rnn_error_set(err, "this model has no embedding: it reads input vectors, not ids");
    for (int t = 0; t < steps; t++)
        if (ids[t] < 0 || ids[t] >= m->config.vocab_size)
            return rnn_error_set(err, "token id %d (word %d) is outside the vocabulary (0..%d)",
                                 ids[t], t + 1, m->config.vocab_size - 1);
    RnnTrace *tr = new_bounded_trace(&m->config, steps, max_trace_bytes, err);
    if (!tr) return -1;
    if (rnn_model_forward(m, ids, NULL, tr, err)) {
        rnn_trace_free(tr);
        return -1;
    }
    *trace = tr;
    return 0;
}

int rnn_model_run_vectors(const RnnModel *m, const double *vectors, int steps,
                          size_t max_trace_bytes, RnnTrace **trace, RnnError *err) {
    *trace = NULL;
    RnnTrace *tr = new_bounded_trace(&m->config, steps, max_trace_bytes, err);
    if (!tr) return -1;
    if (rnn_model_forward(m, NULL, vectors, tr, err)) {
        rnn_trace_free(tr);
        return -1;
    }
    *trace = tr;
    return 0;
}
