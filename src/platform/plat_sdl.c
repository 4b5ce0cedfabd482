/* plat_sdl.c - SDL_Renderer + SDL2_ttf drawing, the event loop, headless frames. */
#define _POSIX_C_SOURCE 200809L
#include "plat_sdl.h"
#include "ui_i18n.h"

#include "io.h"
#include "plat_font.h"
#include "plat_jobs.h"
#include "plat_png.h"
#include "plat_window.h"
#ifndef __EMSCRIPTEN__
#include "plat_gif.h" /* the browser build has no giflib */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Point sizes at zoom 1, chosen for a 1280x800 projector seen from the back of a room. */
static const int font_points[UI_FONT_COUNT] = {14, 17, 21, 26};

static TTF_Font *open_font(PlatRenderer *r, int pt) {
    return TTF_OpenFontRW(SDL_RWFromConstMem(r->font_data, (int)r->font_bytes), 1, pt);
}

static int point_size(int size, double zoom) {
    int pt = (int)(font_points[size] * zoom + 0.5);
    return pt < 6 ? 6 : pt;
}

/* ---- fonts and text ------------------------------------------------------------------------ */

static void clear_cache(PlatRenderer *r) {
    for (int i = 0; i < PLAT_TEXT_CACHE; i++) {
        if (r->cache[i].texture) SDL_DestroyTexture(r->cache[i].texture);
        free(r->cache[i].text);
        memset(&r->cache[i], 0, sizeof r->cache[i]);
    }
    r->cached = 0;
}

/* The font of a UiFont value with its style switched on (SDL2_ttf synthesises bold and
 * italic from the regular face). */
static TTF_Font *styled(PlatRenderer *r, UiFont font) {
    int size = UI_FONT_SIZE(font), bold = (UI_FONT_STYLE(font) & UI_STYLE_BOLD) != 0;
    int italic = (UI_FONT_STYLE(font) & UI_STYLE_ITALIC) != 0;
    if (!bold && !italic) return r->fonts[size];
    TTF_Font **slot = &r->styled[size][bold | italic << 1];
    if (!*slot && r->fonts[size]) {
        *slot = open_font(r, point_size(size, r->zoom));
        if (*slot)
            TTF_SetFontStyle(*slot, (bold ? TTF_STYLE_BOLD : 0) | (italic ? TTF_STYLE_ITALIC : 0));
    }
    return *slot ? *slot : r->fonts[size];
}

/* Characters a font may lack, and what stands in for them rather than a tofu box. */
static const char *fallback_for(unsigned cp) {
    switch (cp) {
    case 0x2212:
    case 0x2013:
    case 0x2014:
    case 0x2010:
    case 0x2011:
        return "-";
    case 0x2018:
    case 0x2019:
    case 0x2032:
        return "'";
    case 0x201C:
    case 0x201D:
        return "\"";
    case 0x22C5:
    case 0x2219:
        return "·";
    case 0x00D7:
        return "x";
    case 0x2026:
        return "...";
    case 0x2192:
        return "->";
    case 0x2190:
        return "<-";
    case 0x2264:
        return "<=";
    case 0x2265:
        return ">=";
    case 0x2248:
        return "~";
    default:
        return NULL;
    }
}

/* s with every character the font cannot show replaced by its fallback (when one exists),
 * into buf. Returns s itself when nothing needed replacing. */
static const char *displayable(TTF_Font *f, const char *s, char *buf, size_t size) {
    size_t len = strlen(s), out = 0;
    int changed = 0;
    for (size_t i = 0; i < len && out + 4 < size;) {
        unsigned cp;
        int k = rnn_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (k == 0) k = 1, cp = '?';
        const char *alt = cp > 0x7F && !TTF_GlyphIsProvided32(f, cp) ? fallback_for(cp) : NULL;
        if (alt && out + strlen(alt) < size) {
            memcpy(buf + out, alt, strlen(alt));
            out += strlen(alt);
            changed = 1;
        } else {
            memcpy(buf + out, s + i, (size_t)k);
            out += (size_t)k;
        }
        i += (size_t)k;
    }
    buf[out] = '\0';
    return changed ? buf : s;
}

static int measure_width(void *ctx, UiFont font, const char *s) {
    PlatRenderer *r = ctx;
    int w = 0, h = 0;
    /* Synthetic italic shears the glyphs but keeps their advances, while TTF_SizeUTF8 adds
     * the slant's overhang: measured like that, an italic word is followed by a gap ("or
     * river ."). The advance is the upright face's. */
    TTF_Font *f = styled(r, (UiFont)((int)font & ~UI_STYLE_ITALIC));
    char buf[2048];
    if (f && s[0]) TTF_SizeUTF8(f, displayable(f, s, buf, sizeof buf), &w, &h);
    return w;
}

