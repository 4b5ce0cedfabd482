/* test_png.h - PNG files read back in tests (libpng's simplified API): what a screenshot or
 * a recording wrote, as RGBA bytes. */
#ifndef RNNSCOPE_TEST_PNG_H
#define RNNSCOPE_TEST_PNG_H

#include "test_util.h"

#include <png.h>

/* Decodes a PNG into RGBA bytes (malloc'd), failing the test if it cannot. */
static inline unsigned char *read_png(const char *path, int *width, int *height) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) fail_msg("%s: %s", path, image.message);
    image.format = PNG_FORMAT_RGBA;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    assert_non_null(pixels);
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL))
        fail_msg("%s: %s", path, image.message);
    *width = (int)image.width, *height = (int)image.height;
    return pixels;
}

#endif
