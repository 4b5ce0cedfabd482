/* io_keras.c - Keras models and tokenizers (io_keras.h).
 *
 * A Keras file is read in three steps, each checked before the next:
 *   1. the model's configuration (JSON: config.json in a .keras zip, the model_config
 *      attribute of a legacy .h5) becomes a chain of layers, each checked for what rnnscope
 *      can run;
 *   2. every weight the chain needs is found in the HDF5 file (model.weights.h5's
 *      layers/<class>/[cell/]vars/N, or a legacy file's model_weights/<layer>/<weight_names>)
 *      and its shape checked against the configuration, before anything of its size is
 *      allocated;
 *   3. an rnnscope model of that configuration is made and the weights are copied into it
 *      in PyTorch's layout.
 * HDF5 and zip files are read from memory (a file image, a zip source over the buffer), so
 * the same code serves files, the fuzzers and tests. HDF5's error stack is never printed.
 * libhdf5 1.10 does not survive every damaged file: the reading happens in a child process
 * (io_keras_parse, at the end), and global heap collections, on which libhdf5 can loop for
 * ever, are checked before it opens a file (h5_heaps_sane).
 *
 * The tokenizer and the magic-byte test need only cJSON and are always built; without
 * libhdf5 and libzip (the browser build) io_keras_parse refuses with a message. */
#define _POSIX_C_SOURCE 200809L
#include "io_keras.h"
#include "io.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RNNSCOPE_HAVE_KERAS
#include <hdf5.h>
#include <zip.h>
#endif

IoKerasKind io_keras_kind(const void *data, size_t len) {
    const unsigned char *p = data;
    if (len >= 8 && memcmp(p, "\x89HDF\r\n\x1a\n", 8) == 0) return IO_KERAS_HDF5;
    if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) return IO_KERAS_ZIP;
    return IO_KERAS_NONE;
}

int io_keras_load(const char *path, RnnModel **out, IoKerasInfo *info, RnnError *err) {
    char *data;
    size_t len;
    *out = NULL;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &data, &len, err)) return -1;
    int rc = io_keras_parse(data, len, path, out, info, err);
    free(data);
    return rc;
}

/* Short names for messages: a layer name from a file is cut to 64 bytes. */
#define NAME_MAX_LEN 64

/* ---- the tokenizer --------------------------------------------------------------------------- */

#define TOKENIZER_MAX_INDEX 10000000 /* word_index values above this are refused */

void io_keras_tokenizer_free(IoKerasTokenizer *tok) {
    if (!tok) return;
    if (tok->words)
        for (int i = 0; i <= tok->max_index; i++) free(tok->words[i]);
    free(tok->words);
    free(tok->filters);
    free(tok->split);
    free(tok->oov_token);
    free(tok);
}

/* config[key] as a JSON value: Keras writes word_index and friends as JSON text inside a
 * string; an object written directly is taken too. *owned gets what to cJSON_Delete. */
static const cJSON *inner_json(const cJSON *config, const char *key, cJSON **owned, const char *src,
                               RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    *owned = NULL;
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsObject(v)) return v;
    if (!cJSON_IsString(v)) {
        rnn_error_set(err, "%s: config.%s: expected JSON text in a string", src, key);
        return NULL;
    }
    char where[128];
    snprintf(where, sizeof where, "%s: config.%s", src, key);
    *owned = io_json_parse(v->valuestring, strlen(v->valuestring), where, 1, "a JSON object", err);
    if (!*owned) return NULL;
    if (!cJSON_IsObject(*owned)) {
        cJSON_Delete(*owned);
        *owned = NULL;
        rnn_error_set(err, "%s: config.%s: expected a JSON object", src, key);
    }
    return *owned;
}

static int tok_string(const cJSON *config, const char *key, const char *fallback, char **out,
                      const char *src, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    const char *s = fallback;
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsString(v))
            return rnn_error_set(err, "%s: config.%s: expected a string", src, key);
        s = v->valuestring;
    }
    *out = NULL;
    if (!s) return 0;
    if (!rnn_utf8_valid(s, strlen(s), NULL))
        return rnn_error_set(err, "%s: config.%s: not valid UTF-8", src, key);
    if (!(*out = strdup(s))) return rnn_error_set(err, "%s: out of memory", src);
    return 0;
}

static int tok_bool(const cJSON *config, const char *key, int fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return fallback;
}

/* word_index: {"word": index, ...} into tok->words. */
static int tok_words(const cJSON *word_index, IoKerasTokenizer *tok, const char *src,
                     RnnError *err) {
    int max = 0;
    for (const cJSON *e = word_index->child; e; e = e->next) {
        double x = cJSON_IsNumber(e) ? e->valuedouble : -1;
        if (!(x >= 1 && x <= TOKENIZER_MAX_INDEX) || x != floor(x))
            return rnn_error_set(err, "%s: word_index: the index of a word must be 1..%d", src,
                                 TOKENIZER_MAX_INDEX);
        if ((int)x > max) max = (int)x;
    }
    size_t slots = (size_t)(max > 0 ? max : 0) + 1;
    if (slots > (size_t)TOKENIZER_MAX_INDEX + 1)
        return rnn_error_set(err, "%s: too many words", src);
    tok->max_index = max;
    tok->words = calloc(slots, sizeof *tok->words);
    if (!tok->words) return rnn_error_set(err, "%s: out of memory", src);
    for (const cJSON *e = word_index->child; e; e = e->next) {
        int i = (int)e->valuedouble;
        size_t n = strlen(e->string);
        if (tok->words[i] || n == 0) continue; /* two words for one index: the first stays */
        if (!rnn_utf8_valid(e->string, n, NULL))
            return rnn_error_set(err, "%s: word_index: a word is not valid UTF-8", src);
        if (!(tok->words[i] = strdup(e->string)))
            return rnn_error_set(err, "%s: out of memory", src);
    }
    return 0;
}

int io_keras_tokenizer_parse(const char *text, size_t len, const char *src, IoKerasTokenizer **out,
                             RnnError *err) {
    *out = NULL;
    cJSON *root = io_json_parse(text, len, src, 1, "a Keras tokenizer (tokenizer.to_json())", err);
    if (!root) return -1;
    if (cJSON_IsString(root)) { /* json.dumps(tokenizer.to_json()): the JSON is a string */
        cJSON *inner = io_json_parse(root->valuestring, strlen(root->valuestring), src, 1,
                                     "a Keras tokenizer", err);
        cJSON_Delete(root);
        if (!inner) return -1;
        root = inner;
    }
    int rc = -1;
    cJSON *owned = NULL;
    IoKerasTokenizer *tok = calloc(1, sizeof *tok);
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(root, "class_name");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(root, "config");
    if (!tok) {
        rnn_error_set(err, "%s: out of memory", src);
        goto done;
    }
    if (!cJSON_IsObject(root) || !cJSON_IsString(cls) || strcmp(cls->valuestring, "Tokenizer") ||
        !cJSON_IsObject(config)) {
        rnn_error_set(err,
                      "%s: not a Keras tokenizer: expected {\"class_name\": \"Tokenizer\", "
                      "\"config\": {...}} as tokenizer.to_json() writes it",
                      src);
        goto done;
    }
    const cJSON *num_words = cJSON_GetObjectItemCaseSensitive(config, "num_words");
    if (num_words && !cJSON_IsNull(num_words)) {
        double x = cJSON_IsNumber(num_words) ? num_words->valuedouble : -1;
        if (!(x >= 0 && x <= TOKENIZER_MAX_INDEX) || x != floor(x)) {
            rnn_error_set(err, "%s: config.num_words: expected null or a whole number 0..%d", src,
                          TOKENIZER_MAX_INDEX);
            goto done;
        }
        tok->num_words = (int)x;
    }
    tok->lower = tok_bool(config, "lower", 1);
    tok->char_level = tok_bool(config, "char_level", 0);
    if (tok_string(config, "filters", "", &tok->filters, src, err) ||
        tok_string(config, "split", " ", &tok->split, src, err) ||
        tok_string(config, "oov_token", NULL, &tok->oov_token, src, err))
        goto done;
    const cJSON *word_index = inner_json(config, "word_index", &owned, src, err);
    if (!word_index) {
        if (!cJSON_GetObjectItemCaseSensitive(config, "word_index"))
            rnn_error_set(err, "%s: config.word_index: missing", src);
        goto done;
    }
    if (tok_words(word_index, tok, src, err)) goto done;
    *out = tok;
    tok = NULL;
    rc = 0;
done:
    io_keras_tokenizer_free(tok);
    cJSON_Delete(owned);
    cJSON_Delete(root);
    return rc;
}

int io_keras_tokenizer_load(const char *path, IoKerasTokenizer **out, RnnError *err) {
    char *text;
    size_t len;
    *out = NULL;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &text, &len, err)) return -1;
    int rc = io_keras_tokenizer_parse(text, len, path, out, err);
    free(text);
    return rc;
}

static int compare_word_ptrs(const void *a, const void *b) {
    const char *x = **(char **const *)a, *y = **(char **const *)b;
    int c = strcmp(x, y);
    if (c) return c;
    /* equal words: the lower row first, so the first keeps its name */
    return (*(char **const *)a > *(char **const *)b) - (*(char **const *)a < *(char **const *)b);
}

