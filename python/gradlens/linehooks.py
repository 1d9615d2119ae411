"""Lines watched without pausing: a hook runs each time one is reached, before it runs, as a
debugger would stop there. Only frames of code objects that hold a watched line pay for it:
with `sys.monitoring` (Python 3.12+) line events are turned on for those code objects alone;
older Pythons get a global trace function (one dict lookup per call) that hands a line tracer
to those frames only. Torch-free, so it can be tested on any Python."""
from __future__ import annotations

import dis
import os
import sys
import threading
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Any, Callable, Dict, List, Optional, Set

from .conditions import Condition


@dataclass
class Point:
    """A watched line, as the host named it (`file` is what reports say back)."""

    file: str
    line: int
    condition: Optional[Condition] = None
    # Times the line was reached with its condition true, counted past the hook's limit too.
    reached: int = 0


Lines = Dict[int, Point]
_UNSEEN: Any = object()
Hook = Callable[[FrameType, Point], None]


def _key(file: str) -> str:
    return os.path.normcase(os.path.realpath(file))


def own_lines(code: CodeType) -> Set[int]:
    """The lines that start instructions of `code` itself (nested functions have their own)."""
    return {line for _, line in dis.findlinestarts(code) if line is not None}


class LineHooks:
    """Calls `hook(frame, point)` each time a watched line is about to run (its condition
    true), counting every such reach in `point.reached`."""

    def __init__(self, points: List[Point], hook: Hook) -> None:
        self.points = points
        self._hook = hook
        self._by_file: Dict[str, List[Point]] = {}
        for p in points:
            self._by_file.setdefault(_key(p.file), []).append(p)
        self._file_points: Dict[str, Optional[List[Point]]] = {}
        self._code_lines: Dict[CodeType, Optional[Lines]] = {}
        # Code objects that were given line events: what tests read to see where tracing cost.
        self.traced: Set[CodeType] = set()
        self._tool: Optional[int] = None
        self._previous_trace: Any = None
        self._busy = False

    # ---- which code objects watch which lines --------------------------------------------

    def lines_of(self, code: CodeType) -> Optional[Lines]:
        """The watched lines `code` itself runs, or None (cached per code object)."""
        try:
            return self._code_lines[code]
        except KeyError:
            pass
        lines = self._find_lines(code)
        self._code_lines[code] = lines
        return lines

    def _find_lines(self, code: CodeType) -> Optional[Lines]:
        file = code.co_filename
        if file not in self._file_points:
            # `<string>`, `<frozen ...>`: code without a file of its own.
            self._file_points[file] = None if file.startswith("<") else self._by_file.get(_key(file))
        points = self._file_points[file]
        if not points:
            return None
        # No code object holds lines above its first: most are ruled out without reading them.
        near = [p for p in points if p.line >= code.co_firstlineno]
        if not near:
            return None
        mine = own_lines(code)
        lines = {p.line: p for p in near if p.line in mine}
        return lines or None

    # ---- reaching a line ------------------------------------------------------------------

    def _reach(self, frame: FrameType, point: Point) -> None:
        condition = point.condition
        if condition is not None and not condition.holds(frame):
            return
        point.reached += 1
        if self._busy:
            return  # the hook's own work reached a watched line: counted, not recorded
        self._busy = True
        try:
            self._hook(frame, point)
        finally:
            self._busy = False

    # ---- installation ---------------------------------------------------------------------

    def install(self) -> None:
        if not self.points:
            return
        if hasattr(sys, "monitoring"):
            self._tool = _free_tool()
        if self._tool is not None:
            self._install_monitoring(self._tool)
        else:
            self._previous_trace = sys.gettrace()
            sys.settrace(self._on_call)
            threading.settrace(self._on_call)

    def remove(self) -> None:
        tool = self._tool
        if tool is not None:
            mon = sys.monitoring  # type: ignore[attr-defined]
            mon.set_events(tool, 0)
            for code in self.traced:
                mon.set_local_events(tool, code, 0)
            mon.register_callback(tool, mon.events.PY_START, None)
            mon.register_callback(tool, mon.events.LINE, None)
            mon.free_tool_id(tool)
            self._tool = None
        elif sys.gettrace() == self._on_call:
            sys.settrace(self._previous_trace)
            threading.settrace(self._previous_trace)  # type: ignore[arg-type]

    # sys.settrace: the global function sees every call; only watched code gets a line tracer.
    def _on_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        # The known code objects' answer without a further call: this runs on every call.
        lines = self._code_lines.get(frame.f_code, _UNSEEN)
        if lines is _UNSEEN:
            lines = self.lines_of(frame.f_code)
        if lines is None:
            return None
        self.traced.add(frame.f_code)
        reach = self._reach

        def on_line(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                point = lines.get(frame.f_lineno)
                if point is not None:
                    reach(frame, point)
            return on_line

        return on_line

    # sys.monitoring: each code object is looked at once, at its first start.
    def _install_monitoring(self, tool: int) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        mon.register_callback(tool, mon.events.PY_START, self._on_start)
        mon.register_callback(tool, mon.events.LINE, self._on_line)
        mon.set_events(tool, mon.events.PY_START)
        mon.restart_events()

    def _on_start(self, code: CodeType, offset: int) -> Any:
        mon = sys.monitoring  # type: ignore[attr-defined]
        if self.lines_of(code) is not None and code not in self.traced:
            self.traced.add(code)
            mon.set_local_events(self._tool, code, mon.events.LINE)
        return mon.DISABLE

    def _on_line(self, code: CodeType, line: int) -> Any:
        lines = self.lines_of(code)
        point = lines.get(line) if lines is not None else None
        if point is None:
            return sys.monitoring.DISABLE  # type: ignore[attr-defined]
        self._reach(sys._getframe(1), point)
        return None


def _free_tool() -> Optional[int]:
    mon = sys.monitoring  # type: ignore[attr-defined]
    for tool in (mon.DEBUGGER_ID, 3, 4):
        if mon.get_tool(tool) is None:
            mon.use_tool_id(tool, "gradlens")
            return tool
    return None
