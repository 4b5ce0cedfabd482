/* plat_font.h - finding a font that covers Latin and Hangul, through fontconfig. */
#ifndef RNNSCOPE_PLAT_FONT_H
#define RNNSCOPE_PLAT_FONT_H

#include "rnn.h"

#include <SDL_ttf.h>

/* The path of a font file for sans-serif text that covers Hangul (checked glyph by glyph
 * with SDL2_ttf, not by a lit pixel), or failing that any sans-serif font. *hangul tells
 * which. override (e.g. --font PATH) is used as it is when not NULL. Returns a malloc'd
 * path or NULL with err set. TTF_Init must have been called. */
char *plat_font_find(const char *override, int *hangul, RnnError *err);

/* Whether the font has a real glyph for every code point of a UTF-8 string. */
int plat_font_covers(TTF_Font *font, const char *utf8);

#endif
