#!/usr/bin/python3
"""The PyTorch exporter (tools/export_torch.py) end to end: tutorial-style models, exported
and then run by rnnscope, whose outputs must equal the models' own to 1e-9.

    /usr/bin/python3 tools/torch_export_check.py --rnnscope build/rnnscope [--keep DIR]

Each case builds a model the way tutorials write it (attribute names of their own:
self.emb / self.lstm / self.fc, self.hidden2tag, self.classifier, ...), with seeded random
weights, exports it (through the command line with --weights or --checkpoint, or through
export() as a notebook does), then runs

    rnnscope trace --model M.json --ids 3,1,4 --format json     (token models)
    rnnscope trace --model M.json --inputs X.json --format json (vector models)

on a few sequences and compares the "output" probabilities or values with what the model's
own forward() gives for the same ids in float64, turned into what rnnscope shows the way the
case's training set-up means it (softmax of logits, exp of log-probabilities, σ of a single
logit). A few more cases check the exporter's refusals and its diagnosis of a forward() that
does something the layers do not show. This file is also the module the command-line cases
import (--module tools/torch_export_check.py:SentimentLSTM).

Prints one line per case and "N passed, M failed"; exits 1 on any failure (the work folder
is then kept and its path printed).
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from export_torch import ExportError, export  # noqa: E402
from torch_common import ParityError, compare_json, run_rnnscope  # noqa: E402

TOL = 1e-9
WORDS = ["the", "movie", "was", "not", "good", "bad", "great", "a", "plot", "actors", "i",
         "loved", "hated", "it", "and", "boring", "fun", "story", "very", "too"]


# ---------------------------------------------------------------------------------------------
# Tutorial-style models
# ---------------------------------------------------------------------------------------------

class SentimentLSTM(nn.Module):
    """Embedding -> LSTM -> Linear, batch_first, the classifier reads h_n."""

    def __init__(self, vocab_size, embedding_dim=12, hidden_dim=10, num_classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(hidden_dim, num_classes)

    def forward(self, x):
        embedded = self.emb(x)
        output, (hidden, cell) = self.lstm(embedded)
        return self.fc(self.dropout(hidden[-1]))


class GRUClassifier(nn.Module):
    """Embedding -> 2-layer GRU -> Linear -> ReLU -> Linear; inputs (steps, batch). The ReLU
    is F.relu in forward(), with no module to show it: the export needs
    --dense-activation relu."""

    def __init__(self, vocab_size, embed_size=10, hidden_size=12, fc_size=8, output_size=4):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.gru = nn.GRU(embed_size, hidden_size, num_layers=2, dropout=0.2)
        self.fc1 = nn.Linear(hidden_size, fc_size)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(fc_size, output_size)

    def forward(self, text):
        embedded = self.embedding(text)
        output, hidden = self.gru(embedded)
        x = F.relu(self.fc1(hidden[-1]))
        return self.fc2(self.dropout(x))


class BiLSTMSentiment(nn.Module):
    """The packed-sequence sentiment tutorial: forward(text, text_lengths), (steps, batch)
    inputs, a 2-layer bidirectional LSTM, torch.cat((hidden[-2], hidden[-1])) into one logit
    (BCEWithLogitsLoss)."""

    def __init__(self, vocab_size, embedding_dim=8, hidden_dim=6, output_dim=1, n_layers=2,
                 pad_idx=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=True,
                           dropout=0.5)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(0.5)

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths.to("cpu"))
        packed_output, (hidden, cell) = self.rnn(packed)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)


class LSTMTagger(nn.Module):
    """PyTorch's sequence-tagging tutorial: one sentence (a 1-D tensor) at a time,
    F.log_softmax over the tags of every word."""

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


class RNNRegressor(nn.Module):
    """A vanilla (relu) RNN on vectors, predicting one number from out[:, -1, :]."""

    def __init__(self, input_size=3, hidden_size=8):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, nonlinearity="relu", batch_first=True)
        self.linear = nn.Linear(hidden_size, 1)

    def forward(self, x):
        out, h = self.rnn(x)
        return self.linear(out[:, -1, :])


class StackedLSTM(nn.Module):
    """Two LSTMs of their own sizes, then an nn.Sequential classifier ending in a sigmoid
    (one yes/no output per label); no vocabulary."""

    def __init__(self, vocab_size=50, emb=6):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb)
        self.lstm1 = nn.LSTM(emb, 10, batch_first=True, bidirectional=True)
        self.lstm2 = nn.LSTM(20, 7, batch_first=True)
        self.classifier = nn.Sequential(nn.Linear(7, 5), nn.Tanh(), nn.Dropout(0.1),
                                        nn.Linear(5, 3), nn.Sigmoid())

    def forward(self, x):
        out, _ = self.lstm1(self.embedding(x))
        out, (h, c) = self.lstm2(out)
        return self.classifier(h[-1])


class BiLastOutput(nn.Module):
    """A bidirectional GRU whose classifier reads out[:, -1, :] (not h_n)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, 6)
        self.gru = nn.GRU(6, 5, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(10, 2)

    def forward(self, x):
        out, _ = self.gru(self.emb(x))
        return self.fc(out[:, -1, :])


class ConvLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 8)
        self.conv = nn.Conv1d(8, 8, 3, padding=1)
        self.lstm = nn.LSTM(8, 5, batch_first=True)
        self.fc = nn.Linear(5, 2)


class AttentionLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 8, batch_first=True)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.fc = nn.Linear(8, 2)


class MeanPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 5, batch_first=True)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x))
        return self.fc(out.mean(dim=1))


# ---------------------------------------------------------------------------------------------
# Running the models and rnnscope
# ---------------------------------------------------------------------------------------------

def seeded(cls, *args, seed=1, **kw):
    torch.manual_seed(seed)
    m = cls(*args, **kw)
    with torch.no_grad():  # larger than the default init, so the states are not all tiny
        for p in m.parameters():
            p.mul_(2.0)
    return m.eval()


def own_output(model, call):
    """call(model64) in float64, on a float64 copy of the model."""
    m = copy.deepcopy(model).double().eval()
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        with torch.no_grad():
            return call(m)
    finally:
        torch.set_default_dtype(saved)


class Env:
    def __init__(self, rnnscope, work):
        self.rnnscope = rnnscope
        self.work = work

    def path(self, name):
        return os.path.join(self.work, name)

    def trace(self, model_path, ids=None, vectors=None, name="x"):
        cmd = [self.rnnscope, "trace", "--model", model_path, "--format", "json"]
        if vectors is not None:
            p = self.path(name + ".inputs.json")
            with open(p, "w") as f:
                json.dump([[float(v) for v in row] for row in vectors], f)
            cmd += ["--inputs", p]
        else:
            cmd += ["--ids", ",".join(str(i) for i in ids)]
        self.last_cmd = cmd
        return json.loads(run_rnnscope(cmd).decode("utf-8"))["output"]

    def exporter(self, args):
        cmd = [sys.executable, os.path.join(HERE, "export_torch.py")] + args
        self.last_cmd = cmd
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def check_exporter(p, want_version, model_path):
    if p.returncode != 0:
        raise ParityError("the exporter failed (%d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()))
    return check_version(model_path, want_version)


def check_version(model_path, want_version):
    with open(model_path) as f:
        d = json.load(f)
    if d["version"] != want_version:
        raise ParityError("exported as version %d, expected %d" % (d["version"], want_version))
    return d


def compare_outputs(env, model_path, sequences, expected, name, vectors=False):
    """expected[i]: what rnnscope's trace must show for sequences[i] (an "output" object's
    "probs" or "values")."""
    worst = 0.0
    for i, (seq, want) in enumerate(zip(sequences, expected)):
        out = env.trace(model_path, ids=None if vectors else seq,
                        vectors=seq if vectors else None, name="%s-%d" % (name, i))
        key = "values" if out["kind"] == "regression" else "probs"
        worst = max(worst, compare_json(out[key], want, "%s[%d].output.%s" % (name, i, key),
                                        TOL))
    return worst


def id_sequences(V, lengths, seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, V, (T,), generator=g).tolist() for T in lengths]


