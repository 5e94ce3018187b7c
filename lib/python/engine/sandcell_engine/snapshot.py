"""Saving variables as data, and bringing them back: snapshots and checkpoints.

The serializer is our own reducer on top of :mod:`pickle` (protocol 5, the C
pickler), with code objects carried by :mod:`marshal`:

- functions defined in cells (lambdas, closures with their cells, recursive
  inner functions) are saved by value: code, defaults, attributes, closure.
  Their globals are ``__main__``'s dict of the session that restores them, so
  they see that session's variables, as they saw the old one's;
- classes defined in cells are saved by value too (dataclasses, namedtuples,
  ABCs, slots), created first and filled afterwards, since their methods refer
  back to them; their instances pickle as usual;
- modules are saved by name and re-imported; module-level objects of
  importable modules (``dataclasses.MISSING``, a logger) by reference, so
  identity checks against them still hold;
- everything else goes through pickle's own rules.

Variables are encoded in *groups*: variables that share an object (one list in
two names, instances of one class defined in a cell) are pickled together so
the sharing survives; the others each alone. A group that fails to load loses
its own names only. A value that cannot be saved (a generator, an open file, a
JavaScript object, a lock) is reported in ``skipped`` with the reason and the
path pickle gives, and the others are saved.

Checkpoints are the same groups, re-encoded only for the variables a cell may
have changed (see :class:`ChangeTracker`); the host replaces the groups that
hold those names.
"""

from __future__ import annotations

import enum
import io
import marshal
import pickle
import sys
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import CellType, CodeType, FunctionType, MethodType, ModuleType
from typing import Any, Final

from pyodide.ffi import JsProxy

from . import reconstruct
from .reconstruct import ACTIVE_GUARD, FORMAT_VERSION, RestoreGuard

PROTOCOL: Final = 5
FORMAT: Final = "sandcell-python"
# Objects whose identity is not observable enough to merge groups over (sharing them changes nothing).
VALUE_TYPES: Final = frozenset(
    {str, bytes, int, float, complex, bool, type(None), tuple, frozenset, range, slice, type(Ellipsis)}
)


class Unsaveable(TypeError):
    """A value this serializer refuses, with the reason users see."""


@dataclass(slots=True)
class Group:
    names: list[str]
    data: bytes
    objects: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Encoded:
    groups: list[Group]
    saved: list[str]
    skipped: list[dict[str, str]]


class _MainGlobals:
    """Stands for a function's globals when they are a module's dict: restored as that module's dict."""

    __slots__ = ("module",)

    def __init__(self, module: str) -> None:
        self.module = module

    def __reduce__(self) -> Any:
        if self.module == "__main__":
            return (reconstruct.main_globals, ())
        return (reconstruct.module_globals, (self.module,))


