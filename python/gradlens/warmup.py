"""Runs the capture's own torch ops once, while the runner waits for the host's start: the
first call of an op in a process pays for finding its kernel, which would otherwise land in
the user's first training step. Touches nothing the script can see (no random numbers,
no global settings, its tensors are gone when it returns)."""
from __future__ import annotations

import torch

from .summary import SMALL, GradNorms, summarize


def warm_up() -> None:
    try:
        small = torch.linspace(-1.0, 1.0, SMALL, requires_grad=True)
        large = torch.linspace(-1.0, 1.0, SMALL * 4).reshape(4, SMALL)
        (large * small).sum().backward()
        for t in (small, large, small.grad):
            summarize(t)
            summarize(t, exact=True)
        GradNorms()([small.grad, large])
    except Exception:  # noqa: BLE001  (a warm-up must never stop a run)
        pass
