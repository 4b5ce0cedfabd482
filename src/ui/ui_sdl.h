/* ui_sdl.h - the one place that talks to SDL: it draws a UiDrawList with SDL_Renderer and
 * SDL2_ttf, runs the window's event loop, and renders frames headless for screenshots. */
#ifndef RNNSCOPE_UI_SDL_H
#define RNNSCOPE_UI_SDL_H

#include "rnn.h"
#include "ui_view.h"

#include <SDL.h>
#include <SDL_ttf.h>

#define UI_TEXT_CACHE 1024

typedef struct UiTextEntry {
    char *text;
    UiFont font;
    UiColor color;
    SDL_Texture *texture;
    int w, h;
} UiTextEntry;

typedef struct UiRenderer {
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
    UiTextEntry cache[UI_TEXT_CACHE];
    int cached;
    UiTextMeasure measure;
} UiRenderer;

/* Opens the fonts (fontconfig's choice, or font_path) at the zoom's sizes. */
int ui_renderer_init(UiRenderer *r, SDL_Renderer *sdl, const char *font_path, double zoom,
                     RnnError *err);
int ui_renderer_set_zoom(UiRenderer *r, double zoom, RnnError *err);
void ui_renderer_free(UiRenderer *r);
void ui_renderer_draw(UiRenderer *r, const UiDrawList *list);

typedef struct UiAppOptions {
    const char *model_path;
    const char *text;
    int step; /* -1: the first word */
    int width, height;
    UiTheme theme;
    double zoom;
    const char *font_path;
    int fullscreen;
    int help;                                                         /* open with the help shown */
    int select_layer, select_direction, select_quantity, select_unit; /* keyboard selection */
    const char *lesson_path;                                          /* play this lesson */
    int lesson_step;            /* from this step (0 = its introduction) */
    int picker;                 /* open on the lesson picker */
    const char *lessons_root;   /* the folder holding en/ and ko/ */
    const char *lang;           /* "en" or "ko" */
    const char *const *compare; /* open side by side: these model files (up to 3) */
    int ncompare;
    int show_fresh;               /* compare: charts for fresh weights too */
    int show_params;              /* the parameter table (K) */
    const char *csv_path;         /* compare: write the charts' numbers here */
    struct UiTrainJob *watch_job; /* rnnscope train --watch: train this in the window */
    const char *watch_out;        /* where W writes it */
} UiAppOptions;

void ui_app_options_default(UiAppOptions *o);
/* Opens the model and sentence into view (keeping nothing on failure). */
int ui_app_prepare(UiView *view, const UiAppOptions *o, RnnError *err);
/* Draws the view into a surface with the software renderer: the same frame the window
 * shows, with no display needed. The caller frees the surface. */
SDL_Surface *ui_render_surface(UiView *view, const UiAppOptions *o, RnnError *err);
/* rnnscope screenshot: ui_render_surface, then a PNG written atomically. */
int ui_screenshot(const UiAppOptions *o, const char *png_path, RnnError *err);
/* The window: returns when the user quits. Messages that are not fatal go to warn. */
int ui_app_run(const UiAppOptions *o, RnnError *err);
/* The SDL event a training thread pushes to wake the window. */
Uint32 ui_train_event_type(void);
/* Maps an SDL key event to a view key (UI_KEY_NONE when it is not one). */
UiKey ui_key_from_sdl(const SDL_KeyboardEvent *key);
/* Feeds one SDL event to the view; returns 1 when it needs drawing again. */
int ui_handle_event(UiView *view, const SDL_Event *event);

#endif