class SnapshotPickler(pickle.Pickler):
    """``pickle.Pickler`` that saves what cells define by value."""

    def __init__(self, file: io.BytesIO, module_index: dict[str, dict[int, str]]) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self._module_index = module_index

    def reducer_override(self, obj: Any) -> Any:  # noqa: C901 — one dispatch, kept flat on purpose
        kind = type(obj)
        if kind is FunctionType:
            return self._function(obj) if _needs_value(obj) else NotImplemented
        if kind is CellType:
            try:
                contents = obj.cell_contents
            except ValueError:  # an empty cell (a variable assigned later, or deleted)
                return (reconstruct.new_cell, ())
            return (reconstruct.new_cell, (), (contents,), None, None, reconstruct.fill_cell)
        if kind is ModuleType:
            return self._module(obj)
        if isinstance(obj, type):
            if not _needs_value(obj):
                return NotImplemented
            if not obj.__flags__ & HEAP_TYPE:
                return _builtin_type(obj)
            return self._class(obj)
        if isinstance(obj, JsProxy):
            raise Unsaveable("a JavaScript object (JsProxy) belongs to its worker and cannot be saved")
        if kind is CodeType:
            return (reconstruct.load_code, (marshal.dumps(obj), obj.co_qualname))
        if kind in DESCRIPTOR_TYPES:
            # Slots, `__dict__`, methods of built-in types: found again on the class that owns them.
            return (getattr, (obj.__objclass__, obj.__name__))
        if kind is types.MappingProxyType:
            return (types.MappingProxyType, (dict(obj),))
        if kind is property:
            return (property, (obj.fget, obj.fset, obj.fdel, obj.__doc__))
        if kind is staticmethod or kind is classmethod:
            return (kind, (obj.__func__,))
        if kind in TYPE_PARAMETER_TYPES and self._module_level(obj) is None:
            return self._type_parameter(obj)
        if kind in VALUE_TYPES or kind is dict or kind is list or kind is set:
            return NotImplemented
        reference = self._module_level(obj)
        if reference is not None:
            return (reconstruct.module_attribute, reference)
        return NotImplemented

    def _function(self, function: FunctionType) -> Any:
        globals_ = function.__globals__
        module_name = _module_owning(globals_)
        globals_ref: Any = _MainGlobals(module_name) if module_name is not None else globals_
        state: dict[str, Any] = {}
        for attribute in ("__defaults__", "__kwdefaults__", "__doc__", "__module__", "__type_params__"):
            value = getattr(function, attribute, None)
            if value:
                state[attribute] = value
        annotate = getattr(function, "__annotate__", None)
        if annotate is not None:
            state["__annotate__"] = annotate
        elif function.__annotations__:
            state["__annotations__"] = function.__annotations__
        if function.__dict__:
            state["__dict__"] = function.__dict__
        args = (marshal.dumps(function.__code__), globals_ref, function.__name__, function.__qualname__, function.__closure__)
        return (reconstruct.make_function, args, state or None, None, None, reconstruct.fill_function)

    def _class(self, cls: type) -> Any:
        if isinstance(cls, enum.EnumType):
            raise Unsaveable(f"the Enum class {cls.__qualname__} is defined in a cell; Enum classes can only be saved from importable modules")
        slots = cls.__dict__.get("__slots__")
        slot_names = {slots} if isinstance(slots, str) else set(slots or ())
        creation: dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
        }
        if "__doc__" in cls.__dict__:
            creation["__doc__"] = cls.__dict__["__doc__"]
        if slots is not None:
            creation["__slots__"] = slots
        for name in ("__orig_bases__", "__type_params__"):
            # Generic classes check these while they are created (`class Box[T]`, `class Box(Generic[T])`).
            if name in cls.__dict__:
                creation[name] = cls.__dict__[name]
        state = {
            name: value
            for name, value in cls.__dict__.items()
            if name not in creation
            and name not in slot_names
            and name not in CLASS_ATTRIBUTES_MADE_AT_CREATION
        }
        args = (type(cls), cls.__name__, cls.__bases__, creation)
        return (reconstruct.make_class, args, state, None, None, reconstruct.fill_class)

    def _type_parameter(self, parameter: Any) -> Any:
        """A ``TypeVar``/``ParamSpec``/``TypeVarTuple`` of a generic class or function defined in a cell."""
        if isinstance(parameter, typing.TypeVar):
            try:
                bound, constraints = parameter.__bound__, parameter.__constraints__
            except Exception:  # a bound that names something undefined: kept unbounded
                bound, constraints = None, ()
            variance = (parameter.__covariant__, parameter.__contravariant__, parameter.__infer_variance__)
            return (reconstruct.make_type_var, (parameter.__name__, bound, constraints, *variance))
        return (type(parameter), (parameter.__name__,))

    def _module(self, module: ModuleType) -> Any:
        name = module.__name__
        if name == "__main__":
            return (reconstruct.import_module, ("__main__",))
        if sys.modules.get(name) is not module:
            raise Unsaveable(f"the module {name!r} was created at run time and cannot be imported again")
        return (reconstruct.import_module, (name,))

    def _module_level(self, obj: Any) -> tuple[str, str] | None:
        module_name = getattr(type(obj), "__module__", None)
        if not isinstance(module_name, str) or module_name in ("__main__", "builtins"):
            return None
        module = sys.modules.get(module_name)
        if module is None:
            return None
        index = self._module_index.get(module_name)
        if index is None:
            index = {id(value): name for name, value in list(vars(module).items()) if type(value) not in VALUE_TYPES}
            self._module_index[module_name] = index
        name = index.get(id(obj))
        if name is not None and getattr(module, name, None) is obj:
            return (module_name, name)
        return None


