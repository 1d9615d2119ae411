"""Line hooks without torch: where they fire, what the frame holds then, and which code objects
pay for line events (any Python: sys.settrace before 3.12, sys.monitoring from 3.12)."""
from __future__ import annotations

import importlib.util
import os
import sys
import textwrap
from types import ModuleType
from typing import Any, Dict, List, Tuple

from gradlens.conditions import Condition, NotSimple
from gradlens.linehooks import LineHooks, Point

USER = """\
def double(x):
    y = x * 2
    return y


def outer(n):
    def inner(k):
        z = k + 1
        return z
    total = 0
    for i in range(n):
        total += inner(i)
    return total


def untouched(v):
    return v - 1


result = outer(3) + double(5) + untouched(1)
"""

OTHER = """\
def helper(a):
    return a + 1


value = helper(1)
"""


def _load(path: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(tmp_path: Any, points: List[Tuple[int, Any]], user: str = USER) -> Tuple[LineHooks, List[Tuple[int, int, Dict[str, Any]]], Dict[str, ModuleType]]:
    """Runs user.py (with the points) and other.py (without) under the hooks; returns the
    hooks and each hit as (line, hit, copy of the frame's locals)."""
    user_path = os.path.join(str(tmp_path), "user.py")
    other_path = os.path.join(str(tmp_path), "other.py")
    with open(user_path, "w") as f:
        f.write(textwrap.dedent(user))
    with open(other_path, "w") as f:
        f.write(OTHER)
    hits: List[Tuple[int, int, Dict[str, Any]]] = []
    watched = [Point(user_path, line, None if cond is None else Condition(cond)) for line, cond in points]
    hooks = LineHooks(watched, lambda frame, p: hits.append((p.line, p.reached, dict(frame.f_locals))))
    hooks.install()
    try:
        modules = {"user": _load(user_path, "gl_user"), "other": _load(other_path, "gl_other")}
    finally:
        hooks.remove()
    return hooks, hits, modules


def test_a_hit_comes_before_its_line_runs(tmp_path: Any) -> None:
    _, hits, _ = _run(tmp_path, [(2, None)])
    assert [(line, hit) for line, hit, _ in hits] == [(2, 1)]
    scope = hits[0][2]
    assert scope == {"x": 5}  # `y` is not assigned yet


def test_only_code_objects_holding_a_watched_line_are_traced(tmp_path: Any) -> None:
    hooks, _, modules = _run(tmp_path, [(8, None)])
    traced = {c.co_name for c in hooks.traced}
    # The nested function holds the line; its enclosing function, the module, the other
    # functions of the file and every other file run without line events.
    assert traced == {"inner"}
    assert all(c.co_filename.endswith("user.py") for c in hooks.traced)
    assert modules["other"].value == 2


def test_nested_function_in_a_loop_counts_every_hit(tmp_path: Any) -> None:
    hooks, hits, _ = _run(tmp_path, [(8, None)])
    assert [(hit, scope["k"]) for _, hit, scope in hits] == [(1, 0), (2, 1), (3, 2)]
    assert hooks.points[0].reached == 3


def test_module_level_line_sees_the_module_globals(tmp_path: Any) -> None:
    hooks, hits, modules = _run(tmp_path, [(20, None)])
    assert [line for line, _, _ in hits] == [20]
    scope = hits[0][2]
    assert "outer" in scope and "result" not in scope
    assert {c.co_name for c in hooks.traced} == {"<module>"}
    assert modules["user"].result == 6 + 10 + 0


def test_a_line_never_reached_counts_zero(tmp_path: Any) -> None:
    hooks, hits, _ = _run(tmp_path, [(17, None), (40, None)])
    assert hits == [(17, 1, {"v": 1})]
    assert [p.reached for p in hooks.points] == [1, 0]


def test_a_condition_filters_hits(tmp_path: Any) -> None:
    hooks, hits, _ = _run(tmp_path, [(12, "i == 2 and total > 0")])
    assert [(hit, scope["i"]) for _, hit, scope in hits] == [(1, 2)]
    assert hooks.points[0].reached == 1
    assert hooks.points[0].condition is not None and hooks.points[0].condition.problem is None


def test_a_condition_on_something_not_plain_counts_as_plain(tmp_path: Any) -> None:
    hooks, hits, _ = _run(tmp_path, [(12, "outer == 1")])
    assert len(hits) == 3
    condition = hooks.points[0].condition
    assert condition is not None and "function" in str(condition.problem)


def test_conditions_that_would_run_code_are_refused() -> None:
    for text in ("loss.item() < 1", "x[0] > 1", "x.shape == 2", "2 ** 10 ** 10 > 1", "(lambda: 1)()", "if"):
        try:
            Condition(text)
        except NotSimple:
            continue
        raise AssertionError(f"{text!r} was accepted")


def test_removal_restores_the_previous_tracer(tmp_path: Any) -> None:
    before = sys.gettrace()
    _run(tmp_path, [(2, None)])
    assert sys.gettrace() is before
    if hasattr(sys, "monitoring"):
        assert all(sys.monitoring.get_tool(t) != "gradlens" for t in range(6))
