/* Smoke test for the web build's libraries: SDL2's software renderer on a 640x400 canvas,
 * SDL2_ttf and freetype drawing Latin and Hangul text in NanumGothic, and a coloured
 * rectangle. Prints "smoke: first frame" once the first frame is on the canvas.
 * Built by tools/build-web-deps.sh --smoke; the font is preloaded at /NanumGothic.ttf. */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#define SMOKE_W 640
#define SMOKE_H 400

static SDL_Renderer *renderer;
static SDL_Texture *label;
static int label_w, label_h;
static int frames;

static void frame(void) {
    SDL_SetRenderDrawColor(renderer, 24, 26, 38, 255);
    SDL_RenderClear(renderer);
    SDL_Rect bar = {40, 220, 560, 120};
    SDL_SetRenderDrawColor(renderer, 236, 124, 38, 255);
    SDL_RenderFillRect(renderer, &bar);
    SDL_Rect text = {40, 100, label_w, label_h};
    SDL_RenderCopy(renderer, label, NULL, &text);
    SDL_RenderPresent(renderer);
    if (frames++ == 0) {
        printf("smoke: first frame\n");
        fflush(stdout);
    }
}

int main(void) {
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "smoke: init failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_Window *window = SDL_CreateWindow("rnnscope smoke", SDL_WINDOWPOS_UNDEFINED,
                                          SDL_WINDOWPOS_UNDEFINED, SMOKE_W, SMOKE_H, 0);
    renderer = window ? SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE) : NULL;
    TTF_Font *font = TTF_OpenFont("/NanumGothic.ttf", 48);
    if (!renderer || !font) {
        fprintf(stderr, "smoke: window or font failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_Color white = {240, 240, 240, 255};
    SDL_Surface *surface = TTF_RenderUTF8_Blended(font, "rnnscope 은닉 상태", white);
    if (!surface) {
        fprintf(stderr, "smoke: text failed: %s\n", SDL_GetError());
        return 1;
    }
    label = SDL_CreateTextureFromSurface(renderer, surface);
    label_w = surface->w;
    label_h = surface->h;
    SDL_FreeSurface(surface);
#ifdef __EMSCRIPTEN__
    emscripten_set_main_loop(frame, 0, 1);
#else
    for (int i = 0; i < 60; i++) {
        frame();
        SDL_Delay(16);
    }
    SDL_Quit();
#endif
    return 0;
}
