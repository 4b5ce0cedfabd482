/* ui_params.h - the parameter table (K) as draw commands, and the words that describe a
 * model's layers. */
#ifndef RNNSCOPE_UI_PARAMS_H
#define RNNSCOPE_UI_PARAMS_H

#include "ui_view.h"

/* One row of the table: a layer's direction, the embedding, a Dense layer or the output
 * layer, with its count and the formula that gives it in PyTorch's and Keras's conventions
 * (index RNN_PYTORCH, RNN_KERAS). The rows of a model add up to rnn_param_count. */
typedef struct UiParamRow {
    char label[96];
    char formula[2][96];
    long long count[2];
} UiParamRow;
#define UI_PARAM_ROWS (RNN_MAX_LAYERS * RNN_MAX_DIRECTIONS + RNN_MAX_DENSE + 2)

/* The rows of c's table (labels in the interface's language); returns how many. */
int ui_params_rows(const RnnConfig *c, UiParamRow *rows);

/* The cell kinds of c's layers in order, each once: "LSTM", "LSTM + GRU". */
void ui_params_cells_text(const RnnConfig *c, char *buf, size_t size);
/* c's layers in one line: "hidden 64" for a model version 1 describes (rnn_config_is_uniform),
 * else each layer as ui_view_describe_layers writes them. */
void ui_params_layers_text(const RnnConfig *c, char *buf, size_t size);

/* Draws the table of count models centred in a width x height window. */
void ui_params_draw(UiDrawList *list, UiTheme theme, double zoom, int width, int height,
                    const RnnModel *const *models, int count);

#endif
