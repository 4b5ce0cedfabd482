/* plat_gif.c - giflib into memory, then io_write_file_atomic. Two passes over the frames:
 * the first counts every colour, the palette is built from the counts, the second maps each
 * pixel to its nearest palette entry and encodes. */
#include "plat_gif.h"
#include "io.h"

#include <gif_lib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the colours of all frames: a hash table of 0xRRGGBB -> count, then palette index ---- */

typedef struct Colours {
    uint32_t *key; /* 0xRRGGBB + 1; 0: an empty slot */
    uint64_t *count;
    uint8_t *index; /* the palette entry of the colour, once the palette exists */
    size_t cap, used;
} Colours;

static void colours_free(Colours *c) {
    free(c->key), free(c->count), free(c->index);
    memset(c, 0, sizeof *c);
}

static size_t slot_of(const Colours *c, uint32_t key) {
    size_t i = (size_t)(key * 2654435761u) & (c->cap - 1);
    while (c->key[i] && c->key[i] != key) i = (i + 1) & (c->cap - 1);
    return i;
}

static int colours_grow(Colours *c) {
    Colours big = {0};
    big.cap = c->cap ? c->cap * 2 : 4096;
    big.key = calloc(big.cap, sizeof *big.key);
    big.count = calloc(big.cap, sizeof *big.count);
    big.index = calloc(big.cap, sizeof *big.index);
    if (!big.key || !big.count || !big.index) {
        colours_free(&big);
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++)
        if (c->key[i]) {
            size_t j = slot_of(&big, c->key[i]);
            big.key[j] = c->key[i], big.count[j] = c->count[i];
        }
    big.used = c->used;
    colours_free(c);
    *c = big;
    return 0;
}

static int colours_add(Colours *c, uint32_t rgb, uint64_t n) {
    if (2 * (c->used + 1) > c->cap && colours_grow(c)) return -1;
    size_t i = slot_of(c, rgb + 1);
    if (!c->key[i]) c->key[i] = rgb + 1, c->used++;
    c->count[i] += n;
    return 0;
}