def remove(path):
    if os.path.exists(path):
        os.unlink(path)


def stoi(words):
    return {w: i for i, w in enumerate(words)}


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

def case_sentiment_lstm(env):
    """Command line, --weights and --args, a torchtext-style stoi vocabulary (JSON dict)."""
    vocab = ["<pad>", "<unk>"] + WORDS
    args = {"vocab_size": len(vocab), "num_classes": 3}
    model = seeded(SentimentLSTM, **args)
    torch.save(model.state_dict(), env.path("sentiment.pt"))
    with open(env.path("sentiment-vocab.json"), "w") as f:
        json.dump(stoi(vocab), f)
    out = env.path("sentiment.json")
    p = env.exporter(["--module", os.path.abspath(__file__) + ":SentimentLSTM",
                      "--args", json.dumps(args), "--weights", env.path("sentiment.pt"),
                      "--vocab", env.path("sentiment-vocab.json"),
                      "--labels", "negative,neutral,positive", "--out", out])
    d = check_exporter(p, 1, out)
    if d["vocab"] != vocab or d["head"] != {"kind": "many-to-one",
                                            "labels": ["negative", "neutral", "positive"]}:
        raise ParityError("vocab or head not as given: %r" % d["head"])
    seqs = id_sequences(len(vocab), [3, 1, 9], 10) + [[0, 3, 1, 4]]
    want = [own_output(model, lambda m: torch.softmax(m(torch.tensor([s])), -1)[0]).tolist()
            for s in seqs]
    return compare_outputs(env, out, seqs, want, "sentiment")


def case_gru_dense(env):
    """export() as in a notebook; Linear -> F.relu -> Linear: refused without
    dense_activation (the diagnosis names it), checked with it; a vocab list without <unk>
    (one is added after the last row, so the model's ids are unchanged)."""
    vocab = ["<pad>"] + WORDS
    model = seeded(GRUClassifier, len(vocab))
    out = env.path("gru.json")
    remove(out)
    try:
        export(model, vocab=vocab, labels=["w", "x", "y", "z"], path=out, log=None)
        raise ParityError("F.relu without a module was not noticed")
    except ExportError as e:
        if "--dense-activation relu" not in str(e):
            raise ParityError("the diagnosis does not name --dense-activation relu: %s" % e)
    if os.path.exists(out):
        raise ParityError("a failed check left %s behind" % out)
    export(model, vocab=vocab, labels=["w", "x", "y", "z"], path=out, dense_activation="relu",
           log=None)
    d = check_version(out, 2)
    if d["vocab"] != vocab + ["<unk>"] or d["dense"] != [{"units": 8, "activation": "relu"}]:
        raise ParityError("vocab or dense layers not as expected")
    seqs = id_sequences(len(vocab), [4, 1, 11], 11)
    want = [own_output(model, lambda m: torch.softmax(m(torch.tensor([s]).T), -1)[0]).tolist()
            for s in seqs]
    return compare_outputs(env, out, seqs, want, "gru")


