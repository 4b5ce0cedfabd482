/* plat_sdl.h - the desktop platform: SDL2 and SDL2_ttf. It draws a UiDrawList with
 * SDL_Renderer, runs the window's event loop around a UiScreen, and renders frames off
 * screen for screenshots and plots. The only code that talks to SDL (with plat_font.c,
 * plat_png.c and plat_jobs.c beside it). */
#ifndef RNNSCOPE_PLAT_SDL_H
#define RNNSCOPE_PLAT_SDL_H

#include "plat.h"

#include <SDL.h>
#include <SDL_ttf.h>

#define PLAT_TEXT_CACHE 1024

typedef struct PlatTextEntry {
    char *text;
    UiFont font;
    UiColor color;
    SDL_Texture *texture;
    int w, h;
} PlatTextEntry;

typedef struct PlatRenderer {
    SDL_Renderer *sdl;
    TTF_Font *fonts[UI_FONT_COUNT];     /* regular */
    TTF_Font *styled[UI_FONT_COUNT][4]; /* [size][bold | italic << 1], opened when first used:
                                           one font per style, since changing a font's style
                                           empties SDL2_ttf's glyph cache */
    char *font_path;
    char *font_data; /* the font file, read once: glyphs then load from memory, not disk */
    size_t font_bytes;
    double zoom;
    int hangul; /* the font has Hangul glyphs */
    PlatTextEntry cache[PLAT_TEXT_CACHE];
    int cached;
    UiTextMeasure measure;
} PlatRenderer;

/* Opens the fonts (fontconfig's choice, or font_path) at the zoom's sizes. */
int plat_renderer_init(PlatRenderer *r, SDL_Renderer *sdl, const char *font_path, double zoom,
                       RnnError *err);
int plat_renderer_set_zoom(PlatRenderer *r, double zoom, RnnError *err);
void plat_renderer_free(PlatRenderer *r);
void plat_renderer_draw(PlatRenderer *r, const UiDrawList *list);

/* Draws the screen into a surface with the software renderer: the same frame the window
 * shows, with no display needed. The caller frees the surface. */
SDL_Surface *plat_render_surface(UiScreen *screen, const UiScreenOptions *o, RnnError *err);
/* The SDL event a training thread pushes to wake the window. */
Uint32 plat_wake_event_type(void);
/* Maps an SDL key event to a screen key (UI_KEY_NONE when it is not one). */
UiKey plat_key_from_sdl(const SDL_KeyboardEvent *key);
/* Feeds one SDL event to the screen; returns 1 when it needs drawing again. */
int plat_handle_event(UiScreen *screen, const SDL_Event *event);

#endif
