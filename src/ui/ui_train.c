/* ui_train.c - a training run in a background thread (SDL threads), watched by the window. */
#define _POSIX_C_SOURCE 200809L
#include "ui_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct UiTrainJob {
    /* the worker's own while it runs */
    RnnModel *model;
    RnnModel *shape; /* a copy the window may read (configuration, vocabulary) and save from */
    IoDataset *data;
    RnnSession *session;
    RnnTrainConfig config;
    int epochs, publish_every;
    void (*notify)(void *);
    void *notify_ctx;
    SDL_Thread *thread;
    /* shared: read and written under lock */
    SDL_mutex *lock;
    SDL_cond *wake;
    int stop_request, pause_request;
    UiTrainProgress progress;
    double *snapshot; /* (P) the last published weights */
    long long snapshot_step;
};

UiTrainJob *ui_train_new(RnnModel *model, IoDataset *data, const RnnTrainConfig *config, int epochs,
                         int publish_every, void (*notify)(void *), void *notify_ctx,
                         RnnError *err) {
    UiTrainJob *job = calloc(1, sizeof *job);
    if (!job) {
        rnn_model_free(model);
        io_data_free(data);
        rnn_error_set(err, "out of memory");
        return NULL;
    }
    job->model = model, job->data = data, job->config = *config, job->epochs = epochs;
    job->notify = notify, job->notify_ctx = notify_ctx;
    job->lock = SDL_CreateMutex();
    job->wake = SDL_CreateCond();
    job->snapshot = malloc(model->num_params * sizeof *job->snapshot);
    if (!(job->shape = rnn_model_copy(model, err))) {
        ui_train_free(job);
        return NULL;
    }
    if (!job->lock || !job->wake || !job->snapshot) {
        rnn_error_set(err, "cannot prepare training: %s",
                      job->snapshot ? SDL_GetError() : "out of memory");
        ui_train_free(job);
        return NULL;
    }
    job->session = rnn_session_new(model, config, data->examples, data->count, epochs, err);
    if (!job->session) {
        ui_train_free(job);
        return NULL;
    }
    memcpy(job->snapshot, model->params, model->num_params * sizeof *job->snapshot);
    long long total = rnn_session_total_steps(job->session);
    job->publish_every = publish_every > 0 ? publish_every : (int)((total + 19) / 20);
    UiTrainProgress *p = &job->progress;
    p->state = UI_TRAIN_PAUSED; /* until started */
    p->total_steps = total;
    p->steps_per_point = (int)((total + UI_TRAIN_MAX_POINTS - 1) / UI_TRAIN_MAX_POINTS);
    if (p->steps_per_point < 1) p->steps_per_point = 1;
    return job;
}

UiTrainJob *ui_train_from_record(const RnnModel *like, const char *model_path, int publish_every,
                                 void (*notify)(void *), void *notify_ctx, RnnError *err) {
    RnnModel *file_model = NULL, *model = NULL;
    char *extras = NULL;
    IoDataset *data = NULL;
    IoTraining rec;
    char data_path[4096];
    if (io_model_load(model_path, &file_model, &extras, err) ||
        io_training_parse(extras, model_path, &rec, err))
        goto fail;
    if (io_training_data_path(model_path, rec.data, data_path, sizeof data_path)) {
        rnn_error_set(err, "cannot find %s, the data %s was trained on", rec.data, model_path);
        goto fail;
    }
    if (!(model = rnn_model_copy(like, err))) goto fail;
    rnn_model_init_random(model, rec.config.seed ^ RNN_INIT_SALT);
    if (io_data_load(data_path, &data, err) || io_data_encode(data, model, err)) goto fail;
    rnn_model_free(file_model);
    free(extras);
    return ui_train_new(model, data, &rec.config, rec.epochs, publish_every, notify, notify_ctx,
                        err);
fail:
    rnn_model_free(file_model);
    rnn_model_free(model);
    io_data_free(data);
    free(extras);
    return NULL;
}

/* Copies the weights out for the window (lock held). */
static void publish(UiTrainJob *job) {
    memcpy(job->snapshot, job->model->params, job->model->num_params * sizeof *job->snapshot);
    job->snapshot_step = job->progress.steps;
}

