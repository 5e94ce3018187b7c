/**
 * The rendering both sides of the differential test can produce, and the comparison of one
 * cell's two outcomes. Pure: runs in Node (the runner, unit tests), in the differential page, and
 * — `captureIntrinsics` and `makeRenderers`, which are self-contained — inside the console's
 * worker, where they are sent as source text.
 *
 * A cell's outcome, normalized:
 *   { status: 'ok', value: string }
 *   { status: 'error', name: string, message?: string, line?: number, column?: number }
 *   { status: 'rejected' | 'timeout' | 'interrupted', message: string }   (execute() rejected, or a cell hung)
 *
 * Values. The console gives a live RemoteObject; sandcell gives `value` (a structured clone,
 * absent when the value cannot be cloned) and `repr` (object-inspect's text). The rendering
 * uses only what both can tell:
 *   - primitives exactly: `undefined`, `null`, `true`, `1`, `-0`, `NaN`, `1n`, `"text"` (JSON), `Symbol(desc)`.
 *     A cell with no value (sandcell: no `repr`) renders `undefined`, as the console shows it.
 *   - functions and classes: `function <name>` (`(anonymous)` when the name is empty). object-inspect
 *     prints classes as functions, so the two are not told apart.
 *   - objects: the structured clone rendered by `renderClone` (arrays, plain objects, Map, Set, Date,
 *     RegExp, Error, typed arrays, boxed primitives, cycles; depth 6; keys as JSON strings), prefixed
 *     at the top level by the constructor's name for plain objects (`Object {"a": 1}`, `C {"x": 1}`,
 *     `null-prototype {}`): the console side reads it off the live object, the sandcell side off the
 *     front of `repr`, since the clone lost it. On the console side the clone is made inside the
 *     worker with `structuredClone`, exactly the copy sandcell sends.
 *   - objects that cannot be cloned (they hold functions, promises…): `uncloneable <constructor name>`;
 *     the global object itself: `globalThis` (object-inspect names it so).
 *
 * Errors. The name is the thrown Error's `name`; a thrown non-Error is `throw <kind>` (`throw a number`,
 * `throw object`, `throw array`, `throw null`, …), read from sandcell's `Uncaught` error by `thrownKind`. Messages are
 * compared except for SyntaxError (acorn's and V8's wordings differ and neither is wrong). Line and
 * column are 1-based: the console's are the error's first stack frame with a position (the Error's
 * creation site, as the console prints it), or exceptionDetails' own (0-based) for a SyntaxError of
 * the cell itself, which has no stack. A thrown primitive has no position on either side, and a stack
 * overflow's position is not compared (see `hasComparablePosition`).
 */

/**
 * Self-contained (sent as source into the console's worker, where it runs before any cell): the
 * built-ins the renderers use, taken while nobody has patched or shadowed them yet. A cell's
 * `let Map = 1`, `Array.prototype.push = null` or `JSON.stringify = …` must not change a rendering.
 */
export function captureIntrinsics() {
  const { apply } = Reflect;
  return {
    apply,
    isArray: Array.isArray,
    keys: Object.keys,
    is: Object.is,
    isNaN: Number.isNaN,
    getPrototypeOf: Object.getPrototypeOf,
    stringify: JSON.stringify,
    clone: globalThis.structuredClone,
    objectToString: Object.prototype.toString,
    stringSlice: String.prototype.slice,
    Map,
    Set,
    Date,
    RegExp,
    Error,
    ArrayBuffer,
    DataView,
    isView: ArrayBuffer.isView,
    mapForEach: Map.prototype.forEach,
    setForEach: Set.prototype.forEach,
    dateGetTime: Date.prototype.getTime,
    dateToISOString: Date.prototype.toISOString,
    regExpToString: RegExp.prototype.toString,
    symbolToString: Symbol.prototype.toString,
    valueOf: {
      Number: Number.prototype.valueOf,
      String: String.prototype.valueOf,
      Boolean: Boolean.prototype.valueOf,
      BigInt: BigInt.prototype.valueOf,
    },
  };
}