int io_keras_apply_tokenizer(RnnModel *m, const IoKerasTokenizer *tok, RnnError *err) {
    int V = m->config.vocab_size;
    if (V <= 0) return rnn_error_set(err, "the model has no Embedding, so it has no words to name");
    /* how the tokenizer splits a sentence, as the model keeps it (RnnTextRule) */
    RnnTextRule rule = {.keras = 1, .lower = tok->lower, .split = tok->split[0]};
    if (tok->char_level)
        return rnn_error_set(err, "a tokenizer with char_level=True: rnnscope splits sentences "
                                  "into words only");
    if (strlen(tok->split) != 1 || (unsigned char)tok->split[0] >= 0x80)
        return rnn_error_set(err,
                             "the tokenizer splits at \"%.20s\": rnnscope splits at one "
                             "ASCII character",
                             tok->split);
    if (strlen(tok->filters) >= sizeof rule.filters)
        return rnn_error_set(err, "the tokenizer filters %zu characters: rnnscope takes up to %zu",
                             strlen(tok->filters), sizeof rule.filters - 1);
    for (const char *f = tok->filters; *f; f++)
        if ((unsigned char)*f >= 0x80)
            return rnn_error_set(err, "the tokenizer filters a character that is not ASCII: "
                                      "rnnscope filters ASCII characters only");
    memcpy(rule.filters, tok->filters, strlen(tok->filters) + 1);
    /* texts_to_sequences keeps only indices below num_words (and the OOV word's) */
    int limit = tok->num_words > 0 && tok->num_words < V ? tok->num_words : V;
    int oov = -1;
    for (int i = 1; tok->oov_token && i <= tok->max_index && i < V && oov < 0; i++)
        if (tok->words[i] && strcmp(tok->words[i], tok->oov_token) == 0) oov = i;
    char name[32];
    for (int i = 0; i < V; i++) {
        const char *w = i == 0 ? "<pad>"
                        : i <= tok->max_index && tok->words[i] && (i < limit || i == oov)
                            ? tok->words[i]
                            : NULL;
        if (!w) snprintf(name, sizeof name, "#%d", i), w = name;
        if (rnn_model_set_vocab(m, i, w, err)) return -1;
    }
    /* Two rows of one name (a word that is also "<pad>", or "#7" of another row): the higher
       row becomes "#i", or the lower one when the higher already is its own "#i". Each pass
       names at least one more row "#i" after itself, and those never clash: it ends. */
    char ***sorted = malloc((size_t)V * sizeof *sorted);
    if (!sorted) return rnn_error_set(err, "out of memory");
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < V; i++) sorted[i] = &m->vocab[i];
        qsort(sorted, (size_t)V, sizeof *sorted, compare_word_ptrs);
        for (int k = 1; k < V; k++) {
            if (strcmp(*sorted[k - 1], *sorted[k]) != 0) continue;
            int i = (int)(sorted[k] - m->vocab);
            snprintf(name, sizeof name, "#%d", i);
            if (strcmp(m->vocab[i], name) == 0) {
                i = (int)(sorted[k - 1] - m->vocab);
                snprintf(name, sizeof name, "#%d", i);
            }
            if (rnn_model_set_vocab(m, i, name, err)) {
                free(sorted);
                return -1;
            }
            changed = 1; /* another pass, on a fresh sort, looks for clashes this made */
        }
    }
    free(sorted);
    if (rnn_model_index_vocab(m, err)) return -1;
    /* Unknown words go to the OOV row; without one they have no row (Keras drops them). */
    m->unk_id = oov >= 0 && strcmp(m->vocab[oov], tok->oov_token) == 0 ? oov : -1;
    m->text_rule = rule;
    return 0;
}

#ifndef RNNSCOPE_HAVE_KERAS

int io_keras_supported(void) {
    return 0;
}

int io_keras_parse(const void *data, size_t len, const char *source, RnnModel **out,
                   IoKerasInfo *info, RnnError *err) {
    (void)data, (void)len;
    *out = NULL;
    if (info) memset(info, 0, sizeof *info);
    return rnn_error_set(err,
                         "%s: a Keras file, and this rnnscope was built without Keras support "
                         "(libhdf5 and libzip): convert it on the desktop with `rnnscope import "
                         "FILE --out model.json`",
                         source);
}

#else /* RNNSCOPE_HAVE_KERAS */

int io_keras_supported(void) {
    return 1;
}

/* ---- limits ---------------------------------------------------------------------------------- */

#define KERAS_MAX_LAYERS   64                 /* layers in a model, skipped ones included */
#define KERAS_MAX_CONFIG   ((size_t)64 << 20) /* config.json / model_config */
#define KERAS_MAX_METADATA ((size_t)1 << 20)  /* metadata.json */
#define KERAS_MAX_STRINGS  1000000            /* entries of a string-list attribute */
#define KERAS_MAX_PARAMS   ((size_t)48 << 20) /* parameters of a model (as doubles: 384 MiB) */
#define KERAS_MAX_PATH     512

/* ---- what a model's configuration says ------------------------------------------------------- */

typedef enum KerasRole {
    KL_INPUT,      /* InputLayer */
    KL_EMBEDDING,  /* Embedding */
    KL_RECURRENT,  /* SimpleRNN, LSTM, GRU, or Bidirectional of one of them */
    KL_DENSE,      /* Dense */
    KL_ACTIVATION, /* Activation, ReLU, Softmax: folded into the Dense before it */
    KL_SKIPPED,    /* Dropout and friends: nothing at inference */
} KerasRole;

typedef struct KerasLayer {
    KerasRole role;
    char name[256]; /* in full: a legacy file keeps its weights under it */
    char class_name[NAME_MAX_LEN + 1];
    char store[96];     /* where a .keras file keeps its weights: "layers/lstm_1" */
    int input_dim_last; /* the last dimension of an input shape it declares, 0 if none */
    /* Embedding */
    int vocab, width, mask_zero;
    /* recurrent */
    RnnLayerConfig rnn;
    int reset_after_known; /* the GRU's config says reset_after; else its bias's rank does */
    int cudnn;             /* CuDNNLSTM / CuDNNGRU: one bias vector of both halves */
    int return_sequences;
    /* recurrent and Dense */
    int use_bias;
    /* Dense */
    int units;
    RnnActivation activation; /* Dense and Activation */
} KerasLayer;

typedef struct KerasModel {
    const char *src;
    IoKerasKind kind;
    char version[32];
    int keras3; /* hard_sigmoid is Keras 3's */
    char name[NAME_MAX_LEN + 1];
    char file_name[NAME_MAX_LEN + 1];
    char model_class[32];
    int count; /* layers in chain order */
    KerasLayer layer[KERAS_MAX_LAYERS];
} KerasModel;

static void copy_name(char *dst, size_t size, const char *s) {
    snprintf(dst, size, "%s", s ? s : "");
}

static const char supported_text[] =
    "rnnscope runs Sequential models and Functional models that are one chain of InputLayer, "
    "Embedding, SimpleRNN, LSTM, GRU, Bidirectional (of those three), Dense and Activation "
    "layers; Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout and "
    "ActivityRegularization are skipped (they do nothing at inference)";

static int unsupported(const KerasModel *km, const char *name, const char *cls, RnnError *err) {
    return rnn_error_set(err, "%s: layer '%.64s' (%.64s) is not one rnnscope can run. %s", km->src,
                         name, cls, supported_text);
}

/* A layer's message prefix: "m.h5: layer 'lstm_1' (LSTM)". */
#define LAYER_FMT          "%s: layer '%.64s' (%.64s)"
#define LAYER_ARGS(kl)     km->src, (kl)->name, (kl)->class_name

static int json_int(const cJSON *cfg, const char *key, int required, int fallback, int min, int max,
                    int *out, const KerasModel *km, const KerasLayer *kl, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return rnn_error_set(err, LAYER_FMT ": %s: missing", LAYER_ARGS(kl), key);
        *out = fallback;
        return 0;
    }
    double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(x >= min && x <= max) || x != floor(x))
        return rnn_error_set(err, LAYER_FMT ": %s must be a whole number %d..%d", LAYER_ARGS(kl),
                             key, min, max);
    *out = (int)x;
    return 0;
}

static int json_bool(const cJSON *cfg, const char *key, int fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : fallback;
}

static const char *json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The name of an activation as a config writes it: "tanh", null (linear), or an object
 * whose "config" (Keras 3's {"class_name": "function", "config": "relu"}) or "class_name"
 * names it. NULL when it is none of these. */
static const char *activation_text(const cJSON *v) {
    if (!v || cJSON_IsNull(v)) return "linear";
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsObject(v)) {
        const char *s = json_str(v, "config");
        if (s) return s;
        s = json_str(v, "class_name");
        if (s && strcmp(s, "function") != 0) return s;
    }
    return NULL;
}

/* Reads cfg[key] as an activation of `allowed` (a list ending in -1). */
static int json_activation(const cJSON *cfg, const char *key, const char *fallback,
                           const int *allowed, RnnActivation *out, const KerasModel *km,
                           const KerasLayer *kl, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    const char *s = v ? activation_text(v) : fallback;
    RnnActivation act = RNN_ACT_LINEAR;
    int known = 1;
    if (!s)
        known = 0;
    else if (strcmp(s, "sigmoid") == 0)
        act = RNN_ACT_SIGMOID;
    else if (strcmp(s, "tanh") == 0)
        act = RNN_ACT_TANH;
    else if (strcmp(s, "relu") == 0)
        act = RNN_ACT_RELU;
    else if (strcmp(s, "hard_sigmoid") == 0)
        act = km->keras3 ? RNN_ACT_HARD_SIGMOID_K3 : RNN_ACT_HARD_SIGMOID;
    else if (strcmp(s, "linear") == 0)
        act = RNN_ACT_LINEAR;
    else if (strcmp(s, "softmax") == 0)
        act = RNN_ACT_SOFTMAX;
    else
        known = 0;
    for (int i = 0; known && allowed[i] >= 0; i++)
        if ((int)act == allowed[i] ||
            (allowed[i] == RNN_ACT_HARD_SIGMOID && act == RNN_ACT_HARD_SIGMOID_K3)) {
            *out = act;
            return 0;
        }
    char list[160] = "";
    for (int i = 0; allowed[i] >= 0; i++) {
        const char *n =
            allowed[i] == RNN_ACT_HARD_SIGMOID ? "hard_sigmoid" : rnn_activation_name(allowed[i]);
        size_t at = strlen(list);
        snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", n);
    }
    return rnn_error_set(err, LAYER_FMT ": %s '%.40s' is not one rnnscope runs here (%s)",
                         LAYER_ARGS(kl), key, s ? s : "(not a name)", list);
}

static const int recurrent_acts[] = {RNN_ACT_TANH,   RNN_ACT_RELU,         RNN_ACT_SIGMOID,
                                     RNN_ACT_LINEAR, RNN_ACT_HARD_SIGMOID, -1};
static const int gate_acts[] = {RNN_ACT_SIGMOID, RNN_ACT_HARD_SIGMOID, RNN_ACT_TANH,
                                RNN_ACT_LINEAR,  RNN_ACT_RELU,         -1};
static const int dense_acts[] = {RNN_ACT_LINEAR,  RNN_ACT_RELU,    RNN_ACT_TANH,
                                 RNN_ACT_SIGMOID, RNN_ACT_SOFTMAX, -1};

/* The last dimension of a declared input shape ([null, T, F]), 0 when none is given. */
static int input_last_dim(const cJSON *cfg) {
    static const char *const keys[] = {"batch_input_shape", "batch_shape", "input_shape"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(cfg, keys[k]);
        int n = cJSON_IsArray(shape) ? cJSON_GetArraySize(shape) : 0;
        if (n < 2) continue;
        const cJSON *last = cJSON_GetArrayItem(shape, n - 1);
        if (cJSON_IsNumber(last) && last->valuedouble >= 1 && last->valuedouble <= RNN_MAX_SIZE &&
            last->valuedouble == floor(last->valuedouble) &&
            n >= (strcmp(keys[k], "input_shape") == 0 ? 2 : 3))
            return (int)last->valuedouble;
    }
    return 0;
}

