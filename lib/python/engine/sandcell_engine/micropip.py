"""``micropip`` as a cell sees it in sandcell: ``await micropip.install(url)`` for wheel URLs.

The worker puts this file on ``sys.path`` as the top-level module ``micropip`` — last, so a
real micropip installed with ``python.packages`` wins. Only ``install`` of wheel URLs is
offered: there is no package index to resolve names, versions or dependencies against (see
:mod:`sandcell_engine.wheels`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandcell_engine import wheels

__all__ = ["install"]


async def install(
    requirements: str | Iterable[str],
    keep_going: bool = False,
    deps: bool = True,
    credentials: str | None = None,
    pre: bool = False,
    index_urls: Any = None,
    **options: Any,
) -> None:
    """Installs pure-Python wheels from their URLs (micropip's signature; the other arguments
    concern resolving from an index, which sandcell does not have, and are accepted unused).

    :raises ValueError: an entry is not an absolute wheel URL (a bare name says what to do instead)
    :raises PermissionError: the session's policy denies the network (no request is made)
    :raises OSError: a wheel could not be fetched or installed; the message names its URL
    """
    await wheels.install(requirements)
