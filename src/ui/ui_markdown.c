/* ui_markdown.c - Markdown (CommonMark with tables, through md4c) laid out as draw commands:
 * headings, paragraphs, emphasis, inline code, lists and tables, wrapped to a width. */
#define _POSIX_C_SOURCE 200809L
#include "ui_markdown.h"

#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CELLS 64

typedef struct Layout {
    UiDrawList *l;
    UiRect box;
    UiColor ink, muted, accent, code_bg, rule;
    int x, y;   /* where the next word goes */
    int line_h; /* height of the current line */
    int indent; /* left margin of the current block (lists) */
    int pending_space;
    int bold, italic, code;
    UiFont block_font; /* body, or a heading size */
    int heading;
    int list_depth, ordered[8], counter[8];
    int in_table, in_cell, row, col, header_row;
    char cells[MAX_CELLS][128];
    int ncells, table_cols;
    int lines_drawn;
} Layout;

static UiFont current_font(const Layout *s) {
    int f = (int)s->block_font;
    if (s->bold || s->heading) f |= UI_STYLE_BOLD;
    if (s->italic) f |= UI_STYLE_ITALIC;
    return (UiFont)f;
}

static void new_line(Layout *s) {
    s->y += s->line_h ? s->line_h : ui_text_height(s->l, s->block_font);
    s->x = s->box.x + s->indent;
    s->line_h = 0;
    s->pending_space = 0;
}

/* Places one word (no spaces inside), wrapping before it when it does not fit. */
static void put_word(Layout *s, const char *word, size_t n) {
    char buf[512];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, word, n);
    buf[n] = '\0';
    UiFont f = current_font(s);
    int w = ui_text_width(s->l, f, buf), space = s->pending_space ? ui_text_width(s->l, f, " ") : 0;
    int right = s->box.x + s->box.w;
    if (s->x > s->box.x + s->indent && s->x + space + w > right)
        new_line(s);
    else
        s->x += space;
    s->pending_space = 0;
    int h = ui_text_height(s->l, f);
    if (h > s->line_h) s->line_h = h;
    if (s->y + h <= s->box.y + s->box.h) { /* below the panel: laid out but not drawn */
        if (s->code) ui_fill(s->l, (UiRect){s->x - 2, s->y, w + 4, h}, s->code_bg);
        ui_text(s->l, s->x, s->y, f, s->heading ? s->accent : s->ink, buf);
    }
    s->x += w;
}

static void put_text(Layout *s, const char *text, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n') {
            s->pending_space = 1;
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') i++;
        put_word(s, text + start, i - start);
    }
}

