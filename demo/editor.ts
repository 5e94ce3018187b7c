/**
 * The code editor (CodeMirror 6, JavaScript or Python highlighting after the active tab's
 * language) and the read-only viewer that shows each cell's code in the history with the
 * same highlighting. Assembled from
 * the CodeMirror packages that are installed (view, state, language, autocomplete); the
 * `codemirror` package in node_modules is CodeMirror 5, so its `basicSetup` is not used.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import {
  bracketMatching,
  defaultHighlightStyle,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { Compartment, EditorState, type Extension, Prec, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  tooltips,
} from '@codemirror/view';
import { editingKeymap } from './editor-commands.ts';
import { history } from './editor-history.ts';

export type CodeLanguage = 'javascript' | 'python';

export interface Editor {
  getCode(): string;
  setCode(code: string): void;
  focus(): void;
  readonly language: CodeLanguage;
  /**
   * Highlights, indents and completes as `language`, with `extensions` of that language
   * (e.g. its cell history); the text is left as it is.
   */
  setLanguage(language: CodeLanguage, extensions?: Extension): void;
}

/**
 * The editor's chrome in the page's colours (style.css sets them for light and dark), so the
 * editor follows the system's colour scheme with the rest of the page.
 */
const theme = EditorView.theme({
  '&': { fontSize: '14px', color: 'var(--text)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { background: 'transparent', borderRight: 'none', color: 'var(--muted)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': {
    background: 'var(--selection)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)', color: 'var(--text)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--matching-bracket)' },
  '.cm-tooltip': { background: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { background: 'var(--accent)', color: 'var(--accent-text)' },
  '.cm-completionDetail': { color: 'var(--muted)' },
});

/**
 * CodeMirror's default highlighting with each colour behind a CSS variable
 * (`--hl-708` for `#708`, …): style.css gives the dark scheme readable ones, and the light
 * scheme keeps the defaults. The tags come from the default style itself.
 */
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) =>
    typeof spec.color === 'string' && spec.color.startsWith('#')
      ? { ...spec, color: `var(--hl-${spec.color.slice(1)}, ${spec.color})` }
      : spec,
  ),
);

const highlighting = [syntaxHighlighting(highlightStyle), highlightSpecialChars()];

/** One instance per language: CodeMirror compares extensions by identity. */
const LANGUAGES: Record<CodeLanguage, Extension> = { javascript: javascript(), python: python() };

/**
 * @param parent where the editor goes
 * @param actions `run` on Ctrl/Cmd+Enter (and Shift+Enter, as notebooks do), `stop` on Ctrl/Cmd+.
 */
export function createEditor(
  parent: HTMLElement,
  doc: string,
  actions: { run(): void; stop(): void },
  extensions: Extension[] = [],
  language: { language: CodeLanguage; extensions?: Extension } = { language: 'javascript' },
): Editor {
  const languageSlot = new Compartment();
  let current = language.language;
  const handled = (action: () => void) => () => {
    action();
    return true;
  };
  const shortcuts = keymap.of([
    { key: 'Mod-Enter', run: handled(actions.run) },
    { key: 'Shift-Enter', run: handled(actions.run) },
    { key: 'Mod-.', run: handled(actions.stop) },
  ]);
  const view = new EditorView({
    parent,
    doc,
    extensions: [
      // Highest precedence: the run/stop shortcuts win over Enter and completion keys.
      Prec.highest(shortcuts),
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      autocompletion(),
      // Tooltips (the completion list) in the page's body, above every panel: in the editor's
      // own element WebKitGTK painted the list, opening upwards from the editor at the bottom,
      // behind the toolbar and the history, where clicks reached those instead.
      tooltips({ parent: document.body }),
      history,
      keymap.of([...closeBracketsKeymap, ...completionKeymap, ...editingKeymap]),
      highlighting,
      languageSlot.of([LANGUAGES[current], language.extensions ?? []]),
      theme,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'cell code' }),
      extensions,
    ],
  });
  view.dom.dataset.language = current;
  return {
    get language() {
      return current;
    },
    setLanguage(next, nextExtensions = []) {
      current = next;
      view.dom.dataset.language = next;
      view.dispatch({ effects: languageSlot.reconfigure([LANGUAGES[next], nextExtensions]) });
    },
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: code },
        selection: { anchor: code.length },
      });
    },
    focus: () => view.focus(),
  };
}

const markLineEffect = StateEffect.define<number>();

/** The line a stack frame points at, marked in a cell's code. */
const markedLine = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(markLineEffect)) continue;
      const line = tr.state.doc.line(Math.min(Math.max(effect.value, 1), tr.state.doc.lines));
      return Decoration.set([Decoration.line({ class: 'cm-traced-line' }).range(line.from)]);
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** Marks `line` (1-based) of a cell's code shown by `showCode`. */
export function markLine(view: EditorView, line: number): void {
  view.dispatch({ effects: markLineEffect.of(line) });
}

/** Shows `code` highlighted and read-only (a cell in the history). */
export function showCode(parent: HTMLElement, code: string, language: CodeLanguage = 'javascript'): EditorView {
  return new EditorView({
    parent,
    doc: code,
    extensions: [
      highlighting,
      LANGUAGES[language],
      theme,
      EditorView.lineWrapping,
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      markedLine,
    ],
  });
}
