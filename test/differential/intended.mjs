/**
 * Where sandcell deliberately differs from the DevTools console, and what it does instead.
 *
 * Each entry names the sequences it covers and, for each, sandcell's documented outcome cell by
 * cell (`null`: the same as the console). A covered sequence agrees only when sandcell does exactly
 * what is written here — matching the console instead is a disagreement too, since it means the
 * deliberate behaviour was lost. Outcomes use the normalized form of normalize.mjs.
 */

const ok = (value) => ({ status: 'ok', value });
const syntaxError = (line, column) => ({ status: 'error', name: 'SyntaxError', line, column });
const error = (name, message, line, column) => ({ status: 'error', name, message, line, column });
/** A cell too deeply nested for sandcell's parser; where the stack ran out is not compared. */
const tooDeep = {
  status: 'error',
  name: 'RangeError',
  message: '[sandcell] the cell is nested too deeply to parse (Maximum call stack size exceeded) — split it up',
};

/** @type {Array<{ key: string; reason: string; sandcell: Record<string, Array<object | null>> }>} */
export const intended = [
  {
    key: 'cross-kind-redeclaration',
    reason:
      'A cell may declare a name again with another kind (let ↔ const, let/const/class ↔ var/function): ' +
      'the new declaration wins and takes its kind, and a `var x` without initializer keeps the current ' +
      'value, as `var` does. The console throws "Identifier has already been declared": in a notebook, ' +
      're-running an edited cell must not be a dead end.',
    sandcell: {
      'redeclaration/let-const': [null, ok('undefined'), ok('2')],
      'redeclaration/const-let': [null, ok('undefined'), ok('2'), ok('3')],
      'redeclaration/let-var': [null, ok('undefined'), ok('2')],
      'redeclaration/var-let': [null, ok('undefined'), ok('2')],
      'redeclaration/const-var-keeps-value': [null, ok('undefined'), ok('1')],
      'redeclaration/let-function': [null, ok('undefined'), ok('"function"')],
      'redeclaration/function-let': [null, ok('undefined'), ok('1')],
      'redeclaration/class-var': [null, ok('undefined'), ok('"number"')],
      'redeclaration/let-after-const-is-mutable': [null, ok('undefined'), ok('3'), ok('3')],
      'redeclaration/const-var-then-assign': [null, ok('undefined'), ok('2')],
      'redeclaration/var-after-class': [null, ok('undefined'), ok('"function"')],
      'redeclaration/function-after-const': [null, ok('undefined'), ok('function g')],
    },
  },
  {
    key: 'no-poisoned-names',
    reason:
      'A declaration whose cell threw before it ran leaves the name uninitialised (reading it throws, ' +
      'as in the console), and any later cell may declare it again, of any kind: a failed cell never ' +
      'makes a name unusable for the rest of the session.',
    sandcell: {
      'tdz/failed-let-then-var': [null, ok('undefined'), ok('1')],
      'tdz/failed-const-then-let': [null, ok('undefined'), ok('3'), ok('3')],
      'tdz/failed-let-then-function': [null, ok('undefined'), ok('"g"')],
    },
  },
  {
    key: 'underscore',
    reason:
      "`_` holds the last expression value (a cell with no value leaves it as it was), as in Node's " +
      "REPL and IPython; the console has only `$_`, and only with its command-line API. A user's own " +
      "`_` (declared or assigned) wins, as in Node's REPL: those sequences are compared with the console.",
    sandcell: {
      'underscore/last-value': [null, ok('2')],
      'underscore/arithmetic': [null, ok('50')],
      'underscore/chain': [null, ok('6'), ok('7')],
      'underscore/unchanged-by-declaration': [null, null, ok('7')],
      'underscore/unchanged-by-error': [null, null, ok('8')],
      'underscore/object': [null, ok('1')],
      'underscore/undefined-value': [null, null, ok('undefined')],
      'underscore/after-await': [null, ok('3')],
      'underscore/in-function': [null, ok('11')],
      'underscore/statement-value': [null, ok('12')],
    },
  },
  {
    key: 'multi-line-object-literal',
    reason:
      'A cell that is one object literal is an object even when it spans lines (pasted JSON, a ' +
      "formatted literal). The console's front end parenthesizes only a one-line `{…}`, so V8 reads " +
      "the rest as a block: a SyntaxError or a label's value.",
    sandcell: {
      'objlit/multiline': [ok('Object {"a": 1, "b": 2}')],
      'objlit/multiline-json': [ok('Object {"name": "pasted", "n": 2}')],
    },
  },
  {
    key: 'cell-helpers',
    reason:
      "sandcell puts its documented helpers in the cell's scope: display(), input() and host " +
      '(README "Inside a cell"). The console has none of them.',
    sandcell: {
      'reserved/typeof-display': [ok('"function"')],
      'reserved/typeof-input': [ok('"function"')],
      'reserved/typeof-host': [ok('"object"')],
    },
  },
  {
    key: 'private-names-outside-class',
    reason:
      "The console lets `obj.#field` be read outside its class (a debugging aid of V8's REPL mode); " +
      'sandcell keeps the language rule, a SyntaxError, so that cells stay valid JavaScript.',
    sandcell: {
      'classes/private-field-access-outside': [null, syntaxError(1, 13)],
    },
  },
  {
    key: 'eval-error-position',
    reason:
      "An error thrown inside eval or new Function code is placed at the cell's own frame (the call), " +
      "since line and column always refer to the cell's text; the console gives the position inside " +
      'the evaluated string (a different text).',
    sandcell: {
      'errors/error-in-eval': [error('TypeError', "Cannot read properties of null (reading 'inEval')", 1, 1)],
      'errors/error-in-new-function': [error('TypeError', "Cannot read properties of null (reading 'inFn')", 1, 33)],
    },
  },
  {
    key: 'parse-depth',
    reason:
      'sandcell parses each cell with acorn, a recursive-descent parser in JavaScript, on the ' +
      "worker's stack: a few hundred levels of nested brackets, calls or arrows exhaust it where " +
      "V8's own parser does not. The cell then ends in a RangeError that says so (nothing ran, " +
      'execute() resolves, the session goes on). Operator chains (`1 + 1 + …`) are parsed in a loop ' +
      'and have no such limit.',
    sandcell: {
      'robustness/arrays-400': [tooDeep, null],
      'robustness/arrays-400-assigned': [tooDeep, error('ReferenceError', 'deep is not defined', 1, 1)],
      'robustness/parens-1000': [tooDeep, null],
      'robustness/objects-400': [tooDeep, error('ReferenceError', 'o is not defined', 1, 1)],
      'robustness/calls-500': [null, tooDeep],
      'robustness/arrows-300': [tooDeep, ok('"undefined"')],
    },
  },
  {
    key: 'dead-zone-position',
    reason:
      "A name in its dead zone is an accessor of sandcell's scope object, which throws at the name; " +
      'V8 places its own dead-zone error at the start of the statement or expression around it ' +
      '(`return`, `new`). Same error, same statement; sandcell points at the name it is about.',
    sandcell: {
      'tdz/function-reads-before-init': [error('ReferenceError', 'late is not defined', 1, 27)],
      'tdz/class-before-declaration': [error('ReferenceError', 'K is not defined', 1, 5)],
    },
  },
  {
    key: 'global-code-from-strings',
    reason:
      "let/const/class live in sandcell's scope object, which each cell receives; code compiled " +
      'from a string at global scope (indirect eval, new Function, a string given to setTimeout) ' +
      'sees only the global object: var, function, built-ins. A direct eval in a cell is ' +
      'transformed like a cell and sees them all. Reaching the scope there would mean replacing ' +
      'eval and Function, which V8 treats specially (a direct eval must be the real one).',
    sandcell: {
      'functions/function-constructor-global-scope': [null, ok('"undefined"')],
      'eval/indirect-does-not-see-let': [null, ok('"undefined"')],
    },
  },
  {
    key: 'checkpoint-reads-getters',
    reason:
      'After each cell sandcell copies the variables it may have changed (the checkpoint a stopped ' +
      'or crashed worker is restored from) with structuredClone, which reads every own property: ' +
      'an accessor on an object in the namespace runs once per copy. The console keeps no copy.',
    sandcell: {
      'destructuring/getter-runs-once': [null, null, null, ok('5')],
    },
  },
];
