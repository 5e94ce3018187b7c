// Classes across cells.
export default [
  {
    id: 'classes/instance-across-cells',
    cells: ['class P { constructor(x) { this.x = x } }', 'const p = new P(3)', 'p.x'],
  },
  { id: 'classes/instance-value', cells: ['class P { constructor() { this.a = 1 } }', 'new P()'] },
  {
    id: 'classes/extends-across-cells',
    cells: [
      'class A { hi() { return "A" } }',
      'class B extends A { hi() { return super.hi() + "B" } }',
      'new B().hi()',
    ],
  },
  {
    id: 'classes/static-members',
    cells: ['class S { static count = 2; static twice() { return S.count * 2 } }', 'S.twice()'],
  },
  { id: 'classes/private-fields', cells: ['class Secret { #v = 42; get() { return this.#v } }', 'new Secret().get()'] },
  { id: 'classes/private-field-access-outside', cells: ['class Secret { #v = 1 }', 'new Secret().#v'] },
  {
    id: 'classes/private-in',
    cells: ['class Brand { #b; static is(o) { return #b in o } }', '[Brand.is(new Brand()), Brand.is({})]'],
  },
  { id: 'classes/getter', cells: ['class G { get answer() { return 42 } }', 'new G().answer'] },
  {
    id: 'classes/instanceof-after-redeclare',
    cells: ['class R {}', 'const old = new R()', 'class R {}', 'old instanceof R'],
  },
  { id: 'classes/call-without-new', cells: ['class N {}', 'N()'] },
  { id: 'classes/class-name', cells: ['class Named {}', 'Named.name'] },
  { id: 'classes/typeof-class', cells: ['class T {}', 'typeof T'] },
  { id: 'classes/class-value', cells: ['class V {}', 'V'] },
  { id: 'classes/class-expression-const', cells: ['const CE = class {}', 'CE.name'] },
  { id: 'classes/static-block', cells: ['class SB { static v; static { SB.v = "init" } }', 'SB.v'] },
  {
    id: 'classes/extends-builtin',
    cells: [
      'class MyArr extends Array { sum() { return this.reduce((a, b) => a + b, 0) } }',
      'MyArr.from([1, 2, 3]).sum()',
    ],
  },
  {
    id: 'classes/extends-error',
    cells: [
      'class AppError extends Error { constructor(m) { super(m); this.name = "AppError" } }',
      'throw new AppError("bad")',
    ],
  },
  { id: 'classes/extends-null-proto', cells: ['class NP extends null {}', 'Object.getPrototypeOf(NP.prototype)'] },
  {
    id: 'classes/accessor-static-private',
    cells: ['class C { static #n = 0; static next() { return ++C.#n } }', 'C.next(); C.next()'],
  },
  { id: 'classes/class-fields-this', cells: ['class F { a = 1; b = this.a + 1 }', 'new F().b'] },
  { id: 'classes/method-not-enumerable', cells: ['class M { m() {} }', 'Object.keys(new M())'] },
  { id: 'classes/class-in-block-not-persisted', cells: ['{ class Hidden {} }', 'typeof Hidden'] },
  {
    id: 'classes/redeclare-class-changes-instances',
    cells: ['class Pt { constructor() { this.v = 1 } }', 'class Pt { constructor() { this.v = 2 } }', 'new Pt().v'],
  },
  {
    id: 'classes/class-refers-to-itself',
    cells: ['class Node2 { static make() { return new Node2() } }', 'Node2.make() instanceof Node2'],
  },
  {
    id: 'classes/super-property',
    cells: [
      'const base = { greet() { return "base" } }',
      'const derived = { __proto__: base, greet() { return super.greet() + "+" } }',
      'derived.greet()',
    ],
  },
  {
    id: 'classes/symbol-iterator',
    cells: ['class Range { *[Symbol.iterator]() { yield 1; yield 2 } }', '[...new Range()]'],
  },
  {
    id: 'classes/toString-tag',
    cells: ['class Tagged { get [Symbol.toStringTag]() { return "TG" } }', 'String(new Tagged())'],
  },
  {
    id: 'classes/instance-with-nested',
    cells: ['class Box { constructor() { this.items = [1, {k: "v"}] } }', 'new Box()'],
  },
];
