/* test_layers.c - models version 2 describes: each recurrent layer with its own cell, size
 * and activations, the GRU's Keras 2.2 form, bidirectional merge modes, Dense layers before
 * the head, masked padding; their file round trip; and what still needs a version 1 model.
 * Each behaviour is checked against arithmetic the test writes out itself, or against the
 * same model built another way (a stack against the chain of its single layers). */
#include "io.h"
#include "test_util.h"

#define TOL 1e-12

static double sigmoid_ref(double x) {
    return 1.0 / (1.0 + exp(-x));
}

/* A version 2 configuration of layers (cell, H) reading raw vectors of width I. */
static RnnConfig config_v2(int I, int L, const RnnLayerConfig *layers) {
    RnnConfig c = {.input_size = I, .num_layers = L};
    for (int l = 0; l < L; l++) c.layers[l] = layers[l];
    rnn_config_normalize(&c);
    return c;
}

static RnnModel *random_model(const RnnConfig *c, uint64_t seed) {
    RnnError err;
    RnnModel *m = rnn_model_new(c, &err);
    assert_non_null(m);
    uint64_t rng = seed;
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = 2.0 * rnn_rng_uniform(&rng) - 1.0;
    return m;
}

static double *random_vectors(int T, int I, uint64_t seed) {
    double *x = malloc((size_t)T * I * sizeof *x);
    uint64_t rng = seed;
    for (int k = 0; k < T * I; k++) x[k] = 2.0 * rnn_rng_uniform(&rng) - 1.0;
    return x;
}

static RnnTrace *run(const RnnModel *m, const double *x, int T) {
    RnnError err;
    RnnTrace *tr = NULL;
    if (rnn_model_run_vectors(m, x, T, 0, &tr, &err)) fail_msg("%s", err.message);
    return tr;
}

/* ---- activations -------------------------------------------------------------------------- */

static void test_hard_sigmoid_follows_the_keras_version(void **state) {
    (void)state;
    /* Keras 2: clip(0.2 x + 0.5); Keras 3: relu6(x + 3) / 6 */
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID, 1.0), 0.7, 1e-15);
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID_K3, 1.0), 4.0 / 6.0, 1e-15);
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID, 2.6), 1.0, 0);
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID, -2.6), 0.0, 0);
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID_K3, 2.9), 5.9 / 6.0, 1e-15);
    assert_double_equal(rnn_activate(RNN_ACT_HARD_SIGMOID_K3, -3.1), 0.0, 0);
    assert_double_equal(rnn_activate_deriv(RNN_ACT_HARD_SIGMOID, 0.3, 0.56), 0.2, 0);
    assert_double_equal(rnn_activate_deriv(RNN_ACT_HARD_SIGMOID_K3, 0.3, 0.55), 1.0 / 6.0, 0);
    assert_double_equal(rnn_activate_deriv(RNN_ACT_HARD_SIGMOID_K3, 3.5, 1.0), 0.0, 0);
    for (int a = 0; a < RNN_ACT_COUNT; a++) {
        RnnActivation back;
        assert_int_equal(rnn_activation_from_name(rnn_activation_name((RnnActivation)a), &back), 0);
        assert_int_equal(back, a);
    }
}

/* ---- cells -------------------------------------------------------------------------------- */

