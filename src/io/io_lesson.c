/* io_lesson.c - reading lesson files. */
#define _POSIX_C_SOURCE 200809L
#include "io_lesson.h"
#include "io.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIRECTIVE_OPEN "<!-- rnnscope:"

static char *dup_n(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n), d[n] = '\0';
    return d;
}

static char *trim(char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* A path relative to the lesson's folder (absolute paths stay as they are). */
static char *resolve(const char *lesson_path, const char *rel) {
    if (rel[0] == '/') return strdup(rel);
    const char *slash = strrchr(lesson_path, '/');
    size_t dir = slash ? (size_t)(slash - lesson_path + 1) : 0;
    char *out = malloc(dir + strlen(rel) + 1);
    if (!out) return NULL;
    memcpy(out, lesson_path, dir);
    strcpy(out + dir, rel);
    return out;
}

static void free_step(IoLessonStep *s) {
    free(s->title);
    free(s->markdown);
    free(s->model);
    free(s->text);
    free(s->focus);
    free(s->quiz);
    free(s->target);
    free(s->answer);
    for (int i = 0; i < s->nclaims; i++) free(s->claims[i].expr), free(s->claims[i].value);
    free(s->claims);
}

void io_lesson_free(IoLesson *l) {
    if (!l) return;
    for (int i = 0; i < l->nsteps; i++) free_step(&l->steps[i]);
    free(l->steps);
    free(l->path);
    free(l->title);
    free(l->lang);
    free(l->model);
    free(l->text);
    free(l->compare);
    free(l);
}

static IoLessonStep *new_step(IoLesson *l, int line, const char *title, RnnError *err) {
    if (l->nsteps >= IO_LESSON_MAX_STEPS) {
        rnn_error_set(err, "%s:%d: more than %d steps", l->path, line, IO_LESSON_MAX_STEPS);
        return NULL;
    }
    IoLessonStep *grown = realloc(l->steps, (size_t)(l->nsteps + 1) * sizeof *grown);
    if (!grown) {
        rnn_error_set(err, "%s: out of memory", l->path);
        return NULL;
    }
    l->steps = grown;
    IoLessonStep *s = &l->steps[l->nsteps++];
    memset(s, 0, sizeof *s);
    s->line = line;
    s->step = s->unit = s->t = s->layer = s->dir = s->back = -1;
    s->what_if = RNN_WHAT_IF_NONE;
    s->title = strdup(title);
    s->markdown = strdup("");
    if (!s->title || !s->markdown) {
        rnn_error_set(err, "%s: out of memory", l->path);
        return NULL;
    }
    return s;
}

static int append_line(IoLessonStep *s, const char *line, size_t n) {
    size_t have = s->markdown_len; /* kept, not measured: long lessons stay linear */
    char *grown = realloc(s->markdown, have + n + 2);
    if (!grown) return -1;
    memcpy(grown + have, line, n);
    grown[have + n] = '\n';
    grown[have + n + 1] = '\0';
    s->markdown = grown;
    s->markdown_len = have + n + 1;
    return 0;
}

/* Reads one token of a directive: key=value or a bare word; values may be "quoted". */
static const char *next_token(const char *p, char *key, size_t ksize, char **value) {
    while (*p == ' ' || *p == '\t') p++;
    size_t k = 0;
    while (*p && *p != '=' && *p != ' ' && *p != '\t' && k + 1 < ksize) key[k++] = *p++;
    key[k] = '\0';
    *value = NULL;
    if (*p != '=') return p;
    p++;
    if (*p == '"') {
        p++;
        char buf[2048];
        size_t n = 0;
        while (*p && *p != '"' && n + 1 < sizeof buf) {
            if (*p == '\\' && p[1]) p++;
            buf[n++] = *p++;
        }
        if (*p != '"') return NULL; /* unterminated quote */
        p++;
        *value = dup_n(buf, n);
    } else {
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        *value = dup_n(start, (size_t)(p - start));
    }
    return p;
}

static int parse_int_value(const char *v, int *out) {
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < 0 || x > 1000000) return -1;
    *out = (int)x;
    return 0;
}

