/* io_model.c - the rnnscope-model v1 file: strict reading and exact, atomic writing.
 *
 * Parameter names and shapes are PyTorch state_dict names of a module with the children
 * `embedding` (nn.Embedding), `rnn` (nn.RNN / nn.LSTM / nn.GRU) and `head` (nn.Linear), so
 * a PyTorch model exports with {k: v.tolist() for k, v in m.state_dict().items()}. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include "io_keras.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keys[] = {"format",
                                         "version",
                                         "name",
                                         "cell",
                                         "nonlinearity",
                                         "input_size",
                                         "hidden_size",
                                         "num_layers",
                                         "bidirectional",
                                         "vocab",
                                         "head",
                                         "params",
                                         /* version 2: */ "framework",
                                         "layers",
                                         "dense",
                                         "vocab_size",
                                         "unk",
                                         "mask_zero"};

static int is_known_key(const char *key) {
    for (size_t i = 0; i < sizeof known_keys / sizeof *known_keys; i++)
        if (strcmp(key, known_keys[i]) == 0) return 1;
    return 0;
}

/* What a JSON value is, for messages: "a string", "an array of 3", "true", ... */
static const char *kind_of(const cJSON *v, char *buf, size_t size) {
    if (!v) return "nothing";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) {
        snprintf(buf, size, "%.17g", v->valuedouble);
        return buf;
    }
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) {
        snprintf(buf, size, "an array of %d", cJSON_GetArraySize(v));
        return buf;
    }
    return "an object";
}

/* A cJSON value as JSON text, numbers written so they read back as the same double (cJSON's
 * own printer keeps 15 digits when it judges them close enough, which is not exact). */
