"""Gradlens runner for PyTorch scripts: captures autograd graphs and training records.

Started by the Gradlens host (CLI or VS Code) as ``python -m gradlens.runner``; it speaks
the same framed JSON protocol as the TypeScript runner (src/protocol/messages.ts).
"""
import sys

# Plain syntax up to here, so that Python 2 reads it and says why it cannot go on.
if sys.version_info < (3, 8):
    sys.stderr.write(
        "gradlens: %s is Python %s; the Gradlens tracer needs Python 3.8 or newer\n"
        % (sys.executable, sys.version.split()[0])
    )
    sys.exit(3)

PROTOCOL_VERSION = 1


def __getattr__(name: str) -> object:
    # gradlens.show (a callable module) and its kin load on first use: the runner imports
    # this package before it has checked that torch is importable.
    if name in ("show", "graph_output", "GraphOutput"):
        import importlib

        module = importlib.import_module(__name__ + ".show")
        return module if name == "show" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
