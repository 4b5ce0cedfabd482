/* rnnbench.c - the C side of tools/bench.sh: rnnscope's engine and frame, timed in-process.
 *
 *   rnnbench data    --out F [--count N] [--distance D] [--seed S]
 *       writes N recall sentences (key, D fillers, "?") as token ids and a target, one per
 *       line ("id id ... id : target"), so that tools/torch_bench.py trains on the very same
 *       data; the first line is the vocabulary size and the number of labels.
 *   rnnbench train   --data F --cell lstm|gru|rnn --hidden H [--embed I] [--batch B]
 *                    [--seconds S] [--min-steps N]
 *       full Adam steps (forward + loss + backward + update) on batches of the data; prints
 *       "train <cell> <hidden> <sequences per second>".
 *   rnnbench forward --cell C --hidden H [--embed I] [--steps T] [--seconds S]
 *   rnnbench forward --model M.json --text "..." [--seconds S]
 *       rnn_model_forward of one T-step sentence (or the model's reading of the text) into a
 *       trace made once; prints "forward <cell> <hidden> <microseconds per call>".
 *   rnnbench frame   --hidden H --steps T [--width W --height H] [--frames N]
 *       one LSTM view (a random model with a recall vocabulary, a T-word sentence, every
 *       column computed): a cold frame, then N steady frames, in bench_frame_cold and
 *       bench_frame_steady, for valgrind --tool=callgrind --toggle-collect=...; also prints
 *       the wall time of each.
 *
 *   rnnbench width
 *       prints the matrix kernels' vector width on this CPU (doubles: 4 AVX, 2 SSE2).
 *
 * train and forward take --kernel-width W to hold the kernels to W doubles (to measure what
 * the wider ones bring; every width computes the same bits). Everything is seeded: two runs
 * do the same work. */
#define _POSIX_C_SOURCE 200809L
#include "io.h"
#include "rnn.h"
#include "plat_sdl.h"
#include "ui_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *option(int argc, char **argv, const char *name, const char *fallback) {
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

static int fail(const char *what, const RnnError *err) {
    fprintf(stderr, "rnnbench: %s: %s\n", what, err ? err->message : "");
    return 1;
}

/* ---- the recall task's fixed vocabulary: "<unk>", 8 keys, 12 fillers, "?" ---------------------
 */

enum { VOCAB = 1 + RNN_RECALL_MAX_KEYS + RNN_RECALL_FILLERS + 1, LABELS = RNN_RECALL_MAX_KEYS };

static int word_id(const char *w) {
    for (int k = 0; k < RNN_RECALL_MAX_KEYS; k++)
        if (strcmp(w, rnn_recall_key(k)) == 0) return 1 + k;
    for (int k = 0; k < RNN_RECALL_FILLERS; k++)
        if (strcmp(w, rnn_recall_filler(k)) == 0) return 1 + RNN_RECALL_MAX_KEYS + k;
    if (strcmp(w, "?") == 0) return VOCAB - 1;
    return 0;
}

static RnnModel *recall_model(RnnCellKind cell, int hidden, int embed, RnnError *err) {
    RnnConfig c = {.cell = cell,
                   .input_size = embed,
                   .hidden_size = hidden,
                   .num_layers = 1,
                   .vocab_size = VOCAB,
                   .head = RNN_HEAD_MANY_TO_ONE,
                   .num_labels = LABELS};
    RnnModel *m = rnn_model_new(&c, err);
    if (!m) return NULL;
    int rc = rnn_model_set_vocab(m, 0, "<unk>", err);
    for (int k = 0; k < RNN_RECALL_MAX_KEYS && !rc; k++)
        rc = rnn_model_set_vocab(m, 1 + k, rnn_recall_key(k), err) ||
             rnn_model_set_label(m, k, rnn_recall_key(k), err);
    for (int k = 0; k < RNN_RECALL_FILLERS && !rc; k++)
        rc = rnn_model_set_vocab(m, 1 + RNN_RECALL_MAX_KEYS + k, rnn_recall_filler(k), err);
    if (!rc) rc = rnn_model_set_vocab(m, VOCAB - 1, "?", err) || rnn_model_index_vocab(m, err);
    if (rc) {
        rnn_model_free(m);
        return NULL;
    }
    rnn_model_init_random(m, 1);
    return m;
}

