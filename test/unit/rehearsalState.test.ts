/** What the editor shows of a rehearsal (client/src/rehearsalState.ts): the progress line, the phases rehearsed clean, the summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanPhases, progressMessage, summaryMessage, type RehearsalRecord } from '../../client/src/rehearsalState';
import type { RehearsalReport } from '../../server/src/service/types';

const range = (l1: number, c1: number, l2: number, c2: number): RehearsalRecord['phases'][number]['range'] => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

function report(ids: string[]): RehearsalReport {
  return {
    engine: 'pglite',
    server_version: '17.4',
    rows: 1500,
    ms: 2300,
    phases: ids.map((id) => ({ id, ms: 10, statements: [], checks: [] })),
    target_schema: { matches: true, differences: [] },
    extrapolations: [],
    notes: [],
  };
}

describe('rehearsal state', () => {
  it('says the phase, the step, the batch, the speed and the time left on one line', () => {
    assert.equal(progressMessage({ step: 'seed' }), 'seed');
    assert.equal(progressMessage({ phase: 'backfill', step: 'upsert', batch: { k: 3, n: 20, rowsPerS: 41000.4, msLeft: 2100 } }), 'phase backfill · upsert · batch 3 of 20 · 41,000 rows/s · 2.1 s left');
    assert.equal(progressMessage({ phase: 'backfill', step: 'upsert', batch: { k: 1, n: 1 } }), 'phase backfill · upsert · batch 1 of 1');
  });

  it('marks clean the phases the rehearsal ran with no finding starting inside them', () => {
    const record: RehearsalRecord = {
      report: report(['a', 'b', 'c']),
      phases: [
        { id: 'a', range: range(10, 2, 20, 0) },
        { id: 'b', range: range(20, 2, 30, 0) },
        { id: 'c', range: range(30, 2, 40, 0) },
        { id: 'd', range: range(40, 2, 50, 0) },
      ],
      diagnostics: [
        { rule: 'rehearse-rollback', severity: 'error', message: 'x', range: range(25, 6, 26, 0) },
        // at the end of c, which is outside it ([start, end))
        { rule: 'rehearse-check', severity: 'warning', message: 'y', range: range(40, 0, 40, 1) },
      ],
    };
    // d did not run (the rehearsal stopped), b has a finding.
    assert.deepEqual([...cleanPhases(record)], ['a', 'c']);
  });

  it('sums a rehearsal up', () => {
    const record: RehearsalRecord = { report: report(['a']), phases: [], diagnostics: [] };
    assert.equal(summaryMessage('p.migplan.yaml', record), 'Rehearsed p.migplan.yaml on PGlite (embedded) with 1,500 rows in 2.3 s: no findings.');
    record.diagnostics.push({ rule: 'rehearse-rollback', severity: 'error', message: 'x', range: range(1, 0, 1, 1) });
    assert.match(summaryMessage('p.migplan.yaml', record), /: 1 finding\.$/);
  });
});
