/**
 * A stand-in for the worker in Node: a fresh vm context as the global object, the real
 * namespace model over it, and the runtime hooks generated code calls — so transform tables
 * run cells end to end without a browser.
 */
import vm from 'node:vm';
import { TraceMap } from '@jridgewell/trace-mapping';
import type { CellPlan, CellSyntaxError, TransformOptions } from '../../../lib/executor/cell-plan';
import { namedCallee, positionInCell, userText } from '../../../lib/executor/compile';
import { transformCell } from '../../../lib/executor/transform';
import { withScope } from '../../../lib/executor/with-scope';
import { Namespace } from '../../../lib/namespace/namespace';

/** What the fake runtime throws from `tick()` when an interrupt is requested. */
export const INTERRUPT = Object.freeze({ sandcellInterrupt: true });
/** Marks "the cell completed without a value". */
export const NONE = Symbol('none');

export class ReplHarness {
  readonly context = vm.createContext({});
  readonly global = vm.runInContext('globalThis', this.context) as Record<string, unknown>;
  readonly namespace = new Namespace(
    this.global,
    vm.runInContext(
      '(() => { const n = []; for (let o = globalThis; o; o = Object.getPrototypeOf(o)) n.push(...Object.getOwnPropertyNames(o)); return n })()',
      this.context,
    ) as string[],
  );
  readonly counter = new Int32Array([1000]);
  /** The shared interrupt flag that `flagChecks` loops load (a plain array here: one thread). */
  readonly flag = new Int32Array(1);
  readonly empty = Object.freeze({});
  interrupt = false;
  ticks = 0;
  lastPlan: CellPlan | undefined;
  readonly runtime = {
    n: this.counter,
    i: this.flag,
    empty: this.empty,
    declare: (declarations: Array<[string, never]>, deletable?: boolean) =>
      this.namespace.declare(declarations, deletable),
    fn: (name: string, value: unknown, deletable?: boolean) => this.namespace.defineFunction(name, value, deletable),
    init: this.namespace.init,
    initAll: this.namespace.initAll,
    gen: this.namespace.generation,
    hoist: this.namespace.hoist,
    unhoist: this.namespace.unhoist,
    tick: () => {
      this.ticks++;
      if (this.interrupt) throw INTERRUPT;
      this.counter[0] = 1000;
      return 1000;
    },
    rethrow: (error: unknown) => {
      if (error === INTERRUPT) throw error;
    },
    importDenied: (specifier: unknown) => `denied ${String(specifier)}`,
    withScope,
    evalStrict: (evaluate: (code: unknown) => unknown, code: unknown) =>
      this.runtime.evalCode(evaluate, typeof code === 'string' ? `'use strict';${code}` : code),
    evalCode: (evaluate: (code: unknown) => unknown, code: unknown): unknown => {
      if (evaluate !== this.global.eval) return evaluate(code);
      if (typeof code !== 'string') return code;
      const plan = transformCell(code, {
        resolve: (name) => this.namespace.resolve(name),
        instrument: false,
        evalCode: true,
      });
      if (plan.mode === 'syntax-error') throw new SyntaxError(plan.message);
      const run = vm.runInContext(plan.code, this.context) as (runtime: unknown, scope: unknown) => { value: unknown };
      const { value } = run(this.runtime, this.namespace.lexical);
      return value === this.empty ? undefined : value;
    },
  };

  plan(source: string, options?: TransformOptions): CellPlan {
    const result = transformCell(source, { resolve: (name) => this.namespace.resolve(name), ...options });
    if (result.mode === 'syntax-error') throw new Error(`unexpected syntax error: ${JSON.stringify(result)}`);
    return result as CellPlan;
  }

  /** Transforms and runs one cell; resolves to its completion value, or NONE. */
  async run(source: string, options?: TransformOptions): Promise<unknown> {
    const plan = this.plan(source, options);
    this.lastPlan = plan;
    const cell = vm.runInContext(plan.code, this.context, { filename: 'cell.js' }) as (
      runtime: unknown,
      scope: unknown,
    ) => unknown;
    const result = (await cell(this.runtime, this.namespace.lexical)) as { value: unknown };
    return result.value === this.empty ? NONE : result.value;
  }

  /**
   * Runs cells in order; the last must throw. Where V8 placed the error (the first `cell.js`
   * frame of its stack), mapped back through the cell's source map: 1-based line and column.
   */
  async errorAt(cells: string[]): Promise<{ message: string; line?: number; column?: number }> {
    for (const cell of cells.slice(0, -1)) await this.run(cell);
    try {
      await this.run(cells[cells.length - 1]);
    } catch (error) {
      const e = error as Error;
      const frame = /cell\.js:(\d+):(\d+)/.exec(e.stack ?? '');
      // The message as the runtime reports it: names as the user wrote them.
      const message = userText(e.message);
      if (!frame || !this.lastPlan) return { message };
      const mapped = positionInCell(
        this.lastPlan.code,
        new TraceMap(this.lastPlan.map as never),
        Number(frame[1]),
        Number(frame[2]),
      );
      if (!mapped) return { message };
      return { message: namedCallee(message, this.lastPlan.map.sourcesContent?.[0] ?? '', mapped), ...mapped };
    }
    throw new Error(`the last cell did not throw: ${cells[cells.length - 1]}`);
  }

  /** Runs cells in order; resolves to the last one's value. */
  async runAll(cells: string[]): Promise<unknown> {
    let value: unknown = NONE;
    for (const cell of cells) value = await this.run(cell);
    return value;
  }

  /** Runs cells in order, each outcome as text: the value (JSON) or `Name: message` of what it threw. */
  async outcomes(cells: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const cell of cells) {
      try {
        const value = await this.run(cell);
        out.push(value === NONE ? '(none)' : describe(value));
      } catch (error) {
        const e = error as { name?: string; message?: string };
        out.push(
          typeof error === 'object' && error && 'message' in error
            ? `${e.name}: ${e.message}`
            : `throw ${String(error)}`,
        );
      }
    }
    return out;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name}`;
  // JSON has no NaN or Infinity (it writes null); the console shows them as such.
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

export function isSyntaxError(result: CellPlan | CellSyntaxError): result is CellSyntaxError {
  return result.mode === 'syntax-error';
}
