/* plat_gif.h - animated GIFs (giflib) of frames drawn off screen, written atomically. Not in
 * the browser build, which has no giflib. */
#ifndef RNNSCOPE_PLAT_GIF_H
#define RNNSCOPE_PLAT_GIF_H

#include "rnn.h"

#include <SDL.h>

/* Frame index (0 <= index < frames) of an animation: an ARGB8888 surface of the animation's
 * size, the caller's, valid until the next call; NULL with err set on failure. Each frame is
 * asked for twice (the palette needs every frame's colours before the first frame is
 * written), and must have the same pixels both times. */
typedef SDL_Surface *(*PlatGifFrame)(void *ctx, int index, RnnError *err);

/* How the colours fitted. */
typedef struct PlatGifInfo {
    int colours; /* distinct colours in all the frames together */
    int palette; /* entries of the global palette */
    int exact;   /* of those, colours of the frames kept exactly (all when colours <= 256) */
    long bytes;  /* the file's size */
} PlatGifInfo;

/* The palette's rule: up to this many of the most frequent colours are kept exactly when the
 * frames have more than 256 (the rest of the palette comes from a median cut). */
#define PLAT_GIF_EXACT 64

/* Writes the frames as a width x height GIF89a that loops forever (NETSCAPE2.0), each frame
 * shown for delay_cs hundredths of a second. One global palette: the frames' own colours when
 * all of them together use 256 or fewer; otherwise 255 entries, the PLAT_GIF_EXACT most
 * frequent colours exactly (flat backgrounds, text, the larger heatmap cells) and the centres
 * of a weighted median cut of the others, refined by a few rounds of k-means. Every pixel
 * takes its nearest entry: no dithering, so a flat cell stays one flat colour and text stays
 * crisp. Frames after the first store only the rectangle that changed, and in it the pixels
 * that did not change as transparent (when the palette has an entry to spare for that).
 * info may be NULL. */
int plat_gif_write(const char *path, int width, int height, int frames, int delay_cs,
                   PlatGifFrame frame, void *ctx, PlatGifInfo *info, RnnError *err);

#endif