/* One sentence with `distance` fillers as ids (distance + 2 of them); returns the target. */
static int recall_ids(int distance, uint64_t *rng, int *ids) {
    const char *words[RNN_MAX_SIZE];
    int key = rnn_recall_sentence(RNN_RECALL_MAX_KEYS, distance, rng, words);
    for (int t = 0; t < distance + 2; t++) ids[t] = word_id(words[t]);
    return key;
}

static int cell_of(const char *name, RnnCellKind *cell) {
    if (rnn_cell_from_name(name, cell) == 0) return 0;
    fprintf(stderr, "rnnbench: unknown cell %s\n", name);
    return -1;
}

/* ---- data ------------------------------------------------------------------------------------ */

static int cmd_data(int argc, char **argv) {
    const char *out = option(argc, argv, "--out", NULL);
    int count = atoi(option(argc, argv, "--count", "320"));
    int distance = atoi(option(argc, argv, "--distance", "28"));
    uint64_t rng = (uint64_t)atoll(option(argc, argv, "--seed", "1"));
    if (!out || count < 1 || distance < 0 || distance + 2 > RNN_MAX_SIZE) {
        fprintf(stderr, "usage: rnnbench data --out F [--count N] [--distance D] [--seed S]\n");
        return 2;
    }
    FILE *f = fopen(out, "w");
    if (!f) return fail(out, NULL);
    int ids[RNN_MAX_SIZE];
    fprintf(f, "%d %d\n", VOCAB, LABELS);
    for (int i = 0; i < count; i++) {
        int target = recall_ids(distance, &rng, ids);
        for (int t = 0; t < distance + 2; t++) fprintf(f, "%d ", ids[t]);
        fprintf(f, ": %d\n", target);
    }
    return fclose(f) ? fail(out, NULL) : 0;
}

/* The file cmd_data wrote: count sequences of equal length T. */
typedef struct BenchData {
    int count, steps;
    int *ids;     /* (count, T) */
    int *targets; /* (count) */
} BenchData;

static int read_data(const char *path, BenchData *d) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int vocab, labels;
    char line[65536];
    memset(d, 0, sizeof *d);
    if (fscanf(f, "%d %d\n", &vocab, &labels) != 2 || vocab != VOCAB || labels != LABELS) {
        fclose(f);
        return -1;
    }
    int cap = 0;
    while (fgets(line, sizeof line, f)) {
        int row[RNN_MAX_SIZE], n = 0, used;
        char *p = line;
        while (n < RNN_MAX_SIZE && sscanf(p, "%d%n", &row[n], &used) == 1) p += used, n++;
        int target;
        if (sscanf(p, " : %d", &target) != 1 || n < 1 || (d->steps && n != d->steps)) break;
        if (d->count == cap) {
            cap = cap ? 2 * cap : 256;
            int *ids = realloc(d->ids, (size_t)cap * n * sizeof *ids);
            int *targets = ids ? realloc(d->targets, (size_t)cap * sizeof *targets) : NULL;
            if (ids) d->ids = ids;
            if (targets) d->targets = targets;
            if (!ids || !targets) break;
        }
        d->steps = n;
        memcpy(d->ids + (size_t)d->count * n, row, (size_t)n * sizeof *row);
        d->targets[d->count++] = target;
    }
    fclose(f);
    return d->count > 0 ? 0 : -1;
}

/* ---- training throughput -----------------------------------------------------------------------
 */