/* The general step gives what the version 1 step gives for a version 1 layer. */
static void test_general_step_equals_the_classic_step(void **state) {
    (void)state;
    for (int cell = 0; cell < 3; cell++)
        for (int relu = 0; relu < (cell == RNN_CELL_RNN ? 2 : 1); relu++) {
            int I = 3, H = 4, G = rnn_gate_count((RnnCellKind)cell);
            double w[4 * 4 * 3 + 4 * 4 * 4 + 8 * 4], ih[16], hh[16], pre[16], gate[16], h[4], c[4];
            double ih2[16], hh2[16], pre2[16], gate2[16], h2[4], c2[4];
            uint64_t rng = 7 + (uint64_t)cell;
            for (size_t k = 0; k < sizeof w / sizeof *w; k++) w[k] = rnn_rng_normal(&rng);
            RnnLayerParams p = {w, w + G * H * I, w + G * H * (I + H), w + G * H * (I + H + 1)};
            double x[3] = {0.3, -0.8, 0.5}, h_prev[4] = {0.1, -0.4, 0.7, 0.2},
                   c_prev[4] = {1.0, -0.5, 0.25, 2.0};
            RnnLayerConfig lc = test_layer((RnnCellKind)cell, H);
            if (relu) lc.activation = RNN_ACT_RELU;
            rnn_cell_forward((RnnCellKind)cell, relu ? RNN_RELU : RNN_TANH, I, H, &p, x, h_prev,
                             c_prev, ih, hh, pre, gate, h, c);
            rnn_layer_cell_forward(&lc, I, &p, x, h_prev, c_prev, ih2, hh2, pre2, gate2, h2, c2);
            for (int r = 0; r < G * H; r++) assert_double_equal(gate[r], gate2[r], 1e-14);
            for (int j = 0; j < H; j++) assert_double_equal(h[j], h2[j], 1e-14);
            if (cell == RNN_CELL_LSTM)
                for (int j = 0; j < H; j++) assert_double_equal(c[j], c2[j], 1e-14);
        }
}

/* Keras 2.2's GRU (reset_after = False): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn). */
static void test_gru_reset_before_puts_r_inside_the_product(void **state) {
    (void)state;
    /* H = 2, In = 1; rows r0 r1 z0 z1 n0 n1 */
    double w_ih[6] = {0.5, -0.3, 0.2, 0.8, -0.6, 0.4};
    double w_hh[12] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0, 1.1, -1.2};
    double b_ih[6] = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06};
    double b_hh[6] = {-0.01, 0.0, 0.02, 0.0, 0.07, -0.08};
    RnnLayerParams p = {w_ih, w_hh, b_ih, b_hh};
    RnnLayerConfig lc = test_layer(RNN_CELL_GRU, 2);
    lc.reset_after = 0;
    double x = 0.9, h_prev[2] = {0.3, -0.7}, ih[6], hh[6], pre[6], gate[6], h[2];
    rnn_layer_cell_forward(&lc, 1, &p, &x, h_prev, NULL, ih, hh, pre, gate, h, NULL);
    double r[2], z[2];
    for (int j = 0; j < 2; j++) {
        r[j] = sigmoid_ref(w_ih[j] * x + b_ih[j] + w_hh[2 * j] * h_prev[0] +
                           w_hh[2 * j + 1] * h_prev[1] + b_hh[j]);
        z[j] = sigmoid_ref(w_ih[2 + j] * x + b_ih[2 + j] + w_hh[2 * (2 + j)] * h_prev[0] +
                           w_hh[2 * (2 + j) + 1] * h_prev[1] + b_hh[2 + j]);
    }
    for (int j = 0; j < 2; j++) {
        int row = 4 + j;
        double rh = w_hh[2 * row] * r[0] * h_prev[0] + w_hh[2 * row + 1] * r[1] * h_prev[1];
        double n = tanh(w_ih[row] * x + b_ih[row] + rh + b_hh[row]);
        assert_double_equal(gate[row], n, TOL);
        assert_double_equal(h[j], (1 - z[j]) * n + z[j] * h_prev[j], TOL);
    }
}

/* activation='relu' in a Keras LSTM: the candidate and the squash of c are relu. */
static void test_relu_lstm_uses_relu_for_candidate_and_cell(void **state) {
    (void)state;
    double w_ih[4] = {0.5, -0.2, 1.5, 0.9}, w_hh[4] = {0.3, 0.1, -0.4, 0.2};
    double b_ih[4] = {0.1, 0.2, 0.3, 0.0}, b_hh[4] = {0};
    RnnLayerParams p = {w_ih, w_hh, b_ih, b_hh};
    RnnLayerConfig lc = test_layer(RNN_CELL_LSTM, 1);
    lc.activation = RNN_ACT_RELU;
    lc.recurrent_activation = RNN_ACT_HARD_SIGMOID;
    double x = 0.8, h_prev = 0.5, c_prev = -0.3, ih[4], hh[4], pre[4], gate[4], h, c;
    rnn_layer_cell_forward(&lc, 1, &p, &x, &h_prev, &c_prev, ih, hh, pre, gate, &h, &c);
    double a[4];
    for (int q = 0; q < 4; q++) a[q] = w_ih[q] * x + b_ih[q] + w_hh[q] * h_prev;
    double hs[4];
    for (int q = 0; q < 4; q++) hs[q] = fmin(1.0, fmax(0.0, 0.2 * a[q] + 0.5));
    double g = fmax(0.0, a[2]);
    double c_ref = hs[1] * c_prev + hs[0] * g;
    assert_double_equal(c, c_ref, TOL);
    assert_double_equal(h, hs[3] * fmax(0.0, c_ref), TOL);
}

