/**
 * The namespace model in the worker, shaped like the DevTools console's script scope:
 *
 *   let / const / class   live in the *lexical scope*: a null-prototype object that the REPL
 *                         transform passes to every cell (`__sc$s`) and that cells and their
 *                         functions reach as `__sc$s.name`. Not on `globalThis`, never seen
 *                         by the engine's own code, so `let performance = 1` or
 *                         `class Map {}` shadow the built-in only for the user's code.
 *   var / function        are properties of the worker's global object, non-configurable
 *                         (`delete v` is false), as a script's are; reached as bare names, so
 *                         a later `function b` is what an earlier `a()` calls.
 *   bare assignments,     are configurable global properties (the language's own).
 *   globalThis.x = …
 *
 * Lexical bindings are data properties once initialised. Before (the temporal dead zone,
 * or forever when the cell threw first) a binding is an accessor that throws what V8's REPL
 * mode throws: reads `x is not defined`, writes `Cannot access 'x' before initialization`.
 * A `const` is an accessor whose setter throws `Assignment to constant variable.`. A later
 * declaration of a name reuses its binding (REPL mode: `let x = x + 1` reads the old `x`);
 * a declaration of another kind (a SyntaxError in the console) takes the binding over.
 *
 * The hooks cells call while they run (init, initAll) use only functions captured when
 * this module loaded: they run amid user code, whose patches to built-ins must not reach them.
 */
import type { DeclarationKind } from '../executor/cell-plan.ts';
import { append, asArray, Int32ArrayCtor, list, ObjectIs, ObjectKeys, SafeMap, SafeSet } from '../primordials.ts';

const defineProperty = Reflect.defineProperty;
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const hasOwn = Object.hasOwn;
const ownKeys = Reflect.ownKeys;
const deleteProperty = Reflect.deleteProperty;
const ReferenceErrorCtor = ReferenceError;
const TypeErrorCtor = TypeError;
const SyntaxErrorCtor = SyntaxError;

/** Names the engine defines on the global object for cells: `display(...)`, `input()`, `host.x()`. A user's declaration replaces them for the user's code. */
export const ENGINE_INTERNALS: ReadonlySet<string> = safeSetOf(['display', 'input', 'prompt', 'host', 'PolicyError']);

/** A SafeSet (lib/primordials.ts) of `items`: resolve(), names() and setLastValue() run on the worker's hot path. */
function safeSetOf(items: Iterable<string>): SafeSet<string> {
  const set = new SafeSet<string>();
  for (const item of items) set.add(item);
  return set;
}

/**
 * The language's own read-only, permanent globals: a script cannot declare them lexically or
 * as functions. (Found by name, not by descriptor: the policy's stand-ins for `fetch` and the
 * like are permanent too, and the user may take those names, as in the console.)
 */
const RESTRICTED_GLOBALS: ReadonlySet<string> = safeSetOf(['undefined', 'NaN', 'Infinity']);

/** The last expression value: user-visible and writable, but not a listed variable. */
export const LAST_VALUE = '_';

/** Where a user variable lives and how it may change. */
export type BindingKind = DeclarationKind | 'global';

/** The lexical scope object cells receive: null prototype, so `'x' in scope` is only the user's. */
export type LexicalScope = Record<string, unknown>;

/** How a free name in a cell resolves right now (see the transform's NameResolution). */
export type NameResolution = 'lexical' | 'lexical-const' | 'lexical-dead' | 'builtin' | 'other';

/**
 * A null-prototype object, in V8's dictionary mode from the start (Object.create(null)): a
 * binding turns from its dead-zone accessor into data when initialised, and that change costs
 * a copy of every property's descriptor per binding in fast mode (1000 `let`s: 25 s), O(1) here.
 * Reads and writes through it in a hot loop cost about what a global's do.
 */
function newScope(): LexicalScope {
  return Object.create(null) as LexicalScope;
}

function newPending(): Record<string, true> {
  return Object.create(null) as Record<string, true>;
}

function uninitialized(name: string, kind: DeclarationKind): PropertyDescriptor {
  return {
    __proto__: null,
    get() {
      throw new ReferenceErrorCtor(`${name} is not defined`);
    },
    set() {
      if (kind === 'const') throw new TypeErrorCtor('Assignment to constant variable.');
      throw new ReferenceErrorCtor(`Cannot access '${name}' before initialization`);
    },
    enumerable: true,
    configurable: true,
  } as PropertyDescriptor;
}

function constant(value: unknown): PropertyDescriptor {
  return {
    __proto__: null,
    get: () => value,
    set() {
      throw new TypeErrorCtor('Assignment to constant variable.');
    },
    enumerable: true,
    configurable: true,
  } as PropertyDescriptor;
}

