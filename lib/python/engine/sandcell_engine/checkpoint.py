"""Incremental checkpoints: after a cell, re-encode only what it may have changed.

A killed worker (a native call that would not stop) comes back with the
variables of the last checkpoint, so one is taken after every completed cell
and must cost little when the namespace is large. "May have changed" is a
conservative superset:

- the names the cell mentions;
- every name whose binding is a different object than at the last checkpoint
  (catches ``globals()[...] =``, ``exec`` and functions that assign globals);
- when the cell may run user code (any call, attribute access, operator…),
  the names mentioned by every cell that defined a function or class, since
  running one of them may mutate what they mention.

A dirty name drags along the other names of its old group (they were saved
together because they share objects), and a new group that shares an object
with a kept group absorbs it. The host receives ``{full, removed, groups}``:
it drops every old group holding a name in ``removed`` or in a new group, then
adds the new groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import CodeType, FunctionType
from typing import Any

from .snapshot import Encoded, Group, encode

class Checkpointer:
    """Tracks what changed since the last checkpoint and encodes only that."""

    def __init__(self) -> None:
        self._groups: list[Group] = []
        self._identity: dict[str, int] = {}
        self._function_names: set[str] = set()
        self._dirty: set[str] = set()
        self._full = True

    def cell_ran(self, names: Iterable[str], defines_functions: bool, runs_code: bool) -> None:
        """Records what a cell (completed or not) may have touched."""
        names = set(names)
        self._dirty |= names
        if defines_functions:
            self._function_names |= names
        if runs_code:
            self._dirty |= self._function_names

    def invalidate(self, forget_functions: bool = False) -> None:
        """The namespace changed outside cells (a restore, ``clear``): the next checkpoint is full.

        :param forget_functions: every function is gone (``clear``): no later call can run one
        """
        self._full = True
        if forget_functions:
            self._function_names.clear()

    def restored_code(self, values: Iterable[Any]) -> None:
        """Functions and classes a restore brought back: the names their code uses count as mentioned."""
        todo = list(values)
        seen: set[int] = set()
        while todo:
            value = todo.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, CodeType):
                self._function_names.update(value.co_names)
                todo.extend(const for const in value.co_consts if isinstance(const, CodeType))
            elif isinstance(value, FunctionType):
                todo.append(value.__code__)
            elif isinstance(value, type) and value.__module__ == "__main__":
                todo.extend(vars(value).values())
            elif isinstance(value, (staticmethod, classmethod)):
                todo.append(value.__func__)

    def mark(self, names: Iterable[str]) -> None:
        """Names the host changed (``namespace.set``/``delete``)."""
        self._dirty |= set(names)

    def checkpoint(self, current: Mapping[str, Any], names: Iterable[str] | None = None) -> tuple[bool, list[str], Encoded]:
        """Encodes what may have changed.

        :param current: the user variables now
        :param names: encode these instead of what the tracker found (they must exist)
        :returns: ``(full, removed, encoded)``
        """
        full = self._full
        if full:
            dirty = set(current)
        elif names is not None:
            dirty = set(names) & current.keys()
        else:
            dirty = {name for name in current if self._identity.get(name) != id(current[name])}
            dirty |= self._dirty & current.keys()
        previously = {name for group in self._groups for name in group.names}
        removed = sorted(previously - current.keys())
        kept = [group for group in self._groups if not full and not (set(group.names) & (dirty | set(removed)))]
        for group in self._groups:
            if group not in kept:
                dirty |= set(group.names) & current.keys()
        while True:
            encoded = encode((name, current[name]) for name in sorted(dirty))
            objects = set().union(*(group.objects for group in encoded.groups)) if encoded.groups else set()
            absorbed = [group for group in kept if group.objects & objects]
            if not absorbed:
                break
            for group in absorbed:
                kept.remove(group)
                dirty |= set(group.names)
        skipped_names = {entry["name"] for entry in encoded.skipped}
        removed = sorted(set(removed) | (skipped_names & previously))
        # Only names and object ids are kept here; the data belongs to the host.
        kept.extend(Group(group.names, b"", group.objects) for group in encoded.groups)
        self._groups = kept
        self._identity = {name: id(value) for name, value in current.items()}
        self._dirty.clear()
        self._full = False
        return full, removed, encoded
