/* test_batch_identity.c - the trainer's side-by-side path (RnnTrainer.batched: the sequences of
 * a batch run together, on two threads) gives the same bits as one sequence after the other.
 * Each configuration is trained twice from the same seed, once each way, over six steps of
 * batches of 1, 5 and 32 with mixed lengths (and a short last batch), with clipping on, and
 * every weight is compared bit for bit. The side-by-side path runs again with the matrix
 * kernels held to 2 doubles a vector (SSE2) and to 1 (plain loops): where the CPU has AVX the
 * first run used 4, and all must agree. Covers raw vectors and embeddings, every head, 1-4
 * layers, both directions, relu. Engine only: links rnnscope_engine. */
#include "test_util.h"

#define STEPS_MAX   9 /* longest sequence; lengths are drawn from 1..STEPS_MAX */
#define TRAIN_STEPS 6

/* Trains a fresh model of config c with seed for TRAIN_STEPS batches of `batch` sequences,
 * side by side (use_many) or one after the other; returns its weights (malloc'd). */
static double *train(const RnnConfig *c, int batch, int use_many, uint64_t seed, size_t *np) {
    RnnError err;
    RnnModel *m = rnn_model_new(c, &err);
    if (!m) fail_msg("new: %s", err.message);
    rnn_model_init_random(m, seed);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.batch_size = batch;
    tc.clip = 1.0;
    RnnTrainer *tr = rnn_trainer_new(m, &tc, STEPS_MAX, &err);
    if (!tr) fail_msg("trainer: %s", err.message);
    struct RnnBatch *saved = tr->batched; /* hidden for the one-by-one run, freed at the end */
    if (use_many)
        assert_non_null(tr->batched);
    else
        tr->batched = NULL;
    uint64_t rng = seed * 7 + 1;
    int N = batch, K = c->num_labels, I = c->input_size;
    RnnExample *ex = calloc((size_t)N, sizeof *ex);
    const RnnExample **list = calloc((size_t)N, sizeof *list);
    int *ids = calloc((size_t)N * STEPS_MAX, sizeof *ids);
    double *vec = calloc((size_t)N * STEPS_MAX * I, sizeof *vec);
    int *targets = calloc((size_t)N * STEPS_MAX, sizeof *targets);
    double *values = calloc((size_t)N * (K + 1), sizeof *values);
    assert_true(ex && list && ids && vec && targets && values);
    for (int step = 0; step < TRAIN_STEPS; step++) {
        for (int b = 0; b < N; b++) {
            int T = 1 + rnn_rng_below(&rng, STEPS_MAX);
            if (b % 3 == 1) T = STEPS_MAX; /* some equal lengths */
            ex[b].steps = T;
            for (int t = 0; t < T; t++) {
                ids[b * STEPS_MAX + t] = rnn_rng_below(&rng, c->vocab_size ? c->vocab_size : 1);
                for (int k = 0; k < I; k++)
                    vec[((size_t)b * STEPS_MAX + t) * I + k] = rnn_rng_normal(&rng);
                targets[b * STEPS_MAX + t] = rnn_rng_below(&rng, K);
            }
            for (int k = 0; k < K; k++) values[b * (K + 1) + k] = rnn_rng_normal(&rng);
            ex[b].token_ids = c->vocab_size ? ids + b * STEPS_MAX : NULL;
            ex[b].vectors = c->vocab_size ? NULL : vec + (size_t)b * STEPS_MAX * I;
            ex[b].targets = targets + b * STEPS_MAX;
            ex[b].values = values + b * (K + 1);
            list[b] = &ex[b];
        }
        int n = step == TRAIN_STEPS - 1 && N > 1 ? N - 1 : N; /* a short last batch too */
        if (rnn_trainer_step(tr, list, n, NULL, &err)) fail_msg("step: %s", err.message);
    }
    double *out = malloc(m->num_params * sizeof *out);
    assert_non_null(out);
    memcpy(out, m->params, m->num_params * sizeof *out);
    *np = m->num_params;
    tr->batched = saved;
    rnn_trainer_free(tr);
    rnn_model_free(m);
    free(ex), free(list), free(ids), free(vec), free(targets), free(values);
    return out;
}

/* Fails naming the first weight whose bits differ. */
static void assert_same_bits(const double *want, size_t n_want, const double *got, size_t n_got,
                             const char *what, int batch) {
    assert_int_equal(n_got, n_want);
    for (size_t i = 0; i < n_want; i++)
        if (memcmp(&want[i], &got[i], sizeof(double)) != 0)
            fail_msg("%s, batch %d: weight %zu of %zu is %.17g, one by one gave %.17g", what, batch,
                     i, n_want, got[i], want[i]);
}

