#!/usr/bin/python3
"""Records what PyTorch prints for each example into test/fixtures/examples.json.

Run with Debian's PyTorch: /usr/bin/python3 scripts/gen_example_fixtures.py [NAME ...]
With names (e.g. `tiny-attention`) only those examples are rerun and the others keep their
recorded lines.

Every examples/NAME.ts has a PyTorch mirror examples/python/NAME_WITH_UNDERSCORES.py that
prints the same lines. This script runs each mirror and stores its stdout verbatim;
test/examples.test.ts runs the TypeScript example and compares the numbers on the
machine-readable lines (see that test for the format and the tolerance).

PyTorch 1.13 vs 2.x: the mirrors print only numbers the two versions agree on (values,
gradients, losses); no override is needed. The tensor reprs some mirrors print for the
reader (e.g. `Q = tensor(-16., grad_fn=<SubBackward0>)`) are not compared.

Dropout (mnist_classifier.py): Debian's PyTorch is built without MKL, so its bernoulli_
draws from the mt19937 stream the way our engine does, and the masks match. An MKL build
(x86 pip wheels) would draw other masks: regenerate only with /usr/bin/python3.
"""
import json
import os
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
MIRRORS = os.path.join(EXAMPLES, "python")
OUT = os.path.join(ROOT, "test", "fixtures", "examples.json")


def main():
    ts_names = sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".ts"))
    py_names = sorted(f[:-3].replace("_", "-") for f in os.listdir(MIRRORS) if f.endswith(".py"))
    if ts_names != py_names:
        sys.exit(
            "examples and mirrors differ: only TS: %s; only Python: %s"
            % (sorted(set(ts_names) - set(py_names)), sorted(set(py_names) - set(ts_names)))
        )

    only = sys.argv[1:]
    unknown = sorted(set(only) - set(ts_names))
    if unknown:
        sys.exit("no such example: %s (there are: %s)" % (", ".join(unknown), ", ".join(ts_names)))
    examples = {}
    if only:
        with open(OUT) as f:
            examples = json.load(f)["data"]
    for name in only or ts_names:
        mirror = os.path.join(MIRRORS, name.replace("-", "_") + ".py")
        run = subprocess.run(
            [sys.executable, mirror], cwd=ROOT, capture_output=True, text=True,
            # One thread: the reference numbers should not depend on the machine's core count.
            # Generated digits even where Fashion-MNIST is installed: the fixture must not depend on it.
            env={**os.environ, "OMP_NUM_THREADS": "1", "GRADLENS_SYNTHETIC_DIGITS": "1"},
        )
        if run.returncode != 0:
            sys.exit("%s failed:\n%s" % (mirror, run.stderr))
        examples[name] = {"stdout": run.stdout.splitlines()}
        print("%-20s %d lines" % (name, len(examples[name]["stdout"])))

    examples = {name: examples[name] for name in ts_names if name in examples}
    fixture = {"generatedBy": "scripts/gen_example_fixtures.py", "torch": torch.__version__, "data": examples}
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
