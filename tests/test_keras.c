/* test_keras.c - learners' own Keras files (io_keras.h) and `rnnscope import`.
 *
 * The models are tests/fixtures/keras (tools/make_keras_fixtures.py: every layout Keras
 * writes, with the outputs of an independent numpy implementation of Keras's equations in
 * NAME.expected.json). Each model is read and run on each of its cases, and every layer's
 * h (and c), both directions, every hidden Dense layer's output and the model's output must
 * equal the reference to 1e-9. Broken and unsupported models come from the fixtures and from
 * the Keras fuzz seeds (tests/fuzz/seeds/keras_h5, keras_zip). */
#include "test_util.h"

#include "io_keras.h"

#define FIXTURES "fixtures/keras/"
#define SEEDS    "fuzz/seeds/"

static RnnModel *read_keras(const char *relative, IoKerasInfo *info) {
    size_t len;
    char *data = test_read(relative, &len);
    RnnModel *m = NULL;
    RnnError err;
    int rc = io_keras_parse(data, len, relative, &m, info, &err);
    free(data);
    if (rc) fail_msg("%s", err.message);
    return m;
}

/* The message refusing a file; fails the test when the file is read. */
static char *refusal(const char *relative) {
    size_t len;
    char *data = test_read(relative, &len);
    RnnModel *m = NULL;
    RnnError err;
    int rc = io_keras_parse(data, len, relative, &m, NULL, &err);
    free(data);
    if (rc == 0) {
        rnn_model_free(m);
        fail_msg("%s was read; it should be refused", relative);
    }
    assert_null(m);
    return strdup(err.message);
}

/* ---- every model matches its reference ------------------------------------------------------- */

/* T rows of n numbers from want against the trace's (T, n) block at got with row stride. */
static void assert_rows(const double *got, size_t stride, const cJSON *want, int T, int n,
                        const char *what) {
    if (!cJSON_IsArray(want) || cJSON_GetArraySize(want) != T)
        fail_msg("%s: the reference has %d rows, the trace %d", what, cJSON_GetArraySize(want), T);
    char where[160];
    int t = 0;
    for (const cJSON *row = want->child; row; row = row->next, t++) {
        snprintf(where, sizeof where, "%s[t=%d]", what, t);
        assert_array_close(got + (size_t)t * stride, row, n, where);
    }
}

static void check_case(const RnnModel *m, const cJSON *kase, const char *name, int index) {
    const RnnConfig *c = &m->config;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(kase, "ids");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(kase, "inputs");
    int T = cJSON_GetArraySize(ids ? ids : inputs);
    assert_true(T > 0);
    int *tok = calloc((size_t)T, sizeof *tok);
    double *vec = calloc((size_t)T * (size_t)c->input_size, sizeof *vec);
    assert_non_null(tok);
    assert_non_null(vec);
    int t = 0;
    if (ids) {
        for (const cJSON *v = ids->child; v; v = v->next) tok[t++] = (int)v->valuedouble;
    } else {
        for (const cJSON *row = inputs->child; row; row = row->next, t++) {
            assert_int_equal(cJSON_GetArraySize(row), c->input_size);
            int i = 0;
            for (const cJSON *v = row->child; v; v = v->next)
                vec[(size_t)t * c->input_size + i++] = v->valuedouble;
        }
    }
    RnnError err;
    RnnTrace *tr = rnn_trace_new(c, T, &err);
    if (!tr) fail_msg("%s: %s", name, err.message);
    if (rnn_model_forward(m, ids ? tok : NULL, ids ? NULL : vec, tr, &err))
        fail_msg("%s case %d: %s", name, index, err.message);

    char what[128];
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(kase, "layers");
    assert_int_equal(cJSON_GetArraySize(layers), c->num_layers);
    int l = 0;
    for (const cJSON *layer = layers->child; layer; layer = layer->next, l++) {
        int H = rnn_layer_hidden(c, l), D = rnn_layer_directions(c, l);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(layer, "h");
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(layer, "c");
        assert_int_equal(cJSON_GetArraySize(h), D);
        for (int d = 0; d < D; d++) {
            snprintf(what, sizeof what, "%s case %d layer %d dir %d h", name, index, l, d);
            assert_rows(tr->h + rnn_trace_state_index(tr, l, d, 0), (size_t)H,
                        cJSON_GetArrayItem(h, d), T, H, what);
            if (cc) {
                snprintf(what, sizeof what, "%s case %d layer %d dir %d c", name, index, l, d);
                assert_non_null(tr->c);
                assert_rows(tr->c + rnn_trace_state_index(tr, l, d, 0), (size_t)H,
                            cJSON_GetArrayItem(cc, d), T, H, what);
            }
        }
    }
    const cJSON *dense = cJSON_GetObjectItemCaseSensitive(kase, "dense");
    assert_int_equal(cJSON_GetArraySize(dense), c->num_dense);
    int j = 0;
    for (const cJSON *out = dense ? dense->child : NULL; out; out = out->next, j++) {
        snprintf(what, sizeof what, "%s case %d dense %d", name, index, j);
        assert_rows(tr->dense[j], (size_t)c->dense[j].units, out, tr->out_steps, c->dense[j].units,
                    what);
    }
    snprintf(what, sizeof what, "%s case %d output", name, index);
    assert_rows(tr->probs, (size_t)c->num_labels, cJSON_GetObjectItemCaseSensitive(kase, "output"),
                tr->out_steps, c->num_labels, what);
    rnn_trace_free(tr);
    free(tok);
    free(vec);
}

