/**
 * The part of Playwright's Locator and Keyboard API that the playground e2e tests use, over
 * classic WebDriver (for WebKitGTK, see e2e/webdriver-page.mjs), so the same test code runs
 * there.
 *
 * A locator is a list of steps (CSS, test id, nth, text and `has` filters, `and`, a frame),
 * resolved in the page by `resolveSteps` each time it is used, as Playwright's are. Waits
 * (`waitFor`, and the wait for an element before an action) are one asynchronous script that
 * checks again on every DOM mutation and every 100 ms (for layout changes no mutation shows),
 * like Playwright's own polling. Actions are WebDriver's: element click, clear, send keys, and
 * key actions for the keyboard, so the page gets the browser's own trusted input events.
 *
 * Where Playwright and this differ: `:visible` is understood once per CSS selector; text
 * matching is on whitespace-normalized `textContent`; a frame's elements are reached by
 * switching WebDriver into the frame for the one command.
 */
import { writeFile } from 'node:fs/promises';

const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';
/** Playwright's default for waits and actions. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Self-contained (sent into the page as source): the elements `steps` select, from `roots`.
 * @param {Array<Record<string, any>>} steps
 * @param {Array<ParentNode>} [roots]
 * @returns {Element[]}
 */
function resolveSteps(steps, roots) {
  const normalize = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
  const isVisible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const matches = (el, wanted) => {
    const text = normalize(el.textContent);
    if (wanted.regex !== undefined) return new RegExp(wanted.regex, wanted.flags).test(text);
    return text.toLowerCase().includes(normalize(wanted.text).toLowerCase());
  };
  const inOrder = (elements) => {
    const unique = [...new Set(elements)];
    return unique.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  };
  let current = roots ?? [document];
  for (const step of steps) {
    if (step.css !== undefined) {
      const [head, ...rest] = step.css.split(':visible');
      const tail = rest.join(':visible');
      current = inOrder(
        current.flatMap((root) => {
          let found = [...root.querySelectorAll(head)];
          if (rest.length > 0) {
            found = found.filter(isVisible);
            if (tail.trim()) found = found.flatMap((el) => [...el.querySelectorAll(`:scope${tail}`)]);
          }
          return found;
        }),
      );
    } else if (step.nth !== undefined) {
      current = current.slice(step.nth, step.nth + 1);
    } else if (step.hasText !== undefined) {
      current = current.filter((el) => matches(el, step.hasText));
    } else if (step.has !== undefined) {
      current = current.filter((el) => resolveSteps(step.has, [el]).length > 0);
    } else if (step.and !== undefined) {
      const other = resolveSteps(step.and);
      current = current.filter((el) => other.includes(el));
    } else if (step.text !== undefined) {
      // getByText: the innermost elements whose text matches.
      current = inOrder(
        current.flatMap((root) =>
          [...root.querySelectorAll('*')].filter(
            (el) => matches(el, step.text) && ![...el.children].some((child) => matches(child, step.text)),
          ),
        ),
      );
    } else {
      throw new Error(`[e2e] unknown locator step ${JSON.stringify(step)}`);
    }
  }
  return current;
}

/** @param {string | RegExp} text */
function textStep(text) {
  return text instanceof RegExp ? { regex: text.source, flags: text.flags } : { text };
}

/** @param {unknown} reference an element as WebDriver returns it */
export function elementId(reference) {
  const id = reference && typeof reference === 'object' ? Reflect.get(reference, ELEMENT_KEY) : undefined;
  if (typeof id !== 'string') throw new Error(`[e2e] not an element reference: ${JSON.stringify(reference)}`);
  return id;
}

/**
 * Runs `check(arg, resolveSteps)` in the page until it returns something other than
 * `undefined`, which is the answer; a throw rejects. Over WebDriver's asynchronous script.
 * @param {WebdriverIO.Browser} session
 * @param {string} check a function's source
 * @param {unknown} arg
 * @param {number} timeoutMs
 * @param {string} what says what was waited for, in the timeout error
 */
