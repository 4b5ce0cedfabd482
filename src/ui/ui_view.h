/* ui_view.h - the stepping view: its state, layout, hit-testing, keys and drawing, in plain C.
 *
 * The view holds a model and the engine's trace of one sentence; it never computes a number
 * of its own: heatmaps, the detail panel and the output bars read the trace (and
 * rnn_explain). It also holds the window's chrome (top bar, token strip, status line,
 * lesson, picker, banner, help). It knows nothing of the compare view: ui_screen.h puts the
 * two together, and the platform layer feeds the screen events and draws its draw list. */
#ifndef RNNSCOPE_UI_VIEW_H
#define RNNSCOPE_UI_VIEW_H

#include "io_lesson.h"
#include "rnn.h"
#include "ui_draw.h"

#define UI_MAX_PICKER_ROWS 64 /* lessons listed at once in the picker */
#define UI_MIN_CELL        4  /* pixels: below this a heatmap shows a window of steps or units */
#define UI_MAX_HEATMAPS    (RNN_MAX_LAYERS * RNN_MAX_DIRECTIONS * (RNN_MAX_GATES + 2))

typedef enum UiKey {
    UI_KEY_NONE,
    UI_KEY_RIGHT,
    UI_KEY_LEFT,
    UI_KEY_UP,
    UI_KEY_DOWN,
    UI_KEY_PREV_QUANTITY, /* Shift+Up */
    UI_KEY_NEXT_QUANTITY, /* Shift+Down */
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_PLAY, /* Space */
    UI_KEY_SLOWER,
    UI_KEY_FASTER,
    UI_KEY_MODEL_RNN,  /* 1 */
    UI_KEY_MODEL_LSTM, /* 2 */
    UI_KEY_MODEL_GRU,  /* 3 */
    UI_KEY_EDIT,       /* Tab */
    UI_KEY_ENTER,
    UI_KEY_ESCAPE,
    UI_KEY_BACKSPACE,
    UI_KEY_ZOOM_IN,
    UI_KEY_ZOOM_OUT,
    UI_KEY_THEME,
    UI_KEY_HELP,
    UI_KEY_QUIT,
    UI_KEY_OPEN,           /* Ctrl+O: type a model file's path */
    UI_KEY_LESSON_NEXT,    /* N, Page Down: the lesson's next step */
    UI_KEY_LESSON_PREV,    /* P, Page Up */
    UI_KEY_ANSWER,         /* A: show the quiz's answer */
    UI_KEY_PICKER,         /* L: the lesson picker */
    UI_KEY_COMPARE,        /* C: the RNN, LSTM and GRU of the task side by side */
    UI_KEY_FRESH,          /* F: charts for freshly initialised weights too */
    UI_KEY_PARAMS,         /* K: the parameter table */
    UI_KEY_TRAIN,          /* Ctrl+T: train live from fresh weights; again: pause / resume */
    UI_KEY_SAVE_MODEL,     /* W: write the trained model */
    UI_KEY_BACKWARD,       /* B: the backward pass (gradients) instead of the forward values */
    UI_KEY_WHH_UP,         /* M: what if W_hh were 1.25x larger */
    UI_KEY_WHH_DOWN,       /* Shift+M: ... 1.25x smaller */
    UI_KEY_BIAS_UP,        /* G: what if the forget gate's bias were 0.5 higher */
    UI_KEY_BIAS_DOWN,      /* Shift+G: ... 0.5 lower */
    UI_KEY_RELU,           /* U: a vanilla RNN with relu instead of tanh, or back */
    UI_KEY_CLIP,           /* X: clip the gradient to norm 1, or not */
    UI_KEY_UNDO_WHAT_IF,   /* Z: the model as opened again */
    UI_KEY_LANGUAGE,       /* Shift+L: the interface in English or Korean */
    UI_KEY_GLOSSARY,       /* D: the chapter's terms */
    UI_KEY_ZOOM_RESET,     /* Ctrl+0: the size that fits the window */
    UI_KEY_NARRATION_DOWN, /* Ctrl+Down, the wheel over the lesson text: scroll it */
    UI_KEY_NARRATION_UP,   /* Ctrl+Up */
    UI_KEY_COMPARE_H_ONLY, /* V: side by side, only h (and c) per model, or every heatmap */
    UI_KEY_SCRUB_BACK,     /* ,: live training's weights, one kept snapshot back */
    UI_KEY_SCRUB_AHEAD,    /* .: one ahead; at the end, the run's latest again */
} UiKey;

