"""Pausing the script on the host's request, on every OS and without signals.

The channel's reader thread takes the pause: it reads the host's next frames through a call
that keeps the GIL held (ctypes.PyDLL does not release it), so every thread of the script
stops at its next bytecode, even inside a pure-Python loop; a torch op already running
finishes first, having released the GIL. Where that cannot work (a Python built without a
GIL, or no C library ctypes can load) the script waits at its next backward() instead.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from typing import Callable, Optional

Read = Callable[[int, int], bytes]


def _c_read() -> Optional[Callable[..., int]]:
    if sys.platform == "win32":
        names = ["ucrtbase", "msvcrt"]
    else:
        names = [ctypes.util.find_library("c") or "", ""]
    for name in names:
        try:
            lib = ctypes.PyDLL(name or None)
            return getattr(lib, "_read" if sys.platform == "win32" else "read")
        except (OSError, AttributeError):
            continue
    return None


def gil_holding_read() -> Optional[Read]:
    """os.read's twin that keeps the GIL while it waits, or None where that is not possible."""
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    if is_gil_enabled is not None and not is_gil_enabled():
        return None
    c_read = _c_read()
    if c_read is None:
        return None

    def read(fd: int, size: int) -> bytes:
        buffer = ctypes.create_string_buffer(size)
        n = c_read(fd, buffer, size)
        if n < 0:
            raise OSError(ctypes.get_errno(), "read failed")
        return buffer.raw[:n]

    return read


class Gate:
    """The fallback: open unless paused; the script's backward() waits at it."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        # Read by every backward(): a plain flag costs less than asking the event.
        self.closed = False
        self.on_wait: Callable[[bool], None] = lambda paused: None

    def close(self) -> None:
        self._open.clear()
        self.closed = True

    def open(self) -> None:
        self.closed = False
        self._open.set()

    def checkpoint(self) -> None:
        if not self.closed:
            return
        self.on_wait(True)
        self._open.wait()
        self.on_wait(False)


GATE = Gate()
