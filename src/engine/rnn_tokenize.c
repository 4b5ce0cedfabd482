/* rnn_tokenize.c - a UTF-8 aware word tokenizer for Korean and English sentences. */
#define _POSIX_C_SOURCE 200809L
#include "rnn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rnn_utf8_decode(const unsigned char *s, size_t len, unsigned *codepoint) {
    if (len == 0) return 0;
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80) {
        *codepoint = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0; /* a continuation byte or 0xF8..0xFF cannot start a character */
    }
    if ((size_t)n > len) return 0;
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[k] & 0x3F);
    }
    /* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8. */
    if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
    *codepoint = c;
    return n;
}

static int is_space(unsigned c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c < 0x20 || c == 0x7F || c == 0x85 ||
           c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static int is_ascii_punct(unsigned c) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

/* One pass over the sentence. With out == NULL it only validates and counts tokens and the
 * bytes their text needs; otherwise it fills out's arrays (sized by the counting pass). */
static int scan(const char *utf8, RnnTokens *out, int *count, size_t *bytes, RnnError *err) {
    const unsigned char *s = (const unsigned char *)utf8;
    size_t len = strlen(utf8), i = 0, used = 0;
    int n = 0, in_word = 0;
    char *buf = out ? (char *)(out->length + out->count) : NULL;
    while (i < len) {
        unsigned cp;
        int k = rnn_utf8_decode(s + i, len - i, &cp);
        if (k == 0) return rnn_error_set(err, "invalid UTF-8 at byte %zu", i);
        int punct = is_ascii_punct(cp);
        if (is_space(cp) || punct) {
            if (in_word) used++; /* close the word: its NUL */
            in_word = 0;
            if (punct) {
                if (out) {
                    out->text[n] = buf + used, out->offset[n] = (int)i, out->length[n] = 1;
                    buf[used] = (char)cp, buf[used + 1] = '\0';
                }
                n++, used += 2;
            }
        } else {
            if (!in_word) {
                if (out) out->text[n] = buf + used, out->offset[n] = (int)i, out->length[n] = 0;
                n++, in_word = 1;
            }
            if (out) {
                for (int b = 0; b < k; b++) {
                    unsigned char ch = s[i + b];
                    buf[used + b] = (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
                }
                buf[used + k] = '\0';
                out->length[n - 1] += k;
            }
            used += (size_t)k;
        }
        i += (size_t)k;
    }
    if (in_word) used++;
    *count = n;
    *bytes = used;
    return 0;
}

int rnn_tokenize(const char *utf8, RnnTokens *out, RnnError *err) {
    memset(out, 0, sizeof *out);
    if (strlen(utf8) > INT32_MAX / 4) return rnn_error_set(err, "sentence too long");
    int count;
    size_t bytes;
    if (scan(utf8, NULL, &count, &bytes, err)) return -1;
    /* One block: text pointers, offsets, lengths, then the token characters. */
    size_t n = (size_t)count;
    char *block = malloc(n * (sizeof(char *) + 2 * sizeof(int)) + bytes + 1);
    if (!block) return rnn_error_set(err, "out of memory while tokenizing");
    out->count = count;
    out->text = (char **)block;
    out->offset = (int *)(out->text + n);
    out->length = out->offset + n;
    return scan(utf8, out, &count, &bytes, err);
}

void rnn_tokens_free(RnnTokens *tokens) {
    free(tokens->text);
    memset(tokens, 0, sizeof *tokens);
}

int rnn_utf8_valid(const char *s, size_t len, size_t *bad) {
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int k = rnn_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (k == 0) {
            if (bad) *bad = i;
            return 0;
        }
        i += (size_t)k;
    }
    return 1;
}

int rnn_ids_parse(const char *text, int **ids, int *count, RnnError *err) {
    *ids = NULL;
    *count = 0;
    int n = 0, cap = 0;
    int *list = NULL;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n') p++;
        if (!*p) break;
        if (*p < '0' || *p > '9') {
            free(list);
            return rnn_error_set(err, "token ids: expected a whole number at \"%.20s\"", p);
        }
        long v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            if (v > RNN_MAX_VOCAB) {
                free(list);
                return rnn_error_set(err, "token ids: %ld... is larger than any vocabulary", v);
            }
        }
        if (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\n') {
            free(list);
            return rnn_error_set(err, "token ids: expected a comma after %ld, got \"%.20s\"", v, p);
        }
        if (n == cap) {
            if (cap >= RNN_MAX_IDS) {
                free(list);
                return rnn_error_set(err, "token ids: more than %d", RNN_MAX_IDS);
            }
            cap = cap ? 2 * cap : 16;
            int *grown = realloc(list, (size_t)cap * sizeof *grown);
            if (!grown) {
                free(list);
                return rnn_error_set(err, "out of memory");
            }
            list = grown;
        }
        list[n++] = (int)v;
    }
    if (n == 0) {
        free(list);
        return rnn_error_set(err, "token ids: none given");
    }
    *ids = list;
    *count = n;
    return 0;
}

