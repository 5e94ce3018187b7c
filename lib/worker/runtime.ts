/**
 * The session runtime inside the worker: runs cells, owns the namespace, output, input,
 * timers and checkpoints. It knows nothing about the transport: the entry file builds it
 * from the init message and exposes it with Comlink.
 */

import { PolicyError } from '../errors.ts';
import type { CellSyntaxError, DeclarationKind } from '../executor/cell-plan.ts';
import type { CellFunction, CompiledCell } from '../executor/compile.ts';
import { CellCompiler } from '../executor/compile.ts';
import { FunctionSources } from '../executor/function-source.ts';
import { CellInterrupt, InterruptGate } from '../executor/interrupt.ts';
import { CheckpointTracker } from '../namespace/checkpoint.ts';
import { planMerge } from '../namespace/merge.ts';
import { ENGINE_INTERNALS, Namespace } from '../namespace/namespace.ts';
import type {
  CellOutcome,
  CheckpointGroup,
  EncodedSnapshot,
  ExecuteRequest,
  HostEvent,
  RestoreReport,
  RuntimeApi,
  RuntimeConfig,
  WorkerEvent,
} from '../protocol.ts';
import { ControlSlot, RESTORE_TIME_LIMIT_MS } from '../protocol.ts';
import { DefinitionGivenUp } from '../snapshot/format.ts';
import type { ExecutionMode, MergeStrategy, SkippedVariable, VariableInfo } from '../types.ts';
import { CellTimers } from './io/cell-timers.ts';
import { createConsole } from './io/console-capture.ts';
import { createDisplay } from './io/display.ts';
import { createHostObject, type HostCalls } from './io/host-calls.ts';
import { createInput } from './io/input.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, OutputChannel } from './io/output.ts';
import { repr, SUMMARY_LIMITS, typeName } from './io/repr.ts';
import { applyPristine, engineGuard, thenPristine } from './lockdown/intrinsics.ts';
import { createSnapshotCodec, type SnapshotCodec } from './snapshot-codec.ts';

// The engine's clock, bound before any cell ran: a cell may shadow or replace `performance`.
const clock = Performance.prototype.now.bind(performance);
const cloneValue = structuredClone;
const nativeToString = Function.prototype.toString;
const originalEval = globalThis.eval;
const stringIncludes = String.prototype.includes;

/** What a cell returns as its value when it completed without one (`let x = 1`, `function f() {}`). */
const EMPTY: object = Object.freeze({ __proto__: null });

/** The gate's cell id while a restore runs a definition (host cell ids are positive). */
const RESTORE_CELL_ID = -1;

/** Every name visible on the global object now (own and inherited): what resolves to a built-in. */
function globalNames(scope: object): string[] {
  const names: string[] = [];
  for (let object: object | null = scope; object !== null; object = Reflect.getPrototypeOf(object)) {
    for (const key of Reflect.ownKeys(object)) if (typeof key === 'string') names.push(key);
  }
  return names;
}

export interface RuntimeDeps {
  scope: typeof globalThis;
  config: RuntimeConfig;
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  /** Sends an event to the page over the session's port. */
  post: (event: WorkerEvent) => void;
  /** Resolves once the worker holds its life lock (see RuntimeConfig.lifeLock). */
  alive?: Promise<void>;
}

