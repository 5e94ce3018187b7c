"""What an error in a cell looks like to the host.

The host gets ``{name, message, stack, line, column}``: the exception's class
name, its message, a traceback that starts at the cell (the engine's frames and
Pyodide's are left out, they are not the user's), and the 1-based position in
the cell's own text where it was raised. Columns count characters, not the
UTF-8 bytes CPython's position tables use.
"""

from __future__ import annotations

import linecache
import os
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TypedDict


class ErrorInfo(TypedDict, total=False):
    name: str
    message: str
    stack: str
    line: int
    column: int


class FrameFilter:
    """Decides which frames are the user's: everything but the given directories."""

    def __init__(self, hidden_dirs: Iterable[str]) -> None:
        self._hidden = tuple(os.path.join(os.path.normpath(d), "") for d in hidden_dirs)

    def hides(self, filename: str) -> bool:
        return filename.startswith(self._hidden)


def syntax_error_info(error: SyntaxError) -> ErrorInfo:
    """A syntax error: reported before anything in the cell ran."""
    info: ErrorInfo = {"name": type(error).__name__, "message": error.msg or str(error)}
    if error.lineno is not None:
        info["line"] = error.lineno
        # CPython's SyntaxError.offset is already 1-based and counts characters.
        info["column"] = max(1, error.offset or 1)
    info["stack"] = "".join(traceback.format_exception_only(type(error), error)).rstrip("\n")
    return info


def exception_info(error: BaseException, filename: str, frames: FrameFilter) -> ErrorInfo:
    """An exception raised while a cell ran.

    :param error: the exception, with its traceback
    :param filename: the cell's filename, to find where in the cell it was raised
    :param frames: which frames to leave out of the traceback
    """
    tb = _strip_hidden(error.__traceback__, frames)
    info: ErrorInfo = {"name": type(error).__name__, "message": _message(error)}
    position = _position_in(tb, filename)
    if position is not None:
        info["line"], info["column"] = position
    summary = traceback.TracebackException(type(error), error, tb, compact=True)
    _strip_hidden_in_chain(summary, frames)
    info["stack"] = "".join(summary.format()).rstrip("\n")
    return info


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except BaseException as failure:  # a hostile __str__ must not lose the error
        return f"<str() of the exception raised {type(failure).__name__}>"


def _strip_hidden(tb: TracebackType | None, frames: FrameFilter) -> TracebackType | None:
    """The traceback without its hidden frames (a new chain; the exception is left as it is)."""
    kept: list[TracebackType] = []
    while tb is not None:
        if not frames.hides(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    result: TracebackType | None = None
    for entry in reversed(kept):
        result = TracebackType(result, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return result


def _strip_hidden_in_chain(summary: traceback.TracebackException, frames: FrameFilter) -> None:
    seen: set[int] = set()
    todo = [summary]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = traceback.StackSummary.from_list([f for f in current.stack if not frames.hides(f.filename)])
        todo.extend(x for x in (current.__cause__, current.__context__) if x is not None)
        todo.extend(current.exceptions or ())


def _position_in(tb: TracebackType | None, filename: str) -> tuple[int, int] | None:
    """The line and column of the innermost frame of the cell in ``tb``."""
    found: tuple[int, int] | None = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == filename:
            found = _instruction_position(tb)
        tb = tb.tb_next
    return found


def _instruction_position(tb: TracebackType) -> tuple[int, int]:
    code = tb.tb_frame.f_code
    line, column = tb.tb_lineno, 1
    if tb.tb_lasti >= 0:
        positions = list(code.co_positions())
        index = tb.tb_lasti // 2
        if index < len(positions):
            start_line, _end_line, start_col, _end_col = positions[index]
            if start_line is not None:
                line = start_line
            if start_col is not None:
                column = _characters(code.co_filename, line, start_col) + 1
    return line, column


def _characters(filename: str, line: int, byte_offset: int) -> int:
    text = linecache.getline(filename, line)
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
