"""The user's variables: ``__main__``'s dict, with the engine's names protected.

Cells run with ``__main__.__dict__`` as their globals, so functions defined in
one cell see variables of later ones, ``import __main__`` works and ``pickle``
finds classes by module. The engine's own names in that dict (``display``,
``host``, ``__builtins__``, ``__name__``, …) are internals: ``list()`` hides
them, ``clear()`` keeps them, ``set``/``delete`` refuse them, a cell that
assigns one at top level is refused before it runs, and anything that replaced
one anyway (``globals()['display'] = 1``) is put back after the cell.

Merge strategies for ``set`` follow the JavaScript engine: ``overwrite``
replaces; ``preserve`` writes only absent names; ``smart`` keeps the current
value when the incoming one is None (null/undefined on the host), merges two
plain dicts one level deep (incoming keys win, into a new dict), and
otherwise replaces.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from .cells import CompiledCell

MergeStrategy = Literal["overwrite", "preserve", "smart"]
STRATEGIES: Final = ("overwrite", "preserve", "smart")

LAST_VALUE: Final = "_"
REPR_LIMIT_LIST: Final = 1000
REPR_LIMIT: Final = 100_000

# The module attributes a fresh __main__ has; the engine re-creates any a cell removes.
MODULE_DUNDERS: Final = frozenset(
    {"__name__", "__doc__", "__package__", "__loader__", "__spec__", "__builtins__", "__annotations__", "__file__", "__cached__"}
)


def assert_strategy(strategy: object) -> MergeStrategy:
    if strategy not in STRATEGIES:
        raise TypeError(
            f"[sandcell] strategy must be 'overwrite', 'preserve' or 'smart', got {strategy!r} — pass one of those or leave it out for 'overwrite'"
        )
    return strategy  # type: ignore[return-value]


def merge_value(present: bool, current: Any, incoming: Any, strategy: MergeStrategy) -> tuple[bool, Any]:
    """Decides one name: ``(write, value)``."""
    if strategy == "overwrite" or not present:
        return True, incoming
    if strategy == "preserve":
        return False, None
    if incoming is None:
        return False, None
    if type(current) is dict and type(incoming) is dict:
        return True, {**current, **incoming}
    return True, incoming


class Namespace:
    """The variables of ``__main__``, as the host and the engine see them.

    :param internals: name → value the engine defines for cells (``display``, ``host``)
    """

    def __init__(self, internals: Mapping[str, Any]) -> None:
        self.globals: dict[str, Any] = sys.modules["__main__"].__dict__
        self._internals = dict(internals)
        self._dunders = {name: self.globals[name] for name in MODULE_DUNDERS if name in self.globals}
        self._dunders["__builtins__"] = builtins
        self.repair()

    @property
    def internal_names(self) -> frozenset[str]:
        return frozenset(self._internals)

    def is_user_name(self, name: str) -> bool:
        return name != LAST_VALUE and name not in self._internals and not (name.startswith("__") and name.endswith("__"))

    def repair(self) -> list[str]:
        """Puts back every engine name a cell replaced or removed. Returns the names put back."""
        repaired = []
        for name, value in (*self._dunders.items(), *self._internals.items()):
            if self.globals.get(name, _MISSING) is not value:
                self.globals[name] = value
                repaired.append(name)
        return repaired

    def refused_assignments_of(self, cell: CompiledCell) -> list[str]:
        """Engine names a cell would bind at top level (``display = …``, ``def host``, ``import x as display``)."""
        return sorted(cell.binds & self._internals.keys())

    def names(self) -> list[str]:
        return [name for name in self.globals if self.is_user_name(name)]

    def list(self) -> list[dict[str, str]]:
        """``[{name, type, repr}]`` of user variables, in definition order."""
        return [
            {"name": name, "type": type_name(value), "repr": safe_repr(value, REPR_LIMIT_LIST)}
            for name, value in list(self.globals.items())
            if self.is_user_name(name)
        ]

    def get(self, name: str) -> Any:
        self._check_name(name)
        if not self.is_user_name(name) and name != LAST_VALUE:
            raise KeyError(f"[sandcell] '{name}' is an engine internal, not a user variable")
        if name not in self.globals:
            raise KeyError(f"[sandcell] no variable named '{name}' in the session; namespace.list() shows what there is")
        return self.globals[name]

    def set(self, values: Mapping[str, Any], strategy: MergeStrategy = "overwrite") -> list[str]:
        """Writes variables by ``strategy``; all names are checked before any is written. Returns the names written."""
        assert_strategy(strategy)
        for name in values:
            self._check_name(name)
            if not self.is_user_name(name) and name != LAST_VALUE:
                raise TypeError(f"[sandcell] cannot set '{name}': it is an engine internal")
        written = []
        for name, incoming in values.items():
            present = name in self.globals
            write, value = merge_value(present, self.globals.get(name), incoming, strategy)
            if write:
                self.globals[name] = value
                written.append(name)
        return written

    def delete(self, name: str) -> bool:
        self._check_name(name)
        if not self.is_user_name(name) and name != LAST_VALUE:
            raise TypeError(f"[sandcell] cannot delete '{name}': it is an engine internal")
        return self.globals.pop(name, _MISSING) is not _MISSING

    def clear(self) -> None:
        """Removes every user variable and ``_``; engine names stay."""
        for name in [name for name in self.globals if self.is_user_name(name) or name == LAST_VALUE]:
            del self.globals[name]
        self.repair()

    def record_result(self, value: Any) -> None:
        """``_`` holds the last expression value that was not None."""
        if value is not None:
            self.globals[LAST_VALUE] = value

    @staticmethod
    def _check_name(name: object) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"[sandcell] variable names must be Python identifiers, got {name!r}")


_MISSING: Final = object()


def type_name(value: object) -> str:
    """A short type name for the variable inspector (``int``, ``dict``, ``function``, ``Point``, ``module``)."""
    kind = type(value)
    if isinstance(value, type):
        return "class"
    return kind.__name__


def safe_repr(value: object, limit: int = REPR_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception as error:  # a hostile __repr__ must not break the inspector or lose a result
        text = f"<{type(value).__qualname__} object (repr() raised {type(error).__name__})>"
    if not isinstance(text, str):
        text = f"<{type(value).__qualname__} object (repr() returned a {type(text).__name__})>"
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"