static int read_cell_config(const char *cls, const cJSON *cfg, KerasLayer *kl, const KerasModel *km,
                            RnnError *err) {
    RnnLayerConfig *r = &kl->rnn;
    memset(r, 0, sizeof *r);
    /* Keras 2.2's CuDNNLSTM and CuDNNGRU: tanh and sigmoid, two biases (input and recurrent,
       one vector), the GRU in PyTorch's form */
    kl->cudnn = strncmp(cls, "CuDNN", 5) == 0;
    if (kl->cudnn) cls += 5;
    if (strcmp(cls, "SimpleRNN") == 0 && !kl->cudnn)
        r->cell = RNN_CELL_RNN;
    else if (strcmp(cls, "LSTM") == 0)
        r->cell = RNN_CELL_LSTM;
    else if (strcmp(cls, "GRU") == 0)
        r->cell = RNN_CELL_GRU;
    else
        return -2;
    if (cJSON_GetObjectItemCaseSensitive(cfg, "output_dim") &&
        !cJSON_GetObjectItemCaseSensitive(cfg, "units"))
        return rnn_error_set(err,
                             LAYER_FMT ": a Keras 1 configuration (output_dim): rnnscope reads "
                                       "files from Keras 2.2 on",
                             LAYER_ARGS(kl));
    if (json_int(cfg, "units", 1, 0, 1, RNN_MAX_SIZE, &r->hidden_size, km, kl, err) ||
        json_activation(cfg, "activation", "tanh", recurrent_acts, &r->activation, km, kl, err))
        return -1;
    r->recurrent_activation = RNN_ACT_SIGMOID;
    if (r->cell != RNN_CELL_RNN &&
        json_activation(cfg, "recurrent_activation", "sigmoid", gate_acts, &r->recurrent_activation,
                        km, kl, err))
        return -1;
    r->merge = RNN_MERGE_CONCAT;
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(cfg, "reset_after");
    kl->reset_after_known = r->cell == RNN_CELL_GRU && (cJSON_IsBool(ra) || kl->cudnn);
    r->reset_after = r->cell == RNN_CELL_GRU ? cJSON_IsTrue(ra) || kl->cudnn : 0;
    kl->use_bias = json_bool(cfg, "use_bias", 1);
    kl->return_sequences = json_bool(cfg, "return_sequences", 0);
    if (json_bool(cfg, "return_state", 0))
        return rnn_error_set(err,
                             LAYER_FMT ": return_state=True: rnnscope runs layers that "
                                       "hand on their outputs only",
                             LAYER_ARGS(kl));
    return 0;
}

/* A Bidirectional wrapper: its "layer" (and "backward_layer" if given) must be the same kind
 * of recurrent layer; merge_mode says how the two directions are joined. */
static int read_bidirectional(const cJSON *cfg, KerasLayer *kl, const KerasModel *km,
                              RnnError *err) {
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(cfg, "layer");
    const char *cls = json_str(inner, "class_name");
    const cJSON *icfg = cJSON_GetObjectItemCaseSensitive(inner, "config");
    if (!cls || !cJSON_IsObject(icfg))
        return rnn_error_set(err, LAYER_FMT ": its config has no \"layer\" to wrap",
                             LAYER_ARGS(kl));
    int rc = read_cell_config(cls, icfg, kl, km, err);
    if (rc == -2)
        return rnn_error_set(err,
                             LAYER_FMT ": it wraps a %.64s; rnnscope runs Bidirectional "
                                       "SimpleRNN, LSTM and GRU layers",
                             LAYER_ARGS(kl), cls);
    if (rc) return -1;
    if (json_bool(icfg, "go_backwards", 0))
        return rnn_error_set(err, LAYER_FMT ": its forward layer reads backwards (go_backwards)",
                             LAYER_ARGS(kl));
    const cJSON *back = cJSON_GetObjectItemCaseSensitive(cfg, "backward_layer");
    if (back && !cJSON_IsNull(back)) {
        KerasLayer b = *kl;
        const char *bcls = json_str(back, "class_name");
        const cJSON *bcfg = cJSON_GetObjectItemCaseSensitive(back, "config");
        if (!bcls || !cJSON_IsObject(bcfg) || read_cell_config(bcls, bcfg, &b, km, err) == -2)
            return rnn_error_set(err,
                                 LAYER_FMT ": its backward_layer is not a SimpleRNN, LSTM or "
                                           "GRU",
                                 LAYER_ARGS(kl));
        if (b.rnn.cell != kl->rnn.cell || b.rnn.hidden_size != kl->rnn.hidden_size ||
            b.rnn.activation != kl->rnn.activation ||
            b.rnn.recurrent_activation != kl->rnn.recurrent_activation ||
            b.rnn.reset_after != kl->rnn.reset_after || b.use_bias != kl->use_bias ||
            b.return_sequences != kl->return_sequences)
            return rnn_error_set(err,
                                 LAYER_FMT ": its backward layer differs from its forward "
                                           "layer; rnnscope runs both directions of a layer alike",
                                 LAYER_ARGS(kl));
    }
    kl->rnn.bidirectional = 1;
    const cJSON *merge = cJSON_GetObjectItemCaseSensitive(cfg, "merge_mode");
    const char *mode = merge ? (cJSON_IsString(merge) ? merge->valuestring : NULL) : "concat";
    if (!mode || rnn_merge_from_name(mode, &kl->rnn.merge))
        return rnn_error_set(err,
                             LAYER_FMT ": merge_mode %s: rnnscope joins the two directions by "
                                       "concat, sum, mul or ave",
                             LAYER_ARGS(kl), mode ? mode : "None (a list of two outputs)");
    return 0;
}

/* Which .keras store name a weighted class gets (Keras's to_snake_case of the class name). */
static const char *store_name(const char *cls) {
    static const char *const map[][2] = {{"Embedding", "embedding"},
                                         {"SimpleRNN", "simple_rnn"},
                                         {"LSTM", "lstm"},
                                         {"GRU", "gru"},
                                         {"Bidirectional", "bidirectional"},
                                         {"Dense", "dense"}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(cls, map[i][0]) == 0) return map[i][1];
    return NULL;
}

/* One entry of a config's layer list: {"class_name": ..., "config": {...}}. */
static int read_layer(const cJSON *entry, KerasLayer *kl, const KerasModel *km, RnnError *err) {
    const char *cls = json_str(entry, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(entry, "config");
    memset(kl, 0, sizeof *kl);
    const char *name = json_str(cfg, "name");
    if (!name) name = json_str(entry, "name");
    copy_name(kl->name, sizeof kl->name, name ? name : "?");
    copy_name(kl->class_name, sizeof kl->class_name, cls ? cls : "?");
    if (!cls || !cJSON_IsObject(cfg))
        return rnn_error_set(err, "%s: a layer entry without a class_name and config", km->src);
    kl->input_dim_last = input_last_dim(cfg);
    if (strcmp(cls, "InputLayer") == 0) {
        kl->role = KL_INPUT;
        return 0;
    }
    if (strcmp(cls, "Embedding") == 0) {
        kl->role = KL_EMBEDDING;
        kl->mask_zero = json_bool(cfg, "mask_zero", 0);
        return json_int(cfg, "input_dim", 1, 0, 1, RNN_MAX_VOCAB, &kl->vocab, km, kl, err) ||
                       json_int(cfg, "output_dim", 1, 0, 1, RNN_MAX_SIZE, &kl->width, km, kl, err)
                   ? -1
                   : 0;
    }
    if (strcmp(cls, "Bidirectional") == 0) {
        kl->role = KL_RECURRENT;
        return read_bidirectional(cfg, kl, km, err);
    }
    int rc = read_cell_config(cls, cfg, kl, km, err);
    if (rc != -2) {
        kl->role = KL_RECURRENT;
        if (rc == 0 && json_bool(cfg, "go_backwards", 0))
            return rnn_error_set(err,
                                 LAYER_FMT ": go_backwards=True outside a Bidirectional "
                                           "wrapper: rnnscope reads a lone layer forwards",
                                 LAYER_ARGS(kl));
        return rc;
    }
    if (strcmp(cls, "Dense") == 0) {
        kl->role = KL_DENSE;
        kl->use_bias = json_bool(cfg, "use_bias", 1);
        return json_int(cfg, "units", 1, 0, 1, RNN_MAX_SIZE, &kl->units, km, kl, err) ||
                       json_activation(cfg, "activation", "linear", dense_acts, &kl->activation, km,
                                       kl, err)
                   ? -1
                   : 0;
    }
    if (strcmp(cls, "Activation") == 0) {
        kl->role = KL_ACTIVATION;
        return json_activation(cfg, "activation", NULL, dense_acts, &kl->activation, km, kl, err);
    }
    if (strcmp(cls, "Softmax") == 0 || strcmp(cls, "ReLU") == 0) {
        /* the layer forms of the two activations, with their default arguments only */
        const cJSON *axis = cJSON_GetObjectItemCaseSensitive(cfg, "axis");
        const char *odd[] = {"max_value", "negative_slope", "threshold"};
        int plain = !axis || cJSON_IsNull(axis) ||
                    (cJSON_IsNumber(axis) && axis->valuedouble == -1) ||
                    (cJSON_IsArray(axis) && cJSON_GetArraySize(axis) == 1 &&
                     cJSON_IsNumber(axis->child) && axis->child->valuedouble == -1);
        for (int i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, odd[i]);
            if (v && !cJSON_IsNull(v) && !(cJSON_IsNumber(v) && v->valuedouble == 0)) plain = 0;
        }
        if (!plain) return unsupported(km, kl->name, cls, err);
        kl->role = KL_ACTIVATION;
        kl->activation = cls[0] == 'S' ? RNN_ACT_SOFTMAX : RNN_ACT_RELU;
        return 0;
    }
    static const char *const skipped[] = {"Dropout",       "SpatialDropout1D",
                                          "GaussianNoise", "GaussianDropout",
                                          "AlphaDropout",  "ActivityRegularization"};
    for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++)
        if (strcmp(cls, skipped[i]) == 0) {
            kl->role = KL_SKIPPED;
            return 0;
        }
    return unsupported(km, kl->name, cls, err);
}

/* ---- the chain of a Functional model --------------------------------------------------------- */

/* Adds to names[] (distinct, at most max) the layers an inbound_nodes value reads from: the
 * [name, node, tensor, kwargs] entries of Keras 2 and the "keras_history" of Keras 3's
 * tensors, wherever they sit. *more counts names beyond max. */
static void inbound_names(const cJSON *v, const char **names, int *n, int max, int *more) {
    const char *found = NULL;
    if (cJSON_IsArray(v)) {
        const cJSON *a = v->child;
        if (a && cJSON_IsString(a) && a->next && cJSON_IsNumber(a->next) && a->next->next &&
            cJSON_IsNumber(a->next->next)) {
            found = a->valuestring;
            v = a->next->next->next; /* the call's kwargs: a tensor there reads a layer too */
        }
    } else if (cJSON_IsObject(v)) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(v, "keras_history");
        if (cJSON_IsArray(h) && cJSON_IsString(h->child)) found = h->child->valuestring;
    }
    if (found) {
        int seen = 0;
        for (int i = 0; i < *n && !seen; i++) seen = strcmp(names[i], found) == 0;
        if (!seen && *n < max)
            names[(*n)++] = found;
        else if (!seen)
            (*more)++;
    }
    if (!v || !(cJSON_IsArray(v) || cJSON_IsObject(v))) return;
    for (const cJSON *c = v->child; c; c = c->next)
        if (!c->string || strcmp(c->string, "keras_history") != 0)
            inbound_names(c, names, n, max, more);
}