/* state: the fixture's name, without extension. */
static void test_the_model_matches_its_keras_reference(void **state) {
    const char *name = *state;
    char path[256];
    snprintf(path, sizeof path, FIXTURES "%s.expected.json", name);
    cJSON *expected = test_read_json(path);
    const char *file = cJSON_GetObjectItemCaseSensitive(expected, "file")->valuestring;
    snprintf(path, sizeof path, FIXTURES "%s", file);
    IoKerasInfo info;
    RnnModel *m = read_keras(path, &info);
    assert_int_equal(m->config.framework, RNN_KERAS);
    assert_string_equal(info.keras_version,
                        cJSON_GetObjectItemCaseSensitive(expected, "keras_version")->valuestring);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(expected, "cases");
    assert_true(cJSON_GetArraySize(cases) > 0);
    int i = 0;
    for (const cJSON *kase = cases->child; kase; kase = kase->next, i++)
        check_case(m, kase, name, i);
    rnn_model_free(m);
    cJSON_Delete(expected);
}

/* ---- what the configuration becomes ---------------------------------------------------------- */

static void test_keras_2_hard_sigmoid_is_clip_of_0_2x(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "k22_lstm_hard_sigmoid.h5", NULL);
    assert_int_equal(m->config.layers[0].recurrent_activation, RNN_ACT_HARD_SIGMOID);
    rnn_model_free(m);
}

static void test_keras_3_hard_sigmoid_is_clip_of_x_over_6(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "k3_hard_sigmoid.keras", NULL);
    assert_int_equal(m->config.layers[0].recurrent_activation, RNN_ACT_HARD_SIGMOID_K3);
    assert_int_equal(m->config.layers[1].recurrent_activation, RNN_ACT_HARD_SIGMOID_K3);
    rnn_model_free(m);
}

static void test_a_keras_2_2_gru_keeps_its_reset_before_form(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "k22_gru_functional.h5", NULL);
    assert_int_equal(m->config.layers[0].cell, RNN_CELL_GRU);
    assert_int_equal(m->config.layers[0].reset_after, 0);
    /* one Keras bias: bias_ih, and bias_hh stays zero */
    for (int i = 0; i < 3 * m->config.layers[0].hidden_size; i++)
        assert_true(m->layer[0][0].bias_hh[i] == 0);
    rnn_model_free(m);
}

