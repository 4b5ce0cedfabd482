/* fuzz_po.c - libFuzzer target for gettext catalogues (io_po_parse).
 *
 * Any input: 0 or -1 without a sanitizer report. A catalogue that parses has its entries
 * sorted by msgid, each msgid found again by io_po_find, no msgid twice, and every string
 * NUL-terminated (strlen runs over each). */
#include "io_po.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    IoPo po;
    RnnError err;
    if (io_po_parse((const char *)data, size, "fuzz.po", &po, &err)) {
        if (!memchr(err.message, '\0', sizeof err.message) || strncmp(err.message, "fuzz.po:", 8))
            __builtin_trap();
        return 0;
    }
    for (int i = 0; i < po.count; i++) {
        const IoPoEntry *e = &po.entries[i];
        (void)strlen(e->msgstr);
        if (i > 0 && strcmp(po.entries[i - 1].msgid, e->msgid) >= 0) __builtin_trap();
        if (io_po_find(&po, e->msgid) != e) __builtin_trap();
        if (e->line < 1) __builtin_trap();
    }
    io_po_free(&po);
    return 0;
}
