/* test_cells.c - one step of each cell against arithmetic written out by hand, the engine's
 * own tanh and σ against long double libm, the stable sigmoid and softmax, parameter counts,
 * and the trace's time indexing. */
#include "test_util.h"

static double sigmoid_ref(double x) {
    return 1.0 / (1.0 + exp(-x));
}

/* A one-unit layer (H = 1, In = 1) with gate rows given in PyTorch order. */
typedef struct OneUnit {
    double w_ih[4], w_hh[4], b_ih[4], b_hh[4];
} OneUnit;

static RnnLayerParams params_of(OneUnit *u) {
    return (RnnLayerParams){u->w_ih, u->w_hh, u->b_ih, u->b_hh};
}

static void test_rnn_tanh_step(void **state) {
    (void)state;
    OneUnit u = {{0.7}, {-1.2}, {0.1}, {0.05}};
    RnnLayerParams p = params_of(&u);
    double x = 0.9, h_prev = 0.4, ih, hh, pre, gate, h;
    rnn_cell_forward(RNN_CELL_RNN, RNN_TANH, 1, 1, &p, &x, &h_prev, NULL, &ih, &hh, &pre, &gate, &h,
                     NULL);
    assert_double_equal(ih, 0.7 * 0.9 + 0.1, 1e-15);
    assert_double_equal(hh, -1.2 * 0.4 + 0.05, 1e-15);
    assert_double_equal(h, tanh(0.7 * 0.9 + 0.1 - 1.2 * 0.4 + 0.05), 1e-15);
}

static void test_rnn_relu_clips_negative(void **state) {
    (void)state;
    OneUnit u = {{-2.0}, {0.0}, {0.0}, {0.0}};
    RnnLayerParams p = params_of(&u);
    double x = 1.0, ih, hh, pre, gate, h;
    rnn_cell_forward(RNN_CELL_RNN, RNN_RELU, 1, 1, &p, &x, NULL, NULL, &ih, &hh, &pre, &gate, &h,
                     NULL);
    assert_double_equal(pre, -2.0, 1e-15);
    assert_double_equal(h, 0.0, 0.0);
    x = -1.5;
    rnn_cell_forward(RNN_CELL_RNN, RNN_RELU, 1, 1, &p, &x, NULL, NULL, &ih, &hh, &pre, &gate, &h,
                     NULL);
    assert_double_equal(h, 3.0, 1e-15); /* relu is not bounded like tanh */
}

static void test_lstm_step_gate_order(void **state) {
    (void)state;
    /* rows: i, f, g, o; distinct weights so a swapped gate shows */
    OneUnit u = {
        {0.5, -0.3, 0.8, 0.2}, {0.1, 0.9, -0.4, 0.6}, {0.0, 1.0, 0.0, -0.5}, {0.2, 0.0, 0.1, 0.0}};
    RnnLayerParams p = params_of(&u);
    double x = 1.5, h_prev = -0.6, c_prev = 0.75;
    double ih[4], hh[4], pre[4], gate[4], h, c;
    rnn_cell_forward(RNN_CELL_LSTM, RNN_TANH, 1, 1, &p, &x, &h_prev, &c_prev, ih, hh, pre, gate, &h,
                     &c);
    double i = sigmoid_ref(0.5 * 1.5 + 0.0 + 0.1 * -0.6 + 0.2);
    double f = sigmoid_ref(-0.3 * 1.5 + 1.0 + 0.9 * -0.6 + 0.0);
    double g = tanh(0.8 * 1.5 + 0.0 - 0.4 * -0.6 + 0.1);
    double o = sigmoid_ref(0.2 * 1.5 - 0.5 + 0.6 * -0.6 + 0.0);
    assert_double_equal(gate[0], i, 1e-15);
    assert_double_equal(gate[1], f, 1e-15);
    assert_double_equal(gate[2], g, 1e-15);
    assert_double_equal(gate[3], o, 1e-15);
    assert_double_equal(c, f * 0.75 + i * g, 1e-15);
    assert_double_equal(h, o * tanh(f * 0.75 + i * g), 1e-15);
}

