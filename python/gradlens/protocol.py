"""Message shapes of src/protocol/messages.ts: builders for what the runner sends and a
field-by-field check of what the host sends."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from . import PROTOCOL_VERSION

Json = Dict[str, Any]

FLOW_POLICIES = ("auto", "always", "never")
# With flow "auto", graphs up to this many function and AccumulateGrad nodes record their flow.
FLOW_AUTO_MAX_NODES = 2000


class ProtocolError(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"malformed message at {path}: {problem}")


@dataclass
class StopAfter:
    file: str
    line: int
    # A notebook's cell (0-based, markdown cells counted): `line` is then a line of that cell.
    cell: Optional[int] = None


CELL_KINDS = ("code", "markup")


@dataclass(frozen=True)
class NotebookCell:
    """A cell of a notebook (.ipynb) script as the host read it from its editor."""

    index: int
    kind: str
    language: str
    source: str


@dataclass
class CapturePointOption:
    """A line where the tensors in scope are recorded without pausing (a VS Code breakpoint)."""

    file: str
    line: int
    condition: Optional[str] = None


@dataclass
class RunOptions:
    script: str
    cwd: str
    capture_at: Union[int, str]
    max_nodes: int
    saved_tensors: bool
    stop_after: Optional[StopAfter]
    args: List[str] = field(default_factory=list)
    flow: str = "auto"
    # For a notebook script: the cells to run; None when the runner reads the file itself.
    cells: Optional[List[NotebookCell]] = None
    capture_points: List[CapturePointOption] = field(default_factory=list)
    # Hits recorded per capture point; later hits are only counted.
    max_hits: int = 0


def _obj(v: Any, path: str) -> Json:
    if not isinstance(v, dict):
        raise ProtocolError(path, "expected an object")
    return v


def _str(v: Any, path: str) -> str:
    if not isinstance(v, str):
        raise ProtocolError(path, "expected a string")
    return v


def _int(v: Any, path: str) -> int:
    # bool is an int subclass in Python; JSON true is not a number.
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise ProtocolError(path, "expected an integer")
    return int(v)


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise ProtocolError(path, "expected a boolean")
    return v


def _run_options(v: Any, path: str) -> RunOptions:
    o = _obj(v, path)
    # Checked in the TypeScript validator's order, so both name the same first problem.
    script = _str(o.get("script"), f"{path}.script")
    cwd = _str(o.get("cwd"), f"{path}.cwd")
    capture_at = o.get("captureAt")
    if capture_at not in ("last", "all"):
        capture_at = _int(capture_at, f"{path}.captureAt")
    stop = o.get("stopAfter")
    stop_after = None
    if stop is not None:
        s = _obj(stop, f"{path}.stopAfter")
        stop_after = StopAfter(_str(s.get("file"), f"{path}.stopAfter.file"), _int(s.get("line"), f"{path}.stopAfter.line"))
        if "cell" in s:
            stop_after.cell = _index(s.get("cell"), f"{path}.stopAfter.cell")
    # Older hosts do not send args: the script then runs without arguments.
    raw_args = o.get("args", [])
    if not isinstance(raw_args, list):
        raise ProtocolError(f"{path}.args", "expected an array")
    args = [_str(a, f"{path}.args[{i}]") for i, a in enumerate(raw_args)]
    # Older hosts do not send a flow policy.
    flow = o.get("flow", "auto")
    if flow not in FLOW_POLICIES:
        raise ProtocolError(f"{path}.flow", f"expected one of {', '.join(FLOW_POLICIES)}")
    cells = None if "cells" not in o else [_cell(c, f"{path}.cells[{i}]") for i, c in enumerate(_list(o["cells"], f"{path}.cells"))]
    points, max_hits = _capture_points(o.get("capturePoints"), f"{path}.capturePoints")
    return RunOptions(
        script=script,
        cwd=cwd,
        capture_at=capture_at,
        max_nodes=_int(o.get("maxNodes"), f"{path}.maxNodes"),
        saved_tensors=_bool(o.get("savedTensors"), f"{path}.savedTensors"),
        stop_after=stop_after,
        args=args,
        flow=flow,
        cells=cells,
        capture_points=points,
        max_hits=max_hits,
    )


def _list(v: Any, path: str) -> List[Any]:
    if not isinstance(v, list):
        raise ProtocolError(path, "expected an array")
    return v


def _index(v: Any, path: str) -> int:
    i = _int(v, path)
    if i < 0:
        raise ProtocolError(path, "expected at least 0")
    return i


def _cell(v: Any, path: str) -> NotebookCell:
    o = _obj(v, path)
    index = _index(o.get("index"), f"{path}.index")
    kind = o.get("kind")
    if kind not in CELL_KINDS:
        raise ProtocolError(f"{path}.kind", f"expected one of {', '.join(CELL_KINDS)}")
    return NotebookCell(index, kind, _str(o.get("language"), f"{path}.language"), _str(o.get("source"), f"{path}.source"))


def _capture_points(v: Any, path: str) -> Tuple[List[CapturePointOption], int]:
    if v is None:  # older hosts, and runs without breakpoints
        return [], 0
    o = _obj(v, path)
    raw = o.get("points")
    if not isinstance(raw, list):
        raise ProtocolError(f"{path}.points", "expected an array")
    points = []
    for i, p in enumerate(raw):
        q = f"{path}.points[{i}]"
        p = _obj(p, q)
        condition = p.get("condition")
        points.append(CapturePointOption(
            _str(p.get("file"), f"{q}.file"), _int(p.get("line"), f"{q}.line"),
            None if condition is None else _str(condition, f"{q}.condition"),
        ))
    max_hits = _int(o.get("maxHits"), f"{path}.maxHits")
    if max_hits < 1:
        raise ProtocolError(f"{path}.maxHits", "expected at least 1")
    return points, max_hits


@dataclass
class RunStart:
    protocol: int
    options: RunOptions


@dataclass
class CaptureRequest:
    pass


@dataclass
class PauseRequest:
    pass


@dataclass
class ResumeRequest:
    pass


HostMessage = Union[RunStart, CaptureRequest, PauseRequest, ResumeRequest]


def parse_host_message(v: Any) -> HostMessage:
    o = _obj(v, "message")
    kind = _str(o.get("type"), "message.type")
    if kind == "run/start":
        return RunStart(_int(o.get("protocol"), "message.protocol"), _run_options(o.get("options"), "message.options"))
    if kind == "capture/request":
        return CaptureRequest()
    if kind == "run/pause":
        return PauseRequest()
    if kind == "run/resume":
        return ResumeRequest()
    raise ProtocolError("message.type", f"unknown message type {kind!r}")


def hello(pid: int, runtime: Json) -> Json:
    return {"type": "hello", "protocol": PROTOCOL_VERSION, "pid": pid, "runtime": runtime}


def run_error(kind: str, message: str, stack: Optional[str] = None, location: Optional[Json] = None) -> Json:
    return {"type": "run/error", "error": {"kind": kind, "message": message, "stack": stack, "location": location}}


# Something the user should know of a run that goes on (RunNotice in src/protocol/messages.ts).
NOTICE_KINDS = ("graph-too-large", "compiled")


def run_notice(kind: str, message: str) -> Json:
    return {"type": "run/notice", "notice": {"kind": kind, "message": message}}


def run_done(backward_count: int, duration_ms: float, capture_points: Optional[List[Json]] = None) -> Json:
    done: Json = {"type": "run/done", "backwardCount": backward_count, "durationMs": duration_ms}
    if capture_points:
        done["capturePoints"] = capture_points
    return done


def snapshot_message(snapshot: Json) -> Json:
    return {"type": "graph/snapshot", "snapshot": snapshot}


def metrics_message(columns: Json, stride: int) -> Json:
    """A batch of metrics in columns: step, loss, timeMs and lr lists of one length, and
    gradNorms by step (as a string) for the steps that have them."""
    m: Json = {"type": "train/metrics", "columns": columns}
    if stride > 1:
        m["stride"] = stride
    return m


def location(file: str, line: int, column: int) -> Json:
    return {"file": file, "line": line, "column": column}
