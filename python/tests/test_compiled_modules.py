"""Modules wrapped by torch.compile are named as the modules they hold.

torch 2.x's torch.compile(model) returns an OptimizedModule whose __init__ does
`super().__init__(); self._orig_mod = model`, so the model is its one submodule and every
path below it starts with `_orig_mod.`. torch 1.13 (what runs here) has no torch.compile:
these tests build that same module tree with real nn.Modules, and the naming finds the
wrapper by its `_orig_mod` submodule, not by its class, so it is the code torch 2.x runs."""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from gradlens.modules import module_names, plain_path  # noqa: E402
from helpers import by_id, run_script  # noqa: E402


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.fc1(x).tanh())


def wrapped(module: nn.Module) -> nn.Module:
    """A module tree as torch.compile leaves it: a module holding `module` as `_orig_mod`."""
    wrapper = nn.Module()
    wrapper._orig_mod = module
    return wrapper


def test_a_compiled_model_is_named_as_the_model_it_holds():
    net = Net()
    outer = wrapped(net)
    names, held = module_names(outer)
    assert names[id(outer)] == "Net" and names[id(net)] == "Net"
    assert names[id(net.fc1)] == "Net.fc1" and names[id(net.fc2)] == "Net.fc2"
    assert held == {id(net)}
    assert [plain_path(n) for n, _ in outer.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_a_compiled_layer_inside_a_model_keeps_its_attribute_name():
    net = Net()
    fc1 = net.fc1
    net.fc1 = wrapped(fc1)
    names, held = module_names(net)
    assert names[id(net.fc1)] == "Net.fc1" and names[id(fc1)] == "Net.fc1"
    assert held == {id(fc1)}
    assert plain_path("fc1._orig_mod.weight") == "fc1.weight"


def test_other_modules_are_named_as_before():
    net = Net()
    names, held = module_names(net)
    assert names == {id(net): "Net", id(net.fc1): "Net.fc1", id(net.fc2): "Net.fc2"}
    assert held == set()
    # Only a whole path step is left out, not a name that contains it.
    assert plain_path("my_orig_mod.weight") == "my_orig_mod.weight"


def test_a_run_names_groups_and_parameters_of_a_compiled_model(tmp_path):
    # OptimizedModule's forward calls the module it holds: so does this wrapper's.
    result = run_script(tmp_path, """
        import torch
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(2, 3)
                self.fc2 = nn.Linear(3, 1)

            def forward(self, x):
                return self.fc2(self.fc1(x).tanh())

        class Held(nn.Module):
            def __init__(self, module):
                super().__init__()
                self._orig_mod = module

            def forward(self, *args):
                return self._orig_mod(*args)

        model = Held(Net())
        model(torch.ones(4, 2)).sum().backward()
    """)
    assert result.returncode == 0, result.stderr
    [snap] = result.snapshots
    nodes = by_id(snap).values()
    leaves = sorted(n["name"] for n in nodes if n["kind"] == "leaf")
    assert leaves == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    paths = {tuple(n["modulePath"]) for n in nodes if n["kind"] == "function"}
    assert ("Net", "Net.fc1") in paths and ("Net", "Net.fc2") in paths
    assert all("_orig_mod" not in p for path in paths for p in path)
    # One call stands for the wrapper and the model it holds.
    assert all(len(n["moduleCalls"]) == len(n["modulePath"]) for n in nodes if n.get("moduleCalls"))