static int measure_height(void *ctx, UiFont font) {
    PlatRenderer *r = ctx;
    TTF_Font *f = r->fonts[UI_FONT_SIZE(font)];
    return f ? TTF_FontHeight(f) : 16;
}

static void close_fonts(PlatRenderer *r) {
    for (int i = 0; i < UI_FONT_COUNT; i++) {
        if (r->fonts[i]) TTF_CloseFont(r->fonts[i]);
        r->fonts[i] = NULL;
        for (int k = 0; k < 4; k++) {
            if (r->styled[i][k]) TTF_CloseFont(r->styled[i][k]);
            r->styled[i][k] = NULL;
        }
    }
}

int plat_renderer_set_zoom(PlatRenderer *r, double zoom, RnnError *err) {
    clear_cache(r);
    close_fonts(r);
    r->zoom = zoom;
    for (int i = 0; i < UI_FONT_COUNT; i++) {
        r->fonts[i] = open_font(r, point_size(i, zoom));
        if (!r->fonts[i]) {
            close_fonts(r);
            return rnn_error_set(err, "%s: cannot open the font: %s", r->font_path, TTF_GetError());
        }
    }
    return 0;
}

int plat_renderer_init(PlatRenderer *r, SDL_Renderer *sdl, const char *font_path, double zoom,
                       RnnError *err) {
    memset(r, 0, sizeof *r);
    r->sdl = sdl;
    if (!TTF_WasInit() && TTF_Init() != 0)
        return rnn_error_set(err, "cannot start SDL2_ttf: %s", TTF_GetError());
    r->font_path = plat_font_find(font_path, &r->hangul, err);
    if (!r->font_path) return -1;
    if (io_read_file(r->font_path, (size_t)64 << 20, &r->font_data, &r->font_bytes, err)) return -1;
    r->measure = (UiTextMeasure){measure_width, measure_height, r};
    return plat_renderer_set_zoom(r, zoom, err);
}

void plat_renderer_free(PlatRenderer *r) {
    clear_cache(r);
    close_fonts(r);
    free(r->font_path);
    free(r->font_data);
    r->font_path = r->font_data = NULL;
}

