/* plat_png.c - libpng into memory, then io_write_file_atomic. */
#include "plat_png.h"
#include "io.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>

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
