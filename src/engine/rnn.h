/* rnn.h - the rnnscope engine: vanilla RNN, LSTM and GRU cells, stacked and bidirectional
 * models, the forward pass that records a full trace, the tokenizer and parameter counts.
 *
 * C11 + libm only. Every quantity is a double. Equations and gate order follow PyTorch's
 * nn.RNN / nn.LSTM / nn.GRU exactly, so a model exported from PyTorch runs unchanged.
 *
 * Memory layout (llm.c style): a model owns one flat parameter buffer carved into named
 * pointers; a trace owns one flat activation buffer carved into named pointers. Shapes are
 * given in the comments, outermost first. */
#ifndef RNNSCOPE_RNN_H
#define RNNSCOPE_RNN_H

#include <stddef.h>
#include <stdint.h>

#define RNN_MAX_LAYERS     4
#define RNN_MAX_DIRECTIONS 2
#define RNN_MAX_GATES      4
#define RNN_MAX_SIZE       4096 /* largest input_size, hidden_size or label count accepted */
#define RNN_MAX_VOCAB      1000000
#define RNN_ERROR_SIZE     512

/* ---- errors ---------------------------------------------------------------------------- */

/* Library code never prints: it fills one of these and returns non-zero. */
typedef struct RnnError {
    char message[RNN_ERROR_SIZE];
} RnnError;

