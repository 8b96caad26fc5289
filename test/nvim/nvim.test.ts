/**
 * Another real LSP client: headless Neovim (0.7+) drives `migplan-language-server --stdio`
 * through its built-in client (test/nvim/*.lua). Neovim 0.7 advertises neither
 * `workspace/configuration` nor `workspaceEdit.documentChanges`, so these tests also cover a
 * client that gets neither pulled settings nor versioned edits.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { lint } from '../../server/src/service/linting/lint';
import type { Diagnostic } from '../../server/src/service/types';
import { EXAMPLES, ROOT, isAlive, read } from '../helpers';

const DRAFT = path.join(EXAMPLES, 'draft-rename-orders-total.migplan.yaml');
const SCRIPTS = path.join(ROOT, 'test', 'nvim');
const SERVER_BUNDLE = path.join(ROOT, 'dist', 'server.js');
/** How long a script waits for the server at each step (a loaded 2-core machine is slow). */
const STEP_TIMEOUT_MS = 15_000;
/** The whole nvim run; the script itself gives up long before. */
const RUN_TIMEOUT_MS = 60_000;
const VAGUE_TRIGGER = 'if replication looks bad';
const SEVERITY: Record<Diagnostic['severity'], number> = { error: 1, warning: 2, info: 3 };

/** One entry of `vim.diagnostic.get(buf)`: 0-based, columns as Neovim stores them. */
interface NvimDiagnostic {
  code: string;
  source: string;
  severity: number;
  message: string;
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
}

/** What Neovim sent in `initialize`. */
interface ClientFacts {
  nvim: string;
  configuration: boolean;
  documentChanges: boolean;
  didChangeWatchedFiles: boolean;
  rootUri: string;
}

interface ActionSummary {
  title: string;
  kind: string;
  isPreferred: boolean;
  edit: 'changes' | 'documentChanges' | 'empty' | 'none';
}

interface RunResult {
  client: ClientFacts;
  server_pid: number;
  /** Errors and warnings the server logged or showed. */
  complaints: string[];
  version: number;
  diagnostics: NvimDiagnostic[];
}

interface DiagnosticsResult extends RunResult {
  languageId: string;
}

interface CodeActionResult extends RunResult {
  actions: ActionSummary[];
  applied: string;
  version_before: number;
  modified: boolean;
  diagnostics_before: NvimDiagnostic[];
}

/** Lua's JSON encoder writes an empty list as `{}`. */
function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Fails (never skips) when Neovim or the built server is missing; returns `nvim --version`'s first line. */
function requireNvim(): string {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail('nvim is not installed, so the Neovim LSP tests cannot run: apt-get install -y neovim; .ci/run installs it');
  }
  assert.ifError(r.error);
  assert.equal(r.status, 0, `nvim --version failed: ${r.stderr}`);
  const first = r.stdout.split('\n')[0] ?? '';
  const m = /^NVIM v(\d+)\.(\d+)/.exec(first);
  assert.ok(m && (Number(m[1]) > 0 || Number(m[2]) >= 7), `these tests need Neovim 0.7 or later, found: ${first}`);
  assert.ok(fs.existsSync(SERVER_BUNDLE), `${SERVER_BUNDLE} is missing: build first (npx tsc -b && node scripts/build.mjs)`);
  return first;
}

/** A copy of the draft plan in a fresh temporary folder (no .migplanrc.json above it). */
function tempPlan(): { dir: string; plan: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-nvim-'));
  const plan = path.join(dir, 'draft.migplan.yaml');
  fs.copyFileSync(DRAFT, plan);
  return { dir, plan };
}

/** Runs one of the Lua scripts in headless Neovim and returns what it printed as `MIGPLAN_RESULT <json>`. */
function runNvim(script: string, plan: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${path.join(SCRIPTS, script)}`], {
      cwd: path.dirname(plan),
      env: { ...process.env, MIGPLAN_REPO: ROOT, MIGPLAN_PLAN: plan, MIGPLAN_TIMEOUT_MS: String(STEP_TIMEOUT_MS) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a hung run is killed with the server it started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('MIGPLAN_RESULT '));
      const output = `\n--- stdout\n${stdout.slice(0, 4000)}\n--- stderr\n${stderr.slice(0, 4000)}`;
      if (timedOut) return reject(new Error(`nvim ${script} did not finish within ${RUN_TIMEOUT_MS} ms and was killed${output}`));
      if (status !== 0 || !line) return reject(new Error(`nvim ${script} exited with ${status ?? signal}${output}`));
      resolve(JSON.parse(line.slice('MIGPLAN_RESULT '.length)) as unknown);
    });
  });
}

/** Neovim stops the server before quitting: its process must be gone. */
async function assertServerGone(pid: number): Promise<void> {
  assert.ok(Number.isInteger(pid) && pid > 0, `no server pid reported: ${pid}`);
  for (let i = 0; i < 40 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!isAlive(pid), `the language server (pid ${pid}) outlived nvim`);
}

/** `rule line:character` of each diagnostic, sorted (a multiset). */
function starts(ds: { code: string; lnum: number; col: number }[]): string[] {
  return ds.map((d) => `${d.code} ${d.lnum}:${d.col}`).sort();
}

function lintStarts(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.rule} ${d.range.start.line}:${d.range.start.character}`).sort();
}