static void test_the_head_follows_the_top_layer_and_last_dense(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "tf2_many_to_many.h5", NULL);
    assert_int_equal(m->config.head, RNN_HEAD_MANY_TO_MANY); /* return_sequences=True */
    assert_int_equal(m->config.head_activation, RNN_ACT_SOFTMAX);
    rnn_model_free(m);
    m = read_keras(FIXTURES "k3_hard_sigmoid.keras", NULL);
    assert_int_equal(m->config.head, RNN_HEAD_MANY_TO_ONE);
    assert_int_equal(m->config.head_activation, RNN_ACT_SIGMOID);
    assert_int_equal(m->config.num_labels, 1);
    assert_string_equal(m->labels[0], "1"); /* one sigmoid output: the chance of class 1 */
    rnn_model_free(m);
}

static void test_hidden_dense_layers_and_skipped_dropout(void **state) {
    (void)state;
    IoKerasInfo info;
    RnnModel *m = read_keras(FIXTURES "k3h5_stacked_relu_lstm.h5", &info);
    const RnnConfig *c = &m->config;
    assert_int_equal(c->num_layers, 3);
    assert_int_equal(c->layers[0].activation, RNN_ACT_RELU);
    assert_int_equal(c->num_dense, 2);
    assert_int_equal(c->dense[0].units, 8);
    assert_int_equal(c->dense[0].activation, RNN_ACT_RELU);
    assert_int_equal(c->dense[1].activation, RNN_ACT_TANH);
    assert_int_equal(c->num_labels, 3);
    assert_int_equal(info.ignored_layers, 1);
    assert_string_equal(info.model_class, "Sequential");
    assert_string_equal(m->labels[2], "2");
    rnn_model_free(m);
}

static void test_an_activation_layer_folds_into_the_dense_before_it(void **state) {
    (void)state;
    RnnModel *m = read_keras(SEEDS "keras_h5/keras22-rnn-gru.h5", NULL);
    assert_int_equal(m->config.num_dense, 0);
    assert_int_equal(m->config.head_activation, RNN_ACT_SOFTMAX);
    assert_int_equal(m->config.head, RNN_HEAD_MANY_TO_ONE);
    rnn_model_free(m);
}

static void test_without_a_tokenizer_the_model_reads_ids(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    assert_int_equal(m->config.vocab_size, 30);
    assert_false(rnn_model_has_words(m));
    assert_int_equal(m->unk_id, -1);
    assert_string_equal(m->name, "k3_lstm_softmax"); /* Keras called it "sequential" */
    rnn_model_free(m);
    m = read_keras(FIXTURES "k3_mask_zero.keras", NULL); /* "sequential_2": the file's name */
    assert_string_equal(m->name, "k3_mask_zero");
    rnn_model_free(m);
}

static void test_layers_without_biases_and_float64_weights_are_read(void **state) {
    (void)state;
    RnnModel *m = read_keras(SEEDS "keras_zip/no-bias-float64.keras", NULL);
    const RnnConfig *c = &m->config;
    assert_int_equal(c->layers[0].cell, RNN_CELL_GRU);
    for (int i = 0; i < 3 * c->layers[0].hidden_size; i++) {
        assert_true(m->layer[0][0].bias_ih[i] == 0);
        assert_true(m->layer[0][0].bias_hh[i] == 0);
    }
    for (int k = 0; k < c->num_labels; k++) assert_true(m->head_bias[k] == 0);
    int nonzero = 0;
    for (int i = 0; i < 3 * 3 * 2; i++) nonzero += m->layer[0][0].weight_ih[i] != 0;
    assert_int_equal(nonzero, 18);
    rnn_model_free(m);
}

static void test_a_cudnn_gru_reads_as_the_gru_of_its_two_biases(void **state) {
    (void)state;
    /* Keras 2.2's CuDNNGRU keeps both biases in one (6H) vector; the same numbers as a
       GRU(reset_after=True)'s (2, 3H) bias make the same model */
    RnnModel *cudnn = read_keras(SEEDS "keras_h5/keras22-cudnn-gru.h5", NULL);
    RnnModel *gru = read_keras(SEEDS "keras_h5/keras22-gru-twin-of-cudnn.h5", NULL);
    assert_int_equal(cudnn->config.layers[0].reset_after, 1);
    assert_int_equal(cudnn->num_params, gru->num_params);
    assert_memory_equal(cudnn->params, gru->params, gru->num_params * sizeof *gru->params);
    rnn_model_free(cudnn);
    rnn_model_free(gru);
}