enum { UI_EDIT_SENTENCE = 1, UI_EDIT_PATH = 2 };

typedef enum UiTheme { UI_THEME_LIGHT, UI_THEME_DARK } UiTheme;

/* One heatmap on screen: which values it shows and where. */
typedef struct UiHeatmap {
    int layer, direction, quantity; /* quantity: RNN_QUANTITY_H, RNN_QUANTITY_C or a gate */
    UiRect rect;                    /* the cells shown: steps t0.. and units u0.. */
    int cell_w, cell_h;
    int t0, cols;      /* the steps in view: all of them, or a window around the current one
                          when a long sentence would need cells narrower than UI_MIN_CELL */
    int u0, rows;      /* the units in view, likewise around the selected unit */
    int title_w;       /* room for its title */
    int header_y;      /* where its block's "layer 0 · forward" header goes */
    UiRect title_rect; /* its title: pointing at it shows the term's glossary entry */
    int block_w;       /* the width of its layer/direction block */
} UiHeatmap;

/* What a point on the screen is. */
typedef struct UiHit {
    int heatmap; /* index into UiView.heatmaps, or -1 */
    int unit, t;
    int token; /* index of a token chip, or -1 */
} UiHit;

/* The selected value (keyboard or mouse): the detail panel explains it. */
typedef struct UiSelection {
    int layer, direction, quantity, unit;
    int t; /* -1: follow the time cursor */
} UiSelection;

/* What the chrome says when the body shows something else (ui_screen sets it): a title and
 * a line beside it in the top bar, and the key hints of the status line. NULL: the model's
 * own name and size, and the single view's keys. */
typedef struct UiChrome {
    const char *title, *info, *hint;
} UiChrome;

/* What the current lesson step wants beside the view: models side by side (count > 0) or the
 * view alone (count 0). The view only records it; ui_screen applies it after each event. */
typedef struct UiSideRequest {
    int serial; /* bumped on every request */
    int count;
    char *paths[3];
} UiSideRequest;

typedef struct UiView {
    /* what is shown */
    RnnModel *model;
    char *model_path;
    char *siblings[3]; /* the rnn, lstm and gru models of the same task, or NULL */
    char *text;        /* the sentence, UTF-8 */
    int text_serial;   /* bumped whenever text (or the model reading it) changes */
    RnnTokens tokens;
    RnnTrace *trace;
    int words_read; /* the time cursor: words read so far, 0..T (at t = words_read - 1) */
    UiSelection sel;
    int hover_active;
    UiSelection hover;

    /* how */
    UiTheme theme;
    double zoom;      /* the scale everything is drawn at (ui_view_fit): 1 = the 1280x800 design */
    double base_zoom; /* --zoom, or a browser's device pixel ratio */
    double user_zoom; /* + and - on top of fitting the window (Ctrl+0: 1) */
    int playing;
    double speed;      /* steps per second while playing */
    double play_clock; /* seconds accumulated toward the next word */
    int editing;
    char *edit_text;      /* the sentence being typed */
    char composition[64]; /* the input method's text not yet committed (Korean syllables) */
    int help;
    char banner[RNN_ERROR_SIZE + 64];
    int banner_error;
    int quit;
    int font_has_hangul;
    int compact;     /* heatmaps titled without a legend each (the compare view draws one) */
    int states_only; /* only the states h (and c): no gate heatmaps (the compare view's V) */

    /* a lesson being played, and the picker */
    IoLesson *lesson;
    int lesson_step;
    int narration_scroll; /* pixels of the step's text scrolled out of view at the top */
    int narration_room;   /* from the last drawing: pixels the text may scroll (0: it fits) */
    int show_answer;
    int picker;         /* the picker is on screen */
    char *lessons_root; /* the folder holding en/ and ko/ */
    char lang[3];       /* "en" or "ko": the lessons listed, and the interface's language */
    int lang_fixed;     /* the language was chosen (--lang): a lesson does not change it */
    char **picker_files;
    char **picker_titles;
    int picker_count, picker_sel;
    UiRect picker_rows[UI_MAX_PICKER_ROWS]; /* where each lesson is listed (layout) */
    int picker_rows_shown;

    /* the backward pass (B): the heatmaps show ∂L/∂h, ∂L/∂c and each gate's ∂L/∂a of this
     * sentence's loss, and the cursor walks back from the last word (the forward pass is
     * read to its end) */
    int backward;
    int walked;    /* steps walked back from the last word read, 0..T-1 */
    RnnGrad *grad; /* of trace; NULL unless backward (or when the model has no head) */
    char *target;  /* what the loss scores against (rnn_grad_parse_target); NULL: the
                      prediction */
    char grad_error[RNN_ERROR_SIZE]; /* why there is no gradient, when backward */
    double grad_top;     /* top of the colour scale (log10) set by a screen that shares one among
                            views; NAN: from this view's own gradients (ui_view_grad_top) */
    double grad_own_top; /* that top for this view's gradients alone (set with grad) */
    /* what-if changes: model is a changed copy of base_model (NULL: no change) */
    RnnModel *base_model;
    RnnWhatIf what_if;

    int glossary;   /* the chapter's terms on screen (D) */
    int hover_term; /* the glossary entry of the heatmap title pointed at, or -1 */
    int mouse_x, mouse_y;

    int show_params; /* the parameter table (K) */
    UiChrome chrome;
    UiSideRequest beside;

    /* layout, from the last ui_view_layout */
    int width, height;
    UiRect top_bar, token_strip, body, side, detail, inputs, outputs, diagram, status, narration;
    UiRect chips[256]; /* chips[i] is token chip_first + i; only those in view */
    int chip_first, nchips;
    int pinned;      /* the token kept at the left while the strip scrolls, or -1 */
    UiRect pin_chip; /* its chip; "…" follows it */
    UiHeatmap heatmaps[UI_MAX_HEATMAPS];
    int nheatmaps;
    UiRect grad_chart; /* backward: ‖∂L/∂h_t‖ per step, under the heatmaps */
} UiView;

