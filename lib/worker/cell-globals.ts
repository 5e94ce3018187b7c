/**
 * The globals a session gives its cells, installed once as the worker starts: the captured
 * console, timers that belong to cells, `display`, `input`/`prompt`, `host`, function source
 * text, and background errors (a timer callback's throw, an unhandled rejection) on stderr.
 */
import { type CompiledText, FunctionSources } from '../executor/function-source.ts';
import { type InterruptGate, isInterrupt } from '../executor/interrupt.ts';
import type { Namespace } from '../namespace/namespace.ts';
import { ReflectApply, StringPrototypeIndexOf } from '../primordials.ts';
import type { RuntimeConfig } from '../protocol.ts';
import type { CellTimers } from './io/cell-timers.ts';
import { createConsole } from './io/console-capture.ts';
import { createDisplay } from './io/display.ts';
import type { HostCalls } from './io/host-calls.ts';
import { createInput } from './io/input.ts';
import type { OutputChannel } from './io/output.ts';
import { engineGuard } from './lockdown/intrinsics.ts';

const nativeToString = Function.prototype.toString;

export interface CellGlobalsDeps {
  scope: typeof globalThis;
  namespace: Namespace;
  output: OutputChannel;
  timers: CellTimers;
  gate: InterruptGate;
  hostCalls: HostCalls;
  config: RuntimeConfig;
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  /** The text of every compiled cell (where function sources are looked up). */
  compiledTexts: () => Iterable<CompiledText>;
  /** Puts an error no cell can catch any more on stderr. */
  reportBackgroundError: (error: unknown, prefix?: string) => void;
}

export function installCellGlobals(deps: CellGlobalsDeps): void {
  const { scope, namespace, output } = deps;
  installFunctionSource(deps.compiledTexts);
  const target = scope.console as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(createConsole(output))) target[name] = method;
  deps.timers.install(scope);
  namespace.protect('display', createDisplay(output));
  const input = createInput({
    control: deps.control,
    inputBuffer: deps.inputBuffer,
    hasInput: deps.config.hasInput,
    gate: deps.gate,
    hostCalls: deps.hostCalls,
    flushOutput: () => output.flush(),
  });
  namespace.protect('input', input);
  namespace.protect('prompt', input);
  namespace.protect('host', deps.hostCalls.host);
  // Errors thrown by timer callbacks or unhandled rejections belong on stderr, not to the page.
  scope.addEventListener('error', (event) =>
    engineGuard().engine(() => {
      event.preventDefault();
      deps.reportBackgroundError(event.error ?? event.message);
    }),
  );
  scope.addEventListener('unhandledrejection', (event) =>
    engineGuard().engine(() => {
      event.preventDefault();
      if (isInterrupt(event.reason)) return;
      deps.reportBackgroundError(event.reason, 'Uncaught (in promise)');
    }),
  );
}

/**
 * `Function.prototype.toString` gives the user's source for functions cells made (see
 * function-source.ts). Installed after the intrinsics guard recorded the original, so the
 * guard treats it like a user patch: user code sees it, the engine runs on the native one.
 */
function installFunctionSource(compiledTexts: () => Iterable<CompiledText>): void {
  const sources = new FunctionSources(compiledTexts);
  const lookup = engineGuard().wrapEngine((text: string) => sources.sourceOf(text));
  const userToString = {
    toString(this: unknown): string {
      const text = ReflectApply(nativeToString, this, []) as string;
      if (this === userToString) return 'function toString() { [native code] }';
      return StringPrototypeIndexOf(text, '__sc$') !== -1 ? lookup(text) : text;
    },
  }.toString;
  Object.defineProperty(Function.prototype, 'toString', {
    value: userToString,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
