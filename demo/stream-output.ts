/**
 * A cell's printed text (stdout and stderr), rendered so that a flood cannot freeze the page:
 * chunks are batched into one DOM append per animation frame, and past `limit` lines the text
 * is only kept, not rendered, until the user asks for it with "show all".
 */
import { h } from './dom.ts';

export type StreamName = 'stdout' | 'stderr';

/** Lines rendered per cell before the rest waits behind "show all". */
export const RENDERED_LINES = 1000;

interface Block {
  stream: StreamName;
  element: HTMLElement;
  /** Text waiting for the next frame. */
  pending: string[];
}

/** Text past the limit between two other outputs, behind one "show all" link. */
interface Held {
  element: HTMLElement;
  parts: Array<{ stream: StreamName; text: string }>;
  lines: number;
}

export class StreamOutput {
  private current: Block | null = null;
  private readonly dirty = new Set<Block>();
  private frame = 0;
  private renderedLines = 0;
  /** Where text past the limit goes now; a prompt or display in between starts another. */
  private held: Held | null = null;

  /** @param output where stream blocks go (shared with displays and prompts, in order) */
  constructor(
    private readonly output: HTMLElement,
    private readonly limit = RENDERED_LINES,
  ) {}

  /** Adds one chunk of printed text; one line per console call, with or without its newline. */
  write(stream: StreamName, chunk: string): void {
    const text = chunk.endsWith('\n') ? chunk : `${chunk}\n`;
    const room = this.limit - this.renderedLines;
    const lines = countLines(text);
    if (lines <= room) {
      this.render(stream, text);
      this.renderedLines += lines;
      return;
    }
    // Split at the last line that still fits; the rest waits behind "show all".
    const cut = room > 0 ? nthNewline(text, room) : 0;
    if (cut > 0) this.render(stream, text.slice(0, cut));
    this.renderedLines = Math.max(this.renderedLines, this.limit);
    this.hold(stream, text.slice(cut));
  }

  /** Something else (a display, a prompt) comes next: the next text starts a new block. */
  break(): void {
    this.current = null;
    this.held = null;
  }

  /** Renders everything still pending now (the cell ended). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const block of this.dirty) {
      block.element.append(document.createTextNode(block.pending.join('')));
      block.pending = [];
    }
    this.dirty.clear();
  }

  private render(stream: StreamName, text: string): void {
    let block = this.current;
    if (block?.stream !== stream) {
      const element = h('pre', { class: `stream ${stream}`, 'data-testid': `stream-${stream}` });
      this.output.append(element);
      block = this.current = { stream, element, pending: [] };
    }
    block.pending.push(text);
    this.dirty.add(block);
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  private hold(stream: StreamName, text: string): void {
    let held = this.held;
    if (!held) {
      const element = h('div', { class: 'more-output', 'data-testid': 'more-output' });
      const created: Held = { element, parts: [], lines: 0 };
      element.append(
        h('button', { class: 'link', 'data-testid': 'show-all-output', onclick: () => this.showAll(created) }),
      );
      this.output.append(element);
      held = this.held = created;
      this.current = null;
    }
    held.parts.push({ stream, text });
    held.lines += countLines(text);
    held.element.dataset.lines = String(held.lines);
    const button = held.element.querySelector('button');
    if (button) button.textContent = `… ${held.lines.toLocaleString('en-US')} more lines — show all`;
  }

  /** Renders held text in place of its link: one text node per run of the same stream. */
  private showAll(held: Held): void {
    this.flush();
    const runs: Array<{ stream: StreamName; parts: string[] }> = [];
    for (const { stream, text } of held.parts) {
      const last = runs.at(-1);
      if (last?.stream === stream) last.parts.push(text);
      else runs.push({ stream, parts: [text] });
    }
    const fragment = document.createDocumentFragment();
    for (const run of runs) {
      const element = h('pre', { class: `stream ${run.stream}`, 'data-testid': `stream-${run.stream}` });
      element.textContent = run.parts.join('');
      fragment.append(element);
    }
    held.parts = [];
    // Text of a still-running cell goes on in a new block after what was just shown.
    if (this.held === held) this.held = null;
    this.current = null;
    held.element.replaceWith(fragment);
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** The offset just past the `n`th newline of `text` (0 when n is 0). */
function nthNewline(text: string, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = text.indexOf('\n', at) + 1;
  return at;
}
