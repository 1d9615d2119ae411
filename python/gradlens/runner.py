"""The runner child: says hello, imports torch while the host decides, then runs the user's
script as `python script.py args...` would (a notebook's cells as a kernel would), with the
capture installed.

Started by the host as `python -m gradlens.runner` with GRADLENS_CHANNEL="OUT:IN"."""
from __future__ import annotations

import os
import queue
import runpy
import sys
import time
from typing import Any, Optional, Tuple

from . import PROTOCOL_VERSION
from .cells import NotebookError, NotebookRun, is_notebook, read_notebook
from .channel import Channel
from .features import runtime_info
from .pause import GATE, gil_holding_read
from .protocol import (CaptureRequest, Json, PauseRequest, ProtocolError, ResumeRequest, RunOptions, RunStart, location, metrics_message,
                       parse_host_message, run_done, run_error, run_notice, snapshot_message)

NO_BACKWARD = "the script never called backward() or autograd.grad(), so there is no autograd graph to show"


class Runner:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.starts: "queue.Queue[RunStart]" = queue.Queue()
        self.capture: Any = None
        self.notebook: Optional[NotebookRun] = None
        self.points: Any = None
        self.early_request = False
        self.started = time.perf_counter()
        self.held_read = gil_holding_read()
        GATE.on_wait = self.say_paused

    # ---- messages from the host (reader thread) ------------------------------------------

    def on_message(self, raw: Any) -> None:
        try:
            message = parse_host_message(raw)
        except ProtocolError as e:
            self.channel.send(run_error("protocol", f"runner rejected a message from the host: {e}"))
            return
        if isinstance(message, RunStart):
            self.starts.put(message)
        elif isinstance(message, CaptureRequest):
            self.request_capture()
        elif isinstance(message, PauseRequest):
            self.pause()
        elif isinstance(message, ResumeRequest):
            GATE.open()

    def request_capture(self) -> None:
        if self.capture is not None:
            self.capture.request()
        else:
            self.early_request = True

    def pause(self) -> None:
        """Holds the whole script until the host's resume (see pause.py)."""
        read = self.held_read
        if read is None:
            GATE.close()
            return
        self.say_paused(True)
        while True:
            raw = self.channel.next_message(read, self.on_bad_frame)
            if raw is None:
                self.channel.host_closed()
                return
            try:
                message = parse_host_message(raw)
            except ProtocolError as e:
                self.channel.send(run_error("protocol", f"runner rejected a message from the host: {e}"))
                continue
            if isinstance(message, ResumeRequest):
                break
            if isinstance(message, CaptureRequest):
                self.request_capture()
        self.say_paused(False)

    def say_paused(self, paused: bool) -> None:
        self.channel.send({"type": "run/paused" if paused else "run/resumed"})

    def on_bad_frame(self, problem: str) -> None:
        self.channel.send(run_error("protocol", problem))

    # ---- the run (main thread) --------------------------------------------------------------

    def serve(self) -> int:
        self.channel.send({"type": "hello", "protocol": PROTOCOL_VERSION, "pid": os.getpid(), "runtime": runtime_info()})
        self.channel.start_reader(self.on_message, self.on_bad_frame)
        torch_error = _import_torch()
        if torch_error is None:
            from .warmup import warm_up

            warm_up()
        start = self.starts.get()
        if start.protocol != PROTOCOL_VERSION:
            self.channel.send(run_error("protocol", f"host speaks protocol {start.protocol}, runner expects {PROTOCOL_VERSION}"))
            self.channel.finished = True
            return 2
        self.started = time.perf_counter()
        if torch_error is not None:
            message = (
                f"torch is not importable by {sys.executable} ({torch_error}); install PyTorch for that interpreter "
                "or choose another one (CLI: --python PATH; VS Code: setting gradlens.python.path)"
            )
            self.channel.send(run_error("launch", message))
            self.done(0)
            return 1
        return self.run(start.options)

    def run(self, options: RunOptions) -> int:
        from .capture import Capture
        from .errors import exception_error
        from .loops import read_loops

        if is_notebook(options.script):
            try:
                self.notebook = _notebook(options)
            except NotebookError as e:
                self.channel.send(run_error("syntax", str(e), None, location(options.script, e.line, e.column)))
                self.done(0)
                return 1
            options.stop_after = self.notebook.stop_after(options.stop_after)
        self.capture = Capture(options, _ChannelSink(self), self.started)
        if self.early_request:
            self.capture.request()
        self.capture.install()
        if options.capture_points:
            from .breakpoints import CapturePoints

            self.points = CapturePoints(options, self.capture)
        code = 0
        try:
            _enter_script(options)
            if self.points is not None:
                self.points.install()
            if self.notebook is not None:
                self.notebook.run()
            else:
                read_loops(options.script)  # the name runpy compiles it under
                runpy.run_path(options.script, run_name="__main__")
        except SystemExit as e:
            code = _exit_code(e)
        except BaseException as e:  # KeyboardInterrupt included: the script ended with it
            self.send(exception_error(e))
            code = 1
        finally:
            if self.points is not None:
                self.points.remove()
        self.finish(code)
        return code

    def finish(self, code: int) -> None:
        capture = self.capture
        try:
            capture.finish()
        except Exception as e:
            self.channel.send(run_error("crash", f"capture failed at the end of the run: {type(e).__name__}: {e}"))
        stopped = self.points is not None and self.points.recorded > 0
        if capture.count == 0 and code == 0 and not stopped:
            self.channel.send(run_error("no-backward", NO_BACKWARD))
        self.done(capture.count)

    def send(self, message: Json) -> None:
        """A message that may hold locations: those in notebook cells are mapped to their cell."""
        self.channel.send(message if self.notebook is None else self.notebook.map_message(message))

    def done(self, backward_count: int) -> None:
        # The script's own output first: the host may treat run/done as the end of the stream.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        self.channel.finished = True
        points = self.points.report() if self.points is not None else None
        self.channel.send(run_done(backward_count, (time.perf_counter() - self.started) * 1000, points))

    def stop(self) -> None:
        """The backward() at the stopAfter line was captured: end the run where it stands."""
        self.capture.flush_metrics()
        self.done(self.capture.count)
        os._exit(0)


class _ChannelSink:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def snapshot(self, snapshot: Json) -> None:
        self.runner.send(snapshot_message(snapshot))

    def metrics(self, columns: Json, stride: int) -> None:
        self.runner.channel.send(metrics_message(columns, stride))

    def error(self, kind: str, message: str) -> None:
        self.runner.channel.send(run_error(kind, message))

    def notice(self, kind: str, message: str) -> None:
        self.runner.channel.send(run_notice(kind, message))

    def stop(self) -> None:
        self.runner.stop()


def _import_torch() -> Optional[str]:
    try:
        import torch  # noqa: F401  (warm-up: a spare runner imports it before its run starts)
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return None


def _notebook(options: RunOptions) -> NotebookRun:
    cells = options.cells if options.cells is not None else read_notebook(options.script)
    return NotebookRun(options.script, cells)


def _enter_script(options: RunOptions) -> None:
    sys.argv = [options.script, *options.args]
    os.chdir(options.cwd)
    # The script's folder comes first, as under plain python; gradlens stays importable
    # through PYTHONPATH, which sits later on sys.path.
    sys.path[0] = os.path.dirname(os.path.abspath(options.script))


def _exit_code(e: SystemExit) -> int:
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    # sys.exit("message"): Python prints the message and exits with 1.
    print(e.code, file=sys.stderr)
    return 1


def main() -> None:
    code = Runner(Channel.from_env()).serve()
    sys.exit(code)


if __name__ == "__main__":
    main()
