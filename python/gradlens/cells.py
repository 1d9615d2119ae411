"""Notebook cells run without a kernel: read from the .ipynb or from the host, IPython-only
lines (magics, shell commands) set aside with a note, each Python cell compiled under a name
of its own so that frames, tracebacks and locations say which cell and line they are in, and
the cells run one after another in one namespace, as a Jupyter kernel runs them."""
from __future__ import annotations

import __future__
import io
import json
import linecache
import re
import sys
import tokenize
import types
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set

from .protocol import Json, NotebookCell, StopAfter, location

# Cell magics whose body is Python: the body runs, without the magic.
_PYTHON_BODY_CELL_MAGICS = ("time", "timeit", "capture", "prun")
# Line magics followed by a Python statement (`%time y = f(x)`): the statement runs.
_STATEMENT_LINE_MAGICS = ("time", "timeit", "prun")
_LINE_MAGIC = re.compile(r"^(\s*)(?:%|!)")
_STATEMENT_MAGIC = re.compile(r"^(\s*)(%(?:" + "|".join(_STATEMENT_LINE_MAGICS) + r"))\s+(\S.*)$")
_STATEMENT_ENDS = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
# __future__ imports of one cell hold for the cells after it, as in IPython.
_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


class NotebookError(Exception):
    """The notebook file is not JSON, or not shaped like a notebook (nbformat 4)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def is_notebook(script: str) -> bool:
    return script.lower().endswith(".ipynb")


def read_notebook(path: str) -> List[NotebookCell]:
    """The cells of an .ipynb file, in order."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path} is not a valid notebook: it is not JSON ({e.msg} at line {e.lineno}, column {e.colno})", e.lineno, e.colno) from None
    except OSError as e:
        raise NotebookError(f"could not read {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise NotebookError(f"{path} is not a valid notebook: it is not UTF-8 text ({e.reason})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{path} is not a valid notebook: it has no list of cells (nbformat 4 notebooks do)")
    language = _notebook_language(data)
    return [_file_cell(c, i, language, path) for i, c in enumerate(data["cells"])]


def _notebook_language(data: Dict[str, Any]) -> str:
    metadata = _dict(data.get("metadata"))
    for value in (_dict(metadata.get("language_info")).get("name"), _dict(metadata.get("kernelspec")).get("language")):
        if isinstance(value, str) and value:
            return value.lower()
    return "python"


def _file_cell(c: Any, index: int, language: str, path: str) -> NotebookCell:
    if not isinstance(c, dict):
        raise NotebookError(f"{path} is not a valid notebook: cell {index + 1} is not an object")
    source = c.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError(f"{path} is not a valid notebook: the source of cell {index + 1} is neither text nor a list of lines")
    # VS Code records a code cell's language when it differs from the notebook's.
    own = _dict(_dict(c.get("metadata")).get("vscode")).get("languageId")
    kind = "code" if c.get("cell_type") == "code" else "markup"
    return NotebookCell(index, kind, own if isinstance(own, str) else language, source)


def _dict(v: Any) -> Dict[str, Any]:
    return v if isinstance(v, dict) else {}


@dataclass
class CellSource:
    """A cell's code as Python runs it: the same lines, IPython-only ones replaced."""

    source: Optional[str]
    notes: List[str] = field(default_factory=list)


def python_source(cell: NotebookCell) -> CellSource:
    """The code of `cell` with magics and shell lines replaced by `pass` (line numbers kept),
    a note for each; source None for cells that are not Python code."""
    where = f"cell {cell.index + 1}"
    if cell.kind != "code":
        return CellSource(None)
    if cell.language != "python":
        return CellSource(None, [f"{where}: skipped, its language is {cell.language}, not Python"])
    lines = cell.source.splitlines(True)
    notes: List[str] = []
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        name = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if name not in _PYTHON_BODY_CELL_MAGICS:
            return CellSource(None, [f"{where}: skipped, `{first}` is an IPython cell magic (no IPython here)"])
        notes.append(f"{where}, line 1: ran the cell without its `{first}` (no IPython here)")
        lines[0] = "\n"
    candidates = [i for i, text in enumerate(lines) if _LINE_MAGIC.match(text)]
    if not candidates:
        return CellSource("".join(lines), notes)
    replaced = list(lines)
    for i in candidates:
        replaced[i] = _replacement(lines[i])
    inside = _continuation_lines("".join(replaced))
    for i in candidates:
        if i + 1 in inside:
            replaced[i] = lines[i]  # part of a statement above, not a magic
        else:
            notes.append(f"{where}, line {i + 1}: {_note(lines[i].strip())} (no IPython here)")
    return CellSource("".join(replaced), notes)


def _replacement(line: str) -> str:
    end = "\n" if line.endswith("\n") else ""
    statement = _STATEMENT_MAGIC.match(line.rstrip("\r\n"))
    if statement is not None:
        return statement.group(1) + statement.group(3) + end
    indent = _LINE_MAGIC.match(line)
    return (indent.group(1) if indent else "") + "pass" + end


def _note(text: str) -> str:
    statement = _STATEMENT_MAGIC.match(text)
    if statement is not None:
        return f"ran `{statement.group(3)}` without `{statement.group(2)}`"
    kind = "shell command" if text.startswith("!") else "IPython magic"
    return f"skipped the {kind} `{text}`"


def _continuation_lines(source: str) -> Set[int]:
    """1-based numbers of the lines that go on with a statement begun above them: inside a
    multi-line string, inside brackets, after a backslash (`%` there is Python's modulo)."""
    inside: Set[int] = set()
    depth = 0
    previous: Optional[tokenize.TokenInfo] = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NL, tokenize.COMMENT):
                continue
            row, end_row = token.start[0], token.end[0]
            if previous is not None and row > previous.end[0] and (depth > 0 or previous.type not in _STATEMENT_ENDS):
                inside.add(row)
            inside.update(range(row + 1, end_row + 1))
            if token.type == tokenize.OP:
                depth += (token.string in "([{") - (token.string in ")]}")
            previous = token
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # compile() reports what is wrong, at its cell and line
    return inside


