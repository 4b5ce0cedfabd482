/* ui_plot.c - line plots for experiment results (accuracy against gap, etc.). */
#define _POSIX_C_SOURCE 200809L
#include "ui_plot.h"
#include "ui_font.h"
#include "ui_png.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Okabe & Ito's colour-blind-safe palette: vermillion, blue, bluish green, orange, sky
 * blue, reddish purple. */
static const SDL_Color palette[UI_PLOT_MAX_SERIES] = {{213, 94, 0, 255},   {0, 114, 178, 255},
                                                      {0, 158, 115, 255},  {230, 159, 0, 255},
                                                      {86, 180, 233, 255}, {204, 121, 167, 255}};

typedef struct Canvas {
    SDL_Renderer *r;
    TTF_Font *font, *small;
} Canvas;

static void text(Canvas *c, TTF_Font *font, const char *s, int x, int y, SDL_Color color,
                 float align_x, float align_y) {
    if (!s || !*s) return;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(font, s, color);
    if (!surf) return;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(c->r, surf);
    SDL_Rect dst = {x - (int)(surf->w * align_x), y - (int)(surf->h * align_y), surf->w, surf->h};
    if (tex) SDL_RenderCopy(c->r, tex, NULL, &dst);
    SDL_DestroyTexture(tex);
    SDL_FreeSurface(surf);
}

static void thick_line(SDL_Renderer *r, int x0, int y0, int x1, int y1, int width) {
    for (int dx = -width / 2; dx <= width / 2; dx++)
        for (int dy = -width / 2; dy <= width / 2; dy++)
            SDL_RenderDrawLine(r, x0 + dx, y0 + dy, x1 + dx, y1 + dy);
}

/* Marker k: circle-ish diamond, square, triangle, ... so lines differ without colour. */
static void marker(SDL_Renderer *r, int k, int x, int y, int s) {
    if (k % 3 == 1) {
        SDL_Rect box = {x - s, y - s, 2 * s + 1, 2 * s + 1};
        SDL_RenderFillRect(r, &box);
    } else if (k % 3 == 2) {
        for (int dy = -s; dy <= s; dy++) {
            int half = (dy + s) / 2;
            SDL_RenderDrawLine(r, x - half, y + dy, x + half, y + dy);
        }
    } else {
        for (int dy = -s; dy <= s; dy++) {
            int half = s - abs(dy);
            SDL_RenderDrawLine(r, x - half, y + dy, x + half, y + dy);
        }
    }
}

static double y_position(const UiLinePlot *p, double v) {
    if (p->log_y) return (log10(v) - log10(p->y_min)) / (log10(p->y_max) - log10(p->y_min));
    return (v - p->y_min) / (p->y_max - p->y_min);
}

