"""Tensor summaries (src/runner/summary.ts): shape, dtype, first values, finite min/max/mean,
NaN/Inf counts; and gradient norms for the training record."""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence

import torch

from .wire import Num, encode_num

FIRST = 6
# Up to this many elements, one conversion to Python numbers and plain Python arithmetic
# beat the half dozen torch ops a summary takes otherwise.
SMALL = 128
# An exact summary (the gradients of a recorded flow) lists every element up to this many.
VALUES_MAX = 64

Summary = Dict[str, Any]


_DTYPE_NAMES: Dict[torch.dtype, str] = {}


def dtype_name(dtype: torch.dtype) -> str:
    # The TypeScript engine names dtypes as PyTorch prints them without the prefix ("float32").
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype).replace("torch.", "")
    return name


def _plain(t: torch.Tensor) -> torch.Tensor:
    """A detached, dense CPU tensor of real numbers with the same elements."""
    t = t.detach()
    if t.layout != torch.strided:
        t = t.to_dense()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.is_complex():
        t = t.abs()
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t


def _number(v: Any) -> Num:
    return encode_num(float(v)) if isinstance(v, float) else int(v)


def summarize(t: torch.Tensor, exact: bool = False) -> Summary:
    """`exact` adds the norm and, for small tensors, every element."""
    shape = [int(d) for d in t.shape]
    numel = t.numel()
    base: Summary = {"shape": shape, "dtype": dtype_name(t.dtype), "numel": numel, "first": [], "min": None, "max": None, "mean": None, "nanCount": 0, "infCount": 0}
    if numel == 0:
        return base
    try:
        flat = _plain(t).reshape(-1)
    except (RuntimeError, NotImplementedError):
        return base  # meta or otherwise unreadable tensors: shape and dtype only
    if numel <= SMALL:
        values = flat.tolist()
        finite = _from_values(base, values)
        if exact:
            base["norm"] = _norm(values, finite)
            if numel <= VALUES_MAX:
                # Python numbers from tolist() are JSON as they are when all are finite.
                base["values"] = values if finite else [_number(v) for v in values]
        return base
    base["first"] = [_number(v) for v in flat[:FIRST].tolist()]
    # float64 so a float32 sum cannot overflow to Inf. Min and max carry any NaN or Inf, so
    # finite ones settle the counts in the same conversion: a large graph summarizes every node.
    wide = flat.to(torch.float64)
    stats = [wide.min(), wide.max(), wide.sum()]
    if exact:
        stats.append(torch.linalg.vector_norm(wide))
    lo, hi, total, *norm = torch.stack(stats).tolist()
    if math.isfinite(lo) and math.isfinite(hi):
        mean = total / numel
        base["min"], base["max"], base["mean"] = lo, hi, (mean if math.isfinite(mean) else None)
        if exact:
            base["norm"] = norm[0] if math.isfinite(norm[0]) else None
        return base
    if exact:
        base["norm"] = _finite_norm(flat)
    if flat.is_floating_point():
        finite_mask = torch.isfinite(flat)
        nan = int(torch.isnan(flat).sum())
        inf = numel - nan - int(finite_mask.sum())
        finite = flat if nan + inf == 0 else flat[finite_mask]
    else:
        nan = inf = 0
        finite = flat
    base["nanCount"] = nan
    base["infCount"] = inf
    if finite.numel() > 0:
        # One conversion for the three numbers; float64 so a float32 sum cannot overflow to Inf.
        wide = finite.to(torch.float64)
        lo, hi, mean = torch.stack([wide.min(), wide.max(), wide.mean()]).tolist()
        base["min"], base["max"], base["mean"] = lo, hi, (mean if math.isfinite(mean) else None)
    return base


def _from_values(base: Summary, values: List[Any]) -> bool:
    """Fills in the summary from the tensor's (non-empty) Python numbers; whether all are finite."""
    total = sum(values)
    # A NaN or Inf element makes the sum NaN or Inf: a finite one settles it in C.
    if math.isfinite(total):
        base["first"] = values[:FIRST]
        base["min"], base["max"], base["mean"] = float(min(values)), float(max(values)), total / len(values)
        return True
    finite = [v for v in values if v - v == 0]  # NaN - NaN and Inf - Inf are NaN
    all_finite = len(finite) == len(values)
    base["first"] = values[:FIRST] if all_finite else [_number(v) for v in values[:FIRST]]
    if not all_finite:
        nan = sum(1 for v in values if v != v)
        base["nanCount"] = nan
        base["infCount"] = len(values) - len(finite) - nan
    if finite:
        mean = sum(finite) / len(finite)
        base["min"], base["max"], base["mean"] = float(min(finite)), float(max(finite)), (mean if math.isfinite(mean) else None)
    return all_finite


def _norm(values: List[Any], all_finite: bool) -> Optional[float]:
    """The L2 norm of the finite ones of `values` (all of them, in one C call, when all are)."""
    norm = math.hypot(*values) if all_finite else math.sqrt(sum(float(v) * float(v) for v in values if v - v == 0))
    return norm if math.isfinite(norm) else None


def _finite_norm(flat: torch.Tensor) -> Optional[float]:
    wide = flat.to(torch.float64)
    if wide.is_floating_point():
        wide = wide[torch.isfinite(wide)]
    norm = float(torch.linalg.vector_norm(wide))
    return norm if math.isfinite(norm) else None


def has_non_finite(s: Optional[Summary]) -> bool:
    return s is not None and (s["nanCount"] > 0 or s["infCount"] > 0)


class GradNorms:
    """L2 norms of many gradients (taken every few steps for the training record). Small CPU
    gradients are read out as Python numbers: a loop of tiny steps samples them seldom, so
    each sample finds torch's norm kernels cold, and their dispatch (with the cache misses
    it leaves behind in the next steps) cost several times the Python arithmetic. The others
    go through one _foreach_norm."""

    def __init__(self) -> None:
        self._foreach = hasattr(torch, "_foreach_norm")

    def __call__(self, grads: Sequence[torch.Tensor]) -> List[float]:
        norms: List[Optional[float]] = [_small_norm(g) for g in grads]
        rest = [i for i, n in enumerate(norms) if n is None]
        if rest:
            for i, n in zip(rest, self._torch_norms([grads[i] for i in rest])):
                norms[i] = n
        return norms  # type: ignore[return-value]  (every None was filled in)

    def _torch_norms(self, grads: Sequence[torch.Tensor]) -> List[float]:
        with torch.no_grad():
            if self._foreach:
                try:
                    norms = torch._foreach_norm(list(grads))
                    dtype = norms[0].dtype
                    if any(n.dtype != dtype for n in norms):
                        norms = [n.to(torch.float64) for n in norms]
                    return torch.stack(norms).tolist()
                except (RuntimeError, TypeError):
                    self._foreach = False  # sparse, mixed devices or dtypes: the plain way from now on
            return [float(torch.linalg.vector_norm(_plain(g).to(torch.float64))) for g in grads]


def _small_norm(g: torch.Tensor) -> Optional[float]:
    """The L2 norm of a small, dense, real, floating-point CPU tensor, computed from its Python
    numbers; None for any other tensor, or a non-finite norm (torch computes those)."""
    if g.numel() > SMALL or g.layout != torch.strided or g.device.type != "cpu" or not g.is_floating_point():
        return None
    # Detached: a gradient made with create_graph=True gets no node for the reshape.
    norm = math.hypot(*g.detach().reshape(-1).tolist())
    # A NaN or Inf element: torch's own rules for it.
    return norm if math.isfinite(norm) else None
