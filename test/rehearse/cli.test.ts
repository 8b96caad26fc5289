/**
 * `migplan rehearse` as a user runs it: exit codes, the text, JSON (the
 * spec's names) and SARIF outputs, --report and render --rehearsal, the
 * refusals (no dialect, another schema, a database that cannot be reached),
 * and an interrupted run on a server leaving no scratch schema behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { main, mainAsync, type Io } from '../../server/src/cli';
import { loadSqlParser } from '../../server/src/service/sql/parser';
import { EXAMPLES, ROOT, read } from '../helpers';
import { scratchSchemas as listScratchSchemas, useCluster } from '../pgTest';

const EXAMPLE = read(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'));
const BIN = path.join(ROOT, 'bin', 'migplan.js');

let dir = '';
const url = useCluster();

before(async () => {
  await loadSqlParser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migplan-rehearse-cli-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), color: false };
  const code = await mainAsync(args, io);
  return { code, out, err };
}

/** The scratch schemas on the test server. */
const scratchSchemas = (): Promise<string[]> => listScratchSchemas(url());

describe('migplan rehearse', { timeout: 300_000 }, () => {
  it('rehearses the example on a server with no finding: exit 0, the figures in the text', async () => {
    const plan = write('ok.migplan.yaml', EXAMPLE);
    const r = await run(['rehearse', '--database', url(), '--rows', '1000', plan]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^No problems in 1 file\./m);
    assert.match(r.out, /Rehearsed on a PostgreSQL server, PostgreSQL \d+\.\d+, 1,000 rows/);
    assert.match(r.out, /backfill: .*backfill 999 rows in 1 batch, .* rows\/s, idempotent: true, restartable: true/);
    assert.match(r.out, /end state matches target_schema/);
    assert.deepEqual(await scratchSchemas(), [], 'the scratch schemas are dropped');
  });

  it('prints the JSON the spec names, writes it with --report, and render --rehearsal shows it', async () => {
    const plan = write('json.migplan.yaml', EXAMPLE);
    const r = await run(['rehearse', '--database', url(), '--rows', '600', '--format', 'json', '--report', 'out.json', plan]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')), json);
    assert.deepEqual(json.files, [{ path: plan, diagnostics: [] }]);
    assert.deepEqual(json.summary, { files: 1, errors: 0, warnings: 0, infos: 0 });
    const h = json.rehearsal;
    assert.equal(h.engine, 'postgres');
    assert.match(h.server_version, /^\d+\.\d+/);
    assert.equal(h.rows, 600);
    assert.equal(typeof h.ms, 'number');
    assert.deepEqual(h.phases.map((p: { id: string }) => p.id), ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup']);
    const [dual, backfill] = h.phases;
    assert.deepEqual(Object.keys(dual.statements[1]).sort(), ['line', 'lock', 'ms', 'rewrote']);
    assert.equal(dual.statements[1].lock, 'AccessExclusiveLock');
    assert.equal(dual.statements[1].line, EXAMPLE.split('\n').findIndex((l) => l.includes('ADD COLUMN first_name text')) + 1);
    for (const k of ['batches', 'rows', 'ms', 'rows_per_s', 'idempotent', 'restartable']) assert.ok(k in backfill.backfill, k);
    assert.deepEqual(backfill.checks[0].catches, { wrong_value: true, missing_row: null });
    assert.deepEqual(backfill.rollback, { ran: true, restores: true });
    assert.deepEqual(h.target_schema, { matches: true, differences: [] });
    assert.deepEqual(Object.keys(h.extrapolations[0]).sort(), ['ms', 'phase', 'rows', 'table', 'what']);
    let md = '';
    const code = main(['render', '--rehearsal', 'out.json', plan], { cwd: dir, stdout: (s) => (md += s), stderr: () => undefined, color: false });
    assert.equal(code, 0);
    assert.match(md, /\n## Rehearsal\n\nRehearsed on a PostgreSQL server, PostgreSQL [\d.]+, with 600 rows/);
    assert.match(md, /\| backfill \| [^|]+ \| {2}\| 599 rows, 1 batch, [\d,]+ rows\/s \| yes \| yes \| 2 of 2 held, able to fail \| restores \|/);
    let err = '';
    fs.writeFileSync(path.join(dir, 'not-a-report.json'), '{"files": []}');
    assert.equal(main(['render', '--rehearsal', 'not-a-report.json', plan], { cwd: dir, stdout: () => undefined, stderr: (s) => (err += s), color: false }), 2);
    assert.match(err, /^migplan: not-a-report\.json: not a rehearsal report/);
  });

  it('exits 1 with the finding on its line, in text and in SARIF', async () => {
    const text = EXAMPLE.replace('ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name;', 'ALTER TABLE users DROP COLUMN first_name;');
    const plan = write('bad.migplan.yaml', text);
    const line = text.split('\n').findIndex((l) => l.includes('ALTER TABLE users DROP COLUMN first_name;')) + 1;
    const r = await run(['rehearse', '--database', url(), '--rows', '300', plan]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, new RegExp(`^bad\\.migplan\\.yaml:${line}:\\d+ error rehearse-rollback `, 'm'));
    const sarif = JSON.parse((await run(['rehearse', '--database', url(), '--rows', '300', '--format', 'sarif', plan])).out);
    const rules = sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id);
    assert.ok(rules.includes('rehearse-rollback') && rules.includes('placeholder'));
    const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'rehearse-rollback');
    assert.equal(result.locations[0].physicalLocation.region.startLine, line);
    assert.equal(result.ruleIndex, rules.indexOf('rehearse-rollback'));
  });

  it('refuses, with exit 2 and one line: no dialect, bad options, another schema, a database out of reach', async () => {
    const noDialect = write('prose.migplan.yaml', read(path.join(EXAMPLES, 'split-user-name.migplan.yaml')));
    let r = await run(['rehearse', noDialect]);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'migplan: prose.migplan.yaml: nothing to rehearse: the plan has no context.dialect: postgresql (and so no SQL)\n');
    for (const rows of ['0', '-5', '1e3', 'many']) {
      r = await run(['rehearse', '--rows', rows, noDialect]);
      assert.equal(r.code, 2);
      assert.match(r.err, /^migplan: --rows must be a whole number/);
    }
    const qualified = write('public.migplan.yaml', EXAMPLE.replace('UPDATE users\n         SET first_name', 'UPDATE public.users\n         SET first_name'));
    const before = await scratchSchemas();
    r = await run(['rehearse', '--database', url(), qualified]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^migplan: public\.migplan\.yaml:\d+:\d+: the plan names public\.users; on a server the rehearsal runs only inside its own scratch schema/);
    assert.equal(r.err.split('\n').length, 2, 'one line');
    assert.deepEqual(await scratchSchemas(), before, 'nothing was created');
    r = await run(['rehearse', '--database', 'postgresql://rehearser:s3cret@/db?host=/nonexistent-socket-dir', write('x.migplan.yaml', EXAMPLE)]);
    assert.equal(r.code, 2);
    assert.equal(r.err.split('\n').length, 2, r.err);
    assert.match(r.err, /^migplan: cannot reach postgresql:\/\/rehearser@\/db\?host=\/nonexistent-socket-dir: /);
    assert.ok(!r.err.includes('s3cret'));
  });

  it('interrupted with Ctrl+C on a server, leaves no scratch schema behind', async () => {
    const plan = write('long.migplan.yaml', EXAMPLE);
    const child = spawn(process.execPath, [BIN, 'rehearse', '--database', url(), '--rows', '300000', plan], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the rehearsal has made its schema (and is filling it), then interrupt.
    const deadline = Date.now() + 60_000;
    while ((await scratchSchemas()).length === 0) {
      assert.ok(Date.now() < deadline, `no scratch schema appeared: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, err);
    assert.deepEqual(await scratchSchemas(), []);
    assert.ok(!/\n\s+at /.test(err), `no stack trace: ${err}`);
  });

  it('killed outright, leaves a scratch schema that the next rehearsal on that server drops, saying so', async () => {
    const plan = write('killed.migplan.yaml', EXAMPLE);
    const child = spawn(process.execPath, [BIN, 'rehearse', '--database', url(), '--rows', '300000', plan], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while ((await scratchSchemas()).length === 0) {
      assert.ok(Date.now() < deadline, 'no scratch schema appeared');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await exited;
    const left = await scratchSchemas();
    assert.ok(left.length >= 1, 'a SIGKILL cannot be caught: the schema (and the target schema, if made) stays');
    // The killed client's session ends when its backend notices the closed socket (at the end of a running statement).
    const c = new pg.Client({ connectionString: url() });
    await c.connect();
    try {
      for (const until = Date.now() + 60_000; ; ) {
        const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'migplan rehearse'");
        if (r.rows[0].n === 0) break;
        assert.ok(Date.now() < until, 'the killed rehearsal\'s session did not end');
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      await c.end();
    }
    const r = await run(['rehearse', '--database', url(), '--rows', '200', plan]);
    assert.equal(r.code, 0, r.err);
    const note = left.length === 1 ? '1 scratch schema' : `${left.length} scratch schemas`;
    assert.ok(r.err.split('\n').includes(`migplan: note: dropped ${note} left by an interrupted rehearsal (${left.join(', ')})`), r.err);
    assert.deepEqual(await scratchSchemas(), []);
  });

  it('shows its progress on a terminal, and nothing but the result elsewhere', async () => {
    const plan = write('progress.migplan.yaml', EXAMPLE.replace('batch_size: 5000', 'batch_size: 100'));
    let err = '';
    let out = '';
    const code = await mainAsync(['rehearse', '--database', url(), '--rows', '500', plan], { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, interactive: true });
    assert.equal(code, 0, err);
    // 500 seeded rows and the one the simulated writes added: 6 batches of 100.
    assert.match(err, /\rphase backfill · backfill · batch 3 of 6 · [\d,]+ rows\/s · \S+ (?:ms|s) left/);
    assert.match(err, /\rphase dual-write · sql/);
    assert.ok(err.endsWith('\r'), 'the status line is cleared at the end');
    assert.ok(!out.includes('\r'));
    const quiet = await run(['rehearse', '--database', url(), '--rows', '500', plan]);
    assert.equal(quiet.err, '');
  });
});
