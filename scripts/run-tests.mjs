// Runs every compiled test file (out/test/**/*.test.js) with node's test runner:
// unit, rules, CLI, LSP, Neovim, and the real-VS-Code suites (extension host, UI).
// The VS Code server is installed into .e2e/ first (once; later runs reuse it).
// Ends with one line: `N passed, N failed`.
// Usage: node scripts/run-tests.mjs [filter-substring]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const testRoot = join(root, 'out', 'test');
const filter = process.argv[2];
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (!filter || p.includes(filter))) files.push(p);
  }
})(testRoot);
if (files.length === 0) {
  console.error(`no test files under ${testRoot}${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}

// The real-editor suites need the VS Code server: install it now, with its progress lines,
// rather than inside a test's time limit. A failure here is reported by those suites.
if (files.some((f) => f.includes(`${join('test', 'e2e')}`))) {
  try {
    await createRequire(import.meta.url)(join(root, 'out', 'scripts', 'e2e', 'vscode.js')).ensureVsCodeServer();
  } catch (err) {
    console.error(`VS Code server setup failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const tap = join(mkdtempSync(join(tmpdir(), 'migplan-tests-')), 'results.tap');
// Dates in plans (a restore test's age) are judged as of one fixed day, so that no fixture goes
// stale: the tests, and the CLI, language server and editor they start, all read it.
const env = { ...process.env, MIGPLAN_TODAY: process.env.MIGPLAN_TODAY ?? '2026-12-01' };
// A test that never yields (a synchronous loop gone quadratic) is out of reach of node's own
// per-test timeouts: past this, the run is stopped and fails, naming the time, instead of
// running into CI's limit without a word.
const LIMIT_MIN = Number(process.env.MIGPLAN_TEST_LIMIT_MIN ?? 45);
const r = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit', env, timeout: LIMIT_MIN * 60_000, killSignal: 'SIGKILL' },
);
if (r.error || r.signal) console.error(`the tests were stopped after ${LIMIT_MIN} min (${r.error?.message ?? r.signal}): a test did not finish; the last file reported above is the one after which it ran`);
let passed = 0;
let failed = 0;
try {
  const text = readFileSync(tap, 'utf8');
  passed = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  failed = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)$/m.exec(text)?.[1] ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
