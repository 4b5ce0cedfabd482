/* rnn_grad.c - the gradient trace: one backward pass through time, every step's gradients
 * kept so that they can be shown and checked (rnn_layers_backward_record does the pass), and
 * the what-if changes that make gradients vanish or explode on purpose.
 *
 * Notation as in rnn_backward.c: dq is ∂L/∂q, a gate's `a` is its pre-activation. */
#include "rnn_internal.h"

#include <float.h>
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
    for (int l = 0; l < c->num_layers; l++) {
        RnnLayerConfig *lc = &c->layers[l];
        int H = lc->hidden_size, G = rnn_gate_count(lc->cell);
        int keep = lc->cell == RNN_CELL_LSTM ? RNN_LSTM_F : RNN_GRU_Z;
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            RnnLayerParams *p = &m->layer[l][d];
            for (size_t i = 0; i < (size_t)G * H * H; i++) p->weight_hh[i] *= w->weight_hh_scale;
            if (lc->cell != RNN_CELL_RNN)
                for (int j = 0; j < H; j++) p->bias_ih[keep * H + j] += w->forget_bias_shift;
        }
        if (w->relu >= 0 && lc->cell == RNN_CELL_RNN)
            lc->activation = w->relu ? RNN_ACT_RELU : RNN_ACT_TANH;
    }
    if (w->relu >= 0) c->nonlinearity = w->relu ? RNN_RELU : RNN_TANH;
    return 0;
}

/* Householder reduction of the symmetric A (n, n; overwritten) to a tridiagonal matrix with
 * the same eigenvalues: diagonal a (n), off-diagonal b (n - 1). v, p: (n) scratch. */
static void tridiagonalize(double *A, int n, double *a, double *b, double *v, double *p) {
    for (int k = 0; k + 2 < n; k++) {
        a[k] = A[(size_t)k * n + k];
        /* the reflection P = I − 2 v vᵀ (‖v‖ = 1) that maps x = column k below the diagonal
         * to α e₁, α = −sign(x₀) ‖x‖ (no cancellation in v₀ = x₀ − α) */
        int m = n - k - 1;
        double *B = A + (size_t)(k + 1) * n + (k + 1); /* the trailing (m, m) block, stride n */
        double xx = 0;
        for (int i = 0; i < m; i++) {
            v[i] = A[(size_t)(k + 1 + i) * n + k];
            xx += v[i] * v[i];
        }
        double alpha = v[0] >= 0 ? -sqrt(xx) : sqrt(xx);
        b[k] = alpha;
        v[0] -= alpha;
        double vv = 0;
        for (int i = 0; i < m; i++) vv += v[i] * v[i];
        if (vv == 0) continue; /* x is already α e₁ */
        for (int i = 0; i < m; i++) v[i] /= sqrt(vv);
        /* P B P = B − 2 (v wᵀ + w vᵀ) with p = B v, w = p − (vᵀp) v */
        double vp = 0;
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) s += B[(size_t)i * n + j] * v[j];
            p[i] = s;
            vp += v[i] * s;
        }
        for (int i = 0; i < m; i++) p[i] -= vp * v[i];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) B[(size_t)i * n + j] -= 2 * (v[i] * p[j] + p[i] * v[j]);
    }
    if (n >= 2) {
        a[n - 2] = A[(size_t)(n - 2) * n + (n - 2)];
        b[n - 2] = A[(size_t)(n - 1) * n + (n - 2)];
    }
    a[n - 1] = A[(size_t)(n - 1) * n + (n - 1)];
}

/* The largest eigenvalue of the symmetric tridiagonal matrix (a, b) of order n, by bisection
 * on Sturm counts (the eigenvalues below x are the negative pivots of T − xI) between the
 * Gershgorin bounds, down to two neighbouring doubles. */
static double tridiagonal_largest_eigenvalue(const double *a, const double *b, int n) {
    double lo = a[0], hi = a[0], b2max = 0;
    for (int i = 0; i < n; i++) {
        double r = (i > 0 ? fabs(b[i - 1]) : 0) + (i + 1 < n ? fabs(b[i]) : 0);
        lo = fmin(lo, a[i] - r);
        hi = fmax(hi, a[i] + r);
        if (i + 1 < n) b2max = fmax(b2max, b[i] * b[i]);
    }
    double pivmin = DBL_MIN * fmax(1.0, b2max); /* keeps a zero pivot from dividing by 0 */
    for (;;) {
        double mid = lo + (hi - lo) / 2;
        if (!(mid > lo && mid < hi)) break;
        int below = 0;
        double q = 1;
        for (int i = 0; i < n; i++) {
            q = a[i] - mid - (i ? b[i - 1] * b[i - 1] / q : 0);
            if (fabs(q) < pivmin) q = -pivmin;
            below += q < 0;
        }
        if (below == n)
            hi = mid; /* every eigenvalue is below mid */
        else
            lo = mid;
    }
    return hi;
}

