/* ui_train.h - live training: a training run in a background thread that the window watches.
 *
 * The worker steps an RnnSession (the same code as `rnnscope train`, so the same seed gives
 * the same weights) and, under a lock, publishes what the window shows: a copy of the
 * weights every few hundred steps, and loss and accuracy points for the curves. The window
 * never waits for the worker; it copies whatever was published last. */
#ifndef RNNSCOPE_UI_TRAIN_H
#define RNNSCOPE_UI_TRAIN_H

#include "io.h"
#include "rnn.h"

#include <SDL.h>

#define UI_TRAIN_MAX_POINTS 512

typedef enum UiTrainState {
    UI_TRAIN_RUNNING,
    UI_TRAIN_PAUSED,
    UI_TRAIN_FINISHED,
    UI_TRAIN_STOPPED,
    UI_TRAIN_FAILED,
} UiTrainState;

/* What the window reads, copied out under the lock. */
typedef struct UiTrainProgress {
    UiTrainState state;
    long long steps, total_steps;
    double seconds; /* training time so far (pauses excluded) */
    int points;     /* curve points so far */
    int steps_per_point;
    double loss[UI_TRAIN_MAX_POINTS];     /* mean batch loss over each point's steps */
    double accuracy[UI_TRAIN_MAX_POINTS]; /* and accuracy (NaN for regression) */
    RnnStats epoch;                       /* counts of the current (or last) epoch */
    char error[RNN_ERROR_SIZE];
} UiTrainProgress;

typedef struct UiTrainJob UiTrainJob;

/* A job that trains model (taken) on data (taken, already encoded for model) with config
 * for epochs; publish_every: steps between weight snapshots (0: about 20 over the run).
 * notify (may be NULL) is called from the worker, at most every 100 ms and whenever the
 * weights or the state change: the window uses it to wake up (SDL_PushEvent is thread-safe). */
UiTrainJob *ui_train_new(RnnModel *model, IoDataset *data, const RnnTrainConfig *config, int epochs,
                         int publish_every, void (*notify)(void *), void *notify_ctx,
                         RnnError *err);
/* A job that trains a fresh copy of like (same configuration and vocabulary, new random
 * weights from the recorded seed) the way its file's training record says: the data, the
 * optimizer, the learning rate, the batch size and the epochs. */
UiTrainJob *ui_train_from_record(const RnnModel *like, const char *model_path, int publish_every,
                                 void (*notify)(void *), void *notify_ctx, RnnError *err);
/* Who to wake when something is published (before ui_train_start). */
void ui_train_set_notify(UiTrainJob *job, void (*notify)(void *), void *notify_ctx);
int ui_train_start(UiTrainJob *job, RnnError *err);
void ui_train_pause(UiTrainJob *job, int paused);
/* Asks the worker to stop after its current step and waits for it. */
void ui_train_stop(UiTrainJob *job);
/* Waits until the run has ended by itself (finished or failed). */
void ui_train_wait(UiTrainJob *job);
void ui_train_free(UiTrainJob *job); /* stops first; NULL is fine */

void ui_train_progress(UiTrainJob *job, UiTrainProgress *out);
/* Copies the last published weights into params (num_params doubles) when they are newer
 * than *step, updating *step; returns 1 when it copied. */
int ui_train_fetch(UiTrainJob *job, double *params, long long *step);
/* The model being trained: a copy for the window, with its configuration, vocabulary and
 * labels (its weights are the first ones, or the last saved; ui_train_fetch has the latest). */
const RnnModel *ui_train_model(const UiTrainJob *job);
/* The data it trains on. */
const IoDataset *ui_train_data(const UiTrainJob *job);
/* Writes the last published weights as a model file (atomically, with a training record). */
int ui_train_save(UiTrainJob *job, const char *path, RnnError *err);

#endif
