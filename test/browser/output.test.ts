/** Output streaming in real Chromium: order, floods, the byte cap, console formats, display bundles. */
import { describe, expect, it } from 'vitest';
import type { OutputEvent } from '../../lib/types';
import { collectOutput, openSession } from './helpers';

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;

describe('output streams', () => {
  it('keeps the order of events across stdout and stderr', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const r = await s.execute(
      `console.log('a'); console.error('b'); console.info('c'); console.warn('d'); console.debug('e'); 'x'`,
    );
    expect(r.status).toBe('ok');
    expect(out.events).toEqual([
      { type: 'stream', stream: 'stdout', text: 'a\n' },
      { type: 'stream', stream: 'stderr', text: 'b\n' },
      { type: 'stream', stream: 'stdout', text: 'c\n' },
      { type: 'stream', stream: 'stderr', text: 'd\n' },
      { type: 'stream', stream: 'stdout', text: 'e\n' },
    ]);
  });

  it('delivers 100,000 lines complete, in order, all before execute resolves', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const started = performance.now();
    const r = await s.execute('for (let i = 0; i < 100000; i++) console.log("line " + i)');
    const elapsed = performance.now() - started;
    const atResolve = out.events.length;
    expect(r.status).toBe('ok');
    const lines = out.text('stdout').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(100_000);
    for (let i = 0; i < lines.length; i++) if (lines[i] !== `line ${i}`) throw new Error(`line ${i} is ${lines[i]}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(out.events.length).toBe(atResolve);
    console.info(`[measure] 100k-line flood: ${elapsed.toFixed(0)} ms, ${out.events.length} events`);
  });

  it('counts the bytes over maxOutputBytes exactly (UTF-8) and reports them once', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput, maxOutputBytes: 10 });
    // 'héllo\n' is 7 bytes; 3 bytes remain, so 'wö' (3 bytes) of 'wörld!\n' (8 bytes) is kept.
    const r = await s.execute(`console.log('héllo'); console.log('wörld!'); console.error('€€€'); 1`);
    expect(r.status).toBe('ok');
    const kept = out.text();
    expect(kept).toBe('héllo\nwö');
    const dropped = utf8('héllo\nwörld!\n€€€\n') - 10;
    expect(r.outputDropped).toBe(dropped);
    const notices = out.events.filter((e) => e.type === 'dropped');
    expect(notices).toEqual([{ type: 'dropped', bytes: dropped }]);
    expect(out.events[out.events.length - 1].type).toBe('dropped');
    // The cap is per execute: the next cell starts afresh.
    out.events.length = 0;
    const next = await s.execute(`console.log('ok')`);
    expect(next.outputDropped).toBeUndefined();
    expect(out.text()).toBe('ok\n');
  });

  it('never cuts a surrogate pair in half at the cap', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput, maxOutputBytes: 6 });
    const r = await s.execute(`console.log('ab😀😀')`);
    expect(out.text()).toBe('ab😀');
    expect(r.outputDropped).toBe(utf8('ab😀😀\n') - 6);
  });

  it('truncates a single 100 MB string at the cap instead of sending it', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const r = await s.execute(`console.log('x'.repeat(100_000_000)); 1`);
    expect(r.status).toBe('ok');
    const text = out.text();
    expect(text.length).toBe(16 * 1024 * 1024);
    expect(r.outputDropped).toBe(100_000_001 - 16 * 1024 * 1024);
  });

  it('formats console.table/dir/group/time/assert/count', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute(`
      console.table([{ a: 1, b: 'x' }, { a: 2 }]);
      console.dir({ deep: { n: [1, 2] } });
      console.group('G'); console.log('inside'); console.group(); console.log('deeper'); console.groupEnd(); console.groupEnd(); console.log('outside');
      console.time('t'); console.timeEnd('t'); console.timeEnd('missing');
      console.assert(1 === 1, 'never'); console.assert(false, 'broke %d', 42);
      console.count(); console.count(); console.count('k'); console.countReset(); console.count();
      console.log('%s is %d years and %o', 'Bob', 42.9, { x: 1 }, 'extra');
    `);
    const stdout = out.text('stdout');
    expect(stdout).toContain(
      [
        '┌─────────┬───┬───┐',
        '│ (index) │ a │ b │',
        '├─────────┼───┼───┤',
        '│ 0       │ 1 │ x │',
        '│ 1       │ 2 │   │',
        '└─────────┴───┴───┘',
      ].join('\n'),
    );
    expect(stdout).toContain('{ deep: { n: [ 1, 2 ] } }\n');
    expect(stdout).toContain('G\n  inside\n    deeper\noutside\n');
    expect(stdout).toMatch(/t: \d+\.\d{3} ms\n/);
    expect(stdout).toContain('default: 1\ndefault: 2\nk: 1\ndefault: 1\n');
    expect(stdout).toContain('Bob is 42 years and { x: 1 } extra\n');
    const stderr = out.text('stderr');
    expect(stderr).toContain("Timer 'missing' does not exist\n");
    expect(stderr).toContain('Assertion failed: broke 42\n');
    expect(stderr).not.toContain('never');
  });
});

describe('display', () => {
  const displays = (events: OutputEvent[]) =>
    events.filter((e): e is Extract<OutputEvent, { type: 'display' }> => e.type === 'display').map((e) => e.data);

  it('display(value) sends text/plain and application/json', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute(`console.log('before'); display({ a: [1, 2] }); display(new Map([[1, 2]])); console.log('after')`);
    expect(displays(out.events)).toEqual([
      { 'text/plain': '{ a: [ 1, 2 ] }', 'application/json': { a: [1, 2] } },
      { 'text/plain': 'Map (1) {1 => 2}', 'application/json': {} },
    ]);
    expect(out.events.map((e) => e.type)).toEqual(['stream', 'display', 'display', 'stream']);
  });

  it('display(bundle, { raw: true }) sends the MIME bundle as given', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const r = await s.execute(`
      display({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' }, { raw: true });
      display({ 'image/png': '${png}' }, { raw: true });
      display({ 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>' }, { raw: true });
      display({ 'application/json': { n: 1, list: [true, null] } }, { raw: true });
    `);
    expect(r.status).toBe('ok');
    const [html, image, svg, json] = displays(out.events);
    expect(html).toEqual({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' });
    expect(image['image/png']).toBe(png);
    expect(typeof image['text/plain']).toBe('string');
    expect(svg['image/svg+xml']).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(json['application/json']).toEqual({ n: 1, list: [true, null] });
  });

  it.each([
    ['42', 'needs an object of MIME type'],
    ["{ 'text/html': 5 }", 'must be a string'],
    ["{ 'not a mime': 'x' }", 'is not a MIME type'],
    ['{}', 'is empty'],
    ["{ 'image/png': 'not base64!' }", 'base64'],
  ])('an invalid bundle %s is an error in the cell', async (bundle, message) => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const r = await s.execute(`display(${bundle}, { raw: true })`);
    expect(r.status).toBe('error');
    expect(r.error?.name).toBe('TypeError');
    expect(r.error?.message).toContain(message);
    expect(r.error?.message).toMatch(/^\[sandcell\]/);
    expect(displays(out.events)).toEqual([]);
  });
});
