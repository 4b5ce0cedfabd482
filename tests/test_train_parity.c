/* test_train_parity.c - training equals PyTorch autograd + torch.optim (float64) to 1e-9.
 *
 * Each folder of fixtures/train/ (written by tools/torch_train_parity.py) holds an initial
 * model, a data file, the train options, and torch's results: the loss of every batch, the
 * gradient of the first batch, and the parameters after the run. The engine is checked
 * batch by batch through its API, and `rnnscope train` end to end. */
#include "test_util.h"

#define MAX_CASES 64

typedef struct TrainCase {
    char name[128], api_name[160], dir[1024];
    char args[512];
} TrainCase;

static TrainCase cases[MAX_CASES];

/* The options of args.txt as the trainer's configuration. */
static void parse_args(const char *args, RnnTrainConfig *tc, int *epochs) {
    rnn_train_config_default(tc);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", args);
    for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (!strcmp(tok, "--optimizer"))
            tc->optimizer = !strcmp(strtok(NULL, " \n"), "sgd") ? RNN_SGD : RNN_ADAM;
        else if (!strcmp(tok, "--lr"))
            tc->lr = strtod(strtok(NULL, " \n"), NULL);
        else if (!strcmp(tok, "--batch-size"))
            tc->batch_size = atoi(strtok(NULL, " \n"));
        else if (!strcmp(tok, "--epochs"))
            *epochs = atoi(strtok(NULL, " \n"));
        else if (!strcmp(tok, "--clip"))
            tc->clip = strtod(strtok(NULL, " \n"), NULL);
        else if (!strcmp(tok, "--no-shuffle"))
            tc->shuffle = 0;
        else
            fail_msg("unknown option in args.txt: %s", tok);
    }
}

static void assert_params_close(const RnnModel *m, const cJSON *want, const char *what) {
    for (int i = 0; i < rnn_tensor_count(&m->config); i++) {
        RnnTensorInfo t = rnn_tensor_info(&m->config, i);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(want, t.name);
        if (!w) fail_msg("%s: expected.json has no %s", what, t.name);
        const double *got = m->params + t.offset;
        size_t k = 0;
        for (const cJSON *row = w->child; row; row = row->next) {
            for (const cJSON *v = t.cols ? row->child : row; v; v = t.cols ? v->next : NULL, k++)
                if (!close_enough(got[k], v->valuedouble))
                    fail_msg("%s: %s[%zu]: got %.17g, torch %.17g", what, t.name, k, got[k],
                             v->valuedouble);
        }
        assert_int_equal(k, rnn_tensor_size(&t));
    }
}

static void test_engine_steps_match_torch(void **state) {
    const TrainCase *tc_case = *state;
    char path[1100], rel[300];
    RnnModel *m;
    IoDataset *data;
    RnnError err;
    snprintf(path, sizeof path, "%s/init.model.json", tc_case->dir);
    m = load_model(path, NULL);
    snprintf(path, sizeof path, "%s/data.jsonl", tc_case->dir);
    if (io_data_load(path, &data, &err) || io_data_encode(data, m, &err))
        fail_msg("%s", err.message);
    snprintf(rel, sizeof rel, "fixtures/train/%s/expected.json", tc_case->name);
    cJSON *exp = test_read_json(rel);
    RnnTrainConfig tc;
    int epochs = 1;
    parse_args(tc_case->args, &tc, &epochs);
    RnnTrainer *tr = rnn_trainer_new(m, &tc, data->max_steps, &err);
    assert_non_null(tr);
    const cJSON *losses = cJSON_GetObjectItem(exp, "batch_losses");
    const cJSON *loss = losses->child;
    const RnnExample *batch[64];
    int first = 1;
    for (int e = 0; e < epochs; e++) {
        for (int start = 0; start < data->count; start += tc.batch_size) {
            int n = data->count - start < tc.batch_size ? data->count - start : tc.batch_size;
            for (int k = 0; k < n; k++) batch[k] = &data->examples[start + k];
            if (first) { /* torch's gradient of batch 1, before clipping */
                if (rnn_trainer_gradients(tr, batch, n, NULL, &err)) fail_msg("%s", err.message);
                RnnModel view = *m; /* the gradient laid out like the parameters */
                view.params = tr->grads;
                assert_params_close(&view, cJSON_GetObjectItem(exp, "grads_first_batch"),
                                    "gradient of batch 1");
                first = 0;
            }
            if (rnn_trainer_step(tr, batch, n, NULL, &err)) fail_msg("%s", err.message);
            assert_non_null(loss);
            if (!close_enough(tr->last_loss, loss->valuedouble))
                fail_msg("batch loss %.17g, torch %.17g", tr->last_loss, loss->valuedouble);
            loss = loss->next;
        }
    }
    assert_null(loss); /* as many batches as torch ran */
    assert_params_close(m, cJSON_GetObjectItem(exp, "params"), "parameters after training");
    rnn_trainer_free(tr);
    io_data_free(data);
    rnn_model_free(m);
    cJSON_Delete(exp);
}

