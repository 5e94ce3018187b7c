/**
 * The playground: session tabs, the editor with Run/Stop, the history of the active
 * session, its variables and snapshots, and whether the page is cross-origin isolated.
 */
import { CellHistory } from './cell-history.ts';
import { sessionCompletion } from './completion.ts';
import { h } from './dom.ts';
import { createEditor, type Editor } from './editor.ts';
import { EXAMPLES, type Example, PYTHON_EXAMPLES } from './examples.ts';
import { Inspector } from './inspector.ts';
import { type Language, type PolicyName, SessionTab } from './session-tab.ts';
import { cellsFromHash, copyText, languageFromHash, shareURL } from './share.ts';
import { SnapshotsPanel } from './snapshots-panel.ts';

const POLICIES: Array<{ name: PolicyName; hint: string }> = [
  { name: 'sandbox', hint: 'no network, storage or sub-workers' },
  { name: 'standard', hint: 'network allowed' },
  { name: 'unrestricted', hint: 'network, storage and workers' },
];

const TIME_LIMITS: Array<{ label: string; ms?: number }> = [
  { label: 'no time limit' },
  { label: '1 s limit', ms: 1000 },
  { label: '5 s limit', ms: 5000 },
  { label: '30 s limit', ms: 30_000 },
];

const LANGUAGES: Array<{ name: Language; label: string }> = [
  { name: 'javascript', label: 'JavaScript' },
  { name: 'python', label: 'Python' },
];

const FIRST_CELL: Record<Language, string> = {
  javascript: `// Cells share one session: variables persist, the last expression is the result.
const langs = ['JavaScript', 'TypeScript', 'Python'];
console.log('hello from a worker');
langs.map((name) => name.length)`,
  python: `# Cells share one session: variables persist, the last expression is the result.
langs = ["JavaScript", "TypeScript", "Python"]
print("hello from Python in a worker")
[len(name) for name in langs]`,
};

const EXAMPLES_OF: Record<Language, Example[]> = { javascript: EXAMPLES, python: PYTHON_EXAMPLES };

export class Playground {
  private readonly tabs: SessionTab[] = [];
  private active: SessionTab | null = null;
  private nextIndex = 1;
  /** Cells of the example in progress still to load into the editor, one per Run. */
  private exampleSteps: { example: Example; next: number } | null = null;

  private readonly editor: Editor;
  /** ↑/↓ recall and the editor's saved text, one per language. */
  private readonly cellHistories: Record<Language, CellHistory> = {
    javascript: new CellHistory('javascript'),
    python: new CellHistory('python'),
  };
  private readonly inspector = new Inspector();
  private readonly snapshots = new SnapshotsPanel(() => void this.inspector.refresh(this.active?.session ?? null));
  private readonly tabBar = h('div', { class: 'tab-list', role: 'tablist', 'data-testid': 'tabs' });
  private readonly histories = h('div', { class: 'histories' });
  private readonly isolation = h('div', { class: 'isolation', 'data-testid': 'isolation', role: 'status' });
  private readonly state = h('span', { class: 'state', 'data-testid': 'session-state' });
  private readonly hint = h('span', { class: 'hint', 'data-testid': 'example-hint' });
  private readonly notice = h('div', { class: 'notice', role: 'alert', hidden: true });
  private readonly runButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly policySelect: HTMLSelectElement;
  private readonly languageSelect: HTMLSelectElement;
  private readonly examples: HTMLSelectElement;
  private readonly timeLimit: HTMLSelectElement;

