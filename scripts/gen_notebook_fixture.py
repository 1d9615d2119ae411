#!/usr/bin/python3
"""Writes test/e2e/fixtures/qp-graph-output.ipynb: the seed's Q/P cell with the output
gradlens.show(P) gives, as Jupyter saves it, and a cell whose saved graph output is damaged.

Run after `npm run build` (the output's HTML fallback inlines the built page script), with
Debian's PyTorch: /usr/bin/python3 scripts/gen_notebook_fixture.py
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import gradlens  # noqa: E402
from gradlens.show import MIME  # noqa: E402

OUT = os.path.join(ROOT, "test", "e2e", "fixtures", "qp-graph-output.ipynb")

QP = """import torch
import gradlens

a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([8.0], requires_grad=True)
Q = a**3 - 3 * b
Q.retain_grad()
P = Q**2
P.backward()
gradlens.show(P)"""

DAMAGED = """# This output was damaged after it was saved: the renderer says so instead of drawing."""


def code_cell(source, outputs, count):
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs,
            "source": source.splitlines(keepends=True)}


def shown(source):
    """The display_data output of the cell's last line, `gradlens.show(...)`, run as IPython
    would run the cell (without IPython, show returns what it would display)."""
    *body, last = source.splitlines()
    scope = {"__name__": "__main__"}
    exec("\n".join(body + ["__shown__ = " + last]), scope)
    return {"output_type": "display_data", "metadata": {}, "data": scope["__shown__"]._repr_mimebundle_()}


def main():
    damaged = {"output_type": "display_data", "metadata": {},
               "data": {MIME: {"nodes": "not a list"}, "text/plain": "<gradlens graph: damaged>"}}
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["Q = a\u00b3 \u2212 3b, P = Q\u00b2, drawn by `gradlens.show`"]},
            code_cell(QP, [shown(QP)], 1),
            code_cell(DAMAGED, [damaged], 2),
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(notebook, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
