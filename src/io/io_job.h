/* io_job.h - live training jobs from files: a job set up the way a model file's training
 * record says, and a trained job written back as a model file. */
#ifndef RNNSCOPE_IO_JOB_H
#define RNNSCOPE_IO_JOB_H

#include "io.h"
#include "rnn_job.h"

/* A job that trains data (taken, also on failure; already encoded for model) into model
 * (taken). The job frees the data with itself and names it in its training record. */
RnnJob *io_job_new(RnnModel *model, IoDataset *data, const RnnTrainConfig *config, int epochs,
                   int publish_every, RnnError *err);
/* A job that trains a fresh copy of like (same configuration and vocabulary, new random
 * weights from the recorded seed) the way model_path's training record says: the data, the
 * optimizer, the learning rate, the batch size and the epochs. */
RnnJob *io_job_from_record(const RnnModel *like, const char *model_path, int publish_every,
                           RnnError *err);
/* Writes the job's last published weights as a model file (atomically), with a training
 * record that says how far the run got. */
int io_job_save(RnnJob *job, const char *path, RnnError *err);

#endif
