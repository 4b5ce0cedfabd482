/* ui_i18n.c - messages in English and Korean (ui_i18n.h). */
#include "ui_i18n.h"

#include <string.h>

/* po/ko.po as bytes, written by CMake at configure time */
static const char ko_po[] = {
#include "ui_catalog_ko.inc"
    0};

static char lang[3] = "en";

void ui_lang_set(const char *l) {
    lang[0] = 'e', lang[1] = 'n', lang[2] = '\0';
    if (l && !strcmp(l, "ko")) lang[0] = 'k', lang[1] = 'o';
}

const char *ui_lang_get(void) {
    return lang;
}

int ui_lang_is_ko(void) {
    return lang[0] == 'k';
}

const IoPo *ui_catalog_ko(const char **why) {
    static IoPo po;
    static int state; /* 0: not read yet, 1: read, -1: failed */
    static RnnError err;
    if (state == 0) state = io_po_parse(ko_po, sizeof ko_po - 1, "po/ko.po", &po, &err) ? -1 : 1;
    if (state < 0 && why) *why = err.message;
    return state > 0 ? &po : NULL;
}

const char *ui_tr(const char *msgid) {
    if (!ui_lang_is_ko() || !msgid || !msgid[0]) return msgid;
    const IoPo *po = ui_catalog_ko(NULL);
    const IoPoEntry *e = po ? io_po_find(po, msgid) : NULL;
    return e && e->msgstr[0] ? e->msgstr : msgid;
}
