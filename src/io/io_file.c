/* io_file.c - whole-file reads, atomic writes, JSON parsing with positioned errors and exact
 * number formatting. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int io_read_file(const char *path, size_t max_bytes, char **data, size_t *len, RnnError *err) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return rnn_error_set(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return rnn_error_set(err, "%s: is a directory, not a file", path);
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (cap >= max_bytes) {
            free(buf);
            fclose(f);
            return rnn_error_set(err, "%s: larger than the %zu MiB limit", path, max_bytes >> 20);
        }
        cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
        char *grown = realloc(buf, cap + 1);
        if (!grown) free(buf);
        buf = grown;
    }
    int read_error = ferror(f);
    fclose(f);
    if (!buf) return rnn_error_set(err, "%s: out of memory while reading", path);
    if (read_error) {
        free(buf);
        return rnn_error_set(err, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int io_write_file_atomic(const char *path, const char *data, size_t len, RnnError *err) {
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return rnn_error_set(err, "%s: out of memory", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rnn_error_set(err, "%s: cannot create a temporary file beside it: %s", path,
                      strerror(errno));
        free(tmp);
        return -1;
    }
    /* Keep the mode of the file we replace; a new file gets rw-r--r--. */
    struct stat st;
    fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644);
    const char *what = NULL;
    int saved = 0;
    for (size_t done = 0; done < len && !what;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            what = "cannot write", saved = errno ? errno : EIO;
        else
            done += (size_t)w;
    }
    if (!what && fsync(fd) != 0) what = "cannot flush to disk", saved = errno;
    if (close(fd) != 0 && !what) what = "cannot close", saved = errno;
    if (!what && rename(tmp, path) != 0) what = "cannot replace", saved = errno;
    if (what) {
        unlink(tmp);
        rnn_error_set(err, "%s: %s: %s (the previous file, if any, is unchanged)", path, what,
                      strerror(saved));
    }
    free(tmp);
    return what ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

/* Line (counted from first_line) and column (1-based) of byte offset pos in text. */
static void line_col(const char *text, size_t pos, int first_line, int *line, int *col) {
    *line = first_line, *col = 1;
    for (size_t i = 0; i < pos && text[i]; i++) {
        if (text[i] == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

/* True when text stops inside a string or with brackets still open: a cut-off file. */
static int ends_early(const char *text, size_t len) {
    long depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = 0;
        } else if (ch == '"') {
            in_string = 1;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return in_string || depth > 0;
}

cJSON *io_json_parse(const char *text, size_t len, const char *src, int first_line,
                     const char *expected, RnnError *err) {
    int line, col;
    for (size_t i = 0; i < len;) { /* JSON is UTF-8 (RFC 8259): say where it is not */
        unsigned cp;
        int k = rnn_utf8_decode((const unsigned char *)text + i, len - i, &cp);
        if (k == 0) {
            line_col(text, i, first_line, &line, &col);
            rnn_error_set(err, "%s:%d:%d: not valid UTF-8", src, line, col);
            return NULL;
        }
        i += (size_t)k;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root) return root;
    if (len == 0) {
        rnn_error_set(err, "%s: empty file, expected %s", src, expected);
    } else if (ends_early(text, len)) {
        line_col(text, len, first_line, &line, &col);
        rnn_error_set(err, "%s:%d:%d: not valid JSON: the file ends too early (truncated?)", src,
                      line, col);
    } else {
        line_col(text, end ? (size_t)(end - text) : 0, first_line, &line, &col);
        rnn_error_set(err, "%s:%d:%d: not valid JSON", src, line, col);
    }
    return NULL;
}

/* ---- numbers and text ------------------------------------------------------------------------ */

void io_format_double(double x, char *buf, size_t size) {
    /* The shortest of 15, 16, 17 significant digits that reads back exactly. */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) return;
    }
}

/* ---- IoBuf -------------------------------------------------------------------------------- */

void io_buf_free(IoBuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int reserve(IoBuf *b, size_t extra) {
    if (b->failed) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = 1;
        return 0;
    }
    b->data = grown;
    b->cap = cap;
    return 1;
}

void io_buf_put(IoBuf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void io_buf_puts(IoBuf *b, const char *s) {
    io_buf_put(b, s, strlen(s));
}

void io_buf_printf(IoBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void io_buf_json_string(IoBuf *b, const char *s) {
    io_buf_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            io_buf_put(b, esc, 2);
        } else if (*p == '\n') {
            io_buf_puts(b, "\\n");
        } else if (*p == '\t') {
            io_buf_puts(b, "\\t");
        } else if (*p < 0x20) {
            io_buf_printf(b, "\\u%04x", *p);
        } else {
            io_buf_put(b, (const char *)p, 1);
        }
    }
    io_buf_put(b, "\"", 1);
}

void io_buf_double(IoBuf *b, double x) {
    if (!isfinite(x)) {
        io_buf_puts(b, "null");
        return;
    }
    char text[40];
    io_format_double(x, text, sizeof text);
    io_buf_puts(b, text);
}

void io_buf_double_array(IoBuf *b, const double *x, size_t n) {
    io_buf_put(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) io_buf_put(b, ", ", 2);
        io_buf_double(b, x[i]);
    }
    io_buf_put(b, "]", 1);
}