static void test_cli_train_matches_torch(void **state) {
    const TrainCase *tc_case = *state;
    char init[1100], data[1100], out[] = "/tmp/rnnscope-train-XXXXXX";
    int fd = mkstemp(out);
    close(fd);
    snprintf(init, sizeof init, "%s/init.model.json", tc_case->dir);
    snprintf(data, sizeof data, "%s/data.jsonl", tc_case->dir);
    char args[512];
    snprintf(args, sizeof args, "%s", tc_case->args);
    char *argv[32] = {"rnnscope", "train", "--model", init, "--data", data, "--out", out};
    int argc = 8;
    for (char *tok = strtok(args, " \n"); tok && argc < 31; tok = strtok(NULL, " \n"))
        argv[argc++] = tok;
    Captured run = run_cli(argc, argv);
    if (run.code != 0) fail_msg("exit %d: %s", run.code, run.err);
    char *extras;
    RnnModel *m = load_model(out, &extras);
    char rel[300];
    snprintf(rel, sizeof rel, "fixtures/train/%s/expected.json", tc_case->name);
    cJSON *exp = test_read_json(rel);
    assert_params_close(m, cJSON_GetObjectItem(exp, "params"), "rnnscope train");
    /* the model file says how it was made */
    assert_non_null(strstr(extras, "\"training\":{\"data\":"));
    assert_non_null(strstr(extras, "\"shuffle\":false"));
    cJSON_Delete(exp);
    free(extras);
    rnn_model_free(m);
    captured_free(&run);
    unlink(out);
}

int main(void) {
    char *list = test_read("fixtures/train/cases.txt", NULL);
    static struct CMUnitTest tests[2 * MAX_CASES];
    int n = 0, k = 0;
    for (char *line = strtok(list, "\n"); line && n < MAX_CASES; line = strtok(NULL, "\n")) {
        TrainCase *tc = &cases[n++];
        snprintf(tc->name, sizeof tc->name, "%s", line);
        snprintf(tc->api_name, sizeof tc->api_name, "%s (cli)", line);
        snprintf(tc->dir, sizeof tc->dir, "%s/fixtures/train/%s", RNNSCOPE_TEST_DIR, line);
    }
    free(list);
    for (int i = 0; i < n; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "fixtures/train/%.150s/args.txt", cases[i].name);
        char *args = test_read(rel, NULL);
        snprintf(cases[i].args, sizeof cases[i].args, "%s", args);
        free(args);
        tests[k++] = (struct CMUnitTest){cases[i].name, test_engine_steps_match_torch, NULL, NULL,
                                         &cases[i]};
        tests[k++] = (struct CMUnitTest){cases[i].api_name, test_cli_train_matches_torch, NULL,
                                         NULL, &cases[i]};
    }
    if (n < 16) {
        fprintf(stderr, "fixtures/train/cases.txt lists %d cases, expected at least 16\n", n);
        return 1;
    }
    /* entries past k stay zero: cmocka runs only entries that have a test function */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
