/**
 * One session of the playground: the SDK session, its history of cells and the cell that
 * is running now (where `input()` prompts and streamed output go).
 */
import { createSession, type SessionOptions } from '../lib/index.ts';
import { CellView } from './cell-view.ts';
import { h } from './dom.ts';

export type Session = Awaited<ReturnType<typeof createSession>>;
export type PolicyName = Extract<NonNullable<SessionOptions['policy']>, string>;

export class SessionTab {
  readonly history: HTMLElement;
  private count = 0;
  /**
   * Cells sent and not yet settled. A session runs its cells one at a time in order, so the
   * first one is the one running: that is where an `input()` prompt belongs.
   */
  private readonly pending: CellView[] = [];

  private constructor(
    readonly session: Session,
    readonly label: string,
    readonly policy: PolicyName,
    private readonly onChange: () => void,
  ) {
    this.history = h('section', { class: 'history', 'data-testid': 'cells', 'data-session-id': session.id });
    this.history.append(
      h(
        'p',
        { class: 'history-empty' },
        `Session ${session.id} (${policy} policy). Write a cell below and press `,
        h('kbd', { text: 'Ctrl' }),
        '+',
        h('kbd', { text: 'Enter' }),
        '.',
      ),
    );
    session.addEventListener('state', onChange);
    session.addEventListener('restart', onChange);
  }

  /**
   * Opens a session with a stable id (`playground-<n>`), so that its snapshots are found
   * again after a page reload.
   */
  static async open(index: number, policy: PolicyName, onChange: () => void): Promise<SessionTab> {
    let tab: SessionTab | null = null;
    const session = await createSession({
      id: `playground-${index}`,
      policy,
      onInput: (prompt) => tab?.pending[0]?.askInput(prompt) ?? '',
    });
    tab = new SessionTab(session, `Session ${index}`, policy, onChange);
    return tab;
  }

  get busy(): boolean {
    return this.pending.length > 0;
  }

  /** Runs a cell; resolves when it settled (whatever its outcome) and the view shows it. */
  async run(code: string, timeoutMs?: number): Promise<void> {
    const view = new CellView(code, ++this.count);
    this.history.querySelector('.history-empty')?.remove();
    this.history.append(view.element);
    view.element.scrollIntoView({ block: 'nearest' });
    this.pending.push(view);
    this.onChange();
    try {
      const result = await this.session.execute(code, { timeoutMs, onOutput: (event) => view.append(event) });
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
