"""Running a cell and describing its outcome.

A cell runs with ``__main__``'s dict as its globals. Synchronous cells (every
mode but ``top-level-await``) run to the end inside :meth:`Executor.execute`
and its result is returned as is; a top-level-await cell runs as a task on
Pyodide's event loop and :meth:`Executor.execute` returns a JavaScript
``Promise`` of the result, so the worker can simply ``await`` either.

The result is a plain JavaScript object: ``{status, mode, value?, repr?,
error?}``. ``repr`` is present whenever the cell ends in an expression and
completed, ``value`` when that value has a structured clone (see
:mod:`.convert`), ``_`` is set when it is not None. Statements that ran before
an error keep their effects, as in a notebook.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from inspect import isawaitable
from typing import Any, Final

from pyodide.code import run_js
from pyodide.ffi import create_once_callable

from .cells import CellCache, CellSyntaxError, CompiledCell, is_coroutine_code
from .checkpoint import Checkpointer
from .convert import NotCloneable, to_js_value
from .errors import ErrorInfo, FrameFilter, exception_info, syntax_error_info
from .interrupts import CURRENT_CELL, Interrupts
from .namespace import Namespace, safe_repr

_NO_VALUE: Final = object()


class Executor:
    """Runs cells one at a time in the namespace.

    :param before_cell: called as each cell starts (re-installs streams a cell may have replaced)
    :param after_cell: called as each cell ends, before its result is built (flushes output)
    :param to_js_result: turns the result dict into the JavaScript object the worker receives
    """

    def __init__(
        self,
        namespace: Namespace,
        cache: CellCache,
        interrupts: Interrupts,
        frames: FrameFilter,
        checkpointer: Checkpointer,
        before_cell: Callable[[], None],
        after_cell: Callable[[], None],
        to_js_result: Callable[[dict[str, Any]], Any],
    ) -> None:
        self.namespace = namespace
        self.cache = cache
        self.interrupts = interrupts
        self.frames = frames
        self.checkpointer = checkpointer
        self._before = before_cell
        self._after = after_cell
        self._to_js = to_js_result
        self.executions = 0
        self.running = False

    def execute(self, source: str) -> Any:
        """Runs one cell: a JavaScript result object, or a Promise of one for a top-level-await cell."""
        if not isinstance(source, str):
            raise TypeError(f"[sandcell] code must be a str, got {type(source).__name__}")
        if self.running:
            raise RuntimeError("[sandcell] a cell is already running; the worker must queue cells")
        self.executions += 1
        cell_id = self.executions
        compiled = self.cache.get(source, f"<cell-{cell_id}>")
        if isinstance(compiled, CellSyntaxError):
            return self._to_js({"status": "error", "mode": "syntax-error", "error": syntax_error_info(compiled.error)})
        refused = self.namespace.refused_assignments_of(compiled)
        if refused:
            return self._to_js({"status": "error", "mode": compiled.mode, "error": _refused(refused)})
        if compiled.mode == "top-level-await":
            return self._start_async(compiled, cell_id)
        return self._run_sync(compiled, cell_id)

    def _run_sync(self, cell: CompiledCell, cell_id: int) -> Any:
        globals_ = self.namespace.globals
        value: Any = _NO_VALUE
        error: BaseException | None = None
        self._begin(cell_id)
        token = CURRENT_CELL.set(cell_id)
        try:
            if cell.body is not None:
                exec(cell.body, globals_)
            if cell.expression is not None:
                value = eval(cell.expression, globals_)
        except BaseException as caught:  # the user's error (SystemExit and KeyboardInterrupt too) is the result
            error = caught
        finally:
            CURRENT_CELL.reset(token)
        return self._to_js(self._finish(cell, value, error))

    def _start_async(self, cell: CompiledCell, cell_id: int) -> Any:
        context = contextvars.copy_context()
        context.run(CURRENT_CELL.set, cell_id)
        self._begin(cell_id)
        task = asyncio.get_event_loop().create_task(self._run_async(cell), context=context)
        self.interrupts.attach_task(task)

        def start(resolve: Any, reject: Any) -> None:
            def settle(done: asyncio.Task[Any]) -> None:
                try:
                    resolve(self._to_js(done.result()))
                except BaseException as failure:  # an engine fault: the worker must hear of it, not hang
                    reject(f"[sandcell] the Python engine failed: {type(failure).__name__}: {failure}")

            task.add_done_callback(settle)

        return _new_promise()(create_once_callable(start))

    async def _run_async(self, cell: CompiledCell) -> dict[str, Any]:
        globals_ = self.namespace.globals
        value: Any = _NO_VALUE
        error: BaseException | None = None
        try:
            if cell.body is not None:
                pending = eval(cell.body, globals_)
                if is_coroutine_code(cell.body) and isawaitable(pending):
                    await pending
            if cell.expression is not None:
                value = eval(cell.expression, globals_)
                if is_coroutine_code(cell.expression):
                    value = await value
        except BaseException as caught:  # CancelledError from a stop lands here too
            error = caught
        return self._finish(cell, value, error)

    def _begin(self, cell_id: int) -> None:
        self.running = True
        self._before()
        self.interrupts.begin(cell_id)

    def _finish(self, cell: CompiledCell, value: Any, error: BaseException | None) -> dict[str, Any]:
        stopped = self.interrupts.end()
        self.running = False
        try:
            self._after()
        finally:
            self.namespace.repair()
            self.checkpointer.cell_ran(cell.names, cell.defines_functions, cell.runs_code)
        result: dict[str, Any] = {"mode": cell.mode}
        if error is not None:
            result["status"] = "interrupted" if stopped else "error"
            result["error"] = exception_info(error, cell.filename, self.frames)
            return result
        if stopped:
            result["status"] = "interrupted"
            return result
        result["status"] = "ok"
        if cell.expression is not None:
            self.namespace.record_result(value)
            result["repr"] = safe_repr(value)
            try:
                result["value"] = to_js_value(value)
            except NotCloneable:
                pass
        return result


@functools.cache
def _new_promise() -> Callable[[Any], Any]:
    # Built on first use, not at import (see convert.js_helper).
    return run_js("(start) => new Promise((resolve, reject) => start(resolve, reject))")


def _refused(names: list[str]) -> ErrorInfo:
    listed = ", ".join(f"'{name}'" for name in names)
    return {
        "name": "TypeError",
        "message": f"Cannot assign to {listed}: provided by sandcell and cannot be replaced; choose another name",
        "line": 1,
        "column": 1,
    }
