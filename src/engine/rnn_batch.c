/* rnn_batch.c - the trainer's fast path: the forward and backward passes of a batch of
 * sequences side by side (RnnBatch), one step of every sequence at a time through the row
 * kernels (rnn_kernels.c). Every value is the same sum in the same order as the one-sequence
 * passes of rnn_forward.c and rnn_backward.c give it, so the bits are the same; both run the
 * cell arithmetic of rnn_internal.h. */
#include "rnn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- scratch and the forward pass ------------------------------------------------------------ */

static size_t weights_t_values(const RnnConfig *c) {
    size_t v = 0, GH = (size_t)rnn_gate_count(c->cell) * c->hidden_size;
    for (int l = 0; l < c->num_layers; l++)
        v += (size_t)rnn_directions(c) * GH * (rnn_layer_input_size(c, l) + c->hidden_size);
    return v;
}

/* Where layer l, direction d starts in weights_t. */
static size_t weights_t_offset(const RnnConfig *c, int l, int d) {
    size_t v = 0, GH = (size_t)rnn_gate_count(c->cell) * c->hidden_size;
    for (int k = 0; k < l; k++)
        v += (size_t)rnn_directions(c) * GH * (rnn_layer_input_size(c, k) + c->hidden_size);
    return v + (size_t)d * GH * (rnn_layer_input_size(c, l) + c->hidden_size);
}

/* The word table pays when there are fewer words than steps in a batch. */
static int batch_has_table(const RnnConfig *c, int slots, int capacity) {
    return c->vocab_size > 0 && (double)c->vocab_size <= (double)slots * capacity;
}

typedef struct BatchShape {
    size_t GH, in_max, table, da, dx, rows, tanh_c;
} BatchShape;

static BatchShape batch_shape(const RnnConfig *c, int slots, int capacity) {
    BatchShape s;
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c), H = (size_t)c->hidden_size;
    size_t n = (size_t)slots * capacity;
    s.GH = (size_t)rnn_gate_count(c->cell) * H;
    s.in_max = (size_t)c->input_size > D * H ? (size_t)c->input_size : D * H;
    s.table = batch_has_table(c, slots, capacity) ? D * (size_t)c->vocab_size * s.GH : 0;
    s.da = n * L * D * 2 * s.GH;
    s.dx = n * s.in_max;
    s.rows = 2 * n; /* two halves: one for each thread */
    s.tanh_c = c->cell == RNN_CELL_LSTM ? n * L * D * H : 0;
    return s;
}

double rnn_batch_bytes(const RnnConfig *c, int slots, int capacity) {
    BatchShape s = batch_shape(c, slots, capacity);
    double values = (double)weights_t_values(c) + (double)s.table + (double)s.da + (double)s.dx +
                    (double)s.tanh_c;
    /* each slot's trace, and its backward scratch (smaller than the trace) */
    double per_slot = 2.0 * (double)rnn_trace_bytes(c, capacity);
    double dlogits = (double)slots * capacity * c->num_labels;
    return (values + dlogits) * sizeof(double) + 3.0 * s.rows * sizeof(double *) +
           slots * (per_slot + 64.0);
}

RnnBatch *rnn_batch_new(const RnnConfig *c, int slots, int capacity, RnnError *err) {
    if (rnn_config_check_uniform(c, err)) return NULL;
    if (slots < 1 || capacity < 1) {
        rnn_error_set(err, "nothing to run side by side");
        return NULL;
    }
    BatchShape s = batch_shape(c, slots, capacity);
    size_t values = weights_t_values(c) + s.table + s.da + s.dx + s.tanh_c;
    /* One block: the struct, the doubles, the row pointers, the slot arrays. */
    size_t dlogits = (size_t)slots * capacity * c->num_labels;
    size_t bytes = sizeof(RnnBatch) + (values + dlogits) * sizeof(double) +
                   (3 * s.rows + (size_t)slots) * sizeof(double *) +
                   (size_t)slots * (sizeof(RnnTrace *) + sizeof(RnnBackward *) + sizeof(RnnStats) +
                                    sizeof(int));
    RnnBatch *m = calloc(1, bytes);
    if (!m) {
        rnn_error_set(err, "out of memory for %d sequences side by side", slots);
        return NULL;
    }
    m->config = *c;
    m->slots = slots, m->capacity = capacity;
    double *p = (double *)(m + 1);
    m->weights_t = p, p += weights_t_values(c);
    m->table = s.table ? p : NULL, p += s.table;
    m->da = p, p += s.da;
    m->dx = p, p += s.dx;
    m->tanh_c = s.tanh_c ? p : NULL, p += s.tanh_c;
    m->dlogits = p, p += dlogits;
    m->out_rows = (double **)p;
    m->in_rows = (const double **)(m->out_rows + s.rows);
    m->in2_rows = m->in_rows + s.rows;
    m->traces = (RnnTrace **)(m->in2_rows + s.rows);
    m->bws = (RnnBackward **)(m->traces + slots);
    m->dlogits_rows = (const double **)(m->bws + slots);
    m->stats = (RnnStats *)(m->dlogits_rows + slots);
    m->order = (int *)(m->stats + slots);
    for (int i = 0; i < slots; i++)
        m->dlogits_rows[i] = m->dlogits + (size_t)i * capacity * c->num_labels;
    for (int i = 0; i < slots; i++) {
        m->traces[i] = rnn_trace_new(c, capacity, err);
        m->bws[i] = m->traces[i] ? rnn_backward_new(c, capacity, err) : NULL;
        if (!m->bws[i]) {
            rnn_batch_free(m);
            return NULL;
        }
    }
    return m;
}

