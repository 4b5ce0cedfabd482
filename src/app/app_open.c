/* app_open.c - `rnnscope` (the app on the default demo), `rnnscope open`, `rnnscope
 * screenshot` and `rnnscope record`. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "io_lesson.h"
#include "plat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char app_open_usage[] =
    "usage: rnnscope open [--model M.json] [--text \"...\" | --inputs X.json] [--step N]\n"
    "                     [--size WxH]\n"
    "                     [--theme light|dark] [--zoom Z] [--fullscreen] [--font PATH]\n"
    "                     [--data-dir DIR] [--lang en|ko]\n"
    "       rnnscope lesson FILE.md [--lesson-step K] [...the same options]\n"
    "       rnnscope [--lang en|ko]       (the lesson picker)\n"
    "\n"
    "Opens the window: the model reads the sentence one word at a time (Right), and every\n"
    "state and gate shows as a heatmap. Without --model: the recall task's LSTM. With no\n"
    "command at all, rnnscope opens on the lesson picker in the language of your locale\n"
    "(--lang chooses). Press H in the window for the keys. The options of\n"
    "rnnscope screenshot for the backward pass and what-if changes work here too.\n"
    "\n"
    "A model may also be a Keras .keras or .h5 file. A model read by token ids takes them\n"
    "as its text (--text \"0, 0, 12, 7\"; 0 is padding); a model without an embedding reads\n"
    "raw vectors (--inputs X.json: [[x, ...], ...]), or shows a sample of 8 steps.\n";

const char app_compare_usage[] =
    "usage: rnnscope compare [--models A.json,B.json[,C.json]] [--text \"...\"] [--step N]\n"
    "                        [--fresh] [--csv FILE] [the options of open]\n"
    "\n"
    "Opens the models side by side: the same sentence, one time step, one colour scale.\n"
    "Each column shows its heatmaps, its prediction and parameter count, and two charts of\n"
    "how far back it reaches: the sensitivity ||dh_T/dx_t|| of the final state to each word\n"
    "(log scale) and the key influence (how far h_t moves when only the first word is\n"
    "swapped for another key). Without --models: the recall task's RNN, LSTM and GRU.\n"
    "\n"
    "  --fresh      the charts also show freshly initialised weights (F in the window)\n"
    "  --csv FILE   write the charts' numbers as CSV\n"
    "\n"
    "In the window: Ctrl+T trains every model from fresh weights, live (again: pause;\n"
    "Esc: stop; W: write the models); K shows the parameter table; C goes back.\n";

const char app_screenshot_usage[] =
    "usage: rnnscope screenshot --out F.png [--model M.json] [--text \"...\"] [--step N]\n"
    "                           [--size WxH] [--theme light|dark] [--zoom Z] [--font PATH]\n"
    "                           [--select LAYER,DIR,QUANTITY,UNIT] [--help-overlay] [--params]\n"
    "                           [--glossary] [--h-only]\n"
    "                           [--lesson FILE.md [--lesson-step K]] [--picker [--lang en|ko]]\n"
    "                           [--data-dir DIR] [--compare A.json,B.json[,C.json] [--fresh]\n"
    "                           [--csv FILE]]\n"
    "                           [--backward [--target T]] [--scale-whh S] [--forget-bias B]\n"
    "                           [--nonlinearity tanh|relu] [--clip C]\n"
    "\n"
    "Renders the window's frame without a display (SDL's software renderer) and writes a PNG.\n"
    "--select chooses the value the detail panel explains: QUANTITY is h, c or a gate\n"
    "name of that layer's cell (i, f, g, o; r, z, n), e.g. --select 0,0,f,3. --lesson\n"
    "renders a lesson step (0 is its introduction); --picker the lesson picker; --params\n"
    "the parameter table (K); --glossary the chapter's terms (D); --h-only shows only h\n"
    "and c side by side (V); --compare the models side by side\n"
    "(see rnnscope compare --help). --backward shows the backward pass (B in the window):\n"
    "the gradients of the sentence's loss, with --step K counting the steps walked back from\n"
    "the last word; --target, --scale-whh, --forget-bias, --nonlinearity and --clip as in\n"
    "rnnscope trace --grad.\n";

const char app_record_usage[] =
    "usage: rnnscope record --out F.gif|DIR/ [--from T0] [--to T1] [--delay MS]\n"
    "                       [--model M.json] [--text \"...\"] [--size WxH] [--theme light|dark]\n"
    "                       [--lang en|ko] [--lesson FILE.md [--lesson-step K]]\n"
    "                       [--compare A.json,B.json[,C.json]] [--backward [--target T]]\n"
    "                       [...every option of rnnscope screenshot but --step]\n"
    "\n"
    "Steps through the sentence and draws one frame per time step without a display, each\n"
    "the frame rnnscope screenshot --step K draws: from 0 words read (before the first word)\n"
    "to the last word, so 11 frames for a 10-word sentence. --out F.gif writes an animated\n"
    "GIF that loops forever; --out DIR/ (ending in /, or a folder that exists) writes\n"
    "step-00.png, step-01.png ... there instead. With --backward the frames walk back from\n"
    "the last word (0 to T-1 steps back).\n"
    "\n"
    "  --from T0    the first step (words read; with --backward steps back); default 0\n"
    "  --to T1      the last step; default the end of the sentence\n"
    "  --delay MS   each frame's time on screen, 20 to 600000 ms (default 1000; the GIF\n"
    "               keeps hundredths of a second)\n"
    "\n"
    "The GIF has one palette for every frame: the frames' own colours when they use 256 or\n"
    "fewer; otherwise the most frequent exactly (backgrounds, text, heatmap cells) and a median\n"
    "cut of the rest, each pixel taking its nearest colour: never dithered.\n";

/* The recall sentence of the default demo: the key, eight fillers, the question. */
#define APP_DEFAULT_TEXT "violin the very and so it was just some ?"

