/* plat_web.c - the browser's platform (emscripten): the same window as the desktop (plat_sdl.c
 * draws it, SDL's browser backend shows it on a canvas), driven one frame at a time by the
 * browser's main loop, live training in slices of each frame (plat_jobs_slices.c), and the
 * functions the page (web/page.js) calls: text from a hidden field (input methods), keys
 * from on-screen buttons, files the user opens, the canvas's size, and the view's state for
 * the address bar. Files the app writes are handed to the page to download. */
#define _POSIX_C_SOURCE 200809L
#include "plat_web.h"
#include "plat_window.h"

#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest a frame gives to live training, in seconds: with the frame's drawing it stays
 * within two of the browser's 60 Hz frames, so the page stays responsive. */
#define PLAT_WEB_TRAIN_SLICE 0.006

static PlatWindow *the_window; /* the one window of the page */
static Uint32 last_ticks;
static int first_frame_told, changed;

/* The page downloads what the app wrote (a screenshot, a trained model). */
static void offer_download(void *ctx, const char *path) {
    (void)ctx;
    const char *mime = strstr(path, ".png") ? "image/png" : "application/json";
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    plat_web_page_download(path, mime, name);
}

static void frame(void *arg) {
    PlatWindow *w = arg;
    UiView *v = &w->screen.view;
    SDL_Event e;
    int before = w->dirty;
    while (SDL_PollEvent(&e)) {
        plat_window_event(w, &e);
        changed = 1;
    }
    Uint32 now = SDL_GetTicks();
    if (v->playing) w->dirty |= ui_screen_tick(&w->screen, (now - last_ticks) / 1000.0);
    last_ticks = now;
    /* live training: a slice of this frame, then what it published (progress every frame) */
    if (plat_jobs_run_slice(w->jobs, PLAT_WEB_TRAIN_SLICE) ||
        ui_compare_training(w->screen.compare))
        w->dirty |= ui_screen_poll(&w->screen);
    RnnError err;
    if (w->dirty && plat_window_draw(w, &err)) ui_view_set_banner(v, 1, "%s", err.message);
    if (!first_frame_told) {
        first_frame_told = 1;
        plat_web_page_first_frame();
    }
    if (changed || (before && !w->dirty)) {
        changed = 0;
        plat_web_page_changed();
    }
}

int plat_run(const UiScreenOptions *o, RnnError *err) {
    static PlatWindow w;
    w.wrote = offer_download;
    if (plat_window_open(&w, o, err)) {
        plat_window_close(&w);
        return -1;
    }
    the_window = &w;
    last_ticks = SDL_GetTicks();
    /* The browser owns the loop: this returns to it at once (simulate_infinite_loop), and
     * frame runs at every animation frame from now on. */
    emscripten_set_main_loop_arg(frame, &w, 0, 1);
    return 0;
}

/* ---- what the page calls ----------------------------------------------------------------- */

static int ready(void) {
    return the_window != NULL;
}

static void after(int redraw) {
    the_window->dirty |= redraw;
    changed = 1;
}

EMSCRIPTEN_KEEPALIVE void rnnscope_web_text(const char *utf8) {
    if (ready()) after(ui_screen_text_input(&the_window->screen, utf8));
}

EMSCRIPTEN_KEEPALIVE void rnnscope_web_composition(const char *utf8) {
    if (ready()) after(ui_screen_text_editing(&the_window->screen, utf8));
}

EMSCRIPTEN_KEEPALIVE void rnnscope_web_key(int key) {
    if (ready() && key > UI_KEY_NONE && key <= UI_KEY_SCRUB_AHEAD)
        after(ui_screen_key(&the_window->screen, (UiKey)key));
}

EMSCRIPTEN_KEEPALIVE void rnnscope_web_open_file(const char *path) {
    if (ready()) after(ui_screen_open_model(&the_window->screen, path));
}

