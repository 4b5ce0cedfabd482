/* rnn_backward.c - backpropagation through time for every configuration the forward pass
 * runs. Each backward function reads what its forward pass left in the trace and
 * accumulates parameter gradients with +=, in the same flat layout as RnnModel.params.
 *
 * Notation: for a quantity q, dq is dLoss/dq. `a` is a gate's pre-activation. */
#include "rnn_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- scratch ------------------------------------------------------------------------------- */

static size_t backward_values(const RnnConfig *c, int steps) {
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c), H = (size_t)c->hidden_size;
    size_t T = (size_t)steps, G = (size_t)rnn_gate_count(c->cell);
    size_t in_max = (size_t)(c->input_size > (int)(D * H) ? c->input_size : (int)(D * H));
    return L * D * T * H       /* dh_out */
           + T * c->input_size /* dinput */
           + 2 * L * D * H     /* dh0, dc0 */
           + 2 * H             /* dh, dc */
           + 2 * G * H         /* da_ih, da_hh */
           + in_max            /* dx */
           + H;                /* dh_prev */
}

RnnBackward *rnn_backward_new(const RnnConfig *c, int capacity, RnnError *err) {
    if (rnn_config_check_uniform(c, err)) return NULL;
    if (capacity < 1) {
        rnn_error_set(err, "backward scratch needs at least one step");
        return NULL;
    }
    size_t n = backward_values(c, capacity);
    RnnBackward *bw = calloc(1, sizeof *bw + n * sizeof(double));
    if (!bw) {
        rnn_error_set(err, "out of memory for backpropagation over %d steps", capacity);
        return NULL;
    }
    bw->config = *c;
    bw->capacity = capacity;
    bw->num_values = n;
    bw->values = (double *)(bw + 1);
    return bw;
}

void rnn_backward_free(RnnBackward *bw) {
    free(bw);
}

/* Carves the scratch for a trace of tr->steps steps and zeroes it. */
static int prepare(RnnBackward *bw, const RnnTrace *tr, RnnError *err) {
    const RnnConfig *c = &bw->config;
    if (tr->steps > bw->capacity)
        return rnn_error_set(err, "backward scratch for %d steps, trace has %d", bw->capacity,
                             tr->steps);
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c), H = (size_t)c->hidden_size;
    size_t T = (size_t)tr->steps, G = (size_t)rnn_gate_count(c->cell);
    size_t in_max = (size_t)(c->input_size > (int)(D * H) ? c->input_size : (int)(D * H));
    double *p = bw->values;
    bw->steps = tr->steps;
    bw->dh_out = p, p += L * D * T * H;
    bw->dinput = p, p += T * c->input_size;
    bw->dh0 = p, p += L * D * H;
    bw->dc0 = p, p += L * D * H;
    bw->dh = p, p += H;
    bw->dc = p, p += H;
    bw->da_ih = p, p += G * H;
    bw->da_hh = p, p += G * H;
    bw->dx = p, p += in_max;
    bw->dh_prev = p, p += H;
    memset(bw->values, 0, (size_t)(p - bw->values) * sizeof(double));
    return 0;
}

/* ---- linear algebra helpers ------------------------------------------------------------------ */

/* dW (rows, cols) += da ⊗ v;  db (rows) += da. v == NULL is the zero vector. */
void rnn_outer_accumulate(double *dW, double *db, const double *da, const double *v, int rows,
                          int cols) {
    for (int r = 0; r < rows; r++) {
        db[r] += da[r];
        if (!v || da[r] == 0) continue;
        double *w = dW + (size_t)r * cols;
        for (int k = 0; k < cols; k++) w[k] += da[r] * v[k];
    }
}

/* out (cols) = Wᵀ da for W (rows, cols). */
static void transpose_times(double *out, const double *W, const double *da, int rows, int cols) {
    memset(out, 0, (size_t)cols * sizeof *out);
    for (int r = 0; r < rows; r++) {
        if (da[r] == 0) continue;
        const double *w = W + (size_t)r * cols;
        for (int k = 0; k < cols; k++) out[k] += da[r] * w[k];
    }
}