static int parse_size(const char *text, int *w, int *h) {
    char *end;
    long a = strtol(text, &end, 10);
    if (*end != 'x' && *end != 'X') return -1;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 64 || b < 64 || a > 16384 || b > 16384) return -1;
    *w = (int)a, *h = (int)b;
    return 0;
}

/* "0,1,f,3" -> layer 0, direction 1, forget gate, unit 3 (the gate name is found in the
 * layer's own cell when the model is open: o->select_name). */
static int parse_select(const char *text, UiScreenOptions *o, char *quantity, size_t size) {
    static char name[16];
    int l, d, u;
    if (sscanf(text, "%d,%d,%15[a-z],%d", &l, &d, name, &u) != 4) return -1;
    o->select_layer = l, o->select_direction = d, o->select_unit = u;
    o->select_name = name;
    snprintf(quantity, size, "%s", name);
    return 0;
}

/* "a.json,b.json[,c.json]" -> o->compare (kept in a static buffer: one per process). */
static int parse_compare(const char *text, UiScreenOptions *o) {
    static char buf[3 * 4096];
    static const char *list[3];
    if (strlen(text) >= sizeof buf) return -1;
    snprintf(buf, sizeof buf, "%s", text);
    int n = 0;
    for (char *p = buf, *comma; p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p || n == 3) return -1;
        list[n++] = p;
    }
    o->compare = list, o->ncompare = n;
    return 0;
}

static int quantity_index(const char *name, int *out) {
    if (!strcmp(name, "h")) return *out = RNN_QUANTITY_H, 0;
    if (!strcmp(name, "c")) return *out = RNN_QUANTITY_C, 0;
    /* the gate's index in its cell, whichever cell the model turns out to have */
    const RnnCellKind cells[] = {RNN_CELL_LSTM, RNN_CELL_GRU};
    for (int k = 0; k < 2; k++)
        for (int g = 0; g < rnn_gate_count(cells[k]); g++)
            if (!strcmp(name, rnn_gate_name(cells[k], g))) return *out = g, 0;
    return -1;
}

