/**
 * The REPL transform: turns a cell into one function expression the worker evaluates and
 * calls with the cell runtime (`__sc$`), so that top-level declarations persist on the
 * worker's `globalThis`, the last expression is returned, and loops and functions check for
 * interrupts.
 *
 *   let a = 1, {b} = o;        __sc$.declare(["a","b"], "let"); (a = 1), ({b} = o);
 *   const c = 2;          →    __sc$.declare(["c"], "const"); (c = 2); __sc$.constant(["c"]);
 *   class A {}                 __sc$.declare(["A"], "class"); A = class A {};
 *   for (var i of xs) f(i)     for (i of xs) { CHECK f(i) }     (and "i" declared in the prelude)
 *   a + b                      return { __proto__: null, value: (a + b) };
 *
 * The cell runs in sloppy mode with `this === globalThis`, so a rewritten declaration (an
 * assignment to an undeclared name) lands on the global object. Edits go through
 * magic-string, so every user token keeps a source-map entry to where the user wrote it.
 */
import type * as acorn from 'acorn';
import { getLineInfo } from 'acorn';
import MagicString from 'magic-string';
import {
  FUNCTION_MAKERS,
  forEachChild,
  INERT,
  isAnnexBFunction,
  isBoundedLeaf,
  isReference,
  lastStatement,
  patternNames,
} from './ast.ts';
import type { CellPlan, CellSourceMap, CellSyntaxError, DeclarationKind, TransformOptions } from './cell-plan.ts';
import { classifyProgram } from './detect-mode.ts';
import { CHECK_INTERVAL } from './interrupt.ts';
import { parseCell } from './parse.ts';

/** The interrupt check at function entry: the countdown shared by all cells (a call may enter any cell's function). */
export const CHECK = 'if (--__sc$n[0] < 0) __sc$.tick();';
/** The interrupt check as an expression (arrow functions with an expression body). */
export const CHECK_EXPR = '(--__sc$n[0] < 0 && __sc$.tick())';

/** The back-edge check of one loop, counting down its own local `counter`. */
export function loopCheck(counter: string): string {
  return `if (--${counter} < 0) ${counter} = __sc$.tick();`;
}

/** Matches every loop check in generated code. */
export const LOOP_CHECK = /if \(--__sc\$l\d+ < 0\) __sc\$l\d+ = __sc\$\.tick\(\);/g;

const RESERVED_PREFIX = '__sc$';
const CAUGHT = '__sc$e';

type AnyNode = acorn.AnyNode;
type FunctionNode = acorn.Function;

/**
 * Transforms a cell for execution.
 * @param source The cell as the user wrote it.
 * @param options Instrumentation and dynamic-import policy.
 * @returns The plan, or a syntax error positioned in `source` (1-based) if the cell does not
 *   parse or uses an identifier reserved by sandcell.
 */
export function transformCell(source: string, options: TransformOptions = {}): CellPlan | CellSyntaxError {
  const parsed = parseCell(source);
  if (!('ast' in parsed)) return parsed;
  const mode = classifyProgram(parsed.ast);
  const transform = new CellTransform(source, options);
  try {
    transform.visit(parsed.ast, undefined, '', false);
  } catch (error) {
    if (error instanceof ReservedIdentifier) return error.toSyntaxError(source);
    throw error;
  }
  return transform.finish(parsed.ast, mode);
}

/** Thrown inside the walk to abort it; becomes a `CellSyntaxError`. */
class ReservedIdentifier extends Error {
  constructor(readonly node: acorn.Identifier) {
    super(`[sandcell] Identifier '${node.name}' is reserved: names starting with __sc$ belong to sandcell — rename it`);
  }
  toSyntaxError(source: string): CellSyntaxError {
    // Positions are computed here, for the one node that needs them, rather than by the parser for every node.
    const { line, column } = getLineInfo(source, this.node.start);
    return { mode: 'syntax-error', message: this.message, line, column: column + 1 };
  }
}

class CellTransform {
  readonly #source: string;
  readonly #ms: MagicString;
  readonly #instrument: boolean;
  /** Where a loop's counter block starts: the loop itself, or its outermost label. */
  readonly #loopStarts = new Map<AnyNode, number>();
  #loopCount = 0;
  readonly #allowDynamicImport: boolean;
  // magic-string clears insertions inside a range that is later overwritten, and cannot insert
  // strictly inside an overwritten range, so all overwrites run before any insertion.
  readonly #replacements: Array<() => void> = [];
  // Recorded in post-order (children before their parent): repeated prependRight/appendLeft
  // at one index then nest the parent's text outside the child's.
  readonly #insertions: Array<() => void> = [];
  readonly #varNames = new Set<string>();
  readonly #functionNames = new Set<string>();
  readonly #declarations = new Map<string, DeclarationKind>();
  readonly #definitions: Record<string, string> = {};
  readonly #freeNames = new Set<string>();
  #definesFunctions = false;
  #mayCall = false;

