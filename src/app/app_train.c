/* app_train.c - `rnnscope train` and `rnnscope eval`. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"
#include "rnn_job.h"
#ifdef RNNSCOPE_HAVE_UI
#include "io_job.h"
#include "plat.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char app_train_usage[] =
    "usage: rnnscope train (--model INIT.json | --cell rnn|lstm|gru --hidden H --embed I\n"
    "                       [--layers L] [--bidirectional] [--nonlinearity tanh|relu])\n"
    "                      --data TRAIN.jsonl [--valid VALID.jsonl] [--optimizer sgd|adam]\n"
    "                      [--lr X] [--epochs N] [--batch-size B] [--no-shuffle] [--clip C]\n"
    "                      [--seed S] [--name NAME] [--watch] --out OUT.json\n"
    "\n"
    "Trains a model with backpropagation through time and writes it to OUT.json.\n"
    "\n"
    "  --model INIT.json    start from this model (its vocabulary and labels are kept)\n"
    "  --cell KIND          or make a new model: rnn, lstm or gru, with random weights\n"
    "  --hidden H           hidden units of the new model\n"
    "  --embed I            width of its word vectors (the embedding; default 16)\n"
    "  --layers L           stacked layers, 1-4 (default 1)\n"
    "  --bidirectional      read the sentence both ways\n"
    "  --nonlinearity F     tanh (default) or relu, for the rnn cell\n"
    "  --data FILE          JSON Lines: {\"tokens\"|\"text\"|\"inputs\": ..., \"label\"|\"tags\": "
    "...}\n"
    "  --valid FILE         data to report accuracy on after each epoch\n"
    "  --optimizer NAME     adam (default) or sgd\n"
    "  --lr X               learning rate (default 0.001 for adam, 0.1 for sgd)\n"
    "  --epochs N           passes over the data (default 10)\n"
    "  --batch-size B       examples per optimizer step (default 32)\n"
    "  --no-shuffle         batches in file order (default: shuffled each epoch)\n"
    "  --clip C             clip the gradient to global norm C (default 0 = off)\n"
    "  --seed S             seeds initialisation and shuffling (default 1)\n"
    "  --name NAME          the model's display name (default: OUT's file name)\n"
    "  --watch              train in the window, live: the heatmaps, the loss and the\n"
    "                       accuracy as they change (Ctrl+T pauses, Esc stops; OUT is\n"
    "                       written when the run finishes, and left as it was if stopped)\n"
    "\n"
    "A new model's vocabulary is \"<unk>\" then the training words in order of first\n"
    "appearance; its labels are the labels (or tags) in order of first appearance.\n";

const char app_eval_usage[] =
    "usage: rnnscope eval --model M.json --data D.jsonl [--format json|table]\n"
    "\n"
    "Reports the model's accuracy and mean cross-entropy loss on the data, and a confusion\n"
    "table (rows: the true label, columns: the prediction).\n";

/* ---- parsing numbers from options ------------------------------------------------------------ */

