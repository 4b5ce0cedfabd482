/* test_record.c - `rnnscope record`: an animated GIF with one frame per time step, read back
 * with giflib's decoder (frame count, size, delay, the loop), each frame's heatmap cells in
 * the colours the native screenshot of that step has, flat, never dithered; the PNG frames
 * byte for byte the screenshots; and the palette's rule on frames made up for it. */
#include "test_sdl.h"

#include "plat_gif.h"

#include <gif_lib.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECALL "violin the very and so it was just some ?" /* 10 words */
#define WIDTH  960
#define HEIGHT 600
/* How far a heatmap cell's colour in the GIF may be from the screenshot's, per channel: the
 * palette's median cut puts an entry within a few levels of every cell colour (8 at most,
 * measured on this sentence at 960x600). */
#define CELL_TOLERANCE 10

/* ---- reading a GIF back ---------------------------------------------------------------------- */

typedef struct Gif {
    int width, height, frames;
    int delay[64]; /* hundredths of a second */
    int loops;     /* the NETSCAPE2.0 loop count, or -1 when there is none */
    uint8_t *rgb;  /* frames x height x width x 3, each frame as it shows (composited) */
} Gif;

static const uint8_t *gif_pixel(const Gif *g, int frame, int x, int y) {
    return g->rgb + (((size_t)frame * g->height + y) * g->width + x) * 3;
}

/* Decodes path with giflib and composites every frame onto the ones before (each stores a
 * rectangle, its unchanged pixels transparent; disposal: leave in place). */
static Gif read_gif(const char *path) {
    int code = 0;
    GifFileType *f = DGifOpenFileName(path, &code);
    if (!f) fail_msg("%s: %s", path, GifErrorString(code));
    if (DGifSlurp(f) == GIF_ERROR) fail_msg("%s: %s", path, GifErrorString(f->Error));
    Gif g = {f->SWidth, f->SHeight, f->ImageCount, {0}, -1, NULL};
    assert_true(g.frames <= 64);
    assert_non_null(f->SColorMap);
    size_t frame_bytes = (size_t)g.width * g.height * 3;
    g.rgb = calloc((size_t)g.frames, frame_bytes);
    assert_non_null(g.rgb);
    for (int i = 0; i < f->ImageCount; i++) {
        const SavedImage *im = &f->SavedImages[i];
        for (int e = 0; e + 1 < im->ExtensionBlockCount; e++) /* NETSCAPE2.0, then its data */
            if (im->ExtensionBlocks[e].Function == APPLICATION_EXT_FUNC_CODE &&
                im->ExtensionBlocks[e].ByteCount == 11 &&
                !memcmp(im->ExtensionBlocks[e].Bytes, "NETSCAPE2.0", 11) &&
                im->ExtensionBlocks[e + 1].ByteCount == 3 &&
                im->ExtensionBlocks[e + 1].Bytes[0] == 1)
                g.loops = im->ExtensionBlocks[e + 1].Bytes[1] | im->ExtensionBlocks[e + 1].Bytes[2]
                                                                    << 8;
        GraphicsControlBlock gcb;
        if (DGifSavedExtensionToGCB(f, i, &gcb) == GIF_ERROR) fail_msg("frame %d: no GCB", i);
        g.delay[i] = gcb.DelayTime;
        uint8_t *canvas = g.rgb + (size_t)i * frame_bytes;
        if (i > 0) memcpy(canvas, canvas - frame_bytes, frame_bytes);
        const ColorMapObject *map = im->ImageDesc.ColorMap ? im->ImageDesc.ColorMap : f->SColorMap;
        const GifImageDesc *d = &im->ImageDesc;
        assert_false(d->Interlace);
        assert_true(d->Left + d->Width <= g.width && d->Top + d->Height <= g.height);
        for (int y = 0; y < d->Height; y++)
            for (int x = 0; x < d->Width; x++) {
                int k = im->RasterBits[(size_t)y * d->Width + x];
                if (k == gcb.TransparentColor) continue;
                assert_true(k < map->ColorCount);
                uint8_t *p = canvas + (((size_t)(d->Top + y)) * g.width + d->Left + x) * 3;
                p[0] = map->Colors[k].Red, p[1] = map->Colors[k].Green, p[2] = map->Colors[k].Blue;
            }
    }
    DGifCloseFile(f, &code);
    return g;
}

