// The peer: QuickJS compiled to WebAssembly (quickjs-emscripten), in a worker of its own as
// a sandcell session is. `?cold` makes the worker run its first eval as soon as it loads,
// for the startup figure; otherwise it waits for commands.

import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';

const cold = new URL(self.location.href).searchParams.has('cold');
const QuickJS = await newQuickJSWASMModuleFromVariant(variant);

function firstEval() {
  const runtime = QuickJS.newRuntime();
  const context = runtime.newContext();
  const value = context.getNumber(context.unwrapResult(context.evalCode('1')));
  context.dispose();
  runtime.dispose();
  return value;
}

if (cold) {
  self.postMessage({ type: 'first', value: firstEval() });
} else {
  const runtime = QuickJS.newRuntime();
  const context = runtime.newContext();
  self.onmessage = (event) => {
    const m = event.data;
    if (m.type === 'startup') {
      const t0 = performance.now();
      firstEval();
      self.postMessage({ type: 'startup', ms: performance.now() - t0 });
    } else if (m.type === 'loop') {
      runtime.removeInterruptHandler();
      const t0 = performance.now();
      const handle = context.unwrapResult(context.evalCode(m.code));
      const ms = performance.now() - t0;
      handle.dispose();
      self.postMessage({ type: 'loop', ms });
    } else if (m.type === 'spin') {
      // QuickJS's own interrupt path: a handler it calls every so often during execution.
      const flag = new Int32Array(m.flag);
      runtime.setInterruptHandler(() => Atomics.load(flag, 0) !== 0);
      const result = context.evalCode('while (true) {}');
      const interrupted = result.error !== undefined;
      (result.error ?? result.value).dispose();
      self.postMessage({ type: 'stopped', interrupted });
    }
  };
  self.postMessage({ type: 'ready' });
}
