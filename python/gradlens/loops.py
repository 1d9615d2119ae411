"""Whether the user's code is inside a loop: a backward() called from a loop body (in its own
function or in one of its callers) will most likely be called again with the same graph."""
from __future__ import annotations

import ast
import linecache
from types import FrameType
from typing import Dict, List, Optional, Tuple

from .userframes import is_user_file

# Line spans (first, last) of loop statements, per file.
_spans: Dict[str, List[Tuple[int, int]]] = {}

# Fields holding statement lists: loops are statements, so expressions are never visited.
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _loop_spans(file: str) -> List[Tuple[int, int]]:
    spans = _spans.get(file)
    if spans is not None:
        return spans
    spans = []
    try:
        stack: List[ast.AST] = [ast.parse("".join(linecache.getlines(file)), filename=file)]
    except (SyntaxError, ValueError):
        stack = []
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            spans.append((node.lineno, node.end_lineno or node.lineno))
        for name in _BODIES:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)
    _spans[file] = spans
    return spans


def in_loop(frame: Optional[FrameType]) -> bool:
    """Whether `frame` or one of its callers in the user's files stands inside a loop."""
    while frame is not None:
        file = frame.f_code.co_filename
        if is_user_file(file):
            line = frame.f_lineno
            if any(first <= line <= last for first, last in _loop_spans(file)):
                return True
        frame = frame.f_back
    return False
