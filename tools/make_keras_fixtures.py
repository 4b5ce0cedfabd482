#!/usr/bin/python3
"""Keras model files for the import tests, written the way Keras writes them,
with expected outputs from an independent float64 numpy implementation of
Keras's recurrent layers, cross-checked against PyTorch where PyTorch has the
same cell.

Run with Debian's interpreter (packages python3-h5py, python3-numpy,
python3-torch):

    /usr/bin/python3 tools/make_keras_fixtures.py [OUT_DIR]
        writes the committed fixtures (default tests/fixtures/keras)
    /usr/bin/python3 tools/make_keras_fixtures.py --big DIR
        writes the large model (Embedding 10,000 x 32 -> LSTM 256 -> Dense)
        as DIR/big_lstm256.keras and DIR/big_lstm256.h5 with their
        .expected.json; not committed, the test suite makes it at test time

Everything is seeded: running it twice gives byte-identical files (zip entry
dates are fixed; HDF5 objects carry no times).  Nothing is written unless
every check below passes.

File layouts reproduced (checked against the Keras sources named in
tests/fixtures/keras/README.md):

  .keras (Keras 3 saving_lib): a zip of metadata.json, config.json and
      model.weights.h5.  Weights live under layers/<key>/vars/<i>, where <key>
      is the snake_case class name made unique per container (lstm, lstm_1,
      dense, ...; NOT the layer name); a recurrent layer keeps its weights in
      layers/<key>/cell/vars/0..2 (kernel, recurrent_kernel, bias) and a
      Bidirectional in layers/<key>/forward_layer/cell/vars and
      layers/<key>/backward_layer/cell/vars.  Keras 3.4 also writes empty
      vars groups (the model's own /vars, Dropout, InputLayer, the RNN layer
      itself); Keras 3.13 writes only groups that hold variables.  The
      optimizer's state sits under optimizer/vars.
  legacy HDF5 (model.save("x.h5")): attributes keras_version, backend,
      model_config (JSON), training_config on the root; group model_weights
      with attribute layer_names and, per layer, a group holding attribute
      weight_names and datasets at those (slash-separated) names; a group
      optimizer_weights.  Three writers: Keras 2.2.x (Sequential config a
      plain list up to 2.2.2, names like lstm_1/kernel:0, every string an
      attribute of bytes), tf.keras 2.x (names like lstm/lstm_cell/kernel:0;
      up to 2.12 the cell names are numbered: lstm_cell_1, ...), Keras 3
      (names from variable paths without ':0', e.g.
      sequential/lstm/lstm_cell/kernel).

Expected outputs (NAME.expected.json), per case:
  {"ids": [...]} or {"inputs": [[...], ...]}  the input (T ids, or T x D)
  "layers": one entry per recurrent layer, {"h": [H_fwd, H_bwd?],
      "c": [C_fwd, C_bwd?] (LSTM only)}, each a T x units list; the backward
      direction is indexed by input position: h[1][t] is its state after
      reading positions T-1 down to t
  "dense": the outputs of the Dense layers before the last one
  "output": the model's output (after the last activation)
  Dense outputs are out_steps x units: out_steps is 1 when the top recurrent
  layer has return_sequences=False and T when Dense is applied per step.

Masking (Embedding(mask_zero=True), ids front-padded with 0 as Keras's
pad_sequences does): at a masked step a direction keeps its state (h and c
stay as they were; before the first real token that is zero), so the
reference records the kept state there.  What Keras returns as the layer's
OUTPUT at a masked step: a plain recurrent layer (zero_output_for_mask=False)
repeats its previous output, which is the same kept h; a Bidirectional with
return_sequences=True forces zero_output_for_mask=True on both directions, so
its merged output is zero there.  The mask travels on through
return_sequences=True layers, so the layer above skips those steps too, and
stops after a return_sequences=False layer.  The reference follows this (the
per-step output fed upwards is computed exactly as Keras does).
"""
import argparse
import io
import json
import os
import sys
import tempfile
import zipfile
import zlib

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover
    sys.exit("make_keras_fixtures: needs python3-h5py (run with /usr/bin/python3)")

# Zip entries that Keras writes with the save time get this one instead.
SAVE_TIME = (2024, 7, 2, 14, 3, 10)
DATE_SAVED = "2024-07-02@14:03:10"

# ---------------------------------------------------------------------------
# Model descriptions.  A spec is a framework-neutral list of layers; each
# writer turns it into the config and weight layout of one Keras version.
# ---------------------------------------------------------------------------


def inp(timesteps=None, features=None, dtype="float32", implicit=False):
    """The model input.  implicit: the user gave no Input() (input_shape= on
    the first layer, or a Sequential built by fit())."""
    return {"kind": "input", "timesteps": timesteps, "features": features, "dtype": dtype,
            "implicit": implicit}


def emb(vocab, dim, mask_zero=False, input_length=None):
    return {"kind": "embedding", "vocab": vocab, "dim": dim, "mask_zero": mask_zero,
            "input_length": input_length}


def rnn(cell, units, activation="tanh", recurrent_activation=None, reset_after=None,
        return_sequences=False, bidirectional=None, input_shape=None):
    return {"kind": "rnn", "cell": cell, "units": units, "activation": activation,
            "recurrent_activation": recurrent_activation, "reset_after": reset_after,
            "return_sequences": return_sequences, "bidirectional": bidirectional,
            "input_shape": input_shape}


def dropout(rate):
    return {"kind": "dropout", "rate": rate}


def dense(units, activation="linear"):
    return {"kind": "dense", "units": units, "activation": activation}


def other(kind, **kw):
    """A layer rnnscope does not run (for the refusal fixtures)."""
    d = {"kind": kind}
    d.update(kw)
    return d


# Flavours: which writer, which version.
K3 = "keras3"          # Keras 3 .keras zip
K3H5 = "keras3-h5"     # Keras 3 legacy h5 writer
TF2 = "tf.keras"       # tf.keras 2.x legacy h5 writer
K22 = "keras2.2"       # standalone Keras 2.2.x legacy h5 writer