static void test_gru_reset_multiplies_recurrent_bias(void **state) {
    (void)state;
    /* rows: r, z, n. PyTorch's n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): the reset gate
     * scales the recurrent bias too. A large b_hn makes the difference visible. */
    OneUnit u = {{0.4, -0.7, 1.1}, {0.3, 0.2, -0.8}, {0.1, 0.2, -0.1}, {-0.2, 0.05, 2.0}};
    RnnLayerParams p = params_of(&u);
    double x = 0.8, h_prev = 0.5;
    double ih[3], hh[3], pre[3], gate[3], h;
    rnn_cell_forward(RNN_CELL_GRU, RNN_TANH, 1, 1, &p, &x, &h_prev, NULL, ih, hh, pre, gate, &h,
                     NULL);
    double r = sigmoid_ref(0.4 * 0.8 + 0.1 + 0.3 * 0.5 - 0.2);
    double z = sigmoid_ref(-0.7 * 0.8 + 0.2 + 0.2 * 0.5 + 0.05);
    double n = tanh(1.1 * 0.8 - 0.1 + r * (-0.8 * 0.5 + 2.0));
    assert_double_equal(gate[0], r, 1e-15);
    assert_double_equal(gate[1], z, 1e-15);
    assert_double_equal(gate[2], n, 1e-15);
    assert_double_equal(pre[2], 1.1 * 0.8 - 0.1 + r * (-0.8 * 0.5 + 2.0), 1e-15);
    assert_double_equal(h, (1 - z) * n + z * 0.5, 1e-15);
}

static void test_sigmoid_is_stable_at_extremes(void **state) {
    (void)state;
    assert_double_equal(rnn_sigmoid(0), 0.5, 0);
    assert_double_equal(rnn_sigmoid(1e6), 1.0, 0);
    assert_double_equal(rnn_sigmoid(-1e6), 0.0, 0);
    assert_true(isfinite(rnn_sigmoid(-800)) && rnn_sigmoid(-800) >= 0);
    assert_double_equal(rnn_sigmoid(-30), exp(-30) / (1 + exp(-30)), 1e-25);
    assert_double_equal(rnn_sigmoid(3) + rnn_sigmoid(-3), 1.0, 1e-15);
}

/* Distance from the true value in units of the last place of the correctly rounded result
 * (the reference in long double: 64-bit significand, 11 more bits than double). */
static double ulps_off(double got, long double want) {
    double w = (double)want;
    double ulp = nextafter(fabs(w), INFINITY) - fabs(w);
    return (double)(fabsl((long double)got - want) / ulp);
}

/* A deterministic sweep: uniform on the range where the cells live, then values spread over
 * many magnitudes (tiny ones, where tanh(x) ≈ x, are where a careless tanh loses bits). */
static double sweep_value(int i, uint64_t *rng) {
    double u = rnn_rng_uniform(rng) * 2 - 1;
    switch (i % 4) {
    case 0:
        return u * 8;
    case 1:
        return u * 40;
    case 2:
        return ldexp(u, -(int)rnn_rng_below(rng, 50));
    default:
        return u * 700;
    }
}

static void test_activations_are_accurate(void **state) {
    (void)state;
    uint64_t rng = 11;
    double worst_tanh = 0, worst_sigmoid = 0;
    for (int i = 0; i < 400000; i++) {
        double x = sweep_value(i, &rng);
        double t = ulps_off(rnn_tanh(x), tanhl(x));
        if (t > worst_tanh) worst_tanh = t;
        if (x > -708) { /* below, σ(x) < 2^-1022 is returned as 0 (see rnn_activation.c) */
            double s = ulps_off(rnn_sigmoid(x), 1.0L / (1.0L + expl(-(long double)x)));
            if (s > worst_sigmoid) worst_sigmoid = s;
        }
    }
    /* measured on x86-64: 2.6 and 2.9 units; libm's own tanh is within 1 to 2 */
    assert_true(worst_tanh <= 4.0);
    assert_true(worst_sigmoid <= 4.0);
    assert_true(worst_tanh > 0 && worst_sigmoid > 0); /* the sweep did compare something */
}

static void test_activations_special_values(void **state) {
    (void)state;
    assert_true(rnn_tanh(0.0) == 0.0 && !signbit(rnn_tanh(0.0)));
    assert_true(rnn_tanh(-0.0) == 0.0 && signbit(rnn_tanh(-0.0)));
    assert_double_equal(rnn_tanh(1e-300), 1e-300, 0);
    assert_double_equal(rnn_tanh(-5e-324), -5e-324, 0);
    assert_double_equal(rnn_tanh(INFINITY), 1.0, 0);
    assert_double_equal(rnn_tanh(-INFINITY), -1.0, 0);
    assert_double_equal(rnn_tanh(19.0), tanh(19.0), 0); /* the last value below 1 */
    assert_double_equal(rnn_tanh(25.0), 1.0, 0);
    assert_true(isnan(rnn_tanh(NAN)) && isnan(rnn_sigmoid(NAN)));
    assert_double_equal(rnn_sigmoid(INFINITY), 1.0, 0);
    assert_double_equal(rnn_sigmoid(-INFINITY), 0.0, 0);
    assert_double_equal(rnn_sigmoid(-708.5), 0.0, 0);
    assert_double_equal(rnn_sigmoid(-707.5), 1.0 / (1.0 + exp(707.5)), 1e-320);
}