/* ---- the screenshot of a step ---------------------------------------------------------------- */

static void prepare_step(UiScreen *s, UiScreenOptions *o, int step, int backward) {
    RnnError err;
    ui_screen_options_default(o);
    o->model_path = MODELS "recall-lstm.json";
    o->text = RECALL;
    o->step = step;
    o->backward = backward;
    o->width = WIDTH, o->height = HEIGHT;
    if (ui_screen_prepare(s, o, NULL, &err)) fail_msg("%s", err.message);
}

static void native_rgb(SDL_Surface *s, int x, int y, uint8_t out[3]) {
    Uint32 p = ((Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch))[x];
    SDL_GetRGB(p, s->format, &out[0], &out[1], &out[2]);
}

/* Frame k of the GIF against the screenshot of step k: every heatmap cell that has a value
 * (and a few that do not), at its centre within CELL_TOLERANCE, and one flat colour across its
 * inside. Returns the largest difference seen. */
static int check_frame_cells(const Gif *g, int frame, int step, int backward) {
    UiScreen s;
    UiScreenOptions o;
    RnnError err;
    prepare_step(&s, &o, step, backward);
    SDL_Surface *shot = plat_render_surface(&s, &o, &err);
    if (!shot) fail_msg("%s", err.message);
    const UiView *v = &s.view;
    assert_true(v->nheatmaps >= 6); /* h, c and the LSTM's four gates */
    int worst = 0, cells = 0;
    for (int i = 0; i < v->nheatmaps; i++) {
        const UiHeatmap *hm = &v->heatmaps[i];
        assert_true(hm->cell_w >= 4 && hm->cell_h >= 4);
        for (int t = hm->t0; t < hm->t0 + hm->cols; t++)
            for (int u = hm->u0; u < hm->u0 + hm->rows; u++) {
                int cx = hm->rect.x + (t - hm->t0) * hm->cell_w,
                    cy = hm->rect.y + (u - hm->u0) * hm->cell_h;
                uint8_t want[3];
                native_rgb(shot, cx + hm->cell_w / 2, cy + hm->cell_h / 2, want);
                const uint8_t *got = gif_pixel(g, frame, cx + hm->cell_w / 2, cy + hm->cell_h / 2);
                for (int c = 0; c < 3; c++) {
                    int d = abs((int)got[c] - (int)want[c]);
                    if (d > worst) worst = d;
                    if (d > CELL_TOLERANCE)
                        fail_msg("frame %d, heatmap %d, unit %d, t %d: GIF %d,%d,%d, screenshot "
                                 "%d,%d,%d",
                                 frame, i, u, t, got[0], got[1], got[2], want[0], want[1], want[2]);
                }
                /* no dithering: the inside of the cell (clear of the grid and the current
                 * column's outline) is one colour */
                for (int y = cy + hm->cell_h / 4; y < cy + hm->cell_h * 3 / 4; y++)
                    for (int x = cx + hm->cell_w / 4; x < cx + hm->cell_w * 3 / 4; x++) {
                        uint8_t here[3];
                        native_rgb(shot, x, y, here);
                        if (memcmp(here, want, 3)) continue; /* the screenshot is not flat here */
                        if (memcmp(gif_pixel(g, frame, x, y), got, 3))
                            fail_msg("frame %d, heatmap %d, unit %d, t %d: the cell is not one "
                                     "colour at %d,%d",
                                     frame, i, u, t, x, y);
                    }
                cells++;
            }
    }
    assert_true(cells >= 6 * 16 * 10);
    SDL_FreeSurface(shot);
    ui_screen_free(&s);
    return worst;
}

