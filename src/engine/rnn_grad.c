/* rnn_grad.c - the gradient trace: one backward pass through time, every step's gradients
 * kept so that they can be shown and checked (rnn_layers_backward_record does the pass), and
 * the what-if changes that make gradients vanish or explode on purpose.
 *
 * Notation as in rnn_backward.c: dq is ∂L/∂q, a gate's `a` is its pre-activation. */
#include "rnn_internal.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- the gradient trace ------------------------------------------------------------------ */

static size_t grad_values(const RnnTrace *tr, size_t params) {
    const RnnConfig *c = &tr->config;
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c), H = (size_t)c->hidden_size;
    size_t T = (size_t)tr->steps, G = (size_t)rnn_gate_count(c->cell), K = (size_t)c->num_labels;
    size_t states = L * D * T * H;
    return (size_t)tr->out_steps * K                     /* dlogits */
           + K                                           /* values */
           + states * (c->cell == RNN_CELL_LSTM ? 2 : 1) /* dh, dc */
           + 2 * states * G                              /* dgate, dgate_hh */
           + L * D * T * (size_t)tr->in_stride           /* dx */
           + 2 * L * D * H                               /* dh0, dc0 */
           + params;                                     /* grads */
}

/* The targets of a pass: the given ones (checked), or the model's own predictions. */
static int set_targets(RnnGrad *g, const RnnModel *m, const RnnTrace *tr, const int *targets,
                       const double *values, RnnError *err) {
    const RnnConfig *c = &m->config;
    int K = c->num_labels;
    if (c->head == RNN_HEAD_REGRESSION) {
        for (int k = 0; k < K; k++) {
            g->values[k] = values ? values[k] : 0.0;
            if (!isfinite(g->values[k]))
                return rnn_error_set(err, "regression target %d is not a finite number", k);
        }
        return 0;
    }
    for (int o = 0; o < tr->out_steps; o++) {
        if (targets) {
            if (targets[o] < 0 || targets[o] >= K)
                return rnn_error_set(err, "target %d of output %d is not a label (0..%d)",
                                     targets[o], o, K - 1);
            g->targets[o] = targets[o];
            continue;
        }
        const double *z = tr->logits + (size_t)o * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (z[k] > z[best]) best = k;
        g->targets[o] = best;
    }
    return 0;
}

RnnGrad *rnn_grad_new(const RnnModel *m, const RnnTrace *tr, const int *targets,
                      const double *values, RnnError *err) {
    const RnnConfig *c = &m->config;
    if (c->head == RNN_HEAD_NONE) {
        rnn_error_set(err, "the model has no head, so there is no loss to take the gradient of");
        return NULL;
    }
    if (memcmp(c, &tr->config, sizeof *c) != 0) {
        rnn_error_set(err, "the trace was made by a model of another shape");
        return NULL;
    }
    size_t n = grad_values(tr, m->num_params);
    size_t ints = (size_t)tr->out_steps;
    /* doubles first, then the ints, in one block */
    RnnGrad *g = calloc(1, sizeof *g + n * sizeof(double) + ints * sizeof(int));
    RnnBackward *bw = g ? rnn_backward_new(c, tr->steps, err) : NULL;
    if (!g || !bw) {
        if (!g) rnn_error_set(err, "out of memory for the gradients of %d steps", tr->steps);
        free(g);
        return NULL;
    }
    const RnnConfig *cc = c;
    size_t L = (size_t)cc->num_layers, D = (size_t)rnn_directions(cc);
    size_t H = (size_t)cc->hidden_size, T = (size_t)tr->steps, G = (size_t)rnn_gate_count(cc->cell);
    size_t K = (size_t)cc->num_labels, states = L * D * T * H;
    g->config = *c;
    g->steps = tr->steps;
    g->in_stride = tr->in_stride;
    g->out_steps = tr->out_steps;
    g->clip_scale = 1.0;
    g->num_values = n;
    double *p = g->buf = (double *)(g + 1);
    g->dlogits = p, p += (size_t)tr->out_steps * K;
    g->values = p, p += K;
    g->dh = p, p += states;
    if (c->cell == RNN_CELL_LSTM) g->dc = p, p += states;
    g->dgate = p, p += states * G;
    g->dgate_hh = p, p += states * G;
    g->dx = p, p += L * D * T * (size_t)tr->in_stride;
    g->dh0 = p, p += L * D * H;
    g->dc0 = p, p += L * D * H;
    g->grads = p, p += m->num_params;
    g->targets = (int *)p;

    if (set_targets(g, m, tr, targets, values, err)) goto fail;
    /* the loss of this one sentence, as training weighs it: many-to-many averages over T */
    RnnExample ex = {tr->steps, NULL, NULL, g->targets, g->values};
    double scale = c->head == RNN_HEAD_MANY_TO_MANY ? 1.0 / tr->steps : 1.0;
    RnnStats stats = {0};
    rnn_example_loss(m, tr, &ex, scale, g->dlogits, &stats);
    g->loss = stats.loss_sum * scale;
    if (rnn_head_backward(m, tr, g->dlogits, g->grads, bw, err) ||
        rnn_layers_backward_record(m, tr, g->grads, bw, g, err))
        goto fail;
    memcpy(g->dh0, bw->dh0, L * D * H * sizeof(double));
    memcpy(g->dc0, bw->dc0, L * D * H * sizeof(double));
    g->norm = rnn_norm(g->grads, m->num_params);
    rnn_backward_free(bw);
    return g;
fail:
    rnn_backward_free(bw);
    free(g);
    return NULL;
}

