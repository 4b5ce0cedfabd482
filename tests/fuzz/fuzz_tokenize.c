/* fuzz_tokenize.c - libFuzzer target for the tokenizer (rnn_tokenize) and the UTF-8 decoder
 * (rnn_utf8_decode) beneath it.
 *
 * The input, copied and NUL-terminated, is one sentence (up to its first NUL byte). Checked:
 *   - rnn_utf8_decode returns 0 or a length within the bytes it was given, and a code point
 *     that is a scalar value (<= U+10FFFF, no surrogate) in its shortest form;
 *   - rnn_tokenize succeeds exactly when the decoder accepts the whole sentence;
 *   - every token is non-empty, its offsets increase and stay inside the sentence, and its
 *     text is the sentence's bytes there with ASCII letters lowercased. */
#define _POSIX_C_SOURCE 200809L
#include "rnn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes of the shortest UTF-8 form of a code point. */
static int utf8_length(unsigned cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Decodes s[0..len) from every starting byte; returns 1 when it is valid UTF-8 throughout. */
static int check_decoder(const unsigned char *s, size_t len) {
    for (size_t i = 0; i < len; i++) { /* every start, also mid-character */
        unsigned cp = 0xFFFFFFFFu;
        int k = rnn_utf8_decode(s + i, len - i, &cp);
        if (k < 0 || k > 4 || (size_t)k > len - i) __builtin_trap();
        if (k == 0) continue;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) __builtin_trap();
        if (utf8_length(cp) != k) __builtin_trap(); /* overlong or miscounted */
        if (k == 1 && s[i] != cp) __builtin_trap();
    }
    unsigned cp;
    if (rnn_utf8_decode(s, 0, &cp) != 0) __builtin_trap();
    size_t i = 0;
    while (i < len) {
        int k = rnn_utf8_decode(s + i, len - i, &cp);
        if (k == 0) return 0;
        i += (size_t)k;
    }
    return 1;
}

static unsigned char lower(unsigned char ch) {
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + ('a' - 'A')) : ch;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    (void)check_decoder(data, size); /* the whole input, NUL bytes and all */
    int valid = check_decoder((const unsigned char *)text, len);

    RnnTokens tk;
    RnnError err;
    int rc = rnn_tokenize(text, &tk, &err);
    if ((rc == 0) != valid) __builtin_trap();
    if (rc == 0) {
        if (tk.count < 0 || (size_t)tk.count > len) __builtin_trap();
        long end = 0; /* where the previous token ended */
        for (int i = 0; i < tk.count; i++) {
            int off = tk.offset[i], n = tk.length[i];
            if (n < 1 || !tk.text[i] || !tk.text[i][0]) __builtin_trap();
            if (off < end || (size_t)off + (size_t)n > len) __builtin_trap();
            if (strlen(tk.text[i]) != (size_t)n) __builtin_trap();
            for (int b = 0; b < n; b++)
                if ((unsigned char)tk.text[i][b] != lower((unsigned char)text[off + b]))
                    __builtin_trap();
            end = (long)off + n;
        }
    } else if (tk.count != 0 || tk.text != NULL) {
        __builtin_trap();
    }
    rnn_tokens_free(&tk);
    free(text);
    return 0;
}
