/* rnn_model.c - configuration, parameter counts, the model's single parameter buffer and
 * its PyTorch-named tensors. */
#define _POSIX_C_SOURCE 200809L
#include "rnn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rnn_error_set(RnnError *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- names ------------------------------------------------------------------------------ */

static const char *const cell_names[] = {"rnn", "lstm", "gru"};
static const char *const head_names[] = {"none", "many-to-one", "many-to-many", "regression"};
/* The gates of each cell, in PyTorch's row order (RNN_LSTM_*, RNN_GRU_*): short name,
 * textbook name, and whether a sigmoid squashes them into [0, 1]. */
typedef struct GateInfo {
    const char *name, *long_name;
    int sigmoid;
} GateInfo;
static const GateInfo gates[3][RNN_MAX_GATES] = {
    [RNN_CELL_RNN] = {{NULL, "new hidden state", 0}},
    [RNN_CELL_LSTM] = {[RNN_LSTM_I] = {"i", "input gate i", 1},
                       [RNN_LSTM_F] = {"f", "forget gate f", 1},
                       [RNN_LSTM_G] = {"g", "candidate g", 0},
                       [RNN_LSTM_O] = {"o", "output gate o", 1}},
    [RNN_CELL_GRU] = {[RNN_GRU_R] = {"r", "reset gate r", 1},
                      [RNN_GRU_Z] = {"z", "update gate z", 1},
                      [RNN_GRU_N] = {"n", "candidate n", 0}}};

int rnn_gate_count(RnnCellKind cell) {
    return cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 1;
}

const char *rnn_gate_name(RnnCellKind cell, int gate) {
    if (gate < 0 || gate >= rnn_gate_count(cell)) return NULL;
    return gates[cell][gate].name;
}

const char *rnn_gate_long_name(RnnCellKind cell, int gate) {
    if (gate < 0 || gate >= rnn_gate_count(cell)) return NULL;
    return gates[cell][gate].long_name;
}

int rnn_gate_is_sigmoid(RnnCellKind cell, int gate) {
    if (gate < 0 || gate >= rnn_gate_count(cell)) return 0;
    return gates[cell][gate].sigmoid;
}

const char *rnn_cell_name(RnnCellKind cell) {
    return cell_names[cell];
}

int rnn_cell_from_name(const char *name, RnnCellKind *out) {
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, cell_names[i]) == 0) {
            *out = (RnnCellKind)i;
            return 0;
        }
    }
    return -1;
}

const char *rnn_head_name(RnnHeadKind head) {
    return head_names[head];
}

int rnn_head_from_name(const char *name, RnnHeadKind *out) {
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, head_names[i]) == 0) {
            *out = (RnnHeadKind)i;
            return 0;
        }
    }
    return -1;
}

static const char *const activation_names[RNN_ACT_COUNT] = {
    "sigmoid", "tanh", "relu", "hard_sigmoid_keras2", "hard_sigmoid_keras3", "linear", "softmax"};
static const char *const merge_names[] = {"concat", "sum", "mul", "ave"};

const char *rnn_activation_name(RnnActivation act) {
    return (unsigned)act < RNN_ACT_COUNT ? activation_names[act] : "?";
}

int rnn_activation_from_name(const char *name, RnnActivation *out) {
    for (int i = 0; i < RNN_ACT_COUNT; i++) {
        if (strcmp(name, activation_names[i]) == 0) {
            *out = (RnnActivation)i;
            return 0;
        }
    }
    return -1;
}

const char *rnn_merge_name(RnnMerge merge) {
    return (unsigned)merge <= RNN_MERGE_AVE ? merge_names[merge] : "?";
}

int rnn_merge_from_name(const char *name, RnnMerge *out) {
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, merge_names[i]) == 0) {
            *out = (RnnMerge)i;
            return 0;
        }
    }
    return -1;
}

static int size_ok(int n) {
    return n >= 1 && n <= RNN_MAX_SIZE;
}

static RnnActivation default_head_activation(RnnHeadKind head) {
    return head == RNN_HEAD_REGRESSION ? RNN_ACT_LINEAR : RNN_ACT_SOFTMAX;
}