DESCRIPTOR_TYPES: Final = frozenset(
    {
        types.GetSetDescriptorType,
        types.MemberDescriptorType,
        types.WrapperDescriptorType,
        types.MethodDescriptorType,
        types.ClassMethodDescriptorType,
    }
)
TYPE_PARAMETER_TYPES: Final = frozenset({typing.TypeVar, typing.ParamSpec, typing.TypeVarTuple})

# Created by type() itself from the class statement; setting them afterwards fails or duplicates.
CLASS_ATTRIBUTES_MADE_AT_CREATION: Final = frozenset({"__dict__", "__weakref__", "_abc_impl", "__abstractmethods__"})


HEAP_TYPE: Final = 1 << 9  # Py_TPFLAGS_HEAPTYPE: made by a class statement or type(), not static C
BUILTIN_TYPES_BY_NAME: Final = {
    value: name for name, value in vars(types).items() if isinstance(value, type) and not value.__flags__ & HEAP_TYPE
}


def _builtin_type(cls: type) -> Any:
    """A C type that ``builtins`` does not name (``mappingproxy``, ``NoneType``…): found again in :mod:`types`."""
    name = BUILTIN_TYPES_BY_NAME.get(cls)
    if name is None:
        raise Unsaveable(f"the built-in type {cls.__qualname__} cannot be found again by name")
    return (getattr, (types, name))


def _needs_value(obj: FunctionType | type) -> bool:
    """Whether pickle's by-name lookup would not find ``obj`` again in a new session."""
    module_name = getattr(obj, "__module__", None)
    if not isinstance(module_name, str) or module_name == "__main__":
        return True
    module = sys.modules.get(module_name)
    if module is None:
        return True
    value: Any = module
    for part in obj.__qualname__.split("."):
        value = getattr(value, part, None)
        if value is None:
            return True
    return value is not obj


def _module_owning(globals_: dict[str, Any]) -> str | None:
    name = globals_.get("__name__")
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is not None and module.__dict__ is globals_:
        return name
    return None


def _dump(values: Mapping[str, Any], module_index: dict[str, dict[int, str]]) -> tuple[bytes, set[int]]:
    """Pickles variables; also returns the ids of the objects in them whose identity matters.

    The pickler's memo lists every object it saved, including temporaries that reducers
    made (a ``__reduce__``'s state dict, a copy for a ``Counter``). Those die with the
    memo and their ids are reused by the next dump, which would tie unrelated variables
    together; so only objects that something besides the memo still holds are kept. With
    the pickler's own memo cleared, that is a reference count above this loop's three
    (the copy's tuple, the loop variable, getrefcount's argument).
    """
    buffer = io.BytesIO()
    pickler = SnapshotPickler(buffer, module_index)
    pickler.dump(dict(values))
    memo = pickler.memo.copy()
    pickler.clear_memo()
    shared = {key for key, (_index, obj) in memo.items() if sys.getrefcount(obj) > 3 and _has_identity(obj)}
    return buffer.getvalue(), shared


def _has_identity(obj: Any) -> bool:
    """Whether two variables holding ``obj`` must be restored holding one object."""
    if type(obj) in VALUE_TYPES:
        return False
    if isinstance(obj, (type, FunctionType)):
        return _needs_value(obj)  # saved by value: a restore makes one object per group
    return not isinstance(obj, (ModuleType, MethodType))