/* The pixel at row y of an ARGB8888 surface, as 0xRRGGBB. */
static const uint32_t *row_of(const SDL_Surface *s, int y) {
    return (const uint32_t *)((const uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
}

/* Counts a frame's colours, a run of equal pixels at a time. */
static int count_frame(Colours *c, const SDL_Surface *s) {
    for (int y = 0; y < s->h; y++) {
        const uint32_t *p = row_of(s, y);
        for (int x = 0; x < s->w;) {
            uint32_t rgb = p[x] & 0xFFFFFF;
            int run = 1;
            while (x + run < s->w && (p[x + run] & 0xFFFFFF) == rgb) run++;
            if (colours_add(c, rgb, (uint64_t)run)) return -1;
            x += run;
        }
    }
    return 0;
}

/* ---- the palette ---------------------------------------------------------------------------- */

typedef struct Colour {
    int c[3]; /* r, g, b */
    uint64_t count;
    int nearest; /* k-means: the palette entry it belongs to */
} Colour;

static int by_count(const void *a, const void *b) {
    const Colour *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    for (int k = 0; k < 3; k++) /* ties: by colour, so the palette never depends on the table */
        if (x->c[k] != y->c[k]) return x->c[k] - y->c[k];
    return 0;
}

static int by_r(const void *a, const void *b) {
    return ((const Colour *)a)->c[0] - ((const Colour *)b)->c[0];
}
static int by_g(const void *a, const void *b) {
    return ((const Colour *)a)->c[1] - ((const Colour *)b)->c[1];
}
static int by_b(const void *a, const void *b) {
    return ((const Colour *)a)->c[2] - ((const Colour *)b)->c[2];
}

/* A box of the median cut: items[lo, hi), its weighted squared error and widest axis. */
typedef struct Box {
    int lo, hi, axis;
    double sse;
} Box;

static void measure_box(const Colour *items, Box *b) {
    double w = 0, sum[3] = {0}, sq[3] = {0};
    for (int i = b->lo; i < b->hi; i++) {
        double n = (double)items[i].count;
        w += n;
        for (int k = 0; k < 3; k++)
            sum[k] += n * items[i].c[k], sq[k] += n * items[i].c[k] * items[i].c[k];
    }
    b->sse = 0, b->axis = 0;
    double best = -1;
    for (int k = 0; k < 3; k++) {
        double var = sq[k] - sum[k] * sum[k] / w; /* weighted squared error along axis k */
        if (var < 0) var = 0;
        b->sse += var;
        if (var > best) best = var, b->axis = k;
    }
    if (b->hi - b->lo < 2) b->sse = 0;
}

/* Splits box b at the weighted median of its widest axis into b and *out. 0, or -1 when it
 * cannot be split. */
static int split_box(Colour *items, Box *b, Box *out) {
    int (*cmp[3])(const void *, const void *) = {by_r, by_g, by_b};
    qsort(items + b->lo, (size_t)(b->hi - b->lo), sizeof *items, cmp[b->axis]);
    double total = 0, run = 0;
    for (int i = b->lo; i < b->hi; i++) total += (double)items[i].count;
    int m = b->lo + 1;
    for (int i = b->lo; i < b->hi - 1; i++) {
        run += (double)items[i].count;
        m = i + 1;
        if (run >= total / 2) break;
    }
    /* colours equal on the axis stay in one box: move the cut to where the value changes */
    int a = b->axis;
    while (m < b->hi && items[m].c[a] == items[m - 1].c[a]) m++;
    if (m == b->hi) {
        m = b->lo + 1;
        while (m < b->hi && items[m].c[a] == items[m - 1].c[a]) m++;
    }
    if (m <= b->lo || m >= b->hi) return -1;
    *out = (Box){m, b->hi, 0, 0};
    b->hi = m;
    measure_box(items, b);
    measure_box(items, out);
    return 0;
}

static long distance2(const int *a, const int *b) {
    long d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
    return d0 * d0 + d1 * d1 + d2 * d2;
}

/* The nearest of the palette's n entries; ties go to the lower index (exact colours first). */
static int nearest(const int pal[][3], int n, const int *c) {
    int best = 0;
    long bd = distance2(pal[0], c);
    for (int k = 1; k < n && bd; k++) {
        long d = distance2(pal[k], c);
        if (d < bd) bd = d, best = k;
    }
    return best;
}

/* The palette of items (n colours, any order; sorted by count here): pal[0..*npal), at most
 * max entries (<= 256) when there are more colours than 256, of which the first *exact are
 * colours of the frames. -1: out of memory. */
static int build_palette(Colour *items, int n, int max, int pal[256][3], int *npal, int *exact) {
    qsort(items, (size_t)n, sizeof *items, by_count);
    int fixed = n <= 256 ? n : PLAT_GIF_EXACT;
    for (int i = 0; i < fixed; i++) memcpy(pal[i], items[i].c, sizeof pal[i]);
    *npal = *exact = fixed;
    if (n <= 256) return 0;
    /* the rest: a weighted median cut into the entries left, splitting the box with the largest
     * squared error each time */
    Colour *rest = items + fixed;
    int nrest = n - fixed, want = max - fixed, nbox = 1;
    Box *boxes = malloc((size_t)want * sizeof *boxes);
    if (!boxes) return -1;
    boxes[0] = (Box){0, nrest, 0, 0};
    measure_box(rest, &boxes[0]);
    while (nbox < want) {
        int worst = 0;
        for (int k = 1; k < nbox; k++)
            if (boxes[k].sse > boxes[worst].sse) worst = k;
        if (boxes[worst].sse <= 0 || split_box(rest, &boxes[worst], &boxes[nbox])) break;
        nbox++;
    }
    double sum[256][4];
    for (int k = 0; k < nbox; k++) {
        memset(sum[k], 0, sizeof sum[k]);
        for (int i = boxes[k].lo; i < boxes[k].hi; i++)
            for (int c = 0; c < 3; c++) sum[k][c] += (double)rest[i].count * rest[i].c[c];
        for (int i = boxes[k].lo; i < boxes[k].hi; i++) sum[k][3] += (double)rest[i].count;
        for (int c = 0; c < 3; c++) pal[fixed + k][c] = (int)(sum[k][c] / sum[k][3] + 0.5);
    }
    free(boxes);
    *npal = fixed + nbox;
    /* k-means: each colour joins its nearest entry, each free entry moves to the mean of its
     * colours (the exact ones stay) */
    for (int round = 0; round < 4; round++) {
        for (int k = 0; k < nbox; k++) memset(sum[k], 0, sizeof sum[k]);
        for (int i = 0; i < nrest; i++) {
            int e = nearest((const int(*)[3])pal, *npal, rest[i].c) - fixed;
            if (e < 0) continue;
            for (int c = 0; c < 3; c++) sum[e][c] += (double)rest[i].count * rest[i].c[c];
            sum[e][3] += (double)rest[i].count;
        }
        for (int k = 0; k < nbox; k++)
            if (sum[k][3] > 0)
                for (int c = 0; c < 3; c++) pal[fixed + k][c] = (int)(sum[k][c] / sum[k][3] + 0.5);
    }
    return 0;
}

/* ---- encoding ------------------------------------------------------------------------------ */

static int put_bytes(GifFileType *gif, const GifByteType *data, int n) {
    IoBuf *b = gif->UserData;
    io_buf_put(b, (const char *)data, (size_t)n);
    return b->failed ? 0 : n;
}

/* The frame's pixels as palette indices into out (width x height). */
static void map_frame(const Colours *c, const int pal[][3], int npal, const SDL_Surface *s,
                      uint8_t *out) {
    uint32_t last = 0xFFFFFFFF;
    uint8_t idx = 0;
    for (int y = 0; y < s->h; y++) {
        const uint32_t *p = row_of(s, y);
        for (int x = 0; x < s->w; x++) {
            uint32_t rgb = p[x] & 0xFFFFFF;
            if (rgb != last) {
                size_t i = slot_of(c, rgb + 1);
                if (c->key[i]) {
                    idx = c->index[i];
                } else { /* a colour the first pass did not see */
                    int v[3] = {(int)(rgb >> 16), (int)(rgb >> 8 & 0xFF), (int)(rgb & 0xFF)};
                    idx = (uint8_t)nearest(pal, npal, v);
                }
                last = rgb;
            }
            out[(size_t)y * (size_t)s->w + (size_t)x] = idx;
        }
    }
}

static int gif_failed(RnnError *err, const char *path, const char *what, int code) {
    return rnn_error_set(err, "%s: %s: %s", path, what, GifErrorString(code));
}

/* The loop extension: NETSCAPE2.0, sub-block 1, loop count 0 (forever). */
static int put_loop(GifFileType *gif) {
    static const unsigned char loop[3] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif) == GIF_ERROR)
        return -1;
    return 0;
}

