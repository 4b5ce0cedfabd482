/* plat_png.c - libpng into memory, then io_write_file_atomic. */
#include "plat_png.h"
#include "io.h"

#ifndef __EMSCRIPTEN__
#include <png.h>
#endif
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
/* The browser build has no libpng: an uncompressed PNG (zlib's stored blocks) is plenty for a
 * screenshot the page downloads, and needs no library. */
static unsigned long crc_table[256];

static unsigned long crc(const unsigned char *p, size_t n, unsigned long c) {
    if (!crc_table[1])
        for (unsigned long k = 0; k < 256; k++) {
            unsigned long v = k;
            for (int b = 0; b < 8; b++) v = v & 1 ? 0xEDB88320UL ^ (v >> 1) : v >> 1;
            crc_table[k] = v;
        }
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c;
}

static void put_u32(IoBuf *b, unsigned long v) {
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    io_buf_put(b, (const char *)x, 4);
}

/* One chunk: length, type, data, CRC of type and data. */
static void chunk(IoBuf *b, const char *type, const unsigned char *data, size_t n) {
    put_u32(b, (unsigned long)n);
    io_buf_put(b, type, 4);
    if (n) io_buf_put(b, (const char *)data, n);
    put_u32(b, crc(data, n, crc((const unsigned char *)type, 4, 0xFFFFFFFFUL)) ^ 0xFFFFFFFFUL);
}

int plat_png_write(const char *path, SDL_Surface *surface, RnnError *err) {
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(surface, SDL_PIXELFORMAT_RGB24, 0);
    if (!rgb) return rnn_error_set(err, "%s: cannot convert the image: %s", path, SDL_GetError());
    size_t row = (size_t)rgb->w * 3 + 1, raw_n = row * (size_t)rgb->h;
    unsigned char *raw = malloc(raw_n), *z = malloc(raw_n + raw_n / 65535 * 5 + 16);
    IoBuf b = {0};
    int rc = -1;
    if (!raw || !z) {
        rnn_error_set(err, "%s: out of memory", path);
        goto done;
    }
    for (int y = 0; y < rgb->h; y++) { /* filter type 0 (none), then the row */
        raw[(size_t)y * row] = 0;
        memcpy(raw + (size_t)y * row + 1, (unsigned char *)rgb->pixels + (size_t)y * rgb->pitch,
               row - 1);
    }
    size_t zn = 0;
    unsigned long a = 1, bsum = 0; /* Adler-32 of the raw data */
    z[zn++] = 0x78, z[zn++] = 0x01;
    for (size_t at = 0; at < raw_n || at == 0;) {
        size_t n = raw_n - at > 65535 ? 65535 : raw_n - at;
        z[zn++] = at + n == raw_n ? 1 : 0; /* last block? */
        z[zn++] = (unsigned char)n, z[zn++] = (unsigned char)(n >> 8);
        z[zn++] = (unsigned char)~n, z[zn++] = (unsigned char)(~n >> 8);
        memcpy(z + zn, raw + at, n);
        for (size_t i = 0; i < n; i++) a = (a + raw[at + i]) % 65521, bsum = (bsum + a) % 65521;
        zn += n, at += n;
        if (n == 0) break;
    }
    unsigned long adler = bsum << 16 | a;
    z[zn++] = (unsigned char)(adler >> 24), z[zn++] = (unsigned char)(adler >> 16);
    z[zn++] = (unsigned char)(adler >> 8), z[zn++] = (unsigned char)adler;
    unsigned char ihdr[13] = {(unsigned char)(rgb->w >> 24),
                              (unsigned char)(rgb->w >> 16),
                              (unsigned char)(rgb->w >> 8),
                              (unsigned char)rgb->w,
                              (unsigned char)(rgb->h >> 24),
                              (unsigned char)(rgb->h >> 16),
                              (unsigned char)(rgb->h >> 8),
                              (unsigned char)rgb->h,
                              8,
                              2,
                              0,
                              0,
                              0}; /* 8-bit RGB, no interlace */
    io_buf_put(&b, "\x89PNG\r\n\x1a\n", 8);
    chunk(&b, "IHDR", ihdr, sizeof ihdr);
    chunk(&b, "IDAT", z, zn);
    chunk(&b, "IEND", NULL, 0);
    rc = b.failed ? rnn_error_set(err, "%s: out of memory", path)
                  : io_write_file_atomic(path, b.data, b.len, err);
done:
    free(raw), free(z);
    io_buf_free(&b);
    SDL_FreeSurface(rgb);
    return rc;
}
#else
static void append(png_structp png, png_bytep data, png_size_t n) {
    io_buf_put(png_get_io_ptr(png), (const char *)data, n);
}

static void no_flush(png_structp png) {
    (void)png;
}

int plat_png_write(const char *path, SDL_Surface *surface, RnnError *err) {
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(surface, SDL_PIXELFORMAT_RGB24, 0);
    if (!rgb) return rnn_error_set(err, "%s: cannot convert the image: %s", path, SDL_GetError());
    IoBuf buf = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *rows = malloc((size_t)rgb->h * sizeof *rows);
    volatile int rc = -1; /* survives png's longjmp */
    if (!png || !info || !rows) {
        rnn_error_set(err, "%s: out of memory", path);
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) {
        rnn_error_set(err, "%s: PNG encoding failed", path);
        goto done;
    }
    png_set_write_fn(png, &buf, append, no_flush);
    png_set_IHDR(png, info, (png_uint_32)rgb->w, (png_uint_32)rgb->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    for (int y = 0; y < rgb->h; y++) rows[y] = (png_bytep)rgb->pixels + (size_t)y * rgb->pitch;
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    if (buf.failed)
        rnn_error_set(err, "%s: out of memory", path);
    else
        rc = io_write_file_atomic(path, buf.data, buf.len, err);
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(rows);
    io_buf_free(&buf);
    SDL_FreeSurface(rgb);
    return rc;
}
#endif
