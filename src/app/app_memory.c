/* app_memory.c - `rnnscope memory`: the RNN vs LSTM vs GRU long-term memory experiment.
 *
 * For each longest gap D and each cell kind, a fresh model (same hidden size, same seed)
 * trains on recall sentences with gaps 1..D for the same number of Adam steps on the same
 * sentences, then answers fresh sentences whose gap is exactly D. Repeated over seeds; the
 * mean and the worst seed are reported, with the gradient ratio ‖∂h_T/∂x_1‖ / ‖∂h_T/∂x_T‖
 * that tells why a vanilla RNN cannot learn long gaps (Bengio et al. 1994). */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"
#ifdef RNNSCOPE_HAVE_UI
#include "plat.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char app_memory_usage[] =
    "usage: rnnscope memory [--cells rnn,lstm,gru] [--distances 5,10,20,50,100] [--hidden H]\n"
    "                       [--embed E] [--budget STEPS] [--batch-size B] [--lr X]\n"
    "                       [--seeds N] [--keys K] [--test N] [--quick]\n"
    "                       [--adding] [--format json|table] [--plot OUT.png]\n"
    "\n"
    "Trains each cell on the recall task with gaps 1..D (same data, same budget, same\n"
    "seed for every cell), then measures its accuracy on fresh sentences whose gap is\n"
    "exactly D, for each D. Defaults: hidden 16, embed 8, budget 1500 Adam steps of 32\n"
    "sentences, lr 0.01, 3 seeds, 4 keys (chance 0.25), 500 test sentences.\n"
    "--quick: distances 5,20,40, one seed, 200 test sentences (under a minute).\n"
    "\n"
    "Also reports the gradient ratio |dh_T/dx_1| / |dh_T/dx_T| of each trained model on\n"
    "its test sentences (median): how much of the first word's gradient survives the gap.\n"
    "\n"
    "--adding also runs the adding problem with sequences of length D (same cells, budget\n"
    "and seeds) and reports its test MSE; always predicting 1 scores about 1/6 = 0.167.\n";

/* The experiment's settings (parse_memory_options sets the defaults the usage states). */
typedef struct MemoryOptions {
    int cells[3], ncells;          /* RnnCellKind of each cell compared */
    int distances[32], ndistances; /* the longest gaps D */
    int hidden, embed;             /* every model's hidden size and word-vector width */
    int budget, batch;             /* Adam steps, sentences per step */
    int seeds, keys, test;         /* repeats, recall keys, test sentences per model */
    double lr;
} MemoryOptions;

typedef struct MemoryResult {
    double accuracy[64]; /* per seed */
    double mse[64];      /* adding problem, per seed */
    double ratio[64];    /* median gradient ratio per seed */
} MemoryResult;

static int parse_list(const char *text, int *out, int max, int *n) {
    *n = 0;
    for (const char *p = text; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 100000 || *n >= max) return -1;
        out[(*n)++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return *n ? 0 : -1;
}

static int parse_cells(const char *text, int *out, int *n) {
    *n = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        RnnCellKind k;
        if (*n >= 3 || rnn_cell_from_name(tok, &k)) return -1;
        out[(*n)++] = (int)k;
    }
    return *n ? 0 : -1;
}

/* A recall model: vocab "<unk>", the keys, the fillers, "?"; labels: the keys. */
static RnnModel *recall_model(RnnCellKind cell, const MemoryOptions *o, uint64_t seed,
                              RnnError *err) {
    RnnConfig c = {.cell = cell,
                   .nonlinearity = RNN_TANH,
                   .input_size = o->embed,
                   .hidden_size = o->hidden,
                   .num_layers = 1,
                   .vocab_size = 2 + o->keys + RNN_RECALL_FILLERS,
                   .head = RNN_HEAD_MANY_TO_ONE,
                   .num_labels = o->keys};
    RnnModel *m = rnn_model_new(&c, err);
    if (!m) return NULL;
    int v = 0, ok = rnn_model_set_vocab(m, v++, "<unk>", err) == 0;
    for (int k = 0; ok && k < o->keys; k++) {
        ok = rnn_model_set_vocab(m, v++, rnn_recall_key(k), err) == 0 &&
             rnn_model_set_label(m, k, rnn_recall_key(k), err) == 0;
    }
    for (int k = 0; ok && k < RNN_RECALL_FILLERS; k++)
        ok = rnn_model_set_vocab(m, v++, rnn_recall_filler(k), err) == 0;
    ok = ok && rnn_model_set_vocab(m, v++, "?", err) == 0 && rnn_model_index_vocab(m, err) == 0;
    char name[64];
    snprintf(name, sizeof name, "recall-%s", rnn_cell_name(cell));
    if (!ok || rnn_model_set_name(m, name, err)) {
        rnn_model_free(m);
        return NULL;
    }
    rnn_model_init_random(m, seed);
    return m;
}

