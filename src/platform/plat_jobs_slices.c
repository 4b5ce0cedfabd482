/* plat_jobs_slices.c - live training without threads (plat_jobs.h): the frame loop gives the
 * running jobs a slice of time each frame, one optimizer step at a time (each when its pace
 * says it is due), so the page stays responsive. The same steps in the same order as a
 * thread would take: the same weights. */
#include "plat_jobs.h"

#include <SDL.h>
#include <stdlib.h>

#define PLAT_MAX_JOBS 8

typedef struct Slot {
    RnnJob *job;
    int paused, done;
    double seconds; /* training time so far: the wall clock while it runs, pauses excluded */
    Uint64 last;    /* the clock when it was last counted (0: not since it was paused) */
    double pace;    /* optimizer steps per second of training time; 0: as fast as possible */
    long long taken, base_taken; /* steps taken, and when the pace was set */
    double base_seconds;
} Slot;

struct PlatJobs {
    Slot slots[PLAT_MAX_JOBS];
    int next; /* the slot the next slice starts with, so that every job gets its turn */
    void (*notify)(void *);
    void *notify_ctx;
};

/* The longest gap between two frames that counts as training time: a hidden page gets no
 * frames, and that time is not the run's. */
#define PLAT_MAX_GAP 0.25
/* The most a paced run falls behind its pace before it gives up catching up (plat_jobs.c). */
#define PLAT_PACE_MAX_LAG 0.25

static Slot *find(PlatJobs *jobs, const RnnJob *job) {
    for (int i = 0; i < PLAT_MAX_JOBS; i++)
        if (jobs->slots[i].job == job) return &jobs->slots[i];
    return NULL;
}

static int live(const Slot *w) {
    return w->job && !w->done && !w->paused;
}

/* Counts the wall clock since w was last counted as its training time. */
static void count_time(Slot *w) {
    Uint64 now = SDL_GetPerformanceCounter();
    if (w->last) {
        double gap = (double)(now - w->last) / (double)SDL_GetPerformanceFrequency();
        w->seconds += gap < PLAT_MAX_GAP ? gap : PLAT_MAX_GAP;
    }
    w->last = now;
}

/* Whether w's next optimizer step is due: the k-th step after the pace was set at training
 * time s0 is due at s0 + k / pace (as in plat_jobs.c). */
static int step_due(Slot *w) {
    if (w->pace <= 0) return 1;
    double at = w->base_seconds + (double)(w->taken - w->base_taken) / w->pace;
    if (w->seconds - at > PLAT_PACE_MAX_LAG) {
        w->base_taken = w->taken, w->base_seconds = w->seconds;
        return 1;
    }
    return w->seconds >= at;
}

static int start(void *ctx, RnnJob *job, double updates_per_second, RnnError *err) {
    PlatJobs *jobs = ctx;
    if (find(jobs, job)) return rnn_error_set(err, "this training run has already started");
    Slot *w = find(jobs, NULL);
    if (!w) return rnn_error_set(err, "too many training runs at once");
    *w = (Slot){0};
    w->job = job;
    w->pace = updates_per_second > 0 ? updates_per_second : 0;
    rnn_job_set_state(job, RNN_JOB_RUNNING);
    return 0;
}

static void set_pace(void *ctx, RnnJob *job, double updates_per_second) {
    Slot *w = find(ctx, job);
    if (!w || !job) return;
    w->pace = updates_per_second > 0 ? updates_per_second : 0;
    w->base_taken = w->taken, w->base_seconds = w->seconds;
}

static void pause(void *ctx, RnnJob *job, int paused) {
    Slot *w = find(ctx, job);
    if (!w || w->done || w->paused == paused) return;
    if (paused) count_time(w);
    w->paused = paused;
    w->last = 0; /* the pause is not training time */
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
    int stepped = 0, published_any = 0;
    for (int k = 0; k < PLAT_MAX_JOBS; k++) stepped |= live(&jobs->slots[k]);
    /* round robin, one optimizer step each while steps are due, until the slice is spent */
    while (stepped) {
        stepped = 0;
        for (int k = 0; k < PLAT_MAX_JOBS; k++) {
            Slot *w = &jobs->slots[jobs->next];
            jobs->next = (jobs->next + 1) % PLAT_MAX_JOBS;
            if (!live(w)) continue;
            count_time(w);
            if (!step_due(w)) continue;
            int published;
            int more = rnn_job_advance(w->job, 1, w->seconds, &published);
            w->taken++;
            published_any |= published;
            if (!more) w->done = 1;
            stepped = 1;
        }
        if ((double)(SDL_GetPerformanceCounter() - start_at) / (double)freq >= budget) break;
    }
    int running = 0;
    for (int k = 0; k < PLAT_MAX_JOBS; k++) running |= live(&jobs->slots[k]);
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
    return (UiJobRunner){start, set_pace, pause, stop, jobs};
}
