#!/usr/bin/env python3
"""Writes a ~100 MB rnnscope-model file (an LSTM, 512 inputs, 1024 units, random weights)
for the size-limit test: python3 tools/make_big_model.py OUT.json. Standard library only."""
import json
import random
import sys


def main(out):
    rng = random.Random(1)
    I, H = 512, 1024

    def matrix(rows, cols):
        return [[round(rng.uniform(-0.03, 0.03), 12) for _ in range(cols)] for _ in range(rows)]

    def vector(n):
        return [round(rng.uniform(-0.03, 0.03), 12) for _ in range(n)]

    model = {"format": "rnnscope-model", "version": 1, "name": "big", "cell": "lstm",
             "input_size": I, "hidden_size": H,
             "params": {"rnn.weight_ih_l0": matrix(4 * H, I), "rnn.weight_hh_l0": matrix(4 * H, H),
                        "rnn.bias_ih_l0": vector(4 * H), "rnn.bias_hh_l0": vector(4 * H)}}
    with open(out, "w") as f:
        json.dump(model, f)


if __name__ == "__main__":
    main(sys.argv[1])
