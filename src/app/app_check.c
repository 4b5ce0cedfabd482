/* app_check.c - `rnnscope check`: every lesson parses, its models and data load, its steps
 * and units exist, and every claim (expect ...) holds on the shipped models. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "io_lesson.h"
#include "rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char app_check_usage[] =
    "usage: rnnscope check [PATHS...] [--data-dir DIR]\n"
    "\n"
    "Checks lesson files (folders are searched for *.md, README.md excepted; default:\n"
    "lessons/): front matter, directives, that every model and data file loads, that steps,\n"
    "units and layers exist, that a step's backward pass (back=, target=) and what-if changes\n"
    "fit its model, and that every `expect` claim holds. One line per file; the exit code is\n"
    "1 when anything fails. See lessons/README.md for the format.\n";

/* ---- models, loaded once ----------------------------------------------------------------- */

typedef struct ModelCache {
    char *paths[64];
    RnnModel *models[64];
    int n;
} ModelCache;

static RnnModel *cached_model(ModelCache *c, const char *path, RnnError *err) {
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->paths[i], path)) return c->models[i];
    RnnModel *m;
    if (io_model_load(path, &m, NULL, err)) return NULL;
    if (c->n == 64) rnn_model_free(c->models[--c->n]), free(c->paths[c->n]);
    c->paths[c->n] = strdup(path);
    c->models[c->n++] = m;
    return m;
}

static void cache_free(ModelCache *c) {
    for (int i = 0; i < c->n; i++) rnn_model_free(c->models[i]), free(c->paths[i]);
    c->n = 0;
}

/* ---- what a step shows ------------------------------------------------------------------- */

/* A model run on a sentence: the model (a copy with what-if changes, when there are any), its
 * trace and, made on first use, the backward pass of its loss. */
typedef struct Run {
    const RnnModel *model;
    RnnModel *own; /* the changed copy, or NULL */
    RnnTokens tokens;
    RnnTrace *trace;
    RnnGrad *grad;
} Run;

static void run_clear(Run *r) {
    rnn_grad_free(r->grad);
    rnn_trace_free(r->trace);
    rnn_tokens_free(&r->tokens);
    rnn_model_free(r->own);
    memset(r, 0, sizeof *r);
}

/* Runs model, changed by w (everything but the clip), on text. */
static int run_open(Run *r, const RnnModel *model, const char *text, const RnnWhatIf *w,
                    RnnError *err) {
    memset(r, 0, sizeof *r);
    r->model = model;
    RnnWhatIf change = *w;
    change.clip = 0;
    if (!rnn_what_if_is_none(&change)) {
        if (!(r->own = rnn_model_copy(model, err)) || rnn_what_if_apply(r->own, &change, err)) {
            run_clear(r);
            return -1;
        }
        r->model = r->own;
    }
    if (rnn_model_run_text(r->model, text, APP_MAX_TRACE_BYTES, &r->tokens, &r->trace, err)) {
        run_clear(r);
        return -1;
    }
    return 0;
}

/* The backward pass of the run's loss against target (NULL: the prediction), clipped to
 * clip (0: not clipped); made once. */
static int run_grad(Run *r, const char *target, double clip, RnnError *err) {
    if (r->grad) return 0;
    const RnnModel *m = r->model;
    int *ids = NULL;
    double *values = NULL;
    int bad = 0;
    if (target) {
        ids = calloc((size_t)r->trace->out_steps + 1, sizeof *ids);
        values = calloc((size_t)m->config.num_labels + 1, sizeof *values);
        bad = !ids || !values ? rnn_error_set(err, "out of memory")
                              : rnn_grad_parse_target(m, target, r->trace->steps, ids, values, err);
    }
    if (!bad) r->grad = rnn_grad_new(m, r->trace, ids, values, err);
    free(ids);
    free(values);
    if (!r->grad) return -1;
    rnn_grad_clip(r->grad, clip);
    return 0;
}

typedef struct StepState {
    const char *model_path, *text;
    int step;           /* resolved: 0..T */
    int current;        /* the word a claim without t= reads: step - 1, or T - 1 - back in a
                           pass=backward step */
    const char *target; /* the step's target=, or NULL: the prediction */
    RnnWhatIf what_if;  /* the step's what-if changes */
    const RnnModel *loaded;
    Run run; /* the loaded model, changed by what_if, on the sentence */
} StepState;

static void state_clear(StepState *s) {
    run_clear(&s->run);
}

/* ---- claims ------------------------------------------------------------------------------- */

