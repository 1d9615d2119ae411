"""Runs the capture's own torch ops, a few ops recorded as a full capture records them, and
the encoding of a metrics batch, once while the runner waits for the host's start: the first
call of an op in a process pays for finding its kernel, and the first ops through a function
mode for torch's dispatch to Python, which would otherwise land in the user's first training
step. Touches nothing the script can see (no random numbers, no global settings, no function
mode or module hook left on, its tensors are gone when it returns). No backward(): on torch
2.x the first one starts autograd's thread pool, after which a process the script forks can
no longer use autograd ("Unable to handle autograd's threading in combination with
fork-based multiprocessing"), as it could under plain python."""
from __future__ import annotations

import torch

from .metrics import MetricStream
from .protocol import Json, metrics_message
from .recorder import Recorder
from .summary import SMALL, GradNorms, summarize
from .wire import encode_frame


def warm_up() -> None:
    try:
        small = torch.linspace(-1.0, 1.0, SMALL)
        large = torch.linspace(-1.0, 1.0, SMALL * 4).reshape(4, SMALL)
        grad = (large * small).sum(0)
        for t in (small, large, grad):
            summarize(t)
            summarize(t, exact=True)
        GradNorms()([grad, large])
        _record_a_forward(small)
        # A batch of metrics as a fast loop sends them: the first one made and encoded in a
        # process costs twice the next.
        stream = MetricStream(_encode_batch)
        for step in range(1, 200):
            stream.add(step, step / 7, step / 3, 0.1, 0.0)
        stream.flush()
    except Exception:  # noqa: BLE001  (a warm-up must never stop a run)
        pass


def _record_a_forward(x: torch.Tensor) -> None:
    """A small forward through a module, recorded by a recorder of its own (its graph is
    dropped unused: no backward)."""
    w = torch.linspace(-1.0, 1.0, 4, requires_grad=True).reshape(4, 1)
    recorder = Recorder()
    recorder.arm()
    try:
        h = torch.nn.Identity()(torch.nn.functional.linear(x.reshape(-1, 1), w).relu())
        ((h - 1.0) ** 2).mean()
    finally:
        recorder.disarm()


def _encode_batch(columns: Json, stride: int) -> None:
    encode_frame(metrics_message(columns, stride))
