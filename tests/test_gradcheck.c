/* test_gradcheck.c - backpropagation through time against central differences, for every
 * cell kind × {1 layer, 2 layers bidirectional} × {many-to-one, many-to-many}, with and
 * without an embedding. Every parameter is checked, not a sample, and a gradient that is
 * all zero (or zero for a whole tensor) fails: a backward pass that does nothing must not
 * pass by agreeing with a flat loss. */
#include "test_util.h"

typedef struct GradCase {
    const char *name;
    RnnCellKind cell;
    RnnNonlinearity act;
    int layers, bidirectional, embedding;
    RnnHeadKind head;
} GradCase;

/* A tiny deterministic generator for weights and data (xorshift64*). */
static double next_uniform(uint64_t *s) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0 * 2 - 1;
}

enum { T = 5, I = 3, H = 3, V = 6, K = 3 };
static const int tokens[T] = {1, 4, 0, 4, 2};
static const int targets[T] = {2, 0, 1, 1, 0};

static RnnModel *make_model(const GradCase *gc) {
    RnnConfig c = {gc->cell, gc->act, I, H, gc->layers, gc->bidirectional, gc->embedding ? V : 0,
                   gc->head, K};
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    assert_non_null(m);
    uint64_t s = 0x9E3779B97F4A7C15ULL ^
                 (uint64_t)(gc->cell * 31 + gc->layers * 7 + gc->head + gc->act * 1009);
    for (size_t k = 0; k < m->num_params; k++) m->params[k] = 0.8 * next_uniform(&s);
    if (gc->embedding) {
        for (int i = 0; i < V; i++) rnn_model_set_vocab(m, i, i ? "w" : "<unk>", &err);
    }
    return m;
}

static double vectors[T * I];

/* The loss of the training objective: mean CE for many-to-one (one sequence), CE summed
 * over tokens / T for many-to-many. Fills grads and bw when asked. */
static double loss_of(const RnnModel *m, RnnTrace *tr, double *grads, RnnBackward *bw) {
    RnnError err;
    int rc = m->config.vocab_size ? rnn_model_forward(m, tokens, NULL, tr, &err)
                                  : rnn_model_forward(m, NULL, vectors, tr, &err);
    assert_int_equal(rc, 0);
    double dlogits[T * K] = {0}, loss = 0;
    if (m->config.head == RNN_HEAD_MANY_TO_ONE) {
        loss = rnn_cross_entropy(tr->logits, K, targets[0], 1.0, dlogits);
    } else if (m->config.head == RNN_HEAD_REGRESSION) {
        /* mean squared error over the K outputs */
        static const double values[K] = {0.3, -1.2, 2.0};
        for (int k = 0; k < K; k++) {
            double diff = tr->logits[k] - values[k];
            loss += diff * diff / K;
            dlogits[k] = 2 * diff / K;
        }
    } else {
        for (int t = 0; t < T; t++)
            loss +=
                rnn_cross_entropy(tr->logits + t * K, K, targets[t], 1.0 / T, dlogits + t * K) / T;
    }
    if (bw) assert_int_equal(rnn_model_backward(m, tr, dlogits, grads, bw, &err), 0);
    return loss;
}

