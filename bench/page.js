// The bench page: registers each suite so bench/run.mjs can run one per fresh page.
import core from './suites/core.js';
import hosting from './suites/hosting.js';
import interrupts from './suites/interrupts.js';
import output from './suites/output.js';
import peer from './suites/peer.js';
import render from './suites/render.js';
import snapshots from './suites/snapshots.js';

const SUITES = { core, hosting, interrupts, snapshots, output, peer, render };

/**
 * @param {string} name
 * @param {{ quick: boolean }} options
 * @returns {Promise<object[]>} the suite's figures (see lib/stats.js)
 */
window.runSuite = async (name, options) => {
  if (!crossOriginIsolated)
    throw new Error('[sandcell bench] the page is not cross-origin isolated: check the COOP/COEP headers');
  const suite = SUITES[name];
  if (!suite)
    throw new Error(`[sandcell bench] no suite ${JSON.stringify(name)}; known: ${Object.keys(SUITES).join(', ')}`);
  return suite(options);
};
window.benchReady = true;