/* Shared by open and screenshot. Returns 0, or an exit code. */
/* The language of the lessons: --lang, else the locale's (LC_ALL, LC_MESSAGES, LANG). */
static const char *locale_lang(const char *option) {
    if (option) return !strcmp(option, "ko") ? "ko" : "en";
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return !strncmp(v, "ko", 2) ? "ko" : "en";
    }
    return "en";
}

/* "ko/05" (a language and a lesson's number, as the web page's address says) -> the lesson
 * file lessons/ko/05-*.md; 0 and the path in out, or -1 when id is not such a name (then it
 * is used as a path, as given). */
static int resolve_lesson(const char *id, const char *root, char *out, size_t size) {
    char lang[3] = {0}, number[8] = {0};
    if (sscanf(id, "%2[a-z]/%7[0-9]", lang, number) != 2 ||
        strlen(id) != strlen(lang) + 1 + strlen(number))
        return -1;
    char folder[4200], **files;
    int n, found = -1;
    snprintf(folder, sizeof folder, "%s/%s", root, lang);
    if (io_lesson_find(folder, &files, &n)) return -1;
    for (int i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
        if (found < 0 && !strncmp(base, number, strlen(number)) && base[strlen(number)] == '-') {
            snprintf(out, size, "%s", files[i]);
            found = 0;
        }
        free(files[i]);
    }
    free(files);
    return found;
}

/* A lesson as the user named it: a file, or "ko/05" (resolve_lesson). The result outlives
 * the call: in a browser the window does. */
static const char *lesson_named(const char *name, const char *root) {
    static char file[4200];
    return resolve_lesson(name, root, file, sizeof file) ? name : file;
}

