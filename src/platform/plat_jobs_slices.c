/* plat_jobs_slices.c - live training without threads (plat_jobs.h): the frame loop gives the
 * running jobs a slice of time each frame, one optimizer step at a time, so the page stays
 * responsive. The same steps in the same order as a thread would take: the same weights. */
#include "plat_jobs.h"

#include <SDL.h>
#include <stdlib.h>

#define PLAT_MAX_JOBS 8

typedef struct Slot {
    RnnJob *job;
    int paused, done;
    double seconds; /* training time so far, pauses excluded */
} Slot;

struct PlatJobs {
    Slot slots[PLAT_MAX_JOBS];
    int next; /* the slot the next slice starts with, so that every job gets its turn */
    void (*notify)(void *);
    void *notify_ctx;
};

static Slot *find(PlatJobs *jobs, const RnnJob *job) {
    for (int i = 0; i < PLAT_MAX_JOBS; i++)
        if (jobs->slots[i].job == job) return &jobs->slots[i];
    return NULL;
}

static int start(void *ctx, RnnJob *job, RnnError *err) {
    PlatJobs *jobs = ctx;
    if (find(jobs, job)) return rnn_error_set(err, "this training run has already started");
    Slot *w = find(jobs, NULL);
    if (!w) return rnn_error_set(err, "too many training runs at once");
    *w = (Slot){job, 0, 0, 0};
    rnn_job_set_state(job, RNN_JOB_RUNNING);
    return 0;
}

static void pause(void *ctx, RnnJob *job, int paused) {
    Slot *w = find(ctx, job);
    if (!w || w->done || w->paused == paused) return;
    w->paused = paused;
    rnn_job_set_state(job, paused ? RNN_JOB_PAUSED : RNN_JOB_RUNNING);
}

static void stop(void *ctx, RnnJob *job) {
    Slot *w = find(ctx, job);
    if (!w || !job) return;
    rnn_job_set_state(job, RNN_JOB_STOPPED);
    *w = (Slot){0};
}

int plat_jobs_run_slice(PlatJobs *jobs, double budget) {
    Uint64 start_at = SDL_GetPerformanceCounter(), freq = SDL_GetPerformanceFrequency();
    int running = 0, published_any = 0;
    for (int k = 0; k < PLAT_MAX_JOBS; k++) {
        Slot *w = &jobs->slots[(jobs->next + k) % PLAT_MAX_JOBS];
        running |= w->job && !w->done && !w->paused;
    }
    /* round robin, one optimizer step each, until the slice is spent */
    while (running) {
        running = 0;
        for (int k = 0; k < PLAT_MAX_JOBS; k++) {
            Slot *w = &jobs->slots[jobs->next];
            jobs->next = (jobs->next + 1) % PLAT_MAX_JOBS;
            if (!w->job || w->done || w->paused) continue;
            Uint64 t0 = SDL_GetPerformanceCounter();
            int published;
            int more = rnn_job_advance(w->job, 1, w->seconds, &published);
            w->seconds += (double)(SDL_GetPerformanceCounter() - t0) / (double)freq;
            published_any |= published;
            if (!more) w->done = 1;
            running |= more;
        }
        if ((double)(SDL_GetPerformanceCounter() - start_at) / (double)freq >= budget) break;
    }
    if (published_any && jobs->notify) jobs->notify(jobs->notify_ctx);
    return running;
}

void plat_jobs_wait(PlatJobs *jobs, RnnJob *job) {
    Slot *w = find(jobs, job);
    while (w && !w->done && !w->paused) plat_jobs_run_slice(jobs, 1.0);
}

PlatJobs *plat_jobs_new(void (*notify)(void *), void *notify_ctx) {
    PlatJobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs) return NULL;
    jobs->notify = notify, jobs->notify_ctx = notify_ctx;
    return jobs;
}

void plat_jobs_free(PlatJobs *jobs) {
    if (!jobs) return;
    for (int i = 0; i < PLAT_MAX_JOBS; i++)
        if (jobs->slots[i].job) stop(jobs, jobs->slots[i].job);
    free(jobs);
}

UiJobRunner plat_jobs_runner(PlatJobs *jobs) {
    return (UiJobRunner){start, pause, stop, jobs};
}
