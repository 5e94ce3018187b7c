/**
 * A Python session's runtime inside its worker: the same {@link RuntimeApi} the page calls on
 * a JavaScript worker, served by the Python engine (lib/python/engine, see its package
 * docstring for the contract) running in Pyodide. Output, capability calls and the awaited
 * `input()` go through the JavaScript worker's own io modules, so both languages batch, cap
 * and order output the same way.
 */
import type { PyodideInterface } from 'pyodide';
import {
  type CellOutcome,
  type Checkpoint,
  type CheckpointGroup,
  ControlSlot,
  type EncodedSnapshot,
  type ExecuteRequest,
  type HostEvent,
  InputState,
  type RestoreReport,
  type RuntimeApi,
  type RuntimeConfig,
  type RuntimeStats,
  type WorkerEvent,
} from '../../protocol.ts';
import { pythonRecordGroups, toPythonRecord } from '../../snapshot/python-record.ts';
import type { CellError, ExecutionMode, SkippedVariable, VariableInfo } from '../../types.ts';
import { createHostObject, type HostCalls } from '../../worker/io/host-calls.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, OutputChannel } from '../../worker/io/output.ts';
import { installWheelFromCell } from './cell-wheels.ts';
import { bootPyodide } from './pyodide-boot.ts';

/** What a cell's result looks like when it leaves the engine (see the engine's docstring). */
interface EngineResult {
  status: 'ok' | 'error' | 'interrupted';
  mode: ExecutionMode;
  value?: unknown;
  repr?: string;
  error?: CellError;
}

/** A record of `engine.snapshot()` / `engine.checkpoint()`. */
export interface EngineRecord {
  format: string;
  version: number;
  python: string;
  full: boolean;
  removed: string[];
  groups: CheckpointGroup[];
  saved: string[];
  skipped: Array<{ name: string; reason: string }>;
}

/** The engine's methods as the worker calls them (JavaScript values in and out). */
interface PythonEngine {
  execute(code: string): EngineResult | Promise<EngineResult>;
  detect_mode(code: string): ExecutionMode;
  interrupt(): void;
  stats(): Omit<RuntimeStats, never>;
  namespace_list(): VariableInfo[];
  namespace_get(name: string): unknown;
  namespace_set(values: Record<string, unknown>, strategy: string): string[];
  namespace_delete(name: string): boolean;
  namespace_clear(): void;
  snapshot(): EngineRecord;
  checkpoint(): EngineRecord;
  restore(groups: CheckpointGroup[], givenUp?: SkippedVariable[]): RestoreReport;
}

export interface PythonRuntimeDeps {
  scope: typeof globalThis;
  config: RuntimeConfig;
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  post: (event: WorkerEvent) => void;
  /** Resolves once the worker holds its life lock (page-hosted workers). */
  alive?: Promise<void>;
  /** Runs once Pyodide and the engine are up, before any cell: the policy goes in force here. */
  afterBoot: () => void;
  /** Ends the worker, telling the page why (it restarts the session from its checkpoint). */
  die: (reason: string) => void;
}

// Our own copies: a cell can reach and replace `Atomics` through `import js`.
const atomicsLoad = Atomics.load;
const atomicsStore = Atomics.store;
const atomicsWait = Atomics.wait;
const atomicsCompareExchange = Atomics.compareExchange;
const engineSetTimeout = setTimeout.bind(globalThis) as typeof setTimeout;
const engineClearTimeout = clearTimeout.bind(globalThis) as typeof clearTimeout;

export class PythonRuntime implements RuntimeApi {
  private engine?: PythonEngine;
  private readonly booting: Promise<void>;
  private readonly output: OutputChannel;
  private readonly hostCalls: HostCalls;
  /** Pyodide's interrupt buffer: one slot of the session's control buffer (see ControlSlot.Signal). */
  private readonly signal?: Int32Array;
  private runningCell = 0;
  private checkpointDue = false;

