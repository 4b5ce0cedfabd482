/* plat_font.c - font discovery with fontconfig, verified with SDL2_ttf; in the browser, the
 * font the page bundles. */
#define _POSIX_C_SOURCE 200809L
#include "plat_font.h"

#ifndef __EMSCRIPTEN__
#include <fontconfig/fontconfig.h>
#endif
#include <stdlib.h>
#include <string.h>

int plat_font_covers(TTF_Font *font, const char *utf8) {
    size_t len = strlen(utf8);
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int k = rnn_utf8_decode((const unsigned char *)utf8 + i, len - i, &cp);
        if (!k) return 0;
        if (cp > ' ' && !TTF_GlyphIsProvided32(font, cp)) return 0;
        i += (size_t)k;
    }
    return 1;
}

#ifndef __EMSCRIPTEN__
/* The best match fontconfig gives for a pattern such as "sans-serif:lang=ko". */
static char *match(const char *pattern_text) {
    FcPattern *pattern = FcNameParse((const FcChar8 *)pattern_text);
    if (!pattern) return NULL;
    FcConfigSubstitute(NULL, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result;
    FcPattern *font = FcFontMatch(NULL, pattern, &result);
    char *path = NULL;
    FcChar8 *file;
    if (font && FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch)
        path = strdup((const char *)file);
    if (font) FcPatternDestroy(font);
    FcPatternDestroy(pattern);
    return path;
}

#endif

static int has_hangul(const char *path) {
    TTF_Font *f = TTF_OpenFont(path, 16);
    if (!f) return -1; /* not a font SDL2_ttf can read */
    int ok = plat_font_covers(f, "한글 Aa");
    TTF_CloseFont(f);
    return ok;
}

char *plat_font_find(const char *override, int *hangul, RnnError *err) {
    if (override) {
        int h = has_hangul(override);
        if (h < 0) {
            rnn_error_set(err, "%s: not a font file SDL2_ttf can open: %s", override,
                          TTF_GetError());
            return NULL;
        }
        *hangul = h;
        return strdup(override);
    }
#ifdef __EMSCRIPTEN__
    static const char bundled[] = "/assets/fonts/rnnscope-ui.ttf"; /* tools/build-web.sh */
    int h = has_hangul(bundled);
    if (h < 0) {
        rnn_error_set(err, "%s: the bundled font is missing: %s", bundled, TTF_GetError());
        return NULL;
    }
    *hangul = h;
    return strdup(bundled);
#else
    if (!FcInit()) {
        rnn_error_set(err, "fontconfig could not start");
        return NULL;
    }
    static const char *const patterns[] = {"NanumGothic:lang=ko", "sans-serif:lang=ko",
                                           "sans-serif"};
    char *fallback = NULL;
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        char *path = match(patterns[i]);
        if (!path) continue;
        int h = has_hangul(path);
        if (h == 1) {
            free(fallback);
            *hangul = 1;
            return path;
        }
        if (h == 0 && !fallback)
            fallback = path;
        else
            free(path);
    }
    if (!fallback)
        rnn_error_set(err, "no usable font found through fontconfig (install "
                           "fonts-nanum, or give --font PATH)");
    *hangul = 0;
    return fallback;
#endif
}
