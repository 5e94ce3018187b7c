"""Compiling cells, once per distinct text.

A cell is parsed once (``ast.parse`` with ``PyCF_ALLOW_TOP_LEVEL_AWAIT``) and the
tree compiled into two code objects: the statements before a trailing
expression, and that expression in ``eval`` mode, so its value comes back
without a hidden variable in the user's namespace. Both keep the cell's own
line and column numbers because they come from the same tree.

Compiled cells are kept in a least-recently-used cache keyed by the text: a
notebook re-runs the same cells, and an agent retries the same snippet.
"""

from __future__ import annotations

import ast
import inspect
import linecache
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from types import CodeType
from typing import Final

from .modes import Mode, classify

# Not exported by `ast` under this name; the value is fixed by CPython.
PyCF_ALLOW_TOP_LEVEL_AWAIT: Final = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
COMPILE_FLAGS: Final = PyCF_ALLOW_TOP_LEVEL_AWAIT


@dataclass(frozen=True, slots=True)
class CompiledCell:
    """A cell ready to run.

    ``body`` runs the statements (``None`` for a cell that is one expression);
    ``expression`` evaluates the trailing expression, if any. Either may be a
    coroutine code object when it awaits at top level.
    """

    filename: str
    mode: Mode
    body: CodeType | None
    expression: CodeType | None
    names: frozenset[str]
    """Every name the cell mentions at any depth (a hint for incremental checkpoints)."""
    binds: frozenset[str]
    """Names the cell binds at top level."""
    defines_functions: bool
    runs_code: bool
    """Whether running it may call code defined earlier (conservatively: anything but plain assignments)."""


@dataclass(frozen=True, slots=True)
class CellSyntaxError:
    """A cell that does not compile: nothing of it runs."""

    filename: str
    error: SyntaxError
    mode: Mode = "syntax-error"


def is_coroutine_code(code: CodeType | None) -> bool:
    return code is not None and bool(code.co_flags & inspect.CO_COROUTINE)


def compile_cell(source: str, filename: str) -> CompiledCell | CellSyntaxError:
    """Parses and compiles one cell; its text is registered for tracebacks under ``filename``.

    :param source: the cell's text
    :param filename: the name tracebacks show (``<cell-N>``)
    """
    register_source(filename, source)
    try:
        tree = compile(source, filename, "exec", flags=COMPILE_FLAGS | ast.PyCF_ONLY_AST, dont_inherit=True)
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr):
            statements = ast.Module(body=tree.body[:-1], type_ignores=[])
            body = compile(statements, filename, "exec", flags=COMPILE_FLAGS, dont_inherit=True) if statements.body else None
            expression = compile(ast.Expression(last.value), filename, "eval", flags=COMPILE_FLAGS, dont_inherit=True)
        else:
            body = compile(tree, filename, "exec", flags=COMPILE_FLAGS, dont_inherit=True)
            expression = None
    except SyntaxError as error:  # also IndentationError, TabError
        return CellSyntaxError(filename, error)
    except (ValueError, OverflowError, RecursionError, MemoryError) as error:
        # The compiler's other refusals (null bytes, too deeply nested) are syntax errors to the user.
        return CellSyntaxError(filename, _as_syntax_error(error, filename))
    top_level_await = is_coroutine_code(body) or is_coroutine_code(expression)
    binds = frozenset(top_level_bindings(tree))
    names = binds | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    defines_functions = any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) for node in ast.walk(tree)
    )
    return CompiledCell(
        filename,
        classify(tree, top_level_await),
        body,
        expression,
        names,
        binds,
        defines_functions,
        may_run_user_code(tree),
    )


def register_source(filename: str, source: str) -> None:
    """Lets ``traceback`` and ``inspect.getsource`` show lines of a cell that has no file."""
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (len(source), None, lines, filename)


def _as_syntax_error(error: BaseException, filename: str) -> SyntaxError:
    result = SyntaxError(str(error) or type(error).__name__)
    result.filename, result.lineno, result.offset = filename, 1, 1
    return result


# Nodes that cannot run user code by themselves: anything else may (calls, attributes, operators, iteration…).
INERT_NODES: Final = (
    ast.Module, ast.Expr, ast.Assign, ast.AnnAssign, ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Import, ast.ImportFrom, ast.alias, ast.Pass, ast.Global,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.arguments, ast.arg, ast.Lambda, ast.Return, ast.ClassDef,
)


def may_run_user_code(tree: ast.Module) -> bool:
    """Whether running the cell may call a function defined earlier (conservatively)."""
    return not all(isinstance(node, INERT_NODES) for node in ast.walk(tree))


def top_level_bindings(tree: ast.Module) -> Iterator[str]:
    """Names a module binds in its own scope (not inside functions or classes)."""
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
            continue  # their bodies are other scopes (decorators and defaults cannot bind names but by :=)
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.comprehension):
            todo.extend([node.iter, *node.ifs])  # its target is the comprehension's own variable
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node.id
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                yield (alias.asname or alias.name).split(".")[0]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            yield from node.names
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield node.name
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest
        todo.extend(ast.iter_child_nodes(node))



class CellCache:
    """Least-recently-used compiled cells, keyed by the cell's text.

    Syntax errors are cached too: re-running a broken cell should not parse it again.
    The filename of a cached cell is the one it first compiled under, so a
    traceback of a re-run cell still shows its lines.
    """

    def __init__(self, capacity: int = 100) -> None:
        if capacity < 0:
            raise ValueError(f"[sandcell] cacheSize must be 0 or more, got {capacity}")
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, CompiledCell | CellSyntaxError] = OrderedDict()

    def get(self, source: str, filename: str) -> CompiledCell | CellSyntaxError:
        """The compiled cell for ``source``, compiling it under ``filename`` on a miss."""
        entry = self._entries.get(source)
        if entry is not None:
            self.hits += 1
            self._entries.move_to_end(source)
            return entry
        self.misses += 1
        entry = compile_cell(source, filename)
        if self.capacity > 0:
            self._entries[source] = entry
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return entry

    def __len__(self) -> int:
        return len(self._entries)


def detect_mode(source: str) -> Mode:
    """The mode a cell would run in, without running it or caching it."""
    compiled = compile_cell(source, "<mode>")
    return compiled.mode
