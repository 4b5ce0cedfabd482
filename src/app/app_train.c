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
    /* the sentence on screen: the first training example's words */
    IoBuf text = {0};
    const IoRecord *first = &(*data)->records[0];
    for (int t = 0; first->tokens && t < first->steps; t++)
        io_buf_printf(&text, "%s%s", t ? " " : "", first->tokens[t]);
    RnnModel *copy = rnn_model_copy(model, &e);
    RnnJob *job = copy ? io_job_new(copy, *data, tc, epochs, 0, &e) : NULL;
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
    rnn_job_progress(job, progress); /* plat_run has stopped driving it */
    long long updates = -1;
    if (!rc && progress->state == RNN_JOB_FINISHED) rnn_job_fetch(job, model->params, &updates);
    io_buf_free(&text);
    rnn_job_free(job);
    return rc;
#else
    (void)model, (void)data, (void)tc, (void)epochs, (void)out_path;
    memset(progress, 0, sizeof *progress);
    return app_fail(err, "train", "--watch needs the window; this rnnscope was built without it");
#endif
}

/* What `rnnscope train` was asked for, checked. */
typedef struct TrainArgs {
    const char *model_path, *data_path, *valid_path, *name, *out_path;
    int watch;
    RnnConfig config; /* a new model's shape (without --model) */
    RnnTrainConfig tc;
    int epochs;
} TrainArgs;

/* Returns 0, -1 after --help, or an exit code. */
static int parse_train_args(int argc, char **argv, TrainArgs *a, FILE *out, FILE *err) {
    const char *cell = NULL, *hidden = NULL, *embed = NULL, *layers = NULL;
    const char *nonlinearity = NULL, *optimizer = NULL;
    const char *lr = NULL, *epochs_text = NULL, *batch = NULL, *clip = NULL, *seed_text = NULL;
    int bidirectional = 0, no_shuffle = 0;
    *a = (TrainArgs){0};
    const AppOption opts[] = {
        {"model", &a->model_path, NULL},
        {"cell", &cell, NULL},
        {"hidden", &hidden, NULL},
        {"embed", &embed, NULL},
        {"layers", &layers, NULL},
        {"bidirectional", NULL, &bidirectional},
        {"nonlinearity", &nonlinearity, NULL},
        {"data", &a->data_path, NULL},
        {"valid", &a->valid_path, NULL},
        {"optimizer", &optimizer, NULL},
        {"lr", &lr, NULL},
        {"epochs", &epochs_text, NULL},
        {"batch-size", &batch, NULL},
        {"no-shuffle", NULL, &no_shuffle},
        {"clip", &clip, NULL},
        {"seed", &seed_text, NULL},
        {"name", &a->name, NULL},
        {"out", &a->out_path, NULL},
        {"watch", NULL, &a->watch},
    };
    int rc = app_parse_options(argc, argv, 2, opts, (int)(sizeof opts / sizeof *opts),
                               app_train_usage, out, err);
    if (rc) return rc;

    const char *model_path = a->model_path;
    const char *problem =
        !a->data_path          ? "--data is required"
        : !a->out_path         ? "--out is required"
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
    RnnTrainConfig *tc = &a->tc;
    rnn_train_config_default(tc);
    tc->optimizer = optimizer && strcmp(optimizer, "sgd") == 0 ? RNN_SGD : RNN_ADAM;
    tc->lr = tc->optimizer == RNN_SGD ? 0.1 : 0.001;
    tc->shuffle = !no_shuffle;
    tc->seed = 1;
    a->epochs = 10;
    a->config = (RnnConfig){.cell = cell_kind,
                            .nonlinearity = RNN_TANH,
                            .input_size = 16,
                            .hidden_size = 16,
                            .num_layers = 1,
                            .bidirectional = bidirectional};
    RnnConfig *config = &a->config;
    if (nonlinearity && strcmp(nonlinearity, "relu") == 0) config->nonlinearity = RNN_RELU;
    if (app_parse_int(hidden, "hidden", 1, RNN_MAX_SIZE, &config->hidden_size, err) ||
        app_parse_int(embed, "embed", 1, RNN_MAX_SIZE, &config->input_size, err) ||
        app_parse_int(layers, "layers", 1, RNN_MAX_LAYERS, &config->num_layers, err) ||
        app_parse_int(epochs_text, "epochs", 1, 1000000, &a->epochs, err) ||
        app_parse_int(batch, "batch-size", 1, 1000000, &tc->batch_size, err) ||
        app_parse_seed(seed_text, "seed", &tc->seed, err) ||
        app_parse_double(lr, "lr", 0, INFINITY, &tc->lr, err) ||
        app_parse_double(clip, "clip", 0, INFINITY, &tc->clip, err)) {
        fputs("\n", err);
        fputs(app_train_usage, err);
        return APP_EXIT_USAGE;
    }
    if (config->nonlinearity == RNN_RELU && cell_kind != RNN_CELL_RNN) {
        fprintf(err, "rnnscope train: relu is a nonlinearity of the rnn cell only\n");
        return APP_EXIT_USAGE;
    }
    if (strlen(a->data_path) >= sizeof((IoTraining *)0)->data) {
        fprintf(err, "rnnscope train: the --data path is too long to record in the model\n");
        return APP_EXIT_USAGE;
    }
    return 0;
}