FIXTURES = [
    # --- Keras 3 .keras -----------------------------------------------------
    dict(name="k3_lstm_softmax", flavour=K3, version="3.4.1", zip="keras",
         layers=[inp(7), emb(30, 8), rnn("lstm", 12), dense(4, "softmax")],
         cases=[[0, 0, 3, 17, 5, 29, 1], [4, 4, 4, 9, 12, 2, 11], [21, 8, 0, 0, 14, 6, 3]],
         about="Embedding -> LSTM -> Dense softmax; ids 0 are ordinary tokens (no mask_zero)"),
    dict(name="k3_gru_reset_after_deflated", flavour=K3, version="3.4.1", zip="deflated",
         layers=[inp(9, implicit=True), emb(25, 6), rnn("gru", 10), dropout(0.3),
                 dense(3, "softmax")],
         cases=[[1, 2, 3, 4, 5, 6, 7, 8, 9], [24, 0, 13, 13, 7, 19, 2, 2, 11],
                [0, 0, 0, 0, 6, 18, 22, 3, 15]],
         about="Embedding -> GRU(reset_after=True) -> Dropout -> Dense softmax; no Input() "
               "(Sequential adds its InputLayer when built); entries re-zipped deflated"),
    dict(name="k3_gru_reset_before_simple_rnn", flavour=K3, version="3.13.1", zip="keras313",
         layers=[inp(6), emb(20, 6), rnn("gru", 7, reset_after=False, return_sequences=True),
                 rnn("simple_rnn", 5), dense(2, "softmax")],
         cases=[[3, 1, 4, 1, 5, 9], [19, 18, 0, 2, 7, 7], [6, 11, 16, 12, 8, 10]],
         about="Keras 3.13 writer: GRU(reset_after=False) -> SimpleRNN(tanh) -> Dense softmax"),
    dict(name="k3_simple_rnn_relu_features", flavour=K3, version="3.4.1", zip="stream",
         layers=[inp(6, 3), rnn("simple_rnn", 8, activation="relu"), dense(8, "relu"),
                 dense(6, "tanh"), dense(3, "softmax")],
         cases=["features", "features", "features"],
         about="no Embedding: Input((6, 3)) -> SimpleRNN(relu) -> Dense relu, tanh, softmax; "
               "deflated entries with data descriptors (zip written to a stream)"),
    dict(name="k3_hard_sigmoid", flavour=K3, version="3.4.1", zip="keras", scale=2.6,
         layers=[inp(8), emb(20, 8),
                 rnn("lstm", 9, recurrent_activation="hard_sigmoid", return_sequences=True),
                 rnn("gru", 7, recurrent_activation="hard_sigmoid"), dense(1, "sigmoid")],
         cases=[[1, 5, 9, 13, 17, 2, 6, 10], [19, 0, 19, 0, 19, 0, 19, 0],
                [7, 3, 11, 15, 4, 8, 12, 16]],
         about="Keras 3 hard_sigmoid (clip(x/6 + 0.5)) in an LSTM and a GRU -> Dense(1, sigmoid)"),
    dict(name="k3_bidir_lstm_concat_sum", flavour=K3, version="3.4.1", zip="keras",
         layers=[inp(None), emb(24, 6),
                 rnn("lstm", 6, return_sequences=True, bidirectional="concat"),
                 rnn("lstm", 5, bidirectional="sum"), dense(3, "softmax")],
         cases=[[5, 9, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9], [23, 0, 11, 17, 4, 4]],
         about="Bidirectional LSTM concat (return_sequences) -> Bidirectional LSTM sum; "
               "Input(shape=(None,)) so every case has its own length"),
    dict(name="k3_bidir_gru_mul_ave_functional", flavour=K3, version="3.4.1", zip="keras",
         functional=True,
         layers=[inp(7), emb(22, 6),
                 rnn("gru", 6, return_sequences=True, bidirectional="mul"),
                 rnn("gru", 4, bidirectional="ave"), dense(1, "sigmoid")],
         cases=[[2, 4, 6, 8, 10, 12, 14], [21, 20, 19, 0, 1, 2, 3], [9, 9, 9, 9, 9, 9, 9]],
         about="Functional chain: Bidirectional GRU mul -> Bidirectional GRU ave -> Dense(1, sigmoid)"),
    dict(name="k3_mask_zero", flavour=K3, version="3.4.1", zip="keras", name_start=2,
         layers=[inp(8), emb(20, 6, mask_zero=True), rnn("lstm", 7, return_sequences=True),
                 rnn("gru", 5, bidirectional="concat"), dense(3, "softmax")],
         cases=[[0, 0, 0, 4, 11, 7, 2, 19], [0, 0, 0, 0, 0, 0, 13, 5], [8, 1, 16, 3, 3, 12, 6, 9]],
         about="Embedding(mask_zero=True), front-padded ids -> LSTM -> Bidirectional GRU concat; "
               "layer names carry notebook suffixes (lstm_2, ...)"),
    # --- Keras 3 legacy .h5 -------------------------------------------------
    dict(name="k3h5_stacked_relu_lstm", flavour=K3H5, version="3.4.1",
         layers=[inp(8), emb(30, 8), rnn("lstm", 6, activation="relu", return_sequences=True),
                 rnn("lstm", 10, activation="relu", return_sequences=True),
                 rnn("lstm", 6, activation="relu"), dropout(0.2), dense(8, "relu"),
                 dense(6, "tanh"), dense(3, "softmax")],
         cases=[[1, 2, 3, 4, 5, 6, 7, 8], [29, 0, 0, 14, 22, 3, 3, 9], [10, 20, 5, 15, 25, 6, 16, 26]],
         about="stacked LSTMs 6, 10, 6 with activation='relu' -> Dropout -> Dense relu, tanh, softmax"),
    dict(name="k3h5_functional_bidir_lower", flavour=K3H5, version="3.4.1", functional=True,
         layers=[inp(None), emb(20, 6), rnn("lstm", 5, return_sequences=True, bidirectional="concat"),
                 rnn("lstm", 6), dense(1, "sigmoid")],
         cases=[[3, 7, 11, 15], [19, 1, 0, 4, 8, 12, 16, 2, 6], [5, 5, 10]],
         about="Functional: Bidirectional LSTM concat (lower) -> LSTM -> Dense(1, sigmoid)"),
    # --- tf.keras 2.x legacy .h5 --------------------------------------------
    dict(name="tf2_gru_features", flavour=TF2, version="2.15.0",
         layers=[inp(5, 3, implicit=True), rnn("gru", 8, input_shape=(5, 3)), dense(4, "softmax")],
         cases=["features", "features", "features"],
         about="model.add(GRU(8, input_shape=(5, 3))); Dense softmax: no Embedding"),
    dict(name="tf2_many_to_many", flavour=TF2, version="2.15.0",
         layers=[inp(6, implicit=True), emb(25, 8, input_length=6),
                 rnn("lstm", 10, return_sequences=True), dense(5, "softmax")],
         cases=[[1, 3, 5, 7, 9, 11], [24, 23, 0, 0, 2, 2], [12, 6, 18, 4, 20, 8]],
         about="many-to-many: LSTM(return_sequences=True) -> Dense softmax applied per step"),
    dict(name="tf2_mask_bidir_lstm", flavour=TF2, version="2.15.0",
         layers=[inp(8, implicit=True), emb(20, 6, mask_zero=True, input_length=8),
                 rnn("lstm", 6, bidirectional="concat"), dense(3, "softmax")],
         cases=[[0, 0, 5, 9, 1, 14, 3, 7], [0, 0, 0, 0, 0, 11, 2, 18], [4, 8, 12, 16, 1, 5, 9, 13]],
         about="Embedding(mask_zero=True), front-padded ids -> Bidirectional LSTM concat (top)"),
    dict(name="tf24_stacked_simple_rnn_lstm", flavour=TF2, version="2.4.0",
         layers=[inp(7, implicit=True), emb(30, 8, input_length=7),
                 rnn("simple_rnn", 6, return_sequences=True), rnn("lstm", 8, return_sequences=True),
                 rnn("lstm", 5), dense(3, "softmax")],
         cases=[[2, 4, 8, 16, 1, 3, 9], [29, 28, 27, 0, 1, 2, 3], [7, 14, 21, 28, 5, 10, 15]],
         about="tf.keras 2.4 (numbered cells lstm_cell, lstm_cell_1): SimpleRNN(tanh) -> LSTM -> LSTM"),
    # --- Keras 2.2 legacy .h5 -----------------------------------------------
    dict(name="k22_lstm_hard_sigmoid", flavour=K22, version="2.2.2", scale=2.6,
         layers=[inp(7, implicit=True), emb(30, 8, input_length=7), rnn("lstm", 10),
                 dropout(0.5), dense(3, "softmax")],
         cases=[[1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 12, 24, 6, 18], [29, 15, 8, 22, 11, 3, 26]],
         about="Keras 2.2.2: Sequential config a plain list; LSTM with the default "
               "recurrent_activation='hard_sigmoid' (clip(0.2x + 0.5))"),
    dict(name="k22_gru_functional", flavour=K22, version="2.2.2", functional=True, scale=2.6,
         layers=[inp(6), emb(20, 6), rnn("gru", 8), dense(1, "sigmoid")],
         cases=[[3, 6, 9, 12, 15, 18], [0, 0, 1, 1, 2, 2], [19, 7, 13, 2, 11, 5]],
         about="Keras 2.2.2 functional Model: GRU with Keras 2 defaults (reset_after=False, "
               "hard_sigmoid) -> Dense(1, sigmoid)"),
    dict(name="k224_bidir_gru_ave_lstm_mul", flavour=K22, version="2.2.4", scale=2.4,
         layers=[inp(7, implicit=True), emb(24, 6, input_length=7),
                 rnn("gru", 5, recurrent_activation="sigmoid", reset_after=True,
                     return_sequences=True, bidirectional="ave"),
                 rnn("lstm", 4, bidirectional="mul"), dense(3, "softmax")],
         cases=[[1, 3, 5, 7, 9, 11, 13], [23, 0, 12, 12, 6, 18, 2], [4, 4, 8, 8, 16, 16, 20]],
         about="Keras 2.2.4 (config dict with layers): Bidirectional GRU(reset_after=True) ave "
               "-> Bidirectional LSTM (hard_sigmoid) mul"),
]

BAD_FIXTURES = [
    dict(name="bad_conv1d", flavour=TF2, version="2.15.0",
         layers=[inp(8, implicit=True), emb(20, 6, input_length=8),
                 other("conv1d", filters=4, kernel_size=3), rnn("lstm", 5), dense(2, "softmax")],
         about="Conv1D between Embedding and LSTM"),
    dict(name="bad_attention", flavour=K3, version="3.4.1", zip="keras", functional=True,
         layers=[inp(8), emb(20, 6), rnn("lstm", 6, return_sequences=True), other("attention"),
                 other("global_average_pooling1d"), dense(2, "softmax")],
         about="Attention()([x, x]) in a functional model"),
    dict(name="bad_timedistributed", flavour=K22, version="2.2.4",
         layers=[inp(6, implicit=True), emb(20, 6, input_length=6),
                 rnn("lstm", 5, return_sequences=True), other("time_distributed_dense", units=3)],
         about="TimeDistributed(Dense(3, activation='softmax'))"),
    dict(name="bad_custom_layer", flavour=K3, version="3.4.1", zip="keras",
         layers=[inp(6), emb(20, 6), other("custom"), rnn("lstm", 5), dense(2, "softmax")],
         about="a registered custom layer class MyCustomLayer (module __main__, "
               "registered_name Custom>MyCustomLayer)"),
    dict(name="bad_custom_layer_legacy", flavour=K3H5, version="3.4.1",
         layers=[inp(6), emb(20, 6), other("custom"), rnn("lstm", 5), dense(2, "softmax")],
         about="the same custom layer in the legacy h5 writer (class_name Custom>MyCustomLayer)"),
]

# ---------------------------------------------------------------------------
# Activations (Keras semantics)
# ---------------------------------------------------------------------------


def act_fn(name, keras_major):
    if name == "tanh":
        return np.tanh
    if name == "relu":
        return lambda x: np.maximum(x, 0.0)
    if name == "sigmoid":
        return lambda x: 1.0 / (1.0 + np.exp(-x))
    if name == "hard_sigmoid":
        if keras_major >= 3:   # keras.ops.hard_sigmoid: relu6(x + 3) / 6
            return lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0)
        return lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0)   # Keras 2 backend
    if name == "linear":
        return lambda x: x
    if name == "softmax":
        def softmax(x):
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        return softmax
    raise ValueError(name)


def keras_major(version):
    return int(version.split(".")[0])


def vt(version):
    """"2.15.0" -> (2, 15, 0), for comparisons."""
    return tuple(int(x) for x in version.split("."))


def rnn_defaults(layer, flavour):
    """Fill in recurrent_activation / reset_after with the defaults of the version."""
    l = dict(layer)
    old = flavour == K22
    if l["cell"] in ("lstm", "gru") and l["recurrent_activation"] is None:
        l["recurrent_activation"] = "hard_sigmoid" if old else "sigmoid"
    if l["cell"] == "gru" and l["reset_after"] is None:
        l["reset_after"] = not old
    return l


GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}

# ---------------------------------------------------------------------------
# Shapes and weights
# ---------------------------------------------------------------------------