/* ---- the stack ------------------------------------------------------------------------------ */

/* A stack of layers of different sizes and cells equals the chain of its single layers, each
 * fed the one below's h as raw vectors: the trace's per-layer layout holds what each layer
 * computed. */
static void test_stack_of_sizes_equals_chain_of_layers(void **state) {
    (void)state;
    RnnLayerConfig ls[3] = {test_layer(RNN_CELL_LSTM, 3), test_layer(RNN_CELL_GRU, 5),
                            test_layer(RNN_CELL_RNN, 2)};
    ls[0].activation = RNN_ACT_RELU;
    ls[1].reset_after = 0;
    ls[2].activation = RNN_ACT_RELU;
    int I = 2, T = 6;
    RnnConfig c = config_v2(I, 3, ls);
    RnnModel *stack = random_model(&c, 11);
    double *x = random_vectors(T, I, 5);
    RnnTrace *tr = run(stack, x, T);
    double *in = x;
    int in_size = I;
    for (int l = 0; l < 3; l++) {
        RnnConfig one = config_v2(in_size, 1, &ls[l]);
        RnnModel *m = rnn_model_new(&one, NULL);
        assert_non_null(m);
        for (int k = 0; k < 4; k++) {
            RnnTensorInfo t = rnn_tensor_info(&one, k);
            RnnTensorInfo s = rnn_tensor_info(&c, 4 * l + k);
            assert_int_equal(rnn_tensor_size(&t), rnn_tensor_size(&s));
            memcpy(m->params + t.offset, stack->params + s.offset,
                   rnn_tensor_size(&t) * sizeof(double));
        }
        RnnTrace *one_tr = run(m, in, T);
        int H = ls[l].hidden_size;
        for (int t = 0; t < T; t++)
            for (int j = 0; j < H; j++) {
                assert_double_equal(tr->h[rnn_trace_state_index(tr, l, 0, t) + j],
                                    one_tr->h[rnn_trace_state_index(one_tr, 0, 0, t) + j], 0);
                if (ls[l].cell == RNN_CELL_LSTM)
                    assert_double_equal(tr->c[rnn_trace_state_index(tr, l, 0, t) + j],
                                        one_tr->c[rnn_trace_state_index(one_tr, 0, 0, t) + j], 0);
            }
        double *next = malloc((size_t)T * H * sizeof *next);
        for (int t = 0; t < T; t++)
            memcpy(next + (size_t)t * H, one_tr->h + rnn_trace_state_index(one_tr, 0, 0, t),
                   (size_t)H * sizeof *next);
        if (in != x) free(in);
        in = next, in_size = H;
        rnn_trace_free(one_tr);
        rnn_model_free(m);
    }
    free(in);
    free(x);
    rnn_trace_free(tr);
    rnn_model_free(stack);
}

