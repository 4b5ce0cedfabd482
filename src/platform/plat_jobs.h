/* plat_jobs.h - live training on the desktop: each job runs in a background thread of its own
 * (SDL threads, low priority), and the window is woken when a job publishes. */
#ifndef RNNSCOPE_PLAT_JOBS_H
#define RNNSCOPE_PLAT_JOBS_H

#include "ui_compare.h"

typedef struct PlatJobs PlatJobs;

/* notify (may be NULL) is called from the worker threads, at most every 100 ms and whenever
 * a job publishes weights or changes state: it must be thread-safe (SDL_PushEvent is). */
PlatJobs *plat_jobs_new(void (*notify)(void *), void *notify_ctx);
/* Stops every job still running, then frees the runner (not the jobs). NULL is fine. */
void plat_jobs_free(PlatJobs *jobs);
/* Waits until job's run has ended by itself (finished or failed); nothing when it is not
 * running here. */
void plat_jobs_wait(PlatJobs *jobs, RnnJob *job);
/* The runner the screen uses to start, pause and stop jobs. */
UiJobRunner plat_jobs_runner(PlatJobs *jobs);

#endif
