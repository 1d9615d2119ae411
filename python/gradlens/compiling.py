"""Whether torch.compile's dynamo is tracing the code that runs now.

The tracer's global hooks (module calls, the op-recording TorchFunctionMode) also run inside a
module or function that torch.compile traces; dynamo would trace them into the compiled code
and refuses their side effects (the module call stack, the recorder's state), failing the
user's compile. Inside a trace they step aside: the compiled region is one opaque node anyway.
Dynamo folds these checks to a constant True while tracing; run eagerly they return False.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import torch


def _check() -> Callable[[], bool]:
    # torch.compiler.is_compiling from 2.3 (2.6 and 2.14 tested); before it
    # torch._utils.is_compiling, which dynamo folds to True since 2.0 (its constant_functions
    # then) and which later 2.x deprecate with a warning at each call; 1.13 has neither
    # (and no torch.compile).
    compiler = getattr(torch, "compiler", None)
    found = getattr(compiler, "is_compiling", None) or getattr(torch._utils, "is_compiling", None)
    return found if found is not None else (lambda: False)


is_compiling: Callable[[], bool] = _check()


def traced_by_torch(tensors: Iterable[Any]) -> bool:
    """Tensors of torch's own tracing: torch.compile's AOTAutograd differentiates the compiled
    graph through torch.autograd.grad with fake and functional tensors (torch._subclasses),
    which is no backward of the user's and has no values to summarize."""
    return any(type(t).__module__.startswith("torch._subclasses") for t in tensors)
