// Bundles the CLI (and, when present, the language server and the VS Code client) with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { MIGPLAN_VERSION: JSON.stringify(version) },
};

const entries = [
  { in: 'server/src/cli.ts', out: 'dist/cli.js' },
  { in: 'server/src/server.ts', out: 'dist/server.js' },
  { in: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
].filter((e) => existsSync(join(root, e.in)));

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({ ...common, entryPoints: [join(root, e.in)], outfile: join(root, e.out), external: e.external ?? [] }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.map((e) => e.in).join(', ')}`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
