"""gradlens.show(): the display bundle of a notebook output, checked against the protocol."""
import base64
import gzip
import html
import json
import os
import re
import subprocess

import pytest
import torch

import gradlens
import gradlens.show as show_module
import host
from contract import check_snapshot
from gradlens.show import ASSET, MIME, GraphOutput, graph_output

AUTOGRAD_NAMES = {"PowBackward0", "SubBackward0", "MulBackward0", "torch::autograd::AccumulateGrad"}


def qp():
    a = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([8.0], requires_grad=True)
    Q = a**3 - 3 * b
    Q.retain_grad()
    P = Q**2
    P.backward()
    return gradlens.show(P)


def named(snapshot, kind):
    return {n["name"]: n for n in snapshot["nodes"] if n["kind"] == kind}


def page_of(bundle):
    """The page inside the text/html fallback's frame."""
    m = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts allow-downloads".*</iframe>', bundle["text/html"], re.S)
    assert m is not None, bundle["text/html"][:200]
    return html.unescape(m.group(1))


def test_outside_ipython_show_returns_the_output_with_its_bundle():
    out = qp()
    assert isinstance(out, GraphOutput)
    bundle = out._repr_mimebundle_()
    assert set(bundle) == {MIME, "text/html", "text/plain"}
    assert bundle["text/plain"] == "<gradlens graph: autograd graph of P, 4 function nodes>"
    # JSON as Jupyter stores it: the snapshot object itself, valid JSON without NaN literals.
    json.dumps(bundle[MIME], allow_nan=False)
    check_snapshot(bundle[MIME])


def test_the_qp_graph_has_pytorch_names_leaf_names_values_and_gradients():
    s = qp().snapshot
    assert {n["name"] for n in s["nodes"] if n["kind"] in ("function", "accumulate")} == AUTOGRAD_NAMES
    leaves = named(s, "leaf")
    assert leaves["a"]["grad"]["first"] == [-384.0] and leaves["b"]["grad"]["first"] == [96.0]
    [out] = s["outputs"]
    by_id = {n["id"]: n for n in s["nodes"]}
    assert by_id[out]["name"] == "P"
    pow_ = by_id[by_id[out]["attachedTo"]]
    assert pow_["name"] == "PowBackward0" and pow_["value"]["first"] == [256.0]
    # Q = a**3 - 3*b is a variable in scope that retains its gradient: its node shows both.
    sub = by_id[pow_["next"][0]["id"]]
    assert sub["name"] == "SubBackward0"
    # The caller's variables name the nodes that made them, as agtree2dot labels them.
    assert (sub.get("varName"), pow_.get("varName")) == ("Q", "P")
    assert sub["value"]["first"] == [-16.0] and sub["grad"]["first"] == [-32.0]
    assert [by_id[e["id"]]["name"] for e in sub["next"]] == ["PowBackward0", "MulBackward0"]


def test_names_given_win_over_the_callers_variables():
    w = torch.ones(3, requires_grad=True)
    y = (w * 2).sum()
    s = graph_output(y, names={"weight": w}).snapshot
    assert set(named(s, "leaf")) == {"weight"}
    check_snapshot(s)


def test_a_function_runs_with_its_ops_recorded_modules_and_lines():
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    x = torch.randn(4, 3)
    s = graph_output(lambda: model(x).sum()).snapshot
    check_snapshot(s)
    assert {"0.weight", "0.bias"} <= set(named(s, "leaf"))
    addmm = next(n for n in s["nodes"] if n["name"] == "AddmmBackward0")
    assert addmm["modulePath"] == ["Sequential", "Sequential.0"] and addmm["value"]["shape"] == [4, 2]
    assert addmm["location"]["file"] == os.path.abspath(__file__)


def built_asset() -> str:
    """The page script, built first where pytest runs before `npm run build` (a fresh clone)."""
    if not os.path.exists(ASSET):
        subprocess.run(["node", "webview/standalone/build.mjs"], cwd=host.REPO, check=True)
        show_module._script = None  # the missing-asset message may have been read already
    with open(ASSET, encoding="utf-8") as f:
        return f.read()


def test_the_html_fallback_is_the_standalone_page_with_the_graph_inlined():
    script = built_asset()
    out = qp()
    page = page_of(out._repr_mimebundle_())
    assert script[:200] in page
    m = re.search(r'<script type="application/json" id="gl-snapshot" data-encoding="gzip-base64">([^<]*)</script>', page)
    assert m is not None
    assert json.loads(gzip.decompress(base64.b64decode(m.group(1)))) == out.snapshot
    assert page.count("</script>") == 2  # nothing in the page script ends its element early
    assert page == out.to_html()


def test_save_writes_the_page(tmp_path):
    out = qp()
    path = os.path.join(str(tmp_path), "graph.html")
    out.save(path)
    with open(path, encoding="utf-8") as f:
        assert f.read() == out.to_html()


def test_a_10000_node_graph_stays_a_few_megabytes():
    cell = torch.nn.Linear(8, 8)
    h = torch.zeros(1, 8)
    for x in torch.randn(2500, 1, 8):
        h = torch.tanh(cell(h) + x)
    out = graph_output((h**2).sum())
    s = out.snapshot
    assert len(s["nodes"]) > 10_000
    check_snapshot(s)
    bundle = out._repr_mimebundle_()
    assert len(json.dumps(bundle[MIME], separators=(",", ":"))) < 2_500_000
    assert len(bundle["text/html"]) < 400_000
    # Summaries keep what the page shows: elements only of tiny tensors.
    assert all(n["value"]["first"] == [] for n in s["nodes"] if n["kind"] == "leaf" and n["value"]["numel"] > 4)


def test_a_tensor_without_history_is_refused_with_a_message():
    with pytest.raises(ValueError, match="needs a tensor with a grad_fn"):
        gradlens.show(torch.ones(2))
