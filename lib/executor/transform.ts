/**
 * The REPL transform: turns a cell into one arrow function the worker evaluates (in global
 * scope) and calls with the cell runtime `__sc$` and the namespace's lexical scope `__sc$s`,
 * so that the cell behaves like a script typed into the DevTools console (REPL mode), its
 * declarations persist, and loops and functions check for interrupts.
 *
 * This module is the pass driver and the walk that resolves names. The rest, by concept:
 *   - ./declarations.ts: where each top-level name lives (hoisting) and the var/class/function rewrites;
 *   - ./lexical-declarations.ts: the rewrite of top-level let/const;
 *   - ./completion.ts: the cell's completion value;
 *   - ./interrupt-checks.ts: the interrupt checks in loops, functions and catch clauses;
 *   - ./cell-assembly.ts: the arrow around the cell, its prelude, and the plan;
 *   - ./references.ts: how a reference to a namespace name is rewritten;
 *   - ./edits.ts: the recorded text edits (magic-string, so the source map stays exact).
 *
 * Names (where bindings live; see lib/namespace/namespace.ts):
 *   - let/const/class of the cell's top level live in `__sc$s`, a null-prototype object, not
 *     on globalThis: like the console's script scope, every later cell and every function sees
 *     them, globalThis does not, and the engine's own code never does (so `let performance`,
 *     `let input`, `class Map` cannot break it). References to them are rewritten to
 *     `__sc$s.name`, which is why the transform resolves every identifier against the cell's
 *     own scopes (./scope.ts) and the namespace (`options.resolve`).
 *   - Code that runs later (function bodies) reaches a name that is not lexical yet, and not a
 *     built-in, by looking it up in `__sc$s` first (a later cell may still declare it), once per
 *     generation of the scope (./references.ts). Code that runs now resolves statically. The compiled code thus depends on how its free
 *     names resolve: `resolutionKey` is part of the compile cache key.
 *   - TDZ: the prelude declares the cell's lexical names; new ones enter a dead zone (reads
 *     throw `x is not defined`, writes `Cannot access 'x' before initialization`, as REPL mode
 *     does); the declaration initialises through `__sc$.init`. Names that exist already keep
 *     their value until then (`let x = x + 1` reads the old x, as in REPL mode).
 *
 *   let a = 1, {b} = o;      __sc$.init("a", (1), "let"), __sc$.initAll((__sc$t = {…}, ({b: __sc$t.b} = o), __sc$t), "let");
 *   a + b                    __sc$c = (__sc$s.a + __sc$s.b);
 *   for (var i of xs) f(i)   for (i of xs) { CHECK __sc$c = (f(i)) }   (and "i" declared in the prelude)
 */
import type * as acorn from 'acorn';
import { getLineInfo } from 'acorn';
import { FUNCTION_MAKERS, INERT, isAnnexBFunction, isAnonymousFunctionDefinition, isNode, isReference } from './ast.ts';
import { assembleCell } from './cell-assembly.ts';
import { type CellPlan, type CellSyntaxError, isLexicalResolution, type TransformOptions } from './cell-plan.ts';
import { assignCompletion, CompletionMarks, resetCompletion } from './completion.ts';
import { hideFunction, publishBlockFunction, rewriteClass, rewriteVar, TopLevelNames } from './declarations.ts';
import { classifyProgram } from './detect-mode.ts';
import { CellEdits, RESERVED_PREFIX, TEMP } from './edits.ts';
import { instrumentFunction, instrumentLoop, rewriteCatch } from './interrupt-checks.ts';
import { type DeclarationWalk, rewriteLexicalDeclaration } from './lexical-declarations.ts';
import { LoopBindings } from './loop-bindings.ts';
import { parseCell } from './parse.ts';
import { type Place, rewriteName, rewriteReference, unaryOnNameText } from './references.ts';
import { blockScope, functionScope, hasUseStrict } from './scope.ts';

export { resolutionKeyOf } from './cell-assembly.ts';
export { CHECK, CHECK_EXPR, LOOP_CHECK, loopCheck } from './interrupt-checks.ts';

type AnyNode = acorn.AnyNode;

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
    const transform = new CellTransform(source, options, parsed.ast, mode);
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

