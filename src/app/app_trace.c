/* app_trace.c - `rnnscope trace`: the engine on the command line. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char app_trace_usage[] =
    "usage: rnnscope trace --model M.json (--text \"a sentence\" | --ids 0,0,12,7 |\n"
    "                      --inputs X.json)\n"
    "                      [--format json|table]\n"
    "                      [--grad [--target T | --targets T1,T2,...]]\n"
    "                      [--scale-whh S] [--forget-bias B] [--nonlinearity tanh|relu]\n"
    "                      [--clip C]\n"
    "\n"
    "Runs the model over a sentence (or raw input vectors) and prints, for every layer,\n"
    "direction and time step, the hidden state h, the LSTM cell state c and every gate.\n"
    "\n"
    "  --model M.json     an rnnscope-model file, or a Keras .keras / .h5 file\n"
    "  --text TEXT        a sentence (the model needs a vocabulary)\n"
    "  --ids I,J,...      token ids, as a Keras model reads them (0 is padding)\n"
    "  --inputs X.json    a JSON array of T arrays of input_size numbers\n"
    "  --format FORMAT    json (exact numbers) or table (for a person; the default on a\n"
    "                     terminal, json otherwise)\n"
    "\n"
    "Backpropagation through time (--grad): one backward pass of the sentence's training\n"
    "loss, recorded step by step: dL/dh_t, dL/dc_t (LSTM), each gate's dL/d(pre-activation),\n"
    "dL/dx_t and every parameter gradient (JSON), or the norms per step (table).\n"
    "  --target T         many-to-one: the label to score against (default: the prediction);\n"
    "                     regression: the target value(s), comma-separated (default: 0)\n"
    "  --targets T1,...   many-to-many: one label per word (default: the predictions)\n"
    "\n"
    "What if (the model is changed in memory only, for the trace and the gradients):\n"
    "  --scale-whh S      multiply every recurrent weight matrix W_hh by S\n"
    "  --forget-bias B    add B to the forget gate's bias (LSTM f; GRU: the update gate z)\n"
    "  --nonlinearity N   a vanilla RNN's activation: tanh or relu\n"
    "  --clip C           clip the gradient to norm C, as training's --clip does\n";

/* Everything a trace command works with; freed by one call. */
typedef struct TraceRun {
    RnnModel *model;
    RnnTokens tokens; /* count 0 when the inputs were vectors */
    RnnTrace *trace;
    double *vectors;
    RnnGrad *grad; /* with --grad */
    RnnWhatIf what_if;
} TraceRun;

static void trace_run_free(TraceRun *r) {
    rnn_grad_free(r->grad);
    rnn_model_free(r->model);
    rnn_tokens_free(&r->tokens);
    rnn_trace_free(r->trace);
    free(r->vectors);
}

