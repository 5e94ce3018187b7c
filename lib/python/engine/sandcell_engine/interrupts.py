"""Interrupts that user code cannot swallow.

How a stop reaches a running cell
---------------------------------
The host owns an ``Int32Array`` over a ``SharedArrayBuffer``; the worker gives
the same view to ``pyodide.setInterruptBuffer``. To stop the running cell the
host stores ``2`` (SIGINT) there. CPython's Emscripten port reads the buffer
every 50 evaluation-breaker checks (loop back-edges and calls), resets it to 0
and runs the Python-level SIGINT handler, which is :meth:`Interrupts._on_signal`.

That first delivery raises :class:`KeyboardInterrupt` in the cell, which
``except BaseException: pass`` could swallow. So the handler also turns the
cell into *stopping*: it enables ``sys.monitoring`` LINE and JUMP events
(PEP 669), whose callback raises again on every line and loop back-edge of the
stopping cell's code until the cell has ended. A swallowing ``except``, a loop
in ``finally`` and ``except KeyboardInterrupt: continue`` all end, because the
handler's own next line raises. Nothing is traced while no stop is pending:
monitoring is off between stops, so a running cell pays nothing for it.

The handler's first act is to store SIGINT in the flag again, and the flag
stays set until the cell ends: a handler that fails half-way is called again
50 checks later, and a cell whose code cannot be monitored (every tool id
taken) is still re-raised into that often. A handler that cannot even be
called (a cell sitting at the recursion limit gets ``RecursionError`` for the
call itself) loses the signal; for that the host stores SIGINT again every
few milliseconds until the cell settles, which costs nothing otherwise.

Frames that are not the user's (this engine, asyncio, Pyodide) never get an
exception raised in them by a stop; the next user line does. That keeps the
event loop and the engine's bookkeeping intact.

Asynchronous cells
------------------
A cell waiting in ``await`` runs no bytecode, so nothing reads the buffer. The
worker therefore also calls :meth:`Interrupts.interrupt` when the host asks for
a stop; it cancels every task the cell started (tasks carry their cell in a
context variable), and the stop then proceeds as above. Tasks of the stopping
cell other than its main one get :class:`asyncio.CancelledError` instead of
:class:`KeyboardInterrupt`, which a task could not end with cleanly.

Waiting
-------
``time.sleep`` is replaced by :meth:`Interrupts.sleep`, which waits through the
host's ``sleep(ms)`` hook (``Atomics.wait`` on the interrupt buffer, so a stop
wakes it at once) and then checks the buffer itself.

What cannot be stopped here: a long native call (``sum(range(10**12))``)
reads no buffer until it returns. The host kills the worker after its grace
period and restores the last checkpoint.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import signal
import sys
import time
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any, Final, Protocol

from .errors import FrameFilter

SIGINT: Final = int(signal.SIGINT)
TOOL_NAME: Final = "sandcell"

CURRENT_CELL: contextvars.ContextVar[int | None] = contextvars.ContextVar("sandcell_cell", default=None)
"""The cell a piece of code runs for: set around a sync cell, inherited by every task an async cell starts."""


class InterruptFlag(Protocol):
    """The ``Int32Array`` shared with the host (index 0 is the flag)."""

    def __getitem__(self, index: int) -> int: ...
    def __setitem__(self, index: int, value: int) -> None: ...


class Interrupts:
    """Delivers host stops to the running cell, and keeps delivering them until it ends.

    :param flag: the shared interrupt flag, or ``None`` when the page is not cross-origin isolated
        (then only :meth:`interrupt` and the host's hard path stop a cell)
    :param wait: the host's ``sleep(ms) -> bool`` hook (true when woken by a stop), or ``None``
        to wait by the clock
    :param hidden: frames in which no stop is raised
    :param wanted: the host's ``stopWanted()`` hook: whether the stop in the flag is for the running
        cell (a stop for a cell that just ended can land after the next one began); None: always
    """

    def __init__(
        self,
        flag: InterruptFlag | None,
        wait: Callable[[float], bool] | None,
        hidden: FrameFilter,
        wanted: Callable[[], bool] | None = None,
    ) -> None:
        self._flag = flag
        self._wanted = wanted
        self._wait = wait
        self._hidden = hidden
        self._cell: int | None = None
        self._main_task: asyncio.Task[Any] | None = None
        self.stopping = False
        self._monitoring = False
        self._tool = -1
        self._original_sleep = time.sleep

    # -- installation -------------------------------------------------------

    def install(self) -> None:
        """Takes over SIGINT, ``time.sleep`` and a ``sys.monitoring`` tool id."""
        signal.signal(signal.SIGINT, self._on_signal)
        time.sleep = self.sleep
        self._claim_tool()

    def _claim_tool(self) -> None:
        monitoring = sys.monitoring
        if self._tool >= 0 and monitoring.get_tool(self._tool) == TOOL_NAME:
            return
        for tool in (4, 3, 5, 2, 1, 0):
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, TOOL_NAME)
                monitoring.register_callback(tool, monitoring.events.LINE, self._on_line)
                monitoring.register_callback(tool, monitoring.events.JUMP, self._on_jump)
                self._tool = tool
                return
        self._tool = -1  # every id taken by user code: stops fall back to the first delivery only

    # -- the cell's lifetime ------------------------------------------------

    def begin(self, cell: int) -> None:
        """A cell starts: stale stops are dropped, and user code that replaced the handler loses it."""
        self._cell = cell
        self._main_task = None
        self.stopping = False
        self.clear_flag()
        if signal.getsignal(signal.SIGINT) != self._on_signal:
            signal.signal(signal.SIGINT, self._on_signal)
        if time.sleep is not self.sleep:
            time.sleep = self.sleep
        self._claim_tool()

    def attach_task(self, task: asyncio.Task[Any]) -> None:
        """The task that runs an asynchronous cell's code (it may end with KeyboardInterrupt)."""
        self._main_task = task

    def end(self) -> bool:
        """The cell has ended. Returns whether it was being stopped."""
        stopped = self.stopping
        self._disarm()
        self._cell = None
        self._main_task = None
        self.stopping = False
        self.clear_flag()
        return stopped

    def clear_flag(self) -> None:
        if self._flag is not None:
            self._flag[0] = 0

    # -- stopping -----------------------------------------------------------

    def interrupt(self) -> None:
        """The host asked for a stop and the worker is free to run us: the cell is awaiting, or idle.

        Cancels every pending task of the running cell (and makes the stop stick), or, when no
        cell runs, the tasks finished cells left running.
        """
        if self._cell is not None:
            self._keep_flag()
            self._start_stopping()
            self._cancel_tasks(lambda owner: owner == self._cell)
        else:
            self._cancel_tasks(lambda owner: owner is not None)

    def _start_stopping(self) -> None:
        self.stopping = True
        if self._tool >= 0 and not self._monitoring:
            events = sys.monitoring.events
            sys.monitoring.set_events(self._tool, events.LINE | events.JUMP)
            self._monitoring = True

    def _keep_flag(self) -> None:
        """Keeps the stop pending, so Pyodide calls the handler again until the cell has ended."""
        if self._flag is not None:
            self._flag[0] = SIGINT

    def _disarm(self) -> None:
        self._monitoring = False
        if self._tool >= 0 and sys.monitoring.get_tool(self._tool) == TOOL_NAME:
            sys.monitoring.set_events(self._tool, 0)
            sys.monitoring.restart_events()

    def _cancel_tasks(self, owned: Callable[[int | None], bool]) -> None:
        try:
            tasks = asyncio.all_tasks()
        except RuntimeError:  # no running loop: no tasks
            return
        for task in tasks:
            if owned(task.get_context().get(CURRENT_CELL)):
                task.cancel()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._cell is None or not self._is_wanted():
            return  # a stop that arrived after its cell ended
        self._keep_flag()  # first: if anything below fails, the next check calls us again
        self._start_stopping()
        self._raise_in(frame.f_code if frame is not None else None)

    def _is_wanted(self) -> bool:
        return self._wanted is None or bool(self._wanted())

    def _on_line(self, code: CodeType, line: int) -> Any:
        return self._on_event(code)

    def _on_jump(self, code: CodeType, source: int, destination: int) -> Any:
        return self._on_event(code)

    def _on_event(self, code: CodeType) -> Any:
        if self._hidden.hides(code.co_filename):
            # Never ours to stop; DISABLE only lasts until the next restart_events().
            return sys.monitoring.DISABLE
        if self.stopping:
            self._raise_in(code)
        return None

    def _raise_in(self, code: CodeType | None) -> None:
        """Raises the stop where ``code`` runs, if that is the stopping cell's own code."""
        if code is not None and self._hidden.hides(code.co_filename):
            return
        if CURRENT_CELL.get() != self._cell:
            return  # a task of an earlier cell got the event; the stop is not for it
        task = _current_task()
        if task is None or task is self._main_task:
            raise KeyboardInterrupt
        raise asyncio.CancelledError

    def check(self) -> None:
        """Raises the stop now if one is pending or in progress (for waits in engine code)."""
        if self._flag is not None and self._flag[0] != 0:
            if self._cell is None or not self._is_wanted():
                self._flag[0] = 0  # stale: its cell has ended
            else:
                self._start_stopping()
        if self.stopping:
            self._raise_in(None)

    # -- waiting ------------------------------------------------------------

    def sleep(self, seconds: float, /) -> None:
        """``time.sleep`` that a stop wakes at once."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            try:
                seconds = float(seconds)  # objects with __float__, as time.sleep accepts
            except (TypeError, ValueError):
                raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer or float") from None
        if math.isnan(seconds):
            raise ValueError("Invalid value NaN (not a number)")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.check()
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self._wait is None:
                self._original_sleep(min(remaining, 0.05))
            elif self._wait(remaining * 1000):
                self.check()
            self.check()


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
