#!/usr/bin/python3
"""PyTorch gradient-parity oracle for rnnscope's gradient trace (RnnGrad,
`rnnscope trace --grad`): one backward pass through time, step by step.

PyTorch (float64, autograd) is the reference: the loss, every dL/dh_t,
dL/dc_t (LSTM), each gate's dL/d(pre-activation), dL/dx_t and every
parameter gradient that rnnscope records must equal PyTorch's to 1e-9
(scaled by max(1, |expected|)). Run it with Debian's interpreter
(/usr/bin/python3, package python3-torch); it needs only the standard
library, torch, tools/torch_parity.py (model building, model JSON,
tokenizer) and tools/torch_train_parity.py (the training loss through the
real modules).

The loss is the training loss of the one sentence (rnn_train.c's, and
torch_train_parity's batch of one): many-to-one cross-entropy of
head(h_n top); many-to-many the mean over the T positions of the
cross-entropy of head(out_t); regression the mean over the K outputs of
(head(h_n top) - target)^2. The default target is what the model predicts
(the largest logit of each output row); a regression head's is 0.

Two modes:

  fixtures --out tests/fixtures/grad
      Deterministic (fixed seeds). Builds a fixed list of cases (every cell
      kind {rnn-tanh, rnn-relu, lstm, gru} x layers {1, 2, 3} x
      bidirectional {no, yes}, cycling embedding {yes, no} x head
      {many-to-one, many-to-many, regression}, plus edge cases: one unit,
      one step, saturated cells, given targets the model does not predict,
      what-if changes and clipping) and writes, per case NAME,
      NAME.model.json ("rnnscope-model" v1, the weights before any what-if
      change) and NAME.grad.json:
          {"case", "model", "text" + "tokens" | "inputs",
           "target_given": whether the target is passed (else the default),
           "what_if": {"scale_whh", "forget_bias", "nonlinearity", "clip"}
                      (only the changes the case makes),
           "grad": exactly what `rnnscope trace --grad --format json` prints
                   under "grad": {"loss", "target", "norm", "clip_scale",
                   "layers": [{"layer", "direction", "weight_hh_norm"
                   (torch.linalg.svdvals), "dh" [T][H], "dc" [T][H] (LSTM),
                   "dx" [T][In], "dgates": {gate: [T][H]} (vanilla RNN:
                   "h")}], "params": {state_dict name: gradient}},
           "api_only": {"layers": [{"layer", "direction", "dh0" [H],
                   "dc0" [H] (LSTM), "dgate_hh_n" [T][H] (GRU: dL/d(W_hn
                   h_prev + b_hn))}]}}
      and cases.txt (sorted case names). Stale *.json files in the out dir
      are removed first; re-running gives byte-identical files.

  random --rnnscope PATH/TO/rnnscope [--count N] [--seed S] [--keep DIR]
      Draws N random configurations from the seed (default: time based; it
      is printed so that a failure can be replayed with --seed), some with a
      given target (--target / --targets), some with what-if changes
      (--scale-whh, --forget-bias for LSTM / GRU, --nonlinearity for a
      vanilla RNN, --clip) that are made to the torch model too, writes
      each model (and, without an embedding, NAME.inputs.json) into a temp
      dir (or DIR), runs
          rnnscope trace --model M.json --text "..." | --inputs X.json
                         --grad [...] --format json
      and compares its "grad" object with torch's (tolerance 1e-9, scaled by
      max(1, |expected|)). Prints one line per case and "N passed, M
      failed"; exits 1 on any failure (the temp dir is then kept and its
      path printed).

How expected values are obtained: every configuration is unrolled step by
step in torch float64 with the model's own parameter tensors (per layer,
per direction, per step, PyTorch's documented equations as torch ops); each
h_t and c_t, each gate pre-activation (for GRU n the argument of tanh,
ih_n + r * hh_n), the GRU's hh_n, the zero initial states and a copy of the
layer input x_t per direction keep their gradients (retain_grad), and one
backward() of the loss fills them. Values are indexed by input position t,
also for the backward direction. Self checks (fail loudly, exit 3): the
unrolled forward must equal the real nn.RNN / nn.LSTM / nn.GRU module's
output, h_n and c_n to 1e-12, its loss and every parameter gradient must
equal those of the real modules' autograd (torch_train_parity's loss on a
batch of one) to 1e-12, and clipping must equal clip_grad_norm_'s. A
fixture also needs a default target that the model predicts by a clear
margin and gradients that are not (near) zero: dh, dgates, dx and the
parameters (and dc for an LSTM) each have a value above 1e-6, so that a
comparison cannot pass on zeros. Random mode scores a near tie against
label 0 instead and takes a dead relu network (all zeros) as it comes.
"""

