/**
 * Fixes never lose a byte: the byte-preservation property (scripts/preserve.ts)
 * over every fixture, example and corpus plan, after every single quick fix
 * and every round of fix-all; and the fix defects an adversarial review found,
 * each as a regression test.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { preservationProblems } from '../scripts/preserve';
import { applyRawEdits, Edits, ignoreCommentEdit } from '../server/src/service/linting/fixes';
import { fixAll, fixEdits, lint } from '../server/src/service/linting/lint';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { ROOT } from './helpers';

/** Every plan file the tests hold (fixtures, examples, the corpus, the fuzzer's finds). */
function planFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.migplan\.ya?ml$/.test(e.name) && !e.name.includes('.fixed.')) out.push(p);
    }
  };
  for (const d of ['examples', 'test/rules', 'test/plans', 'test/fixall', 'test/fuzz', 'test/render', 'client/testFixture']) walk(path.join(ROOT, d));
  return out.sort();
}

/** What each single quick fix and each round of fix-all lose of a text. */
export function violations(text: string): string[] {
  const out: string[] = [];
  const { plan, diagnostics } = lint(text);
  for (const d of diagnostics) {
    if (!d.data?.fix) continue;
    for (const p of preservationProblems(plan.text, fixEdits(plan, d))) out.push(`quick fix of ${d.rule} ("${d.data.fix.title}"): ${p}`);
  }
  let round = 0;
  fixAll(text, {}, 100, (before, edits) => {
    round++;
    for (const p of preservationProblems(before, edits)) out.push(`fix-all round ${round}: ${p}`);
  });
  return out;
}

describe('fixes keep every comment and every value they do not target, byte for byte', () => {
  const files = planFiles();
  it('reads every fixture, example and corpus plan', () => assert.ok(files.length > 150, String(files.length)));
  for (const file of files) {
    it(path.relative(ROOT, file), () => {
      assert.deepEqual(violations(fs.readFileSync(file, 'utf8')), []);
    });
  }
});

describe('the property catches what it is for', () => {
  it('an insertion inside a scalar, a cut scalar, a dropped comment', () => {
    const text = 'a: |\n  x\n  # y\nb: 1 # keep\nc: 2\n';
    const inside = text.indexOf('  # y');
    assert.ok(preservationProblems(text, [{ span: [inside, inside], text: 'z: 1\n' }]).length > 0, 'inserted inside the block scalar');
    const one = text.indexOf('1 # keep');
    assert.ok(preservationProblems(text, [{ span: [one, text.indexOf('\nc:')], text: '2' }]).some((p) => p.includes('# keep')), 'the comment on the line the edit starts on is gone');
    assert.deepEqual(preservationProblems(text, [{ span: [one, one + 1], text: '3' }]), [], 'the value it replaces is its target');
    assert.ok(preservationProblems(text, [{ span: [text.indexOf('2\n'), text.indexOf('2\n')], text: '1' }]).length > 0, 'an insertion into a value changes it');
  });
});

/** The text after applying the fix of the first diagnostic of `rule`. */
function fixOf(text: string, rule: string, title?: RegExp): string {
  const { plan, diagnostics } = lint(text);
  const d = diagnostics.find((x) => x.rule === rule && x.data?.fix && (!title || title.test(x.data.fix.title)));
  assert.ok(d, `no fix of ${rule}: ${diagnostics.map((x) => x.rule).join(', ')}`);
  return applyRawEdits(plan.text, fixEdits(plan, d));
}

const PHASE_HEAD = 'migplan: 1\ntitle: t\nowner: data team (Dana Ortiz)\nphases:\n';