static int cmd_train(int argc, char **argv) {
    const char *path = option(argc, argv, "--data", NULL);
    RnnCellKind cell;
    if (!path || cell_of(option(argc, argv, "--cell", "lstm"), &cell)) return 2;
    int hidden = atoi(option(argc, argv, "--hidden", "16"));
    int embed = atoi(option(argc, argv, "--embed", "16"));
    int batch = atoi(option(argc, argv, "--batch", "32"));
    double seconds = atof(option(argc, argv, "--seconds", "2"));
    int min_steps = atoi(option(argc, argv, "--min-steps", "5"));
    BenchData d;
    if (read_data(path, &d) || d.count < batch) return fail("cannot read the data", NULL);
    RnnError err;
    RnnModel *m = recall_model(cell, hidden, embed, &err);
    if (!m) return fail("model", &err);
    RnnTrainConfig tc;
    rnn_train_config_default(&tc);
    tc.batch_size = batch;
    RnnTrainer *trainer = rnn_trainer_new(m, &tc, d.steps, &err);
    RnnExample *ex = calloc((size_t)d.count, sizeof *ex);
    const RnnExample **list = calloc((size_t)d.count, sizeof *list);
    if (!trainer || !ex || !list) return fail("trainer", &err);
    for (int i = 0; i < d.count; i++) {
        ex[i] = (RnnExample){d.steps, d.ids + (size_t)i * d.steps, NULL, d.targets + i, NULL};
        list[i] = &ex[i];
    }
    int batches = d.count / batch;
    /* one warm-up step (page faults, caches), then time whole steps */
    if (rnn_trainer_step(trainer, list, batch, NULL, &err)) return fail("step", &err);
    long long steps = 0;
    double start = now_seconds(), elapsed = 0;
    while (steps < min_steps || elapsed < seconds) {
        int b = (int)(steps % batches);
        if (rnn_trainer_step(trainer, list + (size_t)b * batch, batch, NULL, &err))
            return fail("step", &err);
        steps++;
        elapsed = now_seconds() - start;
    }
    printf("train %s %d %.1f loss %.6f\n", rnn_cell_name(cell), hidden,
           (double)steps * batch / elapsed, trainer->last_loss);
    rnn_trainer_free(trainer);
    rnn_model_free(m);
    free(ex), free(list), free(d.ids), free(d.targets);
    return 0;
}

/* ---- forward trace of one sentence -------------------------------------------------------------
 */

static int cmd_forward(int argc, char **argv) {
    RnnCellKind cell;
    if (cell_of(option(argc, argv, "--cell", "lstm"), &cell)) return 2;
    int hidden = atoi(option(argc, argv, "--hidden", "16"));
    int embed = atoi(option(argc, argv, "--embed", "16"));
    int steps = atoi(option(argc, argv, "--steps", "30"));
    double seconds = atof(option(argc, argv, "--seconds", "1"));
    const char *model_path = option(argc, argv, "--model", NULL);
    if (steps < 2 || steps > RNN_MAX_SIZE) return 2;
    RnnError err;
    int ids[RNN_MAX_SIZE];
    RnnModel *m = NULL;
    if (model_path) { /* a model file and a sentence: what the web page times (app_web.c) */
        RnnTokens tokens;
        RnnTrace *t0;
        const char *text = option(argc, argv, "--text", "");
        if (io_model_load(model_path, &m, NULL, &err) ||
            rnn_model_run_text(m, text, 0, &tokens, &t0, &err))
            return fail("model", &err);
        steps = t0->steps;
        memcpy(ids, t0->token_ids, (size_t)steps * sizeof *ids);
        cell = m->config.cell, hidden = m->config.hidden_size;
        rnn_trace_free(t0);
        rnn_tokens_free(&tokens);
    } else {
        m = recall_model(cell, hidden, embed, &err);
        uint64_t rng = 7;
        recall_ids(steps - 2, &rng, ids);
    }
    RnnTrace *tr = m ? rnn_trace_new(&m->config, steps, &err) : NULL;
    if (!tr) return fail("model", &err);
    if (rnn_model_forward(m, ids, NULL, tr, &err)) return fail("forward", &err);
    long long calls = 0;
    double start = now_seconds(), elapsed = 0;
    while (calls < 100 || elapsed < seconds) {
        for (int k = 0; k < 100; k++) rnn_model_forward(m, ids, NULL, tr, &err);
        calls += 100;
        elapsed = now_seconds() - start;
    }
    printf("forward %s %d %.3f p0 %.6f\n", rnn_cell_name(cell), hidden, 1e6 * elapsed / calls,
           tr->probs[0]);
    rnn_trace_free(tr);
    rnn_model_free(m);
    return 0;
}

/* ---- one frame of the LSTM view ----------------------------------------------------------------
 */

typedef struct Frame {
    UiScreen *screen;
    PlatRenderer *renderer;
    UiDrawList *list;
    SDL_Renderer *sdl;
    int width, height;
} Frame;

/* Layout, draw list, and rasterising it with the software renderer: what the window does
 * for each frame it redraws. */
