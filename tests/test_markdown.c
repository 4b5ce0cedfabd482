/* test_markdown.c - a lesson step's Markdown laid out as draw commands (ui_markdown): words
 * wrap at the box's width, bold and italic and code spans style exactly their words,
 * headings and list marks take their fonts and colours, and text below the box is not drawn
 * while the returned height still counts it. Laid out with the fixed fake measure
 * (test_util.h): a body character is 8 px wide, a body line 17 px high, a large one 20 px.
 * Plain C, no SDL: needs ui_markdown.c, ui_draw.c and md4c (today in rnnscope_ui). */
#include "test_util.h"
#include "ui_markdown.h"

static const UiMarkdownColors colors = {
    .ink = {10, 10, 10, 255},
    .muted = {20, 20, 20, 255},
    .accent = {30, 30, 200, 255},
    .code_background = {40, 240, 40, 255},
    .rule = {50, 50, 50, 255},
};

enum { BODY_W = 8, BODY_H = 17, LARGE_H = 20, PARA_GAP = 7 /* half a small line */ };

static const char *text_of(const UiDrawList *l, const UiCmd *c) {
    return l->chars + c->text;
}

/* The text command drawing `word` (the nth one, from 0); fails if there is none. */
static const UiCmd *find_word(const UiDrawList *l, const char *word, int nth) {
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_TEXT && !strcmp(text_of(l, &l->cmds[i]), word) && nth-- == 0)
            return &l->cmds[i];
    fail_msg("no text command draws \"%s\"", word);
    return NULL;
}

static int count_kind(const UiDrawList *l, UiCmdKind kind) {
    int n = 0;
    for (int i = 0; i < l->count; i++) n += l->cmds[i].kind == kind;
    return n;
}

/* Five 4-letter words in a 100 px box: two fit a line (4 + 1 + 4 characters = 72 px; a
 * third would end at 112), so three lines, every word inside the box, in reading order. */
static void test_words_wrap_at_the_box_width(void **state) {
    UiDrawList *l = *state;
    UiRect box = {10, 20, 100, 500};
    int height = ui_markdown(l, box, "aaaa bbbb cccc dddd eeee", &colors);
    assert_int_equal(count_kind(l, UI_CMD_TEXT), 5);
    static const char *const words[] = {"aaaa", "bbbb", "cccc", "dddd", "eeee"};
    static const int line[] = {0, 0, 1, 1, 2}, column[] = {0, 1, 0, 1, 0};
    for (int i = 0; i < 5; i++) {
        const UiCmd *c = find_word(l, words[i], 0);
        assert_int_equal(c->rect.y, box.y + line[i] * BODY_H);
        assert_int_equal(c->rect.x, box.x + column[i] * 5 * BODY_W);
        assert_true(c->rect.x + 4 * BODY_W <= box.x + box.w);
        assert_int_equal(c->font, UI_FONT_BODY);
        assert_true(same_colour(c->color, colors.ink));
    }
    /* three lines and the paragraph's gap */
    assert_int_equal(height, 3 * BODY_H + PARA_GAP);
}

/* A word longer than the box stays whole on its own line rather than vanishing. */
static void test_a_word_wider_than_the_box_gets_its_own_line(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 40, 500}, "ab abcdefghij cd", &colors);
    assert_int_equal(find_word(l, "ab", 0)->rect.y, 0);
    assert_int_equal(find_word(l, "abcdefghij", 0)->rect.y, BODY_H);
    assert_int_equal(find_word(l, "abcdefghij", 0)->rect.x, 0);
    assert_int_equal(find_word(l, "cd", 0)->rect.y, 2 * BODY_H);
}

/* **bold**, *italic* and ***both*** style their words and no others; the measure sees the
 * style bits (the fake masks them, so the widths are the upright ones). */
static void test_bold_and_italic_style_exactly_their_words(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 1000, 500}, "plain **strong words** *slanted* ***both*** end",
                &colors);
    assert_int_equal(find_word(l, "plain", 0)->font, UI_FONT_BODY);
    assert_int_equal(find_word(l, "strong", 0)->font, UI_FONT_BODY | UI_STYLE_BOLD);
    assert_int_equal(find_word(l, "words", 0)->font, UI_FONT_BODY | UI_STYLE_BOLD);
    assert_int_equal(find_word(l, "slanted", 0)->font, UI_FONT_BODY | UI_STYLE_ITALIC);
    assert_int_equal(find_word(l, "both", 0)->font, UI_FONT_BODY | UI_STYLE_BOLD | UI_STYLE_ITALIC);
    assert_int_equal(find_word(l, "end", 0)->font, UI_FONT_BODY);
    /* all on one line, each word after the previous one and a space */
    const UiCmd *strong = find_word(l, "strong", 0), *words = find_word(l, "words", 0);
    assert_int_equal(words->rect.y, strong->rect.y);
    assert_int_equal(words->rect.x, strong->rect.x + (6 + 1) * BODY_W);
}

/* `code` spans: each of their words sits on a filled background 2 px wider on each side;
 * the words around them have none. */