RnnBatch rnn_batch_second_view(const RnnBatch *m) {
    RnnBatch h = *m;
    size_t rows = (size_t)m->slots * m->capacity;
    const RnnConfig *c = &m->config;
    int D = rnn_directions(c),
        in_max = c->input_size > D * c->hidden_size ? c->input_size : D * c->hidden_size;
    h.out_rows += rows, h.in_rows += rows, h.in2_rows += rows;
    /* the first thread takes at most (slots + 1) / 2 sequences of a group */
    h.dx += (size_t)((m->slots + 1) / 2) * m->capacity * in_max;
    return h;
}

void rnn_batch_free(RnnBatch *m) {
    if (!m) return;
    for (int i = 0; i < m->slots; i++) {
        rnn_trace_free(m->traces[i]);
        rnn_backward_free(m->bws[i]);
    }
    free(m);
}

void rnn_batch_load_weights(const RnnModel *model, RnnBatch *m) {
    const RnnConfig *c = &model->config;
    int H = c->hidden_size, GH = rnn_gate_count(c->cell) * H;
    for (int l = 0; l < c->num_layers; l++) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < rnn_directions(c); d++) {
            const RnnLayerParams *p = &model->layer[l][d];
            double *wt_ih = m->weights_t + weights_t_offset(c, l, d); /* (In, G*H) */
            double *wt_hh = wt_ih + (size_t)in * GH;                  /* (H, G*H) */
            for (int r = 0; r < GH; r++) {
                for (int k = 0; k < in; k++)
                    wt_ih[(size_t)k * GH + r] = p->weight_ih[(size_t)r * in + k];
                for (int k = 0; k < H; k++)
                    wt_hh[(size_t)k * GH + r] = p->weight_hh[(size_t)r * H + k];
            }
        }
    }
    if (!m->table) return;
    /* table[d][v] = b_ih + W_ih e_v: what gate_ih is at every step that reads word v, computed
     * by the same kernel as for any other input row, so with the same bits */
    int V = c->vocab_size, I = c->input_size;
    for (int d = 0; d < rnn_directions(c); d++) {
        double *table = m->table + (size_t)d * V * GH;
        for (int v0 = 0; v0 < V; v0 += m->slots * m->capacity) {
            int nv = V - v0 < m->slots * m->capacity ? V - v0 : m->slots * m->capacity;
            for (int v = 0; v < nv; v++) {
                m->out_rows[v] = table + (size_t)(v0 + v) * GH;
                m->in_rows[v] = model->embedding + (size_t)(v0 + v) * I;
            }
            rnn_rows_matmul(m->out_rows, m->in_rows, m->weights_t + weights_t_offset(c, 0, d),
                            model->layer[0][d].bias_ih, nv, I, GH);
        }
    }
}