static void put_json(IoBuf *b, const cJSON *v) {
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        int object = cJSON_IsObject(v);
        io_buf_puts(b, object ? "{" : "[");
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child) io_buf_puts(b, ",");
            if (object) {
                io_buf_json_string(b, c->string);
                io_buf_puts(b, ":");
            }
            put_json(b, c);
        }
        io_buf_puts(b, object ? "}" : "]");
    } else if (cJSON_IsString(v)) {
        io_buf_json_string(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        io_buf_double(b, v->valuedouble);
    } else {
        io_buf_puts(b, cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
    }
}

static char *json_text(const cJSON *v) {
    IoBuf b = {0};
    put_json(&b, v);
    if (b.failed) io_buf_free(&b);
    return b.data;
}

/* The first key that appears twice in an object, or NULL. The objects checked are small
 * (a model has at most a few dozen tensors); a huge one is refused by its caller's size
 * rules long before this matters, but cap the quadratic walk all the same. */
static const char *duplicate_key(const cJSON *object) {
    if (cJSON_GetArraySize(object) > 4096) return "(more than 4096 keys)";
    for (const cJSON *a = object->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0) return a->string;
    return NULL;
}

static int get_int(const cJSON *root, const char *key, int required, int fallback, int min, int max,
                   int *out, const char *src, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char kind[64];
    if (!v) {
        if (required) return rnn_error_set(err, "%s: %s: missing", src, key);
        *out = fallback;
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || !isfinite(v->valuedouble))
        return rnn_error_set(err, "%s: %s: expected a whole number, got %s", src, key,
                             kind_of(v, kind, sizeof kind));
    if (v->valuedouble < min || v->valuedouble > max)
        return rnn_error_set(err, "%s: %s: must be %d..%d, got %.17g", src, key, min, max,
                             v->valuedouble);
    *out = (int)v->valuedouble;
    return 0;
}

static int get_string(const cJSON *root, const char *key, int required, const char **out,
                      const char *src, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char kind[64];
    *out = NULL;
    if (!v) return required ? rnn_error_set(err, "%s: %s: missing", src, key) : 0;
    if (!cJSON_IsString(v))
        return rnn_error_set(err, "%s: %s: expected a string, got %s", src, key,
                             kind_of(v, kind, sizeof kind));
    *out = v->valuestring;
    return 0;
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* An array of distinct non-empty strings (vocab or labels); *out points into the JSON. */
static int get_word_list(const cJSON *list, const char *key, int min_count, const char ***out,
                         int *count, const char *src, RnnError *err) {
    char kind[64];
    *out = NULL;
    if (!cJSON_IsArray(list))
        return rnn_error_set(err, "%s: %s: expected an array of strings, got %s", src, key,
                             kind_of(list, kind, sizeof kind));
    int n = cJSON_GetArraySize(list);
    if (n < min_count || n > (strcmp(key, "vocab") == 0 ? RNN_MAX_VOCAB : RNN_MAX_SIZE))
        return rnn_error_set(err, "%s: %s: must have %d..%d entries, got %d", src, key, min_count,
                             strcmp(key, "vocab") == 0 ? RNN_MAX_VOCAB : RNN_MAX_SIZE, n);
    const char **words = malloc((size_t)n * sizeof *words);
    const char ***sorted = malloc((size_t)n * sizeof *sorted);
    if (!words || !sorted) {
        free(words), free(sorted);
        return rnn_error_set(err, "%s: out of memory", src);
    }
    int i = 0;
    for (const cJSON *v = list->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
            rnn_error_set(err, "%s: %s[%d]: expected a non-empty string, got %s", src, key, i,
                          cJSON_IsString(v) ? "\"\"" : kind_of(v, kind, sizeof kind));
            free(words), free(sorted);
            return -1;
        }
        if (!rnn_utf8_valid(v->valuestring, strlen(v->valuestring), NULL)) {
            rnn_error_set(err, "%s: %s[%d]: not valid UTF-8", src, key, i);
            free(words), free(sorted);
            return -1;
        }
        words[i] = v->valuestring;
        sorted[i] = &words[i];
    }
    /* Sort pointers to the entries so duplicates sit side by side, then name both indices. */
    qsort(sorted, (size_t)n, sizeof *sorted, compare_strings);
    for (i = 1; i < n; i++) {
        if (strcmp(*sorted[i - 1], *sorted[i]) == 0) {
            long a = sorted[i - 1] - words, b = sorted[i] - words;
            rnn_error_set(err, "%s: %s[%ld]: duplicate entry \"%s\" (also %s[%ld])", src, key,
                          a > b ? a : b, *sorted[i], key, a > b ? b : a);
            free(words), free(sorted);
            return -1;
        }
    }
    free(sorted);
    *out = words;
    *count = n;
    return 0;
}

static void shape_text(const RnnTensorInfo *t, char *buf, size_t size) {
    if (t->cols)
        snprintf(buf, size, "%dx%d", t->rows, t->cols);
    else
        snprintf(buf, size, "%d", t->rows);
}

/* Checks that value has tensor t's shape and holds finite numbers; copies them to dst when
 * dst != NULL. Messages name the tensor and the first offending element. */
static int read_tensor(const cJSON *value, const RnnTensorInfo *t, double *dst, const char *src,
                       RnnError *err) {
    char want[48], kind[64];
    shape_text(t, want, sizeof want);
    if (!cJSON_IsArray(value))
        return rnn_error_set(err, "%s: %s: expected %s numbers, got %s", src, t->name, want,
                             kind_of(value, kind, sizeof kind));
    int rows = cJSON_GetArraySize(value);
    const cJSON *first = value->child;
    if (t->cols == 0) {
        if (cJSON_IsArray(first))
            return rnn_error_set(err, "%s: %s: expected a vector of %d, got %dx%d", src, t->name,
                                 t->rows, rows, cJSON_GetArraySize(first));
    } else if (rows && !cJSON_IsArray(first)) {
        return rnn_error_set(err, "%s: %s: expected %s, got a vector of %d", src, t->name, want,
                             rows);
    }
    if (t->cols) { /* every row as wide as the first; a ragged matrix names its odd row */
        int width = rows ? (cJSON_IsArray(first) ? cJSON_GetArraySize(first) : -1) : 0, r = 0;
        for (const cJSON *row = first; row; row = row->next, r++) {
            int w = cJSON_IsArray(row) ? cJSON_GetArraySize(row) : -1;
            if (w == width) continue;
            if (w < 0)
                return rnn_error_set(err, "%s: %s: expected %s, but row %d is %s", src, t->name,
                                     want, r, kind_of(row, kind, sizeof kind));
            return rnn_error_set(err,
                                 "%s: %s: expected %s, but row %d has %d value(s) and "
                                 "row 0 has %d",
                                 src, t->name, want, r, w, width);
        }
        if (rows != t->rows || width != t->cols)
            return rnn_error_set(err, "%s: %s: expected %s, got %dx%d", src, t->name, want, rows,
                                 width);
    }
    if (!t->cols && rows != t->rows)
        return rnn_error_set(err, "%s: %s: expected %s, got %d", src, t->name, want, rows);
    size_t k = 0;
    int r = 0;
    for (const cJSON *row = first; row; row = row->next, r++) {
        const cJSON *cells = t->cols ? row->child : row;
        int c = 0;
        for (const cJSON *v = cells; v; v = t->cols ? v->next : NULL, c++) {
            char where[32];
            if (t->cols)
                snprintf(where, sizeof where, "[%d][%d]", r, c);
            else
                snprintf(where, sizeof where, "[%d]", r);
            if (!cJSON_IsNumber(v))
                return rnn_error_set(err, "%s: %s%s: expected a number, got %s", src, t->name,
                                     where, kind_of(v, kind, sizeof kind));
            if (!isfinite(v->valuedouble))
                return rnn_error_set(err, "%s: %s%s: not a finite number", src, t->name, where);
            if (dst) dst[k] = v->valuedouble;
            k++;
        }
    }
    return 0;
}

static int get_bool(const cJSON *obj, const char *key, int fallback, int *out, const char *src,
                    RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char kind[64];
    *out = fallback;
    if (!v) return 0;
    if (!cJSON_IsBool(v))
        return rnn_error_set(err, "%s: %s: expected true or false, got %s", src, key,
                             kind_of(v, kind, sizeof kind));
    *out = cJSON_IsTrue(v);
    return 0;
}

/* An activation by name, from the ones allowed here (a NULL-terminated list for messages). */
static int get_activation(const cJSON *obj, const char *key, RnnActivation fallback,
                          const RnnActivation *allowed, int nallowed, RnnActivation *out,
                          const char *src, RnnError *err) {
    const char *s;
    *out = fallback;
    if (get_string(obj, key, 0, &s, src, err)) return -1;
    if (!s) return 0;
    RnnActivation a;
    int ok = rnn_activation_from_name(s, &a) == 0;
    for (int i = 0; ok && i < nallowed; i++)
        if (allowed[i] == a) {
            *out = a;
            return 0;
        }
    char list[160] = "";
    for (int i = 0; i < nallowed; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "",
                 rnn_activation_name(allowed[i]));
    }
    return rnn_error_set(err, "%s: %s: expected one of %s, got \"%s\"", src, key, list, s);
}

