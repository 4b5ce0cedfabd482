/* app_eval.c - `rnnscope eval`: a model's accuracy, loss and confusion table on a data file. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"
#include "io.h"
#include "rnn.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char app_eval_usage[] =
    "usage: rnnscope eval --model M.json --data D.jsonl [--format json|table]\n"
    "\n"
    "Reports the model's accuracy and mean cross-entropy loss on the data, and a confusion\n"
    "table (rows: the true label, columns: the prediction).\n";

int app_eval_main(int argc, char **argv, FILE *out, FILE *err) {
    const char *model_path = NULL, *data_path = NULL, *format = NULL;
    const AppOption opts[] = {
        {"model", &model_path, NULL}, {"data", &data_path, NULL}, {"format", &format, NULL}};
    int rc = app_parse_options(argc, argv, 2, opts, 3, app_eval_usage, out, err);
    if (rc) return rc < 0 ? APP_EXIT_OK : rc;
    const char *problem = !model_path  ? "--model is required"
                          : !data_path ? "--data is required"
                          : format && strcmp(format, "json") && strcmp(format, "table")
                              ? "--format must be json or table"
                              : NULL;
    if (problem) {
        fprintf(err, "rnnscope eval: %s\n\n%s", problem, app_eval_usage);
        return APP_EXIT_USAGE;
    }
    int as_json = format ? strcmp(format, "json") == 0 : !isatty(fileno(out));
    RnnError e;
    RnnModel *m = NULL;
    IoDataset *data = NULL;
    int *confusion = NULL;
    rc = APP_EXIT_ERROR;
    if (io_model_load(model_path, &m, NULL, &e) || io_data_load(data_path, &data, &e) ||
        io_data_encode(data, m, &e)) {
        app_fail(err, "eval", e.message);
        goto done;
    }
    int K = m->config.num_labels;
    confusion = calloc((size_t)K * K, sizeof *confusion);
    RnnStats s;
    if (!confusion || rnn_evaluate(m, data->examples, data->count, &s, confusion, &e)) {
        app_fail(err, "eval", confusion ? e.message : "out of memory");
        goto done;
    }
    double accuracy = (double)s.correct / (double)s.count, loss = s.loss_sum / (double)s.count;
    IoBuf b = {0};
    if (m->config.head == RNN_HEAD_REGRESSION) {
        /* the baseline: always predicting the data's own mean target */
        double mean = 0, var = 0;
        for (int i = 0; i < data->count; i++) mean += data->records[i].values[0] / data->count;
        for (int i = 0; i < data->count; i++) {
            double dv = data->records[i].values[0] - mean;
            var += dv * dv / data->count;
        }
        if (as_json) {
            io_buf_puts(&b, "{\"mse\": ");
            io_buf_double(&b, loss);
            io_buf_puts(&b, ", \"loss\": ");
            io_buf_double(&b, loss);
            io_buf_printf(&b, ", \"count\": %lld}\n", s.count);
        } else {
            io_buf_printf(&b,
                          "%s on %s: mean squared error %.5f over %lld examples\n"
                          "(predicting the mean target, %.4f, every time scores %.5f)\n",
                          m->name, data_path, loss, s.count, mean, var);
        }
    } else if (as_json) {
        io_buf_puts(&b, "{\"accuracy\": ");
        io_buf_double(&b, accuracy);
        io_buf_puts(&b, ", \"loss\": ");
        io_buf_double(&b, loss);
        io_buf_printf(&b, ", \"count\": %lld}\n", s.count);
    } else {
        io_buf_printf(&b, "%s on %s: accuracy %.4f (%lld of %lld %s), loss %.4f\n\n", m->name,
                      data_path, accuracy, s.correct, s.count,
                      m->config.head == RNN_HEAD_MANY_TO_MANY ? "tokens" : "examples", loss);
        int w = 8;
        for (int k = 0; k < K; k++)
            if ((int)strlen(m->labels[k]) + 2 > w) w = (int)strlen(m->labels[k]) + 2;
        io_buf_printf(&b, "%-*s", w + 6, "true \\ predicted");
        for (int k = 0; k < K; k++) io_buf_printf(&b, "%*s", w, m->labels[k]);
        io_buf_puts(&b, "\n");
        for (int r = 0; r < K; r++) {
            io_buf_printf(&b, "%-*s", w + 6, m->labels[r]);
            for (int k = 0; k < K; k++) io_buf_printf(&b, "%*d", w, confusion[r * K + k]);
            io_buf_puts(&b, "\n");
        }
    }
    if (!b.failed && fwrite(b.data, 1, b.len, out) == b.len) rc = APP_EXIT_OK;
    io_buf_free(&b);
done:
    free(confusion);
    io_data_free(data);
    rnn_model_free(m);
    return rc;
}