export async function waitInPage(session, check, arg, timeoutMs, what) {
  const script = `
    const resolveSteps = ${resolveSteps.toString()};
    const check = ${check};
    const [arg, limit] = arguments;
    const done = arguments[arguments.length - 1];
    let finished = false;
    let settling = false;
    let observer;
    let interval;
    let timer;
    const finish = (answer) => {
      if (finished) return;
      finished = true;
      observer?.disconnect();
      clearInterval(interval);
      clearTimeout(timer);
      done(answer);
    };
    const attempt = () => {
      if (finished || settling) return;
      let value;
      try {
        value = check(arg, resolveSteps);
      } catch (error) {
        finish({ error: String(error && error.message ? error.message : error) });
        return;
      }
      if (value === undefined) return;
      // The answer may be a promise: no more attempts while it settles.
      settling = true;
      Promise.resolve(value).then(
        (answer) => finish({ answer }),
        (error) => finish({ error: String(error && error.message ? error.message : error) }),
      );
    };
    timer = setTimeout(() => finish({ timeout: true }), limit);
    observer = new MutationObserver(attempt);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    interval = setInterval(attempt, 100);
    attempt();
  `;
  const outcome = /** @type {{ answer?: unknown; error?: string; timeout?: boolean }} */ (
    await session.executeAsyncScript(script, [arg, timeoutMs])
  );
  if (outcome.timeout) throw new Error(`[e2e] timed out after ${timeoutMs} ms waiting for ${what}`);
  if (outcome.error !== undefined) throw new Error(`[e2e] ${what}: ${outcome.error}`);
  return outcome.answer;
}

/**
 * Runs `body` (a function's source, called with `(arg, resolveSteps)`) once in the page.
 * @param {WebdriverIO.Browser} session
 * @param {string} body
 * @param {unknown} arg
 */
export function runInPage(session, body, arg) {
  return session.executeScript(
    `const resolveSteps = ${resolveSteps.toString()}; return (${body})(arguments[0], resolveSteps);`,
    [arg],
  );
}

/**
 * Playwright's key names → WebDriver's key codes (the keys the tests press).
 * @type {Record<string, string>}
 */
const KEYS = {
  Control: '\uE009',
  ControlOrMeta: '\uE009',
  Shift: '\uE008',
  Alt: '\uE00A',
  Meta: '\uE03D',
  Enter: '\uE007',
  Tab: '\uE004',
  Escape: '\uE00C',
  Backspace: '\uE003',
  Delete: '\uE017',
  Home: '\uE011',
  End: '\uE010',
  ArrowUp: '\uE013',
  ArrowDown: '\uE015',
  ArrowLeft: '\uE012',
  ArrowRight: '\uE014',
};

/** @param {string} key one key's name or one character */
function keyCode(key) {
  if (key in KEYS) return KEYS[key];
  if ([...key].length === 1) return key;
  throw new Error(`[e2e] the key ${key} has no WebDriver code here (add it to KEYS)`);
}

/**
 * `Control+Enter` → key actions: the modifiers down, the key pressed, the modifiers up.
 * @param {string} combination
 */
export function pressActions(combination) {
  const keys = combination === '+' ? ['+'] : combination.split('+').map(keyCode);
  const key = /** @type {string} */ (keys.pop());
  return [
    ...keys.map((value) => ({ type: 'keyDown', value })),
    { type: 'keyDown', value: key },
    { type: 'keyUp', value: key },
    ...keys.reverse().map((value) => ({ type: 'keyUp', value })),
  ];
}

/**
 * The page's keyboard, as Playwright's: key actions go to the focused element.
 * @param {WebdriverIO.Browser} session
 * @param {() => Promise<void>} focus makes this page's window the current one
 */
export function webDriverKeyboard(session, focus) {
  /** @param {Array<{ type: string; value: string }>} actions */
  const perform = async (actions) => {
    await focus();
    await session.performActions([{ type: 'key', id: 'keyboard', actions }]);
    await session.releaseActions();
  };
  return {
    /** @param {string} combination */
    press: (combination) => perform(pressActions(combination)),
    /** @param {string} text typed key by key */
    type: (text) => perform([...text].flatMap((c) => pressActions(c === '\n' ? 'Enter' : c))),
    /**
     * Like Playwright's: the text arrives as one insertion, not as keys (so the editor's
     * bracket closing and auto-indent leave it as written). WebDriver has no such command;
     * the browser's own editing command for it does the same (`beforeinput`/`input` of type
     * insertText at the selection).
     * @param {string} text
     */
    async insertText(text) {
      await focus();
      const inserted = await session.executeScript('return document.execCommand("insertText", false, arguments[0]);', [
        text,
      ]);
      if (inserted !== true) throw new Error('[e2e] insertText: the focused element took no text');
    },
  };
}

