/**
 * Where plan-level findings go: on the section they are about when it is
 * there, else where the missing section belongs (the key of the top-level
 * entry it would follow, right where a quick fix inserts it), never on the
 * document's first key for want of a better place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRawEdits } from '../../server/src/service/linting/fixes';
import { fixEdits, lint } from '../../server/src/service/linting/lint';
import { missingKeySpan, missingRootKeySpan, rootKeyPlace } from '../../server/src/service/linting/ruleHelpers';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import type { Diagnostic } from '../../server/src/service/types';

const TODAY = { today: '2026-12-01' };

/** cutover-latency also reports on the cutover phase (no latency budget): its plan-level finding is this one. */
const PLAN_LEVEL: Readonly<Record<string, RegExp>> = { 'cutover-latency': /^The plan has a cutover/ };

interface Place {
  /** 1-based line. */
  line: number;
  /** The text the range covers. */
  text: string;
}

/** Where each diagnostic of `rule` is (those whose message matches `pick`, when given), in order. */
function placesOf(text: string, rule: string, pick?: RegExp): Place[] {
  const { plan, diagnostics } = lint(text, { config: TODAY });
  return diagnostics
    .filter((d) => d.rule === rule && (!pick || pick.test(d.message)))
    .map((d) => {
      const s = plan.lines.offsetAt(d.range.start);
      const e = plan.lines.offsetAt(d.range.end);
      assert.ok(e <= text.length, `${rule}: range past the end of the document`);
      return { line: d.range.start.line + 1, text: text.slice(s, e) };
    });
}

/** The one diagnostic of `rule` (matching `pick`): where it is. */
function placeOf(text: string, rule: string, pick?: RegExp): Place {
  const all = placesOf(text, rule, pick);
  assert.equal(all.length, 1, `${rule}: ${all.length} diagnostics (${JSON.stringify(all)})`);
  return all[0];
}

