/* test_model_io.c - the model file: exact save/load round trips, preserved extra keys,
 * atomic saves, and one clear message for each kind of malformed file. */
#include "test_util.h"

#include <unistd.h>

/* A small valid LSTM (I = 2, H = 2, so 8 gate rows) with a vocabulary and a many-to-one
 * head; each malformed case below changes one piece of it. */
static const char base_model[] =
    "{\"format\": \"rnnscope-model\", \"version\": 1, \"name\": \"tiny\",\n"
    " \"cell\": \"lstm\", \"nonlinearity\": \"tanh\", \"input_size\": 2, \"hidden_size\": 2,\n"
    " \"num_layers\": 1, \"bidirectional\": false,\n"
    " \"vocab\": [\"<unk>\", \"a\", \"b\"],\n"
    " \"head\": {\"kind\": \"many-to-one\", \"labels\": [\"yes\", \"no\"]},\n"
    " \"description\": \"a test model\",\n"
    " \"params\": {\n"
    "  \"embedding.weight\": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],\n"
    "  \"rnn.weight_ih_l0\": [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], "
    "[15, 16]],\n"
    "  \"rnn.weight_hh_l0\": [[0.5, -0.5], [0.25, 0.75], [1, 0], [0, 1], [2, 2], [3, 3], "
    "[4, 4], [5, 5]],\n"
    "  \"rnn.bias_ih_l0\": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],\n"
    "  \"rnn.bias_hh_l0\": [-0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8],\n"
    "  \"head.weight\": [[1.5, -1.5], [0.5, 0.25]],\n"
    "  \"head.bias\": [0.01, -0.01]}}\n";

typedef struct Malformed {
    const char *rule;    /* what is wrong */
    const char *from;    /* a piece of base_model ... */
    const char *to;      /* ... and what replaces it */
    const char *message; /* what the error must say (after "m.json") */
} Malformed;

