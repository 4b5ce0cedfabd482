/* plat_jobs.c - a thread per training job (plat_jobs.h). */
#include "plat_jobs.h"

#include <SDL.h>
#include <stdlib.h>

#define PLAT_MAX_JOBS 8

typedef struct Slot {
    PlatJobs *owner;
    RnnJob *job;
    SDL_Thread *thread;
    SDL_mutex *data;    /* the job's published part (rnn_job_set_lock) */
    SDL_mutex *control; /* pause and stop */
    SDL_cond *wake;
    int pause, stop;
} Slot;

struct PlatJobs {
    Slot slots[PLAT_MAX_JOBS];
    void (*notify)(void *);
    void *notify_ctx;
};

static void lock(void *m) {
    SDL_LockMutex(m);
}

static void unlock(void *m) {
    SDL_UnlockMutex(m);
}

static void notify(const Slot *w) {
    if (w->owner->notify) w->owner->notify(w->owner->notify_ctx);
}

static double seconds_since(Uint64 start) {
    return (double)(SDL_GetPerformanceCounter() - start) / (double)SDL_GetPerformanceFrequency();
}

static int worker(void *arg) {
    Slot *w = arg;
    Uint64 started = SDL_GetPerformanceCounter();
    double before_pause = 0, seconds = 0;
    Uint32 last_notify = 0;
    SDL_SetThreadPriority(SDL_THREAD_PRIORITY_LOW); /* the window comes first */
    for (;;) {
        SDL_LockMutex(w->control);
        if (w->pause && !w->stop) {
            before_pause = seconds;
            rnn_job_set_state(w->job, RNN_JOB_PAUSED);
            notify(w);
            while (w->pause && !w->stop) SDL_CondWait(w->wake, w->control);
            started = SDL_GetPerformanceCounter();
            if (!w->stop) rnn_job_set_state(w->job, RNN_JOB_RUNNING);
        }
        int stop = w->stop;
        SDL_UnlockMutex(w->control);
        if (stop) {
            rnn_job_set_state(w->job, RNN_JOB_STOPPED);
            break;
        }
        int published;
        seconds = before_pause + seconds_since(started);
        int more = rnn_job_advance(w->job, 1, seconds, &published);
        Uint32 ticks = SDL_GetTicks();
        if (published || ticks - last_notify >= 100) {
            notify(w);
            last_notify = ticks;
        }
        if (!more) break;
    }
    notify(w);
    return 0;
}

static void slot_free(Slot *w) {
    if (w->job) rnn_job_set_lock(w->job, NULL, NULL, NULL); /* one thread again */
    if (w->wake) SDL_DestroyCond(w->wake);
    if (w->control) SDL_DestroyMutex(w->control);
    if (w->data) SDL_DestroyMutex(w->data);
    PlatJobs *owner = w->owner;
    *w = (Slot){0};
    w->owner = owner;
}

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
    w->owner = jobs;
    w->job = job;
    w->data = SDL_CreateMutex();
    w->control = SDL_CreateMutex();
    w->wake = SDL_CreateCond();
    if (!w->data || !w->control || !w->wake) {
        rnn_error_set(err, "cannot start training: %s", SDL_GetError());
        slot_free(w);
        return -1;
    }
    rnn_job_set_lock(job, lock, unlock, w->data);
    rnn_job_set_state(job, RNN_JOB_RUNNING);
    if (!(w->thread = SDL_CreateThread(worker, "rnnscope-train", w))) {
        rnn_error_set(err, "cannot start training: %s", SDL_GetError());
        slot_free(w);
        return -1;
    }
    return 0;
}

static void pause(void *ctx, RnnJob *job, int paused) {
    Slot *w = find(ctx, job);
    if (!w) return;
    SDL_LockMutex(w->control);
    w->pause = paused;
    SDL_CondSignal(w->wake);
    SDL_UnlockMutex(w->control);
}

static void stop(void *ctx, RnnJob *job) {
    Slot *w = find(ctx, job);
    if (!w || !job) return;
    SDL_LockMutex(w->control);
    w->stop = 1;
    SDL_CondSignal(w->wake);
    SDL_UnlockMutex(w->control);
    SDL_WaitThread(w->thread, NULL);
    slot_free(w);
}

void plat_jobs_wait(PlatJobs *jobs, RnnJob *job) {
    Slot *w = find(jobs, job);
    if (!w || !job) return;
    SDL_WaitThread(w->thread, NULL);
    slot_free(w);
}

PlatJobs *plat_jobs_new(void (*notify_fn)(void *), void *notify_ctx) {
    PlatJobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs) return NULL;
    jobs->notify = notify_fn, jobs->notify_ctx = notify_ctx;
    for (int i = 0; i < PLAT_MAX_JOBS; i++) jobs->slots[i].owner = jobs;
    return jobs;
}

void plat_jobs_free(PlatJobs *jobs) {
    if (!jobs) return;
    for (int i = 0; i < PLAT_MAX_JOBS; i++)
        if (jobs->slots[i].job) stop(jobs, jobs->slots[i].job);
    free(jobs);
}

int plat_jobs_run_slice(PlatJobs *jobs, double budget) {
    (void)jobs, (void)budget;
    return 0;
}

UiJobRunner plat_jobs_runner(PlatJobs *jobs) {
    return (UiJobRunner){start, pause, stop, jobs};
}