/* Fills one recall example (ids into `ids`; ids and words hold distance + 2). */
static void recall_example(const RnnModel *m, int keys, int distance, uint64_t *rng,
                           const char **words, int *ids, int *target, RnnExample *ex) {
    *target = rnn_recall_sentence(keys, distance, rng, words);
    for (int t = 0; t < distance + 2; t++) ids[t] = rnn_model_token_id(m, words[t]);
    *ex = (RnnExample){distance + 2, ids, NULL, target, NULL};
}

/* The adding problem at length T: same budget and seeds as recall; returns the test MSE. */
static int run_adding(RnnCellKind cell, int T, int seed, const MemoryOptions *o, double *mse,
                      RnnError *err) {
    RnnConfig c = {.cell = cell,
                   .nonlinearity = RNN_TANH,
                   .input_size = 2,
                   .hidden_size = o->hidden,
                   .num_layers = 1,
                   .head = RNN_HEAD_REGRESSION,
                   .num_labels = 1};
    RnnModel *m = rnn_model_new(&c, err);
    if (!m || rnn_model_set_label(m, 0, "target", err)) {
        rnn_model_free(m);
        return -1;
    }
    rnn_model_init_random(m, 1000003ULL * (uint64_t)seed + 29);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.lr = o->lr;
    tc.batch_size = o->batch;
    RnnTrainer *trainer = rnn_trainer_new(m, &tc, T, err);
    double *x = malloc((size_t)o->batch * T * 2 * sizeof *x);
    double *y = malloc((size_t)o->batch * sizeof *y);
    RnnExample *ex = malloc((size_t)o->batch * sizeof *ex);
    const RnnExample **batch = malloc((size_t)o->batch * sizeof *batch);
    int rc = -1;
    if (!trainer || !x || !y || !ex || !batch) {
        if (trainer) rnn_error_set(err, "out of memory");
        goto done;
    }
    uint64_t data_rng = 0xADDULL + 7919ULL * (uint64_t)seed + 104729ULL * (uint64_t)T;
    for (int step = 0; step < o->budget; step++) {
        for (int b = 0; b < o->batch; b++) {
            y[b] = rnn_adding_sequence(T, &data_rng, x + (size_t)b * T * 2);
            ex[b] = (RnnExample){T, NULL, x + (size_t)b * T * 2, NULL, &y[b]};
            batch[b] = &ex[b];
        }
        if (rnn_trainer_step(trainer, batch, o->batch, NULL, err)) goto done;
    }
    uint64_t test_rng = 0x7E57ADDULL + 31337ULL * (uint64_t)seed + 15485863ULL * (uint64_t)T;
    double sum = 0;
    for (int i = 0; i < o->test; i++) {
        y[0] = rnn_adding_sequence(T, &test_rng, x);
        ex[0] = (RnnExample){T, NULL, x, NULL, &y[0]};
        RnnStats s;
        if (rnn_evaluate(m, ex, 1, &s, NULL, err)) goto done;
        sum += s.loss_sum;
    }
    *mse = sum / o->test;
    rc = 0;
done:
    free(x), free(y), free(ex), free(batch);
    rnn_trainer_free(trainer);
    rnn_model_free(m);
    return rc;
}

