/**
 * Output of the running cell, batched onto the engine's private port: a flood of lines
 * becomes a steady stream of a few large messages (the page stays responsive), nothing
 * is lost below the cap, and past `maxOutputBytes` output is dropped and counted.
 */
import type { WorkerEvent } from '../protocol';
import type { OutputEvent } from '../types';
import { engineGuard } from './intrinsics';

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

/** Cuts `text` to at most `maxBytes` UTF-8 bytes. */
function cutToBytes(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // Fast path: the first maxBytes characters are at least maxBytes bytes.
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && utf8Length(text.slice(0, end)) > maxBytes) end = Math.floor(end * 0.9);
  return text.slice(0, end);
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

export class OutputChannel {
  private cellId = 0;
  private pending: OutputEvent[] = [];
  private pendingBytes = 0;
  private batches = 0;
  private seq = 0;
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
    this.flush();
    this.cellId = cellId;
    this.batches = 0;
    this.used = 0;
    this.dropped = 0;
  }

  /** Ends the cell: sends what is pending and the drop notice; returns the batch count and dropped bytes. */
  end(): { batches: number; dropped: number } {
    if (this.dropped > 0) this.pushRaw({ type: 'dropped', bytes: this.dropped });
    this.flush();
    const summary = { batches: this.batches, dropped: this.dropped };
    this.cellId = 0;
    this.batches = 0;
    this.used = 0;
    this.dropped = 0;
    return summary;
  }

  stream(stream: 'stdout' | 'stderr', text: string): void {
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
      this.timer ??= this.timers.set(
        () =>
          engineGuard().engine(() => {
            this.timer = undefined;
            this.flush();
          }),
        BATCH_MAX_AGE_MS,
      );
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
  flush(): void {
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.batches++;
    this.post({ type: 'output', cellId: this.cellId, seq: ++this.seq, events });
  }
}