/* Each merge mode hands the next layer f(h→, h←) at every position. */
static void test_merge_modes_feed_the_next_layer(void **state) {
    (void)state;
    for (int mode = 0; mode < 4; mode++) {
        RnnLayerConfig ls[2] = {test_layer(RNN_CELL_LSTM, 3), test_layer(RNN_CELL_RNN, 2)};
        ls[0].bidirectional = 1;
        ls[0].merge = (RnnMerge)mode;
        RnnConfig c = config_v2(2, 2, ls);
        assert_int_equal(rnn_layer_input_size(&c, 1), mode == RNN_MERGE_CONCAT ? 6 : 3);
        RnnModel *m = random_model(&c, 3 + (uint64_t)mode);
        int T = 5;
        double *x = random_vectors(T, 2, 9);
        RnnTrace *tr = run(m, x, T);
        for (int t = 0; t < T; t++) {
            const double *f = tr->h + rnn_trace_state_index(tr, 0, 0, t);
            const double *b = tr->h + rnn_trace_state_index(tr, 0, 1, t);
            const double *in = rnn_trace_input(tr, 1, t);
            for (int j = 0; j < 3; j++) {
                double want[4] = {f[j], f[j] + b[j], f[j] * b[j], (f[j] + b[j]) / 2};
                assert_double_equal(in[j], want[mode], 1e-15);
                if (mode == RNN_MERGE_CONCAT) assert_double_equal(in[3 + j], b[j], 0);
            }
        }
        free(x);
        rnn_trace_free(tr);
        rnn_model_free(m);
    }
}

/* Dense(relu) then a one-output sigmoid head, from the top layer's h_n (both directions). */
static void test_dense_layers_and_sigmoid_head(void **state) {
    (void)state;
    RnnLayerConfig ls[1] = {test_layer(RNN_CELL_GRU, 3)};
    ls[0].bidirectional = 1;
    ls[0].merge = RNN_MERGE_AVE;
    RnnConfig c = config_v2(2, 1, ls);
    c.head = RNN_HEAD_MANY_TO_ONE;
    c.head_activation = RNN_ACT_SIGMOID;
    c.num_labels = 1;
    c.num_dense = 1;
    c.dense[0] = (RnnDenseConfig){4, RNN_ACT_RELU};
    RnnModel *m = random_model(&c, 21);
    int T = 4;
    double *x = random_vectors(T, 2, 1);
    RnnTrace *tr = run(m, x, T);
    double feature[3], hidden[4];
    for (int j = 0; j < 3; j++)
        feature[j] = (tr->h[rnn_trace_state_index(tr, 0, 0, T - 1) + j] +
                      tr->h[rnn_trace_state_index(tr, 0, 1, 0) + j]) /
                     2;
    for (int k = 0; k < 4; k++) {
        double s = m->dense_bias[0][k];
        for (int j = 0; j < 3; j++) s += m->dense_weight[0][k * 3 + j] * feature[j];
        hidden[k] = s > 0 ? s : 0;
        assert_double_equal(tr->dense[0][k], hidden[k], TOL);
    }
    double logit = m->head_bias[0];
    for (int k = 0; k < 4; k++) logit += m->head_weight[k] * hidden[k];
    assert_double_equal(tr->probs[0], sigmoid_ref(logit), TOL);
    free(x);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

/* Embedding(mask_zero=True) and front padding: the forward direction stays at zero over the
 * padding; the backward direction carries the state it had after the first real word. */
static void test_masked_padding_keeps_the_state(void **state) {
    (void)state;
    RnnLayerConfig ls[1] = {test_layer(RNN_CELL_LSTM, 3)};
    ls[0].bidirectional = 1;
    RnnConfig c = config_v2(2, 1, ls);
    c.vocab_size = 6;
    c.mask_zero = 1;
    RnnModel *m = random_model(&c, 4);
    int ids[5] = {0, 0, 3, 1, 5}, T = 5;
    RnnTrace *tr = NULL;
    RnnError err;
    assert_int_equal(rnn_model_run_ids(m, ids, T, 0, &tr, &err), 0);
    for (int t = 0; t < 2; t++) {
        assert_true(tr->padding[t]);
        for (int j = 0; j < 3; j++) {
            assert_double_equal(tr->h[rnn_trace_state_index(tr, 0, 0, t) + j], 0, 0);
            assert_double_equal(tr->h[rnn_trace_state_index(tr, 0, 1, t) + j],
                                tr->h[rnn_trace_state_index(tr, 0, 1, 2) + j], 0);
        }
    }
    /* the same words without the padding give the same states at the real words */
    RnnTrace *bare = NULL;
    assert_int_equal(rnn_model_run_ids(m, ids + 2, 3, 0, &bare, &err), 0);
    for (int d = 0; d < 2; d++)
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 3; j++)
                assert_double_equal(tr->h[rnn_trace_state_index(tr, 0, d, t + 2) + j],
                                    bare->h[rnn_trace_state_index(bare, 0, d, t) + j], 1e-15);
    int bad[2] = {1, 6};
    RnnTrace *none = NULL;
    assert_int_not_equal(rnn_model_run_ids(m, bad, 2, 0, &none, &err), 0);
    assert_non_null(strstr(err.message, "token id 6"));
    rnn_trace_free(bare);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

/* ---- files and limits -------------------------------------------------------------------------
 */

static void test_version_2_file_round_trips_exactly(void **state) {
    (void)state;
    RnnLayerConfig ls[2] = {test_layer(RNN_CELL_GRU, 3), test_layer(RNN_CELL_LSTM, 2)};
    ls[0].bidirectional = 1;
    ls[0].merge = RNN_MERGE_MUL;
    ls[0].reset_after = 0;
    ls[1].recurrent_activation = RNN_ACT_HARD_SIGMOID_K3;
    RnnConfig c = config_v2(2, 2, ls);
    c.vocab_size = 5;
    c.framework = RNN_KERAS;
    c.head = RNN_HEAD_MANY_TO_MANY;
    c.head_activation = RNN_ACT_SOFTMAX;
    c.num_labels = 3;
    c.num_dense = 2;
    c.dense[0] = (RnnDenseConfig){4, RNN_ACT_TANH};
    c.dense[1] = (RnnDenseConfig){3, RNN_ACT_LINEAR};
    RnnModel *m = random_model(&c, 8);
    RnnError err;
    for (int k = 0; k < 3; k++) {
        char label[8];
        snprintf(label, sizeof label, "c%d", k);
        assert_int_equal(rnn_model_set_label(m, k, label, &err), 0);
    }
    char *text = io_model_to_json(m, NULL, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"version\": 2"));
    assert_non_null(strstr(text, "\"vocab_size\": 5"));
    RnnModel *back = NULL;
    if (io_model_parse(text, strlen(text), "m.json", &back, NULL, &err))
        fail_msg("%s", err.message);
    assert_memory_equal(&back->config, &m->config, sizeof m->config);
    assert_memory_equal(back->params, m->params, m->num_params * sizeof(double));
    char *again = io_model_to_json(back, NULL, &err);
    assert_string_equal(again, text);
    free(again);
    free(text);
    rnn_model_free(back);
    rnn_model_free(m);
}

