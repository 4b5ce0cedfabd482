#!/usr/bin/python3
"""Exports a PyTorch model to an rnnscope-model file, then checks the file against the model.

    /usr/bin/python3 tools/export_torch.py --module mymodel.py:SentimentLSTM [--args JSON]
        (--weights state.pt | --checkpoint model.pt) [--vocab vocab.json|vocab.txt]
        [--labels a,b,c] --out model.json

or from Python (a notebook), with this folder on sys.path:

    from export_torch import export
    export(model, vocab=vocab, labels=["negative", "positive"], path="model.json")

The layers are found by type, whatever their attribute names (self.emb, self.embedding,
self.lstm, self.rnn, self.fc, self.fc1/fc2, self.classifier, nn.Sequential members), in the
order they were registered: an optional nn.Embedding; nn.RNN / nn.LSTM / nn.GRU modules
(stacked in that order); nn.Linear layers, with nn.ReLU / nn.Tanh / nn.Sigmoid between them
and nn.Softmax / nn.LogSoftmax / nn.Sigmoid after the last. nn.Dropout is ignored (the model
runs as in eval mode). Anything else is refused with one message naming it.

forward() is the model's own code, so the export is verified: the model runs on random token
sequences (or input vectors) and its output must equal, to 1e-9 in float64, the output of a
reference built from the written file alone (standard torch modules with rnnscope's reading
of the file). When it does not, the exporter says what forward() most likely does differently
and which option says so (--head-activation, --dense-activation, --readout), and fails. The
file is written only when the check passes.

Version 1 of the format is written when the model fits it (one recurrent module, at most one
Linear, the head's usual activation, a vocabulary); version 2 otherwise. Weights are written
as float64, each number the shortest text that reads back as the same double (exact for
float32, float16 and bfloat16 weights).

Needs torch (Debian's python3-torch with /usr/bin/python3) and the standard library.
"""

import argparse
import copy
import importlib.util
import inspect
import itertools
import json
import math
import os
import re
import string
import sys
import tempfile
import textwrap

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import tokenize  # noqa: E402  rnnscope's own tokenizer

FORMAT = "rnnscope-model"
MAX_LAYERS = 4       # RNN_MAX_LAYERS
MAX_DENSE = 4        # RNN_MAX_DENSE: hidden Linear layers before the head
MAX_SIZE = 4096      # RNN_MAX_SIZE: input, hidden, units, labels
MAX_VOCAB = 1000000  # RNN_MAX_VOCAB
CHECK_TOL = 1e-9       # the check in float64, scaled by max(1, |expected|)
CHECK_TOL_FLOAT32 = 1e-4  # when forward() only runs in float32
UNK = "<unk>"
# Spellings of the unknown-word entry that rnnscope's "<unk>" replaces (same index).
UNK_SPELLINGS = ["<UNK>", "<Unk>", "[UNK]", "[unk]", "<oov>", "<OOV>", "UNK", "<unknown>",
                 "__unk__", "<UNKNOWN>"]

SUPPORTED = """rnnscope runs:
  - an optional nn.Embedding (one token stream; without it the model reads vectors);
  - nn.RNN (tanh or relu), nn.LSTM and nn.GRU modules, stacked in registration order: up to
    4 layers in all, each with its own size, bidirectional or not, batch_first or not
    (no proj_size);
  - up to 5 nn.Linear layers reading h_n of the top layer (many-to-one) or its output at
    every step (many-to-many), with nn.ReLU, nn.Tanh, nn.Sigmoid or nn.Identity between
    them and nn.Softmax, nn.LogSoftmax or nn.Sigmoid after the last;
  - nn.Dropout anywhere (ignored, as in eval mode)."""

ACTIVATION_MODULES = [(nn.ReLU, "relu"), (nn.Tanh, "tanh"), (nn.Sigmoid, "sigmoid"),
                      (nn.Identity, "linear"), (nn.Softmax, "softmax"),
                      (nn.LogSoftmax, "log_softmax")]
DROPOUTS = tuple(getattr(nn, n) for n in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                          "AlphaDropout", "FeatureAlphaDropout")
                 if hasattr(nn, n))
CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
CELLS = tuple(getattr(nn, n) for n in ("RNNCell", "LSTMCell", "GRUCell") if hasattr(nn, n))
DENSE_ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")
HEAD_ACTIVATIONS = ("softmax", "sigmoid", "linear", "relu", "tanh")
KINDS = ("many-to-one", "many-to-many", "regression")
READOUTS = ("h_n", "last-output")


class ExportError(Exception):
    """The model cannot be exported as it is; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------
# Finding the layers
# ---------------------------------------------------------------------------------------------

def where(name, m):
    """How a message names a module: self.fc (Linear), or the model itself."""
    if not name:
        return "the model itself (%s)" % type(m).__name__
    return "self.%s (%s)" % (name, type(m).__name__)


def refuse(name, m, why):
    raise ExportError("rnnscope cannot run %s: %s.\n%s" % (where(name, m), why, SUPPORTED))


class Layers:
    """The model's layers by type, in registration order."""

    def __init__(self, model):
        self.embedding = None  # (name, module)
        self.recurrent = []    # [(name, module)]
        self.linear = []       # [(name, module)]
        self.activations = []  # [(name, module, activation, linears registered before it)]
        for name, m in model.named_modules():
            if isinstance(m, nn.Embedding):
                if self.embedding:
                    refuse(name, m, "the model has a second embedding (%s); rnnscope reads "
                           "one token stream" % where(*self.embedding))
                if m.max_norm is not None:
                    refuse(name, m, "max_norm rescales rows as they are looked up, and "
                           "rnnscope reads the rows as they are stored")
                self.embedding = (name, m)
            elif isinstance(m, (nn.RNN, nn.LSTM, nn.GRU)):
                if getattr(m, "proj_size", 0):
                    refuse(name, m, "proj_size=%d (an LSTM with projections) is not one of "
                           "rnnscope's cells" % m.proj_size)
                self.recurrent.append((name, m))
            elif isinstance(m, nn.Linear):
                self.linear.append((name, m))
            elif isinstance(m, CELLS):
                refuse(name, m, "a cell stepped by hand in forward() (rnnscope runs whole "
                       "nn.RNN / nn.LSTM / nn.GRU layers, whose loop it knows)")
            elif any(isinstance(m, t) for t, _ in ACTIVATION_MODULES):
                act = next(a for t, a in ACTIVATION_MODULES if isinstance(m, t))
                self.activations.append((name, m, act, len(self.linear)))
            elif isinstance(m, DROPOUTS):
                pass
            else:
                builtin = type(m).__module__.startswith("torch.")
                what = type(m).__name__
                if m is not model and ("attention" in what.lower() or
                                       "transformer" in what.lower()):
                    refuse(name, m, "attention is not part of an RNN rnnscope can show")
                if builtin and not isinstance(m, CONTAINERS):
                    refuse(name, m, "it is not one of the layers rnnscope runs")
                own = [n for n, _ in m.named_parameters(recurse=False)]
                if own:
                    refuse(name, m, "it holds parameters of its own (%s), used by forward() in "
                           "ways rnnscope cannot know" % ", ".join(own))
                # a container or a wrapper without parameters: its children are looked at
        if not self.recurrent:
            raise ExportError("%s has no nn.RNN, nn.LSTM or nn.GRU module.\n%s" % (
                type(model).__name__, SUPPORTED))


