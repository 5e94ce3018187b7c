/**
 * A Python session's worker: the twin of lib/worker/entry.ts, bundled on its own (with
 * Pyodide's loader and the engine's sources) so a JavaScript session never loads a byte of it.
 * It waits for the one init message, boots Pyodide from the files the page sent, puts the
 * policy in force and serves the same RPC as a JavaScript worker on the session's port.
 *
 * Python code reaches JavaScript through `import js` (the worker's global scope), so the
 * policy's stand-ins (fetch, XMLHttpRequest, WebSocket, Worker, …) are installed on this
 * scope once Pyodide has loaded — the engine's own files came from memory, never the network.
 */
import type { WorkerMessage } from '../../protocol.ts';
import { NO_GUARD } from '../../worker/lockdown/intrinsics.ts';
import { applyPolicy } from '../../worker/lockdown/policy.ts';
import { fillSecureContextGaps } from '../../worker/lockdown/secure-context.ts';
import { exposeRuntime } from '../../worker/rpc.ts';
import {
  exposePolicyError,
  holdLifeLock,
  interceptClose,
  isInitMessage,
  startOrClose,
} from '../../worker/worker-start.ts';
import { PythonRuntime } from './runtime.ts';

const scope = self;
const closeWorker = scope.close.bind(scope);

function onInit(event: MessageEvent): void {
  if (!isInitMessage(event.data)) return;
  scope.removeEventListener('message', onInit);
  const { port, control, inputBuffer, config } = event.data;
  const postMessage = MessagePort.prototype.postMessage.bind(port) as (message: WorkerMessage) => void;
  const announceClosing = (reason: string) => postMessage({ type: 'closing', reason });
  startOrClose(
    () => {
      // `js.close()` from a cell ends the worker; the page hears of it at once (nothing else would tell it).
      interceptClose(scope, announceClosing, closeWorker);
      exposePolicyError(scope);
      const alive = holdLifeLock(scope, config.lifeLock);
      fillSecureContextGaps(scope);
      const runtime = new PythonRuntime({
        scope,
        config,
        control: control ? new Int32Array(control) : undefined,
        inputBuffer,
        post: postMessage,
        alive,
        afterBoot: () => applyPolicy(scope, config.policy),
        die: (reason) => {
          announceClosing(reason);
          closeWorker();
        },
      });
      exposeRuntime(runtime, port, postMessage, NO_GUARD, {
        afterReply: runtime.afterReply,
        onEvent: runtime.onHostEvent,
      });
    },
    announceClosing,
    closeWorker,
  );
}

scope.addEventListener('message', onInit);