/** Walk state that changes with depth. */
interface Context {
  /** Below a function or class body: code that may run after this cell (resolution must stay dynamic). */
  deferred: boolean;
  /** Below a function or static block: `var` is not the cell's. */
  inFunction: boolean;
  strict: boolean;
  /** `this` is the top level's: the global object (top-level code, and arrows made there). */
  globalThis: boolean;
}

const LOOPS: ReadonlySet<string> = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
]);

class CellTransform {
  readonly #ast: acorn.Program;
  readonly #edits: CellEdits;
  readonly #instrument: boolean;
  readonly #flagChecks: boolean;
  /** Where a loop's counter block starts: the loop itself, or its outermost label. */
  readonly #loopStarts = new Map<AnyNode, number>();
  #loopCount = 0;
  readonly #allowDynamicImport: boolean;
  readonly #strict: boolean;
  readonly #evalCode: boolean;
  /** The cell's own scopes below its top level (each a set of bound names). */
  readonly #scopes: Array<Set<string>> = [];
  readonly #names: TopLevelNames;
  readonly #marks: CompletionMarks;
  readonly #freeNames = new Set<string>();
  /** Names of `var` declarators that the rewrite removes. */
  readonly #dropped = new Set<AnyNode>();
  /** Identifiers that are a shorthand property's value (`{x}`): a rewrite must keep the key. */
  readonly #shorthands = new Set<AnyNode>();
  /** Binding identifiers of the top-level lexical declarator being rewritten, and names bound so far in it. */
  #patternTargets: Set<AnyNode> | undefined;
  #patternBound: Set<string> | undefined;
  #usesTemp = false;
  /** Names referenced dynamically, and the variable caching each one's absence from the scope. */
  readonly #dynamicCaches = new Map<string, string>();
  #definesFunctions = false;
  #mayCall = false;
  /** Top-level loops may keep bindings in a local holder (./loop-bindings.ts): not in eval code, nor with top-level await. */
  readonly #keepsLoopBindings: boolean;
  /** The outermost top-level loop being walked, and the index of the top-level statement it is in. */
  #loop: LoopBindings | undefined;
  #topIndex = 0;

  constructor(source: string, options: TransformOptions, ast: acorn.Program, mode: CellPlan['mode']) {
    this.#ast = ast;
    this.#edits = new CellEdits(source);
    this.#instrument = options.instrument !== false;
    this.#flagChecks = options.flagChecks === true;
    this.#allowDynamicImport = options.allowDynamicImport === true;
    this.#names = new TopLevelNames(options.resolve ?? (() => 'other'));
    this.#strict = hasUseStrict(ast.body);
    this.#evalCode = options.evalCode === true;
    this.#marks = new CompletionMarks(ast);
    this.#keepsLoopBindings = !this.#evalCode && mode !== 'top-level-await';
  }