  constructor(root: HTMLElement) {
    this.runButton = h('button', {
      class: 'primary',
      'data-testid': 'run',
      title: 'Run the cell (Ctrl/Cmd+Enter)',
      text: '▶ Run',
      onclick: () => this.run(),
    });
    this.stopButton = h('button', {
      class: 'stop',
      'data-testid': 'stop',
      title: 'Stop the running cell (Ctrl/Cmd+.)',
      text: '■ Stop',
      onclick: () => void this.stop(),
    });
    this.policySelect = h(
      'select',
      { 'data-testid': 'policy', 'aria-label': 'policy of the new session' },
      ...POLICIES.map(({ name, hint }) => h('option', { value: name, title: hint, text: `${name} policy` })),
    );
    this.timeLimit = h(
      'select',
      { 'data-testid': 'time-limit', 'aria-label': 'time limit per cell' },
      ...TIME_LIMITS.map(({ label, ms }) => h('option', { value: ms === undefined ? '' : String(ms), text: label })),
    );
    this.languageSelect = h(
      'select',
      { 'data-testid': 'language', 'aria-label': 'language of the new session' },
      ...LANGUAGES.map(({ name, label }) => h('option', { value: name, text: label })),
    );
    const examples = h('select', { 'data-testid': 'examples', 'aria-label': 'examples' });
    this.examples = examples;
    this.listExamples('javascript');
    examples.addEventListener('change', () => {
      const example = EXAMPLES_OF[this.editor.language].find((candidate) => candidate.id === examples.value);
      examples.value = '';
      if (example) this.loadExample(example);
    });

    const editorBox = h('div', { class: 'editor', 'data-testid': 'editor' });
    root.append(
      h(
        'header',
        { class: 'topbar' },
        h('h1', { class: 'brand' }, 'sandcell', h('span', { text: 'playground' })),
        this.isolation,
      ),
      h(
        'nav',
        { class: 'tabs' },
        this.tabBar,
        h(
          'div',
          { class: 'new-session' },
          this.languageSelect,
          this.policySelect,
          h('button', {
            'data-testid': 'new-session',
            title: 'Open another session with the chosen language and policy',
            text: '+ New session',
            onclick: () =>
              void this.openTab(this.policySelect.value as PolicyName, this.languageSelect.value as Language),
          }),
        ),
      ),
      this.notice,
      h(
        'main',
        { class: 'layout' },
        h(
          'div',
          { class: 'main-col' },
          this.histories,
          h(
            'div',
            { class: 'composer' },
            h(
              'div',
              { class: 'toolbar' },
              this.runButton,
              this.stopButton,
              this.state,
              this.hint,
              h('span', { class: 'spacer' }),
              examples,
              this.timeLimit,
              h('button', {
                class: 'small',
                'data-testid': 'share',
                title: "Copy a link to this session's cells (they travel in the URL; nothing is uploaded)",
                text: 'Share',
                onclick: () => void this.share(),
              }),
              h('button', {
                class: 'small',
                'data-testid': 'clear-history',
                title: 'Forget the cells ↑/↓ recall and the saved editor text (kept across reloads)',
                text: 'Clear history',
                onclick: () => {
                  this.cellHistories[this.editor.language].clear();
                  this.editor.focus();
                },
              }),
            ),
            editorBox,
          ),
        ),
        h('aside', { class: 'sidebar' }, this.inspector.element, this.snapshots.element),
      ),
    );
    const histories = this.cellHistories;
    this.editor = createEditor(
      editorBox,
      histories.javascript.draft ?? FIRST_CELL.javascript,
      { run: () => this.run(), stop: () => void this.stop() },
      [sessionCompletion(() => this.active)],
      { language: 'javascript', extensions: histories.javascript.extension() },
    );
    this.update();
  }

  /** The first tab has opened (what a shared Python link waits for, to open its own after it). */
  private opening: Promise<void> = Promise.resolve();

  /** Opens the first session, then a share link's cells (in a Python tab for a Python link). */
  start(): void {
    this.opening = this.openTab('sandbox');
    void this.openSharedCells();
  }