static char *temp_path(const char *suffix) {
    static char path[256];
    snprintf(path, sizeof path, "/tmp/rnnscope-record-%ld%s", (long)getpid(), suffix);
    return path;
}

/* ---- the tests ------------------------------------------------------------------------------- */

/* A 10-word sentence gives 11 frames (0 to 10 words read), each the screenshot of its step. */
static void test_gif_has_a_frame_per_step_in_the_screenshots_colours(void **state) {
    (void)state;
    char gif[256];
    snprintf(gif, sizeof gif, "%s", temp_path(".gif"));
    char *argv[] = {"rnnscope", "record", "--out",  gif,       "--model", MODELS "recall-lstm.json",
                    "--text",   RECALL,   "--size", "960x600", "--delay", "400"};
    Captured c = run_cli(12, argv);
    if (c.code != 0) fail_msg("exit %d: %s", c.code, c.err);
    assert_non_null(strstr(c.out, "11 frames, words read 0 to 10"));
    captured_free(&c);
    Gif g = read_gif(gif);
    assert_int_equal(g.frames, 11);
    assert_int_equal(g.width, WIDTH);
    assert_int_equal(g.height, HEIGHT);
    assert_int_equal(g.loops, 0); /* forever */
    for (int k = 0; k < g.frames; k++) assert_int_equal(g.delay[k], 40);
    int worst = 0;
    for (int k = 0; k < g.frames; k++) {
        int w = check_frame_cells(&g, k, k, 0);
        if (w > worst) worst = w;
    }
    print_message("largest cell colour difference over 11 frames: %d of 255\n", worst);
    free(g.rgb);
    unlink(gif);
}

/* --backward walks back from the last word: 10 frames, 0 to 9 steps back. */
static void test_backward_gif_walks_back(void **state) {
    (void)state;
    char gif[256];
    snprintf(gif, sizeof gif, "%s", temp_path("-back.gif"));
    char *argv[] = {
        "rnnscope", "record", "--out",  gif,       "--model",   MODELS "recall-lstm.json",
        "--text",   RECALL,   "--size", "960x600", "--backward"};
    Captured c = run_cli(11, argv);
    if (c.code != 0) fail_msg("exit %d: %s", c.code, c.err);
    captured_free(&c);
    Gif g = read_gif(gif);
    assert_int_equal(g.frames, 10);
    for (int k = 0; k < g.frames; k++) assert_int_equal(g.delay[k], 100); /* 1000 ms */
    check_frame_cells(&g, 0, 0, 1);
    check_frame_cells(&g, 9, 9, 1);
    free(g.rgb);
    unlink(gif);
}

/* --out DIR/ writes step-00.png ... step-10.png, each the very file `screenshot --step k`
 * writes; --from and --to choose the steps. */
static void test_png_frames_are_the_screenshots(void **state) {
    (void)state;
    char dir[256], shot[300], frame[300];
    snprintf(dir, sizeof dir, "%s", temp_path("-frames/"));
    char *argv[] = {"rnnscope", "record", "--out", dir, "--model", MODELS "recall-lstm.json",
                    "--text",   RECALL};
    Captured c = run_cli(8, argv);
    if (c.code != 0) fail_msg("exit %d: %s", c.code, c.err);
    assert_non_null(strstr(c.out, "11 PNGs"));
    captured_free(&c);
    snprintf(shot, sizeof shot, "%s", temp_path("-shot.png"));
    for (int k = 0; k <= 11; k++) {
        snprintf(frame, sizeof frame, "%sstep-%02d.png", dir, k);
        if (k == 11) { /* no more */
            assert_int_not_equal(access(frame, F_OK), 0);
            break;
        }
        char step[8];
        snprintf(step, sizeof step, "%d", k);
        char *sargv[] = {
            "rnnscope", "screenshot", "--out",  shot, "--model", MODELS "recall-lstm.json",
            "--text",   RECALL,       "--step", step};
        c = run_cli(10, sargv);
        assert_int_equal(c.code, 0);
        captured_free(&c);
        size_t a_len, b_len;
        char *a, *b;
        RnnError err;
        if (io_read_file(frame, 1 << 24, &a, &a_len, &err) ||
            io_read_file(shot, 1 << 24, &b, &b_len, &err))
            fail_msg("%s", err.message);
        if (a_len != b_len || memcmp(a, b, a_len))
            fail_msg("%s is not the screenshot of step %d", frame, k);
        free(a), free(b);
        unlink(frame);
    }
    unlink(shot);
    /* a folder that exists, without the slash; steps 3 to 5 */
    dir[strlen(dir) - 1] = '\0';
    char *part[] = {"rnnscope", "record", "--out", dir, "--from", "3", "--to", "5"};
    c = run_cli(8, part);
    if (c.code != 0) fail_msg("exit %d: %s", c.code, c.err);
    captured_free(&c);
    for (int k = 0; k <= 10; k++) {
        snprintf(frame, sizeof frame, "%s/step-%02d.png", dir, k);
        assert_int_equal(access(frame, F_OK) == 0, k >= 3 && k <= 5);
        unlink(frame);
    }
    rmdir(dir);
}