static const char *direction_name(int d) {
    return d == 0 ? "forward" : "backward";
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* A (T, H) block whose rows sit `stride` doubles apart. */
static void put_matrix(IoBuf *b, const double *x, int T, int H, size_t stride) {
    io_buf_puts(b, "[");
    for (int t = 0; t < T; t++) {
        if (t) io_buf_puts(b, ", ");
        io_buf_double_array(b, x + (size_t)t * stride, (size_t)H);
    }
    io_buf_puts(b, "]");
}

/* The target a gradient was taken against: a label, a list of labels, or numbers. */
static void put_target_json(IoBuf *b, const TraceRun *r) {
    const RnnGrad *g = r->grad;
    const RnnConfig *c = &g->config;
    if (c->head == RNN_HEAD_REGRESSION) {
        io_buf_double_array(b, g->values, (size_t)c->num_labels);
    } else if (c->head == RNN_HEAD_MANY_TO_ONE) {
        io_buf_json_string(b, r->model->labels[g->targets[0]]);
    } else {
        io_buf_puts(b, "[");
        for (int o = 0; o < g->out_steps; o++) {
            if (o) io_buf_puts(b, ", ");
            io_buf_json_string(b, r->model->labels[g->targets[o]]);
        }
        io_buf_puts(b, "]");
    }
}

static void put_grad_json(IoBuf *b, const TraceRun *r) {
    const RnnGrad *g = r->grad;
    const RnnTrace *tr = r->trace;
    const RnnConfig *c = &g->config;
    int T = g->steps, H = c->hidden_size, G = rnn_gate_count(c->cell);
    io_buf_puts(b, ",\n \"grad\": {\"loss\": ");
    io_buf_double(b, g->loss);
    io_buf_puts(b, ", \"target\": ");
    put_target_json(b, r);
    io_buf_puts(b, ", \"norm\": ");
    io_buf_double(b, g->norm);
    io_buf_puts(b, ", \"clip_scale\": ");
    io_buf_double(b, g->clip_scale);
    io_buf_puts(b, ",\n  \"layers\": [");
    for (int l = 0; l < c->num_layers; l++) {
        int in = rnn_layer_input_size(c, l);
        for (int d = 0; d < rnn_directions(c); d++) {
            io_buf_printf(b, "%s\n   {\"layer\": %d, \"direction\": \"%s\", ", l || d ? "," : "", l,
                          direction_name(d));
            io_buf_puts(b, "\"weight_hh_norm\": ");
            io_buf_double(b, rnn_weight_hh_norm(r->model, l, d));
            io_buf_puts(b, ", \"dh\": ");
            put_matrix(b, g->dh + rnn_trace_state_index(tr, l, d, 0), T, H, (size_t)H);
            if (g->dc) {
                io_buf_puts(b, ", \"dc\": ");
                put_matrix(b, g->dc + rnn_trace_state_index(tr, l, d, 0), T, H, (size_t)H);
            }
            io_buf_puts(b, ", \"dx\": ");
            put_matrix(b, rnn_grad_dx(g, l, d, 0), T, in, (size_t)g->in_stride);
            io_buf_puts(b, ", \"dgates\": {");
            for (int q = 0; q < G; q++) {
                const char *name = c->cell == RNN_CELL_RNN ? "h" : rnn_gate_name(c->cell, q);
                io_buf_printf(b, "%s\"%s\": ", q ? ", " : "", name);
                put_matrix(b, g->dgate + rnn_trace_gate_index(tr, l, d, 0, q), T, H, (size_t)G * H);
            }
            io_buf_puts(b, "}}");
        }
    }
    io_buf_puts(b, "],\n  \"params\": {");
    for (int i = 0; i < rnn_tensor_count(c); i++) {
        RnnTensorInfo info = rnn_tensor_info(c, i);
        io_buf_printf(b, "%s\n   \"%s\": ", i ? "," : "", info.name);
        if (info.cols)
            put_matrix(b, g->grads + info.offset, info.rows, info.cols, (size_t)info.cols);
        else
            io_buf_double_array(b, g->grads + info.offset, (size_t)info.rows);
    }
    io_buf_puts(b, "}}");
}

static void put_trace_json(IoBuf *b, const TraceRun *r) {
    const RnnTrace *tr = r->trace;
    const RnnConfig *c = &tr->config;
    int T = tr->steps;
    io_buf_puts(b, "{\"tokens\": ");
    if (r->tokens.count) {
        io_buf_puts(b, "[");
        for (int t = 0; t < T; t++) {
            if (t) io_buf_puts(b, ", ");
            io_buf_json_string(b, r->tokens.text[t]);
        }
        io_buf_puts(b, "]");
    } else {
        io_buf_puts(b, "null");
    }
    if (tr->token_ids[0] >= 0) {
        io_buf_puts(b, ", \"token_ids\": [");
        for (int t = 0; t < T; t++) io_buf_printf(b, t ? ", %d" : "%d", tr->token_ids[t]);
        io_buf_puts(b, "]");
    }
    if (c->mask_zero) {
        io_buf_puts(b, ", \"padding\": [");
        for (int t = 0; t < T; t++)
            io_buf_printf(b, t ? ", %s" : "%s", tr->padding[t] ? "true" : "false");
        io_buf_puts(b, "]");
    }
    io_buf_printf(b, ", \"steps\": %d,\n \"layers\": [", T);
    for (int l = 0; l < c->num_layers; l++) {
        int H = rnn_layer_hidden(c, l), G = rnn_layer_gates(c, l);
        RnnCellKind cell = rnn_layer_cell(c, l);
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            io_buf_printf(b,
                          "%s\n  {\"layer\": %d, \"direction\": \"%s\", \"h\": ", l || d ? "," : "",
                          l, direction_name(d));
            put_matrix(b, tr->h + rnn_trace_state_index(tr, l, d, 0), T, H, (size_t)H);
            if (cell == RNN_CELL_LSTM) {
                io_buf_puts(b, ", \"c\": ");
                put_matrix(b, tr->c + rnn_trace_state_index(tr, l, d, 0), T, H, (size_t)H);
            }
            io_buf_puts(b, ", \"gates\": {");
            for (int g = 0; g < G && cell != RNN_CELL_RNN; g++) {
                io_buf_printf(b, "%s\"%s\": ", g ? ", " : "", rnn_gate_name(cell, g));
                put_matrix(b, tr->gate + rnn_trace_gate_index(tr, l, d, 0, g), T, H, (size_t)G * H);
            }
            io_buf_puts(b, "}}");
        }
    }
    io_buf_puts(b, "]");
    if (c->num_dense) {
        io_buf_puts(b, ",\n \"dense\": [");
        for (int j = 0; j < c->num_dense; j++) {
            if (j) io_buf_puts(b, ", ");
            put_matrix(b, tr->dense[j], tr->out_steps, c->dense[j].units,
                       (size_t)c->dense[j].units);
        }
        io_buf_puts(b, "]");
    }
    if (c->head != RNN_HEAD_NONE) {
        io_buf_printf(b, ",\n \"output\": {\"kind\": \"%s\", ", rnn_head_name(c->head));
        if (!rnn_config_is_uniform(c)) /* version 1's heads are softmax or linear by kind */
            io_buf_printf(b, "\"activation\": \"%s\", ", rnn_activation_name(c->head_activation));
        io_buf_puts(b, "\"labels\": [");
        for (int k = 0; k < c->num_labels; k++) {
            if (k) io_buf_puts(b, ", ");
            io_buf_json_string(b, r->model->labels[k]);
        }
        io_buf_puts(b, c->head == RNN_HEAD_REGRESSION ? "], \"values\": " : "], \"probs\": ");
        if (c->head != RNN_HEAD_MANY_TO_MANY)
            io_buf_double_array(b, tr->probs, (size_t)c->num_labels);
        else
            put_matrix(b, tr->probs, T, c->num_labels, (size_t)c->num_labels);
        io_buf_puts(b, "}");
    }
    io_buf_printf(b, ",\n \"parameters\": {\"pytorch\": %lld, \"keras\": %lld}",
                  rnn_param_count(c, RNN_PYTORCH), rnn_param_count(c, RNN_KERAS));
    if (r->grad) put_grad_json(b, r);
    io_buf_puts(b, "}\n");
}

