from __future__ import annotations

import os
import textwrap
from typing import Any, Dict, List

import host
from contract import check_all


def write(tmp_path: Any, name: str, source: str) -> str:
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    return path


def run_script(tmp_path: Any, source: str, name: str = "script.py", **options: Any) -> host.Result:
    path = write(tmp_path, name, source)
    result = host.run(path, **options)
    check_all(result)
    return result


def by_id(snapshot: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {n["id"]: n for n in snapshot["nodes"]}


def leaves(snapshot: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {n["name"]: n for n in snapshot["nodes"] if n["kind"] == "leaf"}


def functions(snapshot: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [n for n in snapshot["nodes"] if n["kind"] == "function"]