export class SessionRuntime implements RuntimeApi {
  private readonly scope: typeof globalThis;
  private readonly namespace: Namespace;
  private readonly gate: InterruptGate;
  private readonly compiler: CellCompiler;
  /** Compiles the code of a direct eval (engine work: called from user code through the guard). */
  private readonly compileEval: (code: string) => CompiledCell | CellSyntaxError;
  private readonly output: OutputChannel;
  private readonly timers: CellTimers;
  private readonly checkpoints: CheckpointTracker;
  private readonly snapshots: SnapshotCodec;
  private readonly hostCalls: HostCalls;
  /** Source of each live top-level function/class declaration, with the value it made. */
  private readonly definitions = new Map<string, { source: string; value: unknown }>();
  private readonly cellRuntime: Record<string, unknown>;
  private executions = 0;
  private runningCell = 0;
  private abortRunning?: (reason: CellInterrupt) => void;
  private pendingCheckpoint?: { dirty?: Set<string>; callsAnything: boolean; cellId: number; announced?: boolean };
  private checkpointTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly deps: RuntimeDeps) {
    const { scope, config, control } = deps;
    this.scope = scope;
    const namespace = new Namespace(scope as unknown as Record<string, unknown>, globalNames(scope));
    this.namespace = namespace;
    this.gate = new InterruptGate(control, ControlSlot.Interrupt);
    this.compiler = new CellCompiler(config.cacheSize, {
      instrument: true,
      allowDynamicImport: config.policy.network,
      resolve: (name) => namespace.resolve(name),
    });
    const evalCompiler = new CellCompiler(
      config.cacheSize,
      {
        instrument: false,
        allowDynamicImport: config.policy.network,
        resolve: (name) => namespace.resolve(name),
        evalCode: true,
      },
      undefined,
      'sandcell-eval-',
    );
    this.compileEval = engineGuard().wrapEngine((code: string) => evalCompiler.compile(code));
    this.timers = new CellTimers(scope, (error) => this.reportBackgroundError(error));
    this.output = new OutputChannel(deps.post, config.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, clock, {
      set: this.timers.engine.setTimeout,
      clear: this.timers.engine.clearTimeout,
    });
    this.snapshots = createSnapshotCodec({
      namespace: this.namespace,
      definitions: () => this.liveDefinitions(),
      define: (source, name) => this.declareFromSource(source, name),
    });
    this.checkpoints = new CheckpointTracker((names) => this.snapshots.encode(names).record);
    this.hostCalls = createHostObject(config.capabilities, deps.post, () => this.runningCell);

    const ns = this.namespace;
    const gate = this.gate;
    this.cellRuntime = Object.freeze({
      n: gate.countdown,
      tick: gate.tick,
      rethrow: gate.rethrow,
      empty: EMPTY,
      // Called from user code: engine work, on the pristine built-ins (see intrinsics.ts).
      declare: engineGuard().wrapEngine((declarations: Array<[string, DeclarationKind]>) => ns.declare(declarations)),
      fn: engineGuard().wrapEngine((name: string, value: unknown) => ns.defineFunction(name, value)),
      // One call per declarator: no switch of the built-ins (the namespace uses captured ones only).
      init: ns.init,
      initAll: ns.initAll,
      evalCode: (evaluate: unknown, code?: unknown, ...rest: unknown[]) => this.evalCode(evaluate, code, rest, false),
      evalStrict: (evaluate: unknown, code?: unknown, ...rest: unknown[]) => this.evalCode(evaluate, code, rest, true),
      importDenied: (specifier: unknown) =>
        Promise.reject(
          new PolicyError(
            `[sandcell] import(${JSON.stringify(String(specifier))}) is blocked by the session policy: loading code needs { network: true }`,
          ),
        ),
    });
    this.installGlobals();
  }

  private installGlobals(): void {
    const scope = this.scope;
    this.installFunctionSource();
    const console = createConsole(this.output);
    const target = scope.console as unknown as Record<string, unknown>;
    for (const [name, method] of Object.entries(console)) target[name] = method;
    this.timers.install(scope);
    this.namespace.protect('display', createDisplay(this.output));
    const input = createInput({
      control: this.deps.control,
      inputBuffer: this.deps.inputBuffer,
      hasInput: this.deps.config.hasInput,
      gate: this.gate,
      hostCalls: this.hostCalls,
    });
    this.namespace.protect('input', input);
    this.namespace.protect('prompt', input);
    this.namespace.protect('host', this.hostCalls.host);
    // Errors thrown by timer callbacks or unhandled rejections belong on stderr, not to the page.
    scope.addEventListener('error', (event) =>
      engineGuard().engine(() => {
        event.preventDefault();
        this.reportBackgroundError(event.error ?? event.message);
      }),
    );
    scope.addEventListener('unhandledrejection', (event) =>
      engineGuard().engine(() => {
        event.preventDefault();
        if (event.reason instanceof CellInterrupt) return;
        this.reportBackgroundError(event.reason, 'Uncaught (in promise)');
      }),
    );
  }

  /**
   * `Function.prototype.toString` gives the user's source for functions cells made (see
   * function-source.ts). Installed after the intrinsics guard recorded the original, so the
   * guard treats it like a user patch: user code sees it, the engine runs on the native one.
   */
  private installFunctionSource(): void {
    const sources = new FunctionSources(() => this.compiler.compiledTexts());
    const lookup = engineGuard().wrapEngine((text: string) => sources.sourceOf(text));
    const userToString = {
      toString(this: unknown): string {
        const text = applyPristine(nativeToString, this, []) as string;
        if (this === userToString) return 'function toString() { [native code] }';
        return applyPristine(stringIncludes, text, ['__sc$']) ? lookup(text) : text;
      },
    }.toString;
    Object.defineProperty(Function.prototype, 'toString', {
      value: userToString,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  private reportBackgroundError(error: unknown, prefix = 'Uncaught'): void {
    if (error instanceof CellInterrupt) return;
    const described = this.compiler.describeError(error, repr);
    const text = described.stack ?? `${described.name}: ${described.message}`;
    this.output.stream('stderr', `${prefix} ${text}\n`);
    if (this.runningCell === 0) this.output.flush();
  }

  async ready(): Promise<{ crossOriginIsolated: boolean }> {
    await this.deps.alive;
    return { crossOriginIsolated: this.deps.control !== undefined };
  }

  async execute(request: ExecuteRequest): Promise<CellOutcome> {
    this.flushCheckpoint();
    const { cellId, code, timeoutMs } = request;
    const started = clock();
    this.runningCell = cellId;
    this.gate.begin(cellId, timeoutMs);
    this.timers.setOwner(cellId);
    this.output.begin(cellId);
    this.executions++;
    const compiled = this.compiler.compile(code);
    if ('mode' in compiled) {
      return this.finish(cellId, started, {
        status: 'error',
        mode: 'syntax-error',
        hasValue: false,
        error: {
          name: compiled.name ?? 'SyntaxError',
          message: compiled.message,
          line: compiled.line,
          column: compiled.column,
        },
      });
    }
    const { plan } = compiled;
    let status: CellOutcome['status'] = 'ok';
    let returned: unknown;
    let error: CellOutcome['error'];
    try {
      returned =
        plan.mode === 'top-level-await' ? await this.runAsync(compiled, timeoutMs) : this.runSync(compiled.run);
    } catch (thrown) {
      if (thrown instanceof CellInterrupt) {
        status = thrown.reason === 'timeout' ? 'timeout' : 'interrupted';
        this.timers.clear(cellId);
      } else {
        status = 'error';
        error = this.compiler.describeError(thrown, repr);
      }
    }
    this.recordDefinitions(compiled);
    const outcome: Omit<CellOutcome, 'outputDropped' | 'durationMs'> = {
      status,
      mode: plan.mode,
      hasValue: false,
    };
    const value = (returned as { value?: unknown } | undefined)?.value;
    if (status === 'ok' && value !== EMPTY) {
      outcome.hasValue = true;
      outcome.repr = repr(value);
      this.namespace.setLastValue(value);
      if (isCloneable(value)) outcome.value = value;
    }
    if (error) outcome.error = error;
    if (plan.definesFunctions) this.checkpoints.noteFunctions(plan.freeNames);
    const dirty = new Set<string>(plan.freeNames);
    for (const d of plan.declarations) dirty.add(d.name);
    // Code built from strings can change what is inside any value: everything is looked at again.
    if (dirty.has('eval') || dirty.has('Function')) for (const name of this.namespace.names()) dirty.add(name);
    this.markDirty(dirty, plan.mayCall, cellId);
    return this.finish(cellId, started, outcome);
  }

  private runSync(run: CellFunction): unknown {
    return engineGuard().user(() => applyPristine(run, undefined, [this.cellRuntime, this.namespace.lexical]));
  }

  /** An async cell races its own promise against a stop: a promise that never settles still ends. */
  private runAsync(compiled: CompiledCell, timeoutMs: number | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const deadline =
        timeoutMs === undefined
          ? undefined
          : this.timers.engine.setTimeout(() => stop(this.gate.stop('timeout')), timeoutMs);
      const guard = engineGuard();
      const stop = (reason: CellInterrupt) => {
        guard.setRestingUser(false);
        if (deadline !== undefined) this.timers.engine.clearTimeout(deadline);
        this.abortRunning = undefined;
        reject(reason);
      };
      this.abortRunning = stop;
      let promise: unknown;
      try {
        promise = guard.user(() => applyPristine(compiled.run, undefined, [this.cellRuntime, this.namespace.lexical]));
      } catch (error) {
        stop(error as CellInterrupt);
        return;
      }
      // The cell's awaits resume with the user's built-ins; its settling brings back the engine's.
      guard.setRestingUser(true);
      thenPristine(
        promise,
        (value) => {
          guard.setRestingUser(false);
          if (deadline !== undefined) this.timers.engine.clearTimeout(deadline);
          this.abortRunning = undefined;
          resolve(value);
        },
        (error) => {
          guard.setRestingUser(false);
          if (deadline !== undefined) this.timers.engine.clearTimeout(deadline);
          this.abortRunning = undefined;
          reject(error);
        },
      );
    });
  }

  private finish(
    cellId: number,
    started: number,
    outcome: Omit<CellOutcome, 'outputDropped' | 'durationMs'>,
  ): CellOutcome {
    this.gate.end();
    this.timers.setOwner(0);
    this.runningCell = 0;
    this.abortRunning = undefined;
    this.hostCalls.cancelCell(cellId);
    const dropped = this.output.end();
    const result: CellOutcome = { ...outcome, durationMs: clock() - started, outputDropped: dropped };
    // A cell that can have changed nothing (`1`, `f`) sends no checkpoint, so it promises none.
    const pending = this.pendingCheckpoint;
    if (pending && (pending.dirty === undefined || pending.dirty.size > 0 || pending.callsAnything)) {
      pending.announced = true;
      result.checkpointFollows = true;
    }
    return result;
  }

  /**
   * Records what changed (`'all'`: everything) for the next checkpoint, which is taken after
   * the reply has gone out — or before the next cell starts, whichever comes first.
   */
  private markDirty(names: Iterable<string> | 'all', callsAnything = false, cellId = 0): void {
    const pending = (this.pendingCheckpoint ??= { dirty: new Set(), callsAnything: false, cellId });
    if (names === 'all') pending.dirty = undefined;
    else if (pending.dirty) for (const name of names) pending.dirty.add(name);
    pending.callsAnything ||= callsAnything;
    if (cellId) pending.cellId = cellId;
    this.checkpointTimer ??= this.timers.engine.setTimeout(() => {
      this.checkpointTimer = undefined;
      engineGuard().engine(() => this.flushCheckpoint());
    }, 0);
  }

  /** An answer from the page to one of the worker's requests (input, capability calls). */
  onHostEvent = (event: HostEvent): void => {
    this.hostCalls.onHostEvent(event);
  };

  /**
   * Called by the RPC right after a reply went out, still on the engine's built-ins: the
   * pending checkpoint is taken there and then, saving the timer task its own switch of the
   * built-ins (a diff of every guarded property — most of what an execute() costs).
   */
  afterReply = (): void => {
    this.flushCheckpoint();
  };

  private flushCheckpoint(): void {
    if (this.checkpointTimer !== undefined) {
      this.timers.engine.clearTimeout(this.checkpointTimer);
      this.checkpointTimer = undefined;
    }
    const pending = this.pendingCheckpoint;
    if (!pending) return;
    this.pendingCheckpoint = undefined;
    try {
      const checkpoint = this.checkpoints.take(this.namespace, pending.dirty, pending.callsAnything);
      if (pending.announced || checkpoint.groups.length > 0 || checkpoint.removed.length > 0) {
        this.deps.post({ type: 'checkpoint', checkpoint });
      }
    } catch (error) {
      // The page is told nothing changed, so a kill it holds back for this checkpoint can go ahead.
      if (pending.announced)
        this.deps.post({ type: 'checkpoint', checkpoint: { full: false, groups: [], removed: [] } });
      this.output.stream('stderr', `[sandcell] could not checkpoint the namespace: ${String(error)}\n`);
      this.output.flush();
    }
  }

  /**
   * A direct `eval(code)` at a cell's top level: the code is transformed like a cell (reaching
   * the namespace; its vars and functions declared there), not instrumented (as eval code never
   * is: the hard path stops it), and run; its completion value is eval's result.
   */
  private evalCode(evaluate: unknown, code: unknown, rest: unknown[], strict: boolean): unknown {
    if (evaluate !== originalEval) {
      return applyPristine(evaluate as (...args: unknown[]) => unknown, undefined, [code, ...rest]);
    }
    if (typeof code !== 'string') return code;
    const compiled = this.compileEval(strict ? `'use strict';${code}` : code);
    if ('mode' in compiled) throw new SyntaxError(compiled.message);
    if (compiled.plan.mode === 'top-level-await') {
      throw new SyntaxError('await is only valid in async functions and the top level bodies of modules');
    }
    const returned = applyPristine(compiled.run, undefined, [this.cellRuntime, this.namespace.lexical]) as {
      value: unknown;
    };
    return returned.value === EMPTY ? undefined : returned.value;
  }

  /**
   * Runs a saved function or class declaration as a cell would (the same compiler: interrupt
   * checks, the policy's rewrites), under {@link RESTORE_TIME_LIMIT_MS}, and returns what it
   * declared. The page is told which definition runs, so a worker that dies or stalls in it
   * can be replaced and the definition given up on.
   * @throws DefinitionGivenUp when it ran past the time limit (final: not tried again).
   */
  private declareFromSource(source: string, name: string): unknown {
    const compiled = this.compiler.compile(source);
    if ('mode' in compiled) throw new SyntaxError(compiled.message);
    // A restore asked for while an async cell awaits runs under that cell's gate and limit.
    const ownGate = this.runningCell === 0;
    this.deps.post({ type: 'restoring', name });
    if (ownGate) this.gate.begin(RESTORE_CELL_ID, RESTORE_TIME_LIMIT_MS);
    try {
      this.runSync(compiled.run);
    } catch (error) {
      this.namespace.discard(name);
      if (error instanceof CellInterrupt) {
        throw new DefinitionGivenUp(
          `restoring it ran past the ${RESTORE_TIME_LIMIT_MS} ms time limit for a definition (a class body or static block that does not finish)`,
        );
      }
      throw error;
    } finally {
      if (ownGate) this.gate.end();
      this.deps.post({ type: 'restoring', name: null });
    }
    return this.namespace.get(name);
  }

  private recordDefinitions(compiled: CompiledCell): void {
    for (const [name, source] of Object.entries(compiled.plan.definitions)) {
      if (this.namespace.has(name)) this.definitions.set(name, { source, value: this.namespace.get(name) });
    }
  }

  /** Definitions whose variable still holds the function or class they made. */
  private liveDefinitions(): Record<string, string> {
    const live: Record<string, string> = {};
    for (const [name, { source, value }] of this.definitions) {
      if (this.namespace.has(name) && this.namespace.get(name) === value) live[name] = source;
      else this.definitions.delete(name);
    }
    return live;
  }

  async detectMode(code: string): Promise<ExecutionMode> {
    const compiled = this.compiler.compile(String(code));
    return 'mode' in compiled ? compiled.mode : compiled.plan.mode;
  }

  async interrupt(cellId: number): Promise<void> {
    if (cellId === 0) {
      // Stop pressed while idle: clear what finished cells left running.
      this.timers.clear();
      return;
    }
    if (cellId !== this.runningCell) return;
    const reason = this.gate.stop('interrupt');
    this.timers.clear(cellId);
    this.hostCalls.cancelCell(cellId);
    this.abortRunning?.(reason);
  }

  // ── namespace from the host ────────────────────────────────────────────────────

  async getVariable(name: string): Promise<{ found: boolean; value?: unknown; error?: string }> {
    if (!this.namespace.has(name)) return { found: false };
    const value = this.namespace.get(name);
    if (!isCloneable(value)) {
      return {
        found: true,
        error: `[sandcell] variable '${name}' (${typeName(value)}) cannot be copied to the page: ${repr(value, SUMMARY_LIMITS)}`,
      };
    }
    return { found: true, value };
  }

  async setVariables(values: Record<string, unknown>, strategy: string): Promise<void> {
    const names = Object.keys(values);
    for (const name of names) {
      if (ENGINE_INTERNALS.has(name)) throw new TypeError(`[sandcell] cannot set '${name}': it is an engine internal`);
      if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name))
        throw new TypeError(`[sandcell] cannot set ${JSON.stringify(name)}: not a valid identifier`);
    }
    const current = {
      has: (name: string) => this.namespace.has(name),
      get: (name: string) => this.namespace.get(name),
    };
    const writes = planMerge(current, values, strategy as MergeStrategy);
    for (const [name, value] of Object.entries(writes)) this.namespace.set(name, value);
    this.markDirty(Object.keys(writes));
  }

  async listVariables(): Promise<VariableInfo[]> {
    return this.namespace.names().map((name) => {
      let value: unknown;
      try {
        value = this.namespace.get(name);
      } catch (error) {
        return { name, type: 'unknown', repr: `<getter threw: ${repr(error, SUMMARY_LIMITS)}>` };
      }
      return { name, type: typeName(value), repr: repr(value, SUMMARY_LIMITS) };
    });
  }

  async deleteVariable(name: string): Promise<boolean> {
    const deleted = this.namespace.delete(name);
    if (deleted) {
      this.definitions.delete(name);
      this.markDirty([]);
    }
    return deleted;
  }

  async clearVariables(): Promise<void> {
    this.namespace.clear();
    this.definitions.clear();
    this.markDirty([]);
  }

  async restoreCheckpoint(groups: CheckpointGroup[], givenUp: SkippedVariable[] = []): Promise<RestoreReport> {
    const report: RestoreReport = { restored: [], skipped: [] };
    for (const group of groups) {
      const result = this.snapshots.decodeInto(group.payload, givenUp);
      report.restored.push(...result.restored);
      report.skipped.push(...result.skipped);
      for (const [name, source] of Object.entries(result.definitions)) {
        this.definitions.set(name, { source, value: this.namespace.get(name) });
      }
    }
    // The restored groups are what the host holds: take a full checkpoint so both sides agree.
    this.checkpoints.reset();
    this.markDirty('all');
    return report;
  }

  async encodeSnapshot(): Promise<EncodedSnapshot> {
    const { record, saved, skipped, bytes } = this.snapshots.encode();
    return { record, saved, skipped, bytes };
  }

  async restoreSnapshot(record: unknown, givenUp: SkippedVariable[] = []): Promise<RestoreReport> {
    const result = this.snapshots.decodeInto(record, givenUp);
    for (const [name, source] of Object.entries(result.definitions)) {
      this.definitions.set(name, { source, value: this.namespace.get(name) });
    }
    this.checkpoints.reset();
    this.markDirty('all');
    return { restored: result.restored, skipped: result.skipped };
  }

  async stats(): Promise<{
    executions: number;
    cache: { size: number; capacity: number; hits: number; misses: number };
    variables: number;
  }> {
    return { executions: this.executions, cache: this.compiler.stats(), variables: this.namespace.names().length };
  }
}

/** Whether `value` survives postMessage (the result's `value` is only sent when it does). */
function isCloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol'))
    return true;
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  try {
    cloneValue(value);
    return true;
  } catch {
    return false;
  }
}