/* ---- table ------------------------------------------------------------------------------- */

#define TABLE_MAX_UNITS 12 /* wider states are cut with a note; --format json has them all */

static void put_thousands(IoBuf *b, long long n) {
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n);
    for (int i = 0; i < len; i++) {
        io_buf_put(b, &digits[i], 1);
        if (digits[i] != '-' && (len - 1 - i) % 3 == 0 && i + 1 < len) io_buf_puts(b, ",");
    }
}

static void put_row(IoBuf *b, const char *label, const double *x, int H) {
    int shown = H < TABLE_MAX_UNITS ? H : TABLE_MAX_UNITS;
    io_buf_printf(b, "    %-6s", label);
    for (int j = 0; j < shown; j++) io_buf_printf(b, " %+7.3f", x[j]);
    if (shown < H) io_buf_printf(b, "  ... (+%d)", H - shown);
    io_buf_puts(b, "\n");
}

/* A token as a person reads it: the word, and "→<unk>" when the model does not know it. */
static void put_token(IoBuf *b, const TraceRun *r, int t) {
    if (r->trace->padding[t]) {
        io_buf_puts(b, "(padding)");
        return;
    }
    if (!r->tokens.count) {
        if (r->trace->token_ids[t] >= 0)
            io_buf_printf(b, "#%d", r->trace->token_ids[t]);
        else
            io_buf_printf(b, "x%d", t);
        return;
    }
    io_buf_puts(b, r->tokens.text[t]);
    if (r->trace->token_ids[t] == r->model->unk_id && strcmp(r->tokens.text[t], "<unk>") != 0)
        io_buf_puts(b, "→<unk>");
}

