"""``host``: the capabilities the page injected, callable from a cell as ``await host.name(...)``.

Arguments go to the page as structured clones (see :mod:`.convert`) and the
result comes back as Python data, so a cell can only use what was injected and
never holds a JavaScript object of the page. Also ``input()``: synchronous
through the host's ``input(prompt)`` hook when the page is cross-origin
isolated, and an awaitable otherwise (``await input('name? ')``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .convert import to_js_value, to_py_value


class HostCapabilities:
    """The ``host`` object of a cell: one async method per injected capability."""

    __slots__ = ("_call", "_names")

    def __init__(self, call: Callable[[str, Any], Awaitable[Any]], names: Iterable[str]) -> None:
        object.__setattr__(self, "_call", call)
        object.__setattr__(self, "_names", tuple(sorted(names)))

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("__") or name not in self._names:
            offered = ", ".join(self._names) or "none"
            raise AttributeError(f"host has no capability '{name}' (this session offers: {offered})")
        call = self._call

        async def capability(*args: Any) -> Any:
            return to_py_value(await call(name, to_js_value(list(args))))

        capability.__name__ = capability.__qualname__ = name
        return capability

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("host is provided by sandcell and cannot be changed")

    def __dir__(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"<host capabilities: {', '.join(self._names) or 'none'}>"

    def __reduce__(self) -> Any:
        raise TypeError("the host object belongs to its session and cannot be saved")


class InputAwaitable:
    """What ``input()`` returns when the page cannot block the worker: await it for the line."""

    def __init__(self, pending: Awaitable[Any]) -> None:
        self._pending = pending

    def __await__(self) -> Any:
        value = yield from _await(self._pending).__await__()
        return value


async def _await(pending: Awaitable[Any]) -> str:
    value = to_py_value(await pending)
    return "" if value is None else str(value)


def make_input(
    read_sync: Callable[[str], Any] | None,
    read_async: Callable[[str], Awaitable[Any]] | None,
    before: Callable[[], None],
    after_wait: Callable[[], None],
) -> Callable[..., Any]:
    """The ``input`` builtin cells see.

    :param read_sync: the host's blocking ``input(prompt)`` hook (None if the page is not isolated);
        it returns None when a stop woke it
    :param read_async: the host's ``inputAsync(prompt)`` hook returning a promise
    :param before: flushes output, so the prompt's context is on screen first
    :param after_wait: raises the stop if one arrived while waiting
    """

    def input(prompt: object = "", /) -> Any:  # noqa: A001 — it is the builtin's replacement
        """Reads a line from the page (``onInput``). Awaitable when the page is not cross-origin isolated."""
        text = str(prompt)
        before()
        if read_sync is not None:
            value = read_sync(text)
            after_wait()
            value = to_py_value(value)
            if value is None:
                raise EOFError("EOF when reading a line")
            return str(value)
        if read_async is None:
            raise RuntimeError("[sandcell] input() is not available: the session has no onInput handler")
        return InputAwaitable(read_async(text))

    return input