void rnn_config_normalize(RnnConfig *c) {
    int L = c->num_layers < 1 ? 1 : c->num_layers > RNN_MAX_LAYERS ? RNN_MAX_LAYERS : c->num_layers;
    if (c->layers[0].hidden_size == 0) { /* version 1: every layer as the summary says */
        for (int l = 0; l < RNN_MAX_LAYERS; l++) {
            RnnLayerConfig *lc = &c->layers[l];
            memset(lc, 0, sizeof *lc);
            if (l >= L) continue;
            lc->cell = c->cell;
            lc->hidden_size = c->hidden_size;
            lc->bidirectional = c->bidirectional;
            lc->merge = RNN_MERGE_CONCAT;
            lc->activation = c->nonlinearity == RNN_RELU ? RNN_ACT_RELU : RNN_ACT_TANH;
            lc->recurrent_activation = RNN_ACT_SIGMOID;
            lc->reset_after = 1;
        }
        c->num_dense = 0;
        c->head_activation = default_head_activation(c->head);
        return;
    }
    /* version 2: the summary from the layers */
    c->cell = c->layers[0].cell;
    c->nonlinearity = c->layers[0].activation == RNN_ACT_RELU ? RNN_RELU : RNN_TANH;
    c->hidden_size = 0;
    c->bidirectional = 0;
    for (int l = 0; l < L; l++) {
        if (c->layers[l].hidden_size > c->hidden_size) c->hidden_size = c->layers[l].hidden_size;
        c->bidirectional |= c->layers[l].bidirectional != 0;
    }
}

int rnn_config_is_uniform(const RnnConfig *config) {
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    if (c->num_dense || c->mask_zero || c->head_activation != default_head_activation(c->head))
        return 0;
    for (int l = 0; l < c->num_layers; l++) {
        const RnnLayerConfig *lc = &c->layers[l];
        RnnActivation act = c->nonlinearity == RNN_RELU ? RNN_ACT_RELU : RNN_ACT_TANH;
        if (lc->cell != c->cell || lc->hidden_size != c->hidden_size ||
            lc->bidirectional != c->bidirectional || lc->merge != RNN_MERGE_CONCAT ||
            lc->activation != act || (lc->cell != RNN_CELL_RNN && act != RNN_ACT_TANH) ||
            (lc->cell != RNN_CELL_RNN && lc->recurrent_activation != RNN_ACT_SIGMOID) ||
            (lc->cell == RNN_CELL_GRU && !lc->reset_after))
            return 0;
    }
    return 1;
}

int rnn_config_check_uniform(const RnnConfig *c, RnnError *err) {
    if (rnn_config_check(c, err)) return -1;
    if (rnn_config_is_uniform(c)) return 0;
    return rnn_error_set(err, "training and the backward pass cover the models version 1 "
                              "describes (one cell kind and size for every layer, sigmoid gates, "
                              "tanh, PyTorch's GRU, both directions side by side, one softmax or "
                              "linear head, no masking); this model's forward pass only");
}

static int check_layer(const RnnLayerConfig *lc, int l, RnnError *err) {
    if ((unsigned)lc->cell > RNN_CELL_GRU) return rnn_error_set(err, "layer %d: unknown cell", l);
    if (!size_ok(lc->hidden_size))
        return rnn_error_set(err, "layer %d: hidden_size must be 1..%d, got %d", l, RNN_MAX_SIZE,
                             lc->hidden_size);
    if (lc->bidirectional != 0 && lc->bidirectional != 1)
        return rnn_error_set(err, "layer %d: bidirectional must be true or false", l);
    if ((unsigned)lc->merge > RNN_MERGE_AVE)
        return rnn_error_set(err, "layer %d: unknown merge mode", l);
    if (lc->activation != RNN_ACT_TANH && lc->activation != RNN_ACT_RELU)
        return rnn_error_set(err, "layer %d: activation must be tanh or relu, got %s", l,
                             rnn_activation_name(lc->activation));
    if (lc->cell != RNN_CELL_RNN && lc->recurrent_activation != RNN_ACT_SIGMOID &&
        lc->recurrent_activation != RNN_ACT_HARD_SIGMOID &&
        lc->recurrent_activation != RNN_ACT_HARD_SIGMOID_K3)
        return rnn_error_set(err,
                             "layer %d: recurrent_activation must be sigmoid or a hard sigmoid, "
                             "got %s",
                             l, rnn_activation_name(lc->recurrent_activation));
    if (lc->reset_after != 0 && lc->reset_after != 1)
        return rnn_error_set(err, "layer %d: reset_after must be true or false", l);
    return 0;
}

