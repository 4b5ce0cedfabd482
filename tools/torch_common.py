"""What tools/torch_parity.py, tools/torch_train_parity.py and tools/torch_grad_parity.py
share: the "random" mode's set-up (the seed and how to replay it, the rnnscope binary, the
work folder), running rnnscope on one case, numbers written for rnnscope's command line and
the comparison of a JSON answer with the expected one. Only the standard library."""

import os
import shlex
import subprocess
import string
import sys
import tempfile
import time


class ParityError(Exception):
    pass


def random_setup(args, prefix):
    """Prints the seed and the replay command. Returns (seed, replay, rnnscope, work), or
    None after printing why args.rnnscope cannot be run."""
    seed = args.seed if args.seed is not None else \
        int(time.time() * 1000) % (2 ** 31)
    replay = "%s random --rnnscope %s --count %d --seed %d" % (
        sys.argv[0], args.rnnscope, args.count, seed)
    print("seed %d  (replay: %s)" % (seed, replay))
    sys.stdout.flush()
    rnnscope = os.path.abspath(args.rnnscope)
    if not os.path.isfile(rnnscope) or not os.access(rnnscope, os.X_OK):
        print("ERROR: %s is not an executable file (build rnnscope first)"
              % rnnscope, file=sys.stderr)
        return None
    if args.keep:
        work = os.path.abspath(args.keep)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix=prefix)
    return seed, replay, rnnscope, work


def run_rnnscope(cmd):
    """Runs cmd (at most two minutes); its stdout bytes, or ParityError with the exit
    status and the start of stderr."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise ParityError("exit status %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:500]))
    return p.stdout


def report_failure(name, error, cmd):
    """The FAIL line of a case and the command to run it again by hand."""
    print("FAIL %s: %s" % (name, error))
    print("     command: %s" % " ".join(shlex.quote(c) for c in cmd))
    sys.stdout.flush()


# Errors a case's run of rnnscope may raise.
RUN_ERRORS = (ParityError, OSError, subprocess.TimeoutExpired)


def fmt_num(x):
    """A number as written on rnnscope's command line: integers without a
    point, others as Python's shortest round-trip repr (strtod reads back the
    same double)."""
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return "%d" % int(x)
    return repr(x)


def compare_json(got, exp, path, tol):
    """The largest |got - exp| over the numbers of two JSON values that must
    have the same shape: objects with the same keys, arrays of the same
    length, equal strings, null and booleans. Raises ParityError naming the
    first difference, or a number further than tol * max(1, |expected|) from
    the expected one (relu states and saturated cells grow large, so large
    values are compared relatively)."""
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            raise ParityError("%s: expected an object, got %s" % (
                path, type(got).__name__))
        if set(got) != set(exp):
            raise ParityError("%s: keys %s, expected %s" % (
                path, sorted(got), sorted(exp)))
        return max([compare_json(got[k], exp[k], "%s.%s" % (path, k), tol)
                    for k in exp], default=0.0)
    if isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            raise ParityError("%s: expected %d values, got %s" % (
                path, len(exp), len(got) if isinstance(got, list) else
                type(got).__name__))
        return max([compare_json(g, e, "%s[%d]" % (path, i), tol)
                    for i, (g, e) in enumerate(zip(got, exp))], default=0.0)
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            raise ParityError("%s: expected a number, got %r" % (path, got))
        d = abs(float(got) - float(exp))
        if not d <= tol * max(1.0, abs(float(exp))):
            raise ParityError("%s: %r, expected %r (|diff| %.3g)" % (
                path, got, exp, d))
        return d
    if got != exp:
        raise ParityError("%s: %r, expected %r" % (path, got, exp))
    return 0.0


def tokenize(text):
    """rnnscope's tokenizer (rnn_tokenize): split on white space, every ASCII punctuation
    character a token of its own, ASCII letters lowercased."""
    tokens = []
    for word in text.split():
        cur = ""
        for ch in word:
            if ch in string.punctuation:
                if cur:
                    tokens.append(cur)
                    cur = ""
                tokens.append(ch)
            else:
                cur += ch.lower() if "A" <= ch <= "Z" else ch
        if cur:
            tokens.append(cur)
    return tokens
