/* fuzz_model.c - libFuzzer target for the model file reader (io_model_parse).
 *
 * Any input: the parser must return 0 or -1 without a sanitizer report. A model that loads
 * must also write (io_model_to_json) and read back to the same model: configuration, name,
 * vocabulary, labels and extra keys equal, parameters equal bit for bit. A difference traps. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include "rnn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_strings(char *const *a, char *const *b, int n) {
    for (int i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0) return 0;
    return 1;
}

static int same_config(const RnnConfig *a, const RnnConfig *b) {
    return a->cell == b->cell && a->nonlinearity == b->nonlinearity &&
           a->input_size == b->input_size && a->hidden_size == b->hidden_size &&
           a->num_layers == b->num_layers && a->bidirectional == b->bidirectional &&
           a->vocab_size == b->vocab_size && a->head == b->head && a->num_labels == b->num_labels;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    RnnModel *model = NULL, *again = NULL;
    char *extras = NULL, *extras_again = NULL;
    RnnError err;
    if (io_model_parse((const char *)data, size, "fuzz.json", &model, &extras, &err) != 0) {
        if (model || extras) __builtin_trap(); /* a failed parse hands nothing out */
        return 0;
    }
    if (!model || !extras || !model->name) __builtin_trap();

    char *json = io_model_to_json(model, extras, &err);
    if (!json) __builtin_trap(); /* every loaded model can be written */
    if (io_model_parse(json, strlen(json), "again.json", &again, &extras_again, &err) != 0)
        __builtin_trap(); /* ... and read back: err.message says why */

    const RnnConfig *c = &model->config;
    if (!same_config(c, &again->config)) __builtin_trap();
    if (model->num_params != again->num_params) __builtin_trap();
    if (model->num_params &&
        memcmp(model->params, again->params, model->num_params * sizeof *model->params) != 0)
        __builtin_trap();
    if (strcmp(model->name, again->name) != 0) __builtin_trap();
    if (!same_strings(model->vocab, again->vocab, c->vocab_size)) __builtin_trap();
    if (!same_strings(model->labels, again->labels, c->num_labels)) __builtin_trap();
    if (model->unk_id != again->unk_id) __builtin_trap();
    if (strcmp(extras, extras_again) != 0) __builtin_trap();

    free(json);
    free(extras_again);
    rnn_model_free(again);
    free(extras);
    rnn_model_free(model);
    return 0;
}
