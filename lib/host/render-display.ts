/**
 * Renders a display bundle into the page, safely: HTML and SVG only ever go inside a
 * sandboxed iframe, never into the page's own DOM. The frame may neither run scripts nor
 * load anything: scripts are off (`sandbox` without `allow-scripts` — a script could send
 * data out just by navigating its frame, which no Content-Security-Policy prevents, and with
 * scripts off a `<meta http-equiv="refresh">` does not navigate either: both seen in
 * Chromium 156), and its CSP refuses every request (images only as `data:` URLs).
 */

import { describeValue } from '../namespace/describe-value.ts';

/** No token at all: no scripts, no same origin, no forms, no popups, no navigation of other frames. */
const IFRAME_SANDBOX = '';
const FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";

function frame(target: Element, html: string, title: string): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', IFRAME_SANDBOX);
  iframe.setAttribute('title', title);
  iframe.setAttribute('referrerpolicy', 'no-referrer');
  // COEP pages may only embed credentialless or CORP-marked frames; srcdoc frames inherit the policy.
  iframe.setAttribute('credentialless', '');
  iframe.style.border = '0';
  iframe.style.width = '100%';
  iframe.srcdoc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}"><meta name="referrer" content="no-referrer">${html}`;
  target.appendChild(iframe);
  return iframe;
}

/**
 * Renders a display bundle into `target`, choosing the richest MIME type it knows.
 * @param target element to append to.
 * @param data MIME bundle from an `OutputEvent` of type 'display'.
 */
export function renderDisplay(target: Element, data: Record<string, unknown>): void {
  if (typeof Element === 'undefined' || !(target instanceof Element))
    throw new TypeError(
      `[sandcell] renderDisplay(target, data) needs a DOM element to render into as target, got ${describeValue(target)}`,
    );
  if (typeof data !== 'object' || data === null)
    throw new TypeError(
      `[sandcell] renderDisplay(target, data) needs a MIME bundle object as data (an OutputEvent's data), got ${describeValue(data)}`,
    );
  const html = data['text/html'];
  const svg = data['image/svg+xml'];
  const png = data['image/png'];
  const jpeg = data['image/jpeg'];
  if (typeof html === 'string') {
    frame(target, html, 'cell output (HTML)');
    return;
  }
  if (typeof svg === 'string') {
    frame(target, svg, 'cell output (SVG)');
    return;
  }
  if (typeof png === 'string' || typeof jpeg === 'string') {
    const img = document.createElement('img');
    const type = typeof png === 'string' ? 'image/png' : 'image/jpeg';
    const base64 = String(typeof png === 'string' ? png : jpeg).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new TypeError(`[sandcell] ${type} display data must be base64`);
    img.src = `data:${type};base64,${base64}`;
    img.alt = typeof data['text/plain'] === 'string' ? data['text/plain'] : 'cell output image';
    target.appendChild(img);
    return;
  }
  const pre = document.createElement('pre');
  if ('application/json' in data) pre.textContent = JSON.stringify(data['application/json'], null, 2);
  else pre.textContent = typeof data['text/plain'] === 'string' ? data['text/plain'] : JSON.stringify(data);
  target.appendChild(pre);
}
