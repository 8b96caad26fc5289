/**
 * `npm start`: the packaged extension in a real VS Code, with the example plans.
 * Installs the VS Code server on first use (.e2e/), installs the .vsix into it,
 * serves it on 127.0.0.1 and prints the URL. Ctrl+C stops everything it started.
 * `npm start -- --desktop` installs the .vsix into a desktop `code` instead.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { E2E_DIR, ROOT, ensureVsCodeServer, installVsix, startVsCodeServer, type VsCodeServer } from './e2e/vscode';

function vsixPath(): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const file = path.join(ROOT, `migplan-${version}.vsix`);
  if (!fs.existsSync(file)) throw new Error(`${path.basename(file)} is missing; run \`npm run package\` (npm start does)`);
  return file;
}

function timed<T>(what: string, fn: () => T): T {
  const t = performance.now();
  process.stdout.write(`${what} ...`);
  const r = fn();
  process.stdout.write(` done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  return r;
}

/** The example plans, copied once so that edits made in the editor stay out of the repository. */
function workspace(): string {
  const ws = path.join(E2E_DIR, 'workspace');
  if (!fs.existsSync(ws)) fs.cpSync(path.join(ROOT, 'examples'), ws, { recursive: true });
  return ws;
}

function desktop(vsix: string): number {
  const found = spawnSync('code', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    console.error('npm start -- --desktop: no desktop `code` command on PATH. Run `npm start` without --desktop for the VS Code server.');
    return 2;
  }
  timed(`Installing ${path.basename(vsix)} into desktop VS Code ${found.stdout.split('\n')[0]}`, () => {
    const r = spawnSync('code', ['--install-extension', vsix, '--force'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`code --install-extension failed:\n${r.stdout}${r.stderr}`);
  });
  spawnSync('code', [workspace()], { stdio: 'inherit' });
  console.log(`Opened ${workspace()} in VS Code.`);
  return 0;
}

async function main(): Promise<number> {
  const vsix = vsixPath();
  if (process.argv.includes('--desktop')) return desktop(vsix);
  await ensureVsCodeServer((line) => console.log(line));
  const extensionsDir = path.join(E2E_DIR, 'start-extensions');
  timed(`Installing ${path.basename(vsix)} into the VS Code server`, () => installVsix(vsix, extensionsDir));
  const folder = workspace();
  const server: VsCodeServer = await startVsCodeServer({ extensionsDir, name: 'start' });
  const open = path.join(folder, 'draft-rename-orders-total.migplan.yaml');
  console.log('');
  console.log(`migplan is running in VS Code (server ${server.host}), with the example plans from ${folder}.`);
  console.log(`Open in a browser:  ${server.url(folder, [['openFile', server.remote(open)]])}`);
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.stop();
  console.log('\nStopped the VS Code server.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
