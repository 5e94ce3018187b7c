"""Execution modes of a cell, read from its syntax tree.

The mode names how a cell has to run and is reported in every result, so it
must agree with the JavaScript engine's vocabulary and precedence:
``syntax-error`` > ``top-level-await`` > ``blocking`` > ``expression`` >
``async-def`` > ``sync``. Only ``top-level-await`` changes the execution path
(the cell's code object is a coroutine); ``blocking`` tells the host that the
cell will wait synchronously (sleep, input), which it may want to know before
it starts one.

Top-level await is not guessed from the tree: the compiler decides it. A cell
compiled with ``PyCF_ALLOW_TOP_LEVEL_AWAIT`` gets ``CO_COROUTINE`` exactly when
it awaits outside any function, which covers ``await``, ``async for``,
``async with`` and async comprehensions at top level, and nothing inside
``def``/``lambda``/class bodies.
"""

from __future__ import annotations

import ast
from typing import Final, Literal

Mode = Literal["expression", "sync", "top-level-await", "async-def", "blocking", "syntax-error"]

# Calls that wait synchronously for the host or the clock. Keyed by the dotted
# name the call resolves to after the cell's own imports are applied.
BLOCKING_CALLS: Final[frozenset[str]] = frozenset(
    {
        "input",
        "builtins.input",
        "time.sleep",
        "getpass.getpass",
        "sys.stdin.read",
        "sys.stdin.readline",
        "sys.stdin.readlines",
    }
)


def classify(tree: ast.Module, top_level_await: bool) -> Mode:
    """The mode of a cell that parsed.

    :param tree: the cell's module tree (parsed with top-level await allowed)
    :param top_level_await: whether the compiler marked the cell's code as a coroutine
    """
    if top_level_await:
        return "top-level-await"
    if _calls_blocking(tree):
        return "blocking"
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        return "expression"
    if any(isinstance(node, ast.AsyncFunctionDef) for node in ast.walk(tree)):
        return "async-def"
    return "sync"


def _calls_blocking(tree: ast.Module) -> bool:
    aliases = _import_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name is None:
                continue
            head, _, rest = name.partition(".")
            resolved = aliases.get(head, head) + ("." + rest if rest else "")
            if resolved in BLOCKING_CALLS:
                return True
    return False


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted origin for the cell's imports (``from time import sleep as nap``)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
