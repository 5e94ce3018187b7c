/**
 * `error.stack` as each engine writes it, brought to one shape so the rest of the executor
 * (and the user) reads a single format in Chromium, Firefox and Safari.
 *
 * - V8: a `Name: message` header, then frames `    at fn (url:line:column)`.
 * - SpiderMonkey and JavaScriptCore: frames only, `fn@url:line:column` (`fn` may be empty;
 *   SpiderMonkey marks async frames `async*fn@…`, JavaScriptCore writes native frames
 *   `fn@[native code]`), and no header: the message is not in the stack at all.
 *
 * Columns are 1-based in all three (SpiderMonkey since Firefox 121), so positions need no
 * shifting here; which token a position points at is an engine matter (see README, "Other engines").
 */

/** A V8 frame line. */
const V8_FRAME = /^\s+at /;
/** A SpiderMonkey / JavaScriptCore frame with a position: everything before the last `@` is the function. */
const AT_FRAME = /^(.*)@(.+:\d+:\d+)$/;

/**
 * The stack in V8's shape: unchanged when it already is (any `    at ` frame) or has no
 * `fn@url:line:column` frame at all (an object's own stack text); otherwise the error's
 * `Name: message` header, as V8 would have written it, followed by each
 * `fn@url:line:column` frame rewritten as `    at fn (url:line:column)`. Frames without a
 * position (native code) and lines that are no frame are dropped: they carry nothing to map.
 */
export function toV8Stack(stack: string, name: string, message: string): string {
  const lines = stack.split('\n');
  if (lines.some((line) => V8_FRAME.test(line))) return stack;
  const frames: string[] = [];
  for (const line of lines) {
    const match = AT_FRAME.exec(line.trim());
    if (!match) continue;
    const fn = match[1].replace(/^async\*/, '');
    const at = fn === match[1] ? '    at ' : '    at async ';
    frames.push(fn ? `${at}${fn} (${match[2]})` : `${at}${match[2]}`);
  }
  if (frames.length === 0) return stack;
  return [message === '' ? name : `${name}: ${message}`, ...frames].join('\n');
}
