/**
 * The REPL transform: turns a cell into one arrow function the worker evaluates (in global
 * scope) and calls with the cell runtime `__sc$` and the namespace's lexical scope `__sc$s`,
 * so that the cell behaves like a script typed into the DevTools console (REPL mode), its
 * declarations persist, and loops and functions check for interrupts.
 *
 * Design (where bindings live; see lib/namespace/namespace.ts):
 *   - let/const/class of the cell's top level live in `__sc$s`, a null-prototype object, not
 *     on globalThis: like the console's script scope, every later cell and every function sees
 *     them, globalThis does not, and the engine's own code never does (so `let performance`,
 *     `let input`, `class Map` cannot break it). References to them are rewritten to
 *     `__sc$s.name`, which is why the transform resolves every identifier against the cell's
 *     own scopes (./scope.ts) and the namespace (`options.resolve`).
 *   - var/function stay global properties, non-configurable as a script makes them, and are
 *     referenced by their bare name: a later `function b` is what an earlier `a()` calls. A
 *     top-level function is declared under a hidden local name (`__sc$f_name`) and published
 *     by the prelude, so no local binding shadows the global inside the cell either.
 *   - Code that runs later (function bodies) reaches a name that is not lexical yet, and not a
 *     built-in, through `("x" in __sc$s ? __sc$s.x : x)`: a later cell may still declare it.
 *     Code that runs now resolves statically. The compiled code thus depends on how its free
 *     names resolve: `resolutionKey` is part of the compile cache key.
 *   - The cell is an arrow: top-level `this` is globalThis and `arguments`/`new.target`
 *     behave as in a script (no own `arguments`; `new.target` a syntax error).
 *   - Completion value: every expression statement outside functions also assigns `__sc$c`,
 *     and statements whose completion is `undefined` even when nothing in them ran (if,
 *     loops, switch, try, with) reset it first — the language's UpdateEmpty rules, as V8's
 *     rewriter applies them to scripts. Expression statements in `finally` do not count.
 *   - TDZ: the prelude declares the cell's lexical names; new ones enter a dead zone (reads
 *     throw `x is not defined`, writes `Cannot access 'x' before initialization`, as REPL mode
 *     does); the declaration initialises through `__sc$.init`. Names that exist already keep
 *     their value until then (`let x = x + 1` reads the old x, as in REPL mode).
 *   - A `'use strict'` prologue stays the arrow's prologue, so the cell is strict.
 *
 *   let a = 1, {b} = o;      __sc$.init("a", (1), "let"), __sc$.initAll((__sc$t = {…}, ({b: __sc$t.b} = o), __sc$t), "let");
 *   class A {}          →    __sc$.init("A", class A {}, "class");
 *   function f() {}          function __sc$f_f() {}          (prelude: __sc$.fn("f", __sc$f_f))
 *   a + b                    __sc$c = (__sc$s.a + __sc$s.b);
 *   for (var i of xs) f(i)   for (i of xs) { CHECK __sc$c = (f(i)) }   (and "i" declared in the prelude)
 *
 * Edits go through magic-string, so every user token keeps a source-map entry to where the
 * user wrote it.
 */
import type * as acorn from 'acorn';
import { getLineInfo } from 'acorn';
import MagicString from 'magic-string';
import {
  FUNCTION_MAKERS,
  INERT,
  isAnnexBFunction,
  isBoundedLeaf,
  isNode,
  isReference,
  patternNames,
  survey,
} from './ast.ts';
import type {
  CellPlan,
  CellSourceMap,
  CellSyntaxError,
  DeclarationKind,
  NameResolution,
  TransformOptions,
} from './cell-plan.ts';
import { classifyProgram } from './detect-mode.ts';
import { CHECK_INTERVAL } from './interrupt.ts';
import { parseCell } from './parse.ts';
import { blockScope, functionScope, hasUseStrict, isUsing, varNames } from './scope.ts';

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
 * @param options Instrumentation, dynamic-import policy, and how free names resolve.
 * @returns The plan, or a syntax error positioned in `source` (1-based) if the cell does not
 *   parse or uses an identifier reserved by sandcell; a cell nested too deeply to transform
 *   gives a RangeError in the same shape.
 */