int rnn_batch_forward(const RnnModel *model, RnnBatch *m, const RnnExample *const *ex,
                      const int *slot, int n, RnnError *err) {
    const RnnConfig *c = &model->config;
    if (n < 1 || n > m->slots) return rnn_error_set(err, "%d sequences side by side", n);
    int T = ex[0]->steps, H = c->hidden_size, D = rnn_directions(c);
    int G = rnn_gate_count(c->cell), GH = G * H;
    if (T > m->capacity)
        return rnn_error_set(err, "a sequence of %d steps is longer than the %d planned", T,
                             m->capacity);
    int words = 1; /* every sequence reads word ids: layer 0 can use the word table */
    for (int i = 0; i < n; i++) {
        RnnTrace *tr = m->traces[slot[i]];
        if (ex[i]->steps != T) return rnn_error_set(err, "sequences side by side differ in length");
        const int *ids = ex[i]->token_ids;
        if (ids && c->vocab_size == 0)
            return rnn_error_set(err, "this model has no vocabulary: give input vectors");
        if (!ids && !ex[i]->vectors) return rnn_error_set(err, "give token ids or input vectors");
        if (rnn_trace_resize(tr, T, err) ||
            rnn_load_inputs(model, ids, ids ? NULL : ex[i]->vectors, tr, err))
            return -1;
        words &= ids != NULL;
    }
    for (int l = 0; l < c->num_layers; l++) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < D; d++) {
            const RnnLayerParams *p = &model->layer[l][d];
            const double *wt_ih = m->weights_t + weights_t_offset(c, l, d); /* (In, G*H) */
            const double *wt_hh = wt_ih + (size_t)in * GH;                  /* (H, G*H) */
            /* ih = W_ih x_t + b_ih for every step at once: it does not wait for h */
            /* layer 0 reading words: the row of the word table is what gate_ih would hold;
             * the cells read it there (the trace's gate_ih is left as it was) */
            const double *table =
                l == 0 && words && m->table ? m->table + (size_t)d * c->vocab_size * GH : NULL;
            if (!table) {
                int rows = 0;
                for (int i = 0; i < n; i++) {
                    RnnTrace *tr = m->traces[slot[i]];
                    for (int t = 0; t < T; t++, rows++) {
                        m->out_rows[rows] = tr->gate_ih + rnn_trace_gate_index(tr, l, d, t, 0);
                        m->in_rows[rows] = rnn_trace_input(tr, l, t);
                    }
                }
                rnn_rows_matmul(m->out_rows, m->in_rows, wt_ih, p->bias_ih, rows, in, GH);
            }
            /* then the recurrence, one step for all n sequences at a time */
            for (int s = 0; s < T; s++) {
                int t = d == 0 ? s : T - 1 - s; /* the backward direction reads from the end */
                for (int i = 0; i < n; i++) {
                    RnnTrace *tr = m->traces[slot[i]];
                    m->out_rows[i] = tr->gate_hh + rnn_trace_gate_index(tr, l, d, t, 0);
                    m->in_rows[i] = rnn_trace_prev_h(tr, l, d, t);
                }
                if (s == 0) { /* hh = W_hh·0 + b_hh, as affine() computes it */
                    for (int i = 0; i < n; i++)
                        for (int r = 0; r < GH; r++) m->out_rows[i][r] = p->bias_hh[r] + 0.0;
                } else {
                    rnn_rows_matmul(m->out_rows, m->in_rows, wt_hh, p->bias_hh, n, H, GH);
                }
                for (int i = 0; i < n; i++) {
                    RnnTrace *tr = m->traces[slot[i]];
                    size_t hi = rnn_trace_state_index(tr, l, d, t);
                    size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
                    const double *ih =
                        table ? table + (size_t)tr->token_ids[t] * GH : tr->gate_ih + gi;
                    rnn_cell_activations(c->cell, c->nonlinearity, H, ih, tr->gate_hh + gi,
                                         rnn_trace_prev_h(tr, l, d, t),
                                         rnn_trace_prev_c(tr, l, d, t), tr->gate_pre + gi,
                                         tr->gate + gi, tr->h + hi, tr->c ? tr->c + hi : NULL,
                                         tr->c ? rnn_batch_tanh_c(m, slot[i], l, d, t) : NULL);
                }
            }
        }
        if (l + 1 < c->num_layers)
            for (int i = 0; i < n; i++) {
                RnnTrace *tr = m->traces[slot[i]];
                for (int t = 0; t < T; t++)
                    rnn_merge_directions(tr, l, t, t,
                                         tr->input + ((size_t)(l + 1) * T + t) * tr->in_stride);
            }
    }
    for (int i = 0; i < n; i++) rnn_head_forward(model, m->traces[slot[i]]);
    return 0;
}

