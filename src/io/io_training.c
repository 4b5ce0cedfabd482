/* io_training.c - the "training" record a model file keeps beside its weights (written by
 * `rnnscope train`): which data, optimizer, learning rate, batch, epochs and seed made it.
 * Live training in the window reads it to train a fresh model the same way. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <cjson/cJSON.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A number field in range, or the default when absent. */
static int number(const cJSON *rec, const char *key, double lo, double hi, double *out,
                  const char *source, RnnError *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return rnn_error_set(err, "%s: training.%s must be a number from %g to %g", source, key, lo,
                             hi);
    *out = v->valuedouble;
    return 0;
}

int io_training_parse(const char *extras_json, const char *source, IoTraining *out, RnnError *err) {
    memset(out, 0, sizeof *out);
    rnn_train_config_default(&out->config);
    out->epochs = 10;
    cJSON *root = extras_json ? io_json_parse(extras_json, strlen(extras_json), source, 1,
                                              "a JSON object", err)
                              : NULL;
    if (extras_json && !root) return -1;
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(root, "training");
    int rc = -1;
    if (!rec) {
        rnn_error_set(err, "%s has no training record: it was not made by rnnscope train", source);
        goto done;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(rec, "data");
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(rec, "optimizer");
    const cJSON *shuffle = cJSON_GetObjectItemCaseSensitive(rec, "shuffle");
    if (!cJSON_IsString(data) || !data->valuestring[0] ||
        strlen(data->valuestring) >= sizeof out->data) {
        rnn_error_set(err, "%s: training.data must name the data file", source);
        goto done;
    }
    snprintf(out->data, sizeof out->data, "%s", data->valuestring);
    if (opt && (!cJSON_IsString(opt) ||
                (strcmp(opt->valuestring, "adam") && strcmp(opt->valuestring, "sgd")))) {
        rnn_error_set(err, "%s: training.optimizer must be \"adam\" or \"sgd\"", source);
        goto done;
    }
    if (shuffle && !cJSON_IsBool(shuffle)) {
        rnn_error_set(err, "%s: training.shuffle must be true or false", source);
        goto done;
    }
    out->config.optimizer = opt && !strcmp(opt->valuestring, "sgd") ? RNN_SGD : RNN_ADAM;
    out->config.lr = out->config.optimizer == RNN_SGD ? 0.1 : 0.001;
    double seed = 1, epochs = 10, batch = 32;
    if (number(rec, "lr", 0, 1e6, &out->config.lr, source, err) ||
        number(rec, "clip", 0, 1e300, &out->config.clip, source, err) ||
        number(rec, "seed", 0, 2147483647, &seed, source, err) ||
        number(rec, "epochs", 1, 1000000, &epochs, source, err) ||
        number(rec, "batch_size", 1, 1000000, &batch, source, err))
        goto done;
    out->config.seed = (uint64_t)seed;
    out->config.batch_size = (int)batch;
    out->config.shuffle = shuffle ? cJSON_IsTrue(shuffle) : 1;
    out->epochs = (int)epochs;
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

void io_training_write(IoBuf *out, const IoTraining *rec, const IoTrainingRun *run) {
    const RnnTrainConfig *tc = &rec->config;
    io_buf_puts(out, "{\"data\": ");
    io_buf_json_string(out, rec->data);
    if (run->valid) {
        io_buf_puts(out, ", \"valid\": ");
        io_buf_json_string(out, run->valid);
    }
    io_buf_puts(out, ", \"init\": ");
    if (run->init)
        io_buf_json_string(out, run->init);
    else
        io_buf_printf(out, "\"random (seed %llu)\"", (unsigned long long)tc->seed);
    io_buf_printf(out,
                  ", \"seed\": %llu, \"optimizer\": \"%s\", \"lr\": ", (unsigned long long)tc->seed,
                  tc->optimizer == RNN_SGD ? "sgd" : "adam");
    io_buf_double(out, tc->lr);
    io_buf_printf(out,
                  ", \"epochs\": %d, \"batch_size\": %d, \"shuffle\": %s, \"clip\": ", rec->epochs,
                  tc->batch_size, tc->shuffle ? "true" : "false");
    io_buf_double(out, tc->clip);
    io_buf_printf(out, ", \"steps\": %lld", run->steps);
    if (run->final_loss) {
        io_buf_puts(out, ", \"final_loss\": ");
        io_buf_double(out, *run->final_loss);
    }
    if (run->final_accuracy) {
        io_buf_puts(out, ", \"final_accuracy\": ");
        io_buf_double(out, *run->final_accuracy);
    }
    if (run->valid_key && run->valid_value) {
        io_buf_printf(out, ", \"%s\": ", run->valid_key);
        io_buf_double(out, *run->valid_value);
    }
    if (run->date) {
        io_buf_printf(out, ", \"date\": \"%s\", \"rnnscope\": \"%s\", \"command\": ", run->date,
                      run->version ? run->version : "");
        io_buf_json_string(out, run->command ? run->command : "");
    }
    if (run->live) io_buf_puts(out, ", \"live\": true");
    io_buf_puts(out, "}");
}

int io_training_data_path(const char *model_path, const char *recorded, char *out, size_t size) {
    /* as recorded (absolute, or relative to where we run); then relative to the folder that
     * holds assets/ (the model sits in <root>/assets/models/); then beside the models, in
     * ../data/ (the installed layout keeps the same shape under share/rnnscope) */
    char *copy = strdup(model_path ? model_path : ".");
    if (!copy) return -1;
    char *models = dirname(copy);
    const char *base = strrchr(recorded, '/');
    base = base ? base + 1 : recorded;
    char candidates[3][4096];
    snprintf(candidates[0], sizeof candidates[0], "%s", recorded);
    snprintf(candidates[1], sizeof candidates[1], "%s/../../%s", models, recorded);
    snprintf(candidates[2], sizeof candidates[2], "%s/../data/%s", models, base);
    free(copy);
    for (int k = 0; k < 3; k++) {
        if (recorded[0] == '/' && k > 0) break;
        if (access(candidates[k], R_OK) == 0 && strlen(candidates[k]) < size) {
            snprintf(out, size, "%s", candidates[k]);
            return 0;
        }
    }
    return -1;
}