  constructor(source: string, options: TransformOptions) {
    this.#source = source;
    this.#ms = new MagicString(source);
    this.#instrument = options.instrument !== false;
    this.#allowDynamicImport = options.allowDynamicImport === true;
  }

  /**
   * Walks `node`, recording edits. `inFunction` is true below a function or static block,
   * where `var` is no longer the cell's.
   */
  visit(node: AnyNode, parent: AnyNode | undefined, key: string, inFunction: boolean): void {
    if (FUNCTION_MAKERS.has(node.type)) this.#definesFunctions = true;
    // Code inside a function runs only when it is called — which is itself a call out here.
    else if (
      !inFunction &&
      !this.#mayCall &&
      !INERT.has(node.type) &&
      !(node.type === 'AssignmentExpression' && node.operator === '=')
    ) {
      this.#mayCall = true;
    }
    switch (node.type) {
      case 'Identifier':
        this.#identifier(node, parent, key);
        return;
      case 'VariableDeclaration':
        if (node.kind === 'var' && !inFunction) this.#declareVars(node);
        break;
      case 'FunctionDeclaration':
        if (parent?.type === 'Program' && node.id) {
          this.#declare(node.id.name, 'function');
          this.#functionNames.add(node.id.name);
          this.#definitions[node.id.name] = this.#source.slice(node.start, node.end);
        } else if (node.id && !inFunction && isAnnexBFunction(node, parent)) {
          this.#declare(node.id.name, 'function');
        }
        break;
      case 'ClassDeclaration':
        if (parent?.type === 'Program' && node.id) {
          this.#declare(node.id.name, 'class');
          this.#definitions[node.id.name] = this.#source.slice(node.start, node.end);
        }
        break;
      case 'LabeledStatement': {
        // A loop's counter block must go outside its labels, or `continue label` would break.
        let target: AnyNode = node.body as AnyNode;
        while (target.type === 'LabeledStatement') target = target.body as AnyNode;
        if (!this.#loopStarts.has(target)) this.#loopStarts.set(target, node.start);
        break;
      }
    }

    const childInFunction =
      inFunction ||
      node.type === 'FunctionDeclaration' ||
      node.type === 'FunctionExpression' ||
      node.type === 'ArrowFunctionExpression' ||
      node.type === 'StaticBlock';
    forEachChild(node, (child, childKey) => this.visit(child, node, childKey, childInFunction));

    switch (node.type) {
      case 'VariableDeclaration':
        if (node.kind === 'var' && !inFunction) this.#rewriteVar(node, parent, key);
        else if (parent?.type === 'Program' && (node.kind === 'let' || node.kind === 'const'))
          this.#rewriteLexical(node);
        break;
      case 'ClassDeclaration':
        if (parent?.type === 'Program' && node.id) this.#rewriteClass(node, node.id.name);
        break;
      case 'FunctionDeclaration':
        if (this.#instrument) this.#instrumentFunction(node);
        if (node.id && !inFunction && isAnnexBFunction(node, parent)) this.#publishBlockFunction(node, node.id.name);
        break;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (this.#instrument) this.#instrumentFunction(node);
        break;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        if (this.#instrument) this.#instrumentLoop(node);
        break;
      case 'CatchClause':
        if (this.#instrument) this.#rewriteCatch(node);
        break;
      case 'ImportExpression':
        if (!this.#allowDynamicImport) {
          const start = node.start;
          this.#replacements.push(() => this.#ms.overwrite(start, start + 'import'.length, '__sc$.importDenied'));
        }
        break;
    }
  }

  /** Applies the recorded edits and assembles the plan. */
  finish(ast: acorn.Program, mode: CellPlan['mode']): CellPlan {
    const last = lastStatement(ast);
    const hasValue = last?.type === 'ExpressionStatement';
    if (last?.type === 'ExpressionStatement') {
      // The statement's own start, not the expression's: `(foo)` starts at its parenthesis.
      const start = last.start;
      const semicolon = this.#source[last.end - 1] === ';';
      const end = semicolon ? last.end - 1 : last.end;
      if (semicolon) this.#replacements.push(() => this.#ms.remove(end, last.end));
      this.#insertions.push(() => {
        // No prototype: resolving an async cell's result must not find a user's Object.prototype.then.
        this.#ms.prependRight(start, 'return { __proto__: null, value: (');
        this.#ms.appendLeft(end, ') };');
      });
    }
    for (const apply of this.#replacements) apply();
    for (const apply of this.#insertions) apply();

    let prelude = `(${mode === 'top-level-await' ? 'async ' : ''}function (__sc$) { const __sc$n = __sc$.n;`;
    if (this.#varNames.size > 0) prelude += ` __sc$.declare(${JSON.stringify([...this.#varNames])}, "var");`;
    for (const name of this.#functionNames) prelude += ` __sc$.fn(${JSON.stringify(name)}, ${name});`;
    this.#ms.prepend(`${prelude}\n`);
    // On its own line, so a trailing line comment in the cell cannot swallow it.
    this.#ms.append('\n})');

    const declarations = [...this.#declarations].map(([name, kind]) => ({ name, kind }));
    for (const { name } of declarations) this.#freeNames.add(name);
    const plan = {
      mode,
      code: this.#ms.toString(),
      hasValue,
      declarations,
      definitions: this.#definitions,
      freeNames: [...this.#freeNames],
      definesFunctions: this.#definesFunctions,
      mayCall: this.#mayCall,
    } as CellPlan;
    return withLazyMap(plan, this.#ms);
  }

  #identifier(node: acorn.Identifier, parent: AnyNode | undefined, key: string): void {
    if (node.name.startsWith(RESERVED_PREFIX)) throw new ReservedIdentifier(node);
    if (parent && !isReference(parent, key)) return;
    this.#freeNames.add(node.name);
  }

  #declare(name: string, kind: DeclarationKind): void {
    const previous = this.#declarations.get(name);
    // A function declaration wins over a `var` of the same name, as its value does.
    if (previous === undefined || (previous === 'var' && kind === 'function')) this.#declarations.set(name, kind);
  }

  #declareVars(node: acorn.VariableDeclaration): void {
    for (const declarator of node.declarations) {
      for (const name of patternNames(declarator.id)) {
        this.#varNames.add(name);
        this.#declare(name, 'var');
      }
    }
  }

  /**
   * `var` outside functions: the names are declared in the prelude, so the declaration
   * becomes plain assignment (declarators without an initialiser disappear).
   */
  #rewriteVar(node: acorn.VariableDeclaration, parent: AnyNode | undefined, key: string): void {
    const ms = this.#ms;
    const declarators = node.declarations;
    const first = declarators[0];
    if ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && key === 'left') {
      this.#replacements.push(() => ms.remove(node.start, first.start));
      // `for (async of xs)` and `for (let of xs)` do not parse; a parenthesised name does.
      if (first.id.type === 'Identifier' && (first.id.name === 'async' || first.id.name === 'let')) {
        const id = first.id;
        this.#insertions.push(() => {
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
      this.#replacements.push(() =>
        inForInit ? ms.remove(node.start, lastDeclarator.end) : ms.overwrite(node.start, lastDeclarator.end, 'void 0'),
      );
    } else {
      this.#replacements.push(() => {
        ms.remove(node.start, kept[0].start);
        for (let i = 0; i + 1 < kept.length; i++) ms.overwrite(kept[i].end, kept[i + 1].start, ', ');
        const lastKept = kept[kept.length - 1];
        if (lastKept.end < lastDeclarator.end) ms.remove(lastKept.end, lastDeclarator.end);
      });
      this.#insertions.push(() => {
        for (const declarator of kept) {
          ms.prependRight(declarator.start, '(');
          ms.appendLeft(declarator.end, ')');
        }
      });
    }
    if (!inForInit) this.#terminate(node);
  }

  /** Top-level `let`/`const`: declared on the namespace (replacing an earlier binding), then assigned. */
  #rewriteLexical(node: acorn.VariableDeclaration): void {
    const ms = this.#ms;
    const kind = node.kind as 'let' | 'const';
    const names = node.declarations.flatMap((declarator) => patternNames(declarator.id));
    for (const name of names) this.#declare(name, kind);
    const list = JSON.stringify(names);
    const first = node.declarations[0];
    this.#replacements.push(() => ms.overwrite(node.start, first.start, `__sc$.declare(${list}, "${kind}"); `));
    this.#insertions.push(() => {
      for (const declarator of node.declarations) {
        ms.prependRight(declarator.start, '(');
        ms.appendLeft(declarator.end, declarator.init ? ')' : ' = undefined)');
      }
    });
    this.#terminate(node);
    if (kind === 'const') this.#insertions.push(() => ms.appendLeft(node.end, ` __sc$.constant(${list});`));
  }

  #rewriteClass(node: acorn.ClassDeclaration, name: string): void {
    const ms = this.#ms;
    this.#insertions.push(() => {
      ms.prependRight(node.start, `__sc$.declare(${JSON.stringify([name])}, "class"); ${name} = `);
      // Without it, `A = class A {}` followed by a line starting with `(` would become a call.
      ms.appendLeft(node.end, ';');
    });
  }

  /**
   * A sloppy-mode function declared in a block also binds its name in the enclosing function
   * (Annex B) when the block runs; at the cell's top level that binding is the namespace's.
   */
  #publishBlockFunction(node: acorn.FunctionDeclaration, name: string): void {
    this.#insertions.push(() => this.#ms.appendLeft(node.end, ` __sc$.fn(${JSON.stringify(name)}, ${name});`));
  }

  /** Ends a rewritten statement with `;` when the user relied on ASI. */
  #terminate(node: acorn.Node): void {
    if (this.#source[node.end - 1] !== ';') this.#insertions.push(() => this.#ms.appendLeft(node.end, ';'));
  }

  #instrumentFunction(node: FunctionNode): void {
    // A function that can only do a bounded amount of work per call needs no entry check.
    if (isBoundedLeaf(node)) return;
    const ms = this.#ms;
    const body = node.body;
    if (body.type !== 'BlockStatement') {
      this.#insertions.push(() => {
        ms.prependRight(body.start, `(${CHECK_EXPR}, `);
        ms.appendLeft(body.end, ')');
      });
      return;
    }
    // The check goes after the directive prologue, or "use strict" would stop being one.
    let lastDirective: acorn.Statement | undefined;
    for (const statement of body.body) {
      if (statement.type === 'ExpressionStatement' && statement.directive !== undefined) lastDirective = statement;
      else break;
    }
    if (lastDirective) {
      const end = lastDirective.end;
      const text = this.#source[end - 1] === ';' ? ` ${CHECK}` : `; ${CHECK}`;
      this.#insertions.push(() => ms.appendLeft(end, text));
    } else {
      this.#insertions.push(() => ms.appendLeft(body.start + 1, ` ${CHECK}`));
    }
  }

  /**
   * Each loop counts its own back-edges in a local (a register in optimized code, unlike the
   * shared countdown), declared in a block around the loop and its labels:
   *
   *   while (c) body     { let __sc$l1 = 100; while (c) { if (--__sc$l1 < 0) __sc$l1 = __sc$.tick(); body } }
   */
  #instrumentLoop(loop: AnyNode & { body: acorn.Statement }): void {
    const ms = this.#ms;
    const body = loop.body;
    const counter = `__sc$l${++this.#loopCount}`;
    const check = loopCheck(counter);
    const start = this.#loopStarts.get(loop) ?? loop.start;
    this.#insertions.push(() => {
      if (body.type === 'BlockStatement') {
        ms.appendLeft(body.start + 1, ` ${check}`);
      } else {
        ms.prependRight(body.start, `{ ${check} `);
        ms.appendLeft(body.end, ' }');
      }
      ms.prependRight(start, `{ let ${counter} = ${CHECK_INTERVAL}; `);
      ms.appendLeft(loop.end, ' }');
    });
  }

  /** Every catch first hands the caught value to `__sc$.rethrow`, so user code cannot swallow an interrupt. */
  #rewriteCatch(node: acorn.CatchClause): void {
    const ms = this.#ms;
    const param = node.param;
    const bodyStart = node.body.start + 1;
    if (param === null || param === undefined) {
      this.#insertions.push(() => {
        ms.appendLeft(node.start + 'catch'.length, ` (${CAUGHT})`);
        ms.appendLeft(bodyStart, ` __sc$.rethrow(${CAUGHT});`);
      });
    } else if (param.type === 'Identifier') {
      this.#insertions.push(() => ms.appendLeft(bodyStart, ` __sc$.rethrow(${param.name});`));
    } else {
      // Destructuring could run user code (defaults) before the rethrow, so the pattern moves
      // into the body as `let <pattern> = __sc$e;` after it.
      this.#replacements.push(() => ms.move(param.start, param.end, bodyStart));
      this.#insertions.push(() => {
        ms.appendLeft(param.start, CAUGHT);
        ms.appendLeft(bodyStart, ` __sc$.rethrow(${CAUGHT});`);
        ms.prependRight(param.start, ' let ');
        ms.appendLeft(param.end, ` = ${CAUGHT};`);
      });
    }
  }
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