/* Steps the sentence does not have, and --step, are refused. */
static void test_bad_ranges_are_refused(void **state) {
    (void)state;
    char gif[256];
    snprintf(gif, sizeof gif, "%s", temp_path("-bad.gif"));
    char *beyond[] = {"rnnscope", "record", "--out", gif, "--text", RECALL, "--to", "11"};
    Captured c = run_cli(8, beyond);
    assert_int_equal(c.code, 1);
    assert_non_null(strstr(c.err, "--to 11: the sentence has 10 words"));
    captured_free(&c);
    char *back[] = {"rnnscope", "record",     "--out", gif, "--text",
                    RECALL,     "--backward", "--to",  "10"};
    c = run_cli(9, back);
    assert_int_equal(c.code, 1);
    assert_non_null(strstr(c.err, "at most 9 steps back"));
    captured_free(&c);
    char *order[] = {"rnnscope", "record", "--out", gif, "--from", "5", "--to", "3"};
    c = run_cli(8, order);
    assert_int_equal(c.code, 2);
    captured_free(&c);
    char *step[] = {"rnnscope", "record", "--out", gif, "--step", "3"};
    c = run_cli(6, step);
    assert_int_equal(c.code, 2);
    captured_free(&c);
    char *delay[] = {"rnnscope", "record", "--out", gif, "--delay", "5"};
    c = run_cli(6, delay);
    assert_int_equal(c.code, 2);
    captured_free(&c);
    assert_int_not_equal(access(gif, F_OK), 0); /* nothing written */
}

/* ---- the palette, on frames made up for it ----------------------------------------------------
 */

typedef struct Made {
    SDL_Surface *s;
    int colours; /* 0: many (a gradient) */
} Made;

/* Frame i: four flat blocks (the "UI"), a block whose colour changes with i (a "cell"), and a
 * strip of made.colours distinct colours, or a gradient of thousands in one corner. */
static SDL_Surface *made_frame(void *ctx, int i, RnnError *err) {
    (void)err;
    Made *m = ctx;
    SDL_Surface *s = m->s;
    for (int y = 0; y < s->h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch);
        for (int x = 0; x < s->w; x++) {
            Uint32 rgb;
            if (y < 32)
                rgb = x < 64 ? 0xFFFFFF : 0x1A1A1A; /* background, ink */
            else if (y < 64)
                rgb = x < 64 ? 0x2166AC : 0xB2182B; /* two flat cells */
            else if (y < 96)
                rgb = x < 64 ? (Uint32)(0x100000 * (i + 1) + 0x3000 + 0x40) : 0xF7F7F7;
            else if (m->colours)
                rgb = 0x102030 + (Uint32)(((y - 96) * s->w + x) % m->colours) * 0x010001;
            else
                rgb = (Uint32)((x * 2) << 16 | ((y - 96) * 2 + i) << 8 | ((x + y) & 0xFF));
            row[x] = 0xFF000000 | rgb;
        }
    }
    return s;
}

