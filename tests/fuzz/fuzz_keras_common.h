/* fuzz_keras_common.h - what both Keras fuzz targets check on a model that loads. */
#ifndef RNNSCOPE_FUZZ_KERAS_COMMON_H
#define RNNSCOPE_FUZZ_KERAS_COMMON_H

#include "io.h"
#include "io_keras.h"
#include "rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* libhdf5 allocates what a damaged file says an object's size is before it finds that the
 * file is too short for it; the allocation fails (malloc returns NULL) and libhdf5 refuses
 * the file, which is what happens outside the fuzzer. The sanitizer would report such a
 * request as a crash instead: here a request over 2 GiB returns NULL, as malloc does.
 * rnnscope's own allocations are bounded far below (a model's parameters, a file's size). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1:max_allocation_size_mb=2048";
}

/* data, with its first bytes set to `magic` so every input reaches the reader it is for. */
static void fuzz_keras_run(const unsigned char *data, size_t size, const char *magic,
                           size_t magic_len) {
    unsigned char *copy = malloc(size > magic_len ? size : magic_len);
    if (!copy) return;
    if (size) memcpy(copy, data, size);
    if (size < magic_len) size = magic_len;
    memcpy(copy, magic, magic_len);

    RnnModel *m = NULL, *again = NULL;
    IoKerasInfo info;
    RnnError err;
    if (io_keras_parse(copy, size, "fuzz", &m, &info, &err) != 0) {
        if (m) __builtin_trap(); /* a failed read hands nothing out */
        if (!memchr(err.message, '\0', sizeof err.message) || !err.message[0]) __builtin_trap();
        free(copy);
        return;
    }
    if (!m || !m->name || m->config.framework != RNN_KERAS) __builtin_trap();
    for (size_t i = 0; i < m->num_params; i++)
        if (!isfinite(m->params[i])) __builtin_trap(); /* weights are checked finite */
    /* every model read can be written and read back to the same numbers */
    char *json = io_model_to_json(m, NULL, &err);
    if (!json) __builtin_trap();
    if (io_model_parse(json, strlen(json), "again.json", &again, NULL, &err) != 0)
        __builtin_trap(); /* err.message says why */
    if (again->num_params != m->num_params ||
        memcmp(again->params, m->params, m->num_params * sizeof *m->params) != 0)
        __builtin_trap();
    free(json);
    rnn_model_free(again);
    rnn_model_free(m);
    free(copy);
}

#endif