/* ---- one cell step -----------------------------------------------------------------------------
 */

/* The cell's nonlinear part backwards: from dh (and dc) to the pre-activation gradients
 * da_ih, da_hh (G*H) and the part of dh_prev (H, may be NULL) that does not go through W_hh.
 * Shared by the one-sequence and the many-sequence passes, so both give the same bits. */
void rnn_cell_gates_backward(RnnCellKind cell, RnnNonlinearity act, int H, const double *h_prev,
                             const double *c_prev, const double *gate_hh, const double *gate_pre,
                             const double *gate, const double *c, const double *tanh_c,
                             const double *dh, double *dc, double *da_ih, double *da_hh,
                             double *dh_prev) {
    if (cell == RNN_CELL_RNN) {
        for (int j = 0; j < H; j++) {
            /* h = act(a):  da = dh · act'(a);  tanh' = 1 - h²,  relu' = [a > 0] */
            double deriv =
                act == RNN_RELU ? (gate_pre[j] > 0 ? 1.0 : 0.0) : 1.0 - gate[j] * gate[j];
            da_ih[j] = da_hh[j] = dh[j] * deriv;
        }
        if (dh_prev) memset(dh_prev, 0, (size_t)H * sizeof *dh_prev);
    } else if (cell == RNN_CELL_LSTM) {
        const double *i = gate + RNN_LSTM_I * H, *f = gate + RNN_LSTM_F * H,
                     *g = gate + RNN_LSTM_G * H, *o = gate + RNN_LSTM_O * H;
        for (int j = 0; j < H; j++) {
            /* h = o ⊙ tanh(c):  do = dh ⊙ tanh(c),  dc += dh ⊙ o ⊙ (1 - tanh²(c)) */
            double tc = tanh_c ? tanh_c[j] : rnn_tanh(c[j]); /* the forward pass's, if it kept it */
            double d_o = dh[j] * tc;
            double d_c = dc[j] + dh[j] * o[j] * (1.0 - tc * tc);
            /* c = f ⊙ c_prev + i ⊙ g */
            double cp = c_prev ? c_prev[j] : 0.0;
            double d_i = d_c * g[j], d_f = d_c * cp, d_g = d_c * i[j];
            dc[j] = d_c * f[j]; /* now dLoss/dc_prev */
            /* through the activations: σ' = σ(1-σ), tanh' = 1 - tanh² */
            /* both copies written here: a memcpy of values just stored one by one would
             * wait for the stores to reach the cache */
            da_ih[RNN_LSTM_I * H + j] = da_hh[RNN_LSTM_I * H + j] = d_i * i[j] * (1.0 - i[j]);
            da_ih[RNN_LSTM_F * H + j] = da_hh[RNN_LSTM_F * H + j] = d_f * f[j] * (1.0 - f[j]);
            da_ih[RNN_LSTM_G * H + j] = da_hh[RNN_LSTM_G * H + j] = d_g * (1.0 - g[j] * g[j]);
            da_ih[RNN_LSTM_O * H + j] = da_hh[RNN_LSTM_O * H + j] = d_o * o[j] * (1.0 - o[j]);
        }
        if (dh_prev) memset(dh_prev, 0, (size_t)H * sizeof *dh_prev);
    } else {
        const double *r = gate + RNN_GRU_R * H, *z = gate + RNN_GRU_Z * H,
                     *n = gate + RNN_GRU_N * H;
        for (int j = 0; j < H; j++) {
            /* h = (1 - z) ⊙ n + z ⊙ h_prev */
            double hp = h_prev ? h_prev[j] : 0.0;
            double d_n = dh[j] * (1.0 - z[j]);
            double d_z = dh[j] * (hp - n[j]);
            /* n = tanh(ih_n + r ⊙ hh_n) */
            double da_n = d_n * (1.0 - n[j] * n[j]);
            double d_r = da_n * gate_hh[RNN_GRU_N * H + j];
            da_ih[RNN_GRU_R * H + j] = da_hh[RNN_GRU_R * H + j] = d_r * r[j] * (1.0 - r[j]);
            da_ih[RNN_GRU_Z * H + j] = da_hh[RNN_GRU_Z * H + j] = d_z * z[j] * (1.0 - z[j]);
            da_ih[RNN_GRU_N * H + j] = da_n;
            da_hh[RNN_GRU_N * H + j] = da_n * r[j];
            if (dh_prev) dh_prev[j] = dh[j] * z[j]; /* the direct path through z ⊙ h_prev */
        }
    }
}