/* Trains one cell at one D with one seed; accuracy and median gradient ratio at gap D. */
static int run_one(RnnCellKind cell, int D, int seed, const MemoryOptions *o, double *accuracy,
                   double *ratio, RnnError *err) {
    int rc = -1, T = D + 2;
    RnnModel *m = recall_model(cell, o, 1000003ULL * (uint64_t)seed + 17, err);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.lr = o->lr;
    tc.batch_size = o->batch;
    RnnTrainer *trainer = m ? rnn_trainer_new(m, &tc, T, err) : NULL;
    int *ids = malloc((size_t)o->batch * T * sizeof *ids);
    int *targets = malloc((size_t)o->batch * sizeof *targets);
    RnnExample *examples = malloc((size_t)o->batch * sizeof *examples);
    const RnnExample **batch = malloc((size_t)o->batch * sizeof *batch);
    double *ratios = malloc((size_t)o->test * sizeof *ratios);
    const char **words = malloc((size_t)T * sizeof *words);
    if (!trainer || !ids || !targets || !examples || !batch || !ratios || !words) {
        if (m && trainer) rnn_error_set(err, "out of memory");
        goto done;
    }
    /* The training sentences depend on (D, seed) only: every cell sees the same ones. */
    uint64_t data_rng = 0xDA7AULL + 7919ULL * (uint64_t)seed + 104729ULL * (uint64_t)D;
    for (int step = 0; step < o->budget; step++) {
        for (int b = 0; b < o->batch; b++) {
            int d = 1 + rnn_rng_below(&data_rng, D);
            recall_example(m, o->keys, d, &data_rng, words, ids + (size_t)b * T, &targets[b],
                           &examples[b]);
            batch[b] = &examples[b];
        }
        if (rnn_trainer_step(trainer, batch, o->batch, NULL, err)) goto done;
    }
    /* Fresh sentences with gap exactly D. */
    uint64_t test_rng = 0x7E57ULL + 31337ULL * (uint64_t)seed + 15485863ULL * (uint64_t)D;
    if (rnn_recall_measure(m, o->keys, D, o->test, &test_rng, accuracy, ratios, o->test, err))
        goto done;
    *ratio = app_median(ratios, o->test);
    rc = 0;
done:
    free(ids), free(targets), free(examples), free(batch), free(ratios);
    free(words);
    rnn_trainer_free(trainer);
    rnn_model_free(m);
    return rc;
}

/* Parses the options into *o, *as_json, *adding and *plot. Returns 0, -1 after --help, or
 * an exit code. */
static int parse_memory_options(int argc, char **argv, MemoryOptions *o, int *as_json, int *adding,
                                const char **plot, FILE *out, FILE *err) {
    const char *cells = NULL, *distances = NULL, *hidden = NULL, *embed = NULL, *budget = NULL;
    const char *batch = NULL, *lr = NULL, *seeds = NULL, *keys = NULL, *test = NULL;
    const char *format = NULL;
    int quick = 0;
    *adding = 0, *plot = NULL;
    const AppOption opts[] = {
        {"cells", &cells, NULL}, {"distances", &distances, NULL}, {"hidden", &hidden, NULL},
        {"embed", &embed, NULL}, {"budget", &budget, NULL},       {"batch-size", &batch, NULL},
        {"lr", &lr, NULL},       {"seeds", &seeds, NULL},         {"keys", &keys, NULL},
        {"test", &test, NULL},   {"quick", NULL, &quick},         {"format", &format, NULL},
        {"plot", plot, NULL},    {"adding", NULL, adding},
    };
    int rc = app_parse_options(argc, argv, 2, opts, (int)(sizeof opts / sizeof *opts),
                               app_memory_usage, out, err);
    if (rc) return rc;
    /* the defaults the usage text states */
    *o = (MemoryOptions){.cells = {RNN_CELL_RNN, RNN_CELL_LSTM, RNN_CELL_GRU},
                         .ncells = 3,
                         .distances = {5, 10, 20, 50, 100},
                         .ndistances = 5,
                         .hidden = 16,
                         .embed = 8,
                         .budget = 1500,
                         .batch = 32,
                         .seeds = 3,
                         .keys = 4,
                         .test = 500,
                         .lr = 0.01};
    if (quick) {
        o->distances[0] = 5, o->distances[1] = 20, o->distances[2] = 40, o->ndistances = 3;
        o->seeds = 1, o->test = 200;
    }
    const char *problem = NULL;
    if (cells && parse_cells(cells, o->cells, &o->ncells))
        problem = "--cells: e.g. rnn,lstm,gru";
    else if (distances && parse_list(distances, o->distances, 32, &o->ndistances))
        problem = "--distances: e.g. 5,10,20 (1..100000)";
    else if (app_parse_int(hidden, "hidden", 1, RNN_MAX_SIZE, &o->hidden, err) ||
             app_parse_int(embed, "embed", 1, RNN_MAX_SIZE, &o->embed, err) ||
             app_parse_int(budget, "budget", 1, 100000000, &o->budget, err) ||
             app_parse_int(batch, "batch-size", 1, 100000, &o->batch, err) ||
             app_parse_int(seeds, "seeds", 1, 64, &o->seeds, err) ||
             app_parse_int(keys, "keys", 4, RNN_RECALL_MAX_KEYS, &o->keys, err) ||
             app_parse_int(test, "test", 1, 1000000, &o->test, err) ||
             app_parse_double(lr, "lr", 0, INFINITY, &o->lr, err))
        problem = "bad option value";
    else if (!(o->lr > 0))
        problem = "--lr must be a positive number";
    else if (format && strcmp(format, "json") && strcmp(format, "table"))
        problem = "--format must be json or table";
    if (problem) {
        fprintf(err, "rnnscope memory: %s\n\n%s", problem, app_memory_usage);
        return APP_EXIT_USAGE;
    }
    *as_json = format ? strcmp(format, "json") == 0 : 0;
    return 0;
}

