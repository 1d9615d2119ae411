"""`python -m gradlens.gradcheck`: "Check with finite differences" for a PyTorch script, in the
style of torch.autograd.gradcheck, reported as src/protocol/gradcheck.ts's GradcheckResult on
one stdout line after MARK (the script's own output goes to stderr).

The script runs again in float64 (torch's default dtype) up to its checked backward(), which
is not run: autograd gives the analytic gradients of that output with respect to the graph's
leaves, and further reruns with one leaf element moved by +eps and -eps (where the script
first uses the leaf with grad on, so after initialisers such as nn.Linear's) give central
differences. Each custom autograd.Function of the graph is also checked on its own: its
backward against differences of its forward, on the inputs the rerun gave it, which names the
node at fault. The request comes in the environment variable ENV (JSON, see parse_request)."""
from __future__ import annotations

import contextlib
import inspect
import json
import os
import random
import runpy
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

from .graph import is_accumulate, walk
from .wire import encode_num

ENV = "GRADLENS_GRADCHECK"
MARK = "gradlens-gradcheck:"
EPS = 1e-6
RTOL = 1e-3
# Elements of each custom Function's inputs checked on its own (each costs two forward calls).
LOCAL_MAX = 64
# Calls that read a tensor's metadata, not its values: not a use of a leaf.
METADATA = {"dim", "size", "numel", "stride", "nelement", "ndimension", "is_floating_point", "is_complex",
            "element_size", "storage_offset", "is_contiguous", "__get__", "__set__", "__len__", "__repr__",
            "__format__", "type", "data_ptr"}


@dataclass
class Request:
    script: str
    args: List[str]
    at: int
    scope: Optional[str]
    max_elements: int


def parse_request(raw: str) -> Request:
    """The request, field by field; ValueError on anything else."""
    o = json.loads(raw)
    if not isinstance(o, dict):
        raise ValueError(f"{ENV}: expected an object")
    script, args, at, scope, most = o.get("script"), o.get("args"), o.get("at"), o.get("scope"), o.get("maxElements")
    if not isinstance(script, str) or script == "":
        raise ValueError(f"{ENV}.script: expected a path")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ValueError(f"{ENV}.args: expected a list of strings")
    if not isinstance(at, int) or isinstance(at, bool) or at < 1:
        raise ValueError(f"{ENV}.at: expected an integer >= 1")
    if scope is not None and not isinstance(scope, str):
        raise ValueError(f"{ENV}.scope: expected a node id or null")
    if not isinstance(most, int) or isinstance(most, bool) or most < 1:
        raise ValueError(f"{ENV}.maxElements: expected an integer >= 1")
    return Request(script, args, at, scope, most)


class _Stop(BaseException):
    """Raised in place of the checked backward(); a BaseException, so the script's own
    `except Exception` does not swallow it."""

    def __init__(self, output: torch.Tensor) -> None:
        super().__init__()
        self.output = output


@dataclass
class Move:
    """Moves element `index` (row-major) of the `leaf`-th leaf first used by `delta`."""
    leaf: int
    index: int
    delta: float


