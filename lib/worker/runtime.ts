/**
 * The session runtime inside the worker: runs cells, owns the namespace, output, input,
 * timers and checkpoints. It knows nothing about the transport: the entry file builds it
 * from the init message and rpc.ts serves it on the session's port.
 *
 * `execute` and `interrupt` are the hot path: they run with a cell's patches to the shared
 * built-ins in force and use only primordials (lib/primordials.ts) — objects they build
 * have no prototype, the page's request is read by own fields. What they need that calls
 * shared built-ins (compiling a new cell, rendering a value that is not plain data,
 * describing an error, a checkpoint of objects) goes through `guard.engine`. The other
 * methods are cold: rpc.ts runs them under the guard.
 */

import { PolicyError } from '../errors.ts';
import type { CellSyntaxError, DeclarationKind } from '../executor/cell-plan.ts';
import type { CellFunction, CompiledCell } from '../executor/compile.ts';
import { CellCompiler } from '../executor/compile.ts';
import { type CellInterrupt, InterruptGate, isInterrupt } from '../executor/interrupt.ts';
import { plainFlagLoadsStayInLoops } from '../executor/interrupt-checks.ts';
import { withScope } from '../executor/with-scope.ts';
import { CheckpointTracker } from '../namespace/checkpoint.ts';
import { Definitions } from '../namespace/definitions.ts';
import { Namespace } from '../namespace/namespace.ts';
import {
  append,
  now as clock,
  JSONStringify,
  list,
  ObjectFreeze,
  ObjectHasOwn,
  ObjectKeys,
  ownField,
  PromiseCtor,
  ReflectApply,
  StringCtor,
  SyntaxErrorCtor,
  structuredClonePristine,
  TypeErrorCtor,
  whenSettled,
} from '../primordials.ts';
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
import type { ExecutionMode, SkippedVariable, VariableInfo } from '../types.ts';
import { installCellGlobals } from './cell-globals.ts';
import { CheckpointSender } from './checkpoint-sender.ts';
import { describeVariables, readVariable, writeVariables } from './host-namespace.ts';
import { CellTimers } from './io/cell-timers.ts';
import { createHostObject, type HostCalls } from './io/host-calls.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, OutputChannel } from './io/output.ts';
import { renderPlain } from './io/plain-render.ts';
import { repr } from './io/repr.ts';
import { engineGuard } from './lockdown/intrinsics.ts';
import { createSnapshotCodec, type SnapshotCodec } from './snapshot-codec.ts';

const originalEval = globalThis.eval;

/** What a cell returns as its value when it completed without one (`let x = 1`, `function f() {}`). */
const EMPTY: object = Object.freeze({ __proto__: null });

/** What a new worker transforms once, unseen, to have the parser and transform warm for the first real cell. */
const WARM_UP_CELL =
  "let a = [1, 2, 3]; const o = { k: 'v', n: a.length }; function f(x) { return x + 1 }\n" +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the cell's own template literal, to warm that transform too
  'for (let i = 0; i < 3; i++) a.push(f(i)); try { o.k += `${a}` } catch (e) {} console.log(a, o); a';

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

/**
 * The runtime as rpc.ts serves it: each RuntimeApi method, answering with its value or
 * with a promise the engine made (the page sees a promise either way).
 */
