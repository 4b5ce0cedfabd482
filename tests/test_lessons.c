/* test_lessons.c - lesson files: each kind of mistake is reported as file:line, a good lesson
 * passes with its claims checked, and stepping through a lesson in the view applies its
 * directives. */
#include "test_util.h"

#include "io_lesson.h"
#include "plat_sdl.h"
#include "ui_view.h"

static const char header[] = "---\n"
                             "title: T\n"
                             "model: " MODELS "recall-lstm.json\n"
                             "text: violin the very and so it was just some ?\n"
                             "lang: en\n"
                             "---\n"; /* 6 lines */

typedef struct Broken {
    const char *what;
    const char *text; /* the whole file, or NULL: header + body */
    const char *body;
    int line;            /* the line the message must name */
    const char *message; /* part of the message */
} Broken;

static const Broken broken[] = {
    {"no front matter", "# Hi\n", NULL, 1, "starts with front matter"},
    {"front matter not closed", "---\ntitle: T\n", NULL, 0, "no closing '---'"},
    {"missing text", "---\ntitle: T\nmodel: m.json\nlang: en\n---\n", NULL, 0, "needs 'text'"},
    {"unknown front matter key", "---\ntitle: T\ncolour: red\n---\n", NULL, 3,
     "unknown front matter key 'colour'"},
    {"bad lang", "---\ntitle: T\nmodel: m.json\ntext: a\nlang: fr\n---\n", NULL, 0,
     "lang: expected en or ko"},
    {"unknown directive", NULL, "## S\n<!-- rnnscope: zoom=2 -->\n", 9, "unknown directive 'zoom'"},
    {"bare word", NULL, "## S\n<!-- rnnscope: pause -->\n", 9, "unknown directive 'pause'"},
    {"comment not closed", NULL, "## S\n<!-- rnnscope: step=2\n-->\n", 9, "close with -->"},
    {"step not a number", NULL, "## S\n<!-- rnnscope: step=two -->\n", 9,
     "step: expected a whole number or end"},
    {"unknown focus", NULL, "## S\n<!-- rnnscope: focus=q -->\n", 9, "focus=q"},
    {"quiz without answer", NULL, "\n## S\n<!-- rnnscope: quiz=\"Why?\" -->\n", 9,
     "quiz and answer come together"},
    {"unit without focus", NULL, "## S\n<!-- rnnscope: unit=3 -->\n", 8, "go with focus="},
    {"unclosed quote", NULL, "## S\n<!-- rnnscope: text=\"a b -->\n", 9, "quoted value"},
    {"invalid UTF-8", NULL, "## S\nbad \xff byte\n", 9, "invalid UTF-8"},
    {"expect without comparison", NULL, "## S\n<!-- rnnscope: expect accuracy(recall-lstm) -->\n",
     9, "expect needs EXPRESSION OP VALUE"},
    /* found when the lesson is run */
    {"missing model", NULL, "## S\n<!-- rnnscope: model=nowhere.json -->\n", 9,
     "nowhere.json: cannot open"},
    {"step out of range", NULL, "## S\n<!-- rnnscope: step=11 -->\n", 9,
     "step=11, but the sentence has 10 words"},
    {"unit out of range", NULL, "## S\n<!-- rnnscope: focus=f unit=16 -->\n", 9, "out of range"},
    {"no cell state in a GRU", NULL,
     "## S\n<!-- rnnscope: model=" MODELS "recall-gru.json -->\n<!-- rnnscope: focus=c -->\n", 10,
     "a gru has no such quantity"},
    {"claim that fails", NULL,
     "## S\n<!-- rnnscope: expect accuracy(recall-rnn, distance=40) >= 0.95 -->\n", 9,
     "claim does not hold: accuracy(recall-rnn, distance=40) >= 0.95 (it is 0.55)"},
    {"unknown function", NULL, "## S\n<!-- rnnscope: expect magic(recall-lstm) > 1 -->\n", 9,
     "unknown function 'magic'"},
    {"missing data file", NULL,
     "## S\n<!-- rnnscope: expect eval(sentiment-en, nothing.jsonl) > 0.5 -->\n", 9,
     "nothing.jsonl: cannot open"},
    {"word compared with a number", NULL, "## S\n<!-- rnnscope: expect predicted() > 2 -->\n", 9,
     "claim does not hold"},
};

