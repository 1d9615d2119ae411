"""Which optional PyTorch features this torch has.

The hello message goes out before torch is imported (importing takes seconds and the host
waits for a sign of life), so what it lists is predicted from torch's version file; the
capture itself probes the imported torch and takes whichever code path is really there.
"""
from __future__ import annotations

import importlib.util
import os
import platform
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Feature:
    name: str
    # The first release that has it: used only for the prediction in hello.
    since: Tuple[int, int]


SEQUENCE_NR = Feature("Node._sequence_nr", (2, 0))
NODE_PREHOOK = Feature("Node.register_prehook", (1, 13))
OPTIMIZER_STEP_HOOK = Feature("torch.optim.optimizer.register_optimizer_step_post_hook", (2, 0))
FUNCTION_MODE = Feature("torch.overrides.TorchFunctionMode", (1, 13))
MODULE_HOOKS = Feature("torch.nn.modules.module.register_module_forward_hook", (1, 13))
# Without it there is nothing compiled to show; with it, a compiled region is one opaque node.
TORCH_COMPILE = Feature("torch.compile", (2, 0))
FEATURES = (SEQUENCE_NR, NODE_PREHOOK, OPTIMIZER_STEP_HOOK, FUNCTION_MODE, MODULE_HOOKS, TORCH_COMPILE)


def torch_version_without_import() -> Optional[str]:
    """torch.__version__ read from torch/version.py, or None when torch is not installed."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "version.py"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", text, re.M)
    return m.group(1) if m else None


def _release(version: str) -> Tuple[int, int]:
    m = re.match(r"(\d+)\.(\d+)", version)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def predicted_missing(version: Optional[str]) -> List[str]:
    if version is None:
        return []
    release = _release(version)
    return [f.name for f in FEATURES if release < f.since]


def runtime_info() -> Dict[str, Any]:
    version = torch_version_without_import()
    return {"language": "python", "version": platform.python_version(), "torch": version, "missing": predicted_missing(version)}


def available(torch: Any) -> Dict[Feature, bool]:
    """Probes of the imported torch: what the capture really uses."""
    import torch.optim.optimizer as optimizer_module
    import torch.nn.modules.module as module_module

    probe = (torch.tensor(0.0, requires_grad=True) * 1).grad_fn
    return {
        SEQUENCE_NR: hasattr(probe, "_sequence_nr"),
        NODE_PREHOOK: hasattr(probe, "register_prehook"),
        OPTIMIZER_STEP_HOOK: hasattr(optimizer_module, "register_optimizer_step_post_hook"),
        FUNCTION_MODE: hasattr(torch.overrides, "TorchFunctionMode"),
        MODULE_HOOKS: hasattr(module_module, "register_module_forward_hook") and hasattr(module_module, "register_module_forward_pre_hook"),
        TORCH_COMPILE: hasattr(torch, "compile"),
    }