static void test_version_1_model_is_still_written_as_version_1(void **state) {
    (void)state;
    RnnConfig c = {.cell = RNN_CELL_LSTM,
                   .input_size = 2,
                   .hidden_size = 3,
                   .num_layers = 2,
                   .head = RNN_HEAD_REGRESSION,
                   .num_labels = 1};
    RnnModel *m = random_model(&c, 2);
    RnnError err;
    char *text = io_model_to_json(m, NULL, &err);
    assert_non_null(strstr(text, "\"version\": 1"));
    assert_null(strstr(text, "\"layers\""));
    free(text);
    rnn_model_free(m);
}

static void test_bad_layer_is_named(void **state) {
    (void)state;
    const char *text =
        "{\"format\": \"rnnscope-model\", \"version\": 2, \"input_size\": 2, \"layers\": ["
        "{\"cell\": \"lstm\", \"hidden_size\": 2}, {\"cell\": \"gru\", \"hidden_size\": 2, "
        "\"recurrent_activation\": \"relu\"}], \"params\": {}}";
    RnnModel *m = NULL;
    RnnError err;
    assert_int_not_equal(io_model_parse(text, strlen(text), "m.json", &m, NULL, &err), 0);
    assert_string_equal(err.message,
                        "m.json: layers[1]: recurrent_activation: expected one of \"sigmoid\", "
                        "\"hard_sigmoid_keras2\", \"hard_sigmoid_keras3\", got \"relu\"");
}

