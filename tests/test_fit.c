/* test_fit.c - the layout fits the window: designed at 1280x800, it grows uniformly with the
 * window, measured on the pixels of real renders (SDL's software renderer, the app's font):
 * at 1920x1080 the text is 1.35 times as tall. + and - zoom on top; Ctrl+0 goes back. */
#include "test_sdl.h"

#include "test_png.h"

/* The height in pixels of the top bar's title "rnnscope": from the first row (from the top)
 * of the window's left part holding a pixel of the accent colour, down to the last row of
 * that band (the rows after it have none). */
static int title_height(const char *png) {
    int W, H;
    unsigned char *rgba = read_png(png, &W, &H);
    UiColor accent = ui_palette(UI_THEME_LIGHT).accent;
    int top = -1, bottom = -1;
    for (int y = 0; y < H / 2 && bottom < 0; y++) {
        int any = 0;
        for (int x = 0; x < W / 8 && !any; x++) {
            const unsigned char *p = rgba + 4 * ((size_t)y * W + x);
            any = abs(p[0] - accent.r) + abs(p[1] - accent.g) + abs(p[2] - accent.b) <= 90;
        }
        if (any && top < 0) top = y;
        if (!any && top >= 0) bottom = y - 1;
    }
    free(rgba);
    assert_true(top >= 0 && bottom >= top);
    return bottom - top + 1;
}

static int shot(const char *path, int width, int height, double zoom) {
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = "violin the very and so it was just some ?";
    o.width = width, o.height = height, o.zoom = zoom;
    if (plat_screenshot(&o, path, &err)) fail_msg("%s", err.message);
    return title_height(path);
}

static void test_text_grows_with_the_window(void **state) {
    (void)state;
    char a[] = "/tmp/rnnscope-fit-a-XXXXXX", b[] = "/tmp/rnnscope-fit-b-XXXXXX";
    close(mkstemp(a)), close(mkstemp(b));
    int small = shot(a, 1280, 800, 1.0), large = shot(b, 1920, 1080, 1.0);
    double ratio = (double)large / small;
    print_message("title: %d px at 1280x800, %d px at 1920x1080: %.3fx\n", small, large, ratio);
    if (!(ratio > 1.25 && ratio < 1.45)) fail_msg("text %.3fx taller, want about 1.35x", ratio);
    /* a window smaller than the design keeps the design's size */
    assert_int_equal(shot(b, 800, 500, 1.0), small);
    unlink(a), unlink(b);
}

static void test_zoom_keys_scale_on_top_of_the_fit(void **state) {
    (void)state;
    UiScreen s;
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = "violin the very ?";
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_layout(&s, &list, 1920, 1080);
    assert_double_equal(s.view.zoom, 1.35, 1e-12);
    ui_screen_key(&s, UI_KEY_ZOOM_IN);
    ui_screen_layout(&s, &list, 1920, 1080);
    assert_double_equal(s.view.zoom, 1.35 * 1.15, 1e-12);
    ui_screen_key(&s, UI_KEY_ZOOM_RESET);
    ui_screen_layout(&s, &list, 1920, 1080);
    assert_double_equal(s.view.zoom, 1.35, 1e-12);
    ui_screen_layout(&s, &list, 2560, 1600);
    assert_double_equal(s.view.zoom, 2.0, 1e-12);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

#define LONG_RECALL                                                                                \
    "violin on on was very the some of then some the of it a of some so was just just was on "     \
    "on a just it the just the on and some and of on it on then and it and ?"

/* At the end of a long sentence the strip has scrolled, and the key stays pinned at the left. */
static void test_the_key_stays_in_view(void **state) {
    (void)state;
    UiScreen s;
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = LONG_RECALL;
    o.step = 42;
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_layout(&s, &list, 1280, 800);
    ui_screen_draw(&s, &list);
    assert_true(s.view.chip_first > 0);
    assert_int_equal(s.view.pinned, 0);
    assert_true(s.view.pin_chip.x + s.view.pin_chip.w <= s.view.chips[0].x);
    UiHit hit = ui_view_hit(&s.view, s.view.pin_chip.x + 2, s.view.pin_chip.y + 2);
    assert_int_equal(hit.token, 0);
    /* at the start nothing is pinned: the key is in its place */
    ui_screen_key(&s, UI_KEY_HOME);
    ui_screen_layout(&s, &list, 1280, 800);
    assert_int_equal(s.view.pinned, -1);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* A long lesson step in a small window: the text scrolls to its end, and says so. */
static void test_lesson_text_scrolls_to_its_end(void **state) {
    (void)state;
    UiScreen s;
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.lesson_path = RNNSCOPE_SOURCE_DIR "/lessons/en/09-backprop-through-time.md";
    o.lesson_step = 2;
    o.model_path = MODELS "recall-rnn.json";
    o.text = "violin ?"; /* the lesson brings its own */
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_screen_layout(&s, &list, 800, 500);
    ui_screen_draw(&s, &list);
    assert_true(s.view.narration_room > 0);
    int hint = 0;
    for (int i = 0; i < list.count; i++)
        hint |= list.cmds[i].kind == UI_CMD_TEXT && strstr(list.chars + list.cmds[i].text, "more");
    assert_true(hint);
    for (int k = 0; k < 100 && s.view.narration_scroll < s.view.narration_room; k++) {
        ui_screen_key(&s, UI_KEY_NARRATION_DOWN);
        ui_screen_draw(&s, &list);
    }
    assert_int_equal(s.view.narration_scroll, s.view.narration_room);
    /* the step's last words are on screen now, inside the narration panel */
    const char *md = s.view.lesson->steps[2].markdown;
    const char *end = md + strlen(md);
    while (end > md && (end[-1] == '\n' || end[-1] == ' ')) end--;
    const char *word = end;
    while (word > md && word[-1] != ' ' && word[-1] != '\n') word--;
    char last[64];
    snprintf(last, sizeof last, "%.*s", (int)(end - word), word);
    int seen = 0;
    for (int i = 0; i < list.count; i++)
        if (list.cmds[i].kind == UI_CMD_TEXT && strstr(list.chars + list.cmds[i].text, last) &&
            ui_rect_contains(s.view.narration, list.cmds[i].rect.x, list.cmds[i].rect.y))
            seen = 1;
    if (!seen) fail_msg("the step's last word '%s' is not shown after scrolling", last);
    ui_screen_key(&s, UI_KEY_LESSON_NEXT); /* a new step starts at its top */
    assert_int_equal(s.view.narration_scroll, 0);
    ui_draw_free(&list);
    ui_screen_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_grows_with_the_window),
        cmocka_unit_test(test_zoom_keys_scale_on_top_of_the_fit),
        cmocka_unit_test(test_the_key_stays_in_view),
        cmocka_unit_test(test_lesson_text_scrolls_to_its_end),
    };
    return cmocka_run_group_tests(tests, sdl_setup, sdl_teardown);
}
