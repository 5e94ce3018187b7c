// A hashbang line at the very start of a cell is a comment.
export default [
  { id: 'shebang/expression', cells: ['#!/usr/bin/env node\n1 + 1'] },
  { id: 'shebang/declaration', cells: ['#!/bin/sh\nlet sb = 1', 'sb'] },
  { id: 'shebang/only', cells: ['#! only a comment'] },
  { id: 'shebang/leading-space', cells: [' #!/not/at/start\n1'] },
  { id: 'shebang/second-line', cells: ['1\n#!/usr/bin/env node'] },
  { id: 'shebang/with-await', cells: ['#!/usr/bin/env node\nawait 2'] },
  { id: 'shebang/error-position', cells: ['#!/usr/bin/env node\nnull.x'] },
];
