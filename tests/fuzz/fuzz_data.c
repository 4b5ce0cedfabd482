/* fuzz_data.c - libFuzzer target for training data (io_data_parse, JSON Lines).
 *
 * Any input: 0 or -1 without a sanitizer report. Data that loads gives its distinct words
 * and labels (io_data_words, io_data_labels); then, as `rnnscope train --cell` does, a small
 * model is built with that vocabulary and those labels and the data is encoded for it
 * (io_data_encode): every id must name a vocabulary entry and every target a label. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include "rnn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Distinct, non-empty strings (checked pairwise for short lists only: it is quadratic). */
static void check_distinct(const char **s, int n) {
    for (int i = 0; i < n; i++)
        if (!s[i] || !s[i][0]) __builtin_trap();
    if (n > 256) return;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(s[i], s[j]) == 0) __builtin_trap();
}

/* The model `rnnscope train --cell rnn --hidden 1` would start from; NULL when the data
 * cannot make one (one label only, too many labels). */
static RnnModel *model_for(const IoDataset *d, const char **words, int nwords, const char **labels,
                           int nlabels) {
    RnnConfig c = {.cell = RNN_CELL_RNN, .input_size = 1, .hidden_size = 1, .num_layers = 1};
    RnnError err;
    int has_unk = 0;
    for (int i = 0; i < nwords; i++) has_unk |= strcmp(words[i], "<unk>") == 0;
    c.vocab_size = d->has_tokens ? nwords + !has_unk : 0;
    if (!d->has_tokens) c.input_size = d->vector_width;
    c.head = d->kind == IO_DATA_LABELS ? RNN_HEAD_MANY_TO_ONE
             : d->kind == IO_DATA_TAGS ? RNN_HEAD_MANY_TO_MANY
                                       : RNN_HEAD_REGRESSION;
    c.num_labels = c.head == RNN_HEAD_REGRESSION ? d->records[0].num_values : nlabels;
    RnnModel *m = rnn_model_new(&c, &err);
    if (!m) return NULL;
    int v = 0, bad = c.vocab_size && rnn_model_set_vocab(m, v++, "<unk>", &err);
    for (int i = 0; i < nwords && c.vocab_size && !bad; i++)
        if (strcmp(words[i], "<unk>") != 0) bad = rnn_model_set_vocab(m, v++, words[i], &err);
    for (int k = 0; k < c.num_labels && !bad; k++) {
        char output[32];
        snprintf(output, sizeof output, "target%d", k);
        bad = rnn_model_set_label(m, k, c.head == RNN_HEAD_REGRESSION ? output : labels[k], &err);
    }
    if (bad || rnn_model_index_vocab(m, &err)) __builtin_trap();
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    IoDataset *d = NULL;
    RnnError err;
    if (io_data_parse((const char *)data, size, "fuzz.jsonl", &d, &err) != 0) {
        if (d) __builtin_trap();
        return 0;
    }
    if (!d || d->count < 1 || !d->records || d->max_steps < 1) __builtin_trap();
    for (int i = 0; i < d->count; i++) {
        const IoRecord *r = &d->records[i];
        if (r->steps < 1 || r->steps > d->max_steps || (!r->tokens == !r->vectors))
            __builtin_trap();
        if ((r->label != NULL) + (r->tags != NULL) + (r->values != NULL) != 1) __builtin_trap();
    }

    const char **words = NULL, **labels = NULL;
    int nwords = -1, nlabels = -1;
    if (io_data_words(d, &words, &nwords, &err) || io_data_labels(d, &labels, &nlabels, &err))
        __builtin_trap(); /* only out of memory may fail */
    check_distinct(words, nwords);
    check_distinct(labels, nlabels);
    if ((nwords > 0) != (d->has_tokens != 0)) __builtin_trap();

    RnnModel *m = model_for(d, words, nwords, labels, nlabels);
    if (m) {
        if (io_data_encode(d, m, &err) != 0) __builtin_trap(); /* err.message says why */
        const RnnConfig *c = &m->config;
        for (int i = 0; i < d->count; i++) {
            const RnnExample *ex = &d->examples[i];
            if (ex->steps != d->records[i].steps) __builtin_trap();
            for (int t = 0; ex->token_ids && t < ex->steps; t++)
                if (ex->token_ids[t] < 0 || ex->token_ids[t] >= c->vocab_size) __builtin_trap();
            int n = c->head == RNN_HEAD_MANY_TO_ONE    ? 1
                    : c->head == RNN_HEAD_MANY_TO_MANY ? ex->steps
                                                       : 0;
            for (int t = 0; t < n; t++)
                if (ex->targets[t] < 0 || ex->targets[t] >= c->num_labels) __builtin_trap();
        }
        rnn_model_free(m);
    }
    free(words);
    free(labels);
    io_data_free(d);
    return 0;
}