EMSCRIPTEN_KEEPALIVE void rnnscope_web_resize(int width, int height, double zoom) {
    if (!ready() || width < 1 || height < 1) return;
    SDL_SetWindowSize(the_window->win, width, height);
    if (zoom >= 0.5 && zoom <= 4) the_window->screen.view.base_zoom = zoom;
    after(1);
}

EMSCRIPTEN_KEEPALIVE int rnnscope_web_editing(void) {
    return ready() && the_window->screen.view.editing != 0;
}

/* s as a JSON string into b. */
static void json_string(char *b, size_t size, const char *s) {
    size_t k = 0;
    if (k + 1 < size) b[k++] = '"';
    for (; s && *s && k + 7 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            b[k++] = '\\', b[k++] = (char)ch;
        else if (ch < 0x20)
            k += (size_t)snprintf(b + k, size - k, "\\u%04x", ch);
        else
            b[k++] = (char)ch;
    }
    if (k + 1 < size) b[k++] = '"';
    b[k] = '\0';
}

/* "/lessons/ko/05-long-term-dependency.md" -> "ko/05" */
static void lesson_id(char *out, size_t size, const char *path) {
    const char *base = strrchr(path, '/');
    const char *lang = base;
    while (lang && lang > path && lang[-1] != '/') lang--;
    int n = 0;
    while (base && base[1 + n] >= '0' && base[1 + n] <= '9') n++;
    if (!base || lang == base || n == 0)
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%.*s/%.*s", (int)(base - lang), lang, n, base + 1);
}

/* "/assets/models/recall-gru.json" -> "recall-gru" */
static void model_name(char *out, size_t size, const char *path) {
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json")) n -= 5;
    snprintf(out, size, "%.*s", (int)n, base);
}

EMSCRIPTEN_KEEPALIVE const char *rnnscope_web_state(void) {
    static char out[8192];
    char lang[16], a[512], b[4096];
    if (!ready()) return "{}";
    const UiView *v = &the_window->screen.view;
    json_string(lang, sizeof lang, v->lang[0] ? v->lang : "en");
    if (v->picker) {
        snprintf(out, sizeof out, "{\"lang\":%s}", lang);
    } else if (v->lesson && v->lesson->path) {
        char id[256];
        lesson_id(id, sizeof id, v->lesson->path);
        json_string(a, sizeof a, id);
        snprintf(out, sizeof out, "{\"lang\":%s,\"lesson\":%s,\"step\":%d}", lang, a,
                 v->lesson_step);
    } else if (v->model_path && !strncmp(v->model_path, "/assets/models/", 15)) {
        /* a shipped model: the address can name it (one the user opened cannot) */
        char name[256];
        model_name(name, sizeof name, v->model_path);
        json_string(a, sizeof a, name);
        json_string(b, sizeof b, v->text ? v->text : "");
        snprintf(out, sizeof out, "{\"lang\":%s,\"model\":%s,\"text\":%s,\"t\":%d}", lang, a, b,
                 v->words_read);
    } else {
        snprintf(out, sizeof out, "{\"lang\":%s}", lang);
    }
    if (v->backward && v->grad) { /* the backward pass: how far it has walked back */
        size_t n = strlen(out) - 1;
        snprintf(out + n, sizeof out - n, ",\"backward\":{\"walked\":%d,\"loss\":%.17g}}",
                 v->walked, v->grad->loss);
    }
    /* live training, for the page and its test: the first column's run */
    const UiCompare *cmp = the_window->screen.compare;
    if (cmp && cmp->col[0].job && cmp->col[0].progress) {
        static const char *const states[] = {"running", "paused", "finished", "stopped", "failed"};
        const RnnJobProgress *p = cmp->col[0].progress;
        size_t n = strlen(out) - 1; /* before the closing brace */
        snprintf(out + n, sizeof out - n,
                 ",\"training\":{\"state\":\"%s\",\"updates\":%lld,\"total\":%lld,"
                 "\"seconds\":%.3f,\"pace\":%d,\"shown\":%lld}}",
                 states[p->state], p->updates, p->total_updates, p->seconds, cmp->pace,
                 cmp->col[0].job_updates);
    }
    return out;
}
