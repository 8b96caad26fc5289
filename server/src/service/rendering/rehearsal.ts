/**
 * The "Rehearsal" section of a rendered plan: the figures of the last
 * `migplan rehearse` (the JSON's `rehearsal` object), per phase, the proofs,
 * the extrapolated durations, the engine and its version. Everything from
 * the report is escaped: a plan's names and the server's messages are text.
 */
import type { RehearsalReport } from '../types';

/** Text for a Markdown table cell or paragraph: no HTML, no Markdown markup, no line breaks. */
function md(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .trim();
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

const n = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?');
const proof = (b: boolean | null | undefined): string => (b === true ? 'yes' : b === false ? '**no**' : 'not proven');

/**
 * Whether a parsed JSON value has the shape of a rehearsal report (what
 * `migplan rehearse --report` writes, or its `rehearsal` object).
 */
export function asRehearsalReport(json: unknown): RehearsalReport | undefined {
  const o = json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
  const r = o && 'rehearsal' in o ? (o.rehearsal as Record<string, unknown> | undefined) : o;
  if (!r || typeof r !== 'object') return undefined;
  if ((r.engine !== 'pglite' && r.engine !== 'postgres') || typeof r.server_version !== 'string' || typeof r.rows !== 'number' || !Array.isArray(r.phases)) return undefined;
  const ts = r.target_schema as Record<string, unknown> | undefined;
  if (!ts || typeof ts !== 'object' || !Array.isArray(ts.differences) || !Array.isArray(r.extrapolations)) return undefined;
  for (const p of r.phases as unknown[]) {
    const ph = p as Record<string, unknown> | null;
    if (!ph || typeof ph.id !== 'string' || typeof ph.ms !== 'number' || !Array.isArray(ph.statements) || !Array.isArray(ph.checks)) return undefined;
  }
  return r as unknown as RehearsalReport;
}

/** The section, from `## Rehearsal` on. */
export function renderRehearsal(r: RehearsalReport): string {
  const out: string[] = ['## Rehearsal', ''];
  const engine = r.engine === 'pglite' ? 'PGlite (PostgreSQL embedded)' : 'a PostgreSQL server';
  out.push(`Rehearsed on ${engine}, PostgreSQL ${md(r.server_version)}, with ${n(r.rows)} rows, in ${duration(r.ms)}.`, '');
  out.push('| Phase | Time | Statements | Backfill | Idempotent | Restartable | Checks | Rollback |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of r.phases) {
    const st = p.statements.length ? `${p.statements.length} (${duration(p.statements.reduce((a, s) => a + s.ms, 0))})` : '';
    const b = p.backfill;
    const checks = p.checks.length ? `${p.checks.filter((c) => c.passed).length} of ${p.checks.length} held${p.checks_tested === true ? ', able to fail' : ''}` : '';
    const rb = p.rollback ? (p.rollback.restores === true ? 'restores' : p.rollback.restores === false ? '**does not restore**' : 'not judged') : '';
    out.push(`| ${md(p.id)} | ${duration(p.ms)} | ${st} | ${b ? `${n(b.rows)} rows, ${b.batches} batch${b.batches === 1 ? '' : 'es'}, ${n(b.rows_per_s)} rows/s` : ''} | ${b ? proof(b.idempotent) : ''} | ${b ? proof(b.restartable) : ''} | ${checks} | ${rb} |`);
  }
  out.push('');
  if (r.target_schema.matches === true) out.push('The end state matches `target_schema`.', '');
  else if (r.target_schema.matches === false) {
    out.push('The end state differs from `target_schema`:', '');
    for (const d of r.target_schema.differences) out.push(`- ${md(d.message)}`);
    out.push('');
  }
  const slow = r.phases.flatMap((p) => p.statements.filter((s) => s.rewrote.length > 0).map((s) => ({ p, s })));
  if (slow.length) {
    out.push('Statements that rewrote a table:', '');
    for (const { p, s } of slow) out.push(`- ${md(p.id)}, line ${s.line}: ${s.rewrote.map(md).join(', ')} under ${md(s.lock ?? 'no lock')}, ${duration(s.ms)}`);
    out.push('');
  }
  if (r.extrapolations.length) {
    out.push('At the declared volumes:', '');
    for (const e of r.extrapolations) out.push(`- ${e.what === 'backfill' ? 'the backfill' : 'a rewrite'} of ${md(e.table)} in ${md(e.phase)}: ${n(e.rows)} rows, about ${duration(e.ms)}`);
    out.push('');
  }
  for (const note of r.notes ?? []) out.push(`> ${md(note)}`, '');
  return out.join('\n');
}
