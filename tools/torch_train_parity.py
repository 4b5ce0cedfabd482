#!/usr/bin/python3
"""PyTorch training-parity oracle for rnnscope's C trainer (RNN / LSTM / GRU).

PyTorch (float64, autograd, torch.optim) is the reference: the parameters
that `rnnscope train` produces must equal PyTorch's to 1e-9 (scaled by
max(1, |expected|)). Run it with Debian's interpreter (/usr/bin/python3,
package python3-torch); it needs only the standard library, torch and
tools/torch_parity.py (model building, model JSON, tokenizer).

Training semantics (what rnnscope implements, computed here with autograd):
  * data: JSON Lines. {"tokens": [...] | "text": "..." | "inputs": [[...]],
    "label": L | "tags": [...] | "target": x | [x0, .., xK-1]}. "text" is
    split by rnnscope's tokenizer; "tokens" are looked up verbatim. Unknown
    words -> the index of "<unk>" (wherever it is in the vocabulary).
    Labels/tags -> index in head labels. "target" (regression heads): a
    number when K = 1, else a list of K numbers.
  * every example runs alone (batch 1, zero initial state, no padding).
  * --no-shuffle: file order, consecutive batches of B, last batch smaller.
  * batch loss: many-to-one = mean over sequences of CE(head(h_n top), y)
    (h_n = concat(h_fwd[T-1], h_bwd[0]) when bidirectional);
    many-to-many = sum over all tokens of CE(head(out_t), tag_t) / #tokens;
    regression = torch.nn.MSELoss(reduction="mean") of head(h_n top) (no
    softmax; h_n as for many-to-one) against the targets, i.e. the mean
    over the batch's sequences and the K outputs of (y - t)^2.
  * per batch: zero grads, backward, clip_grad_norm_ if clip > 0, step.
  * optimizers: torch.optim.SGD(lr) / torch.optim.Adam(lr) (betas 0.9,
    0.999, eps 1e-8), foreach=False; optimizer state persists over epochs.

Two modes:

  fixtures --out tests/fixtures/train
      Deterministic. Removes the previous case folders, then writes per case
      NAME the folder NAME/ with init.model.json, data.jsonl, args.txt (one
      line of train options) and expected.json ({"case", "batch_losses",
      "grads_first_batch", "params"}), and cases.txt (sorted names).
      Self checks (fail loudly, exit 3): the first batch's gradient against
      4-point central differences (one entry per tensor, 1e-6 relative to
      max(|g|, 1e-4)), a gradient that is not zero, the batch-1 loss against
      a plain-Python derivation (1e-12). A drawn case that does not test
      what it should ("<unk>" without gradient in batch 1, clipping not
      active in batch 1, ill-conditioned) is drawn again from seed + 1000
      (deterministic; the retry is printed).

  random --rnnscope PATH [--count N] [--seed S] [--keep DIR]
      N fresh random cases; for each, writes the case folder (as above) and
      runs PATH train --model DIR/init.model.json --data DIR/data.jsonl
      <args.txt> --out DIR/out.json, then compares out.json's "params" with
      torch's. Prints ok/FAIL per case and "N passed, M failed"; exit 1 on a
      failure (the failing case folders are kept, the replay is printed), 2
      if PATH is not executable, 3 if the oracle itself fails.

Conditioning: every case is also trained with its initial parameters and
every gradient multiplied by (1 + 1e-13 u), u uniform in [-1, 1]. If that
moves a final parameter by more than 1e-10 * max(1, |p|), the case is too
chaotic for a 1e-9 comparison (float64 round-off would decide it): fixtures
fail, random mode draws another case (and says so).
"""

import argparse
import json
import math
import os
import random
import shlex
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_common as tc  # noqa: E402
import torch_parity as tp  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_default_dtype(torch.float64)

PARITY_TOL = 1e-9          # rnnscope vs torch, scaled by max(1, |expected|)
LOSS_SELF_TOL = 1e-12      # torch loss vs plain-Python derivation
FD_H = 1e-4                # finite-difference step (4-point stencil)
FD_TOL = 1e-6              # relative agreement of autograd vs differences
FD_FLOOR = 1e-4            # ... relative to max(|grad|, FD_FLOOR)
COND_DELTA = 1e-13         # relative perturbation of the conditioning run
COND_TOL = 1e-10           # allowed effect of that perturbation
MAX_ABS_PARAM = 1e4        # random mode: redraw runs that blow up
CASE_FILES = ("init.model.json", "data.jsonl", "args.txt", "expected.json")


class OracleError(Exception):
    pass


class Unsuitable(OracleError):
    """A drawn case that does not test what it should (e.g. "<unk>" gets no
    gradient, clipping inactive, ill-conditioned): fixtures draw again from
    the next seed (deterministically)."""


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------

