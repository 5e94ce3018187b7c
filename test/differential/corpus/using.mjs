// Explicit resource management: `using` and `await using`, at top level, in blocks, in for heads.
const resource = (name) => `({ [Symbol.dispose]() { log.push("dispose ${name}") } })`;
const asyncResource = (name) => `({ async [Symbol.asyncDispose]() { log.push("async dispose ${name}") } })`;

export default [
  { id: 'using/top-level', cells: ['globalThis.log = []', `using r = ${resource('r')}`, 'log'] },
  {
    id: 'using/top-level-then-read',
    cells: ['globalThis.log = []', `using r = ${resource('r')}; log.length`, 'typeof r'],
  },
  { id: 'using/await-using-top-level', cells: ['globalThis.log = []', `await using r = ${asyncResource('r')}`, 'log'] },
  { id: 'using/in-block', cells: ['globalThis.log = []', `{ using r = ${resource('b')}; log.push("body") }`, 'log'] },
  { id: 'using/in-block-value', cells: ['globalThis.log = []', `{ using r = ${resource('b')}; "inside" }`] },
  {
    id: 'using/await-using-in-block',
    cells: ['globalThis.log = []', `{ await using r = ${asyncResource('b')}; log.push("body") }`, 'log'],
  },
  {
    id: 'using/in-for-of-head',
    cells: ['globalThis.log = []', `for (using r of [${resource('1')}, ${resource('2')}]) log.push("iter")`, 'log'],
  },
  {
    id: 'using/await-using-in-for-of-head',
    cells: ['globalThis.log = []', `for (await using r of [${asyncResource('1')}]) log.push("iter")`, 'log'],
  },
  {
    id: 'using/in-function',
    cells: [
      'globalThis.log = []',
      `function useIt() { using r = ${resource('f')}; return log.length }`,
      '[useIt(), log]',
    ],
  },
  { id: 'using/null-allowed', cells: ['{ using nothing = null; "ok" }'] },
  { id: 'using/not-disposable-throws', cells: ['{ using bad = {} }'] },
  {
    id: 'using/dispose-order',
    cells: ['globalThis.log = []', `{ using a = ${resource('a')}; using b = ${resource('b')} }`, 'log'],
  },
  {
    id: 'using/error-in-body-still-disposes',
    cells: ['globalThis.log = []', `{ using r = ${resource('e')}; throw new Error("body") }`, 'log'],
  },
  { id: 'using/identifier-named-using', cells: ['let using = 5', 'using + 1'] },
  {
    id: 'using/disposable-stack',
    cells: [
      'globalThis.log = []',
      '{ using stack = new DisposableStack(); stack.defer(() => log.push("deferred")) }',
      'log',
    ],
  },
];