static void frame_draw(const Frame *f) {
    ui_draw_reset(f->list);
    ui_screen_layout(f->screen, f->list, f->width, f->height);
    ui_screen_draw(f->screen, f->list);
    SDL_SetRenderDrawColor(f->sdl, 255, 255, 255, 255);
    SDL_RenderClear(f->sdl);
    plat_renderer_draw(f->renderer, f->list);
    SDL_RenderPresent(f->sdl);
}

/* Separate, never inlined, so that callgrind can count each alone. */
__attribute__((noinline)) void bench_frame_cold(const Frame *f);
__attribute__((noinline)) void bench_frame_steady(const Frame *f);
void bench_frame_cold(const Frame *f) {
    frame_draw(f);
}
void bench_frame_steady(const Frame *f) {
    frame_draw(f);
}

static int cmd_frame(int argc, char **argv) {
    int hidden = atoi(option(argc, argv, "--hidden", "32"));
    int steps = atoi(option(argc, argv, "--steps", "40"));
    int frames = atoi(option(argc, argv, "--frames", "3"));
    const char *model_path = option(argc, argv, "--model-out", "/tmp/rnnbench-frame-model.json");
    if (steps < 2 || steps > 1000 || frames < 1) return 2;
    RnnError err;
    RnnModel *m = recall_model(RNN_CELL_LSTM, hidden, 16, &err);
    if (!m || rnn_model_set_name(m, "bench-lstm", &err) || io_model_save(model_path, m, NULL, &err))
        return fail("model", &err);
    rnn_model_free(m);
    /* the sentence: a key, steps-2 fillers, "?" */
    char text[16384] = "";
    uint64_t rng = 7;
    const char *words[1000];
    rnn_recall_sentence(RNN_RECALL_MAX_KEYS, steps - 2, &rng, words);
    for (int t = 0; t < steps; t++) {
        strcat(text, words[t]);
        if (t + 1 < steps) strcat(text, " ");
    }
    UiScreenOptions o;
    ui_screen_options_default(&o);
    o.model_path = model_path;
    o.text = text;
    o.step = steps;
    o.width = atoi(option(argc, argv, "--width", "1280"));
    o.height = atoi(option(argc, argv, "--height", "800"));
    UiScreen s;
    UiView *v = &s.view;
    if (ui_screen_prepare(&s, &o, NULL, &err)) return fail("view", &err);
    SDL_Surface *surface =
        SDL_CreateRGBSurfaceWithFormat(0, o.width, o.height, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sdl = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    PlatRenderer r;
    if (!sdl || plat_renderer_init(&r, sdl, o.font_path, v->zoom, &err)) return fail("SDL", &err);
    v->font_has_hangul = r.hangul;
    UiDrawList list = {0};
    list.measure = &r.measure;
    Frame f = {&s, &r, &list, sdl, o.width, o.height};
    double t0 = now_seconds();
    bench_frame_cold(&f);
    double t1 = now_seconds();
    for (int k = 0; k < frames; k++) bench_frame_steady(&f);
    double t2 = now_seconds();
    printf("frame cold %.3f ms steady %.3f ms (%d frames) items %d\n", 1e3 * (t1 - t0),
           1e3 * (t2 - t1) / frames, frames, list.count);
    ui_draw_free(&list);
    plat_renderer_free(&r);
    SDL_DestroyRenderer(sdl);
    SDL_FreeSurface(surface);
    ui_screen_free(&s);
    remove(model_path);
    return 0;
}

int main(int argc, char **argv) {
    const char *cmd = argc > 1 ? argv[1] : "";
    rnn_kernel_width_limit(atoi(option(argc, argv, "--kernel-width", "4")));
    if (strcmp(cmd, "width") == 0) return printf("%d\n", rnn_kernel_width()) < 0;
    if (strcmp(cmd, "data") == 0) return cmd_data(argc, argv);
    if (strcmp(cmd, "train") == 0) return cmd_train(argc, argv);
    if (strcmp(cmd, "forward") == 0) return cmd_forward(argc, argv);
    if (strcmp(cmd, "frame") == 0) return cmd_frame(argc, argv);
    fprintf(stderr,
            "usage: rnnbench data|train|forward|frame|width [OPTIONS] (see bench/rnnbench.c)\n");
    return 2;
}
