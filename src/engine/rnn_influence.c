/* rnn_influence.c - does the model still know the first word? Key influence re-runs the
 * engine with only the first word swapped and measures how far each hidden state moves.
 *
 * Together with rnn_sensitivity (the Jacobian norm ‖∂h_T/∂x_t‖) it separates two things the
 * long-term dependency problem mixes up: a trained vanilla RNN can latch a key in its state
 * (its influence stays large along the sentence) while the gradient that would have to teach
 * it to do so over a long gap has vanished (sensitivity to early words collapses). */
#include "rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int rnn_influence_alternatives(const RnnModel *m, int first_id, int *out, int max) {
    if (!m->vocab || max <= 0) return 0;
    int n = 0;
    /* a recall model: the other keys of the task */
    for (int k = 0; k < RNN_RECALL_MAX_KEYS && n < max; k++) {
        const char *key = rnn_recall_key(k);
        int id = key ? rnn_model_token_id(m, key) : -1;
        if (id >= 0 && id != m->unk_id && id != first_id) out[n++] = id;
    }
    if (n > 0) return n;
    /* any other model: up to max words spread evenly over the vocabulary */
    int V = m->config.vocab_size, candidates = V - 1 - (first_id >= 0 && first_id != m->unk_id);
    if (candidates <= 0) return 0;
    int want = candidates < max ? candidates : max;
    for (int i = 0, id = 0; id < V && n < want; id++) {
        if (id == m->unk_id || id == first_id) continue;
        /* the i-th candidate is taken when it is the next of `want` evenly spaced picks */
        if ((long long)i * want / candidates != (long long)(i + 1) * want / candidates)
            out[n++] = id;
        i++;
    }
    return n;
}

/* ‖a − b‖₂ over the top layer's states at step t, all directions concatenated. */
static double top_state_distance(const RnnTrace *a, const RnnTrace *b, int t) {
    const RnnConfig *c = &a->config;
    int top = c->num_layers - 1, H = rnn_layer_hidden(c, top);
    double sum = 0;
    for (int d = 0; d < rnn_layer_directions(c, top); d++) {
        const double *ha = a->h + rnn_trace_state_index(a, top, d, t);
        const double *hb = b->h + rnn_trace_state_index(b, top, d, t);
        for (int j = 0; j < H; j++) sum += (ha[j] - hb[j]) * (ha[j] - hb[j]);
    }
    return sqrt(sum);
}

int rnn_key_influence(const RnnModel *m, const RnnTrace *trace, const int *alternatives, int count,
                      double *influence, RnnError *err) {
    int T = trace->steps;
    if (!trace->token_ids || T < 1 || trace->token_ids[0] < 0)
        return rnn_error_set(err, "key influence needs a sentence of vocabulary words");
    if (count < 1) return rnn_error_set(err, "key influence needs at least one other word");
    for (int t = 0; t < T; t++) influence[t] = 0;
    int *ids = malloc((size_t)T * sizeof *ids);
    RnnTrace *other = rnn_trace_new(&m->config, T, err);
    int rc = -1;
    if (!ids || !other) {
        if (!ids) rnn_error_set(err, "out of memory");
        goto done;
    }
    memcpy(ids, trace->token_ids, (size_t)T * sizeof *ids);
    for (int a = 0; a < count; a++) {
        ids[0] = alternatives[a];
        if (rnn_model_forward(m, ids, NULL, other, err)) goto done;
        for (int t = 0; t < T; t++) influence[t] += top_state_distance(trace, other, t);
    }
    for (int t = 0; t < T; t++) influence[t] /= count;
    rc = 0;
done:
    free(ids);
    rnn_trace_free(other);
    return rc;
}