  constructor(private readonly deps: PythonRuntimeDeps) {
    const { config, control } = deps;
    this.signal = control ? new Int32Array(control.buffer, ControlSlot.Signal * 4, 1) : undefined;
    this.output = new OutputChannel(
      deps.post,
      config.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      () => performance.now(),
      { set: engineSetTimeout, clear: engineClearTimeout },
    );
    this.hostCalls = createHostObject(config.capabilities, deps.post, () => this.runningCell);
    this.booting = this.boot();
    this.booting.catch(() => {});
  }

  private async boot(): Promise<void> {
    const { config, scope } = this.deps;
    if (!config.python) throw new Error('[sandcell] this worker runs Python sessions, but got no Python runtime');
    const pyodide = await bootPyodide(scope, config.python, {
      stdout: (text) => this.output.stream('stdout', text),
      stderr: (text) => this.output.stream('stderr', text),
    });
    // Without shared memory nobody can write to the buffer, but one is set all the same: with
    // a buffer, CPython's eval loop calls into JavaScript every few dozen bytecodes to read it,
    // and only there can JavaScriptCore end the worker. JSC cannot preempt code that stays in
    // WebAssembly, so in WebKit a hard-path kill (the frame removed) of a worker busy in pure
    // Python bytecode otherwise left it spinning a core until the page closed.
    pyodide.setInterruptBuffer(this.signal ?? new Int32Array(1));
    const module = pyodide.pyimport('sandcell_engine') as {
      create_engine(hooks: object, cacheSize: number): PythonEngine;
    };
    this.engine = module.create_engine(this.hooks(pyodide), config.cacheSize);
    this.deps.afterBoot();
  }