/* Version 2's "tokenizer": {"kind": "keras", "lower": true, "filters": "...", "split": " "},
 * how the Keras Tokenizer the model was trained with splits a sentence. */
static int read_text_rule(const cJSON *root, RnnTextRule *rule, const char *src, RnnError *err) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "tokenizer");
    char kind[64], where[600];
    memset(rule, 0, sizeof *rule);
    if (!t) return 0;
    snprintf(where, sizeof where, "%s: tokenizer", src);
    if (!cJSON_IsObject(t))
        return rnn_error_set(err, "%s: expected an object, got %s", where,
                             kind_of(t, kind, sizeof kind));
    const char *k, *filters, *split;
    if (get_string(t, "kind", 1, &k, where, err) ||
        get_string(t, "filters", 0, &filters, where, err) ||
        get_string(t, "split", 0, &split, where, err) ||
        get_bool(t, "lower", 1, &rule->lower, where, err))
        return -1;
    if (strcmp(k, "keras") != 0)
        return rnn_error_set(err, "%s: kind: expected \"keras\", got \"%s\"", where, k);
    if (filters && strlen(filters) >= sizeof rule->filters)
        return rnn_error_set(err, "%s: filters: at most %zu characters", where,
                             sizeof rule->filters - 1);
    for (const char *f = filters ? filters : ""; *f; f++)
        if ((unsigned char)*f >= 0x80)
            return rnn_error_set(err, "%s: filters: only ASCII characters are supported", where);
    if (split && (strlen(split) != 1 || (unsigned char)split[0] >= 0x80))
        return rnn_error_set(err, "%s: split: expected one ASCII character", where);
    rule->keras = 1;
    snprintf(rule->filters, sizeof rule->filters, "%s",
             filters ? filters : "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n");
    rule->split = split ? split[0] : ' ';
    return 0;
}

