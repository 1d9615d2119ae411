"""NaN/Inf findings for a snapshot, worded as the TypeScript runner words them (src/runner/anomalies.ts)."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from .protocol import Json
from .summary import Summary, has_non_finite


def _where(node: Json) -> str:
    loc = node["location"]
    return "" if loc is None else f" at {loc['file']}:{loc['line']}:{loc['column']}"


# Ops that write a value the script chose where a mask says so (attention's
# `scores.masked_fill(future, float("-inf"))`): their Inf is not a fault, and an Inf they
# pass on from their input was reported at the op that made it (as in src/runner/anomalies.ts).
_MASKING_OPS = ("MaskedFillBackward0", "WhereBackward0")


def _produced_non_finite(node: Json) -> bool:
    value = node["value"]
    if not has_non_finite(value):
        return False
    return value["nanCount"] > 0 or node["name"] not in _MASKING_OPS


def _kind(s: Summary) -> str:
    return "nan" if s["nanCount"] > 0 else "inf"


def _word(kind: str) -> str:
    return "NaN" if kind == "nan" else "Inf"


def find_anomalies(nodes: Sequence[Json], saved_by_id: Dict[str, List[Summary]], root_values: Sequence[Summary]) -> List[Json]:
    """`saved_by_id`: what each function node saved for backward, in walk order (light
    captures have no op outputs, so saved inputs are the earliest evidence)."""
    out: List[Json] = []
    fns = sorted((n for n in nodes if n["kind"] == "function"), key=lambda n: n["sequenceNr"])
    bad_leaf = next((n for n in nodes if n["kind"] == "leaf" and has_non_finite(n["value"])), None)
    if bad_leaf is not None:
        k = _kind(bad_leaf["value"])
        out.append({"kind": k, "where": "value", "nodeId": bad_leaf["id"], "message": f"leaf {bad_leaf['name'] or '(unnamed)'} already contains {_word(k)}"})
    first_value = next((n for n in fns if _produced_non_finite(n)), None)
    if first_value is not None:
        k = _kind(first_value["value"])
        out.append({"kind": k, "where": "value", "nodeId": first_value["id"], "message": f"{first_value['name']}{_where(first_value)} is the first op that produced {_word(k)}"})
    elif bad_leaf is None:
        by_id = {n["id"]: n for n in nodes}
        for node_id, saved in saved_by_id.items():
            bad = next((s for s in saved if has_non_finite(s)), None)
            if bad is None:
                continue
            node = by_id[node_id]
            k = _kind(bad)
            out.append({"kind": k, "where": "value", "nodeId": node_id, "message": f"{_word(k)} first seen in what {node['name']}{_where(node)} saved for backward (the next full capture names the op that produced it)"})
            break
        root = next((v for v in root_values if has_non_finite(v)), None)
        if not out and root is not None and root_values:
            out.append({"kind": _kind(root), "where": "value", "nodeId": "out0", "message": f"the output is {_word(_kind(root))}"})
    first_grad = next((n for n in sorted(fns, key=lambda n: -n["sequenceNr"]) if has_non_finite(n["grad"])), None)
    if first_grad is not None:
        k = _kind(first_grad["grad"])
        out.append({"kind": k, "where": "grad", "nodeId": first_grad["id"], "message": f"the gradient reaching {first_grad['name']}{_where(first_grad)} is the first with {_word(k)}"})
    return out


def has_precise(anomalies: Sequence[Json]) -> bool:
    """Whether an op was named as the first to produce a non-finite value."""
    return any(a["message"].endswith(("first op that produced NaN", "first op that produced Inf")) for a in anomalies)
