/**
 * Completion from the live session: after a name, the session's variables; after `a.b.`, the
 * properties and methods of that value in the session. Added as language data of JavaScript
 * and of Python, so the keywords and snippets of @codemirror/lang-javascript and
 * @codemirror/lang-python are still offered beside them.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { completionPath, javascriptLanguage } from '@codemirror/lang-javascript';
import { pythonLanguage } from '@codemirror/lang-python';
import { syntaxTree } from '@codemirror/language';
import type { Extension } from '@codemirror/state';

export interface Variable {
  name: string;
  type: string;
  repr: string;
}

export interface Member {
  name: string;
  kind: 'property' | 'method';
  /** 0: the value's own; 1: its prototype's; … */
  depth: number;
}

/** What the editor asks the active session. */
export interface Completer {
  listVariables(): Promise<Variable[]>;
  listMembers(path: readonly string[]): Promise<Member[]>;
}

const IDENTIFIER = /^[\p{L}\p{N}_$]*$/u;

function variableOption(variable: Variable): Completion {
  return {
    label: variable.name,
    type: variable.type === 'function' ? 'function' : variable.type === 'class' ? 'class' : 'variable',
    detail: variable.type,
    info: variable.repr,
    // Above keywords and snippets: the user's own names are what they most likely mean.
    boost: 1,
  };
}

/** A dotted name before the cursor (`a.b.c`, `a.b.`): where Python completion applies. */
const PYTHON_PATH = /(?:[\p{L}_][\p{L}\p{N}_]*\.)*[\p{L}\p{N}_]*$/u;

/**
 * The dotted name being typed in Python, split as lang-javascript's `completionPath` splits
 * it; null in strings and comments, and after a dot that follows no name (`1.`, `).`).
 */
export function pythonCompletionPath(context: CompletionContext): { path: string[]; name: string } | null {
  const node = syntaxTree(context.state).resolveInner(context.pos, -1);
  if (/String|Comment/.test(node.name)) return null;
  const match = context.matchBefore(PYTHON_PATH);
  const text = match?.text ?? '';
  const before = context.state.sliceDoc(Math.max(0, context.pos - text.length - 1), context.pos - text.length);
  if (before === '.' || /^\p{N}/u.test(text)) return null;
  const parts = text.split('.');
  const name = parts.pop() ?? '';
  return { path: parts, name };
}

type PathOf = (context: CompletionContext) => { path: readonly string[]; name: string } | null;

async function complete(
  context: CompletionContext,
  completer: Completer,
  pathOf: PathOf,
): Promise<CompletionResult | null> {
  const path = pathOf(context);
  if (!path) return null;
  // Where the name being typed starts (never before the document, whatever the tree says).
  const from = context.matchBefore(/[\p{L}\p{N}_$]*/u)?.from ?? context.pos;
  if (path.path.length === 0) {
    // A bare name: only offer while typing one (or on Ctrl+Space), not on every blank.
    if (path.name === '' && !context.explicit) return null;
    const variables = await completer.listVariables();
    if (context.aborted) return null;
    return { from, options: variables.map(variableOption), validFor: IDENTIFIER };
  }
  const members = await completer.listMembers(path.path);
  if (context.aborted || members.length === 0) return null;
  return {
    from,
    options: members.map(({ name, kind, depth }) => ({
      label: name,
      type: kind,
      detail: depth === 0 ? 'own' : undefined,
      // The value's own names first, then its class's, `Object.prototype`'s last; Python's
      // dunders after the rest.
      boost: 50 - depth * 10 - (name.startsWith('__') ? 20 : name.startsWith('_') ? 5 : 0),
    })),
    validFor: IDENTIFIER,
  };
}

/** Completion from whatever session `active` returns when the user types, in either language. */
export function sessionCompletion(active: () => Completer | null): Extension {
  const source = (pathOf: PathOf) => (context: CompletionContext) => {
    const completer = active();
    return completer ? complete(context, completer, pathOf) : null;
  };
  return [
    javascriptLanguage.data.of({ autocomplete: source(completionPath) }),
    pythonLanguage.data.of({ autocomplete: source(pythonCompletionPath) }),
  ];
}
