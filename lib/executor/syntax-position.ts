/**
 * Where V8 places a syntax error, from where acorn placed it. Both are right about what is
 * wrong; they point at different tokens of it (acorn at the token it could not take, V8 often
 * at the construct that makes it wrong: the `const` binding without an initialiser, the label
 * of `break nowhere`, the `/` of a bad regular expression). A cell's error should point where
 * the console points. Each rule knows one acorn message; an error no rule knows keeps acorn's
 * position.
 */

/** An acorn syntax error, as offsets into the cell's text. */
export interface AcornSyntaxError {
  message: string;
  /** Where acorn placed the error. */
  pos: number;
  /** Where acorn's tokenizer stood when it gave up (the end of the offending token or input). */
  raisedAt: number;
}

interface Rule {
  /** acorn's message, without its ` (line:column)` suffix. */
  message: RegExp;
  /** V8's offset, or undefined when the context is not the one this rule knows. */
  locate(source: string, error: AcornSyntaxError): number | undefined;
  /** V8's wording, when acorn's says less (`Unexpected token` for a const without initialiser). */
  says?: string;
}

const IDENTIFIER = String.raw`[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*`;

/** The offset where `pattern` (anchored at its end) last matches in the text before `pos`. */
function before(source: string, pos: number, pattern: RegExp): RegExpExecArray | null {
  return pattern.exec(source.slice(0, pos));
}

const RULES: Rule[] = [
  {
    // `const k` / `const k;`: V8 says "Missing initializer in const declaration", at the name.
    message: /^Unexpected token$/,
    says: 'Missing initializer in const declaration',
    locate: (source, { pos }) => {
      const match = before(source, pos, new RegExp(String.raw`\b(const\s+)${IDENTIFIER}\s*$`, 'u'));
      return match ? match.index + match[1].length : undefined;
    },
  },
  {
    // A statement `await 1` in a function that is not async: V8 points at `await`. (Elsewhere,
    // `() => await 1`, it reads `await` as a name and points at what follows, as acorn does.)
    message: /^Unexpected token$/,
    says: 'await is only valid in async functions and the top level bodies of modules',
    locate: (source, { pos }) => {
      const match = before(source, pos, /(?:^|[{};])\s*(await)\s+$/);
      return match ? match.index + match[0].lastIndexOf('await') : undefined;
    },
  },
  {
    // `() ⏎ => 1`: a line break before `=>`; V8 points at the arrow.
    message: /^Unexpected token$/,
    locate: (source, { pos }) => {
      const match = /^\)[^\S\n]*\n\s*=>/.exec(source.slice(pos));
      return match ? pos + match[0].length - 2 : undefined;
    },
  },
  {
    // `import()` without a specifier: V8 points at its `(`.
    message: /^Unexpected token$/,
    locate: (source, { pos }) => {
      const match = source[pos] === ')' ? before(source, pos, /\bimport\s*\(\s*$/) : null;
      return match ? match.index + match[0].indexOf('(') : undefined;
    },
  },
  {
    // `function f` over a `const f` of the same script: V8 points at the declaration, not its name.
    message: /^Identifier '.+' has already been declared$/,
    locate: (source, { pos }) => before(source, pos, /\b(?:async\s+)?function\s*\*?\s*$/)?.index,
  },
  {
    // `new.target` / `import.meta` where they cannot be: V8 points at the property.
    message: /^'new\.target' can only be used|^Cannot use 'import\.meta' outside a module$/,
    locate: (source, { pos }) => {
      const match = /^(?:new|import)\s*\.\s*/.exec(source.slice(pos));
      return match ? pos + match[0].length : undefined;
    },
  },
  {
    // `delete name` in strict code: V8 points at the name.
    message: /^Deleting local variable in strict mode$/,
    locate: (source, { pos }) => {
      const match = /^delete[\s(]*/.exec(source.slice(pos));
      return match ? pos + match[0].length : undefined;
    },
  },
  {
    // `break nowhere`: V8 says "Undefined label 'nowhere'", at the label.
    message: /^Unsyntactic (?:break|continue)$/,
    locate: (source, { pos }) => {
      const match = new RegExp(String.raw`^(?:break|continue)[^\S\n]+(?=${IDENTIFIER})`, 'u').exec(source.slice(pos));
      return match ? pos + match[0].length : undefined;
    },
  },
  {
    // A bad regular expression: acorn points inside it, V8 at its opening `/`.
    message: /regular expression/,
    locate: (source, { pos }) => (source[pos - 1] === '/' ? pos - 1 : undefined),
  },
  {
    // An unterminated template: V8 points where the input ends.
    message: /^Unterminated template$/,
    locate: (_source, { raisedAt }) => raisedAt,
  },
  {
    // `"\u{110000}"`: V8 points at the escape's backslash.
    message: /^Code point out of bounds$/,
    locate: (source, { pos }) => {
      const start = source.lastIndexOf('\\u{', pos);
      return start >= 0 ? start : undefined;
    },
  },
  {
    // An octal escape in a template (`\01`): V8 points past the backslash.
    message: /^Bad escape sequence in untagged template literal$/,
    locate: (source, { pos }) => (source[pos] === '\\' && /[0-9]/.test(source[pos + 1] ?? '') ? pos + 1 : undefined),
  },
  {
    // `this.#missing`: V8 points at the `.`.
    message: /^Private field '#.+' must be declared in an enclosing class$/,
    locate: (source, { pos }) => (source[pos - 1] === '.' ? pos - 1 : undefined),
  },
  {
    // `#!` anywhere but the very start: V8 points at the `#`.
    message: /^Unexpected character '!'$/,
    locate: (source, { pos }) => (source[pos - 1] === '#' ? pos - 1 : undefined),
  },
];

/** V8's offset (and wording, when acorn's says less) for an acorn syntax error in `source`. */
export function v8SyntaxPosition(source: string, error: AcornSyntaxError): { pos: number; message: string } {
  for (const rule of RULES) {
    if (!rule.message.test(error.message)) continue;
    const pos = rule.locate(source, error);
    if (pos !== undefined) return { pos, message: rule.says ?? error.message };
  }
  return { pos: error.pos, message: error.message };
}
