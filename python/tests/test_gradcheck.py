"""python -m gradlens.gradcheck for real: the seed's Q/P leaves agree with central differences
in float64; a custom autograd.Function with a wrong backward is flagged, on its leaf and on the
Function's own node; a script that throws or whose output is not a number says why."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Dict, Optional

from helpers import write

from gradlens.gradcheck import ENV, MARK

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "test", "fixtures", "scripts")


def gradcheck(script: str, scope: Optional[str] = None, at: int = 1) -> Dict[str, Any]:
    request = {"script": script, "args": [], "at": at, "scope": scope, "maxElements": 16}
    env = {**os.environ, ENV: json.dumps(request), "PYTHONPATH": os.path.join(ROOT, "python")}
    r = subprocess.run([sys.executable, "-m", "gradlens.gradcheck"], env=env, capture_output=True, text=True,
                       timeout=120, cwd=os.path.dirname(script))
    lines = [line for line in r.stdout.splitlines() if line.startswith(MARK)]
    assert r.returncode == 0 and len(lines) == 1, r.stdout + r.stderr
    return json.loads(lines[0][len(MARK):])


def elements(result: Dict[str, Any]) -> Dict[str, Any]:
    return {e["label"]: e for n in result["nodes"] for e in n["elements"]}


def test_qp_agrees_with_central_differences() -> None:
    r = gradcheck(os.path.join(SCRIPTS, "explain-qp.py"))
    assert r["outcome"] == "agree", r
    assert r["dtype"] == "float64" and r["runs"] == 5
    e = elements(r)
    assert e["a"]["analytic"] == -384 and abs(e["a"]["numeric"] + 384) < 1e-4
    assert e["b"]["analytic"] == 96 and abs(e["b"]["numeric"] - 96) < 1e-4
    assert all(n["how"] == "leaf" and n["node"].endswith(":leaf") for n in r["nodes"])
    assert r["message"] == "all 2 checked gradients agree"


def test_a_wrong_custom_backward_is_flagged_on_its_node() -> None:
    r = gradcheck(os.path.join(SCRIPTS, "gradcheck-wrong.py"))
    assert r["outcome"] == "disagree", r
    e = elements(r)
    assert e["x"]["analytic"] == 12 and abs(e["x"]["numeric"] - 18) < 1e-4 and not e["x"]["agree"]
    assert e["w"]["agree"]
    local = [n for n in r["nodes"] if n["how"] == "local"]
    assert [n["name"] for n in local] == ["CubeBackward"]
    assert not local[0]["agree"] and local[0]["node"].startswith("n")


def test_a_node_scope_checks_only_what_lies_below_it() -> None:
    # n0 is MulBackward0 (y = cube(x) * w); its input 1 is w's AccumulateGrad, reached second.
    r = gradcheck(os.path.join(SCRIPTS, "gradcheck-wrong.py"), scope="n2:leaf")
    assert [e for e in elements(r)] == ["w"] and r["outcome"] == "agree", r


def test_a_throwing_script_and_a_non_scalar_output_say_why(tmp_path: Any) -> None:
    r = gradcheck(write(tmp_path, "throws.py", "import torch\nraise ValueError('boom')\n"))
    assert r["outcome"] == "unavailable" and "ValueError: boom" in r["message"]
    r = gradcheck(write(tmp_path, "vector.py", """\
        import torch
        x = torch.ones(3, requires_grad=True)
        (x * 2).backward(torch.ones(3))
        """))
    assert r["outcome"] == "unavailable" and "3 elements" in r["message"]


def test_a_later_backward_is_refused_rather_than_compared_through_the_optimizer_steps(tmp_path: Any) -> None:
    # Moving w where the script first uses it changes where SGD's step leaves it: the loss at
    # #2 against w's first value is not the gradient backward() #2 computed.
    script = write(tmp_path, "sgd.py", """\
        import torch
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            (w ** 3).sum().backward()
            opt.step()
        """)
    assert gradcheck(script)["outcome"] == "agree"
    r = gradcheck(script, at=2)
    assert (r["outcome"], r["backward"], r["runs"]) == ("unavailable", 2, 0)
    assert r["message"].startswith("only backward() #1 is checked, and this is backward() #2: ")


def test_a_leaf_made_in_an_imported_module_is_made_afresh_by_each_rerun(tmp_path: Any) -> None:
    write(tmp_path, "params.py", "import torch\nw = torch.tensor([1.0, 2.0], requires_grad=True)\n")
    r = gradcheck(write(tmp_path, "main.py", "from params import w\n(w ** 2).sum().backward()\n"))
    assert r["outcome"] == "agree", r
    assert [(e["label"], e["analytic"]) for e in elements(r).values()] == [("w[0]", 2), ("w[1]", 4)]
