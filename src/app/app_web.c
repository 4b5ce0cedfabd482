/* app_web.c - the command line's part of the browser build: window.rnnscope.trace runs the
 * very code of `rnnscope trace --format json` on a model the page passes as text. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"

#include <emscripten.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns the JSON text `rnnscope trace --format json` prints for this model and sentence, or
 * {"error": "..."} with what it said on failure. The result lives until the next call. */
EMSCRIPTEN_KEEPALIVE const char *rnnscope_web_trace(const char *model_json, const char *text) {
    static char *result;
    free(result);
    result = NULL;
    static const char path[] = "/tmp/rnnscope-trace-model.json";
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(model_json, 1, strlen(model_json), f) != strlen(model_json)) {
        if (f) fclose(f);
        return "{\"error\": \"cannot write the model to /tmp\"}";
    }
    fclose(f);
    char *out_text = NULL, *err_text = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&out_text, &out_len), *err = open_memstream(&err_text, &err_len);
    if (!out || !err) return "{\"error\": \"out of memory\"}";
    char *argv[] = {"rnnscope",   "trace",    "--model", (char *)path, "--text",
                    (char *)text, "--format", "json",    NULL};
    int rc = app_trace_main(8, argv, out, err);
    fclose(out), fclose(err);
    remove(path);
    if (rc == APP_EXIT_OK) {
        free(err_text);
        return result = out_text;
    }
    /* the message as a JSON string */
    size_t n = strlen(err_text), k = 0;
    result = malloc(2 * n + 32);
    if (!result) return free(out_text), free(err_text), "{\"error\": \"out of memory\"}";
    k += (size_t)sprintf(result, "{\"error\": \"");
    for (size_t i = 0; i < n; i++) {
        char c = err_text[i];
        if (c == '\n') continue;
        if (c == '"' || c == '\\') result[k++] = '\\';
        result[k++] = c;
    }
    strcpy(result + k, "\"}");
    free(out_text), free(err_text);
    return result;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Microseconds per forward pass of the model file over the sentence, into a trace made once,
 * repeated for about `seconds`: what `rnnbench forward --model M --text S` times natively
 * (BENCHMARKS.md compares the two). -1 when the model or the sentence does not load. */
EMSCRIPTEN_KEEPALIVE double rnnscope_web_time_forward(const char *model_path, const char *text,
                                                      double seconds) {
    RnnModel *m;
    RnnTokens tokens;
    RnnTrace *tr;
    RnnError err;
    if (io_model_load(model_path, &m, NULL, &err)) return -1;
    if (rnn_model_run_text(m, text, 0, &tokens, &tr, &err)) {
        rnn_model_free(m);
        return -1;
    }
    long long calls = 0;
    double start = now_seconds(), elapsed = 0;
    while (calls < 100 || elapsed < seconds) {
        for (int k = 0; k < 100; k++) rnn_model_forward(m, tr->token_ids, NULL, tr, &err);
        calls += 100;
        elapsed = now_seconds() - start;
    }
    rnn_trace_free(tr);
    rnn_tokens_free(&tokens);
    rnn_model_free(m);
    return 1e6 * elapsed / (double)calls;
}