/* extra: options of a command's own beside the screenshot's (shot only), e.g. record's. */
static int parse_view_options(int argc, char **argv, int first, const char *usage, int shot,
                              int compare_command, const AppOption *extra, int nextra,
                              UiScreenOptions *o, const char **out_path, char **data_dir, FILE *out,
                              FILE *err) {
    const char *model = NULL, *text = NULL, *step = NULL, *size = NULL, *theme = NULL;
    const char *zoom = NULL, *font = NULL, *select = NULL, *dir = NULL;
    const char *lesson = NULL, *lesson_step = NULL, *lang = NULL, *compare = NULL, *csv = NULL;
    int fullscreen = 0, help_overlay = 0, picker = 0, fresh = 0, params = 0, backward = 0;
    int glossary = 0, h_only = 0;
    const char *target = NULL, *scale_whh = NULL, *forget_bias = NULL, *nonlinearity = NULL;
    const char *clip = NULL, *inputs = NULL;
    const AppOption opts[] = {
        {"model", &model, NULL},
        {"text", &text, NULL},
        {"inputs", &inputs, NULL},
        {"step", &step, NULL},
        {"size", &size, NULL},
        {"theme", &theme, NULL},
        {"zoom", &zoom, NULL},
        {"font", &font, NULL},
        {"data-dir", &dir, NULL},
        {"fullscreen", NULL, &fullscreen},
        {"lang", &lang, NULL},
        {"lesson-step", &lesson_step, NULL},
        {"compare", &compare, NULL},
        {"models", &compare, NULL},
        {"csv", &csv, NULL},
        {"fresh", NULL, &fresh},
        {"backward", NULL, &backward},
        {"target", &target, NULL},
        {"scale-whh", &scale_whh, NULL},
        {"forget-bias", &forget_bias, NULL},
        {"nonlinearity", &nonlinearity, NULL},
        {"clip", &clip, NULL},
        /* screenshot only: */
        {"out", out_path, NULL},
        {"select", &select, NULL},
        {"help-overlay", NULL, &help_overlay},
        {"params", NULL, &params},
        {"lesson", &lesson, NULL},
        {"picker", NULL, &picker},
        {"glossary", NULL, &glossary},
        {"h-only", NULL, &h_only},
    };
    AppOption all[sizeof opts / sizeof *opts + 8];
    int nopts = shot ? 30 : 22;
    memcpy(all, opts, (size_t)nopts * sizeof *opts);
    for (int i = 0; shot && i < nextra && i < 8; i++) all[nopts++] = extra[i];
    int rc = app_parse_options(argc, argv, first, all, nopts, usage, out, err);
    if (rc) return rc < 0 ? -1 : rc;
    ui_screen_options_default(o);
    char quantity[16] = "h";
    const char *problem = NULL;
    if (shot && !*out_path)
        problem = "--out is required";
    else if (size && parse_size(size, &o->width, &o->height))
        problem = "--size must be WxH, e.g. 1280x800";
    else if (theme && strcmp(theme, "light") && strcmp(theme, "dark"))
        problem = "--theme must be light or dark";
    else if (zoom && (!(o->zoom = atof(zoom)) || o->zoom < 0.5 || o->zoom > 3))
        problem = "--zoom must be 0.5..3";
    else if (select && parse_select(select, o, quantity, sizeof quantity))
        problem = "--select: e.g. 0,0,f,3";
    else if (quantity_index(quantity, &o->select_quantity))
        problem = "--select: unknown quantity";
    else if (app_parse_int(step, "step", 0, 1000000, &o->step, err))
        problem = "bad --step";
    else if (app_parse_int(lesson_step, "lesson-step", 0, 100000, &o->lesson_step, err))
        problem = "bad --lesson-step";
    else if (lang && strcmp(lang, "en") && strcmp(lang, "ko"))
        problem = "--lang must be en or ko";
    else if (compare && parse_compare(compare, o))
        problem = "--compare (--models) takes 1 to 3 model files separated by commas";
    else if ((csv || fresh) && !compare && !compare_command)
        problem = "--csv and --fresh go with --compare";
    else if (nonlinearity && strcmp(nonlinearity, "tanh") && strcmp(nonlinearity, "relu"))
        problem = "--nonlinearity must be tanh or relu";
    else if (app_parse_double(scale_whh, "scale-whh", -1e6, 1e6, &o->what_if.weight_hh_scale,
                              err) ||
             app_parse_double(forget_bias, "forget-bias", -1e6, 1e6, &o->what_if.forget_bias_shift,
                              err) ||
             app_parse_double(clip, "clip", 0, INFINITY, &o->what_if.clip, err))
        problem = "bad what-if value";
    if (problem) {
        fprintf(err, "rnnscope: %s\n\n%s", problem, usage);
        return APP_EXIT_USAGE;
    }
    if (nonlinearity) o->what_if.relu = !strcmp(nonlinearity, "relu");
    o->backward = backward;
    o->target = target;
    o->theme = theme && !strcmp(theme, "dark") ? UI_THEME_DARK : UI_THEME_LIGHT;
    o->fullscreen = fullscreen;
    o->help = help_overlay;
    o->show_params = params;
    o->glossary = glossary;
    o->states_only = h_only;
    o->font_path = font;
    o->text = text;
    o->text_given = text || inputs;
    if (inputs) { /* a model that reads raw vectors: the file's JSON is its "sentence" */
        static char *inputs_text; /* lives as long as the options */
        size_t len;
        RnnError e;
        free(inputs_text);
        inputs_text = NULL;
        if (text) {
            fprintf(err, "rnnscope: give at most one of --text and --inputs\n");
            return APP_EXIT_USAGE;
        }
        if (io_read_file(inputs, IO_MAX_FILE_SIZE, &inputs_text, &len, &e)) {
            fprintf(err, "rnnscope: %s\n", e.message);
            return APP_EXIT_ERROR;
        }
        o->text = inputs_text;
    }
    o->lesson_path = lesson;
    o->picker = picker;
    o->lang = locale_lang(lang);
    o->lang_fixed = lang != NULL;
    *data_dir = app_data_dir(dir);
    if (*data_dir) {
        static char lessons[4096];
        snprintf(lessons, sizeof lessons, "%s/lessons", *data_dir);
        o->lessons_root = lessons;
        if (o->lesson_path) o->lesson_path = lesson_named(o->lesson_path, lessons);
    }
    o->csv_path = csv;
    o->show_fresh = fresh;
    if (compare_command && !compare) { /* the recall task's three models */
        static char paths[3][4096];
        static const char *list[3];
        if (!*data_dir) {
            fprintf(err, "rnnscope: cannot find rnnscope's assets folder; give --models\n");
            return APP_EXIT_ERROR;
        }
        static const char *const cells[] = {"rnn", "lstm", "gru"};
        for (int k = 0; k < 3; k++) {
            snprintf(paths[k], sizeof paths[k], "%s/assets/models/recall-%s.json", *data_dir,
                     cells[k]);
            list[k] = paths[k];
        }
        o->compare = list, o->ncompare = 3;
    }
    if (!model && o->ncompare > 0) model = o->compare[0];
    if (model) {
        o->model_path = model;
    } else {
        static char path[4096];
        if (!*data_dir) {
            fprintf(err, "rnnscope: cannot find rnnscope's assets folder; give --model or "
                         "--data-dir\n");
            return APP_EXIT_ERROR;
        }
        snprintf(path, sizeof path, "%s/assets/models/recall-lstm.json", *data_dir);
        o->model_path = path;
        if (!text) o->text = APP_DEFAULT_TEXT;
    }
    if (!o->text) o->text = APP_DEFAULT_TEXT;
    return 0;
}

