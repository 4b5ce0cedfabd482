/* plat_window.h - the window's parts, shared by the desktop loop (plat_sdl.c) and the
 * browser's (plat_web.c): internal to the platform layer. */
#ifndef RNNSCOPE_PLAT_WINDOW_H
#define RNNSCOPE_PLAT_WINDOW_H

#include "plat_jobs.h"
#include "plat_sdl.h"

/* Everything an open window holds. The loop is split into steps a browser's main loop can
 * call one frame at a time: plat_window_draw when something changed, plat_window_event for each
 * event. */
typedef struct PlatWindow {
    UiScreenOptions o; /* a copy: a browser's loop outlives the caller's stack */
    PlatJobs *jobs;
    UiJobRunner runner;
    void (*wrote)(void *ctx, const char *path); /* set before plat_window_open, or NULL */
    void *wrote_ctx;
    UiScreen screen;
    SDL_Window *win;
    SDL_Renderer *sdl;
    PlatRenderer r;
    int have_renderer;
    UiDrawList list;
    int dirty;
    Uint32 pointer_moved; /* SDL_GetTicks() of the last mouse movement */
    int pointer_hidden;   /* hidden after PLAT_POINTER_IDLE_MS still, in full screen */
} PlatWindow;

#define PLAT_POINTER_IDLE_MS 3000 /* a presenter's pointer goes away after this, full screen */

/* Opens SDL, the screen the options describe, the window and its fonts; on failure
 * plat_window_close still cleans up. */
int plat_window_open(PlatWindow *w, const UiScreenOptions *o, RnnError *err);
/* Lays out and draws the screen when something changed (w->dirty). */
int plat_window_draw(PlatWindow *w, RnnError *err);
/* One event: the window's own keys (Ctrl+S, Ctrl+G, Ctrl+O, F11), wake-ups, or the screen's. */
void plat_window_event(PlatWindow *w, SDL_Event *e);
void plat_window_close(PlatWindow *w);
/* Saves what the window shows as a PNG named for the time, in the current directory. */
void plat_window_save_screenshot(PlatWindow *w);
/* Ctrl+G: records every time step of the sentence on screen (plat_record, from the model
 * files, at the window's size) as a GIF named for the model and the time, in the current
 * directory; the banner names it. In a browser: says it cannot. */
void plat_window_record(PlatWindow *w);

#endif