typedef struct Args {
    int n;
    char pos[8][256];             /* positional arguments */
    char key[8][32], val[8][256]; /* key=value arguments */
    int nkv;
} Args;

/* "name(a, b, k=v)" -> name and arguments. */
static int parse_call(const char *expr, char *name, size_t nsize, Args *a) {
    memset(a, 0, sizeof *a);
    const char *open = strchr(expr, '('), *close = strrchr(expr, ')');
    if (!open || !close || close < open) return -1;
    snprintf(name, nsize, "%.*s", (int)(open - expr), expr);
    char inner[1024];
    snprintf(inner, sizeof inner, "%.*s", (int)(close - open - 1), open + 1);
    for (char *tok = strtok(inner, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ') tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ') tok[--len] = '\0';
        if (!*tok) continue;
        char *eq = strchr(tok, '=');
        if (eq && a->nkv < 8) {
            *eq = '\0';
            snprintf(a->key[a->nkv], sizeof a->key[0], "%s", tok);
            snprintf(a->val[a->nkv++], sizeof a->val[0], "%s", eq + 1);
        } else if (!eq && a->n < 8) {
            snprintf(a->pos[a->n++], sizeof a->pos[0], "%s", tok);
        } else {
            return -1;
        }
    }
    return 0;
}

static const char *arg(const Args *a, const char *key) {
    for (int i = 0; i < a->nkv; i++)
        if (!strcmp(a->key[i], key)) return a->val[i];
    return NULL;
}

static int arg_int(const Args *a, const char *key, int fallback) {
    const char *v = arg(a, key);
    return v ? atoi(v) : fallback;
}

/* A model named "recall-lstm" (assets/models/recall-lstm.json) or a path relative to the
 * lesson. */
static void model_path(const char *name, const char *lesson, const char *data_dir, char *out,
                       size_t size) {
    if (name[0] == '/') {
        snprintf(out, size, "%s", name);
    } else if (strchr(name, '/') || strstr(name, ".json")) {
        const char *slash = strrchr(lesson, '/');
        snprintf(out, size, "%.*s%s", slash ? (int)(slash - lesson + 1) : 0, lesson, name);
    } else {
        snprintf(out, size, "%s/assets/models/%s.json", data_dir ? data_dir : ".", name);
    }
}

/* ---- a model's layers, each its own (rnnscope-model version 2) ---------------------------- */

/* 1 when every layer has layer 0's cell, size and directions: the model version 1 describes,
 * whose summary fields (cell, hidden_size, bidirectional) hold for every layer. */
static int layers_alike(const RnnConfig *c) {
    for (int l = 1; l < c->num_layers; l++)
        if (c->layers[l].cell != c->layers[0].cell ||
            c->layers[l].hidden_size != c->layers[0].hidden_size ||
            c->layers[l].bidirectional != c->layers[0].bidirectional)
            return 0;
    return 1;
}

static int layer_ok(const RnnConfig *c, int l) {
    return l >= 0 && l < c->num_layers;
}

/* Quantity `name` of layer l (in range): h, c (an LSTM layer) or a gate of the layer's cell. */
static int quantity_of(const RnnModel *m, int l, const char *name, int *q) {
    RnnCellKind cell = rnn_layer_cell(&m->config, l);
    if (!strcmp(name, "h")) return *q = RNN_QUANTITY_H, 0;
    if (!strcmp(name, "c")) return cell == RNN_CELL_LSTM ? (*q = RNN_QUANTITY_C, 0) : -1;
    for (int g = 0; g < rnn_gate_count(cell) && cell != RNN_CELL_RNN; g++)
        if (!strcmp(rnn_gate_name(cell, g), name)) return *q = g, 0;
    return -1;
}

/* For messages: "this gru model", or where layers differ "layer 1 (gru)". */
static const char *cell_words(const RnnConfig *c, int l, char *buf, size_t size) {
    if (layers_alike(c) || !layer_ok(c, l))
        snprintf(buf, size, "this %s model", rnn_cell_name(rnn_layer_cell(c, 0)));
    else
        snprintf(buf, size, "layer %d (%s)", l, rnn_cell_name(rnn_layer_cell(c, l)));
    return buf;
}

/* For messages: "H = 16", or where layers differ "H = 5 in layer 1", or when l is no layer
 * every layer's "H = 3, 5, 2". */
