/**
 * The variable inspector: the session's user variables (`session.namespace.list()`), read
 * again after every cell, restore and tab switch.
 */
import { h } from './dom.ts';
import type { Session } from './session-tab.ts';
import { expander } from './value-tree.ts';

type Variable = Awaited<ReturnType<Session['namespace']['list']>>[number];

/** Types whose repr says it all (and functions, which cannot be fetched as data). */
const FLAT_TYPES = new Set([
  'number',
  'string',
  'boolean',
  'undefined',
  'null',
  'bigint',
  'symbol',
  'function',
  'class',
  // Python's (`type(value).__name__`): a module or a generator cannot be fetched as data either.
  'int',
  'float',
  'complex',
  'str',
  'bool',
  'NoneType',
  'module',
  'builtin_function_or_method',
  'method',
  'generator',
  'coroutine',
]);

export class Inspector {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  /** Drops answers that arrive after a newer refresh was asked for (tab switches). */
  private generation = 0;

  constructor() {
    this.body = h('div', { class: 'inspector-body' });
    this.element = h(
      'section',
      { class: 'panel inspector', 'data-testid': 'inspector' },
      h('h2', { text: 'Variables' }),
      this.body,
    );
  }

  async refresh(session: Session | null): Promise<void> {
    const generation = ++this.generation;
    if (!session || session.state === 'closed') {
      this.show([]);
      return;
    }
    try {
      const variables = await session.namespace.list();
      if (generation === this.generation) this.show(variables, session);
    } catch (error) {
      if (generation === this.generation) {
        this.body.replaceChildren(h('p', { class: 'muted', text: `Could not list variables: ${String(error)}` }));
      }
    }
  }

  private show(variables: Variable[], session: Session | null = null): void {
    if (variables.length === 0) {
      this.body.replaceChildren(h('p', { class: 'muted', text: 'No variables yet.' }));
      return;
    }
    const rows = [...variables]
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((variable) => {
        const name = h('td', { class: 'var-name' });
        const row = h(
          'tr',
          { 'data-testid': 'variable', 'data-name': variable.name },
          name,
          h('td', { class: 'var-type', text: variable.type }),
          h('td', { class: 'var-repr', 'data-testid': 'variable-repr', title: variable.repr, text: variable.repr }),
        );
        if (!session || FLAT_TYPES.has(variable.type)) {
          name.append(h('span', { class: 'tree-spacer' }), variable.name);
          return [row];
        }
        // The value itself is fetched from the session only when it is opened.
        const { button, body } = expander(variable.name, () => session.namespace.get(variable.name));
        button.dataset.testid = 'variable-expand';
        const treeRow = h(
          'tr',
          { class: 'tree-row', 'data-testid': 'variable-tree', 'data-name': variable.name },
          h('td', { colspan: 3 }, body),
        );
        const sync = () => {
          treeRow.hidden = body.hidden;
        };
        button.addEventListener('click', () => queueMicrotask(sync));
        treeRow.hidden = true;
        name.append(button, variable.name);
        return [row, treeRow];
      });
    this.body.replaceChildren(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', { text: 'name' }), h('th', { text: 'type' }), h('th', { text: 'value' }))),
        h('tbody', {}, ...rows),
      ),
    );
  }
}