static void test_mask_zero_is_kept(void **state) {
    (void)state;
    RnnModel *m = read_keras(FIXTURES "k3_mask_zero.keras", NULL);
    assert_int_equal(m->config.mask_zero, 1);
    rnn_model_free(m);
    m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    assert_int_equal(m->config.mask_zero, 0);
    rnn_model_free(m);
}

static void test_io_model_load_takes_keras_files_by_their_first_bytes(void **state) {
    (void)state;
    const char *files[] = {FIXTURES "k3_lstm_softmax.keras", FIXTURES "tf2_gru_features.h5"};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", RNNSCOPE_TEST_DIR, files[i]);
        char *extras = NULL;
        RnnModel *m = load_model(path, &extras);
        assert_int_equal(m->config.framework, RNN_KERAS);
        assert_string_equal(extras, "{}");
        free(extras);
        rnn_model_free(m);
    }
}

static void test_the_first_bytes_tell_the_kind(void **state) {
    (void)state;
    assert_int_equal(io_keras_kind("\x89HDF\r\n\x1a\n....", 12), IO_KERAS_HDF5);
    assert_int_equal(io_keras_kind("PK\x03\x04....", 8), IO_KERAS_ZIP);
    assert_int_equal(io_keras_kind("{\"format\"", 9), IO_KERAS_NONE);
    assert_int_equal(io_keras_kind("PK", 2), IO_KERAS_NONE);
    assert_true(io_keras_supported());
}

/* ---- what rnnscope refuses ------------------------------------------------------------------- */

static void assert_names(const char *message, const char *layer, const char *cls) {
    char want[160];
    snprintf(want, sizeof want, "'%s' (%s)", layer, cls);
    if (!strstr(message, want)) fail_msg("'%s' does not name %s", message, want);
    /* and says what rnnscope runs */
    if (!strstr(message, "SimpleRNN, LSTM, GRU")) fail_msg("'%s' lists nothing", message);
}

static void test_an_unsupported_layer_is_named_with_what_is_supported(void **state) {
    (void)state;
    static const char *const cases[][3] = {
        {FIXTURES "bad_conv1d.h5", "conv1d", "Conv1D"},
        {FIXTURES "bad_timedistributed.h5", "time_distributed_1", "TimeDistributed"},
        {FIXTURES "bad_custom_layer.keras", "my_custom_layer", "MyCustomLayer"},
        {FIXTURES "bad_custom_layer_legacy.h5", "my_custom_layer", "Custom>MyCustomLayer"},
        {SEEDS "keras_h5/bad-attention.h5", "attention", "MultiHeadAttention"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *message = refusal(cases[i][0]);
        assert_names(message, cases[i][1], cases[i][2]);
        free(message);
    }
}

static void test_a_branching_model_is_refused_naming_where(void **state) {
    (void)state;
    char *message = refusal(SEEDS "keras_h5/bad-branch.h5");
    assert_names(message, "lstm", "LSTM");
    assert_non_null(strstr(message, "branches"));
    free(message);
    message = refusal(FIXTURES "bad_attention.keras");
    assert_non_null(strstr(message, "(Attention)"));
    free(message);
}

static void test_a_weight_of_the_wrong_shape_names_layer_and_weight(void **state) {
    (void)state;
    char *message = refusal(SEEDS "keras_h5/bad-shape.h5");
    assert_non_null(strstr(message, "layer 'lstm' (LSTM): kernel is 2x8, expected 2x12"));
    free(message);
}

static void test_a_weights_only_file_says_to_save_the_whole_model(void **state) {
    (void)state;
    char *message = refusal(SEEDS "keras_h5/bad-weights-only.h5");
    assert_non_null(strstr(message, "weights only"));
    free(message);
}

static void test_a_zip_without_config_or_weights_is_refused(void **state) {
    (void)state;
    char *message = refusal(FIXTURES "bad_no_config.keras");
    assert_non_null(strstr(message, "config.json"));
    free(message);
    message = refusal(SEEDS "keras_zip/bad-npz-weights.keras");
    assert_non_null(strstr(message, "model.weights.npz"));
    free(message);
    message = refusal(FIXTURES "bad_config_not_json.keras");
    assert_non_null(strstr(message, "config.json"));
    free(message);
}

/* Every prefix of a good file (and one with a byte changed at each place) is refused cleanly
 * or read; none crashes. */
static void cut_everywhere(const char *relative) {
    size_t len;
    char *data = test_read(relative, &len);
    size_t step = len / 97 + 1;
    for (size_t n = 0; n < len; n += step) {
        RnnModel *m = NULL;
        RnnError err;
        err.message[0] = '\0';
        if (io_keras_parse(data, n, relative, &m, NULL, &err) == 0)
            fail_msg("%s cut to %zu of %zu bytes was read", relative, n, len);
        assert_null(m);
        assert_true(err.message[0] != '\0');
    }
    for (size_t at = 0; at < len; at += step) {
        char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, data, len);
        copy[at] ^= 0x5a;
        RnnModel *m = NULL;
        RnnError err;
        if (io_keras_parse(copy, len, relative, &m, NULL, &err) == 0) rnn_model_free(m);
        free(copy);
    }
    free(data);
}