static const char *size_words(const RnnConfig *c, int l, char *buf, size_t size) {
    if (layers_alike(c)) {
        snprintf(buf, size, "H = %d", rnn_layer_hidden(c, 0));
    } else if (layer_ok(c, l)) {
        snprintf(buf, size, "H = %d in layer %d", rnn_layer_hidden(c, l), l);
    } else {
        snprintf(buf, size, "H = ");
        for (int k = 0; k < c->num_layers; k++) {
            size_t n = strlen(buf);
            snprintf(buf + n, size - n, "%s%d", k ? ", " : "", rnn_layer_hidden(c, k));
        }
    }
    return buf;
}

/* 1 when layer l (in range) has direction d. */
static int direction_ok(const RnnConfig *c, int l, int d) {
    return d >= 0 && d < rnn_layer_directions(c, l);
}

/* Recall accuracy on `count` fresh sentences of gap `distance` (fixed seed). Optionally the
 * median sensitivity ratio over the first `ratio_count` of them. */
static int recall_measure(const RnnModel *m, int distance, int count, double *accuracy,
                          int ratio_count, double *ratio, RnnError *err) {
    if (distance < 1 || distance > 10000) return rnn_error_set(err, "distance must be 1..10000");
    double *ratios = calloc((size_t)ratio_count + 1, sizeof *ratios);
    if (!ratios) return rnn_error_set(err, "out of memory");
    uint64_t rng = 0x1E550Bull + (uint64_t)distance; /* every machine draws the same sentences */
    int rc = rnn_recall_measure(m, m->config.num_labels, distance, count, &rng, accuracy, ratios,
                                ratio_count, err);
    if (!rc && ratio_count) *ratio = app_median(ratios, ratio_count);
    free(ratios);
    return rc;
}

/* Accuracy on a data file, optionally only over tokens whose true tag is `tag`. */
static int data_accuracy(const RnnModel *m, const char *path, const char *tag, double *out,
                         RnnError *err) {
    IoDataset *d;
    if (io_data_load(path, &d, err)) return -1;
    int rc = io_data_encode(d, m, err);
    int K = m->config.num_labels;
    int *confusion = rc ? NULL : calloc((size_t)K * K, sizeof *confusion);
    RnnStats s;
    if (!rc && (!confusion || rnn_evaluate(m, d->examples, d->count, &s, confusion, err))) rc = -1;
    if (!rc && !tag) *out = (double)s.correct / s.count;
    if (!rc && tag) {
        int k = rnn_model_label_index(m, tag);
        long total = 0;
        for (int c = 0; k >= 0 && c < K; c++) total += confusion[k * K + c];
        if (k < 0 || total == 0)
            rc = rnn_error_set(err, "no token is tagged %s", tag);
        else
            *out = (double)confusion[k * K + k] / total;
    }
    free(confusion);
    io_data_free(d);
    return rc;
}

/* ---- claims about the backward pass ------------------------------------------------------- */

/* A whole-number argument: fallback when absent. */
static int int_arg(const Args *a, const char *fn, const char *key, int fallback, int *out,
                   RnnError *err) {
    const char *v = arg(a, key);
    if (!v) return *out = fallback, 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < -1000000 || x > 1000000)
        return rnn_error_set(err, "%s(...): %s=%s is not a whole number", fn, key, v);
    *out = (int)x;
    return 0;
}

typedef struct GradFunction {
    const char *name;
    int quantity;      /* takes a quantity Q as its one positional argument */
    const char *keys;  /* the key=value arguments it takes, each followed by a space */
    const char *usage; /* for messages */
} GradFunction;

static const GradFunction grad_functions[] = {
    {"grad", 1, "unit t layer dir model ", "grad(Q, unit=J, t=N [, layer=L, dir=D, model=M])"},
    {"grad_norm", 1, "t layer dir model ", "grad_norm(Q, t=N [, layer=L, dir=D, model=M])"},
    {"grad_ratio", 1, "t over unit layer dir model ",
     "grad_ratio(Q, t=A [, over=B, unit=J, layer=L, dir=D, model=M])"},
    {"loss", 0, "model ", "loss([model=M])"},
    {"param_grad_norm", 0, "model ", "param_grad_norm([model=M])"},
    {"weight_hh_norm", 0, "layer dir model ", "weight_hh_norm([layer=L, dir=D, model=M])"},
};

static const GradFunction *grad_function(const char *name) {
    for (size_t i = 0; i < sizeof grad_functions / sizeof *grad_functions; i++)
        if (!strcmp(grad_functions[i].name, name)) return &grad_functions[i];
    return NULL;
}

