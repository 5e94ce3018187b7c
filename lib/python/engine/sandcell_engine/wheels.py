"""Installing a pure-Python wheel from a cell: what ``await micropip.install(url)`` does here.

Pyodide's npm package ships no ``micropip`` (and sandcell has no package index), so the
engine offers a small stand-in (:mod:`.micropip`, importable as ``micropip`` unless a real
one was installed): it takes wheel URLs only, checks the session's policy first — under a
policy without the network it refuses before any request — and hands each URL to the
worker's ``installWheel(url)`` hook, which fetches it, checks it is a wheel and installs it
with Pyodide's ``loadPackage`` (which can resolve after a failed install, so the hook checks
the answer). A wheel that did not install is an ``OSError`` naming the URL; the namespace is
untouched either way.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

# name-version(-build)?-python-abi-platform.whl (PEP 427), as lib/host/python-packages.ts checks it.
_WHEEL_FILE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?-[^-/]+(?:-[^-/]+){3,4}\.whl$")

_install_hook: Callable[[str], Awaitable[Any]] | None = None
_network = False


def configure(install_hook: Callable[[str], Awaitable[Any]] | None, network: bool) -> None:
    """Called once by the engine with the worker's hook and whether the policy allows the network."""
    global _install_hook, _network
    _install_hook = install_hook
    _network = bool(network)


def wheel_url(entry: object) -> str:
    """``entry`` as an absolute wheel URL, or a ``ValueError`` that says what to pass instead."""
    if not isinstance(entry, str) or entry.strip() == "":
        raise ValueError(f"[sandcell] micropip.install() takes wheel URLs (strings), got {entry!r}")
    parts = urlsplit(entry)
    if parts.scheme not in ("http", "https"):
        if "/" not in entry and not entry.endswith(".whl"):
            raise ValueError(
                f"[sandcell] micropip.install({entry!r}): sandcell has no package index, so a package name "
                "cannot be installed from a cell — pass the URL of a pure-Python wheel "
                "(https://…/name-1.0-py3-none-any.whl), or list the package in python.packages "
                "(with python.lockFileURL for a self-hosted Pyodide distribution)"
            )
        raise ValueError(
            f"[sandcell] micropip.install({entry!r}): pass an absolute http(s) URL of a wheel "
            "(the worker has no page address to resolve a relative one against)"
        )
    file_name = unquote(parts.path.rsplit("/", 1)[-1])
    if parts.query or parts.fragment or not _WHEEL_FILE.match(file_name):
        raise ValueError(
            f"[sandcell] micropip.install({entry!r}): not the URL of a wheel — it must end in a wheel's "
            "file name (name-version-py3-none-any.whl), with no query or fragment"
        )
    return entry


async def install(requirements: str | Iterable[str]) -> None:
    """Installs wheels by URL, in order; raises on the first that does not install."""
    entries = [requirements] if isinstance(requirements, str) else list(requirements)
    urls = [wheel_url(entry) for entry in entries]
    if not _network or _install_hook is None:
        raise PermissionError(
            f"[sandcell] micropip.install({', '.join(urls)}): the session policy denies the network, so "
            "a cell cannot install packages — use policy 'standard' (or { network: true }), or list "
            "the wheel in python.packages, which the page installs before the first cell"
        )
    for url in urls:
        try:
            await _install_hook(url)
        except Exception as error:  # a JsException from the worker: its message says what went wrong
            raise OSError(_message(error)) from None
    importlib.invalidate_caches()


def _message(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    last = text[-1] if text else repr(error)
    return re.sub(r"^(?:[A-Za-z]*Error: )+", "", last)
