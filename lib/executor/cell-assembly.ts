/**
 * The last step of a cell's rewrite: wraps the edited text in the cell arrow with its
 * prelude (which declares the cell's names and publishes its functions) and its return, and
 * assembles the plan with its cache key and a source map made on demand.
 *
 *   (async (__sc$, __sc$s) => { <prologue> let __sc$c = __sc$.empty; const __sc$n = __sc$.n; __sc$.declare(…); __sc$.fn(…);
 *   <the cell, rewritten>
 *   ;return { __proto__: null, value: __sc$c }; })
 *
 * The cell is an arrow: top-level `this` is globalThis and `arguments`/`new.target` behave as
 * in a script (no own `arguments`; `new.target` a syntax error). A `'use strict'` prologue stays
 * the arrow's prologue, so the cell is strict.
 */
import type * as acorn from 'acorn';
import type MagicString from 'magic-string';
import type { CellPlan, CellSourceMap, NameResolution } from './cell-plan.ts';
import { functionLocal, type TopLevelNames } from './declarations.ts';
import { type CellEdits, COMPLETION, SCOPE, TEMP } from './edits.ts';
import { FLAG } from './interrupt-checks.ts';
import { GENERATION } from './references.ts';

/** What the walk found, besides the edits. */
export interface WalkFindings {
  mode: CellPlan['mode'];
  names: TopLevelNames;
  hasValue: boolean;
  usesTemp: boolean;
  /** The variables of dynamic references that cache a name's absence from the scope (./references.ts). */
  dynamicCaches: string[];
  /** A loop checks the shared flag: the prelude binds it. */
  usesFlag: boolean;
  evalCode: boolean;
  freeNames: Set<string>;
  definesFunctions: boolean;
  mayCall: boolean;
}

/** Applies the recorded edits and assembles the plan. */
export function assembleCell(edits: CellEdits, ast: acorn.Program, found: WalkFindings): CellPlan {
  const { names, mode } = found;
  const ms = edits.ms;
  const source = edits.source;
  edits.apply();

  // A shebang line is a comment in a script.
  if (source.startsWith('#!')) ms.overwrite(0, 2, '//');

  let prelude = `let ${COMPLETION} = __sc$.empty${found.usesTemp ? `, ${TEMP}` : ''}; const __sc$n = __sc$.n;`;
  if (found.usesFlag) prelude += ` const ${FLAG} = __sc$.i;`;
  if (found.dynamicCaches.length > 0) {
    prelude += ` const ${GENERATION} = __sc$.gen; let ${found.dynamicCaches.map((cache) => `${cache} = -1`).join(', ')};`;
  }
  const declared = [...names.declarations]
    .filter(([name, kind]) => kind !== 'function' || names.homes.get(name) !== 'global')
    .filter(([name]) => !names.functionNames.includes(name) || names.homes.get(name) === 'lexical')
    .map(([name, kind]) => [name, kind === 'function' ? 'var' : kind]);
  // What eval code declares can be deleted, as the language has it.
  const deletable = found.evalCode ? ', true' : '';
  if (declared.length > 0) prelude += ` __sc$.declare(${JSON.stringify(declared)}${deletable});`;
  for (const name of names.functionNames) {
    prelude += ` __sc$.fn(${JSON.stringify(name)}, ${functionLocal(name)}${deletable});`;
  }
  // The prelude goes after the cell's directive prologue, which must stay first to count.
  let prologueEnd = -1;
  let prologueValue: string | undefined;
  for (const statement of ast.body) {
    if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) break;
    prologueEnd = statement.end;
    prologueValue = source.slice(statement.expression.start, statement.expression.end);
  }
  if (prologueValue !== undefined) prelude += ` ${COMPLETION} = ${prologueValue};`;
  const head = `(${mode === 'top-level-await' ? 'async ' : ''}(__sc$, ${SCOPE}) => {`;
  if (prologueEnd >= 0) {
    ms.prepend(head);
    const semicolon = source[prologueEnd - 1] === ';' ? '' : ';';
    ms.appendLeft(prologueEnd, `${semicolon}\n${prelude}\n`);
  } else {
    ms.prepend(`${head} ${prelude}\n`);
  }
  // On its own line, so a trailing line comment in the cell cannot swallow it.
  // No prototype: resolving an async cell's result must not find a user's Object.prototype.then.
  ms.append(`\n;return { __proto__: null, value: ${COMPLETION} }; })`);

  const declarations = [...names.declarations].map(([name, kind]) => ({ name, kind }));
  for (const { name } of declarations) found.freeNames.add(name);
  const resolvedNames = [...names.resolutions.keys()].sort();
  const resolutionKey = resolutionKeyOf(resolvedNames, (name) => names.resolutions.get(name) ?? 'other');
  const plan = {
    mode,
    code: ms.toString(),
    hasValue: found.hasValue,
    resolutionKey,
    resolvedNames,
    declarations,
    definitions: names.definitions,
    freeNames: [...found.freeNames],
    definesFunctions: found.definesFunctions,
    mayCall: found.mayCall,
  } as CellPlan;
  return withLazyMap(plan, ms);
}

/**
 * Defines `plan.map` as a property computed on first read. A character-precise map of a large
 * cell costs more than transforming it, and is only needed when an error is reported; reading
 * it (or structured-cloning the plan) turns it into a plain data property.
 */
function withLazyMap(plan: CellPlan, ms: MagicString): CellPlan {
  let source: MagicString | undefined = ms;
  Object.defineProperty(plan, 'map', {
    configurable: true,
    enumerable: true,
    get(this: CellPlan): CellSourceMap {
      const map = JSON.parse(
        (source as MagicString).generateMap({ hires: true, source: 'cell', includeContent: true }).toString(),
      ) as CellSourceMap;
      source = undefined;
      Object.defineProperty(this, 'map', { value: map, writable: true, configurable: true, enumerable: true });
      return map;
    },
  });
  return plan;
}

// No prototype: a key is found as an own property or not at all.
const RESOLUTION_CODES = {
  __proto__: null,
  lexical: 'L',
  'lexical-const': 'C',
  'lexical-dead': 'D',
  builtin: 'B',
  other: 'O',
} as unknown as Record<NameResolution, string>;

/**
 * The part of a compiled cell's cache key that depends on the namespace: how each of `names`
 * (sorted, as in a plan's `resolvedNames`) resolves now.
 */
export function resolutionKeyOf(names: readonly string[], resolve: (name: string) => NameResolution): string {
  let key = '';
  // An indexed loop: the worker computes this on its hot path, where a cell may have patched the array iterator.
  for (let i = 0; i < names.length; i++) key += `${names[i]}:${RESOLUTION_CODES[resolve(names[i])]} `;
  return key;
}
