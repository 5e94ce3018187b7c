/**
 * The differential corpus: sequences of cells, each run in order in one fresh session on both
 * sides. A sequence is `{ id: '<category>/<name>', cells: [...] }`; the category is the file.
 * To add a case, add a line to the category's file (ids are stable: the slice and intended.mjs
 * refer to them); to add a category, add a file and list it here.
 */
import annexb from './annexb.mjs';
import awaitCells from './await.mjs';
import classes from './classes.mjs';
import closures from './closures.mjs';
import completion from './completion.mjs';
import declarations from './declarations.mjs';
import deleteCells from './delete.mjs';
import destructuring from './destructuring.mjs';
import errors from './errors.mjs';
import evalCells from './eval.mjs';
import functions from './functions.mjs';
import hoisting from './hoisting.mjs';
import loops from './loops.mjs';
import objlit from './objlit.mjs';
import redeclaration from './redeclaration.mjs';
import reserved from './reserved.mjs';
import robustness from './robustness.mjs';
import shebang from './shebang.mjs';
import strict from './strict.mjs';
import syntax from './syntax.mjs';
import tdz from './tdz.mjs';
import toplevel from './toplevel.mjs';
import tostring from './tostring.mjs';
import typeofCells from './typeof.mjs';
import underscore from './underscore.mjs';
import using from './using.mjs';

/** @type {Array<{ id: string; cells: string[] }>} */
export const corpus = [
  ...completion,
  ...declarations,
  ...redeclaration,
  ...tdz,
  ...closures,
  ...hoisting,
  ...functions,
  ...classes,
  ...toplevel,
  ...strict,
  ...deleteCells,
  ...typeofCells,
  ...destructuring,
  ...awaitCells,
  ...using,
  ...syntax,
  ...errors,
  ...underscore,
  ...objlit,
  ...reserved,
  ...tostring,
  ...robustness,
  ...annexb,
  ...shebang,
  ...evalCells,
  ...loops,
];

const seen = new Set();
for (const sequence of corpus) {
  if (!/^[a-z]+\/[A-Za-z0-9-]+$/.test(sequence.id))
    throw new Error(`[sandcell] differential: bad sequence id ${sequence.id}`);
  if (seen.has(sequence.id)) throw new Error(`[sandcell] differential: sequence id ${sequence.id} is used twice`);
  seen.add(sequence.id);
}