/* Version 2's "layers" (and "dense"), each object read with its index in messages. */
static int read_layers(const cJSON *root, RnnConfig *c, const char *src, RnnError *err) {
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    char kind[64], where[600];
    int n = cJSON_GetArraySize(layers);
    if (!cJSON_IsArray(layers) || n < 1 || n > RNN_MAX_LAYERS)
        return rnn_error_set(err, "%s: layers: expected an array of 1..%d recurrent layers, got %s",
                             src, RNN_MAX_LAYERS, kind_of(layers, kind, sizeof kind));
    c->num_layers = n;
    static const RnnActivation acts[] = {RNN_ACT_TANH, RNN_ACT_RELU};
    static const RnnActivation gates[] = {RNN_ACT_SIGMOID, RNN_ACT_HARD_SIGMOID,
                                          RNN_ACT_HARD_SIGMOID_K3};
    int l = 0;
    for (const cJSON *o = layers->child; o; o = o->next, l++) {
        RnnLayerConfig *lc = &c->layers[l];
        const char *s;
        snprintf(where, sizeof where, "%s: layers[%d]", src, l);
        if (!cJSON_IsObject(o))
            return rnn_error_set(err, "%s: expected an object, got %s", where,
                                 kind_of(o, kind, sizeof kind));
        if (get_string(o, "cell", 1, &s, where, err)) return -1;
        if (rnn_cell_from_name(s, &lc->cell))
            return rnn_error_set(err, "%s: cell: expected \"rnn\", \"lstm\" or \"gru\", got \"%s\"",
                                 where, s);
        if (get_int(o, "hidden_size", 1, 0, 1, RNN_MAX_SIZE, &lc->hidden_size, where, err) ||
            get_bool(o, "bidirectional", 0, &lc->bidirectional, where, err) ||
            get_bool(o, "reset_after", 1, &lc->reset_after, where, err) ||
            get_activation(o, "activation", RNN_ACT_TANH, acts, 2, &lc->activation, where, err) ||
            get_activation(o, "recurrent_activation", RNN_ACT_SIGMOID, gates, 3,
                           &lc->recurrent_activation, where, err) ||
            get_string(o, "merge", 0, &s, where, err))
            return -1;
        lc->merge = RNN_MERGE_CONCAT;
        if (s && rnn_merge_from_name(s, &lc->merge))
            return rnn_error_set(err,
                                 "%s: merge: expected \"concat\", \"sum\", \"mul\" or \"ave\", "
                                 "got \"%s\"",
                                 where, s);
    }
    const cJSON *dense = cJSON_GetObjectItemCaseSensitive(root, "dense");
    if (!dense) return 0;
    n = cJSON_GetArraySize(dense);
    if (!cJSON_IsArray(dense) || n > RNN_MAX_DENSE)
        return rnn_error_set(err, "%s: dense: expected an array of 0..%d Dense layers, got %s", src,
                             RNN_MAX_DENSE, kind_of(dense, kind, sizeof kind));
    static const RnnActivation dense_acts[] = {RNN_ACT_LINEAR, RNN_ACT_RELU, RNN_ACT_TANH,
                                               RNN_ACT_SIGMOID};
    c->num_dense = n;
    int j = 0;
    for (const cJSON *o = dense->child; o; o = o->next, j++) {
        snprintf(where, sizeof where, "%s: dense[%d]", src, j);
        if (!cJSON_IsObject(o))
            return rnn_error_set(err, "%s: expected an object, got %s", where,
                                 kind_of(o, kind, sizeof kind));
        if (get_int(o, "units", 1, 0, 1, RNN_MAX_SIZE, &c->dense[j].units, where, err) ||
            get_activation(o, "activation", RNN_ACT_LINEAR, dense_acts, 4, &c->dense[j].activation,
                           where, err))
            return -1;
    }
    return 0;
}

/* Reads the configuration from the top-level object. */
static int read_config(const cJSON *root, RnnConfig *c, int *version_out, const char *src,
                       RnnError *err) {
    const char *s;
    int version;
    memset(c, 0, sizeof *c);
    if (get_string(root, "format", 1, &s, src, err)) return -1;
    if (strcmp(s, IO_MODEL_FORMAT) != 0)
        return rnn_error_set(err, "%s: format: expected \"%s\", got \"%s\"", src, IO_MODEL_FORMAT,
                             s);
    if (get_int(root, "version", 1, 0, -1000000, 1000000, &version, src, err)) return -1;
    if (version != 1 && version != IO_MODEL_VERSION)
        return rnn_error_set(err, "%s: version: this rnnscope reads versions 1 and %d, got %d", src,
                             IO_MODEL_VERSION, version);
    *version_out = version;
    if (version == 2) {
        if (get_string(root, "framework", 0, &s, src, err)) return -1;
        if (s && strcmp(s, "pytorch") != 0 && strcmp(s, "keras") != 0)
            return rnn_error_set(
                err, "%s: framework: expected \"pytorch\" or \"keras\", got \"%s\"", src, s);
        c->framework = s && strcmp(s, "keras") == 0 ? RNN_KERAS : RNN_PYTORCH;
        return get_int(root, "input_size", 1, 0, 1, RNN_MAX_SIZE, &c->input_size, src, err) ||
                       get_bool(root, "mask_zero", 0, &c->mask_zero, src, err) ||
                       read_layers(root, c, src, err)
                   ? -1
                   : 0;
    }
    if (get_string(root, "cell", 1, &s, src, err)) return -1;
    if (rnn_cell_from_name(s, &c->cell))
        return rnn_error_set(err, "%s: cell: expected \"rnn\", \"lstm\" or \"gru\", got \"%s\"",
                             src, s);
    if (get_string(root, "nonlinearity", 0, &s, src, err)) return -1;
    if (s && strcmp(s, "tanh") != 0 && strcmp(s, "relu") != 0)
        return rnn_error_set(err, "%s: nonlinearity: expected \"tanh\" or \"relu\", got \"%s\"",
                             src, s);
    c->nonlinearity = s && strcmp(s, "relu") == 0 ? RNN_RELU : RNN_TANH;
    if (c->nonlinearity == RNN_RELU && c->cell != RNN_CELL_RNN)
        return rnn_error_set(err, "%s: nonlinearity: relu exists only for the rnn cell", src);
    if (get_int(root, "input_size", 1, 0, 1, RNN_MAX_SIZE, &c->input_size, src, err) ||
        get_int(root, "hidden_size", 1, 0, 1, RNN_MAX_SIZE, &c->hidden_size, src, err) ||
        get_int(root, "num_layers", 0, 1, 1, RNN_MAX_LAYERS, &c->num_layers, src, err))
        return -1;
    const cJSON *bi = cJSON_GetObjectItemCaseSensitive(root, "bidirectional");
    char kind[64];
    if (bi && !cJSON_IsBool(bi))
        return rnn_error_set(err, "%s: bidirectional: expected true or false, got %s", src,
                             kind_of(bi, kind, sizeof kind));
    c->bidirectional = cJSON_IsTrue(bi);
    return 0;
}

