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
    (stride doubles, the kept ones so far thinned to match) so memory and the host's work
    stay bounded; the stride is sent with each batch.

    A batch waits as plain numbers in one array, its messages made at the flush: a dict per
    step kept until then costs a fast loop more than making it."""

    def __init__(self, send: Callable[[List[Json], int], None]) -> None:
        self._send = send
        self._lock = threading.Lock()
        # Four numbers a step: step, loss, time (ms), learning rate (NaN: no optimizer).
        self._rows = array("d")
        # Gradient norms are sampled: only the few steps that have them, by step.
        self._norms: Dict[int, GradNorms] = {}
        self._last_flush = time.perf_counter()
        self.stride = 1
        # Steps kept since the window began.
        self._window_start = self._last_flush
        self._window_kept = 0
        self._timer: Optional[threading.Thread] = None
        self._stopped = threading.Event()

    def start_timer(self) -> None:
        # A script that stops stepping (evaluation, a long pause) still gets its last
        # metrics out; a synchronous loop is flushed from add() itself.
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

    def add(self, step: int, loss: float, now: float, time_ms: float, lr: Optional[float], grad_norms: Optional[GradNorms]) -> None:
        """A kept step's metric; flushes when the batch is due. `loss` may be NaN or
        infinite; `grad_norms` None or empty when not sampled; `now`: time.perf_counter()."""
        with self._lock:
            if step % self.stride != 0:
                return
            self._rows.extend((step, loss, time_ms, math.nan if lr is None else lr))
            if grad_norms:
                self._norms[step] = grad_norms
            if now - self._window_start >= WINDOW_SECONDS:
                self._window_start, self._window_kept = now, 0
            self._window_kept += 1
            if self._window_kept >= MAX_BATCH:
                self._thin(self.stride * 2)
                self._window_kept //= 2
        if now - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def _thin(self, stride: int) -> None:
        self.stride = stride
        rows = self._rows
        self._rows = array("d")
        for i in range(0, len(rows), 4):
            if int(rows[i]) % stride == 0:
                self._rows.extend(rows[i:i + 4])
        self._norms = {step: norms for step, norms in self._norms.items() if step % stride == 0}

    def flush(self) -> None:
        with self._lock:
            self._last_flush = time.perf_counter()
            if not self._rows:
                return
            rows, self._rows = self._rows, array("d")
            norms, self._norms = self._norms, {}
            batch = []
            for i in range(0, len(rows), 4):
                step, loss, time_ms, lr = int(rows[i]), rows[i + 1], rows[i + 2], rows[i + 3]
                batch.append({"step": step, "loss": encode_num(loss), "timeMs": time_ms, "gradNorms": norms.get(step, {}), "lr": None if lr != lr else lr})
            stride = self.stride
            # Sent under the lock: batches from the timer thread and the main thread stay in order.
            self._send(batch, stride)
