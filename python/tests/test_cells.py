"""Notebook cells run without a kernel: IPython-only lines set aside with a note, the cells
run in order in one namespace, and every location, error and stop said in (cell, line)."""
import json
import re
import os

import pytest

import host
from contract import check_all
from gradlens.cells import NotebookError, NotebookRun, python_source, read_notebook
from gradlens.protocol import NotebookCell, ProtocolError, StopAfter, parse_host_message

SEED = os.path.join(host.EXAMPLES, "autograd_seed.ipynb")
# The seed's cells: 0 markdown, 1 `%matplotlib inline` + import, 2 markdown, 3 leaves,
# 4 markdown, 5 Q/P with P.backward() on its line 4, 6 markdown, 7 the vector Q.
QP_CELL = 5


def code(index, source, language="python"):
    return NotebookCell(index, "code", language, source)


def as_option(cell):
    return {"index": cell.index, "kind": cell.kind, "language": cell.language, "source": cell.source}


def write_notebook(tmp_path, cells, name="nb.ipynb"):
    """An nbformat 4 file of (cell_type, source) pairs."""
    path = os.path.join(str(tmp_path), name)
    nb = {"cells": [{"cell_type": t, "metadata": {}, "source": s.splitlines(True)} for t, s in cells],
          "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    with open(path, "w") as f:
        json.dump(nb, f)
    return path


# ---- cells -> Python, without running anything ------------------------------------------

def test_magics_and_shell_lines_become_pass_with_a_note_and_keep_line_numbers():
    cell = code(2, "%matplotlib inline\nimport torch\n!pip install torch\nif True:\n    !ls\n    %time y = 2\nx = 1\n")
    out = python_source(cell)
    assert out.source == "pass\nimport torch\npass\nif True:\n    pass\n    y = 2\nx = 1\n"
    assert out.notes == [
        "cell 3, line 1: skipped the IPython magic `%matplotlib inline` (no IPython here)",
        "cell 3, line 3: skipped the shell command `!pip install torch` (no IPython here)",
        "cell 3, line 5: skipped the shell command `!ls` (no IPython here)",
        "cell 3, line 6: ran `y = 2` without `%time` (no IPython here)",
    ]


def test_percent_lines_inside_strings_brackets_and_continuations_are_python():
    source = "s = '''\n%d items\n'''\nx = (7\n     % 3)\ny = 7 \\\n% 3\n"
    out = python_source(code(0, source))
    assert out.source == source and out.notes == []


def test_cell_magics():
    timed = python_source(code(0, "%%time\nx = 1\n"))
    assert timed.source == "\nx = 1\n"
    assert timed.notes == ["cell 1, line 1: ran the cell without its `%%time` (no IPython here)"]
    shell = python_source(code(4, "%%bash\nls -l\n"))
    assert shell.source is None
    assert shell.notes == ["cell 5: skipped, `%%bash` is an IPython cell magic (no IPython here)"]


def test_markdown_is_skipped_silently_and_other_languages_with_a_note():
    assert python_source(NotebookCell(0, "markup", "markdown", "# Title\n%not a magic")).source is None
    assert python_source(NotebookCell(0, "markup", "markdown", "# Title")).notes == []
    other = python_source(code(3, "x <- 1", language="r"))
    assert other.source is None and other.notes == ["cell 4: skipped, its language is r, not Python"]


def test_read_notebook(tmp_path):
    path = write_notebook(tmp_path, [("markdown", "# Hi"), ("code", "import torch\nx = 1"), ("raw", "raw text")])
    cells = read_notebook(path)
    assert cells == [
        NotebookCell(0, "markup", "python", "# Hi"),
        NotebookCell(1, "code", "python", "import torch\nx = 1"),
        NotebookCell(2, "markup", "python", "raw text"),
    ]


def test_read_notebook_language_of_a_cell_from_vscode_metadata(tmp_path):
    path = os.path.join(str(tmp_path), "nb.ipynb")
    with open(path, "w") as f:
        json.dump({"cells": [{"cell_type": "code", "metadata": {"vscode": {"languageId": "shellscript"}}, "source": "ls"}],
                   "metadata": {"kernelspec": {"language": "python"}}, "nbformat": 4}, f)
    assert read_notebook(path) == [NotebookCell(0, "code", "shellscript", "ls")]


@pytest.mark.parametrize("text, words", [
    ('{"cells": [\n  {"cell_type": "code",,}]}', "it is not JSON (Expecting property name enclosed in double quotes at line 2, column 24)"),
    ('{"nbformat": 3, "worksheets": []}', "it has no list of cells (nbformat 4 notebooks do)"),
    ('{"cells": [3]}', "cell 1 is not an object"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', "the source of cell 1 is neither text nor a list of lines"),
])
def test_read_notebook_rejects_what_is_not_a_notebook(tmp_path, text, words):
    path = os.path.join(str(tmp_path), "bad.ipynb")
    with open(path, "w") as f:
        f.write(text)
    with pytest.raises(NotebookError) as e:
        read_notebook(path)
    assert str(e.value) == f"{path} is not a valid notebook: {words}"


def test_locations_in_compiled_cells_map_to_the_notebook_cell_and_line():
    run = NotebookRun("/w/nb.ipynb", [NotebookCell(0, "markup", "markdown", "# x"), code(1, "x = 1\ny = 2\n")])
    run.compile()
    assert run.file_of(1) == "/w/nb.ipynb, cell 2"
    assert run.map_location({"file": "/w/nb.ipynb, cell 2", "line": 2, "column": 1}) == {"file": "/w/nb.ipynb", "line": 2, "column": 1, "cell": 1}
    other = {"file": "/w/helper.py", "line": 3, "column": 1}
    assert run.map_location(other) is other and run.map_location(None) is None
    assert run.stop_after(StopAfter("/w/nb.ipynb", 2, 1)) == StopAfter("/w/nb.ipynb, cell 2", 2)


def test_run_start_cells_are_checked_field_by_field():
    def start(cells):
        return {"type": "run/start", "protocol": 1, "options": {
            "script": "/w/nb.ipynb", "cwd": "/w", "captureAt": "last", "maxNodes": 10, "savedTensors": False,
            "stopAfter": {"file": "/w/nb.ipynb", "line": 2, "cell": 1}, "cells": cells}}

    ok = parse_host_message(start([{"index": 1, "kind": "code", "language": "python", "source": "x = 1"}]))
    assert ok.options.cells == [code(1, "x = 1")] and ok.options.stop_after == StopAfter("/w/nb.ipynb", 2, 1)
    for cells, path in [
        ("x", "message.options.cells"),
        ([{"index": -1, "kind": "code", "language": "python", "source": ""}], "message.options.cells[0].index"),
        ([{"index": 0, "kind": "cell", "language": "python", "source": ""}], "message.options.cells[0].kind"),
        ([{"index": 0, "kind": "code", "language": None, "source": ""}], "message.options.cells[0].language"),
        ([{"index": 0, "kind": "code", "language": "python", "source": ["x"]}], "message.options.cells[0].source"),
    ]:
        with pytest.raises(ProtocolError, match=re.escape(f"at {path}:")):
            parse_host_message(start(cells))


# ---- runs in the runner child ----------------------------------------------------------

def test_the_seed_notebook_runs_every_cell_and_captures_each_backward():
    result = host.run(SEED)
    check_all(result)
    assert result.returncode == 0, result.stderr
    assert result.errors == []
    assert "gradlens: cell 2, line 1: skipped the IPython magic `%matplotlib inline` (no IPython here)" in result.stderr
    assert "dP/da -384.0 dP/db 96.0 dP/dQ -32.0" in result.stdout
    assert "tensor([True, True])" in result.stdout
    first, last = result.snapshots
    names = {n["name"] for n in first["nodes"]}
    assert {"PowBackward0", "SubBackward0", "MulBackward0", "torch::autograd::AccumulateGrad", "a", "b"} <= names
    [out] = [n for n in first["nodes"] if n["id"] in first["outputs"]]
    assert out["name"] == "P" and out["location"] == {"file": SEED, "line": 4, "column": 1, "cell": QP_CELL}
    sub = next(n for n in first["nodes"] if n["name"] == "SubBackward0")
    assert sub["location"]["cell"] == QP_CELL and sub["location"]["line"] == 1
    [vector_out] = [n for n in last["nodes"] if n["id"] in last["outputs"]]
    assert vector_out["name"] == "Q" and vector_out["location"]["cell"] == 7


def test_cells_from_the_host_and_a_stop_after_a_backward_in_a_cell(tmp_path):
    path = os.path.join(str(tmp_path), "unsaved.ipynb")  # never written: the host sends the cells
    cells = [
        code(0, "import torch\nw = torch.tensor(1.5, requires_grad=True)\n"),
        NotebookCell(1, "markup", "markdown", "# A loop that never ends"),
        code(2, "step = 0\nwhile True:\n    loss = (w * 3) ** 2\n    loss.backward()\n    step += 1\n"),
    ]
    result = host.run(path, cells=[as_option(c) for c in cells], stopAfter={"file": path, "line": 4, "cell": 2})
    check_all(result)
    assert result.returncode == 0 and result.errors == []
    [snap] = result.snapshots
    [out] = [n for n in snap["nodes"] if n["id"] in snap["outputs"]]
    assert out["name"] == "loss" and out["location"] == {"file": path, "line": 4, "column": 5, "cell": 2}
    assert {"PowBackward0", "MulBackward0", "w"} <= {n["name"] for n in snap["nodes"]}


def test_a_syntax_error_points_at_its_cell_and_line_before_any_cell_runs(tmp_path):
    path = write_notebook(tmp_path, [
        ("code", "import torch\nprint('cell 1 ran')"),
        ("markdown", "text"),
        ("code", "x = 1\ny = (2 +\n"),
    ])
    result = host.run(path)
    check_all(result)
    assert result.returncode == 1
    [error] = result.errors
    assert error["kind"] == "syntax" and error["message"].startswith("SyntaxError: ")
    assert error["location"]["file"] == path and error["location"]["cell"] == 2
    assert error["location"]["line"] == 2
    assert "cell 1 ran" not in result.stdout


def test_an_exception_points_at_its_cell_and_line_and_its_stack_names_the_cells(tmp_path):
    path = write_notebook(tmp_path, [
        ("code", "import torch\n\ndef grow(t):\n    return t * undefined_name\n"),
        ("code", "a = torch.tensor(2.0, requires_grad=True)\n(a * a).backward()\nprint('before')\nb = grow(a)\n"),
    ])
    result = host.run(path)
    check_all(result)
    assert result.returncode == 1 and "before" in result.stdout
    [error] = result.errors
    assert error["kind"] == "exception" and error["message"] == "NameError: name 'undefined_name' is not defined"
    assert error["location"] == {"file": path, "line": 4, "column": error["location"]["column"], "cell": 0}
    assert f'File "{path}, cell 2", line 4, in <module>' in error["stack"]
    assert f'File "{path}, cell 1", line 4, in grow' in error["stack"]
    assert "gradlens" not in error["stack"].replace(path, "")
    assert len(result.snapshots) == 1  # what was captured before the error is kept


def test_a_notebook_that_is_not_json_gets_a_clear_error(tmp_path):
    path = os.path.join(str(tmp_path), "broken.ipynb")
    with open(path, "w") as f:
        f.write('{"cells": [\n')
    result = host.run(path)
    check_all(result)
    assert result.returncode == 1
    [error] = result.errors
    assert error["kind"] == "syntax"
    assert error["message"].startswith(f"{path} is not a valid notebook: it is not JSON (")
    assert error["location"] == {"file": path, "line": 2, "column": 1}
    assert result.done["backwardCount"] == 0