static SDL_Surface *checked_frame(PlatGifFrame frame, void *ctx, int i, int width, int height,
                                  const char *path, RnnError *err) {
    SDL_Surface *s = frame(ctx, i, err);
    if (s && (s->w != width || s->h != height || s->format->format != SDL_PIXELFORMAT_ARGB8888)) {
        rnn_error_set(err, "%s: frame %d is not a %dx%d ARGB8888 image", path, i, width, height);
        return NULL;
    }
    return s;
}

int plat_gif_write(const char *path, int width, int height, int frames, int delay_cs,
                   PlatGifFrame frame, void *ctx, PlatGifInfo *info, RnnError *err) {
    if (frames < 1 || width < 1 || height < 1 || width > 65535 || height > 65535)
        return rnn_error_set(err, "%s: a GIF needs 1 or more frames of 1 to 65535 pixels a side",
                             path);
    if (delay_cs < 0 || delay_cs > 65535)
        return rnn_error_set(err, "%s: a GIF frame's delay is 0 to 65535 hundredths of a second",
                             path);
    Colours c = {0};
    Colour *items = NULL;
    uint8_t *prev = NULL, *cur = NULL, *line = NULL;
    IoBuf buf = {0};
    GifFileType *gif = NULL;
    ColorMapObject *map = NULL;
    int rc = -1, code = 0, n = 0, npal = 0, exact = 0, pal[256][3], clear;
    size_t area = (size_t)width * (size_t)height;
    /* pass 1: every colour of every frame, with how many pixels have it */
    for (int i = 0; i < frames; i++) {
        SDL_Surface *s = checked_frame(frame, ctx, i, width, height, path, err);
        if (!s) goto done;
        if (count_frame(&c, s)) goto oom;
    }
    if (!(items = malloc(c.used * sizeof *items))) goto oom;
    for (size_t i = 0; i < c.cap; i++)
        if (c.key[i]) {
            uint32_t rgb = c.key[i] - 1;
            items[n++] = (Colour){
                {(int)(rgb >> 16), (int)(rgb >> 8 & 0xFF), (int)(rgb & 0xFF)}, c.count[i], 0};
        }
    /* 255 entries at most when quantizing: the last index is the transparent one, for the
     * pixels a frame leaves as the frame before had them */
    if (build_palette(items, n, 255, pal, &npal, &exact)) goto oom;
    clear = npal < 256 ? npal : NO_TRANSPARENT_COLOR;
    for (size_t i = 0; i < c.cap; i++)
        if (c.key[i]) {
            uint32_t rgb = c.key[i] - 1;
            int v[3] = {(int)(rgb >> 16), (int)(rgb >> 8 & 0xFF), (int)(rgb & 0xFF)};
            c.index[i] = (uint8_t)nearest((const int(*)[3])pal, npal, v);
        }
    int size = 2; /* a GIF's colour table has 2^k entries */
    while (size < npal + (clear >= 0)) size *= 2;
    if (!(map = GifMakeMapObject(size, NULL))) goto oom;
    for (int k = 0; k < size; k++)
        map->Colors[k] = k < npal ? (GifColorType){(GifByteType)pal[k][0], (GifByteType)pal[k][1],
                                                   (GifByteType)pal[k][2]}
                                  : (GifColorType){0, 0, 0};
    /* pass 2: each frame as palette indices, the changed rectangle of each after the first */
    if (!(prev = malloc(area)) || !(cur = malloc(area)) || !(line = malloc((size_t)width)))
        goto oom;
    if (!(gif = EGifOpen(&buf, put_bytes, &code))) {
        gif_failed(err, path, "cannot start the GIF", code);
        goto done;
    }
    EGifSetGifVersion(gif, true); /* GIF89a: the extensions below need it */
    if (EGifPutScreenDesc(gif, width, height, 8, 0, map) == GIF_ERROR || put_loop(gif)) {
        gif_failed(err, path, "cannot write the GIF's header", gif->Error);
        goto done;
    }
    for (int i = 0; i < frames; i++) {
        SDL_Surface *s = checked_frame(frame, ctx, i, width, height, path, err);
        if (!s) goto done;
        map_frame(&c, (const int(*)[3])pal, npal, s, cur);
        int x0 = 0, y0 = 0, x1 = width - 1, y1 = height - 1; /* the rectangle to store */
        if (i > 0) {
            x0 = width, y0 = height, x1 = -1, y1 = -1;
            for (int y = 0; y < height; y++) {
                const uint8_t *a = cur + (size_t)y * (size_t)width,
                              *b = prev + (size_t)y * (size_t)width;
                if (!memcmp(a, b, (size_t)width)) continue;
                if (y < y0) y0 = y;
                y1 = y;
                int l = 0, r = width - 1;
                while (a[l] == b[l]) l++;
                while (a[r] == b[r]) r--;
                if (l < x0) x0 = l;
                if (r > x1) x1 = r;
            }
            if (x1 < 0) x0 = y0 = x1 = y1 = 0; /* nothing changed: one pixel, as it was */
        }
        /* pixels as they were are transparent: the frame before shows through (and LZW packs
         * the runs of one index well) */
        int see_through = i > 0 ? clear : NO_TRANSPARENT_COLOR;
        GraphicsControlBlock gcb = {DISPOSE_DO_NOT, false, delay_cs, see_through};
        GifByteType ext[4];
        int w = x1 - x0 + 1;
        EGifGCBToExtension(&gcb, ext);
        if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR ||
            EGifPutImageDesc(gif, x0, y0, w, y1 - y0 + 1, false, NULL) == GIF_ERROR) {
            gif_failed(err, path, "cannot write a frame", gif->Error);
            goto done;
        }
        for (int y = y0; y <= y1; y++) {
            const uint8_t *a = cur + (size_t)y * (size_t)width + (size_t)x0,
                          *b = prev + (size_t)y * (size_t)width + (size_t)x0;
            for (int x = 0; x < w; x++)
                line[x] = see_through >= 0 && a[x] == b[x] ? (uint8_t)see_through : a[x];
            if (EGifPutLine(gif, line, w) == GIF_ERROR) {
                gif_failed(err, path, "cannot write a frame", gif->Error);
                goto done;
            }
        }
        uint8_t *t = prev;
        prev = cur, cur = t;
    }
    int closed = EGifCloseFile(gif, &code);
    gif = NULL;
    if (closed == GIF_ERROR) {
        gif_failed(err, path, "cannot finish the GIF", code);
        goto done;
    }
    if (buf.failed) goto oom;
    if (io_write_file_atomic(path, buf.data, buf.len, err)) goto done;
    if (info) *info = (PlatGifInfo){n, npal, exact, (long)buf.len};
    rc = 0;
    goto done;
oom:
    rnn_error_set(err, "%s: out of memory", path);
done:
    if (gif) EGifCloseFile(gif, &code);
    GifFreeMapObject(map);
    free(items), free(prev), free(cur), free(line);
    colours_free(&c);
    io_buf_free(&buf);
    return rc;
}
