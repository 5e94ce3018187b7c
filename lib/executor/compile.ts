/**
 * Turns cell text into a runnable function, once: parse + transform + compile results are
 * kept in an LRU keyed by the text and every option that changes the output. Also maps
 * error positions in generated code back to the cell as the user wrote it.
 */
import { decodedMappings, LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { describeKind } from '../namespace/describe-value.ts';
import type { CellError } from '../types.ts';
import type { CellPlan, CellSyntaxError, NameResolution, TransformOptions } from './cell-plan.ts';
import { toV8Position, toV8Stack } from './engine-stack.ts';
import type { CompiledText } from './function-source.ts';
import { callsOf, JSC_CLASS_CALL, jscTopFrame, jscToV8Position, type Position, unparsedUsing } from './jsc-position.ts';
import { LruCache } from './lru-cache.ts';
import { resolutionKeyOf, transformCell } from './transform.ts';

/** What a compiled cell function receives: the runtime object the generated code calls into, and the namespace's lexical scope. */
export type CellFunction = (runtime: unknown, scope: unknown) => unknown;

export interface CompiledCell {
  plan: CellPlan;
  run: CellFunction;
  /** sourceURL of the generated code, as it appears in stack traces. */
  url: string;
}

/** Indirect eval: the cell's function is created in global scope, not in this module's. */
const globalEval: (code: string) => unknown = globalThis.eval;

const URL_PREFIX = 'sandcell-cell-';

const resolveNothing = (): NameResolution => 'other';
const FRAME = /sandcell-cell-(\d+)\.js:(\d+):(\d+)/;
const FRAMES = /sandcell-cell-(\d+)\.js:(\d+):(\d+)/g;

/**
 * How an error's place in a cell is found. `stack`: from the `sandcell-cell-N.js:line:column`
 * frames of `error.stack` (V8, SpiderMonkey: both honour `//# sourceURL` in eval code).
 * `lines`: JavaScriptCore writes no position for eval code in the stack, only `error.line` /
 * `error.column` of the top frame; every compiled text is then evaluated after as many blank
 * lines as all texts compiled before it have, so its lines are its own and that line names it
 * (the cost: one byte per line compiled before, per compiled text, in JSC only).
 */
export type PositionSource = 'stack' | 'lines';

/** Where the next compiled text starts in `lines` mode: shared by every compiler of the worker, so a line names one text of one compiler. */
let nextFirstLine = 1;
/** Whether eval code's stack frames carry its sourceURL and position in this engine, once found out. */
let detectedSource: PositionSource | undefined;

/** Finds out, with one eval, whether this engine writes eval code's sourceURL and position into stacks. */
function detectPositionSource(evaluate: (code: string) => unknown): PositionSource {
  if (detectedSource === undefined) {
    let stack: unknown;
    try {
      stack = evaluate('new Error().stack\n//# sourceURL=sandcell-position-probe.js');
    } catch {
      stack = undefined;
    }
    detectedSource = typeof stack === 'string' && !stack.includes('sandcell-position-probe.js:') ? 'lines' : 'stack';
  }
  return detectedSource;
}

/** A compiled cell's map, and in `lines` mode the lines its text was evaluated at. */
interface CellMap {
  plan: CellPlan;
  trace?: TraceMap;
  /** The line of the evaluated text its first line is on (1 in `stack` mode). */
  firstLine: number;
  /** How many lines of the evaluated text are its own. */
  lines: number;
}

export class CellCompiler {
  private readonly cache: LruCache<string, CompiledCell | CellSyntaxError>;
  /** The free names of each cached text: how it resolves now is part of its key. */
  private readonly freeNames: LruCache<string, string[]>;
  /** Every compiled cell's map, kept past LRU eviction: functions it defined can still throw later. */
  private readonly maps = new Map<number, CellMap>();
  private nextId = 1;
  private readonly evaluate: (code: string) => unknown;

  constructor(
    capacity: number,
    private readonly options: TransformOptions,
    evaluate: (code: string) => unknown = globalEval,
    /** How its code is named in stack traces: errors are placed in the first `sandcell-cell-` frame, so eval code gets another name. */
    private readonly urlPrefix = URL_PREFIX,
    /** Where error positions come from; found out with one eval on the first compile when not given. */
    private positions?: PositionSource,
  ) {
    this.cache = new LruCache(capacity);
    this.freeNames = new LruCache(capacity);
    this.evaluate = evaluate;
  }

  /** The compiled cell, from cache when the same text was compiled before with the same options. */
  compile(source: string): CompiledCell | CellSyntaxError {
    return this.cached(source) ?? this.compileMiss(source);
  }

  /**
   * The cached compilation of `source` for how its free names resolve now, or undefined. The
   * worker's hot path: it calls nothing a cell can patch (template strings, the caches' own
   * Map methods, an indexed loop over the names and `options.resolve`, which must do the same).
   */
  cached(source: string): CompiledCell | CellSyntaxError | undefined {
    const text = this.textKey(source);
    const names = this.freeNames.get(text);
    const resolve = this.options.resolve ?? resolveNothing;
    return this.cache.get(`${text}\u0000${names === undefined ? '' : resolutionKeyOf(names, resolve)}`);
  }

  /** Parses, transforms and compiles a cell {@link cached} does not hold, and caches it (a cold path). */
  compileMiss(source: string): CompiledCell | CellSyntaxError {
    const text = this.textKey(source);
    const plan = transformCell(source, this.options);
    const key = `${text}\u0000${plan.mode === 'syntax-error' ? '' : plan.resolutionKey}`;
    let entry: CompiledCell | CellSyntaxError;
    if (plan.mode === 'syntax-error') {
      entry = plan;
    } else {
      const id = this.nextId++;
      const url = `${this.urlPrefix}${id}.js`;
      const code = `${plan.code}\n//# sourceURL=${url}`;
      this.positions ??= detectPositionSource(this.evaluate);
      const lines = this.positions === 'lines' ? lineCount(code) : 0;
      const firstLine = this.positions === 'lines' ? nextFirstLine : 1;
      nextFirstLine += lines;
      // The plan builds its source map on first read: only an error that needs mapping pays for it.
      const map: CellMap = { plan, firstLine, lines };
      try {
        const run = this.evaluate(firstLine > 1 ? '\n'.repeat(firstLine - 1) + code : code) as CellFunction;
        this.maps.set(id, map);
        entry = { plan, run, url };
      } catch (error) {
        // An early error acorn let through, or a construct the engine lacks (a block's `using`
        // in JSC 2.50): report it as the syntax error it is. Engines say where only in their
        // own words; a `using` declaration the message names is placed at that name.
        const message = error instanceof Error ? error.message : String(error);
        const at = unparsedUsing(source, message);
        entry = {
          mode: 'syntax-error',
          name: error instanceof RangeError ? 'RangeError' : undefined,
          message,
          line: at?.line ?? 1,
          column: at?.column ?? 1,
        };
      }
    }
    this.cache.set(key, entry);
    this.freeNames.set(text, plan.mode === 'syntax-error' ? [] : plan.resolvedNames);
    return entry;
  }

  /**
   * Runs the parser and the transform once on `source` and keeps nothing: a new worker's first
   * cell otherwise pays for running that code cold (interpreted, no inline caches) — most of a
   * pooled session's first result.
   */
  warm(source: string): void {
    transformCell(source, this.options);
  }

  private textKey(source: string): string {
    return `${this.options.instrument === false ? 0 : 1}${this.options.allowDynamicImport ? 1 : 0}\u0000${source}`;
  }

  /** Every cell compiled so far, newest first: its generated code, its own text, and the map between them. */
  *compiledTexts(): Iterable<CompiledText> {
    const ids = [...this.maps.keys()];
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i];
      const entry = this.maps.get(id) as CellMap;
      yield {
        code: entry.plan.code,
        source: entry.plan.map.sourcesContent?.[0] ?? '',
        original: (line, column) => {
          const position = this.originalPosition(id, line, column + 1);
          return position && { line: position.line, column: position.column - 1 };
        },
      };
    }
  }

  stats(): { size: number; capacity: number; hits: number; misses: number } {
    return this.cache.stats();
  }

  /** Maps a generated position (1-based line and column) to the cell's own text. */
  originalPosition(cellId: number, line: number, column: number): { line: number; column: number } | undefined {
    const entry = this.maps.get(cellId);
    if (!entry) return undefined;
    entry.trace ??= new TraceMap(entry.plan.map as ConstructorParameters<typeof TraceMap>[0]);
    return positionInCell(entry.plan.code, entry.trace, line, column);
  }

  /**
   * A cell error from anything thrown, with positions in the cell's own text.
   *
   * What `line` / `column` mean, by engine: V8 and SpiderMonkey, the innermost frame of the
   * stack that is a cell's (the cell running, or the cell that defined the function that
   * threw), at the token V8 points at (SpiderMonkey's column of a failed property read is moved
   * there, ./engine-stack.ts). JavaScriptCore: the top frame that runs JavaScript (a native
   * callee's error is placed at the call), when that frame is a cell's, moved to V8's token
   * (./jsc-position.ts); an error thrown by code that is no cell's (sandcell's own functions,
   * code built by `new Function`) has no position there, because JSC writes none for the
   * frames below.
   * @param running the cell that was running, when there is one: JSC places a class called
   *   without `new` in the class, and its call is looked for there.
   */
  describeError(thrown: unknown, renderValue: (value: unknown) => string, running?: CompiledCell): CellError {
    let name = 'Error';
    let message = '';
    let stack: string | undefined;
    let isError = false;
    try {
      isError =
        thrown instanceof Error ||
        (typeof thrown === 'object' &&
          thrown !== null &&
          typeof (thrown as Error).stack === 'string' &&
          typeof (thrown as Error).message === 'string');
      if (isError) {
        const e = thrown as Error;
        // What a thrown object holds is data: a Symbol, an object or a throwing getter here must not reject execute().
        name = textOf(() => e.name, 'Error', renderValue);
        message = textOf(() => e.message, '', renderValue);
        const rawStack = textOf(
          () => e.stack,
          '',
          () => '',
        );
        stack = rawStack === '' ? undefined : rawStack;
      }
    } catch {
      isError = false;
    }
    if (!isError) {
      return {
        name: 'Uncaught',
        message: `Uncaught ${renderValue(thrown)} (the cell threw ${describeKind(thrown)}, not an Error)`,
      };
    }
    const result: CellError = { name, message: userText(message) };
    if (stack && this.positions === 'lines' && !FRAME.test(stack)) {
      const place = this.jscPlace(thrown as Error, stack, name, message, running);
      const header = message === '' ? name : `${name}: ${message}`;
      if (place) {
        result.line = place.line;
        result.column = place.column;
        const fn = place.frame === '' || place.frame === 'eval code' ? '' : `${place.frame} `;
        const at = `cell-${place.cell}:${place.line}:${place.column}`;
        result.stack = userText(`${header}\n    at ${fn ? `${fn}(${at})` : at}`);
      } else {
        result.stack = userText(header);
      }
      return result;
    }
    if (stack) {
      const frame = FRAME.exec(stack);
      if (frame) {
        const mapped = this.originalPosition(Number(frame[1]), Number(frame[2]), Number(frame[3]));
        if (mapped) {
          const source = this.maps.get(Number(frame[1]))?.plan.map.sourcesContent?.[0];
          const position = typeof source === 'string' ? toV8Position(source, mapped, name, message) : mapped;
          result.line = position.line;
          result.column = position.column;
          if (typeof source === 'string') result.message = namedCallee(result.message, source, position);
        }
      }
      result.stack = userText(this.rewriteStack(toV8Stack(stack, name, message)));
    }
    return result;
  }

  /**
   * Where JavaScriptCore's `error.line` / `error.column` are in a cell (see
   * ./jsc-position.ts): the cell whose lines they fall in, checked against the stack's top
   * frame, at V8's token. Undefined when they are in no cell's code.
   */
  private jscPlace(
    thrown: Error,
    stack: string,
    name: string,
    message: string,
    running: CompiledCell | undefined,
  ): (Position & { cell: number; frame: string }) | undefined {
    const frame = jscTopFrame(stack);
    if (frame === undefined) return undefined;
    if (message === JSC_CLASS_CALL && running && frame !== '') {
      // JSC throws it in the class's own frame, placed in the class; the call is in the frame
      // below, which has no position. The running cell's one call of that class by name is it.
      const runningId = Number(/(\d+)\.js$/.exec(running.url)?.[1]);
      const runningSource = this.maps.get(runningId)?.plan.map.sourcesContent?.[0];
      const calls = typeof runningSource === 'string' ? callsOf(runningSource, frame) : [];
      if (calls.length === 1) return { ...calls[0], cell: runningId, frame: '' };
    }
    let line: unknown;
    let column: unknown;
    try {
      line = (thrown as { line?: unknown }).line;
      column = (thrown as { column?: unknown }).column;
    } catch {
      return undefined;
    }
    if (typeof line !== 'number' || typeof column !== 'number') return undefined;
    for (const [id, entry] of this.maps) {
      if (line < entry.firstLine || line >= entry.firstLine + entry.lines) continue;
      const source = entry.plan.map.sourcesContent?.[0];
      if (typeof source !== 'string') return undefined;
      entry.trace ??= new TraceMap(entry.plan.map as ConstructorParameters<typeof TraceMap>[0]);
      const generatedLine = line - entry.firstLine + 1;
      const mapped = beforeFirstMapping(entry.trace, generatedLine, column - 1)
        ? 'start'
        : positionInCell(entry.plan.code, entry.trace, generatedLine, column);
      if (mapped === undefined) return undefined;
      const position = jscToV8Position(source, mapped, frame, name, message);
      return position && { ...position, cell: id, frame };
    }
    return undefined;
  }

  /** Keeps the message and the user's frames, at positions in their own cells; drops engine frames. */
  private rewriteStack(stack: string): string {
    const lines = stack.split('\n');
    const kept: string[] = [];
    let sawFrame = false;
    for (const line of lines) {
      const isFrame = /^\s+at /.test(line);
      if (!isFrame) {
        if (!sawFrame) kept.push(line);
        continue;
      }
      sawFrame = true;
      if (!line.includes(URL_PREFIX)) continue;
      kept.push(
        line.replace(FRAMES, (match, id: string, l: string, c: string) => {
          const position = this.originalPosition(Number(id), Number(l), Number(c));
          return position ? `cell-${id}:${position.line}:${position.column}` : match;
        }),
      );
    }
    return kept.join('\n');
  }
}