  run(): void {
    const ast = this.#ast;
    // Top-level declarations first: a reference anywhere in the cell may precede its declaration.
    this.#names.collect(ast, this.#edits.source, this.#strict, this.#evalCode);
    if (this.#names.ownNames.size > 0) this.#scopes.push(this.#names.ownNames);
    const context: Context = { deferred: false, inFunction: false, strict: this.#strict, globalThis: true };
    for (let i = 0; i < ast.body.length; i++) {
      this.#topIndex = i;
      this.#visit(ast.body[i], ast, 'body', context);
    }
  }

  /** Applies the recorded edits and assembles the plan. */
  finish(mode: CellPlan['mode']): CellPlan {
    return assembleCell(this.#edits, this.#ast, {
      mode,
      names: this.#names,
      hasValue: this.#marks.hasValue,
      usesTemp: this.#usesTemp,
      dynamicCaches: [...this.#dynamicCaches.values()],
      usesFlag: this.#flagChecks && this.#loopCount > 0,
      evalCode: this.#evalCode,
      freeNames: this.#freeNames,
      definesFunctions: this.#definesFunctions,
      mayCall: this.#mayCall,
    });
  }

  /** The prelude's variable that caches whether the scope lacks `name` (./references.ts). */
  #dynamicCache(name: string): string {
    let cache = this.#dynamicCaches.get(name);
    if (cache === undefined) {
      cache = `__sc$k${this.#dynamicCaches.size}`;
      this.#dynamicCaches.set(name, cache);
    }
    return cache;
  }

  #bound(name: string): boolean {
    for (let i = this.#scopes.length - 1; i >= 0; i--) if (this.#scopes[i].has(name)) return true;
    return false;
  }

  /**
   * Each loop loads the shared flag, or counts its own back-edges in a local counter
   * (./interrupt-checks.ts), around the holder of the bindings it keeps.
   */
  #instrumentLoop(loop: AnyNode & { body: acorn.Statement }, bindings: LoopBindings | undefined): void {
    const id = ++this.#loopCount;
    const counter = this.#flagChecks ? undefined : `__sc$l${id}`;
    const start = this.#loopStarts.get(loop) ?? loop.start;
    instrumentLoop(this.#edits, loop, counter, start, bindings && (() => bindings.wrap(this.#edits, start, loop.end)));
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
      case 'ThisExpression':
        // The global object: the cell may change any variable through it without naming it
        // (`this.arr.push(4)`); the checkpoint looks at every variable when `globalThis` is named.
        if (context.globalThis) this.#freeNames.add('globalThis');
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

    let loop: LoopBindings | undefined;
    if (
      this.#keepsLoopBindings &&
      this.#loop === undefined &&
      !context.deferred &&
      !context.inFunction &&
      LOOPS.has(node.type)
    ) {
      loop = new LoopBindings(`__sc$h${node.start}`);
      this.#loop = loop;
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
      // An arrow keeps the `this` around it; other functions get their own.
      const thisIsGlobal = node.type === 'ArrowFunctionExpression' && context.globalThis;
      childContext = { deferred: true, inFunction: true, strict, globalThis: thisIsGlobal };
    } else if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      scope = blockScope(node, parent, true);
      // Class bodies are strict; methods, field initialisers and static blocks run later.
      childContext = { ...context, strict: true };
    } else {
      scope = blockScope(node, parent, context.strict);
      if (node.type === 'ClassBody' || node.type === 'StaticBlock') {
        const inFunction = node.type === 'StaticBlock' || context.inFunction;
        // Methods, field initialisers and static blocks: `this` is the instance or the class.
        childContext = { deferred: true, inFunction, strict: true, globalThis: false };
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
    if (loop) this.#loop = undefined;

    switch (node.type) {
      case 'VariableDeclaration':
        if (node.kind === 'var' && !context.inFunction && !(this.#evalCode && this.#strict)) {
          rewriteVar(this.#edits, node, parent, key);
        }
        break;
      case 'ClassDeclaration':
        if (parent?.type === 'Program' && node.id && !this.#evalCode) rewriteClass(this.#edits, node, node.id.name);
        break;
      case 'CallExpression':
        this.#directEval(node, context);
        break;
      case 'FunctionDeclaration':
        if (this.#instrument) instrumentFunction(this.#edits, node);
        if (this.#names.topFunctions.has(node) && node.id) hideFunction(this.#edits, node.id);
        else if (
          node.id &&
          !context.inFunction &&
          !context.strict &&
          isAnnexBFunction(node, parent) &&
          // Annex B does not bind a name a lexical declaration holds.
          this.#names.homes.get(node.id.name) !== 'lexical'
        ) {
          publishBlockFunction(this.#edits, node, parent, node.id.name);
        }
        break;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (this.#instrument) instrumentFunction(this.#edits, node);
        break;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        if (this.#instrument) this.#instrumentLoop(node, loop);
        else loop?.wrap(this.#edits, this.#loopStarts.get(node) ?? node.start, node.end);
        break;
      case 'CatchClause':
        if (this.#instrument) rewriteCatch(this.#edits, node);
        break;
      case 'AssignmentExpression':
        this.#nameAssignedFunction(node, context);
        break;
      case 'WithStatement': {
        // The object cannot claim the engine's names (see with-scope.ts).
        const object = node.object;
        this.#edits.insert(() => {
          this.#edits.ms.prependRight(object.start, '__sc$.withScope(');
          this.#edits.ms.appendLeft(object.end, ')');
        });
        break;
      }
      case 'ImportExpression':
        if (!this.#allowDynamicImport) {
          const start = node.start;
          this.#edits.replace(() => this.#edits.ms.overwrite(start, start + 'import'.length, '__sc$.importDenied'));
        }
        break;
    }
    if (this.#marks.completes.has(node) && node.type === 'ExpressionStatement') assignCompletion(this.#edits, node);
    if (this.#marks.resets.has(node)) resetCompletion(this.#edits, node, parent);
  }

  /** Where a reference to `name` goes: a local of the cell, the lexical scope, a bare global, or a dynamic choice. */
  #place(name: string, context: Context): Place {
    if (this.#bound(name)) return 'local';
    const home = this.#names.homes.get(name);
    if (home === 'lexical') return 'lexical';
    if (home === 'global') return 'bare';
    const resolution = this.#names.resolve(name);
    if (isLexicalResolution(resolution)) return 'lexical';
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
      rewriteName(this.#edits, node, `${TEMP}.`, '', this.#shorthands.has(node));
      return;
    }
    if (this.#patternBound?.has(name) && !this.#bound(name)) {
      rewriteName(this.#edits, node, `${TEMP}.`, '', this.#shorthands.has(node));
      return;
    }
    const place = this.#place(name, context);
    if (place === 'local') return;
    this.#freeNames.add(name);
    const state =
      place === 'lexical' && this.#loop && !context.deferred && this.#names.lexicalStateAt(name, this.#topIndex);
    const through = state ? this.#loop?.reference(name, state, parent, key) : undefined;
    const cache = place === 'dynamic' ? this.#dynamicCache(name) : undefined;
    rewriteReference(this.#edits, node, parent, key, place, this.#shorthands.has(node), through, cache);
  }

  /** `typeof x` and `delete x` of a namespace name; true when handled (children not visited). */
  #unaryOnName(node: acorn.UnaryExpression, argument: acorn.Identifier, context: Context): boolean {
    if (node.operator !== 'typeof' && node.operator !== 'delete') return false;
    const name = argument.name;
    if (name.startsWith(RESERVED_PREFIX)) throw new ReservedIdentifier(argument);
    const place = this.#place(name, context);
    if (place === 'local' || place === 'bare') return false;
    this.#freeNames.add(name);
    const text = unaryOnNameText(node.operator, name, place);
    if (text === undefined) return false;
    this.#edits.replace(() => this.#edits.ms.overwrite(node.start, node.end, text));
    return true;
  }

  /** A top-level `let`/`const` (./lexical-declarations.ts), walked in `context`. */
  #lexicalDeclaration(node: acorn.VariableDeclaration, context: Context): void {
    const walk: DeclarationWalk = {
      edits: this.#edits,
      visit: (child, parent, key) => this.#visit(child, parent, key, context),
      free: (name) => this.#freeNames.add(name),
      bound: (names, visit) => {
        this.#scopes.push(names);
        visit();
        this.#scopes.pop();
      },
      pattern: (targets, visit) => {
        this.#patternTargets = targets;
        this.#patternBound = new Set();
        visit();
        this.#patternTargets = undefined;
        this.#patternBound = undefined;
      },
      useTemp: () => {
        this.#usesTemp = true;
      },
      reserved: (id) => {
        throw new ReservedIdentifier(id);
      },
    };
    rewriteLexicalDeclaration(walk, node);
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
    const open = this.#edits.source.indexOf('(', callee.end);
    // Strict code makes its eval code strict: its vars and functions stay its own.
    const hook = context.strict ? '__sc$.evalStrict' : '__sc$.evalCode';
    this.#edits.replace(() => this.#edits.ms.overwrite(callee.start, callee.end, hook));
    this.#edits.insert(() => this.#edits.ms.appendLeft(open + 1, 'eval, '));
  }

  /** `x = () => {}` names the function `x`; `__sc$s.x = …` would not, so the name is given explicitly. */
  #nameAssignedFunction(node: acorn.AssignmentExpression, context: Context): void {
    if (node.operator !== '=' || node.left.type !== 'Identifier' || !isAnonymousFunctionDefinition(node.right)) return;
    const place = this.#place(node.left.name, context);
    if (place !== 'lexical' && place !== 'dynamic') return;
    const name = JSON.stringify(node.left.name);
    const right = node.right;
    this.#edits.insert(() => {
      this.#edits.ms.prependRight(right.start, `({ ${name}: `);
      this.#edits.ms.appendLeft(right.end, ` })[${name}]`);
    });
  }
}
