/**
 * Values as expandable trees (objects, arrays, Maps, Sets, class instances as their data).
 * Nothing below a node is built until it is opened, and a node's value is only asked for
 * (`load`, e.g. `session.namespace.get(name)`) when it is first opened; wide levels show
 * 100 children at a time.
 */
import { h } from './dom.ts';

const PAGE = 100;

type Load = () => unknown;

/** A short one-line rendering, as a console shows a collapsed value. */
export function summary(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Set) return `Set(${value.size})`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength})`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  const keys = Object.keys(value);
  return `${name && name !== 'Object' ? `${name} ` : ''}{${keys.length > 0 ? '…' : ''}}`;
}

/** Whether a value has children to show. */
export function expandable(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Date || value instanceof RegExp) return false;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0 || value instanceof Error;
}

/** The children of a value: [label, value] pairs, in the order a console lists them. */
function children(value: object): Array<[string, unknown]> {
  if (value instanceof Map) return [...value].map(([key, item]) => [`${summary(key)} =>`, item]);
  if (value instanceof Set) return [...value].map((item, index) => [String(index), item]);
  if (value instanceof Error)
    return [
      ['name', value.name],
      ['message', value.message],
      ['stack', value.stack],
    ];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<unknown>, (item, index) => [String(index), item]);
  }
  return Object.entries(value);
}

/**
 * A tree node.
 * @param label the name it has in its parent (or the variable's name)
 * @param text what the closed node shows
 * @param load gives the value when the node is first opened (may be async)
 */
export function treeNode(label: string, text: string, load: Load, open = false): HTMLElement {
  const toggle = h('button', {
    class: 'tree-toggle',
    'data-testid': 'tree-toggle',
    'aria-expanded': 'false',
    'aria-label': `expand ${label}`,
    text: '▸',
  });
  const body = h('div', { class: 'tree-children', role: 'group', hidden: true });
  const node = h(
    'div',
    { class: 'tree-node', 'data-testid': 'tree-node', 'data-label': label },
    h(
      'div',
      { class: 'tree-line' },
      toggle,
      h('span', { class: 'tree-key', text: label }),
      h('span', { class: 'tree-summary', text }),
    ),
    body,
  );
  let built = false;
  const setOpen = async (next: boolean) => {
    toggle.setAttribute('aria-expanded', String(next));
    toggle.textContent = next ? '▾' : '▸';
    body.hidden = !next;
    if (!next || built) return;
    built = true;
    body.replaceChildren(h('div', { class: 'tree-leaf muted', text: 'loading…' }));
    try {
      const value = await load();
      fill(body, value);
    } catch (error) {
      body.replaceChildren(
        h('div', {
          class: 'tree-leaf error',
          'data-testid': 'tree-error',
          text: `could not fetch the value: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    }
  };
  toggle.addEventListener('click', () => void setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  if (open) void setOpen(true);
  return node;
}

function leaf(label: string, value: unknown): HTMLElement {
  return h(
    'div',
    { class: 'tree-leaf', 'data-testid': 'tree-leaf', 'data-label': label },
    h('span', { class: 'tree-key', text: label }),
    h('span', { class: `tree-value ${value === null ? 'null' : typeof value}`, text: summary(value) }),
  );
}

/**
 * An expand button and the children of a value under it, for a row that already shows the
 * value's summary (a variable, a cell's result): `load` runs on the first expand.
 */
export function expander(label: string, load: Load): { button: HTMLButtonElement; body: HTMLElement } {
  const node = treeNode(label, '', load);
  const button = node.querySelector<HTMLButtonElement>('.tree-toggle');
  const body = node.querySelector<HTMLElement>('.tree-children');
  if (!button || !body) throw new Error('[sandcell] tree node without its parts');
  return { button, body };
}

/** Puts `value`'s children into `body`, 100 at a time. */
function fill(body: HTMLElement, value: unknown): void {
  if (value === null || typeof value !== 'object') {
    body.replaceChildren(leaf('value', value));
    return;
  }
  const items = children(value);
  body.replaceChildren();
  const showFrom = (start: number) => {
    for (const [label, item] of items.slice(start, start + PAGE)) {
      body.append(expandable(item) ? treeNode(label, summary(item), () => item) : leaf(label, item));
    }
    const rest = items.length - (start + PAGE);
    if (rest > 0) {
      const more = h('button', {
        class: 'link tree-more',
        'data-testid': 'tree-more',
        text: `… ${rest} more`,
        onclick: () => {
          more.remove();
          showFrom(start + PAGE);
        },
      });
      body.append(more);
    }
  };
  showFrom(0);
}
