#!/usr/bin/python3
"""PyTorch parity oracle for rnnscope's C engine (vanilla RNN / LSTM / GRU).

PyTorch (float64) is the reference: every hidden state, cell state, gate and
output probability that rnnscope computes must equal PyTorch's to 1e-9.
Run it with Debian's interpreter (/usr/bin/python3, package python3-torch);
it needs only the standard library and torch.

Two modes:

  fixtures --out tests/fixtures/parity
      Deterministic (fixed seeds). Builds a fixed list of cases (every cell
      kind {rnn-tanh, rnn-relu, lstm, gru} x layers {1, 2, 3} x
      bidirectional {no, yes}, cycling embedding {yes, no} x head
      {none, many-to-one, many-to-many}, plus edge cases and regression
      heads) and writes, per case NAME, NAME.model.json ("rnnscope-model"
      v1) and NAME.expected.json (per layer/direction, per input position:
      h, c, gates; the head's output), and cases.txt (sorted case names).
      Stale *.json files in the out dir are removed first; re-running gives
      byte-identical files.

  random --rnnscope PATH/TO/rnnscope [--count N] [--seed S] [--keep DIR]
      Draws N random configurations from the seed (default: time based; it
      is printed so that a failure can be replayed with --seed), writes each
      model (and, without an embedding, an inputs file NAME.inputs.json)
      into a temp dir (or DIR), computes the expected values as in
      "fixtures", runs
          rnnscope trace --model M.json --text "SENTENCE" --format json
      (or --inputs X.json instead of --text) and compares its stdout JSON
      with the expected values: tokens, steps, every h, c, gate and
      probability / regression value (tolerance 1e-9, scaled by
      max(1, |expected|) so that the large values of relu / saturated
      cells are compared relatively).
      Prints one line per case and "N passed, M failed"; exits 1 on any
      failure (the temp dir is then kept and its path printed).

How expected values are obtained: the real torch module (embedding -> rnn
-> head) is run on the (T, 1, I) input. Every layer is also run on its own
as a one-layer module of the same class with that layer's weights, fed the
previous layer's output, and each direction is stepped one input at a time
with explicit (h, c) to get torch's per-step c. Gates (not exposed by torch)
are derived in plain float64 Python from the weights with PyTorch's
documented equations; the derivation must reproduce torch's h, c, h_n, c_n,
out and probabilities to 1e-12 or the script fails loudly.

Heads ("head": {"kind": KIND, "labels": [K names]}, params head.weight
(K, D*H) and head.bias (K)); the expected "output" object per kind:
  many-to-one   softmax(head(feature)), feature = PyTorch's h_n of the top
                layer (concat(h_fwd[T-1], h_bwd[0]) when bidirectional):
                {"kind", "labels", "probs": [K]}
  many-to-many  softmax(head(out_t)) per position:
                {"kind", "labels", "probs": [T][K]}
  regression    head(feature) itself (same feature as many-to-one, no
                softmax); labels "target" (K = 1) or "target0".."targetK-1":
                {"kind": "regression", "labels", "values": [K]}

Values are indexed by input position t, also for the backward direction:
its value at t is its state after having read positions T-1 down to t.
"""

import argparse
import glob
import json
import math
import os
import random
import shutil
import string
import sys

import torch
import torch.nn as nn

from torch_common import (ParityError, RUN_ERRORS, random_setup,  # noqa: F401
                          report_failure, run_rnnscope, tokenize)

torch.set_default_dtype(torch.float64)

# Tolerance of the derivation-vs-torch self checks (scaled by max(1, |x|)).
SELF_TOL = 1e-12
# Tolerance of the rnnscope-vs-expected comparison (scaled by max(1, |x|)).
PARITY_TOL = 1e-9

GATE_NAMES = {"rnn": [], "lstm": ["i", "f", "g", "o"], "gru": ["r", "z", "n"]}




# --------------------------------------------------------------------------
# Tokenizer (the rule rnnscope implements)
# --------------------------------------------------------------------------

def ascii_lower(s):
    return "".join(chr(ord(ch) + 32) if "A" <= ch <= "Z" else ch for ch in s)




def join_tokens(surface):
    """Tokens joined by single spaces, punctuation attached to the previous
    word."""
    text = ""
    for tok in surface:
        if text and not (len(tok) == 1 and tok in string.punctuation):
            text += " "
        text += tok
    return text


def token_ids(tokens, vocab):
    index = {w: i for i, w in enumerate(vocab)}
    return [index.get(t, 0) for t in tokens]


# --------------------------------------------------------------------------
# Sentence / vocab generation
# --------------------------------------------------------------------------

