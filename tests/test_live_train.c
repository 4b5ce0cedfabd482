/* test_live_train.c - live training in a background thread (plat_jobs.c driving an rnn_job): it
 * makes the same weights as `rnnscope train` with the same seed, stopping it leaves the saved model
 * as it was, and the recall LSTM learns distance 20 within a minute while the window keeps drawing.
 */
#include "test_sdl.h"

#include "io_job.h"
#include "plat_jobs.h"

typedef struct Files {
    char dir[64], data[128], model[128], saved[128];
} Files;

static int files_setup(void **state) {
    static Files f;
    snprintf(f.dir, sizeof f.dir, "/tmp/rnnscope-live-XXXXXX");
    if (!mkdtemp(f.dir)) return -1;
    snprintf(f.data, sizeof f.data, "%s/recall.jsonl", f.dir);
    snprintf(f.model, sizeof f.model, "%s/cli.json", f.dir);
    snprintf(f.saved, sizeof f.saved, "%s/saved.json", f.dir);
    char *argv[] = {"rnnscope", "make-data",      "recall", "--out",          f.data, "--count",
                    "300",      "--min-distance", "1",      "--max-distance", "8",    "--seed",
                    "4"};
    Captured c = run_cli(13, argv);
    captured_free(&c);
    *state = &f;
    return c.code;
}

static int files_teardown(void **state) {
    Files *f = *state;
    unlink(f->data), unlink(f->model), unlink(f->saved);
    rmdir(f->dir);
    return 0;
}

static void test_background_trainer_equals_cli(void **state) {
    Files *f = *state;
    char *argv[] = {"rnnscope",     "train", "--cell", "gru",   "--hidden", "6",
                    "--embed",      "5",     "--data", f->data, "--epochs", "3",
                    "--batch-size", "16",    "--lr",   "0.02",  "--seed",   "7",
                    "--out",        f->model};
    Captured c = run_cli(20, argv);
    assert_int_equal(c.code, 0);
    captured_free(&c);
    RnnModel *cli = load_model(f->model, NULL);
    /* the window's way: a fresh copy of the model, trained as its record says */
    RnnError err;
    RnnJob *job = io_job_from_record(cli, f->model, 0, &err);
    if (!job) fail_msg("%s", err.message);
    const RnnModel *fresh = rnn_job_model(job);
    assert_true(memcmp(fresh->params, cli->params, cli->num_params * sizeof(double)) != 0);
    PlatJobs *jobs = plat_jobs_new(NULL, NULL);
    UiJobRunner runner = plat_jobs_runner(jobs);
    assert_int_equal(runner.start(runner.ctx, job, &err), 0);
    plat_jobs_wait(jobs, job);
    RnnJobProgress *p = malloc(sizeof *p);
    rnn_job_progress(job, p);
    assert_int_equal(p->state, RNN_JOB_FINISHED);
    assert_int_equal(p->updates, 3 * ((300 + 15) / 16));
    assert_true(p->points > 0);
    double *weights = malloc(cli->num_params * sizeof *weights);
    long long updates = -1;
    assert_int_equal(rnn_job_fetch(job, weights, &updates), 1);
    assert_int_equal(updates, p->updates);
    /* bit for bit */
    assert_memory_equal(weights, cli->params, cli->num_params * sizeof *weights);
    free(weights);
    free(p);
    plat_jobs_free(jobs);
    rnn_job_free(job);
    rnn_model_free(cli);
}

