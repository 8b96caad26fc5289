/**
 * What the editor shows of a rehearsal, without `vscode` (tests load it in
 * plain Node): the progress line of the notification, and which phases the
 * last rehearsal covered without a finding inside them.
 */
import type { Progress } from '../../server/src/rehearse/runner';
import type { RehearseChildDiagnostic, RehearseChildPhase } from '../../server/src/rehearse/childProtocol';
import { duration } from '../../server/src/service/rendering/rehearsal';
import type { Position, Range, RehearsalReport } from '../../server/src/service/types';

/** The last rehearsal of a document, kept until its text changes. */
export interface RehearsalRecord {
  report: RehearsalReport;
  diagnostics: RehearseChildDiagnostic[];
  /** The plan's phases and their ranges in the text that was rehearsed. */
  phases: RehearseChildPhase[];
}

/** One line of progress: `phase backfill · upsert · batch 3 of 20 · 41,000 rows/s · 2.1 s left`. */
export function progressMessage(p: Progress): string {
  const parts = [p.phase ? `phase ${p.phase}` : undefined, p.step];
  if (p.batch) {
    parts.push(`batch ${p.batch.k.toLocaleString('en-US')} of ${p.batch.n.toLocaleString('en-US')}`);
    if (p.batch.rowsPerS !== undefined) parts.push(`${Math.round(p.batch.rowsPerS).toLocaleString('en-US')} rows/s`);
    if (p.batch.msLeft !== undefined) parts.push(`${duration(p.batch.msLeft)} left`);
  }
  return parts.filter((s) => s !== undefined && s !== '').join(' · ');
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether `p` is in [range.start, range.end). */
function inside(p: Position, range: Range): boolean {
  return !before(p, range.start) && before(p, range.end);
}

/**
 * The ids of the phases the rehearsal ran (the report has them) with no
 * finding starting inside the phase's range.
 */
export function cleanPhases(record: RehearsalRecord): Set<string> {
  const ran = new Set(record.report.phases.map((p) => p.id));
  const out = new Set<string>();
  for (const phase of record.phases) {
    if (!ran.has(phase.id)) continue;
    if (record.diagnostics.some((d) => inside(d.range.start, phase.range))) continue;
    out.add(phase.id);
  }
  return out;
}

/** The summary after a rehearsal: `Rehearsed orders.migplan.yaml on PGlite: no findings.` */
export function summaryMessage(name: string, record: RehearsalRecord): string {
  const n = record.diagnostics.length;
  const on = record.report.engine === 'pglite' ? 'PGlite (embedded)' : 'a PostgreSQL server';
  const rows = record.report.rows.toLocaleString('en-US');
  return `Rehearsed ${name} on ${on} with ${rows} rows in ${duration(record.report.ms)}: ${n === 0 ? 'no findings' : n === 1 ? '1 finding' : `${n} findings`}.`;
}
