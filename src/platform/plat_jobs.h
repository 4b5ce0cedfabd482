/* plat_jobs.h - live training, driven by the platform. Two runners share this interface:
 * plat_jobs.c gives each job a background thread of its own (SDL threads, low priority) and
 * wakes the window when a job publishes; plat_jobs_slices.c (a browser has one thread) runs
 * every job a slice at a time from the frame loop (plat_jobs_run_slice). */
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
/* Runs the jobs for up to budget seconds, one optimizer step at a time, and returns 1 while a
 * job is still running (the frame loop keeps calling). The thread runner returns 0 at once:
 * its threads need no slices. */
int plat_jobs_run_slice(PlatJobs *jobs, double budget);
/* The runner the screen uses to start, pause and stop jobs. */
UiJobRunner plat_jobs_runner(PlatJobs *jobs);

#endif
