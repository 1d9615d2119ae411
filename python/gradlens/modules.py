"""Which nn.Module calls are running, named as the TypeScript engine names them: the
outermost module by its class, the others by their qualified attribute path
(["Net", "Net.fc1"]). Installed only while a full capture is armed."""
from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
import torch.nn.modules.module as module_hooks


class ModuleCalls:
    def __init__(self, on_exit: Callable[[torch.nn.Module, Any, Any], None]) -> None:
        self._stack: List[torch.nn.Module] = []
        self._calls: List[int] = []
        self._counter = itertools.count()
        self._named_root: Optional[torch.nn.Module] = None
        self._names: Dict[int, str] = {}
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
        if not self._stack:
            self.roots[id(module)] = module
            # Named again at each outermost call: the module tree may change between calls.
            self._named_root = None
        self._stack.append(module)
        self._calls.append(next(self._counter))

    def _exit(self, module: torch.nn.Module, args: Any, output: Any) -> None:
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
            root_name = type(root).__name__
            self._names = {id(m): (f"{root_name}.{path}" if path else root_name) for path, m in root.named_modules()}
        return [self._names.get(id(m), type(m).__name__) for m in self._stack], list(self._calls)