class LeafUses(TorchFunctionMode):
    """Numbers the leaves that require grad in the order the script first uses them with grad
    on (initialisers run under no_grad or are in-place `_` calls, so they do not count), and
    applies a Move at that first use."""

    def __init__(self, move: Optional[Move]) -> None:
        super().__init__()
        self.move = move
        self.order: Dict[int, int] = {}
        self.keep: List[torch.Tensor] = []

    def __torch_function__(self, func: Any, types: Any, args: Sequence[Any] = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if torch.is_grad_enabled() and name not in METADATA and not name.endswith("_"):
            for t in tree_flatten((list(args), kwargs))[0]:
                if isinstance(t, torch.Tensor) and t.is_leaf and t.requires_grad and id(t) not in self.order:
                    self.order[id(t)] = len(self.keep)
                    self.keep.append(t)
                    if self.move is not None and self.move.leaf == self.order[id(t)]:
                        with torch.no_grad():
                            t[unravel(self.move.index, t.shape)] += self.move.delta
        return func(*args, **kwargs)


class FunctionCalls:
    """Records, for the node of each custom autograd.Function call, its class and inputs."""

    def __init__(self) -> None:
        self.calls: Dict[Any, Tuple[type, List[Any]]] = {}
        self.original = inspect.getattr_static(torch.autograd.Function, "apply")

    @contextlib.contextmanager
    def installed(self) -> Any:
        original = self.original
        calls = self.calls

        def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
            inputs = [a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args]
            out = original.__get__(None, cls)(*args, **kwargs)
            for o in out if isinstance(out, tuple) else (out,):
                if isinstance(o, torch.Tensor) and o.grad_fn is not None:
                    calls[o.grad_fn] = (cls, inputs)
            return out

        torch.autograd.Function.apply = classmethod(apply)  # type: ignore[assignment]
        try:
            yield
        finally:
            if "apply" in torch.autograd.Function.__dict__ and not isinstance(original, classmethod):
                del torch.autograd.Function.apply  # the C base class's again (torch 1.13)
            else:
                torch.autograd.Function.apply = original  # type: ignore[assignment]


def unravel(flat: int, shape: Sequence[int]) -> Tuple[int, ...]:
    at: List[int] = []
    for d in reversed(shape):
        at.insert(0, flat % d)
        flat //= d
    return tuple(at)


def label(name: str, shape: Sequence[int], flat: int) -> str:
    return name if len(shape) == 0 else f"{name}[{', '.join(str(i) for i in unravel(flat, shape))}]"


@dataclass
class Rerun:
    output: torch.Tensor
    uses: LeafUses
    names: Dict[int, str]
    calls: FunctionCalls


def rerun(req: Request, move: Optional[Move]) -> Rerun:
    """Runs the script (float64, seeded) up to backward() #`at`, which is not run. Every rerun
    records the custom Functions' calls, so that leaves are first used in the same order in
    each (the record reads a Function's inputs, which is their first use with grad on)."""
    calls = FunctionCalls()
    torch.manual_seed(0)
    random.seed(0)
    uses = LeafUses(move)
    count = [0]
    backward = torch.autograd.backward

    def stop_at(tensors: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        if count[0] < req.at:
            return backward(tensors, *args, **kwargs)
        raise _Stop(tensors if isinstance(tensors, torch.Tensor) else tensors[0])

    sys.argv = [req.script, *req.args]
    folder = os.path.dirname(os.path.abspath(req.script))
    sys.path[0] = folder
    torch.autograd.backward = stop_at  # type: ignore[assignment]
    # The script's own modules are imported afresh by each rerun: a leaf made at import would
    # otherwise keep the previous rerun's move.
    for name, module in list(sys.modules.items()):
        if own_module(name, getattr(module, "__file__", None), folder):
            del sys.modules[name]
    try:
        with contextlib.redirect_stdout(sys.stderr), calls.installed(), uses:
            runpy.run_path(req.script, run_name="__main__")
    except _Stop as stop:
        return Rerun(stop.output, uses, names_in(stop), calls)
    except SystemExit as e:
        raise RuntimeError(f"the script exited (sys.exit({e.code!r})) before its backward() #{req.at}") from None
    finally:
        torch.autograd.backward = backward  # type: ignore[assignment]
    raise RuntimeError(f"the script called backward() fewer than {req.at} time(s)")


def own_module(name: str, file: Optional[str], folder: str) -> bool:
    """A module of the script's folder: not an installed package (a venv may sit in that
    folder), nor this package or torch."""
    if file is None or name == "__main__" or name.split(".")[0] in ("gradlens", "torch"):
        return False
    path = os.path.abspath(file)
    return path.startswith(folder + os.sep) and "site-packages" not in path and "dist-packages" not in path


def names_in(stop: _Stop) -> Dict[int, str]:
    """Names of tensors in the script's frames where it stopped: variables and module parameters."""
    names: Dict[int, str] = {}
    tb = stop.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if os.path.basename(frame.f_code.co_filename) != "gradcheck.py":
            for scope in (frame.f_globals, frame.f_locals):
                for k, v in list(scope.items()):
                    if isinstance(v, torch.Tensor):
                        names.setdefault(id(v), k)
                    elif isinstance(v, torch.nn.Module):
                        for p, t in v.named_parameters():
                            names.setdefault(id(t), p if k in ("self", "model", "net") else f"{k}.{p}")
        tb = tb.tb_next
    return names


def agrees(analytic: float, numeric: float, scale: float) -> bool:
    """src/protocol/gradcheck.ts's rule: within RTOL of the numeric value, or of 1% of the largest."""
    return abs(numeric - analytic) <= RTOL * max(abs(numeric), 1e-2 * scale)


def node_result(node: str, name: str, how: str, rows: List[Tuple[str, float, float]], skipped: int) -> Dict[str, Any]:
    scale = max([1.0] + [abs(n) for _, _, n in rows])
    elements = [{"label": lb, "analytic": encode_num(a), "numeric": encode_num(n), "agree": agrees(a, n, scale)} for lb, a, n in rows]
    errors = [abs(a - n) for _, a, n in rows]
    rel = [e / max(abs(n), 1e-12) for e, (_, _, n) in zip(errors, rows)]
    return {"node": node, "name": name, "how": how, "elements": elements, "skipped": skipped,
            "maxAbsError": encode_num(max(errors, default=0.0)), "maxRelError": encode_num(max(rel, default=0.0)),
            "agree": all(e["agree"] for e in elements)}


def below(order: List[Any], scope: Optional[str]) -> set:
    """The nodes whose gradient passes through node `scope` (all when None or an output)."""
    if scope is None or scope.startswith("out"):
        return set(order)
    i = int(scope.split(":")[0][1:])
    start = order[i]
    if scope.endswith(":leaf"):
        return {start}
    seen = {start}
    todo = [start]
    while todo:
        for m, _ in todo.pop().next_functions:
            if m is not None and m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def check(req: Request) -> Dict[str, Any]:
    if req.at != 1:
        # A Move lands where the script first uses the leaf, before any optimizer step: the
        # differences would be those of the loss at #at against the leaf's first value.
        return unavailable(req, f"only backward() #1 is checked, and this is backward() #{req.at}: the check moves each "
                                "leaf where the script first uses it, so for a later backward() it would measure the "
                                "effect of the leaf's first value through everything in between (an optimizer's steps), "
                                "not the gradient shown")
    torch.set_default_dtype(torch.float64)
    base = rerun(req, None)
    calls = base.calls
    out = base.output
    if not out.is_floating_point():
        return unavailable(req, f"backward() #{req.at} was called on a {out.dtype} tensor, not a floating-point one")
    if out.numel() != 1:
        return unavailable(req, f"backward() #{req.at} was called on a tensor of {out.numel()} elements: the check needs a single number")
    order, _, _ = walk([out])
    if req.scope is not None and req.scope.split(":")[0][1:].isdigit() and int(req.scope.split(":")[0][1:]) >= len(order):
        return unavailable(req, f"node {req.scope} is not in the rerun's graph: does the script compute the same each time?")
    wanted = below(order, req.scope)
    leaves = [(i, n.variable) for i, n in enumerate(order) if is_accumulate(n) and n in wanted]
    nodes: List[Dict[str, Any]] = []
    runs = 1
    for i, n in enumerate(order):
        if n in wanted and n in calls.calls:
            nodes.append(local_check(f"n{i}", type(n).__name__, *calls.calls[n]))
    if leaves:
        analytic = torch.autograd.grad(out, [t for _, t in leaves], allow_unused=True)
        each = max(1, req.max_elements // len(leaves))
        picks: List[Tuple[int, str, str, float, int, int]] = []
        skipped: Dict[int, int] = {}
        for (i, t), g in zip(leaves, analytic):
            name = base.names.get(id(t), f"leaf {len(skipped) + 1}")
            k = base.uses.order.get(id(t))
            count = min(each, t.numel(), req.max_elements - len(picks)) if k is not None else 0
            skipped[i] = t.numel() - count
            flat = (g if g is not None else torch.zeros_like(t)).reshape(-1)
            for e in range(count):
                picks.append((i, name, label(name, t.shape, e), float(flat[e]), k, e))  # type: ignore[arg-type]
        rows: Dict[int, List[Tuple[str, float, float]]] = {}
        names: Dict[int, str] = {}
        for i, name, lb, a, k, e in picks:
            up = float(rerun(req, Move(k, e, EPS)).output)
            down = float(rerun(req, Move(k, e, -EPS)).output)
            runs += 2
            rows.setdefault(i, []).append((lb, a, (up - down) / (2 * EPS)))
            names[i] = name
        nodes = [node_result(f"n{i}:leaf", names[i], "leaf", r, skipped[i]) for i, r in rows.items()] + nodes
    if not nodes:
        return unavailable(req, "no leaf that requires grad and no custom autograd.Function lies below this node")
    return summary(req, str(out.dtype).replace("torch.", ""), runs, nodes)


def local_check(node: str, name: str, cls: type, inputs: List[Any]) -> Dict[str, Any]:
    """`cls`'s backward against central differences of its forward, at `inputs`, for the
    vector-Jacobian product with fixed weights (so every output element counts)."""
    xs = [x.detach().clone().requires_grad_(x.is_floating_point()) if isinstance(x, torch.Tensor) else x for x in inputs]
    gen = torch.Generator().manual_seed(0)

    def outputs() -> List[torch.Tensor]:
        out = cls.apply(*xs)  # type: ignore[attr-defined]
        return [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, torch.Tensor)]

    first = outputs()
    weights = [torch.rand(o.shape, generator=gen, dtype=torch.float64).to(o.dtype) + 0.5 for o in first]

    def f() -> torch.Tensor:
        return sum((o * w).sum() for o, w in zip(outputs(), weights))  # type: ignore[return-value]

    checked = [(j, x) for j, x in enumerate(xs) if isinstance(x, torch.Tensor) and x.requires_grad]
    grads = torch.autograd.grad(sum((o * w).sum() for o, w in zip(first, weights)), [x for _, x in checked], allow_unused=True)
    rows: List[Tuple[str, float, float]] = []
    skipped = 0
    for (j, x), g in zip(checked, grads):
        flat = (g if g is not None else torch.zeros_like(x)).reshape(-1)
        count = min(x.numel(), max(0, LOCAL_MAX - len(rows)))
        skipped += x.numel() - count
        for e in range(count):
            at = unravel(e, x.shape)
            with torch.no_grad():
                x[at] += EPS
                up = float(f())
                x[at] -= 2 * EPS
                down = float(f())
                x[at] += EPS
            rows.append((label(f"grad_input {j}", x.shape, e), float(flat[e]), (up - down) / (2 * EPS)))
    return node_result(node, name, "local", rows, skipped)


def summary(req: Request, dtype: str, runs: int, nodes: List[Dict[str, Any]]) -> Dict[str, Any]:
    elements = [e for n in nodes for e in n["elements"]]
    bad = sum(1 for e in elements if not e["agree"])
    skipped = sum(n["skipped"] for n in nodes)
    left = f" ({skipped} more left unchecked: the check takes {req.max_elements} leaf elements at most)" if skipped else ""
    message = (f"all {len(elements)} checked gradients agree{left}" if bad == 0
               else f"{bad} of {len(elements)} checked gradients disagree{left}")
    return {"backward": req.at, "scope": req.scope, "outcome": "disagree" if bad else "agree", "message": message,
            "dtype": dtype, "eps": EPS, "rtol": RTOL, "runs": runs, "nodes": nodes}


def unavailable(req: Request, message: str) -> Dict[str, Any]:
    return {"backward": req.at, "scope": req.scope, "outcome": "unavailable", "message": message,
            "dtype": "", "eps": EPS, "rtol": RTOL, "runs": 0, "nodes": []}


def main() -> int:
    raw = os.environ.get(ENV)
    if raw is None:
        print(f"gradlens.gradcheck: set {ENV} (see python/gradlens/gradcheck.py)", file=sys.stderr)
        return 2
    req = parse_request(raw)
    try:
        result = check(req)
    except Exception as e:  # the script's own error, or a graph the check cannot read
        result = unavailable(req, f"the rerun of the script failed: {type(e).__name__}: {e}")
    text = json.dumps(result, allow_nan=False)
    sys.stdout.write(f"{MARK}{text}\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
