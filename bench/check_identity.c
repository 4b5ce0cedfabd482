/* check_identity.c - the trainer's side-by-side path (RnnTrainer.batched: sequences of a batch
 * run together, on two threads) must give the same bits as one sequence after the other.
 * Trains each configuration twice from the same seed, once each way, over six steps of
 * batches with mixed lengths (and a short last batch), with clipping on, and compares every
 * weight. Covers raw vectors and embeddings, every head, 1-4 layers, both directions, relu.
 * The side-by-side path runs again with the matrix kernels held to 2 doubles a vector (SSE2)
 * and to 1 (plain loops): where the CPU has AVX the first run used 4, and all must agree.
 * Exit code 0 when all are identical. */
#include "rnn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(RnnConfig c, int batch, int steps_max, int use_many, double *out, size_t *np,
               uint64_t seed) {
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    if (!m) {
        printf("new: %s\n", err.message);
        return -1;
    }
    rnn_model_init_random(m, seed);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.batch_size = batch;
    tc.clip = 1.0;
    RnnTrainer *tr = rnn_trainer_new(m, &tc, steps_max, &err);
    if (!tr) {
        printf("trainer: %s\n", err.message);
        return -1;
    }
    struct RnnBatch *saved = tr->batched; /* hidden for the one-by-one run, freed at the end */
    if (!use_many) tr->batched = NULL;
    if (use_many && !tr->batched) {
        printf("no many path\n");
        return -1;
    }
    uint64_t rng = seed * 7 + 1;
    int N = batch;
    RnnExample *ex = calloc(N, sizeof *ex);
    const RnnExample **list = calloc(N, sizeof *list);
    int *ids = calloc((size_t)N * steps_max, sizeof *ids);
    double *vec = calloc((size_t)N * steps_max * c.input_size, sizeof *vec);
    int *tg = calloc((size_t)N * steps_max, sizeof *tg);
    double *vals = calloc((size_t)N * (c.num_labels + 1), sizeof *vals);
    for (int step = 0; step < 6; step++) {
        for (int b = 0; b < N; b++) {
            int T = 1 + rnn_rng_below(&rng, steps_max);
            if (b % 3 == 1) T = steps_max; /* some equal lengths */
            ex[b].steps = T;
            for (int t = 0; t < T; t++) {
                ids[b * steps_max + t] = rnn_rng_below(&rng, c.vocab_size ? c.vocab_size : 1);
                for (int k = 0; k < c.input_size; k++)
                    vec[((size_t)b * steps_max + t) * c.input_size + k] = rnn_rng_normal(&rng);
                tg[b * steps_max + t] = rnn_rng_below(&rng, c.num_labels);
            }
            for (int k = 0; k < c.num_labels; k++)
                vals[b * (c.num_labels + 1) + k] = rnn_rng_normal(&rng);
            ex[b].token_ids = c.vocab_size ? ids + b * steps_max : NULL;
            ex[b].vectors = c.vocab_size ? NULL : vec + (size_t)b * steps_max * c.input_size;
            ex[b].targets = tg + b * steps_max;
            ex[b].values = vals + b * (c.num_labels + 1);
            list[b] = &ex[b];
        }
        int n = step == 5 && N > 1 ? N - 1 : N; /* a short last batch too */
        if (rnn_trainer_step(tr, list, n, NULL, &err)) {
            printf("step: %s\n", err.message);
            return -1;
        }
    }
    memcpy(out, m->params, m->num_params * sizeof(double));
    *np = m->num_params;
    tr->batched = saved;
    rnn_trainer_free(tr);
    rnn_model_free(m);
    free(ex), free(list), free(ids), free(vec), free(tg), free(vals);
    return 0;
}

int main(void) {
    RnnConfig cs[] = {
        {RNN_CELL_LSTM, RNN_TANH, 5, 7, 3, 1, 11, RNN_HEAD_MANY_TO_MANY, 4},
        {RNN_CELL_GRU, RNN_TANH, 6, 9, 2, 1, 0, RNN_HEAD_MANY_TO_ONE, 3},
        {RNN_CELL_RNN, RNN_RELU, 3, 5, 1, 0, 0, RNN_HEAD_REGRESSION, 2},
        {RNN_CELL_LSTM, RNN_TANH, 16, 16, 1, 0, 22, RNN_HEAD_MANY_TO_ONE, 8},
        {RNN_CELL_GRU, RNN_TANH, 8, 13, 4, 1, 40, RNN_HEAD_MANY_TO_MANY, 5},
        {RNN_CELL_RNN, RNN_TANH, 4, 1, 2, 0, 6, RNN_HEAD_MANY_TO_ONE, 2},
        {RNN_CELL_LSTM, RNN_TANH, 2, 3, 1, 1, 0, RNN_HEAD_REGRESSION, 1},
        {RNN_CELL_LSTM, RNN_TANH, 16, 32, 1, 0, 22, RNN_HEAD_MANY_TO_ONE, 8},
        {RNN_CELL_RNN, RNN_TANH, 8, 20, 2, 1, 12, RNN_HEAD_MANY_TO_MANY, 3},
    };
    int native = rnn_kernel_width();
    printf("kernel width on this CPU: %d doubles\n", native);
    int bad = 0;
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        static double a[20000], b[20000], w[20000];
        size_t na, nb;
        int batches[] = {1, 5, 32};
        for (int k = 0; k < 3; k++) {
            if (run(cs[i], batches[k], 9, 1, a, &na, 100 + i) ||
                run(cs[i], batches[k], 9, 0, b, &nb, 100 + i)) {
                bad = 1;
                continue;
            }
            int same = na == nb && memcmp(a, b, na * sizeof(double)) == 0;
            printf("config %zu batch %d: %s (%zu params)\n", i, batches[k],
                   same ? "identical" : "DIFFERENT", na);
            bad |= !same;
            for (int width = 2; width >= 1; width--) {
                if (width >= native) continue;
                size_t nw;
                rnn_kernel_width_limit(width);
                int failed = run(cs[i], batches[k], 9, 1, w, &nw, 100 + i);
                rnn_kernel_width_limit(4);
                same = !failed && nw == na && memcmp(a, w, na * sizeof(double)) == 0;
                printf("  kernels of width %d: %s\n", width, same ? "identical" : "DIFFERENT");
                bad |= !same;
            }
        }
    }
    return bad;
}
