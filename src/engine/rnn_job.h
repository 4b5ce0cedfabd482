/* rnn_job.h - a training run that something else drives: live training in the window.
 *
 * A job steps an RnnSession (the same code as `rnnscope train`, so the same seed gives the
 * same weights) and publishes what a viewer shows: a copy of the weights every few hundred
 * optimizer steps, and loss and accuracy points for the curves. It owns no thread and reads
 * no clock: whoever drives it (a thread on the desktop, slices of the frame loop in a
 * browser) calls rnn_job_advance and passes the training time so far.
 *
 * Two sides: the driver calls rnn_job_advance and rnn_job_finish; viewers call
 * rnn_job_progress, rnn_job_fetch and rnn_job_snapshot. When the two sides run on different
 * threads the driver installs a lock (rnn_job_set_lock) that both sides then take around
 * the published part; the engine itself never blocks. */
#ifndef RNNSCOPE_RNN_JOB_H
#define RNNSCOPE_RNN_JOB_H

#include "rnn.h"

#define RNN_JOB_MAX_POINTS 512
/* The published weights kept for looking back: at most this many sets, and at most this many
 * bytes (a large model keeps fewer, never fewer than the first and the last). */
#define RNN_JOB_MAX_SNAPSHOTS  64
#define RNN_JOB_SNAPSHOT_BYTES (64.0 * 1024 * 1024)

typedef enum RnnJobState {
    RNN_JOB_RUNNING,
    RNN_JOB_PAUSED,
    RNN_JOB_FINISHED,
    RNN_JOB_STOPPED,
    RNN_JOB_FAILED,
} RnnJobState;

/* What a viewer reads, copied out under the lock. */
typedef struct RnnJobProgress {
    RnnJobState state;
    long long updates, total_updates; /* optimizer steps taken, and in the whole run */
    double seconds;                   /* training time so far (pauses excluded) */
    int points;                       /* curve points so far */
    int updates_per_point;
    double loss[RNN_JOB_MAX_POINTS];     /* mean batch loss over each point's updates */
    double accuracy[RNN_JOB_MAX_POINTS]; /* and accuracy (NaN for regression) */
    RnnStats epoch;                      /* counts of the current (or last) epoch */
    char error[RNN_ERROR_SIZE];
} RnnJobProgress;

typedef struct RnnJob RnnJob;

/* A job that trains model (taken, also on failure) on count examples (borrowed: they must
 * outlive the job, see rnn_job_keep) with config for epochs. publish_every: optimizer steps
 * between weight snapshots (0: about 60 over the run). The job starts PAUSED. */
RnnJob *rnn_job_new(RnnModel *model, const RnnExample *examples, int count,
                    const RnnTrainConfig *config, int epochs, int publish_every, RnnError *err);
/* Frees what rnn_job_keep handed over too. NULL is fine. The driver must have stopped. */
void rnn_job_free(RnnJob *job);
/* Hands the job something to free with it (the data its examples point into). */
void rnn_job_keep(RnnJob *job, void *owned, void (*release)(void *));
/* Where the data came from, for the training record (copied; may be NULL). */
int rnn_job_set_source(RnnJob *job, const char *data_path, RnnError *err);
const char *rnn_job_source(const RnnJob *job);
void rnn_job_set_lock(RnnJob *job, void (*lock)(void *), void (*unlock)(void *), void *ctx);

/* ---- the driver's side -------------------------------------------------------------------- */

/* Takes up to max_updates optimizer steps (stopping early when the run ends or fails) and
 * records seconds as the training time so far. Returns 1 while the run has steps left, 0
 * when it has finished or failed. *published (may be NULL) is set when new weights or a new
 * state were published: the moment to wake a viewer. */
int rnn_job_advance(RnnJob *job, int max_updates, double seconds, int *published);
/* Publishes a state the driver decided: RNN_JOB_RUNNING, RNN_JOB_PAUSED or RNN_JOB_STOPPED
 * (STOPPED becomes FINISHED when no step was left). Also publishes the weights. A run that
 * has ended (finished, stopped or failed) keeps its state. */
void rnn_job_set_state(RnnJob *job, RnnJobState state);

/* ---- a viewer's side ------------------------------------------------------------------------ */

void rnn_job_progress(RnnJob *job, RnnJobProgress *out);
/* Copies the last published weights into params (num_params doubles) when they are newer
 * than *updates, updating *updates; returns 1 when it copied. */
int rnn_job_fetch(RnnJob *job, double *params, long long *updates);
/* The model being trained, for viewers: its configuration, vocabulary and labels, and, after
 * rnn_job_snapshot, the last published weights. The driver never touches it. */
RnnModel *rnn_job_model(RnnJob *job);
/* Copies the last published weights into rnn_job_model's model; returns the optimizer step
 * they were published at. */
long long rnn_job_snapshot(RnnJob *job);
/* The history of published weights, for a viewer that looks back (a scrub bar). It keeps
 * the first weights (step 0), then those published on a grid of optimizer steps (every
 * publish_every at first; when the history is full every other one is dropped and the grid
 * doubles, so it spans the whole run evenly), and always, last, the latest published.
 * Fills updates (up to max entries, oldest first) with the steps of the kept snapshots and
 * returns how many are kept. */
int rnn_job_history(RnnJob *job, long long *updates, int max);
/* Copies the kept snapshot whose step is nearest to updates (the earlier on a tie) into
 * params (num_params doubles); returns its step. Bit for bit the weights published then. */
long long rnn_job_history_fetch(RnnJob *job, long long updates, double *params);
const RnnTrainConfig *rnn_job_config(const RnnJob *job);
int rnn_job_epochs(const RnnJob *job);

#endif