def build(fx):
    """Resolve defaults, shapes and seeded float32 weights (Keras layouts)."""
    rng = np.random.default_rng(zlib.crc32(fx["name"].encode()))
    scale = fx.get("scale", 1.0)
    layers = []
    shape = None   # batch shape of the running tensor (None = batch)
    for spec in fx["layers"]:
        l = dict(spec)
        if l["kind"] == "input":
            shape = [None, l["timesteps"]] + ([l["features"]] if l["features"] else [])
            l["out_shape"] = list(shape)
            l["w"] = {}
            layers.append(l)
            continue
        if l["kind"] == "rnn":
            l = rnn_defaults(l, fx["flavour"])
        l["in_shape"] = list(shape)
        w = {}
        if l["kind"] == "embedding":
            w["embeddings"] = rng.uniform(-1.0, 1.0, (l["vocab"], l["dim"]))
            shape = shape[:2] + [l["dim"]]
        elif l["kind"] == "rnn":
            d_in, H, G = shape[-1], l["units"], GATES[l["cell"]]
            dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
            for d in dirs:
                k = rng.uniform(-1, 1, (d_in, G * H)) * scale * 1.3 / np.sqrt(d_in)
                r = rng.uniform(-1, 1, (H, G * H)) * scale * 1.3 / np.sqrt(H)
                if l["cell"] == "gru" and l["reset_after"]:
                    b = rng.uniform(-0.5, 0.5, (2, G * H)) * scale
                else:
                    b = rng.uniform(-0.5, 0.5, (G * H,)) * scale
                w[d] = {"kernel": k, "recurrent_kernel": r, "bias": b}
            out = 2 * H if l["bidirectional"] == "concat" else H
            shape = (shape[:2] if l["return_sequences"] else shape[:1]) + [out]
        elif l["kind"] == "dropout":
            pass
        elif l["kind"] == "dense":
            d_in = shape[-1]
            w["kernel"] = rng.uniform(-1, 1, (d_in, l["units"])) * 1.6 / np.sqrt(d_in)
            w["bias"] = rng.uniform(-0.3, 0.3, (l["units"],))
            shape = shape[:-1] + [l["units"]]
        elif l["kind"] == "conv1d":
            d_in = shape[-1]
            w["kernel"] = rng.uniform(-0.5, 0.5, (l["kernel_size"], d_in, l["filters"]))
            w["bias"] = np.zeros(l["filters"])
            t = None if shape[1] is None else shape[1] - l["kernel_size"] + 1
            shape = [None, t, l["filters"]]
        elif l["kind"] == "custom":
            w["kernel"] = rng.uniform(-0.5, 0.5, (shape[-1], shape[-1]))
        elif l["kind"] == "attention":
            pass
        elif l["kind"] == "global_average_pooling1d":
            shape = [None, shape[-1]]
        elif l["kind"] == "time_distributed_dense":
            w["kernel"] = rng.uniform(-0.5, 0.5, (shape[-1], l["units"]))
            w["bias"] = np.zeros(l["units"])
            shape = shape[:2] + [l["units"]]
        else:
            raise ValueError(l["kind"])
        # Keras keeps float32 weights: round once, the reference then works
        # in float64 from exactly these values.
        l["w"] = to_f32(w)
        l["out_shape"] = list(shape)
        layers.append(l)
    return layers


def to_f32(w):
    if isinstance(w, dict):
        return {k: to_f32(v) for k, v in w.items()}
    return np.asarray(w, dtype=np.float32)


def make_cases(fx, layers, rng_seed):
    rng = np.random.default_rng(rng_seed)
    first = layers[0]
    cases = []
    for i, c in enumerate(fx["cases"]):
        if c == "features":
            T, D = first["timesteps"], first["features"]
            x = np.round(rng.uniform(-1.0, 1.0, (T, D)) * 256.0) / 256.0   # exact in float32
            cases.append({"inputs": x.tolist()})
        else:
            if first["timesteps"] is not None:
                assert len(c) == first["timesteps"], (fx["name"], c)
            cases.append({"ids": list(c)})
    return cases

# ---------------------------------------------------------------------------
# The reference: Keras's equations in float64, written from the Keras layer
# sources (kernel (input, gates*units), gate blocks in Keras order:
# LSTM i, f, c, o; GRU z, r, h).
# ---------------------------------------------------------------------------


def cell_step(l, w, x, h, c, major):
    act = act_fn(l["activation"], major)
    H = l["units"]
    K = w["kernel"].astype(np.float64)
    R = w["recurrent_kernel"].astype(np.float64)
    b = w["bias"].astype(np.float64)
    if l["cell"] == "simple_rnn":
        return act(x @ K + b + h @ R), c
    ract = act_fn(l["recurrent_activation"], major)
    if l["cell"] == "lstm":
        z = x @ K + h @ R + b
        i = ract(z[:H])
        f = ract(z[H:2 * H])
        c_new = f * c + i * act(z[2 * H:3 * H])
        o = ract(z[3 * H:])
        return o * act(c_new), c_new
    # GRU
    if l["reset_after"]:
        xz = x @ K + b[0]
        hz = h @ R + b[1]
        z = ract(xz[:H] + hz[:H])
        r = ract(xz[H:2 * H] + hz[H:2 * H])
        hh = act(xz[2 * H:] + r * hz[2 * H:])
    else:
        xz = x @ K + b
        z = ract(xz[:H] + h @ R[:, :H])
        r = ract(xz[H:2 * H] + h @ R[:, H:2 * H])
        hh = act(xz[2 * H:] + (r * h) @ R[:, 2 * H:])
    return z * h + (1.0 - z) * hh, c


def run_direction(l, w, X, mask, reverse, major):
    T, H = X.shape[0], l["units"]
    h = np.zeros(H)
    c = np.zeros(H)
    hs, cs = [None] * T, [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        if mask is None or mask[t]:
            h, c = cell_step(l, w, X[t], h, c, major)
        hs[t], cs[t] = h, c          # masked step: the state is kept
    return np.array(hs), np.array(cs)


def merge(mode, a, b):
    if mode == "concat":
        return np.concatenate([a, b], axis=-1)
    if mode == "sum":
        return a + b
    if mode == "mul":
        return a * b
    if mode == "ave":
        return (a + b) / 2.0
    raise ValueError(mode)


def reference(layers, case, version, hard_sigmoid_log=None):
    """Returns (expected case dict, per-recurrent-layer inputs for the torch check)."""
    major = keras_major(version)
    mask = None
    if "ids" in case:
        ids = np.array(case["ids"])
        E = layers[1]
        X = E["w"]["embeddings"].astype(np.float64)[ids]
        if E["mask_zero"]:
            mask = ids != 0
        body = layers[2:]
    else:
        X = np.array(case["inputs"], dtype=np.float64)
        body = layers[1:]
    out_layers, dense_outs, probes = [], [], []
    seq = X                    # T x D, or 1 x D after return_sequences=False
    for l in body:
        if l["kind"] == "rnn":
            if hard_sigmoid_log is not None and l.get("recurrent_activation") == "hard_sigmoid":
                log_hard_sigmoid(l, seq, mask, major, hard_sigmoid_log)
            probes.append((l, seq.copy(), None if mask is None else mask.copy()))
            dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
            hs, cs, outs, lasts = [], [], [], []
            for d in dirs:
                h, c = run_direction(l, l["w"][d], seq, mask, d == "backward", major)
                hs.append(h)
                cs.append(c)
                # Output per step as Keras returns it: the kept state at a
                # masked step, except zeros for a Bidirectional that returns
                # sequences (zero_output_for_mask forced on).
                o = h.copy()
                if mask is not None and l["bidirectional"] and l["return_sequences"]:
                    o[~mask] = 0.0
                outs.append(o)
                lasts.append(h[0] if d == "backward" else h[-1])
            entry = {"h": [x.tolist() for x in hs]}
            if l["cell"] == "lstm":
                entry["c"] = [x.tolist() for x in cs]
            out_layers.append(entry)
            if l["return_sequences"]:
                seq = merge(l["bidirectional"], outs[0], outs[1]) if l["bidirectional"] else outs[0]
            else:
                seq = (merge(l["bidirectional"], lasts[0], lasts[1]) if l["bidirectional"]
                       else lasts[0])[None, :]
                mask = None
        elif l["kind"] == "dropout":
            pass                   # inference: identity
        elif l["kind"] == "dense":
            K = l["w"]["kernel"].astype(np.float64)
            b = l["w"]["bias"].astype(np.float64)
            seq = act_fn(l["activation"], major)(seq @ K + b)
            dense_outs.append(seq.tolist())
        else:
            raise ValueError("no reference for " + l["kind"])
    assert body[-1]["kind"] == "dense"
    expected = dict(case)
    expected["layers"] = out_layers
    expected["dense"] = dense_outs[:-1]
    expected["output"] = dense_outs[-1]
    return expected, probes


def log_hard_sigmoid(l, X, mask, major, log):
    """Collects the gate pre-activations of a hard_sigmoid layer (coverage check)."""
    lo, hi = (-3.0, 3.0) if major >= 3 else (-2.5, 2.5)
    dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
    H = l["units"]
    for d in dirs:
        w = l["w"][d]
        K, R, b = (w[k].astype(np.float64) for k in ("kernel", "recurrent_kernel", "bias"))
        h, c = np.zeros(H), np.zeros(H)
        for t in (range(len(X) - 1, -1, -1) if d == "backward" else range(len(X))):
            if mask is not None and not mask[t]:
                continue
            if l["cell"] == "lstm":
                z = X[t] @ K + h @ R + b
                pre = np.concatenate([z[:2 * H], z[3 * H:]])
            elif l["reset_after"]:
                pre = ((X[t] @ K + b[0]) + (h @ R + b[1]))[:2 * H]
            else:
                pre = (X[t] @ K + b)[:2 * H] + h @ R[:, :2 * H]
            log["below"] += int(np.sum(pre < lo))
            log["inside"] += int(np.sum((pre > lo) & (pre < hi)))
            log["above"] += int(np.sum(pre > hi))
            h, c = cell_step(l, w, X[t], h, c, major)

# ---------------------------------------------------------------------------
# Conversion to the PyTorch layout rnnscope's engine uses, and the torch
# cross-check.
#   kernel (in, G*H)           -> weight_ih (G*H, in)   (transpose)
#   recurrent_kernel (H, G*H)  -> weight_hh (G*H, H)
#   LSTM gate blocks i,f,c,o   =  PyTorch i,f,g,o       (same order)
#   GRU gate blocks z,r,h      -> PyTorch r,z,n         (swap the first two)
#   LSTM / SimpleRNN / GRU(reset_after=False) single bias -> bias_ih,
#       bias_hh = 0
#   GRU(reset_after=True) bias (2, 3H): row 0 -> bias_ih, row 1 -> bias_hh
#   Dense kernel (in, units) -> weight (units, in); Embedding unchanged.
# GRU(reset_after=False) has no PyTorch module (r multiplies h before the
# recurrent matrix); the converted tensors are the same, the cell differs.
# ---------------------------------------------------------------------------


def keras_to_torch(l, w):
    H = l["units"]
    K = w["kernel"].astype(np.float64)
    R = w["recurrent_kernel"].astype(np.float64)
    b = w["bias"].astype(np.float64)
    if l["cell"] == "gru":
        def reorder(m):     # last axis blocks z, r, h -> r, z, n
            return np.concatenate([m[..., H:2 * H], m[..., :H], m[..., 2 * H:]], axis=-1)
        K, R, b = reorder(K), reorder(R), reorder(b)
        if l["reset_after"]:
            b_ih, b_hh = b[0], b[1]
        else:
            b_ih, b_hh = b, np.zeros_like(b)
    else:
        b_ih, b_hh = b, np.zeros_like(b)
    return {"weight_ih": K.T.copy(), "weight_hh": R.T.copy(), "bias_ih": b_ih, "bias_hh": b_hh}


def torch_supported(l):
    if l["cell"] == "simple_rnn":
        return l["activation"] in ("tanh", "relu")
    if l["activation"] != "tanh" or l["recurrent_activation"] != "sigmoid":
        return False
    return l["cell"] == "lstm" or (l["cell"] == "gru" and l["reset_after"])


def close(a, b, tol=1e-12):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return bool(np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))))


