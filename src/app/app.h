/* app.h - rnnscope's command line: option parsing and the commands. Each command is a
 * function taking argv and the two output streams and returning the process exit code, so
 * tests run commands in-process. */
#ifndef RNNSCOPE_APP_H
#define RNNSCOPE_APP_H

#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in the README. */
enum { APP_EXIT_OK = 0, APP_EXIT_ERROR = 1, APP_EXIT_USAGE = 2 };

/* Largest trace the command line builds; larger requests are refused up front. */
#define APP_MAX_TRACE_BYTES ((size_t)1 << 30)

/* ---- shared helpers (app_util.c): the command files call these, never each other ------- */

/* One long option. A value option stores its argument in *value; a flag sets *flag = 1. */
typedef struct AppOption {
    const char *name; /* without the leading "--" */
    const char **value;
    int *flag;
} AppOption;

/* Parses argv[first..argc) against opts. Accepts "--name value" and "--name=value".
 * "--help"/"-h" prints usage to out and returns -1 (the caller exits 0). An unknown option,
 * a missing value or a stray argument prints a message and the usage to err and returns
 * APP_EXIT_USAGE. Returns 0 when all is well. */
int app_parse_options(int argc, char **argv, int first, const AppOption *opts, int nopts,
                      const char *usage, FILE *out, FILE *err);
/* Prints "rnnscope: " fmt (with what) and the usage to err; returns APP_EXIT_USAGE. */
int app_usage_error(FILE *err, const char *usage, const char *fmt, const char *what);
/* Prints "rnnscope CMD: message" to err and returns APP_EXIT_ERROR. */
int app_fail(FILE *err, const char *command, const char *message);

/* Numbers from option values. NULL text leaves *out alone and returns 0; a bad value prints
 * "rnnscope: --NAME must be ..." with the expected range to err and returns -1. */
/* A whole number in [min, max]. */
int app_parse_int(const char *text, const char *name, int min, int max, int *out, FILE *err);
/* A finite number in [min, max] (max = INFINITY: no upper bound). */
int app_parse_double(const char *text, const char *name, double min, double max, double *out,
                     FILE *err);
/* A seed: a whole number in [0, APP_MAX_SEED], the range a model's training record keeps. */
#define APP_MAX_SEED 2147483647
int app_parse_seed(const char *text, const char *name, uint64_t *out, FILE *err);

/* The folder holding assets/ and lessons/ (malloc'd), or NULL: --data-dir (override),
 * $RNNSCOPE_DATA_DIR, next to the build tree, under the install prefix, or ".". */
char *app_data_dir(const char *override);
/* The median of n values (sorts them in place). */
double app_median(double *values, int n);

/* ---- the commands: app_cli.c dispatches argv[1] to one of them ---------------------------- */

/* The whole program: dispatches argv[1] to a command. */
int app_main(int argc, char **argv, FILE *out, FILE *err);

/* rnnscope trace --model M.json (--text "..." | --inputs X.json) [--format json|table] */
int app_trace_main(int argc, char **argv, FILE *out, FILE *err);

/* rnnscope train ... and rnnscope eval ... (see their usage texts) */
int app_train_main(int argc, char **argv, FILE *out, FILE *err);
int app_eval_main(int argc, char **argv, FILE *out, FILE *err);

/* What the window would show, for the dispatcher to print when there is no display:
 * the model and sentence (as a trace table) and, on the picker, the lesson folder. */
typedef struct AppNoDisplay {
    char *model_path, *text;
    char *lessons_folder; /* NULL when not on the lesson picker */
} AppNoDisplay;
/* Returned by app_open_main when there is no display: *headless says what to print. */
#define APP_OPEN_NO_DISPLAY (-2)

/* The window (rnnscope, rnnscope open) and headless frames (rnnscope screenshot). first is
 * the index of the first option in argv. Without a display app_open_main opens nothing,
 * fills *headless (malloc'd strings, NULL on failure) and returns APP_OPEN_NO_DISPLAY. */
int app_open_main(int argc, char **argv, int first, FILE *out, FILE *err, AppNoDisplay *headless);
int app_screenshot_main(int argc, char **argv, FILE *out, FILE *err);
/* rnnscope record: a frame per time step, as an animated GIF or numbered PNGs. */
int app_record_main(int argc, char **argv, FILE *out, FILE *err);
/* rnnscope check [PATHS...]: lessons parse, load, and their claims hold. */
int app_check_main(int argc, char **argv, FILE *out, FILE *err);
struct IoLesson;
/* Checks one lesson (models load, steps and units exist, claims hold); prints each problem
 * as file:line to err and returns their count; *claims counts the claims checked. */
int app_check_lesson(const struct IoLesson *lesson, const char *data_dir, FILE *err, int *claims);
int app_memory_main(int argc, char **argv, FILE *out, FILE *err);
int app_make_data_main(int argc, char **argv, FILE *out, FILE *err);
/* rnnscope import FILE --out M.json: a Keras model as an rnnscope model file. */
int app_import_main(int argc, char **argv, FILE *out, FILE *err);

#ifdef __EMSCRIPTEN__
/* window.rnnscope.trace (app_web.c): the JSON text `rnnscope trace --format json` prints for
 * a model given as text and a sentence, or {"error": "..."}; valid until the next call. */
const char *rnnscope_web_trace(const char *model_json, const char *text);
/* Microseconds per forward pass of a model file over a sentence (the page's benchmark). */
double rnnscope_web_time_forward(const char *model_path, const char *text, double seconds);
#endif

extern const char app_usage[];
extern const char app_make_data_usage[];
extern const char app_import_usage[];
extern const char app_memory_usage[];
extern const char app_check_usage[];
extern const char app_open_usage[];
extern const char app_compare_usage[];
extern const char app_screenshot_usage[];
extern const char app_record_usage[];

extern const char app_train_usage[];
extern const char app_eval_usage[];
extern const char app_trace_usage[];

#endif