/**
 * Maps a position in a cell's generated code (1-based line and column) to the cell's own text.
 * Text the transform inserted has no mapping of its own; a position in it takes the nearest
 * mapped one before, except in text that starts with one of sandcell's `__sc$` names
 * (`__sc$c = (` before a statement's value, `__sc$s.` before a name): that text leads into the
 * code after it, which is where the error is (V8 places `x is not defined` at the statement).
 */
export function positionInCell(
  code: string,
  trace: TraceMap,
  line: number,
  column: number,
): { line: number; column: number } | undefined {
  let position = originalPositionFor(trace, { line, column: column - 1 });
  if (leadsIn(code, line, column - 1)) {
    const after = originalPositionFor(trace, { line, column: column - 1, bias: LEAST_UPPER_BOUND });
    if (after.line != null) position = after;
  }
  if (position.line == null || position.column == null) {
    // The prelude (before the first of the cell's own code) declares the cell's names: what
    // fails there (`let undefined`) fails the whole cell before it runs, and the console
    // places that at the start of the cell.
    return beforeFirstMapping(trace, line, column - 1) ? { line: 1, column: 1 } : undefined;
  }
  return { line: position.line, column: position.column + 1 };
}

/** Whether the generated text at a position (1-based line, 0-based column) is one of sandcell's names. */
function leadsIn(code: string, line: number, column: number): boolean {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    offset = code.indexOf('\n', offset) + 1;
    if (offset === 0) return false;
  }
  return code.startsWith('__sc$', offset + column);
}

