/* ui_params.h - the parameter table (K) as draw commands. */
#ifndef RNNSCOPE_UI_PARAMS_H
#define RNNSCOPE_UI_PARAMS_H

#include "ui_view.h"

/* Draws the table of count models centred in a width x height window. */
void ui_params_draw(UiDrawList *list, UiTheme theme, double zoom, int width, int height,
                    const RnnModel *const *models, int count);

#endif
