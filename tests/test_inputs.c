/* test_inputs.c - input-vector files (io_inputs_parse, io_inputs_load: `rnnscope trace
 * --inputs`): a JSON array of T arrays of input_size finite numbers becomes (T, input_size)
 * doubles, exactly; anything else is refused with a message naming the file, the step and
 * the element, and leaves no vectors behind. Engine and io only (rnnscope_io). */
#include "test_util.h"

typedef struct Parsed {
    int rc, steps;
    double *x;
    RnnError err;
} Parsed;

static Parsed parse(const char *text, int input_size) {
    Parsed p;
    p.x = (double *)&p; /* must be reset to NULL on failure */
    p.steps = -1;
    p.rc = io_inputs_parse(text, strlen(text), "x.json", input_size, &p.x, &p.steps, &p.err);
    return p;
}

/* A refusal: -1, no vectors, no steps, and this exact message. */
static void assert_refused(const char *text, int input_size, const char *message) {
    Parsed p = parse(text, input_size);
    assert_int_equal(p.rc, -1);
    assert_null(p.x);
    assert_int_equal(p.steps, 0);
    assert_string_equal(p.err.message, message);
}

/* Three steps of two numbers, in order; decimal text round-trips to the same double. */
static void test_vectors_are_read_in_order_exactly(void **state) {
    (void)state;
    Parsed p = parse("[[0.1, -2], [1e-300, 3.5], [0, 1.7976931348623157e308]]", 2);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.steps, 3);
    const double want[] = {0.1, -2, 1e-300, 3.5, 0, 1.7976931348623157e308};
    for (int i = 0; i < 6; i++) assert_double_equal(p.x[i], want[i], 0);
    free(p.x);
}

/* One step of one number is enough. */
static void test_a_single_step_is_a_sequence(void **state) {
    (void)state;
    Parsed p = parse(" [ [ 42 ] ] ", 1);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.steps, 1);
    assert_double_equal(p.x[0], 42, 0);
    free(p.x);
}

/* The message names the file and says it is not JSON (where, too, once the model file's
 * line:column reporting is shared: so only its start is fixed here). */
static void test_text_that_is_not_json_is_refused(void **state) {
    (void)state;
    const char *bad[] = {"[[1, 2], [3, 4]", "", "[[1, 2],, [3, 4]]"};
    for (int i = 0; i < 3; i++) {
        Parsed p = parse(bad[i], 2);
        assert_int_equal(p.rc, -1);
        assert_null(p.x);
        assert_int_equal(p.steps, 0);
        assert_true(!strncmp(p.err.message, "x.json", 6));
        assert_non_null(strstr(p.err.message, "JSON"));
    }
}

/* Not an array, or an empty one: the message says what is expected, with input_size. */
static void test_an_empty_or_non_array_document_is_refused(void **state) {
    (void)state;
    const char *want = "x.json: expected a non-empty JSON array of input vectors (one array of "
                       "3 numbers per time step)";
    assert_refused("[]", 3, want);
    assert_refused("{\"inputs\": [[1, 2, 3]]}", 3, want);
    assert_refused("7", 3, want);
}

/* A step of the wrong width (or not an array) names the step and the model's input_size. */
static void test_a_step_of_the_wrong_width_names_the_step(void **state) {
    (void)state;
    assert_refused("[[1, 2], [3]]", 2,
                   "x.json: step 1: expected an array of 2 numbers (the model's input_size)");
    assert_refused("[[1, 2], [3, 4], [5, 6, 7]]", 2,
                   "x.json: step 2: expected an array of 2 numbers (the model's input_size)");
    assert_refused("[5]", 1,
                   "x.json: step 0: expected an array of 1 numbers (the model's input_size)");
}

/* A non-number names the step and the element. (JSON has no NaN or infinity; 1e999
 * overflows to infinity in the parser and is refused too.) */
static void test_a_non_number_names_the_step_and_element(void **state) {
    (void)state;
    assert_refused("[[1, 2], [3, \"4\"]]", 2,
                   "x.json: step 1, element 1: expected a finite number");
    assert_refused("[[null, 2]]", 2, "x.json: step 0, element 0: expected a finite number");
    assert_refused("[[1, 1e999]]", 2, "x.json: step 0, element 1: expected a finite number");
}

/* Loading names the path in its messages and reads the same numbers as parsing. */
static void test_loading_a_file_reads_it_and_names_it(void **state) {
    (void)state;
    char path[] = "/tmp/rnnscope-inputs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "[[0.25, 0.5], [0.75, 1]]";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    double *x;
    int steps;
    RnnError err;
    assert_int_equal(io_inputs_load(path, 2, &x, &steps, &err), 0);
    assert_int_equal(steps, 2);
    for (int i = 0; i < 4; i++) assert_double_equal(x[i], 0.25 * (i + 1), 0);
    free(x);
    assert_int_equal(io_inputs_load(path, 3, &x, &steps, &err), -1);
    assert_null(x);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, "step 0"));
    unlink(path);
    assert_int_equal(io_inputs_load("/nonexistent/x.json", 2, &x, &steps, &err), -1);
    assert_null(x);
    assert_non_null(strstr(err.message, "/nonexistent/x.json"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_are_read_in_order_exactly),
        cmocka_unit_test(test_a_single_step_is_a_sequence),
        cmocka_unit_test(test_text_that_is_not_json_is_refused),
        cmocka_unit_test(test_an_empty_or_non_array_document_is_refused),
        cmocka_unit_test(test_a_step_of_the_wrong_width_names_the_step),
        cmocka_unit_test(test_a_non_number_names_the_step_and_element),
        cmocka_unit_test(test_loading_a_file_reads_it_and_names_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
