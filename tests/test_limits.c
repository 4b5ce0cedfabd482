/* test_limits.c - what happens at the edges: a 10,000-word sentence, weights of ±1e6, saves
 * into places that cannot take them. Each works, or is refused with a message; nothing
 * crashes and no earlier file is lost. */
#include "test_util.h"

#include "ui_view.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char *recall_sentence(int words) {
    char *s = malloc((size_t)words * 8 + 16);
    strcpy(s, "violin");
    for (int i = 1; i < words - 1; i++) strcat(s, i % 2 ? " the" : " very");
    strcat(s, " ?");
    return s;
}

/* Lays out and draws one 1280x800 frame of the view, with fixed text sizes. */
static void frame(UiView *v, UiDrawList *list) {
    list->measure = fake_measure();
    ui_view_layout(v, list, 1280, 800);
    ui_view_draw(v, list);
}

/* A 10,000-word sentence runs through the engine, and the window shows a window of steps
 * around the current one instead of 10,000 one-pixel columns. */
static void test_a_very_long_sentence(void **state) {
    (void)state;
    char *text = recall_sentence(10000);
    RnnModel *m;
    RnnError err;
    assert_int_equal(io_model_load(MODELS "recall-lstm.json", &m, NULL, &err), 0);
    RnnTokens tokens;
    RnnTrace *tr;
    assert_int_equal(rnn_model_run_text(m, text, APP_MAX_TRACE_BYTES, &tokens, &tr, &err), 0);
    assert_int_equal(tr->steps, 10000);
    for (size_t k = 0; k < tr->num_values; k++) assert_true(isfinite(tr->values[k]));
    rnn_tokens_free(&tokens);
    rnn_trace_free(tr);
    rnn_model_free(m);

    UiView v;
    ui_view_init(&v);
    assert_int_equal(ui_view_open_model(&v, MODELS "recall-lstm.json", &err), 0);
    assert_int_equal(ui_view_set_text(&v, text, &err), 0);
    ui_view_set_words_read(&v, 5000);
    UiDrawList list = {0};
    frame(&v, &list);
    const UiHeatmap *hm = &v.heatmaps[0];
    assert_true(hm->cols < 10000 && hm->cols > 10);
    assert_true(hm->t0 <= 4999 && 4999 < hm->t0 + hm->cols); /* the current word is in view */
    assert_true(list.count < 200000);                        /* bounded drawing */
    UiHit hit = ui_view_hit(&v, hm->rect.x + 2 * hm->cell_w + 1, hm->rect.y + 1);
    assert_int_equal(hit.t, hm->t0 + 2);
    ui_draw_free(&list);
    ui_view_free(&v);
    free(text);
}

/* Weights of ±1e6 saturate every gate; nothing overflows into NaN or infinity. */
static void test_extreme_weights_stay_finite(void **state) {
    (void)state;
    for (int cell = 0; cell < 3; cell++) {
        RnnConfig c = {(RnnCellKind)cell, RNN_TANH, 4, 8, 2, 1, 0, RNN_HEAD_MANY_TO_ONE, 3};
        RnnError err;
        RnnModel *m = rnn_model_new(&c, &err);
        uint64_t rng = 42;
        for (size_t k = 0; k < m->num_params; k++)
            m->params[k] = rnn_rng_uniform(&rng) < 0.5 ? -1e6 : 1e6;
        double x[50 * 4];
        for (int k = 0; k < 200; k++) x[k] = 10 * (rnn_rng_uniform(&rng) - 0.5);
        RnnTrace *tr;
        assert_int_equal(rnn_model_run_vectors(m, x, 50, 0, &tr, &err), 0);
        for (size_t k = 0; k < tr->num_values; k++)
            if (!isfinite(tr->values[k])) fail_msg("cell %d: value %zu is not finite", cell, k);
        assert_double_equal(tr->probs[0] + tr->probs[1] + tr->probs[2], 1.0, 1e-12);
        rnn_trace_free(tr);
        rnn_model_free(m);
    }
}

static RnnModel *a_model(void) {
    RnnModel *m;
    RnnError err;
    assert_int_equal(io_model_load(MODELS "sentiment-en.json", &m, NULL, &err), 0);
    return m;
}

/* A place where no file can be created: the message says so and nothing is written. */
static void test_save_where_nothing_can_be_written(void **state) {
    (void)state;
    RnnModel *m = a_model();
    RnnError err;
    assert_int_equal(io_model_save("/proc/rnnscope-model.json", m, NULL, &err), -1);
    assert_non_null(
        strstr(err.message, "/proc/rnnscope-model.json: cannot create a temporary file"));
    rnn_model_free(m);
}

/* A full disk (a file size limit, as `ulimit -f` sets): the save fails with a message and
 * the model saved there before is still whole. */
