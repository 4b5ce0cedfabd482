/* ui_markdown.h - a lesson step's Markdown, laid out into a box as draw commands. */
#ifndef RNNSCOPE_UI_MARKDOWN_H
#define RNNSCOPE_UI_MARKDOWN_H

#include "ui_draw.h"

typedef struct UiMarkdownColors {
    UiColor ink, muted, accent, code_background, rule;
} UiMarkdownColors;

/* Draws markdown inside box (wrapping at its width; what falls below it is not drawn) and
 * returns the height the whole text needs. */
int ui_markdown(UiDrawList *list, UiRect box, const char *markdown, const UiMarkdownColors *colors);
/* The same, scrolled: the text as if it started scroll pixels above the box, only the lines
 * wholly inside the box drawn. Returns the height the whole text needs. */
int ui_markdown_scrolled(UiDrawList *list, UiRect box, const char *markdown,
                         const UiMarkdownColors *colors, int scroll);

#endif
