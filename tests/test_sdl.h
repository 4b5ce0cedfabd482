/* test_sdl.h - the fixture of the tests that drive the app without a display: SDL with its
 * dummy video driver, for the event queue and software rendering. */
#ifndef RNNSCOPE_TEST_SDL_H
#define RNNSCOPE_TEST_SDL_H

#include "test_util.h"
#include "plat_sdl.h"

static int sdl_setup(void **state) {
    (void)state;
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    return SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) == 0 ? 0 : -1;
}

static int sdl_teardown(void **state) {
    (void)state;
    TTF_Quit();
    SDL_Quit();
    return 0;
}

/* A real renderer drawing into a surface (SDL's software renderer): text measures, and
 * frames drawn as the window would. */
typedef struct Offscreen {
    SDL_Surface *surface;
    SDL_Renderer *sdl;
    PlatRenderer r;
    UiDrawList list;
} Offscreen;

static inline void offscreen_open(Offscreen *o, int width, int height) {
    RnnError err;
    memset(o, 0, sizeof *o);
    o->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(o->surface);
    o->sdl = SDL_CreateSoftwareRenderer(o->surface);
    assert_non_null(o->sdl);
    if (plat_renderer_init(&o->r, o->sdl, NULL, 1.0, &err)) fail_msg("%s", err.message);
    o->list.measure = &o->r.measure;
}

static inline void offscreen_close(Offscreen *o) {
    ui_draw_free(&o->list);
    plat_renderer_free(&o->r);
    SDL_DestroyRenderer(o->sdl);
    SDL_FreeSurface(o->surface);
}

#endif