static const char *entry_name(const cJSON *entry) {
    const char *name = json_str(cJSON_GetObjectItemCaseSensitive(entry, "config"), "name");
    return name ? name : json_str(entry, "name");
}

/* The order of a Functional model's layers along its one chain, from its input. */
static int functional_order(const cJSON *model_cfg, const cJSON *const *entries, int n,
                            const KerasModel *km, int *order, RnnError *err) {
    int pred[KERAS_MAX_LAYERS], succ[KERAS_MAX_LAYERS];
    const char *names[KERAS_MAX_LAYERS];
    for (int i = 0; i < n; i++) {
        pred[i] = succ[i] = -1;
        names[i] = entry_name(entries[i]);
        if (!names[i])
            return rnn_error_set(err, "%s: a layer of the Functional model has no name", km->src);
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return rnn_error_set(err, "%s: two layers are named '%.64s'", km->src, names[i]);
    }
#define CLS(i)             (json_str(entries[i], "class_name") ? json_str(entries[i], "class_name") : "?")
    for (int i = 0; i < n; i++) {
        const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(entries[i], "inbound_nodes");
        if (cJSON_IsArray(nodes) && cJSON_GetArraySize(nodes) > 1)
            return rnn_error_set(err,
                                 "%s: layer '%.64s' (%.64s) is called %d times: the model "
                                 "branches, and %s",
                                 km->src, names[i], CLS(i), cJSON_GetArraySize(nodes),
                                 supported_text);
        const char *in[4];
        int nin = 0, more = 0;
        inbound_names(nodes, in, &nin, 4, &more);
        if (nin + more > 1)
            return rnn_error_set(err,
                                 "%s: layer '%.64s' (%.64s) joins %d layers: the model "
                                 "branches, and %s",
                                 km->src, names[i], CLS(i), nin + more, supported_text);
        if (nin == 0) continue;
        int j = 0;
        while (j < n && strcmp(names[j], in[0]) != 0) j++;
        if (j == n || j == i)
            return rnn_error_set(err,
                                 "%s: layer '%.64s' reads from '%.64s', which is not a "
                                 "layer of the model",
                                 km->src, names[i], in[0]);
        if (succ[j] >= 0)
            return rnn_error_set(err,
                                 "%s: layer '%.64s' (%.64s) feeds both '%.64s' and '%.64s': the "
                                 "model branches, and %s",
                                 km->src, names[j], CLS(j), names[succ[j]], names[i],
                                 supported_text);
        pred[i] = j;
        succ[j] = i;
    }
    int root = -1, roots = 0;
    for (int i = 0; i < n; i++)
        if (pred[i] < 0) root = root < 0 ? i : root, roots++;
    if (roots != 1)
        return rnn_error_set(err, "%s: the model has %d inputs; %s", km->src, roots,
                             supported_text);
    int k = 0;
    for (int i = root; i >= 0 && k < n; i = succ[i]) order[k++] = i;
    if (k != n)
        return rnn_error_set(err, "%s: the model's layers are not one chain; %s", km->src,
                             supported_text);
    /* output_layers: [["dense", 0, 0]] (Keras 2), or ["dense", 0, 0] for one (Keras 3) */
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(model_cfg, "output_layers");
    if (cJSON_IsArray(outs) && outs->child) {
        const char *out_names[4];
        int nout = 0, more = 0;
        inbound_names(outs, out_names, &nout, 4, &more);
        if (nout + more > 1)
            return rnn_error_set(err, "%s: the model has %d outputs; %s", km->src, nout + more,
                                 supported_text);
        if (nout == 1 && strcmp(out_names[0], names[order[n - 1]]) != 0)
            return rnn_error_set(err,
                                 "%s: the model's output is '%.64s', not the end of its chain "
                                 "('%.64s')",
                                 km->src, out_names[0], names[order[n - 1]]);
    }
#undef CLS
    return 0;
}

/* The model's configuration (config.json, or a legacy file's model_config) into km->layer,
 * in chain order, each with the .keras store name its weights sit under. */
static int read_model_config(const char *json, size_t len, const char *where, KerasModel *km,
                             RnnError *err) {
    cJSON *root = io_json_parse(json, len, where, 1, "a Keras model configuration", err);
    if (!root) return -1;
    int rc = -1;
    const char *cls = json_str(root, "class_name");
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    if (!cls || !(cJSON_IsObject(cfg) || cJSON_IsArray(cfg))) {
        rnn_error_set(err, "%s: not a Keras model configuration (no class_name and config)", where);
        goto done;
    }
    copy_name(km->model_class, sizeof km->model_class, cls);
    int functional = strcmp(cls, "Functional") == 0 || strcmp(cls, "Model") == 0;
    if (!functional && strcmp(cls, "Sequential") != 0) {
        rnn_error_set(err,
                      "%s: the model is a '%.64s', not a Sequential or Functional model; a "
                      "subclassed model cannot be read without its Python code. %s",
                      km->src, cls, supported_text);
        goto done;
    }
    /* Keras 2.2 wrote a Sequential's config as the plain list of its layers */
    const cJSON *layers =
        cJSON_IsArray(cfg) ? cfg : cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    const char *name = cJSON_IsObject(cfg) ? json_str(cfg, "name") : NULL;
    copy_name(km->name, sizeof km->name,
              name && rnn_utf8_valid(name, strlen(name), NULL) ? name : "");
    int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : -1;
    if (n < 1 || n > KERAS_MAX_LAYERS) {
        rnn_error_set(err,
                      n < 0 ? "%s: the model's config has no list of layers"
                            : "%s: the model has %d layers; rnnscope reads 1..%d",
                      km->src, n, KERAS_MAX_LAYERS);
        goto done;
    }
    const cJSON *entries[KERAS_MAX_LAYERS];
    int order[KERAS_MAX_LAYERS], i = 0;
    for (const cJSON *e = layers->child; e; e = e->next, i++) {
        entries[i] = e;
        order[i] = i;
        if (!cJSON_IsObject(e)) {
            rnn_error_set(err, "%s: layer %d of the model's config is not an object", km->src, i);
            goto done;
        }
    }
    if (functional && functional_order(cfg, entries, n, km, order, err)) goto done;
    /* .keras stores: each weighted class's layers, in the config's order, are
       layers/<class>, layers/<class>_1, ... */
    char stores[KERAS_MAX_LAYERS][96];
    for (i = 0; i < n; i++) {
        const char *sn = store_name(
            json_str(entries[i], "class_name") ? json_str(entries[i], "class_name") : "");
        int before = 0;
        stores[i][0] = '\0';
        if (!sn) continue;
        for (int j = 0; j < i; j++) {
            const char *cj = json_str(entries[j], "class_name");
            before += cj && store_name(cj) == sn;
        }
        if (before)
            snprintf(stores[i], sizeof stores[i], "%s_%d", sn, before);
        else
            snprintf(stores[i], sizeof stores[i], "%s", sn);
    }
    for (int k = 0; k < n; k++) {
        KerasLayer *kl = &km->layer[k];
        if (read_layer(entries[order[k]], kl, km, err)) goto done;
        memcpy(kl->store, stores[order[k]], sizeof kl->store);
    }
    km->count = n;
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- HDF5 ------------------------------------------------------------------------------------ */

typedef struct H5Store {
    hid_t file;
    int keras_zip;   /* model.weights.h5 of a .keras file; 0: a legacy file's model_weights */
    const char *src; /* the file's name in messages */
} H5Store;

/* libhdf5 1.10 loops for ever on a global heap collection (where variable-length strings
 * live: every text attribute h5py writes) whose object sizes do not move on: a zero-sized
 * free-space object, or a size that wraps its position round. Before libhdf5 sees a file,
 * every collection in it ("GCOL", version 1) is walked as libhdf5 walks it; one that does not
 * add up, or that reaches past the end of the file (libhdf5 reads zeros there), refuses the
 * file. 1 when the file is fine. */
static uint64_t le_bytes(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int h5_heaps_sane(const unsigned char *img, size_t len) {
    if (len < 16) return 1; /* too short for a superblock: libhdf5 refuses it */
    int version = img[8];
    int L = version <= 1 ? (len > 14 ? img[14] : 0) : img[10]; /* the size of lengths */
    if (L != 2 && L != 4 && L != 8) return 0;
    size_t hdr = 8 + (size_t)L, objhdr = 8 + (size_t)L;
    for (size_t at = 0; at + hdr <= len; at++) {
        const unsigned char *g = memchr(img + at, 'G', len - hdr + 1 - at);
        if (!g) break;
        at = (size_t)(g - img);
        if (memcmp(g, "GCOL", 4) != 0 || g[4] != 1) continue;
        uint64_t size = le_bytes(img + at + 8, L);
        if (size < hdr || size > len - at) return 0;
        size_t end = at + (size_t)size, p = at + hdr;
        while (p < end) {
            if (p + objhdr > end) break; /* the rest is free space */
            unsigned idx = (unsigned)le_bytes(img + p, 2);
            uint64_t osize = le_bytes(img + p + 8, L);
            if (osize > end - p) return 0;
            uint64_t need = idx > 0 ? objhdr + ((osize + 7) & ~(uint64_t)7) : osize;
            if (need == 0 || need > end - p) return 0;
            p += (size_t)need;
        }
    }
    return 1;
}

/* An HDF5 file from memory, read-only; closing it closes every object opened in it. */
static hid_t h5_open_image(const void *data, size_t len) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5 must not print its error stack */
    if (!h5_heaps_sane(data, len)) return -1;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    hid_t file = -1;
    if (H5Pset_fapl_core(fapl, (size_t)1 << 16, 0) >= 0 &&
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
        H5Pset_file_image(fapl, (void *)data, len) >= 0)
        file = H5Fopen("rnnscope-keras-image.h5", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return file;
}

/* 1 when every component of path (relative to loc) is a hard link that exists. External and
 * soft links are not followed: a model's weights live in its own file. */
static int h5_path_ok(hid_t loc, const char *path) {
    char buf[KERAS_MAX_PATH];
    size_t n = strlen(path), start = 0;
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 0; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        if (i == start || (i == start + 1 && buf[start] == '.')) return 0;
        char saved = buf[i];
        buf[i] = '\0';
        H5L_info_t info;
        if (H5Lexists(loc, buf, H5P_DEFAULT) <= 0 ||
            H5Lget_info(loc, buf, &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_HARD)
            return 0;
        buf[i] = saved;
        start = i + 1;
    }
    return 1;
}

static hid_t h5_open_dataset(hid_t loc, const char *path) {
    if (!h5_path_ok(loc, path)) return -1;
    return H5Dopen2(loc, path, H5P_DEFAULT);
}

/* A string attribute: a scalar or a 1-D array of strings, fixed or variable length, as h5py
 * writes str, bytes and numpy arrays of them; an empty numeric array (h5py's np.asarray([]))
 * is zero strings. Returns 1 when obj has no attribute `name`, 0 with *list and *count set
 * (free with free_strings), -1 on anything else (err says what, naming `what`). */
static void free_strings(char **list, int count) {
    if (!list) return;
    for (int i = 0; i < count; i++) free(list[i]);
    free(list);
}

static int h5_attr_strings(hid_t obj, const char *name, size_t max_len, char ***list, int *count,
                           const char *what, RnnError *err) {
    *list = NULL;
    *count = 0;
    htri_t exists = H5Aexists(obj, name);
    if (exists == 0) return 1;
    if (exists < 0) return rnn_error_set(err, "%s: cannot read its attributes", what);
    int rc = -1;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT), type = -1, space = -1, mem = -1;
    char **out = NULL;
    int n = 0;
    void *raw = NULL;
    if (attr < 0 || (type = H5Aget_type(attr)) < 0 || (space = H5Aget_space(attr)) < 0) {
        rnn_error_set(err, "%s: cannot read attribute %s", what, name);
        goto done;
    }
    int rank = H5Sget_simple_extent_ndims(space);
    hssize_t points = H5Sget_simple_extent_npoints(space);
    if (rank < 0 || rank > 1 || points < 0 || points > KERAS_MAX_STRINGS) {
        rnn_error_set(err, "%s: attribute %s is not a list of text", what, name);
        goto done;
    }
    H5T_class_t cls = H5Tget_class(type);
    if (cls != H5T_STRING) {
        if (points == 0 && (cls == H5T_FLOAT || cls == H5T_INTEGER))
            rc = 0; /* [] */
        else
            rnn_error_set(err, "%s: attribute %s is not text", what, name);
        goto done;
    }
    n = (int)points;
    out = calloc((size_t)n + 1, sizeof *out);
    if (!out) {
        rnn_error_set(err, "%s: out of memory", what);
        goto done;
    }
    htri_t vlen = H5Tis_variable_str(type);
    size_t size = H5Tget_size(type);
    H5T_cset_t cset = H5Tget_cset(type);
    if (vlen < 0 || cset < 0 || (!vlen && (size == 0 || size > max_len))) {
        rnn_error_set(err, "%s: attribute %s: text of an unexpected kind or size", what, name);
        goto done;
    }
    mem = H5Tcopy(H5T_C_S1);
    if (mem < 0 || H5Tset_size(mem, vlen ? H5T_VARIABLE : size) < 0 || H5Tset_cset(mem, cset) < 0 ||
        (!vlen && H5Tset_strpad(mem, H5T_STR_NULLPAD) < 0)) {
        rnn_error_set(err, "%s: attribute %s: cannot read its text", what, name);
        goto done;
    }
    raw = calloc(n ? (size_t)n : 1, vlen ? sizeof(char *) : size);
    if (!raw) {
        rnn_error_set(err, "%s: out of memory", what);
        goto done;
    }
    if (n && H5Aread(attr, mem, raw) < 0) {
        rnn_error_set(err, "%s: attribute %s: cannot read its text", what, name);
        if (vlen) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw); /* what it read before failing */
        goto done;
    }
    rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *s = vlen ? ((char **)raw)[i] : (const char *)raw + (size_t)i * size;
        size_t len = s ? strnlen(s, vlen ? max_len + 1 : size) : 0;
        if (len > max_len) {
            rc = rnn_error_set(err, "%s: attribute %s: longer than %zu bytes", what, name, max_len);
        } else if (!(out[i] = malloc(len + 1))) {
            rc = rnn_error_set(err, "%s: out of memory", what);
        } else {
            if (len) memcpy(out[i], s, len);
            out[i][len] = '\0';
        }
    }
    if (vlen && n) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw);
