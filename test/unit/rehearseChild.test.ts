/**
 * The rehearsal's child process (server/src/rehearse/child.ts), as the VS Code
 * extension runs it: forked, one request over IPC, progress messages, then
 * one result or one error, and an exit. Killed mid-run, it leaves no PGlite
 * worker behind.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { scratchSchemas as listScratchSchemas, useCluster } from '../pgTest';
import type { RehearseChildMessage, RehearseChildRequest } from '../../server/src/rehearse/childProtocol';
import { EXAMPLES, ROOT, isAlive, read } from '../helpers';

const CHILD = path.join(ROOT, 'out', 'server', 'src', 'rehearse', 'child.js');
const EXAMPLE_PATH = path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml');
const EXAMPLE = read(EXAMPLE_PATH);

interface Run {
  child: ChildProcess;
  messages: RehearseChildMessage[];
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(request: unknown): Run {
  const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
  const messages: RehearseChildMessage[] = [];
  child.on('message', (m: RehearseChildMessage) => messages.push(m));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.send(request as object);
  return { child, messages, exited };
}

/** Whether the process has exited (a zombie not yet reaped by its new parent counts as exited). */
function gone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The processes whose parent is `pid` (Linux: /proc/<pid>/stat). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function last(run: Run): RehearseChildMessage | undefined {
  return run.messages.filter((m) => m.type !== 'progress').at(-1);
}

describe('the rehearsal child process (child.ts)', { timeout: 180_000 }, () => {
  it('rehearses the example at 500 rows: progress, then a result with no diagnostics and every phase', async () => {
    const request: RehearseChildRequest = { planPath: EXAMPLE_PATH, text: EXAMPLE, rows: 500 };
    const run = start(request);
    const { code, signal } = await run.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    const progress = run.messages.filter((m) => m.type === 'progress');
    assert.ok(progress.length >= 5, `progress messages: ${progress.length}`);
    assert.ok(progress.every((p) => typeof p.step === 'string' && p.step !== ''));
    const phasesSeen = new Set(progress.map((p) => p.phase).filter((p) => p !== undefined));
    assert.deepEqual([...phasesSeen], ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup']);
    assert.ok(
      progress.some((p) => p.batch && p.batch.k >= 1 && p.batch.n >= p.batch.k),
      'a progress message counts the backfill batches',
    );
    const result = last(run);
    assert.ok(result?.type === 'result', `a result, not ${JSON.stringify(result)}`);
    assert.equal(run.messages.at(-1), result, 'the result is the last message');
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.report.engine, 'pglite');
    assert.equal(result.report.rows, 500);
    assert.deepEqual(
      result.report.phases.map((p) => p.id),
      ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup'],
    );
    assert.equal(result.report.target_schema.matches, true);
    // The phases' ranges, for the plan view: each starts on its `- id:` line.
    const lines = EXAMPLE.split('\n');
    assert.deepEqual(
      result.phases.map((p) => p.id),
      ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup'],
    );
    for (const p of result.phases) assert.equal(lines[p.range.start.line].trim(), `- id: ${p.id}`);
  });

  it('reports a finding of a broken rollback as a diagnostic on its line', async () => {
    const broken = EXAMPLE.replace('ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name;', 'ALTER TABLE users DROP COLUMN first_name;');
    assert.notEqual(broken, EXAMPLE);
    const run = start({ planPath: EXAMPLE_PATH, text: broken, rows: 200 } satisfies RehearseChildRequest);
    assert.equal((await run.exited).code, 0);
    const result = last(run);
    assert.ok(result?.type === 'result', JSON.stringify(result));
    assert.ok(result.diagnostics.length > 0, 'findings');
    for (const d of result.diagnostics) assert.match(d.rule, /^rehearse-/);
    const rollbackLine = broken.split('\n').findIndex((l) => l.includes('ALTER TABLE users DROP COLUMN first_name;'));
    const dualWrite = result.phases.find((p) => p.id === 'dual-write')!;
    assert.ok(
      result.diagnostics.some((d) => d.range.start.line >= dualWrite.range.start.line && d.range.start.line <= rollbackLine),
      `a finding inside the dual-write phase: ${result.diagnostics.map((d) => `${d.range.start.line + 1} ${d.rule} ${d.message}`).join(' | ')}`,
    );
  });

  it('refuses a plan without context.dialect: postgresql in one line', async () => {
    const plain = path.join(EXAMPLES, 'split-user-name.migplan.yaml');
    const run = start({ planPath: plain, text: read(plain) } satisfies RehearseChildRequest);
    assert.equal((await run.exited).code, 0);
    assert.deepEqual(
      run.messages.map((m) => m.type),
      ['error'],
    );
    const err = run.messages[0];
    assert.ok(err.type === 'error');
    assert.match(err.message, /no context\.dialect: postgresql/);
    assert.doesNotMatch(err.message, /\n/);
  });

  it('refuses, before connecting, a plan naming another schema when a database is given', async () => {
    const qualified = EXAMPLE.replace('SELECT count(*) AS divergent_rows FROM users', 'SELECT count(*) AS divergent_rows FROM public.users');
    assert.notEqual(qualified, EXAMPLE);
    // Port 1 on localhost: nothing answers there, so an error about the connection would mean it tried.
    const run = start({ planPath: EXAMPLE_PATH, text: qualified, database: 'postgres://nobody@127.0.0.1:1/none' } satisfies RehearseChildRequest);
    assert.equal((await run.exited).code, 0);
    const err = last(run);
    assert.ok(err?.type === 'error', JSON.stringify(err));
    assert.match(err.message, /names public\.users/);
    assert.match(err.message, /^split-user-name-postgres\.migplan\.yaml:\d+:\d+: /);
  });

  it('answers a malformed request with an error', async () => {
    const run = start({ text: 42 });
    assert.equal((await run.exited).code, 0);
    const err = last(run);
    assert.ok(err?.type === 'error');
    assert.match(err.message, /without a plan text/);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`killed mid-run (${signal}), it leaves no PGlite worker behind`, async () => {
      const run = start({ planPath: EXAMPLE_PATH, text: EXAMPLE, rows: 20_000 } satisfies RehearseChildRequest);
      // A phase is running: PGlite's worker is up.
      await waitFor('a phase to start', () => run.messages.some((m) => m.type === 'progress' && m.phase !== undefined), 120_000);
      const pid = run.child.pid!;
      const workers = childrenOf(pid);
      assert.equal(workers.length, 1, `one worker under the child: ${workers.join(', ')}`);
      const worker = workers[0];
      assert.match(fs.readFileSync(`/proc/${worker}/cmdline`, 'utf8'), /pgliteWorker\.js/);
      run.child.kill(signal);
      const { signal: how, code } = await run.exited;
      if (signal === 'SIGTERM') assert.equal(code, 143, `exit code ${code} signal ${how}`);
      else assert.equal(how, 'SIGKILL');
      assert.equal(last(run), undefined, 'no result after the kill');
      await waitFor(`the worker ${worker} to exit`, () => gone(worker), 10_000);
    });
  }
});