/* "accuracy(recall-lstm, distance=40) >= 0.95" */
static int parse_claim(IoLessonStep *s, const char *text, int line, const char *path,
                       RnnError *err) {
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    const char *close = strrchr(text, ')');
    const char *search = close ? close + 1 : text;
    const char *at = NULL, *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof *ops && !at; i++)
        if ((at = strstr(search, ops[i]))) op = ops[i];
    if (!at || !close)
        return rnn_error_set(err,
                             "%s:%d: expect needs EXPRESSION OP VALUE, e.g. expect "
                             "accuracy(recall-lstm, distance=40) >= 0.95",
                             path, line);
    IoClaim *grown = realloc(s->claims, (size_t)(s->nclaims + 1) * sizeof *grown);
    if (!grown) return rnn_error_set(err, "%s: out of memory", path);
    s->claims = grown;
    IoClaim *c = &s->claims[s->nclaims++];
    memset(c, 0, sizeof *c);
    c->line = line;
    snprintf(c->op, sizeof c->op, "%s", op);
    char *expr = dup_n(text, (size_t)(at - text)), *value = strdup(at + strlen(op));
    if (!expr || !value) {
        free(expr), free(value);
        s->nclaims--;
        return rnn_error_set(err, "%s: out of memory", path);
    }
    c->expr = strdup(trim(expr));
    c->value = strdup(trim(value));
    free(expr), free(value);
    if (!c->expr || !c->value || !c->value[0])
        return rnn_error_set(err, "%s:%d: expect: the value to compare with is missing", path,
                             line);
    return 0;
}

static int set_string(char **slot, char *value) {
    free(*slot);
    *slot = value;
    return 0;
}

/* Applies the directives of one comment's inner text to the step. */
static int parse_directives(IoLesson *l, IoLessonStep *s, const char *text, int line,
                            RnnError *err) {
    const char *p = text;
    const char *path = l->path;
    while (1) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) return 0;
        if (!strncmp(p, "expect", 6) && (p[6] == ' ' || p[6] == '\t'))
            return parse_claim(s, p + 7, line, path, err);
        char key[32];
        char *value;
        const char *next = next_token(p, key, sizeof key, &value);
        if (!next) return rnn_error_set(err, "%s:%d: a quoted value is not closed", path, line);
        p = next;
        if (!value)
            return rnn_error_set(err,
                                 "%s:%d: unknown directive '%s' (expected key=value or "
                                 "expect ...)",
                                 path, line, key);
        int bad = 0;
        if (!strcmp(key, "model")) { /* said twice: the last one wins */
            set_string(&s->model, resolve(path, value)), s->model_line = line;
            free(value);
        } else if (!strcmp(key, "text")) {
            set_string(&s->text, value);
        } else if (!strcmp(key, "step")) {
            s->step_line = line;
            if (!strcmp(value, "end"))
                s->step = IO_LESSON_STEP_END;
            else
                bad = parse_int_value(value, &s->step);
            free(value);
        } else if (!strcmp(key, "focus")) {
            int ok = !strcmp(value, "h") || !strcmp(value, "c");
            const RnnCellKind cells[] = {RNN_CELL_LSTM, RNN_CELL_GRU};
            for (int k = 0; k < 2; k++)
                for (int g = 0; g < rnn_gate_count(cells[k]); g++)
                    ok |= !strcmp(value, rnn_gate_name(cells[k], g));
            if (!ok) {
                rnn_error_set(err, "%s:%d: focus=%s: expected h, c or a gate (i f g o, r z n)",
                              path, line, value);
                free(value);
                return -1;
            }
            set_string(&s->focus, value);
            s->focus_line = line;
        } else if (!strcmp(key, "unit") || !strcmp(key, "t") || !strcmp(key, "layer")) {
            int *slot = key[0] == 'u' ? &s->unit : key[0] == 't' ? &s->t : &s->layer;
            bad = parse_int_value(value, slot);
            free(value);
        } else if (!strcmp(key, "dir")) {
            if (!strcmp(value, "forward"))
                s->dir = 0;
            else if (!strcmp(value, "backward"))
                s->dir = 1;
            else
                bad = 1;
            free(value);
        } else if (!strcmp(key, "view")) {
            if (!strcmp(value, "compare"))
                s->compare = 1;
            else if (!strcmp(value, "single"))
                s->compare = 0;
            else
                bad = 1;
            free(value);
        } else if (!strcmp(key, "pass")) {
            if (!strcmp(value, "backward"))
                s->backward = 1;
            else if (!strcmp(value, "forward"))
                s->backward = 0;
            else
                bad = 1;
            free(value);
        } else if (!strcmp(key, "back")) {
            bad = parse_int_value(value, &s->back);
            s->back_line = line;
            free(value);
        } else if (!strcmp(key, "target")) {
            set_string(&s->target, value);
            s->target_line = line;
        } else if (!strcmp(key, "scale-whh") || !strcmp(key, "forget-bias") ||
                   !strcmp(key, "clip")) {
            double *slot = key[0] == 's'   ? &s->what_if.weight_hh_scale
                           : key[0] == 'f' ? &s->what_if.forget_bias_shift
                                           : &s->what_if.clip;
            *(key[0] == 's'   ? &s->scale_whh_line
              : key[0] == 'f' ? &s->forget_bias_line
                              : &s->clip_line) = line;
            char *end;
            *slot = strtod(value, &end);
            bad = !*value || *end || !isfinite(*slot) || (key[0] == 'c' && *slot < 0);
            free(value);
        } else if (!strcmp(key, "nonlinearity")) {
            s->nonlinearity_line = line;
            if (!strcmp(value, "tanh") || !strcmp(value, "relu"))
                s->what_if.relu = !strcmp(value, "relu");
            else
                bad = 1;
            free(value);
        } else if (!strcmp(key, "quiz")) {
            set_string(&s->quiz, value);
        } else if (!strcmp(key, "answer")) {
            set_string(&s->answer, value);
        } else {
            rnn_error_set(err, "%s:%d: unknown directive '%s'", path, line, key);
            free(value);
            return -1;
        }
        if (bad)
            return rnn_error_set(err, "%s:%d: %s: expected %s", path, line, key,
                                 !strcmp(key, "dir") || !strcmp(key, "pass") ? "forward or backward"
                                 : !strcmp(key, "nonlinearity")              ? "tanh or relu"
                                 : !strcmp(key, "scale-whh") || !strcmp(key, "forget-bias")
                                     ? "a number"
                                 : !strcmp(key, "clip") ? "a number >= 0"
                                 : !strcmp(key, "view") ? "compare or single"
                                 : !strcmp(key, "step") ? "a whole number or end"
                                                        : "a whole number >= 0");
    }
}