done:
    free(raw);
    if (mem >= 0) H5Tclose(mem);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (attr >= 0) H5Aclose(attr);
    if (rc == 0) {
        *list = out;
        *count = n;
    } else {
        free_strings(out, n);
    }
    return rc;
}

/* One string attribute (a scalar, or a list of one). 1 when absent. */
static int h5_attr_string(hid_t obj, const char *name, size_t max_len, char **out, const char *what,
                          RnnError *err) {
    char **list;
    int n;
    *out = NULL;
    int rc = h5_attr_strings(obj, name, max_len, &list, &n, what, err);
    if (rc) return rc;
    if (n != 1) {
        free_strings(list, n);
        return rnn_error_set(err, "%s: attribute %s: expected one text, got %d", what, name, n);
    }
    *out = list[0];
    free(list);
    return 0;
}

/* A list attribute as Keras writes it: `name`, or when it was too large for one attribute
 * the chunks name0, name1, ... */
static int h5_attr_list(hid_t obj, const char *name, char ***list, int *count, const char *what,
                        RnnError *err) {
    int rc = h5_attr_strings(obj, name, 4096, list, count, what, err);
    if (rc <= 0) return rc;
    char **all = NULL;
    int total = 0;
    for (int chunk = 0; chunk < 1000; chunk++) {
        char key[64], **part;
        int n;
        snprintf(key, sizeof key, "%s%d", name, chunk);
        rc = h5_attr_strings(obj, key, 4096, &part, &n, what, err);
        if (rc < 0) {
            free_strings(all, total);
            return -1;
        }
        if (rc > 0) break;
        char **grown = total + n <= KERAS_MAX_STRINGS
                           ? realloc(all, ((size_t)total + (size_t)n + 1) * sizeof *all)
                           : NULL;
        if (!grown) {
            free_strings(part, n);
            free_strings(all, total);
            return rnn_error_set(err, "%s: attribute %s: too long", what, name);
        }
        all = grown;
        memcpy(all + total, part, (size_t)n * sizeof *part);
        total += n;
        free(part);
    }
    if (!all) return 1;
    *list = all;
    *count = total;
    return 0;
}

/* ---- weights ----------------------------------------------------------------------------------
 */

typedef enum Slot { S_EMBEDDING, S_KERNEL, S_RECURRENT, S_BIAS, S_DENSE_KERNEL, S_DENSE_BIAS } Slot;

/* One weight the model needs: where it is and the shape the configuration gives it. */
typedef struct Planned {
    char path[KERAS_MAX_PATH];
    const KerasLayer *kl;
    Slot slot;
    int layer, dir; /* recurrent layer and direction, or Dense index (dir 0) */
    int rank;
    int dims[2];
} Planned;

static const char *slot_name(Slot s) {
    static const char *const names[] = {"embeddings", "kernel", "recurrent_kernel",
                                        "bias",       "kernel", "bias"};
    return names[s];
}

/* Where layer kl's weights are: paths[d * per + i], weight i of direction d. */
static int layer_weight_paths(const H5Store *st, const KerasModel *km, const KerasLayer *kl,
                              int per, int dirs, char paths[][KERAS_MAX_PATH], RnnError *err) {
    char base[KERAS_MAX_PATH], probe[KERAS_MAX_PATH + 8];
    if (st->keras_zip) {
        /* layers/<class>[_n]/[forward_layer/|backward_layer/][cell/]vars/<i>; tf.keras 2.13 to
           2.15 wrote _layer_checkpoint_dependencies for layers */
        static const char *const roots[] = {"layers", "_layer_checkpoint_dependencies"};
        static const char *const subs[] = {"/cell/vars", "/vars"};
        for (int d = 0; d < dirs; d++) {
            const char *side = !kl->rnn.bidirectional ? ""
                               : d                    ? "/backward_layer"
                                                      : "/forward_layer";
            int found = 0;
            for (int r = 0; r < 2 && !found; r++)
                for (int s = kl->role == KL_RECURRENT ? 0 : 1; s < 2 && !found; s++) {
                    snprintf(base, sizeof base, "%s/%s%s%s", roots[r], kl->store, side, subs[s]);
                    snprintf(probe, sizeof probe, "%s/0", base);
                    found = h5_path_ok(st->file, probe);
                }
            if (!found)
                return rnn_error_set(err,
                                     LAYER_FMT ": its weights are not in model.weights.h5 (no "
                                               "layers/%s%s%s/vars)",
                                     LAYER_ARGS(kl), kl->store, side,
                                     kl->role == KL_RECURRENT ? "/cell" : "");
            for (int i = 0; i < per; i++)
                if (snprintf(paths[d * per + i], KERAS_MAX_PATH, "%s/%d", base, i) >=
                    KERAS_MAX_PATH)
                    return rnn_error_set(err, LAYER_FMT ": a weight path too long", LAYER_ARGS(kl));
        }
        return 0;
    }
    /* model_weights/<layer name>, whose weight_names attribute lists its datasets in order */
    int n = snprintf(base, sizeof base, "model_weights/%s", kl->name);
    hid_t group = n < (int)sizeof base && h5_path_ok(st->file, base)
                      ? H5Gopen2(st->file, base, H5P_DEFAULT)
                      : -1;
    if (group < 0)
        return rnn_error_set(err, LAYER_FMT ": the file has no weights for it (no %.100s)",
                             LAYER_ARGS(kl), base);
    char what[128], **names = NULL;
    int count = 0, rc = 0;
    snprintf(what, sizeof what, "%s: %.100s", km->src, base);
    rc = h5_attr_list(group, "weight_names", &names, &count, what, err);
    if (rc > 0) rc = rnn_error_set(err, "%s: no weight_names attribute", what);
    if (rc == 0 && count != per * dirs)
        rc = rnn_error_set(err, LAYER_FMT ": the file lists %d weights for it, expected %d",
                           LAYER_ARGS(kl), count, per * dirs);
    for (int k = 0; rc == 0 && k < count; k++) {
        size_t len = strlen(names[k]);
        snprintf(probe, sizeof probe, "%s", names[k]);
        /* the name as listed, else with its ":0" added or taken away */
        int ok = h5_path_ok(group, probe);
        if (!ok && len > 2 && strcmp(names[k] + len - 2, ":0") == 0) {
            probe[len - 2] = '\0';
            ok = h5_path_ok(group, probe);
        } else if (!ok && len + 2 < sizeof probe) {
            strcat(probe, ":0");
            ok = h5_path_ok(group, probe);
        }
        if (!ok || snprintf(paths[k], KERAS_MAX_PATH, "%s/%s", base, probe) >= KERAS_MAX_PATH)
            rc = rnn_error_set(err, LAYER_FMT ": weight '%.100s' is listed but not in the file",
                               LAYER_ARGS(kl), names[k]);
    }
    free_strings(names, count);
    H5Gclose(group);
    return rc;
}

/* A dataset's rank and dimensions (up to 3). */
static int h5_dims(const H5Store *st, const char *path, int *rank, hsize_t dims[3]) {
    hid_t ds = h5_open_dataset(st->file, path);
    if (ds < 0) return -1;
    hid_t space = H5Dget_space(ds);
    int r = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    int rc = -1;
    if (r >= 0 && r <= 3 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0) {
        *rank = r;
        rc = 0;
    }
    if (space >= 0) H5Sclose(space);
    H5Dclose(ds);
    return rc;
}

static void dims_text(int rank, const hsize_t *dims, char *buf, size_t size) {
    if (rank == 0)
        snprintf(buf, size, "a single number");
    else if (rank == 1)
        snprintf(buf, size, "%llu", (unsigned long long)dims[0]);
    else if (rank == 2)
        snprintf(buf, size, "%llux%llu", (unsigned long long)dims[0], (unsigned long long)dims[1]);
    else
        snprintf(buf, size, "%llux%llux%llu", (unsigned long long)dims[0],
                 (unsigned long long)dims[1], (unsigned long long)dims[2]);
}