/**
 * @typedef {{
 *   session: WebdriverIO.Browser;
 *   focus: () => Promise<void>;
 *   page: unknown;
 * }} LocatorHost
 */

export class Locator {
  /**
   * @param {LocatorHost} host
   * @param {Array<Record<string, any>>} steps
   */
  constructor(host, steps) {
    this.host = host;
    this.steps = steps;
  }

  /** @param {Record<string, any>} step */
  with(step) {
    return new Locator(this.host, [...this.steps, step]);
  }

  /**
   * @param {string} selector
   * @param {{ hasText?: string | RegExp }} [options]
   */
  locator(selector, options = {}) {
    const located = this.with({ css: selector });
    return options.hasText === undefined ? located : located.with({ hasText: textStep(options.hasText) });
  }

  /** @param {string} id */
  getByTestId(id) {
    return this.with({ css: `[data-testid="${id}"]` });
  }

  /** @param {string | RegExp} text */
  getByText(text) {
    return this.with({ text: textStep(text) });
  }

  /** @param {number} index */
  nth(index) {
    return this.with({ nth: index });
  }

  first() {
    return this.nth(0);
  }

  /** @param {{ hasText?: string | RegExp; has?: Locator }} options */
  filter(options) {
    let located = /** @type {Locator} */ (this);
    if (options.hasText !== undefined) located = located.with({ hasText: textStep(options.hasText) });
    if (options.has !== undefined) located = located.with({ has: options.has.steps });
    return located;
  }

  /** @param {Locator} other */
  and(other) {
    return this.with({ and: other.steps });
  }

  /** The frame this locator's iframe shows; its locators run inside it. */
  contentFrame() {
    const frame = this.with({ frame: true });
    return {
      /** @param {string} selector */
      locator: (selector) => frame.locator(selector),
      /** @param {string | RegExp} text */
      getByText: (text) => frame.getByText(text),
    };
  }

  page() {
    return this.host.page;
  }

  /**
   * Runs `use(steps)` with WebDriver switched into the frames this locator passes through,
   * `steps` being the rest; switches back after.
   * @template T
   * @param {(steps: Array<Record<string, any>>, inFrames: Array<{ x: number; y: number }>) => Promise<T>} use
   * @param {number} timeoutMs
   * @returns {Promise<T>}
   */
  async inFrame(use, timeoutMs) {
    const { session } = this.host;
    await this.host.focus();
    let steps = this.steps;
    const offsets = [];
    let depth = 0;
    try {
      for (let at = steps.findIndex((s) => s.frame); at >= 0; at = steps.findIndex((s) => s.frame)) {
        const frameSteps = steps.slice(0, at);
        const found = /** @type {{ element: unknown; x: number; y: number }} */ (
          await waitInPage(
            session,
            `(steps, resolveSteps) => {
              const [frame] = resolveSteps(steps);
              if (!frame) return undefined;
              const box = frame.getBoundingClientRect();
              return { element: frame, x: box.x + frame.clientLeft, y: box.y + frame.clientTop };
            }`,
            frameSteps,
            timeoutMs,
            `the frame of ${JSON.stringify(frameSteps)}`,
          )
        );
        await session.switchToFrame({ [ELEMENT_KEY]: elementId(found.element) });
        depth++;
        offsets.push({ x: found.x, y: found.y });
        steps = steps.slice(at + 1);
      }
      return await use(steps, offsets);
    } finally {
      if (depth > 0) await session.switchToFrame(null);
    }
  }

  /**
   * Waits for the one element this locator selects (Playwright's strictness: more than one is
   * an error), then runs `fn(element, arg)` in the page and returns its answer.
   * @param {string} fn a function's source
   * @param {unknown} [arg]
   * @param {number} [timeoutMs]
   */
  async onElement(fn, arg, timeoutMs = DEFAULT_TIMEOUT_MS) {
    return this.inFrame(
      (steps) =>
        waitInPage(
          this.host.session,
          `({ steps, arg }, resolveSteps) => {
            const found = resolveSteps(steps);
            if (found.length === 0) return undefined;
            if (found.length > 1) throw new Error('strict mode violation: ' + found.length + ' elements match');
            return [(${fn})(found[0], arg)];
          }`,
          { steps, arg },
          timeoutMs,
          `an element for ${JSON.stringify(this.steps)}`,
        ).then((answer) => /** @type {unknown[]} */ (answer)[0]),
      timeoutMs,
    );
  }

