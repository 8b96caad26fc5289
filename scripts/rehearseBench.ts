/**
 * The rehearsal's rows of `npm run bench` (alone: `node out/scripts/rehearseBench.js`):
 * the SQL example rehearsed at 100,000 rows on PGlite and on a real PostgreSQL
 * server (a cluster started for the run), wall time and per phase; backfill
 * rows per second on both, as a ratio; and the extrapolation checked: the
 * rehearsal at 10,000 rows predicts the backfill's time at 100,000 rows on the
 * same engine, printed against the measured time.
 * Targets: 100,000 rows within 60 s on PGlite; PGlite's backfill at least half
 * as fast as the server's; prediction within 30% of measurement.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Engine } from '../server/src/rehearse/engine';
import { openPostgres } from '../server/src/rehearse/pgEngine';
import { openPglite } from '../server/src/rehearse/pgliteEngine';
import { rehearse, type RehearsalReport } from '../server/src/rehearse/runner';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { loadSqlParser } from '../server/src/service/sql/parser';
import { startCluster } from './pgCluster';

const ROOT = path.resolve(__dirname, '..', '..');

interface Run {
  engine: string;
  rows: number;
  /** Wall time, the engine's start included. */
  wallMs: number;
  startMs: number;
  report: RehearsalReport;
  findings: number;
}

async function once(open: () => Promise<Engine>, name: string, rows: number): Promise<Run> {
  const text = fs.readFileSync(path.join(ROOT, 'examples', 'split-user-name-postgres.migplan.yaml'), 'utf8');
  const t0 = performance.now();
  const engine = await open();
  const startMs = performance.now() - t0;
  try {
    const { findings, report } = await rehearse(new PlanDocument(text), engine, { rows });
    return { engine: name, rows, wallMs: performance.now() - t0, startMs, report, findings: findings.length };
  } finally {
    await engine.close();
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function rehearseBench(log: (line: string) => void = console.log): Promise<{ runs: Run[]; misses: string[] }> {
  await loadSqlParser();
  const cluster = await startCluster();
  const runs: Run[] = [];
  try {
    const engines: Array<[string, () => Promise<Engine>]> = [
      ['PGlite', () => openPglite()],
      ['PostgreSQL server', () => openPostgres(cluster.url)],
    ];
    for (const [name, open] of engines) for (const rows of [10_000, 100_000]) runs.push(await once(open, name, rows));
  } finally {
    await cluster.stop();
  }
  const backfillOf = (r: Run): NonNullable<RehearsalReport['phases'][number]['backfill']> => r.report.phases.find((p) => p.backfill)!.backfill!;
  log('Rehearsal of examples/split-user-name-postgres.migplan.yaml (every step: seed, phases, proofs, checks and their failure injection, rollbacks, target comparison):');
  log('');
  log('| engine | rows | wall (engine start) | ' + runs[0].report.phases.map((p) => p.id).join(' | ') + ' | backfill rows/s | findings |');
  log('| --- | --- | --- | ' + runs[0].report.phases.map(() => '---').join(' | ') + ' | --- | --- |');
  for (const r of runs) {
    log(`| ${r.engine} ${r.report.server_version} | ${r.rows.toLocaleString('en-US')} | ${s(r.wallMs)} (${s(r.startMs)}) | ${r.report.phases.map((p) => s(p.ms)).join(' | ')} | ${backfillOf(r).rows_per_s.toLocaleString('en-US')} | ${r.findings} |`);
  }
  log('');
  const misses: string[] = [];
  const big = (engine: string): Run => runs.find((r) => r.engine === engine && r.rows === 100_000)!;
  const small = (engine: string): Run => runs.find((r) => r.engine === engine && r.rows === 10_000)!;
  const ratio = backfillOf(big('PGlite')).rows_per_s / backfillOf(big('PostgreSQL server')).rows_per_s;
  log(`Backfill at 100,000 rows: PGlite ${backfillOf(big('PGlite')).rows_per_s.toLocaleString('en-US')} rows/s, server ${backfillOf(big('PostgreSQL server')).rows_per_s.toLocaleString('en-US')} rows/s: PGlite at ${ratio.toFixed(2)}x the server (target >= 0.5x)`);
  if (ratio < 0.5) misses.push(`PGlite's backfill at ${ratio.toFixed(2)}x the server's (target 0.5x)`);
  if (big('PGlite').wallMs > 60_000) misses.push(`the 100,000-row rehearsal on PGlite took ${s(big('PGlite').wallMs)} (target 60 s)`);
  for (const engine of ['PGlite', 'PostgreSQL server']) {
    const predicted = (100_000 / backfillOf(small(engine)).rows_per_s) * 1000;
    const measured = backfillOf(big(engine)).ms;
    const off = Math.abs(predicted - measured) / measured;
    log(`Extrapolation on ${engine}: from 10,000 rows, the backfill of 100,000 predicted at ${s(predicted)}; measured ${s(measured)} (${(off * 100).toFixed(0)}% off; target within 30%)`);
    if (off > 0.3) misses.push(`the extrapolation on ${engine} was ${(off * 100).toFixed(0)}% off (target 30%)`);
  }
  for (const r of runs) if (r.findings > 0) misses.push(`${r.engine} at ${r.rows} rows had ${r.findings} findings on the example (expected none)`);
  log('');
  log(misses.length === 0 ? 'Every rehearsal target holds in this run.' : `Rehearsal targets missed in this run:\n${misses.map((m) => `- ${m}`).join('\n')}`);
  return { runs, misses };
}

if (require.main === module) {
  rehearseBench().then(
    ({ misses }) => process.exit(misses.length ? 1 : 0),
    (err: unknown) => {
      console.error(`rehearsal bench failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
