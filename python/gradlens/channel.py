"""The runner's two pipes to the host, taken over from the fds named in GRADLENS_CHANNEL."""
from __future__ import annotations

import collections
import json
import os
import threading
from typing import Any, Callable, Deque, Optional

from .pause import Read
from .wire import encode_frame, split_frames

ENV_NAME = "GRADLENS_CHANNEL"
# The exit code when the host is gone: nobody is left to report to.
HOST_GONE = 70


# Far above the fds a script opens or probes; below the usual soft limit of 1024.
HIGH_FD = 900


def _move_high(fd: int) -> int:
    try:
        import fcntl

        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, HIGH_FD)
    except (ImportError, OSError):
        return os.dup(fd)


class Channel:
    def __init__(self, out_fd: int, in_fd: int) -> None:
        self._out = out_fd
        self._in = in_fd
        self._lock = threading.Lock()
        # A forked child (DataLoader worker, os.fork) inherits the fds but must never write:
        # its frames would interleave with ours.
        self._owner = os.getpid()
        self.finished = False
        self._frames: Deque[bytes] = collections.deque()
        self._pending = b""

    @classmethod
    def from_env(cls) -> "Channel":
        spec = os.environ.pop(ENV_NAME, None)
        if spec is None:
            raise SystemExit(f"gradlens.runner: {ENV_NAME} is not set; the runner is started by the Gradlens host")
        out_text, in_text = spec.split(":")
        out_orig, in_orig = int(out_text), int(in_text)
        # New fds, non-inheritable and high enough that a script looping over the low ones
        # does not meet them; closing the originals makes user code that writes to fd 3 fail
        # with EBADF exactly as it would under plain python.
        out_fd, in_fd = _move_high(out_orig), _move_high(in_orig)
        os.close(out_orig)
        os.close(in_orig)
        return cls(out_fd, in_fd)

    def send(self, message: Any) -> None:
        if os.getpid() != self._owner:
            return
        data = memoryview(encode_frame(message))
        with self._lock:
            try:
                while data:
                    written = os.write(self._out, data)
                    data = data[written:]
            except BrokenPipeError:
                os._exit(HOST_GONE)

    def start_reader(self, on_message: Callable[[Any], None], on_bad_frame: Callable[[str], None]) -> None:
        thread = threading.Thread(target=self._read_loop, args=(on_message, on_bad_frame), name="gradlens-channel", daemon=True)
        thread.start()

    def _read_loop(self, on_message: Callable[[Any], None], on_bad_frame: Callable[[str], None]) -> None:
        while True:
            message = self.next_message(os.read, on_bad_frame)
            if message is None:
                self.host_closed()
                return
            on_message(message)

    def next_message(self, read: Read, on_bad_frame: Callable[[str], None]) -> Optional[Any]:
        """The host's next message, read with `read` when none is buffered; None once the host's end is closed."""
        while True:
            while not self._frames:
                try:
                    chunk = read(self._in, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    return None
                payloads, self._pending = split_frames(self._pending + chunk)
                self._frames.extend(payloads)
            payload = self._frames.popleft()
            try:
                return json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                on_bad_frame(f"runner rejected a frame from the host: {e}")

    def host_closed(self) -> None:
        if not self.finished and os.getpid() == self._owner:
            os._exit(HOST_GONE)