static const Malformed malformed[] = {
    {"wrong format", "\"rnnscope-model\"", "\"keras-h5\"",
     "m.json: format: expected \"rnnscope-model\", got \"keras-h5\""},
    {"wrong version", "\"version\": 1", "\"version\": 3",
     "m.json: version: this rnnscope reads versions 1 and 2, got 3"},
    {"version 2 without layers", "\"version\": 1", "\"version\": 2",
     "m.json: layers: expected an array of 1..4 recurrent layers, got nothing"},
    {"missing version", "\"version\": 1,", "", "m.json: version: missing"},
    {"unknown cell", "\"lstm\"", "\"transformer\"",
     "m.json: cell: expected \"rnn\", \"lstm\" or \"gru\", got \"transformer\""},
    {"hidden size zero", "\"hidden_size\": 2", "\"hidden_size\": 0",
     "m.json: hidden_size: must be 1..4096, got 0"},
    {"hidden size absurd", "\"hidden_size\": 2", "\"hidden_size\": 100000",
     "m.json: hidden_size: must be 1..4096, got 100000"},
    {"input size negative", "\"input_size\": 2", "\"input_size\": -3",
     "m.json: input_size: must be 1..4096, got -3"},
    {"size not whole", "\"hidden_size\": 2", "\"hidden_size\": 2.5",
     "m.json: hidden_size: expected a whole number, got 2.5"},
    {"size as string", "\"hidden_size\": 2", "\"hidden_size\": \"2\"",
     "m.json: hidden_size: expected a whole number, got a string"},
    {"too many layers", "\"num_layers\": 1", "\"num_layers\": 5",
     "m.json: num_layers: must be 1..4, got 5"},
    {"bidirectional not a bool", "\"bidirectional\": false", "\"bidirectional\": \"no\"",
     "m.json: bidirectional: expected true or false, got a string"},
    {"relu on an lstm", "\"nonlinearity\": \"tanh\"", "\"nonlinearity\": \"relu\"",
     "m.json: nonlinearity: relu exists only for the rnn cell"},
    {"missing tensor", "  \"rnn.bias_hh_l0\": [-0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8],\n",
     "", "m.json: params: missing tensor rnn.bias_hh_l0 (expected 8)"},
    {"mis-shaped matrix",
     "[[0.5, -0.5], [0.25, 0.75], [1, 0], [0, 1], [2, 2], [3, 3], [4, 4], "
     "[5, 5]]",
     "[[0.5], [0.25], [1], [0], [2], [3], [4], [5]]",
     "m.json: rnn.weight_hh_l0: expected 8x2, got 8x1"},
    {"too few rows", ", [15, 16]]", "]", "m.json: rnn.weight_ih_l0: expected 8x2, got 7x2"},
    {"ragged row", "[9, 10]", "[9]",
     "m.json: rnn.weight_ih_l0: expected 8x2, but row 4 has 1 value(s) and row 0 has 2"},
    {"vector of wrong length", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]",
     "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]", "m.json: rnn.bias_ih_l0: expected 8, got 7"},
    {"matrix where a vector belongs", "\"head.bias\": [0.01, -0.01]",
     "\"head.bias\": [[0.01], [-0.01]]", "m.json: head.bias: expected a vector of 2, got 2x1"},
    {"not a number", "[13, 14]", "[13, \"x\"]",
     "m.json: rnn.weight_ih_l0[6][1]: expected a number, got a string"},
    {"null element", "[13, 14]", "[13, null]",
     "m.json: rnn.weight_ih_l0[6][1]: expected a number, got null"},
    {"infinite number", "0.25, 0.75", "0.25, 1e999",
     "m.json: rnn.weight_hh_l0[1][1]: not a finite number"},
    {"NaN literal", "0.25, 0.75", "0.25, NaN", "m.json:10:44: not valid JSON"},
    {"vocab/embedding row mismatch", "[\"<unk>\", \"a\", \"b\"]",
     "[\"<unk>\", \"a\", \"b\", \"c\"]", "m.json: embedding.weight: expected 4x2, got 3x2"},
    {"duplicate vocab word", "[\"<unk>\", \"a\", \"b\"]", "[\"<unk>\", \"a\", \"a\"]",
     "m.json: vocab[2]: duplicate entry \"a\" (also vocab[1])"},
    {"vocab without <unk>", "[\"<unk>\", \"a\", \"b\"]", "[\"c\", \"a\", \"b\"]",
     "m.json: vocab: needs an \"<unk>\" entry for unknown words"},
    {"empty vocab word", "[\"<unk>\", \"a\", \"b\"]", "[\"<unk>\", \"\", \"b\"]",
     "m.json: vocab[1]: expected a non-empty string, got \"\""},
    {"embedding without vocab", " \"vocab\": [\"<unk>\", \"a\", \"b\"],\n", "",
     "m.json: params: unexpected tensor embedding.weight for this lstm model with 1 layer(s) "
     "(the model has no vocab)"},
    {"unknown head kind", "\"many-to-one\"", "\"one-to-many\"",
     "m.json: head.kind: expected \"many-to-one\", \"many-to-many\" or \"regression\", got "
     "\"one-to-many\""},
    {"duplicate label", "[\"yes\", \"no\"]", "[\"yes\", \"yes\"]",
     "m.json: head.labels[1]: duplicate entry \"yes\" (also head.labels[0])"},
    {"head weight mis-shaped", "[[1.5, -1.5], [0.5, 0.25]]", "[[1.5, -1.5, 0], [0.5, 0.25, 0]]",
     "m.json: head.weight: expected 2x2, got 2x3"},
    {"unexpected tensor", "  \"head.bias\"", "  \"rnn.weight_ih_l1\": [[1]],\n  \"head.bias\"",
     "m.json: params: unexpected tensor rnn.weight_ih_l1 for this lstm model with 1 layer(s)"},
    {"duplicate key", "\"num_layers\": 1,", "\"num_layers\": 1, \"num_layers\": 2,",
     "m.json: num_layers: the key appears twice"},
    {"params missing", "\"params\"", "\"parameters\"", "m.json: params: missing"},
    {"truncated file", "\"head.bias\": [0.01, -0.01]}}\n", "\"head.bias\": [0.01,",
     "m.json:14:22: not valid JSON: the file ends too early (truncated?)"},
    {"not JSON at all", base_model, "hello, world", "m.json:1:1: not valid JSON"},
    {"top level is an array", base_model, "[1, 2, 3]",
     "m.json: expected a JSON object at the top, got an array of 3"},
    {"empty file", base_model, "", "m.json: empty file, expected a JSON model"},
    {"invalid UTF-8 in the vocab", "\"a\", \"b\"]", "\"a\", \"\xff\"]",
     "m.json:4:27: not valid UTF-8"},
};