describe('fix defects of the adversarial review, each mended', () => {
  it('1: a new phase after a block scalar whose last lines start with # keeps those lines in the scalar', () => {
    const text = `${PHASE_HEAD}  - id: backfill\n    kind: backfill\n    rollback: |\n      psql -f undo.sql\n      # keep the audit rows\n  - id: cleanup\n    kind: cleanup\npoint_of_no_return: cleanup\n`;
    const fixed = fixOf(text, 'missing-phase', /verification/);
    const rollback = new PlanDocument(fixed).phases[0].node.get('rollback')?.str();
    assert.equal(rollback, 'psql -f undo.sql\n# keep the audit rows\n');
    assert.deepEqual(violations(text), []);
    assert.match(fixAll(text).text, /psql -f undo\.sql\n {6}# keep the audit rows\n/);
  });

  it('2: fix-all keeps an ignore comment that the other fixes make used, and the value it protects', () => {
    const text = `${PHASE_HEAD}  - id: backfill\n    kind: backfill\n    # migplan-ignore backfill-throttle -- the replicas serve no reads; 60s is agreed with SRE\n    throttle:\n      max_replica_lag: 60s\n    triggers:\n      - when: if replication looks bad\n        action: pause\n`;
    const fixed = fixAll(text).text;
    assert.match(fixed, /# migplan-ignore backfill-throttle -- the replicas serve no reads; 60s is agreed with SRE\n {4}throttle:\n {6}max_replica_lag: 60s\n/);
  });

  it('2: and still removes an ignore comment that stays unused once nothing else is left to fix', () => {
    const text = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n    # migplan-ignore backfill-throttle -- no backfill here\n    soak: 24h\n`;
    assert.doesNotMatch(fixAll(text).text, /migplan-ignore/);
  });

  it('5: an entry inserted after a line whose comment holds a lone CR goes after the comment', () => {
    const text = 'migplan: 1\ntitle: t\nowner: o\ncontext:\n  downtime:\n    window: 2h # note one\rnote two\n  current_schema: x\nphases: []\n';
    const plan = new PlanDocument(text);
    const downtime = plan.root!.get('context')!.get('downtime')!;
    const edit = new Edits(plan).insertEntry(downtime, 'zero_downtime', false);
    const after = applyRawEdits(plan.text, [edit]);
    assert.deepEqual(new PlanDocument(after).json, { migplan: 1, title: 't', owner: 'o', context: { downtime: { window: '2h', zero_downtime: false }, current_schema: 'x' }, phases: [] });
    assert.ok(after.includes('# note one\rnote two\n'));
  });

  it('6: an entry after a |+ block scalar, or one ending in lines of spaces, leaves its trailing lines in it', () => {
    for (const body of ['    rollback: |+\n      set the flag to 0\n\n\n', '    rollback: |\n      set the flag to 0\n         \n']) {
      const text = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n${body}`;
      const value = new PlanDocument(text).phases[0].node.get('rollback')?.str();
      const fixed = fixOf(text, 'missing-phase', /verification/);
      assert.equal(new PlanDocument(fixed).phases[0].node.get('rollback')?.str(), value);
      assert.deepEqual(violations(text), []);
    }
  });

  it('7: replacing a value keeps the comment after its block header or its key', () => {
    const text = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n    flag: f\n    soak: > # see INC-4711\n      2h\n    ramp: &r # why we ramp slowly\n      - 50\n      - 100\n`;
    const soak = fixOf(text, 'cutover-soak');
    assert.match(soak, /\n {4}soak: 24h # see INC-4711\n/);
    const ramp = fixOf(text, 'cutover-ramp');
    assert.match(ramp, /\n {4}ramp: &r \[1, 10, 50, 100\] # why we ramp slowly\n/);
    assert.deepEqual(violations(text), []);
  });

  it('8: filling an empty list keeps its comments and its anchor', () => {
    const text = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n    triggers: # INC-4711\n      []\n    checks: &c [] # TODO(ana)\n`;
    const triggers = fixOf(text, 'rollback-trigger');
    assert.match(triggers, /\n {4}triggers: # INC-4711\n {6}- when: /);
    const checks = fixOf(text, 'integrity-check');
    assert.match(checks, /\n {4}checks: &c # TODO\(ana\)\n {6}- name: /);
    assert.deepEqual(violations(text), []);
  });

  it('9: "Ignore <rule>" goes above the block node, never inside a multi-line string of a flow phase', () => {
    const text = `${PHASE_HEAD}  - {id: c, kind: cutover, title: "a long\n      title", soak: 2h}\n`;
    const plan = new PlanDocument(text);
    const edit = ignoreCommentEdit(plan, 'cutover-soak', text.indexOf('2h'), 'the soak is a week')!;
    const after = applyRawEdits(text, [edit]);
    assert.equal(after, `${PHASE_HEAD}  # migplan-ignore cutover-soak -- the soak is a week\n  - {id: c, kind: cutover, title: "a long\n      title", soak: 2h}\n`);
    assert.deepEqual(new PlanDocument(after).json, plan.json);
    assert.ok(!lint(after).diagnostics.some((d) => d.rule === 'cutover-soak'), 'the comment silences the finding');
  });

  it('11: an ignore comment whose reason does not follow `--` silences nothing, and says so', () => {
    const text = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n    # migplan-ignore cutover-soak because SRE agreed\n    soak: 2h\n`;
    const ds = lint(text).diagnostics;
    assert.ok(ds.some((d) => d.rule === 'cutover-soak'), 'not silenced');
    const reason = ds.find((d) => d.rule === 'ignore-reason');
    assert.ok(reason, 'reported');
    assert.match(reason.message, /does not follow `--`/);
    const fixed = `${PHASE_HEAD}  - id: cutover\n    kind: cutover\n    # migplan-ignore cutover-soak -- because SRE agreed\n    soak: 2h\n`;
    assert.ok(!lint(fixed).diagnostics.some((d) => d.rule === 'cutover-soak' || d.rule === 'ignore-reason'));
  });

  it('a comment that holds two lines of broken YAML apart is not removed by a fix', () => {
    const text = '42 # migplan-ignore cutover-soak -- x\n- 44\n';
    const { plan, diagnostics } = lint(text);
    assert.ok(diagnostics.some((d) => d.rule === 'yaml-syntax'));
    for (const d of diagnostics) if (d.data?.fix) assert.deepEqual(preservationProblems(plan.text, fixEdits(plan, d)), [], d.rule);
  });

  it('10: fix-all writes no reason for a bare ignore comment, and does not delete one without a rule', () => {
    const text = `${PHASE_HEAD}  - id: a\n    kind: custom\n  # migplan-ignore duplicate-id\n  - id: a\n    kind: custom\n# migplan-ignore\npoint_of_no_return: a\n`;
    const r = fixAll(text);
    assert.match(r.text, /\n {2}# migplan-ignore duplicate-id\n/);
    assert.match(r.text, /\n# migplan-ignore\n/);
    assert.ok(r.diagnostics.some((d) => d.rule === 'duplicate-id'), 'the error stays');
    assert.ok(r.diagnostics.filter((d) => d.rule === 'ignore-reason').length === 2);
  });
});
