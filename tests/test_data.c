/* test_data.c - training data files: every malformed line named by file:line, and training
 * that stops on a non-finite loss without writing a garbage model. */
#include "test_util.h"

typedef struct BadData {
    const char *text;
    const char *message;
} BadData;

static const BadData bad[] = {
    {"{\"tokens\": [\"a\"], \"label\": \"x\"}\nnot json\n", "d.jsonl:2:1: not valid JSON"},
    {"[1, 2]\n", "d.jsonl:1: each line must be a JSON object"},
    {"{\"label\": \"x\"}\n", "d.jsonl:1: give exactly one of \"tokens\", \"text\" and \"inputs\""},
    {"{\"tokens\": [\"a\"], \"text\": \"a\", \"label\": \"x\"}\n",
     "d.jsonl:1: give exactly one of \"tokens\", \"text\" and \"inputs\""},
    {"{\"tokens\": [\"a\", 3], \"label\": \"x\"}\n",
     "d.jsonl:1: \"tokens\"[1] must be a non-empty string"},
    {"{\"tokens\": [], \"label\": \"x\"}\n", "d.jsonl:1: the example has no tokens"},
    {"{\"text\": \"  \", \"label\": \"x\"}\n", "d.jsonl:1: the example has no tokens"},
    {"{\"text\": \"ok \\u00ff\", \"label\": \"x\"}\n{\"text\": 5, \"label\": \"x\"}\n",
     "d.jsonl:2: \"text\" must be a string"},
    {"{\"tokens\": [\"a\"]}\n",
     "d.jsonl:1: give exactly one of \"label\" (one per example), \"tags\" (one per token) "
     "and \"target\" (numbers)"},
    {"{\"inputs\": [[1]], \"target\": 0.5}\n{\"inputs\": [[1]], \"target\": [0.5, 1]}\n",
     "d.jsonl:2: \"target\" must be a number or an array of numbers (as many on every line)"},
    {"{\"inputs\": [[1]], \"target\": \"high\"}\n",
     "d.jsonl:1: \"target\" must be a number or an array of numbers (as many on every line)"},
    {"{\"tokens\": [\"a\"], \"label\": \"\"}\n", "d.jsonl:1: \"label\" must be a non-empty string"},
    {"{\"tokens\": [\"a\", \"b\"], \"tags\": [\"X\"]}\n", "d.jsonl:1: 1 tags for 2 tokens"},
    {"{\"tokens\": [\"a\"], \"label\": \"x\"}\n\n{\"tokens\": [\"a\"], \"tags\": [\"X\"]}\n",
     "d.jsonl:3: this line has \"tags\" but line 1 has \"label\": a data file holds one kind"},
    {"{\"inputs\": [[1, 2]], \"label\": \"x\"}\n{\"inputs\": [[1, 2, 3]], \"label\": \"y\"}\n",
     "d.jsonl:2: \"inputs\" vectors have 3 numbers, earlier lines 2"},
    {"{\"inputs\": [[1, 2], [3, \"4\"]], \"label\": \"x\"}\n",
     "d.jsonl:1: \"inputs\"[1][1] must be a finite number"},
    {"{\"inputs\": [[1, 2]], \"label\": \"x\"}\n{\"tokens\": [\"a\"], \"label\": \"y\"}\n",
     "d.jsonl:2: words on this line, vectors on earlier lines"},
    {"\n  \n", "d.jsonl: no examples"},
    {"{\"tokens\": [\"\\u00e9\", \"a\"], \"label\": \"x\"}\n{\"tokens\": [\"b\"], \"label\": 3}\n",
     "d.jsonl:2: \"label\" must be a non-empty string"},
};

static void test_bad_lines_are_named(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        IoDataset *d = (IoDataset *)0x1;
        RnnError err = {{0}};
        assert_int_equal(io_data_parse(bad[i].text, strlen(bad[i].text), "d.jsonl", &d, &err), -1);
        assert_null(d);
        if (strcmp(err.message, bad[i].message) != 0)
            fail_msg("case %zu:\n  got  '%s'\n  want '%s'", i, err.message, bad[i].message);
    }
}

static void test_good_data_parses(void **state) {
    (void)state;
    const char *text = "{\"text\": \"The cat, sat.\", \"label\": \"pos\", \"id\": 7}\r\n"
                       "\n"
                       "{\"tokens\": [\"나는\", \"cat\"], \"label\": \"neg\"}\n";
    IoDataset *d;
    RnnError err;
    assert_int_equal(io_data_parse(text, strlen(text), "d.jsonl", &d, &err), 0);
    assert_int_equal(d->count, 2);
    assert_int_equal(d->records[0].steps, 5); /* the , cat sat . */
    assert_string_equal(d->records[0].tokens[1], "cat");
    assert_int_equal(d->records[1].line, 3);
    const char **words;
    int n;
    assert_int_equal(io_data_words(d, &words, &n, &err), 0);
    const char *want[] = {"the", "cat", ",", "sat", ".", "나는"}; /* first appearance */
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++) assert_string_equal(words[i], want[i]);
    free(words);
    io_data_free(d);
}

static void test_labels_must_be_the_models(void **state) {
    (void)state;
    const char *text = "{\"tokens\": [\"a\"], \"label\": \"pos\"}\n"
                       "{\"tokens\": [\"b\"], \"label\": \"maybe\"}\n";
    IoDataset *d;
    RnnModel *m;
    RnnError err;
    m = load_model(MODELS "sentiment-en.json", NULL);
    assert_int_equal(io_data_parse(text, strlen(text), "d.jsonl", &d, &err), 0);
    assert_int_equal(io_data_encode(d, m, &err), -1);
    assert_string_equal(err.message, "d.jsonl:2: label \"maybe\" is not one of the model's labels");
    io_data_free(d);
    rnn_model_free(m);
}

/* A learning rate far too large drives a relu RNN to infinity: training stops with a
 * message, exit 1, and the file that was at --out is left as it was. */
static void test_training_stops_on_a_non_finite_loss(void **state) {
    (void)state;
    char data[] = "/tmp/rnnscope-nan-XXXXXX", out[] = "/tmp/rnnscope-nan-out-XXXXXX";
    int fd = mkstemp(data);
    const char *lines = "{\"inputs\": [[50, 50], [50, 50], [50, 50]], \"label\": \"a\"}\n"
                        "{\"inputs\": [[-50, 50], [50, -50], [50, 50]], \"label\": \"b\"}\n";
    assert_int_equal(write(fd, lines, strlen(lines)), (ssize_t)strlen(lines));
    close(fd);
    fd = mkstemp(out);
    assert_int_equal(write(fd, "previous", 8), 8);
    close(fd);
    char *argv[] = {"rnnscope", "train", "--cell",   "rnn", "--nonlinearity", "relu",
                    "--hidden", "8",     "--data",   data,  "--optimizer",    "sgd",
                    "--lr",     "1e305", "--epochs", "50",  "--out",          out};
    Captured run = run_cli(18, argv);
    assert_int_equal(run.code, APP_EXIT_ERROR);
    if (!strstr(run.err, "the weights before this step are kept") ||
        !strstr(run.err, "was not written"))
        fail_msg("stderr: %s", run.err);
    char *after;
    size_t len;
    RnnError err;
    assert_int_equal(io_read_file(out, 100, &after, &len, &err), 0);
    assert_string_equal(after, "previous");
    free(after);
    captured_free(&run);
    unlink(data);
    unlink(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_lines_are_named),
        cmocka_unit_test(test_good_data_parses),
        cmocka_unit_test(test_labels_must_be_the_models),
        cmocka_unit_test(test_training_stops_on_a_non_finite_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
