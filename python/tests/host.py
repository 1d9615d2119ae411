"""A test host that starts the runner exactly as the TypeScript host does: fds 3/4 via
GRADLENS_CHANNEL, PYTHONPATH=<repo>/python, its own process group, stdin /dev/null."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
EXAMPLES = os.path.join(REPO, "examples", "python")
MAGIC = b"\x1eGL1 "
PYTHON = "/usr/bin/python3"


@dataclass
class Result:
    messages: List[Dict[str, Any]]
    returncode: int
    stdout: str
    stderr: str
    hello: Dict[str, Any] = field(default_factory=dict)

    def of(self, kind: str) -> List[Dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    @property
    def snapshots(self) -> List[Dict[str, Any]]:
        return [m["snapshot"] for m in self.of("graph/snapshot")]

    @property
    def errors(self) -> List[Dict[str, Any]]:
        return [m["error"] for m in self.of("run/error")]

    @property
    def notices(self) -> List[Dict[str, Any]]:
        return [m["notice"] for m in self.of("run/notice")]

    @property
    def metrics(self) -> List[Dict[str, Any]]:
        return [x for m in self.of("train/metrics") for x in metric_rows(m)]

    @property
    def done(self) -> Dict[str, Any]:
        done = self.of("run/done")
        assert len(done) == 1, self.messages
        return done[0]


class Runner:
    """A started runner child; `start()` sends run/start, `collect()` reads to the end."""

    def __init__(self, python_args: Optional[List[str]] = None, env: Optional[Dict[str, str]] = None) -> None:
        child_out_r, child_out_w = os.pipe()  # child -> host
        host_in_r, host_in_w = os.pipe()  # host -> child
        # Arrange the child's fds 3 and 4 as the host does (stdio pipes 0-2, then the channel).
        environment = dict(os.environ)
        environment.pop("PYTHONHOME", None)
        environment.update({"PYTHONPATH": PYTHON_DIR, "PYTHONUNBUFFERED": "1", "GRADLENS_CHANNEL": "3:4"})
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [PYTHON, *(python_args or []), "-m", "gradlens.runner"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=environment, start_new_session=True,
            pass_fds=(3, 4),
            preexec_fn=_place_fds(child_out_w, host_in_r),
        )
        os.close(child_out_w)
        os.close(host_in_r)
        self.read_fd = child_out_r
        self.write_fd = host_in_w
        self.buffer = b""
        self.messages: List[Dict[str, Any]] = []

    def send(self, message: Dict[str, Any]) -> None:
        os.write(self.write_fd, MAGIC + json.dumps(message).encode() + b"\n")

    def send_raw(self, data: bytes) -> None:
        os.write(self.write_fd, data)

    def read_message(self, timeout: float = 60) -> Optional[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no message from the runner; got {self.messages}")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        assert line.startswith(MAGIC), line[:80]
        text = line[len(MAGIC):].decode("utf-8")
        message = json.loads(text, parse_constant=_no_constants)
        self.messages.append(message)
        return message

    def hello(self) -> Dict[str, Any]:
        m = self.read_message()
        assert m is not None and m["type"] == "hello", m
        return m

    def start(self, script: str, cwd: Optional[str] = None, **options: Any) -> None:
        opts = {
            "script": script, "cwd": cwd or os.path.dirname(script), "captureAt": "last", "maxNodes": 2000,
            "savedTensors": False, "stopAfter": None, "args": [],
        }
        opts.update(options)
        self.send({"type": "run/start", "protocol": 1, "options": opts})

    def collect(self, timeout: float = 120) -> Result:
        deadline = time.monotonic() + timeout
        while True:
            m = self.read_message(max(1.0, deadline - time.monotonic()))
            if m is None or m["type"] == "run/done":
                break
        rest = self.proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        os.close(self.read_fd)
        os.close(self.write_fd)
        hello = self.messages[0] if self.messages and self.messages[0]["type"] == "hello" else {}
        return Result(self.messages, self.proc.returncode, rest[0].decode(), rest[1].decode(), hello)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _no_constants(name: str) -> Any:
    raise ValueError(f"non-JSON constant {name} in a frame")


def _place_fds(out_w: int, in_r: int):
    def place() -> None:
        # dup2 onto 3 and 4 in an order that cannot clobber a source fd.
        a, b = os.dup(out_w), os.dup(in_r)
        os.dup2(a, 3)
        os.dup2(b, 4)
        os.set_inheritable(3, True)
        os.set_inheritable(4, True)
    return place


def run(script: str, python_args: Optional[List[str]] = None, collect_timeout: float = 120, **options: Any) -> Result:
    r = Runner(python_args)
    try:
        r.hello()
        r.start(script, **options)
        return r.collect(collect_timeout)
    finally:
        r.kill()


def metric_rows(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A train/metrics batch as one metric per step, as the host reads it."""
    c = message["columns"]
    return [
        {"step": step, "loss": loss, "timeMs": time_ms, "gradNorms": c["gradNorms"].get(str(step), {}), "lr": lr}
        for step, loss, time_ms, lr in zip(c["step"], c["loss"], c["timeMs"], c["lr"])
    ]
