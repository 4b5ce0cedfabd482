/* fuzz_keras_tokenizer.c - libFuzzer target for a Keras tokenizer's JSON
 * (io_keras_tokenizer_parse) and for naming a model's embedding rows with it
 * (io_keras_apply_tokenizer): words valid UTF-8 at their indices, vocabulary entries
 * non-empty and distinct, "<pad>" first. */
#include "io.h"
#include "io_keras.h"
#include "rnn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    IoKerasTokenizer *tok = NULL;
    RnnError err;
    if (io_keras_tokenizer_parse((const char *)data, size, "fuzz.json", &tok, &err) != 0) {
        if (tok) __builtin_trap();
        return 0;
    }
    if (!tok || tok->max_index < 0 || !tok->words || tok->words[0]) __builtin_trap();
    RnnConfig c = {0};
    c.input_size = 2;
    c.num_layers = 1;
    c.vocab_size = 1 + (size % 64);
    c.layers[0].cell = RNN_CELL_GRU;
    c.layers[0].hidden_size = 2;
    c.layers[0].activation = RNN_ACT_TANH;
    c.layers[0].recurrent_activation = RNN_ACT_SIGMOID;
    c.layers[0].reset_after = 1;
    c.framework = RNN_KERAS;
    RnnModel *m = rnn_model_new(&c, &err);
    if (!m) __builtin_trap();
    if (io_keras_apply_tokenizer(m, tok, &err) == 0) {
        if (strcmp(m->vocab[0], "<pad>") != 0) __builtin_trap();
        for (int i = 0; i < c.vocab_size; i++) {
            if (!m->vocab[i][0]) __builtin_trap();
            for (int j = 0; j < i; j++)
                if (strcmp(m->vocab[i], m->vocab[j]) == 0) __builtin_trap();
        }
    }
    rnn_model_free(m);
    io_keras_tokenizer_free(tok);
    return 0;
}