/* The starting model: --model's (its extras kept in *extras), or a new one shaped by the
 * data. NULL after printing why not. */
static RnnModel *starting_model(const TrainArgs *a, const IoDataset *data, char **extras,
                                FILE *err) {
    RnnError e;
    RnnModel *model = NULL;
    if (a->model_path) {
        if (io_model_load(a->model_path, &model, extras, &e)) {
            app_fail(err, "train", e.message);
            return NULL;
        }
    } else {
        /* Initialisation and shuffling draw from separate streams of the same seed. */
        if (!(model = new_model_for(data, a->config, a->tc.seed ^ RNN_INIT_SALT, &e))) {
            app_fail(err, "train", e.message);
            return NULL;
        }
        char *stem = file_stem(a->out_path);
        int bad = rnn_model_set_name(model, a->name ? a->name : stem ? stem : "model", &e);
        free(stem);
        if (bad) goto fail;
    }
    if (a->name && rnn_model_set_name(model, a->name, &e)) goto fail;
    return model;
fail:
    rnn_model_free(model);
    return NULL;
}

/* The epochs on this thread, with a progress bar on a terminal and a line per epoch.
 * Leaves the last epoch's stats in session->epoch_stats and the validation's in *valid_stats.
 * Returns 0, or -1 after printing why it stopped. */
static int run_epochs(RnnSession *session, RnnModel *model, const TrainArgs *a,
                      const IoDataset *valid, RnnStats *valid_stats, FILE *out, FILE *err) {
    RnnError e;
    const RnnTrainConfig *tc = &a->tc;
    const RnnStats *epoch_stats = &session->epoch_stats;
    Progress progress = {
        out,       isatty(fileno(out)),        model->config.head == RNN_HEAD_REGRESSION,
        a->epochs, session->batches_per_epoch, 0};
    double started = now_seconds();
    while (!rnn_session_done(session)) {
        int epoch = session->epoch + 1, b = session->next / tc->batch_size + 1;
        if (rnn_session_step(session, NULL, &e)) {
            if (progress.tty) fputc('\n', out);
            fprintf(err,
                    "rnnscope train: stopped in epoch %d, batch %d: %s; %s was not "
                    "written (try a smaller --lr or --clip 1)\n",
                    epoch, b, e.message, a->out_path);
            return -1;
        }
        if (!session->epoch_ended) {
            draw_bar(&progress, epoch, b, epoch_stats, 0);
            continue;
        }
        draw_bar(&progress, epoch, progress.batches, epoch_stats, 1);
        if (valid && rnn_evaluate(model, valid->examples, valid->count, valid_stats, NULL, &e)) {
            app_fail(err, "train", e.message);
            return -1;
        }
        if (progress.tty) fputc('\r', out);
        const char *measure = progress.regression ? "mse" : "loss";
        fprintf(out, "  epoch %d/%d  %s %.4f", epoch, a->epochs, measure,
                epoch_stats->loss_sum / (double)epoch_stats->count);
        if (!progress.regression)
            fprintf(out, "  acc %.3f", (double)epoch_stats->correct / (double)epoch_stats->count);
        if (valid) {
            fprintf(out, "  valid %s %.4f", measure,
                    valid_stats->loss_sum / (double)valid_stats->count);
            if (!progress.regression)
                fprintf(out, "  acc %.3f",
                        (double)valid_stats->correct / (double)valid_stats->count);
        }
        fprintf(out, "  (%.1f s)%s\n", now_seconds() - started,
                progress.tty ? "                    " : "");
    }
    return 0;
}

/* The command line that made the model, to run again: "rnnscope" then argv[1..], each
 * argument that a POSIX shell would split or expand single-quoted. */
static void put_command_line(IoBuf *cmd, int argc, char **argv) {
    io_buf_puts(cmd, "rnnscope");
    for (int i = 1; i < argc; i++) {
        io_buf_puts(cmd, " ");
        int plain = argv[i][0] != '\0';
        for (const char *ch = argv[i]; *ch; ch++) plain &= !strchr(" \"'\\$`!*?;&|<>()[]{}#~", *ch);
        if (plain) {
            io_buf_puts(cmd, argv[i]);
        } else { /* single-quoted for a POSIX shell */
            io_buf_puts(cmd, "'");
            for (const char *ch = argv[i]; *ch; ch++)
                io_buf_puts(cmd, *ch == '\'' ? "'\\''" : (char[]){*ch, 0});
            io_buf_puts(cmd, "'");
        }
    }
}

