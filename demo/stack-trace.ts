/**
 * Error text with its stack frames made into links: the SDK writes a JavaScript cell's frames
 * as `cell-<n>:<line>:<column>` (positions in the cell as written) and a Python traceback's as
 * `File "<cell-<n>>", line <line>`; a click shows that line in cell [n] of the session's
 * history.
 */
import { h } from './dom.ts';

const FRAME = /cell-(\d+):(\d+):(\d+)|File "<cell-(\d+)>", line (\d+)/g;

/** What a session's history knows about the SDK's cell numbers. */
export interface CellLinks {
  /** Shows line `line` of the SDK's cell `cell`. */
  locate(cell: number, line: number, column: number): void;
  /** The number the history shows for the SDK's cell `cell` (its `[n]` prompt). */
  label(cell: number): number;
}

/** A `pre` with `text`, each cell frame replaced by a link to the cell's line. */
export function traceBlock(text: string, props: Record<string, string>, links: CellLinks): HTMLElement {
  const pre = h('pre', props);
  let last = 0;
  for (const match of text.matchAll(FRAME)) {
    const [whole, jsCell, jsLine, column = '0', pyCell, pyLine] = match;
    const cell = jsCell ?? pyCell;
    const line = jsLine ?? pyLine;
    const shown = links.label(Number(cell));
    pre.append(text.slice(last, match.index));
    pre.append(
      h('button', {
        class: 'link frame',
        'data-testid': 'stack-frame',
        'data-cell': String(shown),
        'data-line': line,
        title: `show line ${line} of cell [${shown}]`,
        text: jsCell ? `[${shown}] line ${line}:${column}` : `cell [${shown}], line ${line}`,
        onclick: () => links.locate(Number(cell), Number(line), Number(column)),
      }),
    );
    last = match.index + whole.length;
  }
  pre.append(text.slice(last));
  return pre;
}

/**
 * The stack without the lines that only repeat `name: message`: a JavaScript stack from its
 * first `at` frame, a Python traceback without its closing `Name: message` line.
 */
export function framesOf(stack: string): string {
  if (stack.startsWith('Traceback (most recent call last):')) {
    const lines = stack.split('\n');
    // The last frame's lines are indented; what follows them is the exception itself.
    let end = lines.length;
    while (end > 1 && !/^\s/.test(lines[end - 1] ?? '')) end--;
    return end > 1 ? lines.slice(0, end).join('\n') : '';
  }
  const at = stack.search(/^\s+at /m);
  return at === -1 ? '' : stack.slice(at);
}
