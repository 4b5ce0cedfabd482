/* io_data.c - training data: JSON Lines, one example per line.
 *   {"tokens": ["a", "b"], "label": "pos"}      many-to-one
 *   {"tokens": ["a", "b"], "tags": ["X", "O"]}  many-to-many
 *   "text": "..." instead of "tokens" goes through the tokenizer;
 *   "inputs": [[...], ...] gives raw vectors for models without a vocabulary.
 * Other keys on a line are allowed and ignored. Every error names file:line. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IO_DATA_MAX_STEPS 100000

void io_data_free(IoDataset *d) {
    if (!d) return;
    for (int i = 0; i < d->count; i++) {
        IoRecord *r = &d->records[i];
        for (int t = 0; r->tokens && t < r->steps; t++) free(r->tokens[t]);
        for (int t = 0; r->tags && t < r->steps; t++) free(r->tags[t]);
        free(r->tokens);
        free(r->tags);
        free(r->vectors);
        free(r->label);
        free(r->values);
    }
    free(d->records);
    free(d->examples);
    free(d->ids);
    free(d->targets);
    free(d->path);
    free(d);
}

/* A JSON array of non-empty strings, copied. */
static int copy_strings(const cJSON *a, char ***out, int *n, const char *what, const char *src,
                        int line, RnnError *err) {
    *out = NULL;
    if (!cJSON_IsArray(a))
        return rnn_error_set(err, "%s:%d: \"%s\" must be an array of strings", src, line, what);
    int count = cJSON_GetArraySize(a);
    if (count > IO_DATA_MAX_STEPS)
        return rnn_error_set(err, "%s:%d: \"%s\" has %d entries, more than %d", src, line, what,
                             count, IO_DATA_MAX_STEPS);
    char **s = calloc((size_t)count + 1, sizeof *s);
    if (!s) return rnn_error_set(err, "%s:%d: out of memory", src, line);
    int i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v) || !v->valuestring[0] || !(s[i] = strdup(v->valuestring))) {
            for (int k = 0; k < i; k++) free(s[k]);
            free(s);
            return rnn_error_set(err, "%s:%d: \"%s\"[%d] must be a non-empty string", src, line,
                                 what, i);
        }
        unsigned cp;
        size_t len = strlen(s[i]);
        for (size_t b = 0; b < len;) {
            int k = rnn_utf8_decode((const unsigned char *)s[i] + b, len - b, &cp);
            if (!k) {
                for (int j = 0; j <= i; j++) free(s[j]);
                free(s);
                return rnn_error_set(err, "%s:%d: \"%s\"[%d] is not valid UTF-8", src, line, what,
                                     i);
            }
            b += (size_t)k;
        }
    }
    *out = s;
    *n = count;
    return 0;
}

/* "text": the tokenizer's words. */
static int read_text(const cJSON *text, IoRecord *r, const char *src, int line, RnnError *err) {
    if (!cJSON_IsString(text))
        return rnn_error_set(err, "%s:%d: \"text\" must be a string", src, line);
    RnnTokens tk;
    RnnError inner;
    if (rnn_tokenize(text->valuestring, &tk, &inner))
        return rnn_error_set(err, "%s:%d: \"text\": %s", src, line, inner.message);
    r->tokens = calloc((size_t)tk.count + 1, sizeof *r->tokens);
    for (int t = 0; r->tokens && t < tk.count; t++) r->tokens[t] = strdup(tk.text[t]);
    r->steps = tk.count;
    int ok = r->tokens != NULL;
    for (int t = 0; ok && t < tk.count; t++) ok = r->tokens[t] != NULL;
    rnn_tokens_free(&tk);
    if (!ok) return rnn_error_set(err, "%s:%d: out of memory", src, line);
    return 0;
}

