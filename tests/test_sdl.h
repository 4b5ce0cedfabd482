/* test_sdl.h - the fixture of the tests that drive the app without a display: SDL with its
 * dummy video driver, for the event queue and software rendering. */
#ifndef RNNSCOPE_TEST_SDL_H
#define RNNSCOPE_TEST_SDL_H

#include "test_util.h"
#include "ui_sdl.h"

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

#endif
