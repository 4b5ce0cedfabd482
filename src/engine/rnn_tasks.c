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
