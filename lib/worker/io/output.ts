/**
 * Output of the running cell, batched onto the engine's private port: a flood of lines
 * becomes a steady stream of a few large messages (the page stays responsive), nothing
 * is lost below the cap, and past `maxOutputBytes` output is dropped and counted.
 */
import {
  append,
  JSONStringify,
  list,
  now as nowPristine,
  ObjectKeys,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
} from '../../primordials.ts';
import type { WorkerEvent } from '../../protocol.ts';
import type { OutputEvent } from '../../types.ts';

// Everything here but display() runs on the hot path — inside console calls in user code,
// and while the engine builds a result — with a cell's patches to the built-ins in force:
// only primordials (lib/primordials.ts), lists with no prototype, no iteration protocol.

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
    const code = StringPrototypeCharCodeAt(text, i);
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
    const code = StringPrototypeCharCodeAt(text, i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return StringPrototypeSlice(text, 0, i);
}

function displayBytes(data: Record<string, unknown>): number {
  let bytes = 0;
  const keys = ObjectKeys(data);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = data[key];
    bytes += utf8Length(key) + (typeof value === 'string' ? utf8Length(value) : utf8Length(safeJson(value)));
  }
  return bytes;
}

function safeJson(value: unknown): string {
  try {
    return JSONStringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Lines of plain text held back before they are counted and batched. */
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
  private pending: OutputEvent[] = list();
  private pendingBytes = 0;
  private used = 0;
  private dropped = 0;
  private firstPendingAt = 0;

  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly post: (event: WorkerEvent) => void,
    private readonly maxBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
    private readonly now: () => number = nowPristine,
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
    if (this.dropped > 0) this.pushRaw({ type: 'dropped', bytes: this.dropped } as OutputEvent);
    this.flush();
    const dropped = this.dropped;
    this.cellId = 0;
    this.used = 0;
    this.dropped = 0;
    return dropped;
  }

  /**
   * The console's path for plain text: only string concatenation here, and every thousand
   * lines (or 64 KB, or 50 ms) the text is counted against the cap and batched, so a flood
   * costs one byte count per thousand lines instead of one per line.
   */
  appendText(stream: 'stdout' | 'stderr', text: string): void {
    if (this.rawText !== '' && this.rawStream !== stream) this.drain();
    const now = this.now();
    if (this.rawText === '') this.rawSince = now;
    this.rawStream = stream;
    this.rawText += text;
    this.rawLines++;
    if (now - this.rawSince > BATCH_MAX_AGE_MS) {
      // A slow trickle inside a long synchronous cell: no timer can fire, so send it now.
      this.flush();
    } else if (this.rawLines >= RAW_LINES || this.rawText.length >= RAW_CHARS) {
      this.drain();
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
    const count = this.pending.length;
    const last = count > 0 ? this.pending[count - 1] : undefined;
    if (last && last.type === 'stream' && last.stream === stream) {
      this.pending[count - 1] = { type: 'stream', stream, text: last.text + text };
    } else {
      append(this.pending, { type: 'stream', stream, text } as OutputEvent);
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
    this.pushRaw({ type: 'display', data } as OutputEvent);
  }

  private pushRaw(event: OutputEvent): void {
    append(this.pending, event);
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
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.flush();
    }, BATCH_MAX_AGE_MS);
  }

  flush(): void {
    this.drain();
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = list();
    this.pendingBytes = 0;
    this.post({ type: 'output', cellId: this.cellId, events });
  }
}
