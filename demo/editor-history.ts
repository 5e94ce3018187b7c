/**
 * Undo/redo for the playground editor. `@codemirror/commands` (which has the usual
 * `history()`) is not among the installed packages, so this keeps the essentials: each
 * change is stored inverted, typing within half a second is one undo step.
 */
import {
  Annotation,
  type ChangeSet,
  type EditorSelection,
  type EditorState,
  StateEffect,
  StateField,
  type Transaction,
} from '@codemirror/state';
import type { Command } from '@codemirror/view';

interface Entry {
  /** Takes the document back to how it was before the step. */
  changes: ChangeSet;
  /** The selection before the step. */
  selection: EditorSelection;
  time: number;
}

interface History {
  done: Entry[];
  undone: Entry[];
}

const GROUP_MS = 500;
const DEPTH = 200;

const setHistory = StateEffect.define<History>();
const fromHistory = Annotation.define<boolean>();

const historyField = StateField.define<History>({
  create: () => ({ done: [], undone: [] }),
  update(value: History, tr: Transaction): History {
    for (const effect of tr.effects) if (effect.is(setHistory)) return effect.value;
    if (!tr.docChanged || tr.annotation(fromHistory)) return value;
    const inverse = tr.changes.invert(tr.startState.doc);
    const last = value.done.at(-1);
    const now = Date.now();
    if (last && now - last.time < GROUP_MS && tr.isUserEvent('input.type')) {
      // The newer inverse runs first, then the older one: together they undo both steps.
      const merged = { changes: inverse.compose(last.changes), selection: last.selection, time: now };
      return { done: [...value.done.slice(0, -1), merged], undone: [] };
    }
    const entry = { changes: inverse, selection: tr.startState.selection, time: now };
    return { done: [...value.done, entry].slice(-DEPTH), undone: [] };
  },
});

function step(state: EditorState, from: 'done' | 'undone'): Transaction | null {
  const history = state.field(historyField);
  const entry = history[from].at(-1);
  if (!entry) return null;
  const back = { changes: entry.changes.invert(state.doc), selection: state.selection, time: 0 };
  const next: History =
    from === 'done'
      ? { done: history.done.slice(0, -1), undone: [...history.undone, back] }
      : { done: [...history.done, back], undone: history.undone.slice(0, -1) };
  return state.update({
    changes: entry.changes,
    selection: entry.selection,
    effects: setHistory.of(next),
    annotations: fromHistory.of(true),
    scrollIntoView: true,
    userEvent: from === 'done' ? 'undo' : 'redo',
  });
}

export const undo: Command = (view) => {
  const tr = step(view.state, 'done');
  if (tr) view.dispatch(tr);
  return tr !== null;
};

export const redo: Command = (view) => {
  const tr = step(view.state, 'undone');
  if (tr) view.dispatch(tr);
  return tr !== null;
};

export const history = historyField;