def torch_check(name, layers, expected, probes):
    """Runs every recurrent layer whose cell PyTorch has through torch.nn with
    the converted weights, fed the reference's own layer input, and compares
    every h (and c) with the numpy reference to 1e-12; Dense layers too.
    Returns the number of layers checked."""
    import torch
    checked = 0
    rnn_i = 0
    for l, X, mask in probes:
        entry = expected["layers"][rnn_i]
        rnn_i += 1
        if not torch_supported(l):
            continue
        p = 0
        if mask is not None:
            p = int(np.argmax(mask)) if mask.any() else len(mask)
            assert not mask[:p].any() and mask[p:].all(), name + ": mask must be front padding"
        T, H, D = X.shape[0], l["units"], X.shape[1]
        dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
        Xt = torch.tensor(X[p:], dtype=torch.float64)[None]
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[l["cell"]]
        kw = {"nonlinearity": l["activation"]} if l["cell"] == "simple_rnn" else {}
        mod = cls(D, H, batch_first=True, bidirectional=bool(l["bidirectional"]), **kw).double()
        with torch.no_grad():
            for di, d in enumerate(dirs):
                conv = keras_to_torch(l, l["w"][d])
                sfx = "_reverse" if d == "backward" else ""
                for k, v in conv.items():
                    getattr(mod, "%s_l0%s" % (k, sfx)).copy_(torch.tensor(v))
            out, _ = mod(Xt)
        out = out[0].numpy()
        for di, d in enumerate(dirs):
            ref_h = np.array(entry["h"][di])
            got = out[:, di * H:(di + 1) * H]
            if not close(got, ref_h[p:]):
                raise SystemExit("%s: torch disagrees with the reference (h, %s)" % (name, d))
            # masked prefix: forward stays zero, backward keeps its state at p
            if p:
                want = np.zeros((p, H)) if d == "forward" else np.repeat(ref_h[p:p + 1], p, axis=0)
                if not close(ref_h[:p], want):
                    raise SystemExit("%s: masked steps do not keep the state" % name)
            if l["cell"] == "lstm":
                # torch keeps c internal: step a one-direction module with
                # explicit (h, c) to read c after every input.
                one = torch.nn.LSTM(D, H, batch_first=True).double()
                conv = keras_to_torch(l, l["w"][d])
                with torch.no_grad():
                    for k, v in conv.items():
                        getattr(one, "%s_l0" % k).copy_(torch.tensor(v))
                    hc = (torch.zeros(1, 1, H, dtype=torch.float64),
                          torch.zeros(1, 1, H, dtype=torch.float64))
                    cs = {}
                    order = range(T - 1, p - 1, -1) if d == "backward" else range(p, T)
                    for t in order:
                        _, hc = one(torch.tensor(X[t], dtype=torch.float64)[None, None], hc)
                        cs[t] = hc[1][0, 0].numpy().copy()
                ref_c = np.array(entry["c"][di])
                if not close(np.array([cs[t] for t in range(p, T)]), ref_c[p:]):
                    raise SystemExit("%s: torch disagrees with the reference (c, %s)" % (name, d))
        checked += 1
    # Dense layers: torch.nn.functional.linear with the converted weight.
    body = [l for l in layers if l["kind"] == "dense"]
    dense_all = expected["dense"] + [expected["output"]]
    for i, l in enumerate(body):
        if i == 0:
            continue   # its input is the recurrent stack's merged output, checked above
        x = torch.tensor(np.array(dense_all[i - 1]), dtype=torch.float64)
        W = torch.tensor(l["w"]["kernel"].astype(np.float64).T)
        b = torch.tensor(l["w"]["bias"].astype(np.float64))
        y = torch.nn.functional.linear(x, W, b)
        y = {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh,
             "sigmoid": torch.sigmoid, "softmax": lambda v: torch.softmax(v, dim=-1)}[l["activation"]](y)
        if not close(y.numpy(), dense_all[i]):
            raise SystemExit("%s: torch disagrees with the reference (dense %d)" % (name, i))
    return checked


def torch_layout_check(name, layers, expected, probes, version):
    """Every recurrent layer, including those torch.nn has no module for
    (relu LSTM/GRU, hard_sigmoid, GRU reset_after=False), stepped with torch
    tensor ops on the CONVERTED (PyTorch-layout) weights with the equations
    the engine uses for the PyTorch layout:
      LSTM  g = W_ih x + b_ih + W_hh h + b_hh, blocks i f g o;
            c' = f c + i act(g_g); h' = o act(c')
      GRU   r, z from W_ir x + b_ir + W_hr h + b_hr (and z alike);
            reset_after:  n = act(W_in x + b_in + r (W_hn h + b_hn))
            reset_before: n = act(W_in x + b_in + W_hn (r h))   (b_hn = 0)
            h' = (1 - z) n + z h
      RNN   h' = act(W_ih x + b_ih + W_hh h + b_hh)
    and compared with the Keras-layout numpy reference to 1e-12.  Checks the
    conversion and the engine's form of each variant."""
    import torch
    major = keras_major(version)

    def tact(n):
        return {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
                "hard_sigmoid": (lambda v: torch.clamp(v / 6.0 + 0.5, 0.0, 1.0)) if major >= 3
                else (lambda v: torch.clamp(0.2 * v + 0.5, 0.0, 1.0)),
                "linear": lambda v: v}[n]
    for i, (l, X, mask) in enumerate(probes):
        entry = expected["layers"][i]
        H = l["units"]
        act = tact(l["activation"])
        ract = tact(l["recurrent_activation"]) if l["cell"] != "simple_rnn" else None
        dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
        for di, d in enumerate(dirs):
            p = {k: torch.tensor(v) for k, v in keras_to_torch(l, l["w"][d]).items()}
            h = torch.zeros(H, dtype=torch.float64)
            c = torch.zeros(H, dtype=torch.float64)
            hs, cs = [None] * len(X), [None] * len(X)
            for t in (range(len(X) - 1, -1, -1) if d == "backward" else range(len(X))):
                if mask is None or mask[t]:
                    x = torch.tensor(X[t])
                    gi = p["weight_ih"] @ x + p["bias_ih"]
                    if l["cell"] == "simple_rnn":
                        h = act(gi + p["weight_hh"] @ h + p["bias_hh"])
                    elif l["cell"] == "lstm":
                        g = gi + p["weight_hh"] @ h + p["bias_hh"]
                        c = ract(g[H:2 * H]) * c + ract(g[:H]) * act(g[2 * H:3 * H])
                        h = ract(g[3 * H:]) * act(c)
                    else:
                        W_hh, b_hh = p["weight_hh"], p["bias_hh"]
                        gh_rz = W_hh[:2 * H] @ h + b_hh[:2 * H]
                        r = ract(gi[:H] + gh_rz[:H])
                        z = ract(gi[H:2 * H] + gh_rz[H:])
                        if l["reset_after"]:
                            n = act(gi[2 * H:] + r * (W_hh[2 * H:] @ h + b_hh[2 * H:]))
                        else:
                            n = act(gi[2 * H:] + W_hh[2 * H:] @ (r * h))
                        h = (1 - z) * n + z * h
                hs[t], cs[t] = h.numpy().copy(), c.numpy().copy()
            if not close(np.array(hs), entry["h"][di]):
                raise SystemExit("%s: PyTorch-layout step disagrees (h, layer %d %s)" % (name, i, d))
            if l["cell"] == "lstm" and not close(np.array(cs), entry["c"][di]):
                raise SystemExit("%s: PyTorch-layout step disagrees (c, layer %d %s)" % (name, i, d))
    return len(probes)