double rnn_weight_hh_norm(const RnnModel *m, int l, int d) {
    /* σ_max(W) = √λ_max(WᵀW). WᵀW (H, H) is reduced to tridiagonal form and its largest
     * eigenvalue found by bisection: exact to rounding for every W, where power iteration
     * stalls when the two largest singular values are close (1e-4 apart it still missed by
     * 6e-6 after 1000 rounds). W is divided by its largest |entry| first, so that WᵀW neither
     * overflows nor underflows. */
    int H = rnn_layer_hidden(&m->config, l), R = rnn_layer_gates(&m->config, l) * H;
    const double *W = m->layer[l][d].weight_hh;
    double scale = 0;
    for (size_t i = 0; i < (size_t)R * H; i++) scale = fmax(scale, fabs(W[i]));
    if (scale == 0) return 0;
    if (!isfinite(scale)) return NAN;
    double *A = malloc(((size_t)H * H + 4 * (size_t)H) * sizeof *A);
    if (!A) return NAN;
    double *a = A + (size_t)H * H, *b = a + H, *v = b + H, *p = v + H;
    /* A = (W/scale)ᵀ (W/scale), row by row of W (the lower triangle, then mirrored) */
    memset(A, 0, (size_t)H * H * sizeof *A);
    for (int r = 0; r < R; r++) {
        const double *w = W + (size_t)r * H;
        for (int i = 0; i < H; i++) {
            double wi = w[i] / scale;
            for (int j = 0; j <= i; j++) A[(size_t)i * H + j] += wi * (w[j] / scale);
        }
    }
    for (int i = 0; i < H; i++)
        for (int j = 0; j < i; j++) A[(size_t)j * H + i] = A[(size_t)i * H + j];
    tridiagonalize(A, H, a, b, v, p);
    double lambda = tridiagonal_largest_eigenvalue(a, b, H);
    free(A);
    return scale * sqrt(fmax(lambda, 0));
}

/* ---- the chain rule of one gradient ---------------------------------------------------------- */

double rnn_grad_value(const RnnGrad *g, const RnnTrace *tr, int l, int d, int t, int quantity,
                      int unit) {
    if (quantity == RNN_QUANTITY_H) return g->dh[rnn_trace_state_index(tr, l, d, t) + unit];
    if (quantity == RNN_QUANTITY_C)
        return g->dc ? g->dc[rnn_trace_state_index(tr, l, d, t) + unit] : 0.0;
    return g->dgate[rnn_trace_gate_index(tr, l, d, t, quantity) + unit];
}

/* What reaches h_t of (l, d) from outside the layer: the head's rows that read it, or the
 * input gradients of the layer above (both of its directions). */
static double from_above(const RnnModel *m, const RnnTrace *tr, const RnnGrad *g, int l, int d,
                         int t, int j) {
    const RnnConfig *c = &m->config;
    int H = c->hidden_size, D = rnn_directions(c), T = tr->steps, K = c->num_labels;
    double sum = 0;
    if (l + 1 < c->num_layers) {
        for (int dd = 0; dd < D; dd++) sum += rnn_grad_dx(g, l + 1, dd, t)[d * H + j];
        return sum;
    }
    for (int o = 0; o < tr->out_steps; o++) {
        int reads = c->head == RNN_HEAD_MANY_TO_MANY ? o == t : t == (d ? 0 : T - 1);
        if (!reads) continue;
        for (int k = 0; k < K; k++)
            sum += m->head_weight[(size_t)k * D * H + d * H + j] * g->dlogits[(size_t)o * K + k];
    }
    return sum;
}

static void keep_largest(RnnGradExplain *e, RnnGradTerm term) {
    /* insertion into the RNN_GRAD_TERMS largest by |product|; what falls out goes to rest */
    int n = e->nterms;
    if (n == RNN_GRAD_TERMS) {
        if (fabs(term.product) <= fabs(e->terms[n - 1].product)) {
            e->rest += term.product, e->rest_count++;
            return;
        }
        e->rest += e->terms[n - 1].product, e->rest_count++;
        n--;
    }
    int i = n;
    while (i > 0 && fabs(e->terms[i - 1].product) < fabs(term.product)) {
        e->terms[i] = e->terms[i - 1];
        i--;
    }
    e->terms[i] = term;
    e->nterms = n + 1;
}