/* "inputs": (T, width) finite numbers, width the same on every line. */
static int read_inputs(const cJSON *inputs, IoRecord *r, IoDataset *d, const char *src, int line,
                       RnnError *err) {
    int T = cJSON_IsArray(inputs) ? cJSON_GetArraySize(inputs) : -1;
    const cJSON *first = T > 0 ? inputs->child : NULL;
    int width = cJSON_IsArray(first) ? cJSON_GetArraySize(first) : 0;
    if (T < 1 || width < 1 || width > RNN_MAX_SIZE || T > IO_DATA_MAX_STEPS)
        return rnn_error_set(err,
                             "%s:%d: \"inputs\" must be a non-empty array of arrays of "
                             "numbers",
                             src, line);
    if (d->vector_width && width != d->vector_width)
        return rnn_error_set(err,
                             "%s:%d: \"inputs\" vectors have %d numbers, earlier lines "
                             "%d",
                             src, line, width, d->vector_width);
    d->vector_width = width;
    r->vectors = malloc((size_t)T * width * sizeof *r->vectors);
    if (!r->vectors) return rnn_error_set(err, "%s:%d: out of memory", src, line);
    r->steps = T;
    int t = 0;
    for (const cJSON *row = first; row; row = row->next, t++) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != width)
            return rnn_error_set(err, "%s:%d: \"inputs\"[%d] must have %d numbers", src, line, t,
                                 width);
        int k = 0;
        for (const cJSON *v = row->child; v; v = v->next, k++) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
                return rnn_error_set(err, "%s:%d: \"inputs\"[%d][%d] must be a finite number", src,
                                     line, t, k);
            r->vectors[(size_t)t * width + k] = v->valuedouble;
        }
    }
    return 0;
}

/* The answer: exactly one of "label", "tags" (one per token) and "target" (numbers), the same
 * kind on every line. */
static int read_answer(const cJSON *obj, IoRecord *r, IoDataset *d, const char *src, int line,
                       RnnError *err) {
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(obj, "label");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(obj, "tags");
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(obj, "target");
    if ((label != NULL) + (tags != NULL) + (target != NULL) != 1)
        return rnn_error_set(err,
                             "%s:%d: give exactly one of \"label\" (one per example), "
                             "\"tags\" (one per token) and \"target\" (numbers)",
                             src, line);
    static const char *const kind_key[] = {"label", "tags", "target"};
    IoDataKind kind = label ? IO_DATA_LABELS : tags ? IO_DATA_TAGS : IO_DATA_VALUES;
    if (d->count > 0 && kind != d->kind)
        return rnn_error_set(err,
                             "%s:%d: this line has \"%s\" but line %d has \"%s\": a data "
                             "file holds one kind",
                             src, line, kind_key[kind], d->records[0].line, kind_key[d->kind]);
    d->kind = kind;
    if (target) {
        int n = cJSON_IsNumber(target) ? 1 : cJSON_IsArray(target) ? cJSON_GetArraySize(target) : 0;
        if (n < 1 || n > RNN_MAX_SIZE || (d->count > 0 && n != d->records[0].num_values))
            return rnn_error_set(err,
                                 "%s:%d: \"target\" must be a number or an array of numbers "
                                 "(as many on every line)",
                                 src, line);
        if (!(r->values = malloc((size_t)n * sizeof *r->values)))
            return rnn_error_set(err, "%s:%d: out of memory", src, line);
        r->num_values = n;
        const cJSON *v = cJSON_IsNumber(target) ? target : target->child;
        for (int k = 0; k < n; k++, v = v->next) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
                return rnn_error_set(err, "%s:%d: \"target\" must hold finite numbers", src, line);
            r->values[k] = v->valuedouble;
        }
    }
    if (label) {
        if (!cJSON_IsString(label) || !label->valuestring[0])
            return rnn_error_set(err, "%s:%d: \"label\" must be a non-empty string", src, line);
        if (!(r->label = strdup(label->valuestring)))
            return rnn_error_set(err, "%s:%d: out of memory", src, line);
    } else if (tags) {
        int n;
        if (copy_strings(tags, &r->tags, &n, "tags", src, line, err)) return -1;
        if (n != r->steps) {
            for (int t = 0; t < n; t++) free(r->tags[t]);
            free(r->tags);
            r->tags = NULL;
            return rnn_error_set(err, "%s:%d: %d tags for %d tokens", src, line, n, r->steps);
        }
    }
    return 0;
}