/** The 1-based line of the first line of `text` that starts with `prefix`. */
function lineStarting(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${JSON.stringify(prefix)}`);
  return i + 1;
}

/** After applying a diagnostic's fix: the top-level key written right before `key` (what it follows). */
function keyBeforeAfterFix(text: string, rule: string, key: string, pick?: RegExp): string | undefined {
  const { plan, diagnostics } = lint(text, { config: TODAY });
  const d = diagnostics.find((x: Diagnostic) => x.rule === rule && (!pick || pick.test(x.message)));
  assert.ok(d, `no ${rule} diagnostic`);
  const fixed = applyRawEdits(plan.text, fixEdits(plan, d));
  const keys = new PlanDocument(fixed).root!.keys();
  const i = keys.indexOf(key);
  assert.ok(i >= 0, `the fix of ${rule} did not insert '${key}'`);
  return i > 0 ? keys[i - 1] : undefined;
}

const PHASES = `phases:
  - id: dual-write
    kind: dual-write
  - id: backfill
    kind: backfill
  - id: cutover
    kind: cutover
  - id: verification
    kind: verification
  - id: cleanup
    kind: cleanup
`;

/** Only the required keys, a summary and the phases: every optional section missing. */
const BARE = `# A plan with nothing but its phases.
migplan: 1
title: Split users.name
owner: data-platform team
summary: >
  The name column cannot be sorted by family name;
  split it.

${PHASES}`;

/** The same with a context whose changes rename a column, and assessment-less. */
const WITH_CONTEXT = `migplan: 1
title: Split users.name
owner: data-platform team
context:
  engine: PostgreSQL 15
  changes:
    - kind: rename-column
      table: users
      column: name

# The rollout.
${PHASES}`;

/** Context and consumers, no assessment and no point of no return; a comment after the phases. */
const WITH_CONSUMERS = `migplan: 1
title: Split users.name
owner: data-platform team
context:
  current_schema: users(id, name)
consumers:
  - name: accounts-api
    kind: api
    access: read-write
    tables: [users]
    migration_path: Release 42
${PHASES}# the end`;

describe('where a missing top-level section is reported: the key it would follow', () => {
  it('context-missing without a context: the key before the section it goes before (summary), where the fix inserts it', () => {
    assert.deepEqual(placeOf(BARE, 'context-missing'), { line: lineStarting(BARE, 'summary:'), text: 'summary' });
    assert.equal(keyBeforeAfterFix(BARE, 'context-missing', 'context'), 'summary');
    // With consumers present, context goes before them: after owner.
    const text = WITH_CONSUMERS.replace('context:\n  current_schema: users(id, name)\n', '');
    assert.deepEqual(placeOf(text, 'context-missing'), { line: lineStarting(text, 'owner:'), text: 'owner' });
    assert.equal(keyBeforeAfterFix(text, 'context-missing', 'context'), 'owner');
  });

  it('consumers-cataloged without consumers: the section the list would follow (context, else summary)', () => {
    assert.deepEqual(placeOf(WITH_CONTEXT, 'consumers-cataloged'), { line: lineStarting(WITH_CONTEXT, 'context:'), text: 'context' });
    assert.equal(keyBeforeAfterFix(WITH_CONTEXT, 'consumers-cataloged', 'consumers'), 'context');
    assert.deepEqual(placeOf(BARE, 'consumers-cataloged'), { line: lineStarting(BARE, 'summary:'), text: 'summary' });
    assert.equal(keyBeforeAfterFix(BARE, 'consumers-cataloged', 'consumers'), 'summary');
  });

  it('point-of-no-return without one: the phases key (it is written after the phases), also with a comment after them', () => {
    for (const text of [BARE, WITH_CONTEXT, WITH_CONSUMERS]) {
      assert.deepEqual(placeOf(text, 'point-of-no-return'), { line: lineStarting(text, 'phases:'), text: 'phases' });
      assert.equal(keyBeforeAfterFix(text, 'point-of-no-return', 'point_of_no_return'), 'phases');
    }
    // With no cleanup phase to name there is no fix, and the place is the same.
    const noCleanup = BARE.replace('  - id: cleanup\n    kind: cleanup\n', '');
    assert.deepEqual(placeOf(noCleanup, 'point-of-no-return'), { line: lineStarting(noCleanup, 'phases:'), text: 'phases' });
  });

  it('the assessment rules without an assessment: the section it would follow (consumers, context or summary)', () => {
    for (const [text, after] of [
      [BARE, 'summary'],
      [WITH_CONTEXT, 'context'],
      [WITH_CONSUMERS, 'consumers'],
    ] as const) {
      const want = { line: lineStarting(text, `${after}:`), text: after };
      for (const rule of ['backup-restore', 'baseline-latency', 'duration-estimate', 'cutover-latency']) assert.deepEqual(placeOf(text, rule, PLAN_LEVEL[rule]), want, `${rule} in the plan without ${after === 'summary' ? 'context' : after === 'context' ? 'consumers' : 'assessment'}`);
    }
  });

  it('schema: a missing required top-level key goes where it belongs too; before the first key, on that key', () => {
    const text = '# header\ntitle: Split users.name\nsummary: why\ncontext:\n  engine: PostgreSQL 15\n';
    const places = placesOf(text, 'schema');
    assert.deepEqual(
      places.map((p) => p.text),
      ['title', 'title', 'context'],
      'migplan goes before title, owner after it, phases after context',
    );
    assert.equal(keyBeforeAfterFix(text, 'schema', 'owner', /`owner`/), 'title');
  });

  it('passes over an author\'s `x-` field or an unknown key for the section above it', () => {
    const text = `${WITH_CONSUMERS.replace('# the end', '')}x-notes: reviewed by the DBA team\n`;
    assert.deepEqual(placeOf(text, 'point-of-no-return'), { line: lineStarting(text, 'phases:'), text: 'phases' });
    // The fix still appends it at the end, right after that field.
    assert.equal(keyBeforeAfterFix(text, 'point-of-no-return', 'point_of_no_return'), 'x-notes');
    const unknown = 'migplan: 1\nsoka: 24h\n';
    assert.deepEqual(placeOf(unknown, 'context-missing'), { line: 1, text: 'migplan' });
    assert.deepEqual(placeOf(unknown, 'schema', /soka/), { line: 2, text: 'soka' });
  });

  it('stays inside the document: a plan without a final line break, a flow mapping', () => {
    const text = BARE.replace(/\n$/, '');
    const p = placeOf(text, 'point-of-no-return');
    assert.equal(p.text, 'phases');
    const flow = '{migplan: 1, title: t, owner: o, phases: [{id: a, kind: dual-write}, {id: b, kind: cleanup}]}';
    assert.equal(placeOf(flow, 'point-of-no-return').text, 'phases');
    assert.equal(placeOf(flow, 'context-missing').text, 'phases');
  });
});

describe('where a section that is there but wrong is reported: on it', () => {
  it('context-missing: a context lacking fields, on `context`', () => {
    const all = placesOf(WITH_CONTEXT, 'context-missing');
    assert.equal(all.length, 5);
    for (const p of all) assert.deepEqual(p, { line: lineStarting(WITH_CONTEXT, 'context:'), text: 'context' });
    const empty = WITH_CONSUMERS.replace('current_schema: users(id, name)', "current_schema: ''");
    assert.deepEqual(placeOf(empty, 'context-missing', /current_schema/), { line: lineStarting(empty, '  current_schema:'), text: "''" });
  });

  it('consumers-cataloged: an empty list on `consumers`, a consumer without a migration path on its first key', () => {
    const empty = WITH_CONSUMERS.replace(/consumers:\n(?: {2}.*\n)+/, 'consumers: []\n');
    assert.deepEqual(placeOf(empty, 'consumers-cataloged'), { line: lineStarting(empty, 'consumers:'), text: '[]' });
    const noPath = WITH_CONSUMERS.replace('    migration_path: Release 42\n', '');
    assert.deepEqual(placeOf(noPath, 'consumers-cataloged'), { line: lineStarting(noPath, '  - name: accounts-api'), text: 'name' });
  });

  it('rename-needs-consumers: on the change it is about, with or without consumers', () => {
    assert.deepEqual(placeOf(WITH_CONTEXT, 'rename-needs-consumers'), { line: lineStarting(WITH_CONTEXT, '      table: users'), text: 'users' });
    const others = WITH_CONSUMERS.replace('  current_schema: users(id, name)\n', '  current_schema: users(id, name)\n  changes:\n    - kind: drop-table\n      table: carts\n');
    assert.deepEqual(placeOf(others, 'rename-needs-consumers'), { line: lineStarting(others, '      table: carts'), text: 'carts' });
  });

  it('point-of-no-return: a name that is no phase, on the value', () => {
    const text = `${WITH_CONSUMERS.replace('# the end', '')}point_of_no_return: drop-name\n`;
    assert.deepEqual(placeOf(text, 'point-of-no-return'), { line: lineStarting(text, 'point_of_no_return:'), text: 'drop-name' });
  });

  it('the assessment rules: an assessment lacking the field on `assessment`, a baseline lacking P99 on `baseline`', () => {
    const text = WITH_CONSUMERS.replace('phases:', 'assessment:\n  foreign_keys: none\nphases:');
    const want = { line: lineStarting(text, 'assessment:'), text: 'assessment' };
    for (const rule of ['backup-restore', 'baseline-latency', 'duration-estimate', 'cutover-latency']) assert.deepEqual(placeOf(text, rule, PLAN_LEVEL[rule]), want, rule);
    const p50 = WITH_CONSUMERS.replace('phases:', 'assessment:\n  baseline:\n    p50: 3ms\nphases:');
    for (const rule of ['baseline-latency', 'cutover-latency']) assert.deepEqual(placeOf(p50, rule, PLAN_LEVEL[rule]), { line: lineStarting(p50, '  baseline:'), text: 'baseline' }, rule);
  });

  it('missing-dual-write and missing-phase: on the `phases` key', () => {
    const text = WITH_CONSUMERS.replace('  - id: dual-write\n    kind: dual-write\n', '').replace('  - id: verification\n    kind: verification\n', '').replace('  - id: cleanup\n    kind: cleanup\n', '');
    const phases = { line: lineStarting(text, 'phases:'), text: 'phases' };
    assert.deepEqual(placeOf(text, 'missing-dual-write'), phases);
    assert.deepEqual(placesOf(text, 'missing-phase'), [phases, phases]);
  });
});

describe('missingKeySpan', () => {
  const plan = new PlanDocument('migplan: 1\ntitle: t\nconsumers: []\nphases: []\nx-notes: n\n');
  const root = plan.root!;
  const at = (s: readonly [number, number]): string => plan.text.slice(s[0], s[1]);

  it('places a key as Edits.insertEntry does: after the last present of `after`, else before the first present of `before`, else last', () => {
    assert.equal(at(missingKeySpan(root, { after: ['migplan', 'title'], before: ['phases'] })), 'title');
    assert.equal(at(missingKeySpan(root, { before: ['owner', 'phases'] })), 'consumers');
    assert.equal(at(missingKeySpan(root, { before: ['migplan'] })), 'migplan');
    assert.equal(at(missingKeySpan(root)), 'x-notes');
  });

  it('by the schema\'s order of the top-level keys, passing over keys that are not the plan\'s own sections', () => {
    assert.equal(at(missingRootKeySpan(root, rootKeyPlace('owner'))), 'title');
    assert.equal(at(missingRootKeySpan(root, rootKeyPlace('assessment'))), 'consumers');
    assert.equal(at(missingRootKeySpan(root, rootKeyPlace('point_of_no_return'))), 'phases');
    assert.equal(at(missingRootKeySpan(root, {})), 'phases', 'after the last entry, x-notes: the known key above it');
    const odd = new PlanDocument('x-a: 1\nsoka: 2\nmigplan: 1\n');
    const oddAt = (s: readonly [number, number]): string => odd.text.slice(s[0], s[1]);
    assert.equal(oddAt(missingKeySpan(odd.root!, {}, ['migplan'])), 'migplan');
    assert.equal(oddAt(missingKeySpan(odd.root!, { before: ['migplan'] }, ['migplan'])), 'x-a', 'no known key above: the first key');
  });
});
