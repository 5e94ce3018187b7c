/**
 * A session's own frame: a hidden iframe with `sandbox="allow-scripts"` and no
 * `allow-same-origin`, so its origin is opaque — the browser itself then denies the worker
 * the page's IndexedDB, Cache Storage, storage buckets, file systems, cookies and Web Locks,
 * and every request it may make carries `Origin: null` and no credentials. Its
 * Content-Security-Policy, which the worker inherits, blocks every request (`sandbox`) or
 * allows plain connections only (`standard`). One frame per session: two sessions never
 * share an origin (they could reach each other through BroadcastChannel or blob: URLs).
 * Removing the frame stops its worker at once, even one spinning in a loop.
 */
import { bootSessionFrame } from '../../frame/boot.ts';
import type { FrameCommand, FrameInit, FrameReport } from '../../protocol.ts';
import type { PolicyConfig } from '../../types.ts';
import type { WorkerHost, WorkerHostOptions } from './worker-host.ts';

/**
 * How long the frame may take to load, and then to answer its init message. Its boot script
 * ran before the frame's load event, so only a script the page's own CSP blocked (a `srcdoc`
 * frame inherits it) stays silent this long — or a served frame document the browser refused
 * (Firefox fires no load event for one blocked by Cross-Origin-Resource-Policy).
 */
const BOOT_TIMEOUT_MS = 10_000;

/**
 * The frame's Content-Security-Policy, inherited by its worker: the boot script (by nonce),
 * `eval` for cells, blob: for the worker itself (and workers a cell may start: they inherit
 * this policy too), data: workers for engines that refuse the blob: one (see lib/frame/boot.ts;
 * a data: worker inherits this policy as well, and reaches no network); nothing else — no
 * fetch, fonts, images or imports — unless the policy grants the network, and then plain
 * connections only.
 */
export function frameContentSecurityPolicy(policy: PolicyConfig, nonce: string): string {
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'unsafe-eval' blob:`,
    'worker-src blob: data:',
    "base-uri 'none'",
    "form-action 'none'",
  ];
  if (policy.network) directives.push('connect-src http: https: ws: wss:');
  return directives.join('; ');
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function startFrameHost(options: WorkerHostOptions): WorkerHost {
  const nonce = randomNonce();
  const csp = frameContentSecurityPolicy(options.config.policy, nonce);
  const served = options.frameURL !== undefined;
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  // Without it an opaque-origin frame is not cross-origin isolated, and has no SharedArrayBuffer.
  frame.setAttribute('allow', 'cross-origin-isolated');
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('title', `sandcell session ${options.config.sessionId}`);
  frame.tabIndex = -1;
  frame.hidden = true;
  frame.dataset.sandcellSession = options.config.sessionId;
  if (served) {
    // The page serves the frame document (dist/sandcell-frame.html); its script applies `csp` itself.
    frame.src = options.frameURL as string;
  } else {
    frame.srcdoc =
      '<!doctype html><meta charset="utf-8">' +
      `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
      '<meta name="referrer" content="no-referrer">' +
      `<script nonce="${nonce}">(${bootSessionFrame.toString()})()</script>`;
  }

  const control = new MessageChannel();
  const commands = new MessageChannel();
  let disposed = false;
  let booted = false;
  let bootTimer: ReturnType<typeof setTimeout> | undefined;
  const fail = (message: string) => {
    if (!disposed) options.onFailure(message);
  };
  const command = (message: FrameCommand) => {
    if (!disposed) commands.port1.postMessage(message);
  };

  control.port1.onmessage = (event: MessageEvent<FrameReport>) => {
    const report = event.data;
    if (report?.type === 'booted') {
      booted = true;
      clearTimeout(bootTimer);
    } else if (report?.type === 'worker-error') {
      fail(String(report.message));
    }
  };
  const watchBoot = () => {
    clearTimeout(bootTimer);
    bootTimer = setTimeout(() => {
      if (booted) return;
      fail(
        served
          ? `the session's frame document at ${options.frameURL} did not start: is it dist/sandcell-frame.html, served with the headers the README lists (Cross-Origin-Resource-Policy: cross-origin on a cross-origin-isolated page)?`
          : "the session's frame did not start: the page's Content-Security-Policy probably blocks its inline boot script (a srcdoc frame inherits the page's policy) — serve dist/sandcell-frame.html and pass its URL as the frameURL option, or use policy 'unrestricted'",
      );
    }, BOOT_TIMEOUT_MS);
  };
  frame.addEventListener(
    'load',
    () => {
      if (disposed || !frame.contentWindow) return;
      const init: FrameInit = {
        type: 'sandcell:frame-init',
        workerSource: options.source,
        port: options.port,
        control: control.port2,
        commands: commands.port2,
        config: options.config,
        shared: options.isolated,
        csp,
      };
      // The frame's origin is opaque ('null'): no other target origin would match it.
      frame.contentWindow.postMessage(init, '*', [options.port, control.port2, commands.port2]);
      watchBoot();
    },
    { once: true },
  );
  (document.body ?? document.documentElement).appendChild(frame);
  // Until the frame loads too: a frame document the browser refused may never fire its load event.
  watchBoot();

  return {
    kind: 'frame',
    requestStop(cellId) {
      if (!options.isolated) return false;
      command({ type: 'stop', cellId });
      return true;
    },
    markDeadline(cellId) {
      if (options.isolated) command({ type: 'deadline', cellId });
    },
    answerSyncInput(ok, text) {
      command({ type: 'input-answer', ok, text });
    },
    started() {},
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(bootTimer);
      control.port1.close();
      commands.port1.close();
      // Removing the frame ends its worker within tens of ms, even a busy one
      // (`worker.terminate()` from inside the frame let it spin ~2 s in Chromium 156).
      frame.remove();
    },
  };
}