static void test_training_needs_a_version_1_model(void **state) {
    (void)state;
    RnnLayerConfig ls[2] = {test_layer(RNN_CELL_LSTM, 4), test_layer(RNN_CELL_LSTM, 2)};
    RnnConfig c = config_v2(2, 2, ls);
    c.head = RNN_HEAD_REGRESSION;
    c.head_activation = RNN_ACT_LINEAR;
    c.num_labels = 1;
    RnnModel *m = random_model(&c, 1);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    RnnError err;
    assert_null(rnn_trainer_new(m, &tc, 8, &err));
    assert_non_null(strstr(err.message, "forward pass only"));
    assert_null(rnn_backward_new(&m->config, 8, &err));
    rnn_model_free(m);
}

static void test_ids_are_read_as_written(void **state) {
    (void)state;
    int *ids, n;
    RnnError err;
    assert_int_equal(rnn_ids_parse(" 0, 0,12 7", &ids, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(ids[2], 12);
    assert_int_equal(ids[3], 7);
    free(ids);
    assert_int_not_equal(rnn_ids_parse("3,-1", &ids, &n, &err), 0);
    assert_non_null(strstr(err.message, "\"-1\""));
    assert_int_not_equal(rnn_ids_parse("3x", &ids, &n, &err), 0);
    assert_int_not_equal(rnn_ids_parse(" , ", &ids, &n, &err), 0);
}

/* A Keras Tokenizer's rule: lowercase, filters become spaces, unknown words dropped when the
 * tokenizer had no OOV word (texts_to_sequences), and the rule survives the file. */
static void test_keras_tokenizer_rule(void **state) {
    (void)state;
    RnnLayerConfig ls[1] = {test_layer(RNN_CELL_GRU, 2)};
    RnnConfig c = config_v2(2, 1, ls);
    c.vocab_size = 4;
    c.framework = RNN_KERAS;
    RnnModel *m = random_model(&c, 5);
    const char *words[4] = {"<pad>", "the", "movie", "great"};
    RnnError err;
    for (int i = 0; i < 4; i++) assert_int_equal(rnn_model_set_vocab(m, i, words[i], &err), 0);
    assert_int_equal(rnn_model_index_vocab(m, &err), 0);
    assert_int_equal(m->unk_id, -1);
    m->text_rule = (RnnTextRule){.keras = 1, .lower = 1, .filters = "!.,", .split = ' '};
    RnnTokens tokens;
    RnnTrace *tr = NULL;
    if (rnn_model_run_text(m, "The movie,  was GREAT!", 0, &tokens, &tr, &err))
        fail_msg("%s", err.message);
    assert_int_equal(tokens.count, 3); /* "was" has no index: dropped, as Keras does */
    assert_string_equal(tokens.text[0], "the");
    assert_string_equal(tokens.text[2], "great");
    assert_int_equal(tokens.offset[2], 16);
    assert_int_equal(tr->token_ids[1], 2);
    char *text = io_model_to_json(m, NULL, &err);
    RnnModel *back = NULL;
    assert_int_equal(io_model_parse(text, strlen(text), "m.json", &back, NULL, &err), 0);
    assert_int_equal(back->text_rule.keras, 1);
    assert_string_equal(back->text_rule.filters, "!.,");
    assert_int_equal(back->unk_id, -1);
    free(text);
    rnn_model_free(back);
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_sigmoid_follows_the_keras_version),
        cmocka_unit_test(test_general_step_equals_the_classic_step),
        cmocka_unit_test(test_gru_reset_before_puts_r_inside_the_product),
        cmocka_unit_test(test_relu_lstm_uses_relu_for_candidate_and_cell),
        cmocka_unit_test(test_stack_of_sizes_equals_chain_of_layers),
        cmocka_unit_test(test_merge_modes_feed_the_next_layer),
        cmocka_unit_test(test_dense_layers_and_sigmoid_head),
        cmocka_unit_test(test_masked_padding_keeps_the_state),
        cmocka_unit_test(test_version_2_file_round_trips_exactly),
        cmocka_unit_test(test_version_1_model_is_still_written_as_version_1),
        cmocka_unit_test(test_bad_layer_is_named),
        cmocka_unit_test(test_training_needs_a_version_1_model),
        cmocka_unit_test(test_ids_are_read_as_written),
        cmocka_unit_test(test_keras_tokenizer_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