/* One gradient claim on a run (the step's own, or another model's on the step's sentence). */
static int grad_value(const GradFunction *f, const Args *a, const StepState *st, Run *run,
                      double *number, RnnError *err) {
    const RnnModel *m = run->model;
    const RnnConfig *c = &m->config;
    const RnnTrace *tr = run->trace;
    int T = tr->steps;
    int l, d = 0, t, over, unit, q = RNN_QUANTITY_H;
    char words[96];
    const char *dir = arg(a, "dir");
    if (dir && strcmp(dir, "forward") && strcmp(dir, "backward"))
        return rnn_error_set(err, "%s: dir=%s: expected forward or backward", f->usage, dir);
    if (dir) d = !strcmp(dir, "backward");
    if (int_arg(a, f->name, "layer", 0, &l, err) || int_arg(a, f->name, "unit", 0, &unit, err) ||
        int_arg(a, f->name, "t", st->current, &t, err) ||
        /* where this direction's walk back starts: the last word it reads */
        int_arg(a, f->name, "over", d ? 0 : T - 1, &over, err))
        return -1;
    if (!layer_ok(c, l) || !direction_ok(c, l, d))
        return rnn_error_set(err, "%s: layer %d, dir %s out of range (%d layer(s), %s)", f->name, l,
                             d ? "backward" : "forward", c->num_layers,
                             !layer_ok(c, l)                  ? "layers 0 and up"
                             : rnn_layer_directions(c, l) > 1 ? "bidirectional"
                                                              : "one direction");
    int H = rnn_layer_hidden(c, l);
    /* the backward pass (and the engine's W_hh norm) take the models version 1 describes */
    RnnError why;
    if (rnn_config_check_uniform(c, &why))
        return rnn_error_set(err, "%s: %s", f->name, why.message);
    if (!strcmp(f->name, "weight_hh_norm")) {
        *number = rnn_weight_hh_norm(m, l, d);
        return 0;
    }
    if (f->quantity && quantity_of(m, l, a->pos[0], &q))
        return rnn_error_set(err, "%s: Q must be h, c or a gate of %s", f->usage,
                             cell_words(c, l, words, sizeof words));
    if (f->quantity && (t < 0 || t >= T || over < 0 || over >= T || unit < 0 || unit >= H))
        return rnn_error_set(err, "%s: t, over or unit out of range (T = %d, %s)", f->name, T,
                             size_words(c, l, words, sizeof words));
    if (run_grad(run, st->target, st->what_if.clip, err)) return -1;
    const RnnGrad *g = run->grad;
    if (!strcmp(f->name, "loss")) {
        *number = g->loss;
        return 0;
    }
    if (!strcmp(f->name, "param_grad_norm")) {
        *number = rnn_norm(g->grads, m->num_params);
        return 0;
    }
    const double *at[2];
    int when[2] = {t, over};
    for (int k = 0; k < 2; k++)
        at[k] = q == RNN_QUANTITY_H   ? g->dh + rnn_trace_state_index(tr, l, d, when[k])
                : q == RNN_QUANTITY_C ? g->dc + rnn_trace_state_index(tr, l, d, when[k])
                                      : g->dgate + rnn_trace_gate_index(tr, l, d, when[k], q);
    if (!strcmp(f->name, "grad")) {
        *number = at[0][unit];
    } else if (!strcmp(f->name, "grad_norm")) {
        *number = rnn_norm(at[0], (size_t)H);
    } else { /* the norms, or with unit= that unit's magnitudes */
        int one = arg(a, "unit") != NULL;
        double above = one ? fabs(at[0][unit]) : rnn_norm(at[0], (size_t)H);
        double below = one ? fabs(at[1][unit]) : rnn_norm(at[1], (size_t)H);
        if (below == 0) return rnn_error_set(err, "grad_ratio: the gradient at t=%d is 0", over);
        *number = above / below;
    }
    return 0;
}

/* grad, grad_norm, grad_ratio, loss, param_grad_norm, weight_hh_norm: on the step's model and
 * sentence, its what-if changes and its target; model=M runs another model on them. */
static int evaluate_grad(const GradFunction *f, const Args *a, StepState *st, const char *lesson,
                         const char *data_dir, ModelCache *cache, double *number, RnnError *err) {
    if (a->n != f->quantity)
        return rnn_error_set(err, "%s: %s", f->usage,
                             f->quantity ? "name one quantity Q (h, c or a gate)"
                                         : "no positional arguments");
    char keys[64], key[40];
    snprintf(keys, sizeof keys, " %s", f->keys);
    for (int i = 0; i < a->nkv; i++)
        if (snprintf(key, sizeof key, " %s ", a->key[i]), !strstr(keys, key))
            return rnn_error_set(err, "%s: unknown argument '%s'", f->usage, a->key[i]);
    Run other = {0}, *run = &st->run;
    const char *name = arg(a, "model");
    if (name) {
        char path[4096];
        model_path(name, lesson, data_dir, path, sizeof path);
        const RnnModel *m = cached_model(cache, path, err);
        if (!m || run_open(&other, m, st->text, &st->what_if, err)) return -1;
        run = &other;
    }
    int rc = grad_value(f, a, st, run, number, err);
    run_clear(&other);
    return rc;
}