static int parse_double(const char *text, const char *name, double *out, FILE *err) {
    char *end;
    if (!text) return 0;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v) || v < 0) {
        fprintf(err, "rnnscope: --%s must be a number >= 0, got '%s'\n", name, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- a new model from the data ------------------------------------------------------------------
 */

static RnnModel *new_model_for(const IoDataset *data, RnnConfig config, uint64_t seed,
                               RnnError *err) {
    const char **words = NULL, **labels = NULL;
    int nwords = 0, nlabels = 0;
    RnnModel *m = NULL;
    if (io_data_words(data, &words, &nwords, err) || io_data_labels(data, &labels, &nlabels, err))
        goto done;
    int has_unk = 0;
    for (int i = 0; i < nwords; i++) has_unk |= strcmp(words[i], "<unk>") == 0;
    config.vocab_size = data->has_tokens ? nwords + !has_unk : 0;
    if (!data->has_tokens) config.input_size = data->vector_width;
    config.head = data->kind == IO_DATA_LABELS ? RNN_HEAD_MANY_TO_ONE
                  : data->kind == IO_DATA_TAGS ? RNN_HEAD_MANY_TO_MANY
                                               : RNN_HEAD_REGRESSION;
    config.num_labels = config.head == RNN_HEAD_REGRESSION ? data->records[0].num_values : nlabels;
    if (config.head != RNN_HEAD_REGRESSION && nlabels < 2) {
        rnn_error_set(err, "%s: the data has only one label; a classifier needs two or more",
                      data->path);
        goto done;
    }
    if (!(m = rnn_model_new(&config, err))) goto done;
    int v = 0;
    if (config.vocab_size && rnn_model_set_vocab(m, v++, "<unk>", err)) goto fail;
    for (int i = 0; i < nwords && config.vocab_size; i++)
        if (strcmp(words[i], "<unk>") != 0 && rnn_model_set_vocab(m, v++, words[i], err)) goto fail;
    for (int k = 0; k < config.num_labels; k++) {
        char output[32]; /* a regression head's outputs are named target, or target0.. */
        snprintf(output, sizeof output, config.num_labels > 1 ? "target%d" : "target", k);
        if (rnn_model_set_label(m, k, config.head == RNN_HEAD_REGRESSION ? output : labels[k], err))
            goto fail;
    }
    if (rnn_model_index_vocab(m, err)) goto fail;
    rnn_model_init_random(m, seed);
    goto done;
fail:
    rnn_model_free(m);
    m = NULL;
done:
    free(words);
    free(labels);
    return m;
}

static char *file_stem(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *stem = strdup(base);
    char *dot = stem ? strrchr(stem, '.') : NULL;
    if (dot && dot != stem) *dot = '\0';
    return stem;
}

/* ---- progress ----------------------------------------------------------------------------------
 */

typedef struct Progress {
    FILE *out;
    int tty;
    int regression; /* report the mean squared error, not an accuracy */
    int epochs, batches;
    double last_draw;
} Progress;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void draw_bar(Progress *p, int epoch, int batch, const RnnStats *s, int force) {
    if (!p->tty) return;
    double t = now_seconds();
    if (!force && t - p->last_draw < 0.1) return;
    p->last_draw = t;
    double done = ((epoch - 1) + (double)batch / p->batches) / p->epochs;
    int width = 30, fill = (int)(done * width + 0.5);
    fprintf(p->out, "\r  epoch %d/%d [", epoch, p->epochs);
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '-', p->out);
    fprintf(p->out, "] %3.0f%%  loss %.4f", done * 100,
            s->count ? s->loss_sum / (double)s->count : 0.0);
    if (!p->regression)
        fprintf(p->out, "  acc %.3f ", s->count ? (double)s->correct / (double)s->count : 0.0);
    fflush(p->out);
}

/* ---- train -------------------------------------------------------------------------------------
 */

/* --watch: the same run in the window's background thread. The model gets the final weights
 * when the run finishes; *data moves to the job. */
static int watch_in_window(RnnModel *model, IoDataset **data, const RnnTrainConfig *tc, int epochs,
                           const char *out_path, RnnJobProgress *progress, FILE *err) {
#ifdef RNNSCOPE_HAVE_UI
    RnnError e;
    RnnModel *copy = rnn_model_copy(model, &e);
    IoDataset *taken = *data;
    const IoRecord *first = &taken->records[0];
    /* the sentence on screen: the first training example's words */
    IoBuf text = {0};
    for (int t = 0; first->tokens && t < first->steps; t++)
        io_buf_printf(&text, "%s%s", t ? " " : "", first->tokens[t]);
    RnnJob *job = copy ? io_job_new(copy, taken, tc, epochs, 0, &e) : NULL;
    if (copy) *data = NULL; /* the job has it, also on failure */
    if (!job) {
        io_buf_free(&text);
        return app_fail(err, "train", e.message);
    }
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.watch_job = job;
    o.watch_out = out_path;
    o.text = text.data ? text.data : "";
    int rc = 0;
    if (plat_run(&o, &e)) rc = app_fail(err, "train", e.message);
    rnn_job_progress(job, progress);
    long long updates = -1;
    if (!rc && progress->state == RNN_JOB_FINISHED) rnn_job_fetch(job, model->params, &updates);
    io_buf_free(&text);
    rnn_job_free(job);
    return rc;
#else
    (void)model, (void)data, (void)tc, (void)epochs, (void)out_path, (void)progress;
    return app_fail(err, "train",
                    "--watch needs the window, and this rnnscope was built without it");
#endif
}

int app_train_main(int argc, char **argv, FILE *out, FILE *err) {
    const char *model_path = NULL, *cell = NULL, *hidden = NULL, *embed = NULL, *layers = NULL;
    const char *nonlinearity = NULL, *data_path = NULL, *valid_path = NULL, *optimizer = NULL;
    const char *lr = NULL, *epochs_text = NULL, *batch = NULL, *clip = NULL, *seed_text = NULL;
    const char *name = NULL, *out_path = NULL;
    int bidirectional = 0, no_shuffle = 0, watch = 0;
    const AppOption opts[] = {
        {"model", &model_path, NULL},
        {"cell", &cell, NULL},
        {"hidden", &hidden, NULL},
        {"embed", &embed, NULL},
        {"layers", &layers, NULL},
        {"bidirectional", NULL, &bidirectional},
        {"nonlinearity", &nonlinearity, NULL},
        {"data", &data_path, NULL},
        {"valid", &valid_path, NULL},
        {"optimizer", &optimizer, NULL},
        {"lr", &lr, NULL},
        {"epochs", &epochs_text, NULL},
        {"batch-size", &batch, NULL},
        {"no-shuffle", NULL, &no_shuffle},
        {"clip", &clip, NULL},
        {"seed", &seed_text, NULL},
        {"name", &name, NULL},
        {"out", &out_path, NULL},
        {"watch", NULL, &watch},
    };
    int rc = app_parse_options(argc, argv, 2, opts, (int)(sizeof opts / sizeof *opts),
                               app_train_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;

    const char *problem =
        !data_path             ? "--data is required"
        : !out_path            ? "--out is required"
        : !model_path == !cell ? "give either --model or --cell (with --hidden and --embed)"
        : cell && !hidden      ? "--cell needs --hidden"
        : model_path && (hidden || embed || layers || bidirectional || nonlinearity)
            ? "--hidden, --embed, --layers, --bidirectional and --nonlinearity describe a new "
              "model; they do not go with --model"
        : optimizer && strcmp(optimizer, "sgd") && strcmp(optimizer, "adam")
            ? "--optimizer must be sgd or adam"
        : nonlinearity && strcmp(nonlinearity, "tanh") && strcmp(nonlinearity, "relu")
            ? "--nonlinearity must be tanh or relu"
            : NULL;
    RnnCellKind cell_kind = RNN_CELL_LSTM;
    if (!problem && cell && rnn_cell_from_name(cell, &cell_kind))
        problem = "--cell must be rnn, lstm or gru";
    if (problem) {
        fprintf(err, "rnnscope train: %s\n\n%s", problem, app_train_usage);
        return APP_EXIT_USAGE;
    }
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.optimizer = optimizer && strcmp(optimizer, "sgd") == 0 ? RNN_SGD : RNN_ADAM;
    tc.lr = tc.optimizer == RNN_SGD ? 0.1 : 0.001;
    tc.shuffle = !no_shuffle;
    int epochs = 10, seed = 1;
    RnnConfig config = {cell_kind, RNN_TANH, 16, 16, 1, bidirectional, 0, RNN_HEAD_NONE, 0};
    if (nonlinearity && strcmp(nonlinearity, "relu") == 0) config.nonlinearity = RNN_RELU;
    if (app_parse_int(hidden, "hidden", 1, RNN_MAX_SIZE, &config.hidden_size, err) ||
        app_parse_int(embed, "embed", 1, RNN_MAX_SIZE, &config.input_size, err) ||
        app_parse_int(layers, "layers", 1, RNN_MAX_LAYERS, &config.num_layers, err) ||
        app_parse_int(epochs_text, "epochs", 1, 1000000, &epochs, err) ||
        app_parse_int(batch, "batch-size", 1, 1000000, &tc.batch_size, err) ||
        app_parse_int(seed_text, "seed", 0, 2147483647, &seed, err) ||
        parse_double(lr, "lr", &tc.lr, err) || parse_double(clip, "clip", &tc.clip, err)) {
        fputs("\n", err);
        fputs(app_train_usage, err);
        return APP_EXIT_USAGE;
    }
    if (config.nonlinearity == RNN_RELU && cell_kind != RNN_CELL_RNN) {
        fprintf(err, "rnnscope train: relu is a nonlinearity of the rnn cell only\n");
        return APP_EXIT_USAGE;
    }
    tc.seed = (uint64_t)seed;

    rc = APP_EXIT_ERROR;
    RnnError e;
    IoDataset *data = NULL, *valid = NULL;
    RnnModel *model = NULL;
    RnnSession *session = NULL;
    RnnJobProgress *watched = NULL;
    char *extras = NULL, *training = NULL, *merged = NULL, *stem = NULL;
    if (io_data_load(data_path, &data, &e) ||
        (valid_path && io_data_load(valid_path, &valid, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    if (model_path) {
        if (io_model_load(model_path, &model, &extras, &e)) {
            app_fail(err, "train", e.message);
            goto done;
        }
    } else {
        /* Initialisation and shuffling draw from separate streams of the same seed. */
        if (!(model = new_model_for(data, config, tc.seed ^ RNN_INIT_SALT, &e))) {
            app_fail(err, "train", e.message);
            goto done;
        }
        stem = file_stem(out_path);
        if (rnn_model_set_name(model, name ? name : stem ? stem : "model", &e)) goto done;
    }
    if (name && rnn_model_set_name(model, name, &e)) goto done;
    if (io_data_encode(data, model, &e) || (valid && io_data_encode(valid, model, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    int n = data->count;
    if (!(session = rnn_session_new(model, &tc, data->examples, n, epochs, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    Progress progress = {
        out,    isatty(fileno(out)),        model->config.head == RNN_HEAD_REGRESSION,
        epochs, session->batches_per_epoch, 0};
    const RnnConfig *c = &model->config;
    fprintf(out,
            "training %s: %s, %d layer%s%s, hidden %d, %lld parameters; %d examples, "
            "%s lr %g, batch %d, %d epoch%s\n",
            model->name, rnn_cell_name(c->cell), c->num_layers, c->num_layers > 1 ? "s" : "",
            c->bidirectional ? ", bidirectional" : "", c->hidden_size,
            rnn_param_count(c, RNN_PYTORCH), n, tc.optimizer == RNN_SGD ? "sgd" : "adam", tc.lr,
            tc.batch_size, epochs, epochs > 1 ? "s" : "");
    RnnStats valid_stats = {0};
    const RnnStats *epoch_stats = &session->epoch_stats;
    long long steps_taken = 0;
    if (watch) {
        if (!(watched = malloc(sizeof *watched))) {
            app_fail(err, "train", "out of memory");
            goto done;
        }
        if (watch_in_window(model, &data, &tc, epochs, out_path, watched, err)) goto done;
        if (watched->state != RNN_JOB_FINISHED) {
            fprintf(err, "rnnscope train: stopped at step %lld of %lld; %s was not written\n",
                    watched->updates, watched->total_updates, out_path);
            goto done;
        }
        epoch_stats = &watched->epoch;
        steps_taken = watched->updates;
        if (valid && rnn_evaluate(model, valid->examples, valid->count, &valid_stats, NULL, &e)) {
            app_fail(err, "train", e.message);
            goto done;
        }
    }
    double started = now_seconds();
    while (!watch && !rnn_session_done(session)) {
        int epoch = session->epoch + 1, b = session->next / tc.batch_size + 1;
        if (rnn_session_step(session, NULL, &e)) {
            if (progress.tty) fputc('\n', out);
            fprintf(err,
                    "rnnscope train: stopped in epoch %d, batch %d: %s; %s was not "
                    "written (try a smaller --lr or --clip 1)\n",
                    epoch, b, e.message, out_path);
            goto done;
        }
        if (!session->epoch_ended) {
            draw_bar(&progress, epoch, b, epoch_stats, 0);
            continue;
        }
        draw_bar(&progress, epoch, progress.batches, epoch_stats, 1);
        if (valid && rnn_evaluate(model, valid->examples, valid->count, &valid_stats, NULL, &e)) {
            app_fail(err, "train", e.message);
            goto done;
        }
        if (progress.tty) fputc('\r', out);
        const char *measure = progress.regression ? "mse" : "loss";
        fprintf(out, "  epoch %d/%d  %s %.4f", epoch, epochs, measure,
                epoch_stats->loss_sum / (double)epoch_stats->count);
        if (!progress.regression)
            fprintf(out, "  acc %.3f", (double)epoch_stats->correct / (double)epoch_stats->count);
        if (valid) {
            fprintf(out, "  valid %s %.4f", measure,
                    valid_stats.loss_sum / (double)valid_stats.count);
            if (!progress.regression)
                fprintf(out, "  acc %.3f", (double)valid_stats.correct / (double)valid_stats.count);
        }
        fprintf(out, "  (%.1f s)%s\n", now_seconds() - started,
                progress.tty ? "                    " : "");
    }

    /* What made this model, kept in the file next to its weights. */
    IoBuf rec = {0};
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    io_buf_puts(&rec, "{\"data\": ");
    io_buf_json_string(&rec, data_path);
    if (valid_path) {
        io_buf_puts(&rec, ", \"valid\": ");
        io_buf_json_string(&rec, valid_path);
    }
    io_buf_printf(&rec, ", \"init\": ");
    if (model_path)
        io_buf_json_string(&rec, model_path);
    else
        io_buf_printf(&rec, "\"random (seed %d)\"", seed);
    io_buf_printf(&rec, ", \"seed\": %d, \"optimizer\": \"%s\", \"lr\": ", seed,
                  tc.optimizer == RNN_SGD ? "sgd" : "adam");
    io_buf_double(&rec, tc.lr);
    io_buf_printf(&rec, ", \"epochs\": %d, \"batch_size\": %d, \"shuffle\": %s, \"clip\": ", epochs,
                  tc.batch_size, tc.shuffle ? "true" : "false");
    io_buf_double(&rec, tc.clip);
    if (!watch) steps_taken = session->trainer->steps;
    io_buf_printf(&rec, ", \"steps\": %lld, \"final_loss\": ", steps_taken);
    io_buf_double(&rec, epoch_stats->loss_sum / (double)epoch_stats->count);
    if (!progress.regression) {
        io_buf_puts(&rec, ", \"final_accuracy\": ");
        io_buf_double(&rec, (double)epoch_stats->correct / (double)epoch_stats->count);
    }
    if (valid) {
        io_buf_puts(&rec, progress.regression ? ", \"valid_mse\": " : ", \"valid_accuracy\": ");
        io_buf_double(&rec, progress.regression
                                ? valid_stats.loss_sum / (double)valid_stats.count
                                : (double)valid_stats.correct / (double)valid_stats.count);
    }
    io_buf_printf(&rec, ", \"date\": \"%s\", \"rnnscope\": \"%s\", \"command\": ", date,
                  RNNSCOPE_VERSION);
    IoBuf cmd = {0}; /* the command line that made it, to run again */
    io_buf_puts(&cmd, "rnnscope");
    for (int i = 1; i < argc; i++) {
        io_buf_puts(&cmd, " ");
        int plain = argv[i][0] != '\0';
        for (const char *ch = argv[i]; *ch; ch++) plain &= !strchr(" \"'\\$`!*?;&|<>()[]{}#~", *ch);
        if (plain) {
            io_buf_puts(&cmd, argv[i]);
        } else { /* single-quoted for a POSIX shell */
            io_buf_puts(&cmd, "'");
            for (const char *ch = argv[i]; *ch; ch++)
                io_buf_puts(&cmd, *ch == '\'' ? "'\\''" : (char[]){*ch, 0});
            io_buf_puts(&cmd, "'");
        }
    }
    io_buf_json_string(&rec, cmd.failed ? "" : cmd.data);
    io_buf_free(&cmd);
    io_buf_puts(&rec, "}");
    training = rec.data;
    if (rec.failed || !(merged = io_json_object_set(extras, "training", training, &e)) ||
        io_model_save(out_path, model, merged, &e)) {
        app_fail(err, "train", rec.failed ? "out of memory" : e.message);
        goto done;
    }
    fprintf(out, "wrote %s\n", out_path);
    rc = APP_EXIT_OK;
done:
    free(extras);
    free(training);
    free(merged);
    free(stem);
    rnn_session_free(session);
    free(watched);
    rnn_model_free(model);
    io_data_free(data);
    io_data_free(valid);
    return rc;
}

/* ---- eval --------------------------------------------------------------------------------------
 */

int app_eval_main(int argc, char **argv, FILE *out, FILE *err) {
    const char *model_path = NULL, *data_path = NULL, *format = NULL;
    const AppOption opts[] = {
        {"model", &model_path, NULL}, {"data", &data_path, NULL}, {"format", &format, NULL}};
    int rc = app_parse_options(argc, argv, 2, opts, 3, app_eval_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    const char *problem = !model_path  ? "--model is required"
                          : !data_path ? "--data is required"
                          : format && strcmp(format, "json") && strcmp(format, "table")
                              ? "--format must be json or table"
                              : NULL;
    if (problem) {
        fprintf(err, "rnnscope eval: %s\n\n%s", problem, app_eval_usage);
        return APP_EXIT_USAGE;
    }
    int as_json = format ? strcmp(format, "json") == 0 : !isatty(fileno(out));
    RnnError e;
    RnnModel *m = NULL;
    IoDataset *data = NULL;
    int *confusion = NULL;
    rc = APP_EXIT_ERROR;
    if (io_model_load(model_path, &m, NULL, &e) || io_data_load(data_path, &data, &e) ||
        io_data_encode(data, m, &e)) {
        app_fail(err, "eval", e.message);
        goto done;
    }
    int K = m->config.num_labels;
    confusion = calloc((size_t)K * K, sizeof *confusion);
    RnnStats s;
    if (!confusion || rnn_evaluate(m, data->examples, data->count, &s, confusion, &e)) {
        app_fail(err, "eval", confusion ? e.message : "out of memory");
        goto done;
    }
    double accuracy = (double)s.correct / (double)s.count, loss = s.loss_sum / (double)s.count;
    IoBuf b = {0};
    if (m->config.head == RNN_HEAD_REGRESSION) {
        /* the baseline: always predicting the data's own mean target */
        double mean = 0, var = 0;
        for (int i = 0; i < data->count; i++) mean += data->records[i].values[0] / data->count;
        for (int i = 0; i < data->count; i++) {
            double dv = data->records[i].values[0] - mean;
            var += dv * dv / data->count;
        }
        if (as_json) {
            io_buf_puts(&b, "{\"mse\": ");
            io_buf_double(&b, loss);
            io_buf_puts(&b, ", \"loss\": ");
            io_buf_double(&b, loss);
            io_buf_printf(&b, ", \"count\": %lld}\n", s.count);
        } else {
            io_buf_printf(&b,
                          "%s on %s: mean squared error %.5f over %lld examples\n"
                          "(predicting the mean target, %.4f, every time scores %.5f)\n",
                          m->name, data_path, loss, s.count, mean, var);
        }
    } else if (as_json) {
        io_buf_puts(&b, "{\"accuracy\": ");
        io_buf_double(&b, accuracy);
        io_buf_puts(&b, ", \"loss\": ");
        io_buf_double(&b, loss);
        io_buf_printf(&b, ", \"count\": %lld}\n", s.count);
    } else {
        io_buf_printf(&b, "%s on %s: accuracy %.4f (%lld of %lld %s), loss %.4f\n\n", m->name,
                      data_path, accuracy, s.correct, s.count,
                      m->config.head == RNN_HEAD_MANY_TO_MANY ? "tokens" : "examples", loss);
        int w = 8;
        for (int k = 0; k < K; k++)
            if ((int)strlen(m->labels[k]) + 2 > w) w = (int)strlen(m->labels[k]) + 2;
        io_buf_printf(&b, "%-*s", w + 6, "true \\ predicted");
        for (int k = 0; k < K; k++) io_buf_printf(&b, "%*s", w, m->labels[k]);
        io_buf_puts(&b, "\n");
        for (int r = 0; r < K; r++) {
            io_buf_printf(&b, "%-*s", w + 6, m->labels[r]);
            for (int k = 0; k < K; k++) io_buf_printf(&b, "%*d", w, confusion[r * K + k]);
            io_buf_puts(&b, "\n");
        }
    }
    if (!b.failed && fwrite(b.data, 1, b.len, out) == b.len) rc = APP_EXIT_OK;
    io_buf_free(&b);
done:
    free(confusion);
    io_data_free(data);
    rnn_model_free(m);
    return rc;
}