int rnn_config_check(const RnnConfig *config, RnnError *err) {
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    if ((unsigned)c->cell > RNN_CELL_GRU) return rnn_error_set(err, "unknown cell kind");
    if ((unsigned)c->nonlinearity > RNN_RELU) return rnn_error_set(err, "unknown nonlinearity");
    if (config->layers[0].hidden_size == 0 && c->nonlinearity == RNN_RELU &&
        c->cell != RNN_CELL_RNN)
        return rnn_error_set(err, "nonlinearity relu is only defined for the vanilla rnn cell");
    if (!size_ok(c->input_size))
        return rnn_error_set(err, "input_size must be 1..%d, got %d", RNN_MAX_SIZE, c->input_size);
    if (!size_ok(c->hidden_size))
        return rnn_error_set(err, "hidden_size must be 1..%d, got %d", RNN_MAX_SIZE,
                             c->hidden_size);
    if (c->num_layers < 1 || c->num_layers > RNN_MAX_LAYERS)
        return rnn_error_set(err, "num_layers must be 1..%d, got %d", RNN_MAX_LAYERS,
                             c->num_layers);
    if (c->bidirectional != 0 && c->bidirectional != 1)
        return rnn_error_set(err, "bidirectional must be true or false");
    for (int l = 0; l < c->num_layers; l++)
        if (check_layer(&c->layers[l], l, err)) return -1;
    if (c->vocab_size < 0 || c->vocab_size > RNN_MAX_VOCAB)
        return rnn_error_set(err, "vocabulary size must be 0..%d, got %d", RNN_MAX_VOCAB,
                             c->vocab_size);
    if (c->mask_zero && c->vocab_size == 0)
        return rnn_error_set(err, "mask_zero needs an embedding (token id 0 is the padding)");
    if ((unsigned)c->head > RNN_HEAD_REGRESSION) return rnn_error_set(err, "unknown head kind");
    if (c->head == RNN_HEAD_NONE && (c->num_labels != 0 || c->num_dense != 0))
        return rnn_error_set(err, "a model without a head has no labels and no Dense layers");
    if (c->num_dense < 0 || c->num_dense > RNN_MAX_DENSE)
        return rnn_error_set(err, "at most %d Dense layers before the head, got %d", RNN_MAX_DENSE,
                             c->num_dense);
    for (int j = 0; j < c->num_dense; j++) {
        RnnActivation a = c->dense[j].activation;
        if (!size_ok(c->dense[j].units))
            return rnn_error_set(err, "dense layer %d: units must be 1..%d, got %d", j,
                                 RNN_MAX_SIZE, c->dense[j].units);
        if (a != RNN_ACT_LINEAR && a != RNN_ACT_RELU && a != RNN_ACT_TANH && a != RNN_ACT_SIGMOID)
            return rnn_error_set(err,
                                 "dense layer %d: activation must be linear, relu, tanh or "
                                 "sigmoid, got %s",
                                 j, rnn_activation_name(a));
    }
    if (c->head == RNN_HEAD_NONE) return 0;
    RnnActivation ha = c->head_activation;
    if ((unsigned)ha >= RNN_ACT_COUNT || ha == RNN_ACT_HARD_SIGMOID ||
        ha == RNN_ACT_HARD_SIGMOID_K3)
        return rnn_error_set(err, "the head's activation must be softmax, sigmoid, linear, relu or "
                                  "tanh");
    int classifier = ha == RNN_ACT_SOFTMAX || ha == RNN_ACT_SIGMOID;
    if (c->head == RNN_HEAD_REGRESSION && classifier)
        return rnn_error_set(err, "a regression head has no %s", rnn_activation_name(ha));
    if (c->head != RNN_HEAD_REGRESSION && !classifier && config->layers[0].hidden_size == 0)
        return rnn_error_set(err, "a classification head needs softmax");
    if (c->head == RNN_HEAD_REGRESSION && (c->num_labels < 1 || c->num_labels > RNN_MAX_SIZE))
        return rnn_error_set(err, "a regression head needs 1..%d outputs, got %d", RNN_MAX_SIZE,
                             c->num_labels);
    int min_labels = ha == RNN_ACT_SOFTMAX ? 2 : 1; /* one sigmoid output is a yes/no classifier */
    if (c->head != RNN_HEAD_REGRESSION &&
        (c->num_labels < min_labels || c->num_labels > RNN_MAX_SIZE))
        return rnn_error_set(err, "a classification head needs %d..%d labels, got %d", min_labels,
                             RNN_MAX_SIZE, c->num_labels);
    return 0;
}