static void make_gif(Made *m, const char *path, PlatGifInfo *info) {
    RnnError err;
    m->s = SDL_CreateRGBSurfaceWithFormat(0, 128, 160, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(m->s);
    if (plat_gif_write(path, 128, 160, 3, 7, made_frame, m, info, &err))
        fail_msg("%s", err.message);
}

/* 256 colours or fewer are kept exactly: every pixel of every frame comes back. */
static void test_few_colours_come_back_exactly(void **state) {
    (void)state;
    const char *path = temp_path("-few.gif");
    Made m = {NULL, 200};
    PlatGifInfo info;
    make_gif(&m, path, &info);
    assert_true(info.colours <= 255);
    assert_int_equal(info.exact, info.colours);
    Gif g = read_gif(path);
    assert_int_equal(g.frames, 3);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(g.delay[k], 7);
        made_frame(&m, k, NULL);
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 128; x++) {
                Uint32 p = ((Uint32 *)((Uint8 *)m.s->pixels + (size_t)y * m.s->pitch))[x];
                const uint8_t *q = gif_pixel(&g, k, x, y);
                if (q[0] != (p >> 16 & 0xFF) || q[1] != (p >> 8 & 0xFF) || q[2] != (p & 0xFF))
                    fail_msg("frame %d, %d,%d: %06x became %02x%02x%02x", k, x, y,
                             (unsigned)(p & 0xFFFFFF), q[0], q[1], q[2]);
            }
    }
    free(g.rgb);
    SDL_FreeSurface(m.s);
    unlink(path);
}

/* Thousands of colours: the frequent flat ones stay exact, each flat block one colour. */
static void test_many_colours_keep_the_flat_ones(void **state) {
    (void)state;
    const char *path = temp_path("-many.gif");
    Made m = {NULL, 0};
    PlatGifInfo info;
    make_gif(&m, path, &info);
    assert_true(info.colours > 1000);
    assert_int_equal(info.palette, 255);
    assert_int_equal(info.exact, PLAT_GIF_EXACT);
    Gif g = read_gif(path);
    for (int k = 0; k < 3; k++) {
        made_frame(&m, k, NULL);
        for (int y = 0; y < 96; y++)
            for (int x = 0; x < 128; x++) {
                Uint32 p = ((Uint32 *)((Uint8 *)m.s->pixels + (size_t)y * m.s->pitch))[x];
                const uint8_t *q = gif_pixel(&g, k, x, y);
                if (q[0] != (p >> 16 & 0xFF) || q[1] != (p >> 8 & 0xFF) || q[2] != (p & 0xFF))
                    fail_msg("frame %d, %d,%d: %06x became %02x%02x%02x", k, x, y,
                             (unsigned)(p & 0xFFFFFF), q[0], q[1], q[2]);
            }
        /* the gradient: near, and no worse than a palette of 255 can do on a 2-D gradient */
        int worst = 0;
        for (int y = 96; y < 160; y++)
            for (int x = 0; x < 128; x++) {
                Uint32 p = ((Uint32 *)((Uint8 *)m.s->pixels + (size_t)y * m.s->pitch))[x];
                const uint8_t *q = gif_pixel(&g, k, x, y);
                int d = abs(q[0] - (int)(p >> 16 & 0xFF)) + abs(q[1] - (int)(p >> 8 & 0xFF)) +
                        abs(q[2] - (int)(p & 0xFF));
                if (d > worst) worst = d;
            }
        assert_true(worst < 96);
    }
    free(g.rgb);
    SDL_FreeSurface(m.s);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gif_has_a_frame_per_step_in_the_screenshots_colours),
        cmocka_unit_test(test_backward_gif_walks_back),
        cmocka_unit_test(test_png_frames_are_the_screenshots),
        cmocka_unit_test(test_bad_ranges_are_refused),
        cmocka_unit_test(test_few_colours_come_back_exactly),
        cmocka_unit_test(test_many_colours_keep_the_flat_ones),
    };
    return cmocka_run_group_tests(tests, sdl_setup, sdl_teardown);
}