/* Evaluates a claim's expression to a number or a word. */
static int evaluate(const IoClaim *claim, StepState *st, const char *lesson, const char *data_dir,
                    ModelCache *cache, double *number, char *word, size_t wsize, RnnError *err) {
    char name[64], path[4096];
    Args a;
    *word = '\0';
    if (parse_call(claim->expr, name, sizeof name, &a))
        return rnn_error_set(err, "cannot read the expression '%s'", claim->expr);
    const RnnTrace *tr = st->run.trace;
    const RnnModel *m = st->run.model;
    const GradFunction *gf = grad_function(name);
    if (gf) return evaluate_grad(gf, &a, st, lesson, data_dir, cache, number, err);
    if (!strcmp(name, "value")) {
        int q, l = arg_int(&a, "layer", 0), unit = arg_int(&a, "unit", 0);
        int t = arg_int(&a, "t", st->current), d = 0;
        const char *dir = arg(&a, "dir");
        const RnnConfig *c = &m->config;
        char words[96];
        if (dir) d = !strcmp(dir, "backward");
        if (!layer_ok(c, l) || !direction_ok(c, l, d) || t < 0 || t >= tr->steps || unit < 0 ||
            unit >= rnn_layer_hidden(c, l))
            return rnn_error_set(err,
                                 "value(...): layer, dir, t or unit out of range (T = %d, %s, "
                                 "%d layer(s))",
                                 tr->steps, size_words(c, l, words, sizeof words), c->num_layers);
        if (a.n != 1 || quantity_of(m, l, a.pos[0], &q))
            return rnn_error_set(err, "value(Q, ...): Q must be h, c or a gate of %s",
                                 cell_words(c, l, words, sizeof words));
        *number = q == RNN_QUANTITY_H   ? tr->h[rnn_trace_state_index(tr, l, d, t) + unit]
                  : q == RNN_QUANTITY_C ? tr->c[rnn_trace_state_index(tr, l, d, t) + unit]
                                        : tr->gate[rnn_trace_gate_index(tr, l, d, t, q) + unit];
        return 0;
    }
    if (!strcmp(name, "prob") || !strcmp(name, "predicted")) {
        RnnActivation act = m->config.head_activation;
        if (m->config.head == RNN_HEAD_NONE || m->config.head == RNN_HEAD_REGRESSION ||
            (act != RNN_ACT_SOFTMAX && act != RNN_ACT_SIGMOID))
            return rnn_error_set(err, "%s(): the model has no classifier", name);
        if (!strcmp(name, "predicted") && act == RNN_ACT_SIGMOID && m->config.num_labels == 1)
            return rnn_error_set(err,
                                 "predicted(): one sigmoid output says yes or no to its label "
                                 "(%s): use prob(%s)",
                                 m->labels[0], m->labels[0]);
        int o = m->config.head == RNN_HEAD_MANY_TO_MANY ? arg_int(&a, "t", st->current) : 0;
        if (o < 0 || o >= tr->out_steps) return rnn_error_set(err, "%s(): t out of range", name);
        const double *p = tr->probs + (size_t)o * m->config.num_labels;
        if (!strcmp(name, "predicted")) {
            int best = 0;
            for (int k = 1; k < m->config.num_labels; k++)
                if (p[k] > p[best]) best = k;
            snprintf(word, wsize, "%s", m->labels[best]);
            return 0;
        }
        int k = a.n == 1 ? rnn_model_label_index(m, a.pos[0]) : -1;
        if (k < 0) return rnn_error_set(err, "prob(LABEL): not one of the model's labels");
        *number = p[k];
        return 0;
    }
    /* the rest name a model first */
    if (a.n < 1) return rnn_error_set(err, "%s(MODEL, ...): the model is missing", name);
    model_path(a.pos[0], lesson, data_dir, path, sizeof path);
    RnnModel *model = cached_model(cache, path, err);
    if (!model) return -1;
    if (!strcmp(name, "accuracy") || !strcmp(name, "sensitivity_ratio")) {
        const char *dist = arg(&a, "distance");
        if (!dist) return rnn_error_set(err, "%s(MODEL, distance=D): distance is missing", name);
        double acc = 0, ratio = 0;
        int ratios = !strcmp(name, "sensitivity_ratio") ? 100 : 0;
        if (recall_measure(model, atoi(dist), ratios ? 100 : 400, &acc, ratios, &ratio, err))
            return -1;
        *number = ratios ? ratio : acc;
        return 0;
    }
    if (!strcmp(name, "eval") || !strcmp(name, "tag_accuracy")) {
        if (a.n < 2 || (!strcmp(name, "tag_accuracy") && a.n < 3))
            return rnn_error_set(err, "%s(MODEL, DATA%s)", name,
                                 strcmp(name, "eval") ? ", TAG" : "");
        char data[4096];
        model_path(a.pos[1], lesson, data_dir, data, sizeof data); /* relative to the lesson */
        return data_accuracy(model, data, a.n >= 3 ? a.pos[2] : NULL, number, err);
    }
    if (!strcmp(name, "params")) {
        const char *fw = a.n >= 2 ? a.pos[1] : "pytorch";
        if (strcmp(fw, "pytorch") && strcmp(fw, "keras"))
            return rnn_error_set(err, "params(MODEL, pytorch|keras)");
        *number =
            (double)rnn_param_count(&model->config, !strcmp(fw, "keras") ? RNN_KERAS : RNN_PYTORCH);
        return 0;
    }
    return rnn_error_set(err,
                         "unknown function '%s' (value, prob, predicted, grad, grad_norm, "
                         "grad_ratio, loss, param_grad_norm, weight_hh_norm, accuracy, "
                         "sensitivity_ratio, eval, tag_accuracy, params)",
                         name);
}