/* base_model with the first occurrence of `from` replaced by `to`. */
static char *mutate(const char *from, const char *to) {
    const char *at = strstr(base_model, from);
    if (!at) fail_msg("'%s' is not in the base model", from);
    size_t before = (size_t)(at - base_model), flen = strlen(from), tlen = strlen(to);
    char *s = malloc(sizeof base_model + tlen);
    memcpy(s, base_model, before);
    memcpy(s + before, to, tlen);
    strcpy(s + before + tlen, at + flen);
    return s;
}

static void test_base_model_is_valid(void **state) {
    (void)state;
    RnnModel *m;
    RnnError err;
    char *extras;
    if (io_model_parse(base_model, strlen(base_model), "m.json", &m, &extras, &err))
        fail_msg("%s", err.message);
    assert_string_equal(m->name, "tiny");
    assert_int_equal(m->config.cell, RNN_CELL_LSTM);
    assert_int_equal(m->config.vocab_size, 3);
    assert_int_equal(m->unk_id, 0);
    assert_string_equal(m->labels[1], "no");
    assert_double_equal(m->layer[0][0].weight_hh[3], 0.75, 0); /* row 1, column 1 */
    assert_double_equal(m->head_bias[1], -0.01, 0);
    assert_string_equal(extras, "{\"description\":\"a test model\"}");
    free(extras);
    rnn_model_free(m);
}

static void test_each_malformed_file_is_rejected_clearly(void **state) {
    (void)state;
    size_t n = sizeof malformed / sizeof *malformed;
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        const Malformed *c = &malformed[i];
        char *text = mutate(c->from, c->to);
        RnnModel *m = (RnnModel *)0x1;
        char *extras = (char *)0x1;
        RnnError err = {{0}};
        int rc = io_model_parse(text, strlen(text), "m.json", &m, &extras, &err);
        if (rc != -1) fail_msg("%s: accepted", c->rule);
        assert_null(m);
        assert_null(extras);
        if (strcmp(err.message, c->message) != 0)
            fail_msg("%s:\n  got  '%s'\n  want '%s'", c->rule, err.message, c->message);
        free(text);
    }
}

/* Same through the command line: exit code 1, the file's path and the key on stderr. */
static void test_cli_reports_a_bad_model_file(void **state) {
    (void)state;
    char path[] = "/tmp/rnnscope-bad-XXXXXX";
    int fd = mkstemp(path);
    char *text = mutate("\"hidden_size\": 2", "\"hidden_size\": 0");
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *argv[] = {"rnnscope", "trace", "--model", path, "--text", "a b"};
    Captured run = run_cli(6, argv);
    assert_int_equal(run.code, APP_EXIT_ERROR);
    char want[256];
    snprintf(want, sizeof want, "rnnscope trace: %s: hidden_size: must be 1..4096, got 0\n", path);
    assert_string_equal(run.err, want);
    assert_string_equal(run.out, "");
    captured_free(&run);
    unlink(path);
    free(text);
}

static void test_missing_file_is_named(void **state) {
    (void)state;
    RnnModel *m;
    RnnError err;
    assert_int_equal(io_model_load("/nonexistent/m.json", &m, NULL, &err), -1);
    assert_string_equal(err.message, "/nonexistent/m.json: cannot open: No such file or directory");
    assert_int_equal(io_model_load("/tmp", &m, NULL, &err), -1);
    assert_string_equal(err.message, "/tmp: is a directory, not a file");
}

