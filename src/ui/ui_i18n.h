/* ui_i18n.h - the interface in English and Korean. Every string the window draws is written
 * in the source as its English text, wrapped in ui_tr() (or marked with N_() where it sits in
 * a table and is translated when drawn); the Korean comes from po/ko.po, a gettext catalogue
 * that translators' tools read and write, compiled into the program (so every build, the
 * browser's included, has it). tests/test_i18n.c fails when a marked message has no Korean. */
#ifndef RNNSCOPE_UI_I18N_H
#define RNNSCOPE_UI_I18N_H

#include "io_po.h"

/* Marks a string for the catalogue without translating it where it is written. */
#define N_(s) s

/* The language messages are drawn in: "en" or "ko" (anything else is English). */
void ui_lang_set(const char *lang);
const char *ui_lang_get(void);
int ui_lang_is_ko(void);

/* msgid in the current language: its Korean when the language is Korean and the catalogue
 * has it, else msgid itself. A printf format keeps its conversions in the same order in both
 * languages (the test checks), so the compiler checks the English one. */
const char *ui_tr(const char *msgid)
#if defined(__GNUC__)
    __attribute__((format_arg(1)))
#endif
    ;

/* The compiled-in Korean catalogue (parsed on first use; NULL if it could not be parsed,
 * with the reason in *why). */
const IoPo *ui_catalog_ko(const char **why);

#endif
