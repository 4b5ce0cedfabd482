/* app_make_data.c - `rnnscope make-data`: seeded task generators that write JSON Lines. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"

#include <stdlib.h>
#include <string.h>

const char app_make_data_usage[] =
    "usage: rnnscope make-data recall --out FILE.jsonl [--count N] [--min-distance A]\n"
    "                         [--max-distance B] [--keys K] [--seed S]\n"
    "       rnnscope make-data adding --out FILE.jsonl [--count N] [--length T] [--seed S]\n"
    "\n"
    "Writes a generated task as JSON Lines for `rnnscope train`.\n"
    "\n"
    "recall: the long-term dependency task. Each sentence opens with a key word (one of K,\n"
    "4-8), then d filler words, then \"?\"; the label is the key. d is drawn uniformly from\n"
    "A..B (default 1..20). Each line also records its \"distance\" d.\n"
    "\n"
    "adding: the adding problem (Hochreiter & Schmidhuber 1997). Each of T steps (default\n"
    "50) reads a value in [0, 1) and a marker; two steps are marked, one in each half; the\n"
    "target is the sum of the two marked values. Always predicting 1 scores an MSE of about\n"
    "1/6 = 0.167. Train it with a regression head (\"target\" lines).\n"
    "\n"
    "  --count N          sentences (default 1000)\n"
    "  --keys K           how many different keys (default 4)\n"
    "  --seed S           the same seed writes the same file (default 1)\n";

/* One recall sentence as a JSON line. */
static void recall_line(IoBuf *b, const char *const *words, int distance, int key) {
    io_buf_puts(b, "{\"tokens\": [");
    for (int t = 0; t < distance + 2; t++) {
        if (t) io_buf_puts(b, ", ");
        io_buf_json_string(b, words[t]);
    }
    io_buf_puts(b, "], \"label\": ");
    io_buf_json_string(b, rnn_recall_key(key));
    io_buf_printf(b, ", \"distance\": %d}\n", distance);
}

/* make-data adding: {"inputs": [[value, marker], ...], "target": sum} per line. */
static int make_adding(const char *out_path, const char *count_text, const char *length_text,
                       const char *seed_text, FILE *out, FILE *err) {
    int count = 1000, length = 50;
    uint64_t rng = 1;
    if (!out_path || app_parse_int(count_text, "count", 1, 10000000, &count, err) ||
        app_parse_int(length_text, "length", 2, 100000, &length, err) ||
        app_parse_seed(seed_text, "seed", &rng, err)) {
        fprintf(err, "rnnscope make-data: %s\n\n%s",
                !out_path ? "--out is required" : "bad option value", app_make_data_usage);
        return APP_EXIT_USAGE;
    }
    double *x = malloc((size_t)length * 2 * sizeof *x);
    IoBuf b = {0};
    for (int i = 0; x && i < count && !b.failed; i++) {
        double target = rnn_adding_sequence(length, &rng, x);
        io_buf_puts(&b, "{\"inputs\": [");
        for (int t = 0; t < length; t++) {
            io_buf_puts(&b, t ? ", " : "");
            io_buf_double_array(&b, x + 2 * t, 2);
        }
        io_buf_puts(&b, "], \"target\": ");
        io_buf_double(&b, target);
        io_buf_puts(&b, "}\n");
    }
    RnnError e;
    int rc = APP_EXIT_OK;
    if (!x || b.failed)
        rc = app_fail(err, "make-data", "out of memory");
    else if (io_write_file_atomic(out_path, b.data, b.len, &e))
        rc = app_fail(err, "make-data", e.message);
    else
        fprintf(out, "wrote %d adding sequences of length %d to %s\n", count, length, out_path);
    free(x);
    io_buf_free(&b);
    return rc;
}

int app_make_data_main(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 3 || argv[2][0] == '-') {
        int help = argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
        fputs(app_make_data_usage, help ? out : err);
        return help ? APP_EXIT_OK : APP_EXIT_USAGE;
    }
    const char *task = argv[2];
    const char *out_path = NULL, *count_text = NULL, *min_text = NULL, *max_text = NULL;
    const char *keys_text = NULL, *seed_text = NULL, *length_text = NULL;
    const AppOption opts[] = {
        {"out", &out_path, NULL},          {"count", &count_text, NULL},
        {"min-distance", &min_text, NULL}, {"max-distance", &max_text, NULL},
        {"keys", &keys_text, NULL},        {"seed", &seed_text, NULL},
        {"length", &length_text, NULL},
    };
    int rc = app_parse_options(argc, argv, 3, opts, 7, app_make_data_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    if (strcmp(task, "adding") == 0)
        return make_adding(out_path, count_text, length_text, seed_text, out, err);
    if (strcmp(task, "recall") != 0) {
        fprintf(err, "rnnscope make-data: unknown task '%s'\n\n%s", task, app_make_data_usage);
        return APP_EXIT_USAGE;
    }
    int count = 1000, min_d = 1, max_d = 20, keys = 4;
    uint64_t rng = 1;
    if (!out_path || app_parse_int(count_text, "count", 1, 10000000, &count, err) ||
        app_parse_int(min_text, "min-distance", 0, 100000, &min_d, err) ||
        app_parse_int(max_text, "max-distance", 0, 100000, &max_d, err) ||
        app_parse_int(keys_text, "keys", 4, RNN_RECALL_MAX_KEYS, &keys, err) ||
        app_parse_seed(seed_text, "seed", &rng, err) || max_d < min_d) {
        fprintf(err, "rnnscope make-data: %s\n\n%s",
                !out_path       ? "--out is required"
                : max_d < min_d ? "--max-distance is below --min-distance"
                                : "bad option value",
                app_make_data_usage);
        return APP_EXIT_USAGE;
    }
    const char **words = malloc(((size_t)max_d + 2) * sizeof *words);
    IoBuf b = {0};
    for (int i = 0; words && i < count && !b.failed; i++) {
        int d = min_d + rnn_rng_below(&rng, max_d - min_d + 1);
        int key = rnn_recall_sentence(keys, d, &rng, words);
        recall_line(&b, words, d, key);
    }
    RnnError e;
    rc = APP_EXIT_OK;
    if (!words || b.failed)
        rc = app_fail(err, "make-data", "out of memory");
    else if (io_write_file_atomic(out_path, b.data, b.len, &e))
        rc = app_fail(err, "make-data", e.message);
    else
        fprintf(out, "wrote %d recall sentences (distance %d..%d, %d keys) to %s\n", count, min_d,
                max_d, keys, out_path);
    free(words);
    io_buf_free(&b);
    return rc;
}
