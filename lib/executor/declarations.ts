/**
 * The cell's top-level declarations: where each name lives (hoisting, before the walk), and
 * the rewrites of `var`, `class` and `function` statements that put them there.
 *
 *   - let/const/class of the cell's top level live in `__sc$s`, the namespace's lexical scope
 *     (see lib/namespace/namespace.ts); the walk rewrites them (./transform.ts).
 *   - var/function stay global properties, non-configurable as a script makes them, and are
 *     referenced by their bare name: a later `function b` is what an earlier `a()` calls. A
 *     top-level function is declared under a hidden local name (`__sc$f_name`) and published
 *     by the prelude, so no local binding shadows the global inside the cell either.
 *
 *   class A {}          →    __sc$.init("A", class A {}, "class");
 *   function f() {}          function __sc$f_f() {}          (prelude: __sc$.fn("f", __sc$f_f))
 *   var a = 1, b;            a = 1;                          (prelude declares "a" and "b")
 */
import type * as acorn from 'acorn';
import { patternNames } from './ast.ts';
import { type DeclarationKind, isLexicalResolution, type NameResolution } from './cell-plan.ts';
import type { CellEdits } from './edits.ts';
import { isUsing, varNames } from './scope.ts';

type AnyNode = acorn.AnyNode;

/** Where a top-level name of the cell lives. */
export type Home = 'lexical' | 'global';

/** The hidden local name of a top-level function declaration. */
export const functionLocal = (name: string) => `__sc$f_${name}`;

/** The function a top-level statement declares, behind any labels (`lbl: function f() {}`). */
export function topFunction(statement: AnyNode): acorn.FunctionDeclaration | undefined {
  let node = statement;
  while (node.type === 'LabeledStatement') node = node.body;
  return node.type === 'FunctionDeclaration' && node.id ? node : undefined;
}

/** The names a cell declares at its top level, where each lives, and how free names resolve. */
export class TopLevelNames {
  /** Top-level names of the cell and where they live. */
  readonly homes = new Map<string, Home>();
  readonly declarations = new Map<string, DeclarationKind>();
  readonly varNames: string[] = [];
  readonly functionNames: string[] = [];
  /** Source text of each top-level function and class declaration, by name. */
  readonly definitions: Record<string, string> = {};
  /** The cell's top-level function declarations (also behind labels). */
  readonly topFunctions = new Set<AnyNode>();
  /** Names eval code keeps to itself (its own lexical declarations; everything in strict eval code). */
  readonly ownNames = new Set<string>();
  /** The index of the top-level statement that initialises each let/const/class the cell declares. */
  readonly #declaredAt = new Map<string, number>();
  /** How each free name looked up so far resolves in the namespace. */
  readonly resolutions = new Map<string, NameResolution>();
  readonly #resolveName: (name: string) => NameResolution;

  constructor(resolveName: (name: string) => NameResolution) {
    this.#resolveName = resolveName;
  }

  /** Collects the declarations of the cell's top level (a reference anywhere may precede its declaration). */
  collect(ast: acorn.Program, source: string, strict: boolean, evalCode: boolean): void {
    for (let index = 0; index < ast.body.length; index++) {
      const statement = ast.body[index];
      if (evalCode && (statement.type === 'ClassDeclaration' || statement.type === 'VariableDeclaration')) {
        // eval code's own lexical declarations are its own, as the language has it.
        if (statement.type === 'ClassDeclaration' && statement.id) this.ownNames.add(statement.id.name);
        if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
          for (const d of statement.declarations) for (const name of patternNames(d.id)) this.ownNames.add(name);
        }
        continue;
      }
      const declaration = topFunction(statement) as (acorn.FunctionDeclaration & { id: acorn.Identifier }) | undefined;
      if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
        // A top-level `using` is kept by the console's REPL mode and not disposed when the cell
        // ends: it persists like a `const`.
        const kind = isUsing(statement) ? 'const' : (statement.kind as 'let' | 'const');
        for (const d of statement.declarations) {
          for (const name of patternNames(d.id)) this.#declareLexical(name, kind, index);
        }
      } else if (statement.type === 'ClassDeclaration' && statement.id) {
        this.#declareLexical(statement.id.name, 'class', index);
        this.definitions[statement.id.name] = source.slice(statement.start, statement.end);
      } else if (declaration && evalCode && strict) {
        // Strict eval code keeps its functions and vars to itself.
        this.ownNames.add(declaration.id.name);
      } else if (declaration) {
        this.topFunctions.add(declaration);
        const name = declaration.id.name;
        this.#declareGlobal(name, 'function');
        if (!this.functionNames.includes(name)) this.functionNames.push(name);
        this.definitions[name] = source.slice(declaration.start, declaration.end);
      }
    }
    for (const name of varNames(ast, strict)) {
      if (evalCode && strict) {
        this.ownNames.add(name);
        continue;
      }
      if (!this.homes.has(name) || this.homes.get(name) === 'global') {
        this.#declareGlobal(name, 'var');
        if (!this.varNames.includes(name)) this.varNames.push(name);
      }
    }
  }

  /** How a free name resolves in the namespace (asked once per name; the answers make the cache key). */
  resolve(name: string): NameResolution {
    let resolution = this.resolutions.get(name);
    if (resolution === undefined) {
      resolution = this.#resolveName(name);
      this.resolutions.set(name, resolution);
    }
    return resolution;
  }

  /**
   * What a lexical binding (a name whose reference goes to the namespace's lexical scope) is
   * sure to be when the cell's top-level statement `index` starts: an initialised mutable
   * binding, an initialised constant, or undefined (in its dead zone, or not known). The cell's
   * own let/const/class are initialised once their statement has run; its var and function
   * over a lexical name make that binding mutable in the prelude; other names are as the
   * namespace resolved them when the cell was compiled (nothing else runs before the cell).
   */
  lexicalStateAt(name: string, index: number): 'mutable' | 'const' | undefined {
    const kind = this.declarations.get(name);
    if (kind === 'var' || kind === 'function') return 'mutable';
    if (kind !== undefined) {
      const at = this.#declaredAt.get(name);
      if (at === undefined || at >= index) return undefined;
      return kind === 'const' ? 'const' : 'mutable';
    }
    const resolution = this.resolve(name);
    if (resolution === 'lexical') return 'mutable';
    if (resolution === 'lexical-const') return 'const';
    return undefined;
  }

  #declare(name: string, kind: DeclarationKind): void {
    const previous = this.declarations.get(name);
    // A function declaration wins over a `var` of the same name, as its value does.
    if (previous === undefined || (previous === 'var' && kind === 'function')) this.declarations.set(name, kind);
  }

  #declareLexical(name: string, kind: 'let' | 'const' | 'class', index: number): void {
    this.homes.set(name, 'lexical');
    this.#declaredAt.set(name, index);
    this.#declare(name, kind);
  }

  /** A var or function name: global, unless the namespace has it as a lexical binding already (reused). */
  #declareGlobal(name: string, kind: 'var' | 'function'): void {
    if (this.homes.get(name) === 'lexical') return;
    this.homes.set(name, isLexicalResolution(this.resolve(name)) ? 'lexical' : 'global');
    this.#declare(name, kind);
  }
}

