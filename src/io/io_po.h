/* io_po.h - gettext PO catalogues: the interface's translations, in the format translators'
 * tools (Poedit, Weblate, msgfmt) read and write. Only what rnnscope uses is read: msgid and
 * msgstr (each a run of C string literals), comments, flags and msgctxt are skipped, plural
 * forms are refused. The header entry (empty msgid) is kept like any other. */
#ifndef RNNSCOPE_IO_PO_H
#define RNNSCOPE_IO_PO_H

#include "rnn.h"

typedef struct IoPoEntry {
    char *msgid;  /* the English text, unescaped */
    char *msgstr; /* its translation; "" when not translated yet */
    int line;     /* where its msgid starts */
} IoPoEntry;

typedef struct IoPo {
    IoPoEntry *entries; /* sorted by msgid (strcmp), for io_po_find */
    int count;
} IoPo;

/* Parses a catalogue; errors name the line ("ko.po:12: ..."); a msgid given twice is an
 * error. Free with io_po_free (also on a zeroed struct). */
int io_po_parse(const char *text, size_t len, const char *name, IoPo *out, RnnError *err);
void io_po_free(IoPo *po);
/* The entry for msgid, or NULL. */
const IoPoEntry *io_po_find(const IoPo *po, const char *msgid);

#endif