export function transformCell(source: string, options: TransformOptions = {}): CellPlan | CellSyntaxError {
  try {
    const parsed = parseCell(source, options.evalCode !== true);
    if (!('ast' in parsed)) return parsed;
    const mode = classifyProgram(parsed.ast);
    const transform = new CellTransform(source, options, parsed.ast);
    transform.run();
    return transform.finish(mode);
  } catch (error) {
    if (error instanceof ReservedIdentifier) return error.toSyntaxError(source);
    if (error instanceof RangeError) {
      return {
        mode: 'syntax-error',
        name: 'RangeError',
        message:
          '[sandcell] the cell is nested too deeply to run (Maximum call stack size exceeded while compiling it)',
        line: 1,
        column: 1,
      };
    }
    throw error;
  }
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

const SCOPE = '__sc$s';
const COMPLETION = '__sc$c';
const TEMP = '__sc$t';
/** The hidden local name of a top-level function declaration. */
const functionLocal = (name: string) => `__sc$f_${name}`;

/** Where a top-level name of the cell lives. */
type Home = 'lexical' | 'global';

/** Walk state that changes with depth. */
interface Context {
  /** Below a function or class body: code that may run after this cell (resolution must stay dynamic). */
  deferred: boolean;
  /** Below a function or static block: `var` is not the cell's. */
  inFunction: boolean;
  strict: boolean;
}

class CellTransform {
  readonly #source: string;
  readonly #ast: acorn.Program;
  readonly #ms: MagicString;
  readonly #instrument: boolean;
  readonly #resolveName: (name: string) => NameResolution;
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
  readonly #strict: boolean;
  readonly #evalCode: boolean;
  /** The cell's own scopes below its top level (each a set of bound names). */
  readonly #scopes: Array<Set<string>> = [];
  /** Top-level names of the cell and where they live. */
  readonly #homes = new Map<string, Home>();
  readonly #declarations = new Map<string, DeclarationKind>();
  readonly #varNames: string[] = [];
  readonly #functionNames: string[] = [];
  readonly #definitions: Record<string, string> = {};
  readonly #freeNames = new Set<string>();
  readonly #resolutions = new Map<string, NameResolution>();
  /** Expression statements whose value is the cell's completion value, and statements that reset it. */
  readonly #completes = new Set<AnyNode>();
  readonly #resets = new Set<AnyNode>();
  /** The cell's top-level function declarations (also behind labels). */
  readonly #topFunctions = new Set<AnyNode>();
  /** Names of `var` declarators that the rewrite removes. */
  readonly #dropped = new Set<AnyNode>();
  /** Identifiers that are a shorthand property's value (`{x}`): a rewrite must keep the key. */
  readonly #shorthands = new Set<AnyNode>();
  /** Binding identifiers of the top-level lexical declarator being rewritten, and names bound so far in it. */
  #patternTargets: Set<AnyNode> | undefined;
  #patternBound: Set<string> | undefined;
  #usesTemp = false;
  #definesFunctions = false;
  #mayCall = false;

  constructor(source: string, options: TransformOptions, ast: acorn.Program) {
    this.#source = source;
    this.#ast = ast;
    this.#ms = new MagicString(source);
    this.#instrument = options.instrument !== false;
    this.#allowDynamicImport = options.allowDynamicImport === true;
    this.#resolveName = options.resolve ?? (() => 'other');
    this.#strict = hasUseStrict(ast.body);
    this.#evalCode = options.evalCode === true;
  }

  run(): void {
    const ast = this.#ast;
    // Top-level declarations first: a reference anywhere in the cell may precede its declaration.
    const usingNames = new Set<string>();
    for (const statement of ast.body) {
      if (this.#evalCode && (statement.type === 'ClassDeclaration' || statement.type === 'VariableDeclaration')) {
        // eval code's own lexical declarations are its own, as the language has it.
        if (statement.type === 'ClassDeclaration' && statement.id) usingNames.add(statement.id.name);
        if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
          for (const d of statement.declarations) for (const name of patternNames(d.id)) usingNames.add(name);
        }
        continue;
      }
      if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
        // A top-level `using` is kept by the console's REPL mode and not disposed when the cell
        // ends: it persists like a `const`.
        const kind = isUsing(statement) ? 'const' : (statement.kind as 'let' | 'const');
        for (const d of statement.declarations) for (const name of patternNames(d.id)) this.#declareLexical(name, kind);
      } else if (statement.type === 'ClassDeclaration' && statement.id) {
        this.#declareLexical(statement.id.name, 'class');
        this.#definitions[statement.id.name] = this.#source.slice(statement.start, statement.end);
      } else if (topFunction(statement) && this.#evalCode && this.#strict) {
        // Strict eval code keeps its functions and vars to itself.
        usingNames.add((topFunction(statement) as acorn.FunctionDeclaration & { id: acorn.Identifier }).id.name);
      } else if (topFunction(statement)) {
        const declaration = topFunction(statement) as acorn.FunctionDeclaration & { id: acorn.Identifier };
        this.#topFunctions.add(declaration);
        const name = declaration.id.name;
        this.#declareGlobal(name, 'function');
        if (!this.#functionNames.includes(name)) this.#functionNames.push(name);
        this.#definitions[name] = this.#source.slice(declaration.start, declaration.end);
      }
    }
    for (const name of varNames(ast, this.#strict)) {
      if (this.#evalCode && this.#strict) {
        usingNames.add(name);
        continue;
      }
      if (!this.#homes.has(name) || this.#homes.get(name) === 'global') {
        this.#declareGlobal(name, 'var');
        if (!this.#varNames.includes(name)) this.#varNames.push(name);
      }
    }
    this.#markCompletion(ast.body);
    if (usingNames.size > 0) this.#scopes.push(usingNames);
    const context: Context = { deferred: false, inFunction: false, strict: this.#strict };
    for (const statement of ast.body) this.#visit(statement, ast, 'body', context);
  }

  #declare(name: string, kind: DeclarationKind): void {
    const previous = this.#declarations.get(name);
    // A function declaration wins over a `var` of the same name, as its value does.
    if (previous === undefined || (previous === 'var' && kind === 'function')) this.#declarations.set(name, kind);
  }

  #declareLexical(name: string, kind: 'let' | 'const' | 'class'): void {
    this.#homes.set(name, 'lexical');
    this.#declare(name, kind);
  }

  /** A var or function name: global, unless the namespace has it as a lexical binding already (reused). */
  #declareGlobal(name: string, kind: 'var' | 'function'): void {
    if (this.#homes.get(name) === 'lexical') return;
    this.#homes.set(name, this.#resolve(name) === 'lexical' ? 'lexical' : 'global');
    this.#declare(name, kind);
  }

  #resolve(name: string): NameResolution {
    let resolution = this.#resolutions.get(name);
    if (resolution === undefined) {
      resolution = this.#resolveName(name);
      this.#resolutions.set(name, resolution);
    }
    return resolution;
  }

  #bound(name: string): boolean {
    for (let i = this.#scopes.length - 1; i >= 0; i--) if (this.#scopes[i].has(name)) return true;
    return false;
  }

  /** Marks the statements that take part in the completion value (see the header). */
  #markCompletion(statements: readonly AnyNode[]): void {
    for (const statement of statements) this.#markStatement(statement);
  }

  #markStatement(node: AnyNode): void {
    switch (node.type) {
      case 'ExpressionStatement':
        if (node.directive === undefined || !this.#isPrologue(node)) this.#completes.add(node);
        return;
      case 'BlockStatement':
        this.#markCompletion(node.body);
        return;
      case 'LabeledStatement': {
        let body: AnyNode = node.body;
        while (body.type === 'LabeledStatement') body = body.body;
        if (RESETS.has(body.type)) {
          // The reset goes before the labels: `lbl: __sc$c = void 0; for…` would label the reset.
          this.#resets.add(node);
          this.#markInside(body);
        } else {
          this.#markStatement(body);
        }
        return;
      }
      default:
        if (RESETS.has(node.type)) {
          this.#resets.add(node);
          this.#markInside(node);
        }
    }
  }

  #markInside(node: AnyNode): void {
    switch (node.type) {
      case 'IfStatement':
        this.#markStatement(node.consequent);
        if (node.alternate) this.#markStatement(node.alternate);
        return;
      case 'SwitchStatement':
        for (const c of node.cases) this.#markCompletion(c.consequent);
        return;
      case 'TryStatement':
        // A finally block's value never becomes the statement's (unless it breaks out).
        this.#markStatement(node.block);
        if (node.handler) this.#markStatement(node.handler.body);
        return;
      case 'WithStatement':
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.#markStatement(node.body);
        return;
    }
  }

  /** A directive of the cell's own prologue (kept in place as the arrow's prologue). */
  #isPrologue(node: AnyNode): boolean {
    for (const statement of this.#ast.body) {
      if (statement === node) return true;
      if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) return false;
    }
    return false;
  }

  /**
   * `a + b + c + …`: a chain of binary operators nests to the left, one level per operator.
   * Its left spine is walked in a loop (these nodes need nothing of their own), so a chain of
   * thousands of terms, which V8 compiles fine, does not take a stack frame per term here.
   */
  #visitOperatorChain(node: acorn.BinaryExpression | acorn.LogicalExpression, context: Context): void {
    const spine: Array<acorn.BinaryExpression | acorn.LogicalExpression> = [];
    let current: AnyNode = node;
    while (current.type === 'BinaryExpression' || current.type === 'LogicalExpression') {
      spine.push(current);
      current = current.left;
    }
    this.#visit(current, spine[spine.length - 1], 'left', context);
    for (let i = spine.length - 1; i >= 0; i--) this.#visit(spine[i].right, spine[i], 'right', context);
  }

  #visit(node: AnyNode, parent: AnyNode | undefined, key: string, context: Context): void {
    if (FUNCTION_MAKERS.has(node.type)) this.#definesFunctions = true;
    // Code inside a function runs only when it is called — which is itself a call out here.
    else if (
      !context.inFunction &&
      !this.#mayCall &&
      !INERT.has(node.type) &&
      !(node.type === 'AssignmentExpression' && node.operator === '=')
    ) {
      this.#mayCall = true;
    }
    switch (node.type) {
      case 'Identifier':
        this.#identifier(node, parent, key, context);
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        if (node.left.type === 'BinaryExpression' || node.left.type === 'LogicalExpression') {
          this.#visitOperatorChain(node, context);
          return;
        }
        break;
      case 'UnaryExpression':
        if (node.argument.type === 'Identifier' && this.#unaryOnName(node, node.argument, context)) return;
        break;
      case 'Property':
        if (node.shorthand)
          this.#shorthands.add(node.value.type === 'AssignmentPattern' ? node.value.left : node.value);
        break;
      case 'LabeledStatement': {
        // A loop's counter block must go outside its labels, or `continue label` would break.
        let target: AnyNode = node.body as AnyNode;
        while (target.type === 'LabeledStatement') target = target.body as AnyNode;
        if (!this.#loopStarts.has(target)) this.#loopStarts.set(target, node.start);
        break;
      }
      case 'VariableDeclaration':
        if (node.kind === 'var' && !context.inFunction && !(this.#evalCode && this.#strict)) {
          // A declarator without initialiser disappears: its name is not rewritten.
          for (const d of node.declarations) if (!d.init && d.id.type === 'Identifier') this.#dropped.add(d.id);
        }
        if (parent?.type === 'Program' && node.kind !== 'var' && !this.#evalCode) {
          this.#lexicalDeclaration(node, context);
          return;
        }
        break;
    }

    // The scope this node makes for its children.
    let scope: Set<string> | undefined;
    let childContext = context;
    if (
      node.type === 'FunctionDeclaration' ||
      node.type === 'FunctionExpression' ||
      node.type === 'ArrowFunctionExpression'
    ) {
      const strict = context.strict || (node.body.type === 'BlockStatement' && hasUseStrict(node.body.body));
      scope = functionScope(node, strict);
      childContext = { deferred: true, inFunction: true, strict };
    } else if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      scope = blockScope(node, parent, true);
      // Class bodies are strict; methods, field initialisers and static blocks run later.
      childContext = { deferred: context.deferred, inFunction: context.inFunction, strict: true };
    } else {
      scope = blockScope(node, parent, context.strict);
      if (node.type === 'ClassBody' || node.type === 'StaticBlock') {
        childContext = { deferred: true, inFunction: node.type === 'StaticBlock' || context.inFunction, strict: true };
      } else if (node.type === 'PropertyDefinition') {
        childContext = { ...context, deferred: true };
      }
    }
    if (scope) this.#scopes.push(scope);
    // The children, in a loop here rather than through forEachChild's callback: one frame per
    // level of nesting instead of three, so a cell a thousand levels deep fits a worker's stack.
    const member = node.type === 'PropertyDefinition' || node.type === 'MethodDefinition';
    const record = node as unknown as Record<string, unknown>;
    for (const childKey in record) {
      if (childKey === 'type' || childKey === 'start' || childKey === 'end' || childKey === 'loc') continue;
      const value = record[childKey];
      // A computed class member key runs now, not later.
      const childCtx = member && childKey === 'key' ? { ...childContext, deferred: context.deferred } : childContext;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.#visit(item, node, childKey, childCtx);
      } else if (isNode(value)) {
        this.#visit(value, node, childKey, childCtx);
      }
    }
    if (scope) this.#scopes.pop();

    switch (node.type) {
      case 'VariableDeclaration':
        if (node.kind === 'var' && !context.inFunction && !(this.#evalCode && this.#strict)) {
          this.#rewriteVar(node, parent, key);
        }
        break;
      case 'ClassDeclaration':
        if (parent?.type === 'Program' && node.id && !this.#evalCode) this.#rewriteClass(node, node.id.name);
        break;
      case 'CallExpression':
        this.#directEval(node, context);
        break;
      case 'FunctionDeclaration':
        if (this.#instrument) this.#instrumentFunction(node);
        if (this.#topFunctions.has(node) && node.id) this.#hideFunction(node.id);
        else if (
          node.id &&
          !context.inFunction &&
          !context.strict &&
          isAnnexBFunction(node, parent) &&
          // Annex B does not bind a name a lexical declaration holds.
          this.#homes.get(node.id.name) !== 'lexical'
        ) {
          this.#publishBlockFunction(node, parent, node.id.name);
        }
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
      case 'AssignmentExpression':
        this.#nameAssignedFunction(node, context);
        break;
      case 'ImportExpression':
        if (!this.#allowDynamicImport) {
          const start = node.start;
          this.#replacements.push(() => this.#ms.overwrite(start, start + 'import'.length, '__sc$.importDenied'));
        }
        break;
    }
    if (this.#completes.has(node) && node.type === 'ExpressionStatement') this.#assignCompletion(node);
    if (this.#resets.has(node)) this.#resetCompletion(node, parent);
  }

  /** Where a reference to `name` goes: a local of the cell, the lexical scope, a bare global, or a dynamic choice. */
  #place(name: string, context: Context): 'local' | 'lexical' | 'bare' | 'dynamic' {
    if (this.#bound(name)) return 'local';
    const home = this.#homes.get(name);
    if (home === 'lexical') return 'lexical';
    if (home === 'global') return 'bare';
    const resolution = this.#resolve(name);
    if (resolution === 'lexical') return 'lexical';
    if (resolution === 'builtin' || !context.deferred) return 'bare';
    return 'dynamic';
  }

  #identifier(node: acorn.Identifier, parent: AnyNode | undefined, key: string, context: Context): void {
    if (node.name.startsWith(RESERVED_PREFIX)) throw new ReservedIdentifier(node);
    if (parent && !isReference(parent, key)) return;
    // Names a declaration binds for its own body (function and class names) are not references.
    if (
      parent &&
      key === 'id' &&
      (parent.type === 'FunctionDeclaration' ||
        parent.type === 'FunctionExpression' ||
        parent.type === 'ClassDeclaration' ||
        parent.type === 'ClassExpression')
    ) {
      return;
    }
    const name = node.name;
    if (this.#dropped.has(node)) return;
    if (this.#patternTargets?.has(node)) {
      this.#patternBound?.add(name);
      this.#rewriteName(node, `${TEMP}.`, '');
      return;
    }
    if (this.#patternBound?.has(name) && !this.#bound(name)) {
      this.#rewriteName(node, `${TEMP}.`, '');
      return;
    }
    const place = this.#place(name, context);
    if (place === 'local') return;
    this.#freeNames.add(name);
    if (place === 'lexical') {
      const callee =
        (parent?.type === 'CallExpression' && key === 'callee') ||
        (parent?.type === 'TaggedTemplateExpression' && key === 'tag');
      // Called as `(0, scope.f)()`: a call through the scope object would pass it as `this`.
      if (callee && this.#rewriteCallee(node, parent, `(0, ${SCOPE}.${name})`)) return;
      this.#rewriteName(node, callee ? `(0, ${SCOPE}.` : `${SCOPE}.`, callee ? ')' : '');
    } else if (place === 'dynamic' && !isWriteTarget(parent, key)) {
      const text = `(${JSON.stringify(name)} in ${SCOPE} ? ${SCOPE}.${name} : ${name})`;
      if (parent?.type === 'CallExpression' && key === 'callee' && this.#rewriteCallee(node, parent, text)) return;
      // Replaced whole: V8 places an error in this expression at its start, mapped to the name.
      const full = this.#shorthands.has(node) ? `${name}: ${text}` : text;
      this.#replacements.push(() => this.#ms.overwrite(node.start, node.end, full));
    }
  }

  /**
   * A called name rewritten to a parenthesised expression: V8 places a failed call (`f is not a
   * function`, a class called without `new`) at the arguments' `(` when the callee is
   * parenthesised, but at the name itself when it is a bare name, as the user wrote it. The
   * name and that `(` are replaced as one piece, which maps as a whole to the name. Only for
   * `f(…)` and `f  (…)`: a comment or `?.` in between keeps the plain rewrite.
   */
  #rewriteCallee(node: acorn.Identifier, parent: AnyNode | undefined, text: string): boolean {
    if (parent?.type !== 'CallExpression' || parent.optional) return false;
    const open = this.#source.indexOf('(', node.end);
    if (open < 0 || this.#source.slice(node.end, open).trim() !== '') return false;
    this.#replacements.push(() => this.#ms.overwrite(node.start, open + 1, `${text}(`));
    return true;
  }

  /**
   * Puts text around an identifier, which itself stays in place: its source-map entry stays
   * exact, so an error V8 reports at the name maps back to the name.
   */
  #rewriteName(node: acorn.Identifier, prefix: string, suffix: string): void {
    const before = this.#shorthands.has(node) ? `${node.name}: ${prefix}` : prefix;
    this.#insertions.push(() => {
      this.#ms.prependRight(node.start, before);
      if (suffix) this.#ms.appendLeft(node.end, suffix);
    });
  }

  /** `typeof x` and `delete x` of a namespace name; true when handled (children not visited). */
  #unaryOnName(node: acorn.UnaryExpression, argument: acorn.Identifier, context: Context): boolean {
    if (node.operator !== 'typeof' && node.operator !== 'delete') return false;
    const name = argument.name;
    if (name.startsWith(RESERVED_PREFIX)) throw new ReservedIdentifier(argument);
    const place = this.#place(name, context);
    if (place === 'local' || place === 'bare') return false;
    this.#freeNames.add(name);
    let text: string;
    if (node.operator === 'delete') {
      // A binding is never deleted; only `delete` of a global property can succeed.
      if (place === 'dynamic') return false;
      text = 'false';
    } else if (place === 'lexical') {
      text = `typeof ${SCOPE}.${name}`;
    } else {
      text = `(${JSON.stringify(name)} in ${SCOPE} ? typeof ${SCOPE}.${name} : typeof ${name})`;
    }
    this.#replacements.push(() => this.#ms.overwrite(node.start, node.end, text));
    return true;
  }

  /**
   * A top-level `let`/`const`: each declarator initialises its binding through the runtime
   * (a simple name) or destructures into a temporary object first (a pattern).
   */
  #lexicalDeclaration(node: acorn.VariableDeclaration, context: Context): void {
    const ms = this.#ms;
    const kind = JSON.stringify(isUsing(node) ? 'const' : node.kind);
    const first = node.declarations[0];
    this.#replacements.push(() => ms.remove(node.start, first.start));
    for (const declarator of node.declarations) {
      const id = declarator.id;
      const init = declarator.init;
      if (id.type === 'Identifier') {
        if (id.name.startsWith(RESERVED_PREFIX)) throw new ReservedIdentifier(id);
        this.#freeNames.add(id.name);
        const name = JSON.stringify(id.name);
        const head = `__sc$.init(${name}, `;
        if (init) {
          this.#visit(init, declarator, 'init', context);
          // From the name through `=`: the initialiser may start with parentheses acorn leaves out of its node.
          const equals = this.#source.indexOf('=', id.end);
          // `let f = () => {}` names the function `f`; as a call argument it would stay anonymous.
          const named = isAnonymousFunctionDefinition(init);
          this.#replacements.push(() =>
            ms.overwrite(id.start, equals + 1, named ? `${head}({ ${name}: (` : `${head}(`),
          );
          this.#insertions.push(() => ms.appendLeft(declarator.end, named ? `) })[${name}], ${kind})` : `), ${kind})`));
        } else {
          this.#replacements.push(() => ms.overwrite(id.start, id.end, `${head}void 0, ${kind})`));
        }
        continue;
      }
      if (init && this.#destructureInPlace(declarator, id, init, kind, context)) continue;
      this.#usesTemp = true;
      const targets = new Set<AnyNode>();
      collectBindingIdentifiers(id, targets);
      this.#patternTargets = targets;
      this.#patternBound = new Set();
      this.#visit(id, declarator, 'id', context);
      this.#patternTargets = undefined;
      this.#patternBound = undefined;
      if (init) this.#visit(init, declarator, 'init', context);
      this.#insertions.push(() => {
        ms.prependRight(declarator.start, `__sc$.initAll((${TEMP} = { __proto__: null }, (`);
        ms.appendLeft(declarator.end, `), ${TEMP}), ${kind})`);
      });
    }
    this.#terminate(node);
  }

  /**
   * A destructuring declarator kept as the user wrote it, as a declaration of its own inside
   * an arrow that hands its bindings over: `const {z} = null` then fails as a declaration does
   * (`Cannot destructure property 'z' of 'null' as it is null.`, at `z`), where the assignment
   * pattern of the general rewrite says `Cannot read properties of null`. Only when nothing in
   * it names what it binds except the bindings themselves (a reference would meet the arrow's
   * own binding rather than the namespace's) and it holds no `eval` (whose declarations would
   * land in the arrow).
   */
  #destructureInPlace(
    declarator: acorn.VariableDeclarator,
    id: acorn.Pattern,
    init: acorn.Expression,
    kind: string,
    context: Context,
  ): boolean {
    const names = patternNames(id);
    const inInit = survey(init);
    const inPattern = survey(id);
    if (inInit.names.has('eval') || inPattern.names.has('eval')) return false;
    if (names.some((name) => inInit.names.has(name))) return false;
    // A pattern name met again in the pattern (a default, a computed key) is a reference to it.
    const bound = new Map<string, number>();
    for (const name of names) bound.set(name, (bound.get(name) ?? 0) + 1);
    if (names.some((name) => (inPattern.names.get(name) ?? 0) > (bound.get(name) ?? 0))) return false;
    for (const name of names) if (name.startsWith(RESERVED_PREFIX)) return false;
    for (const name of names) this.#freeNames.add(name);
    const awaits = inInit.awaits || inPattern.awaits;
    this.#scopes.push(new Set(names));
    this.#visit(id, declarator, 'id', context);
    this.#visit(init, declarator, 'init', context);
    this.#scopes.pop();
    const ms = this.#ms;
    this.#insertions.push(() => {
      ms.prependRight(declarator.start, `__sc$.initAll(${awaits ? 'await (async ' : '('}() => { const `);
      ms.appendLeft(declarator.end, `; return { __proto__: null, ${names.join(', ')} }; })(), ${kind})`);
    });
    return true;
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

  #rewriteClass(node: acorn.ClassDeclaration, name: string): void {
    const ms = this.#ms;
    this.#insertions.push(() => {
      ms.prependRight(node.start, `__sc$.init(${JSON.stringify(name)}, `);
      ms.appendLeft(node.end, ', "class");');
    });
  }

  /** A top-level function declaration keeps a hidden local name; the prelude publishes it under its own. */
  #hideFunction(id: acorn.Identifier): void {
    this.#replacements.push(() => this.#ms.overwrite(id.start, id.end, functionLocal(id.name)));
  }

  /**
   * A sloppy-mode function declared in a block also binds its name in the enclosing function
   * (Annex B) when the block runs; at the cell's top level that binding is the namespace's.
   */
  #publishBlockFunction(node: acorn.FunctionDeclaration, parent: AnyNode | undefined, name: string): void {
    const publish = ` __sc$.fn(${JSON.stringify(name)}, ${name});`;
    this.#insertions.push(() => {
      if (parent?.type === 'IfStatement') {
        // `if (c) function f() {}` is a block of its own: the publish must stay inside the branch.
        this.#ms.prependRight(node.start, '{ ');
        this.#ms.appendLeft(node.end, `${publish} }`);
      } else {
        this.#ms.appendLeft(node.end, publish);
      }
    });
  }

  /**
   * A direct `eval` at the cell's own level (no local binding it could see): its code is
   * transformed like a cell by `__sc$.evalCode`, so it reaches the namespace's lexical scope
   * and its vars and functions become the namespace's, as in the console.
   */
  #directEval(node: acorn.CallExpression, context: Context): void {
    const callee = node.callee;
    if (callee.type !== 'Identifier' || callee.name !== 'eval' || node.optional) return;
    if (context.inFunction || this.#scopes.some((scope) => scope.size > 0)) return;
    if (this.#place('eval', context) !== 'bare') return;
    const open = this.#source.indexOf('(', callee.end);
    // Strict code makes its eval code strict: its vars and functions stay its own.
    const hook = context.strict ? '__sc$.evalStrict' : '__sc$.evalCode';
    this.#replacements.push(() => this.#ms.overwrite(callee.start, callee.end, hook));
    this.#insertions.push(() => this.#ms.appendLeft(open + 1, 'eval, '));
  }

  #assignCompletion(node: acorn.ExpressionStatement): void {
    const start = node.start;
    const end = node.expression.end;
    // `(0, …)` for an anonymous function or class: assigned straight to a name, it would be named
    // after it. Only then: V8 places an unresolvable name's error at the statement for `c = (x.y)`
    // (where the console places it) but at the property for `c = (0, x.y)`.
    const open = isAnonymousFunctionDefinition(node.expression) ? `${COMPLETION} = (0, ` : `${COMPLETION} = (`;
    this.#insertions.push(() => {
      this.#ms.prependRight(start, open);
      this.#ms.appendLeft(end, ')');
    });
  }

  /** `x = () => {}` names the function `x`; `__sc$s.x = …` would not, so the name is given explicitly. */
  #nameAssignedFunction(node: acorn.AssignmentExpression, context: Context): void {
    if (node.operator !== '=' || node.left.type !== 'Identifier' || !isAnonymousFunctionDefinition(node.right)) return;
    const place = this.#place(node.left.name, context);
    if (place !== 'lexical' && place !== 'dynamic') return;
    const name = JSON.stringify(node.left.name);
    const right = node.right;
    this.#insertions.push(() => {
      this.#ms.prependRight(right.start, `({ ${name}: `);
      this.#ms.appendLeft(right.end, ` })[${name}]`);
    });
  }

  #resetCompletion(node: AnyNode, parent: AnyNode | undefined): void {
    const inList =
      parent?.type === 'Program' ||
      parent?.type === 'BlockStatement' ||
      parent?.type === 'SwitchCase' ||
      parent?.type === 'StaticBlock';
    this.#insertions.push(() => {
      if (inList) {
        this.#ms.prependRight(node.start, `${COMPLETION} = void 0; `);
      } else {
        this.#ms.prependRight(node.start, `{ ${COMPLETION} = void 0; `);
        this.#ms.appendLeft(node.end, ' }');
      }
    });
  }

  /** Applies the recorded edits and assembles the plan. */
  finish(mode: CellPlan['mode']): CellPlan {
    const ast = this.#ast;
    for (const apply of this.#replacements) apply();
    for (const apply of this.#insertions) apply();

    // A shebang line is a comment in a script.
    if (this.#source.startsWith('#!')) this.#ms.overwrite(0, 2, '//');

    let prelude = `let ${COMPLETION} = __sc$.empty${this.#usesTemp ? `, ${TEMP}` : ''}; const __sc$n = __sc$.n;`;
    const declared = [...this.#declarations]
      .filter(([name, kind]) => kind !== 'function' || this.#homes.get(name) !== 'global')
      .filter(([name]) => !this.#functionNames.includes(name) || this.#homes.get(name) === 'lexical')
      .map(([name, kind]) => [name, kind === 'function' ? 'var' : kind]);
    // What eval code declares can be deleted, as the language has it.
    const deletable = this.#evalCode ? ', true' : '';
    if (declared.length > 0) prelude += ` __sc$.declare(${JSON.stringify(declared)}${deletable});`;
    for (const name of this.#functionNames) {
      prelude += ` __sc$.fn(${JSON.stringify(name)}, ${functionLocal(name)}${deletable});`;
    }
    // The prelude goes after the cell's directive prologue, which must stay first to count.
    let prologueEnd = -1;
    let prologueValue: string | undefined;
    for (const statement of ast.body) {
      if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) break;
      prologueEnd = statement.end;
      prologueValue = this.#source.slice(statement.expression.start, statement.expression.end);
    }
    if (prologueValue !== undefined) prelude += ` ${COMPLETION} = ${prologueValue};`;
    const head = `(${mode === 'top-level-await' ? 'async ' : ''}(__sc$, ${SCOPE}) => {`;
    if (prologueEnd >= 0) {
      this.#ms.prepend(head);
      const semicolon = this.#source[prologueEnd - 1] === ';' ? '' : ';';
      this.#ms.appendLeft(prologueEnd, `${semicolon}\n${prelude}\n`);
    } else {
      this.#ms.prepend(`${head} ${prelude}\n`);
    }
    // On its own line, so a trailing line comment in the cell cannot swallow it.
    // No prototype: resolving an async cell's result must not find a user's Object.prototype.then.
    this.#ms.append(`\n;return { __proto__: null, value: ${COMPLETION} }; })`);

    const declarations = [...this.#declarations].map(([name, kind]) => ({ name, kind }));
    for (const { name } of declarations) this.#freeNames.add(name);
    const resolvedNames = [...this.#resolutions.keys()].sort();
    const resolutionKey = resolutionKeyOf(resolvedNames, (name) => this.#resolutions.get(name) ?? 'other');
    const plan = {
      mode,
      code: this.#ms.toString(),
      hasValue: this.#completes.size > 0 || this.#resets.size > 0,
      resolutionKey,
      resolvedNames,
      declarations,
      definitions: this.#definitions,
      freeNames: [...this.#freeNames],
      definesFunctions: this.#definesFunctions,
      mayCall: this.#mayCall,
    } as CellPlan;
    return withLazyMap(plan, this.#ms);
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

/** Statements whose completion is undefined even when nothing inside them ran. */
const RESETS: ReadonlySet<string> = new Set([
  'IfStatement',
  'SwitchStatement',
  'TryStatement',
  'WithStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
]);

// No prototype: a key is found as an own property or not at all.
const RESOLUTION_CODES = { __proto__: null, lexical: 'L', builtin: 'B', other: 'O' } as unknown as Record<
  NameResolution,
  string
>;

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

/** The function a top-level statement declares, behind any labels (`lbl: function f() {}`). */
function topFunction(statement: AnyNode): acorn.FunctionDeclaration | undefined {
  let node = statement;
  while (node.type === 'LabeledStatement') node = node.body;
  return node.type === 'FunctionDeclaration' && node.id ? node : undefined;
}

/** A function or class expression without a name of its own: a binding it is assigned to names it. */
function isAnonymousFunctionDefinition(node: AnyNode): boolean {
  return (
    node.type === 'ArrowFunctionExpression' ||
    ((node.type === 'FunctionExpression' || node.type === 'ClassExpression') && !node.id)
  );
}

/** Whether an identifier under `parent[key]` is written, not read (assignment and update targets, loop heads, patterns). */
function isWriteTarget(parent: AnyNode | undefined, key: string): boolean {
  switch (parent?.type) {
    case 'AssignmentExpression':
    case 'ForInStatement':
    case 'ForOfStatement':
      return key === 'left';
    case 'UpdateExpression':
      return true;
    case 'ArrayPattern':
    case 'RestElement':
      return true;
    case 'AssignmentPattern':
      return key === 'left';
    case 'Property':
      // A property of an object pattern (its value is a target); object expressions are not patterns.
      return false;
    default:
      return false;
  }
}

/** The identifiers a declaration pattern binds (not those in its defaults or computed keys). */
function collectBindingIdentifiers(pattern: acorn.Pattern, into: Set<AnyNode>): void {
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern);
      return;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        collectBindingIdentifiers(property.type === 'RestElement' ? property.argument : property.value, into);
      }
      return;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) collectBindingIdentifiers(element, into);
      return;
    case 'RestElement':
      collectBindingIdentifiers(pattern.argument, into);
      return;
    case 'AssignmentPattern':
      collectBindingIdentifiers(pattern.left, into);
      return;
  }
}