  /** @param {string} fn source of `(elements, arg) => value`; no waiting */
  async onAll(fn, arg) {
    return this.inFrame(
      (steps) =>
        runInPage(this.host.session, `({ steps, arg }, resolveSteps) => (${fn})(resolveSteps(steps), arg)`, {
          steps,
          arg,
        }),
      DEFAULT_TIMEOUT_MS,
    );
  }

  /** @param {{ state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }} [options] */
  async waitFor(options = {}) {
    const state = options.state ?? 'visible';
    const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    await this.inFrame(
      (steps) =>
        waitInPage(
          this.host.session,
          `({ steps, state }, resolveSteps) => {
            const found = resolveSteps(steps);
            if (found.length > 1 && state !== 'detached' && state !== 'hidden')
              throw new Error('strict mode violation: ' + found.length + ' elements match');
            const el = found[0];
            const visible = !!el && (() => {
              const box = el.getBoundingClientRect();
              return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
            })();
            const ok = { attached: !!el, detached: !el, visible, hidden: !visible }[state];
            return ok ? true : undefined;
          }`,
          { steps, state },
          timeoutMs,
          `${JSON.stringify(this.steps)} to be ${state}`,
        ),
      timeoutMs,
    );
  }

  /** The WebDriver reference of the one element, once it is there; used inside `inFrame`. */
  async reference(steps, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const answer = await waitInPage(
      this.host.session,
      `(steps, resolveSteps) => {
        const found = resolveSteps(steps);
        if (found.length === 0) return undefined;
        if (found.length > 1) throw new Error('strict mode violation: ' + found.length + ' elements match');
        return [found[0]];
      }`,
      steps,
      timeoutMs,
      `an element for ${JSON.stringify(this.steps)}`,
    );
    return elementId(/** @type {unknown[]} */ (answer)[0]);
  }

  count() {
    return this.onAll('(els) => els.length');
  }

  textContent() {
    return this.onElement('(el) => el.textContent');
  }

  innerText() {
    return this.onElement('(el) => el.innerText');
  }

  allTextContents() {
    return this.onAll('(els) => els.map((el) => el.textContent ?? "")');
  }

  /** @param {string} name */
  getAttribute(name) {
    return this.onElement('(el, name) => el.getAttribute(name)', name);
  }

  /**
   * @template A
   * @param {(el: Element, arg: A) => unknown} fn must not close over anything (its source is sent)
   * @param {A} [arg]
   */
  evaluate(fn, arg) {
    return this.onElement(fn.toString(), arg);
  }

  /**
   * @template A
   * @param {(els: Element[], arg: A) => unknown} fn
   * @param {A} [arg]
   */
  evaluateAll(fn, arg) {
    return this.onAll(fn.toString(), arg);
  }

  isVisible() {
    return this.onAll(`(els) => {
      const el = els[0];
      if (!el) return false;
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    }`);
  }

  async isHidden() {
    return !(await this.isVisible());
  }

  /** Page coordinates (those of the top frame's viewport), as Playwright's. */
  async boundingBox() {
    return this.inFrame(async (steps, offsets) => {
      const box = /** @type {{ x: number; y: number; width: number; height: number }} */ (
        await waitInPage(
          this.host.session,
          `(steps, resolveSteps) => {
            const [el] = resolveSteps(steps);
            if (!el) return undefined;
            const { x, y, width, height } = el.getBoundingClientRect();
            return { x, y, width, height };
          }`,
          steps,
          DEFAULT_TIMEOUT_MS,
          `an element for ${JSON.stringify(this.steps)}`,
        )
      );
      for (const offset of offsets) {
        box.x += offset.x;
        box.y += offset.y;
      }
      return box;
    }, DEFAULT_TIMEOUT_MS);
  }

  scrollIntoViewIfNeeded() {
    return this.onElement("(el) => el.scrollIntoView({ block: 'nearest' })");
  }

  /**
   * WebDriver's element click, once the element is shown and stable (`steady`).
   * @param {{ timeout?: number }} [options]
   */
  async click(options = {}) {
    const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    await this.inFrame((steps) => this.retryStale(() => this.clickOnce(steps, timeoutMs)), timeoutMs);
  }