static void check_case(const GradCase *gc) {
    RnnModel *m = make_model(gc);
    RnnError err;
    RnnTrace *tr = rnn_trace_new(&m->config, T, &err);
    RnnBackward *bw = rnn_backward_new(&m->config, T, &err);
    uint64_t s = 12345;
    for (int k = 0; k < T * I; k++) vectors[k] = next_uniform(&s);
    double *grads = calloc(m->num_params, sizeof *grads);
    loss_of(m, tr, grads, bw);

    const double eps = 1e-6;
    double max_abs = 0;
    for (int ti = 0; ti < rnn_tensor_count(&m->config); ti++) {
        RnnTensorInfo info = rnn_tensor_info(&m->config, ti);
        double tensor_norm = 0;
        for (size_t k = info.offset; k < info.offset + rnn_tensor_size(&info); k++) {
            double saved = m->params[k];
            m->params[k] = saved + eps;
            double up = loss_of(m, tr, NULL, NULL);
            m->params[k] = saved - eps;
            double down = loss_of(m, tr, NULL, NULL);
            m->params[k] = saved;
            double numeric = (up - down) / (2 * eps);
            double scale = fmax(1e-3, fmax(fabs(numeric), fabs(grads[k])));
            if (fabs(numeric - grads[k]) > 1e-6 * fmax(1, scale) + 1e-8)
                fail_msg("%s: %s[%zu]: backprop %.12g, central difference %.12g", gc->name,
                         info.name, k - info.offset, grads[k], numeric);
            tensor_norm += grads[k] * grads[k];
            max_abs = fmax(max_abs, fabs(grads[k]));
        }
        /* every recurrent and head tensor takes part in the loss */
        if (strncmp(info.name, "embedding", 9) != 0 && tensor_norm == 0)
            fail_msg("%s: %s has an all-zero gradient", gc->name, info.name);
    }
    assert_true(max_abs > 1e-3);

    /* The gradient that reaches the raw input vectors, against central differences too. */
    if (!gc->embedding) {
        loss_of(m, tr, NULL, bw);
        double dinput[T * I];
        memcpy(dinput, bw->dinput, sizeof dinput);
        for (int k = 0; k < T * I; k++) {
            double saved = vectors[k];
            vectors[k] = saved + eps;
            double up = loss_of(m, tr, NULL, NULL);
            vectors[k] = saved - eps;
            double down = loss_of(m, tr, NULL, NULL);
            vectors[k] = saved;
            assert_double_equal(dinput[k], (up - down) / (2 * eps), 1e-7);
        }
    }
    free(grads);
    rnn_backward_free(bw);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

static const GradCase cases[] = {
    {"rnn tanh, 1 layer, many-to-one", RNN_CELL_RNN, RNN_TANH, 1, 0, 1, RNN_HEAD_MANY_TO_ONE},
    {"rnn tanh, 2 layers bi, many-to-many", RNN_CELL_RNN, RNN_TANH, 2, 1, 0, RNN_HEAD_MANY_TO_MANY},
    {"rnn tanh, 1 layer, many-to-many", RNN_CELL_RNN, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_MANY},
    {"rnn tanh, 2 layers bi, many-to-one", RNN_CELL_RNN, RNN_TANH, 2, 1, 1, RNN_HEAD_MANY_TO_ONE},
    {"rnn relu, 1 layer, many-to-one", RNN_CELL_RNN, RNN_RELU, 1, 0, 0, RNN_HEAD_MANY_TO_ONE},
    {"rnn relu, 2 layers bi, many-to-many", RNN_CELL_RNN, RNN_RELU, 2, 1, 1, RNN_HEAD_MANY_TO_MANY},
    {"lstm, 1 layer, many-to-one", RNN_CELL_LSTM, RNN_TANH, 1, 0, 1, RNN_HEAD_MANY_TO_ONE},
    {"lstm, 1 layer, many-to-many", RNN_CELL_LSTM, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_MANY},
    {"lstm, 2 layers bi, many-to-one", RNN_CELL_LSTM, RNN_TANH, 2, 1, 0, RNN_HEAD_MANY_TO_ONE},
    {"lstm, 2 layers bi, many-to-many", RNN_CELL_LSTM, RNN_TANH, 2, 1, 1, RNN_HEAD_MANY_TO_MANY},
    {"gru, 1 layer, many-to-one", RNN_CELL_GRU, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_ONE},
    {"gru, 1 layer, many-to-many", RNN_CELL_GRU, RNN_TANH, 1, 0, 1, RNN_HEAD_MANY_TO_MANY},
    {"gru, 2 layers bi, many-to-one", RNN_CELL_GRU, RNN_TANH, 2, 1, 1, RNN_HEAD_MANY_TO_ONE},
    {"gru, 2 layers bi, many-to-many", RNN_CELL_GRU, RNN_TANH, 2, 1, 0, RNN_HEAD_MANY_TO_MANY},
    {"rnn tanh, 1 layer, regression", RNN_CELL_RNN, RNN_TANH, 1, 0, 0, RNN_HEAD_REGRESSION},
    {"lstm, 2 layers bi, regression", RNN_CELL_LSTM, RNN_TANH, 2, 1, 1, RNN_HEAD_REGRESSION},
    {"gru, 1 layer, regression", RNN_CELL_GRU, RNN_TANH, 1, 0, 0, RNN_HEAD_REGRESSION},
};

static void test_case(void **state) {
    check_case(*state);
}

/* The many-to-one loss of a one-layer, one-direction model on the raw vectors, started from
 * the initial state (h_init, c_init) instead of zero: the cells run here one by one through
 * rnn_cell_forward, then the head and the cross-entropy. */
static double loss_from_state(const RnnModel *m, const double *h_init, const double *c_init) {
    const RnnConfig *c = &m->config;
    enum { G_MAX = 4 };
    double h[H], cell[H], h_prev[H], c_prev[H];
    double gate_ih[G_MAX * H], gate_hh[G_MAX * H], gate_pre[G_MAX * H], gate[G_MAX * H];
    memcpy(h_prev, h_init, sizeof h_prev);
    memcpy(c_prev, c_init, sizeof c_prev);
    for (int t = 0; t < T; t++) {
        rnn_cell_forward(c->cell, c->nonlinearity, I, H, &m->layer[0][0], vectors + t * I, h_prev,
                         c->cell == RNN_CELL_LSTM ? c_prev : NULL, gate_ih, gate_hh, gate_pre, gate,
                         h, cell);
        memcpy(h_prev, h, sizeof h);
        memcpy(c_prev, cell, sizeof cell);
    }
    double logits[K];
    for (int k = 0; k < K; k++) {
        logits[k] = m->head_bias[k];
        for (int j = 0; j < H; j++) logits[k] += m->head_weight[k * H + j] * h_prev[j];
    }
    return rnn_cross_entropy(logits, K, targets[0], 1.0, NULL);
}

/* The gradient w.r.t. the initial state (which the forward pass keeps at zero) equals a
 * central difference of the loss in that state: bw->dh0 for every cell kind, bw->dc0 for
 * the LSTM. Tolerance: 1e-6 relative to the larger of the two, plus 1e-11 absolute (the LSTM's
 * are ~1e-5 five steps back, so the floor must be far below them). eps = 1e-4 keeps the
 * rounding error of up - down (~1e-16 / eps) small next to them; measured: 1e-7 at worst. */
static void test_initial_state_gradient_flows(void **state) {
    (void)state;
    static const GradCase kinds[] = {
        {"lstm", RNN_CELL_LSTM, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_ONE},
        {"gru", RNN_CELL_GRU, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_ONE},
        {"rnn tanh", RNN_CELL_RNN, RNN_TANH, 1, 0, 0, RNN_HEAD_MANY_TO_ONE},
    };
    const double eps = 1e-4;
    uint64_t s = 777;
    for (int k = 0; k < T * I; k++) vectors[k] = next_uniform(&s);
    for (size_t n = 0; n < sizeof kinds / sizeof *kinds; n++) {
        RnnModel *m = make_model(&kinds[n]);
        RnnError err;
        RnnTrace *tr = rnn_trace_new(&m->config, T, &err);
        RnnBackward *bw = rnn_backward_new(&m->config, T, &err);
        double loss = loss_of(m, tr, NULL, bw);
        double h0[H] = {0}, c0[H] = {0};
        /* the hand-run forward is the engine's: same loss from the zero state */
        assert_double_equal(loss_from_state(m, h0, c0), loss, 1e-12);
        int lstm = m->config.cell == RNN_CELL_LSTM;
        double norm_h = 0, norm_c = 0;
        for (int j = 0; j < H; j++) {
            for (int which = 0; which < 1 + lstm; which++) {
                double *x = which ? c0 : h0;
                x[j] = eps;
                double up = loss_from_state(m, h0, c0);
                x[j] = -eps;
                double down = loss_from_state(m, h0, c0);
                x[j] = 0;
                double numeric = (up - down) / (2 * eps);
                double got = which ? bw->dc0[j] : bw->dh0[j];
                double tol = 1e-6 * fmax(fabs(numeric), fabs(got)) + 1e-11;
                if (fabs(got - numeric) > tol)
                    fail_msg("%s: d loss / d %s_init[%d]: backprop %.12g, central difference %.12g",
                             kinds[n].name, which ? "c" : "h", j, got, numeric);
                *(which ? &norm_c : &norm_h) += got * got;
            }
        }
        /* not a check of zeros against zeros (five steps back they are ~1e-5 here) */
        assert_true(sqrt(norm_h) > 1e-6);
        if (lstm) assert_true(sqrt(norm_c) > 1e-6);
        rnn_backward_free(bw);
        rnn_trace_free(tr);
        rnn_model_free(m);
    }
}

int main(void) {
    /* one test per case, named after it, with the case as its initial state */
    struct CMUnitTest tests[sizeof cases / sizeof *cases + 1] = {
        cmocka_unit_test(test_initial_state_gradient_flows)};
    for (size_t n = 0; n < sizeof cases / sizeof *cases; n++)
        tests[n + 1] = (struct CMUnitTest){cases[n].name, test_case, NULL, NULL, (void *)&cases[n]};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