void rnn_cell_backward(RnnCellKind cell, RnnNonlinearity act, int in, int H,
                       const RnnLayerParams *p, const double *x, const double *h_prev,
                       const double *c_prev, const double *gate_hh, const double *gate_pre,
                       const double *gate, const double *c, const double *dh, double *dc,
                       RnnLayerParams *grad, double *da_ih, double *da_hh, double *dx,
                       double *dh_prev) {
    int G = rnn_gate_count(cell);
    rnn_cell_gates_backward(cell, act, H, h_prev, c_prev, gate_hh, gate_pre, gate, c, NULL, dh, dc,
                            da_ih, da_hh, dh_prev);
    /* a_ih = W_ih x + b_ih,  a_hh = W_hh h_prev + b_hh */
    if (grad) {
        rnn_outer_accumulate(grad->weight_ih, grad->bias_ih, da_ih, x, G * H, in);
        rnn_outer_accumulate(grad->weight_hh, grad->bias_hh, da_hh, h_prev, G * H, H);
    }
    if (dx) transpose_times(dx, p->weight_ih, da_ih, G * H, in);
    if (dh_prev) {
        for (int r = 0; r < G * H; r++) {
            if (da_hh[r] == 0) continue;
            const double *w = p->weight_hh + (size_t)r * H;
            for (int k = 0; k < H; k++) dh_prev[k] += da_hh[r] * w[k];
        }
    }
}

/* ---- the model ------------------------------------------------------------------------------- */

/* A view of a flat gradient buffer with the model's tensor layout. */
void rnn_carve_like(const RnnModel *m, double *grads, RnnLayerParams layer[][2], double **embedding,
                    double **head_w, double **head_b) {
    ptrdiff_t shift = grads - m->params;
    for (int l = 0; l < m->config.num_layers; l++)
        for (int d = 0; d < rnn_directions(&m->config); d++) {
            const RnnLayerParams *p = &m->layer[l][d];
            layer[l][d] = (RnnLayerParams){p->weight_ih + shift, p->weight_hh + shift,
                                           p->bias_ih + shift, p->bias_hh + shift};
        }
    *embedding = m->embedding ? m->embedding + shift : NULL;
    *head_w = m->head_weight ? m->head_weight + shift : NULL;
    *head_b = m->head_bias ? m->head_bias + shift : NULL;
}

int rnn_head_backward(const RnnModel *m, const RnnTrace *tr, const double *dlogits, double *grads,
                      RnnBackward *bw, RnnError *err) {
    if (prepare(bw, tr, err)) return -1;
    const RnnConfig *c = &m->config;
    if (c->head == RNN_HEAD_NONE) return rnn_error_set(err, "the model has no head");
    int T = tr->steps, H = c->hidden_size, D = rnn_directions(c), K = c->num_labels;
    int top = c->num_layers - 1;
    RnnLayerParams glayer[RNN_MAX_LAYERS][2];
    double *g_emb, *g_hw = NULL, *g_hb = NULL;
    if (grads) rnn_carve_like(m, grads, glayer, &g_emb, &g_hw, &g_hb);
    for (int o = 0; o < tr->out_steps; o++) {
        const double *dz = dlogits + (size_t)o * K;
        const double *feature = tr->feature + (size_t)o * D * H;
        /* logits = W feature + b */
        if (grads) rnn_outer_accumulate(g_hw, g_hb, dz, feature, K, D * H);
        double *dfeat = bw->dx; /* D*H fits: dx holds max(I, D*H) */
        transpose_times(dfeat, m->head_weight, dz, K, D * H);
        /* many-to-one reads h_fwd[T-1] and h_bwd[0]; many-to-many reads position o */
        int t_fwd = c->head != RNN_HEAD_MANY_TO_MANY ? T - 1 : o;
        int t_bwd = c->head != RNN_HEAD_MANY_TO_MANY ? 0 : o;
        for (int d = 0; d < D; d++) {
            double *dst = bw->dh_out + rnn_trace_state_index(tr, top, d, d ? t_bwd : t_fwd);
            for (int j = 0; j < H; j++) dst[j] += dfeat[d * H + j];
        }
    }
    return 0;
}