/* One line's example: its input ("tokens", "text" or "inputs") and its answer. */
static int parse_record(const cJSON *obj, IoRecord *r, IoDataset *d, const char *src,
                        RnnError *err) {
    int line = r->line;
    if (!cJSON_IsObject(obj))
        return rnn_error_set(err, "%s:%d: each line must be a JSON object", src, line);
    const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(obj, "tokens");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(obj, "inputs");
    if ((tokens != NULL) + (text != NULL) + (inputs != NULL) != 1)
        return rnn_error_set(err, "%s:%d: give exactly one of \"tokens\", \"text\" and \"inputs\"",
                             src, line);
    int bad = tokens ? copy_strings(tokens, &r->tokens, &r->steps, "tokens", src, line, err)
              : text ? read_text(text, r, src, line, err)
                     : read_inputs(inputs, r, d, src, line, err);
    if (bad) return -1;
    if (r->steps < 1) return rnn_error_set(err, "%s:%d: the example has no tokens", src, line);
    if (read_answer(obj, r, d, src, line, err)) return -1;
    if (r->tokens && d->vector_width)
        return rnn_error_set(err, "%s:%d: words on this line, vectors on earlier lines", src, line);
    if (r->vectors && d->has_tokens)
        return rnn_error_set(err, "%s:%d: vectors on this line, words on earlier lines", src, line);
    d->has_tokens |= r->tokens != NULL;
    if (r->steps > d->max_steps) d->max_steps = r->steps;
    return 0;
}

int io_data_parse(const char *text, size_t len, const char *src, IoDataset **out, RnnError *err) {
    *out = NULL;
    IoDataset *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(src))) {
        free(d);
        return rnn_error_set(err, "%s: out of memory", src);
    }
    int capacity = 0, line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        size_t k = 0;
        while (k < n && (start[k] == ' ' || start[k] == '\t' || start[k] == '\r')) k++;
        if (k == n) continue; /* blank line */
        if (d->count == capacity) {
            int grown_cap = capacity ? capacity * 2 : 64;
            IoRecord *grown = realloc(d->records, (size_t)grown_cap * sizeof *grown);
            if (!grown) {
                io_data_free(d);
                return rnn_error_set(err, "%s:%d: out of memory", src, line);
            }
            d->records = grown, capacity = grown_cap;
        }
        IoRecord *r = &d->records[d->count];
        memset(r, 0, sizeof *r);
        r->line = line;
        cJSON *obj = io_json_parse(start, n, src, line, "a JSON object", err);
        int rc = obj ? parse_record(obj, r, d, src, err) : -1;
        cJSON_Delete(obj);
        d->count++; /* counted even on failure so io_data_free releases its pieces */
        if (rc) {
            io_data_free(d);
            return -1;
        }
    }
    if (d->count == 0) {
        io_data_free(d);
        return rnn_error_set(err, "%s: no examples", src);
    }
    *out = d;
    return 0;
}

int io_data_load(const char *path, IoDataset **out, RnnError *err) {
    char *text;
    size_t len;
    *out = NULL;
    if (io_read_file(path, IO_MAX_FILE_SIZE, &text, &len, err)) return -1;
    int rc = io_data_parse(text, len, path, out, err);
    free(text);
    return rc;
}

/* ---- vocabularies ------------------------------------------------------------------------------
 */

typedef struct Seen {
    const char *word;
    long first; /* position of first appearance */
} Seen;

static int by_word_then_position(const void *a, const void *b) {
    const Seen *x = a, *y = b;
    int c = strcmp(x->word, y->word);
    return c ? c : (x->first > y->first) - (x->first < y->first);
}

