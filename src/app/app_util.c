/* app_util.c - what the command files share: failing with a message, option parsing,
 * numbers from options, the data folder, the median. The command files call these and
 * never each other. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- failing and options ---------------------------------------------------------------- */

int app_fail(FILE *err, const char *command, const char *message) {
    fprintf(err, "rnnscope %s: %s\n", command, message);
    return APP_EXIT_ERROR;
}

int app_usage_error(FILE *err, const char *usage, const char *fmt, const char *what) {
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
            return app_usage_error(err, usage, "unexpected argument '%s'", arg);
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const AppOption *opt = NULL;
        for (int k = 0; k < nopts && !opt; k++)
            if (strlen(opts[k].name) == name_len && strncmp(opts[k].name, name, name_len) == 0)
                opt = &opts[k];
        if (!opt) return app_usage_error(err, usage, "unknown option '%s'", arg);
        if (opt->flag) {
            if (eq) return app_usage_error(err, usage, "option '--%s' takes no value", opt->name);
            *opt->flag = 1;
        } else if (eq) {
            *opt->value = eq + 1;
        } else if (i + 1 < argc) {
            *opt->value = argv[++i];
        } else {
            return app_usage_error(err, usage, "option '--%s' needs a value", opt->name);
        }
    }
    return 0;
}

/* ---- numbers from options ---------------------------------------------------------------- */

int app_parse_int(const char *text, const char *name, int min, int max, int *out, FILE *err) {
    char *end;
    if (!text) return 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(err, "rnnscope: --%s must be a whole number from %d to %d, got '%s'\n", name, min,
                max, text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int app_parse_double(const char *text, const char *name, double min, double max, double *out,
                     FILE *err) {
    char *end;
    if (!text) return 0;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v) || v < min || v > max) {
        if (isinf(max))
            fprintf(err, "rnnscope: --%s must be a number >= %g, got '%s'\n", name, min, text);
        else
            fprintf(err, "rnnscope: --%s must be a number from %g to %g, got '%s'\n", name, min,
                    max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int app_parse_seed(const char *text, const char *name, uint64_t *out, FILE *err) {
    int v = 0;
    if (!text) return 0;
    if (app_parse_int(text, name, 0, APP_MAX_SEED, &v, err)) return -1;
    *out = (uint64_t)v;
    return 0;
}

/* ---- files and numbers -------------------------------------------------------------------- */

static int exists(const char *path) {
    return access(path, R_OK) == 0;
}

/* Where assets/ lives: --data-dir, $RNNSCOPE_DATA_DIR, next to the build tree, under the
 * install prefix, or the current directory. Returns a malloc'd path to the folder that holds
 * assets/ and lessons/, or NULL. */
/* The folder of the running executable, with a trailing '/' (malloc'd), or NULL. */
static char *executable_dir(void) {
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return NULL;
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash) return NULL;
    slash[1] = '\0';
    return strdup(path);
}

char *app_data_dir(const char *override) {
    char probe[4096];
    if (override) return strdup(override);
    const char *env = getenv("RNNSCOPE_DATA_DIR");
    if (env && *env) return strdup(env);
    char *base = executable_dir();
    static const char *const candidates[] = {"../", "../share/rnnscope/", "./", "../../"};
    for (size_t i = 0; base && i < sizeof candidates / sizeof *candidates; i++) {
        snprintf(probe, sizeof probe, "%s%sassets/models/recall-lstm.json", base, candidates[i]);
        if (exists(probe)) {
            snprintf(probe, sizeof probe, "%s%s", base, candidates[i]);
            size_t n = strlen(probe);
            while (n > 1 && probe[n - 1] == '/') probe[--n] = '\0'; /* callers add "/assets" */
            free(base);
            return strdup(probe);
        }
    }
    free(base);
    if (exists("assets/models/recall-lstm.json")) return strdup(".");
    return NULL;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double app_median(double *x, int n) {
    qsort(x, (size_t)n, sizeof *x, compare_doubles);
    return x[n / 2];
}