/* The recorder's share of one step: the total dh_t (head + layer above + step read after
 * this one), and for an LSTM the total dc_t, i.e. what arrives through c_{t+1} plus the path
 * through h_t: dc_t = dc_carry + dh_t ⊙ o_t ⊙ (1 − tanh²(c_t)), the same expression as
 * rnn_cell_gates_backward uses, so both hold the same bits. */
static void record_states(RnnGrad *rec, const RnnTrace *tr, size_t hi, const double *dh,
                          const double *dc_carry) {
    int H = tr->config.hidden_size;
    memcpy(rec->dh + hi, dh, (size_t)H * sizeof *dh);
    if (!rec->dc) return;
    const double *o = tr->gate + (hi / H) * 4 * H + RNN_LSTM_O * H; /* G = 4 */
    for (int j = 0; j < H; j++) {
        double tc = rnn_tanh(tr->c[hi + j]);
        rec->dc[hi + j] = dc_carry[j] + dh[j] * o[j] * (1.0 - tc * tc);
    }
}

int rnn_layers_backward(const RnnModel *m, const RnnTrace *tr, double *grads, RnnBackward *bw,
                        RnnError *err) {
    return rnn_layers_backward_record(m, tr, grads, bw, NULL, err);
}

int rnn_layers_backward_record(const RnnModel *m, const RnnTrace *tr, double *grads,
                               RnnBackward *bw, RnnGrad *rec, RnnError *err) {
    const RnnConfig *c = &m->config;
    if (bw->steps != tr->steps)
        return rnn_error_set(err, "backward scratch not prepared for this trace");
    int T = tr->steps, H = c->hidden_size, D = rnn_directions(c), I = c->input_size;
    RnnLayerParams glayer[RNN_MAX_LAYERS][2];
    double *g_emb = NULL, *g_hw, *g_hb;
    if (grads) rnn_carve_like(m, grads, glayer, &g_emb, &g_hw, &g_hb);

    for (int l = c->num_layers - 1; l >= 0; l--) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < D; d++) {
            /* carried from the step read after this one: dh (through h_prev) and dc */
            double *dh_carry = bw->dh_prev, *dc = bw->dc;
            memset(dh_carry, 0, (size_t)H * sizeof *dh_carry);
            memset(dc, 0, (size_t)H * sizeof *dc);
            for (int s = T - 1; s >= 0; s--) {
                int t = d == 0 ? s : T - 1 - s;
                size_t hi = rnn_trace_state_index(tr, l, d, t);
                size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
                for (int j = 0; j < H; j++) bw->dh[j] = bw->dh_out[hi + j] + dh_carry[j];
                if (rec) record_states(rec, tr, hi, bw->dh, dc);
                const double *x = rnn_trace_input(tr, l, t);
                rnn_cell_backward(
                    c->cell, c->nonlinearity, in, H, &m->layer[l][d], x,
                    rnn_trace_prev_h(tr, l, d, t), rnn_trace_prev_c(tr, l, d, t), tr->gate_hh + gi,
                    tr->gate_pre + gi, tr->gate + gi, tr->c ? tr->c + hi : NULL, bw->dh, dc,
                    grads ? &glayer[l][d] : NULL, bw->da_ih, bw->da_hh, bw->dx, dh_carry);
                if (rec) {
                    size_t n = (size_t)rnn_gate_count(c->cell) * H;
                    memcpy(rec->dgate + gi, bw->da_ih, n * sizeof(double));
                    memcpy(rec->dgate_hh + gi, bw->da_hh, n * sizeof(double));
                    memcpy(rnn_grad_dx(rec, l, d, t), bw->dx, (size_t)in * sizeof(double));
                }
                /* dx flows to the layer below (its two directions' halves) or the input */
                if (l > 0) {
                    for (int dd = 0; dd < D; dd++) {
                        double *dst = bw->dh_out + rnn_trace_state_index(tr, l - 1, dd, t);
                        for (int j = 0; j < H; j++) dst[j] += bw->dx[dd * H + j];
                    }
                } else {
                    double *dst = bw->dinput + (size_t)t * I;
                    for (int k = 0; k < I; k++) dst[k] += bw->dx[k];
                }
            }
            /* what reached the zero initial state */
            memcpy(bw->dh0 + ((size_t)l * D + d) * H, dh_carry, (size_t)H * sizeof *dh_carry);
            if (c->cell == RNN_CELL_LSTM)
                memcpy(bw->dc0 + ((size_t)l * D + d) * H, dc, (size_t)H * sizeof *dc);
        }
    }
    /* The embedding row of each token gets its input's gradient. */
    if (grads && g_emb) {
        for (int t = 0; t < T; t++) {
            int id = tr->token_ids[t];
            if (id < 0) continue;
            double *row = g_emb + (size_t)id * I;
            for (int k = 0; k < I; k++) row[k] += bw->dinput[(size_t)t * I + k];
        }
    }
    return 0;
}