static void test_activation_arrays_match_single_values(void **state) {
    (void)state;
    enum { N = 37 }; /* odd: the last value takes the one-value path */
    double x[N], t[N], t2[N], s[N];
    uint64_t rng = 5;
    for (int i = 0; i < N; i++) x[i] = sweep_value(i, &rng);
    rnn_tanh_many(t, t2, x, N);
    rnn_sigmoid_many(s, x, N);
    for (int i = 0; i < N; i++) {
        double one_t = rnn_tanh(x[i]), one_s = rnn_sigmoid(x[i]);
        assert_memory_equal(&t[i], &one_t, sizeof one_t);
        assert_memory_equal(&t2[i], &one_t, sizeof one_t);
        assert_memory_equal(&s[i], &one_s, sizeof one_s);
    }
    double a[N], sum[N];
    for (int i = 0; i < N; i++) a[i] = rnn_rng_normal(&rng);
    rnn_add_many(sum, a, x, N);
    for (int i = 0; i < N; i++) assert_double_equal(sum[i], a[i] + x[i], 0);
    rnn_tanh_many(x, NULL, x, N); /* in place */
    for (int i = 0; i < N; i++) assert_memory_equal(&x[i], &t[i], sizeof t[i]);
}

static void test_softmax_is_stable(void **state) {
    (void)state;
    double logits[3] = {1000, 1001, 999}, p[3];
    rnn_softmax(logits, 3, p);
    double e0 = exp(-1), e2 = exp(-2), sum = e0 + 1 + e2;
    assert_double_equal(p[0], e0 / sum, 1e-15);
    assert_double_equal(p[1], 1 / sum, 1e-15);
    assert_double_equal(p[2], e2 / sum, 1e-15);
}

static void test_param_counts_match_the_frameworks(void **state) {
    (void)state;
    /* Keras model.summary() for these layers on 100-wide inputs: SimpleRNN(32) 4,256,
     * LSTM(32) 17,024, GRU(32) (reset_after=True) 12,864. */
    assert_int_equal(rnn_layer_param_count(RNN_CELL_RNN, 100, 32, RNN_KERAS), 4256);
    assert_int_equal(rnn_layer_param_count(RNN_CELL_LSTM, 100, 32, RNN_KERAS), 17024);
    assert_int_equal(rnn_layer_param_count(RNN_CELL_GRU, 100, 32, RNN_KERAS), 12864);
    /* PyTorch keeps two bias vectors per layer: sum(p.numel()) of nn.LSTM(100, 32) = 17,152. */
    assert_int_equal(rnn_layer_param_count(RNN_CELL_RNN, 100, 32, RNN_PYTORCH), 4288);
    assert_int_equal(rnn_layer_param_count(RNN_CELL_LSTM, 100, 32, RNN_PYTORCH), 17152);
    assert_int_equal(rnn_layer_param_count(RNN_CELL_GRU, 100, 32, RNN_PYTORCH), 12864);

    /* The PyTorch count of a whole model is exactly the size of its parameter buffer. */
    for (int cell = 0; cell < 3; cell++)
        for (int bi = 0; bi < 2; bi++)
            for (int layers = 1; layers <= 4; layers++) {
                RnnConfig c = {(RnnCellKind)cell,    RNN_TANH, 7, 5, layers, bi, 11,
                               RNN_HEAD_MANY_TO_ONE, 3};
                assert_int_equal(rnn_param_count(&c, RNN_PYTORCH), rnn_config_num_params(&c));
                RnnError err;
                RnnModel *m = rnn_model_new(&c, &err);
                assert_non_null(m);
                assert_int_equal(m->num_params, rnn_config_num_params(&c));
                rnn_model_free(m);
            }
    /* Keras counts a bidirectional layer twice, and layer 2 reads both directions. */
    RnnConfig bi = {RNN_CELL_LSTM, RNN_TANH, 10, 8, 2, 1, 0, RNN_HEAD_NONE, 0};
    assert_int_equal(rnn_recurrent_param_count(&bi, RNN_KERAS),
                     2 * 4 * 8 * (10 + 8 + 1) + 2 * 4 * 8 * (16 + 8 + 1));
}

