/**
 * Error text with its stack frames made into links: the SDK writes a cell's frames as
 * `cell-<n>:<line>:<column>` (positions in the cell as written), and a click shows that line
 * in cell [n] of the session's history.
 */
import { h } from './dom.ts';

const FRAME = /cell-(\d+):(\d+):(\d+)/g;

export type Locate = (cell: number, line: number, column: number) => void;

/** A `pre` with `text`, each cell frame replaced by a link that calls `locate`. */
export function traceBlock(text: string, props: Record<string, string>, locate: Locate): HTMLElement {
  const pre = h('pre', props);
  let last = 0;
  for (const match of text.matchAll(FRAME)) {
    const [whole, cell, line, column] = match;
    pre.append(text.slice(last, match.index));
    pre.append(
      h('button', {
        class: 'link frame',
        'data-testid': 'stack-frame',
        'data-cell': cell,
        'data-line': line,
        title: `show line ${line} of cell [${cell}]`,
        text: `[${cell}] line ${line}:${column}`,
        onclick: () => locate(Number(cell), Number(line), Number(column)),
      }),
    );
    last = match.index + whole.length;
  }
  pre.append(text.slice(last));
  return pre;
}

/** The stack without its first line(s) when they only repeat `name: message`. */
export function framesOf(stack: string): string {
  const at = stack.search(/^\s+at /m);
  return at === -1 ? '' : stack.slice(at);
}
