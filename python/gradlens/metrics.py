"""The training record: one metric per backward() on a scalar, sent in batches."""
from __future__ import annotations

import threading
import time
from typing import Callable, List, Optional

from .protocol import Json

FLUSH_SECONDS = 0.2
MAX_BATCH = 1000


class MetricStream:
    """Batches metrics: one message per step would cost more than a small training step.
    When steps come faster than MAX_BATCH per flush, only every stride-th step is kept
    (stride doubles, the kept ones so far thinned to match) so memory and the host's work
    stay bounded; the stride is sent with each batch."""

    def __init__(self, send: Callable[[List[Json], int], None]) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._buffer: List[Json] = []
        self._last_flush = time.perf_counter()
        self.stride = 1
        # The last step's metric waits here for an optimizer step to fill in its lr.
        self.pending: Optional[Json] = None
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

    def set_lr(self, lr: Optional[float]) -> None:
        if self.pending is not None:
            self.pending["lr"] = lr
            self.commit()

    def commit(self, now: Optional[float] = None) -> None:
        """Moves the pending metric into the batch; flushes when the batch is due. `now`:
        time.perf_counter() if the caller has just read it."""
        metric, self.pending = self.pending, None
        if metric is None:
            return
        with self._lock:
            if metric["step"] % self.stride == 0:
                self._buffer.append(metric)
                if len(self._buffer) >= MAX_BATCH:
                    self.stride *= 2
                    self._buffer = [m for m in self._buffer if m["step"] % self.stride == 0]
        if (time.perf_counter() if now is None else now) - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            self._last_flush = time.perf_counter()
            if not self._buffer:
                return
            batch, self._buffer = self._buffer, []
            stride = self.stride
            # Sent under the lock: batches from the timer thread and the main thread stay in order.
            self._send(batch, stride)
