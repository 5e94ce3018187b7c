/**
 * The console's side: each sequence runs in a fresh dedicated worker of the differential page,
 * evaluated over CDP exactly as the DevTools console evaluates: its front end's object-literal
 * rule (`consoleExpression`), then `Runtime.evaluate` with `replMode: true, awaitPromise: true`.
 *
 * Playwright's CDPSession talks to a page, not to a worker, so the worker is reached through the
 * page's session with the Target domain in non-flat mode: `Target.attachToTarget({ flatten: false })`,
 * then protocol messages wrapped in `Target.sendMessageToTarget` and answered by
 * `Target.receivedMessageFromTarget` events.
 */
import { consoleExpression, consolePosition, hasComparablePosition, renderRemotePrimitive } from './normalize.mjs';

/**
 * @typedef {import('playwright').CDPSession} CDPSession
 * @typedef {{ status: string; value?: string; name?: string; message?: string; line?: number; column?: number; detail?: string }} Outcome
 */

export class ConsoleSide {
  /**
   * @param {import('playwright').Page} page the differential page (see page.mjs)
   * @param {CDPSession} client a CDP session of that page
   */
  constructor(page, client) {
    this.page = page;
    this.client = client;
    this.nextId = 1;
    /** @type {Map<number, { resolve: (message: any) => void }>} */
    this.pending = new Map();
    client.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message);
      const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (waiter) {
        this.pending.delete(message.id);
        waiter.resolve(message);
      }
    });
    client.on('Target.detachedFromTarget', (event) => {
      // A worker that died answers nothing more: fail what still waits on it.
      for (const [id, waiter] of this.pending) {
        if (waiter.sessionId === event.sessionId) {
          this.pending.delete(id);
          waiter.resolve({ error: { message: 'the worker target detached' } });
        }
      }
    });
  }

  /** @param {import('playwright').Page} page */
  static async open(page) {
    return new ConsoleSide(page, await page.context().newCDPSession(page));
  }

  /**
   * Sends one protocol command to a worker target.
   * @param {string} sessionId
   * @param {string} method
   * @param {object} params
   * @param {number} timeoutMs
   */
  send(sessionId, method, params, timeoutMs) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        sessionId,
        resolve: (message) => {
          clearTimeout(timer);
          if (message.error) reject(new Error(`${method}: ${message.error.message}`));
          else resolve(message.result);
        },
      });
      this.client
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((error) => {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(error);
        });
    });
  }

  /**
   * Starts a worker and attaches to it. Creation is serialized: the target is found by the
   * worker's unique name among the page's targets.
   */
  async attachWorker() {
    const name = await this.page.evaluate(() => window.startConsoleWorker());
    const { targetInfos } = await this.client.send('Target.getTargets');
    const target = targetInfos.find((t) => t.type === 'worker' && t.title === name);
    if (!target) {
      const workers = targetInfos.filter((t) => t.type === 'worker').map((t) => `${t.title} ${t.url}`);
      throw new Error(`[sandcell] differential: no worker target named ${name} among ${workers.join('; ')}`);
    }
    const { sessionId } = await this.client.send('Target.attachToTarget', {
      targetId: target.targetId,
      flatten: false,
    });
    // Take the renderer the worker's script built, and drop the global it came through.
    const taken = await this.send(
      sessionId,
      'Runtime.evaluate',
      {
        expression:
          '(() => { const r = globalThis.__differentialRenderer; delete globalThis.__differentialRenderer; return r })()',
        objectGroup: 'differential',
      },
      10_000,
    );
    return { name, sessionId, renderer: taken.result.objectId };
  }

  /**
   * @param {string} sessionId
   * @param {string} rendererId
   * @param {'value' | 'thrown'} which
   * @param {string} objectId
   */
  async render(sessionId, rendererId, which, objectId) {
    const { result, exceptionDetails } = await this.send(
      sessionId,
      'Runtime.callFunctionOn',
      {
        // Only `this` and the argument: nothing a cell declared can shadow what this runs.
        functionDeclaration: `function (v) { return this.${which}(v) }`,
        objectId: rendererId,
        arguments: [{ objectId }],
        returnByValue: true,
        objectGroup: 'differential',
      },
      10_000,
    );
    if (exceptionDetails) throw new Error(`rendering failed: ${exceptionDetails.exception?.description}`);
    return result.value;
  }

  /**
   * Runs one sequence in a fresh worker.
   * @param {string[]} cells
   * @param {{ cellTimeoutMs: number; attach: () => Promise<{ name: string; sessionId: string; renderer: string }> }} options
   * @returns {Promise<Outcome[]>}
   */
  async runSequence(cells, { cellTimeoutMs, attach }) {
    const { name, sessionId, renderer } = await attach();
    const outcomes = [];
    try {
      for (const cell of cells) {
        const expression = consoleExpression(cell);
        let reply;
        try {
          reply = await this.send(
            sessionId,
            'Runtime.evaluate',
            { expression, replMode: true, awaitPromise: true, returnByValue: false, generatePreview: false },
            cellTimeoutMs,
          );
        } catch (error) {
          outcomes.push({ status: 'timeout', message: String(error.message), detail: String(error.message) });
          break;
        }
        outcomes.push(await this.outcome(sessionId, renderer, reply));
      }
    } finally {
      await this.client.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      await this.page.evaluate((n) => window.stopConsoleWorker(n), name).catch(() => {});
    }
    while (outcomes.length < cells.length) outcomes.push({ status: 'timeout', message: 'not run', detail: 'not run' });
    return outcomes;
  }

  /**
   * @param {string} sessionId
   * @param {string} renderer
   * @param {{ result: any; exceptionDetails?: any }} reply
   * @returns {Promise<Outcome>}
   */
  async outcome(sessionId, renderer, reply) {
    const { result, exceptionDetails } = reply;
    if (exceptionDetails) {
      const thrown = exceptionDetails.exception ?? result;
      const described = thrown?.objectId
        ? await this.render(sessionId, renderer, 'thrown', thrown.objectId)
        : { name: thrown?.subtype === 'null' ? 'throw null' : `throw ${thrown?.type}` };
      const isError = !described.name.startsWith('throw ');
      const out = { status: 'error', name: described.name };
      if (isError && described.name !== 'SyntaxError') out.message = described.message;
      if (hasComparablePosition(described)) Object.assign(out, consolePosition(exceptionDetails, described.name));
      out.detail = (thrown?.description ?? exceptionDetails.text ?? '').split('\n')[0].slice(0, 300);
      return out;
    }
    const value = result.objectId
      ? await this.render(sessionId, renderer, 'value', result.objectId)
      : renderRemotePrimitive(result);
    return { status: 'ok', value, detail: (result.description ?? String(result.value)).slice(0, 300) };
  }
}
