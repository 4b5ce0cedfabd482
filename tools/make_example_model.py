#!/usr/bin/env python3
"""Writes assets/models/example-lstm.json: a small, untrained LSTM for first runs.

Its weights are drawn the way PyTorch initialises nn.LSTM (uniform in +-1/sqrt(H)) and
nn.Embedding (standard normal), from a fixed seed, so the file is reproducible:

    python3 tools/make_example_model.py > assets/models/example-lstm.json

It shows the mechanics (states and gates moving as words arrive), not learned behaviour;
the trained demo models are made with `rnnscope train`. Standard library only.
"""
import json
import math
import random

VOCAB = ["<unk>", "the", "a", "cat", "dog", "sat", "on", "mat", "ran", "and", "i", "saw",
         ".", ",", "나는", "사과를", "먹었다", "고양이가", "잤다"]
INPUT, HIDDEN = 8, 6


def main():
    rng = random.Random(20261127)
    bound = 1 / math.sqrt(HIDDEN)

    def uniform(rows, cols=None):
        if cols is None:
            return [rng.uniform(-bound, bound) for _ in range(rows)]
        return [[rng.uniform(-bound, bound) for _ in range(cols)] for _ in range(rows)]

    params = {
        "embedding.weight": [[rng.gauss(0, 1) for _ in range(INPUT)] for _ in VOCAB],
        "rnn.weight_ih_l0": uniform(4 * HIDDEN, INPUT),
        "rnn.weight_hh_l0": uniform(4 * HIDDEN, HIDDEN),
        "rnn.bias_ih_l0": uniform(4 * HIDDEN),
        "rnn.bias_hh_l0": uniform(4 * HIDDEN),
    }
    model = {
        "format": "rnnscope-model", "version": 1, "name": "example-lstm (untrained)",
        "cell": "lstm", "nonlinearity": "tanh", "input_size": INPUT, "hidden_size": HIDDEN,
        "num_layers": 1, "bidirectional": False, "vocab": VOCAB,
        "description": "An untrained LSTM with PyTorch-style random weights: it shows how "
                       "states and gates are computed, not what a trained model learns.",
        "params": params,
    }
    print(json.dumps(model, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
