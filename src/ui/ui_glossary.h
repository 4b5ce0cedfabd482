/* ui_glossary.h - the chapter's terms on screen (D): the Korean term as the chapter writes
 * it, the English one, a line that says what it is and where the window shows it. Pointing
 * at a heatmap's title shows its entry. */
#ifndef RNNSCOPE_UI_GLOSSARY_H
#define RNNSCOPE_UI_GLOSSARY_H

#include "rnn.h"
#include "ui_draw.h"
#include "ui_view.h"

typedef struct UiTerm {
    const char *ko;         /* the chapter's term, drawn as it is in both languages */
    const char *en;         /* the English term */
    const char *definition; /* a message (ui_tr): what it is */
    const char *where;      /* a message: where the window shows it */
} UiTerm;

int ui_glossary_count(void);
const UiTerm *ui_glossary_term(int i); /* NULL out of range */
/* The entry of a heatmap's quantity (h, c or a gate of the cell), or -1. */
int ui_glossary_for_quantity(RnnCellKind cell, int quantity);
/* The whole glossary over a window of width x height, entry `highlight` (or -1) marked. */
void ui_glossary_draw(UiDrawList *list, const UiPalette *palette, double zoom, int width,
                      int height, int highlight);
/* One entry in a box near (x, y), kept inside the window. */
void ui_glossary_tooltip(UiDrawList *list, const UiPalette *palette, double zoom, int x, int y,
                         int term, int width, int height);

#endif
