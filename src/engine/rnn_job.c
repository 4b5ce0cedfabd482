/* rnn_job.c - a training run stepped by a driver and watched by viewers (rnn_job.h). */
#define _POSIX_C_SOURCE 200809L
#include "rnn_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct RnnJob {
    /* the driver's own */
    RnnModel *model;
    RnnSession *session;
    RnnTrainConfig config;
    int epochs, publish_every;
    RnnStats window;        /* the updates of the curve point being filled */
    RnnJobProgress working; /* the driver's progress, copied out when published */
    /* the viewers' own */
    RnnModel *shape; /* a copy with the configuration, vocabulary and labels */
    /* published: read and written under the lock */
    RnnJobProgress progress;
    double *snapshot; /* (P) the last published weights */
    long long snapshot_updates;
    /* the history: kept[0..kept_count) (each (P)) published at kept_updates[]; the buffers
     * past kept_count are spare ones, for reuse */
    double *kept[RNN_JOB_MAX_SNAPSHOTS];
    long long kept_updates[RNN_JOB_MAX_SNAPSHOTS];
    int kept_count, kept_max;
    long long kept_grid; /* the optimizer steps between kept snapshots (but the last) */
    /* set once */
    void (*lock)(void *), (*unlock)(void *);
    void *lock_ctx;
    void *owned;
    void (*release)(void *);
    char *source;
};

static void lock(RnnJob *job) {
    if (job->lock) job->lock(job->lock_ctx);
}

static void unlock(RnnJob *job) {
    if (job->unlock) job->unlock(job->lock_ctx);
}

RnnJob *rnn_job_new(RnnModel *model, const RnnExample *examples, int count,
                    const RnnTrainConfig *config, int epochs, int publish_every, RnnError *err) {
    RnnJob *job = calloc(1, sizeof *job);
    if (!job) {
        rnn_model_free(model);
        rnn_error_set(err, "out of memory");
        return NULL;
    }
    job->model = model, job->config = *config, job->epochs = epochs;
    job->snapshot = malloc(model->num_params * sizeof *job->snapshot);
    if (!job->snapshot) {
        rnn_error_set(err, "out of memory");
        rnn_job_free(job);
        return NULL;
    }
    if (!(job->shape = rnn_model_copy(model, err)) ||
        !(job->session = rnn_session_new(model, config, examples, count, epochs, err))) {
        rnn_job_free(job);
        return NULL;
    }
    memcpy(job->snapshot, model->params, model->num_params * sizeof *job->snapshot);
    long long total = rnn_session_total_steps(job->session);
    job->publish_every = publish_every > 0 ? publish_every : (int)((total + 59) / 60);
    if (job->publish_every < 1) job->publish_every = 1;
    double fit = RNN_JOB_SNAPSHOT_BYTES / ((double)model->num_params * sizeof(double));
    job->kept_max = fit >= RNN_JOB_MAX_SNAPSHOTS ? RNN_JOB_MAX_SNAPSHOTS : fit < 2 ? 2 : (int)fit;
    job->kept_grid = job->publish_every;
    if (!(job->kept[0] = malloc(model->num_params * sizeof *job->kept[0]))) {
        rnn_error_set(err, "out of memory");
        rnn_job_free(job);
        return NULL;
    }
    memcpy(job->kept[0], model->params, model->num_params * sizeof *job->kept[0]);
    job->kept_count = 1; /* step 0: the fresh weights */
    RnnJobProgress *p = &job->working;
    p->state = RNN_JOB_PAUSED; /* until a driver starts it */
    p->total_updates = total;
    p->updates_per_point = (int)((total + RNN_JOB_MAX_POINTS - 1) / RNN_JOB_MAX_POINTS);
    if (p->updates_per_point < 1) p->updates_per_point = 1;
    job->progress = *p;
    return job;
}

void rnn_job_free(RnnJob *job) {
    if (!job) return;
    rnn_session_free(job->session);
    rnn_model_free(job->model);
    rnn_model_free(job->shape);
    free(job->snapshot);
    for (int k = 0; k < RNN_JOB_MAX_SNAPSHOTS; k++) free(job->kept[k]);
    free(job->source);
    if (job->release) job->release(job->owned);
    free(job);
}

void rnn_job_keep(RnnJob *job, void *owned, void (*release)(void *)) {
    job->owned = owned, job->release = release;
}

int rnn_job_set_source(RnnJob *job, const char *data_path, RnnError *err) {
    char *copy = data_path ? strdup(data_path) : NULL;
    if (data_path && !copy) return rnn_error_set(err, "out of memory");
    free(job->source);
    job->source = copy;
    return 0;
}

const char *rnn_job_source(const RnnJob *job) {
    return job->source;
}

void rnn_job_set_lock(RnnJob *job, void (*lock_fn)(void *), void (*unlock_fn)(void *), void *ctx) {
    job->lock = lock_fn, job->unlock = unlock_fn, job->lock_ctx = ctx;
}

/* Adds the weights just published (job->snapshot, at step updates) to the history; under
 * the lock. The last entry is the latest published: one off the grid (a pause, the end) is
 * replaced by the next. A full history drops every other entry and doubles the grid. */