void ui_view_init(UiView *view);
void ui_view_free(UiView *view);

/* Opens a model file; on failure keeps what was open and returns -1 with err set. The
 * sentence stays (and is run through the new model). Finds the task's sibling models. */
int ui_view_open_model(UiView *view, const char *path, RnnError *err);
/* The same for a model already in memory (taken, also on failure); path may be NULL. */
int ui_view_set_model(UiView *view, RnnModel *model, const char *path, RnnError *err);
/* Replaces the sentence and runs the engine; on failure keeps the previous one. */
int ui_view_set_text(UiView *view, const char *text, RnnError *err);
/* The time cursor (0..T words read) and selection, clamped to what exists. */
void ui_view_set_words_read(UiView *view, int words_read);
void ui_view_set_banner(UiView *view, int is_error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The backward pass on or off; the cursor starts at the last word. Fails (and stays in the
 * forward pass) for a model without a head, which has no loss. */
int ui_view_set_backward(UiView *view, int on, RnnError *err);
/* The backward cursor: steps walked back from the last word, clamped to 0..T-1. */
void ui_view_set_walked(UiView *view, int walked);
/* What the loss scores against (NULL: the prediction); keeps the old one on a bad target. */
int ui_view_set_target(UiView *view, const char *target, RnnError *err);
/* Applies what-if changes to (a copy of) the model as opened and runs the engine again;
 * RNN_WHAT_IF_NONE gives the model back as opened. On failure nothing changes. */
int ui_view_set_what_if(UiView *view, const RnnWhatIf *what_if, RnnError *err);
/* log10 of the top of the gradients' colour scale: grad_top, or ceil(log10 max |g|) over
 * every ∂L/∂h, ∂L/∂c and gate gradient of the sentence. */
double ui_view_grad_top(const UiView *view);
#define UI_GRAD_DECADES 8 /* the colour scale spans this many decades below its top */
/* The unit of the sentence's walk: ‖∂L/∂h_t‖ (quantity h) or ‖∂L/∂c_t‖ (c) of layer l,
 * direction d, at each step (T values into out; NaN where the walk has not arrived). */
void ui_view_grad_norms(const UiView *view, int l, int d, int quantity, double *out);

/* The scale for a window of width x height: the layout is designed at 1280x800 and grows
 * uniformly with the window (never shrinks below it: small windows keep readable text),
 * times base_zoom and user_zoom. At 1920x1080, 1.35. */
double ui_view_fit(UiView *view, int width, int height);

/* The interface's language ("en" or "ko"; anything else is English): the view's and every
 * drawn message's (ui_lang_set). */
void ui_view_set_lang(UiView *view, const char *lang);

/* Plays a lesson file from its first step; on failure keeps what was open. */
int ui_view_open_lesson(UiView *view, const char *path, RnnError *err);
/* Goes to step k of the lesson: its model, sentence, time step and focus. */
int ui_view_lesson_go(UiView *view, int k, RnnError *err);
/* Opens the picker on the lesson files of root/lang (lang "en" or "ko"). */
int ui_view_open_picker(UiView *view, const char *root, const char *lang, RnnError *err);

/* Input. Each returns 1 when the view changed and needs drawing again. */
int ui_view_key(UiView *view, UiKey key);
int ui_view_text_input(UiView *view, const char *utf8);   /* committed text */
int ui_view_text_editing(UiView *view, const char *utf8); /* composition in progress */
int ui_view_mouse_move(UiView *view, int x, int y);
int ui_view_click(UiView *view, int x, int y);
int ui_view_tick(UiView *view, double seconds); /* playback */

/* Layout for a window of width x height, then drawing into list (whose measure is set). */
void ui_view_layout(UiView *view, const UiDrawList *list, int width, int height);
void ui_view_draw(UiView *view, UiDrawList *list);
/* The parts of those, for a screen that puts something else in the body: the chrome's
 * rectangles (top bar, token strip, status, body), then the drawing in three layers: the
 * body (heatmaps and side panels), the chrome over it, and the overlays (picker, banner,
 * help) on top. ui_view_draw_begin empties the list and paints the background. */
void ui_view_layout_chrome(UiView *view, const UiDrawList *list, int width, int height);
void ui_view_draw_begin(UiView *view, UiDrawList *list);
void ui_view_draw_body(UiView *view, UiDrawList *list);
void ui_view_draw_chrome(UiView *view, UiDrawList *list);
void ui_view_draw_overlays(UiView *view, UiDrawList *list);
/* The heatmaps alone: laid out in area (cells no larger than max_cell_w x max_cell_h when
 * those are > 0), and drawn. The compare view puts one model's heatmaps in each column. */
/* The layers as a person reads them: "bi-LSTM 64 sum · GRU 32, 16 · Dense 16 relu · 1 sigmoid". */
void ui_view_describe_layers(const RnnConfig *config, char *out, size_t size);
/* The quantities layer l's block shows, in order: h, c (LSTM), the gates (unless
 * states_only). Returns how many (at most RNN_MAX_GATES + 2). */
int ui_view_quantities(const RnnConfig *config, int l, int states_only, int *out);
void ui_view_layout_heatmaps(UiView *view, const UiDrawList *list, UiRect area, int max_cell_w,
                             int max_cell_h);
void ui_view_draw_heatmaps(UiView *view, UiDrawList *list);
UiHit ui_view_hit(const UiView *view, int x, int y);
/* Backward: the chart of ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) per step on a log scale, in rect, with
 * that y range (y_min >= y_max: its own); the range that covers this view's whole walk (0
 * when there is nothing to chart). The compare view draws one per model on one range. */
void ui_view_draw_grad_chart(UiView *view, UiDrawList *list, UiRect rect, double y_min,
                             double y_max);
int ui_view_grad_chart_range(const UiView *view, double *y_min, double *y_max);

/* The trace column that direction d read last (forward: words_read - 1; backward: T -
 * words_read); -1 when no word has been read. A column c of direction d is computed when it has
 * been read. */
int ui_view_column(const UiView *view, int direction);
int ui_view_computed(const UiView *view, int direction, int t);
/* The value a heatmap cell shows (from the trace, or from the gradient trace when
 * backward). */
double ui_view_value(const UiView *view, const UiHeatmap *hm, int unit, int t);
/* The selection the detail panel explains: hover if any, else the keyboard selection at the
 * current step. Returns 0 when there is nothing computed to explain. */
int ui_view_explained(const UiView *view, UiSelection *out);

/* Colours of a theme. */
typedef struct UiPalette {
    UiColor background, panel, ink, muted, faint, accent, outline, chip, chip_current, chip_unread,
        unknown, error, banner_ok, grid;
} UiPalette;
UiPalette ui_palette(UiTheme theme);

/* "RNN", "LSTM", "GRU" */
const char *ui_cell_title(RnnCellKind cell);
/* Names for a quantity: "forget gate f", and the chapter's Korean term. */
const char *ui_quantity_name(RnnCellKind cell, int quantity);
const char *ui_quantity_korean(RnnCellKind cell, int quantity);
/* Whether a quantity lives in [0, 1] (σ gates) rather than [-1, 1]. */
int ui_quantity_is_gate01(RnnCellKind cell, int quantity);

#endif
