/* plat.h - what the command line asks of the platform: the window, headless frames and
 * plots. No SDL type appears here, so the app layer never sees SDL's headers; plat_sdl.h
 * has the renderer and event mapping behind these, for the platform and its tests. */
#ifndef RNNSCOPE_PLAT_H
#define RNNSCOPE_PLAT_H

#include "rnn.h"
#include "ui_plot.h"
#include "ui_screen.h"

/* rnnscope screenshot: the screen the options describe, as a PNG written atomically. No
 * display needed (SDL's software renderer). */
int plat_screenshot(const UiScreenOptions *o, const char *png_path, RnnError *err);
/* rnnscope record: the screen the options describe, one frame per time step from `from` to
 * `to` (words read; on the backward pass, steps walked back from the last word), each the
 * frame `rnnscope screenshot --step k` draws, as an animated GIF (plat_gif.h has the palette's
 * rule) or as numbered PNGs (step-00.png, step-01.png ...) in a folder. */
typedef struct PlatRecording {
    int from, to;         /* -1: the first step / the last (T words read, or T - 1 back) */
    int delay_ms;         /* each frame's time on screen (the GIF keeps hundredths) */
    const char *gif_path; /* write an animated GIF here, */
    const char *png_dir;  /* or the frames as PNGs into this existing folder */
    /* filled in (from and to too, when -1): */
    int frames;
    int colours, palette; /* GIF: distinct colours, and the palette's entries */
    long bytes;           /* GIF: the file's size */
} PlatRecording;
int plat_record(const UiScreenOptions *o, PlatRecording *rec, RnnError *err);
/* A line plot (ui_plot.h) as a width x height PNG, drawn like a frame of the window. */
int plat_plot_png(const char *path, const UiLinePlot *plot, int width, int height, RnnError *err);
/* The window: returns when the user quits. A watch job (o->watch_job) is driven while the
 * window is open and no longer touched when this returns. */
int plat_run(const UiScreenOptions *o, RnnError *err);

#endif