static unsigned hash_text(const char *s, UiFont f, UiColor c) {
    unsigned h = 2166136261u ^ (unsigned)f ^ ((unsigned)c.r << 8) ^ ((unsigned)c.g << 16) ^
                 ((unsigned)c.b << 24);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The texture of a text, from the cache or rendered now. Cleared when it fills up. */
static PlatTextEntry *text_texture(PlatRenderer *r, const char *s, UiFont font, UiColor color) {
    unsigned h = hash_text(s, font, color);
    for (int probe = 0; probe < 8; probe++) {
        PlatTextEntry *e = &r->cache[(h + (unsigned)probe) % PLAT_TEXT_CACHE];
        if (e->texture && e->font == font && !memcmp(&e->color, &color, sizeof color) &&
            !strcmp(e->text, s))
            return e;
        if (!e->texture) {
            char buf[2048];
            TTF_Font *f = styled(r, font);
            SDL_Surface *surf =
                TTF_RenderUTF8_Blended(f, displayable(f, s, buf, sizeof buf),
                                       (SDL_Color){color.r, color.g, color.b, color.a});
            if (!surf) return NULL;
            e->texture = SDL_CreateTextureFromSurface(r->sdl, surf);
            e->w = surf->w, e->h = surf->h;
            SDL_FreeSurface(surf);
            if (!e->texture) return NULL;
            e->text = strdup(s);
            e->font = font, e->color = color;
            r->cached++;
            return e;
        }
    }
    clear_cache(r); /* crowded: start again; the next frame fills what it needs */
    return text_texture(r, s, font, color);
}

void plat_renderer_draw(PlatRenderer *r, const UiDrawList *list) {
    /* Opaque colours are written, not blended: the same pixels, and the software renderer
     * fills a rectangle several times faster when it does not have to read it first. */
    SDL_BlendMode mode = SDL_BLENDMODE_NONE;
    SDL_SetRenderDrawBlendMode(r->sdl, mode);
    for (int i = 0; i < list->count; i++) {
        const UiCmd *c = &list->cmds[i];
        SDL_BlendMode want = c->color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND;
        if (want != mode) SDL_SetRenderDrawBlendMode(r->sdl, mode = want);
        SDL_SetRenderDrawColor(r->sdl, c->color.r, c->color.g, c->color.b, c->color.a);
        SDL_Rect rect = {c->rect.x, c->rect.y, c->rect.w, c->rect.h};
        switch (c->kind) {
        case UI_CMD_FILL:
            SDL_RenderFillRect(r->sdl, &rect);
            break;
        case UI_CMD_OUTLINE:
            for (int k = 0; k < c->thickness && rect.w > 2 * k && rect.h > 2 * k; k++) {
                SDL_Rect in = {rect.x + k, rect.y + k, rect.w - 2 * k, rect.h - 2 * k};
                SDL_RenderDrawRect(r->sdl, &in);
            }
            break;
        case UI_CMD_LINE: {
            int t = c->thickness < 1 ? 1 : c->thickness;
            int vertical = abs(c->y2 - c->rect.y) > abs(c->x2 - c->rect.x);
            for (int k = -(t - 1) / 2; k <= t / 2; k++)
                SDL_RenderDrawLine(r->sdl, c->rect.x + (vertical ? k : 0),
                                   c->rect.y + (vertical ? 0 : k), c->x2 + (vertical ? k : 0),
                                   c->y2 + (vertical ? 0 : k));
            break;
        }
        case UI_CMD_TEXT: {
            PlatTextEntry *e = text_texture(r, list->chars + c->text, c->font, c->color);
            if (!e) break;
            SDL_Rect dst = {c->rect.x, c->rect.y, e->w, e->h};
            SDL_RenderCopy(r->sdl, e->texture, NULL, &dst);
            break;
        }
        }
    }
}

/* ---- frames off screen --------------------------------------------------------------------- */

/* A software surface with its renderer and fonts, for drawing frames one after another into
 * the same pixels (a recording): the fonts are found and opened once. */
typedef struct Offscreen {
    SDL_Surface *surface; /* ARGB8888 */
    SDL_Renderer *sdl;
    PlatRenderer r;
    int have_renderer;
} Offscreen;

static void offscreen_close(Offscreen *o) {
    if (o->have_renderer) plat_renderer_free(&o->r);
    if (o->sdl) SDL_DestroyRenderer(o->sdl);
    SDL_FreeSurface(o->surface);
    memset(o, 0, sizeof *o);
}

static int offscreen_open(Offscreen *o, int width, int height, const char *font_path, double zoom,
                          RnnError *err) {
    memset(o, 0, sizeof *o);
    o->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    o->sdl = o->surface ? SDL_CreateSoftwareRenderer(o->surface) : NULL;
    if (!o->sdl) {
        rnn_error_set(err, "cannot draw off screen: %s", SDL_GetError());
        offscreen_close(o);
        return -1;
    }
    if (plat_renderer_init(&o->r, o->sdl, font_path, zoom, err)) {
        offscreen_close(o);
        return -1;
    }
    o->have_renderer = 1;
    return 0;
}

/* One frame into o->surface: draw() fills the list (its measure set), which is drawn on
 * white. Returns -1 with err set when drawing ran out of memory (the frame is drawn all the
 * same, as far as it got). */
static int offscreen_draw(Offscreen *o, void (*draw)(UiDrawList *, int hangul, void *), void *ctx,
                          RnnError *err) {
    UiDrawList list = {0};
    list.measure = &o->r.measure;
    draw(&list, o->r.hangul, ctx);
    SDL_SetRenderDrawColor(o->sdl, 255, 255, 255, 255);
    SDL_RenderClear(o->sdl);
    plat_renderer_draw(&o->r, &list);
    SDL_RenderPresent(o->sdl);
    int rc = list.failed ? rnn_error_set(err, "out of memory while drawing") : 0;
    ui_draw_free(&list);
    return rc;
}

/* A width x height software surface drawn by draw() with fonts at zoom. */
static SDL_Surface *render_off_screen(int width, int height, const char *font_path, double zoom,
                                      void (*draw)(UiDrawList *, int hangul, void *), void *ctx,
                                      RnnError *err) {
    Offscreen o;
    if (offscreen_open(&o, width, height, font_path, zoom, err)) return NULL;
    offscreen_draw(&o, draw, ctx, err);
    SDL_Surface *surface = o.surface;
    o.surface = NULL;
    offscreen_close(&o);
    return surface;
}

typedef struct ScreenFrame {
    UiScreen *screen;
    int width, height;
} ScreenFrame;

static void draw_screen(UiDrawList *list, int hangul, void *ctx) {
    ScreenFrame *f = ctx;
    f->screen->view.font_has_hangul = hangul;
    ui_screen_layout(f->screen, list, f->width, f->height);
    ui_screen_draw(f->screen, list);
}

SDL_Surface *plat_render_surface(UiScreen *s, const UiScreenOptions *o, RnnError *err) {
    ScreenFrame f = {s, o->width, o->height};
    ui_view_fit(&s->view, o->width, o->height);
    return render_off_screen(o->width, o->height, o->font_path, s->view.zoom, draw_screen, &f, err);
}

int plat_screenshot(const UiScreenOptions *o, const char *png_path, RnnError *err) {
    UiScreen s;
    int rc = -1;
    if (ui_screen_prepare(&s, o, NULL, err) == 0) {
        SDL_Surface *surface = plat_render_surface(&s, o, err);
        if (surface) rc = plat_png_write(png_path, surface, err);
        SDL_FreeSurface(surface);
    }
    ui_screen_free(&s);
    return rc;
}

typedef struct PlotFrame {
    const UiLinePlot *plot;
    int width, height;
} PlotFrame;

static void draw_plot(UiDrawList *list, int hangul, void *ctx) {
    (void)hangul;
    PlotFrame *f = ctx;
    ui_plot_draw(list, f->plot, f->width, f->height);
}

int plat_plot_png(const char *path, const UiLinePlot *plot, int width, int height, RnnError *err) {
    if (ui_plot_check(plot, err)) return rnn_error_set(err, "%s: %s", path, err->message);
    PlotFrame f = {plot, width, height};
    SDL_Surface *surface = render_off_screen(width, height, NULL, 1.0, draw_plot, &f, err);
    int rc = surface ? plat_png_write(path, surface, err) : -1;
    SDL_FreeSurface(surface);
    return rc;
}

/* ---- recordings: a frame per time step ----------------------------------------------------- */

typedef struct Recorder {
    UiScreen screen;
    Offscreen off;
    int from;
} Recorder;

/* Frame i: the screen at step from + i, drawn as `rnnscope screenshot --step` draws it. */
static SDL_Surface *record_frame(void *ctx, int i, RnnError *err) {
    Recorder *r = ctx;
    ScreenFrame f = {&r->screen, r->off.surface->w, r->off.surface->h};
    if (ui_screen_set_step(&r->screen, r->from + i, err) ||
        offscreen_draw(&r->off, draw_screen, &f, err))
        return NULL;
    return r->off.surface;
}

static int write_pngs(Recorder *r, PlatRecording *rec, RnnError *err) {
    int digits = 2; /* step-07.png; as many digits as the last step needs, so names sort */
    for (int k = 100; k <= r->from + rec->frames - 1; k *= 10) digits++;
    for (int i = 0; i < rec->frames; i++) {
        char path[4200];
        SDL_Surface *s = record_frame(r, i, err);
        if (!s) return -1;
        snprintf(path, sizeof path, "%s%sstep-%0*d.png", rec->png_dir,
                 rec->png_dir[0] && rec->png_dir[strlen(rec->png_dir) - 1] == '/' ? "" : "/",
                 digits, r->from + i);
        if (plat_png_write(path, s, err)) return -1;
    }
    return 0;
}

int plat_record(const UiScreenOptions *o, PlatRecording *rec, RnnError *err) {
    Recorder r;
    int rc = -1;
    memset(&r, 0, sizeof r);
    rec->frames = rec->colours = rec->palette = 0, rec->bytes = 0;
    if (ui_screen_prepare(&r.screen, o, NULL, err)) goto done;
    int last = ui_screen_last_step(&r.screen), backward = r.screen.view.backward;
    int from = rec->from < 0 ? 0 : rec->from, to = rec->to < 0 ? last : rec->to;
    if (to > last || from > last) {
        int bad = to > last ? to : from;
        const char *name = to > last ? "--to" : "--from";
        if (backward)
            rnn_error_set(err, "%s %d: the sentence has %d words, so at most %d steps back", name,
                          bad, last + 1, last);
        else
            rnn_error_set(err, "%s %d: the sentence has %d words", name, bad, last);
        goto done;
    }
    if (from > to) {
        rnn_error_set(err, "--from %d comes after --to %d", from, to);
        goto done;
    }
    if (offscreen_open(&r.off, o->width, o->height, o->font_path, r.screen.view.zoom, err))
        goto done;
    r.from = from;
    rec->from = from, rec->to = to, rec->frames = to - from + 1;
    if (rec->png_dir) {
        rc = write_pngs(&r, rec, err);
    } else {
#ifdef __EMSCRIPTEN__
        rnn_error_set(err, "%s: the browser build writes no GIFs (it has no giflib)",
                      rec->gif_path);
#else
        PlatGifInfo info;
        int delay_cs = (rec->delay_ms + 5) / 10;
        rc = plat_gif_write(rec->gif_path, o->width, o->height, rec->frames, delay_cs, record_frame,
                            &r, &info, err);
        if (rc == 0)
            rec->colours = info.colours, rec->palette = info.palette, rec->bytes = info.bytes;
#endif
    }
done:
    offscreen_close(&r.off);
    ui_screen_free(&r.screen);
    return rc;
}

/* ---- events ---------------------------------------------------------------------------------- */

UiKey plat_key_from_sdl(const SDL_KeyboardEvent *k) {
    SDL_Keycode sym = k->keysym.sym;
    Uint16 mod = k->keysym.mod;
    /* Ctrl+T; R too, since browsers keep Ctrl+T for a new tab */
    if ((mod & KMOD_CTRL) && sym == SDLK_t) return UI_KEY_TRAIN;
    if ((mod & KMOD_CTRL) && (sym == SDLK_0 || sym == SDLK_KP_0)) return UI_KEY_ZOOM_RESET;
    if ((mod & KMOD_CTRL) && sym == SDLK_DOWN) return UI_KEY_NARRATION_DOWN;
    if ((mod & KMOD_CTRL) && sym == SDLK_UP) return UI_KEY_NARRATION_UP;
    if (mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI)) return UI_KEY_NONE; /* the window's shortcuts */
    int shift = (mod & KMOD_SHIFT) != 0;
    switch (sym) {
    case SDLK_RIGHT:
        return UI_KEY_RIGHT;
    case SDLK_LEFT:
        return UI_KEY_LEFT;
    case SDLK_UP:
        return shift ? UI_KEY_PREV_QUANTITY : UI_KEY_UP;
    case SDLK_DOWN:
        return shift ? UI_KEY_NEXT_QUANTITY : UI_KEY_DOWN;
    case SDLK_HOME:
        return UI_KEY_HOME;
    case SDLK_END:
        return UI_KEY_END;
    case SDLK_SPACE:
        return UI_KEY_PLAY;
    case SDLK_LEFTBRACKET:
        return UI_KEY_SLOWER;
    case SDLK_RIGHTBRACKET:
        return UI_KEY_FASTER;
    case SDLK_1:
    case SDLK_KP_1:
        return UI_KEY_MODEL_RNN;
    case SDLK_2:
    case SDLK_KP_2:
        return UI_KEY_MODEL_LSTM;
    case SDLK_3:
    case SDLK_KP_3:
        return UI_KEY_MODEL_GRU;
    case SDLK_TAB:
        return UI_KEY_EDIT;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        return UI_KEY_ENTER;
    case SDLK_ESCAPE:
        return UI_KEY_ESCAPE;
    case SDLK_BACKSPACE:
        return UI_KEY_BACKSPACE;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        return UI_KEY_ZOOM_IN;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        return UI_KEY_ZOOM_OUT;
    case SDLK_t:
        return UI_KEY_THEME;
    case SDLK_r:
        return UI_KEY_TRAIN;
    case SDLK_h:
    case SDLK_F1:
        return UI_KEY_HELP;
    case SDLK_q:
        return UI_KEY_QUIT;
    case SDLK_n:
    case SDLK_PAGEDOWN:
        return UI_KEY_LESSON_NEXT;
    case SDLK_p:
    case SDLK_PAGEUP:
        return UI_KEY_LESSON_PREV;
    case SDLK_a:
        return UI_KEY_ANSWER;
    case SDLK_l:
        return shift ? UI_KEY_LANGUAGE : UI_KEY_PICKER;
    case SDLK_d:
        return UI_KEY_GLOSSARY;
    case SDLK_v:
        return UI_KEY_COMPARE_H_ONLY;
    case SDLK_c:
        return UI_KEY_COMPARE;
    case SDLK_f:
        return UI_KEY_FRESH;
    case SDLK_k:
        return UI_KEY_PARAMS;
    case SDLK_w:
        return UI_KEY_SAVE_MODEL;
    case SDLK_b:
        return UI_KEY_BACKWARD;
    case SDLK_m:
        return shift ? UI_KEY_WHH_DOWN : UI_KEY_WHH_UP;
    case SDLK_g:
        return shift ? UI_KEY_BIAS_DOWN : UI_KEY_BIAS_UP;
    case SDLK_u:
        return UI_KEY_RELU;
    case SDLK_x:
        return UI_KEY_CLIP;
    case SDLK_z:
        return UI_KEY_UNDO_WHAT_IF;
    case SDLK_COMMA:
        return UI_KEY_SCRUB_BACK;
    case SDLK_PERIOD:
        return UI_KEY_SCRUB_AHEAD;
    default:
        return UI_KEY_NONE;
    }
}

