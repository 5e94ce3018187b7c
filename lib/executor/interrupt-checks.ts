/**
 * Where a cell's rewrite puts the interrupt checks (./interrupt.ts is what they call): at
 * every function entry and loop back-edge, and a rethrow at the head of every catch so user
 * code cannot swallow an interrupt.
 *
 * A loop's back-edge checks in one of two ways: with shared memory, in an engine that keeps
 * the load in the loop (`plainFlagLoadsStayInLoops`), it loads the shared interrupt flag
 * (`FLAG_LOOP_CHECK`: one load, no counter; the host raises the flag for a stop and, from a
 * timer of its own, at the cell's deadline); otherwise a loop-local counter counts down to a
 * `tick()` that reads the flag (if there is one) and the clock.
 */
import type * as acorn from 'acorn';
import { isBoundedLeaf } from './ast.ts';
import type { CellEdits } from './edits.ts';
import { CHECK_INTERVAL } from './interrupt.ts';

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

/**
 * Whether this engine's optimizing compiler re-reads a plain load of the shared flag on every
 * back-edge, so `FLAG_LOOP_CHECK` can be used. The memory model lets a compiler hoist a
 * non-atomic load out of a loop that stores nothing, and SpiderMonkey's Ion does: in Firefox
 * 153 a worker's `while (flag[0] === 0) n++` ran on after the page set the flag until `n`
 * overflowed (2^31 back-edges, ~1.9 s), so a cell's `while (true) {}` never saw a stop or
 * its deadline and every one took the hard path (a restart). V8's TurboFan keeps the load
 * (the interrupt suite stops such loops cooperatively in Chromium). `Atomics.load` would be
 * kept by every engine, but V8 does not inline it there (measured ~50× slower per
 * back-edge). So: the plain load in V8 only, recognised by its stack format (`    at`
 * frames); every other engine counts back-edges down to a `tick()` that loads the flag
 * atomically — the no-shared-memory check, which also reads the deadline by the clock.
 */
export function plainFlagLoadsStayInLoops(): boolean {
  return /\n\s+at /.test(new Error().stack ?? '');
}

/** The local the prelude binds to the shared interrupt flag (a one-slot view of the control buffer). */
export const FLAG = '__sc$i';
/**
 * The back-edge check with shared memory: a plain load, which costs a fraction of a counter's
 * decrement and compare; `tick()` runs only once the flag is up (a stop, a deadline, a stale request).
 */
export const FLAG_LOOP_CHECK = `if (${FLAG}[0] !== 0) __sc$.tick();`;

const CAUGHT = '__sc$e';

type AnyNode = acorn.AnyNode;

/** Puts the entry check into a function (after its directive prologue). */
export function instrumentFunction(edits: CellEdits, node: acorn.Function): void {
  // A function that can only do a bounded amount of work per call needs no entry check.
  if (isBoundedLeaf(node)) return;
  const ms = edits.ms;
  const body = node.body;
  if (body.type !== 'BlockStatement') {
    edits.insert(() => {
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
    const text = edits.source[end - 1] === ';' ? ` ${CHECK}` : `; ${CHECK}`;
    edits.insert(() => ms.appendLeft(end, text));
  } else {
    edits.insert(() => ms.appendLeft(body.start + 1, ` ${CHECK}`));
  }
}

/**
 * Without shared memory (`counter` given) each loop counts its own back-edges in a local (a
 * register in optimized code, unlike the shared countdown), declared in a block around the
 * loop and its labels (`start`: the loop itself, or its outermost label); with it (`counter`
 * undefined) the back-edge loads the flag:
 *
 *   while (c) body     { let __sc$l1 = 100; while (c) { if (--__sc$l1 < 0) __sc$l1 = __sc$.tick(); body } }
 *   while (c) body     while (c) { if (__sc$i[0] !== 0) __sc$.tick(); body }
 */
export function instrumentLoop(
  edits: CellEdits,
  loop: AnyNode & { body: acorn.Statement },
  counter: string | undefined,
  start: number,
  /** Records edits that go around the loop inside the counter's block (./loop-bindings.ts). */
  around?: () => void,
): void {
  const ms = edits.ms;
  const body = loop.body;
  const check = counter === undefined ? FLAG_LOOP_CHECK : loopCheck(counter);
  edits.insert(() => {
    if (body.type === 'BlockStatement') {
      ms.appendLeft(body.start + 1, ` ${check}`);
    } else {
      ms.prependRight(body.start, `{ ${check} `);
      ms.appendLeft(body.end, ' }');
    }
  });
  around?.();
  if (counter === undefined) return;
  edits.insert(() => {
    ms.prependRight(start, `{ let ${counter} = ${CHECK_INTERVAL}; `);
    ms.appendLeft(loop.end, ' }');
  });
}

/** Every catch first hands the caught value to `__sc$.rethrow`, so user code cannot swallow an interrupt. */
export function rewriteCatch(edits: CellEdits, node: acorn.CatchClause): void {
  const ms = edits.ms;
  const param = node.param;
  const bodyStart = node.body.start + 1;
  if (param === null || param === undefined) {
    edits.insert(() => {
      ms.appendLeft(node.start + 'catch'.length, ` (${CAUGHT})`);
      ms.appendLeft(bodyStart, ` __sc$.rethrow(${CAUGHT});`);
    });
  } else if (param.type === 'Identifier') {
    edits.insert(() => ms.appendLeft(bodyStart, ` __sc$.rethrow(${param.name});`));
  } else {
    // Destructuring could run user code (defaults) before the rethrow, so the pattern moves
    // into the body as `let <pattern> = __sc$e;` after it.
    edits.replace(() => ms.move(param.start, param.end, bodyStart));
    edits.insert(() => {
      ms.appendLeft(param.start, CAUGHT);
      ms.appendLeft(bodyStart, ` __sc$.rethrow(${CAUGHT});`);
      ms.prependRight(param.start, ' let ');
      ms.appendLeft(param.end, ` = ${CAUGHT};`);
    });
  }
}