def args_line(tr):
    return "--optimizer %s --lr %s --batch-size %d --epochs %d --no-shuffle " \
           "--clip %s" % (tr["optimizer"], tc.fmt_num(tr["lr"]), tr["batch"],
                          tr["epochs"], tc.fmt_num(tr["clip"]))


def data_text(examples):
    return "".join(json.dumps(ex, ensure_ascii=False) + "\n"
                   for ex in examples)


def parse_data(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------

EN_WORDS = ["the", "cat", "dog", "sat", "on", "mat", "a", "ran", "big",
            "small", "and", "bird", "saw", "red", "hat", "fish"]
EN_UNK = ["zebra", "quietly", "purple", "moon", "jumped"]
KO_WORDS = ["나는", "사과를", "먹었다", "고양이가", "잤다"]
KO_UNK = ["우유를", "어제"]
M2O_LABELS = {2: ["pos", "neg"], 3: ["pos", "neg", "neutral"],
              4: ["a", "b", "c", "d"]}
M2M_LABELS = {2: ["O", "X"], 3: ["DET", "NOUN", "VERB"],
              4: ["DET", "NOUN", "VERB", "OTHER"]}


def head_labels(head, K):
    if head == "regression":
        return tp.regression_labels(K)
    return (M2O_LABELS if head == "many-to-one" else M2M_LABELS)[K]


def make_vocab(rng, V, unk_pos, korean, rich):
    """V entries: "<unk>" at unk_pos, ".", maybe ",", words."""
    punct = [".", ","] if rich else ["."]
    n_words = V - 1 - len(punct)
    pool = list(EN_WORDS)
    words = []
    if korean:
        words += rng.sample(KO_WORDS, min(2, n_words - 1))
    words += rng.sample(pool, n_words - len(words))
    rng.shuffle(words)
    vocab = words + punct
    vocab.insert(min(unk_pos, len(vocab)), "<unk>")
    assert len(vocab) == V and len(set(vocab)) == V
    return vocab


def make_tokens(rng, vocab, T, want_unk, korean):
    words = [w for w in vocab if w not in ("<unk>", ".", ",")]
    toks = [rng.choice(words) for _ in range(T)]
    if T >= 3 and rng.random() < 0.6:
        toks[-1] = "."
    if "," in vocab and T >= 4 and rng.random() < 0.5:
        toks[rng.randrange(1, T - 1)] = ","
    if want_unk:
        cand = [p for p in range(T) if toks[p] not in (".", ",")] or [0]
        p = rng.choice(cand)
        toks[p] = rng.choice(EN_UNK + (KO_UNK if korean else []))
    return toks


def surface_text(rng, toks):
    """A sentence that rnnscope's tokenizer splits back into toks: the first
    ASCII word capitalized, maybe one more written in capitals, punctuation
    attached to the previous word."""
    surface = list(toks)
    ascii_pos = [p for p, w in enumerate(surface) if tp.is_ascii_word(w)]
    if ascii_pos:
        p = ascii_pos[0]
        surface[p] = surface[p][0].upper() + surface[p][1:]
        if len(ascii_pos) >= 3 and rng.random() < 0.7:
            q = ascii_pos[-1]
            surface[q] = surface[q].upper()
    text = tp.join_tokens(surface)
    if rng.random() < 0.3:
        text = "  " + text.replace(" ", "\t", 1) + " "
    got = tp.tokenize(text)
    if got != toks:
        raise OracleError("tokenizer round trip: %r -> %r, wanted %r" % (
            text, got, toks))
    return text


def make_data(rng, cfg, N, max_t, text_every=2):
    """N examples of length 1..max_t. Example 0 has length >= 2 and (with an
    embedding) an unknown word, so batch 1 trains "<unk>"; one example has
    length 1. Embedding cases alternate "tokens" and "text" lines."""
    lengths = [rng.randint(1, max_t) for _ in range(N)]
    lengths[0] = max(2, lengths[0])
    if N >= 3:
        lengths[rng.randrange(1, N)] = 1
    labels = cfg["labels"]
    out = []
    for k, T in enumerate(lengths):
        ex = {}
        if cfg["vocab"] is not None:
            toks = make_tokens(rng, cfg["vocab"], T,
                               want_unk=(k == 0 or rng.random() < 0.35),
                               korean=cfg.get("korean", False))
            if (k + cfg["seed"]) % text_every == 1:
                ex["text"] = surface_text(rng, toks)
            else:
                ex["tokens"] = toks
        else:
            ex["inputs"] = [[round(rng.gauss(0.0, 1.0), 4)
                             for _ in range(cfg["I"])] for _ in range(T)]
        if cfg["head"] == "many-to-one":
            ex["label"] = rng.choice(labels)
        elif cfg["head"] == "regression":
            t = [round(rng.uniform(-1.0, 1.0), 4) for _ in labels]
            ex["target"] = t[0] if len(labels) == 1 else t
        else:
            ex["tags"] = [rng.choice(labels) for _ in range(T)]
        out.append(ex)
    return out


# --------------------------------------------------------------------------
# Training with torch
# --------------------------------------------------------------------------

class Prepared:
    """Examples turned into torch inputs and integer targets."""

    def __init__(self, cfg, examples):
        self.items = []
        lab = {l: i for i, l in enumerate(cfg["labels"])}
        if cfg["vocab"] is not None:
            index = {w: i for i, w in enumerate(cfg["vocab"])}
            unk = index["<unk>"]
        for n, ex in enumerate(examples):
            if cfg["vocab"] is not None:
                toks = ex["tokens"] if "tokens" in ex else \
                    tp.tokenize(ex["text"])
                ids = [index.get(t, unk) for t in toks]
                x = torch.tensor(ids, dtype=torch.long)
                T = len(ids)
            else:
                x = torch.tensor(ex["inputs"], dtype=torch.float64)
                T = x.shape[0]
                ids = None
            if T < 1:
                raise OracleError("example %d is empty" % n)
            if cfg["head"] == "many-to-one":
                y = [lab[ex["label"]]]
            elif cfg["head"] == "regression":
                K = len(cfg["labels"])
                y = ex["target"]
                if K == 1 and not isinstance(y, list):
                    y = [y]
                if not isinstance(y, list) or len(y) != K or not all(
                        isinstance(v, (int, float)) and
                        not isinstance(v, bool) for v in y):
                    raise OracleError("example %d: target %r for %d "
                                      "outputs" % (n, ex["target"], K))
                y = [float(v) for v in y]
                self.items.append({"x": x, "ids": ids, "T": T,
                                   "y": torch.tensor([y],
                                                     dtype=torch.float64),
                                   "y_list": [y]})
                continue
            else:
                if len(ex["tags"]) != T:
                    raise OracleError("example %d: %d tags for %d tokens" % (
                        n, len(ex["tags"]), T))
                y = [lab[t] for t in ex["tags"]]
            self.items.append({"x": x, "ids": ids, "T": T,
                               "y": torch.tensor(y, dtype=torch.long),
                               "y_list": y})


def example_logits(m, cfg, item):
    """(1, K) for many-to-one and regression, (T, K) for many-to-many."""
    T = item["T"]
    D = 2 if cfg["bi"] else 1
    x = m.embedding(item["x"]) if cfg["vocab"] is not None else item["x"]
    res = m.rnn(x.reshape(T, 1, cfg["I"]))
    out = res[0]
    h_n = res[1][0] if cfg["cell"] == "lstm" else res[1]
    if cfg["head"] in ("many-to-one", "regression"):
        feat = torch.cat([h_n[-2, 0], h_n[-1, 0]]) if cfg["bi"] else \
            h_n[-1, 0]
        return m.head(feat).reshape(1, -1)
    return m.head(out.reshape(T, D * cfg["H"]))


def batch_loss(m, cfg, items):
    logits = torch.cat([example_logits(m, cfg, it) for it in items])
    y = torch.cat([it["y"] for it in items])
    if cfg["head"] == "regression":
        # (B, K) outputs vs (B, K) targets: mean over sequences and outputs
        return torch.nn.MSELoss(reduction="mean")(logits, y)
    if cfg["head"] == "many-to-one":
        # mean over the batch's sequences
        return F.cross_entropy(logits, y, reduction="sum") / len(items)
    # sum over every token of every sequence / number of tokens
    return F.cross_entropy(logits, y, reduction="sum") / logits.shape[0]


def derived_batch_loss(m, cfg, items):
    """The batch loss in plain float64 Python (torch_parity's equations)."""
    sd = {k: v.detach() for k, v in m.state_dict().items()}
    D = 2 if cfg["bi"] else 1
    Wh = tp.tl(sd["head.weight"])
    bh = tp.tl(sd["head.bias"])
    total = 0.0
    count = 0
    for it in items:
        if cfg["vocab"] is not None:
            emb = tp.tl(sd["embedding.weight"])
            xs = [emb[i] for i in it["ids"]]
        else:
            xs = tp.tl(it["x"])
        T = len(xs)
        d_in = xs
        for k in range(cfg["L"]):
            dirs = []
            for d in range(D):
                P = tp.layer_params(sd, k, "_reverse" if d else "")
                dirs.append(tp.derive_direction(cfg["cell"], cfg["nl"], P,
                                                d_in, cfg["H"],
                                                reverse=(d == 1)))
            d_in = [sum((dirs[d]["h"][t] for d in range(D)), [])
                    for t in range(T)]
        if cfg["head"] in ("many-to-one", "regression"):
            feat = dirs[0]["h"][T - 1] + (dirs[1]["h"][0] if D == 2 else [])
            rows = [feat]
        else:
            rows = d_in
        for row, y in zip(rows, it["y_list"]):
            z = tp.vadd(tp.matvec(Wh, row), bh)
            if cfg["head"] == "regression":
                total += sum((zk - tk) ** 2 for zk, tk in zip(z, y))
                count += len(z)
                continue
            mx = max(z)
            total += mx + math.log(sum(math.exp(v - mx) for v in z)) - z[y]
            count += 1
    if cfg["head"] == "many-to-one":
        return total / len(items)
    # many-to-many: / #tokens; regression: / (#sequences * K)
    return total / count


def fd_check(m, cfg, items, grads, rng):
    """4-point central differences on one entry per parameter tensor (an
    entry with |grad| >= FD_FLOOR when there is one). Returns the worst
    |fd - g| / max(|g|, FD_FLOOR); raises above FD_TOL."""
    worst = 0.0
    with torch.no_grad():
        for name, p in m.named_parameters():
            g = grads[name].reshape(-1)
            flat = p.view(-1)
            big = [i for i in range(flat.numel()) if abs(g[i].item())
                   >= FD_FLOOR]
            i = rng.choice(big) if big else rng.randrange(flat.numel())
            orig = flat[i].item()
            vals = {}
            for s in (-2, -1, 1, 2):
                flat[i] = orig + s * FD_H
                vals[s] = batch_loss(m, cfg, items).item()
            flat[i] = orig
            fd = (vals[-2] - 8 * vals[-1] + 8 * vals[1] - vals[2]) / \
                (12 * FD_H)
            gi = g[i].item()
            rel = abs(fd - gi) / max(abs(gi), FD_FLOOR)
            worst = max(worst, rel)
            if rel > FD_TOL:
                raise OracleError(
                    "finite differences disagree with autograd: %s[%d]: "
                    "autograd %.12g, differences %.12g (rel %.2e)" % (
                        name, i, gi, fd, rel))
    return worst


def run_training(cfg, tr, prep, perturb=None, checks=False):
    """Trains a fresh copy of the case's model. perturb: seed of the
    conditioning run (multiplies init params and every gradient by
    1 + COND_DELTA u). Returns a result dict."""
    m = tp.build_model(cfg)
    gen = None
    if perturb is not None:
        gen = torch.Generator().manual_seed(perturb)
        with torch.no_grad():
            for p in m.parameters():
                p.mul_(1 + COND_DELTA * (2 * torch.rand(p.shape, generator=gen)
                                         - 1))
    named = list(m.named_parameters())
    params = [p for _, p in named]
    if tr["optimizer"] == "sgd":
        opt = torch.optim.SGD(params, lr=tr["lr"], foreach=False)
    elif tr["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=tr["lr"], betas=(0.9, 0.999),
                               eps=1e-8, foreach=False)
    else:
        raise ValueError(tr["optimizer"])
    items = prep.items
    N, B = len(items), tr["batch"]
    batches = [items[i:i + B] for i in range(0, N, B)]
    res = {"batch_losses": [], "norms": [], "clipped": 0,
           "batch_sizes": [len(b) for b in batches]}
    for epoch in range(tr["epochs"]):
        for bi, batch in enumerate(batches):
            opt.zero_grad()
            loss = batch_loss(m, cfg, batch)
            loss.backward()
            if gen is not None:
                with torch.no_grad():
                    for p in params:
                        p.grad.mul_(1 + COND_DELTA * (
                            2 * torch.rand(p.shape, generator=gen) - 1))
            res["batch_losses"].append(loss.item())
            norm = math.sqrt(sum(float((p.grad * p.grad).sum())
                                 for p in params))
            res["norms"].append(norm)
            if epoch == 0 and bi == 0:
                res["grads_first_batch"] = {
                    n: p.grad.detach().clone() for n, p in named}
                if checks:
                    if not norm > 0.0:
                        raise OracleError("the first batch's gradient is 0")
                    d = derived_batch_loss(m, cfg, batch)
                    if abs(d - loss.item()) > LOSS_SELF_TOL * max(
                            1.0, abs(d)):
                        raise OracleError(
                            "batch-1 loss: torch %.17g, derivation %.17g" % (
                                loss.item(), d))
                    res["loss_self_diff"] = abs(d - loss.item())
                    res["fd_worst"] = fd_check(
                        m, cfg, batch, res["grads_first_batch"],
                        random.Random(cfg["seed"] + 17))
                    if cfg["vocab"] is not None:
                        unk = cfg["vocab"].index("<unk>")
                        row = res["grads_first_batch"]["embedding.weight"][unk]
                        if not bool((row != 0).any()):
                            raise Unsuitable("<unk> gets no gradient in "
                                             "batch 1")
            if tr["clip"] > 0:
                tn = torch.nn.utils.clip_grad_norm_(params, tr["clip"])
                if abs(tn.item() - norm) > 1e-12 * max(1.0, norm):
                    raise OracleError("clip_grad_norm_ norm %.17g vs %.17g" % (
                        tn.item(), norm))
                if norm > tr["clip"]:
                    res["clipped"] += 1
            opt.step()
    res["params"] = {k: v.detach().clone() for k, v in m.state_dict().items()}
    res["model"] = m
    return res


def scaled_max_diff(got, exp):
    worst = 0.0
    for k, e in exp.items():
        d = (got[k] - e).abs() / e.abs().clamp(min=1.0)
        worst = max(worst, d.max().item())
    return worst


def conditioning(cfg, tr, prep, res):
    other = run_training(cfg, tr, prep, perturb=cfg["seed"] + 99991)
    return scaled_max_diff(other["params"], res["params"])


def finite_ok(res):
    vals = list(res["batch_losses"]) + list(res["norms"])
    if not all(math.isfinite(v) for v in vals):
        return False
    for t in res["params"].values():
        if not bool(torch.isfinite(t).all()) or \
                t.abs().max().item() > MAX_ABS_PARAM:
            return False
    return True


# --------------------------------------------------------------------------
# Writing a case
# --------------------------------------------------------------------------

def expected_json(cfg, res):
    return {"case": cfg["name"],
            "batch_losses": list(res["batch_losses"]),
            "grads_first_batch": {k: v.tolist() for k, v in
                                  res["grads_first_batch"].items()},
            "params": {k: v.tolist() for k, v in res["params"].items()}}


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_case(d, cfg, tr, init_model, data, res):
    os.makedirs(d, exist_ok=True)
    tp.write_json(os.path.join(d, "init.model.json"), init_model)
    write_text(os.path.join(d, "data.jsonl"), data)
    write_text(os.path.join(d, "args.txt"), args_line(tr) + "\n")
    tp.write_json(os.path.join(d, "expected.json"), expected_json(cfg, res))


def prepare_case(cfg, tr, examples, checks):
    """Returns (init_model_json, data_text, result). The model and data are
    serialized first and training reads them back, so torch trains on
    exactly what the files hold."""
    m0 = tp.build_model(cfg)
    init_model = tp.model_json(cfg, m0)
    data = data_text(examples)
    parsed = parse_data(data)
    # the written model must read back as the same doubles
    back = json.loads(tp.to_json(init_model))["params"]
    for k, v in m0.state_dict().items():
        if torch.tensor(back[k]).ne(v).any():
            raise OracleError("model JSON does not round-trip: " + k)
    prep = Prepared(cfg, parsed)
    res = run_training(cfg, tr, prep, checks=checks)
    return init_model, data, prep, res


# --------------------------------------------------------------------------
# Fixture cases
# --------------------------------------------------------------------------

def base_cfg(name, tag, L, bi, emb, head, I, H, V, K, seed, **extra):
    cell, nl = {"rnn_tanh": ("rnn", "tanh"), "rnn_relu": ("rnn", "relu"),
                "lstm": ("lstm", "tanh"), "gru": ("gru", "tanh")}[tag]
    cfg = {"name": name, "tag": tag, "cell": cell, "nl": nl, "I": I, "H": H,
           "L": L, "bi": bi, "head": head, "V": V if emb else None,
           "labels": head_labels(head, K),
           "seed": seed, "scale": extra.pop("scale", 1.0), "vocab": None,
           "korean": extra.pop("korean", False)}
    cfg.update(extra)
    return cfg


def case_name(cfg, tr, suffix=""):
    if cfg["head"] == "regression":
        return "regression-%s-l%d-%s-%s-%s%s" % (
            cfg["tag"], cfg["L"], "bi" if cfg["bi"] else "uni",
            "emb" if cfg["V"] else "vec", tr["optimizer"], suffix)
    return "%s-l%d-%s-%s-%s-%s%s" % (
        cfg["tag"], cfg["L"], "bi" if cfg["bi"] else "uni",
        "emb" if cfg["V"] else "vec", tp.HEAD_TAG[cfg["head"]],
        tr["optimizer"], suffix)


def fixture_specs():
    """[(cfg, tr, N, extra_checks)]"""
    specs = []
    n = 0
    tags = ["rnn_tanh", "rnn_relu", "lstm", "gru"]
    for ci, tag in enumerate(tags):
        j = 0
        for L, bi in ((1, False), (2, True)):
            for head in ("many-to-one", "many-to-many"):
                flip = ci % 2
                emb = [True, False, False, True][j] != bool(flip)
                adam = [False, True, False, True][j] != bool(flip)
                seed = 2000 + n
                N = 5 + (n * 3) % 7
                B = 2 + n % 3
                if N % B == 0:
                    N = N + 1 if N < 11 else N - 1
                tr = {"optimizer": "adam" if adam else "sgd",
                      "lr": [0.01, 0.02, 0.05][n % 3] if adam else
                      [0.1, 0.2, 0.3, 0.5][n % 4],
                      "batch": B, "epochs": 1, "clip": 0}
                cfg = base_cfg(None, tag, L, bi, emb, head,
                               I=2 + n % 3, H=2 + (n * 2) % 3,
                               V=6 + n % 5, K=2 + n % 2, seed=seed,
                               unk_pos=(0 if n % 3 == 0 else n % 5),
                               korean=(n % 7 == 3))
                cfg["name"] = case_name(cfg, tr)
                specs.append((cfg, tr, N, {}))
                j += 1
                n += 1

    def extra(tag, L, bi, emb, head, I, H, V, K, tr, N, suffix, checks=None,
              **kw):
        nonlocal n
        seed = 2000 + n
        n += 1
        cfg = base_cfg(None, tag, L, bi, emb, head, I, H, V, K, seed,
                       unk_pos=kw.pop("unk_pos", 1 + n % 4), **kw)
        cfg["name"] = case_name(cfg, tr, suffix)
        specs.append((cfg, tr, N, checks or {}))

    extra("lstm", 1, True, True, "many-to-one", 3, 3, 8, 2,
          {"optimizer": "adam", "lr": 0.03, "batch": 3, "epochs": 2,
           "clip": 0}, 7, "-2epochs")
    extra("gru", 1, False, False, "many-to-many", 3, 4, None, 3,
          {"optimizer": "sgd", "lr": 0.2, "batch": 3, "epochs": 1,
           "clip": 0.5}, 8, "-clip0.5", {"clip_mixed": True}, scale=2.0)
    extra("rnn_tanh", 2, True, True, "many-to-one", 2, 3, 9, 3,
          {"optimizer": "adam", "lr": 0.05, "batch": 2, "epochs": 2,
           "clip": 0.25}, 5, "-clip0.25", scale=1.5)
    extra("rnn_relu", 1, False, True, "many-to-many", 4, 3, 7, 2,
          {"optimizer": "sgd", "lr": 0.1, "batch": 1, "epochs": 1,
           "clip": 0}, 5, "-batch1")
    extra("gru", 2, False, False, "many-to-one", 2, 2, None, 3,
          {"optimizer": "adam", "lr": 0.02, "batch": 16, "epochs": 2,
           "clip": 0}, 6, "-onebatch")
    extra("lstm", 3, True, True, "many-to-many", 2, 2, 10, 3,
          {"optimizer": "sgd", "lr": 0.3, "batch": 4, "epochs": 1,
           "clip": 0.2}, 9, "-3layers", korean=True)
    # regression heads (appended: the seeds of the cases above are kept)
    extra("lstm", 1, False, False, "regression", 3, 3, None, 1,
          {"optimizer": "adam", "lr": 0.02, "batch": 3, "epochs": 1,
           "clip": 0}, 8, "")
    extra("gru", 2, True, True, "regression", 3, 3, 8, 2,
          {"optimizer": "sgd", "lr": 0.2, "batch": 2, "epochs": 1,
           "clip": 0.3}, 7, "-clip", {"clip_mixed": True}, korean=True)
    extra("rnn_relu", 1, False, False, "regression", 2, 4, None, 1,
          {"optimizer": "sgd", "lr": 0.05, "batch": 2, "epochs": 2,
           "clip": 0}, 6, "")
    names = [s[0]["name"] for s in specs]
    assert len(names) == len(set(names)), names
    return specs


def finish_vocab(cfg, rng, rich=False):
    if cfg["V"]:
        cfg["vocab"] = make_vocab(rng, cfg["V"], cfg.get("unk_pos", 0),
                                  cfg.get("korean", False), rich)
    else:
        cfg["vocab"] = None


def summary(cfg, tr, res, cond, tag="", worst=None):
    D = 2 if cfg["bi"] else 1
    s = ("%-38s %-4s L=%d D=%d I=%d H=%d %s K=%d %-4s lr=%-6s B=%-2d E=%d "
         "clip=%-4s batches=%s loss %.4f->%.4f |g1|=%.3f clipped=%d "
         "cond=%.0e" % (
             cfg["name"], cfg["cell"] if cfg["cell"] != "rnn" else cfg["nl"],
             cfg["L"], D, cfg["I"], cfg["H"],
             ("V=%-2d" % len(cfg["vocab"])) if cfg["vocab"] else "vec ",
             len(cfg["labels"]), tr["optimizer"], tc.fmt_num(tr["lr"]),
             tr["batch"], tr["epochs"], tc.fmt_num(tr["clip"]),
             ",".join(str(b) for b in res["batch_sizes"]),
             res["batch_losses"][0], res["batch_losses"][-1],
             res["norms"][0], res["clipped"], cond))
    if "fd_worst" in res:
        s += " fd=%.0e" % res["fd_worst"]
    return s


def clean_out_dir(out):
    """Removes earlier case folders (folders holding only case files) and
    cases.txt; anything else is left alone and reported."""
    if not os.path.isdir(out):
        return
    for name in sorted(os.listdir(out)):
        p = os.path.join(out, name)
        if os.path.isdir(p) and not os.path.islink(p) and \
                set(os.listdir(p)) <= set(CASE_FILES):
            shutil.rmtree(p)
        elif name == "cases.txt" and os.path.isfile(p):
            os.remove(p)
        else:
            print("note: leaving %s alone (not a fixture of this script)" % p)


def cmd_fixtures(args):
    out = args.out
    clean_out_dir(out)
    os.makedirs(out, exist_ok=True)
    names = []
    for cfg0, tr, N, checks in fixture_specs():
        for attempt in range(20):
            cfg = dict(cfg0, seed=cfg0["seed"] + 1000 * attempt)
            try:
                examples, init_model, data, res, cond = fixture_case(
                    cfg, tr, N, checks)
                break
            except Unsuitable as e:
                print("     (%s, seed %d: %s; next seed)" % (
                    cfg["name"], cfg["seed"], e))
        else:
            raise OracleError("%s: no suitable seed" % cfg0["name"])
        write_case(os.path.join(out, cfg["name"]), cfg, tr, init_model, data,
                   res)
        names.append(cfg["name"])
        print(summary(cfg, tr, res, cond))
        sys.stdout.flush()
    write_text(os.path.join(out, "cases.txt"),
               "".join(n + "\n" for n in sorted(names)))
    print("wrote %d cases to %s" % (len(names), out))
    return 0


def fixture_case(cfg, tr, N, checks):
    rng = random.Random(cfg["seed"])
    finish_vocab(cfg, rng)
    examples = make_data(rng, cfg, N, 7)
    check_fixture_ranges(cfg, tr, examples)
    init_model, data, prep, res = prepare_case(cfg, tr, examples, True)
    if not finite_ok(res):
        raise OracleError("%s: non-finite or huge values" % cfg["name"])
    cond = conditioning(cfg, tr, prep, res)
    if cond > COND_TOL:
        raise Unsuitable("ill-conditioned run (a 1e-13 perturbation moves "
                         "parameters by %.2e)" % cond)
    nb = len(res["batch_losses"])
    if checks.get("clip_mixed") and not 0 < res["clipped"] < nb:
        raise Unsuitable("clipping active in %d of %d batches" % (
            res["clipped"], nb))
    if tr["clip"] > 0 and not res["norms"][0] > tr["clip"]:
        raise Unsuitable("batch 1 gradient norm %.4f does not exceed the "
                         "clip" % res["norms"][0])
    return examples, init_model, data, res, cond


def check_fixture_ranges(cfg, tr, examples):
    n = cfg["name"]
    assert 2 <= cfg["I"] <= 4 and 2 <= cfg["H"] <= 4, n
    assert (1 if cfg["head"] == "regression" else 2) <= \
        len(cfg["labels"]) <= 3, n
    if cfg["vocab"] is not None:
        assert 6 <= len(cfg["vocab"]) <= 10, n
        assert any("text" in e for e in examples), n
        assert any("tokens" in e for e in examples), n
    assert 5 <= len(examples) <= 11, n
    for e in examples:
        T = len(e.get("tokens") or e.get("inputs") or
                tp.tokenize(e["text"]))
        assert 1 <= T <= 7, n


# --------------------------------------------------------------------------
# Random mode
# --------------------------------------------------------------------------

def random_case(rng, idx):
    tag = rng.choice(["rnn_tanh", "rnn_relu", "lstm", "gru"])
    L = rng.randint(1, 3)
    bi = rng.random() < 0.5
    emb = rng.random() < 0.5
    head = rng.choice(["many-to-one", "many-to-many", "regression"])
    K = rng.randint(2, 4)
    if head == "regression" and rng.random() < 0.5:
        K = 1
    V = rng.randint(5, 12) if emb else None
    cfg = base_cfg(None, tag, L, bi, emb, head, I=rng.randint(1, 5),
                   H=rng.randint(1, 6), V=V, K=K,
                   seed=rng.randrange(2 ** 31),
                   unk_pos=rng.randrange(V) if emb else 0,
                   korean=rng.random() < 0.3)
    # Adam's step lr * m / (sqrt(v) + eps) does not shrink with the gradient, so at a large
    # lr a gradient that cancels to rounding noise (a relu unit on its edge) moves a weight
    # by up to lr, and two correct implementations part by more than 1e-9 (seen: relu, 3
    # layers, lr 0.405, 1.7e-9 with identical results before and after the batched engine).
    # Adam draws its lr from the range people use with it; SGD keeps the wide one.
    optimizer = rng.choice(["sgd", "adam"])
    top = 0.05 if optimizer == "adam" else 0.5
    tr = {"optimizer": optimizer,
          "lr": float("%.3g" % math.exp(rng.uniform(math.log(0.001),
                                                    math.log(top)))),
          "batch": rng.randint(1, 6), "epochs": rng.randint(1, 2),
          "clip": 0 if rng.random() < 0.5 else round(rng.uniform(0.1, 2), 2)}
    cfg["name"] = "r%03d-%s" % (idx, case_name(cfg, tr))
    drng = random.Random(cfg["seed"])
    finish_vocab(cfg, drng, rich=True)
    examples = make_data(drng, cfg, rng.randint(3, 12), 8)
    return cfg, tr, examples


def compare_params(got, exp):
    """got: the "params" object of out.json; exp: name -> nested list."""
    if not isinstance(got, dict):
        raise tp.ParityError("out.json: no \"params\" object")
    if set(got) != set(exp):
        raise tp.ParityError("params: missing %s, unexpected %s" % (
            sorted(set(exp) - set(got)), sorted(set(got) - set(exp))))
    worst = 0.0
    for k in exp:
        worst = max(worst, tp.max_diff(got[k], exp[k], k, PARITY_TOL))
    return worst


def cmd_random(args):
    setup = tc.random_setup(args, "rnnscope-train-parity-")
    if setup is None:
        return 2
    seed, replay, rnnscope, work = setup
    rng = random.Random(seed)
    passed = failed = redrawn = 0
    for idx in range(args.count):
        for attempt in range(50):
            cfg, tr, examples = random_case(rng, idx)
            init_model, data, prep, res = prepare_case(cfg, tr, examples,
                                                       False)
            if not finite_ok(res):
                why = "blows up"
            else:
                cond = conditioning(cfg, tr, prep, res)
                why = None if cond <= COND_TOL else \
                    "ill-conditioned (%.0e)" % cond
            if why is None:
                break
            redrawn += 1
            print("     (redrawn %s: %s)" % (cfg["name"], why))
        else:
            raise OracleError("could not draw a well-conditioned case")
        name = cfg["name"]
        d = os.path.join(work, name)
        write_case(d, cfg, tr, init_model, data, res)
        out_path = os.path.join(d, "out.json")
        if os.path.exists(out_path):
            os.remove(out_path)
        cmd = [rnnscope, "train", "--model", os.path.join(d, "init.model.json"),
               "--data", os.path.join(d, "data.jsonl")] + \
            shlex.split(args_line(tr)) + ["--out", out_path]
        exp = {k: v.tolist() for k, v in res["params"].items()}
        try:
            tc.run_rnnscope(cmd)
            try:
                with open(out_path, encoding="utf-8") as f:
                    got = json.load(f)
            except (OSError, ValueError) as e:
                raise tp.ParityError("out.json: %s" % e)
            if not isinstance(got, dict):
                raise tp.ParityError("out.json is not an object")
            worst = compare_params(got.get("params"), exp)
        except tc.RUN_ERRORS as e:
            tc.report_failure(name, e, cmd)
            failed += 1
            continue
        print("ok   %-44s examples=%-2d steps=%-2d max|diff|=%.1e" % (
            name, len(examples), len(res["batch_losses"]), worst))
        passed += 1
        sys.stdout.flush()
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
    if redrawn:
        print("(%d draws replaced: too chaotic or diverging for a 1e-9 "
              "comparison)" % redrawn)
    print("%d passed, %d failed" % (passed, failed))
    if failed:
        print("kept the case folders in %s; replay: %s" % (work, replay))
    elif not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="PyTorch training-parity oracle for rnnscope "
        "(see module doc).")
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("fixtures", help="write deterministic fixtures")
    f.add_argument("--out", required=True, help="output directory")
    r = sub.add_parser("random", help="random training parity test of an "
                       "rnnscope binary")
    r.add_argument("--rnnscope", required=True, help="path to rnnscope")
    r.add_argument("--count", type=int, default=20)
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--keep", default=None,
                   help="write the case folders here and keep them")
    args = ap.parse_args(argv)
    if args.mode == "fixtures":
        return cmd_fixtures(args)
    return cmd_random(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OracleError, tp.ParityError) as e:
        print("ERROR: %s" % e, file=sys.stderr)
        sys.exit(3)
