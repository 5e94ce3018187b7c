/** renderDisplay keeps cell HTML and SVG out of the page: a sandboxed iframe, no allow-same-origin. */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { renderDisplay } from '../../lib/index';

const targets: Element[] = [];
function target(): HTMLDivElement {
  const div = document.createElement('div');
  document.body.appendChild(div);
  targets.push(div);
  return div;
}
afterEach(() => {
  for (const t of targets.splice(0)) t.remove();
  delete document.body.dataset.pwned;
});

function loaded(iframe: HTMLIFrameElement): Promise<void> {
  return new Promise((resolve) => iframe.addEventListener('load', () => resolve(), { once: true }));
}

describe('renderDisplay', () => {
  it('puts HTML in a sandboxed iframe without allow-same-origin, never in the page DOM', async () => {
    const div = target();
    renderDisplay(div, {
      'text/html':
        '<b id="cell-html">hi</b><script>try { parent.document.body.dataset.pwned = "1" } catch (e) {}</script>',
      'text/plain': 'hi',
    });
    const iframe = div.querySelector('iframe');
    expect(iframe).not.toBeNull();
    if (!iframe) return;
    const sandbox = iframe.getAttribute('sandbox') ?? '';
    expect(iframe.hasAttribute('sandbox')).toBe(true);
    expect(sandbox.split(/\s+/)).not.toContain('allow-same-origin');
    expect(iframe.sandbox.contains('allow-same-origin')).toBe(false);
    expect(div.children.length).toBe(1);
    expect(document.getElementById('cell-html')).toBeNull();
    await loaded(iframe);
    // An opaque origin: the page cannot read the frame's document, and the frame's script could not reach the page.
    expect(iframe.contentDocument).toBeNull();
    expect(document.body.dataset.pwned).toBeUndefined();
  });

  it('puts SVG in a sandboxed iframe too', () => {
    const div = target();
    renderDisplay(div, {
      'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg" id="cell-svg"><script>parent.x=1</script></svg>',
    });
    const iframe = div.querySelector('iframe');
    expect(iframe?.sandbox.contains('allow-same-origin')).toBe(false);
    expect(div.querySelector('svg')).toBeNull();
    expect(document.getElementById('cell-svg')).toBeNull();
  });

  it('shows image/png as an img with a data URL, and refuses what is not base64', () => {
    const div = target();
    renderDisplay(div, { 'image/png': 'iVBORw0KGgo=', 'text/plain': 'a dot' });
    const img = div.querySelector('img');
    expect(img?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(img?.alt).toBe('a dot');
    expect(() => renderDisplay(div, { 'image/png': '"><script>' })).toThrow(/base64/);
  });

  it('shows application/json and text/plain as text, never as markup', () => {
    const div = target();
    renderDisplay(div, { 'application/json': { a: '<b>x</b>' } });
    renderDisplay(div, { 'text/plain': '<i>not italic</i>' });
    const [json, plain] = div.querySelectorAll('pre');
    expect(JSON.parse(json.textContent ?? '')).toEqual({ a: '<b>x</b>' });
    expect(plain.textContent).toBe('<i>not italic</i>');
    expect(div.querySelector('b, i')).toBeNull();
  });

  it('throws a TypeError for something that is not a bundle', () => {
    expect(() => renderDisplay(target(), null as unknown as Record<string, unknown>)).toThrow(/\[sandcell\]/);
  });

  it('sends nothing out and navigates nowhere: scripts, meta refresh, SVG scripts, images, styles, fonts', async () => {
    const base = `${inject('loopback')}/t/display-${crypto.randomUUID().replaceAll('-', '')}`;
    const attempts = [
      `<script>location.href = '${base}/script-navigation'</script>`,
      `<script>fetch('${base}/script-fetch'); new Image().src = '${base}/script-image'</script>`,
      `<meta http-equiv="refresh" content="0;url=${base}/meta-refresh">`,
      `<svg xmlns="http://www.w3.org/2000/svg"><script>location.href = '${base}/svg-script'</script><image href="${base}/svg-image"/></svg>`,
      `<img src="${base}/img"><link rel="stylesheet" href="${base}/css"><style>@font-face { font-family: f; src: url(${base}/font) } body { font-family: f; background: url(${base}/bg) }</style>x`,
      `<a id="a" href="${base}/link" ping="${base}/ping">x</a><form action="${base}/form"><button>x</button></form><script>document.forms[0].submit()</script>`,
    ];
    const div = target();
    for (const html of attempts) renderDisplay(div, { 'text/html': html });
    renderDisplay(div, {
      'image/svg+xml': `<svg xmlns="http://www.w3.org/2000/svg" onload="location.href='${base}/onload'"/>`,
    });
    const frames = [...div.querySelectorAll('iframe')];
    await Promise.all(frames.map(loaded));
    // Every frame has loaded; a navigation it started would reach the server before a later round trip does.
    await fetch(`${inject('loopback')}/count/settle`);
    const response = await fetch(`${inject('loopback')}/count/${base.split('/t/')[1]}`);
    expect(await response.json()).toEqual([]);
    for (const frame of frames) expect(frame.getAttribute('sandbox')).toBe('');
  });
});