static void test_a_full_disk_keeps_the_previous_file(void **state) {
    (void)state;
    char dir[] = "/tmp/rnnscope-full-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.json", dir);
    RnnModel *m = a_model();
    RnnError err;
    assert_int_equal(io_model_save(path, m, NULL, &err), 0);
    char *before;
    size_t len;
    assert_int_equal(io_read_file(path, IO_MAX_FILE_SIZE, &before, &len, &err), 0);
    pid_t pid = fork();
    if (pid == 0) { /* the child saves a changed model with room for only 4 KiB */
        struct rlimit limit = {4096, 4096};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &limit);
        m->params[0] += 1;
        int rc = io_model_save(path, m, NULL, &err);
        _exit(rc == -1 && strstr(err.message, "cannot write") &&
                      strstr(err.message, "the previous file, if any, is unchanged")
                  ? 0
                  : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *after;
    size_t len_after;
    assert_int_equal(io_read_file(path, IO_MAX_FILE_SIZE, &after, &len_after, &err), 0);
    assert_int_equal(len, len_after);
    assert_memory_equal(before, after, len);
    char cmd[300]; /* and no temporary file is left behind */
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1 && rm -r %s", dir, dir);
    assert_int_equal(system(cmd), 0);
    free(before), free(after);
    rnn_model_free(m);
}

/* A lesson of 1000 steps loads and steps; one of 1001 is refused with the line and why. */
static void test_a_lesson_of_a_thousand_steps(void **state) {
    (void)state;
    for (int steps = 1000; steps <= 1001; steps++) {
        size_t cap = 200 + (size_t)steps * 64;
        char *text = malloc(cap);
        int n =
            snprintf(text, cap, "---\ntitle: Long\nmodel: %s\ntext: violin the ?\nlang: en\n---\n",
                     MODELS "recall-lstm.json");
        for (int k = 1; k < steps; k++)
            n += snprintf(text + n, cap - (size_t)n, "## Step %d\n<!-- rnnscope: step=%d -->\n", k,
                          k % 4);
        IoLesson *l;
        RnnError err;
        int rc = io_lesson_parse(text, strlen(text), "long.md", &l, &err);
        if (steps == 1000) {
            assert_int_equal(rc, 0);
            assert_int_equal(l->nsteps, 1000);
            UiView v;
            ui_view_init(&v);
            v.lesson = l;
            for (int k = 0; k < 1000; k++) assert_int_equal(ui_view_lesson_go(&v, k, &err), 0);
            assert_int_equal(v.words_read, 999 % 4);
            ui_view_free(&v); /* frees the lesson too */
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err.message, "long.md:"));
            assert_non_null(strstr(err.message, "more than 1000 steps"));
        }
        free(text);
    }
}

/* A model of 4096 units (the largest allowed) runs, and the window shows a window of units
 * around the selected one. */
static void test_a_model_of_4096_units(void **state) {
    (void)state;
    RnnConfig c = {RNN_CELL_RNN, RNN_TANH, 4, 4096, 1, 0, 3, RNN_HEAD_MANY_TO_ONE, 2};
    RnnError err;
    RnnModel *m = rnn_model_new(&c, &err);
    assert_non_null(m);
    uint64_t rng = 7;
    for (size_t k = 0; k < m->num_params; k++) m->params[k] = 0.02 * (rnn_rng_uniform(&rng) - 0.5);
    rnn_model_set_vocab(m, 0, "<unk>", &err), rnn_model_set_vocab(m, 1, "a", &err);
    rnn_model_set_vocab(m, 2, "b", &err);
    rnn_model_set_label(m, 0, "x", &err), rnn_model_set_label(m, 1, "y", &err);
    assert_int_equal(rnn_model_index_vocab(m, &err), 0);
    UiView v;
    ui_view_init(&v);
    v.model = m; /* as ui_view_open_model would leave it */
    assert_int_equal(ui_view_set_text(&v, "a b a", &err), 0);
    v.sel.unit = 3000;
    UiDrawList list = {0};
    frame(&v, &list);
    const UiHeatmap *hm = &v.heatmaps[0];
    assert_true(hm->rows < 4096 && hm->rows > 10);
    assert_true(hm->u0 <= 3000 && 3000 < hm->u0 + hm->rows); /* the selected unit in view */
    assert_true(list.count < 100000);
    UiHit hit = ui_view_hit(&v, hm->rect.x + 1, hm->rect.y + 3 * hm->cell_h + 1);
    assert_int_equal(hit.unit, hm->u0 + 3);
    ui_draw_free(&list);
    ui_view_free(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_very_long_sentence),
        cmocka_unit_test(test_extreme_weights_stay_finite),
        cmocka_unit_test(test_save_where_nothing_can_be_written),
        cmocka_unit_test(test_a_full_disk_keeps_the_previous_file),
        cmocka_unit_test(test_a_lesson_of_a_thousand_steps),
        cmocka_unit_test(test_a_model_of_4096_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
