"""The validators of src/protocol/messages.ts, field by field, for what the runner sends."""
from __future__ import annotations

from typing import Any, Dict

NODE_KINDS = {"function", "accumulate", "leaf", "output", "saved"}
ERROR_KINDS = {"syntax", "exception", "timeout", "memory", "protocol", "crash", "no-backward", "launch"}
NOTICE_KINDS = {"graph-too-large", "compiled"}


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def _num_enc(v: Any) -> bool:
    return v in ("NaN", "Infinity", "-Infinity") or _num(v)


def check_summary(s: Any) -> None:
    assert isinstance(s, dict)
    assert all(_int(d) for d in s["shape"])
    assert isinstance(s["dtype"], str)
    assert _int(s["numel"])
    assert all(_num_enc(x) for x in s["first"])
    for k in ("min", "max", "mean"):
        assert s[k] is None or _num(s[k]), (k, s)
    assert _int(s["nanCount"]) and _int(s["infCount"])
    if "norm" in s:
        assert s["norm"] is None or _num(s["norm"])
    if "values" in s:
        assert all(_num_enc(x) for x in s["values"])


def _summary_or_none(s: Any) -> None:
    if s is not None:
        check_summary(s)


def check_flow(flow: Any, edges: int) -> None:
    assert _int(flow["order"]) and flow["order"] >= 0
    for s in flow["gradOutputs"]:
        _summary_or_none(s)
    assert len(flow["gradInputs"]) == edges
    for s in flow["gradInputs"]:
        _summary_or_none(s)
    for k in ("gradBefore", "gradAfter"):
        if k in flow:
            _summary_or_none(flow[k])


def check_location(loc: Any) -> None:
    if loc is None:
        return
    assert isinstance(loc["file"], str) and _int(loc["line"]) and _int(loc["column"])
    assert loc["line"] >= 1 and loc["column"] >= 1
    if "cell" in loc:
        assert _int(loc["cell"]) and loc["cell"] >= 0


def check_snapshot(s: Dict[str, Any]) -> None:
    ids = set()
    for n in s["nodes"]:
        assert isinstance(n["id"], str) and n["id"] not in ids, n["id"]
        ids.add(n["id"])
        assert n["kind"] in NODE_KINDS
        assert isinstance(n["name"], str)
        for e in n["next"]:
            assert e is None or (isinstance(e["id"], str) and _int(e["inputNr"]))
        for k in ("value", "grad"):
            if n[k] is not None:
                check_summary(n[k])
        check_location(n["location"])
        assert all(isinstance(m, str) for m in n["modulePath"])
        if "moduleCalls" in n:
            assert all(_int(c) for c in n["moduleCalls"])
        if "varName" in n:
            assert isinstance(n["varName"], str) and n["varName"], n
        assert n["attachedTo"] is None or isinstance(n["attachedTo"], str)
        assert _int(n["sequenceNr"])
        if "flow" in n:
            check_flow(n["flow"], len(n["next"]))
    for n in s["nodes"]:
        for e in n["next"]:
            assert e is None or e["id"] in ids
        assert n["attachedTo"] is None or n["attachedTo"] in ids
    assert all(o in ids for o in s["outputs"])
    assert _int(s["index"])
    assert s["trigger"] in ("backward", "autograd.grad")
    for a in s["anomalies"]:
        assert a["kind"] in ("nan", "inf") and a["where"] in ("value", "grad")
        assert isinstance(a["nodeId"], str) and isinstance(a["message"], str)
    assert isinstance(s["collapsed"], bool)
    assert s["detail"] in ("full", "light")
    if "flowRecorded" in s:
        assert isinstance(s["flowRecorded"], bool)
    if "stop" in s:
        stop = s["stop"]
        assert isinstance(stop["file"], str) and _int(stop["line"]) and _int(stop["hit"]) and stop["hit"] >= 1
        for entry in stop["scope"]:
            assert isinstance(entry["name"], str) and entry["node"] in ids


def check_message(m: Dict[str, Any]) -> None:
    t = m["type"]
    if t == "hello":
        assert _int(m["protocol"]) and _int(m["pid"])
        rt = m["runtime"]
        assert rt["language"] == "python" and isinstance(rt["version"], str)
        assert rt["torch"] is None or isinstance(rt["torch"], str)
        assert all(isinstance(x, str) for x in rt["missing"])
    elif t == "graph/snapshot":
        check_snapshot(m["snapshot"])
    elif t == "train/metrics":
        c = m["columns"]
        if "stride" in m:
            assert _int(m["stride"]) and m["stride"] >= 1
        assert len(c["step"]) == len(c["loss"]) == len(c["timeMs"]) == len(c["lr"])
        assert all(_int(x) for x in c["step"]) and all(_num_enc(x) for x in c["loss"]) and all(_num(x) for x in c["timeMs"])
        assert all(x is None or _num(x) for x in c["lr"])
        for step, norms in c["gradNorms"].items():
            assert int(step) in c["step"]
            assert all(isinstance(k, str) and _num_enc(v) for k, v in norms.items())
    elif t == "run/error":
        e = m["error"]
        assert e["kind"] in ERROR_KINDS and isinstance(e["message"], str)
        assert e["stack"] is None or isinstance(e["stack"], str)
        check_location(e["location"])
    elif t == "run/notice":
        n = m["notice"]
        assert n["kind"] in NOTICE_KINDS and isinstance(n["message"], str)
    elif t == "run/done":
        assert _int(m["backwardCount"]) and _num(m["durationMs"])
        for p in m.get("capturePoints", []):
            assert isinstance(p["file"], str) and _int(p["line"]) and _int(p["reached"])
            assert p["note"] is None or isinstance(p["note"], str)
    else:
        raise AssertionError(f"unknown message type {t}")


def check_all(result: Any) -> None:
    for m in result.messages:
        check_message(m)