/* The backward direction's value at t is its state after reading T-1 .. t: a 1-unit RNN
 * that sums its inputs (h' = h + x through relu) shows it as suffix sums. */
static void test_backward_direction_is_indexed_by_position(void **state) {
    (void)state;
    RnnConfig c = {RNN_CELL_RNN, RNN_RELU, 1, 1, 1, 1, 0, RNN_HEAD_MANY_TO_ONE, 2};
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    for (int d = 0; d < 2; d++) m->layer[0][d].weight_ih[0] = m->layer[0][d].weight_hh[0] = 1;
    m->head_weight[0] = 1; /* logit 0 reads h_fwd[T-1] */
    m->head_weight[3] = 1; /* logit 1 reads h_bwd[0] */
    double x[4] = {1, 2, 3, 4};
    RnnTrace *tr;
    assert_int_equal(rnn_model_run_vectors(m, x, 4, 0, &tr, &err), 0);
    double prefix[4] = {1, 3, 6, 10}, suffix[4] = {10, 9, 7, 4};
    for (int t = 0; t < 4; t++) {
        assert_double_equal(tr->h[rnn_trace_state_index(tr, 0, 0, t)], prefix[t], 0);
        assert_double_equal(tr->h[rnn_trace_state_index(tr, 0, 1, t)], suffix[t], 0);
    }
    assert_null(rnn_trace_prev_h(tr, 0, 0, 0));
    assert_null(rnn_trace_prev_h(tr, 0, 1, 3));
    assert_ptr_equal(rnn_trace_prev_h(tr, 0, 1, 1), tr->h + rnn_trace_state_index(tr, 0, 1, 2));
    /* many-to-one reads PyTorch's h_n: the forward state at T-1, the backward one at 0 */
    assert_double_equal(tr->feature[0], 10, 0);
    assert_double_equal(tr->feature[1], 10, 0);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

static void test_trace_refuses_what_it_cannot_hold(void **state) {
    (void)state;
    RnnConfig c = {RNN_CELL_LSTM, RNN_TANH, 4096, 4096, 4, 1, 0, RNN_HEAD_NONE, 0};
    RnnError err;
    RnnModel *m = rnn_model_new(&(RnnConfig){RNN_CELL_LSTM, RNN_TANH, 2, 2, 1, 0, 0, 0, 0}, &err);
    double x[2] = {0};
    RnnTrace *tr;
    assert_true(rnn_trace_bytes(&c, 100000) > ((size_t)1 << 30));
    assert_int_equal(rnn_model_run_vectors(m, x, 1, 64, &tr, &err), -1);
    assert_non_null(strstr(err.message, "over the"));
    assert_null(tr);
    rnn_model_free(m);
}

static void test_config_check_rejects_bad_sizes(void **state) {
    (void)state;
    RnnError err;
    RnnConfig ok = {RNN_CELL_GRU, RNN_TANH, 3, 4, 2, 1, 0, RNN_HEAD_MANY_TO_MANY, 3};
    assert_int_equal(rnn_config_check(&ok, &err), 0);
    RnnConfig bad = ok;
    bad.hidden_size = 0;
    assert_int_equal(rnn_config_check(&bad, &err), -1);
    bad = ok, bad.num_layers = 5;
    assert_int_equal(rnn_config_check(&bad, &err), -1);
    bad = ok, bad.nonlinearity = RNN_RELU; /* relu exists only for the vanilla cell */
    assert_int_equal(rnn_config_check(&bad, &err), -1);
    bad = ok, bad.num_labels = 1;
    assert_int_equal(rnn_config_check(&bad, &err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn_tanh_step),
        cmocka_unit_test(test_rnn_relu_clips_negative),
        cmocka_unit_test(test_lstm_step_gate_order),
        cmocka_unit_test(test_gru_reset_multiplies_recurrent_bias),
        cmocka_unit_test(test_sigmoid_is_stable_at_extremes),
        cmocka_unit_test(test_activations_are_accurate),
        cmocka_unit_test(test_activations_special_values),
        cmocka_unit_test(test_activation_arrays_match_single_values),
        cmocka_unit_test(test_softmax_is_stable),
        cmocka_unit_test(test_param_counts_match_the_frameworks),
        cmocka_unit_test(test_backward_direction_is_indexed_by_position),
        cmocka_unit_test(test_trace_refuses_what_it_cannot_hold),
        cmocka_unit_test(test_config_check_rejects_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