static int worker(void *arg) {
    UiTrainJob *job = arg;
    UiTrainProgress *p = &job->progress;
    RnnStats window = {0}; /* the steps of the curve point being filled */
    RnnError err;
    Uint64 started = SDL_GetPerformanceCounter(), freq = SDL_GetPerformanceFrequency();
    Uint32 last_notify = 0;
    double before_pause = 0;
    SDL_SetThreadPriority(SDL_THREAD_PRIORITY_LOW); /* the window comes first */
    for (;;) {
        int notify = 0;
        SDL_LockMutex(job->lock);
        if (job->pause_request && !job->stop_request) {
            before_pause = p->seconds;
            p->state = UI_TRAIN_PAUSED;
            if (job->notify) job->notify(job->notify_ctx);
            while (job->pause_request && !job->stop_request) SDL_CondWait(job->wake, job->lock);
            started = SDL_GetPerformanceCounter();
            p->state = UI_TRAIN_RUNNING;
        }
        int stop = job->stop_request;
        SDL_UnlockMutex(job->lock);
        if (stop || rnn_session_done(job->session)) {
            SDL_LockMutex(job->lock);
            p->state =
                stop && !rnn_session_done(job->session) ? UI_TRAIN_STOPPED : UI_TRAIN_FINISHED;
            publish(job);
            SDL_UnlockMutex(job->lock);
            break;
        }
        int rc = rnn_session_step(job->session, &window, &err);
        double now = before_pause + (double)(SDL_GetPerformanceCounter() - started) / (double)freq;
        SDL_LockMutex(job->lock);
        if (rc) {
            p->state = UI_TRAIN_FAILED;
            snprintf(p->error, sizeof p->error, "%s", err.message);
            publish(job); /* the last good weights: a failed step changes nothing */
            SDL_UnlockMutex(job->lock);
            break;
        }
        p->steps++;
        p->seconds = now;
        p->epoch = job->session->epoch_stats;
        int done = rnn_session_done(job->session);
        if ((p->steps % p->steps_per_point == 0 || done) && p->points < UI_TRAIN_MAX_POINTS &&
            window.count > 0) {
            int regression = job->model->config.head == RNN_HEAD_REGRESSION;
            p->loss[p->points] = window.loss_sum / (double)window.count;
            p->accuracy[p->points] = regression ? NAN : (double)window.correct / window.count;
            p->points++;
            memset(&window, 0, sizeof window);
        }
        if (p->steps % job->publish_every == 0 || done) {
            publish(job);
            notify = 1;
        }
        SDL_UnlockMutex(job->lock);
        Uint32 ticks = SDL_GetTicks();
        if (job->notify && (notify || ticks - last_notify >= 100)) {
            job->notify(job->notify_ctx);
            last_notify = ticks;
        }
    }
    if (job->notify) job->notify(job->notify_ctx);
    return 0;
}

void ui_train_set_notify(UiTrainJob *job, void (*notify)(void *), void *notify_ctx) {
    job->notify = notify, job->notify_ctx = notify_ctx;
}

int ui_train_start(UiTrainJob *job, RnnError *err) {
    if (job->thread) return rnn_error_set(err, "this training run has already started");
    job->progress.state = UI_TRAIN_RUNNING;
    job->thread = SDL_CreateThread(worker, "rnnscope-train", job);
    if (!job->thread) {
        job->progress.state = UI_TRAIN_FAILED;
        return rnn_error_set(err, "cannot start training: %s", SDL_GetError());
    }
    return 0;
}

void ui_train_pause(UiTrainJob *job, int paused) {
    SDL_LockMutex(job->lock);
    job->pause_request = paused;
    SDL_CondSignal(job->wake);
    SDL_UnlockMutex(job->lock);
}

void ui_train_stop(UiTrainJob *job) {
    if (!job || !job->thread) return;
    SDL_LockMutex(job->lock);
    job->stop_request = 1;
    SDL_CondSignal(job->wake);
    SDL_UnlockMutex(job->lock);
    SDL_WaitThread(job->thread, NULL);
    job->thread = NULL;
}

void ui_train_wait(UiTrainJob *job) {
    if (!job || !job->thread) return;
    SDL_WaitThread(job->thread, NULL);
    job->thread = NULL;
}

void ui_train_free(UiTrainJob *job) {
    if (!job) return;
    ui_train_stop(job);
    rnn_session_free(job->session);
    rnn_model_free(job->model);
    rnn_model_free(job->shape);
    io_data_free(job->data);
    free(job->snapshot);
    if (job->wake) SDL_DestroyCond(job->wake);
    if (job->lock) SDL_DestroyMutex(job->lock);
    free(job);
}

void ui_train_progress(UiTrainJob *job, UiTrainProgress *out) {
    SDL_LockMutex(job->lock);
    *out = job->progress;
    SDL_UnlockMutex(job->lock);
}

int ui_train_fetch(UiTrainJob *job, double *params, long long *step) {
    int copied = 0;
    SDL_LockMutex(job->lock);
    if (job->snapshot_step != *step) {
        memcpy(params, job->snapshot, job->model->num_params * sizeof *params);
        *step = job->snapshot_step;
        copied = 1;
    }
    SDL_UnlockMutex(job->lock);
    return copied;
}

const RnnModel *ui_train_model(const UiTrainJob *job) {
    return job->shape;
}

const IoDataset *ui_train_data(const UiTrainJob *job) {
    return job->data;
}

int ui_train_save(UiTrainJob *job, const char *path, RnnError *err) {
    RnnModel *copy = job->shape; /* the window's own copy: the worker never touches it */
    long long step;
    SDL_LockMutex(job->lock);
    memcpy(copy->params, job->snapshot, copy->num_params * sizeof *copy->params);
    step = job->snapshot_step;
    SDL_UnlockMutex(job->lock);
    IoBuf rec = {0};
    IoTraining what = {{0}, job->config, job->epochs};
    snprintf(what.data, sizeof what.data, "%s", job->data->path ? job->data->path : "");
    io_training_write(&rec, &what, &(IoTrainingRun){.steps = step, .live = 1});
    char *extras = rec.failed ? NULL : io_json_object_set(NULL, "training", rec.data, err);
    int rc = -1;
    if (rec.failed)
        rnn_error_set(err, "out of memory");
    else if (extras)
        rc = io_model_save(path, copy, extras, err);
    free(extras);
    io_buf_free(&rec);
    return rc;
}
