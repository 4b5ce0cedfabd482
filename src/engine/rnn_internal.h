/* rnn_internal.h - what the engine's files share but the rest of the program does not call:
 * the cell step's pieces that the one-sequence passes (rnn_forward.c, rnn_backward.c) and
 * the batched passes (rnn_batch.c) both run, so that both give the same bits. */
#ifndef RNN_INTERNAL_H
#define RNN_INTERNAL_H

#include "rnn.h"

/* The cell's nonlinear part, once gate_ih and gate_hh hold W_i* x + b_i* and W_h* h + b_h*
 * (G*H each). h_prev, c_prev: (H) or NULL for zero; tanh_c: (H) receives tanh(c') (LSTM),
 * or NULL. */
void rnn_cell_activations(RnnCellKind cell, RnnNonlinearity act, int H, const double *gate_ih,
                          const double *gate_hh, const double *h_prev, const double *c_prev,
                          double *gate_pre, double *gate, double *h, double *c, double *tanh_c);
/* Layer l's output at position t: both directions' h merged as the layer says (concat: D*H;
 * sum, mul, ave: H), the forward one's at t_fwd and the backward one's at t_bwd. */
void rnn_merge_directions(const RnnTrace *tr, int l, int t_fwd, int t_bwd, double *out);
/* Layer 0's input rows of tr: the embedding rows of token_ids (T), or the vectors (T, I). */
int rnn_load_inputs(const RnnModel *model, const int *token_ids, const double *vectors,
                    RnnTrace *tr, RnnError *err);
/* The head: logits = W feature + b, probs = softmax(logits) (the logits for regression). */
void rnn_head_forward(const RnnModel *model, RnnTrace *tr);

/* The cell's nonlinear part backwards: from dh (and dc) to the pre-activation gradients
 * da_ih, da_hh (G*H) and the part of dh_prev (H, may be NULL) that does not go through W_hh.
 * tanh_c: the forward pass's tanh(c) (H), or NULL to compute it again. */
void rnn_cell_gates_backward(RnnCellKind cell, RnnNonlinearity act, int H, const double *h_prev,
                             const double *c_prev, const double *gate_hh, const double *gate_pre,
                             const double *gate, const double *c, const double *tanh_c,
                             const double *dh, double *dc, double *da_ih, double *da_hh,
                             double *dh_prev);
/* dW (rows, cols) += da ⊗ v;  db (rows) += da. v == NULL is the zero vector. */
void rnn_outer_accumulate(double *dW, double *db, const double *da, const double *v, int rows,
                          int cols);
/* A view of a flat gradient buffer (m->params' size) with the model's tensor layout. */
void rnn_carve_like(const RnnModel *m, double *grads, RnnLayerParams layer[][2], double **embedding,
                    double **head_w, double **head_b);

/* Adds the loss of one example whose forward pass is in `trace` to stats (unscaled: the
 * cross-entropy summed over its output rows, or the mean squared error of a regression), its
 * prediction counts too, and, when dlogits != NULL, `scale` × dLoss/dlogits (rnn_train.c). */
void rnn_example_loss(const RnnModel *m, const RnnTrace *trace, const RnnExample *ex, double scale,
                      double *dlogits, RnnStats *stats);
/* rnn_layers_backward that also records every step's total dh, dc, gate gradients and dx into
 * rec (NULL: records nothing), laid out as RnnGrad says. */
int rnn_layers_backward_record(const RnnModel *m, const RnnTrace *tr, double *grads,
                               RnnBackward *bw, RnnGrad *rec, RnnError *err);

#endif