int rnn_grad_explain(const RnnModel *m, const RnnTrace *tr, const RnnGrad *g, int l, int d, int t,
                     int quantity, int unit, RnnGradExplain *e, RnnError *err) {
    const RnnConfig *c = &m->config;
    int H = c->hidden_size, G = rnn_gate_count(c->cell), T = tr->steps;
    if (l < 0 || l >= c->num_layers || d < 0 || d >= rnn_directions(c) || t < 0 || t >= T ||
        unit < 0 || unit >= H || quantity < RNN_QUANTITY_H || quantity >= G ||
        (quantity == RNN_QUANTITY_C && c->cell != RNN_CELL_LSTM) ||
        (quantity >= 0 && c->cell == RNN_CELL_RNN))
        return rnn_error_set(err, "no such gradient (layer %d, direction %d, t %d, unit %d)", l, d,
                             t, unit);
    memset(e, 0, sizeof *e);
    e->quantity = quantity, e->unit = unit, e->t = t;
    e->t_next = d == 0 ? (t + 1 < T ? t + 1 : -1) : t - 1;
    e->value = rnn_grad_value(g, tr, l, d, t, quantity, unit);
    size_t hi = rnn_trace_state_index(tr, l, d, t), gi = rnn_trace_gate_index(tr, l, d, t, 0);
    const double *gate = tr->gate + gi;
    if (quantity == RNN_QUANTITY_H) {
        e->kind = RNN_GRAD_EXPLAIN_H;
        e->from_above = from_above(m, tr, g, l, d, t, unit);
        if (e->t_next < 0) return 0;
        size_t gn = rnn_trace_gate_index(tr, l, d, e->t_next, 0);
        size_t hn = rnn_trace_state_index(tr, l, d, e->t_next);
        const double *W = m->layer[l][d].weight_hh, *da = g->dgate_hh + gn;
        for (int r = 0; r < G * H; r++) {
            RnnGradTerm term = {r, W[(size_t)r * H + unit], da[r], 1.0, 0};
            term.product = term.weight * da[r];
            if (c->cell == RNN_CELL_RNN) { /* da = dh_next · act'(a_next) */
                double h = tr->gate[gn + r];
                term.grad = g->dh[hn + r];
                term.deriv = c->nonlinearity == RNN_RELU ? (tr->gate_pre[gn + r] > 0 ? 1.0 : 0.0)
                                                         : 1.0 - h * h;
            }
            e->recurrent += term.product;
            keep_largest(e, term);
        }
        if (c->cell == RNN_CELL_GRU)
            e->direct = g->dh[hn + unit] * tr->gate[gn + RNN_GRU_Z * H + unit];
        return 0;
    }
    if (quantity == RNN_QUANTITY_C) {
        e->kind = RNN_GRAD_EXPLAIN_LSTM_C;
        if (e->t_next >= 0) {
            size_t gn = rnn_trace_gate_index(tr, l, d, e->t_next, 0);
            e->dc_next = g->dc[rnn_trace_state_index(tr, l, d, e->t_next) + unit];
            e->f_next = tr->gate[gn + RNN_LSTM_F * H + unit];
            e->cell_path = e->dc_next * e->f_next;
        }
        e->dh = g->dh[hi + unit];
        e->o = gate[RNN_LSTM_O * H + unit];
        e->tanh_c = rnn_tanh(tr->c[hi + unit]);
        e->h_path = e->dh * e->o * (1.0 - e->tanh_c * e->tanh_c);
        return 0;
    }
    e->kind = RNN_GRAD_EXPLAIN_GATE;
    double a = gate[quantity * H + unit];
    double sig = a * (1.0 - a), th = 1.0 - a * a;
    if (c->cell == RNN_CELL_LSTM) {
        const double *cp = rnn_trace_prev_c(tr, l, d, t);
        double dc = g->dc[hi + unit];
        switch (quantity) {
        case RNN_LSTM_I:
            e->upstream = dc, e->factor = gate[RNN_LSTM_G * H + unit], e->deriv = sig;
            break;
        case RNN_LSTM_F:
            e->upstream = dc, e->factor = cp ? cp[unit] : 0.0, e->deriv = sig;
            break;
        case RNN_LSTM_G:
            e->upstream = dc, e->factor = gate[RNN_LSTM_I * H + unit], e->deriv = th;
            break;
        default:
            e->upstream = g->dh[hi + unit], e->factor = rnn_tanh(tr->c[hi + unit]);
            e->deriv = sig;
        }
    } else {
        const double *hp = rnn_trace_prev_h(tr, l, d, t);
        double z = gate[RNN_GRU_Z * H + unit], n = gate[RNN_GRU_N * H + unit];
        switch (quantity) {
        case RNN_GRU_N:
            e->upstream = g->dh[hi + unit], e->factor = 1.0 - z, e->deriv = th;
            break;
        case RNN_GRU_Z:
            e->upstream = g->dh[hi + unit], e->factor = (hp ? hp[unit] : 0.0) - n, e->deriv = sig;
            break;
        default:
            e->upstream = g->dgate[gi + RNN_GRU_N * H + unit];
            e->factor = tr->gate_hh[gi + RNN_GRU_N * H + unit], e->deriv = sig;
        }
    }
    return 0;
}
