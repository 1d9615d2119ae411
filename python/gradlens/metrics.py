"""The training record: one metric per backward() on a scalar, sent in batches."""
from __future__ import annotations

import math
import threading
import time
from array import array
from typing import Callable, Dict, List, Optional

from .protocol import Json
from .wire import Num, encode_num

FLUSH_SECONDS = 0.2
MAX_BATCH = 1000

GradNorms = Dict[str, Num]


class MetricStream:
    """Batches metrics: one message per step would cost more than a small training step.
    When steps come faster than MAX_BATCH per flush, only every stride-th step is kept
    (stride doubles, the kept ones so far thinned to match) so memory and the host's work
    stay bounded; the stride is sent with each batch.

    A batch waits as columns of plain numbers, its messages made at the flush: a dict per
    step kept until then would cost a fast loop more than making it (memory each step's
    tensors would otherwise reuse)."""

    def __init__(self, send: Callable[[List[Json], int], None]) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._steps = array("q")
        self._losses = array("d")
        self._times = array("d")
        # NaN: no optimizer step gave the step a learning rate.
        self._lrs = array("d")
        # Gradient norms are sampled: only the few steps that have them, by step.
        self._norms: Dict[int, GradNorms] = {}
        self._last_flush = time.perf_counter()
        self.stride = 1
        # The last step's metric waits for an optimizer step to fill in its lr.
        self.has_pending = False
        self._pending_step = 0
        self._pending_loss = 0.0
        self._pending_time = 0.0
        self._pending_norms: Optional[GradNorms] = None
        self._timer: Optional[threading.Thread] = None
        self._stopped = threading.Event()

    def start_timer(self) -> None:
        # A script that stops stepping (evaluation, a long pause) still gets its last
        # metrics out; a synchronous loop is flushed from commit() itself.
        self._timer = threading.Thread(target=self._tick, name="gradlens-metrics", daemon=True)
        self._timer.start()

    def _tick(self) -> None:
        while not self._stopped.wait(FLUSH_SECONDS):
            if time.perf_counter() - self._last_flush >= FLUSH_SECONDS:
                self.flush()

    def stop_timer(self) -> None:
        self._stopped.set()

    def keeps(self, step: int) -> bool:
        """Whether `step` is in the thinned stream (its metric is worth computing)."""
        return step % self.stride == 0

    def begin(self, step: int, loss: float, time_ms: float, grad_norms: Optional[GradNorms]) -> None:
        """The step's metric, pending until its optimizer step commits it with its learning
        rate, or the next commit. `loss` may be NaN or infinite; `grad_norms` None or empty
        when not sampled."""
        self.has_pending = True
        self._pending_step = step
        self._pending_loss = loss
        self._pending_time = time_ms
        self._pending_norms = grad_norms or None

    def commit(self, now: Optional[float] = None, lr: Optional[float] = None) -> None:
        """Moves the pending metric into the batch, with the learning rate its optimizer
        step used if any; flushes when the batch is due. `now`: time.perf_counter() if the
        caller has just read it."""
        if not self.has_pending:
            return
        self.has_pending = False
        step = self._pending_step
        with self._lock:
            if step % self.stride == 0:
                self._steps.append(step)
                self._losses.append(self._pending_loss)
                self._times.append(self._pending_time)
                self._lrs.append(math.nan if lr is None else lr)
                if self._pending_norms is not None:
                    self._norms[step] = self._pending_norms
                if len(self._steps) >= MAX_BATCH:
                    self._thin(self.stride * 2)
        if (time.perf_counter() if now is None else now) - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def _thin(self, stride: int) -> None:
        self.stride = stride
        kept = [i for i, step in enumerate(self._steps) if step % stride == 0]
        self._steps = array("q", (self._steps[i] for i in kept))
        self._losses = array("d", (self._losses[i] for i in kept))
        self._times = array("d", (self._times[i] for i in kept))
        self._lrs = array("d", (self._lrs[i] for i in kept))
        self._norms = {step: norms for step, norms in self._norms.items() if step % stride == 0}

    def flush(self) -> None:
        with self._lock:
            self._last_flush = time.perf_counter()
            if not self._steps:
                return
            batch = [
                {"step": step, "loss": encode_num(loss), "timeMs": time_ms, "gradNorms": self._norms.get(step, {}), "lr": None if lr != lr else lr}
                for step, loss, time_ms, lr in zip(self._steps, self._losses, self._times, self._lrs)
            ]
            self._steps, self._losses, self._times, self._lrs = array("q"), array("d"), array("d"), array("d")
            self._norms = {}
            stride = self.stride
            # Sent under the lock: batches from the timer thread and the main thread stay in order.
            self._send(batch, stride)