static int holds(double x, const char *op, double y) {
    return !strcmp(op, "<")    ? x < y
           : !strcmp(op, "<=") ? x <= y
           : !strcmp(op, ">")  ? x > y
           : !strcmp(op, ">=") ? x >= y
           : !strcmp(op, "==") ? fabs(x - y) <= 1e-9 * fmax(1, fabs(y))
                               : fabs(x - y) > 1e-9 * fmax(1, fabs(y));
}

/* ---- one lesson --------------------------------------------------------------------------- */

/* Checks one lesson; prints its problems (file:line: ...) to err. Returns the count of
 * problems; *claims gets the number of claims checked. */
/* The step's focus names a quantity the model has, at a unit, layer, direction and time
 * step that exist. Returns the problems found, each printed. */
static int check_focus(const IoLesson *l, const IoLessonStep *s, const StepState *st, int T,
                       FILE *err) {
    int problems = 0;
    const RnnConfig *c = &st->run.model->config;
    int q, layer = s->layer < 0 ? 0 : s->layer; /* the view's: layer 0 when unset */
    char words[96];
    if (layer_ok(c, layer) && quantity_of(st->run.model, layer, s->focus, &q)) {
        if (layers_alike(c))
            fprintf(err, "%s:%d: focus=%s: a %s has no such quantity\n", l->path, s->focus_line,
                    s->focus, rnn_cell_name(rnn_layer_cell(c, 0)));
        else
            fprintf(err, "%s:%d: focus=%s: layer %d, a %s layer, has no such quantity\n", l->path,
                    s->focus_line, s->focus, layer, rnn_cell_name(rnn_layer_cell(c, layer)));
        problems++;
    }
    if (!layer_ok(c, layer) || s->unit >= rnn_layer_hidden(c, layer) ||
        s->dir >= rnn_layer_directions(c, layer) || s->t >= T) {
        fprintf(err,
                "%s:%d: focus: unit %d, layer %d, dir %d or t %d out of range (%s, "
                "%d layer(s), T = %d)\n",
                l->path, s->focus_line, s->unit, s->layer, s->dir, s->t,
                size_words(c, layer, words, sizeof words), c->num_layers, T);
        problems++;
    }
    return problems;
}

/* Evaluates one claim of a lesson at the state st; prints why when it does not hold. Returns
 * 1 for a problem, else 0. */
