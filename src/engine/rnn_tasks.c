/* rnn_tasks.c - generated tasks for experiments on memory.
 *
 * recall: the long-term dependency task of the lessons. A sentence opens with a key word,
 * then d filler words, then "?"; the answer is the key. Nothing between the key and the
 * question helps: the model must carry the first word across d steps.
 *
 * adding: the adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015). Each step
 * reads (value in [0, 1), marker in {0, 1}); exactly two steps are marked, one in each half
 * of the sequence, and the target is the sum of the two marked values. */
#include "rnn.h"

#include <stdlib.h>
#include <string.h>

static const char *const recall_keys[RNN_RECALL_MAX_KEYS] = {
    "apple", "river", "violin", "tiger", "candle", "rocket", "garden", "silver"};
static const char *const recall_fillers[RNN_RECALL_FILLERS] = {
    "the", "a", "and", "then", "so", "very", "it", "was", "just", "some", "of", "on"};

const char *rnn_recall_key(int k) {
    return k >= 0 && k < RNN_RECALL_MAX_KEYS ? recall_keys[k] : NULL;
}

const char *rnn_recall_filler(int k) {
    return k >= 0 && k < RNN_RECALL_FILLERS ? recall_fillers[k] : NULL;
}

int rnn_recall_sentence(int keys, int distance, uint64_t *rng, const char **words) {
    int key = rnn_rng_below(rng, keys);
    words[0] = recall_keys[key];
    for (int t = 1; t <= distance; t++)
        words[t] = recall_fillers[rnn_rng_below(rng, RNN_RECALL_FILLERS)];
    words[distance + 1] = "?";
    return key;
}

double rnn_adding_sequence(int steps, uint64_t *rng, double *inputs) {
    /* one marker in each half, so the two marked values are steps/2 apart on average */
    int half = steps / 2 > 0 ? steps / 2 : 1;
    int first = rnn_rng_below(rng, half);
    int second = steps > 1 ? half + rnn_rng_below(rng, steps - half) : first;
    double target = 0;
    for (int t = 0; t < steps; t++) {
        inputs[2 * t] = rnn_rng_uniform(rng);
        inputs[2 * t + 1] = (t == first || t == second) ? 1.0 : 0.0;
        if (t == first || t == second) target += inputs[2 * t];
    }
    return target;
}

int rnn_recall_accuracy(const RnnModel *m, int keys, int distance, int count, uint64_t seed,
                        double *accuracy, RnnError *err) {
    if (keys < 1 || keys > RNN_RECALL_MAX_KEYS || distance < 0 || count < 1)
        return rnn_error_set(err, "recall accuracy: keys 1..%d, distance >= 0, count >= 1",
                             RNN_RECALL_MAX_KEYS);
    if (!m->vocab || m->config.head != RNN_HEAD_MANY_TO_ONE)
        return rnn_error_set(err, "%s is not a recall model (words in, one label out)", m->name);
    int T = distance + 2, correct = 0, rc = -1;
    const char **words = malloc((size_t)T * sizeof *words);
    int *ids = malloc((size_t)T * sizeof *ids);
    if (!words || !ids) {
        rnn_error_set(err, "out of memory");
        goto done;
    }
    for (int i = 0; i < count; i++) {
        int key = rnn_recall_sentence(keys, distance, &seed, words), label = -1;
        for (int t = 0; t < T; t++) ids[t] = rnn_model_token_id(m, words[t]);
        for (int k = 0; k < m->config.num_labels; k++)
            if (!strcmp(m->labels[k], rnn_recall_key(key))) label = k;
        if (label < 0) {
            rnn_error_set(err, "%s has no label '%s'", m->name, rnn_recall_key(key));
            goto done;
        }
        RnnExample ex = {T, ids, NULL, &label, NULL};
        RnnStats s;
        if (rnn_evaluate(m, &ex, 1, &s, NULL, err)) goto done;
        correct += (int)s.correct;
    }
    *accuracy = (double)correct / count;
    rc = 0;
done:
    free(words);
    free(ids);
    return rc;
}
