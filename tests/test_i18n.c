/* test_i18n.c - the interface in Korean: every message the sources mark has its Korean in
 * po/ko.po with the same printf conversions, the catalogue keeps no message nobody draws, the
 * PO reader names the line of a mistake, and the screens drawn in Korean show Korean. */
#include "test_util.h"

#include "io_po.h"
#include "ui_glossary.h"
#include "ui_i18n.h"
#include "ui_screen.h"

#include <dirent.h>

/* ---- the messages the sources mark ----------------------------------------------------------- */

typedef struct Messages {
    char *id[1024];
    char where[1024][600];
    int n;
} Messages;

/* Reads one run of adjacent C string literals at *p (blanks and newlines between them), with
 * the escapes the sources use; NULL if *p is not a literal. */
static char *read_literals(const char **p) {
    char buf[2048];
    size_t n = 0;
    const char *s = *p;
    int any = 0;
    for (;;) {
        while (*s == ' ' || *s == '\n' || *s == '\t') s++;
        if (*s != '"') break;
        any = 1;
        for (s++; *s && *s != '"'; s++) {
            char c = *s;
            if (c == '\\') {
                s++;
                c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
            }
            if (n + 1 < sizeof buf) buf[n++] = c;
        }
        if (*s == '"') s++;
    }
    if (!any) return NULL;
    buf[n] = '\0';
    *p = s;
    return strdup(buf);
}

static void collect(Messages *m, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", RNNSCOPE_SOURCE_DIR, dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".c")) continue;
        char file[512];
        snprintf(file, sizeof file, "%.100s/%.300s", dir, e->d_name);
        size_t size;
        char rel[600];
        snprintf(rel, sizeof rel, "../%s", file); /* test_read is relative to tests/ */
        char *text = test_read(rel, &size);
        for (const char *p = text; (p = strstr(p, "(")) != NULL; p++) {
            int tr = p >= text + 5 && !strncmp(p - 5, "ui_tr", 5) &&
                     (p == text + 5 || !(p[-6] == '_' || (p[-6] >= 'a' && p[-6] <= 'z')));
            int mark = p >= text + 2 && !strncmp(p - 2, "N_", 2) &&
                       (p == text + 2 || !(p[-3] == '_' || (p[-3] >= 'a' && p[-3] <= 'z')));
            if (!tr && !mark) continue;
            const char *q = p + 1;
            char *id = read_literals(&q);
            if (!id) continue; /* ui_tr(a variable): its strings are marked where they are */
            int seen = 0;
            for (int i = 0; i < m->n && !seen; i++) seen = !strcmp(m->id[i], id);
            if (seen || m->n == 1024) {
                free(id);
                continue;
            }
            int line = 1;
            for (const char *c = text; c < p; c++) line += *c == '\n';
            snprintf(m->where[m->n], sizeof m->where[m->n], "%s:%d", file, line);
            m->id[m->n++] = id;
        }
        free(text);
    }
    closedir(d);
}

static void messages_free(Messages *m) {
    for (int i = 0; i < m->n; i++) free(m->id[i]);
}

/* The printf conversions of s, in order: "%d %s %.3g" -> "d s .3g". */
static void conversions(const char *s, char *out, size_t size) {
    size_t n = 0;
    out[0] = '\0';
    for (; *s; s++) {
        if (*s != '%') continue;
        if (s[1] == '%') {
            s++;
            continue;
        }
        const char *start = ++s;
        while (*s && strchr("-+ #0123456789.", *s)) s++;
        n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%.*s%c ", (int)(s - start), start,
                              *s);
    }
}

static void test_every_marked_message_has_korean(void **state) {
    (void)state;
    Messages m = {0};
    collect(&m, "src/ui");
    collect(&m, "src/platform");
    assert_true(m.n > 200); /* the scan found the interface's messages */
    const char *why = NULL;
    const IoPo *po = ui_catalog_ko(&why);
    if (!po) fail_msg("po/ko.po: %s", why);
    int missing = 0;
    for (int i = 0; i < m.n; i++) {
        const IoPoEntry *e = io_po_find(po, m.id[i]);
        if (!e || !e->msgstr[0]) {
            print_error("%s: no Korean for \"%s\"\n", m.where[i], m.id[i]);
            missing++;
            continue;
        }
        char a[256], b[256];
        conversions(e->msgid, a, sizeof a);
        conversions(e->msgstr, b, sizeof b);
        if (strcmp(a, b)) {
            print_error("%s: \"%s\": the Korean has conversions '%s', the English '%s'\n",
                        m.where[i], m.id[i], b, a);
            missing++;
        }
    }
    /* and nothing in the catalogue that no source draws any more */
    for (int k = 0; k < po->count; k++) {
        if (!po->entries[k].msgid[0]) continue; /* the header */
        int used = 0;
        for (int i = 0; i < m.n && !used; i++) used = !strcmp(m.id[i], po->entries[k].msgid);
        if (!used) {
            print_error("po/ko.po:%d: \"%s\" is not marked in any source\n", po->entries[k].line,
                        po->entries[k].msgid);
            missing++;
        }
    }
    messages_free(&m);
    assert_int_equal(missing, 0);
}

