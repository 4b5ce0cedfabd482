/* ui_screen.h - what the window shows, as one object: the stepping view (ui_view.h) and, when
 * open, the models side by side (ui_compare.h). It dispatches keys, clicks, layout and
 * drawing to whichever is on screen, and keeps the compare view in step with the view's
 * sentence, time step and lesson. Plain C: the platform layer feeds it events and draws its
 * draw list, and supplies the runner that drives live training. */
#ifndef RNNSCOPE_UI_SCREEN_H
#define RNNSCOPE_UI_SCREEN_H

#include "ui_compare.h"
#include "ui_view.h"

/* What the platform does for the screen: drive live training, and hear of every file the
 * screen writes (a trained model, a screenshot), so that a browser can offer it as a
 * download. Any part may be NULL. */
typedef struct UiHost {
    UiJobRunner runner;
    void (*wrote)(void *ctx, const char *path);
    void *wrote_ctx;
} UiHost;

typedef struct UiScreen {
    UiView view;        /* the single view, and the window's chrome: sentence, step, lesson */
    UiCompare *compare; /* models side by side, or NULL: the view shows its own model */
    UiHost host;        /* what the platform does for it */
    int side_serial;    /* the view's side request last applied */
    int text_serial;    /* the view's sentence the compare view last read */
} UiScreen;

/* How to open the screen: `rnnscope open`, `screenshot`, `compare` and `train --watch`. */
typedef struct UiScreenOptions {
    const char *model_path;
    const char *text;
    int text_given; /* the text (or --inputs) came from the user; else a model read by ids or
                       vectors keeps the sample it opened with */
    int step;       /* -1: the first word */
    int width, height;
    UiTheme theme;
    double zoom;
    const char *font_path;
    int fullscreen;
    int help;                                                         /* open with the help shown */
    int select_layer, select_direction, select_quantity, select_unit; /* keyboard selection */
    const char *select_name;    /* the quantity as named (h, c or a gate), found in the selected
                                   layer's own cell; NULL: select_quantity */
    const char *lesson_path;    /* play this lesson */
    int lesson_step;            /* from this step (0 = its introduction) */
    int picker;                 /* open on the lesson picker */
    const char *lessons_root;   /* the folder holding en/ and ko/ */
    const char *lang;           /* "en" or "ko": the lessons listed and the interface */
    int lang_fixed;             /* chosen by the user: a lesson's language does not change it */
    const char *const *compare; /* open side by side: these model files (up to 3) */
    int ncompare;
    int show_fresh;        /* compare: charts for fresh weights too */
    int show_params;       /* the parameter table (K) */
    int glossary;          /* the chapter's terms (D) */
    int states_only;       /* compare: only h (and c) per model (V) */
    const char *csv_path;  /* compare: write the charts' numbers here */
    RnnJob *watch_job;     /* rnnscope train --watch: train this in the window (the caller's) */
    const char *watch_out; /* where W writes it */
    int backward;          /* open on the backward pass; step then counts steps walked back */
    const char *target;    /* what the loss scores against (NULL: the prediction) */
    RnnWhatIf what_if;     /* changes to the model, in memory only */
} UiScreenOptions;

void ui_screen_options_default(UiScreenOptions *options);

/* Opens what the options say (keeping nothing on failure; free the screen either way).
 * host may be NULL (no live training, no downloads: e.g. for a screenshot). A watch job is
 * shown but not started: ui_screen_watch_started says when the runner drives it. */
int ui_screen_prepare(UiScreen *screen, const UiScreenOptions *options, const UiHost *host,
                      RnnError *err);
void ui_screen_free(UiScreen *screen);
/* The platform started driving the watched job: Esc now stops it. */
void ui_screen_watch_started(UiScreen *screen);

/* Input, as ui_view's: each returns 1 when the screen needs drawing again. */
int ui_screen_key(UiScreen *screen, UiKey key);
int ui_screen_text_input(UiScreen *screen, const char *utf8);
int ui_screen_text_editing(UiScreen *screen, const char *utf8);
int ui_screen_mouse_move(UiScreen *screen, int x, int y);
int ui_screen_click(UiScreen *screen, int x, int y);
/* The mouse wheel at (x, y), dy > 0 away from the user: over the lesson text it scrolls the
 * text, over a heatmap that shows only some of its units it scrolls the rows, elsewhere it
 * steps through the words (up: back). */
int ui_screen_wheel(UiScreen *screen, int x, int y, int dy);
/* The mouse moved with its button held (after ui_screen_mouse_move): a held scrub bar. */
int ui_screen_drag(UiScreen *screen, int x, int y);
int ui_screen_tick(UiScreen *screen, double seconds);
/* A model file dropped on the window (or opened otherwise); the banner says how it went. */
int ui_screen_open_model(UiScreen *screen, const char *path);
/* Live training published something: new weights or progress. */
int ui_screen_poll(UiScreen *screen);

/* The time cursor of a recording (`rnnscope record`, Ctrl+G): step is words read, or on the
 * backward pass steps walked back from the last word; every column follows. The last step:
 * T words read, or T - 1 steps back (0 when nothing is open). */
int ui_screen_set_step(UiScreen *screen, int step, RnnError *err);
int ui_screen_last_step(const UiScreen *screen);
/* What is on screen as options that open it again from files: model(s), sentence, theme,
 * zoom, language, selection, backward pass, target and what-if changes (not a lesson's text,
 * nor a hovered cell). paths holds the side-by-side models' files; o points into screen and
 * paths. Fails, with a message for the banner, when a model on screen is not a file's: none
 * open, or trained in the window. */
int ui_screen_describe(const UiScreen *screen, UiScreenOptions *o,
                       const char *paths[UI_COMPARE_MAX], RnnError *err);

void ui_screen_layout(UiScreen *screen, const UiDrawList *list, int width, int height);
void ui_screen_draw(UiScreen *screen, UiDrawList *list);

#endif