function mutable(value: unknown): PropertyDescriptor {
  return { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor;
}

export class Namespace {
  /** The user's let/const/class bindings. */
  readonly lexical: LexicalScope = newScope();
  /**
   * Grows whenever a binding is added to {@link lexical}: compiled code that looked a name up
   * there and found nothing caches that answer until this changes (lib/executor/references.ts).
   */
  readonly generation = new Int32ArrayCtor(1);
  /** Kind of every lexical binding (`let`/`const`/`class`) and of every global the user declared. */
  private readonly kinds = new SafeMap<string, BindingKind>();
  /**
   * Lexical bindings whose initialiser has not run (TDZ, or the cell threw before it). A
   * null-prototype record, not a Set: init() runs amid user code and must call no method
   * a cell could have patched.
   */
  private pending: Record<string, true> = newPending();
  /** Names visible on the global object before any user code ran (own and inherited). */
  private readonly builtins: ReadonlySet<string>;
  /** The engine's own values of the engine internals, to put back by clear(). */
  private readonly internals = new SafeMap<string, unknown>();
  /** Global names user code defined (declared, assigned or taken over from the engine). */
  private readonly userGlobals = new SafeSet<string>();
  /** The last value the engine gave `_`: a different one means the user took `_` over. */
  private lastValue: { value: unknown } | undefined;

  /**
   * @param global the worker's global object.
   * @param builtins names on it before any user code ran (own keys and those of its prototypes).
   */
  constructor(
    private readonly global: Record<string, unknown>,
    builtins: Iterable<string>,
  ) {
    this.builtins = safeSetOf(builtins);
  }

  /** Defines an engine internal: callable by cells, and replaceable by a user declaration. */
  protect(name: string, value: unknown): void {
    this.internals.set(name, value);
    defineProperty(this.global, name, {
      __proto__: null,
      value,
      writable: true,
      enumerable: false,
      configurable: true,
    } as PropertyDescriptor);
  }

  /** How a cell compiled now should reach `name` (the transform's resolution). */
  resolve(name: string): NameResolution {
    if (hasOwn(this.lexical, name)) {
      if (this.pending[name] === true) return 'lexical-dead';
      return this.kinds.get(name) === 'const' ? 'lexical-const' : 'lexical';
    }
    if (this.builtins.has(name) && !ENGINE_INTERNALS.has(name) && !this.userGlobals.has(name)) return 'builtin';
    return 'other';
  }

  /**
   * A cell's prelude: makes room for its top-level declarations before any of its code runs.
   * Lexical names that are new enter the dead zone; existing ones keep their value until
   * their initialiser runs (REPL mode). `var` makes a non-configurable global (unless the
   * name is lexical already: it reuses that binding).
   */
  declare(declarations: ReadonlyArray<readonly [string, DeclarationKind]>, deletable = false): void {
    // Checked for every name before any is declared: a cell (or eval code) that cannot declare runs nothing.
    // Indexed, not destructured: called amid user code, where the array iterator may be patched.
    for (let i = 0; i < declarations.length; i++)
      this.checkDeclarable(declarations[i][0], declarations[i][1], deletable);
    for (let i = 0; i < declarations.length; i++) {
      const name = declarations[i][0];
      const kind = declarations[i][1];
      if (kind === 'var' || kind === 'function') {
        if (hasOwn(this.lexical, name)) {
          // Cross-kind: the lexical binding stays, and becomes mutable (a `var` may be assigned);
          // a dead one comes alive as undefined, a constant keeps its value.
          const value = this.pending[name] === true ? undefined : this.lexical[name];
          delete this.pending[name];
          defineProperty(this.lexical, name, mutable(value));
          this.kinds.set(name, 'let');
          continue;
        }
        this.declareGlobal(name, kind, deletable);
        continue;
      }
      if (!hasOwn(this.lexical, name)) {
        defineProperty(this.lexical, name, uninitialized(name, kind));
        this.pending[name] = true;
        this.generation[0]++;
      }
      this.kinds.set(name, kind);
    }
  }

  /**
   * The declarations the language refuses even in the console's REPL mode, as SyntaxErrors
   * before anything runs: a lexical name a built-in holds non-configurably (`let undefined`,
   * HasRestrictedGlobalProperty), a function over such a read-only built-in
   * (CanDeclareGlobalFunction), and eval code's `var`/`function` over a lexical binding
   * (EvalDeclarationInstantiation). Cells may otherwise redeclare across kinds.
   */
  private checkDeclarable(name: string, kind: DeclarationKind, evalCode: boolean): void {
    const restricted =
      RESTRICTED_GLOBALS.has(name) && kind !== 'var' && !this.userGlobals.has(name) && !hasOwn(this.lexical, name);
    const evalConflict = evalCode && (kind === 'var' || kind === 'function') && hasOwn(this.lexical, name);
    if (restricted || evalConflict) throw new SyntaxErrorCtor(`Identifier '${name}' has already been declared`);
  }

  /** CreateGlobalVarBinding / CreateGlobalFunctionBinding: what a script's `var` or `function` makes. */
  private declareGlobal(name: string, kind: 'var' | 'function', deletable = false): void {
    this.userGlobals.add(name);
    const current = getOwnPropertyDescriptor(this.global, name);
    if (kind === 'function' ? !current || current.configurable : !current) {
      const value = current && hasOwn(current, 'value') ? current.value : undefined;
      defineProperty(this.global, name, {
        __proto__: null,
        value,
        writable: true,
        enumerable: true,
        configurable: deletable,
      } as PropertyDescriptor);
    }
    if (this.kinds.get(name) !== 'function') this.kinds.set(name, kind);
  }

  /** A top-level function declaration's value (the binding was declared by the prelude). */
  defineFunction(name: string, value: unknown, deletable = false): void {
    this.checkDeclarable(name, 'function', deletable);
    Namespace.rename(name, value);
    if (hasOwn(this.lexical, name)) {
      delete this.pending[name];
      defineProperty(this.lexical, name, mutable(value));
      this.kinds.set(name, 'let');
      return;
    }
    this.declareGlobal(name, 'function', deletable);
    this.global[name] = value;
  }

  /** A top-level function is compiled under a hidden name (see the transform): it gets its own back. */
  private static rename(name: string, value: unknown): void {
    if (typeof value === 'function' && value.name === `__sc$f_${name}`) {
      defineProperty(value, 'name', {
        __proto__: null,
        value: name,
        writable: false,
        enumerable: false,
        configurable: true,
      } as PropertyDescriptor);
    }
  }

  /** Runs a lexical declaration's initialiser result into its binding. Called amid user code: captured built-ins only. */
  init = (name: string, value: unknown, kind: DeclarationKind): void => {
    if (!hasOwn(this.lexical, name)) this.generation[0]++;
    delete this.pending[name];
    defineProperty(this.lexical, name, kind === 'const' ? constant(value) : mutable(value));
  };

  /** {@link init} for every name a destructuring declaration bound into `values`. */
  initAll = (values: Record<string, unknown>, kind: DeclarationKind): void => {
    const keys = ownKeys(values);
    for (let i = 0; i < keys.length; i++) this.init(keys[i] as string, values[keys[i] as string], kind);
  };

  /**
   * A top-level loop keeps the `let` bindings it uses in `holder`, a plain object of its own
   * (see lib/executor/loop-bindings.ts): while it runs, each binding named in `names` is an
   * accessor onto the holder, so code the loop calls reads and writes what the loop does.
   * The loop's code guarantees each is an initialised mutable binding (a data property).
   * Called amid user code: captured built-ins only.
   */
  hoist = (holder: Record<string, unknown>, names: readonly string[]): void => {
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      defineProperty(this.lexical, name, {
        __proto__: null,
        get: () => holder[name],
        set: (value: unknown) => {
          holder[name] = value;
        },
        enumerable: true,
        configurable: true,
      } as PropertyDescriptor);
    }
  };

  /** Ends {@link hoist}: the bindings are data properties again, holding what the holder holds. */
  unhoist = (holder: Record<string, unknown>, names: readonly string[]): void => {
    for (let i = 0; i < names.length; i++) defineProperty(this.lexical, names[i], mutable(holder[names[i]]));
  };

  kindOf(name: string): BindingKind | undefined {
    if (hasOwn(this.lexical, name)) return this.kinds.get(name) ?? 'let';
    return this.has(name) ? (this.kinds.get(name) ?? 'global') : undefined;
  }

  isConstant(name: string): boolean {
    return hasOwn(this.lexical, name) && this.kinds.get(name) === 'const' && this.pending[name] !== true;
  }

  /** User variable names: initialised lexical bindings, then the user's globals. */
  names(): string[] {
    // Indexed loops and a prototype-less list while it grows: this runs on the hot path (checkpoints).
    const names = list<string>();
    const lexical = ObjectKeys(this.lexical);
    for (let i = 0; i < lexical.length; i++) if (this.pending[lexical[i]] !== true) append(names, lexical[i]);
    const globals = ObjectKeys(this.global);
    for (let i = 0; i < globals.length; i++) {
      const name = globals[i];
      if (!hasOwn(this.lexical, name) && this.isUserGlobal(name)) append(names, name);
    }
    // Engine internals the user took over are not enumerable: they would be missed above.
    this.internals.forEach((_, name) => {
      if (!this.userGlobals.has(name) || hasOwn(this.lexical, name)) return;
      for (let i = 0; i < names.length; i++) if (names[i] === name) return;
      append(names, name);
    });
    return asArray(names);
  }

  private isUserGlobal(name: string): boolean {
    if (name === LAST_VALUE) return false;
    if (this.internals.has(name)) return this.userGlobals.has(name) && this.global[name] !== this.internals.get(name);
    return this.userGlobals.has(name) || !this.builtins.has(name);
  }

  has(name: string): boolean {
    if (hasOwn(this.lexical, name)) return this.pending[name] !== true;
    return hasOwn(this.global, name) && this.isUserGlobal(name);
  }

  get(name: string): unknown {
    return hasOwn(this.lexical, name) ? this.lexical[name] : this.global[name];
  }

  /**
   * Writes a variable from the host (not bound by `const`: the host replaces the value).
   * An existing binding keeps its home; a new name becomes a global, like a bare assignment.
   */
  set(name: string, value: unknown): void {
    if (hasOwn(this.lexical, name)) {
      delete this.pending[name];
      defineProperty(this.lexical, name, this.kinds.get(name) === 'const' ? constant(value) : mutable(value));
      return;
    }
    const current = getOwnPropertyDescriptor(this.global, name);
    if (current && !current.configurable) {
      if (!current.writable || !('value' in current)) {
        throw new TypeErrorCtor(`[sandcell] cannot set '${name}': it is a read-only global of the worker`);
      }
      this.global[name] = value;
    } else {
      defineProperty(this.global, name, {
        __proto__: null,
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      } as PropertyDescriptor);
    }
    this.userGlobals.add(name);
  }

  /** Restores a binding of a known kind (snapshots): lexical kinds into the lexical scope. */
  restore(name: string, value: unknown, kind: BindingKind): void {
    if (kind === 'let' || kind === 'const' || kind === 'class') {
      if (!hasOwn(this.lexical, name)) this.generation[0]++;
      this.kinds.set(name, kind);
      delete this.pending[name];
      defineProperty(this.lexical, name, kind === 'const' ? constant(value) : mutable(value));
      return;
    }
    if (kind === 'var' || kind === 'function') {
      this.declareGlobal(name, kind);
      this.global[name] = value;
      return;
    }
    this.set(name, value);
  }

  /**
   * Removes a user variable. A `var`/`function` global cannot be removed (the language makes
   * it non-configurable): it is set to undefined and no longer listed.
   */
  delete(name: string): boolean {
    if (!this.has(name)) return false;
    if (hasOwn(this.lexical, name)) {
      deleteProperty(this.lexical, name);
      this.kinds.delete(name);
      return true;
    }
    this.kinds.delete(name);
    this.userGlobals.delete(name);
    if (this.internals.has(name)) {
      defineProperty(this.global, name, {
        value: this.internals.get(name),
        writable: true,
        enumerable: false,
        configurable: true,
      });
      return true;
    }
    if (!deleteProperty(this.global, name)) this.global[name] = undefined;
    return true;
  }

  /**
   * Removes a binding whatever its state, a pending (TDZ) one too: a definition a restore gave
   * up on (its class body threw or ran past its limit) leaves no name behind.
   */
  discard(name: string): void {
    if (!hasOwn(this.lexical, name)) {
      this.delete(name);
      return;
    }
    deleteProperty(this.lexical, name);
    deleteProperty(this.pending, name);
    this.kinds.delete(name);
  }

  /** Removes every user variable and `_`; engine internals come back. */
  clear(): void {
    for (const name of this.names()) this.delete(name);
    for (const name of Object.keys(this.lexical)) deleteProperty(this.lexical, name);
    this.pending = newPending();
    this.kinds.clear();
    deleteProperty(this.global, LAST_VALUE);
    this.lastValue = undefined;
    // A cell may have deleted or replaced one without declaring it.
    for (const [name, value] of this.internals) {
      defineProperty(this.global, name, {
        __proto__: null,
        value,
        writable: true,
        enumerable: false,
        configurable: true,
      } as PropertyDescriptor);
    }
    this.userGlobals.clear();
  }

  /**
   * Sets `_` after an expression cell — unless the user's code took `_` over (a `const _`, or
   * assigning `_` itself): from then on `_` is theirs, as in Node's REPL.
   */
  setLastValue(value: unknown): void {
    if (hasOwn(this.lexical, LAST_VALUE)) return;
    const current = getOwnPropertyDescriptor(this.global, LAST_VALUE);
    if (current && (!hasOwn(current, 'value') || !this.lastValue || !ObjectIs(current.value, this.lastValue.value))) {
      return;
    }
    if (!current && this.lastValue) return;
    this.lastValue = { value };
    defineProperty(this.global, LAST_VALUE, {
      __proto__: null,
      value,
      writable: true,
      enumerable: false,
      configurable: true,
    } as PropertyDescriptor);
  }
}