import argparse
import glob
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_common as tc  # noqa: E402
import torch_parity as tp  # noqa: E402
import torch_train_parity as ttp  # noqa: E402

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
# one thread: the same sums in the same order on every run (byte-identical
# fixtures)
torch.set_num_threads(1)

SELF_TOL = 1e-12     # unrolled torch vs the real modules, max(1, |x|)-scaled
PARITY_TOL = 1e-9    # rnnscope vs torch, scaled by max(1, |expected|)
MARGIN = 1e-6        # a default target's logit leads the next one by this
NONZERO = 1e-6       # every kind of gradient has a value at least this big
CLIP_EPS = 1e-6      # clip_grad_norm_'s max_norm / (norm + 1e-6)

GATES = {"rnn": ["h"], "lstm": ["i", "f", "g", "o"], "gru": ["r", "z", "n"]}
# the gate whose b_ih --forget-bias shifts: LSTM f, GRU z (rows H..2H-1)
KEEP_GATE = {"lstm": 1, "gru": 1}


class OracleError(Exception):
    pass


class NearTie(OracleError):
    """The two largest logits are too close for a default target (the
    prediction) that two implementations agree on."""


def tl(x):
    return x.detach().tolist()


def self_check(what, got, want):
    try:
        return tp.max_diff(got, want, what, SELF_TOL)
    except tc.ParityError as e:
        raise OracleError("SELF-CHECK FAILED (unrolled vs torch's modules): "
                          "%s" % e)


# --------------------------------------------------------------------------
# What-if changes (rnn_what_if_apply), made to the torch model
# --------------------------------------------------------------------------

def apply_what_if(cfg, m, what_if):
    """A copy of (cfg, m) with the model changes of what_if: every W_hh
    times scale_whh, forget_bias added to b_ih of LSTM f / GRU z, a vanilla
    RNN's nonlinearity replaced. The same double operations as the engine's
    (x * s, b + B), so the weights are the same bits."""
    cfg = dict(cfg)
    if "nonlinearity" in what_if:
        cfg["nl"] = what_if["nonlinearity"]
    sd = {k: v.clone() for k, v in m.state_dict().items()}
    H = cfg["H"]
    for name, v in sd.items():
        if not name.startswith("rnn."):
            continue
        if name.startswith("rnn.weight_hh_") and "scale_whh" in what_if:
            v.mul_(what_if["scale_whh"])
        if name.startswith("rnn.bias_ih_") and "forget_bias" in what_if:
            q = KEEP_GATE[cfg["cell"]]
            v[q * H:(q + 1) * H] += what_if["forget_bias"]
    out = tp.M(cfg)
    out.load_state_dict(sd)
    out.eval()
    return cfg, out


def what_if_flags(what_if):
    flags = []
    for key, flag in (("scale_whh", "--scale-whh"),
                      ("forget_bias", "--forget-bias"), ("clip", "--clip")):
        if key in what_if:
            flags += [flag, tc.fmt_num(what_if[key])]
    if "nonlinearity" in what_if:
        flags += ["--nonlinearity", what_if["nonlinearity"]]
    return flags


# --------------------------------------------------------------------------
# The unrolled pass
# --------------------------------------------------------------------------