  /**
   * A share link's cells: ready in the editor one by one, like an example's — a Python link's
   * in a Python tab, opened for them.
   */
  private async openSharedCells(): Promise<void> {
    try {
      const cells = cellsFromHash(location.hash);
      if (!cells || cells.length === 0) return;
      if (languageFromHash(location.hash) === 'python') {
        await this.opening;
        await this.openTab('sandbox', 'python');
      }
      this.loadExample({ id: 'shared', title: 'Shared cells', cells });
    } catch (error) {
      this.showNotice(error instanceof Error ? error.message : String(error));
    }
  }

  private async share(): Promise<void> {
    const cells = this.active?.cells ?? [];
    if (cells.length === 0) {
      this.showNotice('Nothing to share yet: run a cell first.', 'info');
      return;
    }
    const url = shareURL(cells, location.href, this.active?.language);
    history.replaceState(null, '', url);
    const copied = await copyText(url);
    this.showNotice(
      copied
        ? `Link to ${cells.length} cell${cells.length === 1 ? '' : 's'} copied (also in the address bar).`
        : 'The link is in the address bar (the page may not write the clipboard).',
      'info',
    );
  }

  /** Opens a session with `policy` in a new tab and makes it the active one. */
  async openTab(policy: PolicyName, language: Language = 'javascript'): Promise<void> {
    const index = this.nextIndex++;
    // Python's runtime loads for the first Python tab of the page (later ones reuse its files).
    if (language === 'python')
      this.showNotice('Starting a Python session: the runtime takes a few seconds to load…', 'info');
    try {
      const tab = await SessionTab.open(index, policy, language, () => this.update());
      if (language === 'python') this.notice.hidden = true;
      this.tabs.push(tab);
      this.histories.append(tab.history);
      this.activate(tab);
    } catch (error) {
      this.showNotice(`Could not start a session: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * The editor follows the active tab's language: highlighting, completion, examples and
   * ↑/↓ history switch with it, and the text written for the other language is kept for
   * when a tab of that language is active again.
   */
  private useLanguage(language: Language): void {
    const from = this.editor.language;
    if (from === language) return;
    const histories = this.cellHistories;
    histories[from].saveDraft(this.editor.getCode());
    this.editor.setLanguage(language, histories[language].extension());
    this.editor.setCode(histories[language].draft ?? FIRST_CELL[language]);
    this.listExamples(language);
    this.exampleSteps = null;
    this.showHint();
  }

  private listExamples(language: Language): void {
    this.examples.replaceChildren(
      h('option', { value: '', text: 'Examples…' }),
      ...EXAMPLES_OF[language].map((example) => h('option', { value: example.id, text: example.title })),
    );
  }

  private activate(tab: SessionTab): void {
    this.active = tab;
    this.useLanguage(tab.language);
    for (const other of this.tabs) other.history.hidden = other !== tab;
    this.update();
    void this.inspector.refresh(tab.session);
    void this.snapshots.show(tab.session);
    this.editor.focus();
  }

  private async closeTab(tab: SessionTab): Promise<void> {
    const at = this.tabs.indexOf(tab);
    this.tabs.splice(at, 1);
    tab.history.remove();
    if (this.active === tab) {
      const next = this.tabs[Math.min(at, this.tabs.length - 1)];
      if (next) this.activate(next);
    }
    this.update();
    await tab.close();
  }

  private run(): void {
    const tab = this.active;
    const code = this.editor.getCode();
    if (!tab || code.trim() === '') return;
    this.cellHistories[tab.language].add(code);
    const limit = this.timeLimit.value ? Number(this.timeLimit.value) : undefined;
    void tab.run(code, limit).then(() => {
      if (tab === this.active) void this.inspector.refresh(tab.session);
    });
    this.advanceExample();
  }

  private async stop(): Promise<void> {
    const tab = this.active;
    if (!tab?.busy) return;
    this.stopButton.disabled = true;
    try {
      await tab.stop();
    } catch (error) {
      this.showNotice(`Could not stop: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.update();
  }

  private loadExample(chosen: Example): void {
    // A Python input() blocks only with shared memory; without, the example awaits it.
    const isolated = this.active?.session.crossOriginIsolated ?? true;
    const example =
      !isolated && chosen.cellsWithoutSharedMemory ? { ...chosen, cells: chosen.cellsWithoutSharedMemory } : chosen;
    this.editor.setCode(example.cells[0] ?? '');
    this.exampleSteps = example.cells.length > 1 ? { example, next: 1 } : null;
    this.showHint();
    this.editor.focus();
  }

  /** After a Run during a multi-cell example, loads its next cell. */
  private advanceExample(): void {
    const steps = this.exampleSteps;
    if (!steps) return;
    this.editor.setCode(steps.example.cells[steps.next] ?? '');
    steps.next++;
    if (steps.next >= steps.example.cells.length) this.exampleSteps = null;
    this.showHint();
  }

  private showHint(): void {
    const steps = this.exampleSteps;
    this.hint.textContent = steps ? `${steps.example.title}: cell ${steps.next} of ${steps.example.cells.length}` : '';
  }

  private showNotice(text: string, kind: 'error' | 'info' = 'error'): void {
    this.notice.textContent = text;
    this.notice.className = `notice ${kind}`;
    this.notice.dataset.testid = 'notice';
    this.notice.hidden = false;
  }

  /** Re-renders what depends on the sessions' states: tabs, buttons, indicators. */
  private update(): void {
    this.tabBar.replaceChildren(
      ...this.tabs.map((tab) => {
        const selected = tab === this.active;
        const state = tab.session.state;
        return h(
          'div',
          {
            class: `tab${selected ? ' active' : ''}`,
            role: 'tab',
            'aria-selected': String(selected),
            'data-testid': 'session-tab',
            'data-session-id': tab.session.id,
            'data-language': tab.language,
            'data-state': state,
          },
          h('button', {
            class: 'tab-label',
            title: `${tab.session.id} · ${tab.language} · ${tab.policy} policy · ${state}`,
            text: `${tab.label} · ${tab.language === 'python' ? 'Python · ' : ''}${tab.policy}`,
            onclick: () => this.activate(tab),
          }),
          h('span', { class: `dot ${state}`, 'aria-hidden': 'true' }),
          this.tabs.length > 1 &&
            h('button', {
              class: 'tab-close',
              'data-testid': 'close-session',
              title: 'Close this session',
              'aria-label': `close ${tab.label}`,
              text: '×',
              onclick: () => void this.closeTab(tab),
            }),
        );
      }),
    );

    const session = this.active?.session;
    const state = session?.state ?? 'starting';
    this.state.textContent = state;
    this.state.className = `state ${state}`;
    this.state.dataset.state = state;
    this.runButton.disabled = !session || state === 'closed';
    this.stopButton.disabled = !this.active?.busy;

    const isolated = session ? session.crossOriginIsolated : globalThis.crossOriginIsolated === true;
    this.isolation.dataset.isolated = String(isolated);
    // An isolated page may still have no SharedArrayBuffer: Debian's WebKitGTK ships without it.
    const pageIsolated = globalThis.crossOriginIsolated === true;
    this.isolation.textContent = isolated
      ? '● cross-origin isolated — instant interrupts'
      : pageIsolated
        ? '● no SharedArrayBuffer in this browser — Stop restarts the worker'
        : '● not cross-origin isolated — Stop restarts the worker';
    this.isolation.title = isolated
      ? 'SharedArrayBuffer is available: Stop sets a flag the running cell checks, and input() is synchronous.'
      : pageIsolated
        ? 'The page is cross-origin isolated, but this browser has no SharedArrayBuffer: Stop terminates the worker and restores the variables of the last completed cell, and input() must be awaited.'
        : 'No SharedArrayBuffer (the page lacks COOP/COEP headers): Stop terminates the worker and restores the variables of the last completed cell.';
  }
}