static void test_po_reader_names_the_line_of_a_mistake(void **state) {
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
         "x.po:4: this msgid was given"},
        {"msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n", "x.po:3: a msgid without its msgstr"},
        {"msgid \"a\nmsgstr \"b\"\n", "x.po:1: a string is not closed"},
        {"msgid \"a\"\nmsgid_plural \"as\"\n", "x.po:2: plural forms"},
        {"msgstr \"b\"\n", "x.po:1: a msgstr without a msgid"},
        {"msgid \"a\\q\"\nmsgstr \"b\"\n", "x.po:1: an unknown escape"},
        {"msgid \"a\" x\nmsgstr \"b\"\n", "x.po:1: text after the closing quote"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        IoPo po;
        RnnError err;
        assert_int_not_equal(io_po_parse(bad[i].text, strlen(bad[i].text), "x.po", &po, &err), 0);
        if (strncmp(err.message, bad[i].want, strlen(bad[i].want)))
            fail_msg("case %zu: got '%s', want '%s...'", i, err.message, bad[i].want);
    }
    const char *good = "# c\nmsgid \"\"\nmsgstr \"\"\n\"Language: ko\\n\"\n\n#, c-format\n"
                       "msgid \"a \"\n\"%d\"\nmsgstr \"\xea\xb0\x80 %d\"\n";
    IoPo po;
    RnnError err;
    assert_int_equal(io_po_parse(good, strlen(good), "x.po", &po, &err), 0);
    assert_int_equal(po.count, 2);
    const IoPoEntry *e = io_po_find(&po, "a %d");
    assert_non_null(e);
    assert_string_equal(e->msgstr, "\xea\xb0\x80 %d");
    assert_int_equal(e->line, 7);
    assert_null(io_po_find(&po, "b"));
    io_po_free(&po);
}

/* ---- screens in Korean ------------------------------------------------------------------ */

static int drawn_containing(const UiDrawList *l, const char *s) {
    int n = 0;
    for (int i = 0; i < l->count; i++)
        n += l->cmds[i].kind == UI_CMD_TEXT && strstr(l->chars + l->cmds[i].text, s) != NULL;
    return n;
}

static int hangul_texts(const UiDrawList *l) {
    int n = 0;
    for (int i = 0; i < l->count; i++)
        if (l->cmds[i].kind == UI_CMD_TEXT)
            n += strstr(l->chars + l->cmds[i].text, "\xea") != NULL ||
                 strstr(l->chars + l->cmds[i].text, "\xeb") != NULL ||
                 strstr(l->chars + l->cmds[i].text, "\xec") != NULL ||
                 strstr(l->chars + l->cmds[i].text, "\xed") != NULL;
    return n;
}

/* English phrases the interface draws; none may show in Korean. */
static const char *const english[] = {
    "hidden state", "cell state", "forget gate", "update gate", "words read", "output",
    "Keys",         "Parameters", "layer",       "softmax",     "Right/Left", "parameters",
    "forward",      "backward",   "unit ",       "loss ",       "Point at",   "press",
    "Training",     "the model",  "sensitivity", "influence",   "Question",   "choose",
};

/* Draws s and checks it shows Korean and none of the English phrases; the glossary names each
 * term in both languages on purpose, so there only the Korean is checked (bilingual). */
static void render_ko(UiScreen *s, int width, int height, UiDrawList *list, const char *what) {
    ui_screen_layout(s, list, width, height);
    ui_screen_draw(s, list);
    int bad = 0, bilingual = !strcmp(what, "terms");
    for (size_t k = 0; k < sizeof english / sizeof *english && !bilingual; k++)
        if (drawn_containing(list, english[k])) {
            for (int i = 0; i < list->count; i++)
                if (list->cmds[i].kind == UI_CMD_TEXT &&
                    strstr(list->chars + list->cmds[i].text, english[k]))
                    print_error("%s: English on screen: \"%s\"\n", what,
                                list->chars + list->cmds[i].text);
            bad++;
        }
    assert_int_equal(bad, 0);
    if (hangul_texts(list) < 10) fail_msg("%s: only %d Korean texts", what, hangul_texts(list));
}