int plat_handle_event(UiScreen *s, const SDL_Event *e) {
    UiView *v = &s->view;
    if (e->type == plat_wake_event_type()) return ui_screen_poll(s);
    switch (e->type) {
    case SDL_KEYDOWN: {
        UiKey key = plat_key_from_sdl(&e->key);
        int was_editing = v->editing;
        int changed = key != UI_KEY_NONE && ui_screen_key(s, key);
        if (v->editing && !was_editing) SDL_StartTextInput();
        if (!v->editing && was_editing) SDL_StopTextInput();
        return changed;
    }
    case SDL_TEXTINPUT:
        return ui_screen_text_input(s, e->text.text);
    case SDL_TEXTEDITING:
        return ui_screen_text_editing(s, e->edit.text);
    case SDL_MOUSEMOTION: {
        int changed = ui_screen_mouse_move(s, e->motion.x, e->motion.y);
        if (e->motion.state & SDL_BUTTON_LMASK)
            changed |= ui_screen_drag(s, e->motion.x, e->motion.y);
        return changed;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT) return 0;
        {
            int was_editing = v->editing, changed = ui_screen_click(s, e->button.x, e->button.y);
            if (v->editing && !was_editing) SDL_StartTextInput();
            return changed;
        }
    case SDL_MOUSEWHEEL: {
        if (e->wheel.y == 0) return 0;
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        return ui_screen_wheel(s, mx, my, e->wheel.y);
    }
    case SDL_DROPFILE:
        return ui_screen_open_model(s, e->drop.file);
    default:
        return 0;
    }
}