static void test_a_cut_or_damaged_h5_file_is_refused_cleanly(void **state) {
    (void)state;
    cut_everywhere(FIXTURES "tf2_gru_features.h5");
    char *message = refusal(FIXTURES "bad_truncated.h5");
    assert_non_null(strstr(message, "HDF5"));
    free(message);
}

static void test_a_cut_or_damaged_keras_zip_is_refused_cleanly(void **state) {
    (void)state;
    cut_everywhere(FIXTURES "k3_gru_reset_after_deflated.keras");
    char *message = refusal(FIXTURES "bad_truncated.keras");
    assert_non_null(strstr(message, "zip"));
    free(message);
}

/* Files libhdf5 itself fails on (tests/fuzz/libhdf5/README.md): read in a child process,
 * each is refused with a message and this process goes on. (Under AddressSanitizer the child
 * prints libhdf5's over-read before it dies: that report is expected.) */
static void test_what_crashes_libhdf5_is_refused_with_a_message(void **state) {
    (void)state;
    static const char *const files[] = {"endless-global-heap.h5", "overread-attribute-decode.h5",
                                        "segv-global-heap-read.h5"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char relative[256];
        snprintf(relative, sizeof relative, "fuzz/libhdf5/%s", files[i]);
        char *message = refusal(relative);
        assert_non_null(strstr(message, files[i]));
        free(message);
    }
}

/* ---- the tokenizer --------------------------------------------------------------------------- */

static const char tokenizer_json[] =
    "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": 10, \"filters\": \"!?\", "
    "\"lower\": true, \"split\": \" \", \"char_level\": false, \"oov_token\": \"<OOV>\", "
    "\"document_count\": 2, \"word_counts\": \"{\\\"the\\\": 3}\", "
    "\"index_word\": \"{\\\"1\\\": \\\"<OOV>\\\", \\\"2\\\": \\\"the\\\", \\\"3\\\": "
    "\\\"cat\\\"}\", "
    "\"word_index\": \"{\\\"<OOV>\\\": 1, \\\"the\\\": 2, \\\"cat\\\": 3, \\\"sat\\\": 5}\"}}";

static IoKerasTokenizer *parse_tokenizer(const char *text) {
    IoKerasTokenizer *tok = NULL;
    RnnError err;
    if (io_keras_tokenizer_parse(text, strlen(text), "t.json", &tok, &err))
        fail_msg("%s", err.message);
    return tok;
}