/* Reads the optional head object: kind and labels. */
static int read_head(const cJSON *root, int version, RnnConfig *c, const char ***labels,
                     const char *src, RnnError *err) {
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(root, "head");
    char kind[64];
    *labels = NULL;
    if (!head) return 0;
    if (!cJSON_IsObject(head))
        return rnn_error_set(err, "%s: head: expected an object, got %s", src,
                             kind_of(head, kind, sizeof kind));
    const char *s;
    if (get_string(head, "kind", 1, &s, src, err)) {
        /* name the key as head.kind */
        return rnn_error_set(err, "%s: head.kind: %s", src,
                             cJSON_GetObjectItemCaseSensitive(head, "kind")
                                 ? "expected a string"
                                 : "missing (\"many-to-one\", \"many-to-many\" or "
                                   "\"regression\")");
    }
    if (rnn_head_from_name(s, &c->head) || c->head == RNN_HEAD_NONE)
        return rnn_error_set(err,
                             "%s: head.kind: expected \"many-to-one\", \"many-to-many\" or "
                             "\"regression\", got \"%s\"",
                             src, s);
    c->head_activation = c->head == RNN_HEAD_REGRESSION ? RNN_ACT_LINEAR : RNN_ACT_SOFTMAX;
    if (version == 2) {
        static const RnnActivation acts[] = {RNN_ACT_SOFTMAX, RNN_ACT_SIGMOID, RNN_ACT_LINEAR,
                                             RNN_ACT_RELU, RNN_ACT_TANH};
        char where[600];
        snprintf(where, sizeof where, "%s: head", src);
        if (get_activation(head, "activation", c->head_activation, acts, 5, &c->head_activation,
                           where, err))
            return -1;
    } else if (cJSON_GetObjectItemCaseSensitive(head, "activation")) {
        return rnn_error_set(err, "%s: head.activation: needs version 2", src);
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(head, "labels");
    if (!list) return rnn_error_set(err, "%s: head.labels: missing", src);
    /* a softmax needs two classes; a sigmoid head (one yes/no per label) or a regression head
     * names one or more outputs */
    return get_word_list(list, "head.labels", c->head_activation == RNN_ACT_SOFTMAX ? 2 : 1, labels,
                         &c->num_labels, src, err);
}

/* "vocab": the word list, which must hold "<unk>" in version 1; sets c->vocab_size. Version 2
 * may give "vocab_size" instead (an embedding read by token ids only), and names the entry
 * that stands for unknown words with "unk" ("<unk>" when it has one). */
static int read_vocab(const cJSON *root, int version, RnnConfig *c, const char ***vocab,
                      const char *src, RnnError *err) {
    const cJSON *vocab_json = cJSON_GetObjectItemCaseSensitive(root, "vocab");
    if (version == 2) {
        int has_size = cJSON_GetObjectItemCaseSensitive(root, "vocab_size") != NULL;
        if (has_size && vocab_json)
            return rnn_error_set(err, "%s: vocab_size: give either vocab or vocab_size", src);
        if (has_size)
            return get_int(root, "vocab_size", 1, 0, 1, RNN_MAX_VOCAB, &c->vocab_size, src, err);
        return vocab_json ? get_word_list(vocab_json, "vocab", 1, vocab, &c->vocab_size, src, err)
                          : 0;
    }
    if (vocab_json) {
        if (get_word_list(vocab_json, "vocab", 1, vocab, &c->vocab_size, src, err)) return -1;
        int has_unk = 0;
        for (int i = 0; i < c->vocab_size; i++) has_unk |= strcmp((*vocab)[i], "<unk>") == 0;
        if (!has_unk) {
            rnn_error_set(err, "%s: vocab: needs an \"<unk>\" entry for unknown words", src);
            return -1;
        }
    }
    return 0;
}

/* "params" holds every tensor of configuration c with its shape, and nothing else: checked
 * before anything of the tensors' size is allocated. */
static int check_params(const cJSON *params, const RnnConfig *c, const char *src, RnnError *err) {
    const char *dup = duplicate_key(params);
    if (dup) {
        rnn_error_set(err, "%s: params: %s appears twice", src, dup);
        return -1;
    }
    int ntensors = rnn_tensor_count(c);
    for (int i = 0; i < ntensors; i++) {
        RnnTensorInfo t = rnn_tensor_info(c, i);
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(params, t.name);
        char want[48];
        shape_text(&t, want, sizeof want);
        if (!value) {
            rnn_error_set(err, "%s: params: missing tensor %s (expected %s)", src, t.name, want);
            return -1;
        }
        if (read_tensor(value, &t, NULL, src, err)) return -1;
    }
    for (const cJSON *p = params->child; p; p = p->next) {
        int expected = 0;
        for (int i = 0; i < ntensors && !expected; i++)
            expected = strcmp(rnn_tensor_info(c, i).name, p->string) == 0;
        if (!expected) {
            const char *why = strncmp(p->string, "embedding.", 10) == 0
                                  ? " (the model has no vocab)"
                              : strncmp(p->string, "head.", 5) == 0 ? " (the model has no head)"
                                                                    : "";
            rnn_error_set(err,
                          "%s: params: unexpected tensor %s for this %s model with %d "
                          "layer(s)%s%s",
                          src, p->string, rnn_cell_name(c->cell), c->num_layers,
                          c->bidirectional ? ", bidirectional" : "", why);
            return -1;
        }
    }
    return 0;
}

/* The top-level keys this reader does not know, as a JSON object text (malloc'd). */
static char *unknown_keys(const cJSON *root) {
    cJSON *extra = cJSON_CreateObject();
    for (const cJSON *item = root->child; item && extra; item = item->next) {
        if (is_known_key(item->string)) continue;
        cJSON *copy = cJSON_Duplicate(item, 1);
        if (!copy) break;
        cJSON_AddItemToObject(extra, item->string, copy);
    }
    char *text = extra ? json_text(extra) : NULL;
    cJSON_Delete(extra);
    return text;
}

int io_model_parse(const char *text, size_t len, const char *src, RnnModel **out, char **extras,
                   RnnError *err) {
    *out = NULL;
    if (extras) *extras = NULL;
    cJSON *root = io_json_parse(text, len, src, 1, "a JSON model", err);
    if (!root) return -1;
    int rc = -1;
    RnnModel *m = NULL;
    const char **vocab = NULL, **labels = NULL;
    RnnConfig c;
    char kind[64];
    const char *dup;
    if (!cJSON_IsObject(root)) {
        rnn_error_set(err, "%s: expected a JSON object at the top, got %s", src,
                      kind_of(root, kind, sizeof kind));
        goto done;
    }
    if ((dup = duplicate_key(root))) {
        rnn_error_set(err, "%s: %s: the key appears twice", src, dup);
        goto done;
    }
    int version = 1;
    if (read_config(root, &c, &version, src, err) ||
        read_head(root, version, &c, &labels, src, err))
        goto done;
    if (read_vocab(root, version, &c, &vocab, src, err)) goto done;
    if (version == 2 && rnn_config_check(&c, err)) {
        char inner[RNN_ERROR_SIZE];
        snprintf(inner, sizeof inner, "%s", err ? err->message : "");
        rnn_error_set(err, "%s: %s", src, inner);
        goto done;
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (!cJSON_IsObject(params)) {
        rnn_error_set(err, "%s: params: %s", src,
                      params ? "expected an object of named tensors" : "missing");
        goto done;
    }
    if (check_params(params, &c, src, err)) goto done;
    m = rnn_model_new(&c, err);
    if (!m) goto done;
    for (int i = 0; i < rnn_tensor_count(&c); i++) {
        RnnTensorInfo t = rnn_tensor_info(&c, i);
        read_tensor(cJSON_GetObjectItemCaseSensitive(params, t.name), &t, m->params + t.offset, src,
                    err);
    }
    const char *name;
    if (get_string(root, "name", 0, &name, src, err)) goto done;
    if (name && !rnn_utf8_valid(name, strlen(name), NULL)) {
        rnn_error_set(err, "%s: name: not valid UTF-8", src);
        goto done;
    }
    if (rnn_model_set_name(m, name ? name : "model", err)) goto done;
    for (int i = 0; vocab && i < c.vocab_size; i++)
        if (rnn_model_set_vocab(m, i, vocab[i], err)) goto done;
    for (int i = 0; i < c.num_labels; i++)
        if (rnn_model_set_label(m, i, labels[i], err)) goto done;
    if (vocab && rnn_model_index_vocab(m, err)) goto done;
    if (version == 2 && read_text_rule(root, &m->text_rule, src, err)) goto done;
    const char *unk;
    if (get_string(root, "unk", 0, &unk, src, err)) goto done;
    if (unk) {
        int id = -1;
        for (int i = 0; vocab && i < c.vocab_size && id < 0; i++)
            if (strcmp(vocab[i], unk) == 0) id = i;
        if (id < 0) {
            rnn_error_set(err, "%s: unk: \"%s\" is not in the vocab", src, unk);
            goto done;
        }
        m->unk_id = id;
    }

    if (extras) {
        if (!(*extras = unknown_keys(root))) {
            rnn_error_set(err, "%s: out of memory", src);
            goto done;
        }
    }
    *out = m;
    m = NULL;
    rc = 0;
done:
    rnn_model_free(m);
    free(vocab);
    free(labels);
    cJSON_Delete(root);
    return rc;
}

int io_model_load(const char *path, RnnModel **out, char **extras, RnnError *err) {
    char *text;
    size_t len;
    *out = NULL;
    if (extras) *extras = NULL;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &text, &len, err)) return -1;
    int rc;
    if (io_keras_kind(text, len) != IO_KERAS_NONE) { /* a .keras zip or a Keras .h5 file */
        rc = io_keras_parse(text, len, path, out, NULL, err);
        if (rc == 0 && extras && !(*extras = strdup("{}"))) {
            rnn_model_free(*out);
            *out = NULL;
            rc = rnn_error_set(err, "%s: out of memory", path);
        }
    } else {
        rc = io_model_parse(text, len, path, out, extras, err);
    }
    free(text);
    return rc;
}

