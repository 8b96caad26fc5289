/**
 * The rule catalog against its fixtures: test/rules/<id>/fail*.migplan.yaml
 * carry `# expect: <rule> <line>:<col>-<line>:<col>` lines listing exactly the
 * diagnostics of <id> they must produce; pass*.migplan.yaml must produce none.
 * Fixable rules: applying the rule's fixes removes the diagnostics, keeps the
 * file parsing, leaves every other line as it was, and matches the
 * `.fixed.migplan.yaml` snapshot.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { applyRawEdits, type RawEdit } from '../server/src/service/linting/fixes';
import { fixEdits, lint } from '../server/src/service/linting/lint';
import { MAX_HEADLINE } from '../server/src/service/linting/messages';
import { loadSqlParser } from '../server/src/service/sql/parser';
import { RULES } from '../server/src/service/rules';
import type { Span } from '../server/src/service/types';
import { LineIndex } from '../server/src/service/parsing/text';
import { expectations, fixedSnapshotPath, read, ruleFixtures, snapshot, summarize, untouchedLinesKept } from './helpers';

/** Original lines an edit changes: a line break inserted at a line's end or start changes none. */
function touchedLines(lines: LineIndex, e: RawEdit): number[] {
  const first = lines.lineOf(e.span[0]);
  const last = lines.lineOf(e.span[1]);
  if (e.span[0] === e.span[1]) {
    if (e.span[0] === lines.lineEnd(first) && /^\r?\n/.test(e.text)) return [];
    if (e.span[0] === lines.lineStart(first) && /\n$/.test(e.text)) return [];
  }
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/** Applies the fixes of one rule's diagnostics, round after round, like fix-all restricted to the rule. */
function fixRule(text: string, id: string): { text: string; touched: Set<number>; rounds: number } {
  let current = text;
  const touchedOriginal = new Set<number>();
  let rounds = 0;
  // Touched lines are tracked in the original text (first round); later rounds
  // only act on text the first round inserted.
  for (; rounds < 10; rounds++) {
    const { plan, diagnostics } = lint(current);
    const edits: RawEdit[] = [];
    const taken: Span[] = [];
    for (const d of diagnostics.filter((x) => x.rule === id)) {
      const es = fixEdits(plan, d);
      if (es.some((e) => taken.some((t) => e.span[0] <= t[1] && t[0] <= e.span[1]))) continue;
      for (const e of es) {
        edits.push(e);
        taken.push(e.span);
      }
    }
    if (edits.length === 0) break;
    if (rounds === 0) {
      for (const e of edits) for (const l of touchedLines(plan.lines, e)) touchedOriginal.add(l);
    }
    current = applyRawEdits(plan.text, edits);
  }
  return { text: current, touched: touchedOriginal, rounds };
}

// The SQL rules read SQL with PostgreSQL's parser, which loads once, asynchronously.
before(async () => {
  await loadSqlParser();
});

for (const rule of RULES) {
  const { id, fixable } = rule.meta;
  describe(`rule ${id}`, () => {
    const { fail, pass } = ruleFixtures(id);
    it('has failing and passing fixtures', () => {
      assert.ok(fail.length > 0, `test/rules/${id}/fail.migplan.yaml is missing`);
      assert.ok(pass.length > 0, `test/rules/${id}/pass.migplan.yaml is missing`);
      if (fixable) assert.ok(fail.some((f) => fs.existsSync(fixedSnapshotPath(f))), `rule ${id} is fixable but no fail fixture has a fixed snapshot`);
    });
    it('writes messages a person reads: one sentence of at most 100 characters, the why and what to do after it', () => {
      for (const file of fail) {
        for (const d of lint(read(file)).diagnostics.filter((x) => x.rule === id)) {
          assert.ok(d.message.length <= MAX_HEADLINE, `${path.basename(file)}: ${d.message.length} characters: ${d.message}`);
          assert.match(d.message, /[.?!]$/, `${path.basename(file)}: not one sentence: ${d.message}`);
          if (id !== 'yaml-syntax' && id !== 'schema') assert.ok((d.detail ?? '').length > 20, `${path.basename(file)}: no detail after ${d.message}`);
        }
      }
    });
    for (const file of fail) {
      const name = path.basename(file);
      it(`fires at the expected ranges: ${name}`, () => {
        const text = read(file);
        const expected = expectations(text).filter((e) => e.rule === id).map((e) => `${e.rule} ${e.range}`).sort();
        assert.ok(expected.length > 0, `${name} declares no '# expect: ${id} L:C-L:C' line`);
        const { diagnostics } = lint(text);
        assert.deepEqual(summarize(diagnostics, id), expected);
        for (const d of diagnostics.filter((x) => x.rule === id)) {
          assert.equal(d.severity, rule.meta.severity);
          assert.ok(d.message.length > 20, `message too terse: ${d.message}`);
          if (!fixable) assert.equal(d.data?.fix, undefined, `rule ${id} is not declared fixable but offered a fix`);
        }
      });
      // A fixable rule's fixtures show its fixes; a fixture of what only the author can mend has none,
      // and no fixed snapshot. (Decided when the test runs: the SQL rules need the parser, loaded by then.)
      if (fixable) {
        it(`fix round-trips: ${name}`, () => {
          const text = read(file);
          const before = lint(text).diagnostics.filter((d) => d.rule === id);
          if (!before.some((d) => d.data?.fix)) {
            assert.ok(!fs.existsSync(fixedSnapshotPath(file)), `${name}: a fixed snapshot, but no diagnostic of ${id} carries a fix`);
            return;
          }
          const fixed = fixRule(text, id);
          const after = lint(fixed.text);
          assert.deepEqual(summarize(after.diagnostics, 'yaml-syntax'), [], 'fixed file no longer parses');
          const left = after.diagnostics.filter((d) => d.rule === id && d.data?.fix);
          assert.deepEqual(left.map((d) => d.message), [], 'fixable diagnostics remain after fixing');
          const kept = untouchedLinesKept(text, fixed.text, fixed.touched);
          assert.ok(kept.ok, `a line outside the fix changed or vanished: ${kept.missing}`);
          assert.equal(fixed.text, snapshot(fixedSnapshotPath(file), fixed.text), 'fixed text differs from its snapshot');
        });
      }
    }
    for (const file of pass) {
      it(`stays silent: ${path.basename(file)}`, () => {
        assert.deepEqual(summarize(lint(read(file)).diagnostics, id), []);
      });
    }
  });
}
