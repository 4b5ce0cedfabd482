/* test_jobs_slices.c - the browser's runner (plat_jobs_slices.c), built for the desktop: a
 * frame loop that gives live training a slice of each frame keeps the pace it is given, runs
 * flat out at pace 0, and counts no time while paused. It links the engine, io and SDL only
 * (plat_jobs.c, the thread runner, defines the same functions). */
#include "test_util.h"

#include "io_job.h"
#include "plat_jobs.h"

#include <SDL.h>

static double seconds_now(void) {
    return (double)SDL_GetPerformanceCounter() / (double)SDL_GetPerformanceFrequency();
}

/* The browser's frame loop for `seconds`: a 6 ms slice (PLAT_WEB_TRAIN_SLICE) every ~16 ms. */
static void frames(PlatJobs *jobs, double seconds) {
    double until = seconds_now() + seconds;
    while (seconds_now() < until) {
        plat_jobs_run_slice(jobs, 0.006);
        SDL_Delay(10);
    }
}

static void progress(RnnJob *job, RnnJobProgress *p) {
    rnn_job_progress(job, p);
}

static void test_slices_keep_the_pace(void **state) {
    (void)state;
    RnnModel *lstm = load_model(MODELS "recall-lstm.json", NULL);
    RnnError err;
    RnnJob *job = io_job_from_record(lstm, MODELS "recall-lstm.json", 0, &err);
    if (!job) fail_msg("%s", err.message);
    PlatJobs *jobs = plat_jobs_new(NULL, NULL);
    UiJobRunner runner = plat_jobs_runner(jobs);
    RnnJobProgress *p = malloc(sizeof *p);
    /* 40 steps per second of training time: about 41 steps in the first second (the first
     * step is due at once) */
    assert_int_equal(runner.start(runner.ctx, job, 40, &err), 0);
    frames(jobs, 1.0);
    progress(job, p);
    print_message("pace 40/s: %lld steps in %.2f s of training time\n", p->updates, p->seconds);
    assert_true(p->updates >= 35 && p->updates <= 47);
    assert_true(p->seconds >= 0.9 && p->seconds <= 1.1);
    /* paused: no step, and no training time */
    long long before = p->updates;
    double seconds = p->seconds;
    runner.pause(runner.ctx, job, 1);
    frames(jobs, 0.3);
    progress(job, p);
    assert_int_equal(p->state, RNN_JOB_PAUSED);
    assert_int_equal(p->updates, before);
    assert_true(p->seconds <= seconds + 0.02);
    /* resumed at 20 per second: about 10 more in half a second */
    runner.pause(runner.ctx, job, 0);
    runner.set_pace(runner.ctx, job, 20);
    frames(jobs, 0.5);
    progress(job, p);
    print_message("pace 20/s: %lld steps in 0.5 s\n", p->updates - before);
    assert_true(p->updates - before >= 8 && p->updates - before <= 14);
    assert_true(p->seconds >= seconds + 0.4 && p->seconds <= seconds + 0.6);
    /* as fast as possible: the slices are full of steps, well over what the last pace (20/s:
     * 6 in 0.3 s) would allow; a sanitizer build manages about 13, an optimized one about 50 */
    before = p->updates;
    runner.set_pace(runner.ctx, job, 0);
    frames(jobs, 0.3);
    progress(job, p);
    print_message("flat out: %lld steps in 0.3 s\n", p->updates - before);
    assert_true(p->updates - before > 9);
    runner.stop(runner.ctx, job);
    progress(job, p);
    assert_int_equal(p->state, RNN_JOB_STOPPED);
    free(p);
    plat_jobs_free(jobs);
    rnn_job_free(job);
    rnn_model_free(lstm);
}

static int setup(void **state) {
    (void)state;
    return SDL_Init(SDL_INIT_TIMER) == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    SDL_Quit();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_keep_the_pace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
