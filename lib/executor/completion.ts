/**
 * The cell's completion value, as the console gives it (a script's completion value): every
 * expression statement outside functions also assigns `__sc$c`, and statements whose
 * completion is `undefined` even when nothing in them ran (if, loops, switch, try, with) reset
 * it first — the language's UpdateEmpty rules, as V8's rewriter applies them to scripts.
 * Expression statements in `finally` do not count.
 */
import type * as acorn from 'acorn';
import { isAnonymousFunctionDefinition } from './ast.ts';
import { type CellEdits, COMPLETION } from './edits.ts';

type AnyNode = acorn.AnyNode;

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

/** Which statements of a cell take part in its completion value. */
export class CompletionMarks {
  /** Expression statements whose value is the cell's completion value. */
  readonly completes = new Set<AnyNode>();
  /** Statements that reset it to undefined before they run. */
  readonly resets = new Set<AnyNode>();
  readonly #ast: acorn.Program;

  constructor(ast: acorn.Program) {
    this.#ast = ast;
    this.#markList(ast.body);
  }

  /** The cell can complete with a value. */
  get hasValue(): boolean {
    return this.completes.size > 0 || this.resets.size > 0;
  }

  #markList(statements: readonly AnyNode[]): void {
    for (const statement of statements) this.#markStatement(statement);
  }

  #markStatement(node: AnyNode): void {
    switch (node.type) {
      case 'ExpressionStatement':
        if (node.directive === undefined || !this.#isPrologue(node)) this.completes.add(node);
        return;
      case 'BlockStatement':
        this.#markList(node.body);
        return;
      case 'LabeledStatement': {
        let body: AnyNode = node.body;
        while (body.type === 'LabeledStatement') body = body.body;
        if (RESETS.has(body.type)) {
          // The reset goes before the labels: `lbl: __sc$c = void 0; for…` would label the reset.
          this.resets.add(node);
          this.#markInside(body);
        } else {
          this.#markStatement(body);
        }
        return;
      }
      default:
        if (RESETS.has(node.type)) {
          this.resets.add(node);
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
        for (const c of node.cases) this.#markList(c.consequent);
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
}

/** `expr;` → `__sc$c = (expr);` */
export function assignCompletion(edits: CellEdits, node: acorn.ExpressionStatement): void {
  const start = node.start;
  const end = node.expression.end;
  // `(0, …)` for an anonymous function or class: assigned straight to a name, it would be named
  // after it. Only then: V8 places an unresolvable name's error at the statement for `c = (x.y)`
  // (where the console places it) but at the property for `c = (0, x.y)`.
  const open = isAnonymousFunctionDefinition(node.expression) ? `${COMPLETION} = (0, ` : `${COMPLETION} = (`;
  edits.insert(() => {
    edits.ms.prependRight(start, open);
    edits.ms.appendLeft(end, ')');
  });
}

/** `if (…) …` → `__sc$c = void 0; if (…) …` (in a block of its own where a statement list is not). */
export function resetCompletion(edits: CellEdits, node: AnyNode, parent: AnyNode | undefined): void {
  const inList =
    parent?.type === 'Program' ||
    parent?.type === 'BlockStatement' ||
    parent?.type === 'SwitchCase' ||
    parent?.type === 'StaticBlock';
  edits.insert(() => {
    if (inList) {
      edits.ms.prependRight(node.start, `${COMPLETION} = void 0; `);
    } else {
      edits.ms.prependRight(node.start, `{ ${COMPLETION} = void 0; `);
      edits.ms.appendLeft(node.end, ' }');
    }
  });
}
