/* fuzz_markdown.c - libFuzzer target for the lesson Markdown layout (ui_markdown, md4c).
 *
 * The input, copied and NUL-terminated, is laid out into a draw list with a fake text measure
 * (no font, no SDL) in a wide, a narrow and a one-pixel box. Checked: no sanitizer report, a
 * complete draw list whose text commands point inside its characters, and a height >= 0. */
#define _POSIX_C_SOURCE 200809L
#include "ui_markdown.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fixed sizes, as fake_measure() in tests/test_util.h, so layout does not depend on an
 * installed font (the fuzzers do not link cmocka, so they keep their own copy). */
static int fake_width(void *ctx, UiFont f, const char *s) {
    (void)ctx;
    return (int)strlen(s) * (7 + (int)UI_FONT_SIZE(f));
}
static int fake_height(void *ctx, UiFont f) {
    (void)ctx;
    return 14 + 3 * (int)UI_FONT_SIZE(f);
}
static const UiTextMeasure fake = {fake_width, fake_height, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static const UiRect boxes[] = {{16, 500, 900, 700}, {0, 0, 120, 100000}, {5, 5, 1, 1}};
    const UiMarkdownColors colors = {
        {0, 0, 0, 255}, {90, 90, 90, 255}, {0, 90, 200, 255}, {235, 235, 235, 255}, {0, 0, 0, 64}};
    UiDrawList list = {0};
    list.measure = &fake;
    for (size_t b = 0; b < sizeof boxes / sizeof *boxes; b++) {
        ui_draw_reset(&list);
        int height = ui_markdown(&list, boxes[b], text, &colors);
        if (height < 0 || list.failed) __builtin_trap();
        for (int i = 0; i < list.count; i++)
            if (list.cmds[i].kind == UI_CMD_TEXT && list.cmds[i].text >= list.chars_len)
                __builtin_trap();
    }
    ui_draw_free(&list);
    free(text);
    return 0;
}
