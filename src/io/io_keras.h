/* io_keras.h - learners' own Keras models: the Keras 3 `.keras` zip (config.json,
 * metadata.json, model.weights.h5) and legacy HDF5 full-model files (`model.save("m.h5")`
 * from Keras 2.2 to 3), read from memory with libhdf5 and libzip, and a Keras text
 * tokenizer's `tokenizer.to_json()` file.
 *
 * A model is read into an rnnscope model (version 2 configuration, framework RNN_KERAS) with
 * its parameters in PyTorch's layout and gate order: kernels transposed, a GRU's z, r, h
 * blocks reordered to r, z, n, a single Keras bias as bias_ih with bias_hh zero. Sequential
 * models and Functional models that are one chain of layers are read; every other layer, a
 * branch or a custom class gets one message that names it and lists what rnnscope runs.
 * Nothing here prints or exits. */
#ifndef RNNSCOPE_IO_KERAS_H
#define RNNSCOPE_IO_KERAS_H

#include "rnn.h"

#include <stddef.h>

/* What the first bytes of a file say it is. */
typedef enum IoKerasKind {
    IO_KERAS_NONE, /* neither: an rnnscope model file, or something else */
    IO_KERAS_HDF5, /* "\x89HDF\r\n\x1a\n": a legacy full-model .h5 file */
    IO_KERAS_ZIP,  /* "PK\x03\x04": a Keras 3 .keras archive */
} IoKerasKind;
IoKerasKind io_keras_kind(const void *data, size_t len);

/* 1 when this rnnscope was built with libhdf5 and libzip (the desktop); 0 when Keras files
 * are refused with a message saying so (the browser build). */
int io_keras_supported(void);

/* What a read found besides the model, for `rnnscope import` to tell. */
typedef struct IoKerasInfo {
    IoKerasKind kind;
    char keras_version[32]; /* as the file records it ("2.11.0", "3.6.0"), "" if none */
    char model_class[32];   /* "Sequential" or "Functional" (Keras 2.2: "Model") */
    int ignored_layers;     /* Dropout and the like, which do nothing at inference */
    int has_vocab;          /* 1 once a tokenizer filled the vocabulary */
} IoKerasInfo;

/* Reads a Keras file's bytes (either kind). `source` names it in messages. On success *out
 * owns a new model named after the Keras model (or, when Keras named it "sequential",
 * "functional_1" and the like, after the file `source` names), with labels "0".."K-1" (a single
 * sigmoid output: "1"; a regression head: "y" or "y0".."y{K-1}"); an Embedding's rows have no words
 * (each vocab entry "": the model reads token ids) until io_keras_apply_tokenizer names
 * them. info may be NULL. The file is read in a child process (fork), so that libhdf5
 * failing on a damaged file (a crash, or more than 60 s) ends in a refusal too. */
int io_keras_parse(const void *data, size_t len, const char *source, RnnModel **out,
                   IoKerasInfo *info, RnnError *err);
int io_keras_load(const char *path, RnnModel **out, IoKerasInfo *info, RnnError *err);

/* ---- the tokenizer ------------------------------------------------------------------------ */

/* A Keras `Tokenizer` as `tokenizer.to_json()` writes it: {"class_name": "Tokenizer",
 * "config": {...}} whose word_index and index_word are JSON text inside strings. The file may
 * hold that object or (json.dumps of the string to_json returns) a string holding it. */
typedef struct IoKerasTokenizer {
    int num_words;   /* keep the num_words - 1 most frequent words; 0 = all (Keras's None) */
    int lower;       /* lowercase before splitting */
    int char_level;  /* every character is a token */
    char *filters;   /* characters removed before splitting ("" for none) */
    char *split;     /* the separator (" ") */
    char *oov_token; /* the word unknown words become, or NULL (they are dropped) */
    int max_index;   /* the largest index in word_index */
    char **words;    /* (max_index + 1) words[i] = the word with index i, NULL where none;
                        words[0] is always NULL (0 is padding) */
} IoKerasTokenizer;

int io_keras_tokenizer_parse(const char *text, size_t len, const char *source,
                             IoKerasTokenizer **out, RnnError *err);
int io_keras_tokenizer_load(const char *path, IoKerasTokenizer **out, RnnError *err);
void io_keras_tokenizer_free(IoKerasTokenizer *tok);

/* Names the model's embedding rows after the tokenizer: vocab[i] = the word with index i for
 * 0 < i < V (V = the Embedding's input_dim), "<pad>" for 0 (Keras's padding), "#i" where the
 * tokenizer has no word, or only one at or above num_words (texts_to_sequences never gives
 * those); a word that repeats a name already taken becomes "#i" too. The oov_token's row is
 * the model's unknown-word entry (unk_id); without one, unknown words have no row, as Keras
 * drops them. The model keeps the tokenizer's rule for sentences (text_rule: lower, filters,
 * split). Refused: char_level tokenizers, a split that is not one ASCII character, filters
 * beyond ASCII. Re-indexes the vocabulary. */
int io_keras_apply_tokenizer(RnnModel *model, const IoKerasTokenizer *tok, RnnError *err);

#endif