EN_WORDS = ["the", "cat", "dog", "sat", "on", "mat", "a", "ran", "big",
            "small", "and", "bird", "saw", "red", "hat", "fish"]
EN_UNK = ["zebra", "quietly", "purple", "xylophone", "moon", "jumped"]
KO_WORDS = ["나는", "사과를", "먹었다", "고양이가", "잤다", "물을", "마셨다",
            "학교에", "갔다"]
KO_UNK = ["고양이는", "우유를", "빨리", "어제"]
PUNCT = [".", ",", "!", "?"]


def is_ascii_word(w):
    return all(ord(ch) < 128 for ch in w) and any(ch.isalpha() for ch in w)


def make_sentence(rng, T, V, korean=False, rich=False):
    """Returns (vocab, text). vocab[0] == "<unk>", "." is in the vocab.
    The sentence has T tokens, ends with "." when T >= 3, has one or two
    out-of-vocab words (T >= 2) and at least one ASCII-uppercase word."""
    pool = EN_WORDS + (KO_WORDS if korean or rich else [])
    unk_pool = EN_UNK + (KO_UNK if korean or rich else [])
    words = rng.sample(pool, V - 2)
    vocab = ["<unk>"] + words + ["."]
    if rich and rng.random() < 0.5:
        vocab.insert(rng.randrange(1, len(vocab) + 1), ",")
    vocab_words = [w for w in vocab[1:] if w not in PUNCT]
    toks = [rng.choice(vocab_words) for _ in range(T)]
    if T >= 3:
        toks[-1] = "."
    if rich and T >= 4:
        for _ in range(rng.randrange(0, 2)):
            p = rng.randrange(1, T - 1)
            toks[p] = rng.choice(PUNCT)
    # one or two unknown words
    if T >= 2:
        n_unk = 1 if T < 5 else 2
        cand = [p for p in range(1, T) if toks[p] not in PUNCT]
        for p in rng.sample(cand, min(n_unk, len(cand))):
            toks[p] = rng.choice(unk_pool)
    surface = list(toks)
    # ASCII uppercase: capitalize the first ASCII word; for longer sentences
    # also write one more ASCII word fully uppercase.
    ascii_pos = [p for p in range(T) if is_ascii_word(surface[p])]
    if not ascii_pos:
        p = 0 if T == 1 or surface[0] not in PUNCT else \
            [q for q in range(T) if surface[q] not in PUNCT][0]
        # force an ASCII vocab word at p
        en_in_vocab = [w for w in vocab_words if is_ascii_word(w)]
        if not en_in_vocab:
            vocab.insert(len(vocab) - 1, "the")
            en_in_vocab = ["the"]
        surface[p] = rng.choice(en_in_vocab)
        ascii_pos = [p]
    in_vocab = [p for p in ascii_pos if surface[p] in vocab]
    first = in_vocab[0] if in_vocab else ascii_pos[0]
    surface[first] = surface[first][0].upper() + surface[first][1:]
    if len(ascii_pos) >= 3 and T >= 6:
        rest = [q for q in ascii_pos if q != first]
        known = [q for q in rest if surface[q] in vocab]
        p = (known or rest)[-1]
        surface[p] = surface[p].upper()
    text = join_tokens(surface)
    assert tokenize(text) == [ascii_lower(s) for s in surface], (text, surface)
    assert len(vocab) == len(set(vocab))
    return vocab, text


# --------------------------------------------------------------------------
# Torch model
# --------------------------------------------------------------------------

