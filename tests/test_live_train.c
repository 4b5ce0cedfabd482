/* test_live_train.c - live training in a background thread (plat_jobs.c driving an rnn_job): it
 * makes the same weights as `rnnscope train` with the same seed, stopping it leaves the saved model
 * as it was, the job's history keeps the weights it published, scrubbing back shows them bit for
 * bit, and at the default pace the recall LSTM's run lasts about 30 s while the window keeps
 * drawing, and learns distance 20.
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
    assert_int_equal(runner.start(runner.ctx, job, 0, &err), 0);
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
    assert_int_equal(runner.start(runner.ctx, job, 0, &err), 0);
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

/* Whether the frame drew this text. */
static int drawn(const UiDrawList *list, const char *text) {
    for (int i = 0; i < list->count; i++)
        if (list->cmds[i].kind == UI_CMD_TEXT && strstr(list->chars + list->cmds[i].text, text))
            return 1;
    return 0;
}

/* Ctrl+T in the window at the default pace: the run lasts about 30 s of wall time however
 * fast the machine is, the weights on screen change all along (a class sees it learn, not
 * noise and then the end), the window answers keys and draws in time throughout, and the
 * model still learns distance 20. */
static void test_live_lstm_trains_at_the_default_pace_while_the_window_draws(void **state) {
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
    assert_int_equal(s.compare->pace, UI_COMPARE_PACE);
    UiCompareColumn *col = &s.compare->col[0];
    assert_non_null(col->job);
    Offscreen off;
    offscreen_open(&off, 1280, 800);
    double worst = 0, at_half = -1;
    int frames = 0, weights_seen = 0, pace_shown = 0;
    long long shown = col->job_updates;
    while (ui_compare_training(s.compare) || frames == 0) {
        double t0 = seconds_now();
        ui_screen_poll(&s); /* what the window does when the worker wakes it */
        int before = v->words_read;
        /* a student's keys: each one is answered in this frame */
        assert_int_equal(ui_screen_key(&s, frames % 2 ? UI_KEY_RIGHT : UI_KEY_LEFT), 1);
        assert_int_not_equal(v->words_read, before);
        ui_screen_layout(&s, &off.list, 1280, 800);
        ui_screen_draw(&s, &off.list);
        pace_shown |= drawn(&off.list, "30 s per run");
        plat_renderer_draw(&off.r, &off.list);
        double frame = seconds_now() - t0;
        worst = frame > worst ? frame : worst;
        frames++;
        if (col->job_updates != shown) weights_seen++, shown = col->job_updates;
        if (at_half < 0 && col->progress->updates * 2 >= col->progress->total_updates)
            at_half = seconds_now() - started;
        assert_true(seconds_now() - started < 60 * TIME_SCALE);
        SDL_Delay(10);
    }
    double took = seconds_now() - started;
    assert_int_equal(col->progress->state, RNN_JOB_FINISHED);
    double accuracy;
    assert_int_equal(rnn_recall_accuracy(col->view.model, 4, 20, 400, 2026, &accuracy, &err), 0);
    print_message("live LSTM at the default pace: %.1f s (half its steps at %.1f s; training "
                  "time %.1f s), %d frames, slowest %.0f ms, %d sets of weights shown, accuracy "
                  "at distance 20: %.3f\n",
                  took, at_half, col->progress->seconds, frames, worst * 1000, weights_seen,
                  accuracy);
    assert_true(pace_shown);
    assert_true(accuracy >= 0.95);
    /* about 30 s, spread evenly: not the 1.3 s the run takes flat out */
    assert_true(took >= 20 && took <= 40 * TIME_SCALE);
    assert_true(col->progress->seconds >= 20 && col->progress->seconds <= 40 * TIME_SCALE);
    assert_true(at_half >= 0.35 * took && at_half <= 0.65 * took);
    /* the weights on screen change all along: most of the run's ~60 publications are seen */
    assert_true(weights_seen >= 40);
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

/* A runner that the test drives by hand: it records the pace it is given, and the test takes
 * the optimizer steps itself (rnn_job_advance), so that it sees every publication. */
typedef struct Manual {
    RnnJob *job, *jobs[UI_COMPARE_MAX]; /* the first one started, and all of them */
    int count;
    double pace;
    int paces_set;
} Manual;

static int manual_start(void *ctx, RnnJob *job, double updates_per_second, RnnError *err) {
    (void)err;
    Manual *m = ctx;
    if (!m->count) m->job = job;
    assert_true(m->count < UI_COMPARE_MAX);
    m->jobs[m->count++] = job;
    m->pace = updates_per_second;
    rnn_job_set_state(job, RNN_JOB_RUNNING);
    return 0;
}

static void manual_set_pace(void *ctx, RnnJob *job, double updates_per_second) {
    Manual *m = ctx;
    if (job == m->job) m->pace = updates_per_second, m->paces_set++;
}

static void manual_pause(void *ctx, RnnJob *job, int paused) {
    (void)ctx;
    rnn_job_set_state(job, paused ? RNN_JOB_PAUSED : RNN_JOB_RUNNING);
}

static void manual_stop(void *ctx, RnnJob *job) {
    (void)ctx;
    rnn_job_set_state(job, RNN_JOB_STOPPED);
}

/* The weights of every publication, copied from the job the moment it published them. */
typedef struct Published {
    long long updates[4096];
    double *weights[4096];
    int count;
    size_t bytes;
} Published;

/* Takes up to n optimizer steps, recording each publication of weights; polls the screen
 * every few steps, as the window would. Returns 0 when the run has ended. */
static int take_steps(RnnJob *job, Published *pub, UiScreen *s, int n) {
    for (int k = 0; k < n; k++) {
        int published, more = rnn_job_advance(job, 1, 0, &published);
        long long updates = -1;
        double *w = malloc(pub->bytes);
        assert_non_null(w);
        if (published && rnn_job_fetch(job, w, &updates)) {
            assert_true(pub->count < 4096);
            pub->updates[pub->count] = updates, pub->weights[pub->count++] = w;
        } else {
            free(w);
        }
        if (s && k % 7 == 0) ui_screen_poll(s);
        if (!more) return 0;
    }
    return 1;
}

/* A record that starts with the weights the column showed before the first step. */
static Published *published_new(const UiCompareColumn *col) {
    Published *pub = calloc(1, sizeof *pub);
    assert_non_null(pub);
    pub->bytes = col->view.model->num_params * sizeof(double);
    pub->weights[0] = malloc(pub->bytes);
    memcpy(pub->weights[0], col->view.model->params, pub->bytes);
    pub->count = 1;
    return pub;
}

static const double *published_at(const Published *pub, long long updates) {
    for (int k = pub->count - 1; k >= 0; k--)
        if (pub->updates[k] == updates) return pub->weights[k];
    return NULL;
}

static void published_free(Published *pub) {
    for (int k = 0; k < pub->count; k++) free(pub->weights[k]);
}

/* The column shows the weights published at its step, bit for bit, and the trace on screen
 * is those weights' (the prediction and the charts are computed again). */
static void assert_shows_published(const UiCompareColumn *col, const Published *pub) {
    const RnnModel *m = col->view.model;
    const double *want = published_at(pub, col->job_updates);
    if (!want) fail_msg("step %lld was never published", col->job_updates);
    assert_memory_equal(m->params, want, m->num_params * sizeof(double));
    RnnError err;
    const RnnTrace *shown = col->view.trace;
    RnnTrace *again = rnn_trace_new(&m->config, shown->steps, &err);
    assert_non_null(again);
    assert_int_equal(rnn_model_forward(m, shown->token_ids, NULL, again, &err), 0);
    assert_memory_equal(again->probs, shown->probs,
                        (size_t)shown->out_steps * m->config.num_labels * sizeof(double));
    rnn_trace_free(again);
}

/* The engine's history: it keeps the first weights, a snapshot on an even grid of steps and
 * the latest, never more than RNN_JOB_MAX_SNAPSHOTS, and each is bit for bit the weights
 * published at its step, however often the run published. */
static void test_the_history_keeps_what_was_published(void **state) {
    (void)state;
    RnnModel *lstm = load_model(MODELS "recall-lstm.json", NULL);
    RnnError err;
    /* weights every 10 steps: 150 publications, more than the history holds */
    RnnJob *job = io_job_from_record(lstm, MODELS "recall-lstm.json", 10, &err);
    if (!job) fail_msg("%s", err.message);
    Published *pub = calloc(1, sizeof *pub);
    pub->bytes = lstm->num_params * sizeof(double);
    rnn_job_set_state(job, RNN_JOB_RUNNING);
    pub->weights[0] = malloc(pub->bytes); /* step 0: the fresh weights */
    long long updates = -1;
    assert_int_equal(rnn_job_fetch(job, pub->weights[0], &updates), 1);
    assert_int_equal(updates, 0);
    pub->count = 1;
    long long history[RNN_JOB_MAX_SNAPSHOTS];
    double *got = malloc(pub->bytes);
    int most = 0;
    for (int round = 0; take_steps(job, pub, NULL, 37); round++) {
        int n = rnn_job_history(job, history, RNN_JOB_MAX_SNAPSHOTS);
        most = n > most ? n : most;
        assert_true(n >= 2 && n <= RNN_JOB_MAX_SNAPSHOTS);
        assert_int_equal(history[0], 0);
        assert_int_equal(history[n - 1], pub->updates[pub->count - 1]); /* the latest */
        for (int k = 1; k + 1 < n; k++)                                 /* an even grid between */
            assert_int_equal(history[k] - history[k - 1], history[1]);
    }
    RnnJobProgress *p = malloc(sizeof *p);
    rnn_job_progress(job, p);
    assert_int_equal(p->state, RNN_JOB_FINISHED);
    int n = rnn_job_history(job, history, RNN_JOB_MAX_SNAPSHOTS);
    assert_int_equal(history[n - 1], p->total_updates);
    assert_true(pub->count > RNN_JOB_MAX_SNAPSHOTS && most > RNN_JOB_MAX_SNAPSHOTS / 2);
    for (int k = 0; k < n; k++) {
        assert_int_equal(rnn_job_history_fetch(job, history[k], got), history[k]);
        const double *want = published_at(pub, history[k]);
        assert_non_null(want);
        assert_memory_equal(got, want, pub->bytes);
    }
    /* between two kept snapshots: the nearer one */
    assert_int_equal(rnn_job_history_fetch(job, history[1] / 2 + 1, got), history[1]);
    assert_int_equal(rnn_job_history_fetch(job, -5, got), 0);
    print_message("history: %d publications, %d kept at the end (every %lld steps)\n", pub->count,
                  n, history[1]);
    free(p), free(got);
    published_free(pub);
    free(pub);
    rnn_job_free(job);
    rnn_model_free(lstm);
}

/* Scrubbing in the window: , and . and the bar show the weights published at a snapshot,
 * bit for bit, while the run goes on (the curves grow, the weights shown stay); the end of
 * the bar follows the run again. [ and ] set the runner's pace while it trains. */
static void test_scrubbing_shows_the_weights_published_then(void **state) {
    (void)state;
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = "river the very and so it was just ?";
    UiScreen s;
    UiView *v = &s.view;
    RnnError err;
    Manual m = {0};
    UiHost host = {{manual_start, manual_set_pace, manual_pause, manual_stop, &m}, NULL, NULL};
    assert_int_equal(ui_screen_prepare(&s, &o, &host, &err), 0);
    ui_view_set_words_read(v, 1000);
    assert_int_equal(ui_screen_key(&s, UI_KEY_TRAIN), 1);
    UiCompareColumn *col = &s.compare->col[0];
    assert_ptr_equal(m.job, col->job);
    long long total = col->progress->total_updates;
    /* the pace: the run's steps over 30 s, then [ and ] */
    assert_double_equal(m.pace, (double)total / UI_COMPARE_PACE, 1e-12);
    assert_int_equal(ui_screen_key(&s, UI_KEY_FASTER), 1);
    assert_double_equal(m.pace, total / 10.0, 1e-12);
    assert_int_equal(ui_screen_key(&s, UI_KEY_FASTER), 1);
    assert_double_equal(m.pace, 0, 0); /* as fast as possible */
    assert_non_null(strstr(v->banner, "as fast as possible"));
    assert_int_equal(ui_screen_key(&s, UI_KEY_FASTER), 1);
    assert_double_equal(m.pace, 0, 0);
    for (int k = 0; k < 4; k++) assert_int_equal(ui_screen_key(&s, UI_KEY_SLOWER), 1);
    assert_double_equal(m.pace, total / 120.0, 1e-12);
    assert_int_equal(ui_screen_key(&s, UI_KEY_FASTER), 1);
    assert_int_equal(ui_screen_key(&s, UI_KEY_FASTER), 1);
    assert_double_equal(m.pace, (double)total / UI_COMPARE_PACE, 1e-12);
    assert_int_equal(m.paces_set, 9);

    Published *pub = published_new(col); /* step 0: the fresh weights the window showed */
    UiDrawList *list = NULL;
    draw_list_setup((void **)&list);
    /* halfway: back three snapshots */
    assert_int_equal(take_steps(m.job, pub, &s, (int)total / 2), 1);
    ui_screen_poll(&s);
    assert_int_equal(col->scrubbed, 0);
    assert_shows_published(col, pub);
    long long latest = col->job_updates;
    for (int k = 0; k < 3; k++) assert_int_equal(ui_screen_key(&s, UI_KEY_SCRUB_BACK), 1);
    assert_int_equal(col->scrubbed, 1);
    assert_int_equal(col->job_updates, col->history[col->history_count - 4]);
    assert_true(col->job_updates < latest);
    assert_shows_published(col, pub);
    long long scrubbed = col->job_updates;
    /* the run goes on; the weights shown stay, the curves mark them */
    assert_int_equal(take_steps(m.job, pub, &s, 200), 1);
    ui_screen_poll(&s);
    assert_true(col->progress->updates > latest + 150);
    assert_int_equal(col->job_updates, scrubbed);
    assert_shows_published(col, pub);
    ui_screen_layout(&s, list, 1280, 800);
    ui_screen_draw(&s, list);
    char step[32], marked[96];
    ui_format_thousands(scrubbed, step, sizeof step);
    snprintf(marked, sizeof marked, "marked: step %s", step);
    assert_true(drawn(list, marked));
    assert_true(drawn(list, "30 s per run"));
    /* forward to the end: the latest weights again, and new ones follow */
    for (int k = 0; k < 100 && col->scrubbed; k++) ui_screen_key(&s, UI_KEY_SCRUB_AHEAD);
    assert_int_equal(col->scrubbed, 0);
    assert_int_equal(col->job_updates, pub->updates[pub->count - 1]);
    assert_shows_published(col, pub);
    assert_int_equal(take_steps(m.job, pub, &s, 100), 1);
    ui_screen_poll(&s);
    assert_int_equal(col->job_updates, pub->updates[pub->count - 1]);
    assert_shows_published(col, pub);
    /* to the end of the run; then every kept snapshot, by the bar (a click at its step) and
     * by , from the end to the start */
    while (take_steps(m.job, pub, &s, 500)) continue;
    ui_screen_poll(&s);
    assert_int_equal(col->progress->state, RNN_JOB_FINISHED);
    ui_screen_layout(&s, list, 1280, 800);
    const UiRect bar = col->scrub;
    assert_true(bar.w > 100 && bar.h > 0);
    for (int k = 0; k < col->history_count; k++) {
        int x = bar.x + (int)((double)bar.w * col->history[k] / total + 0.5);
        assert_int_equal(ui_screen_click(&s, x, bar.y + bar.h / 2), 1);
        assert_int_equal(col->job_updates, col->history[k]);
        assert_int_equal(col->scrubbed, k < col->history_count - 1);
        assert_shows_published(col, pub);
    }
    /* dragging from the start of the bar to its end */
    assert_int_equal(ui_screen_click(&s, bar.x, bar.y), 1);
    assert_int_equal(col->job_updates, 0);
    assert_shows_published(col, pub);
    ui_screen_drag(&s, bar.x + bar.w / 2, bar.y + 200); /* held: the mouse may leave the bar */
    assert_int_equal(col->scrubbed, 1);
    assert_true(llabs(col->job_updates - total / 2) <= col->history[1] / 2);
    assert_shows_published(col, pub);
    ui_screen_drag(&s, bar.x + bar.w + 50, bar.y);
    assert_int_equal(col->scrubbed, 0);
    assert_int_equal(col->job_updates, total);
    for (int k = col->history_count - 2; k >= 0; k--) {
        assert_int_equal(ui_screen_key(&s, UI_KEY_SCRUB_BACK), 1);
        assert_int_equal(col->job_updates, col->history[k]);
        assert_shows_published(col, pub);
    }
    print_message("scrubbed: %d publications, %d snapshots on the bar\n", pub->count,
                  col->history_count);
    draw_list_teardown((void **)&list);
    published_free(pub);
    free(pub);
    ui_screen_free(&s);
}

/* Side by side, the columns scrub together: , . and either bar put every column on its
 * snapshot of one optimizer step, so that they compare at one point of training. */
static void test_columns_scrub_to_one_step(void **state) {
    (void)state;
    const char *paths[] = {MODELS "recall-rnn.json", MODELS "recall-lstm.json"};
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = paths[0];
    o.compare = paths, o.ncompare = 2;
    o.text = "river the very and so it was just ?";
    UiScreen s;
    RnnError err;
    Manual m = {0};
    UiHost host = {{manual_start, manual_set_pace, manual_pause, manual_stop, &m}, NULL, NULL};
    assert_int_equal(ui_screen_prepare(&s, &o, &host, &err), 0);
    assert_int_equal(ui_screen_key(&s, UI_KEY_TRAIN), 1);
    assert_int_equal(m.count, 2);
    UiCompareColumn *a = &s.compare->col[0], *b = &s.compare->col[1];
    Published *pa = published_new(a), *pb = published_new(b);
    /* the second run a little ahead, as two threads would be */
    assert_int_equal(take_steps(m.jobs[0], pa, &s, 600), 1);
    assert_int_equal(take_steps(m.jobs[1], pb, &s, 613), 1);
    ui_screen_poll(&s);
    for (int k = 0; k < 4; k++) assert_int_equal(ui_screen_key(&s, UI_KEY_SCRUB_BACK), 1);
    assert_true(a->scrubbed && b->scrubbed);
    assert_int_equal(a->job_updates, a->history[a->history_count - 5]);
    assert_int_equal(b->job_updates, a->job_updates);
    assert_shows_published(a, pa);
    assert_shows_published(b, pb);
    /* the pace shows in every column, on a phone's width too (under the loss chart's title) */
    UiDrawList *list = NULL;
    draw_list_setup((void **)&list);
    for (int width = 1280; width >= 500; width -= 780) {
        ui_screen_layout(&s, list, width, 800);
        ui_screen_draw(&s, list);
        int shown = 0;
        for (int i = 0; i < list->count; i++)
            shown += list->cmds[i].kind == UI_CMD_TEXT &&
                     !strcmp(list->chars + list->cmds[i].text, "30 s per run");
        assert_int_equal(shown, 2);
    }
    draw_list_teardown((void **)&list);
    /* a click on the second column's bar: both go there */
    ui_screen_layout(&s, &(UiDrawList){.measure = fake_measure()}, 1280, 800);
    long long to = b->history[3];
    int x = b->scrub.x + (int)((double)b->scrub.w * to / b->progress->total_updates + 0.5);
    assert_int_equal(ui_screen_click(&s, x, b->scrub.y), 1);
    assert_int_equal(b->job_updates, to);
    assert_int_equal(a->job_updates, to);
    assert_shows_published(a, pa);
    assert_shows_published(b, pb);
    /* . to the end: both follow their runs again */
    for (int k = 0; k < 100 && a->scrubbed; k++) ui_screen_key(&s, UI_KEY_SCRUB_AHEAD);
    assert_false(a->scrubbed || b->scrubbed);
    assert_int_equal(a->job_updates, pa->updates[pa->count - 1]);
    assert_int_equal(b->job_updates, pb->updates[pb->count - 1]);
    published_free(pa), published_free(pb);
    free(pa), free(pb);
    ui_screen_free(&s);
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
        cmocka_unit_test(test_the_history_keeps_what_was_published),
        cmocka_unit_test(test_scrubbing_shows_the_weights_published_then),
        cmocka_unit_test(test_columns_scrub_to_one_step),
        cmocka_unit_test(test_live_lstm_trains_at_the_default_pace_while_the_window_draws),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