/* Every fixture model survives save -> load bit for bit, and saving twice gives the same
 * bytes. Extra top-level keys are written back. */
static void test_save_load_round_trip_is_exact(void **state) {
    (void)state;
    char *list = test_read("fixtures/parity/cases.txt", NULL);
    int count = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n"), count++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/fixtures/parity/%s.model.json", RNNSCOPE_TEST_DIR, line);
        RnnModel *a = load_model(path, NULL), *b;
        RnnError err;
        /* values that need all 17 digits, and the edges of double */
        a->params[0] = 0.1 + 0.2;
        a->params[a->num_params - 1] = -2.2250738585072014e-308;
        if (a->num_params > 2) a->params[1] = 1.7976931348623157e308;
        char *extras = "{\"training\":{\"seed\":7,\"lr\":0.001},\"description\":\"café 한글\"}";
        char *text = io_model_to_json(a, extras, &err);
        assert_non_null(text);
        char *extras_back;
        if (io_model_parse(text, strlen(text), line, &b, &extras_back, &err))
            fail_msg("%s: %s", line, err.message);
        assert_int_equal(a->num_params, b->num_params);
        assert_memory_equal(a->params, b->params, a->num_params * sizeof(double));
        assert_string_equal(a->name, b->name);
        assert_memory_equal(&a->config, &b->config, sizeof a->config);
        for (int i = 0; i < a->config.vocab_size; i++)
            assert_string_equal(a->vocab[i], b->vocab[i]);
        for (int i = 0; i < a->config.num_labels; i++)
            assert_string_equal(a->labels[i], b->labels[i]);
        assert_string_equal(extras_back, extras);
        char *again = io_model_to_json(b, extras_back, &err);
        assert_string_equal(text, again);
        free(again);
        free(text);
        free(extras_back);
        rnn_model_free(a);
        rnn_model_free(b);
    }
    assert_true(count >= 24);
    free(list);
}

static void test_save_is_atomic_and_keeps_the_old_file_on_failure(void **state) {
    (void)state;
    char dir[] = "/tmp/rnnscope-save-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/m.json", dir);
    RnnModel *m;
    RnnError err;
    assert_int_equal(io_model_parse(base_model, strlen(base_model), "m.json", &m, NULL, &err), 0);
    assert_int_equal(io_model_save(path, m, NULL, &err), 0);
    size_t len_before;
    char *before;
    assert_int_equal(io_read_file(path, IO_MAX_FILE_SIZE, &before, &len_before, &err), 0);

    /* A model holding NaN is refused and the file on disk stays as it was. */
    m->layer[0][0].weight_ih[3] = NAN;
    assert_int_equal(io_model_save(path, m, NULL, &err), -1);
    assert_non_null(strstr(err.message, "rnn.weight_ih_l0 holds a value that is not finite"));
    char *after;
    size_t len_after;
    assert_int_equal(io_read_file(path, IO_MAX_FILE_SIZE, &after, &len_after, &err), 0);
    assert_string_equal(before, after);

    /* A directory that does not exist: a clear error, nothing written. */
    m->layer[0][0].weight_ih[3] = 4;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/m.json", dir);
    assert_int_equal(io_model_save(missing, m, NULL, &err), -1);
    assert_non_null(strstr(err.message, "cannot create a temporary file beside it"));

    /* No temporary file is left behind. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    unlink(path);
    rmdir(dir);
    free(before);
    free(after);
    rnn_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_model_is_valid),
        cmocka_unit_test(test_each_malformed_file_is_rejected_clearly),
        cmocka_unit_test(test_cli_reports_a_bad_model_file),
        cmocka_unit_test(test_missing_file_is_named),
        cmocka_unit_test(test_save_load_round_trip_is_exact),
        cmocka_unit_test(test_save_is_atomic_and_keeps_the_old_file_on_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