/* Every distance, cell and seed: results[distance * 3 + cell]. Returns an exit code. */
static int run_all(const MemoryOptions *o, int adding, int as_json, MemoryResult *results,
                   FILE *err) {
    RnnError e;
    int rc = APP_EXIT_OK;
    for (int i = 0; i < o->ndistances && rc == APP_EXIT_OK; i++)
        for (int c = 0; c < o->ncells && rc == APP_EXIT_OK; c++)
            for (int s = 0; s < o->seeds; s++) {
                MemoryResult *r = &results[i * 3 + c];
                if (run_one((RnnCellKind)o->cells[c], o->distances[i], s + 1, o, &r->accuracy[s],
                            &r->ratio[s], &e) ||
                    (adding && run_adding((RnnCellKind)o->cells[c], o->distances[i], s + 1, o,
                                          &r->mse[s], &e))) {
                    rc = app_fail(err, "memory", e.message);
                    break;
                }
                if (!as_json && isatty(fileno(err)))
                    fprintf(err, "\r  D=%d %s seed %d: accuracy %.3f        ", o->distances[i],
                            rnn_cell_name((RnnCellKind)o->cells[c]), s + 1, r->accuracy[s]);
            }
    if (!as_json && isatty(fileno(err))) fprintf(err, "\r%60s\r", "");
    return rc;
}

/* The results as JSON or as a table (with the adding problem's, if run). */
static int print_results(const MemoryOptions *o, int adding, int as_json,
                         const MemoryResult *results, FILE *out, FILE *err) {
    int rc = APP_EXIT_OK;
    IoBuf b = {0};
    if (as_json) {
        io_buf_printf(&b, "{\"task\": \"recall\", \"keys\": %d, \"chance\": ", o->keys);
        io_buf_double(&b, 1.0 / o->keys);
        io_buf_printf(&b,
                      ", \"hidden\": %d, \"embed\": %d, \"budget\": %d, \"batch_size\": %d, "
                      "\"lr\": ",
                      o->hidden, o->embed, o->budget, o->batch);
        io_buf_double(&b, o->lr);
        io_buf_printf(&b, ", \"seeds\": %d, \"test\": %d, \"results\": [", o->seeds, o->test);
    } else {
        io_buf_printf(&b, "\n%6s", "D");
        for (int c = 0; c < o->ncells; c++)
            io_buf_printf(&b, "   %-24s", rnn_cell_name((RnnCellKind)o->cells[c]));
        io_buf_printf(&b, "\n%6s", "");
        for (int c = 0; c < o->ncells; c++) io_buf_printf(&b, "   %-24s", "acc mean/min   ratio");
        io_buf_puts(&b, "\n");
    }
    for (int i = 0; i < o->ndistances; i++) {
        if (!as_json) io_buf_printf(&b, "%6d", o->distances[i]);
        for (int c = 0; c < o->ncells; c++) {
            const MemoryResult *r = &results[i * 3 + c];
            double mean = 0, min = 1, ratios[64];
            for (int s = 0; s < o->seeds; s++) {
                mean += r->accuracy[s] / o->seeds;
                if (r->accuracy[s] < min) min = r->accuracy[s];
                ratios[s] = r->ratio[s];
            }
            double ratio = app_median(ratios, o->seeds);
            if (as_json) {
                io_buf_printf(&b, "%s\n  {\"distance\": %d, \"cell\": \"%s\", \"accuracy\": ",
                              i || c ? "," : "", o->distances[i],
                              rnn_cell_name((RnnCellKind)o->cells[c]));
                io_buf_double_array(&b, r->accuracy, (size_t)o->seeds);
                io_buf_puts(&b, ", \"mean\": ");
                io_buf_double(&b, mean);
                io_buf_puts(&b, ", \"min\": ");
                io_buf_double(&b, min);
                io_buf_puts(&b, ", \"gradient_ratio\": ");
                io_buf_double_array(&b, r->ratio, (size_t)o->seeds);
                if (adding) {
                    io_buf_puts(&b, ", \"adding_mse\": ");
                    io_buf_double_array(&b, r->mse, (size_t)o->seeds);
                }
                io_buf_puts(&b, "}");
            } else {
                io_buf_printf(&b, "   %.2f / %.2f   %-9.1e", mean, min, ratio);
            }
        }
        if (!as_json) io_buf_puts(&b, "\n");
    }
    if (!as_json && adding) {
        /* the adding problem: mean test MSE per cell, against always predicting 1 */
        io_buf_printf(&b,
                      "\nadding problem, length D: test MSE (mean over seeds); always "
                      "predicting 1 scores 1/6 = 0.167\n%6s",
                      "D");
        for (int c = 0; c < o->ncells; c++)
            io_buf_printf(&b, "   %-10s", rnn_cell_name((RnnCellKind)o->cells[c]));
        io_buf_puts(&b, "\n");
        for (int i = 0; i < o->ndistances; i++) {
            io_buf_printf(&b, "%6d", o->distances[i]);
            for (int c = 0; c < o->ncells; c++) {
                double mean = 0;
                for (int s = 0; s < o->seeds; s++) mean += results[i * 3 + c].mse[s] / o->seeds;
                io_buf_printf(&b, "   %-10.4f", mean);
            }
            io_buf_puts(&b, "\n");
        }
    }
    io_buf_puts(&b, as_json ? "]}\n" : "");
    if (b.failed || fwrite(b.data, 1, b.len, out) != b.len)
        rc = app_fail(err, "memory", "cannot write");
    io_buf_free(&b);
    return rc;
}

