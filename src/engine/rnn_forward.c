/* rnn_forward.c - the cells' forward step and the model's forward pass into a trace.
 *
 * Equations are PyTorch's (torch.nn.RNN / LSTM / GRU documentation), with σ the logistic
 * sigmoid and ⊙ the element-wise product. Gate rows of weight_ih / weight_hh are stacked in
 * PyTorch's order: LSTM (i, f, g, o), GRU (r, z, n). */
#include "rnn.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

double rnn_sigmoid(double x) {
    /* Never exp() of a large positive number: no overflow, no 0 * inf. */
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

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

void rnn_cell_forward(RnnCellKind cell, RnnNonlinearity act, int in, int H, const RnnLayerParams *p,
                      const double *x, const double *h_prev, const double *c_prev, double *gate_ih,
                      double *gate_hh, double *gate_pre, double *gate, double *h, double *c) {
    int G = rnn_gate_count(cell);
    /* ih = W_ih x + b_ih, hh = W_hh h_prev + b_hh, both (G, H) */
    affine(gate_ih, p->weight_ih, p->bias_ih, x, G * H, in);
    affine(gate_hh, p->weight_hh, p->bias_hh, h_prev, G * H, H);

    if (cell == RNN_CELL_RNN) {
        for (int j = 0; j < H; j++) {
            /* h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu */
            double pre = gate_pre[j] = gate_ih[j] + gate_hh[j];
            h[j] = gate[j] = act == RNN_RELU ? (pre > 0 ? pre : 0.0) : tanh(pre);
        }
    } else if (cell == RNN_CELL_LSTM) {
        for (int k = 0; k < 4 * H; k++) gate_pre[k] = gate_ih[k] + gate_hh[k];
        double *i = gate, *f = gate + H, *g = gate + 2 * H, *o = gate + 3 * H;
        for (int j = 0; j < H; j++) {
            /* i = σ(W_ii x + b_ii + W_hi h + b_hi)   input gate */
            i[j] = rnn_sigmoid(gate_pre[j]);
            /* f = σ(W_if x + b_if + W_hf h + b_hf)   forget gate */
            f[j] = rnn_sigmoid(gate_pre[H + j]);
            /* g = tanh(W_ig x + b_ig + W_hg h + b_hg) candidate */
            g[j] = tanh(gate_pre[2 * H + j]);
            /* o = σ(W_io x + b_io + W_ho h + b_ho)   output gate */
            o[j] = rnn_sigmoid(gate_pre[3 * H + j]);
            /* c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c') */
            c[j] = f[j] * (c_prev ? c_prev[j] : 0.0) + i[j] * g[j];
            h[j] = o[j] * tanh(c[j]);
        }
    } else {
        double *r = gate, *z = gate + H, *n = gate + 2 * H;
        for (int j = 0; j < H; j++) {
            /* r = σ(W_ir x + b_ir + W_hr h + b_hr)   reset gate */
            gate_pre[j] = gate_ih[j] + gate_hh[j];
            r[j] = rnn_sigmoid(gate_pre[j]);
            /* z = σ(W_iz x + b_iz + W_hz h + b_hz)   update gate */
            gate_pre[H + j] = gate_ih[H + j] + gate_hh[H + j];
            z[j] = rnn_sigmoid(gate_pre[H + j]);
            /* n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   candidate */
            gate_pre[2 * H + j] = gate_ih[2 * H + j] + r[j] * gate_hh[2 * H + j];
            n[j] = tanh(gate_pre[2 * H + j]);
            /* h' = (1 - z) ⊙ n + z ⊙ h */
            h[j] = (1.0 - z[j]) * n[j] + z[j] * (h_prev ? h_prev[j] : 0.0);
        }
    }
}

/* ---- the trace ---------------------------------------------------------------------------- */

typedef struct TraceShape {
    size_t T, L, D, H, G, K, in_stride, out_steps;
} TraceShape;

static TraceShape trace_shape(const RnnConfig *c, int steps) {
    TraceShape s;
    s.T = (size_t)steps, s.L = (size_t)c->num_layers, s.D = (size_t)rnn_directions(c);
    s.H = (size_t)c->hidden_size, s.G = (size_t)rnn_gate_count(c->cell);
    s.K = (size_t)c->num_labels;
    s.in_stride = (size_t)(c->input_size > (int)(s.D * s.H) ? c->input_size : (int)(s.D * s.H));
    s.out_steps = c->head == RNN_HEAD_NONE ? 0 : c->head == RNN_HEAD_MANY_TO_MANY ? s.T : 1;
    return s;
}

/* Doubles a trace holds, computed in double so that absurd sizes cannot wrap around. */
static double trace_values(const RnnConfig *c, int steps) {
    TraceShape s = trace_shape(c, steps);
    double T = (double)s.T, LDTH = (double)s.L * s.D * T * s.H;
    double v = (double)s.L * T * s.in_stride;         /* input */
    v += LDTH * (c->cell == RNN_CELL_LSTM ? 2 : 1);   /* h, c */
    v += 4 * LDTH * s.G;                              /* gate_ih, gate_hh, gate_pre, gate */
    v += (double)s.out_steps * (s.D * s.H + 2 * s.K); /* feature, logits, probs */
    return v;
}

size_t rnn_trace_bytes(const RnnConfig *c, int steps) {
    if (steps < 1) return sizeof(RnnTrace);
    double bytes =
        sizeof(RnnTrace) + trace_values(c, steps) * sizeof(double) + (double)steps * sizeof(int);
    return bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

/* Points the trace's arrays into its value block, laid out for `steps` time steps. */
static void carve_trace(RnnTrace *tr, int steps) {
    TraceShape s = trace_shape(&tr->config, steps);
    tr->steps = steps;
    tr->in_stride = (int)s.in_stride;
    tr->out_steps = (int)s.out_steps;
    double *p = tr->values;
    size_t LDTH = s.L * s.D * s.T * s.H;
    tr->input = p, p += s.L * s.T * s.in_stride;
    tr->h = p, p += LDTH;
    tr->c = NULL;
    if (tr->config.cell == RNN_CELL_LSTM) tr->c = p, p += LDTH;
    tr->gate_ih = p, p += LDTH * s.G;
    tr->gate_hh = p, p += LDTH * s.G;
    tr->gate_pre = p, p += LDTH * s.G;
    tr->gate = p, p += LDTH * s.G;
    tr->feature = tr->logits = tr->probs = NULL;
    if (s.out_steps) {
        tr->feature = p, p += s.out_steps * s.D * s.H;
        tr->logits = p, p += s.out_steps * s.K;
        tr->probs = p, p += s.out_steps * s.K;
    }
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
    tr->capacity = steps;
    tr->num_values = (size_t)trace_values(c, steps);
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
    return a->cell == b->cell && a->input_size == b->input_size &&
           a->hidden_size == b->hidden_size && a->num_layers == b->num_layers &&
           a->bidirectional == b->bidirectional && a->head == b->head &&
           a->num_labels == b->num_labels;
}

/* Concatenates both directions' h at position t of layer l into out (D*H). */
static void concat_directions(const RnnTrace *tr, int l, int t_fwd, int t_bwd, double *out) {
    int H = tr->config.hidden_size;
    memcpy(out, tr->h + rnn_trace_state_index(tr, l, 0, t_fwd), (size_t)H * sizeof *out);
    if (tr->config.bidirectional)
        memcpy(out + H, tr->h + rnn_trace_state_index(tr, l, 1, t_bwd), (size_t)H * sizeof *out);
}

int rnn_model_forward(const RnnModel *model, const int *token_ids, const double *vectors,
                      RnnTrace *tr, RnnError *err) {
    const RnnConfig *c = &model->config;
    int T = tr->steps, I = c->input_size, H = c->hidden_size, D = rnn_directions(c);
    if (!same_shape(c, &tr->config)) return rnn_error_set(err, "trace made for another model");
    if ((token_ids == NULL) == (vectors == NULL))
        return rnn_error_set(err, "give either token ids or input vectors");
    if (token_ids && c->vocab_size == 0)
        return rnn_error_set(err, "this model has no vocabulary: give input vectors");

    /* Layer 0 reads the embedding rows (or the raw vectors). */
    for (int t = 0; t < T; t++) {
        double *x = tr->input + (size_t)t * tr->in_stride;
        if (token_ids) {
            int id = token_ids[t];
            if (id < 0 || id >= c->vocab_size)
                return rnn_error_set(err, "token id %d at step %d is outside the vocabulary", id,
                                     t);
            memcpy(x, model->embedding + (size_t)id * I, (size_t)I * sizeof *x);
            tr->token_ids[t] = id;
        } else {
            memcpy(x, vectors + (size_t)t * I, (size_t)I * sizeof *x);
            tr->token_ids[t] = -1;
        }
    }

    for (int l = 0; l < c->num_layers; l++) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < D; d++) {
            for (int s = 0; s < T; s++) {
                int t = d == 0 ? s : T - 1 - s; /* the backward direction reads from the end */
                size_t hi = rnn_trace_state_index(tr, l, d, t);
                size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
                rnn_cell_forward(c->cell, c->nonlinearity, in, H, &model->layer[l][d],
                                 rnn_trace_input(tr, l, t), rnn_trace_prev_h(tr, l, d, t),
                                 rnn_trace_prev_c(tr, l, d, t), tr->gate_ih + gi, tr->gate_hh + gi,
                                 tr->gate_pre + gi, tr->gate + gi, tr->h + hi,
                                 tr->c ? tr->c + hi : NULL);
            }
        }
        if (l + 1 < c->num_layers) {
            for (int t = 0; t < T; t++)
                concat_directions(tr, l, t, t,
                                  tr->input + ((size_t)(l + 1) * T + t) * tr->in_stride);
        }
    }

    /* The head: logits = W feature + b, probs = softmax(logits). */
    int top = c->num_layers - 1, K = c->num_labels;
    for (int o = 0; o < tr->out_steps; o++) {
        double *feature = tr->feature + (size_t)o * D * H;
        if (c->head != RNN_HEAD_MANY_TO_MANY)
            concat_directions(tr, top, T - 1, 0, feature); /* PyTorch's h_n */
        else
            concat_directions(tr, top, o, o, feature);
        affine(tr->logits + (size_t)o * K, model->head_weight, model->head_bias, feature, K, D * H);
        if (c->head == RNN_HEAD_REGRESSION) /* the outputs are the numbers themselves */
            memcpy(tr->probs + (size_t)o * K, tr->logits + (size_t)o * K,
                   (size_t)K * sizeof(double));
        else
            rnn_softmax(tr->logits + (size_t)o * K, K, tr->probs + (size_t)o * K);
    }
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
    if (rnn_tokenize(text, tokens, err)) return -1;
    if (tokens->count == 0) {
        rnn_tokens_free(tokens);
        return rnn_error_set(err, "the sentence has no words");
    }
    int *ids = malloc((size_t)tokens->count * sizeof *ids);
    RnnTrace *tr = ids ? new_bounded_trace(&m->config, tokens->count, max_trace_bytes, err) : NULL;
    if (!ids) rnn_error_set(err, "out of memory");
    int rc = -1;
    if (tr) {
        for (int t = 0; t < tokens->count; t++) ids[t] = rnn_model_token_id(m, tokens->text[t]);
        rc = rnn_model_forward(m, ids, NULL, tr, err);
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
