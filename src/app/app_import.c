/* app_import.c - `rnnscope import`: a learner's own Keras model as an rnnscope model file. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "io_keras.h"
#include "rnn.h"

#include <stdlib.h>
#include <string.h>

const char app_import_usage[] =
    "usage: rnnscope import FILE --out M.json [--tokenizer T.json] [--labels a,b,c]\n"
    "                       [--name NAME]\n"
    "\n"
    "Converts a Keras model into an rnnscope model file: a Keras 3 .keras file, or an .h5\n"
    "file that model.save wrote (Keras 2.2 to 3). rnnscope runs Sequential models and\n"
    "Functional models that are one chain of layers: InputLayer, Embedding, SimpleRNN, LSTM,\n"
    "GRU, Bidirectional (of those three), Dense and Activation; Dropout and the like are\n"
    "skipped. `open`, `trace` and `screenshot` also take the Keras file directly.\n"
    "\n"
    "  --out M.json       the rnnscope model file to write\n"
    "  --tokenizer T.json the Keras Tokenizer the model was trained with (the file\n"
    "                     tokenizer.to_json() wrote): gives the embedding's rows its words;\n"
    "                     without it the model reads token ids (trace --ids)\n"
    "  --labels a,b,c     names for the outputs (default: the class numbers 0, 1, ...)\n"
    "  --name NAME        the model's name (default: the Keras model's own)\n";

/* Splits "a,b,c" into the model's labels: one per output, distinct and not empty. */
static int set_labels(RnnModel *m, const char *text, FILE *err) {
    int K = m->config.num_labels, n = 0;
    char *copy = strdup(text);
    char **parts = calloc((size_t)(K > 0 ? K : 1) + 1, sizeof *parts);
    int rc = APP_EXIT_OK;
    if (!copy || !parts) {
        rc = app_fail(err, "import", "out of memory");
        goto done;
    }
    for (char *s = copy, *comma; s && rc == APP_EXIT_OK; s = comma ? comma + 1 : NULL) {
        comma = strchr(s, ',');
        if (comma) *comma = '\0';
        while (*s == ' ') s++;
        size_t len = strlen(s);
        while (len && s[len - 1] == ' ') s[--len] = '\0';
        if (n == K || !*s) {
            n += 1;
            break;
        }
        parts[n++] = s;
    }
    if (n != K) {
        fprintf(err, "rnnscope import: --labels gives %s%d name(s); the model has %d output(s)\n",
                n > K ? "more than " : "", n > K ? K : n, K);
        rc = APP_EXIT_USAGE;
        goto done;
    }
    for (int i = 0; i < K; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(parts[i], parts[j]) == 0) {
                fprintf(err, "rnnscope import: --labels names '%s' twice\n", parts[i]);
                rc = APP_EXIT_USAGE;
                goto done;
            }
    RnnError e;
    for (int i = 0; i < K && rc == APP_EXIT_OK; i++)
        if (rnn_model_set_label(m, i, parts[i], &e)) rc = app_fail(err, "import", e.message);
done:
    free(parts);
    free(copy);
    return rc;
}

/* "LSTM 64 > LSTM 64 (bidirectional, concat) > Dense 1 sigmoid": what was imported. */
static void describe(IoBuf *b, const RnnModel *m) {
    const RnnConfig *c = &m->config;
    static const char *const cells[] = {"SimpleRNN", "LSTM", "GRU"};
    if (c->vocab_size)
        io_buf_printf(b, "Embedding %dx%d%s > ", c->vocab_size, c->input_size,
                      c->mask_zero ? " (mask_zero)" : "");
    else
        io_buf_printf(b, "inputs of %d > ", c->input_size);
    for (int l = 0; l < c->num_layers; l++) {
        const RnnLayerConfig *lc = &c->layers[l];
        io_buf_printf(b, "%s%s %d", l ? " > " : "", cells[lc->cell], lc->hidden_size);
        if (lc->bidirectional) io_buf_printf(b, " (bidirectional, %s)", rnn_merge_name(lc->merge));
    }
    for (int j = 0; j < c->num_dense; j++)
        io_buf_printf(b, " > Dense %d %s", c->dense[j].units,
                      rnn_activation_name(c->dense[j].activation));
    if (c->head != RNN_HEAD_NONE)
        io_buf_printf(b, " > Dense %d %s (%s)", c->num_labels,
                      rnn_activation_name(c->head_activation), rnn_head_name(c->head));
}

int app_import_main(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 3 || argv[2][0] == '-') {
        int help = argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
        if (!help)
            fputs("rnnscope import: which Keras file? (rnnscope import FILE --out M.json)\n\n",
                  err);
        fputs(app_import_usage, help ? out : err);
        return help ? APP_EXIT_OK : APP_EXIT_USAGE;
    }
    const char *path = argv[2], *out_path = NULL, *tok_path = NULL, *labels = NULL, *name = NULL;
    const AppOption opts[] = {{"out", &out_path, NULL},
                              {"tokenizer", &tok_path, NULL},
                              {"labels", &labels, NULL},
                              {"name", &name, NULL}};
    int rc = app_parse_options(argc, argv, 3, opts, 4, app_import_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    if (!out_path) return app_usage_error(err, app_import_usage, "%s", "--out is required");
    if (name && !*name) return app_usage_error(err, app_import_usage, "%s", "--name is empty");

    RnnError e;
    RnnModel *m = NULL;
    IoKerasTokenizer *tok = NULL;
    IoKerasInfo info;
    IoBuf b = {0};
    if (io_keras_load(path, &m, &info, &e)) {
        rc = app_fail(err, "import", e.message);
        goto done;
    }
    if (labels && m->config.num_labels == 0) {
        rc = app_fail(err, "import", "--labels: the model has no Dense output layer to name");
        goto done;
    }
    if (labels && (rc = set_labels(m, labels, err))) goto done;
    if (tok_path) {
        if (io_keras_tokenizer_load(tok_path, &tok, &e) || io_keras_apply_tokenizer(m, tok, &e)) {
            rc = app_fail(err, "import", e.message);
            goto done;
        }
    }
    if (name && rnn_model_set_name(m, name, &e)) {
        rc = app_fail(err, "import", e.message);
        goto done;
    }
    if (io_model_save(out_path, m, NULL, &e)) {
        rc = app_fail(err, "import", e.message);
        goto done;
    }
    io_buf_printf(&b, "imported %s (%s %s, Keras %s): ", path, info.model_class,
                  info.kind == IO_KERAS_ZIP ? ".keras" : ".h5",
                  info.keras_version[0] ? info.keras_version : "version unknown");
    describe(&b, m);
    if (info.ignored_layers)
        io_buf_printf(&b, "; %d layer(s) skipped (Dropout and the like do nothing at inference)",
                      info.ignored_layers);
    io_buf_printf(&b, "\nwrote %s\n", out_path);
    if (m->config.vocab_size && !tok)
        io_buf_printf(&b,
                      "no tokenizer: the model reads token ids 0..%d (0 is padding), as "
                      "`rnnscope trace --ids` takes them; --tokenizer T.json gives it words\n",
                      m->config.vocab_size - 1);
    if (b.failed) {
        rc = app_fail(err, "import", "out of memory");
        goto done;
    }
    fputs(b.data, out);
    rc = APP_EXIT_OK;
done:
    io_buf_free(&b);
    io_keras_tokenizer_free(tok);
    rnn_model_free(m);
    return rc;
}