/* ---- parameter counts ------------------------------------------------------------------- */

long long rnn_layer_param_count(RnnCellKind cell, int in, int hidden, RnnFramework fw) {
    long long G = rnn_gate_count(cell), H = hidden, I = in;
    if (fw == RNN_PYTORCH) return G * H * (I + H + 2);
    /* Keras keeps one bias per gate row, except GRU with reset_after=True (its default since
     * TF 2), which keeps an input bias and a recurrent bias like PyTorch. */
    if (cell == RNN_CELL_GRU) return G * H * (I + H + 2);
    return G * H * (I + H + 1);
}

long long rnn_recurrent_param_count(const RnnConfig *config, RnnFramework fw) {
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    long long total = 0;
    for (int l = 0; l < c->num_layers; l++) {
        const RnnLayerConfig *lc = &c->layers[l];
        long long one =
            rnn_layer_param_count(lc->cell, rnn_layer_input_size(c, l), lc->hidden_size, fw);
        if (fw == RNN_KERAS && lc->cell == RNN_CELL_GRU && !lc->reset_after)
            one -= 3LL * lc->hidden_size; /* one bias vector */
        total += rnn_layer_directions(c, l) * one;
    }
    return total;
}

long long rnn_param_count(const RnnConfig *config, RnnFramework fw) {
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    long long total = (long long)c->vocab_size * c->input_size;
    total += rnn_recurrent_param_count(c, fw);
    int in = rnn_feature_size(c);
    for (int j = 0; j < c->num_dense; j++) {
        total += (long long)c->dense[j].units * (in + 1);
        in = c->dense[j].units;
    }
    if (c->head != RNN_HEAD_NONE) total += (long long)c->num_labels * (in + 1);
    return total;
}

/* ---- the model --------------------------------------------------------------------------- */

static char **new_string_array(int n) {
    char **a = calloc((size_t)n, sizeof *a);
    if (!a) return NULL;
    for (int i = 0; i < n; i++) {
        a[i] = calloc(1, 1);
        if (!a[i]) {
            for (int j = 0; j < i; j++) free(a[j]);
            free(a);
            return NULL;
        }
    }
    return a;
}

static void carve_params(RnnModel *m);

static void free_string_array(char **a, int n) {
    if (!a) return;
    for (int i = 0; i < n; i++) free(a[i]);
    free(a);
}

RnnModel *rnn_model_new(const RnnConfig *config, RnnError *err) {
    if (rnn_config_check(config, err)) return NULL;
    size_t n = rnn_config_num_params(config);
    /* One block: the struct, then the parameters, which start on a 16-byte boundary whatever
     * the struct's size: a gradient buffer laid out like them is found by the distance in
     * doubles (rnn_carve_like), which has to be whole. (A 32-bit build, the browser's, once had
     * a struct of 540 bytes, and every gradient read 4 bytes off.) */
    size_t head = (sizeof(RnnModel) + 15) / 16 * 16;
    RnnModel *m = calloc(1, head + n * sizeof(double));
    if (!m) {
        rnn_error_set(err, "out of memory for a model of %zu parameters", n);
        return NULL;
    }
    m->config = *config;
    rnn_config_normalize(&m->config);
    m->num_params = n;
    m->params = (double *)((char *)m + head);
    carve_params(m);
    m->unk_id = -1;
    m->name = strdup("model");
    if (config->vocab_size) m->vocab = new_string_array(config->vocab_size);
    if (config->num_labels) m->labels = new_string_array(config->num_labels);
    if (!m->name || (config->vocab_size && !m->vocab) || (config->num_labels && !m->labels)) {
        rnn_model_free(m);
        rnn_error_set(err, "out of memory");
        return NULL;
    }
    return m;
}