/* Tokens in rnn_tokenize's one-block layout from n pieces: piece k is len[k] bytes at
 * src[k] (NUL-terminated copies are made), at offset off[k] of the text. */
static int tokens_from(const char *const *src, const int *len, const int *off, int n,
                       RnnTokens *out, RnnError *err) {
    memset(out, 0, sizeof *out);
    size_t bytes = 0;
    for (int k = 0; k < n; k++) bytes += (size_t)len[k] + 1;
    char *block = malloc((size_t)n * (sizeof(char *) + 2 * sizeof(int)) + bytes + 1);
    if (!block) return rnn_error_set(err, "out of memory while tokenizing");
    out->count = n;
    out->text = (char **)block;
    out->offset = (int *)(out->text + n);
    out->length = out->offset + n;
    char *chars = (char *)(out->length + n);
    for (int k = 0; k < n; k++) {
        memcpy(chars, src[k], (size_t)len[k]);
        chars[len[k]] = '\0';
        out->text[k] = chars;
        out->offset[k] = off ? off[k] : 0;
        out->length[k] = len[k];
        chars += len[k] + 1;
    }
    return 0;
}

int rnn_ids_tokens(const RnnModel *m, const int *ids, int count, RnnTokens *out, RnnError *err) {
    const char **src = malloc((size_t)count * sizeof *src);
    int *len = malloc((size_t)count * sizeof *len);
    char(*names)[24] = malloc((size_t)count * sizeof *names);
    int rc = -1;
    if (src && len && names) {
        for (int t = 0; t < count; t++) {
            int id = ids ? ids[t] : -1;
            const char *word = id >= 0 && id < m->config.vocab_size ? m->vocab[id] : "";
            if (!word[0]) {
                if (!ids)
                    snprintf(names[t], sizeof names[t], "x%d", t);
                else
                    snprintf(names[t], sizeof names[t], id == 0 ? "<pad>" : "#%d", id);
                word = names[t];
            }
            src[t] = word;
            len[t] = (int)strlen(word);
        }
        rc = tokens_from(src, len, NULL, count, out, err);
    } else {
        rnn_error_set(err, "out of memory");
    }
    free(src), free(len), free(names);
    return rc;
}

int rnn_tokenize_keras(const char *text, const RnnTextRule *rule, RnnTokens *out, RnnError *err) {
    /* Keras's text_to_word_sequence: lowercase (ASCII here: Hangul has no case), every filter
     * character becomes the split character, split on it, drop the empty pieces */
    memset(out, 0, sizeof *out);
    size_t n = strlen(text);
    if (n > INT32_MAX / 4) return rnn_error_set(err, "sentence too long");
    size_t bad;
    if (!rnn_utf8_valid(text, n, &bad)) return rnn_error_set(err, "invalid UTF-8 at byte %zu", bad);
    char *work = malloc(n + 1);
    const char **src = malloc((n / 2 + 1) * sizeof *src);
    int *len = malloc((n / 2 + 1) * sizeof *len), *off = malloc((n / 2 + 1) * sizeof *off);
    int rc = -1;
    if (work && src && len && off) {
        char split = rule->split ? rule->split : ' ';
        for (size_t i = 0; i <= n; i++) {
            char ch = text[i];
            if (rule->lower && ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
            if (ch && strchr(rule->filters, ch)) ch = split;
            work[i] = ch;
        }
        int count = 0;
        for (size_t i = 0; i < n;) {
            if (work[i] == split) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && work[j] != split) j++;
            src[count] = work + i, len[count] = (int)(j - i), off[count] = (int)i;
            count++;
            i = j;
        }
        rc = tokens_from(src, len, off, count, out, err);
    } else {
        rnn_error_set(err, "out of memory");
    }
    free(work), free(src), free(len), free(off);
    return rc;
}
