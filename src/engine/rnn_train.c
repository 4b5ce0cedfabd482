/* rnn_train.c - the training engine: seeded random numbers and initialisation, the losses
 * of a batch, gradient clipping, SGD and Adam, epochs and evaluation.
 *
 * Semantics follow PyTorch so that one epoch equals torch.optim.SGD / Adam to 1e-9:
 * - every sequence runs on its own (no padding), initial state zero;
 * - many-to-one: the batch loss is the mean over its sequences of the cross-entropy;
 * - many-to-many: the sum over every token of the batch divided by the batch's tokens;
 * - regression: the mean over sequences and outputs of the squared error (MSELoss);
 * - clipping scales all gradients by max_norm / (norm + 1e-6) when that is below 1
 *   (torch.nn.utils.clip_grad_norm_). */
#include "rnn_internal.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

/* Sequences of one length run side by side in groups of at most this many. */
#define RNN_BATCH_GROUP 64
/* Scratch for a batch side by side beyond this: one by one instead. */
#define RNN_BATCH_MAX_BYTES (128.0 * 1024 * 1024)

/* ---- random numbers ------------------------------------------------------------------------ */

uint64_t rnn_rng_next(uint64_t *state) {
    /* splitmix64: every seed, 0 included, gives a full-period, well-mixed sequence */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double rnn_rng_uniform(uint64_t *state) {
    return (double)(rnn_rng_next(state) >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
}

double rnn_rng_normal(uint64_t *state) {
    /* Box-Muller; 1 - u keeps the logarithm's argument in (0, 1] */
    double u = 1.0 - rnn_rng_uniform(state), v = rnn_rng_uniform(state);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

int rnn_rng_below(uint64_t *state, int n) {
    return (int)(rnn_rng_uniform(state) * n);
}

void rnn_model_init_random(RnnModel *m, uint64_t seed) {
    /* PyTorch's defaults: embedding N(0, 1); recurrent weights and biases U(-1/√H, 1/√H);
     * the linear head U(-1/√fan_in, 1/√fan_in) for weight and bias. */
    uint64_t s = seed;
    const RnnConfig *c = &m->config;
    for (int i = 0; i < rnn_tensor_count(c); i++) {
        RnnTensorInfo t = rnn_tensor_info(c, i);
        double *p = m->params + t.offset;
        size_t n = rnn_tensor_size(&t);
        if (strcmp(t.name, "embedding.weight") == 0) {
            for (size_t k = 0; k < n; k++) p[k] = rnn_rng_normal(&s);
            continue;
        }
        /* head and Dense layers: their input width (the weight's columns; the bias goes with
         * the weight just before it); a recurrent tensor: its layer's H */
        int fan_in = c->hidden_size, l = 0;
        if (strncmp(t.name, "head.", 5) == 0 || strncmp(t.name, "dense.", 6) == 0)
            fan_in = t.cols ? t.cols : rnn_tensor_info(c, i - 1).cols;
        else if (strncmp(t.name, "rnn.", 4) == 0) { /* rnn.weight_ih_l{l}[_reverse] */
            const char *at = strstr(t.name + 4, "_l");
            while (at && !(at[2] >= '0' && at[2] <= '9')) at = strstr(at + 2, "_l");
            if (at && sscanf(at + 2, "%d", &l) == 1 && l >= 0 && l < c->num_layers)
                fan_in = rnn_layer_hidden(c, l);
        }
        double bound = 1.0 / sqrt((double)fan_in);
        for (size_t k = 0; k < n; k++) p[k] = bound * (2.0 * rnn_rng_uniform(&s) - 1.0);
    }
}

/* ---- a second thread --------------------------------------------------------------------------
 *
 * The trainer's helper: one thread that waits for a job, runs it and says so. Which thread
 * computes what is fixed (a sequence, a row of a gradient), never decided by timing, and every
 * sum keeps its order: training gives the same bits with one thread or two. */

typedef struct RnnWorker {
    thrd_t thread;
    mtx_t lock;
    cnd_t wake, done;
    void (*job)(void *);
    void *arg;
    int busy, quit;
} RnnWorker;

static int worker_main(void *arg) {
    RnnWorker *w = arg;
    mtx_lock(&w->lock);
    for (;;) {
        while (!w->busy && !w->quit) cnd_wait(&w->wake, &w->lock);
        if (!w->busy) break; /* quit */
        mtx_unlock(&w->lock);
        w->job(w->arg);
        mtx_lock(&w->lock);
        w->busy = 0;
        cnd_signal(&w->done);
    }
    mtx_unlock(&w->lock);
    return 0;
}

/* The worker, or NULL when a thread cannot be had (then one thread does it all). rnnscope is
 * made for two-core laptops and up; on one core the two threads take turns, same result. */
static RnnWorker *worker_new(void) {
    RnnWorker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (mtx_init(&w->lock, mtx_plain) != thrd_success) {
        free(w);
        return NULL;
    }
    if (cnd_init(&w->wake) != thrd_success) {
        mtx_destroy(&w->lock);
        free(w);
        return NULL;
    }
    if (cnd_init(&w->done) != thrd_success) {
        cnd_destroy(&w->wake);
        mtx_destroy(&w->lock);
        free(w);
        return NULL;
    }
    if (thrd_create(&w->thread, worker_main, w) != thrd_success) {
        cnd_destroy(&w->done);
        cnd_destroy(&w->wake);
        mtx_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

static void worker_free(RnnWorker *w) {
    if (!w) return;
    mtx_lock(&w->lock);
    w->quit = 1;
    cnd_signal(&w->wake);
    mtx_unlock(&w->lock);
    thrd_join(w->thread, NULL);
    cnd_destroy(&w->done);
    cnd_destroy(&w->wake);
    mtx_destroy(&w->lock);
    free(w);
}

static void worker_start(RnnWorker *w, void (*job)(void *), void *arg) {
    mtx_lock(&w->lock);
    w->job = job, w->arg = arg, w->busy = 1;
    cnd_signal(&w->wake);
    mtx_unlock(&w->lock);
}

static void worker_wait(RnnWorker *w) {
    mtx_lock(&w->lock);
    while (w->busy) cnd_wait(&w->done, &w->lock);
    mtx_unlock(&w->lock);
}

/* ---- the trainer ----------------------------------------------------------------------------- */

void rnn_train_config_default(RnnTrainConfig *tc) {
    memset(tc, 0, sizeof *tc);
    tc->optimizer = RNN_ADAM;
    tc->lr = 0.001; /* torch.optim.Adam's default */
    tc->beta1 = 0.9, tc->beta2 = 0.999, tc->eps = 1e-8;
    tc->clip = 0;
    tc->batch_size = 32;
    tc->shuffle = 1;
    tc->seed = 1;
}

RnnTrainer *rnn_trainer_new(RnnModel *m, const RnnTrainConfig *tc, int max_steps, RnnError *err) {
    const RnnConfig *c = &m->config;
    if (c->head == RNN_HEAD_NONE) {
        rnn_error_set(err, "a model without a head has nothing to learn from labels");
        return NULL;
    }
    if (rnn_config_check_uniform(c, err)) return NULL;
    if (!(tc->lr > 0) || !isfinite(tc->lr)) {
        rnn_error_set(err, "the learning rate must be a positive number");
        return NULL;
    }
    if (tc->batch_size < 1) {
        rnn_error_set(err, "the batch size must be at least 1");
        return NULL;
    }
    if (!(tc->clip >= 0)) {
        rnn_error_set(err, "the clipping norm must be 0 (off) or positive");
        return NULL;
    }
    size_t P = m->num_params;
    /* One block: the struct, grads, Adam's two moments, their backup, dlogits. */
    size_t doubles = 6 * P + (size_t)max_steps * c->num_labels;
    RnnTrainer *tr = calloc(1, sizeof *tr + doubles * sizeof(double));
    if (!tr) {
        rnn_error_set(err, "out of memory for training");
        return NULL;
    }
    tr->model = m;
    tr->config = *tc;
    tr->capacity = max_steps;
    tr->grads = (double *)(tr + 1);
    tr->adam_m = tr->grads + P;
    tr->adam_v = tr->adam_m + P;
    tr->backup = tr->adam_v + P;
    tr->dlogits = tr->backup + 3 * P;
    tr->rng = tc->seed;
    tr->trace = rnn_trace_new(c, max_steps, err);
    tr->bw = tr->trace ? rnn_backward_new(c, max_steps, err) : NULL;
    if (!tr->bw) {
        rnn_trainer_free(tr);
        return NULL;
    }
    /* A batch side by side when its scratch is of a reasonable size (and memory allows);
     * otherwise sequences run one by one, with the same result. */
    if (rnn_batch_bytes(c, tc->batch_size, max_steps) <= RNN_BATCH_MAX_BYTES) {
        RnnError ignored;
        tr->batched = rnn_batch_new(c, tc->batch_size, max_steps, &ignored);
        tr->batch_order = tr->batched ? calloc(2 * (size_t)tc->batch_size + 1, sizeof(int)) : NULL;
        tr->group_start = tr->batch_order ? tr->batch_order + tc->batch_size : NULL;
        if (!tr->batch_order) { /* one by one after all */
            rnn_batch_free(tr->batched);
            tr->batched = NULL;
        }
        if (tr->batched && tc->batch_size > 1) tr->worker = worker_new();
    }
    return tr;
}

void rnn_trainer_free(RnnTrainer *tr) {
    if (!tr) return;
    rnn_trace_free(tr->trace);
    rnn_backward_free(tr->bw);
    worker_free(tr->worker);
    rnn_batch_free(tr->batched);
    free(tr->batch_order);
    free(tr);
}

static int argmax(const double *x, int n) {
    int best = 0;
    for (int k = 1; k < n; k++)
        if (x[k] > x[best]) best = k;
    return best;
}

void rnn_example_loss(const RnnModel *m, const RnnTrace *trace, const RnnExample *ex, double scale,
                      double *dlogits, RnnStats *stats) {
    const RnnConfig *c = &m->config;
    int K = c->num_labels;
    if (dlogits) memset(dlogits, 0, (size_t)trace->out_steps * K * sizeof *dlogits);
    double loss = 0;
    if (c->head == RNN_HEAD_REGRESSION) {
        /* squared error summed over the K outputs; the batch divides by sequences × K, as
         * torch.nn.MSELoss(reduction="mean") does */
        for (int k = 0; k < K; k++) {
            double diff = trace->logits[k] - ex->values[k];
            loss += diff * diff;
            if (dlogits) dlogits[k] += scale * 2.0 * diff / K;
        }
        stats->loss_sum += loss / K;
        stats->count++;
        return;
    }
    for (int o = 0; o < trace->out_steps; o++) {
        const double *z = trace->logits + (size_t)o * K;
        int target = ex->targets[o];
        loss += rnn_cross_entropy(z, K, target, scale, dlogits ? dlogits + (size_t)o * K : NULL);
        stats->correct += argmax(z, K) == target;
        stats->count++;
    }
    stats->loss_sum += loss;
}

/* Forward one example into `trace`, then rnn_example_loss. */
static int example_forward(const RnnModel *m, RnnTrace *trace, const RnnExample *ex, double scale,
                           double *dlogits, RnnStats *stats, RnnError *err) {
    if (ex->steps > trace->capacity)
        return rnn_error_set(err, "a sequence of %d steps is longer than the %d planned", ex->steps,
                             trace->capacity);
    if (rnn_trace_resize(trace, ex->steps, err) ||
        rnn_model_forward(m, ex->token_ids, ex->token_ids ? NULL : ex->vectors, trace, err))
        return -1;
    rnn_example_loss(m, trace, ex, scale, dlogits, stats);
    return 0;
}

/* One thread's share of a batch side by side: for every group of equal-length sequences
 * (order[g0..g1) of each range in groups), the sequences [first, first + count) of it. */
typedef struct BatchJob {
    RnnTrainer *trainer;
    RnnBatch view; /* this thread's row lists */
    const RnnExample *const *batch;
    int ngroups;
    const int *group_start; /* (ngroups + 1) into view.order */
    int half;               /* 0: the first (count + 1) / 2 of each group, 1: the rest */
    double scale;
    int rc;
    RnnError err;
    /* for the gradient */
    int part, parts, n;
} BatchJob;

static void batch_forward_backward(void *arg) {
    BatchJob *job = arg;
    RnnModel *m = job->trainer->model;
    RnnBatch *many = &job->view;
    int K = m->config.num_labels;
    const RnnExample *group[RNN_BATCH_GROUP];
    job->rc = 0;
    for (int g = 0; g < job->ngroups; g++) {
        int g0 = job->group_start[g], g1 = job->group_start[g + 1];
        int first_count = (g1 - g0 + 1) / 2;
        int begin = job->half ? g0 + first_count : g0, end = job->half ? g1 : g0 + first_count;
        int count = end - begin;
        if (count == 0) continue;
        const int *slot = many->order + begin;
        for (int i = 0; i < count; i++) group[i] = job->batch[slot[i]];
        if (rnn_batch_forward(m, many, group, slot, count, &job->err)) {
            job->rc = -1;
            return;
        }
        for (int i = 0; i < count; i++) {
            many->stats[slot[i]] = (RnnStats){0};
            rnn_example_loss(m, many->traces[slot[i]], group[i], job->scale,
                             many->dlogits + (size_t)slot[i] * many->capacity * K,
                             &many->stats[slot[i]]);
        }
        if (rnn_batch_backward(m, many, many->dlogits_rows, slot, count, &job->err)) {
            job->rc = -1;
            return;
        }
    }
}

static void batch_parameter_gradients(void *arg) {
    BatchJob *job = arg;
    RnnTrainer *tr = job->trainer;
    RnnBatch *many = &job->view;
    /* sequences in batch order: slot b holds batch[b] */
    rnn_batch_gradients(tr->model, many, many->dlogits_rows, tr->batch_order, job->n, tr->grads,
                        job->part, job->parts);
}

/* The batch's loss and gradient with its sequences side by side: equal lengths run together
 * through rnn_batch_forward / rnn_batch_backward (the first half of each group on this thread,
 * the second on the worker), then the gradient is summed sequence after sequence in batch
 * order (each thread its own rows of each weight), so that it has the same bits as the
 * one-by-one loop. */
static int gradients_side_by_side(RnnTrainer *tr, const RnnExample *const *batch, int n,
                                  double scale, RnnStats *local, RnnError *err) {
    RnnModel *m = tr->model;
    RnnBatch *many = tr->batched;
    rnn_batch_load_weights(m, many);
    /* slots sorted by length (insertion sort: stable, n is a batch), then cut into groups */
    int *order = many->order;
    for (int b = 0; b < n; b++) {
        int k = b;
        while (k > 0 && batch[order[k - 1]]->steps > batch[b]->steps) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = b;
    }
    int *group_start = tr->group_start, ngroups = 0;
    for (int g0 = 0; g0 < n;) {
        int g1 = g0 + 1;
        while (g1 < n && g1 - g0 < RNN_BATCH_GROUP &&
               batch[order[g1]]->steps == batch[order[g0]]->steps)
            g1++;
        group_start[ngroups++] = g0;
        g0 = g1;
    }
    group_start[ngroups] = n;
    RnnWorker *w = n > 1 ? tr->worker : NULL;
    BatchJob mine = {tr, *many, batch, ngroups, group_start, 0, scale, 0, {{0}}, 0, 1, n};
    BatchJob theirs = mine;
    theirs.view = rnn_batch_second_view(many);
    theirs.half = 1;
    if (w) worker_start(w, batch_forward_backward, &theirs);
    if (!w) mine.half = 0;
    batch_forward_backward(&mine);
    if (!w) { /* one thread: the second halves too */
        BatchJob rest = mine;
        rest.half = 1;
        if (mine.rc == 0) batch_forward_backward(&rest);
        mine.rc = rest.rc, mine.err = rest.err;
    } else {
        worker_wait(w);
        if (mine.rc == 0 && theirs.rc) mine.rc = theirs.rc, mine.err = theirs.err;
    }
    if (mine.rc) {
        if (err) *err = mine.err;
        return -1;
    }
    /* losses and counts in batch order, as the one-by-one loop adds them */
    for (int b = 0; b < n; b++) {
        local->loss_sum += many->stats[b].loss_sum;
        local->correct += many->stats[b].correct;
        local->count += many->stats[b].count;
    }
    for (int b = 0; b < n; b++) tr->batch_order[b] = b;
    mine.parts = theirs.parts = w ? 2 : 1;
    theirs.part = 1;
    if (w) worker_start(w, batch_parameter_gradients, &theirs);
    batch_parameter_gradients(&mine);
    if (w) worker_wait(w);
    return 0;
}

int rnn_trainer_gradients(RnnTrainer *tr, const RnnExample *const *batch, int n, RnnStats *stats,
                          RnnError *err) {
    RnnModel *m = tr->model;
    const RnnConfig *c = &m->config;
    size_t P = m->num_params;
    memset(tr->grads, 0, P * sizeof *tr->grads);
    /* many-to-one: mean over sequences; many-to-many: mean over the batch's tokens */
    double denom = 0;
    for (int b = 0; b < n; b++) denom += c->head == RNN_HEAD_MANY_TO_MANY ? batch[b]->steps : 1;
    RnnStats local = {0};
    for (int b = 0; b < n; b++)
        if (batch[b]->steps > tr->capacity)
            return rnn_error_set(err, "a sequence of %d steps is longer than the %d planned",
                                 batch[b]->steps, tr->capacity);
    if (tr->batched && n <= tr->batched->slots) {
        if (gradients_side_by_side(tr, batch, n, 1.0 / denom, &local, err)) return -1;
    } else {
        for (int b = 0; b < n; b++)
            if (example_forward(m, tr->trace, batch[b], 1.0 / denom, tr->dlogits, &local, err) ||
                rnn_model_backward(m, tr->trace, tr->dlogits, tr->grads, tr->bw, err))
                return -1;
    }
    double loss = local.loss_sum / denom;
    double norm2 = 0;
    for (size_t k = 0; k < P; k++) norm2 += tr->grads[k] * tr->grads[k];
    double norm = sqrt(norm2);
    tr->last_loss = loss;
    tr->last_grad_norm = norm;
    if (!isfinite(loss) || !isfinite(norm))
        return rnn_error_set(err,
                             "the %s became %s at optimizer step %lld; the weights before "
                             "this step are kept",
                             isfinite(loss) ? "gradient" : "loss",
                             isnan(isfinite(loss) ? norm : loss) ? "NaN" : "infinite",
                             tr->steps + 1);
    if (stats) {
        stats->loss_sum += local.loss_sum;
        stats->correct += local.correct;
        stats->count += local.count;
        stats->sequences += n;
    }
    return 0;
}

int rnn_trainer_step(RnnTrainer *tr, const RnnExample *const *batch, int n, RnnStats *stats,
                     RnnError *err) {
    if (rnn_trainer_gradients(tr, batch, n, stats, err)) return -1;
    RnnModel *m = tr->model;
    size_t P = m->num_params;
    double norm = tr->last_grad_norm;
    if (tr->config.clip > 0) {
        double coef = tr->config.clip / (norm + 1e-6);
        if (coef < 1)
            for (size_t k = 0; k < P; k++) tr->grads[k] *= coef;
    }
    /* An update that overflows must not cost the last good weights: keep them to restore. */
    memcpy(tr->backup, m->params, P * sizeof *m->params);
    memcpy(tr->backup + P, tr->adam_m, 2 * P * sizeof *tr->adam_m);
    tr->steps++;
    double lr = tr->config.lr;
    if (tr->config.optimizer == RNN_SGD) {
        /* p ← p − lr·g */
        for (size_t k = 0; k < P; k++) m->params[k] -= lr * tr->grads[k];
    } else {
        /* Adam (Kingma & Ba 2015) as torch.optim.Adam computes it:
         *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
         *   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε) */
        double b1 = tr->config.beta1, b2 = tr->config.beta2, eps = tr->config.eps;
        double bc1 = 1.0 - pow(b1, (double)tr->steps), bc2 = 1.0 - pow(b2, (double)tr->steps);
        double step_size = lr / bc1, bc2_sqrt = sqrt(bc2);
        for (size_t k = 0; k < P; k++) {
            double g = tr->grads[k];
            tr->adam_m[k] = tr->adam_m[k] * b1 + (1.0 - b1) * g;
            tr->adam_v[k] = tr->adam_v[k] * b2 + (1.0 - b2) * g * g;
            double denom_k = sqrt(tr->adam_v[k]) / bc2_sqrt + eps;
            m->params[k] -= step_size * tr->adam_m[k] / denom_k;
        }
    }
    for (size_t k = 0; k < P; k++) {
        if (!isfinite(m->params[k])) {
            memcpy(m->params, tr->backup, P * sizeof *m->params);
            memcpy(tr->adam_m, tr->backup + P, 2 * P * sizeof *tr->adam_m);
            tr->steps--;
            return rnn_error_set(err,
                                 "the update at optimizer step %lld made a weight "
                                 "infinite; the weights before this step are kept",
                                 tr->steps + 1);
        }
    }
    return 0;
}

void rnn_shuffle(int *order, int n, uint64_t *rng) {
    for (int i = n - 1; i > 0; i--) {
        int j = rnn_rng_below(rng, i + 1);
        int tmp = order[i];
        order[i] = order[j], order[j] = tmp;
    }
}

int rnn_evaluate(const RnnModel *m, const RnnExample *examples, int count, RnnStats *stats,
                 int *confusion, RnnError *err) {
    int capacity = 1;
    for (int i = 0; i < count; i++)
        if (examples[i].steps > capacity) capacity = examples[i].steps;
    RnnTrace *trace = rnn_trace_new(&m->config, capacity, err);
    if (!trace) return -1;
    memset(stats, 0, sizeof *stats);
    int K = m->config.num_labels;
    if (confusion) memset(confusion, 0, (size_t)K * K * sizeof *confusion);
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        RnnStats one = {0};
        rc = example_forward(m, trace, &examples[i], 1.0, NULL, &one, err);
        /* the loss of a sequence: mean over its outputs (one, or one per token) */
        stats->loss_sum += one.loss_sum;
        stats->correct += one.correct;
        stats->count += one.count;
        stats->sequences++;
        for (int o = 0;
             confusion && rc == 0 && m->config.head != RNN_HEAD_REGRESSION && o < trace->out_steps;
             o++)
            confusion[examples[i].targets[o] * K + argmax(trace->logits + (size_t)o * K, K)]++;
    }
    rnn_trace_free(trace);
    return rc;
}
