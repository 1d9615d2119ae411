"""The training record: one metric per backward() on a scalar, sent in batches."""
from __future__ import annotations

import math
import threading
import time
from array import array
from typing import Callable, Dict, List, Optional

from .protocol import Json
from .wire import Num, encode_num

# Small, frequent batches: what making and encoding one allocates stays within the memory the
# allocator keeps between flushes (1,000-step batches faulted in about 100 fresh pages each
# time, which cost more than the encoding).
FLUSH_SECONDS = 0.05
# At most this many steps are kept in any WINDOW_SECONDS (5,000 a second): past it the stride
# doubles.
MAX_BATCH = 1000
WINDOW_SECONDS = 0.2

GradNorms = Dict[str, Num]


class MetricStream:
    """Batches metrics: one message per step would cost more than a small training step.
    When steps come faster than MAX_BATCH per window, only every stride-th step is kept
    (stride doubles, the batch being sent thinned to match) so memory and the host's work
    stay bounded; the stride is sent with each batch.

    A step's metric is four numbers appended to one array, with no lock: the flush takes the
    rows present when it starts and deletes just those, so a row the main thread appends
    meanwhile waits for the next batch. Batches go out in columns (train/metrics `columns`):
    a JSON object per step costs a fast loop more than its step's own bookkeeping."""

    def __init__(self, send: Callable[[Json, int], None]) -> None:
        self._send = send
        # Flushes come from the main thread and the timer thread: one at a time, in order.
        self._lock = threading.Lock()
        # Step, loss, time (ms), learning rate (NaN: no optimizer) of each kept step.
        self.rows = array("d")
        # Gradient norms are sampled: only the few steps that have them, by step.
        self.norms: Dict[int, GradNorms] = {}
        self.stride = 1
        # When the main thread flushes at its next add (time.perf_counter()).
        self.flush_at = time.perf_counter() + FLUSH_SECONDS
        # Steps kept since the window began.
        self._window_start = self.flush_at - FLUSH_SECONDS
        self._window_kept = 0
        self._stopped = threading.Event()

    def start_timer(self) -> None:
        # A script that stops stepping (evaluation, a long pause) still gets its last
        # metrics out; a synchronous loop is flushed from add() itself.
        threading.Thread(target=self._tick, name="gradlens-metrics", daemon=True).start()

    def _tick(self) -> None:
        while not self._stopped.wait(FLUSH_SECONDS):
            if time.perf_counter() >= self.flush_at:
                self.flush()

    def stop_timer(self) -> None:
        self._stopped.set()

    def keeps(self, step: int) -> bool:
        """Whether `step` is in the thinned stream (its metric is worth computing)."""
        return step % self.stride == 0

    def add(self, step: int, loss: float, time_ms: float, lr: float, now: float) -> None:
        """A kept step's metric (see keeps()); `loss` may be NaN or infinite, `lr` NaN when
        there is no optimizer; `now`: time.perf_counter(). Gradient norms, when sampled, go
        in `norms` under the step first."""
        self.rows.extend((step, loss, time_ms, lr))
        if now >= self.flush_at:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            now = time.perf_counter()
            self.flush_at = now + FLUSH_SECONDS
            rows = self.rows
            n = len(rows)
            if n == 0:
                return
            batch = rows[:n]
            del rows[:n]
            stride = self._keep_within_window(batch, now)
            self._send(self._columns(batch, stride), stride)

    def _keep_within_window(self, batch: "array[float]", now: float) -> int:
        """Doubles the stride when the window has kept MAX_BATCH steps (thinning `batch` in
        place to match); the stride the batch is sent with."""
        if now - self._window_start >= WINDOW_SECONDS:
            self._window_start, self._window_kept = now, 0
        stride = self.stride
        if stride > 1:
            _thin(batch, stride)  # rows appended before the last doubling
        self._window_kept += len(batch) // 4
        while self._window_kept >= MAX_BATCH:
            stride = self.stride = stride * 2
            _thin(batch, stride)
            self._window_kept //= 2
        return stride

    def _columns(self, batch: "array[float]", stride: int) -> Json:
        steps = [int(s) for s in batch[0::4]]
        losses: List[Num] = batch[1::4].tolist()
        # One sum settles in C that all are finite (a NaN or Inf makes it non-finite).
        if not math.isfinite(sum(losses)):
            losses = [encode_num(v) for v in losses]
        lrs: List[Optional[float]] = batch[3::4].tolist()
        if not math.isfinite(sum(lrs)):
            lrs = [v if math.isfinite(v) else None for v in lrs]
        norms: Dict[str, GradNorms] = {}
        for step in steps:
            sampled = self.norms.pop(step, None)
            if sampled:
                norms[str(step)] = sampled
        if stride > 1:
            for step in [s for s in list(self.norms) if s % stride]:
                self.norms.pop(step, None)
        return {"step": steps, "loss": losses, "timeMs": batch[2::4].tolist(), "lr": lrs, "gradNorms": norms}


def _thin(batch: "array[float]", stride: int) -> None:
    kept = array("d")
    for i in range(0, len(batch), 4):
        if int(batch[i]) % stride == 0:
            kept.extend(batch[i:i + 4])
    batch[:] = kept
