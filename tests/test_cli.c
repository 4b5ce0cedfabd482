/* test_cli.c - the command line: help, version, exit codes, and both output formats. */
#include "test_util.h"

#define EXAMPLE RNNSCOPE_SOURCE_DIR "/assets/models/sentiment-en.json"
#define KOREAN  RNNSCOPE_TEST_DIR "/fixtures/parity/korean-lstm.model.json"

static Captured run(int argc, char **argv) {
    return run_cli(argc, argv);
}

static void test_help_and_version(void **state) {
    (void)state;
    Captured c = run(2, (char *[]){"rnnscope", "--help"});
    assert_int_equal(c.code, APP_EXIT_OK);
    assert_non_null(strstr(c.out, "usage: rnnscope COMMAND"));
    assert_non_null(strstr(c.out, "trace"));
    captured_free(&c);
    c = run(3, (char *[]){"rnnscope", "trace", "--help"});
    assert_int_equal(c.code, APP_EXIT_OK);
    assert_non_null(strstr(c.out, "usage: rnnscope trace --model"));
    captured_free(&c);
    c = run(2, (char *[]){"rnnscope", "--version"});
    assert_int_equal(c.code, APP_EXIT_OK);
    assert_string_equal(c.out, "rnnscope " RNNSCOPE_VERSION "\n");
    captured_free(&c);
}

static void test_usage_errors_exit_2_with_usage(void **state) {
    (void)state;
    char *cases[][8] = {
        {"rnnscope", "frobnicate"},
        {"rnnscope", "--frobnicate"},
        {"rnnscope", "trace", "--model"},                                     /* missing value */
        {"rnnscope", "trace", "--model", EXAMPLE, "--colour", "red"},         /* unknown option */
        {"rnnscope", "trace", "--text", "hi"},                                /* no --model */
        {"rnnscope", "trace", "--model", EXAMPLE},                            /* no input */
        {"rnnscope", "trace", "--model", EXAMPLE, "--text", "a", "--inputs"}, /* both (+ missing) */
        {"rnnscope", "trace", "--model", EXAMPLE, "--text", "a", "--format", "xml"},
    };
    int argcs[] = {2, 2, 3, 6, 4, 4, 7, 8};
    for (size_t i = 0; i < sizeof argcs / sizeof *argcs; i++) {
        Captured c = run(argcs[i], cases[i]);
        if (c.code != APP_EXIT_USAGE) fail_msg("case %zu: exit %d", i, c.code);
        assert_non_null(strstr(c.err, "usage: rnnscope"));
        assert_string_equal(c.out, "");
        captured_free(&c);
    }
    /* no command: the window; with no display, the same model and sentence as a table */
    unsetenv("DISPLAY"), unsetenv("WAYLAND_DISPLAY"), unsetenv("SDL_VIDEODRIVER");
    Captured c = run(1, (char *[]){"rnnscope"});
    assert_int_equal(c.code, APP_EXIT_OK);
    assert_non_null(strstr(c.err, "no display"));
    assert_non_null(strstr(c.out, "model       recall-lstm: lstm"));
    captured_free(&c);
}

static void test_runtime_errors_exit_1(void **state) {
    (void)state;
    /* a sentence for a model that reads vectors */
    Captured c =
        run(6, (char *[]){"rnnscope", "trace", "--model",
                          RNNSCOPE_TEST_DIR "/fixtures/parity/gru-l1-uni-vec-none.model.json",
                          "--text", "hello"});
    assert_int_equal(c.code, APP_EXIT_ERROR);
    assert_non_null(strstr(c.err, "has no vocabulary"));
    captured_free(&c);
    /* invalid UTF-8 */
    c = run(6, (char *[]){"rnnscope", "trace", "--model", EXAMPLE, "--text", "the \xff cat"});
    assert_int_equal(c.code, APP_EXIT_ERROR);
    assert_non_null(strstr(c.err, "invalid UTF-8 at byte 4"));
    captured_free(&c);
    /* nothing to read */
    c = run(6, (char *[]){"rnnscope", "trace", "--model", EXAMPLE, "--text", "   "});
    assert_int_equal(c.code, APP_EXIT_ERROR);
    assert_non_null(strstr(c.err, "the sentence has no words"));
    captured_free(&c);
    /* vectors of the wrong width */
    char path[] = "/tmp/rnnscope-x-XXXXXX";
    int fd = mkstemp(path);
    assert_int_equal(write(fd, "[[1, 2, 3, 4], [3]]", 19), 19);
    close(fd);
    c = run(6, (char *[]){"rnnscope", "trace", "--model",
                          RNNSCOPE_TEST_DIR "/fixtures/parity/gru-l1-uni-vec-none.model.json",
                          "--inputs", path});
    assert_int_equal(c.code, APP_EXIT_ERROR);
    assert_non_null(strstr(c.err, "step 1: expected an array of"));
    captured_free(&c);
    unlink(path);
}

static void test_json_is_the_default_off_a_terminal(void **state) {
    (void)state;
    Captured c =
        run(6, (char *[]){"rnnscope", "trace", "--model", EXAMPLE, "--text", "The cat sat."});
    assert_int_equal(c.code, APP_EXIT_OK);
    cJSON *json = cJSON_Parse(c.out);
    assert_non_null(json);
    assert_int_equal(cJSON_GetObjectItem(json, "steps")->valueint, 4);
    const cJSON *layer = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "layers"), 0);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(layer, "gates"), "f"));
    cJSON_Delete(json);
    captured_free(&c);
}

static void test_table_for_a_person(void **state) {
    (void)state;
    Captured c = run(8, (char *[]){"rnnscope", "trace", "--model", KOREAN, "--text",
                                   "나는 사과를 먹었다. 고양이는 잤다", "--format", "table"});
    assert_int_equal(c.code, APP_EXIT_OK);
    assert_non_null(strstr(c.out, "lstm, 2 layers, bidirectional"));
    /* PyTorch and Keras counts of this model: 868 and 804 */
    assert_non_null(strstr(c.out, "parameters  PyTorch 868, Keras 804"));
    assert_non_null(strstr(c.out, "고양이는→<unk>")); /* unknown words are marked */
    assert_non_null(strstr(c.out, "layer 1, backward"));
    assert_non_null(strstr(c.out, "<- prediction"));
    captured_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_usage_errors_exit_2_with_usage),
        cmocka_unit_test(test_runtime_errors_exit_1),
        cmocka_unit_test(test_json_is_the_default_off_a_terminal),
        cmocka_unit_test(test_table_for_a_person),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