/* ---- writing -------------------------------------------------------------------------------- */

static void put_string_list(IoBuf *b, char *const *words, int n) {
    io_buf_puts(b, "[");
    for (int i = 0; i < n; i++) {
        if (i) io_buf_puts(b, ", ");
        io_buf_json_string(b, words[i]);
    }
    io_buf_puts(b, "]");
}

char *io_model_to_json(const RnnModel *m, const char *extras_json, RnnError *err) {
    const RnnConfig *c = &m->config;
    cJSON *extra = NULL;
    for (int i = 0; i < rnn_tensor_count(c); i++) {
        RnnTensorInfo t = rnn_tensor_info(c, i);
        for (size_t k = 0; k < rnn_tensor_size(&t); k++)
            if (!isfinite(m->params[t.offset + k])) {
                rnn_error_set(err, "%s holds a value that is not finite: refusing to save", t.name);
                return NULL;
            }
    }
    if (extras_json && extras_json[0]) {
        extra = cJSON_Parse(extras_json);
        if (!cJSON_IsObject(extra)) {
            cJSON_Delete(extra);
            rnn_error_set(err, "extra keys are not a JSON object");
            return NULL;
        }
    }
    IoBuf b = {0};
    int v1 = rnn_config_is_uniform(c) && c->framework == RNN_PYTORCH && !m->text_rule.keras &&
             (c->vocab_size == 0 || (m->unk_id >= 0 && strcmp(m->vocab[m->unk_id], "<unk>") == 0));
    io_buf_printf(&b, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"name\": ", IO_MODEL_FORMAT,
                  v1 ? 1 : 2);
    io_buf_json_string(&b, m->name);
    if (v1) {
        io_buf_printf(&b,
                      ",\n  \"cell\": \"%s\",\n  \"nonlinearity\": \"%s\",\n  \"input_size\": %d,\n"
                      "  \"hidden_size\": %d,\n  \"num_layers\": %d,\n  \"bidirectional\": %s",
                      rnn_cell_name(c->cell), c->nonlinearity == RNN_RELU ? "relu" : "tanh",
                      c->input_size, c->hidden_size, c->num_layers,
                      c->bidirectional ? "true" : "false");
    } else {
        io_buf_printf(&b, ",\n  \"framework\": \"%s\",\n  \"input_size\": %d",
                      c->framework == RNN_KERAS ? "keras" : "pytorch", c->input_size);
        if (c->mask_zero) io_buf_puts(&b, ",\n  \"mask_zero\": true");
        io_buf_puts(&b, ",\n  \"layers\": [");
        for (int l = 0; l < c->num_layers; l++) {
            const RnnLayerConfig *lc = &c->layers[l];
            io_buf_printf(&b,
                          "%s\n    {\"cell\": \"%s\", \"hidden_size\": %d, \"bidirectional\": %s, "
                          "\"merge\": \"%s\", \"activation\": \"%s\", \"recurrent_activation\": "
                          "\"%s\", \"reset_after\": %s}",
                          l ? "," : "", rnn_cell_name(lc->cell), lc->hidden_size,
                          lc->bidirectional ? "true" : "false", rnn_merge_name(lc->merge),
                          rnn_activation_name(lc->activation),
                          rnn_activation_name(lc->recurrent_activation),
                          lc->reset_after ? "true" : "false");
        }
        io_buf_puts(&b, "\n  ]");
        if (c->num_dense) {
            io_buf_puts(&b, ",\n  \"dense\": [");
            for (int j = 0; j < c->num_dense; j++)
                io_buf_printf(&b, "%s{\"units\": %d, \"activation\": \"%s\"}", j ? ", " : "",
                              c->dense[j].units, rnn_activation_name(c->dense[j].activation));
            io_buf_puts(&b, "]");
        }
    }
    int has_words = 0;
    for (int i = 0; i < c->vocab_size && !has_words; i++) has_words = m->vocab[i][0] != '\0';
    if (c->vocab_size && has_words) {
        io_buf_puts(&b, ",\n  \"vocab\": ");
        put_string_list(&b, m->vocab, c->vocab_size);
        if (!v1 && m->unk_id >= 0) {
            io_buf_puts(&b, ",\n  \"unk\": ");
            io_buf_json_string(&b, m->vocab[m->unk_id]);
        }
    } else if (c->vocab_size) {
        io_buf_printf(&b, ",\n  \"vocab_size\": %d", c->vocab_size);
    }
    if (m->text_rule.keras) {
        char split[2] = {m->text_rule.split, 0};
        io_buf_printf(&b, ",\n  \"tokenizer\": {\"kind\": \"keras\", \"lower\": %s, \"filters\": ",
                      m->text_rule.lower ? "true" : "false");
        io_buf_json_string(&b, m->text_rule.filters);
        io_buf_puts(&b, ", \"split\": ");
        io_buf_json_string(&b, split);
        io_buf_puts(&b, "}");
    }
    if (c->head != RNN_HEAD_NONE) {
        io_buf_printf(&b, ",\n  \"head\": {\"kind\": \"%s\", ", rnn_head_name(c->head));
        if (!v1)
            io_buf_printf(&b, "\"activation\": \"%s\", ", rnn_activation_name(c->head_activation));
        io_buf_puts(&b, "\"labels\": ");
        put_string_list(&b, m->labels, c->num_labels);
        io_buf_puts(&b, "}");
    }
    for (const cJSON *item = extra ? extra->child : NULL; item; item = item->next) {
        if (is_known_key(item->string)) continue;
        char *text = json_text(item);
        io_buf_puts(&b, ",\n  ");
        io_buf_json_string(&b, item->string);
        io_buf_puts(&b, ": ");
        if (text)
            io_buf_puts(&b, text);
        else
            b.failed = 1;
        free(text);
    }
    cJSON_Delete(extra);
    io_buf_puts(&b, ",\n  \"params\": {");
    for (int i = 0; i < rnn_tensor_count(c); i++) {
        RnnTensorInfo t = rnn_tensor_info(c, i);
        const double *data = m->params + t.offset;
        io_buf_puts(&b, i ? ",\n    " : "\n    ");
        io_buf_json_string(&b, t.name);
        io_buf_puts(&b, ": ");
        if (t.cols == 0) {
            io_buf_double_array(&b, data, (size_t)t.rows);
            continue;
        }
        io_buf_puts(&b, "[");
        for (int r = 0; r < t.rows; r++) {
            io_buf_puts(&b, r ? ",\n      " : "\n      ");
            io_buf_double_array(&b, data + (size_t)r * t.cols, (size_t)t.cols);
        }
        io_buf_puts(&b, "\n    ]");
    }
    io_buf_puts(&b, "\n  }\n}\n");
    if (b.failed) {
        io_buf_free(&b);
        rnn_error_set(err, "out of memory while writing the model");
        return NULL;
    }
    return b.data;
}

int io_model_save(const char *path, const RnnModel *m, const char *extras_json, RnnError *err) {
    RnnError inner;
    char *text = io_model_to_json(m, extras_json, &inner);
    if (!text) return rnn_error_set(err, "%s: %s", path, inner.message);
    int rc = io_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

char *io_json_object_set(const char *object_json, const char *key, const char *value_json,
                         RnnError *err) {
    cJSON *obj = object_json && object_json[0] ? cJSON_Parse(object_json) : cJSON_CreateObject();
    cJSON *value = cJSON_Parse(value_json);
    char *text = NULL;
    if (!cJSON_IsObject(obj) || !value) {
        rnn_error_set(err, "internal: not a JSON object or value");
    } else {
        if (cJSON_GetObjectItemCaseSensitive(obj, key))
            cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
        else
            cJSON_AddItemToObject(obj, key, value);
        value = NULL;
        text = json_text(obj);
        if (!text) rnn_error_set(err, "out of memory");
    }
    cJSON_Delete(value);
    cJSON_Delete(obj);
    return text;
}
