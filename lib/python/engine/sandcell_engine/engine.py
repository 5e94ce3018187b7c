"""The engine object the worker talks to: one per Python session.

See the package docstring (``sandcell_engine/__init__.py``) for the contract.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

import pyodide
from pyodide.ffi import JsProxy

from .cells import CellCache, detect_mode
from .checkpoint import Checkpointer
from .convert import NotCloneable, to_js_value, to_py_value
from .display import make_display
from .errors import FrameFilter
from .executor import Executor
from .host import HostCapabilities, make_input
from .interrupts import Interrupts
from .namespace import Namespace, assert_strategy
from .output import HostStream, OutputBuffer
from .reconstruct import AllowAll, RestoreGuard
from .snapshot import check_header, decode_group, encode, header, skip_reason
from . import wheels

P = ParamSpec("P")
R = TypeVar("R")


def boundary(method: Callable[P, R]) -> Callable[P, R]:
    """Marks a method the worker calls: engine streams in place on entry, Pyodide's on an error out.

    Pyodide turns a Python exception into a JavaScript error by printing its
    traceback to file descriptor 2 while it captures that descriptor; our
    ``sys.stderr`` does not write there, so an error leaving the engine would
    reach JavaScript with an empty message and the user's stderr with a stray
    traceback. The next entry puts the engine's streams back.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        engine = args[0]
        engine._install_streams()  # type: ignore[attr-defined]
        try:
            return method(*args, **kwargs)
        except BaseException:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            raise

    return wrapper


class Engine:
    """One Python session's engine. Build it with :func:`sandcell_engine.create_engine`."""

    def __init__(self, hooks: Any, cache_size: int = 100) -> None:
        self._hooks = hooks
        self.output = OutputBuffer(hooks.write)
        self.stdout = HostStream(self.output, "stdout")
        self.stderr = HostStream(self.output, "stderr")
        hidden = _engine_dirs()
        self.frames = FrameFilter(hidden)
        flag = _optional(hooks, "interruptFlag")
        wait = _optional(hooks, "sleep")
        self.interrupts = Interrupts(flag, wait, self.frames, _optional(hooks, "stopWanted"))
        display = make_display(self._send_display)
        capabilities = [str(name) for name in (_optional(hooks, "capabilities") or [])]
        host = HostCapabilities(hooks.callHost if capabilities else _no_capabilities, capabilities)
        wheels.configure(_optional(hooks, "installWheel"), bool(_optional(hooks, "network")))
        _forget_startup_names()
        self.namespace = Namespace({"display": display, "host": host})
        self.checkpointer = Checkpointer()
        self.restore_guard: RestoreGuard = AllowAll()
        self.executor = Executor(
            self.namespace,
            CellCache(cache_size),
            self.interrupts,
            self.frames,
            self.checkpointer,
            before_cell=self._before_cell,
            after_cell=self.output.flush,
            to_js_result=_to_js_object,
        )
        builtins.input = make_input(
            _optional(hooks, "input"),
            _optional(hooks, "inputAsync"),
            before=self.output.flush,
            after_wait=self.interrupts.check,
        )
        self.interrupts.install()
        self._install_streams()

    # -- cells ----------------------------------------------------------------

    @boundary
    def execute(self, code: str) -> Any:
        """Runs a cell. Returns the result object, or a Promise of it (top-level await)."""
        return self.executor.execute(code)

    @boundary
    def detect_mode(self, code: str) -> str:
        """The mode ``code`` would run in (the page asks after the hard path took a cell)."""
        return detect_mode(str(code))

    @boundary
    def interrupt(self) -> None:
        """Cancels the running cell's pending awaits (the buffer stops running code), or leftover tasks when idle."""
        self.interrupts.interrupt()

    @boundary
    def stats(self) -> Any:
        cache = self.executor.cache
        return _to_js_object(
            {
                "executions": self.executor.executions,
                "cache": {"size": len(cache), "capacity": cache.capacity, "hits": cache.hits, "misses": cache.misses},
                "variables": len(self.namespace.names()),
            }
        )

    # -- namespace ------------------------------------------------------------

    @boundary
    def namespace_list(self) -> Any:
        return _to_js_object(self.namespace.list())

    @boundary
    def namespace_get(self, name: str) -> Any:
        value = self.namespace.get(name)
        try:
            return to_js_value(value)
        except NotCloneable as error:
            raise TypeError(
                f"[sandcell] variable '{name}' ({type(value).__name__}) cannot be copied to the page: {error}. "
                "namespace.list() shows its repr"
            ) from None

    @boundary
    def namespace_set(self, values: Any, strategy: str = "overwrite") -> Any:
        assert_strategy(strategy)
        converted = to_py_value(values)
        if not isinstance(converted, dict):
            raise TypeError(f"[sandcell] values must be an object of name → value, got {type(converted).__name__}")
        written = self.namespace.set(converted, strategy)  # type: ignore[arg-type]
        self.checkpointer.mark(written)
        return _to_js_object(written)

    @boundary
    def namespace_delete(self, name: str) -> bool:
        deleted = self.namespace.delete(name)
        self.checkpointer.mark([name])
        return deleted

    @boundary
    def namespace_clear(self) -> None:
        self.namespace.clear()
        self.checkpointer.invalidate(forget_functions=True)

    # -- snapshots ------------------------------------------------------------

    @boundary
    def snapshot(self) -> Any:
        """Every user variable: ``{format, version, python, full: true, removed: [], groups, saved, skipped}``."""
        return self._encode_record(full_only=True, names=None)

    @boundary
    def checkpoint(self, names: Iterable[str] | None = None) -> Any:
        """What changed since the last checkpoint (all the first time): the same record, ``full`` false when incremental."""
        return self._encode_record(full_only=False, names=None if names is None else [str(n) for n in names])

    @boundary
    def restore(self, groups: Any, given_up: Any = None) -> Any:
        """Loads groups (of a snapshot or of checkpoints) into the namespace: ``{restored, skipped}``.

        Each group loads on its own: one that fails loses its own names, with the reason.
        The namespace is not cleared first; restored names overwrite.

        Loading a group can run user code (``__setstate__``, ``__reduce__``'s callable,
        ``__init_subclass__``, a metaclass), which may hang or end the worker. So the host's
        ``restoring(name)`` hook hears which group is loading (by its first name) and
        ``restoring(None)`` after it; the page replaces a worker that dies or stalls there
        and restores again with that name in ``given_up`` (``[{name, reason}]``): the group
        holding it is skipped, every name of it reported.
        """
        given = {str(_field(item, "name")): str(_field(item, "reason")) for item in _iterate(given_up)}
        progress = _optional(self._hooks, "restoring")
        restored: list[str] = []
        skipped: list[dict[str, str]] = []
        for group in _iterate(groups):
            names = [str(name) for name in _iterate(_field(group, "names"))]
            offender = next((name for name in names if name in given), None)
            if offender is not None:
                skipped.extend(
                    {
                        "name": name,
                        "reason": given[name]
                        if name == offender
                        else f"it is saved together with {offender} (they share references), which was given up",
                    }
                    for name in names
                )
                continue
            payload = _field(group, "payload")
            if progress is not None and names:
                progress(names[0])
            try:
                check_header({key: _field(payload, key) for key in ("format", "version", "python")})
                data = _field(payload, "data")
                values = decode_group(bytes(data.to_py() if isinstance(data, JsProxy) else data), self.restore_guard)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # one bad group never fails the others
                skipped.extend({"name": name, "reason": skip_reason(error)} for name in names)
                continue
            finally:
                if progress is not None and names:
                    progress(None)
            for name, value in values.items():
                if self.namespace.is_user_name(name):
                    self.namespace.globals[name] = value
                    restored.append(name)
        self.namespace.repair()
        self.checkpointer.invalidate()
        self.checkpointer.restored_code(self.namespace.globals[name] for name in restored)
        return _to_js_object({"restored": restored, "skipped": skipped})

    def set_restore_guard(self, guard: RestoreGuard | None) -> None:
        """The policy's check for code and globals a restore brings back (None: the default)."""
        self.restore_guard = AllowAll() if guard is None or type(guard).__name__ == "JsNull" else guard

    # -- internals --------------------------------------------------------------

    def _encode_record(self, full_only: bool, names: list[str] | None) -> Any:
        current = {name: self.namespace.globals[name] for name in self.namespace.names()}
        if full_only:
            full, removed, encoded = True, [], encode(current.items())
        else:
            full, removed, encoded = self.checkpointer.checkpoint(current, names)
        meta = header()
        record = {
            **meta,
            "full": full,
            "removed": removed,
            "groups": [{"names": group.names, "payload": {**meta, "data": group.data}} for group in encoded.groups],
            "saved": encoded.saved,
            "skipped": encoded.skipped,
        }
        return _to_js_object(record)

    def _before_cell(self) -> None:
        self._install_streams()

    def _install_streams(self) -> None:
        sys.stdout = self.stdout
        sys.stderr = self.stderr

    def _send_display(self, bundle: dict[str, Any]) -> None:
        self.output.flush()
        self._hooks.display(to_js_value(bundle))