def torch_check_first_dense(name, layers, expected, probes, case, version):
    """The first Dense layer's input is the top recurrent layer's merged
    output: rebuild it from torch's own run of the whole recurrent stack when
    every recurrent layer is one torch has (no mask) and compare the model
    output end to end."""
    import torch
    rnns = [l for l in layers if l["kind"] == "rnn"]
    if not all(torch_supported(l) for l in rnns) or any(m is not None for _, _, m in probes):
        return False
    if "ids" in case:
        x = layers[1]["w"]["embeddings"].astype(np.float64)[np.array(case["ids"])]
    else:
        x = np.array(case["inputs"], dtype=np.float64)
    seq = torch.tensor(x)[None]
    for l in layers:
        if l["kind"] == "rnn":
            cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[l["cell"]]
            kw = {"nonlinearity": l["activation"]} if l["cell"] == "simple_rnn" else {}
            H = l["units"]
            mod = cls(seq.shape[-1], H, batch_first=True, bidirectional=bool(l["bidirectional"]),
                      **kw).double()
            dirs = ["forward", "backward"] if l["bidirectional"] else ["forward"]
            with torch.no_grad():
                for d in dirs:
                    sfx = "_reverse" if d == "backward" else ""
                    for k, v in keras_to_torch(l, l["w"][d]).items():
                        getattr(mod, "%s_l0%s" % (k, sfx)).copy_(torch.tensor(v))
                out, hn = mod(seq)
            if l["return_sequences"]:
                f, b = out[..., :H], out[..., H:]
            else:
                hn = hn[0] if isinstance(hn, tuple) else hn      # (dirs, 1, H)
                f, b = hn[0][:, None, :], (hn[1][:, None, :] if l["bidirectional"] else None)
            if not l["bidirectional"]:
                seq = f
            else:
                seq = {"concat": lambda: torch.cat([f, b], -1), "sum": lambda: f + b,
                       "mul": lambda: f * b, "ave": lambda: (f + b) / 2}[l["bidirectional"]]()
        elif l["kind"] == "dense":
            with torch.no_grad():
                W = torch.tensor(l["w"]["kernel"].astype(np.float64).T)
                b = torch.tensor(l["w"]["bias"].astype(np.float64))
                seq = torch.nn.functional.linear(seq, W, b)
                seq = {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh,
                       "sigmoid": torch.sigmoid,
                       "softmax": lambda v: torch.softmax(v, dim=-1)}[l["activation"]](seq)
    if not close(seq[0].numpy(), expected["output"]):
        raise SystemExit("%s: torch's whole model disagrees with the reference output" % name)
    return True

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

CLASS = {"input": "InputLayer", "embedding": "Embedding", "dropout": "Dropout", "dense": "Dense",
         "conv1d": "Conv1D", "attention": "Attention", "custom": "MyCustomLayer",
         "global_average_pooling1d": "GlobalAveragePooling1D",
         "time_distributed_dense": "TimeDistributed"}
RNN_CLASS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
SNAKE = {"InputLayer": "input_layer", "Embedding": "embedding", "Dropout": "dropout",
         "Dense": "dense", "Conv1D": "conv1d", "Attention": "attention",
         "MyCustomLayer": "my_custom_layer", "GlobalAveragePooling1D": "global_average_pooling1d",
         "TimeDistributed": "time_distributed", "LSTM": "lstm", "GRU": "gru",
         "SimpleRNN": "simple_rnn", "Bidirectional": "bidirectional"}


def class_of(l):
    if l["kind"] == "rnn":
        return "Bidirectional" if l["bidirectional"] else RNN_CLASS[l["cell"]]
    return CLASS[l["kind"]]


class Namer:
    """Keras's automatic layer names: per base name a counter; Keras 2.2
    starts at _1, tf.keras and Keras 3 leave the first one bare."""

    def __init__(self, first_bare, start=0):
        self.first_bare = first_bare
        self.count = {}
        self.start = start

    def __call__(self, base):
        n = self.count.get(base, self.start if self.first_bare else self.start + 1)
        self.count[base] = n + 1
        return base if (self.first_bare and n == 0) else "%s_%d" % (base, n)


def assign_names(fx, layers):
    """Sets l["name"] (and l["inner"] for a Bidirectional's wrapped layer)
    in the order a user's script creates the layers."""
    flavour = fx["flavour"]
    namer = Namer(first_bare=flavour != K22, start=fx.get("name_start", 0))
    functional = fx.get("functional", False)
    for l in layers:
        if l["kind"] == "input":
            continue
        if l["kind"] == "rnn" and l["bidirectional"]:
            l["inner"] = namer(SNAKE[RNN_CLASS[l["cell"]]])    # LSTM(...) is made first
        if l["kind"] == "time_distributed_dense":
            l["inner"] = namer("dense")
        l["name"] = namer(SNAKE[class_of(l)])
    first = layers[0]
    if flavour in (K3, K3H5):
        first["name"] = "input_layer" if fx.get("name_start", 0) == 0 else \
            "input_layer_%d" % fx["name_start"]
        model = "functional" if functional else "sequential"
    elif flavour == TF2:
        implicit = first.get("implicit") and not functional
        first["name"] = layers[1]["name"] + "_input" if implicit else "input_1"
        model = "model" if functional else "sequential"
    else:
        first["name"] = "input_1"
        model = "model_1" if functional else "sequential_1"
    if fx.get("name_start", 0) and flavour != K22:
        model += "_%d" % fx["name_start"]
    return model

# ---------------------------------------------------------------------------
# Configs
# ---------------------------------------------------------------------------

DTYPE_POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                "registered_name": None}