export type ServedRuntime = {
  [K in keyof RuntimeApi]: RuntimeApi[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R | Promise<R>
    : never;
};

/** Names the page may call without the guard: they use only primordials. */
export const HOT_METHODS: ReadonlySet<string> = new Set(['execute', 'interrupt']);

export class SessionRuntime implements ServedRuntime {
  private readonly namespace: Namespace;
  private readonly gate: InterruptGate;
  private readonly compiler: CellCompiler;
  /** Compiles the code of a direct eval (engine work: called from user code through the guard). */
  private readonly compileEval: (code: string) => CompiledCell | CellSyntaxError;
  private readonly output: OutputChannel;
  private readonly timers: CellTimers;
  private readonly checkpoints: CheckpointTracker;
  private readonly checkpointSender: CheckpointSender;
  private readonly snapshots: SnapshotCodec;
  private readonly hostCalls: HostCalls;
  /** Source of each live top-level function/class declaration, with the value it made. */
  private readonly definitions: Definitions;
  private readonly cellRuntime: Record<string, unknown>;
  private executions = 0;
  private runningCell = 0;
  private abortRunning?: (reason: CellInterrupt) => void;

  constructor(private readonly deps: RuntimeDeps) {
    const { scope, config, control } = deps;
    const namespace = new Namespace(scope as unknown as Record<string, unknown>, globalNames(scope));
    this.namespace = namespace;
    this.gate = new InterruptGate(control, ControlSlot.Interrupt);
    this.compiler = new CellCompiler(config.cacheSize, {
      instrument: true,
      // With shared memory the host raises the flag at a deadline: loops need only load it
      // (where the engine keeps that load in the loop).
      flagChecks: this.gate.flagView !== undefined && plainFlagLoadsStayInLoops(),
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
    this.definitions = new Definitions(namespace);
    this.snapshots = createSnapshotCodec({
      namespace: this.namespace,
      definitions: () => this.definitions.live(),
      define: (source, name) => this.declareFromSource(source, name),
    });
    this.checkpoints = new CheckpointTracker((names) => this.snapshots.encode(names).record);
    this.checkpointSender = new CheckpointSender({
      tracker: this.checkpoints,
      namespace,
      setTimeout: this.timers.engine.setTimeout,
      clearTimeout: this.timers.engine.clearTimeout,
      post: deps.post,
      failed: (message) => {
        this.output.stream('stderr', `${message}\n`);
        this.output.flush();
      },
    });
    this.hostCalls = createHostObject(config.capabilities, deps.post, () => this.runningCell);

    const ns = this.namespace;
    const gate = this.gate;
    // Called from inside cells, with the cell's patches in force: what is not wrapped uses only primordials.
    this.cellRuntime = ObjectFreeze({
      n: gate.countdown,
      i: gate.flagView,
      tick: gate.tick,
      rethrow: gate.rethrow,
      empty: EMPTY,
      // The namespace's hooks use only primordials: no switch of the built-ins for a declaration.
      // `deletable`: what eval code declares (var, function) can be deleted, as the language has it.
      declare: (declarations: Array<[string, DeclarationKind]>, deletable?: boolean) =>
        ns.declare(declarations, deletable === true),
      fn: (name: string, value: unknown, deletable?: boolean) => ns.defineFunction(name, value, deletable === true),
      // One call per declarator: no switch of the built-ins (the namespace uses captured ones only).
      init: ns.init,
      initAll: ns.initAll,
      gen: ns.generation,
      hoist: ns.hoist,
      unhoist: ns.unhoist,
      evalCode: (evaluate: unknown, code?: unknown, ...rest: unknown[]) => this.evalCode(evaluate, code, rest, false),
      evalStrict: (evaluate: unknown, code?: unknown, ...rest: unknown[]) => this.evalCode(evaluate, code, rest, true),
      withScope,
      importDenied: (specifier: unknown) => {
        const error = new PolicyError(
          `[sandcell] import(${JSONStringify(StringCtor(specifier))}) is blocked by the session policy: loading code needs { network: true }`,
        );
        return new PromiseCtor<never>((_, reject) => reject(error));
      },
    });
    installCellGlobals({
      scope,
      namespace,
      output: this.output,
      timers: this.timers,
      gate,
      hostCalls: this.hostCalls,
      config,
      control,
      inputBuffer: deps.inputBuffer,
      compiledTexts: () => this.compiler.compiledTexts(),
      reportBackgroundError: (error, prefix) => this.reportBackgroundError(error, prefix),
    });
  }

  private reportBackgroundError(error: unknown, prefix = 'Uncaught'): void {
    if (isInterrupt(error)) return;
    engineGuard().engine(() => {
      const described = this.compiler.describeError(error, repr);
      const text = described.stack ?? `${described.name}: ${described.message}`;
      this.output.stream('stderr', `${prefix} ${text}\n`);
    });
    if (this.runningCell === 0) this.output.flush();
  }

  ready(): Promise<{ crossOriginIsolated: boolean }> {
    const crossOriginIsolated = this.deps.control !== undefined;
    const alive = this.deps.alive ?? PromiseCtor.resolve();
    return new PromiseCtor((resolve) => {
      const answer = () => {
        // Before the answer: a session is ready (and pooled) warm, and its first cell does not queue behind this.
        // Only a speed-up: whatever it throws must not keep the session from starting.
        try {
          engineGuard().engine(() => this.compiler.warm(WARM_UP_CELL));
        } catch {}
        resolve({ __proto__: null, crossOriginIsolated } as { crossOriginIsolated: boolean });
      };
      whenSettled(alive, answer, answer);
    });
  }

  // ── cells: the hot path ─────────────────────────────────────────────────────────

  execute(request: ExecuteRequest): CellOutcome | Promise<CellOutcome> {
    const cellId = ownField(request, 'cellId');
    const code = ownField(request, 'code');
    const limit = ownField(request, 'timeoutMs');
    if (typeof cellId !== 'number' || typeof code !== 'string') {
      throw new TypeErrorCtor('[sandcell] execute needs { cellId: number, code: string }');
    }
    const timeoutMs = typeof limit === 'number' ? limit : undefined;
    this.checkpointSender.flush();
    const started = clock();
    this.runningCell = cellId;
    this.gate.begin(cellId, timeoutMs);
    this.timers.setOwner(cellId);
    this.output.begin(cellId);
    this.executions++;
    let compiled = this.compiler.cached(code);
    if (compiled === undefined) compiled = engineGuard().engine(() => this.compiler.compileMiss(code));
    if (ObjectHasOwn(compiled, 'mode')) {
      const error = compiled as CellSyntaxError;
      return this.finish(cellId, started, {
        __proto__: null,
        status: 'error',
        mode: 'syntax-error',
        hasValue: false,
        error: {
          __proto__: null,
          name: error.name ?? 'SyntaxError',
          message: error.message,
          line: error.line,
          column: error.column,
        },
      } as unknown as CellOutcome);
    }
    const cell = compiled as CompiledCell;
    if (cell.plan.mode === 'top-level-await') return this.runAsync(cell, cellId, started, timeoutMs);
    let returned: unknown;
    try {
      returned = this.runCell(cell.run);
    } catch (thrown) {
      return this.complete(cellId, started, cell, true, thrown);
    }
    return this.complete(cellId, started, cell, false, returned);
  }

  /** Calls a compiled cell's function, with the hooks and the lexical scope. */
  private runCell(run: CellFunction): unknown {
    return ReflectApply(run, undefined, [this.cellRuntime, this.namespace.lexical]);
  }

  /** An async cell races its own promise against a stop: a promise that never settles still ends. */
  private runAsync(cell: CompiledCell, cellId: number, started: number, timeoutMs: number | undefined) {
    return new PromiseCtor<CellOutcome>((resolve) => {
      let done = false;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      // resolve() looks for `then` on what it is given: the outcome has no prototype.
      const settle = (threw: boolean, result: unknown) => {
        if (done) return;
        done = true;
        if (deadline !== undefined) this.timers.engine.clearTimeout(deadline);
        this.abortRunning = undefined;
        resolve(this.complete(cellId, started, cell, threw, result));
      };
      if (timeoutMs !== undefined) {
        deadline = this.timers.engine.setTimeout(() => settle(true, this.gate.stop('timeout')), timeoutMs);
      }
      this.abortRunning = (reason) => settle(true, reason);
      let promise: unknown;
      try {
        promise = this.runCell(cell.run);
      } catch (thrown) {
        settle(true, thrown);
        return;
      }
      // The async function's own promise: nobody else holds it, and whenSettled looks nothing up.
      whenSettled(
        promise as Promise<unknown>,
        (value) => settle(false, value),
        (error) => settle(true, error),
      );
    });
  }

  /** The outcome of a cell that ran: built from primordials, with no prototype, so nothing a cell defined can reach it. */
  private complete(cellId: number, started: number, cell: CompiledCell, threw: boolean, result: unknown): CellOutcome {
    const plan = cell.plan;
    const guard = engineGuard();
    const outcome = { __proto__: null, status: 'ok', mode: plan.mode, hasValue: false } as unknown as CellOutcome;
    // Interrupted only when the engine stopped this cell: an interrupt a cell kept from an
    // earlier one and throws again is an error like any other value.
    const stopped = this.gate.stopReason;
    if (threw) {
      if (stopped !== undefined && isInterrupt(result)) {
        outcome.status = stopped === 'timeout' ? 'timeout' : 'interrupted';
        this.timers.clear(cellId);
      } else {
        outcome.status = 'error';
        outcome.error = guard.engine(() => this.compiler.describeError(result, repr, cell));
      }
    }
    if (ObjectKeys(plan.definitions).length > 0) guard.engine(() => this.definitions.record(plan.definitions));
    // The cell returned `{ __proto__: null, value }`, the value EMPTY when it has none.
    const value = threw ? EMPTY : ownField(result, 'value');
    if (value !== EMPTY) {
      outcome.hasValue = true;
      this.describeValue(value, outcome);
      this.namespace.setLastValue(value);
    }
    if (plan.definesFunctions) guard.engine(() => this.checkpoints.noteFunctions(plan.freeNames));
    const names = list<string>();
    let fromStrings = false;
    for (let i = 0; i < plan.freeNames.length; i++) {
      const name = plan.freeNames[i];
      if (name === 'eval' || name === 'Function') fromStrings = true;
      append(names, name);
    }
    for (let i = 0; i < plan.declarations.length; i++) append(names, plan.declarations[i].name);
    // Code built from strings can change what is inside any value: everything is looked at again.
    if (fromStrings) {
      const all = this.namespace.names();
      for (let i = 0; i < all.length; i++) append(names, all[i]);
    }
    // A cell that names no variable and calls nothing (`1`, `[1, 2]`) cannot change one: no
    // checkpoint to take (taking even an empty one walks every global).
    if (names.length > 0 || plan.mayCall) this.checkpointSender.markDirty(names, plan.mayCall);
    return this.finish(cellId, started, outcome);
  }

  /**
   * `repr` and, when structured clone takes it, the value itself — the clone, so what the
   * page receives is plain data whatever the value's getters or proxies do when read again.
   */
  private describeValue(value: unknown, outcome: CellOutcome): void {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      if (typeof value !== 'symbol') outcome.value = value;
    } else if (typeof value === 'object') {
      let cloned = false;
      let clone: unknown;
      try {
        clone = structuredClonePristine(value);
        cloned = true;
      } catch {}
      if (cloned) outcome.value = clone;
    }
    outcome.repr = renderPlain(value) ?? engineGuard().engine(() => repr(value));
  }

  private finish(cellId: number, started: number, outcome: CellOutcome): CellOutcome {
    this.gate.end();
    this.timers.setOwner(0);
    this.runningCell = 0;
    this.abortRunning = undefined;
    this.hostCalls.cancelCell(cellId);
    outcome.outputDropped = this.output.end();
    outcome.durationMs = clock() - started;
    if (this.checkpointSender.announce()) outcome.checkpointFollows = true;
    return outcome;
  }

  /** An answer from the page to one of the worker's requests (input, capability calls). */
  onHostEvent = (event: HostEvent): void => {
    this.hostCalls.onHostEvent(event);
  };

  /** Called by the RPC right after a reply went out: the pending checkpoint is taken there and then. */
  afterReply = (): void => {
    this.checkpointSender.flush();
  };

  /**
   * A direct `eval(code)` at a cell's top level: the code is transformed like a cell (reaching
   * the namespace; its vars and functions declared there), not instrumented (as eval code never
   * is: the hard path stops it), and run; its completion value is eval's result.
   */
  private evalCode(evaluate: unknown, code: unknown, rest: unknown[], strict: boolean): unknown {
    if (evaluate !== originalEval) {
      const args = list<unknown>();
      append(args, code);
      for (let i = 0; i < rest.length; i++) append(args, rest[i]);
      return ReflectApply(evaluate as (...args: unknown[]) => unknown, undefined, args);
    }
    if (typeof code !== 'string') return code;
    const compiled = this.compileEval(strict ? `'use strict';${code}` : code);
    if (ObjectHasOwn(compiled, 'mode')) throw new SyntaxErrorCtor((compiled as CellSyntaxError).message);
    const cell = compiled as CompiledCell;
    if (cell.plan.mode === 'top-level-await') {
      throw new SyntaxErrorCtor('await is only valid in async functions and the top level bodies of modules');
    }
    const value = ownField(this.runCell(cell.run), 'value');
    return value === EMPTY ? undefined : value;
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
      // The definition is user code: it runs with the user's patches, as the cell that made it did.
      engineGuard().user(() => this.runCell(compiled.run));
    } catch (error) {
      this.namespace.discard(name);
      if (isInterrupt(error)) {
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

  detectMode(code: string): ExecutionMode {
    const compiled = this.compiler.compile(String(code));
    return 'mode' in compiled ? compiled.mode : compiled.plan.mode;
  }

  interrupt(cellId: number): void {
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

  getVariable(name: string): { found: boolean; value?: unknown; error?: string } {
    return readVariable(this.namespace, name);
  }

  setVariables(values: Record<string, unknown>, strategy: string): void {
    this.checkpointSender.markDirty(writeVariables(this.namespace, values, strategy));
  }

  listVariables(): VariableInfo[] {
    return describeVariables(this.namespace);
  }

  deleteVariable(name: string): boolean {
    const deleted = this.namespace.delete(name);
    if (deleted) {
      this.definitions.delete(name);
      this.checkpointSender.markDirty([]);
    }
    return deleted;
  }

  clearVariables(): void {
    this.namespace.clear();
    this.definitions.clear();
    this.checkpointSender.markDirty([]);
  }

  restoreCheckpoint(groups: CheckpointGroup[], givenUp: SkippedVariable[] = []): RestoreReport {
    const report: RestoreReport = { restored: [], skipped: [] };
    for (const group of groups) {
      const result = this.snapshots.decodeInto(group.payload, givenUp);
      report.restored.push(...result.restored);
      report.skipped.push(...result.skipped);
      this.definitions.record(result.definitions);
    }
    // The restored groups are what the host holds: take a full checkpoint so both sides agree.
    this.checkpointSender.restart();
    return report;
  }

  encodeSnapshot(): EncodedSnapshot {
    const { record, saved, skipped, bytes } = this.snapshots.encode();
    return { record, saved, skipped, bytes };
  }

  restoreSnapshot(record: unknown, givenUp: SkippedVariable[] = []): RestoreReport {
    const result = this.snapshots.decodeInto(record, givenUp);
    this.definitions.record(result.definitions);
    this.checkpointSender.restart();
    return { restored: result.restored, skipped: result.skipped };
  }

  stats(): {
    executions: number;
    cache: { size: number; capacity: number; hits: number; misses: number };
    variables: number;
  } {
    return { executions: this.executions, cache: this.compiler.stats(), variables: this.namespace.names().length };
  }
}