/* The accuracy against D chart, one line per cell, chance marked. */
static int write_plot(const MemoryOptions *o, const MemoryResult *results, const char *plot,
                      int as_json, FILE *out, FILE *err) {
#ifndef RNNSCOPE_HAVE_UI
    (void)o, (void)results, (void)plot, (void)as_json, (void)out;
    return app_fail(err, "memory", "--plot needs the window; this rnnscope was built without it");
#else
    RnnError e;
    int rc = APP_EXIT_OK;
    double x[32], y[3][32];
    UiLinePlot p = {0};
    p.title = "Recall accuracy at the longest gap D (trained on gaps 1..D)";
    p.x_label = "gap D (words between the key and the question)";
    p.y_label = "accuracy";
    p.x = x, p.n = o->ndistances;
    p.y_min = 0, p.y_max = 1;
    p.hline = 1.0 / o->keys, p.hline_label = "chance";
    for (int i = 0; i < o->ndistances; i++) x[i] = o->distances[i];
    for (int c = 0; c < o->ncells; c++) {
        for (int i = 0; i < o->ndistances; i++) {
            y[c][i] = 0;
            for (int s = 0; s < o->seeds; s++) y[c][i] += results[i * 3 + c].accuracy[s] / o->seeds;
        }
        p.series[c] = (UiLineSeries){rnn_cell_name((RnnCellKind)o->cells[c]), y[c]};
    }
    p.nseries = o->ncells;
    if (plat_plot_png(plot, &p, 960, 600, &e))
        rc = app_fail(err, "memory", e.message);
    else if (!as_json)
        fprintf(out, "wrote %s\n", plot);
    return rc;
#endif
}

int app_memory_main(int argc, char **argv, FILE *out, FILE *err) {
    MemoryOptions o;
    int as_json, adding;
    const char *plot;
    int rc = parse_memory_options(argc, argv, &o, &as_json, &adding, &plot, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    MemoryResult *results = calloc((size_t)o.ndistances * 3, sizeof *results);
    if (!results) return app_fail(err, "memory", "out of memory");
    if (!as_json)
        fprintf(out,
                "recall: trained on gaps 1..D (%d Adam steps of %d sentences, lr %g, hidden "
                "%d, %d seed%s), tested on gap D; chance %.2f\n",
                o.budget, o.batch, o.lr, o.hidden, o.seeds, o.seeds > 1 ? "s" : "", 1.0 / o.keys);
    rc = run_all(&o, adding, as_json, results, err);
    if (rc == APP_EXIT_OK) rc = print_results(&o, adding, as_json, results, out, err);
    if (rc == APP_EXIT_OK && plot) rc = write_plot(&o, results, plot, as_json, out, err);
    free(results);
    return rc;
}