int rnn_grad_parse_target(const RnnModel *m, const char *text, int steps, int *targets,
                          double *values, RnnError *err) {
    const RnnConfig *c = &m->config;
    int want = c->head == RNN_HEAD_MANY_TO_MANY ? steps
               : c->head == RNN_HEAD_REGRESSION ? c->num_labels
                                                : 1;
    if (c->head == RNN_HEAD_NONE) return rnn_error_set(err, "the model has no head");
    const char *p = text;
    for (int k = 0; k < want; k++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[256];
        if (len >= sizeof item) return rnn_error_set(err, "target %d is too long", k + 1);
        memcpy(item, p, len);
        item[len] = '\0';
        if (c->head == RNN_HEAD_REGRESSION) {
            char *stop;
            values[k] = strtod(item, &stop);
            if (!len || *stop || !isfinite(values[k]))
                return rnn_error_set(err, "target %d ('%s') is not a number", k + 1, item);
        } else if ((targets[k] = rnn_model_label_index(m, item)) < 0) {
            return rnn_error_set(err, "'%s' is not one of the model's labels", item);
        }
        if (k + 1 < want && !end)
            return rnn_error_set(err, "the target names %d value%s, the model needs %d", k + 1,
                                 k ? "s" : "", want);
        if (k + 1 == want && end)
            return rnn_error_set(err, "the target names more than the %d value%s the model needs",
                                 want, want > 1 ? "s" : "");
        p = end ? end + 1 : p + len;
    }
    return 0;
}

void rnn_grad_free(RnnGrad *g) {
    free(g);
}

double rnn_norm(const double *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] * x[i];
    return sqrt(s);
}

void rnn_grad_clip(RnnGrad *g, double max_norm) {
    if (!(max_norm > 0)) return;
    /* training's rule (rnn_trainer_step, clip_grad_norm_): scale whenever the factor is below
     * 1, which includes a norm up to 1e-6 under the limit */
    double coef = max_norm / (g->norm + 1e-6);
    if (!(coef < 1)) return;
    /* every gradient is linear in dlogits, so the whole pass scales (the targets do not) */
    size_t K = (size_t)g->config.num_labels;
    for (size_t i = 0; i < g->num_values; i++)
        if (i < (size_t)g->out_steps * K || i >= (size_t)g->out_steps * K + K) g->buf[i] *= coef;
    g->clip_scale *= coef;
}

/* ---- per-step parameter terms ------------------------------------------------------------ */

void rnn_grad_step_weight_hh(const RnnGrad *g, const RnnTrace *tr, int l, int d, int t,
                             double *out) {
    int H = g->config.hidden_size, G = rnn_gate_count(g->config.cell);
    const double *da = g->dgate_hh + rnn_trace_gate_index(tr, l, d, t, 0);
    const double *h_prev = rnn_trace_prev_h(tr, l, d, t);
    for (int r = 0; r < G * H; r++)
        for (int k = 0; k < H; k++) out[(size_t)r * H + k] = h_prev ? da[r] * h_prev[k] : 0.0;
}

void rnn_grad_step_weight_ih(const RnnGrad *g, const RnnTrace *tr, int l, int d, int t,
                             double *out) {
    int H = g->config.hidden_size, G = rnn_gate_count(g->config.cell);
    int in = rnn_layer_input_size(&g->config, l);
    const double *da = g->dgate + rnn_trace_gate_index(tr, l, d, t, 0);
    const double *x = rnn_trace_input(tr, l, t);
    for (int r = 0; r < G * H; r++)
        for (int k = 0; k < in; k++) out[(size_t)r * in + k] = da[r] * x[k];
}

