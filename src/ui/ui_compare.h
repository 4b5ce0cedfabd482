/* ui_compare.h - models side by side: one sentence, one time cursor, a column per model with
 * its heatmaps at one scale, its prediction and parameter count, and two charts of how far
 * back it reaches (sensitivity ‖∂h_T/∂x_t‖ and key influence), for its trained weights and
 * for fresh ones. Each column can train live (ui_train), from fresh weights, in the window.
 *
 * Every number comes from the engine: a column is a UiView of its own (model and trace), the
 * charts come from rnn_sensitivity and rnn_key_influence. */
#ifndef RNNSCOPE_UI_COMPARE_H
#define RNNSCOPE_UI_COMPARE_H

#include "ui_train.h"
#include "ui_view.h"

#define UI_COMPARE_MAX 3

/* How far back one set of weights reaches, for the current sentence. */
typedef struct UiReach {
    double *sensitivity; /* (T) ‖∂h_T/∂x_t‖ */
    double *influence;   /* (T) key influence, or NULL when the model has no other words */
    int alternatives;    /* how many first words the influence averages over */
} UiReach;

typedef struct UiCompareColumn {
    UiView view;     /* its model and trace; text and step follow the compare view */
    RnnModel *fresh; /* the same model with freshly initialised weights */
    UiReach trained, initial;
    UiTrainJob *job;  /* live training, or NULL */
    int job_borrowed; /* the job belongs to the caller (ui_compare_open_job) */
    long long job_step;
    UiTrainProgress *progress; /* the job's last progress, for drawing */
    UiRect rect, head, heat, chart_sensitivity, chart_influence, chart_training;
} UiCompareColumn;

struct UiCompare {
    int count;
    UiCompareColumn col[UI_COMPARE_MAX];
    int show_fresh;  /* F: the charts also show freshly initialised weights */
    int show_params; /* K: the parameter table */
    uint64_t fresh_seed;
    char *train_out; /* `rnnscope train --watch`: where W writes the model */
};

/* Puts the view into compare mode with these model files (2..3, or 1 for live training of
 * one model); the view's sentence and step carry over. On failure the view is unchanged. */
int ui_compare_open(UiView *view, const char *const *paths, int count, RnnError *err);
/* Back to the single view. Stops any training. */
void ui_compare_close(UiView *view);
void ui_compare_free(UiCompare *compare);

/* Called by ui_view_set_text / ui_view_set_step in compare mode. */
int ui_compare_set_text(UiView *view, const char *text, RnnError *err);
void ui_compare_set_step(UiView *view, int step);
/* Keys of the compare view; -1 when the key is not one of them (the view handles it). */
int ui_compare_key(UiView *view, UiKey key);
int ui_compare_click(UiView *view, int x, int y);

/* Live training. ui_compare_train starts every column's model from fresh weights on the data
 * its training record names (or toggles pause when already training). */
int ui_compare_train(UiView *view, RnnError *err);
/* Watches a job the caller prepared and keeps (`rnnscope train --watch`): compare mode with
 * one column showing the job's model. The caller starts, stops and frees the job. */
int ui_compare_open_job(UiView *view, UiTrainJob *job, RnnError *err);
/* Picks up what the workers published: new weights (re-run the engine) and progress.
 * Returns 1 when something changed. */
int ui_compare_poll(UiView *view);
int ui_compare_training(const UiView *view); /* some column is still training */
/* W: writes each trained model (the last published weights) to a file; names them in the
 * banner. */
int ui_compare_save_models(UiView *view, RnnError *err);

/* The numbers behind the charts, as CSV: model, t, token, sensitivity, sensitivity_fresh,
 * influence, influence_fresh. */
int ui_compare_write_csv(const UiView *view, const char *path, RnnError *err);

void ui_compare_layout(UiView *view, const UiDrawList *list, UiRect body);
void ui_compare_draw(UiView *view, UiDrawList *list);
void ui_params_table_draw(UiView *view, UiDrawList *list); /* K, in either view */

#endif