def rnn_cell(m):
    if isinstance(m, nn.LSTM):
        return "lstm"
    if isinstance(m, nn.GRU):
        return "gru"
    return "rnn"


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def recurrent_layers(found):
    """One entry per layer of every recurrent module: cell, sizes, activation, and where its
    weights are. Checks that each module reads what the one before it gives."""
    layers = []
    for name, m in found.recurrent:
        cell = rnn_cell(m)
        act = m.nonlinearity if cell == "rnn" else "tanh"
        D = 2 if m.bidirectional else 1
        if layers:
            prev = layers[-1]
            gives = prev["hidden_size"] * (2 if prev["bidirectional"] else 1)
            if m.input_size != gives:
                raise ExportError(
                    "%s reads %d values per step, but %s gives %d: forward() does something "
                    "between them that rnnscope cannot show.\n%s" % (
                        where(name, m), m.input_size, where(*prev["module"]), gives,
                        SUPPORTED))
        for k in range(m.num_layers):
            layers.append({"cell": cell, "activation": act, "hidden_size": m.hidden_size,
                           "bidirectional": bool(m.bidirectional), "module": (name, m),
                           "index": k, "bias": bool(m.bias),
                           "input_size": m.input_size if k == 0 else D * m.hidden_size})
    if len(layers) > MAX_LAYERS:
        raise ExportError("the model has %d recurrent layers; rnnscope runs up to %d.\n%s" % (
            len(layers), MAX_LAYERS, SUPPORTED))
    for L in layers:
        if L["hidden_size"] > MAX_SIZE or L["input_size"] > MAX_SIZE:
            raise ExportError("%s has %d inputs and %d units; rnnscope runs up to %d." % (
                where(*L["module"]), L["input_size"], L["hidden_size"], MAX_SIZE))
    return layers


def layer_output_size(L):
    return L["hidden_size"] * (2 if L["bidirectional"] else 1)


def assign_activations(found, n_linear):
    """The activation after each Linear, from where the activation modules were registered:
    between Linear j and j+1 it belongs to Linear j; after the last Linear, a softmax, log
    softmax or sigmoid is the head's. A ReLU or Tanh registered before the first Linear or
    after the last (models often declare self.relu once, at the top or the bottom) goes to
    the hidden Linears that have none. A guess, which the check verifies and the options
    override. Returns (dense [n_linear - 1] of (activation, module name) or None, head's)."""
    dense = [None] * max(n_linear - 1, 0)
    head = None
    floating = []
    for name, m, act, pos in found.activations:
        if act == "linear":  # nn.Identity
            continue
        if 1 <= pos < n_linear:
            if dense[pos - 1] is None:
                dense[pos - 1] = (act, name)
        elif act in ("softmax", "log_softmax", "sigmoid") and pos in (0, n_linear) and \
                head is None and n_linear:
            head = (act, name)
        else:
            floating.append((act, name))
    for act, name in floating:
        empty = [j for j in range(len(dense)) if dense[j] is None]
        if act not in ("softmax", "log_softmax") and empty:
            for j in empty:
                dense[j] = (act, name)
        elif head is None and n_linear:
            head = (act, name)
    return dense, head


# ---------------------------------------------------------------------------------------------
# Vocabulary and labels
# ---------------------------------------------------------------------------------------------

def words_from(vocab, what):
    """A list of words by index, or a dict index -> word, from the forms vocabularies take:
    a list; a dict word -> index (torchtext's stoi, word2idx, word_to_ix); a dict index ->
    word; a torchtext Vocab (get_itos / itos / get_stoi / stoi); a dict holding one of these
    under "itos", "stoi", "vocab", "word2idx", "word_to_ix" or "word_index"."""
    if hasattr(vocab, "get_itos"):
        return list(vocab.get_itos())
    if hasattr(vocab, "itos"):
        return list(vocab.itos)
    if hasattr(vocab, "get_stoi"):
        vocab = dict(vocab.get_stoi())
    elif hasattr(vocab, "stoi"):
        vocab = dict(vocab.stoi)
    if isinstance(vocab, (list, tuple)):
        return [str(w) for w in vocab]
    if isinstance(vocab, dict):
        for key in ("itos", "stoi", "vocab", "word2idx", "word_to_ix", "word_index"):
            if key in vocab and isinstance(vocab[key], (list, tuple, dict)) and len(vocab) <= 4:
                return words_from(vocab[key], what)
        if vocab and all(isinstance(v, int) and not isinstance(v, bool)
                         for v in vocab.values()):
            by_index = {}
            for w, i in vocab.items():
                if i < 0:
                    raise ExportError("%s: %r has index %d" % (what, w, i))
                if i in by_index:  # two spellings of one id: keep the first
                    continue
                by_index[i] = str(w)
            return by_index
        if vocab and all(isinstance(v, str) for v in vocab.values()) and \
                all(re.fullmatch(r"-?\d+", str(k)) for k in vocab):
            return {int(k): v for k, v in vocab.items()}
    raise ExportError("%s: expected a list of words, a dict word -> index (e.g. torchtext's "
                      "stoi) or a torchtext Vocab, got %s" % (what, type(vocab).__name__))


def read_list_file(path, what):
    """A vocabulary or label file: JSON (list or dict), one entry per line, or a torch.save'd
    object (.pt / .pth)."""
    if path.endswith((".pt", ".pth")):
        return torch.load(path, map_location="cpu")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except ValueError as e:
            raise ExportError("%s %s: not valid JSON: %s" % (what, path, e))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def build_vocab(vocab, V, padding_idx, unk, notes):
    """The vocabulary as rnnscope needs it: V distinct non-empty words, the word for each
    embedding row, and an entry for unknown words: "<unk>", another spelling of it, or a
    "<unk>" added after the last row (with a zero vector). Returns (words, index of the
    unknown-word entry); words has V + 1 entries when one was added."""
    got = words_from(vocab, "vocab")
    if isinstance(got, list):
        if len(got) > V:
            raise ExportError("vocab has %d words but the embedding has %d rows" % (len(got), V))
        by_index = dict(enumerate(got))
    else:
        by_index = got
        big = [i for i in by_index if i >= V]
        if big:
            raise ExportError("vocab gives %r the index %d but the embedding has %d rows "
                              "(0..%d)" % (by_index[big[0]], big[0], V, V - 1))
    words = [None] * V
    seen = {}
    for i in sorted(by_index):
        w = by_index[i]
        if not isinstance(w, str) or w == "":
            raise ExportError("vocab: the word at index %d is %r; rnnscope needs a non-empty "
                              "string for every word" % (i, w))
        if w in seen:
            raise ExportError("vocab: %r appears at index %d and at index %d" % (
                w, seen[w], i))
        seen[w] = i
        words[i] = w
    missing = [i for i in range(V) if words[i] is None]
    if missing:
        if padding_idx is not None and words[padding_idx] is None and "<pad>" not in seen:
            words[padding_idx] = "<pad>"
            seen["<pad>"] = padding_idx
        filled = 0
        for i in range(V):
            if words[i] is None:
                name = "<unused:%d>" % i
                while name in seen:
                    name += "'"
                words[i] = name
                seen[name] = i
                filled += 1
        notes.append("the vocabulary names %d of the embedding's %d rows; %s" % (
            V - len(missing), V, ", ".join(
                (["row %d (the padding index) is \"<pad>\"" % padding_idx]
                 if padding_idx is not None and padding_idx in missing else []) +
                (["%d more are \"<unused:N>\"" % filled] if filled else []))))
    if UNK not in seen:
        if unk is not None:
            if unk not in seen:
                raise ExportError("--unk %r: the vocabulary has no such word" % unk)
            spelling = unk
        else:
            spelling = next((s for s in UNK_SPELLINGS if s in seen), None)
        if spelling is not None:
            unk_index = seen[spelling]
        else:
            words.append(UNK)
            unk_index = V
            notes.append("the vocabulary has no \"<unk>\": one is added as word %d with a zero "
                         "vector, so that rnnscope can read words it does not know (the "
                         "model's own ids are unchanged; --unk WORD names an existing entry "
                         "to use instead)" % V)
    else:
        unk_index = seen[UNK]
        if unk is not None and unk != UNK:
            raise ExportError("--unk %r: the vocabulary already has \"<unk>\" (index %d)" % (
                unk, unk_index))
    if len(words) > MAX_VOCAB:
        raise ExportError("the vocabulary has %d words; rnnscope reads up to %d" % (
            len(words), MAX_VOCAB))
    untypable = [w for i, w in enumerate(words) if i != unk_index and tokenize(w) != [w] and
                 not (w[:1] in "<[" and w[-1:] in ">]")]  # <pad>, [CLS]: not meant to be typed
    if untypable:
        notes.append("%d word(s) can never come out of rnnscope's tokenizer, which splits on "
                     "spaces, splits punctuation off and lowercases A-Z (e.g. %s); "
                     "--ids still reaches them" % (
                         len(untypable), ", ".join(repr(w) for w in untypable[:3])))
    return words, unk_index