static void put_trace_table(IoBuf *b, const TraceRun *r) {
    const RnnTrace *tr = r->trace;
    const RnnConfig *c = &tr->config;
    int T = tr->steps;
    if (rnn_config_is_uniform(c))
        io_buf_printf(
            b, "model       %s: %s, %d layer%s, %s, input %d, hidden %d\n", r->model->name,
            c->cell == RNN_CELL_RNN && c->nonlinearity == RNN_RELU ? "rnn (relu)"
                                                                   : rnn_cell_name(c->cell),
            c->num_layers, c->num_layers > 1 ? "s" : "",
            c->bidirectional ? "bidirectional" : "forward", c->input_size, c->hidden_size);
    else {
        io_buf_printf(b, "model       %s: input %d,", r->model->name, c->input_size);
        for (int l = 0; l < c->num_layers; l++) {
            const RnnLayerConfig *lc = &c->layers[l];
            io_buf_printf(b, "%s %s %d", l ? " ->" : "", rnn_cell_name(lc->cell), lc->hidden_size);
            if (lc->activation != RNN_ACT_TANH)
                io_buf_printf(b, " %s", rnn_activation_name(lc->activation));
            if (lc->cell != RNN_CELL_RNN && lc->recurrent_activation != RNN_ACT_SIGMOID)
                io_buf_printf(b, " gates %s", rnn_activation_name(lc->recurrent_activation));
            if (lc->cell == RNN_CELL_GRU && !lc->reset_after) io_buf_puts(b, " reset_after=false");
            if (lc->bidirectional)
                io_buf_printf(b, " bidirectional (%s)", rnn_merge_name(lc->merge));
        }
        for (int j = 0; j < c->num_dense; j++)
            io_buf_printf(b, " -> dense %d %s", c->dense[j].units,
                          rnn_activation_name(c->dense[j].activation));
        if (c->head != RNN_HEAD_NONE)
            io_buf_printf(b, " -> %d %s", c->num_labels, rnn_activation_name(c->head_activation));
        io_buf_puts(b, "\n");
    }
    io_buf_puts(b, "parameters  PyTorch ");
    put_thousands(b, rnn_param_count(c, RNN_PYTORCH));
    io_buf_puts(b, ", Keras ");
    put_thousands(b, rnn_param_count(c, RNN_KERAS));
    io_buf_puts(b, "   (recurrent layers: PyTorch ");
    put_thousands(b, rnn_recurrent_param_count(c, RNN_PYTORCH));
    io_buf_puts(b, ", Keras ");
    put_thousands(b, rnn_recurrent_param_count(c, RNN_KERAS));
    io_buf_puts(b, ")\ntokens     ");
    for (int t = 0; t < T; t++) {
        io_buf_puts(b, " ");
        put_token(b, r, t);
    }
    io_buf_printf(b, "   (T = %d)\n", T);
    for (int l = 0; l < c->num_layers; l++) {
        int H = rnn_layer_hidden(c, l), G = rnn_layer_gates(c, l);
        RnnCellKind cell = rnn_layer_cell(c, l);
        for (int d = 0; d < rnn_layer_directions(c, l); d++) {
            io_buf_printf(b, "\nlayer %d, %s%s\n", l, direction_name(d),
                          d ? " (reads from the last word back to the first)" : "");
            io_buf_printf(b, "    %-6s", "unit");
            for (int j = 0; j < H && j < TABLE_MAX_UNITS; j++) io_buf_printf(b, " %7d", j);
            io_buf_puts(b, "\n");
            for (int s = 0; s < T; s++) {
                int t = d == 0 ? s : T - 1 - s;
                io_buf_printf(b, "  t=%d ", t);
                put_token(b, r, t);
                io_buf_puts(b, "\n");
                for (int g = 0; g < G && cell != RNN_CELL_RNN; g++)
                    put_row(b, rnn_gate_name(cell, g),
                            tr->gate + rnn_trace_gate_index(tr, l, d, t, g), H);
                if (cell == RNN_CELL_LSTM)
                    put_row(b, "c", tr->c + rnn_trace_state_index(tr, l, d, t), H);
                put_row(b, "h", tr->h + rnn_trace_state_index(tr, l, d, t), H);
            }
        }
    }
    if (c->head == RNN_HEAD_NONE) return;
    io_buf_printf(b, "\noutput (%s)\n", rnn_head_name(c->head));
    for (int o = 0; o < tr->out_steps; o++) {
        const double *p = tr->probs + (size_t)o * c->num_labels;
        if (c->head == RNN_HEAD_REGRESSION) {
            for (int k = 0; k < c->num_labels; k++)
                io_buf_printf(b, "  %-12s %.6g\n", r->model->labels[k], p[k]);
            continue;
        }
        int best = 0;
        for (int k = 1; k < c->num_labels; k++)
            if (p[k] > p[best]) best = k;
        if (c->head_activation != RNN_ACT_SOFTMAX) { /* one yes/no (or value) per label */
            for (int k = 0; k < c->num_labels; k++)
                io_buf_printf(b, "  %-12s %.6g\n", r->model->labels[k], p[k]);
            continue;
        }
        if (c->head == RNN_HEAD_MANY_TO_MANY) {
            io_buf_printf(b, "  t=%-3d ", o);
            put_token(b, r, o);
            io_buf_printf(b, "  ->  %s (%.3f)\n", r->model->labels[best], p[best]);
            continue;
        }
        for (int k = 0; k < c->num_labels; k++) {
            io_buf_printf(b, "  %-12s %.3f  ", r->model->labels[k], p[k]);
            for (int bar = 0; bar < (int)(p[k] * 40 + 0.5); bar++) io_buf_puts(b, "#");
            io_buf_puts(b, k == best ? "  <- prediction\n" : "\n");
        }
    }
}