/**
 * Self-contained (also sent into the console's worker). The renderers, over intrinsics from
 * `captureIntrinsics` and the global object of the realm they render for:
 *   - `clone(value, topName?)`: the rendering of a structured clone (see the module comment);
 *     `topName` prefixes a top-level plain object;
 *   - `live(value)`: a live value rendered as sandcell's clone + repr would be (console side);
 *   - `thrown(value)`: what sandcell's `describeError` would say a thrown value is (its rule for
 *     "an Error": instanceof Error, or an object with string `stack` and `message`).
 * @param {ReturnType<typeof captureIntrinsics>} x
 * @param {unknown} globalObject
 */
export function makeRenderers(x, globalObject) {
  const MAX_DEPTH = 6;
  const call = (fn, self, ...args) => x.apply(fn, self, args);
  const functionName = (fn) => {
    try {
      const { name } = fn;
      if (typeof name === 'string' && name) return name;
    } catch {}
    return '(anonymous)';
  };
  const tagOf = (v) => call(x.stringSlice, call(x.objectToString, v), 8, -1);
  const primitive = (v) => {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return x.stringify(v);
      case 'number':
        return x.is(v, -0) ? '-0' : `${v}`;
      case 'bigint':
        return `${v}n`;
      case 'symbol':
        return call(x.symbolToString, v);
      case 'function':
        return `function ${functionName(v)}`;
      default:
        return `${v}`;
    }
  };
  const list = (items) => {
    let out = '';
    for (let i = 0; i < items.length; i++) out += (i > 0 ? ', ' : '') + items[i];
    return out;
  };
  const seen = [];
  const render = (v, depth) => {
    if (v === null || typeof v !== 'object') return primitive(v);
    for (let i = 0; i < seen.length; i++) if (seen[i] === v) return '[Circular]';
    if (depth > MAX_DEPTH) return '…';
    seen[seen.length] = v;
    try {
      const tag = tagOf(v);
      const items = [];
      if (x.isArray(v)) {
        for (let i = 0; i < v.length; i++) items[i] = i in v ? render(v[i], depth + 1) : '<hole>';
        return `[${list(items)}]`;
      }
      if (v instanceof x.Map) {
        call(x.mapForEach, v, (value, key) => {
          items[items.length] = `${render(key, depth + 1)} => ${render(value, depth + 1)}`;
        });
        return `Map{${list(items)}}`;
      }
      if (v instanceof x.Set) {
        call(x.setForEach, v, (value) => {
          items[items.length] = render(value, depth + 1);
        });
        return `Set{${list(items)}}`;
      }
      if (v instanceof x.Date) {
        const time = call(x.dateGetTime, v);
        return `Date(${x.isNaN(time) ? 'Invalid' : call(x.dateToISOString, v)})`;
      }
      if (v instanceof x.RegExp) return call(x.regExpToString, v);
      if (v instanceof x.Error) return `${v.name}(${x.stringify(`${v.message}`)})`;
      if (v instanceof x.ArrayBuffer) return `ArrayBuffer(${v.byteLength})`;
      if (x.isView(v)) {
        if (v instanceof x.DataView) return `DataView(${v.byteLength})`;
        for (let i = 0; i < v.length; i++) items[i] = primitive(v[i]);
        return `${tag}[${list(items)}]`;
      }
      if (x.valueOf[tag]) return `${tag}(${primitive(call(x.valueOf[tag], v))})`;
      if (tag !== 'Object') return tag;
      const keys = x.keys(v);
      for (let i = 0; i < keys.length; i++) items[i] = `${x.stringify(keys[i])}: ${render(v[keys[i]], depth + 1)}`;
      return depth === 0 && topNameNow ? `${topNameNow} {${list(items)}}` : `{${list(items)}}`;
    } finally {
      seen.length--;
    }
  };
  let topNameNow;
  const clone = (value, topName) => {
    topNameNow = topName;
    return render(value, 0);
  };
  const live = (value) => {
    if (value === globalObject) return 'globalThis';
    if (typeof value === 'function') return `function ${functionName(value)}`;
    if (value === null || typeof value !== 'object') return clone(value);
    let ctor = 'Object';
    try {
      const proto = x.getPrototypeOf(value);
      if (proto === null) ctor = 'null-prototype';
      else if (typeof proto.constructor === 'function') ctor = functionName(proto.constructor);
    } catch {}
    let copy;
    try {
      // Called unbound: structuredClone throws "Illegal invocation" on any other `this`.
      const structuredCopy = x.clone;
      copy = structuredCopy(value);
    } catch {
      return `uncloneable ${ctor}`;
    }
    return clone(copy, ctor);
  };
  const thrown = (value) => {
    try {
      if (
        value instanceof x.Error ||
        (typeof value === 'object' &&
          value !== null &&
          typeof value.stack === 'string' &&
          typeof value.message === 'string')
      )
        return { name: `${value.name ?? 'Error'}`, message: `${value.message ?? ''}` };
    } catch {}
    const kind = value === null ? 'null' : x.isArray(value) ? 'array' : typeof value;
    return { name: `throw ${kind}` };
  };
  return { clone, live, thrown };
}