/* Writes the model to --out with the training record (io_training_write) in its extras.
 * Returns 0, or -1 after printing why not. */
static int write_model(const RnnModel *model, const char *extras, const TrainArgs *a,
                       long long steps, const RnnStats *epoch_stats, const RnnStats *valid_stats,
                       int argc, char **argv, FILE *err) {
    int regression = model->config.head == RNN_HEAD_REGRESSION;
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    IoTraining rec = {{0}, a->tc, a->epochs};
    snprintf(rec.data, sizeof rec.data, "%s", a->data_path);
    double final_loss = epoch_stats->loss_sum / (double)epoch_stats->count;
    double final_accuracy = (double)epoch_stats->correct / (double)epoch_stats->count;
    double valid_value = regression ? valid_stats->loss_sum / (double)valid_stats->count
                                    : (double)valid_stats->correct / (double)valid_stats->count;
    IoBuf cmd = {0};
    put_command_line(&cmd, argc, argv);
    IoTrainingRun run = {a->valid_path,
                         a->model_path,
                         steps,
                         &final_loss,
                         regression ? NULL : &final_accuracy,
                         regression ? "valid_mse" : "valid_accuracy",
                         a->valid_path ? &valid_value : NULL,
                         date,
                         RNNSCOPE_VERSION,
                         cmd.failed ? "" : cmd.data,
                         0};
    IoBuf training = {0};
    io_training_write(&training, &rec, &run);
    io_buf_free(&cmd);
    RnnError e;
    char *merged = NULL;
    int rc = 0;
    if (training.failed || !(merged = io_json_object_set(extras, "training", training.data, &e)) ||
        io_model_save(a->out_path, model, merged, &e)) {
        app_fail(err, "train", training.failed ? "out of memory" : e.message);
        rc = -1;
    }
    free(merged);
    io_buf_free(&training);
    return rc;
}

int app_train_main(int argc, char **argv, FILE *out, FILE *err) {
    TrainArgs a;
    int rc = parse_train_args(argc, argv, &a, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;

    rc = APP_EXIT_ERROR;
    RnnError e;
    IoDataset *data = NULL, *valid = NULL;
    RnnModel *model = NULL;
    RnnSession *session = NULL;
    RnnJobProgress *watched = NULL;
    char *extras = NULL;
    if (io_data_load(a.data_path, &data, &e) ||
        (a.valid_path && io_data_load(a.valid_path, &valid, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    if (!(model = starting_model(&a, data, &extras, err))) goto done;
    if (io_data_encode(data, model, &e) || (valid && io_data_encode(valid, model, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    int n = data->count;
    if (!(session = rnn_session_new(model, &a.tc, data->examples, n, a.epochs, &e))) {
        app_fail(err, "train", e.message);
        goto done;
    }
    const RnnConfig *c = &model->config;
    fprintf(out,
            "training %s: %s, %d layer%s%s, hidden %d, %lld parameters; %d examples, "
            "%s lr %g, batch %d, %d epoch%s\n",
            model->name, rnn_cell_name(c->cell), c->num_layers, c->num_layers > 1 ? "s" : "",
            c->bidirectional ? ", bidirectional" : "", c->hidden_size,
            rnn_param_count(c, RNN_PYTORCH), n, a.tc.optimizer == RNN_SGD ? "sgd" : "adam", a.tc.lr,
            a.tc.batch_size, a.epochs, a.epochs > 1 ? "s" : "");
    RnnStats valid_stats = {0};
    const RnnStats *epoch_stats = &session->epoch_stats;
    long long steps_taken = 0;
    if (a.watch) {
        if (!(watched = malloc(sizeof *watched))) {
            app_fail(err, "train", "out of memory");
            goto done;
        }
        if (watch_in_window(model, &data, &a.tc, a.epochs, a.out_path, watched, err)) goto done;
        if (watched->state != RNN_JOB_FINISHED) {
            fprintf(err, "rnnscope train: stopped at step %lld of %lld; %s was not written\n",
                    watched->updates, watched->total_updates, a.out_path);
            goto done;
        }
        epoch_stats = &watched->epoch;
        steps_taken = watched->updates;
        if (valid && rnn_evaluate(model, valid->examples, valid->count, &valid_stats, NULL, &e)) {
            app_fail(err, "train", e.message);
            goto done;
        }
    } else {
        if (run_epochs(session, model, &a, valid, &valid_stats, out, err)) goto done;
        steps_taken = session->trainer->steps;
    }
    if (write_model(model, extras, &a, steps_taken, epoch_stats, &valid_stats, argc, argv, err))
        goto done;
    fprintf(out, "wrote %s\n", a.out_path);
    rc = APP_EXIT_OK;
done:
    free(extras);
    rnn_session_free(session);
    free(watched);
    rnn_model_free(model);
    io_data_free(data);
    io_data_free(valid);
    return rc;
}