def skip_reason(error: BaseException) -> str:
    """What users read for a variable that was not saved: the error and where in the value it was."""
    message = str(error) or type(error).__name__
    if isinstance(error, RecursionError):
        message = "it is nested too deeply to save"
    notes = [note for note in getattr(error, "__notes__", ()) if isinstance(note, str) and note.startswith("when serializing")]
    if notes:
        message += " (" + ", ".join(note.removeprefix("when serializing ") for note in notes) + ")"
    return message


def encode(values: Iterable[tuple[str, Any]]) -> Encoded:
    """Encodes variables into groups that share no object; what cannot be saved is skipped with its reason."""
    module_index: dict[str, dict[int, str]] = {}
    alone: dict[str, Group] = {}
    skipped: list[dict[str, str]] = []
    items = dict(values)
    for name, value in items.items():
        try:
            data, objects = _dump({name: value}, module_index)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # pickle raises anything a __reduce__ raises
            skipped.append({"name": name, "reason": skip_reason(error)})
            continue
        alone[name] = Group([name], data, objects)
    groups: list[Group] = []
    for component in _components(list(alone.values())):
        if len(component) == 1:
            groups.append(component[0])
            continue
        names = [name for group in component for name in group.names]
        try:
            data, objects = _dump({name: items[name] for name in names}, module_index)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:
            skipped.extend({"name": name, "reason": skip_reason(error)} for name in names)
            continue
        groups.append(Group(names, data, objects))
    saved = [name for group in groups for name in group.names]
    return Encoded(groups, saved, skipped)


def _components(groups: list[Group]) -> Iterator[list[Group]]:
    """Groups joined whenever they share an object (union-find over object ids)."""
    parent = list(range(len(groups)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    owner: dict[int, int] = {}
    for index, group in enumerate(groups):
        for key in group.objects:
            other = owner.setdefault(key, index)
            if other != index:
                parent[find(index)] = find(other)
    members: dict[int, list[Group]] = {}
    for index, group in enumerate(groups):
        members.setdefault(find(index), []).append(group)
    yield from members.values()


class SnapshotUnpickler(pickle.Unpickler):
    """Shows every global a snapshot names to the restore guard before loading it."""

    def find_class(self, module: str, name: str) -> Any:
        if module != reconstruct.__name__ and (module, name) not in SAFE_GLOBALS:
            ACTIVE_GUARD.get().check_global(module, name)
        return super().find_class(module, name)


# What pickle itself references to rebuild ordinary objects.
SAFE_GLOBALS: Final = frozenset(
    {("copyreg", "__newobj__"), ("copyreg", "__newobj_ex__"), ("copyreg", "_reconstructor"), ("builtins", "object")}
)


def decode_group(data: bytes, guard: RestoreGuard | None = None) -> dict[str, Any]:
    """The variables of one group. Raises whatever stopped them from loading."""
    token = ACTIVE_GUARD.set(guard) if guard is not None else None
    try:
        values = SnapshotUnpickler(io.BytesIO(data)).load()
    finally:
        if token is not None:
            ACTIVE_GUARD.reset(token)
    if not isinstance(values, dict) or not all(isinstance(name, str) for name in values):
        raise ValueError("the group does not hold variables")
    return values


def header() -> dict[str, Any]:
    """What every payload carries, so a foreign or future record is refused with a clear message."""
    return {"format": FORMAT, "version": FORMAT_VERSION, "python": _python_version()}


def check_header(payload: Mapping[str, Any]) -> None:
    """:raises ValueError: naming what does not match."""
    if payload.get("format") != FORMAT:
        raise ValueError(f"[sandcell] not a Python snapshot (format {payload.get('format')!r}); it was saved by another engine")
    if payload.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"[sandcell] this Python snapshot has format version {payload.get('version')!r}; this sandcell reads version {FORMAT_VERSION}"
        )
    if payload.get("python") != _python_version():
        raise ValueError(
            f"[sandcell] this snapshot was saved by Python {payload.get('python')}, this session runs {_python_version()}: "
            "saved code does not carry across Python versions"
        )


def _python_version() -> str:
    return "%d.%d" % sys.version_info[:2]