/* ---- live training wakes the window ------------------------------------------------------- */

Uint32 plat_wake_event_type(void) {
    static Uint32 type = (Uint32)-1;
    if (type == (Uint32)-1) type = SDL_RegisterEvents(1);
    return type;
}

/* Called from a training thread: SDL_PushEvent is safe there, and one pending wake-up is
 * enough (the window reads the latest state when it handles it). ctx: the pending flag. */
static void wake_window(void *ctx) {
    SDL_atomic_t *pending = ctx;
    if (!SDL_AtomicCAS(pending, 0, 1)) return;
    SDL_Event e;
    SDL_zero(e);
    e.type = plat_wake_event_type();
    if (SDL_PushEvent(&e) != 1) SDL_AtomicSet(pending, 0);
}

/* ---- the window --------------------------------------------------------------------------------
 */

void plat_window_save_screenshot(PlatWindow *w) {
    UiView *v = &w->screen.view;
    int width, height;
    SDL_GetRendererOutputSize(w->sdl, &width, &height);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s ||
        SDL_RenderReadPixels(w->sdl, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0) {
        ui_view_set_banner(v, 1, ui_tr("Cannot read the window: %s"), SDL_GetError());
        SDL_FreeSurface(s);
        return;
    }
    char name[64];
    time_t now = time(NULL);
    strftime(name, sizeof name, "rnnscope-%Y%m%d-%H%M%S.png", localtime(&now));
    RnnError err;
    if (plat_png_write(name, s, &err)) {
        ui_view_set_banner(v, 1, "%s", err.message);
    } else {
        ui_view_set_banner(v, 0, ui_tr("Saved %s"), name);
        if (w->screen.host.wrote) w->screen.host.wrote(w->screen.host.wrote_ctx, name);
    }
    SDL_FreeSurface(s);
}