def _forget_startup_names() -> None:
    """Pyodide's own start-up leaves imports in ``__main__`` (``_pyodide_core``); they are not the user's."""
    main = sys.modules["__main__"].__dict__
    for name in [name for name in main if not (name.startswith("__") and name.endswith("__"))]:
        del main[name]


def _engine_dirs() -> list[str]:
    """Directories whose frames are not the user's: this package, asyncio, Pyodide's Python side."""
    import _pyodide

    # "blob:": the worker's JavaScript frames (Pyodide puts them in tracebacks), started from a blob: URL.
    return [
        os.path.dirname(__file__),
        os.path.dirname(asyncio.__file__),
        os.path.dirname(pyodide.__file__),
        os.path.dirname(_pyodide.__file__),
        "blob:",
    ]


def _optional(hooks: Any, name: str) -> Any:
    value = getattr(hooks, name, None)
    return None if value is None or type(value).__name__ == "JsNull" else value


async def _no_capabilities(name: str, args: Any) -> Any:
    raise AttributeError(f"host has no capability '{name}'")


def _to_js_object(value: Any) -> Any:
    """Plain data of the engine's own making (results, lists, records) → JavaScript objects.

    Results hold values converted already (JavaScript objects pass through as they are);
    the numbers among them are converted again, which is why the whole record goes
    through the same conversion as values.
    """
    return to_js_value(value)


def _iterate(value: Any) -> list[Any]:
    return list(value) if value is not None else []


def _field(record: Any, key: str) -> Any:
    if isinstance(record, dict):
        return record.get(key)
    return getattr(record, key, None)


__all__ = ["Engine", "boundary"]
