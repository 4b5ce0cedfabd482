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
    SDL_mutex *control; /* pause, stop and pace */
    SDL_cond *wake;
    int pause, stop;
    double pace;     /* optimizer steps per second of training time; 0: as fast as possible */
    int pace_serial; /* a new pace: the worker counts its steps from then */
} Slot;

struct PlatJobs {
    Slot slots[PLAT_MAX_JOBS];
    void (*notify)(void *);
    void *notify_ctx;
};

/* The most a paced run falls behind its pace before it gives up catching up: a worker held
 * back longer (a loaded machine, a suspended laptop) goes on at the pace from where it is,
 * rather than rushing through the steps it missed. */
#define PLAT_PACE_MAX_LAG 0.25

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

/* The training thread: one optimizer step at a time, each when the pace says it is due (the
 * k-th step after a pace was set at training time s0 is due at s0 + k / pace). Training
 * time is the wall clock with the pauses left out, so a run at the default pace lasts its
 * 30 s on screen. */
static int worker(void *arg) {
    Slot *w = arg;
    Uint64 started = SDL_GetPerformanceCounter();
    double before_pause = 0;             /* training time before the last pause */
    long long taken = 0, base_taken = 0; /* steps taken, and when the pace was set */
    double base_seconds = 0;
    int serial = -1;
    Uint32 last_notify = 0;
    SDL_SetThreadPriority(SDL_THREAD_PRIORITY_LOW); /* the window comes first */
    for (;;) {
        SDL_LockMutex(w->control);
        double seconds = before_pause + seconds_since(started);
        if (w->pause && !w->stop) {
            before_pause = seconds;
            rnn_job_set_state(w->job, RNN_JOB_PAUSED);
            notify(w);
            while (w->pause && !w->stop) SDL_CondWait(w->wake, w->control);
            started = SDL_GetPerformanceCounter();
            seconds = before_pause;
            if (!w->stop) rnn_job_set_state(w->job, RNN_JOB_RUNNING);
        }
        if (w->pace_serial != serial) {
            serial = w->pace_serial;
            base_taken = taken, base_seconds = seconds;
        }
        if (w->pace > 0 && !w->stop) {
            double due = base_seconds + (double)(taken - base_taken) / w->pace;
            if (seconds < due) { /* wait, but wake for a pause, a stop or a new pace */
                double wait = due - seconds < 0.25 ? due - seconds : 0.25;
                SDL_CondWaitTimeout(w->wake, w->control, (Uint32)(wait * 1000) + 1);
                SDL_UnlockMutex(w->control);
                continue;
            }
            if (seconds - due > PLAT_PACE_MAX_LAG) base_taken = taken, base_seconds = seconds;
        }
        int stop = w->stop;
        SDL_UnlockMutex(w->control);
        if (stop) {
            rnn_job_set_state(w->job, RNN_JOB_STOPPED);
            break;
        }
        int published;
        int more = rnn_job_advance(w->job, 1, seconds, &published);
        taken++;
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

static int start(void *ctx, RnnJob *job, double updates_per_second, RnnError *err) {
    PlatJobs *jobs = ctx;
    if (find(jobs, job)) return rnn_error_set(err, "this training run has already started");
    Slot *w = find(jobs, NULL);
    if (!w) return rnn_error_set(err, "too many training runs at once");
    w->owner = jobs;
    w->job = job;
    w->pace = updates_per_second > 0 ? updates_per_second : 0;
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

static void set_pace(void *ctx, RnnJob *job, double updates_per_second) {
    Slot *w = find(ctx, job);
    if (!w || !job) return;
    SDL_LockMutex(w->control);
    w->pace = updates_per_second > 0 ? updates_per_second : 0;
    w->pace_serial++;
    SDL_CondSignal(w->wake);
    SDL_UnlockMutex(w->control);
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
    return (UiJobRunner){start, set_pace, pause, stop, jobs};
}