void rnn_grad_weight_hh_shares(const RnnGrad *g, const RnnTrace *tr, int l, int d, double *shares) {
    /* ⟨da_t ⊗ h_t, W⟩ = Σ_r da_t[r] (W[r] · h_t): no per-step matrix is needed */
    int T = g->steps, H = g->config.hidden_size, G = rnn_gate_count(g->config.cell);
    const double *W = NULL; /* (G*H, H) ∂L/∂W_hh of this layer and direction */
    char name[64];
    snprintf(name, sizeof name, "rnn.weight_hh_l%d%s", l, d ? "_reverse" : "");
    for (int i = 0; i < rnn_tensor_count(&g->config) && !W; i++) {
        RnnTensorInfo info = rnn_tensor_info(&g->config, i);
        if (strcmp(info.name, name) == 0) W = g->grads + info.offset;
    }
    double total = 0;
    for (size_t i = 0; i < (size_t)G * H * H; i++) total += W[i] * W[i];
    for (int t = 0; t < T; t++) {
        const double *da = g->dgate_hh + rnn_trace_gate_index(tr, l, d, t, 0);
        const double *h_prev = rnn_trace_prev_h(tr, l, d, t);
        double dot = 0;
        for (int r = 0; h_prev && r < G * H; r++) {
            double row = 0;
            for (int k = 0; k < H; k++) row += W[(size_t)r * H + k] * h_prev[k];
            dot += da[r] * row;
        }
        shares[t] = total > 0 ? dot / total : 0.0;
    }
}

/* ---- what-if --------------------------------------------------------------------------- */

int rnn_what_if_is_none(const RnnWhatIf *w) {
    return w->weight_hh_scale == 1.0 && w->forget_bias_shift == 0.0 && w->relu < 0 &&
           w->clip == 0.0;
}

int rnn_what_if_apply(RnnModel *m, const RnnWhatIf *w, RnnError *err) {
    RnnConfig *c = &m->config;
    if (!isfinite(w->weight_hh_scale) || !isfinite(w->forget_bias_shift) || !(w->clip >= 0))
        return rnn_error_set(err, "what-if values must be finite (and the clip 0 or positive)");
    if (w->relu >= 0 && c->cell != RNN_CELL_RNN)
        return rnn_error_set(err, "only a vanilla RNN can switch between tanh and relu");
    if (w->forget_bias_shift != 0 && c->cell == RNN_CELL_RNN)
        return rnn_error_set(err, "a vanilla RNN has no forget gate to shift");
    int H = c->hidden_size, G = rnn_gate_count(c->cell);
    int keep = c->cell == RNN_CELL_LSTM ? RNN_LSTM_F : RNN_GRU_Z;
    for (int l = 0; l < c->num_layers; l++)
        for (int d = 0; d < rnn_directions(c); d++) {
            RnnLayerParams *p = &m->layer[l][d];
            for (size_t i = 0; i < (size_t)G * H * H; i++) p->weight_hh[i] *= w->weight_hh_scale;
            if (c->cell != RNN_CELL_RNN)
                for (int j = 0; j < H; j++) p->bias_ih[keep * H + j] += w->forget_bias_shift;
        }
    if (w->relu >= 0) c->nonlinearity = w->relu ? RNN_RELU : RNN_TANH;
    return 0;
}

double rnn_weight_hh_norm(const RnnModel *m, int l, int d) {
    /* power iteration: v ← Wᵀ W v / ‖·‖; σ_max = √(largest eigenvalue of WᵀW) */
    int H = m->config.hidden_size, R = rnn_gate_count(m->config.cell) * H;
    const double *W = m->layer[l][d].weight_hh;
    double *v = malloc(((size_t)H + R) * sizeof *v), *u = v + H; /* (H), (G*H) */
    if (!v) return NAN;
    /* a start with a part along every singular vector, in practice */
    for (int k = 0; k < H; k++) v[k] = (1.0 + 0.01 * k) / sqrt(H);
    double sigma2 = 0;
    for (int round = 0; round < 1000; round++) {
        for (int r = 0; r < R; r++) {
            double s = 0;
            for (int k = 0; k < H; k++) s += W[(size_t)r * H + k] * v[k];
            u[r] = s;
        }
        double next = 0;
        for (int k = 0; k < H; k++) {
            double s = 0;
            for (int r = 0; r < R; r++) s += W[(size_t)r * H + k] * u[r];
            v[k] = s;
            next += s * s;
        }
        next = sqrt(next); /* ‖WᵀW v‖ with ‖v‖ = 1 → the top eigenvalue of WᵀW */
        if (next == 0) break;
        for (int k = 0; k < H; k++) v[k] /= next;
        int done = fabs(next - sigma2) <= 1e-12 * next;
        sigma2 = next;
        if (done) break;
    }
    free(v);
    return sqrt(sigma2);
}
