/**
 * The plan tree of the tree view: phases with their sections and problem
 * counts, then the quality checklist.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planTree, type PlanTreeNodeSpans } from '../../server/src/service/features/planTree';
import { CHECKLIST } from '../../server/src/service/rendering/checklist';
import { lint } from '../../server/src/service/linting/lint';
import { DRAFT_TEXT, EXAMPLE_TEXT } from './helpers';

function treeOf(text: string): { nodes: PlanTreeNodeSpans[]; at: (n: PlanTreeNodeSpans) => string; problemStarts: number[] } {
  const { plan, diagnostics } = lint(text);
  const { nodes } = planTree(plan, diagnostics);
  return {
    nodes,
    at: (n) => (n.span ? text.slice(n.span[0], n.span[1]) : ''),
    problemStarts: diagnostics.map((d) => plan.lines.offsetAt(d.range.start)),
  };
}

describe('plan tree: the example', () => {
  const { nodes, at } = treeOf(EXAMPLE_TEXT);

  it('has the phases in order, then the checklist', () => {
    assert.deepEqual(nodes.map((n) => n.label), ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup', 'Quality checklist']);
    assert.deepEqual(nodes.slice(0, 5).map((n) => [n.kind, n.phaseKind, n.description, n.problems]), [
      // Each id names its kind: the label does not repeat it.
      ['phase', 'dual-write', undefined, undefined],
      ['phase', 'backfill', undefined, undefined],
      ['phase', 'cutover', undefined, undefined],
      ['phase', 'verification', undefined, undefined],
      ['phase', 'cleanup', undefined, undefined],
    ]);
    const renamed = treeOf(EXAMPLE_TEXT.replace('  - id: backfill\n', '  - id: fill-names\n').replace('point_of_no_return: backfill', 'point_of_no_return: fill-names')).nodes;
    assert.deepEqual([renamed[1].label, renamed[1].description], ['fill-names', 'backfill']);
    assert.equal(at(nodes[1]), 'id');
  });

  it('gives each phase its sections, with kind settings as one node', () => {
    const [dual, backfill, cutover, verification, cleanup] = nodes;
    assert.deepEqual(dual.children!.map((c) => c.label), ['entry', 'steps', 'exit', 'checks', 'triggers', 'rollback']);
    assert.deepEqual(backfill.children!.map((c) => c.label), ['entry', 'steps', 'exit', 'settings', 'checks', 'triggers', 'rollback']);
    for (const p of [cutover, verification, cleanup]) assert.equal(p.children![3].label, 'settings');
    const settings = backfill.children![3];
    assert.equal(settings.description, 'backfill settings: 5 of 5 set');
    assert.deepEqual(settings.children!.map((c) => `${c.label}=${c.description}`), ['batch_size=5000', 'throttle=max_replica_lag: 5s', 'idempotent=true', 'upsert=UPDATE users SET first_name = ..., last_name = ... WHERE id…', 'resume=Restart from the last committed id recorded in backfill_pro…']);
    assert.equal(cutover.children![3].children!.find((c) => c.label === 'ramp')!.description, '[1, 10, 50, 100]');
    const steps = backfill.children![1];
    assert.equal(steps.description, '2 steps');
    assert.equal(at(steps), 'steps');
    assert.deepEqual(steps.children!.map((c) => at(c)), ['Run scripts/backfill_split_name.sql in id-ordered batches', 'Log batch number, rows processed, elapsed time and estimated time remaining']);
    const checks = backfill.children![4];
    assert.equal(checks.description, '2 checks');
    assert.deepEqual(checks.children!.map((c) => [c.label, c.description, at(c)]), [
      ['row count', 'count(new) = count(old)', 'name'],
      ['random spot check', 'mismatched_rows = 0', 'name'],
    ]);
    assert.deepEqual(backfill.children![5].children!.map((c) => c.label), ['replica_lag > 30s for 1m', 'corrupted_rows > 0']);
    assert.equal(backfill.children![6].description, 'Stop the backfill and clear first_name/last_name; dual-writ…');
    assert.equal(dual.children![0].description, '2 criteria');
  });

  it('ends with the seven checklist items, all passed', () => {
    const checklist = nodes[5];
    assert.equal(checklist.kind, 'checklist');
    assert.equal(checklist.description, '7 of 7 passed');
    assert.equal(checklist.problems, undefined);
    assert.deepEqual(checklist.children!.map((c) => c.label), CHECKLIST.map((c) => c.label));
    assert.ok(checklist.children!.every((c) => c.kind === 'checklist-item' && c.passed === true && c.description === 'passed'));
  });
});

describe('plan tree: a plan with problems', () => {
  const { nodes, at, problemStarts } = treeOf(DRAFT_TEXT);

  it('counts the problems that start inside each phase and each section', () => {
    const [backfill, cutover] = nodes;
    const inside = (from: string, to: string): number => {
      const s = DRAFT_TEXT.indexOf(from);
      const e = DRAFT_TEXT.indexOf(to);
      return problemStarts.filter((p) => p >= s && p < e).length;
    };
    assert.equal(backfill.problems, inside('  - id: backfill', '  - id: cutover'));
    assert.equal(cutover.problems, inside('  - id: cutover', 'point_of_no_return'));
    assert.ok(backfill.problems! > 3 && cutover.problems! > 3);
    assert.equal(cutover.description, 'cutovr (unknown kind)');
    assert.equal(cutover.phaseKind, undefined);
    const triggers = backfill.children!.find((c) => c.label === 'triggers')!;
    // The vague trigger, and no trigger on replication lag.
    assert.equal(triggers.problems, 2);
    assert.equal(triggers.children![0].problems, 1);
    assert.equal(triggers.children![0].label, 'if replication looks bad');
    const settings = backfill.children!.find((c) => c.label === 'settings')!;
    assert.equal(settings.description, 'backfill settings: 1 of 5 set');
    assert.equal(settings.problems, 1);
    assert.deepEqual(settings.children!.filter((c) => c.description === 'missing').map((c) => c.label), ['throttle', 'idempotent', 'upsert', 'resume']);
    assert.equal(cutover.children!.find((c) => c.label === 'settings')!.description, '2 kind-specific settings');
  });

  it('shows missing sections, pointing at the phase', () => {
    const [backfill] = nodes;
    const entry = backfill.children!.find((c) => c.label === 'entry')!;
    assert.equal(entry.description, 'missing');
    assert.equal(at(entry), 'id');
    assert.equal(backfill.children!.find((c) => c.label === 'rollback')!.description, 'missing');
  });

  it('unticks the checklist items whose rules fire, with counts and a place to go', () => {
    const checklist = nodes[nodes.length - 1];
    assert.equal(checklist.description, '0 of 7 passed, 7 failed');
    const items = checklist.children!;
    assert.ok(items.every((c) => c.passed === false && c.state === 'failed'));
    const triggers = items.find((c) => c.label === 'rollback triggers have specific thresholds')!;
    assert.equal(triggers.description, '3 problems');
    assert.equal(triggers.problems, 3);
    assert.equal(at(triggers), 'triggers');
    assert.equal(checklist.problems, items.reduce((n, c) => n + (c.problems ?? 0), 0));
  });

  it('marks checklist items whose rules are turned off as unverified, not failed', () => {
    const config = { rules: { 'duration-estimate': 'off' as const } };
    const { plan, diagnostics } = lint(EXAMPLE_TEXT, { config });
    const checklist = planTree(plan, diagnostics, config).nodes.at(-1)!;
    const item = checklist.children!.find((c) => c.label.startsWith('migration duration'))!;
    assert.equal(item.passed, false);
    assert.equal(item.state, 'unverified');
    assert.equal(item.description, 'unverified: duration-estimate turned off');
    assert.equal(checklist.description, '6 of 7 passed, 1 unverified');
  });

  it('points an unverified item at its first placeholder, and says a backfill item is not applicable without a backfill', () => {
    const text = EXAMPLE_TEXT.replace('resume: Restart from the last committed id recorded in backfill_progress', 'resume: TBD');
    const { plan, diagnostics } = lint(text);
    const item = planTree(plan, diagnostics).nodes.at(-1)!.children!.find((c) => c.label.startsWith('the backfill'))!;
    assert.equal(item.state, 'unverified');
    assert.equal(item.description, 'unverified: 1 placeholder to fill in');
    assert.equal(text.slice(item.span![0], item.span![1]), 'TBD');
    const none = lint('migplan: 1\ntitle: t\nowner: o\nphases:\n  - {}\n');
    const na = planTree(none.plan, none.diagnostics).nodes.at(-1)!.children!.find((c) => c.label.startsWith('the backfill'))!;
    assert.equal(na.state, 'not-applicable');
    assert.equal(na.passed, false);
  });

  it('copes with phases that are not maps, no phases, and an empty document', () => {
    const odd = treeOf('migplan: 1\nphases:\n  - text\n  - id: x\n');
    assert.deepEqual(odd.nodes.map((n) => [n.label, n.description]), [['#1', 'not a mapping'], ['x', 'no kind'], ['Quality checklist', odd.nodes[2].description]]);
    assert.deepEqual(treeOf('').nodes.map((n) => n.label), ['Quality checklist']);
    assert.deepEqual(treeOf('a: [').nodes.map((n) => n.label), ['Quality checklist']);
  });
});

describe('plan tree of an unreadable plan', () => {
  it('does not tick the checklist when the rules could not run', () => {
    const text = 'migplan: 1\ntitle: [unclosed\n';
    const { plan, diagnostics } = lint(text);
    const checklist = planTree(plan, diagnostics).nodes.find((n) => n.kind === 'checklist')!;
    assert.match(checklist.description ?? '', /not evaluated/);
    assert.ok(checklist.children!.every((c) => c.passed === false && c.description === 'not evaluated'));
  });
});
