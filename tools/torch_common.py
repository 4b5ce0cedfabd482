"""What tools/torch_parity.py and tools/torch_train_parity.py share: the "random" mode's
set-up (the seed and how to replay it, the rnnscope binary, the work folder) and running
rnnscope on one case. Only the standard library."""

import os
import shlex
import subprocess
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
