"""Functions that rebuild saved objects; snapshots name them, so their names are part of the format.

Every callable here is referenced by module and name from snapshot data
(``sandcell_engine.reconstruct.make_function``…). Renaming one, or changing
its arguments, breaks every snapshot already saved: add new functions and
raise :data:`FORMAT_VERSION` instead.

Code carried by a snapshot is shown to the active :class:`RestoreGuard` before
it becomes a function, and every global a snapshot names (module + attribute)
before it is imported, so the policy that applies to cells applies to what a
restore brings back.
"""

from __future__ import annotations

import abc
import contextvars
import importlib
import marshal
import sys
import typing
from types import CellType, CodeType, FunctionType, ModuleType
from typing import Any, Final, Protocol

FORMAT_VERSION: Final = 1


class RestoreRefused(Exception):
    """The restore guard refused something a snapshot carries."""


class RestoreGuard(Protocol):
    """What a policy checks before a snapshot's contents come back to life."""

    def check_global(self, module: str, name: str) -> None:
        """Raise :class:`RestoreRefused` to refuse loading ``module.name`` (a class, function, module…)."""

    def check_code(self, code: CodeType, qualname: str) -> None:
        """Raise :class:`RestoreRefused` to refuse a function's code (it has not run; nested code is in ``co_consts``)."""


class AllowAll:
    """The guard when the session has no policy for restored code: the engine's own internals only are refused."""

    def check_global(self, module: str, name: str) -> None:
        if module.startswith("sandcell_engine") and module != __name__:
            raise RestoreRefused(f"snapshots may not load the engine's internal {module}.{name}")

    def check_code(self, code: CodeType, qualname: str) -> None:
        return None


ACTIVE_GUARD: contextvars.ContextVar[RestoreGuard] = contextvars.ContextVar("sandcell_restore_guard", default=AllowAll())
RESTORED_PREFIX: Final = "<saved "


def main_globals() -> dict[str, Any]:
    return sys.modules["__main__"].__dict__


def module_globals(name: str) -> dict[str, Any]:
    """The globals of an importable module (a function defined there but saved by value, like a lambda)."""
    return import_module(name).__dict__


def import_module(name: str) -> ModuleType:
    if name == "__main__":
        return sys.modules["__main__"]
    ACTIVE_GUARD.get().check_global(name, "*")
    return importlib.import_module(name)


def module_attribute(module: str, qualname: str) -> Any:
    """An object saved by reference: a module-level singleton such as ``dataclasses.MISSING``."""
    ACTIVE_GUARD.get().check_global(module, qualname)
    value: Any = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value


def load_code(data: bytes, qualname: str) -> CodeType:
    code = marshal.loads(data)
    if not isinstance(code, CodeType):
        raise RestoreRefused(f"the code of {qualname} is not a code object")
    ACTIVE_GUARD.get().check_code(code, qualname)
    return _rename_cells(code)


def make_function(code: bytes, globals_: dict[str, Any], name: str, qualname: str, closure: tuple[CellType, ...] | None) -> FunctionType:
    """A function saved by value; its defaults, attributes and annotations follow as state (they may refer back to it)."""
    return FunctionType(load_code(code, qualname), globals_, name, None, closure)


def fill_function(function: FunctionType, state: dict[str, Any]) -> None:
    for attribute, value in state.items():
        if attribute == "__dict__":
            function.__dict__.update(value)
        else:
            setattr(function, attribute, value)


def new_cell() -> CellType:
    return CellType()


def fill_cell(cell: CellType, state: tuple[Any]) -> None:
    cell.cell_contents = state[0]


def make_class(metaclass: type, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
    """A class saved by value, created with only what must exist at creation (``__slots__``, ``__module__``…).

    Its methods and attributes come afterwards as state, because they may refer to
    the class itself (``super()``, dataclass methods): the class has to exist first.
    """
    return metaclass(name, bases, namespace)


def make_type_var(
    name: str, bound: Any, constraints: tuple[Any, ...], covariant: bool, contravariant: bool, infer_variance: bool
) -> typing.TypeVar:
    return typing.TypeVar(
        name, *constraints, bound=bound, covariant=covariant, contravariant=contravariant, infer_variance=infer_variance
    )


def fill_class(cls: type, state: dict[str, Any]) -> None:
    for attribute, value in state.items():
        type.__setattr__(cls, attribute, value)
    if isinstance(cls, abc.ABCMeta):
        abc.update_abstractmethods(cls)


def _rename_cells(code: CodeType) -> CodeType:
    """Code from a cell of another session gets a filename no cell of this one can have."""
    if not code.co_filename.startswith("<cell-"):
        return code
    consts = tuple(_rename_cells(const) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=f"{RESTORED_PREFIX}{code.co_filename[1:]}", co_consts=consts)
