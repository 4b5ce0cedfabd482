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
    "units and layers exist, and that every `expect` claim holds. One line per file; the exit\n"
    "code is 1 when anything fails. See lessons/README.md for the format.\n";

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

typedef struct StepState {
    const char *model_path, *text;
    int step; /* resolved: 0..T */
    RnnModel *model;
    RnnTokens tokens;
    RnnTrace *trace;
} StepState;

static void state_clear(StepState *s) {
    rnn_tokens_free(&s->tokens);
    rnn_trace_free(s->trace);
    s->trace = NULL;
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

static int quantity_of(const RnnModel *m, const char *name, int *q) {
    if (!strcmp(name, "h")) return *q = RNN_QUANTITY_H, 0;
    if (!strcmp(name, "c")) return m->config.cell == RNN_CELL_LSTM ? (*q = RNN_QUANTITY_C, 0) : -1;
    for (int g = 0; g < rnn_gate_count(m->config.cell) && m->config.cell != RNN_CELL_RNN; g++)
        if (!strcmp(rnn_gate_name(m->config.cell, g), name)) return *q = g, 0;
    return -1;
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

/* Evaluates a claim's expression to a number or a word. */
static int evaluate(const IoClaim *claim, const StepState *st, const char *lesson,
                    const char *data_dir, ModelCache *cache, double *number, char *word,
                    size_t wsize, RnnError *err) {
    char name[64], path[4096];
    Args a;
    *word = '\0';
    if (parse_call(claim->expr, name, sizeof name, &a))
        return rnn_error_set(err, "cannot read the expression '%s'", claim->expr);
    const RnnTrace *tr = st->trace;
    const RnnModel *m = st->model;
    if (!strcmp(name, "value")) {
        int q, l = arg_int(&a, "layer", 0), unit = arg_int(&a, "unit", 0);
        int t = arg_int(&a, "t", st->step - 1), d = 0;
        const char *dir = arg(&a, "dir");
        if (dir) d = !strcmp(dir, "backward");
        if (a.n != 1 || quantity_of(m, a.pos[0], &q))
            return rnn_error_set(err, "value(Q, ...): Q must be h, c or a gate of this %s model",
                                 rnn_cell_name(m->config.cell));
        if (l < 0 || l >= m->config.num_layers || d >= rnn_directions(&m->config) || t < 0 ||
            t >= tr->steps || unit < 0 || unit >= m->config.hidden_size)
            return rnn_error_set(err,
                                 "value(...): layer, dir, t or unit out of range (T = %d, "
                                 "H = %d)",
                                 tr->steps, m->config.hidden_size);
        *number = q == RNN_QUANTITY_H   ? tr->h[rnn_trace_state_index(tr, l, d, t) + unit]
                  : q == RNN_QUANTITY_C ? tr->c[rnn_trace_state_index(tr, l, d, t) + unit]
                                        : tr->gate[rnn_trace_gate_index(tr, l, d, t, q) + unit];
        return 0;
    }
    if (!strcmp(name, "prob") || !strcmp(name, "predicted")) {
        if (m->config.head == RNN_HEAD_NONE || m->config.head == RNN_HEAD_REGRESSION)
            return rnn_error_set(err, "%s(): the model has no classifier", name);
        int o = m->config.head == RNN_HEAD_MANY_TO_MANY ? arg_int(&a, "t", st->step - 1) : 0;
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
                         "unknown function '%s' (value, prob, predicted, accuracy, "
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
    const RnnConfig *c = &st->model->config;
    int q;
    if (quantity_of(st->model, s->focus, &q)) {
        fprintf(err, "%s:%d: focus=%s: a %s has no such quantity\n", l->path, s->focus_line,
                s->focus, rnn_cell_name(c->cell));
        problems++;
    }
    if (s->unit >= c->hidden_size || s->layer >= c->num_layers || s->dir >= rnn_directions(c) ||
        s->t >= T) {
        fprintf(err,
                "%s:%d: focus: unit %d, layer %d, dir %d or t %d out of range (H = %d, "
                "%d layer(s), T = %d)\n",
                l->path, s->focus_line, s->unit, s->layer, s->dir, s->t, c->hidden_size,
                c->num_layers, T);
        problems++;
    }
    return problems;
}

/* Evaluates one claim of a lesson at the state st; prints why when it does not hold. Returns
 * 1 for a problem, else 0. */
static int check_claim(const IoLesson *l, const IoClaim *cl, const StepState *st,
                       const char *data_dir, ModelCache *cache, FILE *err) {
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
        if (!(st.model = cached_model(&cache, st.model_path, &e))) {
            fprintf(err, "%s:%d: %s\n", l->path, i == 0 && !s->model ? l->model_line : line,
                    e.message);
            problems++;
            break;
        }
        state_clear(&st);
        if (rnn_model_run_text(st.model, st.text, APP_MAX_TRACE_BYTES, &st.tokens, &st.trace, &e)) {
            fprintf(err, "%s:%d: the sentence: %s\n", l->path, s->text ? s->line : l->text_line,
                    e.message);
            problems++;
            break;
        }
        int T = st.trace->steps;
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
        if (s->focus) problems += check_focus(l, s, &st, T, err);
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