/**
 * `var` outside functions: the names are declared in the prelude, so the declaration
 * becomes plain assignment (declarators without an initialiser disappear).
 */
export function rewriteVar(
  edits: CellEdits,
  node: acorn.VariableDeclaration,
  parent: AnyNode | undefined,
  key: string,
): void {
  const ms = edits.ms;
  const declarators = node.declarations;
  const first = declarators[0];
  if ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && key === 'left') {
    edits.replace(() => ms.remove(node.start, first.start));
    // `for (async of xs)` and `for (let of xs)` do not parse; a parenthesised name does.
    if (first.id.type === 'Identifier' && (first.id.name === 'async' || first.id.name === 'let')) {
      const id = first.id;
      edits.insert(() => {
        ms.prependRight(id.start, '(');
        ms.appendLeft(id.end, ')');
      });
    }
    return;
  }
  const inForInit = parent?.type === 'ForStatement' && key === 'init';
  const kept = declarators.filter((declarator) => declarator.init);
  const lastDeclarator = declarators[declarators.length - 1];
  if (kept.length === 0) {
    // Keep a statement in place: `if (c) var a;` must still guard something.
    edits.replace(() =>
      inForInit ? ms.remove(node.start, lastDeclarator.end) : ms.overwrite(node.start, lastDeclarator.end, 'void 0'),
    );
  } else {
    edits.replace(() => {
      ms.remove(node.start, kept[0].start);
      for (let i = 0; i + 1 < kept.length; i++) ms.overwrite(kept[i].end, kept[i + 1].start, ', ');
      const lastKept = kept[kept.length - 1];
      if (lastKept.end < lastDeclarator.end) ms.remove(lastKept.end, lastDeclarator.end);
    });
    edits.insert(() => {
      for (const declarator of kept) {
        ms.prependRight(declarator.start, '(');
        ms.appendLeft(declarator.end, ')');
      }
    });
  }
  if (!inForInit) edits.terminate(node);
}

/** A top-level class initialises its binding in the lexical scope. */
export function rewriteClass(edits: CellEdits, node: acorn.ClassDeclaration, name: string): void {
  edits.insert(() => {
    edits.ms.prependRight(node.start, `__sc$.init(${JSON.stringify(name)}, `);
    edits.ms.appendLeft(node.end, ', "class");');
  });
}

/** A top-level function declaration keeps a hidden local name; the prelude publishes it under its own. */
export function hideFunction(edits: CellEdits, id: acorn.Identifier): void {
  edits.replace(() => edits.ms.overwrite(id.start, id.end, functionLocal(id.name)));
}

/**
 * A sloppy-mode function declared in a block also binds its name in the enclosing function
 * (Annex B) when the block runs; at the cell's top level that binding is the namespace's.
 */
export function publishBlockFunction(
  edits: CellEdits,
  node: acorn.FunctionDeclaration,
  parent: AnyNode | undefined,
  name: string,
): void {
  const publish = ` __sc$.fn(${JSON.stringify(name)}, ${name});`;
  edits.insert(() => {
    if (parent?.type === 'IfStatement') {
      // `if (c) function f() {}` is a block of its own: the publish must stay inside the branch.
      edits.ms.prependRight(node.start, '{ ');
      edits.ms.appendLeft(node.end, `${publish} }`);
    } else {
      edits.ms.appendLeft(node.end, publish);
    }
  });
}
