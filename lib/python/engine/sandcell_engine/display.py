"""``display(obj)``: rich output as MIME bundles.

A bundle is ``{mime type: data}``. For an object it holds ``text/plain``
(``repr``) and whatever the object offers through the IPython display protocol:
``_repr_mimebundle_()`` first, then ``_repr_html_``, ``_repr_markdown_``,
``_repr_svg_``, ``_repr_png_``, ``_repr_jpeg_``, ``_repr_json_``, ``_repr_latex_``.
Images travel as base64 text, as in Jupyter, and as the page's
``renderDisplay`` expects. ``display(bundle, raw=True)`` sends a bundle the cell
built itself, checked so that the host only ever receives plain data.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any, Final

from .namespace import safe_repr

MIME_METHODS: Final = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("application/json", "_repr_json_"),
    ("text/latex", "_repr_latex_"),
)
BINARY_TYPES: Final = frozenset({"image/png", "image/jpeg"})
MIME_TYPE: Final = re.compile(r"^[a-z]+/[-+.\w]+$", re.IGNORECASE)
BASE64: Final = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def bundle_for(value: object) -> dict[str, Any]:
    """The MIME bundle that shows ``value`` as richly as it knows how to be shown."""
    data: dict[str, Any] = {}
    mimebundle = _call_optional(value, "_repr_mimebundle_")
    if isinstance(mimebundle, tuple):  # (data, metadata)
        mimebundle = mimebundle[0] if mimebundle else None
    if isinstance(mimebundle, dict):
        for key, item in mimebundle.items():
            if isinstance(key, str) and MIME_TYPE.match(key):
                data[key] = _encode(key, item)
    for mime, method in MIME_METHODS:
        if mime in data:
            continue
        result = _call_optional(value, method)
        if isinstance(result, tuple):  # (data, metadata)
            result = result[0] if result else None
        if result is not None:
            data[mime] = _encode(mime, result)
    data.setdefault("text/plain", safe_repr(value))
    return data


def raw_bundle(bundle: object) -> dict[str, Any]:
    """Checks a bundle passed with ``raw=True``.

    :raises TypeError: naming what is wrong (not a dict, a key that is no MIME type, data of the wrong kind)
    """
    if not isinstance(bundle, dict):
        raise TypeError(
            "[sandcell] display(bundle, raw=True) needs a dict of MIME type → data, "
            f"e.g. {{'text/html': '<b>hi</b>'}}, got {safe_repr(bundle, 100)}"
        )
    data: dict[str, Any] = {}
    for key, item in bundle.items():
        if not isinstance(key, str) or not MIME_TYPE.match(key):
            raise TypeError(f"[sandcell] display: {key!r} is not a MIME type (like 'text/html')")
        if key == "application/json":
            data[key] = json.loads(json.dumps(item))
        elif key in BINARY_TYPES and isinstance(item, (bytes, bytearray, memoryview)):
            data[key] = base64.b64encode(item).decode("ascii")
        elif not isinstance(item, str):
            raise TypeError(f"[sandcell] display: the {key} entry must be a str, got {type(item).__name__}")
        elif key in BINARY_TYPES and not BASE64.match(re.sub(r"\s+", "", item)):
            raise TypeError(f"[sandcell] display: the {key} entry must be base64 (no data: prefix), got {item[:40]!r}")
        else:
            data[key] = item
    if not data:
        raise TypeError("[sandcell] display: the bundle is empty; give at least one MIME type, e.g. {'text/plain': 'hi'}")
    data.setdefault("text/plain", safe_repr(bundle))
    return data


def make_display(send: Callable[[dict[str, Any]], None]) -> Callable[..., None]:
    """The ``display`` function cells call. ``send`` receives each checked bundle."""

    def display(*objects: object, raw: bool = False) -> None:
        """Shows each object as rich output (HTML, SVG, images, …) below the cell.

        With ``raw=True`` each object is a MIME bundle, e.g. ``{'text/html': '<b>hi</b>'}``.
        """
        for value in objects:
            send(raw_bundle(value) if raw else bundle_for(value))

    return display


def _call_optional(value: object, method: str) -> Any:
    # Looked up on the type, as the display protocol does: a class object's own methods are not its repr.
    function = getattr(type(value), method, None)
    if function is None or isinstance(value, type):
        return None
    try:
        return function(value)
    except NotImplementedError:
        return None


def _encode(mime: str, item: Any) -> Any:
    if mime in BINARY_TYPES and isinstance(item, (bytes, bytearray, memoryview)):
        return base64.b64encode(item).decode("ascii")
    if mime == "application/json":
        return json.loads(json.dumps(item, default=str))
    return item if isinstance(item, str) else str(item)
