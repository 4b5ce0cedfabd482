/* io_inputs.c - raw input vectors for models without a vocabulary (rnnscope trace --inputs). */
#include "io.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

int io_inputs_parse(const char *text, size_t len, const char *src, int input_size, double **vectors,
                    int *steps, RnnError *err) {
    *vectors = NULL;
    *steps = 0;
    cJSON *root = io_json_parse(text, len, src, 1, "a JSON array of input vectors", err);
    if (!root) return -1;
    int T = cJSON_IsArray(root) ? cJSON_GetArraySize(root) : 0;
    if (T == 0) {
        cJSON_Delete(root);
        return rnn_error_set(err,
                             "%s: expected a non-empty JSON array of input vectors "
                             "(one array of %d numbers per time step)",
                             src, input_size);
    }
    double *x = malloc((size_t)T * input_size * sizeof *x);
    if (!x) {
        cJSON_Delete(root);
        return rnn_error_set(err, "%s: out of memory for %d steps", src, T);
    }
    int t = 0;
    for (const cJSON *row = root->child; row; row = row->next, t++) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != input_size) {
            rnn_error_set(err,
                          "%s: step %d: expected an array of %d numbers (the model's "
                          "input_size)",
                          src, t, input_size);
            goto fail;
        }
        int i = 0;
        for (const cJSON *v = row->child; v; v = v->next, i++) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
                rnn_error_set(err, "%s: step %d, element %d: expected a finite number", src, t, i);
                goto fail;
            }
            x[(size_t)t * input_size + i] = v->valuedouble;
        }
    }
    cJSON_Delete(root);
    *vectors = x;
    *steps = T;
    return 0;
fail:
    free(x);
    cJSON_Delete(root);
    return -1;
}

int io_inputs_load(const char *path, int input_size, double **vectors, int *steps, RnnError *err) {
    char *text;
    size_t len;
    *vectors = NULL;
    *steps = 0;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &text, &len, err)) return -1;
    int rc = io_inputs_parse(text, len, path, input_size, vectors, steps, err);
    free(text);
    return rc;
}