static int parse_front_matter(IoLesson *l, char **lines, int n, int *body, RnnError *err) {
    if (n == 0 || strcmp(trim(lines[0]), "---") != 0)
        return rnn_error_set(err,
                             "%s:1: a lesson starts with front matter between two '---' "
                             "lines (title, model, text, lang)",
                             l->path);
    int i = 1;
    for (; i < n && strcmp(trim(lines[i]), "---") != 0; i++) {
        char *line = lines[i];
        if (!*trim(line)) continue;
        char *colon = strchr(line, ':');
        if (!colon)
            return rnn_error_set(err, "%s:%d: expected 'key: value' in the front matter", l->path,
                                 i + 1);
        *colon = '\0';
        char *key = trim(line), *value = trim(colon + 1);
        char *v = strdup(value);
        if (!v) return rnn_error_set(err, "%s: out of memory", l->path);
        if (!strcmp(key, "title"))
            set_string(&l->title, v);
        else if (!strcmp(key, "lang"))
            set_string(&l->lang, v);
        else if (!strcmp(key, "text"))
            set_string(&l->text, v), l->text_line = i + 1;
        else if (!strcmp(key, "model")) /* said twice: the last one wins */
            set_string(&l->model, resolve(l->path, v)), l->model_line = i + 1, free(v);
        else if (!strcmp(key, "compare"))
            set_string(&l->compare, resolve(l->path, v)), free(v);
        else if (!strcmp(key, "order"))
            l->order = atof(v), free(v);
        else {
            free(v);
            return rnn_error_set(err, "%s:%d: unknown front matter key '%s'", l->path, i + 1, key);
        }
    }
    if (i >= n) return rnn_error_set(err, "%s: the front matter has no closing '---'", l->path);
    static const char *const required[] = {"title", "model", "text", "lang"};
    const char *have[] = {l->title, l->model, l->text, l->lang};
    for (int k = 0; k < 4; k++)
        if (!have[k] || !have[k][0])
            return rnn_error_set(err, "%s: the front matter needs '%s'", l->path, required[k]);
    if (strcmp(l->lang, "en") && strcmp(l->lang, "ko"))
        return rnn_error_set(err, "%s: lang: expected en or ko, got '%s'", l->path, l->lang);
    *body = i + 1;
    return 0;
}