static void keep(RnnJob *job, long long updates) {
    size_t bytes = job->model->num_params * sizeof(double);
    int n = job->kept_count;
    if (job->kept_updates[n - 1] == updates) return; /* the same weights (a state change) */
    if (n > 1 && job->kept_updates[n - 1] % job->kept_grid != 0) n--;
    while (n >= job->kept_max) {
        long long grid = 2 * job->kept_grid;
        int w = 0;
        for (int r = 0; r < n; r++) {
            if (job->kept_updates[r] % grid != 0) continue;
            double *spare = job->kept[w]; /* swapped, so that no buffer is lost */
            job->kept[w] = job->kept[r], job->kept[r] = spare;
            job->kept_updates[w++] = job->kept_updates[r];
        }
        n = w;
        job->kept_grid = grid;
    }
    if (!job->kept[n] && !(job->kept[n] = malloc(bytes))) {
        job->kept_count = n; /* out of memory: the history stops short of the latest */
        return;
    }
    memcpy(job->kept[n], job->snapshot, bytes);
    job->kept_updates[n] = updates;
    job->kept_count = n + 1;
}

/* Copies the driver's progress, and the weights when asked, to the viewers' side. */
static void publish(RnnJob *job, int weights) {
    lock(job);
    job->progress = job->working;
    if (weights) {
        memcpy(job->snapshot, job->model->params, job->model->num_params * sizeof *job->snapshot);
        job->snapshot_updates = job->working.updates;
        keep(job, job->snapshot_updates);
    }
    unlock(job);
}

void rnn_job_set_state(RnnJob *job, RnnJobState state) {
    RnnJobState now = job->working.state;
    if (now == RNN_JOB_FINISHED || now == RNN_JOB_FAILED || now == RNN_JOB_STOPPED) return;
    if (state == RNN_JOB_STOPPED && rnn_session_done(job->session)) state = RNN_JOB_FINISHED;
    job->working.state = state;
    publish(job, 1);
}

int rnn_job_advance(RnnJob *job, int max_updates, double seconds, int *published) {
    RnnJobProgress *p = &job->working;
    if (published) *published = 0;
    for (int k = 0; k < max_updates; k++) {
        if (p->state == RNN_JOB_FAILED) return 0;
        if (rnn_session_done(job->session)) {
            rnn_job_set_state(job, RNN_JOB_FINISHED);
            if (published) *published = 1;
            return 0;
        }
        RnnError err;
        if (rnn_session_step(job->session, &job->window, &err)) {
            p->state = RNN_JOB_FAILED;
            snprintf(p->error, sizeof p->error, "%s", err.message);
            publish(job, 1); /* the last good weights: a failed step changes nothing */
            if (published) *published = 1;
            return 0;
        }
        p->updates++;
        p->seconds = seconds;
        p->epoch = job->session->epoch_stats;
        int done = rnn_session_done(job->session);
        if ((p->updates % p->updates_per_point == 0 || done) && p->points < RNN_JOB_MAX_POINTS &&
            job->window.count > 0) {
            int regression = job->model->config.head == RNN_HEAD_REGRESSION;
            p->loss[p->points] = job->window.loss_sum / (double)job->window.count;
            p->accuracy[p->points] =
                regression ? NAN : (double)job->window.correct / (double)job->window.count;
            p->points++;
            memset(&job->window, 0, sizeof job->window);
        }
        if (done) p->state = RNN_JOB_FINISHED;
        int weights = p->updates % job->publish_every == 0 || done;
        publish(job, weights);
        if (weights && published) *published = 1;
        if (done) return 0;
    }
    return 1;
}

void rnn_job_progress(RnnJob *job, RnnJobProgress *out) {
    lock(job);
    *out = job->progress;
    unlock(job);
}

int rnn_job_fetch(RnnJob *job, double *params, long long *updates) {
    int copied = 0;
    lock(job);
    if (job->snapshot_updates != *updates) {
        memcpy(params, job->snapshot, job->shape->num_params * sizeof *params);
        *updates = job->snapshot_updates;
        copied = 1;
    }
    unlock(job);
    return copied;
}

RnnModel *rnn_job_model(RnnJob *job) {
    return job->shape;
}

long long rnn_job_snapshot(RnnJob *job) {
    lock(job);
    memcpy(job->shape->params, job->snapshot, job->shape->num_params * sizeof *job->snapshot);
    long long updates = job->snapshot_updates;
    unlock(job);
    return updates;
}

int rnn_job_history(RnnJob *job, long long *updates, int max) {
    lock(job);
    int n = job->kept_count;
    for (int k = 0; k < n && k < max; k++) updates[k] = job->kept_updates[k];
    unlock(job);
    return n;
}

long long rnn_job_history_fetch(RnnJob *job, long long updates, double *params) {
    lock(job);
    int best = 0;
    for (int k = 1; k < job->kept_count; k++) {
        long long d = job->kept_updates[k] - updates, b = job->kept_updates[best] - updates;
        if ((d < 0 ? -d : d) < (b < 0 ? -b : b)) best = k;
    }
    memcpy(params, job->kept[best], job->shape->num_params * sizeof *params);
    long long at = job->kept_updates[best];
    unlock(job);
    return at;
}

const RnnTrainConfig *rnn_job_config(const RnnJob *job) {
    return &job->config;
}

int rnn_job_epochs(const RnnJob *job) {
    return job->epochs;
}
