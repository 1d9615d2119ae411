"""Every PyTorch twin of the TypeScript examples runs under the runner and is captured."""
import glob
import os

import pytest

import host
from contract import check_all

EXAMPLES = sorted(glob.glob(os.path.join(host.EXAMPLES, "*.py")))


@pytest.mark.parametrize("script", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_captures(script):
    result = host.run(script)
    check_all(result)
    assert result.returncode == 0, result.stderr
    assert result.errors == []
    snaps = result.snapshots
    assert snaps and snaps[0]["index"] == 1
    assert snaps[-1]["index"] == result.done["backwardCount"]
    for snap in snaps:
        kinds = {n["kind"] for n in snap["nodes"]}
        assert {"function", "accumulate", "leaf", "output"} <= kinds
    assert any(n["name"] for n in snaps[0]["nodes"] if n["kind"] == "leaf")


def test_examples_exist():
    assert len(EXAMPLES) >= 12