  /** The hooks the engine calls (see the engine's docstring). */
  private hooks(pyodide: PyodideInterface): Record<string, unknown> {
    const { config, control, inputBuffer } = this.deps;
    const signal = this.signal;
    const hooks: Record<string, unknown> = {
      // The engine batched already (32 kB or 50 ms): each batch goes out now, since a busy cell
      // gives this worker no turn to run the channel's timer.
      write: (stream: 'stdout' | 'stderr', text: string) => {
        this.output.stream(stream, text);
        this.output.flush();
      },
      display: (bundle: Record<string, unknown>) => this.output.display(bundle),
      // Which group a restore loads (its first name), null after it: the page's restore watch
      // replaces a worker that dies or stalls in one and restores again without it.
      restoring: (name: string | null | undefined) => this.deps.post({ type: 'restoring', name: name ?? null }),
      callHost: (name: string, args: unknown[]) => {
        const fn = (this.hostCalls.host as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
        return fn ? fn(...args) : Promise.reject(new Error(`host has no capability '${name}'`));
      },
      capabilities: config.capabilities,
      // `micropip.install(url)` from a cell: only where the policy lets cells reach the network.
      network: config.policy.network,
    };
    if (config.policy.network) {
      const scope = this.deps.scope;
      hooks.installWheel = (url: string) => installWheelFromCell(scope, pyodide, String(url));
    }
    if (signal) {
      hooks.interruptFlag = signal;
      // The page stores the cell's id beside SIGINT: a stop for a cell that just ended is not this one's.
      const stopFor = control as Int32Array;
      hooks.stopWanted = () =>
        this.runningCell !== 0 && atomicsLoad(stopFor, ControlSlot.Interrupt) === this.runningCell;
      // A stop stores SIGINT there and notifies: the wait ends at once (also when it is already set).
      hooks.sleep = (ms: number) => atomicsWait(signal, 0, 0, Math.max(0, ms)) !== 'timed-out';
    }
    if (config.hasInput) {
      if (control && inputBuffer) hooks.input = (prompt: string) => this.readInput(control, inputBuffer, prompt);
      else
        hooks.inputAsync = (prompt: string) => {
          // What the cell printed before asking reaches the page before the question does.
          this.output.flush();
          return this.hostCalls.requestInput(prompt);
        };
    }
    return hooks;
  }

  /** Synchronous `input()`: blocks until the page writes the answer, or a stop wakes it (null). */
  private readInput(control: Int32Array, inputBuffer: SharedArrayBuffer, prompt: string): string | null {
    this.output.flush();
    atomicsStore(control, ControlSlot.InputState, InputState.Waiting);
    this.hostCalls.announceInput(prompt);
    for (;;) {
      atomicsWait(control, ControlSlot.InputState, InputState.Waiting);
      if (this.runningCell !== 0 && atomicsLoad(control, ControlSlot.Interrupt) === this.runningCell) {
        atomicsStore(control, ControlSlot.InputState, InputState.Idle);
        return null;
      }
      // A stop meant for another cell: keep waiting (unless the answer has landed meanwhile).
      atomicsCompareExchange(control, ControlSlot.InputState, InputState.Stopping, InputState.Waiting);
      if (atomicsLoad(control, ControlSlot.InputState) !== InputState.Waiting) break;
    }
    const state = atomicsLoad(control, ControlSlot.InputState);
    const length = atomicsLoad(control, ControlSlot.InputLength);
    // TextDecoder refuses views of shared memory: copy out first.
    const answer = new TextDecoder().decode(new Uint8Array(inputBuffer, 0, length).slice());
    atomicsStore(control, ControlSlot.InputState, InputState.Idle);
    if (state === InputState.Failed) throw new Error(answer);
    return answer;
  }

  private async ready_(): Promise<PythonEngine> {
    await this.booting;
    return this.engine as PythonEngine;
  }

  async ready(): Promise<{ crossOriginIsolated: boolean }> {
    await this.deps.alive;
    await this.booting;
    return { crossOriginIsolated: this.deps.control !== undefined };
  }

  async execute(request: ExecuteRequest): Promise<CellOutcome> {
    const engine = await this.ready_();
    this.flushCheckpoint();
    const { cellId, code } = request;
    const started = performance.now();
    this.runningCell = cellId;
    this.output.begin(cellId);
    let result: EngineResult;
    try {
      result = await engine.execute(String(code));
    } catch (error) {
      if ((error as { pyodide_fatal_error?: unknown } | null)?.pyodide_fatal_error) {
        // Pyodide cannot run anything after this (a JavaScript stack overflow inside it, …): the
        // page brings the session back on a new worker with the last completed cell's variables.
        this.deps.die(`Pyodide suffered a fatal error (${error instanceof Error ? error.message : String(error)})`);
        return new Promise<never>(() => {});
      }
      result = { status: 'error', mode: 'sync', error: { name: 'InternalError', message: pythonMessage(error) } };
    }
    this.runningCell = 0;
    this.hostCalls.cancelCell(cellId);
    const dropped = this.output.end();
    this.checkpointDue = true;
    const outcome: CellOutcome = {
      status: result.status,
      mode: result.mode,
      durationMs: performance.now() - started,
      hasValue: result.repr !== undefined,
      outputDropped: dropped,
      // Taken right after this reply (afterReply), and always sent: a page about to kill the worker waits for it.
      checkpointFollows: true,
    };
    if (result.repr !== undefined) outcome.repr = result.repr;
    if ('value' in result) outcome.value = result.value;
    // As for JavaScript: `error` belongs to status 'error' (an interrupted cell's KeyboardInterrupt is not one).
    if (result.error && result.status === 'error') outcome.error = { ...result.error };
    return outcome;
  }

  /** Called by the RPC once a reply is out: the checkpoint of the cell that just ended goes to the page. */
  afterReply = (): void => {
    this.flushCheckpoint();
  };

  private flushCheckpoint(): void {
    if (!this.checkpointDue || !this.engine) return;
    this.checkpointDue = false;
    let checkpoint: Checkpoint = { full: false, removed: [], groups: [] };
    try {
      const record = this.engine.checkpoint();
      checkpoint = { full: record.full, removed: record.removed, groups: record.groups };
    } catch (error) {
      this.output.stream('stderr', `[sandcell] could not checkpoint the namespace: ${pythonMessage(error)}\n`);
      this.output.flush();
    }
    // Sent even when empty: the reply announced it (checkpointFollows).
    this.deps.post({ type: 'checkpoint', checkpoint });
  }

  onHostEvent = (event: HostEvent): void => {
    this.hostCalls.onHostEvent(event);
  };

  async detectMode(code: string): Promise<ExecutionMode> {
    return (await this.ready_()).detect_mode(String(code));
  }

  async interrupt(cellId: number): Promise<void> {
    const engine = await this.ready_();
    if (cellId !== 0 && cellId !== this.runningCell) return;
    this.hostCalls.cancelCell(cellId);
    // Runs only when the cell is awaiting (a busy cell holds the thread): cancels its tasks.
    engine.interrupt();
  }

  async getVariable(name: string): Promise<{ found: boolean; value?: unknown; error?: string }> {
    const engine = await this.ready_();
    try {
      return { found: true, value: engine.namespace_get(String(name)) };
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (type === 'KeyError') return { found: false };
      if (type === 'TypeError') return { found: true, error: pythonMessage(error) };
      throw asJsError(error);
    }
  }

  async setVariables(values: Record<string, unknown>, strategy: string): Promise<void> {
    const engine = await this.ready_();
    try {
      engine.namespace_set(values, String(strategy));
    } catch (error) {
      throw asJsError(error);
    }
    this.checkpointDue = true;
  }

  async listVariables(): Promise<VariableInfo[]> {
    return (await this.ready_()).namespace_list();
  }

  async deleteVariable(name: string): Promise<boolean> {
    const engine = await this.ready_();
    try {
      const deleted = engine.namespace_delete(String(name));
      this.checkpointDue = true;
      return deleted;
    } catch (error) {
      throw asJsError(error);
    }
  }

  async clearVariables(): Promise<void> {
    (await this.ready_()).namespace_clear();
    this.checkpointDue = true;
  }

  async restoreCheckpoint(groups: CheckpointGroup[], givenUp: SkippedVariable[] = []): Promise<RestoreReport> {
    const engine = await this.ready_();
    // The next checkpoint is a full one (a restore resets the engine's tracking): the page replaces its groups.
    const report = engine.restore(groups, givenUp);
    this.checkpointDue = true;
    return report;
  }

  async encodeSnapshot(): Promise<EncodedSnapshot> {
    const record = (await this.ready_()).snapshot();
    const stored = toPythonRecord(record.groups);
    let bytes = 0;
    for (const group of record.groups) bytes += (group.payload as { data: Uint8Array }).data.byteLength;
    return { record: stored, saved: record.saved, skipped: record.skipped, bytes };
  }

  async restoreSnapshot(record: unknown, givenUp: SkippedVariable[] = []): Promise<RestoreReport> {
    const engine = await this.ready_();
    const report = engine.restore(pythonRecordGroups(record), givenUp);
    this.checkpointDue = true;
    return report;
  }

  async stats(): Promise<RuntimeStats> {
    return (await this.ready_()).stats();
  }
}

/** The `[sandcell] …` line of a Python exception that left the engine (Pyodide's PythonError), else its message. */
export function pythonMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? message;
  const text = last.replace(/^[A-Za-z_.]+: /, '');
  // KeyError's str() is the repr of its argument.
  return /^'.*'$/.test(text) || /^".*"$/.test(text) ? text.slice(1, -1) : text;
}

/** A Python exception as the JavaScript error the page expects (TypeError stays TypeError). */
function asJsError(error: unknown): Error {
  const type = (error as { type?: unknown }).type;
  const message = pythonMessage(error);
  if (type === 'TypeError' || type === 'ValueError') return new TypeError(message);
  return new Error(message);
}
