// Builds dist/python/: the Python runtime a Python session loads, served beside the SDK.
//
//   pyodide.mjs, pyodide.asm.mjs, pyodide.asm.wasm, pyodide-lock.json   copied from the pyodide package
//   python_stdlib.zip      the standard library with precompiled bytecode (.pyc beside each .py)
//   sandcell_engine.zip    the engine (lib/python/engine), precompiled the same way
//
// Stock Pyodide ships its standard library as .py files, so every start compiles every module it
// imports (Pyodide's own start-up imports asyncio, inspect, ast…). The bytecode here is produced
// by running that same Pyodide in Node — the compiler that will load it, so the magic number
// matches — with unchecked hash-based .pyc files: zipimport takes them without reading the
// source, and the .py files stay for tracebacks and inspect.getsource. Nothing is downloaded.
//
// Usage: node scripts/build-python.mjs [--out dist/python] [--stored] [--no-source]
//   --stored      store .pyc entries uncompressed (bigger download, no inflate at import)
//   --no-source   leave the standard library's .py files out (smaller; tracebacks into it lose their lines)
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME_FILES = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'pyodide-lock.json'];
const ENGINE_DIR = join(ROOT, 'lib/python/engine');

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const OUT = resolve(ROOT, outIndex >= 0 ? args[outIndex + 1] : 'dist/python');
const STORED = args.includes('--stored');
const NO_SOURCE = args.includes('--no-source');

const require = createRequire(import.meta.url);
const PYODIDE_DIR = dirname(require.resolve('pyodide/package.json'));
const { loadPyodide } = await import(join(PYODIDE_DIR, 'pyodide.mjs'));

const started = performance.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const file of RUNTIME_FILES) copyFileSync(join(PYODIDE_DIR, file), join(OUT, file));

const pyodide = await loadPyodide({ indexURL: `${PYODIDE_DIR}/` });
const version = pyodide.runPython('import sys; "%d%d" % sys.version_info[:2]');

// The engine's sources go into the same in-memory file system the standard library is in.
for (const file of listFiles(ENGINE_DIR)) {
  const target = `/build/engine-src/${relative(ENGINE_DIR, file)}`;
  pyodide.FS.mkdirTree(dirname(target));
  pyodide.FS.writeFile(target, readFileSync(file));
}

const compile = pyodide.runPython(`
import compileall, io, os, py_compile, shutil, zipfile

def precompile(source_zip, work_dir, out_zip, stored, keep_source):
    """Extracts a zip (or takes a directory), compiles every .py beside itself, writes a new zip."""
    if source_zip.endswith(".zip"):
        shutil.rmtree(work_dir, ignore_errors=True)
        with zipfile.ZipFile(source_zip) as archive:
            archive.extractall(work_dir)
    else:
        work_dir = source_zip
    ok = compileall.compile_dir(
        work_dir,
        quiet=1,
        legacy=True,  # name.pyc beside name.py: where zipimport looks
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        workers=1,
    )
    if not ok:
        raise RuntimeError(f"compiling {source_zip} failed")
    count = 0
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, dirs, files in sorted(os.walk(work_dir)):
            dirs.sort()
            for name in sorted(files):
                if "__pycache__" in folder or (name.endswith(".py") and not keep_source):
                    continue
                path = os.path.join(folder, name)
                arcname = os.path.relpath(path, work_dir)
                kind = zipfile.ZIP_STORED if stored and name.endswith(".pyc") else zipfile.ZIP_DEFLATED
                info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = kind
                with open(path, "rb") as source:
                    archive.writestr(info, source.read())
                count += name.endswith(".pyc")
    return count

precompile
`);

const stdlibCount = compile(
  `/lib/python${version}.zip`,
  '/build/stdlib',
  '/build/python_stdlib.zip',
  STORED,
  !NO_SOURCE,
);
writeFileSync(join(OUT, 'python_stdlib.zip'), pyodide.FS.readFile('/build/python_stdlib.zip'));
const engineCount = compile('/build/engine-src', '', '/build/sandcell_engine.zip', STORED, true);
writeFileSync(join(OUT, 'sandcell_engine.zip'), pyodide.FS.readFile('/build/sandcell_engine.zip'));
compile.destroy();

const kb = (file) => `${Math.round(statSync(join(OUT, file)).size / 1024)} kB`;
console.log(
  `[build-python] ${relative(ROOT, OUT)}: python_stdlib.zip (${stdlibCount} modules precompiled, ${kb('python_stdlib.zip')}), ` +
    `sandcell_engine.zip (${engineCount} modules, ${kb('sandcell_engine.zip')}), runtime ${RUNTIME_FILES.join(', ')} ` +
    `in ${Math.round((performance.now() - started) / 1000)} s`,
);

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : listFiles(path);
    return entry.name.endsWith('.py') ? [path] : [];
  });
}