/* The weight's dataset has the planned shape. */
static int check_shape(const H5Store *st, const KerasModel *km, const Planned *p, RnnError *err) {
    int rank;
    hsize_t dims[3], want[2] = {(hsize_t)p->dims[0], (hsize_t)p->dims[1]};
    char got[96], expected[64];
    if (h5_dims(st, p->path, &rank, dims))
        return rnn_error_set(err, LAYER_FMT ": %s (%.100s) cannot be read", LAYER_ARGS(p->kl),
                             slot_name(p->slot), p->path);
    if (rank == p->rank && dims[0] == want[0] && (rank == 1 || dims[1] == want[1])) return 0;
    dims_text(rank, dims, got, sizeof got);
    dims_text(p->rank, want, expected, sizeof expected);
    return rnn_error_set(err, LAYER_FMT ": %s is %s, expected %s", LAYER_ARGS(p->kl),
                         slot_name(p->slot), got, expected);
}

/* Reads the weight (its shape checked) as doubles into out. */
static int read_weight(const H5Store *st, const KerasModel *km, const Planned *p, double *out,
                       RnnError *err) {
    size_t count = (size_t)p->dims[0] * (size_t)(p->rank == 2 ? p->dims[1] : 1);
    hid_t ds = h5_open_dataset(st->file, p->path), type = -1, dcpl = -1;
    int rc = -1;
    const char *why = "cannot be read";
    if (ds < 0 || (type = H5Dget_type(ds)) < 0 || (dcpl = H5Dget_create_plist(ds)) < 0) goto done;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    if (H5Tget_class(type) != H5T_FLOAT) {
        why = "is not stored as floating-point numbers";
        goto done;
    }
    if ((layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT) ||
        H5Pget_external_count(dcpl) != 0) {
        why = "is stored outside the file";
        goto done;
    }
    /* Without filters every value takes its bytes in the file: a dataset that says it holds
       more than the file has (a fill value, never written) is refused. */
    size_t tsize = H5Tget_size(type);
    if (H5Pget_nfilters(dcpl) == 0 && H5Dget_storage_size(ds) < (hsize_t)count * tsize) {
        why = "holds fewer values than its shape says";
        goto done;
    }
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) goto done;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(out[i])) {
            why = "holds a value that is not a finite number";
            goto done;
        }
    rc = 0;
done:
    if (rc) rnn_error_set(err, LAYER_FMT ": %s %s", LAYER_ARGS(p->kl), slot_name(p->slot), why);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (type >= 0) H5Tclose(type);
    if (ds >= 0) H5Dclose(ds);
    return rc;
}

/* ---- from Keras's layout to the model's -------------------------------------------------------
 */

/* Our gate q is Keras's gate keras_gate(q): LSTM i, f, c, o = i, f, g, o; GRU z, r, h -> r, z, n.
 */
static int keras_gate(RnnCellKind cell, int q) {
    if (cell == RNN_CELL_GRU && q < 2) return 1 - q;
    return q;
}

/* A Keras kernel (in, G*H) into weight (G*H, in), gates reordered. */
static void convert_kernel(const double *src, int in, RnnCellKind cell, int H, double *dst) {
    int G = rnn_gate_count(cell);
    for (int q = 0; q < G; q++) {
        int kq = keras_gate(cell, q);
        for (int j = 0; j < H; j++)
            for (int i = 0; i < in; i++)
                dst[((size_t)q * H + j) * in + i] = src[(size_t)i * G * H + (size_t)kq * H + j];
    }
}

static void convert_bias(const double *src, RnnCellKind cell, int H, double *dst) {
    int G = rnn_gate_count(cell);
    for (int q = 0; q < G; q++)
        memcpy(dst + (size_t)q * H, src + (size_t)keras_gate(cell, q) * H, (size_t)H * sizeof *dst);
}

/* A Dense kernel (in, units) into (units, in). */
static void transpose(const double *src, int rows, int cols, double *dst) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

static void put_weight(RnnModel *m, const Planned *p, const double *w) {
    const RnnConfig *c = &m->config;
    switch (p->slot) {
    case S_EMBEDDING:
        memcpy(m->embedding, w, (size_t)p->dims[0] * p->dims[1] * sizeof *w);
        break;
    case S_KERNEL:
    case S_RECURRENT: {
        RnnLayerParams *lp = &m->layer[p->layer][p->dir];
        convert_kernel(w, p->dims[0], c->layers[p->layer].cell, c->layers[p->layer].hidden_size,
                       p->slot == S_KERNEL ? lp->weight_ih : lp->weight_hh);
        break;
    }
    case S_BIAS: {
        RnnLayerParams *lp = &m->layer[p->layer][p->dir];
        RnnCellKind cell = c->layers[p->layer].cell;
        int H = c->layers[p->layer].hidden_size, G = rnn_gate_count(cell);
        convert_bias(w, cell, H, lp->bias_ih);
        if (p->rank == 2 || p->dims[0] == 2 * G * H) /* a recurrent bias too */
            convert_bias(w + (size_t)G * H, cell, H, lp->bias_hh);
        break;
    }
    case S_DENSE_KERNEL:
        transpose(w, p->dims[0], p->dims[1],
                  p->layer < c->num_dense ? m->dense_weight[p->layer] : m->head_weight);
        break;
    case S_DENSE_BIAS:
        memcpy(p->layer < c->num_dense ? m->dense_bias[p->layer] : m->head_bias, w,
               (size_t)p->dims[0] * sizeof *w);
        break;
    }
}

/* ---- the model ----------------------------------------------------------------------------------
 */

/* The chain as rnnscope's model: [InputLayer] [Embedding] recurrent layers, then Dense layers
 * (an Activation folded into the Dense before it), Dropout and the like skipped anywhere. */
typedef struct Chain {
    int embedding;                 /* index into km->layer, or -1 */
    int rec[RNN_MAX_LAYERS], nrec; /* the recurrent layers */
    int dense[RNN_MAX_DENSE + 1], ndense;
    int declared_input; /* an input width the config declares, 0 when it does not */
    int skipped;
} Chain;

static int read_chain(KerasModel *km, Chain *ch, RnnError *err) {
    memset(ch, 0, sizeof *ch);
    ch->embedding = -1;
    int last = -1; /* the last layer that was not skipped */
    for (int k = 0; k < km->count; k++) {
        KerasLayer *kl = &km->layer[k];
        KerasLayer *prev = last >= 0 ? &km->layer[last] : NULL;
        if (kl->input_dim_last && !prev && !ch->declared_input)
            ch->declared_input = kl->input_dim_last;
        switch (kl->role) {
        case KL_INPUT:
            if (prev)
                return rnn_error_set(err, LAYER_FMT ": an input in the middle of the model",
                                     LAYER_ARGS(kl));
            break;
        case KL_EMBEDDING:
            if (prev && prev->role != KL_INPUT)
                return rnn_error_set(err,
                                     LAYER_FMT ": an Embedding after '%.64s': rnnscope reads "
                                               "token ids into one Embedding that comes first",
                                     LAYER_ARGS(kl), prev->name);
            ch->embedding = k;
            break;
        case KL_RECURRENT:
            if (ch->ndense)
                return rnn_error_set(err,
                                     LAYER_FMT ": a recurrent layer after a Dense layer; "
                                               "rnnscope runs recurrent layers, then Dense layers",
                                     LAYER_ARGS(kl));
            if (ch->nrec && !km->layer[ch->rec[ch->nrec - 1]].return_sequences)
                return rnn_error_set(err,
                                     LAYER_FMT ": it follows '%.64s', which returns only its "
                                               "last output (return_sequences=False)",
                                     LAYER_ARGS(kl), km->layer[ch->rec[ch->nrec - 1]].name);
            if (ch->nrec == RNN_MAX_LAYERS)
                return rnn_error_set(err, LAYER_FMT ": rnnscope runs up to %d recurrent layers",
                                     LAYER_ARGS(kl), RNN_MAX_LAYERS);
            ch->rec[ch->nrec++] = k;
            break;
        case KL_DENSE:
            if (!ch->nrec)
                return rnn_error_set(err,
                                     LAYER_FMT ": a Dense layer before the recurrent layers; "
                                               "rnnscope runs recurrent layers, then Dense layers",
                                     LAYER_ARGS(kl));
            if (ch->ndense == RNN_MAX_DENSE + 1)
                return rnn_error_set(err, LAYER_FMT ": rnnscope runs up to %d Dense layers",
                                     LAYER_ARGS(kl), RNN_MAX_DENSE + 1);
            ch->dense[ch->ndense++] = k;
            break;
        case KL_ACTIVATION:
            if (prev && prev->role == KL_DENSE && prev->activation == RNN_ACT_LINEAR) {
                prev->activation = kl->activation; /* Dense, then Activation: one Dense */
                continue;
            }
            if (kl->activation == RNN_ACT_LINEAR) {
                ch->skipped++;
                continue;
            }
            return rnn_error_set(err,
                                 LAYER_FMT ": rnnscope runs an activation layer only right "
                                           "after a Dense layer without an activation of its own",
                                 LAYER_ARGS(kl));
        case KL_SKIPPED:
            ch->skipped++;
            continue;
        }
        last = k;
    }
    if (!ch->nrec)
        return rnn_error_set(err,
                             "%s: the model has no SimpleRNN, LSTM or GRU layer, so there is "
                             "nothing recurrent for rnnscope to show. %s",
                             km->src, supported_text);
    return 0;
}

static void add_plan(Planned *plan, int *np, const char *path, const KerasLayer *kl, Slot slot,
                     int layer, int dir, int rank, int d0, int d1) {
    Planned *p = &plan[(*np)++];
    memcpy(p->path, path, strnlen(path, sizeof p->path - 1));
    p->path[strnlen(path, sizeof p->path - 1)] = '\0';
    p->kl = kl;
    p->slot = slot;
    p->layer = layer;
    p->dir = dir;
    p->rank = rank;
    p->dims[0] = d0;
    p->dims[1] = d1;
}

#define MAX_PLANNED (1 + RNN_MAX_LAYERS * 2 * 3 + (RNN_MAX_DENSE + 1) * 2)