  /**
   * Runs `act` again when the element it found was replaced by the page meanwhile (WebDriver's
   * "stale element reference"), as Playwright looks an element up again.
   * @param {() => Promise<void>} act
   */
  async retryStale(act) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await act();
      } catch (error) {
        if (!/stale element/i.test(String(error)) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Playwright's actionability for clicks and fills, as far as it matters here: the one element
   * is shown, scrolled into view, and stable (the same box in two animation frames in a row,
   * so a list the page is still rebuilding is not clicked). Resolves with its reference.
   * @param {Array<Record<string, any>>} steps
   * @param {number} timeoutMs
   */
  async steady(steps, timeoutMs) {
    const { session } = this.host;
    await waitInPage(
      session,
      `(steps, resolveSteps) => {
        const found = resolveSteps(steps);
        if (found.length > 1) throw new Error('strict mode violation: ' + found.length + ' elements match');
        const el = found[0];
        const box = () => {
          const { x, y, width, height } = el.getBoundingClientRect();
          return width > 0 && height > 0 && getComputedStyle(el).visibility !== 'hidden' ? [x, y, width, height].join() : '';
        };
        // An option of a closed <select> has no box of its own; WebDriver's click selects it.
        if (el?.localName === 'option') return true;
        if (!el || !box()) return undefined;
        el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        // A page in a tab behind another (a second page of the context) paints no frames.
        if (document.hidden) return true;
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        return frame().then(() => {
          const first = box();
          return frame().then(() => (first && box() === first ? true : null));
        });
      }`,
      steps,
      timeoutMs,
      `${JSON.stringify(this.steps)} to be visible and stable`,
    ).then((answer) => {
      if (answer !== true) return this.steady(steps, timeoutMs);
    });
    return this.reference(steps, timeoutMs);
  }

  /**
   * @param {Array<Record<string, any>>} steps
   * @param {number} timeoutMs
   */
  async clickOnce(steps, timeoutMs) {
    const { session } = this.host;
    try {
      await session.elementClick(await this.steady(steps, timeoutMs));
      return;
    } catch (error) {
      // Not shown yet (or covered): as Playwright waits for that, wait until it is visible, once.
      if (!/not interactable|click intercepted/i.test(String(error))) throw error;
    }
    await waitInPage(
      session,
      `(steps, resolveSteps) => {
        const [el] = resolveSteps(steps);
        const box = el?.getBoundingClientRect();
        return box && box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden' ? true : undefined;
      }`,
      steps,
      timeoutMs,
      `${JSON.stringify(this.steps)} to be visible`,
    );
    const id = await this.reference(steps, timeoutMs);
    try {
      await session.elementClick(id);
    } catch (error) {
      // WebKitWebDriver finds some shown elements not interactable (CodeMirror's completion
      // list, positioned fixed), and refuses to move the mouse to them as an origin too: the
      // mouse, moved to the element's centre in viewport coordinates, clicks it then (a
      // top-level element: inside a frame these would be the frame's coordinates).
      if (!/not interactable/i.test(String(error))) throw error;
      const centre = /** @type {{ x: number; y: number }} */ (
        await session.executeScript(
          'const box = arguments[0].getBoundingClientRect(); return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };',
          [{ [ELEMENT_KEY]: id }],
        )
      );
      await session.performActions([
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', origin: 'viewport', x: centre.x, y: centre.y },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ]);
      await session.releaseActions();
    }
  }

  /** @param {string} text replaces the field's value, as keys */
  async fill(text) {
    await this.inFrame(
      (steps) =>
        this.retryStale(async () => {
          // As Playwright's fill: shown, and in view (WebKitWebDriver does not scroll for clear).
          const id = await this.steady(steps, DEFAULT_TIMEOUT_MS);
          await this.host.session.elementClear(id);
          await this.host.session.elementSendKeys(id, text);
        }),
      DEFAULT_TIMEOUT_MS,
    );
  }

  /** @param {string} combination pressed with the element focused */
  async press(combination) {
    await this.inFrame(async (steps) => {
      const id = await this.reference(steps);
      // Send keys holds modifiers until the null key.
      const keys = pressActions(combination).filter((a) => a.type === 'keyDown');
      await this.host.session.elementSendKeys(id, `${keys.map((a) => a.value).join('')}\uE000`);
    }, DEFAULT_TIMEOUT_MS);
  }

  /** @param {{ path: string }} options */
  async screenshot(options) {
    await this.inFrame(async (steps) => {
      const png = await this.host.session.takeElementScreenshot(await this.reference(steps));
      await writeFile(options.path, Buffer.from(png, 'base64'));
    }, DEFAULT_TIMEOUT_MS);
  }
}
