/**
 * Worker entry: waits for the one init message, saves what the engine needs before the
 * policy runs, builds the runtime and exposes it on the private port. After this,
 * `self.postMessage`/`self.onmessage` carry nothing the engine listens to.
 */
import * as Comlink from 'comlink';
import type { InitMessage, WorkerEvent } from '../protocol';
import { applyPolicy, PolicyError } from './policy';
import { SessionRuntime } from './runtime';

const scope = self as unknown as typeof globalThis;

function isInit(data: unknown): data is InitMessage {
  const m = data as InitMessage | undefined;
  return !!m && m.type === 'sandcell:init' && m.rpcPort instanceof MessagePort && m.eventPort instanceof MessagePort && typeof m.config === 'object';
}

function onInit(event: MessageEvent): void {
  if (!isInit(event.data)) return;
  scope.removeEventListener('message', onInit);
  const { rpcPort, eventPort, control, inputBuffer, config } = event.data;
  // Own, bound copies: a cell that patches MessagePort.prototype cannot touch the engine's channel.
  const post = MessagePort.prototype.postMessage.bind(eventPort) as (message: WorkerEvent) => void;
  const indexedDB = scope.indexedDB;
  const listeners: Array<(message: unknown) => void> = [];
  eventPort.addEventListener('message', (e: MessageEvent) => {
    for (const listener of listeners) listener(e.data);
  });
  eventPort.start();
  Object.defineProperty(scope, 'PolicyError', { value: PolicyError, writable: false, configurable: false, enumerable: false });
  const runtime = new SessionRuntime({
    scope,
    config,
    control: control ? new Int32Array(control) : undefined,
    inputBuffer,
    post,
    onHostEvent: (listener) => listeners.push(listener),
    indexedDB,
  });
  applyPolicy(scope, config.policy);
  rpcPort.postMessage = MessagePort.prototype.postMessage.bind(rpcPort);
  Comlink.expose(runtime, rpcPort);
}

scope.addEventListener('message', onInit);