def build_labels(labels, K, what="labels"):
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = [s.strip() for s in labels.split(",")]
    got = words_from(labels, what)
    if isinstance(got, dict):
        if sorted(got) != list(range(len(got))):
            raise ExportError("%s: the indices are not 0..%d" % (what, len(got) - 1))
        got = [got[i] for i in range(len(got))]
    for i, w in enumerate(got):
        if w == "":
            raise ExportError("%s: label %d is empty" % (what, i))
    if len(set(got)) != len(got):
        raise ExportError("%s: a label appears twice: %s" % (what, ", ".join(got)))
    return got


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------

def tensor_list(t, what):
    t = t.detach().to("cpu", torch.float64)
    if not torch.isfinite(t).all():
        raise ExportError("%s holds a value that is not finite (NaN or infinity)" % what)
    return t.tolist()


def model_text(d):
    """The model as JSON text, one matrix row per line; numbers are Python's shortest
    round-trip repr, so strtod reads back exactly the doubles written."""
    out = ["{"]
    keys = [k for k in d if k != "params"]
    for k in keys:
        out.append("  %s: %s," % (json.dumps(k), json.dumps(d[k], ensure_ascii=False)))
    out.append('  "params": {')
    names = list(d["params"])
    for i, name in enumerate(names):
        v = d["params"][name]
        end = "," if i + 1 < len(names) else ""
        if v and isinstance(v[0], list):
            rows = ",\n      ".join(json.dumps(r) for r in v)
            out.append("    %s: [\n      %s\n    ]%s" % (json.dumps(name), rows, end))
        else:
            out.append("    %s: %s%s" % (json.dumps(name), json.dumps(v), end))
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def write_atomic(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".export.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        mask = os.umask(0)  # mkstemp makes the file private; give it the usual mode
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------------
# The reference: the file run with standard torch modules, as rnnscope reads it
# ---------------------------------------------------------------------------------------------

def apply_activation(act, x):
    if act == "softmax":
        return torch.softmax(x, dim=-1)
    if act == "sigmoid":
        return torch.sigmoid(x)
    if act == "relu":
        return torch.relu(x)
    if act == "tanh":
        return torch.tanh(x)
    return x


def file_layers(d):
    if d["version"] == 1:
        return [{"cell": d["cell"], "hidden_size": d["hidden_size"],
                 "bidirectional": d.get("bidirectional", False),
                 "activation": d.get("nonlinearity", "tanh")}] * d.get("num_layers", 1)
    return d["layers"]


def tensors(d):
    """The file's params as float64 tensors, made once per file dict."""
    P = d.get("_tensors")
    if P is None:
        P = {k: torch.tensor(v, dtype=torch.float64) for k, v in d["params"].items()}
        d["_tensors"] = P
    return P


def reference(d, x):
    """Runs the model file d on x: (B, T) token ids or (B, T, I) vectors. Returns a dict of
    float64 tensors: "outputs" [(B, T, D*H)] per layer, "h_n" [(B, D*H)] per layer, "c_n"
    (LSTM layers, else None), "feature" (what the first Linear reads), "logits", "probs"."""
    P = tensors(d)
    h = F.embedding(x, P["embedding.weight"]) if "embedding.weight" in P else x
    outs, hns, cns = [], [], []
    for k, L in enumerate(file_layers(d)):
        cell, H, bi = L["cell"], L["hidden_size"], bool(L.get("bidirectional", False))
        kw = dict(input_size=h.shape[-1], hidden_size=H, num_layers=1, bidirectional=bi,
                  batch_first=True)
        mod = (nn.LSTM(**kw) if cell == "lstm" else nn.GRU(**kw) if cell == "gru" else
               nn.RNN(nonlinearity=L.get("activation", "tanh"), **kw)).double()
        with torch.no_grad():
            for suffix in (["", "_reverse"] if bi else [""]):
                for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(mod, "%s_l0%s" % (w, suffix)).copy_(
                        P["rnn.%s_l%d%s" % (w, k, suffix)])
            out, state = mod(h)
        hn, cn = state if cell == "lstm" else (state, None)
        cat = (lambda s: torch.cat([s[0], s[1]], dim=-1)) if bi else (lambda s: s[0])
        outs.append(out)
        hns.append(cat(hn))
        cns.append(cat(cn) if cn is not None else None)
        h = out
    r = {"outputs": outs, "h_n": hns, "c_n": cns}
    head = d.get("head")
    each = head is not None and head["kind"] == "many-to-many"
    r["feature"] = outs[-1] if each else hns[-1]
    if head is None:
        return r
    f = r["feature"]
    for j, dense in enumerate(d.get("dense", [])):
        f = apply_activation(dense["activation"],
                             F.linear(f, P["dense.%d.weight" % j], P["dense.%d.bias" % j]))
    r["logits"] = F.linear(f, P["head.weight"], P["head.bias"])
    act = head.get("activation") or ("linear" if head["kind"] == "regression" else "softmax")
    r["probs"] = apply_activation(act, r["logits"])
    return r


# ---------------------------------------------------------------------------------------------
# Running the user's module
# ---------------------------------------------------------------------------------------------

LAYOUT_TEXT = {"batch-first": "(batch, steps)", "seq-first": "(steps, batch)",
               "one-by-one": "one sequence at a time"}


class Caller:
    """Calls forward() the way its signature asks: forward(x), forward(x, lengths) (the
    lengths of the sequences, all full: packing them changes nothing) or forward(x, hidden)
    (None, or the model's init_hidden(batch), which must be zeros: rnnscope starts every
    layer at zero)."""

    def __init__(self, model, dtype):
        self.model = model
        self.dtype = dtype
        try:
            sig = inspect.signature(model.forward)
        except (TypeError, ValueError):
            sig = None
        self.extra = []
        if sig is None:
            return
        params = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        required = [p for p in params if p.default is p.empty]
        if not params:
            return
        for p in required[1:]:
            n = p.name.lower()
            if "len" in n:
                self.extra.append("lengths")
            elif re.search(r"hid|state|h0|hc|init", n):
                self.extra.append("hidden")
            else:
                raise ExportError(
                    "forward%s needs %r besides the tokens; rnnscope runs a model on one "
                    "sequence of tokens (or vectors) and nothing else, so it cannot know "
                    "what that argument does. Supported forms: forward(x), forward(x, "
                    "lengths), forward(x, hidden)." % (sig, p.name))

    def __call__(self, x, layout, batch_size, steps):
        args = [x]
        for e in self.extra:
            if e == "lengths":
                args.append(torch.full((batch_size,), steps, dtype=torch.long))
            else:
                args.append(self.initial_state(batch_size))
        return self.model(*args)

    def initial_state(self, batch_size):
        init = getattr(self.model, "init_hidden", None)
        if init is None:
            return None
        try:
            s = init(batch_size)
        except TypeError:
            s = init()
        def zeros(t):
            if isinstance(t, (tuple, list)):
                return type(t)(zeros(u) for u in t)
            if torch.is_tensor(t):
                if t.abs().max().item() != 0.0:
                    raise ExportError("init_hidden() gives a state that is not zero; "
                                      "rnnscope starts every layer at zero")
                return t.to("cpu", self.dtype)
            return t
        return zeros(s)


def first_tensor(out):
    if torch.is_tensor(out):
        return out
    if isinstance(out, (tuple, list)) and out and torch.is_tensor(out[0]):
        return out[0]
    if isinstance(out, (tuple, list)) and out:
        return first_tensor(out[0])
    raise ExportError("forward() returned %s; the exporter needs a tensor (or a tuple whose "
                      "first item is the output tensor)" % type(out).__name__)


def normalize_output(y, layout, B, T, K, prefer=None):
    """forward()'s output as ("one", (B, K)) or ("each", (B, T, K)), or None when its shape
    says neither. y is for a batch of B sequences of T steps (for "one-by-one", the B outputs
    stacked). prefer: the mode to take when the shape fits both (T = 1)."""
    found = list(output_shapes(y, layout, B, T, K))
    for mode, out in found:
        if mode == prefer:
            return mode, out
    return found[0] if found else None


def output_shapes(y, layout, B, T, K):
    """Every reading of y's shape: ("one", (B, K)) and ("each", (B, T, K)) tensors."""
    s = tuple(y.shape)
    if layout == "one-by-one":  # y: (B, *shape of one sequence's output)
        inner = s[1:]
        if inner in ((K,), (1, K)):
            yield "one", y.reshape(B, K)
        if K == 1 and inner in ((), (1,)):
            yield "one", y.reshape(B, 1)
        if inner in ((T, K), (T, 1, K), (1, T, K)):
            yield "each", y.reshape(B, T, K)
        if K == 1 and inner == (T,):
            yield "each", y.reshape(B, T, 1)
        return
    if s == (B, K):
        yield "one", y
    if K == 1 and s == (B,):
        yield "one", y.reshape(B, 1)
    if layout == "batch-first":
        if s == (B, T, K):
            yield "each", y
        if s == (B * T, K):
            yield "each", y.reshape(B, T, K)
        if K == 1 and s == (B, T):
            yield "each", y.reshape(B, T, 1)
    else:
        if s == (T, B, K):
            yield "each", y.transpose(0, 1)
        if s == (T * B, K):
            yield "each", y.reshape(T, B, K).transpose(0, 1)
        if K == 1 and s == (T, B):
            yield "each", y.transpose(0, 1).reshape(B, T, 1)


def run_module(caller, x, layout):
    """Runs forward() on x (B, T) ids or (B, T, I) vectors in the given layout; returns its
    output tensor (B stacked outputs for one-by-one)."""
    B, T = x.shape[0], x.shape[1]
    if layout == "batch-first":
        return first_tensor(caller(x, layout, B, T))
    if layout == "seq-first":
        return first_tensor(caller(x.transpose(0, 1).contiguous(), layout, B, T))
    return torch.stack([first_tensor(caller(x[b], layout, 1, T)) for b in range(B)])


# ---------------------------------------------------------------------------------------------
# Comparing, and saying what differs
# ---------------------------------------------------------------------------------------------

def max_diff(a, b):
    """The largest |a - b| / max(1, |b|), or inf when the shapes differ."""
    if a is None or b is None or a.shape != b.shape:
        return math.inf
    d = ((a - b).abs() / b.abs().clamp(min=1.0)).max().item() if a.numel() else 0.0
    return d if d == d else math.inf


def relations(act, logits, probs):
    """How forward()'s output may relate to what rnnscope shows (probs = act(logits)): it may
    be the logits themselves (the usual training set-up: CrossEntropyLoss, BCEWithLogitsLoss,
    MSELoss), act(logits), or log act(logits) (LogSoftmax + NLLLoss). (name, expected)."""
    out = [("logits", logits)]
    if act in ("softmax", "sigmoid", "relu", "tanh"):
        out.append(({"softmax": "softmax", "sigmoid": "sigmoid"}.get(act, act) +
                     " of the logits", probs))
    if act == "softmax":
        out.append(("log-softmax of the logits", torch.log_softmax(logits, dim=-1)))
    if act == "sigmoid":
        out.append(("log-sigmoid of the logits", F.logsigmoid(logits)))
    return out


class Plan:
    """What the export says about the model: the choices that forward() could contradict."""

    def __init__(self, readout, dense_acts, head_act, expand):
        self.readout = readout        # "h_n", "outputs", "last-output"
        self.dense_acts = dense_acts  # [act] per hidden Linear
        self.head_act = head_act      # rnnscope's head activation
        self.expand = expand          # one sigmoid output written as two softmax classes


def head_view(plan, logits, probs):
    """The reference's logits and probabilities as the model's own head has them: one sigmoid
    output written as two softmax classes [0, z] is z and σ(z) again."""
    if plan.expand:
        return logits[..., 1:] - logits[..., :1], probs[..., 1:], "sigmoid"
    return logits, probs, plan.head_act


def compare(plan, mode, y, ref):
    """(relation name, difference) of the best match of forward()'s output y (mode "one" or
    "each") with the reference, or (None, difference)."""
    if "logits" not in ref:  # no Linear: forward() returns the top layer's states
        want = ref["outputs"][-1] if mode == "each" else ref["h_n"][-1]
        return ("the top layer's %s" % ("outputs" if mode == "each" else "h_n"),
                max_diff(y, want))
    logits, probs, act = head_view(plan, ref["logits"], ref["probs"])
    if plan.readout == "last-output" and mode == "one":
        logits, probs = logits[:, -1], probs[:, -1]
    elif (mode == "each") != (logits.dim() == 3):
        return None, math.inf
    best = (None, math.inf)
    for name, want in relations(act, logits, probs):
        d = max_diff(y, want)
        if name == "logits" and d != math.inf:  # also what rnnscope shows from them
            d = max(d, max_diff(apply_activation(act, y), probs))
        if d < best[1]:
            best = (name, d)
    return best


def diagnose(layers, found, plan, mode, y, x, d, tol):
    """What forward() most likely does differently, found by trying the readouts, hidden
    activations and output activations rnnscope knows (fewest changes first). A message."""
    P = tensors(d)
    ref = reference(d, x)
    outs, hns, cns = ref["outputs"], ref["h_n"], ref["c_n"]
    top = outs[-1]
    bi = layers[-1]["bidirectional"]
    Ftop = top.shape[-1]
    feats = []  # (name, tensor, fixable readout or None)
    if mode == "each":
        feats.append(("outputs", top, "outputs"))
    else:
        feats.append(("h_n", hns[-1], "h_n"))
        feats.append(("last-output", top[:, -1], "last-output"))
        feats.append(("first-output", top[:, 0], None))
        feats.append(("mean", top.mean(dim=1), None))
        feats.append(("max", top.max(dim=1).values, None))
        if cns[-1] is not None:
            feats.append(("c_n", cns[-1], None))
        for l in range(len(hns) - 1):
            if hns[l].shape[-1] == Ftop:
                feats.append(("h_n of layer %d" % l, hns[l], None))
    n_dense = len(plan.dense_acts)
    has_head = "head.weight" in P
    if not has_head:
        return ("forward()'s output is not the top layer's %s: it does something rnnscope "
                "cannot show" % ("outputs" if mode == "each" else "h_n"))
    Wh, bh = P["head.weight"], P["head.bias"]
    if plan.expand:
        Wh, bh = Wh[1:] - Wh[:1], bh[1:] - bh[:1]
    combos = list(itertools.product(DENSE_ACTIVATIONS, repeat=n_dense)) if n_dense <= 4 else \
        [tuple(plan.dense_acts)]
    outs_acts = ["linear", "softmax", "log_softmax", "sigmoid", "log_sigmoid", "relu", "tanh"]
    found_fix = None
    for fname, feat, fix in feats:
        for acts in combos:
            f = feat
            for j, a in enumerate(acts):
                f = apply_activation(a, F.linear(f, P["dense.%d.weight" % j],
                                                 P["dense.%d.bias" % j]))
            z = F.linear(f, Wh, bh)
            for oa in outs_acts:
                want = (torch.log_softmax(z, -1) if oa == "log_softmax" else
                        F.logsigmoid(z) if oa == "log_sigmoid" else apply_activation(oa, z))
                if max_diff(y, want) <= tol:
                    changes = (fname != {"each": "outputs"}.get(mode, "h_n")) + \
                        sum(a != b for a, b in zip(acts, plan.dense_acts))
                    if found_fix is None or changes < found_fix[0]:
                        found_fix = (changes, fname, fix, acts, oa)
    if found_fix is None:
        return None
    _, fname, fix, acts, oa = found_fix
    lines = []
    if fname == "last-output" and bi:
        lines.append(
            "forward() reads out[:, -1, :], the top layer's output at the last word. For a "
            "bidirectional layer that is not PyTorch's h_n: its backward half has read only "
            "the last word, while h_n (hidden[-2], hidden[-1]) holds the backward state after "
            "reading back to the first. rnnscope can show this readout as a prediction at "
            "every word, the last one being your model's: add --readout last-output "
            "(readout=\"last-output\"), or use h_n in forward() and retrain.")
    elif fname != "h_n" and fname != "outputs":
        what = {"first-output": "out[:, 0, :], the output at the first word",
                "mean": "the mean of the outputs over the words (mean pooling)",
                "max": "the maximum of the outputs over the words (max pooling)",
                "c_n": "the LSTM's cell state c_n instead of h_n"}.get(
                    fname, "%s instead of the top layer's" % fname)
        lines.append("forward() reads %s, which rnnscope cannot show: it reads h_n of the "
                     "top layer (many-to-one) or the output at every word (many-to-many)."
                     % what)
    for j, (a, b) in enumerate(zip(acts, plan.dense_acts)):
        if a != b:
            lines.append("forward() applies %s to the output of %s, but no %s module is "
                         "registered there (F.%s or torch.%s in forward()): add "
                         "--dense-activation %s (dense_activation=%r)." % (
                             a, where(*found.linear[j]),
                             {"relu": "nn.ReLU", "tanh": "nn.Tanh", "sigmoid": "nn.Sigmoid",
                              "linear": "nn.Identity"}[a], a, a, ",".join(acts),
                             list(acts)))
    if oa not in ("linear",):
        want_act = {"log_softmax": "softmax", "log_sigmoid": "sigmoid"}.get(oa, oa)
        head_act = "sigmoid" if plan.expand else plan.head_act
        if want_act != head_act:
            calls = {"softmax": "torch.softmax or F.softmax",
                     "log_softmax": "torch.log_softmax or F.log_softmax",
                     "sigmoid": "torch.sigmoid or F.sigmoid",
                     "log_sigmoid": "F.logsigmoid", "relu": "torch.relu or F.relu",
                     "tanh": "torch.tanh"}[oa]
            lines.append("forward() applies %s to the last Linear's output (%s, without a "
                         "module): add --head-activation %s (head_activation=%r)."
                         % (oa.replace("_", "-"), calls, want_act, want_act))
    if not lines:
        return None
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------

def export(module, vocab=None, labels=None, path=None, *, name=None, kind=None,
           head_activation=None, dense_activation=None, readout=None, unk=None,
           log=print):
    """Exports module (an nn.Module) to the rnnscope-model file `path` and returns the model as
    a dict. vocab: the word of each embedding row (a list, a dict word -> index such as
    torchtext's stoi, or a torchtext Vocab); labels: the head's outputs (a list, "a,b,c", or a
    dict label -> index). The other arguments say what forward() does when the module's
    layers do not show it: kind ("many-to-one", "many-to-many", "regression"),
    head_activation ("softmax", "sigmoid", "linear", "relu", "tanh"), dense_activation (one
    per hidden Linear, a list or "relu,tanh"), readout ("h_n" or "last-output"); unk: the
    vocabulary's word for unknown words. Raises ExportError when the model cannot be written
    or the check fails; the file is written only when it passes."""
    if not isinstance(module, nn.Module):
        raise ExportError("expected an nn.Module, got %s" % type(module).__name__)
    if hasattr(module, "_c") and type(module).__name__.startswith("Recursive"):
        raise ExportError("a TorchScript module: export the Python model instead")
    for value, allowed, what in ((kind, KINDS, "kind"), (head_activation, HEAD_ACTIVATIONS,
                                 "head_activation"), (readout, READOUTS, "readout")):
        if value is not None and value not in allowed:
            raise ExportError("%s must be one of %s, got %r" % (what, ", ".join(allowed), value))
    if isinstance(dense_activation, str):
        dense_activation = [a.strip() for a in dense_activation.split(",")]
    for a in dense_activation or []:
        if a not in DENSE_ACTIVATIONS:
            raise ExportError("dense_activation: %r is not one of %s" % (
                a, ", ".join(DENSE_ACTIVATIONS)))

    was_training = module.training
    try:
        return export_checked(module, vocab, labels, path, name, kind, head_activation,
                              dense_activation, readout, unk, log)
    finally:
        module.train(was_training)


def export_checked(module, vocab, labels, path, name, kind, head_activation, dense_activation,
                   readout, unk, log):
    found = Layers(module)
    layers = recurrent_layers(found)
    notes = []
    emb = found.embedding
    E = emb[1].embedding_dim if emb else layers[0]["input_size"]
    if emb and emb[1].embedding_dim != layers[0]["input_size"]:
        raise ExportError("%s gives vectors of %d but %s reads %d: forward() does something "
                          "between them that rnnscope cannot show.\n%s" % (
                              where(*emb), emb[1].embedding_dim, where(*layers[0]["module"]),
                              layers[0]["input_size"], SUPPORTED))
    if E > MAX_SIZE:
        raise ExportError("inputs of %d values; rnnscope reads up to %d" % (E, MAX_SIZE))
    if labels is not None and not found.linear:
        raise ExportError("labels were given but the model has no nn.Linear layer to name")
    if vocab is not None and not emb:
        raise ExportError("a vocabulary was given but the model has no nn.Embedding: it reads "
                          "vectors")

    # the Linear layers: hidden ones, then the head
    Ftop = layer_output_size(layers[-1])
    lin = found.linear
    if len(lin) > MAX_DENSE + 1:
        raise ExportError("the model has %d Linear layers; rnnscope runs up to %d (%d hidden "
                          "and the output layer).\n%s" % (len(lin), MAX_DENSE + 1, MAX_DENSE,
                                                          SUPPORTED))
    width = Ftop
    for j, (lname, m) in enumerate(lin):
        if m.in_features != width:
            if j == 0:
                top = layers[-1]
                if top["bidirectional"] and m.in_features == top["hidden_size"]:
                    why = ("it reads %d values, one direction of the bidirectional %s "
                           "(hidden[-1] alone?); rnnscope reads both (%d: torch.cat((hidden[-2],"
                           " hidden[-1]), dim=1), or the output at each word)" % (
                               m.in_features, where(*top["module"]), Ftop))
                else:
                    why = ("it reads %d values but the top recurrent layer gives %d (h_n, or "
                           "the output at each word): forward() feeds it something else (a "
                           "concatenation, pooling, attention), which rnnscope cannot show" % (
                               m.in_features, Ftop))
            else:
                why = "it reads %d values but %s gives %d" % (
                    m.in_features, where(*lin[j - 1]), width)
            refuse(lname, m, why)
        if m.out_features > MAX_SIZE:
            raise ExportError("%s has %d outputs; rnnscope runs up to %d" % (
                where(lname, m), m.out_features, MAX_SIZE))
        width = m.out_features
    dense_found, head_found = assign_activations(found, len(lin))
    n_dense = max(len(lin) - 1, 0)
    if dense_activation is not None:
        if len(dense_activation) != n_dense:
            raise ExportError("dense_activation gives %d activation(s) but the model has %d "
                              "hidden Linear layer(s)%s" % (
                                  len(dense_activation), n_dense,
                                  " (%s)" % ", ".join(where(*l) for l in lin[:-1])
                                  if n_dense else ""))
        dense_acts = list(dense_activation)
    else:
        dense_acts = [a[0] if a else "linear" for a in dense_found]
        for j, a in enumerate(dense_found):
            if a is not None and a[0] not in DENSE_ACTIVATIONS:
                raise ExportError("self.%s after %s: a hidden Linear layer's activation is one "
                                  "of %s (--dense-activation says which one forward() "
                                  "applies)." % (a[1], where(*lin[j]),
                                                 ", ".join(DENSE_ACTIVATIONS)))
    K = lin[-1][1].out_features if lin else Ftop

    # the labels, and what the head shows
    label_list = build_labels(labels, K)
    head_act = head_activation
    if head_act is None and head_found is not None:
        head_act = {"log_softmax": "softmax"}.get(head_found[0], head_found[0])
    if head_act is None and lin:
        if kind == "regression":
            head_act = "linear"
        elif K == 1:
            head_act = "sigmoid" if label_list and len(label_list) == 2 else "linear"
        else:
            head_act = "softmax"
    if kind == "regression" and head_act in ("softmax", "sigmoid"):
        raise ExportError("kind regression gives numbers, not %s probabilities" % head_act)
    if head_act == "softmax" and K < 2:
        raise ExportError("a softmax over one output is always 1: use head_activation "
                          "sigmoid (a yes/no classifier) or linear (regression)")
    expand = bool(lin) and head_act == "sigmoid" and K == 1 and \
        (label_list is None or len(label_list) == 2)

    # how forward() reads: run it once to see its output's shape and the input layout it takes
    V = emb[1].num_embeddings if emb else None
    B, T = pick_sizes(K)
    gen = torch.Generator().manual_seed(12345)
    x0 = random_inputs(gen, B, T, V, E)
    bf = getattr(layers[0]["module"][1], "batch_first", False)
    order = ["batch-first", "seq-first", "one-by-one"] if bf else \
        ["seq-first", "batch-first", "one-by-one"]

    def probe(caller, dtype):
        tried, shaped = [], []  # shaped: (layout, mode, y)
        with float64_default(dtype):
            for layout in order:
                try:
                    with torch.no_grad():
                        y = run_module(caller, x0.to(dtype) if V is None else x0, layout)
                except ExportError:
                    raise
                except Exception as e:  # the user's forward() failed on this layout
                    tried.append("input %s: %s: %s" % (LAYOUT_TEXT[layout], type(e).__name__,
                                                 str(e).strip().split("\n")[0]))
                    continue
                got = normalize_output(y.to(torch.float64), layout, B, T, K)
                if got is None:
                    tried.append("input %s: forward() gave an output of shape %s for %d "
                                 "sequences of %d steps; expected (%d, %d) (one output per "
                                 "sequence) or one per step" % (
                                     LAYOUT_TEXT[layout], tuple(y.shape), B, T, B, K))
                    continue
                shaped.append((layout, got[0], got[1]))
        return tried, shaped

    work, dtype, tol = float64_copy(module)
    caller = Caller(work, dtype)
    tried, shaped = probe(caller, dtype)
    if not shaped and dtype == torch.float64:  # forward() may make float32 tensors itself
        try:
            work32 = copy.deepcopy(module).to("cpu", torch.float32).eval()
        except Exception:
            work32 = None
        if work32 is not None:
            caller32 = Caller(work32, torch.float32)
            tried32, shaped = probe(caller32, torch.float32)
            if shaped:
                caller, dtype, tol, tried = caller32, torch.float32, CHECK_TOL_FLOAT32, tried32
    if not shaped:
        raise ExportError("forward() could not be run on %s of shape (batch, steps%s) or "
                          "(steps, batch%s), nor on one sequence at a time:\n  %s" % (
                              "token ids" if V is not None else "input vectors",
                              "" if V is not None else ", %d" % E,
                              "" if V is not None else ", %d" % E, "\n  ".join(tried)))

    # the readout and the kind follow from the output's shape (and the options)
    def plan_for(mode):
        if mode == "each":
            rd = "outputs"
        elif readout == "last-output" and layers[-1]["bidirectional"]:
            rd = "last-output"
        else:
            rd = "h_n"
        return Plan(rd, dense_acts, head_act, expand)

    def kind_for(mode, plan):
        if not lin:
            return None
        if kind is not None:
            return kind
        if plan.readout in ("outputs", "last-output"):
            return "many-to-many"
        return "regression" if head_act in ("linear", "relu", "tanh") else "many-to-one"

    # the file, for the first layout that ran; rebuilt only if the kind changes with the layout
    def build(mode):
        plan = plan_for(mode)
        k = kind_for(mode, plan)
        if k == "many-to-many" and mode == "one" and plan.readout != "last-output":
            raise ExportError("kind many-to-many, but forward() gives one output per sequence")
        if k in ("many-to-one", "regression") and mode == "each":
            raise ExportError("kind %s, but forward() gives one output per word (use kind "
                              "many-to-many)" % k)
        d, info = model_dict(module, found, layers, emb, lin, dense_acts, head_act, k, expand,
                             label_list, vocab, unk, name)
        text = model_text(d)
        return plan, k, json.loads(text), text, info  # the check reads what was written

    # check: forward() against the file, on several batches
    checks = [(B, T), (2, 1), (4, 2), (3, 13)]
    batches = [x0] + [random_inputs(gen, b, t, V, E) for b, t in checks[1:]]
    failures = []
    built = {}
    for layout, mode, y0 in shaped:
        if mode not in built:
            built[mode] = build(mode)
        plan, k, d, text, info = built[mode]
        worst, rel, ok = 0.0, None, True
        for i, x in enumerate(batches):
            if i == 0:
                y = y0
            else:
                with float64_default(dtype), torch.no_grad():
                    try:
                        y = run_module(caller, x.to(dtype) if V is None else x, layout)
                    except Exception as e:
                        ok = False
                        failures.append((layout, mode, None, "forward() failed on %d "
                                         "sequence(s) of %d step(s): %s" % (
                                             x.shape[0], x.shape[1], e), y0, x0, plan, d))
                        break
                got = normalize_output(y.to(torch.float64), layout, x.shape[0], x.shape[1], K,
                                       prefer=mode)
                if got is None or got[0] != mode:
                    ok = False
                    failures.append((layout, mode, None, "forward() gave an output of shape "
                                     "%s for %d sequence(s) of %d step(s)" % (
                                         tuple(y.shape), x.shape[0], x.shape[1]), y0, x0, plan,
                                     d))
                    break
                y = got[1]
            ref = reference(d, x)
            r, diff = compare(plan, mode, y, ref)
            if r is None or diff > tol or (rel is not None and r != rel):
                ok = False
                failures.append((layout, mode, diff, None, y, x, plan, d))
                break
            rel = r
            worst = max(worst, diff)
        if ok:
            break
    else:
        raise ExportError(failure_message(module, layers, found, failures, tol))

    notes.extend(info)
    if plan.readout == "last-output":
        notes.append("forward() reads the output at the last word (out[:, -1, :]), which "
                     "for a bidirectional layer is not h_n: rnnscope shows a prediction at "
                     "every word, and the one at the last word is the model's")
    total = sum(b for b, _ in checks)
    what_shown = ("rnnscope shows " + (
        "softmax of them" if head_act == "softmax" and not expand else
        "σ of it as two classes" if expand else
        head_act + " of them" if head_act in ("sigmoid", "relu", "tanh") else
        "them as they are")) if lin else ""
    d.pop("_tensors", None)
    if path is not None:
        write_atomic(path, text)
    if log:
        summary(log, module, d, path, layers, found, emb, lin, dense_acts, k, head_act, expand,
                notes)
        log(wrap("  check      forward() (input %s, %s) and the exported model agree on %d random "
            "sequences of 1 to 13 steps: largest difference %.3g%s" % (
                LAYOUT_TEXT[layout],
                "returns %s; %s" % (rel, what_shown) if lin else "returns " + rel,
                total, worst, "" if dtype == torch.float64 else
                " (in float32: forward() does not run in float64)")))
    return d


def wrap(line):
    """A summary line folded at 100 columns under its text."""
    return textwrap.fill(line, width=100, subsequent_indent=" " * 13,
                         break_long_words=False, break_on_hyphens=False)


def summary(log, module, d, path, layers, found, emb, lin, dense_acts, k, head_act, expand,
            notes):
    def say(line):
        log(wrap(line))

    say("%s -> %s (rnnscope-model version %d)" % (type(module).__name__, path or "(not written)",
                                                   d["version"]))
    if emb:
        m = emb[1]
        say("  embedding  %s: %d rows of %d%s" % (
            where(*emb), m.num_embeddings, m.embedding_dim,
            ", padding index %d" % m.padding_idx if m.padding_idx is not None else ""))
    else:
        say("  inputs     vectors of %d values (no embedding)" % layers[0]["input_size"])
    for i, L in enumerate(layers):
        say("  layer %d    %s%s: %s%s, %d units%s" % (
            i, where(*L["module"]), " layer %d" % L["index"] if L["module"][1].num_layers > 1
            else "", L["cell"].upper() if L["cell"] != "rnn" else "RNN",
            " (relu)" if L["cell"] == "rnn" and L["activation"] == "relu" else "",
            L["hidden_size"], ", bidirectional" if L["bidirectional"] else ""))
    for j, (n, m) in enumerate(lin[:-1]):
        say("  dense %d    %s: %d units, %s" % (j, where(n, m), m.out_features, dense_acts[j]))
    if lin:
        h = d["head"]
        say("  head       %s: %s, %s%s, labels %s" % (
            where(*lin[-1]), k, head_act if not expand else "sigmoid (written as two softmax "
            "classes [0, z])", "", ", ".join(h["labels"])))
    for n in notes:
        say("  note       " + n)


def default_labels(K, regression):
    if regression:
        return ["target"] if K == 1 else ["target%d" % i for i in range(K)]
    return ["class%d" % i for i in range(K)]


def model_dict(module, found, layers, emb, lin, dense_acts, head_act, k, expand, label_list,
               vocab, unk, name):
    """The rnnscope-model dict (version 1 when the model fits it) and notes about it."""
    info = []
    words, unk_index = None, None
    if emb and vocab is not None:
        words, unk_index = build_vocab(vocab, emb[1].num_embeddings, emb[1].padding_idx, unk,
                                       info)
    elif emb:
        info.append("no vocabulary given: rnnscope runs the model on token ids (--ids 4,8,15)")
    n_dense = len(dense_acts)
    K = lin[-1][1].out_features if lin else 0
    labels = None
    if lin:
        Kw = 2 if expand else K
        labels = label_list
        if labels is None:
            labels = default_labels(Kw, head_act in ("linear", "relu", "tanh"))
            if expand:
                labels = ["negative", "positive"]
            info.append("no labels given: the outputs are called %s" % ", ".join(labels))
        elif len(labels) != Kw:
            raise ExportError("%d label(s) given (%s) but %s has %d output(s)%s" % (
                len(labels), ", ".join(labels), where(*lin[-1]), K,
                "; a single sigmoid output takes two labels (no, yes)" if expand else ""))
        if expand:
            info.append("the single sigmoid output σ(z) is written as two softmax classes with "
                        "logits [0, z] (softmax([0, z]) = [1 - σ(z), σ(z)]), so rnnscope shows "
                        "both: %s and %s" % tuple(labels))
    uniform = all(L["cell"] == layers[0]["cell"] and L["hidden_size"] == layers[0]["hidden_size"]
                  and L["bidirectional"] == layers[0]["bidirectional"]
                  and L["activation"] == layers[0]["activation"] for L in layers)
    default_act = None if not lin else ("linear" if k == "regression" else "softmax")
    v1 = (len(found.recurrent) == 1 and uniform and n_dense == 0 and
          (not emb or words is not None) and
          (not lin or ((head_act if not expand else "softmax") == default_act and
                       (k != "many-to-many" or default_act == "softmax"))))
    d = {"format": FORMAT, "version": 1 if v1 else 2,
         "name": name or type(module).__name__}
    L0 = layers[0]
    if v1:
        d.update({"cell": L0["cell"], "nonlinearity": L0["activation"],
                  "input_size": L0["input_size"], "hidden_size": L0["hidden_size"],
                  "num_layers": len(layers), "bidirectional": L0["bidirectional"]})
    else:
        d["framework"] = "pytorch"
        d["input_size"] = L0["input_size"]
    if words is not None:
        if words[unk_index] != UNK and v1:  # version 1 knows the entry by this name only
            info.append("the unknown-word entry %r (index %d) is written as \"<unk>\", the "
                        "name rnnscope gives it" % (words[unk_index], unk_index))
            words = list(words)
            words[unk_index] = UNK
        d["vocab"] = words
        if words[unk_index] != UNK:
            d["unk"] = words[unk_index]
    elif emb and not v1:
        d["vocab_size"] = emb[1].num_embeddings
    if not v1:
        if emb:
            d["mask_zero"] = False
        d["layers"] = []
        for L in layers:
            e = {"cell": L["cell"], "hidden_size": L["hidden_size"],
                 "bidirectional": L["bidirectional"]}
            if L["bidirectional"]:
                e["merge"] = "concat"
            e["activation"] = L["activation"]
            if L["cell"] != "rnn":
                e["recurrent_activation"] = "sigmoid"
            if L["cell"] == "gru":
                e["reset_after"] = True
            d["layers"].append(e)
        if n_dense:
            d["dense"] = [{"units": m.out_features, "activation": a}
                          for (_, m), a in zip(lin[:-1], dense_acts)]
    if lin:
        h = {"kind": k}
        if not v1:
            h["activation"] = "softmax" if expand else head_act
        h["labels"] = labels
        d["head"] = h

    params = {}
    if emb:
        W = emb[1].weight.detach().to(torch.float64)
        if words is not None and len(words) > W.shape[0]:  # the "<unk>" added
            W = torch.cat([W, torch.zeros(1, W.shape[1], dtype=torch.float64)])
        params["embedding.weight"] = tensor_list(W, "%s weight" % where(*emb))
    for i, L in enumerate(layers):
        m, kk = L["module"][1], L["index"]
        G, H = GATES[L["cell"]], L["hidden_size"]
        for suffix in (["", "_reverse"] if L["bidirectional"] else [""]):
            for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                src = "%s_l%d%s" % (w, kk, suffix)
                t = getattr(m, src, None)
                if t is None:  # bias=False: the biases are zero
                    t = torch.zeros(G * H, dtype=torch.float64)
                params["rnn.%s_l%d%s" % (w, i, suffix)] = tensor_list(
                    t, "%s.%s" % (where(*L["module"]), src))
    for j, (lname, m) in enumerate(lin):
        W = m.weight.detach().to(torch.float64)
        b = m.bias.detach().to(torch.float64) if m.bias is not None else \
            torch.zeros(m.out_features, dtype=torch.float64)
        key = "head" if j == len(lin) - 1 else "dense.%d" % j
        if key == "head" and expand:
            W = torch.cat([torch.zeros_like(W), W])
            b = torch.cat([torch.zeros_like(b), b])
        params[key + ".weight"] = tensor_list(W, "%s weight" % where(lname, m))
        params[key + ".bias"] = tensor_list(b, "%s bias" % where(lname, m))
    d["params"] = params
    return d, info


def failure_message(module, layers, found, failures, tol):
    lines = ["the check failed: %s's forward() does not give what the exported model gives "
             "(to %g), so rnnscope would show something else. Nothing was written." % (
                 type(module).__name__, tol)]
    explained = None
    for layout, mode, diff, error, y, x, plan, d in failures:
        if error is not None:
            lines.append("  input %s: %s" % (LAYOUT_TEXT[layout], error))
            continue
        lines.append("  input %s: largest difference %s" % (
            LAYOUT_TEXT[layout], "%.3g" % diff if diff is not None and diff != math.inf else
            "(the shapes differ)"))
        if explained is None:
            explained = diagnose(layers, found, plan, mode, y, x, d, tol)
    if explained:
        lines.append(explained)
    else:
        lines.append(
            "No readout rnnscope knows reproduces forward()'s output. forward() may do "
            "something rnnscope cannot show (attention, pooling, a second input, arithmetic "
            "on the states, a layer used twice), or call the layers in another order than "
            "they were registered.\n" + SUPPORTED)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Helpers for the check
# ---------------------------------------------------------------------------------------------

class float64_default:
    """torch's default dtype set to dtype inside (tensors forward() makes, such as a zero
    initial state, then match the model's)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.saved = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.saved)


def float64_copy(module):
    """A float64 copy of the model in eval mode on the CPU (the user's model is left as it
    is), with the check's tolerance; float32 when the copy cannot be made."""
    try:
        work = copy.deepcopy(module).to("cpu", torch.float64).eval()
        return work, torch.float64, CHECK_TOL
    except Exception:  # a module deepcopy cannot copy: check it as it is
        return module.eval(), torch.float32, CHECK_TOL_FLOAT32


def pick_sizes(K):
    """Batch size and steps of the first check, different from each other and from K, so an
    output's shape says which axis is which."""
    B = next(b for b in (3, 5, 6) if b != K)
    T = next(t for t in (7, 9, 11) if t not in (K, B))
    return B, T


def random_inputs(gen, B, T, V, E):
    if V is not None:
        return torch.randint(0, V, (B, T), generator=gen)
    return torch.randn(B, T, E, generator=gen, dtype=torch.float64)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def import_file(spec):
    """mymodel.py:SentimentLSTM -> the class (or function) and the imported module. The
    file's names are also made visible as __main__.X, so that a model pickled from a notebook
    or a script (torch.save(model)) loads."""
    if ":" not in spec:
        raise ExportError("--module expects FILE.py:ClassName, got %r" % spec)
    path, cls = spec.rsplit(":", 1)
    if not os.path.isfile(path):
        raise ExportError("--module: no file %s" % path)
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    mod_name = os.path.splitext(os.path.basename(path))[0]
    s = importlib.util.spec_from_file_location(mod_name, path)
    mod = importlib.util.module_from_spec(s)
    sys.modules[mod_name] = mod
    s.loader.exec_module(mod)
    main = sys.modules["__main__"]
    for k, v in vars(mod).items():
        if isinstance(v, type) and not hasattr(main, k):
            setattr(main, k, v)
    if not hasattr(mod, cls):
        raise ExportError("--module: %s has no %s" % (path, cls))
    return getattr(mod, cls)


def load_state_dict(path):
    sd = torch.load(path, map_location="cpu")
    if isinstance(sd, nn.Module):
        return sd.state_dict()
    if isinstance(sd, dict):
        for key in ("state_dict", "model_state_dict", "model", "net", "module"):
            if isinstance(sd.get(key), dict):
                sd = sd[key]
                break
    if not isinstance(sd, dict) or not all(torch.is_tensor(v) for v in sd.values()):
        raise ExportError("--weights %s: expected a state_dict (torch.save(model.state_dict(), "
                          "...)), got %s" % (path, type(sd).__name__))
    if sd and all(k.startswith("module.") for k in sd):  # saved from nn.DataParallel
        sd = {k[len("module."):]: v for k, v in sd.items()}
    return sd


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Export a PyTorch model (nn.Embedding, nn.RNN/LSTM/GRU, nn.Linear layers) "
        "to an rnnscope-model file, checked against the model's own forward().",
        epilog=SUPPORTED, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--module", metavar="FILE.py:CLASS",
                   help="the model's class (or a function that returns the model)")
    p.add_argument("--args", metavar="JSON", default=None,
                   help='its constructor arguments: a JSON object (keywords) or array')
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", metavar="STATE.pt",
                     help="a state_dict saved with torch.save(model.state_dict(), ...)")
    src.add_argument("--checkpoint", metavar="MODEL.pt",
                     help="a whole model saved with torch.save(model, ...) (give --module too "
                     "when its class is not importable)")
    p.add_argument("--vocab", metavar="FILE",
                   help="the word of each embedding row: JSON (a list, or a dict word -> "
                   "index such as torchtext's stoi), a text file with one word per line, or "
                   "a torch.save'd torchtext Vocab")
    p.add_argument("--labels", metavar="A,B,C|FILE",
                   help="the names of the outputs, comma-separated, or a file like --vocab")
    p.add_argument("--out", required=True, metavar="MODEL.json")
    p.add_argument("--name", help="the model's name in rnnscope (default: the class name)")
    p.add_argument("--kind", choices=KINDS,
                   help="what the head predicts (default: from forward()'s output)")
    p.add_argument("--head-activation", choices=HEAD_ACTIVATIONS,
                   help="the activation forward() applies (or its loss implies) after the last "
                   "Linear when no module shows it (default: softmax for several outputs, "
                   "linear for one; sigmoid when two labels name one output)")
    p.add_argument("--dense-activation", metavar="A[,B...]",
                   help="the activation after each hidden Linear when forward() applies it "
                   "without a module (F.relu): one of %s each" % ", ".join(DENSE_ACTIVATIONS))
    p.add_argument("--readout", choices=READOUTS,
                   help="what forward() gives the first Linear: h_n (default) or last-output "
                   "(out[:, -1, :]; for a bidirectional model rnnscope then shows a "
                   "prediction at every word, the last one being the model's)")
    p.add_argument("--unk", metavar="WORD",
                   help="the vocabulary's entry for unknown words, when it is not \"<unk>\"")
    a = p.parse_args(argv)
    try:
        if a.checkpoint:
            if a.module:
                import_file(a.module)
            try:
                model = torch.load(a.checkpoint, map_location="cpu")
            except (AttributeError, ModuleNotFoundError) as e:
                raise ExportError("--checkpoint %s: %s (give the file that defines the model's "
                                  "class with --module FILE.py:CLASS)" % (a.checkpoint, e))
            if isinstance(model, dict):
                raise ExportError("--checkpoint %s holds a dict (a state_dict?): use --weights "
                                  "with --module" % a.checkpoint)
            if not isinstance(model, nn.Module):
                raise ExportError("--checkpoint %s holds %s, not an nn.Module" % (
                    a.checkpoint, type(model).__name__))
        else:
            if not a.module:
                raise ExportError("--weights needs --module FILE.py:CLASS to build the model")
            cls = import_file(a.module)
            args = json.loads(a.args) if a.args else {}
            model = cls(**args) if isinstance(args, dict) else cls(*args)
            try:
                model.load_state_dict(load_state_dict(a.weights))
            except RuntimeError as e:
                raise ExportError("--weights %s do not fit %s (check --args): %s" % (
                    a.weights, type(model).__name__, str(e).strip()))
        vocab = read_list_file(a.vocab, "--vocab") if a.vocab else None
        labels = a.labels
        if labels and os.path.isfile(labels):
            labels = read_list_file(labels, "--labels")
        export(model, vocab=vocab, labels=labels, path=a.out, name=a.name, kind=a.kind,
               head_activation=a.head_activation, dense_activation=a.dense_activation,
               readout=a.readout, unk=a.unk)
    except ExportError as e:
        print("export_torch: %s" % e, file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print("export_torch: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