/* Terminal columns of UTF-8 text: wide (2) for Hangul and the CJK blocks, 1 otherwise, so
 * that "사과를" and "x→<unk>" line up in the table. */
static int display_width(const char *s, size_t len) {
    int w = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        int n = rnn_utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (n <= 0) n = 1, cp = '?';
        i += (size_t)n;
        int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFF00 && cp <= 0xFF60);
        w += wide ? 2 : 1;
    }
    return w;
}

/* Per step: ‖dh_t‖, ‖dc_t‖ and the step's share of ‖∂L/∂W_hh‖² (they sum to 1). */
static void put_grad_table(IoBuf *b, const TraceRun *r) {
    const RnnGrad *g = r->grad;
    const RnnTrace *tr = r->trace;
    const RnnConfig *c = &g->config;
    int T = g->steps, H = c->hidden_size;
    io_buf_puts(b, "\nbackpropagation through time\n  target      ");
    if (c->head == RNN_HEAD_REGRESSION) {
        for (int k = 0; k < c->num_labels; k++)
            io_buf_printf(b, "%s%.6g", k ? ", " : "", g->values[k]);
    } else {
        for (int o = 0; o < g->out_steps; o++)
            io_buf_printf(b, "%s%s", o ? " " : "", r->model->labels[g->targets[o]]);
    }
    io_buf_printf(b, "\n  loss        %.6g\n  |dL/dW|     %.6g", g->loss, g->norm);
    if (g->clip_scale != 1.0)
        io_buf_printf(b, "  (clipped to %.6g: every gradient below x %.6g)",
                      g->norm * g->clip_scale, g->clip_scale);
    io_buf_puts(b, "\n");
    double *shares = malloc((size_t)T * sizeof *shares);
    if (!shares) {
        b->failed = 1;
        return;
    }
    for (int l = c->num_layers - 1; l >= 0; l--) {
        for (int d = 0; d < rnn_directions(c); d++) {
            rnn_grad_weight_hh_shares(g, tr, l, d, shares);
            io_buf_printf(b, "\nlayer %d, %s   (largest singular value of W_hh: %.4g)\n", l,
                          direction_name(d), rnn_weight_hh_norm(r->model, l, d));
            io_buf_printf(b, "  %-4s %-14s %12s%s %10s\n", "t", "token", "|dh_t|",
                          g->dc ? "       |dc_t|" : "", "W_hh share");
            /* in the order the backward pass visits the steps: the last one read first */
            for (int s = T - 1; s >= 0; s--) {
                int t = d == 0 ? s : T - 1 - s;
                IoBuf tok = {0};
                put_token(&tok, r, t);
                int chars = display_width(tok.data, tok.len);
                io_buf_printf(b, "  %-4d %.*s%*s %12.4e", t, (int)tok.len, tok.data ? tok.data : "",
                              chars < 14 ? 14 - chars : 0, "",
                              rnn_norm(g->dh + rnn_trace_state_index(tr, l, d, t), (size_t)H));
                io_buf_free(&tok);
                if (g->dc)
                    io_buf_printf(b, " %12.4e",
                                  rnn_norm(g->dc + rnn_trace_state_index(tr, l, d, t), (size_t)H));
                io_buf_printf(b, " %9.1f%%\n", 100.0 * shares[t]);
            }
        }
    }
    free(shares);
}

