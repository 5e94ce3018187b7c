/**
 * Completion from the live session: after a name, the session's variables; after `a.b.`, the
 * properties and methods of that value in the session. Added as JavaScript language data, so
 * the keywords and snippets of @codemirror/lang-javascript are still offered beside them.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { completionPath, javascriptLanguage } from '@codemirror/lang-javascript';
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

async function complete(context: CompletionContext, completer: Completer): Promise<CompletionResult | null> {
  const path = completionPath(context);
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
      // The value's own names first, then its class's, `Object.prototype`'s last.
      boost: 50 - depth * 10 - (name.startsWith('_') ? 5 : 0),
    })),
    validFor: IDENTIFIER,
  };
}

/** Completion from whatever session `active` returns when the user types. */
export function sessionCompletion(active: () => Completer | null): Extension {
  return javascriptLanguage.data.of({
    autocomplete: (context: CompletionContext) => {
      const completer = active();
      return completer ? complete(context, completer) : null;
    },
  });
}
