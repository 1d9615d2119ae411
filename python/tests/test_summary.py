"""Tensor summaries against PyTorch's own numbers, finite or not."""
from __future__ import annotations

import math
import sys

import torch

import host

sys.path.insert(0, host.PYTHON_DIR)

from gradlens.summary import GradNorms, summarize  # noqa: E402


def test_finite_tensors_match_torch():
    for t in (torch.randn(97, 51, dtype=torch.double), torch.randn(5, 3), torch.arange(10), torch.tensor(3.5, dtype=torch.float16), torch.tensor([1e38, 1e38])):
        s = summarize(t)
        wide = t.double()
        assert (s["min"], s["max"]) == (wide.min().item(), wide.max().item())
        assert s["mean"] == wide.mean().item()
        assert (s["nanCount"], s["infCount"]) == (0, 0)


def test_non_finite_values_are_counted_and_left_out():
    s = summarize(torch.tensor([1.0, math.nan, 3.0, math.inf, -math.inf, math.nan]))
    assert (s["nanCount"], s["infCount"]) == (2, 2)
    assert (s["min"], s["max"], s["mean"]) == (1.0, 3.0, 2.0)
    assert s["first"] == [1.0, "NaN", 3.0, "Infinity", "-Infinity", "NaN"]
    nothing_finite = summarize(torch.tensor([math.nan, math.inf]))
    assert (nothing_finite["min"], nothing_finite["max"], nothing_finite["mean"]) == (None, None, None)


def test_bool_and_empty():
    s = summarize(torch.tensor([True, False, True, True]))
    assert (s["min"], s["max"], s["mean"], s["first"]) == (0.0, 1.0, 0.75, [1, 0, 1, 1])
    assert summarize(torch.zeros(0))["min"] is None


def test_small_and_large_tensors_are_summarized_alike():
    # Small tensors are summarized from their Python numbers, larger ones with torch ops.
    torch.manual_seed(0)
    for n in (1, 2, 127, 128, 129, 1000):
        t = torch.randn(n, dtype=torch.double)
        t[n // 2] = math.nan
        if n > 2:
            t[0] = -math.inf
        s = summarize(t)
        finite = t[torch.isfinite(t)]
        assert (s["nanCount"], s["infCount"]) == (1, 1 if n > 2 else 0)
        if finite.numel():
            assert (s["min"], s["max"]) == (finite.min().item(), finite.max().item())
            assert math.isclose(s["mean"], finite.mean().item(), rel_tol=1e-12, abs_tol=1e-15)
        assert s["first"][: min(n, 6)] == [("NaN" if v != v else "-Infinity" if v == -math.inf else v) for v in t[:6].tolist()]


def test_grad_norms_match_torch_for_small_large_and_non_finite_gradients():
    torch.manual_seed(0)
    grads = [
        torch.randn(10, 1),  # small: read out as Python numbers
        torch.randn(300, 7),  # large: torch's own norm
        torch.randn(3, dtype=torch.float64),
        torch.zeros(0),
        torch.tensor([1.0, math.inf]),
        torch.tensor([math.nan, 2.0]),
        torch.randn(4, 4).t(),  # not contiguous
        torch.arange(6),  # integers: torch decides
    ]
    norms = GradNorms()(grads)
    expected = [torch.linalg.vector_norm(g.double()).item() for g in grads]
    assert len(norms) == len(grads)
    for norm, want in zip(norms, expected):
        if math.isnan(want):
            assert math.isnan(norm)
        else:
            assert norm == want or math.isclose(norm, want, rel_tol=1e-6)
