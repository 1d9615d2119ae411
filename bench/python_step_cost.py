"""The tracer's cost per training step, measured in one process: blocks of steps through the
capture's wrappers alternate with blocks through the original functions, so the machine's
load, which swings the whole-run times of separate processes by more than the tracer costs,
falls on both alike. Prints the tenth percentile of each phase's wall time per step (µs),
plain and traced, and of whole steps; and the median of the blocks' mean step times, which
counts what the tracer does every few steps (a structure check, a gradient norm sample, a
metrics batch) and the cold torch code it leaves the next steps, which a tenth percentile
leaves out. A phase's figure can move cost to another: the
capture holds the last step's output until the next backward(), so its graph is freed there
rather than when the loop's `loss` is rebound in the forward; compare totals.

Run by bench/python-capture.mjs with PYTHONPATH naming python/."""
from __future__ import annotations

import statistics
import sys
import time
from typing import Dict, List

import torch
from torch import nn

PLAIN_BACKWARD = torch.Tensor.backward
PLAIN_AUTOGRAD_BACKWARD = torch.autograd.backward

from gradlens.capture import Capture  # noqa: E402  (after the originals are kept)
from gradlens.protocol import RunOptions  # noqa: E402

BLOCKS = 60
STEPS = 50
PHASES = ("zero_grad", "forward", "backward", "step")


class NullSink:
    def snapshot(self, snapshot: object) -> None: ...
    def metrics(self, metrics: object, stride: int) -> None: ...
    def error(self, kind: str, message: str) -> None: print(kind, message, file=sys.stderr)
    def notice(self, kind: str, message: str) -> None: ...
    def stop(self) -> None: ...


def main() -> None:
    options = RunOptions(script=__file__, cwd=".", capture_at="last", max_nodes=5000, saved_tensors=False, stop_after=None)
    Capture(options, NullSink(), time.perf_counter()).install()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    traced_autograd_backward = torch.autograd.backward
    cls = type(opt)
    # The capture wraps these per optimizer class (torch < 2.0 has no step hook for it).
    plain_zero = getattr(cls.zero_grad, "__wrapped__", cls.zero_grad)
    plain_step = getattr(cls.step, "__wrapped__", cls.step) if getattr(cls.step, "_gradlens_wrapped", False) else cls.step
    x = torch.linspace(-3, 3, 100).unsqueeze(1)
    y = torch.sin(x)
    times: Dict[bool, List[List[float]]] = {False: [], True: []}
    block_means: Dict[bool, List[float]] = {False: [], True: []}
    # Wall time: thread_time_ns is a system call here, dearer than a tenth of a phase.
    clock = time.perf_counter_ns
    # The first blocks are traced: the capture reaches its steady state before any is counted.
    for block in range(BLOCKS):
        traced = block < 2 or block % 2 == 0
        torch.autograd.backward = traced_autograd_backward if traced else PLAIN_AUTOGRAD_BACKWARD
        zero, backward, step = (cls.zero_grad, torch.Tensor.backward, cls.step) if traced else (plain_zero, PLAIN_BACKWARD, plain_step)
        started = clock()
        for _ in range(STEPS):
            t0 = clock()
            zero(opt)
            t1 = clock()
            loss = ((model(x) - y) ** 2).mean()
            t2 = clock()
            backward(loss)
            t3 = clock()
            step(opt)
            t4 = clock()
            if block >= 2:
                times[traced].append([(t1 - t0) / 1000, (t2 - t1) / 1000, (t3 - t2) / 1000, (t4 - t3) / 1000, (t4 - t0) / 1000])
        if block >= 2:
            block_means[traced].append((clock() - started) / 1000 / STEPS)
    torch.autograd.backward = traced_autograd_backward
    # Tenth percentiles: on a busy machine a median carries other processes' interruptions;
    # the fastest tenth of the steps is close to the steps' own cost.
    for i, name in enumerate((*PHASES, "total")):
        plain, traced = (statistics.quantiles([t[i] for t in times[kind]], n=10)[0] for kind in (False, True))
        print(f"STEP {name} {plain:.1f} {traced:.1f}")
    plain_mean, traced_mean = (statistics.median(block_means[kind]) for kind in (False, True))
    print(f"BLOCK_MEAN {plain_mean:.1f} {traced_mean:.1f}")

if __name__ == "__main__":
    main()