def case_bilstm_packed(env):
    """Command line, --checkpoint of a whole pickled model (its class in __main__, as a
    notebook saves it), forward(text, text_lengths) with packing, h_n of both directions,
    one logit with two labels (written as two softmax classes)."""
    vocab = ["<unk>", "<pad>"] + WORDS
    model = seeded(BiLSTMSentiment, len(vocab))
    torch.save(model, env.path("bilstm.pt"))
    with open(env.path("bilstm-vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    out = env.path("bilstm.json")
    p = env.exporter(["--module", os.path.abspath(__file__) + ":BiLSTMSentiment",
                      "--checkpoint", env.path("bilstm.pt"),
                      "--vocab", env.path("bilstm-vocab.txt"), "--labels", "negative,positive",
                      "--out", out])
    d = check_exporter(p, 1, out)
    if d["num_layers"] != 2 or not d["bidirectional"]:
        raise ParityError("not a 2-layer bidirectional model")
    seqs = id_sequences(len(vocab), [5, 1, 8], 12)

    def probs(s):
        z = own_output(model, lambda m: m(torch.tensor([s]).T,
                                          torch.tensor([len(s)])))[0, 0].item()
        p = 1.0 / (1.0 + torch.exp(torch.tensor(-z, dtype=torch.float64)).item())
        return [1.0 - p, p]
    return compare_outputs(env, out, seqs, [probs(s) for s in seqs], "bilstm")


def case_tagger(env):
    """PyTorch's tagging tutorial: one 1-D sentence at a time, F.log_softmax, word_to_ix and
    tag_to_ix dicts; many-to-many."""
    word_to_ix = {"<unk>": 0}
    for w in WORDS:
        word_to_ix.setdefault(w, len(word_to_ix))
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
    model = seeded(LSTMTagger, 6, 7, len(word_to_ix), len(tag_to_ix))
    out = env.path("tagger.json")
    export(model, vocab=word_to_ix, labels=tag_to_ix, path=out, log=None)
    d = check_version(out, 1)
    if d["head"]["kind"] != "many-to-many" or d["head"]["labels"] != ["DET", "NN", "V"]:
        raise ParityError("head not as expected: %r" % d["head"])
    seqs = id_sequences(len(word_to_ix), [6, 1, 3], 13)
    want = [own_output(model, lambda m: torch.exp(m(torch.tensor(s)))).tolist() for s in seqs]
    return compare_outputs(env, out, seqs, want, "tagger")


def case_rnn_regression(env):
    """A relu RNN on vectors, out[:, -1, :] into one number: a regression head; vectors
    through --inputs."""
    model = seeded(RNNRegressor)
    torch.save(model.state_dict(), env.path("regressor.pt"))
    out = env.path("regressor.json")
    p = env.exporter(["--module", os.path.abspath(__file__) + ":RNNRegressor",
                      "--weights", env.path("regressor.pt"), "--labels", "price",
                      "--out", out])
    d = check_exporter(p, 1, out)
    if d["nonlinearity"] != "relu" or d["head"] != {"kind": "regression", "labels": ["price"]}:
        raise ParityError("not a relu RNN with a regression head")
    g = torch.Generator().manual_seed(14)
    seqs = [torch.randn(T, 3, generator=g, dtype=torch.float64).tolist() for T in (5, 1, 12)]
    want = [own_output(model, lambda m: m(torch.tensor([s]))[0]).tolist() for s in seqs]
    return compare_outputs(env, out, seqs, want, "regressor", vectors=True)


def case_stacked(env):
    """Two LSTMs of different sizes (the first bidirectional), an nn.Sequential classifier
    with Tanh and a final Sigmoid (three yes/no labels), no vocabulary: version 2, --ids."""
    model = seeded(StackedLSTM)
    out = env.path("stacked.json")
    export(model, labels="a,b,c", path=out, log=None)
    d = check_version(out, 2)
    if [L["hidden_size"] for L in d["layers"]] != [10, 7] or "vocab" in d or \
            d["head"].get("activation") != "sigmoid":
        raise ParityError("layers, vocab or head not as expected")
    seqs = id_sequences(50, [7, 1, 4], 15)
    want = [own_output(model, lambda m: m(torch.tensor([s]))[0]).tolist() for s in seqs]
    return compare_outputs(env, out, seqs, want, "stacked")


def case_last_output(env):
    """A bidirectional GRU read through out[:, -1, :]: refused with the diagnosis, then
    exported with readout="last-output" as many-to-many, whose last row is the model's."""
    vocab = ["<unk>"] + WORDS
    model = seeded(BiLastOutput, len(vocab))
    out = env.path("lastout.json")
    try:
        export(model, vocab=vocab, labels="no,yes", path=out, log=None)
        raise ParityError("out[:, -1, :] of a bidirectional GRU was taken for h_n")
    except ExportError as e:
        if "--readout last-output" not in str(e):
            raise ParityError("the diagnosis does not name --readout last-output: %s" % e)
    export(model, vocab=vocab, labels="no,yes", path=out, readout="last-output", log=None)
    check_version(out, 1)
    seqs = id_sequences(len(vocab), [6, 1, 2], 16)
    worst = 0.0
    for i, s in enumerate(seqs):
        got = env.trace(out, ids=s, name="lastout-%d" % i)["probs"][-1]
        want = own_output(model, lambda m: torch.softmax(m(torch.tensor([s])), -1)[0]).tolist()
        worst = max(worst, compare_json(got, want, "lastout[%d].probs[-1]" % i, TOL))
    return worst


def case_refusals(env):
    """Layers rnnscope cannot run are refused with one message naming them, on the command
    line (exit status 1) and from export(); mean pooling is diagnosed as such."""
    remove(env.path("refused.json"))
    for cls, who in ((ConvLSTM, "self.conv (Conv1d)"),
                     (AttentionLSTM, "self.attn (MultiheadAttention)")):
        try:
            export(seeded(cls), path=env.path("refused.json"), log=None)
            raise ParityError("%s was not refused" % cls.__name__)
        except ExportError as e:
            if who not in str(e) or "nn.LSTM" not in str(e):
                raise ParityError("the refusal does not name %s and what is supported: %s" % (
                    who, e))
    torch.save(seeded(ConvLSTM).state_dict(), env.path("conv.pt"))
    p = env.exporter(["--module", os.path.abspath(__file__) + ":ConvLSTM",
                      "--weights", env.path("conv.pt"), "--out", env.path("refused.json")])
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 1 or "self.conv (Conv1d)" not in err:
        raise ParityError("the command line did not refuse ConvLSTM (status %d): %s" % (
            p.returncode, err))
    try:
        export(seeded(MeanPool), path=env.path("refused.json"), log=None)
        raise ParityError("mean pooling was not noticed")
    except ExportError as e:
        if "mean pooling" not in str(e):
            raise ParityError("the diagnosis does not name mean pooling: %s" % e)
    if os.path.exists(env.path("refused.json")):
        raise ParityError("a refused export wrote its file")
    return 0.0


CASES = [
    ("sentiment-lstm", case_sentiment_lstm),
    ("bilstm-packed", case_bilstm_packed),
    ("tagger", case_tagger),
    ("rnn-regression", case_rnn_regression),
    ("last-output", case_last_output),
    ("refusals", case_refusals),
    ("gru-dense", case_gru_dense),
    ("stacked", case_stacked),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rnnscope", required=True, help="the rnnscope binary")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    ap.add_argument("--only", metavar="NAME", action="append",
                    help="run only this case (repeatable)")
    a = ap.parse_args()
    rnnscope = os.path.abspath(a.rnnscope)
    if not os.path.isfile(rnnscope) or not os.access(rnnscope, os.X_OK):
        print("ERROR: %s is not an executable file (build rnnscope first)" % rnnscope,
              file=sys.stderr)
        return 1
    if a.keep:
        work = os.path.abspath(a.keep)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="rnnscope-torch-export.")
    env = Env(rnnscope, work)
    passed = failed = 0
    for name, fn in CASES:
        if a.only and name not in a.only:
            continue
        env.last_cmd = None
        try:
            worst = fn(env)
            print("ok   %-15s largest difference %.3g" % (name, worst))
            passed += 1
        except (ParityError, ExportError, OSError, subprocess.TimeoutExpired,
                ValueError, KeyError) as e:
            print("FAIL %s: %s" % (name, e))
            if env.last_cmd:
                print("     last command: %s" % " ".join(env.last_cmd))
            failed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    if failed:
        print("work folder kept: %s" % work)
        return 1
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