int ui_plot_write_png(const char *path, const UiLinePlot *p, int W, int H, RnnError *err) {
    if (p->n < 1 || p->nseries < 1 || p->nseries > UI_PLOT_MAX_SERIES || !(p->y_max > p->y_min))
        return rnn_error_set(err, "%s: nothing to plot", path);
    if (!TTF_WasInit() && TTF_Init() != 0)
        return rnn_error_set(err, "cannot start SDL2_ttf: %s", TTF_GetError());
    int hangul;
    char *font_path = ui_font_find(NULL, &hangul, err);
    if (!font_path) return -1;
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    Canvas c = {surface ? SDL_CreateSoftwareRenderer(surface) : NULL, TTF_OpenFont(font_path, 20),
                TTF_OpenFont(font_path, 16)};
    free(font_path);
    int rc = -1;
    if (!c.r || !c.font || !c.small) {
        rnn_error_set(err, "%s: cannot draw: %s", path, c.r ? TTF_GetError() : SDL_GetError());
        goto done;
    }
    SDL_Color ink = {33, 33, 33, 255}, grey = {120, 120, 120, 255}, grid = {225, 225, 225, 255};
    SDL_SetRenderDrawColor(c.r, 255, 255, 255, 255);
    SDL_RenderClear(c.r);
    int left = 90, right = W - 170, top = 70, bottom = H - 80;
    text(&c, c.font, p->title, W / 2, 20, ink, 0.5f, 0);
    /* the x axis is spaced by rank so that 5, 10, 20, 50, 100 are evenly readable */
    int n = p->n;
#define XPOS(i) (n == 1 ? (left + right) / 2 : left + (int)((double)(i) * (right - left) / (n - 1)))
#define YPOS(v) (bottom - (int)(y_position(p, (v)) * (bottom - top) + 0.5))
    /* grid and y ticks */
    for (int k = 0; k <= 5; k++) {
        double v = p->log_y ? pow(10, log10(p->y_min) + k * (log10(p->y_max) - log10(p->y_min)) / 5)
                            : p->y_min + k * (p->y_max - p->y_min) / 5;
        int y = YPOS(v);
        SDL_SetRenderDrawColor(c.r, grid.r, grid.g, grid.b, 255);
        SDL_RenderDrawLine(c.r, left, y, right, y);
        char label[32];
        snprintf(label, sizeof label, p->log_y ? "%.0e" : "%.1f", v);
        text(&c, c.small, label, left - 10, y, grey, 1, 0.5f);
    }
    for (int i = 0; i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "%g", p->x[i]);
        SDL_SetRenderDrawColor(c.r, grid.r, grid.g, grid.b, 255);
        SDL_RenderDrawLine(c.r, XPOS(i), top, XPOS(i), bottom);
        text(&c, c.small, label, XPOS(i), bottom + 8, grey, 0.5f, 0);
    }
    SDL_SetRenderDrawColor(c.r, ink.r, ink.g, ink.b, 255);
    SDL_RenderDrawLine(c.r, left, bottom, right, bottom);
    SDL_RenderDrawLine(c.r, left, top, left, bottom);
    text(&c, c.small, p->x_label, (left + right) / 2, H - 40, ink, 0.5f, 0);
    text(&c, c.small, p->y_label, 20, top - 30, ink, 0, 0);
    /* the reference line, dashed */
    if (p->hline_label && isfinite(p->hline) && p->hline >= p->y_min && p->hline <= p->y_max) {
        int y = YPOS(p->hline);
        SDL_SetRenderDrawColor(c.r, grey.r, grey.g, grey.b, 255);
        for (int x = left; x < right; x += 12)
            SDL_RenderDrawLine(c.r, x, y, x + 6 < right ? x + 6 : right, y);
        text(&c, c.small, p->hline_label, right + 8, y, grey, 0, 0.5f);
    }
    /* the series, each with its own colour and marker, and a legend; earlier series are
     * drawn wider so that a line lying on top of another still shows the one beneath */
    for (int s = 0; s < p->nseries; s++) {
        SDL_Color col = palette[s];
        int width = 3 + 2 * (p->nseries - 1 - s), size = 6 + 2 * (p->nseries - 1 - s);
        SDL_SetRenderDrawColor(c.r, col.r, col.g, col.b, 255);
        for (int i = 0; i + 1 < n; i++)
            if (isfinite(p->series[s].y[i]) && isfinite(p->series[s].y[i + 1]))
                thick_line(c.r, XPOS(i), YPOS(p->series[s].y[i]), XPOS(i + 1),
                           YPOS(p->series[s].y[i + 1]), width);
        for (int i = 0; i < n; i++)
            if (isfinite(p->series[s].y[i])) marker(c.r, s, XPOS(i), YPOS(p->series[s].y[i]), size);
        int ly = top + 10 + s * 30;
        thick_line(c.r, right + 20, ly, right + 50, ly, 3);
        marker(c.r, s, right + 35, ly, 6);
        text(&c, c.font, p->series[s].name, right + 60, ly, ink, 0, 0.5f);
    }
#undef XPOS
#undef YPOS
    SDL_RenderPresent(c.r);
    rc = ui_png_write(path, surface, err);
done:
    if (c.font) TTF_CloseFont(c.font);
    if (c.small) TTF_CloseFont(c.small);
    if (c.r) SDL_DestroyRenderer(c.r);
    SDL_FreeSurface(surface);
    return rc;
}