int rnn_model_backward(const RnnModel *m, const RnnTrace *tr, const double *dlogits, double *grads,
                       RnnBackward *bw, RnnError *err) {
    if (rnn_head_backward(m, tr, dlogits, grads, bw, err)) return -1;
    return rnn_layers_backward(m, tr, grads, bw, err);
}

int rnn_backward_seed(RnnBackward *bw, const RnnTrace *tr, RnnError *err) {
    return prepare(bw, tr, err);
}

/* ---- losses ---------------------------------------------------------------------------------- */

double rnn_cross_entropy(const double *logits, int K, int target, double scale, double *dlogits) {
    /* loss = logsumexp(z) - z_target;  dz = softmax(z) - onehot(target) */
    double max = logits[0];
    for (int k = 1; k < K; k++)
        if (logits[k] > max) max = logits[k];
    double sum = 0;
    for (int k = 0; k < K; k++) sum += exp(logits[k] - max);
    double lse = max + log(sum);
    if (dlogits)
        for (int k = 0; k < K; k++)
            dlogits[k] += scale * (exp(logits[k] - lse) - (k == target ? 1.0 : 0.0));
    return lse - logits[target];
}

/* ---- sensitivity: how strongly the final state depends on each input ------------------------- */

int rnn_sensitivity(const RnnModel *m, const RnnTrace *tr, RnnBackward *bw, double *norms,
                    RnnError *err) {
    /* ‖∂h_T/∂x_t‖_F over t, with h_T the state the head reads (top layer; forward at T-1,
     * backward at 0) and x_t the input vector of step t: one backward pass per unit of h_T,
     * each seeded with a unit vector, summing the squared input gradients. */
    const RnnConfig *c = &m->config;
    int T = tr->steps, H = c->hidden_size, D = rnn_directions(c), I = c->input_size;
    int top = c->num_layers - 1;
    for (int t = 0; t < T; t++) norms[t] = 0;
    for (int d = 0; d < D; d++) {
        for (int j = 0; j < H; j++) {
            if (rnn_backward_seed(bw, tr, err)) return -1;
            bw->dh_out[rnn_trace_state_index(tr, top, d, d ? 0 : T - 1) + j] = 1.0;
            if (rnn_layers_backward(m, tr, NULL, bw, err)) return -1;
            for (int t = 0; t < T; t++)
                for (int k = 0; k < I; k++) {
                    double g = bw->dinput[(size_t)t * I + k];
                    norms[t] += g * g;
                }
        }
    }
    for (int t = 0; t < T; t++) norms[t] = sqrt(norms[t]);
    return 0;
}