/* ---- the backward pass ----------------------------------------------------------------------
 *
 * The same arithmetic as rnn_model_backward, reordered only where no sum changes order: the
 * recurrence runs one step for all sequences at a time, and every parameter gradient (a sum
 * over sequences and steps) is added afterwards, sequence after sequence and, within one,
 * from the last step to the first, as one rnn_model_backward after the other adds it. */

/* da_ih (which = 0) or da_hh (which = 1) of one step, (G*H). */
static double *batch_da(const RnnBatch *m, int slot, int l, int d, int t, int which) {
    const RnnConfig *c = &m->config;
    size_t GH = (size_t)rnn_gate_count(c->cell) * c->hidden_size;
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c);
    return m->da + (((((size_t)slot * L + l) * D + d) * m->capacity + t) * 2 + which) * GH;
}

int rnn_batch_backward(const RnnModel *model, RnnBatch *m, const double *const *dlogits,
                       const int *slot, int n, RnnError *err) {
    const RnnConfig *c = &model->config;
    int T = m->traces[slot[0]]->steps, H = c->hidden_size, D = rnn_directions(c);
    int I = c->input_size, GH = rnn_gate_count(c->cell) * H;
    size_t in_max = (size_t)(I > D * H ? I : D * H);
    for (int i = 0; i < n; i++)
        if (rnn_head_backward(model, m->traces[slot[i]], dlogits[slot[i]], NULL, m->bws[slot[i]],
                              err))
            return -1;
    for (int l = c->num_layers - 1; l >= 0; l--) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < D; d++) {
            const RnnLayerParams *p = &model->layer[l][d];
            for (int i = 0; i < n; i++) { /* carried from the step read after this one */
                RnnBackward *bw = m->bws[slot[i]];
                memset(bw->dh_prev, 0, (size_t)H * sizeof(double));
                memset(bw->dc, 0, (size_t)H * sizeof(double));
            }
            for (int s = T - 1; s >= 0; s--) {
                int t = d == 0 ? s : T - 1 - s;
                for (int i = 0; i < n; i++) {
                    const RnnTrace *tr = m->traces[slot[i]];
                    RnnBackward *bw = m->bws[slot[i]];
                    size_t hi = rnn_trace_state_index(tr, l, d, t);
                    size_t gi = rnn_trace_gate_index(tr, l, d, t, 0);
                    for (int j = 0; j < H; j++) bw->dh[j] = bw->dh_out[hi + j] + bw->dh_prev[j];
                    double *da_ih = batch_da(m, slot[i], l, d, t, 0);
                    double *da_hh = batch_da(m, slot[i], l, d, t, 1);
                    rnn_cell_gates_backward(
                        c->cell, c->nonlinearity, H, rnn_trace_prev_h(tr, l, d, t),
                        rnn_trace_prev_c(tr, l, d, t), tr->gate_hh + gi, tr->gate_pre + gi,
                        tr->gate + gi, tr->c ? tr->c + hi : NULL,
                        tr->c ? rnn_batch_tanh_c(m, slot[i], l, d, t) : NULL, bw->dh, bw->dc, da_ih,
                        da_hh, bw->dh_prev);
                    m->out_rows[i] = bw->dh_prev;
                    m->in_rows[i] = da_hh;
                }
                /* dh_prev += W_hhᵀ da_hh, W_hh (G*H, H) */
                rnn_rows_matmul(m->out_rows, m->in_rows, p->weight_hh, NULL, n, GH, H);
            }
            int rows = 0;
            for (int i = 0; i < n; i++) {
                RnnBackward *bw = m->bws[slot[i]];
                /* what reached the zero initial state */
                memcpy(bw->dh0 + ((size_t)l * D + d) * H, bw->dh_prev, (size_t)H * sizeof(double));
                if (c->cell == RNN_CELL_LSTM)
                    memcpy(bw->dc0 + ((size_t)l * D + d) * H, bw->dc, (size_t)H * sizeof(double));
                for (int t = 0; t < T; t++, rows++) {
                    m->out_rows[rows] = m->dx + (size_t)rows * in_max;
                    memset(m->out_rows[rows], 0, (size_t)in * sizeof(double));
                    m->in_rows[rows] = batch_da(m, slot[i], l, d, t, 0);
                }
            }
            /* dx = W_ihᵀ da_ih for every step, W_ih (G*H, In); it flows to the layer below
             * (its two directions' halves) or to the input */
            rnn_rows_matmul(m->out_rows, m->in_rows, p->weight_ih, NULL, rows, GH, in);
            rows = 0;
            for (int i = 0; i < n; i++) {
                const RnnTrace *tr = m->traces[slot[i]];
                RnnBackward *bw = m->bws[slot[i]];
                for (int t = 0; t < T; t++, rows++) {
                    const double *dx = m->out_rows[rows];
                    if (l > 0) {
                        for (int dd = 0; dd < D; dd++) {
                            double *dst = bw->dh_out + rnn_trace_state_index(tr, l - 1, dd, t);
                            for (int j = 0; j < H; j++) dst[j] += dx[dd * H + j];
                        }
                    } else {
                        double *dst = bw->dinput + (size_t)t * I;
                        for (int k = 0; k < I; k++) dst[k] += dx[k];
                    }
                }
            }
        }
    }
    return 0;
}

