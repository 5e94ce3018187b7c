import { describe, expect, it } from 'vitest';
import type { WorkerEvent } from '../../../lib/protocol';
import { OutputChannel, utf8Length } from '../../../lib/worker/io/output';

function channel(max: number, clock: () => number = () => 0) {
  const sent: WorkerEvent[] = [];
  const timers = {
    set: (() => 0) as unknown as typeof setTimeout,
    clear: (() => {}) as unknown as typeof clearTimeout,
  };
  const out = new OutputChannel((e) => sent.push(e), max, clock, timers);
  const events = () => sent.flatMap((e) => (e.type === 'output' ? e.events : []));
  return { out, sent, events };
}

describe('utf8Length', () => {
  it.each<[string, number]>([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['\ud83d', 3],
  ])('%j is %i bytes', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    if (!/[\ud800-\udfff]/.test(text) || text.length === 2)
      expect(bytes).toBe(new TextEncoder().encode(text).byteLength);
  });
});

describe('OutputChannel', () => {
  it('coalesces same-stream text and keeps the order across streams', () => {
    const { out, events, sent } = channel(1000);
    out.begin(1);
    out.stream('stdout', 'a\n');
    out.stream('stdout', 'b\n');
    out.stream('stderr', 'c\n');
    out.appendText('stdout', 'd\n');
    out.appendText('stdout', 'e\n');
    out.display({ 'text/plain': 'x' });
    const dropped = out.end();
    expect(events()).toEqual([
      { type: 'stream', stream: 'stdout', text: 'a\nb\n' },
      { type: 'stream', stream: 'stderr', text: 'c\n' },
      { type: 'stream', stream: 'stdout', text: 'd\ne\n' },
      { type: 'display', data: { 'text/plain': 'x' } },
    ]);
    expect(dropped).toBe(0);
    expect(sent.filter((e) => e.type === 'output').length).toBe(1);
  });

  it('drops exactly the bytes past the cap, reports them last, and resets per cell', () => {
    const { out, events, sent } = channel(10);
    out.begin(1);
    out.stream('stdout', 'héllo\n');
    out.appendText('stdout', 'wörld!\n');
    out.display({ 'text/plain': 'big' });
    const dropped = out.end();
    expect(dropped).toBe(utf8Length('wörld!\n') - 3 + utf8Length('text/plain') + 3);
    expect(events().at(-1)).toEqual({ type: 'dropped', bytes: dropped });
    expect(events()[0]).toEqual({ type: 'stream', stream: 'stdout', text: 'héllo\nwö' });
    sent.length = 0;
    out.begin(2);
    out.stream('stdout', 'ok\n');
    expect(out.end()).toBe(0);
    expect(sent.filter((e) => e.type === 'output').length).toBe(1);
  });

  it('cuts a huge string in one pass and never splits a surrogate pair', () => {
    const { out, events } = channel(5);
    out.begin(1);
    out.stream('stdout', 'ab😀😀');
    expect(out.end()).toBe(8);
    expect(events()[0]).toEqual({ type: 'stream', stream: 'stdout', text: 'ab' });
    const big = channel(1024);
    big.out.begin(1);
    big.out.stream('stdout', 'x'.repeat(5_000_000));
    expect(big.out.end()).toBe(5_000_000 - 1024);
  });

  it('sends a batch every 1000 events', () => {
    const { out, sent } = channel(1 << 30);
    out.begin(1);
    for (let i = 0; i < 2500; i++) out.display({ 'text/plain': String(i) });
    out.end();
    expect(sent.filter((e) => e.type === 'output').map((e) => (e.type === 'output' ? e.events.length : 0))).toEqual([
      1000, 1000, 500,
    ]);
  });

  it('flushes a held-back trickle once it is older than the batch age', () => {
    let now = 0;
    const { out, sent } = channel(1 << 20, () => now);
    out.begin(1);
    out.appendText('stdout', 'a\n');
    now = 40;
    out.appendText('stdout', 'b\n');
    expect(sent.length).toBe(0);
    now = 60;
    out.appendText('stdout', 'c\n');
    expect(sent.length).toBe(1);
  });
});