/* The configuration, and where every weight is with its expected shape (checked). */
static int plan_model(const H5Store *st, KerasModel *km, const Chain *ch, RnnConfig *c,
                      Planned *plan, int *np, RnnError *err) {
    char paths[6][KERAS_MAX_PATH];
    memset(c, 0, sizeof *c);
    *np = 0;
    c->framework = RNN_KERAS;
    int in = ch->declared_input;
    if (ch->embedding >= 0) {
        const KerasLayer *e = &km->layer[ch->embedding];
        if (layer_weight_paths(st, km, e, 1, 1, paths, err)) return -1;
        add_plan(plan, np, paths[0], e, S_EMBEDDING, 0, 0, 2, e->vocab, e->width);
        c->vocab_size = e->vocab;
        c->mask_zero = e->mask_zero;
        in = e->width;
    }
    for (int l = 0; l < ch->nrec; l++) {
        KerasLayer *kl = &km->layer[ch->rec[l]];
        RnnLayerConfig *lc = &c->layers[l];
        int dirs = kl->rnn.bidirectional ? 2 : 1, per = kl->use_bias ? 3 : 2;
        if (layer_weight_paths(st, km, kl, per, dirs, paths, err)) return -1;
        int H = kl->rnn.hidden_size, G = rnn_gate_count(kl->rnn.cell), rank;
        hsize_t dims[3];
        if (l == 0 && in == 0) { /* no declared input width: the kernel's rows give it */
            if (h5_dims(st, paths[0], &rank, dims) == 0 && rank == 2 && dims[0] >= 1 &&
                dims[0] <= RNN_MAX_SIZE)
                in = (int)dims[0];
            else
                return rnn_error_set(err, LAYER_FMT ": its kernel cannot be read", LAYER_ARGS(kl));
        }
        if (kl->rnn.cell == RNN_CELL_GRU && !kl->reset_after_known && kl->use_bias &&
            h5_dims(st, paths[2], &rank, dims) == 0) /* Keras < 2.1 said nothing: its bias does */
            kl->rnn.reset_after = rank == 2;
        *lc = kl->rnn;
        if (lc->cell != RNN_CELL_GRU) lc->reset_after = 0;
        for (int d = 0; d < dirs; d++) {
            add_plan(plan, np, paths[d * per], kl, S_KERNEL, l, d, 2, in, G * H);
            add_plan(plan, np, paths[d * per + 1], kl, S_RECURRENT, l, d, 2, H, G * H);
            if (kl->use_bias && kl->cudnn) /* (2*G*H): the input half, then the recurrent */
                add_plan(plan, np, paths[d * per + 2], kl, S_BIAS, l, d, 1, 2 * G * H, 0);
            else if (kl->use_bias)
                add_plan(plan, np, paths[d * per + 2], kl, S_BIAS, l, d, lc->reset_after ? 2 : 1,
                         lc->reset_after ? 2 : G * H, G * H);
        }
        if (l == 0) c->input_size = in;
        in = lc->bidirectional && lc->merge == RNN_MERGE_CONCAT ? 2 * H : H;
    }
    c->num_layers = ch->nrec;
    for (int j = 0; j < ch->ndense; j++) {
        const KerasLayer *kl = &km->layer[ch->dense[j]];
        if (layer_weight_paths(st, km, kl, kl->use_bias ? 2 : 1, 1, paths, err)) return -1;
        add_plan(plan, np, paths[0], kl, S_DENSE_KERNEL, j, 0, 2, in, kl->units);
        if (kl->use_bias) add_plan(plan, np, paths[1], kl, S_DENSE_BIAS, j, 0, 1, kl->units, 0);
        if (j < ch->ndense - 1) {
            c->dense[j].units = kl->units;
            c->dense[j].activation = kl->activation;
        }
        in = kl->units;
    }
    if (ch->ndense) {
        const KerasLayer *head = &km->layer[ch->dense[ch->ndense - 1]];
        RnnActivation act = head->activation;
        c->num_dense = ch->ndense - 1;
        c->num_labels = head->units;
        c->head_activation = act;
        if (km->layer[ch->rec[ch->nrec - 1]].return_sequences)
            c->head = RNN_HEAD_MANY_TO_MANY;
        else if (act == RNN_ACT_LINEAR || act == RNN_ACT_RELU || act == RNN_ACT_TANH)
            c->head = RNN_HEAD_REGRESSION;
        else
            c->head = RNN_HEAD_MANY_TO_ONE;
    }
    if (ch->declared_input && ch->embedding < 0 && ch->declared_input != c->input_size)
        return rnn_error_set(err,
                             "%s: the model declares inputs of width %d, but its first "
                             "recurrent layer reads %d",
                             km->src, ch->declared_input, c->input_size);
    for (int i = 0; i < *np; i++)
        if (check_shape(st, km, &plan[i], err)) return -1;
    return 0;
}

/* Labels: the class index ("0", "1", ...; a single sigmoid output "1"), or for a regression
 * head "y" / "y0", "y1", ... */
static int name_labels(RnnModel *m, RnnError *err) {
    const RnnConfig *c = &m->config;
    char label[32];
    for (int k = 0; k < c->num_labels; k++) {
        if (c->head == RNN_HEAD_REGRESSION && c->num_labels == 1)
            snprintf(label, sizeof label, "y");
        else if (c->head == RNN_HEAD_REGRESSION)
            snprintf(label, sizeof label, "y%d", k);
        else if (c->num_labels == 1 && c->head_activation == RNN_ACT_SIGMOID)
            snprintf(label, sizeof label, "1");
        else
            snprintf(label, sizeof label, "%d", k);
        if (rnn_model_set_label(m, k, label, err)) return -1;
    }
    return 0;
}

/* The model's name: the Keras model's own, unless Keras made it up ("sequential",
 * "functional_2", "model_1"): then the file's, without folder and extension. */
static const char *model_name(KerasModel *km) {
    static const char *const made_up[] = {"sequential", "functional", "model"};
    const char *n = km->name;
    for (size_t i = 0; n[0] && i < sizeof made_up / sizeof *made_up; i++) {
        size_t k = strlen(made_up[i]);
        if (strncmp(n, made_up[i], k) != 0) continue;
        const char *rest = n + k;
        if (*rest == '_' && rest[1]) rest += 1 + strspn(rest + 1, "0123456789");
        if (*rest == '\0') n = "";
    }
    if (n[0]) return n;
    const char *base = strrchr(km->src, '/');
    base = base ? base + 1 : km->src;
    size_t len = strcspn(base, ".");
    if (len == 0 || len > NAME_MAX_LEN || !rnn_utf8_valid(base, len, NULL)) return "keras model";
    memcpy(km->file_name, base, len);
    km->file_name[len] = '\0';
    return km->file_name;
}

static int build_model(const H5Store *st, KerasModel *km, RnnModel **out, IoKerasInfo *info,
                       RnnError *err) {
    Chain ch;
    RnnConfig c;
    Planned plan[MAX_PLANNED];
    int np = 0;
    RnnError inner;
    if (read_chain(km, &ch, err) || plan_model(st, km, &ch, &c, plan, &np, err)) return -1;
    if (rnn_config_check(&c, &inner))
        return rnn_error_set(err, "%s: rnnscope cannot run this model: %s", km->src, inner.message);
    size_t params = rnn_config_num_params(&c);
    if (params > KERAS_MAX_PARAMS)
        return rnn_error_set(err, "%s: the model has %zu parameters; rnnscope reads up to %zu",
                             km->src, params, (size_t)KERAS_MAX_PARAMS);
    RnnModel *m = rnn_model_new(&c, &inner);
    if (!m) return rnn_error_set(err, "%s: %s", km->src, inner.message);
    size_t most = 0;
    for (int i = 0; i < np; i++) {
        size_t n = (size_t)plan[i].dims[0] * (size_t)(plan[i].rank == 2 ? plan[i].dims[1] : 1);
        if (n > most) most = n;
    }
    double *w = malloc((most ? most : 1) * sizeof *w);
    int rc = w ? 0 : rnn_error_set(err, "%s: out of memory", km->src);
    for (int i = 0; i < np && rc == 0; i++) {
        rc = read_weight(st, km, &plan[i], w, err);
        if (rc == 0) put_weight(m, &plan[i], w);
    }
    free(w);
    if (rc == 0) rc = rnn_model_set_name(m, model_name(km), err);
    /* the vocabulary stays "" (no words: the model reads token ids) until a tokenizer names
       it (io_keras_apply_tokenizer) */
    if (rc == 0) rc = name_labels(m, err);
    if (rc) {
        rnn_model_free(m);
        return -1;
    }
    if (info) {
        info->kind = km->kind;
        copy_name(info->keras_version, sizeof info->keras_version, km->version);
        copy_name(info->model_class, sizeof info->model_class, km->model_class);
        info->ignored_layers = ch.skipped;
        info->has_vocab = 0;
    }
    *out = m;
    return 0;
}

/* ---- the two kinds of file ------------------------------------------------------------------- */

static void set_version(KerasModel *km, const char *version, int keras3_default) {
    copy_name(km->version, sizeof km->version, version ? version : "");
    km->keras3 = version && version[0] ? strncmp(version, "3.", 2) == 0 : keras3_default;
}

/* A legacy full-model file: root attributes model_config and keras_version, the weights
 * under model_weights. */
static int parse_h5(const void *data, size_t len, KerasModel *km, RnnModel **out, IoKerasInfo *info,
                    RnnError *err) {
    H5Store st = {h5_open_image(data, len), 0, km->src};
    if (st.file < 0)
        return rnn_error_set(err, "%s: not a readable HDF5 file (cut short or damaged?)", km->src);
    char *config = NULL, *version = NULL;
    int rc = -1;
    char where[300];
    snprintf(where, sizeof where, "%s: model_config", km->src);
    int found = h5_attr_string(st.file, "model_config", KERAS_MAX_CONFIG, &config, km->src, err);
    if (found < 0) goto done;
    if (found > 0) {
        rnn_error_set(err,
                      "%s: an HDF5 file without a model_config: it holds weights only "
                      "(model.save_weights), and rnnscope needs the whole model: save it with "
                      "model.save(\"model.keras\") or model.save(\"model.h5\")",
                      km->src);
        goto done;
    }
    /* the version only picks hard_sigmoid's form: one that cannot be read is no version */
    RnnError ignored;
    if (h5_attr_string(st.file, "keras_version", 64, &version, km->src, &ignored) < 0)
        version = NULL;
    if (!version && h5_path_ok(st.file, "model_weights")) {
        hid_t g = H5Gopen2(st.file, "model_weights", H5P_DEFAULT);
        if (g >= 0) {
            if (h5_attr_string(g, "keras_version", 64, &version, km->src, &ignored) < 0)
                version = NULL;
            H5Gclose(g);
        }
    }
    set_version(km, version, 0);
    if (read_model_config(config, strlen(config), where, km, err)) goto done;
    if (!h5_path_ok(st.file, "model_weights")) {
        rnn_error_set(err, "%s: the file has a model_config but no model_weights", km->src);
        goto done;
    }
    rc = build_model(&st, km, out, info, err);
done:
    free(config);
    free(version);
    H5Fclose(st.file);
    return rc;
}