static int by_position(const void *a, const void *b) {
    const Seen *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Distinct strings in order of first appearance. which: 0 tokens, 1 labels/tags. */
static int distinct(const IoDataset *d, int which, const char ***out, int *count, RnnError *err) {
    long n = 0;
    for (int i = 0; i < d->count; i++)
        n += which == 0             ? (d->records[i].tokens ? d->records[i].steps : 0)
             : d->records[i].values ? 0
                                    : (d->records[i].label ? 1 : d->records[i].steps);
    Seen *seen = malloc((size_t)(n ? n : 1) * sizeof *seen);
    if (!seen) return rnn_error_set(err, "%s: out of memory", d->path);
    long k = 0;
    for (int i = 0; i < d->count; i++) {
        const IoRecord *r = &d->records[i];
        if (which == 0 && r->tokens)
            for (int t = 0; t < r->steps; t++) seen[k] = (Seen){r->tokens[t], k}, k++;
        if (which == 1 && r->label) seen[k] = (Seen){r->label, k}, k++;
        if (which == 1 && r->tags)
            for (int t = 0; t < r->steps; t++) seen[k] = (Seen){r->tags[t], k}, k++;
    }
    qsort(seen, (size_t)n, sizeof *seen, by_word_then_position);
    long u = 0;
    for (long i = 0; i < n; i++)
        if (u == 0 || strcmp(seen[u - 1].word, seen[i].word) != 0) seen[u++] = seen[i];
    qsort(seen, (size_t)u, sizeof *seen, by_position);
    const char **words = malloc((size_t)(u ? u : 1) * sizeof *words);
    if (!words) {
        free(seen);
        return rnn_error_set(err, "%s: out of memory", d->path);
    }
    for (long i = 0; i < u; i++) words[i] = seen[i].word;
    free(seen);
    *out = words;
    *count = (int)u;
    return 0;
}

int io_data_words(const IoDataset *d, const char ***words, int *count, RnnError *err) {
    return distinct(d, 0, words, count, err);
}

int io_data_labels(const IoDataset *d, const char ***labels, int *count, RnnError *err) {
    return distinct(d, 1, labels, count, err);
}

/* ---- encoding for a model -------------------------------------------------------------------- */

int io_data_encode(IoDataset *d, const RnnModel *m, RnnError *err) {
    const RnnConfig *c = &m->config;
    const char *src = d->path;
    if (c->head == RNN_HEAD_NONE)
        return rnn_error_set(err, "%s: the model has no output head to train", src);
    if (d->kind == IO_DATA_LABELS && c->head != RNN_HEAD_MANY_TO_ONE)
        return rnn_error_set(err,
                             "%s: one label per example needs a many-to-one model; this "
                             "model is %s",
                             src, rnn_head_name(c->head));
    if (d->kind == IO_DATA_TAGS && c->head != RNN_HEAD_MANY_TO_MANY)
        return rnn_error_set(err,
                             "%s: one tag per token needs a many-to-many model; this model "
                             "is %s",
                             src, rnn_head_name(c->head));
    if (d->kind == IO_DATA_VALUES && c->head != RNN_HEAD_REGRESSION)
        return rnn_error_set(err, "%s: numeric targets need a regression model; this model is %s",
                             src, rnn_head_name(c->head));
    if (d->kind == IO_DATA_VALUES && d->records[0].num_values != c->num_labels)
        return rnn_error_set(err, "%s:%d: %d target value(s), the model has %d output(s)", src,
                             d->records[0].line, d->records[0].num_values, c->num_labels);
    if (d->has_tokens && c->vocab_size == 0)
        return rnn_error_set(err, "%s: the data has words but the model has no vocabulary", src);
    if (d->vector_width && d->vector_width != c->input_size)
        return rnn_error_set(err, "%s:%d: \"inputs\" vectors have %d numbers, the model reads %d",
                             src, d->records[0].line, d->vector_width, c->input_size);
    long total = 0;
    for (int i = 0; i < d->count; i++) total += d->records[i].steps;
    free(d->examples), free(d->ids), free(d->targets);
    d->examples = calloc((size_t)d->count, sizeof *d->examples);
    d->ids = malloc((size_t)total * sizeof *d->ids);
    d->targets = malloc((size_t)total * sizeof *d->targets);
    if (!d->examples || !d->ids || !d->targets) return rnn_error_set(err, "%s: out of memory", src);
    long pos = 0;
    for (int i = 0; i < d->count; i++) {
        const IoRecord *r = &d->records[i];
        RnnExample *ex = &d->examples[i];
        ex->steps = r->steps;
        ex->vectors = r->vectors;
        if (r->tokens) {
            for (int t = 0; t < r->steps; t++)
                d->ids[pos + t] = rnn_model_token_id(m, r->tokens[t]);
            ex->token_ids = d->ids + pos;
        }
        ex->values = r->values;
        int *tg = d->targets + pos;
        int n = r->values ? 0 : r->label ? 1 : r->steps;
        for (int t = 0; t < n; t++) {
            const char *name = r->label ? r->label : r->tags[t];
            if ((tg[t] = rnn_model_label_index(m, name)) < 0)
                return rnn_error_set(err, "%s:%d: %s \"%s\" is not one of the model's labels", src,
                                     r->line, r->label ? "label" : "tag", name);
        }
        ex->targets = tg;
        pos += r->steps;
    }
    return 0;
}
