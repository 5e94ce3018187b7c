// After `tsc -p tsconfig.build.json`: keeps only the declaration files reachable from the
// entries' types named in package.json `exports` (dist/index.d.ts, dist/sandcell.iife.d.ts;
// tsc emits one per module of the program, internals included) and removes the rest, so
// the package's types show the public surface and nothing else.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const root = fileURLToPath(new URL('..', import.meta.url));
const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.values(exports).flatMap((entry) =>
  typeof entry === 'object' && entry.types ? [entry.types] : [],
);
const reachable = new Set();
const pending = entries.map((types) => resolve(root, types));
while (pending.length > 0) {
  const file = pending.pop();
  if (reachable.has(file) || !existsSync(file)) continue;
  reachable.add(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    pending.push(resolve(dirname(file), match[1].replace(/\.(ts|js)$/, '.d.ts')));
  }
}

function* declarations(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* declarations(path);
    else if (name.endsWith('.d.ts')) yield path;
  }
}

const removed = [];
for (const file of declarations(dist)) {
  if (!reachable.has(file)) {
    rmSync(file);
    removed.push(relative(dist, file));
  }
}
// Folders left empty by the pruning go too.
for (const name of readdirSync(dist)) {
  const path = join(dist, name);
  if (statSync(path).isDirectory() && readdirSync(path).length === 0) rmSync(path, { recursive: true });
}
console.log(
  `[sandcell] declarations: kept ${reachable.size}, removed ${removed.length} internal (${removed.join(', ')})`,
);
