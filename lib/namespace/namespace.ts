/**
 * The namespace model in the worker: user variables are own, enumerable properties of the
 * worker's global object, which is what makes them visible to every later cell (and to
 * functions defined in earlier ones) at the speed of a global. `const` variables are
 * accessors whose setter throws, as the language does. Engine internals are
 * non-configurable, non-writable, non-enumerable globals: user code can neither
 * overwrite nor delete them, and they never show in `names()`.
 */
import type { DeclarationKind } from '../executor/cell-plan.ts';

/** Names the engine itself defines in the cell's scope. One declared set: protected, kept by clear(), hidden by list(). */
export const ENGINE_INTERNALS: ReadonlySet<string> = new Set(['display', 'input', 'prompt', 'host', 'PolicyError']);

/** The last expression value: user-visible and writable, but not a listed variable. */
export const LAST_VALUE = '_';

type Scope = Record<string, unknown>;

export class GlobalNamespace {
  private readonly baseline: ReadonlySet<string>;
  /** Names user code or the host defined, even where they shadow a worker global (`let name = …`). */
  private readonly defined = new Set<string>();

  /** @param scope the worker global; `baseline` = its own keys before any user code ran. */
  constructor(
    private readonly scope: Scope,
    baseline: Iterable<string>,
  ) {
    this.baseline = new Set(baseline);
  }

  /** Defines an engine internal that user code can call but never replace. */
  protect(name: string, value: unknown): void {
    Object.defineProperty(this.scope, name, { value, writable: false, enumerable: false, configurable: false });
  }

  /** Makes room for a top-level declaration; `var` keeps an existing value, the others start over. */
  declare(names: readonly string[], kind: DeclarationKind): void {
    for (const name of names) {
      if (ENGINE_INTERNALS.has(name)) {
        throw new TypeError(
          `[sandcell] Cannot declare '${name}': it is provided by sandcell and cannot be replaced — pick another name`,
        );
      }
      const current = Object.getOwnPropertyDescriptor(this.scope, name);
      if (kind === 'var' || kind === 'function') {
        if (current && !current.get && (this.defined.has(name) || !this.baseline.has(name))) continue;
      }
      if (current && !current.configurable) {
        throw new TypeError(
          `[sandcell] Cannot redeclare '${name}': it is a built-in global of the worker — pick another name`,
        );
      }
      this.defined.add(name);
      Object.defineProperty(this.scope, name, {
        value: undefined,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }

  /** Turns names just assigned by a `const` into constants: later assignments throw TypeError. */
  constant(names: readonly string[]): void {
    for (const name of names) this.defineConstant(name, this.scope[name]);
  }

  defineConstant(name: string, value: unknown): void {
    Object.defineProperty(this.scope, name, {
      get: () => value,
      set: () => {
        throw new TypeError('Assignment to constant variable.');
      },
      enumerable: true,
      configurable: true,
    });
  }

  /** A top-level function declaration: writable like `var`. */
  defineFunction(name: string, value: unknown): void {
    this.declare([name], 'function');
    this.scope[name] = value;
  }

  isConstant(name: string): boolean {
    return Boolean(Object.getOwnPropertyDescriptor(this.scope, name)?.get);
  }

  /** User variable names, in definition order. */
  names(): string[] {
    return Object.keys(this.scope).filter((name) => this.isUserName(name));
  }

  isUserName(name: string): boolean {
    return name !== LAST_VALUE && !ENGINE_INTERNALS.has(name) && (this.defined.has(name) || !this.baseline.has(name));
  }

  has(name: string): boolean {
    return (
      this.isUserName(name) &&
      Object.hasOwn(this.scope, name) &&
      Object.getOwnPropertyDescriptor(this.scope, name)?.enumerable === true
    );
  }

  get(name: string): unknown {
    return this.scope[name];
  }

  /** Writes a variable from the host (replacing a constant too: the host is not bound by `const`). */
  set(name: string, value: unknown): void {
    if (!this.isUserName(name) && name !== LAST_VALUE) {
      throw new TypeError(
        `[sandcell] cannot set '${name}': it is ${ENGINE_INTERNALS.has(name) ? 'an engine internal' : 'a built-in global of the worker'}`,
      );
    }
    Object.defineProperty(this.scope, name, { value, writable: true, enumerable: true, configurable: true });
    this.defined.add(name);
  }

  delete(name: string): boolean {
    if (!this.has(name)) return false;
    this.defined.delete(name);
    return delete this.scope[name];
  }

  /** Removes every user variable and `_`; engine internals stay. */
  clear(): void {
    for (const name of this.names()) delete this.scope[name];
    this.defined.clear();
    delete this.scope[LAST_VALUE];
  }

  setLastValue(value: unknown): void {
    Object.defineProperty(this.scope, LAST_VALUE, { value, writable: true, enumerable: false, configurable: true });
  }
}