class M(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        I, H, L, bi = cfg["I"], cfg["H"], cfg["L"], cfg["bi"]
        if cfg["vocab"] is not None:
            self.embedding = nn.Embedding(len(cfg["vocab"]), I)
        self.rnn = make_rnn(cfg["cell"], cfg["nl"], I, H, L, bi)
        if cfg["head"] is not None:
            D = 2 if bi else 1
            self.head = nn.Linear(D * H, len(cfg["labels"]))


def make_rnn(cell, nl, I, H, L, bi):
    kw = dict(input_size=I, hidden_size=H, num_layers=L, bidirectional=bi,
              batch_first=False, bias=True)
    if cell == "rnn":
        return nn.RNN(nonlinearity=nl, **kw)
    if cell == "lstm":
        return nn.LSTM(**kw)
    if cell == "gru":
        return nn.GRU(**kw)
    raise ValueError(cell)


def build_model(cfg):
    torch.manual_seed(cfg["seed"])
    m = M(cfg)
    m.eval()
    with torch.no_grad():
        for p in m.rnn.parameters():
            p.mul_(cfg["scale"])
    return m


def model_json(cfg, m):
    cell = cfg["cell"]
    d = {"format": "rnnscope-model", "version": 1, "name": cfg["name"],
         "cell": cell,
         "nonlinearity": cfg["nl"] if cell == "rnn" else "tanh",
         "input_size": cfg["I"], "hidden_size": cfg["H"],
         "num_layers": cfg["L"], "bidirectional": cfg["bi"]}
    if cfg["vocab"] is not None:
        d["vocab"] = list(cfg["vocab"])
    if cfg["head"] is not None:
        d["head"] = {"kind": cfg["head"], "labels": list(cfg["labels"])}
    d["params"] = {k: v.tolist() for k, v in m.state_dict().items()}
    return d


# --------------------------------------------------------------------------
# Plain-Python float64 derivation (PyTorch's documented equations)
# --------------------------------------------------------------------------

def sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def matvec(W, x):
    return [sum(w * v for w, v in zip(row, x)) for row in W]


def vadd(*vs):
    return [sum(t) for t in zip(*vs)]


def derive_direction(cell, nl, P, xs, H, reverse):
    """P: dict with wih, whh, bih, bhh (nested lists). xs: list of T input
    vectors. Returns dict with per-position h, c (lstm), gates."""
    T = len(xs)
    h = [0.0] * H
    c = [0.0] * H
    hs = [None] * T
    cs = [None] * T
    gates = {g: [None] * T for g in GATE_NAMES[cell]}
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        gi = vadd(matvec(P["wih"], xs[t]), P["bih"])
        gh = vadd(matvec(P["whh"], h), P["bhh"])
        if cell == "rnn":
            pre = vadd(gi, gh)
            if nl == "tanh":
                h = [math.tanh(v) for v in pre]
            else:
                h = [v if v > 0.0 else 0.0 for v in pre]
        elif cell == "lstm":
            s = vadd(gi, gh)
            i = [sigmoid(v) for v in s[0:H]]
            f = [sigmoid(v) for v in s[H:2 * H]]
            g = [math.tanh(v) for v in s[2 * H:3 * H]]
            o = [sigmoid(v) for v in s[3 * H:4 * H]]
            c = [fj * cj + ij * gj for fj, cj, ij, gj in zip(f, c, i, g)]
            h = [oj * math.tanh(cj) for oj, cj in zip(o, c)]
            cs[t] = c
            for name, val in zip("ifgo", (i, f, g, o)):
                gates[name][t] = val
        else:  # gru
            r = [sigmoid(a + b) for a, b in zip(gi[0:H], gh[0:H])]
            z = [sigmoid(a + b) for a, b in zip(gi[H:2 * H], gh[H:2 * H])]
            n = [math.tanh(a + rj * b)
                 for a, rj, b in zip(gi[2 * H:3 * H], r, gh[2 * H:3 * H])]
            h = [(1.0 - zj) * nj + zj * hj for zj, nj, hj in zip(z, n, h)]
            for name, val in zip("rzn", (r, z, n)):
                gates[name][t] = val
        hs[t] = h
    res = {"h": hs, "gates": gates}
    if cell == "lstm":
        res["c"] = cs
    return res


def softmax(v):
    mx = max(v)
    e = [math.exp(x - mx) for x in v]
    s = sum(e)
    return [x / s for x in e]


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------

def max_diff(a, b, path="", tol=None):
    """Max |a-b| over nested lists (a: actual, b: expected); raises on a
    shape mismatch and, if tol is given, on |a-b| > tol * max(1, |b|)."""
    if isinstance(b, (list, tuple)):
        if not isinstance(a, (list, tuple)) or len(a) != len(b):
            raise ParityError("%s: shape mismatch (%s vs %s)" % (
                path, describe_shape(a), describe_shape(b)))
        m = 0.0
        for k, (x, y) in enumerate(zip(a, b)):
            m = max(m, max_diff(x, y, "%s[%d]" % (path, k), tol))
        return m
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        raise ParityError("%s: expected a number, got %r" % (path, a))
    d = abs(float(a) - float(b))
    if d != d:
        raise ParityError("%s: NaN (%r vs %r)" % (path, a, b))
    if tol is not None and d > tol * max(1.0, abs(float(b))):
        raise ParityError("%s: %r vs expected %r (|diff|=%.3g)" % (
            path, a, b, d))
    return d


def describe_shape(a):
    if isinstance(a, (list, tuple)):
        return "list[%d]" % len(a)
    return type(a).__name__


def self_check(what, derived, torch_val):
    try:
        return max_diff(derived, torch_val, what, SELF_TOL)
    except ParityError as e:
        raise ParityError("SELF-CHECK FAILED (derivation vs torch): %s" % e)


def tl(x):
    return x.detach().tolist()


# --------------------------------------------------------------------------
# Expected values
# --------------------------------------------------------------------------

def layer_params(sd, k, suffix):
    p = "rnn."
    return {"wih": tl(sd[p + "weight_ih_l%d%s" % (k, suffix)]),
            "whh": tl(sd[p + "weight_hh_l%d%s" % (k, suffix)]),
            "bih": tl(sd[p + "bias_ih_l%d%s" % (k, suffix)]),
            "bhh": tl(sd[p + "bias_hh_l%d%s" % (k, suffix)])}


def compute_expected(cfg, m):
    cell, nl, I, H, L, bi = (cfg[k] for k in
                             ("cell", "nl", "I", "H", "L", "bi"))
    D = 2 if bi else 1
    sd = m.state_dict()
    exp = {"case": cfg["name"], "model": cfg["name"] + ".model.json"}
    worst = 0.0

    # ---- inputs
    if cfg["vocab"] is not None:
        tokens = tokenize(cfg["text"])
        ids = token_ids(tokens, cfg["vocab"])
        T = len(tokens)
        exp["text"] = cfg["text"]
        exp["tokens"] = tokens
        exp["token_ids"] = ids
        with torch.no_grad():
            x = m.embedding(torch.tensor(ids, dtype=torch.long))
        emb = tl(sd["embedding.weight"])
        xs = [emb[i] for i in ids]
        worst = max(worst, self_check("embedding", xs, tl(x)))
    else:
        x = cfg["inputs"]
        T = x.shape[0]
        exp["inputs"] = tl(x)
        xs = tl(x)
    exp["steps"] = T
    if T < 1:
        raise ParityError("empty input")
    x3 = x.reshape(T, 1, I)

    # ---- the real stacked module
    with torch.no_grad():
        res = m.rnn(x3)
    if cell == "lstm":
        out, (h_n, c_n) = res
    else:
        out, h_n = res
        c_n = None

    # ---- layer by layer, torch and derivation side by side
    layers = []
    t_in = x3          # torch input of the current layer
    d_in = xs          # derived input of the current layer
    for k in range(L):
        in_size = I if k == 0 else D * H
        one = make_rnn(cell, nl, in_size, H, 1, bi)
        one.eval()
        with torch.no_grad():
            for suffix in ([""] + (["_reverse"] if bi else [])):
                for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(one, "%s_l0%s" % (w, suffix)).copy_(
                        sd["rnn.%s_l%d%s" % (w, k, suffix)])
            r1 = one(t_in)
        out_k = r1[0]
        hn_k = r1[1][0] if cell == "lstm" else r1[1]
        cn_k = r1[1][1] if cell == "lstm" else None
        out_k_l = tl(out_k.reshape(T, D * H))

        derived = []
        for d in range(D):
            suffix = "_reverse" if d == 1 else ""
            name = "layer %d %s" % (k, "backward" if d else "forward")
            P = layer_params(sd, k, suffix)
            dv = derive_direction(cell, nl, P, d_in, H, reverse=(d == 1))

            # torch stepped one input at a time (gives per-step c)
            uni = make_rnn(cell, nl, in_size, H, 1, False)
            uni.eval()
            with torch.no_grad():
                for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(uni, "%s_l0" % w).copy_(
                        sd["rnn.%s_l%d%s" % (w, k, suffix)])
                state = None
                step_h = [None] * T
                step_c = [None] * T
                order = range(T - 1, -1, -1) if d == 1 else range(T)
                for t in order:
                    xt = t_in[t:t + 1]
                    if cell == "lstm":
                        _, state = uni(xt, state)
                        step_h[t] = tl(state[0].reshape(H))
                        step_c[t] = tl(state[1].reshape(H))
                    else:
                        _, state = uni(xt, state)
                        step_h[t] = tl(state.reshape(H))
            torch_h = [row[d * H:(d + 1) * H] for row in out_k_l]
            worst = max(worst, self_check(name + " h (vs one-layer out)",
                                          dv["h"], torch_h))
            worst = max(worst, self_check(name + " h (vs stepped)",
                                          dv["h"], step_h))
            last = 0 if d == 1 else T - 1
            worst = max(worst, self_check(name + " h_n (one-layer)",
                                          dv["h"][last], tl(hn_k[d, 0])))
            worst = max(worst, self_check(name + " h_n (stacked)",
                                          dv["h"][last],
                                          tl(h_n[k * D + d, 0])))
            if cell == "lstm":
                worst = max(worst, self_check(name + " c (vs stepped)",
                                              dv["c"], step_c))
                worst = max(worst, self_check(name + " c_n (one-layer)",
                                              dv["c"][last],
                                              tl(cn_k[d, 0])))
                worst = max(worst, self_check(name + " c_n (stacked)",
                                              dv["c"][last],
                                              tl(c_n[k * D + d, 0])))
            # the values written are torch's own h / c, derived gates
            entry = {"layer": k,
                     "direction": "backward" if d == 1 else "forward",
                     "h": torch_h}
            if cell == "lstm":
                entry["c"] = step_c
            entry["gates"] = {g: dv["gates"][g] for g in GATE_NAMES[cell]}
            layers.append(entry)
            derived.append(dv)

        d_in = [sum((derived[d]["h"][t] for d in range(D)), [])
                for t in range(T)]
        t_in = out_k
    worst = max(worst, self_check("stacked out vs last layer",
                                  tl(t_in.reshape(T, D * H)),
                                  tl(out.reshape(T, D * H))))
    worst = max(worst, self_check("stacked out vs derivation", d_in,
                                  tl(out.reshape(T, D * H))))
    exp["layers"] = layers

    # ---- head
    if cfg["head"] == "regression":
        Wh = tl(sd["head.weight"])
        bh = tl(sd["head.bias"])
        with torch.no_grad():
            # the same feature as many-to-one, no softmax
            if bi:
                feat = torch.cat([h_n[-2, 0], h_n[-1, 0]])
            else:
                feat = h_n[-1, 0]
            values = tl(m.head(feat))
        dfeat = derived[0]["h"][T - 1] + (derived[1]["h"][0] if bi else [])
        dvalues = vadd(matvec(Wh, dfeat), bh)
        worst = max(worst, self_check("regression values", dvalues, values))
        exp["output"] = {"kind": "regression", "labels": list(cfg["labels"]),
                         "values": values}
    elif cfg["head"] is not None:
        Wh = tl(sd["head.weight"])
        bh = tl(sd["head.bias"])
        with torch.no_grad():
            if cfg["head"] == "many-to-one":
                if bi:
                    feat = torch.cat([h_n[-2, 0], h_n[-1, 0]])
                else:
                    feat = h_n[-1, 0]
                probs = tl(torch.softmax(m.head(feat), dim=-1))
                dfeat = derived[0]["h"][T - 1] + \
                    (derived[1]["h"][0] if bi else [])
                dprobs = softmax(vadd(matvec(Wh, dfeat), bh))
            else:
                probs = tl(torch.softmax(m.head(out.reshape(T, D * H)),
                                         dim=-1))
                dprobs = [softmax(vadd(matvec(Wh, row), bh)) for row in d_in]
        worst = max(worst, self_check("probs", dprobs, probs))
        exp["output"] = {"kind": cfg["head"], "labels": list(cfg["labels"]),
                         "probs": probs}
    return exp, worst


# --------------------------------------------------------------------------
# JSON writing (deterministic, numeric rows on one line)
# --------------------------------------------------------------------------

def is_scalar(v):
    return not isinstance(v, (list, dict))


def to_json(obj, indent=0):
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = ["%s%s: %s" % (pad, json.dumps(k, ensure_ascii=False),
                               to_json(v, indent + 1))
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, list):
        if all(is_scalar(v) for v in obj):
            return json.dumps(obj, ensure_ascii=False)
        items = [pad + to_json(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    return json.dumps(obj, ensure_ascii=False)


def write_json(path, obj):
    text = to_json(obj) + "\n"
    assert json.loads(text) == obj
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# --------------------------------------------------------------------------
# Case configurations
# --------------------------------------------------------------------------

CELLS = [("rnn_tanh", "rnn", "tanh"), ("rnn_relu", "rnn", "relu"),
         ("lstm", "lstm", "tanh"), ("gru", "gru", "tanh")]
COMBOS = [(True, None), (False, "many-to-one"), (True, "many-to-many"),
          (False, None), (True, "many-to-one"), (False, "many-to-many")]
HEAD_TAG = {None: "none", "many-to-one": "m2o", "many-to-many": "m2m",
            "regression": "reg"}
M2O_LABELS = [["pos", "neg"], ["pos", "neg", "neutral"],
              ["yes", "no"], ["a", "b", "c", "d"]]
M2M_LABELS = [["DET", "NOUN", "VERB"], ["O", "X"],
              ["DET", "NOUN", "VERB", "OTHER"], ["B", "I", "O"]]


def regression_labels(K):
    """The names of a regression head's K outputs."""
    return ["target"] if K == 1 else ["target%d" % k for k in range(K)]


def finish_cfg(cfg, rng):
    """Fill vocab/text or inputs for a cfg (uses rng for the sentence,
    torch's seed for the input vectors)."""
    if cfg.get("emb"):
        if "vocab" not in cfg or cfg["vocab"] is None:
            cfg["vocab"], cfg["text"] = make_sentence(
                rng, cfg["T"], cfg["V"], korean=cfg.get("korean", False),
                rich=cfg.get("rich", False))
        cfg["inputs"] = None
    else:
        cfg["vocab"] = None
        cfg["text"] = None
    return cfg


def make_inputs(cfg):
    if cfg["vocab"] is None:
        g = torch.Generator().manual_seed(cfg["seed"] + 7919)
        cfg["inputs"] = torch.randn(cfg["T"], cfg["I"], generator=g)


def fixture_cases():
    cases = []
    n = 0
    for ci, (tag, cell, nl) in enumerate(CELLS):
        j = 0
        for L in (1, 2, 3):
            for bi in (False, True):
                emb, head = COMBOS[(j + ci) % len(COMBOS)]
                seed = 1000 + n
                rng = random.Random(seed)
                K = 2 + (n % 3)
                cfg = {
                    "name": "%s-l%d-%s-%s-%s" % (
                        tag, L, "bi" if bi else "uni",
                        "emb" if emb else "vec", HEAD_TAG[head]),
                    "cell": cell, "nl": nl,
                    "I": 2 + (n % 4), "H": 2 + ((n * 3) % 5),
                    "L": L, "bi": bi, "T": 2 + ((n * 5) % 6),
                    "emb": emb, "V": 5 + ((n * 7) % 8), "head": head,
                    "scale": 1.0, "seed": seed,
                }
                if head == "many-to-one":
                    cfg["labels"] = [l for l in M2O_LABELS if len(l) == K][0]
                elif head == "many-to-many":
                    cfg["labels"] = [l for l in M2M_LABELS if len(l) == K][0]
                cases.append(finish_cfg(cfg, rng))
                j += 1
                n += 1

    def edge(name, cell, nl, I, H, L, bi, T, emb, head, labels=None,
             scale=1.0, V=8, **extra):
        nonlocal n
        seed = 1000 + n
        n += 1
        cfg = {"name": name, "cell": cell, "nl": nl, "I": I, "H": H, "L": L,
               "bi": bi, "T": T, "emb": emb, "V": V, "head": head,
               "labels": labels, "scale": scale, "seed": seed}
        cfg.update(extra)
        cases.append(finish_cfg(cfg, random.Random(seed)))

    edge("edge-t1-gru", "gru", "tanh", 3, 4, 2, True, 1, False,
         "many-to-one", ["pos", "neg", "neutral"])
    edge("edge-t1-lstm", "lstm", "tanh", 4, 3, 2, True, 1, True,
         "many-to-many", ["DET", "NOUN", "VERB"], V=6)
    edge("edge-t1-rnn_tanh", "rnn", "tanh", 2, 2, 1, False, 1, False, None)
    edge("edge-h1-lstm", "lstm", "tanh", 3, 1, 2, True, 5, False,
         "many-to-one", ["pos", "neg"])
    edge("edge-h1-gru", "gru", "tanh", 2, 1, 1, False, 4, True,
         "many-to-many", ["B", "I", "O"], V=7)
    edge("edge-h1-rnn_relu", "rnn", "relu", 4, 1, 3, True, 6, True,
         "many-to-one", ["yes", "no"], V=9)
    edge("edge-saturate-lstm", "lstm", "tanh", 5, 6, 2, True, 8, False,
         "many-to-one", ["pos", "neg"], scale=2.5)
    edge("edge-saturate-gru", "gru", "tanh", 5, 6, 2, True, 8, True,
         "many-to-many", ["DET", "NOUN", "VERB", "OTHER"], scale=2.5, V=12)
    edge("edge-saturate-rnn_relu", "rnn", "relu", 5, 6, 3, False, 8, False,
         "many-to-many", ["O", "X"], scale=2.5)
    edge("edge-saturate-rnn_tanh", "rnn", "tanh", 4, 5, 2, True, 8, True,
         "many-to-one", ["pos", "neg", "neutral"], scale=2.5, V=10)
    edge("korean-lstm", "lstm", "tanh", 5, 4, 2, True, 8, True,
         "many-to-one", ["pos", "neg"],
         vocab=["<unk>", "나는", "사과를", "먹었다", ".", "the", "잤다",
                "고양이가", "cat", "물을"],
         text="나는 사과를 먹었다. The 고양이는 잤다.")
    # regression heads (h_n feature as many-to-one, no softmax)
    edge("regression-lstm-l1-uni-vec", "lstm", "tanh", 3, 4, 1, False, 6,
         False, "regression", regression_labels(1))
    edge("regression-gru-l2-bi-emb", "gru", "tanh", 4, 3, 2, True, 7, True,
         "regression", regression_labels(2), V=10, korean=True)
    edge("regression-rnn_tanh-l1-uni-vec", "rnn", "tanh", 2, 5, 1, False, 5,
         False, "regression", regression_labels(1), scale=1.5)
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), names
    return cases


def check_case_ranges(cfg):
    assert 2 <= cfg["I"] <= 5 and 1 <= cfg["H"] <= 6, cfg["name"]
    if cfg["vocab"] is not None:
        assert 5 <= len(cfg["vocab"]) <= 12, cfg["name"]
        assert cfg["vocab"][0] == "<unk>"
        assert 1 <= len(tokenize(cfg["text"])) <= 8, cfg["name"]
    else:
        assert 1 <= cfg["T"] <= 8, cfg["name"]
    if cfg["head"] == "regression":
        assert 1 <= len(cfg["labels"]) <= 4, cfg["name"]
        assert cfg["labels"] == regression_labels(len(cfg["labels"]))
    elif cfg["head"] is not None:
        assert 2 <= len(cfg["labels"]) <= 4, cfg["name"]


def summary(cfg, exp, worst):
    D = 2 if cfg["bi"] else 1
    what = ("text=%s" % json.dumps(cfg["text"], ensure_ascii=False)
            if cfg["vocab"] is not None else "vectors")
    return ("%-30s %-4s %-4s L=%d D=%d I=%d H=%d T=%d head=%-12s scale=%g "
            "self-check=%.1e %s" % (
                cfg["name"], cfg["cell"], cfg["nl"] if cfg["cell"] == "rnn"
                else "", cfg["L"], D, cfg["I"], cfg["H"], exp["steps"],
                cfg["head"] or "none", cfg["scale"], worst, what))


def cmd_fixtures(args):
    out = args.out
    os.makedirs(out, exist_ok=True)
    for p in glob.glob(os.path.join(out, "*.json")):
        os.remove(p)
    cases = fixture_cases()
    names = []
    for cfg in cases:
        check_case_ranges(cfg)
        m = build_model(cfg)
        make_inputs(cfg)
        exp, worst = compute_expected(cfg, m)
        write_json(os.path.join(out, cfg["name"] + ".model.json"),
                   model_json(cfg, m))
        write_json(os.path.join(out, cfg["name"] + ".expected.json"), exp)
        names.append(cfg["name"])
        print(summary(cfg, exp, worst))
    with open(os.path.join(out, "cases.txt"), "w", encoding="utf-8",
              newline="\n") as f:
        for n in sorted(names):
            f.write(n + "\n")
    print("wrote %d cases to %s" % (len(names), out))
    return 0


# --------------------------------------------------------------------------
# Random mode
# --------------------------------------------------------------------------

def random_cfg(rng, idx):
    tag, cell, nl = rng.choice(CELLS)
    L = rng.randint(1, 4)
    bi = rng.random() < 0.5
    emb = rng.random() < 0.5
    head = rng.choice([None, "many-to-one", "many-to-many", "regression"])
    K = rng.randint(2, 5)
    if head == "regression":
        # one output half of the time (the common case), else 2..5
        labels = regression_labels(1 if rng.random() < 0.5 else K)
    else:
        labels = ["label%d" % k for k in range(K)]
    cfg = {"cell": cell, "nl": nl, "I": rng.randint(1, 8),
           "H": rng.randint(1, 12), "L": L, "bi": bi,
           "T": rng.randint(1, 12), "emb": emb, "V": rng.randint(4, 14),
           "head": head, "labels": labels,
           "scale": round(rng.uniform(0.5, 3.0), 3),
           "seed": rng.randrange(2 ** 31), "rich": True}
    cfg["name"] = "r%03d-%s-l%d-%s-%s-%s" % (
        idx, tag, L, "bi" if bi else "uni", "emb" if emb else "vec",
        HEAD_TAG[head])
    return finish_cfg(cfg, rng)


def compare_trace(got, exp):
    """Returns max |diff|; raises ParityError on mismatch."""
    if not isinstance(got, dict):
        raise ParityError("stdout JSON is not an object")
    if "tokens" in exp:
        if got.get("tokens") != exp["tokens"]:
            raise ParityError("tokens: %r vs expected %r" % (
                got.get("tokens"), exp["tokens"]))
        if "token_ids" in got and got["token_ids"] != exp["token_ids"]:
            raise ParityError("token_ids: %r vs expected %r" % (
                got["token_ids"], exp["token_ids"]))
    if got.get("steps") != exp["steps"]:
        raise ParityError("steps: %r vs expected %r" % (
            got.get("steps"), exp["steps"]))
    gl = got.get("layers")
    if not isinstance(gl, list) or len(gl) != len(exp["layers"]):
        raise ParityError("layers: %s vs expected list[%d]" % (
            describe_shape(gl), len(exp["layers"])))
    worst = 0.0
    for n, (g, e) in enumerate(zip(gl, exp["layers"])):
        where = "layers[%d] (layer %d %s)" % (n, e["layer"], e["direction"])
        if not isinstance(g, dict):
            raise ParityError(where + ": not an object")
        if g.get("layer") != e["layer"] or \
                g.get("direction") != e["direction"]:
            raise ParityError("%s: got layer=%r direction=%r" % (
                where, g.get("layer"), g.get("direction")))
        worst = max(worst, max_diff(g.get("h"), e["h"], where + ".h",
                                    PARITY_TOL))
        if "c" in e:
            worst = max(worst, max_diff(g.get("c"), e["c"], where + ".c",
                                        PARITY_TOL))
        elif g.get("c") is not None:
            raise ParityError(where + ": unexpected key c")
        gg = g.get("gates")
        if not isinstance(gg, dict) or set(gg) != set(e["gates"]):
            raise ParityError("%s.gates: keys %r vs expected %r" % (
                where, sorted(gg) if isinstance(gg, dict) else gg,
                sorted(e["gates"])))
        for k in e["gates"]:
            worst = max(worst, max_diff(gg[k], e["gates"][k],
                                        "%s.gates.%s" % (where, k),
                                        PARITY_TOL))
    if "output" in exp:
        go = got.get("output")
        eo = exp["output"]
        if not isinstance(go, dict):
            raise ParityError("output: missing")
        if go.get("kind") != eo["kind"] or go.get("labels") != eo["labels"]:
            raise ParityError("output: kind/labels %r %r vs expected %r %r" % (
                go.get("kind"), go.get("labels"), eo["kind"], eo["labels"]))
        key = "values" if eo["kind"] == "regression" else "probs"
        other = "probs" if key == "values" else "values"
        if key not in go:
            raise ParityError("output: no key %r (keys %r)%s" % (
                key, sorted(go), "; a regression head has \"values\", "
                "not \"probs\"" if key == "values" and other in go else ""))
        worst = max(worst, max_diff(go.get(key), eo[key],
                                    "output." + key, PARITY_TOL))
    elif got.get("output") is not None:
        raise ParityError("output: present but the model has no head")
    return worst


def cmd_random(args):
    setup = random_setup(args, "rnnscope-parity-")
    if setup is None:
        return 2
    seed, _, rnnscope, work = setup
    rng = random.Random(seed)
    passed = failed = 0
    for idx in range(args.count):
        cfg = random_cfg(rng, idx)
        name = cfg["name"]
        try:
            m = build_model(cfg)
            make_inputs(cfg)
            exp, _ = compute_expected(cfg, m)
        except ParityError as e:
            print("FAIL %s (oracle): %s" % (name, e))
            failed += 1
            continue
        mpath = os.path.join(work, name + ".model.json")
        write_json(mpath, model_json(cfg, m))
        write_json(os.path.join(work, name + ".expected.json"), exp)
        cmd = [rnnscope, "trace", "--model", mpath]
        if cfg["vocab"] is not None:
            cmd += ["--text", cfg["text"]]
        else:
            xpath = os.path.join(work, name + ".inputs.json")
            write_json(xpath, exp["inputs"])
            cmd += ["--inputs", xpath]
        cmd += ["--format", "json"]
        try:
            stdout = run_rnnscope(cmd)
            try:
                got = json.loads(stdout.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise ParityError("stdout is not JSON: %s" % e)
            worst = compare_trace(got, exp)
        except RUN_ERRORS as e:
            report_failure(name, e, cmd)
            failed += 1
            continue
        print("ok   %-30s T=%-2d I=%d H=%-2d scale=%-5g max|diff|=%.1e" % (
            name, exp["steps"], cfg["I"], cfg["H"], cfg["scale"], worst))
        passed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    if not args.keep:
        if failed:
            print("kept the failing cases' files in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="PyTorch parity oracle for rnnscope (see module doc).")
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("fixtures", help="write deterministic fixtures")
    f.add_argument("--out", required=True, help="output directory")
    r = sub.add_parser("random", help="random parity test of an rnnscope "
                       "binary")
    r.add_argument("--rnnscope", required=True, help="path to rnnscope")
    r.add_argument("--count", type=int, default=50)
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--keep", default=None,
                   help="write the case files here and keep them")
    args = ap.parse_args(argv)
    if args.mode == "fixtures":
        return cmd_fixtures(args)
    return cmd_random(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ParityError as e:
        print("ERROR: %s" % e, file=sys.stderr)
        sys.exit(2)
