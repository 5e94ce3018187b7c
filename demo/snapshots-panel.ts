/**
 * Snapshots of the active session: save one (`session.snapshot()`), list those stored under
 * its id (`listSnapshots`), restore (`session.restore(id)`) or delete (`deleteSnapshot`).
 * Sessions have stable ids, so the list survives a page reload.
 */
import { deleteSnapshot, listSnapshots, type SnapshotInfo } from '../lib/index.ts';
import { formatBytes, h } from './dom.ts';
import type { Session } from './session-tab.ts';

export class SnapshotsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private session: Session | null = null;

  /** @param onRestored called after a restore, so the inspector can show the new namespace */
  constructor(private readonly onRestored: () => void) {
    this.saveButton = h('button', {
      class: 'small',
      'data-testid': 'snapshot-save',
      title: 'Save the variables of this session to IndexedDB',
      text: 'Save snapshot',
      onclick: () => void this.save(),
    });
    this.list = h('ul', { class: 'snapshot-list', 'data-testid': 'snapshot-list' });
    this.status = h('p', { class: 'snapshot-status muted', 'data-testid': 'snapshot-status', role: 'status' });
    this.element = h(
      'section',
      { class: 'panel snapshots', 'data-testid': 'snapshots' },
      h('h2', {}, 'Snapshots', this.saveButton),
      this.status,
      this.list,
    );
  }

  async show(session: Session | null): Promise<void> {
    this.session = session;
    this.status.textContent = '';
    await this.reload();
  }

  private async reload(): Promise<void> {
    const session = this.session;
    if (!session) {
      this.list.replaceChildren();
      return;
    }
    try {
      const snapshots = await listSnapshots(session.id);
      if (session !== this.session) return;
      snapshots.sort((a, b) => b.createdAt - a.createdAt);
      this.list.replaceChildren(...snapshots.map((info) => this.item(info)));
      if (snapshots.length === 0) this.list.append(h('li', { class: 'muted', text: 'None saved for this session.' }));
    } catch (error) {
      this.say(`Could not list snapshots: ${describe(error)}`, true);
    }
  }

  private item(info: SnapshotInfo): HTMLElement {
    const skipped = reasons(info.skipped);
    return h(
      'li',
      { 'data-testid': 'snapshot', 'data-snapshot-id': info.id },
      h(
        'div',
        { class: 'snapshot-meta' },
        h('time', { text: new Date(info.createdAt).toLocaleString() }),
        h('span', {
          class: 'muted',
          title: skipped ? `not saved:\n${skipped}` : info.saved.join(', '),
          text: `${info.saved.length} saved${info.skipped.length ? `, ${info.skipped.length} skipped` : ''} · ${formatBytes(info.bytes)}`,
        }),
      ),
      h('button', {
        class: 'small',
        'data-testid': 'snapshot-restore',
        text: 'Restore',
        onclick: () => void this.restore(info.id),
      }),
      h('button', {
        class: 'small danger',
        'data-testid': 'snapshot-delete',
        title: 'Delete this snapshot',
        text: 'Delete',
        onclick: () => void this.remove(info.id),
      }),
    );
  }

  private async save(): Promise<void> {
    if (!this.session) return;
    this.saveButton.disabled = true;
    try {
      const info = await this.session.snapshot();
      const skipped = info.skipped.length ? ` Not saved: ${names(info.skipped)} (hover for why).` : '';
      this.say(`Saved ${plural(info.saved.length, 'variable')}.${skipped}`, false, reasons(info.skipped));
      await this.reload();
    } catch (error) {
      this.say(`Could not save: ${describe(error)}`, true);
    } finally {
      this.saveButton.disabled = false;
    }
  }

  private async restore(id: string): Promise<void> {
    if (!this.session) return;
    try {
      const info = await this.session.restore(id);
      const skipped = info.skipped.length ? ` Skipped: ${names(info.skipped)} (hover for why).` : '';
      this.say(`Restored ${info.restored.join(', ') || 'nothing'}.${skipped}`, false, reasons(info.skipped));
    } catch (error) {
      this.say(`Could not restore: ${describe(error)}`, true);
    }
    this.onRestored();
  }

  private async remove(id: string): Promise<void> {
    try {
      await deleteSnapshot(id);
      this.say('Snapshot deleted.');
    } catch (error) {
      this.say(`Could not delete: ${describe(error)}`, true);
    }
    await this.reload();
  }

  /** @param details the long form (why variables were skipped), shown on hover */
  private say(text: string, isError = false, details = ''): void {
    this.status.textContent = text;
    this.status.title = details;
    this.status.classList.toggle('error', isError);
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function names(skipped: SnapshotInfo['skipped']): string {
  return skipped.map((s) => s.name).join(', ');
}

function reasons(skipped: SnapshotInfo['skipped']): string {
  return skipped.map((s) => `${s.name}: ${s.reason}`).join('\n');
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
