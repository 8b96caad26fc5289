/**
 * The rehearsal, end to end, on both engines: the shared example rehearses
 * with no finding, and plans made to have one problem each get their finding
 * on the right line, the same on PGlite and on a real PostgreSQL server (a
 * cluster the tests start and remove).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../../server/src/rehearse/engine';
import { openPostgres } from '../../server/src/rehearse/pgEngine';
import { openPglite } from '../../server/src/rehearse/pgliteEngine';
import { rehearse, type Finding, type RehearsalReport } from '../../server/src/rehearse/runner';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { loadSqlParser } from '../../server/src/service/sql/parser';
import { EXAMPLES, read } from '../helpers';
import { useCluster } from '../pgTest';

const EXAMPLE = read(path.join(EXAMPLES, 'split-user-name-postgres.migplan.yaml'));
const ROWS = 2000;

/** The example with smaller batches (several per rehearsal) and the given replacements, each of which must apply. */
function variant(...changes: Array<[string | RegExp, string]>): string {
  let text = EXAMPLE.replace('batch_size: 5000', 'batch_size: 300');
  for (const [from, to] of changes) {
    const next = text.replace(from, to);
    assert.notEqual(next, text, `the change ${String(from)} applies to the example`);
    text = next;
  }
  return text;
}

/** The 1-based line of the first line of `text` holding `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the plan`);
  return text.slice(0, at).split('\n').length;
}

interface Outcome {
  findings: Array<{ rule: string; line: number; message: string }>;
  report: RehearsalReport;
}

const url = useCluster();

before(async () => {
  await loadSqlParser();
});

after(async () => {
  await (await sharedPglite?.catch(() => undefined))?.close();
});

/**
 * One PGlite for the plans made to fail (it takes seconds to start): each
 * rehearsal's close() empties its schemas instead of ending it.
 */
let sharedPglite: Promise<Engine> | undefined;
async function reusedPglite(): Promise<Engine> {
  sharedPglite ??= openPglite();
  const e = await sharedPglite;
  await e.exec('DROP SCHEMA IF EXISTS migplan_target CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public; SET search_path TO public');
  return {
    kind: e.kind,
    serverVersion: e.serverVersion,
    schema: e.schema,
    query: (sql, params) => e.query(sql, params),
    exec: (sql) => e.exec(sql),
    targetSchema: async () => {
      await e.query('CREATE SCHEMA IF NOT EXISTS migplan_target');
      return 'migplan_target';
    },
    close: async () => undefined,
  };
}

const ENGINES: Array<{ name: string; open: () => Promise<Engine>; reused: () => Promise<Engine> }> = [
  { name: 'PGlite', open: () => openPglite(), reused: reusedPglite },
  {
    name: 'a PostgreSQL server',
    open: () => openPostgres(url()),
    reused: () => openPostgres(url()),
  },
];

async function run(open: () => Promise<Engine>, text: string): Promise<Outcome> {
  const plan = new PlanDocument(text);
  const engine = await open();
  try {
    const { findings, report } = await rehearse(plan, engine, { rows: ROWS });
    return {
      findings: findings.map((f: Finding) => ({ rule: f.rule, line: plan.lines.rangeOf(f.span).start.line + 1, message: f.message })),
      report,
    };
  } finally {
    await engine.close();
  }
}

const brief = (o: Outcome): string => o.findings.map((f) => `${f.line} ${f.rule} ${f.message}`).join('\n') || '(none)';