static void test_a_tokenizer_gives_its_settings_and_words(void **state) {
    (void)state;
    IoKerasTokenizer *tok = parse_tokenizer(tokenizer_json);
    assert_int_equal(tok->num_words, 10);
    assert_int_equal(tok->lower, 1);
    assert_string_equal(tok->filters, "!?");
    assert_string_equal(tok->split, " ");
    assert_string_equal(tok->oov_token, "<OOV>");
    assert_int_equal(tok->max_index, 5);
    assert_null(tok->words[0]);
    assert_string_equal(tok->words[2], "the");
    assert_null(tok->words[4]);
    assert_string_equal(tok->words[5], "sat");
    io_keras_tokenizer_free(tok);
}

static void test_a_tokenizer_saved_as_a_json_string_is_read_too(void **state) {
    (void)state;
    /* json.dumps(tokenizer.to_json()): the object's text inside one JSON string */
    cJSON *s = cJSON_CreateString(tokenizer_json);
    char *text = cJSON_PrintUnformatted(s);
    IoKerasTokenizer *tok = parse_tokenizer(text);
    assert_string_equal(tok->words[3], "cat");
    io_keras_tokenizer_free(tok);
    free(text);
    cJSON_Delete(s);
}

static void test_something_else_is_not_a_tokenizer(void **state) {
    (void)state;
    const char *text = "{\"class_name\": \"TextVectorization\", \"config\": {}}";
    IoKerasTokenizer *tok = NULL;
    RnnError err;
    assert_int_equal(io_keras_tokenizer_parse(text, strlen(text), "t.json", &tok, &err), -1);
    assert_null(tok);
    assert_non_null(strstr(err.message, "t.json: not a Keras tokenizer"));
}

static void test_a_tokenizer_names_the_embedding_rows(void **state) {
    (void)state;
    IoKerasTokenizer *tok = parse_tokenizer(tokenizer_json);
    RnnModel *m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    RnnError err;
    assert_int_equal(io_keras_apply_tokenizer(m, tok, &err), 0);
    assert_string_equal(m->vocab[0], "<pad>");
    assert_string_equal(m->vocab[1], "<OOV>");
    assert_string_equal(m->vocab[2], "the");
    assert_string_equal(m->vocab[4], "#4"); /* no word has index 4 */
    assert_string_equal(m->vocab[5], "sat");
    assert_string_equal(m->vocab[29], "#29");
    assert_int_equal(m->unk_id, 1); /* the OOV row: where unknown words go */
    assert_int_equal(rnn_model_token_id(m, "cat"), 3);
    assert_int_equal(rnn_model_token_id(m, "dog"), 1);
    /* a model file keeps the words and the unknown-word entry */
    char path[] = "/tmp/rnnscope-test-keras-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(io_model_save(path, m, NULL, &err), 0);
    RnnModel *again = load_model(path, NULL);
    assert_int_equal(again->unk_id, 1);
    assert_string_equal(again->vocab[3], "cat");
    rnn_model_free(again);
    unlink(path);
    rnn_model_free(m);
    /* a model without an Embedding has no rows to name */
    m = read_keras(FIXTURES "tf2_gru_features.h5", NULL);
    assert_int_equal(io_keras_apply_tokenizer(m, tok, &err), -1);
    rnn_model_free(m);
    io_keras_tokenizer_free(tok);
}

static void test_the_model_keeps_the_tokenizers_rule_and_num_words(void **state) {
    (void)state;
    const char *text = "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": 3, "
                       "\"filters\": \"!?\", \"lower\": false, \"split\": \" \", "
                       "\"oov_token\": \"<OOV>\", \"word_index\": \"{\\\"<OOV>\\\": 1, "
                       "\\\"the\\\": 2, \\\"cat\\\": 3}\"}}";
    IoKerasTokenizer *tok = parse_tokenizer(text);
    RnnModel *m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    RnnError err;
    assert_int_equal(io_keras_apply_tokenizer(m, tok, &err), 0);
    assert_int_equal(m->text_rule.keras, 1);
    assert_int_equal(m->text_rule.lower, 0);
    assert_string_equal(m->text_rule.filters, "!?");
    assert_int_equal(m->text_rule.split, ' ');
    assert_string_equal(m->vocab[2], "the");
    assert_string_equal(m->vocab[3], "#3"); /* num_words 3: texts_to_sequences drops index 3 */
    assert_int_equal(rnn_model_token_id(m, "cat"), 1);
    rnn_model_free(m);
    io_keras_tokenizer_free(tok);
}

