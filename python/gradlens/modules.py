"""Which nn.Module calls are running, named as the TypeScript engine names them: the
outermost module by its class, the others by their qualified attribute path
(["Net", "Net.fc1"]). Installed only while a full capture is armed."""
from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import torch
import torch.nn.modules.module as module_hooks

from .compiling import is_compiling

# torch.compile(module) (torch 2.x) returns an OptimizedModule that holds the module as its
# submodule `_orig_mod`: the wrapper is named as the module it holds, and `_orig_mod` steps
# are left out of module and parameter paths ("_orig_mod.fc1.weight" is "fc1.weight").
# Found by that attribute, not by class, so it works on every torch that has it.
COMPILED_CHILD = "_orig_mod"


def compiled_inner(module: torch.nn.Module) -> Optional[torch.nn.Module]:
    """The module a torch.compile wrapper holds, or None for any other module."""
    inner = module._modules.get(COMPILED_CHILD)
    return inner if isinstance(inner, torch.nn.Module) else None


def unwrapped(module: torch.nn.Module) -> torch.nn.Module:
    while (inner := compiled_inner(module)) is not None:
        module = inner
    return module


def plain_path(path: str) -> str:
    """A module or parameter path without the `_orig_mod` steps of torch.compile wrappers."""
    if COMPILED_CHILD not in path:
        return path
    return ".".join(part for part in path.split(".") if part != COMPILED_CHILD)


class ModuleCalls:
    def __init__(self, on_exit: Callable[[torch.nn.Module, Any, Any], None]) -> None:
        self._stack: List[torch.nn.Module] = []
        self._calls: List[int] = []
        self._counter = itertools.count()
        self._named_root: Optional[torch.nn.Module] = None
        self._names: Dict[int, str] = {}
        # Modules held by torch.compile wrappers in the named tree: their calls run inside
        # their wrapper's, which already stands for them.
        self._held: Set[int] = set()
        self._handles: List[Any] = []
        self._on_exit = on_exit
        self.available = hasattr(module_hooks, "register_module_forward_pre_hook") and hasattr(module_hooks, "register_module_forward_hook")
        # Outermost modules seen in a forward: their named_parameters() name the leaves.
        self.roots: "weakref.WeakValueDictionary[int, torch.nn.Module]" = weakref.WeakValueDictionary()

    def install(self) -> None:
        if self.available and not self._handles:
            self._handles = [
                module_hooks.register_module_forward_pre_hook(self._enter),
                module_hooks.register_module_forward_hook(self._exit),
            ]

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        self.reset()

    def reset(self) -> None:
        """Outside any forward (at backward): a forward that raised never popped its calls."""
        self._stack.clear()
        self._calls.clear()

    def _enter(self, module: torch.nn.Module, args: Any) -> None:
        if is_compiling():
            return
        if not self._stack:
            self.roots[id(module)] = module
            # Named again at each outermost call: the module tree may change between calls.
            self._named_root = None
        self._stack.append(module)
        self._calls.append(next(self._counter))

    def _exit(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        if is_compiling():
            return
        # Hooks installed in the middle of a forward see exits without their entries.
        if self._stack and self._stack[-1] is module:
            self._on_exit(module, args, output)
            self._stack.pop()
            self._calls.pop()

    def current(self) -> Tuple[List[str], List[int]]:
        """The running module calls' names and call numbers, outermost first."""
        if not self._stack:
            return [], []
        root = self._stack[0]
        if root is not self._named_root:
            # Named on the first op inside an outermost call, not at every module call:
            # walking the module tree per call would cost more than a small model's forward.
            self._named_root = root
            self._names, self._held = module_names(root)
        if self._held:
            kept = [(m, c) for m, c in zip(self._stack, self._calls) if id(m) not in self._held]
            return [self._names.get(id(m), type(m).__name__) for m, _ in kept], [c for _, c in kept]
        return [self._names.get(id(m), type(m).__name__) for m in self._stack], list(self._calls)


def module_names(root: torch.nn.Module) -> Tuple[Dict[int, str], Set[int]]:
    """Each module of the tree by id, named as the TypeScript engine names it (the root by its
    class, the others by attribute path), and the ids of modules torch.compile wrappers hold."""
    root_name = type(unwrapped(root)).__name__
    names: Dict[int, str] = {}
    held: Set[int] = set()
    for path, m in root.named_modules():
        path = plain_path(path)
        names[id(m)] = f"{root_name}.{path}" if path else root_name
        inner = compiled_inner(m)
        if inner is not None:
            held.add(id(inner))
    return names, held
