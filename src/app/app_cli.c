/* app_cli.c - the dispatcher: argv[1] names the command whose main runs. */
#include "app.h"
#include "io_lesson.h"
#include "rnn.h"

#include <stdlib.h>
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
    "  record     step through the sentence into an animated GIF (or PNGs), no display\n"
    "  check      check lessons: they parse, their models load, their claims hold\n"
    "  trace      run a model over a sentence and print every state and gate\n"
    "  train      train a model with backpropagation through time (SGD or Adam)\n"
    "  memory     the RNN vs LSTM vs GRU long-term memory experiment (recall task)\n"
    "  make-data  write a generated task (recall) as training data\n"
    "  eval       accuracy, loss and confusion table of a model on a data file\n"
    "  import     convert a Keras model (.keras, .h5) into an rnnscope model file\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help (rnnscope COMMAND --help for a command's options)\n"
    "  --version      show the version\n"
    "\n"
    "exit codes: 0 ok, 1 runtime or input error, 2 usage error\n";

/* The window, or without a display the window's model and sentence as a trace table and,
 * on the picker, the list of lessons. */
static int open_window(int argc, char **argv, int first, FILE *out, FILE *err) {
    AppNoDisplay h = {0};
    int rc = app_open_main(argc, argv, first, out, err, &h);
    if (rc != APP_OPEN_NO_DISPLAY) return rc;
    fprintf(err, "rnnscope: no display, so here is the window's model and sentence as a "
                 "table (rnnscope screenshot --out F.png draws the window into a file)\n");
    char *trace_argv[] = {"rnnscope", "trace", "--model",  h.model_path,
                          "--text",   h.text,  "--format", "table"};
    rc = h.model_path && h.text ? app_trace_main(8, trace_argv, out, err)
                                : app_fail(err, "open", "out of memory");
    if (rc == APP_EXIT_OK && h.lessons_folder) {
        char **files;
        int n;
        if (io_lesson_find(h.lessons_folder, &files, &n) == 0 && n > 0) {
            fprintf(out, "\nlessons (rnnscope lesson FILE opens one in the window):\n");
            for (int i = 0; i < n; i++) fprintf(out, "  %s\n", files[i]), free(files[i]);
        }
        if (n >= 0) free(files);
    }
    free(h.model_path), free(h.text), free(h.lessons_folder);
    return rc;
}

#ifndef RNNSCOPE_HAVE_UI
/* Built without the window (RNNSCOPE_UI=OFF): the window's commands say so. */
int app_open_main(int argc, char **argv, int first, FILE *out, FILE *err, AppNoDisplay *headless) {
    (void)argc, (void)argv, (void)first, (void)out, (void)headless;
    return app_fail(err, "open", "this rnnscope was built without the window (RNNSCOPE_UI=OFF)");
}

int app_screenshot_main(int argc, char **argv, FILE *out, FILE *err) {
    (void)argc, (void)argv, (void)out;
    return app_fail(err, "screenshot",
                    "this rnnscope was built without the window (RNNSCOPE_UI=OFF)");
}

int app_record_main(int argc, char **argv, FILE *out, FILE *err) {
    (void)argc, (void)argv, (void)out;
    return app_fail(err, "record", "this rnnscope was built without the window (RNNSCOPE_UI=OFF)");
}
#endif

int app_main(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 2) return open_window(argc, argv, 1, out, err);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(app_usage, out);
        return APP_EXIT_OK;
    }
    if (cmd[0] == '-' && strcmp(cmd, "--version") != 0) /* rnnscope --lang ko, --theme dark */
        return open_window(argc, argv, 1, out, err);
    if (strcmp(cmd, "--version") == 0) {
        fprintf(out, "rnnscope %s\n", RNNSCOPE_VERSION);
        return APP_EXIT_OK;
    }
    if (strcmp(cmd, "open") == 0 || strcmp(cmd, "lesson") == 0 || strcmp(cmd, "compare") == 0)
        return open_window(argc, argv, 2, out, err);
    if (strcmp(cmd, "screenshot") == 0) return app_screenshot_main(argc, argv, out, err);
    if (strcmp(cmd, "record") == 0) return app_record_main(argc, argv, out, err);
    if (strcmp(cmd, "check") == 0) return app_check_main(argc, argv, out, err);
    if (strcmp(cmd, "trace") == 0) return app_trace_main(argc, argv, out, err);
    if (strcmp(cmd, "train") == 0) return app_train_main(argc, argv, out, err);
    if (strcmp(cmd, "memory") == 0) return app_memory_main(argc, argv, out, err);
    if (strcmp(cmd, "make-data") == 0) return app_make_data_main(argc, argv, out, err);
    if (strcmp(cmd, "eval") == 0) return app_eval_main(argc, argv, out, err);
    if (strcmp(cmd, "import") == 0) return app_import_main(argc, argv, out, err);
    return app_usage_error(err, app_usage,
                           cmd[0] == '-' ? "unknown option '%s'" : "unknown command '%s'", cmd);
}
