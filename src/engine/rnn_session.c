/* rnn_session.c - a training run as a sequence of optimizer steps: epochs, shuffling and
 * batches around an RnnTrainer. `rnnscope train` and the window's live training both step
 * one of these, so the same seed gives the same weights whichever of them ran it. */
#include "rnn.h"

#include <stdlib.h>
#include <string.h>

RnnSession *rnn_session_new(RnnModel *model, const RnnTrainConfig *config,
                            const RnnExample *examples, int count, int epochs, RnnError *err) {
    if (count < 1 || epochs < 1) {
        rnn_error_set(err, "training needs at least one example and one epoch");
        return NULL;
    }
    int max_steps = 1;
    for (int i = 0; i < count; i++)
        if (examples[i].steps > max_steps) max_steps = examples[i].steps;
    RnnSession *s = calloc(1, sizeof *s);
    if (!s) {
        rnn_error_set(err, "out of memory");
        return NULL;
    }
    s->examples = examples, s->count = count, s->epochs = epochs;
    s->batch_size = config->batch_size;
    s->batches_per_epoch = (count + s->batch_size - 1) / s->batch_size;
    s->order = malloc((size_t)count * sizeof *s->order);
    s->batch = malloc((size_t)s->batch_size * sizeof *s->batch);
    if (!s->order || !s->batch) {
        rnn_error_set(err, "out of memory");
        rnn_session_free(s);
        return NULL;
    }
    if (!(s->trainer = rnn_trainer_new(model, config, max_steps, err))) {
        rnn_session_free(s);
        return NULL;
    }
    for (int i = 0; i < count; i++) s->order[i] = i;
    return s;
}

void rnn_session_free(RnnSession *s) {
    if (!s) return;
    rnn_trainer_free(s->trainer);
    free(s->order);
    free(s->batch);
    free(s);
}

long long rnn_session_total_steps(const RnnSession *s) {
    return (long long)s->epochs * s->batches_per_epoch;
}

int rnn_session_done(const RnnSession *s) {
    return s->epoch >= s->epochs;
}

static void stats_add(RnnStats *into, const RnnStats *batch) {
    into->loss_sum += batch->loss_sum;
    into->correct += batch->correct;
    into->count += batch->count;
    into->sequences += batch->sequences;
}

int rnn_session_step(RnnSession *s, RnnStats *stats, RnnError *err) {
    if (rnn_session_done(s)) return rnn_error_set(err, "the training run is finished");
    if (s->next == 0) { /* a new epoch: a new order, fresh counts */
        if (s->trainer->config.shuffle) rnn_shuffle(s->order, s->count, &s->trainer->rng);
        memset(&s->epoch_stats, 0, sizeof s->epoch_stats);
    }
    int size = s->count - s->next < s->batch_size ? s->count - s->next : s->batch_size;
    for (int k = 0; k < size; k++) s->batch[k] = &s->examples[s->order[s->next + k]];
    RnnStats batch_stats = {0};
    if (rnn_trainer_step(s->trainer, s->batch, size, &batch_stats, err)) return -1;
    stats_add(&s->epoch_stats, &batch_stats);
    if (stats) stats_add(stats, &batch_stats);
    s->next += size;
    s->epoch_ended = s->next >= s->count;
    if (s->epoch_ended) s->next = 0, s->epoch++;
    return 0;
}