/** Everything Neovim kept of a diagnostic, for a full comparison with lint(). */
function detailed(ds: NvimDiagnostic[]): string[] {
  return ds.map((d) => JSON.stringify([d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.severity, d.source, d.message])).sort();
}

function lintDetailed(ds: Diagnostic[]): string[] {
  return ds.map((d) => JSON.stringify([d.rule, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, SEVERITY[d.severity], 'migplan', d.message])).sort();
}

function assertClientFacts(client: ClientFacts, dir: string): void {
  // Neovim 0.7's client: the server must not pull settings nor send versioned edits.
  assert.equal(client.configuration, false, `nvim ${client.nvim} now advertises workspace/configuration; update this test`);
  assert.equal(client.documentChanges, false, `nvim ${client.nvim} now advertises documentChanges; update this test`);
  assert.equal(client.rootUri, `file://${dir}`);
}

describe('Neovim as the LSP client (headless)', { timeout: 2 * RUN_TIMEOUT_MS }, () => {
  it('shows the same diagnostics as lint(): rule code, source migplan, 0-based positions', async () => {
    requireNvim();
    const { dir, plan } = tempPlan();
    try {
      const r = (await runNvim('diagnostics.lua', plan)) as DiagnosticsResult;
      await assertServerGone(r.server_pid);
      assertClientFacts(r.client, dir);
      assert.equal(r.languageId, 'migplan');
      const diagnostics = list<NvimDiagnostic>(r.diagnostics);
      const expected = lint(read(plan)).diagnostics;
      assert.ok(expected.length > 0);
      assert.deepEqual(starts(diagnostics), lintStarts(expected));
      for (const d of diagnostics) assert.equal(d.source, 'migplan', `${d.code} at ${d.lnum}:${d.col}`);
      assert.deepEqual(detailed(diagnostics), lintDetailed(expected));
      assert.deepEqual(list<string>(r.complaints), [], 'the server logged errors or warnings');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies the rollback-trigger quick fix, writes the file and re-lints it', async () => {
    requireNvim();
    const { dir, plan } = tempPlan();
    try {
      const original = read(plan);
      const r = (await runNvim('code_action.lua', plan)) as CodeActionResult;
      await assertServerGone(r.server_pid);
      assertClientFacts(r.client, dir);

      // Without documentChanges the server answers with plain `changes`.
      const actions = list<ActionSummary>(r.actions);
      assert.deepEqual(
        actions.slice(0, 2).map((a) => [a.title, a.kind, a.edit]),
        [
          [r.applied, 'quickfix', 'changes'],
          ['Ignore rollback-trigger for this node (then write why)', 'quickfix', 'changes'],
        ],
      );
      // Then "Fix all" (the plan has more than one fixable problem), in any LSP client.
      assert.equal(actions.length, 3);
      assert.match(actions[2].title, /^Fix all \d+ fixable migplan problems$/);
      assert.deepEqual([actions[2].kind, actions[2].edit], ['quickfix', 'changes']);

      // On disk: only the trigger's line changed, to a numeric threshold.
      const before = original.split('\n');
      const after = read(plan).split('\n');
      const line = before.findIndex((l) => l.includes(VAGUE_TRIGGER));
      assert.ok(line >= 0);
      assert.equal(after.length, before.length, 'the fix added or removed lines');
      const changed = before.flatMap((l, i) => (after[i] === l ? [] : [i]));
      assert.deepEqual(changed, [line], 'lines other than the trigger changed');
      assert.match(after[line]!, /^ {6}- when: [a-z_]+ (?:>=|<=|>|<|=) \d+(?:\.\d+)?[a-z%]*(?: for \d+[a-z]+)?$/);
      assert.equal(r.modified, false, 'the buffer is still modified after :write');

      // The server re-linted the edited version: the vague trigger is gone, the rest is as lint() says.
      assert.ok(r.version > r.version_before, `diagnostics are for version ${r.version}, the edit was on ${r.version_before}`);
      const diagnostics = list<NvimDiagnostic>(r.diagnostics);
      const beforeDiagnostics = list<NvimDiagnostic>(r.diagnostics_before);
      const onTrigger = (ds: NvimDiagnostic[]) => ds.filter((d) => d.code === 'rollback-trigger' && d.lnum === line);
      assert.equal(onTrigger(beforeDiagnostics).length, 1, 'the vague trigger was not reported before the fix');
      assert.deepEqual(onTrigger(diagnostics), [], 'rollback-trigger still fires on the fixed trigger');
      assert.deepEqual(starts(diagnostics), lintStarts(lint(read(plan)).diagnostics));
      // The threshold written is a replication-lag one: it also gives the backfill the lag trigger it lacked.
      assert.equal(diagnostics.length, beforeDiagnostics.length - 2);
      assert.deepEqual(list<string>(r.complaints), [], 'the server logged errors or warnings');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
