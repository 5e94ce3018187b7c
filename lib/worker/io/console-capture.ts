/**
 * `console.*` inside a cell, written to the session's output: log/info/debug/dir/table/
 * count/time/group to stdout, warn/error/assert/trace to stderr, formatted the way the
 * DevTools console formats them (`%s %d %i %f %o %O %c`, objects by `repr`).
 */

import { ObjectIs, ReflectApply, StringCtor, StringPrototypeIndexOf } from '../../primordials.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';
import { renderPlain } from './plain-render.ts';
import { repr } from './repr.ts';

export interface StreamSink {
  stream(stream: 'stdout' | 'stderr', text: string): void;
  /** Hot path for plain text, safe to call with a cell's patches in force (see OutputChannel.appendText). */
  appendText?(stream: 'stdout' | 'stderr', text: string): void;
}

/**
 * The text of a console call whose first argument has no format directive and whose
 * arguments are all plain data (see `renderPlain`) — nearly every console.log — or
 * undefined for the rest. Renders exactly as `formatArgs` does (`-0`, `1n`, `{ a: 1 }`),
 * without calling anything a cell can patch.
 */
export function plainText(args: readonly unknown[]): string | undefined {
  let text = '';
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    let piece: string | undefined;
    switch (typeof value) {
      case 'string':
        if (i === 0 && StringPrototypeIndexOf(value, '%') !== -1) return undefined;
        piece = value;
        break;
      case 'number':
        piece = ObjectIs(value, -0) ? '-0' : StringCtor(value);
        break;
      case 'boolean':
        piece = value ? 'true' : 'false';
        break;
      case 'undefined':
        piece = 'undefined';
        break;
      case 'bigint':
        piece = `${StringCtor(value)}n`;
        break;
      default:
        piece = value === null ? 'null' : renderPlain(value);
        if (piece === undefined) return undefined;
    }
    text = i === 0 ? piece : `${text} ${piece}`;
  }
  return text;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : repr(value);
}

/** util.format-style formatting of console arguments. */
export function formatArgs(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  const [first, ...rest] = args;
  if (typeof first !== 'string' || !first.includes('%')) return args.map(show).join(' ');
  let index = 0;
  const head = first.replace(/%([sdifoOc%])/g, (match, spec: string) => {
    if (spec === '%') return '%';
    if (index >= rest.length) return match;
    const value = rest[index++];
    switch (spec) {
      case 's':
        return typeof value === 'string' ? value : show(value);
      case 'd':
      case 'i': {
        const n = typeof value === 'bigint' ? value : Number(value);
        // As DevTools does (the WHATWG console spec: %d and %i are parseInt): 42.9 → 42.
        return typeof n === 'bigint' ? `${n}n` : String(Math.trunc(n));
      }
      case 'f':
        return String(Number(value));
      case 'c':
        return '';
      default:
        return repr(value);
    }
  });
  return [head, ...rest.slice(index).map(show)].join(' ');
}

function table(data: unknown): string {
  if (data === null || typeof data !== 'object') return show(data);
  const rows = Object.entries(data as Record<string, unknown>);
  const columns: string[] = [];
  for (const [, row] of rows) {
    if (row !== null && typeof row === 'object') {
      for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
    } else if (!columns.includes('Values')) columns.push('Values');
  }
  const header = ['(index)', ...columns];
  const body = rows.map(([index, row]) => [
    index,
    ...columns.map((column) => {
      if (row !== null && typeof row === 'object') {
        return column in row ? show((row as Record<string, unknown>)[column]) : '';
      }
      return column === 'Values' ? show(row) : '';
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `│ ${cells.map((c, i) => c.padEnd(widths[i])).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  return [rule('┌', '┬', '┐'), line(header), rule('├', '┼', '┤'), ...body.map(line), rule('└', '┴', '┘')].join('\n');
}

/** Builds the console methods that write to `sink`. */
export function createConsole(
  sink: StreamSink,
  now: () => number = () => performance.now(),
): Record<string, (...args: unknown[]) => void> {
  let indent = '';
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const write = (stream: 'stdout' | 'stderr', text: string) => {
    const body = indent ? text.replace(/^/gm, indent) : text;
    sink.stream(stream, `${body}\n`);
  };
  const out = (...args: unknown[]) => write('stdout', formatArgs(args));
  const err = (...args: unknown[]) => write('stderr', formatArgs(args));
  const label = (value: unknown) => (value === undefined ? 'default' : String(value));
  const methods: Record<string, (...args: unknown[]) => void> = {
    log: out,
    info: out,
    debug: out,
    warn: err,
    error: err,
    trace: (...args: unknown[]) => write('stderr', `Trace${args.length ? `: ${formatArgs(args)}` : ''}`),
    dir: (value: unknown) => write('stdout', repr(value)),
    dirxml: out,
    table: (data: unknown) => write('stdout', table(data)),
    group: (...args: unknown[]) => {
      if (args.length) out(...args);
      indent += '  ';
    },
    groupCollapsed: (...args: unknown[]) => {
      if (args.length) out(...args);
      indent += '  ';
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    assert: (condition: unknown, ...args: unknown[]) => {
      if (!condition) write('stderr', `Assertion failed${args.length ? `: ${formatArgs(args)}` : ''}`);
    },
    count: (name?: unknown) => {
      const key = label(name);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      write('stdout', `${key}: ${n}`);
    },
    countReset: (name?: unknown) => {
      counts.delete(label(name));
    },
    time: (name?: unknown) => {
      timers.set(label(name), now());
    },
    timeLog: (name?: unknown, ...args: unknown[]) => {
      const key = label(name);
      const start = timers.get(key);
      if (start === undefined) write('stderr', `Timer '${key}' does not exist`);
      else write('stdout', `${key}: ${(now() - start).toFixed(3)} ms${args.length ? ` ${formatArgs(args)}` : ''}`);
    },
    timeEnd: (name?: unknown) => {
      const key = label(name);
      const start = timers.get(key);
      if (start === undefined) write('stderr', `Timer '${key}' does not exist`);
      else {
        timers.delete(key);
        write('stdout', `${key}: ${(now() - start).toFixed(3)} ms`);
      }
    },
    clear: () => {},
  };
  // Called from user code: formatting anything but plain data runs on the pristine built-ins.
  const guard = engineGuard();
  for (const name of Object.keys(methods)) methods[name] = guard.wrapEngine(methods[name]);
  // Plain data skips the guard switch (every console.log in a loop, every flood); the rest takes it.
  const appendText = sink.appendText;
  const append = appendText
    ? (stream: 'stdout' | 'stderr', text: string) => ReflectApply(appendText, sink, [stream, text])
    : undefined;
  if (append) {
    for (const [name, stream] of [
      ['log', 'stdout'],
      ['info', 'stdout'],
      ['debug', 'stdout'],
      ['warn', 'stderr'],
      ['error', 'stderr'],
    ] as const) {
      const slow = methods[name];
      methods[name] = (...args: unknown[]) => {
        const text = indent === '' ? plainText(args) : undefined;
        if (text === undefined) ReflectApply(slow, undefined, args);
        else append(stream, `${text}\n`);
      };
    }
  }
  return methods;
}