describe('the rehearsal child process on a PostgreSQL server', { timeout: 180_000 }, () => {
  const url = useCluster();
  const scratchSchemas = (): Promise<string[]> => listScratchSchemas(url());

  it('rehearses the example in a scratch schema, and drops it', async () => {
    const run = start({ planPath: EXAMPLE_PATH, text: EXAMPLE, rows: 300, database: url() } satisfies RehearseChildRequest);
    assert.equal((await run.exited).code, 0);
    const result = last(run);
    assert.ok(result?.type === 'result', JSON.stringify(result));
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.report.engine, 'postgres');
    assert.deepEqual(await scratchSchemas(), []);
  });

  it('killed mid-run with SIGTERM (cancel), it leaves no scratch schema', async () => {
    const run = start({ planPath: EXAMPLE_PATH, text: EXAMPLE, rows: 50_000, database: url() } satisfies RehearseChildRequest);
    await waitFor('a phase to start', () => run.messages.some((m) => m.type === 'progress' && m.phase !== undefined), 60_000);
    assert.equal((await scratchSchemas()).length, 2, 'the scratch schema and its target are there while it runs');
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    assert.equal(code, 143);
    assert.equal(last(run), undefined, 'no result after the kill');
    assert.deepEqual(await scratchSchemas(), []);
  });

  it('an unreachable server is one line naming it', async () => {
    const run = start({ planPath: EXAMPLE_PATH, text: EXAMPLE, database: 'postgres://nobody@127.0.0.1:1/none' } satisfies RehearseChildRequest);
    assert.equal((await run.exited).code, 0);
    const err = last(run);
    assert.ok(err?.type === 'error', JSON.stringify(err));
    assert.match(err.message, /127\.0\.0\.1:1/);
    assert.doesNotMatch(err.message, /\n/);
  });
});
