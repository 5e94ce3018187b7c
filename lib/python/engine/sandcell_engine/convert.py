"""Python values ↔ structured-cloneable JavaScript values.

To JavaScript (results, ``namespace.get``, display JSON, host-call arguments):

=====================================  ==========================================
Python                                 JavaScript
=====================================  ==========================================
None                                   null
bool, float, str                       boolean, number, string
int                                    number, or bigint beyond ±(2^53 − 1)
dict with only str keys                plain object
dict with other keys                   Map
list, tuple (namedtuple too)           Array
set, frozenset                         Set
bytes, bytearray, ``array('B')``       Uint8Array
memoryview, array.array                the typed array of its item format
datetime (naive = UTC), date           Date
=====================================  ==========================================

Shared references and cycles are kept. Anything else (class instances,
functions, modules, …) has no clone: :class:`NotCloneable` is raised and the
caller decides (a result then carries its ``repr`` only).

To Python (``namespace.set``, host-call results, input): the reverse, with
``null``/``undefined`` → None, bigint → int, plain object and Map → dict (Array
keys become tuples), Set → set, Uint8Array/ArrayBuffer → bytes, other typed
arrays → memoryview of their format, Date → aware UTC datetime. No ``JsProxy``
and no ``jsnull`` ever reaches user variables: a JavaScript value with no
Python form (a function, a class instance, a DOM node) raises
:class:`NotConvertible`.

The bulk of each conversion is Pyodide's own ``to_js``/``to_py`` (written in C
and JavaScript); this module supplies the rules where the defaults differ from
the table (None → undefined, dict → Map, Date → JsProxy, typed array → a
memoryview over JavaScript memory).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Final

from pyodide.code import run_js
from pyodide.ffi import ConversionError, JsBigInt, JsException, JsNull, JsProxy, to_js

UTC: Final = dt.timezone.utc
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=UTC)


class NotCloneable(TypeError):
    """A Python value with no structured-clone form."""


class NotConvertible(TypeError):
    """A JavaScript value with no Python form."""


# Small JavaScript functions (compiled on first use by js_helper). `finish_clone` walks a converted
# value in JavaScript, where that is cheap: `to_js` leaves two
# things the contract wants otherwise: None as undefined (null is what JSON and the JavaScript engine
# give), and 2^53 - 1 itself as bigint (Pyodide's bound; the contract keeps every safe integer a number).
# The walk fixes them in place, keeping shared references and cycles.
JS_HELPERS: Final[dict[str, str]] = {
    "finish_clone": """(root) => {
      const seen = new Set();
      const fix = (value) => {
        if (value === undefined) return null;
        if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
        if (value === null || typeof value !== 'object' || seen.has(value)) return value;
        seen.add(value);
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) value[i] = fix(value[i]);
        } else if (value instanceof Map) {
          const entries = [...value];
          value.clear();
          for (const [key, item] of entries) value.set(fix(key), fix(item));
        } else if (value instanceof Set) {
          const items = [...value];
          value.clear();
          for (const item of items) value.add(fix(item));
        } else {
          const proto = Object.getPrototypeOf(value);
          if (proto === Object.prototype || proto === null) {
            for (const key of Object.keys(value)) value[key] = fix(value[key]);
          }
        }
        return value;
      };
      return fix(root);
    }""",
    "new_map": "() => new Map()",
    "new_set": "() => new Set()",
    "tag": "(value) => Object.prototype.toString.call(value)",
    "object_keys": "(value) => Object.keys(value)",
    "new_date": "(ms) => new Date(ms)",
}


@functools.cache
def js_helper(name: str) -> Callable[..., Any]:
    """A small JavaScript function, compiled on first use.

    Not at import: a module that holds JavaScript objects cannot be part of a Pyodide
    memory snapshot, and the engine should be importable before one is taken.
    """
    return run_js(JS_HELPERS[name])


MAX_SAFE_INTEGER: Final = 2**53 - 1


def _tag(value: Any) -> str:
    return js_helper("tag")(value)


def to_js_value(value: object) -> Any:
    """The structured-cloneable JavaScript form of ``value``.

    :raises NotCloneable: when ``value`` holds anything outside the table above
    """

    def default(obj: Any, convert: Any, cache: Any) -> Any:
        if isinstance(obj, dt.datetime):
            aware = obj if obj.tzinfo is not None else obj.replace(tzinfo=UTC)
            return js_helper("new_date")((aware - EPOCH) / dt.timedelta(milliseconds=1))
        if isinstance(obj, dt.date):
            return js_helper("new_date")((dt.datetime(obj.year, obj.month, obj.day, tzinfo=UTC) - EPOCH) / dt.timedelta(milliseconds=1))
        raise NotCloneable(f"a {_type_name(obj)} has no structured-clone form")

    def eager(obj: Any, convert: Any, cache: Any) -> Any:
        # A dict becomes a plain object only when every key is a str; otherwise a Map keeps the keys' types.
        if isinstance(obj, dict) and not all(type(key) is str for key in obj):
            result = js_helper("new_map")()
            cache(obj, result)  # before the entries: a dict that contains itself stays a cycle
            for key, item in obj.items():
                result.set(convert(key), convert(item))
            return result
        if isinstance(obj, frozenset):
            result = js_helper("new_set")()
            cache(obj, result)
            for item in obj:
                result.add(convert(item))
            return result
        return convert(obj)

    try:
        converted = to_js(value, eager_converter=eager, default_converter=default, create_pyproxies=False)
    except NotCloneable:
        raise
    except (ConversionError, TypeError, ValueError) as error:
        raise NotCloneable(str(error)) from None
    result = js_helper("finish_clone")(converted)
    if type(result) is int and -MAX_SAFE_INTEGER <= result <= MAX_SAFE_INTEGER:
        # Returned to JavaScript as is, Pyodide would make 2^53 - 1 a bigint again; a float of a safe
        # integer is exact and becomes a number.
        return float(result)
    return result


def to_py_value(value: Any) -> Any:
    """The Python form of a JavaScript value handed to the engine (already converted, if it was a primitive).

    :raises NotConvertible: for values with no Python form
    """
    if value is None or isinstance(value, JsNull):
        return None
    if isinstance(value, JsBigInt):
        return int(value)
    if not isinstance(value, JsProxy):
        return value

    def default(obj: Any, convert: Any, cache: Any) -> Any:
        tag = _tag(obj)
        if tag == "[object Date]":
            ms = obj.getTime()
            if ms != ms:  # NaN: an invalid Date
                raise NotConvertible("[sandcell] an invalid Date has no Python form")
            result = EPOCH + dt.timedelta(milliseconds=ms)
            cache(obj, result)
            return result
        raise NotConvertible(f"[sandcell] a JavaScript {tag[8:-1]} has no Python form; pass plain data")

    try:
        raw = value.to_py(default_converter=default)
    except NotConvertible:
        raise
    except (ConversionError, TypeError) as error:
        raise NotConvertible(f"[sandcell] {error}") from None
    except JsException:
        # to_py refuses Map keys that are arrays; walking by hand makes them tuples.
        return _walk_js(value, {})
    return _normalize(raw, {})


def _walk_js(value: Any, memo: dict[int, Any]) -> Any:
    """The slow, general path of :func:`to_py_value`: one JavaScript value at a time."""
    if not isinstance(value, JsProxy) or isinstance(value, JsNull):
        return to_py_value(value)
    known = memo.get(value.js_id)
    if known is not None:
        return known
    tag = _tag(value)
    if tag == "[object Array]":
        items: list[Any] = []
        memo[value.js_id] = items
        items.extend(_walk_js(item, memo) for item in value)
        return items
    if tag == "[object Map]":
        mapping: dict[Any, Any] = {}
        memo[value.js_id] = mapping
        for key, item in value.entries():
            mapping[_hashable(_walk_js(key, memo))] = _walk_js(item, memo)
        return mapping
    if tag == "[object Set]":
        members: set[Any] = set()
        memo[value.js_id] = members
        members.update(_hashable(_walk_js(item, memo)) for item in value)
        return members
    if tag == "[object Object]":
        record: dict[str, Any] = {}
        memo[value.js_id] = record
        for key in js_helper("object_keys")(value):
            record[key] = _walk_js(getattr(value, key), memo)
        return record
    result = to_py_value(value)
    memo[value.js_id] = result
    return result


def _normalize(value: Any, memo: dict[int, Any]) -> Any:
    """Replaces what ``to_py`` leaves JavaScript-shaped, keeping shared references and cycles."""
    if value is None or isinstance(value, (str, float, bool)):
        return value
    if isinstance(value, JsNull):
        return None
    if isinstance(value, JsBigInt):
        return int(value)
    if isinstance(value, int):
        return value
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, list):
        memo[key] = value
        for index, item in enumerate(value):
            value[index] = _normalize(item, memo)
        return value
    if isinstance(value, dict):
        memo[key] = value
        items = [(_hashable(_normalize(k, memo)), _normalize(v, memo)) for k, v in value.items()]
        value.clear()
        value.update(items)
        return value
    if isinstance(value, set):
        memo[key] = value
        items = [_hashable(_normalize(item, memo)) for item in value]
        value.clear()
        value.update(items)
        return value
    if isinstance(value, memoryview):
        # Uint8Array, Uint8ClampedArray and ArrayBuffer come as format 'B': bytes is what Python code expects.
        result: Any = value.tobytes() if value.format == "B" else memoryview(value.tobytes()).cast(value.format)
        memo[key] = result
        return result
    if isinstance(value, JsProxy):
        raise NotConvertible(f"[sandcell] a JavaScript {_tag(value)[8:-1]} has no Python form; pass plain data")
    return value


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        raise NotConvertible("[sandcell] a Map key that is an object has no Python form; use strings, numbers or arrays")
    if isinstance(value, set):
        return frozenset(value)
    return value


def _type_name(value: object) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"