/* ---- the command ---------------------------------------------------------------------------- */

int app_trace_main(int argc, char **argv, FILE *out, FILE *err) {
    const char *model_path = NULL, *text = NULL, *inputs_path = NULL, *format = NULL,
               *id_text = NULL;
    const char *target = NULL, *targets = NULL, *scale_whh = NULL, *forget_bias = NULL;
    const char *nonlinearity = NULL, *clip = NULL;
    int want_grad = 0;
    const AppOption opts[] = {
        {"model", &model_path, NULL},
        {"text", &text, NULL},
        {"inputs", &inputs_path, NULL},
        {"ids", &id_text, NULL},
        {"format", &format, NULL},
        {"grad", NULL, &want_grad},
        {"target", &target, NULL},
        {"targets", &targets, NULL},
        {"scale-whh", &scale_whh, NULL},
        {"forget-bias", &forget_bias, NULL},
        {"nonlinearity", &nonlinearity, NULL},
        {"clip", &clip, NULL},
    };
    int rc = app_parse_options(argc, argv, 2, opts, 12, app_trace_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    const char *problem =
        !model_path                               ? "--model is required"
        : !!text + !!inputs_path + !!id_text != 1 ? "give exactly one of --text, --ids and --inputs"
        : format && strcmp(format, "json") && strcmp(format, "table")
            ? "--format must be json or table"
        : (target || targets || clip) && !want_grad ? "--target, --targets and --clip need --grad"
        : target && targets                         ? "give at most one of --target and --targets"
        : nonlinearity && strcmp(nonlinearity, "tanh") && strcmp(nonlinearity, "relu")
            ? "--nonlinearity must be tanh or relu"
            : NULL;
    if (problem) {
        fprintf(err, "rnnscope trace: %s\n\n%s", problem, app_trace_usage);
        return APP_EXIT_USAGE;
    }
    int as_json = format ? strcmp(format, "json") == 0 : !isatty(fileno(out));

    TraceRun r = {0};
    RnnError e;
    rc = APP_EXIT_ERROR;
    r.what_if = RNN_WHAT_IF_NONE;
    if (app_parse_double(scale_whh, "scale-whh", -1e6, 1e6, &r.what_if.weight_hh_scale, err) ||
        app_parse_double(forget_bias, "forget-bias", -1e6, 1e6, &r.what_if.forget_bias_shift,
                         err) ||
        app_parse_double(clip, "clip", 0, INFINITY, &r.what_if.clip, err))
        return APP_EXIT_USAGE;
    if (nonlinearity) r.what_if.relu = strcmp(nonlinearity, "relu") == 0;
    if (io_model_load(model_path, &r.model, NULL, &e)) {
        app_fail(err, "trace", e.message);
        goto done;
    }
    if (rnn_what_if_apply(r.model, &r.what_if, &e)) {
        fprintf(err, "rnnscope trace: %s: %s\n", model_path, e.message);
        goto done;
    }
    if (text) {
        if (rnn_model_run_text(r.model, text, APP_MAX_TRACE_BYTES, &r.tokens, &r.trace, &e)) {
            fprintf(err, "rnnscope trace: %s: %s\n", model_path, e.message);
            goto done;
        }
    } else if (id_text) {
        int *id_list = NULL, steps = 0;
        int bad = rnn_ids_parse(id_text, &id_list, &steps, &e) ||
                  rnn_model_run_ids(r.model, id_list, steps, APP_MAX_TRACE_BYTES, &r.trace, &e);
        free(id_list);
        if (bad) {
            fprintf(err, "rnnscope trace: %s: %s\n", model_path, e.message);
            goto done;
        }
    } else {
        int steps;
        if (io_inputs_load(inputs_path, r.model->config.input_size, &r.vectors, &steps, &e) ||
            rnn_model_run_vectors(r.model, r.vectors, steps, APP_MAX_TRACE_BYTES, &r.trace, &e)) {
            app_fail(err, "trace", e.message);
            goto done;
        }
    }
    if (want_grad) {
        const RnnConfig *c = &r.model->config;
        int *ids = NULL;
        double *values = NULL;
        const char *given = target ? target : targets;
        if (given) {
            ids = calloc((size_t)r.trace->out_steps + 1, sizeof *ids);
            values = calloc((size_t)c->num_labels + 1, sizeof *values);
            if (!ids || !values) {
                rnn_error_set(&e, "out of memory");
            } else if (rnn_grad_parse_target(r.model, given, r.trace->steps, ids, values, &e)) {
                /* e says what is wrong */
            } else {
                r.grad = rnn_grad_new(r.model, r.trace, ids, values, &e);
            }
        } else {
            r.grad = rnn_grad_new(r.model, r.trace, NULL, NULL, &e);
        }
        free(ids);
        free(values);
        if (!r.grad) {
            fprintf(err, "rnnscope trace --grad: %s: %s\n", model_path, e.message);
            goto done;
        }
        rnn_grad_clip(r.grad, r.what_if.clip);
    }
    IoBuf b = {0};
    if (as_json) {
        put_trace_json(&b, &r);
    } else {
        put_trace_table(&b, &r);
        if (r.grad) put_grad_table(&b, &r);
    }
    if (b.failed) {
        app_fail(err, "trace", "out of memory while printing");
    } else if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0) {
        app_fail(err, "trace", "cannot write the output");
    } else {
        rc = APP_EXIT_OK;
    }
    io_buf_free(&b);
done:
    trace_run_free(&r);
    return rc;
}
