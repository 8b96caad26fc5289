/**
 * Document symbols (the outline) and folding ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentSymbols, foldingRanges } from '../../server/src/service/features/symbols';
import type { ServiceSymbol } from '../../server/src/service/features/types';
import { DRAFT_TEXT, EXAMPLE_TEXT, parse } from './helpers';

function names(list: readonly ServiceSymbol[]): string[] {
  return list.map((s) => s.name);
}

function find(list: readonly ServiceSymbol[], name: string): ServiceSymbol {
  const s = list.find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name} among ${names(list).join(', ')}`);
  return s;
}

/** Every symbol has a name, a span inside its parent's and a selection inside its span. */
function checkTree(list: readonly ServiceSymbol[], parent?: ServiceSymbol): number {
  let n = 0;
  for (const s of list) {
    n++;
    assert.ok(s.name.trim().length > 0);
    assert.ok(s.span[0] <= s.span[1], s.name);
    assert.ok(s.selectionSpan[0] >= s.span[0] && s.selectionSpan[1] <= s.span[1], `${s.name}: selection outside the symbol`);
    if (parent) assert.ok(s.span[0] >= parent.span[0] && s.span[1] <= parent.span[1], `${s.name} outside ${parent.name}`);
    n += checkTree(s.children, s);
  }
  return n;
}

describe('document symbols', () => {
  const plan = parse(EXAMPLE_TEXT);
  const symbols = documentSymbols(plan);
  const text = (span: readonly [number, number]): string => EXAMPLE_TEXT.slice(span[0], span[1]);

  it('lists the top-level sections in order', () => {
    assert.deepEqual(names(symbols), ['migplan', 'title', 'owner', 'summary', 'context', 'consumers', 'assessment', 'phases', 'point_of_no_return']);
    assert.deepEqual(
      symbols.map((s) => s.kind),
      ['field', 'field', 'field', 'field', 'section', 'section', 'section', 'section', 'field'],
    );
    assert.equal(find(symbols, 'point_of_no_return').detail, 'cleanup');
    assert.equal(find(symbols, 'title').detail, 'Split users.name into first_name and last_name');
  });

  it('has context fields, changes and data volumes by table', () => {
    const context = find(symbols, 'context');
    assert.deepEqual(names(context.children), ['engine', 'current_schema', 'target_schema', 'changes', 'data_volume', 'downtime', 'rollback_requirements']);
    assert.deepEqual(names(find(context.children, 'changes').children), ['split-column users', 'drop-column users']);
    const users = find(context.children, 'data_volume').children[0];
    assert.equal(users.name, 'users');
    assert.equal(users.detail, '48,000,000 rows');
    assert.equal(text(find(context.children, 'current_schema').span).split('\n').length, 5, 'a block scalar ends at its last line');
  });

  it('names each consumer', () => {
    const consumers = find(symbols, 'consumers');
    assert.deepEqual(names(consumers.children), ['accounts-api', 'billing-nightly', 'warehouse-users-etl', 'profile-cache', 'user-updated-event']);
    assert.equal(consumers.children[0].detail, 'api');
    assert.equal(consumers.children[0].kind, 'item');
    assert.ok(text(consumers.children[0].span).startsWith('- name: accounts-api'));
  });

  it('has the assessment fields', () => {
    assert.deepEqual(names(find(symbols, 'assessment').children), ['foreign_keys', 'baseline', 'duration_estimate', 'backup_restore_tested']);
    assert.deepEqual(names(find(find(symbols, 'assessment').children, 'baseline').children), ['p50', 'p99']);
  });

  it('shows each phase as `id (kind)` with its sections, checks by name and triggers by condition', () => {
    const phases = find(symbols, 'phases');
    assert.deepEqual(names(phases.children), ['dual-write (dual-write)', 'backfill (backfill)', 'cutover (cutover)', 'verification (verification)', 'cleanup (cleanup)']);
    assert.ok(phases.children.every((p) => p.kind === 'phase'));
    const backfill = phases.children[1];
    assert.equal(text(backfill.selectionSpan), 'backfill');
    assert.ok(text(backfill.span).startsWith('- id: backfill'));
    assert.ok(text(backfill.span).endsWith('dual-write stays active until disabled.'));
    assert.deepEqual(names(backfill.children), ['entry', 'steps', 'exit', 'batch_size', 'throttle', 'idempotent', 'upsert', 'resume', 'checks', 'triggers', 'rollback']);
    assert.deepEqual(names(find(backfill.children, 'checks').children), ['row count', 'random spot check']);
    assert.deepEqual(names(find(backfill.children, 'triggers').children), ['replica_lag > 30s for 1m', 'corrupted_rows > 0']);
    assert.equal(find(backfill.children, 'triggers').children[0].detail, 'Pause the backfill and halve the batch size');
    assert.equal(find(backfill.children, 'steps').detail, '2 items');
    assert.equal(find(backfill.children, 'batch_size').detail, '5000');
    assert.deepEqual(names(find(backfill.children, 'throttle').children), ['max_replica_lag']);
    assert.deepEqual(names(phases.children[2].children), ['entry', 'steps', 'exit', 'flag', 'ramp', 'shadow_reads', 'soak', 'latency_budget', 'checks', 'triggers', 'rollback']);
  });

  it('keeps every selection inside its symbol and every child inside its parent', () => {
    assert.ok(checkTree(symbols) > 80);
    checkTree(documentSymbols(parse(DRAFT_TEXT)));
  });

  it('names phases and items without ids or names by position, and survives odd shapes', () => {
    const odd = documentSymbols(parse('phases:\n  - kind: backfill\n    checks:\n      - expect: a = 0\n  - just text\n  - id: ""\nconsumers:\n  - kind: job\n'));
    const phases = find(odd, 'phases').children;
    assert.deepEqual(names(phases), ['#1 (backfill)', '#2', '#3']);
    assert.deepEqual(names(find(phases[0].children, 'checks').children), ['#1']);
    assert.deepEqual(names(find(odd, 'consumers').children), ['#1']);
    checkTree(odd);
    assert.deepEqual(documentSymbols(parse('')), []);
    assert.deepEqual(documentSymbols(parse('- a\n- b\n')), []);
    for (const t of ['a: [', 'phases: *x\n', 'phases:\n  - &p {id: a}\n  - *p\n']) checkTree(documentSymbols(parse(t)));
  });
});