#ifndef __EMSCRIPTEN__
/* "rnnscope-recall-lstm-20250301-142501.gif": the model file's name without .json, with
 * anything but letters, digits, '.', '_' and '-' as '-' (UTF-8 letters stay). */
static void recording_name(char *out, size_t size, const char *model_path) {
    const char *base = strrchr(model_path, '/') ? strrchr(model_path, '/') + 1 : model_path;
    char model[80];
    size_t n = strlen(base), k = 0;
    if (n > 5 && !strcmp(base + n - 5, ".json")) n -= 5;
    size_t i = 0;
    for (; i < n && k + 1 < sizeof model; i++) {
        unsigned char ch = (unsigned char)base[i];
        int keep = ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        model[k++] = keep ? (char)ch : '-';
    }
    if (i < n && ((unsigned char)base[i] & 0xC0) == 0x80) { /* cut in a character: drop it */
        while (k > 0 && ((unsigned char)model[k - 1] & 0xC0) == 0x80) k--;
        if (k > 0) k--;
    }
    model[k] = '\0';
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y%m%d-%H%M%S", localtime(&now));
    snprintf(out, size, "rnnscope-%s-%s.gif", model[0] ? model : "model", when);
}
#endif

void plat_window_record(PlatWindow *w) {
    UiView *v = &w->screen.view;
#ifdef __EMSCRIPTEN__
    ui_view_set_banner(v, 1, "%s",
                       ui_tr("Recording a GIF is not available in the browser: rnnscope record "
                             "makes one on the desktop."));
#else
    UiScreenOptions o;
    const char *paths[UI_COMPARE_MAX];
    RnnError err;
    if (ui_screen_describe(&w->screen, &o, paths, &err)) {
        ui_view_set_banner(v, 1, "%s", err.message);
        return;
    }
    SDL_GetRendererOutputSize(w->sdl, &o.width, &o.height);
    o.font_path = w->o.font_path;
    char name[256];
    recording_name(name, sizeof name, v->model_path);
    /* a recording takes a moment: say so on screen first */
    ui_view_set_banner(v, 0, ui_tr("Recording %s: one frame per time step..."), name);
    w->dirty = 1;
    if (plat_window_draw(w, &err)) {
        ui_view_set_banner(v, 1, "%s", err.message);
        return;
    }
    PlatRecording rec = {-1, -1, 1000, name, NULL, 0, 0, 0, 0};
    if (plat_record(&o, &rec, &err)) {
        ui_view_set_banner(v, 1, "%s", err.message);
        return;
    }
    ui_view_set_banner(v, 0, ui_tr("Saved %s: %d frames, one per time step"), name, rec.frames);
    if (w->screen.host.wrote) w->screen.host.wrote(w->screen.host.wrote_ctx, name);
#endif
}