def layer_weights(m, k, d):
    sfx = "_reverse" if d else ""
    return [getattr(m.rnn, "%s_l%d%s" % (w, k, sfx))
            for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def unroll(cfg, m, ids, inputs):
    """Runs the model one step at a time with torch ops on m's parameter
    tensors. Returns (kept, top) where kept maps (what, k, d, t) to the
    tensors whose gradients are recorded and top is the list of the top
    layer's per-direction state lists."""
    cell, nl, H, L = cfg["cell"], cfg["nl"], cfg["H"], cfg["L"]
    D = 2 if cfg["bi"] else 1
    T = len(ids) if ids is not None else inputs.shape[0]
    if ids is not None:
        layer_in = [m.embedding.weight[i] for i in ids]
    else:
        layer_in = [inputs[t] for t in range(T)]
    kept = {}

    def keep(key, x):
        if x.requires_grad:
            if not x.is_leaf:
                x.retain_grad()
        else:
            x.requires_grad_(True)
        kept[key] = x
        return x

    for k in range(L):
        Wih, Whh, bih, bhh = None, None, None, None
        dirs = []
        for d in range(D):
            Wih, Whh, bih, bhh = layer_weights(m, k, d)
            h = keep(("h0", k, d, 0), torch.zeros(H))
            c = keep(("c0", k, d, 0), torch.zeros(H)) \
                if cell == "lstm" else None
            hs = [None] * T
            order = range(T - 1, -1, -1) if d else range(T)
            for t in order:
                # this direction's own copy of x_t: its gradient is the one
                # through direction d only
                x = keep(("x", k, d, t), layer_in[t].clone())
                gi = torch.mv(Wih, x) + bih
                gh = torch.mv(Whh, h) + bhh
                if cell == "rnn":
                    # h = act(W_ih x + b_ih + W_hh h_prev + b_hh)
                    a = keep(("a", k, d, t), gi + gh)
                    h = torch.tanh(a) if nl == "tanh" else torch.relu(a)
                elif cell == "lstm":
                    # i, f, o = σ(a), g = tanh(a);  c = f c_prev + i g;
                    # h = o tanh(c)
                    a = keep(("a", k, d, t), gi + gh)
                    i = torch.sigmoid(a[0:H])
                    f = torch.sigmoid(a[H:2 * H])
                    g = torch.tanh(a[2 * H:3 * H])
                    o = torch.sigmoid(a[3 * H:4 * H])
                    c = keep(("c", k, d, t), f * c + i * g)
                    h = o * torch.tanh(c)
                else:
                    # r, z = σ(ih + hh);  n = tanh(ih_n + r hh_n);
                    # h = (1 - z) n + z h_prev
                    ar = keep(("ar", k, d, t), gi[0:H] + gh[0:H])
                    az = keep(("az", k, d, t), gi[H:2 * H] + gh[H:2 * H])
                    hh_n = keep(("hh_n", k, d, t), gh[2 * H:3 * H])
                    r = torch.sigmoid(ar)
                    z = torch.sigmoid(az)
                    an = keep(("an", k, d, t), gi[2 * H:3 * H] + r * hh_n)
                    n = torch.tanh(an)
                    h = (1 - z) * n + z * h
                h = keep(("h", k, d, t), h)
                hs[t] = h
            dirs.append(hs)
        # the next layer reads concat(h_fwd[t], h_bwd[t])
        layer_in = [torch.cat([dirs[d][t] for d in range(D)])
                    for t in range(T)]
    return kept, dirs


def head_logits(cfg, m, top):
    """(out_steps, K): the head on h_n of the top layer (many-to-one,
    regression) or on each out_t (many-to-many)."""
    T = len(top[0])
    W, b = m.head.weight, m.head.bias
    if cfg["head"] == "many-to-many":
        rows = [torch.cat([hs[t] for hs in top]) for t in range(T)]
    else:
        rows = [torch.cat([top[0][T - 1]] + ([top[1][0]] if cfg["bi"]
                                              else []))]
    return torch.stack([torch.mv(W, r) + b for r in rows])


def loss_of(cfg, logits, targets, values):
    """The training loss of one sentence (torch_train_parity.batch_loss on
    a batch of one)."""
    if cfg["head"] == "regression":
        v = torch.tensor([values])
        return torch.nn.MSELoss(reduction="mean")(logits, v)
    y = torch.tensor(targets, dtype=torch.long)
    return torch.nn.functional.cross_entropy(logits, y, reduction="sum") \
        / logits.shape[0]


def real_module_pass(cfg, m, ids, inputs, targets, values):
    """Loss and parameter gradients through the real modules
    (embedding -> nn.RNN/LSTM/GRU -> head) and torch_train_parity's batch
    loss; also the module's out, h_n, c_n."""
    if ids is not None:
        x = torch.tensor(ids, dtype=torch.long)
        T = len(ids)
    else:
        x = inputs
        T = inputs.shape[0]
    if cfg["head"] == "regression":
        y = torch.tensor([values])
    else:
        y = torch.tensor(targets, dtype=torch.long)
    item = {"x": x, "T": T, "y": y}
    loss = ttp.batch_loss(m, cfg, [item])
    names = [n for n, _ in m.named_parameters()]
    grads = torch.autograd.grad(loss, [p for _, p in m.named_parameters()])
    with torch.no_grad():
        emb = m.embedding(x) if ids is not None else x
        res = m.rnn(emb.reshape(T, 1, cfg["I"]))
    return loss.item(), dict(zip(names, grads)), res


# --------------------------------------------------------------------------
# Expected values
# --------------------------------------------------------------------------

def default_targets(cfg, logits):
    """The model's predictions (largest logit per row); OracleError when
    the runner-up is too close for two implementations to agree."""
    out = []
    for row in tl(logits):
        order = sorted(range(len(row)), key=lambda k: -row[k])
        if len(row) > 1 and row[order[0]] - row[order[1]] < MARGIN:
            raise NearTie("the prediction is a near tie (%.3g)" % (
                row[order[0]] - row[order[1]]))
        out.append(order[0])
    return out


def case_input(cfg):
    """(ids, inputs, extra JSON) of a case."""
    if cfg["vocab"] is not None:
        tokens = tp.tokenize(cfg["text"])
        ids = tp.token_ids(tokens, cfg["vocab"])
        return ids, None, {"text": cfg["text"], "tokens": tokens}
    return None, cfg["inputs"], {"inputs": tl(cfg["inputs"])}


def grad_of(t):
    """A kept tensor's gradient (zero when the loss does not reach it)."""
    return t.grad if t.grad is not None else torch.zeros_like(t)


def compute_grad(cfg0, m0, target, what_if, guard=True):
    """Expected values of one case. target: None (the model's predictions /
    0), or label indices (out_steps), or K regression values. guard: fail
    when a kind of gradient is all (near) zero (check_nonzero). Returns
    (grad JSON, api_only JSON, worst self-check difference)."""
    cfg, m = apply_what_if(cfg0, m0, what_if) if what_if else (cfg0, m0)
    cell, H, L = cfg["cell"], cfg["H"], cfg["L"]
    D = 2 if cfg["bi"] else 1
    ids, inputs, _ = case_input(cfg)
    T = len(ids) if ids is not None else inputs.shape[0]
    m.zero_grad(set_to_none=True)
    kept, top = unroll(cfg, m, ids, inputs)
    logits = head_logits(cfg, m, top)
    K = len(cfg["labels"])
    if cfg["head"] == "regression":
        values = [float(v) for v in target] if target is not None \
            else [0.0] * K
        targets = None
    else:
        targets = list(target) if target is not None else \
            default_targets(cfg, logits)
        values = None
    loss = loss_of(cfg, logits, targets, values)
    loss.backward()
    named = list(m.named_parameters())
    pgrads = {n: p.grad.detach().clone() if p.grad is not None
              else torch.zeros_like(p) for n, p in named}

    # ---- self checks against the real modules
    rloss, rgrads, res = real_module_pass(cfg, m, ids, inputs, targets,
                                          values)
    worst = self_check("loss", loss.item(), rloss)
    for n, _ in named:
        worst = max(worst, self_check("gradient " + n, tl(pgrads[n]),
                                      tl(rgrads[n])))
    out = res[0].reshape(T, D * H)
    h_n = res[1][0] if cell == "lstm" else res[1]
    worst = max(worst, self_check(
        "out", [tl(torch.cat([hs[t] for hs in top])) for t in range(T)],
        tl(out)))
    for k in range(L):
        for d in range(D):
            last = 0 if d else T - 1
            worst = max(worst, self_check(
                "h_n layer %d dir %d" % (k, d),
                tl(kept[("h", k, d, last)]), tl(h_n[k * D + d, 0])))
            if cell == "lstm":
                worst = max(worst, self_check(
                    "c_n layer %d dir %d" % (k, d),
                    tl(kept[("c", k, d, last)]), tl(res[1][1][k * D + d, 0])))

    # ---- the expected JSON, in the order rnnscope prints it
    norm = float(torch.sqrt(sum((g * g).sum() for g in pgrads.values())))
    if cfg["head"] == "regression":
        target_json = values
    elif cfg["head"] == "many-to-one":
        target_json = cfg["labels"][targets[0]]
    else:
        target_json = [cfg["labels"][y] for y in targets]
    coef = 1.0
    # clip_grad_norm_ scales whenever max_norm / (norm + 1e-6) is below 1
    if what_if.get("clip", 0) > 0 and \
            what_if["clip"] / (norm + CLIP_EPS) < 1.0:
        coef = what_if["clip"] / (norm + CLIP_EPS)
        # torch's own clipping of the same gradients
        ps = [torch.zeros_like(p, requires_grad=True) for _, p in named]
        for p, (n, _) in zip(ps, named):
            p.grad = pgrads[n].clone()
        tn = torch.nn.utils.clip_grad_norm_(ps, what_if["clip"])
        worst = max(worst, self_check("clip norm", tn.item(), norm))
        for p, (n, _) in zip(ps, named):
            worst = max(worst, self_check("clipped " + n, tl(p.grad),
                                          tl(pgrads[n] * coef)))

    def scaled(t):
        return tl(t * coef) if coef != 1.0 else tl(t)

    def rows(key, k, d):
        return [scaled(grad_of(kept[(key, k, d, t)])) for t in range(T)]

    layers, extra = [], []
    for k in range(L):
        for d in range(D):
            entry = {"layer": k, "direction": "backward" if d else "forward"}
            whh = layer_weights(m, k, d)[1].detach()
            entry["weight_hh_norm"] = float(torch.linalg.svdvals(whh)[0])
            entry["dh"] = rows("h", k, d)
            if cell == "lstm":
                entry["dc"] = rows("c", k, d)
            entry["dx"] = rows("x", k, d)
            if cell == "gru":
                entry["dgates"] = {"r": rows("ar", k, d),
                                   "z": rows("az", k, d),
                                   "n": rows("an", k, d)}
            else:
                a = [grad_of(kept[("a", k, d, t)]) for t in range(T)]
                entry["dgates"] = {
                    g: [scaled(a[t][q * H:(q + 1) * H]) for t in range(T)]
                    for q, g in enumerate(GATES[cell])}
            layers.append(entry)
            more = {"layer": k, "direction": entry["direction"],
                    "dh0": scaled(grad_of(kept[("h0", k, d, 0)]))}
            if cell == "lstm":
                more["dc0"] = scaled(grad_of(kept[("c0", k, d, 0)]))
            if cell == "gru":
                more["dgate_hh_n"] = rows("hh_n", k, d)
            extra.append(more)
    grad = {"loss": loss.item(), "target": target_json, "norm": norm,
            "clip_scale": coef, "layers": layers,
            "params": {n: scaled(pgrads[n]) for n, _ in named}}
    if guard:
        check_nonzero(cfg, grad)
    return grad, {"layers": extra}, worst


def check_nonzero(cfg, grad):
    """Every kind of gradient has a value above NONZERO: a comparison of a
    case can then not pass on an engine that returns zeros."""
    def biggest(x):
        if isinstance(x, list):
            return max([biggest(v) for v in x], default=0.0)
        return abs(x)
    kinds = ["dh", "dx", "dgates"] + (["dc"] if cfg["cell"] == "lstm"
                                      else [])
    for kind in kinds:
        vals = [e[kind] if kind != "dgates" else list(e[kind].values())
                for e in grad["layers"]]
        if biggest(vals) < NONZERO:
            raise OracleError("every %s is below %g" % (kind, NONZERO))
    if biggest(list(grad["params"].values())) < NONZERO:
        raise OracleError("every parameter gradient is below %g" % NONZERO)


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------

def predictions(cfg0, m0, what_if):
    """The model's predicted label index per output row."""
    cfg, m = apply_what_if(cfg0, m0, what_if) if what_if else (cfg0, m0)
    ids, inputs, _ = case_input(cfg)
    with torch.no_grad():
        _, top = unroll(cfg, m, ids, inputs)
        logits = head_logits(cfg, m, top)
    return [max(range(len(r)), key=lambda k: r[k]) for r in tl(logits)]


def target_arg(cfg, target):
    """The --target / --targets value rnnscope reads for a target."""
    if cfg["head"] == "regression":
        return ",".join(tc.fmt_num(v) for v in target)
    return ",".join(cfg["labels"][y] for y in target)


# --------------------------------------------------------------------------
# Fixture cases
# --------------------------------------------------------------------------

CELLS = tp.CELLS
# (embedding, head) cycled over each cell's six layer/direction cases, so
# that every cell meets every pair
COMBOS = [(True, "many-to-one"), (False, "many-to-many"),
          (True, "regression"), (False, "many-to-one"),
          (True, "many-to-many"), (False, "regression")]
HEAD_TAG = tp.HEAD_TAG


def labels_for(head, K):
    if head == "regression":
        return tp.regression_labels(K)
    return ttp.head_labels(head, K)


def new_cfg(name, cell, nl, I, H, L, bi, T, emb, head, K, seed, V=8,
            scale=1.0, **extra):
    cfg = {"name": name, "cell": cell, "nl": nl, "I": I, "H": H, "L": L,
           "bi": bi, "T": T, "emb": emb, "V": V, "head": head,
           "labels": labels_for(head, K), "scale": scale, "seed": seed}
    cfg.update(extra)
    return tp.finish_cfg(cfg, random.Random(seed))


def fixture_cases():
    """[(cfg, target spec, what_if)]. target spec: None (the default), or
    "other" (labels the model does not predict), or regression values."""
    cases = []
    n = 0
    for ci, (tag, cell, nl) in enumerate(CELLS):
        j = 0
        for L in (1, 2, 3):
            for bi in (False, True):
                emb, head = COMBOS[(j + ci) % len(COMBOS)]
                K = (1 + n % 2) if head == "regression" else 2 + n % 2
                cfg = new_cfg(
                    "%s-l%d-%s-%s-%s" % (tag, L, "bi" if bi else "uni",
                                         "emb" if emb else "vec",
                                         HEAD_TAG[head]),
                    cell, nl, I=2 + n % 3, H=2 + (n * 2) % 3, L=L, bi=bi,
                    T=2 + (n * 3) % 5, emb=emb, head=head, K=K,
                    seed=3000 + n, V=5 + (n * 3) % 5)
                cases.append((cfg, None, {}))
                j += 1
                n += 1

    def edge(name, cell, nl, I, H, L, bi, T, emb, head, K, target=None,
             what_if=None, **kw):
        nonlocal n
        cfg = new_cfg(name, cell, nl, I, H, L, bi, T, emb, head, K,
                      seed=3000 + n, **kw)
        n += 1
        cases.append((cfg, target, what_if or {}))

    edge("edge-h1-lstm", "lstm", "tanh", 3, 1, 2, True, 5, False,
         "many-to-one", 2)
    edge("edge-h1-gru", "gru", "tanh", 2, 1, 1, False, 4, True,
         "many-to-many", 3, V=7)
    edge("edge-h1-rnn_relu", "rnn", "relu", 3, 1, 2, True, 5, False,
         "regression", 1)
    edge("edge-t1-gru", "gru", "tanh", 3, 3, 2, True, 1, False,
         "many-to-one", 3)
    edge("edge-t1-lstm", "lstm", "tanh", 3, 2, 1, False, 1, True,
         "many-to-many", 2, V=6)
    edge("edge-saturate-lstm", "lstm", "tanh", 4, 3, 2, True, 6, False,
         "many-to-one", 2, scale=3.0)
    edge("edge-saturate-gru", "gru", "tanh", 4, 3, 2, False, 6, True,
         "many-to-many", 3, scale=3.0, V=9)
    edge("edge-saturate-rnn_tanh", "rnn", "tanh", 3, 4, 2, True, 6, False,
         "many-to-one", 3, scale=3.0)
    edge("edge-saturate-rnn_relu", "rnn", "relu", 3, 3, 3, False, 6, False,
         "many-to-many", 2, scale=2.5)
    # given targets the model does not predict
    edge("target-other-lstm-m2o", "lstm", "tanh", 3, 3, 1, True, 5, True,
         "many-to-one", 3, target="other", V=8)
    edge("target-other-gru-m2m", "gru", "tanh", 2, 3, 2, False, 5, False,
         "many-to-many", 3, target="other")
    edge("target-other-rnn_relu-m2o", "rnn", "relu", 3, 2, 2, False, 4,
         False, "many-to-one", 2, target="other")
    edge("target-values-rnn_tanh-reg", "rnn", "tanh", 2, 3, 1, True, 5,
         True, "regression", 2, target=[0.5, -1.25], V=7)
    edge("target-values-lstm-reg", "lstm", "tanh", 3, 2, 2, False, 4,
         False, "regression", 1, target=[2.0])
    # what-if changes (the model file keeps the original weights)
    edge("whatif-lstm-scale-forget", "lstm", "tanh", 3, 3, 2, False, 6,
         True, "many-to-one", 2, what_if={"scale_whh": 1.5,
                                          "forget_bias": 2.0}, V=8)
    edge("whatif-gru-forget-clip", "gru", "tanh", 3, 3, 1, True, 5, False,
         "many-to-many", 3, what_if={"forget_bias": -1.5, "clip": 0.05})
    edge("whatif-rnn-tanh-to-relu", "rnn", "tanh", 3, 3, 2, False, 5, False,
         "many-to-one", 2, what_if={"nonlinearity": "relu",
                                    "scale_whh": 0.75})
    edge("whatif-rnn-relu-to-tanh-clip", "rnn", "relu", 2, 3, 1, True, 5,
         True, "regression", 2, target=[1.0, -1.0], V=6,
         what_if={"nonlinearity": "tanh", "scale_whh": 2.5, "clip": 0.1})
    edge("korean-gru", "gru", "tanh", 3, 2, 1, True, 6, True,
         "many-to-one", 2,
         vocab=["<unk>", "나는", "사과를", "먹었다", ".", "the", "잤다",
                "고양이가", "cat"],
         text="나는 사과를 먹었다. The 고양이는 잤다.")
    names = [c[0]["name"] for c in cases]
    assert len(names) == len(set(names)), names
    return cases


def resolve_target(cfg, m, spec, what_if):
    """A fixture's target spec as label indices / values (None: default)."""
    if spec is None:
        return None
    if cfg["head"] == "regression":
        return list(spec)
    K = len(cfg["labels"])
    pred = predictions(cfg, m, what_if)
    # many-to-many: every other position differs from the prediction
    return [(y + 1) % K if (o % 2 == 0 or cfg["head"] == "many-to-one")
            else y for o, y in enumerate(pred)]


def check_fixture_ranges(cfg):
    n = cfg["name"]
    assert 2 <= cfg["I"] <= 4 and 1 <= cfg["H"] <= 4, n
    assert 1 <= cfg["T"] <= 6, n
    if cfg["vocab"] is not None:
        assert 5 <= len(cfg["vocab"]) <= 10, n
        assert 1 <= len(tp.tokenize(cfg["text"])) <= 8, n


def summary(cfg, grad, what_if, worst, given):
    D = 2 if cfg["bi"] else 1
    return ("%-30s %-4s L=%d D=%d I=%d H=%d T=%d head=%-12s loss=%.4f "
            "|g|=%.3g%s%s self-check=%.1e" % (
                cfg["name"], cfg["cell"] if cfg["cell"] != "rnn"
                else cfg["nl"], cfg["L"], D, cfg["I"], cfg["H"],
                len(grad["layers"][0]["dh"]), cfg["head"], grad["loss"],
                grad["norm"], " target=%s" % json.dumps(
                    grad["target"], ensure_ascii=False) if given else "",
                " what-if=%s" % " ".join(what_if_flags(what_if))
                if what_if else "", worst))


def cmd_fixtures(args):
    out = args.out
    os.makedirs(out, exist_ok=True)
    for p in glob.glob(os.path.join(out, "*.json")):
        os.remove(p)
    names = []
    for cfg, spec, what_if in fixture_cases():
        tp.make_inputs(cfg)
        check_fixture_ranges(cfg)
        m = tp.build_model(cfg)
        target = resolve_target(cfg, m, spec, what_if)
        grad, api_only, worst = compute_grad(cfg, m, target, what_if)
        _, _, inp = case_input(cfg)
        doc = {"case": cfg["name"], "model": cfg["name"] + ".model.json"}
        doc.update(inp)
        doc["target_given"] = target is not None
        if what_if:
            doc["what_if"] = what_if
        doc["grad"] = grad
        doc["api_only"] = api_only
        tp.write_json(os.path.join(out, cfg["name"] + ".model.json"),
                      tp.model_json(cfg, m))
        tp.write_json(os.path.join(out, cfg["name"] + ".grad.json"), doc)
        names.append(cfg["name"])
        print(summary(cfg, grad, what_if, worst, target is not None))
        sys.stdout.flush()
    with open(os.path.join(out, "cases.txt"), "w", encoding="utf-8",
              newline="\n") as f:
        for n in sorted(names):
            f.write(n + "\n")
    print("wrote %d cases to %s" % (len(names), out))
    return 0


# --------------------------------------------------------------------------
# Random mode
# --------------------------------------------------------------------------

def random_case(rng, idx):
    """(cfg, target spec, what_if) of a fresh random case."""
    tag, cell, nl = rng.choice(CELLS)
    L = rng.randint(1, 3)
    bi = rng.random() < 0.5
    emb = rng.random() < 0.5
    head = rng.choice(["many-to-one", "many-to-many", "regression"])
    K = rng.randint(2, 4)
    if head == "regression" and rng.random() < 0.5:
        K = 1
    cfg = {"cell": cell, "nl": nl, "I": rng.randint(1, 6),
           "H": rng.randint(1, 8), "L": L, "bi": bi,
           "T": rng.randint(1, 10), "emb": emb, "V": rng.randint(4, 12),
           "head": head, "labels": ["label%d" % k for k in range(K)]
           if head != "regression" else tp.regression_labels(K),
           "scale": round(rng.uniform(0.5, 2.5), 3),
           "seed": rng.randrange(2 ** 31), "rich": True}
    what_if = {}
    if rng.random() < 0.3:
        what_if["scale_whh"] = round(rng.uniform(0.25, 3.0), 3)
    if cell != "rnn" and rng.random() < 0.3:
        what_if["forget_bias"] = round(rng.uniform(-3.0, 3.0), 3)
    if cell == "rnn" and rng.random() < 0.3:
        what_if["nonlinearity"] = rng.choice(["tanh", "relu"])
    if rng.random() < 0.2:
        what_if["clip"] = "draw"  # a fraction of the norm, drawn below
    spec = None
    if rng.random() < 0.4:
        if head == "regression":
            spec = [round(rng.uniform(-2.0, 2.0), 4) for _ in range(K)]
        else:
            spec = "random"
    cfg["name"] = "r%03d-%s-l%d-%s-%s-%s%s%s" % (
        idx, tag, L, "bi" if bi else "uni", "emb" if emb else "vec",
        HEAD_TAG[head], "-target" if spec is not None else "",
        "-whatif" if what_if else "")
    return tp.finish_cfg(cfg, rng), spec, what_if


def draw_target(rng, cfg, spec, T):
    """Label indices drawn for a "random" spec; a regression spec as it is."""
    if spec is None or cfg["head"] == "regression":
        return spec
    K = len(cfg["labels"])
    rows = T if cfg["head"] == "many-to-many" else 1
    return [rng.randrange(K) for _ in range(rows)]


def run_case(rng, cfg, spec, what_if):
    """Builds the torch model and the expected values of a random case.
    Returns (model, target, what_if, grad)."""
    tp.make_inputs(cfg)
    m = tp.build_model(cfg)
    ids, inputs, _ = case_input(cfg)
    T = len(ids) if ids is not None else inputs.shape[0]
    target = draw_target(rng, cfg, spec, T)

    def expected(what_if):
        nonlocal target
        # (a dead relu network, all gradients zero, is a case too: no guard)
        try:
            return compute_grad(cfg, m, target, what_if, guard=False)[0]
        except NearTie:
            # no clear prediction: score against label 0 instead
            target = [0] * (T if cfg["head"] == "many-to-many" else 1)
            return compute_grad(cfg, m, target, what_if, guard=False)[0]

    if what_if.get("clip") == "draw":
        # the norm first, then a limit clearly below or above it
        norm = expected({k: v for k, v in what_if.items()
                         if k != "clip"})["norm"]
        u = rng.choice([rng.uniform(0.2, 0.9), rng.uniform(1.1, 2.0)])
        what_if = dict(what_if, clip=float("%.4g" % (norm * u)))
    grad = expected(what_if)
    return m, target, what_if, grad


def cmd_random(args):
    setup = tc.random_setup(args, "rnnscope-grad-parity-")
    if setup is None:
        return 2
    seed, replay, rnnscope, work = setup
    rng = random.Random(seed)
    passed = failed = 0
    for idx in range(args.count):
        cfg, spec, what_if = random_case(rng, idx)
        m, target, what_if, grad = run_case(rng, cfg, spec, what_if)
        name = cfg["name"]
        mpath = os.path.join(work, name + ".model.json")
        tp.write_json(mpath, tp.model_json(cfg, m))
        cmd = [rnnscope, "trace", "--model", mpath]
        if cfg["vocab"] is not None:
            cmd += ["--text", cfg["text"]]
        else:
            xpath = os.path.join(work, name + ".inputs.json")
            tp.write_json(xpath, tl(cfg["inputs"]))
            cmd += ["--inputs", xpath]
        cmd += ["--grad"]
        if target is not None:
            cmd += ["--targets" if cfg["head"] == "many-to-many"
                    else "--target", target_arg(cfg, target)]
        cmd += what_if_flags(what_if) + ["--format", "json"]
        tp.write_json(os.path.join(work, name + ".grad.json"),
                      {"case": name, "command": cmd[1:], "grad": grad})
        try:
            stdout = tc.run_rnnscope(cmd)
            try:
                got = json.loads(stdout.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise tc.ParityError("stdout is not JSON: %s" % e)
            if not isinstance(got, dict):
                raise tc.ParityError("stdout JSON is not an object")
            T = len(grad["layers"][0]["dh"])
            if got.get("steps") != T:
                raise tc.ParityError("steps: %r vs expected %d" % (
                    got.get("steps"), T))
            worst = tc.compare_json(got.get("grad"), grad, "grad",
                                    PARITY_TOL)
        except tc.RUN_ERRORS as e:
            tc.report_failure(name, e, cmd)
            failed += 1
            continue
        print("ok   %-40s T=%-2d I=%d H=%d%s max|diff|=%.1e" % (
            name, T, cfg["I"], cfg["H"],
            " " + " ".join(what_if_flags(what_if)) if what_if else "",
            worst))
        passed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    if failed:
        print("kept the cases' files in %s; replay: %s" % (work, replay))
    elif not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="PyTorch gradient-parity oracle for rnnscope "
        "(see module doc).")
    sub = ap.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("fixtures", help="write deterministic fixtures")
    f.add_argument("--out", required=True, help="output directory")
    r = sub.add_parser("random", help="random gradient parity test of an "
                       "rnnscope binary")
    r.add_argument("--rnnscope", required=True, help="path to rnnscope")
    r.add_argument("--count", type=int, default=40)
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
    except (OracleError, tc.ParityError) as e:
        print("ERROR: %s" % e, file=sys.stderr)
        sys.exit(3)
