"""Breakpoint conditions that can be evaluated without running the user's code: comparisons,
`and`/`or`/`not` and arithmetic over names and literals, where every name holds a plain number,
string, bool or None (`step % 10 == 0`, `epoch > 2 and i == 0`). Anything else (a call, an
attribute, a tensor) is not evaluated: the breakpoint is then treated as a plain one."""
from __future__ import annotations

import ast
import builtins
import operator
from types import FrameType
from typing import Any, Callable, Dict, Optional, Type

_PLAIN = (int, float, bool, str, type(None))

_BINARY: Dict[Type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_UNARY: Dict[Type[ast.AST], Callable[[Any], Any]] = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE: Dict[Type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


class NotSimple(Exception):
    """The condition (or, at one hit, a value it reads) is outside what is evaluated safely."""


class Condition:
    def __init__(self, text: str) -> None:
        self.text = text
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise NotSimple(f"it is not a Python expression ({e.msg})") from None
        _check(tree.body)
        self._tree = tree.body
        # The first hit whose values could not be read (the breakpoint then counts as plain).
        self.problem: Optional[str] = None

    def holds(self, frame: FrameType) -> bool:
        try:
            return bool(_evaluate(self._tree, frame.f_locals, frame.f_globals))
        except NotSimple as e:
            self.problem = self.problem or str(e)
        except (ArithmeticError, TypeError, ValueError) as e:
            self.problem = self.problem or f"{type(e).__name__}: {e}"
        return True


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand)
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        _check(node.left)
        for c in node.comparators:
            _check(c)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for e in node.elts:
            _check(e)
    elif isinstance(node, ast.Constant) and isinstance(node.value, _PLAIN):
        pass
    elif isinstance(node, ast.Name):
        pass
    else:
        raise NotSimple(f"`{_source(node)}` is not a comparison of names and numbers")


def _source(node: ast.AST) -> str:
    unparse = getattr(ast, "unparse", None)  # Python 3.9+
    return unparse(node) if unparse is not None else type(node).__name__


def _evaluate(node: ast.AST, local: Dict[str, Any], glob: Dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _name(node.id, local, glob)
    if isinstance(node, ast.BoolOp):
        value: Any = None
        for v in node.values:
            value = _evaluate(v, local, glob)
            if isinstance(node.op, ast.And) != bool(value):
                return value
        return value
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, local, glob), _evaluate(node.right, local, glob))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, local, glob))
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_evaluate(e, local, glob) for e in node.elts)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, local, glob)
        for op, c in zip(node.ops, node.comparators):
            right = _evaluate(c, local, glob)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise NotSimple("unexpected expression")


def _name(name: str, local: Dict[str, Any], glob: Dict[str, Any]) -> Any:
    if name in local:
        value = local[name]
    elif name in glob:
        value = glob[name]
    elif name in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[name]
    elif hasattr(builtins, name):
        raise NotSimple(f"`{name}` is not a plain value")
    else:
        raise NotSimple(f"`{name}` is not defined at this line")
    # Exact types: a subclass (or a tensor) could run code on comparison.
    if type(value) not in _PLAIN:
        raise NotSimple(f"`{name}` is a {type(value).__name__}, not a plain number")
    return value