void rnn_batch_gradients(const RnnModel *model, RnnBatch *m, const double *const *dlogits,
                         const int *slot, int n, double *grads, int part, int parts) {
    const RnnConfig *c = &model->config;
    int H = c->hidden_size, D = rnn_directions(c), I = c->input_size, K = c->num_labels;
    int GH = rnn_gate_count(c->cell) * H;
    /* the rows of every recurrent weight this part sums: a multiple of the kernel's block */
    int split = parts > 1 ? (GH / 2) & ~3 : GH;
    int r_begin = part == 0 ? 0 : split, r_end = part == 0 ? split : GH;
    RnnLayerParams glayer[RNN_MAX_LAYERS][2];
    double *g_emb, *g_hw, *g_hb;
    rnn_carve_like(model, grads, glayer, &g_emb, &g_hw, &g_hb);
    /* the head: logits = W feature + b */
    for (int i = 0; i < n && part == 0; i++) {
        const RnnTrace *tr = m->traces[slot[i]];
        for (int o = 0; o < tr->out_steps; o++)
            rnn_outer_accumulate(g_hw, g_hb, dlogits[slot[i]] + (size_t)o * K,
                                 tr->feature + (size_t)o * D * H, K, D * H);
    }
    /* a_ih = W_ih x + b_ih,  a_hh = W_hh h_prev + b_hh: every step of every sequence */
    for (int l = 0; l < c->num_layers; l++) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < D; d++) {
            RnnLayerParams *g = &glayer[l][d];
            for (int which = 0; which < 2; which++) { /* W_ih, then W_hh */
                /* the bias: every step's da, in order */
                int rows = 0;
                for (int i = 0; i < n && part == 0; i++)
                    for (int s = m->traces[slot[i]]->steps - 1; s >= 0; s--) {
                        int t = d == 0 ? s : m->traces[slot[i]]->steps - 1 - s;
                        m->in_rows[rows++] = batch_da(m, slot[i], l, d, t, which);
                    }
                if (part == 0) rnn_sum_rows(which ? g->bias_hh : g->bias_ih, m->in_rows, rows, GH);
                /* the weights: da ⊗ x_t, or da ⊗ h_prev */
                rows = 0;
                for (int i = 0; i < n; i++) {
                    const RnnTrace *tr = m->traces[slot[i]];
                    for (int s = tr->steps - 1; s >= 0; s--) {
                        int t = d == 0 ? s : tr->steps - 1 - s;
                        const double *v =
                            which ? rnn_trace_prev_h(tr, l, d, t) : rnn_trace_input(tr, l, t);
                        if (!v) continue; /* a zero h_prev adds nothing to W_hh's gradient */
                        m->in_rows[rows] = batch_da(m, slot[i], l, d, t, which);
                        m->in2_rows[rows++] = v;
                    }
                }
                rnn_outer_rows(which ? g->weight_hh : g->weight_ih, m->in_rows, m->in2_rows, rows,
                               GH, which ? H : in, r_begin, r_end);
            }
        }
    }
    /* the embedding row of each token gets its input's gradient */
    if (g_emb && part == 0)
        for (int i = 0; i < n; i++) {
            const RnnTrace *tr = m->traces[slot[i]];
            const RnnBackward *bw = m->bws[slot[i]];
            for (int t = 0; t < tr->steps; t++) {
                int id = tr->token_ids[t];
                if (id < 0) continue;
                double *row = g_emb + (size_t)id * I;
                for (int k = 0; k < I; k++) row[k] += bw->dinput[(size_t)t * I + k];
            }
        }
}
