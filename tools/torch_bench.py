#!/usr/bin/python3
"""The PyTorch side of tools/bench.sh: the same models, data and batches as bench/rnnbench.c.

Run with Debian's /usr/bin/python3 (python3-torch 1.13). PyTorch at its best: batched
(T, B, I) tensors of equal-length sequences, torch.set_num_threads matched to the cores,
no autograd in the forward-only timing.

  torch_bench.py train --data F --cell lstm --hidden 16 [--embed 16] [--batch 32]
                 [--dtype float64|float32] [--seconds S] [--min-steps N]
      prints "train <cell> <hidden> <dtype> <sequences per second>"
  torch_bench.py forward --cell lstm --hidden 16 [--embed 16] [--steps 30] [--dtype ...]
      prints "forward <cell> <hidden> <dtype> <microseconds per call>"
"""
import argparse
import os
import time

import torch
import torch.nn as nn


class Recall(nn.Module):
    """Embedding -> one recurrent layer -> a linear head on h_n (many-to-one), as rnnscope."""

    def __init__(self, cell, vocab, embed, hidden, labels):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = kind(embed, hidden)  # (T, B, I) in, as torch runs fastest
        self.head = nn.Linear(hidden, labels)

    def forward(self, ids):  # ids: (T, B)
        out, state = self.rnn(self.embedding(ids))
        h_n = state[0] if isinstance(state, tuple) else state
        return self.head(h_n[-1])  # (B, K)


def read_data(path):
    with open(path) as f:
        vocab, labels = (int(x) for x in f.readline().split())
        ids, targets = [], []
        for line in f:
            left, right = line.split(":")
            ids.append([int(x) for x in left.split()])
            targets.append(int(right))
    return vocab, labels, torch.tensor(ids).t().contiguous(), torch.tensor(targets)


def bench_train(a):
    vocab, labels, ids, targets = read_data(a.data)  # ids: (T, N)
    torch.manual_seed(1)
    model = Recall(a.cell, vocab, a.embed, a.hidden, labels).to(getattr(torch, a.dtype))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batches = ids.shape[1] // a.batch
    xs = [ids[:, b * a.batch:(b + 1) * a.batch].contiguous() for b in range(batches)]
    ys = [targets[b * a.batch:(b + 1) * a.batch].contiguous() for b in range(batches)]

    def step(b):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[b]), ys[b])
        loss.backward()
        opt.step()
        return loss

    step(0)  # warm-up: allocator, first-call dispatch
    steps, start, elapsed = 0, time.perf_counter(), 0.0
    while steps < a.min_steps or elapsed < a.seconds:
        loss = step(steps % batches)
        steps += 1
        elapsed = time.perf_counter() - start
    print(f"train {a.cell} {a.hidden} {a.dtype} {steps * a.batch / elapsed:.1f} "
          f"loss {loss.item():.6f}")


def bench_forward(a):
    torch.manual_seed(1)
    model = Recall(a.cell, 22, a.embed, a.hidden, 8).to(getattr(torch, a.dtype)).eval()
    ids = torch.randint(0, 22, (a.steps, 1))
    with torch.no_grad():
        # the same record rnnscope's trace gives: every h_t, the logits and probabilities
        probs = torch.softmax(model(ids), dim=-1)
        calls, start, elapsed = 0, time.perf_counter(), 0.0
        while calls < 100 or elapsed < a.seconds:
            for _ in range(100):
                probs = torch.softmax(model(ids), dim=-1)
            calls += 100
            elapsed = time.perf_counter() - start
    print(f"forward {a.cell} {a.hidden} {a.dtype} {1e6 * elapsed / calls:.3f} "
          f"p0 {probs[0, 0].item():.6f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["train", "forward"])
    p.add_argument("--data")
    p.add_argument("--cell", default="lstm")
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--embed", type=int, default=16)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--min-steps", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    bench_train(a) if a.command == "train" else bench_forward(a)


if __name__ == "__main__":
    main()
