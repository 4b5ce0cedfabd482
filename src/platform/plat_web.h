/* plat_web.h - the browser platform's two sides: what the page (web/page.js) calls, and
 * what it provides (plat_web_page.js, linked as an emscripten JS library). */
#ifndef RNNSCOPE_PLAT_WEB_H
#define RNNSCOPE_PLAT_WEB_H

/* ---- called by the page ----------------------------------------------------------------- */

/* Committed text from the page's hidden field (typing, or an input method's result). */
void rnnscope_web_text(const char *utf8);
/* The input method's composition in progress ("" when it ends). */
void rnnscope_web_composition(const char *utf8);
/* A key (a UiKey value) from an on-screen button or the hidden field. */
void rnnscope_web_key(int key);
/* A model file the page wrote into the virtual file system: opened as one dropped on the
 * window is (a bad file shows its message and keeps the current model). */
void rnnscope_web_open_file(const char *path);
/* The canvas's size in device pixels, and the device's pixels per CSS pixel. */
void rnnscope_web_resize(int width, int height, double zoom);
/* 1 while a sentence is being typed: the page focuses its hidden field then. */
int rnnscope_web_editing(void);
/* The view as JSON for the address bar: {"lang", "lesson", "step"} or {"lang", "model",
 * "text", "t"} or {"lang"}; while models train, also "training": {"state", "updates",
 * "total", "seconds"} of the first one. */
const char *rnnscope_web_state(void);

/* ---- provided by the page (plat_web_page.js) ---------------------------------------------- */

void plat_web_page_download(const char *path, const char *mime, const char *name);
void plat_web_page_changed(void);
void plat_web_page_first_frame(void);

#endif