static int check_claim(const IoLesson *l, const IoClaim *cl, StepState *st, const char *data_dir,
                       ModelCache *cache, FILE *err) {
    RnnError e;
    double x = 0;
    char word[128];
    if (evaluate(cl, st, l->path, data_dir, cache, &x, word, sizeof word, &e)) {
        fprintf(err, "%s:%d: expect %s: %s\n", l->path, cl->line, cl->expr, e.message);
        return 1;
    }
    char *end;
    double y = strtod(cl->value, &end);
    int numeric = *cl->value && !*end;
    int ok;
    if (word[0]) { /* a word: == or != */
        int same = !strcmp(word, cl->value);
        ok = !strcmp(cl->op, "==") ? same : !strcmp(cl->op, "!=") ? !same : 0;
    } else if (!numeric) {
        fprintf(err, "%s:%d: expect %s %s %s: compare a number with a number\n", l->path, cl->line,
                cl->expr, cl->op, cl->value);
        return 1;
    } else {
        ok = holds(x, cl->op, y);
    }
    if (!ok) {
        if (word[0])
            fprintf(err, "%s:%d: claim does not hold: %s %s %s (it is %s)\n", l->path, cl->line,
                    cl->expr, cl->op, cl->value, word);
        else
            fprintf(err, "%s:%d: claim does not hold: %s %s %s (it is %.6g)\n", l->path, cl->line,
                    cl->expr, cl->op, cl->value, x);
        return 1;
    }
    return 0;
}

/* The step's what-if changes fit its model as rnn_what_if_apply takes them: nonlinearity= only
 * for a vanilla RNN, forget-bias= only for a cell with a gate that keeps (LSTM f, GRU z), each
 * decided by the first layer's cell (the change then acts on every layer of that kind).
 * Returns the problems, each printed. */
static int check_what_if(const IoLesson *l, const IoLessonStep *s, const RnnModel *m, FILE *err) {
    int problems = 0;
    const char *cell = rnn_cell_name(m->config.cell);
    const char *whose = layers_alike(&m->config) ? "this model" : "this model's first layer";
    if (s->nonlinearity_line && m->config.cell != RNN_CELL_RNN) {
        fprintf(err,
                "%s:%d: nonlinearity=%s: only a vanilla RNN can switch between tanh and relu "
                "(%s: %s)\n",
                l->path, s->nonlinearity_line, s->what_if.relu ? "relu" : "tanh", whose, cell);
        problems++;
    }
    if (s->forget_bias_line && m->config.cell == RNN_CELL_RNN) {
        fprintf(err,
                "%s:%d: forget-bias=%g: a vanilla RNN has no forget gate (it shifts an LSTM's f "
                "or a GRU's z)\n",
                l->path, s->forget_bias_line, s->what_if.forget_bias_shift);
        problems++;
    }
    return problems;
}

/* The step's backward pass can be taken: back= goes with pass=backward and stays within the
 * sentence, the target is one the model can be scored against. Returns the problems, each
 * printed. */
static int check_backward(const IoLesson *l, const IoLessonStep *s, const StepState *st,
                          FILE *err) {
    const RnnModel *m = st->run.model;
    int T = st->run.trace->steps;
    int problems = 0;
    if (s->back >= 0 && !s->backward) {
        fprintf(err, "%s:%d: back=%d goes with pass=backward\n", l->path, s->back_line, s->back);
        problems++;
    } else if (s->back > T - 1) {
        fprintf(err,
                "%s:%d: back=%d, but the sentence has %d words (back=0 is the last word, "
                "back=%d the first)\n",
                l->path, s->back_line, s->back, T, T - 1);
        problems++;
    }
    if ((s->backward || s->target) && m->config.head == RNN_HEAD_NONE) {
        fprintf(err, "%s:%d: %s: the model has no head, so there is no loss to go back from\n",
                l->path, s->target ? s->target_line : s->line,
                s->target ? "target=" : "pass=backward");
        return problems + 1;
    }
    RnnError why;
    if ((s->backward || s->target) && rnn_config_check_uniform(&m->config, &why)) {
        fprintf(err, "%s:%d: %s: %s\n", l->path, s->target ? s->target_line : s->line,
                s->target ? "target=" : "pass=backward", why.message);
        return problems + 1;
    }
    if (s->target) {
        int *ids = calloc((size_t)st->run.trace->out_steps + 1, sizeof *ids);
        double *values = calloc((size_t)m->config.num_labels + 1, sizeof *values);
        RnnError e;
        if (!ids || !values) {
            fprintf(err, "%s:%d: out of memory\n", l->path, s->target_line);
            problems++;
        } else if (rnn_grad_parse_target(m, s->target, T, ids, values, &e)) {
            fprintf(err, "%s:%d: target=%s: %s", l->path, s->target_line, s->target, e.message);
            if (m->config.head != RNN_HEAD_REGRESSION)
                for (int k = 0; k < m->config.num_labels; k++)
                    fprintf(err, "%s%s", k ? ", " : " (labels: ", m->labels[k]);
            fprintf(err, "%s\n", m->config.head != RNN_HEAD_REGRESSION ? ")" : "");
            problems++;
        }
        free(ids);
        free(values);
    }
    return problems;
}