static void test_code_spans_get_a_background(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 1000, 500}, "run `rnnscope trace` now", &colors);
    int fills = 0;
    for (int i = 0; i < l->count; i++) {
        const UiCmd *c = &l->cmds[i];
        if (c->kind != UI_CMD_FILL) continue;
        assert_true(same_colour(c->color, colors.code_background));
        /* the next command is the word it sits under */
        assert_true(i + 1 < l->count && l->cmds[i + 1].kind == UI_CMD_TEXT);
        const UiCmd *word = &l->cmds[i + 1];
        const char *w = text_of(l, word);
        assert_true(!strcmp(w, "rnnscope") || !strcmp(w, "trace"));
        assert_int_equal(c->rect.x, word->rect.x - 2);
        assert_int_equal(c->rect.y, word->rect.y);
        assert_int_equal(c->rect.w, (int)strlen(w) * BODY_W + 4);
        assert_int_equal(c->rect.h, BODY_H);
        fills++;
    }
    assert_int_equal(fills, 2);
    assert_int_equal(find_word(l, "run", 0)->font, UI_FONT_BODY);
}

/* # is a large bold heading, ## a body-size bold one, both in the accent colour; the text
 * under a heading starts below it. */
static void test_headings_are_bold_accented_and_sized_by_level(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 1000, 500}, "# Title\n\n## Part\n\nBody text", &colors);
    const UiCmd *title = find_word(l, "Title", 0), *part = find_word(l, "Part", 0),
                *body = find_word(l, "Body", 0);
    assert_int_equal(title->font, UI_FONT_LARGE | UI_STYLE_BOLD);
    assert_true(same_colour(title->color, colors.accent));
    assert_int_equal(part->font, UI_FONT_BODY | UI_STYLE_BOLD);
    assert_true(same_colour(part->color, colors.accent));
    assert_int_equal(body->font, UI_FONT_BODY);
    assert_true(same_colour(body->color, colors.ink));
    assert_int_equal(title->rect.y, 0);
    assert_true(part->rect.y >= title->rect.y + LARGE_H);
    assert_true(body->rect.y >= part->rect.y + BODY_H);
}

/* - and 1. lists: a mark per item in the accent colour, left of the item's text on its line,
 * the text indented 24 px; ordered marks count from the list's start. */
static void test_lists_mark_and_indent_their_items(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 1000, 500}, "- one\n- two\n\n3. third\n4. fourth\n", &colors);
    const char *const items[] = {"one", "two", "third", "fourth"};
    const char *const marks[] = {"•", "•", "3.", "4."};
    int y = -BODY_H;
    for (int k = 0; k < 4; k++) {
        const UiCmd *item = find_word(l, items[k], 0),
                    *mark = find_word(l, marks[k], k < 2 ? k : 0);
        assert_int_equal(item->rect.x, 24);
        assert_true(item->rect.y >= y + BODY_H); /* one item a line, in order */
        y = item->rect.y;
        assert_int_equal(mark->rect.y, item->rect.y);
        assert_true(mark->rect.x < item->rect.x); /* (the fake measures • as 3 bytes wide) */
        assert_true(same_colour(mark->color, colors.accent));
        assert_true(same_colour(item->color, colors.ink));
    }
}

/* A list inside an item starts on the line below the item's text, 24 px further in. */
static void test_a_nested_list_goes_below_its_parent(void **state) {
    UiDrawList *l = *state;
    ui_markdown(l, (UiRect){0, 0, 1000, 500}, "- outer\n  - inner\n- last\n", &colors);
    const UiCmd *outer = find_word(l, "outer", 0), *inner = find_word(l, "inner", 0),
                *last = find_word(l, "last", 0);
    assert_int_equal(outer->rect.x, 24);
    assert_int_equal(inner->rect.x, 48);
    assert_true(inner->rect.y >= outer->rect.y + BODY_H);
    assert_true(last->rect.y >= inner->rect.y + BODY_H);
    assert_int_equal(last->rect.x, 24);
}

/* Ten lines in a box two lines high: nothing is drawn below the box, and the height returned
 * is the whole text's, the same as in a box tall enough for all of it. */
static void test_text_below_the_box_is_counted_but_not_drawn(void **state) {
    UiDrawList *l = *state;
    const char *md = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9"; /* 2 words a line at 40 px: 5 lines */
    UiRect tall = {0, 0, 40, 1000}, short_box = {0, 0, 40, 2 * BODY_H};
    int full = ui_markdown(l, tall, md, &colors);
    assert_int_equal(count_kind(l, UI_CMD_TEXT), 10);
    assert_int_equal(full, 5 * BODY_H + PARA_GAP);
    ui_draw_reset(l);
    int clipped = ui_markdown(l, short_box, md, &colors);
    assert_int_equal(count_kind(l, UI_CMD_TEXT), 4); /* the two lines that fit */
    for (int i = 0; i < l->count; i++)
        assert_true(l->cmds[i].rect.y + BODY_H <= short_box.y + short_box.h);
    assert_true(clipped > 2 * BODY_H); /* more than what was drawn */
    /* words below the box are laid out as if drawn: the same lines, the same height */
    assert_int_equal(clipped, full);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, draw_list_setup, draw_list_teardown)
    const struct CMUnitTest tests[] = {
        T(test_words_wrap_at_the_box_width),
        T(test_a_word_wider_than_the_box_gets_its_own_line),
        T(test_bold_and_italic_style_exactly_their_words),
        T(test_code_spans_get_a_background),
        T(test_headings_are_bold_accented_and_sized_by_level),
        T(test_lists_mark_and_indent_their_items),
        T(test_a_nested_list_goes_below_its_parent),
        T(test_text_below_the_box_is_counted_but_not_drawn),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