class NotebookRun:
    """The cells of one notebook run: their code, and the way back from a compiled cell's
    file name to (notebook, cell) for what the runner sends the host."""

    def __init__(self, path: str, cells: List[NotebookCell]) -> None:
        self.path = path
        self.cells = cells
        self._cell_of: Dict[str, int] = {}

    def file_of(self, index: int) -> str:
        # Tracebacks print this name: it reads as a place for the user, and no file has it.
        return f"{self.path}, cell {index + 1}"

    def stop_after(self, stop: Optional[StopAfter]) -> Optional[StopAfter]:
        """The host's stop in a cell, as the tracer compares it with frames."""
        if stop is None or stop.cell is None:
            return stop
        return StopAfter(self.file_of(stop.cell), stop.line)

    def compile(self) -> List[types.CodeType]:
        """Every Python cell compiled (a syntax error stops here, before any cell runs);
        the notes on skipped lines go to stderr."""
        codes: List[types.CodeType] = []
        flags = 0
        for cell in self.cells:
            prepared = python_source(cell)
            for note in prepared.notes:
                print(f"gradlens: {note}", file=sys.stderr)
            if prepared.source is None:
                continue
            file = self.file_of(cell.index)
            self._cell_of[file] = cell.index
            # Tracebacks and the tracer read cell lines through linecache (mtime None: never checked against a file).
            linecache.cache[file] = (len(prepared.source), None, prepared.source.splitlines(True), file)
            code = compile(prepared.source, file, "exec", flags=flags, dont_inherit=True)
            flags |= code.co_flags & _FUTURE_FLAGS
            codes.append(code)
        return codes

    def run(self) -> None:
        """The cells in one fresh `__main__` namespace (a kernel's has no `__file__`)."""
        codes = self.compile()
        main = types.ModuleType("__main__")
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = main
        try:
            for code in codes:
                exec(code, main.__dict__)
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved

    def map_location(self, loc: Optional[Json]) -> Optional[Json]:
        """A location in a compiled cell as the host reads it: the notebook's file, the
        cell's line, and the cell's index."""
        if loc is None:
            return None
        index = self._cell_of.get(loc["file"])
        if index is None:
            return loc
        mapped = location(self.path, loc["line"], loc["column"])
        mapped["cell"] = index
        return mapped

    def map_message(self, message: Json) -> Json:
        """A run/error or graph/snapshot message with its locations mapped (new location
        objects: the tracer may hold on to the ones it made)."""
        if message["type"] == "run/error":
            message["error"]["location"] = self.map_location(message["error"]["location"])
        elif message["type"] == "graph/snapshot":
            for node in message["snapshot"]["nodes"]:
                node["location"] = self.map_location(node["location"])
        return message