void rnn_model_free(RnnModel *m) {
    if (!m) return;
    free(m->vocab_slots);
    free(m->name);
    free_string_array(m->vocab, m->config.vocab_size);
    free_string_array(m->labels, m->config.num_labels);
    free(m);
}

static int replace_string(char **slot, const char *s, RnnError *err) {
    char *copy = strdup(s);
    if (!copy) return rnn_error_set(err, "out of memory");
    free(*slot);
    *slot = copy;
    return 0;
}

int rnn_model_set_name(RnnModel *m, const char *name, RnnError *err) {
    return replace_string(&m->name, name, err);
}

int rnn_model_set_vocab(RnnModel *m, int i, const char *word, RnnError *err) {
    if (i < 0 || i >= m->config.vocab_size) return rnn_error_set(err, "vocab index %d", i);
    free(m->vocab_slots); /* the index is stale until rnn_model_index_vocab */
    m->vocab_slots = NULL;
    return replace_string(&m->vocab[i], word, err);
}

int rnn_model_set_label(RnnModel *m, int i, const char *label, RnnError *err) {
    if (i < 0 || i >= m->config.num_labels) return rnn_error_set(err, "label index %d", i);
    return replace_string(&m->labels[i], label, err);
}

static size_t hash_word(const char *s) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 64-bit on every target */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

int rnn_model_index_vocab(RnnModel *m, RnnError *err) {
    int V = m->config.vocab_size;
    m->unk_id = -1;
    free(m->vocab_slots);
    m->vocab_slots = NULL;
    if (V == 0) return 0;
    size_t size = 16;
    while (size < 2 * (size_t)V) size *= 2;
    m->vocab_slots = malloc(size * sizeof *m->vocab_slots);
    if (!m->vocab_slots) return rnn_error_set(err, "out of memory");
    m->vocab_mask = size - 1;
    for (size_t k = 0; k < size; k++) m->vocab_slots[k] = -1;
    for (int i = 0; i < V; i++) {
        size_t k = hash_word(m->vocab[i]) & m->vocab_mask;
        while (m->vocab_slots[k] >= 0 && strcmp(m->vocab[m->vocab_slots[k]], m->vocab[i]) != 0)
            k = (k + 1) & m->vocab_mask;
        if (m->vocab_slots[k] < 0) m->vocab_slots[k] = i; /* a duplicate keeps the first */
        if (m->unk_id < 0 && strcmp(m->vocab[i], "<unk>") == 0) m->unk_id = i;
    }
    return 0;
}

int rnn_model_has_words(const RnnModel *m) {
    for (int i = 0; i < m->config.vocab_size; i++)
        if (m->vocab[i][0]) return 1;
    return 0;
}

int rnn_model_label_index(const RnnModel *m, const char *label) {
    for (int k = 0; k < m->config.num_labels; k++)
        if (strcmp(m->labels[k], label) == 0) return k;
    return -1;
}

int rnn_model_token_id(const RnnModel *m, const char *token) {
    if (!m->vocab_slots) { /* not indexed: a linear search gives the same answer */
        for (int i = 0; i < m->config.vocab_size; i++)
            if (strcmp(m->vocab[i], token) == 0) return i;
        return m->unk_id;
    }
    for (size_t k = hash_word(token) & m->vocab_mask; m->vocab_slots[k] >= 0;
         k = (k + 1) & m->vocab_mask)
        if (strcmp(m->vocab[m->vocab_slots[k]], token) == 0) return m->vocab_slots[k];
    return m->unk_id;
}

/* ---- named tensors ----------------------------------------------------------------------- */

int rnn_tensor_count(const RnnConfig *config) {
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    int count = (c->vocab_size ? 1 : 0) + (c->head != RNN_HEAD_NONE ? 2 : 0) + 2 * c->num_dense;
    for (int l = 0; l < c->num_layers; l++) count += 4 * rnn_layer_directions(c, l);
    return count;
}

/* Decodes a tensor index (state_dict order) into its name, shape and offset in the flat
 * parameter buffer; with a model, also returns the address of the pointer that names it. */
