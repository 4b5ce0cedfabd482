/* app_cli.c - option parsing and command dispatch. */
#include "app.h"
#include "rnn.h"

#include <string.h>

const char app_usage[] =
    "usage: rnnscope COMMAND [OPTIONS]\n"
    "\n"
    "See how recurrent neural networks (RNN, LSTM, GRU) compute, one time step at a time.\n"
    "\n"
    "With no command, opens the window on the lesson picker.\n"
    "\n"
    "commands:\n"
    "  open       open the window (a model, a sentence, a step)\n"
    "  lesson     play a lesson file in the window\n"
    "  compare    models side by side: heatmaps, how far back each reaches, live training\n"
    "  screenshot render the window's frame to a PNG without a display\n"
    "  check      check lessons: they parse, their models load, their claims hold\n"
    "  trace      run a model over a sentence and print every state and gate\n"
    "  train      train a model with backpropagation through time (SGD or Adam)\n"
    "  memory     the RNN vs LSTM vs GRU long-term memory experiment (recall task)\n"
    "  make-data  write a generated task (recall) as training data\n"
    "  eval       accuracy, loss and confusion table of a model on a data file\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help (rnnscope COMMAND --help for a command's options)\n"
    "  --version      show the version\n"
    "\n"
    "exit codes: 0 ok, 1 runtime or input error, 2 usage error\n";

int app_fail(FILE *err, const char *command, const char *message) {
    fprintf(err, "rnnscope %s: %s\n", command, message);
    return APP_EXIT_ERROR;
}

static int usage_error(FILE *err, const char *usage, const char *fmt, const char *what) {
    fputs("rnnscope: ", err);
    fprintf(err, fmt, what);
    fputs("\n\n", err);
    fputs(usage, err);
    return APP_EXIT_USAGE;
}

int app_parse_options(int argc, char **argv, int first, const AppOption *opts, int nopts,
                      const char *usage, FILE *out, FILE *err) {
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, out);
            return -1;
        }
        if (strncmp(arg, "--", 2) != 0)
            return usage_error(err, usage, "unexpected argument '%s'", arg);
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const AppOption *opt = NULL;
        for (int k = 0; k < nopts && !opt; k++)
            if (strlen(opts[k].name) == name_len && strncmp(opts[k].name, name, name_len) == 0)
                opt = &opts[k];
        if (!opt) return usage_error(err, usage, "unknown option '%s'", arg);
        if (opt->flag) {
            if (eq) return usage_error(err, usage, "option '--%s' takes no value", opt->name);
            *opt->flag = 1;
        } else if (eq) {
            *opt->value = eq + 1;
        } else if (i + 1 < argc) {
            *opt->value = argv[++i];
        } else {
            return usage_error(err, usage, "option '--%s' needs a value", opt->name);
        }
    }
    return 0;
}

#ifndef RNNSCOPE_HAVE_UI
/* Built without the window (RNNSCOPE_UI=OFF): the window's commands say so. */
int app_open_main(int argc, char **argv, int first, FILE *out, FILE *err) {
    (void)argc, (void)argv, (void)first, (void)out;
    return app_fail(err, "open", "this rnnscope was built without the window (RNNSCOPE_UI=OFF)");
}

int app_screenshot_main(int argc, char **argv, FILE *out, FILE *err) {
    (void)argc, (void)argv, (void)out;
    return app_fail(err, "screenshot",
                    "this rnnscope was built without the window (RNNSCOPE_UI=OFF)");
}
#endif

int app_main(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 2) return app_open_main(argc, argv, 1, out, err);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(app_usage, out);
        return APP_EXIT_OK;
    }
    if (cmd[0] == '-' && strcmp(cmd, "--version") != 0) /* rnnscope --lang ko, --theme dark */
        return app_open_main(argc, argv, 1, out, err);
    if (strcmp(cmd, "--version") == 0) {
        fprintf(out, "rnnscope %s\n", RNNSCOPE_VERSION);
        return APP_EXIT_OK;
    }
    if (strcmp(cmd, "open") == 0 || strcmp(cmd, "lesson") == 0 || strcmp(cmd, "compare") == 0)
        return app_open_main(argc, argv, 2, out, err);
    if (strcmp(cmd, "screenshot") == 0) return app_screenshot_main(argc, argv, out, err);
    if (strcmp(cmd, "check") == 0) return app_check_main(argc, argv, out, err);
    if (strcmp(cmd, "trace") == 0) return app_trace_main(argc, argv, out, err);
    if (strcmp(cmd, "train") == 0) return app_train_main(argc, argv, out, err);
    if (strcmp(cmd, "memory") == 0) return app_memory_main(argc, argv, out, err);
    if (strcmp(cmd, "make-data") == 0) return app_make_data_main(argc, argv, out, err);
    if (strcmp(cmd, "eval") == 0) return app_eval_main(argc, argv, out, err);
    return usage_error(err, app_usage,
                       cmd[0] == '-' ? "unknown option '%s'" : "unknown command '%s'", cmd);
}