int io_lesson_parse(const char *text, size_t len, const char *path, IoLesson **out, RnnError *err) {
    *out = NULL;
    IoLesson *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path))) {
        free(l);
        return rnn_error_set(err, "%s: out of memory", path);
    }
    /* lines, copied so they can be cut up */
    char *copy = dup_n(text, len);
    int cap = 64, n = 0;
    char **lines = malloc((size_t)cap * sizeof *lines);
    int rc = -1;
    if (!copy || !lines) {
        rnn_error_set(err, "%s: out of memory", path);
        goto done;
    }
    for (char *p = copy; p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        if (n == cap) {
            char **grown = realloc(lines, (size_t)(cap *= 2) * sizeof *lines);
            if (!grown) {
                rnn_error_set(err, "%s: out of memory", path);
                goto done;
            }
            lines = grown;
        }
        size_t ll = strlen(p);
        if (ll && p[ll - 1] == '\r') p[ll - 1] = '\0';
        lines[n++] = p;
        p = nl ? nl + 1 : NULL;
    }
    /* UTF-8 throughout: lessons hold Hangul */
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int k = rnn_utf8_decode((const unsigned char *)text + i, len - i, &cp);
        if (!k) {
            int line = 1;
            for (size_t j = 0; j < i; j++) line += text[j] == '\n';
            rnn_error_set(err, "%s:%d: invalid UTF-8", path, line);
            goto done;
        }
        i += (size_t)k;
    }
    int body;
    if (parse_front_matter(l, lines, n, &body, err)) goto done;
    IoLessonStep *step = new_step(l, body + 1, l->title, err);
    if (!step) goto done;
    int fence = 0;
    for (int i = body; i < n; i++) {
        char *line = lines[i];
        const char *t = line;
        while (*t == ' ') t++;
        if (!strncmp(t, "```", 3) || !strncmp(t, "~~~", 3)) fence = !fence;
        if (!fence && !strncmp(line, "## ", 3)) {
            if (!(step = new_step(l, i + 1, trim(line + 3), err))) goto done;
            continue;
        }
        const char *open = fence ? NULL : strstr(line, DIRECTIVE_OPEN);
        if (open) {
            const char *close = strstr(open, "-->");
            if (!close) {
                rnn_error_set(err,
                              "%s:%d: a directive comment must close with --> on the same "
                              "line",
                              path, i + 1);
                goto done;
            }
            char *inner = dup_n(open + strlen(DIRECTIVE_OPEN),
                                (size_t)(close - open - strlen(DIRECTIVE_OPEN)));
            int bad = !inner || parse_directives(l, step, inner, i + 1, err);
            free(inner);
            if (bad) goto done;
            /* keep what surrounds the comment on the line (usually nothing) */
            char *rest = trim(line);
            if ((size_t)(open - line) == (size_t)(rest - line) && !*trim((char *)close + 3))
                continue;
        }
        if (append_line(step, line, strlen(line))) {
            rnn_error_set(err, "%s: out of memory", path);
            goto done;
        }
    }
    for (int i = 0; i < l->nsteps; i++) {
        IoLessonStep *s = &l->steps[i];
        if ((s->quiz != NULL) != (s->answer != NULL)) {
            rnn_error_set(err, "%s:%d: quiz and answer come together", path, s->line);
            goto done;
        }
        if (!s->focus && (s->unit >= 0 || s->t >= 0 || s->layer >= 0 || s->dir >= 0)) {
            rnn_error_set(err, "%s:%d: unit, t, layer and dir go with focus=", path, s->line);
            goto done;
        }
    }
    *out = l;
    l = NULL;
    rc = 0;
done:
    io_lesson_free(l);
    free(copy);
    free(lines);
    return rc;
}

int io_lesson_load(const char *path, IoLesson **out, RnnError *err) {
    char *text;
    size_t len;
    *out = NULL;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &text, &len, err)) return -1;
    int rc = io_lesson_parse(text, len, path, out, err);
    free(text);
    return rc;
}

/* ---- finding lessons ---- */

static int ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lesson files under path (or path itself), sorted. */
int io_lesson_find(const char *path, char ***out, int *n) {
    struct stat st;
    *out = NULL, *n = 0;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        *out = malloc(sizeof **out);
        if (!*out) return -1;
        (*out)[(*n)++] = strdup(path);
        return 0;
    }
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int cap = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.') continue;
        char child[4096];
        size_t plen = strlen(path);
        while (plen > 1 && path[plen - 1] == '/') plen--; /* "lessons/" and "lessons" alike */
        snprintf(child, sizeof child, "%.*s/%s", (int)plen, path, e->d_name);
        char **sub;
        int m;
        if (stat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (io_lesson_find(child, &sub, &m)) continue;
        } else if (ends_with(e->d_name, ".md") && strcmp(e->d_name, "README.md")) {
            sub = malloc(sizeof *sub);
            if (!sub) continue;
            sub[0] = strdup(child);
            m = 1;
        } else {
            continue;
        }
        for (int i = 0; i < m; i++) {
            if (*n == cap) {
                char **grown = realloc(*out, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *grown);
                if (!grown) break;
                *out = grown;
            }
            (*out)[(*n)++] = sub[i];
        }
        free(sub);
    }
    closedir(dir);
    if (*n) qsort(*out, (size_t)*n, sizeof **out, compare_names);
    return 0;
}
