/* plat_png.h - PNG files from SDL surfaces, written atomically. */
#ifndef RNNSCOPE_PLAT_PNG_H
#define RNNSCOPE_PLAT_PNG_H

#include "rnn.h"

#include <SDL.h>

/* Writes the surface as an 8-bit RGB PNG through a temporary file and a rename, so a failed
 * write leaves an earlier file at path untouched. */
int plat_png_write(const char *path, SDL_Surface *surface, RnnError *err);

#endif
