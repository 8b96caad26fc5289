// `npm run package` (after `npm run build:release`): the extension's .vsix, made by vsce, in
// one line: `Packaged migplan-0.1.0.vsix: 23 files, 6.4 MB`. vsce's own output (the tree of
// packaged files) is kept back unless it fails; then all of it goes to stderr and the exit
// code is vsce's. A warning vsce gives without failing ends the line.
// Usage: node scripts/package.mjs [--out <file.vsix>]   (default: migplan-<version>.vsix in the root)
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const args = process.argv.slice(2);
let out = join(root, `${name}-${version}.vsix`);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) out = resolve(args[++i]);
  else {
    console.error(`package.mjs: unknown argument ${args[i]}\nUsage: node scripts/package.mjs [--out <file.vsix>]`);
    process.exit(2);
  }
}

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const vsceArgs = ['package', '--no-dependencies', '--readme-path', 'README.extension.md', '-o', out];
const child = spawn(process.execPath, [vsce, ...vsceArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
let output = '';
child.stdout.on('data', (b) => (output += b));
child.stderr.on('data', (b) => (output += b));
child.on('error', (err) => {
  console.error(`package.mjs: could not run vsce (${vsce}): ${err.message}`);
  process.exit(1);
});
child.on('close', (code, signal) => {
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  // vsce's last line: `DONE  Packaged: /abs/migplan-0.1.0.vsix (23 files, 6.44 MB)`
  const done = /Packaged: .*\((\d+) files?, ([^)]+)\)\s*$/m.exec(text);
  let size;
  try {
    size = statSync(out).size;
  } catch {
    size = undefined;
  }
  if (code !== 0 || !done || size === undefined) {
    process.stderr.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    console.error(`package.mjs: vsce ${vsceArgs.join(' ')} failed (${code !== 0 ? `exit ${code ?? signal}` : !done ? 'no "Packaged:" line' : `${out} is missing`})`);
    process.exit(code !== 0 && code !== null ? code : 1);
  }
  const rel = relative(process.cwd(), out);
  const shown = rel.startsWith('..') || isAbsolute(rel) ? out : rel;
  // Warnings do not stop vsce (those that need an answer do, stdin being closed); the first one is kept on the line.
  const warning = /^WARNING\s+(.+)$/m.exec(text)?.[1]?.trim();
  console.log(`Packaged ${shown}: ${done[1]} files, ${(size / (1024 * 1024)).toFixed(1)} MB${warning ? ` (vsce warned: ${warning})` : ''}`);
});
