"""sandcell's Python engine: runs a session's cells inside Pyodide, in the session's worker.

The TypeScript worker loads Pyodide, puts this package on ``sys.path`` and
calls :func:`create_engine` once. Everything else goes through the returned
:class:`~sandcell_engine.engine.Engine`. Every method returns plain JavaScript
data (objects, arrays, typed arrays, Promises) and never a ``PyProxy``, so the
worker has nothing to destroy; arguments are JavaScript values.

Setting up (TypeScript, in the worker)::

    const flag = new Int32Array(interruptBuffer, 0, 1);   // the session's SAB slot; the host stores 2 to stop
    pyodide.setInterruptBuffer(flag);                      // only when crossOriginIsolated
    pyodide.unpackArchive(engineZip, 'zip', { extractDir: '/sandcell' });
    pyodide.runPython("import sys; sys.path.insert(0, '/sandcell')");
    const engine = pyodide.pyimport('sandcell_engine').create_engine(hooks, cacheSize);

``hooks`` is a JavaScript object the worker provides:

===========================================  ==========================================================
hook                                         contract
===========================================  ==========================================================
``write(stream, text)``                      ``stream`` is ``'stdout'`` or ``'stderr'``; called with
                                             batches already joined here (≤ 32 kB or 50 ms of output),
                                             in order; the worker batches and caps again
``display(bundle)``                          a MIME bundle (plain object, ``text/plain`` always there)
``sleep(ms) -> boolean``                     block up to ``ms``: ``Atomics.wait(flag, 0, 0, ms)``;
                                             return true when the flag is set. Optional: without it
                                             ``time.sleep`` waits by the clock (not interruptible)
``input(prompt) -> string | null``           blocking read for ``input()`` (cross-origin isolated
                                             pages: Atomics.wait for the page's reply); null when a
                                             stop woke it. Leave it out where it cannot block
``inputAsync(prompt) -> Promise<string>``    used when ``input`` is absent: ``await input()``
``callHost(name, args) -> Promise``          a capability call; ``args`` is an array of clones
``capabilities: string[]``                   the names ``host.<name>`` offers
``interruptFlag: Int32Array``                the same view given to ``setInterruptBuffer``
                                             (absent when not isolated)
``stopWanted() -> boolean``                  optional: whether the stop in the flag is for the
                                             running cell (the host stores the cell's id beside
                                             it); a stale stop is then dropped, not delivered
===========================================  ==========================================================

Calls (``engine.<name>(...)``):

==================================  ============================================================
``execute(code)``                   ``{status, mode, value?, repr?, error?}`` — or a Promise of it
                                    for a top-level-await cell; ``await`` the return value either
                                    way. ``status`` is ``ok``/``error``/``interrupted``; the worker
                                    maps a stop it made for ``timeoutMs`` to ``timeout`` and adds
                                    ``durationMs``. Cells must be queued: one at a time
``interrupt()``                     call when the host asks for a stop *and* the worker gets to
                                    run (the cell is awaiting, or idle): cancels the cell's
                                    pending awaits and tasks (idle: tasks finished cells left)
``stats()``                         ``{executions, cache: {size, capacity, hits, misses}, variables}``
``namespace_list()``                ``[{name, type, repr}]``, user variables only
``namespace_get(name)``             the value as a structured clone; throws ``TypeError`` (no
                                    clone) or ``KeyError`` (no such variable), message prefixed
                                    ``[sandcell]``
``namespace_set(values, strategy)`` ``values`` a plain object; strategy ``overwrite``/``preserve``/
                                    ``smart``; returns the names written
``namespace_delete(name)``          boolean; ``namespace_clear()`` keeps engine names
``snapshot()``                      ``{format, version, python, full, removed, groups: [{names,
                                    payload}], saved, skipped: [{name, reason}]}``; ``payload``
                                    is ``{format, version, python, data: Uint8Array}``
``checkpoint(names?)``              the same shape, for what changed since the last one (everything
                                    the first time, ``full: true``). The worker keeps the groups:
                                    it drops each old group holding a name in ``removed`` or in a
                                    new group, then adds the new ones
``restore(groups)``                 ``{restored, skipped}``; loads each group on its own
``set_restore_guard(guard)``        a Python object with ``check_global(module, name)`` and
                                    ``check_code(code, qualname)``, raising
                                    ``reconstruct.RestoreRefused`` to refuse (policy hook)
==================================  ============================================================

Errors thrown by these calls (bad arguments, a missing variable) reach JavaScript as
Pyodide's ``PythonError``: ``error.type`` is the Python class (``TypeError``,
``KeyError``) and the last line of ``error.message`` is ``Class: [sandcell] …``, the text
to show. Errors in the user's code never throw: they are results.

What the worker must do around it:

- load Pyodide with ``indexURL`` = ``dist/python/`` (precompiled standard library), fetch
  ``sandcell_engine.zip`` beside it in parallel, unpack it as above;
- route file descriptors 1 and 2 to the same output as ``write``:
  ``pyodide.setStdout({ write })`` / ``setStderr`` (text written below ``sys.stdout``, by
  C code, and — briefly after an engine call failed — by Python: see ``engine.boundary``);

- queue cells (one ``execute`` at a time) and, for ``timeoutMs``, store 2 in
  the flag at the deadline from the host side (the worker is busy);
- on a stop request: store 2 in the flag and ``Atomics.notify`` it (the host
  does this, it wakes ``sleep``/``input``), then call ``engine.interrupt()``
  from the worker's message handler — it only runs if the cell is awaiting;
- until the cell settles or the grace period ends, the host stores 2 again
  every ~20 ms: Pyodide resets the flag when it reads it, and a handler that
  could not even be called (a cell sitting at the recursion limit) would
  otherwise lose the stop. ``sleep`` and ``input`` must return at once while
  the flag is non-zero (``Atomics.wait(flag, 0, 0, ms)`` does);
- after ``interruptGraceMs`` without a result: terminate the worker, start a
  new one and ``restore`` the kept checkpoint groups;
- after each completed cell, call ``checkpoint()`` and keep its groups.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine

__all__ = ["Engine", "create_engine"]


def create_engine(hooks: Any, cache_size: int = 100) -> Engine:
    """Builds the session's engine and takes over ``__main__``, streams, ``input``, ``time.sleep`` and SIGINT.

    :param hooks: the worker's hooks (see the module docstring)
    :param cache_size: compiled cells to keep (``cacheSize``)
    """
    return Engine(hooks, int(cache_size))