int app_screenshot_main(int argc, char **argv, FILE *out, FILE *err) {
    UiScreenOptions o;
    const char *png = NULL;
    char *dir = NULL;
    int rc = parse_view_options(argc, argv, 2, app_screenshot_usage, 1, 0, NULL, 0, &o, &png, &dir,
                                out, err);
    if (rc) {
        free(dir);
        return rc < 0 ? APP_EXIT_OK : rc;
    }
    RnnError e;
    rc = plat_screenshot(&o, png, &e) ? app_fail(err, "screenshot", e.message) : APP_EXIT_OK;
    free(dir);
    return rc;
}

/* "out/" or an existing folder: the frames as PNGs there (made when it ends in / and is not
 * there yet); anything else is the GIF's path. -1 when the folder cannot be made. */
static int record_folder(const char *path, int *folder, FILE *err) {
    struct stat st;
    size_t n = strlen(path);
    int exists = stat(path, &st) == 0;
    *folder = (n > 0 && path[n - 1] == '/') || (exists && S_ISDIR(st.st_mode));
    if (*folder && !exists && mkdir(path, 0777) != 0) {
        fprintf(err, "rnnscope record: cannot make the folder %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (*folder && exists && !S_ISDIR(st.st_mode)) {
        fprintf(err, "rnnscope record: %s is not a folder\n", path);
        return -1;
    }
    return 0;
}

int app_record_main(int argc, char **argv, FILE *out, FILE *err) {
    UiScreenOptions o;
    const char *path = NULL, *from = NULL, *to = NULL, *delay = NULL;
    char *dir = NULL;
    const AppOption extra[] = {{"from", &from, NULL}, {"to", &to, NULL}, {"delay", &delay, NULL}};
    int rc = parse_view_options(argc, argv, 2, app_record_usage, 1, 0, extra, 3, &o, &path, &dir,
                                out, err);
    if (rc) {
        free(dir);
        return rc < 0 ? APP_EXIT_OK : rc;
    }
    PlatRecording rec = {-1, -1, 1000, NULL, NULL, 0, 0, 0, 0};
    const char *problem = NULL;
    if (o.step >= 0)
        problem = "record steps through the sentence: --from and --to choose the steps, not --step";
    else if (app_parse_int(from, "from", 0, 1000000, &rec.from, err) ||
             app_parse_int(to, "to", 0, 1000000, &rec.to, err) ||
             app_parse_int(delay, "delay", 20, 600000, &rec.delay_ms, err))
        problem = "bad --from, --to or --delay";
    else if (rec.from >= 0 && rec.to >= 0 && rec.from > rec.to)
        problem = "--from must not come after --to";
    if (problem) {
        free(dir);
        fprintf(err, "rnnscope: %s\n\n%s", problem, app_record_usage);
        return APP_EXIT_USAGE;
    }
    int folder;
    if (record_folder(path, &folder, err)) {
        free(dir);
        return APP_EXIT_ERROR;
    }
    if (folder)
        rec.png_dir = path;
    else
        rec.gif_path = path;
    RnnError e;
    if (plat_record(&o, &rec, &e)) {
        rc = app_fail(err, "record", e.message);
    } else {
        const char *steps = o.backward ? "steps back" : "words read";
        if (folder)
            fprintf(out, "%s: %d PNGs, %s %d to %d, %dx%d\n", path, rec.frames, steps, rec.from,
                    rec.to, o.width, o.height);
        else
            fprintf(out,
                    "%s: %d frames, %s %d to %d, %dx%d, %d ms each, %ld bytes; %d colours, "
                    "palette of %d\n",
                    path, rec.frames, steps, rec.from, rec.to, o.width, o.height,
                    (rec.delay_ms + 5) / 10 * 10, rec.bytes, rec.colours, rec.palette);
    }
    free(dir);
    return rc;
}

int app_open_main(int argc, char **argv, int first, FILE *out, FILE *err, AppNoDisplay *headless) {
    UiScreenOptions o;
    const char *unused = NULL, *lesson = NULL;
    char *dir = NULL;
    int is_lesson = first == 2 && !strcmp(argv[1], "lesson");
    if (is_lesson) { /* rnnscope lesson FILE.md [options] */
        if (argc < 3 || argv[2][0] == '-') {
            fprintf(err, "rnnscope lesson: which lesson file?\n\n%s", app_open_usage);
            return APP_EXIT_USAGE;
        }
        lesson = argv[2];
        first = 3;
    }
    int is_compare = first == 2 && !strcmp(argv[1], "compare");
    int rc = parse_view_options(argc, argv, first, is_compare ? app_compare_usage : app_open_usage,
                                0, is_compare, NULL, 0, &o, &unused, &dir, out, err);
    if (rc) {
        free(dir);
        return rc < 0 ? APP_EXIT_OK : rc;
    }
    o.lesson_path = lesson && o.lessons_root ? lesson_named(lesson, o.lessons_root) : lesson;
    o.picker = first == 1; /* no command: the newcomer's first screen */
    RnnError e;
    /* With no display at all (a server, CI), SDL would fall back to a driver that shows
     * nothing and wait forever: the dispatcher shows the same model and sentence on the
     * command line instead. */
#ifdef __EMSCRIPTEN__
    int no_display = 0; /* the page's canvas */
#else
    int no_display = !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && !getenv("SDL_VIDEODRIVER");
#endif
    if (no_display) {
        *headless = (AppNoDisplay){strdup(o.model_path), strdup(o.text), NULL};
        if (o.picker && o.lessons_root) {
            char folder[4200];
            snprintf(folder, sizeof folder, "%s/%s", o.lessons_root, o.lang);
            headless->lessons_folder = strdup(folder);
        }
        rc = APP_OPEN_NO_DISPLAY;
    } else if (plat_run(&o, &e)) {
        rc = app_fail(err, "open", e.message);
    }
    free(dir);
    return rc;
}