static RnnTensorInfo describe(const RnnConfig *config, RnnModel *m, int index, double ***slot) {
    RnnTensorInfo t = {{0}, 0, 0, 0};
    double **field = NULL;
    RnnConfig n = *config, *c = &n;
    rnn_config_normalize(c);
    if (c->vocab_size) {
        if (index == 0) {
            snprintf(t.name, sizeof t.name, "embedding.weight");
            t.rows = c->vocab_size, t.cols = c->input_size;
            field = m ? &m->embedding : NULL;
            goto done;
        }
        t.offset = (size_t)c->vocab_size * c->input_size;
        index--;
    }
    for (int l = 0; l < c->num_layers; l++) {
        size_t H = (size_t)rnn_layer_hidden(c, l), GH = (size_t)rnn_layer_gates(c, l) * H;
        size_t in = (size_t)rnn_layer_input_size(c, l);
        size_t sizes[4] = {GH * in, GH * H, GH, GH};
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            for (int k = 0; k < 4; k++, index--) {
                if (index == 0) {
                    static const char *const kinds[] = {"weight_ih", "weight_hh", "bias_ih",
                                                        "bias_hh"};
                    snprintf(t.name, sizeof t.name, "rnn.%s_l%d%s", kinds[k], l,
                             d ? "_reverse" : "");
                    t.rows = (int)GH, t.cols = k == 0 ? (int)in : k == 1 ? (int)H : 0;
                    if (m) {
                        RnnLayerParams *p = &m->layer[l][d];
                        double **fields[4] = {&p->weight_ih, &p->weight_hh, &p->bias_ih,
                                              &p->bias_hh};
                        field = fields[k];
                    }
                    goto done;
                }
                t.offset += sizes[k];
            }
        }
    }
    int in = rnn_feature_size(c);
    for (int j = 0; j < c->num_dense; j++) {
        int units = c->dense[j].units;
        for (int k = 0; k < 2; k++, index--) {
            if (index == 0) {
                snprintf(t.name, sizeof t.name, "dense.%d.%s", j, k ? "bias" : "weight");
                t.rows = units, t.cols = k ? 0 : in;
                field = m ? (k ? &m->dense_bias[j] : &m->dense_weight[j]) : NULL;
                goto done;
            }
            t.offset += k ? (size_t)units : (size_t)units * in;
        }
        in = units;
    }
    if (c->head != RNN_HEAD_NONE && index <= 1) {
        int K = c->num_labels;
        snprintf(t.name, sizeof t.name, index == 0 ? "head.weight" : "head.bias");
        t.rows = K, t.cols = index == 0 ? in : 0;
        t.offset += index == 0 ? 0 : (size_t)K * in;
        field = m ? (index == 0 ? &m->head_weight : &m->head_bias) : NULL;
    }
done:
    if (slot) *slot = field;
    return t;
}

RnnTensorInfo rnn_tensor_info(const RnnConfig *c, int index) {
    return describe(c, NULL, index, NULL);
}

size_t rnn_tensor_size(const RnnTensorInfo *t) {
    return (size_t)t->rows * (t->cols ? (size_t)t->cols : 1);
}

size_t rnn_config_num_params(const RnnConfig *c) {
    int n = rnn_tensor_count(c);
    RnnTensorInfo last = rnn_tensor_info(c, n - 1);
    return last.offset + rnn_tensor_size(&last);
}

/* Points every named tensor pointer of the model into its flat parameter buffer. */
static void carve_params(RnnModel *m) {
    for (int i = 0; i < rnn_tensor_count(&m->config); i++) {
        double **slot;
        RnnTensorInfo t = describe(&m->config, m, i, &slot);
        *slot = m->params + t.offset;
    }
}

RnnModel *rnn_model_copy(const RnnModel *src, RnnError *err) {
    const RnnConfig *c = &src->config;
    RnnModel *m = rnn_model_new(c, err);
    if (!m) return NULL;
    memcpy(m->params, src->params, src->num_params * sizeof *m->params);
    m->text_rule = src->text_rule;
    if (rnn_model_set_name(m, src->name, err)) goto fail;
    for (int i = 0; i < c->vocab_size; i++)
        if (rnn_model_set_vocab(m, i, src->vocab[i], err)) goto fail;
    for (int k = 0; k < c->num_labels; k++)
        if (rnn_model_set_label(m, k, src->labels[k], err)) goto fail;
    if (c->vocab_size && rnn_model_index_vocab(m, err)) goto fail;
    m->unk_id = src->unk_id; /* a Keras OOV word, not only "<unk>" */
    return m;
fail:
    rnn_model_free(m);
    return NULL;
}
