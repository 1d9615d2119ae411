"""The user's own frames: where their code is now, what their variables are called, and
which expression a backward() was called on."""
from __future__ import annotations

import linecache
import os
import re
import sys
import sysconfig
from types import CodeType, FrameType
from typing import Any, Dict, Iterator, List, Optional, Tuple

import torch

from .protocol import Json, location

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
_LIBRARY_DIRS = tuple(
    {os.path.abspath(p) + os.sep for key in ("stdlib", "platstdlib") if (p := sysconfig.get_paths().get(key))}
)
_LIBRARY_MARKERS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")

_user_files: Dict[str, bool] = {}


def is_user_file(file: str) -> bool:
    """Not torch, not the standard library or installed packages, not gradlens itself."""
    known = _user_files.get(file)
    if known is None:
        known = (
            os.path.isabs(file)
            and not file.startswith((_PACKAGE_DIR, _TORCH_DIR) + _LIBRARY_DIRS)
            and not any(m in file for m in _LIBRARY_MARKERS)
        )
        _user_files[file] = known
    return known


def user_frame(start: Optional[FrameType] = None) -> Optional[FrameType]:
    """The innermost user frame at or outside `start` (default: the caller)."""
    frame = start if start is not None else sys._getframe(1)
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


_positions: Dict[Tuple[CodeType, int], Tuple[int, int]] = {}


def _line_column(code: CodeType, lasti: int, fallback_line: int) -> Tuple[int, int]:
    """1-based line and column of the instruction at `lasti` (Python 3.11+ knows columns)."""
    key = (code, lasti)
    known = _positions.get(key)
    if known is None:
        line, column = fallback_line, 1
        if hasattr(code, "co_positions") and lasti >= 0:
            for i, pos in enumerate(code.co_positions()):
                if i == lasti // 2:
                    if pos[0] is not None:
                        line = pos[0]
                    if pos[2] is not None:
                        column = pos[2] + 1
                    break
        known = (line, column)
        _positions[key] = known
    return known


def frame_location(frame: FrameType) -> Json:
    line, column = _line_column(frame.f_code, frame.f_lasti, frame.f_lineno)
    return location(frame.f_code.co_filename, line, column)


def current_location() -> Optional[Json]:
    frame = user_frame(sys._getframe(1))
    return None if frame is None else frame_location(frame)


def outward(frame: Optional[FrameType]) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


def names_in_frames(frame: Optional[FrameType]) -> Tuple[Dict[int, str], List[torch.nn.Module]]:
    """Tensor variable names (by id) and modules in scope, from `frame` outward: locals
    before globals, inner frames before outer ones."""
    tensors: Dict[int, str] = {}
    modules: Dict[int, torch.nn.Module] = {}
    for f in outward(frame):
        for scope in (f.f_locals, f.f_globals):
            for name, value in list(scope.items()):
                if isinstance(value, torch.Tensor):
                    if id(value) not in tensors and not name.startswith("__"):
                        tensors[id(value)] = name
                elif isinstance(value, torch.nn.Module):
                    modules.setdefault(id(value), value)
    return tensors, list(modules.values())


_BACKWARD_ON = re.compile(r"([A-Za-z_][\w.]*)\s*\.\s*backward\s*\(")
_CALLED_WITH = re.compile(r"(?:backward|grad)\s*\(\s*(?:outputs\s*=\s*|tensors\s*=\s*)?([A-Za-z_][\w.]*)\s*[,)]")


def output_name(call_site: Optional[Json]) -> str:
    """The plain name backward() was called on (`P.backward()` -> "P"), else "output"."""
    if call_site is None:
        return "output"
    text = linecache.getline(call_site["file"], call_site["line"])
    column = call_site["column"] - 1
    for pattern in (_BACKWARD_ON, _CALLED_WITH):
        # The call at the reported column first; another call on the same line otherwise.
        matches = sorted(pattern.finditer(text), key=lambda m: m.start() != column)
        for m in matches:
            name = m.group(1)
            if not name.startswith(("torch.", "autograd.")) and name not in ("torch", "autograd"):
                return name[len("self."):] if name.startswith("self.") else name
    return "output"