describe('folding ranges', () => {
  const plan = parse(EXAMPLE_TEXT);
  const ranges = foldingRanges(plan);
  const has = (startLine: number, endLine: number, kind?: string): boolean => ranges.some((r) => r.startLine === startLine && r.endLine === endLine && r.kind === kind);
  const lineOf = (needle: string): number => plan.lines.lineOf(EXAMPLE_TEXT.indexOf(needle));

  it('folds sections, phases, lists, list items and block scalars', () => {
    assert.ok(has(lineOf('summary: >'), lineOf('reads over, then retire')), 'summary block scalar');
    assert.ok(has(lineOf('context:'), lineOf('data_loss_acceptable')), 'context');
    assert.ok(has(lineOf('  current_schema: |'), lineOf('orders.user_id -> users.id')), 'current_schema without trailing lines');
    assert.ok(has(lineOf('phases:'), lineOf('rollback: Restore from the pre-cleanup backup')), 'phases');
    assert.ok(has(lineOf('  - id: backfill'), lineOf('rollback: Stop the backfill')), 'a phase');
    assert.ok(has(lineOf('    checks:\n      - name: row count'), lineOf('expect: mismatched_rows = 0')), 'a checks list');
    assert.ok(has(lineOf('      - name: random spot check'), lineOf('expect: mismatched_rows = 0')), 'a check');
    assert.ok(has(lineOf('  - name: accounts-api'), lineOf('reads move behind flag users_split_name.')), 'a consumer');
  });

  it('has one range per start line, each spanning lines, sorted', () => {
    const starts = ranges.map((r) => r.startLine);
    assert.deepEqual(starts, [...new Set(starts)].sort((a, b) => a - b));
    assert.ok(ranges.every((r) => r.endLine > r.startLine));
    assert.ok(!ranges.some((r) => r.startLine === lineOf('migplan: 1')));
  });

  it('folds runs of comment lines', () => {
    const text = '# one\n# two\n# three\nmigplan: 1\n\n# lone\ntitle: x\n';
    assert.deepEqual(foldingRanges(parse(text)), [{ startLine: 0, endLine: 2, kind: 'comment' }]);
  });

  it('folds by indentation when the root is not a mapping', () => {
    const text = '- a:\n    b: 1\n    c: 2\n- d\n';
    assert.deepEqual(foldingRanges(parse(text)), [{ startLine: 0, endLine: 2 }]);
  });
});

describe('symbols of a plan with a self-referencing alias', () => {
  it('treats the alias as a leaf instead of recursing forever', () => {
    const plan = parse('migplan: 1\nbill-to: &a\n  given: Chris\n  nested:\n    again: *a\n');
    const symbols = documentSymbols(plan);
    assert.ok(symbols.length > 0);
  });
});