/**
 * `(intermediate value)(intermediate value)(intermediate value) is not a function` is how V8
 * words a failed call of a name the transform looks up in the scope object first
 * (`("h" in __sc$s ? __sc$s.h : h)()`, a name not yet declared when a function calling it was
 * compiled); SpiderMonkey names the value instead (`3 is not a function`). The error is placed
 * at the name; the message gets it back, as the console says it (a plain name called is what
 * both engines name when they call it themselves).
 * @param position 1-based, in the cell's text.
 */
export function namedCallee(message: string, source: string, position: { line: number; column: number }): string {
  const v8 = /^(?:\(intermediate value\))+ is not a function$/.test(message);
  // SpiderMonkey's rendering of a value: a primitive, `({})`, `[]`.
  const value =
    /^(?:-?[\d.][\w.+-]*|"(?:[^"\\]|\\.)*"|null|undefined|true|false|\(\{.*\}\)|\[.*\]) is not a function$/s;
  if (!v8 && !value.test(message)) return message;
  let offset = 0;
  for (let l = 1; l < position.line; l++) {
    offset = source.indexOf('\n', offset) + 1;
    if (offset === 0) return message;
  }
  const at = offset + position.column - 1;
  // A property called (`o.h()`) is named with its object: only a plain name is.
  if (/(?:\.|\?\.)\s*$/.test(source.slice(0, at))) return message;
  const name = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*(?=\s*\()/u.exec(source.slice(at));
  return name ? `${name[0]} is not a function` : message;
}

