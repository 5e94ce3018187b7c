/**
 * One session of the playground: the SDK session, its history of cells and the cell that
 * is running now (where `input()` prompts and streamed output go).
 */
import { createSession, type OutputEvent, renderDisplay, type SessionOptions } from '../lib/index.ts';
import { CellView } from './cell-view.ts';
import type { Completer, Member, Variable } from './completion.ts';
import { fitFrame, framedMarkup } from './display-size.ts';
import { h } from './dom.ts';
import { type CellLinks, traceBlock } from './stack-trace.ts';

export type Session = Awaited<ReturnType<typeof createSession>>;
export type PolicyName = Extract<NonNullable<SessionOptions['policy']>, string>;
export type Language = NonNullable<SessionOptions['language']>;

/**
 * Where Python tabs load the runtime from: `python/` beside the page (demo/vite.config.ts serves
 * it in dev and copies it into the build).
 */
const PYTHON_INDEX_URL = new URL('python/', document.baseURI).href;

/**
 * A cell that prints the members of the value at `path` along its prototype chain as JSON.
 */
function javascriptMembersCell(path: readonly string[]): string {
  return `{
  let __scValue = ${path.join('.')};
  const __scSeen = new Set();
  const __scMembers = [];
  for (let depth = 0; __scValue !== null && __scValue !== undefined && depth < 8; depth++) {
    const target = Object(__scValue);
    for (const key of Object.getOwnPropertyNames(target)) {
      if (__scSeen.has(key) || /^\\d+$/.test(key)) continue;
      __scSeen.add(key);
      let kind = 'property';
      try { if (typeof Object.getOwnPropertyDescriptor(target, key)?.value === 'function') kind = 'method'; } catch {}
      __scMembers.push([key, kind, depth]);
    }
    __scValue = Object.getPrototypeOf(target);
  }
  console.log(JSON.stringify(__scMembers));
}
// Ends in the last value: \`_\` stays what the user's last cell made it.
typeof _ === 'undefined' ? undefined : _`;
}

/**
 * A cell that prints the members of the value at a dotted path as JSON, in one expression
 * statement: a call's value is None, so `_` stays what the user's last cell made it, and
 * nothing is assigned in the session. `getattr_static` reads attributes without running
 * properties.
 */
function pythonMembersCell(path: readonly string[]): string {
  return `print(__import__('json').dumps((lambda v, s: [[n, 'method' if callable(s(v, n, None)) else 'property', 0 if n in getattr(v, '__dict__', ()) else 1] for n in dir(v)])(${path.join('.')}, __import__('inspect').getattr_static)))`;
}

export class SessionTab implements Completer {
  readonly history: HTMLElement;
  /** The code of every cell run in this tab, in order (what a share link carries). */
  readonly cells: string[] = [];
  private count = 0;
  /**
   * Cells sent and not yet settled. A session runs its cells one at a time in order, so the
   * first one is the one running: that is where an `input()` prompt belongs.
   */
  private readonly pending: CellView[] = [];
  /**
   * The cells by the number the SDK gives them in stack frames (`cell-<n>`): it counts every
   * execute in order, as `count` does here.
   */
  private readonly views = new Map<number, CellView>();
  /** Every execute the SDK ran for this tab, the history's cells and completion lookups alike. */
  private sdkCells = 0;
  /** Output events a running cell's own `onOutput` already showed. */
  private readonly routed = new WeakSet<OutputEvent>();
  /** Where output that belongs to no running cell goes (errors of timers, unhandled rejections…). */
  private background: HTMLElement | null = null;

  private constructor(
    readonly session: Session,
    readonly label: string,
    readonly policy: PolicyName,
    readonly language: Language,
    private readonly onChange: () => void,
  ) {
    this.history = h('section', {
      class: 'history',
      'data-testid': 'cells',
      'data-session-id': session.id,
      'data-language': language,
    });
    this.history.append(
      h(
        'p',
        { class: 'history-empty' },
        `${language === 'python' ? 'Python' : 'JavaScript'} session ${session.id} (${policy} policy). Write a cell below and press `,
        h('kbd', { text: 'Ctrl' }),
        '+',
        h('kbd', { text: 'Enter' }),
        '.',
      ),
    );
    session.addEventListener('state', onChange);
    session.addEventListener('restart', onChange);
    session.addEventListener('output', (event) => {
      if (!this.routed.has(event.detail)) this.showBackground(event.detail);
    });
  }