static void test_every_screen_speaks_korean(void **state) {
    (void)state;
    UiScreen s;
    UiScreenOptions o;
    RnnError err;
    ui_screen_options_default(&o);
    o.model_path = MODELS "recall-lstm.json";
    o.text = "violin the very and so it was just some ?";
    o.step = 5;
    o.lang = "ko", o.lang_fixed = 1;
    if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
    UiDrawList list = {0};
    list.measure = fake_measure();
    render_ko(&s, 1280, 800, &list, "main");
    assert_true(drawn_containing(&list, "읽은 단어 5 / 10") == 1);
    ui_screen_key(&s, UI_KEY_END);
    render_ko(&s, 1920, 1080, &list, "main, at the end");
    ui_screen_key(&s, UI_KEY_HELP);
    render_ko(&s, 1280, 800, &list, "help");
    ui_screen_key(&s, UI_KEY_ESCAPE);
    ui_screen_key(&s, UI_KEY_PARAMS);
    render_ko(&s, 1280, 800, &list, "parameters");
    ui_screen_key(&s, UI_KEY_ESCAPE);
    ui_screen_key(&s, UI_KEY_GLOSSARY);
    render_ko(&s, 1280, 800, &list, "terms");
    assert_true(drawn_containing(&list, "장기 의존성 문제") >= 1);
    ui_screen_key(&s, UI_KEY_ESCAPE);
    ui_screen_key(&s, UI_KEY_BACKWARD);
    render_ko(&s, 1280, 800, &list, "backward");
    ui_screen_key(&s, UI_KEY_COMPARE);
    render_ko(&s, 1920, 1080, &list, "compare, backward");
    ui_screen_key(&s, UI_KEY_BACKWARD);
    render_ko(&s, 1280, 800, &list, "compare");
    /* Shift+L: English, and back */
    ui_screen_key(&s, UI_KEY_LANGUAGE);
    ui_screen_layout(&s, &list, 1280, 800);
    ui_screen_draw(&s, &list);
    assert_true(drawn_containing(&list, "words read 10 / 10") == 1);
    assert_true(drawn_containing(&list, "sensitivity") >= 1);
    ui_screen_key(&s, UI_KEY_LANGUAGE);
    assert_string_equal(ui_lang_get(), "ko");
    ui_draw_free(&list);
    ui_screen_free(&s);
}

/* The chapter's term in every heatmap title, in both languages and at the smallest sizes. */
static void test_heatmap_titles_keep_the_chapters_term(void **state) {
    (void)state;
    const char *langs[] = {"en", "ko"};
    const int sizes[][2] = {{1280, 800}, {1920, 1080}, {800, 500}};
    for (int li = 0; li < 2; li++)
        for (int si = 0; si < 3; si++) {
            UiScreen s;
            UiScreenOptions o;
            RnnError err;
            ui_screen_options_default(&o);
            o.model_path = MODELS "recall-lstm.json";
            o.text = "violin the very and so it was just some ?";
            o.lang = langs[li], o.lang_fixed = 1;
            if (ui_screen_prepare(&s, &o, NULL, &err)) fail_msg("%s", err.message);
            UiDrawList list = {0};
            list.measure = fake_measure();
            ui_screen_layout(&s, &list, sizes[si][0], sizes[si][1]);
            ui_screen_draw(&s, &list);
            /* each of the six LSTM heatmaps: its Korean term, whole or cut with "…" */
            const char *terms[] = {"은닉", "셀 상태", "입력", "망각", "후보", "출력"};
            for (int k = 0; k < 6; k++)
                if (!drawn_containing(&list, terms[k]))
                    fail_msg("%s at %dx%d: no title with '%s'", langs[li], sizes[si][0],
                             sizes[si][1], terms[k]);
            ui_draw_free(&list);
            ui_screen_free(&s);
        }
}

static void test_glossary_lists_the_chapters_terms(void **state) {
    (void)state;
    const char *want[] = {"은닉 상태",
                          "셀 상태",
                          "시점",
                          "메모리 셀",
                          "입력 게이트",
                          "망각 게이트",
                          "출력 게이트",
                          "업데이트 게이트",
                          "리셋 게이트",
                          "후보 은닉 상태",
                          "장기 의존성 문제",
                          "양방향",
                          "깊은 순환 신경망",
                          "기울기 소실",
                          "기울기 폭주",
                          "삭제 게이트",
                          "노드",
                          "열쇠"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        int found = 0;
        for (int i = 0; i < ui_glossary_count() && !found; i++)
            found = strstr(ui_glossary_term(i)->ko, want[k]) != NULL;
        if (!found) fail_msg("the glossary has no '%s'", want[k]);
    }
    /* every heatmap's quantity has its entry */
    for (int q = RNN_QUANTITY_H; q < 4; q++)
        assert_true(ui_glossary_for_quantity(RNN_CELL_LSTM, q) >= 0);
    for (int q = 0; q < 3; q++) assert_true(ui_glossary_for_quantity(RNN_CELL_GRU, q) >= 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_marked_message_has_korean),
        cmocka_unit_test(test_po_reader_names_the_line_of_a_mistake),
        cmocka_unit_test(test_every_screen_speaks_korean),
        cmocka_unit_test(test_heatmap_titles_keep_the_chapters_term),
        cmocka_unit_test(test_glossary_lists_the_chapters_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