static SDL_atomic_t wake_pending; /* one wake-up event queued at a time */

void plat_window_close(PlatWindow *w) {
    ui_draw_free(&w->list);
    if (w->have_renderer) plat_renderer_free(&w->r);
    if (w->sdl) SDL_DestroyRenderer(w->sdl);
    if (w->win) SDL_DestroyWindow(w->win);
    if (w->o.watch_job && w->runner.stop) /* the caller's job: no thread touches it now */
        w->runner.stop(w->runner.ctx, w->o.watch_job);
    ui_screen_free(&w->screen);
    plat_jobs_free(w->jobs);
    SDL_Quit();
}

int plat_window_open(PlatWindow *w, const UiScreenOptions *o, RnnError *err) {
    void (*wrote)(void *, const char *) = w->wrote;
    void *wrote_ctx = w->wrote_ctx;
    memset(w, 0, sizeof *w);
    w->o = *o;
    w->wrote = wrote, w->wrote_ctx = wrote_ctx;
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return rnn_error_set(err, "cannot open a window: %s", SDL_GetError());
    if (!(w->jobs = plat_jobs_new(wake_window, &wake_pending)))
        return rnn_error_set(err, "out of memory");
    w->runner = plat_jobs_runner(w->jobs);
    UiView *v = &w->screen.view;
    UiHost host = {w->runner, w->wrote, w->wrote_ctx};
    if (ui_screen_prepare(&w->screen, o, &host, err)) return -1;
#ifdef __EMSCRIPTEN__
    /* In a page the canvas's size is the page's to set (rnnscope_web_resize, in device
     * pixels): a resizable window would follow its CSS size instead. The software renderer
     * draws the same pixels as `rnnscope screenshot` and needs no WebGL (which machines
     * without a GPU emulate slowly, or not at all). */
    Uint32 flags = 0, renderer = SDL_RENDERER_SOFTWARE;
#else
    Uint32 flags = SDL_WINDOW_RESIZABLE | (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    Uint32 renderer = SDL_RENDERER_PRESENTVSYNC;
#endif
    w->win = SDL_CreateWindow("rnnscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width,
                              o->height, flags);
    w->sdl = w->win ? SDL_CreateRenderer(w->win, -1, renderer) : NULL;
    if (w->win && !w->sdl) w->sdl = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!w->sdl) return rnn_error_set(err, "cannot open a window: %s", SDL_GetError());
    if (plat_renderer_init(&w->r, w->sdl, o->font_path, v->zoom, err)) return -1;
    w->have_renderer = 1;
    v->font_has_hangul = w->r.hangul;
    if (!w->r.hangul)
        ui_view_set_banner(v, 1, "%s",
                           ui_tr("The font found has no Hangul: Korean text will not show. "
                                 "Install fonts-nanum or give --font."));
    if (o->watch_job) { /* rnnscope train --watch: the run the command prepared */
        if (w->runner.start(w->runner.ctx, o->watch_job, 0, err)) return -1; /* full speed */
        ui_screen_watch_started(&w->screen);
    }
    SDL_SetWindowMinimumSize(w->win, 320, 240);
    SDL_StopTextInput(); /* letters are commands until Tab starts editing */
    w->list.measure = &w->r.measure;
    w->dirty = 1;
    return 0;
}

