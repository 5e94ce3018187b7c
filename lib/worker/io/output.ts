/**
 * Output of the running cell, batched onto the engine's private port: a flood of lines
 * becomes a steady stream of a few large messages (the page stays responsive), nothing
 * is lost below the cap, and past `maxOutputBytes` output is dropped and counted.
 */
import type { WorkerEvent } from '../../protocol.ts';
import type { OutputEvent } from '../../types.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';

/** Default per-execute cap, so one runaway cell cannot exhaust the page's memory. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const BATCH_BYTES = 256 * 1024;
const BATCH_EVENTS = 1000;
/** A slow trickle of output is still shown promptly while a long cell keeps running. */
const BATCH_MAX_AGE_MS = 50;

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, in one pass over the kept part only (a
 * 100 MB string costs what the cap costs). Never splits a surrogate pair.
 */
function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

function displayBytes(data: Record<string, unknown>): number {
  let bytes = 0;
  for (const key of Object.keys(data)) {
    const value = data[key];
    bytes += utf8Length(key) + (typeof value === 'string' ? utf8Length(value) : utf8Length(safeJson(value)));
  }
  return bytes;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/* For the hot path, which runs in user mode (see appendText): captured at load, called without lookups. */
const apply = Reflect.apply;
const performanceNow = performance.now;
const performanceObject = performance;
const nowPristine = (): number => apply(performanceNow, performanceObject, []) as number;
/** Lines of plain text held back before they go through the (guarded) batching. */
const RAW_LINES = 1000;
const RAW_CHARS = 64 * 1024;

/** Batches a cell's output onto the private port, enforcing the per-execute byte cap. */
export class OutputChannel {
  private cellId = 0;
  /** Plain text appended by the console's hot path, not yet counted or batched. */
  private rawText = '';
  private rawStream: 'stdout' | 'stderr' = 'stdout';
  private rawLines = 0;
  private rawSince = 0;
  private pending: OutputEvent[] = [];
  private pendingBytes = 0;
  private used = 0;
  private dropped = 0;
  private firstPendingAt = 0;

  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly post: (event: WorkerEvent) => void,
    private readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
    private readonly now: () => number = () => performance.now(),
    // The engine's own timer functions, saved before user code can replace the globals.
    private readonly timers: { set: typeof setTimeout; clear: typeof clearTimeout } = {
      set: setTimeout,
      clear: clearTimeout,
    },
  ) {}

  /** Starts counting for a new cell (output from timers between cells goes to cell 0). */
  begin(cellId: number): void {
    this.drain();
    this.flush();
    this.cellId = cellId;
    this.used = 0;
    this.dropped = 0;
  }

  /** Ends the cell: sends what is pending and the drop notice (before the result, on the same port); returns the bytes dropped. */
  end(): number {
    this.drain();
    if (this.dropped > 0) this.pushRaw({ type: 'dropped', bytes: this.dropped });
    this.flush();
    const dropped = this.dropped;
    this.cellId = 0;
    this.used = 0;
    this.dropped = 0;
    return dropped;
  }

  /**
   * The console's hot path for plain text, called straight from user code, where the cell's
   * own patches to the built-ins are in force: only string concatenation and captured
   * functions here. Every thousand lines (or 64 KB, or 50 ms) the text goes through
   * `stream()` on the pristine built-ins, so a flood costs one guard switch per thousand
   * lines instead of one per line.
   */
  appendText(stream: 'stdout' | 'stderr', text: string): void {
    if (this.rawText !== '' && this.rawStream !== stream) engineGuard().engine(() => this.drain());
    if (this.rawText === '') this.rawSince = nowPristine();
    this.rawStream = stream;
    this.rawText += text;
    this.rawLines++;
    if (nowPristine() - this.rawSince > BATCH_MAX_AGE_MS) {
      // A slow trickle inside a long synchronous cell: no timer can fire, so send it now.
      engineGuard().engine(() => this.flush());
    } else if (this.rawLines >= RAW_LINES || this.rawText.length >= RAW_CHARS) {
      engineGuard().engine(() => this.drain());
    } else if (this.timer === undefined) {
      this.armTimer();
    }
  }

  /** Moves the held-back text into the batch (engine mode). */
  private drain(): void {
    if (this.rawText === '') return;
    const text = this.rawText;
    this.rawText = '';
    this.rawLines = 0;
    this.stream(this.rawStream, text);
  }

  stream(stream: 'stdout' | 'stderr', text: string): void {
    this.drain();
    if (text.length === 0) return;
    const remaining = this.maxBytes - this.used;
    let bytes = utf8Length(text);
    if (bytes > remaining) {
      const kept = cutToBytes(text, remaining);
      const keptBytes = utf8Length(kept);
      this.dropped += bytes - keptBytes;
      if (kept.length === 0) return;
      text = kept;
      bytes = keptBytes;
    }
    this.used += bytes;
    const last = this.pending[this.pending.length - 1];
    if (last && last.type === 'stream' && last.stream === stream) {
      this.pending[this.pending.length - 1] = { type: 'stream', stream, text: last.text + text };
    } else {
      this.pending.push({ type: 'stream', stream, text });
    }
    this.afterPush(bytes);
  }

  display(data: Record<string, unknown>): void {
    this.drain();
    const bytes = displayBytes(data);
    if (this.used + bytes > this.maxBytes) {
      this.dropped += bytes;
      return;
    }
    this.used += bytes;
    this.pushRaw({ type: 'display', data });
  }

  private pushRaw(event: OutputEvent): void {
    this.pending.push(event);
    this.afterPush(0);
  }

  private afterPush(bytes: number): void {
    if (this.pending.length === 1 && this.pendingBytes === 0) {
      this.firstPendingAt = this.now();
      // While the cell awaits, nothing else would send a small batch.
      if (this.timer === undefined) this.armTimer();
    }
    this.pendingBytes += bytes;
    if (
      this.pendingBytes >= BATCH_BYTES ||
      this.pending.length >= BATCH_EVENTS ||
      this.now() - this.firstPendingAt > BATCH_MAX_AGE_MS
    ) {
      this.flush();
    }
  }

  /** Sends the pending batch, if any. */
  private armTimer(): void {
    this.timer = this.timers.set(
      () =>
        engineGuard().engine(() => {
          this.timer = undefined;
          this.flush();
        }),
      BATCH_MAX_AGE_MS,
    );
  }

  flush(): void {
    this.drain();
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.post({ type: 'output', cellId: this.cellId, events });
  }
}
