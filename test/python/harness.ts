/**
 * Loads Pyodide in Node with the Python engine from lib/python/engine, once per test file, and
 * gives it the hooks the TypeScript worker will provide: output and display collected in order,
 * `sleep` and `input` waiting on the shared interrupt flag with Atomics, capabilities answered
 * by plain functions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide, type PyodideInterface } from 'pyodide';

const ENGINE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../lib/python/engine/sandcell_engine');

export type Stream = 'stdout' | 'stderr';
export type OutputEvent =
  | { type: 'stream'; stream: Stream; text: string }
  | { type: 'display'; data: Record<string, unknown> };

export interface CellResult {
  status: 'ok' | 'error' | 'interrupted';
  mode: string;
  value?: unknown;
  repr?: string;
  error?: { name: string; message: string; stack?: string; line?: number; column?: number };
}

/** The engine's methods as the worker sees them (JavaScript values in, JavaScript values out). */
export interface PythonEngine {
  execute(code: string): CellResult | Promise<CellResult>;
  interrupt(): void;
  stats(): {
    executions: number;
    cache: { size: number; capacity: number; hits: number; misses: number };
    variables: number;
  };
  namespace_list(): Array<{ name: string; type: string; repr: string }>;
  namespace_get(name: string): unknown;
  namespace_set(values: Record<string, unknown>, strategy?: string): string[];
  namespace_delete(name: string): boolean;
  namespace_clear(): void;
  snapshot(): SnapshotRecord;
  checkpoint(names?: string[]): SnapshotRecord;
  restore(
    groups: SnapshotRecord['groups'],
    givenUp?: Array<{ name: string; reason: string }>,
  ): { restored: string[]; skipped: Array<{ name: string; reason: string }> };
}

export interface SnapshotRecord {
  format: string;
  version: number;
  python: string;
  full: boolean;
  removed: string[];
  groups: Array<{ names: string[]; payload: { format: string; version: number; python: string; data: Uint8Array } }>;
  saved: string[];
  skipped: Array<{ name: string; reason: string }>;
}

export interface Session {
  pyodide: PyodideInterface;
  engine: PythonEngine;
  /** Index 0: the interrupt flag Pyodide reads; indexes 1 and 2: free for tests to signal on. */
  shared: Int32Array;
  events: OutputEvent[];
  /** Runs a cell and waits for its result, whatever its mode. */
  run(code: string): Promise<CellResult>;
  /** What `input()` answers next; `null` = the stop woke it. */
  inputs: Array<string | null>;
  /** What the `restoring` hook heard: each group's first name as it loads, null after it. */
  restoring: Array<string | null>;
  stdout(): string;
}

function copyEngine(pyodide: PyodideInterface, target: string): void {
  pyodide.FS.mkdirTree(target);
  for (const file of readdirSync(ENGINE_DIR)) {
    if (file.endsWith('.py')) pyodide.FS.writeFile(`${target}/${file}`, readFileSync(join(ENGINE_DIR, file)));
  }
}

/**
 * Starts Pyodide with a fresh engine.
 * @param capabilities host functions reachable as `host.<name>` in cells
 */
export async function startSession(
  capabilities: Record<string, (...args: unknown[]) => unknown> = {},
): Promise<Session> {
  const pyodide = await loadPyodide();
  const shared = new Int32Array(new SharedArrayBuffer(12));
  const flag = shared.subarray(0, 1);
  pyodide.setInterruptBuffer(flag);
  copyEngine(pyodide, '/sandcell/sandcell_engine');
  pyodide.pyimport('sys').path.insert(0, '/sandcell');
  const events: OutputEvent[] = [];
  const inputs: Array<string | null> = [];
  const restoring: Array<string | null> = [];
  const hooks = {
    restoring(name: string | null | undefined) {
      restoring.push(name ?? null);
    },
    write(stream: Stream, text: string) {
      events.push({ type: 'stream', stream, text });
    },
    display(data: Record<string, unknown>) {
      events.push({ type: 'display', data });
    },
    sleep(ms: number) {
      return Atomics.wait(flag, 0, 0, ms) !== 'timed-out';
    },
    input(prompt: string) {
      events.push({ type: 'stream', stream: 'stdout', text: prompt });
      return inputs.length > 0 ? inputs.shift() : '';
    },
    callHost(name: string, args: unknown[]) {
      return Promise.resolve().then(() => capabilities[name](...args));
    },
    capabilities: Object.keys(capabilities),
    interruptFlag: flag,
  };
  const engine = pyodide.pyimport('sandcell_engine').create_engine(hooks, 100) as PythonEngine;
  return {
    pyodide,
    engine,
    shared,
    events,
    inputs,
    restoring,
    run: async (code) => await engine.execute(code),
    stdout: () =>
      events
        .filter((e): e is Extract<OutputEvent, { type: 'stream' }> => e.type === 'stream' && e.stream === 'stdout')
        .map((e) => e.text)
        .join(''),
  };
}