const renderers = makeRenderers(captureIntrinsics(), globalThis);

/**
 * The rendering of a structured-clone-able value (see the module comment).
 * @param {unknown} value a clone (or a primitive)
 * @param {string} [topName] constructor name to prefix a top-level plain object with
 */
export const renderClone = (value, topName) => renderers.clone(value, topName);

/**
 * The constructor name object-inspect shows at the front of `repr` (`C { a: 1 }` → `C`).
 * @param {string} repr
 */
export function constructorFromRepr(repr) {
  if (repr === '{ [object globalThis] }') return 'globalThis';
  if (repr.startsWith('[Object: null prototype]')) return 'null-prototype';
  if (/^\{/.test(repr)) return 'Object';
  if (/^\[/.test(repr)) return 'Array';
  const named = /^([A-Za-z_$][\w$]*)(?: \[[^\]]*\])?(?: \(\d+\))? \{/.exec(repr);
  return named ? named[1] : 'Object';
}

/**
 * The rendering of sandcell's result value (from `value` when it was cloned, else from `repr`).
 * @param {{ value?: unknown; repr?: string }} result
 * @param {boolean} hasValue whether the result carried a `value` key
 */
export function renderSandcellValue(result, hasValue) {
  const { repr } = result;
  if (repr === undefined) return 'undefined';
  if (hasValue) {
    const v = result.value;
    if (v === null || typeof v !== 'object') return renderClone(v);
    const plain = Object.prototype.toString.call(v) === '[object Object]';
    return renderClone(v, plain ? constructorFromRepr(repr) : undefined);
  }
  const fn = /^\[Function(?:: (.*?)| \(anonymous\))\]/.exec(repr);
  if (fn) return `function ${fn[1] || '(anonymous)'}`;
  if (/^Symbol\(.*\)$/s.test(repr)) return repr;
  const ctor = constructorFromRepr(repr);
  return ctor === 'globalThis' ? ctor : `uncloneable ${ctor}`;
}

const PRIMITIVE_KINDS = ['null', 'undefined', 'number', 'string', 'boolean', 'symbol', 'bigint', 'function'];

/**
 * The kind of a thrown non-Error from sandcell's `Uncaught` message ("… (the cell threw a number,
 * not an Error)"): `null`, `undefined`, a typeof name, `array`, or `object` for any object (sandcell
 * may name its class). `unknown` when the message does not say.
 * @param {string} message
 */
export function thrownKind(message) {
  const said = /the cell threw (.+?), not an Error\)$/s.exec(message);
  if (!said) return 'unknown';
  const noun = said[1].replace(/^an? /, '');
  if (noun === 'class') return 'function';
  if (noun === 'array') return 'array';
  return PRIMITIVE_KINDS.includes(noun) ? noun : 'object';
}

/**
 * Sandcell's error, normalized.
 * @param {{ name: string; message: string; line?: number; column?: number }} error
 */
export function normalizeSandcellError(error) {
  const out = { status: 'error', name: error.name };
  if (error.name === 'Uncaught') out.name = `throw ${thrownKind(error.message)}`;
  else if (error.name !== 'SyntaxError') out.message = error.message;
  if (error.line !== undefined && hasComparablePosition(error)) {
    out.line = error.line;
    out.column = error.column;
  }
  return out;
}

/**
 * The rendering of a console RemoteObject that carries no objectId (a primitive).
 * @param {{ type: string; subtype?: string; value?: unknown; unserializableValue?: string; description?: string }} remote
 */
export function renderRemotePrimitive(remote) {
  if (remote.type === 'undefined') return 'undefined';
  if (remote.subtype === 'null') return 'null';
  if (remote.unserializableValue !== undefined) return remote.unserializableValue;
  if (remote.type === 'string') return JSON.stringify(remote.value);
  return String(remote.value);
}

/**
 * The 1-based position of a console exception: the first stack frame with a position (the thrown
 * Error's creation site, as the console prints it). A SyntaxError of the cell itself has no stack;
 * its position is exceptionDetails' own (0-based). Anything else without frames (a thrown primitive,
 * an error made by a builtin in a microtask) has no position: V8 then says 0:0 for any cell.
 * @param {{ lineNumber: number; columnNumber: number; stackTrace?: { callFrames: Array<{ lineNumber: number; columnNumber: number }> } }} details
 * @param {string} name the normalized error name
 * @returns {{ line?: number; column?: number }}
 */
export function consolePosition(details, name) {
  const frames = details.stackTrace?.callFrames ?? [];
  const frame = frames.find((f) => f.lineNumber >= 0 && f.columnNumber >= 0);
  if (frame) return { line: frame.lineNumber + 1, column: frame.columnNumber + 1 };
  if (details.stackTrace || name !== 'SyntaxError') return {};
  return { line: details.lineNumber + 1, column: details.columnNumber + 1 };
}

/**
 * Whether an error's position is compared. A stack overflow's is not: it is wherever the stack
 * happened to run out, which depends on frame sizes (V8 itself reports 0:0 frames for it).
 * @param {{ name?: string; message?: string }} error
 */
export function hasComparablePosition(error) {
  // Where a stack runs out (V8's, or acorn's while sandcell parses) depends on the stack's size.
  return !(error.name === 'RangeError' && /Maximum call stack size exceeded/.test(error.message ?? ''));
}

const ASPECTS = ['status', 'value', 'name', 'message', 'line', 'column'];

/**
 * Which aspects of two normalized outcomes differ (empty when they agree).
 * @param {Record<string, unknown>} expected
 * @param {Record<string, unknown>} actual
 * @returns {string[]}
 */
export function differences(expected, actual) {
  if (expected.status !== actual.status) return ['status'];
  return ASPECTS.filter((aspect) => expected[aspect] !== actual[aspect]);
}

const AsyncFunction = (async () => {}).constructor;

/** @param {string} body */
function parsesAsAsyncBody(body) {
  try {
    new AsyncFunction(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the DevTools console sends for what the user typed. Its front end evaluates an input that
 * looks like an object literal as one: the input is `{`, a body, `}`, then only blank space and
 * `;`s, where the body (without the blank space around it) is on one line; the body's braces never
 * close more than they opened; and both `return {body};` and `({body})` parse. Then `({body})` is
 * sent instead. A body spread over several lines is left alone (V8 then reads a block).
 * @param {string} code
 * @returns {string}
 */
export function consoleExpression(code) {
  const match = /^\s*\{\s*(.*)\s*\}[\s;]*$/.exec(code);
  if (!match) return code;
  const body = match[1];
  let depth = 0;
  for (const c of body) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return code;
  }
  if (!parsesAsAsyncBody(`return {${body}};`) || !parsesAsAsyncBody(`({${body}})`)) return code;
  return `({${body}})`;
}
