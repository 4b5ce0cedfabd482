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

int rnn_recall_measure(const RnnModel *m, int keys, int distance, int count, uint64_t *rng,
                       double *accuracy, double *ratios, int ratio_count, RnnError *err) {
    if (keys < 1 || keys > RNN_RECALL_MAX_KEYS || distance < 0 || count < 1 || ratio_count < 0)
        return rnn_error_set(err, "recall accuracy: keys 1..%d, distance >= 0, count >= 1",
                             RNN_RECALL_MAX_KEYS);
    if (!m->vocab || m->config.head != RNN_HEAD_MANY_TO_ONE)
        return rnn_error_set(err, "%s is not a recall model (words in, one label out)", m->name);
    int T = distance + 2, K = m->config.num_labels, correct = 0, rc = -1;
    const char **words = malloc((size_t)T * sizeof *words);
    int *ids = malloc((size_t)T * sizeof *ids);
    double *norms = ratio_count ? malloc((size_t)T * sizeof *norms) : NULL;
    RnnTrace *tr = rnn_trace_new(&m->config, T, err);
    RnnBackward *bw = tr && ratio_count ? rnn_backward_new(&m->config, T, err) : NULL;
    if (!tr || (ratio_count && !bw)) goto done;
    if (!words || !ids || (ratio_count && !norms)) {
        rnn_error_set(err, "out of memory");
        goto done;
    }
    for (int i = 0; i < count; i++) {
        int key = rnn_recall_sentence(keys, distance, rng, words);
        int label = rnn_model_label_index(m, rnn_recall_key(key));
        if (label < 0) {
            rnn_error_set(err, "%s has no label '%s'", m->name, rnn_recall_key(key));
            goto done;
        }
        for (int t = 0; t < T; t++) ids[t] = rnn_model_token_id(m, words[t]);
        if (rnn_model_forward(m, ids, NULL, tr, err)) goto done;
        int best = 0; /* the first of equal largest logits, as rnn_evaluate picks */
        for (int k = 1; k < K; k++)
            if (tr->logits[k] > tr->logits[best]) best = k;
        correct += best == label;
        if (i < ratio_count) {
            if (rnn_sensitivity(m, tr, bw, norms, err)) goto done;
            ratios[i] = norms[0] / norms[T - 1];
        }
    }
    *accuracy = (double)correct / count;
    rc = 0;
done:
    free(words);
    free(ids);
    free(norms);
    rnn_backward_free(bw);
    rnn_trace_free(tr);
    return rc;
}

int rnn_recall_accuracy(const RnnModel *m, int keys, int distance, int count, uint64_t seed,
                        double *accuracy, RnnError *err) {
    return rnn_recall_measure(m, keys, distance, count, &seed, accuracy, NULL, 0, err);
}
