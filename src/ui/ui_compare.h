/* ui_compare.h - models side by side: one sentence, one time cursor, a column per model with
 * its heatmaps at one scale, its prediction and parameter count, and two charts of how far
 * back it reaches (sensitivity ‖∂h_T/∂x_t‖ and key influence), for its trained weights and
 * for fresh ones. Each column can train live (rnn_job), from fresh weights, in the window.
 *
 * Every number comes from the engine: a column is a UiView of its own (model and trace), the
 * charts come from rnn_sensitivity and rnn_key_influence. The compare view uses the single
 * view one way: it never opens itself (ui_screen.h does). */
#ifndef RNNSCOPE_UI_COMPARE_H
#define RNNSCOPE_UI_COMPARE_H

#include "rnn_job.h"
#include "ui_view.h"

#define UI_COMPARE_MAX 3
/* Live training's default pace: a run lasts this many seconds on screen, whatever its
 * length, so that a class can watch it learn ([ and ] change it while it trains). */
#define UI_COMPARE_PACE 30

/* How live training runs: the platform drives jobs (a background thread on the desktop,
 * slices of the frame loop in a browser) and wakes the window when a job publishes. The
 * pace is the runner's to keep, since it reads the clock: updates_per_second optimizer steps
 * per second of training time (pauses excluded), or 0: as fast as possible. */
typedef struct UiJobRunner {
    int (*start)(void *ctx, RnnJob *job, double updates_per_second, RnnError *err);
    void (*set_pace)(void *ctx, RnnJob *job, double updates_per_second);
    void (*pause)(void *ctx, RnnJob *job, int paused);
    /* Stops driving job and waits: afterwards nothing but the caller touches it, and the job
     * says how it ended (stopped, or finished if no step was left). */
    void (*stop)(void *ctx, RnnJob *job);
    void *ctx;
} UiJobRunner;

/* How far back one set of weights reaches, for the current sentence. */
typedef struct UiReach {
    double *sensitivity; /* (T) ‖∂h_T/∂x_t‖ */
    double *influence;   /* (T) key influence, or NULL when the model has no other words */
    int alternatives;    /* how many first words the influence averages over */
    const char *missing; /* why sensitivity is NULL (an N_ message), or NULL */
} UiReach;

typedef struct UiCompareColumn {
    UiView view;     /* its model and trace; text and step follow the screen's view */
    RnnModel *fresh; /* the same model with freshly initialised weights */
    UiReach trained, initial;
    RnnJob *job;              /* live training, or NULL */
    int job_borrowed;         /* the job belongs to the caller (ui_compare_new_watching) */
    int job_running;          /* the runner drives it */
    long long job_updates;    /* the optimizer step of the weights shown */
    int scrubbed;             /* they are an earlier snapshot: the run's new ones wait */
    RnnJobProgress *progress; /* the job's last progress, for drawing */
    long long history[RNN_JOB_MAX_SNAPSHOTS]; /* the steps of the job's kept snapshots */
    int history_count;
    UiRect rect, head, heat, chart_sensitivity, chart_influence, chart_training;
    UiRect scrub; /* the progress bar, which is also the scrub bar (ui_compare_click) */
} UiCompareColumn;

typedef struct UiCompare {
    int count;
    UiCompareColumn col[UI_COMPARE_MAX];
    int show_fresh;  /* F: the charts also show freshly initialised weights */
    int states_only; /* V: only h (and c) per model, large enough for a projector */
    uint64_t fresh_seed;
    char *train_out; /* `rnnscope train --watch`: where W writes the model */
    UiJobRunner runner;
    int pace; /* live training's pace: seconds per run; 0: as fast as possible */
    int drag; /* 1 + the column whose scrub bar the mouse holds, or 0 */
    void (*wrote)(void *ctx, const char *path); /* told of each model W writes, or NULL */
    void *wrote_ctx;
} UiCompare;

/* These model files (1..3) side by side, reading view's sentence at view's step, in its theme
 * and zoom; runner drives live training (may be NULL: no live training). NULL on failure,
 * with err set. */
UiCompare *ui_compare_new(const UiView *view, const char *const *paths, int count,
                          const UiJobRunner *runner, RnnError *err);
/* One column that shows a job the caller prepared, starts and keeps (`rnnscope train
 * --watch`). */
UiCompare *ui_compare_new_watching(const UiView *view, RnnJob *job, const UiJobRunner *runner,
                                   RnnError *err);
void ui_compare_free(UiCompare *compare); /* stops any training first; NULL is fine */

/* The columns read the view's sentence (again). */
int ui_compare_set_text(UiCompare *compare, const char *text, RnnError *err);
/* The columns follow the view's time cursor, its backward pass (walk, target) and its
 * what-if changes (each model takes those it has: no forget gate for a vanilla RNN, no relu
 * switch for gated cells). */
int ui_compare_follow(UiCompare *compare, const UiView *view, RnnError *err);
/* Keys of the compare view, with view for the banner and the time cursor; -1 when the key is
 * not one of them. UI_KEY_COMPARE and UI_KEY_PICKER are the screen's: they close the view.
 * While a run trains, [ and ] (UI_KEY_SLOWER, UI_KEY_FASTER) set its pace; once a run has
 * published weights, UI_KEY_SCRUB_BACK and UI_KEY_SCRUB_AHEAD step through its kept
 * snapshots. */
int ui_compare_key(UiCompare *compare, UiView *view, UiKey key);
/* A click: on a heatmap, the time cursor goes there; on a training panel's bar, every
 * training column shows its kept snapshot nearest to that optimizer step (the bar's end: the
 * latest weights, following the run), and the mouse holds the bar until the next click. */
int ui_compare_click(UiCompare *compare, UiView *view, int x, int y);
/* The mouse moved with its button down: scrubs the bar the click took hold of. */
int ui_compare_drag(UiCompare *compare, UiView *view, int x, int y);

/* Live training. ui_compare_train starts every column's model from fresh weights on the data
 * its training record names (or toggles pause when already training), at the compare view's
 * pace (UI_COMPARE_PACE at first; the watched run of `train --watch` as fast as possible). */
int ui_compare_train(UiCompare *compare, UiView *view, RnnError *err);
/* Picks up what the jobs published: new weights (re-run the engine; not in a column scrubbed
 * back to an earlier snapshot) and progress. Returns 1 when something changed. */
int ui_compare_poll(UiCompare *compare, UiView *view);
int ui_compare_training(const UiCompare *compare); /* some column is still training */
/* W: writes each trained model (the last published weights) to a file; names them in the
 * banner. */
int ui_compare_save_models(UiCompare *compare, UiView *view, RnnError *err);

/* The numbers behind the charts, as CSV: model, t, token, sensitivity, sensitivity_fresh,
 * influence, influence_fresh. */
int ui_compare_write_csv(const UiCompare *compare, const char *path, RnnError *err);

/* The columns in body, with view's zoom, theme and window size; then drawing. */
void ui_compare_layout(UiCompare *compare, const UiView *view, const UiDrawList *list, UiRect body);
void ui_compare_draw(UiCompare *compare, const UiView *view, UiDrawList *list);

#endif
