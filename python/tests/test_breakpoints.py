"""Capture points through the real runner: a snapshot of the tensors in scope per hit, before
the line runs, up to the hit limit; a report per point in run/done."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from helpers import by_id, run_script, write

SCRIPT = """\
import torch
from helper import scaled

a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([8.0], requires_grad=True)
x = torch.tensor([1.0, 2.0])
Q = a ** 3 - 3 * b


def f(t):
    y = t * 2
    return y.sum()


for i in range(3):
    P = f(Q) + scaled(a)
P.backward()
"""

HELPER = """\
def scaled(t):
    s = t * 10
    return s.sum()
"""


def _points(file: str, *lines: int, condition: Optional[str] = None) -> Dict[str, Any]:
    return {"points": [{"file": file, "line": line, "condition": condition} for line in lines], "maxHits": 2}


def _run(tmp_path: Any, *lines: int, condition: Optional[str] = None, helper_line: Optional[int] = None) -> Any:
    helper = write(tmp_path, "helper.py", HELPER)
    script = os.path.join(str(tmp_path), "script.py")
    points = _points(script, *lines, condition=condition)
    if helper_line is not None:
        points["points"].append({"file": helper, "line": helper_line, "condition": None})
    return run_script(tmp_path, SCRIPT, capturePoints=points)


def _stops(result: Any) -> List[Dict[str, Any]]:
    return [s for s in result.snapshots if "stop" in s]


def _scope(snapshot: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    nodes = by_id(snapshot)
    return {e["name"]: nodes[e["node"]] for e in snapshot["stop"]["scope"]}


def test_module_level_stop_records_the_tensors_in_scope_before_the_line(tmp_path: Any) -> None:
    r = _run(tmp_path, 7)
    [stop] = _stops(r)
    assert (stop["stop"]["line"], stop["stop"]["hit"]) == (7, 1)
    scope = _scope(stop)
    assert set(scope) == {"a", "b", "x"}  # Q is made by the line itself
    assert scope["a"]["kind"] == "leaf" and scope["a"]["value"]["first"] == [2.0]
    assert scope["x"]["kind"] == "output" and scope["x"]["value"]["first"] == [1.0, 2.0]
    assert stop["index"] == 0 and stop["outputs"] == []


def test_stop_in_a_function_shows_its_graph(tmp_path: Any) -> None:
    r = _run(tmp_path, 12)
    stops = _stops(r)
    assert [s["stop"]["hit"] for s in stops] == [1, 2]  # maxHits 2 of the loop's 3 calls
    scope = _scope(stops[0])
    assert set(scope) == {"t", "y"}
    nodes = by_id(stops[0])
    y = scope["y"]
    assert nodes[y["attachedTo"]]["name"] == "MulBackward0"
    names = {n["name"] for n in stops[0]["nodes"]}
    assert {"SubBackward0", "PowBackward0", "torch::autograd::AccumulateGrad"} <= names
    # Leaves out of scope are named from the callers' frames.
    assert {n["name"] for n in stops[0]["nodes"] if n["kind"] == "leaf"} == {"a", "b"}
    [report] = r.done["capturePoints"]
    assert (report["line"], report["reached"], report["note"]) == (12, 3, None)
    # The backward graph is captured as usual.
    assert [s["index"] for s in r.snapshots if "stop" not in s] == [1]


def test_stops_in_an_imported_file_and_a_loop_come_in_run_order(tmp_path: Any) -> None:
    r = _run(tmp_path, 16, helper_line=3)
    where = [(os.path.basename(s["stop"]["file"]), s["stop"]["hit"]) for s in _stops(r)]
    assert where == [("script.py", 1), ("helper.py", 1), ("script.py", 2), ("helper.py", 2)]
    second = _stops(r)[2]
    assert "P" in _scope(second) and "P" not in _scope(_stops(r)[0])
    helper_scope = _scope(_stops(r)[1])
    assert set(helper_scope) == {"t", "s"}
    assert [p["reached"] for p in r.done["capturePoints"]] == [3, 3]


def test_a_line_never_reached_is_reported(tmp_path: Any) -> None:
    r = _run(tmp_path, 40)
    assert _stops(r) == []
    assert r.done["capturePoints"] == [{"file": os.path.join(str(tmp_path), "script.py"), "line": 40, "reached": 0, "note": None}]


def test_conditions(tmp_path: Any) -> None:
    r = _run(tmp_path, 16, condition="i == 2")
    [stop] = _stops(r)
    assert stop["stop"]["hit"] == 1 and _scope(stop)["P"]["kind"] == "output"
    r = _run(tmp_path, 16, condition="P.sum() > 0")
    assert len(_stops(r)) == 2
    assert "treated as a plain breakpoint" in r.done["capturePoints"][0]["note"]


def test_a_script_without_backward_but_with_stops_is_no_failure(tmp_path: Any) -> None:
    script = write(tmp_path, "nograd.py", "import torch\nw = torch.ones(2, requires_grad=True)\nv = (w * 3).sum()\nprint('done')\n")
    r = run_script(tmp_path, open(script).read(), name="nograd.py", capturePoints=_points(script, 4))
    [stop] = _stops(r)
    assert set(_scope(stop)) == {"w", "v"}
    assert [e["kind"] for e in r.errors] == []