static void end_table(Layout *s) {
    /* columns as wide as their widest cell, squeezed to the box */
    int cols = s->table_cols, widths[16] = {0};
    if (cols < 1 || cols > 16) return;
    for (int i = 0; i < s->ncells; i++) {
        int w = ui_text_width(s->l, UI_FONT_BODY, s->cells[i]) + 16;
        if (w > widths[i % cols]) widths[i % cols] = w;
    }
    int total = 0;
    for (int c = 0; c < cols; c++) total += widths[c];
    int avail = s->box.w - s->indent;
    for (int c = 0; c < cols && total > avail; c++) widths[c] = widths[c] * avail / total;
    int h = ui_text_height(s->l, UI_FONT_BODY) + 4;
    for (int i = 0; i < s->ncells; i++) {
        int c = i % cols, x = s->box.x + s->indent;
        for (int k = 0; k < c; k++) x += widths[k];
        int y = s->y + (i / cols) * h;
        if (y + h > s->box.y + s->box.h) break;
        UiFont f = i < cols ? (UiFont)(UI_FONT_BODY | UI_STYLE_BOLD) : UI_FONT_BODY;
        ui_text(s->l, x + 4, y + 2, f, s->ink, s->cells[i]);
        if (c == 0) ui_fill(s->l, (UiRect){s->box.x + s->indent, y + h - 1, avail, 1}, s->rule);
    }
    s->y += ((s->ncells + cols - 1) / cols) * h + h / 2;
    s->ncells = 0;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *user) {
    Layout *s = user;
    int para_gap = ui_text_height(s->l, UI_FONT_SMALL) / 2;
    switch (type) {
    case MD_BLOCK_H: {
        int level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        if (s->y > s->box.y) s->y += para_gap;
        s->block_font = level <= 1 ? UI_FONT_LARGE : UI_FONT_BODY;
        s->heading = 1;
        s->x = s->box.x + s->indent;
        break;
    }
    case MD_BLOCK_P:
        if (!s->in_table) s->x = s->box.x + s->indent, s->pending_space = 0;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (s->x > s->box.x + s->indent) new_line(s); /* a list inside an item: below its text */
        if (s->list_depth < 7) {
            s->list_depth++;
            s->ordered[s->list_depth] = type == MD_BLOCK_OL;
            s->counter[s->list_depth] =
                type == MD_BLOCK_OL ? (int)((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        }
        break;
    case MD_BLOCK_LI: {
        s->indent = 24 * s->list_depth;
        s->x = s->box.x + s->indent - 16;
        char mark[16];
        if (s->ordered[s->list_depth])
            snprintf(mark, sizeof mark, "%d.", s->counter[s->list_depth]++);
        else
            snprintf(mark, sizeof mark, "•");
        ui_text(s->l, s->x - (s->ordered[s->list_depth] ? 6 : 0), s->y, UI_FONT_BODY, s->accent,
                mark);
        s->x = s->box.x + s->indent;
        s->pending_space = 0;
        break;
    }
    case MD_BLOCK_CODE:
        s->code = 1;
        s->x = s->box.x + s->indent;
        break;
    case MD_BLOCK_TABLE:
        s->in_table = 1;
        s->ncells = 0;
        s->table_cols = (int)((MD_BLOCK_TABLE_DETAIL *)detail)->col_count;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        s->in_cell = 1;
        if (s->ncells < MAX_CELLS) s->cells[s->ncells][0] = '\0';
        break;
    default:
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *user) {
    Layout *s = user;
    (void)detail;
    int para_gap = ui_text_height(s->l, UI_FONT_SMALL) / 2;
    switch (type) {
    case MD_BLOCK_H:
        new_line(s);
        s->heading = 0;
        s->block_font = UI_FONT_BODY;
        s->y += para_gap / 2;
        break;
    case MD_BLOCK_P:
        if (!s->in_table) {
            new_line(s);
            s->y += para_gap;
        }
        break;
    case MD_BLOCK_LI:
        new_line(s);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (s->list_depth > 0) s->list_depth--;
        s->indent = 24 * s->list_depth;
        s->x = s->box.x + s->indent;
        if (s->list_depth == 0) s->y += para_gap;
        break;
    case MD_BLOCK_CODE:
        s->code = 0;
        new_line(s);
        s->y += para_gap;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        s->in_cell = 0;
        if (s->ncells < MAX_CELLS) s->ncells++;
        break;
    case MD_BLOCK_TABLE:
        s->in_table = 0;
        end_table(s);
        break;
    default:
        break;
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *user) {
    Layout *s = user;
    (void)detail;
    if (type == MD_SPAN_EM)
        s->italic++;
    else if (type == MD_SPAN_STRONG)
        s->bold++;
    else if (type == MD_SPAN_CODE)
        s->code++;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *user) {
    Layout *s = user;
    (void)detail;
    if (type == MD_SPAN_EM && s->italic)
        s->italic--;
    else if (type == MD_SPAN_STRONG && s->bold)
        s->bold--;
    else if (type == MD_SPAN_CODE && s->code)
        s->code--;
    return 0;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *t, MD_SIZE n, void *user) {
    Layout *s = user;
    if (type == MD_TEXT_HTML) return 0; /* comments (the lesson's directives) and raw HTML */
    if (s->in_cell) {                   /* table cells are collected, then laid out as columns */
        if (s->ncells < MAX_CELLS) {
            size_t have = strlen(s->cells[s->ncells]);
            snprintf(s->cells[s->ncells] + have, sizeof s->cells[0] - have, "%.*s", (int)n, t);
        }
        return 0;
    }
    if (type == MD_TEXT_BR) {
        new_line(s);
        return 0;
    }
    if (type == MD_TEXT_SOFTBR) {
        s->pending_space = 1;
        return 0;
    }
    if (type == MD_TEXT_ENTITY) {
        static const char *const entities[][2] = {
            {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", " "}};
        for (size_t i = 0; i < sizeof entities / sizeof *entities; i++)
            if (strlen(entities[i][0]) == n && !strncmp(entities[i][0], t, n)) {
                put_text(s, entities[i][1], strlen(entities[i][1]));
                return 0;
            }
    }
    put_text(s, t, n);
    return 0;
}

int ui_markdown(UiDrawList *l, UiRect box, const char *markdown, const UiMarkdownColors *colors) {
    Layout s;
    memset(&s, 0, sizeof s);
    s.l = l;
    s.box = box;
    s.ink = colors->ink, s.muted = colors->muted, s.accent = colors->accent;
    s.code_bg = colors->code_background, s.rule = colors->rule;
    s.x = box.x, s.y = box.y;
    s.block_font = UI_FONT_BODY;
    MD_PARSER parser;
    memset(&parser, 0, sizeof parser);
    parser.abi_version = 0;
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = enter_span;
    parser.leave_span = leave_span;
    parser.text = text;
    md_parse(markdown, (MD_SIZE)strlen(markdown), &parser, &s);
    if (s.x > s.box.x + s.indent) new_line(&s);
    return s.y - box.y;
}

int ui_markdown_scrolled(UiDrawList *l, UiRect box, const char *markdown,
                         const UiMarkdownColors *colors, int scroll) {
    /* laid out in a scratch list as if the box began scroll pixels higher, then only what
     * lies wholly inside the box is kept: no line is ever cut in half */
    UiDrawList scratch = {0};
    scratch.measure = l->measure;
    UiRect tall = {box.x, box.y - scroll, box.w, box.h + scroll};
    int total = ui_markdown(&scratch, tall, markdown, colors);
    ui_draw_append_inside(l, &scratch, box);
    ui_draw_free(&scratch);
    return total;
}
