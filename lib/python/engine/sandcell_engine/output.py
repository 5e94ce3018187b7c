"""``print``, ``sys.stdout`` and ``sys.stderr``, sent to the host in order.

Each crossing into JavaScript costs far more than appending to a list, and
``print`` writes twice per call (text, then the newline). So writes are kept
here, adjacent writes to the same stream joined, and handed to the host's
``write(stream, text)`` hook when 32 kB are waiting, when 50 ms have passed
since the first waiting write (a long cell still shows progress), before any
display or input (so events stay in the order the cell made them), and when the
cell ends. A line that ends 50 ms or more after the last hand-over goes at once:
the age rule needs a later write to fire, so without this a ``print`` followed
by a long computation would show nothing until the cell ended (a flood still
goes in batches: within 50 ms of a hand-over, lines wait). The host does its own
batching and capping on top.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Final, Literal

Stream = Literal["stdout", "stderr"]

FLUSH_BYTES: Final = 32 * 1024
FLUSH_SECONDS: Final = 0.05


class OutputBuffer:
    """Ordered text of both streams, waiting to be sent to the host.

    :param write: the host's ``write(stream, text)`` hook
    """

    def __init__(self, write: Callable[[str, str], object]) -> None:
        self._write = write
        self._pending: list[tuple[Stream, list[str]]] = []
        self._size = 0
        self._since = 0.0
        self._flushed = 0.0

    def add(self, stream: Stream, text: str) -> None:
        if not text:
            return
        if self._pending and self._pending[-1][0] == stream:
            self._pending[-1][1].append(text)
        else:
            if not self._pending:
                self._since = time.monotonic()
            self._pending.append((stream, [text]))
        self._size += len(text)
        now = time.monotonic()
        if (
            self._size >= FLUSH_BYTES
            or now - self._since >= FLUSH_SECONDS
            or (text.endswith("\n") and now - self._flushed >= FLUSH_SECONDS)
        ):
            self.flush()

    def flush(self) -> None:
        """Sends everything waiting. A failing hook loses nothing that was sent before it."""
        self._flushed = time.monotonic()
        pending, self._pending, self._size = self._pending, [], 0
        for stream, parts in pending:
            self._write(stream, "".join(parts))


class HostStream(io.TextIOBase):
    """A text stream whose writes go to an :class:`OutputBuffer`."""

    def __init__(self, buffer: OutputBuffer, stream: Stream) -> None:
        super().__init__()
        self._buffer = buffer
        self._stream: Stream = stream

    @property
    def name(self) -> str:
        return f"<{self._stream}>"

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str, /) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._buffer.add(self._stream, text)
        return len(text)

    def flush(self) -> None:
        self._buffer.flush()