/* printf-style; a NULL err is allowed (the message is dropped). Returns -1 for `return`. */
int rnn_error_set(RnnError *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- configuration --------------------------------------------------------------------- */

typedef enum RnnFramework { RNN_PYTORCH, RNN_KERAS } RnnFramework;
typedef enum RnnCellKind { RNN_CELL_RNN, RNN_CELL_LSTM, RNN_CELL_GRU } RnnCellKind;
typedef enum RnnNonlinearity { RNN_TANH, RNN_RELU } RnnNonlinearity;
typedef enum RnnHeadKind {
    RNN_HEAD_NONE,
    RNN_HEAD_MANY_TO_ONE,  /* one softmax over labels from PyTorch's h_n of the top layer */
    RNN_HEAD_MANY_TO_MANY, /* one softmax per time step from the top layer's output at t */
    RNN_HEAD_REGRESSION,   /* K real numbers from h_n, no softmax; squared-error loss */
} RnnHeadKind;

/* The activations a layer can use. hard_sigmoid changed between Keras versions: Keras 2
 * (and tf.keras) compute clip(0.2 x + 0.5, 0, 1), Keras 3 computes relu6(x + 3) / 6 =
 * clip(x / 6 + 0.5, 0, 1); a file's keras_version says which one its model was trained with. */
typedef enum RnnActivation {
    RNN_ACT_SIGMOID,         /* 1 / (1 + e^-x) */
    RNN_ACT_TANH,            /* tanh x */
    RNN_ACT_RELU,            /* max(0, x) */
    RNN_ACT_HARD_SIGMOID,    /* Keras 2: clip(0.2 x + 0.5, 0, 1) */
    RNN_ACT_HARD_SIGMOID_K3, /* Keras 3: clip(x / 6 + 0.5, 0, 1) */
    RNN_ACT_LINEAR,          /* x */
    RNN_ACT_SOFTMAX,         /* over a layer's outputs (a Dense head only) */
} RnnActivation;
#define RNN_ACT_COUNT 7
/* "sigmoid", "tanh", "relu", "hard_sigmoid_keras2", "hard_sigmoid_keras3", "linear", "softmax" */
const char *rnn_activation_name(RnnActivation act);
int rnn_activation_from_name(const char *name, RnnActivation *out);
/* act(x) for one value; softmax is not elementwise and gives x. */
double rnn_activate(RnnActivation act, double x);
/* act'(x) written through the activation's output y = act(x) where it can be (σ: y(1 − y),
 * tanh: 1 − y², relu: [x > 0], hard sigmoids: their slope inside the clip, else 0). */
double rnn_activate_deriv(RnnActivation act, double x, double y);

/* How a bidirectional layer hands its two directions on (Keras's merge_mode): concat [h→; h←]
 * (PyTorch's only form), or element-wise h→ + h←, h→ ⊙ h←, (h→ + h←) / 2. */
typedef enum RnnMerge { RNN_MERGE_CONCAT, RNN_MERGE_SUM, RNN_MERGE_MUL, RNN_MERGE_AVE } RnnMerge;
const char *rnn_merge_name(RnnMerge merge); /* "concat", "sum", "mul", "ave" */
int rnn_merge_from_name(const char *name, RnnMerge *out);

/* One recurrent layer (rnnscope-model version 2: each layer has its own). */
typedef struct RnnLayerConfig {
    RnnCellKind cell;
    int hidden_size;                    /* H of this layer */
    int bidirectional;                  /* 0 or 1 */
    RnnMerge merge;                     /* bidirectional only; concat otherwise */
    RnnActivation activation;           /* tanh or relu: a vanilla RNN's h, an LSTM's candidate
                                           g and its squash of c, a GRU's candidate n */
    RnnActivation recurrent_activation; /* LSTM and GRU gates: sigmoid or a hard sigmoid */
    int reset_after;                    /* GRU: 1 = n = act(W_in x + b_in + r ⊙ (W_hn h + b_hn))
                                           (PyTorch, Keras >= 2.3's default); 0 = n = act(W_in x
                                           + b_in + W_hn (r ⊙ h) + b_hn) (Keras 2.2's default) */
} RnnLayerConfig;

/* A Dense layer between the recurrent layers and the head: units outputs, then act. */
typedef struct RnnDenseConfig {
    int units;
    RnnActivation activation; /* linear, relu, tanh, sigmoid */
} RnnDenseConfig;
#define RNN_MAX_DENSE 4

typedef struct RnnConfig {
    /* The whole model as version 1 describes it: one cell kind, size and direction count for
     * every layer. In a version 2 configuration (layers[0].hidden_size > 0) these are a
     * summary that rnn_config_normalize writes: layer 0's cell and nonlinearity, the largest
     * hidden size (the stride of the trace's arrays) and 1 if any layer is bidirectional.
     * Code that works for every model reads the layer's own values (rnn_layer_*). */
    RnnCellKind cell;
    RnnNonlinearity nonlinearity; /* vanilla RNN only; LSTM and GRU always use tanh */
    int input_size;               /* I: size of x_t fed to layer 0 */
    int hidden_size;              /* H */
    int num_layers;               /* L: 1..RNN_MAX_LAYERS */
    int bidirectional;            /* 0 or 1; D = 1 + bidirectional */
    int vocab_size;               /* V: 0 = no embedding, the model reads raw vectors */
    RnnHeadKind head;
    int num_labels; /* K: classes, or outputs of a regression head; 0 without a head */

    /* Version 2. All zero in a version 1 configuration: rnn_config_normalize then fills
     * layers from the fields above and head_activation from head (softmax, or linear for
     * regression). */
    RnnLayerConfig layers[RNN_MAX_LAYERS];
    int num_dense;                       /* hidden Dense layers before the head, 0..RNN_MAX_DENSE */
    RnnDenseConfig dense[RNN_MAX_DENSE]; /* in order; the first reads the head's feature */
    RnnActivation head_activation;       /* the head's: softmax, sigmoid (a yes/no classifier
                                            with one output per label), linear, relu, tanh */
    RnnFramework framework;              /* whose equations the explanations write: the model's
                                            own (PyTorch or Keras); the numbers are the same */
    int mask_zero;                       /* Keras Embedding(mask_zero=True): token id 0 is
                                            padding; a direction keeps its state over it */
} RnnConfig;

/* Fills a version 1 configuration's layers (and head_activation) from its summary fields, or
 * a version 2 configuration's summary fields from its layers. Idempotent. rnn_model_new and
 * rnn_trace_new keep a normalized copy, so a model's or trace's config is always normalized. */
void rnn_config_normalize(RnnConfig *config);
/* 1 when the normalized config is one version 1 can write: every layer equal to the summary
 * (tanh or, for a vanilla RNN, relu; sigmoid gates; GRU reset_after; concat), no Dense layers,
 * the head's default activation, no masking. Training, the backward pass and the batched
 * kernels need such a model. */
int rnn_config_is_uniform(const RnnConfig *config);
/* rnn_config_check, then an error saying so when the config is not uniform. */
int rnn_config_check_uniform(const RnnConfig *config, RnnError *err);

/* Gates per cell in PyTorch's row order of weight_ih: RNN 1 (the candidate h itself),
 * LSTM 4 (i, f, g, o), GRU 3 (r, z, n). Gate q of a cell is rows q*H .. q*H+H-1 of every
 * (G*H) gate vector: the forget gate of an LSTM is gate + RNN_LSTM_F * H. */
enum { RNN_LSTM_I, RNN_LSTM_F, RNN_LSTM_G, RNN_LSTM_O };
enum { RNN_GRU_R, RNN_GRU_Z, RNN_GRU_N };
int rnn_gate_count(RnnCellKind cell);
/* One table describes the gates (rnn_model.c). Short gate name ("i", "f", ...) and the
 * textbook name ("forget gate f", ...); NULL for a gate the cell does not have. RNN's single
 * "gate" is the new hidden state and has no short name: rnn_gate_name returns NULL for it. */
const char *rnn_gate_name(RnnCellKind cell, int gate);
const char *rnn_gate_long_name(RnnCellKind cell, int gate);
/* 1 if the gate is a logistic sigmoid, so its values lie in [0, 1] (LSTM i, f, o; GRU r, z);
 * 0 for a candidate or RNN's h: tanh in [-1, 1] (or relu in [0, inf) for an RNN built with
 * relu) and for a gate the cell does not have. */
int rnn_gate_is_sigmoid(RnnCellKind cell, int gate);
const char *rnn_cell_name(RnnCellKind cell); /* "rnn", "lstm", "gru" */
int rnn_cell_from_name(const char *name, RnnCellKind *out);
/* "none", "many-to-one", "many-to-many", "regression" */
const char *rnn_head_name(RnnHeadKind head);
int rnn_head_from_name(const char *name, RnnHeadKind *out);

/* Checks the sizes of a configuration (ranges, head/label consistency). */
int rnn_config_check(const RnnConfig *config, RnnError *err);

static inline int rnn_directions(const RnnConfig *c) {
    return c->bidirectional ? 2 : 1;
}
/* Layer l's own values (the config normalized). */
static inline int rnn_layer_hidden(const RnnConfig *c, int l) {
    return c->layers[l].hidden_size;
}
static inline int rnn_layer_directions(const RnnConfig *c, int l) {
    return c->layers[l].bidirectional ? 2 : 1;
}
static inline RnnCellKind rnn_layer_cell(const RnnConfig *c, int l) {
    return c->layers[l].cell;
}
static inline int rnn_layer_gates(const RnnConfig *c, int l) {
    return rnn_gate_count(c->layers[l].cell);
}
/* What layer l hands on at each position: D*H (concat) or H (sum, mul, ave). */
static inline int rnn_layer_output_size(const RnnConfig *c, int l) {
    const RnnLayerConfig *lc = &c->layers[l];
    return lc->bidirectional && lc->merge == RNN_MERGE_CONCAT ? 2 * lc->hidden_size
                                                              : lc->hidden_size;
}
/* Width of layer l's input: I for layer 0, the output of layer l-1 above it. */
static inline int rnn_layer_input_size(const RnnConfig *c, int layer) {
    return layer == 0 ? c->input_size : rnn_layer_output_size(c, layer - 1);
}
/* F: what the first Dense layer (or the head) reads: the top layer's output. */
static inline int rnn_feature_size(const RnnConfig *c) {
    return rnn_layer_output_size(c, c->num_layers - 1);
}
/* Width of what the head's own weights read: the last Dense layer's units, else F. */
static inline int rnn_head_input_size(const RnnConfig *c) {
    return c->num_dense ? c->dense[c->num_dense - 1].units : rnn_feature_size(c);
}

/* ---- parameter counts ------------------------------------------------------------------ */

/* One recurrent layer, one direction, input width `in`, `hidden` units.
 *   PyTorch: G*H*(in + H + 2)  (two bias vectors)
 *   Keras:   SimpleRNN H*(in+H+1), LSTM 4H*(in+H+1), GRU (reset_after=True) 3H*(in+H+2) */
long long rnn_layer_param_count(RnnCellKind cell, int in, int hidden, RnnFramework fw);
/* The recurrent part only (all layers and directions). */
long long rnn_recurrent_param_count(const RnnConfig *config, RnnFramework fw);
/* Everything: embedding V*I + recurrent layers + head K*(D*H)+K. */
long long rnn_param_count(const RnnConfig *config, RnnFramework fw);

/* ---- model ------------------------------------------------------------------------------ */

/* One layer, one direction. G = rnn_layer_gates(layer), In = rnn_layer_input_size(layer),
 * H = rnn_layer_hidden(layer); always in PyTorch's layout and gate order (a Keras file's
 * kernels are transposed and its GRU gates reordered when it is read; a Keras bias that has
 * no recurrent half leaves b_h* zero). */
typedef struct RnnLayerParams {
    double *weight_ih; /* (G*H, In)  PyTorch rnn.weight_ih_l{k}[_reverse] */
    double *weight_hh; /* (G*H, H)   rnn.weight_hh_l{k}[_reverse] */
    double *bias_ih;   /* (G*H)      rnn.bias_ih_l{k}[_reverse] */
    double *bias_hh;   /* (G*H)      rnn.bias_hh_l{k}[_reverse] */
} RnnLayerParams;

/* How a model's sentences become words: rnnscope's own tokenizer (rnn_tokenize), or the
 * Keras Tokenizer the model was trained with (tokenizer.to_json(): lower, filters, split). */
typedef struct RnnTextRule {
    int keras;         /* 0: rnn_tokenize; 1: Keras's text_to_word_sequence */
    int lower;         /* lowercase first (ASCII letters) */
    char filters[128]; /* characters that become the split character */
    char split;        /* the separator, ' ' */
} RnnTextRule;

typedef struct RnnModel {
    RnnConfig config;
    char *name;            /* display name, never NULL */
    char **vocab;          /* (V) words; vocab[i] names embedding row i; NULL when V == 0 */
    char **labels;         /* (K) output labels; NULL when there is no head */
    int unk_id;            /* index of the word for unknown words ("<unk>", or a Keras tokenizer's
                              oov_token), -1 when there is none */
    int *vocab_slots;      /* hash table of vocab indices (-1 = empty), built by index_vocab */
    RnnTextRule text_rule; /* how sentences become words (all zero: rnn_tokenize) */
    size_t vocab_mask;     /* its size minus one (a power of two) */

    size_t num_params;
    double *params;    /* (num_params) one flat buffer; the pointers below point into it */
    double *embedding; /* (V, I) embedding.weight */
    RnnLayerParams layer[RNN_MAX_LAYERS][RNN_MAX_DIRECTIONS]; /* [l][d], d=1 is "_reverse" */
    double *dense_weight[RNN_MAX_DENSE]; /* (units_j, in_j) dense.{j}.weight; in_0 = F */
    double *dense_bias[RNN_MAX_DENSE];   /* (units_j) dense.{j}.bias */
    double *head_weight;                 /* (K, head input) head.weight */
    double *head_bias;                   /* (K) head.bias */
} RnnModel;

/* A model with all parameters zero, empty vocab/labels strings ("" each) and name "model".
 * Returns NULL with err set on a bad config or out of memory. Free with rnn_model_free. */
RnnModel *rnn_model_new(const RnnConfig *config, RnnError *err);
void rnn_model_free(RnnModel *model);
/* A deep copy: configuration, weights, name, vocabulary and labels. */
RnnModel *rnn_model_copy(const RnnModel *model, RnnError *err);
/* Replaces name / vocab[i] / labels[i] with a copy of s. 0 or -1 (out of memory). */
int rnn_model_set_name(RnnModel *model, const char *name, RnnError *err);
int rnn_model_set_vocab(RnnModel *model, int i, const char *word, RnnError *err);
int rnn_model_set_label(RnnModel *model, int i, const char *label, RnnError *err);
/* Indexes the vocabulary for rnn_model_token_id and finds unk_id ("<unk>"; -1 when the
 * vocabulary has none: a Keras tokenizer without an OOV word), after the vocab was filled. */
int rnn_model_index_vocab(RnnModel *model, RnnError *err);
/* 1 when the vocabulary has words; 0 for a model read by token ids only (a Keras file
 * imported without its tokenizer: every word is ""). */
int rnn_model_has_words(const RnnModel *model);
/* Vocabulary id of a token, or unk_id when unknown. */
int rnn_model_token_id(const RnnModel *model, const char *token);
/* The index of the label named `label`, or -1 when the model has no such label. */
int rnn_model_label_index(const RnnModel *model, const char *label);

/* Named access to the parameter tensors, in PyTorch state_dict names and order; the flat
 * parameter buffer holds them in this order. Used by the model file reader/writer and by
 * tests; the engine itself uses the carved pointers above. */
typedef struct RnnTensorInfo {
    char name[64]; /* e.g. "rnn.weight_hh_l1_reverse" */
    int rows;      /* first dimension */
    int cols;      /* second dimension; 0 for a vector */
    size_t offset; /* where it starts in RnnModel.params */
} RnnTensorInfo;
int rnn_tensor_count(const RnnConfig *config);
RnnTensorInfo rnn_tensor_info(const RnnConfig *config, int index);
size_t rnn_tensor_size(const RnnTensorInfo *tensor); /* rows * max(cols, 1) */
size_t rnn_config_num_params(const RnnConfig *config);

/* ---- trace (the forward pass's record) -------------------------------------------------- */

/* Every value a forward pass computed, by layer l, direction d and input position t (the
 * backward direction is indexed by t too: its entry at t is its state after reading the
 * sentence from the end down to position t). The UI only ever draws from a trace. */
typedef struct RnnTrace {
    RnnConfig config;
    int steps;     /* T */
    int capacity;  /* the most steps the value block can hold (rnn_trace_resize) */
    int in_stride; /* max over layers of the layer input width */
    int out_steps; /* rows of logits/probs: 1 (many-to-one), T (many-to-many), 0 (no head) */

    int *token_ids;   /* (T) vocabulary ids, -1 when the inputs were raw vectors */
    double *input;    /* (L, T, in_stride) x_t of each layer: the embedding row (or raw vector)
                         for layer 0, concat(h_fwd[t], h_bwd[t]) of layer l-1 above */
    double *h;        /* (L, D, T, H) hidden state; H and D are each layer's own */
    double *c;        /* (L, D, T, H) LSTM cell state (zero for other layers); NULL when no
                         layer is an LSTM */
    double *gate_ih;  /* (L, D, T, G, H) W_i* x_t + b_i* for each gate row */
    double *gate_hh;  /* (L, D, T, G, H) W_h* h_prev + b_h* for each gate row; a GRU's n row
                         with reset_after = 0 holds W_hn (r ⊙ h_prev) + b_hn */
    double *gate_pre; /* (L, D, T, G, H) the activation's argument: ih + hh, except a GRU's n
                         with reset_after, whose argument is ih + r * hh */
    double *gate;     /* (L, D, T, G, H) post-activation: σ or tanh (RNN: tanh/relu = h) */
    double *feature;  /* (out_steps, F) what the Dense layers (or the head) read: the top
                         layer's output, both directions merged */
    double *dense[RNN_MAX_DENSE]; /* (out_steps, units_j) each Dense layer's output */
    double *logits;               /* (out_steps, K) the head's W x + b */
    double *probs;                /* (out_steps, K) the head's activation of logits: softmax for a
                                     classifier; for regression (linear) the logits */
    unsigned char *padding;       /* (T) 1 where mask_zero skipped a padding token (id 0) */
    /* Where layer l, direction d's (T, H) and (T, G, H) blocks start in h/c and in the gate
       arrays: each layer has its own H and G (rnn_trace_state_index). */
    size_t state_at[RNN_MAX_LAYERS][RNN_MAX_DIRECTIONS];
    size_t gate_at[RNN_MAX_LAYERS][RNN_MAX_DIRECTIONS];

    size_t num_values;
    double *values; /* one flat buffer behind every double pointer above */
} RnnTrace;

/* Bytes a trace of T steps needs, to refuse absurd requests before allocating. */
size_t rnn_trace_bytes(const RnnConfig *config, int steps);
RnnTrace *rnn_trace_new(const RnnConfig *config, int steps, RnnError *err);
void rnn_trace_free(RnnTrace *trace);
/* Lays the trace out for another number of steps, up to its capacity, without allocating:
 * training reuses one trace for sequences of every length. */
int rnn_trace_resize(RnnTrace *trace, int steps, RnnError *err);

/* Index helpers: offsets into the flat arrays above. */
static inline size_t rnn_trace_state_index(const RnnTrace *tr, int l, int d, int t) {
    return tr->state_at[l][d] + (size_t)t * tr->config.layers[l].hidden_size;
}
static inline size_t rnn_trace_gate_index(const RnnTrace *tr, int l, int d, int t, int g) {
    size_t H = (size_t)tr->config.layers[l].hidden_size;
    return tr->gate_at[l][d] + ((size_t)t * rnn_gate_count(tr->config.layers[l].cell) + g) * H;
}
static inline const double *rnn_trace_input(const RnnTrace *tr, int l, int t) {
    return tr->input + ((size_t)l * tr->steps + t) * tr->in_stride;
}
/* The previous state a direction read at position t (its neighbour in reading order), or
 * NULL at the first position read, where the state is zero. */
const double *rnn_trace_prev_h(const RnnTrace *tr, int l, int d, int t);
const double *rnn_trace_prev_c(const RnnTrace *tr, int l, int d, int t);

/* ---- tokenizer -------------------------------------------------------------------------- */

/* Tokens of a UTF-8 sentence: split on white space (ASCII and Unicode spaces), each ASCII
 * punctuation character becomes a token of its own, ASCII letters are lowercased, every
 * other character (Hangul included) is kept as it is. "나는 사과를 먹었다." gives
 * 나는 | 사과를 | 먹었다 | . */
typedef struct RnnTokens {
    int count;
    char **text; /* (count) NUL-terminated tokens, lowercased */
    int *offset; /* (count) byte offset of each token in the original sentence */
    int *length; /* (count) its length in bytes in the original sentence */
} RnnTokens;

/* Invalid UTF-8 (bad lead/continuation byte, overlong form, surrogate, > U+10FFFF) is an
 * error naming the byte offset. Free with rnn_tokens_free (also on a zeroed struct). */
int rnn_tokenize(const char *utf8, RnnTokens *out, RnnError *err);
void rnn_tokens_free(RnnTokens *tokens);
/* Token ids as a person writes them: "0, 0, 12, 7" or "0 0 12 7". *ids is malloc'd (count
 * values, at most RNN_MAX_IDS). Errors name the first thing that is not an id. */
#define RNN_MAX_IDS 100000
int rnn_ids_parse(const char *text, int **ids, int *count, RnnError *err);

/* Tokens that name ids for a person: the vocabulary's word, else "<pad>" for id 0 and "#12"
 * for the others (a model read by ids only); with ids NULL the steps of raw input vectors,
 * "x0", "x1", ... offset is 0. */
struct RnnModel;
int rnn_ids_tokens(const struct RnnModel *model, const int *ids, int count, RnnTokens *out,
                   RnnError *err);

/* Keras's text_to_word_sequence: lowercase, filters to split, split, drop empty pieces. */
int rnn_tokenize_keras(const char *utf8, const RnnTextRule *rule, RnnTokens *out, RnnError *err);

/* Decodes one code point at s[0..len); returns its length in bytes, or 0 if invalid. */
int rnn_utf8_decode(const unsigned char *s, size_t len, unsigned *codepoint);
/* 1 when s[0..len) is valid UTF-8 (rnn_utf8_decode's rules); else 0, with the offset of the
 * first invalid byte in *bad (may be NULL). */
int rnn_utf8_valid(const char *s, size_t len, size_t *bad);

/* ---- forward ---------------------------------------------------------------------------- */

/* Runs the model over T inputs and fills trace (made by rnn_trace_new for this config and
 * T). Exactly one of token_ids (T vocabulary ids, model must have an embedding) and vectors
 * ((T, I) raw input vectors) is non-NULL. Initial h and c are zero. */
int rnn_model_forward(const RnnModel *model, const int *token_ids, const double *vectors,
                      RnnTrace *trace, RnnError *err);

/* Tokenizes text, maps each token to its vocabulary id (<unk> when unknown) and runs the
 * forward pass. On success the caller owns *tokens and *trace. A trace larger than
 * max_trace_bytes (0 = no limit) is refused before anything is allocated. */
int rnn_model_run_text(const RnnModel *model, const char *text, size_t max_trace_bytes,
                       RnnTokens *tokens, RnnTrace **trace, RnnError *err);
/* The same for token ids (a Keras model without a tokenizer): each must be below vocab_size;
 * with mask_zero, id 0 is a padding step. */
int rnn_model_run_ids(const RnnModel *model, const int *ids, int steps, size_t max_trace_bytes,
                      RnnTrace **trace, RnnError *err);
/* The same for raw input vectors, (steps, I). */
int rnn_model_run_vectors(const RnnModel *model, const double *vectors, int steps,
                          size_t max_trace_bytes, RnnTrace **trace, RnnError *err);

/* One step of one cell, the building block of the forward pass.
 *   x: (In)  h_prev, c_prev: (H) or NULL for zero   h, c: (H) out (c only for LSTM)
 *   gate_ih, gate_hh, gate_pre, gate: (G, H) out */
void rnn_cell_forward(RnnCellKind cell, RnnNonlinearity act, int in, int hidden,
                      const RnnLayerParams *p, const double *x, const double *h_prev,
                      const double *c_prev, double *gate_ih, double *gate_hh, double *gate_pre,
                      double *gate, double *h, double *c);

/* The step of one cell of any version 2 layer: the layer's own activations, and a GRU's
 * candidate in either form (reset_after). Arguments as rnn_cell_forward; c only for LSTM. */
void rnn_layer_cell_forward(const RnnLayerConfig *layer, int in, const RnnLayerParams *p,
                            const double *x, const double *h_prev, const double *c_prev,
                            double *gate_ih, double *gate_hh, double *gate_pre, double *gate,
                            double *h, double *c);

/* The engine's σ(x) = 1 / (1 + e^-x) and tanh(x) (rnn_activation.c): within 3 units in
 * the last place of the true values, the same bits on every x86-64. The _many forms do n
 * values (out may be x); a value gives the same bits alone or in an array. rnn_tanh_many
 * also writes the values to `also` unless it is NULL (the cells keep some twice; copying
 * them afterwards would wait on the stores just made). */
double rnn_sigmoid(double x);
double rnn_tanh(double x);
void rnn_sigmoid_many(double *out, const double *x, int n);
void rnn_tanh_many(double *out, double *also, const double *x, int n);
/* out = a + b element-wise (n values), stored as the _many forms load them. */
void rnn_add_many(double *out, const double *a, const double *b, int n);
/* Numerically stable softmax over n values (subtracts the max). */
void rnn_softmax(const double *logits, int n, double *probs);

/* ---- backward (backpropagation through time) ----------------------------------------------- */

/* Scratch for one backward pass over up to `capacity` steps; one allocation. After a pass
 * it also holds the gradients that reached the inputs and the initial states. */
typedef struct RnnBackward {
    RnnConfig config;
    int capacity;
    int steps;       /* T of the last pass */
    double *dh_out;  /* (L, D, T, H) dLoss/dh[l][d][t] arriving from above (layer l+1 or head) */
    double *dinput;  /* (T, I) dLoss/dx_t of layer 0: the embedding row or raw vector */
    double *dh0;     /* (L, D, H) dLoss/d(initial h), which the forward pass keeps at zero */
    double *dc0;     /* (L, D, H) dLoss/d(initial c), LSTM */
    double *dh, *dc; /* (H) scratch: this step's dh, and dc carried back through time */
    double *da_ih, *da_hh; /* (G*H) scratch: pre-activation gradients */
    double *dx;            /* (max(I, D*H)) scratch: dLoss/d(layer input at t) */
    double *dh_prev;       /* (H) scratch: dh carried to the previous step */
    size_t num_values;
    double *values;
} RnnBackward;

RnnBackward *rnn_backward_new(const RnnConfig *config, int capacity, RnnError *err);
void rnn_backward_free(RnnBackward *bw);

/* One cell step backwards. Reads the step's cached values (x, h_prev, c_prev, gate_hh,
 * gate_pre, gate, c: as rnn_cell_forward wrote them) and dh = dLoss/dh_t. dc (LSTM) comes in
 * as dLoss/dc_t carried from later steps and leaves as dLoss/dc_prev. Writes da_ih, da_hh
 * (G*H), dx = dLoss/dx (In, may be NULL) and dh_prev = dLoss/dh_prev (H); accumulates the
 * parameter gradients into grad (may be NULL). */
void rnn_cell_backward(RnnCellKind cell, RnnNonlinearity act, int in, int hidden,
                       const RnnLayerParams *p, const double *x, const double *h_prev,
                       const double *c_prev, const double *gate_hh, const double *gate_pre,
                       const double *gate, const double *c, const double *dh, double *dc,
                       RnnLayerParams *grad, double *da_ih, double *da_hh, double *dx,
                       double *dh_prev);

/* The backward pass of rnn_model_forward. dlogits is (out_steps, K) dLoss/dlogits. Gradients
 * are accumulated (+=) into grads, laid out like model->params (NULL: only the input and
 * state gradients in bw are wanted). */
int rnn_model_backward(const RnnModel *model, const RnnTrace *trace, const double *dlogits,
                       double *grads, RnnBackward *bw, RnnError *err);
/* Its two halves: the head (zeroes bw, then fills bw->dh_out of the top layer) and the
 * recurrent layers (BPTT from bw->dh_out down to the inputs). */
int rnn_head_backward(const RnnModel *model, const RnnTrace *trace, const double *dlogits,
                      double *grads, RnnBackward *bw, RnnError *err);
int rnn_layers_backward(const RnnModel *model, const RnnTrace *trace, double *grads,
                        RnnBackward *bw, RnnError *err);
/* Zeroes bw for this trace so a caller can put its own dLoss/dh into bw->dh_out (e.g. a unit
 * vector at the last step, for the Jacobian of h_T) before rnn_layers_backward. */
int rnn_backward_seed(RnnBackward *bw, const RnnTrace *trace, RnnError *err);

/* Sensitivity of the final state to each input: norms[t] = ‖∂h_T/∂x_t‖ (Frobenius), where
 * h_T is what a many-to-one head reads (the top layer's h at T-1, and for a bidirectional
 * model also the backward h at 0) and x_t is step t's input vector. The vanishing-gradient
 * picture: for a vanilla RNN norms[0] / norms[T-1] collapses as T grows. norms: (T). */
int rnn_sensitivity(const RnnModel *model, const RnnTrace *trace, RnnBackward *bw, double *norms,
                    RnnError *err);

/* Key influence: how much the top layer's state at each step still depends on the first
 * word. influence[t] = mean over the alternatives a of ‖h_t − h_t(word 0 := a)‖₂, where h_t
 * concatenates the top layer's directions at t and each h_t(word 0 := a) is a fresh forward
 * pass. trace must come from token ids. influence: (T). */
int rnn_key_influence(const RnnModel *model, const RnnTrace *trace, const int *alternatives,
                      int count, double *influence, RnnError *err);
/* The words to swap in for the first one: the recall task's keys the model knows (other than
 * first_id), or, for any other model, up to max vocabulary words spread evenly (never <unk>).
 * Returns how many were written to out; 0 for a model without a vocabulary. */
int rnn_influence_alternatives(const RnnModel *model, int first_id, int *out, int max);

/* Softmax cross-entropy -log softmax(logits)[target], computed from logits so that it stays
 * finite. Adds scale * (softmax(logits) - onehot(target)) to dlogits (if not NULL). */
double rnn_cross_entropy(const double *logits, int K, int target, double scale, double *dlogits);

/* ---- gradient trace: one backward pass, recorded step by step ---------------------------------
 */

/* What backpropagation through time computed for one sentence and one target, by layer l,
 * direction d and input position t, laid out like the forward trace it came from (index the
 * (L, D, T, ...) arrays with rnn_trace_state_index / rnn_trace_gate_index of that trace). The
 * loss is the training loss of that one sentence (rnn_train.c's): the cross-entropy of a
 * many-to-one head, the mean over the T positions of a many-to-many head's, the mean squared
 * error of a regression head. One allocation; free with rnn_grad_free. */
typedef struct RnnGrad {
    RnnConfig config;
    int steps;         /* T */
    int in_stride;     /* the trace's */
    int out_steps;     /* the trace's */
    double loss;       /* L, before any clipping */
    double norm;       /* ‖∂L/∂params‖₂ before clipping */
    double clip_scale; /* 1, or the factor clipping multiplied every gradient below by */
    int *targets;      /* (out_steps) the class each output row was scored against */
    double *values;    /* (K) regression targets (K = num_labels); unused for classes */
    double *dlogits;   /* (out_steps, K) ∂L/∂logits */
    double *dh;        /* (L, D, T, H) ∂L/∂h_t through every path: the head, the layer above
                          and the step this direction reads after t */
    double *dc;        /* (L, D, T, H) ∂L/∂c_t (through c_{t+1} and h_t); NULL unless LSTM */
    double *dgate;     /* (L, D, T, G, H) ∂L/∂(each gate's pre-activation), PyTorch row order */
    double *dgate_hh;  /* (L, D, T, G, H) ∂L/∂(W_h* h_prev + b_h*): dgate, except a GRU's n
                          rows, where it is r ⊙ dgate */
    double *dx;        /* (L, D, T, in_stride) ∂L/∂x_t through direction d only; a layer's input
                          gradient is the sum over its directions (rnn_grad_dx) */
    double *dh0;       /* (L, D, H) what reached the zero initial state */
    double *dc0;       /* (L, D, H) the same for c (LSTM; zero otherwise) */
    double *grads; /* (P) ∂L/∂params in RnnModel.params' layout: the gradient training uses */
    size_t num_values;
    double *buf;
} RnnGrad;

/* The backward pass of `trace` (a forward pass of model) for a target: targets is (1) class
 * index for many-to-one or (T) for many-to-many, NULL for the labels the model predicts;
 * values is (K) for a regression head, NULL for zeros. Fails for a model without a head. */
RnnGrad *rnn_grad_new(const RnnModel *model, const RnnTrace *trace, const int *targets,
                      const double *values, RnnError *err);
void rnn_grad_free(RnnGrad *grad);
/* Reads a target as a person writes it: for many-to-one one label name ("violin"); for
 * many-to-many `steps` label names separated by commas; for a regression head num_labels
 * numbers separated by commas. Fills targets (out_steps) or values (K). */
int rnn_grad_parse_target(const RnnModel *model, const char *text, int steps, int *targets,
                          double *values, RnnError *err);
static inline double *rnn_grad_dx(const RnnGrad *g, int l, int d, int t) {
    int D = rnn_directions(&g->config);
    return g->dx + (((size_t)l * D + d) * g->steps + t) * g->in_stride;
}
/* Gradient clipping as training does it (torch.nn.utils.clip_grad_norm_): when the factor
 * max_norm / (‖∂L/∂params‖ + 1e-6) is below 1 (max_norm > 0), every gradient of the pass (they
 * are all linear in ∂L/∂logits) is multiplied by it and clip_scale records the factor. */
void rnn_grad_clip(RnnGrad *grad, double max_norm);
/* Step t's term of the recurrent weight gradients of layer l, direction d:
 *   ∂L/∂W_hh (t) = dgate_hh_t ⊗ h_prev_t  (G*H, H)     ∂L/∂W_ih (t) = dgate_t ⊗ x_t  (G*H, In)
 * Summed over t they are the weight_hh_l{l} / weight_ih_l{l} gradients in grads. */
void rnn_grad_step_weight_hh(const RnnGrad *grad, const RnnTrace *trace, int l, int d, int t,
                             double *out);
void rnn_grad_step_weight_ih(const RnnGrad *grad, const RnnTrace *trace, int l, int d, int t,
                             double *out);
/* Each step's share of ∂L/∂W_hh of layer l, direction d: share[t] = ⟨∂L/∂W_hh (t), ∂L/∂W_hh⟩
 * / ‖∂L/∂W_hh‖², so the shares sum to 1 (a step pulling against the rest is negative); all
 * zero when the gradient is zero. shares: (T). */
void rnn_grad_weight_hh_shares(const RnnGrad *grad, const RnnTrace *trace, int l, int d,
                               double *shares);
/* ‖x‖₂ of n values. */
double rnn_norm(const double *x, size_t n);

/* The chain rule behind one recorded gradient, with the trace's and the gradient trace's own
 * numbers (what the detail panel writes). t_next is the step this direction read after t (t+1
 * forward, t-1 backward), whose gradients flow back into t; -1 at the last step read. */
#define RNN_GRAD_TERMS 3
typedef struct RnnGradTerm {
    int row;        /* the gate row r = q*H + k of W_hh (q: gate, k: unit) */
    double weight;  /* W_hh[r][unit] */
    double grad;    /* vanilla RNN: dh_next[k]; gated cells: dgate_hh_next[r] */
    double deriv;   /* vanilla RNN: act'(a_next[k]) = 1 − h_next[k]² (tanh) or [a > 0] (relu);
                       gated cells: 1 */
    double product; /* weight · dgate_hh_next[r]: the term in the sum */
} RnnGradTerm;
typedef enum RnnGradExplainKind {
    RNN_GRAD_EXPLAIN_H,      /* value = from_above + recurrent + direct */
    RNN_GRAD_EXPLAIN_LSTM_C, /* value = dc_next·f_next + dh·o·(1 − tanh²(c)) */
    RNN_GRAD_EXPLAIN_GATE,   /* value = upstream · factor · deriv */
} RnnGradExplainKind;
typedef struct RnnGradExplain {
    RnnGradExplainKind kind;
    int quantity, unit, t, t_next;
    double value; /* the gradient as the gradient trace holds it */
    /* h */
    double from_above; /* ∂L/∂h_t arriving from the head or the layer above (0: neither reads it) */
    double recurrent; /* Σ_r W_hh[r][unit] · dgate_hh_next[r]: back through the recurrent weights */
    double direct;    /* GRU: dh_next[unit] · z_next[unit], the path around the weights; else 0 */
    int nterms;       /* the largest terms of the recurrent sum, by |product|, written out */
    RnnGradTerm terms[RNN_GRAD_TERMS];
    double rest; /* the sum of the other rest_count terms */
    int rest_count;
    /* LSTM c */
    double dc_next, f_next, cell_path; /* cell_path = dc_next · f_next */
    double dh, o, tanh_c, h_path;      /* h_path = dh · o · (1 − tanh_c²) */
    /* a gate: ∂L/∂a = upstream · factor · deriv (LSTM i: dc·g·i(1−i), f: dc·c_prev·f(1−f),
     * g: dc·i·(1−g²), o: dh·tanh(c)·o(1−o); GRU n: dh·(1−z)·(1−n²), z: dh·(h_prev−n)·z(1−z),
     * r: da_n·(W_hn h_prev + b_hn)·r(1−r)) */
    double upstream, factor, deriv;
} RnnGradExplain;
int rnn_grad_explain(const RnnModel *model, const RnnTrace *trace, const RnnGrad *grad, int l,
                     int d, int t, int quantity, int unit, RnnGradExplain *out, RnnError *err);
/* The gradient a heatmap cell shows: ∂L/∂h_t, ∂L/∂c_t or ∂L/∂(a gate's pre-activation). */
double rnn_grad_value(const RnnGrad *grad, const RnnTrace *trace, int l, int d, int t, int quantity,
                      int unit);

/* What-if changes to a model, for causing vanishing or exploding gradients on purpose. */
typedef struct RnnWhatIf {
    double weight_hh_scale;   /* every W_hh multiplied by this (1: unchanged) */
    double forget_bias_shift; /* added to b_ih of the LSTM's forget gate f, or of the GRU's
                                 update gate z (the share of h_prev kept); 0: unchanged */
    int relu;                 /* vanilla RNN: -1 keep, 0 tanh, 1 relu */
    double clip;              /* gradient clipping of the backward pass (0: off) */
} RnnWhatIf;
#define RNN_WHAT_IF_NONE ((RnnWhatIf){1.0, 0.0, -1, 0.0})
/* 1 when w changes nothing. */
int rnn_what_if_is_none(const RnnWhatIf *w);
/* Applies the model changes of w (everything but clip) to model in place. */
int rnn_what_if_apply(RnnModel *model, const RnnWhatIf *w, RnnError *err);
/* The largest singular value of layer l, direction d's W_hh (G*H, H): the factor by which
 * one step can at most stretch a vector through the recurrent weights (the largest
 * eigenvalue of W_hhᵀ W_hh by Householder tridiagonalization and bisection, exact to
 * rounding; O(G*H³) time, H² doubles of memory; NAN when that memory is not there). */
double rnn_weight_hh_norm(const RnnModel *model, int l, int d);

/* ---- training ------------------------------------------------------------------------------ */

/* Seeded random numbers (splitmix64): the same seed gives the same run on every machine. */
uint64_t rnn_rng_next(uint64_t *state);
double rnn_rng_uniform(uint64_t *state);            /* [0, 1) */
double rnn_rng_normal(uint64_t *state);             /* N(0, 1) */
int rnn_rng_below(uint64_t *state, int n);          /* 0 .. n-1 */
void rnn_shuffle(int *order, int n, uint64_t *rng); /* Fisher-Yates */

/* A new model trained with seed S is initialised with seed S ^ RNN_INIT_SALT, so that its
 * initial weights and its shuffling draw from different streams. */
#define RNN_INIT_SALT 0x5EEDULL

/* PyTorch's default initialisation: embedding N(0,1), recurrent U(±1/√H), head U(±1/√fan_in). */
void rnn_model_init_random(RnnModel *model, uint64_t seed);

/* One training example: token ids (models with a vocabulary) or raw vectors, and targets. */
typedef struct RnnExample {
    int steps;             /* T */
    const int *token_ids;  /* (T) or NULL */
    const double *vectors; /* (T, I) or NULL */
    const int *targets;    /* label index: (1) many-to-one, (T) many-to-many */
    const double *values;  /* (K) regression targets */
} RnnExample;

typedef enum RnnOptimizerKind { RNN_SGD, RNN_ADAM } RnnOptimizerKind;

typedef struct RnnTrainConfig {
    RnnOptimizerKind optimizer;
    double lr;
    double beta1, beta2, eps; /* Adam: 0.9, 0.999, 1e-8 as in PyTorch */
    double clip;              /* max global gradient norm; 0 = off */
    int batch_size;
    int shuffle;   /* 0: batches in data order */
    uint64_t seed; /* shuffling (and, in the app, initialisation) */
} RnnTrainConfig;

void rnn_train_config_default(RnnTrainConfig *config);

/* Counts over examples: loss_sum / count is the mean loss per prediction (cross-entropy per
 * sequence for many-to-one, per token for many-to-many; squared error per output for
 * regression, i.e. the MSE); correct / count the accuracy (classification only). */
typedef struct RnnStats {
    double loss_sum;
    long long correct, count, sequences;
} RnnStats;

/* Everything one training run keeps between steps; one allocation plus its trace and
 * backward scratch. The model is borrowed and updated in place. */
typedef struct RnnTrainer {
    RnnModel *model;
    RnnTrainConfig config;
    int capacity;          /* longest sequence it can take */
    long long steps;       /* optimizer steps taken (Adam's t) */
    uint64_t rng;          /* shuffling state */
    double last_loss;      /* loss of the last batch, before its step */
    double last_grad_norm; /* its gradient norm, before clipping */
    double *grads;         /* (P) dLoss/dparams of the last batch, after clipping */
    double *adam_m;        /* (P) first moment */
    double *adam_v;        /* (P) second moment */
    double *backup;        /* (3P) params, m, v before the last update, to undo an overflow */
    double *dlogits;       /* (capacity, K) */
    RnnTrace *trace;
    RnnBackward *bw;
    struct RnnBatch
        *batched; /* the batch side by side (rnn_batch_new), NULL when too big: one by one */
    struct RnnWorker *worker; /* a second thread for `batched`, or NULL: one thread */
    int *batch_order;         /* (batch_size) scratch of the side-by-side path */
    int *group_start;         /* (batch_size + 1) */
} RnnTrainer;

RnnTrainer *rnn_trainer_new(RnnModel *model, const RnnTrainConfig *config, int max_steps,
                            RnnError *err);
void rnn_trainer_free(RnnTrainer *trainer);
/* The loss of a batch (into last_loss) and its gradient (into grads, unclipped, with its
 * norm in last_grad_norm), without changing the model. Fails on a non-finite loss or
 * gradient. Adds the batch's counts to stats (may be NULL). */
int rnn_trainer_gradients(RnnTrainer *trainer, const RnnExample *const *batch, int n,
                          RnnStats *stats, RnnError *err);
/* One optimizer step on a batch of n examples: gradients, clipping, SGD or Adam. On a non-finite
 * loss or gradient nothing is changed and an error is returned. Adds the batch's counts to stats
 * (may be NULL). */
int rnn_trainer_step(RnnTrainer *trainer, const RnnExample *const *batch, int n, RnnStats *stats,
                     RnnError *err);
/* Loss and accuracy without training; confusion (K*K, [target][predicted]) may be NULL. */
int rnn_evaluate(const RnnModel *model, const RnnExample *examples, int count, RnnStats *stats,
                 int *confusion, RnnError *err);

/* A training run as a sequence of steps: each call of rnn_session_step takes the next batch
 * (shuffling the examples with the trainer's rng at the start of every epoch, as
 * `rnnscope train` does) and makes one optimizer step. The examples are borrowed. */
typedef struct RnnSession {
    RnnTrainer *trainer;
    const RnnExample *examples;
    int count, epochs, batch_size, batches_per_epoch;
    int epoch;                /* epochs finished */
    int next;                 /* position of the next batch in order */
    int epoch_ended;          /* the last step finished an epoch (epoch_stats hold all of it) */
    RnnStats epoch_stats;     /* counts of the current (or just finished) epoch */
    int *order;               /* (count) the epoch's order of examples */
    const RnnExample **batch; /* (batch_size) */
} RnnSession;

RnnSession *rnn_session_new(RnnModel *model, const RnnTrainConfig *config,
                            const RnnExample *examples, int count, int epochs, RnnError *err);
void rnn_session_free(RnnSession *session);
/* One optimizer step; adds the batch's counts to stats (may be NULL). On an error (a
 * non-finite update) the model keeps its last good weights. */
int rnn_session_step(RnnSession *session, RnnStats *stats, RnnError *err);
int rnn_session_done(const RnnSession *session);
long long rnn_session_total_steps(const RnnSession *session);

/* ---- explanations ------------------------------------------------------------------------ */

/* Which quantity of a layer: RNN_QUANTITY_H, RNN_QUANTITY_C (LSTM) or a gate index 0..G-1. */
#define RNN_QUANTITY_H (-2)
#define RNN_QUANTITY_C (-1)

typedef enum RnnExplainKind {
    RNN_EXPLAIN_GATE,   /* value = act(wx + b_ih + reset·(wh + b_hh)), or act(wx + b_ih + wh
                           + b_hh) with reset_inside; also the vanilla h */
    RNN_EXPLAIN_LSTM_C, /* value = f·c_prev + i·g */
    RNN_EXPLAIN_LSTM_H, /* value = o·tanh(c) */
    RNN_EXPLAIN_GRU_H,  /* value = (1 − z)·n + z·h_prev */
} RnnExplainKind;

/* The terms of one value of a trace. Unused fields are zero. */
typedef struct RnnExplain {
    RnnExplainKind kind;
    int quantity, unit, t;
    int t_prev; /* the step whose state was read before t, -1 at the first one (state 0) */
    /* a gate (or a vanilla RNN's h) */
    double wx, b_ih, wh, b_hh; /* W_i·[row]·x_t, its bias, W_h·[row]·h_prev, its bias */
    double reset;              /* 1, or the GRU's r for the candidate n */
    int reset_inside;          /* GRU n with reset_after = 0: wh = W_hn (r ⊙ h_prev), r is
                                  inside the product (reset is then r, for the text) */
    double pre;                /* the activation's argument, as the trace holds it */
    RnnActivation activation;  /* of the gate; for an LSTM's h the squash of c (tanh_c holds
                                  act(c)) */
    int padding;               /* a padding step (mask_zero): the state was carried over */
    /* LSTM c and h, GRU h */
    double i, f, g, o, c_prev, c, tanh_c, z, n, h_prev;
    double keep, write; /* LSTM c: the forget part f·c_prev and the write part i·g */
    double value;       /* the value itself, as the trace holds it */
} RnnExplain;

/* Explains trace value (layer l, direction d, step t, quantity, unit). */
int rnn_explain(const RnnModel *model, const RnnTrace *trace, int l, int d, int t, int quantity,
                int unit, RnnExplain *out, RnnError *err);

/* ---- tasks --------------------------------------------------------------------------------- */

#define RNN_RECALL_MAX_KEYS 8
#define RNN_RECALL_FILLERS  12

/* recall: "KEY filler × d ?", answer KEY. Word tables are fixed so every recall model and
 * data file shares one vocabulary. */
const char *rnn_recall_key(int k);    /* 0 .. RNN_RECALL_MAX_KEYS-1, else NULL */
const char *rnn_recall_filler(int k); /* 0 .. RNN_RECALL_FILLERS-1, else NULL */
/* Draws one sentence with `distance` fillers from the first `keys` keys into words
 * (distance + 2 entries, pointing at static strings); returns the key's index. */
int rnn_recall_sentence(int keys, int distance, uint64_t *rng, const char **words);

/* Accuracy of a recall model on `count` fresh sentences with exactly `distance` fillers and
 * keys drawn from the first `keys`, generated from seed. */
int rnn_recall_accuracy(const RnnModel *model, int keys, int distance, int count, uint64_t seed,
                        double *accuracy, RnnError *err);
/* The one recall measurement behind rnn_recall_accuracy, `check` and `memory`: count
 * sentences of gap `distance` drawn from *rng (advanced past them); *accuracy is the share
 * whose largest logit is the key's label (as rnn_evaluate counts). ratios (ratio_count, may
 * be NULL when 0) get ‖∂h_T/∂x_1‖ / ‖∂h_T/∂x_T‖ (rnn_sensitivity) of the first ratio_count
 * sentences: how much of the key's gradient survives the gap. */
int rnn_recall_measure(const RnnModel *model, int keys, int distance, int count, uint64_t *rng,
                       double *accuracy, double *ratios, int ratio_count, RnnError *err);

/* adding: writes (steps, 2) inputs (value, marker) and returns the sum of the two marked
 * values. steps >= 2. */
double rnn_adding_sequence(int steps, uint64_t *rng, double *inputs);

/* ---- a batch side by side (the trainer's fast path: rnn_kernels.c, rnn_batch.c) ---------- */

/* A matrix product over a list of rows:
 * out_i (cols) = bias + Σ_k in_i[k]·M[k][:] for rows i = 0..n-1, with M (red, cols) stored
 * reduction-major; bias == NULL accumulates into out_i instead (out_i += Σ ...). Each value
 * is summed in order k = 0, 1, ..., exactly as the one-row loops, so the bits are the same. */
void rnn_rows_matmul(double *const *out, const double *const *in, const double *M,
                     const double *bias, int n, int red, int cols);
/* dW (rows, cols) += a_q ⊗ v_q for q = 0..n-1, in that order (a_q: (rows), v_q: (cols)),
 * for dW's rows r_begin..r_end-1 only (0, rows: all of them). */
void rnn_outer_rows(double *dW, const double *const *a, const double *const *v, int n, int rows,
                    int cols, int r_begin, int r_end);

/* db (cols) += a_q for q = 0..n-1, in that order. */
void rnn_sum_rows(double *db, const double *const *a, int n, int cols);

/* The kernels' vector width in doubles: 4 (AVX) where the CPU has it, else 2 (SSE2, every
 * x86-64; 1 without GCC's vector extensions). Every width gives the same bits.
 * rnn_kernel_width_limit(w) keeps the engine at widths <= w from then on (tests compare
 * the widths; benchmarks measure them); call it while no other thread runs the engine. */
int rnn_kernel_width(void);
void rnn_kernel_width_limit(int max_width);

/* Scratch for running up to `slots` sequences of up to `capacity` steps side by side: one
 * trace and one backward scratch per sequence, the weights transposed for the forward
 * kernel, and every step's pre-activation gradients, kept so that the parameter gradients
 * can be summed afterwards in the order of one sequence after the other. */
typedef struct RnnBatch {
    RnnConfig config;
    int slots, capacity;
    RnnTrace **traces; /* (slots) */
    RnnBackward **bws; /* (slots) */
    double *weights_t; /* per layer and direction: W_ih as (In, G*H), then W_hh as (H, G*H) */
    double *table;     /* (D, V, G*H) layer 0's b_ih + W_ih·e_v for every word v, or NULL */
    double *da;        /* (slots, L, D, capacity, 2, G*H) da_ih then da_hh of each step */
    double *dx;        /* (slots * capacity, max(I, D*H)) input gradients of one layer */
    double *tanh_c;    /* (slots, L, D, capacity, H) LSTM: tanh(c_t), which backward reads again */
    double **out_rows; /* (2 * slots * capacity) row pointers for the kernels: two halves */
    const double **in_rows, **in2_rows; /* (2 * slots * capacity) each */
    double *dlogits;                    /* (slots, capacity, K) dLoss/dlogits of each sequence */
    const double **dlogits_rows;        /* (slots) its rows */
    RnnStats *stats;                    /* (slots) each sequence's loss and counts */
    int *order;                         /* (slots) sequences sorted by length */
} RnnBatch;

/* tanh(c_t) of sequence `slot`, layer l, direction d, step t: (H). */
static inline double *rnn_batch_tanh_c(const RnnBatch *m, int slot, int l, int d, int t) {
    const RnnConfig *c = &m->config;
    size_t L = (size_t)c->num_layers, D = (size_t)rnn_directions(c);
    return m->tanh_c + ((((size_t)slot * L + l) * D + d) * m->capacity + t) * c->hidden_size;
}
RnnBatch *rnn_batch_new(const RnnConfig *config, int slots, int capacity, RnnError *err);
void rnn_batch_free(RnnBatch *batch);
/* Bytes rnn_batch_new would allocate. */
double rnn_batch_bytes(const RnnConfig *config, int slots, int capacity);
/* Transposes the model's weights into batch->weights_t (and the word table): once per
 * optimizer step, before rnn_batch_forward. */
void rnn_batch_load_weights(const RnnModel *model, RnnBatch *batch);
/* The forward pass of n sequences of the same length, ex[i] into batch->traces[slot[i]]: bit
 * for bit what rnn_model_forward gives each one alone, except that layer 0's gate_ih is not
 * written when it comes from the word table (the backward pass does not read it). */
int rnn_batch_forward(const RnnModel *model, RnnBatch *batch, const RnnExample *const *ex,
                      const int *slot, int n, RnnError *err);
/* The backward recurrence of those n sequences from dlogits[slot] ((out_steps, K) each):
 * fills batch->bws[slot] (dh_out, dinput, ...) and batch->da, but no parameter gradient. */
int rnn_batch_backward(const RnnModel *model, RnnBatch *batch, const double *const *dlogits,
                       const int *slot, int n, RnnError *err);
/* Adds the parameter gradients of sequences slot[0..n-1] (in that order) to grads, from what
 * rnn_batch_backward left for each: bit for bit what rnn_model_backward adds, sequence after
 * sequence. Part `part` of `parts` (1 or 2): part 1 takes the second half of every recurrent
 * weight's rows, part 0 all the rest; both may run at once on views from rnn_batch_second_view. */
void rnn_batch_gradients(const RnnModel *model, RnnBatch *batch, const double *const *dlogits,
                         const int *slot, int n, double *grads, int part, int parts);
/* A view of batch for a second thread: the same traces and buffers, but its own halves of the
 * row lists and of dx, so that two threads can run rnn_batch_forward / rnn_batch_backward on
 * different sequences (the second on at most slots / 2 of them) or rnn_batch_gradients on
 * different parts. */
RnnBatch rnn_batch_second_view(const RnnBatch *batch);

#endif