/** Plans with one problem each: the finding that must come, on its line (other findings may follow from it). */
const CASES: Array<{ name: string; text: string; rule: string; at: string }> = [
  {
    name: 'an upsert that appends to what it wrote is not idempotent',
    text: variant([/SET first_name = split_part\(name, ' ', 1\),/, "SET first_name = coalesce(first_name || '-', '') || split_part(name, ' ', 1),"], ['AND first_name IS NULL\n', '\n']),
    rule: 'rehearse-not-idempotent',
    at: 'UPDATE users\n         SET first_name = coalesce',
  },
  {
    name: 'an upsert whose values depend on the rows already done is not restartable',
    text: variant(
      ['AND first_name IS NULL\n', '\n'],
      [/last_name {2}= substr\(name, length\(split_part\(name, ' ', 1\)\) \+ 2\)/, "last_name  = substr(name, length(split_part(name, ' ', 1)) + 2) || (SELECT count(*) FROM users u WHERE u.first_name IS NOT NULL)::text"],
    ),
    rule: 'rehearse-not-restartable',
    at: 'UPDATE users\n         SET first_name = split_part',
  },
  {
    name: 'an upsert without bounds that always changes rows stalls',
    text: variant(['WHERE id >= $1 AND id < $2\n         AND first_name IS NULL', 'WHERE true']),
    rule: 'rehearse-backfill-stalls',
    at: 'UPDATE users\n         SET first_name = split_part',
  },
  {
    name: 'a check that cannot fail is blind',
    text: variant(["          WHERE first_name IS NOT NULL\n            AND name <> concat_ws(' ', first_name, nullif(last_name, ''))", '          WHERE first_name IS NOT NULL AND name IS NULL']),
    rule: 'rehearse-check-blind',
    at: '    checks:\n      - name: divergent rows',
  },
  {
    name: 'a backfill that skips rows fails its check',
    text: variant(['AND first_name IS NULL\n', 'AND first_name IS NULL AND id % 7 <> 0\n']),
    rule: 'rehearse-check-failed',
    at: 'expect: rows_left = 0',
  },
  {
    name: 'a rollback that leaves a column behind',
    text: variant(['ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name;', 'ALTER TABLE users DROP COLUMN first_name;']),
    rule: 'rehearse-rollback',
    at: 'ALTER TABLE users DROP COLUMN first_name;',
  },
  {
    name: 'an end state unlike the target schema',
    text: variant(['    CREATE INDEX users_last_first_idx ON users (last_name, first_name);\n    CREATE TABLE orders', '    CREATE INDEX users_last_first_idx ON users (last_name, first_name);\n    CREATE INDEX users_email_created_idx ON users (email, created_at);\n    CREATE TABLE orders']),
    rule: 'rehearse-target-schema',
    at: 'CREATE INDEX users_email_created_idx',
  },
  {
    name: 'a type change that rewrites the table under an exclusive lock',
    text: variant(['      ALTER TABLE users DROP COLUMN name;\n', '      ALTER TABLE users DROP COLUMN name;\n      ALTER TABLE users ALTER COLUMN total_cents TYPE numeric;\n'.replace('users ALTER COLUMN total_cents', 'orders ALTER COLUMN total_cents')]),
    rule: 'rehearse-rewrite',
    at: 'ALTER TABLE orders ALTER COLUMN total_cents TYPE numeric;',
  },
  {
    name: 'a statement that fails, at the position the server gives',
    text: variant(['CREATE INDEX CONCURRENTLY users_last_first_idx ON users (last_name, first_name);', 'CREATE INDEX CONCURRENTLY users_last_first_idx ON users (last_name, nickname);']),
    rule: 'rehearse-sql',
    at: 'nickname',
  },
  {
    name: 'a seed that fails',
    text: variant(["'user' || g || '@example.com'", "'same@example.com'"]),
    rule: 'rehearse-seed',
    at: 'INSERT INTO users (id, name, email, created_at)',
  },
];

/** The findings (line and rule) each engine gave for each case. */
const seen = new Map<string, string[]>();

for (const engine of ENGINES) {
  describe(`rehearsal on ${engine.name}`, { timeout: 600_000 }, () => {
    it('finds nothing on the example, and proves its backfill, checks, rollbacks and end state', async () => {
      const o = await run(engine.open, variant());
      assert.deepEqual(o.findings, [], brief(o));
      const backfill = o.report.phases.find((p) => p.id === 'backfill')!;
      assert.equal(backfill.backfill!.idempotent, true);
      assert.equal(backfill.backfill!.restartable, true);
      assert.ok(backfill.backfill!.batches >= 6, `${backfill.backfill!.batches} batches`);
      // Every row but the one the simulated writes filled: the seed's 2000, less the writes' update of the first.
      assert.equal(backfill.backfill!.rows, ROWS - 1);
      for (const id of ['dual-write', 'backfill', 'verification']) {
        const p = o.report.phases.find((x) => x.id === id)!;
        assert.equal(p.checks_tested, true, id);
        for (const c of p.checks) assert.deepEqual([c.passed, c.catches.wrong_value], [true, true], `${id}: ${c.name}`);
      }
      for (const id of ['dual-write', 'backfill', 'cutover']) assert.deepEqual(o.report.phases.find((x) => x.id === id)!.rollback, { ran: true, restores: true }, id);
      assert.deepEqual(o.report.target_schema, { matches: true, differences: [] });
      const ex = o.report.extrapolations.find((e) => e.what === 'backfill')!;
      assert.equal(ex.rows, 48_000_000);
      assert.ok(ex.ms > 0);
    });

    it('without a seed, generates rows from the current schema (parents first) and finds nothing', async () => {
      const text = variant([/ {2}seed: \|\n(?: {4}.*\n)+/, '']);
      assert.ok(!text.includes('seed:'));
      const o = await run(engine.reused, text);
      assert.deepEqual(o.findings, [], brief(o));
      assert.equal(o.report.phases.find((p) => p.id === 'backfill')!.backfill!.rows, ROWS - 1);
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const o = await run(engine.reused, c.text);
        seen.set(`${c.name}\u0000${engine.name}`, o.findings.map((f) => `${f.line} ${f.rule}`).sort());
        const line = lineOf(c.text, c.at);
        assert.ok(o.findings.some((f) => f.rule === c.rule && f.line === line), `${c.rule} on line ${line}; found:\n${brief(o)}`);
      });
    }
  });
}

describe('the two engines', () => {
  it('give the same findings, on the same lines, for every case', () => {
    for (const c of CASES) {
      const [a, b] = ENGINES.map((e) => seen.get(`${c.name}\u0000${e.name}`));
      assert.ok(a && b, `${c.name} ran on both`);
      assert.deepEqual(a, b, c.name);
    }
  });
});