/* The whole check for one configuration: batches of 1, 5 and 32, every kernel width. */
static void check_config(RnnConfig c, uint64_t seed) {
    static const int batches[] = {1, 5, 32};
    int native = rnn_kernel_width();
    for (int k = 0; k < 3; k++) {
        size_t n_one, n_many;
        double *one = train(&c, batches[k], 0, seed, &n_one);
        double *many = train(&c, batches[k], 1, seed, &n_many);
        char what[64];
        snprintf(what, sizeof what, "side by side, kernels of width %d", native);
        assert_same_bits(one, n_one, many, n_many, what, batches[k]);
        for (int width = 2; width >= 1; width--) {
            if (width >= native) continue;
            size_t n_w;
            rnn_kernel_width_limit(width);
            double *w = train(&c, batches[k], 1, seed, &n_w);
            rnn_kernel_width_limit(4);
            snprintf(what, sizeof what, "side by side, kernels of width %d", width);
            assert_same_bits(one, n_one, w, n_w, what, batches[k]);
            free(w);
        }
        free(one), free(many);
    }
}

static void test_lstm_3_layers_bidirectional_embedding_per_step(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_LSTM, RNN_TANH, 5, 7, 3, 1, 11, RNN_HEAD_MANY_TO_MANY, 4},
                 100);
}

static void test_gru_2_layers_bidirectional_vectors_one_label(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_GRU, RNN_TANH, 6, 9, 2, 1, 0, RNN_HEAD_MANY_TO_ONE, 3}, 101);
}

static void test_rnn_relu_vectors_regression(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_RNN, RNN_RELU, 3, 5, 1, 0, 0, RNN_HEAD_REGRESSION, 2}, 102);
}

static void test_lstm_embedding_one_label(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_LSTM, RNN_TANH, 16, 16, 1, 0, 22, RNN_HEAD_MANY_TO_ONE, 8},
                 103);
}

static void test_gru_4_layers_bidirectional_embedding_per_step(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_GRU, RNN_TANH, 8, 13, 4, 1, 40, RNN_HEAD_MANY_TO_MANY, 5},
                 104);
}

static void test_rnn_one_unit_2_layers_embedding_one_label(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_RNN, RNN_TANH, 4, 1, 2, 0, 6, RNN_HEAD_MANY_TO_ONE, 2}, 105);
}

static void test_lstm_bidirectional_vectors_regression(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_LSTM, RNN_TANH, 2, 3, 1, 1, 0, RNN_HEAD_REGRESSION, 1}, 106);
}

static void test_lstm_32_units_embedding_one_label(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_LSTM, RNN_TANH, 16, 32, 1, 0, 22, RNN_HEAD_MANY_TO_ONE, 8},
                 107);
}

static void test_rnn_2_layers_bidirectional_embedding_per_step(void **state) {
    (void)state;
    check_config((RnnConfig){RNN_CELL_RNN, RNN_TANH, 8, 20, 2, 1, 12, RNN_HEAD_MANY_TO_MANY, 3},
                 108);
}

/* A failed check may leave the kernels held to a narrow width: the next test starts wide. */
static int widest_kernels(void **state) {
    (void)state;
    rnn_kernel_width_limit(4);
    return 0;
}

static int print_width(void **state) {
    (void)state;
    print_message("kernel width on this CPU: %d doubles\n", rnn_kernel_width());
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_lstm_3_layers_bidirectional_embedding_per_step,
                                  widest_kernels),
        cmocka_unit_test_teardown(test_gru_2_layers_bidirectional_vectors_one_label,
                                  widest_kernels),
        cmocka_unit_test_teardown(test_rnn_relu_vectors_regression, widest_kernels),
        cmocka_unit_test_teardown(test_lstm_embedding_one_label, widest_kernels),
        cmocka_unit_test_teardown(test_gru_4_layers_bidirectional_embedding_per_step,
                                  widest_kernels),
        cmocka_unit_test_teardown(test_rnn_one_unit_2_layers_embedding_one_label, widest_kernels),
        cmocka_unit_test_teardown(test_lstm_bidirectional_vectors_regression, widest_kernels),
        cmocka_unit_test_teardown(test_lstm_32_units_embedding_one_label, widest_kernels),
        cmocka_unit_test_teardown(test_rnn_2_layers_bidirectional_embedding_per_step,
                                  widest_kernels),
    };
    return cmocka_run_group_tests(tests, print_width, NULL);
}
