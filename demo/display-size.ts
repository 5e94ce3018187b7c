/**
 * Sizes the iframes of HTML/SVG displays to their content. The frames run no scripts and have
 * an opaque origin (see `renderDisplay`), so nothing can be measured inside them: the page lays
 * out an inert copy instead — parsed in a <template> (nothing runs, nothing loads), stripped of
 * scripts, event handlers, frames and every URL but `data:`, in a closed shadow root off screen
 * at the frame's width — and gives the frame that height. A ResizeObserver measures again when
 * the width changes (text reflows).
 */

/** Tall output scrolls inside its frame rather than pushing the history away. */
export const MAX_FRAME_HEIGHT = 800;
const MIN_FRAME_HEIGHT = 24;
/** Matches the frame document's default `body { margin: 8px }`. */
const BODY_MARGIN = 8;

const DROP = 'script, iframe, frame, frameset, object, embed, link, meta, base, portal, noscript';
const URL_ATTRIBUTES = new Set([
  'src',
  'srcset',
  'href',
  'xlink:href',
  'poster',
  'background',
  'action',
  'formaction',
  'data',
]);

/** An inert copy of `markup` that loads nothing when laid out. */
function inertCopy(markup: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = markup;
  const fragment = template.content;
  for (const element of fragment.querySelectorAll(DROP)) element.remove();
  for (const element of fragment.querySelectorAll('*')) {
    for (const { name, value } of [...element.attributes]) {
      const lower = name.toLowerCase();
      if (lower.startsWith('on')) element.removeAttribute(name);
      else if (URL_ATTRIBUTES.has(lower) && !/^\s*data:/i.test(value)) element.removeAttribute(name);
      else if (lower === 'style') element.setAttribute(name, neuterUrls(value));
    }
    if (element.localName === 'style') element.textContent = neuterUrls(element.textContent ?? '');
  }
  return fragment;
}

/** CSS that fetches nothing: `url(…)` and `@import` no longer parse. */
function neuterUrls(css: string): string {
  return css.replace(/url\s*\(/gi, 'no-url(').replace(/@import/gi, '@no-import');
}

/** The content height of `markup` laid out at `width` CSS pixels, as the frame's document shows it. */
function measure(markup: string, width: number): number {
  const host = document.createElement('div');
  host.style.cssText = `position:absolute;left:-100000px;top:0;width:${width}px;visibility:hidden;contain:layout`;
  const root = host.attachShadow({ mode: 'closed' });
  const body = document.createElement('div');
  // A new block formatting context: margins of the content stay inside, as in a body.
  body.style.cssText = `display:flow-root;margin:${BODY_MARGIN}px;font:16px serif;color:initial;line-height:normal`;
  body.append(inertCopy(markup));
  root.append(body);
  document.body.append(host);
  try {
    return body.getBoundingClientRect().height + 2 * BODY_MARGIN;
  } finally {
    host.remove();
  }
}

/** Fits the display's iframe (if it has one) in `box` to `markup`, now and when its width changes. */
export function fitFrame(box: HTMLElement, markup: string): void {
  const frame = box.querySelector('iframe');
  if (!frame) return;
  let lastWidth = -1;
  const fit = () => {
    const width = frame.clientWidth;
    if (width === lastWidth || width === 0) return;
    lastWidth = width;
    const height = Math.ceil(measure(markup, width));
    frame.style.height = `${Math.min(Math.max(height, MIN_FRAME_HEIGHT), MAX_FRAME_HEIGHT)}px`;
    frame.dataset.fitted = String(height);
  };
  // The new height is set in the next frame, not in the observer's callback: resizing the
  // observed frame there is a resize loop, which browsers report as an error event on the page
  // ("ResizeObserver loop completed with undelivered notifications").
  new ResizeObserver(() => requestAnimationFrame(fit)).observe(frame);
}

/** The markup a bundle shows in a frame, if any (what `renderDisplay` frames). */
export function framedMarkup(data: Record<string, unknown>): string | undefined {
  const html = data['text/html'];
  if (typeof html === 'string') return html;
  const svg = data['image/svg+xml'];
  return typeof svg === 'string' ? svg : undefined;
}
