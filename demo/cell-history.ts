/**
 * The cells run, for ↑/↓ recall in the editor as a console has it, and the editor's text:
 * both kept in localStorage, so a reload loses neither. ↑ on the first line goes back one
 * cell, ↓ on the last line forward; past the newest comes back what was being written.
 */
import type { Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';

const STORAGE_KEY = 'sandcell-playground:history';
const MAX_ENTRIES = 200;

interface Saved {
  entries: string[];
  draft: string | null;
}

function load(key: string): Saved {
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Saved> | null;
    const entries = Array.isArray(saved?.entries) ? saved.entries.filter((e) => typeof e === 'string') : [];
    return { entries, draft: typeof saved?.draft === 'string' ? saved.draft : null };
  } catch {
    // Unreadable or blocked storage: start empty rather than not at all.
    return { entries: [], draft: null };
  }
}

export class CellHistory {
  private readonly saved: Saved;
  /** Where ↑/↓ is in `entries`; `entries.length` = the text being written. */
  private position: number;
  /** What was in the editor before ↑ took over. */
  private pending: string | null = null;
  private readonly key: string;

  /** @param language whose cells (each language keeps its own, apart) */
  constructor(language: 'javascript' | 'python' = 'javascript') {
    this.key = language === 'javascript' ? STORAGE_KEY : `${STORAGE_KEY}:${language}`;
    this.saved = load(this.key);
    this.position = this.saved.entries.length;
  }

  /** The editor's text at the last reload, if any. */
  get draft(): string | null {
    return this.saved.draft;
  }

  get size(): number {
    return this.saved.entries.length;
  }

  /** A cell was run: it becomes the newest entry (not twice in a row). */
  add(code: string): void {
    const { entries } = this.saved;
    if (entries.at(-1) !== code) entries.push(code);
    if (entries.length > MAX_ENTRIES) entries.splice(0, entries.length - MAX_ENTRIES);
    this.position = entries.length;
    this.pending = null;
    this.store();
  }

  /** Forgets every entry and the saved editor text. */
  clear(): void {
    this.saved.entries = [];
    this.saved.draft = null;
    this.position = 0;
    this.pending = null;
    try {
      localStorage.removeItem(this.key);
    } catch {}
  }

  /** Keeps the editor's text for the next reload. */
  saveDraft(code: string): void {
    this.saved.draft = code;
    this.store();
  }

  private store(): void {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.saved));
    } catch {
      // Full or blocked storage: recall still works for this page's life.
    }
  }

  private step(view: EditorView, by: -1 | 1): boolean {
    const { entries } = this.saved;
    const target = this.position + by;
    if (target < 0 || target > entries.length) return false;
    if (this.position === entries.length) this.pending = view.state.doc.toString();
    this.position = target;
    const text = target === entries.length ? (this.pending ?? '') : (entries[target] ?? '');
    // Going back, the cursor lands on the first line (↑ again goes further back); forward, on the last.
    const anchor = by < 0 ? (text.split('\n')[0]?.length ?? 0) : text.length;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      selection: { anchor },
      userEvent: 'input.recall',
      scrollIntoView: true,
    });
    return true;
  }

  /** ↑/↓ recall and saving the text as it changes. */
  extension(): Extension {
    return [
      keymap.of([
        {
          key: 'ArrowUp',
          run: (view) => {
            const { main } = view.state.selection;
            return main.empty && view.state.doc.lineAt(main.head).number === 1 && this.step(view, -1);
          },
        },
        {
          key: 'ArrowDown',
          run: (view) => {
            const { main } = view.state.selection;
            const { doc } = view.state;
            return main.empty && doc.lineAt(main.head).number === doc.lines && this.step(view, 1);
          },
        },
      ]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) this.saveDraft(update.state.doc.toString());
      }),
    ];
  }
}
