#!/usr/bin/python3
"""Writes the Keras fuzz targets' seeds: tiny models in the layouts Keras writes, a few broken
ones, and tokenizers. Run from anywhere with Debian's python3-h5py:

    /usr/bin/python3 tests/fuzz/seeds/make_keras_seeds.py

keras_h5/   legacy .h5: tf.keras 2.x (variable-length text attributes, names with ":0"),
            Keras 2.2 (a Sequential's config a plain list; fixed-length bytes), Keras 3
            (names without ":0"); a weights-only file; one cut short.
keras_zip/  .keras: Sequential and Functional, stored and deflated; one without weights,
            one with npz weights, one cut short.
keras_tokenizer/  tokenizer.to_json() output, as an object and as a JSON string.
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(3)


def w(*shape):
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def rnn(name, cls, units, rs, **kw):
    c = {"name": name, "units": units, "return_sequences": rs, "activation": "tanh", "use_bias": True}
    if cls != "SimpleRNN":
        c["recurrent_activation"] = "sigmoid"
    if cls == "GRU":
        c["reset_after"] = True
    c.update(kw)
    return {"class_name": cls, "config": c}


def weights(cls, n_in, units, reset_after=True):
    g = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[cls]
    b = w(2, g * units) if cls == "GRU" and reset_after else w(g * units)
    return [w(n_in, g * units), w(units, g * units), b]


def legacy(path, config, layers, version, fixed, latest=False):
    text = (lambda s: np.bytes_(s.encode())) if fixed else (lambda s: s)
    with h5py.File(path, "w", libver="latest" if latest else "earliest") as f:
        f.attrs["keras_version"] = text(version)
        f.attrs["backend"] = text("tensorflow")
        f.attrs["model_config"] = text(json.dumps(config))
        g = f.create_group("model_weights")
        names = [n for n, _ in layers]
        g.attrs["layer_names"] = np.array([n.encode() for n in names]) if fixed else names
        for name, ws in layers:
            lg = g.create_group(name)
            wn = [n for n, _ in ws]
            if not wn:
                lg.attrs["weight_names"] = np.array([], dtype=np.float64)
            else:
                lg.attrs["weight_names"] = np.array([n.encode() for n in wn]) if fixed else wn
            for n, a in ws:
                lg.create_dataset(n, data=a)


def keras_zip(path, config, store, compression=zipfile.ZIP_STORED, weights_name="model.weights.h5"):
    bio = io.BytesIO()
    with h5py.File(bio, "w") as f:
        f.create_group("vars")
        for p, arrays in store.items():
            v = f.require_group(p).create_group("vars")
            for i, a in enumerate(arrays):
                v[str(i)] = a
    def entry(name):  # a fixed date, so the seeds are the same bytes on every run
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = compression
        return info
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr(entry("metadata.json"), json.dumps({"keras_version": "3.6.0", "date_saved": "2024-01-01@00:00:00"}))
        zf.writestr(entry("config.json"), json.dumps(config))
        if weights_name:
            zf.writestr(entry(weights_name), bio.getvalue())


H5 = os.path.join(here, "keras_h5")
ZIP = os.path.join(here, "keras_zip")
TOK = os.path.join(here, "keras_tokenizer")

# tf.keras 2.x: Embedding(6, 2) > LSTM(2) > Dense(2, softmax)
emb, l, d = w(6, 2), weights("LSTM", 2, 2), [w(2, 2), w(2)]
cfg = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "name": "in"}},
    {"class_name": "Embedding", "config": {"name": "embedding", "input_dim": 6, "output_dim": 2}},
    rnn("lstm", "LSTM", 2, False),
    {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "softmax"}}]}}
layers = [("embedding", [("embedding/embeddings:0", emb)]),
          ("lstm", [("lstm/lstm_cell/kernel:0", l[0]), ("lstm/lstm_cell/recurrent_kernel:0", l[1]),
                    ("lstm/lstm_cell/bias:0", l[2])]),
          ("dense", [("dense/kernel:0", d[0]), ("dense/bias:0", d[1])])]
legacy(f"{H5}/tfkeras2-lstm.h5", cfg, layers, "2.11.0", fixed=False)
data = open(f"{H5}/tfkeras2-lstm.h5", "rb").read()
open(f"{H5}/bad-cut-short.h5", "wb").write(data[: len(data) // 2])

# Keras 2.2: plain list; SimpleRNN(2, raw 2-wide, rs) > GRU(2, reset_after False) > Dense > Activation
r, g, d = weights("SimpleRNN", 2, 2), weights("GRU", 2, 2, False), [w(2, 2), w(2)]
cfg = {"class_name": "Sequential", "config": [
    dict(rnn("simple_rnn_1", "SimpleRNN", 2, True), config=dict(rnn("simple_rnn_1", "SimpleRNN", 2, True)["config"], batch_input_shape=[None, None, 2])),
    rnn("gru_1", "GRU", 2, False, reset_after=False, recurrent_activation="hard_sigmoid"),
    {"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "activation": "linear"}},
    {"class_name": "Activation", "config": {"name": "activation_1", "activation": "softmax"}}]}
layers = [("simple_rnn_1", [(f"simple_rnn_1/{n}:0", a) for n, a in zip(["kernel", "recurrent_kernel", "bias"], r)]),
          ("gru_1", [(f"gru_1/{n}:0", a) for n, a in zip(["kernel", "recurrent_kernel", "bias"], g)]),
          ("dense_1", [("dense_1/kernel:0", d[0]), ("dense_1/bias:0", d[1])]), ("activation_1", [])]
legacy(f"{H5}/keras22-rnn-gru.h5", cfg, layers, "2.2.4", fixed=True)

# Keras 3 legacy: Bidirectional(GRU 2, sum) over raw 3-wide vectors, names without ":0"
f_, b_, d = weights("GRU", 3, 2), weights("GRU", 3, 2), [w(2, 1), w(1)]
cfg = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, None, 3], "name": "input_layer"}},
    {"class_name": "Bidirectional", "config": {"name": "bidirectional", "merge_mode": "sum", "layer": rnn("forward_gru", "GRU", 2, False)}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 1, "activation": "sigmoid"}}]}}
names = ["kernel", "recurrent_kernel", "bias"]
layers = [("bidirectional", [(f"bidirectional/forward_gru/gru_cell/{n}", a) for n, a in zip(names, f_)] +
           [(f"bidirectional/backward_gru/gru_cell/{n}", a) for n, a in zip(names, b_)]),
          ("dense", [("dense/kernel", d[0]), ("dense/bias", d[1])])]
legacy(f"{H5}/keras3-bigru.h5", cfg, layers, "3.4.1", fixed=True)

# weights only (model.save_weights): no model_config
with h5py.File(f"{H5}/bad-weights-only.h5", "w") as f:
    f.attrs["layer_names"] = [b"dense"]
    f.create_group("dense").attrs["weight_names"] = [b"dense/kernel:0"]

# .keras: Sequential Embedding(5, 2, mask_zero) > SimpleRNN(2, relu) > Dense(1, linear)
emb, r, d = w(5, 2), weights("SimpleRNN", 2, 2), [w(2, 1), w(1)]
k3 = lambda cls, cfg: {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None}
cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "layers": [
    k3("InputLayer", {"batch_shape": [None, 3], "name": "input_layer"}),
    k3("Embedding", {"name": "embedding", "input_dim": 5, "output_dim": 2, "mask_zero": True}),
    k3("SimpleRNN", dict(rnn("simple_rnn", "SimpleRNN", 2, False)["config"], activation="relu")),
    k3("Dropout", {"name": "dropout", "rate": 0.2}),
    k3("Dense", {"name": "dense", "units": 1, "activation": "linear"})]}}
store = {"layers/embedding": [emb], "layers/simple_rnn/cell": r, "layers/dense": d}
keras_zip(f"{ZIP}/sequential-rnn.keras", cfg, store)
keras_zip(f"{ZIP}/sequential-rnn-deflated.keras", cfg, store, zipfile.ZIP_DEFLATED)
keras_zip(f"{ZIP}/bad-no-weights.keras", cfg, store, weights_name=None)
keras_zip(f"{ZIP}/bad-npz-weights.keras", cfg, store, weights_name="model.weights.npz")
data = open(f"{ZIP}/sequential-rnn.keras", "rb").read()
open(f"{ZIP}/bad-cut-short.keras", "wb").write(data[: len(data) * 2 // 3])

# .keras: Functional input > LSTM(2, rs) > Dense(2) per step
l, d = weights("LSTM", 2, 2), [w(2, 2), w(2)]
node = lambda src: [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, None, 2], "keras_history": [src, 0, 0]}}], "kwargs": {}}]
cfg = {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "fn", "layers": [
    dict(k3("InputLayer", {"batch_shape": [None, None, 2], "name": "input_layer"}), name="input_layer", inbound_nodes=[]),
    dict(k3("LSTM", rnn("lstm", "LSTM", 2, True)["config"]), name="lstm", inbound_nodes=node("input_layer")),
    dict(k3("Dense", {"name": "dense", "units": 2, "activation": "tanh"}), name="dense", inbound_nodes=node("lstm"))],
    "input_layers": ["input_layer", 0, 0], "output_layers": ["dense", 0, 0]}}
keras_zip(f"{ZIP}/functional-lstm.keras", cfg, {"layers/lstm/cell": l, "layers/dense": d})

# tokenizers
tok = {"class_name": "Tokenizer", "config": {
    "num_words": 5, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": True, "split": " ",
    "char_level": False, "oov_token": "<OOV>", "document_count": 2,
    "word_counts": json.dumps({"the": 2, "cat": 1, "sat": 1}), "word_docs": json.dumps({"the": 2}),
    "index_docs": json.dumps({"2": 2}), "index_word": json.dumps({"1": "<OOV>", "2": "the", "3": "cat", "4": "sat"}),
    "word_index": json.dumps({"<OOV>": 1, "the": 2, "cat": 3, "sat": 4})}}
open(f"{TOK}/tokenizer.json", "w").write(json.dumps(tok))
open(f"{TOK}/tokenizer-as-string.json", "w").write(json.dumps(json.dumps(tok)))
tok["config"]["oov_token"] = None
tok["config"]["num_words"] = None
tok["config"]["word_index"] = json.dumps({"the": 1, "cat": 2, "sat": 3, "\u00e9t\u00e9": 4})
open(f"{TOK}/tokenizer-no-oov.json", "w").write(json.dumps(tok, ensure_ascii=False))
open(f"{TOK}/bad-not-tokenizer.json", "w").write(json.dumps({"class_name": "TextVectorization", "config": {}}))

# models rnnscope refuses, each with one message naming the layer (test_keras reads these too)
lstm_w = weights("LSTM", 2, 2)
lstm_layer = [("lstm", [(f"lstm/lstm_cell/{n}:0", a) for n, a in zip(["kernel", "recurrent_kernel", "bias"], lstm_w)])]
for name, middle in [("conv1d", {"class_name": "Conv1D", "config": {"name": "conv1d", "filters": 2, "kernel_size": 2}}),
                     ("attention", {"class_name": "MultiHeadAttention", "config": {"name": "attention", "num_heads": 2, "key_dim": 2}}),
                     ("time-distributed", {"class_name": "TimeDistributed", "config": {"name": "time_distributed", "layer": {"class_name": "Dense", "config": {"name": "d", "units": 2}}}}),
                     ("custom", {"class_name": "MyGate", "config": {"name": "my_gate"}})]:
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, None, 2], "name": "in"}},
        rnn("lstm", "LSTM", 2, True), middle]}}
    legacy(f"{H5}/bad-{name}.h5", cfg, lstm_layer, "2.11.0", fixed=False)

# a Functional model with two heads: it branches after the LSTM
d = [w(2, 2), w(2)]
cfg = {"class_name": "Functional", "config": {"name": "two_heads", "layers": [
    {"class_name": "InputLayer", "name": "input_1", "config": {"batch_input_shape": [None, None, 2], "name": "input_1"}, "inbound_nodes": []},
    dict(rnn("lstm", "LSTM", 2, False), name="lstm", inbound_nodes=[[["input_1", 0, 0, {}]]]),
    {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["lstm", 0, 0, {}]]]},
    {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2}, "inbound_nodes": [[["lstm", 0, 0, {}]]]}],
    "input_layers": [["input_1", 0, 0]], "output_layers": [["a", 0, 0], ["b", 0, 0]]}}
legacy(f"{H5}/bad-branch.h5", cfg, lstm_layer + [("a", [("a/kernel:0", d[0]), ("a/bias:0", d[1])]),
                                                 ("b", [("b/kernel:0", d[0]), ("b/bias:0", d[1])])], "2.11.0", fixed=False)

# a weight whose shape does not match the configuration (units 3, weights of 2)
cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, None, 2], "name": "in"}},
    rnn("lstm", "LSTM", 3, False)]}}
legacy(f"{H5}/bad-shape.h5", cfg, lstm_layer, "2.11.0", fixed=False)

# no biases (use_bias=False) and float64 weights: .keras, GRU(3, reset_after) > Dense(2, no bias)
g = [w(2, 9).astype(np.float64), w(3, 9).astype(np.float64)]
d = [w(3, 2).astype(np.float64)]
cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "no_bias", "layers": [
    k3("InputLayer", {"batch_shape": [None, None, 2], "name": "input_layer"}),
    k3("GRU", rnn("gru", "GRU", 3, False, use_bias=False)["config"]),
    k3("Dense", {"name": "dense", "units": 2, "activation": "softmax", "use_bias": False})]}}
keras_zip(f"{ZIP}/no-bias-float64.keras", cfg, {"layers/gru/cell": g, "layers/dense": d})

# Keras 2.2's CuDNNGRU (one bias of 6H: input half, recurrent half) and the same weights as a
# GRU(reset_after=True) with its (2, 3H) bias: the two must read the same (test_keras)
k, rk, b, dk, db = w(2, 9), w(3, 9), w(2, 9), w(3, 2), w(2)
for name, cls, bias, extra in [("cudnn-gru", "CuDNNGRU", b.reshape(18), {}),
                               ("gru-twin-of-cudnn", "GRU", b, {"reset_after": True, "activation": "tanh", "recurrent_activation": "sigmoid"})]:
    lname = "cu_dnngru_1" if cls == "CuDNNGRU" else "gru_1"
    lcfg = {"name": lname, "units": 3, "return_sequences": False, "return_state": False,
            "go_backwards": False, "stateful": False, "batch_input_shape": [None, None, 2]}
    lcfg.update(extra)
    cfg = {"class_name": "Sequential", "config": [{"class_name": cls, "config": lcfg},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "activation": "softmax"}}]}
    legacy(f"{H5}/keras22-{name}.h5", cfg,
           [(lname, [(f"{lname}/kernel:0", k), (f"{lname}/recurrent_kernel:0", rk), (f"{lname}/bias:0", bias)]),
            ("dense_1", [("dense_1/kernel:0", dk), ("dense_1/bias:0", db)])],
           "2.2.4", fixed=True)