  /**
   * Output that arrives when no cell owns it — a timer's callback or a promise rejection after
   * its cell ended — goes in the history where it happens, as the console shows it.
   */
  private showBackground(event: OutputEvent): void {
    let block = this.background;
    if (!block || block !== this.history.lastElementChild) {
      block = h(
        'article',
        { class: 'cell background', 'data-testid': 'background-output' },
        h(
          'header',
          { class: 'cell-head' },
          h('span', { class: 'prompt', text: 'after the cell ended' }),
          h('span', { class: 'badges' }, h('span', { class: 'badge', text: 'background' })),
        ),
      );
      this.history.querySelector('.history-empty')?.remove();
      this.history.append(block);
      this.background = block;
    }
    if (event.type === 'stream') {
      const text = event.text.endsWith('\n') ? event.text : `${event.text}\n`;
      block.append(
        traceBlock(text, { class: `stream ${event.stream}`, 'data-testid': `stream-${event.stream}` }, this.links),
      );
    } else if (event.type === 'display') {
      const box = h('div', { class: 'display', 'data-testid': 'cell-display' });
      block.append(box);
      renderDisplay(box, event.data);
      const markup = framedMarkup(event.data);
      if (markup !== undefined) fitFrame(box, markup);
    }
    if (!this.history.hidden) block.scrollIntoView({ block: 'nearest' });
  }

  private readonly links: CellLinks = {
    locate: (cell, line) => this.views.get(cell)?.showLine(line),
    label: (cell) => this.views.get(cell)?.count ?? cell,
  };

  /**
   * The session's variables (completion of names). Asked afresh each time — a restore or
   * another tab's work changes them without a cell here; the editor keeps one answer while
   * the same name is being typed.
   */
  listVariables(): Promise<Variable[]> {
    return this.session.namespace.list().catch(() => []);
  }

  /**
   * The properties and methods of the value at `path` (identifiers only, so nothing but
   * property reads runs), along its prototype chain, by a cell of its own that prints them.
   * Not while a cell of the history runs: completion never waits behind one. (The session's
   * own state may say `busy` for a moment while the inspector lists the variables.)
   */
  async listMembers(path: readonly string[]): Promise<Member[]> {
    if (this.busy || this.session.state === 'closed') return [];
    if (!path.every((part) => /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(part))) return [];
    const code = this.language === 'python' ? pythonMembersCell(path) : javascriptMembersCell(path);
    let printed = '';
    this.sdkCells++;
    const result = await this.session.execute(code, {
      onOutput: (event) => {
        this.routed.add(event);
        if (event.type === 'stream' && event.stream === 'stdout') printed += event.text;
      },
    });
    if (result.status !== 'ok') return [];
    try {
      const members = JSON.parse(printed) as Array<[string, Member['kind'], number]>;
      return members.map(([name, kind, depth]) => ({ name, kind, depth }));
    } catch {
      return [];
    }
  }

  /**
   * Opens a session with a stable id (`playground-<n>`, `playground-python-<n>`), so that its
   * snapshots are found again after a page reload (and a JavaScript tab never lists a Python
   * tab's).
   */
  static async open(index: number, policy: PolicyName, language: Language, onChange: () => void): Promise<SessionTab> {
    let tab: SessionTab | null = null;
    const session = await createSession({
      id: language === 'python' ? `playground-python-${index}` : `playground-${index}`,
      policy,
      language,
      ...(language === 'python' && { python: { indexURL: PYTHON_INDEX_URL } }),
      onInput: (prompt) => tab?.pending[0]?.askInput(prompt) ?? '',
    });
    tab = new SessionTab(session, `Session ${index}`, policy, language, onChange);
    return tab;
  }

  get busy(): boolean {
    return this.pending.length > 0;
  }

  /** Runs a cell; resolves when it settled (whatever its outcome) and the view shows it. */
  async run(code: string, timeoutMs?: number): Promise<void> {
    this.cells.push(code);
    const view = new CellView(code, this.language, ++this.count, ++this.sdkCells, this.links);
    this.views.set(view.sdkId, view);
    this.history.querySelector('.history-empty')?.remove();
    this.history.append(view.element);
    view.element.scrollIntoView({ block: 'nearest' });
    this.pending.push(view);
    this.onChange();
    try {
      const result = await this.session.execute(code, {
        timeoutMs,
        onOutput: (event) => {
          this.routed.add(event);
          view.append(event);
        },
      });
      view.finish(result);
    } catch (error) {
      view.fail(error);
    } finally {
      this.pending.splice(this.pending.indexOf(view), 1);
      this.onChange();
      // Bring the end of the cell (its result) into view, as a console does.
      if (!this.history.hidden) view.element.scrollIntoView({ block: 'end' });
    }
  }

  /** Stops the running cell (queued cells still run). */
  async stop(): Promise<void> {
    await this.session.interrupt();
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