static void test_a_character_tokenizer_is_refused(void **state) {
    (void)state;
    const char *text = "{\"class_name\": \"Tokenizer\", \"config\": {\"char_level\": true, "
                       "\"word_index\": \"{\\\"a\\\": 1}\"}}";
    IoKerasTokenizer *tok = parse_tokenizer(text);
    RnnModel *m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    RnnError err;
    assert_int_equal(io_keras_apply_tokenizer(m, tok, &err), -1);
    assert_non_null(strstr(err.message, "char_level"));
    rnn_model_free(m);
    io_keras_tokenizer_free(tok);
}

static void test_without_an_oov_token_unknown_words_have_no_row(void **state) {
    (void)state;
    const char *text = "{\"class_name\": \"Tokenizer\", \"config\": {\"oov_token\": null, "
                       "\"word_index\": \"{\\\"the\\\": 1, \\\"cat\\\": 2}\"}}";
    IoKerasTokenizer *tok = parse_tokenizer(text);
    assert_null(tok->oov_token);
    RnnModel *m = read_keras(FIXTURES "k3_lstm_softmax.keras", NULL);
    RnnError err;
    assert_int_equal(io_keras_apply_tokenizer(m, tok, &err), 0);
    assert_string_equal(m->vocab[1], "the");
    assert_int_equal(m->unk_id, -1); /* Keras drops them */
    assert_int_equal(rnn_model_token_id(m, "dog"), -1);
    rnn_model_free(m);
    io_keras_tokenizer_free(tok);
}

/* ---- rnnscope import ------------------------------------------------------------------------- */

static void test_import_writes_a_model_that_loads_with_the_same_weights(void **state) {
    (void)state;
    char in[512], out[] = "/tmp/rnnscope-test-keras-XXXXXX";
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);
    snprintf(in, sizeof in, "%s/" FIXTURES "k3_bidir_lstm_concat_sum.keras", RNNSCOPE_TEST_DIR);
    char *argv[] = {"rnnscope", "import", in, "--out", out, "--labels", "a,b,c", "--name", "mine"};
    Captured r = run_cli(9, argv);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "LSTM 6 (bidirectional, concat) > LSTM 5 (bidirectional, sum)"));
    RnnModel *keras = read_keras(FIXTURES "k3_bidir_lstm_concat_sum.keras", NULL);
    RnnModel *saved = load_model(out, NULL);
    assert_string_equal(saved->name, "mine");
    assert_string_equal(saved->labels[1], "b");
    assert_int_equal(saved->num_params, keras->num_params);
    assert_memory_equal(saved->params, keras->params, keras->num_params * sizeof *keras->params);
    rnn_model_free(saved);
    rnn_model_free(keras);
    captured_free(&r);
    unlink(out);
}

static void test_import_checks_its_labels_and_file(void **state) {
    (void)state;
    char in[512];
    snprintf(in, sizeof in, "%s/" FIXTURES "k3_lstm_softmax.keras", RNNSCOPE_TEST_DIR);
    char *argv[] = {"rnnscope", "import", in, "--out", "/tmp/never.json", "--labels", "a,b"};
    Captured r = run_cli(7, argv);
    assert_int_equal(r.code, APP_EXIT_USAGE); /* 2 names for 4 outputs */
    assert_non_null(strstr(r.err, "the model has 4 output(s)"));
    captured_free(&r);
    char model[512];
    snprintf(model, sizeof model, "%s/assets/models/recall-lstm.json", RNNSCOPE_SOURCE_DIR);
    char *argv2[] = {"rnnscope", "import", model, "--out", "/tmp/never.json"};
    r = run_cli(5, argv2);
    assert_int_equal(r.code, APP_EXIT_ERROR);
    assert_non_null(strstr(r.err, "not a Keras file"));
    captured_free(&r);
    assert_int_equal(access("/tmp/never.json", F_OK), -1);
}

