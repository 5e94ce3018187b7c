/**
 * `session.namespace`: the host's view of a session's variables. Arguments are checked
 * here, on the page, so a bad call fails with a clear TypeError before anything is sent.
 */
import type { Remote } from 'comlink';
import { describeValue } from '../namespace/describe-value.ts';
import { assertMergeStrategy } from '../namespace/merge.ts';
import type { RuntimeApi } from '../protocol.ts';
import type { MergeStrategy, NamespaceHandle } from '../types.ts';

/**
 * Runs a call on the session's current worker (waiting out a restart; rejecting once closed).
 * `what` names the call for errors; `retry`: safe to run again on a new worker if the current one dies under it.
 */
type Call = <T>(fn: (remote: Remote<RuntimeApi>) => Promise<T>, what: string, retry: boolean) => Promise<T>;

function checkName(method: string, name: unknown): asserts name is string {
  if (typeof name !== 'string')
    throw new TypeError(`[sandcell] namespace.${method}(name) needs a string, got ${describeValue(name)}`);
}

/** Builds the namespace handle of one session. */
export function createNamespaceHandle(call: Call): NamespaceHandle {
  return {
    async get(name) {
      checkName('get', name);
      const r = await call((remote) => remote.getVariable(name), 'namespace.get()', true);
      if (r.error) throw new TypeError(r.error);
      return r.value;
    },
    async set(values, options?: { strategy?: MergeStrategy }) {
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        throw new TypeError('[sandcell] namespace.set(values) needs an object of name → value');
      }
      const strategy = options?.strategy ?? 'overwrite';
      assertMergeStrategy(strategy);
      try {
        await call((remote) => remote.setVariables(values, strategy), 'namespace.set()', strategy === 'overwrite');
      } catch (error) {
        throw uncloneableName(values, error) ?? error;
      }
    },
    list: () => call((remote) => remote.listVariables(), 'namespace.list()', true),
    async delete(name) {
      checkName('delete', name);
      return call((remote) => remote.deleteVariable(name), 'namespace.delete()', false);
    },
    clear: () => call((remote) => remote.clearVariables(), 'namespace.clear()', true),
  };
}

/**
 * The browser's DataCloneError says what could not be cloned but not under which name: find
 * the first variable that fails on its own and say so (nothing was sent, nothing changed).
 */
function uncloneableName(values: object, error: unknown): TypeError | undefined {
  if (!(error instanceof Error) || error.name !== 'DataCloneError') return undefined;
  for (const [name, value] of Object.entries(values)) {
    try {
      structuredClone(value);
    } catch (cause) {
      return new TypeError(
        `[sandcell] namespace.set(): ${JSON.stringify(name)} cannot be sent to the session — ${describeValue(value)} has no structured clone (${(cause as Error).message}). Send data (objects, arrays, Maps, typed arrays, Dates…), or define functions and classes in a cell; no variable was changed`,
        { cause },
      );
    }
  }
  return undefined;
}
