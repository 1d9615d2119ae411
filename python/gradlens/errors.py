"""Run errors from the script's exceptions: the user's own frames and locations."""
from __future__ import annotations

import os
import traceback
from typing import Optional

from .protocol import Json, location, run_error
from .userframes import is_user_file

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _runner_frame(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR) or os.path.basename(filename) == "runpy.py" or filename == "<frozen runpy>"


def syntax_error(e: SyntaxError) -> Json:
    loc = None
    if e.filename and os.path.isabs(e.filename) and e.lineno:
        loc = location(e.filename, int(e.lineno), int(e.offset or 1))
    return run_error("syntax", f"{type(e).__name__}: {e.msg}", None, loc)


def exception_error(e: BaseException) -> Json:
    if isinstance(e, SyntaxError):
        return syntax_error(e)
    te = traceback.TracebackException.from_exception(e)
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if not _runner_frame(f.filename)])
    return run_error("exception", f"{type(e).__name__}: {e}", "".join(te.format()), _innermost_user_location(te.stack))


def _innermost_user_location(stack: traceback.StackSummary) -> Optional[Json]:
    for frame in reversed(stack):
        if is_user_file(frame.filename) and frame.lineno is not None:
            column = getattr(frame, "colno", None)
            return location(frame.filename, frame.lineno, (column or 0) + 1)
    return None
