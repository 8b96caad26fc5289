/**
 * Where showing a checklist item goes (a click in the tree view), computed by
 * the service: a failed item's first problem in document order, an unverified
 * item's first placeholder, a passed item's section.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { planTree } from '../../server/src/service/features/planTree';
import { lint } from '../../server/src/service/linting/lint';
import { evaluateChecklist, type ChecklistResult } from '../../server/src/service/rendering/checklist';
import type { LintConfig } from '../../server/src/service/types';
import { EXAMPLES, read } from '../helpers';

const EXAMPLE = read(path.join(EXAMPLES, 'split-user-name.migplan.yaml'));
const TODAY: LintConfig = { today: '2026-12-01' };

interface Target {
  state: ChecklistResult['state'];
  /** 1-based line of the target's start. */
  line: number;
  /** The text it covers. */
  text: string;
}

/** Each item's state and target, by item id. */
function targets(text: string, config: LintConfig = TODAY, reorder?: (d: ReturnType<typeof lint>['diagnostics']) => ReturnType<typeof lint>['diagnostics']): Record<string, Target | undefined> {
  const { plan, diagnostics } = lint(text, { config });
  const out: Record<string, Target | undefined> = {};
  for (const r of evaluateChecklist(plan, reorder ? reorder(diagnostics) : diagnostics, config)) {
    out[r.item.id] = r.target ? { state: r.state, line: plan.lines.lineOf(r.target[0]) + 1, text: text.slice(r.target[0], r.target[1]) } : undefined;
  }
  return out;
}

/** The 1-based line of the first line of `text` that starts with `prefix`. */
function lineStarting(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${JSON.stringify(prefix)}`);
  return i + 1;
}

describe('checklist targets', () => {
  it('a passed item goes to its section: its first field in the plan', () => {
    const t = targets(EXAMPLE);
    const at = (prefix: string, text: string): Target => ({ state: 'passed', line: lineStarting(EXAMPLE, prefix), text });
    assert.deepEqual(t, {
      'explicit-criteria': at('    entry:', 'entry'),
      'trigger-thresholds': at('    triggers:', 'triggers'),
      'integrity-checks': at('    checks:', 'checks'),
      'idempotent-backfill': at('    batch_size:', 'batch_size'),
      'consumers-cataloged': at('consumers:', 'consumers'),
      'rollback-plan': at('    rollback:', 'rollback'),
      'production-duration': at('  duration_estimate:', 'duration_estimate'),
    });
  });

  it('a failed item goes to its first problem in document order, which is where a missing section belongs', () => {
    // No consumers and no point of no return: both reported where they belong, not on `migplan:`.
    const text = EXAMPLE.replace(/\nconsumers:\n(?: {2}.*\n)+/, '\n').replace(/\npoint_of_no_return: .*\n/, '\n');
    const t = targets(text);
    assert.deepEqual(t['consumers-cataloged'], { state: 'failed', line: lineStarting(text, 'context:'), text: 'context' });
    assert.deepEqual(t['rollback-plan'], { state: 'failed', line: lineStarting(text, 'phases:'), text: 'phases' });
    // A rollback procedure missing from the first phase is reported inside the phases, below the
    // `phases` key: the first problem in document order is still the one on `phases`.
    const noRollback = text.replace('    rollback: Revert release 42 and drop the two new columns. No data loss.\n', '');
    assert.deepEqual(targets(noRollback)['rollback-plan'], { state: 'failed', line: lineStarting(noRollback, 'phases:'), text: 'phases' });
    // With the point of no return back, the missing rollback is the first (and only) problem.
    const onlyRollback = EXAMPLE.replace('    rollback: Revert release 42 and drop the two new columns. No data loss.\n', '');
    assert.deepEqual(targets(onlyRollback)['rollback-plan'], { state: 'failed', line: lineStarting(onlyRollback, '  - id: dual-write'), text: 'id' });
    // The items that still pass keep going to their sections.
    assert.equal(t['production-duration']?.text, 'duration_estimate');
  });

  it('takes the first problem in document order whatever order the diagnostics come in', () => {
    const text = EXAMPLE.replace(/when: dual_write_error_rate > 0\.1% for 5m/, 'when: errors look bad').replace(/when: replica_lag > 30s for 1m/, 'when: if lag is high');
    const first = { state: 'failed' as const, line: lineStarting(text, '      - when: errors look bad'), text: 'errors look bad' };
    assert.deepEqual(targets(text)['trigger-thresholds'], first);
    assert.deepEqual(targets(text, TODAY, (d) => [...d].reverse())['trigger-thresholds'], first);
  });

  it('an unverified item goes to its first placeholder, or, with its rules off, to its section', () => {
    const text = EXAMPLE.replace('basis: production-replica', 'basis: TODO');
    assert.deepEqual(targets(text)['production-duration']?.text, 'TODO');
    const off = targets(EXAMPLE, { ...TODAY, rules: { 'duration-estimate': 'off' } })['production-duration'];
    assert.deepEqual(off, { state: 'unverified', line: lineStarting(EXAMPLE, '  duration_estimate:'), text: 'duration_estimate' });
    // Off, and the section missing too: where it belongs.
    const noAssessment = EXAMPLE.replace(/\nassessment:\n(?: {2}.*\n)+/, '\n');
    const gone = targets(noAssessment, { ...TODAY, rules: { 'duration-estimate': 'off' } })['production-duration'];
    assert.deepEqual(gone, { state: 'unverified', line: lineStarting(noAssessment, 'consumers:'), text: 'consumers' });
  });

  it('a not-applicable item goes to the phases; an unreadable plan has no targets', () => {
    const text = 'migplan: 1\ntitle: t\nowner: o\nphases:\n  - id: a\n    kind: dual-write\n';
    assert.deepEqual(targets(text)['idempotent-backfill'], { state: 'not-applicable', line: 4, text: 'phases' });
    for (const broken of ['migplan: 1\ntitle: [unclosed\n', '', '- a list\n']) assert.ok(Object.values(targets(broken)).every((t) => t === undefined), JSON.stringify(broken));
  });

  it('the tree view\'s checklist items go to the targets', () => {
    const text = EXAMPLE.replace(/\npoint_of_no_return: .*\n/, '\n');
    const { plan, diagnostics } = lint(text, { config: TODAY });
    const items = planTree(plan, diagnostics, TODAY).nodes.at(-1)!.children!;
    const results = evaluateChecklist(plan, diagnostics, TODAY);
    assert.deepEqual(items.map((i) => i.span), results.map((r) => r.target));
    const rollback = items.find((i) => i.label.startsWith('the rollback plan'))!;
    assert.equal(rollback.state, 'failed');
    assert.equal(text.slice(rollback.span![0], rollback.span![1]), 'phases');
    assert.ok(items.every((i) => i.span !== undefined), 'every item can be clicked');
  });
});