static char dir[] = "/tmp/rnnscope-lessons-XXXXXX";

static char *write_lesson(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_each_mistake_names_file_and_line(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        const Broken *b = &broken[i];
        char text[4096];
        if (b->text)
            snprintf(text, sizeof text, "%s", b->text);
        else
            snprintf(text, sizeof text, "%s# T\n%s", header, b->body);
        char *path = write_lesson("broken.md", text);
        char *argv[] = {"rnnscope", "check", path};
        Captured run = run_cli(3, argv);
        if (run.code != APP_EXIT_ERROR)
            fail_msg("%s: exit %d, stdout %s", b->what, run.code, run.out);
        char where[600];
        if (b->line)
            snprintf(where, sizeof where, "%s:%d: ", path, b->line);
        else
            snprintf(where, sizeof where, "%s: ", path);
        if (!strstr(run.err, where) || !strstr(run.err, b->message))
            fail_msg("%s:\n  got  %s  want %s... %s", b->what, run.err, where, b->message);
        assert_non_null(strstr(run.out, "FAIL"));
        captured_free(&run);
    }
}

static const char good_body[] =
    "# T\n"
    "Intro.\n"
    "\n"
    "## Read the key\n"                          /* line 10 */
    "<!-- rnnscope: step=1 focus=c unit=8 -->\n" /* line 11 */
    "The *cell state* of unit 8.\n"
    "<!-- rnnscope: quiz=\"Kept?\" answer=\"Yes.\" -->\n"
    "<!-- rnnscope: expect value(c, unit=8, t=0) < -0.5 -->\n"
    "\n"
    "## The end\n"
    "<!-- rnnscope: step=end focus=f unit=8 -->\n"
    "<!-- rnnscope: expect value(f, unit=8, t=9) > 0.99 -->\n"
    "<!-- rnnscope: expect predicted() == violin -->\n"
    "<!-- rnnscope: expect prob(violin) > 0.9 -->\n"
    "<!-- rnnscope: expect params(recall-gru, keras) == 1460 -->\n"
    "<!-- rnnscope: expect accuracy(recall-lstm, distance=40) >= 0.95 -->\n"
    "<!-- rnnscope: expect sensitivity_ratio(recall-rnn, distance=20) < 1e-4 -->\n"
    "<!-- rnnscope: expect tag_accuracy(names-en-bidirectional, " RNNSCOPE_SOURCE_DIR
    "/assets/data/names-en-valid.jsonl, LOC) > 0.8 -->\n"
    "\n"
    "## Another model\n"
    "<!-- rnnscope: model=" MODELS "recall-gru.json text=\"apple so ?\" step=2 focus=z unit=3 -->\n"
    "A GRU now.\n";

static void test_a_good_lesson_passes(void **state) {
    (void)state;
    char text[8192];
    snprintf(text, sizeof text, "%s%s", header, good_body);
    char *path = write_lesson("good.md", text);
    char *argv[] = {"rnnscope", "check", path};
    Captured run = run_cli(3, argv);
    if (run.code != 0) fail_msg("%s", run.err);
    assert_non_null(strstr(run.out, "ok   "));
    assert_non_null(strstr(run.out, "(4 steps, 8 claims hold)"));
    captured_free(&run);
}