def initializer(style, which):
    if style == K22:
        table = {"glorot": ("VarianceScaling", {"scale": 1.0, "mode": "fan_avg",
                                                "distribution": "uniform", "seed": None}),
                 "orthogonal": ("Orthogonal", {"gain": 1.0, "seed": None}),
                 "zeros": ("Zeros", {}),
                 "uniform": ("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None})}
    else:
        ortho = "OrthogonalInitializer" if style == K3 else "Orthogonal"
        table = {"glorot": ("GlorotUniform", {"seed": None}),
                 "orthogonal": (ortho, {"gain": 1.0, "seed": None}),
                 "zeros": ("Zeros", {}),
                 "uniform": ("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None})}
    cls, cfg = table[which]
    if style in (K22, "tf24"):
        return {"class_name": cls, "config": dict(cfg)}
    return {"module": "keras.initializers", "class_name": cls, "config": dict(cfg),
            "registered_name": None}


def cfg_style(fx):
    """Initializer/config style: K3 (Keras 3), TF2 (tf.keras >= 2.13: new
    serialization inside legacy layer configs), tf24 (older tf.keras), K22."""
    if fx["flavour"] in (K3, K3H5):
        return K3
    if fx["flavour"] == TF2:
        return TF2 if vt(fx["version"]) >= (2, 13) else "tf24"
    return K22


def layer_config(fx, l, name=None, go_backwards=False, zero_output_for_mask=False):
    """The layer's get_config() as the writing version builds it (key order
    included); name overrides l["name"] (a Bidirectional's inner layers)."""
    style = cfg_style(fx)
    ver = fx["version"]
    name = name or l["name"]
    kind = l["kind"]

    def base(batch_input_shape=None):
        if style == K3:
            return {"name": name, "trainable": True, "dtype": dict(DTYPE_POLICY)}
        if style == TF2:
            c = {"name": name, "trainable": True, "dtype": "float32"}
            if batch_input_shape:
                c["batch_input_shape"] = batch_input_shape
            return c
        if style == "tf24":
            c = {"name": name, "trainable": True}
            if batch_input_shape:
                c["batch_input_shape"] = batch_input_shape
            c["dtype"] = "float32"
            return c
        c = {"name": name, "trainable": True}
        if batch_input_shape:
            c["batch_input_shape"] = batch_input_shape
            c["dtype"] = "float32"
        return c

    ini = lambda which: initializer(style, which)  # noqa: E731

    if kind == "input":
        if style == K3:
            c = {"batch_shape": l["out_shape"], "dtype": l["dtype"], "sparse": False}
            if vt(ver) >= (3, 10):
                c["ragged"] = False
            c["name"] = name
            if vt(ver) >= (3, 10):
                c["optional"] = False
            return c
        if style in (TF2, "tf24"):
            return {"batch_input_shape": l["out_shape"], "dtype": l["dtype"], "sparse": False,
                    "ragged": False, "name": name}
        return {"batch_input_shape": l["out_shape"], "dtype": l["dtype"], "sparse": False,
                "name": name}
    if kind == "embedding":
        bis = None
        if style == K22:
            bis = [None, l["input_length"]]
        elif l["input_length"] is not None:
            bis = [None, l["input_length"]]
        c = base(bis)
        c.update({"input_dim": l["vocab"], "output_dim": l["dim"],
                  "embeddings_initializer": ini("uniform"), "embeddings_regularizer": None,
                  "activity_regularizer": None, "embeddings_constraint": None,
                  "mask_zero": l["mask_zero"]})
        if style != K3:
            c["input_length"] = l["input_length"]
        elif vt(ver) >= (3, 10):
            c["quantization_config"] = None
        return c
    if kind == "dropout":
        c = base()
        if style == K3:
            c.update({"rate": l["rate"], "seed": None, "noise_shape": None})
        else:
            c.update({"rate": l["rate"], "noise_shape": None, "seed": None})
        return c
    if kind == "dense":
        c = base()
        c.update({"units": l["units"], "activation": l["activation"], "use_bias": True,
                  "kernel_initializer": ini("glorot"), "bias_initializer": ini("zeros"),
                  "kernel_regularizer": None, "bias_regularizer": None})
        if style != K3:
            c["activity_regularizer"] = None
        c.update({"kernel_constraint": None, "bias_constraint": None})
        if style == K3 and vt(ver) >= (3, 10):
            c["quantization_config"] = None
        return c
    if kind == "rnn" and l["bidirectional"] and name == l["name"]:
        c = base()
        if style == K3:
            fwd = keras3_serialize(fx, l, layer_config(fx, l, name="forward_" + l["inner"],
                                                       zero_output_for_mask=l["return_sequences"]),
                                   RNN_CLASS[l["cell"]], built=True)
            bwd = keras3_serialize(fx, l, layer_config(fx, l, name="backward_" + l["inner"],
                                                       go_backwards=True,
                                                       zero_output_for_mask=l["return_sequences"]),
                                   RNN_CLASS[l["cell"]], built=True)
            c.update({"merge_mode": l["bidirectional"], "layer": fwd, "backward_layer": bwd})
        elif style == TF2:
            inner = layer_config(fx, l, name=l["inner"])
            c["layer"] = {"module": "keras.layers", "class_name": RNN_CLASS[l["cell"]],
                          "config": inner, "registered_name": None}
            c["merge_mode"] = l["bidirectional"]
        else:
            c["layer"] = {"class_name": RNN_CLASS[l["cell"]],
                          "config": layer_config(fx, l, name=l["inner"])}
            c["merge_mode"] = l["bidirectional"]
        return c
    if kind == "rnn":
        bis = None
        if l.get("input_shape") and name == l["name"]:
            bis = [None] + list(l["input_shape"])
        c = base(bis)
        c.update({"return_sequences": l["return_sequences"], "return_state": False,
                  "go_backwards": go_backwards, "stateful": False, "unroll": False})
        if style in (TF2, "tf24"):
            c["time_major"] = False
        if style == K3:
            c["zero_output_for_mask"] = zero_output_for_mask
        elif style in (TF2, "tf24") and zero_output_for_mask:
            c["zero_output_for_mask"] = True
        c["units"] = l["units"]
        c["activation"] = l["activation"]
        if l["cell"] != "simple_rnn":
            c["recurrent_activation"] = l["recurrent_activation"]
        c.update({"use_bias": True, "kernel_initializer": ini("glorot"),
                  "recurrent_initializer": ini("orthogonal"), "bias_initializer": ini("zeros")})
        if l["cell"] == "lstm":
            c["unit_forget_bias"] = True
        c.update({"kernel_regularizer": None, "recurrent_regularizer": None,
                  "bias_regularizer": None, "activity_regularizer": None,
                  "kernel_constraint": None, "recurrent_constraint": None,
                  "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0})
        if style == K3:
            if l["cell"] == "gru":
                c["reset_after"] = l["reset_after"]
            if l["cell"] != "simple_rnn":
                c["seed"] = None
        elif l["cell"] != "simple_rnn":
            c["implementation"] = 1 if style == K22 else 2
            if l["cell"] == "gru":
                c["reset_after"] = l["reset_after"]
        return c
    if kind == "conv1d":
        c = base()
        c.update({"filters": l["filters"], "kernel_size": [l["kernel_size"]], "strides": [1],
                  "padding": "valid", "data_format": "channels_last", "dilation_rate": [1],
                  "groups": 1, "activation": "relu", "use_bias": True,
                  "kernel_initializer": ini("glorot"), "bias_initializer": ini("zeros"),
                  "kernel_regularizer": None, "bias_regularizer": None,
                  "activity_regularizer": None, "kernel_constraint": None,
                  "bias_constraint": None})
        return c
    if kind == "attention":
        c = base()
        c.update({"use_scale": False, "score_mode": "dot", "dropout": 0.0})
        return c
    if kind == "global_average_pooling1d":
        c = base()
        c.update({"data_format": "channels_last", "keepdims": False})
        return c
    if kind == "custom":
        c = base()
        c["units"] = l["in_shape"][-1]
        return c
    if kind == "time_distributed_dense":
        c = base()
        inner = {"name": l["inner"], "trainable": True, "units": l["units"],
                 "activation": "softmax", "use_bias": True,
                 "kernel_initializer": ini("glorot"), "bias_initializer": ini("zeros"),
                 "kernel_regularizer": None, "bias_regularizer": None,
                 "activity_regularizer": None, "kernel_constraint": None,
                 "bias_constraint": None}
        c["layer"] = {"class_name": "Dense", "config": inner}
        return c
    raise ValueError(kind)


def keras3_serialize(fx, l, config, cls, built):
    """serialize_keras_object(layer) of Keras 3 (public class -> module
    keras.layers; a registered custom class -> its module and
    registered_name)."""
    if cls == "MyCustomLayer":
        d = {"module": "__main__", "class_name": cls, "config": config,
             "registered_name": "Custom>MyCustomLayer"}
    else:
        d = {"module": "keras.layers", "class_name": cls, "config": config,
             "registered_name": None}
    if built and l["kind"] != "input":
        d["build_config"] = {"input_shape": l["in_shape"]}
    return d


def legacy_class_name(cls):
    return "Custom>MyCustomLayer" if cls == "MyCustomLayer" else cls


ADAM_K3 = {"name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": None,
           "clipnorm": None, "global_clipnorm": None, "clipvalue": None, "use_ema": False,
           "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
           "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
           "epsilon": 1e-07, "amsgrad": False}


def loss_for(layers):
    last = layers[-1]
    if last["kind"] == "dense" and last["activation"] == "sigmoid":
        return "binary_crossentropy"
    return "sparse_categorical_crossentropy"


def keras3_compile_config(layers):
    return {"optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                          "config": dict(ADAM_K3), "registered_name": None},
            "loss": loss_for(layers), "loss_weights": None, "metrics": ["accuracy"],
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": False}


def keras_tensor(l):
    dtype = l["dtype"] if l["kind"] == "input" else "float32"
    return {"class_name": "__keras_tensor__",
            "config": {"shape": l["out_shape"], "dtype": dtype,
                       "keras_history": [l["name"], 0, 0]}}


def model_config(fx, layers, model_name, legacy):
    """The model's serialized config: Keras 3 .keras (legacy=False) or the
    model_config attribute of a legacy h5 (legacy=True)."""
    style = cfg_style(fx)
    functional = fx.get("functional", False)
    entries = []
    prev = None
    for l in layers:
        cls = class_of(l)
        cfg = layer_config(fx, l)
        if style == K3 and not legacy:
            e = keras3_serialize(fx, l, cfg, cls, built=True)
        else:
            e = {"class_name": legacy_class_name(cls) if style == K3 else cls, "config": cfg}
        if functional:
            if style == K3:
                if l["kind"] == "input":
                    nodes = []
                elif l["kind"] == "attention":
                    nodes = [{"args": [[keras_tensor(prev), keras_tensor(prev)]], "kwargs": {}}]
                else:
                    nodes = [{"args": [keras_tensor(prev)], "kwargs": {}}]
                e["name"] = l["name"]
                e["inbound_nodes"] = nodes
            else:
                nodes = [] if l["kind"] == "input" else [[[prev["name"], 0, 0, {}]]]
                if style == K22:
                    e = {"name": l["name"], "class_name": cls, "config": cfg,
                         "inbound_nodes": nodes}
                else:
                    e["name"] = l["name"]
                    e["inbound_nodes"] = nodes
        prev = l
        if not functional and l["kind"] == "input" and style == K22:
            continue          # Keras 2.2's Sequential lists no InputLayer
        entries.append(e)
    if functional:
        if style == K3:
            cfg = {"name": model_name, "trainable": True, "layers": entries,
                   "input_layers": [[layers[0]["name"], 0, 0]],
                   "output_layers": [[layers[-1]["name"], 0, 0]]}
        else:
            cfg = {"name": model_name, "layers": entries,
                   "input_layers": [[layers[0]["name"], 0, 0]],
                   "output_layers": [[layers[-1]["name"], 0, 0]]}
        cls = {K3: "Functional", TF2: "Functional", "tf24": "Functional", K22: "Model"}[style]
    else:
        if style == K3:
            cfg = {"name": model_name, "trainable": True, "dtype": dict(DTYPE_POLICY),
                   "layers": entries, "build_input_shape": layers[0]["out_shape"]}
        elif style == K22 and vt(fx["version"]) <= (2, 2, 2):
            cfg = entries           # Keras <= 2.2.2: a plain list
        else:
            cfg = {"name": model_name, "layers": entries}
        cls = "Sequential"
    if style == K3 and not legacy:
        if functional:
            top = {"module": "keras.src.models.functional", "class_name": "Functional",
                   "config": cfg, "registered_name": "Functional"}
        else:
            top = {"module": "keras", "class_name": "Sequential", "config": cfg,
                   "registered_name": None,
                   "build_config": {"input_shape": layers[0]["out_shape"]}}
        top["compile_config"] = keras3_compile_config(layers)
        return top
    return {"class_name": cls, "config": cfg}


def training_config(fx, layers):
    style = cfg_style(fx)
    loss = loss_for(layers)
    if style == K3:
        return {"loss": loss, "loss_weights": None, "metrics": ["accuracy"],
                "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
                "jit_compile": False,
                "optimizer_config": {"class_name": "Adam", "config": dict(ADAM_K3)}}
    if style == TF2:
        return {"loss": loss, "metrics": None, "weighted_metrics": None, "loss_weights": None,
                "optimizer_config": {"class_name": "Custom>Adam", "config": {
                    "name": "Adam", "weight_decay": None, "clipnorm": None,
                    "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                    "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "jit_compile": False, "is_legacy_optimizer": False,
                    "learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}
    if style == "tf24":
        return {"loss": loss, "metrics": ["accuracy"], "weighted_metrics": None,
                "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.0010000000474974513, "decay": 0.0,
                    "beta_1": 0.8999999761581421, "beta_2": 0.9990000128746033,
                    "epsilon": 1e-07, "amsgrad": False}}}
    return {"optimizer_config": {"class_name": "Adam", "config": {
                "lr": 0.0010000000474974513, "beta_1": 0.8999999761581421,
                "beta_2": 0.9990000128746033, "decay": 0.0, "epsilon": 1e-07,
                "amsgrad": False}},
            "loss": loss.replace("sparse_", ""), "metrics": ["accuracy"],
            "sample_weight_mode": None, "loss_weights": None}

# ---------------------------------------------------------------------------
# Weights, in each writer's order and naming
# ---------------------------------------------------------------------------

CELL_NAME = {"lstm": "lstm_cell", "gru": "gru_cell", "simple_rnn": "simple_rnn_cell"}
RNN_VARS = ("kernel", "recurrent_kernel", "bias")


def layer_weights(l):
    """[(role path inside the layer, array)] in the layer's weight order."""
    w = l["w"]
    if l["kind"] == "embedding":
        return [("embeddings", w["embeddings"])]
    if l["kind"] in ("dense", "conv1d", "time_distributed_dense"):
        return [("kernel", w["kernel"]), ("bias", w["bias"])]
    if l["kind"] == "custom":
        return [("kernel", w["kernel"])]
    if l["kind"] == "rnn":
        out = []
        for d in (["forward", "backward"] if l["bidirectional"] else ["forward"]):
            for v in RNN_VARS:
                out.append((d, v, w[d][v]))
        return out
    return []


class CellCounter:
    """tf.keras before 2.13 named cells automatically: lstm_cell, lstm_cell_1, ..."""

    def __init__(self, numbered):
        self.numbered = numbered
        self.n = {}

    def __call__(self, cell):
        base = CELL_NAME[cell]
        if not self.numbered:
            return base
        k = self.n.get(base, 0)
        self.n[base] = k + 1
        return base if k == 0 else "%s_%d" % (base, k)


def legacy_weight_names(fx, layers, model_name):
    """{layer name: [(dataset name, array)]} as the legacy writer names them."""
    flavour = fx["flavour"]
    functional = fx.get("functional", False)
    cells = CellCounter(numbered=cfg_style(fx) == "tf24")
    result = {}
    for l in layers:
        n = l["name"]
        if flavour == K3H5:
            pre = "" if functional else model_name + "/"
            suffix = ""
        else:
            pre, suffix = "", ":0"
        names = []
        if l["kind"] == "rnn":
            if cfg_style(fx) == "tf24" and l["bidirectional"]:
                cells(l["cell"])           # the wrapped layer's own (unused) cell
            per_dir = {}
            for d in (["forward", "backward"] if l["bidirectional"] else ["forward"]):
                cell = "" if flavour == K22 else cells(l["cell"]) + "/"
                scope = n + "/"
                if l["bidirectional"]:
                    scope += ("forward_" if d == "forward" else "backward_") + l["inner"] + "/"
                per_dir[d] = pre + scope + cell
            for d, v, arr in layer_weights(l):
                names.append((per_dir[d] + v + suffix, arr))
        else:
            for v, arr in layer_weights(l):
                names.append((pre + n + "/" + v + suffix, arr))
        result[n] = names
    return result

# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def set_attr(obj, name, value, h5py2):
    """An attribute as the h5py of the writing Keras stored it.  h5py >= 3
    (tf.keras >= 2.5, Keras 3) stores bytes and lists of bytes as
    variable-length ASCII strings and str as variable-length UTF-8; h5py 2
    (Keras 2.2, tf.keras <= 2.4) stored bytes as fixed-length, null-padded
    strings (a list of bytes as an array of them) and str as variable-length
    UTF-8.  An empty list is an empty float64 array either way (numpy's
    dtype for [])."""
    if h5py2:
        if isinstance(value, bytes):
            value = np.bytes_(value)
        elif isinstance(value, list) and value:
            value = np.array(value)
    obj.attrs[name] = value


def write_legacy_h5(path, fx, layers, model_name):
    flavour = fx["flavour"]
    style = cfg_style(fx)
    rng = np.random.default_rng(zlib.crc32(("opt" + fx["name"]).encode()))
    mc = json.dumps(model_config(fx, layers, model_name, legacy=True)).encode("utf8")
    tc = json.dumps(training_config(fx, layers)).encode("utf8")
    ver = fx["version"]
    wlayers = [l for l in layers if not (l["kind"] == "input" and
                                         not fx.get("functional", False))]
    names = legacy_weight_names(fx, wlayers, model_name)
    h5py2 = flavour == K22 or style == "tf24"
    with h5py.File(path, "w") as f:
        def h5_attr_list(obj, name, value):
            set_attr(obj, name, value, h5py2)

        if flavour == K22:
            # Keras 2.2: every string an attribute of bytes.
            h5_attr_list(f, "keras_version", ver.encode("utf8"))
            h5_attr_list(f, "backend", b"tensorflow")
            h5_attr_list(f, "model_config", mc)
        else:
            # tf.keras 2.x / Keras 3: model_metadata(): str values as they
            # are (variable-length strings), dicts as JSON bytes.
            h5_attr_list(f, "keras_version", ver)
            h5_attr_list(f, "backend", "tensorflow")
            h5_attr_list(f, "model_config", mc)
        if flavour == K22 and vt(ver) <= (2, 2, 2):
            h5_attr_list(f, "training_config", tc)
        elif flavour != K22:
            h5_attr_list(f, "training_config", tc)
        mw = f.create_group("model_weights")
        h5_attr_list(mw, "layer_names", [l["name"].encode("utf8") for l in wlayers])
        h5_attr_list(mw, "backend", b"tensorflow")
        h5_attr_list(mw, "keras_version", ver.encode("utf8"))
        # Keras 2.2 writes the groups in model order; tf.keras and Keras 3
        # sort them by name ("to avoid prefix issues").
        order = wlayers if flavour == K22 else sorted(wlayers, key=lambda l: l["name"])
        for l in order:
            g = mw.create_group(l["name"])
            ws = names[l["name"]]
            h5_attr_list(g, "weight_names", [n.encode("utf8") for n, _ in ws])
            for n, arr in ws:
                ds = g.create_dataset(n, arr.shape, dtype=arr.dtype)
                ds[:] = arr
        if flavour != K22 and style != "tf24":     # tf.keras >= 2.8 and Keras 3
            g = mw.create_group("top_level_model_weights")
            h5_attr_list(g, "weight_names", [])
        if flavour == K22 and vt(ver) > (2, 2, 2):
            h5_attr_list(f, "training_config", tc)     # H5Dict writes it after the weights
        # optimizer_weights: Adam's step count and moments (not read by an
        # importer; here so that a reader has to skip them).
        og = f.create_group("optimizer_weights")
        allw = [(n, a) for l in wlayers for n, a in names[l["name"]]]

        def moment(a, which):
            if which in ("m", "momentum"):
                return np.zeros_like(a)
            return np.abs(rng.normal(0, 1e-4, a.shape)).astype(np.float32)

        opt = []
        if flavour == K22:
            # Adam.weights = [iterations] + ms + vs, made in "training/Adam"
            opt.append(("Adam/iterations:0", np.array(120, dtype=np.int64)))
            i = 0
            for which in ("m", "v"):
                for _, a in allw:
                    opt.append(("training/Adam/Variable%s:0" % ("" if i == 0 else "_%d" % i),
                                moment(a, which)))
                    i += 1
        elif style == K3:
            opt.append(("adam/iteration", np.array(120, dtype=np.int64)))
            opt.append(("adam/learning_rate", np.array(0.001, dtype=np.float32)))
            for n, a in allw:
                for which in ("momentum", "velocity"):
                    opt.append(("adam/%s_%s" % (n.replace("/", "_"), which), moment(a, which)))
        else:
            opt.append(("iteration:0" if style == TF2 else "Adam/iter:0",
                        np.array(120, dtype=np.int64)))
            for which in ("m", "v"):
                for n, a in allw:
                    on = ("Adam/%s/%s:0" % (which, n[:-2])) if style == TF2 else \
                        ("Adam/%s/%s:0" % (n[:-2], which))
                    opt.append((on, moment(a, which)))
        h5_attr_list(og, "weight_names", [n.encode("utf8") for n, _ in opt])
        for n, arr in opt:
            ds = og.create_dataset(n, arr.shape, dtype=arr.dtype)
            if not arr.shape:
                ds[()] = arr
            else:
                ds[:] = arr


def keras3_weights_h5(fx, layers, target):
    """model.weights.h5 of saving_lib (_save_state walk) into h5py target."""
    lazy = vt(fx["version"]) >= (3, 10)     # Keras >= 3.10 creates no empty groups
    rng = np.random.default_rng(zlib.crc32(("opt" + fx["name"]).encode()))
    functional = fx.get("functional", False)
    with h5py.File(target, "w") as f:
        def store(path, arrays):
            if lazy and not arrays:
                return
            g = f.create_group(path + "/vars") if path else f.create_group("vars")
            for i, a in enumerate(arrays):
                g[str(i)] = a

        store("", [])                           # the model's own variables
        used = {}
        members = layers if functional else layers[1:]   # Sequential.layers: no InputLayer
        for l in members:
            key = SNAKE[class_of(l)]
            if key in used:
                used[key] += 1
                key = "%s_%d" % (key, used[key])
            else:
                used[key] = 0
            p = "layers/" + key
            if l["kind"] == "rnn":
                store(p, [])
                dirs = [("backward_layer", "backward"), ("forward_layer", "forward")] \
                    if l["bidirectional"] else [(None, "forward")]
                for attr, d in dirs:        # attributes are walked in sorted order
                    q = p if attr is None else p + "/" + attr
                    if attr is not None:
                        store(q, [])
                    store(q + "/cell", [l["w"][d][v] for v in RNN_VARS])
            else:
                store(p, [a for _, a in layer_weights(l)])
        opt = [np.array(120, dtype=np.int64), np.array(0.001, dtype=np.float32)]
        for l in members:
            for item in layer_weights(l):
                a = item[-1]
                opt.append(np.zeros_like(a))
                opt.append(np.abs(rng.normal(0, 1e-4, a.shape)).astype(np.float32))
        store("optimizer", opt)


class Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek: zipfile then writes data
    descriptors after each entry (as when a zip is written to a pipe)."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def seekable(self):
        return False

    def write(self, b):
        self.buf += b
        return len(b)


def write_keras_zip(path, fx, config, weights_bytes, parts=None):
    """The zip as saving_lib writes it: metadata.json and config.json through
    zf.open(name, "w") (date 1980-01-01), then model.weights.h5.  Styles:
      keras     Keras 3.4: ZIP_STORED; the weights file is written to disk,
                then added with zf.write (its mtime, its file mode)
      keras313  Keras 3.13: ZIP_STORED; the weights are kept in memory and
                added with zf.writestr (the save time, mode 0600)
      deflated  the same entries re-zipped with ZIP_DEFLATED (a user's zip tool)
      stream    ZIP_DEFLATED written to an unseekable stream: every entry
                has a data descriptor
    parts overrides the entries (for the malformed fixtures)."""
    style = fx.get("zip", "keras")
    meta = json.dumps({"keras_version": fx["version"], "date_saved": DATE_SAVED})
    conf = json.dumps(config)
    if parts is None:
        parts = [("metadata.json", meta.encode()), ("config.json", conf.encode()),
                 ("model.weights.h5", weights_bytes)]
    comp = zipfile.ZIP_DEFLATED if style in ("deflated", "stream") else zipfile.ZIP_STORED
    raw = Unseekable() if style == "stream" else io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=comp) as zf:
        for name, data in parts:
            if name == "model.weights.h5":
                zi = zipfile.ZipInfo(name, date_time=SAVE_TIME)
                zi.compress_type = comp
                zi.external_attr = (0o600 << 16) if style == "keras313" else (0o100644 << 16)
                zi.file_size = len(data)
                with zf.open(zi, "w") as out:
                    out.write(data)
            else:
                with zf.open(name, "w") as out:
                    out.write(data)
    data = bytes(raw.buf) if style == "stream" else raw.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    return data


def keras3_weights_bytes(fx, layers):
    if vt(fx["version"]) >= (3, 10):
        bio = io.BytesIO()                   # 3.13: H5IOStore on a BytesIO
        keras3_weights_h5(fx, layers, bio)
        return bio.getvalue()
    with tempfile.TemporaryDirectory() as d:   # 3.4: a file next to the .keras
        p = os.path.join(d, "model.weights.h5")
        keras3_weights_h5(fx, layers, p)
        with open(p, "rb") as f:
            return f.read()


def write_model(out_dir, fx, layers):
    model_name = assign_names(fx, layers)
    if fx["flavour"] == K3:
        fname = fx["name"] + ".keras"
        cfg = model_config(fx, layers, model_name, legacy=False)
        write_keras_zip(os.path.join(out_dir, fname), fx, cfg, keras3_weights_bytes(fx, layers))
    else:
        fname = fx["name"] + ".h5"
        write_legacy_h5(os.path.join(out_dir, fname), fx, layers, model_name)
    return fname

# ---------------------------------------------------------------------------
# Layout self-checks: read every written file back the way a reader must
# (independently of the writers above) and compare the weights.
# ---------------------------------------------------------------------------


def as_text(v):
    if isinstance(v, bytes):
        return v.decode("utf8")
    if isinstance(v, np.bytes_):
        return bytes(v).decode("utf8")
    return str(v)


def read_back(path):
    """Returns (keras_version, config dict, {layer name: [arrays]})."""
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("metadata.json"))
            config = json.loads(zf.read("config.json"))
            h5 = io.BytesIO(zf.read("model.weights.h5"))
        cfg = config["config"]
        layers = cfg["layers"]
        if config["class_name"] == "Sequential":
            layers = [l for l in layers if l["class_name"] != "InputLayer"]
        weights = {}
        used = {}
        with h5py.File(h5, "r") as f:
            for l in layers:
                key = SNAKE[l["class_name"]]
                if key in used:
                    used[key] += 1
                    key = "%s_%d" % (key, used[key])
                else:
                    used[key] = 0
                base = "layers/" + key
                arrays = []
                if l["class_name"] == "Bidirectional":
                    for side in ("forward_layer", "backward_layer"):
                        g = f[base + "/" + side + "/cell/vars"]
                        arrays += [g[str(i)][()] for i in range(len(g))]
                elif l["class_name"] in RNN_CLASS.values():
                    g = f[base + "/cell/vars"]
                    arrays = [g[str(i)][()] for i in range(len(g))]
                elif base + "/vars" in f:
                    g = f[base + "/vars"]
                    arrays = [g[str(i)][()] for i in range(len(g))]
                weights[l["config"]["name"]] = arrays
        return meta["keras_version"], config, weights
    with h5py.File(path, "r") as f:
        ver = as_text(f.attrs["keras_version"])
        config = json.loads(as_text(f.attrs["model_config"]))
        mw = f["model_weights"]
        weights = {}
        for n in mw.attrs["layer_names"]:
            n = as_text(n)
            g = mw[n]
            wn = g.attrs["weight_names"]
            weights[n] = [g[as_text(x)][()] for x in wn]
        return ver, config, weights


def check_layout(path, layers):
    ver, config, weights = read_back(path)
    for l in layers:
        if l["kind"] == "input":
            continue
        want = [item[-1] for item in layer_weights(l)]
        got = weights.get(l["name"])
        assert got is not None, (path, l["name"])
        assert len(got) == len(want), (path, l["name"], len(got), len(want))
        for a, b in zip(got, want):
            assert a.dtype == np.float32 and a.shape == b.shape and np.array_equal(a, b), \
                (path, l["name"])
    return ver, config

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def dump_json(obj, indent=0):
    """JSON with one matrix row per line (float repr round-trips exactly)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = ['%s  %s: %s' % (pad, json.dumps(k), dump_json(v, indent + 1))
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(x, (list, dict)) for x in obj):
            return json.dumps(obj)
        items = [pad + "  " + dump_json(x, indent + 1) for x in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def make_fixture(out_dir, fx, log):
    layers = build(fx)
    fname = write_model(out_dir, fx, layers)
    path = os.path.join(out_dir, fname)
    ver, _ = check_layout(path, layers)
    assert ver == fx["version"]
    cases = make_cases(fx, layers, zlib.crc32(("cases" + fx["name"]).encode()))
    hs_log = {"below": 0, "inside": 0, "above": 0}
    expected_cases = []
    torch_layers = 0
    whole = 0
    layout_runs = 0
    for case in cases:
        exp, probes = reference(layers, case, fx["version"], hs_log)
        torch_layers += torch_check(fx["name"], layers, exp, probes)
        whole += torch_check_first_dense(fx["name"], layers, exp, probes, case, fx["version"])
        layout_runs += torch_layout_check(fx["name"], layers, exp, probes, fx["version"])
        expected_cases.append(exp)
    uses_hs = any(l.get("recurrent_activation") == "hard_sigmoid" for l in layers)
    if uses_hs:
        # The linear and the clipped parts must both be reached, and the other
        # version's formula must give a visibly different output.
        assert hs_log["inside"] and hs_log["below"] + hs_log["above"], (fx["name"], hs_log)
        other = "2.0.0" if keras_major(fx["version"]) >= 3 else "3.0.0"
        diff = max(float(np.max(np.abs(np.array(reference(layers, c, other)[0]["output"]) -
                                       np.array(e["output"]))))
                   for c, e in zip(cases, expected_cases))
        assert diff > 1e-3, (fx["name"], "hard_sigmoid versions indistinguishable", diff)
    doc = {"file": fname, "keras_version": fx["version"], "cases": expected_cases}
    with open(os.path.join(out_dir, fx["name"] + ".expected.json"), "w") as f:
        f.write(dump_json(doc) + "\n")
    log.append("%-38s %-6s torch.nn: %d layer runs, %d whole-model runs; "
               "PyTorch-layout steps: %d layer runs%s" % (
        fname, fx["version"], torch_layers, whole, layout_runs,
        ("; hard_sigmoid below/inside/above %d/%d/%d" % (hs_log["below"], hs_log["inside"],
                                                         hs_log["above"])) if uses_hs else ""))


def make_bad(out_dir, fx, log):
    layers = build(fx)
    fname = write_model(out_dir, fx, layers)
    check_layout(os.path.join(out_dir, fname), layers)
    log.append("%-34s refusal: %s" % (fname, fx["about"]))


def make_malformed(out_dir, log):
    def cut(src, dst, frac):
        with open(os.path.join(out_dir, src), "rb") as f:
            data = f.read()
        with open(os.path.join(out_dir, dst), "wb") as f:
            f.write(data[:int(len(data) * frac)])
        log.append("%-34s refusal: %s cut to %d of %d bytes" % (dst, src, int(len(data) * frac),
                                                                 len(data)))
    cut("k22_lstm_hard_sigmoid.h5", "bad_truncated.h5", 0.6)
    cut("k3_lstm_softmax.keras", "bad_truncated.keras", 0.7)
    fx = dict(FIXTURES[0])
    layers = build(fx)
    model_name = assign_names(fx, layers)
    cfg = json.dumps(model_config(fx, layers, model_name, legacy=False)).encode()
    meta = json.dumps({"keras_version": fx["version"], "date_saved": DATE_SAVED}).encode()
    wb = keras3_weights_bytes(fx, layers)
    write_keras_zip(os.path.join(out_dir, "bad_no_config.keras"), fx, None, None,
                    parts=[("metadata.json", meta), ("model.weights.h5", wb)])
    log.append("%-34s refusal: a zip without config.json" % "bad_no_config.keras")
    write_keras_zip(os.path.join(out_dir, "bad_config_not_json.keras"), fx, None, None,
                    parts=[("metadata.json", meta),
                           ("config.json", cfg[:len(cfg) // 2] + b"\x00\xff{{ not json"),
                           ("model.weights.h5", wb)])
    log.append("%-34s refusal: config.json that is not JSON" % "bad_config_not_json.keras")


def clean(out_dir):
    for n in os.listdir(out_dir):
        if n.endswith((".keras", ".h5", ".expected.json")):
            os.remove(os.path.join(out_dir, n))


def check_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("make_keras_fixtures: needs python3-torch for the cross-check "
                 "(run with /usr/bin/python3)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "keras"))
    ap.add_argument("--big", metavar="DIR", help="write only the large model into DIR")
    a = ap.parse_args()
    check_torch()
    log = []
    if a.big:
        os.makedirs(a.big, exist_ok=True)
        for fx in BIG:
            make_fixture(a.big, fx, log)
        print("\n".join(log))
        return
    out = os.path.normpath(a.out)
    os.makedirs(out, exist_ok=True)
    # Everything is built and checked in a scratch directory first: a failed
    # check leaves the committed fixtures untouched.
    with tempfile.TemporaryDirectory() as tmp:
        for fx in FIXTURES:
            make_fixture(tmp, fx, log)
        for fx in BAD_FIXTURES:
            make_bad(tmp, fx, log)
        make_malformed(tmp, log)
        clean(out)
        for n in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, n), "rb") as src, open(os.path.join(out, n), "wb") as dst:
                dst.write(src.read())
    print("\n".join(log))
    print("wrote %d files to %s" % (len(os.listdir(out)), out))


def big_cases():
    rng = np.random.default_rng(256)
    return [list(map(int, rng.integers(0, 10000, T))) for T in (3, 6, 9)]


BIG = [
    dict(name="big_lstm256_keras3", flavour=K3, version="3.4.1", zip="keras",
         layers=[inp(None), emb(10000, 32), rnn("lstm", 256), dense(5, "softmax")],
         cases=big_cases(), about="Embedding 10,000 x 32 -> LSTM(256) -> Dense softmax"),
    dict(name="big_lstm256_tf2", flavour=TF2, version="2.15.0",
         layers=[inp(None), emb(10000, 32), rnn("lstm", 256),
                 dense(5, "softmax")],
         cases=big_cases(), about="the same model saved by tf.keras 2.15 as .h5"),
]

if __name__ == "__main__":
    main()
