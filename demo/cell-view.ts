/**
 * One cell in the history: its code, the output it streams (stdout and stderr apart, rich
 * displays through the SDK's `renderDisplay`), an answer box when it calls `input()`, and
 * at the end its result: `repr` or error, mode, duration and status badges.
 */

import type { EditorView } from '@codemirror/view';
import { type ExecutionResult, type OutputEvent, renderDisplay } from '../lib/index.ts';
import { fitFrame, framedMarkup } from './display-size.ts';
import { formatBytes, formatDuration, h } from './dom.ts';
import { type CodeLanguage, markLine, showCode } from './editor.ts';
import { copyText } from './share.ts';
import { type CellLinks, framesOf, traceBlock } from './stack-trace.ts';
import { StreamOutput } from './stream-output.ts';
import { expandable, expander } from './value-tree.ts';

export class CellView {
  readonly element: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly output: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly streams: StreamOutput;
  private pendingInput: (() => void) | null = null;

  private readonly code: EditorView;

  /**
   * @param count the cell's number in the history (its `[n]` prompt)
   * @param sdkId the SDK's number for the cell (stack frames name it as `cell-<sdkId>`)
   * @param links turn stack frames into links to cell lines
   */
  constructor(
    code: string,
    private readonly language: CodeLanguage,
    readonly count: number,
    readonly sdkId: number,
    private readonly links: CellLinks,
  ) {
    this.badges = h('span', { class: 'badges' }, h('span', { class: 'badge running', text: 'running' }));
    const codeBox = h('div', { class: 'cell-code', 'data-testid': 'cell-code' });
    this.code = showCode(codeBox, code, language);
    this.output = h('div', { class: 'cell-output', 'data-testid': 'cell-output' });
    this.footer = h('div', { class: 'cell-footer' });
    this.element = h(
      'article',
      {
        class: 'cell',
        'data-testid': 'cell',
        'data-status': 'running',
        'data-count': count,
        'data-language': language,
      },
      h('header', { class: 'cell-head' }, h('span', { class: 'prompt', text: `[${count}]` }), this.badges),
      codeBox,
      this.output,
      this.footer,
    );
    this.streams = new StreamOutput(this.output);
  }

  /** Appends one output event, in the order the cell produced it. */
  append(event: OutputEvent): void {
    if (event.type === 'stream') {
      this.streams.write(event.stream, event.text);
      return;
    }
    this.streams.break();
    if (event.type === 'display') {
      const box = h('div', { class: 'display', 'data-testid': 'cell-display' });
      this.output.append(box);
      renderDisplay(box, event.data);
      const markup = framedMarkup(event.data);
      if (markup !== undefined) fitFrame(box, markup);
    } else {
      this.output.append(
        h('div', {
          class: 'dropped',
          'data-testid': 'cell-dropped',
          text: `… ${formatBytes(event.bytes)} of output dropped`,
        }),
      );
    }
  }

  /** Shows an answer box under the cell; resolves with what the user typed. */
  askInput(prompt: string): Promise<string> {
    // What the cell printed before asking is drawn now, above the question: stream text waits
    // for the next animation frame otherwise, and a page that paints no frame for a while (a
    // background tab) would show the question before the output that led to it.
    this.streams.flush();
    return new Promise((resolve) => {
      const field = h('input', { type: 'text', 'data-testid': 'input-field', 'aria-label': prompt || 'input' });
      const form = h(
        'form',
        { class: 'input-form', 'data-testid': 'input-form' },
        h('label', { text: prompt || 'input()' }),
        field,
        h('button', { type: 'submit', text: 'Send' }),
      );
      const answer = (text: string) => {
        form.replaceWith(h('pre', { class: 'stream stdin', text: `${prompt} ${text}\n` }));
        this.pendingInput = null;
        resolve(text);
      };
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        answer(field.value);
      });
      this.pendingInput = () => answer('');
      this.streams.break();
      this.output.append(form);
      field.focus();
    });
  }

  /** Shows how the cell ended. */
  finish(result: ExecutionResult): void {
    this.pendingInput?.();
    this.streams.flush();
    this.element.dataset.status = result.status;
    const badges: HTMLElement[] = [
      h('span', { class: 'badge mode', 'data-testid': 'cell-mode', title: 'execution mode', text: result.mode }),
      h('span', {
        class: 'badge duration',
        'data-testid': 'cell-duration',
        title: 'duration',
        text: formatDuration(result.durationMs),
      }),
    ];
    if (result.status !== 'ok') {
      badges.push(
        h('span', { class: `badge ${result.status}`, 'data-testid': `badge-${result.status}`, text: result.status }),
      );
    }
    if (result.restarted) {
      badges.push(
        h('span', {
          class: 'badge restarted',
          'data-testid': 'badge-restarted',
          title: 'the worker was killed and the namespace restored from the last completed cell',
          text: 'restarted',
        }),
      );
    }
    if (result.outputDropped) {
      badges.push(h('span', { class: 'badge dropped', text: `${formatBytes(result.outputDropped)} dropped` }));
    }
    this.badges.replaceChildren(...badges);

    if (result.error) {
      const { name, message, line, column } = result.error;
      // JavaScript: the position is the first frame's, which may be in the cell that defined
      // the function. Python: always in the cell that ran (the engine places it there).
      const owner =
        this.language === 'python'
          ? this.sdkId
          : Number(/cell-(\d+):/.exec(result.error.stack ?? '')?.[1] ?? this.sdkId);
      const cell = owner === this.sdkId ? '' : `cell [${this.links.label(owner)}], `;
      const where = line ? ` (${cell}line ${line}${column ? `, column ${column}` : ''})` : '';
      this.footer.append(
        h('pre', { class: 'cell-error', 'data-testid': 'cell-error', text: `${name}: ${message}${where}` }),
      );
      const frames = result.error.stack ? framesOf(result.error.stack) : '';
      if (frames) this.footer.append(traceBlock(frames, { class: 'stack', 'data-testid': 'cell-stack' }, this.links));
    } else if (result.repr !== undefined) {
      const repr = result.repr;
      const copy = h('button', {
        class: 'small copy',
        'data-testid': 'copy-value',
        title: 'Copy the value as shown',
        text: 'Copy',
        onclick: () =>
          void copyText(repr).then((copied) => {
            copy.textContent = copied ? 'Copied' : 'Copy failed';
          }),
      });
      const line = h(
        'div',
        { class: 'result' },
        h('pre', { class: 'cell-repr', 'data-testid': 'cell-repr', text: repr }),
        copy,
      );
      this.footer.append(line);
      // The value came with the result (a structured clone): its tree is built as it is opened.
      const value = result.value;
      if (expandable(value)) {
        const { button, body } = expander('value', () => value);
        button.dataset.testid = 'value-expand';
        line.prepend(button);
        body.classList.add('result-tree');
        body.dataset.testid = 'value-tree';
        this.footer.append(body);
      }
    }
  }

  /** Marks `line` of the cell's code and brings the cell into view. */
  showLine(line: number): void {
    markLine(this.code, line);
    this.element.scrollIntoView({ block: 'nearest' });
    this.element.classList.remove('located');
    // Restart the flash when the same cell is located twice.
    void this.element.offsetWidth;
    this.element.classList.add('located');
  }

  /** Shows an SDK failure (the session is closed, the worker could not start…). */
  fail(error: unknown): void {
    this.pendingInput?.();
    this.streams.flush();
    this.element.dataset.status = 'error';
    this.badges.replaceChildren(h('span', { class: 'badge error', text: 'failed' }));
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.footer.append(h('pre', { class: 'cell-error', 'data-testid': 'cell-error', text }));
  }
}
