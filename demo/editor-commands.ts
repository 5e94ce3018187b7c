/**
 * The few editing commands the playground needs beyond what the view does by itself
 * (typing, deleting, moving): `@codemirror/commands` is not among the installed packages.
 */
import { getIndentation, indentString, indentUnit } from '@codemirror/language';
import { EditorSelection, type EditorState } from '@codemirror/state';
import type { Command, KeyBinding } from '@codemirror/view';
import { redo, undo } from './editor-history.ts';

const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function lineIndent(state: EditorState, pos: number): number {
  const text = state.doc.lineAt(pos).text;
  return /^\s*/.exec(text)?.[0].length ?? 0;
}

/** Enter: a new line indented as the language says; between brackets, opens a block. */
export const newlineAndIndent: Command = (view) => {
  const { state } = view;
  const transaction = state.changeByRange((range) => {
    const before = state.sliceDoc(range.from - 1, range.from);
    const after = state.sliceDoc(range.to, range.to + 1);
    const base = lineIndent(state, range.from);
    const inner = getIndentation(state, range.from) ?? base;
    if (PAIRS[before] !== undefined && PAIRS[before] === after) {
      const open = `\n${indentString(state, Math.max(inner, base + state.facet(indentUnit).length))}`;
      const insert = `${open}\n${indentString(state, base)}`;
      return {
        changes: { from: range.from, to: range.to, insert },
        range: EditorSelection.cursor(range.from + open.length),
      };
    }
    const insert = `\n${indentString(state, inner)}`;
    return {
      changes: { from: range.from, to: range.to, insert },
      range: EditorSelection.cursor(range.from + insert.length),
    };
  });
  view.dispatch(state.update(transaction, { scrollIntoView: true, userEvent: 'input' }));
  return true;
};

/** Rewrites the leading whitespace of every line a selection touches, once per line. */
function changeLineIndents(state: EditorState, change: (indent: string) => string) {
  const seen = new Set<number>();
  const changes: Array<{ from: number; to: number; insert: string }> = [];
  for (const range of state.selection.ranges) {
    for (let pos = range.from; pos <= range.to; ) {
      const line = state.doc.lineAt(pos);
      if (!seen.has(line.number)) {
        seen.add(line.number);
        const indent = /^\s*/.exec(line.text)?.[0] ?? '';
        changes.push({ from: line.from, to: line.from + indent.length, insert: change(indent) });
      }
      pos = line.to + 1;
    }
  }
  return changes;
}

/** Tab: two spaces at the cursor, or one indent level more on every selected line. */
export const indentMore: Command = (view) => {
  const { state } = view;
  const unit = state.facet(indentUnit);
  if (state.selection.ranges.every((range) => range.empty)) {
    view.dispatch(state.update(state.replaceSelection(unit), { userEvent: 'input' }));
    return true;
  }
  view.dispatch(
    state.update({ changes: changeLineIndents(state, (indent) => indent + unit), userEvent: 'input.indent' }),
  );
  return true;
};

/** Shift+Tab: one indent level less on every line the selection touches. */
export const indentLess: Command = (view) => {
  const { state } = view;
  const size = state.facet(indentUnit).length;
  const changes = changeLineIndents(state, (indent) => indent.slice(Math.min(indent.length, size)));
  view.dispatch(state.update({ changes, userEvent: 'delete.dedent' }));
  return true;
};

export const selectAll: Command = (view) => {
  view.dispatch({ selection: { anchor: 0, head: view.state.doc.length }, userEvent: 'select' });
  return true;
};

export const editingKeymap: KeyBinding[] = [
  { key: 'Enter', run: newlineAndIndent },
  { key: 'Tab', run: indentMore, shift: indentLess },
  { key: 'Mod-a', run: selectAll },
  { key: 'Mod-z', run: undo, preventDefault: true },
  { key: 'Mod-y', run: redo, preventDefault: true },
  { key: 'Mod-Shift-z', run: redo, preventDefault: true },
];