/** Whether a generated position (1-based line, 0-based column) comes before every mapped one. */
function beforeFirstMapping(trace: TraceMap, line: number, column: number): boolean {
  const lines = decodedMappings(trace);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].length === 0) continue;
    return i + 1 > line || (i + 1 === line && column < lines[i][0][0]);
  }
  return false;
}

/**
 * V8 quotes the code it failed on (`x is not a function`) as compiled: a reference to the
 * namespace's lexical scope or a top-level function's hidden name reads as the user wrote it.
 */
export function userText(text: string): string {
  return text
    .replace(/\(0 ?, __sc\$s\.([\p{L}\p{N}_$]+)\)/gu, '$1')
    .replace(/\("([\p{L}\p{N}_$]+)" in __sc\$s \? __sc\$s\.\1 : \1\)/gu, '$1')
    .replace(
      /\((__sc\$k\d+) === __sc\$g\[0\] \? ([\p{L}\p{N}_$]+) : "\2" in __sc\$s \? __sc\$s\.\2 : \(\1 = __sc\$g\[0\], \2\)\)/gu,
      '$2',
    )
    .replace(/__sc\$s\.([\p{L}\p{N}_$]+)/gu, '$1')
    .replace(/__sc\$f_([\p{L}\p{N}_$]+)/gu, '$1');
}

/** How many lines a text has (JSC counts \r\n as one line break, and \r, \u2028, \u2029 alone). */
function lineCount(text: string): number {
  return text.split(/\r\n|[\n\r\u2028\u2029]/).length;
}

/** A field of a thrown error as text: strings as they are, other values rendered, a throwing read as `fallback`. */
function textOf(read: () => unknown, fallback: string, renderValue: (value: unknown) => string): string {
  try {
    const value = read();
    if (typeof value === 'string') return value;
    return value === undefined || value === null ? fallback : renderValue(value);
  } catch {
    return fallback;
  }
}