static long file_size(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

static void test_stopping_keeps_the_saved_model(void **state) {
    Files *f = *state;
    RnnModel *lstm = load_model(MODELS "recall-lstm.json", NULL);
    RnnError err;
    /* the recall LSTM's own record: 1,500 steps; weights published every 10 */
    RnnJob *job = io_job_from_record(lstm, MODELS "recall-lstm.json", 10, &err);
    if (!job) fail_msg("%s", err.message);
    PlatJobs *jobs = plat_jobs_new(NULL, NULL);
    UiJobRunner runner = plat_jobs_runner(jobs);
    assert_int_equal(runner.start(runner.ctx, job, &err), 0);
    RnnJobProgress *p = malloc(sizeof *p);
    do {
        SDL_Delay(5);
        rnn_job_progress(job, p);
    } while (p->updates < 30);
    runner.pause(runner.ctx, job, 1);
    SDL_Delay(50);
    assert_int_equal(io_job_save(job, f->saved, &err), 0);
    char *before, *after;
    size_t n_before, n_after;
    assert_int_equal(io_read_file(f->saved, 1 << 24, &before, &n_before, &err), 0);
    runner.pause(runner.ctx, job, 0);
    do {
        SDL_Delay(5);
        rnn_job_progress(job, p);
    } while (p->updates < 100);
    runner.stop(runner.ctx, job); /* mid-run */
    rnn_job_progress(job, p);
    assert_int_equal(p->state, RNN_JOB_STOPPED);
    assert_true(p->updates < p->total_updates);
    assert_int_equal(io_read_file(f->saved, 1 << 24, &after, &n_after, &err), 0);
    assert_int_equal(n_before, n_after);
    assert_memory_equal(before, after, n_before);
    assert_true(file_size(f->saved) > 1000);
    /* and what was saved is a model that loads, with its record */
    char *extras;
    RnnModel *saved = load_model(f->saved, &extras);
    assert_non_null(strstr(extras, "\"live\":true"));
    assert_int_equal(saved->num_params, lstm->num_params);
    free(extras);
    rnn_model_free(saved);
    free(before), free(after), free(p);
    plat_jobs_free(jobs);
    rnn_job_free(job);
    rnn_model_free(lstm);
}

/* The targets are for the normal build; the sanitizers make every step several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define TIME_SCALE 5
#else
#define TIME_SCALE 1
#endif

/* the slowest frame allowed while training runs, in seconds (why: see its assertion) */
#define FRAME_LIMIT 0.5

static double seconds_now(void) {
    return (double)SDL_GetPerformanceCounter() / (double)SDL_GetPerformanceFrequency();
}

static void test_live_lstm_learns_distance_20_while_the_window_draws(void **state) {
    (void)state;
    /* the window: the recall LSTM alone, as Ctrl+T opens it, drawn into a software renderer */
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = "river the very and so it was just some then of the on a it so very was and "
             "then some just ?";
    UiScreen s;
    UiView *v = &s.view;
    RnnError err;
    PlatJobs *jobs = plat_jobs_new(NULL, NULL);
    UiHost host = {plat_jobs_runner(jobs), NULL, NULL};
    assert_int_equal(ui_screen_prepare(&s, &o, &host, &err), 0);
    ui_view_set_words_read(v, 1000);
    double started = seconds_now();
    assert_int_equal(ui_screen_key(&s, UI_KEY_TRAIN), 1);
    assert_non_null(s.compare);
    UiCompareColumn *col = &s.compare->col[0];
    assert_non_null(col->job);
    Offscreen off;
    offscreen_open(&off, 1280, 800);
    double worst = 0;
    int frames = 0;
    while (ui_compare_training(s.compare) || frames == 0) {
        double t0 = seconds_now();
        ui_screen_poll(&s); /* what the window does when the worker wakes it */
        ui_screen_key(&s, frames % 2 ? UI_KEY_LEFT : UI_KEY_RIGHT); /* and a student's keys */
        ui_screen_layout(&s, &off.list, 1280, 800);
        ui_screen_draw(&s, &off.list);
        plat_renderer_draw(&off.r, &off.list);
        double frame = seconds_now() - t0;
        worst = frame > worst ? frame : worst;
        frames++;
        assert_true(seconds_now() - started < 60 * TIME_SCALE);
        SDL_Delay(10);
    }
    double took = seconds_now() - started;
    assert_int_equal(col->progress->state, RNN_JOB_FINISHED);
    double accuracy;
    assert_int_equal(rnn_recall_accuracy(col->view.model, 4, 20, 400, 2026, &accuracy, &err), 0);
    print_message("live LSTM: %.1f s, %d frames, slowest %.0f ms, accuracy at distance 20: %.3f\n",
                  took, frames, worst * 1000, accuracy);
    assert_true(accuracy >= 0.95);
    assert_true(took < 60 * TIME_SCALE);
    /* The window never waits for the worker. A frame takes ~6 ms on an idle machine; one
     * that waits for the training to finish took 1.25 s (tried by making ui_compare_poll
     * wait). The limit leaves room for a loaded 2-core machine: the trainer's two threads, a
     * parallel build or test and this thread share 2 cores, and the scheduler may hold a
     * runnable thread for several 12 ms slices (sched_latency on 2 cores) per competitor,
     * ~100-200 ms, while the frame itself renders a few times slower. 0.5 s is that with a
     * factor of 2 to spare, and still less than half of a frame that waits. */
    assert_true(worst < FRAME_LIMIT * TIME_SCALE);
    offscreen_close(&off);
    ui_screen_free(&s);
    plat_jobs_free(jobs);
}

static int setup(void **state) {
    return sdl_setup(state) || files_setup(state);
}

static int teardown(void **state) {
    files_teardown(state);
    return sdl_teardown(state);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_background_trainer_equals_cli),
        cmocka_unit_test(test_stopping_keeps_the_saved_model),
        cmocka_unit_test(test_live_lstm_learns_distance_20_while_the_window_draws),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