static void test_the_view_follows_the_lesson(void **state) {
    (void)state;
    char text[8192];
    snprintf(text, sizeof text, "%s%s", header, good_body);
    char *path = write_lesson("good.md", text);
    UiView v;
    RnnError err;
    ui_view_init(&v);
    if (ui_view_open_lesson(&v, path, &err)) fail_msg("%s", err.message);
    assert_int_equal(v.lesson->nsteps, 4);
    assert_int_equal(v.words_read, 1); /* step 0 sets nothing: the first word */
    ui_view_key(&v, UI_KEY_LESSON_NEXT);
    assert_int_equal(v.lesson_step, 1);
    assert_int_equal(v.sel.quantity, RNN_QUANTITY_C);
    assert_int_equal(v.sel.unit, 8);
    assert_int_equal(v.show_answer, 0);
    ui_view_key(&v, UI_KEY_ANSWER);
    assert_int_equal(v.show_answer, 1);
    ui_view_key(&v, UI_KEY_RIGHT); /* the learner explores... */
    ui_view_key(&v, UI_KEY_RIGHT);
    assert_int_equal(v.words_read, 3);
    ui_view_key(&v, UI_KEY_LESSON_NEXT); /* ...and the next step brings the view back */
    assert_int_equal(v.words_read, 10);
    assert_int_equal(v.sel.quantity, 1); /* f */
    ui_view_key(&v, UI_KEY_LESSON_NEXT);
    assert_int_equal(v.model->config.cell, RNN_CELL_GRU);
    assert_string_equal(v.text, "apple so ?");
    assert_int_equal(v.words_read, 2);
    ui_view_key(&v, UI_KEY_LESSON_NEXT); /* past the last step stays there */
    assert_int_equal(v.lesson_step, 3);
    ui_view_key(&v, UI_KEY_LESSON_PREV);
    ui_view_key(&v, UI_KEY_LESSON_PREV);
    assert_int_equal(v.model->config.cell, RNN_CELL_LSTM); /* going back restores the model */
    assert_int_equal(v.words_read, 1);
    ui_view_free(&v);
    /* the keys as SDL sends them */
    SDL_KeyboardEvent k = {0};
    k.keysym.sym = SDLK_n;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_LESSON_NEXT);
    k.keysym.sym = SDLK_PAGEUP;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_LESSON_PREV);
    k.keysym.sym = SDLK_a;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_ANSWER);
    k.keysym.sym = SDLK_l;
    assert_int_equal(plat_key_from_sdl(&k), UI_KEY_PICKER);
}

/* A click (or a tap, on a phone) on a lesson in the picker opens that lesson; elsewhere it
 * does nothing. */
static void test_a_click_in_the_picker_opens_that_lesson(void **state) {
    (void)state;
    UiView v;
    RnnError err;
    ui_view_init(&v);
    if (ui_view_open_picker(&v, RNNSCOPE_SOURCE_DIR "/lessons", "en", &err))
        fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    ui_view_layout(&v, &list, 1280, 800);
    assert_true(v.picker_rows_shown >= 3);
    UiRect second = v.picker_rows[1];
    assert_int_equal(ui_view_click(&v, second.x + second.w / 2, second.y + second.h / 2), 1);
    assert_false(v.picker);
    assert_non_null(strstr(v.lesson->path, "02-"));
    ui_view_free(&v);
    ui_view_init(&v);
    if (ui_view_open_picker(&v, RNNSCOPE_SOURCE_DIR "/lessons", "en", &err))
        fail_msg("%s", err.message);
    ui_view_layout(&v, &list, 1280, 800);
    assert_int_equal(ui_view_click(&v, 5, 5), 0); /* the title: nothing */
    assert_true(v.picker);
    UiRect third = v.picker_rows[2];
    assert_int_equal(ui_view_click(&v, third.x + 4, third.y + third.h - 1), 1);
    assert_non_null(strstr(v.lesson->path, "03-"));
    ui_draw_free(&list);
    ui_view_free(&v);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_mistake_names_file_and_line),
        cmocka_unit_test(test_a_good_lesson_passes),
        cmocka_unit_test(test_the_view_follows_the_lesson),
        cmocka_unit_test(test_a_click_in_the_picker_opens_that_lesson),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