/* One entry of the zip, whole, at most max bytes; 1 when there is no such entry. */
static int zip_entry(zip_t *za, const char *name, size_t max, char **out, size_t *out_len,
                     const char *src, RnnError *err) {
    *out = NULL;
    zip_int64_t idx = zip_name_locate(za, name, 0);
    if (idx < 0) idx = zip_name_locate(za, name, ZIP_FL_NODIR); /* re-zipped inside a folder */
    if (idx < 0) return 1;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
        return rnn_error_set(err, "%s: %s: cannot read its size in the zip", src, name);
    if (st.size > max)
        return rnn_error_set(err, "%s: %s is %llu bytes; rnnscope reads up to %zu", src, name,
                             (unsigned long long)st.size, max);
    zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!f) return rnn_error_set(err, "%s: %s: %s", src, name, zip_strerror(za));
    char *buf = malloc((size_t)st.size + 1);
    size_t got = 0;
    int rc = 0;
    if (!buf) rc = rnn_error_set(err, "%s: out of memory", src);
    while (rc == 0 && got < st.size) {
        zip_int64_t n = zip_fread(f, buf + got, st.size - got);
        if (n < 0)
            rc = rnn_error_set(err, "%s: %s: %s", src, name, zip_file_strerror(f));
        else if (n == 0)
            rc = rnn_error_set(err, "%s: %s is cut short", src, name);
        else
            got += (size_t)n;
    }
    char extra;
    if (rc == 0 && zip_fread(f, &extra, 1) != 0) /* the end, where the checksum is checked */
        rc = rnn_error_set(err, "%s: %s: %s", src, name, zip_file_strerror(f));
    zip_fclose(f);
    if (rc) {
        free(buf);
        return -1;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    return 0;
}

/* A Keras 3 .keras zip (also tf.keras 2.13 to 2.15's): metadata.json, config.json and
 * model.weights.h5. */
static int parse_zip(const void *data, size_t len, KerasModel *km, RnnModel **out,
                     IoKerasInfo *info, RnnError *err) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *zs = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = zs ? zip_open_from_source(zs, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!za) {
        rnn_error_set(err, "%s: not a readable zip file: %s", km->src, zip_error_strerror(&ze));
        if (zs) zip_source_free(zs);
        zip_error_fini(&ze);
        return -1;
    }
    zip_error_fini(&ze);
    char *meta = NULL, *config = NULL, *weights = NULL, where[300];
    size_t meta_len = 0, config_len = 0, weights_len = 0;
    int rc = -1, found;
    cJSON *mj = NULL;
    found = zip_entry(za, "metadata.json", KERAS_MAX_METADATA, &meta, &meta_len, km->src, err);
    if (found < 0) goto done;
    if (meta) {
        snprintf(where, sizeof where, "%s: metadata.json", km->src);
        if (!(mj = io_json_parse(meta, meta_len, where, 1, "a JSON object", err))) goto done;
    }
    set_version(km, json_str(mj, "keras_version"), 1);
    found = zip_entry(za, "config.json", KERAS_MAX_CONFIG, &config, &config_len, km->src, err);
    if (found) {
        if (found > 0)
            rnn_error_set(err, "%s: a zip without config.json: not a .keras model file", km->src);
        goto done;
    }
    snprintf(where, sizeof where, "%s: config.json", km->src);
    if (read_model_config(config, config_len, where, km, err)) goto done;
    found =
        zip_entry(za, "model.weights.h5", IO_MAX_FILE_SIZE, &weights, &weights_len, km->src, err);
    if (found) {
        if (found > 0)
            rnn_error_set(err, "%s: no model.weights.h5 in the zip%s", km->src,
                          zip_name_locate(za, "model.weights.npz", 0) >= 0
                              ? " (its weights are in model.weights.npz, which rnnscope does "
                                "not read: save with the default weights format)"
                              : "");
        goto done;
    }
    H5Store st = {h5_open_image(weights, weights_len), 1, km->src};
    if (st.file < 0) {
        rnn_error_set(err, "%s: model.weights.h5 is not a readable HDF5 file", km->src);
        goto done;
    }
    rc = build_model(&st, km, out, info, err);
    H5Fclose(st.file);
done:
    cJSON_Delete(mj);
    free(meta);
    free(config);
    free(weights);
    zip_discard(za);
    return rc;
}

/* The read itself, in this process. */
static int parse_here(const void *data, size_t len, const char *source, RnnModel **out,
                      IoKerasInfo *info, RnnError *err) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    IoKerasKind kind = io_keras_kind(data, len);
    if (kind == IO_KERAS_NONE)
        return rnn_error_set(err, "%s: not a Keras file (a .keras zip or an HDF5 .h5 file)",
                             source);
    KerasModel *km = calloc(1, sizeof *km);
    if (!km) return rnn_error_set(err, "%s: out of memory", source);
    km->src = source;
    km->kind = kind;
    int rc = kind == IO_KERAS_ZIP ? parse_zip(data, len, km, out, info, err)
                                  : parse_h5(data, len, km, out, info, err);
    free(km);
    return rc;
}

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* ---- reading in a child process ---------------------------------------------------------------
 *
 * libhdf5 1.10 does not survive every damaged file: fuzzing found it reading past a buffer
 * while decoding an attribute, and looping for ever (guarded above, in h5_heaps_sane). So the
 * file is read in a child process (fork) that hands back the model through a pipe, as its
 * configuration, parameters, name and labels, or the message saying why it was refused. A
 * child that crashes, or takes longer than KERAS_CHILD_SECONDS, makes a refusal; rnnscope
 * goes on. The fuzz targets read in their own process (FUZZING_BUILD_MODE_UNSAFE_FOR_
 * PRODUCTION), where the sanitizers see rnnscope's own code. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define KERAS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define KERAS_SANITIZED 1
#endif
#endif
#ifndef KERAS_SANITIZED
#define KERAS_SANITIZED 0
#endif

#define KERAS_CHILD_SECONDS 60

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        c += k, n -= (size_t)k;
    }
    return 0;
}

static int write_string(int fd, const char *s) {
    size_t n = strlen(s);
    return write_all(fd, &n, sizeof n) || write_all(fd, s, n);
}

static void child_read(int fd, const void *data, size_t len, const char *source) {
    /* A crash ends the child, whatever the parent's handlers would do (a test framework's
       handler would jump back into the parent's code, here in the child). */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM};
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++) signal(fatal[i], SIG_DFL);
    alarm(KERAS_CHILD_SECONDS);
#if !KERAS_SANITIZED /* a sanitizer's shadow memory needs far more address space */
    /* libhdf5 allocates what a damaged file says a text's length is. A model's parameters
       are in the file (2 bytes each at least, 8 as doubles): copies of the file, the model
       and a tensor being read take under 12 times the file, and the libraries 512 MiB */
    rlim_t most = ((rlim_t)512 << 20) + 12 * (rlim_t)len;
    struct rlimit limit = {.rlim_cur = most, .rlim_max = most};
    struct rlimit now;
    if (getrlimit(RLIMIT_AS, &now) == 0 &&
        (now.rlim_cur == RLIM_INFINITY || now.rlim_cur > limit.rlim_cur))
        setrlimit(RLIMIT_AS, &limit);
#endif
    RnnModel *m = NULL;
    IoKerasInfo info;
    RnnError err;
    int rc = parse_here(data, len, source, &m, &info, &err);
    int bad = write_all(fd, &rc, sizeof rc);
    if (rc) {
        bad |= write_all(fd, err.message, sizeof err.message);
    } else {
        bad |= write_all(fd, &info, sizeof info) || write_all(fd, &m->config, sizeof m->config) ||
               write_all(fd, &m->num_params, sizeof m->num_params) ||
               write_all(fd, m->params, m->num_params * sizeof *m->params) ||
               write_string(fd, m->name);
        for (int k = 0; k < m->config.num_labels && !bad; k++) bad = write_string(fd, m->labels[k]);
    }
    _exit(bad ? 3 : 0); /* no atexit handlers: they are the parent's */
}

typedef struct Reader {
    const char *p, *end;
} Reader;

static int take(Reader *r, void *out, size_t n) {
    if ((size_t)(r->end - r->p) < n) return -1;
    memcpy(out, r->p, n);
    r->p += n;
    return 0;
}

static char *take_string(Reader *r) {
    size_t n;
    if (take(r, &n, sizeof n) || (size_t)(r->end - r->p) < n) return NULL;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    return s;
}

/* The model the child wrote, made again here. */
static int adopt(const char *buf, size_t n, const char *source, RnnModel **out, IoKerasInfo *info,
                 RnnError *err) {
    Reader r = {buf, buf + n};
    int rc;
    if (take(&r, &rc, sizeof rc)) return -2;
    if (rc) {
        if (take(&r, err->message, sizeof err->message)) return -2;
        err->message[sizeof err->message - 1] = '\0';
        return -1;
    }
    RnnConfig c;
    size_t num_params;
    if (take(&r, info, sizeof *info) || take(&r, &c, sizeof c) ||
        take(&r, &num_params, sizeof num_params))
        return -2;
    RnnModel *m = rnn_model_new(&c, err);
    if (!m) return -1;
    char *name = NULL;
    int bad = m->num_params != num_params || take(&r, m->params, num_params * sizeof *m->params) ||
              !(name = take_string(&r)) || rnn_model_set_name(m, name, err);
    for (int k = 0; k < c.num_labels && !bad; k++) {
        char *label = take_string(&r);
        bad = !label || rnn_model_set_label(m, k, label, err);
        free(label);
    }
    free(name);
    if (bad) {
        rnn_model_free(m);
        return -2;
    }
    (void)source;
    *out = m;
    return 0;
}

int io_keras_parse(const void *data, size_t len, const char *source, RnnModel **out,
                   IoKerasInfo *info, RnnError *err) {
    IoKerasInfo scratch;
    if (!info) info = &scratch;
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (io_keras_kind(data, len) == IO_KERAS_NONE)
        return parse_here(data, len, source, out, info, err);
    int fds[2];
    if (pipe(fds) != 0) return parse_here(data, len, source, out, info, err);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        return parse_here(data, len, source, out, info, err);
    }
    if (pid == 0) {
        close(fds[0]);
        child_read(fds[1], data, len, source);
    }
    close(fds[1]);
    /* what comes back is at most the parameters and a few texts */
    size_t cap = 1 << 16, n = 0, most = KERAS_MAX_PARAMS * sizeof(double) + ((size_t)64 << 20);
    char *buf = malloc(cap);
    int rc = buf ? 0 : rnn_error_set(err, "%s: out of memory", source);
    while (rc == 0) {
        if (n == cap) {
            char *grown = cap < most ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                rc = rnn_error_set(err, "%s: out of memory", source);
                break;
            }
            buf = grown, cap *= 2;
        }
        ssize_t k = read(fds[0], buf + n, cap - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (rc == 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            rc = adopt(buf, n, source, out, info, err);
        else
            rc = -2;
        if (rc == -2)
            rc = rnn_error_set(err,
                               WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
                                   ? "%s: reading it took too long: a damaged HDF5 file?"
                                   : "%s: the HDF5 library failed on this file: it is damaged "
                                     "or not a Keras file",
                               source);
    }
    free(buf);
    return rc;
}
#else
int io_keras_parse(const void *data, size_t len, const char *source, RnnModel **out,
                   IoKerasInfo *info, RnnError *err) {
    IoKerasInfo scratch;
    return parse_here(data, len, source, out, info ? info : &scratch, err);
}
#endif

#endif /* RNNSCOPE_HAVE_KERAS */
