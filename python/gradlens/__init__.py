"""Gradlens runner for PyTorch scripts: captures autograd graphs and training records.

Started by the Gradlens host (CLI or VS Code) as ``python -m gradlens.runner``; it speaks
the same framed JSON protocol as the TypeScript runner (src/protocol/messages.ts).
"""

PROTOCOL_VERSION = 1