/* Lays out and draws the screen when something changed. */
int plat_window_draw(PlatWindow *w, RnnError *err) {
    UiView *v = &w->screen.view;
    if (!w->dirty) return 0;
    int width, height;
    SDL_GetRendererOutputSize(w->sdl, &width, &height);
    ui_view_fit(v, width, height);
    if (w->r.zoom != v->zoom && plat_renderer_set_zoom(&w->r, v->zoom, err)) return -1;
    ui_screen_layout(&w->screen, &w->list, width, height);
    ui_screen_draw(&w->screen, &w->list);
    SDL_SetRenderDrawColor(w->sdl, 255, 255, 255, 255);
    SDL_RenderClear(w->sdl);
    plat_renderer_draw(&w->r, &w->list);
    SDL_RenderPresent(w->sdl);
    if (v->editing) {
        SDL_Rect field = {v->token_strip.x, v->token_strip.y, v->token_strip.w, v->token_strip.h};
        SDL_SetTextInputRect(&field);
    }
    w->dirty = 0;
    return 0;
}

/* Milliseconds until the pointer should hide (full screen, still, shown), or -1: never. */
static int pointer_wait(const PlatWindow *w) {
    if (w->pointer_hidden || !(SDL_GetWindowFlags(w->win) & SDL_WINDOW_FULLSCREEN_DESKTOP))
        return -1;
    Uint32 still = SDL_GetTicks() - w->pointer_moved;
    return still >= PLAT_POINTER_IDLE_MS ? 0 : (int)(PLAT_POINTER_IDLE_MS - still);
}

/* Hides the pointer when pointer_wait says it is time. */
static void pointer_check(PlatWindow *w) {
    if (pointer_wait(w) == 0) {
        SDL_ShowCursor(SDL_DISABLE);
        w->pointer_hidden = 1;
    }
}

/* One event: the window's own keys (Ctrl+S, Ctrl+G, Ctrl+O, F11), wake-ups, or the screen's. */
void plat_window_event(PlatWindow *w, SDL_Event *e) {
    UiView *v = &w->screen.view;
    int ctrl = e->type == SDL_KEYDOWN && (e->key.keysym.mod & KMOD_CTRL);
    if (e->type == SDL_MOUSEMOTION || e->type == SDL_MOUSEBUTTONDOWN) { /* the pointer is back */
        w->pointer_moved = SDL_GetTicks();
        if (w->pointer_hidden) SDL_ShowCursor(SDL_ENABLE), w->pointer_hidden = 0;
    }
    if (e->type == SDL_QUIT) {
        v->quit = 1;
    } else if (e->type == SDL_WINDOWEVENT && (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                                              e->window.event == SDL_WINDOWEVENT_EXPOSED)) {
        w->dirty = 1;
    } else if (e->type == plat_wake_event_type()) {
        SDL_AtomicSet(&wake_pending, 0);
        w->dirty |= ui_screen_poll(&w->screen);
    } else if (ctrl && e->key.keysym.sym == SDLK_s) {
        plat_window_save_screenshot(w);
        w->dirty = 1;
    } else if (ctrl && e->key.keysym.sym == SDLK_g) {
        plat_window_record(w);
        w->dirty = 1;
    } else if (ctrl && e->key.keysym.sym == SDLK_o) {
        ui_screen_key(&w->screen, UI_KEY_ESCAPE);
        ui_view_set_banner(v, 0, "%s",
                           ui_tr("Drop a model file (.json) on this window to open it."));
        w->dirty = 1;
    } else if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_F11) {
        Uint32 full = SDL_GetWindowFlags(w->win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_SetWindowFullscreen(w->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        w->dirty = 1;
    } else {
        w->dirty |= plat_handle_event(&w->screen, e);
    }
    if (e->type == SDL_DROPFILE) SDL_free(e->drop.file);
}

#ifndef __EMSCRIPTEN__ /* plat_web.c has the browser's loop */
int plat_run(const UiScreenOptions *o, RnnError *err) {
    PlatWindow w = {0};
    if (plat_window_open(&w, o, err)) {
        plat_window_close(&w);
        return -1;
    }
    UiView *v = &w.screen.view;
    Uint32 last = SDL_GetTicks();
    int rc = 0;
    while (!v->quit) {
        if (plat_window_draw(&w, err)) {
            rc = -1;
            break;
        }
        SDL_Event e;
        /* Sleep until something happens; while playing, wake for the next step; in full screen,
         * wake to hide a pointer that has not moved. */
        int wait = v->playing ? (int)(1000 / v->speed / 4) + 1 : -1, hide = pointer_wait(&w);
        if (hide >= 0 && (wait < 0 || hide < wait)) wait = hide + 1;
        int got = wait >= 0 ? SDL_WaitEventTimeout(&e, wait) : SDL_WaitEvent(&e);
        pointer_check(&w);
        Uint32 now = SDL_GetTicks();
        if (v->playing) w.dirty |= ui_screen_tick(&w.screen, (now - last) / 1000.0);
        last = now;
        for (; got; got = SDL_PollEvent(&e)) plat_window_event(&w, &e);
    }
    plat_window_close(&w);
    return rc;
}
#endif
