// Bundles the CLI (and, when present, the language server and the VS Code client) with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Node built-ins that vscode-languageserver and vscode-jsonrpc load at start-up
// but use only on paths the migplan server never takes over stdio (module
// resolution by forking npm, random pipe names): each becomes a module that
// loads the real one on first use, which takes ~10 ms off the cold start.
const LAZY_BUILTINS = new Set(['child_process', 'crypto']);
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|crypto)$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!LAZY_BUILTINS.has(name) || !/[\\/]node_modules[\\/]vscode-(languageserver|jsonrpc)[\\/]/.test(args.importer)) return undefined;
      return { path: name, namespace: 'lazy-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require('node:${args.path}'));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
});
`,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { MIGPLAN_VERSION: JSON.stringify(version) },
  plugins: [lazyBuiltins],
};

const require = createRequire(import.meta.url);

// The embedded rehearsal engine's child process bundles PGlite's CommonJS build
// (the ESM one finds its files through import.meta.url, which a CommonJS bundle
// has not): it then finds pglite.wasm, initdb.wasm and pglite.data beside the
// bundle (new URL('./pglite.wasm', <the bundle's file URL>)), where they are copied.
const pgliteCjs = {
  name: 'pglite-cjs',
  setup(build) {
    build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: require.resolve('@electric-sql/pglite') }));
  },
};
const PGLITE_FILES = ['pglite.wasm', 'initdb.wasm', 'pglite.data'];

const entries = [
  { in: 'server/src/cli.ts', out: 'dist/cli.js' },
  { in: 'server/src/server.ts', out: 'dist/server.js' },
  { in: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  // PGlite's `ws` is for sockets it never opens here.
  { in: 'server/src/rehearse/pgliteWorker.ts', out: 'dist/pgliteWorker.js', external: ['ws'], plugins: [pgliteCjs] },
  // The editor's "Rehearse" command forks this (the parser, the linter, the engines; PGlite stays in
  // pgliteWorker.js beside it): it finds libpg-query.wasm and pgliteWorker.js in dist/ too.
  { in: 'server/src/rehearse/child.ts', out: 'dist/rehearseChild.js' },
].filter((e) => existsSync(join(root, e.in)));

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      ...common,
      entryPoints: [join(root, e.in)],
      outfile: join(root, e.out),
      external: e.external ?? [],
      plugins: [...common.plugins, ...(e.plugins ?? [])],
    }),
  ),
);
// PostgreSQL's parser is WASM: its loader, bundled, looks for the file beside the bundle.
mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(join(require.resolve('libpg-query'), '..', 'libpg-query.wasm'), join(root, 'dist', 'libpg-query.wasm'));
if (entries.some((e) => e.out === 'dist/pgliteWorker.js')) {
  const pgliteDir = dirname(require.resolve('@electric-sql/pglite'));
  for (const f of PGLITE_FILES) copyFileSync(join(pgliteDir, f), join(root, 'dist', f));
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.map((e) => e.in).join(', ')}`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  writeCodeCaches();
}

/**
 * V8 code caches for the two commands (bin/load-bundle.js), each made by a
 * process started with the Node options of the command's shebang, as V8
 * accepts a cache only under the flags it was made with. The VS Code client
 * starts the server in VS Code's own runtime and does not use them.
 */
function writeCodeCaches() {
  const example = join(root, 'examples', 'split-user-name.migplan.yaml');
  const loader = JSON.stringify(join(root, 'bin', 'load-bundle.js'));
  for (const [bin, bundle, warm] of [
    // the server: one in-memory editing session on the example plan
    ['bin/migplan-language-server.js', 'dist/server.js', `(m) => m.warmUp(require('node:fs').readFileSync(${JSON.stringify(example)}, 'utf8'))`],
    // the CLI: a lint and a render of the example, output discarded
    [
      'bin/migplan.js',
      'dist/cli.js',
      `(m) => { const io = { cwd: ${JSON.stringify(root)}, stdout: () => true, stderr: () => true, color: false }; m.main(['lint', ${JSON.stringify(example)}], io); m.main(['render', ${JSON.stringify(example)}], io); }`,
    ],
  ]) {
    if (!existsSync(join(root, bundle))) continue;
    const shebang = readFileSync(join(root, bin), 'utf8').split('\n')[0];
    const m = /^#!\/usr\/bin\/env (?:-S )?node((?: --[\w-]+(?:=\S+)?)*)$/.exec(shebang);
    if (!m) throw new Error(`${bin}: unexpected shebang ${shebang}`);
    const flags = m[1].trim() === '' ? [] : m[1].trim().split(' ');
    const script = `require(${loader}).writeCodeCache(${JSON.stringify(join(root, bundle))}, ${warm}).catch((e) => { console.error(e); process.exit(1); })`;
    const r = spawnSync(process.execPath, [...flags, '-e', script], { stdio: 'inherit', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`writing the code cache of ${bundle} failed${r.error ? `: ${r.error.message}` : ''}`);
  }
}