int app_check_lesson(const IoLesson *l, const char *data_dir, FILE *err, int *claims) {
    ModelCache cache = {0};
    StepState st = {0};
    int problems = 0;
    *claims = 0;
    st.model_path = l->model;
    st.text = l->text;
    st.step = 1;
    for (int i = 0; i < l->nsteps; i++) {
        const IoLessonStep *s = &l->steps[i];
        RnnError e;
        int line = s->model_line ? s->model_line : s->line;
        if (s->model) st.model_path = s->model;
        if (s->text) st.text = s->text;
        if (!(st.loaded = cached_model(&cache, st.model_path, &e))) {
            fprintf(err, "%s:%d: %s\n", l->path, i == 0 && !s->model ? l->model_line : line,
                    e.message);
            problems++;
            break;
        }
        state_clear(&st);
        /* what-if changes, the target and the backward pass hold for this step only */
        int bad_step = check_what_if(l, s, st.loaded, err);
        problems += bad_step;
        st.what_if = bad_step ? RNN_WHAT_IF_NONE : s->what_if;
        st.target = s->target;
        if (run_open(&st.run, st.loaded, st.text, &st.what_if, &e)) {
            fprintf(err, "%s:%d: the sentence: %s\n", l->path, s->text ? s->line : l->text_line,
                    e.message);
            problems++;
            break;
        }
        int T = st.run.trace->steps;
        if (s->step == IO_LESSON_STEP_END)
            st.step = T;
        else if (s->step >= 0)
            st.step = s->step;
        if (st.step > T) {
            fprintf(err, "%s:%d: step=%d, but the sentence has %d words\n", l->path, s->step_line,
                    st.step, T);
            problems++;
            st.step = T;
        }
        int back = s->back > 0 ? s->back : 0;
        st.current = s->backward ? T - 1 - (back < T ? back : T - 1) : st.step - 1;
        int bad_backward = check_backward(l, s, &st, err);
        problems += bad_backward;
        if (s->focus) problems += check_focus(l, s, &st, T, err);
        /* claims need the step as it was meant: with its changes and a target it can score */
        if (bad_step || bad_backward) continue;
        for (int k = 0; k < s->nclaims; k++, (*claims)++)
            problems += check_claim(l, &s->claims[k], &st, data_dir, &cache, err);
    }
    state_clear(&st);
    cache_free(&cache);
    return problems;
}

/* ---- the command ----------------------------------------------------------------------------
 */

int app_check_main(int argc, char **argv, FILE *out, FILE *err) {
    const char *dir_opt = NULL;
    char *paths[256];
    int npaths = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(app_check_usage, out);
            return APP_EXIT_OK;
        }
        if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) {
            dir_opt = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(err, "rnnscope: unknown option '%s'\n\n%s", argv[i], app_check_usage);
            return APP_EXIT_USAGE;
        } else if (npaths < 256) {
            paths[npaths++] = argv[i];
        }
    }
    char *data_dir = app_data_dir(dir_opt);
    char fallback[4096];
    if (npaths == 0) {
        snprintf(fallback, sizeof fallback, "%s/lessons", data_dir ? data_dir : ".");
        paths[npaths++] = fallback;
    }
    int failures = 0, files = 0;
    for (int p = 0; p < npaths; p++) {
        char **list;
        int n;
        if (io_lesson_find(paths[p], &list, &n)) {
            fprintf(err, "%s: cannot read\n", paths[p]);
            failures++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            IoLesson *l = NULL;
            RnnError e;
            int claims = 0, problems;
            files++;
            if (io_lesson_load(list[i], &l, &e)) {
                fprintf(err, "%s\n", e.message);
                problems = 1;
            } else {
                problems = app_check_lesson(l, data_dir, err, &claims);
            }
            if (problems)
                fprintf(out, "FAIL %s (%d problem%s)\n", list[i], problems,
                        problems > 1 ? "s" : "");
            else
                fprintf(out, "ok   %s (%d steps, %d claims hold)\n", list[i], l->nsteps, claims);
            failures += problems != 0;
            io_lesson_free(l);
            free(list[i]);
        }
        free(list);
    }
    free(data_dir);
    if (files == 0 && failures == 0) {
        fprintf(err, "rnnscope check: no lesson files found\n");
        return APP_EXIT_ERROR;
    }
    fprintf(out, "%d passed, %d failed\n", files - failures, failures);
    return failures ? APP_EXIT_ERROR : APP_EXIT_OK;
}
