"""Whether the user's code is inside a loop: a backward() called from a loop body (in its own
function or in one of its callers) will most likely be called again with the same graph; and,
for loops over range(...), how many more passes they will make."""
from __future__ import annotations

import ast
import builtins
import linecache
import operator
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import torch

from .userframes import is_user_file

Loop = Union[ast.For, ast.AsyncFor, ast.While]

# Line spans (first, last) of loop statements and the statements, per file.
_spans: Dict[str, List[Tuple[int, int, Loop]]] = {}

# Fields holding statement lists: loops are statements, so expressions are never visited.
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _loop_spans(file: str) -> List[Tuple[int, int, Loop]]:
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
            spans.append((node.lineno, node.end_lineno or node.lineno, node))
        for name in _BODIES:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)
    _spans[file] = spans
    return spans


def read_loops(file: str) -> None:
    """Finds a script's loops before it runs: its first captured backward() (most often in a
    training loop's first pass) then does not wait for the parse."""
    _loop_spans(file)


def in_loop(frame: Optional[FrameType]) -> bool:
    """Whether `frame` or one of its callers in the user's files stands inside a loop."""
    while frame is not None:
        file = frame.f_code.co_filename
        if is_user_file(file):
            line = frame.f_lineno
            if any(first <= line <= last for first, last, _ in _loop_spans(file)):
                return True
        frame = frame.f_back
    return False


def passes_left(frame: Optional[FrameType]) -> Optional[int]:
    """How many more passes the loops around `frame` (and around its callers) will make over
    the line running now, with every loop running to its end; None when that cannot be told
    without running the script: a while loop, a loop over anything but range(...) of plain
    values (names, attributes, numbers, len() of a list), a target that is not one name. A
    `break` or an exception can still end the loops sooner."""
    if frame is None:
        return None
    left, scale = 0, 1
    while frame is not None:
        file = frame.f_code.co_filename
        if is_user_file(file):
            line = frame.f_lineno
            # Loops of this frame's own code, innermost first: a function defined in a loop
            # body does not run once per pass of that loop.
            start = frame.f_code.co_firstlineno
            loops = sorted((loop for first, last, loop in _loop_spans(file) if start <= first < line <= last), key=lambda loop: -loop.lineno)
            for loop in loops:
                place = _range_place(loop, frame)
                if place is None:
                    return None
                index, length = place
                left += (length - 1 - index) * scale
                scale *= length
        frame = frame.f_back
    return left


def _range_place(loop: Loop, frame: FrameType) -> Optional[Tuple[int, int]]:
    """Where a `for NAME in range(...)` loop stands: the pass it is in (0-based) and its length."""
    if not isinstance(loop, ast.For) or not isinstance(loop.target, ast.Name):
        return None
    call = loop.iter
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "range" and not call.keywords):
        return None
    scope = _Scope(frame)
    try:
        passes = range(*[_plain_value(a, scope) for a in call.args])
        current = scope.get(loop.target.id)
    except (_NotPlain, TypeError, ValueError, OverflowError):
        return None
    if type(current) is not int or current not in passes:
        return None
    return passes.index(current), len(passes)


class _NotPlain(Exception):
    pass


class _Scope:
    def __init__(self, frame: FrameType) -> None:
        self._frame = frame

    def get(self, name: str) -> Any:
        for names in (self._frame.f_locals, self._frame.f_globals, vars(builtins)):
            if name in names:
                return names[name]
        raise _NotPlain(name)


_OPERATORS: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
# Containers whose len() runs no user code.
_SIZED = (list, tuple, dict, str, range, set, frozenset, torch.Tensor)


def _plain_value(node: ast.expr, scope: _Scope) -> Any:
    """The value of a range() argument, read without running any of the script's code (no
    calls but len() and int() of plain values, no properties): a loop's count is read while
    the script runs, and must not change what it does."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _plain_value(node.value, scope)
        # Only what the object holds itself (an argparse Namespace's options, a module's names).
        held = getattr(owner, "__dict__", None)
        if not isinstance(held, dict) or node.attr not in held:
            raise _NotPlain(node.attr)
        return held[node.attr]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(_plain_value(node.operand, scope))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_number(_plain_value(node.left, scope)), _number(_plain_value(node.right, scope)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("len", "int") and len(node.args) == 1 and not node.keywords:
        value = _plain_value(node.args[0], scope)
        if node.func.id == "len" and isinstance(value, _SIZED):
            return len(value)
        if node.func.id == "int" and isinstance(value, (int, float, str)):
            return int(value)
    raise _NotPlain(ast.dump(node))


def _number(v: Any) -> int:
    if type(v) is not int:
        raise _NotPlain(repr(v))
    return v
