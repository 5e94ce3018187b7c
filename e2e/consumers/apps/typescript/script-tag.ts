/// <reference types="sandcell/iife" />
// A page that loads node_modules/sandcell/dist/sandcell.iife.js with a <script> tag.

Sandcell.createSession({ timeoutMs: 1000 })
  .then((session) => session.execute('1 + 1'))
  .then((result) => console.log(result.status, result.repr));

// @ts-expect-error: the global is typed, so a misspelled export is a type error
Sandcell.createSesion();
