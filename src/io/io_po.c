/* io_po.c - a small reader for gettext PO catalogues (io_po.h). */
#define _POSIX_C_SOURCE 200809L
#include "io_po.h"

#include <stdlib.h>
#include <string.h>

/* A growing string. */
typedef struct Str {
    char *s;
    size_t len, cap;
} Str;

static int str_put(Str *b, char c) {
    if (b->len + 2 > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        char *s = realloc(b->s, cap);
        if (!s) return -1;
        b->s = s, b->cap = cap;
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
    return 0;
}

/* Appends the C string literal at *p (after optional blanks) to b; *p moves past it. */
static int literal(const char **p, const char *end, Str *b, const char **why) {
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    if (s >= end || *s != '"') return *why = "expected a string in double quotes", -1;
    for (s++; s < end && *s != '"'; s++) {
        char c = *s;
        if (c == '\n') return *why = "a string runs past the end of its line", -1;
        if (c == '\\') {
            if (++s >= end) break;
            switch (*s) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case '"':
                c = '"';
                break;
            case '\\':
                c = '\\';
                break;
            default:
                return *why = "an unknown escape (only \\n \\t \\\" \\\\)", -1;
            }
        }
        if (str_put(b, c)) return *why = "out of memory", -1;
    }
    if (s >= end) return *why = "a string is not closed", -1;
    *p = s + 1;
    if (!b->s && !(b->s = calloc(1, 1))) return *why = "out of memory", -1; /* "" */
    return 0;
}

/* The line [s, stop) starts with word (the input need not end with a NUL). */
static int starts(const char *s, const char *stop, const char *word) {
    size_t n = strlen(word);
    return (size_t)(stop - s) >= n && !memcmp(s, word, n);
}

static int by_msgid(const void *a, const void *b) {
    return strcmp(((const IoPoEntry *)a)->msgid, ((const IoPoEntry *)b)->msgid);
}

void io_po_free(IoPo *po) {
    for (int i = 0; i < po->count; i++) free(po->entries[i].msgid), free(po->entries[i].msgstr);
    free(po->entries);
    memset(po, 0, sizeof *po);
}

int io_po_parse(const char *text, size_t len, const char *name, IoPo *out, RnnError *err) {
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len, *why = NULL;
    int line = 0, cap = 0, state = 0; /* 0: between entries, 1: in msgid, 2: in msgstr */
    Str id = {0}, str = {0};
    int id_line = 0;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *s = p;
        while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
        const char *stop = eol;
        while (stop > s && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r')) stop--;
        Str *into = NULL;
        if (s == stop || *s == '#') {
            /* a blank line or a comment */
        } else if (starts(s, stop, "msgctxt")) {
            why = "msgctxt is not used by rnnscope's catalogues";
        } else if (starts(s, stop, "msgid_plural") || starts(s, stop, "msgstr[")) {
            why = "plural forms are not used by rnnscope's catalogues";
        } else if (starts(s, stop, "msgid ") || starts(s, stop, "msgid\t") ||
                   starts(s, stop, "msgid\"")) {
            if (state == 1) why = "a msgid without its msgstr";
            s += 5, state = 1, into = &id, id_line = line;
            free(id.s), id = (Str){0};
        } else if (starts(s, stop, "msgstr ") || starts(s, stop, "msgstr\t") ||
                   starts(s, stop, "msgstr\"")) {
            if (state != 1) why = "a msgstr without a msgid";
            s += 6, state = 2, into = &str;
            free(str.s), str = (Str){0};
        } else if (*s == '"') {
            if (!state) why = "a string outside an entry";
            into = state == 1 ? &id : &str;
        } else {
            why = "expected msgid, msgstr, a string, a comment or a blank line";
        }
        if (!why && into) {
            const char *q = s;
            if (!literal(&q, stop, into, &why) && q != stop) why = "text after the closing quote";
        }
        if (why) break;
        /* an entry ends where the next begins, at a blank line or at the end */
        const char *next = eol < end ? eol + 1 : end;
        int ends = state == 2 && (next >= end || *next == '\n' || *next == '#' ||
                                  starts(next, end, "msgid") || *next == '\r');
        if (ends) {
            for (int i = 0; i < out->count && !why; i++)
                if (!strcmp(out->entries[i].msgid, id.s)) why = "this msgid was given before";
            if (why) {
                line = id_line;
                break;
            }
            if (out->count == cap) {
                cap = cap ? 2 * cap : 256;
                IoPoEntry *grown = realloc(out->entries, (size_t)cap * sizeof *grown);
                if (!grown) {
                    why = "out of memory";
                    break;
                }
                out->entries = grown;
            }
            out->entries[out->count++] = (IoPoEntry){id.s, str.s, id_line};
            id = (Str){0}, str = (Str){0};
            state = 0;
        }
        p = next;
    }
    if (!why && state == 1) why = "a msgid without its msgstr", line = id_line;
    free(id.s), free(str.s);
    if (why) {
        io_po_free(out);
        return rnn_error_set(err, "%s:%d: %s", name, line, why);
    }
    if (out->count) qsort(out->entries, (size_t)out->count, sizeof *out->entries, by_msgid);
    return 0;
}

const IoPoEntry *io_po_find(const IoPo *po, const char *msgid) {
    IoPoEntry key = {(char *)msgid, NULL, 0};
    return po->count ? bsearch(&key, po->entries, (size_t)po->count, sizeof key, by_msgid) : NULL;
}
