/**
 * A page that only runs JavaScript sessions loads nothing of Python: not the Python worker
 * bundle, not the page's Python loader, not a file of the runtime. Read from the page's
 * resource timing, which lists every module and file this document requested (this file runs
 * in a document of its own, and opens no Python session).
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../lib/index';

/** Pyodide's files, the Python worker bundle (virtual module), the page's Python loader, the engine. */
const PYTHON_ASSET = /pyodide|python_stdlib|python-worker|python-files|\/lib\/python\//i;

function pythonRequests(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => PYTHON_ASSET.test(decodeURIComponent(new URL(name).pathname)));
}

describe('a JavaScript-only page', () => {
  it('never requests the Python worker, the Python loader or a Pyodide file', async () => {
    const js = await createSession();
    try {
      expect((await js.execute('const n = 6 * 7; n')).value).toBe(42);
      const sandboxed = await createSession({ policy: 'unrestricted' });
      expect((await sandboxed.execute('1 + 1')).value).toBe(2);
      await sandboxed.close();
    } finally {
      await js.close();
    }
    expect(pythonRequests()).toEqual([]);
    // The check sees such requests when they happen.
    await (await fetch('/lib/host/python/pyodide-lock.json')).text();
    expect(pythonRequests()).toEqual([expect.stringContaining('/lib/host/python/pyodide-lock.json')]);
  });
});