#define MODEL_TEST(name)                                                                           \
    cmocka_unit_test_prestate(test_the_model_matches_its_keras_reference, (void *)name)

int main(void) {
    const struct CMUnitTest tests[] = {
        MODEL_TEST("k3_lstm_softmax"),
        MODEL_TEST("k3_gru_reset_after_deflated"),
        MODEL_TEST("k3_gru_reset_before_simple_rnn"),
        MODEL_TEST("k3_simple_rnn_relu_features"),
        MODEL_TEST("k3_hard_sigmoid"),
        MODEL_TEST("k3_bidir_lstm_concat_sum"),
        MODEL_TEST("k3_bidir_gru_mul_ave_functional"),
        MODEL_TEST("k3_mask_zero"),
        MODEL_TEST("k3h5_stacked_relu_lstm"),
        MODEL_TEST("k3h5_functional_bidir_lower"),
        MODEL_TEST("tf2_gru_features"),
        MODEL_TEST("tf2_many_to_many"),
        MODEL_TEST("tf2_mask_bidir_lstm"),
        MODEL_TEST("tf24_stacked_simple_rnn_lstm"),
        MODEL_TEST("k22_lstm_hard_sigmoid"),
        MODEL_TEST("k22_gru_functional"),
        MODEL_TEST("k224_bidir_gru_ave_lstm_mul"),
        cmocka_unit_test(test_keras_2_hard_sigmoid_is_clip_of_0_2x),
        cmocka_unit_test(test_keras_3_hard_sigmoid_is_clip_of_x_over_6),
        cmocka_unit_test(test_a_keras_2_2_gru_keeps_its_reset_before_form),
        cmocka_unit_test(test_the_head_follows_the_top_layer_and_last_dense),
        cmocka_unit_test(test_hidden_dense_layers_and_skipped_dropout),
        cmocka_unit_test(test_an_activation_layer_folds_into_the_dense_before_it),
        cmocka_unit_test(test_without_a_tokenizer_the_model_reads_ids),
        cmocka_unit_test(test_layers_without_biases_and_float64_weights_are_read),
        cmocka_unit_test(test_a_cudnn_gru_reads_as_the_gru_of_its_two_biases),
        cmocka_unit_test(test_mask_zero_is_kept),
        cmocka_unit_test(test_io_model_load_takes_keras_files_by_their_first_bytes),
        cmocka_unit_test(test_the_first_bytes_tell_the_kind),
        cmocka_unit_test(test_an_unsupported_layer_is_named_with_what_is_supported),
        cmocka_unit_test(test_a_branching_model_is_refused_naming_where),
        cmocka_unit_test(test_a_weight_of_the_wrong_shape_names_layer_and_weight),
        cmocka_unit_test(test_a_weights_only_file_says_to_save_the_whole_model),
        cmocka_unit_test(test_a_zip_without_config_or_weights_is_refused),
        cmocka_unit_test(test_a_cut_or_damaged_h5_file_is_refused_cleanly),
        cmocka_unit_test(test_a_cut_or_damaged_keras_zip_is_refused_cleanly),
        cmocka_unit_test(test_what_crashes_libhdf5_is_refused_with_a_message),
        cmocka_unit_test(test_a_tokenizer_gives_its_settings_and_words),
        cmocka_unit_test(test_a_tokenizer_saved_as_a_json_string_is_read_too),
        cmocka_unit_test(test_something_else_is_not_a_tokenizer),
        cmocka_unit_test(test_a_tokenizer_names_the_embedding_rows),
        cmocka_unit_test(test_without_an_oov_token_unknown_words_have_no_row),
        cmocka_unit_test(test_the_model_keeps_the_tokenizers_rule_and_num_words),
        cmocka_unit_test(test_a_character_tokenizer_is_refused),
        cmocka_unit_test(test_import_writes_a_model_that_loads_with_the_same_weights),
        cmocka_unit_test(test_import_checks_its_labels_and_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
