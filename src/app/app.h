/* app.h - rnnscope's command line: option parsing and the commands. Each command is a
 * function taking argv and the two output streams and returning the process exit code, so
 * tests run commands in-process. */
#ifndef RNNSCOPE_APP_H
#define RNNSCOPE_APP_H

#include <stdio.h>

/* Exit codes, documented in the README. */
enum { APP_EXIT_OK = 0, APP_EXIT_ERROR = 1, APP_EXIT_USAGE = 2 };

/* Largest trace the command line builds; larger requests are refused up front. */
#define APP_MAX_TRACE_BYTES ((size_t)1 << 30)

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

/* Prints "rnnscope CMD: message" to err and returns APP_EXIT_ERROR. */
int app_fail(FILE *err, const char *command, const char *message);

/* The whole program: dispatches argv[1] to a command. */
int app_main(int argc, char **argv, FILE *out, FILE *err);

/* rnnscope trace --model M.json (--text "..." | --inputs X.json) [--format json|table] */
int app_trace_main(int argc, char **argv, FILE *out, FILE *err);

/* rnnscope train ... and rnnscope eval ... (see their usage texts) */
int app_train_main(int argc, char **argv, FILE *out, FILE *err);
int app_eval_main(int argc, char **argv, FILE *out, FILE *err);

/* The window (rnnscope, rnnscope open) and headless frames (rnnscope screenshot). first is
 * the index of the first option in argv. */
int app_open_main(int argc, char **argv, int first, FILE *out, FILE *err);
int app_screenshot_main(int argc, char **argv, FILE *out, FILE *err);
/* The folder holding assets/ and lessons/ (malloc'd), or NULL. */
char *app_data_dir(const char *override);
/* rnnscope check [PATHS...]: lessons parse, load, and their claims hold. */
int app_check_main(int argc, char **argv, FILE *out, FILE *err);
struct IoLesson;
/* Checks one lesson (models load, steps and units exist, claims hold); prints each problem
 * as file:line to err and returns their count; *claims counts the claims checked. */
int app_check_lesson(const struct IoLesson *lesson, const char *data_dir, FILE *err, int *claims);
/* The median of n values (sorts them in place). */
double app_median(double *values, int n);
int app_memory_main(int argc, char **argv, FILE *out, FILE *err);
int app_make_data_main(int argc, char **argv, FILE *out, FILE *err);
/* Parses a whole number option in [min, max]; NULL text leaves *out alone. Prints why not. */
int app_parse_int(const char *text, const char *name, int min, int max, int *out, FILE *err);

extern const char app_usage[];
extern const char app_make_data_usage[];
extern const char app_memory_usage[];
extern const char app_check_usage[];
extern const char app_open_usage[];
extern const char app_compare_usage[];
extern const char app_screenshot_usage[];

extern const char app_train_usage[];
extern const char app_eval_usage[];
extern const char app_trace_usage[];

#endif
