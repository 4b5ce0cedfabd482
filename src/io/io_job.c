/* io_job.c - live training jobs from files (io_job.h). */
#include "io_job.h"

#include <stdio.h>
#include <stdlib.h>

static void release_data(void *data) {
    io_data_free(data);
}

RnnJob *io_job_new(RnnModel *model, IoDataset *data, const RnnTrainConfig *config, int epochs,
                   int publish_every, RnnError *err) {
    RnnJob *job =
        rnn_job_new(model, data->examples, data->count, config, epochs, publish_every, err);
    if (!job || rnn_job_set_source(job, data->path, err)) {
        rnn_job_free(job);
        io_data_free(data);
        return NULL;
    }
    rnn_job_keep(job, data, release_data);
    return job;
}

RnnJob *io_job_from_record(const RnnModel *like, const char *model_path, int publish_every,
                           RnnError *err) {
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
    return io_job_new(model, data, &rec.config, rec.epochs, publish_every, err);
fail:
    rnn_model_free(file_model);
    rnn_model_free(model);
    io_data_free(data);
    free(extras);
    return NULL;
}

int io_job_save(RnnJob *job, const char *path, RnnError *err) {
    long long updates = rnn_job_snapshot(job);
    RnnModel *model = rnn_job_model(job);
    IoBuf rec = {0};
    IoTraining what = {{0}, *rnn_job_config(job), rnn_job_epochs(job)};
    snprintf(what.data, sizeof what.data, "%s", rnn_job_source(job) ? rnn_job_source(job) : "");
    io_training_write(&rec, &what, &(IoTrainingRun){.steps = updates, .live = 1});
    char *extras = rec.failed ? NULL : io_json_object_set(NULL, "training", rec.data, err);
    int rc = -1;
    if (rec.failed)
        rnn_error_set(err, "out of memory");
    else if (extras)
        rc = io_model_save(path, model, extras, err);
    free(extras);
    io_buf_free(&rec);
    return rc;
}
